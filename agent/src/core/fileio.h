/*
 * fileio.h — the agent's file operations, portable through libuv's synchronous fs calls
 * (no loop: each call blocks and returns), so spool, state and quarantine code has no OS
 * branches: libuv maps them to POSIX or to Win32 (rename replaces on both, fsync is
 * FlushFileBuffers on Windows).
 *
 * Every function returns 0 (or a count) or a negative WFPW_E* code.
 */
#ifndef WFPW_FILEIO_H
#define WFPW_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* Open flags for wfpw_file_open. */
#define WFPW_FILE_READ   1
#define WFPW_FILE_WRITE  2  /* read-write, created when missing (mode 0600) */
#define WFPW_FILE_APPEND 4  /* with WRITE: writes go to the end */
#define WFPW_FILE_TRUNC  8  /* with WRITE: truncate at open */

/* An open file is an int handle (libuv's uv_file). */
int wfpw_file_open(const char *path, int flags, int *fd);
void wfpw_file_close(int fd);
/* Write all of data at offset (-1: current position); WFPW_EIO on a short write. */
int wfpw_file_write(int fd, const void *data, size_t len, int64_t offset);
/* Read up to len bytes at offset; returns the count read (0 at end) or an error. */
int64_t wfpw_file_read(int fd, void *data, size_t len, int64_t offset);
int wfpw_file_sync(int fd);
int wfpw_file_truncate(int fd, int64_t size);
/* Size of an open file. */
int64_t wfpw_file_size(int fd);

/* The whole file into a new NUL-terminated buffer (caller frees with wfpw_free). Larger
 * than max: WFPW_ETOOBIG. Missing: WFPW_ENOENT. */
int wfpw_file_read_all(const char *path, size_t max, char **data, size_t *len);
/* Replace path with data atomically: write path.tmp, fsync it, rename over path. A crash
 * leaves either the old or the new content, never a mix. */
int wfpw_file_write_atomic(const char *path, const void *data, size_t len);
int wfpw_file_unlink(const char *path);
/* Rename, replacing to when it exists. */
int wfpw_file_rename(const char *from, const char *to);
/* mkdir -p with mode 0700 (existing directories are fine). */
int wfpw_dir_make(const char *path);
/* The names in dir (no "." / ".."), sorted by strcmp; *names is an array of n strings, all
 * in one allocation freed with wfpw_free(*names). */
int wfpw_dir_list(const char *dir, char ***names, size_t *n);

#endif
