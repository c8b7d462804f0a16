/*
 * fsutil.c — atomic file writes and friends (see fsutil.h). Keys and certificates are
 * written through here so a crash never leaves a half-written key, and keys are created
 * 0600 from the first byte (the mode is given to open, never fixed afterwards).
 */
#include "core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wfpw/errors.h"
#include "wfpw/mem.h"

static int from_errno(int e)
{
    switch (e) {
    case ENOENT: return WFPW_ENOENT;
    case EEXIST: return WFPW_EEXIST;
    case EACCES:
    case EPERM: return WFPW_EACCES;
    case ENOSPC: return WFPW_ENOSPC;
    case ENOMEM: return WFPW_ENOMEM;
    case ENAMETOOLONG: return WFPW_ERANGE;
    default: return WFPW_EIO;
    }
}

int wfpw_fs_join(char *buf, size_t len, const char *dir, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= len ? WFPW_ERANGE : 0;
}

int wfpw_fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void fsync_dir_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd;
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)((slash - path) > 0 ? (slash - path) : 1), path); /* "/x" -> "/" */
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int wfpw_fs_write(const char *path, const void *data, size_t len, mode_t mode, int excl)
{
    char tmp[4096];
    const char *p = data;
    int fd, rc = 0;

    if (excl && wfpw_fs_exists(path))
        return WFPW_EEXIST;
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return WFPW_ERANGE;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return from_errno(errno);
    fchmod(fd, mode); /* the umask must not widen or narrow what we asked for */
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = from_errno(errno);
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = from_errno(errno);
    if (close(fd) != 0 && rc == 0)
        rc = from_errno(errno);
    if (rc == 0 && excl && link(tmp, path) != 0)   /* link fails if path appeared meanwhile */
        rc = from_errno(errno);
    else if (rc == 0 && !excl && rename(tmp, path) != 0)
        rc = from_errno(errno);
    unlink(tmp);
    if (rc == 0)
        fsync_dir_of(path);
    return rc;
}

char *wfpw_fs_read(const char *path, size_t max, size_t *len, int *err)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *buf;
    size_t n;
    if (f == NULL) {
        *err = from_errno(errno);
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0 || (size_t)st.st_size > max) {
        *err = WFPW_ETOOBIG;
        fclose(f);
        return NULL;
    }
    buf = wfpw_malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        *err = WFPW_ENOMEM;
        fclose(f);
        return NULL;
    }
    n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    if (n != (size_t)st.st_size) {
        wfpw_free(buf);
        *err = WFPW_EIO;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int wfpw_fs_mkdirs(const char *path, mode_t mode)
{
    char tmp[4096];
    size_t i, n = strlen(path);
    if (n == 0 || n >= sizeof(tmp))
        return WFPW_EINVAL;
    memcpy(tmp, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        tmp[i] = '\0';
        if (mkdir(tmp, mode) != 0 && errno != EEXIST)
            return from_errno(errno);
        tmp[i] = path[i];
    }
    return 0;
}
