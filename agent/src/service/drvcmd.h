/*
 * drvcmd.h — `wfpwatch-agent driver install|uninstall|start|stop|status`: the callout driver
 * wfpw_drv.sys registered as the kernel driver service "wfpwatch" (demand start) and started;
 * used by the MSI (custom actions DriverInstall / DriverRemove, deploy/windows/driver.wxs) and
 * by hand (docs/driver.md). The service manager calls are behind platform.h.
 *
 *   install [--sys PATH]  registers the service for PATH (default: driver\wfpw_drv.sys beside
 *            this program), or points an existing one at it, then starts it. A driver that
 *            does not start (unsigned on a host without test signing: error 577) stays
 *            registered; the exit code says so (1).
 *   uninstall  stops the agent service first when it runs (it holds the driver's device; a
 *            driver stopped under it cancels its reads, docs/driver.md), stops and removes
 *            the driver service, and starts the agent again when it had been running.
 */
#ifndef WFPW_DRVCMD_H
#define WFPW_DRVCMD_H

#define WFPW_DRIVER_SERVICE "wfpwatch"

/* argv[1] is "driver". Exit code: 0, 1 failed, 2 usage. */
int wfpw_driver_main(int argc, char **argv);

#endif
