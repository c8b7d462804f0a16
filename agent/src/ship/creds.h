/*
 * creds.h — the agent's credentials over time: enroll on first start when there is no
 * certificate (collector.enroll_token), renew when two thirds of the certificate's life have
 * passed, retry with backoff when the collector cannot be reached. The blocking work
 * (enroll.h) runs on a libuv worker thread; results are installed on the loop thread.
 *
 * While the agent has no certificate at all the shipper is held (events wait in the spool);
 * during a renewal it keeps shipping with the current certificate until the new pair is in
 * place.
 */
#ifndef WFPW_CREDS_H
#define WFPW_CREDS_H

#include <cjson/cJSON.h>

#include "config.h"

struct uv_loop_s;
struct wfpw_creds;

/* ready(ctx) runs on the loop when a first certificate is in place. */
typedef void (*wfpw_creds_ready_fn)(void *ctx);

/* Borrows cfg (and hostname, copied). NULL on allocation failure. */
struct wfpw_creds *wfpw_creds_new(struct uv_loop_s *loop, const struct wfpw_agent_cfg *cfg, const char *hostname,
                                  wfpw_creds_ready_fn ready, void *ctx);
/* Returns 1 when the agent must wait for enrollment (hold the shipper), 0 when a certificate
 * is there (renewal is scheduled), or WFPW_E* with err set (no certificate and no token, or
 * a CA file that does not match the pinned fingerprint is checked later, by the worker). */
int wfpw_creds_start(struct wfpw_creds *c, char *err, size_t errlen);
/* {"credentials": {...}} into a heartbeat's stats. */
void wfpw_creds_stats(const struct wfpw_creds *c, cJSON *stats);
/* Stop timers; a request in flight is aborted (curl's progress callback, within a second) and
 * its result discarded. The loop must run once more before wfpw_creds_free. */
void wfpw_creds_stop(struct wfpw_creds *c);
void wfpw_creds_free(struct wfpw_creds *c);

#endif
