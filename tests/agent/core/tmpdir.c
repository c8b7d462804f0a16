/*
 * tmpdir.c — see tmpdir.h. Uses the agent's own fileio (libuv) so it behaves the same
 * natively and under Wine.
 */
#include "tmpdir.h"

#include <stdio.h>
#include <uv.h>

#include "wfpw/fileio.h"
#include "wfpw/mem.h"

static void rm_level(const char *dir, int depth)
{
    char **names, p[800];
    size_t n, i;
    if (wfpw_dir_list(dir, &names, &n) != 0)
        return;
    for (i = 0; i < n; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        if (wfpw_file_unlink(p) != 0 && depth < 2) {
            uv_fs_t req;
            rm_level(p, depth + 1);
            uv_fs_rmdir(NULL, &req, p, NULL);
            uv_fs_req_cleanup(&req);
        }
    }
    wfpw_free(names);
}

void wfpw_test_rmtree(const char *dir)
{
    rm_level(dir, 0);
}

const char *wfpw_test_tmpdir(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "test-tmp/%s", name);
    wfpw_test_rmtree(path);
    wfpw_dir_make(path);
    return path;
}
