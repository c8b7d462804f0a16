/*
 * routes.c — the collector's endpoints:
 *   POST /api/v1/batches              agents, client certificate required
 *   GET  /api/v1/events, /alerts      SIEMs, bearer token; cursor paging, JSON or NDJSON
 *   GET  /api/v1/hosts, /hosts/H/filters
 *   GET  /healthz, /metrics           no authentication (no event data)
 *   GET  /api/v1/ca, POST /api/v1/enroll, /api/v1/renew   enrollment (enroll.c)
 * Everything that touches SQLite runs as a store job (storeq.h); the answer is sent from
 * the job's completion on the loop thread.
 */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <llhttp.h>
#include <mbedtls/sha256.h>
#include <zlib.h>

#include "alert.h"
#include "clock.h"
#include "enroll.h"
#include "http.h"
#include "metrics.h"
#include "storeq.h"
#include "wfpw/errors.h"
#include "wfpw/hex.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"
#include "wfpw/timefmt.h"

static struct wfpw_routes_cfg R = {0, 8u << 20};

enum {
    RT_BATCHES, RT_EVENTS, RT_ALERTS, RT_HOSTS, RT_FILTERS, RT_HEALTHZ, RT_METRICS, RT_ENROLL, RT_RENEW, RT_CA,
    RT_OTHER
};
const char *const wfpw_route_names[WFPW_ROUTE_COUNT] = {
    "batches", "events", "alerts", "hosts", "filters", "healthz", "metrics", "enroll", "renew", "ca", "other"};

void wfpw_routes_init(const struct wfpw_routes_cfg *cfg)
{
    R = *cfg;
}

int wfpw_route_id(const char *path)
{
    if (strcmp(path, "/api/v1/batches") == 0) return RT_BATCHES;
    if (strcmp(path, "/api/v1/events") == 0) return RT_EVENTS;
    if (strcmp(path, "/api/v1/alerts") == 0) return RT_ALERTS;
    if (strcmp(path, "/api/v1/hosts") == 0) return RT_HOSTS;
    if (strncmp(path, "/api/v1/hosts/", 14) == 0) return RT_FILTERS;
    if (strcmp(path, "/healthz") == 0) return RT_HEALTHZ;
    if (strcmp(path, "/metrics") == 0) return RT_METRICS;
    if (strcmp(path, "/api/v1/enroll") == 0) return RT_ENROLL;
    if (strcmp(path, "/api/v1/renew") == 0) return RT_RENEW;
    if (strcmp(path, "/api/v1/ca") == 0) return RT_CA;
    return RT_OTHER;
}

void wfpw_token_hash(const char *token, char out[65])
{
    unsigned char d[32];
    mbedtls_sha256_ret((const unsigned char *)token, strlen(token), d, 0);
    wfpw_hex(d, sizeof(d), out);
}

static void respond_json(struct wfpw_conn_ref *ref, int status, const struct wfpw_buf *b)
{
    wfpw_respond(ref, status, "application/json", b->data ? b->data : "", b->len, NULL);
}

/* Answer a request whose store job could not be queued: 429 when the queue is full (the
 * client retries after Retry-After), 503 when the collector is shutting down. */
void wfpw_refuse_submit(struct wfpw_conn_ref *ref, int rc)
{
    if (rc == WFPW_EAGAIN) {
        wfpw_metrics.store_queue_full++;
        wfpw_respond(ref, 429, "application/json", "{\"error\":\"store queue full, retry later\"}", 41,
                     "Retry-After: 1\r\n");
    } else {
        wfpw_respond_error(ref, 503, "shutting down", NULL);
    }
}

/* ---- POST /api/v1/batches -------------------------------------------------------------------- */

struct ingest_job {
    struct wfpw_sjob job;
    struct wfpw_ingest in;
    struct wfpw_batch *batch;     /* owned */
    char host[128];
    struct wfpw_conn_ref *ref;    /* held */
};

static void ingest_done(struct wfpw_sjob *j)
{
    struct ingest_job *ij = (struct ingest_job *)j;
    char body[128];
    wfpw_metrics.store_jobs++;
    wfpw_metrics.store_latency_us_sum += j->latency_us;
    if (ij->in.rc != 0) {
        wfpw_log_error("collector", "store", "storing batch %s from %s failed: %s",
                       wfpw_batch_id(ij->batch), ij->host, wfpw_strerror(ij->in.rc));
        wfpw_respond_error(ij->ref, 503, "the store could not commit the batch; retry", NULL);
    } else {
        if (ij->in.duplicate)
            wfpw_metrics.batches_duplicate++;
        else
            wfpw_metrics.batches_accepted++;
        wfpw_metrics.events_accepted += ij->in.accepted;
        snprintf(body, sizeof(body), "{\"accepted\":%zu,\"duplicate\":%s}", ij->in.accepted,
                 ij->in.duplicate ? "true" : "false");
        wfpw_respond(ij->ref, 200, "application/json", body, strlen(body), NULL);
    }
    wfpw_conn_ref_release(ij->ref);
    wfpw_batch_free(ij->batch);
    wfpw_free(ij);
}

/* gzip body -> out, at most max bytes: a larger result is a 413 (gzip bomb guard). */
static int gunzip(const char *in, size_t inlen, size_t max, struct wfpw_buf *out)
{
    z_stream zs;
    char chunk[65536];
    int zrc;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return WFPW_ENOMEM;
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)inlen;
    do {
        zs.next_out = (Bytef *)chunk;
        zs.avail_out = sizeof(chunk);
        zrc = inflate(&zs, Z_NO_FLUSH);
        if (zrc != Z_OK && zrc != Z_STREAM_END) {
            inflateEnd(&zs);
            return WFPW_ESYNTAX;
        }
        if (out->len + (sizeof(chunk) - zs.avail_out) > max) {
            inflateEnd(&zs);
            return WFPW_ETOOBIG;
        }
        wfpw_buf_append(out, chunk, sizeof(chunk) - zs.avail_out);
        if (zrc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) { /* truncated stream */
            inflateEnd(&zs);
            return WFPW_ESYNTAX;
        }
    } while (zrc != Z_STREAM_END);
    zrc = zs.avail_in == 0 ? 0 : WFPW_ESYNTAX; /* nothing may follow the gzip member */
    inflateEnd(&zs);
    return out->err ? out->err : zrc;
}

static int media_is(const char *value, const char *want)
{
    size_t n = strlen(want);
    while (*value == ' ')
        value++;
    return strncasecmp(value, want, n) == 0 && (value[n] == '\0' || value[n] == ';' || value[n] == ' ');
}

static void reject_batch(struct wfpw_req *req, int status, const char *msg, const char *field)
{
    wfpw_metrics.batches_rejected++;
    wfpw_respond_error(req->ref, status, msg, field);
}

static void route_batches(struct wfpw_req *req)
{
    struct wfpw_buf plain;
    const char *body = req->body.data ? req->body.data : "";
    size_t len = req->body.len;
    struct wfpw_batch *batch = NULL;
    struct wfpw_proto_err perr;
    struct wfpw_agent_ident agent;
    struct ingest_job *ij;
    int rc;

    if (req->method != HTTP_POST) {
        wfpw_respond_error(req->ref, 405, "use POST", NULL);
        return;
    }
    if (req->peer_cn == NULL) {
        reject_batch(req, 401, req->peer_cert_present ? "client certificate not trusted (wrong CA, expired or not for client use)"
                                                      : "a client certificate is required",
                     NULL);
        return;
    }
    if (!media_is(req->content_type, "application/json")) {
        reject_batch(req, 415, "Content-Type must be application/json", NULL);
        return;
    }
    wfpw_buf_init(&plain, R.max_body_bytes);
    if (req->content_encoding[0] && !media_is(req->content_encoding, "identity")) {
        if (!media_is(req->content_encoding, "gzip")) {
            reject_batch(req, 415, "Content-Encoding must be gzip or identity", NULL);
            return;
        }
        rc = gunzip(body, len, R.max_body_bytes, &plain);
        if (rc == WFPW_ETOOBIG) {
            wfpw_buf_free(&plain);
            reject_batch(req, 413, "decompressed body exceeds the limit", NULL);
            return;
        }
        if (rc != 0) {
            wfpw_buf_free(&plain);
            reject_batch(req, 400, "body is not a valid gzip stream", NULL);
            return;
        }
        body = plain.data ? plain.data : "";
        len = plain.len;
    } else if (len > R.max_body_bytes) {
        reject_batch(req, 413, "body exceeds the limit", NULL);
        return;
    }
    memset(&perr, 0, sizeof(perr));
    rc = wfpw_batch_decode(body, len, &batch, &perr);
    wfpw_buf_free(&plain);
    if (rc != 0) {
        wfpw_log_info("collector", req->peer_cn, "rejected batch: %s%s%s", perr.field,
                      perr.field[0] ? ": " : "", perr.msg);
        reject_batch(req, rc == WFPW_ENOMEM ? 503 : 400, perr.msg, perr.field[0] ? perr.field : NULL);
        return;
    }
    if (R.store_none) {
        char out[96];
        wfpw_metrics.batches_accepted++;
        wfpw_metrics.events_accepted += wfpw_batch_count(batch);
        snprintf(out, sizeof(out), "{\"accepted\":%zu,\"duplicate\":false}", wfpw_batch_count(batch));
        wfpw_batch_free(batch);
        wfpw_respond(req->ref, 200, "application/json", out, strlen(out), NULL);
        return;
    }
    ij = wfpw_calloc(1, sizeof(*ij));
    if (ij == NULL) {
        wfpw_batch_free(batch);
        wfpw_respond_error(req->ref, 503, "out of memory", NULL);
        return;
    }
    ij->batch = batch;
    snprintf(ij->host, sizeof(ij->host), "%s", req->peer_cn);
    wfpw_batch_agent(batch, &agent);
    /* The certificate is the identity; the batch's own claim is only compared. */
    ij->in.identity_mismatch = strcmp(agent.id, req->peer_cn) != 0 && strcasecmp(agent.hostname, req->peer_cn) != 0;
    if (ij->in.identity_mismatch)
        wfpw_log_warn("collector", req->peer_cn, "batch %s claims agent id '%s' / host '%s'; stored under the certificate's identity",
                      wfpw_batch_id(batch), agent.id, agent.hostname);
    ij->in.batch = batch;
    ij->in.host = ij->host;
    ij->in.now_ms = wfpw_now_ms();
    ij->job.ingest = &ij->in;
    ij->job.done = ingest_done;
    ij->ref = req->ref;
    wfpw_conn_ref_hold(ij->ref);
    rc = wfpw_storeq_submit(&ij->job, 0);
    if (rc != 0) {
        wfpw_conn_ref_release(ij->ref);
        wfpw_batch_free(ij->batch);
        wfpw_free(ij);
        wfpw_refuse_submit(req->ref, rc);
    }
}

/* ---- GET API ------------------------------------------------------------------------------------ */

enum api_kind { API_QUERY, API_HOSTS, API_FILTERS };

struct api_job {
    struct wfpw_sjob job;
    enum api_kind kind;
    struct wfpw_query q;
    char type[64], host[256];
    char token_hash[65];
    struct wfpw_buf out;
    int rc;
    struct wfpw_conn_ref *ref;
};

static void api_run(struct wfpw_store *st, struct wfpw_sjob *j)
{
    struct api_job *aj = (struct api_job *)j;
    aj->rc = wfpw_store_token_check(st, aj->token_hash);
    if (aj->rc != 0)
        return;
    switch (aj->kind) {
    case API_QUERY: aj->rc = wfpw_store_query(st, &aj->q, &aj->out); break;
    case API_HOSTS: aj->rc = wfpw_store_hosts(st, &aj->out); break;
    case API_FILTERS: aj->rc = wfpw_store_filters(st, aj->host, &aj->out); break;
    }
}

static void api_done(struct wfpw_sjob *j)
{
    struct api_job *aj = (struct api_job *)j;
    wfpw_metrics.store_jobs++;
    wfpw_metrics.store_latency_us_sum += j->latency_us;
    if (aj->rc == WFPW_EACCES)
        wfpw_respond_error(aj->ref, 401, "invalid or revoked API token", NULL);
    else if (aj->rc == WFPW_ENOENT)
        wfpw_respond_error(aj->ref, 404, "unknown host", NULL);
    else if (aj->rc != 0)
        wfpw_respond_error(aj->ref, 500, wfpw_strerror(aj->rc), NULL);
    else if (aj->kind == API_QUERY && aj->q.ndjson)
        wfpw_respond(aj->ref, 200, "application/x-ndjson", aj->out.data ? aj->out.data : "", aj->out.len, NULL);
    else
        respond_json(aj->ref, 200, &aj->out);
    wfpw_conn_ref_release(aj->ref);
    wfpw_buf_free(&aj->out);
    wfpw_free(aj);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decode src[0..n) into dst (size cap); -1 when malformed or too long. */
static int pct_decode(const char *src, size_t n, char *dst, size_t cap)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        char c = src[i];
        if (c == '%') {
            int h, l;
            if (i + 2 >= n)
                return -1;
            h = hexval(src[i + 1]), l = hexval(src[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = (char)(h * 16 + l);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == '\0' || o + 1 >= cap)
            return -1;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return 0;
}

static int parse_uint(const char *s, int64_t max, int64_t *out)
{
    int64_t v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

static int parse_time_param(const char *s, int64_t *ms)
{
    char tmp[32];
    if (wfpw_time_parse_ms(s, ms) == 0)
        return 0;
    /* also accept whole seconds: 2025-11-22T03:16:41Z */
    if (strlen(s) == 20 && s[19] == 'Z') {
        snprintf(tmp, sizeof(tmp), "%.19s.000Z", s);
        return wfpw_time_parse_ms(tmp, ms);
    }
    return -1;
}

/* Parses the query string into aj->q; on error answers 400 naming the parameter. */
static int parse_query(struct wfpw_req *req, struct api_job *aj)
{
    const char *p = req->query;
    aj->q.limit = 500;
    aj->q.since_ms = aj->q.until_ms = -1;
    while (*p) {
        const char *amp = strchr(p, '&'), *eq;
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        char key[32], val[512];
        int64_t v;
        eq = memchr(p, '=', n);
        if (n == 0) {
            p += 1;
            continue;
        }
        if (eq == NULL || pct_decode(p, (size_t)(eq - p), key, sizeof(key)) != 0 ||
            pct_decode(eq + 1, n - (size_t)(eq - p) - 1, val, sizeof(val)) != 0) {
            wfpw_respond_error(req->ref, 400, "malformed query string", NULL);
            return -1;
        }
        if (strcmp(key, "after") == 0) {
            if (parse_uint(val, INT64_MAX, &v) != 0) {
                wfpw_respond_error(req->ref, 400, "cursor must be a value of next_cursor", "after");
                return -1;
            }
            aj->q.after = v;
        } else if (strcmp(key, "limit") == 0) {
            if (parse_uint(val, 10000, &v) != 0 || v < 1) {
                wfpw_respond_error(req->ref, 400, "limit must be 1..10000", "limit");
                return -1;
            }
            aj->q.limit = (int)v;
        } else if (strcmp(key, "type") == 0 && strlen(val) < sizeof(aj->type)) {
            memcpy(aj->type, val, strlen(val) + 1);
            aj->q.type = aj->type;
        } else if (strcmp(key, "host") == 0 && strlen(val) < sizeof(aj->host)) {
            memcpy(aj->host, val, strlen(val) + 1);
            aj->q.host = aj->host;
        } else if (strcmp(key, "since") == 0 || strcmp(key, "until") == 0) {
            if (parse_time_param(val, &v) != 0) {
                wfpw_respond_error(req->ref, 400, "expected UTC time YYYY-MM-DDTHH:MM:SS[.mmm]Z", key);
                return -1;
            }
            if (key[0] == 's')
                aj->q.since_ms = v;
            else
                aj->q.until_ms = v;
        } else {
            wfpw_respond_error(req->ref, 400, "unknown query parameter", key);
            return -1;
        }
        p += n + (amp ? 1 : 0);
    }
    return 0;
}

static void route_api(struct wfpw_req *req, int route)
{
    struct api_job *aj;
    const char *auth = req->authorization;
    int rc;

    if (req->method != HTTP_GET) {
        wfpw_respond_error(req->ref, 405, "use GET", NULL);
        return;
    }
    if (strncasecmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0') {
        wfpw_respond_error(req->ref, 401, "an API token is required (Authorization: Bearer TOKEN)", NULL);
        return;
    }
    aj = wfpw_calloc(1, sizeof(*aj));
    if (aj == NULL) {
        wfpw_respond_error(req->ref, 503, "out of memory", NULL);
        return;
    }
    wfpw_buf_init(&aj->out, 256u << 20);
    wfpw_token_hash(auth + 7, aj->token_hash);
    if (route == RT_EVENTS || route == RT_ALERTS) {
        aj->kind = API_QUERY;
        aj->q.kind = route == RT_EVENTS ? WFPW_Q_EVENTS : WFPW_Q_ALERTS;
        aj->q.ndjson = strstr(req->accept, "application/x-ndjson") != NULL;
        if (parse_query(req, aj) != 0) {
            wfpw_buf_free(&aj->out);
            wfpw_free(aj);
            return;
        }
    } else if (route == RT_HOSTS) {
        aj->kind = API_HOSTS;
    } else {
        const char *h = req->path + 14, *slash = strchr(h, '/');
        aj->kind = API_FILTERS;
        if (slash == NULL || strcmp(slash, "/filters") != 0 ||
            pct_decode(h, (size_t)(slash - h), aj->host, sizeof(aj->host)) != 0 || aj->host[0] == '\0') {
            wfpw_buf_free(&aj->out);
            wfpw_free(aj);
            wfpw_respond_error(req->ref, 404, "no such resource", NULL);
            return;
        }
    }
    aj->job.run = api_run;
    aj->job.done = api_done;
    aj->ref = req->ref;
    wfpw_conn_ref_hold(aj->ref);
    rc = wfpw_storeq_submit(&aj->job, 0);
    if (rc != 0) {
        wfpw_conn_ref_release(aj->ref);
        wfpw_buf_free(&aj->out);
        wfpw_free(aj);
        wfpw_refuse_submit(req->ref, rc);
    }
}

void wfpw_route(struct wfpw_req *req)
{
    int route = wfpw_route_id(req->path);
    switch (route) {
    case RT_BATCHES:
        route_batches(req);
        return;
    case RT_EVENTS:
    case RT_ALERTS:
    case RT_HOSTS:
    case RT_FILTERS:
        if (R.store_none) {
            wfpw_respond_error(req->ref, 503, "this collector runs without a store (--store none)", NULL);
            return;
        }
        route_api(req, route);
        return;
    case RT_ENROLL:
    case RT_RENEW:
    case RT_CA:
        if (R.store_none) {
            wfpw_respond_error(req->ref, 503, "this collector runs without a store (--store none)", NULL);
            return;
        }
        wfpw_enroll_route(req, route == RT_CA ? WFPW_ENROLL_CA : route == RT_ENROLL ? WFPW_ENROLL_ENROLL
                                                                                    : WFPW_ENROLL_RENEW);
        return;
    case RT_HEALTHZ:
        wfpw_respond(req->ref, 200, "application/json", "{\"status\":\"ok\"}", 15, NULL);
        return;
    case RT_METRICS: {
        struct wfpw_buf b;
        struct wfpw_alert_stats as;
        wfpw_alert_get_stats(&as);
        wfpw_buf_init(&b, 1 << 20);
        wfpw_metrics_render(&b, as.delivered, as.failed, as.pending);
        wfpw_respond(req->ref, 200, "text/plain; version=0.0.4", b.data ? b.data : "", b.len, NULL);
        wfpw_buf_free(&b);
        return;
    }
    default:
        wfpw_respond_error(req->ref, 404, "no such resource", NULL);
    }
}
