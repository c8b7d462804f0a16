/*
 * fwrules.c — see fwrules.h.
 */
#include <string.h>

#include "fwrules.h"
#include "proctab.h"
#include "ring.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

struct entry {
    struct wfpw_fwrule_change c;  /* strings owned by the entry */
};

struct wfpw_fwrules {
    struct wfpw_ring ring;        /* first (wfpw_ring_table_new): of struct entry */
    struct wfpw_fwrules_stats st;
};

int wfpw_fwrule_kind_of(uint32_t event_id)
{
    switch (event_id) {
    case 2004: case 2071: return WFPW_FWRULE_ADDED;     /* Windows 10 / Windows 11 22H2 and later */
    case 2005: case 2073: return WFPW_FWRULE_MODIFIED;
    case 2006: case 2052: return WFPW_FWRULE_DELETED;
    default: return 0;
    }
}

static void clear(struct entry *e)
{
    wfpw_free((char *)e->c.rule_id);
    wfpw_free((char *)e->c.rule_name);
    wfpw_free((char *)e->c.group);
    wfpw_free((char *)e->c.application);
    wfpw_free((char *)e->c.service);
    wfpw_free((char *)e->c.modifying_user);
    wfpw_free((char *)e->c.modifying_app);
    memset(e, 0, sizeof(*e));
}

static void clear_slot(void *slot)
{
    clear(slot);
}

struct wfpw_fwrules *wfpw_fwrules_new(size_t cap)
{
    return wfpw_ring_table_new(sizeof(struct wfpw_fwrules), cap, sizeof(struct entry), clear_slot);
}

void wfpw_fwrules_free(struct wfpw_fwrules *t)
{
    wfpw_ring_table_free(t);
}

/* a copy of an optional text cut to the wire's limit for it (whole characters): NULL, "", "-"
 * and text that is not UTF-8 are none; *bad set on OOM */
static const char *dup(const char *s, size_t max, int *bad)
{
    char *d = NULL;
    if (wfpw_proc_set_max(&d, s, max) != 0)
        *bad = 1;
    return d;
}

/* the rule's name as it is ("-" is a name an attacker may choose), cut like the others */
static const char *dup_name(const char *s, int *bad)
{
    char *d;
    if (wfpw_text_cut_dup(&d, s, 4096) != 0)
        *bad = 1;
    return d;
}

/* e gets a copy of c with strings of its own; WFPW_ENOMEM (e cleared) */
static int copy(struct entry *e, const struct wfpw_fwrule_change *c)
{
    int bad = 0;
    memset(e, 0, sizeof(*e));
    e->c = *c;
    e->c.rule_id = dup(c->rule_id, 128, &bad), e->c.rule_name = dup_name(c->rule_name, &bad);
    e->c.group = dup(c->group, 4096, &bad), e->c.application = dup(c->application, WFPW_PROC_TEXT_MAX, &bad);
    e->c.service = dup(c->service, 4096, &bad), e->c.modifying_user = dup(c->modifying_user, WFPW_SID_TEXT_MAX, &bad);
    e->c.modifying_app = dup(c->modifying_app, WFPW_PROC_TEXT_MAX, &bad);
    if (bad) {
        clear(e);
        return WFPW_ENOMEM;
    }
    return 0;
}

struct wfpw_fwrule_change *wfpw_fwrule_dup(const struct wfpw_fwrule_change *c)
{
    struct entry *e = wfpw_malloc(sizeof(*e));
    if (e == NULL || copy(e, c) != 0) {
        wfpw_free(e);
        return NULL;
    }
    return &e->c;  /* the first member: the entry's address */
}

void wfpw_fwrule_free(struct wfpw_fwrule_change *c)
{
    if (c == NULL)
        return;
    clear((struct entry *)(void *)c);
    wfpw_free(c);
}

int wfpw_fwrules_record(struct wfpw_fwrules *t, const struct wfpw_fwrule_change *c)
{
    struct entry e;
    if (c->rule_name == NULL || c->rule_name[0] == '\0')
        return WFPW_EINVAL;
    if (copy(&e, c) != 0)
        return WFPW_ENOMEM;
    if (e.c.rule_name == NULL) {  /* not UTF-8: nothing to match a filter's name with */
        clear(&e);
        return WFPW_EINVAL;
    }
    *(struct entry *)wfpw_ring_push(&t->ring) = e;
    return 0;
}

const struct wfpw_fwrule_change *wfpw_fwrules_find(struct wfpw_fwrules *t, const char *name, int added)
{
    const struct entry *e;
    size_t i;
    if (t == NULL || name == NULL)
        return NULL;
    for (i = 0; (e = wfpw_ring_at(&t->ring, i)) != NULL; i++) {
        const struct wfpw_fwrule_change *c = &e->c;
        if (c->rule_name == NULL || strcmp(c->rule_name, name) != 0)
            continue;
        if (c->kind == WFPW_FWRULE_MODIFIED || c->kind == (added ? WFPW_FWRULE_ADDED : WFPW_FWRULE_DELETED)) {
            t->st.matched++;
            return c;
        }
        return NULL;  /* the newest change of that rule went the other way */
    }
    return NULL;
}

struct wfpw_fwrules_stats wfpw_fwrules_stats(const struct wfpw_fwrules *t)
{
    struct wfpw_fwrules_stats st = t->st;
    st.recorded = t->ring.recorded, st.evicted = t->ring.evicted;
    return st;
}

cJSON *wfpw_fwrule_json(const struct wfpw_fwrule_change *c)
{
    static const char *const kinds[] = {NULL, "added", "modified", "deleted"};
    cJSON *o = cJSON_CreateObject(), *by, *origin;
    int ok;
    if (o == NULL)
        return NULL;
    ok = cJSON_AddStringToObject(o, "change", kinds[c->kind >= 1 && c->kind <= 3 ? c->kind : 2]) != NULL &&
         wfpw_json_add_str_or_null(o, "id", c->rule_id) != NULL && cJSON_AddStringToObject(o, "name", c->rule_name) != NULL &&
         wfpw_json_add_str_or_null(o, "group", c->group) != NULL &&
         wfpw_json_add_str_or_null(o, "application", c->application) != NULL &&
         wfpw_json_add_str_or_null(o, "service", c->service) != NULL &&
         (c->direction == 1 || c->direction == 2
              ? cJSON_AddStringToObject(o, "direction", c->direction == 1 ? "inbound" : "outbound")
              : cJSON_AddNullToObject(o, "direction")) != NULL &&
         (c->action == 2 || c->action == 3 ? cJSON_AddStringToObject(o, "action", c->action == 2 ? "block" : "allow")
                                           : cJSON_AddNullToObject(o, "action")) != NULL &&
         (by = cJSON_AddObjectToObject(o, "changed_by")) != NULL &&
         wfpw_json_add_str_or_null(by, "user_sid", c->modifying_user) != NULL &&
         wfpw_json_add_str_or_null(by, "application", c->modifying_app) != NULL &&
         (origin = cJSON_AddObjectToObject(by, "origin")) != NULL &&
         cJSON_AddNumberToObject(origin, "event_id", c->event_id) != NULL &&
         cJSON_AddNumberToObject(origin, "record_id", (double)c->record_id) != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
