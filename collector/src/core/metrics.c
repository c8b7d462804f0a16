/*
 * metrics.c — counters and their Prometheus text form (see metrics.h).
 */
#include "core/metrics.h"

struct wfpw_metrics wfpw_metrics;

static const char *const *route_names;
static int nroutes;

static const int statuses[WFPW_METRICS_STATUSES] = {200, 400, 401, 403, 404, 405, 408, 409, 411, 413,
                                                    414, 415, 417, 429, 431, 500, 501, 503, 0 /* other */};

void wfpw_metrics_set_routes(const char *const *names, int n)
{
    route_names = names;
    nroutes = n < WFPW_METRICS_ROUTES ? n : WFPW_METRICS_ROUTES;
}

void wfpw_metrics_request(int route, int status)
{
    int i;
    if (route < 0 || route >= nroutes)
        return;
    for (i = 0; i < WFPW_METRICS_STATUSES - 1; i++)
        if (statuses[i] == status)
            break;
    wfpw_metrics.requests[route][i]++;
}

int wfpw_metrics_render(struct wfpw_buf *out, const struct wfpw_metrics_extra *x)
{
    const struct wfpw_metrics *m = &wfpw_metrics;
    int r, s;
    wfpw_buf_puts(out, "# HELP wfpwatch_http_requests_total HTTP requests by route and status.\n"
                       "# TYPE wfpwatch_http_requests_total counter\n");
    for (r = 0; r < nroutes; r++)
        for (s = 0; s < WFPW_METRICS_STATUSES; s++)
            if (m->requests[r][s])
                wfpw_buf_printf(out, "wfpwatch_http_requests_total{route=\"%s\",status=\"%s%d\"} %llu\n",
                                route_names[r], statuses[s] ? "" : "other", statuses[s] ? statuses[s] : 0,
                                (unsigned long long)m->requests[r][s]);
#define COUNTER(name, help, value)                                                             \
    wfpw_buf_printf(out, "# HELP wfpwatch_" name " " help "\n# TYPE wfpwatch_" name " counter\n" \
                         "wfpwatch_" name " %llu\n", (unsigned long long)(value))
#define GAUGE(name, help, value)                                                               \
    wfpw_buf_printf(out, "# HELP wfpwatch_" name " " help "\n# TYPE wfpwatch_" name " gauge\n"   \
                         "wfpwatch_" name " %lld\n", (long long)(value))
    COUNTER("batches_accepted_total", "Batches stored.", m->batches_accepted);
    COUNTER("batches_duplicate_total", "Batches whose (host, batch id) was seen before (stored once).",
            m->batches_duplicate);
    COUNTER("batches_rejected_total", "Batches refused as malformed, too large or unauthenticated.", m->batches_rejected);
    COUNTER("batches_busy_total", "Batches refused with 429 while another batch of the same certificate was in flight.",
            m->batches_busy);
    COUNTER("events_accepted_total", "Events stored.", m->events_accepted);
    COUNTER("store_jobs_total", "Jobs run by the store thread.", m->store_jobs);
    COUNTER("store_latency_microseconds_total", "Time from job submission to completion, summed.", m->store_latency_us_sum);
    COUNTER("store_queue_full_total", "Requests refused with 429 because the store queue was full.", m->store_queue_full);
    COUNTER("tls_handshake_failures_total", "TLS handshakes that failed.", m->tls_handshake_failures);
    COUNTER("tls_client_key_refused_total",
            "Handshakes ended because the client certificate's key is outside the policy (checked before any signature).",
            m->client_key_refused);
    COUNTER("connections_total", "Connections accepted.", m->connections_total);
    COUNTER("connections_rejected_total", "Connections closed at once because max_connections was reached.", m->connections_rejected);
    COUNTER("connections_address_refused_total", "Connections closed at once: the address holds max_connections_per_address.",
            m->address_refused);
    COUNTER("handshakes_rate_refused_total", "Connections closed at once: the address exceeded handshakes_per_address_per_s.",
            m->handshake_rate_refused);
    COUNTER("timeouts_total", "Connections closed by the header, body or idle timeout.", m->timeouts);
    COUNTER("write_stalls_total", "Connections closed because their answers made no progress for write_timeout_ms.",
            m->write_stalls);
    COUNTER("read_pauses_total", "Times a connection stopped being read because too many answers waited for the client.",
            m->read_pauses);
    COUNTER("tls_idle_releases_total",
            "Times a connection fell idle and the inner pages of its TLS record buffers went back to the kernel.",
            m->tls_idle_releases);
    COUNTER("certs_issued_total", "Client certificates issued by enrollment or renewal.", m->certs_issued);
    COUNTER("certs_superseded_total", "Certificates revoked because the agent used the one that renewed them.",
            m->certs_superseded);
    COUNTER("enroll_refused_total", "Enrollment and renewal requests refused (token, CSR, conflict, revoked).", m->enroll_refused);
    COUNTER("enroll_rate_limited_total", "Enrollment requests refused with 429 by the per-address rate limit.", m->enroll_rate_limited);
    COUNTER("renew_rate_limited_total", "Renewal requests refused with 429 by the per-agent rate limit.", m->renew_rate_limited);
    COUNTER("enroll_busy_total", "Enrollment or renewal requests refused with 429: too many request checks in flight.",
            m->crypto_busy);
    COUNTER("enroll_rate_evictions_total", "Addresses dropped from the full enrollment rate table (their budget restarts).",
            x ? x->enroll_rate_evictions : 0);
    COUNTER("revoked_refused_total", "Connections refused because the client certificate is revoked.", m->revoked_refused);
    COUNTER("expired_refused_total", "Resumed sessions refused because the client certificate is expired or not yet valid.",
            m->expired_refused);
    COUNTER("api_unauthorized_total", "API requests refused for a missing, unknown or revoked token (never a store job).",
            m->unauthorized);
    COUNTER("api_token_refreshes_total", "Reloads of the in-memory API token set from the store.", m->token_refreshes);
    COUNTER("alerts_delivered_total", "Alert deliveries that succeeded.", x ? x->alerts_delivered : 0);
    COUNTER("alerts_failed_total", "Alert delivery attempts that failed (retried).", x ? x->alerts_failed : 0);
    GAUGE("connections", "Open connections.", m->connections_current);
    GAUGE("store_queue_depth", "Store jobs waiting.", x ? (int64_t)x->store_queue_depth : 0);
    GAUGE("alert_outbox_pending", "Alert deliveries waiting in the outbox.", x ? x->outbox_pending : 0);
    return out->err;
}
