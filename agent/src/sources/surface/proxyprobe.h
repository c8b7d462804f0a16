/*
 * proxyprobe.h — does a proxy answer? A WinHTTP or machine proxy set to an address where
 * nothing listens cuts a security product off its cloud as surely as a loopback one, but no
 * rule can see that in the registry. When a proxy appears or changes, the surface source asks
 * here: the name resolved (uv_getaddrinfo), a TCP connection opened (uv_tcp_connect) within a
 * time limit, and the answer reported once. Nothing is sent on the connection.
 *
 * Bounded: at most max_inflight probes at once; more are refused (WFPW_EAGAIN, counted by the
 * caller). Ownership: the prober owns its probes and their handles; arg is the caller's,
 * handed back in the one callback every started probe gets (cancelled when the prober
 * closes), so the caller frees it there.
 */
#ifndef WFPW_PROXYPROBE_H
#define WFPW_PROXYPROBE_H

#include <stddef.h>
#include <stdint.h>

struct uv_loop_s;

struct wfpw_probe_result {
    const char *host, *port;
    int answered;       /* 1: a TCP connection was accepted */
    int cancelled;      /* 1: the prober closed first (no answer either way) */
    const char *why;    /* when not answered: "connection refused", "no answer within 5000 ms", ... */
    void *arg;
};

typedef void (*wfpw_probe_done_fn)(void *ctx, const struct wfpw_probe_result *r);

struct wfpw_prober;

/* NULL on OOM. */
struct wfpw_prober *wfpw_prober_new(struct uv_loop_s *loop, size_t max_inflight, uint64_t timeout_ms,
                                    wfpw_probe_done_fn done, void *ctx);
/* 0 (done will be called), WFPW_EAGAIN (too many in flight), WFPW_ENOMEM, WFPW_EIO. */
int wfpw_prober_start(struct wfpw_prober *p, const char *host, const char *port, void *arg);
size_t wfpw_prober_inflight(const struct wfpw_prober *p);
/* Cancels what is in flight (each gets done with cancelled = 1), then calls closed(ctx) once
 * every handle is closed and frees the prober. */
void wfpw_prober_close(struct wfpw_prober *p, void (*closed)(void *ctx));

#endif
