/*
 * evtsub.c — query and bookmark text of the Security log subscription (see evtsub.h).
 */
#include <stdio.h>

#include "evtsub.h"
#include "wfpw/errors.h"

int wfpw_evt_query(const int64_t *ids, size_t n, char *out, size_t len)
{
    size_t i, o;
    int w;
    if (n == 0)
        return WFPW_EINVAL;
    w = snprintf(out, len, "*[System[(");
    if (w < 0 || (size_t)w >= len)
        return WFPW_ERANGE;
    o = (size_t)w;
    for (i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] > 65535)
            return WFPW_EINVAL;
        w = snprintf(out + o, len - o, "%sEventID=%lld", i ? " or " : "", (long long)ids[i]);
        if (w < 0 || (size_t)w >= len - o)
            return WFPW_ERANGE;
        o += (size_t)w;
    }
    w = snprintf(out + o, len - o, ")]]");
    return w < 0 || (size_t)w >= len - o ? WFPW_ERANGE : 0;
}

int wfpw_evt_bookmark_xml(const char *channel, uint64_t record_id, char *out, size_t len)
{
    int w = snprintf(out, len, "<BookmarkList><Bookmark Channel='%s' RecordId='%llu' IsCurrent='true'/></BookmarkList>",
                     channel, (unsigned long long)record_id);
    return w < 0 || (size_t)w >= len ? WFPW_ERANGE : 0;
}
