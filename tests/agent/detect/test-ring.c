/*
 * test-ring.c — the bounded newest-first table behind attrib.c, proctab.c and fwrules.c:
 * the order it is searched in, what it counts when full, and that every entry it holds is
 * released exactly once (by eviction or at the end; ASan and the counts watch).
 */
#include <string.h>

#include "../../runner.h"
#include "ring.h"
#include "wfpw/mem.h"

struct slot {
    int v;
    char *owned;
};

static int released;

static void clear(void *p)
{
    struct slot *s = p;
    if (s->owned != NULL)
        released++;
    wfpw_free(s->owned);
    s->owned = NULL;
}

static void put(struct wfpw_ring *r, int v)
{
    struct slot *s = wfpw_ring_push(r);
    s->v = v;
    s->owned = wfpw_strdup("x");
}

TEST_IMPL(detect_ring_order_eviction_and_release)
{
    struct wfpw_ring r;
    struct slot *s;
    int i;
    released = 0;
    ASSERT_EQ(wfpw_ring_init(&r, 3, sizeof(struct slot), clear), 0);
    ASSERT(wfpw_ring_at(&r, 0) == NULL);
    put(&r, 1), put(&r, 2);
    ASSERT_EQ(((struct slot *)wfpw_ring_at(&r, 0))->v, 2);
    ASSERT_EQ(((struct slot *)wfpw_ring_at(&r, 1))->v, 1);
    ASSERT(wfpw_ring_at(&r, 2) == NULL);
    for (i = 3; i <= 10; i++)
        put(&r, i);
    for (i = 0; i < 3; i++)
        ASSERT_EQ(((struct slot *)wfpw_ring_at(&r, (size_t)i))->v, 10 - i);
    ASSERT(wfpw_ring_at(&r, 3) == NULL);
    ASSERT_EQ(r.recorded, 10);
    ASSERT_EQ(r.evicted, 7);
    ASSERT_EQ(released, 7);
    s = wfpw_ring_push(&r); /* a pushed slot comes cleared */
    ASSERT(s->owned == NULL && s->v == 0);
    ASSERT_EQ(released, 8);
    wfpw_ring_fini(&r);
    ASSERT_EQ(released, 10); /* the two still held with something owned */

    ASSERT_EQ(wfpw_ring_init(&r, 0, sizeof(struct slot), NULL), 0); /* cap 0 is 1 */
    ASSERT_EQ(r.cap, 1);
    ((struct slot *)wfpw_ring_push(&r))->v = 5;
    ((struct slot *)wfpw_ring_push(&r))->v = 6;
    ASSERT_EQ(((struct slot *)wfpw_ring_at(&r, 0))->v, 6);
    ASSERT_EQ(r.evicted, 1);
    wfpw_ring_fini(&r);
    return 0;
}
