/*
 * jsoninv.c — JSON inventories (see jsoninv.h). Strings are copied into the inventory's
 * arena; providers named by the filters are added once each so the rules can see their
 * names.
 */
#include "jsoninv.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "netsh.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

#define MAX_FILE (256u << 20)

static const char *S(struct wfpw_inventory *inv, const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? wfpw_arena_strdup(&inv->arena, v->valuestring) : NULL;
}

static int convert(struct wfpw_inventory *inv, const cJSON *j)
{
    struct wfpw_filter *f = wfpw_inventory_add_filter(inv);
    const cJSON *prov = cJSON_GetObjectItemCaseSensitive(j, "provider");
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(j, "sublayer");
    const cJSON *weight = cJSON_GetObjectItemCaseSensitive(j, "weight");
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(j, "action");
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(j, "flags");
    const cJSON *conds = cJSON_GetObjectItemCaseSensitive(j, "conditions");
    const cJSON *e;
    size_t n;
    if (f == NULL)
        return WFPW_ENOMEM;
    f->key = S(inv, j, "key");
    f->id = (uint64_t)cJSON_GetObjectItemCaseSensitive(j, "id")->valuedouble;
    f->name = S(inv, j, "name");
    f->description = S(inv, j, "description");
    f->layer = S(inv, cJSON_GetObjectItemCaseSensitive(j, "layer"), "name");
    f->sublayer_key = S(inv, sub, "key");
    if (f->sublayer_key == NULL)
        f->sublayer_key = S(inv, sub, "name");
    f->weight_type = S(inv, weight, "type");
    f->weight_value = S(inv, weight, "value");
    f->effective_weight = S(inv, j, "effective_weight");
    f->action = S(inv, action, "type");
    f->callout_key = S(inv, action, "callout_key");
    if (cJSON_IsObject(prov)) {
        f->provider_key = S(inv, prov, "key");
        if (f->provider_key == NULL)
            f->provider_key = S(inv, prov, "name"); /* a provider known only by name */
        if (f->provider_key && wfpw_inventory_provider(inv, f->provider_key) == NULL) {
            struct wfpw_provider *p = wfpw_inventory_add_provider(inv);
            if (p == NULL)
                return WFPW_ENOMEM;
            p->key = f->provider_key;
            p->name = S(inv, prov, "name");
        }
    }
    n = (size_t)cJSON_GetArraySize(flags);
    if (n) {
        f->flags = wfpw_arena_alloc(&inv->arena, n * sizeof(*f->flags));
        if (f->flags == NULL)
            return WFPW_ENOMEM;
        cJSON_ArrayForEach(e, flags)
            f->flags[f->nflags++] = wfpw_arena_strdup(&inv->arena, e->valuestring);
    }
    n = (size_t)cJSON_GetArraySize(conds);
    if (n) {
        f->conds = wfpw_arena_alloc(&inv->arena, n * sizeof(*f->conds));
        if (f->conds == NULL)
            return WFPW_ENOMEM;
        cJSON_ArrayForEach(e, conds) {
            struct wfpw_cond *c = &f->conds[f->nconds++];
            c->field = S(inv, e, "field");
            c->match = S(inv, e, "match");
            c->type = S(inv, e, "type");
            c->value = S(inv, e, "value");
        }
    }
    return f->key && f->layer && f->action && f->weight_type ? 0 : WFPW_ENOMEM;
}

int wfpw_json_inventory_read(const char *data, size_t len, struct wfpw_inventory *inv, char *err, size_t errlen)
{
    struct wfpw_json_err jerr;
    struct wfpw_proto_err perr;
    const cJSON *arr, *f;
    cJSON *root = NULL;
    size_t i = 0;
    int rc;

    wfpw_json_init();
    if ((rc = wfpw_json_parse(data, len, 16, &root, &jerr)) != 0) {
        snprintf(err, errlen, "%s%s%s", jerr.field, jerr.field[0] ? ": " : "", jerr.msg);
        return rc;
    }
    arr = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "filters");
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(root);
        snprintf(err, errlen, "expected an array of filters or an object with a \"filters\" array");
        return WFPW_EPROTO;
    }
    inv->source = arr == root ? "JSON filters" : "JSON inventory";
    cJSON_ArrayForEach(f, arr) {
        char path[48];
        snprintf(path, sizeof(path), "filters[%zu]", i++);
        memset(&perr, 0, sizeof(perr));
        if ((rc = wfpw_filter_validate(f, path, &perr)) != 0) {
            snprintf(err, errlen, "%s: %s", perr.field, perr.msg);
            break;
        }
        if ((rc = convert(inv, f)) != 0) {
            snprintf(err, errlen, "out of memory");
            break;
        }
    }
    cJSON_Delete(root);
    return rc;
}

int wfpw_inventory_read_file(const char *path, struct wfpw_inventory *inv, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char head[64];
    size_t n, i;
    if (f == NULL) {
        snprintf(err, errlen, "cannot open");
        return WFPW_ENOENT;
    }
    n = fread(head, 1, sizeof(head), f);
    for (i = 0; i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'); i++)
        ;
    if (i < n && (head[i] == '{' || head[i] == '[')) {
        struct wfpw_buf b;
        char chunk[65536];
        int rc;
        wfpw_buf_init(&b, MAX_FILE);
        wfpw_buf_append(&b, head, n);
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            wfpw_buf_append(&b, chunk, n);
        fclose(f);
        if (b.err) {
            wfpw_buf_free(&b);
            snprintf(err, errlen, "file larger than 256 MiB or out of memory");
            return WFPW_ETOOBIG;
        }
        rc = wfpw_json_inventory_read(b.data, b.len, inv, err, errlen);
        wfpw_buf_free(&b);
        return rc;
    }
    fclose(f);
    return wfpw_netsh_read_file(path, inv, err, errlen);
}
