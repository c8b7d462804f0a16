/*
 * test-aggr.c — agent/src/pipeline/aggr.c: packet drops merged per flow with count and the time
 * span, connection blocks passing up to the burst then merged, deterministic flush order,
 * the flow bound.
 */
#include "../../runner.h"
#include "aggr.h"
#include "wfpw/errors.h"
#include "wfpw/proto.h"

static cJSON *blk(uint32_t rport, int64_t t)
{
    struct wfpw_endpoint l = {"10.0.0.5", 50000}, r = {"20.42.65.92", 443};
    struct wfpw_ev_blocked e;
    memset(&e, 0, sizeof(e));
    r.port = rport;
    e.seq = 1, e.time_ms = e.first_seen_ms = e.last_seen_ms = t, e.source = "audit", e.direction = "inbound";
    e.protocol = 6, e.local = &l, e.remote = &r, e.pid = -1, e.verdict = "unknown", e.count = 1;
    return wfpw_event_blocked(&e);
}

struct got {
    cJSON *ev[16];
    int n;
};

static int collect(void *ctx, cJSON *ev)
{
    struct got *g = ctx;
    g->ev[g->n++] = ev;
    return 0;
}

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k)->valuedouble;
}

TEST_IMPL(aggr_packets_and_bursts)
{
    struct wfpw_aggr *a = wfpw_aggr_new(16, 2);
    struct got g;
    struct wfpw_proto_err perr;
    int i;
    memset(&g, 0, sizeof(g));
    ASSERT(a != NULL);
    /* packets: 5 of flow 443 and 3 of flow 80, all absorbed */
    for (i = 0; i < 5; i++)
        ASSERT_EQ(wfpw_aggr_add(a, blk(443, 1000 + i), 1), 1);
    for (i = 0; i < 3; i++)
        ASSERT_EQ(wfpw_aggr_add(a, blk(80, 2000 + i), 1), 1);
    /* connections of flow 22: two pass, the next three are merged */
    for (i = 0; i < 5; i++) {
        cJSON *ev = blk(22, 3000 + i);
        int rc = wfpw_aggr_add(a, ev, 0);
        ASSERT_EQ(rc, i < 2 ? 0 : 1);
        if (rc == 0)
            cJSON_Delete(ev);
    }
    ASSERT_EQ(wfpw_aggr_held(a), 11);
    ASSERT(wfpw_aggr_flush(a, collect, &g) == 0);
    ASSERT_EQ(g.n, 3);
    ASSERT_EQ(num(cJSON_GetObjectItemCaseSensitive(g.ev[0], "remote"), "port"), 443); /* first-seen order */
    ASSERT_EQ(num(g.ev[0], "count"), 5);
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(g.ev[0], "first_seen")->valuestring, "1970-01-01T00:00:01.000Z");
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(g.ev[0], "last_seen")->valuestring, "1970-01-01T00:00:01.004Z");
    ASSERT_EQ(num(g.ev[1], "count"), 3);
    ASSERT_EQ(num(g.ev[2], "count"), 3);
    for (i = 0; i < g.n; i++) {
        ASSERT(wfpw_event_validate(g.ev[i], "event", &perr) == 0);
        cJSON_Delete(g.ev[i]);
    }
    ASSERT_EQ(wfpw_aggr_flows(a), 0);
    wfpw_aggr_free(a);
    return 0;
}

/* Flows that differ in one number only stay apart, near 2^53 too, where adding 0.5 to a
 * double rounds two neighbouring integers to one (the flow key writes numbers itself). */
TEST_IMPL(aggr_flow_key_numbers)
{
    static const double ids[] = {4503599627370497.0, 4503599627370498.0, 9007199254740991.0, 0, 1};
    struct wfpw_aggr *a = wfpw_aggr_new(16, 0);
    struct got g;
    size_t i;
    memset(&g, 0, sizeof(g));
    ASSERT(a != NULL);
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        cJSON *ev = blk(443, 1000), *f = cJSON_GetObjectItemCaseSensitive(ev, "filter");
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(f, "id"), ids[i]);
        ASSERT_EQ(wfpw_aggr_add(a, ev, 1), 1);
    }
    ASSERT_EQ(wfpw_aggr_flows(a), 5);
    ASSERT(wfpw_aggr_flush(a, collect, &g) == 0);
    ASSERT_EQ(g.n, 5);
    for (i = 0; i < (size_t)g.n; i++) {
        ASSERT_EQ(num(cJSON_GetObjectItemCaseSensitive(g.ev[i], "filter"), "id"), ids[i]);
        ASSERT_EQ(num(g.ev[i], "count"), 1);
        cJSON_Delete(g.ev[i]);
    }
    wfpw_aggr_free(a);
    return 0;
}

TEST_IMPL(aggr_flow_bound)
{
    struct wfpw_aggr *a = wfpw_aggr_new(16, 0);
    struct got g;
    cJSON *ev;
    int i;
    memset(&g, 0, sizeof(g));
    for (i = 0; i < 16; i++)
        ASSERT_EQ(wfpw_aggr_add(a, blk((uint32_t)(1000 + i), 1000), 1), 1);
    ev = blk(9999, 1000);
    ASSERT_EQ(wfpw_aggr_add(a, ev, 1), WFPW_ETOOBIG); /* caller keeps ev, closes the window */
    ASSERT(wfpw_aggr_flush(a, collect, &g) == 0);
    ASSERT_EQ(g.n, 16);
    ASSERT_EQ(wfpw_aggr_add(a, ev, 1), 1);
    for (i = 0; i < g.n; i++)
        cJSON_Delete(g.ev[i]);
    wfpw_aggr_free(a); /* frees the held event too */
    return 0;
}
