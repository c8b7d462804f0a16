/*
 * aggr.c — flow table for aggr.h: open addressing on a hash of the flow key text,
 * plus an insertion-order list for deterministic flushing. Everything is freed at flush, so
 * the table's memory follows the busiest window.
 */
#include "aggr.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/timefmt.h"

struct flow {
    char *key;             /* NULL: free slot */
    uint64_t hash;
    uint64_t seen;         /* events of this flow in the window */
    cJSON *held;           /* merged event (first absorbed one), or NULL */
    uint64_t held_count;
    int64_t first_ms, last_ms;
};

struct wfpw_aggr {
    struct flow *slots;
    size_t cap;            /* power of two, >= 2 * max_flows */
    size_t *order;         /* slot indexes in first-seen order */
    size_t nflows, max_flows;
    uint64_t burst;
    uint64_t held;
    struct wfpw_aggr_stats st;
};

struct wfpw_aggr *wfpw_aggr_new(size_t max_flows, uint64_t flow_burst)
{
    struct wfpw_aggr *a = wfpw_calloc(1, sizeof(*a));
    size_t cap = 16;
    if (a == NULL)
        return NULL;
    while (cap < 2 * max_flows)
        cap *= 2;
    a->slots = wfpw_calloc(cap, sizeof(struct flow));
    a->order = wfpw_calloc(max_flows, sizeof(size_t));
    if (a->slots == NULL || a->order == NULL) {
        wfpw_aggr_free(a);
        return NULL;
    }
    a->cap = cap, a->max_flows = max_flows, a->burst = flow_burst;
    return a;
}

static void clear(struct wfpw_aggr *a)
{
    size_t i;
    for (i = 0; i < a->nflows; i++) {
        struct flow *f = &a->slots[a->order[i]];
        wfpw_free(f->key);
        cJSON_Delete(f->held);
        memset(f, 0, sizeof(*f));
    }
    a->nflows = 0;
    a->held = 0;
}

void wfpw_aggr_free(struct wfpw_aggr *a)
{
    if (a == NULL)
        return;
    if (a->slots && a->order)
        clear(a);
    wfpw_free(a->slots);
    wfpw_free(a->order);
    wfpw_free(a);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = wfpw_json_get(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The flow key, written by hand: '|'-separated members, numbers as integers (-1 when absent). It
 * was one snprintf with "%.0f" conversions, a visible share of the agent's CPU per event. */
struct keybuf {
    char *p;
    size_t left;
    int over;
};

static void key_add(struct keybuf *b, const char *s, size_t n)
{
    if (b->over || n + 1 > b->left) {
        b->over = 1;
        return;
    }
    memcpy(b->p, s, n);
    b->p[n] = '|';
    b->p += n + 1, b->left -= n + 1;
}

static void key_str(struct keybuf *b, const cJSON *o, const char *k)
{
    const char *v = str(o, k);
    key_add(b, v, strlen(v));
}

static void key_num(struct keybuf *b, const cJSON *o, const char *k)
{
    const cJSON *v = wfpw_json_get(o, k);
    char t[40], *e = t + sizeof(t), *q = e;
    double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
    uint64_t u;
    if (!(d >= 0 && d < 18446744073709551616.0) || (double)(u = (uint64_t)d) != d) {
        /* absent (-1), negative, huge or not an integer: every double written exactly */
        int n = snprintf(t, sizeof(t), "%.17g", d);
        key_add(b, t, n > 0 && (size_t)n < sizeof(t) ? (size_t)n : 0);
        return;
    }
    do
        *--q = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    key_add(b, q, (size_t)(e - q));
}

static int flow_key(const cJSON *ev, char *out, size_t len)
{
    const cJSON *l = wfpw_json_get(ev, "local"), *r = wfpw_json_get(ev, "remote"), *p = wfpw_json_get(ev, "process");
    struct keybuf b = {out, len - 1, 0};
    key_str(&b, ev, "source");
    key_str(&b, ev, "direction");
    key_num(&b, ev, "protocol");
    key_str(&b, l, "ip");
    key_num(&b, l, "port");
    key_str(&b, r, "ip");
    key_num(&b, r, "port");
    key_num(&b, p, "pid");
    key_str(&b, p, "path");
    key_num(&b, wfpw_json_get(ev, "filter"), "id");
    key_str(&b, ev, "layer");
    key_str(&b, ev, "verdict");
    if (b.over)
        return WFPW_ETOOBIG;
    *b.p = '\0';
    return (int)(b.p - out);
}

/* The flow key's hash: eight bytes per step, multiply and fold (byte-at-a-time FNV-1a waited on
 * one multiplication per byte of a ~150-byte key). Not a defence against chosen collisions, any
 * more than FNV was: the table is bounded by max_flows. */
static uint64_t key_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
    while (n >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
        s += 8, n -= 8;
    }
    w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 29);
}

static void ms_of(const cJSON *ev, const char *k, int64_t *out)
{
    const cJSON *v = wfpw_json_get(ev, k);
    if (!cJSON_IsString(v) || wfpw_time_parse_ms(v->valuestring, out) != 0)
        wfpw_time_parse_ms(str(ev, "time"), out);
}

int wfpw_aggr_add(struct wfpw_aggr *a, cJSON *ev, int packet_level)
{
    char key[40000];
    int n = flow_key(ev, key, sizeof(key));
    uint64_t h, count;
    size_t i;
    struct flow *f;
    int64_t first, last;
    const cJSON *c;

    if (n < 0)
        return 0; /* a key too long to track (paths near the limit): ship it as it is */
    h = key_hash(key, (size_t)n);
    for (i = h & (a->cap - 1);; i = (i + 1) & (a->cap - 1)) {
        f = &a->slots[i];
        if (f->key == NULL || (f->hash == h && strcmp(f->key, key) == 0))
            break;
    }
    if (f->key == NULL) {
        if (a->nflows == a->max_flows)
            return WFPW_ETOOBIG;
        if ((f->key = wfpw_malloc((size_t)n + 1)) == NULL)
            return WFPW_ENOMEM;
        memcpy(f->key, key, (size_t)n + 1);
        f->hash = h;
        a->order[a->nflows++] = i;
    }
    f->seen++;
    if (!packet_level && f->seen <= a->burst)
        return 0;
    c = wfpw_json_get(ev, "count");
    count = cJSON_IsNumber(c) && c->valuedouble >= 1 ? (uint64_t)c->valuedouble : 1;
    ms_of(ev, "first_seen", &first);
    ms_of(ev, "last_seen", &last);
    if (f->held == NULL) {
        f->held = ev;
        f->held_count = count;
        f->first_ms = first, f->last_ms = last;
    } else {
        f->held_count += count;
        if (first < f->first_ms)
            f->first_ms = first;
        if (last > f->last_ms)
            f->last_ms = last;
        cJSON_Delete(ev);
        a->st.merged++;
    }
    a->held++;
    return 1;
}

static int set_time(cJSON *ev, const char *k, int64_t ms)
{
    char t[WFPW_TIME_LEN + 1];
    if (wfpw_time_format_ms(ms, t) != 0)
        return WFPW_ERANGE;
    return cJSON_ReplaceItemInObjectCaseSensitive(ev, k, cJSON_CreateString(t)) ? 0 : WFPW_ENOMEM;
}

int wfpw_aggr_flush(struct wfpw_aggr *a, wfpw_aggr_emit_cb emit, void *ctx)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < a->nflows; i++) {
        struct flow *f = &a->slots[a->order[i]];
        cJSON *ev = f->held;
        if (ev == NULL)
            continue;
        f->held = NULL;
        if (rc != 0) {
            cJSON_Delete(ev);
            a->st.lost++;
            continue;
        }
        if (!cJSON_ReplaceItemInObjectCaseSensitive(ev, "count", cJSON_CreateNumber((double)f->held_count)) ||
            set_time(ev, "first_seen", f->first_ms) != 0 || set_time(ev, "last_seen", f->last_ms) != 0 ||
            set_time(ev, "time", f->first_ms) != 0) {
            cJSON_Delete(ev);
            a->st.lost++;
            rc = WFPW_ENOMEM;
            continue;
        }
        if ((rc = emit(ctx, ev)) == 0)
            a->st.emitted++;
    }
    clear(a);
    return rc;
}

size_t wfpw_aggr_flows(const struct wfpw_aggr *a)
{
    return a->nflows;
}

uint64_t wfpw_aggr_held(const struct wfpw_aggr *a)
{
    return a->held;
}

void wfpw_aggr_stats(const struct wfpw_aggr *a, struct wfpw_aggr_stats *out)
{
    *out = a->st;
}

void wfpw_aggr_note_early_close(struct wfpw_aggr *a)
{
    a->st.early_closes++;
}
