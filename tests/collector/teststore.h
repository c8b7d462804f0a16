/*
 * teststore.h — the store tests run on both engines: SQLite in a test's temporary directory,
 * PostgreSQL in a fresh database of the cluster WFPW_PG_DSN names (a libpq connection string
 * without dbname; tests/run.sh starts a throw-away cluster: tests/integration/pg-cluster.sh).
 * A PostgreSQL test without WFPW_PG_DSN fails saying so: it is never skipped.
 */
#ifndef WFPW_CTEST_TESTSTORE_H
#define WFPW_CTEST_TESTSTORE_H

#include "store/store.h"

/* The engine the next wfpw_ctest_store_open uses (each test sets it). */
extern enum wfpw_store_kind wfpw_ctest_engine;

/* A new, empty store of wfpw_ctest_engine (dir: the SQLite data directory; opts may be NULL:
 * its kind and dsn are set here). Fails the test when it cannot be opened. */
struct wfpw_store *wfpw_ctest_store_open(const char *dir, const struct wfpw_store_opts *opts);

/* The connection string of the database the last PostgreSQL open created (static storage):
 * a test reopens that database with it, or changes it behind the store's back. */
const char *wfpw_ctest_store_dsn(void);

#endif
