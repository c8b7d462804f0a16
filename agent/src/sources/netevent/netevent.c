/*
 * netevent.c — the `netevent` source: WFP's own record of dropped traffic (net events), which
 * names the filter and the run-time layer of every classify drop even where no audit policy
 * is set. The engine keeps net events only while FWPM_ENGINE_COLLECT_NET_EVENTS is on, and
 * capability and port-scanning drops only when FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS asks for
 * them: the source turns both on (`collect`), and the first time it does so writes the values it
 * found to data_dir/netevents.previous, so uninstalling can put them back.
 *
 * Callbacks come on an RPC thread with the engine's structure for the subscribe version
 * (the newest this Windows offers): wfpw_netevent_take() copies what matters into a record
 * there, and the record goes through a bounded queue to the loop. Net events cannot be read
 * again later, so a full queue drops the newest and counts it (in heartbeats).
 *
 * Watchdog, every `check_ms`: if the collect option was turned off (by an administrator, or
 * by someone hiding drops) it is turned on again; if the engine cannot be asked (BFE
 * restarted) or the subscription stayed silent for a whole period while the agent's other
 * sources (Security log, driver) reported `silent_blocks` blocked connections or more (the
 * same drops should have come as net events), the session and subscription are opened again.
 * Each is reported as an agent_status gap: drops in between are missing.
 *
 * On Linux the platform layer has no engine: the source says so once and stays idle.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "wfpw/fileio.h"
#include "hostinfo.h"
#include "netevent.h"
#include "platform.h"
#include "source.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

struct ne_conf {
    int collect;
    int64_t queue_events, check_ms, retry_ms, silent_blocks;
};

static const struct wfpw_cfg_key ne_keys[] = {
    {"collect", WFPW_CFG_BOOL, offsetof(struct ne_conf, collect), 0, 0, "true", NULL, 0,
     "turn on FWPM_ENGINE_COLLECT_NET_EVENTS (its previous value is kept for uninstall)"},
    {"queue_events", WFPW_CFG_INT, offsetof(struct ne_conf, queue_events), 16, 1000000, "8192", NULL, 0,
     "net events waiting for the loop; when full the newest are dropped and counted"},
    {"check_ms", WFPW_CFG_INT, offsetof(struct ne_conf, check_ms), 1000, 3600000, "60000", NULL, 0,
     "how often the watchdog checks the collect option and the engine session"},
    {"retry_ms", WFPW_CFG_INT, offsetof(struct ne_conf, retry_ms), 100, 3600000, "10000", NULL, 0,
     "retry interval while the engine cannot be opened"},
    {"silent_blocks", WFPW_CFG_INT, offsetof(struct ne_conf, silent_blocks), 0, 1000000, "20", NULL, 0,
     "resubscribe when a check period brings no net event while other sources reported this many blocks (0: off)"},
};

struct ne {
    struct ne_conf *conf;
    struct wfpw_source *src;
    struct wfpw__wfp *eng;       /* owned; NULL while closed */
    unsigned version;
    uv_mutex_t mu;               /* guards q*, dropped, malformed, ignored, last_err */
    struct wfpw_netevent *q;
    size_t qhead, qn;
    uint64_t dropped, malformed, ignored, received;
    char last_err[256];
    uv_async_t async;
    uv_timer_t check;
    struct wfpw_hostinfo host;
    int handles, unavailable, no_port_scanning;
    uint64_t emitted, reenabled, reopened;
    uint64_t received_at_check, elsewhere_at_check;  /* counters at the previous watchdog check */
    const char *state;
};

/* ---- RPC thread ----------------------------------------------------------------------------- */

static void on_netevent(void *ctx, unsigned version, const void *event)
{
    struct ne *n = ctx;
    struct wfpw_netevent rec;
    char err[256];
    int rc = wfpw_netevent_take(version, event, &rec, err, sizeof(err));
    uv_mutex_lock(&n->mu);
    n->received++;
    if (rc == 1) {
        n->ignored++;
    } else if (rc != 0) {
        n->malformed++;
        snprintf(n->last_err, sizeof(n->last_err), "%s", err);
    } else if (n->qn == (size_t)n->conf->queue_events) {
        n->dropped++;  /* cannot be read again: counted, reported in heartbeats */
    } else {
        n->q[(n->qhead + n->qn) % (size_t)n->conf->queue_events] = rec;
        n->qn++;
    }
    uv_mutex_unlock(&n->mu);
    if (rc == 0)
        uv_async_send(&n->async);
}

/* ---- loop side ------------------------------------------------------------------------------ */

static uint64_t next_pos(struct wfpw_source *src)
{
    return (src->last_pos > src->resume_pos ? src->last_pos : src->resume_pos) + 1;
}

static void report_gap(struct ne *n, const char *why)
{
    char msg[512];
    cJSON *ev;
    snprintf(msg, sizeof(msg), "net events: %s; drops in between are missing", why);
    wfpw_log_warn("source", n->src->name, "%s", msg);
    if ((ev = wfpw_event_agent_status(1, wfpw__plat_time_ms(), "degraded", msg)) != NULL)
        wfpw_source_emit(n->src, ev, WFPW_EV_PASS, next_pos(n->src));
}

/* Keep the values found before we first touched them, for uninstall (never overwritten):
 * "COLLECT KEYWORDS\n" (an older file holds only COLLECT). */
static void remember_previous(struct ne *n, int was_on, uint32_t keywords)
{
    char path[1100], text[32];
    char *old = NULL;
    size_t len;
    int w;
    snprintf(path, sizeof(path), "%s/netevents.previous", n->src->data_dir ? n->src->data_dir : ".");
    if (wfpw_file_read_all(path, 64, &old, &len) == 0) {
        wfpw_free(old);
        return;
    }
    w = snprintf(text, sizeof(text), "%d %lu\n", was_on ? 1 : 0, (unsigned long)keywords);
    if (wfpw_file_write_atomic(path, text, (size_t)w) != 0)
        wfpw_source_error(n->src, "cannot record the previous net event collection setting");
}

/* The drop classes the source reads are asked for (capability drops, port-scanning drops where
 * this Windows has them); whatever else is set stays. 0 or an error in err. */
static int want_keywords(struct ne *n, uint32_t have, char *err, size_t errlen)
{
    uint32_t want = have | WFPW_NET_EVENT_KEYWORDS_WANTED;
    int rc;
    if ((have & WFPW_NET_EVENT_KEYWORD_CAPABILITY_DROP) &&
        (have & WFPW_NET_EVENT_KEYWORD_PORT_SCANNING_DROP || n->no_port_scanning))
        return 0;
    rc = wfpw__plat_wfp_keywords_set(n->eng, want, err, errlen);
    if (rc == WFPW_EINVAL) { /* older than 1903: no port-scanning class */
        n->no_port_scanning = 1;
        rc = wfpw__plat_wfp_keywords_set(n->eng, have | WFPW_NET_EVENT_KEYWORD_CAPABILITY_DROP, err, errlen);
    }
    return rc;
}

static void schedule(struct ne *n, uint64_t ms);

static void open_engine(struct ne *n)
{
    char err[512] = "";
    int on = 0, rc;
    if ((rc = wfpw__plat_wfp_open(&n->eng, err, sizeof(err))) != 0) {
        if (rc == WFPW_ENOSYS) {
            if (!n->unavailable) {
                wfpw_source_error(n->src, err);
                wfpw_source_finished(n->src);  /* nothing will ever come: do not hold up --until-drained */
            }
            n->unavailable = 1;
            n->state = "not available on this platform";
            return;
        }
        wfpw_source_error(n->src, err);
        n->state = "engine not open";
        schedule(n, (uint64_t)n->conf->retry_ms);
        return;
    }
    if (n->conf->collect) {
        uint32_t kw = 0;
        if ((rc = wfpw__plat_wfp_collect_get(n->eng, &on, err, sizeof(err))) == 0 &&
            (rc = wfpw__plat_wfp_keywords_get(n->eng, &kw, err, sizeof(err))) == 0) {
            remember_previous(n, on, kw);
            if (!on)
                rc = wfpw__plat_wfp_collect_set(n->eng, 1, err, sizeof(err));
            /* capability and port-scanning drops are kept only when asked for */
            if (rc == 0)
                rc = want_keywords(n, kw, err, sizeof(err));
        }
        if (rc != 0)
            wfpw_source_error(n->src, err);  /* subscribe anyway: maybe someone else collects */
    }
    if ((rc = wfpw__plat_wfp_netevents(n->eng, on_netevent, n, &n->version, err, sizeof(err))) != 0) {
        wfpw_source_error(n->src, err);
        wfpw__plat_wfp_close(n->eng);
        n->eng = NULL;
        n->state = "not subscribed";
        schedule(n, (uint64_t)n->conf->retry_ms);
        return;
    }
    n->state = "subscribed";
    wfpw_log_info("source", n->src->name, "subscribed to net events (FwpmNetEventSubscribe%u)", n->version);
    schedule(n, (uint64_t)n->conf->check_ms);
}

static void on_check(uv_timer_t *t)
{
    struct ne *n = t->data;
    char err[512] = "";
    int on = 0;
    if (n->eng == NULL) {
        open_engine(n);
        return;
    }
    if (wfpw__plat_wfp_collect_get(n->eng, &on, err, sizeof(err)) != 0) {
        wfpw_source_error(n->src, err);
        wfpw__plat_wfp_close(n->eng);
        n->eng = NULL;
        n->reopened++;
        report_gap(n, "the engine session failed (BFE restarted?); subscribing again");
        open_engine(n);
        return;
    }
    {
        uint64_t received, elsewhere = wfpw_source_blocks_elsewhere(n->src);
        uv_mutex_lock(&n->mu);
        received = n->received;
        uv_mutex_unlock(&n->mu);
        if (n->conf->silent_blocks > 0 && received == n->received_at_check &&
            elsewhere - n->elsewhere_at_check >= (uint64_t)n->conf->silent_blocks) {
            char why[200];
            snprintf(why, sizeof(why), "no net event for %lld ms while other sources reported %llu blocked connections; "
                     "subscribing again", (long long)n->conf->check_ms,
                     (unsigned long long)(elsewhere - n->elsewhere_at_check));
            n->received_at_check = received, n->elsewhere_at_check = elsewhere;
            wfpw__plat_wfp_close(n->eng);
            n->eng = NULL;
            n->reopened++;
            report_gap(n, why);
            open_engine(n);
            return;
        }
        n->received_at_check = received, n->elsewhere_at_check = elsewhere;
    }
    if (!on && n->conf->collect) {
        n->reenabled++;
        report_gap(n, "collection (FWPM_ENGINE_COLLECT_NET_EVENTS) was turned off by someone else; turned on again");
        if (wfpw__plat_wfp_collect_set(n->eng, 1, err, sizeof(err)) != 0)
            wfpw_source_error(n->src, err);
    }
    if (n->conf->collect) {
        uint32_t kw = 0;
        if (wfpw__plat_wfp_keywords_get(n->eng, &kw, err, sizeof(err)) == 0 &&
            !(kw & WFPW_NET_EVENT_KEYWORD_CAPABILITY_DROP)) {
            n->reenabled++;
            report_gap(n, "capability drops (FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS) were turned off by someone "
                          "else; turned on again");
            if (want_keywords(n, kw, err, sizeof(err)) != 0)
                wfpw_source_error(n->src, err);
        }
    }
    schedule(n, (uint64_t)n->conf->check_ms);
}

static void schedule(struct ne *n, uint64_t ms)
{
    uv_timer_start(&n->check, on_check, ms, 0);
}

static void on_async(uv_async_t *a)
{
    struct ne *n = a->data;
    for (;;) {
        struct wfpw_netevent rec;
        char err[256], last[256];
        int packet = 0;
        cJSON *ev;
        uv_mutex_lock(&n->mu);
        last[0] = '\0';
        if (n->last_err[0]) {
            snprintf(last, sizeof(last), "%s", n->last_err);
            n->last_err[0] = '\0';
        }
        if (n->qn == 0) {
            uv_mutex_unlock(&n->mu);
            if (last[0])
                wfpw_source_error(n->src, last);
            return;
        }
        rec = n->q[n->qhead];
        n->qhead = (n->qhead + 1) % (size_t)n->conf->queue_events;
        n->qn--;
        uv_mutex_unlock(&n->mu);
        if (last[0])
            wfpw_source_error(n->src, last);
        if ((ev = wfpw_netevent_event(&rec, wfpw_hostinfo_map_path, &n->host, &packet, err, sizeof(err))) == NULL) {
            wfpw_source_error(n->src, err);
            continue;
        }
        n->emitted++;
        /* validated whole by the conversion (netevent.h): checked once */
        wfpw_source_emit(n->src, ev, (packet ? WFPW_EV_PACKET : WFPW_EV_CONNECTION) | WFPW_EV_VALIDATED,
                         next_pos(n->src));
    }
}

/* ---- source interface ----------------------------------------------------------------------- */

static int64_t loop_now(void *ctx)
{
    return (int64_t)uv_now(ctx);
}

static int ne_init(struct wfpw_source *src, char *err, size_t errlen)
{
    struct ne *n = wfpw_calloc(1, sizeof(*n));
    struct ne_conf *c = src->conf;
    (void)err, (void)errlen;
    if (n == NULL || (n->q = wfpw_calloc((size_t)c->queue_events, sizeof(*n->q))) == NULL) {
        wfpw_free(n);
        return WFPW_ENOMEM;
    }
    n->conf = c, n->src = src, n->state = "starting";
    uv_mutex_init(&n->mu);
    src->state = n;
    return 0;
}

static int ne_start(struct wfpw_source *src)
{
    struct ne *n = src->state;
    char err[256];
    if (uv_async_init(src->loop, &n->async, on_async) != 0)
        return WFPW_EIO;
    n->async.data = n;
    uv_timer_init(src->loop, &n->check);
    n->check.data = n;
    n->handles = 1;
    n->host.now_ms = loop_now, n->host.now_ctx = src->loop;
    if (wfpw_hostinfo_refresh(&n->host, err, sizeof(err)) != 0)
        wfpw_source_error(src, err);
    open_engine(n);
    return 0;
}

static void free_state(struct ne *n)
{
    uv_mutex_destroy(&n->mu);
    wfpw_free(n->q);
    wfpw_free(n);
}

static void on_closed(uv_handle_t *h)
{
    free_state(h->data);
}

static void ne_close(struct wfpw_source *src)
{
    struct ne *n = src->state;
    if (n == NULL)
        return;
    src->state = NULL;
    wfpw__plat_wfp_close(n->eng);  /* no callback runs after this */
    n->eng = NULL;
    if (n->handles) {
        uv_close((uv_handle_t *)&n->async, NULL);
        uv_close((uv_handle_t *)&n->check, on_closed);
        return;
    }
    free_state(n);
}

static void ne_pause(struct wfpw_source *src)
{
    (void)src;  /* net events keep coming; the bounded queue takes them or counts them */
}

static void ne_resume(struct wfpw_source *src)
{
    (void)src;
}

static void ne_stats(struct wfpw_source *src, cJSON *out)
{
    struct ne *n = src->state;
    uint64_t dropped, malformed, ignored, received;
    if (n == NULL)
        return;
    uv_mutex_lock(&n->mu);
    dropped = n->dropped, malformed = n->malformed, ignored = n->ignored, received = n->received;
    uv_mutex_unlock(&n->mu);
    cJSON_AddStringToObject(out, "state", n->state);
    cJSON_AddNumberToObject(out, "subscribe_version", n->version);
    cJSON_AddNumberToObject(out, "received", (double)received);
    cJSON_AddNumberToObject(out, "ignored_types", (double)ignored);
    cJSON_AddNumberToObject(out, "malformed", (double)malformed);
    cJSON_AddNumberToObject(out, "queue_dropped", (double)dropped);
    cJSON_AddNumberToObject(out, "collect_reenabled", (double)n->reenabled);
    cJSON_AddNumberToObject(out, "resubscribes", (double)n->reopened);
}

const struct wfpw_source_type wfpw_source_netevent = {
    .name = "netevent",
    .help = "WFP net events of this host (Windows): classify, MAC and capability drops with the filter id",
    .conf_keys = ne_keys,
    .nconf_keys = sizeof(ne_keys) / sizeof(ne_keys[0]),
    .conf_size = sizeof(struct ne_conf),
    .init = ne_init,
    .start = ne_start,
    .pause = ne_pause,
    .resume = ne_resume,
    .close = ne_close,
    .stats = ne_stats,
};
