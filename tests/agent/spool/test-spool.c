/*
 * test-spool.c — agent/src/spool/spool.c: append/read/ack, sequence numbers across reopen,
 * positions, the byte bound with exact drop counts, recovery from a torn tail and from
 * flipped bytes, the batch in flight surviving a restart, and crc32c's check value.
 */
#include "../../runner.h"
#include "crc32c.h"
#include "wfpw/fileio.h"
#include "spool.h"
#include "agent/core/tmpdir.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#include <inttypes.h>


static int append_n(struct wfpw_spool *sp, unsigned n, uint32_t src, uint64_t pos0)
{
    unsigned i;
    for (i = 0; i < n; i++) {
        char ev[128];
        uint64_t seq = wfpw_spool_next_seq(sp);
        int len = snprintf(ev, sizeof(ev), "{\"seq\":%" PRIu64 ",\"pad\":\"%040u\"}", seq, i);
        int rc = wfpw_spool_append(sp, seq, src, pos0 ? pos0 + i : 0, ev, (size_t)len, 1000 + i);
        if (rc != 0)
            return rc;
    }
    return 0;
}

struct collect {
    uint64_t seqs[4096];
    size_t n, stop_after;
};

static int collect_cb(void *ctx, const struct wfpw_spool_rec *r)
{
    struct collect *c = ctx;
    char want[32];
    if (c->stop_after && c->n == c->stop_after)
        return 1;
    snprintf(want, sizeof(want), "{\"seq\":%" PRIu64 ",", r->seq);
    if (r->len < strlen(want) || memcmp(r->json, want, strlen(want)) != 0)
        return -100;
    c->seqs[c->n++] = r->seq;
    return 0;
}

static struct wfpw_spool *open_sp(const char *dir, uint64_t max, struct wfpw_spool_recovery *rec)
{
    struct wfpw_spool_opts o = {0};
    struct wfpw_spool *sp = NULL;
    o.dir = dir, o.max_bytes = max, o.segment_bytes = 4096, o.fsync = WFPW_SPOOL_FSYNC_COMMIT;
    if (wfpw_spool_open(&o, 5000, &sp, rec) != 0)
        return NULL;
    return sp;
}

TEST_IMPL(spool_crc32c_check_value)
{
    ASSERT_EQ(wfpw_crc32c(0, "123456789", 9), 0xE3069283u);
    ASSERT_EQ(wfpw_crc32c(wfpw_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
    return 0;
}

/* Bit at a time, the definition: the reference for the instruction and the tables. */
static uint32_t crc32c_bitwise(uint32_t crc, const unsigned char *p, size_t n)
{
    int k;
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* Every length 0..300 at every alignment 0..7, chained in two parts: the instruction's 8-byte
 * steps, its tail, and the tables' 4-byte steps agree with the definition; where the processor
 * has the instruction, it is checked directly too. */
TEST_IMPL(spool_crc32c_lengths_and_alignments)
{
    static unsigned char buf[320];
    size_t i, off, n, cut;
    for (i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 131u + 7u);
    for (off = 0; off < 8; off++)
        for (n = 0; n <= 300; n++) {
            uint32_t want = crc32c_bitwise(0, buf + off, n);
            ASSERT_EQ(wfpw_crc32c(0, buf + off, n), want);
            cut = n / 3;
            ASSERT_EQ(wfpw_crc32c(wfpw_crc32c(0, buf + off, cut), buf + off + cut, n - cut), want);
            if (wfpw__crc32c_hw_ok())
                ASSERT_EQ(~wfpw__crc32c_hw(~0u, buf + off, n), want);
        }
    return 0;
}

TEST_IMPL(spool_append_read_ack_reopen)
{
    const char *dir = wfpw_test_tmpdir("spool-basic");
    struct wfpw_spool_recovery rec;
    struct wfpw_spool_stats st;
    struct wfpw_spool *sp;
    struct collect c;
    uint64_t resume, spooled;
    ASSERT((sp = open_sp(dir, 1 << 20, &rec)) != NULL);
    ASSERT_EQ(wfpw_spool_next_seq(sp), 1);
    ASSERT(append_n(sp, 300, 1, 1) == 0);
    ASSERT(wfpw_spool_commit(sp, 1, 301) == 0);
    ASSERT(wfpw_spool_append(sp, 7, 0, 0, "{}", 2, 1) == WFPW_EINVAL); /* wrong seq */
    memset(&c, 0, sizeof(c));
    c.stop_after = 100;
    ASSERT_EQ(wfpw_spool_read(sp, 1, collect_cb, &c), 100);
    ASSERT_EQ(c.seqs[0], 1);
    ASSERT_EQ(c.seqs[99], 100);
    ASSERT(wfpw_spool_ack(sp, 100) == 0);
    c.n = 0, c.stop_after = 0;
    ASSERT_EQ(wfpw_spool_read(sp, 101, collect_cb, &c), 200);
    ASSERT_EQ(c.seqs[199], 300);
    wfpw_spool_stats(sp, &st);
    ASSERT_EQ(st.unacked, 200);
    ASSERT(st.segments > 2); /* 4 KiB segments rotate */
    wfpw_spool_close(sp);

    /* reopen: unacked events still there, seq continues, positions recovered */
    ASSERT((sp = open_sp(dir, 1 << 20, &rec)) != NULL);
    ASSERT_EQ(rec.events, 200);
    ASSERT_EQ(rec.torn_bytes, 0);
    ASSERT_STR_EQ(rec.detail, "");
    ASSERT_EQ(wfpw_spool_next_seq(sp), 301);
    wfpw_spool_position(sp, 1, &resume, &spooled);
    ASSERT_EQ(resume, 301);
    ASSERT_EQ(spooled, 300);
    c.n = 0;
    ASSERT_EQ(wfpw_spool_read(sp, 101, collect_cb, &c), 200);
    ASSERT(wfpw_spool_ack(sp, 300) == 0);
    wfpw_spool_stats(sp, &st);
    ASSERT_EQ(st.unacked, 0);
    ASSERT_EQ(st.segments, 0);   /* all acked, nothing active yet */
    wfpw_spool_close(sp);

    /* everything acked and deleted: seq and positions still continue */
    ASSERT((sp = open_sp(dir, 1 << 20, &rec)) != NULL);
    ASSERT_EQ(wfpw_spool_next_seq(sp), 301);
    wfpw_spool_position(sp, 1, &resume, &spooled);
    ASSERT_EQ(resume, 301);
    ASSERT_EQ(spooled, 300);
    wfpw_spool_close(sp);
    return 0;
}

TEST_IMPL(spool_bound_drops_counted)
{
    const char *dir = wfpw_test_tmpdir("spool-bound");
    struct wfpw_spool_stats st;
    struct wfpw_spool *sp;
    struct collect c;
    uint64_t dropped;
    ASSERT((sp = open_sp(dir, 4 * 65536, NULL)) != NULL);
    ASSERT(append_n(sp, 4000, 1, 1) == 0);  /* ~400 KiB into a 256 KiB spool */
    wfpw_spool_stats(sp, &st);
    ASSERT(st.bytes <= 4 * 65536);
    ASSERT(st.dropped > 0);
    dropped = wfpw_spool_take_dropped(sp);
    ASSERT_EQ(dropped, st.dropped);
    ASSERT_EQ(wfpw_spool_take_dropped(sp), 0);
    memset(&c, 0, sizeof(c));
    ASSERT(wfpw_spool_read(sp, 1, collect_cb, &c) > 0);
    /* exactly: what is readable + what was dropped = what was appended; and the oldest went */
    ASSERT_EQ(c.n + dropped, 4000);
    ASSERT_EQ(c.seqs[0], dropped + 1);
    ASSERT_EQ(c.seqs[c.n - 1], 4000);
    wfpw_spool_close(sp);
    return 0;
}

static void corrupt(const char *dir, int flip)
{
    char **names, p[800];
    size_t n, i;
    int fd = -1;
    int64_t size;
    ASSERT(wfpw_dir_list(dir, &names, &n) == 0);
    for (i = n; i-- > 0;)
        if (strncmp(names[i], "seg-", 4) == 0)
            break;
    snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
    wfpw_free(names);
    ASSERT(wfpw_file_open(p, WFPW_FILE_WRITE, &fd) == 0);
    size = wfpw_file_size(fd);
    if (flip) {
        char b = 0x5a;
        ASSERT(wfpw_file_write(fd, &b, 1, size - 30) == 0);
    } else {
        ASSERT(wfpw_file_truncate(fd, size - 7) == 0);
    }
    wfpw_file_close(fd);
}

TEST_IMPL(spool_recovers_torn_and_corrupt_tail)
{
    const char *dir = wfpw_test_tmpdir("spool-torn");
    struct wfpw_spool_recovery rec;
    struct wfpw_spool *sp;
    struct collect c;
    int round;
    for (round = 0; round < 2; round++) {
        uint64_t before;
        ASSERT((sp = open_sp(dir, 1 << 20, &rec)) != NULL);
        before = wfpw_spool_next_seq(sp);
        ASSERT(append_n(sp, 50, 1, 1) == 0);
        wfpw_spool_close(sp);
        corrupt(dir, round);
        ASSERT((sp = open_sp(dir, 1 << 20, &rec)) != NULL);
        ASSERT(rec.torn_bytes > 0);
        ASSERT(strstr(rec.detail, round ? "checksum mismatch" : "torn record") != NULL);
        ASSERT_EQ(rec.corrupt_records, (uint64_t)round);
        /* the last event was cut; every one before it is delivered; its seq is not reused
         * (the state file had recorded it as assigned) */
        ASSERT_EQ(wfpw_spool_next_seq(sp), before + 50);
        memset(&c, 0, sizeof(c));
        ASSERT_EQ(wfpw_spool_read(sp, before, collect_cb, &c), 49);
        ASSERT(wfpw_spool_ack(sp, before + 48) == 0);
        ASSERT(append_n(sp, 1, 1, 0) == 0); /* the next round starts from a fresh seq */
        wfpw_spool_close(sp);
    }
    return 0;
}

TEST_IMPL(spool_inflight_survives_restart)
{
    const char *dir = wfpw_test_tmpdir("spool-inflight");
    struct wfpw_spool_inflight in, got;
    struct wfpw_spool *sp;
    ASSERT((sp = open_sp(dir, 1 << 20, NULL)) != NULL);
    ASSERT(append_n(sp, 20, 0, 0) == 0);
    memset(&in, 0, sizeof(in));
    strcpy(in.batch_id, "6f1c2b7e-0a4d-4c3e-9b8f-1d2e3f4a5b6c");
    in.first_seq = 1, in.last_seq = 10;
    ASSERT(wfpw_spool_set_inflight(sp, &in) == 0);
    wfpw_spool_close(sp);
    ASSERT((sp = open_sp(dir, 1 << 20, NULL)) != NULL);
    wfpw_spool_get_inflight(sp, &got);
    ASSERT_STR_EQ(got.batch_id, in.batch_id);
    ASSERT_EQ(got.first_seq, 1);
    ASSERT_EQ(got.last_seq, 10);
    ASSERT(wfpw_spool_ack(sp, 10) == 0);
    wfpw_spool_get_inflight(sp, &got);
    ASSERT_STR_EQ(got.batch_id, "");
    wfpw_spool_close(sp);
    return 0;
}
