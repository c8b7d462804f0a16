/*
 * runner.c — runs one test by name (as ctest does), or all tests in turn.
 *
 *   wfpw-unit NAME           run NAME; exit 0 on success (a failed ASSERT aborts)
 *   wfpw-unit --list         print the registered names
 *   wfpw-unit                run every unit test in this process, print "N passed, N failed"
 *   wfpw-unit --conformance  the same for the conformance_* tests
 *
 * A test passes when it returns 0 and wfpw_mem_live() is back to its starting value.
 * Tests named conformance_* read third-party captures from ../shared (wfpw_test_shared), which
 * a fresh clone does not have; ctest runs them only in the conformance suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"

/* The list of tests: test-list.h, or another list for another test program. */
#ifndef WFPW_TEST_LIST
#define WFPW_TEST_LIST "test-list.h"
#endif

#define TEST_ENTRY(name) int test_##name(void);
#include WFPW_TEST_LIST
#undef TEST_ENTRY

static const struct {
    const char *name;
    int (*fn)(void);
} tests[] = {
#define TEST_ENTRY(name) {#name, test_##name},
#include WFPW_TEST_LIST
#undef TEST_ENTRY
};

#define NTESTS (sizeof(tests) / sizeof(tests[0]))

static const char *env_path(const char *var, const char *rel)
{
    static char buf[4096];
    const char *base = getenv(var);
    snprintf(buf, sizeof(buf), "%s/%s", base ? base : ".", rel);
    return buf;
}

const char *wfpw_test_data(const char *rel)
{
    return env_path("WFPW_TEST_DATA", rel);
}

/* ../shared holds third-party captures the repository does not carry: only conformance
 * tests read it, and one that runs without it must fail loudly, never pass on nothing. */
const char *wfpw_test_shared(const char *rel)
{
    const char *base = getenv("WFPW_SHARED"), *path;
    FILE *f;
    if (base == NULL || base[0] == '\0') {
        fprintf(stderr, "CONFORMANCE DATA MISSING: WFPW_SHARED is not set (run conformance tests through ctest "
                        "-L conformance, with ../shared beside the repository)\n");
        abort();
    }
    path = env_path("WFPW_SHARED", rel);
    if ((f = fopen(path, "rb")) == NULL) {
        fprintf(stderr, "CONFORMANCE DATA MISSING: %s cannot be read: ../shared (WFPW_SHARED=%s) is absent or "
                        "incomplete; a fresh clone has no ../shared and runs no conformance test "
                        "(tests/run.sh skips the suite)\n", path, base);
        abort();
    }
    fclose(f);
    return path;
}

const char *wfpw_test_source(const char *rel)
{
    return env_path("WFPW_SOURCE_DIR", rel);
}

char *wfpw_test_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t cap = 0, n = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        size_t got;
        if (n + 4096 + 1 > cap) {
            char *p = wfpw_realloc(data, cap = (cap ? cap * 2 : 8192));
            if (p == NULL) {
                wfpw_free(data);
                fclose(f);
                return NULL;
            }
            data = p;
        }
        got = fread(data + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}

int wfpw_test_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    if (fwrite(data, 1, len, f) != len) {
        fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int run_one(size_t i)
{
    long before = wfpw_mem_live();
    int rc = tests[i].fn();
    long after = wfpw_mem_live();
    if (rc != 0) {
        fprintf(stderr, "FAIL %s (returned %d)\n", tests[i].name, rc);
        return 1;
    }
    if (after != before) {
        fprintf(stderr, "FAIL %s: %ld block(s) leaked\n", tests[i].name, after - before);
        return 1;
    }
    printf("ok %s\n", tests[i].name);
    return 0;
}

int main(int argc, char **argv)
{
    size_t i, failed = 0, ran = 0;
    int conformance;
    setvbuf(stdout, NULL, _IONBF, 0);
    wfpw_mem_track(1); /* every test checks it frees what it allocates */
    wfpw_json_init();
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (i = 0; i < NTESTS; i++)
            printf("%s\n", tests[i].name);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--conformance") != 0) {
        for (i = 0; i < NTESTS; i++)
            if (strcmp(tests[i].name, argv[1]) == 0)
                return run_one(i);
        fprintf(stderr, "no test named '%s'\n", argv[1]);
        return 2;
    }
    conformance = argc > 1;
    for (i = 0; i < NTESTS; i++) {
        if ((strncmp(tests[i].name, "conformance_", 12) == 0) != conformance)
            continue;
        failed += (size_t)run_one(i);
        ran++;
    }
    printf("%zu passed, %zu failed\n", ran - failed, failed);
    return failed ? 1 : 0;
}
