/*
 * ship.c — the shipper (ship.h). libcurl multi on libuv: curl tells us which sockets to
 * watch (socket callback -> uv_poll) and when to call it back (timer callback -> uv_timer);
 * we tell curl what happened with curl_multi_socket_action and collect finished transfers
 * with curl_multi_info_read.
 */
#include "ship.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zlib.h>

#include "wfpw/curltls.h"
#include "wfpw/fileio.h"
#include "platform.h"
#include "uuidgen.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"
#include "wfpw/timefmt.h"

struct sock_ctx {
    uv_poll_t poll;
    curl_socket_t fd;
    struct wfpw_shipper *s;
    struct sock_ctx *next;        /* all live contexts, so stop can close them */
};

enum ship_state { S_IDLE, S_SENDING, S_BACKOFF };
static const char *const state_names[] = {"idle", "sending", "backoff"};

struct wfpw_shipper {
    uv_loop_t *loop;
    const struct wfpw_agent_cfg *cfg;
    struct wfpw_spool *spool;
    char agent_id[128], hostname[256], version[32], os[16];
    char url[WFPW_CFG_STR_MAX + 32];      /* collector.url[url_i] + /api/v1/batches */
    size_t url_i;                 /* which collector.url is in use (0: the first, preferred) */
    int64_t failed_over_ms;       /* mono_ms of the last failover away from the first URL */
    uint64_t failovers;
    char quarantine_dir[WFPW_CFG_STR_MAX + 16];
    CURLM *multi;
    CURL *easy;
    struct curl_slist *headers;
    struct sock_ctx *socks;
    uv_timer_t curl_timer, cut_timer, retry_timer;
    int handles_open;
    enum ship_state state;
    /* the batch being shipped */
    int have_batch;
    char batch_id[40];
    uint64_t first, last, nevents;
    struct wfpw_buf body, gz;
    /* what is not in a batch yet */
    uint64_t next_seq;            /* first seq not in any batch */
    uint64_t unsent_bytes;
    int64_t first_unsent_ms;      /* monotonic (mono_ms); 0: nothing unsent known (or recovered: cut at once) */
    int64_t max_events_now, max_bytes_now;  /* lowered by 413 */
    int flush_now;
    int urgent;                  /* an alert is unsent: cut without waiting for max_delay */
    int held;                     /* no certificate yet (creds.h): batches wait */
    /* the answer */
    char errbuf[CURL_ERROR_SIZE];
    char resp[1024];
    size_t resp_len;
    int64_t retry_after_ms;
    unsigned attempt;
    /* counters and the last problem */
    uint64_t batches_ok, events_ok, duplicates, retries, splits, quarantined_batches, quarantined_events;
    uint64_t connects;
    long last_status;
    char last_error[1400];
    int64_t last_ok_ms;
    unsigned same_error_count;
};

static void maybe_cut(struct wfpw_shipper *s);
static int64_t mono_ms(const struct wfpw_shipper *s);

/* collector.url[i] becomes the target of the next request. A batch keeps its id on every URL:
 * collectors sharing one store take it once (docs/agent.md, failover). */
static void use_url(struct wfpw_shipper *s, size_t i)
{
    const char *u = s->cfg->collector_urls.v[i];
    size_t ul = strlen(u);
    while (ul > 0 && u[ul - 1] == '/')
        ul--;
    s->url_i = i;
    snprintf(s->url, sizeof(s->url), "%.*s/api/v1/batches", (int)ul, u);
    if (s->easy)
        curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
}

/* The collector in use does not answer (or answers with a server error): the next attempt
 * goes to the next URL of the list, the first again after the last. */
static void fail_over(struct wfpw_shipper *s, const char *why)
{
    size_t n = s->cfg->collector_urls.n, next;
    if (n < 2)
        return;
    next = (s->url_i + 1) % n;
    wfpw_log_warn("ship", "collector", "%s does not answer (%s); next attempt to %s", s->cfg->collector_urls.v[s->url_i],
                  why, s->cfg->collector_urls.v[next]);
    s->failovers++;
    use_url(s, next);
    s->failed_over_ms = mono_ms(s);
}

/* Away from the first URL for collector.failback_s: try it again (when it still does not
 * answer, fail_over moves on as before). */
static void maybe_fail_back(struct wfpw_shipper *s)
{
    if (s->url_i == 0 || mono_ms(s) - s->failed_over_ms < s->cfg->collector_failback_s * 1000)
        return;
    wfpw_log_info("ship", "collector", "trying the first collector again: %s", s->cfg->collector_urls.v[0]);
    use_url(s, 0);
}
static void send_batch(struct wfpw_shipper *s);

/* ---- curl <-> uv -------------------------------------------------------------------------- */

static void check_done(struct wfpw_shipper *s);

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct sock_ctx *c = h->data;
    int running, flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(c->s->multi, c->fd, flags, &running);
    check_done(c->s);
}

static void on_sock_closed(uv_handle_t *h)
{
    wfpw_free(h->data);
}

static void drop_sock(struct wfpw_shipper *s, struct sock_ctx *c)
{
    struct sock_ctx **pp;
    for (pp = &s->socks; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    uv_poll_stop(&c->poll);
    uv_close((uv_handle_t *)&c->poll, on_sock_closed);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct wfpw_shipper *s = userp;
    struct sock_ctx *c = socketp;
    int ev = 0;
    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (c) {
            curl_multi_assign(s->multi, fd, NULL);
            drop_sock(s, c);
        }
        return 0;
    }
    if (c == NULL) {
        if ((c = wfpw_calloc(1, sizeof(*c))) == NULL)
            return -1;
        c->fd = fd, c->s = s;
        if (uv_poll_init_socket(s->loop, &c->poll, fd) != 0) {
            wfpw_free(c);
            return -1;
        }
        c->poll.data = c;
        c->next = s->socks, s->socks = c;
        curl_multi_assign(s->multi, fd, c);
    }
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        ev |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        ev |= UV_WRITABLE;
    uv_poll_start(&c->poll, ev, on_poll);
    return 0;
}

static int on_socket_ignore(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy, (void)fd, (void)what, (void)userp, (void)socketp;
    return 0;
}

static void on_curl_timer(uv_timer_t *t)
{
    struct wfpw_shipper *s = t->data;
    int running;
    curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(s);
}

static int on_timer_request(CURLM *multi, long timeout_ms, void *userp)
{
    struct wfpw_shipper *s = userp;
    (void)multi;
    if (timeout_ms < 0)
        uv_timer_stop(&s->curl_timer);
    else
        uv_timer_start(&s->curl_timer, on_curl_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

static size_t on_body(char *ptr, size_t size, size_t n, void *userp)
{
    struct wfpw_shipper *s = userp;
    size_t len = size * n, room = sizeof(s->resp) - 1 - s->resp_len;
    memcpy(s->resp + s->resp_len, ptr, len < room ? len : room);
    s->resp_len += len < room ? len : room;
    s->resp[s->resp_len] = '\0';
    return len;
}

static size_t on_header(char *ptr, size_t size, size_t n, void *userp)
{
    struct wfpw_shipper *s = userp;
    size_t len = size * n;
    if (len > 12 && curl_strnequal(ptr, "Retry-After:", 12)) {
        long v = strtol(ptr + 12, NULL, 10);
        if (v > 0 && v < 86400)
            s->retry_after_ms = v * 1000;
    }
    return len;
}

/* ---- batch building ------------------------------------------------------------------------- */

struct cut_ctx {
    struct wfpw_shipper *s;
    uint64_t until;               /* stop after this seq (0: no limit) */
};

static int add_event(void *ctx, const struct wfpw_spool_rec *r)
{
    struct cut_ctx *c = ctx;
    struct wfpw_shipper *s = c->s;
    if (c->until && r->seq > c->until)
        return 1;
    if (!c->until && s->nevents > 0 &&
        ((int64_t)s->nevents >= s->max_events_now || (int64_t)(s->body.len + r->len + 8) > s->max_bytes_now))
        return 1;
    if (s->nevents == (uint64_t)s->cfg->batch_max_events)
        return 1;
    if (s->nevents)
        wfpw_buf_putc(&s->body, ',');
    wfpw_buf_append(&s->body, r->json, r->len);
    if (s->body.err)
        return s->body.err;
    if (++s->nevents == 1)
        s->first = r->seq;
    s->last = r->seq;
    return 0;
}

static int gzip_body(struct wfpw_shipper *s)
{
    z_stream z;
    int rc;
    wfpw_buf_reset(&s->gz);
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return WFPW_ENOMEM;
    z.next_in = (unsigned char *)s->body.data;
    z.avail_in = (uInt)s->body.len;
    do {
        unsigned char out[65536];
        z.next_out = out, z.avail_out = sizeof(out);
        rc = deflate(&z, Z_FINISH);
        wfpw_buf_append(&s->gz, out, sizeof(out) - z.avail_out);
    } while (rc == Z_OK);
    deflateEnd(&z);
    return rc == Z_STREAM_END ? s->gz.err : WFPW_EIO;
}

/* Read the batch [from..] (or exactly [from..until] with id when resending a recovered
 * batch) and frame it; 0 events read is not an error (have_batch stays 0). */
static int cut(struct wfpw_shipper *s, uint64_t from, uint64_t until, const char *id)
{
    struct cut_ctx c;
    char t[WFPW_TIME_LEN + 1];
    int64_t n;
    int rc;

    wfpw_buf_reset(&s->body);
    s->nevents = 0;
    if (id)
        snprintf(s->batch_id, sizeof(s->batch_id), "%s", id);
    else if ((rc = wfpw_uuid_new(s->batch_id)) != 0)
        return rc;
    wfpw_time_format_ms(wfpw__plat_time_ms(), t);
    wfpw_buf_printf(&s->body, "{\"schema\":\"%s\",\"batch_id\":\"%s\",\"sent_at\":\"%s\",\"agent\":{\"id\":",
                    WFPW_PROTO_SCHEMA, s->batch_id, t);
    wfpw_json_write_string(&s->body, s->agent_id);
    wfpw_buf_puts(&s->body, ",\"hostname\":");
    wfpw_json_write_string(&s->body, s->hostname);
    wfpw_buf_printf(&s->body, ",\"version\":\"%s\",\"os\":\"%s\"},\"events\":[", s->version, s->os);
    c.s = s, c.until = until;
    n = wfpw_spool_read(s->spool, from, add_event, &c);
    if (n < 0)
        return (int)n;
    if (s->nevents == 0)
        return 0;
    wfpw_buf_puts(&s->body, "]}");
    if (s->body.err)
        return s->body.err;
    if (s->cfg->collector_gzip && (rc = gzip_body(s)) != 0)
        return rc;
    s->have_batch = 1;
    s->next_seq = s->last + 1;
    s->unsent_bytes = s->unsent_bytes > s->body.len ? s->unsent_bytes - s->body.len : 0;
    {
        struct wfpw_spool_inflight in;
        memset(&in, 0, sizeof(in));
        snprintf(in.batch_id, sizeof(in.batch_id), "%s", s->batch_id);
        in.first_seq = s->first, in.last_seq = s->last;
        if ((rc = wfpw_spool_set_inflight(s->spool, &in)) != 0)
            return rc;
    }
    wfpw_log_debug("ship", "batch", "cut %s: %" PRIu64 " events (seq %" PRIu64 "..%" PRIu64 "), %zu bytes", s->batch_id,
                   s->nevents, s->first, s->last, s->body.len);
    return 0;
}

/* ---- outcome ------------------------------------------------------------------------------- */

static void set_error(struct wfpw_shipper *s, const char *msg)
{
    if (strcmp(s->last_error, msg) == 0) {
        s->same_error_count++;
        if (s->same_error_count % 20 != 0) {
            wfpw_log_debug("ship", "collector", "%s (again)", msg);
            return;
        }
    } else {
        s->same_error_count = 0;
    }
    snprintf(s->last_error, sizeof(s->last_error), "%s", msg);
    wfpw_log_error("ship", "collector", "%s; retrying (attempt %u)", msg, s->attempt + 1);
}

static void release(struct wfpw_shipper *s)
{
    int rc = wfpw_spool_ack(s->spool, s->last);
    if (rc != 0)
        wfpw_log_error("spool", "ack", "cannot record the acknowledgement: %s", wfpw_strerror(rc));
    s->have_batch = 0;
    s->attempt = 0;
}

static void on_retry(uv_timer_t *t)
{
    struct wfpw_shipper *s = t->data;
    s->state = S_IDLE;
    if (s->have_batch)
        send_batch(s);
    else
        maybe_cut(s);
}

static void backoff(struct wfpw_shipper *s)
{
    uint64_t cap = (uint64_t)s->cfg->retry_min_ms, delay;
    uint32_t r = 0;
    unsigned i;
    for (i = 0; i < s->attempt && cap < (uint64_t)s->cfg->retry_max_ms; i++)
        cap *= 2;
    if (cap > (uint64_t)s->cfg->retry_max_ms)
        cap = (uint64_t)s->cfg->retry_max_ms;
    wfpw__plat_random(&r, sizeof(r));
    delay = cap ? (uint64_t)r % (cap + 1) : 0;          /* full jitter */
    if (s->retry_after_ms > 0 && (uint64_t)s->retry_after_ms > delay)
        delay = (uint64_t)s->retry_after_ms;
    s->attempt++;
    s->retries++;
    s->state = S_BACKOFF;
    uv_timer_start(&s->retry_timer, on_retry, delay, 0);
}

static void quarantine(struct wfpw_shipper *s, long status)
{
    char path[WFPW_CFG_STR_MAX + 80], reason[1400];
    int rc, n;
    snprintf(path, sizeof(path), "%s/%s.json", s->quarantine_dir, s->batch_id);
    rc = wfpw_file_write_atomic(path, s->body.data, s->body.len);
    n = snprintf(reason, sizeof(reason), "HTTP %ld from %s\nseq %" PRIu64 "..%" PRIu64 " (%" PRIu64 " events)\n%s\n", status,
                 s->url, s->first, s->last, s->nevents, s->resp);
    snprintf(path, sizeof(path), "%s/%s.reason", s->quarantine_dir, s->batch_id);
    if (rc == 0)
        rc = wfpw_file_write_atomic(path, reason, (size_t)n);
    s->quarantined_batches++;
    s->quarantined_events += s->nevents;
    snprintf(s->last_error, sizeof(s->last_error), "batch %s quarantined: HTTP %ld %.300s", s->batch_id, status, s->resp);
    wfpw_log_error("ship", "quarantine", "collector refused batch %s (HTTP %ld: %.300s); %" PRIu64
                   " events set aside in %s%s", s->batch_id, status, s->resp, s->nevents, s->quarantine_dir,
                   rc ? " — could not write them there" : "");
}

static void split(struct wfpw_shipper *s)
{
    uint64_t half = s->nevents / 2;
    s->splits++;
    s->max_events_now = (int64_t)(half ? half : 1);
    s->max_bytes_now = (int64_t)(s->body.len / 2 > 4096 ? s->body.len / 2 : 4096);
    wfpw_log_warn("ship", "collector", "batch %s too large for the collector (HTTP 413, %" PRIu64 " events, %zu bytes); "
                  "splitting, next batches at most %" PRId64 " events", s->batch_id, s->nevents, s->body.len,
                  s->max_events_now);
    /* the refused batch was not stored: re-cut its first half under a new id */
    s->have_batch = 0;
    s->next_seq = s->first;
    wfpw_spool_set_inflight(s->spool, NULL);
}

static void finished(struct wfpw_shipper *s, CURLcode res)
{
    long status = 0, conns = 0;
    char msg[1400];
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &conns);
    curl_multi_remove_handle(s->multi, s->easy);
    s->connects += (uint64_t)conns;
    s->last_status = status;
    s->state = S_IDLE;
    if (res != CURLE_OK) {
        const char *hint = "";
        if (res == CURLE_PEER_FAILED_VERIFICATION)
            hint = " (the collector's certificate is not signed by collector.ca, or names another host)";
        else if (res == CURLE_SSL_CERTPROBLEM)
            hint = " (collector.cert / collector.key unusable)";
        snprintf(msg, sizeof(msg), "cannot reach %s: %s: %s%s", s->url, curl_easy_strerror(res),
                 s->errbuf[0] ? s->errbuf : "-", hint);
        set_error(s, msg);
        fail_over(s, curl_easy_strerror(res));
        backoff(s);
        return;
    }
    if (status >= 200 && status < 300) {
        s->batches_ok++;
        s->events_ok += s->nevents;
        if (strstr(s->resp, "\"duplicate\":true"))
            s->duplicates++;
        s->last_ok_ms = wfpw__plat_time_ms();
        if (s->last_error[0] && s->attempt)
            wfpw_log_info("ship", "collector", "delivered again after %u failed attempts", s->attempt);
        s->last_error[0] = '\0';
        s->same_error_count = 0;
        release(s);
        maybe_cut(s);
        return;
    }
    if (status == 413 && s->nevents > 1) {
        split(s);
        maybe_cut(s);
        return;
    }
    if (status == 401 || status == 403 || status == 408 || status == 429 || status >= 500) {
        snprintf(msg, sizeof(msg), "collector answered HTTP %ld: %.400s%s", status, s->resp,
                 status == 401 ? " (is this agent's certificate signed by the collector's CA and still valid?)" : "");
        set_error(s, msg);
        if (status >= 500)
            fail_over(s, status == 503 ? "HTTP 503" : "HTTP 5xx");
        backoff(s);
        return;
    }
    quarantine(s, status);
    release(s);
    maybe_cut(s);
}

static void check_done(struct wfpw_shipper *s)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(s->multi, &left)) != NULL)
        if (m->msg == CURLMSG_DONE && m->easy_handle == s->easy)
            finished(s, m->data.result);
}

/* ---- sending ------------------------------------------------------------------------------- */

static void send_batch(struct wfpw_shipper *s)
{
    const struct wfpw_buf *b = s->cfg->collector_gzip ? &s->gz : &s->body;
    CURL *e = s->easy;
    maybe_fail_back(s);
    s->errbuf[0] = '\0';
    s->resp_len = 0, s->resp[0] = '\0';
    s->retry_after_ms = 0;
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, b->data);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
    if (curl_multi_add_handle(s->multi, e) != CURLM_OK) {
        set_error(s, "curl_multi_add_handle failed");
        backoff(s);
        return;
    }
    s->state = S_SENDING;
}

/* Deadlines run on the loop's monotonic clock: a step of the wall clock (NTP, an administrator)
 * must not hold a batch back or cut it early. Never 0 (0 means "nothing unsent"). */
static int64_t mono_ms(const struct wfpw_shipper *s)
{
    return (int64_t)uv_now(s->loop) + 1;
}

static void on_cut_timer(uv_timer_t *t)
{
    maybe_cut(t->data);
}

static void maybe_cut(struct wfpw_shipper *s)
{
    struct wfpw_spool_inflight in;
    uint64_t last = wfpw_spool_last_seq(s->spool), unsent;
    int64_t now = mono_ms(s), due;
    int rc;

    if (s->state != S_IDLE || s->have_batch || !s->handles_open || s->held)
        return;
    uv_timer_stop(&s->cut_timer);
    wfpw_spool_get_inflight(s->spool, &in);
    if (in.batch_id[0] && in.last_seq >= s->next_seq) {
        /* recovered after a restart: resend exactly that batch under its id */
        if ((rc = cut(s, in.first_seq, in.last_seq, in.batch_id)) != 0 || !s->have_batch) {
            wfpw_spool_set_inflight(s->spool, NULL);
            if (rc != 0)
                wfpw_log_error("ship", "batch", "cannot re-read the batch in flight: %s", wfpw_strerror(rc));
        } else {
            send_batch(s);
            return;
        }
    }
    if (last < s->next_seq)
        return;
    unsent = last - s->next_seq + 1;
    if (s->first_unsent_ms == 0)
        s->first_unsent_ms = now - s->cfg->batch_max_delay_ms; /* recovered from disk: overdue */
    due = s->first_unsent_ms + s->cfg->batch_max_delay_ms;
    if (!s->flush_now && !s->urgent && (int64_t)unsent < s->max_events_now && (int64_t)s->unsent_bytes < s->max_bytes_now &&
        now < due) {
        uv_timer_start(&s->cut_timer, on_cut_timer, (uint64_t)(due - now), 0);
        return;
    }
    if ((rc = cut(s, s->next_seq, 0, NULL)) != 0) {
        char msg[256];
        snprintf(msg, sizeof(msg), "cannot read the spool: %s", wfpw_strerror(rc));
        set_error(s, msg);
        backoff(s);
        return;
    }
    if (!s->have_batch) {
        /* nothing durable at or after next_seq (lost to the bound): skip ahead */
        s->next_seq = last + 1;
        s->first_unsent_ms = 0;
        return;
    }
    s->first_unsent_ms = wfpw_spool_last_seq(s->spool) >= s->next_seq ? now : 0;
    if (s->next_seq > last)
        s->urgent = 0; /* everything appended so far is in this batch, the alert too */
    send_batch(s);
}

void wfpw_shipper_notify(struct wfpw_shipper *s, uint64_t n, uint64_t bytes, int urgent)
{
    (void)n;
    s->unsent_bytes += bytes;
    s->urgent |= urgent;
    if (s->first_unsent_ms == 0)
        s->first_unsent_ms = mono_ms(s);
    maybe_cut(s);
}

void wfpw_shipper_hold(struct wfpw_shipper *s, int hold)
{
    s->held = hold;
    if (!hold)
        maybe_cut(s);
}

void wfpw_shipper_flush_now(struct wfpw_shipper *s)
{
    s->flush_now = 1;
    if (s->state == S_BACKOFF) {
        uv_timer_stop(&s->retry_timer);
        s->state = S_IDLE;
        if (s->have_batch) {
            send_batch(s);
            return;
        }
    }
    maybe_cut(s);
}

int wfpw_shipper_drained(const struct wfpw_shipper *s)
{
    return !s->have_batch && s->state == S_IDLE && wfpw_spool_last_seq(s->spool) < s->next_seq;
}

void wfpw_shipper_stats(struct wfpw_shipper *s, cJSON *stats)
{
    cJSON *o = cJSON_AddObjectToObject(stats, "shipper");
    if (o == NULL)
        return;
    cJSON_AddStringToObject(o, "state", state_names[s->state]);
    cJSON_AddStringToObject(o, "collector", s->cfg->collector_urls.v[s->url_i]);
    cJSON_AddNumberToObject(o, "failovers", (double)s->failovers);
    cJSON_AddNumberToObject(o, "batches_acknowledged", (double)s->batches_ok);
    cJSON_AddNumberToObject(o, "events_acknowledged", (double)s->events_ok);
    cJSON_AddNumberToObject(o, "duplicates", (double)s->duplicates);
    cJSON_AddNumberToObject(o, "retries", (double)s->retries);
    cJSON_AddNumberToObject(o, "consecutive_failures", (double)s->attempt);
    cJSON_AddNumberToObject(o, "splits", (double)s->splits);
    cJSON_AddNumberToObject(o, "quarantined_batches", (double)s->quarantined_batches);
    cJSON_AddNumberToObject(o, "quarantined_events", (double)s->quarantined_events);
    cJSON_AddNumberToObject(o, "connections", (double)s->connects);
    cJSON_AddNumberToObject(o, "last_status", (double)s->last_status);
    if (s->last_error[0])
        cJSON_AddStringToObject(o, "last_error", s->last_error);
    else
        cJSON_AddNullToObject(o, "last_error");
    /* the heartbeat's own last_error shows the shipper's when nothing else is wrong */
    if (s->last_error[0] && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(stats, "last_error")))
        cJSON_ReplaceItemInObjectCaseSensitive(stats, "last_error", cJSON_CreateString(s->last_error));
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

struct wfpw_shipper *wfpw_shipper_new(uv_loop_t *loop, const struct wfpw_agent_cfg *cfg, struct wfpw_spool *spool,
                                      const struct wfpw_ship_ident *id, char *err, size_t errlen)
{
    struct wfpw_shipper *s = wfpw_calloc(1, sizeof(*s));
    int rc;
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->loop = loop, s->cfg = cfg, s->spool = spool;
    snprintf(s->agent_id, sizeof(s->agent_id), "%s", id->agent_id);
    snprintf(s->hostname, sizeof(s->hostname), "%s", id->hostname);
    snprintf(s->version, sizeof(s->version), "%s", id->version);
    snprintf(s->os, sizeof(s->os), "%s", id->os);
    use_url(s, 0);
    snprintf(s->quarantine_dir, sizeof(s->quarantine_dir), "%s/quarantine", cfg->data_dir);
    if ((rc = wfpw_dir_make(s->quarantine_dir)) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", s->quarantine_dir, wfpw_strerror(rc));
        wfpw_free(s);
        return NULL;
    }
    s->max_events_now = cfg->batch_max_events;
    s->max_bytes_now = cfg->batch_max_bytes;
    wfpw_buf_init(&s->body, (size_t)cfg->batch_max_bytes + WFPW_SPOOL_MAX_RECORD + 4096);
    wfpw_buf_init(&s->gz, (size_t)cfg->batch_max_bytes + WFPW_SPOOL_MAX_RECORD + 65536);
    s->multi = curl_multi_init();
    s->easy = curl_easy_init();
    s->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (s->headers && cfg->collector_gzip)
        s->headers = curl_slist_append(s->headers, "Content-Encoding: gzip");
    if (s->headers)
        s->headers = curl_slist_append(s->headers, "Expect:"); /* no 100-continue round trip */
    if (s->multi == NULL || s->easy == NULL || s->headers == NULL) {
        snprintf(err, errlen, "out of memory (curl)");
        wfpw_shipper_stop(s);
        wfpw_shipper_free(s);
        return NULL;
    }
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, on_timer_request);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
    wfpw_curl_tls(s->easy, cfg->collector_ca, 1, cfg->collector_cert, cfg->collector_key,   /* the pinned CA only */
                  cfg->collector_key_password);
    curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, (long)cfg->collector_timeout_ms);
    curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->collector_connect_timeout_ms);
    curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(s->easy, CURLOPT_USERAGENT, "wfpwatch-agent/" "1");
    uv_timer_init(loop, &s->curl_timer);
    uv_timer_init(loop, &s->cut_timer);
    uv_timer_init(loop, &s->retry_timer);
    s->curl_timer.data = s->cut_timer.data = s->retry_timer.data = s;
    s->handles_open = 1;
    s->next_seq = wfpw_spool_acked(spool) + 1;
    maybe_cut(s);
    return s;
}

void wfpw_shipper_stop(struct wfpw_shipper *s)
{
    /* stop watching curl's sockets before curl closes them */
    while (s->socks)
        drop_sock(s, s->socks);
    if (s->multi) {
        curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_socket_ignore);
        if (s->state == S_SENDING)
            curl_multi_remove_handle(s->multi, s->easy);
        curl_multi_cleanup(s->multi);
        s->multi = NULL;
    }
    if (s->easy) {
        curl_easy_cleanup(s->easy);
        s->easy = NULL;
    }
    if (s->handles_open) {
        uv_close((uv_handle_t *)&s->curl_timer, NULL);
        uv_close((uv_handle_t *)&s->cut_timer, NULL);
        uv_close((uv_handle_t *)&s->retry_timer, NULL);
        s->handles_open = 0;
    }
}

void wfpw_shipper_free(struct wfpw_shipper *s)
{
    if (s == NULL)
        return;
    curl_slist_free_all(s->headers);
    wfpw_buf_free(&s->body);
    wfpw_buf_free(&s->gz);
    wfpw_free(s);
}
