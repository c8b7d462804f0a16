/*
 * wfpchange.c — WFP policy-change events (5441, 5446, 5447, 5448, 5450) and the `Conditions`
 * text of 5441/5447; see wfpchange.h. The Conditions layout (shared/facts/events.md §5):
 *
 *   \n\tCondition ID:\t{guid}\n\tMatch value:\tEqual to\n\tCondition value:\t0x0087\n\n
 *
 * with multi-line values (a hex dump of an app id, SDDL on its own line). Blocks are split at
 * "Condition ID:", so the one-line form of Microsoft's documentation parses too.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwpnames.h"
#include "wellknown.h"
#include "wfpchange.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"
#include "wfpw/utf8.h"

#define MAX_CONDS 256

/* ---- Conditions ----------------------------------------------------------------------------- */

static const struct { const char *text, *match; } matches[] = {
    {"Equal to", "EQUAL"}, {"Greater than", "GREATER"}, {"Less than", "LESS"},
    {"Greater than or equal to", "GREATER_OR_EQUAL"}, {"Less than or equal to", "LESS_OR_EQUAL"},
    {"In range", "RANGE"}, {"All flags set", "FLAGS_ALL_SET"}, {"Any flags set", "FLAGS_ANY_SET"},
    {"No flags set", "FLAGS_NONE_SET"}, {"Equal to (case insensitive)", "EQUAL_CASE_INSENSITIVE"},
    {"Not equal to", "NOT_EQUAL"}, {"Prefix", "PREFIX"}, {"Not prefix", "NOT_PREFIX"},
};

static const char *skip_blank(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

static const char *find(const char *s, const char *end, const char *what)
{
    size_t n = strlen(what);
    for (; s + n <= end; s++)
        if (memcmp(s, what, n) == 0)
            return s;
    return NULL;
}

static void trim(const char **s, const char **end)
{
    while (*s < *end && isspace((unsigned char)**s))
        (*s)++;
    while (*end > *s && isspace((unsigned char)(*end)[-1]))
        (*end)--;
}

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "0x0087" -> 135 with its digit count; -1 when not such a number */
static int parse_hex(const char *s, const char *end, unsigned long long *v, int *digits)
{
    int n = 0;
    if (end - s < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return -1;
    *v = 0;
    for (s += 2; s < end; s++, n++) {
        int h = hexv(*s);
        if (h < 0 || n == 16)
            return -1;
        *v = *v << 4 | (unsigned)h;
    }
    *digits = n;
    return n ? 0 : -1;
}

/* A hex dump -> bytes; -1 when a line is not one. Each line is an 8-digit offset, then a
 * fixed 49-column area ("  5c 00 64 00 65 00 76 00-69 00 ..."; 16 bytes, '-' after the 8th,
 * padded with spaces on the last line), then the ASCII column, which is not read. */
#define DUMP_AREA 49
static int parse_dump(const char *s, const char *end, uint8_t *out, size_t cap, size_t *n)
{
    *n = 0;
    while (s < end) {
        const char *eol = memchr(s, '\n', (size_t)(end - s)), *p, *area_end;
        int i;
        if (eol == NULL)
            eol = end;
        p = skip_blank(s, eol);
        s = eol + 1;
        if (p == eol || (p + 1 == eol && *p == '\r'))
            continue;                 /* blank line */
        for (i = 0; i < 8; i++)       /* the offset */
            if (p + i >= eol || hexv(p[i]) < 0)
                return -1;
        p += 8;
        area_end = eol - p > DUMP_AREA ? p + DUMP_AREA : eol;
        while (p < area_end) {
            if (*p == ' ' || *p == '-') {
                p++;
                continue;
            }
            if (p + 2 > area_end || hexv(p[0]) < 0 || hexv(p[1]) < 0 ||
                (p + 2 < area_end && p[2] != ' ' && p[2] != '-'))
                return -1;
            if (*n == cap)
                return -1;
            out[(*n)++] = (uint8_t)(hexv(p[0]) << 4 | hexv(p[1]));
            p += 2;
        }
    }
    return *n ? 0 : -1;
}

static int cond_value(struct wfpw_inventory *inv, struct wfpw_cond *c, const char *s, const char *end)
{
    struct wfpw_arena *a = &inv->arena;
    unsigned long long lo, hi;
    int dl, dh;
    const char *dash;
    char buf[64];

    trim(&s, &end);
    if (s == end || (end - s == 1 && *s == '-')) {
        c->type = "EMPTY", c->value = "";
        return 0;
    }
    if ((dash = find(s, end, " - ")) != NULL && parse_hex(s, dash, &lo, &dl) == 0 &&
        parse_hex(dash + 3, end, &hi, &dh) == 0) {
        snprintf(buf, sizeof(buf), "%llu-%llu", lo, hi);
        c->type = "RANGE_TYPE";
    } else if (parse_hex(s, end, &lo, &dl) == 0) {
        snprintf(buf, sizeof(buf), "%llu", lo);
        c->type = dl <= 2 ? "UINT8" : dl <= 4 ? "UINT16" : dl <= 8 ? "UINT32" : "UINT64";
    } else if (end - s > 2 && strchr("OGDS", s[0]) && s[1] == ':' && !(s[0] == 'S' && s[1] == '-')) {
        c->type = "SECURITY_DESCRIPTOR_TYPE";
        c->value = wfpw_arena_strndup(a, s, (size_t)(end - s));
        return c->value ? 0 : WFPW_ENOMEM;
    } else if (end - s > 4 && memcmp(s, "S-1-", 4) == 0) {
        c->type = "SID";
        c->value = wfpw_arena_strndup(a, s, (size_t)(end - s));
        return c->value ? 0 : WFPW_ENOMEM;
    } else {
        size_t cap = (size_t)(end - s) / 3 + 16, n;
        uint8_t *bytes = wfpw_arena_alloc(a, cap);
        if (bytes == NULL)
            return WFPW_ENOMEM;
        if (parse_dump(s, end, bytes, cap, &n) == 0) {
            c->type = "BYTE_BLOB_TYPE";
            if (n >= 4 && n % 2 == 0 && bytes[n - 1] == 0 && bytes[n - 2] == 0) {
                char *t = wfpw_arena_alloc(a, n / 2 * 3 + 1);
                if (t == NULL)
                    return WFPW_ENOMEM;
                wfpw_utf16le_to_utf8(bytes, n - 2, t);  /* the app id's path, without its NUL */
                c->value = t;
            } else {
                static const char digits[] = "0123456789abcdef";
                char *t = wfpw_arena_alloc(a, n * 2 + 1);
                size_t i;
                if (t == NULL)
                    return WFPW_ENOMEM;
                for (i = 0; i < n; i++)
                    t[2 * i] = digits[bytes[i] >> 4], t[2 * i + 1] = digits[bytes[i] & 15];
                t[2 * n] = '\0';
                c->value = t;
            }
            return 0;
        }
        c->type = "UNICODE_STRING_TYPE";   /* text we have no better reading for: kept as is */
        c->value = wfpw_arena_strndup(a, s, (size_t)(end - s));
        return c->value ? 0 : WFPW_ENOMEM;
    }
    c->value = wfpw_arena_strdup(a, buf);
    return c->value ? 0 : WFPW_ENOMEM;
}

int wfpw_evt_conditions(const char *text, struct wfpw_inventory *inv, struct wfpw_filter *f, char *err, size_t errlen)
{
    const char *s = text, *end = text + strlen(text), *block;
    struct wfpw_cond conds[MAX_CONDS];
    size_t n = 0, i;
    int rc;

    f->conds = NULL, f->nconds = 0;
    while ((block = find(s, end, "Condition ID:")) != NULL) {
        const char *next = find(block + 13, end, "Condition ID:"), *bend = next ? next : end;
        const char *m = find(block, bend, "Match value:"), *v = find(block, bend, "Condition value:");
        const char *p, *q;
        struct wfpw_guid g;
        char gs[40];
        struct wfpw_cond *c = &conds[n];

        if (n == MAX_CONDS) {
            snprintf(err, errlen, "Conditions: more than %d conditions", MAX_CONDS);
            return WFPW_ESYNTAX;
        }
        if (m == NULL || v == NULL || v < m) {
            snprintf(err, errlen, "Conditions: condition %zu lacks %s", n + 1, m == NULL ? "'Match value:'" : "'Condition value:'");
            return WFPW_ESYNTAX;
        }
        memset(c, 0, sizeof(*c));
        p = skip_blank(block + 13, m);
        q = p;
        while (q < m && *q != '\n' && *q != ' ' && *q != '\t' && *q != '\r')
            q++;
        if (q - p >= (long)sizeof(gs) || (memcpy(gs, p, (size_t)(q - p)), gs[q - p] = '\0', wfpw_guid_parse(gs, &g)) != 0) {
            snprintf(err, errlen, "Conditions: condition %zu: 'Condition ID' is not a GUID", n + 1);
            return WFPW_ESYNTAX;
        }
        if ((c->field = wfpw_fwp_field_name(&g)) == NULL &&
            (c->field = wfpw_arena_strdup(&inv->arena, wfpw_guid_str(&g, gs))) == NULL)
            return WFPW_ENOMEM;
        p = m + 12, q = v;
        trim(&p, &q);
        for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
            if ((size_t)(q - p) == strlen(matches[i].text) && memcmp(p, matches[i].text, (size_t)(q - p)) == 0)
                c->match = matches[i].match;
        if (c->match == NULL && (c->match = wfpw_arena_strndup(&inv->arena, p, (size_t)(q - p))) == NULL)
            return WFPW_ENOMEM;  /* a match text we do not know is kept as written */
        if (c->match[0] == '\0') {
            snprintf(err, errlen, "Conditions: condition %zu: empty 'Match value'", n + 1);
            return WFPW_ESYNTAX;
        }
        if ((rc = cond_value(inv, c, v + 16, bend)) != 0)
            return rc;
        n++;
        s = bend;
    }
    if (n == 0) {
        const char *t = text, *e = end;
        trim(&t, &e);
        if (t != e && !(e - t == 1 && *t == '-')) {
            snprintf(err, errlen, "Conditions: text without 'Condition ID:'");
            return WFPW_ESYNTAX;
        }
        return 0;
    }
    if ((f->conds = wfpw_arena_alloc(&inv->arena, n * sizeof(*f->conds))) == NULL)
        return WFPW_ENOMEM;
    memcpy(f->conds, conds, n * sizeof(*f->conds));
    f->nconds = n;
    return 0;
}

/* ---- the events ----------------------------------------------------------------------------- */

struct reader {
    const char *(*get)(void *ctx, const char *name);
    void *ctx;
    char *err;
    size_t errlen;
    uint32_t id;
};

static const char *field(struct reader *r, const char *name)
{
    return r->get(r->ctx, name);
}

static int missing(struct reader *r, const char *name, const char *why)
{
    snprintf(r->err, r->errlen, "event %u: %s %s", (unsigned)r->id, name, why);
    return WFPW_EPROTO;
}

static int lower_guid(struct reader *r, const char *name, char out[40], int required)
{
    const char *v = field(r, name);
    struct wfpw_guid g;
    out[0] = '\0';
    if (v == NULL)
        return required ? missing(r, name, "is missing") : 0;
    if (wfpw_guid_parse(v, &g) != 0)
        return missing(r, name, "is not a GUID");
    wfpw_guid_str(&g, out);
    return 0;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *v)
{
    char *end;
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    *v = strtoull(s, &end, 10);
    return *end == '\0' && *v <= max ? 0 : -1;
}

static const char *text_or_null(const char *s)
{
    return s && s[0] && strcmp(s, "-") != 0 ? s : NULL;
}

/* 5441/5447: the filter the event describes. */
static int event_filter(struct reader *r, struct wfpw_policy_change *c)
{
    struct wfpw_filter *f;
    struct wfpw_arena *a;
    const char *action = field(r, "Action"), *type = field(r, "FilterType"), *conds = field(r, "Conditions");
    char pk[40], lk[40], ck[40];
    struct wfpw_guid g;
    unsigned long long v;
    int rc;

    if ((c->inv = wfpw_malloc(sizeof(*c->inv))) == NULL)
        return WFPW_ENOMEM;
    wfpw_inventory_init(c->inv);
    a = &c->inv->arena;
    if ((f = wfpw_inventory_add_filter(c->inv)) == NULL)
        return WFPW_ENOMEM;
    f->key = wfpw_arena_strdup(a, c->key);
    f->name = c->name;
    if (parse_uint(field(r, "FilterId"), (1ull << 53) - 1, &v) != 0)
        return missing(r, "FilterId", "is missing or not a number");
    f->id = v;
    if ((rc = lower_guid(r, "ProviderKey", pk, 0)) != 0 || (rc = lower_guid(r, "LayerKey", lk, 1)) != 0 ||
        (rc = lower_guid(r, "CalloutKey", ck, 0)) != 0)
        return rc;
    if (pk[0] && strcmp(pk, "{00000000-0000-0000-0000-000000000000}") != 0) {
        const struct wfpw_known *k = wfpw_known_provider(pk);
        f->provider_key = wfpw_arena_strdup(a, k && k->symbol ? k->symbol : pk);
    }
    wfpw_guid_parse(lk, &g);
    f->layer = wfpw_fwp_layer_name(&g) ? wfpw_fwp_layer_name(&g) : wfpw_arena_strdup(a, lk);
    if (ck[0] && strcmp(ck, "{00000000-0000-0000-0000-000000000000}") != 0) {
        wfpw_guid_parse(ck, &g);
        f->callout_key = wfpw_fwp_object_symbol(&g) ? wfpw_fwp_object_symbol(&g) : wfpw_arena_strdup(a, ck);
    }
    f->action = action == NULL ? NULL : strcmp(action, "%%16389") == 0 ? "BLOCK"
              : strcmp(action, "%%16390") == 0 ? "PERMIT" : strcmp(action, "%%16391") == 0 ? "CALLOUT_UNKNOWN" : NULL;
    if (f->action == NULL)
        return missing(r, "Action", "is not %%16389/%%16390/%%16391");
    if (field(r, "Weight")) {
        if (parse_uint(field(r, "Weight"), ~0ull, &v) != 0)
            return missing(r, "Weight", "is not a number");
        f->weight_type = "UINT64";
        f->weight_value = f->effective_weight = wfpw_arena_strdup(a, field(r, "Weight"));
    } else {
        f->weight_type = "EMPTY";
    }
    if (type && (strcmp(type, "%%16386") == 0 || strcmp(type, "%%16387") == 0)) {
        if ((f->flags = wfpw_arena_alloc(a, sizeof(*f->flags))) == NULL)
            return WFPW_ENOMEM;
        f->flags[0] = strcmp(type, "%%16386") == 0 ? "BOOTTIME" : "PERSISTENT";
        f->nflags = 1;
    }
    if (conds && (rc = wfpw_evt_conditions(conds, c->inv, f, r->err, r->errlen)) != 0)
        return rc;
    if (f->key == NULL || f->layer == NULL)
        return WFPW_ENOMEM;
    c->filter = f;
    return 0;
}

int wfpw_policy_change_parse(uint32_t event_id, const char *(*get)(void *ctx, const char *name), void *ctx,
                             struct wfpw_policy_change *c, char *err, size_t errlen)
{
    struct reader r = {get, ctx, err, errlen, event_id};
    const char *key_field, *name_field, *ct, *pid;
    unsigned long long v;
    int rc;

    memset(c, 0, sizeof(*c));
    c->event_id = event_id;
    c->pid = -1;
    switch (event_id) {
    case 5441: c->object = "filter", key_field = "FilterKey", name_field = "FilterName"; break;
    case 5447: c->object = "filter", key_field = "FilterKey", name_field = "FilterName"; break;
    case 5446: c->object = "callout", key_field = "CalloutKey", name_field = "CalloutName"; break;
    case 5448: c->object = "provider", key_field = "ProviderKey", name_field = "ProviderName"; break;
    case 5450: c->object = "sublayer", key_field = "SubLayerKey", name_field = "SubLayerName"; break;
    default: return 1;
    }
    if ((rc = lower_guid(&r, key_field, c->key, 1)) != 0)
        return rc;
    c->name = field(&r, name_field) ? field(&r, name_field) : "";
    if (event_id == 5441) {
        c->change = "present";
    } else {
        ct = field(&r, "ChangeType");
        c->change = ct == NULL ? NULL : strcmp(ct, "%%16384") == 0 ? "add" : strcmp(ct, "%%16385") == 0 ? "delete" : NULL;
        if (c->change == NULL)
            return missing(&r, "ChangeType", "is not %%16384 (add) or %%16385 (delete)");
        if ((pid = field(&r, "ProcessId")) != NULL) {
            if (parse_uint(pid, 0xFFFFFFFFull, &v) != 0)
                return missing(&r, "ProcessId", "is not a number");
            c->pid = (int64_t)v;
        }
        c->user_sid = text_or_null(field(&r, "UserSid"));
        c->user = text_or_null(field(&r, "UserName"));
    }
    if (event_id == 5441 || event_id == 5447) {
        if ((rc = event_filter(&r, c)) != 0) {
            wfpw_policy_change_free(c);
            return rc;
        }
    }
    return 0;
}

void wfpw_policy_change_free(struct wfpw_policy_change *c)
{
    if (c->inv) {
        wfpw_inventory_free(c->inv);
        wfpw_free(c->inv);
    }
    c->inv = NULL, c->filter = NULL;
}

/* who-did-it of any change, as changed_by */
static void changed_by(const struct wfpw_policy_change *c, struct wfpw_changed_by *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->object, sizeof(out->object), "%s", c->object);
    snprintf(out->key, sizeof(out->key), "%s", c->key);
    snprintf(out->name, sizeof(out->name), "%s", c->name ? c->name : "");
    out->change = c->change == NULL           ? WFPW_CHANGE_DELETE
                  : !strcmp(c->change, "add")     ? WFPW_CHANGE_ADD
                  : !strcmp(c->change, "present") ? WFPW_CHANGE_PRESENT
                                                  : WFPW_CHANGE_DELETE;
    out->pid = c->pid;
    snprintf(out->user_sid, sizeof(out->user_sid), "%s", c->user_sid ? c->user_sid : "");
    snprintf(out->user, sizeof(out->user), "%s", c->user ? c->user : "");
    out->event_id = c->event_id, out->record_id = c->record_id, out->time_ms = c->time_ms;
}

int wfpw_policy_change_attribution(const struct wfpw_policy_change *c, struct wfpw_changed_by *out)
{
    /* 5441 filter present at BFE start, 5446 callout, 5447 filter, 5448 provider, 5450 sublayer */
    if (c->event_id != 5441 && c->event_id != 5446 && c->event_id != 5447 && c->event_id != 5448 &&
        c->event_id != 5450)
        return 1;
    if (c->key[0] == '\0')
        return 1;
    changed_by(c, out);
    return 0;
}

cJSON *wfpw_policy_change_json(const struct wfpw_policy_change *c)
{
    struct wfpw_changed_by cb;
    cJSON *o = cJSON_CreateObject(), *by, *conds;
    size_t i;
    changed_by(c, &cb);
    by = wfpw_changed_by_json(&cb);
    if (o == NULL || by == NULL)
        goto oom;
    cJSON_AddStringToObject(o, "object", c->object);
    cJSON_AddStringToObject(o, "change", c->change);
    cJSON_AddStringToObject(o, "key", c->key);
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddItemToObject(o, "changed_by", by);
    by = NULL;
    if (c->filter) {
        const struct wfpw_filter *f = c->filter;
        cJSON *fo = cJSON_AddObjectToObject(o, "filter");
        if (fo == NULL)
            goto oom;
        cJSON_AddNumberToObject(fo, "id", (double)f->id);
        cJSON_AddStringToObject(fo, "layer", f->layer);
        cJSON_AddStringToObject(fo, "action", f->action);
        f->provider_key ? cJSON_AddStringToObject(fo, "provider", f->provider_key) : cJSON_AddNullToObject(fo, "provider");
        f->weight_value ? cJSON_AddStringToObject(fo, "weight", f->weight_value) : cJSON_AddNullToObject(fo, "weight");
        if ((conds = cJSON_AddArrayToObject(fo, "conditions")) == NULL)
            goto oom;
        for (i = 0; i < f->nconds; i++) {
            cJSON *co = cJSON_CreateObject();
            if (co == NULL || !cJSON_AddItemToArray(conds, co)) {
                cJSON_Delete(co);
                goto oom;
            }
            cJSON_AddStringToObject(co, "field", f->conds[i].field);
            cJSON_AddStringToObject(co, "match", f->conds[i].match);
            cJSON_AddStringToObject(co, "type", f->conds[i].type);
            cJSON_AddStringToObject(co, "value", f->conds[i].value);
        }
    }
    return o;
oom:
    cJSON_Delete(o);
    cJSON_Delete(by);
    return NULL;
}
