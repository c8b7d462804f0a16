/*
 * surface.c (Windows) — platform.h's surface calls: the registry values the surface rules
 * read (RegOpenKeyExW, RegQueryInfoKeyW, RegEnumValueW, RegEnumKeyExW), the hosts file's path
 * (DataBasePath, expanded, else %SystemRoot%\System32\drivers\etc), and change notifications
 * (RegNotifyChangeKeyValue on the parent keys, FindFirstChangeNotificationW on the hosts
 * file's folder) on a thread of their own. What the values mean is decided in portable code
 * (surface/surface.c); this file only reads and signals. docs/windows-behaviour.md S8-S10.
 */
#include <uv.h> /* first: it brings winsock2.h before windows.h */
#include <windows.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "regfile.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define MAX_VALUES 10000            /* per key: a key this full is not a policy */
#define MAX_DATA (1u << 20)
#define MAX_NAME 16384              /* value and key names are at most 16,383 characters */

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

void wfpw__plat_surface_unwatch(struct wfpw__surfwatch *w)
{
    DWORD i;
    if (w == NULL)
        return;
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
