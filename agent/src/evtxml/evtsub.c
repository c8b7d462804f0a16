/*
 * evtsub.c — query and bookmark text of the Security log subscription (see evtsub.h).
 *
 * The query is always a structured XML query: Windows refuses an XPath of more than about 20
 * expressions (EvtSubscribe's documentation says to use a structured query beyond 20; Elastic's
 * Winlogbeat users see ERROR_EVT_INVALID_QUERY past 21 or 22), and the Group Policy template
 * allows 32 event ids. Runs of three or more neighbouring ids become one range; a Select holds
 * at most WFPW_EVT_SELECT_MAX expressions, and the query as many Selects as it needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtsub.h"
#include "wfpw/errors.h"

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Appends text to out at *o; WFPW_ERANGE when it does not fit. */
static int put(char *out, size_t len, size_t *o, const char *text)
{
    size_t n = strlen(text);
    if (n >= len - *o)
        return WFPW_ERANGE;
    memcpy(out + *o, text, n + 1);
    *o += n;
    return 0;
}

/* Appends one expression: an id, or the range a..b. */
static int put_ids(char *out, size_t len, size_t *o, int64_t a, int64_t b)
{
    int w = a == b ? snprintf(out + *o, len - *o, "EventID=%lld", (long long)a)
                   : snprintf(out + *o, len - *o, "(EventID&gt;=%lld and EventID&lt;=%lld)", (long long)a, (long long)b);
    if (w < 0 || (size_t)w >= len - *o)
        return WFPW_ERANGE;
    *o += (size_t)w;
    return 0;
}

int wfpw_evt_query(const char *channel, const int64_t *ids, size_t n, char *out, size_t len)
{
    int64_t sorted[WFPW_EVT_QUERY_MAX_IDS];
    size_t i, o = 0, m = 0;
    int exprs = 0, rc;
    if (n == 0 || n > WFPW_EVT_QUERY_MAX_IDS || strchr(channel, '\'') || strchr(channel, '<') || strchr(channel, '"') ||
        strchr(channel, '&'))
        return WFPW_EINVAL;
    for (i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] > 65535)
            return WFPW_EINVAL;
        sorted[i] = ids[i];
    }
    qsort(sorted, n, sizeof(sorted[0]), cmp_id);
    for (i = 0; i < n; i++) /* dedupe */
        if (m == 0 || sorted[m - 1] != sorted[i])
            sorted[m++] = sorted[i];
    if ((rc = put(out, len, &o, "<QueryList><Query Id=\"0\" Path=\"")) != 0 || (rc = put(out, len, &o, channel)) != 0 ||
        (rc = put(out, len, &o, "\">")) != 0)
        return rc;
    for (i = 0; i < m;) {
        size_t j = i;
        int cost;
        while (j + 1 < m && sorted[j + 1] == sorted[j] + 1)
            j++;
        if (j - i + 1 < 3)
            j = i; /* fewer than three neighbours: one id at a time */
        cost = j > i ? 2 : 1;
        if (exprs == 0 || exprs + cost > WFPW_EVT_SELECT_MAX) {
            if (exprs > 0 && (rc = put(out, len, &o, ")]]</Select>")) != 0)
                return rc;
            if ((rc = put(out, len, &o, "<Select Path=\"")) != 0 || (rc = put(out, len, &o, channel)) != 0 ||
                (rc = put(out, len, &o, "\">*[System[(")) != 0)
                return rc;
            exprs = 0;
        } else if ((rc = put(out, len, &o, " or ")) != 0) {
            return rc;
        }
        if ((rc = put_ids(out, len, &o, sorted[i], sorted[j])) != 0)
            return rc;
        exprs += cost;
        i = j + 1;
    }
    return put(out, len, &o, ")]]</Select></Query></QueryList>");
}

int wfpw_evt_query_expressions(const char *select)
{
    int n = 0;
    const char *p = select;
    while ((p = strstr(p, "EventID")) != NULL) {
        n++;
        p += 7;
    }
    return n;
}

int wfpw_evt_bookmark_xml(const char *channel, uint64_t record_id, char *out, size_t len)
{
    int w = snprintf(out, len, "<BookmarkList><Bookmark Channel='%s' RecordId='%llu' IsCurrent='true'/></BookmarkList>",
                     channel, (unsigned long long)record_id);
    return w < 0 || (size_t)w >= len ? WFPW_ERANGE : 0;
}
