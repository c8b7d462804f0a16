/*
 * config.c — the `serve` settings table and its readers (see config.h).
 */
#include "cli/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

enum ctype { C_STR, C_INT, C_PATH };

struct centry {
    const char *key;
    enum ctype type;
    size_t offset;
    size_t size;       /* strings: buffer size */
    int64_t min, max;  /* integers */
    const char *help;
};

#define STR(k, f, h) {k, C_STR, offsetof(struct wfpw_config, f), sizeof(((struct wfpw_config *)0)->f), 0, 0, h}
#define PATH(k, f, h) {k, C_PATH, offsetof(struct wfpw_config, f), sizeof(((struct wfpw_config *)0)->f), 0, 0, h}
#define INT(k, f, lo, hi, h) {k, C_INT, offsetof(struct wfpw_config, f), 0, lo, hi, h}

static const struct centry table[] = {
    STR("listen", listen, "address and port to listen on (HOST:PORT, [IPv6]:PORT)"),
    PATH("data", data, "data directory (SQLite database)"),
    PATH("pki", pki, "directory with ca.crt, server.crt, server.key"),
    STR("store", store, "\"sqlite\" (default: data/wfpwatch.db), \"postgres\" (postgres.dsn; several collectors may "
                        "share the database) or \"none\" (benchmarks only: acknowledge without storing)"),
    STR("postgres.dsn", postgres_dsn, "with store \"postgres\": a libpq connection string or postgresql:// URI; "
                                      "keep the password out of it (libpq's passfile or PGPASSWORD): it is never logged"),
    STR("log_level", log_level, "error, warn, info or debug"),
    INT("limits.max_body_bytes", max_body_bytes, 1024, 1LL << 30, "largest batch after decompression"),
    INT("limits.max_wire_body_bytes", max_wire_body_bytes, 1024, 1LL << 30, "largest request body as sent"),
    INT("limits.max_header_bytes", max_header_bytes, 1024, 1 << 20, "request line and headers"),
    INT("limits.max_connections", max_connections, 1, 100000, "open connections"),
    INT("limits.max_connections_per_address", max_connections_per_address, 1, 100000,
        "open connections from one IP address (agents behind one NAT address share it)"),
    INT("limits.handshakes_per_address_per_s", handshakes_per_address_per_s, 1, 100000,
        "new connections (TLS handshakes) per IP address per second; twice this as a burst"),
    INT("limits.write_timeout_ms", write_timeout_ms, 100, 3600000,
        "a client that takes none of its waiting answers for this long is closed"),
    INT("limits.max_pending_write_bytes", max_pending_write_bytes, 16384, 1LL << 30,
        "answers waiting for one client before its connection is no longer read"),
    INT("limits.max_batches_in_flight", max_batches_in_flight, 1, 100000,
        "batches being decoded or waiting for the store, all agents together (one per agent)"),
    INT("limits.enroll_checks", enroll_checks, 1, 1000, "enrollment and renewal requests checked (CSR signatures) at once"),
    INT("limits.header_timeout_ms", header_timeout_ms, 100, 600000, "first byte of a request to end of headers"),
    INT("limits.body_timeout_ms", body_timeout_ms, 100, 3600000, "end of headers to end of body"),
    INT("limits.idle_timeout_ms", idle_timeout_ms, 100, 3600000, "keep-alive idle time"),
    INT("limits.store_queue", store_queue, 1, 100000, "store jobs waiting before 429"),
    INT("retention.max_age_days", retention_max_age_days, 0, 36500, "delete events older than this (0: keep)"),
    INT("retention.max_bytes", retention_max_bytes, 0, 1LL << 50, "delete oldest events above this size (0: no limit)"),
    INT("retention.interval_s", retention_interval_s, 1, 86400, "how often retention runs"),
    INT("silent_after_s", silent_after_s, 1, 30 * 86400, "a host with no batch for this long is silent"),
    STR("alerts.webhook.url", webhook_url, "POST each alert as JSON to this http(s) URL"),
    PATH("alerts.webhook.ca", webhook_ca, "CA bundle for an https webhook (default: system)"),
    INT("alerts.webhook.timeout_ms", webhook_timeout_ms, 100, 600000, "webhook request timeout"),
    STR("alerts.syslog.host", syslog_host, "send each alert as RFC 5424 + CEF to this host"),
    INT("alerts.syslog.port", syslog_port, 1, 65535, "syslog port"),
    STR("alerts.syslog.protocol", syslog_protocol, "udp or tcp (RFC 6587 octet counting)"),
    INT("alerts.retry_max_s", alert_retry_max_s, 1, 86400, "longest wait between delivery attempts"),
    INT("alerts.poll_ms", alert_poll_ms, 50, 60000, "how often the outbox is checked"),
    INT("enroll.cert_validity_s", enroll_validity_s, 10, 3650LL * 86400,
        "validity of client certificates issued at enrollment and renewal (default 90 days)"),
    INT("enroll.rate_per_minute", enroll_rate_per_minute, 1, 100000, "enrollment requests per source address per minute"),
    INT("enroll.rate_burst", enroll_rate_burst, 1, 100000, "... and the burst allowed above that rate"),
    INT("enroll.renew_per_hour", renew_per_hour, 1, 100000, "renewals per agent per hour (and as a burst)"),
};

void wfpw_config_defaults(struct wfpw_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8443");
    snprintf(c->data, sizeof(c->data), "./var/data");
    snprintf(c->pki, sizeof(c->pki), "./var/pki");
    snprintf(c->store, sizeof(c->store), "sqlite");
    snprintf(c->log_level, sizeof(c->log_level), "info");
    c->max_body_bytes = 8 << 20;
    c->max_wire_body_bytes = 8 << 20;
    c->max_header_bytes = 16384;
    c->max_connections = 1024;
    c->max_connections_per_address = 64;
    c->handshakes_per_address_per_s = 20;
    c->write_timeout_ms = 30000;
    c->max_pending_write_bytes = 1 << 20;
    c->max_batches_in_flight = 64;
    c->enroll_checks = 4;
    c->renew_per_hour = 6;
    c->header_timeout_ms = 10000;
    c->body_timeout_ms = 60000;
    c->idle_timeout_ms = 120000;
    c->store_queue = 256;
    c->retention_max_age_days = 90;
    c->retention_max_bytes = 0;
    c->retention_interval_s = 300;
    c->silent_after_s = 600;
    c->webhook_timeout_ms = 10000;
    c->syslog_port = 514;
    c->enroll_validity_s = 90LL * 86400;
    c->enroll_rate_per_minute = 10;
    c->enroll_rate_burst = 20;
    snprintf(c->syslog_protocol, sizeof(c->syslog_protocol), "udp");
    c->alert_retry_max_s = 300;
    c->alert_poll_ms = 1000;
}

static const struct centry *find(const char *key)
{
    size_t i;
    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].key, key) == 0)
            return &table[i];
    return NULL;
}

static int set_str(struct wfpw_config *c, const struct centry *e, const char *v, const char *base,
                   char *err, size_t errlen)
{
    char *dst = (char *)c + e->offset;
    int n;
    if (e->type == C_PATH && base && v[0] != '/' && v[0] != '\0')
        n = snprintf(dst, e->size, "%s/%s", base, v);
    else
        n = snprintf(dst, e->size, "%s", v);
    if (n < 0 || (size_t)n >= e->size) {
        snprintf(err, errlen, "%s: value longer than %zu bytes", e->key, e->size - 1);
        return WFPW_ERANGE;
    }
    return 0;
}

static int set_int(struct wfpw_config *c, const struct centry *e, double d, char *err, size_t errlen)
{
    if (!(d >= (double)e->min && d <= (double)e->max) || (double)(int64_t)d != d) {
        snprintf(err, errlen, "%s: expected an integer from %lld to %lld", e->key, (long long)e->min,
                 (long long)e->max);
        return WFPW_ERANGE;
    }
    *(int64_t *)((char *)c + e->offset) = (int64_t)d;
    return 0;
}

int wfpw_config_set(struct wfpw_config *c, const char *key, const char *value, char *err, size_t errlen)
{
    const struct centry *e = find(key);
    char *end;
    double d;
    if (e == NULL) {
        snprintf(err, errlen, "%s: unknown setting", key);
        return WFPW_EINVAL;
    }
    if (e->type != C_INT)
        return set_str(c, e, value, NULL, err, errlen);
    d = strtod(value, &end);
    if (end == value || *end != '\0') {
        snprintf(err, errlen, "%s: expected an integer, got '%s'", key, value);
        return WFPW_EINVAL;
    }
    return set_int(c, e, d, err, errlen);
}

static int walk(struct wfpw_config *c, const cJSON *obj, const char *prefix, const char *base, char *err,
                size_t errlen)
{
    const cJSON *m;
    for (m = obj->child; m; m = m->next) {
        char key[256];
        const struct centry *e;
        int rc;
        snprintf(key, sizeof(key), "%s%s%s", prefix, prefix[0] ? "." : "", m->string);
        if (cJSON_IsObject(m)) {
            if ((rc = walk(c, m, key, base, err, errlen)) != 0)
                return rc;
            continue;
        }
        e = find(key);
        if (e == NULL) {
            snprintf(err, errlen, "%s: unknown setting", key);
            return WFPW_EINVAL;
        }
        if (cJSON_IsNull(m) && e->type != C_INT) {
            ((char *)c + e->offset)[0] = '\0';
            continue;
        }
        if (e->type == C_INT) {
            if (!cJSON_IsNumber(m)) {
                snprintf(err, errlen, "%s: expected an integer", key);
                return WFPW_EINVAL;
            }
            rc = set_int(c, e, m->valuedouble, err, errlen);
        } else {
            if (!cJSON_IsString(m)) {
                snprintf(err, errlen, "%s: expected a string", key);
                return WFPW_EINVAL;
            }
            rc = set_str(c, e, m->valuestring, base, err, errlen);
        }
        if (rc)
            return rc;
    }
    return 0;
}

const char *wfpw_config_key(size_t i)
{
    return i < sizeof(table) / sizeof(table[0]) ? table[i].key : NULL;
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
    rc = walk(c, root, "", base, err, errlen);
    cJSON_Delete(root);
    return rc;
}

int wfpw_config_load(struct wfpw_config *c, const char *path, char *err, size_t errlen)
{
    char base[1024], msg[512];
    const char *slash = strrchr(path, '/');
    size_t len;
    int rc;
    char *text = wfpw_fs_read(path, 1 << 20, &len, &rc);
    if (text == NULL) {
        snprintf(err, errlen, "%s: cannot read: %s", path, wfpw_strerror(rc));
        return rc;
    }
    snprintf(base, sizeof(base), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
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
    if (strcmp(c->store, "sqlite") != 0 && strcmp(c->store, "postgres") != 0 && strcmp(c->store, "none") != 0) {
        snprintf(err, errlen, "store: expected \"sqlite\", \"postgres\" or \"none\", got '%s'", c->store);
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
    if (strcmp(c->log_level, "error") && strcmp(c->log_level, "warn") && strcmp(c->log_level, "info") &&
        strcmp(c->log_level, "debug")) {
        snprintf(err, errlen, "log_level: expected error, warn, info or debug, got '%s'", c->log_level);
        return WFPW_EINVAL;
    }
    if (strcmp(c->syslog_protocol, "udp") && strcmp(c->syslog_protocol, "tcp")) {
        snprintf(err, errlen, "alerts.syslog.protocol: expected udp or tcp, got '%s'", c->syslog_protocol);
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
