/*
 * fwpkclnt_sys.c — a stand-in for Windows' fwpkclnt.sys (the kernel-mode WFP client), built
 * with the same toolchain as the callout driver and loaded by Wine's kernel in its place: Wine
 * resolves wfpw_drv.sys's imports from fwpkclnt.sys in system32\drivers. It is also started as
 * a kernel service of its own ("wfpwfwpk") so that it stays loaded and owns a control device
 * (\\.\wfpwfwpk, fwpk-ctl.h) through which tests/integration/test-driver-wine.sh injects classify
 * calls, stops and starts the "Base Filtering Engine", and reads back what the driver
 * registered.
 *
 * It implements the calls the driver makes and refuses what the documentation says Windows
 * refuses (docs/windows-behaviour.md, "Callout driver"): sessions only while the engine runs,
 * and dead after it stops (FWPM_SESSION0: a dynamic session's objects go with it; "Object
 * Management": a BFE stop ends every session); one transaction per session
 * (FwpmTransactionBegin0: FWP_E_TXN_IN_PROGRESS; Commit/Abort without one:
 * FWP_E_NO_TXN_IN_PROGRESS); objects added in a transaction exist only once it commits;
 * duplicate keys (FWP_E_ALREADY_EXISTS); a sublayer, callout or filter naming a provider that
 * does not exist (FWP_E_PROVIDER_NOT_FOUND); a callout or filter at a layer that does not exist
 * (FWP_E_LAYER_NOT_FOUND); a filter naming a missing sublayer (FWP_E_SUBLAYER_NOT_FOUND) or a
 * callout that was not added (FWP_E_CALLOUT_NOT_FOUND) or was added for another layer
 * (FWP_E_INCOMPATIBLE_LAYER); a weight that is not FWP_EMPTY, FWP_UINT8 0..15 or FWP_UINT64
 * (FWPM_FILTER0.weight; FWP_E_INVALID_WEIGHT); a callout key registered twice; notifyFn called
 * with ADD_FILTER when a filter for a registered callout is added, and its error refusing the
 * filter ("FWPS_CALLOUT_NOTIFY_FN3"); BFE state callbacks STOP_PENDING, STOPPED, START_PENDING,
 * RUNNING ("FwpmBfeStateSubscribeChanges0"). An inspection filter whose callout is not
 * registered is skipped at classify ("FwpsCalloutUnregisterById0": afterwards such filters are
 * ignored). Classify calls are made at PASSIVE_LEVEL from the control thread: Wine has no IRQL.
 */
#include <ntifs.h>

#define WFPK_STANDIN 1
#include "fwpk-ctl.h"
#include "wfpk.h"

#define MAXO 64
#define POOL_TAG 0x6b707766u /* 'kpwf' */
#define RPC_NT_SERVER_UNAVAILABLE ((NTSTATUS)0xC0020017)

struct kcallout { BOOLEAN used; struct wfpw_guid key; wfpw_fwps_classify_fn classify; wfpw_fwps_notify_fn notify; UINT32 id; };
struct session { BOOLEAN used, dynamic, in_txn; UINT32 generation; };
/* one table for the four kinds of management object */
enum kind { K_PROVIDER = 1, K_SUBLAYER, K_CALLOUT, K_FILTER };
struct object {
    UINT8 kind;
    BOOLEAN pending;                /* added in a transaction not yet committed */
    UINT8 session;                  /* index + 1 */
    struct wfpw_guid key, layer, sublayer, provider, callout_key;
    BOOLEAN has_provider;
    UINT32 action;
    UINT64 filter_id;
};
struct sub { BOOLEAN used; wfpw_fwpm_bfe_state_cb cb; void *ctx; };

static struct {
    FAST_MUTEX lock;
    PDEVICE_OBJECT device;
    UNICODE_STRING dos_name;
    struct kcallout kc[32];
    struct session s[16];
    struct object o[MAXO * 4];
    struct sub subs[8];
    UINT32 bfe_state, generation, next_callout_id, refused;
    UINT64 next_filter_id;
    BOOLEAN ready;
} z;

/* Wine calls the entry of a module it loads as an import with DllMain's arguments, and the one
 * of a service with DriverEntry's: either way, success. */
static void init_once(void)
{
    if (z.ready)
        return;
    ExInitializeFastMutex(&z.lock);
    z.bfe_state = WFPW_FWPM_SERVICE_RUNNING;
    z.generation = 1;
    z.next_callout_id = 300;
    z.next_filter_id = 900001;
    z.ready = TRUE;
}

static BOOLEAN same(const struct wfpw_guid *a, const struct wfpw_guid *b)
{
    return RtlCompareMemory(a, b, sizeof(*a)) == sizeof(*a);
}

static NTSTATUS refuse(NTSTATUS st, const char *what)
{
    z.refused++;
    DbgPrint("fwpkclnt stand-in: %s refused: 0x%08lx\n", what, (unsigned long)st);
    return st;
}

/* The layer keys the engine knows (the discard layers the driver uses: wfpk.h). */
static BOOLEAN known_layer(const struct wfpw_guid *k, UINT16 *id)
{
    static const struct { struct wfpw_guid key; UINT16 id; } l[] = {
        {WFPW_FWPM_LAYER_ALE_AUTH_CONNECT_V4_DISCARD, WFPW_FWPS_LAYER_ALE_AUTH_CONNECT_V4_DISCARD},
        {WFPW_FWPM_LAYER_ALE_AUTH_CONNECT_V6_DISCARD, WFPW_FWPS_LAYER_ALE_AUTH_CONNECT_V6_DISCARD},
        {WFPW_FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4_DISCARD, WFPW_FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V4_DISCARD},
        {WFPW_FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6_DISCARD, WFPW_FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V6_DISCARD},
        {WFPW_FWPM_LAYER_ALE_AUTH_LISTEN_V4_DISCARD, WFPW_FWPS_LAYER_ALE_AUTH_LISTEN_V4_DISCARD},
        {WFPW_FWPM_LAYER_ALE_AUTH_LISTEN_V6_DISCARD, WFPW_FWPS_LAYER_ALE_AUTH_LISTEN_V6_DISCARD},
        {WFPW_FWPM_LAYER_ALE_RESOURCE_ASSIGNMENT_V4_DISCARD, WFPW_FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V4_DISCARD},
        {WFPW_FWPM_LAYER_ALE_RESOURCE_ASSIGNMENT_V6_DISCARD, WFPW_FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V6_DISCARD},
        {WFPW_FWPM_LAYER_INBOUND_TRANSPORT_V4_DISCARD, WFPW_FWPS_LAYER_INBOUND_TRANSPORT_V4_DISCARD},
        {WFPW_FWPM_LAYER_INBOUND_TRANSPORT_V6_DISCARD, WFPW_FWPS_LAYER_INBOUND_TRANSPORT_V6_DISCARD},
        {WFPW_FWPM_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD, WFPW_FWPS_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD},
        {WFPW_FWPM_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD, WFPW_FWPS_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD},
    };
    ULONG i;
    for (i = 0; i < sizeof(l) / sizeof(l[0]); i++)
        if (same(k, &l[i].key)) {
            if (id)
                *id = l[i].id;
            return TRUE;
        }
    return FALSE;
}

static struct object *find(UINT8 kind, const struct wfpw_guid *key)
{
    ULONG i;
    for (i = 0; i < sizeof(z.o) / sizeof(z.o[0]); i++)
        if (z.o[i].kind == kind && same(&z.o[i].key, key))
            return &z.o[i];
    return NULL;
}

static struct kcallout *kcallout_by_key(const struct wfpw_guid *key)
{
    ULONG i;
    for (i = 0; i < sizeof(z.kc) / sizeof(z.kc[0]); i++)
        if (z.kc[i].used && same(&z.kc[i].key, key))
            return &z.kc[i];
    return NULL;
}

/* The session behind a handle (index + 1), or the status its calls get. */
static NTSTATUS session_of(wfpk_handle h, struct session **out)
{
    ULONG_PTR i = (ULONG_PTR)h;
    *out = NULL;
    if (i == 0 || i > sizeof(z.s) / sizeof(z.s[0]) || !z.s[i - 1].used)
        return STATUS_INVALID_HANDLE;
    if (z.s[i - 1].generation != z.generation || z.bfe_state != WFPW_FWPM_SERVICE_RUNNING)
        return WFPW_STATUS_FWP_SESSION_ABORTED; /* the engine stopped since it was opened */
    *out = &z.s[i - 1];
    return STATUS_SUCCESS;
}

static void delete_objects(UINT8 session, BOOLEAN pending_only)
{
    ULONG i;
    for (i = 0; i < sizeof(z.o) / sizeof(z.o[0]); i++) {
        struct object *o = &z.o[i];
        if (!o->kind || (session && o->session != session) || (pending_only && !o->pending))
            continue;
        if (o->kind == K_FILTER && !o->pending) {
            struct kcallout *k = kcallout_by_key(&o->callout_key);
            if (k && k->notify)
                k->notify(WFPW_FWPS_CALLOUT_NOTIFY_DELETE_FILTER, &o->key, NULL);
        }
        RtlZeroMemory(o, sizeof(*o));
    }
}

static struct object *add(UINT8 kind, struct session *s, const struct wfpw_guid *key)
{
    ULONG i;
    for (i = 0; i < sizeof(z.o) / sizeof(z.o[0]); i++)
        if (!z.o[i].kind) {
            RtlZeroMemory(&z.o[i], sizeof(z.o[i]));
            z.o[i].kind = kind;
            z.o[i].session = (UINT8)(s - z.s + 1);
            z.o[i].pending = s->in_txn;
            if (key)
                z.o[i].key = *key;
            return &z.o[i];
        }
    return NULL;
}

/* ---- the exports -------------------------------------------------------------------------------- */

wfpk_status WFPK_API FwpsCalloutRegister3(void *device_object, const struct wfpw_fwps_callout *c, uint32_t *id)
{
    ULONG i;
    NTSTATUS st = STATUS_SUCCESS;
    init_once();
    if (device_object == NULL || c == NULL || id == NULL || c->classify_fn == NULL || c->notify_fn == NULL)
        return refuse(STATUS_INVALID_PARAMETER, "FwpsCalloutRegister3");
    ExAcquireFastMutex(&z.lock);
    if (kcallout_by_key(&c->callout_key)) {
        st = refuse(WFPW_STATUS_FWP_ALREADY_EXISTS, "FwpsCalloutRegister3 (key registered)");
    } else {
        for (i = 0; i < sizeof(z.kc) / sizeof(z.kc[0]) && z.kc[i].used; i++)
            ;
        if (i == sizeof(z.kc) / sizeof(z.kc[0])) {
            st = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            z.kc[i].used = TRUE, z.kc[i].key = c->callout_key, z.kc[i].classify = c->classify_fn;
            z.kc[i].notify = c->notify_fn, z.kc[i].id = ++z.next_callout_id;
            *id = z.kc[i].id;
        }
    }
    ExReleaseFastMutex(&z.lock);
    return st;
}

wfpk_status WFPK_API FwpsCalloutUnregisterById0(const uint32_t id)
{
    ULONG i;
    NTSTATUS st = WFPW_STATUS_FWP_CALLOUT_NOT_FOUND;
    init_once();
    ExAcquireFastMutex(&z.lock);
    for (i = 0; i < sizeof(z.kc) / sizeof(z.kc[0]); i++)
        if (z.kc[i].used && z.kc[i].id == id) {
            RtlZeroMemory(&z.kc[i], sizeof(z.kc[i]));
            st = STATUS_SUCCESS;
        }
    ExReleaseFastMutex(&z.lock);
    return st == STATUS_SUCCESS ? st : refuse(st, "FwpsCalloutUnregisterById0");
}

wfpk_status WFPK_API FwpmEngineOpen0(const uint16_t *server, uint32_t authn, void *identity,
                                    const struct wfpw_fwpm_session *session, wfpk_handle *engine)
{
    ULONG i;
    NTSTATUS st = STATUS_INSUFFICIENT_RESOURCES;
    init_once();
    if (engine == NULL || server != NULL || (authn != WFPW_RPC_C_AUTHN_WINNT && authn != 0xFFFFFFFFu))
        return refuse(STATUS_INVALID_PARAMETER, "FwpmEngineOpen0");
    *engine = NULL;
    ExAcquireFastMutex(&z.lock);
    if (z.bfe_state != WFPW_FWPM_SERVICE_RUNNING) {
        st = refuse(RPC_NT_SERVER_UNAVAILABLE, "FwpmEngineOpen0 (engine not running)");
    } else {
        for (i = 0; i < sizeof(z.s) / sizeof(z.s[0]); i++)
            if (!z.s[i].used) {
                z.s[i].used = TRUE;
                z.s[i].dynamic = session && (session->flags & WFPW_FWPM_SESSION_FLAG_DYNAMIC);
                z.s[i].in_txn = FALSE;
                z.s[i].generation = z.generation;
                *engine = (wfpk_handle)(ULONG_PTR)(i + 1);
                st = STATUS_SUCCESS;
                break;
            }
    }
    ExReleaseFastMutex(&z.lock);
    return st;
}

wfpk_status WFPK_API FwpmEngineClose0(wfpk_handle engine)
{
    ULONG_PTR i = (ULONG_PTR)engine;
    init_once();
    if (i == 0 || i > sizeof(z.s) / sizeof(z.s[0]) || !z.s[i - 1].used)
        return refuse(STATUS_INVALID_HANDLE, "FwpmEngineClose0");
    ExAcquireFastMutex(&z.lock);
    delete_objects((UINT8)i, !z.s[i - 1].dynamic); /* a dynamic session's objects go with it */
    RtlZeroMemory(&z.s[i - 1], sizeof(z.s[i - 1]));
    ExReleaseFastMutex(&z.lock);
    return STATUS_SUCCESS;
}

wfpk_status WFPK_API FwpmTransactionBegin0(wfpk_handle engine, uint32_t flags)
{
    struct session *s;
    NTSTATUS st;
    init_once();
    ExAcquireFastMutex(&z.lock);
    if (NT_SUCCESS(st = session_of(engine, &s))) {
        if (s->in_txn)
            st = WFPW_STATUS_FWP_TXN_IN_PROGRESS;
        else
            s->in_txn = TRUE;
    }
    ExReleaseFastMutex(&z.lock);
    return NT_SUCCESS(st) ? st : refuse(st, "FwpmTransactionBegin0");
}

static NTSTATUS end_txn(wfpk_handle engine, BOOLEAN commit)
{
    struct session *s;
    NTSTATUS st;
    ULONG i;
    init_once();
    ExAcquireFastMutex(&z.lock);
    if (NT_SUCCESS(st = session_of(engine, &s))) {
        if (!s->in_txn) {
            st = WFPW_STATUS_FWP_NO_TXN_IN_PROGRESS;
        } else {
            UINT8 idx = (UINT8)(s - z.s + 1);
            s->in_txn = FALSE;
            if (commit) {
                for (i = 0; i < sizeof(z.o) / sizeof(z.o[0]); i++)
                    if (z.o[i].kind && z.o[i].session == idx)
                        z.o[i].pending = FALSE;
            } else {
                delete_objects(idx, TRUE);
            }
        }
    }
    ExReleaseFastMutex(&z.lock);
    return NT_SUCCESS(st) ? st : refuse(st, commit ? "FwpmTransactionCommit0" : "FwpmTransactionAbort0");
}

wfpk_status WFPK_API FwpmTransactionCommit0(wfpk_handle engine)
{
    return end_txn(engine, TRUE);
}

wfpk_status WFPK_API FwpmTransactionAbort0(wfpk_handle engine)
{
    return end_txn(engine, FALSE);
}

wfpk_status WFPK_API FwpmProviderAdd0(wfpk_handle engine, const struct wfpw_fwpm_provider *p, void *sd)
{
    struct session *s;
    NTSTATUS st;
    init_once();
    if (p == NULL)
        return refuse(WFPW_STATUS_FWP_NULL_POINTER, "FwpmProviderAdd0");
    ExAcquireFastMutex(&z.lock);
    if (NT_SUCCESS(st = session_of(engine, &s))) {
        if (find(K_PROVIDER, &p->key))
            st = WFPW_STATUS_FWP_ALREADY_EXISTS;
        else if (add(K_PROVIDER, s, &p->key) == NULL)
            st = STATUS_INSUFFICIENT_RESOURCES;
    }
    ExReleaseFastMutex(&z.lock);
    return NT_SUCCESS(st) ? st : refuse(st, "FwpmProviderAdd0");
}

wfpk_status WFPK_API FwpmSubLayerAdd0(wfpk_handle engine, const struct wfpw_fwpm_sublayer *sl, void *sd)
{
    struct session *s;
    struct object *o;
    NTSTATUS st;
    init_once();
    if (sl == NULL)
        return refuse(WFPW_STATUS_FWP_NULL_POINTER, "FwpmSubLayerAdd0");
    ExAcquireFastMutex(&z.lock);
    if (NT_SUCCESS(st = session_of(engine, &s))) {
        if (find(K_SUBLAYER, &sl->key))
            st = WFPW_STATUS_FWP_ALREADY_EXISTS;
        else if (sl->provider_key && !find(K_PROVIDER, sl->provider_key))
            st = WFPW_STATUS_FWP_PROVIDER_NOT_FOUND;
        else if ((o = add(K_SUBLAYER, s, &sl->key)) == NULL)
            st = STATUS_INSUFFICIENT_RESOURCES;
    }
    ExReleaseFastMutex(&z.lock);
    return NT_SUCCESS(st) ? st : refuse(st, "FwpmSubLayerAdd0");
}

wfpk_status WFPK_API FwpmCalloutAdd0(wfpk_handle engine, const struct wfpw_fwpm_callout *c, void *sd, uint32_t *id)
{
    struct session *s;
    struct object *o;
    NTSTATUS st;
    init_once();
    if (c == NULL)
        return refuse(WFPW_STATUS_FWP_NULL_POINTER, "FwpmCalloutAdd0");
    ExAcquireFastMutex(&z.lock);
    if (NT_SUCCESS(st = session_of(engine, &s))) {
        if (find(K_CALLOUT, &c->key))
            st = WFPW_STATUS_FWP_ALREADY_EXISTS;
        else if (!known_layer(&c->layer, NULL))
            st = WFPW_STATUS_FWP_LAYER_NOT_FOUND;
        else if (c->provider_key && !find(K_PROVIDER, c->provider_key))
            st = WFPW_STATUS_FWP_PROVIDER_NOT_FOUND;
        else if ((o = add(K_CALLOUT, s, &c->key)) == NULL)
            st = STATUS_INSUFFICIENT_RESOURCES;
        else
            o->layer = c->layer;
        if (NT_SUCCESS(st) && id)
            *id = 0;
    }
    ExReleaseFastMutex(&z.lock);
    return NT_SUCCESS(st) ? st : refuse(st, "FwpmCalloutAdd0");
}

wfpk_status WFPK_API FwpmFilterAdd0(wfpk_handle engine, const struct wfpw_fwpm_filter *f, void *sd, uint64_t *id)
{
    static const struct wfpw_guid zero;
    struct session *s;
    struct object *o, *co = NULL;
    struct kcallout *k;
    NTSTATUS st;
    init_once();
    if (f == NULL)
        return refuse(WFPW_STATUS_FWP_NULL_POINTER, "FwpmFilterAdd0");
    ExAcquireFastMutex(&z.lock);
    if (NT_SUCCESS(st = session_of(engine, &s))) {
        if (!known_layer(&f->layer_key, NULL))
            st = WFPW_STATUS_FWP_LAYER_NOT_FOUND;
        else if (!same(&f->sublayer_key, &zero) && !find(K_SUBLAYER, &f->sublayer_key))
            st = WFPW_STATUS_FWP_SUBLAYER_NOT_FOUND;
        else if (f->provider_key && !find(K_PROVIDER, f->provider_key))
            st = WFPW_STATUS_FWP_PROVIDER_NOT_FOUND;
        else if (!(f->weight.type == WFPW_FWP_EMPTY || (f->weight.type == WFPW_FWP_UINT8 && f->weight.u.u8 <= 15) ||
                   (f->weight.type == WFPW_FWP_UINT64 && f->weight.u.u64 != NULL)))
            st = WFPW_STATUS_FWP_INVALID_WEIGHT;
        else if ((f->action.type & WFPW_FWP_ACTION_FLAG_CALLOUT) &&
                 (co = find(K_CALLOUT, &f->action.filter_type)) == NULL)
            st = WFPW_STATUS_FWP_CALLOUT_NOT_FOUND;
        else if (co && !same(&co->layer, &f->layer_key))
            st = WFPW_STATUS_FWP_INCOMPATIBLE_LAYER;
        else if ((o = add(K_FILTER, s, &f->key)) == NULL)
            st = STATUS_INSUFFICIENT_RESOURCES;
        else {
            o->layer = f->layer_key, o->sublayer = f->sublayer_key, o->action = f->action.type;
            o->callout_key = f->action.filter_type;
            o->filter_id = z.next_filter_id++;
            /* "FWPS_CALLOUT_NOTIFY_FN3": the callout hears of each filter added for it, and an
             * error refuses the filter */
            if ((k = kcallout_by_key(&o->callout_key)) != NULL && k->notify &&
                !NT_SUCCESS(st = k->notify(WFPW_FWPS_CALLOUT_NOTIFY_ADD_FILTER, &o->key, NULL)))
                RtlZeroMemory(o, sizeof(*o));
            else if (id)
                *id = o->filter_id;
        }
    }
    ExReleaseFastMutex(&z.lock);
    return NT_SUCCESS(st) ? st : refuse(st, "FwpmFilterAdd0");
}

uint32_t WFPK_API FwpmBfeStateGet0(void)
{
    init_once();
    return z.bfe_state;
}

wfpk_status WFPK_API FwpmBfeStateSubscribeChanges0(void *device_object, wfpw_fwpm_bfe_state_cb cb, void *ctx,
                                                  wfpk_handle *h)
{
    ULONG i;
    init_once();
    if (device_object == NULL || cb == NULL || h == NULL)
        return refuse(STATUS_INVALID_PARAMETER, "FwpmBfeStateSubscribeChanges0");
    ExAcquireFastMutex(&z.lock);
    for (i = 0; i < sizeof(z.subs) / sizeof(z.subs[0]); i++)
        if (!z.subs[i].used) {
            z.subs[i].used = TRUE, z.subs[i].cb = cb, z.subs[i].ctx = ctx;
            *h = (wfpk_handle)(ULONG_PTR)(i + 1);
            ExReleaseFastMutex(&z.lock);
            return STATUS_SUCCESS;
        }
    ExReleaseFastMutex(&z.lock);
    return STATUS_INSUFFICIENT_RESOURCES;
}

wfpk_status WFPK_API FwpmBfeStateUnsubscribeChanges0(wfpk_handle h)
{
    ULONG_PTR i = (ULONG_PTR)h;
    init_once();
    if (i == 0 || i > sizeof(z.subs) / sizeof(z.subs[0]) || !z.subs[i - 1].used)
        return refuse(STATUS_INVALID_HANDLE, "FwpmBfeStateUnsubscribeChanges0");
    ExAcquireFastMutex(&z.lock);
    RtlZeroMemory(&z.subs[i - 1], sizeof(z.subs[i - 1]));
    ExReleaseFastMutex(&z.lock);
    return STATUS_SUCCESS;
}

/* ---- the engine stops and starts --------------------------------------------------------------- */

static void tell(uint32_t state)
{
    struct sub copy[sizeof(z.subs) / sizeof(z.subs[0])];
    ULONG i;
    ExAcquireFastMutex(&z.lock);
    z.bfe_state = state;
    RtlCopyMemory(copy, z.subs, sizeof(copy));
    ExReleaseFastMutex(&z.lock);
    for (i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
        if (copy[i].used)
            copy[i].cb(copy[i].ctx, state);
}

static void bfe(UINT32 op)
{
    if (op == 1 && z.bfe_state == WFPW_FWPM_SERVICE_RUNNING) {
        tell(WFPW_FWPM_SERVICE_STOP_PENDING);
        ExAcquireFastMutex(&z.lock);
        delete_objects(0, FALSE); /* every session ends; nothing of ours is persistent */
        ExReleaseFastMutex(&z.lock);
        tell(WFPW_FWPM_SERVICE_STOPPED);
    } else if (op == 2 && z.bfe_state == WFPW_FWPM_SERVICE_STOPPED) {
        tell(WFPW_FWPM_SERVICE_START_PENDING);
        ExAcquireFastMutex(&z.lock);
        z.generation++;
        ExReleaseFastMutex(&z.lock);
        tell(WFPW_FWPM_SERVICE_RUNNING);
    }
}

/* ---- classify injection --------------------------------------------------------------------------- */

/* Field positions per layer, from the FWPS_FIELDS_* pages (wfpk.h cites them): count, then the
 * index of local address, remote address, local port, remote port, protocol, flags (0xFF: the
 * layer has no such field). Written out here apart from the driver's table on purpose. */
static const struct { UINT16 v4, v6; UINT8 count, la, ra, lp, rp, proto, flags; } fields[] = {
    {WFPW_FWPS_LAYER_ALE_AUTH_CONNECT_V4_DISCARD, WFPW_FWPS_LAYER_ALE_AUTH_CONNECT_V6_DISCARD, 37, 2, 6, 4, 7, 5, 12},
    {WFPW_FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V4_DISCARD, WFPW_FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V6_DISCARD, 35, 2, 6, 4, 7, 5, 11},
    {WFPW_FWPS_LAYER_ALE_AUTH_LISTEN_V4_DISCARD, WFPW_FWPS_LAYER_ALE_AUTH_LISTEN_V6_DISCARD, 14, 2, 0xFF, 4, 0xFF, 0xFF, 6},
    {WFPW_FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V4_DISCARD, WFPW_FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V6_DISCARD, 16, 2, 0xFF, 4, 0xFF, 5, 8},
    {WFPW_FWPS_LAYER_INBOUND_TRANSPORT_V4_DISCARD, WFPW_FWPS_LAYER_INBOUND_TRANSPORT_V6_DISCARD, 15, 1, 2, 4, 5, 0, 9},
    {WFPW_FWPS_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD, WFPW_FWPS_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD, 16, 1, 3, 4, 5, 0, 10},
};

struct target { wfpw_fwps_classify_fn classify; UINT32 callout_id; UINT64 filter_id; };

static NTSTATUS inject(const struct wfpk_inject *in, struct wfpk_inject_result *res)
{
    struct wfpw_fwps_incoming_value vals[40];
    struct wfpw_fwps_incoming_values iv;
    struct wfpw_fwps_metadata *meta;
    struct wfpw_fwp_blob path;
    UINT8 a16[2][16];
    struct target t[8];
    ULONG nt = 0, i, n, row;
    BOOLEAN v6;
    UINT16 id;

    RtlZeroMemory(res, sizeof(*res));
    for (row = 0; row < sizeof(fields) / sizeof(fields[0]); row++)
        if (fields[row].v4 == in->layer_id || fields[row].v6 == in->layer_id)
            break;
    if (row == sizeof(fields) / sizeof(fields[0]) || in->path_bytes > sizeof(in->path))
        return STATUS_INVALID_PARAMETER;
    v6 = fields[row].v6 == in->layer_id;
    /* the filters at that layer whose callout is registered: the engine calls each */
    ExAcquireFastMutex(&z.lock);
    for (i = 0; i < sizeof(z.o) / sizeof(z.o[0]) && nt < 8; i++) {
        struct object *o = &z.o[i];
        struct kcallout *k;
        if (o->kind != K_FILTER || o->pending || !known_layer(&o->layer, &id) || id != in->layer_id ||
            !(o->action & WFPW_FWP_ACTION_FLAG_CALLOUT) || (k = kcallout_by_key(&o->callout_key)) == NULL)
            continue;
        t[nt].classify = k->classify, t[nt].callout_id = k->id, t[nt].filter_id = o->filter_id;
        nt++;
    }
    ExReleaseFastMutex(&z.lock);
    if (nt == 0) {
        res->no_callout = in->count;
        return STATUS_SUCCESS;
    }
    /* the metadata structure is the system's and larger than the prefix the driver reads */
    if ((meta = ExAllocatePoolWithTag(NonPagedPool, 512, POOL_TAG)) == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (n = 0; n < in->count; n++) {
        RtlZeroMemory(vals, sizeof(vals));
        RtlZeroMemory(meta, 512);
        iv.layer_id = in->layer_id;
        iv.value_count = fields[row].count;
        iv.incoming_value = vals;
        if (v6) {
            RtlCopyMemory(a16[0], in->local_addr, 16), RtlCopyMemory(a16[1], in->remote_addr, 16);
            vals[fields[row].la].value.type = WFPW_FWP_BYTE_ARRAY16_TYPE, vals[fields[row].la].value.u.a16 = a16[0];
            if (fields[row].ra != 0xFF)
                vals[fields[row].ra].value.type = WFPW_FWP_BYTE_ARRAY16_TYPE, vals[fields[row].ra].value.u.a16 = a16[1];
        } else {
            /* IPv4 in host order in the value ("FWP_VALUE0" for FWPS_FIELD_*_IP_*_ADDRESS) */
            vals[fields[row].la].value.type = WFPW_FWP_UINT32;
            vals[fields[row].la].value.u.u32 = (UINT32)in->local_addr[0] << 24 | (UINT32)in->local_addr[1] << 16 |
                                               (UINT32)in->local_addr[2] << 8 | in->local_addr[3];
            if (fields[row].ra != 0xFF) {
                vals[fields[row].ra].value.type = WFPW_FWP_UINT32;
                vals[fields[row].ra].value.u.u32 = (UINT32)in->remote_addr[0] << 24 | (UINT32)in->remote_addr[1] << 16 |
                                                   (UINT32)in->remote_addr[2] << 8 | in->remote_addr[3];
            }
        }
        vals[fields[row].lp].value.type = WFPW_FWP_UINT16;
        vals[fields[row].lp].value.u.u16 = (UINT16)(in->local_port + n);
        if (fields[row].rp != 0xFF)
            vals[fields[row].rp].value.type = WFPW_FWP_UINT16, vals[fields[row].rp].value.u.u16 = in->remote_port;
        if (fields[row].proto != 0xFF)
            vals[fields[row].proto].value.type = WFPW_FWP_UINT8, vals[fields[row].proto].value.u.u8 = in->protocol;
        vals[fields[row].flags].value.type = WFPW_FWP_UINT32;
        vals[fields[row].flags].value.u.u32 = in->condition_flags;
        meta->current_metadata_values = in->metadata_fields;
        meta->process_id = in->process_id;
        meta->discard_metadata.discard_module = in->discard_module;
        meta->discard_metadata.discard_reason = in->discard_reason;
        meta->discard_metadata.filter_id = in->filter_id;
        path.size = in->path_bytes + 2; /* with its terminating NUL, as the engine gives it */
        path.data = (UINT8 *)in->path;
        meta->process_path = &path;
        for (i = 0; i < nt; i++) {
            struct wfpw_fwps_filter f;
            struct wfpw_fwps_classify_out out;
            RtlZeroMemory(&f, sizeof(f));
            RtlZeroMemory(&out, sizeof(out));
            f.filter_id = t[i].filter_id;
            f.action.type = WFPW_FWP_ACTION_CALLOUT_INSPECTION;
            f.action.callout_id = t[i].callout_id;
            out.action_type = WFPW_FWP_ACTION_BLOCK; /* the verdict so far: discarded */
            t[i].classify(&iv, meta, NULL, NULL, &f, 0, &out);
            res->classify_calls++;
        }
    }
    ExFreePoolWithTag(meta, POOL_TAG);
    return STATUS_SUCCESS;
}

static void dump(struct wfpk_dump *d)
{
    ULONG i;
    UINT16 id;
    RtlZeroMemory(d, sizeof(*d));
    ExAcquireFastMutex(&z.lock);
    d->bfe_state = z.bfe_state, d->bfe_generation = z.generation, d->refused = z.refused;
    for (i = 0; i < sizeof(z.kc) / sizeof(z.kc[0]); i++)
        d->registered_callouts += z.kc[i].used;
    for (i = 0; i < sizeof(z.s) / sizeof(z.s[0]); i++)
        d->sessions += z.s[i].used && z.s[i].generation == z.generation;
    for (i = 0; i < sizeof(z.subs) / sizeof(z.subs[0]); i++)
        d->subscriptions += z.subs[i].used;
    for (i = 0; i < sizeof(z.o) / sizeof(z.o[0]); i++) {
        const struct object *o = &z.o[i];
        if (!o->kind || o->pending)
            continue;
        d->providers += o->kind == K_PROVIDER, d->sublayers += o->kind == K_SUBLAYER;
        d->callouts += o->kind == K_CALLOUT, d->filters += o->kind == K_FILTER;
        d->live_filters += o->kind == K_FILTER && known_layer(&o->layer, &id) && kcallout_by_key(&o->callout_key);
    }
    ExReleaseFastMutex(&z.lock);
}

/* ---- the control device -------------------------------------------------------------------------- */

static NTSTATUS NTAPI ctl_open_close(PDEVICE_OBJECT dev, PIRP irp)
{
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS NTAPI ctl_ioctl(PDEVICE_OBJECT dev, PIRP irp)
{
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
    ULONG in_len = sl->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out_len = sl->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buf = irp->AssociatedIrp.SystemBuffer;
    NTSTATUS st = STATUS_INVALID_DEVICE_REQUEST;
    ULONG_PTR info = 0;
    switch (sl->Parameters.DeviceIoControl.IoControlCode) {
    case WFPK_IOCTL_INJECT: {
        struct wfpk_inject in;
        struct wfpk_inject_result res;
        if (in_len != sizeof(in) || out_len < sizeof(res) || buf == NULL) {
            st = STATUS_INFO_LENGTH_MISMATCH;
            break;
        }
        RtlCopyMemory(&in, buf, sizeof(in));
        if (in.magic != WFPK_INJECT_MAGIC) {
            st = STATUS_INVALID_PARAMETER;
            break;
        }
        if (NT_SUCCESS(st = inject(&in, &res))) {
            RtlCopyMemory(buf, &res, sizeof(res));
            info = sizeof(res);
        }
        break;
    }
    case WFPK_IOCTL_BFE:
        if (in_len != sizeof(UINT32) || buf == NULL) {
            st = STATUS_INFO_LENGTH_MISMATCH;
            break;
        }
        bfe(*(const UINT32 *)buf);
        st = STATUS_SUCCESS;
        break;
    case WFPK_IOCTL_DUMP:
        if (out_len < sizeof(struct wfpk_dump) || buf == NULL) {
            st = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        dump(buf);
        st = STATUS_SUCCESS;
        info = sizeof(struct wfpk_dump);
        break;
    default:
        break;
    }
    irp->IoStatus.Status = st;
    irp->IoStatus.Information = info;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
}

static VOID NTAPI ctl_unload(PDRIVER_OBJECT drv)
{
    IoDeleteSymbolicLink(&z.dos_name);
    if (z.device)
        IoDeleteDevice(z.device);
    z.device = NULL;
}

NTSTATUS NTAPI wfpk_entry(PVOID a, PVOID b, PVOID c);
NTSTATUS NTAPI wfpk_entry(PVOID a, PVOID b, PVOID c)
{
    PDRIVER_OBJECT drv = a;
    UNICODE_STRING name;
    NTSTATUS st;
    init_once();
    /* DriverEntry(driver, registry path) when started as a service; DllMain(module, reason,
     * reserved) when loaded as the driver's import: then there is nothing more to do */
    if ((ULONG_PTR)b < 0x10000)
        return 1; /* DllMain's reason (0..3): TRUE */
    RtlInitUnicodeString(&name, L"\\Device\\wfpwfwpk");
    RtlInitUnicodeString(&z.dos_name, L"\\DosDevices\\wfpwfwpk");
    if (!NT_SUCCESS(st = IoCreateDevice(drv, 0, &name, WFPK_CTL_TYPE, 0, FALSE, &z.device)))
        return st;
    if (!NT_SUCCESS(st = IoCreateSymbolicLink(&z.dos_name, &name))) {
        IoDeleteDevice(z.device);
        z.device = NULL;
        return st;
    }
    drv->MajorFunction[IRP_MJ_CREATE] = ctl_open_close;
    drv->MajorFunction[IRP_MJ_CLOSE] = ctl_open_close;
    drv->MajorFunction[IRP_MJ_DEVICE_CONTROL] = ctl_ioctl;
    drv->DriverUnload = ctl_unload;
    z.device->Flags &= ~DO_DEVICE_INITIALIZING;
    DbgPrint("fwpkclnt stand-in: loaded\n");
    return STATUS_SUCCESS;
}
