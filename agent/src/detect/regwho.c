/*
 * regwho.c — see regwho.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "regwho.h"
#include "ring.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

#define KEY_MAX 4096
#define VALUE_MAX 1024           /* a surface value's name is short; longer ones are cut */
#define NORM_MAX 4200
/* Text the table may hold at once (1,024 entries of 4 KiB keys and 4 KiB paths would be tens
 * of MB); past this a new entry's process texts are cut (and say so). */
#define TEXT_BUDGET (2u << 20)
#define CUT_TEXT 256

struct wfpw_regwho {
    struct wfpw_ring ring;      /* first (wfpw_ring_table_new): of struct wfpw_regchange, owning texts and proc */
    size_t bytes;               /* text held */
    struct wfpw_regwho_stats st;
};

static size_t text_of(const struct wfpw_regchange *c)
{
    return (c->key ? strlen(c->key) : 0) + (c->value ? strlen(c->value) : 0) +
           (c->process_name ? strlen(c->process_name) : 0) + (c->user_sid ? strlen(c->user_sid) : 0) +
           (c->user ? strlen(c->user) : 0) + wfpw_proc_found_text(c->proc);
}

static void clear(void *slot)
{
    struct wfpw_regchange *c = slot;
    wfpw_free((char *)c->key);
    wfpw_free((char *)c->value);
    wfpw_free((char *)c->process_name);
    wfpw_free((char *)c->user_sid);
    wfpw_free((char *)c->user);
    wfpw_proc_found_free(c->proc);
    memset(c, 0, sizeof(*c));
}

struct wfpw_regwho *wfpw_regwho_new(size_t cap)
{
    return wfpw_ring_table_new(sizeof(struct wfpw_regwho), cap, sizeof(struct wfpw_regchange), clear);
}

void wfpw_regwho_free(struct wfpw_regwho *t)
{
    wfpw_ring_table_free(t);
}

static int prefix_nocase(const char *s, const char *p)
{
    for (; *p; s++, p++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*p))
            return 0;
    return 1;
}

void wfpw_regwho_key(const char *object_name, char *out, size_t outlen)
{
    static const struct {
        const char *native, *root;
    } roots[] = {{"\\REGISTRY\\MACHINE", "HKLM"}, {"\\REGISTRY\\USER", "HKU"}};
    size_t i;
    if (outlen == 0)
        return;
    for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        size_t n = strlen(roots[i].native);
        if (prefix_nocase(object_name, roots[i].native) && (object_name[n] == '\\' || object_name[n] == '\0')) {
            snprintf(out, outlen, "%s%s", roots[i].root, object_name + n);
            return;
        }
    }
    snprintf(out, outlen, "%s", object_name);
}

int wfpw_regwho_record(struct wfpw_regwho *t, struct wfpw_regchange *c)
{
    struct wfpw_regchange e, *old;
    char key[2 * KEY_MAX];
    char *k = NULL, *v = NULL, *img = NULL, *sid = NULL, *user = NULL;
    struct wfpw_proc_found *proc = c->proc;
    c->proc = NULL;
    if (c->key == NULL || c->key[0] == '\0') {
        wfpw_proc_found_free(proc);
        return WFPW_EINVAL;
    }
    wfpw_regwho_key(c->key, key, sizeof(key));
    if (wfpw_text_cut_dup(&k, key, KEY_MAX) != 0 || k == NULL || wfpw_text_cut_dup(&v, c->value, VALUE_MAX) != 0 ||
        wfpw_proc_set(&img, c->process_name) != 0 || wfpw_proc_set_max(&sid, c->user_sid, WFPW_SID_TEXT_MAX) != 0 ||
        wfpw_proc_set(&user, c->user) != 0) {
        int rc = k == NULL && key[0] ? WFPW_EINVAL : WFPW_ENOMEM;  /* a key that is not UTF-8: nothing to match */
        wfpw_free(k), wfpw_free(v), wfpw_free(img), wfpw_free(sid), wfpw_free(user);
        wfpw_proc_found_free(proc);
        return rc;
    }
    e = *c;
    e.key = k, e.value = v, e.process_name = img, e.user_sid = sid, e.user = user, e.proc = proc;
    if ((old = t->ring.n == t->ring.cap ? wfpw_ring_at(&t->ring, t->ring.cap - 1) : NULL) != NULL)
        t->bytes -= text_of(old);
    if (t->bytes + text_of(&e) > TEXT_BUDGET) {
        wfpw_proc_found_trim(proc, CUT_TEXT, "the table of recent registry changes holds its 2 MiB of text");
        if (img != NULL && strlen(img) > CUT_TEXT)
            (void)wfpw_proc_set_max((char **)&e.process_name, img, CUT_TEXT);
    }
    t->bytes += text_of(&e);
    *(struct wfpw_regchange *)wfpw_ring_push(&t->ring) = e;
    return 0;
}

static int eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

const struct wfpw_regchange *wfpw_regwho_find(struct wfpw_regwho *t, wfpw_regkey_norm_fn norm, const char *key,
                                              const char *value, int64_t since_ms)
{
    const struct wfpw_regchange *c;
    char want[NORM_MAX], have[NORM_MAX];
    size_t i;
    if (t == NULL || key == NULL)
        return NULL;
    norm(key, want, sizeof(want));
    for (i = 0; (c = wfpw_ring_at(&t->ring, i)) != NULL; i++) {
        if (c->time_ms < since_ms)
            continue; /* before the previous reading: not this change */
        if (value != NULL && !eq_nocase(c->value ? c->value : "", value))
            continue;
        norm(c->key, have, sizeof(have));
        if (eq_nocase(have, want)) {
            t->st.matched++;
            return c;
        }
    }
    return NULL;
}

struct wfpw_regchange *wfpw_regchange_dup(const struct wfpw_regchange *c)
{
    struct wfpw_regchange *d = wfpw_calloc(1, sizeof(*d));
    char *k = NULL, *v = NULL, *img = NULL, *sid = NULL, *user = NULL;
    if (d == NULL)
        return NULL;
    *d = *c;
    d->proc = NULL;
    if ((c->key && (k = wfpw_strdup(c->key)) == NULL) || (c->value && (v = wfpw_strdup(c->value)) == NULL) ||
        (c->process_name && (img = wfpw_strdup(c->process_name)) == NULL) ||
        (c->user_sid && (sid = wfpw_strdup(c->user_sid)) == NULL) || (c->user && (user = wfpw_strdup(c->user)) == NULL)) {
        wfpw_free(k), wfpw_free(v), wfpw_free(img), wfpw_free(sid), wfpw_free(user);
        wfpw_free(d);
        return NULL;
    }
    d->key = k, d->value = v, d->process_name = img, d->user_sid = sid, d->user = user;
    return d;
}

void wfpw_regchange_free(struct wfpw_regchange *c)
{
    if (c == NULL)
        return;
    clear(c);
    wfpw_free(c);
}

struct wfpw_regwho_stats wfpw_regwho_stats(const struct wfpw_regwho *t)
{
    struct wfpw_regwho_stats st = t->st;
    st.recorded = t->ring.recorded, st.evicted = t->ring.evicted;
    return st;
}

cJSON *wfpw_regchange_json(const struct wfpw_regchange *c)
{
    static const char *const ops[] = {NULL, "created", "modified", "deleted"};
    cJSON *o = cJSON_CreateObject(), *origin, *reg, *proc = NULL;
    int ok;
    if (o == NULL)
        return NULL;
    ok = (c->pid >= 0 ? cJSON_AddNumberToObject(o, "process_id", (double)c->pid)
                      : cJSON_AddNullToObject(o, "process_id")) != NULL &&
         wfpw_json_add_str_or_null(o, "user_sid", c->user_sid) != NULL && wfpw_json_add_str_or_null(o, "user", c->user) != NULL &&
         (origin = cJSON_AddObjectToObject(o, "origin")) != NULL &&
         cJSON_AddNumberToObject(origin, "event_id", c->event_id) != NULL &&
         cJSON_AddNumberToObject(origin, "record_id", (double)c->record_id) != NULL &&
         (reg = cJSON_AddObjectToObject(o, "registry")) != NULL && cJSON_AddStringToObject(reg, "key", c->key) != NULL &&
         wfpw_json_add_str_or_null(reg, "value", c->value) != NULL &&
         (c->op >= 1 && c->op <= 3 ? cJSON_AddStringToObject(reg, "operation", ops[c->op])
                                   : cJSON_AddNullToObject(reg, "operation")) != NULL;
    if (ok && c->proc != NULL) {
        ok = (proc = wfpw_proc_found_json(c->proc)) != NULL && cJSON_AddItemToObject(o, "process", proc);
        if (!ok)
            cJSON_Delete(proc);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
