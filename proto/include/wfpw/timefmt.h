/*
 * timefmt.h — the wire time format: RFC 3339 UTC with milliseconds.
 *
 * Every time on the wire is exactly "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 characters), years
 * 1970..9999. One fixed form makes timestamps sortable as strings and makes
 * encode(decode(x)) == x. The conversion uses civil-date arithmetic (no gmtime), so it is
 * thread-safe and identical on every platform.
 */
#ifndef WFPW_TIMEFMT_H
#define WFPW_TIMEFMT_H

#include <stdint.h>

#define WFPW_TIME_LEN 24

/* Milliseconds since the Unix epoch -> text in out[WFPW_TIME_LEN + 1]. WFPW_ERANGE when the
 * time is outside 1970..9999. */
int wfpw_time_format_ms(int64_t ms, char *out);

/* Strict parse of the wire form; WFPW_ESYNTAX for anything else (including valid RFC 3339
 * forms that are not the wire form, such as offsets or other precisions). */
int wfpw_time_parse_ms(const char *s, int64_t *ms);

/* Milliseconds since the Unix epoch of a UTC calendar time (no range check; the caller's
 * fields are valid, e.g. from a parsed certificate). */
int64_t wfpw_time_civil_ms(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s);

#endif /* WFPW_TIMEFMT_H */
