/*
 * mem.c — counting allocator with failure injection (see mem.h).
 * The counters are atomics because sources hand events over from their own threads. Counting
 * is off unless a test turns it on (wfpw_mem_track): an atomic add on every allocation of
 * every thread makes the counter's cache line bounce between the cores that decode, store and
 * serve (7% of the collector's CPU at ingest, measured with perf).
 */
#include "wfpw/mem.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long live_blocks;
static atomic_int tracking;
static atomic_long fail_countdown;

static int should_fail(void)
{
    long n = atomic_load(&fail_countdown);
    while (n > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &n, n - 1))
            return n == 1;
    }
    return 0;
}

void *wfpw_malloc(size_t size)
{
    void *p;
    if (should_fail())
        return NULL;
    p = malloc(size ? size : 1);
    if (p && atomic_load_explicit(&tracking, memory_order_relaxed))
        atomic_fetch_add(&live_blocks, 1);
    return p;
}

void *wfpw_calloc(size_t n, size_t size)
{
    void *p;
    if (size && n > (size_t)-1 / size)
        return NULL;
    if (should_fail())
        return NULL;
    p = calloc(n ? n : 1, size ? size : 1);
    if (p && atomic_load_explicit(&tracking, memory_order_relaxed))
        atomic_fetch_add(&live_blocks, 1);
    return p;
}

void *wfpw_realloc(void *ptr, size_t size)
{
    void *p;
    if (ptr == NULL)
        return wfpw_malloc(size);
    if (size == 0) {
        wfpw_free(ptr);
        return NULL;
    }
    if (should_fail())
        return NULL;
    p = realloc(ptr, size);
    return p; /* same block count either way: on failure ptr is still live */
}

void wfpw_free(void *ptr)
{
    if (ptr == NULL)
        return;
    if (atomic_load_explicit(&tracking, memory_order_relaxed))
        atomic_fetch_sub(&live_blocks, 1);
    free(ptr);
}

char *wfpw_strndup(const char *s, size_t n)
{
    char *p;
    if (s == NULL)
        return NULL;
    p = wfpw_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *wfpw_strdup(const char *s)
{
    return s ? wfpw_strndup(s, strlen(s)) : NULL;
}

long wfpw_mem_live(void)
{
    return atomic_load(&live_blocks);
}

void wfpw_mem_fail_after(long n)
{
    atomic_store(&fail_countdown, n > 0 ? n : 0);
}

void wfpw_mem_track(int on)
{
    atomic_store(&tracking, on);
}
