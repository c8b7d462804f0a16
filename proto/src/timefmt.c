/*
 * timefmt.c — wire timestamps (see timefmt.h). Days <-> civil dates use Howard Hinnant's
 * public-domain days_from_civil / civil_from_days algorithms (proleptic Gregorian).
 */
#include "wfpw/timefmt.h"

#include <stdio.h>
#include <string.h>

#include "wfpw/errors.h"

#define MAX_MS 253402300799999LL /* 9999-12-31T23:59:59.999Z */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int wfpw_time_format_ms(int64_t ms, char *out)
{
    int64_t days, y, rem;
    unsigned m, d;
    if (ms < 0 || ms > MAX_MS)
        return WFPW_ERANGE;
    days = ms / 86400000;
    rem = ms % 86400000;
    civil_from_days(days, &y, &m, &d);
    /* a roomy buffer: the compiler cannot see that every field has its fixed width */
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", (int)y, m, d,
             (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
             (int)(rem % 1000));
    memcpy(out, tmp, WFPW_TIME_LEN + 1);
    return 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int wfpw_time_parse_ms(const char *s, int64_t *ms)
{
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, se, f;
    unsigned dim;
    if (s == NULL)
        return WFPW_ESYNTAX;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
        digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se) || s[19] != '.' ||
        digits(s + 20, 3, &f) || s[23] != 'Z' || s[24] != '\0')
        return WFPW_ESYNTAX;
    if (y < 1970 || mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59)
        return WFPW_ESYNTAX;
    dim = mdays[mo - 1];
    if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        dim = 29;
    if (d < 1 || (unsigned)d > dim)
        return WFPW_ESYNTAX;
    *ms = wfpw_time_civil_ms(y, (unsigned)mo, (unsigned)d, (unsigned)h, (unsigned)mi, (unsigned)se) + f;
    return 0;
}

int64_t wfpw_time_civil_ms(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return days_from_civil(y, mo, d) * 86400000 + (int64_t)h * 3600000 + (int64_t)mi * 60000 + (int64_t)s * 1000;
}
