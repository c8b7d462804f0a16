/*
 * fwpuclnt.c — a stand-in for Windows' fwpuclnt.dll that the real wfpwatch-agent.exe loads
 * under Wine (WINEDLLOVERRIDES=fwpuclnt=n, the DLL beside the .exe), so the agent's own engine
 * code (src/win/wfp.c, its portable conversion src/wfp/fwpconv.c) runs against the Base
 * Filtering Engine as Windows behaves. Each behaviour is a row of docs/windows-behaviour.md:
 *   - the inventory is a `netsh wfp show state|filters` dump (WFPW_STANDIN_WFP), enumerated in
 *     pages: fewer entries than asked means the end; FwpmFreeMemory0 frees what Enum returned;
 *   - FwpmFilterSubscribeChanges0 reports adds and deletes only when the subscription asks for
 *     them (FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD 1 / _ON_DELETE 2; a subscription with flags 0
 *     gets nothing here: Microsoft's sample and every open-source caller set both, what flags 0
 *     does is not documented); FwpmFilterUnsubscribeChanges0 returns when no callback runs;
 *   - the Base Filtering Engine restarts (WFPW_STANDIN_WFP.bfe: "running N" / "stopped"): a
 *     session opened in another run is dead — its calls fail with an RPC error or
 *     FWP_E_SESSION_ABORTED (which one is not documented; see dead()) and its subscriptions
 *     deliver nothing more — and while BFE is stopped FwpmEngineOpen0 fails
 *     with EPT_S_NOT_REGISTERED (1753);
 *   - FWPM_ENGINE_COLLECT_NET_EVENTS and FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS are kept in
 *     WFPW_STANDIN_WFP.collect / .keywords (machine-wide, persistent); a keyword this Windows
 *     predates (port scanning before build 18362, WFPW_STANDIN_WFP_BUILD) is refused with
 *     FWP_E_INVALID_PARAMETER; net events (WFPW_STANDIN_WFP.netevents, the lines of
 *     tests/agent/wfp/netevent-build.c) arrive only while collection is on, capability drops
 *     only with their keyword.
 * The stand-in appends what the agent asked of it to WFPW_STANDIN_WFP.calls.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-build.h"
#include "fwpm.h"
#include "fwpm_netevent.h"
#include "netevent-build.h"
#include "netsh.h"
#include "wfpw/arena.h"
#include "wfpw/mem.h"

#define EXPORT __declspec(dllexport)
#define RPC_SERVER_UNAVAILABLE 1722u
#define EPT_NOT_REGISTERED 1753u

enum { K_SESSION = 0x5e55, K_ENUM = 0xe0e0, K_SUB = 0x50b5, K_NESUB = 0x4e45 };
enum { E_FILTER, E_PROVIDER, E_SUBLAYER, E_CALLOUT };

struct session {
    int kind;
    long generation;
    int txn;
};

struct enumh {
    int kind;
    int what;
    struct wfpw_inventory inv;
    struct wfpw_arena arena;      /* the engine structures built from inv */
    size_t next;
};

struct filter_sub {
    int kind;
    struct session *s;
    unsigned flags;
    void (WINAPI *cb)(void *ctx, const void *change);
    void *ctx;
    HANDLE thread;
    volatile LONG stop;
};

struct ne_sub {
    int kind;
    struct session *s;
    unsigned version;
    void (WINAPI *cb)(void *ctx, const void *event);
    void *ctx;
    HANDLE thread;
    volatile LONG stop;
};

static const char *dump(void)
{
    return getenv("WFPW_STANDIN_WFP");
}

static void log_call(const char *fmt, ...)
{
    char p[MAX_PATH + 16];
    FILE *f;
    va_list ap;
    if (dump() == NULL)
        return;
    snprintf(p, sizeof(p), "%s.calls", dump());
    if ((f = fopen(p, "ab")) == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
}

/* The BFE's run number, -1 while stopped (no file: run 0). */
static long bfe_generation(void)
{
    char p[MAX_PATH + 16], buf[64] = "";
    long g = 0;
    FILE *f;
    snprintf(p, sizeof(p), "%s.bfe", dump() ? dump() : "");
    if ((f = fopen(p, "r")) == NULL)
        return 0;
    if (fgets(buf, sizeof(buf), f) != NULL) {
        if (strncmp(buf, "stopped", 7) == 0)
            g = -1;
        else
            sscanf(buf, "running %ld", &g);
    }
    fclose(f);
    return g;
}

/* 0 while the session's engine lives, else the error its calls get. Which error a call on a
 * session of a restarted BFE returns is not documented: RPC errors are what a dead binding
 * gives, FWP_E_SESSION_ABORTED what the engine says of a session it ended. The stand-in
 * answers each run's dead sessions with another of them (run 1: 1726, run 2:
 * FWP_E_SESSION_ABORTED, run 3: 1722, ...), so the agent must take every one as "gone". */
static DWORD dead(const struct session *s)
{
    static const DWORD gone[] = {RPC_SERVER_UNAVAILABLE, 1726u /* RPC_S_CALL_FAILED */,
                                 0x80320010u /* FWP_E_SESSION_ABORTED */};
    if (s == NULL || s->kind != K_SESSION)
        return ERROR_INVALID_HANDLE;
    return bfe_generation() == s->generation ? 0 : gone[(unsigned long)s->generation % 3];
}

static unsigned long read_option(const char *suffix)
{
    char p[MAX_PATH + 16];
    unsigned long v = 0;
    FILE *f;
    snprintf(p, sizeof(p), "%s.%s", dump() ? dump() : "", suffix);
    if ((f = fopen(p, "r")) != NULL) {
        if (fscanf(f, "%lu", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v;
}

static int write_option(const char *suffix, unsigned long v)
{
    char p[MAX_PATH + 16];
    FILE *f;
    snprintf(p, sizeof(p), "%s.%s", dump() ? dump() : "", suffix);
    if ((f = fopen(p, "wb")) == NULL)
        return -1;
    fprintf(f, "%lu\n", v);
    fclose(f);
    return 0;
}

/* ---- sessions and transactions ------------------------------------------------------------------ */

EXPORT DWORD WINAPI FwpmEngineOpen0(const wchar_t *server, UINT32 authn, void *identity, const void *session,
                                    HANDLE *engine)
{
    struct session *s;
    (void)server, (void)authn, (void)identity, (void)session;
    *engine = NULL;
    if (dump() == NULL)
        return ERROR_INVALID_PARAMETER;
    if (bfe_generation() < 0) {
        log_call("open 1753");
        return EPT_NOT_REGISTERED;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return ERROR_OUTOFMEMORY;
    s->kind = K_SESSION;
    s->generation = bfe_generation();
    log_call("open ok run %ld", s->generation);
    *engine = s;
    return 0;
}

EXPORT DWORD WINAPI FwpmEngineClose0(HANDLE engine)
{
    struct session *s = engine;
    if (s == NULL || s->kind != K_SESSION)
        return ERROR_INVALID_HANDLE;
    s->kind = 0;
    free(s);
    return 0;
}

EXPORT DWORD WINAPI FwpmTransactionBegin0(HANDLE engine, UINT32 flags)
{
    struct session *s = engine;
    DWORD e;
    (void)flags;
    if ((e = dead(s)) != 0)
        return e;
    if (s->txn)
        return FWP_E_TXN_IN_PROGRESS;
    s->txn = 1;
    return 0;
}

EXPORT DWORD WINAPI FwpmTransactionAbort0(HANDLE engine)
{
    struct session *s = engine;
    DWORD e;
    if ((e = dead(s)) != 0)
        return e;
    if (!s->txn)
        return FWP_E_NO_TXN_IN_PROGRESS;
    s->txn = 0;
    return 0;
}

EXPORT void WINAPI FwpmFreeMemory0(void **p)
{
    if (p && *p) {
        free(*p);
        *p = NULL;
    }
}

/* ---- enumeration --------------------------------------------------------------------------------- */

static DWORD create_enum(HANDLE engine, int what, HANDLE *out)
{
    struct session *s = engine;
    struct enumh *h;
    char err[256];
    DWORD e;
    *out = NULL;
    if ((e = dead(s)) != 0)
        return e;
    if ((h = calloc(1, sizeof(*h))) == NULL)
        return ERROR_OUTOFMEMORY;
    h->kind = K_ENUM, h->what = what;
    wfpw_inventory_init(&h->inv);
    wfpw_arena_init(&h->arena);
    /* FwpmFilterEnum0 "works on a snapshot of the filters taken at the time the enumeration
     * handle was created" */
    if (wfpw_netsh_read_file(dump(), &h->inv, err, sizeof(err)) != 0) {
        log_call("enum: the dump does not read: %s", err);
        wfpw_inventory_free(&h->inv);
        free(h);
        return ERROR_INVALID_DATA;
    }
    *out = h;
    return 0;
}

static size_t total(const struct enumh *h)
{
    return h->what == E_FILTER ? h->inv.nfilters : h->what == E_PROVIDER ? h->inv.nproviders
                                               : h->what == E_SUBLAYER ? h->inv.nsublayers : h->inv.ncallouts;
}

/* Up to `want` entries from h->next: an array of pointers (freed with FwpmFreeMemory0) to
 * structures in h's arena. */
static DWORD enum_page(HANDLE engine, HANDLE handle, UINT32 want, void ***entries, UINT32 *got)
{
    struct enumh *h = handle;
    size_t n, i;
    DWORD e;
    *entries = NULL, *got = 0;
    if ((e = dead(engine)) != 0)
        return e;
    if (h == NULL || h->kind != K_ENUM)
        return ERROR_INVALID_HANDLE;
    n = total(h) - h->next;
    if (n > want)
        n = want;
    if (n == 0)
        return 0;
    if ((*entries = malloc(n * sizeof(void *))) == NULL)
        return ERROR_OUTOFMEMORY;
    for (i = 0; i < n; i++, h->next++) {
        void *obj = NULL;
        switch (h->what) {
        case E_FILTER:
            obj = wfpw_arena_alloc(&h->arena, sizeof(struct wfpw_fwpm_filter));
            wfpw_test_engine_filter(&h->arena, &h->inv.filters[h->next], obj);
            break;
        case E_PROVIDER:
            obj = wfpw_arena_alloc(&h->arena, sizeof(struct wfpw_fwpm_provider));
            wfpw_test_engine_provider(&h->arena, &h->inv.providers[h->next], obj);
            break;
        case E_SUBLAYER:
            obj = wfpw_arena_alloc(&h->arena, sizeof(struct wfpw_fwpm_sublayer));
            wfpw_test_engine_sublayer(&h->arena, &h->inv.sublayers[h->next], obj);
            break;
        default:
            obj = wfpw_arena_alloc(&h->arena, sizeof(struct wfpw_fwpm_callout));
            wfpw_test_engine_callout(&h->arena, &h->inv.callouts[h->next], obj);
        }
        (*entries)[i] = obj;
    }
    *got = (UINT32)n;
    return 0;
}

static DWORD destroy_enum(HANDLE engine, HANDLE handle)
{
    struct enumh *h = handle;
    (void)engine;
    if (h == NULL || h->kind != K_ENUM)
        return ERROR_INVALID_HANDLE;
    wfpw_inventory_free(&h->inv);
    wfpw_arena_free(&h->arena);
    h->kind = 0;
    free(h);
    return 0;
}

#define ENUM_FUNCS(Kind, what)                                                                          \
    EXPORT DWORD WINAPI Fwpm##Kind##CreateEnumHandle0(HANDLE engine, const void *tmpl, HANDLE *h)       \
    {                                                                                                   \
        (void)tmpl;                                                                                     \
        return create_enum(engine, what, h);                                                            \
    }                                                                                                   \
    EXPORT DWORD WINAPI Fwpm##Kind##Enum0(HANDLE engine, HANDLE h, UINT32 want, void ***entries, UINT32 *got) \
    {                                                                                                   \
        return enum_page(engine, h, want, entries, got);                                                \
    }                                                                                                   \
    EXPORT DWORD WINAPI Fwpm##Kind##DestroyEnumHandle0(HANDLE engine, HANDLE h)                         \
    {                                                                                                   \
        return destroy_enum(engine, h);                                                                 \
    }
ENUM_FUNCS(Filter, E_FILTER)
ENUM_FUNCS(Provider, E_PROVIDER)
ENUM_FUNCS(SubLayer, E_SUBLAYER)
ENUM_FUNCS(Callout, E_CALLOUT)

/* ---- filter change subscriptions --------------------------------------------------------------------- */

struct change0 {                 /* FWPM_FILTER_CHANGE0 */
    UINT32 change_type;          /* FWPM_CHANGE_ADD 1, FWPM_CHANGE_DELETE 2 */
    GUID filter_key;
    UINT64 filter_id;
};

static DWORD WINAPI filter_watcher(void *arg)
{
    struct filter_sub *fs = arg;
    WIN32_FILE_ATTRIBUTE_DATA last, now;
    memset(&last, 0, sizeof(last));
    GetFileAttributesExA(dump(), GetFileExInfoStandard, &last);
    while (!fs->stop) {
        Sleep(20);
        if (dead(fs->s) != 0)
            continue; /* a dead session's subscription says nothing */
        if (!GetFileAttributesExA(dump(), GetFileExInfoStandard, &now))
            continue;
        if (now.nFileSizeLow != last.nFileSizeLow || CompareFileTime(&now.ftLastWriteTime, &last.ftLastWriteTime) != 0 ||
            CompareFileTime(&now.ftCreationTime, &last.ftCreationTime) != 0) {
            struct change0 c;
            last = now;
            if (!(fs->flags & 3u))
                continue; /* asked for no kind of change */
            memset(&c, 0, sizeof(c));
            c.change_type = (fs->flags & 1u) ? 1 : 2;
            fs->cb(fs->ctx, &c);
        }
    }
    return 0;
}

EXPORT DWORD WINAPI FwpmFilterSubscribeChanges0(HANDLE engine, const void *subscription,
                                                void (WINAPI *callback)(void *, const void *), void *context,
                                                HANDLE *handle)
{
    /* FWPM_FILTER_SUBSCRIPTION0: enumTemplate pointer, flags, sessionKey */
    const struct {
        void *tmpl;
        UINT32 flags;
        GUID session;
    } *sub = subscription;
    struct filter_sub *fs;
    DWORD e;
    *handle = NULL;
    if ((e = dead(engine)) != 0)
        return e;
    if ((fs = calloc(1, sizeof(*fs))) == NULL)
        return ERROR_OUTOFMEMORY;
    fs->kind = K_SUB, fs->s = engine, fs->flags = sub->flags, fs->cb = callback, fs->ctx = context;
    log_call("subscribe changes flags %u", fs->flags);
    if ((fs->thread = CreateThread(NULL, 0, filter_watcher, fs, 0, NULL)) == NULL) {
        free(fs);
        return ERROR_OUTOFMEMORY;
    }
    *handle = fs;
    return 0;
}

EXPORT DWORD WINAPI FwpmFilterUnsubscribeChanges0(HANDLE engine, HANDLE handle)
{
    struct filter_sub *fs = handle;
    (void)engine;
    if (fs == NULL || fs->kind != K_SUB)
        return ERROR_INVALID_HANDLE;
    fs->stop = 1;
    WaitForSingleObject(fs->thread, INFINITE); /* no callback runs after this returns */
    CloseHandle(fs->thread);
    fs->kind = 0;
    free(fs);
    log_call("unsubscribe changes");
    return 0;
}

/* ---- engine options ------------------------------------------------------------------------------------ */

struct fwp_value0 {              /* FWP_VALUE0 with a UINT32 */
    UINT32 type;
    UINT32 pad;
    UINT64 value;
};

EXPORT DWORD WINAPI FwpmEngineGetOption0(HANDLE engine, UINT32 option, struct fwp_value0 **value)
{
    struct fwp_value0 *v;
    DWORD e;
    *value = NULL;
    if ((e = dead(engine)) != 0)
        return e;
    if (option > 1)
        return FWP_E_INVALID_PARAMETER;
    if ((v = calloc(1, sizeof(*v))) == NULL)
        return ERROR_OUTOFMEMORY;
    v->type = 3; /* FWP_UINT32 */
    v->value = read_option(option == 0 ? "collect" : "keywords");
    *value = v;
    return 0;
}

EXPORT DWORD WINAPI FwpmEngineSetOption0(HANDLE engine, UINT32 option, const struct fwp_value0 *value)
{
    const char *build = getenv("WFPW_STANDIN_WFP_BUILD");
    unsigned long v;
    DWORD e;
    if ((e = dead(engine)) != 0)
        return e;
    if (option > 1 || value == NULL || value->type != 3)
        return FWP_E_INVALID_PARAMETER;
    v = (unsigned long)(UINT32)value->value;
    if (option == 1 && ((v & ~0x3ful) || ((v & 0x20ul) && build && atol(build) < 18362))) {
        log_call("set keywords %lu refused", v);
        return FWP_E_INVALID_PARAMETER;
    }
    log_call("set %s %lu", option == 0 ? "collect" : "keywords", v);
    return write_option(option == 0 ? "collect" : "keywords", v) == 0 ? 0 : ERROR_WRITE_FAULT;
}

/* ---- net events ------------------------------------------------------------------------------------------- */

static DWORD WINAPI ne_feeder(void *arg)
{
    struct ne_sub *ns = arg;
    char p[MAX_PATH + 16];
    long done = 0;
    snprintf(p, sizeof(p), "%s.netevents", dump());
    while (!ns->stop) {
        FILE *f = fopen(p, "r");
        char line[1024];
        long n = 0;
        if (f) {
            while (fgets(line, sizeof(line), f)) {
                struct wfpw_test_netevent b;
                unsigned type;
                const void *ev;
                if (strchr(line, '\n') == NULL)
                    break; /* being written */
                if (n++ < done)
                    continue;
                done = n;
                if (dead(ns->s) != 0 || read_option("collect") == 0)
                    continue; /* the engine keeps nothing while collection is off */
                if ((ev = wfpw_test_netevent_build(&b, ns->version, line, &type)) == NULL)
                    continue;
                if (type == WFPW_NE_CAPABILITY_DROP && !(read_option("keywords") & 0x4u))
                    continue; /* kept only with FWPM_NET_EVENT_KEYWORD_CAPABILITY_DROP */
                ns->cb(ns->ctx, ev);
            }
            fclose(f);
        }
        Sleep(20);
    }
    return 0;
}

static DWORD ne_subscribe(unsigned version, HANDLE engine, void (WINAPI *cb)(void *, const void *), void *ctx,
                          HANDLE *handle)
{
    struct ne_sub *ns;
    DWORD e;
    *handle = NULL;
    if ((e = dead(engine)) != 0)
        return e;
    if ((ns = calloc(1, sizeof(*ns))) == NULL)
        return ERROR_OUTOFMEMORY;
    ns->kind = K_NESUB, ns->s = engine, ns->version = version, ns->cb = cb, ns->ctx = ctx;
    log_call("subscribe net events %u", version);
    if ((ns->thread = CreateThread(NULL, 0, ne_feeder, ns, 0, NULL)) == NULL) {
        free(ns);
        return ERROR_OUTOFMEMORY;
    }
    *handle = ns;
    return 0;
}

#define NE_SUBSCRIBE(n)                                                                                       \
    EXPORT DWORD WINAPI FwpmNetEventSubscribe##n(HANDLE engine, const void *sub,                              \
                                                 void (WINAPI *cb)(void *, const void *), void *ctx, HANDLE *h) \
    {                                                                                                         \
        (void)sub;                                                                                            \
        return ne_subscribe(n, engine, cb, ctx, h);                                                           \
    }
NE_SUBSCRIBE(0)
NE_SUBSCRIBE(1)
NE_SUBSCRIBE(2)
NE_SUBSCRIBE(3)
NE_SUBSCRIBE(4)

EXPORT DWORD WINAPI FwpmNetEventUnsubscribe0(HANDLE engine, HANDLE handle)
{
    struct ne_sub *ns = handle;
    (void)engine;
    if (ns == NULL || ns->kind != K_NESUB)
        return ERROR_INVALID_HANDLE;
    ns->stop = 1;
    WaitForSingleObject(ns->thread, INFINITE);
    CloseHandle(ns->thread);
    ns->kind = 0;
    free(ns);
    return 0;
}
