/*
 * fake-kdev.c — a stand-in for the platform's driver device (platform.h wfpw__plat_kdev_*),
 * linked into wfpwatch-agent-fakedrv instead of src/linux/kdev.c so the `driver` source's
 * loop-side logic (reader thread, bounded queue, handshake, gaps, reconnect, a restarted
 * driver numbering from 1 again) runs against recorded driver output on Linux.
 *
 * The device path "fake:A,B,C" lists one driver record file per driver load: each open takes
 * the next entry; "mismatch" answers the handshake as a driver of another major version would;
 * when the list is used up, open fails as if the driver were not installed. A load's READs
 * complete with up to 7 whole records each; after its last record the read loop fails as if
 * the driver had stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devrec.h"
#include "wfpw/fileio.h"
#include "platform.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

struct wfpw__kdev {
    char *data;                  /* the load's file (owned), NULL for "mismatch" */
    size_t len;
    uint64_t delivered, last_seq;
    volatile int stop;
};

static char entries[16][512];
static int nentries = -1, next_entry;

int wfpw__plat_kdev_open(const char *path, struct wfpw__kdev **dev)
{
    struct wfpw__kdev *d;
    *dev = NULL;
    if (strncmp(path, "fake:", 5) != 0)
        return WFPW_ENOENT;
    if (nentries < 0) {
        const char *p = path + 5;
        nentries = 0;
        while (*p && nentries < 16) {
            size_t n = strcspn(p, ",");
            snprintf(entries[nentries++], sizeof(entries[0]), "%.*s", (int)n, p);
            p += n + (p[n] == ',');
        }
    }
    if (next_entry >= nentries)
        return WFPW_ENOENT;
    if ((d = wfpw_calloc(1, sizeof(*d))) == NULL)
        return WFPW_ENOMEM;
    if (strcmp(entries[next_entry], "mismatch") != 0 &&
        wfpw_file_read_all(entries[next_entry], 64u << 20, &d->data, &d->len) != 0) {
        wfpw_free(d);
        return WFPW_EIO;
    }
    next_entry++;
    *dev = d;
    return 0;
}

int wfpw__plat_kdev_ioctl(struct wfpw__kdev *dev, uint32_t code, const void *in, size_t inlen, void *out,
                          size_t outlen, size_t *got)
{
    *got = 0;
    if (code == WFPW_IOCTL_HANDSHAKE) {
        const struct wfpw_dev_hello *h = in;
        struct wfpw_dev_welcome w;
        if (inlen != WFPW_DEV_HELLO_SIZE || outlen < WFPW_DEV_WELCOME_SIZE || h->magic != WFPW_DEV_MAGIC_AGENT ||
            dev->data == NULL)
            return WFPW_EPROTO;  /* what STATUS_REVISION_MISMATCH maps to */
        memset(&w, 0, sizeof(w));
        w.magic = WFPW_DEV_MAGIC_DRIVER, w.major = WFPW_DEV_VERSION_MAJOR, w.ring_bytes = 4u << 20;
        w.record_max = WFPW_DEV_RECORD_MAX, w.layers = WFPW_DEV_LAYERS_ALE;
        memcpy(out, &w, sizeof(w));
        *got = sizeof(w);
        return 0;
    }
    if (code == WFPW_IOCTL_STATS && outlen >= WFPW_DEV_STATS_SIZE) {
        struct wfpw_dev_stats s;
        memset(&s, 0, sizeof(s));
        s.last_seq = dev->last_seq, s.delivered = dev->delivered;
        memcpy(out, &s, sizeof(s));
        *got = sizeof(s);
        return 0;
    }
    return WFPW_EINVAL;
}

int wfpw__plat_kdev_read_loop(struct wfpw__kdev *dev, uint32_t code, unsigned depth, size_t bufsize,
                              int (*on_data)(void *ctx, const uint8_t *data, size_t len), void *ctx)
{
    size_t off = WFPW_DEV_FILE_HEADER;
    (void)depth;
    if (code != WFPW_IOCTL_READ || dev->data == NULL)
        return WFPW_EINVAL;
    while (off < dev->len) {
        size_t start = off, used;
        int k;
        struct wfpw_devrec rec;
        if (dev->stop)
            return WFPW_ECLOSED;
        for (k = 0; k < 7 && off < dev->len; k++) {
            if (wfpw_devrec_parse((const uint8_t *)dev->data + off, dev->len - off, &rec, &used) != 0 ||
                off + used - start > bufsize)
                break;
            dev->last_seq = rec.seq;
            off += used;
            dev->delivered++;
        }
        if (off == start)
            return WFPW_EIO;
        if (on_data(ctx, (const uint8_t *)dev->data + start, off - start) != 0)
            return 0;
    }
    return WFPW_ECLOSED; /* the driver stopped: its pending reads complete cancelled (995) */
}

void wfpw__plat_kdev_cancel(struct wfpw__kdev *dev)
{
    if (dev)
        dev->stop = 1;
}

void wfpw__plat_kdev_close(struct wfpw__kdev *dev)
{
    if (dev == NULL)
        return;
    wfpw_free(dev->data);
    wfpw_free(dev);
}
