/*
 * test-config.c — agent/src/config/config.c and cfgtab.c: defaults, relative paths, every kind
 * of error naming its key (unknown key, wrong type, range, enum, missing required, unknown
 * source type, a source's own keys), secrets masked when printed.
 */
#include "../../runner.h"
#include "wfpw/cfgtab.h"
#include "config.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define BASE "{\"collector\":{\"url\":\"https://c:8443\",\"ca\":\"ca.crt\",\"cert\":\"a.crt\",\"key\":\"a.key\"%s}," \
             "\"sources\":[{\"type\":\"replay\",\"path\":\"cap\"%s}]%s}"

static int parse(const char *coll, const char *src, const char *top, struct wfpw_agent_cfg *cfg, char *err)
{
    char doc[2048];
    int rc;
    snprintf(doc, sizeof(doc), BASE, coll, src, top);
    rc = wfpw_agent_cfg_parse("/etc/wfpwatch/agent.json", doc, strlen(doc), cfg, err, 512);
    wfpw_agent_cfg_free(cfg);
    return rc;
}

TEST_IMPL(agent_config_defaults_and_paths)
{
    struct wfpw_agent_cfg cfg;
    char err[512] = "";
    char doc[1024];
    snprintf(doc, sizeof(doc), BASE, ",\"key_password\":\"hunter2\"", ",\"rate\":50", ",\"data_dir\":\"/var/x\"");
    ASSERT(wfpw_agent_cfg_parse("/etc/wfpwatch/agent.json", doc, strlen(doc), &cfg, err, sizeof(err)) == 0);
    ASSERT_STR_EQ(cfg.collector_ca, "/etc/wfpwatch/ca.crt");
    ASSERT_EQ(cfg.collector_urls.n, 1);
    ASSERT_STR_EQ(cfg.collector_urls.v[0], "https://c:8443");
    ASSERT_EQ(cfg.collector_failback_s, 300);
    ASSERT_STR_EQ(cfg.data_dir, "/var/x");
    ASSERT_EQ(cfg.batch_max_events, 5000);
    ASSERT_EQ(cfg.batch_max_bytes, 1048576);
    ASSERT_EQ(cfg.batch_max_delay_ms, 5000);
    ASSERT_EQ(cfg.spool_max_bytes, 268435456);
    ASSERT_EQ(cfg.heartbeat_s, 60);
    ASSERT_EQ(cfg.window_ms, 10000);
    ASSERT_STR_EQ(cfg.spool_fsync, "commit");
    ASSERT_EQ(cfg.nsources, 1);
    {
        struct wfpw_buf out;
        wfpw_buf_init(&out, 1 << 20);
        ASSERT(wfpw_agent_cfg_print(&cfg, &out) == 0);
        ASSERT(strstr(out.data, "hunter2") == NULL);
        ASSERT(strstr(out.data, "\"***\"") != NULL);
        ASSERT(strstr(out.data, "/etc/wfpwatch/cap") != NULL);
        ASSERT(strstr(out.data, "\"rate\":\t50") != NULL);
        wfpw_buf_free(&out);
    }
    wfpw_agent_cfg_free(&cfg);
    return 0;
}

TEST_IMPL(agent_config_errors_name_the_key)
{
    static const struct {
        const char *coll, *src, *top, *want;
    } cases[] = {
        {"", "", ",\"bogus\":1", "bogus: unknown key"},
        {"", "", ",\"batch\":{\"max_event\":5}", "batch.max_event: unknown key"},
        {"", "", ",\"batch\":{\"max_events\":0}", "batch.max_events: expected an integer from 1 to 10000"},
        {"", "", ",\"batch\":{\"max_events\":\"10\"}", "batch.max_events: expected an integer from 1 to 10000"},
        {"", "", ",\"batch\":5", "batch: expected an object"},
        {"", "", ",\"spool\":{\"fsync\":\"sometimes\"}", "spool.fsync: must be one of commit always off"},
        {"", "", ",\"log\":{\"level\":\"loud\"}", "log.level: must be one of"},
        {"", "", ",\"heartbeat_s\":-1", "heartbeat_s: expected an integer from 1 to 86400"},
        {"", ",\"rate\":-5", "", "sources[0].rate: expected an integer from"},
        {"", ",\"loop\":\"yes\"", "", "sources[0].loop: expected true or false"},
        {"", ",\"colour\":1", "", "sources[0].colour: unknown key"},
        {"", "", ",\"retry\":{\"min_ms\":5000,\"max_ms\":1000}", "retry.min_ms: must not exceed retry.max_ms"},
        {"", "", ",\"detection\":{\"products\":[1]}", "detection.products: expected an array of non-empty strings"},
    };
    struct wfpw_agent_cfg cfg;
    char err[512];
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        err[0] = '\0';
        if (parse(cases[i].coll, cases[i].src, cases[i].top, &cfg, err) == 0 || strstr(err, cases[i].want) == NULL) {
            fprintf(stderr, "case %zu: got \"%s\", want \"%s\"\n", i, err, cases[i].want);
            ASSERT(0);
        }
    }
    /* missing required, unknown source type, not JSON, duplicate key */
    {
        static const char *const docs[][2] = {
            {"{\"sources\":[{\"type\":\"replay\",\"path\":\"x\"}]}", "collector.url: required key is missing"},
            {"{\"collector\":{\"url\":\"https://c\",\"ca\":\"a\",\"cert\":\"b\",\"key\":\"c\"}}", "sources: required key is missing"},
            {"{\"collector\":{\"url\":\"https://c\",\"ca\":\"a\",\"cert\":\"b\",\"key\":\"c\"},\"sources\":[{\"type\":\"etw\"}]}",
             "sources[0].type: unknown source type \"etw\" (this build has: replay driver wfp eventlog firewall netevent surface)"},
            {"{\"collector\":{\"url\":\"https://c\",\"ca\":\"a\",\"cert\":\"b\",\"key\":\"c\"},\"sources\":[{\"type\":\"replay\"}]}",
             "sources[0].path: required key is missing"},
            {"{\"heartbeat_s\":1,\"heartbeat_s\":2}", "duplicate"},
            {"{\"collector\":{\"url\":\"http://c\",\"ca\":\"a\",\"cert\":\"b\",\"key\":\"c\"},\"sources\":[{\"type\":\"replay\",\"path\":\"x\"}]}",
             "collector.url: must start with https://"},
            {"{\"a\":", "not valid JSON"},
            /* collector.url as a list: every item checked, by its index */
            {"{\"collector\":{\"url\":[\"https://a\",\"http://b\"],\"ca\":\"a\",\"cert\":\"b\",\"key\":\"c\"},\"sources\":[{\"type\":\"replay\",\"path\":\"x\"}]}",
             "collector.url[1]: must start with https://"},
            {"{\"collector\":{\"url\":[],\"ca\":\"a\",\"cert\":\"b\",\"key\":\"c\"},\"sources\":[{\"type\":\"replay\",\"path\":\"x\"}]}",
             "collector.url: required key is missing"},
            {"{\"collector\":{\"url\":[\"https://a\",7],\"ca\":\"a\",\"cert\":\"b\",\"key\":\"c\"},\"sources\":[{\"type\":\"replay\",\"path\":\"x\"}]}",
             "collector.url: expected an array of non-empty strings"},
            {"{\"collector\":{\"url\":5,\"ca\":\"a\",\"cert\":\"b\",\"key\":\"c\"},\"sources\":[{\"type\":\"replay\",\"path\":\"x\"}]}",
             "collector.url: expected a string or an array of strings"},
            {"{\"collector\":{\"url\":\"https://a\",\"failback_s\":0,\"ca\":\"a\",\"cert\":\"b\",\"key\":\"c\"},\"sources\":[{\"type\":\"replay\",\"path\":\"x\"}]}",
             "collector.failback_s: expected an integer from 1 to 86400"},
        };
        for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
            err[0] = '\0';
            if (wfpw_agent_cfg_parse("agent.json", docs[i][0], strlen(docs[i][0]), &cfg, err, sizeof(err)) == 0 ||
                strstr(err, docs[i][1]) == NULL) {
                fprintf(stderr, "doc %zu: got \"%s\", want \"%s\"\n", i, err, docs[i][1]);
                ASSERT(0);
            }
            wfpw_agent_cfg_free(&cfg);
        }
    }
    return 0;
}

/* collector.url: one string or a list, preferred first; a policy value is a comma-separated list */
TEST_IMPL(agent_config_collector_url_list)
{
    struct wfpw_agent_cfg cfg;
    char err[512] = "";
    const char *doc = "{\"collector\":{\"url\":[\"https://a:8443/\",\"https://b:8443\"],\"failback_s\":30,"
                      "\"ca\":\"ca\",\"cert\":\"c\",\"key\":\"k\"},\"sources\":[{\"type\":\"replay\",\"path\":\"x\"}]}";
    struct wfpw_buf out;
    ASSERT(wfpw_agent_cfg_parse("agent.json", doc, strlen(doc), &cfg, err, sizeof(err)) == 0);
    ASSERT_EQ(cfg.collector_urls.n, 2);
    ASSERT_STR_EQ(cfg.collector_urls.v[0], "https://a:8443/");
    ASSERT_STR_EQ(cfg.collector_urls.v[1], "https://b:8443");
    ASSERT_EQ(cfg.collector_failback_s, 30);
    wfpw_buf_init(&out, 1 << 20);
    ASSERT(wfpw_agent_cfg_print(&cfg, &out) == 0);
    ASSERT(strstr(out.data, "\"url\":\t[\"https://a:8443/\", \"https://b:8443\"]") != NULL);
    wfpw_buf_free(&out);
    wfpw_agent_cfg_free(&cfg);
    return 0;
}

TEST_IMPL(agent_config_list_text_form)
{
    static const struct wfpw_cfg_key k[] = {
        {"u", WFPW_CFG_LIST, 0, 0, 0, NULL, NULL, WFPW_CFG_ONE_OR_MANY, "urls"},
    };
    struct wfpw_cfg_table t = {k, 1};
    struct wfpw_cfg_list l;
    char err[256] = "";
    ASSERT(wfpw_cfgtab_set(&t, "u", "https://a:8443, https://b:8443 ,,https://c", &l, ".", err, sizeof(err)) == 0);
    ASSERT_EQ(l.n, 3);
    ASSERT_STR_EQ(l.v[0], "https://a:8443");
    ASSERT_STR_EQ(l.v[1], "https://b:8443");
    ASSERT_STR_EQ(l.v[2], "https://c");
    return 0;
}
