/*
 * auditpol.c (Windows) — one subcategory of the system audit policy by GUID: read with
 * AuditQuerySystemPolicy, written with AuditSetSystemPolicy, both only after SeSecurityPrivilege
 * is enabled (the service runs as LocalSystem, which holds it but not enabled; the order is
 * evtxml/auditpol.c's, tested there). Never auditpol.exe and
 * never localized names: the GUIDs are the same on every language of Windows.
 */
#include <windows.h>
#include <ntsecapi.h>
#include <stdio.h>

#include "auditpol.h"
#include "platform.h"
#include "wfpw/errors.h"
#include "winpriv.h"

static int fail(DWORD e, const char *call, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s failed: error %lu%s", call, (unsigned long)e,
             e == ERROR_ACCESS_DENIED || e == ERROR_PRIVILEGE_NOT_HELD || e == ERROR_NOT_ALL_ASSIGNED
                 ? " (changing the audit policy needs SeSecurityPrivilege: run as LocalSystem or an administrator)"
                 : "");
    return e == ERROR_NOT_ALL_ASSIGNED || e == ERROR_PRIVILEGE_NOT_HELD ? WFPW_EACCES : wfpw__plat_error((long)e);
}

static int parse_guid(const char *s, GUID *g)
{
    unsigned long d1;
    unsigned d2, d3, b[8];
    if (sscanf(s, "{%8lx-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x}", &d1, &d2, &d3, &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
               &b[6], &b[7]) != 11)
        return WFPW_EINVAL;
    g->Data1 = d1, g->Data2 = (WORD)d2, g->Data3 = (WORD)d3;
    for (int i = 0; i < 8; i++)
        g->Data4[i] = (BYTE)b[i];
    return 0;
}

static int enable_security_privilege(char *err, size_t errlen)
{
    const char *call;
    char what[128];
    DWORD e = wfpw__win_enable_privilege("SeSecurityPrivilege", &call);
    snprintf(what, sizeof(what), "%s(SeSecurityPrivilege)", call);
    return e == ERROR_SUCCESS ? 0 : fail(e, what, err, errlen);
}

static int win_query(const char *guid, unsigned *bits, char *err, size_t errlen)
{
    PAUDIT_POLICY_INFORMATION info = NULL;
    GUID g;
    *bits = 0;
    if (parse_guid(guid, &g) != 0) {
        snprintf(err, errlen, "'%s' is not a GUID", guid);
        return WFPW_EINVAL;
    }
    if (!AuditQuerySystemPolicy(&g, 1, &info))
        return fail(GetLastError(), "AuditQuerySystemPolicy", err, errlen);
    *bits = (unsigned)(info->AuditingInformation & (POLICY_AUDIT_EVENT_SUCCESS | POLICY_AUDIT_EVENT_FAILURE));
    AuditFree(info);
    return 0;
}

static int win_set(const char *guid, unsigned bits, char *err, size_t errlen)
{
    AUDIT_POLICY_INFORMATION p;
    memset(&p, 0, sizeof(p));
    if (parse_guid(guid, &p.AuditSubCategoryGuid) != 0) {
        snprintf(err, errlen, "'%s' is not a GUID", guid);
        return WFPW_EINVAL;
    }
    p.AuditingInformation = bits ? bits : POLICY_AUDIT_EVENT_NONE;
    if (!AuditSetSystemPolicy(&p, 1))
        return fail(GetLastError(), "AuditSetSystemPolicy", err, errlen);
    return 0;
}

static const struct wfpw_audit_api win_api = {enable_security_privilege, win_query, win_set};
static int privilege_enabled; /* the process token's SeSecurityPrivilege, enabled once */

int wfpw__plat_audit_get(const char *guid, unsigned *bits, char *err, size_t errlen)
{
    return wfpw_audit_get_via(&win_api, &privilege_enabled, guid, bits, err, errlen);
}

int wfpw__plat_audit_set(const char *guid, unsigned bits, char *err, size_t errlen)
{
    return wfpw_audit_set_via(&win_api, &privilege_enabled, guid, bits, err, errlen);
}
