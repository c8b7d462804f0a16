/*
 * auditpol.c (Linux) — there is no Windows audit policy here: every call says so.
 */
#include <stdio.h>

#include "platform.h"
#include "wfpw/errors.h"

int wfpw__plat_audit_get(const char *guid, unsigned *bits, char *err, size_t errlen)
{
    (void)guid;
    *bits = 0;
    snprintf(err, errlen, "the Windows audit policy exists on Windows only");
    return WFPW_ENOSYS;
}

int wfpw__plat_audit_set(const char *guid, unsigned bits, char *err, size_t errlen)
{
    (void)guid, (void)bits;
    snprintf(err, errlen, "the Windows audit policy exists on Windows only");
    return WFPW_ENOSYS;
}
