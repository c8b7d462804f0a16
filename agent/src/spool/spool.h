/*
 * spool.h — the agent's durable queue: every event is on disk before it counts as taken
 * from its source, and leaves only when the collector acknowledged it.
 *
 * Layout (docs/internals/SPOOL.md): <dir>/seg-<16 hex>.wfs segment files, each a 16-byte
 * header (magic "WFPWSPL1", version, segment number) then records framed as
 * u32 length | u32 CRC-32C(payload) | payload; payload = u8 type, 3 reserved, u32 source,
 * u64 seq, u64 position, data. Types: EVENT (data = the event's canonical JSON) and COMMIT
 * (a source's resume position; no data). <dir>/state.json (replaced atomically) holds what
 * does not live in records: acknowledged seq, the batch in flight, positions, drop counts.
 *
 * Sequence numbers are assigned here, contiguous and strictly increasing across restarts.
 * Bounded by bytes: an append that passes max_bytes deletes the oldest segments (never the
 * one being written), and the unacknowledged events lost with them are counted
 * (wfpw_spool_stats.dropped, and take_dropped for the next report) — never a silent loss.
 * Recovery at open reads every segment, truncates a torn or corrupt tail (reported in
 * wfpw_spool_recovery), and appends go to a fresh segment.
 *
 * Single-threaded: the agent's loop thread owns the spool.
 */
#ifndef WFPW_SPOOL_H
#define WFPW_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define WFPW_SPOOL_MAX_SOURCES 64
#define WFPW_SPOOL_MAX_RECORD  (4u << 20)   /* payload bytes */

enum wfpw_spool_fsync {
    WFPW_SPOOL_FSYNC_COMMIT = 0,  /* before a source position advances and before shipping */
    WFPW_SPOOL_FSYNC_ALWAYS = 1,  /* after every append */
    WFPW_SPOOL_FSYNC_OFF = 2      /* leave it to the OS (a power cut may lose recent events) */
};

struct wfpw_spool_opts {
    const char *dir;              /* created when missing (0700) */
    uint64_t max_bytes;           /* bound on all segments together */
    uint64_t segment_bytes;       /* rotate at this size; 0: max_bytes / 16, 64 KiB..16 MiB */
    enum wfpw_spool_fsync fsync;
};

struct wfpw_spool_recovery {
    uint64_t segments;            /* segment files read */
    uint64_t events;              /* unacknowledged events found */
    uint64_t torn_bytes;          /* bytes cut from segment tails (torn or corrupt) */
    uint64_t corrupt_records;     /* records whose CRC, length or order was wrong */
    uint64_t bad_segments;        /* files set aside as *.corrupt (bad header) */
    char detail[256];             /* first problem, for the log; "" when clean */
};

struct wfpw_spool_stats {
    uint64_t bytes;               /* on disk, all segments */
    uint64_t segments;
    uint64_t unacked;             /* events appended and not yet acknowledged */
    uint64_t appended;            /* events appended since open */
    uint64_t dropped;             /* events lost to the byte bound since open */
    uint64_t dropped_bytes;
    int64_t oldest_unacked_ms;    /* append time of the oldest unacknowledged event known
                                     this run (0 when none; recovered events: open time) */
    uint64_t fsyncs;
};

/* The batch the shipper has cut but not had acknowledged; survives restarts so the retry
 * after a crash carries the same id (the collector deduplicates by batch id). */
struct wfpw_spool_inflight {
    char batch_id[40];            /* "" when none */
    uint64_t first_seq, last_seq;
};

/* One record handed to wfpw_spool_read's callback; json is valid during the call only. */
struct wfpw_spool_rec {
    uint64_t seq;
    const char *json;
    size_t len;
};
/* Return 0 to continue, 1 to stop before this record (it is not consumed), <0 to abort. */
typedef int (*wfpw_spool_read_cb)(void *ctx, const struct wfpw_spool_rec *rec);

struct wfpw_spool;

/* Open (and recover) the spool; now_ms stamps recovered events. On success *out is owned by
 * the caller (wfpw_spool_close). rec may be NULL. */
int wfpw_spool_open(const struct wfpw_spool_opts *opts, int64_t now_ms, struct wfpw_spool **out,
                    struct wfpw_spool_recovery *rec);
/* Flush, persist state, close. Safe with NULL. */
void wfpw_spool_close(struct wfpw_spool *sp);

/* The seq the next appended event must carry. */
uint64_t wfpw_spool_next_seq(const struct wfpw_spool *sp);
/* Append one event whose JSON carries seq == wfpw_spool_next_seq(). source 1..MAX (0: the
 * agent itself), pos its position at the source (0: none). Data is buffered; see flush.
 * WFPW_EINVAL on a wrong seq, WFPW_ETOOBIG over WFPW_SPOOL_MAX_RECORD, I/O errors. */
int wfpw_spool_append(struct wfpw_spool *sp, uint64_t seq, uint32_t source, uint64_t pos,
                      const char *json, size_t len, int64_t now_ms);
/* Record that source may resume at pos (every event before it is appended or held nowhere),
 * and make it durable per the fsync policy. */
int wfpw_spool_commit(struct wfpw_spool *sp, uint32_t source, uint64_t pos);
/* Write buffered records; sync = 1 also fsyncs (unless the policy is OFF). */
int wfpw_spool_flush(struct wfpw_spool *sp, int sync);
/* Where source resumes and the highest position of its events already in the spool (both 0
 * when unknown). */
void wfpw_spool_position(const struct wfpw_spool *sp, uint32_t source, uint64_t *resume, uint64_t *spooled);

/* Read durable events with seq >= from_seq in order (flushing and syncing first), calling cb
 * for each until it returns non-zero or the end is reached. Returns the number consumed or
 * an error. Events lost to the bound are skipped silently here (they are counted). */
int64_t wfpw_spool_read(struct wfpw_spool *sp, uint64_t from_seq, wfpw_spool_read_cb cb, void *ctx);
/* Seq of the last appended event (0 if none yet) and the first not yet acknowledged. */
uint64_t wfpw_spool_last_seq(const struct wfpw_spool *sp);
uint64_t wfpw_spool_acked(const struct wfpw_spool *sp);

/* Everything up to and including seq is acknowledged: release it and persist. */
int wfpw_spool_ack(struct wfpw_spool *sp, uint64_t seq);
/* Persist (or clear, with NULL) the batch in flight. */
int wfpw_spool_set_inflight(struct wfpw_spool *sp, const struct wfpw_spool_inflight *in);
void wfpw_spool_get_inflight(const struct wfpw_spool *sp, struct wfpw_spool_inflight *out);

void wfpw_spool_stats(const struct wfpw_spool *sp, struct wfpw_spool_stats *out);
/* Events dropped since the last call (for the agent_status report); resets the counter. */
uint64_t wfpw_spool_take_dropped(struct wfpw_spool *sp);

#endif
