/*
 * test-utf8.c — strict UTF-8: the boundaries of Unicode Table 3-7.
 */
#include "../runner.h"
#include "wfpw/utf8.h"

TEST_IMPL(utf8_validation)
{
    static const char *const ok[] = {
        "", "ascii", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
        "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "C:\\Users\\J\xc3\xb6rg\\a.exe",
    };
    static const char *const bad[] = {
        "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41", "\xe0\x80\x80", "\xe0\x9f\xbf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xe1\x80", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "ok\xfe",
    };
    size_t i;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        ASSERT(wfpw_utf8_valid(ok[i], strlen(ok[i])) == 1);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (wfpw_utf8_valid(bad[i], strlen(bad[i])))
            fprintf(stderr, "accepted bad case %zu\n", i);
        ASSERT(wfpw_utf8_valid(bad[i], strlen(bad[i])) == 0);
    }
    /* a NUL byte is valid UTF-8 by itself; JSON-level rules reject it elsewhere */
    ASSERT(wfpw_utf8_valid("a\0b", 3) == 1);
    return 0;
}
