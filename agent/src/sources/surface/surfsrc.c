/*
 * surfsrc.c — the `surface` source: the silencing surface beyond WFP (NRPT rules, the hosts
 * file, proxies, QoS policies, persistent routes and the route table) of this host, read at start, after a change
 * notification (debounced), and every `interval_ms` as the safety net. Each reading is diffed
 * against the previous one into a change set: a surface_changed event per item added, removed
 * or changed, and an alert per finding of the surface rules (surface/surface.h) at or above
 * `min_alert` on what was added or changed. The first reading ever is the baseline: every item
 * "added", its findings pre-existing.
 *
 * Where the values come from: the live registry, hosts file and route table on Windows (platform.h
 * wfpw__plat_surface_*), or, with `dir`, a folder of collected files (`reg export` files and
 * a hosts file, as `analyze --surface` reads them) on any platform — watched with libuv's
 * fs events.
 *
 * Exactly once across crashes, without help from the pipeline: before a change set is
 * handed over, the readings it came from (previous and new, as text) and the set's positions
 * go to DATA/surface.state (written atomically). On start, a set whose last position the
 * spool has not confirmed (src->resume_pos) is computed again from those readings — the same
 * events, ids and times — and handed over with the same positions, so the pipeline drops what
 * was spooled and keeps the rest; the next reading is then diffed against the new one. A
 * change made while the agent was down is therefore reported at the first reading.
 *
 * Reads run on the libuv threadpool; notifications only uv_async_send.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "debounce.h"
#include "wfpw/fileio.h"
#include "platform.h"
#include "proxyprobe.h"
#include "rules.h"
#include "source.h"
#include "surface.h"
#include "surfload.h"
#include "uuidgen.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

#define STATE_MAX (64u << 20)

static const char *const severity_choices[] = {"critical", "high", "medium", "low", NULL};

struct surf_conf {
    char dir[WFPW_CFG_STR_MAX];
    int64_t debounce_ms, interval_ms;
    char min_alert[WFPW_CFG_STR_MAX];
    struct wfpw_cfg_list products, endpoints;
    int audit_keys;
    int64_t max_hosts_listed, proxy_probe_ms;
};

static const struct wfpw_cfg_key surf_keys[] = {
    {"dir", WFPW_CFG_PATH, offsetof(struct surf_conf, dir), 0, 0, NULL, NULL, WFPW_CFG_NULLABLE,
     "read collected files here (a hosts file and reg export files) instead of this host's registry"},
    {"debounce_ms", WFPW_CFG_INT, offsetof(struct surf_conf, debounce_ms), 50, 600000, "1000", NULL, 0,
     "quiet time after a change notification before the surface is read"},
    {"interval_ms", WFPW_CFG_INT, offsetof(struct surf_conf, interval_ms), 1000, 86400000, "300000", NULL, 0,
     "read the surface this often even without change notifications"},
    {"min_alert", WFPW_CFG_ENUM, offsetof(struct surf_conf, min_alert), 0, 0, "medium", severity_choices, 0,
     "lowest finding severity that raises an alert"},
    {"products", WFPW_CFG_LIST, offsetof(struct surf_conf, products), 0, 0, NULL, NULL, 0,
     "more security-product executables (QoS policies that throttle them)"},
    {"endpoints", WFPW_CFG_LIST, offsetof(struct surf_conf, endpoints), 0, 0, NULL, NULL, 0,
     "security-product cloud addresses, \"ip\" or \"ip/len\" (routes and QoS policies on them)"},
    {"max_hosts_listed", WFPW_CFG_INT, offsetof(struct surf_conf, max_hosts_listed), 0, 10000000, "1000", NULL, 0,
     "hosts-file entries listed one by one per change set (0: all); an ad-blocking list's thousands more are "
     "counted in one agent_status event; an entry a rule matches is always listed"},
    {"proxy_probe_ms", WFPW_CFG_INT, offsetof(struct surf_conf, proxy_probe_ms), 0, 60000, "5000", NULL, 0,
     "when a proxy appears or changes, connect to it (TCP, nothing sent) and raise proxy-unreachable when it does "
     "not answer within this time; 0: never"},
    {"audit_keys", WFPW_CFG_BOOL, offsetof(struct surf_conf, audit_keys), 0, 0, "true", NULL, 0,
     "add an audit entry (Everyone, Set Value) to the SACL of the surface's registry keys, so Windows writes "
     "event 4657 naming who changed them (read by the eventlog source); restore-system removes what was added"},
};

/* The keys whose SACL gets the audit entry (live mode, Windows): the roots the change
 * notifications watch, inherited where a new subkey is what an attacker adds (an NRPT rule, a
 * QoS policy). Added entries are listed in DATA/surface.sacl ("inherit key" lines) for
 * restore-system; an entry that was already there is not listed, so it is never removed. */
static const struct {
    const char *key;
    int inherit;
} audited[] = {
    {"SOFTWARE\\Policies", 1}, /* NRPT by Group Policy, QoS, DataCollection, Defender, IE policies */
    {"SYSTEM\\CurrentControlSet\\Services\\Dnscache\\Parameters", 1}, /* local NRPT rules */
    {"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters", 0},  /* DataBasePath */
    {"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\PersistentRoutes", 0},
    {"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings", 0},
    {"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections", 0},
    {"SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections", 0},
};

struct job {
    uv_work_t req;
    struct surf *w;
    struct wfpw_surface *s;  /* owned until taken */
    int rc;
    char err[768];
    int audit;               /* this job also adds the audit entries */
    int audit_again;         /* not the first time */
    unsigned audit_had, audit_has; /* keys (bits, audited[] order) with our entry before / after */
    char audit_msg[768];     /* what that did, said on the loop */
    int audit_failed;
};

struct surf {
    struct surf_conf *conf;
    struct wfpw_source *src;
    struct wfpw__surfwatch *watch;   /* live mode */
    uv_fs_event_t fsev;              /* dir mode */
    uv_async_t changed;
    struct wfpw_debounce debounce;
    uv_timer_t full;
    int handles_open, closing, busy, again, paused, unavailable;
    struct wfpw_surface *last;       /* the previous reading (owned), NULL before the first */
    uint64_t next_pos;               /* the last position used */
    const char *products[WFPW_CFG_LIST_MAX], *endpoints[WFPW_CFG_LIST_MAX];
    struct wfpw_rules_cfg rules;
    uint64_t reads, read_errors, change_sets, items, replayed_sets;
    int64_t last_ms;                 /* when w->last was read (0 before the first) */
    struct wfpw_prober *prober;      /* proxies being tried (owned), NULL when off */
    uint64_t probes, probes_unanswered, probes_skipped;
    int audit_done, audit_due;       /* the audit entries were handled; to be checked again */
    unsigned audited_mask;           /* keys with our entry at the last check */
    const char *state;
};

/* A registry change read this long before the previous reading may still be the one it
 * missed: the reading is not instantaneous and the event's time is when Windows logged it. */
#define WHO_SLACK_MS 2000

static void start_read(struct surf *w);

static void surface_free(struct wfpw_surface *s)
{
    if (s) {
        wfpw_surface_free(s);
        wfpw_free(s);
    }
}

static void maybe_free(struct surf *w)
{
    if (w->closing && !w->busy && w->handles_open == 0) {
        surface_free(w->last);
        wfpw_free(w);
    }
}

static void on_closed(uv_handle_t *h)
{
    struct surf *w = h->data;
    w->handles_open--;
    maybe_free(w);
}

static void on_prober_closed(void *ctx)
{
    struct surf *w = ctx;
    w->handles_open--;
    maybe_free(w);
}

static void on_closed_timer(uv_handle_t *h) /* the debounce timer: its data is the debounce */
{
    struct surf *w = ((struct wfpw_debounce *)h->data)->arg;
    w->handles_open--;
    maybe_free(w);
}

/* ---- state ------------------------------------------------------------------------------------ */

static void state_path(struct surf *w, char *path, size_t len)
{
    snprintf(path, len, "%s/surface.%u.state", w->src->data_dir, (unsigned)w->src->index);
}

static cJSON *reading_json(const struct wfpw_surface *s)
{
    struct wfpw_buf reg, hosts;
    cJSON *o;
    if (s == NULL)
        return cJSON_CreateNull();
    wfpw_buf_init(&reg, STATE_MAX);
    wfpw_buf_init(&hosts, STATE_MAX);
    o = cJSON_CreateObject();
    if (o == NULL || wfpw_surface_save(s, &reg, &hosts) != 0 || wfpw_buf_putc(&reg, '\0') != 0 ||
        wfpw_buf_putc(&hosts, '\0') != 0 || !cJSON_AddStringToObject(o, "reg", reg.data) ||
        !(s->have_hosts ? cJSON_AddStringToObject(o, "hosts", hosts.data) != NULL
                        : cJSON_AddNullToObject(o, "hosts") != NULL)) {
        cJSON_Delete(o);
        o = NULL;
    }
    wfpw_buf_free(&reg);
    wfpw_buf_free(&hosts);
    return o;
}

/* a reading back from the state file; NULL (and *bad set) when it cannot be read */
static struct wfpw_surface *reading_from(const cJSON *o, int *bad)
{
    struct wfpw_surface *s;
    const cJSON *reg = cJSON_GetObjectItemCaseSensitive(o, "reg");
    const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(o, "hosts");
    char err[256];
    if (cJSON_IsNull(o))
        return NULL;
    if (!cJSON_IsString(reg) || (s = wfpw_malloc(sizeof(*s))) == NULL) {
        *bad = 1;
        return NULL;
    }
    wfpw_surface_init(s);
    if (wfpw_surface_add_file(s, "state.reg", (const uint8_t *)reg->valuestring, strlen(reg->valuestring), err,
                              sizeof(err)) != 0 ||
        (cJSON_IsString(hosts) && wfpw_surface_add_file(s, "hosts", (const uint8_t *)hosts->valuestring,
                                                        strlen(hosts->valuestring), err, sizeof(err)) != 0) ||
        wfpw_surface_build(s) != 0) {
        surface_free(s);
        *bad = 1;
        return NULL;
    }
    return s;
}

struct set {
    uint64_t base, n;
    char change_set[WFPW_UUID_LEN + 1];
    int64_t time_ms;
};

static int state_write(struct surf *w, const struct wfpw_surface *prev, const struct wfpw_surface *cur,
                       const struct set *set)
{
    char path[WFPW_CFG_STR_MAX + 64], *text;
    cJSON *o = cJSON_CreateObject();
    int rc = WFPW_ENOMEM;
    if (o && cJSON_AddNumberToObject(o, "version", 1) && cJSON_AddNumberToObject(o, "base", (double)set->base) &&
        cJSON_AddNumberToObject(o, "n", (double)set->n) && cJSON_AddStringToObject(o, "change_set", set->change_set) &&
        cJSON_AddNumberToObject(o, "time", (double)set->time_ms) &&
        cJSON_AddItemToObject(o, "prev", reading_json(prev)) && cJSON_AddItemToObject(o, "cur", reading_json(cur)) &&
        cJSON_GetObjectItem(o, "prev") && cJSON_GetObjectItem(o, "cur") && (text = cJSON_PrintUnformatted(o)) != NULL) {
        state_path(w, path, sizeof(path));
        rc = wfpw_file_write_atomic(path, text, strlen(text));
        cJSON_free(text);
    }
    cJSON_Delete(o);
    return rc;
}

/* ---- change sets ------------------------------------------------------------------------------ */

/* who: name who made the changes from the registry changes (4657) the eventlog source has
 * read since the previous reading — for a new set, not for one re-created after a restart */
static int compute(struct surf *w, const struct wfpw_surface *prev, const struct wfpw_surface *cur,
                   const struct set *set, int who, cJSON **events)
{
    struct wfpw_surface_change_opts o;
    memset(&o, 0, sizeof(o));
    o.rules = &w->rules;
    o.min_alert_rank = wfpw_severity_rank(w->conf->min_alert);
    o.change_set = set->change_set;
    o.time_ms = set->time_ms;
    o.max_hosts_listed = (size_t)w->conf->max_hosts_listed;
    if (who) {
        o.who = wfpw_source_regwho(w->src);
        o.since_ms = w->last_ms > WHO_SLACK_MS ? w->last_ms - WHO_SLACK_MS : 0;
    }
    return wfpw_surface_changes(prev, cur, &o, events);
}

/* hand the set's events over with positions base+1.. (the pipeline drops those it spooled) */
static void hand_over(struct surf *w, cJSON *events, const struct set *set)
{
    uint64_t pos = set->base;
    cJSON *ev;
    while ((ev = events->child) != NULL) {
        cJSON_DetachItemViaPointer(events, ev);
        wfpw_source_emit(w->src, ev, WFPW_EV_PASS, ++pos);
    }
    cJSON_Delete(events);
    if (pos > w->next_pos)
        w->next_pos = pos;
}

/* ---- does a new proxy answer? ---------------------------------------------------------------- */

#define PROBES_MAX 8

struct probe_ctx {
    struct surf *w;
    cJSON *item;              /* the proxy's wire item (owned) */
    char label[512];
};

static void on_probed(void *ctx, const struct wfpw_probe_result *r)
{
    struct probe_ctx *c = r->arg;
    (void)ctx; /* c->w: each probe carries its source */
    if (!r->answered && !r->cancelled && !c->w->closing) {
        struct wfpw_ev_alert a;
        char title[700], details[900];
        cJSON *ev;
        snprintf(title, sizeof(title), "%s: %s:%s does not answer", c->label, r->host, r->port);
        snprintf(details, sizeof(details), "a TCP connection to the proxy %s:%s failed (%s) when it appeared or "
                 "changed: whatever uses this setting (the Defender for Endpoint sensor uses WinHTTP) loses its cloud; "
                 "a proxy reachable only on another network (a VPN) looks the same while off it", r->host, r->port,
                 r->why ? r->why : "no answer");
        memset(&a, 0, sizeof(a));
        a.time_ms = wfpw__plat_time_ms(), a.source = "surface", a.rule = "proxy-unreachable", a.severity = "high";
        a.title = title, a.details = details, a.surface_item = c->item; /* never preexisting: not tried at the baseline */
        c->w->probes_unanswered++;
        if ((ev = wfpw_event_alert(&a)) != NULL)
            wfpw_source_emit(c->w->src, ev, WFPW_EV_PASS, ++c->w->next_pos);
    }
    cJSON_Delete(c->item);
    wfpw_free(c);
}

/* every proxy added or changed in cur since the previous reading (no rule found it local) is
 * tried once; not at the first reading (the baseline: a corporate proxy a laptop cannot reach
 * off its network is not news) */
static void probe_proxies(struct surf *w, const struct wfpw_surface *prev, const struct wfpw_surface *cur)
{
    struct wfpw_proxy_ep ep[8];
    size_t i, k, n;
    if (w->prober == NULL || prev == NULL)
        return;
    for (i = 0; i < cur->nitems; i++) {
        if (strcmp(cur->items[i].kind, "proxy") != 0 || wfpw_surface_item_fresh(prev, cur, i) == 0)
            continue;
        n = wfpw_surface_proxy_endpoints(cur, i, ep, sizeof(ep) / sizeof(ep[0]));
        for (k = 0; k < n; k++) {
            struct probe_ctx *c = wfpw_calloc(1, sizeof(*c));
            if (c == NULL || (c->item = wfpw_surface_item_wire(cur, i)) == NULL) {
                wfpw_free(c);
                w->probes_skipped++;
                continue;
            }
            c->w = w;
            snprintf(c->label, sizeof(c->label), "%.500s", cur->items[i].summary);
            if (wfpw_prober_start(w->prober, ep[k].host, ep[k].port, c) != 0) {
                cJSON_Delete(c->item);
                wfpw_free(c);
                w->probes_skipped++; /* more than PROBES_MAX at once: counted */
                continue;
            }
            w->probes++;
        }
    }
}

/* a new reading: diff, keep the state, hand over; takes cur */
static void take_reading(struct surf *w, struct wfpw_surface *cur)
{
    struct set set;
    cJSON *events = NULL;
    int rc;
    w->items = cur->nitems;
    memset(&set, 0, sizeof(set));
    set.time_ms = wfpw__plat_time_ms();
    if (wfpw_uuid_new(set.change_set) != 0 || (rc = compute(w, w->last, cur, &set, 1, &events)) != 0) {
        wfpw_source_error(w->src, "out of memory for a surface change set");
        surface_free(cur);
        return;
    }
    if (cJSON_GetArraySize(events) == 0) { /* nothing changed */
        cJSON_Delete(events);
        surface_free(cur);
        w->last_ms = set.time_ms;
        return;
    }
    if (w->src->resume_pos > w->next_pos)
        w->next_pos = w->src->resume_pos;
    if (w->src->last_pos > w->next_pos)
        w->next_pos = w->src->last_pos;
    set.base = w->next_pos;
    set.n = (uint64_t)cJSON_GetArraySize(events);
    if ((rc = state_write(w, w->last, cur, &set)) != 0) {
        char msg[256];
        /* without the state a crash could lose this set: hand nothing over, the next reading
         * finds the same changes again */
        snprintf(msg, sizeof(msg), "cannot keep the surface state: %s; the change set waits for the next reading",
                 wfpw_strerror(rc));
        wfpw_source_error(w->src, msg);
        cJSON_Delete(events);
        surface_free(cur);
        return;
    }
    w->change_sets++;
    hand_over(w, events, &set);
    probe_proxies(w, w->last, cur);
    surface_free(w->last);
    w->last = cur;
    w->last_ms = set.time_ms;
}

/* On start: the previous run's last reading, and its last change set again if the spool has not
 * confirmed all of it. */
static void resume_state(struct surf *w)
{
    char path[WFPW_CFG_STR_MAX + 64], *data = NULL;
    size_t len = 0;
    cJSON *o;
    struct wfpw_surface *prev, *cur;
    struct set set;
    const cJSON *cs;
    int bad = 0;
    state_path(w, path, sizeof(path));
    if (wfpw_file_read_all(path, STATE_MAX, &data, &len) != 0)
        return; /* none: the first reading is the baseline */
    o = cJSON_ParseWithLength(data, len);
    wfpw_free(data);
    memset(&set, 0, sizeof(set));
    cs = cJSON_GetObjectItemCaseSensitive(o, "change_set");
    if (o == NULL || !cJSON_IsString(cs) || strlen(cs->valuestring) != WFPW_UUID_LEN) {
        wfpw_source_error(w->src, "surface.state is unreadable: the next reading is a new baseline");
        cJSON_Delete(o);
        return;
    }
    set.base = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "base"));
    set.n = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "n"));
    set.time_ms = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "time"));
    memcpy(set.change_set, cs->valuestring, WFPW_UUID_LEN + 1);
    prev = reading_from(cJSON_GetObjectItemCaseSensitive(o, "prev"), &bad);
    cur = reading_from(cJSON_GetObjectItemCaseSensitive(o, "cur"), &bad);
    cJSON_Delete(o);
    if (bad || cur == NULL) {
        wfpw_source_error(w->src, "surface.state is unreadable: the next reading is a new baseline");
        surface_free(prev);
        surface_free(cur);
        return;
    }
    w->next_pos = set.base + set.n;
    if (w->src->resume_pos < set.base + set.n) {
        cJSON *events = NULL;
        if (compute(w, prev, cur, &set, 0, &events) == 0) {
            w->replayed_sets++;
            wfpw_log_info("source", w->src->name, "change set %s not all spooled before the stop: handed over again",
                          set.change_set);
            hand_over(w, events, &set);
        }
    }
    surface_free(prev);
    w->last = cur;
    w->last_ms = set.time_ms;
}

/* ---- reads ------------------------------------------------------------------------------------ */

/* Adds the audit entry where it is missing and lists what was added; j->audit_msg says what
 * happened (threadpool: registry calls block). */
static void audit_keys(struct job *j)
{
    char path[WFPW_CFG_STR_MAX + 32], err[512], *old = NULL;
    struct wfpw_buf list;
    size_t len = 0, i, added = 0, there = 0, missing = 0, gone = 0;
    int rc = 0, changed;
    snprintf(path, sizeof(path), "%s/surface.sacl", j->w->src->data_dir);
    wfpw_buf_init(&list, 1u << 16);
    if (wfpw_file_read_all(path, 1u << 16, &old, &len) == 0) {
        wfpw_buf_append(&list, old, len);
        if (len > 0 && old[len - 1] != '\n')
            wfpw_buf_putc(&list, '\n');
    }
    wfpw_free(old);
    for (i = 0; i < sizeof(audited) / sizeof(audited[0]); i++) {
        int r = wfpw__plat_reg_audit(audited[i].key, audited[i].inherit, 1, &changed, err, sizeof(err));
        if (r == WFPW_ENOSYS) {
            wfpw_buf_free(&list);
            return; /* not Windows: the live reading says so */
        }
        if (r == WFPW_ENOENT) {
            missing++;
        } else if (r != 0) {
            if (rc == 0)
                snprintf(j->audit_msg, sizeof(j->audit_msg), "registry auditing: %s", err);
            rc = r;
        } else if (changed) {
            char line[300];
            added++;
            j->audit_has |= 1u << i;
            gone += (j->audit_had >> i) & 1u; /* it was there at the last check */
            snprintf(line, sizeof(line), "%d %s\n", audited[i].inherit, audited[i].key);
            if (list.data == NULL || strstr(list.data, line) == NULL) /* listed once however often re-added */
                wfpw_buf_puts(&list, line);
        } else {
            there++;
            j->audit_has |= 1u << i;
        }
    }
    if (added && (list.err || wfpw_file_write_atomic(path, list.data, list.len) != 0)) {
        snprintf(j->audit_msg, sizeof(j->audit_msg), "registry auditing: %s cannot be written: restore-system will not "
                 "remove the audit entries added to %zu keys", path, added);
        rc = WFPW_EIO;
    }
    if (rc == 0 && j->audit_again && gone > 0) {
        /* someone with SeSecurityPrivilege took it away: changes made meanwhile are not named */
        snprintf(j->audit_msg, sizeof(j->audit_msg), "registry auditing: the audit entry was gone from %zu key%s "
                 "(taken out of the SACL since the last check): added again", gone, gone == 1 ? "" : "s");
        rc = WFPW_EIO;
    } else if (rc == 0 && !j->audit_again) {
        snprintf(j->audit_msg, sizeof(j->audit_msg), "registry auditing: an audit entry (Everyone, Set Value) added to %zu "
                 "key%s, already there on %zu, %zu key%s absent: Windows writes 4657 naming who changes them",
                 added, added == 1 ? "" : "s", there, missing, missing == 1 ? "" : "s");
    }
    j->audit_failed = rc != 0;
    wfpw_buf_free(&list);
}

static void read_work(uv_work_t *req) /* threadpool */
{
    struct job *j = req->data;
    struct wfpw_surface *s = j->s;
    if (j->audit)
        audit_keys(j);
    if (j->w->conf->dir[0]) {
        j->rc = wfpw_surface_load_dir(s, j->w->conf->dir, j->err, sizeof(j->err));
        return;
    }
    j->rc = wfpw_surface_load_live(s, j->err, sizeof(j->err));
}

static void read_done(uv_work_t *req, int status)
{
    struct job *j = req->data;
    struct surf *w = j->w;
    w->busy = 0;
    if (j->audit)
        w->audited_mask = j->audit_has;
    if (j->audit_msg[0]) {
        if (j->audit_failed)
            wfpw_source_error(w->src, j->audit_msg);
        else
            wfpw_log_info("source", w->src->name, "%s", j->audit_msg);
    }
    if (status == 0 && j->rc == 0 && !w->closing) {
        w->reads++;
        if (j->err[0])
            wfpw_source_error(w->src, j->err);
        w->state = w->watch || w->conf->dir[0] ? "watching" : "polling";
        take_reading(w, j->s);
        j->s = NULL;
    } else if (status == 0 && j->rc != 0) {
        w->read_errors++;
        if (j->rc == WFPW_ENOSYS) {
            if (!w->unavailable) {
                wfpw_source_error(w->src, j->err);
                wfpw_source_finished(w->src);
            }
            w->unavailable = 1;
            w->state = "not available on this platform";
        } else {
            wfpw_source_error(w->src, j->err[0] ? j->err : wfpw_strerror(j->rc));
        }
    }
    surface_free(j->s);
    wfpw_free(j);
    if (w->closing) {
        maybe_free(w);
        return;
    }
    if (w->again) {
        w->again = 0;
        start_read(w);
    }
}

static void start_read(struct surf *w)
{
    struct job *j;
    if (w->closing || w->unavailable)
        return;
    if (w->paused || w->busy) {
        w->again = 1;
        return;
    }
    if ((j = wfpw_calloc(1, sizeof(*j))) == NULL || (j->s = wfpw_malloc(sizeof(*j->s))) == NULL) {
        wfpw_free(j);
        wfpw_source_error(w->src, "out of memory for a surface reading");
        return;
    }
    wfpw_surface_init(j->s);
    j->w = w;
    j->req.data = j;
    /* the audit entries: at the first reading, and again at each periodic one (an entry taken
     * away meanwhile is put back and said) */
    j->audit = (!w->audit_done || w->audit_due) && !w->conf->dir[0] && w->conf->audit_keys;
    j->audit_again = w->audit_done, j->audit_had = w->audited_mask;
    w->audit_done = 1, w->audit_due = 0;
    w->busy = 1;
    if (uv_queue_work(w->src->loop, &j->req, read_work, read_done) != 0) {
        w->busy = 0;
        surface_free(j->s);
        wfpw_free(j);
        wfpw_source_error(w->src, "cannot queue the surface reading");
    }
}

/* ---- timers and notifications ----------------------------------------------------------------- */

static void on_full(uv_timer_t *t)
{
    struct surf *w = t->data;
    w->audit_due = 1;
    start_read(w);
}

static void on_settled(void *arg)
{
    start_read(arg);
}

static void on_changed(uv_async_t *a)
{
    struct surf *w = a->data;
    wfpw_debounce_note(&w->debounce);
}

static void on_fsev(uv_fs_event_t *h, const char *name, int events, int status)
{
    struct surf *w = h->data;
    (void)name, (void)events, (void)status;
    wfpw_debounce_note(&w->debounce);
}

/* ---- source interface ------------------------------------------------------------------------- */

static int surf_init(struct wfpw_source *src, char *err, size_t errlen)
{
    struct surf *w = wfpw_calloc(1, sizeof(*w));
    size_t i;
    (void)err, (void)errlen;
    if (w == NULL)
        return WFPW_ENOMEM;
    w->conf = src->conf;
    w->src = src;
    w->state = "starting";
    for (i = 0; i < w->conf->products.n; i++)
        w->products[i] = w->conf->products.v[i];
    for (i = 0; i < w->conf->endpoints.n; i++)
        w->endpoints[i] = w->conf->endpoints.v[i];
    w->rules.extra_products = w->products, w->rules.nextra = w->conf->products.n;
    w->rules.endpoints = w->endpoints, w->rules.nendpoints = w->conf->endpoints.n;
    src->state = w;
    return 0;
}

static int surf_start(struct wfpw_source *src)
{
    struct surf *w = src->state;
    char err[512] = "";
    if (uv_async_init(src->loop, &w->changed, on_changed) != 0)
        return WFPW_EIO;
    w->changed.data = w, w->handles_open++;
    wfpw_debounce_init(&w->debounce, src->loop, (uint64_t)w->conf->debounce_ms, on_settled, w);
    w->handles_open++;
    uv_timer_init(src->loop, &w->full);
    w->full.data = w, w->handles_open++;
    if (w->conf->proxy_probe_ms > 0 &&
        (w->prober = wfpw_prober_new(src->loop, PROBES_MAX, (uint64_t)w->conf->proxy_probe_ms, on_probed, w)) != NULL)
        w->handles_open++; /* until the prober has closed */
    uv_fs_event_init(src->loop, &w->fsev);
    w->fsev.data = w, w->handles_open++;
    resume_state(w);
    if (w->conf->dir[0]) {
        if (uv_fs_event_start(&w->fsev, on_fsev, w->conf->dir, 0) != 0)
            wfpw_source_error(src, "cannot watch the surface folder; it is read every interval_ms only");
    } else if (wfpw__plat_surface_watch(&w->watch, &w->changed, err, sizeof(err)) != 0 && err[0]) {
        char msg[640];
        snprintf(msg, sizeof(msg), "%s; the surface is read every %lld ms only", err, (long long)w->conf->interval_ms);
        if (strstr(err, "Windows only") == NULL) /* Linux: the read says it once */
            wfpw_source_error(src, msg);
    }
    uv_timer_start(&w->full, on_full, 0, (uint64_t)w->conf->interval_ms);
    return 0;
}

static void surf_pause(struct wfpw_source *src)
{
    struct surf *w = src->state;
    w->paused = 1;
}

static void surf_resume(struct wfpw_source *src)
{
    struct surf *w = src->state;
    w->paused = 0;
    if (w->again && !w->busy) {
        w->again = 0;
        start_read(w);
    }
}

static void surf_close(struct wfpw_source *src)
{
    struct surf *w = src->state;
    if (w == NULL)
        return;
    src->state = NULL;
    w->closing = 1;
    /* the watch thread ends before the async handle it signals is closed */
    wfpw__plat_surface_unwatch(w->watch);
    w->watch = NULL;
    if (w->handles_open == 0) {
        maybe_free(w);
        return;
    }
    if (w->prober != NULL) {
        wfpw_prober_close(w->prober, on_prober_closed);
        w->prober = NULL;
    }
    uv_close((uv_handle_t *)&w->changed, on_closed);
    uv_close((uv_handle_t *)&w->debounce.timer, on_closed_timer);
    uv_close((uv_handle_t *)&w->full, on_closed);
    uv_close((uv_handle_t *)&w->fsev, on_closed);
}

static void surf_stats(struct wfpw_source *src, cJSON *out)
{
    struct surf *w = src->state;
    if (w == NULL)
        return;
    cJSON_AddStringToObject(out, "surface", w->state);
    cJSON_AddNumberToObject(out, "surface_reads", (double)w->reads);
    cJSON_AddNumberToObject(out, "proxies_tried", (double)w->probes);
    cJSON_AddNumberToObject(out, "proxies_unanswered", (double)w->probes_unanswered);
    cJSON_AddNumberToObject(out, "proxy_tries_skipped", (double)w->probes_skipped);
    cJSON_AddNumberToObject(out, "surface_read_errors", (double)w->read_errors);
    cJSON_AddNumberToObject(out, "change_notifications", (double)w->debounce.notifications);
    cJSON_AddNumberToObject(out, "change_sets", (double)w->change_sets);
    cJSON_AddNumberToObject(out, "change_sets_handed_over_again", (double)w->replayed_sets);
    cJSON_AddNumberToObject(out, "items", (double)w->items);
}

const struct wfpw_source_type wfpw_source_surface = {
    .name = "surface",
    .help = "the silencing surface beyond WFP (NRPT, hosts file, proxies, QoS, routes): this host's registry, "
            "hosts file and route table on Windows, or collected files in `dir`; change sets and alerts",
    .conf_keys = surf_keys,
    .nconf_keys = sizeof(surf_keys) / sizeof(surf_keys[0]),
    .conf_size = sizeof(struct surf_conf),
    .init = surf_init,
    .start = surf_start,
    .pause = surf_pause,
    .resume = surf_resume,
    .close = surf_close,
    .stats = surf_stats,
};
