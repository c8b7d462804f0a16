/*
 * wfp.c (Windows) — the filter inventory from the Base Filtering Engine: FwpmEngineOpen0,
 * one read-only transaction per inventory, each object kind enumerated in pages, each page
 * handed to the portable conversion (src/wfp/fwpconv.c) through the layout-checked cast
 * (tests/windows/check-fwpm-layout.c) and freed at once. Change notifications come from
 * FwpmFilterSubscribeChanges0 on an RPC thread and only poke the caller's callback.
 */
#include <winsock2.h>
#include <uv.h>
#include <windows.h>
#include <fwpmu.h>
#include <sddl.h>
#include <stdio.h>
#include <string.h>

#include "fwpconv.h"
#include "inventory.h"
#include "platform.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#ifndef FWPM_TXN_READ_ONLY
#define FWPM_TXN_READ_ONLY 0x00000001u
#endif
#ifndef RPC_C_AUTHN_WINNT
#define RPC_C_AUTHN_WINNT 10
#endif
/* fwpmu.h (Windows SDK) values mingw-w64 lacks; docs/windows-behaviour.md has their sources */
#define WFPW_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD 0x00000001u
#define WFPW_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE 0x00000002u

#define PAGE 1024u

struct wfpw__wfp {
    HANDLE engine;
    HANDLE change;               /* filter change subscription, NULL when not watching */
    struct uv_async_s *signal;          /* borrowed: sent on each change */
    HANDLE netevents;            /* net event subscription, NULL when none */
    unsigned ne_version;
    void (*on_netevent)(void *ctx, unsigned version, const void *event);
    void *ne_ctx;
};

/* "Call failed: error 0x... (system text)" plus what to check for the usual causes. */
static int fail(DWORD e, const char *call, char *err, size_t errlen)
{
    char text[256] = "";
    const char *hint = "";
    size_t n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0, text,
                              sizeof(text), NULL);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '.'))
        text[--n] = '\0';
    if (e == ERROR_ACCESS_DENIED)
        hint = "; the agent must run as LocalSystem or an administrator";
    else if (e == RPC_S_SERVER_UNAVAILABLE || e == EPT_S_NOT_REGISTERED || e == RPC_S_CANNOT_SUPPORT)
        hint = "; is the Base Filtering Engine service (BFE) running?";
    snprintf(err, errlen, "%s failed: error 0x%08lx%s%s%s%s", call, (unsigned long)e, n ? " (" : "", text,
             n ? ")" : "", hint);
    return wfpw__plat_error((long)e);
}

int wfpw__plat_wfp_open(struct wfpw__wfp **eng, char *err, size_t errlen)
{
    struct wfpw__wfp *w;
    DWORD e;
    *eng = NULL;
    if ((w = wfpw_calloc(1, sizeof(*w))) == NULL)
        return WFPW_ENOMEM;
    if ((e = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &w->engine)) != ERROR_SUCCESS) {
        wfpw_free(w);
        return fail(e, "FwpmEngineOpen0", err, errlen);
    }
    *eng = w;
    return 0;
}

static int sd_to_sddl(void *ctx, const uint8_t *sd, size_t len, char *out, size_t outlen)
{
    LPSTR s = NULL;
    ULONG n = 0;
    (void)ctx, (void)len;
    if (!ConvertSecurityDescriptorToStringSecurityDescriptorA(
            (PSECURITY_DESCRIPTOR)sd, SDDL_REVISION_1,
            OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
                SACL_SECURITY_INFORMATION,
            &s, &n))
        return -1;
    if ((size_t)n + 1 > outlen) {
        LocalFree(s);
        return -1;
    }
    memcpy(out, s, (size_t)n);
    out[n] = '\0';
    LocalFree(s);
    return 0;
}

/* One object kind: create the enum handle, convert page by page, destroy the handle. */
#define ENUMERATE(Kind, Type, convert_call)                                                             \
    do {                                                                                                \
        HANDLE eh = NULL;                                                                               \
        if ((e = Fwpm##Kind##CreateEnumHandle0(w->engine, NULL, &eh)) != ERROR_SUCCESS) {               \
            rc = fail(e, "Fwpm" #Kind "CreateEnumHandle0", err, errlen);                                \
            break;                                                                                      \
        }                                                                                               \
        for (;;) {                                                                                      \
            Type **page = NULL;                                                                         \
            UINT32 n = 0, i;                                                                            \
            if ((e = Fwpm##Kind##Enum0(w->engine, eh, PAGE, &page, &n)) != ERROR_SUCCESS) {             \
                rc = fail(e, "Fwpm" #Kind "Enum0", err, errlen);                                        \
                break;                                                                                  \
            }                                                                                           \
            for (i = 0; i < n && rc == 0; i++)                                                          \
                rc = convert_call;                                                                      \
            if (page)                                                                                   \
                FwpmFreeMemory0((void **)&page);                                                        \
            if (rc != 0 || n < PAGE)                                                                    \
                break;                                                                                  \
        }                                                                                               \
        Fwpm##Kind##DestroyEnumHandle0(w->engine, eh);                                                  \
    } while (0)

int wfpw__plat_wfp_inventory(struct wfpw__wfp *w, struct wfpw_inventory *inv, char *err, size_t errlen)
{
    struct wfpw_fwpconv_opts opts = {sd_to_sddl, NULL};
    DWORD e;
    int rc = 0;
    if ((e = FwpmTransactionBegin0(w->engine, FWPM_TXN_READ_ONLY)) != ERROR_SUCCESS)
        return fail(e, "FwpmTransactionBegin0", err, errlen);
    ENUMERATE(Provider, FWPM_PROVIDER0,
              wfpw_fwpconv_provider(inv, (const struct wfpw_fwpm_provider *)page[i], err, errlen));
    if (rc == 0)
        ENUMERATE(SubLayer, FWPM_SUBLAYER0,
                  wfpw_fwpconv_sublayer(inv, (const struct wfpw_fwpm_sublayer *)page[i], err, errlen));
    if (rc == 0)
        ENUMERATE(Callout, FWPM_CALLOUT0,
                  wfpw_fwpconv_callout(inv, (const struct wfpw_fwpm_callout *)page[i], err, errlen));
    if (rc == 0)
        ENUMERATE(Filter, FWPM_FILTER0,
                  wfpw_fwpconv_filter(inv, (const struct wfpw_fwpm_filter *)page[i], &opts, err, errlen));
    FwpmTransactionAbort0(w->engine); /* read-only: nothing to commit */
    if (rc == 0) {
        inv->source = "FwpmFilterEnum0";
        rc = wfpw_inventory_index(inv);
    }
    return rc;
}

static void CALLBACK on_filter_change(void *ctx, const FWPM_FILTER_CHANGE0 *change)
{
    struct wfpw__wfp *w = ctx;
    (void)change; /* the next inventory shows what changed; the id alone is not enough */
    uv_async_send(w->signal);
}

int wfpw__plat_wfp_watch(struct wfpw__wfp *w, struct uv_async_s *signal, char *err, size_t errlen)
{
    FWPM_FILTER_SUBSCRIPTION0 sub;
    DWORD e;
    /* no template: every filter; and both kinds of change must be asked for — a subscription
     * with flags 0 asks for none (Microsoft's sample and every open-source caller set both) */
    memset(&sub, 0, sizeof(sub));
    sub.flags = WFPW_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD | WFPW_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE;
    w->signal = signal;
    if ((e = FwpmFilterSubscribeChanges0(w->engine, &sub, on_filter_change, w, &w->change)) != ERROR_SUCCESS) {
        w->change = NULL;
        return fail(e, "FwpmFilterSubscribeChanges0", err, errlen);
    }
    return 0;
}

int wfpw__plat_wfp_probe(struct wfpw__wfp *w, char *err, size_t errlen)
{
    FWP_VALUE0 *v = NULL;
    DWORD e = FwpmEngineGetOption0(w->engine, FWPM_ENGINE_COLLECT_NET_EVENTS, &v);
    if (e != ERROR_SUCCESS)
        return fail(e, "FwpmEngineGetOption0 (session check)", err, errlen);
    FwpmFreeMemory0((void **)&v);
    return 0;
}

void wfpw__plat_wfp_unwatch(struct wfpw__wfp *w)
{
    if (w && w->change) {
        FwpmFilterUnsubscribeChanges0(w->engine, w->change); /* waits for running callbacks */
        w->change = NULL;
    }
}

int wfpw__plat_wfp_collect_get(struct wfpw__wfp *w, int *on, char *err, size_t errlen)
{
    FWP_VALUE0 *v = NULL;
    DWORD e = FwpmEngineGetOption0(w->engine, FWPM_ENGINE_COLLECT_NET_EVENTS, &v);
    if (e != ERROR_SUCCESS)
        return fail(e, "FwpmEngineGetOption0(FWPM_ENGINE_COLLECT_NET_EVENTS)", err, errlen);
    *on = v && v->type == FWP_UINT32 && v->uint32 != 0;
    FwpmFreeMemory0((void **)&v);
    return 0;
}

int wfpw__plat_wfp_collect_set(struct wfpw__wfp *w, int on, char *err, size_t errlen)
{
    FWP_VALUE0 v;
    DWORD e;
    memset(&v, 0, sizeof(v));
    v.type = FWP_UINT32;
    v.uint32 = on ? 1 : 0;
    if ((e = FwpmEngineSetOption0(w->engine, FWPM_ENGINE_COLLECT_NET_EVENTS, &v)) != ERROR_SUCCESS)
        return fail(e, "FwpmEngineSetOption0(FWPM_ENGINE_COLLECT_NET_EVENTS)", err, errlen);
    return 0;
}

int wfpw__plat_wfp_keywords_get(struct wfpw__wfp *w, uint32_t *keywords, char *err, size_t errlen)
{
    FWP_VALUE0 *v = NULL;
    DWORD e = FwpmEngineGetOption0(w->engine, FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS, &v);
    if (e != ERROR_SUCCESS)
        return fail(e, "FwpmEngineGetOption0(FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS)", err, errlen);
    *keywords = v && v->type == FWP_UINT32 ? v->uint32 : 0;
    FwpmFreeMemory0((void **)&v);
    return 0;
}

int wfpw__plat_wfp_keywords_set(struct wfpw__wfp *w, uint32_t keywords, char *err, size_t errlen)
{
    FWP_VALUE0 v;
    DWORD e;
    memset(&v, 0, sizeof(v));
    v.type = FWP_UINT32;
    v.uint32 = keywords;
    if ((e = FwpmEngineSetOption0(w->engine, FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS, &v)) != ERROR_SUCCESS) {
        int rc = fail(e, "FwpmEngineSetOption0(FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS)", err, errlen);
        /* a keyword this Windows predates (PORT_SCANNING_DROP before 1903) */
        return e == ERROR_INVALID_PARAMETER || e == 0x80320035u /* FWP_E_INVALID_PARAMETER */ ? WFPW_EINVAL : rc;
    }
    return 0;
}

/* One callback per subscribe version: each hands the event on with its version. */
#define NE_CALLBACK(n)                                                                          \
    static void CALLBACK on_netevent##n(void *ctx, const void *event)                          \
    {                                                                                           \
        struct wfpw__wfp *w = ctx;                                                              \
        w->on_netevent(w->ne_ctx, n, event);                                                    \
    }
NE_CALLBACK(0)
NE_CALLBACK(1)
NE_CALLBACK(2)
NE_CALLBACK(3)
NE_CALLBACK(4)

typedef DWORD(WINAPI *subscribe_fn)(HANDLE, const FWPM_NET_EVENT_SUBSCRIPTION0 *, void *, void *, HANDLE *);

int wfpw__plat_wfp_netevents(struct wfpw__wfp *w, void (*on_event)(void *ctx, unsigned version, const void *event),
                             void *ctx, unsigned *version, char *err, size_t errlen)
{
    static void (CALLBACK *const callbacks[])(void *, const void *) = {on_netevent0, on_netevent1, on_netevent2,
                                                                       on_netevent3, on_netevent4};
    HMODULE dll = GetModuleHandleA("fwpuclnt.dll");
    FWPM_NET_EVENT_SUBSCRIPTION0 sub;
    int n;
    *version = 0;
    if (dll == NULL)
        return fail(GetLastError(), "GetModuleHandle(fwpuclnt.dll)", err, errlen);
    memset(&sub, 0, sizeof(sub));   /* no template: every net event */
    w->on_netevent = on_event, w->ne_ctx = ctx;
    for (n = 4; n >= 0; n--) {      /* the newest this Windows has */
        char name[32];
        subscribe_fn fn;
        DWORD e;
        snprintf(name, sizeof(name), "FwpmNetEventSubscribe%d", n);
        if ((fn = (subscribe_fn)(void (*)(void))GetProcAddress(dll, name)) == NULL)
            continue;
        if ((e = fn(w->engine, &sub, (void *)callbacks[n], w, &w->netevents)) != ERROR_SUCCESS) {
            w->netevents = NULL;
            return fail(e, name, err, errlen);
        }
        w->ne_version = (unsigned)n;
        *version = (unsigned)n;
        return 0;
    }
    snprintf(err, errlen, "fwpuclnt.dll exports no FwpmNetEventSubscribe0..4");
    return WFPW_ENOSYS;
}

void wfpw__plat_wfp_close(struct wfpw__wfp *w)
{
    if (w == NULL)
        return;
    if (w->netevents)
        FwpmNetEventUnsubscribe0(w->engine, w->netevents); /* waits for running callbacks */
    wfpw__plat_wfp_unwatch(w);
    FwpmEngineClose0(w->engine);
    wfpw_free(w);
}
