/*
 * ring.h — the bounded, newest-first table behind the agent's short memories: recent filter
 * changes (attrib.c), process creations (proctab.c) and firewall rule changes (fwrules.c).
 * Each remembers the last N things a source read so a later event can be explained by an
 * earlier one; none may grow with what an attacker makes a host log, so each is a ring that
 * pushes out its oldest entry, counting it.
 *
 * Ownership: the ring owns its slots and whatever a slot owns; `clear` releases that (and
 * must accept a slot of zeros). A pointer from wfpw_ring_at is valid until the next push.
 */
#ifndef WFPW_DETECT_RING_H
#define WFPW_DETECT_RING_H

#include <stddef.h>
#include <stdint.h>

struct wfpw_ring {
    unsigned char *slots;
    size_t size, cap, n, head;  /* head: where the next one goes */
    void (*clear)(void *slot);
    uint64_t recorded, evicted;
};

/* WFPW_ENOMEM; a cap of 0 is taken as 1. */
int wfpw_ring_init(struct wfpw_ring *r, size_t cap, size_t size, void (*clear)(void *slot));
void wfpw_ring_fini(struct wfpw_ring *r);
/* The slot for a new entry, cleared (the oldest's when full: counted as evicted); the caller
 * fills it at once. */
void *wfpw_ring_push(struct wfpw_ring *r);
/* The i-th newest entry (0: the newest), NULL past the last. */
void *wfpw_ring_at(const struct wfpw_ring *r, size_t i);
/* A table whose first member is its ring: owner_size bytes of zeros with the ring initialised
 * (NULL on OOM); wfpw_ring_table_free releases the ring's entries and the table. */
void *wfpw_ring_table_new(size_t owner_size, size_t cap, size_t size, void (*clear)(void *slot));
void wfpw_ring_table_free(void *table);

#endif
