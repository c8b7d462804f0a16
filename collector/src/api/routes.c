/*
 * routes.c — the collector's endpoints and what each may cost before it is answered:
 *   POST /api/v1/batches              agents: a verified client certificate before any body byte
 *   GET  /api/v1/events, /alerts      SIEMs: a bearer token, checked on the loop thread
 *   GET  /api/v1/hosts, /hosts/H/filters, /api/v1/openapi.json (the API described, docs/api/openapi.yaml)
 *   GET  /healthz, /metrics           no authentication (no event data)
 *   GET  /api/v1/ca, POST /api/v1/enroll (32 KiB), /api/v1/renew (certificate, 32 KiB)
 * classify() runs when a request's headers are complete and decides, from the route, the
 * method, the credentials and the announced body, whether the body is read at all and how
 * much of it; dispatch() runs when the request is complete. Everything that touches the store
 * runs as a store job (storeq.h); the answer is sent from the job's completion.
 */
#include "api/routes.h"

#include <stdio.h>
#include <string.h>

#include <llhttp.h>
#include <mbedtls/sha256.h>

#include "alert/alert.h"
#include "api/auth.h"
#include "api/enroll.h"
#include "api/openapi.h"
#include "core/metrics.h"
#include "store/storeq.h"
#include "wfpw/errors.h"
#include "wfpw/hex.h"
#include "wfpw/mem.h"

#define MAX_ENROLL_BODY 32768

static struct wfpw_api_cfg R;

static const char *const route_names[WFPW_RT_COUNT] = {"other", "batches", "events", "alerts", "hosts", "filters",
                                                       "healthz", "metrics", "enroll", "renew", "ca",
                                                       "openapi"};

void wfpw_api_init(const struct wfpw_api_cfg *cfg)
{
    R = *cfg;
    wfpw_metrics_set_routes(route_names, WFPW_RT_COUNT);
    wfpw__api_batches_init(cfg);
}

int wfpw_route_of(const char *path)
{
    if (strcmp(path, "/api/v1/batches") == 0) return WFPW_RT_BATCHES;
    if (strcmp(path, "/api/v1/events") == 0) return WFPW_RT_EVENTS;
    if (strcmp(path, "/api/v1/alerts") == 0) return WFPW_RT_ALERTS;
    if (strcmp(path, "/api/v1/hosts") == 0) return WFPW_RT_HOSTS;
    if (strncmp(path, "/api/v1/hosts/", 14) == 0) return WFPW_RT_FILTERS;
    if (strcmp(path, "/healthz") == 0) return WFPW_RT_HEALTHZ;
    if (strcmp(path, "/metrics") == 0) return WFPW_RT_METRICS;
    if (strcmp(path, "/api/v1/enroll") == 0) return WFPW_RT_ENROLL;
    if (strcmp(path, "/api/v1/renew") == 0) return WFPW_RT_RENEW;
    if (strcmp(path, "/api/v1/ca") == 0) return WFPW_RT_CA;
    if (strcmp(path, "/api/v1/openapi.json") == 0) return WFPW_RT_OPENAPI;
    return WFPW_RT_OTHER;
}

void wfpw_token_hash(const char *token, char out[65])
{
    unsigned char d[32];
    mbedtls_sha256_ret((const unsigned char *)token, strlen(token), d, 0);
    wfpw_hex(d, sizeof(d), out);
}

void wfpw_refuse_submit(struct wfpw_conn_ref *ref, int rc)
{
    if (rc == WFPW_EAGAIN) {
        wfpw_metrics.store_queue_full++;
        wfpw_respond_error_h(ref, 429, "store queue full, retry later", NULL, "Retry-After: 1\r\n");
    } else {
        wfpw_respond_error(ref, 503, "shutting down", NULL);
    }
}

static void refuse(struct wfpw_http_policy *pol, int status, const char *why)
{
    pol->status = status;
    pol->why = why;
}

#define REFUSE(status, why)          \
    do {                             \
        refuse(pol, (status), (why)); \
        return;                      \
    } while (0)

static void classify(struct wfpw_req *req, struct wfpw_http_policy *pol)
{
    int route = wfpw_route_of(req->path);
    int has_body = req->content_length > 0 || req->chunked;
    req->route = route;
    pol->max_body = 0;
    switch (route) {
    case WFPW_RT_BATCHES:
        if (req->method != HTTP_POST)
            REFUSE(405, "use POST");
        if (req->peer_cn == NULL) {
            wfpw_metrics.batches_rejected++;
            REFUSE(401, req->peer_cert_present
                                        ? "client certificate not trusted (wrong CA, expired, revoked or not for client use)"
                                        : "a client certificate is required");
        }
        pol->max_body = R.max_wire_body_bytes;
        return;
    case WFPW_RT_RENEW:
        if (req->method != HTTP_POST)
            REFUSE(405, "use POST");
        if (req->peer_cn == NULL) {
            wfpw_metrics.enroll_refused++;
            REFUSE(401, req->peer_cert_present ? "client certificate not trusted (wrong CA, expired or revoked)"
                                                           : "renewal needs the current client certificate");
        }
        pol->max_body = MAX_ENROLL_BODY;
        return;
    case WFPW_RT_ENROLL:
        if (req->method != HTTP_POST)
            REFUSE(405, "use POST");
        pol->max_body = MAX_ENROLL_BODY;
        return;
    case WFPW_RT_OTHER:
        REFUSE(404, "no such resource");
    default:
        break;
    }
    /* everything else is a GET that takes no body */
    if (req->method != HTTP_GET)
        REFUSE(405, "use GET");
    if (has_body)
        REFUSE(400, "a GET request takes no body");
    if (route == WFPW_RT_EVENTS || route == WFPW_RT_ALERTS || route == WFPW_RT_HOSTS || route == WFPW_RT_FILTERS ||
        route == WFPW_RT_OPENAPI) {
        int a = wfpw_auth_check(req->authorization);
        if (a != 0) {
            wfpw_metrics.unauthorized++;
            REFUSE(401, a == -1 ? "an API token is required (Authorization: Bearer TOKEN)"
                                            : "invalid or revoked API token");
        }
    }
}

static void metrics(struct wfpw_req *req)
{
    struct wfpw_buf b;
    struct wfpw_alert_stats as;
    struct wfpw_metrics_extra x;
    wfpw_alert_get_stats(&as);
    memset(&x, 0, sizeof(x));
    x.alerts_delivered = as.delivered;
    x.alerts_failed = as.failed;
    x.outbox_pending = as.pending;
    x.enroll_rate_evictions = wfpw_enroll_rate_evictions();
    x.store_queue_depth = R.store_none ? 0 : wfpw_storeq_depth();
    wfpw_buf_init(&b, 1 << 20);
    wfpw_metrics_render(&b, &x);
    wfpw_respond(req->ref, 200, "text/plain; version=0.0.4", b.data ? b.data : "", b.len, NULL);
    wfpw_buf_free(&b);
}

static void dispatch(struct wfpw_req *req)
{
    switch (req->route) {
    case WFPW_RT_BATCHES:
        wfpw__api_batches(req);
        return;
    case WFPW_RT_EVENTS:
    case WFPW_RT_ALERTS:
    case WFPW_RT_HOSTS:
    case WFPW_RT_FILTERS:
        if (R.store_none) {
            wfpw_respond_error(req->ref, 503, "this collector runs without a store (--store none)", NULL);
            return;
        }
        wfpw__api_query(req, req->route);
        return;
    case WFPW_RT_ENROLL:
    case WFPW_RT_RENEW:
    case WFPW_RT_CA:
        if (R.store_none) {
            wfpw_respond_error(req->ref, 503, "this collector runs without a store (--store none)", NULL);
            return;
        }
        wfpw_enroll_route(req, req->route == WFPW_RT_CA       ? WFPW_ENROLL_CA
                               : req->route == WFPW_RT_ENROLL ? WFPW_ENROLL_ENROLL
                                                              : WFPW_ENROLL_RENEW);
        return;
    case WFPW_RT_HEALTHZ:
        wfpw_respond(req->ref, 200, "application/json", "{\"status\":\"ok\"}", 15, NULL);
        return;
    case WFPW_RT_METRICS:
        metrics(req);
        return;
    case WFPW_RT_OPENAPI:
        wfpw_respond(req->ref, 200, "application/json", wfpw_openapi_json, wfpw_openapi_json_len, NULL);
        return;
    default:
        wfpw_respond_error(req->ref, 404, "no such resource", NULL);
    }
}

const struct wfpw_http_handler wfpw_api_handler = {classify, dispatch};
