/*
 * fake-proc.c — a stand-in for platform.h's process query, linked into
 * wfpwatch-agent-fakewin instead of src/linux/process.c, so the processes a filter change
 * names are the ones the test says are running, not whatever Linux process has that id.
 *
 * The running processes are the lines of the file WFPW_FAKE_PROCS, read at every query:
 *   pid <TAB> start time (wire form) <TAB> parent pid <TAB> image <TAB> command line <TAB> SID
 * A line "pid <TAB> DENIED" answers like OpenProcess refused with ERROR_ACCESS_DENIED (a
 * protected process, docs/windows-behaviour.md P1); a pid not listed (or no file) is a
 * process that has exited: WFPW_ENOENT, as OpenProcess's ERROR_INVALID_PARAMETER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "proctab.h"
#include "wfpw/errors.h"
#include "wfpw/timefmt.h"

int wfpw__plat_process_query(int64_t pid, struct wfpw_proc *out, char *err, size_t errlen)
{
    const char *path = getenv("WFPW_FAKE_PROCS");
    char line[4096];
    FILE *f;
    int rc = WFPW_ENOENT;
    wfpw_proc_init(out);
    if (path == NULL || (f = fopen(path, "r")) == NULL)
        return WFPW_ENOENT;
    while (rc == WFPW_ENOENT && fgets(line, sizeof(line), f) != NULL) {
        char *fld[6] = {0}, *save = NULL, *t;
        size_t n = 0;
        line[strcspn(line, "\r\n")] = '\0';
        for (t = strtok_r(line, "\t", &save); t != NULL && n < 6; t = strtok_r(NULL, "\t", &save))
            fld[n++] = t;
        if (n < 2 || strtoll(fld[0], NULL, 10) != pid)
            continue;
        if (strcmp(fld[1], "DENIED") == 0) {
            snprintf(err, errlen, "OpenProcess(%lld): Windows error 5", (long long)pid);
            rc = WFPW_EACCES;
            break;
        }
        if (wfpw_time_parse_ms(fld[1], &out->start_ms) != 0)
            out->start_ms = -1;
        out->parent_pid = n > 2 ? strtoll(fld[2], NULL, 10) : -1;
        if ((n > 3 && wfpw_proc_set(&out->image, fld[3])) || (n > 4 && wfpw_proc_set(&out->command_line, fld[4])) ||
            (n > 5 && wfpw_proc_set(&out->user_sid, fld[5]))) {
            wfpw_proc_clear(out);
            rc = WFPW_ENOMEM;
            break;
        }
        out->pid = pid;
        rc = 0;
    }
    fclose(f);
    return rc;
}
