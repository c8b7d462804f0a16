/*
 * metrics.h — the collector's counters, exported as Prometheus text at GET /metrics.
 * Updated only on the loop thread (the store and worker threads report through job
 * completions), so plain integers suffice. This module knows no route: the API layer names
 * its routes once (wfpw_metrics_set_routes) and hands in the values other layers own
 * (struct wfpw_metrics_extra) when it renders.
 */
#ifndef WFPW_METRICS_H
#define WFPW_METRICS_H

#include <stdint.h>

#include "wfpw/buf.h"

#define WFPW_METRICS_ROUTES 16
#define WFPW_METRICS_STATUSES 19

struct wfpw_metrics {
    uint64_t requests[WFPW_METRICS_ROUTES][WFPW_METRICS_STATUSES];
    uint64_t batches_accepted, batches_duplicate, batches_rejected, events_accepted;
    uint64_t batches_busy;            /* refused: another batch of the same certificate in flight */
    uint64_t store_jobs, store_latency_us_sum, store_queue_full;
    uint64_t tls_handshake_failures, connections_total, connections_rejected, timeouts;
    uint64_t connections_current;
    uint64_t address_refused;         /* per-address connection cap */
    uint64_t handshake_rate_refused;  /* per-address handshake rate */
    uint64_t client_key_refused;      /* client certificate key outside the policy (before any signature) */
    uint64_t write_stalls;            /* connections closed: their answers made no progress */
    uint64_t read_pauses;             /* a client not reading its answers: reading paused */
    uint64_t tls_idle_releases;       /* idle connections' TLS record buffer pages given back */
    uint64_t certs_issued, enroll_refused, enroll_rate_limited, renew_rate_limited, revoked_refused;
    uint64_t expired_refused;         /* resumed session with an expired or not yet valid certificate */
    uint64_t certs_superseded;        /* certificates revoked because a renewed one was used */
    uint64_t unauthorized;            /* API requests refused: missing, unknown or revoked token */
    uint64_t crypto_busy;             /* enrollment refused: too many CSR checks in flight */
    uint64_t token_refreshes;         /* in-memory API token set reloaded from the store */
};

/* Values the layers above own, gathered by the /metrics route. */
struct wfpw_metrics_extra {
    uint64_t alerts_delivered, alerts_failed;
    int64_t outbox_pending;
    uint64_t enroll_rate_evictions;
    uint64_t store_queue_depth;
};

extern struct wfpw_metrics wfpw_metrics;

/* names[0..n) label the route ids wfpw_metrics_request counts (n <= WFPW_METRICS_ROUTES);
 * borrowed for the life of the process. */
void wfpw_metrics_set_routes(const char *const *names, int n);
void wfpw_metrics_request(int route, int status);
/* Prometheus text exposition format. */
int wfpw_metrics_render(struct wfpw_buf *out, const struct wfpw_metrics_extra *x);

#endif
