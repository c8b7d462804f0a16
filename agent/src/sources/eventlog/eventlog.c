/*
 * eventlog.c — the `eventlog` source: WFP audit events from the Security log as they are
 * written. A reader thread keeps a pull subscription (platform: EvtSubscribe + EvtNext) and
 * hands each rendered event to the loop through a bounded queue; when the queue is full the
 * reader waits, so the backlog stays in the event log and nothing is dropped. On the loop each
 * event is parsed by evtxml (the same parser as `parse-event` and the replay source):
 * blocked connections and alerts are emitted, 5447 attributions recorded, the rest counted.
 *
 * Resuming: the position of an event is (log generation, EventRecordID) (evtsub.h) and the
 * pipeline spools it with the event, so a restart subscribes strictly after the last spooled
 * record and neither loses nor repeats. When the log no longer holds that record (cleared, or
 * wrapped while the agent was stopped), or record ids start again while running (the log was
 * cleared), the source moves to the next generation, reads from the oldest record, and says
 * so in an agent_status event: the events in between are gone and the SIEM should know.
 *
 * Paths: \device\harddiskvolumeN\... become drive-letter paths and local versus remote is
 * told by the host's own addresses (hostinfo.h), re-read every `devmap_refresh_ms`.
 *
 * Audit policy (`manage_audit_policy`): at start the subcategories the event ids need are
 * turned on (auditpol.h; what they were is kept in data_dir/auditpol.previous for uninstall);
 * afterwards a subcategory that lost a needed setting (Group Policy refresh) is reported
 * every `devmap_refresh_ms`, not fought.
 *
 * The `firewall` source type is the same reader on the Windows Firewall's operational log
 * ("Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"): rule added, modified
 * and deleted (2004-2006; 2071, 2073, 2052 on Windows 11), with the program and account that
 * made the change, recorded so the change set names the rule and its changer on the filters the
 * firewall service makes from it (fwrules.h). That log needs no audit policy.
 *
 * On Linux the platform layer has no event log: the source says so once and stays idle.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "attrib.h"
#include "auditpol.h"
#include "wfpw/fileio.h"
#include "evtsub.h"
#include "evtxml.h"
#include "hostinfo.h"
#include "platform.h"
#include "source.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

#define MAX_IDS 32
#define RENDERED_MAX (1u << 20)         /* a rendered event larger than this is refused */

struct evl_conf {
    char channel[WFPW_CFG_STR_MAX];
    struct wfpw_cfg_list ids;
    int64_t queue_events, retry_ms, devmap_refresh_ms;
    int manage_audit_policy;
};

static const struct wfpw_cfg_key evl_keys[] = {
    {"channel", WFPW_CFG_STR, offsetof(struct evl_conf, channel), 0, 0, "Security", NULL, 0, "the event log channel"},
    {"event_ids", WFPW_CFG_LIST, offsetof(struct evl_conf, ids), 0, 0,
     "4657,4688,5031,5150,5151,5152,5153,5155,5157,5159,5441,5446,5447,5448,5449,5450", NULL, 0,
     "event ids to read (1102, log cleared, is always read); 5154,5156,5158 (permitted) are off by default; "
     "4688 (process created) names the programs behind filter changes whose process has exited; 4657 (registry "
     "value changed, on keys whose SACL audits it) names who changed the silencing surface"},
    {"queue_events", WFPW_CFG_INT, offsetof(struct evl_conf, queue_events), 16, 1000000, "4096", NULL, 0,
     "rendered events waiting for the loop; when full the reader waits (nothing is lost)"},
    {"retry_ms", WFPW_CFG_INT, offsetof(struct evl_conf, retry_ms), 100, 3600000, "10000", NULL, 0,
     "retry interval while the subscription cannot be opened"},
    {"devmap_refresh_ms", WFPW_CFG_INT, offsetof(struct evl_conf, devmap_refresh_ms), 1000, 86400000, "300000", NULL, 0,
     "re-read the drive-letter map and the host's addresses (and re-check the audit policy) this often"},
    {"manage_audit_policy", WFPW_CFG_BOOL, offsetof(struct evl_conf, manage_audit_policy), 0, 0, "true", NULL, 0,
     "turn on the audit subcategories the event ids need (previous settings kept for uninstall); "
     "later changes (Group Policy) are reported, not fought"},
};

/* the `firewall` type: the same settings with the firewall log's defaults */
static const struct wfpw_cfg_key fw_keys[] = {
    {"channel", WFPW_CFG_STR, offsetof(struct evl_conf, channel), 0, 0,
     "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall", NULL, 0, "the event log channel"},
    {"event_ids", WFPW_CFG_LIST, offsetof(struct evl_conf, ids), 0, 0, "2004,2005,2006,2052,2071,2073", NULL, 0,
     "event ids to read: rule added (2004; 2071 on Windows 11), modified (2005; 2073), deleted (2006; 2052)"},
    {"queue_events", WFPW_CFG_INT, offsetof(struct evl_conf, queue_events), 16, 1000000, "1024", NULL, 0,
     "rendered events waiting for the loop; when full the reader waits (nothing is lost)"},
    {"retry_ms", WFPW_CFG_INT, offsetof(struct evl_conf, retry_ms), 100, 3600000, "10000", NULL, 0,
     "retry interval while the subscription cannot be opened"},
    {"devmap_refresh_ms", WFPW_CFG_INT, offsetof(struct evl_conf, devmap_refresh_ms), 1000, 86400000, "300000", NULL,
     0, "re-read the drive-letter map and the host's addresses this often"},
    {"manage_audit_policy", WFPW_CFG_BOOL, offsetof(struct evl_conf, manage_audit_policy), 0, 0, "false", NULL, 0,
     "the firewall's log needs no audit policy; true also turns on what the event ids above would need (none)"},
};

struct item {
    char *xml;                   /* owned */
    size_t len;
};

struct evl {
    struct evl_conf *conf;
    struct wfpw_source *src;
    char query[4096];            /* a structured query (QueryList): evtsub.h */
    struct wfpw__evt *sub;       /* owned; NULL while closed */
    uv_thread_t thread;
    int thread_running;
    uv_mutex_t mu;               /* guards q*, stop, reader_* */
    uv_cond_t cv;
    struct item *q;
    size_t qhead, qn;
    int stop, reader_done, reader_rc;
    char reader_err[512];
    uv_async_t async;
    uv_timer_t retry, refresh;
    int handles, unavailable;
    uint32_t generation;
    uint64_t last_record;        /* of this generation */
    struct wfpw_hostinfo host;   /* drive letters and own addresses for the parser */
    uint64_t events, skipped, parse_errors, reopens, gaps;
    uint64_t events_at_open;     /* `events` when last subscribed: log a resubscription only after progress */
    int64_t ids[MAX_IDS + 1];
    size_t nids;
    uint64_t audit_changes, audit_drift;
    const char *state;
};

static int64_t loop_now(void *ctx)
{
    return (int64_t)uv_now(ctx);
}

static void refresh_maps(struct evl *l)
{
    char err[256];
    if (wfpw_hostinfo_refresh(&l->host, err, sizeof(err)) != 0)
        wfpw_source_error(l->src, err);
}

/* ---- reader thread -------------------------------------------------------------------------- */

static int on_rendered(void *ctx, const char *xml, size_t len)
{
    struct evl *l = ctx;
    char *copy;
    if (len > RENDERED_MAX)
        len = RENDERED_MAX;  /* the parser then reports it as malformed, naming the record */
    if ((copy = wfpw_malloc(len + 1)) == NULL)
        return WFPW_ENOMEM;
    memcpy(copy, xml, len);
    copy[len] = '\0';
    uv_mutex_lock(&l->mu);
    while (l->qn == (size_t)l->conf->queue_events && !l->stop)
        uv_cond_wait(&l->cv, &l->mu);
    if (l->stop) {
        uv_mutex_unlock(&l->mu);
        wfpw_free(copy);
        return WFPW_ECLOSED;
    }
    l->q[(l->qhead + l->qn) % (size_t)l->conf->queue_events] = (struct item){copy, len};
    l->qn++;
    uv_mutex_unlock(&l->mu);
    uv_async_send(&l->async);
    return 0;
}

static void reader(void *arg)
{
    struct evl *l = arg;
    char err[512] = "";
    int rc;
    do
        rc = wfpw__plat_evt_next(l->sub, 1000, 256, on_rendered, l, err, sizeof(err));
    while (rc >= 0);
    uv_mutex_lock(&l->mu);
    l->reader_done = 1, l->reader_rc = rc;
    snprintf(l->reader_err, sizeof(l->reader_err), "%s", err);
    uv_mutex_unlock(&l->mu);
    uv_async_send(&l->async);
}

/* ---- loop side ------------------------------------------------------------------------------ */

static void stop_reader(struct evl *l)
{
    size_t i;
    if (l->thread_running) {
        uv_mutex_lock(&l->mu);
        l->stop = 1;
        uv_cond_broadcast(&l->cv);
        uv_mutex_unlock(&l->mu);
        wfpw__plat_evt_cancel(l->sub);
        uv_thread_join(&l->thread);
        l->thread_running = 0;
    }
    wfpw__plat_evt_close(l->sub);
    l->sub = NULL;
    for (i = 0; i < l->qn; i++)
        wfpw_free(l->q[(l->qhead + i) % (size_t)l->conf->queue_events].xml);
    l->qn = l->qhead = 0;
    l->stop = l->reader_done = 0;
}

/* Tell the SIEM that events were lost between two generations of the log. */
static void report_gap(struct evl *l, const char *why)
{
    char msg[1024];
    cJSON *ev;
    l->gaps++;
    snprintf(msg, sizeof(msg), "%.256s log: %s; reading again from its oldest record, events before it may be missing",
             l->conf->channel, why);
    wfpw_log_warn("source", l->src->name, "%s", msg);
    ev = wfpw_event_agent_status(1, wfpw__plat_time_ms(), "degraded", msg);
    if (ev)
        wfpw_source_emit(l->src, ev, WFPW_EV_PASS, wfpw_evt_pos(l->generation, 0));
}

static void try_open(struct evl *l);

static void on_retry(uv_timer_t *t)
{
    try_open(t->data);
}

static void schedule_retry(struct evl *l)
{
    uv_timer_start(&l->retry, on_retry, (uint64_t)l->conf->retry_ms, 0);
}

static void try_open(struct evl *l)
{
    char bookmark[256], err[512] = "";
    int rc;
    const char *bm = NULL;
    if (l->last_record > 0 && wfpw_evt_bookmark_xml(l->conf->channel, l->last_record, bookmark, sizeof(bookmark)) == 0)
        bm = bookmark;
    rc = wfpw__plat_evt_open(l->conf->channel, l->query, bm, &l->sub, err, sizeof(err));
    if (rc == WFPW_ENOENT && bm) {
        l->generation++, l->last_record = 0;
        report_gap(l, "the record after which to resume is gone (the log was cleared or wrapped)");
        rc = wfpw__plat_evt_open(l->conf->channel, l->query, NULL, &l->sub, err, sizeof(err));
    }
    if (rc == WFPW_ENOSYS) {
        if (!l->unavailable) {
            wfpw_source_error(l->src, err);
            wfpw_source_finished(l->src);  /* nothing will ever come: do not hold up --until-drained */
        }
        l->unavailable = 1;
        l->state = "not available on this platform";
        return;
    }
    if (rc != 0) {
        wfpw_source_error(l->src, err);
        l->state = "not subscribed";
        schedule_retry(l);
        return;
    }
    if (uv_thread_create(&l->thread, reader, l) != 0) {
        wfpw__plat_evt_close(l->sub);
        l->sub = NULL;
        wfpw_source_error(l->src, "cannot start the event log reader thread");
        schedule_retry(l);
        return;
    }
    l->thread_running = 1;
    l->state = "subscribed";
    if (l->reopens == 0 || l->events != l->events_at_open)
        wfpw_log_info("source", l->src->name, "subscribed to the %s log %s", l->conf->channel,
                      bm ? "after the last spooled record" : "from its oldest record");
    l->events_at_open = l->events;
}

static int on_parsed(void *ctx, struct wfpw_evtxml_event *e)
{
    struct evl *l = ctx;
    struct wfpw_changed_by cb;
    uint64_t pos;
    if (e->record_id > WFPW_EVT_RECORD_MAX || e->record_id == 0) {
        cJSON_Delete(e->ev);
        wfpw_source_error(l->src, "an event without a usable EventRecordID");
        return 0;
    }
    if (e->record_id <= l->last_record) {
        /* record ids started again while we were reading: the log was cleared */
        l->generation++;
        l->last_record = 0;
        report_gap(l, "record ids started again (the log was cleared)");
    }
    l->last_record = e->record_id;
    pos = wfpw_evt_pos(l->generation, e->record_id);
    if (e->change && wfpw_policy_change_attribution(e->change, &cb) == 0) {
        wfpw_source_attribution(l->src, &cb, pos, WFPW_ATTR_LIVE);
    } else if (e->created) {
        wfpw_source_process_created(l->src, e->created, pos);
    } else if (e->fwrule) {
        wfpw_source_firewall_rule(l->src, e->fwrule, pos);
    } else if (e->regchange) {
        wfpw_source_registry_change(l->src, e->regchange, pos, WFPW_ATTR_LIVE);
    } else if (e->ev) {
        l->events++;
        /* a blocked event was validated whole by the conversion (evtxml.h): checked once */
        wfpw_source_emit(l->src, e->ev, e->pass ? WFPW_EV_PASS
                         : (e->packet_level ? WFPW_EV_PACKET : WFPW_EV_CONNECTION) | WFPW_EV_VALIDATED, pos);
    } else {
        l->skipped++;
        wfpw_source_skip(l->src, pos);
    }
    return 0;
}

static void parse_one(struct evl *l, const char *xml, size_t len)
{
    struct wfpw_evtxml_opts o = {wfpw_hostinfo_map_path, wfpw_hostinfo_is_local, &l->host};
    struct wfpw_evtxml *p = wfpw_evtxml_new(&o, on_parsed, l);
    char err[512] = "", msg[640];
    if (p == NULL) {
        wfpw_source_error(l->src, "out of memory parsing an event");
        return;
    }
    if (wfpw_evtxml_feed(p, xml, len, 1, err, sizeof(err)) != 0) {
        l->parse_errors++;
        snprintf(msg, sizeof(msg), "a rendered event could not be read: %s", err);
        wfpw_source_error(l->src, msg);
    }
    wfpw_evtxml_free(p);
}

static void on_async(uv_async_t *a)
{
    struct evl *l = a->data;
    int done = 0, rc = 0;
    char err[512] = "";
    for (;;) {
        struct item it;
        uv_mutex_lock(&l->mu);
        if (l->qn == 0) {
            done = l->reader_done, rc = l->reader_rc;
            snprintf(err, sizeof(err), "%s", l->reader_err);
            uv_mutex_unlock(&l->mu);
            break;
        }
        it = l->q[l->qhead];
        l->qhead = (l->qhead + 1) % (size_t)l->conf->queue_events;
        l->qn--;
        uv_cond_signal(&l->cv);
        uv_mutex_unlock(&l->mu);
        parse_one(l, it.xml, it.len);
        wfpw_free(it.xml);
    }
    if (done && l->thread_running) {
        stop_reader(l);
        l->reopens++;
        wfpw_source_error(l->src, err[0] ? err : wfpw_strerror(rc));
        l->state = "resubscribing";
        schedule_retry(l);
    }
}

/* ---- audit policy --------------------------------------------------------------------------- */

/* Keep what the subcategories were before the agent first changed them (never overwritten). */
static void remember_audit(struct evl *l, const struct wfpw_audit_setting *was, size_t n)
{
    char path[1100], text[512], *old = NULL;
    size_t len;
    snprintf(path, sizeof(path), "%s/auditpol.previous", l->src->data_dir ? l->src->data_dir : ".");
    if (wfpw_file_read_all(path, 4096, &old, &len) == 0) {
        wfpw_free(old);
        return;
    }
    if (wfpw_audit_previous_format(was, n, text, sizeof(text)) != 0 || wfpw_file_write_atomic(path, text, strlen(text)) != 0)
        wfpw_source_error(l->src, "cannot record the previous audit policy");
}

/* apply: turn on what is missing (at start); else only report what went missing (drift). */
static void check_audit(struct evl *l, int apply)
{
    struct wfpw_audit_setting req[WFPW_AUDIT_SUBCATS], was[WFPW_AUDIT_SUBCATS];
    size_t n = wfpw_audit_required(l->ids, l->nids, req), i;
    char err[512], msg[768];
    if (!l->conf->manage_audit_policy || l->unavailable)
        return;
    for (i = 0; i < n; i++) {
        if (wfpw__plat_audit_get(req[i].guid, &was[i].bits, err, sizeof(err)) != 0) {
            if (strstr(err, "Windows only") == NULL)
                wfpw_source_error(l->src, err);
            return;
        }
        was[i].guid = req[i].guid, was[i].name = req[i].name;
    }
    for (i = 0; i < n; i++) {
        unsigned missing = req[i].bits & ~was[i].bits;
        if (missing == 0)
            continue;
        if (!apply) {
            l->audit_drift++;
            snprintf(msg, sizeof(msg), "audit policy: %s no longer audits %s (changed since the agent set it, "
                     "Group Policy?): those events are not being written", req[i].name, wfpw_audit_bits_text(missing));
            wfpw_source_error(l->src, msg);
            continue;
        }
        remember_audit(l, was, n);
        if (wfpw__plat_audit_set(req[i].guid, was[i].bits | req[i].bits, err, sizeof(err)) != 0) {
            wfpw_source_error(l->src, err);
            continue;
        }
        l->audit_changes++;
        wfpw_log_info("source", l->src->name, "audit policy: %s now audits %s (was %s)", req[i].name,
                      wfpw_audit_bits_text(was[i].bits | req[i].bits), wfpw_audit_bits_text(was[i].bits));
    }
}

static void on_refresh(uv_timer_t *t)
{
    refresh_maps(t->data);
    check_audit(t->data, 0);
}

/* ---- source interface ----------------------------------------------------------------------- */

static int evl_init(struct wfpw_source *src, char *err, size_t errlen)
{
    struct evl *l;
    struct evl_conf *c = src->conf;
    int64_t ids[MAX_IDS + 1];
    size_t i, n = 0;
    int rc, have_1102 = 0;
    for (i = 0; i < c->ids.n; i++) {
        char *end;
        long long v = strtoll(c->ids.v[i], &end, 10);
        if (*end || v < 1 || v > 65535 || n == MAX_IDS) {
            snprintf(err, errlen, "event_ids: '%s' is not an event id (1..65535, at most %d)", c->ids.v[i], MAX_IDS);
            return WFPW_EINVAL;
        }
        have_1102 |= v == 1102;
        ids[n++] = v;
    }
    if (!have_1102 && strcmp(c->channel, "Security") == 0)  /* the Security log was cleared */
        ids[n++] = 1102;
    if ((l = wfpw_calloc(1, sizeof(*l))) == NULL)
        return WFPW_ENOMEM;
    memcpy(l->ids, ids, n * sizeof(ids[0]));
    l->nids = n;
    if ((rc = wfpw_evt_query(c->channel, ids, n, l->query, sizeof(l->query))) != 0) {
        wfpw_free(l);
        snprintf(err, errlen, "event_ids: cannot build the query (%s)", wfpw_strerror(rc));
        return rc;
    }
    if ((l->q = wfpw_calloc((size_t)c->queue_events, sizeof(*l->q))) == NULL) {
        wfpw_free(l);
        return WFPW_ENOMEM;
    }
    l->conf = c, l->src = src, l->state = "starting";
    l->generation = wfpw_evt_pos_generation(src->resume_pos);
    l->last_record = wfpw_evt_pos_record(src->resume_pos);
    uv_mutex_init(&l->mu);
    uv_cond_init(&l->cv);
    src->state = l;
    return 0;
}

static int evl_start(struct wfpw_source *src)
{
    struct evl *l = src->state;
    if (uv_async_init(src->loop, &l->async, on_async) != 0)
        return WFPW_EIO;
    l->async.data = l;
    uv_timer_init(src->loop, &l->retry);
    l->retry.data = l;
    uv_timer_init(src->loop, &l->refresh);
    l->refresh.data = l;
    l->handles = 1;
    l->host.now_ms = loop_now, l->host.now_ctx = src->loop;
    refresh_maps(l);
    check_audit(l, 1);  /* before subscribing: the first events should already be written */
    uv_timer_start(&l->refresh, on_refresh, (uint64_t)l->conf->devmap_refresh_ms, (uint64_t)l->conf->devmap_refresh_ms);
    try_open(l);
    if (l->unavailable)
        uv_timer_stop(&l->refresh);
    return 0;
}

static void free_state(struct evl *l)
{
    uv_mutex_destroy(&l->mu);
    uv_cond_destroy(&l->cv);
    wfpw_free(l->q);
    wfpw_free(l);
}

static void on_closed(uv_handle_t *h)
{
    free_state(h->data);
}

static void evl_close(struct wfpw_source *src)
{
    struct evl *l = src->state;
    if (l == NULL)
        return;
    src->state = NULL;
    stop_reader(l);
    if (l->handles) {
        uv_close((uv_handle_t *)&l->async, NULL);
        uv_close((uv_handle_t *)&l->retry, NULL);
        uv_close((uv_handle_t *)&l->refresh, on_closed);
        return;
    }
    free_state(l);
}

static void evl_pause(struct wfpw_source *src)
{
    (void)src;  /* the reader blocks on the bounded queue; the backlog waits in the log */
}

static void evl_resume(struct wfpw_source *src)
{
    (void)src;
}

static void evl_stats(struct wfpw_source *src, cJSON *out)
{
    struct evl *l = src->state;
    if (l == NULL)
        return;
    cJSON_AddStringToObject(out, "state", l->state);
    cJSON_AddNumberToObject(out, "log_generation", l->generation);
    cJSON_AddNumberToObject(out, "last_record_id", (double)l->last_record);
    cJSON_AddNumberToObject(out, "parse_errors", (double)l->parse_errors);
    cJSON_AddNumberToObject(out, "resubscribes", (double)l->reopens);
    cJSON_AddNumberToObject(out, "gaps", (double)l->gaps);
    cJSON_AddNumberToObject(out, "drive_mappings", (double)l->host.devmap.n);
    cJSON_AddNumberToObject(out, "audit_policy_changes", (double)l->audit_changes);
    cJSON_AddNumberToObject(out, "audit_policy_drift", (double)l->audit_drift);
}

/* what both types do: the same reader on another log */
#define EVL_OPS                                                                                    \
    .conf_size = sizeof(struct evl_conf), .init = evl_init, .start = evl_start, .pause = evl_pause, \
    .resume = evl_resume, .close = evl_close, .stats = evl_stats

const struct wfpw_source_type wfpw_source_eventlog = {
    .name = "eventlog",
    .help = "WFP audit events from the Windows Security log (Windows): blocked connections, policy changes",
    .conf_keys = evl_keys,
    .nconf_keys = sizeof(evl_keys) / sizeof(evl_keys[0]),
    EVL_OPS,
};

const struct wfpw_source_type wfpw_source_firewall = {
    .name = "firewall",
    .help = "Windows Firewall rule changes from the firewall's operational log (Windows): the rule and who changed it, "
            "on the filters made from it",
    .conf_keys = fw_keys,
    .nconf_keys = sizeof(fw_keys) / sizeof(fw_keys[0]),
    EVL_OPS,
};
