/*
 * test-fileio.c — common/src/fileio.c, the file helpers agent and collector share: atomic
 * replace and exclusive create with a mode the umask does not change, no temporary file
 * left behind, mkdir -p with a mode, exists and join. Runs natively and under Wine (the
 * permission bits only where the OS has them).
 */
#include <string.h>

#include <uv.h>

#include "runner.h"
#include "agent/core/tmpdir.h"
#include "wfpw/errors.h"
#include "wfpw/fileio.h"
#include "wfpw/mem.h"

static int mode_of(const char *path)
{
    uv_fs_t req;
    int rc = uv_fs_stat(NULL, &req, path, NULL), mode = rc == 0 ? (int)(req.statbuf.st_mode & 0777) : -1;
    uv_fs_req_cleanup(&req);
    return mode;
}

static int posix_modes(void)
{
    return strcmp(WFPW_TEST_EXPECT_OS, "linux") == 0;
}

TEST_IMPL(common_fileio_atomic_modes_and_excl)
{
    const char *dir = wfpw_test_tmpdir("fileio");
    char path[600], deep[600], **names;
    size_t len, n, i;
    char *data;
    ASSERT_EQ(wfpw_path_join(path, sizeof(path), dir, "ca.key"), 0);
    ASSERT_EQ(wfpw_file_exists(path), 0);
    ASSERT_EQ(wfpw_file_write_atomic_mode(path, "one", 3, 0600, WFPW_FILE_EXCL | WFPW_FILE_SYNC_DIR), 0);
    ASSERT_EQ(wfpw_file_exists(path), 1);
    /* exclusive: an existing key is never replaced, and keeps its bytes */
    ASSERT_EQ(wfpw_file_write_atomic_mode(path, "two", 3, 0600, WFPW_FILE_EXCL), WFPW_EEXIST);
    ASSERT_EQ(wfpw_file_read_all(path, 100, &data, &len), 0);
    ASSERT_STR_EQ(data, "one");
    wfpw_free(data);
    /* replace: new bytes, with the mode asked for */
    ASSERT_EQ(wfpw_path_join(deep, sizeof(deep), dir, "server.crt"), 0);
    ASSERT_EQ(wfpw_file_write_atomic_mode(deep, "crt", 3, 0644, WFPW_FILE_SYNC_DIR), 0);
    /* a temporary file a crash left behind is reused (truncated, renamed), not joined by more */
    {
        char tmp[700];
        int fd;
        snprintf(tmp, sizeof(tmp), "%s.tmp", deep);
        ASSERT_EQ(wfpw_file_open(tmp, WFPW_FILE_WRITE, &fd), 0);
        ASSERT_EQ(wfpw_file_write(fd, "torn record, longer than the next", 33, 0), 0);
        wfpw_file_close(fd);
    }
    ASSERT_EQ(wfpw_file_write_atomic_mode(deep, "crt2", 4, 0644, 0), 0);
    ASSERT_EQ(wfpw_file_read_all(deep, 100, &data, &len), 0);
    ASSERT_STR_EQ(data, "crt2");
    ASSERT_EQ(len, 4);
    wfpw_free(data);
    if (posix_modes()) {
        ASSERT_EQ(mode_of(path), 0600);
        ASSERT_EQ(mode_of(deep), 0644);
    }
    /* several writers (collectors sharing a folder): each its own temporary file, none left */
    ASSERT_EQ(wfpw_file_write_atomic_mode(deep, "crt3", 4, 0644, WFPW_FILE_SHARED | WFPW_FILE_SYNC_DIR), 0);
    /* too large to read: refused, not cut */
    ASSERT_EQ(wfpw_file_read_all(deep, 3, &data, &len), WFPW_ETOOBIG);
    /* no temporary file is left by any of the writes above, the refused one included */
    ASSERT_EQ(wfpw_dir_list(dir, &names, &n), 0);
    ASSERT_EQ(n, 2);
    for (i = 0; i < n; i++)
        ASSERT(strstr(names[i], ".tmp") == NULL);
    wfpw_free(names);
    /* a missing folder is an error naming ENOENT, not a file elsewhere */
    ASSERT_EQ(wfpw_path_join(deep, sizeof(deep), dir, "no/such/x"), 0);
    ASSERT_EQ(wfpw_file_write_atomic_mode(deep, "x", 1, 0600, 0), WFPW_ENOENT);
    ASSERT_EQ(wfpw_path_join(path, 8, dir, "a-name-too-long"), WFPW_ERANGE);
    return 0;
}

TEST_IMPL(common_fileio_dir_make_mode)
{
    const char *dir = wfpw_test_tmpdir("fileio-dirs");
    char deep[600];
    ASSERT_EQ(wfpw_path_join(deep, sizeof(deep), dir, "a/b/c"), 0);
    ASSERT_EQ(wfpw_dir_make_mode(deep, 0750), 0);
    ASSERT_EQ(wfpw_dir_make_mode(deep, 0750), 0);   /* existing: fine */
    ASSERT_EQ(wfpw_file_exists(deep), 1);
    if (posix_modes())
        ASSERT_EQ(mode_of(deep) & ~0750, 0);          /* never wider than asked */
    ASSERT_EQ(wfpw_dir_make_mode("", 0700), WFPW_EINVAL);
    return 0;
}
