/*
 * svccmd.h — `wfpwatch-agent service install|uninstall|start|stop|status`, the hidden
 * `service-run` the service manager starts, and `restore-system` (put back the audit policy
 * and the net event collection setting the agent changed). The decisions live here and the
 * service manager calls behind platform.h (src/win/service.c).
 *
 *   install  checks the configuration first (a service that cannot start is not installed),
 *            creates the data directory with its ACL (SYSTEM and Administrators only), and
 *            registers "wfpwatch-agent": LocalSystem, automatic start, restart on failure.
 *   uninstall stops and removes it, then restores the system settings (restore-system).
 *   service-run runs the agent as `run` does; a stop request stops it gracefully; errors
 *            also go to the Application event log.
 */
#ifndef WFPW_SVCCMD_H
#define WFPW_SVCCMD_H

#define WFPW_SERVICE_NAME "wfpwatch-agent"

/* argv[1] is "service", "service-run" or "restore-system". Exit code: 0, 1 failed, 2 usage. */
int wfpw_service_main(int argc, char **argv);

/* `verb` (start, stop, status) on the service `name`, `what` naming it in the message ("service",
 * "driver service"); start and stop wait up to 30 s. Exit code: 0, or 1 with the error printed. */
int wfpw_service_control(const char *name, const char *what, const char *verb);

/* Puts back data_dir/auditpol.previous and data_dir/netevents.previous (each removed once
 * applied); messages to stdout/stderr. 0 when everything was restored or nothing to do. */
int wfpw_restore_system(const char *data_dir);

#endif
