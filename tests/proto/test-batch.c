/*
 * test-batch.c — proto v1 batches: golden files for every event type, byte-identical
 * round trips, the table of malformed batches in tests/data/proto/mutations.json (each
 * must be rejected naming its field, and nothing else), raw-JSON rejections, the size
 * limits, and allocation failure at every point of build/encode/decode.
 */
#include <stdint.h>

#include "../runner.h"
#include "samples.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

static char *encode_batch(struct wfpw_batch *b, size_t *len)
{
    struct wfpw_buf buf;
    wfpw_buf_init(&buf, 64u << 20);
    ASSERT(wfpw_batch_encode(b, &buf) == 0);
    return wfpw_buf_detach(&buf, len);
}

/* Encodes the sample batch of `type` ("all" = every type) and compares it with the golden
 * file; WFPW_GOLDEN_UPDATE=1 rewrites the golden files instead. */
static void check_golden(const char *type)
{
    char rel[128], *golden, *enc, *enc2;
    size_t glen, elen, elen2;
    struct wfpw_batch *b = wfpw_sample_batch(strcmp(type, "all") == 0 ? NULL : type), *d;
    struct wfpw_proto_err err;

    ASSERT(b != NULL);
    enc = encode_batch(b, &elen);
    wfpw_batch_free(b);
    snprintf(rel, sizeof(rel), "proto/golden/%s.json", type);
    if (getenv("WFPW_GOLDEN_UPDATE")) {
        char *nl = wfpw_malloc(elen + 1);
        memcpy(nl, enc, elen);
        nl[elen] = '\n';
        ASSERT(wfpw_test_write(wfpw_test_data(rel), nl, elen + 1) == 0);
        wfpw_free(nl);
    }
    golden = wfpw_test_read(wfpw_test_data(rel), &glen);
    ASSERT(golden != NULL);
    ASSERT(glen > 0 && golden[glen - 1] == '\n'); /* files end with one newline */
    glen--;
    golden[glen] = '\0';
    ASSERT_EQ(elen, glen);
    ASSERT_STR_EQ(enc, golden);

    /* golden -> decode -> encode is byte-identical */
    memset(&err, 0, sizeof(err));
    if (wfpw_batch_decode(golden, glen, &d, &err) != 0)
        fprintf(stderr, "%s: %s: %s\n", type, err.field, err.msg);
    ASSERT(d != NULL);
    enc2 = encode_batch(d, &elen2);
    ASSERT_EQ(elen2, glen);
    ASSERT_STR_EQ(enc2, golden);
    wfpw_batch_free(d);
    wfpw_free(enc);
    wfpw_free(enc2);
    wfpw_free(golden);
}

TEST_IMPL(proto_golden_connection_blocked) { check_golden("connection_blocked"); return 0; }
TEST_IMPL(proto_golden_filter_added) { check_golden("filter_added"); return 0; }
TEST_IMPL(proto_golden_filter_removed) { check_golden("filter_removed"); return 0; }
TEST_IMPL(proto_golden_filter_changed) { check_golden("filter_changed"); return 0; }
TEST_IMPL(proto_golden_alert) { check_golden("alert"); return 0; }
TEST_IMPL(proto_golden_heartbeat) { check_golden("heartbeat"); return 0; }
TEST_IMPL(proto_golden_agent_status) { check_golden("agent_status"); return 0; }
TEST_IMPL(proto_golden_inventory_changed) { check_golden("inventory_changed"); return 0; }
TEST_IMPL(proto_golden_all) { check_golden("all"); return 0; }
TEST_IMPL(proto_golden_surface_changed) { check_golden("surface_changed"); return 0; }
TEST_IMPL(proto_golden_surface_alert) { check_golden("surface_alert"); return 0; }

/* ---- mutations.json ------------------------------------------------------------------------- */

static cJSON *navigate(cJSON *node, const cJSON *path, int upto_last, const cJSON **last)
{
    const cJSON *step;
    for (step = path->child; step; step = step->next) {
        if (upto_last && step->next == NULL) {
            *last = step;
            return node;
        }
        node = cJSON_IsNumber(step) ? cJSON_GetArrayItem(node, step->valueint)
                                    : cJSON_GetObjectItemCaseSensitive(node, step->valuestring);
        ASSERT(node != NULL);
    }
    return node;
}

static cJSON *make_value(const cJSON *c)
{
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(c, "repeat");
    if (rep) {
        int n = cJSON_GetArrayItem(rep, 1)->valueint;
        char ch = cJSON_GetArrayItem(rep, 0)->valuestring[0];
        char *s = wfpw_malloc((size_t)n + 1);
        cJSON *v;
        memset(s, ch, (size_t)n);
        s[n] = '\0';
        v = cJSON_CreateString(s);
        wfpw_free(s);
        return v;
    }
    return cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "value"), 1);
}

static void apply(cJSON *doc, const cJSON *c)
{
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(c, "op");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(c, "path"), *last = NULL;
    cJSON *parent;
    if (op == NULL)
        return;
    parent = navigate(doc, path, 1, &last);
    if (strcmp(op->valuestring, "delete") == 0) {
        if (cJSON_IsNumber(last))
            cJSON_DeleteItemFromArray(parent, last->valueint);
        else
            cJSON_DeleteItemFromObjectCaseSensitive(parent, last->valuestring);
    } else {
        cJSON *v = make_value(c);
        ASSERT(v != NULL);
        if (cJSON_IsNumber(last))
            ASSERT(cJSON_ReplaceItemInArray(parent, last->valueint, v));
        else if (cJSON_GetObjectItemCaseSensitive(parent, last->valuestring))
            ASSERT(cJSON_ReplaceItemInObjectCaseSensitive(parent, last->valuestring, v));
        else
            ASSERT(cJSON_AddItemToObject(parent, last->valuestring, v));
    }
}

/* wfpw_event_validate_members on the one member a case changed in an event (the pipeline checks
 * only what it changed in events a source validated whole): it must say what the whole batch's
 * validation says, with the event's own path. Cross-member rules and reserved names are the
 * whole validation's only. */
static void members_agree(cJSON *doc, const cJSON *c, size_t *checked)
{
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(c, "path");
    const cJSON *field = cJSON_GetObjectItemCaseSensitive(c, "field");
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const cJSON *p0 = cJSON_GetArrayItem(path, 0), *p1 = cJSON_GetArrayItem(path, 1), *p2 = cJSON_GetArrayItem(path, 2);
    const char *names[2] = {NULL, NULL};
    char prefix[300], want[300];
    struct wfpw_proto_err err;
    cJSON *ev;
    size_t i;
    int rc;

    if (!cJSON_IsString(p0) || strcmp(p0->valuestring, "events") != 0 || !cJSON_IsNumber(p1) || !cJSON_IsString(p2))
        return;
    names[0] = p2->valuestring;
    if (strcmp(names[0], "type") == 0 || strcmp(names[0], "last_seen") == 0 || strcmp(names[0], "first_seen") == 0)
        return;
    for (i = 0; wfpw_proto_reserved[i]; i++)
        if (strcmp(names[0], wfpw_proto_reserved[i]) == 0)
            return;
    ev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "events"), p1->valueint);
    ASSERT(ev != NULL);
    memset(&err, 0, sizeof(err));
    rc = wfpw_event_validate_members(ev, names, "event", &err);
    if (expect && strcmp(expect->valuestring, "ok") == 0) {
        ASSERT_EQ(rc, 0);
    } else {
        snprintf(prefix, sizeof(prefix), "events[%d].%s", p1->valueint, names[0]);
        if (strncmp(field->valuestring, prefix, strlen(prefix)) != 0)
            return;  /* the case's error is elsewhere */
        snprintf(want, sizeof(want), "event%s", field->valuestring + strlen(prefix) - strlen(names[0]) - 1);
        if (rc != WFPW_EPROTO || strcmp(err.field, want) != 0)
            fprintf(stderr, "members of '%s': rc=%d field='%s', want '%s'\n",
                    cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring, rc, err.field, want);
        ASSERT_EQ(rc, WFPW_EPROTO);
        ASSERT_STR_EQ(err.field, want);
    }
    ++*checked;
}

TEST_IMPL(proto_mutations)
{
    size_t glen, mlen, n = 0, nmembers = 0;
    char *golden = wfpw_test_read(wfpw_test_data("proto/golden/all.json"), &glen);
    char *muts = wfpw_test_read(wfpw_test_data("proto/mutations.json"), &mlen);
    cJSON *cases, *c;
    ASSERT(golden && muts);
    cases = cJSON_Parse(muts);
    ASSERT(cJSON_IsArray(cases));
    for (c = cases->child; c; c = c->next, n++) {
        const char *name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(c, "field");
        const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
        cJSON *doc = cJSON_Parse(golden);
        struct wfpw_buf buf;
        struct wfpw_batch *b = NULL;
        struct wfpw_proto_err err;
        int rc;

        ASSERT(doc != NULL);
        apply(doc, c);
        wfpw_buf_init(&buf, 64u << 20);
        ASSERT(wfpw_json_write(doc, &buf) == 0);
        memset(&err, 0, sizeof(err));
        rc = wfpw_batch_decode(buf.data, buf.len, &b, &err);
        if (expect && strcmp(expect->valuestring, "ok") == 0) {
            if (rc != 0)
                fprintf(stderr, "case '%s': unexpected rejection %s: %s\n", name, err.field, err.msg);
            ASSERT(rc == 0);
            { /* unknown members survive: re-encoding gives the same bytes */
                size_t l2;
                char *again = encode_batch(b, &l2);
                ASSERT_EQ(l2, buf.len);
                ASSERT_STR_EQ(again, buf.data);
                wfpw_free(again);
            }
            wfpw_batch_free(b);
        } else {
            if (rc != WFPW_EPROTO || strcmp(err.field, field->valuestring) != 0)
                fprintf(stderr, "case '%s': rc=%d field='%s' msg='%s', want field '%s'\n", name,
                        rc, err.field, err.msg, field->valuestring);
            ASSERT(rc == WFPW_EPROTO);
            ASSERT(b == NULL);
            ASSERT_STR_EQ(err.field, field->valuestring);
            ASSERT(err.msg[0] != '\0');
        }
        members_agree(doc, c, &nmembers);
        wfpw_buf_free(&buf);
        cJSON_Delete(doc);
    }
    ASSERT(n >= 90);
    ASSERT(nmembers >= 60);
    cJSON_Delete(cases);
    wfpw_free(golden);
    wfpw_free(muts);
    return 0;
}

/* ---- raw JSON that is not strict JSON --------------------------------------------------------- */

TEST_IMPL(proto_raw_rejects)
{
    static const struct {
        const char *json;
        size_t len; /* 0: strlen */
        const char *field;
        const char *msg_part;
    } cases[] = {
        {"", 0, "", "malformed JSON"},
        {"   ", 0, "", "malformed JSON"},
        {"[]", 0, "", "expected a batch object"},
        {"{\"schema\":\"wfpwatch/1\",\"schema\":\"wfpwatch/1\"}", 0, "schema", "duplicate key"},
        {"{\"a\":{\"k\":1,\"k\":2}}", 0, "a.k", "duplicate key"},
        {"{\"a\":\"\xff\"}", 0, "a", "invalid UTF-8"},
        {"{\"a\":\"\xc0\xaf\"}", 0, "a", "invalid UTF-8"},          /* overlong '/' */
        {"{\"a\":\"\xed\xa0\x80\"}", 0, "a", "invalid UTF-8"},      /* encoded surrogate */
        {"{\"\xfe\":1}", 0, "", "invalid UTF-8"},
        {"{\"abcdefghijk\":\"\xff\"}", 0, "abcdefghijk", "invalid UTF-8"}, /* past the 8-byte words */
        {"{\"abcdefgh\":\"\xff\"}", 0, "abcdefgh", "invalid UTF-8"},       /* in the second word */
        {"{\"a\":\"\\ud800\"}", 0, "", "malformed JSON"},            /* lone surrogate escape */
        {"{\"a\":\"x\\u0000y\"}", 0, "", "\\u0000"},
        {"{\"a\":\"x\ty\"}", 0, "", "raw control character"},
        {"{\"a\":\"x\0y\"}", 11, "", "raw control character"},
        {"{\"a\":01}", 0, "", "malformed number"},
        {"{\"a\":+1}", 0, "", "malformed JSON"},
        {"{\"a\":1.}", 0, "", "malformed number"},
        {"{\"a\":.5}", 0, "", "malformed JSON"},
        {"{\"a\":1e}", 0, "", "malformed number"},
        {"{\"a\":-}", 0, "", "malformed number"},
        {"{\"a\":1} x", 0, "", "trailing data"},
        {"{\"a\":1}{}", 0, "", "trailing data"},
        {"{\"a\":[1,2,]}", 0, "", "malformed JSON"},
        {"{\"a\":tru}", 0, "", "malformed JSON"},
        {"{\"a\":1", 0, "", "malformed JSON"},
        {"{\"a\":\"abc", 0, "", "unterminated string"},
        {"[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]", 0, "", "nesting deeper than 16"},
        {"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":"
         "{\"o\":{\"p\":{}}}}}}}}}}}}}}}}}}}", 0, "", "nesting deeper than 16"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct wfpw_batch *b = (struct wfpw_batch *)&b;
        struct wfpw_proto_err err;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].json);
        int rc;
        memset(&err, 0, sizeof(err));
        rc = wfpw_batch_decode(cases[i].json, len, &b, &err);
        if (rc == 0 || strcmp(err.field, cases[i].field) != 0 || !strstr(err.msg, cases[i].msg_part))
            fprintf(stderr, "raw case %zu: rc=%d field='%s' msg='%s'\n", i, rc, err.field, err.msg);
        ASSERT(rc == WFPW_ESYNTAX || rc == WFPW_EPROTO);
        ASSERT(b == NULL);
        ASSERT_STR_EQ(err.field, cases[i].field);
        ASSERT(strstr(err.msg, cases[i].msg_part) != NULL);
    }
    return 0;
}

/* 16 levels is the limit, not 15: the deepest legal document parses. */
TEST_IMPL(proto_depth_limit_exact)
{
    cJSON *root = NULL;
    struct wfpw_json_err err;
    const char *ok16 = "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]";
    ASSERT(wfpw_json_parse(ok16, strlen(ok16), 16, &root, &err) == 0);
    cJSON_Delete(root);
    ASSERT(wfpw_json_parse(ok16, strlen(ok16), 15, &root, &err) == WFPW_ESYNTAX);
    ASSERT(root == NULL);
    return 0;
}

/* ---- limits ------------------------------------------------------------------------------------- */

static struct wfpw_batch *batch_of(size_t n)
{
    struct wfpw_batch *b = wfpw_batch_new(wfpw_sample_agent(), SAMPLE_BATCH_ID, SAMPLE_SENT_AT);
    size_t i;
    ASSERT(b != NULL);
    for (i = 0; i < n; i++)
        ASSERT(wfpw_batch_add(b, wfpw_sample_event("agent_status", i + 1), NULL) == 0);
    return b;
}

TEST_IMPL(proto_event_count_limit)
{
    struct wfpw_batch *b = batch_of(WFPW_PROTO_MAX_EVENTS), *d = NULL;
    struct wfpw_proto_err err;
    struct wfpw_buf buf;
    char *p;
    size_t len;
    int rc;

    /* the builder refuses the 10001st event */
    ASSERT(wfpw_batch_add(b, wfpw_sample_event("agent_status", 10001), NULL) == WFPW_ETOOBIG);
    p = encode_batch(b, &len);
    ASSERT(wfpw_batch_decode(p, len, &d, &err) == 0);
    ASSERT_EQ(wfpw_batch_count(d), WFPW_PROTO_MAX_EVENTS);
    wfpw_batch_free(d);

    /* a hand-made 10001-event document is rejected naming events */
    wfpw_buf_init(&buf, 64u << 20);
    wfpw_buf_append(&buf, p, len - 2); /* drop "]}" */
    wfpw_buf_puts(&buf, ",{\"seq\":10001,\"type\":\"agent_status\",\"time\":\"2025-11-22T03:16:20.000Z\","
                        "\"source\":\"agent\",\"state\":\"started\",\"message\":\"\"}]}");
    ASSERT(buf.err == 0);
    memset(&err, 0, sizeof(err));
    rc = wfpw_batch_decode(buf.data, buf.len, &d, &err);
    ASSERT(rc == WFPW_EPROTO);
    ASSERT_STR_EQ(err.field, "events");
    ASSERT(strstr(err.msg, "more than 10000") != NULL);
    wfpw_buf_free(&buf);
    wfpw_free(p);
    wfpw_batch_free(b);
    return 0;
}

TEST_IMPL(proto_builder_validates)
{
    struct wfpw_batch *b = batch_of(0);
    struct wfpw_endpoint bad = {"not-an-ip", 443};
    struct wfpw_ev_blocked ev;
    struct wfpw_proto_err err;
    struct wfpw_buf buf;

    memset(&ev, 0, sizeof(ev));
    ev.seq = 1, ev.time_ms = 1763781380000LL, ev.source = "callout", ev.direction = "outbound";
    ev.protocol = 6, ev.local = &bad, ev.pid = -1, ev.verdict = "unknown", ev.count = 1;
    ev.first_seen_ms = ev.last_seen_ms = ev.time_ms;
    memset(&err, 0, sizeof(err));
    ASSERT(wfpw_batch_add(b, wfpw_event_blocked(&ev), &err) == WFPW_EPROTO);
    ASSERT_STR_EQ(err.field, "events[0].local.ip");
    ASSERT_EQ(wfpw_batch_count(b), 0);
    /* an empty batch cannot be encoded: v1 requires at least one event */
    wfpw_buf_init(&buf, 1024);
    ASSERT(wfpw_batch_encode(b, &buf) == WFPW_EINVAL);
    wfpw_buf_free(&buf);
    /* a time before 1970 cannot be built */
    ASSERT(wfpw_event_new(1, "agent_status", -1, "agent") == NULL);
    wfpw_batch_free(b);
    return 0;
}

/* Every allocation in build, encode and decode fails once, in turn: no crash, no leak, and
 * a clean error each time (the runner checks the leak count). */
TEST_IMPL(proto_oom)
{
    long n;
    int completed = 0;
    size_t glen;
    char *golden = wfpw_test_read(wfpw_test_data("proto/golden/all.json"), &glen);
    ASSERT(golden != NULL);
    for (n = 1; n < 100000 && !completed; n++) {
        struct wfpw_batch *b, *d = NULL;
        struct wfpw_buf buf;
        struct wfpw_proto_err err;
        int ok = 0, rc = 0;
        wfpw_mem_fail_after(n);
        b = wfpw_sample_batch(NULL);
        wfpw_buf_init(&buf, 1u << 20);
        if (b && wfpw_batch_encode(b, &buf) == 0 && (rc = wfpw_batch_decode(golden, glen - 1, &d, &err)) == 0)
            ok = 1;
        wfpw_mem_fail_after(0);
        /* a decode that ran out of memory says so (a collector answers 503, the agent retries),
         * never "malformed" (400: the agent would drop a good batch) */
        if (rc != 0 && rc != WFPW_ENOMEM) {
            fprintf(stderr, "allocation %ld failed: decode gave %d (%s: %s)\n", n, rc, err.field, err.msg);
            ASSERT(0);
        }
        if (ok) {
            ASSERT_EQ(buf.len, glen - 1);
            ASSERT(memcmp(buf.data, golden, buf.len) == 0);
            completed = 1;
        }
        wfpw_batch_free(d);
        wfpw_batch_free(b);
        wfpw_buf_free(&buf);
    }
    ASSERT(completed);
    ASSERT(n > 50); /* the loop really did fail many allocations first */
    wfpw_free(golden);
    return 0;
}

TEST_IMPL(proto_uuid_guid)
{
    uint8_t bytes[16];
    char u[WFPW_UUID_LEN + 1];
    int i;
    for (i = 0; i < 16; i++)
        bytes[i] = (uint8_t)(0xF0 + i);
    wfpw_uuid_format(bytes, u);
    ASSERT_STR_EQ(u, "f0f1f2f3-f4f5-46f7-b8f9-fafbfcfdfeff"); /* version 4, variant 10 */
    ASSERT(wfpw_uuid_valid(u));
    ASSERT(!wfpw_uuid_valid("F0F1F2F3-F4F5-4F7F-B8F9-FAFBFCFDFEFF"));
    ASSERT(!wfpw_uuid_valid("f0f1f2f3f4f54f7fb8f9fafbfcfdfeff"));
    ASSERT(!wfpw_uuid_valid(NULL));
    ASSERT(wfpw_guid_valid("{c38d57d1-05a7-4c33-904f-7fbceee60e82}"));
    ASSERT(!wfpw_guid_valid("c38d57d1-05a7-4c33-904f-7fbceee60e82"));
    ASSERT(!wfpw_guid_valid("{C38D57D1-05A7-4C33-904F-7FBCEEE60E82}"));
    ASSERT(!wfpw_guid_valid("{c38d57d1-05a7-4c33-904f-7fbceee60e82"));
    return 0;
}

/* A batch document is refused before any tree is built when it holds more values and member
 * names than WFPW_PROTO_MAX_TOKENS: however a body is shaped (8 MiB of empty arrays, say), the
 * decoder allocates at most the tree of a document within the bound. */
TEST_IMPL(proto_batch_token_bound)
{
    static const char head[] = "{\"schema\":\"wfpwatch/1\",\"x\":[";
    size_t n = (size_t)WFPW_PROTO_MAX_TOKENS + 10, len = 0, i;
    char *doc = wfpw_malloc(sizeof(head) + n * 3 + 8);
    struct wfpw_batch *b = (struct wfpw_batch *)1;
    struct wfpw_proto_err err;
    long before = wfpw_mem_live();
    ASSERT(doc != NULL);
    memcpy(doc, head, sizeof(head) - 1);
    len = sizeof(head) - 1;
    for (i = 0; i < n; i++) {
        memcpy(doc + len, i ? ",[]" : "[]", i ? 3 : 2);
        len += i ? 3 : 2;
    }
    memcpy(doc + len, "]}", 2);
    len += 2;
    memset(&err, 0, sizeof(err));
    ASSERT(wfpw_batch_decode(doc, len, &b, &err) == WFPW_EPROTO);
    ASSERT(b == NULL);
    ASSERT(strstr(err.msg, "more than 1000000 JSON values") != NULL);
    ASSERT_EQ(wfpw_mem_live(), before); /* refused by the pre-scan: nothing was allocated */
    wfpw_free(doc);
    return 0;
}
