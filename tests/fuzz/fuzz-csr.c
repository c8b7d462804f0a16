/*
 * fuzz-csr.c — libFuzzer driver for the collector's certificate-request check
 * (collector/src/ca.c: wfpw_csr_parse and the key id): any bytes are refused with a reason or
 * accepted as a self-signed ECDSA P-256 request whose key id is 64 hex digits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pki/ca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_csr *csr = NULL;
    char why[160] = "", id[65];
    if (wfpw_csr_parse((const char *)data, size, &csr, why, sizeof(why)) != 0) {
        if (why[0] == '\0' || csr != NULL)
            abort(); /* a refusal names its reason and hands out nothing */
        return 0;
    }
    wfpw_csr_key_id(csr, id);
    if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
        abort();
    wfpw_csr_free(csr);
    return 0;
}
