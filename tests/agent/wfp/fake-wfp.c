/*
 * fake-wfp.c — a stand-in for the platform's WFP engine (platform.h wfpw__plat_wfp_*), linked
 * into wfpwatch-agent-fakewfp instead of src/linux/wfp.c so the `wfp` source's loop-side logic
 * (reads on the threadpool, change notifications from a foreign thread, debouncing, the
 * periodic safety-net read, snapshots into the pipeline) runs on Linux.
 *
 * The "engine" is a netsh dump at the path in WFPW_FAKE_WFP: each inventory read parses it
 * with the netsh reader (test-fwpconv.c proves the engine-structure path gives the same
 * model). A watcher thread polls the file every 20 ms and
 * reports each change of its size or modification time, as FwpmFilterSubscribeChanges0 would
 * report each added or deleted filter. WFPW_FAKE_WFP_READS, when set, names a file that gets
 * one line per inventory read, so the tests can count reads.
 *
 * What Windows does that the fake models (docs/windows-behaviour.md has each with its source):
 *  - the Base Filtering Engine restarts: WFPW_FAKE_WFP + ".bfe" holds "running N" or "stopped";
 *    a session opened under another N is dead (every call WFPW_EGONE, its watch delivers
 *    nothing more), and while "stopped" no session opens (EPT_S_NOT_REGISTERED: WFPW_EGONE);
 *  - FwpmFilterUnsubscribeChanges0 returns only when no callback runs and none will: a source
 *    that closes the handle a watch signals before ending the watch is caught here (abort), as
 *    on Windows it would post a completion for a closed handle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>

#include "inventory.h"
#include "netsh.h"
#include "platform.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

struct wfpw__wfp {
    char path[1024];
    uv_thread_t thread;
    int watching;
    volatile int stop;           /* the session closes: every thread of the fake ends */
    volatile int unwatch;        /* the watch ends */
    struct uv_async_s *signal;
    long generation;             /* the BFE "run" this session was opened in */
};

/* The BFE's state from WFPW_FAKE_WFP.bfe: its run number, or -1 while stopped (no file: run 0). */
static long bfe_generation(const char *path)
{
    char p[1100], buf[64] = "";
    long g = 0;
    FILE *f;
    snprintf(p, sizeof(p), "%s.bfe", path);
    if ((f = fopen(p, "r")) == NULL)
        return 0;
    if (fgets(buf, sizeof(buf), f) != NULL) {
        if (strncmp(buf, "stopped", 7) == 0)
            g = -1;
        else
            sscanf(buf, "running %ld", &g);
    }
    fclose(f);
    return g;
}

static int session_dead(const struct wfpw__wfp *w, char *err, size_t errlen)
{
    if (bfe_generation(w->path) == w->generation)
        return 0;
    snprintf(err, errlen, "fake engine: the Base Filtering Engine restarted; this session is gone (RPC_S_SERVER_UNAVAILABLE)");
    return 1;
}

int wfpw__plat_wfp_open(struct wfpw__wfp **eng, char *err, size_t errlen)
{
    const char *p = getenv("WFPW_FAKE_WFP");
    struct wfpw__wfp *w;
    *eng = NULL;
    if (p == NULL) {
        snprintf(err, errlen, "fake engine: WFPW_FAKE_WFP is not set");
        return WFPW_EINVAL;
    }
    if (bfe_generation(p) < 0) {
        snprintf(err, errlen, "fake engine: FwpmEngineOpen0 failed: error 1753 (EPT_S_NOT_REGISTERED: BFE is not running)");
        return WFPW_EGONE;
    }
    if ((w = wfpw_calloc(1, sizeof(*w))) == NULL)
        return WFPW_ENOMEM;
    snprintf(w->path, sizeof(w->path), "%s", p);
    w->generation = bfe_generation(p);
    *eng = w;
    return 0;
}

int wfpw__plat_wfp_inventory(struct wfpw__wfp *w, struct wfpw_inventory *inv, char *err, size_t errlen)
{
    const char *log = getenv("WFPW_FAKE_WFP_READS");
    int rc = session_dead(w, err, errlen) ? WFPW_EGONE : wfpw_netsh_read_file(w->path, inv, err, errlen);
    if (log) {
        FILE *f = fopen(log, "a");
        if (f) {
            fprintf(f, "read rc=%d filters=%zu\n", rc, inv->nfilters);
            fclose(f);
        }
    }
    return rc;
}

static void watcher(void *arg)
{
    struct wfpw__wfp *w = arg;
    struct stat last, now;
    char err[200];
    memset(&last, 0, sizeof(last));
    stat(w->path, &last);
    while (!w->stop && !w->unwatch) {
        uv_sleep(20);
        if (session_dead(w, err, sizeof(err)))
            continue; /* a dead session's subscription delivers nothing, and says nothing */
        if (stat(w->path, &now) != 0)
            continue;
        if (now.st_size != last.st_size || now.st_mtim.tv_sec != last.st_mtim.tv_sec ||
            now.st_mtim.tv_nsec != last.st_mtim.tv_nsec || now.st_ino != last.st_ino) {
            last = now;
            uv_async_send(w->signal);
        }
    }
}

int wfpw__plat_wfp_watch(struct wfpw__wfp *w, struct uv_async_s *signal, char *err, size_t errlen)
{
    if (session_dead(w, err, errlen))
        return WFPW_EGONE;
    w->signal = signal;
    w->unwatch = 0;
    if (uv_thread_create(&w->thread, watcher, w) != 0) {
        snprintf(err, errlen, "fake engine: cannot start the watcher");
        return WFPW_EIO;
    }
    w->watching = 1;
    return 0;
}

int wfpw__plat_wfp_probe(struct wfpw__wfp *w, char *err, size_t errlen)
{
    return session_dead(w, err, errlen) ? WFPW_EGONE : 0;
}

void wfpw__plat_wfp_unwatch(struct wfpw__wfp *w)
{
    if (w == NULL || !w->watching)
        return;
    w->unwatch = 1;
    uv_thread_join(&w->thread);
    w->watching = 0;
}

static void stop_feeder(struct wfpw__wfp *w);

void wfpw__plat_wfp_close(struct wfpw__wfp *w)
{
    if (w == NULL)
        return;
    if (w->watching && uv_is_closing((uv_handle_t *)w->signal)) {
        /* Windows: the RPC thread would post to a handle the loop has closed */
        fprintf(stderr, "fake engine: the handle a watch signals was closed before the watch ended\n");
        abort();
    }
    wfpw__plat_wfp_unwatch(w);
    w->stop = 1;
    stop_feeder(w);
    wfpw_free(w);
}

/* ---- net events ---------------------------------------------------------------------------
 * WFPW_FAKE_NETEVENTS names a file of lines "version type v6 proto local lport remote rport
 * filter layer direction path" (path last, may contain spaces); a thread builds the engine's
 * FWPM_NET_EVENTn for each new line and calls the source as the RPC thread would.
 * WFPW_FAKE_NETEVENTS_VERSION picks the subscribe version (default 4). The collect option is
 * a file too: WFPW_FAKE_WFP + ".collect" holds 0 or 1, and the keyword mask WFPW_FAKE_WFP +
 * ".keywords" (decimal). As in Windows (docs/windows-behaviour.md): nothing is delivered while
 * collection is off; capability drops only while FWPM_NET_EVENT_KEYWORD_CAPABILITY_DROP is set;
 * a Windows older than 1903 (WFPW_FAKE_WFP_BUILD below 18362) refuses the port-scanning keyword;
 * a dead session (BFE restarted) delivers nothing. */
#include "fwpm_netevent.h"
#include "netevent-build.h"

static char collect_path[1100];

int wfpw__plat_wfp_collect_get(struct wfpw__wfp *w, int *on, char *err, size_t errlen)
{
    FILE *f;
    if (session_dead(w, err, errlen))
        return WFPW_EGONE;
    snprintf(collect_path, sizeof(collect_path), "%s.collect", w->path);
    *on = 0;
    if ((f = fopen(collect_path, "r")) != NULL) {
        *on = fgetc(f) == '1';
        fclose(f);
    }
    return 0;
}

int wfpw__plat_wfp_collect_set(struct wfpw__wfp *w, int on, char *err, size_t errlen)
{
    FILE *f;
    if (session_dead(w, err, errlen))
        return WFPW_EGONE;
    snprintf(collect_path, sizeof(collect_path), "%s.collect", w->path);
    if ((f = fopen(collect_path, "w")) == NULL) {
        snprintf(err, errlen, "fake engine: cannot write %s", collect_path);
        return WFPW_EIO;
    }
    fputc(on ? '1' : '0', f);
    fclose(f);
    return 0;
}

static uint32_t read_keywords(const char *path)
{
    char p[1100];
    unsigned long v = 0;
    FILE *f;
    snprintf(p, sizeof(p), "%s.keywords", path);
    if ((f = fopen(p, "r")) != NULL) {
        if (fscanf(f, "%lu", &v) != 1)
            v = 0;
        fclose(f);
    }
    return (uint32_t)v;
}

int wfpw__plat_wfp_keywords_get(struct wfpw__wfp *w, uint32_t *keywords, char *err, size_t errlen)
{
    if (session_dead(w, err, errlen))
        return WFPW_EGONE;
    *keywords = read_keywords(w->path);
    return 0;
}

int wfpw__plat_wfp_keywords_set(struct wfpw__wfp *w, uint32_t keywords, char *err, size_t errlen)
{
    const char *build = getenv("WFPW_FAKE_WFP_BUILD");
    char p[1100];
    FILE *f;
    if (session_dead(w, err, errlen))
        return WFPW_EGONE;
    if ((keywords & 0x20u) && build && atol(build) < 18362) {
        snprintf(err, errlen, "fake engine: FwpmEngineSetOption0 failed: FWP_E_INVALID_PARAMETER (no port-scanning "
                              "keyword before Windows 10 1903)");
        return WFPW_EINVAL;
    }
    if (keywords & ~0x3fu) {
        snprintf(err, errlen, "fake engine: FwpmEngineSetOption0 failed: FWP_E_INVALID_PARAMETER");
        return WFPW_EINVAL;
    }
    snprintf(p, sizeof(p), "%s.keywords", w->path);
    if ((f = fopen(p, "w")) == NULL) {
        snprintf(err, errlen, "fake engine: cannot write %s", p);
        return WFPW_EIO;
    }
    fprintf(f, "%lu\n", (unsigned long)keywords);
    fclose(f);
    return 0;
}

struct ne_feed {
    struct wfpw__wfp *w;
    void (*on_event)(void *ctx, unsigned version, const void *event);
    void *ctx;
    unsigned version;
    char path[1024];
};

static struct ne_feed feed;
static uv_thread_t feed_thread;
static int feed_running;

static void deliver(const struct ne_feed *fd, const char *line)
{
    struct wfpw_test_netevent nb;
    unsigned type;
    const void *ev = wfpw_test_netevent_build(&nb, fd->version, line, &type);
    char e2[200];
    int on = 0;
    if (ev == NULL)
        return;
    /* what the engine keeps: nothing while collection is off, capability drops only when their
     * keyword is set, nothing on a dead session */
    if (wfpw__plat_wfp_collect_get(fd->w, &on, e2, sizeof(e2)) != 0 || !on || session_dead(fd->w, e2, sizeof(e2)))
        return;
    if (type == WFPW_NE_CAPABILITY_DROP && !(read_keywords(fd->w->path) & 0x4u))
        return;
    fd->on_event(fd->ctx, fd->version, ev);
}

static void feeder(void *arg)
{
    struct ne_feed *fd = arg;
    long done = 0;
    while (!fd->w->stop) {
        FILE *f = fopen(fd->path, "r");
        char line[1024];
        long n = 0;
        if (f) {
            while (fgets(line, sizeof(line), f)) {
                if (strchr(line, '\n') == NULL)
                    break;  /* being written */
                if (n++ >= done) {
                    deliver(fd, line);
                    done = n;
                }
            }
            fclose(f);
        }
        uv_sleep(20);
    }
}

int wfpw__plat_wfp_netevents(struct wfpw__wfp *w, void (*on_event)(void *ctx, unsigned version, const void *event),
                             void *ctx, unsigned *version, char *err, size_t errlen)
{
    const char *p = getenv("WFPW_FAKE_NETEVENTS"), *v = getenv("WFPW_FAKE_NETEVENTS_VERSION");
    if (p == NULL) {
        snprintf(err, errlen, "fake engine: WFPW_FAKE_NETEVENTS is not set");
        return WFPW_EINVAL;
    }
    feed.w = w, feed.on_event = on_event, feed.ctx = ctx, feed.version = v ? (unsigned)atoi(v) : 4;
    snprintf(feed.path, sizeof(feed.path), "%s", p);
    *version = feed.version;
    if (uv_thread_create(&feed_thread, feeder, &feed) != 0) {
        snprintf(err, errlen, "fake engine: cannot start the net event feeder");
        return WFPW_EIO;
    }
    feed_running = 1;
    return 0;
}

static void stop_feeder(struct wfpw__wfp *w)
{
    if (feed_running && feed.w == w) {
        uv_thread_join(&feed_thread);  /* w->stop is set: it ends within 20 ms */
        feed_running = 0;
    }
}
