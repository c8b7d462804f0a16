/*
 * pg_int.h — shared by the PostgreSQL engine's two files only (store.c owns the connection,
 * the schema and its migrations; store_certs.c keeps the enrollment tables). Nothing else
 * includes this: the rest of the collector sees struct wfpw_store and store.h.
 *
 * Every statement goes through the helpers below: text parameters ($1..), int64 as decimal
 * text, every PGresult's status checked and every result cleared.
 */
#ifndef WFPW_PG_INT_H
#define WFPW_PG_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store/store.h"

/* Advisory lock keys (bigint). Per-agent locks are pg_advisory_xact_lock(hashtext(...)), whose
 * keys lie in the int4 range; these lie far above it ("wfpw" << 32 | n), so they never meet. */
#define WFPW_PG_LOCK_MIGRATE "8603687794541330433" /* schema migration: collectors starting together */
#define WFPW_PG_LOCK_EVENTS "8603687794541330434"  /* every transaction that takes event or alert ids */
#define WFPW_PG_LOCK_SILENT "8603687794541330435"  /* check_silent: one collector at a time */
#define WFPW_PG_LOCK_PRUNE "8603687794541330436"   /* prune: one collector at a time */

/* A decimal int64 with its sign and NUL. */
#define WFPW_PG_I64LEN 24

/* The PostgreSQL engine's store object (store.h: base first; every op casts st to it). */
struct wfpw_pg {
    struct wfpw_store base;   /* ops = &wfpw_store_postgres_ops */
    PGconn *conn;             /* owned (PQfinish in close) */
    int readonly;             /* the API's reader: default_transaction_read_only, never migrated */
    int setup_done;           /* session_setup ran on this session (a PQreset starts a new one) */
    uint32_t prepared;        /* bit i: store.c's named statement i exists in this session
                                 (a PQreset starts a new session: cleared) */
    char **targets;           /* owned copies of the alert target names (wfpw_free) */
    size_t ntargets;
};

/* The schema version this build of the PostgreSQL engine creates and migrates to. */
int wfpw__pg_schema_version(void);

/* Call first in every operation: 0 when the connection is usable. A lost connection
 * (CONNECTION_BAD) is reset once (PQreset, session settings again); WFPW_EIO when that fails.
 * A transaction a failed operation left open is rolled back. */
int wfpw__pg_ready(struct wfpw_pg *pg);

/* Runs sql with n text parameters v (NULL entries are SQL NULL). Returns 0, WFPW_EEXIST for an
 * integrity constraint violation (SQLSTATE class 23, as SQLite's SQLITE_CONSTRAINT) or
 * WFPW_EIO. On 0, *res (when res is not NULL) is the result, owned by the caller (PQclear);
 * otherwise *res is NULL and nothing is left to clear. */
int wfpw__pg_exec(struct wfpw_pg *pg, const char *sql, int n, const char *const *v, PGresult **res);

/* A statement that changes rows: 0 / WFPW_EEXIST / WFPW_EIO; *changed (may be NULL) gets the
 * number of rows it changed. */
int wfpw__pg_cmd(struct wfpw_pg *pg, const char *sql, int n, const char *const *v, int64_t *changed);

/* *found: the query returned a row. 0 or WFPW_EIO. */
int wfpw__pg_exists(struct wfpw_pg *pg, const char *sql, int n, const char *const *v, int *found);

/* A parameterless statement (BEGIN, ROLLBACK, a lock): 0 or WFPW_EIO. */
int wfpw__pg_sql(struct wfpw_pg *pg, const char *sql);

/* COMMIT that really committed (COMMIT of a failed transaction answers ROLLBACK): 0 or
 * WFPW_EIO, after which the transaction is over either way. */
int wfpw__pg_commit(struct wfpw_pg *pg);

/* ROLLBACK when a transaction is open; for error paths (its own failure is ignored). */
void wfpw__pg_rollback(struct wfpw_pg *pg);

/* v as decimal text in out (WFPW_PG_I64LEN bytes); returns out. */
const char *wfpw__pg_i64s(char *out, int64_t v);

/* Column col of row: an integer (0 for NULL), text (NULL for SQL NULL), whether it is NULL. */
int64_t wfpw__pg_i64(const PGresult *r, int row, int col);
const char *wfpw__pg_str(const PGresult *r, int row, int col);
int wfpw__pg_null(const PGresult *r, int row, int col);

/* The operations store_certs.c implements (wfpw_store_postgres_ops, in store.c, lists them). */
int wfpw__pg_enroll_token_add(struct wfpw_store *st, const char *hash_hex, const char *name, int64_t expires_ms,
                              int64_t max_uses, int64_t now_ms);
int wfpw__pg_enroll_token_revoke(struct wfpw_store *st, const char *id_or_name, int64_t now_ms);
int wfpw__pg_enroll_token_list(struct wfpw_store *st, int64_t now_ms, struct wfpw_buf *out);
int wfpw__pg_issue(struct wfpw_store *st, struct wfpw_issue *is);
int wfpw__pg_cert_revoke(struct wfpw_store *st, const char *agent_id, const char *extra_serial, int64_t now_ms,
                         int *count);
int wfpw__pg_revoked_serials(struct wfpw_store *st, char ***serials, int64_t **when, size_t *n);
int wfpw__pg_cert_list(struct wfpw_store *st, struct wfpw_buf *out);
int wfpw__pg_cert_release(struct wfpw_store *st, const char *agent_id, int64_t now_ms);
int wfpw__pg_has_revocations(struct wfpw_store *st, int *yes);

#endif
