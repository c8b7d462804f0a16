/*
 * evtlog.c (Linux) — there is no Windows event log here: every call says so, and the
 * `eventlog` source reports it once and stays idle (captured events come from the replay
 * source).
 */
#include <stdio.h>

#include "platform.h"
#include "wfpw/errors.h"

int wfpw__plat_evt_open(const char *channel, const char *query, const char *bookmark_xml, struct wfpw__evt **sub,
                        char *err, size_t errlen)
{
    (void)channel, (void)query, (void)bookmark_xml;
    *sub = NULL;
    snprintf(err, errlen, "the Windows event log exists on Windows only");
    return WFPW_ENOSYS;
}

int wfpw__plat_evt_next(struct wfpw__evt *sub, unsigned timeout_ms, unsigned max,
                        int (*on_event)(void *ctx, const char *xml, size_t len), void *ctx, char *err, size_t errlen)
{
    (void)sub, (void)timeout_ms, (void)max, (void)on_event, (void)ctx;
    snprintf(err, errlen, "the Windows event log exists on Windows only");
    return WFPW_ENOSYS;
}

void wfpw__plat_evt_cancel(struct wfpw__evt *sub)
{
    (void)sub;
}

void wfpw__plat_evt_close(struct wfpw__evt *sub)
{
    (void)sub;
}

int wfpw__plat_dos_devices(char *out, size_t len)
{
    if (len)
        out[0] = '\0';
    return WFPW_ENOSYS;
}
