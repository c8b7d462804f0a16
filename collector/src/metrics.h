/*
 * metrics.h — the collector's counters, exported as Prometheus text at GET /metrics.
 * Updated only on the loop thread (the store thread reports through job completions),
 * so plain integers suffice.
 */
#ifndef WFPW_METRICS_H
#define WFPW_METRICS_H

#include <stdint.h>

#include "http.h"
#include "wfpw/buf.h"

#define WFPW_METRICS_STATUSES 16

struct wfpw_metrics {
    uint64_t requests[WFPW_ROUTE_COUNT][WFPW_METRICS_STATUSES];
    uint64_t batches_accepted, batches_duplicate, batches_rejected, events_accepted;
    uint64_t store_jobs, store_latency_us_sum, store_queue_full;
    uint64_t tls_handshake_failures, connections_total, connections_rejected, timeouts;
    uint64_t connections_current;
    uint64_t certs_issued, enroll_refused, enroll_rate_limited, revoked_refused;
    uint64_t alerts_delivered, alerts_failed; /* reported by the alert thread (atomics there) */
};

extern struct wfpw_metrics wfpw_metrics;

void wfpw_metrics_request(int route, int status);
/* Prometheus text exposition format. */
int wfpw_metrics_render(struct wfpw_buf *out, uint64_t alerts_delivered, uint64_t alerts_failed,
                        int64_t outbox_pending);

#endif
