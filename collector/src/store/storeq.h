/*
 * storeq.h — the store threads: every SQLite call of the serving collector runs on the writer
 * thread or (read-only API queries) the reader thread, each fed by a bounded job queue, so the
 * event loop never waits on disk.
 *
 * The loop submits jobs; a full queue refuses with WFPW_EAGAIN (the route answers 429 with
 * Retry-After); part of the queue is kept for ingest (enum wfpw_sq_class). Consecutive ingest jobs are committed together in one transaction (group
 * commit: one fsync for many batches, each batch still all-or-nothing). Completed jobs come
 * back to the loop through a uv_async, where job->done runs. Ownership: the submitter owns
 * the job; it must stay valid until done() was called.
 */
#ifndef WFPW_STOREQ_H
#define WFPW_STOREQ_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "store/store.h"

struct wfpw_sjob;
typedef void (*wfpw_sjob_run_fn)(struct wfpw_store *st, struct wfpw_sjob *job); /* store thread */
typedef void (*wfpw_sjob_done_fn)(struct wfpw_sjob *job);                        /* loop thread */

struct wfpw_sjob {
    wfpw_sjob_run_fn run;          /* NULL for ingest jobs */
    wfpw_sjob_done_fn done;
    struct wfpw_ingest *ingest;    /* non-NULL: an ingest job, grouped with its neighbours */
    uint64_t submitted_ns;
    uint64_t latency_us;           /* set before done() */
    struct wfpw_sjob *next;        /* queue link (private) */
};

/* Who may take a place in the queue: ingest may fill it; API reads and enrollment may fill it
 * only up to max_jobs - reserve, so readers can never keep agents out; internal maintenance
 * (retention, silent hosts, the token refresh) is never refused. */
enum wfpw_sq_class { WFPW_SQ_INGEST, WFPW_SQ_API, WFPW_SQ_FORCE,
                     WFPW_SQ_READ /* a read-only API job: the reader's queue when it runs */ };

/* reserve: places kept for ingest (at least 1 when max_jobs > 1). */
int wfpw_storeq_start(uv_loop_t *loop, struct wfpw_store *st, size_t max_jobs, size_t reserve);
/* Optional: a second thread with its own read-only connection (wfpw_store_opts.readonly) for
 * WFPW_SQ_READ jobs, in a queue of its own (max_jobs places), so that SIEM queries neither wait
 * behind ingest commits nor take places from it. With SQLite in WAL mode a reader sees the
 * writer's last commit and never blocks it. Without it, READ jobs are API jobs of the writer. */
int wfpw_storeq_start_reader(uv_loop_t *loop, struct wfpw_store *reader, size_t max_jobs);
/* 0, or WFPW_EAGAIN when the job's class has no place (answer 429), WFPW_ECLOSED when stopping. */
int wfpw_storeq_submit(struct wfpw_sjob *job, enum wfpw_sq_class cls);
size_t wfpw_storeq_depth(void);
/* Run everything queued, stop the thread, and close the async handle; cb runs on the loop
 * once all of it is done. */
void wfpw_storeq_stop(void (*cb)(void));

#endif
