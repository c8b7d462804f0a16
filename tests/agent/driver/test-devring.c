/*
 * test-devring.c — agent/driver/shared/devring.c on one thread: records wrap around the end
 * of the buffer behind PAD fillers, a full ring refuses the newest record and counts it while
 * its sequence number still shows as a gap, pops fill a buffer with whole records only, and a
 * reader sees each stored record exactly once. (tests/agent/driver/stress-devring.c is the
 * multi-producer test under ThreadSanitizer.)
 */
#include "../../runner.h"
#include "devring.h"
#include "drvtest.h"
#include "wfpw/errors.h"

#define CAP (3 * WFPW_DEV_RECORD_MAX + 40)

/* parse every record of out[0..n); check seqs against the tracker; returns records or -1 */
static int drain(struct wfpw_devring *r, struct wfpw_devseq *s, size_t outlen, uint64_t *missing_seen)
{
    static uint8_t out[4 * WFPW_DEV_RECORD_MAX];
    size_t n = wfpw_devring_pop(r, out, outlen), off = 0, used;
    int count = 0;
    while (off < n) {
        struct wfpw_devrec rec;
        int64_t gap;
        if (wfpw_devrec_parse(out + off, n - off, &rec, &used) != 0)
            return -1;
        if ((gap = wfpw_devseq_next(s, rec.seq)) < 0)
            return -1;
        *missing_seen += (uint64_t)gap;
        off += used, count++;
    }
    return count;
}

TEST_IMPL(devring_wrap_overflow_exactly_once)
{
    static uint8_t mem[CAP];
    uint8_t path[2 * 600];
    struct wfpw_devring r;
    struct wfpw_devrec_in in;
    struct wfpw_devseq s = {0, 0};
    uint64_t missing = 0, stored = 0, offered = 0;
    int i, got, total = 0;

    ASSERT_EQ(wfpw_devring_init(&r, mem, 2 * WFPW_DEV_RECORD_MAX - 8), WFPW_EINVAL);
    ASSERT_EQ(wfpw_devring_init(&r, mem, CAP + 5), 0);
    ASSERT_EQ(r.cap, CAP);  /* rounded down to a multiple of 8 */

    /* many rounds of: push a varying number of records of varying sizes, pop some */
    for (i = 0; i < 2000; i++) {
        int k, burst = 1 + i % 5;
        for (k = 0; k < burst; k++) {
            drvtest_in(&in, path, (size_t)((i * 37 + k * 101) % 600), "C:\\Program Files\\App\\a.exe");
            offered++;
            if (wfpw_devring_push(&r, &in) == 0)
                stored++;
            ASSERT(wfpw_devring_used(&r) <= r.cap);
        }
        /* a reader buffer of one maximum record, or room for several */
        got = drain(&r, &s, i % 3 ? WFPW_DEV_RECORD_MAX : 4 * WFPW_DEV_RECORD_MAX, &missing);
        ASSERT(got >= 0);
        total += got;
    }
    while ((got = drain(&r, &s, WFPW_DEV_RECORD_MAX, &missing)) > 0)
        total += got;
    ASSERT_EQ(got, 0);
    ASSERT_EQ(wfpw_devring_used(&r), 0);
    ASSERT_EQ((uint64_t)total, stored);
    ASSERT_EQ(r.delivered, stored);
    ASSERT(r.dropped > 0);               /* the bursts overflowed the small ring */
    ASSERT_EQ(stored + r.dropped, offered);
    ASSERT_EQ(r.next_seq - 1, offered);   /* refused records still took their number */
    /* every gap the reader saw is a drop, except drops after the last stored record */
    ASSERT(missing <= r.dropped);
    ASSERT_EQ(missing + (offered - s.last), r.dropped);
    ASSERT(r.wpos > 3 * (uint64_t)r.cap); /* wrapped several times */
    return 0;
}

TEST_IMPL(devring_pop_whole_records_only)
{
    static uint8_t mem[4 * WFPW_DEV_RECORD_MAX];
    uint8_t path[WFPW_DEV_PATH_MAX], out[1024];
    struct wfpw_devring r;
    struct wfpw_devrec_in in;
    size_t n;
    ASSERT_EQ(wfpw_devring_init(&r, mem, sizeof(mem)), 0);
    drvtest_in(&in, path, 20, "lsass.exe");  /* 152-byte records */
    ASSERT_EQ(wfpw_devrec_size(&in), 152);
    ASSERT_EQ(wfpw_devring_push(&r, &in), 0);
    ASSERT_EQ(wfpw_devring_push(&r, &in), 0);
    ASSERT_EQ(wfpw_devring_push(&r, &in), 0);
    ASSERT_EQ(wfpw_devring_pop(&r, out, 151), 0);   /* too small for one: no progress, no loss */
    ASSERT_EQ(wfpw_devring_pop(&r, out, 400), 304);  /* two whole records, not two and a half */
    ASSERT_EQ(wfpw_devring_pop(&r, out, sizeof(out)), 152);
    ASSERT_EQ(wfpw_devring_pop(&r, out, sizeof(out)), 0);
    n = r.delivered;
    ASSERT_EQ(n, 3);
    /* a ring exactly full refuses the next one */
    ASSERT_EQ(wfpw_devring_init(&r, mem, 2 * WFPW_DEV_RECORD_MAX), 0);
    drvtest_in(&in, path, WFPW_DEV_PATH_MAX / 2, "x");
    ASSERT_EQ(wfpw_devring_push(&r, &in), 0);
    ASSERT_EQ(wfpw_devring_push(&r, &in), 0);
    ASSERT_EQ(wfpw_devring_push(&r, &in), WFPW_ENOSPC);
    ASSERT_EQ(r.dropped, 1);
    return 0;
}
