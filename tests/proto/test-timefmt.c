/*
 * test-timefmt.c — the wire time format: exact form, calendar rules, range.
 */
#include "../runner.h"
#include "wfpw/errors.h"
#include "wfpw/timefmt.h"

TEST_IMPL(time_format_parse)
{
    static const struct {
        int64_t ms;
        const char *text;
    } ok[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {951782400000LL, "2000-02-29T00:00:00.000Z"},
        {1763781401250LL, "2025-11-22T03:16:41.250Z"},
        {4107542399999LL, "2100-02-28T23:59:59.999Z"},
        {253402300799999LL, "9999-12-31T23:59:59.999Z"},
    };
    static const char *const bad[] = {
        "", "2025-11-22T03:16:41Z", "2025-11-22T03:16:41.25Z", "2025-11-22T03:16:41.2500Z",
        "2025-11-22 03:16:41.250Z", "2025-11-22T03:16:41.250+00:00", "2025-11-22T03:16:41.250z",
        "2025-13-01T00:00:00.000Z", "2025-00-01T00:00:00.000Z", "2025-02-29T00:00:00.000Z",
        "2100-02-29T00:00:00.000Z", "2025-04-31T00:00:00.000Z", "2025-11-22T24:00:00.000Z",
        "2025-11-22T03:60:00.000Z", "2025-11-22T03:16:60.000Z", "1969-12-31T23:59:59.999Z",
        "2025-11-22T03:16:41.250Zx", "+025-11-22T03:16:41.250Z", "２025-11-22T03:16:41.250Z",
    };
    char buf[WFPW_TIME_LEN + 1];
    int64_t ms;
    size_t i;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ASSERT(wfpw_time_format_ms(ok[i].ms, buf) == 0);
        ASSERT_STR_EQ(buf, ok[i].text);
        ASSERT(wfpw_time_parse_ms(ok[i].text, &ms) == 0);
        ASSERT_EQ(ms, ok[i].ms);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (wfpw_time_parse_ms(bad[i], &ms) != WFPW_ESYNTAX)
            fprintf(stderr, "accepted '%s'\n", bad[i]);
        ASSERT(wfpw_time_parse_ms(bad[i], &ms) == WFPW_ESYNTAX);
    }
    ASSERT(wfpw_time_format_ms(-1, buf) == WFPW_ERANGE);
    ASSERT(wfpw_time_format_ms(253402300800000LL, buf) == WFPW_ERANGE);
    /* every day of a leap cycle round-trips */
    for (ms = 946684800000LL; ms < 946684800000LL + 1461LL * 86400000; ms += 86400000 + 1) {
        int64_t back;
        ASSERT(wfpw_time_format_ms(ms, buf) == 0);
        ASSERT(wfpw_time_parse_ms(buf, &back) == 0);
        ASSERT_EQ(back, ms);
    }
    return 0;
}
