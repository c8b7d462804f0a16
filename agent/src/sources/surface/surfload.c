/*
 * surfload.c — a folder of collected surface files into a surface (see surfload.h).
 */
#include "surfload.h"

#include <stdio.h>
#include <string.h>

#include "fileio.h"
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
