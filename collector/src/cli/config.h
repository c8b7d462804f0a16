/*
 * config.h — `serve` settings: defaults, then the JSON config file (--config), then flags.
 * One table (config.c, a cfgtab table like the agent's) lists every key with its type,
 * limits, default and help; the file reader, the error messages and docs/collector.md all
 * follow it. An unknown key or a bad value is an error naming the key (exit code 2).
 */
#ifndef WFPW_CONFIG_H
#define WFPW_CONFIG_H

#include <stddef.h>
#include <stdint.h>


struct wfpw_config {
    char listen[300];            /* HOST:PORT */
    char data[1024];
    char pki[1024];
    char store[16];              /* "sqlite" | "postgres" | "none" (benchmark only) */
    char postgres_dsn[1024];     /* libpq connection string or URI; may hold a password: never logged */
    char log_level[16];
    int64_t max_body_bytes;      /* after decompression */
    int64_t max_wire_body_bytes; /* as sent */
    int64_t max_header_bytes;
    int64_t max_connections;
    int64_t max_connections_per_address, handshakes_per_address_per_s;
    int64_t write_timeout_ms, max_pending_write_bytes;
    int64_t max_batches_in_flight, enroll_checks;
    int64_t header_timeout_ms, body_timeout_ms, idle_timeout_ms;
    int64_t store_queue;
    int64_t retention_max_age_days, retention_max_bytes, retention_interval_s;
    int64_t silent_after_s;
    char webhook_url[1024];      /* "" = none */
    char webhook_ca[1024];
    int64_t webhook_timeout_ms;
    char syslog_host[256];       /* "" = none */
    int64_t syslog_port;
    char syslog_protocol[8];     /* "udp" | "tcp" */
    int64_t alert_retry_max_s;
    int64_t alert_poll_ms;
    int64_t enroll_validity_s, enroll_rate_per_minute, enroll_rate_burst, renew_per_hour;
};

void wfpw_config_defaults(struct wfpw_config *c);
/* Reads a JSON config file over c. Relative paths are taken relative to the file. */
int wfpw_config_load(struct wfpw_config *c, const char *path, char *err, size_t errlen);
/* Sets one key ("limits.max_body_bytes", "listen", ...) from text, as a flag would. */
int wfpw_config_set(struct wfpw_config *c, const char *key, const char *value, char *err, size_t errlen);
/* Cross-key checks (listen parses, store known, ...). */
int wfpw_config_check(const struct wfpw_config *c, char *err, size_t errlen);
/* Like wfpw_config_load, from text; base: directory for relative paths. */
int wfpw_config_parse(struct wfpw_config *c, const char *text, size_t len, const char *base,
                      char *err, size_t errlen);
/* The i-th key of the settings table, NULL past the end (docs and tests list them). */
const char *wfpw_config_key(size_t i);
/* Its default as text, NULL for none (docs/collector.md shows the same: tests/collector). */
const char *wfpw_config_default(size_t i);
/* Splits listen into host and port. */
int wfpw_config_listen(const struct wfpw_config *c, char *host, size_t hostlen, int *port);

#endif
