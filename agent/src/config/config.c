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

#include "wfpw/fileio.h"
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
    {"collector.url", WFPW_CFG_LIST, F(collector_urls), 0, 0, NULL, NULL, WFPW_CFG_REQUIRED | WFPW_CFG_ONE_OR_MANY,
     "the collector's base URL, https://HOST:PORT, or a list of them (policy: separated by commas): "
     "the agent sends to the first that answers, in order, and tries the first again after collector.failback_s"},
    {"collector.failback_s", WFPW_CFG_INT, F(collector_failback_s), 1, 86400, "300", NULL, 0,
     "after failing over to a later collector.url, try the first one again after this many seconds"},
    {"collector.ca", WFPW_CFG_PATH, F(collector_ca), 0, 0, NULL, NULL, 0,
     "PEM CA certificate that signed the collector's certificate (pinned: no system store); "
     "default with collector.ca_fingerprint: data_dir/collector-ca.crt, fetched and checked against it"},
    {"collector.ca_fingerprint", WFPW_CFG_STR, F(collector_ca_fingerprint), 0, 0, NULL, NULL, 0,
     "SHA-256 of the collector CA certificate (64 hex digits, colons allowed): the CA is pinned to it"},
    {"collector.cert", WFPW_CFG_PATH, F(collector_cert), 0, 0, NULL, NULL, 0,
     "PEM client certificate of this agent (default with collector.enroll_token: data_dir/agent.crt)"},
    {"collector.key", WFPW_CFG_PATH, F(collector_key), 0, 0, NULL, NULL, 0,
     "PEM private key of the client certificate (default with collector.enroll_token: data_dir/agent.key)"},
    {"collector.enroll_token", WFPW_CFG_STR, F(collector_enroll_token), 0, 0, NULL, NULL,
     WFPW_CFG_SECRET | WFPW_CFG_NULLABLE,
     "enrollment token: with no certificate yet, the agent makes a key and asks the collector for one"},
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

/* Group Policy values for every key of table t into dst: the value is named prefix + key
 * ("collector.url", "sources.eventlog.event_ids"). Errors name that value. */
static int apply_policy_table(const struct wfpw_cfg_table *t, const char *prefix, void *dst,
                              struct wfpw_agent_cfg *cfg, char *err, size_t errlen)
{
    size_t i;
    for (i = 0; i < t->n; i++) {
        char val[WFPW_CFG_STR_MAX], name[WFPW_CFG_STR_MAX];
        int rc;
        snprintf(name, sizeof(name), "%s%s", prefix, t->keys[i].key);
        if ((rc = wfpw__plat_policy_get(name, val, sizeof(val))) == WFPW_ENOENT)
            continue;
        if (rc != 0) {
            snprintf(err, errlen, "%s (Group Policy): unreadable: %s", name, wfpw_strerror(rc));
            return WFPW_EINVAL;
        }
        /* policy paths are absolute by nature; relative ones resolve against the file */
        if ((rc = wfpw_cfgtab_set(t, t->keys[i].key, val, dst, cfg->base_dir, err, errlen)) != 0) {
            char what[WFPW_CFG_STR_MAX];
            snprintf(what, sizeof(what), "%s", err);
            snprintf(err, errlen, "%s%s (Group Policy value)", prefix, what);
            return rc;
        }
        cfg->policy_applied++;
    }
    return 0;
}

static int apply_policy(struct wfpw_agent_cfg *cfg, char *err, size_t errlen)
{
    return apply_policy_table(&table, "", cfg, cfg, err, errlen);
}

/* A source of type st with its defaults, appended to cfg (for the `sources` policy). */
static int add_default_source(struct wfpw_agent_cfg *cfg, const struct wfpw_source_type *st, char *err, size_t errlen)
{
    struct wfpw_cfg_table t = {st->conf_keys, st->nconf_keys};
    struct wfpw_source_cfg *sc;
    char prefix[96];
    int rc;
    if (cfg->nsources == WFPW_MAX_SOURCES) {
        snprintf(err, errlen, "sources (Group Policy): at most %d sources", WFPW_MAX_SOURCES);
        return WFPW_EINVAL;
    }
    sc = &cfg->sources[cfg->nsources];
    if ((sc->conf = wfpw_calloc(1, st->conf_size ? st->conf_size : 1)) == NULL)
        return WFPW_ENOMEM;
    sc->type = st;
    cfg->nsources++;
    snprintf(prefix, sizeof(prefix), "sources.%s", st->name); /* "sources.replay.path: required ..." */
    if ((rc = wfpw_cfgtab_defaults(&t, sc->conf, cfg->base_dir, err, errlen)) != 0 ||
        (rc = wfpw_cfgtab_check_required(&t, sc->conf, prefix, err, errlen)) != 0) {
        size_t l = strlen(err);
        snprintf(err + l, errlen - l, " (Group Policy lists the source; set it too)");
        return rc;
    }
    return 0;
}

/* Group Policy for sources: `sources` (a list of types) is the set of sources that run —
 * the file's settings kept for the types it has, defaults for the others, the rest dropped;
 * `sources.TYPE.KEY` sets KEY of every source of TYPE. */
static int apply_source_policy(struct wfpw_agent_cfg *cfg, char *err, size_t errlen)
{
    char val[WFPW_CFG_STR_MAX], prefix[96];
    size_t i;
    int rc = wfpw__plat_policy_get("sources", val, sizeof(val));
    if (rc != 0 && rc != WFPW_ENOENT) {
        snprintf(err, errlen, "sources (Group Policy): unreadable: %s", wfpw_strerror(rc));
        return WFPW_EINVAL;
    }
    if (rc == 0) {
        struct wfpw_source_cfg kept[WFPW_MAX_SOURCES];
        size_t nkept = 0, nold = cfg->nsources;
        const char *p = val;
        int listed[WFPW_MAX_SOURCES] = {0};
        /* which of the file's sources stay */
        while (*p) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            char type[64];
            const struct wfpw_source_type *st;
            int found = 0;
            snprintf(type, sizeof(type), "%.*s", (int)(n < 63 ? n : 63), p);
            p += n + (comma ? 1 : 0);
            if (type[0] == '\0')
                continue;
            if ((st = wfpw_source_type_find(type)) == NULL) {
                snprintf(err, errlen, "sources (Group Policy): unknown source type \"%s\"", type);
                return WFPW_EINVAL;
            }
            for (i = 0; i < nold; i++)
                if (cfg->sources[i].type == st) {
                    listed[i] = found = 1;
                }
            if (!found && (rc = add_default_source(cfg, st, err, errlen)) != 0)
                return rc;
        }
        for (i = 0; i < cfg->nsources; i++) {
            if (i < nold && !listed[i])
                wfpw_free(cfg->sources[i].conf);
            else
                kept[nkept++] = cfg->sources[i];
        }
        memcpy(cfg->sources, kept, nkept * sizeof(kept[0]));
        cfg->nsources = nkept;
        cfg->policy_applied++;
    }
    for (i = 0; i < cfg->nsources; i++) {
        const struct wfpw_source_type *st = cfg->sources[i].type;
        struct wfpw_cfg_table t = {st->conf_keys, st->nconf_keys};
        snprintf(prefix, sizeof(prefix), "sources.%s.", st->name);
        if ((rc = apply_policy_table(&t, prefix, cfg->sources[i].conf, cfg, err, errlen)) != 0)
            return rc;
    }
    return 0;
}

/* The collector.ca_fingerprint as 64 lower-case hex digits (colons and spaces dropped). */
static int normalize_fingerprint(char *fp)
{
    size_t i, o = 0;
    for (i = 0; fp[i]; i++) {
        char c = fp[i];
        if (c == ':' || c == ' ')
            continue;
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return WFPW_EINVAL;
        fp[o++] = c;
    }
    fp[o] = '\0';
    return o == 64 ? 0 : WFPW_EINVAL;
}

/* Where the certificate, key and CA live: configured, or in data_dir when enrollment or the
 * CA fingerprint provides them; otherwise they are required. */
static int credential_paths(struct wfpw_agent_cfg *cfg, char *err, size_t errlen)
{
    static const struct {
        size_t field;
        const char *key, *file, *needs;
    } derived[] = {
        {F(collector_cert), "collector.cert", "agent.crt", "collector.enroll_token"},
        {F(collector_key), "collector.key", "agent.key", "collector.enroll_token"},
        {F(collector_ca), "collector.ca", "collector-ca.crt", "collector.ca_fingerprint"},
    };
    size_t i;
    if (cfg->collector_ca_fingerprint[0] && normalize_fingerprint(cfg->collector_ca_fingerprint) != 0) {
        snprintf(err, errlen, "collector.ca_fingerprint: expected the SHA-256 of the CA certificate, 64 hex digits");
        return WFPW_EINVAL;
    }
    for (i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
        char *v = (char *)cfg + derived[i].field;
        int have = i < 2 ? cfg->collector_enroll_token[0] != '\0' : cfg->collector_ca_fingerprint[0] != '\0';
        if (v[0])
            continue;
        if (!have) {
            snprintf(err, errlen, "%s: required key is missing (or set %s)", derived[i].key, derived[i].needs);
            return WFPW_EINVAL;
        }
        if (snprintf(v, WFPW_CFG_STR_MAX, "%s/%s", cfg->data_dir, derived[i].file) >= WFPW_CFG_STR_MAX) {
            snprintf(err, errlen, "data_dir: too long");
            return WFPW_ERANGE;
        }
    }
    return 0;
}

int wfpw_agent_cfg_parse(const char *path, const char *data, size_t len, struct wfpw_agent_cfg *cfg,
                         char *err, size_t errlen)
{
    struct wfpw_json_err jerr;
    cJSON *root = NULL;
    size_t i;
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
        rc = apply_source_policy(cfg, err, errlen);
    if (rc == 0)
        rc = wfpw_cfgtab_check_required(&table, cfg, "", err, errlen);
    if (rc == 0)
        rc = credential_paths(cfg, err, errlen);
    for (i = 0; rc == 0 && i < cfg->collector_urls.n; i++)
        if (strncmp(cfg->collector_urls.v[i], "https://", 8) != 0 || cfg->collector_urls.v[i][8] == '\0') {
            if (cfg->collector_urls.n == 1)
                snprintf(err, errlen, "collector.url: must start with https:// (agents ship over mutual TLS only)");
            else
                snprintf(err, errlen, "collector.url[%zu]: must start with https:// (agents ship over mutual TLS only)", i);
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
    wfpw_buf_puts(out, "sources  (array of objects, required)\n    each has \"type\" and that type's keys;"
                       " Group Policy: `sources` (list of types to run) and sources.TYPE.KEY\n");
    for (st = wfpw_source_types(); *st; st++) {
        struct wfpw_cfg_table t = {(*st)->conf_keys, (*st)->nconf_keys};
        char prefix[64];
        wfpw_buf_printf(out, "  type \"%s\": %s\n", (*st)->name, (*st)->help);
        snprintf(prefix, sizeof(prefix), "    sources[].");
        wfpw_cfgtab_help(&t, prefix, out);
    }
}
