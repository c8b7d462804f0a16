/*
 * test-platform.c — the platform layer, run natively (Linux half) and under Wine
 * (Windows half) from the same file.
 */
#include "../runner.h"
#include "platform.h"
#include "wfpw/errors.h"
#include "wfpw/timefmt.h"

TEST_IMPL(platform_identity)
{
    char host[256];
    ASSERT_STR_EQ(wfpw__plat_name(), WFPW_TEST_EXPECT_OS);
    ASSERT(wfpw__plat_hostname(host, sizeof(host)) == 0);
    ASSERT(host[0] != '\0');
    ASSERT(wfpw__plat_hostname(host, 1) == WFPW_ERANGE);
    return 0;
}

TEST_IMPL(platform_random)
{
    unsigned char a[64], b[64];
    size_t i, zeros = 0;
    ASSERT(wfpw__plat_random(a, sizeof(a)) == 0);
    ASSERT(wfpw__plat_random(b, sizeof(b)) == 0);
    ASSERT(memcmp(a, b, sizeof(a)) != 0);
    for (i = 0; i < sizeof(a); i++)
        zeros += a[i] == 0;
    ASSERT(zeros < 16);
    return 0;
}

TEST_IMPL(platform_clock)
{
    int64_t t = wfpw__plat_time_ms();
    char buf[WFPW_TIME_LEN + 1];
    ASSERT(t > 1700000000000LL);                 /* after 2023 */
    ASSERT(wfpw_time_format_ms(t, buf) == 0);
    return 0;
}

TEST_IMPL(platform_errors)
{
    /* the error translation never lets an OS code through unmapped */
    long c;
    for (c = 0; c < 2000; c++) {
        int e = wfpw__plat_error(c);
        ASSERT(e <= 0);
        ASSERT(e == 0 || strcmp(wfpw_err_name(e), "UNKNOWN") != 0);
    }
    ASSERT_EQ(wfpw__plat_error(0), 0);
    if (strcmp(WFPW_TEST_EXPECT_OS, "windows") == 0) {
        /* what a call on a session of a restarted Base Filtering Engine (or event log service)
         * may fail with: every one means "open a new session" (docs/windows-behaviour.md) */
        static const unsigned long gone[] = {6, 1702, 1717, 1722, 1726, 1727, 1753, 1818, 0x80320010ul};
        size_t i;
        for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
            ASSERT_EQ(wfpw__plat_error((long)gone[i]), WFPW_EGONE);
    }
    return 0;
}
