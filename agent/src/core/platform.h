/*
 * platform.h — the whole OS interface of the agent. Portable code (core/, sources/) calls
 * only these functions; CMake compiles exactly one implementation: src/win/ (mingw-w64)
 * or src/linux/. No portable file tests _WIN32.
 *
 * The interface, in full:
 *   wfpw__plat_name()                  "windows" | "linux" (the proto `agent.os` value)
 *   wfpw__plat_hostname(buf, len)      this host's name
 *   wfpw__plat_random(buf, len)        cryptographically secure random bytes
 *   wfpw__plat_time_ms()               wall clock, ms since the Unix epoch (UTC)
 *   wfpw__plat_error(os_code)          an OS error code -> WFPW_E* (errno / GetLastError)
 *   wfpw__plat_last_error()            the calling thread's last OS error -> WFPW_E*
 *   wfpw__plat_data_dir()              default data directory of the agent
 *   wfpw__plat_policy_get(key, buf, len)  a Group Policy override of config key `key`
 *                                      (HKLM\SOFTWARE\Policies\wfpwatch\Agent, value named
 *                                      by the dotted key); WFPW_ENOENT when not set
 *   wfpw__plat_kdev_*                  the callout driver's device (below); Windows only,
 *                                      WFPW_ENOSYS elsewhere
 *   wfpw__plat_wfp_*                   the WFP engine's filter inventory, change
 *                                      notifications, liveness, net events and their options
 *                                      (below); Windows only, WFPW_ENOSYS elsewhere
 *   wfpw__plat_evt_*, _dos_devices     the event log subscription and the drive-letter map
 *                                      (below); Windows only, WFPW_ENOSYS elsewhere
 *   wfpw__plat_audit_get/set           the system audit policy of one subcategory (below);
 *                                      Windows only, WFPW_ENOSYS elsewhere
 *   wfpw__plat_surface_*               the registry keys and the hosts file of the silencing
 *                                      surface beyond WFP, and their change notifications
 *                                      (below); Windows only, WFPW_ENOSYS elsewhere
 *   wfpw__plat_process_query           who a running process is: image, command line, parent,
 *                                      account, start time (below)
 *   wfpw__plat_service_*, _event_report, _secure_dir, _self_path
 *                                      the Windows service, its Application event log and its
 *                                      data directory's ACL (below); WFPW_ENOSYS elsewhere
 * Each returns 0 or a negative WFPW_E* code unless stated otherwise.
 */
#ifndef WFPW_PLATFORM_H
#define WFPW_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

struct uv_async_s; /* uv_async_t: the platform signals the loop with uv_async_send */

const char *wfpw__plat_name(void);
/* NUL-terminated host name into buf (truncation is WFPW_ERANGE). */
int wfpw__plat_hostname(char *buf, size_t len);
int wfpw__plat_random(void *buf, size_t len);
int64_t wfpw__plat_time_ms(void);
int wfpw__plat_error(long os_code);
int wfpw__plat_last_error(void);
const char *wfpw__plat_data_dir(void);
/* REG_SZ values as text, REG_DWORD/REG_QWORD as decimal, REG_MULTI_SZ comma-joined. */
int wfpw__plat_policy_get(const char *key, char *buf, size_t len);

/* ---- the callout driver's device (agent/driver/wfpw_device.h) ----
 * open: the device at path (e.g. \\.\wfpwatch) for overlapped I/O; *dev owned by the caller
 *       until wfpw__plat_kdev_close.
 * ioctl: one IOCTL, waited for; *got = bytes returned. A driver refusing the version
 *       (STATUS_REVISION_MISMATCH) is WFPW_EPROTO.
 * read_loop: keeps `depth` IOCTLs `code` (READ) of `bufsize` bytes pending and calls on_data for each
 *       completion in the order they were issued (the driver completes them in that order, so
 *       records arrive in sequence), until on_data returns non-zero (returns 0), the reads are
 *       cancelled (WFPW_ECLOSED) or the device fails (its error). Blocks the calling thread;
 *       every read has finished when it returns.
 * cancel: makes a read_loop running in another thread return (safe at any moment).
 * close: after read_loop has returned. */
struct wfpw__kdev;
int wfpw__plat_kdev_open(const char *path, struct wfpw__kdev **dev);
int wfpw__plat_kdev_ioctl(struct wfpw__kdev *dev, uint32_t code, const void *in, size_t inlen, void *out,
                          size_t outlen, size_t *got);
int wfpw__plat_kdev_read_loop(struct wfpw__kdev *dev, uint32_t code, unsigned depth, size_t bufsize,
                              int (*on_data)(void *ctx, const uint8_t *data, size_t len), void *ctx);
void wfpw__plat_kdev_cancel(struct wfpw__kdev *dev);
void wfpw__plat_kdev_close(struct wfpw__kdev *dev);

/* ---- the WFP engine (FwpmEngineOpen0 and friends) ----
 * open: a management session for reading (no dynamic session, nothing is ever added); *eng
 *       owned by the caller until wfpw__plat_wfp_close. Errors name the call in err.
 * inventory: every filter, provider, sublayer and callout, read in one read-only transaction
 *       so the four lists agree, converted into inv (initialised by the caller) by portable
 *       code (src/wfp/fwpconv.c). Blocks; may run on any thread, one call at a time.
 * watch: uv_async_send(signal) on an OS thread after each filter add or delete (the
 *       subscription asks for both), until unwatch or close.
 * unwatch: ends the watch; when it returns no send to signal is running or will come, so the
 *       caller may close signal only after it (or after close).
 * close: ends the watch and the session.
 * A call on a session whose engine went away (the Base Filtering Engine stopped or restarted:
 * RPC errors, FWP_E_SESSION_ABORTED) fails with WFPW_EGONE: close it and open a new one (the
 * old session's watch delivers nothing more). */
struct wfpw__wfp;
struct wfpw_inventory;
int wfpw__plat_wfp_open(struct wfpw__wfp **eng, char *err, size_t errlen);
int wfpw__plat_wfp_inventory(struct wfpw__wfp *eng, struct wfpw_inventory *inv, char *err, size_t errlen);
int wfpw__plat_wfp_watch(struct wfpw__wfp *eng, struct uv_async_s *signal, char *err, size_t errlen);
/* probe: one cheap call on the session (an engine option read): 0 while the engine behind it
 *       lives, WFPW_EGONE once it went away — a dead session's watch says nothing, so a
 *       periodic probe is how a restart of the Base Filtering Engine is noticed. Blocks (RPC). */
int wfpw__plat_wfp_probe(struct wfpw__wfp *eng, char *err, size_t errlen);
void wfpw__plat_wfp_unwatch(struct wfpw__wfp *eng);
void wfpw__plat_wfp_close(struct wfpw__wfp *eng);
/* net events: collect_get/set read and write FWPM_ENGINE_COLLECT_NET_EVENTS (0/1) — the engine
 *       keeps net events only while it is on. subscribe: with the newest FwpmNetEventSubscribe
 *       version this Windows exports (4 down to 0, resolved with GetProcAddress; *version says
 *       which); on_event(ctx, version, event) is called on an RPC thread with the engine's
 *       FWPM_NET_EVENTn (src/wfp/fwpm_netevent.h), valid during the call only. Ended by close. */
int wfpw__plat_wfp_collect_get(struct wfpw__wfp *eng, int *on, char *err, size_t errlen);
int wfpw__plat_wfp_collect_set(struct wfpw__wfp *eng, int on, char *err, size_t errlen);
/* keywords_get/set: FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS, the classes of net events the
 *       engine keeps beyond its default (outbound drops, inbound unicast drops): a bit mask of
 *       FWPM_NET_EVENT_KEYWORD_* (src/wfp/netevent.h names the ones the agent uses). A bit this
 *       Windows does not know is refused (WFPW_EINVAL). Machine-wide and persistent, like
 *       collect. */
int wfpw__plat_wfp_keywords_get(struct wfpw__wfp *eng, uint32_t *keywords, char *err, size_t errlen);
int wfpw__plat_wfp_keywords_set(struct wfpw__wfp *eng, uint32_t keywords, char *err, size_t errlen);
int wfpw__plat_wfp_netevents(struct wfpw__wfp *eng, void (*on_event)(void *ctx, unsigned version, const void *event),
                             void *ctx, unsigned *version, char *err, size_t errlen);

/* ---- the Windows event log (wevtapi) ----
 * evt_open: a pull subscription to `channel` with XPath `query`; bookmark_xml NULL: from the
 *       oldest record, else strictly after that bookmark (EvtSubscribeStrict). WFPW_ENOENT when
 *       the bookmark no longer resolves (the log was cleared or wrapped past it). *sub owned by
 *       the caller until evt_close. Errors name the call in err.
 * evt_next: waits up to timeout_ms for events, then renders each (EvtRenderEventXml, UTF-8)
 *       and hands it to on_event, at most `max`; returns how many were handed over (0 after a
 *       quiet timeout) or an error; WFPW_ECLOSED once evt_cancel was called. A non-zero
 *       on_event stops the batch; events not handed over are read again by the next call.
 * evt_cancel: from any thread; wakes and ends a waiting evt_next.
 * evt_close: after the last evt_next has returned.
 * dos_devices: "C:=\Device\HarddiskVolume3\n" for each drive letter (QueryDosDevice). */
struct wfpw__evt;
int wfpw__plat_evt_open(const char *channel, const char *query, const char *bookmark_xml, struct wfpw__evt **sub,
                        char *err, size_t errlen);
int wfpw__plat_evt_next(struct wfpw__evt *sub, unsigned timeout_ms, unsigned max,
                        int (*on_event)(void *ctx, const char *xml, size_t len), void *ctx, char *err, size_t errlen);
void wfpw__plat_evt_cancel(struct wfpw__evt *sub);
void wfpw__plat_evt_close(struct wfpw__evt *sub);
int wfpw__plat_dos_devices(char *out, size_t len);

/* ---- the system audit policy (AuditQuerySystemPolicy / AuditSetSystemPolicy) ----
 * By subcategory GUID "{0CCE9226-...}"; bits 1 success, 2 failure. set enables
 * SeSecurityPrivilege first and sets exactly `bits` (0: audit nothing). WFPW_EACCES when the
 * privilege is missing; errors name the call in err. */
int wfpw__plat_audit_get(const char *guid, unsigned *bits, char *err, size_t errlen);
int wfpw__plat_audit_set(const char *guid, unsigned bits, char *err, size_t errlen);

/* ---- the Windows service ----
 * install: registers `name` to run `command` (a full command line) as LocalSystem, started
 *       automatically, restarted on failure after 1 min, 1 min, 5 min (reset after a day), and
 *       the Application event log source `name`. WFPW_EEXIST when already installed.
 * uninstall: stops it (waiting up to 30 s), removes it and its event log source.
 * start / stop: and wait up to 30 s for it to be running / stopped.
 * status: "running", "stopped", "not installed", ... then its start type, account, command
 *       line and failure actions as the service manager holds them, one "key: value" a line.
 * run: for the program the service manager started: connects to it, reports running, calls
 *       body(ctx), reports stopped with its exit code; a stop or shutdown request calls
 *       stop(ctx) on the manager's thread. WFPW_ENOENT when not started by the manager.
 * event_report: one line into the Application event log under `source` (error or info).
 * secure_dir: the agent's data directory owned by SYSTEM with a protected DACL (SYSTEM and
 *       Administrators full control, nobody else, inherited by everything inside): created so
 *       when missing; when it exists (someone may have made it first) a junction or link is
 *       refused (WFPW_EACCES), ownership is taken and every child reset to inherit.
 * self_path: this executable's full path.
 * driver_install: registers the kernel driver service `name` (SERVICE_KERNEL_DRIVER, demand
 *       start, no load-order group) for the image `sys_path`; WFPW_EEXIST when it exists, and
 *       then its image path is set to sys_path (an upgrade may move it). Started, stopped,
 *       queried and removed with the service_* calls above, which work on drivers too. */
int wfpw__plat_service_install(const char *name, const char *display, const char *description, const char *command,
                               char *err, size_t errlen);
int wfpw__plat_service_uninstall(const char *name, char *err, size_t errlen);
int wfpw__plat_service_start(const char *name, char *err, size_t errlen);
int wfpw__plat_service_stop(const char *name, char *err, size_t errlen);
int wfpw__plat_service_status(const char *name, char *out, size_t len, char *err, size_t errlen);
int wfpw__plat_service_run(const char *name, int (*body)(void *ctx), void (*stop)(void *ctx), void *ctx, char *err,
                           size_t errlen);
void wfpw__plat_event_report(const char *source, int error, const char *line);
int wfpw__plat_secure_dir(const char *dir, char *err, size_t errlen);
int wfpw__plat_self_path(char *out, size_t len);
int wfpw__plat_driver_install(const char *name, const char *display, const char *sys_path, char *err, size_t errlen);

/* ---- the silencing surface beyond WFP (sources/surface, surface/surface.h) ----
 * surface_read: the values the surface rules read — NRPT rules (Group Policy and local), QoS
 *       policies, persistent routes, WinHTTP/machine/Defender proxies, Tcpip DataBasePath —
 *       from the live registry into rs (keys abbreviated "HKLM\\...", strings UTF-16LE as
 *       the registry holds them), the route table as values of WFPW_SURFACE_ROUTE_TABLE
 *       (surface.h), and the hosts file's path (UTF-8) into hosts. A key that does not exist
 *       is no error. Blocks (registry calls): run it off the loop.
 * surface_watch: change notifications for those keys, the route table and the hosts file's folder: every
 *       change does uv_async_send(async) from a thread of its own; *w owned by the caller
 *       until surface_unwatch, which returns only when nothing will signal async any more. */
struct wfpw_regstore;
struct wfpw__surfwatch;
int wfpw__plat_surface_read(struct wfpw_regstore *rs, char *hosts, size_t hlen, char *err, size_t errlen);
int wfpw__plat_surface_watch(struct wfpw__surfwatch **w, struct uv_async_s *async, char *err, size_t errlen);
void wfpw__plat_surface_unwatch(struct wfpw__surfwatch *w);
/* reg_audit: the audit entry that makes Windows write 4657 for a key's values — Everyone, Set
 *       Value, success; inherited by subkeys when inherit — in the SACL of HKLM\key. on: added
 *       when no such explicit entry is there (*changed 1); off: that entry removed (*changed 1
 *       when it was there). A key that does not exist: WFPW_ENOENT. Needs SeSecurityPrivilege
 *       (enabled here). WFPW_ENOSYS off Windows. docs/windows-behaviour.md S13. */
int wfpw__plat_reg_audit(const char *key, int inherit, int on, int *changed, char *err, size_t errlen);

/* ---- who a process is (detect/proctab.h) ----
 * process_query: the running process with id pid into *out (initialised here; strings owned
 *       by out): image path (drive-letter form), command line, parent id and start time, the
 *       account it runs as (SID, "DOMAIN\\name"); what one call cannot read stays unknown.
 *       WFPW_ENOENT when no process has that id; WFPW_EACCES etc. with err naming the call.
 *       Quick (no waiting): called on the loop. Windows: OpenProcess(QUERY_LIMITED_INFORMATION),
 *       QueryFullProcessImageNameW, NtQueryInformationProcess, GetProcessTimes, the token's
 *       user; Linux: /proc. */
struct wfpw_proc;
int wfpw__plat_process_query(int64_t pid, struct wfpw_proc *out, char *err, size_t errlen);

#endif /* WFPW_PLATFORM_H */
