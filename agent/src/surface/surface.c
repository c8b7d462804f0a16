/*
 * surface.c — items from registry exports and a hosts file, the surface rules, and the report
 * (see surface.h). Registry keys are matched after normalising what differs between a live
 * export and one from an offline hive: case, ControlSet00N for CurrentControlSet, WOW6432Node.
 */
#include "surface.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cloud.h"
#include "netaddr.h"
#include "products.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"
#include "wfpw/utf8.h"

#define NRPT_GP "hklm\\software\\policies\\microsoft\\windows nt\\dnsclient\\dnspolicyconfig\\"
#define NRPT_LOCAL "hklm\\system\\currentcontrolset\\services\\dnscache\\parameters\\dnspolicyconfig\\"
#define QOS_M "hklm\\software\\policies\\microsoft\\windows\\qos\\"
#define QOS_U "hkcu\\software\\policies\\microsoft\\windows\\qos\\"
#define ROUTES "hklm\\system\\currentcontrolset\\services\\tcpip\\parameters\\persistentroutes"
#define ROUTE_TABLE "iphlpapi\\routetable"
#define TCPIP "hklm\\system\\currentcontrolset\\services\\tcpip\\parameters"
#define WINHTTP "hklm\\software\\microsoft\\windows\\currentversion\\internet settings\\connections"
#define TELEMETRY "hklm\\software\\policies\\microsoft\\windows\\datacollection"
#define DEFENDER "hklm\\software\\policies\\microsoft\\windows defender"
#define INET_SUFFIX "software\\microsoft\\windows\\currentversion\\internet settings"
#define INET_POL_SUFFIX "software\\policies\\microsoft\\windows\\currentversion\\internet settings"

/* snprintf for texts that may be cut short on purpose (titles, summaries) */
static int setf(char *dst, size_t len, const char *fmt, ...) WFPW_PRINTF(3, 4);
static int setf(char *dst, size_t len, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(dst, len, fmt, ap);
    va_end(ap);
    return n < 0 ? 0 : n;
}

void wfpw_surface_init(struct wfpw_surface *s)
{
    memset(s, 0, sizeof(*s));
    wfpw_regstore_init(&s->reg);
    wfpw_hosts_init(&s->hosts);
    wfpw_arena_init(&s->arena);
}

void wfpw_surface_free(struct wfpw_surface *s)
{
    wfpw_regstore_free(&s->reg);
    wfpw_hosts_free(&s->hosts);
    wfpw_free(s->items);
    wfpw_free(s->vorder);
    wfpw_free(s->iorder);
    wfpw_arena_free(&s->arena);
    memset(s, 0, sizeof(*s));
}


#define eq_nocase wfpw_reg_eq

static int ends_nocase(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && eq_nocase(s + n - m, suffix);
}

static const char *base_name(const char *path)
{
    const char *base = path + strlen(path);
    while (base > path && base[-1] != '/' && base[-1] != '\\')
        base--;
    return base;
}

int wfpw_surface_wants(const char *path)
{
    const char *base = base_name(path);
    return eq_nocase(base, "hosts") || (strlen(base) > 4 && ends_nocase(base, ".reg"));
}

int wfpw_surface_add_file(struct wfpw_surface *s, const char *path, const uint8_t *data, size_t len, char *err,
                          size_t errlen)
{
    const char *base = base_name(path);
    int rc;
    if (eq_nocase(base, "hosts")) {
        if (s->have_hosts) {
            setf(err, errlen, "%s: a second hosts file", path);
            return WFPW_EINVAL;
        }
        rc = wfpw_hosts_parse(&s->hosts, path, data, len, s->lenient_hosts, err, errlen);
        s->have_hosts = rc == 0;
    } else if (ends_nocase(base, ".reg")) {
        rc = wfpw_regfile_parse(&s->reg, path, data, len, err, errlen);
    } else {
        setf(err, errlen, "%s: neither a hosts file nor a .reg export", path);
        return WFPW_EINVAL;
    }
    if (rc == 0)
        s->nfiles++;
    return rc;
}

/* ---- keys ---------------------------------------------------------------------------------- */

/* Lower case, ControlSet00N -> CurrentControlSet, \WOW6432Node dropped. */
static void norm_key(const char *k, char *out, size_t outlen)
{
    size_t o = 0;
    while (*k && o + 1 < outlen) {
        if (*k == '\\' && (strncmp(k + 1, "WOW6432Node", 11) == 0 || strncmp(k + 1, "wow6432node", 11) == 0) &&
            (k[12] == '\\' || k[12] == '\0')) {
            k += 12;
            continue;
        }
        if (*k == '\\' && wfpw_ascii_lower((unsigned char)k[1]) == 'c' && o + 19 < outlen) {
            static const char cs[] = "controlset00";
            size_t i;
            for (i = 0; cs[i] && wfpw_ascii_lower((unsigned char)k[1 + i]) == cs[i]; i++)
                ;
            if (cs[i] == '\0' && k[13] >= '0' && k[13] <= '9' && (k[14] == '\\' || k[14] == '\0')) {
                memcpy(out + o, "\\currentcontrolset", 18);
                o += 18;
                k += 14;
                continue;
            }
        }
        out[o++] = (char)wfpw_ascii_lower((unsigned char)*k++);
    }
    out[o] = '\0';
}

void wfpw_surface_norm_key(const char *key, char *out, size_t outlen)
{
    norm_key(key, out, outlen);
}

/* nk is prefix + exactly one more component; its start returned, else NULL */
static const char *child_of(const char *nk, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(nk, prefix, n) != 0 || nk[n] == '\0' || strchr(nk + n, '\\'))
        return NULL;
    return nk + n;
}

/* ---- indexes: a registry export of a whole hive has hundreds of thousands of values, an
 * ad-blocking hosts file a hundred thousand entries; lookups are binary searches ---------------- */

static int cmp_ref(const void *x, const void *y)
{
    const struct wfpw_surface_ref *a = x, *b = y;
    int c = a->kind && b->kind ? strcmp(a->kind, b->kind) : 0;
    if (c == 0)
        c = wfpw_reg_cmp(a->name, b->name);
    return c ? c : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

/* the entries [*lo, *hi) of r (n, sorted) with this kind (NULL: any) and name */
static void ref_range(const struct wfpw_surface_ref *r, size_t n, const char *kind, const char *name, size_t *lo,
                      size_t *hi)
{
    size_t a = 0, b = n;
    while (a < b) { /* first entry not below (kind, name) */
        size_t m = a + (b - a) / 2;
        int c = kind ? strcmp(r[m].kind, kind) : 0;
        if (c == 0)
            c = wfpw_reg_cmp(r[m].name, name);
        if (c < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (a < n && (kind == NULL || strcmp(r[a].kind, kind) == 0) && wfpw_reg_cmp(r[a].name, name) == 0)
        a++;
    *hi = a;
}

static int index_values(struct wfpw_surface *s)
{
    size_t i, n = s->reg.nvals;
    wfpw_free(s->vorder);
    if ((s->vorder = wfpw_malloc((n ? n : 1) * sizeof(*s->vorder))) == NULL)
        return WFPW_ENOMEM;
    for (i = 0; i < n; i++)
        s->vorder[i].name = s->reg.vals[i].key, s->vorder[i].kind = NULL, s->vorder[i].idx = i;
    qsort(s->vorder, n, sizeof(*s->vorder), cmp_ref);
    return 0;
}

static int index_items(struct wfpw_surface *s)
{
    size_t i, n = s->nitems;
    wfpw_free(s->iorder);
    if ((s->iorder = wfpw_malloc((n ? n : 1) * sizeof(*s->iorder))) == NULL)
        return WFPW_ENOMEM;
    for (i = 0; i < n; i++)
        s->iorder[i].name = s->items[i].id, s->iorder[i].kind = s->items[i].kind, s->iorder[i].idx = i;
    qsort(s->iorder, n, sizeof(*s->iorder), cmp_ref);
    return 0;
}

/* the values of key, in file order: s->vorder[*lo .. *hi) */
static void key_values(const struct wfpw_surface *s, const char *key, size_t *lo, size_t *hi)
{
    ref_range(s->vorder, s->vorder ? s->reg.nvals : 0, NULL, key, lo, hi);
}

static const struct wfpw_regval *val(const struct wfpw_surface *s, const char *key, const char *name)
{
    size_t lo, hi;
    if (key == NULL)
        return NULL;
    if (s->vorder == NULL)
        return wfpw_regstore_get(&s->reg, key, name);
    for (key_values(s, key, &lo, &hi); lo < hi; lo++)
        if (eq_nocase(s->reg.vals[s->vorder[lo].idx].name, name))
            return &s->reg.vals[s->vorder[lo].idx];
    return NULL;
}

static const char *val_text(const struct wfpw_surface *s, const char *key, const char *name)
{
    const struct wfpw_regval *v = val(s, key, name);
    return v && v->text ? v->text : NULL;
}

/* ---- what the values say ---------------------------------------------------------------------- */

#define MAXPARTS 64

/* Split text at any of seps into trimmed, non-empty parts (copies into store). */
static size_t split(const char *text, const char *seps, char store[][256], size_t max)
{
    size_t n = 0;
    while (text && *text && n < max) {
        size_t l = strcspn(text, seps), a = 0;
        while (a < l && (text[a] == ' ' || text[a] == '\t'))
            a++;
        while (l > a && (text[l - 1] == ' ' || text[l - 1] == '\t'))
            l--;
        if (l > a) {
            size_t m = l - a < 255 ? l - a : 255;
            memcpy(store[n], text + a, m);
            store[n][m] = '\0';
            n++;
        }
        text += strcspn(text, seps);
        if (*text)
            text++;
    }
    return n;
}

struct nrpt {
    char ns[MAXPARTS][256];
    size_t nns;
    char srv[MAXPARTS][256];
    size_t nsrv;
    uint64_t options;
    int has_options;
};

static void nrpt_read(const struct wfpw_surface *s, const char *key, struct nrpt *r)
{
    const struct wfpw_regval *o = val(s, key, "ConfigOptions");
    memset(r, 0, sizeof(*r));
    r->nns = split(val_text(s, key, "Name"), "\n;", r->ns, MAXPARTS);
    r->nsrv = split(val_text(s, key, "GenericDNSServers"), "\n;, \t", r->srv, MAXPARTS);
    r->has_options = wfpw_regval_number(o, &r->options) == 0;
}

struct qos {
    const char *app;
    int64_t throttle;   /* > 0: a throttle; 0: none */
    const char *throttle_from;
    char remote[128];   /* "ip/len" or "" */
    const char *dscp;
};

static void qos_read(const struct wfpw_surface *s, const char *key, struct qos *q)
{
    const struct wfpw_regval *t = val(s, key, "ThrottleRate");
    const char *ts = val_text(s, key, "Throttle Rate"), *rip = val_text(s, key, "Remote IP");
    const char *rlen = val_text(s, key, "Remote IP Prefix Length");
    uint64_t x;
    memset(q, 0, sizeof(*q));
    q->app = val_text(s, key, "Application Name");
    if (q->app == NULL)
        q->app = val_text(s, key, "AppPathNameMatchCondition");
    if (q->app && (strcmp(q->app, "*") == 0 || q->app[0] == '\0'))
        q->app = NULL;
    if (t && wfpw_regval_number(t, &x) == 0 && x > 0 && x != 0xFFFFFFFFu && x != UINT64_MAX)
        q->throttle = (int64_t)(x > INT64_MAX ? INT64_MAX : x), q->throttle_from = "ThrottleRate";
    else if (t && t->text && strtoll(t->text, NULL, 10) > 0)
        q->throttle = strtoll(t->text, NULL, 10), q->throttle_from = "ThrottleRate";
    else if (ts && strtoll(ts, NULL, 10) > 0)
        q->throttle = strtoll(ts, NULL, 10), q->throttle_from = "Throttle Rate";
    if (rip && strcmp(rip, "*") != 0 && rip[0])
        setf(q->remote, sizeof(q->remote), "%s%s%s", rip, rlen && strcmp(rlen, "*") && rlen[0] ? "/" : "",
                 rlen && strcmp(rlen, "*") && rlen[0] ? rlen : "");
    q->dscp = val_text(s, key, "DSCP Value");
}

/* A route value name "destination,mask,gateway,metric" (PersistentRoutes), or from the route
 * table "destination,mask,gateway,metric,iftype" with IPv6 as "prefix/length,,gateway,...". */
struct route {
    int ok;
    int iftype;          /* IANA ifType of the interface (route table only), else -1 */
    struct wfpw_netaddr dst, gw;
    char dest[64], mask[64], gate[64], metric[32];
};

#define IFTYPE_ETHERNET 6
#define IFTYPE_WIFI 71
#define IFTYPE_LOOPBACK 24

/* the comma-separated field i of name (empty ones count), trimmed, into out */
static void field(const char *name, int i, char *out, size_t outlen)
{
    size_t l, a = 0;
    for (; i > 0 && name; i--)
        if ((name = strchr(name, ',')) != NULL)
            name++;
    out[0] = '\0';
    if (name == NULL)
        return;
    l = strcspn(name, ",");
    while (a < l && (name[a] == ' ' || name[a] == '\t'))
        a++;
    while (l > a && (name[l - 1] == ' ' || name[l - 1] == '\t'))
        l--;
    setf(out, outlen, "%.*s", (int)(l - a), name + a);
}

static void route_read(const char *name, struct route *r)
{
    char ift[32];
    memset(r, 0, sizeof(*r));
    r->iftype = -1;
    field(name, 0, r->dest, sizeof(r->dest));
    field(name, 1, r->mask, sizeof(r->mask));
    field(name, 2, r->gate, sizeof(r->gate));
    field(name, 3, r->metric, sizeof(r->metric));
    field(name, 4, ift, sizeof(ift));
    if (ift[0])
        r->iftype = atoi(ift);
    if (r->mask[0])
        r->ok = wfpw_netaddr_parse_mask(r->dest, r->mask, &r->dst) == 0;
    else if (strchr(r->dest, '/') && wfpw_netaddr_parse(r->dest, &r->dst) == 0) {
        r->ok = 1;
        *strchr(r->dest, '/') = '\0'; /* shown as dest/prefix */
    }
    r->ok = r->ok && r->gate[0] && wfpw_netaddr_parse(r->gate, &r->gw) == 0 && !strchr(r->gate, '/');
}

/* Rows of every route table that no rule can judge and that change with each network the
 * host joins: loopback, link-local, multicast and broadcast destinations. Left out of the
 * route table's items so a laptop's roaming is not a stream of changes. */
static int route_noise(const struct route *r)
{
    int c;
    if (!r->ok)
        return 0; /* shown as unreadable */
    c = wfpw_netaddr_class(&r->dst);
    if (c == WFPW_ADDR_LOOPBACK || c == WFPW_ADDR_LINKLOCAL)
        return 1;
    if (r->dst.family == 4)
        return r->dst.a[0] >= 224; /* multicast, reserved, 255.255.255.255 */
    return r->dst.a[0] == 0xff;  /* ff00::/8 */
}

/* WinHttpSettings: magic, counter, flags (2 = named proxy), proxy length, proxy, bypass
 * length, bypass (wine dlls/winhttp/session.c; Microsoft's "direct" sample). out: the proxy
 * text, "" for direct access; -1 when the lengths run past the data. */
static int winhttp_read(const struct wfpw_regval *v, char *out, size_t outlen, char *bypass, size_t blen)
{
    const uint8_t *d = v->data;
    uint32_t flags, plen, bl;
    size_t i;
    out[0] = bypass[0] = '\0';
    if (v->len < 16)
        return -1;
    flags = (uint32_t)d[8] | (uint32_t)d[9] << 8 | (uint32_t)d[10] << 16 | (uint32_t)d[11] << 24;
    plen = (uint32_t)d[12] | (uint32_t)d[13] << 8 | (uint32_t)d[14] << 16 | (uint32_t)d[15] << 24;
    if (plen > v->len - 16)
        return -1;
    if (v->len - 16 - plen >= 4) {
        const uint8_t *b = d + 16 + plen;
        bl = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        if (bl > v->len - 20 - plen)
            return -1;
        for (i = 0; i < bl && i + 1 < blen; i++)
            bypass[i] = b[4 + i] >= 0x20 && b[4 + i] < 0x7F ? (char)b[4 + i] : '?';
        bypass[i] = '\0';
    }
    if (!(flags & 2) || plen == 0)
        return 0;
    for (i = 0; i < plen && i + 1 < outlen; i++)
        out[i] = d[16 + i] >= 0x20 && d[16 + i] < 0x7F ? (char)d[16 + i] : '?';
    out[i] = '\0';
    return 0;
}

/* The worst place a proxy list ("h:p", "http=h:p;https=h:p", "http://h:p") points to:
 * WFPW_ADDR_* of its hosts (names: public, "localhost": loopback), or -2 for port 0.
 * what: the entry judged. */
static int proxy_worst(const char *list, char *what, size_t wl)
{
    char parts[MAXPARTS][256];
    size_t n = split(list, ";", parts, MAXPARTS), i;
    int worst = WFPW_ADDR_PUBLIC;
    what[0] = '\0';
    for (i = 0; i < n; i++) {
        char *h = parts[i], *e, *port = NULL;
        int cls;
        struct wfpw_netaddr a;
        if ((e = strchr(h, '=')) != NULL)
            h = e + 1;
        if ((e = strstr(h, "://")) != NULL)
            h = e + 3;
        if ((e = strchr(h, '/')) != NULL)
            *e = '\0';
        if (h[0] == '[') {
            e = strchr(h, ']');
            if (e) {
                *e = '\0';
                if (e[1] == ':')
                    port = e + 2;
                h++;
            }
        } else if ((e = strrchr(h, ':')) != NULL && strchr(h, ':') == e) {
            *e = '\0';
            port = e + 1;
        }
        if (eq_nocase(h, "localhost"))
            cls = WFPW_ADDR_LOOPBACK;
        else if (wfpw_netaddr_parse(h, &a) == 0)
            cls = wfpw_netaddr_class(&a);
        else
            cls = WFPW_ADDR_PUBLIC;
        if (port && strtol(port, NULL, 10) == 0 && port[0] == '0')
            cls = -2;
        if (cls == -2 || cls == WFPW_ADDR_LOOPBACK || cls == WFPW_ADDR_UNSPECIFIED ||
            (cls == WFPW_ADDR_LINKLOCAL && worst == WFPW_ADDR_PUBLIC)) {
            if (worst != -2 && worst != WFPW_ADDR_LOOPBACK && worst != WFPW_ADDR_UNSPECIFIED) {
                worst = cls;
                setf(what, wl, "%s%s%s", h, port ? ":" : "", port ? port : "");
            }
        }
    }
    return worst;
}

/* ---- items ------------------------------------------------------------------------------------ */

/* the item being built: its texts are written here, then copied into the arena (an id is a
 * whole registry path: up to 4 KiB) */
struct bld {
    char id[4400], sum[1200];
    int pending, failed;
};

static void commit(struct wfpw_surface *s, struct bld *b)
{
    struct wfpw_surface_item *it;
    if (!b->pending || s->nitems == 0)
        return;
    it = &s->items[s->nitems - 1];
    b->pending = 0;
    if ((it->id = wfpw_arena_strdup(&s->arena, b->id)) == NULL ||
        (it->summary = wfpw_arena_strdup(&s->arena, b->sum[0] ? b->sum : it->kind)) == NULL)
        b->failed = 1;
}

static struct wfpw_surface_item *item(struct wfpw_surface *s, size_t *cap, struct bld *b, const char *kind)
{
    struct wfpw_surface_item *it;
    commit(s, b);
    if (b->failed)
        return NULL;
    if (s->nitems == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        void *p = wfpw_realloc(s->items, nc * sizeof(*s->items));
        if (p == NULL)
            return NULL;
        s->items = p, *cap = nc;
    }
    it = &s->items[s->nitems++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    b->id[0] = b->sum[0] = '\0';
    b->pending = 1;
    return it;
}

static void join_parts(char parts[][256], size_t n, char *out, size_t outlen)
{
    size_t i, used = 0;
    out[0] = '\0';
    for (i = 0; i < n && used < outlen; i++)
        used += (size_t)setf(out + used, outlen - used, "%s%s", i ? ", " : "", parts[i]);
    if (n == 0)
        setf(out, outlen, "(none)");
}

int wfpw_surface_build(struct wfpw_surface *s)
{
    const struct wfpw_regstore *rs = &s->reg;
    unsigned char *used = wfpw_calloc(rs->nvals ? rs->nvals : 1, 1);
    unsigned char *firstk = wfpw_calloc(rs->nkeys ? rs->nkeys : 1, 1); /* a key's first [KEY] line */
    struct wfpw_surface_ref *korder = wfpw_malloc((rs->nkeys ? rs->nkeys : 1) * sizeof(*korder));
    size_t cap = 0, i, j, lo, hi, x;
    char nk[4096];
    static struct bld bzero;
    struct bld b = bzero;

    wfpw_free(s->items);
    s->items = NULL, s->nitems = 0;
    if (used == NULL || firstk == NULL || korder == NULL || index_values(s) != 0)
        goto oom;
    for (i = 0; i < rs->nkeys; i++)
        korder[i].name = rs->keys[i].key, korder[i].kind = NULL, korder[i].idx = i;
    qsort(korder, rs->nkeys, sizeof(*korder), cmp_ref);
    for (i = 0; i < rs->nkeys; i++) /* the same key in several files (or twice): its first line */
        if (i == 0 || wfpw_reg_cmp(korder[i - 1].name, korder[i].name) != 0)
            firstk[korder[i].idx] = 1;
    for (i = 0; i < rs->nkeys; i++) {
        const char *k = rs->keys[i].key, *rule, *pol;
        struct wfpw_surface_item *it;
        if (!firstk[i])
            continue;
        key_values(s, k, &lo, &hi);
        norm_key(k, nk, sizeof(nk));
        if ((rule = child_of(nk, NRPT_GP)) != NULL || (rule = child_of(nk, NRPT_LOCAL)) != NULL) {
            struct nrpt r;
            char ns[600], srv[600];
            int gp = strncmp(nk, NRPT_GP, strlen(NRPT_GP)) == 0;
            if ((it = item(s, &cap, &b, "nrpt")) == NULL)
                goto oom;
            nrpt_read(s, k, &r);
            join_parts(r.ns, r.nns, ns, sizeof(ns));
            join_parts(r.srv, r.nsrv, srv, sizeof(srv));
            setf(b.id, sizeof(b.id), "%s", nk);
            setf(b.sum, sizeof(b.sum), "NRPT rule %s (%s): %s -> DNS %s%s", rs->keys[i].key +
                     strlen(k) - strlen(rule), gp ? "Group Policy" : "local", ns, srv,
                     r.has_options && !(r.options & 8) ? " (GenericDNSServers option bit not set: ignored)" : "");
            it->key = k;
            for (x = lo; x < hi; x++)
                used[s->vorder[x].idx] = 1;
        } else if ((pol = child_of(nk, QOS_M)) != NULL || (pol = child_of(nk, QOS_U)) != NULL) {
            struct qos q;
            if ((it = item(s, &cap, &b, "qos")) == NULL)
                goto oom;
            qos_read(s, k, &q);
            setf(b.id, sizeof(b.id), "%s", nk);
            {
                char thr[96];
                if (q.throttle > 0)
                    setf(thr, sizeof(thr), "%lld (%s)", (long long)q.throttle, q.throttle_from);
                else
                    setf(thr, sizeof(thr), "none");
                setf(b.sum, sizeof(b.sum), "QoS policy %s: application %s%s%s, throttle %s, DSCP %s",
                         rs->keys[i].key + strlen(k) - strlen(pol), q.app ? q.app : "(any)",
                         q.remote[0] ? ", remote " : "", q.remote, thr, q.dscp ? q.dscp : "(none)");
            }
            it->key = k;
            for (x = lo; x < hi; x++)
                used[s->vorder[x].idx] = 1;
        } else {
            int is_routes = strcmp(nk, ROUTES) == 0, is_table = strcmp(nk, ROUTE_TABLE) == 0;
            int is_tcpip = strcmp(nk, TCPIP) == 0;
            int is_winhttp = strcmp(nk, WINHTTP) == 0, is_tele = strcmp(nk, TELEMETRY) == 0;
            int is_def = strcmp(nk, DEFENDER) == 0;
            int is_inet = (strncmp(nk, "hklm\\", 5) == 0 || strncmp(nk, "hkcu\\", 5) == 0) &&
                          (strcmp(nk + 5, INET_SUFFIX) == 0 || strcmp(nk + 5, INET_POL_SUFFIX) == 0);
            for (x = lo; x < hi; x++) {
                const struct wfpw_regval *v = &rs->vals[j = s->vorder[x].idx];
                const char *n = v->name;
                if (is_routes || is_table) {
                    struct route r;
                    const char *what = is_routes ? "persistent route" : "active route";
                    route_read(n, &r);
                    if (is_table && route_noise(&r)) {
                        used[j] = 1; /* the host's own plumbing: never a silencing */
                        continue;
                    }
                    if ((it = item(s, &cap, &b, "route")) == NULL)
                        goto oom;
                    setf(b.id, sizeof(b.id), "%s:%s", is_routes ? "route" : "table", n);
                    if (r.ok)
                        setf(b.sum, sizeof(b.sum), "%s %s/%d via %s%s%s%s", what, r.dest, r.dst.prefix, r.gate,
                             r.metric[0] ? " metric " : "", r.metric, r.iftype == IFTYPE_LOOPBACK ? " (loopback interface)" : "");
                    else
                        setf(b.sum, sizeof(b.sum), "%s value '%.400s' (not destination,mask,gateway,metric: not "
                             "judged)", what, n);
                } else if (is_tcpip && eq_nocase(n, "DataBasePath")) {
                    if ((it = item(s, &cap, &b, "hosts-path")) == NULL)
                        goto oom;
                    setf(b.id, sizeof(b.id), "DataBasePath");
                    setf(b.sum, sizeof(b.sum), "hosts file directory (DataBasePath) %.400s",
                             v->text ? v->text : "(not a string)");
                } else if ((is_winhttp && eq_nocase(n, "WinHttpSettings")) ||
                           (is_tele && eq_nocase(n, "TelemetryProxyServer")) ||
                           (is_def && (eq_nocase(n, "ProxyServer") || eq_nocase(n, "ProxyPacUrl"))) ||
                           (is_inet && (eq_nocase(n, "ProxyServer") || eq_nocase(n, "AutoConfigURL")))) {
                    char px[300], bp[200];
                    if ((it = item(s, &cap, &b, "proxy")) == NULL)
                        goto oom;
                    setf(b.id, sizeof(b.id), "%s\\%s", nk, n);
                    if (is_winhttp) {
                        if (winhttp_read(v, px, sizeof(px), bp, sizeof(bp)) != 0)
                            setf(b.sum, sizeof(b.sum), "WinHTTP proxy: unreadable WinHttpSettings "
                                     "(its lengths run past its %zu bytes: not judged)", v->len);
                        else if (px[0])
                            setf(b.sum, sizeof(b.sum), "WinHTTP proxy %s%s%s", px,
                                     bp[0] ? ", bypass " : "", bp);
                        else
                            setf(b.sum, sizeof(b.sum), "WinHTTP proxy: direct access");
                    } else {
                        const struct wfpw_regval *en = val(s, k, "ProxyEnable");
                        uint64_t on = 1;
                        if (is_inet && eq_nocase(n, "ProxyServer") && en)
                            wfpw_regval_number(en, &on);
                        setf(b.sum, sizeof(b.sum), "%s %s %.300s%s",
                                 is_tele ? "Defender for Endpoint telemetry proxy (TelemetryProxyServer)"
                                 : is_def ? "Defender Antivirus proxy"
                                          : strncmp(nk, "hkcu", 4) == 0 ? "user proxy" : "machine proxy",
                                 n, v->text ? v->text : "(not a string)", on ? "" : " (ProxyEnable 0: off)");
                    }
                } else {
                    continue;
                }
                it->key = k, it->val = v, it->file = v->file, it->line = v->line;
                used[j] = 1;
            }
            if (is_inet)
                for (x = lo; x < hi; x++)
                    if (eq_nocase(rs->vals[s->vorder[x].idx].name, "ProxyEnable"))
                        used[s->vorder[x].idx] = 1; /* shown with ProxyServer */
            continue;
        }
        it->file = rs->keys[i].file, it->line = rs->keys[i].line;
    }
    /* keys whose values no rule reads: kept and shown */
    for (i = 0; i < rs->nkeys; i++) {
        const char *k = rs->keys[i].key;
        struct wfpw_surface_item *it;
        size_t nv = 0, first = 0;
        if (!firstk[i])
            continue;
        for (key_values(s, k, &lo, &hi), x = lo; x < hi; x++)
            if (!used[s->vorder[x].idx] && nv++ == 0)
                first = s->vorder[x].idx;
        if (nv == 0)
            continue;
        if ((it = item(s, &cap, &b, "other")) == NULL)
            goto oom;
        norm_key(k, nk, sizeof(nk));
        setf(b.id, sizeof(b.id), "%s", nk);
        setf(b.sum, sizeof(b.sum), "%.400s: %zu value%s no rule reads (first: '%.60s')", k, nv,
                 nv == 1 ? "" : "s", rs->vals[first].name[0] ? rs->vals[first].name : "@");
        it->key = k, it->file = rs->keys[i].file, it->line = rs->keys[i].line;
    }
    for (i = 0; i < s->hosts.n; i++) {
        const struct wfpw_host_entry *e = &s->hosts.e[i];
        struct wfpw_surface_item *it = item(s, &cap, &b, "hosts");
        if (it == NULL)
            goto oom;
        setf(b.id, sizeof(b.id), "%s %s", e->name, e->addr);
        setf(b.sum, sizeof(b.sum), "hosts: %s -> %s", e->name, e->addr);
        it->host = e, it->file = s->hosts.file, it->line = e->line;
    }
    if (s->nitems)
        commit(s, &b);
    if (b.failed || index_items(s) != 0)
        goto oom;
    wfpw_free(used);
    wfpw_free(firstk);
    wfpw_free(korder);
    return 0;
oom:
    wfpw_free(used);
    wfpw_free(firstk);
    wfpw_free(korder);
    return WFPW_ENOMEM;
}

/* ---- rules ------------------------------------------------------------------------------------ */

static struct wfpw_surface_finding *add(struct wfpw_surface_finding *out, size_t *n, size_t max, size_t item,
                                        const char *rule, const char *severity)
{
    struct wfpw_surface_finding *x;
    if (*n >= max)
        return NULL;
    x = &out[(*n)++];
    memset(x, 0, sizeof(*x));
    x->rule = rule, x->severity = severity, x->item = item;
    return x;
}

static const char *milder(const char *sev)
{
    return !strcmp(sev, "critical") ? "high" : !strcmp(sev, "high") ? "medium" : "low";
}

/* a configured endpoint ("ip" or "ip/len") the prefix overlaps, or NULL */
static const char *cfg_endpoint(const struct wfpw_rules_cfg *cfg, const struct wfpw_netaddr *a)
{
    size_t i;
    for (i = 0; cfg && i < cfg->nendpoints; i++) {
        struct wfpw_netaddr e;
        if (wfpw_netaddr_parse(cfg->endpoints[i], &e) == 0 && wfpw_netaddr_overlap(a, &e))
            return cfg->endpoints[i];
    }
    return NULL;
}

/* who a prefix belongs to: vendor text into out; 0 when nobody's */
static int range_owner(const struct wfpw_rules_cfg *cfg, const struct wfpw_netaddr *a, char *out, size_t ol)
{
    const struct wfpw_cloud_range *r = wfpw_cloud_addr(a);
    const char *e;
    if (r) {
        setf(out, ol, "%s (published address %s)", r->vendor, r->prefix);
        return 1;
    }
    if ((e = cfg_endpoint(cfg, a)) != NULL) {
        setf(out, ol, "configured security-product endpoint %s", e);
        return 1;
    }
    return 0;
}

static size_t eval_nrpt(const struct wfpw_surface *s, size_t i, struct wfpw_surface_finding *out, size_t max)
{
    const struct wfpw_surface_item *it = &s->items[i];
    struct nrpt r;
    size_t n = 0, a, b;
    int worst = -1;
    const char *worst_srv = NULL;
    nrpt_read(s, it->key, &r);
    if (r.nsrv == 0 || (r.has_options && !(r.options & 8)))
        return 0; /* Windows ignores GenericDNSServers without option bit 0x8 */
    for (b = 0; b < r.nsrv; b++) {
        struct wfpw_netaddr ad;
        int cls = wfpw_netaddr_parse(r.srv[b], &ad) == 0 ? wfpw_netaddr_class(&ad) : WFPW_ADDR_PUBLIC;
        int rank = cls == WFPW_ADDR_LOOPBACK || cls == WFPW_ADDR_UNSPECIFIED ? 3
                 : cls == WFPW_ADDR_PRIVATE || cls == WFPW_ADDR_LINKLOCAL ? 2 : 1;
        if (rank > worst)
            worst = rank, worst_srv = r.srv[b];
    }
    for (a = 0; a < r.nns; a++) {
        const char *ns = r.ns[a];
        int all = strcmp(ns, ".") == 0;
        const struct wfpw_cloud_domain *d = all ? NULL : wfpw_cloud_namespace(ns);
        struct wfpw_surface_finding *x;
        if (!all && d == NULL)
            continue;       /* split DNS for someone else's names */
        if (all && worst < 3)
            continue;       /* a VPN's catch-all to its own resolvers */
        x = add(out, &n, max, i, worst == 3 ? "nrpt-sinkhole" : "nrpt-redirect",
                worst == 3 ? "critical" : worst == 2 ? "high" : "medium");
        if (x == NULL)
            break;
        if (d && d->shared && worst == 3)
            x->severity = "high";
        setf(x->title, sizeof(x->title), "NRPT rule sends %s to DNS server %s",
                 all ? "every name" : ns, worst_srv);
        if (all) {
            setf(x->why, sizeof(x->why), "the catch-all namespace '.' sends every name to %s, a loopback or "
                     "unspecified address where nothing answers: no security product resolves its cloud", worst_srv);
        } else {
            setf(x->why, sizeof(x->why), "namespace %s covers %s (%s); the DNS client asks %s, %s, for it: %s",
                     ns, d->pattern, d->vendor, worst_srv,
                     worst == 3 ? "a loopback or unspecified address" : worst == 2 ? "a private address"
                                                                      : "a public address",
                     worst == 3 ? "nothing answers, the product cannot resolve its cloud (public atomic test "
                                  "T1562.006 'Block Cybersecurity communication by leveraging NRPT')"
                                : "that server decides where the product's connections go");
            setf(x->target, sizeof(x->target), "%s (%s)", d->pattern, d->vendor);
        }
        break; /* one finding per rule */
    }
    return n;
}

static size_t eval_hosts(const struct wfpw_surface *s, size_t i, struct wfpw_surface_finding *out, size_t max)
{
    const struct wfpw_host_entry *e = s->items[i].host;
    const struct wfpw_cloud_domain *d = wfpw_cloud_name(e->name);
    struct wfpw_netaddr a;
    struct wfpw_surface_finding *x;
    size_t n = 0;
    int cls;
    const char *sev;
    if (d == NULL || wfpw_netaddr_parse(e->addr, &a) != 0)
        return 0;
    cls = wfpw_netaddr_class(&a);
    sev = cls == WFPW_ADDR_LOOPBACK || cls == WFPW_ADDR_UNSPECIFIED ? "critical"
        : cls == WFPW_ADDR_PRIVATE || cls == WFPW_ADDR_LINKLOCAL ? "high" : "medium";
    if (d->shared)
        sev = milder(sev);
    if ((x = add(out, &n, max, i, "hosts-sinkhole", sev)) == NULL)
        return n;
    setf(x->title, sizeof(x->title), "hosts file resolves %s to %s", e->name, e->addr);
    setf(x->why, sizeof(x->why), "%s belongs to %s (%s); the hosts file answers before DNS, with %s %s address%s",
             e->name, d->vendor, d->pattern, cls == WFPW_ADDR_UNSPECIFIED ? "an" : "a", wfpw_netaddr_class_name(cls),
             d->shared ? " (the domain also carries Windows telemetry, which privacy hosts lists block)" : "");
    setf(x->target, sizeof(x->target), "%s (%s)", d->pattern, d->vendor);
    return n;
}

static size_t eval_hosts_path(const struct wfpw_surface *s, size_t i, struct wfpw_surface_finding *out, size_t max)
{
    const struct wfpw_regval *v = s->items[i].val;
    struct wfpw_surface_finding *x;
    size_t n = 0;
    if (v->text && (eq_nocase(v->text, "%SystemRoot%\\System32\\drivers\\etc") ||
                    eq_nocase(v->text, "C:\\Windows\\System32\\drivers\\etc")))
        return 0;
    if ((x = add(out, &n, max, i, "hosts-relocated", "high")) == NULL)
        return n;
    setf(x->title, sizeof(x->title), "hosts file moved to %.200s", v->text ? v->text : "(not a string)");
    setf(x->why, sizeof(x->why), "Tcpip\\Parameters\\DataBasePath is not %%SystemRoot%%\\System32\\drivers\\etc: "
             "Windows reads a hosts file that tools checking the usual path never see");
    return n;
}

static size_t eval_qos(const struct wfpw_surface *s, size_t i, const struct wfpw_rules_cfg *cfg,
                       struct wfpw_surface_finding *out, size_t max)
{
    const struct wfpw_surface_item *it = &s->items[i];
    struct qos q;
    struct wfpw_surface_finding *x;
    const struct wfpw_product *p;
    size_t n = 0;
    char owner[200];
    struct wfpw_netaddr ra;
    qos_read(s, it->key, &q);
    if (q.throttle <= 0)
        return 0;
    p = q.app ? wfpw_product_match(q.app, cfg ? cfg->extra_products : NULL, cfg ? cfg->nextra : 0) : NULL;
    if (p) {
        if ((x = add(out, &n, max, i, "qos-throttle", "critical")) == NULL)
            return n;
        setf(x->title, sizeof(x->title), "QoS policy throttles security product %s", q.app);
        setf(x->why, sizeof(x->why), "policy-based QoS caps %s (%s) at %lld (%s): its cloud connections "
                 "time out while the process keeps running (EDRChoker)", q.app, p->vendor, (long long)q.throttle,
                 q.throttle_from);
        setf(x->target, sizeof(x->target), "%s", q.app);
    } else if (q.remote[0] && wfpw_netaddr_parse(q.remote, &ra) == 0 && range_owner(cfg, &ra, owner, sizeof(owner))) {
        if ((x = add(out, &n, max, i, "qos-throttle", "high")) == NULL)
            return n;
        setf(x->title, sizeof(x->title), "QoS policy throttles traffic to %s", q.remote);
        setf(x->why, sizeof(x->why), "the remote range %s holds %s; a throttle of %lld (%s) starves it",
                 q.remote, owner, (long long)q.throttle, q.throttle_from);
        setf(x->target, sizeof(x->target), "%s", q.remote);
    }
    return n;
}

/* The proxy list a proxy item sets (WinHTTP's from its binary value, else the value's text),
 * NULL when it sets none: direct access, ProxyEnable 0, not a string. px: room for WinHTTP's. */
static const char *proxy_list(const struct wfpw_surface *s, const struct wfpw_surface_item *it, char *px, size_t pxlen)
{
    const struct wfpw_regval *v = it->val, *en;
    char bp[200];
    uint64_t on = 1;
    if (v == NULL)
        return NULL;
    if (eq_nocase(v->name, "WinHttpSettings"))
        return winhttp_read(v, px, pxlen, bp, sizeof(bp)) == 0 && px[0] ? px : NULL;
    en = val(s, it->key, "ProxyEnable");
    if (eq_nocase(v->name, "ProxyServer") && en && wfpw_regval_number(en, &on) == 0 && on == 0)
        return NULL;
    return v->text;
}

static size_t eval_proxy(const struct wfpw_surface *s, size_t i, struct wfpw_surface_finding *out, size_t max)
{
    const struct wfpw_surface_item *it = &s->items[i];
    struct wfpw_surface_finding *x;
    char px[300], what[300];
    const char *list = proxy_list(s, it, px, sizeof(px));
    size_t n = 0;
    int worst;
    if (list == NULL)
        return 0;
    worst = proxy_worst(list, what, sizeof(what));
    if (worst == WFPW_ADDR_PUBLIC || worst == WFPW_ADDR_PRIVATE)
        return 0; /* a proxy somewhere on a network: corporate proxies look like this */
    if ((x = add(out, &n, max, i, "proxy-local", worst == WFPW_ADDR_LINKLOCAL ? "medium" : "high")) == NULL)
        return n;
    setf(x->title, sizeof(x->title), "%s points at %s", it->val && eq_nocase(it->val->name, "WinHttpSettings")
         ? "WinHTTP proxy" : it->val ? it->val->name : "proxy", what);
    setf(x->why, sizeof(x->why), "a proxy at %s (%s) carries no traffic anywhere: whatever uses this setting "
             "(the Defender for Endpoint sensor uses WinHTTP) loses its cloud", what,
             worst == -2 ? "port 0" : wfpw_netaddr_class_name(worst));
    setf(x->target, sizeof(x->target), "%s", what);
    return n;
}

/* an active route that PersistentRoutes also holds (same destination, mask and gateway): the
 * persistent item reports it */
static int also_persistent(const struct wfpw_surface *s, const struct route *r)
{
    size_t j;
    char nk[4096];
    for (j = 0; j < s->nitems; j++) {
        struct route p;
        if (strcmp(s->items[j].kind, "route") != 0 || s->items[j].val == NULL)
            continue;
        norm_key(s->items[j].val->key, nk, sizeof(nk));
        if (strcmp(nk, ROUTES) != 0)
            continue;
        route_read(s->items[j].val->name, &p);
        if (p.ok && wfpw_netaddr_overlap(&p.dst, &r->dst) && p.dst.prefix == r->dst.prefix &&
            memcmp(p.gw.a, r->gw.a, sizeof(p.gw.a)) == 0 && p.gw.family == r->gw.family)
            return 1;
    }
    return 0;
}

static size_t eval_route(const struct wfpw_surface *s, size_t i, const struct wfpw_rules_cfg *cfg,
                         struct wfpw_surface_finding *out, size_t max)
{
    struct route r;
    struct wfpw_surface_finding *x;
    char owner[200], nk[4096];
    size_t n = 0;
    int gcls, hole, active;
    route_read(s->items[i].val->name, &r);
    if (!r.ok || r.dst.prefix < 8 || !range_owner(cfg, &r.dst, owner, sizeof(owner)))
        return 0;
    norm_key(s->items[i].val->key, nk, sizeof(nk));
    active = strcmp(nk, ROUTE_TABLE) == 0;
    gcls = wfpw_netaddr_class(&r.gw);
    hole = gcls == WFPW_ADDR_LOOPBACK || gcls == WFPW_ADDR_UNSPECIFIED;
    if (active) {
        /* live: a tunnel's routes are how a VPN carries a cloud (quiet); a gateway on a LAN
         * is a router that may or may not forward it (medium) */
        int lan = r.iftype == IFTYPE_ETHERNET || r.iftype == IFTYPE_WIFI;
        hole = gcls == WFPW_ADDR_LOOPBACK || r.iftype == IFTYPE_LOOPBACK || (gcls == WFPW_ADDR_UNSPECIFIED && lan);
        if ((!hole && !lan) || also_persistent(s, &r))
            return 0;
    }
    if ((x = add(out, &n, max, i, "route-blackhole", hole ? "critical" : active ? "medium" : "high")) == NULL)
        return n;
    setf(x->title, sizeof(x->title), "%s route sends %s/%d %s%s%s", active ? "active" : "persistent", r.dest,
         r.dst.prefix, hole ? (gcls == WFPW_ADDR_UNSPECIFIED ? "on-link" : "to ") : "via ",
         gcls == WFPW_ADDR_UNSPECIFIED ? "" : r.gate, r.iftype == IFTYPE_LOOPBACK ? " over the loopback interface" : "");
    setf(x->why, sizeof(x->why), "%s lies in the range; %s%s", owner,
         hole ? "a public address sent on-link or to a loopback gateway is never reached"
              : "a route for a security product's cloud sends it to a gateway it does not normally use: if that "
                "router does not forward it (or does not exist), the product is cut off",
         active ? " (an active route: `route add` without -p, gone at reboot)" : "");
    setf(x->target, sizeof(x->target), "%s/%d", r.dest, r.dst.prefix);
    return n;
}

size_t wfpw_surface_eval(const struct wfpw_surface *s, size_t i, const struct wfpw_rules_cfg *cfg,
                         struct wfpw_surface_finding *out, size_t max)
{
    const char *k = s->items[i].kind;
    if (!strcmp(k, "nrpt"))
        return eval_nrpt(s, i, out, max);
    if (!strcmp(k, "hosts"))
        return eval_hosts(s, i, out, max);
    if (!strcmp(k, "hosts-path"))
        return eval_hosts_path(s, i, out, max);
    if (!strcmp(k, "qos"))
        return eval_qos(s, i, cfg, out, max);
    if (!strcmp(k, "proxy"))
        return eval_proxy(s, i, out, max);
    if (!strcmp(k, "route"))
        return eval_route(s, i, cfg, out, max);
    return 0;
}

/* ---- report ----------------------------------------------------------------------------------- */

/* Every value an item stands for, "name=data; ..." (the baseline compares this text). */
static void item_values(const struct wfpw_surface *s, const struct wfpw_surface_item *it, struct wfpw_buf *b,
                        int json)
{
    size_t j, nout = 0, lo, hi;
    char shown[1024];
    if (json)
        wfpw_buf_putc(b, '[');
    if (it->host) {
        if (json) {
            wfpw_buf_puts(b, "{\"address\":");
            wfpw_json_write_string(b, it->host->addr);
            wfpw_buf_puts(b, ",\"name\":");
            wfpw_json_write_string(b, it->host->name);
            wfpw_buf_puts(b, "}]");
        } else {
            wfpw_buf_printf(b, "%s %s", it->host->addr, it->host->name);
        }
        return;
    }
    if (it->val) {
        lo = 0, hi = 1;
    } else {
        key_values(s, it->key, &lo, &hi);
    }
    for (j = lo; j < hi; j++) {
        const struct wfpw_regval *v = it->val ? it->val : &s->reg.vals[s->vorder[j].idx];
        wfpw_regval_show(v, shown, sizeof(shown));
        if (json) {
            if (nout)
                wfpw_buf_putc(b, ',');
            wfpw_buf_puts(b, "{\"name\":");
            wfpw_json_write_string(b, v->name);
            wfpw_buf_printf(b, ",\"type\":%u,\"data\":", (unsigned)v->type);
            wfpw_json_write_string(b, shown);
            wfpw_buf_putc(b, '}');
        } else {
            wfpw_buf_printf(b, "%s%s=%s", nout ? "; " : "", v->name[0] ? v->name : "@", shown);
        }
        nout++;
    }
    if (json)
        wfpw_buf_putc(b, ']');
}

static int same_item(const struct wfpw_surface *a, const struct wfpw_surface_item *x, const struct wfpw_surface *b,
                     const struct wfpw_surface_item *y)
{
    struct wfpw_buf va, vb;
    int same;
    wfpw_buf_init(&va, 1u << 24);
    wfpw_buf_init(&vb, 1u << 24);
    item_values(a, x, &va, 0);
    item_values(b, y, &vb, 0);
    /* and the summary: it also says what other values decide (a ProxyServer switched on by
     * ProxyEnable is a change though its own value is not) */
    same = va.len == vb.len && (va.len == 0 || memcmp(va.data, vb.data, va.len) == 0) &&
           strcmp(x->summary, y->summary) == 0;
    wfpw_buf_free(&va);
    wfpw_buf_free(&vb);
    return same;
}

static const struct wfpw_surface_item *find_item(const struct wfpw_surface *s, const struct wfpw_surface_item *x)
{
    size_t lo, hi;
    if (s == NULL || s->iorder == NULL)
        return NULL;
    ref_range(s->iorder, s->nitems, x->kind, x->id, &lo, &hi);
    return lo < hi ? &s->items[s->iorder[lo].idx] : NULL;
}

static void item_json(const struct wfpw_surface *s, const struct wfpw_surface_item *it, struct wfpw_buf *out)
{
    wfpw_buf_puts(out, "{\"kind\":");
    wfpw_json_write_string(out, it->kind);
    wfpw_buf_puts(out, ",\"id\":");
    wfpw_json_write_string(out, it->id);
    wfpw_buf_puts(out, ",\"summary\":");
    wfpw_json_write_string(out, it->summary);
    wfpw_buf_puts(out, ",\"file\":");
    wfpw_json_write_string(out, it->file ? it->file : "");
    wfpw_buf_printf(out, ",\"line\":%u,\"key\":", it->line);
    if (it->key)
        wfpw_json_write_string(out, it->key);
    else
        wfpw_buf_puts(out, "null");
    wfpw_buf_puts(out, ",\"values\":");
    item_values(s, it, out, 1);
    wfpw_buf_putc(out, '}');
}

#define MAX_PER_ITEM 4

int wfpw_surface_report(const struct wfpw_surface *s, const struct wfpw_surface *baseline,
                        const struct wfpw_rules_cfg *cfg, int text, struct wfpw_buf *out,
                        struct wfpw_surface_result *res)
{
    struct wfpw_surface_finding f[MAX_PER_ITEM];
    size_t i, j, nout = 0, kinds[7] = {0};
    static const char *const kind_names[7] = {"nrpt", "hosts", "hosts-path", "proxy", "qos", "route", "other"};

    memset(res, 0, sizeof(*res));
    if (baseline) {
        for (i = 0; i < s->nitems; i++) {
            const struct wfpw_surface_item *b = find_item(baseline, &s->items[i]);
            if (b == NULL)
                res->added++;
            else if (!same_item(s, &s->items[i], baseline, b))
                res->changed++;
        }
        for (i = 0; i < baseline->nitems; i++)
            if (find_item(s, &baseline->items[i]) == NULL)
                res->removed++;
    }
    if (text)
        wfpw_buf_printf(out, "%-8s %-16s %-3s %s\n", "SEVERITY", "RULE", "", "FINDING");
    else
        wfpw_buf_puts(out, "{\"findings\":[");
    for (i = 0; i < s->nitems; i++) {
        const struct wfpw_surface_item *it = &s->items[i];
        const struct wfpw_surface_item *b = baseline ? find_item(baseline, it) : NULL;
        int pre = b != NULL && same_item(s, it, baseline, b);
        size_t n = wfpw_surface_eval(s, i, cfg, f, MAX_PER_ITEM);
        for (j = 0; j < 7; j++)
            if (!strcmp(it->kind, kind_names[j]))
                kinds[j]++;
        for (j = 0; j < n; j++) {
            f[j].preexisting = pre;
            wfpw_count_finding(res->counts, &res->preexisting, &res->worst_new, f[j].severity, pre);
            if (text) {
                wfpw_buf_printf(out, "%-8s %-16s %-3s %s\n", f[j].severity, f[j].rule, pre ? "old" : "NEW", f[j].title);
                wfpw_buf_printf(out, "%30s why: %s\n", "", f[j].why);
                if (f[j].target[0])
                    wfpw_buf_printf(out, "%30s target: %s\n", "", f[j].target);
                if (it->line) /* a file's line; a live reading has none ("registry", "GetIpForwardTable2") */
                    wfpw_buf_printf(out, "%30s %s:%u: %s\n", "", it->file ? it->file : "?", it->line, it->summary);
                else
                    wfpw_buf_printf(out, "%30s %s: %s\n", "", it->file ? it->file : "?", it->summary);
                continue;
            }
            if (nout++)
                wfpw_buf_putc(out, ',');
            wfpw_buf_puts(out, "{\"rule\":");
            wfpw_json_write_string(out, f[j].rule);
            wfpw_buf_printf(out, ",\"severity\":\"%s\",\"title\":", f[j].severity);
            wfpw_json_write_string(out, f[j].title);
            wfpw_buf_puts(out, ",\"why\":");
            wfpw_json_write_string(out, f[j].why);
            wfpw_buf_puts(out, ",\"target\":");
            if (f[j].target[0])
                wfpw_json_write_string(out, f[j].target);
            else
                wfpw_buf_puts(out, "null");
            wfpw_buf_printf(out, ",\"preexisting\":%s,\"item\":", pre ? "true" : "false");
            item_json(s, it, out);
            wfpw_buf_putc(out, '}');
        }
    }
    if (text) {
        wfpw_buf_puts(out, "\nsurface:\n");
        for (i = 0; i < s->nitems; i++)
            wfpw_buf_printf(out, "  %-10s %s\n", s->items[i].kind, s->items[i].summary);
        if (s->hosts.utf16)
            wfpw_buf_printf(out, "  note: %s is UTF-16; whether Windows' DNS client reads a UTF-16 hosts file is "
                                 "not documented\n", s->hosts.file);
        if (baseline)
            wfpw_buf_printf(out, "\nsince the baseline: %zu added, %zu removed, %zu changed", res->added,
                            res->removed, res->changed);
        wfpw_buf_printf(out, "\n%zu files, %zu items (%zu NRPT, %zu hosts, %zu proxy, %zu QoS, %zu route, %zu other): "
                             "%zu critical, %zu high, %zu medium, %zu low new; %zu pre-existing\n",
                        s->nfiles, s->nitems, kinds[0], kinds[1], kinds[3], kinds[4], kinds[5], kinds[6],
                        res->counts[4], res->counts[3], res->counts[2], res->counts[1], res->preexisting);
    } else {
        wfpw_buf_puts(out, "],\"items\":[");
        for (i = 0; i < s->nitems; i++) {
            if (i)
                wfpw_buf_putc(out, ',');
            item_json(s, &s->items[i], out);
        }
        wfpw_buf_printf(out, "],\"summary\":{\"files\":%zu,\"items\":%zu,\"nrpt\":%zu,\"hosts\":%zu,\"proxy\":%zu,"
                             "\"qos\":%zu,\"route\":%zu,\"other\":%zu,\"hosts_utf16\":%s,"
                             "\"critical\":%zu,\"high\":%zu,\"medium\":%zu,\"low\":%zu,\"preexisting\":%zu",
                        s->nfiles, s->nitems, kinds[0], kinds[1], kinds[3], kinds[4], kinds[5], kinds[6],
                        s->hosts.utf16 ? "true" : "false", res->counts[4], res->counts[3], res->counts[2],
                        res->counts[1], res->preexisting);
        if (baseline)
            wfpw_buf_printf(out, ",\"added\":%zu,\"removed\":%zu,\"changed\":%zu", res->added, res->removed,
                            res->changed);
        wfpw_buf_puts(out, "}}\n");
    }
    return out->err;
}

/* ---- change sets ------------------------------------------------------------------------------ */

#define WIRE_MAX_VALUES 256
#define WIRE_MAX_ID 512
#define WIRE_MAX_NAME 4096

/* s cut to at most max bytes on a UTF-8 boundary; a cut id keeps a hash of the whole, so two
 * long ids stay apart on the wire */
static const char *wire_text(const char *s, size_t max, int hashed, char *buf, size_t buflen)
{
    size_t n = strlen(s), cut;
    uint64_t h = 1469598103934665603ull;
    const unsigned char *p;
    if (n <= max)
        return s;
    cut = hashed ? max - 17 : max;
    if (cut >= buflen)
        cut = buflen - 18;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(buf, s, cut);
    buf[cut] = '\0';
    if (hashed) {
        for (p = (const unsigned char *)s; *p; p++)
            h = (h ^ *p) * 1099511628211ull;
        snprintf(buf + cut, buflen - cut, "~%016llx", (unsigned long long)h);
    }
    return buf;
}

cJSON *wfpw_surface_item_wire(const struct wfpw_surface *s, size_t i)
{
    const struct wfpw_surface_item *it = &s->items[i];
    cJSON *o = cJSON_CreateObject(), *vals, *v;
    char shown[1024], idb[WIRE_MAX_ID + 1], *nb = wfpw_malloc(WIRE_MAX_NAME + 1);
    size_t j, n = 0, lo, hi;
    int ok = o && nb && cJSON_AddStringToObject(o, "kind", it->kind) &&
             cJSON_AddStringToObject(o, "id", wire_text(it->id, WIRE_MAX_ID, 1, idb, sizeof(idb))) &&
             cJSON_AddStringToObject(o, "summary", it->summary) &&
             (it->key ? cJSON_AddStringToObject(o, "key", it->key) != NULL : cJSON_AddNullToObject(o, "key") != NULL) &&
             (vals = cJSON_AddArrayToObject(o, "values")) != NULL;
    if (ok && it->host) {
        ok = (v = cJSON_CreateObject()) && cJSON_AddItemToArray(vals, v) && cJSON_AddStringToObject(v, "name", "address") &&
             cJSON_AddNumberToObject(v, "type", WFPW_REG_SZ) && cJSON_AddStringToObject(v, "data", it->host->addr) &&
             (v = cJSON_CreateObject()) && cJSON_AddItemToArray(vals, v) && cJSON_AddStringToObject(v, "name", "name") &&
             cJSON_AddNumberToObject(v, "type", WFPW_REG_SZ) && cJSON_AddStringToObject(v, "data", it->host->name);
    }
    if (it->host || it->val)
        lo = 0, hi = it->val ? 1 : 0;
    else
        key_values(s, it->key, &lo, &hi);
    for (j = lo; ok && j < hi && n < WIRE_MAX_VALUES; j++) {
        const struct wfpw_regval *rv = it->val ? it->val : &s->reg.vals[s->vorder[j].idx];
        wfpw_regval_show(rv, shown, sizeof(shown));
        ok = (v = cJSON_CreateObject()) && cJSON_AddItemToArray(vals, v) &&
             cJSON_AddStringToObject(v, "name", wire_text(rv->name, WIRE_MAX_NAME, 0, nb, WIRE_MAX_NAME + 1)) &&
             cJSON_AddNumberToObject(v, "type", rv->type) && cJSON_AddStringToObject(v, "data", shown);
        n++;
    }
    wfpw_free(nb);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* changed_by for an item from the registry changes read since the previous reading (4657),
 * on ev; the item's own value when it is about one, else any value of its key. Nothing when
 * none was read, the item is not the registry's, or memory is short (it is enrichment). */
static void who(const struct wfpw_surface_item *it, const struct wfpw_surface_change_opts *o, cJSON *ev)
{
    const struct wfpw_regchange *c;
    cJSON *cb;
    if (ev == NULL || o->who == NULL || it->key == NULL || (it->key[0] != 'H' && it->key[0] != 'h'))
        return;
    c = wfpw_regwho_find(o->who, norm_key, it->key, it->val ? it->val->name : NULL, o->since_ms);
    if (c != NULL && (cb = wfpw_regchange_json(c)) != NULL && !cJSON_AddItemToObject(ev, "changed_by", cb))
        cJSON_Delete(cb);
}

static int push(cJSON *arr, cJSON *ev)
{
    if (ev == NULL)
        return WFPW_ENOMEM;
    if (!cJSON_AddItemToArray(arr, ev)) {
        cJSON_Delete(ev);
        return WFPW_ENOMEM;
    }
    return 0;
}

/* A hosts entry without a finding past the set's quota: counted, not listed. An ad-blocking
 * list is tens of thousands of entries; a fleet's first readings would otherwise be a
 * hundred million events for nothing any rule reads. */
static int unlisted(const struct wfpw_surface *s, size_t i, const struct wfpw_surface_change_opts *o, size_t *listed)
{
    struct wfpw_surface_finding f[MAX_PER_ITEM];
    if (o->max_hosts_listed == 0 || strcmp(s->items[i].kind, "hosts") != 0 ||
        wfpw_surface_eval(s, i, o->rules, f, MAX_PER_ITEM) > 0)
        return 0;
    if (*listed < o->max_hosts_listed) {
        (*listed)++;
        return 0;
    }
    return 1;
}

int wfpw_surface_changes(const struct wfpw_surface *before, const struct wfpw_surface *after,
                         const struct wfpw_surface_change_opts *o, cJSON **events)
{
    cJSON *arr = cJSON_CreateArray(), *ev;
    unsigned char *fresh = wfpw_calloc(after->nitems ? after->nitems : 1, 1); /* 1 added, 2 changed */
    struct wfpw_surface_finding f[MAX_PER_ITEM];
    size_t i, j, n, listed = 0, skipped = 0;
    int rc = 0, baseline = before == NULL;

    *events = NULL;
    if (arr == NULL || fresh == NULL) {
        cJSON_Delete(arr);
        wfpw_free(fresh);
        return WFPW_ENOMEM;
    }
    for (i = 0; i < after->nitems && rc == 0; i++) {
        const struct wfpw_surface_item *b = before ? find_item(before, &after->items[i]) : NULL;
        if (b != NULL && same_item(after, &after->items[i], before, b))
            continue;
        fresh[i] = b ? 2 : 1;
        if (unlisted(after, i, o, &listed)) {
            skipped++;
            continue;
        }
        ev = wfpw_event_surface_changed(0, o->time_ms, b ? "changed" : "added", wfpw_surface_item_wire(after, i),
                                        b ? wfpw_surface_item_wire(before, (size_t)(b - before->items)) : NULL,
                                        o->change_set, baseline);
        who(&after->items[i], o, ev);
        rc = push(arr, ev);
    }
    for (i = 0; before && i < before->nitems && rc == 0; i++)
        if (find_item(after, &before->items[i]) == NULL) {
            if (unlisted(before, i, o, &listed)) {
                skipped++;
                continue;
            }
            ev = wfpw_event_surface_changed(0, o->time_ms, "removed", wfpw_surface_item_wire(before, i), NULL,
                                            o->change_set, baseline);
            who(&before->items[i], o, ev);
            rc = push(arr, ev);
        }
    for (i = 0; i < after->nitems && rc == 0; i++) {
        cJSON *item;
        if (!fresh[i])
            continue;
        n = wfpw_surface_eval(after, i, o->rules, f, MAX_PER_ITEM);
        for (j = 0; j < n && rc == 0; j++) {
            struct wfpw_ev_alert a;
            char details[1024];
            if (wfpw_severity_rank(f[j].severity) < o->min_alert_rank)
                continue;
            if ((item = wfpw_surface_item_wire(after, i)) == NULL) {
                rc = WFPW_ENOMEM;
                break;
            }
            setf(details, sizeof(details), "%s%s%s", f[j].why, f[j].target[0] ? "; target: " : "", f[j].target);
            memset(&a, 0, sizeof(a));
            a.time_ms = o->time_ms, a.source = "surface", a.rule = f[j].rule, a.severity = f[j].severity;
            a.title = f[j].title, a.details = details, a.preexisting = baseline, a.surface_item = item;
            a.target_process = !strcmp(f[j].rule, "qos-throttle") && !strcmp(f[j].severity, "critical") ? f[j].target
                                                                                                          : NULL;
            ev = wfpw_event_alert(&a);
            who(&after->items[i], o, ev);
            rc = push(arr, ev);
            cJSON_Delete(item);
        }
    }
    if (rc == 0 && skipped > 0) {
        char msg[400];
        setf(msg, sizeof(msg), "surface change set %s: %zu hosts-file entries added, removed or changed beyond the "
             "first %zu are not listed one by one (none of them matches a rule; the agent's reading keeps them all)",
             o->change_set, skipped, o->max_hosts_listed);
        rc = push(arr, wfpw_event_agent_status(0, o->time_ms, "degraded", msg));
    }
    wfpw_free(fresh);
    if (rc != 0) {
        cJSON_Delete(arr);
        return rc;
    }
    *events = arr;
    return 0;
}

int wfpw_surface_save(const struct wfpw_surface *s, struct wfpw_buf *reg, struct wfpw_buf *hosts)
{
    size_t i;
    int rc = wfpw_regstore_write(&s->reg, reg);
    for (i = 0; rc == 0 && i < s->hosts.n; i++)
        wfpw_buf_printf(hosts, "%s %s\n", s->hosts.e[i].addr, s->hosts.e[i].name);
    return rc ? rc : hosts->err;
}

int wfpw_surface_item_fresh(const struct wfpw_surface *before, const struct wfpw_surface *after, size_t i)
{
    const struct wfpw_surface_item *b = before ? find_item(before, &after->items[i]) : NULL;
    if (b == NULL)
        return 1;
    return same_item(after, &after->items[i], before, b) ? 0 : 2;
}

/* "host:port" of one proxy-list entry ("https=h:p", "http://h:p/", "[v6]:p", "h"), with the
 * port a bare host or a scheme implies */
static int proxy_entry(const char *entry, struct wfpw_proxy_ep *ep)
{
    char h[256], *e, *port = NULL;
    const char *scheme = NULL;
    setf(h, sizeof(h), "%s", entry);
    if ((e = strchr(h, '=')) != NULL && (strstr(h, "://") == NULL || e < strstr(h, "://")))
        memmove(h, e + 1, strlen(e + 1) + 1);
    if ((e = strstr(h, "://")) != NULL) {
        *e = '\0';
        scheme = eq_nocase(h, "https") ? "443" : "80";
        memmove(h, e + 3, strlen(e + 3) + 1);
    }
    if ((e = strchr(h, '/')) != NULL)
        *e = '\0';
    if (h[0] == '[') {
        if ((e = strchr(h, ']')) == NULL)
            return -1;
        *e = '\0';
        if (e[1] == ':')
            port = e + 2;
        memmove(h, h + 1, strlen(h + 1) + 1);
    } else if ((e = strrchr(h, ':')) != NULL && strchr(h, ':') == e) {
        *e = '\0';
        port = e + 1;
    }
    if (h[0] == '\0' || (port && (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) || strlen(port) > 5)))
        return -1;
    setf(ep->host, sizeof(ep->host), "%s", h);
    setf(ep->port, sizeof(ep->port), "%s", port ? port : scheme ? scheme : "80");
    return 0;
}

size_t wfpw_surface_proxy_endpoints(const struct wfpw_surface *s, size_t i, struct wfpw_proxy_ep *out, size_t max)
{
    const struct wfpw_surface_item *it = &s->items[i];
    char px[300], what[300], parts[MAXPARTS][256];
    const char *list = strcmp(it->kind, "proxy") == 0 ? proxy_list(s, it, px, sizeof(px)) : NULL;
    size_t n = 0, k, np;
    if (list == NULL)
        return 0;
    if (proxy_worst(list, what, sizeof(what)) != WFPW_ADDR_PUBLIC && what[0])
        return 0; /* local: the proxy-local rule already says so */
    np = split(list, ";", parts, MAXPARTS);
    for (k = 0; k < np && n < max; k++) {
        size_t j;
        int dup = 0;
        if (proxy_entry(parts[k], &out[n]) != 0)
            continue;
        for (j = 0; j < n; j++)
            dup |= eq_nocase(out[j].host, out[n].host) && strcmp(out[j].port, out[n].port) == 0;
        if (!dup)
            n++;
    }
    return n;
}
