/*
 * platform.c (Windows) — platform.h on Windows: BCryptGenRandom (system RNG),
 * GetComputerNameExA (DNS host name), GetSystemTimePreciseAsFileTime, RegGetValueA (Group
 * Policy values).
 * Kept thin: every decision lives in portable code.
 */
#include "platform.h"

#include <windows.h>
#include <bcrypt.h>
#include <stdio.h>
#include <string.h>

#include "wfpw/errors.h"

/* 100 ns intervals between 1601-01-01 and 1970-01-01 */
#define EPOCH_DIFF_100NS 116444736000000000LL

const char *wfpw__plat_name(void)
{
    return "windows";
}

int wfpw__plat_hostname(char *buf, size_t len)
{
    DWORD n;
    if (len == 0 || len > MAXDWORD)
        return WFPW_EINVAL;
    n = (DWORD)len;
    if (!GetComputerNameExA(ComputerNameDnsHostname, buf, &n))
        return GetLastError() == ERROR_MORE_DATA ? WFPW_ERANGE : wfpw__plat_last_error();
    return 0;
}

int wfpw__plat_random(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ULONG chunk = len > 0x10000000u ? 0x10000000u : (ULONG)len;
        NTSTATUS st = BCryptGenRandom(NULL, p, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
        if (st < 0)
            return WFPW_EIO;
        p += chunk;
        len -= chunk;
    }
    return 0;
}

int64_t wfpw__plat_time_ms(void)
{
    FILETIME ft;
    ULARGE_INTEGER u;
    GetSystemTimePreciseAsFileTime(&ft);
    u.LowPart = ft.dwLowDateTime;
    u.HighPart = ft.dwHighDateTime;
    return ((int64_t)u.QuadPart - EPOCH_DIFF_100NS) / 10000;
}

const char *wfpw__plat_data_dir(void)
{
    return "C:\\ProgramData\\wfpwatch";
}

#define POLICY_KEY "SOFTWARE\\Policies\\wfpwatch\\Agent"

int wfpw__plat_policy_get(const char *key, char *buf, size_t len)
{
    BYTE data[4096];
    DWORD type = 0, size = sizeof(data) - 2;
    LSTATUS st;
    size_t i, o = 0;

    if (len == 0)
        return WFPW_EINVAL;
    st = RegGetValueA(HKEY_LOCAL_MACHINE, POLICY_KEY, key, RRF_RT_REG_SZ | RRF_RT_REG_DWORD | RRF_RT_REG_QWORD |
                      RRF_RT_REG_MULTI_SZ | RRF_NOEXPAND, &type, data, &size);
    if (st == ERROR_FILE_NOT_FOUND || st == ERROR_PATH_NOT_FOUND)
        return WFPW_ENOENT;
    if (st != ERROR_SUCCESS)
        return wfpw__plat_error((long)st);
    data[size] = data[size + 1] = 0;
    switch (type) {
    case REG_DWORD:
        return (size_t)snprintf(buf, len, "%lu", (unsigned long)*(DWORD *)data) < len ? 0 : WFPW_ERANGE;
    case REG_QWORD:
        return (size_t)snprintf(buf, len, "%llu", (unsigned long long)*(ULONGLONG *)data) < len ? 0 : WFPW_ERANGE;
    case REG_MULTI_SZ:
        for (i = 0; i + 1 < size && o + 1 < len; i++)
            buf[o++] = data[i] ? (char)data[i] : (data[i + 1] ? ',' : '\0');
        buf[o < len ? o : len - 1] = '\0';
        return o + 1 < len ? 0 : WFPW_ERANGE;
    default:
        if (data[0] == 0)
            return WFPW_ENOENT;  /* an empty string sets nothing (the MSI writes its properties even when unset) */
        if (strlen((char *)data) >= len)
            return WFPW_ERANGE;
        strcpy(buf, (char *)data);
        return 0;
    }
}
