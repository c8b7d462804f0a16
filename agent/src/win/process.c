/*
 * process.c (Windows) — platform.h's process query: who a running process is, read at once
 * when a filter change names its id (docs/windows-behaviour.md P1).
 *
 * OpenProcess with PROCESS_QUERY_LIMITED_INFORMATION (what protected processes still grant);
 * no such process is ERROR_INVALID_PARAMETER. GetProcessTimes gives the creation time (the
 * portable side compares it with the change's time: a later one is a reused id);
 * QueryFullProcessImageNameW the Win32 path; NtQueryInformationProcess (looked up in ntdll)
 * ProcessBasicInformation the parent's id and ProcessCommandLineInformation (Windows 8.1 and
 * later; with this access right) the command line; the token's user its SID (no account-name
 * lookup: it may wait for a domain controller, and the Security event names the account).
 * Whatever one call cannot read stays unknown; only OpenProcess failing fails the query.
 */
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <sddl.h>

#include "platform.h"
#include "proctab.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define PROCESS_BASIC_INFORMATION_CLASS 0
#define PROCESS_COMMAND_LINE_INFORMATION_CLASS 60
#define STATUS_INFO_LENGTH_MISMATCH_ ((LONG)0xC0000004L)

typedef LONG(WINAPI *nt_query_fn)(HANDLE, ULONG, PVOID, ULONG, PULONG);

struct basic_info {              /* PROCESS_BASIC_INFORMATION as ntdll writes it */
    LONG exit_status;
    PVOID peb;
    ULONG_PTR affinity;
    LONG base_priority;
    ULONG_PTR unique_pid;
    ULONG_PTR parent_pid;
};

struct ustr {                    /* UNICODE_STRING */
    USHORT length, maximum;
    PWSTR buffer;
};

static nt_query_fn nt_query(void)
{
    static nt_query_fn fn;
    static LONG looked;
    if (InterlockedCompareExchange(&looked, 1, 0) == 0) {
        HMODULE nt = GetModuleHandleW(L"ntdll.dll");
        fn = nt ? (nt_query_fn)(void (*)(void))GetProcAddress(nt, "NtQueryInformationProcess") : NULL;
    }
    return fn;
}

/* UTF-16 (n characters, or NUL-terminated when n < 0) into an owned field; WFPW_ENOMEM. */
static int set_wide(char **field, const WCHAR *w, int n)
{
    int len = WideCharToMultiByte(CP_UTF8, 0, w, n, NULL, 0, NULL, NULL);
    char *s;
    int rc;
    if (len <= 0)
        return 0;
    if ((s = wfpw_malloc((size_t)len + 1)) == NULL)
        return WFPW_ENOMEM;
    len = WideCharToMultiByte(CP_UTF8, 0, w, n, s, len, NULL, NULL);
    s[len > 0 ? len : 0] = '\0';
    rc = wfpw_proc_set(field, s);
    wfpw_free(s);
    return rc;
}

static int command_line(HANDLE h, struct wfpw_proc *out)
{
    nt_query_fn q = nt_query();
    ULONG need = 0, size = 4096;
    void *buf;
    LONG st;
    int rc = 0;
    if (q == NULL || (buf = wfpw_malloc(size)) == NULL)
        return q == NULL ? 0 : WFPW_ENOMEM;
    st = q(h, PROCESS_COMMAND_LINE_INFORMATION_CLASS, buf, size, &need);
    if (st == STATUS_INFO_LENGTH_MISMATCH_ && need > size && need <= 65536 + sizeof(struct ustr)) {
        void *bigger = wfpw_realloc(buf, need);
        if (bigger == NULL) {
            wfpw_free(buf);
            return WFPW_ENOMEM;
        }
        buf = bigger, size = need;
        st = q(h, PROCESS_COMMAND_LINE_INFORMATION_CLASS, buf, size, &need);
    }
    if (st >= 0) {
        const struct ustr *u = buf;
        if (u->buffer != NULL && u->length > 0)
            rc = set_wide(&out->command_line, u->buffer, (int)(u->length / sizeof(WCHAR)));
    }
    wfpw_free(buf);
    return rc;
}

static int token_sid(HANDLE h, struct wfpw_proc *out)
{
    HANDLE tok;
    union {
        TOKEN_USER tu;
        BYTE raw[256];
    } u;
    DWORD got = 0;
    LPWSTR text = NULL;
    int rc = 0;
    if (!OpenProcessToken(h, TOKEN_QUERY, &tok))
        return 0;
    if (GetTokenInformation(tok, TokenUser, &u, sizeof(u), &got) && ConvertSidToStringSidW(u.tu.User.Sid, &text)) {
        rc = set_wide(&out->user_sid, text, -1);
        LocalFree(text);
    }
    CloseHandle(tok);
    return rc;
}

int wfpw__plat_process_query(int64_t pid, struct wfpw_proc *out, char *err, size_t errlen)
{
    HANDLE h;
    FILETIME created, exited, kern, user;
    WCHAR image[1024];
    DWORD n = sizeof(image) / sizeof(image[0]);
    struct basic_info bi;
    nt_query_fn q = nt_query();
    int rc = 0;
    wfpw_proc_init(out);
    if (pid < 0 || pid > 0xFFFFFFFFll)
        return WFPW_ENOENT;
    if ((h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid)) == NULL) {
        DWORD e = GetLastError();
        if (e == ERROR_INVALID_PARAMETER)
            return WFPW_ENOENT;
        snprintf(err, errlen, "OpenProcess(%lld): Windows error %lu", (long long)pid, (unsigned long)e);
        return wfpw__plat_error((long)e);
    }
    if (GetProcessTimes(h, &created, &exited, &kern, &user)) {
        ULONGLONG t = ((ULONGLONG)created.dwHighDateTime << 32) | created.dwLowDateTime;
        if (t > 116444736000000000ull)
            out->start_ms = (int64_t)((t - 116444736000000000ull) / 10000);
    }
    if (QueryFullProcessImageNameW(h, 0, image, &n)) {
        rc = set_wide(&out->image, image, (int)n);
    } else if (GetLastError() == ERROR_INSUFFICIENT_BUFFER) {  /* a long path: up to 32,767 characters */
        DWORD big = 32768;
        WCHAR *w = wfpw_malloc(big * sizeof(WCHAR));
        if (w == NULL)
            rc = WFPW_ENOMEM;
        else if (QueryFullProcessImageNameW(h, 0, w, &big))
            rc = set_wide(&out->image, w, (int)big);
        wfpw_free(w);
    }
    memset(&bi, 0, sizeof(bi));
    if (rc == 0 && q != NULL && q(h, PROCESS_BASIC_INFORMATION_CLASS, &bi, sizeof(bi), NULL) >= 0)
        out->parent_pid = bi.parent_pid ? (int64_t)bi.parent_pid : -1; /* 0: none known (Wine: started from Unix) */
    if (rc == 0)
        rc = command_line(h, out);
    if (rc == 0)
        rc = token_sid(h, out);
    CloseHandle(h);
    if (rc != 0) {
        wfpw_proc_clear(out);
        return rc;
    }
    out->pid = pid;
    return 0;
}
