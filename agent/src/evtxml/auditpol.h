/*
 * auditpol.h — which audit subcategories the configured Security events need, and the record
 * of what they were before the agent changed them (so uninstalling puts them back). The
 * platform layer reads and writes the system audit policy by subcategory GUID
 * (AuditQuerySystemPolicy / AuditSetSystemPolicy: never auditpol.exe, never localized names);
 * the decisions are here, tested natively. shared/facts/events.md §1 and §6:
 *
 *   Filtering Platform Packet Drop   {0CCE9225-...}  failure: 5152 5153
 *   Filtering Platform Connection    {0CCE9226-...}  failure: 5031 5150 5151 5155 5157 5159;
 *                                                    success: 5154 5156 5158 (off by default)
 *   Filtering Platform Policy Change {0CCE9233-...}  success: 5440-5446 5448-5450
 *   Other Policy Change Events       {0CCE9234-...}  success: 5447 (not the one above!)
 *   Process Creation                 {0CCE922B-...}  success: 4688 (names exited processes)
 *   Registry                         {0CCE921E-...}  success: 4657 (who changed a surface key;
 *                                                    written only where a key's SACL asks)
 *
 * Bits as AuditingInformation: 1 success, 2 failure (0 = none).
 */
#ifndef WFPW_AUDITPOL_H
#define WFPW_AUDITPOL_H

#include <stddef.h>
#include <stdint.h>

#define WFPW_AUDIT_SUCCESS 1u
#define WFPW_AUDIT_FAILURE 2u
#define WFPW_AUDIT_SUBCATS 6

struct wfpw_audit_setting {
    const char *guid;        /* "{0CCE9226-69AE-11D9-BED3-505054503030}" (static) */
    const char *name;        /* "Filtering Platform Connection" (static, for messages) */
    unsigned bits;
};

/* The subcategories the ids need, with the bits each needs; returns how many (<= 4). */
size_t wfpw_audit_required(const int64_t *ids, size_t n, struct wfpw_audit_setting out[WFPW_AUDIT_SUBCATS]);

/* "GUID=bits\n" lines (the data directory's auditpol.previous) and back. parse: 0, or
 * WFPW_ESYNTAX naming the line; a GUID we do not manage is an error too (the file is ours). */
int wfpw_audit_previous_format(const struct wfpw_audit_setting *s, size_t n, char *out, size_t len);
int wfpw_audit_previous_parse(const char *text, struct wfpw_audit_setting out[WFPW_AUDIT_SUBCATS], size_t *n,
                              char *err, size_t errlen);

/* The Windows calls behind the audit policy (src/win/auditpol.c provides them), in the order
 * decided here: AuditQuerySystemPolicy and AuditSetSystemPolicy both need SeSecurityPrivilege
 * enabled in the token (docs/windows-behaviour.md), so it is enabled once, before the first of
 * either, and *enabled (the caller's, one per process) remembers it. Each returns 0 or WFPW_E*. */
struct wfpw_audit_api {
    int (*enable_privilege)(char *err, size_t errlen);
    int (*query)(const char *guid, unsigned *bits, char *err, size_t errlen);
    int (*set)(const char *guid, unsigned bits, char *err, size_t errlen);
};
int wfpw_audit_get_via(const struct wfpw_audit_api *api, int *enabled, const char *guid, unsigned *bits, char *err,
                       size_t errlen);
/* Sets bits (0: audit nothing). When that takes a flag away from the current setting, NONE is
 * set first (whether a set replaces or adds is not documented). */
int wfpw_audit_set_via(const struct wfpw_audit_api *api, int *enabled, const char *guid, unsigned bits, char *err,
                       size_t errlen);

/* "failure", "success and failure", "nothing" */
const char *wfpw_audit_bits_text(unsigned bits);

#endif
