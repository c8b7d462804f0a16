/*
 * test-json.c — the canonical JSON writer and the strict parser's acceptance side.
 */
#include "../runner.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

static void roundtrip(const char *in, const char *want)
{
    cJSON *root = NULL;
    struct wfpw_json_err err;
    struct wfpw_buf buf;
    memset(&err, 0, sizeof(err));
    if (wfpw_json_parse(in, strlen(in), 16, &root, &err) != 0)
        fprintf(stderr, "parse '%s': %s\n", in, err.msg);
    ASSERT(root != NULL);
    wfpw_buf_init(&buf, 1 << 16);
    ASSERT(wfpw_json_write(root, &buf) == 0);
    ASSERT_STR_EQ(buf.data, want);
    wfpw_buf_free(&buf);
    cJSON_Delete(root);
}

TEST_IMPL(json_canonical_writer)
{
    /* whitespace goes, member order stays */
    roundtrip(" { \"b\" : 1 ,\n \"a\" : [ true , false , null ] } ", "{\"b\":1,\"a\":[true,false,null]}");
    /* integers print exactly, up to 2^53-1, never in exponent form */
    roundtrip("[0,-0,1,1000000000000000,9007199254740991,-9007199254740991,1e3,100E-2]",
              "[0,0,1,1000000000000000,9007199254740991,-9007199254740991,1000,1]");
    /* other numbers: shortest round-trip-safe form (17 significant digits at most) */
    roundtrip("[1.5,0.1,1e300]", "[1.5,0.10000000000000001,1.0000000000000001e+300]");
    /* escapes: the two mandatory, control characters, and \u escapes decoded to UTF-8 */
    roundtrip("[\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u0001\\u001f\"]",
              "[\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\"]");
    roundtrip("[\"\\u00e9\\u20ac\\ud83d\\ude00\"]", "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]");
    roundtrip("[\"\xc3\xa9 raw UTF-8\"]", "[\"\xc3\xa9 raw UTF-8\"]");
    roundtrip("{}", "{}");
    roundtrip("[]", "[]");
    return 0;
}

TEST_IMPL(json_duplicate_keys_large_object)
{
    /* large objects use the sorted check; a duplicate far apart is still found */
    struct wfpw_buf buf;
    cJSON *root = NULL;
    struct wfpw_json_err err;
    int i;
    wfpw_buf_init(&buf, 1 << 20);
    wfpw_buf_putc(&buf, '{');
    for (i = 0; i < 5000; i++)
        wfpw_buf_printf(&buf, "\"k%d\":%d,", i, i);
    wfpw_buf_puts(&buf, "\"k17\":0}");
    memset(&err, 0, sizeof(err));
    ASSERT(wfpw_json_parse(buf.data, buf.len, 16, &root, &err) == WFPW_ESYNTAX);
    ASSERT_STR_EQ(err.field, "k17");
    ASSERT(strstr(err.msg, "duplicate") != NULL);
    /* and without the duplicate it parses */
    buf.len -= strlen(",\"k17\":0}");
    wfpw_buf_puts(&buf, "}");
    ASSERT(wfpw_json_parse(buf.data, buf.len, 16, &root, &err) == 0);
    cJSON_Delete(root);
    wfpw_buf_free(&buf);
    return 0;
}

/* wfpw_json_get: as cJSON_GetObjectItemCaseSensitive for every member, names sharing a first
 * byte, a missing one, the empty name and no object. */
TEST_IMPL(json_get_member)
{
    static const char *const names[] = {"time", "type", "t", "", "seq", "source", "Type"};
    cJSON *o = cJSON_Parse("{\"time\":1,\"type\":2,\"t\":3,\"\":4,\"seq\":5,\"source\":6}");
    size_t i;
    ASSERT(o != NULL);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        ASSERT(wfpw_json_get(o, names[i]) == cJSON_GetObjectItemCaseSensitive(o, names[i]));
    ASSERT_EQ((int)wfpw_json_get(o, "type")->valuedouble, 2);
    ASSERT(wfpw_json_get(o, "Type") == NULL);
    ASSERT(wfpw_json_get(o, "sequence") == NULL);
    ASSERT(wfpw_json_get(NULL, "time") == NULL);
    cJSON_Delete(o);
    return 0;
}

TEST_IMPL(json_paths)
{
    struct wfpw_jpath p = {{0}, 0, 0};
    size_t a, b, c;
    a = wfpw_jpath_key(&p, "events");
    b = wfpw_jpath_index(&p, 12);
    c = wfpw_jpath_key(&p, "remote");
    ASSERT_STR_EQ(p.buf, "events[12].remote");
    wfpw_jpath_pop(&p, c);
    ASSERT_STR_EQ(p.buf, "events[12]");
    wfpw_jpath_pop(&p, b);
    ASSERT_STR_EQ(p.buf, "events");
    wfpw_jpath_pop(&p, a);
    ASSERT_STR_EQ(p.buf, "");
    return 0;
}

/* Paths longer than the buffer are cut with "..." at any fill level (fuzzer find: a path at
 * 253-255 bytes overflowed the marker), and popping restores the uncut prefix. */
TEST_IMPL(json_paths_cut)
{
    char key[600];
    size_t fill, saved, saved2;
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    for (fill = 240; fill < 260; fill++) {
        struct wfpw_jpath p = {{0}, 0, 0};
        char part[300];
        memset(part, 'a', fill < sizeof(part) ? fill : sizeof(part) - 1);
        part[fill < sizeof(part) ? fill : sizeof(part) - 1] = '\0';
        wfpw_jpath_key(&p, part);
        saved = wfpw_jpath_index(&p, 7);
        saved2 = wfpw_jpath_key(&p, key);
        wfpw_jpath_key(&p, "more");
        wfpw_jpath_index(&p, 123456);
        ASSERT(p.len < sizeof(p.buf));
        ASSERT(strlen(p.buf) == p.len);
        ASSERT(strcmp(p.buf + p.len - 3, "...") == 0);
        wfpw_jpath_pop(&p, saved2);
        wfpw_jpath_pop(&p, saved);
        ASSERT(p.len == saved && strlen(p.buf) == p.len);
    }
    return 0;
}

TEST_IMPL(buf_cap_and_sticky_error)
{
    struct wfpw_buf b;
    char *p;
    size_t len;
    wfpw_buf_init(&b, 8);
    ASSERT(wfpw_buf_puts(&b, "12345678") == 0);
    ASSERT(wfpw_buf_putc(&b, '9') == WFPW_ETOOBIG);
    ASSERT(wfpw_buf_puts(&b, "") == WFPW_ETOOBIG); /* sticky */
    ASSERT_EQ(b.len, 8);
    wfpw_buf_reset(&b);
    ASSERT(wfpw_buf_printf(&b, "%d-%s", 42, "x") == 0);
    p = wfpw_buf_detach(&b, &len);
    ASSERT_STR_EQ(p, "42-x");
    ASSERT_EQ(len, 4);
    wfpw_free(p);
    wfpw_buf_init(&b, 1 << 20);
    ASSERT(wfpw_buf_printf(&b, "%0600d", 7) == 0); /* longer than the small stack buffer */
    ASSERT_EQ(b.len, 600);
    ASSERT(b.data[599] == '7');
    wfpw_buf_free(&b);
    return 0;
}
