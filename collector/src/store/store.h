/*
 * store.h — the collector's store: one interface, two engines. The only code that knows a
 * schema is behind it: store/sqlite/ (embedded, the default: one collector, one file) and
 * store/postgres/ (libpq: any number of collectors on one database). The wfpw_store_*
 * functions below dispatch through the engine's operations (struct wfpw_store_ops, like a
 * source type in the agent); their contracts are the same on both engines.
 *
 * One wfpw_store is one database connection. The collector opens one for the store thread
 * (ingest, tokens, retention, silent hosts), one read-only for the API's reader thread and
 * one for the alert thread (outbox delivery). A store object is used by one thread at a time.
 *
 * Durability: a batch is acknowledged only after wfpw_store_ingest returned, which is after
 * COMMIT (SQLite: synchronous=FULL; PostgreSQL: its synchronous_commit, on by default): a
 * crash or power loss loses no acknowledged batch, and a batch is stored whole or not at all
 * (one SAVEPOINT per batch inside a group commit).
 */
#ifndef WFPW_STORE_H
#define WFPW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "wfpw/buf.h"
#include "wfpw/proto.h"

enum wfpw_store_kind { WFPW_STORE_SQLITE = 0, WFPW_STORE_POSTGRES = 1 };

struct wfpw_store_ops;
/* The base of every engine's store object (its first member). */
struct wfpw_store {
    const struct wfpw_store_ops *ops;
};

struct wfpw_store_opts {
    enum wfpw_store_kind kind;        /* SQLITE (default): DATADIR/wfpwatch.db; POSTGRES: dsn */
    const char *dsn;                  /* PostgreSQL: a libpq connection string or postgresql:// URI
                                         (may hold a password: never logged, never in an error) */
    const char *const *alert_targets; /* names of configured targets ("webhook", "syslog") */
    size_t ntargets;
    int synchronous_full;             /* 1: synchronous=FULL (default); 0: NORMAL */
    int readonly;                     /* 1: a reader beside the writer (the API's queries): opened
                                         read-only, never created or migrated (the writer did) */
};

/* Opens (creating and migrating) the store opts names (NULL: SQLite in datadir), datadir
 * being DATADIR/wfpwatch.db's folder for SQLite and unused for PostgreSQL. Migrations run
 * under a lock: collectors starting together migrate once. err gets a message on failure. */
int wfpw_store_open(const char *datadir, const struct wfpw_store_opts *opts, struct wfpw_store **out,
                    char *err, size_t errlen);
void wfpw_store_close(struct wfpw_store *st);
/* Ends what a job left open: resets every cached statement, so the connection holds no read
 * transaction between jobs (a reader would otherwise keep seeing an old snapshot). */
void wfpw_store_release(struct wfpw_store *st);
/* The schema version this build creates and migrates to (the engine's; they move together). */
int wfpw_store_schema_version(void);
/* "sqlite" or "postgres". */
const char *wfpw_store_engine(const struct wfpw_store *st);

/* One batch to ingest. Strings are borrowed for the call. */
struct wfpw_ingest {
    const struct wfpw_batch *batch;   /* the decoded, validated batch (events, agent object) */
    const char *const *event_json;    /* event i as the collector encoded it (canonical JSON, one
                                         line): what is stored and served, never the agent's bytes */
    const size_t *event_len;
    const char *host;                 /* the identity: the client certificate's CN */
    const char *cert_hostname;        /* the certificate's OU (the host name the CA certified), "" none */
    const char *cert_serial;          /* the certificate's serial (hex), "" none */
    int identity_mismatch;            /* the batch's agent id disagrees with the certificate */
    int hostname_mismatch;            /* the batch's agent.hostname disagrees with the certified one */
    int64_t now_ms;
    /* results */
    int rc;                           /* 0 or WFPW_E* for this batch */
    int duplicate;                    /* (host, batch_id) was stored before: nothing stored */
    size_t accepted;
    int superseded;                   /* older certificates of this agent revoked: its newer one is in use */
};

/* Store n batches in one transaction (each all-or-nothing). Returns 0 when the transaction
 * committed (per-batch results in items[i].rc), else WFPW_E* and nothing was stored. */
int wfpw_store_ingest(struct wfpw_store *st, struct wfpw_ingest *const *items, size_t n);

enum wfpw_query_kind { WFPW_Q_EVENTS, WFPW_Q_ALERTS };

struct wfpw_query {
    enum wfpw_query_kind kind;
    int64_t after;       /* cursor: id of the last item seen (0 = from the start) */
    int limit;           /* 1..10000 */
    const char *type;    /* NULL = any */
    const char *host;    /* NULL = any */
    int64_t since_ms;    /* -1 = unbounded; inclusive */
    int64_t until_ms;    /* -1 = unbounded; exclusive */
    int ndjson;          /* 1: one item per line, no envelope */
    /* filled by wfpw_store_query: */
    int64_t next;        /* the cursor to continue from */
    int more;            /* 1: a time-filtered page stopped at its scan budget before the end */
};

/* Items after the cursor in store order, as {"events"|"alerts":[...],"next_cursor":"N"} or
 * NDJSON. Each item carries "id" (its cursor) and "host". Every combination of type and host
 * is an index seek (each row examined is a row served); since/until are checked on the rows
 * of that seek within id windows of WFPW_QUERY_WINDOW, at most WFPW_QUERY_WINDOWS of them per
 * request: such a page may hold fewer items than asked (even none) and then ends with
 * "more":true and a next_cursor past every row examined. docs/api/events.md. */
#define WFPW_QUERY_WINDOW 16384
#define WFPW_QUERY_WINDOWS 2
extern int64_t wfpw_store_query_window; /* WFPW_QUERY_WINDOW; tests lower it */
int wfpw_store_query(struct wfpw_store *st, struct wfpw_query *q, struct wfpw_buf *out);
/* The query plan the engine chooses for q, one line per plan line, for tests: SQLite's EXPLAIN
 * QUERY PLAN details; PostgreSQL's EXPLAIN (with sequential scans, bitmap scans and sorts disabled,
 * so the plan shows whether an index serves q in id order at all, whatever the table's size). */
int wfpw_store_query_plan(struct wfpw_store *st, const struct wfpw_query *q, struct wfpw_buf *out);
/* {"hosts":[...]}: status is "silent" once wfpw_store_check_silent found the host quiet. */
int wfpw_store_hosts(struct wfpw_store *st, struct wfpw_buf *out);
/* {"host":...,"filters":[...]}; WFPW_ENOENT for an unknown host. */
int wfpw_store_filters(struct wfpw_store *st, const char *host, struct wfpw_buf *out);

/* API tokens: only SHA-256 hashes are stored. */
int wfpw_store_token_add(struct wfpw_store *st, const char *name, const char *hash_hex, int64_t now_ms);
int wfpw_store_token_revoke(struct wfpw_store *st, const char *name, int64_t now_ms);
int wfpw_store_token_list(struct wfpw_store *st, struct wfpw_buf *out);
/* The hashes (64 hex characters) of every unrevoked token, for the serving collector's
 * in-memory check; *hashes owned by the caller (wfpw_free), sorted. */
int wfpw_store_token_hashes(struct wfpw_store *st, char (**hashes)[65], size_t *n);
/* 0 when an unrevoked token has this hash, WFPW_EACCES when none has (revoked since the
 * serving collector's in-memory set was loaded), WFPW_EIO on a store error. One indexed read:
 * asked only for requests whose token the in-memory set already accepted. */
int wfpw_store_token_valid(struct wfpw_store *st, const char *hash_hex);

/* Hosts silent for silent_after_ms become "silent" with a silent_host alert (queued for
 * every target). Returns the number of hosts that went silent, or WFPW_E*. On PostgreSQL one
 * collector at a time does it (an advisory lock; the others return 0), as for prune. */
int wfpw_store_check_silent(struct wfpw_store *st, int64_t now_ms, int64_t silent_after_ms);

/* Retention: delete up to `chunk` of the oldest events (and their batch ids) older than
 * max_age_ms (0 = no age limit) or while the database exceeds max_bytes (0 = no limit; SQLite
 * only: PostgreSQL's database size does not shrink after deletes, so it ignores max_bytes).
 * Returns the number of rows deleted (0 when nothing is over the limits). */
int wfpw_store_prune(struct wfpw_store *st, int64_t now_ms, int64_t max_age_ms, int64_t max_bytes,
                     int chunk);

/* Alert outbox. */
struct wfpw_outbox_item {
    int64_t outbox_id;
    int64_t alert_id;
    int attempts;
    int64_t lease;       /* PostgreSQL: this lease's end, its token (done/retry apply only while the
                            item is still under it); SQLite: 0 */
    char target[32];
    char *json;          /* the alert as JSON (with id and host); owned, wfpw_free */
};
/* The next undelivered item for target whose retry time has come; 1 found, 0 none, <0 err.
 * The item is leased for WFPW_OUTBOX_LEASE_MS: until outbox_done/outbox_retry or the lease's
 * end no other collector on the same store gets it (PostgreSQL: FOR UPDATE SKIP LOCKED; a
 * collector that dies mid-delivery leaves a lease that expires, and the item is sent again).
 * Longer than the slowest delivery may take (alerts.webhook.timeout_ms is at most 600 s): a
 * delivery still running never loses its item to another collector. done/retry of an item
 * whose lease has passed to another collector change nothing (it is that one's now). */
#define WFPW_OUTBOX_LEASE_MS 660000
int wfpw_store_outbox_next(struct wfpw_store *st, const char *target, int64_t now_ms,
                           struct wfpw_outbox_item *item);
int wfpw_store_outbox_done(struct wfpw_store *st, const struct wfpw_outbox_item *it, int64_t now_ms);
int wfpw_store_outbox_retry(struct wfpw_store *st, const struct wfpw_outbox_item *it, int64_t next_ms,
                            const char *error);
/* Number of undelivered outbox items (all targets). */
int64_t wfpw_store_outbox_pending(struct wfpw_store *st);

/* ---- enrollment (store_certs.c) ------------------------------------------------------------- */

/* Enrollment tokens: only SHA-256 hashes are stored; a token's id is the first 12 hex
 * characters of its hash. expires_ms 0 = never; max_uses 0 = unlimited. */
int wfpw_store_enroll_token_add(struct wfpw_store *st, const char *hash_hex, const char *name, int64_t expires_ms,
                                int64_t max_uses, int64_t now_ms);
/* By id or name; WFPW_ENOENT when no unrevoked token matches. */
int wfpw_store_enroll_token_revoke(struct wfpw_store *st, const char *id_or_name, int64_t now_ms);
int wfpw_store_enroll_token_list(struct wfpw_store *st, int64_t now_ms, struct wfpw_buf *out);

enum wfpw_issue_kind { WFPW_ISSUE_ENROLL, WFPW_ISSUE_RENEW };
enum wfpw_issue_result {
    WFPW_ISSUED,          /* a new certificate */
    WFPW_REISSUED,        /* the same request was answered before: its certificate again */
    WFPW_BAD_TOKEN,       /* unknown, revoked, expired or used up (why says which) */
    WFPW_AGENT_REVOKED,
    WFPW_CONFLICT         /* the key or the agent id is taken (why says which) */
};

/* Signs inside the store's transaction: fills pem, serial and validity; 0 or WFPW_E*. */
typedef int (*wfpw_issue_sign_fn)(void *ctx, const char *agent_id, const char *hostname, int64_t now_ms,
                                  char serial[33], int64_t *not_before_ms, int64_t *not_after_ms,
                                  char *pem, size_t pemlen);

struct wfpw_issue {
    enum wfpw_issue_kind kind;
    const char *token_hash;       /* enroll */
    const char *agent_id;         /* enroll: from the request; renew: the certificate's CN */
    const char *hostname;         /* "" = keep (renew) or none */
    const char *key_id;           /* SHA-256 of the requested public key */
    const char *proof_serial;     /* enroll: serial (hex) of an earlier certificate of agent_id whose key
                                     signed this request (checked by the caller), or NULL */
    int64_t now_ms;
    wfpw_issue_sign_fn sign;
    void *sign_ctx;
    /* results */
    enum wfpw_issue_result result;
    char why[160];
    char serial[33];
    int64_t not_after_ms;
    char pem[4096];
};

/* Check and record one enrollment or renewal in one transaction; the certificate is signed
 * (is->sign) only when everything checks out, and a failure stores nothing. Returns 0 (see
 * is->result) or WFPW_E* for a store or signing failure. */
int wfpw_store_issue(struct wfpw_store *st, struct wfpw_issue *is);

/* Revoke every certificate of agent_id (plus extra_serial, a certificate issued outside the
 * store, may be NULL) and mark the agent and its host revoked. *count: certificates revoked
 * now. WFPW_ENOENT (nothing changed) when no certificate of the agent is known. */
int wfpw_store_cert_revoke(struct wfpw_store *st, const char *agent_id, const char *extra_serial,
                           int64_t now_ms, int *count);
/* Every revoked serial with its revocation time (for the CRL); arrays owned by the caller
 * (wfpw_free each serial and both arrays). */
int wfpw_store_revoked_serials(struct wfpw_store *st, char ***serials, int64_t **when, size_t *n);
/* One line per certificate the store issued or revoked. */
int wfpw_store_cert_list(struct wfpw_store *st, struct wfpw_buf *out);
/* Let agent_id enroll once more with a new key although it had certificates (an operator
 * decision: the agent lost its key). WFPW_ENOENT when the store knows no certificate of it. */
int wfpw_store_cert_release(struct wfpw_store *st, const char *agent_id, int64_t now_ms);
/* Whether any certificate is revoked (the revocation list must then be in force). */
int wfpw_store_has_revocations(struct wfpw_store *st, int *yes);

/* ---- moving a store ----------------------------------------------------------------------- */

/* Copy the SQLite store from into the empty PostgreSQL store to (migrate.c): every table, ids
 * preserved (SIEM cursors keep working), in one transaction on the destination; the identity
 * sequences continue above the copied ids; each table's rows are counted on both sides. Rows
 * per table into count[0..ncount) (at most WFPW_MIGRATE_TABLES). WFPW_EEXIST when the
 * destination has rows. */
#define WFPW_MIGRATE_TABLES 11
struct wfpw_migrate_count {
    const char *table;
    int64_t rows;
};
int wfpw_store_migrate(struct wfpw_store *from, struct wfpw_store *to, struct wfpw_migrate_count *count,
                       size_t ncount, char *err, size_t errlen);

/* ---- the engines -------------------------------------------------------------------------- */

/* One engine: every operation of this header, same contract, st being the engine's object. */
struct wfpw_store_ops {
    const char *name;
    int (*open)(const char *datadir, const struct wfpw_store_opts *opts, struct wfpw_store **out, char *err,
                size_t errlen);
    void (*close)(struct wfpw_store *st);
    void (*release)(struct wfpw_store *st);
    int (*ingest)(struct wfpw_store *st, struct wfpw_ingest *const *items, size_t n);
    int (*query)(struct wfpw_store *st, struct wfpw_query *q, struct wfpw_buf *out);
    int (*query_plan)(struct wfpw_store *st, const struct wfpw_query *q, struct wfpw_buf *out);
    int (*hosts)(struct wfpw_store *st, struct wfpw_buf *out);
    int (*filters)(struct wfpw_store *st, const char *host, struct wfpw_buf *out);
    int (*token_add)(struct wfpw_store *st, const char *name, const char *hash_hex, int64_t now_ms);
    int (*token_revoke)(struct wfpw_store *st, const char *name, int64_t now_ms);
    int (*token_list)(struct wfpw_store *st, struct wfpw_buf *out);
    int (*token_hashes)(struct wfpw_store *st, char (**hashes)[65], size_t *n);
    int (*token_valid)(struct wfpw_store *st, const char *hash_hex);
    int (*check_silent)(struct wfpw_store *st, int64_t now_ms, int64_t silent_after_ms);
    int (*prune)(struct wfpw_store *st, int64_t now_ms, int64_t max_age_ms, int64_t max_bytes, int chunk);
    int (*outbox_next)(struct wfpw_store *st, const char *target, int64_t now_ms, struct wfpw_outbox_item *item);
    int (*outbox_done)(struct wfpw_store *st, const struct wfpw_outbox_item *it, int64_t now_ms);
    int (*outbox_retry)(struct wfpw_store *st, const struct wfpw_outbox_item *it, int64_t next_ms, const char *error);
    int64_t (*outbox_pending)(struct wfpw_store *st);
    int (*enroll_token_add)(struct wfpw_store *st, const char *hash_hex, const char *name, int64_t expires_ms,
                            int64_t max_uses, int64_t now_ms);
    int (*enroll_token_revoke)(struct wfpw_store *st, const char *id_or_name, int64_t now_ms);
    int (*enroll_token_list)(struct wfpw_store *st, int64_t now_ms, struct wfpw_buf *out);
    int (*issue)(struct wfpw_store *st, struct wfpw_issue *is);
    int (*cert_revoke)(struct wfpw_store *st, const char *agent_id, const char *extra_serial, int64_t now_ms,
                       int *count);
    int (*revoked_serials)(struct wfpw_store *st, char ***serials, int64_t **when, size_t *n);
    int (*cert_list)(struct wfpw_store *st, struct wfpw_buf *out);
    int (*cert_release)(struct wfpw_store *st, const char *agent_id, int64_t now_ms);
    int (*has_revocations)(struct wfpw_store *st, int *yes);
};

extern const struct wfpw_store_ops wfpw_store_sqlite_ops;
extern const struct wfpw_store_ops wfpw_store_postgres_ops;

#endif
