/*
 * wfp.c — the `wfp` source: the live filter inventory of this host's Base Filtering Engine.
 * It reads the whole inventory (filters, providers, sublayers, callouts) at start, after
 * filter changes the engine notifies (debounced: a firewall policy refresh that replaces
 * hundreds of filters becomes one read), and every `full_every_ms` as a safety net for a
 * notification that never came. Each read is a snapshot for the pipeline, which diffs it
 * against the previous one and raises the change-set events and alerts; its raw form is
 * `netsh wfp show state` XML (netshwrite.c), so what the agent keeps is what an analyst reads.
 *
 * Reads run on the libuv threadpool (an inventory of thousands of filters takes a moment and
 * the loop must keep shipping); change notifications arrive on an RPC thread and only
 * uv_async_send. One read at a time; a change during a read schedules one more. When the engine
 * goes away (BFE stopped or restarted: WFPW_EGONE) the session is closed and opened again.
 *
 * On Linux the platform layer has no engine: the source says so once and stays idle.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "debounce.h"
#include "inventory.h"
#include "netshwrite.h"
#include "platform.h"
#include "source.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"
#include "wfpw/timefmt.h"

#define SNAPSHOT_MAX (256u << 20)

struct wfp_conf {
    int64_t debounce_ms, full_every_ms, retry_ms, check_ms;
};

static const struct wfpw_cfg_key wfp_keys[] = {
    {"debounce_ms", WFPW_CFG_INT, offsetof(struct wfp_conf, debounce_ms), 50, 600000, "250", NULL, 0,
     "quiet time after a filter change before the inventory is read"},
    {"full_every_ms", WFPW_CFG_INT, offsetof(struct wfp_conf, full_every_ms), 10000, 86400000, "300000", NULL, 0,
     "read the whole inventory this often even without change notifications"},
    {"retry_ms", WFPW_CFG_INT, offsetof(struct wfp_conf, retry_ms), 1000, 3600000, "30000", NULL, 0,
     "retry interval while the engine cannot be opened or read"},
    {"check_ms", WFPW_CFG_INT, offsetof(struct wfp_conf, check_ms), 500, 3600000, "5000", NULL, 0,
     "how often the engine session is checked (a restarted Base Filtering Engine kills it silently)"},
};

/* One inventory read: filled on a threadpool thread, handed over on the loop. */
struct job {
    uv_work_t req;
    struct wfp *w;
    int probe;                   /* only check the session, read nothing */
    struct wfpw_inventory *inv;  /* owned until handed to the pipeline */
    struct wfpw_buf xml;
    int rc;
    uint64_t ms;
    char err[512];
};

struct wfp {
    struct wfp_conf *conf;
    struct wfpw_source *src;
    struct wfpw__wfp *eng;       /* owned; NULL until opened */
    uv_async_t changed;
    struct wfpw_debounce debounce;
    uv_timer_t full, check;
    int handles_open, closing, busy, again, watching, unavailable, paused;
    uint64_t reads, read_errors, last_read_ms, filters, engine_lost;
    const char *state;           /* a literal for heartbeats */
};

static void start_read(struct wfp *w);
static void on_full(uv_timer_t *t);

static void free_state(struct wfp *w)
{
    wfpw__plat_wfp_close(w->eng);
    wfpw_free(w);
}

static void maybe_free(struct wfp *w)
{
    if (w->closing && !w->busy && w->handles_open == 0)
        free_state(w);
}

static void on_closed(uv_handle_t *h)
{
    struct wfp *w = h->data;
    w->handles_open--;
    maybe_free(w);
}

static void on_closed_timer(uv_handle_t *h) /* the debounce timer: its data is the debounce */
{
    struct wfp *w = ((struct wfpw_debounce *)h->data)->arg;
    w->handles_open--;
    maybe_free(w);
}

/* ---- engine --------------------------------------------------------------------------------- */

/* 0 when the engine is open (and watched if possible). */
static int open_engine(struct wfp *w)
{
    char err[512] = "";
    int rc;
    if (w->eng)
        return 0;
    if ((rc = wfpw__plat_wfp_open(&w->eng, err, sizeof(err))) != 0) {
        if (rc == WFPW_ENOSYS) {
            if (!w->unavailable) {
                wfpw_source_error(w->src, err);
                wfpw_source_finished(w->src);  /* nothing will ever come: do not hold up --until-drained */
            }
            w->unavailable = 1;
            w->state = "not available on this platform";
            return rc;
        }
        wfpw_source_error(w->src, err);
        w->state = "engine not open";
        return rc;
    }
    if (wfpw__plat_wfp_watch(w->eng, &w->changed, err, sizeof(err)) != 0) {
        char msg[640];
        snprintf(msg, sizeof(msg), "%s; the inventory is read every %lld ms only", err, (long long)w->conf->full_every_ms);
        wfpw_source_error(w->src, msg);
        w->state = "polling (no change notifications)";
    } else {
        w->watching = 1;
        w->state = "watching";
    }
    return 0;
}

/* The engine went away (the Base Filtering Engine stopped or restarted): the session and its
 * watch are dead and every call on them fails. Close them; the full timer opens a new session
 * at retry_ms, and its first read shows whatever changed meanwhile. */
static void lose_engine(struct wfp *w)
{
    cJSON *ev;
    wfpw__plat_wfp_close(w->eng);
    w->eng = NULL;
    w->watching = 0;
    w->engine_lost++;
    w->state = "engine lost; reopening";
    if ((ev = wfpw_event_agent_status(1, wfpw__plat_time_ms(), "degraded",
                                      "wfp: the filter engine went away (the Base Filtering Engine stopped or restarted); "
                                      "opening a new session: changes in between are seen by its first read, their "
                                      "notifications are lost")) != NULL) {
        uint64_t pos = (w->src->last_pos > w->src->resume_pos ? w->src->last_pos : w->src->resume_pos) + 1;
        wfpw_source_emit(w->src, ev, WFPW_EV_PASS, pos);
    }
    uv_timer_start(&w->full, on_full, (uint64_t)w->conf->retry_ms, 0);
}

/* ---- reads ---------------------------------------------------------------------------------- */

static void read_work(uv_work_t *req)       /* threadpool */
{
    struct job *j = req->data;
    uint64_t t0 = uv_hrtime();
    char when[WFPW_TIME_LEN + 1] = "";
    if (j->probe) {
        j->rc = wfpw__plat_wfp_probe(j->w->eng, j->err, sizeof(j->err));
        return;
    }
    j->rc = wfpw__plat_wfp_inventory(j->w->eng, j->inv, j->err, sizeof(j->err));
    if (j->rc == 0) {
        wfpw_time_format_ms(wfpw__plat_time_ms(), when);
        snprintf(j->err, sizeof(j->err), "wfpwatch-agent: live inventory (FwpmFilterEnum0) at %s", when);
        j->rc = wfpw_netsh_write(j->inv, j->err, &j->xml);
        if (j->rc != 0)
            snprintf(j->err, sizeof(j->err), "cannot serialize the inventory: %s", wfpw_strerror(j->rc));
    }
    j->ms = (uv_hrtime() - t0) / 1000000u;
}

static void read_done(uv_work_t *req, int status)
{
    struct job *j = req->data;
    struct wfp *w = j->w;
    struct wfpw_source *src = w->src;
    w->busy = 0;
    if (j->probe) {
        if (status == 0 && j->rc == WFPW_EGONE && !w->closing) {
            wfpw_source_error(src, j->err);
            lose_engine(w);
        }
    } else if (status == 0 && j->rc == 0 && !w->closing) {
        uint64_t pos = (src->last_pos > src->resume_pos ? src->last_pos : src->resume_pos) + 1;
        w->reads++, w->last_read_ms = j->ms, w->filters = j->inv->nfilters;
        wfpw_log_debug("source", src->name, "inventory read in %llu ms: %zu filters", (unsigned long long)j->ms,
                       j->inv->nfilters);
        wfpw_source_snapshot(src, j->inv, j->xml.data, j->xml.len, pos);  /* takes inv */
        j->inv = NULL;
    } else if (status == 0 && j->rc != 0 && !j->probe) {
        w->read_errors++;
        wfpw_source_error(src, j->err);
        if (j->rc == WFPW_EGONE && !w->closing)
            lose_engine(w);
    }
    if (j->inv) {
        wfpw_inventory_free(j->inv);
        wfpw_free(j->inv);
    }
    wfpw_buf_free(&j->xml);
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

static void start_read(struct wfp *w)
{
    struct job *j;
    if (w->closing)
        return;
    if (w->paused) {
        w->again = 1;  /* read when resumed */
        return;
    }
    if (w->busy) {
        w->again = 1;
        return;
    }
    if (open_engine(w) != 0)
        return;  /* the full timer retries at retry_ms while the engine is closed */
    if ((j = wfpw_calloc(1, sizeof(*j))) == NULL || (j->inv = wfpw_malloc(sizeof(*j->inv))) == NULL) {
        wfpw_free(j);
        wfpw_source_error(w->src, "out of memory for an inventory read");
        return;
    }
    wfpw_inventory_init(j->inv);
    wfpw_buf_init(&j->xml, SNAPSHOT_MAX);
    j->w = w;
    j->req.data = j;
    w->busy = 1;
    if (uv_queue_work(w->src->loop, &j->req, read_work, read_done) != 0) {
        w->busy = 0;
        wfpw_inventory_free(j->inv);
        wfpw_free(j->inv);
        wfpw_free(j);
        wfpw_source_error(w->src, "cannot queue the inventory read");
    }
}

/* A probe of the session on the threadpool (one RPC), when no read is running. */
static void start_probe(struct wfp *w)
{
    struct job *j;
    if (w->closing || w->busy || w->eng == NULL || (j = wfpw_calloc(1, sizeof(*j))) == NULL)
        return;
    j->w = w;
    j->probe = 1;
    j->req.data = j;
    w->busy = 1;
    if (uv_queue_work(w->src->loop, &j->req, read_work, read_done) != 0) {
        w->busy = 0;
        wfpw_free(j);
    }
}

/* ---- timers and notifications --------------------------------------------------------------- */

static void on_full(uv_timer_t *t)
{
    struct wfp *w = t->data;
    if (w->unavailable)
        return;
    start_read(w);
    /* while the engine is closed, retry sooner than the full period */
    uv_timer_start(&w->full, on_full, w->eng ? (uint64_t)w->conf->full_every_ms : (uint64_t)w->conf->retry_ms, 0);
}

static void on_settled(void *arg)
{
    start_read(arg);
}

static void on_check(uv_timer_t *t)
{
    start_probe(t->data);
}

static void on_changed(uv_async_t *a)
{
    struct wfp *w = a->data;
    wfpw_debounce_note(&w->debounce);
}

/* ---- source interface ----------------------------------------------------------------------- */

static int wfp_init(struct wfpw_source *src, char *err, size_t errlen)
{
    struct wfp *w = wfpw_calloc(1, sizeof(*w));
    (void)err, (void)errlen;
    if (w == NULL)
        return WFPW_ENOMEM;
    w->conf = src->conf;
    w->src = src;
    w->state = "starting";
    src->state = w;
    return 0;
}

static int wfp_start(struct wfpw_source *src)
{
    struct wfp *w = src->state;
    int rc;
    if ((rc = uv_async_init(src->loop, &w->changed, on_changed)) != 0)
        return WFPW_EIO;
    w->changed.data = w, w->handles_open++;
    wfpw_debounce_init(&w->debounce, src->loop, (uint64_t)w->conf->debounce_ms, on_settled, w);
    w->handles_open++;
    uv_timer_init(src->loop, &w->full);
    w->full.data = w, w->handles_open++;
    uv_timer_init(src->loop, &w->check);
    w->check.data = w, w->handles_open++;
    uv_timer_start(&w->check, on_check, (uint64_t)w->conf->check_ms, (uint64_t)w->conf->check_ms);
    on_full(&w->full);   /* the first read now, then periodically */
    return 0;
}

static void wfp_resume(struct wfpw_source *src)
{
    struct wfp *w = src->state;
    w->paused = 0;
    if (w->again && !w->busy) {
        w->again = 0;
        start_read(w);  /* catch up on what changed while paused */
    }
}

static void wfp_pause(struct wfpw_source *src)
{
    struct wfp *w = src->state;
    w->paused = 1;  /* no new reads; the engine keeps notifying and a read follows the resume */
}

static void wfp_close(struct wfpw_source *src)
{
    struct wfp *w = src->state;
    if (w == NULL)
        return;
    src->state = NULL;
    w->closing = 1;
    /* no change may signal the async handle from here on: the watch ends before it closes */
    wfpw__plat_wfp_unwatch(w->eng);
    if (w->handles_open == 0) {
        maybe_free(w);
        return;
    }
    uv_close((uv_handle_t *)&w->changed, on_closed);
    uv_close((uv_handle_t *)&w->debounce.timer, on_closed_timer);
    uv_close((uv_handle_t *)&w->full, on_closed);
    uv_close((uv_handle_t *)&w->check, on_closed);
}

static void wfp_stats(struct wfpw_source *src, cJSON *out)
{
    struct wfp *w = src->state;
    if (w == NULL)
        return;
    cJSON_AddStringToObject(out, "engine", w->state);
    cJSON_AddNumberToObject(out, "inventory_reads", (double)w->reads);
    cJSON_AddNumberToObject(out, "inventory_read_errors", (double)w->read_errors);
    cJSON_AddNumberToObject(out, "change_notifications", (double)w->debounce.notifications);
    cJSON_AddNumberToObject(out, "engine_reopened", (double)w->engine_lost);
    cJSON_AddNumberToObject(out, "filters", (double)w->filters);
    cJSON_AddNumberToObject(out, "last_read_ms", (double)w->last_read_ms);
}

const struct wfpw_source_type wfpw_source_wfp = {
    .name = "wfp",
    .help = "the live WFP filter inventory of this host (Windows): read at start, after changes, and periodically",
    .conf_keys = wfp_keys,
    .nconf_keys = sizeof(wfp_keys) / sizeof(wfp_keys[0]),
    .conf_size = sizeof(struct wfp_conf),
    .init = wfp_init,
    .start = wfp_start,
    .pause = wfp_pause,
    .resume = wfp_resume,
    .close = wfp_close,
    .stats = wfp_stats,
};
