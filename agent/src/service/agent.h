/*
 * agent.h — `wfpwatch-agent run`: builds the spool, the sources, the pipeline and the
 * shipper from a configuration, runs the libuv loop until a stop signal (or, with
 * until_drained, until every source finished and everything was acknowledged), then stops
 * the sources, closes the aggregation window, gives the shipper shutdown_flush_ms to
 * deliver what is spooled, persists and returns.
 */
#ifndef WFPW_AGENT_H
#define WFPW_AGENT_H

#include "config.h"

#define WFPW_AGENT_VERSION "0.2.0"

/* Returns the process exit code: 0 after a clean stop, 1 when it could not start (the
 * reason is logged). cfg->agent_id is filled when it was empty. */
int wfpw_agent_run(struct wfpw_agent_cfg *cfg, int until_drained);

/* Ask a running wfpw_agent_run to stop, as SIGTERM does; from any thread (the Windows
 * service control handler). Does nothing when no agent runs. */
void wfpw_agent_request_stop(void);

/* The agent id: cfg's, else the one kept in data_dir/agent_id, else a new UUID written
 * there. 0 or WFPW_E* with a message in err. */
int wfpw_agent_identity(struct wfpw_agent_cfg *cfg, char *err, size_t errlen);

#endif
