/*
 * devring.h — the bounded byte ring between the driver's classify functions (producers) and
 * the READ completions that drain it (consumer). Portable C, compiled into the driver (ring
 * memory: one nonpaged allocation at load) and tested natively, with threads under
 * ThreadSanitizer, in tests/agent/driver/.
 *
 * Not thread-safe by itself: every call is made with the caller's lock held (the driver's
 * spinlock, a mutex in the tests), and the lock is held only for the copy in or out.
 *
 * Overflow policy: drop-newest. A record that does not fit is refused and counted, but it
 * still consumes its sequence number, so the reader sees the gap where it happened. Dropping
 * the oldest instead would let a flood (an attacker's or a scan's) erase the first blocks of
 * an attack — the evidence that matters most — and would make the producer move the
 * consumer's read position.
 */
#ifndef WFPW_DEVRING_H
#define WFPW_DEVRING_H

#include <stddef.h>
#include <stdint.h>

#include "devrec.h"

struct wfpw_devring {
    uint8_t *buf;                /* borrowed: the caller allocates and frees it */
    uint32_t cap;                /* bytes, a multiple of 8, at least 2 * WFPW_DEV_RECORD_MAX */
    uint64_t wpos, rpos;         /* bytes ever written / read; index = pos % cap */
    uint64_t next_seq;           /* sequence number of the next record offered */
    uint64_t dropped;            /* records refused: ring full */
    uint64_t delivered;          /* records copied out */
    uint64_t truncated;          /* records whose path was cut */
};

/* cap is rounded down to a multiple of 8; WFPW_EINVAL when it is below 2 * WFPW_DEV_RECORD_MAX. */
int wfpw_devring_init(struct wfpw_devring *r, uint8_t *mem, size_t cap);
/* Offer one record: 0 stored, WFPW_ENOSPC refused (counted in dropped). */
int wfpw_devring_push(struct wfpw_devring *r, const struct wfpw_devrec_in *in);
/* Move as many whole records as fit into out[0..outlen); returns the bytes written (0 when
 * the ring is empty or the next record does not fit: outlen >= WFPW_DEV_RECORD_MAX always
 * makes progress). */
size_t wfpw_devring_pop(struct wfpw_devring *r, uint8_t *out, size_t outlen);
/* Bytes in use. */
static inline uint64_t wfpw_devring_used(const struct wfpw_devring *r) { return r->wpos - r->rpos; }

#endif /* WFPW_DEVRING_H */
