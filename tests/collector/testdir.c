/*
 * testdir.c — temporary directories for the collector's unit tests (testdir.h).
 */
#include "testdir.h"

#include <stdlib.h>
#include <unistd.h>

#include "../runner.h"
#include "wfpw/mem.h"

char *wfpw_ctest_tempdir(void)
{
    char tmpl[] = "/tmp/wfpw-ctest.XXXXXX";
    char *d = mkdtemp(tmpl);
    if (d == NULL) {
        fprintf(stderr, "mkdtemp failed\n");
        abort();
    }
    return wfpw_strdup(d);
}

void wfpw_ctest_rmdir(char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    wfpw_free(dir);
}
