/*
 * drvcmd.c — `wfpwatch-agent driver ...` (drvcmd.h): what to do and in which order; the service
 * manager itself is behind platform.h (src/win/service.c, stubs on Linux).
 */
#include <stdio.h>
#include <string.h>

#include "drvcmd.h"
#include "platform.h"
#include "svccmd.h"
#include "wfpw/errors.h"

#define DRIVER_DISPLAY "wfpwatch callout driver"

static int usage(void)
{
    fprintf(stderr, "usage: wfpwatch-agent driver install [--sys PATH] | uninstall | start | stop | status\n");
    return 2;
}

/* driver\wfpw_drv.sys in this program's directory (the MSI's layout) */
static int default_sys(char *out, size_t len)
{
    char self[1024];
    char *slash;
    if (wfpw__plat_self_path(self, sizeof(self)) != 0)
        return -1;
    slash = strrchr(self, '\\');
    if (slash == NULL)
        slash = strrchr(self, '/');
    if (slash == NULL)
        return -1;
    slash[1] = '\0';
    return snprintf(out, len, "%sdriver\\wfpw_drv.sys", self) < (int)len ? 0 : -1;
}

static int is_running(const char *name)
{
    char out[4096], err[256];
    return wfpw__plat_service_status(name, out, sizeof(out), err, sizeof(err)) == 0 &&
           strncmp(out, "state: running\n", 15) == 0;
}

static int install(int argc, char **argv)
{
    char sys[1100], err[768];
    const char *path = NULL;
    int rc, i;
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--sys") == 0 && i + 1 < argc)
            path = argv[++i];
        else
            return usage();
    }
    if (path == NULL) {
        if (default_sys(sys, sizeof(sys)) != 0) {
            fprintf(stderr, "wfpwatch-agent: cannot find this program's own path (give --sys)\n");
            return 1;
        }
        path = sys;
    }
    rc = wfpw__plat_driver_install(WFPW_DRIVER_SERVICE, DRIVER_DISPLAY, path, err, sizeof(err));
    if (rc != 0 && rc != WFPW_EEXIST) {
        fprintf(stderr, "wfpwatch-agent: driver not registered: %s\n", err);
        return 1;
    }
    printf("%s driver service %s: %s\n", rc == WFPW_EEXIST ? "updated" : "registered", WFPW_DRIVER_SERVICE, path);
    /* an existing one that runs is restarted, so the image just installed is the one loaded
     * (an upgrade); the agent, if it runs, sees the driver go and reconnects */
    if (rc == WFPW_EEXIST && is_running(WFPW_DRIVER_SERVICE)) {
        if (wfpw__plat_service_stop(WFPW_DRIVER_SERVICE, err, sizeof(err)) != 0) {
            fprintf(stderr, "wfpwatch-agent: the running driver did not stop; it keeps its old image until it does: %s\n",
                    err);
            return 1;
        }
        printf("driver service %s stopped, starting the new image\n", WFPW_DRIVER_SERVICE);
    }
    if ((rc = wfpw__plat_service_start(WFPW_DRIVER_SERVICE, err, sizeof(err))) != 0) {
        fprintf(stderr, "wfpwatch-agent: the driver is registered but did not start: %s%s\n", err,
                strstr(err, "error 577") ? " (not signed for this host: docs/driver.md, signing)" : "");
        return 1;
    }
    printf("driver service %s running\n", WFPW_DRIVER_SERVICE);
    return 0;
}

static int uninstall(void)
{
    char err[768];
    int agent_was_running = is_running(WFPW_SERVICE_NAME), rc;
    if (agent_was_running) {
        if (wfpw__plat_service_stop(WFPW_SERVICE_NAME, err, sizeof(err)) != 0) {
            fprintf(stderr, "wfpwatch-agent: the agent service did not stop, the driver is left alone: %s\n", err);
            return 1;
        }
        printf("service %s stopped (it holds the driver's device)\n", WFPW_SERVICE_NAME);
    }
    rc = wfpw__plat_service_uninstall(WFPW_DRIVER_SERVICE, err, sizeof(err));
    if (rc == 0)
        printf("removed driver service %s\n", WFPW_DRIVER_SERVICE);
    else if (rc == WFPW_ENOENT)
        printf("driver service %s was not installed\n", WFPW_DRIVER_SERVICE);
    else
        fprintf(stderr, "wfpwatch-agent: %s\n", err);
    if (agent_was_running && wfpw__plat_service_start(WFPW_SERVICE_NAME, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-agent: the agent service did not start again: %s\n", err);
        return 1;
    }
    if (agent_was_running)
        printf("service %s running again\n", WFPW_SERVICE_NAME);
    return rc == 0 || rc == WFPW_ENOENT ? 0 : 1;
}

int wfpw_driver_main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    if (strcmp(argv[2], "install") == 0)
        return install(argc, argv);
    if (argc > 3)
        return usage();
    if (strcmp(argv[2], "uninstall") == 0)
        return uninstall();
    if (strcmp(argv[2], "start") == 0 || strcmp(argv[2], "stop") == 0 || strcmp(argv[2], "status") == 0)
        return wfpw_service_control(WFPW_DRIVER_SERVICE, "driver service", argv[2]);
    return usage();
}
