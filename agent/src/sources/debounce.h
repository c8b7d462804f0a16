/*
 * debounce.h — "read again once the changes settle", shared by the sources that re-read a whole
 * state on change notifications (wfp: the filter inventory; surface: NRPT, hosts, proxies,
 * QoS, routes). A burst of notifications becomes one read `quiet_ms` after the last of them,
 * and a storm that never settles is read at the latest after 10 quiet periods.
 *
 * Loop thread only; the timer handle is the caller's to close (it lives inside the struct, so
 * the struct must outlive uv_close's callback). fire(arg) runs on the loop.
 */
#ifndef WFPW_DEBOUNCE_H
#define WFPW_DEBOUNCE_H

#include <stdint.h>
#include <uv.h>

struct wfpw_debounce {
    uv_timer_t timer;          /* timer.data is the debounce itself */
    uint64_t quiet_ms;
    uint64_t first, last;      /* uv_now() of the pending burst's first and last change; 0: none */
    uint64_t notifications;    /* changes noted (statistics) */
    void (*fire)(void *arg);
    void *arg;
};

void wfpw_debounce_init(struct wfpw_debounce *d, uv_loop_t *loop, uint64_t quiet_ms, void (*fire)(void *arg),
                        void *arg);
/* A change was notified. */
void wfpw_debounce_note(struct wfpw_debounce *d);

#endif
