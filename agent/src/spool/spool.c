/*
 * spool.c — segment files of CRC-framed records plus a small state file (spool.h,
 * docs/internals/SPOOL.md). Appends are buffered in memory and written at flush points;
 * the shipper reads only what has been flushed and synced, so a sequence number that left
 * the host can never be reused after a power cut. Segment bookkeeping (first/last seq,
 * bytes) is kept in memory and rebuilt by scanning at open.
 */
#include "spool.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "crc32c.h"
#include "wfpw/fileio.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

#define MAGIC "WFPWSPL1"
#define VERSION 1u
#define HDR_LEN 16u
#define FRAME_LEN 8u          /* length + crc */
#define PAYLOAD_FIXED 32u     /* type, reserved, source, seq, pos, append time */
#define REC_EVENT 1
#define REC_COMMIT 2
#define WBUF_MAX (256u << 10)
#define STATE_MAX (64u << 10)

struct seg {
    uint64_t num;        /* file number, strictly increasing */
    uint64_t first_seq;  /* 0 when the segment holds no event */
    uint64_t last_seq;
    uint64_t bytes;      /* file size, including what is still in the write buffer */
    int64_t first_ms;    /* append time of its first event */
};

struct wfpw_spool {
    char dir[768];
    struct wfpw_spool_opts opts;
    struct seg *segs;             /* oldest first; the last one is active when active_fd >= 0 */
    size_t nsegs, cap;
    int active_fd;
    uint64_t next_num;
    uint64_t next_seq, acked;
    uint64_t resume[WFPW_SPOOL_MAX_SOURCES + 1];
    uint64_t spooled[WFPW_SPOOL_MAX_SOURCES + 1];
    uint64_t rec_resume[WFPW_SPOOL_MAX_SOURCES + 1];   /* found in records at open */
    uint64_t rec_spooled[WFPW_SPOOL_MAX_SOURCES + 1];
    struct wfpw_spool_inflight inflight;
    uint64_t dropped_total;       /* persisted: all events ever dropped by the bound */
    char *wbuf;                   /* records not yet written to the active segment */
    size_t wlen;
    uint64_t durable_seq;         /* events up to here are written and synced */
    uint64_t wbuf_last_seq;
    int dirty;                    /* written or buffered since the last fsync */
    char *rbuf;                   /* read buffer */
    size_t rcap;
    uint64_t peek_seq;            /* the record a read stopped at, and its append time */
    int64_t peek_ms;
    uint64_t hint_num;            /* where the last read stopped: segment, offset, seq there */
    int64_t hint_off;
    uint64_t hint_seq;
    int64_t oldest_ms;
    struct wfpw_spool_stats st;
    uint64_t take_dropped;
};

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}
static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32));
}
static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void seg_path(const struct wfpw_spool *sp, uint64_t num, char *out, size_t len)
{
    snprintf(out, len, "%s/seg-%016" PRIx64 ".wfs", sp->dir, num);
}

static struct seg *seg_add(struct wfpw_spool *sp, uint64_t num)
{
    if (sp->nsegs == sp->cap) {
        size_t cap = sp->cap ? sp->cap * 2 : 16;
        struct seg *s = wfpw_realloc(sp->segs, cap * sizeof(*s));
        if (s == NULL)
            return NULL;
        sp->segs = s, sp->cap = cap;
    }
    memset(&sp->segs[sp->nsegs], 0, sizeof(struct seg));
    sp->segs[sp->nsegs].num = num;
    return &sp->segs[sp->nsegs++];
}

/* ---- state file ---------------------------------------------------------------------- */

static int state_write(struct wfpw_spool *sp)
{
    char path[800], buf[STATE_MAX];
    size_t off;
    unsigned i;
    int n;
    n = snprintf(buf, sizeof(buf),
                 "{\"version\":1,\"next_seq\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"dropped_total\":%" PRIu64
                 ",\"inflight\":{\"batch_id\":\"%s\",\"first\":%" PRIu64 ",\"last\":%" PRIu64 "},\"sources\":[",
                 sp->next_seq, sp->acked, sp->dropped_total, sp->inflight.batch_id, sp->inflight.first_seq,
                 sp->inflight.last_seq);
    off = (size_t)n;
    for (i = 0; i <= WFPW_SPOOL_MAX_SOURCES && off < sizeof(buf) - 64; i++) {
        if (sp->resume[i] == 0 && sp->spooled[i] == 0)
            continue;
        off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s[%u,%" PRIu64 ",%" PRIu64 "]",
                                buf[off - 1] == '[' ? "" : ",", i, sp->resume[i], sp->spooled[i]);
    }
    off += (size_t)snprintf(buf + off, sizeof(buf) - off, "]}\n");
    snprintf(path, sizeof(path), "%s/state.json", sp->dir);
    sp->st.fsyncs++;
    return wfpw_file_write_atomic(path, buf, off);
}

static uint64_t juint(const cJSON *o, const char *k)
{
    uint64_t v = 0;
    if (wfpw_json_uint(cJSON_GetObjectItemCaseSensitive(o, k), 0, UINT64_MAX, &v) != 0)
        return 0;
    return v;
}

/* A missing state file is a new spool; an unreadable one is reported and the spool is
 * rebuilt from its records (which carry seq and positions) — the collector deduplicates the
 * batch that may be resent. */
static int state_read(struct wfpw_spool *sp, struct wfpw_spool_recovery *rec)
{
    char path[800], *data;
    size_t len;
    cJSON *root = NULL, *in, *srcs, *it;
    struct wfpw_json_err jerr;
    int rc;
    snprintf(path, sizeof(path), "%s/state.json", sp->dir);
    rc = wfpw_file_read_all(path, STATE_MAX, &data, &len);
    if (rc == WFPW_ENOENT)
        return 0;
    if (rc == 0) {
        rc = wfpw_json_parse(data, len, 4, &root, &jerr);
        wfpw_free(data);
    }
    if (rc != 0 || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        if (rec && !rec->detail[0])
            snprintf(rec->detail, sizeof(rec->detail), "state.json unreadable (%s); rebuilt from the segments",
                     wfpw_strerror(rc ? rc : WFPW_ESYNTAX));
        return rc == WFPW_ENOMEM ? rc : 0;
    }
    sp->next_seq = juint(root, "next_seq");
    sp->acked = juint(root, "acked");
    sp->dropped_total = juint(root, "dropped_total");
    in = cJSON_GetObjectItemCaseSensitive(root, "inflight");
    it = cJSON_GetObjectItemCaseSensitive(in, "batch_id");
    if (cJSON_IsString(it) && strlen(it->valuestring) < sizeof(sp->inflight.batch_id)) {
        strcpy(sp->inflight.batch_id, it->valuestring);
        sp->inflight.first_seq = juint(in, "first");
        sp->inflight.last_seq = juint(in, "last");
    }
    srcs = cJSON_GetObjectItemCaseSensitive(root, "sources");
    cJSON_ArrayForEach(it, srcs) {
        uint64_t idx = 0, r = 0, s = 0;
        if (cJSON_GetArraySize(it) != 3 || wfpw_json_uint(cJSON_GetArrayItem(it, 0), 0, WFPW_SPOOL_MAX_SOURCES, &idx) ||
            wfpw_json_uint(cJSON_GetArrayItem(it, 1), 0, UINT64_MAX, &r) ||
            wfpw_json_uint(cJSON_GetArrayItem(it, 2), 0, UINT64_MAX, &s))
            continue;
        sp->resume[idx] = r, sp->spooled[idx] = s;
    }
    cJSON_Delete(root);
    return 0;
}

/* ---- recovery ---------------------------------------------------------------------------- */

static int ensure_rbuf(struct wfpw_spool *sp, size_t need)
{
    if (sp->rcap < need) {
        char *p = wfpw_realloc(sp->rbuf, need);
        if (p == NULL)
            return WFPW_ENOMEM;
        sp->rbuf = p, sp->rcap = need;
    }
    return 0;
}

/* Scan one segment; cut it at the first bad record. */
static int scan_segment(struct wfpw_spool *sp, const char *name, uint64_t num, int64_t now_ms,
                        struct wfpw_spool_recovery *rec)
{
    char path[800];
    unsigned char hdr[HDR_LEN];
    int fd = -1, rc;
    int64_t size, off = HDR_LEN;
    struct seg *s;
    uint64_t prev_seq = 0;

    snprintf(path, sizeof(path), "%s/%s", sp->dir, name);
    if ((rc = wfpw_file_open(path, WFPW_FILE_WRITE, &fd)) != 0)
        return rc;
    size = wfpw_file_size(fd);
    if (size < (int64_t)HDR_LEN || wfpw_file_read(fd, hdr, HDR_LEN, 0) != HDR_LEN ||
        memcmp(hdr, MAGIC, 8) != 0 || get32(hdr + 8) != VERSION) {
        char bad[820];
        uint64_t sz = size > 0 ? (uint64_t)size : 0;
        wfpw_file_close(fd);
        if (size >= 0 && size < (int64_t)HDR_LEN) { /* created, crashed before the header */
            rec->torn_bytes += (uint64_t)size;
            return wfpw_file_unlink(path);
        }
        rec->bad_segments++;
        if (!rec->detail[0])
            snprintf(rec->detail, sizeof(rec->detail), "segment %s has no valid header; set aside as .corrupt (%" PRIu64 " bytes)",
                     name, sz);
        snprintf(bad, sizeof(bad), "%s.corrupt", path);
        return wfpw_file_rename(path, bad);
    }
    if ((s = seg_add(sp, num)) == NULL) {
        wfpw_file_close(fd);
        return WFPW_ENOMEM;
    }
    s->first_ms = now_ms;
    rec->segments++;
    while (off < size) {
        unsigned char fr[FRAME_LEN];
        uint32_t len, crc;
        const unsigned char *p;
        const char *why = NULL;
        if (size - off < (int64_t)FRAME_LEN || wfpw_file_read(fd, fr, FRAME_LEN, off) != FRAME_LEN) {
            why = "torn record header";
        } else {
            len = get32(fr), crc = get32(fr + 4);
            if (len < PAYLOAD_FIXED || len > WFPW_SPOOL_MAX_RECORD)
                why = "impossible record length";
            else if (size - off - (int64_t)FRAME_LEN < (int64_t)len)
                why = "torn record";
            else if ((rc = ensure_rbuf(sp, len)) != 0) {
                wfpw_file_close(fd);
                return rc;
            } else if (wfpw_file_read(fd, sp->rbuf, len, off + FRAME_LEN) != (int64_t)len)
                why = "short read";
            else if (wfpw_crc32c(0, sp->rbuf, len) != crc)
                why = "checksum mismatch";
        }
        if (why == NULL) {
            uint32_t src;
            uint64_t seq, pos;
            p = (const unsigned char *)sp->rbuf;
            src = get32(p + 4), seq = get64(p + 8), pos = get64(p + 16);
            if (src > WFPW_SPOOL_MAX_SOURCES)
                why = "bad source index";
            else if (p[0] == REC_EVENT) {
                if (seq == 0 || seq <= prev_seq)
                    why = "sequence out of order";
                else {
                    if (s->first_seq == 0)
                        s->first_seq = seq, s->first_ms = (int64_t)get64(p + 24);
                    s->last_seq = prev_seq = seq;
                    if (seq > sp->acked)
                        rec->events++;
                    if (seq >= sp->next_seq)
                        sp->next_seq = seq + 1;
                    if (pos > sp->rec_spooled[src])
                        sp->rec_spooled[src] = pos;
                }
            } else if (p[0] == REC_COMMIT) {
                if (pos > sp->rec_resume[src])
                    sp->rec_resume[src] = pos;
            } else {
                why = "unknown record type";
            }
        }
        if (why != NULL) {
            if (strcmp(why, "torn record header") && strcmp(why, "torn record"))
                rec->corrupt_records++;
            if (!rec->detail[0])
                snprintf(rec->detail, sizeof(rec->detail), "segment %s: %s at offset %" PRId64 "; %" PRId64 " bytes cut",
                         name, why, off, size - off);
            rec->torn_bytes += (uint64_t)(size - off);
            rc = wfpw_file_truncate(fd, off);
            if (rc == 0)
                rc = wfpw_file_sync(fd);
            wfpw_file_close(fd);
            s->bytes = (uint64_t)off;
            return rc;
        }
        off += FRAME_LEN + len;
    }
    s->bytes = (uint64_t)size;
    wfpw_file_close(fd);
    return 0;
}

static int parse_seg_name(const char *name, uint64_t *num)
{
    char *end;
    if (strncmp(name, "seg-", 4) != 0 || strlen(name) != 4 + 16 + 4 || strcmp(name + 20, ".wfs") != 0)
        return 0;
    *num = strtoull(name + 4, &end, 16);
    return end == name + 20;
}

int wfpw_spool_open(const struct wfpw_spool_opts *opts, int64_t now_ms, struct wfpw_spool **out,
                    struct wfpw_spool_recovery *rec)
{
    struct wfpw_spool_recovery local;
    struct wfpw_spool *sp;
    char **names = NULL;
    size_t n = 0, i;
    int rc;

    *out = NULL;
    if (rec == NULL)
        rec = &local;
    memset(rec, 0, sizeof(*rec));
    if (opts->dir == NULL || strlen(opts->dir) >= sizeof(sp->dir) || opts->max_bytes < 4 * 65536)
        return WFPW_EINVAL;
    if ((sp = wfpw_calloc(1, sizeof(*sp))) == NULL)
        return WFPW_ENOMEM;
    strcpy(sp->dir, opts->dir);
    sp->opts = *opts;
    sp->opts.dir = sp->dir;
    if (sp->opts.segment_bytes == 0) {
        sp->opts.segment_bytes = opts->max_bytes / 16;
        if (sp->opts.segment_bytes < 65536)
            sp->opts.segment_bytes = 65536;
        if (sp->opts.segment_bytes > (16u << 20))
            sp->opts.segment_bytes = 16u << 20;
    }
    sp->active_fd = -1;
    sp->next_seq = 1;
    if ((sp->wbuf = wfpw_malloc(WBUF_MAX + WFPW_SPOOL_MAX_RECORD + FRAME_LEN)) == NULL) {
        wfpw_spool_close(sp);
        return WFPW_ENOMEM;
    }
    if ((rc = wfpw_dir_make(sp->dir)) != 0 || (rc = state_read(sp, rec)) != 0 ||
        (rc = wfpw_dir_list(sp->dir, &names, &n)) != 0) {
        wfpw_spool_close(sp);
        return rc;
    }
    if (sp->next_seq == 0)
        sp->next_seq = 1;
    if (sp->next_seq <= sp->acked)
        sp->next_seq = sp->acked + 1;
    for (i = 0; i < n; i++) {
        uint64_t num;
        if (!parse_seg_name(names[i], &num))
            continue;
        if ((rc = scan_segment(sp, names[i], num, now_ms, rec)) != 0) {
            wfpw_free(names);
            wfpw_spool_close(sp);
            return rc;
        }
        if (num >= sp->next_num)
            sp->next_num = num + 1;
    }
    wfpw_free(names);
    /* Positions: the records are the newest truth (segments go oldest first, so the state
     * file matters only for a source with no record left). A record cut by recovery thus
     * lowers the mark and its input is read again instead of being lost. */
    for (i = 0; i <= WFPW_SPOOL_MAX_SOURCES; i++) {
        if (sp->rec_spooled[i])
            sp->spooled[i] = sp->rec_spooled[i];
        if (sp->rec_resume[i])
            sp->resume[i] = sp->rec_resume[i];
        else if (sp->rec_spooled[i] && sp->resume[i] > sp->rec_spooled[i])
            sp->resume[i] = sp->rec_spooled[i];
    }
    for (i = 0; i < sp->nsegs; i++)
        sp->st.bytes += sp->segs[i].bytes;
    sp->st.segments = sp->nsegs;
    sp->durable_seq = sp->next_seq - 1;
    /* a batch in flight whose events did not survive cannot be resent as it was */
    if (sp->inflight.batch_id[0] && (sp->nsegs == 0 || sp->inflight.last_seq >= sp->next_seq))
        memset(&sp->inflight, 0, sizeof(sp->inflight));
    if (rec->events)
        sp->oldest_ms = now_ms;
    if ((rc = state_write(sp)) != 0) {
        wfpw_spool_close(sp);
        return rc;
    }
    *out = sp;
    return 0;
}

/* ---- writing ----------------------------------------------------------------------------- */

static int new_segment(struct wfpw_spool *sp, int64_t now_ms)
{
    char path[800];
    unsigned char hdr[HDR_LEN];
    struct seg *s;
    int rc, fd = -1;
    seg_path(sp, sp->next_num, path, sizeof(path));
    if ((rc = wfpw_file_open(path, WFPW_FILE_WRITE | WFPW_FILE_TRUNC, &fd)) != 0)
        return rc;
    memcpy(hdr, MAGIC, 8);
    put32(hdr + 8, VERSION);
    put32(hdr + 12, (uint32_t)sp->next_num);
    if ((rc = wfpw_file_write(fd, hdr, HDR_LEN, -1)) != 0 || (s = seg_add(sp, sp->next_num)) == NULL) {
        wfpw_file_close(fd);
        wfpw_file_unlink(path);
        return rc ? rc : WFPW_ENOMEM;
    }
    s->bytes = HDR_LEN;
    s->first_ms = now_ms;
    sp->next_num++;
    sp->active_fd = fd;
    sp->st.bytes += HDR_LEN;
    sp->st.segments = sp->nsegs;
    return 0;
}

static int write_buffer(struct wfpw_spool *sp)
{
    int rc;
    if (sp->wlen == 0)
        return 0;
    if ((rc = wfpw_file_write(sp->active_fd, sp->wbuf, sp->wlen, -1)) != 0)
        return rc;
    sp->wlen = 0;
    return 0;
}

int wfpw_spool_flush(struct wfpw_spool *sp, int sync)
{
    int rc;
    if (sp->active_fd < 0)
        return 0;
    if ((rc = write_buffer(sp)) != 0)
        return rc;
    if (sync && sp->opts.fsync != WFPW_SPOOL_FSYNC_OFF && sp->dirty) {
        if ((rc = wfpw_file_sync(sp->active_fd)) != 0)
            return rc;
        sp->st.fsyncs++;
        sp->dirty = 0;
    }
    if (sync || sp->opts.fsync == WFPW_SPOOL_FSYNC_OFF)
        sp->durable_seq = sp->wbuf_last_seq;
    return 0;
}

static void delete_segment(struct wfpw_spool *sp, size_t i)
{
    char path[800];
    seg_path(sp, sp->segs[i].num, path, sizeof(path));
    wfpw_file_unlink(path);
    sp->st.bytes -= sp->segs[i].bytes;
    memmove(&sp->segs[i], &sp->segs[i + 1], (sp->nsegs - i - 1) * sizeof(struct seg));
    sp->nsegs--;
    sp->st.segments = sp->nsegs;
}

/* Over the bound: drop the oldest closed segments and count the unacknowledged events in
 * them (events of a batch in flight are excluded: they are in memory and still delivered). */
static int enforce_bound(struct wfpw_spool *sp)
{
    int dropped_any = 0;
    while (sp->st.bytes > sp->opts.max_bytes && sp->nsegs > 1) {
        struct seg *s = &sp->segs[0];
        uint64_t from = sp->acked, n = 0;
        if (sp->inflight.batch_id[0] && sp->inflight.last_seq > from)
            from = sp->inflight.last_seq;
        if (s->first_seq && s->last_seq > from)
            n = s->last_seq - (s->first_seq > from ? s->first_seq : from + 1) + 1;
        sp->st.dropped += n;
        sp->dropped_total += n;
        sp->take_dropped += n;
        sp->st.dropped_bytes += s->bytes;
        /* nothing before the segment's end is wanted any more, unless a batch in flight
         * (always the oldest unacknowledged range) still has to be acknowledged */
        if (s->first_seq && s->last_seq > sp->acked &&
            !(sp->inflight.batch_id[0] && sp->inflight.first_seq <= s->last_seq))
            sp->acked = s->last_seq;
        delete_segment(sp, 0);
        dropped_any = 1;
    }
    return dropped_any ? state_write(sp) : 0;
}

static int append_record(struct wfpw_spool *sp, int type, uint32_t source, uint64_t seq, uint64_t pos,
                         const char *data, size_t len, int64_t now_ms)
{
    unsigned char *p;
    size_t total = FRAME_LEN + PAYLOAD_FIXED + len;
    int rc;
    if (PAYLOAD_FIXED + len > WFPW_SPOOL_MAX_RECORD)
        return WFPW_ETOOBIG;
    if (source > WFPW_SPOOL_MAX_SOURCES)
        return WFPW_EINVAL;
    if (sp->active_fd >= 0 && sp->segs[sp->nsegs - 1].bytes + total > sp->opts.segment_bytes &&
        sp->segs[sp->nsegs - 1].bytes > HDR_LEN) {
        if ((rc = wfpw_spool_flush(sp, 1)) != 0)
            return rc;
        wfpw_file_close(sp->active_fd);
        sp->active_fd = -1;
    }
    if (sp->active_fd < 0 && (rc = new_segment(sp, now_ms)) != 0)
        return rc;
    if (sp->wlen + total > WBUF_MAX && (rc = write_buffer(sp)) != 0)
        return rc;
    p = (unsigned char *)sp->wbuf + sp->wlen;
    put32(p, (uint32_t)(PAYLOAD_FIXED + len));
    p[8] = (unsigned char)type, p[9] = p[10] = p[11] = 0;
    put32(p + 12, source);
    put64(p + 16, seq);
    put64(p + 24, pos);
    put64(p + 32, (uint64_t)now_ms);
    if (len)
        memcpy(p + 40, data, len);
    put32(p + 4, wfpw_crc32c(0, p + 8, PAYLOAD_FIXED + len));
    sp->wlen += total;
    sp->dirty = 1;
    sp->segs[sp->nsegs - 1].bytes += total;
    sp->st.bytes += total;
    return 0;
}

int wfpw_spool_append(struct wfpw_spool *sp, uint64_t seq, uint32_t source, uint64_t pos,
                      const char *json, size_t len, int64_t now_ms)
{
    struct seg *s;
    int rc;
    if (seq != sp->next_seq)
        return WFPW_EINVAL;
    if ((rc = append_record(sp, REC_EVENT, source, seq, pos, json, len, now_ms)) != 0)
        return rc;
    s = &sp->segs[sp->nsegs - 1];
    if (s->first_seq == 0)
        s->first_seq = seq, s->first_ms = now_ms;
    s->last_seq = seq;
    sp->next_seq++;
    sp->wbuf_last_seq = seq;
    sp->st.appended++;
    if (pos > sp->spooled[source])
        sp->spooled[source] = pos;
    if (sp->oldest_ms == 0)
        sp->oldest_ms = now_ms;
    if (sp->opts.fsync == WFPW_SPOOL_FSYNC_ALWAYS && (rc = wfpw_spool_flush(sp, 1)) != 0)
        return rc;
    return enforce_bound(sp);
}

int wfpw_spool_commit(struct wfpw_spool *sp, uint32_t source, uint64_t pos)
{
    int rc;
    if (source == 0 || source > WFPW_SPOOL_MAX_SOURCES)
        return WFPW_EINVAL;
    if (pos <= sp->resume[source])
        return 0;
    if ((rc = append_record(sp, REC_COMMIT, source, sp->next_seq - 1, pos, NULL, 0, 0)) != 0)
        return rc;
    if ((rc = wfpw_spool_flush(sp, 1)) != 0)
        return rc;
    sp->resume[source] = pos;
    return 0;
}

void wfpw_spool_position(const struct wfpw_spool *sp, uint32_t source, uint64_t *resume, uint64_t *spooled)
{
    *resume = source <= WFPW_SPOOL_MAX_SOURCES ? sp->resume[source] : 0;
    *spooled = source <= WFPW_SPOOL_MAX_SOURCES ? sp->spooled[source] : 0;
}

/* ---- reading ----------------------------------------------------------------------------- */

/* Make rbuf hold file bytes [off, off + need) of fd; it is refilled in chunks of at least
 * READ_CHUNK so records are parsed from memory, not read one by one. */
#define READ_CHUNK (256u << 10)
static int rd_fill(struct wfpw_spool *sp, int fd, int64_t off, size_t need, int64_t *bufoff, size_t *blen)
{
    size_t want = need > READ_CHUNK ? need : READ_CHUNK;
    int64_t got;
    int rc;
    if (off >= *bufoff && off + (int64_t)need <= *bufoff + (int64_t)*blen)
        return 0;
    if ((rc = ensure_rbuf(sp, want)) != 0)
        return rc;
    got = wfpw_file_read(fd, sp->rbuf, want, off);
    if (got < 0)
        return (int)got;
    *bufoff = off, *blen = (size_t)got;
    return (size_t)got < need ? WFPW_ECORRUPT : 0;
}

int64_t wfpw_spool_read(struct wfpw_spool *sp, uint64_t from_seq, wfpw_spool_read_cb cb, void *ctx)
{
    int64_t consumed = 0;
    size_t i;
    int rc;
    if ((rc = wfpw_spool_flush(sp, 1)) != 0)
        return rc;
    for (i = 0; i < sp->nsegs; i++) {
        struct seg *s = &sp->segs[i];
        char path[800];
        int fd = -1;
        int64_t off = HDR_LEN, size = (int64_t)s->bytes, bufoff = 0;
        size_t blen = 0;
        if (s->first_seq == 0 || s->last_seq < from_seq || s->first_seq > sp->durable_seq)
            continue;
        if (sp->hint_num == s->num && sp->hint_seq <= from_seq && sp->hint_off > off)
            off = sp->hint_off;
        seg_path(sp, s->num, path, sizeof(path));
        if ((rc = wfpw_file_open(path, WFPW_FILE_READ, &fd)) != 0)
            return rc;
        while (off < size) {
            const unsigned char *p;
            uint32_t len;
            uint64_t seq;
            struct wfpw_spool_rec r;
            if ((rc = rd_fill(sp, fd, off, FRAME_LEN, &bufoff, &blen)) != 0)
                break;
            p = (const unsigned char *)sp->rbuf + (off - bufoff);
            len = get32(p);
            if (len < PAYLOAD_FIXED || len > WFPW_SPOOL_MAX_RECORD) {
                rc = WFPW_ECORRUPT;
                break;
            }
            if ((rc = rd_fill(sp, fd, off, FRAME_LEN + len, &bufoff, &blen)) != 0)
                break;
            p = (const unsigned char *)sp->rbuf + (off - bufoff);
            if (wfpw_crc32c(0, p + FRAME_LEN, len) != get32(p + 4)) {
                rc = WFPW_ECORRUPT;
                break;
            }
            seq = get64(p + FRAME_LEN + 8);
            if (p[FRAME_LEN] != REC_EVENT || seq < from_seq) {
                off += FRAME_LEN + len;
                continue;
            }
            if (seq > sp->durable_seq)
                break;
            r.seq = seq, r.json = (const char *)p + FRAME_LEN + PAYLOAD_FIXED, r.len = len - PAYLOAD_FIXED;
            sp->hint_num = s->num, sp->hint_off = off, sp->hint_seq = seq;
            if ((rc = cb(ctx, &r)) != 0) {
                if (rc > 0)
                    sp->peek_seq = seq, sp->peek_ms = (int64_t)get64(p + FRAME_LEN + 24);
                break;
            }
            consumed++;
            off += FRAME_LEN + len;
            from_seq = seq + 1;
            sp->hint_off = off, sp->hint_seq = from_seq;
        }
        wfpw_file_close(fd);
        if (rc > 0)
            return consumed;
        if (rc < 0)
            return rc;
        if (from_seq > sp->durable_seq)
            break;
    }
    return consumed;
}

uint64_t wfpw_spool_next_seq(const struct wfpw_spool *sp)
{
    return sp->next_seq;
}

uint64_t wfpw_spool_last_seq(const struct wfpw_spool *sp)
{
    return sp->next_seq - 1;
}

uint64_t wfpw_spool_acked(const struct wfpw_spool *sp)
{
    return sp->acked;
}

int wfpw_spool_ack(struct wfpw_spool *sp, uint64_t seq)
{
    size_t i = 0;
    if (seq > sp->next_seq - 1)
        return WFPW_EINVAL;
    if (seq > sp->acked)
        sp->acked = seq;
    if (sp->inflight.batch_id[0] && sp->inflight.last_seq <= sp->acked)
        memset(&sp->inflight, 0, sizeof(sp->inflight));
    if (sp->acked >= sp->next_seq - 1)
        sp->oldest_ms = 0;
    else if (sp->peek_seq == sp->acked + 1)
        sp->oldest_ms = sp->peek_ms;
    /* write state first: positions of deleted segments must live on in it */
    if (state_write(sp) != 0)
        return WFPW_EIO;
    while (i < sp->nsegs) {
        struct seg *s = &sp->segs[i];
        int active = i == sp->nsegs - 1 && sp->active_fd >= 0;
        if (!active && s->last_seq <= sp->acked) {
            delete_segment(sp, i);
            continue;
        }
        if (sp->oldest_ms == 0 && s->last_seq > sp->acked)
            sp->oldest_ms = s->first_ms;
        i++;
    }
    return 0;
}

int wfpw_spool_set_inflight(struct wfpw_spool *sp, const struct wfpw_spool_inflight *in)
{
    if (in)
        sp->inflight = *in;
    else
        memset(&sp->inflight, 0, sizeof(sp->inflight));
    return state_write(sp);
}

void wfpw_spool_get_inflight(const struct wfpw_spool *sp, struct wfpw_spool_inflight *out)
{
    *out = sp->inflight;
}

void wfpw_spool_stats(const struct wfpw_spool *sp, struct wfpw_spool_stats *out)
{
    *out = sp->st;
    out->unacked = sp->next_seq - 1 - sp->acked;
    out->oldest_unacked_ms = out->unacked ? sp->oldest_ms : 0;
}

uint64_t wfpw_spool_take_dropped(struct wfpw_spool *sp)
{
    uint64_t n = sp->take_dropped;
    sp->take_dropped = 0;
    return n;
}

void wfpw_spool_close(struct wfpw_spool *sp)
{
    if (sp == NULL)
        return;
    if (sp->active_fd >= 0) {
        wfpw_spool_flush(sp, 1);
        wfpw_file_close(sp->active_fd);
        state_write(sp);
    }
    wfpw_free(sp->segs);
    wfpw_free(sp->wbuf);
    wfpw_free(sp->rbuf);
    wfpw_free(sp);
}
