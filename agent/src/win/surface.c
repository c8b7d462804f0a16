/*
 * surface.c (Windows) — platform.h's surface calls: the registry values the surface rules
 * read (RegOpenKeyExW, RegQueryInfoKeyW, RegEnumValueW, RegEnumKeyExW), the hosts file's path
 * (DataBasePath, expanded, else %SystemRoot%\System32\drivers\etc), and change notifications
 * (RegNotifyChangeKeyValue on the parent keys, FindFirstChangeNotificationW on the hosts
 * file's folder) on a thread of their own; and the route table (GetIpForwardTable2, watched
 * with NotifyRouteChange2). What the values mean is decided in portable code
 * (surface/surface.c); this file only reads and signals. docs/windows-behaviour.md S8-S11.
 */
#include <uv.h> /* first: it brings winsock2.h before windows.h */
#include <windows.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>
#include <netioapi.h>
#include <stdio.h>
#include <string.h>

#include <aclapi.h>

#include "platform.h"
#include "regfile.h"
#include "surface.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "winpriv.h"

#define MAX_VALUES 10000            /* per key: a key this full is not a policy */
#define MAX_DATA (1u << 20)
#define MAX_NAME 16384              /* value and key names are at most 16,383 characters */
#define MAX_ROUTES 10000            /* rows of the route table read (an endpoint has dozens) */

struct spec {
    const char *path;               /* under HKLM */
    const char *const *only;        /* value names read (NULL: all) */
    int depth;                      /* subkey levels read */
};

static const char *const v_dbpath[] = {"DataBasePath", NULL};
static const char *const v_winhttp[] = {"WinHttpSettings", NULL};
static const char *const v_tele[] = {"TelemetryProxyServer", NULL};
static const char *const v_def[] = {"ProxyServer", "ProxyPacUrl", NULL};
static const char *const v_inet[] = {"ProxyEnable", "ProxyServer", "AutoConfigURL", NULL};

static const struct spec specs[] = {
    {"SOFTWARE\\Policies\\Microsoft\\Windows NT\\DNSClient\\DnsPolicyConfig", NULL, 1},
    {"SYSTEM\\CurrentControlSet\\Services\\Dnscache\\Parameters\\DnsPolicyConfig", NULL, 1},
    {"SOFTWARE\\Policies\\Microsoft\\Windows\\QoS", NULL, 1},
    {"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\PersistentRoutes", NULL, 0},
    {"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters", v_dbpath, 0},
    {"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections", v_winhttp, 0},
    {"SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections", v_winhttp, 0},
    {"SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection", v_tele, 0},
    {"SOFTWARE\\Policies\\Microsoft\\Windows Defender", v_def, 0},
    {"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings", v_inet, 0},
    {"SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings", v_inet, 0},
};

static WCHAR *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    WCHAR *w = n > 0 ? wfpw_malloc((size_t)n * sizeof(WCHAR)) : NULL;
    if (w && MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) != n) {
        wfpw_free(w);
        return NULL;
    }
    return w;
}

static char *narrow(const WCHAR *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s = n > 0 ? wfpw_malloc((size_t)n) : NULL;
    if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
        wfpw_free(s);
        return NULL;
    }
    return s;
}

static int wanted(const char *const *only, const char *name)
{
    if (only == NULL)
        return 1;
    for (; *only; only++)
        if (_stricmp(*only, name) == 0)
            return 1;
    return 0;
}

/* note the first problem (a key we may not read) without failing the whole read */
static void note(char *err, size_t errlen, const char *what, const char *key, LONG code)
{
    if (err[0] == '\0')
        snprintf(err, errlen, "%s(HKLM\\%s) failed: error %ld (the key's values are left out)", what, key, code);
}

static int read_key(struct wfpw_regstore *rs, const char *path, const char *const *only, int depth, char *err,
                    size_t errlen)
{
    WCHAR *wpath = widen(path), *vname = NULL;
    BYTE *data = NULL;
    HKEY k;
    DWORD nsub = 0, nval = 0, maxval = 0, maxdata = 0, i;
    char key8[4200];
    LONG r;
    int rc = 0;

    if (wpath == NULL)
        return WFPW_ENOMEM;
    r = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wpath, 0, KEY_READ | KEY_WOW64_64KEY, &k);
    wfpw_free(wpath);
    if (r == ERROR_FILE_NOT_FOUND || r == ERROR_PATH_NOT_FOUND)
        return 0; /* not configured: nothing to read */
    if (r != ERROR_SUCCESS) {
        note(err, errlen, "RegOpenKeyExW", path, r);
        return 0;
    }
    snprintf(key8, sizeof(key8), "HKLM\\%s", path);
    if ((r = RegQueryInfoKeyW(k, NULL, NULL, NULL, &nsub, NULL, NULL, &nval, &maxval, &maxdata, NULL, NULL)) !=
        ERROR_SUCCESS) {
        note(err, errlen, "RegQueryInfoKeyW", path, r);
        RegCloseKey(k);
        return 0;
    }
    if (only == NULL && (rc = wfpw_regstore_add(rs, key8, NULL, 0, NULL, 0, "registry")) != 0)
        goto out;
    vname = wfpw_malloc(MAX_NAME * sizeof(WCHAR));
    data = wfpw_malloc(MAX_DATA);
    if (vname == NULL || data == NULL) {
        rc = WFPW_ENOMEM;
        goto out;
    }
    for (i = 0; i < nval && i < MAX_VALUES; i++) {
        DWORD nl = MAX_NAME, dl = MAX_DATA, type = 0;
        char *n8;
        r = RegEnumValueW(k, i, vname, &nl, NULL, &type, data, &dl);
        if (r == ERROR_NO_MORE_ITEMS)
            break; /* values went away while we read */
        if (r != ERROR_SUCCESS)
            continue; /* ERROR_MORE_DATA: larger than any policy value; skipped */
        if ((n8 = narrow(vname)) == NULL) {
            rc = WFPW_ENOMEM;
            goto out;
        }
        if (wanted(only, n8))
            rc = wfpw_regstore_add(rs, key8, n8, type, data, dl, "registry");
        wfpw_free(n8);
        if (rc != 0)
            goto out;
    }
    for (i = 0; depth > 0 && i < nsub && i < MAX_VALUES; i++) {
        DWORD nl = 256;
        WCHAR sub[256];
        char *s8, child[4200];
        r = RegEnumKeyExW(k, i, sub, &nl, NULL, NULL, NULL, NULL);
        if (r == ERROR_NO_MORE_ITEMS)
            break;
        if (r != ERROR_SUCCESS)
            continue;
        if ((s8 = narrow(sub)) == NULL) {
            rc = WFPW_ENOMEM;
            goto out;
        }
        snprintf(child, sizeof(child), "%s\\%s", path, s8);
        wfpw_free(s8);
        if ((rc = read_key(rs, child, only, depth - 1, err, errlen)) != 0)
            goto out;
    }
out:
    wfpw_free(vname);
    wfpw_free(data);
    RegCloseKey(k);
    return rc;
}

/* %SystemRoot%\System32\drivers\etc, or what DataBasePath says, expanded */
static int hosts_dir(WCHAR *dir, DWORD cap)
{
    DWORD size = cap * sizeof(WCHAR);
    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters", L"DataBasePath",
                     RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ, NULL, dir, &size) == ERROR_SUCCESS && dir[0])
        return 0;
    size = GetSystemDirectoryW(dir, cap);
    if (size == 0 || size + 20 >= cap)
        return WFPW_EIO;
    wcscat(dir, L"\\drivers\\etc");
    return 0;
}

/* addr into text; -1 when it is neither IPv4 nor IPv6 */
static int addr_text(const SOCKADDR_INET *a, char *out, size_t outlen)
{
    if (a->si_family == AF_INET)
        return inet_ntop(AF_INET, &a->Ipv4.sin_addr, out, outlen) ? 0 : -1;
    if (a->si_family == AF_INET6)
        return inet_ntop(AF_INET6, &a->Ipv6.sin6_addr, out, outlen) ? 0 : -1;
    return -1;
}

/* The live route table as values of WFPW_SURFACE_ROUTE_TABLE (surface.h): both families,
 * persistent and not, each with its interface's type (NET_LUID's IfType). A table that cannot
 * be read is noted and left out, like a key. */
static int read_routes(struct wfpw_regstore *rs, char *err, size_t errlen)
{
    MIB_IPFORWARD_TABLE2 *t = NULL;
    DWORD r = GetIpForwardTable2(AF_UNSPEC, &t), i, kept = 0;
    int rc = 0;
    if (r != NO_ERROR) {
        if (err[0] == '\0')
            snprintf(err, errlen, "GetIpForwardTable2 failed: error %lu (the route table is left out)", r);
        return 0;
    }
    if ((rc = wfpw_regstore_add(rs, WFPW_SURFACE_ROUTE_TABLE, NULL, 0, NULL, 0, "GetIpForwardTable2")) != 0)
        goto out;
    for (i = 0; i < t->NumEntries; i++) {
        const MIB_IPFORWARD_ROW2 *row = &t->Table[i];
        const SOCKADDR_INET *d = &row->DestinationPrefix.Prefix;
        unsigned len = row->DestinationPrefix.PrefixLength, ift = (unsigned)row->InterfaceLuid.Info.IfType;
        char dest[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN], name[256];
        /* rows no rule judges (multicast, broadcast, loopback, link-local): not counted
         * against the limit, so junk of that kind cannot push a real route out (portable code
         * leaves the same rows out) */
        if (d->si_family == AF_INET
                ? (d->Ipv4.sin_addr.s_addr & 0xFF) >= 224 || (d->Ipv4.sin_addr.s_addr & 0xFF) == 127 ||
                      (d->Ipv4.sin_addr.s_addr & 0xFFFF) == 0xFEA9
                : d->Ipv6.sin6_addr.s6_addr[0] == 0xFF ||
                      (d->Ipv6.sin6_addr.s6_addr[0] == 0xFE && (d->Ipv6.sin6_addr.s6_addr[1] & 0xC0) == 0x80))
            continue;
        if (++kept > MAX_ROUTES) {
            if (err[0] == '\0')
                snprintf(err, errlen, "the route table has more than %d routes: the rest are not read", MAX_ROUTES);
            break;
        }
        if (addr_text(d, dest, sizeof(dest)) != 0 || addr_text(&row->NextHop, gw, sizeof(gw)) != 0)
            continue;
        if (row->DestinationPrefix.Prefix.si_family == AF_INET) {
            uint32_t m = len == 0 ? 0 : len >= 32 ? 0xFFFFFFFFu : ~((1u << (32 - len)) - 1);
            snprintf(name, sizeof(name), "%s,%u.%u.%u.%u,%s,%lu,%u", dest, m >> 24, m >> 16 & 255, m >> 8 & 255,
                     m & 255, gw, (unsigned long)row->Metric, ift);
        } else {
            snprintf(name, sizeof(name), "%s/%u,,%s,%lu,%u", dest, len, gw, (unsigned long)row->Metric, ift);
        }
        if ((rc = wfpw_regstore_add(rs, WFPW_SURFACE_ROUTE_TABLE, name, 0, NULL, 0, "GetIpForwardTable2")) != 0)
            goto out;
    }
out:
    FreeMibTable(t);
    return rc;
}

int wfpw__plat_surface_read(struct wfpw_regstore *rs, char *hosts, size_t hlen, char *err, size_t errlen)
{
    WCHAR dir[MAX_PATH + 32];
    char *d8;
    size_t i;
    int rc;
    err[0] = '\0';
    for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
        if ((rc = read_key(rs, specs[i].path, specs[i].only, specs[i].depth, err, errlen)) != 0)
            return rc;
    if ((rc = read_routes(rs, err, errlen)) != 0)
        return rc;
    hosts[0] = '\0';
    if (hosts_dir(dir, MAX_PATH) == 0 && (d8 = narrow(dir)) != NULL) {
        snprintf(hosts, hlen, "%s\\hosts", d8);
        wfpw_free(d8);
    }
    return 0;
}

/* ---- change notifications --------------------------------------------------------------------- */

static const struct {
    const WCHAR *path;
    BOOL subtree;
} watched[] = {
    {L"SOFTWARE\\Policies", TRUE}, /* NRPT (GP), QoS, DataCollection, Defender, IE policies */
    {L"SYSTEM\\CurrentControlSet\\Services\\Dnscache\\Parameters", TRUE},
    {L"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters", FALSE},
    {L"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\PersistentRoutes", TRUE},
    {L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings", TRUE},
};
#define NWATCH (sizeof(watched) / sizeof(watched[0]))

struct wfpw__surfwatch {
    uv_async_t *async;
    HANDLE thread, stop, dirchange;
    HANDLE routes;                  /* NotifyRouteChange2's, NULL when there is none */
    HKEY keys[NWATCH];
    HANDLE events[NWATCH];
    DWORD nkeys;
    BOOL subtree[NWATCH];
};

#define NOTIFY_FILTER (REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET)

static DWORD WINAPI watch_thread(LPVOID arg)
{
    struct wfpw__surfwatch *w = arg;
    HANDLE h[NWATCH + 2];
    DWORD n = 0, i;
    /* armed here: an asynchronous registration belongs to the thread that made it */
    for (i = 0; i < w->nkeys; i++)
        RegNotifyChangeKeyValue(w->keys[i], w->subtree[i], NOTIFY_FILTER, w->events[i], TRUE);
    h[n++] = w->stop;
    for (i = 0; i < w->nkeys; i++)
        h[n++] = w->events[i];
    if (w->dirchange != INVALID_HANDLE_VALUE)
        h[n++] = w->dirchange;
    for (;;) {
        DWORD r = WaitForMultipleObjects(n, h, FALSE, INFINITE);
        if (r == WAIT_OBJECT_0 || r == WAIT_FAILED)
            break;
        r -= WAIT_OBJECT_0;
        if (r >= 1 && r <= w->nkeys) {
            /* one notification per registration: register again before reading */
            RegNotifyChangeKeyValue(w->keys[r - 1], w->subtree[r - 1], NOTIFY_FILTER, w->events[r - 1], TRUE);
        } else if (r == w->nkeys + 1 && w->dirchange != INVALID_HANDLE_VALUE) {
            if (!FindNextChangeNotification(w->dirchange)) {
                /* the folder's watch is dead: the periodic read still covers the file */
                FindCloseChangeNotification(w->dirchange);
                w->dirchange = INVALID_HANDLE_VALUE;
                n--;
            }
        }
        uv_async_send(w->async);
    }
    return 0;
}

/* a route was added, deleted or changed: called on a thread of the system's */
static VOID NETIOAPI_API_ on_route(PVOID ctx, PMIB_IPFORWARD_ROW2 row, MIB_NOTIFICATION_TYPE type)
{
    struct wfpw__surfwatch *w = ctx;
    (void)row, (void)type;
    uv_async_send(w->async);
}

void wfpw__plat_surface_unwatch(struct wfpw__surfwatch *w)
{
    DWORD i;
    if (w == NULL)
        return;
    if (w->routes != NULL) /* returns once no callback runs any more (it may not be called from one) */
        CancelMibChangeNotify2(w->routes);
    if (w->thread) {
        SetEvent(w->stop);
        WaitForSingleObject(w->thread, INFINITE);
        CloseHandle(w->thread);
    }
    for (i = 0; i < w->nkeys; i++) {
        RegCloseKey(w->keys[i]);
        CloseHandle(w->events[i]);
    }
    if (w->dirchange != INVALID_HANDLE_VALUE)
        FindCloseChangeNotification(w->dirchange);
    if (w->stop)
        CloseHandle(w->stop);
    wfpw_free(w);
}

int wfpw__plat_surface_watch(struct wfpw__surfwatch **out, struct uv_async_s *async, char *err, size_t errlen)
{
    struct wfpw__surfwatch *w = wfpw_calloc(1, sizeof(*w));
    WCHAR dir[MAX_PATH + 32];
    size_t i;
    *out = NULL;
    if (w == NULL)
        return WFPW_ENOMEM;
    w->async = async;
    w->dirchange = INVALID_HANDLE_VALUE;
    if ((w->stop = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL) {
        wfpw__plat_surface_unwatch(w);
        snprintf(err, errlen, "CreateEventW failed: %lu", GetLastError());
        return WFPW_EIO;
    }
    for (i = 0; i < NWATCH; i++) {
        HKEY k;
        HANDLE ev;
        if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, watched[i].path, 0, KEY_NOTIFY | KEY_WOW64_64KEY, &k) != ERROR_SUCCESS)
            continue; /* missing: its parent's read at the period covers it */
        if ((ev = CreateEventW(NULL, FALSE, FALSE, NULL)) == NULL) {
            RegCloseKey(k);
            continue;
        }
        w->keys[w->nkeys] = k, w->events[w->nkeys] = ev, w->subtree[w->nkeys] = watched[i].subtree;
        w->nkeys++;
    }
    /* Wine 8 answers NO_ERROR with no handle and never calls back: the period covers it */
    if (NotifyRouteChange2(AF_UNSPEC, on_route, w, FALSE, &w->routes) != NO_ERROR)
        w->routes = NULL;
    if (hosts_dir(dir, MAX_PATH) == 0)
        w->dirchange = FindFirstChangeNotificationW(dir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME |
                                                                    FILE_NOTIFY_CHANGE_LAST_WRITE | FILE_NOTIFY_CHANGE_SIZE);
    if (w->nkeys == 0 && w->dirchange == INVALID_HANDLE_VALUE) {
        snprintf(err, errlen, "no registry key or folder of the surface could be watched");
        wfpw__plat_surface_unwatch(w);
        return WFPW_EIO;
    }
    if ((w->thread = CreateThread(NULL, 0, watch_thread, w, 0, NULL)) == NULL) {
        snprintf(err, errlen, "CreateThread failed: %lu", GetLastError());
        wfpw__plat_surface_unwatch(w);
        return WFPW_EIO;
    }
    *out = w;
    return 0;
}

/* ---- registry auditing: who changes the surface (4657) ---------------------------------------- */

#define AUDIT_MASK KEY_SET_VALUE

static int audit_fail(DWORD e, const char *call, const char *key, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s(HKLM\\%s) failed: error %lu%s", call, key, (unsigned long)e,
             e == ERROR_PRIVILEGE_NOT_HELD || e == ERROR_ACCESS_DENIED || e == ERROR_NOT_ALL_ASSIGNED
                 ? " (a key's SACL needs SeSecurityPrivilege: run as LocalSystem or an administrator)"
                 : "");
    return e == ERROR_ACCESS_DENIED || e == ERROR_PRIVILEGE_NOT_HELD || e == ERROR_NOT_ALL_ASSIGNED ? WFPW_EACCES
                                                                                                : WFPW_EIO;
}

/* our entry: an explicit (not inherited) success audit of Set Value for Everyone */
static int is_ours(const ACE_HEADER *h, BYTE flags, PSID everyone)
{
    const SYSTEM_AUDIT_ACE *a = (const SYSTEM_AUDIT_ACE *)h;
    return h->AceType == SYSTEM_AUDIT_ACE_TYPE && h->AceFlags == flags && a->Mask == AUDIT_MASK &&
           EqualSid((PSID)&a->SidStart, everyone);
}

int wfpw__plat_reg_audit(const char *key, int inherit, int on, int *changed, char *err, size_t errlen)
{
    SID_IDENTIFIER_AUTHORITY world = {SECURITY_WORLD_SID_AUTHORITY};
    BYTE flags = (BYTE)(SUCCESSFUL_ACCESS_ACE_FLAG | (inherit ? CONTAINER_INHERIT_ACE : 0));
    PSID everyone = NULL;
    PACL sacl = NULL, nacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    SECURITY_DESCRIPTOR_CONTROL ctl = 0;
    DWORD rev = 0, e, i, size;
    WCHAR *wkey = widen(key);
    const char *call;
    HKEY k = NULL;
    int rc = 0, found = -1;
    LONG r;

    *changed = 0;
    if (wkey == NULL)
        return WFPW_ENOMEM;
    if ((e = wfpw__win_enable_privilege("SeSecurityPrivilege", &call)) != ERROR_SUCCESS) {
        wfpw_free(wkey);
        return audit_fail(e, call, key, err, errlen);
    }
    r = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, ACCESS_SYSTEM_SECURITY | READ_CONTROL | KEY_WOW64_64KEY, &k);
    wfpw_free(wkey);
    if (r == ERROR_FILE_NOT_FOUND || r == ERROR_PATH_NOT_FOUND) {
        snprintf(err, errlen, "HKLM\\%s does not exist", key);
        return WFPW_ENOENT;
    }
    if (r != ERROR_SUCCESS)
        return audit_fail((DWORD)r, "RegOpenKeyExW(ACCESS_SYSTEM_SECURITY)", key, err, errlen);
    if (!AllocateAndInitializeSid(&world, 1, SECURITY_WORLD_RID, 0, 0, 0, 0, 0, 0, 0, &everyone)) {
        rc = audit_fail(GetLastError(), "AllocateAndInitializeSid", key, err, errlen);
        goto out;
    }
    if ((e = GetSecurityInfo(k, SE_REGISTRY_KEY, SACL_SECURITY_INFORMATION, NULL, NULL, NULL, &sacl, &sd)) !=
        ERROR_SUCCESS) {
        rc = audit_fail(e, "GetSecurityInfo(SACL)", key, err, errlen);
        goto out;
    }
    GetSecurityDescriptorControl(sd, &ctl, &rev);
    for (i = 0; sacl != NULL && i < sacl->AceCount; i++) {
        ACE_HEADER *h;
        if (GetAce(sacl, i, (LPVOID *)&h) && is_ours(h, flags, everyone)) {
            found = (int)i;
            break;
        }
    }
    if ((on && found >= 0) || (!on && found < 0))
        goto out; /* nothing to do */
    /* the SACL again: its explicit entries (inherited ones come back from the parent), with
     * ours added or left out */
    size = (sacl ? sacl->AclSize : sizeof(ACL)) + sizeof(SYSTEM_AUDIT_ACE) + GetLengthSid(everyone);
    if ((nacl = LocalAlloc(LPTR, size)) == NULL || !InitializeAcl(nacl, size, ACL_REVISION)) {
        rc = audit_fail(GetLastError(), "InitializeAcl", key, err, errlen);
        goto out;
    }
    for (i = 0; sacl != NULL && i < sacl->AceCount; i++) {
        ACE_HEADER *h;
        if (!GetAce(sacl, i, (LPVOID *)&h)) { /* never drop an entry we cannot read */
            rc = audit_fail(GetLastError(), "GetAce", key, err, errlen);
            goto out;
        }
        if ((h->AceFlags & INHERITED_ACE) || (int)i == found)
            continue;
        if (!AddAce(nacl, ACL_REVISION, MAXDWORD, h, h->AceSize)) {
            rc = audit_fail(GetLastError(), "AddAce", key, err, errlen);
            goto out;
        }
    }
    if (on && !AddAuditAccessAceEx(nacl, ACL_REVISION, flags & ~SUCCESSFUL_ACCESS_ACE_FLAG, AUDIT_MASK, everyone, TRUE,
                                   FALSE)) {
        rc = audit_fail(GetLastError(), "AddAuditAccessAceEx", key, err, errlen);
        goto out;
    }
    e = SetSecurityInfo(k, SE_REGISTRY_KEY,
                        SACL_SECURITY_INFORMATION | ((ctl & SE_SACL_PROTECTED) ? PROTECTED_SACL_SECURITY_INFORMATION
                                                                                : UNPROTECTED_SACL_SECURITY_INFORMATION),
                        NULL, NULL, NULL, nacl);
    if (e != ERROR_SUCCESS) {
        rc = audit_fail(e, "SetSecurityInfo(SACL)", key, err, errlen);
        goto out;
    }
    *changed = 1;
out:
    if (nacl)
        LocalFree(nacl);
    if (sd)
        LocalFree(sd);
    if (everyone)
        FreeSid(everyone);
    RegCloseKey(k);
    return rc;
}
