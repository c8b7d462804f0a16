/*
 * kdev.c (Linux) — the callout driver exists on Windows only: every call says so, and the
 * `driver` source reports it once instead of retrying.
 */
#include "platform.h"

#include "wfpw/errors.h"

int wfpw__plat_kdev_open(const char *path, struct wfpw__kdev **dev)
{
    (void)path;
    *dev = NULL;
    return WFPW_ENOSYS;
}

int wfpw__plat_kdev_ioctl(struct wfpw__kdev *dev, uint32_t code, const void *in, size_t inlen, void *out,
                          size_t outlen, size_t *got)
{
    (void)dev, (void)code, (void)in, (void)inlen, (void)out, (void)outlen;
    *got = 0;
    return WFPW_ENOSYS;
}

int wfpw__plat_kdev_read_loop(struct wfpw__kdev *dev, uint32_t code, unsigned depth, size_t bufsize,
                              int (*on_data)(void *ctx, const uint8_t *data, size_t len), void *ctx)
{
    (void)dev, (void)code, (void)depth, (void)bufsize, (void)on_data, (void)ctx;
    return WFPW_ENOSYS;
}

void wfpw__plat_kdev_cancel(struct wfpw__kdev *dev)
{
    (void)dev;
}

void wfpw__plat_kdev_close(struct wfpw__kdev *dev)
{
    (void)dev;
}
