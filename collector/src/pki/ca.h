/*
 * ca.h — the collector's CA at run time: checks the certificate signing requests agents send
 * when they enroll or renew, signs them, and writes the certificate revocation list.
 *
 * pki.c creates the CA files (pki init / pki issue); this file loads them once and uses them.
 * A wfpw_ca has its own random generator and is used by one thread at a time (the store
 * thread signs; the command line writes the CRL).
 */
#ifndef WFPW_CA_H
#define WFPW_CA_H

#include <stddef.h>
#include <stdint.h>

#include "wfpw/buf.h"

struct wfpw_ca;
struct wfpw_csr;

/* Load DIR/ca.crt and DIR/ca.key. WFPW_ENOENT (err says which file) when either is missing. */
int wfpw_ca_load(const char *dir, struct wfpw_ca **out, char *err, size_t errlen);
void wfpw_ca_free(struct wfpw_ca *ca);
/* The CA certificate as PEM (borrowed; lives as long as ca). */
const char *wfpw_ca_pem(const struct wfpw_ca *ca);

/* Parse a PEM PKCS#10 request, require an ECDSA P-256 key, then verify its self-signature
 * (in that order: no signature is checked with a key of another kind).
 * WFPW_ESYNTAX (not a CSR / bad signature) or WFPW_EPROTO (another key type), with why set. */
int wfpw_csr_parse(const char *pem, size_t len, struct wfpw_csr **out, char *why, size_t whylen);
void wfpw_csr_free(struct wfpw_csr *csr);
/* Re-enrollment of an agent id whose certificate expired: cert_pem must be one certificate
 * this CA issued for agent_id (expired or not; anything else wrong refuses), with an ECDSA
 * P-256 key, and proof_b64 (base64 of a DER ECDSA signature) a signature by that key of
 * SHA-256(signed_text) — the new request's PEM, so the proof binds the new key. On success
 * serial receives its serial (hex); the store checks it is not revoked. WFPW_EACCES /
 * WFPW_ESYNTAX with why otherwise. Keys are checked before any signature. */
int wfpw_ca_check_previous(struct wfpw_ca *ca, const char *cert_pem, const char *agent_id, const char *signed_text,
                           const char *proof_b64, char serial[80], char *why, size_t whylen);
/* SHA-256 of the request's SubjectPublicKeyInfo, 64 hex characters. */
void wfpw_csr_key_id(const struct wfpw_csr *csr, char out[65]);

/* The result of signing. */
struct wfpw_issued {
    char serial[33];              /* 32 hex characters */
    int64_t not_before_ms, not_after_ms;
    char pem[4096];
};

/* Sign csr's key: CN = agent_id, OU = hostname (may be ""), O = wfpwatch agents; valid from
 * five minutes (at most a tenth of the validity) before now_ms, for clock skew, until
 * now_ms + validity_s. */
int wfpw_ca_sign(struct wfpw_ca *ca, const struct wfpw_csr *csr, const char *agent_id, const char *hostname,
                 int64_t now_ms, int64_t validity_s, struct wfpw_issued *out);

/* Serial number of a PEM certificate file as 2*n hex characters (certificates that `pki issue`
 * wrote, to revoke them). */
int wfpw_ca_cert_serial(const char *path, char *hex, size_t hexlen);

/* Write DIR/ca.crl (PEM, atomically): a v2 CRL signed by the CA listing the given serials (hex)
 * with their revocation times; thisUpdate now, nextUpdate now + 7 days. */
int wfpw_ca_write_crl(struct wfpw_ca *ca, const char *dir, const char *const *serials,
                      const int64_t *revoked_ms, size_t n, int64_t now_ms, char *err, size_t errlen);

#endif
