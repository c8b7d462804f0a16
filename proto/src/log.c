/*
 * log.c — leveled, prefixed log lines (see log.h).
 * Each line is formatted into one buffer and written with a single fwrite so lines from
 * different threads do not interleave.
 */
#include "wfpw/log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "wfpw/errors.h"
#include "wfpw/timefmt.h"

int wfpw__log_threshold = WFPW_LOG_INFO;
static FILE *log_file;
static int64_t (*log_clock)(void);

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void wfpw_log_set_level(int level)
{
    if (level >= WFPW_LOG_ERROR && level <= WFPW_LOG_DEBUG)
        wfpw__log_threshold = level;
}

int wfpw_log_level_parse(const char *name)
{
    int i;
    for (i = 0; i <= WFPW_LOG_DEBUG; i++)
        if (name && strcmp(name, level_names[i]) == 0)
            return i;
    return WFPW_EINVAL;
}

const char *wfpw_log_level_name(int level)
{
    return level >= WFPW_LOG_ERROR && level <= WFPW_LOG_DEBUG ? level_names[level] : "?";
}

void wfpw_log_set_file(FILE *f)
{
    log_file = f;
}

void wfpw_log_set_clock(int64_t (*now_ms)(void))
{
    log_clock = now_ms;
}

static void (*log_hook)(int level, const char *line);
static int log_hook_level;

void wfpw_log_set_hook(int level, void (*hook)(int level, const char *line))
{
    log_hook_level = level;
    log_hook = hook;
}

/* Copies src[0..n) into dst (capacity cap, always NUL-terminated) with every control byte
 * (below 0x20, and 0x7f) written as \xNN: a value an agent or client chose (a certificate
 * name, a batch's claimed host, a header) cannot start a forged log line or move the cursor
 * of a terminal. Returns the length written. */
static size_t escape_controls(char *dst, size_t cap, const char *src, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, o = 0;
    for (i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c >= 0x20 && c != 0x7f) {
            dst[o++] = (char)c;
        } else if (o + 5 < cap) {
            dst[o++] = '\\', dst[o++] = 'x', dst[o++] = hex[c >> 4], dst[o++] = hex[c & 15];
        } else {
            break;
        }
    }
    dst[o] = '\0';
    return o;
}

void wfpw__log(int level, const char *component, const char *instance, const char *fmt, ...)
{
    char raw[2048], line[2048];
    char ts[WFPW_TIME_LEN + 1];
    size_t n;
    int k;
    va_list ap;
    FILE *out = log_file ? log_file : stderr;

    if (wfpw_time_format_ms(log_clock ? (long long)log_clock() : (long long)time(NULL) * 1000, ts) != 0)
        ts[0] = '-', ts[1] = '\0';
    k = snprintf(raw, sizeof(raw), "%s [%s%s%s] %s: ", ts, component ? component : "-",
                 instance ? ":" : "", instance ? instance : "", wfpw_log_level_name(level));
    n = k < 0 ? 0 : (size_t)k < sizeof(raw) ? (size_t)k : sizeof(raw) - 1;
    va_start(ap, fmt);
    k = vsnprintf(raw + n, sizeof(raw) - n, fmt, ap);
    va_end(ap);
    if (k > 0)
        n += (size_t)k < sizeof(raw) - n ? (size_t)k : sizeof(raw) - n - 1;
    n = escape_controls(line, sizeof(line) - 1, raw, n);
    line[n++] = '\n';
    fwrite(line, 1, n, out);
    fflush(out);
    if (log_hook && level <= log_hook_level) {
        line[n - 1] = '\0';
        log_hook(level, line);
    }
}
