/*
 * driver.c — the `driver` source: blocked connections from wfpwatch's callout driver
 * (agent/driver/, docs/driver.md). Opens the device through the platform layer, shakes hands
 * (magic and major version per side), and runs one reader thread that keeps a few READs
 * pending; the thread hands whole-record buffers to the loop through a bounded queue and
 * uv_async. When the queue is full the thread waits, so the backlog stays in the driver's ring,
 * whose drops the driver counts and the sequence numbers show. On the loop, records are parsed
 * and converted (drvconv.c) and emitted; gaps, the driver's own counters and the connection
 * state go into heartbeats. A failed open or a dropped connection (driver stopped, upgraded)
 * is retried every `reconnect_ms`; a restarted driver starts its sequence again at 1.
 *
 * On Linux the platform layer has no device: the source reports that once and stays idle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "devrec.h"
#include "drvconv.h"
#include "platform.h"
#include "source.h"
#include "wfpw/attr.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"

struct drv_conf {
    char device[WFPW_CFG_STR_MAX];
    int64_t reads, queue_chunks, reconnect_ms;
};

static const struct wfpw_cfg_key drv_keys[] = {
    {"device", WFPW_CFG_STR, offsetof(struct drv_conf, device), 0, 0, WFPW_DEV_WIN32_PATH, NULL, 0,
     "the driver's device"},
    {"reads", WFPW_CFG_INT, offsetof(struct drv_conf, reads), 1, 16, "4", NULL, 0,
     "READ requests kept pending in the driver"},
    {"queue_chunks", WFPW_CFG_INT, offsetof(struct drv_conf, queue_chunks), 2, 4096, "64", NULL, 0,
     "completed reads (up to 64 KiB each) waiting for the loop; when full the reader waits"},
    {"reconnect_ms", WFPW_CFG_INT, offsetof(struct drv_conf, reconnect_ms), 100, 600000, "5000", NULL, 0,
     "retry interval while the driver cannot be opened"},
};

#define READ_BYTES (64u << 10)

struct chunk {
    uint8_t *data;               /* owned */
    size_t len;
};

struct drv {
    struct drv_conf *conf;
    struct wfpw_source *src;
    struct wfpw__kdev *dev;      /* owned; NULL while disconnected */
    uv_thread_t thread;
    int thread_running;
    uv_mutex_t mu;               /* guards q*, stop, reader_* */
    uv_cond_t cv;                /* the reader waits here while the queue is full */
    struct chunk *q;
    size_t qhead, qn;
    int stop, reader_done, reader_rc;
    uv_async_t async;
    uv_timer_t reconnect;
    int handles, paused, fresh;  /* fresh: no record seen since the handshake */
    struct wfpw_devseq seq;
    uint64_t gen;                /* driver loads seen (position = gen << POS_SEQ_BITS | seq) */
    struct wfpw_dev_welcome welcome;
    uint64_t records, missing, corrupt_reads, convert_errors, reconnects, restarts;  /* since start */
    const char *state;           /* a literal: "connected", "not connected", ... */
};

/* Positions: the driver numbers its records from 1 per load, so a position is (load, seq), the
 * load counted by this source across agent restarts. The spool keeps the last one: an agent
 * restarted while the driver kept running continues after it (no false gap for the records it
 * had stored), one restarted after the driver's ring overflowed sees the real gap, and a driver
 * that restarted meanwhile starts a new load. */
#define POS_SEQ_BITS 40
#define POS_SEQ_MASK ((UINT64_C(1) << POS_SEQ_BITS) - 1)

/* ---- reader thread -------------------------------------------------------------------------- */

static int on_data(void *ctx, const uint8_t *data, size_t len)
{
    struct drv *d = ctx;
    uint8_t *copy;
    if (len == 0)
        return 0;
    if ((copy = wfpw_malloc(len)) == NULL)
        return 1;  /* out of memory: stop; the loop reconnects later */
    memcpy(copy, data, len);
    uv_mutex_lock(&d->mu);
    while (d->qn == (size_t)d->conf->queue_chunks && !d->stop)
        uv_cond_wait(&d->cv, &d->mu);
    if (d->stop) {
        uv_mutex_unlock(&d->mu);
        wfpw_free(copy);
        return 1;
    }
    d->q[(d->qhead + d->qn) % (size_t)d->conf->queue_chunks] = (struct chunk){copy, len};
    d->qn++;
    uv_mutex_unlock(&d->mu);
    uv_async_send(&d->async);
    return 0;
}

static void reader(void *arg)
{
    struct drv *d = arg;
    int rc = wfpw__plat_kdev_read_loop(d->dev, WFPW_IOCTL_READ, (unsigned)d->conf->reads, READ_BYTES, on_data, d);
    uv_mutex_lock(&d->mu);
    d->reader_done = 1;
    d->reader_rc = rc;
    uv_mutex_unlock(&d->mu);
    uv_async_send(&d->async);
}

/* ---- loop side ------------------------------------------------------------------------------ */

static void disconnect(struct drv *d)
{
    if (d->thread_running) {
        uv_mutex_lock(&d->mu);
        d->stop = 1;
        uv_cond_broadcast(&d->cv);
        uv_mutex_unlock(&d->mu);
        wfpw__plat_kdev_cancel(d->dev);
        uv_thread_join(&d->thread);
        d->thread_running = 0;
    }
    wfpw__plat_kdev_close(d->dev);
    d->dev = NULL;
    uv_mutex_lock(&d->mu);
    while (d->qn) {
        wfpw_free(d->q[d->qhead].data);
        d->qhead = (d->qhead + 1) % (size_t)d->conf->queue_chunks;
        d->qn--;
    }
    d->stop = d->reader_done = 0;
    uv_mutex_unlock(&d->mu);
}

static void source_error(struct drv *d, const char *fmt, ...) WFPW_PRINTF(2, 3);
static void source_error(struct drv *d, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    wfpw_source_error(d->src, msg);
}

static void on_reconnect(uv_timer_t *t);

static void try_connect(struct drv *d)
{
    struct wfpw_dev_hello h;
    size_t got = 0;
    int rc = wfpw__plat_kdev_open(d->conf->device, &d->dev);
    if (rc == WFPW_ENOSYS) {
        d->state = "unsupported";
        source_error(d, "%s: the callout driver exists on Windows only; this source stays idle", d->conf->device);
        wfpw_source_finished(d->src);  /* nothing will ever come: do not hold up --until-drained */
        return;
    }
    if (rc != 0) {
        d->state = "not connected";
        source_error(d, "cannot open %s (is wfpw_drv installed and started? docs/driver.md): %s", d->conf->device,
                     wfpw_strerror(rc));
        goto retry;
    }
    memset(&h, 0, sizeof(h));
    h.magic = WFPW_DEV_MAGIC_AGENT, h.major = WFPW_DEV_VERSION_MAJOR, h.minor = WFPW_DEV_VERSION_MINOR;
    rc = wfpw__plat_kdev_ioctl(d->dev, WFPW_IOCTL_HANDSHAKE, &h, sizeof(h), &d->welcome, sizeof(d->welcome), &got);
    if (rc != 0 || got != WFPW_DEV_WELCOME_SIZE || d->welcome.magic != WFPW_DEV_MAGIC_DRIVER ||
        d->welcome.major != WFPW_DEV_VERSION_MAJOR) {
        char why[160];
        if (rc == WFPW_EPROTO)
            snprintf(why, sizeof(why), "the driver refused agent protocol %u.%u", WFPW_DEV_VERSION_MAJOR,
                     WFPW_DEV_VERSION_MINOR);
        else if (rc != 0)
            snprintf(why, sizeof(why), "%s", wfpw_strerror(rc));
        else
            snprintf(why, sizeof(why), "the driver answered protocol %u.%u (magic %08x); this agent speaks %u.x",
                     d->welcome.major, d->welcome.minor, d->welcome.magic, WFPW_DEV_VERSION_MAJOR);
        d->state = "version mismatch";
        source_error(d, "%s: handshake failed: %s", d->conf->device, why);
        wfpw__plat_kdev_close(d->dev);
        d->dev = NULL;
        goto retry;
    }
    d->fresh = 1;
    if (uv_thread_create(&d->thread, reader, d) != 0) {
        source_error(d, "%s: cannot start the reader thread", d->conf->device);
        wfpw__plat_kdev_close(d->dev);
        d->dev = NULL;
        goto retry;
    }
    d->thread_running = 1;
    d->state = "connected";
    wfpw_log_info("source", d->src->name, "connected to %s: driver protocol %u.%u, ring %u bytes", d->conf->device,
                  d->welcome.major, d->welcome.minor, d->welcome.ring_bytes);
    return;
retry:  /* every failure but "unsupported" comes back here: the one place that schedules a retry */
    d->reconnects++;
    uv_timer_start(&d->reconnect, on_reconnect, (uint64_t)d->conf->reconnect_ms, 0);
}

static void on_reconnect(uv_timer_t *t)
{
    struct drv *d = t->data;
    if (d->dev == NULL)
        try_connect(d);
}

static void handle_chunk(struct drv *d, const uint8_t *p, size_t len)
{
    size_t off = 0, used;
    char err[300];
    while (off < len) {
        struct wfpw_devrec rec;
        int64_t gap;
        int packet = 0;
        cJSON *ev;
        if (wfpw_devrec_parse(p + off, len - off, &rec, &used) != 0) {
            d->corrupt_reads++;
            wfpw_source_error(d->src, "a read from the driver holds a corrupt record; the rest of that read is dropped");
            return;
        }
        off += used;
        gap = wfpw_devseq_next(&d->seq, rec.seq);
        if (gap < 0 && d->fresh) {  /* a restarted driver numbers from 1 again */
            d->restarts++;
            d->gen++;
            memset(&d->seq, 0, sizeof(d->seq));
            gap = wfpw_devseq_next(&d->seq, rec.seq);
        }
        d->fresh = 0;
        if (gap < 0) {
            d->corrupt_reads++;
            wfpw_source_error(d->src, "driver records out of sequence");
            continue;
        }
        d->missing += (uint64_t)gap;  /* seq restarts with the driver; this total does not */
        if (gap > 0)
            wfpw_log_warn("source", d->src->name, "%lld driver records missing before record %llu: the driver's ring was full",
                          (long long)gap, (unsigned long long)rec.seq);
        d->records++;
        if ((ev = wfpw_drv_to_event(&rec, &packet, err, sizeof(err))) == NULL) {
            d->convert_errors++;
            wfpw_source_error(d->src, err);
            continue;
        }
        wfpw_source_emit(d->src, ev, packet ? WFPW_EV_PACKET : WFPW_EV_CONNECTION,
                         d->gen << POS_SEQ_BITS | (rec.seq & POS_SEQ_MASK));
    }
}

static void on_async(uv_async_t *a)
{
    struct drv *d = a->data;
    int done, rc;
    for (;;) {
        struct chunk c;
        if (d->paused)
            break;
        uv_mutex_lock(&d->mu);
        if (d->qn == 0) {
            uv_mutex_unlock(&d->mu);
            break;
        }
        c = d->q[d->qhead];
        d->qhead = (d->qhead + 1) % (size_t)d->conf->queue_chunks;
        d->qn--;
        uv_cond_signal(&d->cv);
        uv_mutex_unlock(&d->mu);
        handle_chunk(d, c.data, c.len);
        wfpw_free(c.data);
    }
    uv_mutex_lock(&d->mu);
    done = d->reader_done && d->qn == 0;
    rc = d->reader_rc;
    uv_mutex_unlock(&d->mu);
    if (done) {  /* the driver went away (stopped, upgraded) or the device failed */
        disconnect(d);
        d->state = "not connected";
        source_error(d, "lost the driver (%s); reconnecting", wfpw_strerror(rc));
        uv_timer_start(&d->reconnect, on_reconnect, (uint64_t)d->conf->reconnect_ms, 0);
    }
}

/* ---- interface ------------------------------------------------------------------------------ */

static int drv_init(struct wfpw_source *src, char *err, size_t errlen)
{
    struct drv *d = wfpw_calloc(1, sizeof(*d));
    if (d == NULL)
        return WFPW_ENOMEM;
    d->conf = src->conf, d->src = src;
    d->q = wfpw_calloc((size_t)d->conf->queue_chunks, sizeof(*d->q));
    if (d->q == NULL || uv_mutex_init(&d->mu) != 0) {
        wfpw_free(d->q);
        wfpw_free(d);
        snprintf(err, errlen, "driver source: out of memory");
        return WFPW_ENOMEM;
    }
    if (uv_cond_init(&d->cv) != 0) {
        snprintf(err, errlen, "driver source: cannot create a condition variable");
        uv_mutex_destroy(&d->mu);
        wfpw_free(d->q);
        wfpw_free(d);
        return WFPW_ENOMEM;
    }
    d->state = "starting";
    src->state = d;
    return 0;
}

static int drv_start(struct wfpw_source *src)
{
    struct drv *d = src->state;
    if (uv_async_init(src->loop, &d->async, on_async) != 0 || uv_timer_init(src->loop, &d->reconnect) != 0)
        return WFPW_EIO;
    d->async.data = d->reconnect.data = d;
    d->handles = 1;
    /* continue where the spool says: the load and the last record stored */
    d->gen = src->resume_pos >> POS_SEQ_BITS ? src->resume_pos >> POS_SEQ_BITS : 1;
    d->seq.last = src->resume_pos & POS_SEQ_MASK;
    try_connect(d);
    return 0;
}

static void drv_pause(struct wfpw_source *src)
{
    ((struct drv *)src->state)->paused = 1;  /* the queue fills, the reader waits, the ring holds */
}

static void drv_resume(struct wfpw_source *src)
{
    struct drv *d = src->state;
    d->paused = 0;
    uv_async_send(&d->async);
}

static void free_state(struct drv *d)
{
    uv_cond_destroy(&d->cv);
    uv_mutex_destroy(&d->mu);
    wfpw_free(d->q);
    wfpw_free(d);
}

static void on_closed(uv_handle_t *h)
{
    free_state(h->data);
}

static void drv_close(struct wfpw_source *src)
{
    struct drv *d = src->state;
    if (d == NULL)
        return;
    src->state = NULL;
    disconnect(d);
    if (d->handles) {
        uv_close((uv_handle_t *)&d->async, NULL);
        uv_close((uv_handle_t *)&d->reconnect, on_closed);
        return;
    }
    free_state(d);
}

static void drv_stats(struct wfpw_source *src, cJSON *out)
{
    struct drv *d = src->state;
    struct wfpw_dev_stats st;
    size_t got = 0;
    if (d == NULL)
        return;
    cJSON_AddStringToObject(out, "state", d->state);
    cJSON_AddNumberToObject(out, "records", (double)d->records);
    cJSON_AddNumberToObject(out, "records_missing", (double)d->missing);
    cJSON_AddNumberToObject(out, "corrupt_reads", (double)d->corrupt_reads);
    cJSON_AddNumberToObject(out, "convert_errors", (double)d->convert_errors);
    cJSON_AddNumberToObject(out, "reconnects", (double)d->reconnects);
    cJSON_AddNumberToObject(out, "driver_restarts", (double)d->restarts);
    if (d->dev && wfpw__plat_kdev_ioctl(d->dev, WFPW_IOCTL_STATS, NULL, 0, &st, sizeof(st), &got) == 0 &&
        got == WFPW_DEV_STATS_SIZE) {
        cJSON_AddNumberToObject(out, "driver_last_seq", (double)st.last_seq);
        cJSON_AddNumberToObject(out, "driver_dropped", (double)st.dropped);  /* the overflow counter */
        cJSON_AddNumberToObject(out, "driver_ring_used", (double)st.ring_used);
        cJSON_AddNumberToObject(out, "driver_ring_bytes", (double)d->welcome.ring_bytes);
        cJSON_AddNumberToObject(out, "driver_truncated_paths", (double)st.truncated_paths);
        cJSON_AddNumberToObject(out, "driver_classify_calls", (double)st.classify_calls);
        cJSON_AddNumberToObject(out, "driver_engine_adds", (double)st.engine_adds); /* BFE restarts + 1 */
    }
}

const struct wfpw_source_type wfpw_source_driver = {
    .name = "driver",
    .help = "blocked connections from the wfpwatch callout driver (Windows; docs/driver.md)",
    .conf_keys = drv_keys,
    .nconf_keys = sizeof(drv_keys) / sizeof(drv_keys[0]),
    .conf_size = sizeof(struct drv_conf),
    .init = drv_init,
    .start = drv_start,
    .pause = drv_pause,
    .resume = drv_resume,
    .close = drv_close,
    .stats = drv_stats,
};
