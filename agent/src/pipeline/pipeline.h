/*
 * pipeline.h — what happens to an event between its source and the spool: enrichment with
 * the current filter inventory, the block-burst detector, per-flow aggregation, sequence
 * numbering, validation against proto v1, and the durable append; plus inventory snapshots
 * (diffed into change-set events and kept in data_dir for the next start), the aggregation
 * window that also commits source positions, and heartbeats.
 *
 * Exactly once across crashes (docs/internals/SPOOL.md): a source's position is committed
 * only when the window closes, i.e. when nothing of it is held in memory; re-read events
 * that the spool already holds (position <= the spooled mark) are dropped here; events the
 * pipeline derives from an input (alerts, change sets) carry that input's position.
 */
#ifndef WFPW_PIPELINE_H
#define WFPW_PIPELINE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "source.h"
#include "spool.h"

struct uv_loop_s;
struct wfpw_pipeline;

/* Drop reasons reported in heartbeats ("dropped" object). */
enum wfpw_drop {
    WFPW_DROP_SPOOL_FULL = 0,   /* lost to the spool's byte bound */
    WFPW_DROP_INVALID,          /* failed proto validation (a converter bug) */
    WFPW_DROP_IO,               /* spool write failed */
    WFPW_DROP_NOMEM,
    WFPW_DROP_MAX
};

/* Called after events were appended (n of them, bytes of JSON) so the shipper can cut;
 * urgent when an alert is among them (shipped without waiting for batch.max_delay_ms). */
typedef void (*wfpw_pipeline_notify_cb)(void *ctx, uint64_t n, uint64_t bytes, int urgent);
/* Adds the shipper's part to a heartbeat's stats object. */
typedef void (*wfpw_pipeline_stats_cb)(void *ctx, cJSON *stats);

/* Create; data_dir holds inventory.snapshot. The pipeline borrows cfg, spool and sources
 * (owned by the agent). NULL with err on failure. */
struct wfpw_pipeline *wfpw_pipeline_new(struct uv_loop_s *loop, const struct wfpw_agent_cfg *cfg,
                                        struct wfpw_spool *spool, struct wfpw_source *sources, size_t nsources,
                                        char *err, size_t errlen);
void wfpw_pipeline_set_hooks(struct wfpw_pipeline *p, wfpw_pipeline_notify_cb notify,
                             wfpw_pipeline_stats_cb stats, void *ctx);
/* Start the window and heartbeat timers. */
int wfpw_pipeline_start(struct wfpw_pipeline *p);
/* Append an event of the agent itself (agent_status...); takes ev. */
int wfpw_pipeline_emit_own(struct wfpw_pipeline *p, cJSON *ev);
/* Close the window now: flush aggregates, commit every source's position. */
int wfpw_pipeline_close_window(struct wfpw_pipeline *p);
/* Emit a heartbeat now. */
int wfpw_pipeline_heartbeat(struct wfpw_pipeline *p);
/* 1 when every source has finished (replay without loop). */
int wfpw_pipeline_sources_finished(const struct wfpw_pipeline *p);
/* Stop timers (uv_close); the pipeline is freed by wfpw_pipeline_free after the loop ran
 * the close callbacks. */
void wfpw_pipeline_stop(struct wfpw_pipeline *p);
void wfpw_pipeline_free(struct wfpw_pipeline *p);
/* Counts of dropped events by reason (for tests and check output). */
uint64_t wfpw_pipeline_dropped(const struct wfpw_pipeline *p, enum wfpw_drop why);

#endif
