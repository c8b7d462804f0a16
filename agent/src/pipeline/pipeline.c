/*
 * pipeline.c — see pipeline.h. Runs on the loop thread; every source call lands here.
 */
#include "pipeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "aggr.h"
#include "attrib.h"
#include "changeset.h"
#include "enrich.h"
#include "wfpw/fileio.h"
#include "inventory.h"
#include "jsoninv.h"
#include "platform.h"
#include "regwho.h"
#include "rules.h"
#include "uuidgen.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"
#include "wfpw/timefmt.h"

#define SNAPSHOT_MAX (256u << 20)
#define ATTRIB_MAX 4096   /* recent filter changes kept for attribution (5447) */
#define PROCTAB_MAX 4096  /* recent process creations (4688) kept to name exited processes */
#define FWRULES_MAX 1024  /* recent firewall rule changes kept to name the rule behind MPSSVC filters */
#define REGWHO_MAX 1024   /* recent registry value changes (4657) kept to name who changed the surface */

static const char *const drop_names[WFPW_DROP_MAX] = {"spool_full", "invalid", "io_error", "out_of_memory"};

struct wfpw_pipeline {
    uv_loop_t *loop;
    const struct wfpw_agent_cfg *cfg;
    struct wfpw_spool *spool;
    struct wfpw_source *sources;          /* borrowed */
    size_t nsources;
    struct wfpw_aggr *aggr;
    struct wfpw_burst *burst;
    struct wfpw_attrib *attrib;           /* who changed which filter, from the Security log */
    struct wfpw_proctab *proctab;         /* process creations (4688), for processes gone by then */
    struct wfpw_fwrules *fwrules;         /* firewall rule changes (the firewall's operational log) */
    struct wfpw_regwho *regwho;           /* registry value changes (4657), for the surface source */
    struct wfpw_inventory *inv;           /* current inventory (indexed), NULL before the first */
    int have_persisted;                   /* inv came from inventory.snapshot */
    struct wfpw_rules_cfg rules;
    const char *products[WFPW_CFG_LIST_MAX], *allow[WFPW_CFG_LIST_MAX], *collector[WFPW_CFG_LIST_MAX];
    char collector_addr[WFPW_CFG_LIST_MAX][256];  /* each collector.url whose host is an address */
    int min_alert_rank;
    uv_timer_t window_timer, heartbeat_timer;
    int timers_started;
    uint64_t dropped[WFPW_DROP_MAX];
    uint64_t replay_skipped;              /* re-read after a restart, already spooled */
    char last_error[1024];
    int64_t started_ms;
    wfpw_pipeline_notify_cb notify;
    wfpw_pipeline_stats_cb stats;
    void *hook_ctx;
    uint64_t pending_n, pending_bytes;    /* appended since the last notify */
    int pending_urgent;                   /* an alert among them: ship without waiting */
    int in_drop_report;
    struct wfpw_buf record;               /* an event's spool record as it is written (append) */
};

static void set_error(struct wfpw_pipeline *p, const char *comp, const char *inst, const char *msg)
{
    if (strcmp(p->last_error, msg) != 0)
        wfpw_log_error(comp, inst, "%s", msg);
    snprintf(p->last_error, sizeof(p->last_error), "%s", msg);
}

/* ---- the spool end -------------------------------------------------------------------------- */

static void report_spool_drops(struct wfpw_pipeline *p);

/* What the pipeline itself sets on an event after a source made it: its number, and the
 * enrichment's filter reference and verdict (enrich.c). An event the source validated whole is
 * checked again in these members only. */
static const char *const changed_here[] = {"seq", "filter", "verdict", NULL};

/* Number, check and append one event; ev is consumed. checked: the source validated it whole
 * (WFPW_EV_VALIDATED) and only changed_here members changed since. */
static int append(struct wfpw_pipeline *p, uint32_t src, uint64_t pos, cJSON *ev, int checked)
{
    struct wfpw_proto_err perr;
    struct wfpw_buf *out;
    uint64_t seq = wfpw_spool_next_seq(p->spool);
    const cJSON *type = wfpw_json_get(ev, "type");
    int urgent = cJSON_IsString(type) && strcmp(type->valuestring, "alert") == 0, rc;

    if (!cJSON_ReplaceItemInObjectCaseSensitive(ev, "seq", cJSON_CreateNumber((double)seq))) {
        cJSON_Delete(ev);
        p->dropped[WFPW_DROP_NOMEM]++;
        return WFPW_ENOMEM;
    }
    if ((rc = checked ? wfpw_event_validate_members(ev, changed_here, "event", &perr)
                      : wfpw_event_validate(ev, "event", &perr)) != 0) {
        char msg[600];
        snprintf(msg, sizeof(msg), "event dropped, not valid proto v1 (%s: %s)", perr.field, perr.msg);
        set_error(p, "pipeline", src ? p->sources[src - 1].name : "agent", msg);
        cJSON_Delete(ev);
        p->dropped[WFPW_DROP_INVALID]++;
        return rc;
    }
    out = &p->record;  /* kept between events: no allocation per event */
    wfpw_buf_reset(out);
    rc = wfpw_json_write(ev, out);
    cJSON_Delete(ev);
    if (rc == 0)
        rc = wfpw_spool_append(p->spool, seq, src, pos, out->data, out->len, wfpw__plat_time_ms());
    if (rc != 0) {
        char msg[256];
        snprintf(msg, sizeof(msg), "spool append failed: %s", wfpw_strerror(rc));
        set_error(p, "spool", "append", msg);
        p->dropped[rc == WFPW_ENOMEM ? WFPW_DROP_NOMEM : WFPW_DROP_IO]++;
    } else {
        p->pending_n++;
        p->pending_bytes += out->len;
        p->pending_urgent |= urgent;
    }
    if (out->cap > (64u << 10))
        wfpw_buf_free(out);  /* a rare large record: do not keep its memory */
    report_spool_drops(p);
    return rc;
}

static void report_spool_drops(struct wfpw_pipeline *p)
{
    uint64_t n;
    char msg[256];
    cJSON *ev;
    if (p->in_drop_report)
        return;
    p->in_drop_report = 1;
    while ((n = wfpw_spool_take_dropped(p->spool)) > 0) {
        struct wfpw_spool_stats st;
        p->dropped[WFPW_DROP_SPOOL_FULL] += n;
        wfpw_spool_stats(p->spool, &st);
        snprintf(msg, sizeof(msg), "spool full (%" PRIu64 " bytes): %" PRIu64 " oldest unacknowledged events dropped (%" PRIu64
                 " in total)", (uint64_t)p->cfg->spool_max_bytes, n, p->dropped[WFPW_DROP_SPOOL_FULL]);
        wfpw_log_warn("spool", "bound", "%s", msg);
        snprintf(p->last_error, sizeof(p->last_error), "%s", msg);
        ev = wfpw_event_agent_status(1, wfpw__plat_time_ms(), "degraded", msg);
        /* dropped: this time; dropped_total: since start, so a later report covers an
         * earlier one that was itself lost to the bound */
        if (ev && cJSON_AddNumberToObject(ev, "dropped", (double)n) &&
            cJSON_AddNumberToObject(ev, "dropped_total", (double)p->dropped[WFPW_DROP_SPOOL_FULL]))
            append(p, 0, 0, ev, 0);
        else
            cJSON_Delete(ev);
    }
    p->in_drop_report = 0;
}

static void notify(struct wfpw_pipeline *p)
{
    if (p->pending_n && p->notify)
        p->notify(p->hook_ctx, p->pending_n, p->pending_bytes, p->pending_urgent);
    p->pending_n = p->pending_bytes = 0;
    p->pending_urgent = 0;
}

/* ---- window ------------------------------------------------------------------------------- */

static int emit_merged(void *ctx, cJSON *ev)
{
    return append(ctx, 0, 0, ev, 0);
}

int wfpw_pipeline_close_window(struct wfpw_pipeline *p)
{
    size_t i;
    int rc = wfpw_aggr_flush(p->aggr, emit_merged, p), rc2;
    if (rc != 0)
        return rc;  /* keep positions where they are: the held events are re-read */
    for (i = 0; i < p->nsources; i++) {
        struct wfpw_source *s = &p->sources[i];
        if (s->last_pos > 0 && (rc2 = wfpw_spool_commit(p->spool, s->index, s->last_pos)) != 0) {
            char msg[256];
            snprintf(msg, sizeof(msg), "cannot commit the source position: %s", wfpw_strerror(rc2));
            set_error(p, "spool", s->name, msg);
            rc = rc2;
        }
    }
    notify(p);
    return rc;
}

static void on_window(uv_timer_t *t)
{
    wfpw_pipeline_close_window(t->data);
}

/* ---- from sources ------------------------------------------------------------------------- */

static int already_spooled(struct wfpw_pipeline *p, struct wfpw_source *src, uint64_t pos)
{
    uint64_t resume, spooled;
    wfpw_spool_position(p->spool, src->index, &resume, &spooled);
    return pos != 0 && pos <= spooled;
}

/* Events derived from one input share its position, so whether that input is already in the
 * spool (re-read after a restart) is decided once, before any of them is appended: asking again
 * after the first sibling is in would wrongly drop the rest. */
static int derived(struct wfpw_pipeline *p, struct wfpw_source *src, uint64_t pos, int replayed, cJSON *ev,
                   int checked)
{
    if (replayed) {
        cJSON_Delete(ev);
        p->replay_skipped++;
        return 0;
    }
    return append(p, src->index, pos, ev, checked);
}

static const char *jstr(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = wfpw_json_get(o, a);
    if (b)
        v = wfpw_json_get(v, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int wfpw_source_emit(struct wfpw_source *src, cJSON *ev, enum wfpw_ev_kind flags, uint64_t pos)
{
    struct wfpw_pipeline *p = src->pipe;
    const int checked = (flags & WFPW_EV_VALIDATED) != 0;
    const enum wfpw_ev_kind kind = (enum wfpw_ev_kind)(flags & ~WFPW_EV_VALIDATED);
    const char *type = jstr(ev, "type", NULL);
    int replayed = already_spooled(p, src, pos), rc;
    cJSON *alert = NULL;  /* owned here until appended: it follows the block that caused it */

    if (pos > src->last_pos)
        src->last_pos = pos;
    src->ctr.events++;
    if (type && strcmp(type, "connection_blocked") == 0) {
        const char *path = jstr(ev, "process", "path");
        int64_t t = 0;
        src->ctr.blocks++;
        if (p->inv)
            wfpw_enrich_blocked(ev, p->inv);
        if (path && wfpw_time_parse_ms(jstr(ev, "time", NULL), &t) == 0 &&
            wfpw_burst_add(p->burst, path, t, p->rules.extra_products, p->rules.nextra))
            alert = wfpw_burst_alert(1, t, path, (unsigned)p->cfg->burst_threshold, p->cfg->burst_window_ms);
        if (kind != WFPW_EV_PASS) {
            rc = wfpw_aggr_add(p->aggr, ev, kind == WFPW_EV_PACKET);
            if (rc == WFPW_ETOOBIG) {
                wfpw_aggr_note_early_close(p->aggr);
                /* everything before this event is handled: commit up to pos - 1 */
                src->last_pos = pos - 1;
                wfpw_pipeline_close_window(p);
                src->last_pos = pos;
                rc = wfpw_aggr_add(p->aggr, ev, kind == WFPW_EV_PACKET);
            }
            if (rc == 1) {  /* held by the aggregator, appended when the window closes */
                if (alert)
                    derived(p, src, pos, replayed, alert, 0);
                notify(p);
                return 0;
            }
            if (rc < 0) {
                cJSON_Delete(ev);
                cJSON_Delete(alert);
                p->dropped[WFPW_DROP_NOMEM]++;
                return rc;
            }
        }
    }
    rc = derived(p, src, pos, replayed, ev, checked);
    if (alert) {
        int rc2 = derived(p, src, pos, replayed, alert, 0);
        rc = rc ? rc : rc2;
    }
    notify(p);
    return rc;
}

void wfpw_source_attribution(struct wfpw_source *src, const struct wfpw_changed_by *c, uint64_t pos, int flags)
{
    struct wfpw_changed_by r = *c;
    int live = (flags & WFPW_ATTR_LIVE) != 0;
    r.proc = c->pid >= 0 ? wfpw_proc_resolve(src->pipe->proctab, live ? wfpw__plat_process_query : NULL, src->index,
                                             c->pid, c->time_ms)
                         : NULL;
    if (!live && r.proc != NULL && r.proc->from == WFPW_PROC_UNRESOLVED) {  /* the capture did not say: say nothing */
        wfpw_proc_found_free(r.proc);
        r.proc = NULL;
    }
    wfpw_attrib_record(src->pipe->attrib, &r);  /* takes r.proc */
    wfpw_source_skip(src, pos);
}

void wfpw_source_registry_change(struct wfpw_source *src, struct wfpw_regchange *c, uint64_t pos, int flags)
{
    int live = (flags & WFPW_ATTR_LIVE) != 0;
    /* also without a process id: the image the event names is still worth keeping */
    c->proc = wfpw_proc_resolve(src->pipe->proctab, live ? wfpw__plat_process_query : NULL, src->index, c->pid,
                                c->time_ms);
    if (c->proc != NULL && c->proc->from == WFPW_PROC_UNRESOLVED && c->process_name != NULL &&
        c->proc->p.image == NULL) {
        /* gone, and no 4688: the 4657 names the image itself */
        if (wfpw_proc_set(&c->proc->p.image, c->process_name) == 0 && c->proc->p.image != NULL)
            wfpw_proc_found_note(c->proc, "image as event 4657 names it");
    }
    if (wfpw_regwho_record(src->pipe->regwho, c) == WFPW_ENOMEM)  /* takes c->proc */
        src->ctr.errors++;  /* out of memory: the change is lost (counted) */
    wfpw_source_skip(src, pos);
}

struct wfpw_regwho *wfpw_source_regwho(const struct wfpw_source *src)
{
    return src->pipe->regwho;
}

void wfpw_source_firewall_rule(struct wfpw_source *src, const struct wfpw_fwrule_change *c, uint64_t pos)
{
    if (wfpw_fwrules_record(src->pipe->fwrules, c) == WFPW_ENOMEM)
        src->ctr.errors++;  /* out of memory: the change is lost (counted) */
    wfpw_source_skip(src, pos);
}

void wfpw_source_process_created(struct wfpw_source *src, const struct wfpw_proc *created, uint64_t pos)
{
    struct wfpw_proc c = *created;  /* shallow: recorded as a deep copy, with its source */
    c.source = src->index;
    if (wfpw_proctab_record(src->pipe->proctab, &c) == WFPW_ENOMEM)
        src->ctr.errors++;  /* out of memory: the creation is lost (counted) */
    wfpw_source_skip(src, pos);
}

uint64_t wfpw_source_blocks_elsewhere(const struct wfpw_source *src)
{
    const struct wfpw_pipeline *p = src->pipe;
    uint64_t n = 0;
    size_t i;
    for (i = 0; i < p->nsources; i++)
        if (&p->sources[i] != src)
            n += p->sources[i].ctr.blocks;
    return n;
}

void wfpw_source_skip(struct wfpw_source *src, uint64_t pos)
{
    if (pos > src->last_pos)
        src->last_pos = pos;
    src->ctr.skipped++;
}

void wfpw_source_error(struct wfpw_source *src, const char *msg)
{
    src->ctr.errors++;
    if (strcmp(src->last_error, msg) != 0)
        wfpw_log_error("source", src->name, "%s", msg);
    snprintf(src->last_error, sizeof(src->last_error), "%.700s", msg);
    snprintf(src->pipe->last_error, sizeof(src->pipe->last_error), "%.48s: %.900s", src->name, msg);
}

void wfpw_source_finished(struct wfpw_source *src)
{
    if (!src->finished)
        wfpw_log_info("source", src->name, "finished (%" PRIu64 " events, %" PRIu64 " skipped, %" PRIu64 " errors)",
                      src->ctr.events, src->ctr.skipped, src->ctr.errors);
    src->finished = 1;
}

static int persist_snapshot(struct wfpw_pipeline *p, const char *raw, size_t len)
{
    char path[WFPW_CFG_STR_MAX + 32];
    int rc;
    snprintf(path, sizeof(path), "%s/inventory.snapshot", p->cfg->data_dir);
    /* the change-set events first, then the snapshot they were computed from */
    if ((rc = wfpw_spool_flush(p->spool, 1)) != 0)
        return rc;
    return wfpw_file_write_atomic(path, raw, len);
}

int wfpw_source_snapshot(struct wfpw_source *src, struct wfpw_inventory *inv, const char *raw, size_t rawlen,
                         uint64_t pos)
{
    struct wfpw_pipeline *p = src->pipe;
    struct wfpw_changeset_opts o;
    char cs[WFPW_UUID_LEN + 1];
    cJSON *events = NULL, *ev;
    uint64_t seq = 1;
    int rc;

    if (pos > src->last_pos)
        src->last_pos = pos;
    src->ctr.snapshots++;
    if ((rc = wfpw_inventory_index(inv)) != 0)
        goto out;
    if (!already_spooled(p, src, pos)) {  /* asked once for the whole change set (see derived) */
        memset(&o, 0, sizeof(o));
        if ((rc = wfpw_uuid_new(cs)) != 0)
            goto out;
        o.rules = &p->rules, o.min_alert_rank = p->min_alert_rank, o.change_set = cs, o.attrib = p->attrib;
        o.fwrules = p->fwrules;
        o.time_ms = wfpw__plat_time_ms();
        if ((rc = wfpw_changeset_events(p->inv, inv, &o, &seq, &events)) != 0)
            goto out;
        while ((ev = events->child) != NULL) {
            cJSON_DetachItemViaPointer(events, ev);
            src->ctr.events++;
            if ((rc = append(p, src->index, pos, ev, 0)) != 0 && rc != WFPW_EPROTO)
                break;
            rc = 0;
        }
        cJSON_Delete(events);
        if (rc != 0)
            goto out;
    } else {
        p->replay_skipped++;
    }
    if ((rc = persist_snapshot(p, raw, rawlen)) != 0) {
        char msg[256];
        snprintf(msg, sizeof(msg), "cannot keep the inventory snapshot: %s", wfpw_strerror(rc));
        set_error(p, "pipeline", src->name, msg);
        rc = 0; /* the events are spooled; the next start diffs against an older snapshot */
    }
    if (p->inv) {
        wfpw_inventory_free(p->inv);
        wfpw_free(p->inv);
    }
    p->inv = inv;
    inv = NULL;
out:
    if (inv) {
        wfpw_inventory_free(inv);
        wfpw_free(inv);
    }
    notify(p);
    return rc;
}

int wfpw_pipeline_emit_own(struct wfpw_pipeline *p, cJSON *ev)
{
    int rc = append(p, 0, 0, ev, 0);
    notify(p);
    return rc;
}

/* ---- heartbeat ---------------------------------------------------------------------------- */

int wfpw_pipeline_heartbeat(struct wfpw_pipeline *p)
{
    cJSON *stats = cJSON_CreateObject(), *by, *dr, *srcs, *sp, *ag;
    struct wfpw_spool_stats st;
    struct wfpw_aggr_stats as;
    int64_t now = wfpw__plat_time_ms();
    size_t i;

    if (stats == NULL)
        return WFPW_ENOMEM;
    wfpw_spool_stats(p->spool, &st);
    wfpw_aggr_stats(p->aggr, &as);
    by = cJSON_AddObjectToObject(stats, "events_by_source");
    dr = cJSON_AddObjectToObject(stats, "dropped");
    cJSON_AddNumberToObject(stats, "spool_bytes", (double)st.bytes);
    if (p->last_error[0])
        cJSON_AddStringToObject(stats, "last_error", p->last_error);
    else
        cJSON_AddNullToObject(stats, "last_error");
    srcs = cJSON_AddObjectToObject(stats, "sources");
    for (i = 0; i < p->nsources && by && srcs; i++) {
        struct wfpw_source *s = &p->sources[i];
        cJSON *o = cJSON_AddObjectToObject(srcs, s->name);
        cJSON_AddNumberToObject(by, s->name, (double)s->ctr.events);
        if (o == NULL)
            continue;
        cJSON_AddStringToObject(o, "type", s->type->name);
        cJSON_AddNumberToObject(o, "events", (double)s->ctr.events);
        cJSON_AddNumberToObject(o, "skipped", (double)s->ctr.skipped);
        cJSON_AddNumberToObject(o, "errors", (double)s->ctr.errors);
        cJSON_AddNumberToObject(o, "snapshots", (double)s->ctr.snapshots);
        cJSON_AddBoolToObject(o, "finished", s->finished);
        if (s->last_error[0])
            cJSON_AddStringToObject(o, "last_error", s->last_error);
        if (s->type->stats)
            s->type->stats(s, o);
    }
    for (i = 0; i < WFPW_DROP_MAX && dr; i++)
        cJSON_AddNumberToObject(dr, drop_names[i], (double)p->dropped[i]);
    if ((sp = cJSON_AddObjectToObject(stats, "spool")) != NULL) {
        cJSON_AddNumberToObject(sp, "segments", (double)st.segments);
        cJSON_AddNumberToObject(sp, "unacked_events", (double)st.unacked);
        cJSON_AddNumberToObject(sp, "oldest_unacked_age_ms",
                                (double)(st.oldest_unacked_ms && now > st.oldest_unacked_ms ? now - st.oldest_unacked_ms : 0));
        cJSON_AddNumberToObject(sp, "dropped_bytes", (double)st.dropped_bytes);
        cJSON_AddNumberToObject(sp, "fsyncs", (double)st.fsyncs);
        cJSON_AddNumberToObject(sp, "replay_skipped", (double)p->replay_skipped);
    }
    if ((ag = cJSON_AddObjectToObject(stats, "aggregation")) != NULL) {
        cJSON_AddNumberToObject(ag, "merged", (double)as.merged);
        cJSON_AddNumberToObject(ag, "merged_events_sent", (double)as.emitted);
        cJSON_AddNumberToObject(ag, "early_closes", (double)as.early_closes);
        cJSON_AddNumberToObject(ag, "burst_evictions", (double)wfpw_burst_evictions(p->burst));
    }
    {
        struct wfpw_attrib_stats at = wfpw_attrib_stats(p->attrib);
        struct wfpw_proctab_stats ps = wfpw_proctab_stats(p->proctab);
        struct wfpw_fwrules_stats fs = wfpw_fwrules_stats(p->fwrules);
        struct wfpw_regwho_stats rs = wfpw_regwho_stats(p->regwho);
        const struct {
            const char *name;
            uint64_t v;
        } att[] = {
            {"filter_changes_seen", at.recorded}, {"events_attributed", at.matched}, {"evicted", at.evicted},
            {"process_creations_seen", ps.recorded}, {"process_creations_evicted", ps.evicted},
            {"processes_running", ps.running}, {"processes_from_4688", ps.from_events},
            {"processes_unresolved", ps.unresolved}, {"firewall_rule_changes_seen", fs.recorded},
            {"filters_given_their_rule", fs.matched}, {"firewall_rule_changes_evicted", fs.evicted},
            {"registry_changes_seen", rs.recorded}, {"surface_changes_attributed", rs.matched},
            {"registry_changes_evicted", rs.evicted},
        };
        cJSON *ao = cJSON_AddObjectToObject(stats, "attribution");
        size_t k;
        for (k = 0; ao && k < sizeof(att) / sizeof(att[0]); k++)
            cJSON_AddNumberToObject(ao, att[k].name, (double)att[k].v);
    }
    cJSON_AddNumberToObject(stats, "uptime_s", (double)((now - p->started_ms) / 1000));
    if (p->stats)
        p->stats(p->hook_ctx, stats);
    return wfpw_pipeline_emit_own(p, wfpw_event_heartbeat(1, now, stats));
}

static void on_heartbeat(uv_timer_t *t)
{
    wfpw_pipeline_heartbeat(t->data);
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

static void load_snapshot(struct wfpw_pipeline *p)
{
    char path[WFPW_CFG_STR_MAX + 32], err[256];
    struct wfpw_inventory *inv;
    snprintf(path, sizeof(path), "%s/inventory.snapshot", p->cfg->data_dir);
    if ((inv = wfpw_malloc(sizeof(*inv))) == NULL)
        return;
    wfpw_inventory_init(inv);
    if (wfpw_inventory_read_file(path, inv, err, sizeof(err)) == 0 && wfpw_inventory_index(inv) == 0) {
        p->inv = inv;
        p->have_persisted = 1;
        wfpw_log_info("pipeline", "inventory", "previous inventory: %zu filters (changes are diffed against it)",
                      inv->nfilters);
        return;
    }
    wfpw_inventory_free(inv);
    wfpw_free(inv);
}

/* "https://10.0.0.5:8443/..." -> "10.0.0.5:8443" when the host is an address literal (the
 * self-block rule matches addresses, not names). */
static void collector_addr(const char *url, char *out, size_t len)
{
    const char *h = strstr(url, "://"), *e;
    out[0] = '\0';
    if (h == NULL)
        return;
    h += 3;
    e = h + strcspn(h, "/");
    if (*h == '[' || (*h >= '0' && *h <= '9'))
        snprintf(out, len, "%.*s", (int)(e - h), h);
}

struct wfpw_pipeline *wfpw_pipeline_new(uv_loop_t *loop, const struct wfpw_agent_cfg *cfg, struct wfpw_spool *spool,
                                        struct wfpw_source *sources, size_t nsources, char *err, size_t errlen)
{
    struct wfpw_pipeline *p = wfpw_calloc(1, sizeof(*p));
    size_t i;
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->loop = loop, p->cfg = cfg, p->spool = spool, p->sources = sources, p->nsources = nsources;
    wfpw_buf_init(&p->record, WFPW_SPOOL_MAX_RECORD - 64);
    p->aggr = wfpw_aggr_new((size_t)cfg->max_flows, (uint64_t)cfg->flow_burst);
    p->burst = wfpw_burst_new(4096, (unsigned)cfg->burst_threshold, cfg->burst_window_ms);
    p->attrib = wfpw_attrib_new(ATTRIB_MAX);
    p->proctab = wfpw_proctab_new(PROCTAB_MAX);
    p->fwrules = wfpw_fwrules_new(FWRULES_MAX);
    p->regwho = wfpw_regwho_new(REGWHO_MAX);
    if (p->aggr == NULL || p->burst == NULL || p->attrib == NULL || p->proctab == NULL || p->fwrules == NULL ||
        p->regwho == NULL) {
        snprintf(err, errlen, "out of memory");
        wfpw_pipeline_free(p);
        return NULL;
    }
    for (i = 0; i < cfg->products.n; i++)
        p->products[i] = cfg->products.v[i];
    for (i = 0; i < cfg->allow_providers.n; i++)
        p->allow[i] = cfg->allow_providers.v[i];
    p->rules.extra_products = p->products, p->rules.nextra = cfg->products.n;
    p->rules.allow_providers = p->allow, p->rules.nallow = cfg->allow_providers.n;
    for (i = 0; i < cfg->collector_urls.n; i++) {
        collector_addr(cfg->collector_urls.v[i], p->collector_addr[i], sizeof(p->collector_addr[i]));
        if (p->collector_addr[i][0])
            p->collector[p->rules.ncollector++] = p->collector_addr[i];
    }
    p->rules.collector = p->collector;
    p->min_alert_rank = wfpw_severity_rank(cfg->min_alert);
    for (i = 0; i < nsources; i++)
        sources[i].pipe = p;
    load_snapshot(p);
    p->started_ms = wfpw__plat_time_ms();
    return p;
}

void wfpw_pipeline_set_hooks(struct wfpw_pipeline *p, wfpw_pipeline_notify_cb n, wfpw_pipeline_stats_cb s, void *ctx)
{
    p->notify = n, p->stats = s, p->hook_ctx = ctx;
}

int wfpw_pipeline_start(struct wfpw_pipeline *p)
{
    uv_timer_init(p->loop, &p->window_timer);
    uv_timer_init(p->loop, &p->heartbeat_timer);
    p->window_timer.data = p->heartbeat_timer.data = p;
    uv_timer_start(&p->window_timer, on_window, (uint64_t)p->cfg->window_ms, (uint64_t)p->cfg->window_ms);
    uv_timer_start(&p->heartbeat_timer, on_heartbeat, (uint64_t)p->cfg->heartbeat_s * 1000,
                   (uint64_t)p->cfg->heartbeat_s * 1000);
    p->timers_started = 1;
    return 0;
}

int wfpw_pipeline_sources_finished(const struct wfpw_pipeline *p)
{
    size_t i;
    for (i = 0; i < p->nsources; i++)
        if (!p->sources[i].finished)
            return 0;
    return 1;
}

void wfpw_pipeline_stop(struct wfpw_pipeline *p)
{
    if (!p->timers_started)
        return;
    uv_close((uv_handle_t *)&p->window_timer, NULL);
    uv_close((uv_handle_t *)&p->heartbeat_timer, NULL);
    p->timers_started = 0;
}

void wfpw_pipeline_free(struct wfpw_pipeline *p)
{
    if (p == NULL)
        return;
    wfpw_aggr_free(p->aggr);
    wfpw_burst_free(p->burst);
    wfpw_attrib_free(p->attrib);
    wfpw_proctab_free(p->proctab);
    wfpw_fwrules_free(p->fwrules);
    wfpw_regwho_free(p->regwho);
    wfpw_buf_free(&p->record);
    if (p->inv) {
        wfpw_inventory_free(p->inv);
        wfpw_free(p->inv);
    }
    wfpw_free(p);
}

uint64_t wfpw_pipeline_dropped(const struct wfpw_pipeline *p, enum wfpw_drop why)
{
    return p->dropped[why];
}
