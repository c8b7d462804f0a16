/*
 * source.h — the event source interface: one struct of callbacks per source type, and the
 * calls a source makes into the pipeline. Adding a source touches no core file: it gets a
 * folder under src/sources/, exports `const struct wfpw_source_type wfpw_source_<name>`, and
 * one wfpw_register_source() line in agent/CMakeLists.txt puts it in the generated registry
 * (sources.h, from sources.h.in).
 *
 * Lifecycle (loop thread): init (config parsed into src->conf) -> start -> [pause/resume]*
 * -> close (frees src->state; also after a failed init or start). A source that reads on
 * its own thread (the live Windows sources, #6/#7) must hand events to the loop thread (uv_async
 * with a bounded, counted queue); all calls below happen on the loop thread. There is no
 * backpressure call: the spool is bounded by bytes and drops the oldest, counted.
 *
 * Positions: every event carries its position at the source, a number that grows along the
 * source (the replay source counts events; the event log has record ids). The spool stores
 * it; on restart src->resume_pos says where to continue (everything at or before it is
 * safely spooled or aggregated-and-spooled) and the pipeline drops re-read events that
 * were already spooled, so a crash neither loses nor duplicates.
 */
#ifndef WFPW_SOURCE_H
#define WFPW_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "wfpw/cfgtab.h"

struct uv_loop_s;
struct wfpw_pipeline;
struct wfpw_inventory;
struct wfpw_changed_by;
struct wfpw_proc;
struct wfpw_fwrule_change;
struct wfpw_regchange;
struct wfpw_regwho;

/* How the pipeline treats an event. */
enum wfpw_ev_kind {
    WFPW_EV_PASS = 0,        /* as is (alerts, status) */
    WFPW_EV_CONNECTION = 1,  /* connection-level block: shipped one by one, rate-limited per flow */
    WFPW_EV_PACKET = 2,      /* packet-level drop: merged per flow inside the window */
    /* flag, or'ed into one of the above: the source validated the whole event (proto v1) as it
     * read it, so the pipeline checks only the members it changes itself (numbering,
     * enrichment) instead of the whole event a second time */
    WFPW_EV_VALIDATED = 0x100
};

struct wfpw_source_counters {
    uint64_t events;         /* emitted */
    uint64_t skipped;        /* read but not shipped (permitted, unsupported, already spooled) */
    uint64_t errors;         /* malformed input */
    uint64_t snapshots;      /* inventories */
    uint64_t blocks;         /* connection_blocked among events */
};

struct wfpw_source {
    const struct wfpw_source_type *type;
    uint32_t index;              /* 1-based; the spool's source id */
    char name[48];               /* "replay#1" — the log instance */
    void *conf;                  /* the type's parsed config (owned by the agent config) */
    void *state;                 /* the type's own (set by init, freed by close) */
    struct uv_loop_s *loop;
    struct wfpw_pipeline *pipe;
    const char *data_dir;        /* the agent's data directory (borrowed): state a source keeps */
    uint64_t resume_pos;         /* continue after this position (0: from the start) */
    uint64_t last_pos;           /* position of the last event handed over */
    struct wfpw_source_counters ctr;
    char last_error[768];
    int paused, finished;
};

struct wfpw_source_type {
    const char *name;                     /* the "type" value in the config */
    const char *help;
    const struct wfpw_cfg_key *conf_keys; /* the type's keys (besides "type") */
    size_t nconf_keys;
    size_t conf_size;                     /* bytes of the parsed config struct */
    /* Check the parsed config and set up src->state; errors into err. */
    int (*init)(struct wfpw_source *src, char *err, size_t errlen);
    int (*start)(struct wfpw_source *src);
    void (*pause)(struct wfpw_source *src);
    void (*resume)(struct wfpw_source *src);
    void (*close)(struct wfpw_source *src);
    /* Add type-specific counters to out (an object). May be NULL. */
    void (*stats)(struct wfpw_source *src, cJSON *out);
};

/* ---- calls into the pipeline (loop thread) ------------------------------------------------- */

/* Hand over one proto event (the pipeline owns ev from now on, also on failure); its seq is
 * assigned by the pipeline. pos > src->last_pos. 0 or WFPW_E* (the event is counted as
 * dropped with that reason). */
int wfpw_source_emit(struct wfpw_source *src, cJSON *ev, enum wfpw_ev_kind kind, uint64_t pos);
/* A new filter inventory snapshot (the pipeline owns inv, also on failure); raw/rawlen is
 * its serialized form (netsh XML or JSON), kept so the next start diffs against it. */
int wfpw_source_snapshot(struct wfpw_source *src, struct wfpw_inventory *inv, const char *raw, size_t rawlen,
                         uint64_t pos);
/* The Security log reported who added or deleted a filter (5447): kept (bounded) so the next
 * inventory change set names them on that filter's events; the input at pos produces nothing
 * itself and advances the position. The process behind c->pid is resolved at once: with
 * WFPW_ATTR_LIVE from this host's processes while it may still run, else from the process
 * creations below (proctab.h); without it (a replayed capture: another host, or gone by now)
 * only from the creations read from the same capture, and the change carries no process when
 * those do not name it. */
#define WFPW_ATTR_LIVE 1
void wfpw_source_attribution(struct wfpw_source *src, const struct wfpw_changed_by *c, uint64_t pos, int flags);
/* A process was created (4688): kept (bounded) to name it when it has exited by the time its
 * filter change is read; produces nothing and advances the position. */
void wfpw_source_process_created(struct wfpw_source *src, const struct wfpw_proc *created, uint64_t pos);
/* A Windows Firewall rule was added, modified or deleted (the firewall's log): kept (bounded)
 * so the next change set names the rule and who changed it on the filters made from it;
 * produces nothing and advances the position. */
void wfpw_source_firewall_rule(struct wfpw_source *src, const struct wfpw_fwrule_change *c, uint64_t pos);
/* A registry value was created, modified or deleted (4657): its process resolved at once as
 * for wfpw_source_attribution (flags the same; a process gone with no 4688 keeps the image the
 * event names), then kept (bounded) so the surface source's next change set names who changed
 * what it reports; produces nothing and advances the position. Takes c->proc. */
void wfpw_source_registry_change(struct wfpw_source *src, struct wfpw_regchange *c, uint64_t pos, int flags);
/* The table of those changes, for the surface source (borrowed; lives as long as the pipeline). */
struct wfpw_regwho *wfpw_source_regwho(const struct wfpw_source *src);
/* Input at pos was read and deliberately produced nothing (permitted events, unknown ids):
 * it still advances the position. */
void wfpw_source_skip(struct wfpw_source *src, uint64_t pos);
/* Blocked connections the other sources of this agent have emitted so far (a net-event
 * subscription that stays silent while the Security log or the driver reports blocks is dead). */
uint64_t wfpw_source_blocks_elsewhere(const struct wfpw_source *src);
/* Report an input problem (counted, logged once per distinct message, in heartbeats). */
void wfpw_source_error(struct wfpw_source *src, const char *msg);
/* The source has nothing more to read (a replay without loop). */
void wfpw_source_finished(struct wfpw_source *src);

/* ---- registry (generated) ------------------------------------------------------------------ */

const struct wfpw_source_type *wfpw_source_type_find(const char *name);
/* The registered types, NULL-terminated. */
const struct wfpw_source_type *const *wfpw_source_types(void);

#endif
