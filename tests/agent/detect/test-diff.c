/*
 * test-diff.c — agent/src/detect/diff.c: identical inventories, run-time ids reassigned (no
 * change), one filter changed (attributes named), removed and added filters, and the
 * analyzer treating changed filters as new against a baseline. On our own dump of an ordinary
 * host (tests/data/netsh/host-filters.xml); conformance_* repeats the diff on the real dump in
 * ../shared/samples/edrsilencer.
 */
#include "../../runner.h"
#include "analyze.h"
#include "diff.h"
#include "netsh.h"
#include "wfpw/mem.h"

static void load(struct wfpw_inventory *inv, const char *path)
{
    char err[256];
    wfpw_inventory_init(inv);
    if (wfpw_netsh_read_file(path, inv, err, sizeof(err)) != 0)
        fprintf(stderr, "%s\n", err);
    ASSERT(inv->nfilters > 4);
    ASSERT(inv->filters[1].nconds >= 3); /* the changed filter below has a third condition */
}

/* Two reads of the dump at path: equal; ids reassigned; one filter changed, one replaced. */
static void check_diff(const char *path)
{
    struct wfpw_inventory a, b;
    struct wfpw_diff d;
    size_t i;
    char p[1024];
    snprintf(p, sizeof(p), "%s", path);
    load(&a, p);
    load(&b, p);
    ASSERT(wfpw_inventory_diff(&a, &b, &d) == 0);
    ASSERT_EQ(d.n, 0);
    wfpw_diff_free(&d);

    /* BFE restart: every run-time id changes, nothing else: no change */
    for (i = 0; i < b.nfilters; i++)
        b.filters[i].id += 1000;
    ASSERT(wfpw_inventory_diff(&a, &b, &d) == 0);
    ASSERT_EQ(d.n, 0);
    wfpw_diff_free(&d);

    /* one changed (weight and a condition), one replaced by a new key (removed + added) */
    b.filters[1].weight_value = "15";
    b.filters[1].conds[2].value = "548";
    b.filters[4].key = "{00000000-0000-4000-8000-000000000001}";
    ASSERT(wfpw_inventory_diff(&a, &b, &d) == 0);
    ASSERT_EQ(d.changed, 1);
    ASSERT_EQ(d.added, 1);
    ASSERT_EQ(d.removed, 1);
    ASSERT_EQ(d.n, 3);
    for (i = 0; i < d.n; i++) {
        if (d.items[i].kind == WFPW_FILTER_CHANGED) {
            ASSERT_STR_EQ(d.items[i].changed, "weight,conditions");
            ASSERT(d.items[i].after == &b.filters[1] && d.items[i].before == &a.filters[1]);
        } else if (d.items[i].kind == WFPW_FILTER_ADDED) {
            ASSERT(d.items[i].after == &b.filters[4] && d.items[i].before == NULL);
        } else {
            ASSERT(d.items[i].before == &a.filters[4] && d.items[i].after == NULL);
        }
    }
    wfpw_diff_free(&d);

    /* against an empty baseline everything is added; the reverse removes everything */
    {
        struct wfpw_inventory empty;
        wfpw_inventory_init(&empty);
        ASSERT(wfpw_inventory_diff(&empty, &a, &d) == 0);
        ASSERT_EQ(d.added, a.nfilters);
        wfpw_diff_free(&d);
        ASSERT(wfpw_inventory_diff(&a, &empty, &d) == 0);
        ASSERT_EQ(d.removed, a.nfilters);
        wfpw_diff_free(&d);
        wfpw_inventory_free(&empty);
    }
    wfpw_inventory_free(&a);
    wfpw_inventory_free(&b);
}

TEST_IMPL(diff_inventories)
{
    check_diff(wfpw_test_data("netsh/host-filters.xml"));
    return 0;
}

TEST_IMPL(conformance_diff_inventories)
{
    check_diff(wfpw_test_shared("samples/edrsilencer/netsh_wfp_show_filters.excerpt.xml"));
    return 0;
}

/* A filter that changed under a key the baseline knows is judged as new. */
TEST_IMPL(analyze_baseline_changed_is_new)
{
    struct wfpw_inventory base, now;
    struct wfpw_analysis res;
    struct wfpw_buf out;
    char err[256];
    size_t i;
    wfpw_inventory_init(&base);
    wfpw_inventory_init(&now);
    ASSERT(wfpw_netsh_read_file(wfpw_test_data("netsh/edrsilencer-v14.xml"), &base, err, sizeof(err)) == 0);
    ASSERT(wfpw_netsh_read_file(wfpw_test_data("netsh/edrsilencer-v14.xml"), &now, err, sizeof(err)) == 0);
    wfpw_buf_init(&out, 1 << 22);
    ASSERT(wfpw_analyze(&now, &base, NULL, 0, &out, &res) == 0);
    ASSERT_EQ(res.worst_new, 0);
    ASSERT_EQ(res.preexisting, 6);
    ASSERT(strstr(out.data, "\"added\":0,\"removed\":0,\"changed\":0") != NULL);
    /* the V6 twin is re-added with another condition value under the same key */
    now.filters[1].conds[0].value = "\\device\\harddiskvolume3\\program files\\sentinelone\\sentinelagent.exe";
    wfpw_buf_reset(&out);
    ASSERT(wfpw_analyze(&now, &base, NULL, 0, &out, &res) == 0);
    ASSERT_EQ(res.worst_new, 4);
    ASSERT_EQ(res.counts[4], 1);
    ASSERT_EQ(res.preexisting, 3);
    ASSERT_EQ(res.changed, 1);
    for (i = 0; i < out.len; i++)
        ASSERT(out.data[i] != '\0');
    wfpw_buf_free(&out);
    wfpw_inventory_free(&base);
    wfpw_inventory_free(&now);
    return 0;
}
