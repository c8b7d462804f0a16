/*
 * fileio.h — file operations of agent and collector, portable through libuv's synchronous
 * fs calls (no loop: each call blocks and returns), so spool, state, key and certificate
 * code has no OS branches: libuv maps them to POSIX or to Win32 (rename replaces on both,
 * fsync is FlushFileBuffers on Windows). One copy for both programs (issue #19: the agent's
 * fileio.c and the collector's fsutil.c did the same job).
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
#define WFPW_FILE_EXCL   16 /* wfpw_file_write_atomic_mode: WFPW_EEXIST when path exists */
#define WFPW_FILE_SYNC_DIR 32 /* wfpw_file_write_atomic_mode: also sync the folder (POSIX) */
#define WFPW_FILE_SHARED 64 /* wfpw_file_write_atomic_mode: other processes may write the same path */

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
 * leaves either the old or the new content, never a mix. Mode 0600, no flags (below). */
int wfpw_file_write_atomic(const char *path, const void *data, size_t len);
/* The same with the file's permissions (mode, applied from the first byte and not widened or
 * narrowed by the umask) and flags:
 * - WFPW_FILE_EXCL: never replace an existing path, also when it appears while writing;
 * - WFPW_FILE_SYNC_DIR: sync the folder after the rename, so the new name survives a power
 *   cut (keys and certificates: there is no older copy to fall back on; the agent's state
 *   files are rewritten often and an older one is safe to resume from, so they leave it out);
 * - WFPW_FILE_SHARED: several processes may write path at once (collectors sharing a PKI
 *   folder), so each writes its own temporary file, path.tmp.PID; otherwise it is path.tmp,
 *   so a write cut short by a crash leaves one file the next write reuses, not one per run. */
int wfpw_file_write_atomic_mode(const char *path, const void *data, size_t len, int mode, int flags);
/* Sync the folder holding path, after a rename into it (POSIX; Windows cannot flush a folder
 * handle opened for reading and NTFS journals the rename: a no-op there). Best effort. */
void wfpw_file_sync_dir(const char *path);
/* 1 when path exists (any type), else 0. */
int wfpw_file_exists(const char *path);
/* "dir/name" into buf; WFPW_ERANGE when it does not fit. */
int wfpw_path_join(char *buf, size_t len, const char *dir, const char *name);
int wfpw_file_unlink(const char *path);
/* Rename, replacing to when it exists. */
int wfpw_file_rename(const char *from, const char *to);
/* mkdir -p with mode 0700 (existing directories are fine). */
int wfpw_dir_make(const char *path);
/* mkdir -p with mode for the directories it creates. */
int wfpw_dir_make_mode(const char *path, int mode);
/* The names in dir (no "." / ".."), sorted by strcmp; *names is an array of n strings, all
 * in one allocation freed with wfpw_free(*names). */
int wfpw_dir_list(const char *dir, char ***names, size_t *n);

#endif
