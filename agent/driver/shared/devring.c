/*
 * devring.c — see devring.h. A record never straddles the end of the buffer: when the tail
 * is too short, it is filled with one PAD record that the consumer skips, so records can be
 * encoded in place (no staging copy on the classify path) and copied out with one memcpy.
 */
#include "devring.h"

#include <string.h>

#include "crc32c.h"
#include "wfpw/errors.h"

int wfpw_devring_init(struct wfpw_devring *r, uint8_t *mem, size_t cap)
{
    cap &= ~(size_t)7;
    if (mem == NULL || cap < 2 * WFPW_DEV_RECORD_MAX || cap > 0x7FFFFFF8u)
        return WFPW_EINVAL;
    memset(r, 0, sizeof(*r));
    r->buf = mem, r->cap = (uint32_t)cap, r->next_seq = 1;
    wfpw_crc32c_init();
    return 0;
}

int wfpw_devring_push(struct wfpw_devring *r, const struct wfpw_devrec_in *in)
{
    size_t size = wfpw_devrec_size(in);
    uint32_t at = (uint32_t)(r->wpos % r->cap), tail = r->cap - at;
    uint64_t need = size + (tail < size ? tail : 0), seq = r->next_seq++;
    if (need > r->cap - wfpw_devring_used(r)) {
        r->dropped++;
        return WFPW_ENOSPC;
    }
    if (tail < size) {  /* tail >= 8: every size and the capacity are multiples of 8 */
        wfpw__put16(r->buf + at, (uint16_t)tail);
        r->buf[at + 2] = WFPW_DEV_REC_PAD;
        r->wpos += tail;
        at = 0;
    }
    wfpw_devrec_encode(in, seq, r->buf + at);
    if (in->path && (in->path_bytes & ~(size_t)1) > WFPW_DEV_PATH_MAX)
        r->truncated++;
    r->wpos += size;
    return 0;
}

size_t wfpw_devring_pop(struct wfpw_devring *r, uint8_t *out, size_t outlen)
{
    size_t n = 0;
    while (r->rpos < r->wpos) {
        const uint8_t *p = r->buf + r->rpos % r->cap;
        size_t size = wfpw__get16(p);
        if (p[2] == WFPW_DEV_REC_PAD) {
            r->rpos += size;
            continue;
        }
        if (size > outlen - n)
            break;
        memcpy(out + n, p, size);
        n += size;
        r->rpos += size;
        r->delivered++;
    }
    return n;
}
