/*
 * engine-build.c — the WFP engine's structures (src/wfp/fwpm.h) built from the inventory model:
 * what FwpmFilterEnum0 / FwpmProviderEnum0 / FwpmSubLayerEnum0 / FwpmCalloutEnum0 hand over for
 * a host whose `netsh wfp show state` is that inventory. test-fwpconv.c checks the conversion
 * back is the identity; the stand-in fwpuclnt.dll (tests/windows/standin/fwpuclnt.c) hands these
 * to the real agent under Wine. Security descriptors carry their SDDL text as their bytes (the
 * stand-ins render them back). All memory comes from the caller's arena.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-build.h"
#include "fwpnames.h"
#include "wellknown.h"


static struct wfpw_guid guid_of(const char *key, const struct wfpw_known *(*lookup)(const char *))
{
    struct wfpw_guid g;
    const struct wfpw_known *k = lookup ? lookup(key) : NULL;
    memset(&g, 0, sizeof(g));
    if (k && k->guid)
        key = k->guid;
    if (key[0] == 'F' && wfpw_fwp_object_guid(key, &g) == 0)
        return g;
    if (wfpw_guid_parse(key, &g) != 0) {
        fprintf(stderr, "test cannot encode key '%s'\n", key);
        abort();
    }
    return g;
}

static struct wfpw_guid *guid_ptr(struct wfpw_arena *a, const char *key, const struct wfpw_known *(*lookup)(const char *))
{
    struct wfpw_guid *g;
    if (key == NULL)
        return NULL;
    g = wfpw_arena_alloc(a, sizeof(*g));
    *g = guid_of(key, lookup);
    return g;
}

/* UTF-8 -> NUL-terminated UTF-16 (what the engine's WCHAR strings are). */
static uint16_t *wide(struct wfpw_arena *a, const char *s, uint32_t *bytes)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    uint16_t *w;
    if (s == NULL)
        return NULL;
    w = wfpw_arena_alloc(a, (strlen(s) + 1) * 2);
    while (*p) {
        uint32_t c = *p++;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (more)
            c &= 0x3Fu >> more;
        while (more-- > 0)
            c = c << 6 | (*p++ & 0x3Fu);
        if (c >= 0x10000) {
            c -= 0x10000;
            w[n++] = (uint16_t)(0xD800 + (c >> 10));
            c = 0xDC00 + (c & 0x3FF);
        }
        w[n++] = (uint16_t)c;
    }
    w[n] = 0;
    if (bytes)
        *bytes = (uint32_t)(n + 1) * 2;
    return w;
}

static int copy_name(void *ctx, const char *name)
{
    snprintf(ctx, 48, "%s", name);
    return 0;
}

static uint32_t flag_bits(const char **names, size_t n, enum wfpw_fwp_flag_kind kind)
{
    uint32_t bits = 0;
    unsigned bit;
    size_t i;
    for (bit = 0; bit < 32; bit++) {
        char name[48] = "";
        wfpw_fwp_flags(kind, 1u << bit, copy_name, name);
        for (i = 0; i < n; i++)
            if (strcmp(names[i], name) == 0)
                bits |= 1u << bit;
    }
    return bits;
}

static uint32_t type_code(const char *name)
{
    uint32_t t;
    for (t = 0; t < 0x103; t++)
        if (wfpw_fwp_type_name(t) && strcmp(wfpw_fwp_type_name(t), name) == 0)
            return t;
    fprintf(stderr, "unknown type name %s\n", name);
    abort();
}

static uint32_t match_code(const char *name)
{
    uint32_t m;
    for (m = 0; wfpw_fwp_match_name(m); m++)
        if (strcmp(wfpw_fwp_match_name(m), name) == 0)
            return m;
    abort();
}

static uint32_t action_code(const char *name)
{
    static const uint32_t codes[] = {0x1001, 0x1002, 0x5003, 0x6004, 0x4005, 0x2006, 7, 8};
    size_t i;
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(wfpw_fwp_action_name(codes[i]), name) == 0)
            return codes[i];
    if (strncmp(name, "ACTION_0x", 9) == 0) /* kept by number (a later Windows) */
        return (uint32_t)strtoul(name + 9, NULL, 16);
    abort();
}

static uint64_t *u64p(struct wfpw_arena *a, const char *dec)
{
    uint64_t *p = wfpw_arena_alloc(a, sizeof(*p));
    *p = strtoull(dec, NULL, 10);
    return p;
}

/* A SID from "S-1-5-..." (what the engine returns is the binary structure). */
static struct wfpw_sid *sid_from(struct wfpw_arena *a, const char *s)
{
    struct wfpw_sid *sid = wfpw_arena_alloc(a, sizeof(*sid) + 15 * sizeof(uint32_t));
    unsigned long long auth;
    char *end;
    int i;
    memset(sid, 0, sizeof(*sid));
    if (strncmp(s, "S-1-", 4) != 0) {
        fprintf(stderr, "engine-build: not a SID: %s\n", s);
        abort();
    }
    sid->revision = 1;
    auth = strtoull(s + 4, &end, 10);
    for (i = 0; i < 6; i++)
        sid->authority[5 - i] = (uint8_t)(auth >> (8 * i));
    while (*end == '-') {
        sid->sub[sid->sub_count++] = (uint32_t)strtoul(end + 1, &end, 10);
    }
    return sid;
}

static void value_from(struct wfpw_arena *a, const struct wfpw_cond *c, struct wfpw_fwp_cond_value *v)
{
    const char *s = c->value;
    memset(v, 0, sizeof(*v));
    v->type = type_code(c->type);
    switch (v->type) {
    case WFPW_FWP_EMPTY: break;
    case WFPW_FWP_UINT8: v->u.u8 = (uint8_t)strtoul(s, NULL, 10); break;
    case WFPW_FWP_UINT16: v->u.u16 = (uint16_t)strtoul(s, NULL, 10); break;
    case WFPW_FWP_UINT32: v->u.u32 = (uint32_t)strtoul(s, NULL, 10); break;
    case WFPW_FWP_UINT64: v->u.u64 = u64p(a, s); break;
    case WFPW_FWP_SID: v->u.sid = sid_from(a, s); break;
    case WFPW_FWP_BYTE_BLOB_TYPE:
    case WFPW_FWP_SECURITY_DESCRIPTOR_TYPE: {
        struct wfpw_fwp_blob *b = wfpw_arena_alloc(a, sizeof(*b));
        if (v->type == WFPW_FWP_BYTE_BLOB_TYPE) {
            b->data = (uint8_t *)wide(a, s, &b->size); /* an app id: UTF-16LE with its NUL */
        } else {
            b->size = (uint32_t)strlen(s); /* the test's SD "binary" is its SDDL (see fake_sddl) */
            b->data = (uint8_t *)wfpw_arena_strdup(a, s);
        }
        v->u.blob = b;
        break;
    }
    case WFPW_FWP_V4_ADDR_MASK: {
        struct wfpw_fwp_v4mask *m = wfpw_arena_alloc(a, sizeof(*m));
        unsigned x[8];
        if (sscanf(s, "%u.%u.%u.%u/%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7]) != 8)
            abort();
        m->addr = x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3];
        m->mask = x[4] << 24 | x[5] << 16 | x[6] << 8 | x[7];
        v->u.v4 = m;
        break;
    }
    case WFPW_FWP_RANGE_TYPE: {
        struct wfpw_fwp_range *r = wfpw_arena_alloc(a, sizeof(*r));
        unsigned lo, hi;
        memset(r, 0, sizeof(*r));
        if (sscanf(s, "%u-%u", &lo, &hi) != 2)
            abort();
        r->low.type = r->high.type = WFPW_FWP_UINT16;
        r->low.u.u16 = (uint16_t)lo, r->high.u.u16 = (uint16_t)hi;
        v->u.range = r;
        break;
    }
    default:
        fprintf(stderr, "test has no encoder for %s\n", c->type);
        abort();
    }
}

static void weight_from(struct wfpw_arena *a, const char *type, const char *value, struct wfpw_fwp_value *w)
{
    memset(w, 0, sizeof(*w));
    if (type == NULL || strcmp(type, "EMPTY") == 0)
        return;
    w->type = type_code(type);
    if (w->type == WFPW_FWP_UINT8)
        w->u.u8 = (uint8_t)strtoul(value, NULL, 10);
    else
        w->u.u64 = u64p(a, value);
}

void wfpw_test_engine_filter(struct wfpw_arena *a, const struct wfpw_filter *in, struct wfpw_fwpm_filter *f)
{
    size_t i;
    memset(f, 0, sizeof(*f));
    f->key = guid_of(in->key, NULL);
    f->display.name = wide(a, in->name, NULL);
    f->display.description = wide(a, in->description, NULL);
    f->flags = flag_bits(in->flags, in->nflags, WFPW_FLAGS_FILTER);
    f->provider_key = guid_ptr(a, in->provider_key, wfpw_known_provider);
    if (wfpw_fwp_layer_guid(in->layer, &f->layer_key) != 0)
        f->layer_key = guid_of(in->layer, NULL);
    f->sublayer_key = guid_of(in->sublayer_key, wfpw_known_sublayer);
    weight_from(a, in->weight_type, in->weight_value, &f->weight);
    f->nconds = (uint32_t)in->nconds;
    f->conds = in->nconds ? wfpw_arena_alloc(a, in->nconds * sizeof(*f->conds)) : NULL;
    for (i = 0; i < in->nconds; i++) {
        if (wfpw_fwp_field_guid(in->conds[i].field, &f->conds[i].field) != 0)
            f->conds[i].field = guid_of(in->conds[i].field, NULL);
        f->conds[i].match = match_code(in->conds[i].match);
        value_from(a, &in->conds[i], &f->conds[i].value);
    }
    f->action.type = action_code(in->action);
    if (in->callout_key)
        f->action.filter_type = guid_of(in->callout_key, NULL);
    if (in->provider_context_key)
        f->ctx.provider_context_key = guid_of(in->provider_context_key, NULL);
    f->id = in->id;
    if (in->effective_weight)
        weight_from(a, "UINT64", in->effective_weight, &f->effective_weight);
}

void wfpw_test_engine_provider(struct wfpw_arena *a, const struct wfpw_provider *in, struct wfpw_fwpm_provider *p)
{
    memset(p, 0, sizeof(*p));
    p->key = guid_of(in->key, wfpw_known_provider);
    p->display.name = wide(a, in->name, NULL);
    p->display.description = wide(a, in->description, NULL);
    p->flags = flag_bits(in->flags, in->nflags, WFPW_FLAGS_PROVIDER);
    p->service_name = wide(a, in->service, NULL);
}

void wfpw_test_engine_sublayer(struct wfpw_arena *a, const struct wfpw_sublayer *in, struct wfpw_fwpm_sublayer *s)
{
    memset(s, 0, sizeof(*s));
    s->key = guid_of(in->key, wfpw_known_sublayer);
    s->display.name = wide(a, in->name, NULL);
    s->display.description = wide(a, in->description, NULL);
    s->provider_key = guid_ptr(a, in->provider_key, wfpw_known_provider);
    s->weight = (uint16_t)in->weight;
}

void wfpw_test_engine_callout(struct wfpw_arena *a, const struct wfpw_callout *in, struct wfpw_fwpm_callout *c)
{
    memset(c, 0, sizeof(*c));
    c->key = guid_of(in->key, NULL);
    c->display.name = wide(a, in->name, NULL);
    c->provider_key = guid_ptr(a, in->provider_key, wfpw_known_provider);
    if (wfpw_fwp_layer_guid(in->layer, &c->layer) != 0)
        c->layer = guid_of(in->layer, NULL);
}

uint16_t *wfpw_test_wide(struct wfpw_arena *a, const char *s, uint32_t *bytes)
{
    return wide(a, s, bytes);
}
