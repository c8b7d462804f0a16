/*
 * debounce.c — one read after a burst of change notifications (see debounce.h).
 */
#include "debounce.h"

#define MAX_FACTOR 10 /* a change storm is read at the latest after 10 quiet periods */

static void on_timer(uv_timer_t *t)
{
    struct wfpw_debounce *d = t->data;
    uint64_t now = uv_now(t->loop), quiet = now - d->last;
    if (quiet < d->quiet_ms && now - d->first < d->quiet_ms * MAX_FACTOR) {
        uv_timer_start(&d->timer, on_timer, d->quiet_ms - quiet, 0);
        return;
    }
    d->first = 0;
    d->fire(d->arg);
}

void wfpw_debounce_init(struct wfpw_debounce *d, uv_loop_t *loop, uint64_t quiet_ms, void (*fire)(void *arg),
                        void *arg)
{
    uv_timer_init(loop, &d->timer);
    d->timer.data = d;
    d->quiet_ms = quiet_ms;
    d->first = d->last = d->notifications = 0;
    d->fire = fire;
    d->arg = arg;
}

void wfpw_debounce_note(struct wfpw_debounce *d)
{
    uint64_t now = uv_now(d->timer.loop);
    d->notifications++;
    d->last = now;
    if (d->first == 0) {
        d->first = now;
        uv_timer_start(&d->timer, on_timer, d->quiet_ms, 0);
    }
}
