/*
 * routes.h — the collector's HTTP endpoints (see docs/api/). Settings that routes need.
 */
#ifndef WFPW_ROUTES_H
#define WFPW_ROUTES_H

#include <stddef.h>
#include <stdint.h>

struct wfpw_routes_cfg {
    int store_none;                 /* benchmark only: validate and acknowledge, store nothing */
    size_t max_body_bytes;          /* after decompression */
};

void wfpw_routes_init(const struct wfpw_routes_cfg *cfg);

/* Answer a request whose store job could not be queued (wfpw_storeq_submit's rc): 429 with
 * Retry-After when the queue is full (counted), 503 when the collector is shutting down. */
struct wfpw_conn_ref;
void wfpw_refuse_submit(struct wfpw_conn_ref *ref, int rc);

/* SHA-256 of token as 64 lower-case hex characters into out[65]. */
void wfpw_token_hash(const char *token, char out[65]);

#endif
