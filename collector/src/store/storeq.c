/*
 * storeq.c — store thread and bounded job queue (see storeq.h).
 */
#include "store/storeq.h"

#include "wfpw/errors.h"

#define GROUP_MAX 64

static struct {
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
    void (*stop_cb)(void);
} q;

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
    (void)arg;
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

        uv_mutex_lock(&q.lock);
        for (i = 0; i < n; i++) {
            group[i]->latency_us = (uv_hrtime() - group[i]->submitted_ns) / 1000;
            append(&q.done_head, &q.done_tail, group[i]);
        }
        uv_mutex_unlock(&q.lock);
        uv_async_send(&q.async);
    }
}

static void on_async_close(uv_handle_t *h)
{
    (void)h;
    if (q.stop_cb)
        q.stop_cb();
}

/* Takes the completed jobs and runs their done callbacks (loop thread). */
static void complete_all(void)
{
    struct wfpw_sjob *j, *next;
    uv_mutex_lock(&q.lock);
    j = q.done_head;
    q.done_head = q.done_tail = NULL;
    uv_mutex_unlock(&q.lock);
    for (; j; j = next) {
        next = j->next;
        j->done(j);
    }
}

static void on_async(uv_async_t *a)
{
    int finished;
    (void)a;
    uv_mutex_lock(&q.lock);
    finished = q.stopping && q.head == NULL;
    uv_mutex_unlock(&q.lock);
    complete_all();
    if (finished && q.started) {
        q.started = 0;
        uv_thread_join(&q.thread);
        complete_all(); /* anything completed between the check and the join */
        uv_close((uv_handle_t *)&q.async, on_async_close);
    }
}

int wfpw_storeq_start(uv_loop_t *loop, struct wfpw_store *st, size_t max_jobs, size_t reserve)
{
    q.loop = loop;
    q.st = st;
    q.max = max_jobs;
    q.reserve = reserve < max_jobs ? reserve : max_jobs - 1;
    if (uv_mutex_init(&q.lock) || uv_cond_init(&q.cond) || uv_async_init(loop, &q.async, on_async))
        return WFPW_EIO;
    if (uv_thread_create(&q.thread, thread_main, NULL) != 0)
        return WFPW_EIO;
    q.started = 1;
    return 0;
}

int wfpw_storeq_submit(struct wfpw_sjob *job, enum wfpw_sq_class cls)
{
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
}

size_t wfpw_storeq_depth(void)
{
    size_t d;
    uv_mutex_lock(&q.lock);
    d = q.depth;
    uv_mutex_unlock(&q.lock);
    return d;
}

void wfpw_storeq_stop(void (*cb)(void))
{
    uv_mutex_lock(&q.lock);
    q.stopping = 1;
    q.stop_cb = cb;
    uv_cond_signal(&q.cond);
    uv_mutex_unlock(&q.lock);
    uv_async_send(&q.async); /* finishes at once when nothing is queued */
}
