/*
 * enrich.c — block-event enrichment and the block-burst detector (see enrich.h).
 */
#include "enrich.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analyze.h"
#include "products.h"
#include "wellknown.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

/* Windows' default and catch-all filters (architecture.md "default_block"), recognised only
 * together with a Windows provider (or none, as netsh shows some built-in ones). */
static int is_default_filter(const struct wfpw_filter *f)
{
    static const char *const names[] = {"Default Outbound", "Default Inbound", "WSH Default Outbound Block",
                                        "WSH Default Inbound Block", "Query User", "Query User Default",
                                        "Port Scanning Prevention Filter", "Boot Time Filter"};
    size_t i;
    if (f->provider_key && !wfpw_known_provider(f->provider_key))
        return 0;
    if (wfpw_filter_has_flag(f, "BOOTTIME"))
        return 1;
    if (f->name == NULL)
        return 0;
    if (strncmp(f->name, "Quarantine Default", 18) == 0)
        return 1;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(f->name, names[i]) == 0)
            return 1;
    return 0;
}

const char *wfpw_verdict(const struct wfpw_filter *f, uint64_t filter_id)
{
    if (filter_id == 0)
        return "stack_drop";
    if (f == NULL)
        return "unknown";
    return is_default_filter(f) ? "default_block" : "policy_block";
}

/* "ALE_AUTH_CONNECT_V4_DISCARD" agrees with "ALE_AUTH_CONNECT_V4". */
static int layers_agree(const char *ev, const char *filter)
{
    size_t n = strlen(filter);
    return strncmp(ev, filter, n) == 0 && (ev[n] == '\0' || strcmp(ev + n, "_DISCARD") == 0);
}

static int set(cJSON *obj, const char *key, cJSON *v)
{
    if (v == NULL)
        return WFPW_ENOMEM;
    if (wfpw_json_get(obj, key))
        return cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v) ? 0 : WFPW_ENOMEM;
    return cJSON_AddItemToObject(obj, key, v) ? 0 : WFPW_ENOMEM;
}

int wfpw_enrich_blocked(cJSON *ev, const struct wfpw_inventory *inv)
{
    cJSON *type = wfpw_json_get(ev, "type");
    cJSON *filter = wfpw_json_get(ev, "filter");
    cJSON *id = wfpw_json_get(filter, "id");
    cJSON *layer = wfpw_json_get(ev, "layer");
    const struct wfpw_filter *f = NULL;
    uint64_t fid;
    int rc;

    if (!cJSON_IsString(type) || strcmp(type->valuestring, "connection_blocked") != 0 || !cJSON_IsNumber(id))
        return WFPW_EINVAL;
    fid = (uint64_t)id->valuedouble;
    if (fid != 0)
        f = wfpw_inventory_by_id(inv, fid);
    if (f && !(cJSON_IsString(layer) && layers_agree(layer->valuestring, f->layer)))
        f = NULL; /* the id belongs to another filter now */
    if (f) {
        if ((rc = set(filter, "key", cJSON_CreateString(f->key))) != 0 ||
            (rc = set(filter, "name", f->name ? cJSON_CreateString(f->name) : cJSON_CreateNull())) != 0)
            return rc;
        if (f->provider_key) {
            cJSON *pr = cJSON_CreateObject();
            struct wfpw_ref ref;
            wfpw_inventory_provider_ref(inv, f->provider_key, &ref);
            if (pr == NULL ||
                !cJSON_AddItemToObject(pr, "key", ref.key ? cJSON_CreateString(ref.key) : cJSON_CreateNull()) ||
                !cJSON_AddItemToObject(pr, "name", cJSON_CreateString(ref.name))) {
                cJSON_Delete(pr);
                return WFPW_ENOMEM;
            }
            if ((rc = set(filter, "provider", pr)) != 0)
                return rc;
        }
    }
    return set(ev, "verdict", cJSON_CreateString(wfpw_verdict(f, fid)));
}

/* ---- bursts ------------------------------------------------------------------------------------- */

struct proc {
    char *path;           /* owned; NULL = free slot */
    int64_t *times;       /* ring of the last `threshold` block times */
    unsigned n, head;
    int64_t last_seen, alerted_until;
};

struct wfpw_burst {
    struct proc *procs;
    size_t max;
    unsigned threshold;
    int64_t window;
    uint64_t evictions;
};

struct wfpw_burst *wfpw_burst_new(size_t max_processes, unsigned threshold, int64_t window_ms)
{
    struct wfpw_burst *b;
    size_t i;
    if (max_processes == 0 || threshold == 0 || window_ms <= 0)
        return NULL;
    b = wfpw_calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    b->procs = wfpw_calloc(max_processes, sizeof(*b->procs));
    b->max = max_processes, b->threshold = threshold, b->window = window_ms;
    for (i = 0; b->procs && i < max_processes; i++)
        if ((b->procs[i].times = wfpw_calloc(threshold, sizeof(int64_t))) == NULL)
            break;
    if (b->procs == NULL || i < max_processes) {
        wfpw_burst_free(b);
        return NULL;
    }
    return b;
}

void wfpw_burst_free(struct wfpw_burst *b)
{
    size_t i;
    if (b == NULL)
        return;
    for (i = 0; b->procs && i < b->max; i++) {
        wfpw_free(b->procs[i].path);
        wfpw_free(b->procs[i].times);
    }
    wfpw_free(b->procs);
    wfpw_free(b);
}

uint64_t wfpw_burst_evictions(const struct wfpw_burst *b)
{
    return b->evictions;
}

int wfpw_burst_add(struct wfpw_burst *b, const char *path, int64_t t, const char *const *extra, size_t nextra)
{
    struct proc *p = NULL, *idle = NULL;
    size_t i;
    int64_t oldest;
    if (path == NULL || wfpw_product_match(path, extra, nextra) == NULL)
        return 0;
    for (i = 0; i < b->max; i++) {
        struct proc *q = &b->procs[i];
        if (q->path && strcasecmp(q->path, path) == 0) {
            p = q;
            break;
        }
        if (idle == NULL || (idle->path && (q->path == NULL || q->last_seen < idle->last_seen)))
            idle = q;
    }
    if (p == NULL) {
        char *copy = wfpw_strdup(path);
        if (copy == NULL)
            return 0;
        p = idle;
        if (p->path)
            b->evictions++;
        wfpw_free(p->path);
        p->path = copy;
        p->n = p->head = 0;
        p->alerted_until = 0;
    }
    p->last_seen = t;
    p->times[p->head] = t;
    p->head = (p->head + 1) % b->threshold;
    if (p->n < b->threshold)
        p->n++;
    if (p->n < b->threshold)
        return 0;
    oldest = p->times[p->head]; /* the ring is full: head is the oldest of the last `threshold` */
    if (t - oldest > b->window || t < p->alerted_until)
        return 0;
    p->alerted_until = t + b->window;
    return 1;
}

cJSON *wfpw_burst_alert(uint64_t seq, int64_t time_ms, const char *path, unsigned count, int64_t window_ms)
{
    const struct wfpw_product *prod = wfpw_product_match(path, NULL, 0);
    struct wfpw_ev_alert a;
    char title[512], details[1024];
    memset(&a, 0, sizeof(a));
    snprintf(title, sizeof(title), "%s blocked %u times within %lld s", prod ? prod->vendor : "A security product",
             count, (long long)(window_ms / 1000));
    snprintf(details, sizeof(details),
             "connections of %s were blocked %u times within %lld s; whatever filter or callout does it, "
             "the product may be cut off from its cloud", path, count, (long long)(window_ms / 1000));
    a.seq = seq, a.time_ms = time_ms, a.source = "agent", a.rule = "edr-block-burst", a.severity = "high";
    a.title = title, a.details = details, a.target_process = path;
    return wfpw_event_alert(&a);
}
