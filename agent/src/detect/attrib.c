/*
 * attrib.c — the bounded table of recent filter changes (see attrib.h): a ring, searched
 * newest first. A few thousand entries at most, consulted once per changed filter.
 */
#include <ctype.h>
#include <string.h>

#include "wfpw/proto.h"

#include "attrib.h"
#include "wfpw/mem.h"

struct wfpw_attrib {
    struct wfpw_changed_by *ring;
    size_t cap, n, head;     /* head: where the next one goes */
    struct wfpw_attrib_stats st;
};

struct wfpw_attrib *wfpw_attrib_new(size_t cap)
{
    struct wfpw_attrib *a = wfpw_calloc(1, sizeof(*a));
    if (a == NULL || (a->ring = wfpw_calloc(cap ? cap : 1, sizeof(*a->ring))) == NULL) {
        wfpw_free(a);
        return NULL;
    }
    a->cap = cap ? cap : 1;
    return a;
}

void wfpw_attrib_free(struct wfpw_attrib *a)
{
    size_t i;
    if (a == NULL)
        return;
    for (i = 0; i < a->cap; i++)
        wfpw_proc_found_free(a->ring[i].proc);
    wfpw_free(a->ring);
    wfpw_free(a);
}

void wfpw_attrib_record(struct wfpw_attrib *a, const struct wfpw_changed_by *c)
{
    if (a->n == a->cap)
        a->st.evicted++;
    else
        a->n++;
    wfpw_proc_found_free(a->ring[a->head].proc);
    a->ring[a->head] = *c;
    a->ring[a->head].proc = c->proc ? wfpw_proc_found_dup(c->proc) : NULL;
    a->head = (a->head + 1) % a->cap;
    a->st.recorded++;
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
    size_t i;
    if (a == NULL || key == NULL)
        return NULL;
    for (i = 1; i <= a->n; i++) {
        const struct wfpw_changed_by *c = &a->ring[(a->head + a->cap - i) % a->cap];
        if (c->change == change && strcmp(c->object, object) == 0 && same_key(c->key, key)) {
            a->st.matched++;
            return c;
        }
    }
    return NULL;
}

struct wfpw_attrib_stats wfpw_attrib_stats(const struct wfpw_attrib *a)
{
    return a->st;
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
