/*
 * pkix.h — the two certificate jobs agent and collector share (issue #19: each had its own
 * copy): making the P-256 key every wfpwatch identity uses, and reading one attribute of a
 * certificate's name (the common name is the agent id, the organisational unit the host name
 * it was issued for).
 * mbedTLS 2.28 types; the caller owns every context passed in.
 */
#ifndef WFPW_PKIX_H
#define WFPW_PKIX_H

#include <stddef.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509.h>

/* A new ECDSA P-256 key into key (initialised here; the caller frees it with
 * mbedtls_pk_free, also on failure). Returns 0 or an mbedTLS error. */
int wfpw_pk_gen_p256(mbedtls_pk_context *key, int (*f_rng)(void *, unsigned char *, size_t), void *p_rng);

/* The value of the attribute oid (MBEDTLS_OID_AT_CN, ...) of name into out as text.
 * WFPW_ENOENT: absent; WFPW_ESYNTAX: present more than once (which one would be the
 * identity?) or holding a control character or NUL; WFPW_ERANGE: longer than len - 1. */
int wfpw_x509_name_get(const mbedtls_x509_name *name, const char *oid, size_t oidlen, char *out, size_t len);
#define wfpw_x509_cn(name, out, len) \
    wfpw_x509_name_get((name), MBEDTLS_OID_AT_CN, sizeof(MBEDTLS_OID_AT_CN) - 1, (out), (len))

#endif
