/*
 * event.c — builders for proto v1 events (see proto.h).
 *
 * Builders assemble a cJSON tree in the canonical member order that the golden files in
 * tests/data/proto/ fix. A small sticky-error helper (struct jb) lets each builder add
 * members without checking every call: the first allocation failure is remembered, and
 * the builder then frees the partial tree and returns NULL.
 */
#include <string.h>

#include "wfpw/proto.h"
#include "wfpw/timefmt.h"

struct jb {
    int failed;
};

static cJSON *jb_add(struct jb *b, cJSON *obj, const char *key, cJSON *v)
{
    if (v == NULL || obj == NULL || b->failed) {
        b->failed = 1;
        cJSON_Delete(v);
        return NULL;
    }
    if (!cJSON_AddItemToObject(obj, key, v)) {
        b->failed = 1;
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void jb_str(struct jb *b, cJSON *obj, const char *key, const char *s)
{
    jb_add(b, obj, key, str_or_null(s));
}

static void jb_uint(struct jb *b, cJSON *obj, const char *key, uint64_t v)
{
    jb_add(b, obj, key, cJSON_CreateNumber((double)v));
}

static void jb_time(struct jb *b, cJSON *obj, const char *key, int64_t ms)
{
    char t[WFPW_TIME_LEN + 1];
    if (wfpw_time_format_ms(ms, t) != 0) {
        b->failed = 1;
        return;
    }
    jb_str(b, obj, key, t);
}

static cJSON *ref_json(struct jb *b, const struct wfpw_ref *r)
{
    cJSON *o = cJSON_CreateObject();
    jb_str(b, o, "key", r->key);
    jb_str(b, o, "name", r->name);
    return o;
}

static cJSON *finish(struct jb *b, cJSON *obj)
{
    if (b->failed || obj == NULL) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

cJSON *wfpw_event_new(uint64_t seq, const char *type, int64_t time_ms, const char *source)
{
    struct jb b = {0};
    cJSON *ev;
    wfpw_json_init();
    ev = cJSON_CreateObject();
    jb_uint(&b, ev, "seq", seq);
    jb_str(&b, ev, "type", type);
    jb_time(&b, ev, "time", time_ms);
    jb_str(&b, ev, "source", source);
    return finish(&b, ev);
}

static cJSON *endpoint_json(struct jb *b, const struct wfpw_endpoint *e)
{
    cJSON *o;
    if (e == NULL)
        return cJSON_CreateNull();
    o = cJSON_CreateObject();
    jb_str(b, o, "ip", e->ip);
    jb_uint(b, o, "port", e->port);
    return o;
}

cJSON *wfpw_event_blocked(const struct wfpw_ev_blocked *e)
{
    struct jb b = {0};
    cJSON *ev = wfpw_event_new(e->seq, "connection_blocked", e->time_ms, e->source);
    cJSON *o;
    if (ev == NULL)
        return NULL;
    jb_str(&b, ev, "direction", e->direction);
    jb_add(&b, ev, "protocol", e->protocol < 0 ? cJSON_CreateNull()
                                              : cJSON_CreateNumber(e->protocol));
    jb_add(&b, ev, "local", endpoint_json(&b, e->local));
    jb_add(&b, ev, "remote", endpoint_json(&b, e->remote));
    o = jb_add(&b, ev, "process", cJSON_CreateObject());
    jb_add(&b, o, "pid", e->pid < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)e->pid));
    jb_str(&b, o, "path", e->path);
    jb_str(&b, ev, "layer", e->layer);
    o = jb_add(&b, ev, "filter", cJSON_CreateObject());
    jb_uint(&b, o, "id", e->filter_id);
    if (e->filter_key)
        jb_str(&b, o, "key", e->filter_key);
    if (e->filter_name)
        jb_str(&b, o, "name", e->filter_name);
    if (e->filter_provider)
        jb_add(&b, o, "provider", ref_json(&b, e->filter_provider));
    jb_str(&b, ev, "verdict", e->verdict);
    jb_uint(&b, ev, "count", e->count);
    jb_time(&b, ev, "first_seen", e->first_seen_ms);
    jb_time(&b, ev, "last_seen", e->last_seen_ms);
    if (e->has_origin) {
        o = jb_add(&b, ev, "origin", cJSON_CreateObject());
        jb_uint(&b, o, "event_id", e->origin_event_id);
        jb_uint(&b, o, "record_id", e->origin_record_id);
    }
    return finish(&b, ev);
}

cJSON *wfpw_filter_to_json(const struct wfpw_filter_desc *f)
{
    struct jb b = {0};
    cJSON *o, *arr, *w, *a;
    size_t i;
    wfpw_json_init();
    o = cJSON_CreateObject();
    jb_str(&b, o, "key", f->key);
    jb_uint(&b, o, "id", f->id);
    jb_str(&b, o, "name", f->name ? f->name : "");
    jb_str(&b, o, "description", f->description);
    jb_add(&b, o, "provider", f->provider.key || f->provider.name ? ref_json(&b, &f->provider)
                                                                 : cJSON_CreateNull());
    jb_add(&b, o, "layer", ref_json(&b, &f->layer));
    jb_add(&b, o, "sublayer", ref_json(&b, &f->sublayer));
    w = jb_add(&b, o, "weight", cJSON_CreateObject());
    jb_str(&b, w, "type", f->weight_type ? f->weight_type : "EMPTY");
    jb_str(&b, w, "value", f->weight_value);
    if (f->effective_weight)
        jb_str(&b, o, "effective_weight", f->effective_weight);
    arr = jb_add(&b, o, "flags", cJSON_CreateArray());
    for (i = 0; i < f->nflags && arr; i++) {
        cJSON *s = cJSON_CreateString(f->flags[i]);
        if (s == NULL || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            b.failed = 1;
        }
    }
    a = jb_add(&b, o, "action", cJSON_CreateObject());
    jb_str(&b, a, "type", f->action_type);
    jb_str(&b, a, "callout_key", f->callout_key);
    arr = jb_add(&b, o, "conditions", cJSON_CreateArray());
    for (i = 0; i < f->nconditions && arr; i++) {
        const struct wfpw_condition *c = &f->conditions[i];
        cJSON *co = cJSON_CreateObject();
        jb_str(&b, co, "field", c->field);
        jb_str(&b, co, "match", c->match);
        if (c->type)
            jb_str(&b, co, "type", c->type);
        jb_str(&b, co, "value", c->value);
        if (co == NULL || !cJSON_AddItemToArray(arr, co)) {
            cJSON_Delete(co);
            b.failed = 1;
        }
    }
    return finish(&b, o);
}

cJSON *wfpw_event_filter(uint64_t seq, const char *type, int64_t time_ms, const char *source,
                         const struct wfpw_filter_desc *filter,
                         const struct wfpw_filter_desc *previous)
{
    struct jb b = {0};
    cJSON *ev = wfpw_event_new(seq, type, time_ms, source);
    if (ev == NULL)
        return NULL;
    jb_add(&b, ev, "filter", wfpw_filter_to_json(filter));
    if (strcmp(type, "filter_changed") == 0)
        jb_add(&b, ev, "previous", previous ? wfpw_filter_to_json(previous) : NULL);
    return finish(&b, ev);
}

cJSON *wfpw_event_alert(const struct wfpw_ev_alert *e)
{
    struct jb b = {0};
    cJSON *ev = wfpw_event_new(e->seq, "alert", e->time_ms, e->source), *t;
    if (ev == NULL)
        return NULL;
    jb_str(&b, ev, "rule", e->rule);
    jb_str(&b, ev, "severity", e->severity);
    jb_str(&b, ev, "title", e->title);
    jb_str(&b, ev, "details", e->details ? e->details : "");
    jb_add(&b, ev, "filter", e->filter ? wfpw_filter_to_json(e->filter) : cJSON_CreateNull());
    t = jb_add(&b, ev, "target", cJSON_CreateObject());
    jb_str(&b, t, "process", e->target_process);
    jb_add(&b, ev, "preexisting", cJSON_CreateBool(e->preexisting));
    if (e->surface_item)
        jb_add(&b, ev, "surface_item", cJSON_Duplicate(e->surface_item, 1));
    return finish(&b, ev);
}

cJSON *wfpw_event_surface_changed(uint64_t seq, int64_t time_ms, const char *change, cJSON *item, cJSON *previous,
                                  const char *change_set, int baseline)
{
    struct jb b = {0};
    cJSON *ev = wfpw_event_new(seq, "surface_changed", time_ms, "surface");
    if (ev == NULL) {
        cJSON_Delete(item);
        cJSON_Delete(previous);
        return NULL;
    }
    jb_str(&b, ev, "change", change);
    jb_add(&b, ev, "item", item);
    if (previous)
        jb_add(&b, ev, "previous", previous);
    jb_str(&b, ev, "change_set", change_set);
    jb_add(&b, ev, "baseline", cJSON_CreateBool(baseline));
    return finish(&b, ev);
}

cJSON *wfpw_event_heartbeat(uint64_t seq, int64_t time_ms, cJSON *stats)
{
    struct jb b = {0};
    cJSON *ev = wfpw_event_new(seq, "heartbeat", time_ms, "agent");
    if (ev == NULL) {
        cJSON_Delete(stats);
        return NULL;
    }
    jb_add(&b, ev, "stats", stats);
    return finish(&b, ev);
}

cJSON *wfpw_event_agent_status(uint64_t seq, int64_t time_ms, const char *state,
                               const char *message)
{
    struct jb b = {0};
    cJSON *ev = wfpw_event_new(seq, "agent_status", time_ms, "agent");
    if (ev == NULL)
        return NULL;
    jb_str(&b, ev, "state", state);
    jb_str(&b, ev, "message", message ? message : "");
    return finish(&b, ev);
}

cJSON *wfpw_event_inventory_changed(uint64_t seq, int64_t time_ms, uint64_t added, uint64_t removed,
                                    uint64_t changed, const char *change_set, int baseline)
{
    struct jb b = {0};
    cJSON *ev = wfpw_event_new(seq, "inventory_changed", time_ms, "inventory");
    if (ev == NULL)
        return NULL;
    jb_uint(&b, ev, "added", added);
    jb_uint(&b, ev, "removed", removed);
    jb_uint(&b, ev, "changed", changed);
    jb_str(&b, ev, "change_set", change_set);
    jb_add(&b, ev, "baseline", cJSON_CreateBool(baseline));
    return finish(&b, ev);
}
