/*
 * service.c (Windows) — the agent as a Windows service: install / uninstall / start / stop /
 * status through the service control manager, the dispatcher for `service-run`, the
 * Application event log, and the data directory's ACL. A running service also (re)sets its own
 * failure actions, so an MSI-installed one restarts on failure like a `service install`ed one.
 * Thin: what to run and when is decided by portable code (src/service/svccmd.c).
 */
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <string.h>

#include "messages.h"
#include "platform.h"
#include "winpriv.h"
#include "wfpw/errors.h"

#define WAIT_MS 30000

static int fail(DWORD e, const char *call, char *err, size_t errlen)
{
    char text[256] = "";
    size_t n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0, text,
                              sizeof(text), NULL);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '.'))
        text[--n] = '\0';
    snprintf(err, errlen, "%s failed: error %lu%s%s%s%s", call, (unsigned long)e, n ? " (" : "", text, n ? ")" : "",
             e == ERROR_ACCESS_DENIED ? "; run it from an elevated (administrator) prompt" : "");
    switch (e) {
    case ERROR_SERVICE_EXISTS: return WFPW_EEXIST;
    case ERROR_SERVICE_DOES_NOT_EXIST: return WFPW_ENOENT;
    default: return wfpw__plat_error((long)e);
    }
}

static SC_HANDLE open_scm(DWORD access, char *err, size_t errlen, int *rc)
{
    SC_HANDLE scm = OpenSCManagerA(NULL, NULL, access);
    *rc = scm ? 0 : fail(GetLastError(), "OpenSCManager", err, errlen);
    return scm;
}

static const char *event_key(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\%s", name);
    return buf;
}

int wfpw__plat_service_install(const char *name, const char *display, const char *description, const char *command,
                               char *err, size_t errlen)
{
    SC_ACTION actions[3] = {{SC_ACTION_RESTART, 60000}, {SC_ACTION_RESTART, 60000}, {SC_ACTION_RESTART, 300000}};
    SERVICE_FAILURE_ACTIONSA fa;
    SERVICE_FAILURE_ACTIONS_FLAG flag = {TRUE};  /* also when it stops with an error, not only on a crash */
    SERVICE_DESCRIPTIONA desc;
    SC_HANDLE scm, svc;
    HKEY key;
    char keyname[256];
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    int rc, tries;
    if ((scm = open_scm(SC_MANAGER_CREATE_SERVICE, err, errlen, &rc)) == NULL)
        return rc;
    for (tries = 0;; tries++) {
        svc = CreateServiceA(scm, name, display, SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                             SERVICE_ERROR_NORMAL, command, NULL, NULL, NULL, NULL /* LocalSystem */, NULL);
        /* just uninstalled, and a handle (services.msc, the old process) still open: it goes
         * away when that closes; wait up to 10 s rather than fail a reinstall */
        if (svc != NULL || GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE || tries == 40)
            break;
        Sleep(250);
    }
    if (svc == NULL) {
        rc = fail(GetLastError(), "CreateService", err, errlen);
        CloseServiceHandle(scm);
        return rc;
    }
    desc.lpDescription = (char *)description;
    memset(&fa, 0, sizeof(fa));
    fa.dwResetPeriod = 86400;
    fa.cActions = 3;
    fa.lpsaActions = actions;
    if (!ChangeServiceConfig2A(svc, SERVICE_CONFIG_DESCRIPTION, &desc) ||
        !ChangeServiceConfig2A(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &fa))
        rc = fail(GetLastError(), "ChangeServiceConfig2", err, errlen);
    else
        ChangeServiceConfig2A(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag);  /* Vista+; best effort */
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    if (rc == 0 && RegCreateKeyExA(HKEY_LOCAL_MACHINE, event_key(name, keyname, sizeof(keyname)), 0, NULL, 0,
                                   KEY_SET_VALUE, NULL, &key, NULL) == ERROR_SUCCESS) {
        char self[MAX_PATH];
        RegSetValueExA(key, "TypesSupported", 0, REG_DWORD, (const BYTE *)&types, sizeof(types));
        /* the message table in this executable (messages.mc): Event Viewer renders our entries
         * from it instead of "the description for Event ID ... cannot be found" */
        if (wfpw__plat_self_path(self, sizeof(self)) == 0)
            RegSetValueExA(key, "EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)self, (DWORD)strlen(self) + 1);
        RegCloseKey(key);
    }
    return rc;
}

int wfpw__plat_driver_install(const char *name, const char *display, const char *sys_path, char *err, size_t errlen)
{
    SC_HANDLE scm, svc;
    int rc, tries;
    if ((scm = open_scm(SC_MANAGER_CREATE_SERVICE, err, errlen, &rc)) == NULL)
        return rc;
    for (tries = 0;; tries++) {
        /* a Win32 path is accepted for a kernel driver's ImagePath (stored as \??\C:\...) */
        svc = CreateServiceA(scm, name, display, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START,
                             SERVICE_ERROR_NORMAL, sys_path, NULL, NULL, NULL, NULL, NULL);
        if (svc != NULL || GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE || tries == 40)
            break;
        Sleep(250);
    }
    if (svc == NULL && GetLastError() == ERROR_SERVICE_EXISTS) {
        /* already registered (an upgrade, a second install): point it at this image */
        if ((svc = OpenServiceA(scm, name, SERVICE_CHANGE_CONFIG)) == NULL ||
            !ChangeServiceConfigA(svc, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, sys_path,
                                  NULL, NULL, NULL, NULL, NULL, display))
            rc = fail(GetLastError(), "ChangeServiceConfig", err, errlen);
        else
            rc = WFPW_EEXIST;
    } else if (svc == NULL) {
        rc = fail(GetLastError(), "CreateService", err, errlen);
    }
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

static int wait_state(SC_HANDLE svc, DWORD want, char *err, size_t errlen)
{
    SERVICE_STATUS st;
    DWORD waited = 0;
    while (QueryServiceStatus(svc, &st)) {
        if (st.dwCurrentState == want)
            return 0;
        if (waited >= WAIT_MS) {
            snprintf(err, errlen, "the service did not reach the %s state within %d s (it is in state %lu)",
                     want == SERVICE_RUNNING ? "running" : "stopped", WAIT_MS / 1000, (unsigned long)st.dwCurrentState);
            return WFPW_EAGAIN;
        }
        Sleep(250);
        waited += 250;
    }
    return fail(GetLastError(), "QueryServiceStatus", err, errlen);
}

static int control(const char *name, int start, char *err, size_t errlen)
{
    SERVICE_STATUS st;
    SC_HANDLE scm, svc;
    int rc;
    if ((scm = open_scm(SC_MANAGER_CONNECT, err, errlen, &rc)) == NULL)
        return rc;
    if ((svc = OpenServiceA(scm, name, SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS)) == NULL) {
        rc = fail(GetLastError(), "OpenService", err, errlen);
    } else if (start) {
        if (!StartServiceA(svc, 0, NULL) && GetLastError() != ERROR_SERVICE_ALREADY_RUNNING)
            rc = fail(GetLastError(), "StartService", err, errlen);
        else
            rc = wait_state(svc, SERVICE_RUNNING, err, errlen);
    } else {
        if (!ControlService(svc, SERVICE_CONTROL_STOP, &st) && GetLastError() != ERROR_SERVICE_NOT_ACTIVE)
            rc = fail(GetLastError(), "ControlService(STOP)", err, errlen);
        else
            rc = wait_state(svc, SERVICE_STOPPED, err, errlen);
    }
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

int wfpw__plat_service_start(const char *name, char *err, size_t errlen)
{
    return control(name, 1, err, errlen);
}

int wfpw__plat_service_stop(const char *name, char *err, size_t errlen)
{
    return control(name, 0, err, errlen);
}

int wfpw__plat_service_uninstall(const char *name, char *err, size_t errlen)
{
    SC_HANDLE scm, svc;
    char keyname[256];
    int rc = control(name, 0, err, errlen);
    if (rc == WFPW_ENOENT)
        return rc;
    if ((scm = open_scm(SC_MANAGER_CONNECT, err, errlen, &rc)) == NULL)
        return rc;
    if ((svc = OpenServiceA(scm, name, DELETE)) == NULL || !DeleteService(svc))
        rc = fail(GetLastError(), "DeleteService", err, errlen);
    else
        rc = 0;
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    RegDeleteKeyA(HKEY_LOCAL_MACHINE, event_key(name, keyname, sizeof(keyname)));
    return rc;
}

int wfpw__plat_service_status(const char *name, char *out, size_t len, char *err, size_t errlen)
{
    static const char *const states[] = {"?", "stopped", "start pending", "stop pending", "running",
                                         "continue pending", "pause pending", "paused"};
    union {
        QUERY_SERVICE_CONFIGA cfg;
        char raw[8192];
    } qc;
    union {
        SERVICE_FAILURE_ACTIONSA fa;
        char raw[4096];
    } qf;
    SERVICE_STATUS st;
    SC_HANDLE scm, svc;
    DWORD need, i;
    size_t o = 0;
    int rc;
    out[0] = '\0';
    if ((scm = open_scm(SC_MANAGER_CONNECT, err, errlen, &rc)) == NULL)
        return rc;
    if ((svc = OpenServiceA(scm, name, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG)) == NULL) {
        DWORD e = GetLastError();
        CloseServiceHandle(scm);
        if (e == ERROR_SERVICE_DOES_NOT_EXIST) {
            snprintf(out, len, "state: not installed\n");
            return 0;
        }
        return fail(e, "OpenService", err, errlen);
    }
    if (!QueryServiceStatus(svc, &st) || !QueryServiceConfigA(svc, &qc.cfg, sizeof(qc), &need)) {
        rc = fail(GetLastError(), "QueryServiceStatus/Config", err, errlen);
    } else {
        o += (size_t)snprintf(out + o, len - o, "state: %s\ntype: %s\nstart: %s\naccount: %s\ncommand: %s\n",
                              st.dwCurrentState < 8 ? states[st.dwCurrentState] : "?",
                              qc.cfg.dwServiceType & SERVICE_KERNEL_DRIVER ? "kernel driver" : "own process",
                              qc.cfg.dwStartType == SERVICE_AUTO_START     ? "automatic"
                              : qc.cfg.dwStartType == SERVICE_DEMAND_START ? "demand"
                                                                           : "not automatic",
                              qc.cfg.lpServiceStartName ? qc.cfg.lpServiceStartName : "LocalSystem",
                              qc.cfg.lpBinaryPathName ? qc.cfg.lpBinaryPathName : "");
        if (QueryServiceConfig2A(svc, SERVICE_CONFIG_FAILURE_ACTIONS, (BYTE *)&qf, sizeof(qf), &need)) {
            o += (size_t)snprintf(out + o, len - o, "failure actions:");
            for (i = 0; i < qf.fa.cActions && o < len; i++)
                o += (size_t)snprintf(out + o, len - o, " %s after %lu s",
                                      qf.fa.lpsaActions[i].Type == SC_ACTION_RESTART ? "restart" : "other",
                                      (unsigned long)qf.fa.lpsaActions[i].Delay / 1000);
            if (o < len)
                o += (size_t)snprintf(out + o, len - o, "%s; reset after %lu s\n", qf.fa.cActions ? "" : " none",
                                      (unsigned long)qf.fa.dwResetPeriod);
        } else {
            o += (size_t)snprintf(out + o, len - o, "failure actions: unknown (QueryServiceConfig2: error %lu)\n",
                                  (unsigned long)GetLastError());
        }
    }
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

/* ---- running under the service manager ---------------------------------------------------- */

static struct {
    const char *name;
    int (*body)(void *ctx);
    void (*stop)(void *ctx);
    void *ctx;
    SERVICE_STATUS_HANDLE h;
    SERVICE_STATUS st;
    CRITICAL_SECTION lock;       /* st: the handler, the stop ticker and service_main report */
    HANDLE stopped;              /* set when the body returned: the ticker ends */
    HANDLE ticker;
    volatile LONG stopping;      /* a stop was asked for */
} svc_run;

#define STOP_TICK_MS 2000

/* A pending state carries a wait hint and a checkpoint the service manager expects to grow
 * before the hint runs out ("SERVICE_STATUS": dwCheckPoint, dwWaitHint); other states have
 * neither. */
static void report(DWORD state, DWORD code)
{
    EnterCriticalSection(&svc_run.lock);
    svc_run.st.dwCheckPoint = state == SERVICE_STOP_PENDING && svc_run.st.dwCurrentState == SERVICE_STOP_PENDING
                                  ? svc_run.st.dwCheckPoint + 1
                                  : 0;
    svc_run.st.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    svc_run.st.dwCurrentState = state;
    svc_run.st.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    svc_run.st.dwWin32ExitCode = code ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR;
    svc_run.st.dwServiceSpecificExitCode = code;
    svc_run.st.dwWaitHint = state == SERVICE_STOP_PENDING ? 2 * STOP_TICK_MS : 0;
    SetServiceStatus(svc_run.h, &svc_run.st);
    LeaveCriticalSection(&svc_run.lock);
}

/* While the agent flushes on stop (up to shutdown_flush_ms, a minute at most), the checkpoint
 * grows every STOP_TICK_MS, so the service manager does not take a long flush for a hang. */
static DWORD WINAPI stop_ticker(LPVOID arg)
{
    (void)arg;
    while (WaitForSingleObject(svc_run.stopped, STOP_TICK_MS) == WAIT_TIMEOUT)
        report(SERVICE_STOP_PENDING, 0);
    return 0;
}

static DWORD WINAPI handler(DWORD control, DWORD type, LPVOID data, LPVOID ctx)
{
    (void)type, (void)data, (void)ctx;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        if (InterlockedExchange(&svc_run.stopping, 1))
            return NO_ERROR;        /* already stopping */
        report(SERVICE_STOP_PENDING, 0);
        svc_run.ticker = CreateThread(NULL, 0, stop_ticker, NULL, 0, NULL);
        svc_run.stop(svc_run.ctx);  /* the agent stops on its loop and body returns */
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

/* However the service was installed (the MSI, `service install`), it restarts on failure. */
static void ensure_failure_actions(void)
{
    SC_ACTION actions[3] = {{SC_ACTION_RESTART, 60000}, {SC_ACTION_RESTART, 60000}, {SC_ACTION_RESTART, 300000}};
    SERVICE_FAILURE_ACTIONSA fa;
    SERVICE_FAILURE_ACTIONS_FLAG flag = {TRUE};
    SC_HANDLE scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_CONNECT), svc;
    if (scm == NULL)
        return;
    if ((svc = OpenServiceA(scm, svc_run.name, SERVICE_CHANGE_CONFIG | SERVICE_START)) != NULL) {
        memset(&fa, 0, sizeof(fa));
        fa.dwResetPeriod = 86400;
        fa.cActions = 3;
        fa.lpsaActions = actions;
        ChangeServiceConfig2A(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &fa);
        ChangeServiceConfig2A(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag);
        CloseServiceHandle(svc);
    }
    CloseServiceHandle(scm);
}

static void WINAPI service_main(DWORD argc, LPSTR *argv)
{
    int code;
    (void)argc, (void)argv;
    InitializeCriticalSection(&svc_run.lock);
    svc_run.stopped = CreateEventA(NULL, TRUE, FALSE, NULL);
    if ((svc_run.h = RegisterServiceCtrlHandlerExA(svc_run.name, handler, NULL)) == NULL)
        return;
    report(SERVICE_RUNNING, 0);
    ensure_failure_actions();
    code = svc_run.body(svc_run.ctx);
    if (svc_run.stopped)
        SetEvent(svc_run.stopped);
    if (svc_run.ticker) {
        WaitForSingleObject(svc_run.ticker, INFINITE);
        CloseHandle(svc_run.ticker);
    }
    report(SERVICE_STOPPED, (DWORD)code);
}

int wfpw__plat_service_run(const char *name, int (*body)(void *ctx), void (*stop)(void *ctx), void *ctx, char *err,
                           size_t errlen)
{
    SERVICE_TABLE_ENTRYA table[2];
    svc_run.name = name, svc_run.body = body, svc_run.stop = stop, svc_run.ctx = ctx;
    table[0].lpServiceName = (char *)name, table[0].lpServiceProc = service_main;
    table[1].lpServiceName = NULL, table[1].lpServiceProc = NULL;
    if (!StartServiceCtrlDispatcherA(table)) {
        DWORD e = GetLastError();
        if (e == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
            snprintf(err, errlen, "not started by the service manager (use `service start`, or `run` in the foreground)");
            return WFPW_ENOENT;
        }
        return fail(e, "StartServiceCtrlDispatcher", err, errlen);
    }
    return 0;
}

void wfpw__plat_event_report(const char *source, int error, const char *line)
{
    HANDLE h = RegisterEventSourceA(NULL, source);
    const char *strings[1] = {line};
    if (h == NULL)
        return;
    ReportEventA(h, error ? EVENTLOG_ERROR_TYPE : EVENTLOG_INFORMATION_TYPE, 0, error ? WFPW_MSG_ERROR : WFPW_MSG_INFO,
                 NULL, 1, 0, strings, NULL);
    DeregisterEventSource(h);
}

DWORD wfpw__win_enable_privilege(const char *name, const char **call)
{
    HANDLE tok;
    TOKEN_PRIVILEGES tp;
    DWORD e;
    *call = "OpenProcessToken";
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &tok))
        return GetLastError();
    tp.PrivilegeCount = 1;
    tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    *call = "LookupPrivilegeValue";
    if (!LookupPrivilegeValueA(NULL, name, &tp.Privileges[0].Luid)) {
        e = GetLastError();
        CloseHandle(tok);
        return e;
    }
    *call = "AdjustTokenPrivileges";
    AdjustTokenPrivileges(tok, FALSE, &tp, sizeof(tp), NULL, NULL);
    e = GetLastError(); /* TRUE with ERROR_NOT_ALL_ASSIGNED when the account lacks it */
    CloseHandle(tok);
    return e;
}

/* Enables a privilege of the process token; 0 or an error in err. */
static int enable_privilege(const char *name, char *err, size_t errlen)
{
    const char *call;
    char what[128];
    DWORD e = wfpw__win_enable_privilege(name, &call);
    snprintf(what, sizeof(what), "%s(%s)", call, name);
    return e == ERROR_SUCCESS ? 0 : fail(e, what, err, errlen);
}

/* The data directory belongs to SYSTEM and only SYSTEM and Administrators may use it
 * (docs/windows-behaviour.md): a directory that did not exist is created with that security
 * descriptor from the start; one that exists may have been created first by anyone (an owner
 * keeps WRITE_DAC whatever the DACL says, planted files keep their own ACEs, a junction points
 * elsewhere), so a reparse point is refused, ownership is taken for SYSTEM, the protected DACL
 * is set, and every child's owner and ACL are reset to inherit it. */
/* Every file and directory under dir: owner set to `owner`, its own (explicit) ACEs replaced by
 * an empty DACL that is not protected, so it holds only what it inherits from dir. A junction
 * or symbolic link inside is refused, not followed. Written out rather than calling
 * TreeResetNamedSecurityInfo, which Wine does not implement: this path runs in the tests. */
static int reset_children(const char *dir, PSID owner, int depth, char *err, size_t errlen)
{
    char pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAA fd;
    HANDLE h;
    ACL empty;
    DWORD e;
    int rc = 0;
    if (depth > 16) {
        snprintf(err, errlen, "%s: nested more than 16 directories deep; not the agent's data directory?", dir);
        return WFPW_ERANGE;
    }
    if (!InitializeAcl(&empty, sizeof(empty), ACL_REVISION))
        return fail(GetLastError(), "InitializeAcl", err, errlen);
    if ((size_t)snprintf(pattern, sizeof(pattern), "%s\\*", dir) >= sizeof(pattern)) {
        snprintf(err, errlen, "%s: path too long", dir);
        return WFPW_ERANGE;
    }
    if ((h = FindFirstFileA(pattern, &fd)) == INVALID_HANDLE_VALUE) {
        e = GetLastError();
        return e == ERROR_FILE_NOT_FOUND || e == ERROR_NO_MORE_FILES ? 0 : fail(e, "FindFirstFile", err, errlen);
    }
    do {
        if (strcmp(fd.cFileName, ".") == 0 || strcmp(fd.cFileName, "..") == 0)
            continue;
        if ((size_t)snprintf(path, sizeof(path), "%s\\%s", dir, fd.cFileName) >= sizeof(path)) {
            snprintf(err, errlen, "%s\\%s: path too long", dir, fd.cFileName);
            rc = WFPW_ERANGE;
            break;
        }
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
            snprintf(err, errlen, "%s is a junction or symbolic link inside the data directory: refused (it would "
                                  "point the agent's writes elsewhere); remove it and install again", path);
            rc = WFPW_EACCES;
            break;
        }
        e = SetNamedSecurityInfoA(path, SE_FILE_OBJECT,
                                  OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
                                      UNPROTECTED_DACL_SECURITY_INFORMATION,
                                  owner, NULL, &empty, NULL);
        if (e != ERROR_SUCCESS) {
            rc = fail(e, "SetNamedSecurityInfo", err, errlen);
            break;
        }
        if ((fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) && (rc = reset_children(path, owner, depth + 1, err, errlen)) != 0)
            break;
    } while (FindNextFileA(h, &fd));
    FindClose(h);
    return rc;
}

int wfpw__plat_secure_dir(const char *dir, char *err, size_t errlen)
{
    static const char sddl[] = "O:SYG:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";
    PSECURITY_DESCRIPTOR sd = NULL;
    SECURITY_ATTRIBUTES sa;
    PACL dacl = NULL;
    PSID owner = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    DWORD attrs, e;
    int rc = 0;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorA(sddl, SDDL_REVISION_1, &sd, NULL))
        return fail(GetLastError(), "ConvertStringSecurityDescriptorToSecurityDescriptor", err, errlen);
    GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    GetSecurityDescriptorOwner(sd, &owner, &defaulted);
    attrs = GetFileAttributesA(dir);
    if (attrs == INVALID_FILE_ATTRIBUTES) {
        e = GetLastError();
        if (e != ERROR_FILE_NOT_FOUND && e != ERROR_PATH_NOT_FOUND) {
            rc = fail(e, "GetFileAttributes", err, errlen);
        } else {
            sa.nLength = sizeof(sa), sa.lpSecurityDescriptor = sd, sa.bInheritHandle = FALSE;
            if (!CreateDirectoryA(dir, &sa))
                rc = fail(GetLastError(), "CreateDirectory", err, errlen);
        }
        LocalFree(sd);
        return rc;
    }
    if (attrs & FILE_ATTRIBUTE_REPARSE_POINT) {
        snprintf(err, errlen, "%s is a junction or symbolic link: refused (it would point the agent's key and spool "
                              "elsewhere); remove it and install again", dir);
        LocalFree(sd);
        return WFPW_EACCES;
    }
    if (!(attrs & FILE_ATTRIBUTE_DIRECTORY)) {
        snprintf(err, errlen, "%s exists and is not a directory", dir);
        LocalFree(sd);
        return WFPW_EEXIST;
    }
    /* taking ownership needs SeTakeOwnershipPrivilege; naming SYSTEM as the owner, SeRestorePrivilege */
    if ((rc = enable_privilege("SeTakeOwnershipPrivilege", err, errlen)) != 0 ||
        (rc = enable_privilege("SeRestorePrivilege", err, errlen)) != 0) {
        LocalFree(sd);
        return rc;
    }
    e = SetNamedSecurityInfoA((char *)dir, SE_FILE_OBJECT,
                              OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                              owner, NULL, dacl, NULL);
    if (e != ERROR_SUCCESS) {
        LocalFree(sd);
        return fail(e, "SetNamedSecurityInfo", err, errlen);
    }
    /* everything inside: owner SYSTEM, explicit ACEs removed, the directory's ACEs inherited */
    rc = reset_children(dir, owner, 0, err, errlen);
    LocalFree(sd);
    return rc;
}

int wfpw__plat_self_path(char *out, size_t len)
{
    DWORD n = GetModuleFileNameA(NULL, out, (DWORD)len);
    return n == 0 || n >= len ? WFPW_ERANGE : 0;
}
