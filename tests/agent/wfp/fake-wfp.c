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
    volatile int stop;
    void (*changed)(void *ctx);
    void *ctx;
};

int wfpw__plat_wfp_open(struct wfpw__wfp **eng, char *err, size_t errlen)
{
    const char *p = getenv("WFPW_FAKE_WFP");
    struct wfpw__wfp *w;
    *eng = NULL;
    if (p == NULL) {
        snprintf(err, errlen, "fake engine: WFPW_FAKE_WFP is not set");
        return WFPW_EINVAL;
    }
    if ((w = wfpw_calloc(1, sizeof(*w))) == NULL)
        return WFPW_ENOMEM;
    snprintf(w->path, sizeof(w->path), "%s", p);
    *eng = w;
    return 0;
}

int wfpw__plat_wfp_inventory(struct wfpw__wfp *w, struct wfpw_inventory *inv, char *err, size_t errlen)
{
    const char *log = getenv("WFPW_FAKE_WFP_READS");
    int rc = wfpw_netsh_read_file(w->path, inv, err, errlen);
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
    memset(&last, 0, sizeof(last));
    stat(w->path, &last);
    while (!w->stop) {
        uv_sleep(20);
        if (stat(w->path, &now) != 0)
            continue;
        if (now.st_size != last.st_size || now.st_mtim.tv_sec != last.st_mtim.tv_sec ||
            now.st_mtim.tv_nsec != last.st_mtim.tv_nsec || now.st_ino != last.st_ino) {
            last = now;
            w->changed(w->ctx);
        }
    }
}

int wfpw__plat_wfp_watch(struct wfpw__wfp *w, void (*changed)(void *ctx), void *ctx, char *err, size_t errlen)
{
    w->changed = changed, w->ctx = ctx;
    if (uv_thread_create(&w->thread, watcher, w) != 0) {
        snprintf(err, errlen, "fake engine: cannot start the watcher");
        return WFPW_EIO;
    }
    w->watching = 1;
    return 0;
}

static void stop_feeder(struct wfpw__wfp *w);

void wfpw__plat_wfp_close(struct wfpw__wfp *w)
{
    if (w == NULL)
        return;
    w->stop = 1;
    if (w->watching)
        uv_thread_join(&w->thread);
    stop_feeder(w);
    wfpw_free(w);
}

/* ---- net events ---------------------------------------------------------------------------
 * WFPW_FAKE_NETEVENTS names a file of lines "version type v6 proto local lport remote rport
 * filter layer direction path" (path last, may contain spaces); a thread builds the engine's
 * FWPM_NET_EVENTn for each new line and calls the source as the RPC thread would.
 * WFPW_FAKE_NETEVENTS_VERSION picks the subscribe version (default 4). The collect option is
 * a file too: WFPW_FAKE_WFP + ".collect" holds 0 or 1. */
#include <arpa/inet.h>

#include "fwpm_netevent.h"

static char collect_path[1100];

int wfpw__plat_wfp_collect_get(struct wfpw__wfp *w, int *on, char *err, size_t errlen)
{
    FILE *f;
    (void)err, (void)errlen;
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
    snprintf(collect_path, sizeof(collect_path), "%s.collect", w->path);
    if ((f = fopen(collect_path, "w")) == NULL) {
        snprintf(err, errlen, "fake engine: cannot write %s", collect_path);
        return WFPW_EIO;
    }
    fputc(on ? '1' : '0', f);
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
    unsigned ver, type, v6, proto, lport, rport, layer, dir;
    unsigned long long filter;
    char local[64], remote[64], app[600];
    uint16_t app16[600];
    size_t i, n;
    struct wfpw_ne_header3 h;
    struct wfpw_ne_classify_drop2 d2;
    struct wfpw_ne_classify_drop1 d1;
    struct wfpw_ne_capability_drop0 cd;
    const void *detail;
    uint64_t ft = 116444736000000000ull + (uint64_t)1795183200000 * 10000;  /* 2026-11-20T14:00:00Z */
    if (sscanf(line, "%u %u %u %u %63s %u %63s %u %llu %u %x %599[^\n]", &ver, &type, &v6, &proto, local, &lport,
               remote, &rport, &filter, &layer, &dir, app) != 12)
        return;
    memset(&h, 0, sizeof(h));
    h.time.low = (uint32_t)ft, h.time.high = (uint32_t)(ft >> 32);
    h.flags = WFPW_NE_F_IP_PROTOCOL | WFPW_NE_F_LOCAL_ADDR | WFPW_NE_F_REMOTE_ADDR | WFPW_NE_F_LOCAL_PORT |
              WFPW_NE_F_REMOTE_PORT | WFPW_NE_F_APP_ID | WFPW_NE_F_IP_VERSION;
    h.ip_version = v6, h.ip_protocol = (uint8_t)proto;
    if (v6) {
        inet_pton(AF_INET6, local, h.local.v6);
        inet_pton(AF_INET6, remote, h.remote.v6);
    } else {
        struct in_addr a;
        inet_pton(AF_INET, local, &a);
        h.local.v4 = ntohl(a.s_addr);
        inet_pton(AF_INET, remote, &a);
        h.remote.v4 = ntohl(a.s_addr);
    }
    h.local_port = (uint16_t)lport, h.remote_port = (uint16_t)rport;
    n = strlen(app);
    for (i = 0; i < n; i++)
        app16[i] = (uint16_t)(unsigned char)app[i];
    app16[n] = 0;
    h.app_id.size = (uint32_t)(n + 1) * 2, h.app_id.data = (uint8_t *)app16;
    memset(&d2, 0, sizeof(d2));
    memset(&d1, 0, sizeof(d1));
    memset(&cd, 0, sizeof(cd));
    d2.filter_id = d1.filter_id = cd.filter_id = filter;
    d2.layer_id = d1.layer_id = (uint16_t)layer;
    d2.ms_fwp_direction = d1.ms_fwp_direction = dir;
    detail = type == WFPW_NE_CAPABILITY_DROP ? (const void *)&cd : ver == 0 ? (const void *)&d1 : (const void *)&d2;
    (void)ver;
    if (fd->version == 0) {
        struct wfpw_ne_event1 e;
        memset(&e, 0, sizeof(e));
        memcpy(&e.header, &h, sizeof(struct wfpw_ne_header0));
        e.type = type, e.detail = detail;
        fd->on_event(fd->ctx, 0, &e);
    } else if (fd->version == 1) {
        struct wfpw_ne_event2 e;
        memset(&e, 0, sizeof(e));
        memcpy(&e.header, &h, sizeof(struct wfpw_ne_header0));
        e.type = type, e.detail = detail;
        fd->on_event(fd->ctx, 1, &e);
    } else {
        struct wfpw_ne_event3 e;
        memset(&e, 0, sizeof(e));
        e.header = h;
        e.type = type, e.detail = detail;
        fd->on_event(fd->ctx, fd->version, &e);
    }
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
