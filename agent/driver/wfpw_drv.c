/*
 * wfpw_drv.c — wfpwatch's WFP callout driver (KMDF), one file in the order a reader needs it
 * (shared/design/style.md §4.1): includes, GUIDs, state, prototypes, the layer table, entry and
 * unload, WFP registration, classify, the read path, IOCTLs.
 *
 * What it does: inspection callouts at the discard layers copy every discarded connection (and,
 * when enabled at load, every discarded packet) into a bounded nonpaged ring as a record of
 * agent/driver/wfpw_device.h, with the discard module, reason and the id of the filter that
 * decided. It never permits or blocks anything. The agent drains the ring with pended READ
 * IOCTLs (inverted call) after a version handshake.
 *
 * BUILD STATUS: written against the WDK's documented API (fwpsk.h, fwpmk.h, wdf.h) but NOT
 * compiled: wfpwatch's build and CI machines have no WDK and the mingw-w64 DDK headers lack
 * fwpsk.h. Its portable parts (devrec.c, devring.c) are compiled and tested on every run.
 * docs/driver.md says how to build, sign, install and verify it on Windows.
 */
#define NDIS_SUPPORT_NDIS6 1
#include <ntddk.h>
#include <wdf.h>
#include <wdmsec.h>
#pragma warning(push)
#pragma warning(disable : 4201)  /* nameless unions in the WFP headers */
#include <fwpsk.h>
#pragma warning(pop)
#include <fwpmk.h>
#define INITGUID
#include <guiddef.h>

#include "shared/devring.h"
#include "wfpw_device.h"

/* ---- identity --------------------------------------------------------------------------------- */

/* {4f1e2b7a-6c3d-4e8f-9a0b-1c2d3e4f5a6b} */
DEFINE_GUID(WFPW_PROVIDER_KEY, 0x4f1e2b7a, 0x6c3d, 0x4e8f, 0x9a, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b);
/* {4f1e2b7a-6c3d-4e8f-9a0b-1c2d3e4f5a6c} */
DEFINE_GUID(WFPW_SUBLAYER_KEY, 0x4f1e2b7a, 0x6c3d, 0x4e8f, 0x9a, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6c);
/* Callout keys: this base with the last byte replaced by the layer's index in wfpw_layers. */
#define WFPW_CALLOUT_KEY(i) {0x4f1e2b7a, 0x6c3d, 0x4e8f, {0x9a, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5b, (UCHAR)(i)}}

#define WFPW_POOL_TAG 'wpfW'
#define WFPW_RING_DEFAULT (4u << 20)
#define WFPW_RING_MIN (64u << 10)
#define WFPW_RING_MAX (256u << 20)
#define WFPW_COALESCE_MS 20

/* ---- state ------------------------------------------------------------------------------------ */

/* distinctive values, so zeroed or stale memory never reads as a valid state (§4.6) */
enum wfpw_handle_state { WFPW_HANDLE_NEW = 0xA0, WFPW_HANDLE_READY = 0xB1 };

typedef struct wfpw_file_ctx {
    ULONG state;                 /* enum wfpw_handle_state */
} wfpw_file_ctx;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(wfpw_file_ctx, wfpw_file_get)

struct wfpw_layer {
    const GUID *layer_key;       /* FWPM_LAYER_*_DISCARD */
    UINT16 layer_id;             /* FWPS_LAYER_*_DISCARD */
    UINT8 ip_version, packet;    /* packet: transport / IP-packet layer (off unless enabled) */
    UINT8 direction;             /* FWP_DIRECTION when the layer fixes it, 0xFF: from the field */
    UINT8 has_remote;
    UINT32 f_local_addr, f_remote_addr, f_local_port, f_remote_port, f_protocol, f_flags;
};

static struct {
    WDFDEVICE device;            /* control device; deleted by the framework after unload */
    WDFQUEUE read_queue;         /* manual: pended READ requests */
    WDFTIMER coalesce;           /* completes pended READs shortly after records arrive */
    HANDLE engine;               /* dynamic session: every object below goes away with it */
    UINT32 callout_ids[24];      /* run-time ids from FwpsCalloutRegister; 0 = none */
    KSPIN_LOCK lock;             /* guards ring and stats; held only for a copy */
    struct wfpw_devring ring;    /* buffer: ring_mem */
    UINT8 *ring_mem;             /* owned: nonpaged, freed at unload */
    ULONG layers;                /* WFPW_DEV_LAYERS_* registered */
    volatile LONG64 classify_calls;
} g;

/* ---- prototypes ------------------------------------------------------------------------------- */

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_UNLOAD wfpw_unload;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL wfpw_ioctl;
EVT_WDF_DEVICE_FILE_CREATE wfpw_file_create;
EVT_WDF_TIMER wfpw_coalesce_fire;
static NTSTATUS wfpw_read_config(PUNICODE_STRING registry_path, ULONG *ring_bytes, ULONG *packet_layers);
static NTSTATUS wfpw_wfp_register(PDEVICE_OBJECT devobj, ULONG packet_layers);
static void wfpw_wfp_unregister(void);
static void NTAPI wfpw_classify(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                                void *layer_data, const void *ctx, const FWPS_FILTER3 *filter, UINT64 flow_ctx,
                                FWPS_CLASSIFY_OUT0 *out);
static NTSTATUS NTAPI wfpw_notify(FWPS_CALLOUT_NOTIFY_TYPE type, const GUID *key, FWPS_FILTER3 *filter);
static void wfpw_complete_reads(void);

/* ---- layers ----------------------------------------------------------------------------------- */

#define ALE4(L, D, R) {&FWPM_LAYER_##L##_V4_DISCARD, FWPS_LAYER_##L##_V4_DISCARD, 4, 0, D, R, \
    FWPS_FIELD_##L##_V4_IP_LOCAL_ADDRESS, R ? FWPS_FIELD_##L##_V4_IP_REMOTE_ADDRESS : 0, \
    FWPS_FIELD_##L##_V4_IP_LOCAL_PORT, R ? FWPS_FIELD_##L##_V4_IP_REMOTE_PORT : 0, FWPS_FIELD_##L##_V4_IP_PROTOCOL, \
    FWPS_FIELD_##L##_V4_FLAGS}
#define ALE6(L, D, R) {&FWPM_LAYER_##L##_V6_DISCARD, FWPS_LAYER_##L##_V6_DISCARD, 6, 0, D, R, \
    FWPS_FIELD_##L##_V6_IP_LOCAL_ADDRESS, R ? FWPS_FIELD_##L##_V6_IP_REMOTE_ADDRESS : 0, \
    FWPS_FIELD_##L##_V6_IP_LOCAL_PORT, R ? FWPS_FIELD_##L##_V6_IP_REMOTE_PORT : 0, FWPS_FIELD_##L##_V6_IP_PROTOCOL, \
    FWPS_FIELD_##L##_V6_FLAGS}
#define TRN(L, V, D) {&FWPM_LAYER_##L##_V##V##_DISCARD, FWPS_LAYER_##L##_V##V##_DISCARD, V, 1, D, 1, \
    FWPS_FIELD_##L##_V##V##_IP_LOCAL_ADDRESS, FWPS_FIELD_##L##_V##V##_IP_REMOTE_ADDRESS, \
    FWPS_FIELD_##L##_V##V##_IP_LOCAL_PORT, FWPS_FIELD_##L##_V##V##_IP_REMOTE_PORT, FWPS_FIELD_##L##_V##V##_IP_PROTOCOL, \
    FWPS_FIELD_##L##_V##V##_FLAGS}

static const struct wfpw_layer wfpw_layers[] = {
    ALE4(ALE_AUTH_CONNECT, FWP_DIRECTION_OUTBOUND, 1),
    ALE6(ALE_AUTH_CONNECT, FWP_DIRECTION_OUTBOUND, 1),
    ALE4(ALE_AUTH_RECV_ACCEPT, FWP_DIRECTION_INBOUND, 1),
    ALE6(ALE_AUTH_RECV_ACCEPT, FWP_DIRECTION_INBOUND, 1),
    ALE4(ALE_AUTH_LISTEN, FWP_DIRECTION_INBOUND, 0),
    ALE6(ALE_AUTH_LISTEN, FWP_DIRECTION_INBOUND, 0),
    ALE4(ALE_RESOURCE_ASSIGNMENT, FWP_DIRECTION_INBOUND, 0),
    ALE6(ALE_RESOURCE_ASSIGNMENT, FWP_DIRECTION_INBOUND, 0),
    /* packet level, registered only with Parameters\PacketLayers = 1 */
    TRN(INBOUND_TRANSPORT, 4, FWP_DIRECTION_INBOUND),
    TRN(INBOUND_TRANSPORT, 6, FWP_DIRECTION_INBOUND),
    TRN(OUTBOUND_TRANSPORT, 4, FWP_DIRECTION_OUTBOUND),
    TRN(OUTBOUND_TRANSPORT, 6, FWP_DIRECTION_OUTBOUND),
};
#define WFPW_NLAYERS (sizeof(wfpw_layers) / sizeof(wfpw_layers[0]))
/* The IP-packet discard layers carry no ports; they are left out of version 1 (docs/driver.md). */

static const struct wfpw_layer *wfpw_layer_of(UINT16 layer_id)
{
    ULONG i;
    for (i = 0; i < WFPW_NLAYERS; i++)
        if (wfpw_layers[i].layer_id == layer_id)
            return &wfpw_layers[i];
    return NULL;
}

/* ---- entry and unload ------------------------------------------------------------------------- */

NTSTATUS DriverEntry(PDRIVER_OBJECT driver_object, PUNICODE_STRING registry_path)
{
    WDF_DRIVER_CONFIG dcfg;
    WDF_OBJECT_ATTRIBUTES attr;
    WDF_FILEOBJECT_CONFIG fcfg;
    WDF_IO_QUEUE_CONFIG qcfg;
    WDF_TIMER_CONFIG tcfg;
    WDFDRIVER driver;
    PWDFDEVICE_INIT init = NULL;
    DECLARE_CONST_UNICODE_STRING(dev_name, L"\\Device\\wfpwatch");
    DECLARE_CONST_UNICODE_STRING(dos_name, L"\\DosDevices\\wfpwatch");
    ULONG ring_bytes, packet_layers;
    NTSTATUS st;

    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
    RtlZeroMemory(&g, sizeof(g));
    KeInitializeSpinLock(&g.lock);

    WDF_DRIVER_CONFIG_INIT(&dcfg, WDF_NO_EVENT_CALLBACK);
    dcfg.DriverInitFlags |= WdfDriverInitNonPnpDriver;
    dcfg.EvtDriverUnload = wfpw_unload;
    st = WdfDriverCreate(driver_object, registry_path, WDF_NO_OBJECT_ATTRIBUTES, &dcfg, &driver);
    if (!NT_SUCCESS(st))
        return st;
    wfpw_read_config(registry_path, &ring_bytes, &packet_layers);

    /* the ring: one nonpaged allocation, before anything can classify */
    g.ring_mem = ExAllocatePool2(POOL_FLAG_NON_PAGED, ring_bytes, WFPW_POOL_TAG);
    if (g.ring_mem == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (wfpw_devring_init(&g.ring, g.ring_mem, ring_bytes) != 0) {
        st = STATUS_INVALID_PARAMETER;
        goto fail;
    }

    /* control device: SYSTEM and Administrators only */
    init = WdfControlDeviceInitAllocate(driver, &SDDL_DEVOBJ_SYS_ALL_ADM_ALL);
    if (init == NULL) {
        st = STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    WdfDeviceInitSetExclusive(init, FALSE);
    if (!NT_SUCCESS(st = WdfDeviceInitAssignName(init, &dev_name)))
        goto fail;
    WDF_FILEOBJECT_CONFIG_INIT(&fcfg, wfpw_file_create, WDF_NO_EVENT_CALLBACK, WDF_NO_EVENT_CALLBACK);
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attr, wfpw_file_ctx);
    WdfDeviceInitSetFileObjectConfig(init, &fcfg, &attr);
    if (!NT_SUCCESS(st = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &g.device)))
        goto fail;
    if (!NT_SUCCESS(st = WdfDeviceCreateSymbolicLink(g.device, &dos_name)))
        goto fail;

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&qcfg, WdfIoQueueDispatchParallel);
    qcfg.EvtIoDeviceControl = wfpw_ioctl;
    if (!NT_SUCCESS(st = WdfIoQueueCreate(g.device, &qcfg, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE)))
        goto fail;
    WDF_IO_QUEUE_CONFIG_INIT(&qcfg, WdfIoQueueDispatchManual);
    if (!NT_SUCCESS(st = WdfIoQueueCreate(g.device, &qcfg, WDF_NO_OBJECT_ATTRIBUTES, &g.read_queue)))
        goto fail;
    WDF_TIMER_CONFIG_INIT(&tcfg, wfpw_coalesce_fire);
    WDF_OBJECT_ATTRIBUTES_INIT(&attr);
    attr.ParentObject = g.device;
    attr.ExecutionLevel = WdfExecutionLevelPassive;  /* completes requests; no spinlock held across */
    if (!NT_SUCCESS(st = WdfTimerCreate(&tcfg, &attr, &g.coalesce)))
        goto fail;
    WdfControlFinishInitializing(g.device);

    st = wfpw_wfp_register(WdfDeviceWdmGetDeviceObject(g.device), packet_layers);
    if (!NT_SUCCESS(st))
        goto fail;
    return STATUS_SUCCESS;

fail:
    if (init)
        WdfDeviceInitFree(init);
    wfpw_wfp_unregister();
    if (g.device)
        WdfObjectDelete(g.device);
    g.device = NULL;
    ExFreePoolWithTag(g.ring_mem, WFPW_POOL_TAG);
    g.ring_mem = NULL;
    return st;
}

/* Parameters\RingBytes (DWORD, default 4 MiB, clamped) and Parameters\PacketLayers (0/1). */
static NTSTATUS wfpw_read_config(PUNICODE_STRING registry_path, ULONG *ring_bytes, ULONG *packet_layers)
{
    WDFKEY key;
    DECLARE_CONST_UNICODE_STRING(v_ring, L"RingBytes");
    DECLARE_CONST_UNICODE_STRING(v_pkt, L"PacketLayers");
    ULONG v;
    NTSTATUS st;
    UNREFERENCED_PARAMETER(registry_path);
    *ring_bytes = WFPW_RING_DEFAULT, *packet_layers = 0;
    st = WdfDriverOpenParametersRegistryKey(WdfGetDriver(), KEY_READ, WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (!NT_SUCCESS(st))
        return st;
    if (NT_SUCCESS(WdfRegistryQueryULong(key, &v_ring, &v)))
        *ring_bytes = v < WFPW_RING_MIN ? WFPW_RING_MIN : v > WFPW_RING_MAX ? WFPW_RING_MAX : v;
    if (NT_SUCCESS(WdfRegistryQueryULong(key, &v_pkt, &v)))
        *packet_layers = v != 0;
    WdfRegistryClose(key);
    return STATUS_SUCCESS;
}

/* Safe with reads pending and callouts active: the BFE objects go first (no new classifies are
 * routed to us), then the callouts are unregistered (FwpsCalloutUnregisterById waits out
 * classifies in flight), then pended reads are cancelled, and only then is the ring freed. */
void wfpw_unload(WDFDRIVER driver)
{
    UNREFERENCED_PARAMETER(driver);
    wfpw_wfp_unregister();
    if (g.coalesce)
        WdfTimerStop(g.coalesce, TRUE);
    if (g.read_queue)
        WdfIoQueuePurgeSynchronously(g.read_queue);
    if (g.ring_mem)
        ExFreePoolWithTag(g.ring_mem, WFPW_POOL_TAG);
    g.ring_mem = NULL;
}

/* ---- WFP registration ------------------------------------------------------------------------- */

static NTSTATUS wfpw_wfp_register(PDEVICE_OBJECT devobj, ULONG packet_layers)
{
    FWPM_SESSION0 session;
    FWPM_PROVIDER0 provider;
    FWPM_SUBLAYER0 sublayer;
    NTSTATUS st;
    ULONG i;
    BOOLEAN in_txn = FALSE;

    for (i = 0; i < WFPW_NLAYERS; i++) {
        FWPS_CALLOUT3 sc;
        GUID key = WFPW_CALLOUT_KEY(i);
        if (wfpw_layers[i].packet && !packet_layers)
            continue;
        RtlZeroMemory(&sc, sizeof(sc));
        sc.calloutKey = key;
        sc.classifyFn = wfpw_classify;
        sc.notifyFn = wfpw_notify;
        st = FwpsCalloutRegister3(devobj, &sc, &g.callout_ids[i]);
        if (!NT_SUCCESS(st))
            goto fail;
    }

    RtlZeroMemory(&session, sizeof(session));
    session.flags = FWPM_SESSION_FLAG_DYNAMIC;  /* nothing outlives the driver's engine handle */
    session.displayData.name = L"wfpwatch";
    if (!NT_SUCCESS(st = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, &g.engine)))
        goto fail;
    if (!NT_SUCCESS(st = FwpmTransactionBegin0(g.engine, 0)))
        goto fail;
    in_txn = TRUE;
    RtlZeroMemory(&provider, sizeof(provider));
    provider.providerKey = WFPW_PROVIDER_KEY;
    provider.displayData.name = L"wfpwatch";
    provider.displayData.description = L"wfpwatch: records discarded connections (inspection only)";
    if (!NT_SUCCESS(st = FwpmProviderAdd0(g.engine, &provider, NULL)))
        goto fail;
    RtlZeroMemory(&sublayer, sizeof(sublayer));
    sublayer.subLayerKey = WFPW_SUBLAYER_KEY;
    sublayer.displayData.name = L"wfpwatch inspection";
    sublayer.providerKey = (GUID *)&WFPW_PROVIDER_KEY;
    sublayer.weight = 0;  /* lowest: we decide nothing, so we need to see the final verdict only */
    if (!NT_SUCCESS(st = FwpmSubLayerAdd0(g.engine, &sublayer, NULL)))
        goto fail;

    for (i = 0; i < WFPW_NLAYERS; i++) {
        FWPM_CALLOUT0 mc;
        FWPM_FILTER0 f;
        GUID key = WFPW_CALLOUT_KEY(i);
        if (wfpw_layers[i].packet && !packet_layers)
            continue;
        RtlZeroMemory(&mc, sizeof(mc));
        mc.calloutKey = key;
        mc.displayData.name = L"wfpwatch discard inspection";
        mc.providerKey = (GUID *)&WFPW_PROVIDER_KEY;
        mc.applicableLayer = *wfpw_layers[i].layer_key;
        if (!NT_SUCCESS(st = FwpmCalloutAdd0(g.engine, &mc, NULL, NULL)))
            goto fail;
        RtlZeroMemory(&f, sizeof(f));
        f.displayData.name = L"wfpwatch discard inspection";
        f.providerKey = (GUID *)&WFPW_PROVIDER_KEY;
        f.layerKey = *wfpw_layers[i].layer_key;
        f.subLayerKey = WFPW_SUBLAYER_KEY;
        f.weight.type = FWP_EMPTY;  /* BFE assigns the weight */
        f.action.type = FWP_ACTION_CALLOUT_INSPECTION;
        f.action.calloutKey = key;
        f.numFilterConditions = 0;  /* every discard at the layer */
        if (!NT_SUCCESS(st = FwpmFilterAdd0(g.engine, &f, NULL, NULL)))
            goto fail;
    }
    if (!NT_SUCCESS(st = FwpmTransactionCommit0(g.engine)))
        goto fail;
    g.layers = WFPW_DEV_LAYERS_ALE | (packet_layers ? WFPW_DEV_LAYERS_PACKET : 0);
    return STATUS_SUCCESS;

fail:
    if (in_txn)
        FwpmTransactionAbort0(g.engine);
    wfpw_wfp_unregister();
    return st;
}

static void wfpw_wfp_unregister(void)
{
    ULONG i;
    if (g.engine) {
        FwpmEngineClose0(g.engine);  /* dynamic session: filters, callouts, sublayer, provider go */
        g.engine = NULL;
    }
    for (i = 0; i < WFPW_NLAYERS; i++)
        if (g.callout_ids[i]) {
            FwpsCalloutUnregisterById0(g.callout_ids[i]);
            g.callout_ids[i] = 0;
        }
}

static NTSTATUS NTAPI wfpw_notify(FWPS_CALLOUT_NOTIFY_TYPE type, const GUID *key, FWPS_FILTER3 *filter)
{
    UNREFERENCED_PARAMETER(type);
    UNREFERENCED_PARAMETER(key);
    UNREFERENCED_PARAMETER(filter);
    return STATUS_SUCCESS;
}

/* ---- classify (up to DISPATCH_LEVEL) ---------------------------------------------------------- */

static void wfpw_addr(const FWP_VALUE0 *v, UINT8 ipv, UINT8 out[16])
{
    RtlZeroMemory(out, 16);
    if (ipv == 4 && v->type == FWP_UINT32) {  /* host order in the value */
        out[0] = (UINT8)(v->uint32 >> 24), out[1] = (UINT8)(v->uint32 >> 16);
        out[2] = (UINT8)(v->uint32 >> 8), out[3] = (UINT8)v->uint32;
    } else if (ipv == 6 && v->type == FWP_BYTE_ARRAY16_TYPE && v->byteArray16) {
        RtlCopyMemory(out, v->byteArray16->byteArray16, 16);
    }
}

static void NTAPI wfpw_classify(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                                void *layer_data, const void *ctx, const FWPS_FILTER3 *filter, UINT64 flow_ctx,
                                FWPS_CLASSIFY_OUT0 *out)
{
    const struct wfpw_layer *l = wfpw_layer_of(in->layerId);
    struct wfpw_devrec_in r;
    KLOCK_QUEUE_HANDLE lh;
    LARGE_INTEGER now;
    BOOLEAN stored;

    UNREFERENCED_PARAMETER(layer_data);
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(filter);
    UNREFERENCED_PARAMETER(flow_ctx);
    UNREFERENCED_PARAMETER(out);  /* inspection: the verdict is not ours to change */
    InterlockedIncrement64(&g.classify_calls);
    if (l == NULL)
        return;

    RtlZeroMemory(&r, sizeof(r));
    KeQuerySystemTimePrecise(&now);
    r.time = (UINT64)now.QuadPart;
    r.layer_id = l->layer_id;
    r.ip_version = l->ip_version;
    r.direction = l->direction;
    wfpw_addr(&in->incomingValue[l->f_local_addr].value, l->ip_version, r.local_addr);
    r.local_port = in->incomingValue[l->f_local_port].value.uint16;
    if (l->has_remote) {
        wfpw_addr(&in->incomingValue[l->f_remote_addr].value, l->ip_version, r.remote_addr);
        r.remote_port = in->incomingValue[l->f_remote_port].value.uint16;
    }
    r.protocol = in->incomingValue[l->f_protocol].value.uint8;
    if (in->incomingValue[l->f_flags].value.uint32 & FWP_CONDITION_FLAG_IS_LOOPBACK)
        r.flags |= WFPW_DEV_F_LOOPBACK;
    if (FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_PROCESS_ID)) {
        r.process_id = meta->processId;
        r.flags |= WFPW_DEV_F_PROCESS_ID;
    }
    if (FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_PROCESS_PATH) && meta->processPath &&
        meta->processPath->data && meta->processPath->size >= 2) {
        SIZE_T n = meta->processPath->size & ~(SIZE_T)1;
        while (n >= 2 && meta->processPath->data[n - 2] == 0 && meta->processPath->data[n - 1] == 0)
            n -= 2;  /* the blob includes the terminating NUL */
        r.path = meta->processPath->data;
        r.path_bytes = n;
        r.flags |= WFPW_DEV_F_PATH;
    }
    if (FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_DISCARD_REASON)) {
        r.discard_module = (UINT32)meta->discardMetadata.discardModule;
        r.discard_reason = meta->discardMetadata.discardReason;
        r.filter_id = meta->discardMetadata.filterId;
        r.flags |= WFPW_DEV_F_DISCARD | (r.filter_id ? WFPW_DEV_F_FILTER_ID : 0);
    }

    KeAcquireInStackQueuedSpinLock(&g.lock, &lh);  /* held for the copy only */
    stored = wfpw_devring_push(&g.ring, &r) == 0;
    KeReleaseInStackQueuedSpinLock(&lh);
    if (stored)
        WdfTimerStart(g.coalesce, WDF_REL_TIMEOUT_IN_MS(WFPW_COALESCE_MS));  /* no-op when already due */
}

/* ---- read path -------------------------------------------------------------------------------- */

/* Completes pended READs while records remain (timer callback, PASSIVE_LEVEL). */
void wfpw_coalesce_fire(WDFTIMER timer)
{
    UNREFERENCED_PARAMETER(timer);
    wfpw_complete_reads();
}

static void wfpw_complete_reads(void)
{
    for (;;) {
        KLOCK_QUEUE_HANDLE lh;
        WDFREQUEST req;
        PVOID buf;
        size_t len, n;
        UINT64 used;
        KeAcquireInStackQueuedSpinLock(&g.lock, &lh);
        used = wfpw_devring_used(&g.ring);
        KeReleaseInStackQueuedSpinLock(&lh);
        if (used == 0 || !NT_SUCCESS(WdfIoQueueRetrieveNextRequest(g.read_queue, &req)))
            return;
        if (!NT_SUCCESS(WdfRequestRetrieveOutputBuffer(req, WFPW_DEV_RECORD_MAX, &buf, &len))) {
            WdfRequestComplete(req, STATUS_BUFFER_TOO_SMALL);
            continue;
        }
        /* buf is the caller's locked MDL mapping (METHOD_OUT_DIRECT): copy under the lock */
        KeAcquireInStackQueuedSpinLock(&g.lock, &lh);
        n = wfpw_devring_pop(&g.ring, buf, len);
        KeReleaseInStackQueuedSpinLock(&lh);
        WdfRequestCompleteWithInformation(req, STATUS_SUCCESS, n);
    }
}

/* ---- IOCTLs ----------------------------------------------------------------------------------- */

void wfpw_file_create(WDFDEVICE device, WDFREQUEST request, WDFFILEOBJECT file)
{
    UNREFERENCED_PARAMETER(device);
    wfpw_file_get(file)->state = WFPW_HANDLE_NEW;
    WdfRequestComplete(request, STATUS_SUCCESS);
}

/* Validates, switches, and completes once at the end (§4.5); READ is pended instead. */
void wfpw_ioctl(WDFQUEUE queue, WDFREQUEST req, size_t out_len, size_t in_len, ULONG code)
{
    wfpw_file_ctx *fc = wfpw_file_get(WdfRequestGetFileObject(req));
    NTSTATUS st = STATUS_INVALID_DEVICE_REQUEST;
    ULONG_PTR info = 0;
    PVOID ib, ob;
    UNREFERENCED_PARAMETER(queue);

    switch (code) {
    case WFPW_IOCTL_HANDSHAKE: {
        struct wfpw_dev_hello *h;
        struct wfpw_dev_welcome *w;
        if (in_len != WFPW_DEV_HELLO_SIZE || out_len < WFPW_DEV_WELCOME_SIZE) {
            st = STATUS_INFO_LENGTH_MISMATCH;
            break;
        }
        if (!NT_SUCCESS(st = WdfRequestRetrieveInputBuffer(req, WFPW_DEV_HELLO_SIZE, &ib, NULL)) ||
            !NT_SUCCESS(st = WdfRequestRetrieveOutputBuffer(req, WFPW_DEV_WELCOME_SIZE, &ob, NULL)))
            break;
        h = ib;
        if (h->magic != WFPW_DEV_MAGIC_AGENT || h->major != WFPW_DEV_VERSION_MAJOR) {
            st = STATUS_REVISION_MISMATCH;
            break;
        }
        w = ob;  /* METHOD_BUFFERED: in and out share the system buffer; h is not used after this */
        RtlZeroMemory(w, WFPW_DEV_WELCOME_SIZE);
        w->magic = WFPW_DEV_MAGIC_DRIVER;
        w->major = WFPW_DEV_VERSION_MAJOR, w->minor = WFPW_DEV_VERSION_MINOR;
        w->ring_bytes = g.ring.cap;
        w->record_max = WFPW_DEV_RECORD_MAX;
        w->layers = g.layers;
        fc->state = WFPW_HANDLE_READY;
        info = WFPW_DEV_WELCOME_SIZE;
        break;
    }
    case WFPW_IOCTL_READ:
        if (fc->state != WFPW_HANDLE_READY) {
            st = STATUS_INVALID_DEVICE_STATE;  /* handshake first */
            break;
        }
        if (out_len < WFPW_DEV_RECORD_MAX) {
            st = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        st = WdfRequestForwardToIoQueue(req, g.read_queue);
        if (!NT_SUCCESS(st))
            break;
        WdfTimerStart(g.coalesce, WDF_REL_TIMEOUT_IN_MS(1));  /* records may be waiting already */
        return;  /* pended: completed by wfpw_complete_reads or cancelled */
    case WFPW_IOCTL_STATS: {
        struct wfpw_dev_stats *s;
        KLOCK_QUEUE_HANDLE lh;
        if (fc->state != WFPW_HANDLE_READY) {
            st = STATUS_INVALID_DEVICE_STATE;
            break;
        }
        if (!NT_SUCCESS(st = WdfRequestRetrieveOutputBuffer(req, WFPW_DEV_STATS_SIZE, &ob, NULL)))
            break;
        s = ob;
        RtlZeroMemory(s, WFPW_DEV_STATS_SIZE);
        KeAcquireInStackQueuedSpinLock(&g.lock, &lh);
        s->last_seq = g.ring.next_seq - 1;
        s->dropped = g.ring.dropped;
        s->delivered = g.ring.delivered;
        s->ring_used = wfpw_devring_used(&g.ring);
        s->truncated_paths = g.ring.truncated;
        KeReleaseInStackQueuedSpinLock(&lh);
        s->classify_calls = (UINT64)InterlockedCompareExchange64(&g.classify_calls, 0, 0);
        info = WFPW_DEV_STATS_SIZE;
        break;
    }
    default:
        break;
    }
    WdfRequestCompleteWithInformation(req, st, info);
}
