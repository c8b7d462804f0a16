/*
 * aggr.h — per-flow aggregation of blocked connections inside one window.
 *
 * A flow is (source, direction, protocol, local, remote, process, filter id, layer).
 * Packet-level drops (5152, net-event drops, transport discards) are all merged: the flow's
 * first event is kept and its count, first_seen and last_seen grow. Connection-level blocks
 * pass one by one up to flow_burst per flow and window; beyond that they are merged the same
 * way (a scan or a retry storm becomes one event with a count, never a silent loss).
 *
 * The window is closed by the caller (wfpw_aggr_flush), which emits the merged events in
 * the order their flows first appeared — deterministic, so re-reading the same input after
 * a crash produces the same events. Bounded: at max_flows, add returns WFPW_ETOOBIG and the
 * caller closes the window early.
 */
#ifndef WFPW_AGGR_H
#define WFPW_AGGR_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct wfpw_aggr;

struct wfpw_aggr *wfpw_aggr_new(size_t max_flows, uint64_t flow_burst);
void wfpw_aggr_free(struct wfpw_aggr *a);
/* Offer a connection_blocked event. Returns 0: pass it on now (the caller keeps ev);
 * 1: absorbed (the aggregator owns ev); WFPW_ETOOBIG: no room for a new flow (caller keeps
 * ev; flush, then offer again); WFPW_ENOMEM. */
int wfpw_aggr_add(struct wfpw_aggr *a, cJSON *ev, int packet_level);
/* Emit every merged event (emit takes ownership) and start a new window. Stops at the
 * first emit error and returns it (the rest are freed and counted in lost). */
typedef int (*wfpw_aggr_emit_cb)(void *ctx, cJSON *ev);
int wfpw_aggr_flush(struct wfpw_aggr *a, wfpw_aggr_emit_cb emit, void *ctx);
size_t wfpw_aggr_flows(const struct wfpw_aggr *a);
/* Events held in merged form right now (what a crash would make the source re-read). */
uint64_t wfpw_aggr_held(const struct wfpw_aggr *a);
/* Totals since creation: events merged away, merged events emitted, windows closed early. */
struct wfpw_aggr_stats {
    uint64_t merged, emitted, early_closes, lost;
};
void wfpw_aggr_stats(const struct wfpw_aggr *a, struct wfpw_aggr_stats *out);
void wfpw_aggr_note_early_close(struct wfpw_aggr *a);

#endif
