/*
 * ship.h — the shipper: cuts batches from the spool and POSTs them to the collector over
 * HTTPS with the agent's client certificate, through libcurl's multi interface driven by
 * the libuv loop (curl_multi_socket_action with uv_poll and a uv_timer — nothing blocks the
 * loop). One batch is in flight at a time, so events arrive in order per agent.
 *
 * Batches close at batch.max_events, batch.max_bytes of JSON or batch.max_delay_ms after
 * their oldest event arrived. The id of a batch is fixed when it is first cut and kept in
 * the spool's state, so a retry — even after a crash — carries the same id and the
 * collector stores it once. Answers:
 *   2xx                      acknowledged: the range is released from the spool
 *   connect/TLS error, 401, 403, 408, 429, 5xx
 *                            retried with full-jitter backoff (retry.min_ms .. retry.max_ms;
 *                            Retry-After is honoured); the error is logged and reported
 *   413                      the batch is split in two (and later batches are cut smaller)
 *   any other 4xx            the batch goes to data_dir/quarantine/<id>.json (+ .reason), is
 *                            counted and reported, and shipping goes on
 * One curl easy handle is reused, so the connection and the TLS session stay up (keep-alive);
 * a steady agent makes one full handshake for as long as the collector keeps the connection.
 */
#ifndef WFPW_SHIP_H
#define WFPW_SHIP_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "spool.h"

struct uv_loop_s;
struct wfpw_shipper;

struct wfpw_ship_ident {
    const char *agent_id, *hostname, *version, *os;
};

/* NULL with err on failure (curl init, quarantine folder). Borrows cfg and spool. */
struct wfpw_shipper *wfpw_shipper_new(struct uv_loop_s *loop, const struct wfpw_agent_cfg *cfg,
                                      struct wfpw_spool *spool, const struct wfpw_ship_ident *id,
                                      char *err, size_t errlen);
/* n events of bytes JSON were appended to the spool; urgent (an alert among them): the next
 * batch is cut as soon as no batch is in flight, not batch.max_delay_ms after its first event.
 * One batch is in flight at a time, so a storm of alerts costs at most one request per round
 * trip. */
void wfpw_shipper_notify(struct wfpw_shipper *s, uint64_t n, uint64_t bytes, int urgent);
/* hold = 1: cut and send nothing (the agent has no certificate yet); 0: go on. */
void wfpw_shipper_hold(struct wfpw_shipper *s, int hold);
/* Ship whatever is spooled now, ignoring max_delay (shutdown). */
void wfpw_shipper_flush_now(struct wfpw_shipper *s);
/* 1 when nothing is in flight and nothing durable is unsent. */
int wfpw_shipper_drained(const struct wfpw_shipper *s);
/* Add {"shipper": {...}} to a heartbeat's stats. */
void wfpw_shipper_stats(struct wfpw_shipper *s, cJSON *stats);
/* Abort a transfer in flight, close handles; the loop must run once more before
 * wfpw_shipper_free. */
void wfpw_shipper_stop(struct wfpw_shipper *s);
void wfpw_shipper_free(struct wfpw_shipper *s);

#endif
