/*
 * test-changeset.c — agent/src/detect/changeset.c: a baseline inventory and a later change
 * set become valid proto v1 events (filter_added/removed/changed with the change set's id,
 * alerts for findings on added filters, one inventory_changed summary), and every event is
 * accepted by the wire validator (so the collector stores it). The baseline is our own dump of
 * an ordinary host (tests/data/netsh/host-filters.xml); conformance_* repeats both tests with
 * the real dump in ../shared/samples/edrsilencer as the baseline.
 */
#include "../../runner.h"
#include "changeset.h"
#include "netsh.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

#define SET "0b8f3c6e-5a2d-4e71-9c4b-7d1e2f3a4b5c"

static size_t count_type(const cJSON *events, const char *type)
{
    const cJSON *e;
    size_t n = 0;
    cJSON_ArrayForEach(e, events)
        n += strcmp(cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring, type) == 0;
    return n;
}

/* All events pass the wire rules inside one batch, and carry the change set's id. */
static void check_wire(cJSON *events)
{
    struct wfpw_agent_ident agent = {"a", "h", "0.1.0", "windows"};
    struct wfpw_batch *b = wfpw_batch_new(&agent, SET, 1763781401250LL);
    struct wfpw_proto_err err;
    cJSON *e;
    ASSERT(b != NULL);
    while ((e = cJSON_DetachItemFromArray(events, 0)) != NULL) {
        const cJSON *cs = cJSON_GetObjectItemCaseSensitive(e, "change_set");
        ASSERT(cJSON_IsString(cs) && strcmp(cs->valuestring, SET) == 0);
        memset(&err, 0, sizeof(err));
        if (wfpw_batch_add(b, e, &err) != 0)
            fprintf(stderr, "%s: %s\n", err.field, err.msg);
        ASSERT(err.msg[0] == '\0');
    }
    wfpw_batch_free(b);
}

/* base and now both hold the dump at path (the host before the attack); now also gets the
 * EDRSilencer v1.4 dump's two filters and provider (the attack). Returns the host's filters. */
static size_t read_host_and_attack(const char *path, struct wfpw_inventory *base, struct wfpw_inventory *now)
{
    char err[256], p[1024];
    size_t n;
    snprintf(p, sizeof(p), "%s", path);
    wfpw_inventory_init(base);
    wfpw_inventory_init(now);
    ASSERT(wfpw_netsh_read_file(p, base, err, sizeof(err)) == 0);
    ASSERT(wfpw_netsh_read_file(p, now, err, sizeof(err)) == 0);
    n = base->nfilters;
    ASSERT(n > 0);
    ASSERT(wfpw_netsh_read_file(wfpw_test_data("netsh/edrsilencer-v14.xml"), now, err, sizeof(err)) == 0);
    ASSERT_EQ(now->nfilters, n + 2);
    return n;
}

static void check_baseline_and_attack(const char *path)
{
    struct wfpw_inventory base, now;
    struct wfpw_changeset_opts o = {NULL, 2, SET, 1763781400000LL, NULL, NULL};
    const cJSON *last;
    cJSON *events;
    uint64_t seq = 100;
    char err[256];
    size_t n = read_host_and_attack(path, &base, &now);

    /* baseline: every filter added, nothing to alert on, one summary marked baseline */
    ASSERT(wfpw_changeset_events(NULL, &base, &o, &seq, &events) == 0);
    ASSERT_EQ(count_type(events, "filter_added"), n);
    ASSERT_EQ(count_type(events, "alert"), 0);
    last = cJSON_GetArrayItem(events, cJSON_GetArraySize(events) - 1);
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(last, "type")->valuestring, "inventory_changed");
    ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(last, "baseline")));
    ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(last, "added")->valuedouble, n);
    ASSERT_EQ(seq, 100 + n + 1);
    check_wire(events);
    cJSON_Delete(events);

    /* the change set: two filters added, each judged: critical app-id block and impersonation
     * (the low persistent-block finding stays below min_alert_rank) */
    ASSERT(wfpw_changeset_events(&base, &now, &o, &seq, &events) == 0);
    ASSERT_EQ(cJSON_GetArraySize(events), 2 + 4 + 1);
    ASSERT_EQ(count_type(events, "filter_added"), 2);
    ASSERT_EQ(count_type(events, "alert"), 4);
    last = cJSON_GetArrayItem(events, 6);
    ASSERT(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(last, "baseline")));
    {
        const cJSON *a = cJSON_GetArrayItem(events, 2);
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(a, "rule")->valuestring, "edr-app-block");
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(a, "severity")->valuestring, "critical");
        ASSERT(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(a, "preexisting")));
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "filter"), "name")->valuestring,
                      "Custom Outbound Filter");
    }
    check_wire(events);
    cJSON_Delete(events);

    /* removed and changed: the attacker's V6 filter goes, the V4 filter gets another path */
    now.nfilters--;
    now.filters[n].conds[0].value = "\\device\\harddiskvolume3\\program files\\sentinelone\\sentinelagent.exe";
    {
        struct wfpw_inventory prev;
        wfpw_inventory_init(&prev);
        ASSERT(wfpw_netsh_read_file(wfpw_test_data("netsh/edrsilencer-v14.xml"), &prev, err, sizeof(err)) == 0);
        ASSERT(wfpw_changeset_events(&prev, &now, &o, &seq, &events) == 0);
        ASSERT_EQ(count_type(events, "filter_removed"), 1);
        ASSERT_EQ(count_type(events, "filter_changed"), 1);
        ASSERT_EQ(count_type(events, "filter_added"), n); /* the host's filters, new to prev */
        check_wire(events);
        cJSON_Delete(events);
        wfpw_inventory_free(&prev);
    }
    wfpw_inventory_free(&base);
    wfpw_inventory_free(&now);
}

TEST_IMPL(changeset_baseline_and_attack)
{
    check_baseline_and_attack(wfpw_test_data("netsh/host-filters.xml"));
    return 0;
}

static const cJSON *changed_by_of(const cJSON *ev)
{
    return cJSON_GetObjectItemCaseSensitive(ev, "changed_by");
}

/* The Security log said who added the V4 filter (5447, key in upper case as Windows writes it)
 * and who deleted the V6 one: the filter events and the alerts on that filter carry it, the
 * rest do not; the events stay valid on the wire. */
static void check_changed_by(const char *path)
{
    struct wfpw_inventory base, now;
    struct wfpw_attrib *at = wfpw_attrib_new(4);
    struct wfpw_changeset_opts o = {NULL, 2, SET, 1763781400000LL, at, NULL};
    struct wfpw_changed_by add, del, noise;
    cJSON *events, *e;
    uint64_t seq = 1;
    char err[256];
    int with = 0, alerts_with = 0;
    read_host_and_attack(path, &base, &now);

    memset(&add, 0, sizeof(add));
    snprintf(add.object, sizeof(add.object), "filter");
    snprintf(add.key, sizeof(add.key), "{5D1E8A33-7C2B-4F0E-9A61-2B8C4D7E9F10}");
    add.change = WFPW_CHANGE_ADD, add.pid = 4312, add.event_id = 5447, add.record_id = 77;
    snprintf(add.user_sid, sizeof(add.user_sid), "S-1-5-21-1-2-3-500");
    snprintf(add.user, sizeof(add.user), "CORP\\mallory");
    noise = add;
    snprintf(noise.key, sizeof(noise.key), "{00000000-0000-0000-0000-00000000abcd}");
    del = add;
    snprintf(del.key, sizeof(del.key), "{9b0c6e21-3a4d-4e5f-8b7c-1d2e3f4a5b6c}");
    del.change = WFPW_CHANGE_DELETE, del.record_id = 78;
    wfpw_attrib_record(at, &add);
    wfpw_attrib_record(at, &noise);

    ASSERT(wfpw_changeset_events(&base, &now, &o, &seq, &events) == 0);
    cJSON_ArrayForEach(e, events)
    {
        const cJSON *cb = changed_by_of(e);
        const char *type = cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring;
        if (cb == NULL)
            continue;
        ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(cb, "process_id")->valuedouble, 4312);
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(cb, "user")->valuestring, "CORP\\mallory");
        ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cb, "origin"), "record_id")->valuedouble, 77);
        with++;
        alerts_with += strcmp(type, "alert") == 0;
    }
    ASSERT_EQ(with, 3);          /* the V4 filter_added and its two alerts */
    ASSERT_EQ(alerts_with, 2);
    check_wire(events);
    cJSON_Delete(events);

    /* the V6 filter deleted: filter_removed says who */
    wfpw_attrib_record(at, &del);
    {
        struct wfpw_inventory after;
        wfpw_inventory_init(&after);
        ASSERT(wfpw_netsh_read_file(wfpw_test_data("netsh/edrsilencer-v14.xml"), &after, err, sizeof(err)) == 0);
        after.nfilters--;  /* the V6 filter is the last */
        ASSERT(wfpw_changeset_events(&now, &after, &o, &seq, &events) == 0);
        with = 0;
        cJSON_ArrayForEach(e, events)
        {
            if (strcmp(cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring, "filter_removed") == 0 &&
                changed_by_of(e) != NULL) {
                ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(changed_by_of(e), "origin"),
                                                           "record_id")->valuedouble, 78);
                with++;
            }
        }
        ASSERT_EQ(with, 1);
        check_wire(events);
        cJSON_Delete(events);
        wfpw_inventory_free(&after);
    }
    /* bounded: a fifth record evicts the oldest (add), counted */
    wfpw_attrib_record(at, &noise);
    wfpw_attrib_record(at, &noise);
    ASSERT(wfpw_attrib_find(at, "filter", add.key, WFPW_CHANGE_ADD) == NULL);
    ASSERT_EQ(wfpw_attrib_stats(at).evicted, 1);
    ASSERT_EQ(wfpw_attrib_stats(at).recorded, 5);
    wfpw_attrib_free(at);
    wfpw_inventory_free(&base);
    wfpw_inventory_free(&now);
}

TEST_IMPL(changeset_changed_by_from_5447)
{
    check_changed_by(wfpw_test_data("netsh/host-filters.xml"));
    return 0;
}

/* The other policy changes are attached to the change they describe: the provider the attack
 * filters use was added by a process (5448) — both filter events and their alerts say so in
 * related_changes; a host filter there when the engine started (5441) says so in changed_by
 * (change "present_at_start"); a sublayer deleted (5450) shows on nothing that was added. */
TEST_IMPL(changeset_related_changes)
{
    struct wfpw_inventory base, now;
    struct wfpw_attrib *at = wfpw_attrib_new(8);
    struct wfpw_changeset_opts o = {NULL, 2, SET, 1763781400000LL, at, NULL};
    struct wfpw_changed_by prov, present, sub;
    cJSON *events, *e;
    uint64_t seq = 1;
    int related = 0, alerts_related = 0, presents = 0;
    read_host_and_attack(wfpw_test_data("netsh/host-filters.xml"), &base, &now);
    memset(&prov, 0, sizeof(prov));
    snprintf(prov.object, sizeof(prov.object), "provider");
    snprintf(prov.key, sizeof(prov.key), "{A1D5C3E7-0B2F-4E68-8C94-5F7A3B1D9E20}");
    snprintf(prov.name, sizeof(prov.name), "Microsoft Corporation");
    prov.change = WFPW_CHANGE_ADD, prov.pid = 6120, prov.event_id = 5448, prov.record_id = 90;
    snprintf(prov.user, sizeof(prov.user), "CORP\\mallory");
    sub = prov;
    snprintf(sub.object, sizeof(sub.object), "sublayer");
    sub.change = WFPW_CHANGE_DELETE, sub.event_id = 5450;
    memset(&present, 0, sizeof(present));
    snprintf(present.object, sizeof(present.object), "filter");
    snprintf(present.key, sizeof(present.key), "%s", base.filters[0].key);
    present.change = WFPW_CHANGE_PRESENT, present.pid = -1, present.event_id = 5441, present.record_id = 3;
    wfpw_attrib_record(at, &prov);
    wfpw_attrib_record(at, &sub);
    wfpw_attrib_record(at, &present);

    /* baseline: the host filter present at engine start */
    ASSERT(wfpw_changeset_events(NULL, &base, &o, &seq, &events) == 0);
    cJSON_ArrayForEach(e, events)
    {
        const cJSON *cb = changed_by_of(e);
        if (cb == NULL)
            continue;
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(cb, "change")->valuestring, "present_at_start");
        ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cb, "process_id")));
        ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cb, "origin"), "event_id")->valuedouble,
                  5441);
        presents++;
    }
    ASSERT_EQ(presents, 1);
    check_wire(events);
    cJSON_Delete(events);

    /* the attack: its filters' provider was added by process 6120 */
    ASSERT(wfpw_changeset_events(&base, &now, &o, &seq, &events) == 0);
    cJSON_ArrayForEach(e, events)
    {
        const cJSON *rel = cJSON_GetObjectItemCaseSensitive(e, "related_changes"), *r;
        if (rel == NULL)
            continue;
        ASSERT_EQ(cJSON_GetArraySize(rel), 1);
        r = cJSON_GetArrayItem(rel, 0);
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "object")->valuestring, "provider");
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "change")->valuestring, "add");
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "name")->valuestring, "Microsoft Corporation");
        ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "changed_by"), "process_id")->valuedouble,
                  6120);
        related++;
        alerts_related += strcmp(cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring, "alert") == 0;
    }
    ASSERT_EQ(related, 6); /* two filter_added and their four alerts */
    ASSERT_EQ(alerts_related, 4);
    check_wire(events);
    cJSON_Delete(events);
    wfpw_attrib_free(at);
    wfpw_inventory_free(&base);
    wfpw_inventory_free(&now);
    return 0;
}

/* ---- conformance: the real dump of ../shared as the host before the attack ----------------- */

TEST_IMPL(conformance_changeset_baseline_and_attack)
{
    check_baseline_and_attack(wfpw_test_shared("samples/edrsilencer/netsh_wfp_show_filters.excerpt.xml"));
    return 0;
}

TEST_IMPL(conformance_changeset_changed_by_from_5447)
{
    check_changed_by(wfpw_test_shared("samples/edrsilencer/netsh_wfp_show_filters.excerpt.xml"));
    return 0;
}

/* A security product blocked through the Windows Firewall (`netsh advfirewall`, the COM API):
 * the firewall service makes MPSSVC filters named after the rule. The rule change its log
 * reported (2004, with the changer) is attached as firewall_rule to those filters' events and
 * alerts; a filter of another provider with the same name gets nothing; a deletion reaches the
 * filter_removed; a newer change the other way wins; the events stay valid on the wire. */
TEST_IMPL(changeset_firewall_rule)
{
    struct wfpw_inventory base, now, after;
    struct wfpw_fwrules *fw = wfpw_fwrules_new(4);
    struct wfpw_changeset_opts o = {NULL, 2, SET, 1763781400000LL, NULL, fw};
    struct wfpw_fwrule_change add, del;
    const char *rule = "Block Rule for MsMpEng.exe";
    cJSON *events, *e;
    uint64_t seq = 1;
    size_t n = read_host_and_attack(wfpw_test_data("netsh/host-filters.xml"), &base, &now), i;
    int with = 0, alerts_with = 0, removed_with = 0;
    char err[256];
    now.filters[n].provider_key = "FWPM_PROVIDER_MPSSVC_WF"; /* the V4 one, as netsh prints MPSSVC's key */
    now.filters[n].name = rule;
    now.filters[n + 1].name = rule;                          /* the V6 one keeps the attacker's provider */
    memset(&add, 0, sizeof(add));
    add.kind = wfpw_fwrule_kind_of(2004), add.rule_id = "{8736B31E-8792-452E-8D2D-C45621F236AF}", add.rule_name = rule;
    add.group = "@EDR Rules", add.application = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\MsMpEng.exe";
    add.service = "", add.direction = 2, add.action = 2, add.active = 1;
    add.modifying_user = "S-1-5-21-1-2-3-500", add.modifying_app = "C:\\Windows\\System32\\netsh.exe";
    add.event_id = 2004, add.record_id = 6661, add.time_ms = 1763781399000LL;
    ASSERT_EQ(wfpw_fwrules_record(fw, &add), 0);

    ASSERT(wfpw_changeset_events(&base, &now, &o, &seq, &events) == 0);
    cJSON_ArrayForEach(e, events)
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "firewall_rule"), *by;
        if (r == NULL)
            continue;
        by = cJSON_GetObjectItemCaseSensitive(r, "changed_by");
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "name")->valuestring, rule);
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "change")->valuestring, "added");
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "group")->valuestring, "@EDR Rules");
        ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "service")));
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "action")->valuestring, "block");
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "direction")->valuestring, "outbound");
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(by, "application")->valuestring, "C:\\Windows\\System32\\netsh.exe");
        ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(by, "origin"), "record_id")->valuedouble,
                  6661);
        with++;
        alerts_with += strcmp(cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring, "alert") == 0;
    }
    ASSERT(with >= 2);       /* the MPSSVC filter_added and its alert(s); never the V6 filter */
    ASSERT(alerts_with >= 1);
    ASSERT_EQ(with - alerts_with, 1);
    check_wire(events);
    cJSON_Delete(events);

    /* the rule deleted: the filter's removal says by whom */
    del = add;
    del.kind = wfpw_fwrule_kind_of(2052), del.event_id = 2052, del.record_id = 6669, del.direction = 0, del.action = 0;
    del.modifying_app = "C:\\Windows\\System32\\mmc.exe";
    ASSERT_EQ(wfpw_fwrules_record(fw, &del), 0);
    wfpw_inventory_init(&after);
    ASSERT(wfpw_netsh_read_file(wfpw_test_data("netsh/host-filters.xml"), &after, err, sizeof(err)) == 0);
    ASSERT(wfpw_changeset_events(&now, &after, &o, &seq, &events) == 0);
    cJSON_ArrayForEach(e, events)
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "firewall_rule");
        if (r == NULL)
            continue;
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring, "filter_removed");
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "change")->valuestring, "deleted");
        ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "action")));
        removed_with++;
    }
    ASSERT_EQ(removed_with, 1);
    check_wire(events);
    cJSON_Delete(events);
    /* the newest change of the rule was a deletion: a filter that appears now is not given it */
    ASSERT(wfpw_fwrules_find(fw, rule, 1) == NULL);
    ASSERT(wfpw_fwrules_find(fw, rule, 0) != NULL);
    for (i = 0; i < 4; i++)
        ASSERT_EQ(wfpw_fwrules_record(fw, &add), 0);
    ASSERT_EQ(wfpw_fwrules_stats(fw).evicted, 2);
    add.rule_name = "";
    ASSERT_EQ(wfpw_fwrules_record(fw, &add), WFPW_EINVAL);
    wfpw_fwrules_free(fw);
    wfpw_inventory_free(&after);
    wfpw_inventory_free(&base);
    wfpw_inventory_free(&now);
    return 0;
}

/* What an attacker can put in a rule: the name "-", an id and a group longer than the wire
 * allows, text that is not UTF-8. The rule still reaches its filter, cut to the wire's limits,
 * and the events stay valid; a name that is not UTF-8 is refused; an allow rule of the same
 * name is not a block filter's. */
TEST_IMPL(changeset_firewall_rule_hostile)
{
    struct wfpw_inventory base, now;
    struct wfpw_fwrules *fw = wfpw_fwrules_new(8);
    struct wfpw_changeset_opts o = {NULL, 2, SET, 1763781400000LL, NULL, fw};
    struct wfpw_fwrule_change add;
    static char longid[600], longgroup[6000];
    cJSON *events, *e;
    uint64_t seq = 1;
    size_t n = read_host_and_attack(wfpw_test_data("netsh/host-filters.xml"), &base, &now);
    int with = 0;
    memset(longid, 'i', sizeof(longid) - 1);
    memset(longgroup, 'g', sizeof(longgroup) - 1);
    longgroup[4095] = (char)0xC3, longgroup[4096] = (char)0xA9; /* a character across the cut */
    now.filters[n].provider_key = "FWPM_PROVIDER_MPSSVC_WF";
    now.filters[n].name = "-";
    memset(&add, 0, sizeof(add));
    add.kind = WFPW_FWRULE_ADDED, add.rule_id = longid, add.rule_name = "-", add.group = longgroup;
    add.application = "C:\\x\xff.exe", add.direction = 2, add.action = 3; /* allow: not this block filter's */
    add.modifying_user = "S-1-5-21-1-2-3-500", add.modifying_app = "C:\\Windows\\System32\\netsh.exe";
    add.event_id = 2004, add.record_id = 1;
    ASSERT_EQ(wfpw_fwrules_record(fw, &add), 0);
    ASSERT(wfpw_changeset_events(&base, &now, &o, &seq, &events) == 0);
    cJSON_ArrayForEach(e, events) with += cJSON_GetObjectItemCaseSensitive(e, "firewall_rule") != NULL;
    ASSERT_EQ(with, 0);
    cJSON_Delete(events);
    add.action = 2, add.record_id = 2;
    ASSERT_EQ(wfpw_fwrules_record(fw, &add), 0);
    ASSERT(wfpw_changeset_events(&base, &now, &o, &seq, &events) == 0);
    cJSON_ArrayForEach(e, events)
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "firewall_rule");
        if (r == NULL)
            continue;
        with++;
        ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(r, "name")->valuestring, "-");
        ASSERT_EQ(strlen(cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring), 128);
        ASSERT_EQ(strlen(cJSON_GetObjectItemCaseSensitive(r, "group")->valuestring), 4095);
        ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "application"))); /* not UTF-8 */
    }
    ASSERT(with >= 2); /* the filter_added and its alert */
    check_wire(events); /* valid on the wire: nothing dropped for a long field */
    cJSON_Delete(events);
    add.rule_name = "\xff\xfe";
    ASSERT_EQ(wfpw_fwrules_record(fw, &add), WFPW_EINVAL);
    wfpw_fwrules_free(fw);
    wfpw_inventory_free(&base);
    wfpw_inventory_free(&now);
    return 0;
}
