/*
 * cfgtab.c — the table-driven configuration reader (cfgtab.h). Unknown keys are found by
 * walking the JSON object: a member is accepted only if its dotted path is a key of the
 * table or a group prefix of one (then it must be an object).
 */
#include "wfpw/cfgtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfpw/errors.h"
#include "wfpw/json.h"

static int fail(char *err, size_t errlen, const char *prefix, const char *key, const char *msg)
{
    snprintf(err, errlen, "%s%s%s: %s", prefix && *prefix ? prefix : "", prefix && *prefix ? "." : "", key, msg);
    return WFPW_EINVAL;
}

/* one wording for every integer error, from a file or a policy value alike */
static int fail_int(char *err, size_t errlen, const char *prefix, const struct wfpw_cfg_key *k)
{
    char msg[96];
    snprintf(msg, sizeof(msg), "expected an integer from %lld to %lld", (long long)k->min, (long long)k->max);
    return fail(err, errlen, prefix, k->key, msg);
}

void wfpw_cfg_dirname(const char *path, char *out, size_t len)
{
    const char *s1 = strrchr(path, '/'), *s2 = strrchr(path, '\\'), *s = s1 > s2 ? s1 : s2;
    if (s == NULL) {
        snprintf(out, len, ".");
        return;
    }
    snprintf(out, len, "%.*s", s == path ? 1 : (int)(s - path), path);
}

static int is_absolute(const char *p)
{
    return p[0] == '/' || p[0] == '\\' ||
           (((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':' && (p[2] == '\\' || p[2] == '/'));
}

int wfpw_cfg_resolve(const char *base, const char *path, char *out, size_t len)
{
    int n;
    if (is_absolute(path) || base == NULL || !*base)
        n = snprintf(out, len, "%s", path);
    else
        n = snprintf(out, len, "%s/%s", base, path);
    return n < 0 || (size_t)n >= len ? WFPW_ERANGE : 0;
}

static void *field(void *dst, const struct wfpw_cfg_key *k)
{
    return (char *)dst + k->offset;
}

/* bytes of a text field, its NUL included (cfgtab.h: max, for a text key) */
static size_t cap(const struct wfpw_cfg_key *k)
{
    return k->max > 0 ? (size_t)k->max : WFPW_CFG_STR_MAX;
}

static int set_text(const struct wfpw_cfg_key *k, const char *text, void *dst, const char *base,
                    const char *prefix, char *err, size_t errlen)
{
    char *end;
    switch (k->type) {
    case WFPW_CFG_STR:
        if (strlen(text) >= cap(k))
            return fail(err, errlen, prefix, k->key, "value too long");
        strcpy(field(dst, k), text);
        return 0;
    case WFPW_CFG_PATH:
        if (*text == '\0') {
            *(char *)field(dst, k) = '\0';
            return 0;
        }
        if (wfpw_cfg_resolve(base, text, field(dst, k), cap(k)) != 0)
            return fail(err, errlen, prefix, k->key, "path too long");
        return 0;
    case WFPW_CFG_ENUM: {
        const char *const *c;
        for (c = k->choices; *c; c++)
            if (strcmp(*c, text) == 0 && strlen(text) < cap(k)) {
                strcpy(field(dst, k), text);
                return 0;
            }
        {
            char msg[256];
            size_t o = (size_t)snprintf(msg, sizeof(msg), "must be one of");
            for (c = k->choices; *c && o < sizeof(msg); c++)
                o += (size_t)snprintf(msg + o, sizeof(msg) - o, " %s", *c);
            return fail(err, errlen, prefix, k->key, msg);
        }
    }
    case WFPW_CFG_INT: {
        long long v = strtoll(text, &end, 10);
        if (end == text || *end != '\0' || v < k->min || v > k->max)
            return fail_int(err, errlen, prefix, k);
        *(int64_t *)field(dst, k) = v;
        return 0;
    }
    case WFPW_CFG_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
            *(int *)field(dst, k) = 1;
        else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
            *(int *)field(dst, k) = 0;
        else
            return fail(err, errlen, prefix, k->key, "expected true or false");
        return 0;
    case WFPW_CFG_LIST: {
        /* text form (policy values): comma-separated */
        struct wfpw_cfg_list *l = field(dst, k);
        const char *p = text;
        l->n = 0;
        while (*p) {
            const char *c = strchr(p, ',');
            size_t n = c ? (size_t)(c - p) : strlen(p);
            const char *item = p;
            while (n && (*item == ' ' || *item == '\t'))   /* "a, b": spaces around items are not part of them */
                item++, n--;
            while (n && (item[n - 1] == ' ' || item[n - 1] == '\t'))
                n--;
            if (l->n == WFPW_CFG_LIST_MAX)
                return fail(err, errlen, prefix, k->key, "too many items");
            if (n >= WFPW_CFG_STR_MAX)
                return fail(err, errlen, prefix, k->key, "item too long");
            if (n) {
                memcpy(l->v[l->n], item, n);
                l->v[l->n++][n] = '\0';
            }
            p += n + (c != NULL);
        }
        return 0;
    }
    }
    return WFPW_EINVAL;
}

int wfpw_cfgtab_defaults(const struct wfpw_cfg_table *t, void *dst, const char *base_dir, char *err, size_t errlen)
{
    size_t i;
    int rc;
    for (i = 0; i < t->n; i++)
        if (t->keys[i].def && (rc = set_text(&t->keys[i], t->keys[i].def, dst, base_dir, "", err, errlen)) != 0)
            return rc;
    return 0;
}

static const struct wfpw_cfg_key *find(const struct wfpw_cfg_table *t, const char *key, int *group)
{
    size_t i, n = strlen(key);
    *group = 0;
    for (i = 0; i < t->n; i++) {
        if (strcmp(t->keys[i].key, key) == 0)
            return &t->keys[i];
        if (strncmp(t->keys[i].key, key, n) == 0 && t->keys[i].key[n] == '.')
            *group = 1;
    }
    return NULL;
}

static int apply_value(const struct wfpw_cfg_key *k, const cJSON *v, void *dst, const char *base,
                       const char *prefix, char *err, size_t errlen)
{
    if (cJSON_IsNull(v)) {
        if (!(k->flags & WFPW_CFG_NULLABLE))
            return fail(err, errlen, prefix, k->key, "must not be null");
        if (k->type == WFPW_CFG_LIST)
            ((struct wfpw_cfg_list *)field(dst, k))->n = 0;
        else if (k->type == WFPW_CFG_STR || k->type == WFPW_CFG_PATH || k->type == WFPW_CFG_ENUM)
            *(char *)field(dst, k) = '\0';
        return 0;
    }
    switch (k->type) {
    case WFPW_CFG_STR: case WFPW_CFG_PATH: case WFPW_CFG_ENUM:
        if (!cJSON_IsString(v))
            return fail(err, errlen, prefix, k->key, "expected a string");
        if (k->type == WFPW_CFG_PATH && v->valuestring[0] == '\0' && !(k->flags & WFPW_CFG_NULLABLE))
            return fail(err, errlen, prefix, k->key, "empty path");   /* nullable: "" is unset, as null */
        return set_text(k, v->valuestring, dst, base, prefix, err, errlen);
    case WFPW_CFG_INT: {
        double d = v->valuedouble;
        /* a number that is a whole value in range; 1.5, "10" and 1e300 are not */
        if (!cJSON_IsNumber(v) || !(d >= (double)k->min && d <= (double)k->max) || (double)(int64_t)d != d)
            return fail_int(err, errlen, prefix, k);
        *(int64_t *)field(dst, k) = (int64_t)d;
        return 0;
    }
    case WFPW_CFG_BOOL:
        if (!cJSON_IsBool(v))
            return fail(err, errlen, prefix, k->key, "expected true or false");
        *(int *)field(dst, k) = cJSON_IsTrue(v);
        return 0;
    case WFPW_CFG_LIST: {
        struct wfpw_cfg_list *l = field(dst, k);
        const cJSON *it;
        if (cJSON_IsString(v) && (k->flags & WFPW_CFG_ONE_OR_MANY)) {
            if (!v->valuestring[0])
                return fail(err, errlen, prefix, k->key, "expected a non-empty string or an array of them");
            if (strlen(v->valuestring) >= WFPW_CFG_STR_MAX)
                return fail(err, errlen, prefix, k->key, "item too long");
            strcpy(l->v[0], v->valuestring);
            l->n = 1;
            return 0;
        }
        if (!cJSON_IsArray(v))
            return fail(err, errlen, prefix, k->key, (k->flags & WFPW_CFG_ONE_OR_MANY) ?
                        "expected a string or an array of strings" : "expected an array of strings");
        l->n = 0;
        cJSON_ArrayForEach(it, v) {
            if (!cJSON_IsString(it) || !it->valuestring[0])
                return fail(err, errlen, prefix, k->key, "expected an array of non-empty strings");
            if (l->n == WFPW_CFG_LIST_MAX)
                return fail(err, errlen, prefix, k->key, "too many items");
            if (strlen(it->valuestring) >= WFPW_CFG_STR_MAX)
                return fail(err, errlen, prefix, k->key, "item too long");
            strcpy(l->v[l->n++], it->valuestring);
        }
        return 0;
    }
    }
    return WFPW_EINVAL;
}

static int walk(const struct wfpw_cfg_table *t, const cJSON *obj, char *path, size_t plen, const char *prefix,
                const char *skip, void *dst, const char *base, char *err, size_t errlen)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, obj) {
        const struct wfpw_cfg_key *k;
        int group, rc;
        size_t n = strlen(m->string);
        if (plen == 0 && skip && strcmp(m->string, skip) == 0)
            continue;
        if (plen + n + 2 >= 256)
            return fail(err, errlen, prefix, m->string, "key too long");
        if (plen)
            path[plen] = '.';
        memcpy(path + plen + (plen ? 1 : 0), m->string, n + 1);
        k = find(t, path, &group);
        if (k) {
            if ((rc = apply_value(k, m, dst, base, prefix, err, errlen)) != 0)
                return rc;
        } else if (group) {
            if (!cJSON_IsObject(m))
                return fail(err, errlen, prefix, path, "expected an object");
            if ((rc = walk(t, m, path, plen + n + (plen ? 1 : 0), prefix, skip, dst, base, err, errlen)) != 0)
                return rc;
        } else {
            return fail(err, errlen, prefix, path, "unknown key");
        }
        path[plen] = '\0';
    }
    return 0;
}

int wfpw_cfgtab_apply(const struct wfpw_cfg_table *t, const cJSON *obj, const char *prefix, const char *skip,
                      void *dst, const char *base_dir, char *err, size_t errlen)
{
    char path[256] = "";
    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "%s: expected an object", prefix && *prefix ? prefix : "configuration");
        return WFPW_EINVAL;
    }
    return walk(t, obj, path, 0, prefix, skip, dst, base_dir, err, errlen);
}

int wfpw_cfgtab_set(const struct wfpw_cfg_table *t, const char *key, const char *text, void *dst,
                    const char *base_dir, char *err, size_t errlen)
{
    int group;
    const struct wfpw_cfg_key *k = find(t, key, &group);
    if (k == NULL)
        return fail(err, errlen, "", key, "unknown key");
    return set_text(k, text, dst, base_dir, "", err, errlen);
}

int wfpw_cfgtab_check_required(const struct wfpw_cfg_table *t, const void *dst, const char *prefix,
                               char *err, size_t errlen)
{
    size_t i;
    for (i = 0; i < t->n; i++) {
        const struct wfpw_cfg_key *k = &t->keys[i];
        if ((k->flags & WFPW_CFG_REQUIRED) &&
            (k->type == WFPW_CFG_STR || k->type == WFPW_CFG_PATH || k->type == WFPW_CFG_ENUM) &&
            *((const char *)dst + k->offset) == '\0')
            return fail(err, errlen, prefix, k->key, "required key is missing");
        if ((k->flags & WFPW_CFG_REQUIRED) && k->type == WFPW_CFG_LIST &&
            ((const struct wfpw_cfg_list *)((const char *)dst + k->offset))->n == 0)
            return fail(err, errlen, prefix, k->key, "required key is missing");
    }
    return 0;
}

static cJSON *group_of(cJSON *root, const char *key, const char **leaf)
{
    char part[256];
    const char *dot;
    cJSON *o = root;
    while ((dot = strchr(key, '.')) != NULL) {
        cJSON *next;
        snprintf(part, sizeof(part), "%.*s", (int)(dot - key), key);
        next = cJSON_GetObjectItemCaseSensitive(o, part);
        if (next == NULL)
            next = cJSON_AddObjectToObject(o, part);
        if (next == NULL)
            return NULL;
        o = next, key = dot + 1;
    }
    *leaf = key;
    return o;
}

cJSON *wfpw_cfgtab_to_json(const struct wfpw_cfg_table *t, const void *dst)
{
    cJSON *root = cJSON_CreateObject();
    size_t i, j;
    for (i = 0; root && i < t->n; i++) {
        const struct wfpw_cfg_key *k = &t->keys[i];
        const void *f = (const char *)dst + k->offset;
        const char *leaf;
        cJSON *g = group_of(root, k->key, &leaf), *v = NULL;
        if (g == NULL)
            break;
        switch (k->type) {
        case WFPW_CFG_STR: case WFPW_CFG_PATH: case WFPW_CFG_ENUM:
            if (*(const char *)f == '\0')
                v = cJSON_CreateNull();
            else
                v = cJSON_CreateString((k->flags & WFPW_CFG_SECRET) ? "***" : (const char *)f);
            break;
        case WFPW_CFG_INT:
            v = cJSON_CreateNumber((double)*(const int64_t *)f);
            break;
        case WFPW_CFG_BOOL:
            v = cJSON_CreateBool(*(const int *)f);
            break;
        case WFPW_CFG_LIST: {
            const struct wfpw_cfg_list *l = f;
            v = cJSON_CreateArray();
            for (j = 0; v && j < l->n; j++)
                cJSON_AddItemToArray(v, cJSON_CreateString((k->flags & WFPW_CFG_SECRET) ? "***" : l->v[j]));
            break;
        }
        }
        if (v == NULL || !cJSON_AddItemToObject(g, leaf, v)) {
            cJSON_Delete(v);
            cJSON_Delete(root);
            return NULL;
        }
    }
    return root;
}

void wfpw_cfgtab_help(const struct wfpw_cfg_table *t, const char *prefix, struct wfpw_buf *out)
{
    static const char *const names[] = {"string", "path", "integer", "boolean", "choice", "list"};
    size_t i;
    for (i = 0; i < t->n; i++) {
        const struct wfpw_cfg_key *k = &t->keys[i];
        wfpw_buf_printf(out, "%s%s  (%s", prefix ? prefix : "", k->key, names[k->type]);
        if (k->type == WFPW_CFG_INT)
            wfpw_buf_printf(out, " %lld..%lld", (long long)k->min, (long long)k->max);
        if (k->def)
            wfpw_buf_printf(out, ", default %s", k->def);
        if (k->flags & WFPW_CFG_REQUIRED)
            wfpw_buf_puts(out, ", required");
        wfpw_buf_printf(out, ")\n    %s\n", k->help);
    }
}
