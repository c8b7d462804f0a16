/*
 * fileio.c — synchronous file helpers on libuv's fs API (see fileio.h). libuv reports
 * errors as negative errno-style UV_E* codes on both platforms; uv_err() turns the few
 * agent and collector react to into WFPW_E* codes.
 */
#include "wfpw/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "wfpw/errors.h"
#include "wfpw/mem.h"

static int uv_err(int rc)
{
    switch (rc) {
    case UV_ENOENT: return WFPW_ENOENT;
    case UV_EEXIST: return WFPW_EEXIST;
    case UV_EACCES: case UV_EPERM: return WFPW_EACCES;
    case UV_ENOSPC: return WFPW_ENOSPC;
    case UV_ENOMEM: return WFPW_ENOMEM;
    case UV_EINVAL: return WFPW_EINVAL;
    case UV_ENAMETOOLONG: return WFPW_ERANGE;
    default: return WFPW_EIO;
    }
}

int wfpw_file_open(const char *path, int flags, int *fd)
{
    uv_fs_t req;
    int of = 0, rc;
    if (flags & WFPW_FILE_WRITE) {
        of = UV_FS_O_RDWR | UV_FS_O_CREAT;
        if (flags & WFPW_FILE_APPEND)
            of |= UV_FS_O_APPEND;
        if (flags & WFPW_FILE_TRUNC)
            of |= UV_FS_O_TRUNC;
    } else {
        of = UV_FS_O_RDONLY;
    }
    rc = uv_fs_open(NULL, &req, path, of, 0600, NULL);
    uv_fs_req_cleanup(&req);
    if (rc < 0)
        return uv_err(rc);
    *fd = rc;
    return 0;
}

void wfpw_file_close(int fd)
{
    uv_fs_t req;
    if (fd < 0)
        return;
    uv_fs_close(NULL, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
}

int wfpw_file_write(int fd, const void *data, size_t len, int64_t offset)
{
    const char *p = data;
    while (len > 0) {
        uv_fs_t req;
        uv_buf_t b = uv_buf_init((char *)(uintptr_t)p, (unsigned)(len > (1u << 30) ? (1u << 30) : len));
        int rc = uv_fs_write(NULL, &req, fd, &b, 1, offset, NULL);
        uv_fs_req_cleanup(&req);
        if (rc < 0)
            return uv_err(rc);
        if (rc == 0)
            return WFPW_EIO;
        p += rc, len -= (size_t)rc;
        if (offset >= 0)
            offset += rc;
    }
    return 0;
}

int64_t wfpw_file_read(int fd, void *data, size_t len, int64_t offset)
{
    size_t got = 0;
    while (got < len) {
        uv_fs_t req;
        uv_buf_t b = uv_buf_init((char *)data + got, (unsigned)(len - got > (1u << 30) ? (1u << 30) : len - got));
        int rc = uv_fs_read(NULL, &req, fd, &b, 1, offset < 0 ? -1 : offset + (int64_t)got, NULL);
        uv_fs_req_cleanup(&req);
        if (rc < 0)
            return uv_err(rc);
        if (rc == 0)
            break;
        got += (size_t)rc;
    }
    return (int64_t)got;
}

int wfpw_file_sync(int fd)
{
    uv_fs_t req;
    int rc = uv_fs_fsync(NULL, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
    return rc < 0 ? uv_err(rc) : 0;
}

int wfpw_file_truncate(int fd, int64_t size)
{
    uv_fs_t req;
    int rc = uv_fs_ftruncate(NULL, &req, fd, size, NULL);
    uv_fs_req_cleanup(&req);
    return rc < 0 ? uv_err(rc) : 0;
}

int64_t wfpw_file_size(int fd)
{
    uv_fs_t req;
    int64_t size;
    int rc = uv_fs_fstat(NULL, &req, fd, NULL);
    size = rc < 0 ? uv_err(rc) : (int64_t)req.statbuf.st_size;
    uv_fs_req_cleanup(&req);
    return size;
}

int wfpw_file_read_all(const char *path, size_t max, char **data, size_t *len)
{
    int fd = -1, rc;
    int64_t size, got;
    char *p;
    *data = NULL, *len = 0;
    if ((rc = wfpw_file_open(path, WFPW_FILE_READ, &fd)) != 0)
        return rc;
    size = wfpw_file_size(fd);
    if (size < 0 || (uint64_t)size > max) {
        wfpw_file_close(fd);
        return size < 0 ? (int)size : WFPW_ETOOBIG;
    }
    if ((p = wfpw_malloc((size_t)size + 1)) == NULL) {
        wfpw_file_close(fd);
        return WFPW_ENOMEM;
    }
    got = wfpw_file_read(fd, p, (size_t)size, 0);
    wfpw_file_close(fd);
    if (got < 0) {
        wfpw_free(p);
        return (int)got;
    }
    p[got] = '\0';
    *data = p, *len = (size_t)got;
    return 0;
}

int wfpw_file_write_atomic(const char *path, const void *data, size_t len)
{
    return wfpw_file_write_atomic_mode(path, data, len, 0600, 0);
}

/* fsync of the folder holding path, so the rename itself survives a power cut (POSIX). On
 * Windows libuv opens a folder too (FILE_FLAG_BACKUP_SEMANTICS), but FlushFileBuffers wants a
 * handle with write access and fails: ignored, NTFS journals the rename itself. */
void wfpw_file_sync_dir(const char *path)
{
    char dir[1024];
    const char *s1 = strrchr(path, '/'), *s2 = strrchr(path, '\\'), *s = s1 > s2 ? s1 : s2;
    uv_fs_t req;
    int fd;
    if (s == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if ((size_t)snprintf(dir, sizeof(dir), "%.*s", (int)(s > path ? s - path : 1), path) >= sizeof(dir))
        return;
    fd = uv_fs_open(NULL, &req, dir, UV_FS_O_RDONLY, 0, NULL);
    uv_fs_req_cleanup(&req);
    if (fd < 0)
        return;
    uv_fs_fsync(NULL, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
    wfpw_file_close(fd);
}

int wfpw_file_write_atomic_mode(const char *path, const void *data, size_t len, int mode, int flags)
{
    char tmp[1024];
    uv_fs_t req;
    int fd, rc;
    if ((flags & WFPW_FILE_EXCL) && wfpw_file_exists(path))
        return WFPW_EEXIST;
    if ((flags & WFPW_FILE_SHARED ? (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)uv_os_getpid())
                                  : (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path)) >= sizeof(tmp))
        return WFPW_ERANGE;
    fd = uv_fs_open(NULL, &req, tmp, UV_FS_O_RDWR | UV_FS_O_CREAT | UV_FS_O_TRUNC, mode, NULL);
    uv_fs_req_cleanup(&req);
    if (fd < 0)
        return uv_err(fd);
    rc = uv_fs_fchmod(NULL, &req, fd, mode, NULL);   /* the umask must not change what was asked for */
    uv_fs_req_cleanup(&req);
    rc = rc < 0 ? uv_err(rc) : wfpw_file_write(fd, data, len, 0);
    if (rc == 0)
        rc = wfpw_file_sync(fd);
    {
        int crc = uv_fs_close(NULL, &req, fd, NULL);   /* a failed close may still lose data (NFS) */
        uv_fs_req_cleanup(&req);
        if (rc == 0 && crc < 0)
            rc = uv_err(crc);
    }
    if (rc == 0 && (flags & WFPW_FILE_EXCL)) {
        rc = uv_fs_link(NULL, &req, tmp, path, NULL);   /* fails when path appeared meanwhile */
        uv_fs_req_cleanup(&req);
        rc = rc < 0 ? uv_err(rc) : 0;
    } else if (rc == 0) {
        rc = wfpw_file_rename(tmp, path);
    }
    if (rc != 0 || (flags & WFPW_FILE_EXCL))
        wfpw_file_unlink(tmp);
    if (rc == 0 && (flags & WFPW_FILE_SYNC_DIR))
        wfpw_file_sync_dir(path);
    return rc;
}

int wfpw_file_exists(const char *path)
{
    uv_fs_t req;
    int rc = uv_fs_stat(NULL, &req, path, NULL);
    uv_fs_req_cleanup(&req);
    return rc == 0;
}

int wfpw_path_join(char *buf, size_t len, const char *dir, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= len ? WFPW_ERANGE : 0;
}

int wfpw_file_unlink(const char *path)
{
    uv_fs_t req;
    int rc = uv_fs_unlink(NULL, &req, path, NULL);
    uv_fs_req_cleanup(&req);
    return rc < 0 ? uv_err(rc) : 0;
}

int wfpw_file_rename(const char *from, const char *to)
{
    uv_fs_t req;
    int rc = uv_fs_rename(NULL, &req, from, to, NULL);
    uv_fs_req_cleanup(&req);
    return rc < 0 ? uv_err(rc) : 0;
}

int wfpw_dir_make(const char *path)
{
    return wfpw_dir_make_mode(path, 0700);
}

int wfpw_dir_make_mode(const char *path, int mode)
{
    char buf[1024];
    size_t i, n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return WFPW_EINVAL;
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\\' || buf[i] == '\0') {
            uv_fs_t req;
            char c = buf[i];
            int rc;
            if (i == 2 && buf[1] == ':')  /* "C:\" */
                continue;
            buf[i] = '\0';
            rc = uv_fs_mkdir(NULL, &req, buf, mode, NULL);
            uv_fs_req_cleanup(&req);
            buf[i] = c;
            if (rc < 0 && rc != UV_EEXIST)
                return uv_err(rc);
        }
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int wfpw_dir_list(const char *dir, char ***names, size_t *n)
{
    uv_fs_t req;
    uv_dirent_t ent;
    size_t count = 0, bytes = 0, i = 0;
    char **arr, *p;
    int rc = uv_fs_scandir(NULL, &req, dir, 0, NULL);
    *names = NULL, *n = 0;
    if (rc < 0) {
        uv_fs_req_cleanup(&req);
        return uv_err(rc);
    }
    while (uv_fs_scandir_next(&req, &ent) != UV_EOF)
        count++, bytes += strlen(ent.name) + 1;
    uv_fs_req_cleanup(&req);
    /* scan again to copy (scandir_next consumes); the directory may change in between,
     * so the second pass is bounded by what the first one sized */
    if ((arr = wfpw_malloc((count + 1) * sizeof(char *) + bytes + 1)) == NULL)
        return WFPW_ENOMEM;
    p = (char *)(arr + count + 1);
    rc = uv_fs_scandir(NULL, &req, dir, 0, NULL);
    if (rc >= 0) {
        while (uv_fs_scandir_next(&req, &ent) != UV_EOF) { /* to the end: frees each entry */
            size_t l = strlen(ent.name) + 1;
            if (i == count || (size_t)(p - (char *)(arr + count + 1)) + l > bytes)
                continue;
            memcpy(p, ent.name, l);
            arr[i++] = p;
            p += l;
        }
    }
    uv_fs_req_cleanup(&req);
    if (rc < 0) {
        wfpw_free(arr);
        return uv_err(rc);
    }
    qsort(arr, i, sizeof(char *), cmp_names);
    *names = arr, *n = i;
    return 0;
}
