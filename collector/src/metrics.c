/*
 * metrics.c — counters and their Prometheus text form (see metrics.h).
 */
#include "metrics.h"

#include "enroll.h"

struct wfpw_metrics wfpw_metrics;

static const int statuses[WFPW_METRICS_STATUSES] = {200, 400, 401, 403, 404, 405, 408, 409, 411, 413,
                                                    415, 429, 431, 500, 503, 0 /* other */};

void wfpw_metrics_request(int route, int status)
{
    int i;
    if (route < 0 || route >= WFPW_ROUTE_COUNT)
        return;
    for (i = 0; i < WFPW_METRICS_STATUSES - 1; i++)
        if (statuses[i] == status)
            break;
    wfpw_metrics.requests[route][i]++;
}

int wfpw_metrics_render(struct wfpw_buf *out, uint64_t alerts_delivered, uint64_t alerts_failed,
                        int64_t outbox_pending)
{
    const struct wfpw_metrics *m = &wfpw_metrics;
    int r, s;
    wfpw_buf_puts(out, "# HELP wfpwatch_http_requests_total HTTP requests by route and status.\n"
                       "# TYPE wfpwatch_http_requests_total counter\n");
    for (r = 0; r < WFPW_ROUTE_COUNT; r++)
        for (s = 0; s < WFPW_METRICS_STATUSES; s++)
            if (m->requests[r][s])
                wfpw_buf_printf(out, "wfpwatch_http_requests_total{route=\"%s\",status=\"%s%d\"} %llu\n",
                                wfpw_route_names[r], statuses[s] ? "" : "other", statuses[s] ? statuses[s] : 0,
                                (unsigned long long)m->requests[r][s]);
#define COUNTER(name, help, value)                                                             \
    wfpw_buf_printf(out, "# HELP wfpwatch_" name " " help "\n# TYPE wfpwatch_" name " counter\n" \
                         "wfpwatch_" name " %llu\n", (unsigned long long)(value))
#define GAUGE(name, help, value)                                                               \
    wfpw_buf_printf(out, "# HELP wfpwatch_" name " " help "\n# TYPE wfpwatch_" name " gauge\n"   \
                         "wfpwatch_" name " %lld\n", (long long)(value))
    COUNTER("batches_accepted_total", "Batches stored.", m->batches_accepted);
    COUNTER("batches_duplicate_total", "Batches whose id was seen before (stored once).", m->batches_duplicate);
    COUNTER("batches_rejected_total", "Batches refused as malformed, too large or unauthenticated.", m->batches_rejected);
    COUNTER("events_accepted_total", "Events stored.", m->events_accepted);
    COUNTER("store_jobs_total", "Jobs run by the store thread.", m->store_jobs);
    COUNTER("store_latency_microseconds_total", "Time from job submission to completion, summed.", m->store_latency_us_sum);
    COUNTER("store_queue_full_total", "Requests refused with 429 because the store queue was full.", m->store_queue_full);
    COUNTER("tls_handshake_failures_total", "TLS handshakes that failed.", m->tls_handshake_failures);
    COUNTER("connections_total", "Connections accepted.", m->connections_total);
    COUNTER("connections_rejected_total", "Connections closed at once because max_connections was reached.", m->connections_rejected);
    COUNTER("timeouts_total", "Connections closed by the header, body or idle timeout.", m->timeouts);
    COUNTER("certs_issued_total", "Client certificates issued by enrollment or renewal.", m->certs_issued);
    COUNTER("enroll_refused_total", "Enrollment and renewal requests refused (token, CSR, conflict, revoked).", m->enroll_refused);
    COUNTER("enroll_rate_limited_total", "Enrollment requests refused with 429 by the per-address rate limit.", m->enroll_rate_limited);
    COUNTER("enroll_rate_evictions_total", "Addresses dropped from the full enrollment rate table (their budget restarts).",
            wfpw_enroll_rate_evictions());
    COUNTER("revoked_refused_total", "Connections refused because the client certificate is revoked.", m->revoked_refused);
    COUNTER("alerts_delivered_total", "Alert deliveries that succeeded.", alerts_delivered);
    COUNTER("alerts_failed_total", "Alert delivery attempts that failed (retried).", alerts_failed);
    GAUGE("connections", "Open connections.", m->connections_current);
    GAUGE("alert_outbox_pending", "Alert deliveries waiting in the outbox.", outbox_pending);
    return out->err;
}
