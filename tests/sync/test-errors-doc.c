/*
 * test-errors-doc.c — docs/internals/ERRORS.md lists exactly the codes of errors.h, with
 * the same values (curl's test 1477 habit: the docs cannot drift from the header).
 */
#include "../runner.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

TEST_IMPL(sync_errors_doc)
{
    size_t len, rows = 0;
    char *doc = wfpw_test_read(wfpw_test_source("docs/internals/ERRORS.md"), &len);
    const char *line;
    ASSERT(doc != NULL);
#define XX(name, value, msg)                                                           \
    {                                                                                  \
        char row[128];                                                                 \
        snprintf(row, sizeof(row), "| `WFPW_%s` | %d |", #name, value);                \
        if (strstr(doc, row) == NULL)                                                  \
            fprintf(stderr, "ERRORS.md lacks the row starting '%s'\n", row);           \
        ASSERT(strstr(doc, row) != NULL);                                              \
    }
    WFPW_ERRNO_MAP(XX)
#undef XX
    /* and no row for a code that does not exist */
    for (line = doc; (line = strstr(line, "| `WFPW_")) != NULL; line++)
        rows++;
#define XX(name, value, msg) +1
    ASSERT_EQ(rows, 0 WFPW_ERRNO_MAP(XX));
#undef XX
    wfpw_free(doc);
    return 0;
}
