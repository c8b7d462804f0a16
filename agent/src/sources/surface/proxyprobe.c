/*
 * proxyprobe.c — see proxyprobe.h. One probe: getaddrinfo -> (timer + connect to the first
 * address) -> done; every handle closed before the probe is freed.
 */
#include "proxyprobe.h"

#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "wfpw/errors.h"
#include "wfpw/mem.h"

struct probe {
    struct wfpw_prober *p;
    struct probe *next;
    uv_getaddrinfo_t gai;
    uv_tcp_t tcp;
    uv_connect_t conn;
    uv_timer_t timer;
    int gai_pending, tcp_open, timer_open, timed_out, reported;
    char host[256], port[8], why[200];
    void *arg;
};

struct wfpw_prober {
    uv_loop_t *loop;
    size_t max, n;
    uint64_t timeout_ms;
    wfpw_probe_done_fn done;
    void *ctx;
    struct probe *list;
    int closing;
    void (*closed)(void *ctx);
};

static void maybe_closed(struct wfpw_prober *p)
{
    if (p->closing && p->n == 0) {
        void (*closed)(void *) = p->closed;
        void *ctx = p->ctx;
        wfpw_free(p);
        if (closed)
            closed(ctx);
    }
}

static void unlink_probe(struct probe *pr)
{
    struct probe **pp = &pr->p->list;
    while (*pp && *pp != pr)
        pp = &(*pp)->next;
    if (*pp)
        *pp = pr->next;
}

/* frees the probe once nothing of it is pending */
static void maybe_free(struct probe *pr)
{
    struct wfpw_prober *p = pr->p;
    if (pr->gai_pending || pr->tcp_open || pr->timer_open)
        return;
    unlink_probe(pr);
    wfpw_free(pr);
    p->n--;
    maybe_closed(p);
}

static void on_handle_closed(uv_handle_t *h)
{
    struct probe *pr = h->data;
    if (h == (uv_handle_t *)&pr->tcp)
        pr->tcp_open = 0;
    else
        pr->timer_open = 0;
    maybe_free(pr);
}

static void report(struct probe *pr, int answered, const char *why)
{
    struct wfpw_probe_result r;
    if (pr->reported)
        return;
    pr->reported = 1;
    memset(&r, 0, sizeof(r));
    r.host = pr->host, r.port = pr->port, r.answered = answered, r.arg = pr->arg;
    r.cancelled = pr->p->closing;
    r.why = why;
    pr->p->done(pr->p->ctx, &r);
}

static void finish(struct probe *pr, int answered, const char *why)
{
    report(pr, answered, why);
    if (pr->timer_open && !uv_is_closing((uv_handle_t *)&pr->timer))
        uv_close((uv_handle_t *)&pr->timer, on_handle_closed);
    if (pr->tcp_open && !uv_is_closing((uv_handle_t *)&pr->tcp))
        uv_close((uv_handle_t *)&pr->tcp, on_handle_closed);
    maybe_free(pr);
}

static void on_connect(uv_connect_t *c, int status)
{
    struct probe *pr = c->data;
    if (status == 0) {
        finish(pr, 1, NULL);
    } else if (pr->timed_out) {
        snprintf(pr->why, sizeof(pr->why), "no answer within %llu ms", (unsigned long long)pr->p->timeout_ms);
        finish(pr, 0, pr->why);
    } else {
        snprintf(pr->why, sizeof(pr->why), "%s", uv_strerror(status));
        finish(pr, 0, pr->why);
    }
}

static void on_timeout(uv_timer_t *t)
{
    struct probe *pr = t->data;
    pr->timed_out = 1;
    /* closing the socket ends the connect attempt: on_connect reports it */
    if (pr->tcp_open && !uv_is_closing((uv_handle_t *)&pr->tcp))
        uv_close((uv_handle_t *)&pr->tcp, on_handle_closed);
}

static void on_resolved(uv_getaddrinfo_t *g, int status, struct addrinfo *res)
{
    struct probe *pr = g->data;
    struct addrinfo *ai;
    int rc;
    pr->gai_pending = 0;
    if (status != 0 || res == NULL || pr->p->closing) {
        snprintf(pr->why, sizeof(pr->why), "the name does not resolve: %s",
                 status ? uv_strerror(status) : "no address");
        uv_freeaddrinfo(res);
        finish(pr, 0, pr->p->closing ? "cancelled" : pr->why);
        return;
    }
    if (uv_tcp_init(pr->p->loop, &pr->tcp) != 0) {
        uv_freeaddrinfo(res);
        finish(pr, 0, "cannot open a socket");
        return;
    }
    pr->tcp.data = pr, pr->tcp_open = 1;
    uv_timer_init(pr->p->loop, &pr->timer);
    pr->timer.data = pr, pr->timer_open = 1;
    pr->conn.data = pr;
    /* an IPv4 address first when there is one: a name that also has IPv6 on a host without
     * working IPv6 is not a dead proxy */
    for (ai = res; ai != NULL && ai->ai_family != AF_INET; ai = ai->ai_next)
        ;
    rc = uv_tcp_connect(&pr->conn, &pr->tcp, (ai ? ai : res)->ai_addr, on_connect);
    uv_freeaddrinfo(res);
    if (rc != 0) {
        snprintf(pr->why, sizeof(pr->why), "%s", uv_strerror(rc));
        finish(pr, 0, pr->why);
        return;
    }
    uv_timer_start(&pr->timer, on_timeout, pr->p->timeout_ms, 0);
}

struct wfpw_prober *wfpw_prober_new(struct uv_loop_s *loop, size_t max_inflight, uint64_t timeout_ms,
                                    wfpw_probe_done_fn done, void *ctx)
{
    struct wfpw_prober *p = wfpw_calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->loop = loop, p->max = max_inflight ? max_inflight : 1, p->timeout_ms = timeout_ms, p->done = done, p->ctx = ctx;
    return p;
}

int wfpw_prober_start(struct wfpw_prober *p, const char *host, const char *port, void *arg)
{
    struct addrinfo hints;
    struct probe *pr;
    if (p->closing || p->n >= p->max)
        return WFPW_EAGAIN;
    if ((pr = wfpw_calloc(1, sizeof(*pr))) == NULL)
        return WFPW_ENOMEM;
    pr->p = p, pr->arg = arg;
    snprintf(pr->host, sizeof(pr->host), "%s", host);
    snprintf(pr->port, sizeof(pr->port), "%s", port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC, hints.ai_socktype = SOCK_STREAM;
    pr->gai.data = pr;
    if (uv_getaddrinfo(p->loop, &pr->gai, on_resolved, pr->host, pr->port, &hints) != 0) {
        wfpw_free(pr);
        return WFPW_EIO;
    }
    pr->gai_pending = 1;
    pr->next = p->list, p->list = pr;
    p->n++;
    return 0;
}

size_t wfpw_prober_inflight(const struct wfpw_prober *p)
{
    return p->n;
}

void wfpw_prober_close(struct wfpw_prober *p, void (*closed)(void *ctx))
{
    struct probe *pr, *next;
    if (p == NULL)
        return;
    p->closing = 1, p->closed = closed;
    for (pr = p->list; pr; pr = next) {
        next = pr->next;
        if (pr->gai_pending) {
            uv_cancel((uv_req_t *)&pr->gai); /* on_resolved still runs (UV_ECANCELED or its answer) */
            continue;
        }
        report(pr, 0, "cancelled");
        if (pr->timer_open && !uv_is_closing((uv_handle_t *)&pr->timer))
            uv_close((uv_handle_t *)&pr->timer, on_handle_closed);
        if (pr->tcp_open && !uv_is_closing((uv_handle_t *)&pr->tcp))
            uv_close((uv_handle_t *)&pr->tcp, on_handle_closed);
    }
    maybe_closed(p);
}
