/*
 * replay.c — the replay source: recorded inputs from a file or a folder (files in name
 * order), at full speed or at `rate` events per second, optionally looping. Each file is
 * recognised by its content:
 *   <Event>/<Events>        rendered Security event XML -> the live source's parser (evtxml)
 *   <wfpdiag>/<wfpstate>    a `netsh wfp show filters|state` dump -> one inventory snapshot
 *   {...} lines             JSON lines of proto v1 events
 * Driver record files join with the kernel driver (issue #7); until then they are reported
 * as unrecognised. Positions count inputs (events, snapshots, lines) from the start of the
 * capture across files and loops, so a restart continues after the last committed one.
 *
 * It runs on the loop: a uv_idle at full speed (a bounded slice per turn, so the shipper
 * and timers keep running), a 10 ms uv_timer with a token bucket at a given rate.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "attrib.h"
#include "devrec.h"
#include "drvconv.h"
#include "evtxml.h"
#include "wfpw/fileio.h"
#include "inventory.h"
#include "jsoninv.h"
#include "netsh.h"
#include "source.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

#define CHUNK (64u << 10)
#define SLICE 512                /* inputs per loop turn at full speed */
#define SNAPSHOT_MAX (256u << 20)
#define LINE_MAX_BYTES (1u << 20)

struct replay_conf {
    char path[WFPW_CFG_STR_MAX];
    int64_t rate;
    int loop;
};

static const struct wfpw_cfg_key replay_keys[] = {
    {"path", WFPW_CFG_PATH, offsetof(struct replay_conf, path), 0, 0, NULL, NULL, WFPW_CFG_REQUIRED,
     "a capture file, or a folder of them (read in name order)"},
    {"rate", WFPW_CFG_INT, offsetof(struct replay_conf, rate), 0, 10000000, "0", NULL, 0,
     "inputs per second; 0 = as fast as the pipeline takes them"},
    {"loop", WFPW_CFG_BOOL, offsetof(struct replay_conf, loop), 0, 0, "false", NULL, 0,
     "start over after the last file (positions keep counting)"},
};

enum kind { K_UNKNOWN, K_EVENTS, K_NETSH, K_JSONL, K_DRIVER };

/* pending.packet below 0: how an event that is not a driver or event-log block is handed over */
#define Q_JSON_BLOCKED (-1) /* a JSON line, validated whole as read: a connection-level block */
#define Q_PASS (-2)         /* an event-log event the converter passes as is (not validated here) */
#define Q_JSON_PASS (-3)    /* a JSON line, validated whole as read, passed as is */

/* One converted input waiting to be handed over. */
struct pending {
    cJSON *ev;
    int packet;                  /* 0/1: packet level of a block; below 0: Q_* */
    const char *skip_reason;     /* ev NULL: counted as skipped */
    struct wfpw_changed_by *attr;  /* owned: a filter add/delete the Security log attributes (5447) */
    struct wfpw_proc *created;     /* owned: a process creation (4688) */
    struct wfpw_fwrule_change *fw; /* owned: a firewall rule change (the firewall's log) */
    struct wfpw_regchange *reg;    /* owned: a registry value change (4657) */
};

struct replay {
    struct replay_conf *conf;
    char **files;                /* one allocation (fileio's dir list) or a single path */
    size_t nfiles, file_idx;
    char single[WFPW_CFG_STR_MAX];
    int fd;                      /* current file, -1 none */
    enum kind kind;
    int64_t off;                 /* read offset in the current file */
    int eof;
    struct wfpw_evtxml *xml;
    struct wfpw_buf line;        /* JSON lines: partial line; driver records: partial record */
    struct wfpw_devseq drvseq;   /* driver records: sequence of the current file */
    uint64_t drv_missing;        /* driver records never recorded (driver ring full), all files */
    struct pending *q;           /* converted inputs of the current chunk */
    size_t qn, qcap, qhead;
    uint64_t pos;                /* position of the last input handed over */
    uint64_t loops;
    uint64_t pass_start_pos;     /* r->pos when this pass over the files began */
    uv_idle_t idle;
    uv_timer_t timer;
    double tokens;
    uint64_t last_tick;          /* uv_now() of the previous tick */
    int running;
    struct wfpw_source *src;
    uint64_t unrecognised;
};

/* ---- queue of converted inputs ------------------------------------------------------------ */

static int q_push(struct replay *r, cJSON *ev, int packet, const char *reason)
{
    if (r->qn == r->qcap) {
        size_t cap = r->qcap ? r->qcap * 2 : 256;
        struct pending *q = wfpw_realloc(r->q, cap * sizeof(*q));
        if (q == NULL) {
            cJSON_Delete(ev);
            return WFPW_ENOMEM;
        }
        r->q = q, r->qcap = cap;
    }
    memset(&r->q[r->qn], 0, sizeof(r->q[0])); /* every owned pointer NULL, whatever is added later */
    r->q[r->qn].ev = ev, r->q[r->qn].packet = packet, r->q[r->qn].skip_reason = reason;
    r->qn++;
    return 0;
}

/* what a pending input owns besides its event */
static void p_free(struct pending *p)
{
    wfpw_free(p->attr);
    if (p->created)
        wfpw_proc_clear(p->created);
    wfpw_free(p->created);
    wfpw_fwrule_free(p->fw);
    wfpw_regchange_free(p->reg);
    p->attr = NULL, p->created = NULL, p->fw = NULL, p->reg = NULL;
}

static void q_clear(struct replay *r)
{
    size_t i;
    for (i = r->qhead; i < r->qn; i++) {
        cJSON_Delete(r->q[i].ev);
        p_free(&r->q[i]);
    }
    r->qn = r->qhead = 0;
}

static int on_xml_event(void *ctx, struct wfpw_evtxml_event *e)
{
    struct replay *r = ctx;
    struct wfpw_changed_by cb;
    /* Q_PASS: handed over as is (an alert) and validated whole by the pipeline, unlike a JSON line */
    int rc = q_push(r, e->ev, e->pass ? Q_PASS : e->packet_level, e->ev ? NULL : e->reason);
    if (rc == 0 && e->change && wfpw_policy_change_attribution(e->change, &cb) == 0) {
        struct wfpw_changed_by *copy = wfpw_malloc(sizeof(*copy));
        if (copy == NULL)
            return WFPW_ENOMEM;
        *copy = cb;
        r->q[r->qn - 1].attr = copy;
    } else if (rc == 0 && e->created) {
        struct wfpw_proc *copy = wfpw_malloc(sizeof(*copy));
        if (copy == NULL || wfpw_proc_copy(copy, e->created) != 0) {
            wfpw_free(copy);
            return WFPW_ENOMEM;
        }
        r->q[r->qn - 1].created = copy;
    } else if (rc == 0 && e->fwrule) {
        if ((r->q[r->qn - 1].fw = wfpw_fwrule_dup(e->fwrule)) == NULL)
            return WFPW_ENOMEM;
    } else if (rc == 0 && e->regchange) {
        if ((r->q[r->qn - 1].reg = wfpw_regchange_dup(e->regchange)) == NULL)
            return WFPW_ENOMEM;
    }
    return rc;
}

/* ---- files -------------------------------------------------------------------------------- */

static const char *cur_name(const struct replay *r)
{
    return r->files[r->file_idx];
}

static void cur_path(const struct replay *r, char *out, size_t len)
{
    if (r->files[r->file_idx] == r->single)
        snprintf(out, len, "%s", r->single);
    else
        snprintf(out, len, "%s/%s", r->conf->path, cur_name(r));
}

static void close_file(struct replay *r)
{
    wfpw_file_close(r->fd);
    r->fd = -1;
    wfpw_evtxml_free(r->xml);
    r->xml = NULL;
    wfpw_buf_reset(&r->line);
    q_clear(r);
}

static void file_error(struct replay *r, const char *what)
{
    char msg[700], path[WFPW_CFG_STR_MAX + 64];
    cur_path(r, path, sizeof(path));
    snprintf(msg, sizeof(msg), "%.200s: %.480s", path, what);
    wfpw_source_error(r->src, msg);
}

/* Decide what the file is from its first bytes. */
static enum kind sniff(const char *d, size_t n)
{
    size_t i = 0;
    unsigned major;
    if (wfpw_devrec_file_header((const uint8_t *)d, n, &major) == 0)
        return K_DRIVER;
    if (n >= 3 && (unsigned char)d[0] == 0xEF && (unsigned char)d[1] == 0xBB && (unsigned char)d[2] == 0xBF)
        i = 3;
    for (;;) {
        while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
            i++;
        if (i >= n)
            return K_UNKNOWN;
        if (d[i] == '{')
            return K_JSONL;
        if (d[i] != '<')
            return K_UNKNOWN;
        if (n - i >= 4 && (memcmp(d + i, "<!--", 4) == 0 || memcmp(d + i, "<?", 2) == 0)) {
            const char *end = memcmp(d + i, "<!--", 4) == 0 ? "-->" : "?>";
            const char *e = NULL;
            size_t j;
            for (j = i; j + strlen(end) <= n; j++)
                if (memcmp(d + j, end, strlen(end)) == 0) {
                    e = d + j;
                    break;
                }
            if (e == NULL)
                return K_UNKNOWN;
            i = (size_t)(e - d) + strlen(end);
            continue;
        }
        if (n - i >= 6 && memcmp(d + i, "<Event", 6) == 0)
            return K_EVENTS;
        if ((n - i >= 8 && memcmp(d + i, "<wfpdiag", 8) == 0) || (n - i >= 9 && memcmp(d + i, "<wfpstate", 9) == 0))
            return K_NETSH;
        return K_UNKNOWN;
    }
}

static int open_next(struct replay *r);

/* A netsh dump is one input: read whole, parse, hand over as a snapshot. */
static int load_netsh(struct replay *r)
{
    char path[WFPW_CFG_STR_MAX + 64], err[512];
    char *data;
    size_t len;
    struct wfpw_inventory *inv;
    int rc;
    cur_path(r, path, sizeof(path));
    if ((rc = wfpw_file_read_all(path, SNAPSHOT_MAX, &data, &len)) != 0) {
        file_error(r, wfpw_strerror(rc));
        return 0;
    }
    if ((inv = wfpw_malloc(sizeof(*inv))) == NULL) {
        wfpw_free(data);
        return WFPW_ENOMEM;
    }
    wfpw_inventory_init(inv);
    r->pos++;
    if ((rc = wfpw_netsh_read(data, len, inv, err, sizeof(err))) != 0) {
        file_error(r, err);
        wfpw_inventory_free(inv);
        wfpw_free(inv);
        wfpw_source_skip(r->src, r->pos);
    } else {
        /* also before the resume point: the pipeline must know the inventory, and does
         * not emit again what the spool already holds */
        wfpw_source_snapshot(r->src, inv, data, len, r->pos);
    }
    wfpw_free(data);
    return 0;
}

static int open_next(struct replay *r)
{
    char path[WFPW_CFG_STR_MAX + 64], head[4096];
    int64_t n;
    int rc;
    for (;;) {
        if (r->file_idx >= r->nfiles) {
            if (!r->conf->loop || r->nfiles == 0 || r->pos == r->pass_start_pos)
                return 1; /* done (looping over a capture without inputs would spin) */
            r->file_idx = 0;
            r->loops++;
            r->pass_start_pos = r->pos;
        }
        cur_path(r, path, sizeof(path));
        if ((rc = wfpw_file_open(path, WFPW_FILE_READ, &r->fd)) != 0) {
            file_error(r, wfpw_strerror(rc));
            r->file_idx++;
            continue;
        }
        n = wfpw_file_read(r->fd, head, sizeof(head), 0);
        r->kind = n > 0 ? sniff(head, (size_t)n) : K_UNKNOWN;
        r->off = 0, r->eof = 0;
        if (r->kind == K_NETSH) {
            wfpw_file_close(r->fd);
            r->fd = -1;
            rc = load_netsh(r);
            r->file_idx++;
            return rc != 0 ? rc : 2;  /* one input handed over */
        }
        if (r->kind == K_UNKNOWN) {
            if (n != 0) {
                r->unrecognised++;
                file_error(r, "content not recognised (expected event XML, a netsh wfp dump or JSON lines); skipped");
            }
            wfpw_file_close(r->fd);
            r->fd = -1;
            r->file_idx++;
            continue;
        }
        if (r->kind == K_DRIVER) {
            unsigned major = 0;
            wfpw_devrec_file_header((const uint8_t *)head, (size_t)n, &major);  /* sniffed: present */
            if (major != WFPW_DEV_VERSION_MAJOR) {
                char msg[128];
                snprintf(msg, sizeof(msg), "driver record file of version %u; this agent reads version %u; skipped", major,
                         WFPW_DEV_VERSION_MAJOR);
                file_error(r, msg);
                wfpw_file_close(r->fd);
                r->fd = -1;
                r->file_idx++;
                continue;
            }
            r->off = WFPW_DEV_FILE_HEADER;
            memset(&r->drvseq, 0, sizeof(r->drvseq));
            wfpw_buf_reset(&r->line);
        }
        if (r->kind == K_EVENTS) {
            struct wfpw_evtxml_opts o;
            memset(&o, 0, sizeof(o));
            if ((r->xml = wfpw_evtxml_new(&o, on_xml_event, r)) == NULL)
                return WFPW_ENOMEM;
        }
        return 0;
    }
}

/* JSON lines of the chunk into the queue; a partial last line waits for the next chunk. */
static void take_lines(struct replay *r, const char *d, size_t n, int last)
{
    size_t i = 0;
    while (i < n || (last && r->line.len)) {
        const char *nl = i < n ? memchr(d + i, '\n', n - i) : NULL;
        size_t l = nl ? (size_t)(nl - (d + i)) : n - i;
        struct wfpw_json_err jerr;
        struct wfpw_proto_err perr;
        cJSON *ev = NULL;
        wfpw_buf_append(&r->line, d + i, l);
        i += l + (nl != NULL);
        if (nl == NULL && !last)
            return;
        if (r->line.err) {
            q_push(r, NULL, 0, "line longer than 1 MiB");
            file_error(r, "a JSON line is longer than 1 MiB; skipped");
        } else if (r->line.len == 0 || (r->line.len == 1 && r->line.data[0] == '\r')) {
            /* blank line: not an input */
        } else if (wfpw_json_parse(r->line.data, r->line.len, WFPW_PROTO_MAX_DEPTH, &ev, &jerr) != 0 ||
                   wfpw_event_validate(ev, "event", &perr) != 0) {
            char msg[600];
            if (ev)
                snprintf(msg, sizeof(msg), "a line is not a valid proto v1 event: %s: %s; skipped", perr.field, perr.msg);
            else
                snprintf(msg, sizeof(msg), "a line is not JSON: %s; skipped", jerr.msg);
            cJSON_Delete(ev);
            file_error(r, msg);
            q_push(r, NULL, 0, "invalid line");
        } else {
            const cJSON *t = wfpw_json_get(ev, "type");
            int blocked = cJSON_IsString(t) && strcmp(t->valuestring, "connection_blocked") == 0;
            q_push(r, ev, blocked ? Q_JSON_BLOCKED : Q_JSON_PASS, NULL);
        }
        wfpw_buf_reset(&r->line);
        if (nl == NULL)
            return;
    }
}

/* Driver records of the chunk into the queue (a partial record waits for the next chunk).
 * 0, or WFPW_ECORRUPT after queueing the records before a bad one (the rest of the file is
 * skipped: without a valid size there is no next record to resynchronise on). */
static int take_records(struct replay *r, const char *d, size_t n, int last)
{
    const uint8_t *p;
    size_t off = 0, used, left;
    char msg[300];
    wfpw_buf_append(&r->line, d, n);
    if (r->line.err)
        return WFPW_ENOMEM;
    p = (const uint8_t *)r->line.data;
    left = r->line.len;
    while (off < left) {
        struct wfpw_devrec rec;
        int64_t gap;
        const char *why;
        int packet = 0, rc = wfpw_devrec_next(p + off, left - off, &r->drvseq, &rec, &used, &gap, &why);
        cJSON *ev;
        if (rc == WFPW_EAGAIN && !last)
            break;
        if (rc != 0) {
            snprintf(msg, sizeof(msg), "%s driver record at byte %llu; the rest of the file is skipped", why,
                     (unsigned long long)(r->off - (int64_t)left + (int64_t)off));
            file_error(r, msg);
            q_push(r, NULL, 0, "bad driver record");
            wfpw_buf_reset(&r->line);
            return WFPW_ECORRUPT;
        }
        if (gap > 0) {
            r->drv_missing += (uint64_t)gap;
            wfpw_log_warn("source", r->src->name, "driver records %llu..%llu missing: the driver's ring was full",
                          (unsigned long long)(rec.seq - (uint64_t)gap), (unsigned long long)(rec.seq - 1));
        }
        ev = wfpw_drv_to_event(&rec, &packet, msg, sizeof(msg));
        if (ev == NULL) {
            file_error(r, msg);
            q_push(r, NULL, 0, "driver record not convertible");
        } else {
            q_push(r, ev, packet, NULL);
        }
        off += used;
    }
    /* keep the unparsed tail (at most one partial record) */
    if (off > 0 && off < left)
        memmove(r->line.data, r->line.data + off, left - off);
    r->line.len = left - off;
    return 0;
}

/* Fill the queue from the current file: 0 when it has inputs, 2 when a snapshot was handed
 * over instead, 1 when there is nothing more to read at all, or an error. */
static int refill(struct replay *r)
{
    char buf[CHUNK], err[512];
    int64_t n;
    int rc;
    while (r->qhead == r->qn) {
        r->qn = r->qhead = 0;
        if (r->fd < 0 && (rc = open_next(r)) != 0)
            return rc;
        n = wfpw_file_read(r->fd, buf, sizeof(buf), r->off);
        if (n < 0) {
            file_error(r, wfpw_strerror((int)n));
            close_file(r);
            r->file_idx++;
            continue;
        }
        r->off += n;
        if (r->kind == K_EVENTS) {
            if (wfpw_evtxml_feed(r->xml, buf, (size_t)n, n == 0, err, sizeof(err)) != 0) {
                file_error(r, err);
                /* events before the error are queued; the rest of the file is skipped */
                wfpw_evtxml_free(r->xml);
                r->xml = NULL;
                wfpw_file_close(r->fd);
                r->fd = -1;
                r->file_idx++;
                if (r->qn > r->qhead)
                    return 0;
                continue;
            }
        } else if (r->kind == K_DRIVER) {
            if ((rc = take_records(r, buf, (size_t)n, n == 0)) != 0) {
                if (rc == WFPW_ENOMEM)
                    return rc;
                /* the records before the bad one stay queued */
                wfpw_file_close(r->fd);
                r->fd = -1;
                wfpw_buf_reset(&r->line);
                r->file_idx++;
                if (r->qn > r->qhead)
                    return 0;
                continue;
            }
        } else {
            take_lines(r, buf, (size_t)n, n == 0);
        }
        if (n == 0) {
            wfpw_evtxml_free(r->xml);
            r->xml = NULL;
            wfpw_file_close(r->fd);
            r->fd = -1;
            r->file_idx++;
        }
    }
    return 0;
}

/* Hand over up to max inputs; returns how many, or -1 when the capture is exhausted. */
static int pump(struct replay *r, unsigned max)
{
    unsigned done = 0;
    while (done < max) {
        struct pending *p;
        int rc;
        if (r->qhead == r->qn) {
            rc = refill(r);
            if (rc == 1)
                return -1;
            if (rc == 2) {
                done++;
                continue;
            }
            if (rc < 0) {
                wfpw_source_error(r->src, wfpw_strerror(rc));
                return -1;
            }
        }
        p = &r->q[r->qhead++];
        r->pos++;
        done++;
        if (r->pos <= r->src->resume_pos) {
            cJSON_Delete(p->ev);  /* already committed before the restart */
            p_free(p);
            continue;
        }
        if (p->attr || p->created || p->fw || p->reg) {
            if (p->attr)
                wfpw_source_attribution(r->src, p->attr, r->pos, 0);
            else if (p->created)
                wfpw_source_process_created(r->src, p->created, r->pos);
            else if (p->fw)
                wfpw_source_firewall_rule(r->src, p->fw, r->pos);
            else
                wfpw_source_registry_change(r->src, p->reg, r->pos, 0);
            p_free(p);
            continue;
        }
        if (p->ev == NULL) {
            wfpw_source_skip(r->src, r->pos);
            continue;
        }
        if (p->packet == Q_PASS)
            wfpw_source_emit(r->src, p->ev, WFPW_EV_PASS, r->pos);
        else if (p->packet < 0) /* a JSON line, validated as read: blocked connections are connection-level */
            wfpw_source_emit(r->src, p->ev,
                             (p->packet == Q_JSON_BLOCKED ? WFPW_EV_CONNECTION : WFPW_EV_PASS) | WFPW_EV_VALIDATED, r->pos);
        else
            wfpw_source_emit(r->src, p->ev, p->packet ? WFPW_EV_PACKET : WFPW_EV_CONNECTION, r->pos);
        p->ev = NULL;
    }
    return (int)done;
}

static void stop_handles(struct replay *r)
{
    if (!r->running)
        return;
    uv_idle_stop(&r->idle);
    uv_timer_stop(&r->timer);
    r->running = 0;
}

static void on_idle(uv_idle_t *h)
{
    struct replay *r = h->data;
    if (pump(r, SLICE) < 0) {
        stop_handles(r);
        wfpw_source_finished(r->src);
    }
}

static void on_tick(uv_timer_t *t)
{
    struct replay *r = t->data;
    uint64_t now = uv_now(t->loop);
    unsigned n;
    /* credit the time that really passed: a repeating uv_timer fires a little late each time,
     * so counting ticks would replay slower than the rate (about 2% at 10 ms) */
    r->tokens += (double)r->conf->rate * (double)(now - r->last_tick) / 1000.0;
    r->last_tick = now;
    if (r->tokens > (double)r->conf->rate)
        r->tokens = (double)r->conf->rate;
    n = (unsigned)r->tokens;
    if (n == 0)
        return;
    r->tokens -= n;
    if (pump(r, n) < 0) {
        stop_handles(r);
        wfpw_source_finished(r->src);
    }
}

/* ---- interface ----------------------------------------------------------------------------- */

static int replay_init(struct wfpw_source *src, char *err, size_t errlen)
{
    struct replay *r = wfpw_calloc(1, sizeof(*r));
    size_t n;
    int rc;
    if (r == NULL)
        return WFPW_ENOMEM;
    r->conf = src->conf, r->src = src, r->fd = -1;
    wfpw_buf_init(&r->line, LINE_MAX_BYTES);
    src->state = r;
    rc = wfpw_dir_list(r->conf->path, &r->files, &n);
    if (rc == 0) {
        size_t i, k = 0;
        for (i = 0; i < n; i++)   /* hidden files and editor leftovers are not captures */
            if (r->files[i][0] != '.')
                r->files[k++] = r->files[i];
        r->nfiles = k;
        return 0;
    }
    /* not a folder: a single file */
    {
        int fd = -1;
        if ((rc = wfpw_file_open(r->conf->path, WFPW_FILE_READ, &fd)) != 0) {
            snprintf(err, errlen, "path: %s: %s", r->conf->path, wfpw_strerror(rc));
            return WFPW_EINVAL;
        }
        wfpw_file_close(fd);
    }
    snprintf(r->single, sizeof(r->single), "%s", r->conf->path);
    if ((r->files = wfpw_malloc(sizeof(char *))) == NULL)
        return WFPW_ENOMEM;
    r->files[0] = r->single;
    r->nfiles = 1;
    return 0;
}

static int replay_start(struct wfpw_source *src)
{
    struct replay *r = src->state;
    uv_idle_init(src->loop, &r->idle);
    uv_timer_init(src->loop, &r->timer);
    r->idle.data = r->timer.data = r;
    r->running = 1;
    if (r->conf->rate == 0)
        wfpw_log_info("source", src->name, "replaying %zu file%s from %s at full speed%s", r->nfiles,
                      r->nfiles == 1 ? "" : "s", r->conf->path, r->conf->loop ? ", looping" : "");
    else
        wfpw_log_info("source", src->name, "replaying %zu file%s from %s at %lld events/s%s", r->nfiles,
                      r->nfiles == 1 ? "" : "s", r->conf->path, (long long)r->conf->rate, r->conf->loop ? ", looping" : "");
    if (src->resume_pos)
        wfpw_log_info("source", src->name, "resuming after input %llu", (unsigned long long)src->resume_pos);
    if (r->conf->rate == 0)
        return uv_idle_start(&r->idle, on_idle) == 0 ? 0 : WFPW_EIO;
    r->last_tick = uv_now(src->loop);
    return uv_timer_start(&r->timer, on_tick, 10, 10) == 0 ? 0 : WFPW_EIO;
}

static void replay_pause(struct wfpw_source *src)
{
    struct replay *r = src->state;
    if (r->running) {
        uv_idle_stop(&r->idle);
        uv_timer_stop(&r->timer);
    }
}

static void replay_resume(struct wfpw_source *src)
{
    struct replay *r = src->state;
    if (r->running) {
        if (r->conf->rate == 0) {
            uv_idle_start(&r->idle, on_idle);
        } else {
            r->last_tick = uv_now(r->src->loop);  /* a pause earns no credit */
            uv_timer_start(&r->timer, on_tick, 10, 10);
        }
    }
}

static void free_state(struct replay *r)
{
    close_file(r);
    wfpw_buf_free(&r->line);
    wfpw_free(r->q);
    wfpw_free(r->files);
    wfpw_free(r);
}

static void on_closed(uv_handle_t *h)
{
    struct replay *r = h->data;
    if (h == (uv_handle_t *)&r->timer)  /* the last of the two handles */
        free_state(r);
}

static void replay_close(struct wfpw_source *src)
{
    struct replay *r = src->state;
    if (r == NULL)
        return;
    src->state = NULL;
    if (r->idle.loop != NULL) { /* started: the handles close first */
        uv_close((uv_handle_t *)&r->idle, NULL);
        uv_close((uv_handle_t *)&r->timer, on_closed);
        return;
    }
    free_state(r);
}

static void replay_stats(struct wfpw_source *src, cJSON *out)
{
    struct replay *r = src->state;
    if (r == NULL)
        return;
    cJSON_AddNumberToObject(out, "position", (double)r->pos);
    cJSON_AddNumberToObject(out, "files", (double)r->nfiles);
    cJSON_AddNumberToObject(out, "loops", (double)r->loops);
    cJSON_AddNumberToObject(out, "unrecognised_files", (double)r->unrecognised);
    cJSON_AddNumberToObject(out, "driver_records_missing", (double)r->drv_missing);
}

const struct wfpw_source_type wfpw_source_replay = {
    .name = "replay",
    .help = "recorded captures: event XML, netsh wfp dumps, JSON lines of proto events, driver record files",
    .conf_keys = replay_keys,
    .nconf_keys = sizeof(replay_keys) / sizeof(replay_keys[0]),
    .conf_size = sizeof(struct replay_conf),
    .init = replay_init,
    .start = replay_start,
    .pause = replay_pause,
    .resume = replay_resume,
    .close = replay_close,
    .stats = replay_stats,
};
