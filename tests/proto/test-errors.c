/*
 * test-errors.c — the error table: unique negative codes, names and messages.
 */
#include "../runner.h"
#include "wfpw/errors.h"

TEST_IMPL(errors_table)
{
    static const int codes[] = {
#define XX(name, value, msg) WFPW_##name,
        WFPW_ERRNO_MAP(XX)
#undef XX
    };
    size_t i, j, n = sizeof(codes) / sizeof(codes[0]);
    for (i = 0; i < n; i++) {
        ASSERT(codes[i] < 0);
        ASSERT(strcmp(wfpw_err_name(codes[i]), "UNKNOWN") != 0);
        ASSERT(strcmp(wfpw_strerror(codes[i]), "unknown error") != 0);
        for (j = i + 1; j < n; j++) {
            ASSERT(codes[i] != codes[j]);
            ASSERT(strcmp(wfpw_err_name(codes[i]), wfpw_err_name(codes[j])) != 0);
        }
    }
    ASSERT_STR_EQ(wfpw_err_name(WFPW_ENOMEM), "ENOMEM");
    ASSERT_STR_EQ(wfpw_err_name(0), "OK");
    ASSERT_STR_EQ(wfpw_err_name(-9999), "UNKNOWN");
    ASSERT_STR_EQ(wfpw_strerror(-9999), "unknown error");
    return 0;
}
