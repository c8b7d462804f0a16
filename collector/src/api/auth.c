/*
 * auth.c — the in-memory API token set (auth.h). Sorted hex hashes; binary search.
 */
#include "api/auth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/routes.h"
#include "core/metrics.h"
#include "store/storeq.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"

static struct {
    char (*hashes)[65];          /* owned, sorted */
    size_t n;
    int loaded;
    uv_timer_t timer;
    int timer_on, job_busy;
} A;

struct refresh_job {
    struct wfpw_sjob job;
    char (*hashes)[65];
    size_t n;
    int rc;
};

static void install(char (*hashes)[65], size_t n)
{
    wfpw_free(A.hashes);
    A.hashes = hashes;
    A.n = n;
    A.loaded = 1;
}

int wfpw_auth_load(struct wfpw_store *st)
{
    char(*h)[65];
    size_t n;
    int rc = wfpw_store_token_hashes(st, &h, &n);
    if (rc == 0)
        install(h, n);
    return rc;
}

static void refresh_run(struct wfpw_store *st, struct wfpw_sjob *j)
{
    struct refresh_job *r = (struct refresh_job *)j;
    r->rc = wfpw_store_token_hashes(st, &r->hashes, &r->n);
}

static void refresh_done(struct wfpw_sjob *j)
{
    struct refresh_job *r = (struct refresh_job *)j;
    A.job_busy = 0;
    if (r->rc == 0) {
        install(r->hashes, r->n);
        wfpw_metrics.token_refreshes++;
    } else {
        wfpw_log_warn("collector", "auth", "cannot reload the API tokens: %s (the previous set stays)",
                      wfpw_strerror(r->rc));
    }
    wfpw_free(r);
}

static void on_timer(uv_timer_t *t)
{
    struct refresh_job *r;
    (void)t;
    if (A.job_busy || (r = wfpw_calloc(1, sizeof(*r))) == NULL)
        return;
    r->job.run = refresh_run;
    r->job.done = refresh_done;
    A.job_busy = 1;
    if (wfpw_storeq_submit(&r->job, WFPW_SQ_FORCE) != 0) {
        A.job_busy = 0;
        wfpw_free(r);
    }
}

int wfpw_auth_start(uv_loop_t *loop, unsigned interval_ms)
{
    if (uv_timer_init(loop, &A.timer) != 0)
        return WFPW_EIO;
    A.timer_on = 1;
    uv_timer_start(&A.timer, on_timer, interval_ms, interval_ms);
    uv_unref((uv_handle_t *)&A.timer);
    return 0;
}

void wfpw_auth_stop(void)
{
    if (A.timer_on) {
        A.timer_on = 0;
        uv_close((uv_handle_t *)&A.timer, NULL);
    }
}

static int cmp(const void *a, const void *b)
{
    return memcmp(a, b, 64);
}

int wfpw_auth_check(const char *authorization)
{
    char hash[65];
    if (strncasecmp(authorization, "Bearer ", 7) != 0 || authorization[7] == '\0')
        return -1;
    wfpw_token_hash(authorization + 7, hash);
    if (!A.loaded || A.n == 0 || bsearch(hash, A.hashes, A.n, sizeof(*A.hashes), cmp) == NULL)
        return -2;
    return 0;
}

void wfpw_auth_forget(const char *hash)
{
    char(*hit)[65];
    if (!A.loaded || A.n == 0 || (hit = bsearch(hash, A.hashes, A.n, sizeof(*A.hashes), cmp)) == NULL)
        return;
    memmove(hit, hit + 1, (size_t)(A.hashes + A.n - (hit + 1)) * sizeof(*A.hashes));
    A.n--;
}

void wfpw_auth_free(void)
{
    wfpw_free(A.hashes);
    A.hashes = NULL;
    A.n = 0;
    A.loaded = 0;
}
