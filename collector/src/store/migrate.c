/*
 * migrate.c — copy a SQLite store into an empty PostgreSQL store (store.h,
 * wfpw_store_migrate): every table, every row, ids preserved, so that SIEM cursors
 * (`after=ID`), alert ids and the outbox keep their meaning after the move. The only code that
 * knows both schemas; it reads SQLite with plain statements and writes PostgreSQL with COPY in
 * one transaction: the destination gets everything or nothing. Afterwards the identity
 * sequences continue above the highest id SQLite ever gave (sqlite_sequence: AUTOINCREMENT ids
 * never go back, even when retention deleted the newest rows), and each table's row count is
 * checked on both sides; wfpw_top gets the last ids copied. A source that changed during the
 * copy (a collector still writing to it) is refused before the destination commits.
 */
#include "store/store.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/postgres/pg_int.h"
#include "store/sqlite/store_int.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"

/* Every table of SQLite schema 4 / PostgreSQL schema 1 with the columns they share, in an
 * order that keeps references valid (alerts before the outbox). */
static const struct {
    const char *table, *cols, *identity; /* identity: the id column whose sequence continues */
} tables[] = {
    {"hosts", "host, agent_id, hostname, version, os, first_seen, last_seen, status, batches, events, "
              "identity_mismatch, hostname_claim, hostname_verified, hostname_mismatch", NULL},
    {"batches", "host, batch_id, received, events", NULL},
    {"events", "id, host, type, time, received, batch_id, seq, mismatch, json", "id"},
    {"filters", "host, key, json, updated", NULL},
    {"alerts", "id, uid, host, rule, severity, time, json", "id"},
    {"outbox", "id, alert_id, target, attempts, next_attempt, delivered, last_error", "id"},
    {"tokens", "name, hash, created, revoked", NULL},
    {"enroll_tokens", "id, name, hash, created, expires, max_uses, uses, revoked", NULL},
    {"certs", "serial, agent_id, hostname, key_id, token_id, kind, not_before, not_after, issued, revoked, pem, "
              "revoke_reason", NULL},
    {"revoked_agents", "agent_id, revoked", NULL},
    {"enroll_releases", "agent_id, released", NULL},
};

/* One value in COPY's text format: \N for NULL, backslash escapes for the rest. */
static void copy_value(struct wfpw_buf *b, sqlite3_stmt *s, int col)
{
    const unsigned char *t;
    int n, i;
    if (sqlite3_column_type(s, col) == SQLITE_NULL) {
        wfpw_buf_puts(b, "\\N");
        return;
    }
    t = sqlite3_column_text(s, col);
    n = sqlite3_column_bytes(s, col);
    for (i = 0; i < n; i++) {
        switch (t[i]) {
        case '\\': wfpw_buf_puts(b, "\\\\"); break;
        case '\n': wfpw_buf_puts(b, "\\n"); break;
        case '\r': wfpw_buf_puts(b, "\\r"); break;
        case '\t': wfpw_buf_puts(b, "\\t"); break;
        default: wfpw_buf_putc(b, (char)t[i]);
        }
    }
}

static int pg_cmd(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, errlen, "PostgreSQL: %.*s", (int)strcspn(PQerrorMessage(c), "\n"), PQerrorMessage(c));
    PQclear(r);
    return ok ? 0 : WFPW_EIO;
}

/* The highest id SQLite gave in table (its AUTOINCREMENT counter), 0 when none. */
static int64_t sqlite_high_water(sqlite3 *db, const char *table)
{
    sqlite3_stmt *s;
    int64_t n = 0;
    if (sqlite3_prepare_v2(db, "SELECT seq FROM sqlite_sequence WHERE name = ?1", -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

/* What a writer changes with every batch it takes: the number of batches and the ids given. */
static void sqlite_mark(sqlite3 *db, int64_t mark[2])
{
    sqlite3_stmt *s;
    mark[0] = mark[1] = -1;
    if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM batches), (SELECT coalesce(max(seq), 0) FROM sqlite_sequence)",
                           -1, &s, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(s) == SQLITE_ROW)
        mark[0] = sqlite3_column_int64(s, 0), mark[1] = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
}

static int64_t pg_count(PGconn *c, const char *table)
{
    char sql[96];
    PGresult *r;
    int64_t n = -1;
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        sscanf(PQgetvalue(r, 0, 0), "%lld", (long long *)&n);
    PQclear(r);
    return n;
}

/* COPY one table; *rows gets the number copied. */
static int copy_table(sqlite3 *db, PGconn *c, size_t t, int64_t *rows, char *err, size_t errlen)
{
    char sql[512];
    struct wfpw_buf b;
    sqlite3_stmt *s = NULL;
    PGresult *r;
    int ncol, i, rc = 0, step;
    *rows = 0;
    snprintf(sql, sizeof(sql), "SELECT %s FROM %s", tables[t].cols, tables[t].table);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "SQLite: reading %s: %s", tables[t].table, sqlite3_errmsg(db));
        return WFPW_EIO;
    }
    snprintf(sql, sizeof(sql), "COPY %s (%s) FROM STDIN", tables[t].table, tables[t].cols);
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        snprintf(err, errlen, "PostgreSQL: COPY %s: %.*s", tables[t].table, (int)strcspn(PQerrorMessage(c), "\n"),
                 PQerrorMessage(c));
        PQclear(r);
        sqlite3_finalize(s);
        return WFPW_EIO;
    }
    PQclear(r);
    ncol = sqlite3_column_count(s);
    wfpw_buf_init(&b, 1u << 30);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        for (i = 0; i < ncol; i++) {
            if (i)
                wfpw_buf_putc(&b, '\t');
            copy_value(&b, s, i);
        }
        wfpw_buf_putc(&b, '\n');
        (*rows)++;
        if (b.err) {
            rc = b.err;
            snprintf(err, errlen, "%s: a row too large", tables[t].table);
            break;
        }
        if (b.len >= (1u << 20)) {
            if (PQputCopyData(c, b.data, (int)b.len) != 1) {
                rc = WFPW_EIO;
                break;
            }
            wfpw_buf_reset(&b);
        }
    }
    if (rc == 0 && step != SQLITE_DONE) {
        snprintf(err, errlen, "SQLite: reading %s: %s", tables[t].table, sqlite3_errmsg(db));
        rc = WFPW_EIO;
    }
    if (rc == 0 && b.len && PQputCopyData(c, b.data, (int)b.len) != 1)
        rc = WFPW_EIO;
    wfpw_buf_free(&b);
    sqlite3_finalize(s);
    if (PQputCopyEnd(c, rc ? "source read failed" : NULL) != 1 && rc == 0)
        rc = WFPW_EIO;
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            snprintf(err, errlen, "PostgreSQL: COPY %s: %.*s", tables[t].table, (int)strcspn(PQerrorMessage(c), "\n"),
                     PQerrorMessage(c));
            rc = WFPW_EIO;
        }
        PQclear(r);
    }
    if (rc && err[0] == '\0')
        snprintf(err, errlen, "PostgreSQL: COPY %s failed", tables[t].table);
    return rc;
}

int wfpw_store_migrate(struct wfpw_store *from, struct wfpw_store *to, struct wfpw_migrate_count *count,
                       size_t ncount, char *err, size_t errlen)
{
    sqlite3 *db;
    PGconn *c;
    char sql[320];
    int64_t mark[2];
    size_t t;
    int rc = 0;
    err[0] = '\0';
    if (from->ops != &wfpw_store_sqlite_ops || to->ops != &wfpw_store_postgres_ops) {
        snprintf(err, errlen, "migrate copies a SQLite store into a PostgreSQL store");
        return WFPW_EINVAL;
    }
    db = wfpw__store_db(from);
    c = ((struct wfpw_pg *)to)->conn;
    /* the destination must be empty: a copy over existing rows would clash on ids */
    for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        int64_t n = pg_count(c, tables[t].table);
        if (n != 0) {
            snprintf(err, errlen, n < 0 ? "PostgreSQL: cannot count %s" : "the PostgreSQL store is not empty (%s has rows): "
                                                                             "migrate into a new database",
                     tables[t].table);
            return n < 0 ? WFPW_EIO : WFPW_EEXIST;
        }
    }
    /* one read snapshot of the source, one transaction on the destination */
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "SELECT count(*) FROM batches", NULL, NULL, NULL) != SQLITE_OK) { /* the snapshot starts */
        snprintf(err, errlen, "SQLite: %s", sqlite3_errmsg(db));
        return WFPW_EIO;
    }
    sqlite_mark(db, mark);
    if ((rc = pg_cmd(c, "BEGIN", err, errlen)) == 0)
        rc = pg_cmd(c, "LOCK TABLE events, alerts, outbox IN EXCLUSIVE MODE", err, errlen);
    for (t = 0; rc == 0 && t < sizeof(tables) / sizeof(tables[0]); t++) {
        int64_t rows = 0, there;
        if ((rc = copy_table(db, c, t, &rows, err, errlen)) != 0)
            break;
        if ((there = pg_count(c, tables[t].table)) != rows) {
            snprintf(err, errlen, "%s: %lld rows read, %lld written", tables[t].table, (long long)rows, (long long)there);
            rc = WFPW_EIO;
            break;
        }
        if (tables[t].identity) {
            snprintf(sql, sizeof(sql),
                     "SELECT setval(pg_get_serial_sequence('%s', '%s'), GREATEST(COALESCE(max(%s), 0), %lld) + 1, false)"
                     " FROM %s",
                     tables[t].table, tables[t].identity, tables[t].identity,
                     (long long)sqlite_high_water(db, tables[t].table), tables[t].table);
            rc = pg_cmd(c, sql, err, errlen);
        }
        if (t < ncount) {
            count[t].table = tables[t].table;
            count[t].rows = rows;
        }
    }
    /* the last ids committed, where time-filtered queries end their windows (schema 2) */
    if (rc == 0)
        rc = pg_cmd(c,
                    "UPDATE wfpw_top SET events = (SELECT COALESCE(max(id), 0) FROM events),"
                    " alerts = (SELECT COALESCE(max(id), 0) FROM alerts)",
                    err, errlen);
    /* the source as it is now, outside the copy's snapshot: a collector still writing to it
     * would leave what it took after the snapshot behind */
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc == 0) {
        int64_t now[2];
        sqlite_mark(db, now);
        if (now[0] != mark[0] || now[1] != mark[1]) {
            snprintf(err, errlen, "the SQLite store changed during the copy (a collector still writes to it): stop it "
                                  "and migrate again");
            rc = WFPW_EAGAIN;
        }
    }
    if (rc == 0)
        rc = pg_cmd(c, "COMMIT", err, errlen);
    else
        pg_cmd(c, "ROLLBACK", sql, sizeof(sql));
    return rc;
}
