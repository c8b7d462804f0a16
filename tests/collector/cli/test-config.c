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
    }
    return 0;
}

/* Every key of the settings table has a row in docs/collector.md. */
TEST_IMPL(sync_config_doc)
{
    size_t len, i;
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
    }
    ASSERT(i > 20);
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
