/*
 * surface.c (Linux) — platform.h's surface calls: there is no Windows registry here. The
 * `surface` source says so once; its `dir` mode (collected files) works on every platform.
 */
#include <stdio.h>

#include "platform.h"
#include "wfpw/errors.h"

int wfpw__plat_surface_read(struct wfpw_regstore *rs, char *hosts, size_t hlen, char *err, size_t errlen)
{
    (void)rs, (void)hosts, (void)hlen;
    snprintf(err, errlen, "the live silencing surface (registry, hosts file) is read on Windows only; "
                          "set the source's \"dir\" to read collected files instead");
    return WFPW_ENOSYS;
}

int wfpw__plat_surface_watch(struct wfpw__surfwatch **w, struct uv_async_s *async, char *err, size_t errlen)
{
    (void)async;
    *w = NULL;
    snprintf(err, errlen, "registry change notifications exist on Windows only");
    return WFPW_ENOSYS;
}

void wfpw__plat_surface_unwatch(struct wfpw__surfwatch *w)
{
    (void)w;
}

int wfpw__plat_reg_audit(const char *key, int inherit, int on, int *changed, char *err, size_t errlen)
{
    (void)key, (void)inherit, (void)on;
    *changed = 0;
    snprintf(err, errlen, "registry auditing (SACLs) exists on Windows only");
    return WFPW_ENOSYS;
}
