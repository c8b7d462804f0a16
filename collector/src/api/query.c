/*
 * query.c — the SIEM's reads: GET /api/v1/events and /alerts (cursor paging, JSON or NDJSON),
 * /api/v1/hosts and /api/v1/hosts/HOST/filters. The bearer credential was checked before the
 * request got here; each read is one store job of the API class (which never takes the places
 * the store queue keeps for ingest). Every served item is what the collector encoded itself,
 * prefixed with its cursor ("id") and the certificate's identity ("host"): one line each.
 */
#include <stdio.h>
#include <string.h>

#include "api/auth.h"
#include "api/routes.h"
#include "core/metrics.h"
#include "store/storeq.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/timefmt.h"

static void respond_json(struct wfpw_conn_ref *ref, int status, const struct wfpw_buf *b)
{
    wfpw_respond(ref, status, "application/json", b->data ? b->data : "", b->len, NULL);
}

/* ---- GET API ------------------------------------------------------------------------------------ */

enum api_kind { API_QUERY, API_HOSTS, API_FILTERS };

struct api_job {
    struct wfpw_sjob job;
    enum api_kind kind;
    struct wfpw_query q;
    char type[64], host[256];
    char token_hash[65];         /* the request's bearer token, accepted by the in-memory set */
    struct wfpw_buf out;
    int rc;
    struct wfpw_conn_ref *ref;
};

static void api_run(struct wfpw_store *st, struct wfpw_sjob *j)
{
    struct api_job *aj = (struct api_job *)j;
    /* a token revoked by `token revoke` since the in-memory set was loaded is refused at once */
    if ((aj->rc = wfpw_store_token_valid(st, aj->token_hash)) != 0)
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
    if (aj->rc == WFPW_EACCES) {
        wfpw_metrics.unauthorized++;
        wfpw_auth_forget(aj->token_hash);
        wfpw_respond_error(aj->ref, 401, "invalid or revoked API token", NULL);
    } else if (aj->rc == WFPW_ENOENT)
        wfpw_respond_error(aj->ref, 404, "unknown host", NULL);
    else if (aj->rc != 0)
        wfpw_respond_error(aj->ref, 500, wfpw_strerror(aj->rc), NULL);
    else if (aj->kind == API_QUERY && aj->q.ndjson) {
        /* NDJSON has no envelope: the cursor (also past rows examined and not served) and the
         * "more" of a time-filtered page go in headers */
        char h[96];
        snprintf(h, sizeof(h), "X-Next-Cursor: %lld\r\n%s", (long long)aj->q.next, aj->q.more ? "X-More: true\r\n" : "");
        wfpw_respond(aj->ref, 200, "application/x-ndjson", aj->out.data ? aj->out.data : "", aj->out.len, h);
    }
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

/* 0 with *ms >= 0; -1 when malformed or before 1970 (a negative value means "no bound" to the
 * store, so it must never come from a client). */
static int parse_time_param(const char *s, int64_t *ms)
{
    char tmp[32];
    if (wfpw_time_parse_ms(s, ms) == 0)
        return *ms >= 0 ? 0 : -1;
    /* also accept whole seconds: 2025-11-22T03:16:41Z */
    if (strlen(s) == 20 && s[19] == 'Z') {
        snprintf(tmp, sizeof(tmp), "%.19s.000Z", s);
        return wfpw_time_parse_ms(tmp, ms) == 0 && *ms >= 0 ? 0 : -1;
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
        } else if (strcmp(key, "type") == 0 || strcmp(key, "host") == 0) {
            char *dst = key[0] == 't' ? aj->type : aj->host;
            size_t cap = key[0] == 't' ? sizeof(aj->type) : sizeof(aj->host);
            if (strlen(val) >= cap) {
                wfpw_respond_error(req->ref, 400, key[0] == 't' ? "type: at most 63 bytes" : "host: at most 255 bytes",
                                   key);
                return -1;
            }
            memcpy(dst, val, strlen(val) + 1);
            if (key[0] == 't')
                aj->q.type = aj->type;
            else
                aj->q.host = aj->host;
        } else if (strcmp(key, "since") == 0 || strcmp(key, "until") == 0) {
            if (parse_time_param(val, &v) != 0) {
                wfpw_respond_error(req->ref, 400, "expected UTC time YYYY-MM-DDTHH:MM:SS[.mmm]Z, 1970 or later", key);
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

void wfpw__api_query(struct wfpw_req *req, int route)
{
    struct api_job *aj;
    int rc;

    /* the bearer credential was checked when the headers were complete (routes.c, auth.c) */
    aj = wfpw_calloc(1, sizeof(*aj));
    if (aj == NULL) {
        wfpw_respond_error(req->ref, 503, "out of memory", NULL);
        return;
    }
    wfpw_buf_init(&aj->out, 256u << 20);
    wfpw_token_hash(req->authorization + 7, aj->token_hash); /* "Bearer " checked at the headers */
    if (route == WFPW_RT_EVENTS || route == WFPW_RT_ALERTS) {
        aj->kind = API_QUERY;
        aj->q.kind = route == WFPW_RT_EVENTS ? WFPW_Q_EVENTS : WFPW_Q_ALERTS;
        aj->q.ndjson = strstr(req->accept, "application/x-ndjson") != NULL;
        if (parse_query(req, aj) != 0) {
            wfpw_buf_free(&aj->out);
            wfpw_free(aj);
            return;
        }
    } else if (req->query[0]) {
        /* hosts and filters take no parameters: one that would be ignored is refused */
        wfpw_buf_free(&aj->out);
        wfpw_free(aj);
        wfpw_respond_error(req->ref, 400, "this resource takes no query parameters", NULL);
        return;
    } else if (route == WFPW_RT_HOSTS) {
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
    rc = wfpw_storeq_submit(&aj->job, WFPW_SQ_READ);
    if (rc != 0) {
        wfpw_conn_ref_release(aj->ref);
        wfpw_buf_free(&aj->out);
        wfpw_free(aj);
        wfpw_refuse_submit(req->ref, rc);
    }
}

