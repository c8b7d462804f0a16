/*
 * hosts.h — reader for a Windows hosts file (%SystemRoot%\System32\drivers\etc\hosts): per
 * line an IPv4 or IPv6 address, then one or more names, separated by blanks; '#' starts a
 * comment anywhere (Microsoft's sample header in the stock file). Names compare
 * case-insensitively. UTF-8 with or without BOM is read as Windows reads it; UTF-16 is read
 * too but marked, since whether the DNS client honours it is not documented
 * (docs/windows-behaviour.md).
 *
 * A line whose first field is not an address, or an address without a name, is an error
 * naming the file and line — a responder must know the file was not fully understood. The live
 * source reads leniently instead (Windows skips what it cannot read, and so must a monitor that
 * would otherwise stop seeing the whole file): such lines are skipped and counted.
 *
 * Ownership: entries and their strings live in the list's arena (wfpw_hosts_free).
 */
#ifndef WFPW_HOSTS_H
#define WFPW_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "wfpw/arena.h"

struct wfpw_host_entry {
    const char *addr;      /* as written, in lower case */
    const char *name;      /* lower case */
    unsigned line;
};

struct wfpw_hosts {
    struct wfpw_arena arena;
    struct wfpw_host_entry *e;  /* owned array */
    size_t n, cap;
    const char *file;
    int utf16;             /* the file was UTF-16 (possibly ignored by Windows) */
    size_t skipped;        /* lenient: malformed lines skipped */
    char first_skip[300];  /* lenient: "FILE:LINE: what" of the first */
};

void wfpw_hosts_init(struct wfpw_hosts *h);
void wfpw_hosts_free(struct wfpw_hosts *h);
/* 0, or WFPW_EINVAL with err = "FILE:LINE: what is wrong" (nothing kept), WFPW_ENOMEM. lenient:
 * malformed lines are skipped and counted (skipped, first_skip) instead; an encoding Windows
 * cannot read (UTF-16 big-endian, a cut UTF-16 file) is still an error. */
int wfpw_hosts_parse(struct wfpw_hosts *h, const char *fname, const uint8_t *data, size_t len, int lenient, char *err,
                     size_t errlen);

#endif /* WFPW_HOSTS_H */
