/*
 * platform.c (Windows) — platform.h on Windows: BCryptGenRandom (system RNG),
 * GetComputerNameExA (DNS host name), GetSystemTimePreciseAsFileTime.
 * Kept thin: every decision lives in portable code.
 */
#include "platform.h"

#include <windows.h>
#include <bcrypt.h>

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
