/*
 * clock.h — wall-clock milliseconds since the Unix epoch (UTC), the collector's one time
 * source for stored times, alert times and retention cut-offs.
 */
#ifndef WFPW_CLOCK_H
#define WFPW_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t wfpw_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
