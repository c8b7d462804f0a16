/*
 * arena.h — bump allocator for objects that live and die together (an inventory of
 * thousands of filters, a batch being encoded). Allocation is a pointer bump inside 64 KiB
 * chunks taken from wfpw_malloc; everything is released by one wfpw_arena_free. The arena
 * owns every pointer it hands out; callers never free them individually.
 */
#ifndef WFPW_ARENA_H
#define WFPW_ARENA_H

#include <stddef.h>

struct wfpw_arena_chunk;

struct wfpw_arena {
    struct wfpw_arena_chunk *head;  /* newest chunk first */
    size_t used;                    /* bytes handed out (statistics) */
};

void wfpw_arena_init(struct wfpw_arena *a);
/* size bytes aligned for any object; NULL on out of memory. */
void *wfpw_arena_alloc(struct wfpw_arena *a, size_t size);
/* Copy of s[0..n) plus NUL; NULL on out of memory (or for s == NULL). */
char *wfpw_arena_strndup(struct wfpw_arena *a, const char *s, size_t n);
char *wfpw_arena_strdup(struct wfpw_arena *a, const char *s);
void wfpw_arena_free(struct wfpw_arena *a);

#endif
