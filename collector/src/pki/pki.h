/*
 * pki.h — the collector's certificate authority (mbedTLS): a development or fleet CA,
 * the server certificate, and client certificates for agents. ECDSA P-256, SHA-256, PEM.
 * Private keys are written 0600 and never logged.
 */
#ifndef WFPW_PKI_H
#define WFPW_PKI_H

#include <stddef.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

/* Create DIR/ca.crt, ca.key, server.crt, server.key. names: the server's DNS names (or IP
 * addresses), at least one; the first is also its CN. Refuses (WFPW_EEXIST) when DIR
 * already has a CA. err receives a message for the operator. */
int wfpw_pki_init(const char *dir, const char *const *names, size_t nnames, char *err, size_t errlen);

/* Create DIR/agents/NAME.crt and NAME.key signed by the CA (CN = NAME, clientAuth).
 * not_before/not_after: "YYYYMMDDHHMMSS" UTC, or NULL for now .. now + days. */
int wfpw_pki_issue(const char *dir, const char *name, int days, const char *not_before,
                   const char *not_after, char *err, size_t errlen);

/* 1 when name is acceptable as an agent certificate name: [A-Za-z0-9._-]{1,64}, not
 * starting with '.'. */
int wfpw_pki_name_valid(const char *name);

/* DIR/ca.crt into ca (initialized by the caller), DIR/ca.key into key, the CA subject as an
 * mbedTLS DN string into subject. WFPW_ENOENT / WFPW_EINVAL with err naming the file. */
int wfpw_pki_load_ca(const char *dir, mbedtls_x509_crt *ca, mbedtls_pk_context *key, char *subject, size_t sublen,
                     char *err, size_t errlen);
/* PEM text (a key, certificate or CRL) into path with mode, as every PKI file is written:
 * atomically, the folder synced (no older copy to fall back on), safe when several collectors
 * share the folder; excl: never replace an existing file (WFPW_EEXIST). */
int wfpw_pki_write_pem(const char *path, const unsigned char *pem, int mode, int excl);
/* t as the "YYYYMMDDHHMMSS" UTC form certificate validity takes. */
void wfpw_pki_stamp(time_t t, char out[16]);

/* PEM of a client certificate (clientAuth, digitalSignature) for the public key `key`, with
 * subject and issuer as mbedTLS DN strings, signed by issuer_key; times "YYYYMMDDHHMMSS" UTC.
 * serial receives the 16 random serial bytes. Returns 0 or an mbedTLS error. Used by ca.c. */
int wfpw_pki_client_cert(mbedtls_pk_context *key, mbedtls_pk_context *issuer_key, const char *issuer,
                         const char *subject, const char *not_before, const char *not_after,
                         mbedtls_ctr_drbg_context *drbg, unsigned char *pem, size_t pemlen,
                         unsigned char serial[16]);

#endif
