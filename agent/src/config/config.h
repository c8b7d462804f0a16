/*
 * config.h — the agent's configuration: a JSON file (keys in docs/agent-config.md, generated
 * from the tables in config.c by `wfpwatch-agent config-help`), with Group Policy values
 * overriding it on Windows (platform.h). Relative paths are relative to the file's folder.
 * Every error names the key: "batch.max_events: expected an integer from 1 to 10000".
 */
#ifndef WFPW_AGENT_CONFIG_H
#define WFPW_AGENT_CONFIG_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "wfpw/cfgtab.h"
#include "wfpw/buf.h"

#define WFPW_MAX_SOURCES 16

struct wfpw_source_type;

struct wfpw_source_cfg {
    const struct wfpw_source_type *type;
    void *conf;                          /* type->conf_size bytes, owned here */
};

struct wfpw_agent_cfg {
    char config_path[WFPW_CFG_STR_MAX];
    char base_dir[WFPW_CFG_STR_MAX];
    char agent_id[WFPW_CFG_STR_MAX];     /* "" until wfpw_agent_identity fills it */
    char data_dir[WFPW_CFG_STR_MAX];
    struct wfpw_cfg_list collector_urls; /* collector.url: one or more base URLs, preferred first */
    int64_t collector_failback_s;        /* after a failover, try the first URL again this often */
    char collector_ca[WFPW_CFG_STR_MAX];
    char collector_cert[WFPW_CFG_STR_MAX];
    char collector_key[WFPW_CFG_STR_MAX];
    char collector_key_password[WFPW_CFG_STR_MAX];
    char collector_ca_fingerprint[WFPW_CFG_STR_MAX];  /* normalized: 64 lower-case hex or "" */
    char collector_enroll_token[WFPW_CFG_STR_MAX];
    int64_t collector_timeout_ms;
    int64_t collector_connect_timeout_ms;
    int collector_gzip;
    struct wfpw_source_cfg sources[WFPW_MAX_SOURCES];
    size_t nsources;
    int64_t batch_max_events, batch_max_bytes, batch_max_delay_ms;
    int64_t spool_max_bytes;
    char spool_fsync[WFPW_CFG_STR_MAX];
    int64_t heartbeat_s;
    int64_t retry_min_ms, retry_max_ms;
    int64_t window_ms, flow_burst, max_flows;
    int64_t shutdown_flush_ms;
    char log_level[WFPW_CFG_STR_MAX];
    char log_file[WFPW_CFG_STR_MAX];
    struct wfpw_cfg_list products;        /* detection: extra security-product executables */
    struct wfpw_cfg_list allow_providers; /* detection: provider keys whose filters are trusted */
    char min_alert[WFPW_CFG_STR_MAX];     /* lowest finding severity that raises an alert */
    int64_t burst_threshold, burst_window_ms;
    int policy_applied;                   /* number of keys taken from Group Policy */
};

/* Read and validate the file, apply policy overrides. On error (WFPW_EINVAL, WFPW_ENOENT,
 * WFPW_ESYNTAX...) err names the key or the problem. Free with wfpw_agent_cfg_free (also
 * after a failure). */
int wfpw_agent_cfg_load(const char *path, struct wfpw_agent_cfg *cfg, char *err, size_t errlen);
/* The same from a buffer (path names it and gives the base folder). */
int wfpw_agent_cfg_parse(const char *path, const char *data, size_t len, struct wfpw_agent_cfg *cfg,
                         char *err, size_t errlen);
void wfpw_agent_cfg_free(struct wfpw_agent_cfg *cfg);
/* The effective configuration (secrets masked) as JSON text. */
int wfpw_agent_cfg_print(const struct wfpw_agent_cfg *cfg, struct wfpw_buf *out);
/* Every key of the agent and of each registered source type, with help. */
void wfpw_agent_cfg_help(struct wfpw_buf *out);

#endif
