/*
 * test-regwho.c — who changed the silencing surface: Security event 4657 as Microsoft's
 * event-4657 page lays it out, read by the event reader, kept in the bounded table, found for
 * a surface item however the key is spelled (\REGISTRY\MACHINE, ControlSet001, case), and put
 * on the change set's surface_changed and alert events as changed_by — valid on the wire —
 * only for changes read since the previous reading.
 */
#include <stdio.h>
#include <string.h>

#include "../../runner.h"
#include "evtxml.h"
#include "regwho.h"
#include "surface.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

#define NRPT_NATIVE "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\Dnscache\\Parameters\\DnsPolicyConfig\\{1}"
#define NRPT_KEY "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Dnscache\\Parameters\\DnsPolicyConfig\\{1}"

#define EV4657(rec, time, value, op, pid)                                                                      \
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"                             \
    "<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/>"      \
    "<EventID>4657</EventID><Version>0</Version><Level>0</Level><Task>12801</Task><Opcode>0</Opcode>"           \
    "<Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='" time "'/>"                               \
    "<EventRecordID>" rec "</EventRecordID><Channel>Security</Channel><Computer>WS-FIN-0042</Computer>"        \
    "</System><EventData><Data Name='SubjectUserSid'>S-1-5-21-1-2-3-1104</Data>"                               \
    "<Data Name='SubjectUserName'>adm-jdoe</Data><Data Name='SubjectDomainName'>CORP</Data>"                   \
    "<Data Name='SubjectLogonId'>0x364eb</Data><Data Name='ObjectName'>" NRPT_NATIVE "</Data>"                 \
    "<Data Name='ObjectValueName'>" value "</Data><Data Name='HandleId'>0x54</Data>"                           \
    "<Data Name='OperationType'>" op "</Data><Data Name='OldValueType'>-</Data><Data Name='OldValue'>-</Data>" \
    "<Data Name='NewValueType'>%%1873</Data><Data Name='NewValue'>127.0.0.1</Data>"                           \
    "<Data Name='ProcessId'>" pid "</Data><Data Name='ProcessName'>C:\\Users\\Public\\nrpt.exe</Data>"          \
    "</EventData></Event>"

#define T_EVENT 1763647799512LL /* 2025-11-20T14:09:59.512Z */

static int keep(void *ctx, struct wfpw_evtxml_event *e)
{
    struct wfpw_regwho *t = ctx;
    cJSON_Delete(e->ev);
    if (e->regchange) {
        struct wfpw_regchange *d = wfpw_regchange_dup(e->regchange);
        ASSERT(d != NULL);
        ASSERT_EQ(wfpw_regwho_record(t, d), 0);
        wfpw_regchange_free(d);
    }
    return 0;
}

static struct wfpw_regwho *table_from_events(void)
{
    static const char xml[] = "<Events>" EV4657("700", "2025-11-20T14:09:59.512345600Z", "GenericDNSServers", "%%1904",
                                                "0x1a2c")
        EV4657("701", "2025-11-20T14:09:59.600000000Z", "ConfigOptions", "%%1905", "0x1a2c") "</Events>";
    struct wfpw_regwho *t = wfpw_regwho_new(8);
    struct wfpw_evtxml *p = wfpw_evtxml_new(NULL, keep, t);
    char err[256] = "";
    if (t == NULL || p == NULL || wfpw_evtxml_feed(p, xml, sizeof(xml) - 1, 1, err, sizeof(err)) != 0) {
        fprintf(stderr, "feed: %s\n", err);
        wfpw_evtxml_free(p);
        wfpw_regwho_free(t);
        return NULL;
    }
    wfpw_evtxml_free(p);
    return t;
}

TEST_IMPL(regwho_4657_read_kept_found)
{
    static const char bad[] = "<Events>" EV4657("702", "2025-11-20T14:10:00Z", "Name", "%%1906", "0xzz") "</Events>";
    struct wfpw_regwho *t = table_from_events(), *small;
    const struct wfpw_regchange *c;
    struct wfpw_regchange r;
    struct wfpw_evtxml *p;
    char out[256], err[256] = "";
    int i;
    ASSERT(t != NULL);
    /* however the key is spelled: the event's native form, ControlSet001, any case */
    c = wfpw_regwho_find(t, wfpw_surface_norm_key, "hklm\\system\\currentcontrolset\\services\\DNSCACHE\\parameters\\"
                         "dnspolicyconfig\\{1}", NULL, 0);
    ASSERT(c != NULL);
    ASSERT_EQ(c->record_id, 701); /* the newest of that key */
    ASSERT_EQ(c->op, WFPW_REGOP_MODIFIED);
    ASSERT_STR_EQ(c->key, "HKLM\\SYSTEM\\ControlSet001\\Services\\Dnscache\\Parameters\\DnsPolicyConfig\\{1}");
    c = wfpw_regwho_find(t, wfpw_surface_norm_key, NRPT_KEY, "genericdnsservers", 0);
    ASSERT(c != NULL);
    ASSERT_EQ(c->record_id, 700);
    ASSERT_EQ(c->op, WFPW_REGOP_CREATED);
    ASSERT_EQ(c->pid, 0x1a2c);
    ASSERT_STR_EQ(c->process_name, "C:\\Users\\Public\\nrpt.exe");
    ASSERT_STR_EQ(c->user, "CORP\\adm-jdoe");
    ASSERT_EQ(c->time_ms, T_EVENT);
    ASSERT(wfpw_regwho_find(t, wfpw_surface_norm_key, NRPT_KEY, "Name", 0) == NULL);      /* another value */
    ASSERT(wfpw_regwho_find(t, wfpw_surface_norm_key, NRPT_KEY, NULL, T_EVENT + 1000) == NULL); /* before since */
    ASSERT(wfpw_regwho_find(t, wfpw_surface_norm_key, NRPT_KEY "0", NULL, 0) == NULL);    /* a sibling key */
    ASSERT_EQ(wfpw_regwho_stats(t).recorded, 2);
    ASSERT_EQ(wfpw_regwho_stats(t).matched, 2);

    wfpw_regwho_key("\\REGISTRY\\USER\\S-1-5-21-9\\Software\\Policies", out, sizeof(out));
    ASSERT_STR_EQ(out, "HKU\\S-1-5-21-9\\Software\\Policies");
    wfpw_regwho_key("\\registry\\machine", out, sizeof(out));
    ASSERT_STR_EQ(out, "HKLM");
    wfpw_regwho_key("\\REGISTRY\\MACHINEX\\Y", out, sizeof(out)); /* not the root */
    ASSERT_STR_EQ(out, "\\REGISTRY\\MACHINEX\\Y");

    /* a malformed process id is named; an event without a key is refused; bounded, counted */
    ASSERT((p = wfpw_evtxml_new(NULL, keep, t)) != NULL);
    ASSERT(wfpw_evtxml_feed(p, bad, sizeof(bad) - 1, 1, err, sizeof(err)) != 0);
    ASSERT(strstr(err, "ProcessId \"0xzz\" is not a process id") != NULL);
    wfpw_evtxml_free(p);
    memset(&r, 0, sizeof(r));
    r.pid = -1;
    ASSERT_EQ(wfpw_regwho_record(t, &r), WFPW_EINVAL);
    ASSERT((small = wfpw_regwho_new(2)) != NULL);
    for (i = 0; i < 5; i++) {
        memset(&r, 0, sizeof(r));
        r.key = NRPT_NATIVE, r.value = i % 2 ? "bad \xff value" : "Name", r.pid = i, r.time_ms = T_EVENT + i;
        ASSERT_EQ(wfpw_regwho_record(small, &r), 0); /* a value name that is not UTF-8 is kept as none */
    }
    ASSERT_EQ(wfpw_regwho_stats(small).evicted, 3);
    ASSERT((c = wfpw_regwho_find(small, wfpw_surface_norm_key, NRPT_KEY, NULL, 0)) != NULL);
    ASSERT_EQ(c->pid, 4);
    wfpw_regwho_free(small);
    wfpw_regwho_free(t);
    return 0;
}

/* An NRPT sinkhole appears between two readings: its surface_changed event and its alert say
 * who made it; the same changes with a previous reading after them say nothing; the events
 * are valid proto v1 with changed_by.registry. */
TEST_IMPL(regwho_surface_change_set)
{
    static const uint8_t srv[] = {'1', 0, '2', 0, '7', 0, '.', 0, '0', 0, '.', 0, '0', 0, '.', 0, '1', 0, 0, 0};
    static const uint8_t opt[] = {8, 0, 0, 0};
    static const uint8_t name[] = {'.', 0, 'c', 0, 'l', 0, 'o', 0, 'u', 0, 'd', 0, 's', 0, 'i', 0, 'n', 0, 'k', 0,
                                   '.', 0, 'n', 0, 'e', 0, 't', 0, 0, 0, 0, 0};
    struct wfpw_regwho *t = table_from_events();
    struct wfpw_surface before, after;
    struct wfpw_surface_change_opts o;
    struct wfpw_proto_err pe;
    cJSON *events = NULL, *e;
    int round, with, alerts;
    ASSERT(t != NULL);
    wfpw_surface_init(&before);
    wfpw_surface_init(&after);
    ASSERT_EQ(wfpw_regstore_add(&before.reg, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Dnscache\\Parameters", NULL, 0,
                                NULL, 0, "registry"), 0);
    ASSERT_EQ(wfpw_surface_build(&before), 0);
    ASSERT_EQ(wfpw_regstore_add(&after.reg, NRPT_KEY, "Name", WFPW_REG_MULTI_SZ, name, sizeof(name), "registry"), 0);
    ASSERT_EQ(wfpw_regstore_add(&after.reg, NRPT_KEY, "GenericDNSServers", WFPW_REG_SZ, srv, sizeof(srv), "registry"), 0);
    ASSERT_EQ(wfpw_regstore_add(&after.reg, NRPT_KEY, "ConfigOptions", WFPW_REG_DWORD, opt, 4, "registry"), 0);
    ASSERT_EQ(wfpw_surface_build(&after), 0);
    for (round = 0; round < 2; round++) {
        memset(&o, 0, sizeof(o));
        o.change_set = "6f1c2b7e-3d4a-4b5c-8d9e-0a1b2c3d4e5f", o.time_ms = T_EVENT + 1500, o.min_alert_rank = 1;
        o.who = t, o.since_ms = round == 0 ? T_EVENT - 60000 : T_EVENT + 1000;
        ASSERT_EQ(wfpw_surface_changes(&before, &after, &o, &events), 0);
        with = alerts = 0;
        cJSON_ArrayForEach(e, events)
        {
            const cJSON *cb = cJSON_GetObjectItemCaseSensitive(e, "changed_by");
            const char *type = cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring;
            memset(&pe, 0, sizeof(pe));
            if (wfpw_event_validate(e, "e", &pe) != 0)
                fprintf(stderr, "%s: %s\n", pe.field, pe.msg);
            ASSERT(pe.msg[0] == '\0');
            alerts += strcmp(type, "alert") == 0;
            if (cb == NULL)
                continue;
            with++;
            ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(cb, "process_id")->valuedouble, 0x1a2c);
            ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(cb, "user")->valuestring, "CORP\\adm-jdoe");
            ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cb, "registry"), "operation")
                              ->valuestring,
                          "modified"); /* the newest change of the rule's key */
            ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cb, "origin"), "event_id")
                          ->valuedouble,
                      4657);
        }
        ASSERT_EQ(alerts, 1); /* nrpt-sinkhole */
        ASSERT_EQ(with, round == 0 ? 2 : 0);
        cJSON_Delete(events);
    }
    wfpw_surface_free(&before);
    wfpw_surface_free(&after);
    wfpw_regwho_free(t);
    return 0;
}
