/*
 * test-proxyprobe.c — agent/src/sources/surface/proxyprobe.c on a real libuv loop and real
 * sockets: a proxy that listens answers; a closed port, a name that does not resolve and a
 * listener that never answers (a time limit of 300 ms) do not, each with its reason — a
 * listener whose queue is full drops the SYN, so the probe hits its limit (not an unrouted
 * address: some networks answer for anyone); more than max_inflight at once are refused;
 * closing with probes in flight reports each as cancelled, then closes (ASan checks every
 * handle is freed).
 */
#include <string.h>
#include <uv.h>

#include "../../../runner.h"
#include "proxyprobe.h"
#include "wfpw/errors.h"

struct seen {
    int n, answered, cancelled, closed;
    char why[8][200];
};

static void done(void *ctx, const struct wfpw_probe_result *r)
{
    struct seen *s = ctx;
    int *slot = r->arg;
    *slot = r->answered ? 1 : r->cancelled ? 3 : 2;
    if (s->n < 8)
        snprintf(s->why[s->n], sizeof(s->why[0]), "%s:%s %s", r->host, r->port, r->why ? r->why : "");
    s->n++;
    s->answered += r->answered, s->cancelled += r->cancelled;
}

static void closed(void *ctx)
{
    ((struct seen *)ctx)->closed = 1;
}

static void on_conn(uv_stream_t *server, int status)
{
    (void)server, (void)status; /* accepted by the kernel's backlog: enough for a connect */
}

static void on_filled(uv_connect_t *c, int status)
{
    *(int *)c->data = status == 0 ? 1 : 2;
}

/* a listener on 127.0.0.1 whose accept queue (backlog 0) is already full: its port in port.
 * Two fillers: libuv takes one connection off the queue itself (and holds it until accepted),
 * the second fills the queue. */
static int full_listener(uv_loop_t *loop, uv_tcp_t *srv, uv_tcp_t *filler, uv_connect_t *c, int *filled, char *port)
{
    struct sockaddr_in a;
    struct sockaddr_storage bound;
    int len = sizeof(bound), i;
    /* one pending accept at a time (libuv on Windows posts many by default; no-op elsewhere) */
    if (uv_tcp_init(loop, srv) || uv_tcp_simultaneous_accepts(srv, 0) || uv_ip4_addr("127.0.0.1", 0, &a) ||
        uv_tcp_bind(srv, (const struct sockaddr *)&a, 0) || uv_listen((uv_stream_t *)srv, 0, on_conn) ||
        uv_tcp_getsockname(srv, (struct sockaddr *)&bound, &len) ||
        uv_tcp_init(loop, &filler[0]) || uv_tcp_init(loop, &filler[1]))
        return -1;
    snprintf(port, 8, "%d", ntohs(((struct sockaddr_in *)&bound)->sin_port));
    for (i = 0; i < 2; i++) {
        c[i].data = &filled[i];
        if (uv_tcp_connect(&c[i], &filler[i], (const struct sockaddr *)&bound, on_filled) != 0)
            return -1;
    }
    for (i = 0; i < 100 && (filled[0] == 0 || filled[1] == 0); i++)
        uv_run(loop, UV_RUN_ONCE);
    return filled[0] == 1 && filled[1] == 1 ? 0 : -1;
}

TEST_IMPL(proxyprobe_answers_and_failures)
{
    uv_loop_t loop;
    uv_tcp_t server, full, filler[2];
    uv_connect_t fill[2];
    int filled[2] = {0, 0};
    char full_port[8];
    struct sockaddr_in a;
    struct sockaddr_storage bound;
    int len = sizeof(bound), res[5] = {0}, i;
    char port[8], closed_port[8];
    struct seen s;
    struct wfpw_prober *p;
    memset(&s, 0, sizeof(s));
    ASSERT_EQ(uv_loop_init(&loop), 0);
    ASSERT_EQ(uv_tcp_init(&loop, &server), 0);
    ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &a), 0);
    ASSERT_EQ(uv_tcp_bind(&server, (const struct sockaddr *)&a, 0), 0);
    ASSERT_EQ(uv_listen((uv_stream_t *)&server, 8, on_conn), 0);
    ASSERT_EQ(uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len), 0);
    snprintf(port, sizeof(port), "%d", ntohs(((struct sockaddr_in *)&bound)->sin_port));
    snprintf(closed_port, sizeof(closed_port), "%d", ntohs(((struct sockaddr_in *)&bound)->sin_port) == 65535 ? 1 : 
             ntohs(((struct sockaddr_in *)&bound)->sin_port) + 1);
    ASSERT_EQ(full_listener(&loop, &full, filler, fill, filled, full_port), 0);
    ASSERT((p = wfpw_prober_new(&loop, 4, 300, done, &s)) != NULL);
    ASSERT_EQ(wfpw_prober_start(p, "127.0.0.1", port, &res[0]), 0);
    ASSERT_EQ(wfpw_prober_start(p, "127.0.0.1", closed_port, &res[1]), 0);
    ASSERT_EQ(wfpw_prober_start(p, "nothing-here.invalid", "8080", &res[2]), 0);
    ASSERT_EQ(wfpw_prober_start(p, "127.0.0.1", full_port, &res[3]), 0); /* its SYN dropped */
    ASSERT_EQ(wfpw_prober_start(p, "127.0.0.1", port, &res[4]), WFPW_EAGAIN); /* four in flight */
    for (i = 0; i < 200 && s.n < 4; i++)
        uv_run(&loop, UV_RUN_ONCE);
    ASSERT_EQ(s.n, 4);
    ASSERT_EQ(res[0], 1);
    ASSERT_EQ(res[1], 2);
    ASSERT_EQ(res[2], 2);
    ASSERT_EQ(res[3], 2);
    ASSERT_EQ(s.answered, 1);
    for (i = 0; i < 4; i++) {
        if (strstr(s.why[i], closed_port) && strstr(s.why[i], "127.0.0.1"))
            ASSERT(strstr(s.why[i], "refused") != NULL);
        if (strstr(s.why[i], "invalid"))
            ASSERT(strstr(s.why[i], "the name does not resolve") != NULL);
        if (strstr(s.why[i], full_port))
            ASSERT(strstr(s.why[i], "no answer within 300 ms") != NULL);
    }
    for (i = 0; i < 20 && wfpw_prober_inflight(p) > 0; i++) /* their handles close a turn later */
        uv_run(&loop, UV_RUN_NOWAIT);
    ASSERT_EQ(wfpw_prober_inflight(p), 0);
    /* closing with one in flight: reported cancelled, then closed */
    ASSERT_EQ(wfpw_prober_start(p, "127.0.0.1", full_port, &res[4]), 0);
    for (i = 0; i < 3; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    wfpw_prober_close(p, closed);
    uv_close((uv_handle_t *)&server, NULL);
    uv_close((uv_handle_t *)&full, NULL);
    uv_close((uv_handle_t *)&filler[0], NULL);
    uv_close((uv_handle_t *)&filler[1], NULL);
    for (i = 0; i < 200 && !s.closed; i++)
        uv_run(&loop, UV_RUN_ONCE);
    ASSERT_EQ(s.closed, 1);
    ASSERT(res[4] == 3 || res[4] == 2); /* cancelled, or failed just before */
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(uv_loop_close(&loop), 0);
    return 0;
}
