/*
 * config.c — the `serve` settings table and its readers (see config.h). The table is a
 * cfgtab table (common/, shared with the agent's configuration): types, bounds, defaults,
 * null for "unset", and errors naming the key all come from there.
 */
#include "cli/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfpw/cfgtab.h"
#include "wfpw/errors.h"
#include "wfpw/fileio.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

#define F(f) offsetof(struct wfpw_config, f)
#define Z(f) sizeof(((struct wfpw_config *)0)->f)
#define STR(k, f, def, h) {k, WFPW_CFG_STR, F(f), 0, Z(f), def, NULL, WFPW_CFG_NULLABLE, h}
#define PATH(k, f, def, h) {k, WFPW_CFG_PATH, F(f), 0, Z(f), def, NULL, WFPW_CFG_NULLABLE, h}
#define ENUM(k, f, def, ch, h) {k, WFPW_CFG_ENUM, F(f), 0, Z(f), def, ch, 0, h}
#define INT(k, f, lo, hi, def, h) {k, WFPW_CFG_INT, F(f), lo, hi, def, NULL, 0, h}

static const char *const store_choices[] = {"sqlite", "postgres", "none", NULL};
static const char *const level_choices[] = {"error", "warn", "info", "debug", NULL};
static const char *const proto_choices[] = {"udp", "tcp", NULL};

static const struct wfpw_cfg_key keys[] = {
    STR("listen", listen, "127.0.0.1:8443", "address and port to listen on (HOST:PORT, [IPv6]:PORT)"),
    PATH("data", data, "./var/data", "data directory (SQLite database)"),
    PATH("pki", pki, "./var/pki", "directory with ca.crt, server.crt, server.key"),
    ENUM("store", store, "sqlite", store_choices,
         "\"sqlite\" (default: data/wfpwatch.db), \"postgres\" (postgres.dsn; several collectors may "
         "share the database) or \"none\" (benchmarks only: acknowledge without storing)"),
    {"postgres.dsn", WFPW_CFG_STR, F(postgres_dsn), 0, Z(postgres_dsn), NULL, NULL, WFPW_CFG_NULLABLE | WFPW_CFG_SECRET,
     "with store \"postgres\": a libpq connection string or postgresql:// URI; "
     "keep the password out of it (libpq's passfile or PGPASSWORD): it is never logged"},
    ENUM("log_level", log_level, "info", level_choices, "error, warn, info or debug"),
    INT("limits.max_body_bytes", max_body_bytes, 1024, 1LL << 30, "8388608", "largest batch after decompression"),
    INT("limits.max_wire_body_bytes", max_wire_body_bytes, 1024, 1LL << 30, "8388608",
        "largest request body as sent"),
    INT("limits.max_header_bytes", max_header_bytes, 1024, 1 << 20, "16384", "request line and headers"),
    INT("limits.max_connections", max_connections, 1, 100000, "1024", "open connections"),
    INT("limits.max_connections_per_address", max_connections_per_address, 1, 100000, "64",
        "open connections from one IP address (agents behind one NAT address share it)"),
    INT("limits.handshakes_per_address_per_s", handshakes_per_address_per_s, 1, 100000, "20",
        "new connections (TLS handshakes) per IP address per second; twice this as a burst"),
    INT("limits.write_timeout_ms", write_timeout_ms, 100, 3600000, "30000",
        "a client that takes none of its waiting answers for this long is closed"),
    INT("limits.max_pending_write_bytes", max_pending_write_bytes, 16384, 1LL << 30, "1048576",
        "answers waiting for one client before its connection is no longer read"),
    INT("limits.max_batches_in_flight", max_batches_in_flight, 1, 100000, "64",
        "batches being decoded or waiting for the store, all agents together (one per agent)"),
    INT("limits.enroll_checks", enroll_checks, 1, 1000, "4",
        "enrollment and renewal requests checked (CSR signatures) at once"),
    INT("limits.header_timeout_ms", header_timeout_ms, 100, 600000, "10000",
        "first byte of a request to end of headers"),
    INT("limits.body_timeout_ms", body_timeout_ms, 100, 3600000, "60000", "end of headers to end of body"),
    INT("limits.idle_timeout_ms", idle_timeout_ms, 100, 3600000, "120000", "keep-alive idle time"),
    INT("limits.store_queue", store_queue, 1, 100000, "256", "store jobs waiting before 429"),
    INT("retention.max_age_days", retention_max_age_days, 0, 36500, "90", "delete events older than this (0: keep)"),
    INT("retention.max_bytes", retention_max_bytes, 0, 1LL << 50, "0",
        "delete oldest events above this size (0: no limit)"),
    INT("retention.interval_s", retention_interval_s, 1, 86400, "300", "how often retention runs"),
    INT("silent_after_s", silent_after_s, 1, 30 * 86400, "600", "a host with no batch for this long is silent"),
    STR("alerts.webhook.url", webhook_url, NULL, "POST each alert as JSON to this http(s) URL"),
    PATH("alerts.webhook.ca", webhook_ca, NULL, "CA bundle for an https webhook (default: system)"),
    INT("alerts.webhook.timeout_ms", webhook_timeout_ms, 100, 600000, "10000", "webhook request timeout"),
    STR("alerts.syslog.host", syslog_host, NULL, "send each alert as RFC 5424 + CEF to this host"),
    INT("alerts.syslog.port", syslog_port, 1, 65535, "514", "syslog port"),
    ENUM("alerts.syslog.protocol", syslog_protocol, "udp", proto_choices, "udp or tcp (RFC 6587 octet counting)"),
    INT("alerts.retry_max_s", alert_retry_max_s, 1, 86400, "300", "longest wait between delivery attempts"),
    INT("alerts.poll_ms", alert_poll_ms, 50, 60000, "1000", "how often the outbox is checked"),
    INT("enroll.cert_validity_s", enroll_validity_s, 10, 3650LL * 86400, "7776000",
        "validity of client certificates issued at enrollment and renewal (default 90 days)"),
    INT("enroll.rate_per_minute", enroll_rate_per_minute, 1, 100000, "10",
        "enrollment requests per source address per minute"),
    INT("enroll.rate_burst", enroll_rate_burst, 1, 100000, "20", "... and the burst allowed above that rate"),
    INT("enroll.renew_per_hour", renew_per_hour, 1, 100000, "6", "renewals per agent per hour (and as a burst)"),
};

static const struct wfpw_cfg_table table = {keys, sizeof(keys) / sizeof(keys[0])};

void wfpw_config_defaults(struct wfpw_config *c)
{
    char err[128];
    memset(c, 0, sizeof(*c));
    /* the defaults are constants of the table above, all within their own bounds */
    (void)wfpw_cfgtab_defaults(&table, c, NULL, err, sizeof(err));
}

int wfpw_config_set(struct wfpw_config *c, const char *key, const char *value, char *err, size_t errlen)
{
    return wfpw_cfgtab_set(&table, key, value, c, NULL, err, errlen);
}

const char *wfpw_config_key(size_t i)
{
    return i < table.n ? keys[i].key : NULL;
}

const char *wfpw_config_default(size_t i)
{
    return i < table.n ? keys[i].def : NULL;
}

int wfpw_config_parse(struct wfpw_config *c, const char *text, size_t len, const char *base,
                      char *err, size_t errlen)
{
    struct wfpw_json_err jerr;
    cJSON *root = NULL;
    int rc = wfpw_json_parse(text, len, 8, &root, &jerr);
    if (rc != 0) {
        snprintf(err, errlen, "%s%s%s", jerr.field, jerr.field[0] ? ": " : "", jerr.msg);
        return rc;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(err, errlen, "expected a JSON object");
        return WFPW_EINVAL;
    }
    rc = wfpw_cfgtab_apply(&table, root, "", NULL, c, base, err, errlen);
    cJSON_Delete(root);
    return rc;
}

int wfpw_config_load(struct wfpw_config *c, const char *path, char *err, size_t errlen)
{
    char base[1024], msg[512];
    size_t len;
    char *text;
    int rc = wfpw_file_read_all(path, 1 << 20, &text, &len);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path, wfpw_strerror(rc));
        return rc;
    }
    wfpw_cfg_dirname(path, base, sizeof(base));
    rc = wfpw_config_parse(c, text, len, base, msg, sizeof(msg));
    wfpw_free(text);
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", path, msg);
    return rc;
}

int wfpw_config_listen(const struct wfpw_config *c, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(c->listen, ':');
    const char *h = c->listen;
    size_t hl;
    char *end;
    long p;
    if (colon == NULL)
        return WFPW_EINVAL;
    hl = (size_t)(colon - h);
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']')
        h++, hl -= 2;
    if (hl == 0 || hl >= hostlen)
        return WFPW_EINVAL;
    memcpy(host, h, hl);
    host[hl] = '\0';
    p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || p < 0 || p > 65535 || end == colon + 1)
        return WFPW_EINVAL;
    *port = (int)p;
    return 0;
}

int wfpw_config_check(const struct wfpw_config *c, char *err, size_t errlen)
{
    char host[256];
    int port;
    if (wfpw_config_listen(c, host, sizeof(host), &port) != 0) {
        snprintf(err, errlen, "listen: expected HOST:PORT, got '%s'", c->listen);
        return WFPW_EINVAL;
    }
    if (strcmp(c->store, "postgres") != 0 && c->postgres_dsn[0]) {
        snprintf(err, errlen, "postgres.dsn: set, but store is \"%s\" (set store \"postgres\" to use it)", c->store);
        return WFPW_EINVAL;
    }
    if (strcmp(c->store, "postgres") == 0 && c->retention_max_bytes > 0) {
        snprintf(err, errlen, "retention.max_bytes: not available with store \"postgres\" (a PostgreSQL database "
                              "does not shrink after deletes): use retention.max_age_days");
        return WFPW_EINVAL;
    }
    if (strcmp(c->store, "postgres") == 0 && c->postgres_dsn[0] == '\0') {
        snprintf(err, errlen, "postgres.dsn: required with store \"postgres\" (or --dsn)");
        return WFPW_EINVAL;
    }
    if (c->webhook_url[0] && strncmp(c->webhook_url, "http://", 7) && strncmp(c->webhook_url, "https://", 8)) {
        snprintf(err, errlen, "alerts.webhook.url: expected an http:// or https:// URL");
        return WFPW_EINVAL;
    }
    if (!c->data[0] || !c->pki[0]) {
        snprintf(err, errlen, "%s: a directory is required", !c->data[0] ? "data" : "pki");
        return WFPW_EINVAL;
    }
    return 0;
}
