/*
 * test-regfile.c — agent/src/surface/regfile.c: the export formats reg.exe and regedit write
 * (UTF-16LE with BOM, UTF-8 with and without BOM, REGEDIT4), every data form, continuation
 * lines, escapes and deletions; malformed files refused naming file, line and fault, with
 * nothing of the file kept.
 */
#include <string.h>

#include "../../runner.h"
#include "regfile.h"
#include "surftest.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

uint8_t *surftest_utf16(const char *text, size_t *len)
{
    size_t n = strlen(text), i, o = 2;
    uint8_t *b = wfpw_malloc(2 * n + 2);
    if (b == NULL)
        return NULL;
    b[0] = 0xFF, b[1] = 0xFE;
    for (i = 0; i < n;) { /* UTF-8 to UTF-16 for the BMP */
        unsigned c = (unsigned char)text[i];
        if (c < 0x80)
            i += 1;
        else if (c < 0xE0)
            c = (c & 0x1F) << 6 | ((unsigned char)text[i + 1] & 0x3F), i += 2;
        else
            c = (c & 0x0F) << 12 | ((unsigned char)text[i + 1] & 0x3F) << 6 | ((unsigned char)text[i + 2] & 0x3F),
            i += 3;
        b[o++] = (uint8_t)c, b[o++] = (uint8_t)(c >> 8);
    }
    *len = o;
    return b;
}

static const char v5[] =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "; a comment\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\Key]\r\n"
    "@=\"default\"\r\n"
    "\"Str\"=\"a \\\"quoted\\\" C:\\\\path\\\\\"\r\n"
    "\"Num\"=dword:0000000a\r\n"
    "\"Big\"=hex(b):01,00,00,00,00,00,00,00\r\n"
    "\"Multi\"=hex(7):2e,00,61,00,00,00,62,00,e9,00,00,00,\\\r\n"
    "  00,00\r\n"
    "\"Exp\"=hex(2):25,00,53,00,25,00,00,00\r\n"
    "\"Bin\"=hex:de,ad,\\\r\n"
    "    be,ef\r\n"
    "\"Empty\"=hex:\r\n"
    "\"Na\\\\me\"=\"x\"\r\n"
    "\r\n"
    "[HKEY_CURRENT_USER\\Software\\Gone]\r\n"
    "\"v\"=\"1\"\r\n"
    "[-HKEY_CURRENT_USER\\Software\\Gone]\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\Key]\r\n"
    "\"Exp\"=-\r\n"
    "\"Num\"=dword:0000000b\r\n";

static int check_v5(const struct wfpw_regstore *rs)
{
    const char *k = "HKLM\\SOFTWARE\\Test\\Key";
    const struct wfpw_regval *v;
    uint64_t x;
    ASSERT(wfpw_regstore_get(rs, k, "") != NULL);
    ASSERT_STR_EQ(wfpw_regstore_get(rs, k, "")->text, "default");
    ASSERT_STR_EQ(wfpw_regstore_get(rs, "hklm\\software\\test\\KEY", "str")->text, "a \"quoted\" C:\\path\\");
    v = wfpw_regstore_get(rs, k, "Num");
    ASSERT(v != NULL && wfpw_regval_number(v, &x) == 0);
    ASSERT_EQ(x, 11); /* the later line replaces the first */
    v = wfpw_regstore_get(rs, k, "Big");
    ASSERT(v != NULL && v->type == WFPW_REG_QWORD && wfpw_regval_number(v, &x) == 0);
    ASSERT_EQ(x, 1);
    v = wfpw_regstore_get(rs, k, "Multi");
    ASSERT(v != NULL && v->type == WFPW_REG_MULTI_SZ);
    ASSERT_STR_EQ(v->text, ".a\nb\xc3\xa9"); /* U+00E9 as UTF-8, across the continuation */
    ASSERT(wfpw_regstore_get(rs, k, "Exp") == NULL); /* "Exp"=- deleted it */
    v = wfpw_regstore_get(rs, k, "Bin");
    ASSERT(v != NULL && v->type == WFPW_REG_BINARY && v->len == 4 && v->data[0] == 0xde && v->data[3] == 0xef);
    v = wfpw_regstore_get(rs, k, "Empty");
    ASSERT(v != NULL && v->len == 0);
    ASSERT(wfpw_regstore_get(rs, k, "Na\\me") != NULL);
    ASSERT(wfpw_regstore_get(rs, "HKCU\\Software\\Gone", "v") == NULL); /* [-KEY] */
    ASSERT_EQ(rs->nvals, 8);
    return 0;
}

TEST_IMPL(regfile_formats)
{
    struct wfpw_regstore rs;
    char err[256];
    size_t len;
    uint8_t *w = surftest_utf16(v5, &len);
    char bom[sizeof(v5) + 3];
    ASSERT(w != NULL);
    /* UTF-16LE with BOM (reg export) */
    wfpw_regstore_init(&rs);
    ASSERT_EQ(wfpw_regfile_parse(&rs, "a.reg", w, len, err, sizeof(err)), 0);
    if (check_v5(&rs))
        return 1;
    ASSERT_STR_EQ(rs.vals[0].file, "a.reg");
    ASSERT_EQ(rs.vals[0].line, 5);
    ASSERT_EQ(wfpw_regstore_get(&rs, "HKLM\\SOFTWARE\\Test\\Key", "Bin")->line, 12);
    wfpw_regstore_free(&rs);
    wfpw_free(w);
    /* UTF-8 without and with BOM */
    wfpw_regstore_init(&rs);
    ASSERT_EQ(wfpw_regfile_parse(&rs, "b.reg", (const uint8_t *)v5, strlen(v5), err, sizeof(err)), 0);
    if (check_v5(&rs))
        return 1;
    wfpw_regstore_free(&rs);
    memcpy(bom, "\xEF\xBB\xBF", 3);
    memcpy(bom + 3, v5, sizeof(v5));
    wfpw_regstore_init(&rs);
    ASSERT_EQ(wfpw_regfile_parse(&rs, "c.reg", (const uint8_t *)bom, strlen(bom), err, sizeof(err)), 0);
    if (check_v5(&rs))
        return 1;
    /* REGEDIT4: hex(7) strings are 8-bit; a second file adds to the same store */
    {
        static const char r4[] = "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Four]\n\"M\"=hex(7):61,62,00,63,00,00\n"
                                 "\"S\"=hex(1):41,42,00\n";
        const struct wfpw_regval *v;
        ASSERT_EQ(wfpw_regfile_parse(&rs, "d.reg", (const uint8_t *)r4, strlen(r4), err, sizeof(err)), 0);
        v = wfpw_regstore_get(&rs, "HKLM\\SOFTWARE\\Four", "M");
        ASSERT(v != NULL);
        ASSERT_STR_EQ(v->text, "ab\nc");
        ASSERT_STR_EQ(wfpw_regstore_get(&rs, "HKLM\\SOFTWARE\\Four", "S")->text, "AB");
        ASSERT_EQ(rs.nvals, 10);
    }
    {
        char shown[64];
        wfpw_regval_show(wfpw_regstore_get(&rs, "HKLM\\SOFTWARE\\Test\\Key", "Bin"), shown, sizeof(shown));
        ASSERT_STR_EQ(shown, "hex:de,ad,be,ef");
        wfpw_regval_show(wfpw_regstore_get(&rs, "HKLM\\SOFTWARE\\Test\\Key", "Big"), shown, sizeof(shown));
        ASSERT_STR_EQ(shown, "qword:1");
    }
    wfpw_regstore_free(&rs);
    return 0;
}

TEST_IMPL(regfile_malformed)
{
    static const struct { const char *text; const char *want; } bad[] = {
        {"", "e.reg: empty file"},
        {"REGEDIT5\n", "e.reg:1: not a registry export"},
        {"REGEDIT4\n\"v\"=\"x\"\n", "e.reg:2: a value outside any key"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\"=dword:123456789\n", "e.reg:3: dword: needs 1 to 8"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\"=dword:\n", "e.reg:3: dword:"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\"=hex:0g\n", "e.reg:3: hex data holds something other"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\"=hex:123\n", "e.reg:3: hex data holds something other"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\"=hex(zz):00\n", "e.reg:3: hex(N): needs a type number"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\"=\"open\n", "e.reg:3: the string's closing quote is missing"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v=\"x\"\n", "e.reg:3: expected '='"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\n", "e.reg:3: the value name's closing quote is missing"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\"=\"x\" y\n", "e.reg:3: text after the string"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\"=word:1\n", "e.reg:3: value data must be"},
        {"REGEDIT4\n[HKEY_NOWHERE\\A]\n", "e.reg:2: the key does not start with a registry root"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A\n", "e.reg:2: a key line must end with ']'"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\njunk\n", "e.reg:3: the line is neither"},
        {"REGEDIT4\n[-HKEY_LOCAL_MACHINE\\A]\n\"v\"=\"x\"\n", "e.reg:3: a value outside any key"},
        {"REGEDIT4\n[HKEY_LOCAL_MACHINE\\A]\n\"v\"=\"\xff\"\n", "e.reg: neither UTF-16LE"},
        {"\xfe\xff\x00R", "e.reg: UTF-16 big-endian"},
        {"\xff\xfeR", "e.reg: UTF-16LE file with an odd number"},
        {"REGEDIT4\n\0", "e.reg: a NUL byte"},
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct wfpw_regstore rs;
        char err[256] = "";
        static const char good[] = "REGEDIT4\n[HKEY_LOCAL_MACHINE\\Kept]\n\"k\"=\"1\"\n";
        size_t len = i == sizeof(bad) / sizeof(bad[0]) - 1 ? 10 : strlen(bad[i].text);
        wfpw_regstore_init(&rs);
        ASSERT_EQ(wfpw_regfile_parse(&rs, "g.reg", (const uint8_t *)good, strlen(good), err, sizeof(err)), 0);
        ASSERT_EQ(wfpw_regfile_parse(&rs, "e.reg", (const uint8_t *)bad[i].text, len, err, sizeof(err)), WFPW_EINVAL);
        if (strncmp(err, bad[i].want, strlen(bad[i].want)) != 0) {
            fprintf(stderr, "case %zu: got '%s', want '%s...'\n", i, err, bad[i].want);
            ASSERT(0);
        }
        ASSERT_EQ(rs.nvals, 1); /* the good file's value, nothing of the bad one */
        ASSERT_EQ(rs.nkeys, 1);
        wfpw_regstore_free(&rs);
    }
    return 0;
}
