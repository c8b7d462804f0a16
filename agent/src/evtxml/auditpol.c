/*
 * auditpol.c — see auditpol.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditpol.h"
#include "wfpw/errors.h"

static const struct {
    const char *guid, *name;
} subcats[WFPW_AUDIT_SUBCATS] = {
    {"{0CCE9225-69AE-11D9-BED3-505054503030}", "Filtering Platform Packet Drop"},
    {"{0CCE9226-69AE-11D9-BED3-505054503030}", "Filtering Platform Connection"},
    {"{0CCE9233-69AE-11D9-BED3-505054503030}", "Filtering Platform Policy Change"},
    {"{0CCE9234-69AE-11D9-BED3-505054503030}", "Other Policy Change Events"},
    {"{0CCE922B-69AE-11D9-BED3-505054503030}", "Process Creation"},
    {"{0CCE921E-69AE-11D9-BED3-505054503030}", "Registry"},
};

/* subcategory index and bits one event id needs; -1 when it needs none of ours */
static int need(int64_t id, unsigned *bits)
{
    switch (id) {
    case 5152: case 5153: *bits = WFPW_AUDIT_FAILURE; return 0;
    case 5031: case 5150: case 5151: case 5155: case 5157: case 5159: *bits = WFPW_AUDIT_FAILURE; return 1;
    case 5154: case 5156: case 5158: *bits = WFPW_AUDIT_SUCCESS; return 1;
    case 5440: case 5441: case 5442: case 5443: case 5444: case 5446: case 5448: case 5449: case 5450:
        *bits = WFPW_AUDIT_SUCCESS;
        return 2;
    case 5447: *bits = WFPW_AUDIT_SUCCESS; return 3;
    case 4688: *bits = WFPW_AUDIT_SUCCESS; return 4;
    case 4657: *bits = WFPW_AUDIT_SUCCESS; return 5;
    default: return -1;  /* 1102 (log cleared) is always written; others are not ours */
    }
}

size_t wfpw_audit_required(const int64_t *ids, size_t n, struct wfpw_audit_setting out[WFPW_AUDIT_SUBCATS])
{
    unsigned want[WFPW_AUDIT_SUBCATS] = {0}, bits;
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        int s = need(ids[i], &bits);
        if (s >= 0)
            want[s] |= bits;
    }
    for (i = 0; i < WFPW_AUDIT_SUBCATS; i++)
        if (want[i]) {
            out[k].guid = subcats[i].guid, out[k].name = subcats[i].name, out[k].bits = want[i];
            k++;
        }
    return k;
}

int wfpw_audit_previous_format(const struct wfpw_audit_setting *s, size_t n, char *out, size_t len)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        int w = snprintf(out + o, len - o, "%s=%u\n", s[i].guid, s[i].bits);
        if (w < 0 || (size_t)w >= len - o)
            return WFPW_ERANGE;
        o += (size_t)w;
    }
    if (n == 0 && len)
        out[0] = '\0';
    return 0;
}

int wfpw_audit_previous_parse(const char *text, struct wfpw_audit_setting out[WFPW_AUDIT_SUBCATS], size_t *n,
                              char *err, size_t errlen)
{
    const char *line = text;
    unsigned lineno = 0;
    *n = 0;
    while (*line) {
        const char *eol = strchr(line, '\n'), *eq;
        size_t len = eol ? (size_t)(eol - line) : strlen(line), i;
        char *end;
        unsigned long bits;
        lineno++;
        if (len == 0) {
            line += 1;
            continue;
        }
        eq = memchr(line, '=', len);
        for (i = 0; eq && i < WFPW_AUDIT_SUBCATS; i++)
            if ((size_t)(eq - line) == strlen(subcats[i].guid) && memcmp(line, subcats[i].guid, (size_t)(eq - line)) == 0)
                break;
        if (eq == NULL || i == WFPW_AUDIT_SUBCATS) {
            snprintf(err, errlen, "auditpol.previous line %u: not 'GUID=bits' for a subcategory wfpwatch manages", lineno);
            return WFPW_ESYNTAX;
        }
        bits = strtoul(eq + 1, &end, 10);
        if (end == eq + 1 || (end != line + len && *end != '\r') || bits > 3 || *n == WFPW_AUDIT_SUBCATS) {
            snprintf(err, errlen, "auditpol.previous line %u: bits must be 0..3", lineno);
            return WFPW_ESYNTAX;
        }
        out[*n].guid = subcats[i].guid, out[*n].name = subcats[i].name, out[*n].bits = (unsigned)bits;
        (*n)++;
        line += len + (eol != NULL);
    }
    return 0;
}

const char *wfpw_audit_bits_text(unsigned bits)
{
    static const char *const t[] = {"nothing", "success", "failure", "success and failure"};
    return t[bits & 3];
}

static int privileged(const struct wfpw_audit_api *api, int *enabled, char *err, size_t errlen)
{
    int rc;
    if (*enabled)
        return 0;
    if ((rc = api->enable_privilege(err, errlen)) != 0)
        return rc;
    *enabled = 1;
    return 0;
}

int wfpw_audit_get_via(const struct wfpw_audit_api *api, int *enabled, const char *guid, unsigned *bits, char *err,
                       size_t errlen)
{
    int rc;
    *bits = 0;
    if ((rc = privileged(api, enabled, err, errlen)) != 0)
        return rc;
    return api->query(guid, bits, err, errlen);
}

int wfpw_audit_set_via(const struct wfpw_audit_api *api, int *enabled, const char *guid, unsigned bits, char *err,
                       size_t errlen)
{
    unsigned now = 0;
    int rc;
    if ((rc = privileged(api, enabled, err, errlen)) != 0)
        return rc;
    /* Whether AuditSetSystemPolicy replaces the setting or adds to it is not documented
     * (AUDIT_POLICY_INFORMATION names SUCCESS, FAILURE, NONE and UNCHANGED). Taking a flag away
     * — restore-system putting back "success" over "success and failure" — therefore first sets
     * NONE (0 here), which clears both under either reading, then the bits. */
    if (bits != 0 && api->query(guid, &now, err, errlen) == 0 && (now & ~bits) != 0 &&
        (rc = api->set(guid, 0, err, errlen)) != 0)
        return rc;
    return api->set(guid, bits, err, errlen);
}
