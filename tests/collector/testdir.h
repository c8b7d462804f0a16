/*
 * testdir.h — a fresh directory under /tmp for one collector test, removed afterwards.
 */
#ifndef WFPW_CTEST_TESTDIR_H
#define WFPW_CTEST_TESTDIR_H

/* A new empty directory (wfpw_malloc'd path; fails the test when it cannot be made). */
char *wfpw_ctest_tempdir(void);
/* Remove it with everything in it, and free the path. */
void wfpw_ctest_rmdir(char *dir);

#endif
