/*
 * attrib.c — the bounded table of recent filter changes (see attrib.h): a ring, searched
 * newest first. A few thousand entries at most, consulted once per changed filter.
 */
#include <ctype.h>
#include <string.h>

#include "wfpw/proto.h"

#include "attrib.h"
#include "ring.h"
#include "wfpw/mem.h"

/* Process text the table may hold at once: 4,096 changes by programs with 4 KiB paths and
 * command lines would be 50 MB; past this, a new entry's texts are cut (and say so). */
#define PROC_TEXT_BUDGET (4u << 20)
#define CUT_TEXT 256

struct wfpw_attrib {
    struct wfpw_ring ring;   /* first (wfpw_ring_table_new): of struct wfpw_changed_by, each owning its proc */
    size_t proc_bytes;       /* process text held */
    struct wfpw_attrib_stats st;
};


static void clear(void *slot)
{
    struct wfpw_changed_by *c = slot;
    wfpw_proc_found_free(c->proc);
    c->proc = NULL;
}

struct wfpw_attrib *wfpw_attrib_new(size_t cap)
{
    return wfpw_ring_table_new(sizeof(struct wfpw_attrib), cap, sizeof(struct wfpw_changed_by), clear);
}

void wfpw_attrib_free(struct wfpw_attrib *a)
{
    wfpw_ring_table_free(a);
}

void wfpw_attrib_record(struct wfpw_attrib *a, struct wfpw_changed_by *c)
{
    struct wfpw_changed_by *slot, *old = a->ring.n == a->ring.cap ? wfpw_ring_at(&a->ring, a->ring.cap - 1) : NULL;
    struct wfpw_proc_found *f = c->proc;
    if (old != NULL)
        a->proc_bytes -= wfpw_proc_found_text(old->proc);
    if (f != NULL && a->proc_bytes + wfpw_proc_found_text(f) > PROC_TEXT_BUDGET)
        wfpw_proc_found_trim(f, CUT_TEXT, "the table of recent filter changes holds its 4 MiB of process text");
    slot = wfpw_ring_push(&a->ring);
    *slot = *c;
    c->proc = NULL;  /* the table's now */
    a->proc_bytes += wfpw_proc_found_text(f);
}

static int same_key(const char *x, const char *y)
{
    for (; *x && *y; x++, y++)
        if (tolower((unsigned char)*x) != tolower((unsigned char)*y))
            return 0;
    return *x == *y;
}

const struct wfpw_changed_by *wfpw_attrib_find(struct wfpw_attrib *a, const char *object, const char *key, int change)
{
    const struct wfpw_changed_by *c;
    size_t i;
    if (a == NULL || key == NULL)
        return NULL;
    for (i = 0; (c = wfpw_ring_at(&a->ring, i)) != NULL; i++) {
        if (c->change == change && strcmp(c->object, object) == 0 && same_key(c->key, key)) {
            a->st.matched++;
            return c;
        }
    }
    return NULL;
}

struct wfpw_attrib_stats wfpw_attrib_stats(const struct wfpw_attrib *a)
{
    struct wfpw_attrib_stats st = a->st;
    st.recorded = a->ring.recorded, st.evicted = a->ring.evicted;
    return st;
}

const char *wfpw_change_name(int change)
{
    return change == WFPW_CHANGE_ADD ? "add" : change == WFPW_CHANGE_PRESENT ? "present_at_start" : "delete";
}

cJSON *wfpw_related_change_json(const struct wfpw_changed_by *c)
{
    cJSON *o = cJSON_CreateObject(), *by = wfpw_changed_by_json(c);
    if (o == NULL || by == NULL || cJSON_AddStringToObject(o, "object", c->object) == NULL ||
        cJSON_AddStringToObject(o, "key", c->key) == NULL ||
        (c->name[0] ? cJSON_AddStringToObject(o, "name", c->name) : cJSON_AddNullToObject(o, "name")) == NULL ||
        cJSON_AddStringToObject(o, "change", wfpw_change_name(c->change)) == NULL) {
        cJSON_Delete(o);
        cJSON_Delete(by);
        return NULL;
    }
    cJSON_AddItemToObject(o, "changed_by", by);
    return o;
}

cJSON *wfpw_changed_by_json(const struct wfpw_changed_by *c)
{
    cJSON *o = cJSON_CreateObject(), *origin;
    if (o == NULL)
        return NULL;
    if ((c->pid >= 0 ? cJSON_AddNumberToObject(o, "process_id", (double)c->pid) : cJSON_AddNullToObject(o, "process_id")) == NULL ||
        (c->user_sid[0] ? cJSON_AddStringToObject(o, "user_sid", c->user_sid) : cJSON_AddNullToObject(o, "user_sid")) == NULL ||
        (c->user[0] ? cJSON_AddStringToObject(o, "user", c->user) : cJSON_AddNullToObject(o, "user")) == NULL ||
        (origin = cJSON_AddObjectToObject(o, "origin")) == NULL ||
        cJSON_AddNumberToObject(origin, "event_id", c->event_id) == NULL ||
        cJSON_AddNumberToObject(origin, "record_id", (double)c->record_id) == NULL ||
        cJSON_AddStringToObject(o, "change", wfpw_change_name(c->change)) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    if (c->proc != NULL) {
        cJSON *p = wfpw_proc_found_json(c->proc);
        if (p == NULL || !cJSON_AddItemToObject(o, "process", p)) {
            cJSON_Delete(p);
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}
