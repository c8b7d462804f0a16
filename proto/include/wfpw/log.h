/*
 * log.h — leveled logging with a [component:instance] prefix.
 *
 * Log once, at the layer that decides: lower layers return a code and fill a detail
 * buffer; the layer that decides what happens logs. The level is checked before the
 * message is formatted, so disabled debug lines cost one comparison. Output goes to
 * stderr by default, or to a file the caller opened (wfpw_log_set_file; the caller keeps
 * ownership of the FILE and closes it after wfpw_log_set_file(NULL)).
 */
#ifndef WFPW_LOG_H
#define WFPW_LOG_H

#include <stdint.h>
#include <stdio.h>

#include "wfpw/attr.h"

enum wfpw_log_level {
    WFPW_LOG_ERROR = 0,
    WFPW_LOG_WARN = 1,
    WFPW_LOG_INFO = 2,
    WFPW_LOG_DEBUG = 3
};

extern int wfpw__log_threshold;

void wfpw_log_set_level(int level);
/* Parse "error"/"warn"/"info"/"debug"; returns the level or WFPW_EINVAL. */
int wfpw_log_level_parse(const char *name);
const char *wfpw_log_level_name(int level);
void wfpw_log_set_file(FILE *f);
/* The wall clock (milliseconds since 1970, UTC) that stamps each line. Without one, lines are
 * stamped to the second: portable C has no millisecond wall clock on every target (timespec_get
 * is missing from mingw-w64's msvcrt), so each program passes its platform's. */
void wfpw_log_set_clock(int64_t (*now_ms)(void));
/* Also hand each line of `level` or worse (without its newline) to hook, e.g. the Windows
 * Application event log of the service; NULL removes it. */
void wfpw_log_set_hook(int level, void (*hook)(int level, const char *line));
void wfpw__log(int level, const char *component, const char *instance, const char *fmt, ...) WFPW_PRINTF(4, 5);

#define WFPW__LOG(lvl, comp, inst, ...)                                        \
    do {                                                                       \
        if ((lvl) <= wfpw__log_threshold)                                      \
            wfpw__log((lvl), (comp), (inst), __VA_ARGS__);                     \
    } while (0)
#define wfpw_log_error(comp, inst, ...) WFPW__LOG(WFPW_LOG_ERROR, comp, inst, __VA_ARGS__)
#define wfpw_log_warn(comp, inst, ...)  WFPW__LOG(WFPW_LOG_WARN, comp, inst, __VA_ARGS__)
#define wfpw_log_info(comp, inst, ...)  WFPW__LOG(WFPW_LOG_INFO, comp, inst, __VA_ARGS__)
#define wfpw_log_debug(comp, inst, ...) WFPW__LOG(WFPW_LOG_DEBUG, comp, inst, __VA_ARGS__)

#endif /* WFPW_LOG_H */
