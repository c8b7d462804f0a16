/*
 * wfpw_drv.c — wfpwatch's WFP callout driver (WDM), one file in the order a reader needs it
 * (shared/design/style.md §4.1): includes, identity, state, the layer table, entry and unload,
 * the control device, WFP registration and the Base Filtering Engine's restarts, classify, the
 * read path, IOCTLs.
 *
 * What it does: inspection callouts at the discard layers copy every discarded connection (and,
 * when enabled at load, every discarded transport packet) into a bounded nonpaged ring as a
 * record of agent/driver/wfpw_device.h, with the discard module, reason and the id of the filter
 * that decided. It never permits or blocks anything. The agent drains the ring with pended READ
 * IOCTLs (inverted call) after a version handshake.
 *
 * Plain WDM, built with mingw-w64 in every Windows build of the project (tests/run.sh) and run
 * under Wine's kernel against a stand-in fwpkclnt.sys (tests/windows/standin/fwpkclnt_sys.c,
 * tests/integration/test-driver-wine.sh). KMDF is not available to mingw-w64; docs/driver.md says
 * what it gave and what is done by hand here: the cancel-safe queue of pended reads, the
 * coalescing timer (KTIMER + KDPC), the device's security descriptor, unload ordering. Written
 * with routines Wine 8 implements as well as Windows: the IoCsq* queue, EX_RUNDOWN_REF and
 * SeExports are stubs there, so the queue, the rundown reference and the two SIDs are our own.
 *
 * IRQL: classify runs at up to DISPATCH_LEVEL (it takes a spinlock for the copy, nothing else);
 * the periodic timer's DPC (every 20 ms, set once at load) completes reads at DISPATCH_LEVEL;
 * everything else is PASSIVE_LEVEL.
 */
#include <ntifs.h> /* ntddk.h and the security routines (SeExports, RtlCreateAcl, ZwSetSecurityObject) */

#include "shared/devring.h"
#include "wfpk.h"
#include "wfpw_device.h"

/* ---- identity --------------------------------------------------------------------------------- */

/* {4f1e2b7a-6c3d-4e8f-9a0b-1c2d3e4f5a6b} */
static const struct wfpw_guid provider_key = WFPW_GUID(0x4f1e2b7a, 0x6c3d, 0x4e8f, 0x9a, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b);
/* {4f1e2b7a-6c3d-4e8f-9a0b-1c2d3e4f5a6c} */
static const struct wfpw_guid sublayer_key = WFPW_GUID(0x4f1e2b7a, 0x6c3d, 0x4e8f, 0x9a, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6c);
/* Callout keys: this base with the last byte replaced by the layer's index in the table. */
#define CALLOUT_KEY(i) WFPW_GUID(0x4f1e2b7a, 0x6c3d, 0x4e8f, 0x9a, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5b, (UCHAR)(i))

#define POOL_TAG 0x77706657u /* 'wpfW': pool tools show "Wfpw" */
#define RING_DEFAULT (4u << 20)
#define RING_MIN (64u << 10)
#define RING_MAX (256u << 20)
#define COALESCE_MS 20
#define POOL_FLAG_NON_PAGED 0x40ull /* POOL_FLAGS, "ExAllocatePool2" */
#ifndef MdlMappingNoExecute
#define MdlMappingNoExecute 0x40000000 /* "MmGetSystemAddressForMdlSafe": Windows 8 and later */
#endif

/* ---- state ------------------------------------------------------------------------------------ */

/* distinctive values, so zeroed or stale memory never reads as a valid state (§4.6) */
#define HANDLE_NEW ((PVOID)(ULONG_PTR)0xA0)
#define HANDLE_READY ((PVOID)(ULONG_PTR)0xB1)

struct layer {
    struct wfpw_guid key;        /* FWPM_LAYER_*_DISCARD */
    UINT16 id;                   /* FWPS_LAYER_*_DISCARD */
    UINT8 ip_version, packet;    /* packet: transport layer (off unless enabled) */
    UINT8 direction;             /* FWP_DIRECTION */
    UINT8 f_local_addr, f_remote_addr, f_local_port, f_remote_port, f_protocol, f_flags; /* or NO_FIELD */
    UINT8 protocol;              /* when the layer has no protocol field (listen: TCP) */
};

typedef PVOID(NTAPI *alloc2_fn)(ULONG64 flags, SIZE_T bytes, ULONG tag);
typedef VOID(NTAPI *time_fn)(PLARGE_INTEGER t);

static struct {
    PDEVICE_OBJECT device;       /* control device; deleted at unload */
    UNICODE_STRING dos_name;
    BOOLEAN link;                /* the \DosDevices name exists */
    LIST_ENTRY reads;            /* pended READs, guarded by reads_lock (see "the queue of reads") */
    KSPIN_LOCK reads_lock;
    KTIMER timer;                /* periodic, COALESCE_MS: completes pended READs when records wait */
    KDPC dpc;
    KSPIN_LOCK lock;             /* guards ring; held only for a copy */
    struct wfpw_devring ring;    /* buffer: ring_mem */
    UINT8 *ring_mem;             /* owned: nonpaged, freed at unload */
    volatile LONG rundown;       /* classifies running (+ RUNDOWN_CLOSED): unload waits them out */
    UINT32 callout_ids[16];      /* run-time ids from FwpsCalloutRegister3; 0 = none */
    ULONG packet_layers;         /* Parameters\PacketLayers */
    ULONG layers;                /* WFPW_DEV_LAYERS_* with objects in the engine */
    FAST_MUTEX engine_lock;      /* engine, layers: the BFE callback's work item and unload */
    wfpk_handle engine;          /* dynamic session: every object below goes away with it */
    wfpk_handle bfe_sub;         /* FwpmBfeStateSubscribeChanges0 */
    PIO_WORKITEM bfe_work;
    volatile LONG bfe_work_queued;   /* the work item is queued or running */
    volatile LONG bfe_again;         /* the engine's state changed since the work item looked */
    volatile LONG unloading;
    time_fn now;                 /* KeQuerySystemTimePrecise, or KeQuerySystemTime */
    volatile LONG64 classify_calls;
    volatile LONG64 engine_adds;  /* times the objects were added (1 + BFE restarts) */
} g;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD drv_unload;
static DRIVER_DISPATCH drv_create, drv_close, drv_cleanup, drv_ioctl;
static KDEFERRED_ROUTINE coalesce_dpc;
static IO_WORKITEM_ROUTINE bfe_work;
static void complete_reads(void);
static void engine_close(void);
static PIRP reads_next(PFILE_OBJECT fo);
static BOOLEAN reads_insert(PIRP irp);

/* ---- a rundown reference: ExAcquireRundownProtection and friends, by hand ------------------------- */

#define RUNDOWN_CLOSED 0x40000000

static BOOLEAN rundown_acquire(void)
{
    for (;;) {
        LONG v = g.rundown;
        if (v & RUNDOWN_CLOSED)
            return FALSE;
        if (InterlockedCompareExchange(&g.rundown, v + 1, v) == v)
            return TRUE;
    }
}

static void rundown_release(void)
{
    InterlockedDecrement(&g.rundown);
}

/* No acquire succeeds after this; returns once every holder released (PASSIVE_LEVEL). */
static void rundown_wait(void)
{
    LARGE_INTEGER ms;
    ms.QuadPart = -10000;
    InterlockedOr(&g.rundown, RUNDOWN_CLOSED);
    while ((InterlockedCompareExchange(&g.rundown, 0, 0) & ~RUNDOWN_CLOSED) != 0)
        KeDelayExecutionThread(KernelMode, FALSE, &ms);
}

/* ---- layers ----------------------------------------------------------------------------------- */

#define F_(a, b, c, d, e, f) a, b, c, d, e, f
#define ALE(L, V, D, FIELDS, P) {WFPW_FWPM_LAYER_##L##_V##V##_DISCARD, WFPW_FWPS_LAYER_##L##_V##V##_DISCARD, V, 0, D, F_(FIELDS), P}
#define TRN(L, V, D, FIELDS) {WFPW_FWPM_LAYER_##L##_V##V##_DISCARD, WFPW_FWPS_LAYER_##L##_V##V##_DISCARD, V, 1, D, F_(FIELDS), 0}

static const struct layer layers[] = {
    ALE(ALE_AUTH_CONNECT, 4, WFPW_FWP_DIRECTION_OUTBOUND, WFPW_FIELDS_ALE_AUTH_CONNECT, 0),
    ALE(ALE_AUTH_CONNECT, 6, WFPW_FWP_DIRECTION_OUTBOUND, WFPW_FIELDS_ALE_AUTH_CONNECT, 0),
    ALE(ALE_AUTH_RECV_ACCEPT, 4, WFPW_FWP_DIRECTION_INBOUND, WFPW_FIELDS_ALE_AUTH_RECV_ACCEPT, 0),
    ALE(ALE_AUTH_RECV_ACCEPT, 6, WFPW_FWP_DIRECTION_INBOUND, WFPW_FIELDS_ALE_AUTH_RECV_ACCEPT, 0),
    ALE(ALE_AUTH_LISTEN, 4, WFPW_FWP_DIRECTION_INBOUND, WFPW_FIELDS_ALE_AUTH_LISTEN, 6),  /* listen: TCP */
    ALE(ALE_AUTH_LISTEN, 6, WFPW_FWP_DIRECTION_INBOUND, WFPW_FIELDS_ALE_AUTH_LISTEN, 6),
    ALE(ALE_RESOURCE_ASSIGNMENT, 4, WFPW_FWP_DIRECTION_INBOUND, WFPW_FIELDS_ALE_RESOURCE_ASSIGNMENT, 0),
    ALE(ALE_RESOURCE_ASSIGNMENT, 6, WFPW_FWP_DIRECTION_INBOUND, WFPW_FIELDS_ALE_RESOURCE_ASSIGNMENT, 0),
    /* packet level, registered only with Parameters\PacketLayers = 1 */
    TRN(INBOUND_TRANSPORT, 4, WFPW_FWP_DIRECTION_INBOUND, WFPW_FIELDS_INBOUND_TRANSPORT),
    TRN(INBOUND_TRANSPORT, 6, WFPW_FWP_DIRECTION_INBOUND, WFPW_FIELDS_INBOUND_TRANSPORT),
    TRN(OUTBOUND_TRANSPORT, 4, WFPW_FWP_DIRECTION_OUTBOUND, WFPW_FIELDS_OUTBOUND_TRANSPORT),
    TRN(OUTBOUND_TRANSPORT, 6, WFPW_FWP_DIRECTION_OUTBOUND, WFPW_FIELDS_OUTBOUND_TRANSPORT),
};
#define NLAYERS (sizeof(layers) / sizeof(layers[0]))
/* The IP-packet discard layers carry no ports; they are left out of version 1 (docs/driver.md). */

/* The layer a classify came from: by the callout's run-time id (what FwpsCalloutRegister3
 * returned for that layer), checked against the layer id the engine says. */
static const struct layer *layer_of(const struct wfpw_fwps_incoming_values *in, const struct wfpw_fwps_filter *f)
{
    ULONG i;
    for (i = 0; i < NLAYERS; i++)
        if (g.callout_ids[i] != 0 && f != NULL && f->action.callout_id == g.callout_ids[i])
            return layers[i].id == in->layer_id ? &layers[i] : NULL;
    for (i = 0; i < NLAYERS; i++)
        if (layers[i].id == in->layer_id)
            return &layers[i];
    return NULL;
}

/* ---- entry and unload ------------------------------------------------------------------------- */

static PVOID routine(PCWSTR name)
{
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, name);
    return MmGetSystemRoutineAddress(&u);
}

/* Parameters\RingBytes (DWORD, default 4 MiB, clamped) and Parameters\PacketLayers (0/1). */
static void read_config(PUNICODE_STRING registry_path, ULONG *ring_bytes, ULONG *packet_layers)
{
    static const WCHAR params[] = L"\\Parameters";
    UNICODE_STRING path, v_ring, v_pkt;
    OBJECT_ATTRIBUTES oa;
    HANDLE key;
    union {
        KEY_VALUE_PARTIAL_INFORMATION info;
        UCHAR bytes[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 8];
    } buf;
    ULONG got;
    *ring_bytes = RING_DEFAULT, *packet_layers = 0;
    path.MaximumLength = (USHORT)(registry_path->Length + sizeof(params));
    path.Length = 0;
    if ((path.Buffer = ExAllocatePoolWithTag(PagedPool, path.MaximumLength, POOL_TAG)) == NULL)
        return;
    RtlCopyUnicodeString(&path, registry_path);
    RtlAppendUnicodeToString(&path, params);
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    if (NT_SUCCESS(ZwOpenKey(&key, KEY_READ, &oa))) {
        RtlInitUnicodeString(&v_ring, L"RingBytes");
        RtlInitUnicodeString(&v_pkt, L"PacketLayers");
        if (NT_SUCCESS(ZwQueryValueKey(key, &v_ring, KeyValuePartialInformation, &buf, sizeof(buf), &got)) &&
            buf.info.Type == REG_DWORD && buf.info.DataLength == 4) {
            ULONG v = *(const ULONG *)buf.info.Data;
            *ring_bytes = v < RING_MIN ? RING_MIN : v > RING_MAX ? RING_MAX : v;
        }
        if (NT_SUCCESS(ZwQueryValueKey(key, &v_pkt, KeyValuePartialInformation, &buf, sizeof(buf), &got)) &&
            buf.info.Type == REG_DWORD && buf.info.DataLength == 4)
            *packet_layers = *(const ULONG *)buf.info.Data != 0;
        ZwClose(key);
    }
    ExFreePoolWithTag(path.Buffer, POOL_TAG);
}

/* One zeroed nonpaged (no-execute) allocation: ExAllocatePool2 where the kernel has it (Windows
 * 10 2004 and later; resolved at run time, so the driver still loads on 1809 and under Wine),
 * else ExAllocatePoolWithTag(NonPagedPoolNx) and zeroing by hand. */
static PVOID alloc_nonpaged(SIZE_T n)
{
    alloc2_fn alloc2 = (alloc2_fn)routine(L"ExAllocatePool2");
    PVOID p;
    if (alloc2)
        return alloc2(POOL_FLAG_NON_PAGED, n, POOL_TAG);
    if ((p = ExAllocatePoolWithTag(NonPagedPoolNx, n, POOL_TAG)) != NULL)
        RtlZeroMemory(p, n);
    return p;
}

static NTSTATUS create_device(PDRIVER_OBJECT drv);
static NTSTATUS callouts_register(void);
static void callouts_unregister(BOOLEAN *all_gone);
static void NTAPI bfe_changed(void *ctx, uint32_t state);

NTSTATUS DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING registry_path)
{
    ULONG ring_bytes;
    NTSTATUS st;

    RtlZeroMemory(&g, sizeof(g));
    KeInitializeSpinLock(&g.lock);
    KeInitializeSpinLock(&g.reads_lock);
    InitializeListHead(&g.reads);
    ExInitializeFastMutex(&g.engine_lock);
    KeInitializeTimer(&g.timer);
    KeInitializeDpc(&g.dpc, coalesce_dpc, NULL);
    g.now = (time_fn)routine(L"KeQuerySystemTimePrecise"); /* Windows 8 and later; not in Wine 8 */
    if (g.now == NULL)
        g.now = (time_fn)routine(L"KeQuerySystemTime");
    read_config(registry_path, &ring_bytes, &g.packet_layers);

    /* the ring: one nonpaged allocation, before anything can classify */
    if ((g.ring_mem = alloc_nonpaged(ring_bytes)) == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (wfpw_devring_init(&g.ring, g.ring_mem, ring_bytes) != 0) {
        st = STATUS_INVALID_PARAMETER;
        goto fail;
    }
    drv->MajorFunction[IRP_MJ_CREATE] = drv_create;
    drv->MajorFunction[IRP_MJ_CLOSE] = drv_close;
    drv->MajorFunction[IRP_MJ_CLEANUP] = drv_cleanup;
    drv->MajorFunction[IRP_MJ_DEVICE_CONTROL] = drv_ioctl;
    drv->DriverUnload = drv_unload;
    if (!NT_SUCCESS(st = create_device(drv)))
        goto fail;
    /* Periodic, set once and never re-armed: a record waits at most COALESCE_MS for a pended read,
     * a steady stream of drops completes reads every COALESCE_MS (a one-shot timer pushed back by
     * each record would never fire under steady load), and classify never touches the timer.
     * Re-arming a timer whose DPC may be running also deadlocks Wine 8's KeSetTimerEx. */
    {
        LARGE_INTEGER due;
        due.QuadPart = -(LONGLONG)COALESCE_MS * 10000;
        KeSetTimerEx(&g.timer, due, COALESCE_MS, &g.dpc);
    }
    if ((g.bfe_work = IoAllocateWorkItem(g.device)) == NULL) {
        st = STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    /* callouts: registered with the kernel whether or not the engine runs */
    if (!NT_SUCCESS(st = callouts_register()))
        goto fail;
    /* "subscribe first, then ask the state"; the objects are added now if BFE runs, and again
     * each time it starts (a restart deletes every object of the dynamic session) */
    if (!NT_SUCCESS(st = FwpmBfeStateSubscribeChanges0(g.device, bfe_changed, NULL, &g.bfe_sub)))
        goto fail;
    if (FwpmBfeStateGet0() == WFPW_FWPM_SERVICE_RUNNING)
        bfe_work(g.device, NULL);
    DbgPrint("wfpwatch: loaded (ring %lu bytes, layers 0x%lx)\n", (unsigned long)g.ring.cap, (unsigned long)g.layers);
    return STATUS_SUCCESS;

fail:
    DbgPrint("wfpwatch: load failed: 0x%08lx\n", (unsigned long)st);
    drv_unload(drv);
    return st;
}

/* Safe with reads pending and classifies running: no new classify is routed to us once the
 * engine objects are gone and the callouts unregistered; the rundown reference waits out the
 * ones already running (nothing documents that unregistering waits for them); then the timer,
 * the pended reads, the device, and only then the ring. A callout that does not unregister
 * keeps the ring and the device alive (classify could still run): leaked, and said so. */
static void drv_unload(PDRIVER_OBJECT drv)
{
    BOOLEAN all_gone = TRUE;
    PIRP irp;
    UNREFERENCED_PARAMETER(drv);
    InterlockedExchange(&g.unloading, 1);
    if (g.bfe_sub) {
        FwpmBfeStateUnsubscribeChanges0(g.bfe_sub); /* no callback runs after this returns */
        g.bfe_sub = NULL;
    }
    while (InterlockedCompareExchange(&g.bfe_work_queued, 0, 0) != 0) { /* a re-add in progress */
        LARGE_INTEGER ms;
        ms.QuadPart = -10000;
        KeDelayExecutionThread(KernelMode, FALSE, &ms);
    }
    ExAcquireFastMutex(&g.engine_lock);
    engine_close();
    ExReleaseFastMutex(&g.engine_lock);
    callouts_unregister(&all_gone);
    if (!all_gone) {
        DbgPrint("wfpwatch: a callout did not unregister: the ring and the device are kept\n");
        return;
    }
    rundown_wait();
    KeCancelTimer(&g.timer);
    KeFlushQueuedDpcs();
    while ((irp = reads_next(NULL)) != NULL) {
        irp->IoStatus.Status = STATUS_CANCELLED;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
    if (g.bfe_work)
        IoFreeWorkItem(g.bfe_work);
    g.bfe_work = NULL;
    if (g.link)
        IoDeleteSymbolicLink(&g.dos_name);
    g.link = FALSE;
    if (g.device)
        IoDeleteDevice(g.device);
    g.device = NULL;
    if (g.ring_mem)
        ExFreePoolWithTag(g.ring_mem, POOL_TAG);
    g.ring_mem = NULL;
    DbgPrint("wfpwatch: unloaded\n");
}

/* ---- the control device: SYSTEM and Administrators only ---------------------------------------- */

/* S-1-5-18 (LocalSystem) and S-1-5-32-544 (BUILTIN\Administrators), spelled out ("Well-known
 * SIDs"): SeExports is not implemented by Wine. */
static const struct { UCHAR rev, n, auth[6]; ULONG sub[1]; } sid_system = {1, 1, {0, 0, 0, 0, 0, 5}, {18}};
static const struct { UCHAR rev, n, auth[6]; ULONG sub[2]; } sid_admins = {1, 2, {0, 0, 0, 0, 0, 5}, {32, 544}};

/* IoCreateDeviceSecure is in wdmsec.lib, which mingw-w64 does not have: the device is created,
 * its DACL set (SYSTEM and Administrators, all access; FILE_DEVICE_SECURE_OPEN so it guards
 * names below the device too), and only then is the Win32 name made. */
static NTSTATUS create_device(PDRIVER_OBJECT drv)
{
    UNICODE_STRING dev_name;
    SECURITY_DESCRIPTOR sd;
    PACL acl;
    ULONG len;
    HANDLE h;
    NTSTATUS st;
    RtlInitUnicodeString(&dev_name, L"\\Device\\wfpwatch");
    RtlInitUnicodeString(&g.dos_name, L"\\DosDevices\\wfpwatch");
    st = IoCreateDevice(drv, 0, &dev_name, WFPW_DEV_TYPE, FILE_DEVICE_SECURE_OPEN, FALSE, &g.device);
    if (!NT_SUCCESS(st))
        return st;
    len = sizeof(ACL) + 2 * FIELD_OFFSET(ACCESS_ALLOWED_ACE, SidStart) + sizeof(sid_system) + sizeof(sid_admins);
    if ((acl = ExAllocatePoolWithTag(PagedPool, len, POOL_TAG)) == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (NT_SUCCESS(st = RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION)) &&
        NT_SUCCESS(st = RtlCreateAcl(acl, len, ACL_REVISION)) &&
        NT_SUCCESS(st = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, (PSID)&sid_system)) &&
        NT_SUCCESS(st = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, (PSID)&sid_admins)) &&
        NT_SUCCESS(st = RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE)) &&
        NT_SUCCESS(st = ObOpenObjectByPointer(g.device, OBJ_KERNEL_HANDLE, NULL, WRITE_DAC, NULL, KernelMode, &h))) {
        st = ZwSetSecurityObject(h, DACL_SECURITY_INFORMATION, &sd); /* copies the descriptor */
        ZwClose(h);
    }
    ExFreePoolWithTag(acl, POOL_TAG);
    if (!NT_SUCCESS(st))
        return st;
    if (!NT_SUCCESS(st = IoCreateSymbolicLink(&g.dos_name, &dev_name)))
        return st;
    g.link = TRUE;
    g.device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

/* ---- WFP registration ------------------------------------------------------------------------- */

static NTSTATUS NTAPI notify(uint32_t type, const struct wfpw_guid *key, struct wfpw_fwps_filter *filter)
{
    UNREFERENCED_PARAMETER(type);
    UNREFERENCED_PARAMETER(key);
    UNREFERENCED_PARAMETER(filter);
    return STATUS_SUCCESS;
}

static void NTAPI classify(const struct wfpw_fwps_incoming_values *in, const struct wfpw_fwps_metadata *meta,
                           void *layer_data, const void *ctx, const struct wfpw_fwps_filter *filter, uint64_t flow,
                           struct wfpw_fwps_classify_out *out);

static NTSTATUS callouts_register(void)
{
    ULONG i;
    NTSTATUS st;
    for (i = 0; i < NLAYERS; i++) {
        struct wfpw_fwps_callout sc;
        struct wfpw_guid key = CALLOUT_KEY(i);
        if (layers[i].packet && !g.packet_layers)
            continue;
        RtlZeroMemory(&sc, sizeof(sc));
        sc.callout_key = key;
        sc.classify_fn = classify;
        sc.notify_fn = notify;
        if (!NT_SUCCESS(st = FwpsCalloutRegister3(g.device, &sc, &g.callout_ids[i])))
            return st;
    }
    return STATUS_SUCCESS;
}

static void callouts_unregister(BOOLEAN *all_gone)
{
    ULONG i;
    for (i = 0; i < NLAYERS; i++) {
        NTSTATUS st;
        if (g.callout_ids[i] == 0)
            continue;
        if (NT_SUCCESS(st = FwpsCalloutUnregisterById0(g.callout_ids[i]))) {
            g.callout_ids[i] = 0;
        } else {
            DbgPrint("wfpwatch: FwpsCalloutUnregisterById0(%lu) failed: 0x%08lx\n", (unsigned long)g.callout_ids[i],
                     (unsigned long)st);
            *all_gone = FALSE;
        }
    }
}

/* A session gone with the engine (BFE stopped) still has a handle to close. engine_lock held. */
static void engine_close(void)
{
    if (g.engine) {
        FwpmEngineClose0(g.engine); /* dynamic session: filters, callouts, sublayer, provider go */
        g.engine = NULL;
    }
    g.layers = 0;
}

/* Provider, sublayer, one callout and one inspection filter per layer, in one transaction of a
 * dynamic session. engine_lock held. */
static NTSTATUS engine_add(void)
{
    static const UINT16 name[] = {'w', 'f', 'p', 'w', 'a', 't', 'c', 'h', 0};
    static const UINT16 desc[] = {'d', 'i', 's', 'c', 'a', 'r', 'd', ' ', 'i', 'n', 's', 'p', 'e', 'c', 't',
                                  'i', 'o', 'n', ' ', '(', 'r', 'e', 'c', 'o', 'r', 'd', 's', ' ', 'o', 'n', 'l',
                                  'y', ')', 0};
    struct wfpw_fwpm_session session;
    struct wfpw_fwpm_provider provider;
    struct wfpw_fwpm_sublayer sublayer;
    NTSTATUS st;
    BOOLEAN in_txn = FALSE;
    ULONG i;

    engine_close();
    RtlZeroMemory(&session, sizeof(session));
    session.flags = WFPW_FWPM_SESSION_FLAG_DYNAMIC; /* nothing outlives the driver's engine handle */
    session.display.name = (uint16_t *)name;
    if (!NT_SUCCESS(st = FwpmEngineOpen0(NULL, WFPW_RPC_C_AUTHN_WINNT, NULL, &session, &g.engine)))
        goto fail;
    if (!NT_SUCCESS(st = FwpmTransactionBegin0(g.engine, 0)))
        goto fail;
    in_txn = TRUE;
    RtlZeroMemory(&provider, sizeof(provider));
    provider.key = provider_key;
    provider.display.name = (uint16_t *)name;
    provider.display.description = (uint16_t *)desc;
    if (!NT_SUCCESS(st = FwpmProviderAdd0(g.engine, &provider, NULL)))
        goto fail;
    RtlZeroMemory(&sublayer, sizeof(sublayer));
    sublayer.key = sublayer_key;
    sublayer.display.name = (uint16_t *)name;
    sublayer.provider_key = (struct wfpw_guid *)&provider_key;
    sublayer.weight = 0; /* lowest: we decide nothing, so we need to see the final verdict only */
    if (!NT_SUCCESS(st = FwpmSubLayerAdd0(g.engine, &sublayer, NULL)))
        goto fail;
    for (i = 0; i < NLAYERS; i++) {
        struct wfpw_fwpm_callout mc;
        struct wfpw_fwpm_filter f;
        struct wfpw_guid key = CALLOUT_KEY(i);
        if (g.callout_ids[i] == 0)
            continue;
        RtlZeroMemory(&mc, sizeof(mc));
        mc.key = key;
        mc.display.name = (uint16_t *)name;
        mc.provider_key = (struct wfpw_guid *)&provider_key;
        mc.layer = layers[i].key;
        if (!NT_SUCCESS(st = FwpmCalloutAdd0(g.engine, &mc, NULL, NULL)))
            goto fail;
        RtlZeroMemory(&f, sizeof(f));
        f.display.name = (uint16_t *)name;
        f.provider_key = (struct wfpw_guid *)&provider_key;
        f.layer_key = layers[i].key;
        f.sublayer_key = sublayer_key;
        f.weight.type = WFPW_FWP_EMPTY; /* BFE assigns the weight */
        f.action.type = WFPW_FWP_ACTION_CALLOUT_INSPECTION;
        f.action.filter_type = key;     /* calloutKey */
        f.nconds = 0;                   /* every discard at the layer */
        if (!NT_SUCCESS(st = FwpmFilterAdd0(g.engine, &f, NULL, NULL)))
            goto fail;
    }
    if (!NT_SUCCESS(st = FwpmTransactionCommit0(g.engine)))
        goto fail;
    g.layers = WFPW_DEV_LAYERS_ALE | (g.packet_layers ? WFPW_DEV_LAYERS_PACKET : 0);
    InterlockedIncrement64(&g.engine_adds);
    return STATUS_SUCCESS;
fail:
    DbgPrint("wfpwatch: adding the engine objects failed: 0x%08lx\n", (unsigned long)st);
    if (in_txn)
        FwpmTransactionAbort0(g.engine);
    engine_close();
    return st;
}

/* Work item (PASSIVE_LEVEL): the objects added again after the engine (re)started, or the session
 * closed when it is stopping — whatever the state is when it runs, and again if it changed
 * meanwhile (a stop and a start in quick succession are two notifications, one work item).
 * ctx NULL: called directly from DriverEntry. */
static VOID NTAPI bfe_work(PDEVICE_OBJECT dev, PVOID ctx)
{
    UNREFERENCED_PARAMETER(dev);
    for (;;) {
        InterlockedExchange(&g.bfe_again, 0);
        ExAcquireFastMutex(&g.engine_lock);
        if (!g.unloading) {
            if (FwpmBfeStateGet0() == WFPW_FWPM_SERVICE_RUNNING)
                engine_add();
            else
                engine_close();
        }
        ExReleaseFastMutex(&g.engine_lock);
        if (ctx == NULL)
            return;
        if (InterlockedCompareExchange(&g.bfe_again, 0, 0) != 0)
            continue;
        InterlockedExchange(&g.bfe_work_queued, 0);
        /* a notification between the check and the release found the work item busy: look again
         * unless that notification queued a new work item itself */
        if (InterlockedCompareExchange(&g.bfe_again, 0, 0) == 0 ||
            InterlockedCompareExchange(&g.bfe_work_queued, 1, 0) != 0)
            return;
    }
}

/* FwpmBfeStateSubscribeChanges0's callback: kept short, the work is queued. */
static void NTAPI bfe_changed(void *ctx, uint32_t state)
{
    UNREFERENCED_PARAMETER(ctx);
    DbgPrint("wfpwatch: base filtering engine state %lu\n", (unsigned long)state);
    if (state != WFPW_FWPM_SERVICE_RUNNING && state != WFPW_FWPM_SERVICE_STOP_PENDING &&
        state != WFPW_FWPM_SERVICE_STOPPED)
        return;
    InterlockedExchange(&g.bfe_again, 1);
    if (!g.unloading && InterlockedCompareExchange(&g.bfe_work_queued, 1, 0) == 0)
        IoQueueWorkItem(g.bfe_work, bfe_work, DelayedWorkQueue, (PVOID)1);
}

/* ---- classify (up to DISPATCH_LEVEL) ---------------------------------------------------------- */

static const struct wfpw_fwp_value *field(const struct wfpw_fwps_incoming_values *in, UINT8 idx)
{
    if (idx == WFPW_FWPS_NO_FIELD || idx >= in->value_count || in->incoming_value == NULL)
        return NULL;
    return &in->incoming_value[idx].value;
}

static void addr(const struct wfpw_fwp_value *v, UINT8 ipv, UINT8 out[16])
{
    if (v == NULL)
        return;
    if (ipv == 4 && v->type == WFPW_FWP_UINT32) { /* host order in the value */
        out[0] = (UINT8)(v->u.u32 >> 24), out[1] = (UINT8)(v->u.u32 >> 16);
        out[2] = (UINT8)(v->u.u32 >> 8), out[3] = (UINT8)v->u.u32;
    } else if (ipv == 6 && v->type == WFPW_FWP_BYTE_ARRAY16_TYPE && v->u.a16) {
        RtlCopyMemory(out, v->u.a16, 16);
    }
}

static UINT16 u16(const struct wfpw_fwp_value *v)
{
    return v && v->type == WFPW_FWP_UINT16 ? v->u.u16 : 0;
}

static void NTAPI classify(const struct wfpw_fwps_incoming_values *in, const struct wfpw_fwps_metadata *meta,
                           void *layer_data, const void *ctx, const struct wfpw_fwps_filter *filter, uint64_t flow,
                           struct wfpw_fwps_classify_out *out)
{
    const struct layer *l;
    const struct wfpw_fwp_value *v;
    struct wfpw_devrec_in r;
    KLOCK_QUEUE_HANDLE lh;
    LARGE_INTEGER now;

    UNREFERENCED_PARAMETER(layer_data);
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(flow);
    UNREFERENCED_PARAMETER(out); /* inspection: the verdict is not ours to change */
    InterlockedIncrement64(&g.classify_calls);
    if (in == NULL || meta == NULL || !rundown_acquire())
        return;
    if ((l = layer_of(in, filter)) == NULL) {
        rundown_release();
        return;
    }
    RtlZeroMemory(&r, sizeof(r));
    now.QuadPart = 0;
    if (g.now)
        g.now(&now);
    r.time = (UINT64)now.QuadPart;
    r.layer_id = l->id;
    r.ip_version = l->ip_version;
    r.direction = l->direction;
    addr(field(in, l->f_local_addr), l->ip_version, r.local_addr);
    addr(field(in, l->f_remote_addr), l->ip_version, r.remote_addr);
    r.local_port = u16(field(in, l->f_local_port));
    r.remote_port = u16(field(in, l->f_remote_port));
    v = field(in, l->f_protocol);
    r.protocol = v && v->type == WFPW_FWP_UINT8 ? v->u.u8 : l->protocol;
    v = field(in, l->f_flags);
    if (v && v->type == WFPW_FWP_UINT32 && (v->u.u32 & WFPW_FWP_CONDITION_FLAG_IS_LOOPBACK))
        r.flags |= WFPW_DEV_F_LOOPBACK;
    if (WFPW_FWPS_IS_METADATA_FIELD_PRESENT(meta, WFPW_FWPS_METADATA_FIELD_PROCESS_ID)) {
        r.process_id = meta->process_id;
        r.flags |= WFPW_DEV_F_PROCESS_ID;
    }
    if (WFPW_FWPS_IS_METADATA_FIELD_PRESENT(meta, WFPW_FWPS_METADATA_FIELD_PROCESS_PATH) && meta->process_path &&
        meta->process_path->data && meta->process_path->size >= 2) {
        SIZE_T n = meta->process_path->size & ~(SIZE_T)1;
        while (n >= 2 && meta->process_path->data[n - 2] == 0 && meta->process_path->data[n - 1] == 0)
            n -= 2; /* the blob includes the terminating NUL */
        r.path = meta->process_path->data;
        r.path_bytes = n;
        r.flags |= WFPW_DEV_F_PATH;
    }
    if (WFPW_FWPS_IS_METADATA_FIELD_PRESENT(meta, WFPW_FWPS_METADATA_FIELD_DISCARD_REASON)) {
        r.discard_module = meta->discard_metadata.discard_module;
        r.discard_reason = meta->discard_metadata.discard_reason;
        r.filter_id = meta->discard_metadata.filter_id;
        r.flags |= WFPW_DEV_F_DISCARD | (r.filter_id ? WFPW_DEV_F_FILTER_ID : 0);
    }

    KeAcquireInStackQueuedSpinLock(&g.lock, &lh); /* held for the copy only; a full ring counts the drop */
    wfpw_devring_push(&g.ring, &r);
    KeReleaseInStackQueuedSpinLock(&lh);
    rundown_release();
}

/* ---- read path -------------------------------------------------------------------------------- */

static VOID NTAPI coalesce_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    UNREFERENCED_PARAMETER(dpc);
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(a1);
    UNREFERENCED_PARAMETER(a2);
    complete_reads(); /* returns at once when no record waits */
}

/* Completes pended READs while records remain (DISPATCH_LEVEL from the DPC, or PASSIVE_LEVEL). */
static void complete_reads(void)
{
    for (;;) {
        KLOCK_QUEUE_HANDLE lh;
        UINT64 used;
        PIRP irp;
        PVOID buf;
        ULONG len;
        SIZE_T n;
        KeAcquireInStackQueuedSpinLock(&g.lock, &lh);
        used = wfpw_devring_used(&g.ring);
        KeReleaseInStackQueuedSpinLock(&lh);
        if (used == 0 || (irp = reads_next(NULL)) == NULL)
            return;
        len = IoGetCurrentIrpStackLocation(irp)->Parameters.DeviceIoControl.OutputBufferLength;
        buf = irp->MdlAddress ? MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute)
                              : NULL;
        if (buf == NULL) {
            irp->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
            irp->IoStatus.Information = 0;
            IoCompleteRequest(irp, IO_NO_INCREMENT);
            continue;
        }
        /* buf is the caller's locked pages (METHOD_OUT_DIRECT): copy under the lock */
        KeAcquireInStackQueuedSpinLock(&g.lock, &lh);
        n = wfpw_devring_pop(&g.ring, buf, len);
        KeReleaseInStackQueuedSpinLock(&lh);
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = n;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

/* ---- the queue of reads ------------------------------------------------------------------------
 * A cancel-safe queue by hand ("Cancel-Safe IRP Queues" describes what IoCsq does; Wine 8 has
 * only IoCsqInitialize): an IRP in the list has our cancel routine set; whoever clears it with
 * IoSetCancelRoutine(irp, NULL) and gets it back owns the IRP, otherwise the cancel routine
 * runs (or is about to) and takes it out itself. */

static VOID NTAPI read_cancelled(PDEVICE_OBJECT dev, PIRP irp)
{
    KIRQL irql;
    UNREFERENCED_PARAMETER(dev);
    IoReleaseCancelSpinLock(irp->CancelIrql);
    KeAcquireSpinLock(&g.reads_lock, &irql);
    RemoveEntryList(&irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&g.reads_lock, irql);
    irp->IoStatus.Status = STATUS_CANCELLED;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

/* FALSE: the IRP was cancelled before it could be queued (the caller completes it). */
static BOOLEAN reads_insert(PIRP irp)
{
    KIRQL irql;
    KeAcquireSpinLock(&g.reads_lock, &irql);
    IoSetCancelRoutine(irp, read_cancelled);
    if (irp->Cancel && IoSetCancelRoutine(irp, NULL) != NULL) {
        KeReleaseSpinLock(&g.reads_lock, irql);
        return FALSE;
    }
    InsertTailList(&g.reads, &irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&g.reads_lock, irql);
    return TRUE;
}

/* The oldest pended READ (of file object fo, when fo is not NULL), now ours; NULL when none. */
static PIRP reads_next(PFILE_OBJECT fo)
{
    PLIST_ENTRY e;
    KIRQL irql;
    PIRP found = NULL;
    KeAcquireSpinLock(&g.reads_lock, &irql);
    for (e = g.reads.Flink; e != &g.reads; e = e->Flink) {
        PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (fo != NULL && IoGetCurrentIrpStackLocation(irp)->FileObject != fo)
            continue;
        if (IoSetCancelRoutine(irp, NULL) == NULL)
            continue; /* being cancelled: read_cancelled takes it out */
        RemoveEntryList(e);
        found = irp;
        break;
    }
    KeReleaseSpinLock(&g.reads_lock, irql);
    return found;
}

/* ---- dispatch --------------------------------------------------------------------------------- */

static NTSTATUS finish(PIRP irp, NTSTATUS st, ULONG_PTR info)
{
    irp->IoStatus.Status = st;
    irp->IoStatus.Information = info;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
}

static NTSTATUS NTAPI drv_create(PDEVICE_OBJECT dev, PIRP irp)
{
    UNREFERENCED_PARAMETER(dev);
    IoGetCurrentIrpStackLocation(irp)->FileObject->FsContext = HANDLE_NEW;
    return finish(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS NTAPI drv_close(PDEVICE_OBJECT dev, PIRP irp)
{
    UNREFERENCED_PARAMETER(dev);
    return finish(irp, STATUS_SUCCESS, 0);
}

/* The handle's last user closed it: its pended reads are cancelled. */
static NTSTATUS NTAPI drv_cleanup(PDEVICE_OBJECT dev, PIRP irp)
{
    PFILE_OBJECT fo = IoGetCurrentIrpStackLocation(irp)->FileObject;
    PIRP r;
    UNREFERENCED_PARAMETER(dev);
    while ((r = reads_next(fo)) != NULL)
        finish(r, STATUS_CANCELLED, 0);
    return finish(irp, STATUS_SUCCESS, 0);
}

/* Validates, switches, and completes once at the end (§4.5); READ is pended instead. */
static NTSTATUS NTAPI drv_ioctl(PDEVICE_OBJECT dev, PIRP irp)
{
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
    PFILE_OBJECT fo = sl->FileObject;
    ULONG in_len = sl->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out_len = sl->Parameters.DeviceIoControl.OutputBufferLength;
    NTSTATUS st = STATUS_INVALID_DEVICE_REQUEST;
    ULONG_PTR info = 0;
    UNREFERENCED_PARAMETER(dev);

    switch (sl->Parameters.DeviceIoControl.IoControlCode) {
    case WFPW_IOCTL_HANDSHAKE: {
        const struct wfpw_dev_hello *h = irp->AssociatedIrp.SystemBuffer;
        struct wfpw_dev_welcome *w = irp->AssociatedIrp.SystemBuffer;
        UINT32 magic;
        UINT16 major;
        if (in_len != WFPW_DEV_HELLO_SIZE || out_len < WFPW_DEV_WELCOME_SIZE || h == NULL) {
            st = STATUS_INFO_LENGTH_MISMATCH;
            break;
        }
        magic = h->magic, major = h->major;
        if (magic != WFPW_DEV_MAGIC_AGENT || major != WFPW_DEV_VERSION_MAJOR) {
            st = STATUS_REVISION_MISMATCH;
            break;
        }
        /* METHOD_BUFFERED: in and out share the system buffer; h is not used after this */
        RtlZeroMemory(w, WFPW_DEV_WELCOME_SIZE);
        w->magic = WFPW_DEV_MAGIC_DRIVER;
        w->major = WFPW_DEV_VERSION_MAJOR, w->minor = WFPW_DEV_VERSION_MINOR;
        w->ring_bytes = g.ring.cap;
        w->record_max = WFPW_DEV_RECORD_MAX;
        w->layers = g.layers;
        fo->FsContext = HANDLE_READY;
        st = STATUS_SUCCESS;
        info = WFPW_DEV_WELCOME_SIZE;
        break;
    }
    case WFPW_IOCTL_READ: {
        KLOCK_QUEUE_HANDLE lh;
        UINT64 used;
        if (fo->FsContext != HANDLE_READY) {
            st = STATUS_INVALID_DEVICE_STATE; /* handshake first */
            break;
        }
        if (out_len < WFPW_DEV_RECORD_MAX || irp->MdlAddress == NULL) {
            st = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        if (g.unloading) {
            st = STATUS_DEVICE_NOT_READY;
            break;
        }
        IoMarkIrpPending(irp);
        if (!reads_insert(irp)) {
            finish(irp, STATUS_CANCELLED, 0);
            return STATUS_PENDING;
        }
        KeAcquireInStackQueuedSpinLock(&g.lock, &lh);
        used = wfpw_devring_used(&g.ring);
        KeReleaseInStackQueuedSpinLock(&lh);
        if (used > 0)
            complete_reads(); /* records were waiting: no need to wait for the timer */
        return STATUS_PENDING;
    }
    case WFPW_IOCTL_STATS: {
        struct wfpw_dev_stats *s = irp->AssociatedIrp.SystemBuffer;
        KLOCK_QUEUE_HANDLE lh;
        if (fo->FsContext != HANDLE_READY) {
            st = STATUS_INVALID_DEVICE_STATE;
            break;
        }
        if (out_len < WFPW_DEV_STATS_SIZE || s == NULL) {
            st = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        RtlZeroMemory(s, WFPW_DEV_STATS_SIZE);
        KeAcquireInStackQueuedSpinLock(&g.lock, &lh);
        s->last_seq = g.ring.next_seq - 1;
        s->dropped = g.ring.dropped;
        s->delivered = g.ring.delivered;
        s->ring_used = wfpw_devring_used(&g.ring);
        s->truncated_paths = g.ring.truncated;
        KeReleaseInStackQueuedSpinLock(&lh);
        s->classify_calls = (UINT64)InterlockedCompareExchange64(&g.classify_calls, 0, 0);
        s->engine_adds = (UINT64)InterlockedCompareExchange64(&g.engine_adds, 0, 0);
        st = STATUS_SUCCESS;
        info = WFPW_DEV_STATS_SIZE;
        break;
    }
    default:
        break;
    }
    return finish(irp, st, info);
}
