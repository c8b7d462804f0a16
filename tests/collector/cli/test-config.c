/*
 * test-config.c — collector/src/config.c: defaults, a file over them, errors that name the
 * key, and docs/collector.md listing every key of the table.
 */
#include "../../runner.h"
#include "cli/cli.h"
#include "cli/config.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

TEST_IMPL(config_defaults_and_file)
{
    struct wfpw_config c;
    char err[256] = "", host[64];
    int port;
    static const char text[] = "{\"listen\":\"[::1]:9443\",\"data\":\"d\",\"pki\":\"/abs/pki\","
                               "\"limits\":{\"max_connections\":7},\"alerts\":{\"webhook\":{\"url\":"
                               "\"https://siem.example/hook\"},\"syslog\":{\"host\":null}}}";
    wfpw_config_defaults(&c);
    ASSERT_STR_EQ(c.listen, "127.0.0.1:8443");
    ASSERT_EQ(c.max_body_bytes, 8 << 20);
    ASSERT_EQ(c.silent_after_s, 600);
    ASSERT(wfpw_config_check(&c, err, sizeof(err)) == 0);
    ASSERT(wfpw_config_parse(&c, text, sizeof(text) - 1, "/etc/wfpwatch", err, sizeof(err)) == 0);
    ASSERT_STR_EQ(c.data, "/etc/wfpwatch/d");      /* relative to the file */
    ASSERT_STR_EQ(c.pki, "/abs/pki");
    ASSERT_EQ(c.max_connections, 7);
    ASSERT_STR_EQ(c.webhook_url, "https://siem.example/hook");
    ASSERT_STR_EQ(c.syslog_host, "");
    ASSERT(wfpw_config_check(&c, err, sizeof(err)) == 0);
    ASSERT(wfpw_config_listen(&c, host, sizeof(host), &port) == 0);
    ASSERT_STR_EQ(host, "::1");
    ASSERT_EQ(port, 9443);
    ASSERT(wfpw_config_set(&c, "limits.idle_timeout_ms", "500", err, sizeof(err)) == 0);
    ASSERT_EQ(c.idle_timeout_ms, 500);
    return 0;
}

TEST_IMPL(config_errors_name_the_key)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"{\"limits\":{\"max_bodybytes\":5}}", "limits.max_bodybytes: unknown key"},
        {"{\"silent_after_s\":\"x\"}", "silent_after_s: expected an integer"},
        {"{\"silent_after_s\":1.5}", "silent_after_s: expected an integer from 1"},
        {"{\"limits\":{\"max_connections\":0}}", "limits.max_connections: expected an integer from 1 to 100000"},
        {"{\"listen\":5}", "listen: expected a string"},
        {"{\"listen\":\"a\",\"listen\":\"b\"}", "listen: duplicate key"},
        {"[1]", "expected a JSON object"},
        {"{\"listen\":", "malformed JSON"},
        {"{\"store\":\"mysql\"}", "store: must be one of sqlite postgres none"},
        {"{\"log_level\":null}", "log_level: must not be null"},
        {"{\"alerts\":{\"syslog\":{\"protocol\":\"quic\"}}}", "alerts.syslog.protocol: must be one of udp tcp"},
        {"{\"limits\":5}", "limits: expected an object"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct wfpw_config c;
        char err[256] = "";
        wfpw_config_defaults(&c);
        ASSERT(wfpw_config_parse(&c, cases[i].text, strlen(cases[i].text), ".", err, sizeof(err)) != 0);
        if (strstr(err, cases[i].want) == NULL)
            fprintf(stderr, "case %zu: '%s'\n", i, err);
        ASSERT(strstr(err, cases[i].want) != NULL);
    }
    {
        struct wfpw_config c;
        char err[256] = "";
        wfpw_config_defaults(&c);
        snprintf(c.listen, sizeof(c.listen), "nohostport");
        ASSERT(wfpw_config_check(&c, err, sizeof(err)) == WFPW_EINVAL);
        ASSERT(strstr(err, "listen:") != NULL);
        ASSERT(wfpw_config_set(&c, "nope", "1", err, sizeof(err)) == WFPW_EINVAL);
        ASSERT(strstr(err, "nope: unknown key") != NULL);
        ASSERT(wfpw_config_set(&c, "limits.idle_timeout_ms", "1e3", err, sizeof(err)) == WFPW_EINVAL);
        ASSERT(strstr(err, "limits.idle_timeout_ms: expected an integer from 100 to 3600000") != NULL);
    }
    return 0;
}

/* Each text field's own size, not the agent's 512 bytes: a long libpq connection string fits,
 * one longer than the field is refused naming the key (and never quoting the secret), and ""
 * for a path means unset, as null does. */
TEST_IMPL(config_field_sizes_and_empty_paths)
{
    struct wfpw_config c;
    char err[256] = "", dsn[1100], *text;
    size_t n;
    memset(dsn, 0, sizeof(dsn));
    memcpy(dsn, "password=s3cret host=db dbname=x sslrootcert=/", 46);
    memset(dsn + 46, 'a', 900 - 46);      /* 900 bytes: over 512, under the field's 1024 */
    wfpw_config_defaults(&c);
    ASSERT_EQ(wfpw_config_set(&c, "postgres.dsn", dsn, err, sizeof(err)), 0);
    ASSERT_EQ(strlen(c.postgres_dsn), 900);
    memset(dsn + 900, 'a', 1050 - 900);   /* 1050: too long for it */
    ASSERT(wfpw_config_set(&c, "postgres.dsn", dsn, err, sizeof(err)) != 0);
    ASSERT(strstr(err, "postgres.dsn: value too long") != NULL);
    ASSERT(strstr(err, "s3cret") == NULL);
    ASSERT_EQ(strlen(c.postgres_dsn), 900);   /* the refused value changed nothing */
    /* the same through the file, and the path keys */
    text = wfpw_malloc(2048);
    ASSERT(text != NULL);
    n = (size_t)snprintf(text, 2048, "{\"alerts\":{\"webhook\":{\"ca\":\"\"}},\"data\":\"%.700s\"}", dsn + 46);
    wfpw_config_defaults(&c);
    snprintf(c.webhook_ca, sizeof(c.webhook_ca), "/etc/old.pem");
    ASSERT_EQ(wfpw_config_parse(&c, text, n, "/etc/wfpwatch", err, sizeof(err)), 0);
    ASSERT_STR_EQ(c.webhook_ca, "");                       /* "" = unset: the system store */
    ASSERT_EQ(strlen(c.data), strlen("/etc/wfpwatch/") + 700);
    n = (size_t)snprintf(text, 2048, "{\"data\":\"%.1010s\"}", dsn + 40);
    ASSERT(wfpw_config_parse(&c, text, n, "/etc/wfpwatch", err, sizeof(err)) != 0);
    ASSERT(strstr(err, "data: path too long") != NULL);
    wfpw_free(text);
    return 0;
}

/* Every key of the settings table has a row in docs/collector.md. */
TEST_IMPL(sync_config_doc)
{
    size_t len, i, defaults = 0;
    char *doc = wfpw_test_read(wfpw_test_source("docs/collector.md"), &len);
    const char *k;
    ASSERT(doc != NULL);
    for (i = 0; (k = wfpw_config_key(i)) != NULL; i++) {
        char row[128];
        const char *dot = strrchr(k, '.');
        snprintf(row, sizeof(row), "`%s`", k);
        /* the syslog triple shares one row: `alerts.syslog.host` / `.port` / `.protocol` */
        if (strstr(doc, row) == NULL && dot && strncmp(k, "alerts.syslog.", 14) == 0) {
            snprintf(row, sizeof(row), "`%s`", dot);
        }
        if (strstr(doc, row) == NULL)
            fprintf(stderr, "docs/collector.md lacks %s\n", k);
        ASSERT(strstr(doc, row) != NULL);
        /* a key's own row shows the table's default in its second cell, as text or `code` */
        snprintf(row, sizeof(row), "| `%s` | ", k);
        if (wfpw_config_default(i) && strstr(doc, row)) {
            const char *cell = strstr(doc, row) + strlen(row), *def = wfpw_config_default(i);
            size_t dl = strlen(def);
            int same = (strncmp(cell, def, dl) == 0 && (cell[dl] == ' ' || cell[dl] == '|')) ||
                       (cell[0] == '`' && strncmp(cell + 1, def, dl) == 0 && cell[dl + 1] == '`');
            if (!same)
                fprintf(stderr, "docs/collector.md: %s's default is %s in the table, not '%.20s'\n", k, def, cell);
            ASSERT(same);
            defaults++;
        }
    }
    ASSERT(i > 20);
    ASSERT(defaults > 20);   /* the rows were found, not skipped */
    wfpw_free(doc);
    return 0;
}

/* Maintenance runs often enough for retention.interval_s as well as for silent hosts (it once
 * followed silent_after_s alone: retention every second ran every 30 s). */
TEST_IMPL(config_maintenance_period)
{
    struct wfpw_config c;
    wfpw_config_defaults(&c);
    c.retention_interval_s = 1, c.silent_after_s = 3600;
    ASSERT_EQ(wfpw__serve_maintenance_ms(&c), 1000);
    c.retention_interval_s = 300, c.silent_after_s = 8;
    ASSERT_EQ(wfpw__serve_maintenance_ms(&c), 2000);
    c.retention_interval_s = 86400, c.silent_after_s = 86400;
    ASSERT_EQ(wfpw__serve_maintenance_ms(&c), 30000); /* at least every 30 s */
    c.retention_interval_s = 1, c.silent_after_s = 1;
    ASSERT_EQ(wfpw__serve_maintenance_ms(&c), 500);   /* at most every 0.5 s */
    return 0;
}
