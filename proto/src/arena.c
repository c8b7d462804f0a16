/*
 * arena.c — chunked bump allocator (see arena.h). Requests larger than a chunk get a chunk
 * of their own, so any size works.
 */
#include "wfpw/arena.h"

#include <stdalign.h>
#include <string.h>

#include "wfpw/mem.h"

#define CHUNK 65536

struct wfpw_arena_chunk {
    struct wfpw_arena_chunk *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

void wfpw_arena_init(struct wfpw_arena *a)
{
    a->head = NULL;
    a->used = 0;
}

void *wfpw_arena_alloc(struct wfpw_arena *a, size_t size)
{
    struct wfpw_arena_chunk *c = a->head;
    size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    if (c == NULL || c->size - c->used < size) {
        size_t cap = size > CHUNK ? size : CHUNK;
        c = wfpw_malloc(sizeof(*c) + cap);
        if (c == NULL)
            return NULL;
        c->size = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    c->used += size;
    a->used += size;
    return c->data + c->used - size;
}

char *wfpw_arena_strndup(struct wfpw_arena *a, const char *s, size_t n)
{
    char *p;
    if (s == NULL)
        return NULL;
    p = wfpw_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *wfpw_arena_strdup(struct wfpw_arena *a, const char *s)
{
    return s ? wfpw_arena_strndup(a, s, strlen(s)) : NULL;
}

void wfpw_arena_free(struct wfpw_arena *a)
{
    struct wfpw_arena_chunk *c = a->head, *next;
    for (; c; c = next) {
        next = c->next;
        wfpw_free(c);
    }
    a->head = NULL;
    a->used = 0;
}
