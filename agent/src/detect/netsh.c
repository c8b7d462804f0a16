/*
 * netsh.c — `netsh wfp show filters|state` XML reader (see netsh.h).
 *
 * The reader keeps the stack of open element names and the text of the current leaf.
 * Objects start at fixed places: <wfpdiag>/filters/item, <wfpstate>/layers/item/filters/item
 * (filters), <root>/providers/item, <wfpstate>/subLayers/item. Inside an object, a leaf is
 * identified by its path relative to the object, e.g. "displayData/name" or
 * "filterCondition/item/conditionValue/byteBlob/asString".
 */
#include "netsh.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "wfpw/attr.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define MAX_DEPTH 32
#define MAX_TEXT (1u << 20)

enum obj { OBJ_NONE, OBJ_FILTER, OBJ_PROVIDER, OBJ_SUBLAYER, OBJ_CALLOUT };

struct wfpw_netsh {
    XML_Parser xp;
    struct wfpw_inventory *inv;
    char names[MAX_DEPTH][32];    /* open elements (truncated names) */
    unsigned char parent[MAX_DEPTH]; /* 1 when the open element has child elements */
    int depth;
    int root_closed;              /* the first root element ended: ignore what follows */
    int root;                     /* 1 wfpdiag, 2 wfpstate */
    struct wfpw_buf text;         /* text of the current element */
    enum obj obj;
    int obj_depth;                /* depth of the object's <item> */
    size_t fi;                    /* index of the current filter / provider / sublayer */
    /* condition being read */
    struct wfpw_buf flags;        /* flags collected for the current object, NUL-separated */
    size_t nflags;
    struct wfpw_cond *conds;      /* wfpw_malloc'd while reading, moved to the arena at the end */
    size_t nconds, cap_conds;
    char *cv_low, *cv_high, *cv_addr, *cv_mask, *cv_str, *cv_data, *cv_plain; /* arena */
    int rc;
    char err[256];
};

static void fail(struct wfpw_netsh *r, int rc, const char *fmt, ...) WFPW_PRINTF(3, 4);
static void fail(struct wfpw_netsh *r, int rc, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    if (r->rc)
        return;
    r->rc = rc;
    snprintf(r->err, sizeof(r->err), "line %lu, <%s>: ", (unsigned long)XML_GetCurrentLineNumber(r->xp),
             r->depth > 0 ? r->names[r->depth - 1] : "document");
    n = strlen(r->err);
    va_start(ap, fmt);
    vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
    va_end(ap);
    XML_StopParser(r->xp, XML_FALSE);
}

static const char *strip(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 && s[n] ? s + n : s;
}

/* Arena copy of the current text with a kind prefix removed and {GUIDs} in lower case;
 * NULL for empty text. */
static const char *keep(struct wfpw_netsh *r, const char *prefix)
{
    const char *t = r->text.data ? r->text.data : "";
    char *p;
    size_t i;
    if (*t == '\0')
        return NULL;
    if (prefix)
        t = strip(t, prefix);
    p = wfpw_arena_strdup(&r->inv->arena, t);
    if (p == NULL) {
        fail(r, WFPW_ENOMEM, "out of memory");
        return NULL;
    }
    if (p[0] == '{')
        for (i = 0; p[i]; i++)
            if (p[i] >= 'A' && p[i] <= 'F')
                p[i] = (char)(p[i] + 32);
    return p;
}

static int rel_is(struct wfpw_netsh *r, const char *path)
{
    /* the path of the current element relative to the object item, '/'-separated */
    int d = r->obj_depth + 1, i;
    const char *p = path;
    for (i = d; i < r->depth; i++) {
        size_t n = strlen(r->names[i]);
        if (strncmp(p, r->names[i], n) != 0)
            return 0;
        p += n;
        if (i + 1 < r->depth) {
            if (*p != '/')
                return 0;
            p++;
        }
    }
    return *p == '\0' && r->depth > d;
}

static int at(struct wfpw_netsh *r, int depth, const char *name)
{
    return depth < r->depth && strcmp(r->names[depth], name) == 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct wfpw_netsh *r = ud;
    (void)attrs;
    if (r->rc)
        return;
    if (r->root_closed) {
        XML_StopParser(r->xp, XML_FALSE); /* <firewallState> after the dump: done */
        return;
    }
    if (r->depth >= MAX_DEPTH) {
        fail(r, WFPW_ESYNTAX, "elements nested deeper than 32");
        return;
    }
    snprintf(r->names[r->depth], sizeof(r->names[0]), "%s", name);
    r->parent[r->depth] = 0;
    if (r->depth > 0)
        r->parent[r->depth - 1] = 1;
    r->depth++;
    wfpw_buf_reset(&r->text);
    if (r->depth == 1) {
        if (strcmp(name, "wfpdiag") == 0)
            r->root = 1, r->inv->source = "netsh wfp show filters";
        else if (strcmp(name, "wfpstate") == 0)
            r->root = 2, r->inv->source = "netsh wfp show state";
        else
            fail(r, WFPW_EPROTO, "not a netsh wfp dump (root must be <wfpdiag> or <wfpstate>)");
        return;
    }
    if (r->obj == OBJ_NONE && strcmp(name, "item") == 0) {
        int filter = (r->root == 1 && r->depth == 3 && at(r, 1, "filters")) ||
                     (r->root == 2 && r->depth == 5 && at(r, 1, "layers") && at(r, 3, "filters"));
        int provider = r->depth == 3 && at(r, 1, "providers");
        int sublayer = r->root == 2 && r->depth == 3 && at(r, 1, "subLayers");
        int callout = r->root == 2 && r->depth == 5 && at(r, 1, "layers") && at(r, 3, "callouts");
        void *o = NULL;
        if (filter)
            o = wfpw_inventory_add_filter(r->inv), r->obj = OBJ_FILTER, r->fi = r->inv->nfilters - 1;
        else if (provider)
            o = wfpw_inventory_add_provider(r->inv), r->obj = OBJ_PROVIDER, r->fi = r->inv->nproviders - 1;
        else if (sublayer)
            o = wfpw_inventory_add_sublayer(r->inv), r->obj = OBJ_SUBLAYER, r->fi = r->inv->nsublayers - 1;
        else if (callout)
            o = wfpw_inventory_add_callout(r->inv), r->obj = OBJ_CALLOUT, r->fi = r->inv->ncallouts - 1;
        if ((filter || provider || sublayer || callout) && o == NULL) {
            r->obj = OBJ_NONE;
            fail(r, WFPW_ENOMEM, "out of memory");
            return;
        }
        if (r->obj != OBJ_NONE) {
            r->obj_depth = r->depth - 1;
            wfpw_buf_reset(&r->flags);
            r->nflags = 0;
            r->nconds = 0;
        }
        return;
    }
    if (r->obj == OBJ_FILTER && rel_is(r, "filterCondition/item")) {
        struct wfpw_cond *c;
        if (r->nconds == r->cap_conds) {
            size_t ncap = r->cap_conds ? r->cap_conds * 2 : 8;
            void *q = ncap > 4096 ? NULL : wfpw_realloc(r->conds, ncap * sizeof(*c));
            if (q == NULL) {
                fail(r, ncap > 4096 ? WFPW_ETOOBIG : WFPW_ENOMEM, "too many conditions");
                return;
            }
            r->conds = q;
            r->cap_conds = ncap;
        }
        c = &r->conds[r->nconds++];
        memset(c, 0, sizeof(*c));
        r->cv_low = r->cv_high = r->cv_addr = r->cv_mask = r->cv_str = r->cv_data = r->cv_plain = NULL;
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct wfpw_netsh *r = ud;
    if (r->rc || r->depth == 0)
        return;
    if (wfpw_buf_append(&r->text, s, (size_t)len) != 0)
        fail(r, WFPW_ETOOBIG, "element text longer than 1 MiB");
}

static const char **flags_array(struct wfpw_netsh *r)
{
    const char **a;
    const char *p = r->flags.data;
    size_t i;
    if (r->nflags == 0)
        return NULL;
    a = wfpw_arena_alloc(&r->inv->arena, r->nflags * sizeof(*a));
    if (a == NULL) {
        fail(r, WFPW_ENOMEM, "out of memory");
        return NULL;
    }
    for (i = 0; i < r->nflags; i++) {
        a[i] = wfpw_arena_strdup(&r->inv->arena, p);
        p += strlen(p) + 1;
    }
    return a;
}

static void add_flag(struct wfpw_netsh *r, const char *prefix)
{
    const char *t = r->text.data ? strip(r->text.data, prefix) : "";
    if (*t == '\0')
        return;
    if (wfpw_buf_append(&r->flags, t, strlen(t) + 1) != 0)
        fail(r, WFPW_ETOOBIG, "too many flags");
    else
        r->nflags++;
}

static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (s == NULL || *s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

static int hexval(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* An app id blob is the UTF-16LE device path with its NUL ("5c006400..0000"): decode it to
 * UTF-8 when netsh gave no <asString>. NULL when the blob is not such a string. */
static char *utf16_blob_to_path(struct wfpw_arena *a, const char *hex)
{
    size_t n = strlen(hex), i, o = 0;
    char *out;
    if (n == 0 || n % 4 != 0)
        return NULL;
    out = wfpw_arena_alloc(a, n / 4 * 3 + 1);
    if (out == NULL)
        return NULL;
    for (i = 0; i + 3 < n; i += 4) {
        int h0 = hexval(hex[i]), h1 = hexval(hex[i + 1]), h2 = hexval(hex[i + 2]), h3 = hexval(hex[i + 3]);
        unsigned cu;
        if (h0 < 0 || h1 < 0 || h2 < 0 || h3 < 0)
            return NULL;
        cu = (unsigned)(h0 << 4 | h1) | (unsigned)(h2 << 4 | h3) << 8;
        if (cu == 0)
            break; /* the terminating NUL */
        if (cu >= 0xD800 && cu <= 0xDFFF)
            return NULL; /* surrogates never occur in paths we can judge; keep the hex */
        if (cu < 0x80)
            out[o++] = (char)cu;
        else if (cu < 0x800)
            out[o++] = (char)(0xC0 | cu >> 6), out[o++] = (char)(0x80 | (cu & 0x3F));
        else
            out[o++] = (char)(0xE0 | cu >> 12), out[o++] = (char)(0x80 | (cu >> 6 & 0x3F)),
            out[o++] = (char)(0x80 | (cu & 0x3F));
    }
    out[o] = '\0';
    return o ? out : NULL;
}

static void end_condition_value(struct wfpw_netsh *r, struct wfpw_cond *c)
{
    struct wfpw_arena *a = &r->inv->arena;
    char tmp[512];
    if (r->cv_low && r->cv_high) {
        snprintf(tmp, sizeof(tmp), "%s-%s", r->cv_low, r->cv_high);
        c->value = wfpw_arena_strdup(a, tmp);
    } else if (r->cv_addr) {
        snprintf(tmp, sizeof(tmp), "%s%s%s", r->cv_addr, r->cv_mask ? "/" : "", r->cv_mask ? r->cv_mask : "");
        c->value = wfpw_arena_strdup(a, tmp);
    } else if (r->cv_str || r->cv_plain) {
        c->value = r->cv_str ? r->cv_str : r->cv_plain;
    } else if (r->cv_data && c->field && strcmp(c->field, "ALE_APP_ID") == 0) {
        const char *path = utf16_blob_to_path(a, r->cv_data);
        c->value = path ? path : r->cv_data;
    } else {
        c->value = r->cv_data;
    }
}

static void filter_leaf(struct wfpw_netsh *r, const char *name)
{
    struct wfpw_filter *f = &r->inv->filters[r->fi];
    struct wfpw_cond *c = r->nconds ? &r->conds[r->nconds - 1] : NULL;
    uint64_t v = 0;

    if (rel_is(r, "filterKey")) f->key = keep(r, NULL);
    else if (rel_is(r, "displayData/name")) f->name = keep(r, NULL);
    else if (rel_is(r, "displayData/description")) f->description = keep(r, NULL);
    else if (rel_is(r, "flags/item")) add_flag(r, "FWPM_FILTER_FLAG_");
    else if (rel_is(r, "providerKey")) f->provider_key = keep(r, NULL);
    else if (rel_is(r, "layerKey")) f->layer = keep(r, "FWPM_LAYER_");
    else if (rel_is(r, "subLayerKey")) f->sublayer_key = keep(r, NULL);
    else if (rel_is(r, "weight/type")) f->weight_type = keep(r, "FWP_");
    else if (rel_is(r, "weight/uint8") || rel_is(r, "weight/uint64")) f->weight_value = keep(r, NULL);
    else if (rel_is(r, "effectiveWeight/uint64")) f->effective_weight = keep(r, NULL);
    else if (rel_is(r, "action/type")) f->action = keep(r, "FWP_ACTION_");
    else if (rel_is(r, "action/filterType") || rel_is(r, "action/calloutKey")) f->callout_key = keep(r, NULL);
    else if (rel_is(r, "providerContextKey")) f->provider_context_key = keep(r, NULL);
    else if (rel_is(r, "filterId")) {
        if (parse_u64(r->text.data, &v) != 0)
            fail(r, WFPW_ESYNTAX, "filterId is not a number: '%s'", r->text.data);
        f->id = v;
    } else if (c && rel_is(r, "filterCondition/item/fieldKey")) c->field = keep(r, "FWPM_CONDITION_");
    else if (c && rel_is(r, "filterCondition/item/matchType")) c->match = keep(r, "FWP_MATCH_");
    else if (c && rel_is(r, "filterCondition/item/conditionValue/type")) c->type = keep(r, "FWP_");
    else if (c && rel_is(r, "filterCondition/item/conditionValue")) end_condition_value(r, c);
    else if (c && r->depth > r->obj_depth + 4 && at(r, r->obj_depth + 3, "conditionValue") &&
             !r->parent[r->depth - 1] && strcmp(name, "type") != 0) {
        /* a typed value (a leaf) somewhere below conditionValue */
        const char *t = keep(r, NULL);
        char **slot = NULL;
        if (at(r, r->obj_depth + 4, "rangeValue"))
            slot = at(r, r->obj_depth + 5, "valueLow") ? &r->cv_low : &r->cv_high;
        else if (strcmp(name, "asString") == 0)
            slot = &r->cv_str;
        else if (strcmp(name, "data") == 0)
            slot = &r->cv_data;
        else if (strcmp(name, "addr") == 0)
            slot = &r->cv_addr;
        else if (strcmp(name, "mask") == 0 || strcmp(name, "prefixLength") == 0)
            slot = &r->cv_mask;
        else
            slot = &r->cv_plain;
        if (t)
            *slot = (char *)t;
    }
}

static void end_object(struct wfpw_netsh *r)
{
    if (r->obj == OBJ_FILTER) {
        struct wfpw_filter *f = &r->inv->filters[r->fi];
        f->flags = flags_array(r);
        f->nflags = f->flags ? r->nflags : 0;
        if (r->nconds) {
            f->conds = wfpw_arena_alloc(&r->inv->arena, r->nconds * sizeof(*f->conds));
            if (f->conds == NULL) {
                fail(r, WFPW_ENOMEM, "out of memory");
                return;
            }
            memcpy(f->conds, r->conds, r->nconds * sizeof(*f->conds));
            f->nconds = r->nconds;
        }
        if (f->key == NULL || f->layer == NULL || f->action == NULL)
            fail(r, WFPW_EPROTO, "filter lacks %s", f->key == NULL ? "filterKey" : f->layer == NULL ? "layerKey" : "action/type");
        if (f->weight_type == NULL)
            f->weight_type = "EMPTY";
    } else if (r->obj == OBJ_PROVIDER) {
        struct wfpw_provider *p = &r->inv->providers[r->fi];
        p->flags = flags_array(r);
        p->nflags = p->flags ? r->nflags : 0;
        if (p->key == NULL)
            fail(r, WFPW_EPROTO, "provider lacks %s", "providerKey");
    } else if (r->obj == OBJ_SUBLAYER) {
        if (r->inv->sublayers[r->fi].key == NULL)
            fail(r, WFPW_EPROTO, "sublayer lacks %s", "subLayerKey");
    } else if (r->obj == OBJ_CALLOUT) {
        if (r->inv->callouts[r->fi].key == NULL)
            fail(r, WFPW_EPROTO, "callout lacks %s", "calloutKey");
    }
    r->obj = OBJ_NONE;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct wfpw_netsh *r = ud;
    if (r->rc || r->root_closed)
        return;
    if (r->obj != OBJ_NONE && r->depth - 1 == r->obj_depth) {
        end_object(r);
    } else if (r->obj == OBJ_FILTER) {
        filter_leaf(r, name);
    } else if (r->obj == OBJ_PROVIDER) {
        struct wfpw_provider *p = &r->inv->providers[r->fi];
        if (rel_is(r, "providerKey")) p->key = keep(r, NULL);
        else if (rel_is(r, "displayData/name")) p->name = keep(r, NULL);
        else if (rel_is(r, "displayData/description")) p->description = keep(r, NULL);
        else if (rel_is(r, "serviceName")) p->service = keep(r, NULL);
        else if (rel_is(r, "flags/item")) add_flag(r, "FWPM_PROVIDER_FLAG_");
    } else if (r->obj == OBJ_CALLOUT) {
        struct wfpw_callout *co = &r->inv->callouts[r->fi];
        if (rel_is(r, "calloutKey")) co->key = keep(r, NULL);
        else if (rel_is(r, "displayData/name")) co->name = keep(r, NULL);
        else if (rel_is(r, "providerKey")) co->provider_key = keep(r, NULL);
        else if (rel_is(r, "applicableLayer")) co->layer = keep(r, "FWPM_LAYER_");
    } else if (r->obj == OBJ_SUBLAYER) {
        struct wfpw_sublayer *s = &r->inv->sublayers[r->fi];
        uint64_t w = 0;
        if (rel_is(r, "subLayerKey")) s->key = keep(r, NULL);
        else if (rel_is(r, "displayData/name")) s->name = keep(r, NULL);
        else if (rel_is(r, "displayData/description")) s->description = keep(r, NULL);
        else if (rel_is(r, "providerKey")) s->provider_key = keep(r, NULL);
        else if (rel_is(r, "weight")) {
            if (parse_u64(r->text.data, &w) != 0 || w > 0xFFFF)
                fail(r, WFPW_ESYNTAX, "sublayer weight is not 0..65535: '%s'", r->text.data);
            s->weight = (uint32_t)w;
        }
    }
    wfpw_buf_reset(&r->text);
    r->depth--;
    if (r->depth == 0)
        r->root_closed = 1;
}

struct wfpw_netsh *wfpw_netsh_new(struct wfpw_inventory *inv)
{
    struct wfpw_netsh *r = wfpw_calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->inv = inv;
    wfpw_buf_init(&r->text, MAX_TEXT);
    wfpw_buf_init(&r->flags, 64 * 1024);
    r->xp = XML_ParserCreate(NULL);
    if (r->xp == NULL) {
        wfpw_netsh_free(r);
        return NULL;
    }
    XML_SetUserData(r->xp, r);
    XML_SetElementHandler(r->xp, on_start, on_end);
    XML_SetCharacterDataHandler(r->xp, on_text);
    return r;
}

int wfpw_netsh_feed(struct wfpw_netsh *r, const char *data, size_t len, int last, char *err, size_t errlen)
{
    enum XML_Status st = XML_STATUS_OK;
    if (r->rc == 0 && !r->root_closed) {
        while (len > 0 || last) {
            int n = len > (1u << 30) ? (1 << 30) : (int)len;
            st = XML_Parse(r->xp, data, n, last && (size_t)n == len);
            if (st != XML_STATUS_OK || (size_t)n == len)
                break;
            data += n;
            len -= (size_t)n;
        }
        if (st == XML_STATUS_ERROR && r->rc == 0 && !r->root_closed) {
            enum XML_Error code = XML_GetErrorCode(r->xp);
            /* expat says "no element found" for both an empty and a cut-off document */
            const char *what = code != XML_ERROR_NO_ELEMENTS ? XML_ErrorString(code)
                               : r->depth > 0 ? "the document ends here (truncated file?)"
                                              : "empty document";
            r->rc = WFPW_ESYNTAX;
            snprintf(r->err, sizeof(r->err), "line %lu, <%s>: %s",
                     (unsigned long)XML_GetCurrentLineNumber(r->xp),
                     r->depth > 0 ? r->names[r->depth - 1] : "document", what);
        }
    }
    if (r->rc == 0 && last && !r->root_closed) {
        r->rc = r->root ? WFPW_ESYNTAX : WFPW_EPROTO;
        snprintf(r->err, sizeof(r->err), "line %lu: %s", (unsigned long)XML_GetCurrentLineNumber(r->xp),
                 r->root ? "the document ends before its root element is closed" : "empty document");
    }
    if (r->rc && err)
        snprintf(err, errlen, "%s", r->err);
    return r->rc;
}

void wfpw_netsh_free(struct wfpw_netsh *r)
{
    if (r == NULL)
        return;
    if (r->xp)
        XML_ParserFree(r->xp);
    wfpw_buf_free(&r->text);
    wfpw_buf_free(&r->flags);
    wfpw_free(r->conds);
    wfpw_free(r);
}

int wfpw_netsh_read(const char *data, size_t len, struct wfpw_inventory *inv, char *err, size_t errlen)
{
    struct wfpw_netsh *r = wfpw_netsh_new(inv);
    int rc;
    if (r == NULL)
        return WFPW_ENOMEM;
    rc = wfpw_netsh_feed(r, data, len, 1, err, errlen);
    wfpw_netsh_free(r);
    return rc;
}

int wfpw_netsh_read_file(const char *path, struct wfpw_inventory *inv, char *err, size_t errlen)
{
    char buf[65536];
    struct wfpw_netsh *r;
    FILE *f = fopen(path, "rb");
    int rc = 0;
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open", path);
        return WFPW_ENOENT;
    }
    r = wfpw_netsh_new(inv);
    if (r == NULL) {
        fclose(f);
        return WFPW_ENOMEM;
    }
    for (;;) {
        size_t n = fread(buf, 1, sizeof(buf), f);
        int last = n < sizeof(buf);
        rc = wfpw_netsh_feed(r, buf, n, last, err, errlen);
        if (rc || last)
            break;
    }
    if (ferror(f) && rc == 0) {
        rc = WFPW_EIO;
        snprintf(err, errlen, "%s: read error", path);
    }
    fclose(f);
    wfpw_netsh_free(r);
    return rc;
}
