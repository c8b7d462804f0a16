/*
 * teststore.c — a fresh store of either engine for one test (teststore.h). For PostgreSQL
 * every open creates a database of its own (wfpw_unit_PID_N, dropped first if a previous run
 * left it), so tests see an empty store as they do with a new SQLite file.
 */
#include "teststore.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../runner.h"

enum wfpw_store_kind wfpw_ctest_engine = WFPW_STORE_SQLITE;

static void pg_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "teststore: %s: %s", sql, PQerrorMessage(c));
        ASSERT(0);
    }
    PQclear(r);
}

static char dsn[1200];

const char *wfpw_ctest_store_dsn(void)
{
    return dsn;
}

struct wfpw_store *wfpw_ctest_store_open(const char *dir, const struct wfpw_store_opts *opts)
{
    static unsigned counter;
    struct wfpw_store_opts o;
    struct wfpw_store *st = NULL;
    char err[512] = "";
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof(o));
    o.kind = wfpw_ctest_engine;
    o.dsn = NULL;
    if (wfpw_ctest_engine == WFPW_STORE_POSTGRES) {
        const char *base = getenv("WFPW_PG_DSN");
        char name[64], sql[160], admin[1100];
        PGconn *c;
        if (base == NULL || base[0] == '\0') {
            fprintf(stderr, "teststore: WFPW_PG_DSN is not set: the PostgreSQL store tests need a cluster "
                            "(tests/run.sh starts one; by hand: tests/integration/pg-cluster.sh start DIR)\n");
            ASSERT(0);
        }
        snprintf(name, sizeof(name), "wfpw_unit_%d_%u", (int)getpid(), ++counter);
        snprintf(admin, sizeof(admin), "%s dbname=postgres", base);
        c = PQconnectdb(admin);
        if (PQstatus(c) != CONNECTION_OK) {
            fprintf(stderr, "teststore: cannot connect to the test cluster: %s", PQerrorMessage(c));
            ASSERT(0);
        }
        PQclear(PQexec(c, "SET client_min_messages = warning"));
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
        pg_exec(c, sql);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
        pg_exec(c, sql);
        PQfinish(c);
        snprintf(dsn, sizeof(dsn), "%s dbname=%s", base, name);
        o.dsn = dsn;
    }
    if (wfpw_store_open(dir, &o, &st, err, sizeof(err)) != 0) {
        fprintf(stderr, "teststore: cannot open the %s store: %s\n",
                wfpw_ctest_engine == WFPW_STORE_POSTGRES ? "PostgreSQL" : "SQLite", err);
        ASSERT(0);
    }
    return st;
}
