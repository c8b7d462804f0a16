/*
 * wfp.c (Linux) — there is no Windows Filtering Platform here: every call says so, and the
 * `wfp` source reports it once and stays idle (inventories come from the replay source).
 */
#include <stdio.h>

#include "platform.h"
#include "wfpw/errors.h"

int wfpw__plat_wfp_open(struct wfpw__wfp **eng, char *err, size_t errlen)
{
    *eng = NULL;
    snprintf(err, errlen, "the WFP engine exists on Windows only");
    return WFPW_ENOSYS;
}

int wfpw__plat_wfp_inventory(struct wfpw__wfp *eng, struct wfpw_inventory *inv, char *err, size_t errlen)
{
    (void)eng, (void)inv;
    snprintf(err, errlen, "the WFP engine exists on Windows only");
    return WFPW_ENOSYS;
}

int wfpw__plat_wfp_watch(struct wfpw__wfp *eng, struct uv_async_s *signal, char *err, size_t errlen)
{
    (void)eng, (void)signal;
    snprintf(err, errlen, "the WFP engine exists on Windows only");
    return WFPW_ENOSYS;
}

int wfpw__plat_wfp_probe(struct wfpw__wfp *eng, char *err, size_t errlen)
{
    (void)eng;
    snprintf(err, errlen, "the WFP engine exists on Windows only");
    return WFPW_ENOSYS;
}

void wfpw__plat_wfp_unwatch(struct wfpw__wfp *eng)
{
    (void)eng;
}

void wfpw__plat_wfp_close(struct wfpw__wfp *eng)
{
    (void)eng;
}

int wfpw__plat_wfp_collect_get(struct wfpw__wfp *eng, int *on, char *err, size_t errlen)
{
    (void)eng;
    *on = 0;
    snprintf(err, errlen, "the WFP engine exists on Windows only");
    return WFPW_ENOSYS;
}

int wfpw__plat_wfp_collect_set(struct wfpw__wfp *eng, int on, char *err, size_t errlen)
{
    (void)eng, (void)on;
    snprintf(err, errlen, "the WFP engine exists on Windows only");
    return WFPW_ENOSYS;
}

int wfpw__plat_wfp_keywords_get(struct wfpw__wfp *eng, uint32_t *keywords, char *err, size_t errlen)
{
    (void)eng;
    *keywords = 0;
    snprintf(err, errlen, "the WFP engine exists on Windows only");
    return WFPW_ENOSYS;
}

int wfpw__plat_wfp_keywords_set(struct wfpw__wfp *eng, uint32_t keywords, char *err, size_t errlen)
{
    (void)eng, (void)keywords;
    snprintf(err, errlen, "the WFP engine exists on Windows only");
    return WFPW_ENOSYS;
}

int wfpw__plat_wfp_netevents(struct wfpw__wfp *eng, void (*on_event)(void *ctx, unsigned version, const void *event),
                             void *ctx, unsigned *version, char *err, size_t errlen)
{
    (void)eng, (void)on_event, (void)ctx;
    *version = 0;
    snprintf(err, errlen, "the WFP engine exists on Windows only");
    return WFPW_ENOSYS;
}
