/*
 * fuzz-config.c — libFuzzer driver for the collector's configuration reader: any input is
 * either accepted (and then passes or fails wfpw_config_check with a message) or rejected
 * with a message; nothing crashes, and strings stay within their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config.h"
#include "wfpw/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_config c;
    char err[512] = "";
    wfpw_json_init();
    wfpw_config_defaults(&c);
    if (wfpw_config_parse(&c, (const char *)data, size, "/base", err, sizeof(err)) != 0) {
        if (err[0] == '\0')
            abort();
        return 0;
    }
    if (memchr(c.listen, '\0', sizeof(c.listen)) == NULL || memchr(c.data, '\0', sizeof(c.data)) == NULL)
        abort();
    err[0] = '\0';
    if (wfpw_config_check(&c, err, sizeof(err)) != 0 && err[0] == '\0')
        abort();
    return 0;
}
