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

void wfpw__plat_wfp_close(struct wfpw__wfp *w)
{
    if (w == NULL)
        return;
    if (w->watching) {
        w->stop = 1;
        uv_thread_join(&w->thread);
    }
    wfpw_free(w);
}
