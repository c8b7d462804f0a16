/*
 * pkix.c — P-256 key generation and certificate name attributes (see pkix.h).
 */
#include "wfpw/pkix.h"

#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>

#include "wfpw/errors.h"

int wfpw_pk_gen_p256(mbedtls_pk_context *key, int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
    int rc;
    mbedtls_pk_init(key);
    if ((rc = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) != 0)
        return rc;
    return mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key), f_rng, p_rng);
}

int wfpw_x509_name_get(const mbedtls_x509_name *name, const char *oid, size_t oidlen, char *out, size_t len)
{
    const mbedtls_x509_name *n, *found = NULL;
    size_t i;
    for (n = name; n; n = n->next)
        if (n->oid.p != NULL && n->oid.len == oidlen && memcmp(n->oid.p, oid, oidlen) == 0) {
            if (found)
                return WFPW_ESYNTAX;
            found = n;
        }
    if (found == NULL)
        return WFPW_ENOENT;
    if (found->val.len >= len)
        return WFPW_ERANGE;
    for (i = 0; i < found->val.len; i++)
        if (found->val.p[i] < 0x20 || found->val.p[i] == 0x7f)
            return WFPW_ESYNTAX;
    memcpy(out, found->val.p, found->val.len);
    out[found->val.len] = '\0';
    return 0;
}
