/*
 * mem.h — the one allocation path for wfpwatch code (and for cJSON, see json.h).
 *
 * All allocation goes through wfpw_malloc/wfpw_free so that tests can (a) count live blocks
 * and fail a test that leaks, on every platform including Windows under Wine, and
 * (b) inject allocation failures to exercise out-of-memory paths. Allocation failure is
 * returned to the caller (NULL), never fatal: the agent counts WFPW_ENOMEM and goes on.
 */
#ifndef WFPW_MEM_H
#define WFPW_MEM_H

#include <stddef.h>

void *wfpw_malloc(size_t size);
void *wfpw_calloc(size_t n, size_t size);
/* Like realloc, except that realloc(p, 0) frees p and returns NULL. */
void *wfpw_realloc(void *ptr, size_t size);
void wfpw_free(void *ptr);
/* Copy of s (NULL for NULL), owned by the caller, freed with wfpw_free. */
char *wfpw_strdup(const char *s);
char *wfpw_strndup(const char *s, size_t n);

/* Number of blocks allocated and not yet freed, process-wide, while tracking is on. Tests
 * assert it returns to the value it had before the test. */
long wfpw_mem_live(void);
/* Count live blocks from now on (1) or not (0, the default: the counter is shared by every
 * thread). Set once, before anything is allocated: the test runner does. */
void wfpw_mem_track(int on);

/* Test hook: make the n-th allocation from now fail (1 = the next one); 0 disables. */
void wfpw_mem_fail_after(long n);

#endif /* WFPW_MEM_H */
