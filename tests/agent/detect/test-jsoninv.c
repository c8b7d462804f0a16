/*
 * test-jsoninv.c — agent/src/detect/jsoninv.c: an inventory written as proto filter objects
 * and read back gives the same findings as the netsh dump it came from; malformed JSON
 * inventories are refused naming the filter and field.
 */
#include "../../runner.h"
#include "analyze.h"
#include "jsoninv.h"
#include "netsh.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

static char *as_json(const struct wfpw_inventory *inv, size_t *len)
{
    struct wfpw_buf b;
    size_t i;
    wfpw_buf_init(&b, 1u << 26);
    wfpw_buf_puts(&b, "{\"host\":\"WS-1\",\"filters\":[");
    for (i = 0; i < inv->nfilters; i++) {
        cJSON *f = wfpw_inventory_filter_json(inv, &inv->filters[i]);
        ASSERT(f != NULL);
        if (i)
            wfpw_buf_putc(&b, ',');
        wfpw_json_write(f, &b);
        cJSON_Delete(f);
    }
    wfpw_buf_puts(&b, "]}");
    ASSERT(b.err == 0);
    return wfpw_buf_detach(&b, len);
}

static void findings(const struct wfpw_inventory *inv, struct wfpw_analysis *res)
{
    struct wfpw_buf out;
    wfpw_buf_init(&out, 1u << 24);
    ASSERT(wfpw_analyze(inv, NULL, NULL, 0, &out, res) == 0);
    wfpw_buf_free(&out);
}

TEST_IMPL(jsoninv_round_trip)
{
    static const char *const files[] = {"netsh/edrsilencer-v14.xml", "netsh/conditions.xml"};
    size_t k;
    for (k = 0; k < 2; k++) {
        struct wfpw_inventory xml, json;
        struct wfpw_analysis a, b;
        char err[256] = "", *text;
        size_t len, i;
        wfpw_inventory_init(&xml);
        wfpw_inventory_init(&json);
        ASSERT(wfpw_netsh_read_file(wfpw_test_data(files[k]), &xml, err, sizeof(err)) == 0);
        text = as_json(&xml, &len);
        if (wfpw_json_inventory_read(text, len, &json, err, sizeof(err)) != 0)
            fprintf(stderr, "%s\n", err);
        ASSERT_STR_EQ(err, "");
        ASSERT_STR_EQ(json.source, "JSON inventory");
        ASSERT_EQ(json.nfilters, xml.nfilters);
        for (i = 0; i < xml.nfilters; i++) {
            ASSERT_STR_EQ(json.filters[i].key, xml.filters[i].key);
            ASSERT_EQ(json.filters[i].nconds, xml.filters[i].nconds);
            ASSERT_STR_EQ(json.filters[i].conds[0].value, xml.filters[i].conds[0].value);
        }
        /* the judged layers carry their SDK key on the wire */
        ASSERT(strstr(text, "\"layer\":{\"key\":\"{c38d57d1-05a7-4c33-904f-7fbceee60e82}\",\"name\":\"ALE_AUTH_CONNECT_V4\"}") != NULL);
        findings(&xml, &a);
        findings(&json, &b);
        ASSERT(memcmp(a.counts, b.counts, sizeof(a.counts)) == 0);
        ASSERT(a.worst_new > 0);
        wfpw_free(text);
        wfpw_inventory_free(&xml);
        wfpw_inventory_free(&json);
    }
    return 0;
}

TEST_IMPL(jsoninv_malformed)
{
    static const struct {
        const char *doc, *msg;
    } cases[] = {
        {"{\"filters\":[{\"key\":\"x\"}]}", "filters[0].key: expected a GUID"},
        {"[{\"key\":\"{3f8e2d6b-91c4-4a57-b0e3-7d25c8a41f96}\"}]", "filters[0].id: required field is missing"},
        {"{\"host\":\"a\"}", "expected an array of filters"},
        {"{\"filters\":[1]}", "filters[0]: expected an object"},
        {"{\"filters\":[", "malformed JSON"},
        {"{\"filters\":[],\"filters\":[]}", "filters: duplicate key"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct wfpw_inventory inv;
        char err[256] = "";
        wfpw_inventory_init(&inv);
        ASSERT(wfpw_json_inventory_read(cases[i].doc, strlen(cases[i].doc), &inv, err, sizeof(err)) != 0);
        if (strstr(err, cases[i].msg) == NULL)
            fprintf(stderr, "case %zu: '%s'\n", i, err);
        ASSERT(strstr(err, cases[i].msg) != NULL);
        wfpw_inventory_free(&inv);
    }
    return 0;
}
