/*
 * routes.h — the collector's HTTP API (docs/api/): the handler net/ calls for every request,
 * the route table, and what the resource files (batches.c, query.c, enroll.c) share.
 */
#ifndef WFPW_ROUTES_H
#define WFPW_ROUTES_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "net/http.h"

enum wfpw_route {
    WFPW_RT_OTHER, WFPW_RT_BATCHES, WFPW_RT_EVENTS, WFPW_RT_ALERTS, WFPW_RT_HOSTS, WFPW_RT_FILTERS,
    WFPW_RT_HEALTHZ, WFPW_RT_METRICS, WFPW_RT_ENROLL, WFPW_RT_RENEW, WFPW_RT_CA, WFPW_RT_OPENAPI,
    WFPW_RT_COUNT
};

struct wfpw_api_cfg {
    uv_loop_t *loop;
    int store_none;                 /* benchmark only: validate and acknowledge, store nothing */
    size_t max_body_bytes;          /* a batch after decompression */
    size_t max_wire_body_bytes;     /* a batch as sent */
    int max_batches_in_flight;      /* decoding or waiting for the store, all agents together */
};

void wfpw_api_init(const struct wfpw_api_cfg *cfg);
/* What net/server.c calls (http.h). */
extern const struct wfpw_http_handler wfpw_api_handler;

/* Answer a request whose store job could not be queued (wfpw_storeq_submit's rc): 429 with
 * Retry-After when the queue is full (counted), 503 when the collector is shutting down. */
void wfpw_refuse_submit(struct wfpw_conn_ref *ref, int rc);
/* SHA-256 of token as 64 lower-case hex characters into out[65]. */
void wfpw_token_hash(const char *token, char out[65]);
int wfpw_route_of(const char *path);

/* batches.c */
void wfpw__api_batches_init(const struct wfpw_api_cfg *cfg);
void wfpw__api_batches(struct wfpw_req *req);
/* query.c: events, alerts, hosts, a host's filters */
void wfpw__api_query(struct wfpw_req *req, int route);

#endif
