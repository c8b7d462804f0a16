/*
 * platform.c (Linux) — platform.h on Linux: getrandom(2), gethostname(2), clock_gettime.
 * The Linux agent runs replay sources (tests, demos, offline analysis); the live WFP
 * sources exist only in src/win/.
 */
#define _GNU_SOURCE
#include "platform.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "wfpw/errors.h"

const char *wfpw__plat_name(void)
{
    return "linux";
}

int wfpw__plat_hostname(char *buf, size_t len)
{
    if (len == 0)
        return WFPW_EINVAL;
    if (gethostname(buf, len) != 0)
        return wfpw__plat_last_error();
    if (memchr(buf, '\0', len) == NULL)
        return WFPW_ERANGE;
    return 0;
}

int wfpw__plat_random(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return wfpw__plat_last_error();
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int64_t wfpw__plat_time_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *wfpw__plat_data_dir(void)
{
    return "/var/lib/wfpwatch";
}

/* Group Policy exists only on Windows; a Linux agent is configured by its file alone. */
int wfpw__plat_policy_get(const char *key, char *buf, size_t len)
{
    (void)key, (void)buf, (void)len;
    return WFPW_ENOENT;
}
