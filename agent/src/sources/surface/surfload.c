/*
 * surfload.c — a folder of collected surface files into a surface (see surfload.h).
 */
#include "surfload.h"

#include <stdio.h>
#include <string.h>

#include "wfpw/fileio.h"
#include "platform.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define MAX_SURFACE_FILE (64u << 20)

int wfpw_surface_load_dir(struct wfpw_surface *s, const char *dir, char *err, size_t errlen)
{
    char **names = NULL;
    size_t n = 0, i;
    int rc = wfpw_dir_list(dir, &names, &n);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot list the directory: %s", dir, wfpw_strerror(rc));
        return rc;
    }
    for (i = 0; i < n && rc == 0; i++) {
        char *path, *data = NULL;
        size_t len = 0, pl = strlen(dir) + strlen(names[i]) + 2;
        if ((path = wfpw_malloc(pl)) == NULL) {
            rc = WFPW_ENOMEM;
            break;
        }
        snprintf(path, pl, "%s/%s", dir, names[i]);
        if (!wfpw_surface_wants(path)) {
            /* neither hosts nor .reg: not ours */
        } else if ((rc = wfpw_file_read_all(path, MAX_SURFACE_FILE, &data, &len)) != 0) {
            snprintf(err, errlen, "%s: %s", path, wfpw_strerror(rc));
        } else if ((rc = wfpw_surface_add_file(s, path, (const uint8_t *)data, len, err, errlen)) != 0 &&
                   rc != WFPW_EINVAL) {
            snprintf(err, errlen, "%s: %s", path, wfpw_strerror(rc));
        }
        wfpw_free(data);
        wfpw_free(path);
    }
    wfpw_free(names);
    if (rc == 0 && s->nfiles == 0) {
        snprintf(err, errlen, "%s: no hosts file and no .reg file in the directory", dir);
        rc = WFPW_EINVAL;
    }
    if (rc == 0 && (rc = wfpw_surface_build(s)) != 0)
        snprintf(err, errlen, "%s: %s", dir, wfpw_strerror(rc));
    return rc;
}

int wfpw_surface_load_live(struct wfpw_surface *s, char *err, size_t errlen)
{
    char hosts[1024], *data = NULL;
    size_t len = 0;
    int rc;
    err[0] = '\0';
    if ((rc = wfpw__plat_surface_read(&s->reg, hosts, sizeof(hosts), err, errlen)) != 0)
        return rc;
    s->lenient_hosts = 1; /* as Windows: a line it cannot read is skipped, the rest still counts */
    if (hosts[0] && wfpw_file_read_all(hosts, MAX_SURFACE_FILE, &data, &len) == 0) {
        char e2[512];
        if ((rc = wfpw_surface_add_file(s, hosts, (const uint8_t *)data, len, e2, sizeof(e2))) != 0) {
            /* unreadable as a whole (its encoding): no reading, rather than one without it
             * (which would report every entry removed) */
            snprintf(err, errlen, "%s", e2);
            wfpw_free(data);
            return rc;
        }
        if (s->hosts.skipped && err[0] == '\0')
            snprintf(err, errlen, "%zu malformed line%s of the hosts file skipped (first: %s)", s->hosts.skipped,
                     s->hosts.skipped == 1 ? "" : "s", s->hosts.first_skip);
    }
    wfpw_free(data);
    return wfpw_surface_build(s);
}
