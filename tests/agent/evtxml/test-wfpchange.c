/*
 * test-wfpchange.c — agent/src/evtxml/wfpchange.c: WFP policy-change events and the
 * `Conditions` text of 5441/5447, on our own events (tests/data/events, written by
 * make-events.py: rendered XML through evtxml, NXLog JSON records field by field through the
 * same parser), on the one-line form of Microsoft's documentation, and on malformed text.
 * conformance_*: every real sample in ../shared/samples/events the same way.
 */
#include <ctype.h>
#include <string.h>

#include "../../runner.h"
#include "evtxml.h"
#include "wfpchange.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

struct seen {
    cJSON *changes[16];
    int n;
};

static int keep_change(void *ctx, struct wfpw_evtxml_event *e)
{
    struct seen *s = ctx;
    cJSON_Delete(e->ev);
    if (e->change) {
        ASSERT(s->n < 16);
        s->changes[s->n++] = wfpw_policy_change_json(e->change);
    }
    return 0;
}

static const char *str_at(const cJSON *o, const char *path)
{
    char buf[128], *p, *save = NULL;
    const cJSON *n = o;
    snprintf(buf, sizeof(buf), "%s", path);
    for (p = strtok_r(buf, ".", &save); p && n; p = strtok_r(NULL, ".", &save))
        n = isdigit((unsigned char)p[0]) ? cJSON_GetArrayItem(n, atoi(p)) : cJSON_GetObjectItemCaseSensitive(n, p);
    return n && cJSON_IsString(n) ? n->valuestring : NULL;
}

static void parse_xml(const char *path, struct seen *s)
{
    size_t len;
    char *doc = wfpw_test_read(path, &len), err[256] = "";
    struct wfpw_evtxml *p = wfpw_evtxml_new(NULL, keep_change, s);
    ASSERT(doc != NULL && p != NULL);
    if (wfpw_evtxml_feed(p, doc, len, 1, err, sizeof(err)) != 0)
        fprintf(stderr, "%s: %s\n", path, err);
    ASSERT_STR_EQ(err, "");
    wfpw_evtxml_free(p);
    wfpw_free(doc);
}

TEST_IMPL(wfpchange_xml_samples)
{
    struct seen s = {{0}, 0};
    cJSON *c;
    int i;
    parse_xml(wfpw_test_data("events/5447-v0-appid-hexdump.xml"), &s);
    ASSERT_EQ(s.n, 1);
    c = s.changes[0];
    ASSERT_STR_EQ(str_at(c, "object"), "filter");
    ASSERT_STR_EQ(str_at(c, "change"), "add");
    ASSERT_STR_EQ(str_at(c, "key"), "{9b2e4f70-1c8d-4a36-b5e2-7f0a9d3c6e14}");   /* upper case in the event */
    ASSERT_STR_EQ(str_at(c, "name"), "Contoso Sync (TCP-In)");
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "changed_by"), "process_id")->valuedouble, 2716);
    ASSERT_STR_EQ(str_at(c, "changed_by.user_sid"), "S-1-5-19");
    ASSERT_STR_EQ(str_at(c, "changed_by.user"), "NT AUTHORITY\\LOCAL SERVICE");
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "changed_by"), "origin"), "record_id")->valuedouble, 5519870);
    ASSERT_STR_EQ(str_at(c, "filter.layer"), "ALE_AUTH_RECV_ACCEPT_V4");   /* from LayerKey */
    ASSERT_STR_EQ(str_at(c, "filter.provider"), "FWPM_PROVIDER_MPSSVC_WF");
    ASSERT_STR_EQ(str_at(c, "filter.action"), "PERMIT");
    ASSERT_STR_EQ(str_at(c, "filter.weight"), "12682136550675316736");
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "filter"), "conditions")), 3);
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.field"), "ALE_APP_ID");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.type"), "BYTE_BLOB_TYPE");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.value"), "\\device\\harddiskvolume2\\program files\\contoso\\sync\\contososync.exe");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.field"), "ALE_USER_ID");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.type"), "SECURITY_DESCRIPTOR_TYPE");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.value"),
                  "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-3623811015-3361044348-30300820-1104)");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.2.field"), "IP_LOCAL_PORT");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.2.type"), "UINT16");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.2.value"), "22000");  /* 0x55f0 */
    cJSON_Delete(c);

    /* add and delete; permit, block and callout; a range and the "-" value */
    s.n = 0;
    parse_xml(wfpw_test_data("events/5447-v0-changes.xml"), &s);
    ASSERT_EQ(s.n, 4);
    ASSERT_STR_EQ(str_at(s.changes[0], "change"), "add");
    ASSERT_STR_EQ(str_at(s.changes[1], "change"), "delete");
    ASSERT_STR_EQ(str_at(s.changes[2], "filter.action"), "BLOCK");
    ASSERT_STR_EQ(str_at(s.changes[2], "filter.layer"), "ALE_AUTH_RECV_ACCEPT_V6");
    ASSERT_STR_EQ(str_at(s.changes[2], "filter.provider"), "FWPM_PROVIDER_MPSSVC_WSH");
    ASSERT_STR_EQ(str_at(s.changes[2], "filter.conditions.0.match"), "FLAGS_NONE_SET");
    ASSERT_STR_EQ(str_at(s.changes[2], "filter.conditions.1.value"), "58");     /* 0x3a */
    ASSERT_STR_EQ(str_at(s.changes[3], "filter.action"), "CALLOUT_UNKNOWN");
    ASSERT_STR_EQ(str_at(s.changes[3], "filter.provider"), "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a09}");
    ASSERT_STR_EQ(str_at(s.changes[3], "filter.layer"), "ALE_AUTH_CONNECT_V6");
    c = s.changes[0];
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "filter"), "conditions")), 5);
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.field"), "ALE_PACKAGE_ID");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.match"), "NOT_EQUAL");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.type"), "EMPTY");       /* "-" */
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.match"), "RANGE");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.value"), "3221225984-3221226239"); /* 192.0.2.0/24 */
    ASSERT_STR_EQ(str_at(c, "filter.conditions.4.value"), "O:LSD:(A;;CC;;;S-1-15-3-1)(A;;CC;;;WD)");
    for (i = 0; i < s.n; i++)
        cJSON_Delete(s.changes[i]);
    return 0;
}

/* NXLog JSON records: the EventData names are top-level members (numbers or strings). */
static const char *json_get(void *ctx, const char *name)
{
    static char num[32];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ctx, name);
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof(num), "%.0f", v->valuedouble);
        return num;
    }
    return NULL;
}

static int count_of(const char *s, const char *what)
{
    int n = 0;
    for (; s && (s = strstr(s, what)) != NULL; s += strlen(what))
        n++;
    return n;
}

struct json_file {
    const char *file;
    const char *object, *key_field;
};

/* Every record of every file (first line names the source; a bare object or an array) parses
 * into the change its event id says, with its key, the change type Windows' own formatted
 * message gives, and for filters every condition named; returns the number of records. */
static int check_json_records(const struct json_file *files, size_t nfiles, const char *(*path_of)(const char *))
{
    size_t f;
    int total = 0;
    for (f = 0; f < nfiles; f++) {
        size_t len;
        char *doc = wfpw_test_read(path_of(files[f].file), &len), *body, err[256];
        cJSON *arr, *rec;
        ASSERT(doc != NULL);
        body = strchr(doc, '\n');  /* the first line names the source */
        ASSERT(body != NULL);
        arr = cJSON_Parse(body + 1);
        ASSERT(arr != NULL);
        if (cJSON_IsObject(arr)) {  /* a single record is stored bare */
            cJSON *one = arr;
            arr = cJSON_CreateArray();
            cJSON_AddItemToArray(arr, one);
        }
        cJSON_ArrayForEach(rec, arr)
        {
            struct wfpw_policy_change c;
            const char *msg = json_get(rec, "Message"), *key = json_get(rec, files[f].key_field);
            char want[48];
            size_t i;
            uint32_t id = (uint32_t)cJSON_GetObjectItem(rec, "EventID")->valuedouble;
            err[0] = '\0';
            if (wfpw_policy_change_parse(id, json_get, rec, &c, err, sizeof(err)) != 0)
                fprintf(stderr, "%s: %s\n", files[f].file, err);
            ASSERT_STR_EQ(err, "");
            ASSERT_STR_EQ(c.object, files[f].object);
            for (i = 0; key[i] && i + 1 < sizeof(want); i++)
                want[i] = (char)tolower((unsigned char)key[i]);
            want[i] = '\0';
            ASSERT_STR_EQ(c.key, want);
            /* the change type agrees with Windows' own formatted message */
            if (id == 5441)
                ASSERT_STR_EQ(c.change, "present");
            else
                ASSERT_STR_EQ(c.change, strstr(msg, "Change Type:\tAdd") ? "add" : "delete");
            if (id == 5441 || id == 5447) {
                const char *conds = json_get(rec, "Conditions");
                ASSERT(c.filter != NULL);
                ASSERT_EQ(c.filter->nconds, count_of(conds, "Condition ID:"));
                for (i = 0; i < c.filter->nconds; i++) {
                    ASSERT(c.filter->conds[i].field[0] != '{');  /* every real GUID is named */
                    if (strcmp(c.filter->conds[i].field, "ALE_APP_ID") == 0)
                        ASSERT(strncmp(c.filter->conds[i].value, "\\device\\", 8) == 0);
                }
            } else {
                ASSERT(c.filter == NULL);
                ASSERT(c.pid >= 0 && c.user_sid != NULL);
            }
            wfpw_policy_change_free(&c);
            total++;
        }
        cJSON_Delete(arr);
        wfpw_free(doc);
    }
    return total;
}

TEST_IMPL(wfpchange_json_samples)
{
    static const struct json_file files[] = {
        {"events/5441-nxlog.json", "filter", "FilterKey"},
        {"events/5446-nxlog.json", "callout", "CalloutKey"},
        {"events/5447-nxlog.json", "filter", "FilterKey"},
        {"events/5448-nxlog.json", "provider", "ProviderKey"},
        {"events/5450-nxlog.json", "sublayer", "SubLayerKey"},
    };
    ASSERT_EQ(check_json_records(files, sizeof(files) / sizeof(files[0]), wfpw_test_data), 8);
    return 0;
}

TEST_IMPL(conformance_wfpchange_json_samples)
{
    static const struct json_file files[] = {
        {"samples/events/5441-Security-Datasets.json", "filter", "FilterKey"},
        {"samples/events/5446-Security-Datasets.json", "callout", "CalloutKey"},
        {"samples/events/5447-Security-Datasets.json", "filter", "FilterKey"},
        {"samples/events/5448-Security-Datasets.json", "provider", "ProviderKey"},
        {"samples/events/5450-Security-Datasets.json", "sublayer", "SubLayerKey"},
    };
    ASSERT(check_json_records(files, sizeof(files) / sizeof(files[0]), wfpw_test_shared) >= 8);
    return 0;
}

TEST_IMPL(wfpchange_conditions_forms)
{
    struct wfpw_inventory inv;
    struct wfpw_filter f;
    char err[256] = "";
    wfpw_inventory_init(&inv);

    /* Microsoft's documentation renders everything on one line */
    ASSERT_EQ(wfpw_evt_conditions("Condition ID: {632ce23b-5167-435c-86d7-e903684aa80c} Match value: No flags set "
                                  "Condition value: 0x00000003", &inv, &f, err, sizeof(err)), 0);
    ASSERT_EQ(f.nconds, 1);
    ASSERT_STR_EQ(f.conds[0].field, "FLAGS");
    ASSERT_STR_EQ(f.conds[0].match, "FLAGS_NONE_SET");
    ASSERT_STR_EQ(f.conds[0].type, "UINT32");
    ASSERT_STR_EQ(f.conds[0].value, "3");

    /* real layout: values on their own lines, an unknown GUID and match text kept as written */
    ASSERT_EQ(wfpw_evt_conditions("\n\tCondition ID:\t{01234567-89ab-cdef-0123-456789abcdef}\n\tMatch value:\tSomething new\n"
                                  "\tCondition value:\tS-1-5-18\n\n"
                                  "\tCondition ID:\t{c35a604d-d22b-4e1a-91b4-68f674ee674b}\n\tMatch value:\tIn range\n"
                                  "\tCondition value:\t0x01bb - 0x01bc\n\n"
                                  "\tCondition ID:\t{3971ef2b-623e-4f9a-8cb1-6e79b806b9a7}\n\tMatch value:\tEqual to\n"
                                  "\tCondition value:\t0x06\n\n", &inv, &f, err, sizeof(err)), 0);
    ASSERT_EQ(f.nconds, 3);
    ASSERT_STR_EQ(f.conds[0].field, "{01234567-89ab-cdef-0123-456789abcdef}");
    ASSERT_STR_EQ(f.conds[0].match, "Something new");
    ASSERT_STR_EQ(f.conds[0].type, "SID");
    ASSERT_STR_EQ(f.conds[0].value, "S-1-5-18");
    ASSERT_STR_EQ(f.conds[1].field, "IP_REMOTE_PORT");
    ASSERT_STR_EQ(f.conds[1].type, "RANGE_TYPE");
    ASSERT_STR_EQ(f.conds[1].value, "443-444");
    ASSERT_STR_EQ(f.conds[2].type, "UINT8");
    ASSERT_STR_EQ(f.conds[2].value, "6");

    /* a hex dump that is not UTF-16 text stays bytes */
    ASSERT_EQ(wfpw_evt_conditions("\tCondition ID:\t{d78e1e87-8644-4ea5-9437-d809ecefc971}\n\tMatch value:\tEqual to\n"
                                  "\tCondition value:\t\n    00000000  01 02 03                                         ...\n",
                                  &inv, &f, err, sizeof(err)), 0);
    ASSERT_STR_EQ(f.conds[0].type, "BYTE_BLOB_TYPE");
    ASSERT_STR_EQ(f.conds[0].value, "010203");

    /* no conditions at all */
    ASSERT_EQ(wfpw_evt_conditions("\n", &inv, &f, err, sizeof(err)), 0);
    ASSERT_EQ(f.nconds, 0);
    ASSERT_EQ(wfpw_evt_conditions("-", &inv, &f, err, sizeof(err)), 0);

    /* malformed: each names what is wrong */
    ASSERT_EQ(wfpw_evt_conditions("Condition ID: {632ce23b-5167-435c-86d7-e903684aa80c} Condition value: 1", &inv, &f,
                                  err, sizeof(err)), WFPW_ESYNTAX);
    ASSERT(strstr(err, "condition 1 lacks 'Match value:'") != NULL);
    ASSERT_EQ(wfpw_evt_conditions("Condition ID: {nope} Match value: Equal to Condition value: 1", &inv, &f, err,
                                  sizeof(err)), WFPW_ESYNTAX);
    ASSERT(strstr(err, "'Condition ID' is not a GUID") != NULL);
    ASSERT_EQ(wfpw_evt_conditions("garbage", &inv, &f, err, sizeof(err)), WFPW_ESYNTAX);
    ASSERT(strstr(err, "without 'Condition ID:'") != NULL);
    wfpw_inventory_free(&inv);
    return 0;
}

/* A 5447 with a bad ChangeType or FilterId is an error naming the field, and nothing leaks. */
TEST_IMPL(wfpchange_rejects_bad_events)
{
    static const char bad[] =
        "<Event><System><EventID>5447</EventID><EventRecordID>9</EventRecordID>"
        "<TimeCreated SystemTime=\"2026-11-20T10:00:00.000Z\"/></System><EventData>"
        "<Data Name=\"ChangeType\">%%16399</Data><Data Name=\"FilterKey\">{4e27e7d4-2442-4891-912e-4205428a8555}</Data>"
        "</EventData></Event>";
    static const char noid[] =
        "<Event><System><EventID>5447</EventID><EventRecordID>9</EventRecordID>"
        "<TimeCreated SystemTime=\"2026-11-20T10:00:00.000Z\"/></System><EventData>"
        "<Data Name=\"ChangeType\">%%16384</Data><Data Name=\"FilterKey\">{4e27e7d4-2442-4891-912e-4205428a8555}</Data>"
        "<Data Name=\"LayerKey\">{c38d57d1-05a7-4c33-904f-7fbceee60e82}</Data><Data Name=\"Action\">%%16389</Data>"
        "<Data Name=\"FilterId\">x</Data></EventData></Event>";
    struct seen s = {{0}, 0};
    struct wfpw_evtxml *p = wfpw_evtxml_new(NULL, keep_change, &s);
    char err[256] = "";
    ASSERT_EQ(wfpw_evtxml_feed(p, bad, strlen(bad), 1, err, sizeof(err)), WFPW_EPROTO);
    ASSERT(strstr(err, "ChangeType is not %%16384 (add) or %%16385 (delete)") != NULL);
    wfpw_evtxml_free(p);
    p = wfpw_evtxml_new(NULL, keep_change, &s);
    ASSERT_EQ(wfpw_evtxml_feed(p, noid, strlen(noid), 1, err, sizeof(err)), WFPW_EPROTO);
    ASSERT(strstr(err, "FilterId is missing or not a number") != NULL);
    wfpw_evtxml_free(p);
    ASSERT_EQ(s.n, 0);
    return 0;
}

/* ---- conformance: the real rendered samples in ../shared/samples/events -------------------- */

TEST_IMPL(conformance_wfpchange_xml_samples)
{
    struct seen s = {{0}, 0};
    cJSON *c;
    int i;
    parse_xml(wfpw_test_shared("samples/events/5447-EVTX-to-MITRE-Attack-appid-hexdump.xml"), &s);
    ASSERT_EQ(s.n, 1);
    c = s.changes[0];
    ASSERT_STR_EQ(str_at(c, "object"), "filter");
    ASSERT_STR_EQ(str_at(c, "change"), "add");
    ASSERT_STR_EQ(str_at(c, "key"), "{5822ea2e-7b14-4c3d-bf8b-fe02a4b1f734}");
    ASSERT_STR_EQ(str_at(c, "name"), "Remote Scheduled Tasks Management (RPC-EPMAP)");
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "changed_by"), "process_id")->valuedouble, 1076);
    ASSERT_STR_EQ(str_at(c, "changed_by.user_sid"), "S-1-5-19");
    ASSERT_STR_EQ(str_at(c, "changed_by.user"), "NT AUTHORITY\\LOCAL SERVICE");
    ASSERT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "changed_by"), "origin"), "record_id")->valuedouble, 463078);
    ASSERT_STR_EQ(str_at(c, "filter.layer"), "ALE_AUTH_LISTEN_V4");   /* from LayerKey, not the text */
    ASSERT_STR_EQ(str_at(c, "filter.provider"), "FWPM_PROVIDER_MPSSVC_WF");
    ASSERT_STR_EQ(str_at(c, "filter.action"), "PERMIT");
    ASSERT_STR_EQ(str_at(c, "filter.weight"), "10376293542535364576");
    ASSERT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "filter"), "conditions")), 3);
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.field"), "ALE_APP_ID");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.type"), "BYTE_BLOB_TYPE");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.value"), "\\device\\harddiskvolume4\\windows\\system32\\svchost.exe");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.field"), "ALE_USER_ID");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.type"), "SECURITY_DESCRIPTOR_TYPE");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.value"),
                  "O:SYG:SYD:(A;;CCRC;;;S-1-5-80-979556362-403687129-3954533659-2335141334-1547273080)");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.2.field"), "IP_LOCAL_PORT");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.2.type"), "UINT16");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.2.value"), "135");  /* 0x0087 */
    cJSON_Delete(c);

    s.n = 0;
    parse_xml(wfpw_test_shared("samples/events/5447-EVTX-to-MITRE-Attack.xml"), &s);
    ASSERT(s.n >= 3);
    for (i = 0; i < s.n; i++) {
        const char *ch = str_at(s.changes[i], "change");
        ASSERT(strcmp(ch, "add") == 0 || strcmp(ch, "delete") == 0);
    }
    c = s.changes[0];
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.field"), "ALE_PACKAGE_ID");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.match"), "NOT_EQUAL");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.0.type"), "EMPTY");       /* "-" */
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.match"), "RANGE");
    ASSERT_STR_EQ(str_at(c, "filter.conditions.1.value"), "169290240-169290495"); /* 10.23.42.0/24 */
    for (i = 0; i < s.n; i++)
        cJSON_Delete(s.changes[i]);
    return 0;
}

/* 4688, a process was created, as Microsoft's event-4688 page lays it out (version 2: hex
 * process ids, ParentProcessName; CommandLine empty unless its policy is on): read into the
 * process the attribution keeps; malformed ids named. */
struct created {
    struct wfpw_proc p[4];
    int n;
};

static int keep_created(void *ctx, struct wfpw_evtxml_event *e)
{
    struct created *c = ctx;
    cJSON_Delete(e->ev);
    if (e->created) {
        ASSERT(c->n < 4);
        ASSERT_EQ(wfpw_proc_copy(&c->p[c->n++], e->created), 0);
    }
    return 0;
}

#define EV4688(rec, newpid, cmd)                                                                          \
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"                         \
    "<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/>"  \
    "<EventID>4688</EventID><Version>2</Version><Level>0</Level><Task>13312</Task><Opcode>0</Opcode>"       \
    "<Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2025-11-20T14:09:59.512345600Z'/>"    \
    "<EventRecordID>" rec "</EventRecordID><Channel>Security</Channel><Computer>WS-FIN-0042</Computer>"    \
    "</System><EventData><Data Name='SubjectUserSid'>S-1-5-21-1-2-3-1104</Data>"                           \
    "<Data Name='SubjectUserName'>adm-jdoe</Data><Data Name='SubjectDomainName'>CORP</Data>"               \
    "<Data Name='SubjectLogonId'>0x3e7</Data><Data Name='NewProcessId'>" newpid "</Data>"                   \
    "<Data Name='NewProcessName'>C:\\Users\\Public\\upd.exe</Data>"                                         \
    "<Data Name='TokenElevationType'>%%1936</Data><Data Name='ProcessId'>0x1394</Data>"                     \
    "<Data Name='CommandLine'>" cmd "</Data><Data Name='TargetUserSid'>S-1-0-0</Data>"                      \
    "<Data Name='TargetUserName'>-</Data><Data Name='TargetDomainName'>-</Data>"                            \
    "<Data Name='TargetLogonId'>0x0</Data><Data Name='ParentProcessName'>C:\\Windows\\System32\\cmd.exe</Data>" \
    "<Data Name='MandatoryLabel'>S-1-16-12288</Data></EventData></Event>"

TEST_IMPL(evtxml_process_created_4688)
{
    static const char ok[] = "<Events>" EV4688("900", "0x17e8", "upd.exe /q &quot;C:\\x&quot;") EV4688("901", "0x17ec", "")
        "</Events>";
    static const char bad[] = "<Events>" EV4688("902", "0xzz", "") "</Events>";
    struct created c;
    struct wfpw_evtxml *p;
    char err[256] = "";
    int i;
    memset(&c, 0, sizeof(c));
    ASSERT((p = wfpw_evtxml_new(NULL, keep_created, &c)) != NULL);
    ASSERT_EQ(wfpw_evtxml_feed(p, ok, sizeof(ok) - 1, 1, err, sizeof(err)), 0);
    wfpw_evtxml_free(p);
    ASSERT_EQ(c.n, 2);
    ASSERT_EQ(c.p[0].pid, 0x17e8);
    ASSERT_EQ(c.p[0].parent_pid, 0x1394);
    ASSERT_STR_EQ(c.p[0].image, "C:\\Users\\Public\\upd.exe");
    ASSERT_STR_EQ(c.p[0].command_line, "upd.exe /q \"C:\\x\"");
    ASSERT_STR_EQ(c.p[0].parent_image, "C:\\Windows\\System32\\cmd.exe");
    ASSERT_STR_EQ(c.p[0].user, "CORP\\adm-jdoe");
    ASSERT_STR_EQ(c.p[0].user_sid, "S-1-5-21-1-2-3-1104");
    ASSERT_EQ(c.p[0].start_ms, 1763647799512LL);
    ASSERT_EQ(c.p[0].record_id, 900);
    ASSERT(c.p[1].command_line == NULL); /* the policy that adds it is off */
    for (i = 0; i < c.n; i++)
        wfpw_proc_clear(&c.p[i]);
    memset(&c, 0, sizeof(c));
    ASSERT((p = wfpw_evtxml_new(NULL, keep_created, &c)) != NULL);
    ASSERT(wfpw_evtxml_feed(p, bad, sizeof(bad) - 1, 1, err, sizeof(err)) != 0);
    ASSERT(strstr(err, "NewProcessId \"0xzz\" is not a process id") != NULL);
    ASSERT_EQ(c.n, 0);
    wfpw_evtxml_free(p);
    return 0;
}

/* The firewall's operational log, as Windows 10 (2004-2006) and Windows 11 22H2 (2071, 2073,
 * 2052; an ErrorCode field added) write it: the rule, its group and application, and who
 * changed it; a deletion carries only the rule and the changer; an event with one of these ids
 * but no rule (another provider's) is skipped. */
struct fwseen {
    int kind[4], direction[4], action[4];
    char name[4][64], app[4][96], group[4][32];
    int n;
};

static int keep_fw(void *ctx, struct wfpw_evtxml_event *e)
{
    struct fwseen *f = ctx;
    cJSON_Delete(e->ev);
    if (e->fwrule) {
        ASSERT(f->n < 4);
        f->kind[f->n] = e->fwrule->kind, f->direction[f->n] = e->fwrule->direction, f->action[f->n] = e->fwrule->action;
        snprintf(f->name[f->n], sizeof(f->name[0]), "%s", e->fwrule->rule_name);
        snprintf(f->app[f->n], sizeof(f->app[0]), "%s", e->fwrule->modifying_app ? e->fwrule->modifying_app : "");
        snprintf(f->group[f->n], sizeof(f->group[0]), "%s", e->fwrule->group ? e->fwrule->group : "");
        f->n++;
    }
    return 0;
}

#define FWEV(id, rec, data)                                                                                        \
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"                                 \
    "<Provider Name='Microsoft-Windows-Windows Firewall With Advanced Security' Guid='{d1bc9aff-2abf-4d71-9146-ecb2a986eb85}'/>" \
    "<EventID>" id "</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode>"                \
    "<Keywords>0x8000020000000000</Keywords><TimeCreated SystemTime='2023-05-04T17:01:45.8409961Z'/>"              \
    "<EventRecordID>" rec "</EventRecordID><Execution ProcessID='2352' ThreadID='19044'/>"                         \
    "<Channel>Microsoft-Windows-Windows Firewall With Advanced Security/Firewall</Channel><Computer>HLPC01</Computer>" \
    "<Security UserID='S-1-5-19'/></System><EventData>" data "</EventData></Event>"
#define FWRULE(name, app, dir, action, group)                                                                      \
    "<Data Name='RuleId'>{8736B31E-8792-452E-8D2D-C45621F236AF}</Data><Data Name='RuleName'>" name "</Data>"        \
    "<Data Name='Origin'>1</Data><Data Name='ApplicationPath'>" app "</Data><Data Name='ServiceName'/>"              \
    "<Data Name='Direction'>" dir "</Data><Data Name='Protocol'>256</Data><Data Name='Action'>" action "</Data>"     \
    "<Data Name='Profiles'>2147483647</Data><Data Name='EmbeddedContext'>" group "</Data><Data Name='Active'>1</Data>" \
    "<Data Name='ModifyingUser'>S-1-5-21-1-2-3-1001</Data><Data Name='ModifyingApplication'>C:\\Windows\\System32\\netsh.exe</Data>"

TEST_IMPL(evtxml_firewall_rule_changes)
{
    static const char ok[] = "<Events>"
        FWEV("2004", "6661", FWRULE("Open SSH Port 22", "", "1", "3", ""))
        FWEV("2071", "545", FWRULE("Block Rule for MsMpEng.exe", "C:\\x\\MsMpEng.exe", "2", "2", "@EDR Rules")
             "<Data Name='ErrorCode'>0</Data>")
        FWEV("2052", "552", "<Data Name='RuleId'>{0D458E97-4EC5-4C5C-A5A4-F9F73E769168}</Data>"
             "<Data Name='RuleName'>Open SSH Port 22</Data><Data Name='ModifyingUser'>S-1-5-21-1-2-3-1001</Data>"
             "<Data Name='ModifyingApplication'>C:\\Windows\\System32\\mmc.exe</Data><Data Name='ErrorCode'>0</Data>")
        "</Events>";
    static const char bad[] = "<Events>" FWEV("2005", "7", "<Data Name='RuleId'>{x}</Data>") "</Events>";
    struct fwseen f;
    struct wfpw_evtxml *p;
    char err[256] = "";
    memset(&f, 0, sizeof(f));
    ASSERT((p = wfpw_evtxml_new(NULL, keep_fw, &f)) != NULL);
    ASSERT_EQ(wfpw_evtxml_feed(p, ok, sizeof(ok) - 1, 1, err, sizeof(err)), 0);
    wfpw_evtxml_free(p);
    ASSERT_EQ(f.n, 3);
    ASSERT_EQ(f.kind[0], WFPW_FWRULE_ADDED);
    ASSERT_EQ(f.direction[0], 1);
    ASSERT_EQ(f.action[0], 3);
    ASSERT_STR_EQ(f.app[0], "C:\\Windows\\System32\\netsh.exe");
    ASSERT_EQ(f.kind[1], WFPW_FWRULE_ADDED); /* 2071: Windows 11's "added" */
    ASSERT_STR_EQ(f.name[1], "Block Rule for MsMpEng.exe");
    ASSERT_STR_EQ(f.group[1], "@EDR Rules");
    ASSERT_EQ(f.action[1], 2);
    ASSERT_EQ(f.kind[2], WFPW_FWRULE_DELETED); /* 2052 */
    ASSERT_EQ(f.direction[2], 0);
    ASSERT_STR_EQ(f.app[2], "C:\\Windows\\System32\\mmc.exe");
    memset(&f, 0, sizeof(f));
    ASSERT((p = wfpw_evtxml_new(NULL, keep_fw, &f)) != NULL);
    /* another provider's event with the same id (no RuleName) is skipped, not an error */
    ASSERT_EQ(wfpw_evtxml_feed(p, bad, sizeof(bad) - 1, 1, err, sizeof(err)), 0);
    ASSERT_EQ(f.n, 0);
    wfpw_evtxml_free(p);
    return 0;
}

/* A 4688 whose command line is longer than the reader keeps (a command line may be 32,767
 * UTF-16 units, about 96 KiB of UTF-8) is not lost: it is kept, cut between characters; a
 * process started under another account (TargetUserSid) is that account's. */
TEST_IMPL(evtxml_4688_long_and_other_account)
{
    static const char head[] = "<Events>" EV4688("910", "0x20", "");
    const char *cmd = strstr(head, "<Data Name='CommandLine'>") + strlen("<Data Name='CommandLine'>");
    struct created c;
    struct wfpw_evtxml *p;
    char err[256] = "", *doc = wfpw_malloc(200000), *w;
    size_t i;
    memset(&c, 0, sizeof(c));
    ASSERT(doc != NULL);
    /* the event up to its (empty) command line, 60,000 bytes of é, then the rest */
    memcpy(doc, head, (size_t)(cmd - head));
    w = doc + (cmd - head);
    for (i = 0; i < 30000; i++)
        *w++ = (char)0xC3, *w++ = (char)0xA9;
    strcpy(w, cmd);
    strcat(doc, "</Events>");
    ASSERT((p = wfpw_evtxml_new(NULL, keep_created, &c)) != NULL);
    if (wfpw_evtxml_feed(p, doc, strlen(doc), 1, err, sizeof(err)) != 0)
        fprintf(stderr, "%s\n", err);
    ASSERT_STR_EQ(err, "");
    wfpw_evtxml_free(p);
    ASSERT_EQ(c.n, 1);
    ASSERT(c.p[0].command_line != NULL);
    ASSERT(strlen(c.p[0].command_line) <= WFPW_PROC_TEXT_MAX);
    ASSERT(strlen(c.p[0].command_line) % 2 == 0); /* whole characters */
    wfpw_proc_clear(&c.p[0]);
    wfpw_free(doc);
    {
        static const char svc[] = "<Events>" EV4688("911", "0x24", "svc.exe") "</Events>";
        static const char from[] = "<Data Name='TargetUserSid'>S-1-0-0</Data><Data Name='TargetUserName'>-</Data>"
                                   "<Data Name='TargetDomainName'>-</Data>";
        static const char to[] = "<Data Name='TargetUserSid'>S-1-5-18</Data><Data Name='TargetUserName'>SYSTEM</Data>"
                                 "<Data Name='TargetDomainName'>NT AUTHORITY</Data>";
        char *d = wfpw_malloc(sizeof(svc) + sizeof(to)), *t = strstr(svc, from);
        struct created c2;
        memset(&c2, 0, sizeof(c2));
        ASSERT(d != NULL && t != NULL);
        /* the creator's own account in Target* (S-1-0-0) becomes SYSTEM: a service started for it */
        memcpy(d, svc, (size_t)(t - svc));
        strcpy(d + (t - svc), to);
        strcat(d, t + strlen(from));
        ASSERT((p = wfpw_evtxml_new(NULL, keep_created, &c2)) != NULL);
        ASSERT_EQ(wfpw_evtxml_feed(p, d, strlen(d), 1, err, sizeof(err)), 0);
        wfpw_evtxml_free(p);
        ASSERT_EQ(c2.n, 1);
        ASSERT_STR_EQ(c2.p[0].user_sid, "S-1-5-18");
        ASSERT_STR_EQ(c2.p[0].user, "NT AUTHORITY\\SYSTEM");
        wfpw_proc_clear(&c2.p[0]);
        wfpw_free(d);
    }
    return 0;
}
