/*
 * tmpdir.h — a fresh, empty directory per test under ./test-tmp (ctest's working directory
 * is the build's tests folder; the same relative path works under Wine).
 */
#ifndef WFPW_TEST_TMPDIR_H
#define WFPW_TEST_TMPDIR_H

/* "test-tmp/<name>", emptied (files and one level of subdirectories) and created. Static buffer. */
const char *wfpw_test_tmpdir(const char *name);
/* Remove the files in dir and dir's immediate subdirectories' files. */
void wfpw_test_rmtree(const char *dir);

#endif
