/*
 * storeq.c — the store threads and their bounded job queues (see storeq.h): the writer, and,
 * when started, the reader that serves the API's queries on its own connection.
 */
#include "store/storeq.h"

#include "wfpw/errors.h"

#define GROUP_MAX 64

struct sq {
    uv_loop_t *loop;
    struct wfpw_store *st;
    uv_thread_t thread;
    uv_mutex_t lock;
    uv_cond_t cond;
    uv_async_t async;
    struct wfpw_sjob *head, *tail;      /* pending */
    struct wfpw_sjob *done_head, *done_tail;
    size_t depth, max, reserve;
    int stopping, started;
};

static struct sq W, R;           /* the writer; the reader (R.started: it runs) */
static void (*stop_cb)(void);
static int open_queues;          /* async handles not yet closed at stop */

static void append(struct wfpw_sjob **head, struct wfpw_sjob **tail, struct wfpw_sjob *j)
{
    j->next = NULL;
    if (*tail)
        (*tail)->next = j;
    else
        *head = j;
    *tail = j;
}

static void thread_main(void *arg)
{
    struct sq *qp = arg;
#define q (*qp)
    for (;;) {
        struct wfpw_sjob *group[GROUP_MAX], *j;
        struct wfpw_ingest *items[GROUP_MAX];
        size_t n = 0, i;

        uv_mutex_lock(&q.lock);
        while (q.head == NULL && !q.stopping)
            uv_cond_wait(&q.cond, &q.lock);
        if (q.head == NULL && q.stopping) {
            uv_mutex_unlock(&q.lock);
            break;
        }
        /* take one job, or a run of consecutive ingest jobs */
        do {
            j = q.head;
            q.head = j->next;
            if (q.head == NULL)
                q.tail = NULL;
            q.depth--;
            group[n++] = j;
        } while (j->ingest && q.head && q.head->ingest && n < GROUP_MAX);
        uv_mutex_unlock(&q.lock);

        if (group[0]->ingest) {
            int rc;
            for (i = 0; i < n; i++)
                items[i] = group[i]->ingest;
            rc = wfpw_store_ingest(q.st, items, n);
            if (rc != 0)
                for (i = 0; i < n; i++)
                    items[i]->rc = rc, items[i]->accepted = 0, items[i]->duplicate = 0;
        } else {
            group[0]->run(q.st, group[0]);
        }
        wfpw_store_release(q.st);

        uv_mutex_lock(&q.lock);
        for (i = 0; i < n; i++) {
            group[i]->latency_us = (uv_hrtime() - group[i]->submitted_ns) / 1000;
            append(&q.done_head, &q.done_tail, group[i]);
        }
        uv_mutex_unlock(&q.lock);
        uv_async_send(&q.async);
    }
#undef q
}

static void on_async_close(uv_handle_t *h)
{
    (void)h;
    if (--open_queues == 0 && stop_cb)
        stop_cb();
}

/* Takes the completed jobs and runs their done callbacks (loop thread). */
static void complete_all(struct sq *qp)
{
#define q (*qp)
    struct wfpw_sjob *j, *next;
    uv_mutex_lock(&q.lock);
    j = q.done_head;
    q.done_head = q.done_tail = NULL;
    uv_mutex_unlock(&q.lock);
    for (; j; j = next) {
        next = j->next;
        j->done(j);
    }
#undef q
}

static void on_async(uv_async_t *a)
{
    struct sq *qp = a->data;
#define q (*qp)
    int finished;
    uv_mutex_lock(&q.lock);
    finished = q.stopping && q.head == NULL;
    uv_mutex_unlock(&q.lock);
    complete_all(qp);
    if (finished && q.started) {
        q.started = 0;
        uv_thread_join(&q.thread);
        complete_all(qp); /* anything completed between the check and the join */
        uv_close((uv_handle_t *)&q.async, on_async_close);
    }
#undef q
}

static int start(struct sq *qp, uv_loop_t *loop, struct wfpw_store *st, size_t max_jobs, size_t reserve)
{
    qp->loop = loop;
    qp->st = st;
    qp->max = max_jobs;
    qp->reserve = reserve < max_jobs ? reserve : max_jobs - 1;
    qp->async.data = qp;
    if (uv_mutex_init(&qp->lock) || uv_cond_init(&qp->cond) || uv_async_init(loop, &qp->async, on_async))
        return WFPW_EIO;
    open_queues++;
    if (uv_thread_create(&qp->thread, thread_main, qp) != 0)
        return WFPW_EIO;
    qp->started = 1;
    return 0;
}

int wfpw_storeq_start(uv_loop_t *loop, struct wfpw_store *st, size_t max_jobs, size_t reserve)
{
    return start(&W, loop, st, max_jobs, reserve);
}

int wfpw_storeq_start_reader(uv_loop_t *loop, struct wfpw_store *reader, size_t max_jobs)
{
    return start(&R, loop, reader, max_jobs, 0);
}

int wfpw_storeq_submit(struct wfpw_sjob *job, enum wfpw_sq_class cls)
{
    struct sq *qp = &W;
#define q (*qp)
    if (cls == WFPW_SQ_READ) { /* to the reader when it runs, else as an API job of the writer */
        if (R.started)
            qp = &R;
        cls = WFPW_SQ_API;
    }
    uv_mutex_lock(&q.lock);
    if (q.stopping) {
        uv_mutex_unlock(&q.lock);
        return WFPW_ECLOSED;
    }
    if ((cls == WFPW_SQ_INGEST && q.depth >= q.max) || (cls == WFPW_SQ_API && q.depth >= q.max - q.reserve)) {
        uv_mutex_unlock(&q.lock);
        return WFPW_EAGAIN;
    }
    job->submitted_ns = uv_hrtime();
    append(&q.head, &q.tail, job);
    q.depth++;
    uv_cond_signal(&q.cond);
    uv_mutex_unlock(&q.lock);
    return 0;
#undef q
}

size_t wfpw_storeq_depth(void)
{
    size_t d;
    uv_mutex_lock(&W.lock);
    d = W.depth;
    uv_mutex_unlock(&W.lock);
    if (R.started) {
        uv_mutex_lock(&R.lock);
        d += R.depth;
        uv_mutex_unlock(&R.lock);
    }
    return d;
}

static void stop(struct sq *qp)
{
    uv_mutex_lock(&qp->lock);
    qp->stopping = 1;
    uv_cond_signal(&qp->cond);
    uv_mutex_unlock(&qp->lock);
    uv_async_send(&qp->async); /* finishes at once when nothing is queued */
}

void wfpw_storeq_stop(void (*cb)(void))
{
    stop_cb = cb;
    if (R.started)
        stop(&R);
    stop(&W);
}
