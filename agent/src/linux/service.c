/*
 * service.c (Linux) — the Windows service manager exists on Windows only; the collector's
 * Linux host uses systemd (deploy/linux/). Every call says so.
 */
#include <stdio.h>

#include "platform.h"
#include "wfpw/errors.h"

static int no(char *err, size_t errlen)
{
    snprintf(err, errlen, "Windows services exist on Windows only (on Linux run the agent under systemd)");
    return WFPW_ENOSYS;
}

int wfpw__plat_service_install(const char *name, const char *display, const char *description, const char *command,
                               char *err, size_t errlen)
{
    (void)name, (void)display, (void)description, (void)command;
    return no(err, errlen);
}

int wfpw__plat_driver_install(const char *name, const char *display, const char *sys_path, char *err, size_t errlen)
{
    (void)name, (void)display, (void)sys_path;
    return no(err, errlen);
}

int wfpw__plat_service_uninstall(const char *name, char *err, size_t errlen)
{
    (void)name;
    return no(err, errlen);
}

int wfpw__plat_service_start(const char *name, char *err, size_t errlen)
{
    (void)name;
    return no(err, errlen);
}

int wfpw__plat_service_stop(const char *name, char *err, size_t errlen)
{
    (void)name;
    return no(err, errlen);
}

int wfpw__plat_service_status(const char *name, char *out, size_t len, char *err, size_t errlen)
{
    (void)name;
    if (len)
        out[0] = '\0';
    return no(err, errlen);
}

int wfpw__plat_service_run(const char *name, int (*body)(void *ctx), void (*stop)(void *ctx), void *ctx, char *err,
                           size_t errlen)
{
    (void)name, (void)body, (void)stop, (void)ctx;
    return no(err, errlen);
}

void wfpw__plat_event_report(const char *source, int error, const char *line)
{
    (void)source, (void)error, (void)line;
}

int wfpw__plat_secure_dir(const char *dir, char *err, size_t errlen)
{
    (void)dir;
    return no(err, errlen);
}

int wfpw__plat_self_path(char *out, size_t len)
{
    if (len)
        out[0] = '\0';
    return WFPW_ENOSYS;
}
