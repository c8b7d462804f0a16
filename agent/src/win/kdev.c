/*
 * kdev.c (Windows) — the callout driver's device through overlapped DeviceIoControl: a
 * synchronous IOCTL for the handshake and statistics, and a read loop that keeps a few READs
 * pending (the driver's inverted call) and waits for them oldest first. Thin on purpose: the
 * records are parsed and converted by portable code.
 */
#include "platform.h"

#include <windows.h>
#include <stdlib.h>
#include <string.h>

#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define IOCTL_TIMEOUT_MS 5000 /* handshake and statistics: answered at once by a working driver */

struct wfpw__kdev {
    HANDLE h;
    volatile LONG stop;          /* set by cancel; checked after each read is issued */
};

static int map_error(DWORD e)
{
    switch (e) {
    case ERROR_REVISION_MISMATCH: return WFPW_EPROTO;
    case ERROR_OPERATION_ABORTED: return WFPW_ECLOSED;
    default: return wfpw__plat_error((long)e);
    }
}

int wfpw__plat_kdev_open(const char *path, struct wfpw__kdev **dev)
{
    struct wfpw__kdev *d;
    HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, NULL);
    *dev = NULL;
    if (h == INVALID_HANDLE_VALUE)
        return wfpw__plat_last_error();
    if ((d = wfpw_calloc(1, sizeof(*d))) == NULL) {
        CloseHandle(h);
        return WFPW_ENOMEM;
    }
    d->h = h;
    *dev = d;
    return 0;
}

int wfpw__plat_kdev_ioctl(struct wfpw__kdev *dev, uint32_t code, const void *in, size_t inlen, void *out,
                          size_t outlen, size_t *got)
{
    OVERLAPPED ov;
    DWORD n = 0;
    int rc = 0;
    *got = 0;
    if (inlen > MAXDWORD || outlen > MAXDWORD)
        return WFPW_EINVAL;
    memset(&ov, 0, sizeof(ov));
    if ((ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL)) == NULL)
        return wfpw__plat_last_error();
    if (!DeviceIoControl(dev->h, code, (void *)in, (DWORD)inlen, out, (DWORD)outlen, &n, &ov)) {
        if (GetLastError() != ERROR_IO_PENDING) {
            rc = map_error(GetLastError());
        } else if (WaitForSingleObject(ov.hEvent, IOCTL_TIMEOUT_MS) != WAIT_OBJECT_0) {
            /* a driver that never answers must not hold the agent's loop: cancel, then wait for
             * the cancellation ("CancelIoEx": the request completes with ERROR_OPERATION_ABORTED) */
            CancelIoEx(dev->h, &ov);
            GetOverlappedResult(dev->h, &ov, &n, TRUE);
            rc = WFPW_EAGAIN;
            n = 0;
        } else if (!GetOverlappedResult(dev->h, &ov, &n, FALSE)) {
            rc = map_error(GetLastError());
        }
    }
    CloseHandle(ov.hEvent);
    *got = n;
    return rc;
}

int wfpw__plat_kdev_read_loop(struct wfpw__kdev *dev, uint32_t code, unsigned depth, size_t bufsize,
                              int (*on_data)(void *ctx, const uint8_t *data, size_t len), void *ctx)
{
    OVERLAPPED *ov = wfpw_calloc(depth, sizeof(*ov));
    uint8_t *buf = wfpw_malloc((size_t)depth * bufsize);
    unsigned i, issued = 0, at = 0;
    int rc = 0, k_done;
    if (ov == NULL || buf == NULL || bufsize > MAXDWORD) {
        wfpw_free(ov);
        wfpw_free(buf);
        return WFPW_ENOMEM;
    }
    for (i = 0; i < depth; i++)
        if ((ov[i].hEvent = CreateEventA(NULL, TRUE, FALSE, NULL)) == NULL) {
            rc = wfpw__plat_last_error();
            goto out;
        }
    for (;;) {
        DWORD n = 0;
        /* keep every slot busy: issue until depth reads are outstanding */
        while (issued < depth) {
            unsigned k = (at + issued) % depth;
            ResetEvent(ov[k].hEvent);
            if (!DeviceIoControl(dev->h, (DWORD)code, NULL, 0, buf + (size_t)k * bufsize,
                                 (DWORD)bufsize, NULL, &ov[k]) &&
                GetLastError() != ERROR_IO_PENDING) {
                rc = map_error(GetLastError());
                goto out;
            }
            issued++;
            if (InterlockedCompareExchange(&dev->stop, 0, 0))
                CancelIoEx(dev->h, &ov[k]);  /* cancel ran before this read existed */
        }
        if (!GetOverlappedResult(dev->h, &ov[at], &n, TRUE)) {
            issued--;
            at = (at + 1) % depth;
            rc = map_error(GetLastError());
            goto out;
        }
        issued--;
        k_done = on_data(ctx, buf + (size_t)at * bufsize, n);
        at = (at + 1) % depth;
        if (k_done != 0)
            goto out;
    }
out:
    /* no buffer may be freed while the driver can still write into it */
    if (issued) {
        CancelIoEx(dev->h, NULL);
        while (issued) {
            DWORD n;
            GetOverlappedResult(dev->h, &ov[at], &n, TRUE);
            at = (at + 1) % depth;
            issued--;
        }
    }
    for (i = 0; i < depth; i++)
        if (ov[i].hEvent)
            CloseHandle(ov[i].hEvent);
    wfpw_free(ov);
    wfpw_free(buf);
    return rc;
}

void wfpw__plat_kdev_cancel(struct wfpw__kdev *dev)
{
    if (dev == NULL)
        return;
    InterlockedExchange(&dev->stop, 1);
    CancelIoEx(dev->h, NULL);
}

void wfpw__plat_kdev_close(struct wfpw__kdev *dev)
{
    if (dev == NULL)
        return;
    CloseHandle(dev->h);
    wfpw_free(dev);
}
