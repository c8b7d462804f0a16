/*
 * store.c — SQLite schema, migrations and every statement the collector runs (store.h).
 *
 * Schema versions are PRAGMA user_version; migrations[i] takes version i to i+1 and runs
 * in one transaction. Cursors are the AUTOINCREMENT ids of events and alerts: ids never go
 * back (not even after the newest rows are pruned), and with one writer connection rows
 * commit in id order, so "id > cursor" pages every row exactly once while rows arrive.
 */
#include "store/store.h"
#include "store/sqlite/store_int.h"
#include "store/common.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/timefmt.h"

static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE hosts("
    "  host TEXT PRIMARY KEY, agent_id TEXT, hostname TEXT, version TEXT, os TEXT,"
    "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'ok', batches INTEGER NOT NULL DEFAULT 0,"
    "  events INTEGER NOT NULL DEFAULT 0, identity_mismatch INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE batches(batch_id TEXT PRIMARY KEY, host TEXT NOT NULL,"
    "  received INTEGER NOT NULL, events INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX batches_received ON batches(received);"
    "CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, host TEXT NOT NULL,"
    "  type TEXT NOT NULL, time INTEGER NOT NULL, received INTEGER NOT NULL,"
    "  batch_id TEXT NOT NULL, seq INTEGER NOT NULL, mismatch INTEGER NOT NULL DEFAULT 0,"
    "  json TEXT NOT NULL);"
    "CREATE INDEX events_type ON events(type, id);"
    "CREATE INDEX events_host ON events(host, id);"
    "CREATE TABLE filters(host TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL,"
    "  updated INTEGER NOT NULL, PRIMARY KEY(host, key)) WITHOUT ROWID;"
    "CREATE TABLE alerts(id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL UNIQUE,"
    "  host TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, time INTEGER NOT NULL,"
    "  json TEXT NOT NULL);"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY AUTOINCREMENT, alert_id INTEGER NOT NULL,"
    "  target TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL,"
    "  delivered INTEGER, last_error TEXT, UNIQUE(alert_id, target));"
    "CREATE INDEX outbox_pending ON outbox(target, delivered, next_attempt);"
    "CREATE TABLE tokens(name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
    "  created INTEGER NOT NULL, revoked INTEGER);",
    /* 1 -> 2: enrollment (store_certs.c) */
    "CREATE TABLE enroll_tokens(id TEXT PRIMARY KEY, name TEXT UNIQUE, hash TEXT NOT NULL UNIQUE,"
    "  created INTEGER NOT NULL, expires INTEGER, max_uses INTEGER, uses INTEGER NOT NULL DEFAULT 0,"
    "  revoked INTEGER);"
    "CREATE TABLE certs(serial TEXT PRIMARY KEY, agent_id TEXT NOT NULL, hostname TEXT,"
    "  key_id TEXT UNIQUE, token_id TEXT, kind TEXT NOT NULL, not_before INTEGER NOT NULL,"
    "  not_after INTEGER NOT NULL, issued INTEGER NOT NULL, revoked INTEGER, pem TEXT);"
    "CREATE INDEX certs_agent ON certs(agent_id);"
    "CREATE TABLE revoked_agents(agent_id TEXT PRIMARY KEY, revoked INTEGER NOT NULL) WITHOUT ROWID;",
    /* 2 -> 3: duplicates are (host, batch_id), not batch_id alone (one agent cannot shadow
     * another's batch by reusing its id); a host's certified name beside the one its batches
     * claim; why a certificate was revoked; operator releases of an agent id for a new key */
    "CREATE TABLE batches3(host TEXT NOT NULL, batch_id TEXT NOT NULL, received INTEGER NOT NULL,"
    "  events INTEGER NOT NULL, PRIMARY KEY(host, batch_id)) WITHOUT ROWID;"
    "INSERT INTO batches3(host, batch_id, received, events) SELECT host, batch_id, received, events FROM batches;"
    "DROP TABLE batches;"
    "ALTER TABLE batches3 RENAME TO batches;"
    "CREATE INDEX batches_received ON batches(received);"
    "ALTER TABLE hosts ADD COLUMN hostname_claim TEXT;"
    "ALTER TABLE hosts ADD COLUMN hostname_verified INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE hosts ADD COLUMN hostname_mismatch INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE certs ADD COLUMN revoke_reason TEXT;"
    "CREATE TABLE enroll_releases(agent_id TEXT PRIMARY KEY, released INTEGER NOT NULL) WITHOUT ROWID;",
    /* 3 -> 4: every combination of the REST filters type/rule and host is an index seek in id
     * order (the old query shape "?2 IS NULL OR type = ?2" kept SQLite off every index) */
    "CREATE INDEX IF NOT EXISTS events_host_type ON events(host, type, id);"
    "CREATE INDEX IF NOT EXISTS alerts_rule ON alerts(rule, id);"
    "CREATE INDEX IF NOT EXISTS alerts_host ON alerts(host, id);"
    "CREATE INDEX IF NOT EXISTS alerts_host_rule ON alerts(host, rule, id);",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

enum stmt_id {
    S_BEGIN, S_COMMIT, S_ROLLBACK, S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
    S_BATCH_INSERT, S_EVENT_INSERT, S_HOST_GET, S_HOST_INSERT, S_HOST_UPDATE,
    S_FILTER_UPSERT, S_FILTER_DELETE, S_ALERT_INSERT, S_OUTBOX_INSERT,
    S_SUPERSEDE, S_OUTBOX_NEXT, S_OUTBOX_DONE, S_OUTBOX_RETRY,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT batch",
    [S_RELEASE] = "RELEASE batch",
    [S_ROLLBACK_TO] = "ROLLBACK TO batch",
    [S_BATCH_INSERT] = "INSERT OR IGNORE INTO batches(host, batch_id, received, events) VALUES(?2,?1,?3,?4)",
    [S_EVENT_INSERT] = "INSERT INTO events(host, type, time, received, batch_id, seq, mismatch, json)"
                       " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [S_HOST_GET] = "SELECT status FROM hosts WHERE host = ?1",
    /* hostname: the certificate's (OU) when it has one, else the batch's claim; hostname_claim:
     * what the batches say; hostname_mismatch: a claim differed from the certified name */
    [S_HOST_INSERT] = "INSERT INTO hosts(host, agent_id, hostname, version, os, first_seen, last_seen,"
                      " status, batches, events, identity_mismatch, hostname_claim, hostname_verified,"
                      " hostname_mismatch) VALUES(?1,?2,?3,?4,?5,?6,?6,'ok',1,?7,?8,?9,?10,?11)",
    [S_HOST_UPDATE] = "UPDATE hosts SET agent_id=?2, hostname=?3, version=?4, os=?5, last_seen=?6,"
                      " status=CASE status WHEN 'revoked' THEN 'revoked' ELSE 'ok' END, batches=batches+1, events=events+?7,"
                      " identity_mismatch=MAX(identity_mismatch, ?8), hostname_claim=?9, hostname_verified=?10,"
                      " hostname_mismatch=MAX(hostname_mismatch, ?11) WHERE host=?1",
    [S_FILTER_UPSERT] = "INSERT INTO filters(host, key, json, updated) VALUES(?1,?2,?3,?4)"
                        " ON CONFLICT(host, key) DO UPDATE SET json=excluded.json, updated=excluded.updated",
    [S_FILTER_DELETE] = "DELETE FROM filters WHERE host=?1 AND key=?2",
    [S_ALERT_INSERT] = "INSERT OR IGNORE INTO alerts(uid, host, rule, severity, time, json)"
                       " VALUES(?1,?2,?3,?4,?5,?6)",
    [S_OUTBOX_INSERT] = "INSERT OR IGNORE INTO outbox(alert_id, target, next_attempt) VALUES(?1,?2,0)",
    /* an agent that uses a renewed certificate no longer needs the ones before it */
    [S_SUPERSEDE] = "UPDATE certs SET revoked=?3, revoke_reason='superseded' WHERE agent_id=?1 AND revoked IS NULL"
                    " AND issued < (SELECT issued FROM certs WHERE serial=?2 AND agent_id=?1 AND revoked IS NULL)",
    [S_OUTBOX_NEXT] = "SELECT o.id, o.alert_id, o.attempts, a.id, a.host, a.json FROM outbox o"
                      " JOIN alerts a ON a.id = o.alert_id WHERE o.target=?1 AND o.delivered IS NULL"
                      " AND o.next_attempt <= ?2 ORDER BY o.id LIMIT 1",
    [S_OUTBOX_DONE] = "UPDATE outbox SET delivered=?2, attempts=attempts+1, last_error=NULL WHERE id=?1",
    [S_OUTBOX_RETRY] = "UPDATE outbox SET attempts=attempts+1, next_attempt=?2, last_error=?3 WHERE id=?1",
};

/* The SQLite engine's store object (store.h: base first). */
struct wfpw_sq {
    struct wfpw_store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT];
    char **targets;      /* owned copies of the alert target names */
    size_t ntargets;
};

sqlite3 *wfpw__store_db(struct wfpw_store *st)
{
    return ((struct wfpw_sq *)st)->db;
}

static int sqlfail(struct wfpw_sq *st, char *err, size_t errlen, const char *what)
{
    if (err)
        snprintf(err, errlen, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) : "no database");
    return WFPW_EIO;
}

static sqlite3_stmt *S(struct wfpw_sq *st, enum stmt_id id)
{
    sqlite3_stmt *s = st->stmt[id];
    if (s == NULL && sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        return NULL;
    st->stmt[id] = s;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

static int exec1(struct wfpw_sq *st, enum stmt_id id)
{
    sqlite3_stmt *s = S(st, id);
    int rc = s ? sqlite3_step(s) : SQLITE_ERROR;
    if (s)
        sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : WFPW_EIO;
}

static int migrate(struct wfpw_sq *st, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int version = 0, v;
    char pragma[64];
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return sqlfail(st, err, errlen, "reading the schema version");
    if (sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version > SCHEMA_VERSION) {
        snprintf(err, errlen, "database schema version %d is newer than this collector (%d)",
                 version, SCHEMA_VERSION);
        return WFPW_EPROTO;
    }
    for (v = version; v < SCHEMA_VERSION; v++) {
        char *msg = NULL;
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", v + 1);
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, errlen, "migration to schema %d failed: %s", v + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return WFPW_EIO;
        }
    }
    return 0;
}

int wfpw_store_schema_version(void)
{
    return SCHEMA_VERSION;
}

static void sq_close(struct wfpw_store *st_);

static int sq_open(const char *datadir, const struct wfpw_store_opts *opts, struct wfpw_store **out, char *err,
                   size_t errlen)
{
    char path[4096];
    struct wfpw_sq *st;
    int rc;

    *out = NULL;
    if (snprintf(path, sizeof(path), "%s/wfpwatch.db", datadir) >= (int)sizeof(path)) {
        snprintf(err, errlen, "data directory path too long");
        return WFPW_ERANGE;
    }
    st = wfpw_calloc(1, sizeof(*st));
    if (st == NULL)
        return WFPW_ENOMEM;
    st->base.ops = &wfpw_store_sqlite_ops;
    if (sqlite3_open_v2(path, &st->db,
                        (opts && opts->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = sqlfail(st, err, errlen, path);
        sq_close(&st->base);
        return rc;
    }
    sqlite3_busy_timeout(st->db, 10000);
    if (opts && opts->readonly) { /* WAL (set by the writer): reads never wait for its commits */
        *out = &st->base;
        return 0;
    }
    if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, opts && !opts->synchronous_full ? "PRAGMA synchronous=NORMAL"
                                                             : "PRAGMA synchronous=FULL",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL) != SQLITE_OK) {
        rc = sqlfail(st, err, errlen, "configuring SQLite");
        sq_close(&st->base);
        return rc;
    }
    if ((rc = migrate(st, err, errlen)) != 0) {
        sq_close(&st->base);
        return rc;
    }
    if ((rc = wfpw__store_copy_targets(opts, &st->targets, &st->ntargets)) != 0) {
        sq_close(&st->base);
        return rc;
    }
    *out = &st->base;
    return 0;
}

static void sq_release(struct wfpw_store *st_)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    size_t i;
    for (i = 0; i < S_COUNT; i++)
        if (st->stmt[i])
            sqlite3_reset(st->stmt[i]);
}

static void sq_close(struct wfpw_store *st_)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    size_t i;
    if (st == NULL)
        return;
    for (i = 0; i < S_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    if (st->db)
        sqlite3_close(st->db);
    wfpw__store_free_targets(st->targets, st->ntargets);
    wfpw_free(st);
}

/* ---- ingest ---------------------------------------------------------------------------- */

static int queue_alert(struct wfpw_sq *st, const char *uid, const char *host, const char *rule,
                       const char *severity, int64_t time_ms, const char *json, size_t jsonlen)
{
    sqlite3_stmt *s = S(st, S_ALERT_INSERT);
    int64_t alert_id;
    size_t i;
    if (s == NULL)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, uid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, severity, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, time_ms);
    sqlite3_bind_text(s, 6, json, (int)jsonlen, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        return WFPW_EIO;
    if (sqlite3_changes(st->db) == 0)
        return 0; /* this alert exists already */
    alert_id = sqlite3_last_insert_rowid(st->db);
    for (i = 0; i < st->ntargets; i++) {
        s = S(st, S_OUTBOX_INSERT);
        if (s == NULL)
            return WFPW_EIO;
        sqlite3_bind_int64(s, 1, alert_id);
        sqlite3_bind_text(s, 2, st->targets[i], -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            return WFPW_EIO;
    }
    return 0;
}

/* A collector-side alert ({"type":"alert","source":"collector",...}). */
static int collector_alert(struct wfpw_sq *st, const char *rule, const char *severity,
                           const char *host, int64_t now_ms, const char *title, const char *details)
{
    struct wfpw_buf b;
    char uid[512];
    int rc;
    wfpw_buf_init(&b, 1 << 16);
    rc = wfpw__store_collector_alert(&b, uid, sizeof(uid), rule, severity, host, now_ms, title, details);
    if (rc == 0)
        rc = queue_alert(st, uid, host, rule, severity, now_ms, b.data, b.len);
    wfpw_buf_free(&b);
    return rc;
}

static int update_host(struct wfpw_sq *st, const struct wfpw_ingest *in, size_t nevents)
{
    struct wfpw_agent_ident a;
    sqlite3_stmt *s = S(st, S_HOST_GET);
    int exists = 0, was_silent = 0, certified;
    if (s == NULL)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, in->host, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        exists = 1;
        was_silent = strcmp((const char *)sqlite3_column_text(s, 0), "silent") == 0;
    }
    sqlite3_reset(s);
    wfpw_batch_agent(in->batch, &a);
    s = S(st, exists ? S_HOST_UPDATE : S_HOST_INSERT);
    if (s == NULL)
        return WFPW_EIO;
    certified = in->cert_hostname && in->cert_hostname[0];
    sqlite3_bind_text(s, 1, in->host, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, a.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, certified ? in->cert_hostname : a.hostname, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, a.version, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, a.os, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, in->now_ms);
    sqlite3_bind_int64(s, 7, (sqlite3_int64)nevents);
    sqlite3_bind_int(s, 8, in->identity_mismatch);
    sqlite3_bind_text(s, 9, a.hostname, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 10, certified);
    sqlite3_bind_int(s, 11, in->hostname_mismatch);
    if (sqlite3_step(s) != SQLITE_DONE)
        return WFPW_EIO;
    if (was_silent) {
        char title[512];
        snprintf(title, sizeof(title), "Host %s is reporting again", in->host);
        return collector_alert(st, "host_back", "low", in->host, in->now_ms, title,
                               "a batch arrived from a host that had been silent");
    }
    return 0;
}

/* Certificates of in->host issued before the one this batch came with are revoked (the agent
 * renewed and has used the new one). in->superseded counts them. */
static int supersede(struct wfpw_sq *st, struct wfpw_ingest *in)
{
    sqlite3_stmt *s;
    in->superseded = 0;
    if (in->cert_serial == NULL || in->cert_serial[0] == '\0')
        return 0;
    if ((s = S(st, S_SUPERSEDE)) == NULL)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, in->host, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, in->cert_serial, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, in->now_ms);
    if (sqlite3_step(s) != SQLITE_DONE)
        return WFPW_EIO;
    in->superseded = sqlite3_changes(st->db);
    return 0;
}

static int ingest_one(struct wfpw_sq *st, struct wfpw_ingest *in)
{
    const cJSON *events = wfpw_batch_events(in->batch), *ev;
    const char *batch_id = wfpw_batch_id(in->batch);
    size_t n = wfpw_batch_count(in->batch), idx = 0;
    sqlite3_stmt *s;
    int rc;

    if ((rc = supersede(st, in)) != 0)
        return rc;
    if ((s = S(st, S_BATCH_INSERT)) == NULL)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, batch_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, in->host, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, in->now_ms);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)n);
    if (sqlite3_step(s) != SQLITE_DONE)
        return WFPW_EIO;
    if (sqlite3_changes(st->db) == 0) { /* this host sent this batch before: store nothing */
        in->duplicate = 1;
        return 0;
    }
    for (ev = events->child; ev; ev = ev->next, idx++) {
        const char *type = wfpw__store_jstr(ev, "type");
        /* the collector's own canonical encoding of the event (wfpw_ingest), never the
         * agent's bytes: what a page, a webhook or syslog carries is what we wrote */
        const char *json = in->event_json[idx];
        size_t jlen = in->event_len[idx];
        int64_t t = 0;
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(ev, "seq");
        wfpw_time_parse_ms(wfpw__store_jstr(ev, "time"), &t);
        s = S(st, S_EVENT_INSERT);
        if (s == NULL)
            return WFPW_EIO;
        sqlite3_bind_text(s, 1, in->host, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, t);
        sqlite3_bind_int64(s, 4, in->now_ms);
        sqlite3_bind_text(s, 5, batch_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, (sqlite3_int64)seq->valuedouble);
        sqlite3_bind_int(s, 7, in->identity_mismatch);
        sqlite3_bind_text(s, 8, json, (int)jlen, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            return WFPW_EIO;
        if (strcmp(type, "filter_added") == 0 || strcmp(type, "filter_changed") == 0 ||
            strcmp(type, "filter_removed") == 0) {
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(ev, "filter");
            int removed = type[7] == 'r';
            s = S(st, removed ? S_FILTER_DELETE : S_FILTER_UPSERT);
            if (s == NULL)
                return WFPW_EIO;
            sqlite3_bind_text(s, 1, in->host, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 2, wfpw__store_jstr(f, "key"), -1, SQLITE_STATIC);
            if (!removed) {
                struct wfpw_buf fb;
                wfpw_buf_init(&fb, 1 << 24);
                wfpw_json_write(f, &fb);
                sqlite3_bind_text(s, 3, fb.data, (int)fb.len, SQLITE_TRANSIENT);
                sqlite3_bind_int64(s, 4, in->now_ms);
                rc = fb.err;
                wfpw_buf_free(&fb);
                if (rc)
                    return rc;
            }
            if (sqlite3_step(s) != SQLITE_DONE)
                return WFPW_EIO;
        } else if (strcmp(type, "alert") == 0) {
            char uid[600];
            snprintf(uid, sizeof(uid), "agent:%s:%lld", in->host, (long long)seq->valuedouble);
            if ((rc = queue_alert(st, uid, in->host, wfpw__store_jstr(ev, "rule"), wfpw__store_jstr(ev, "severity"), t,
                                  json, jlen)) != 0)
                return rc;
        }
        in->accepted++;
    }
    return update_host(st, in, n);
}

static int sq_ingest(struct wfpw_store *st_, struct wfpw_ingest *const *items, size_t n)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    size_t i;
    int rc = 0;

    if (exec1(st, S_BEGIN) != 0)
        return WFPW_EIO;
    for (i = 0; i < n; i++) {
        struct wfpw_ingest *in = items[i];
        in->duplicate = 0;
        in->accepted = 0;
        if (exec1(st, S_SAVEPOINT) != 0) {
            rc = WFPW_EIO;
            break;
        }
        in->rc = ingest_one(st, in);
        if (in->rc != 0) {
            in->accepted = 0;
            in->superseded = 0;
            if (exec1(st, S_ROLLBACK_TO) != 0) {
                rc = WFPW_EIO;
                break;
            }
        }
        if (exec1(st, S_RELEASE) != 0) {
            rc = WFPW_EIO;
            break;
        }
    }
    if (rc == 0 && exec1(st, S_COMMIT) == 0)
        return 0;
    exec1(st, S_ROLLBACK);
    return WFPW_EIO;
}
/* ---- queries ----------------------------------------------------------------------------- */


/* The SQL for q: only the conditions q has, so that SQLite seeks the index of exactly that
 * combination (events_type, events_host, events_host_type; alerts_rule, alerts_host,
 * alerts_host_rule; the primary key without either); a time filter adds an id window. */
static void query_sql(const struct wfpw_query *q, char *sql, size_t len)
{
    int ev = q->kind == WFPW_Q_EVENTS, windowed = q->since_ms >= 0 || q->until_ms >= 0;
    snprintf(sql, len, "SELECT id, host, %s, json FROM %s WHERE id > :after%s%s%s%s%s ORDER BY id LIMIT :limit",
             ev ? "mismatch" : "0", ev ? "events" : "alerts", windowed ? " AND id <= :upto" : "",
             q->type ? (ev ? " AND type = :type" : " AND rule = :type") : "", q->host ? " AND host = :host" : "",
             q->since_ms >= 0 ? " AND time >= :since" : "", q->until_ms >= 0 ? " AND time < :until" : "");
}

static void bind_named(sqlite3_stmt *s, const char *name, const char *text, int64_t v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i == 0)
        return;
    if (text)
        sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(s, i, v);
}

static void query_bind(sqlite3_stmt *s, const struct wfpw_query *q, int64_t after, int64_t upto, int limit)
{
    sqlite3_reset(s);
    bind_named(s, ":after", NULL, after);
    bind_named(s, ":upto", NULL, upto);
    bind_named(s, ":limit", NULL, limit);
    if (q->type)
        bind_named(s, ":type", q->type, 0);
    if (q->host)
        bind_named(s, ":host", q->host, 0);
    bind_named(s, ":since", NULL, q->since_ms);
    bind_named(s, ":until", NULL, q->until_ms);
}

static int sq_query_plan(struct wfpw_store *st_, const struct wfpw_query *q, struct wfpw_buf *out)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    char sql[512], plan[560];
    sqlite3_stmt *s;
    int rc;
    query_sql(q, sql, sizeof(sql));
    snprintf(plan, sizeof(plan), "EXPLAIN QUERY PLAN %s", sql);
    if (sqlite3_prepare_v2(st->db, plan, -1, &s, NULL) != SQLITE_OK)
        return WFPW_EIO;
    query_bind(s, q, q->after, q->after + wfpw_store_query_window, q->limit);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        wfpw_buf_puts(out, (const char *)sqlite3_column_text(s, 3));
        wfpw_buf_putc(out, '\n');
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? out->err : WFPW_EIO;
}

struct sq_fetch {
    sqlite3_stmt *s;
    int rc;
};

static int sq_fetch_rows(void *ctx, const struct wfpw_query *q, int64_t after, int64_t upto, int limit,
                         struct wfpw__page *p)
{
    struct sq_fetch *f = ctx;
    query_bind(f->s, q, after, upto, limit);
    while ((f->rc = sqlite3_step(f->s)) == SQLITE_ROW)
        wfpw__page_item(p, sqlite3_column_int64(f->s, 0), (const char *)sqlite3_column_text(f->s, 1),
                        sqlite3_column_int(f->s, 2), (const char *)sqlite3_column_text(f->s, 3));
    return f->rc == SQLITE_DONE ? 0 : WFPW_EIO;
}

static int sq_query(struct wfpw_store *st_, struct wfpw_query *q, struct wfpw_buf *out)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    struct sq_fetch f = {NULL, SQLITE_DONE};
    char sql[512];
    int64_t top = INT64_MAX;
    int rc;

    /* the last id committed now: a window never reaches past it, so a cursor moved over rows
     * examined is never passed by a row committed later (the store thread is the one writer,
     * and ids only grow) */
    if (q->since_ms >= 0 || q->until_ms >= 0) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(st->db, q->kind == WFPW_Q_EVENTS ? "SELECT max(id) FROM events" : "SELECT max(id) FROM alerts",
                               -1, &s, NULL) != SQLITE_OK)
            return WFPW_EIO;
        rc = sqlite3_step(s);
        top = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0; /* NULL (empty table): 0 */
        sqlite3_finalize(s);
        if (rc != SQLITE_ROW)
            return WFPW_EIO; /* never an empty page that reads as "caught up" */
    }
    query_sql(q, sql, sizeof(sql));
    if (sqlite3_prepare_v2(st->db, sql, -1, &f.s, NULL) != SQLITE_OK)
        return WFPW_EIO;
    rc = wfpw__store_page(q, top, sq_fetch_rows, &f, out);
    sqlite3_finalize(f.s);
    return rc;
}

static int sq_hosts(struct wfpw_store *st_, struct wfpw_buf *out)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    int rc, n = 0;
    char t1[WFPW_TIME_LEN + 1], t2[WFPW_TIME_LEN + 1];
    if (sqlite3_prepare_v2(st->db,
                           "SELECT host, agent_id, hostname, version, os, first_seen, last_seen, status,"
                           " batches, events, identity_mismatch, hostname_claim, hostname_verified,"
                           " hostname_mismatch FROM hosts ORDER BY host",
                           -1, &s, NULL) != SQLITE_OK)
        return WFPW_EIO;
    wfpw_buf_puts(out, "{\"hosts\":[");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int i;
        static const char *const names[] = {"host", "agent_id", "hostname", "version", "os"};
        wfpw_buf_puts(out, n++ ? ",{" : "{");
        for (i = 0; i < 5; i++) {
            const char *v = (const char *)sqlite3_column_text(s, i);
            wfpw_buf_printf(out, "%s\"%s\":", i ? "," : "", names[i]);
            if (v)
                wfpw_json_write_string(out, v);
            else
                wfpw_buf_puts(out, "null");
        }
        wfpw_time_format_ms(sqlite3_column_int64(s, 5), t1);
        wfpw_time_format_ms(sqlite3_column_int64(s, 6), t2);
        wfpw_buf_printf(out, ",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"status\":\"%s\","
                             "\"batches\":%lld,\"events\":%lld,\"identity_mismatch\":%s,"
                             "\"hostname_verified\":%s,\"hostname_mismatch\":%s,\"hostname_claim\":",
                        t1, t2, (const char *)sqlite3_column_text(s, 7),
                        (long long)sqlite3_column_int64(s, 8), (long long)sqlite3_column_int64(s, 9),
                        sqlite3_column_int(s, 10) ? "true" : "false", sqlite3_column_int(s, 12) ? "true" : "false",
                        sqlite3_column_int(s, 13) ? "true" : "false");
        if (sqlite3_column_type(s, 11) != SQLITE_NULL)
            wfpw_json_write_string(out, (const char *)sqlite3_column_text(s, 11));
        else
            wfpw_buf_puts(out, "null");
        wfpw_buf_putc(out, '}');
    }
    sqlite3_finalize(s);
    wfpw_buf_puts(out, "]}");
    return rc == SQLITE_DONE ? out->err : WFPW_EIO;
}

static int sq_filters(struct wfpw_store *st_, const char *host, struct wfpw_buf *out)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    int rc, n = 0, known;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM hosts WHERE host=?1", -1, &s, NULL) != SQLITE_OK)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, host, -1, SQLITE_STATIC);
    known = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (!known)
        return WFPW_ENOENT;
    if (sqlite3_prepare_v2(st->db, "SELECT json FROM filters WHERE host=?1 ORDER BY key", -1, &s, NULL) != SQLITE_OK)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, host, -1, SQLITE_STATIC);
    wfpw_buf_puts(out, "{\"host\":");
    wfpw_json_write_string(out, host);
    wfpw_buf_puts(out, ",\"filters\":[");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n++)
            wfpw_buf_putc(out, ',');
        wfpw_buf_puts(out, (const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    wfpw_buf_puts(out, "]}");
    return rc == SQLITE_DONE ? out->err : WFPW_EIO;
}

/* ---- tokens ------------------------------------------------------------------------------- */

static int sq_token_add(struct wfpw_store *st_, const char *name, const char *hash_hex, int64_t now_ms)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    int rc;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO tokens(name, hash, created) VALUES(?1,?2,?3)", -1, &s,
                           NULL) != SQLITE_OK)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, hash_hex, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now_ms);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_CONSTRAINT)
        return WFPW_EEXIST;
    return rc == SQLITE_DONE ? 0 : WFPW_EIO;
}

static int sq_token_revoke(struct wfpw_store *st_, const char *name, int64_t now_ms)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    int rc;
    if (sqlite3_prepare_v2(st->db, "UPDATE tokens SET revoked=?2 WHERE name=?1 AND revoked IS NULL", -1,
                           &s, NULL) != SQLITE_OK)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now_ms);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return WFPW_EIO;
    return sqlite3_changes(st->db) ? 0 : WFPW_ENOENT;
}

static int sq_token_list(struct wfpw_store *st_, struct wfpw_buf *out)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    int rc;
    char t[WFPW_TIME_LEN + 1];
    if (sqlite3_prepare_v2(st->db, "SELECT name, created, revoked FROM tokens ORDER BY name", -1, &s,
                           NULL) != SQLITE_OK)
        return WFPW_EIO;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        wfpw_time_format_ms(sqlite3_column_int64(s, 1), t);
        wfpw_buf_printf(out, "%-32s created %s", (const char *)sqlite3_column_text(s, 0), t);
        if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
            wfpw_time_format_ms(sqlite3_column_int64(s, 2), t);
            wfpw_buf_printf(out, "  REVOKED %s", t);
        }
        wfpw_buf_putc(out, '\n');
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? out->err : WFPW_EIO;
}

static int sq_token_valid(struct wfpw_store *st_, const char *hash_hex)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    int rc;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM tokens WHERE hash = ?1 AND revoked IS NULL", -1, &s, NULL) != SQLITE_OK)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, hash_hex, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WFPW_EACCES : WFPW_EIO;
}

static int sq_token_hashes(struct wfpw_store *st_, char (**hashes)[65], size_t *n)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    size_t cap = 0;
    int rc;
    *hashes = NULL, *n = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT hash FROM tokens WHERE revoked IS NULL ORDER BY hash", -1, &s, NULL) !=
        SQLITE_OK)
        return WFPW_EIO;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(s, 0);
        if (h == NULL || strlen(h) != 64)
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char(*g)[65] = wfpw_realloc(*hashes, ncap * sizeof(**hashes));
            if (g == NULL) {
                rc = SQLITE_NOMEM;
                break;
            }
            *hashes = g, cap = ncap;
        }
        memcpy((*hashes)[(*n)++], h, 65);
    }
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return 0;
    wfpw_free(*hashes);
    *hashes = NULL, *n = 0;
    return rc == SQLITE_NOMEM ? WFPW_ENOMEM : WFPW_EIO;
}

/* ---- silent hosts, retention ---------------------------------------------------------------- */

static int sq_check_silent(struct wfpw_store *st_, int64_t now_ms, int64_t silent_after_ms)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    int n = 0, rc = 0;
    if (exec1(st, S_BEGIN) != 0)
        return WFPW_EIO;
    if (sqlite3_prepare_v2(st->db, "SELECT host, last_seen FROM hosts WHERE status='ok' AND last_seen < ?1",
                           -1, &s, NULL) != SQLITE_OK) {
        exec1(st, S_ROLLBACK);
        return WFPW_EIO;
    }
    sqlite3_bind_int64(s, 1, now_ms - silent_after_ms);
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        const char *host = (const char *)sqlite3_column_text(s, 0);
        char title[512], details[512], t[WFPW_TIME_LEN + 1];
        sqlite3_stmt *u;
        wfpw_time_format_ms(sqlite3_column_int64(s, 1), t);
        snprintf(title, sizeof(title), "Host %s went silent", host);
        snprintf(details, sizeof(details), "no batch or heartbeat for %lld s (last seen %s)",
                 (long long)(silent_after_ms / 1000), t);
        rc = collector_alert(st, "silent_host", "high", host, now_ms, title, details);
        if (rc == 0 && sqlite3_prepare_v2(st->db, "UPDATE hosts SET status='silent' WHERE host=?1", -1, &u,
                                          NULL) == SQLITE_OK) {
            sqlite3_bind_text(u, 1, host, -1, SQLITE_STATIC);
            rc = sqlite3_step(u) == SQLITE_DONE ? 0 : WFPW_EIO;
            sqlite3_finalize(u);
        }
        n++;
    }
    sqlite3_finalize(s);
    if (rc == 0 && exec1(st, S_COMMIT) == 0)
        return n;
    exec1(st, S_ROLLBACK);
    return WFPW_EIO;
}

static int64_t db_bytes(struct wfpw_sq *st)
{
    sqlite3_stmt *s;
    int64_t pages = 0, free_pages = 0, size = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT * FROM pragma_page_count(), pragma_freelist_count(),"
                                   " pragma_page_size()", -1, &s, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        pages = sqlite3_column_int64(s, 0);
        free_pages = sqlite3_column_int64(s, 1);
        size = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    return (pages - free_pages) * size;
}

static int sq_prune(struct wfpw_store *st_, int64_t now_ms, int64_t max_age_ms, int64_t max_bytes, int chunk)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    int deleted = 0, rc;
    int by_size = max_bytes > 0 && db_bytes(st) > max_bytes;
    if (max_age_ms <= 0 && !by_size)
        return 0;
    if (exec1(st, S_BEGIN) != 0)
        return WFPW_EIO;
    /* the oldest rows first (ids follow arrival order); by age, or a chunk when over size */
    if (sqlite3_prepare_v2(st->db,
                           "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ?1 OR received < ?2"
                           " ORDER BY id LIMIT ?3)", -1, &s, NULL) != SQLITE_OK) {
        exec1(st, S_ROLLBACK);
        return WFPW_EIO;
    }
    sqlite3_bind_int(s, 1, by_size);
    sqlite3_bind_int64(s, 2, max_age_ms > 0 ? now_ms - max_age_ms : INT64_MIN);
    sqlite3_bind_int(s, 3, chunk);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        deleted = sqlite3_changes(st->db);
    /* batch ids are kept as long as events (retries older than that are not expected) */
    if (rc == SQLITE_DONE && max_age_ms > 0 &&
        sqlite3_prepare_v2(st->db, "DELETE FROM batches WHERE received < ?1", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, now_ms - max_age_ms);
        rc = sqlite3_step(s);
        sqlite3_finalize(s);
    }
    if (rc == SQLITE_DONE && exec1(st, S_COMMIT) == 0)
        return deleted;
    exec1(st, S_ROLLBACK);
    return WFPW_EIO;
}

/* ---- outbox --------------------------------------------------------------------------------- */

static int sq_outbox_next(struct wfpw_store *st_, const char *target, int64_t now_ms,
                           struct wfpw_outbox_item *item)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s = S(st, S_OUTBOX_NEXT);
    struct wfpw_buf b;
    int rc;
    if (s == NULL)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, target, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now_ms);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? 0 : WFPW_EIO;
    }
    memset(item, 0, sizeof(*item));
    item->outbox_id = sqlite3_column_int64(s, 0);
    item->alert_id = sqlite3_column_int64(s, 1);
    item->attempts = sqlite3_column_int(s, 2);
    snprintf(item->target, sizeof(item->target), "%s", target);
    wfpw_buf_init(&b, 1 << 24);
    {
        struct wfpw__page one = {&b, 0, 0, 0}; /* the alert as a page item, alone */
        wfpw__page_item(&one, sqlite3_column_int64(s, 3), (const char *)sqlite3_column_text(s, 4), 0,
                        (const char *)sqlite3_column_text(s, 5));
    }
    sqlite3_reset(s);
    if (b.err) {
        rc = b.err; /* wfpw_buf_free clears it */
        wfpw_buf_free(&b);
        return rc;
    }
    item->json = wfpw_buf_detach(&b, NULL);
    return 1;
}

static int sq_outbox_done(struct wfpw_store *st_, const struct wfpw_outbox_item *it, int64_t now_ms)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s = S(st, S_OUTBOX_DONE);
    int rc;
    if (s == NULL)
        return WFPW_EIO;
    sqlite3_bind_int64(s, 1, it->outbox_id); /* one writer: no lease to check */
    sqlite3_bind_int64(s, 2, now_ms);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : WFPW_EIO;
}

static int sq_outbox_retry(struct wfpw_store *st_, const struct wfpw_outbox_item *it, int64_t next_ms,
                           const char *error)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s = S(st, S_OUTBOX_RETRY);
    int rc;
    if (s == NULL)
        return WFPW_EIO;
    sqlite3_bind_int64(s, 1, it->outbox_id);
    sqlite3_bind_int64(s, 2, next_ms);
    sqlite3_bind_text(s, 3, error, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : WFPW_EIO;
}

static int64_t sq_outbox_pending(struct wfpw_store *st_)
{
    struct wfpw_sq *st = (struct wfpw_sq *)st_;
    sqlite3_stmt *s;
    int64_t n = -1;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM outbox WHERE delivered IS NULL", -1, &s, NULL) != SQLITE_OK)
        return WFPW_EIO;
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

const struct wfpw_store_ops wfpw_store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .release = sq_release,
    .ingest = sq_ingest,
    .query = sq_query,
    .query_plan = sq_query_plan,
    .hosts = sq_hosts,
    .filters = sq_filters,
    .token_add = sq_token_add,
    .token_revoke = sq_token_revoke,
    .token_list = sq_token_list,
    .token_hashes = sq_token_hashes,
    .token_valid = sq_token_valid,
    .check_silent = sq_check_silent,
    .prune = sq_prune,
    .outbox_next = sq_outbox_next,
    .outbox_done = sq_outbox_done,
    .outbox_retry = sq_outbox_retry,
    .outbox_pending = sq_outbox_pending,
    .enroll_token_add = wfpw__sq_enroll_token_add,
    .enroll_token_revoke = wfpw__sq_enroll_token_revoke,
    .enroll_token_list = wfpw__sq_enroll_token_list,
    .issue = wfpw__sq_issue,
    .cert_revoke = wfpw__sq_cert_revoke,
    .revoked_serials = wfpw__sq_revoked_serials,
    .cert_list = wfpw__sq_cert_list,
    .cert_release = wfpw__sq_cert_release,
    .has_revocations = wfpw__sq_has_revocations,
};
