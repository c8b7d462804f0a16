/*
 * enrich.h — what the agent adds to a blocked connection, and the block-burst alert.
 *
 * wfpw_enrich_blocked joins a connection_blocked event to the inventory current at that time
 * by the run-time filter id, but only when the filter's layer agrees with the event's (ids
 * are reused after BFE restarts; a _DISCARD layer agrees with its base layer), and sets the
 * verdict: stack_drop when no filter decided (id 0), default_block for Windows' own default
 * and catch-all filters, policy_block for any other filter, unknown when the id is not in
 * the inventory or the layers disagree.
 *
 * wfpw_burst counts blocks of security-product processes per executable in a sliding
 * window; reaching the threshold raises one alert per window, so a silencer that is not in
 * the inventory (a callout, a filter added and hidden) still surfaces. The table is bounded:
 * at capacity the longest-idle process is evicted, and evictions are counted.
 */
#ifndef WFPW_ENRICH_H
#define WFPW_ENRICH_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "inventory.h"

/* inv must have its id index (wfpw_inventory_index). 0, or WFPW_EINVAL for an event that is
 * not connection_blocked, WFPW_ENOMEM. */
int wfpw_enrich_blocked(cJSON *ev, const struct wfpw_inventory *inv);
/* The verdict for a filter (NULL: not found) and the event's filter id. */
const char *wfpw_verdict(const struct wfpw_filter *f, uint64_t filter_id);

struct wfpw_burst;
struct wfpw_burst *wfpw_burst_new(size_t max_processes, unsigned threshold, int64_t window_ms);
void wfpw_burst_free(struct wfpw_burst *b);
/* Record a block of path at t. Returns 1 when this block makes a security product's count
 * reach the threshold inside the window (once per window per process), else 0. */
int wfpw_burst_add(struct wfpw_burst *b, const char *path, int64_t t_ms, const char *const *extra, size_t nextra);
uint64_t wfpw_burst_evictions(const struct wfpw_burst *b);
/* The alert event for a burst (proto v1, rule "edr-block-burst", severity high). */
cJSON *wfpw_burst_alert(uint64_t seq, int64_t time_ms, const char *path, unsigned count, int64_t window_ms);

#endif
