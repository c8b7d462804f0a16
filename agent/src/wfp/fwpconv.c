/*
 * fwpconv.c — engine objects to the inventory model (see fwpconv.h). Keys follow netsh:
 * filter keys as "{guid}", SDK-known providers and sublayers by their symbol
 * (wellknown.h), layers and condition fields by their name without prefix (fwpnames.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "fwpconv.h"
#include "fwpnames.h"
#include "wellknown.h"
#include "wfpw/attr.h"
#include "wfpw/errors.h"
#include "wfpw/utf8.h"

#define WSTR_MAX 32768u   /* UTF-16 units read from one engine string at most */

struct conv {
    struct wfpw_inventory *inv;
    const struct wfpw_fwpconv_opts *opts;
    char *err;
    size_t errlen;
    const char *what;     /* "filter {key}" for messages */
};

static const char *wstr(struct wfpw_arena *a, const uint16_t *s)
{
    size_t n = 0;
    char *out;
    if (s == NULL)
        return NULL;
    while (n < WSTR_MAX && s[n] != 0)
        n++;
    out = wfpw_arena_alloc(a, n * 3 + 1);
    if (out == NULL)
        return NULL;
    wfpw_utf16le_to_utf8((const uint8_t *)s, n * 2, out);
    return out;
}

static const char *guid_key(struct wfpw_arena *a, const struct wfpw_guid *g)
{
    char s[WFPW_GUID_STR_LEN];
    return wfpw_arena_strdup(a, wfpw_guid_str(g, s));
}

/* Provider and sublayer keys: netsh prints the SDK's objects by symbol. */
static const char *known_key(struct wfpw_arena *a, const struct wfpw_guid *g,
                             const struct wfpw_known *(*lookup)(const char *))
{
    char s[WFPW_GUID_STR_LEN];
    const struct wfpw_known *k = lookup(wfpw_guid_str(g, s));
    return wfpw_arena_strdup(a, k && k->symbol ? k->symbol : s);
}

/* Callout and provider-context keys: netsh prints Windows' own by symbol. */
static const char *object_key(struct wfpw_arena *a, const struct wfpw_guid *g)
{
    const char *sym = wfpw_fwp_object_symbol(g);
    return sym ? sym : guid_key(a, g);
}

static const char *named(struct wfpw_arena *a, const struct wfpw_guid *g, const char *(*name)(const struct wfpw_guid *))
{
    const char *n = name(g);
    return n ? n : guid_key(a, g);
}

static int fail(struct conv *c, const char *fmt, ...) WFPW_PRINTF(2, 3);
static int fail(struct conv *c, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s: %s", c->what, msg);
    return WFPW_EPROTO;
}

/* ---- flags ---------------------------------------------------------------------------------- */

struct flag_list {
    struct wfpw_arena *a;
    const char **v;
    size_t n;
};

static int add_flag(void *ctx, const char *name)
{
    struct flag_list *l = ctx;
    l->v[l->n] = wfpw_arena_strdup(l->a, name);
    return l->v[l->n++] ? 0 : WFPW_ENOMEM;
}

static int flags(struct wfpw_arena *a, enum wfpw_fwp_flag_kind kind, uint32_t bits, const char ***out, size_t *n)
{
    struct flag_list l = {a, NULL, 0};
    int rc;
    *out = NULL, *n = 0;
    if (bits == 0)
        return 0;
    if ((l.v = wfpw_arena_alloc(a, 32 * sizeof(*l.v))) == NULL)
        return WFPW_ENOMEM;
    if ((rc = wfpw_fwp_flags(kind, bits, add_flag, &l)) != 0)
        return rc;
    *out = l.v, *n = l.n;
    return 0;
}

/* ---- values --------------------------------------------------------------------------------- */

int wfpw_sid_str(const struct wfpw_sid *sid, char *out, size_t len)
{
    uint64_t auth = 0;
    size_t o;
    int i, w;
    for (i = 0; i < 6; i++)
        auth = auth << 8 | sid->authority[i];
    /* authorities of 2^32 and more are written in hex, as ConvertSidToStringSid does */
    w = auth < (1ull << 32) ? snprintf(out, len, "S-%u-%llu", sid->revision, (unsigned long long)auth)
                            : snprintf(out, len, "S-%u-0x%012llX", sid->revision, (unsigned long long)auth);
    if (w < 0 || (size_t)w >= len)
        return WFPW_ERANGE;
    o = (size_t)w;
    for (i = 0; i < sid->sub_count; i++) {
        w = snprintf(out + o, len - o, "-%u", (unsigned)sid->sub[i]);
        if (w < 0 || (size_t)w >= len - o)
            return WFPW_ERANGE;
        o += (size_t)w;
    }
    return 0;
}

static char *hex(struct wfpw_arena *a, const char *prefix, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t pl = strlen(prefix), i;
    char *out = wfpw_arena_alloc(a, pl + n * 2 + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, prefix, pl);
    for (i = 0; i < n; i++)
        out[pl + 2 * i] = digits[p[i] >> 4], out[pl + 2 * i + 1] = digits[p[i] & 15];
    out[pl + 2 * n] = '\0';
    return out;
}

/* A blob that is NUL-terminated UTF-16LE text without control characters (an app id). */
static int blob_is_text(const struct wfpw_fwp_blob *b)
{
    uint32_t i;
    if (b->size < 4 || b->size % 2 || b->data[b->size - 1] || b->data[b->size - 2])
        return 0;
    for (i = 0; i + 2 < b->size; i += 2) {
        unsigned cu = (unsigned)b->data[i] | (unsigned)b->data[i + 1] << 8;
        if (cu < 0x20 || (cu >= 0xD800 && cu <= 0xDFFF))
            return 0;
    }
    return 1;
}

/* An FWP_VALUE0 as the FWP_CONDITION_VALUE0 it is a subset of (same type codes, same slots). */
static struct wfpw_fwp_cond_value widen(const struct wfpw_fwp_value *v)
{
    struct wfpw_fwp_cond_value cv;
    memset(&cv, 0, sizeof(cv));
    cv.type = v->type;
    memcpy(&cv.u, &v->u, sizeof(v->u));
    return cv;
}

/* The value as text into the arena; *v NULL with an error on a malformed value. */
static int render(struct conv *c, const struct wfpw_fwp_cond_value *cv, const char **v)
{
    uint32_t type = cv->type;
    struct wfpw_arena *a = &c->inv->arena;
    char buf[128];
    const char *tname = wfpw_fwp_type_name(type) ? wfpw_fwp_type_name(type) : "unknown type";
    *v = NULL;

#define NEED(p) do { if ((p) == NULL) return fail(c, "%s value without data", tname); } while (0)
    switch (type) {
    case WFPW_FWP_EMPTY: *v = ""; return 0;
    case WFPW_FWP_UINT8: snprintf(buf, sizeof(buf), "%u", cv->u.u8); break;
    case WFPW_FWP_UINT16: snprintf(buf, sizeof(buf), "%u", cv->u.u16); break;
    case WFPW_FWP_UINT32: snprintf(buf, sizeof(buf), "%lu", (unsigned long)cv->u.u32); break;
    case WFPW_FWP_UINT64: NEED(cv->u.u64); snprintf(buf, sizeof(buf), "%llu", (unsigned long long)*cv->u.u64); break;
    case WFPW_FWP_INT8: snprintf(buf, sizeof(buf), "%d", cv->u.i8); break;
    case WFPW_FWP_INT16: snprintf(buf, sizeof(buf), "%d", cv->u.i16); break;
    case WFPW_FWP_INT32: snprintf(buf, sizeof(buf), "%ld", (long)cv->u.i32); break;
    case WFPW_FWP_INT64: NEED(cv->u.i64); snprintf(buf, sizeof(buf), "%lld", (long long)*cv->u.i64); break;
    case WFPW_FWP_FLOAT: snprintf(buf, sizeof(buf), "%g", (double)cv->u.f32); break;
    case WFPW_FWP_DOUBLE: NEED(cv->u.f64); snprintf(buf, sizeof(buf), "%g", *cv->u.f64); break;
    case WFPW_FWP_BYTE_ARRAY16_TYPE:
        NEED(cv->u.a16);
        if (uv_inet_ntop(AF_INET6, cv->u.a16, buf, sizeof(buf)) != 0)
            return fail(c, "%s value is not an address", tname);
        break;
    case WFPW_FWP_BYTE_ARRAY6_TYPE:
        NEED(cv->u.a6);
        snprintf(buf, sizeof(buf), "%02x-%02x-%02x-%02x-%02x-%02x", cv->u.a6[0], cv->u.a6[1], cv->u.a6[2],
                 cv->u.a6[3], cv->u.a6[4], cv->u.a6[5]);
        break;
    case WFPW_FWP_BYTE_BLOB_TYPE:
    case WFPW_FWP_SECURITY_DESCRIPTOR_TYPE:
    case WFPW_FWP_TOKEN_ACCESS_INFORMATION_TYPE: {
        const struct wfpw_fwp_blob *b = cv->u.blob;   /* byteBlob, sd, tokenAccessInformation share the slot */
        NEED(b);
        if (b->size && b->data == NULL)
            return fail(c, "%s value without data", tname);
        if (type == WFPW_FWP_BYTE_BLOB_TYPE && blob_is_text(b)) {
            char *t = wfpw_arena_alloc(a, b->size / 2 * 3 + 1);
            if (t == NULL)
                return WFPW_ENOMEM;
            wfpw_utf16le_to_utf8(b->data, b->size - 2, t);
            *v = t;
            return 0;
        }
        if (type == WFPW_FWP_SECURITY_DESCRIPTOR_TYPE && c->opts && c->opts->sd_to_sddl) {
            /* SDDL spends at most ~4 characters per descriptor byte (a 28-byte ACE with a
             * service SID is ~75 characters) */
            size_t cap = 256 + (size_t)b->size * 4;
            char *sddl = wfpw_arena_alloc(a, cap);
            if (sddl == NULL)
                return WFPW_ENOMEM;
            if (c->opts->sd_to_sddl(c->opts->ctx, b->data, b->size, sddl, cap) == 0) {
                *v = sddl;
                return 0;
            }
        }
        *v = hex(a, type == WFPW_FWP_SECURITY_DESCRIPTOR_TYPE ? "sd:" : "", b->data, b->size);
        return *v ? 0 : WFPW_ENOMEM;
    }
    case WFPW_FWP_SID:
        NEED(cv->u.sid);
        if (cv->u.sid->sub_count > 15 || wfpw_sid_str(cv->u.sid, buf, sizeof(buf)) != 0)
            return fail(c, "%s value is malformed", tname);
        break;
    case WFPW_FWP_UNICODE_STRING_TYPE:
        NEED(cv->u.ustr);
        *v = wstr(a, cv->u.ustr);
        return *v ? 0 : WFPW_ENOMEM;
    case WFPW_FWP_V4_ADDR_MASK: {
        uint32_t ad, m;
        NEED(cv->u.v4);
        ad = cv->u.v4->addr, m = cv->u.v4->mask;
        snprintf(buf, sizeof(buf), "%u.%u.%u.%u/%u.%u.%u.%u", ad >> 24, ad >> 16 & 255, ad >> 8 & 255, ad & 255,
                 m >> 24, m >> 16 & 255, m >> 8 & 255, m & 255);
        break;
    }
    case WFPW_FWP_V6_ADDR_MASK: {
        char ip[64];
        NEED(cv->u.v6);
        if (cv->u.v6->prefix_len > 128 || uv_inet_ntop(AF_INET6, cv->u.v6->addr, ip, sizeof(ip)) != 0)
            return fail(c, "%s value is malformed", tname);
        snprintf(buf, sizeof(buf), "%s/%u", ip, cv->u.v6->prefix_len);
        break;
    }
    case WFPW_FWP_RANGE_TYPE: {
        struct wfpw_fwp_cond_value low, high;
        const char *lo, *hi;
        char *t;
        int rc;
        NEED(cv->u.range);
        low = widen(&cv->u.range->low), high = widen(&cv->u.range->high);
        if (low.type >= WFPW_FWP_V4_ADDR_MASK || high.type >= WFPW_FWP_V4_ADDR_MASK)
            return fail(c, "%s bounds are not single values", tname);
        if ((rc = render(c, &low, &lo)) != 0 || (rc = render(c, &high, &hi)) != 0)
            return rc;
        if ((t = wfpw_arena_alloc(a, strlen(lo) + strlen(hi) + 2)) == NULL)
            return WFPW_ENOMEM;
        sprintf(t, "%s-%s", lo, hi);
        *v = t;
        return 0;
    }
    case WFPW_FWP_TOKEN_INFORMATION_TYPE:
    case WFPW_FWP_BITMAP_INDEX_TYPE:
    case WFPW_FWP_BITMAP_ARRAY64_TYPE:
        /* no stable text form; the type name says what it is */
        snprintf(buf, sizeof(buf), "(%s)", tname);
        break;
    default:
        /* a type a later Windows adds: kept visible rather than failing the whole inventory */
        snprintf(buf, sizeof(buf), "(unsupported value type %lu)", (unsigned long)type);
        break;
    }
#undef NEED
    *v = wfpw_arena_strdup(a, buf);
    return *v ? 0 : WFPW_ENOMEM;
}

/* ---- objects -------------------------------------------------------------------------------- */

static int weight(struct conv *c, const struct wfpw_fwp_value *w, const char **type, const char **value)
{
    struct wfpw_fwp_cond_value cv = widen(w);
    *value = NULL;
    switch (w->type) {
    case WFPW_FWP_EMPTY: *type = "EMPTY"; return 0;
    case WFPW_FWP_UINT8: *type = "UINT8"; break;
    case WFPW_FWP_UINT64: *type = "UINT64"; break;
    default: return fail(c, "weight of type %lu (EMPTY, UINT8 or UINT64 expected)", (unsigned long)w->type);
    }
    return render(c, &cv, value);
}

static int convert_filter(struct wfpw_inventory *inv, const struct wfpw_fwpm_filter *f,
                          const struct wfpw_fwpconv_opts *opts, char *err, size_t errlen)
{
    struct wfpw_arena *a = &inv->arena;
    char what[64], ks[WFPW_GUID_STR_LEN];
    struct conv c = {inv, opts, err, errlen, what};
    struct wfpw_filter *out;
    const char *action, *ew_type, *ew_value;
    uint32_t i;
    int rc;

    snprintf(what, sizeof(what), "filter %s", wfpw_guid_str(&f->key, ks));
    if ((action = wfpw_fwp_action_name(f->action.type)) == NULL) {
        /* an action type a later Windows adds: kept by its number (proto: "ACTION_0x..."), like
         * unknown match and value types; one filter never costs the whole inventory */
        char t[32];
        snprintf(t, sizeof(t), "ACTION_0x%lx", (unsigned long)f->action.type);
        if ((action = wfpw_arena_strdup(a, t)) == NULL)
            return WFPW_ENOMEM;
    }
    if (f->nconds && f->conds == NULL)
        return fail(&c, "%lu conditions announced but none given", (unsigned long)f->nconds);
    if ((out = wfpw_inventory_add_filter(inv)) == NULL)
        return WFPW_ENOMEM;
    out->key = wfpw_arena_strdup(a, ks);
    out->id = f->id;
    out->name = f->display.name ? wstr(a, f->display.name) : "";
    out->description = wstr(a, f->display.description);
    out->provider_key = f->provider_key ? known_key(a, f->provider_key, wfpw_known_provider) : NULL;
    out->layer = named(a, &f->layer_key, wfpw_fwp_layer_name);
    out->sublayer_key = known_key(a, &f->sublayer_key, wfpw_known_sublayer);
    out->action = action;
    out->callout_key = wfpw_guid_is_null(&f->action.filter_type) ? NULL : object_key(a, &f->action.filter_type);
    out->provider_context_key = (f->flags & WFPW_FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT)
                                    ? object_key(a, &f->ctx.provider_context_key) : NULL;
    if (out->key == NULL || out->name == NULL || out->layer == NULL || out->sublayer_key == NULL)
        return WFPW_ENOMEM;
    if ((rc = flags(a, WFPW_FLAGS_FILTER, f->flags, &out->flags, &out->nflags)) != 0 ||
        (rc = weight(&c, &f->weight, &out->weight_type, &out->weight_value)) != 0)
        return rc;
    if (f->effective_weight.type != WFPW_FWP_EMPTY) {
        if ((rc = weight(&c, &f->effective_weight, &ew_type, &ew_value)) != 0)
            return rc;
        out->effective_weight = ew_value;
    }
    if (f->nconds) {
        if ((out->conds = wfpw_arena_alloc(a, f->nconds * sizeof(*out->conds))) == NULL)
            return WFPW_ENOMEM;
        memset(out->conds, 0, f->nconds * sizeof(*out->conds));
    }
    for (i = 0; i < f->nconds; i++) {
        const struct wfpw_fwpm_cond *in = &f->conds[i];
        struct wfpw_cond *oc = &out->conds[i];
        char cwhat[96];
        snprintf(cwhat, sizeof(cwhat), "%s condition %lu", what, (unsigned long)i + 1);
        c.what = cwhat;
        oc->field = named(a, &in->field, wfpw_fwp_field_name);
        oc->match = wfpw_fwp_match_name(in->match);
        oc->type = wfpw_fwp_type_name(in->value.type);
        if (oc->match == NULL || oc->type == NULL) {
            /* enumerations a later Windows extends: named by number, the filter still counts */
            char t[32];
            if (oc->match == NULL) {
                snprintf(t, sizeof(t), "MATCH_%lu", (unsigned long)in->match);
                oc->match = wfpw_arena_strdup(a, t);
            }
            if (oc->type == NULL) {
                snprintf(t, sizeof(t), "TYPE_%lu", (unsigned long)in->value.type);
                oc->type = wfpw_arena_strdup(a, t);
            }
        }
        if (oc->field == NULL || oc->match == NULL || oc->type == NULL)
            return WFPW_ENOMEM;
        if ((rc = render(&c, &in->value, &oc->value)) != 0)
            return rc;
        out->nconds++;
    }
    return 0;
}

int wfpw_fwpconv_filter(struct wfpw_inventory *inv, const struct wfpw_fwpm_filter *f,
                        const struct wfpw_fwpconv_opts *opts, char *err, size_t errlen)
{
    size_t before = inv->nfilters;
    int rc = convert_filter(inv, f, opts, err, errlen);
    if (rc != 0)
        inv->nfilters = before;  /* nothing half-converted stays in the model */
    return rc;
}

int wfpw_fwpconv_provider(struct wfpw_inventory *inv, const struct wfpw_fwpm_provider *p, char *err, size_t errlen)
{
    struct wfpw_arena *a = &inv->arena;
    struct wfpw_provider *out = wfpw_inventory_add_provider(inv);
    (void)err, (void)errlen;
    if (out == NULL)
        return WFPW_ENOMEM;
    out->key = known_key(a, &p->key, wfpw_known_provider);
    out->name = p->display.name ? wstr(a, p->display.name) : "";
    out->description = wstr(a, p->display.description);
    out->service = wstr(a, p->service_name);
    if (out->key == NULL || out->name == NULL)
        return WFPW_ENOMEM;
    return flags(a, WFPW_FLAGS_PROVIDER, p->flags, &out->flags, &out->nflags);
}

int wfpw_fwpconv_sublayer(struct wfpw_inventory *inv, const struct wfpw_fwpm_sublayer *s, char *err, size_t errlen)
{
    struct wfpw_arena *a = &inv->arena;
    struct wfpw_sublayer *out = wfpw_inventory_add_sublayer(inv);
    (void)err, (void)errlen;
    if (out == NULL)
        return WFPW_ENOMEM;
    out->key = known_key(a, &s->key, wfpw_known_sublayer);
    out->name = s->display.name ? wstr(a, s->display.name) : "";
    out->description = wstr(a, s->display.description);
    out->provider_key = s->provider_key ? known_key(a, s->provider_key, wfpw_known_provider) : NULL;
    out->weight = s->weight;
    return out->key && out->name ? 0 : WFPW_ENOMEM;
}

int wfpw_fwpconv_callout(struct wfpw_inventory *inv, const struct wfpw_fwpm_callout *co, char *err, size_t errlen)
{
    struct wfpw_arena *a = &inv->arena;
    struct wfpw_callout *out = wfpw_inventory_add_callout(inv);
    (void)err, (void)errlen;
    if (out == NULL)
        return WFPW_ENOMEM;
    out->key = object_key(a, &co->key);
    out->name = co->display.name ? wstr(a, co->display.name) : "";
    out->provider_key = co->provider_key ? known_key(a, co->provider_key, wfpw_known_provider) : NULL;
    out->layer = named(a, &co->layer, wfpw_fwp_layer_name);
    return out->key && out->name && out->layer ? 0 : WFPW_ENOMEM;
}
