/*
 * config.c — the agent configuration table and loader (config.h). The top-level keys are
 * one cfgtab table; "sources" is an array whose members are checked against the table of
 * their "type" from the source registry. Group Policy values (platform.h) override the file
 * for every scalar top-level key after it is read, and are reported by check-config.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "platform.h"
#include "source.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

#define F(f) offsetof(struct wfpw_agent_cfg, f)

static const char *const fsync_choices[] = {"commit", "always", "off", NULL};
static const char *const level_choices[] = {"error", "warn", "info", "debug", NULL};
static const char *const severity_choices[] = {"critical", "high", "medium", "low", NULL};

static const struct wfpw_cfg_key keys[] = {
    {"agent_id", WFPW_CFG_STR, F(agent_id), 0, 0, NULL, NULL, 0,
     "this agent's id (default: a UUID generated and kept in data_dir on first start)"},
    {"data_dir", WFPW_CFG_PATH, F(data_dir), 0, 0, NULL, NULL, 0,
     "spool, state and quarantine (default: /var/lib/wfpwatch, C:\\ProgramData\\wfpwatch)"},
    {"collector.url", WFPW_CFG_STR, F(collector_url), 0, 0, NULL, NULL, WFPW_CFG_REQUIRED,
     "the collector's base URL, https://HOST:PORT"},
    {"collector.ca", WFPW_CFG_PATH, F(collector_ca), 0, 0, NULL, NULL, WFPW_CFG_REQUIRED,
     "PEM CA certificate that signed the collector's certificate (pinned: no system store)"},
    {"collector.cert", WFPW_CFG_PATH, F(collector_cert), 0, 0, NULL, NULL, WFPW_CFG_REQUIRED,
     "PEM client certificate of this agent"},
    {"collector.key", WFPW_CFG_PATH, F(collector_key), 0, 0, NULL, NULL, WFPW_CFG_REQUIRED,
     "PEM private key of the client certificate"},
    {"collector.key_password", WFPW_CFG_STR, F(collector_key_password), 0, 0, NULL, NULL,
     WFPW_CFG_SECRET | WFPW_CFG_NULLABLE, "passphrase of an encrypted private key"},
    {"collector.timeout_ms", WFPW_CFG_INT, F(collector_timeout_ms), 1000, 600000, "60000", NULL, 0,
     "whole request, connect to answer"},
    {"collector.connect_timeout_ms", WFPW_CFG_INT, F(collector_connect_timeout_ms), 100, 600000, "10000", NULL, 0,
     "TCP + TLS handshake"},
    {"collector.gzip", WFPW_CFG_BOOL, F(collector_gzip), 0, 0, "true", NULL, 0, "gzip batch bodies"},
    {"batch.max_events", WFPW_CFG_INT, F(batch_max_events), 1, 10000, "5000", NULL, 0,
     "a batch closes at this many events"},
    {"batch.max_bytes", WFPW_CFG_INT, F(batch_max_bytes), 4096, 8 << 20, "1048576", NULL, 0,
     "... or at this many bytes of JSON (before gzip)"},
    {"batch.max_delay_ms", WFPW_CFG_INT, F(batch_max_delay_ms), 10, 600000, "5000", NULL, 0,
     "... or when its oldest event has waited this long"},
    {"spool.max_bytes", WFPW_CFG_INT, F(spool_max_bytes), 262144, 1LL << 40, "268435456", NULL, 0,
     "disk bound; beyond it the oldest unacknowledged events are dropped and counted"},
    {"spool.fsync", WFPW_CFG_ENUM, F(spool_fsync), 0, 0, "commit", fsync_choices, 0,
     "commit: before a source position advances and before shipping; always: every event; off: OS decides"},
    {"heartbeat_s", WFPW_CFG_INT, F(heartbeat_s), 1, 86400, "60", NULL, 0, "heartbeat interval"},
    {"retry.min_ms", WFPW_CFG_INT, F(retry_min_ms), 10, 600000, "1000", NULL, 0, "first retry backoff cap"},
    {"retry.max_ms", WFPW_CFG_INT, F(retry_max_ms), 10, 3600000, "60000", NULL, 0, "largest retry backoff cap"},
    {"aggregation.window_ms", WFPW_CFG_INT, F(window_ms), 100, 3600000, "10000", NULL, 0,
     "packet drops are merged per flow inside this window; also how often source positions are committed"},
    {"aggregation.flow_burst", WFPW_CFG_INT, F(flow_burst), 0, 1000000, "20", NULL, 0,
     "connection blocks of one flow shipped one by one per window; the rest are merged"},
    {"aggregation.max_flows", WFPW_CFG_INT, F(max_flows), 16, 1000000, "10000", NULL, 0,
     "flows tracked per window (when full the window closes early)"},
    {"shutdown_flush_ms", WFPW_CFG_INT, F(shutdown_flush_ms), 0, 60000, "5000", NULL, 0,
     "on stop, time allowed to ship what is spooled"},
    {"log.level", WFPW_CFG_ENUM, F(log_level), 0, 0, "info", level_choices, 0, "error, warn, info or debug"},
    {"log.file", WFPW_CFG_PATH, F(log_file), 0, 0, NULL, NULL, WFPW_CFG_NULLABLE, "log file (default: stderr)"},
    {"detection.products", WFPW_CFG_LIST, F(products), 0, 0, NULL, NULL, 0,
     "more security-product executables to protect (names, e.g. \"acmeedr.exe\")"},
    {"detection.allow_providers", WFPW_CFG_LIST, F(allow_providers), 0, 0, NULL, NULL, 0,
     "WFP provider keys whose filters never raise silencer alerts"},
    {"detection.min_alert", WFPW_CFG_ENUM, F(min_alert), 0, 0, "medium", severity_choices, 0,
     "lowest finding severity that raises an alert"},
    {"detection.burst_threshold", WFPW_CFG_INT, F(burst_threshold), 1, 1000000, "20", NULL, 0,
     "blocks of one security product inside the burst window that raise edr-block-burst"},
    {"detection.burst_window_ms", WFPW_CFG_INT, F(burst_window_ms), 1000, 86400000, "60000", NULL, 0,
     "window of the block-burst detector"},
};

static const struct wfpw_cfg_table table = {keys, sizeof(keys) / sizeof(keys[0])};

void wfpw_agent_cfg_free(struct wfpw_agent_cfg *cfg)
{
    size_t i;
    for (i = 0; i < cfg->nsources; i++)
        wfpw_free(cfg->sources[i].conf);
    cfg->nsources = 0;
}

static int parse_sources(struct wfpw_agent_cfg *cfg, const cJSON *arr, char *err, size_t errlen)
{
    const cJSON *it;
    size_t i = 0;
    if (!cJSON_IsArray(arr)) {
        snprintf(err, errlen, "sources: expected an array of source objects");
        return WFPW_EINVAL;
    }
    cJSON_ArrayForEach(it, arr) {
        char prefix[32];
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(it, "type");
        const struct wfpw_source_type *st;
        struct wfpw_cfg_table t;
        int rc;
        snprintf(prefix, sizeof(prefix), "sources[%zu]", i);
        if (i == WFPW_MAX_SOURCES) {
            snprintf(err, errlen, "%s: at most %d sources", prefix, WFPW_MAX_SOURCES);
            return WFPW_EINVAL;
        }
        if (!cJSON_IsObject(it) || !cJSON_IsString(type)) {
            snprintf(err, errlen, "%s.type: required key is missing (a source object needs \"type\")", prefix);
            return WFPW_EINVAL;
        }
        if ((st = wfpw_source_type_find(type->valuestring)) == NULL) {
            const struct wfpw_source_type *const *all = wfpw_source_types();
            size_t o = (size_t)snprintf(err, errlen, "%s.type: unknown source type \"%.64s\" (this build has:", prefix,
                                        type->valuestring);
            for (; *all && o < errlen; all++)
                o += (size_t)snprintf(err + o, errlen - o, " %s", (*all)->name);
            if (o < errlen)
                snprintf(err + o, errlen - o, ")");
            return WFPW_EINVAL;
        }
        cfg->sources[i].type = st;
        if ((cfg->sources[i].conf = wfpw_calloc(1, st->conf_size ? st->conf_size : 1)) == NULL)
            return WFPW_ENOMEM;
        cfg->nsources = ++i;
        t.keys = st->conf_keys, t.n = st->nconf_keys;
        if ((rc = wfpw_cfgtab_defaults(&t, cfg->sources[i - 1].conf, cfg->base_dir, err, errlen)) != 0 ||
            (rc = wfpw_cfgtab_apply(&t, it, prefix, "type", cfg->sources[i - 1].conf, cfg->base_dir, err, errlen)) != 0 ||
            (rc = wfpw_cfgtab_check_required(&t, cfg->sources[i - 1].conf, prefix, err, errlen)) != 0)
            return rc;
    }
    return 0;
}

static int apply_policy(struct wfpw_agent_cfg *cfg, char *err, size_t errlen)
{
    size_t i;
    for (i = 0; i < table.n; i++) {
        char val[WFPW_CFG_STR_MAX];
        int rc = wfpw__plat_policy_get(keys[i].key, val, sizeof(val));
        if (rc == WFPW_ENOENT)
            continue;
        if (rc != 0) {
            snprintf(err, errlen, "%s (Group Policy): unreadable: %s", keys[i].key, wfpw_strerror(rc));
            return WFPW_EINVAL;
        }
        /* policy paths are absolute by nature; relative ones resolve against the file */
        if ((rc = wfpw_cfgtab_set(&table, keys[i].key, val, cfg, cfg->base_dir, err, errlen)) != 0) {
            size_t l = strlen(err);
            snprintf(err + l, errlen - l, " (Group Policy value)");
            return rc;
        }
        cfg->policy_applied++;
    }
    return 0;
}

int wfpw_agent_cfg_parse(const char *path, const char *data, size_t len, struct wfpw_agent_cfg *cfg,
                         char *err, size_t errlen)
{
    struct wfpw_json_err jerr;
    cJSON *root = NULL;
    int rc;
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->config_path, sizeof(cfg->config_path), "%s", path);
    wfpw_cfg_dirname(path, cfg->base_dir, sizeof(cfg->base_dir));
    if ((rc = wfpw_json_parse(data, len, 8, &root, &jerr)) != 0) {
        snprintf(err, errlen, "%s: not valid JSON: %s%s%s", path, jerr.field, jerr.field[0] ? ": " : "", jerr.msg);
        return rc;
    }
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", wfpw__plat_data_dir());
    if ((rc = wfpw_cfgtab_defaults(&table, cfg, cfg->base_dir, err, errlen)) == 0 &&
        (rc = wfpw_cfgtab_apply(&table, root, "", "sources", cfg, cfg->base_dir, err, errlen)) == 0) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "sources");
        if (s == NULL) {
            snprintf(err, errlen, "sources: required key is missing (at least one source)");
            rc = WFPW_EINVAL;
        } else {
            rc = parse_sources(cfg, s, err, errlen);
        }
    }
    cJSON_Delete(root);
    if (rc == 0)
        rc = apply_policy(cfg, err, errlen);
    if (rc == 0)
        rc = wfpw_cfgtab_check_required(&table, cfg, "", err, errlen);
    if (rc == 0 && strncmp(cfg->collector_url, "https://", 8) != 0) {
        snprintf(err, errlen, "collector.url: must start with https:// (agents ship over mutual TLS only)");
        rc = WFPW_EINVAL;
    }
    if (rc == 0 && cfg->retry_min_ms > cfg->retry_max_ms) {
        snprintf(err, errlen, "retry.min_ms: must not exceed retry.max_ms");
        rc = WFPW_EINVAL;
    }
    if (rc == 0 && cfg->nsources == 0) {
        snprintf(err, errlen, "sources: at least one source is needed");
        rc = WFPW_EINVAL;
    }
    return rc;
}

int wfpw_agent_cfg_load(const char *path, struct wfpw_agent_cfg *cfg, char *err, size_t errlen)
{
    char *data;
    size_t len;
    int rc = wfpw_file_read_all(path, 1 << 20, &data, &len);
    memset(cfg, 0, sizeof(*cfg));
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path, wfpw_strerror(rc));
        return rc;
    }
    rc = wfpw_agent_cfg_parse(path, data, len, cfg, err, errlen);
    wfpw_free(data);
    return rc;
}

int wfpw_agent_cfg_print(const struct wfpw_agent_cfg *cfg, struct wfpw_buf *out)
{
    cJSON *root = wfpw_cfgtab_to_json(&table, cfg), *arr;
    size_t i;
    char *text;
    if (root == NULL || (arr = cJSON_AddArrayToObject(root, "sources")) == NULL) {
        cJSON_Delete(root);
        return WFPW_ENOMEM;
    }
    for (i = 0; i < cfg->nsources; i++) {
        const struct wfpw_source_type *st = cfg->sources[i].type;
        struct wfpw_cfg_table t = {st->conf_keys, st->nconf_keys};
        cJSON *o = wfpw_cfgtab_to_json(&t, cfg->sources[i].conf);
        if (o == NULL || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            cJSON_Delete(root);
            return WFPW_ENOMEM;
        }
        cJSON_AddItemToObject(o, "type", cJSON_CreateString(st->name));
    }
    if (cfg->policy_applied)
        cJSON_AddNumberToObject(root, "group_policy_values", cfg->policy_applied);
    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (text == NULL)
        return WFPW_ENOMEM;
    wfpw_buf_puts(out, text);
    wfpw_buf_putc(out, '\n');
    cJSON_free(text);
    return out->err;
}

void wfpw_agent_cfg_help(struct wfpw_buf *out)
{
    const struct wfpw_source_type *const *st;
    wfpw_cfgtab_help(&table, "", out);
    wfpw_buf_puts(out, "sources  (array of objects, required)\n    each has \"type\" and that type's keys:\n");
    for (st = wfpw_source_types(); *st; st++) {
        struct wfpw_cfg_table t = {(*st)->conf_keys, (*st)->nconf_keys};
        char prefix[64];
        wfpw_buf_printf(out, "  type \"%s\": %s\n", (*st)->name, (*st)->help);
        snprintf(prefix, sizeof(prefix), "    sources[].");
        wfpw_cfgtab_help(&t, prefix, out);
    }
}
