/*
 * process.c (Linux) — platform.h's process query from /proc, so the attribution path (a
 * filter change's process id into a program) runs natively against real processes: image
 * (/proc/PID/exe), command line (/proc/PID/cmdline, arguments joined by spaces), parent and
 * start time (/proc/PID/stat field 4 and 22: clock ticks after boot, boot being now less
 * CLOCK_BOOTTIME), account (/proc/PID/status Uid). Linux has
 * no SIDs: user_sid stays unknown.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "proctab.h"
#include "wfpw/errors.h"

static int read_small(const char *path, char *buf, size_t len, size_t *got)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL)
        return errno == ENOENT || errno == ESRCH ? WFPW_ENOENT : wfpw__plat_error(errno);
    n = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[n] = '\0';
    *got = n;
    return 0;
}

/* The wall-clock time the system booted: now less the time since boot. */
static int64_t boot_ms(void)
{
    struct timespec rt, bt;
    if (clock_gettime(CLOCK_REALTIME, &rt) != 0 || clock_gettime(CLOCK_BOOTTIME, &bt) != 0)
        return -1;
    return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000 + ((int64_t)rt.tv_nsec - bt.tv_nsec) / 1000000;
}

int wfpw__plat_process_query(int64_t pid, struct wfpw_proc *out, char *err, size_t errlen)
{
    char path[64], buf[WFPW_PROC_TEXT_MAX + 1], *p;
    size_t n = 0, i;
    long tck = sysconf(_SC_CLK_TCK);
    int rc;
    wfpw_proc_init(out);
    if (pid <= 0 || pid > 0x7FFFFFFF)
        return WFPW_ENOENT;
    snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
    if ((rc = read_small(path, buf, sizeof(buf), &n)) != 0) {
        if (rc != WFPW_ENOENT)
            snprintf(err, errlen, "reading %s: %s", path, wfpw_strerror(rc));
        return rc;
    }
    /* "pid (comm) state ppid ..." — comm may hold spaces and ')': the last ')' ends it */
    if ((p = strrchr(buf, ')')) != NULL) {
        unsigned long long start = 0;
        int64_t boot = boot_ms();
        int ppid = -1, f;
        char *tok = p + 2;
        for (f = 3; f <= 22 && tok && *tok; f++) {
            if (f == 4)
                ppid = atoi(tok);
            if (f == 22)
                start = strtoull(tok, NULL, 10);
            tok = strchr(tok, ' ');
            tok = tok ? tok + 1 : NULL;
        }
        out->parent_pid = ppid;
        if (boot >= 0 && tck > 0)
            out->start_ms = boot + (int64_t)(start * 1000ull / (unsigned long long)tck);
    }
    snprintf(path, sizeof(path), "/proc/%lld/exe", (long long)pid);
    if ((rc = (int)readlink(path, buf, sizeof(buf) - 1)) > 0) {
        buf[rc] = '\0';
        if (wfpw_proc_set(&out->image, buf) != 0)
            goto oom;
    }
    snprintf(path, sizeof(path), "/proc/%lld/cmdline", (long long)pid);
    if (read_small(path, buf, sizeof(buf), &n) == 0 && n > 0) {
        for (i = 0; i + 1 < n; i++)
            if (buf[i] == '\0')
                buf[i] = ' ';
        if (wfpw_proc_set(&out->command_line, buf) != 0)
            goto oom;
    }
    snprintf(path, sizeof(path), "/proc/%lld/status", (long long)pid);
    if (read_small(path, buf, sizeof(buf), &n) == 0 && (p = strstr(buf, "\nUid:")) != NULL) {
        uid_t uid = (uid_t)strtoul(p + 5, NULL, 10);
        struct passwd pw, *res = NULL;
        char pwbuf[1024];
        if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res != NULL &&
            wfpw_proc_set(&out->user, res->pw_name) != 0)
            goto oom;
    }
    out->pid = pid;
    return 0;
oom:
    wfpw_proc_clear(out);
    return WFPW_ENOMEM;
}
