/*
 * runner.h — the unit-test harness: TEST_IMPL bodies, ASSERT macros, test data access.
 *
 * Every test is listed in test-list.h; CMake reads that list and registers each test with
 * ctest, which runs each in its own process with a timeout (natively, and under Wine for
 * the .exe build). After each test the runner checks that every block allocated through
 * wfpw_malloc was freed: a leak fails the test on every platform.
 */
#ifndef WFPW_TEST_RUNNER_H
#define WFPW_TEST_RUNNER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_IMPL(name) int test_##name(void); int test_##name(void)

#define ASSERT(expr)                                                                  \
    do {                                                                              \
        if (!(expr)) {                                                                \
            fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #expr); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

#define ASSERT_EQ(a, b)                                                               \
    do {                                                                              \
        long long a_ = (long long)(a), b_ = (long long)(b);                           \
        if (a_ != b_) {                                                               \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
                    #a, #b, a_, b_);                                                  \
            abort();                                                                  \
        }                                                                             \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                           \
    do {                                                                              \
        const char *a_ = (a), *b_ = (b);                                              \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                        \
            fprintf(stderr, "%s:%d: %s == %s failed:\n  \"%s\"\n  \"%s\"\n", __FILE__,    \
                    __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");        \
            abort();                                                                  \
        }                                                                             \
    } while (0)

/* Path of a file under tests/data (env WFPW_TEST_DATA); static buffer. */
const char *wfpw_test_data(const char *rel);
/* Path of a file under ../shared (env WFPW_SHARED); static buffer. For conformance_* tests
 * only: when WFPW_SHARED is unset or the file cannot be read, it says so on stderr and aborts
 * (a conformance test never passes without its data; unit tests use tests/data). */
const char *wfpw_test_shared(const char *rel);
/* Path of a file under the source tree (env WFPW_SOURCE_DIR); static buffer. */
const char *wfpw_test_source(const char *rel);
/* Whole file, NUL-terminated, allocated with wfpw_malloc; NULL when unreadable. */
char *wfpw_test_read(const char *path, size_t *len);
/* Write a file (for golden updates); 0 on success. */
int wfpw_test_write(const char *path, const char *data, size_t len);

#endif /* WFPW_TEST_RUNNER_H */
