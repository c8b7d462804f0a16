/*
 * test-store.c — the store (both engines: store_X on SQLite, store_pg_X on PostgreSQL, the
 * same body) and storeq.c in-process: ingest with deduplication, cursor paging, inventory,
 * retention by age and by size, silent hosts, tokens, query plans, the PostgreSQL schema
 * upgrade, and the bounded store queue refusing work when full (the 429 path).
 */
#include <stdlib.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "../../proto/samples.h"
#include "../../runner.h"
#include "../testdir.h"
#include "../teststore.h"
#include "store/postgres/pg_int.h"
#include "store/store.h"
#include "store/storeq.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define DAY 86400000LL

/* What batches.c does before a batch reaches the store: every event in the collector's
 * canonical encoding. Owned by enc; wfpw_buf_free(&enc->buf) after the ingest. */
struct enc {
    struct wfpw_buf buf;
    const char **json;
    size_t *len;
};

static void encode(struct wfpw_ingest *in, const struct wfpw_batch *b, struct enc *e)
{
    const cJSON *ev;
    size_t n = wfpw_batch_count(b), i = 0, *start = wfpw_calloc(n, sizeof(size_t));
    wfpw_buf_init(&e->buf, 1 << 26);
    e->json = wfpw_calloc(n, sizeof(*e->json));
    e->len = wfpw_calloc(n, sizeof(*e->len));
    ASSERT(start && e->json && e->len);
    for (ev = wfpw_batch_events(b)->child; ev; ev = ev->next, i++) {
        start[i] = e->buf.len;
        wfpw_json_write(ev, &e->buf);
        e->len[i] = e->buf.len - start[i];
    }
    ASSERT(e->buf.err == 0);
    while (i-- > 0)
        e->json[i] = e->buf.data + start[i];
    wfpw_free(start);
    in->event_json = e->json;
    in->event_len = e->len;
}

static void enc_free(struct enc *e)
{
    wfpw_buf_free(&e->buf);
    wfpw_free(e->json);
    wfpw_free(e->len);
}

static int ingest_n(struct wfpw_store *st, const char *host, size_t n, uint64_t seq0, int64_t now, int *dup)
{
    static unsigned counter;
    char id[40];
    struct wfpw_batch *b;
    struct wfpw_ingest in, *items[1] = {&in};
    struct enc e;
    size_t i;
    int rc;
    snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012x", ++counter);
    b = wfpw_batch_new(wfpw_sample_agent(), id, 1763781401250LL);
    for (i = 0; i < n; i++)
        ASSERT(wfpw_batch_add(b, wfpw_sample_event("agent_status", seq0 + i), NULL) == 0);
    memset(&in, 0, sizeof(in));
    in.batch = b, in.host = host, in.now_ms = now;
    encode(&in, b, &e);
    rc = wfpw_store_ingest(st, items, 1);
    enc_free(&e);
    if (dup)
        *dup = in.duplicate;
    ASSERT(rc != 0 || in.rc == 0);
    wfpw_batch_free(b);
    return rc;
}

static int count_events(struct wfpw_store *st)
{
    struct wfpw_query q = {WFPW_Q_EVENTS, 0, 10000, NULL, NULL, -1, -1, 1, 0, 0};
    struct wfpw_buf out;
    int n = 0;
    size_t i;
    wfpw_buf_init(&out, 64u << 20);
    ASSERT(wfpw_store_query(st, &q, &out) == 0);
    for (i = 0; i < out.len; i++)
        n += out.data[i] == '\n';
    wfpw_buf_free(&out);
    return n;
}

static int store_ingest_dedup_paging_on(void)
{
    char *dir = wfpw_ctest_tempdir();
    struct wfpw_store *st;
    struct wfpw_batch *b = wfpw_sample_batch(NULL);
    struct wfpw_ingest in, *items[1] = {&in};
    struct wfpw_query q = {WFPW_Q_EVENTS, 0, 3, NULL, NULL, -1, -1, 0, 0, 0};
    struct wfpw_buf out;
    struct enc e;
    st = wfpw_ctest_store_open(dir, NULL);
    memset(&in, 0, sizeof(in));
    in.batch = b, in.host = "WS-FIN-0042", in.now_ms = 1763781401250LL;
    encode(&in, b, &e);
    ASSERT(wfpw_store_ingest(st, items, 1) == 0);
    ASSERT_EQ(in.rc, 0);
    ASSERT_EQ(in.accepted, 8);
    ASSERT_EQ(in.duplicate, 0);
    ASSERT(wfpw_store_ingest(st, items, 1) == 0); /* the same batch id again */
    ASSERT_EQ(in.duplicate, 1);
    ASSERT_EQ(in.accepted, 0);
    ASSERT_EQ(count_events(st), 8);
    /* duplicates are per host: another agent reusing the id does not shadow this one's batch,
     * nor is its own batch lost */
    in.host = "WS-OTHER";
    ASSERT(wfpw_store_ingest(st, items, 1) == 0);
    ASSERT_EQ(in.duplicate, 0);
    ASSERT_EQ(in.accepted, 8);
    ASSERT_EQ(count_events(st), 16);
    in.host = "WS-FIN-0042";
    enc_free(&e);
    wfpw_buf_init(&out, 1 << 24);
    ASSERT(wfpw_store_query(st, &q, &out) == 0);
    ASSERT(strstr(out.data, "\"next_cursor\":\"3\"") != NULL);
    {
        static const char head[] = "{\"events\":[{\"id\":1,\"host\":\"WS-FIN-0042\",\"seq\":1,";
        ASSERT(strncmp(out.data, head, sizeof(head) - 1) == 0);
    }
    wfpw_buf_reset(&out);
    q.after = 6;
    q.host = "WS-FIN-0042";
    ASSERT(wfpw_store_query(st, &q, &out) == 0);
    ASSERT(strstr(out.data, "\"next_cursor\":\"8\"") != NULL);
    wfpw_buf_reset(&out);
    q.after = 8;                                   /* past the end: cursor stays */
    ASSERT(wfpw_store_query(st, &q, &out) == 0);
    ASSERT_STR_EQ(out.data, "{\"events\":[],\"next_cursor\":\"8\"}");
    q.host = NULL;
    wfpw_buf_reset(&out);
    ASSERT(wfpw_store_filters(st, "WS-FIN-0042", &out) == 0);
    ASSERT(strstr(out.data, "\"name\":\"Custom Outbound Filter\"") != NULL);
    wfpw_buf_reset(&out);
    ASSERT(wfpw_store_filters(st, "nobody", &out) == WFPW_ENOENT);
    wfpw_buf_free(&out);
    wfpw_batch_free(b);
    wfpw_store_close(st);
    wfpw_ctest_rmdir(dir);
    return 0;
}

static int store_retention_age_and_size_on(void)
{
    char *dir = wfpw_ctest_tempdir();
    struct wfpw_store *st;
    int64_t now = 1763781401250LL, n;
    int i;
    st = wfpw_ctest_store_open(dir, NULL);
    for (i = 0; i < 5; i++)
        ASSERT(ingest_n(st, "old", 100, (uint64_t)i * 100 + 1, now - 100 * DAY, NULL) == 0);
    for (i = 0; i < 5; i++)
        ASSERT(ingest_n(st, "new", 100, (uint64_t)i * 100 + 1, now - DAY, NULL) == 0);
    ASSERT_EQ(count_events(st), 1000);
    /* nothing over either limit: nothing deleted */
    ASSERT_EQ(wfpw_store_prune(st, now, 0, 0, 2000), 0);
    /* by age (90 days), in chunks */
    n = 0;
    while ((i = wfpw_store_prune(st, now, 90 * DAY, 0, 120)) > 0)
        n += i;
    ASSERT(i == 0);
    ASSERT_EQ(n, 500);
    ASSERT_EQ(count_events(st), 500);
    /* by size: a limit far below the database size deletes oldest-first, chunk by chunk (SQLite);
     * PostgreSQL does not offer it (its size does not shrink: it would delete everything) */
    if (wfpw_ctest_engine == WFPW_STORE_POSTGRES) {
        ASSERT_EQ(wfpw_store_prune(st, now, 0, 4096, 200), 0);
        ASSERT_EQ(count_events(st), 500);
    } else {
        ASSERT_EQ(wfpw_store_prune(st, now, 0, 4096, 200), 200);
        ASSERT_EQ(count_events(st), 300);
    }
    wfpw_store_close(st);
    wfpw_ctest_rmdir(dir);
    return 0;
}

static int store_silent_hosts_and_tokens_on(void)
{
    char *dir = wfpw_ctest_tempdir();
    const char *targets[] = {"webhook"};
    struct wfpw_store_opts opts = {.alert_targets = targets, .ntargets = 1, .synchronous_full = 1};
    struct wfpw_store *st;
    struct wfpw_outbox_item it;
    struct wfpw_buf out;
    int64_t t = 1763781401250LL;
    st = wfpw_ctest_store_open(dir, &opts);
    ASSERT(ingest_n(st, "h1", 1, 1, t, NULL) == 0);
    ASSERT_EQ(wfpw_store_check_silent(st, t + 599000, 600000), 0);
    ASSERT_EQ(wfpw_store_check_silent(st, t + 601000, 600000), 1);
    ASSERT_EQ(wfpw_store_check_silent(st, t + 700000, 600000), 0); /* reported once */
    wfpw_buf_init(&out, 1 << 20);
    {   /* the check's alert is in a time-filtered page at once: its id is below the window's end
         * (PostgreSQL: the check moved wfpw_top, with no ingest after it) */
        struct wfpw_query q = {WFPW_Q_ALERTS, 0, 10, NULL, NULL, 0, -1, 0, 0, 0};
        ASSERT(wfpw_store_query(st, &q, &out) == 0);
        ASSERT(strstr(out.data, "\"rule\":\"silent_host\"") != NULL);
        wfpw_buf_reset(&out);
    }
    ASSERT(wfpw_store_hosts(st, &out) == 0);
    ASSERT(strstr(out.data, "\"status\":\"silent\"") != NULL);
    ASSERT(ingest_n(st, "h1", 1, 2, t + 800000, NULL) == 0);     /* back */
    wfpw_buf_reset(&out);
    ASSERT(wfpw_store_hosts(st, &out) == 0);
    ASSERT(strstr(out.data, "\"status\":\"ok\"") != NULL);
    /* both alerts wait in the outbox for the webhook, in order */
    ASSERT_EQ(wfpw_store_outbox_pending(st), 2);
    ASSERT_EQ(wfpw_store_outbox_next(st, "webhook", t + 900000, &it), 1);
    ASSERT(strstr(it.json, "\"rule\":\"silent_host\"") != NULL);
    ASSERT(wfpw_store_outbox_retry(st, &it, t + 2000000, "down") == 0);
    wfpw_free(it.json);
    ASSERT_EQ(wfpw_store_outbox_next(st, "webhook", t + 900000, &it), 1); /* the other one */
    ASSERT(strstr(it.json, "\"rule\":\"host_back\"") != NULL);
    ASSERT(wfpw_store_outbox_done(st, &it, t) == 0);
    wfpw_free(it.json);
    ASSERT_EQ(wfpw_store_outbox_next(st, "webhook", t + 900000, &it), 0); /* retry not due */
    ASSERT_EQ(wfpw_store_outbox_pending(st), 1);
    if (wfpw_ctest_engine == WFPW_STORE_POSTGRES) {
        /* several collectors: a leased item is nobody else's until its lease ends; then it is
         * leased again, and the first holder's late answer changes nothing */
        struct wfpw_outbox_item late, again, none;
        int64_t due = t + 2000000;
        ASSERT_EQ(wfpw_store_outbox_next(st, "webhook", due, &late), 1);
        ASSERT_EQ(wfpw_store_outbox_next(st, "webhook", due + 1000, &none), 0);            /* held */
        ASSERT_EQ(wfpw_store_outbox_next(st, "webhook", due + WFPW_OUTBOX_LEASE_MS, &again), 1); /* lease over */
        ASSERT_EQ(again.outbox_id, late.outbox_id);
        ASSERT(wfpw_store_outbox_done(st, &late, due + WFPW_OUTBOX_LEASE_MS) == 0);  /* no longer its */
        ASSERT_EQ(wfpw_store_outbox_pending(st), 1);
        ASSERT(wfpw_store_outbox_retry(st, &late, due, "late") == 0);                /* nor this: */
        ASSERT_EQ(wfpw_store_outbox_next(st, "webhook", due + WFPW_OUTBOX_LEASE_MS + 1, &none), 0); /* still held */
        ASSERT(wfpw_store_outbox_done(st, &again, due + WFPW_OUTBOX_LEASE_MS) == 0); /* the holder's */
        ASSERT_EQ(wfpw_store_outbox_pending(st), 0);
        wfpw_free(late.json);
        wfpw_free(again.json);
    }
    /* tokens */
    ASSERT(wfpw_store_token_add(st, "siem", "ab", t) == 0);
    ASSERT(wfpw_store_token_add(st, "siem", "cd", t) == WFPW_EEXIST);
    {
        char(*h)[65];
        size_t n;
        static const char ab[] = "abababababababababababababababababababababababababababababababab";
        ASSERT(wfpw_store_token_add(st, "other", ab, t) == 0);
        ASSERT(wfpw_store_token_hashes(st, &h, &n) == 0);
        ASSERT_EQ(n, 1); /* "ab" is no SHA-256 hex: never a token */
        ASSERT(strcmp(h[0], ab) == 0);
        wfpw_free(h);
        ASSERT(wfpw_store_token_revoke(st, "other", t) == 0);
        ASSERT(wfpw_store_token_hashes(st, &h, &n) == 0);
        ASSERT_EQ(n, 0);
        wfpw_free(h);
    }
    ASSERT(wfpw_store_token_revoke(st, "siem", t) == 0);
    ASSERT(wfpw_store_token_revoke(st, "siem", t) == WFPW_ENOENT);
    wfpw_buf_free(&out);
    wfpw_store_close(st);
    wfpw_ctest_rmdir(dir);
    return 0;
}

/* ---- the bounded store queue ------------------------------------------------------------------ */

static uv_sem_t gate;
static int done_count;

static void blocking_run(struct wfpw_store *st, struct wfpw_sjob *j)
{
    (void)st;
    (void)j;
    uv_sem_wait(&gate); /* holds the store thread until the test opens the gate */
}

static void count_done(struct wfpw_sjob *j)
{
    (void)j;
    done_count++;
}

static int stopped;
static void on_stopped(void)
{
    stopped = 1;
}

TEST_IMPL(storeq_full_refuses)
{
    char *dir = wfpw_ctest_tempdir();
    struct wfpw_store *st;
    struct wfpw_sjob a, b, c, d, e;
    uv_loop_t loop;
    st = wfpw_ctest_store_open(dir, NULL);
    ASSERT(uv_loop_init(&loop) == 0);
    ASSERT(uv_sem_init(&gate, 0) == 0);
    memset(&a, 0, sizeof(a));
    a.run = blocking_run, a.done = count_done;
    b = c = d = a;
    e = a;
    /* two places, one kept for ingest */
    ASSERT(wfpw_storeq_start(&loop, st, 2, 1) == 0);
    ASSERT(wfpw_storeq_submit(&a, WFPW_SQ_API) == 0);
    while (wfpw_storeq_depth() != 0) /* the thread took a and is blocked in it */
        uv_sleep(1);
    ASSERT(wfpw_storeq_submit(&b, WFPW_SQ_API) == 0);             /* one waiting: the readers' bound */
    ASSERT(wfpw_storeq_submit(&c, WFPW_SQ_API) == WFPW_EAGAIN);   /* readers are refused (429) ... */
    ASSERT(wfpw_storeq_submit(&c, WFPW_SQ_INGEST) == 0);          /* ... the kept place is for agents */
    ASSERT(wfpw_storeq_submit(&e, WFPW_SQ_INGEST) == WFPW_EAGAIN);/* full: the route answers 429 */
    ASSERT(wfpw_storeq_submit(&d, WFPW_SQ_FORCE) == 0);           /* maintenance may exceed it */
    uv_sem_post(&gate);
    uv_sem_post(&gate);
    uv_sem_post(&gate);
    uv_sem_post(&gate);
    while (done_count < 4)
        uv_run(&loop, UV_RUN_ONCE);
    ASSERT_EQ(done_count, 4);
    wfpw_storeq_stop(on_stopped);
    ASSERT(wfpw_storeq_submit(&e, WFPW_SQ_INGEST) == WFPW_ECLOSED);
    while (!stopped)
        uv_run(&loop, UV_RUN_ONCE);
    ASSERT(uv_loop_close(&loop) == 0);
    uv_sem_destroy(&gate);
    wfpw_store_close(st);
    wfpw_ctest_rmdir(dir);
    return 0;
}

/* Every combination of the REST filters is an index seek in id order (no table scan, no sort),
 * for events and alerts; EXPLAIN QUERY PLAN as SQLite chooses it on an empty and on a filled
 * store. */
static int store_query_plans_on(void)
{
    char *dir = wfpw_ctest_tempdir();
    struct wfpw_store *st;
    struct wfpw_buf plan;
    int kind, mask, round;
    st = wfpw_ctest_store_open(dir, NULL);
    wfpw_buf_init(&plan, 1 << 16);
    for (round = 0; round < 2; round++) {
        if (round == 1) /* filled: 3 hosts */
            for (mask = 0; mask < 3; mask++)
                ASSERT(ingest_n(st, mask == 0 ? "a" : mask == 1 ? "b" : "c", 200, 1, 1763781401250LL, NULL) == 0);
        for (kind = 0; kind < 2; kind++)
            for (mask = 0; mask < 32; mask++) {
                struct wfpw_query q = {kind ? WFPW_Q_ALERTS : WFPW_Q_EVENTS, 0, 100, NULL, NULL, -1, -1, 0, 0, 0};
                const char *want;
                char name[64];
                q.type = mask & 1 ? (kind ? "edr-app-block" : "alert") : NULL;
                q.host = mask & 2 ? "nope" : NULL;
                q.since_ms = mask & 4 ? 1000 : -1;
                q.until_ms = mask & 8 ? 2000000000000LL : -1;
                q.after = mask & 16 ? 12345 : 0;
                wfpw_buf_reset(&plan);
                ASSERT(wfpw_store_query_plan(st, &q, &plan) == 0);
                snprintf(name, sizeof(name), "%s_%s", kind ? "alerts" : "events",
                         q.type && q.host ? (kind ? "host_rule" : "host_type") : q.host ? "host"
                                          : q.type ? (kind ? "rule" : "type") : "");
                if (wfpw_ctest_engine == WFPW_STORE_POSTGRES) {
                    /* EXPLAIN with sequential scans off: an index of this combination serves it in
                     * id order (no sort), the cursor bounding the index's last column */
                    char pkey[32];
                    snprintf(pkey, sizeof(pkey), "%s_pkey", kind ? "alerts" : "events");
                    want = q.type || q.host ? name : pkey;
                    if (strstr(plan.data, want) == NULL || strstr(plan.data, "Seq Scan") != NULL ||
                        strstr(plan.data, "Sort") != NULL || strstr(plan.data, "Index") == NULL ||
                        strstr(plan.data, "id > ") == NULL) {
                        fprintf(stderr, "kind %d mask %d: plan '%s', want an index scan on %s\n", kind, mask,
                                plan.data, want);
                        ASSERT(0);
                    }
                    continue;
                }
                want = q.type || q.host ? name : "INTEGER PRIMARY KEY";
                if (strstr(plan.data, want) == NULL || strstr(plan.data, "SCAN") != NULL ||
                    strstr(plan.data, "TEMP B-TREE") != NULL || strncmp(plan.data, "SEARCH", 6) != 0) {
                    fprintf(stderr, "kind %d mask %d: plan '%s', want a SEARCH using %s\n", kind, mask, plan.data, want);
                    ASSERT(0);
                }
                /* the seek is bounded by the cursor (and the window) on the index's last column */
                ASSERT(strstr(plan.data, "id>?") != NULL); /* rowid>? on the primary key */
            }
    }
    wfpw_buf_free(&plan);
    wfpw_store_close(st);
    wfpw_ctest_rmdir(dir);
    return 0;
}

/* A time filter examines at most WINDOWS windows of ids per request: pages may come short or
 * empty with "more", the cursor moves past what was examined, and paging to the end still
 * returns every match exactly once. */
static int store_query_time_windows_on(void)
{
    char *dir = wfpw_ctest_tempdir();
    struct wfpw_store *st;
    struct wfpw_buf out;
    struct wfpw_query q = {WFPW_Q_EVENTS, 0, 10, NULL, "a", -1, -1, 0, 0, 0};
    int64_t saved = wfpw_store_query_window;
    int seen[121] = {0}, pages = 0, i;
    st = wfpw_ctest_store_open(dir, NULL);
    ASSERT(ingest_n(st, "a", 40, 1, 1763781401250LL, NULL) == 0);   /* ids 1..40 */
    ASSERT(ingest_n(st, "b", 40, 1, 1763781401250LL, NULL) == 0);   /* 41..80 */
    ASSERT(ingest_n(st, "a", 40, 41, 1763781401250LL, NULL) == 0);  /* 81..120 */
    wfpw_store_query_window = 4;
    wfpw_buf_init(&out, 1 << 20);
    /* nothing matches (since far in the future): WINDOWS windows of 4 ids a page, then the end */
    q.since_ms = 4000000000000LL;
    ASSERT(wfpw_store_query(st, &q, &out) == 0);
    {
        char want[96];
        snprintf(want, sizeof(want), "{\"events\":[],\"next_cursor\":\"%d\",\"more\":true}", 4 * WFPW_QUERY_WINDOWS);
        ASSERT_STR_EQ(out.data, want);
        ASSERT_EQ(q.next, 4 * WFPW_QUERY_WINDOWS);
    }
    q.after = 112;
    wfpw_buf_reset(&out);
    ASSERT(wfpw_store_query(st, &q, &out) == 0);
    ASSERT_STR_EQ(out.data, "{\"events\":[],\"next_cursor\":\"120\"}");  /* caught up: no more */
    ASSERT_EQ(q.more, 0);
    /* everything matches: host a's 80 events, pages of up to 10, each exactly once */
    q.since_ms = 0, q.after = 0, q.ndjson = 1;
    do {
        const char *p;
        wfpw_buf_reset(&out);
        ASSERT(wfpw_store_query(st, &q, &out) == 0);
        ASSERT(q.next >= q.after);
        for (p = out.data; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
            int id = atoi(p + 6);  /* {"id":N, */
            ASSERT(strncmp(p, "{\"id\":", 6) == 0 && id >= 1 && id <= 120);
            ASSERT(strstr(p, "\"host\":\"a\"") == p + strcspn(p, ",") + 1);
            seen[id]++;
        }
        ASSERT(pages++ < 100);
        if (out.len == 0 && !q.more)
            break;
        q.after = q.next;
    } while (1);
    for (i = 1; i <= 120; i++)
        ASSERT_EQ(seen[i], i <= 40 || i > 80 ? 1 : 0);
    wfpw_store_query_window = saved;
    wfpw_buf_free(&out);
    wfpw_store_close(st);
    wfpw_ctest_rmdir(dir);
    return 0;
}

/* A database of schema 1 (before wfpw_top) with rows in it: the next open migrates it, and
 * time-filtered pages end at the last ids committed before, events and alerts. */
TEST_IMPL(store_pg_schema_upgrade)
{
    char *dir = wfpw_ctest_tempdir();
    struct wfpw_store_opts o = {0};
    struct wfpw_store *st;
    struct wfpw_buf out;
    struct wfpw_query q = {WFPW_Q_EVENTS, 0, 100, NULL, NULL, 0, -1, 0, 0, 0};
    char err[512] = "";
    PGconn *c;
    PGresult *r;
    int64_t t = 1763781401250LL;
    wfpw_ctest_engine = WFPW_STORE_POSTGRES;
    st = wfpw_ctest_store_open(dir, NULL);
    ASSERT(ingest_n(st, "a", 30, 1, t, NULL) == 0);
    ASSERT_EQ(wfpw_store_check_silent(st, t + 601000, 600000), 1); /* alert 1 */
    wfpw_store_close(st);
    c = PQconnectdb(wfpw_ctest_store_dsn());
    ASSERT(PQstatus(c) == CONNECTION_OK);
    r = PQexec(c, "DROP TABLE wfpw_top; UPDATE wfpw_schema SET version = 1");
    ASSERT(PQresultStatus(r) == PGRES_COMMAND_OK);
    PQclear(r);
    o.kind = WFPW_STORE_POSTGRES;
    o.dsn = wfpw_ctest_store_dsn();
    ASSERT(wfpw_store_open(dir, &o, &st, err, sizeof(err)) == 0);
    r = PQexec(c, "SELECT version, (SELECT events FROM wfpw_top), (SELECT alerts FROM wfpw_top) FROM wfpw_schema");
    ASSERT(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1);
    ASSERT_STR_EQ(PQgetvalue(r, 0, 0), "2");
    ASSERT_STR_EQ(PQgetvalue(r, 0, 1), "30");
    ASSERT_STR_EQ(PQgetvalue(r, 0, 2), "1");
    PQclear(r);
    PQfinish(c);
    wfpw_buf_init(&out, 1 << 20);
    ASSERT(wfpw_store_query(st, &q, &out) == 0);
    ASSERT_EQ(q.next, 30);
    ASSERT(strstr(out.data, "{\"id\":30,") != NULL);
    wfpw_buf_reset(&out);
    q.kind = WFPW_Q_ALERTS;
    ASSERT(wfpw_store_query(st, &q, &out) == 0);
    ASSERT(strstr(out.data, "\"rule\":\"silent_host\"") != NULL);
    /* and ingest moves it on */
    ASSERT(ingest_n(st, "a", 5, 31, t + 700000, NULL) == 0);
    wfpw_buf_reset(&out);
    q.kind = WFPW_Q_EVENTS, q.after = 30;
    ASSERT(wfpw_store_query(st, &q, &out) == 0);
    ASSERT_EQ(q.next, 35);
    wfpw_buf_free(&out);
    wfpw_store_close(st);
    wfpw_ctest_rmdir(dir);
    return 0;
}

/* The PostgreSQL engine's integer text (parameters of every statement): the extremes. */
TEST_IMPL(store_pg_i64s)
{
    static const struct {
        int64_t v;
        const char *want;
    } cases[] = {{0, "0"}, {7, "7"}, {-7, "-7"}, {1763781401250LL, "1763781401250"},
                 {INT64_MAX, "9223372036854775807"}, {INT64_MIN, "-9223372036854775808"}};
    char out[WFPW_PG_I64LEN];
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ASSERT_STR_EQ(wfpw__pg_i64s(out, cases[i].v), cases[i].want);
    return 0;
}

/* each on both engines (teststore.h) */
TEST_IMPL(store_ingest_dedup_paging)
{
    wfpw_ctest_engine = WFPW_STORE_SQLITE;
    return store_ingest_dedup_paging_on();
}

TEST_IMPL(store_pg_ingest_dedup_paging)
{
    wfpw_ctest_engine = WFPW_STORE_POSTGRES;
    return store_ingest_dedup_paging_on();
}

TEST_IMPL(store_query_plans)
{
    wfpw_ctest_engine = WFPW_STORE_SQLITE;
    return store_query_plans_on();
}

TEST_IMPL(store_pg_query_plans)
{
    wfpw_ctest_engine = WFPW_STORE_POSTGRES;
    return store_query_plans_on();
}

TEST_IMPL(store_query_time_windows)
{
    wfpw_ctest_engine = WFPW_STORE_SQLITE;
    return store_query_time_windows_on();
}

TEST_IMPL(store_pg_query_time_windows)
{
    wfpw_ctest_engine = WFPW_STORE_POSTGRES;
    return store_query_time_windows_on();
}

TEST_IMPL(store_retention_age_and_size)
{
    wfpw_ctest_engine = WFPW_STORE_SQLITE;
    return store_retention_age_and_size_on();
}

TEST_IMPL(store_pg_retention_age_and_size)
{
    wfpw_ctest_engine = WFPW_STORE_POSTGRES;
    return store_retention_age_and_size_on();
}

TEST_IMPL(store_silent_hosts_and_tokens)
{
    wfpw_ctest_engine = WFPW_STORE_SQLITE;
    return store_silent_hosts_and_tokens_on();
}

TEST_IMPL(store_pg_silent_hosts_and_tokens)
{
    wfpw_ctest_engine = WFPW_STORE_POSTGRES;
    return store_silent_hosts_and_tokens_on();
}
