/*
 * devrec.c — the driver record codec (see devrec.h and ../wfpw_device.h). The CRC covers the
 * whole record, sequence number included, so a torn copy or a flipped bit anywhere is caught;
 * the parser accepts only what the version-1 encoder can produce.
 */
#include "devrec.h"

#include <string.h>

#include "crc32c.h"
#include "wfpw/errors.h"

static void put32(uint8_t *p, uint32_t v)
{
    wfpw__put16(p, (uint16_t)v);
    wfpw__put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)wfpw__get16(p) | ((uint32_t)wfpw__get16(p + 2) << 16);
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

static size_t cut_path(const struct wfpw_devrec_in *in)
{
    size_t n = in->path ? in->path_bytes & ~(size_t)1 : 0;  /* whole UTF-16 units */
    return n > WFPW_DEV_PATH_MAX ? WFPW_DEV_PATH_MAX : n;
}

size_t wfpw_devrec_size(const struct wfpw_devrec_in *in)
{
    return (WFPW_DEV_REC_HEADER + cut_path(in) + 7) & ~(size_t)7;
}

void wfpw_devrec_encode(const struct wfpw_devrec_in *in, uint64_t seq, uint8_t *out)
{
    size_t pb = cut_path(in), size = wfpw_devrec_size(in);
    uint32_t flags = in->flags & WFPW_DEV_F_KNOWN & ~WFPW_DEV_F_PATH_TRUNCATED;
    if (in->path && (in->path_bytes & ~(size_t)1) > pb)
        flags |= WFPW_DEV_F_PATH_TRUNCATED;
    if (pb == 0)
        flags &= ~WFPW_DEV_F_PATH;
    memset(out, 0, size);
    wfpw__put16(out + 0, (uint16_t)size);
    out[2] = WFPW_DEV_REC_DISCARD;
    out[3] = WFPW_DEV_REC_VERSION;
    put64(out + 8, seq);
    put64(out + 16, in->time);
    put64(out + 24, in->process_id);
    put64(out + 32, in->filter_id);
    put32(out + 40, flags);
    wfpw__put16(out + 44, in->layer_id);
    out[46] = in->direction;
    out[47] = in->ip_version;
    out[48] = in->protocol;
    wfpw__put16(out + 50, in->local_port);
    wfpw__put16(out + 52, in->remote_port);
    wfpw__put16(out + 54, (uint16_t)pb);
    put32(out + 56, in->discard_module);
    put32(out + 60, in->discard_reason);
    memcpy(out + 64, in->local_addr, 16);
    memcpy(out + 80, in->remote_addr, 16);
    if (pb)
        memcpy(out + WFPW_DEV_REC_HEADER, in->path, pb);
    put32(out + 4, wfpw_crc32c(0, out, size));
}

static int all_zero(const uint8_t *p, size_t n)
{
    while (n--)
        if (*p++)
            return 0;
    return 1;
}

int wfpw_devrec_parse(const uint8_t *buf, size_t len, struct wfpw_devrec *out, size_t *used)
{
    uint8_t head[8];
    size_t size, pb;
    uint32_t crc;
    if (len < 8)
        return WFPW_EAGAIN;
    size = wfpw__get16(buf);
    if (size < WFPW_DEV_REC_HEADER || size > WFPW_DEV_RECORD_MAX || size % 8 || buf[2] != WFPW_DEV_REC_DISCARD ||
        buf[3] != WFPW_DEV_REC_VERSION)
        return WFPW_ECORRUPT;
    if (len < size)
        return WFPW_EAGAIN;
    /* CRC with the crc field zero: the first 8 bytes from a copy, the rest in place */
    memcpy(head, buf, 8);
    memset(head + 4, 0, 4);
    crc = wfpw_crc32c(wfpw_crc32c(0, head, 8), buf + 8, size - 8);
    if (crc != get32(buf + 4))
        return WFPW_ECORRUPT;
    pb = wfpw__get16(buf + 54);
    if (pb % 2 || pb > WFPW_DEV_PATH_MAX || WFPW_DEV_REC_HEADER + pb > size ||
        size - (WFPW_DEV_REC_HEADER + pb) >= 8 || !all_zero(buf + WFPW_DEV_REC_HEADER + pb, size - WFPW_DEV_REC_HEADER - pb))
        return WFPW_ECORRUPT;
    memset(out, 0, sizeof(*out));
    out->seq = get64(buf + 8);
    out->time = get64(buf + 16);
    out->process_id = get64(buf + 24);
    out->filter_id = get64(buf + 32);
    out->flags = get32(buf + 40);
    out->layer_id = wfpw__get16(buf + 44);
    out->direction = buf[46];
    out->ip_version = buf[47];
    out->protocol = buf[48];
    out->local_port = wfpw__get16(buf + 50);
    out->remote_port = wfpw__get16(buf + 52);
    out->discard_module = get32(buf + 56);
    out->discard_reason = get32(buf + 60);
    memcpy(out->local_addr, buf + 64, 16);
    memcpy(out->remote_addr, buf + 80, 16);
    out->path = pb ? buf + WFPW_DEV_REC_HEADER : NULL;
    out->path_bytes = pb;
    if (out->seq == 0 || (out->flags & ~WFPW_DEV_F_KNOWN) || out->direction > 1 ||
        (out->ip_version != 4 && out->ip_version != 6) || buf[49] != 0 || !all_zero(buf + 96, 16) ||
        (out->ip_version == 4 && !(all_zero(out->local_addr + 4, 12) && all_zero(out->remote_addr + 4, 12))) ||
        (pb != 0) != ((out->flags & WFPW_DEV_F_PATH) != 0) ||
        ((out->flags & WFPW_DEV_F_PATH_TRUNCATED) && pb != WFPW_DEV_PATH_MAX))
        return WFPW_ECORRUPT;
    *used = size;
    return 0;
}

int64_t wfpw_devseq_next(struct wfpw_devseq *s, uint64_t seq)
{
    uint64_t gap;
    if (seq <= s->last)
        return WFPW_ECORRUPT;
    gap = seq - s->last - 1;
    s->last = seq;
    s->missing += gap;
    return (int64_t)gap;
}

int wfpw_devrec_file_header(const uint8_t *p, size_t n, unsigned *major)
{
    if (n < WFPW_DEV_FILE_HEADER || memcmp(p, WFPW_DEV_FILE_MAGIC, 8) != 0)
        return WFPW_EPROTO;
    *major = wfpw__get16(p + 8);
    return 0;
}

int wfpw_devrec_next(const uint8_t *buf, size_t len, struct wfpw_devseq *seq, struct wfpw_devrec *out, size_t *used,
                     int64_t *gap, const char **why)
{
    int rc = wfpw_devrec_parse(buf, len, out, used);
    if (rc != 0) {
        *why = rc == WFPW_EAGAIN ? "truncated" : "corrupt";
        return rc;
    }
    if ((*gap = wfpw_devseq_next(seq, out->seq)) < 0) {
        *why = "out-of-sequence";
        return WFPW_ECORRUPT;
    }
    return 0;
}
