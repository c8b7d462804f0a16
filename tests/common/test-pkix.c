/*
 * test-pkix.c — common/src/pkix.c: the P-256 key both programs make, and reading one name
 * attribute as the collector reads an agent's identity and the agent checks what it was
 * issued: absent, twice (ambiguous: refused), control characters, too long.
 */
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>

#include "runner.h"
#include "wfpw/errors.h"
#include "wfpw/pkix.h"

static void set_attr(mbedtls_x509_name *n, const char *oid, size_t oidlen, const char *val, mbedtls_x509_name *next)
{
    memset(n, 0, sizeof(*n));
    n->oid.tag = MBEDTLS_ASN1_OID;
    n->oid.p = (unsigned char *)(uintptr_t)oid;
    n->oid.len = oidlen;
    n->val.tag = MBEDTLS_ASN1_UTF8_STRING;
    n->val.p = (unsigned char *)(uintptr_t)val;
    n->val.len = strlen(val);
    n->next = next;
}

#define CN MBEDTLS_OID_AT_CN, sizeof(MBEDTLS_OID_AT_CN) - 1
#define OU MBEDTLS_OID_AT_ORG_UNIT, sizeof(MBEDTLS_OID_AT_ORG_UNIT) - 1

TEST_IMPL(common_pkix_name_attributes)
{
    mbedtls_x509_name a, b, c;
    char out[16];
    /* OU=agents, CN=host-1 */
    set_attr(&b, CN, "host-1", NULL);
    set_attr(&a, OU, "agents", &b);
    ASSERT_EQ(wfpw_x509_cn(&a, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "host-1");
    ASSERT_EQ(wfpw_x509_name_get(&a, OU, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "agents");
    /* absent */
    ASSERT_EQ(wfpw_x509_name_get(&b, OU, out, sizeof(out)), WFPW_ENOENT);
    /* two common names: which one is the agent? neither */
    set_attr(&c, CN, "host-2", NULL);
    b.next = &c;
    ASSERT_EQ(wfpw_x509_cn(&a, out, sizeof(out)), WFPW_ESYNTAX);
    b.next = NULL;
    /* a control character or a NUL inside the value (a log line or a C string cut short) */
    set_attr(&b, CN, "host\n1", NULL);
    ASSERT_EQ(wfpw_x509_cn(&b, out, sizeof(out)), WFPW_ESYNTAX);
    b.val.p = (unsigned char *)(uintptr_t)"ab\0cd";
    b.val.len = 5;
    ASSERT_EQ(wfpw_x509_cn(&b, out, sizeof(out)), WFPW_ESYNTAX);
    /* longer than the buffer: refused, not cut to a different name */
    set_attr(&b, CN, "a-name-of-16-chr", NULL);
    ASSERT_EQ(wfpw_x509_cn(&b, out, sizeof(out)), WFPW_ERANGE);
    set_attr(&b, CN, "a-name-of-15-ch", NULL);
    ASSERT_EQ(wfpw_x509_cn(&b, out, sizeof(out)), 0);
    return 0;
}

TEST_IMPL(common_pkix_p256_key)
{
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context key;
    mbedtls_entropy_init(&ent);
    mbedtls_ctr_drbg_init(&drbg);
    ASSERT_EQ(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, (const unsigned char *)"t", 1), 0);
    ASSERT_EQ(wfpw_pk_gen_p256(&key, mbedtls_ctr_drbg_random, &drbg), 0);
    ASSERT(mbedtls_pk_get_type(&key) == MBEDTLS_PK_ECKEY);
    ASSERT(mbedtls_pk_ec(key)->grp.id == MBEDTLS_ECP_DP_SECP256R1);
    ASSERT_EQ(mbedtls_ecp_check_privkey(&mbedtls_pk_ec(key)->grp, &mbedtls_pk_ec(key)->d), 0);
    ASSERT_EQ(mbedtls_ecp_check_pubkey(&mbedtls_pk_ec(key)->grp, &mbedtls_pk_ec(key)->Q), 0);
    mbedtls_pk_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&ent);
    return 0;
}
