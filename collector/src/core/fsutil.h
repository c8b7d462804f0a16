/*
 * fsutil.h — small file helpers for the collector (Linux): atomic writes with a given
 * mode (temp file, fsync, rename, fsync of the directory), whole-file reads, mkdir -p.
 */
#ifndef WFPW_FSUTIL_H
#define WFPW_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Write data to path atomically with permissions mode. excl: fail with WFPW_EEXIST when path
 * exists. Returns 0 or WFPW_E*. */
int wfpw_fs_write(const char *path, const void *data, size_t len, mode_t mode, int excl);
/* Whole file into a NUL-terminated wfpw_malloc'd buffer (caller frees); NULL on error
 * (*err set) or when larger than max. */
char *wfpw_fs_read(const char *path, size_t max, size_t *len, int *err);
/* mkdir -p with mode for the directories it creates. */
int wfpw_fs_mkdirs(const char *path, mode_t mode);
int wfpw_fs_exists(const char *path);
/* "dir/name" into buf; WFPW_ERANGE when it does not fit. */
int wfpw_fs_join(char *buf, size_t len, const char *dir, const char *name);

#endif
