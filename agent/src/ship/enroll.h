/*
 * enroll.h — the agent's side of enrollment and renewal (docs/enrollment.md), as blocking
 * calls that run on a libuv worker thread (creds.c schedules them; nothing here touches the
 * loop).
 *
 *  - CA pinning: with collector.ca_fingerprint and no CA file yet, GET /api/v1/ca without
 *    verification, and keep the answer only if its SHA-256 equals the pin; an existing CA file
 *    must match the pin too.
 *  - Enroll / renew: a new ECDSA P-256 key made here (mbedTLS; the private key never leaves
 *    the host), a PKCS#10 request, POST to the collector; the answer is checked (our key, our
 *    agent id, signed by the pinned CA) and written next to the final files as *.new. The
 *    loop thread then puts them in place with wfpw_enroll_install, so no connection of the
 *    shipper sees a half-installed pair.
 */
#ifndef WFPW_ENROLL_H
#define WFPW_ENROLL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct wfpw_enroll_params {
    const char *url;              /* collector base URL */
    const char *ca_file;          /* pinned CA (PEM) */
    const char *ca_fingerprint;   /* "" or 64 lower-case hex */
    const char *cert_file, *key_file;
    const char *key_password;     /* of the current key (renewal), may be "" */
    const char *token;            /* enroll */
    const char *agent_id, *hostname;
    long timeout_ms, connect_timeout_ms;
    atomic_int *cancel;           /* may be NULL; non-zero aborts a request in flight (agent stop) */
};

/* Make sure ca_file holds the pinned CA (fetching it when a fingerprint is configured and the
 * file is missing). err names the problem. */
int wfpw_enroll_ensure_ca(const struct wfpw_enroll_params *p, char *err, size_t errlen);

/* Enroll (renew = 0, with the token) or renew (renew = 1, authenticated by the current
 * certificate). On success cert_file.new and key_file.new hold the new pair and *not_after_ms
 * its expiry. *http_status: the collector's answer (0 when none); err carries its message. */
int wfpw_enroll_request(const struct wfpw_enroll_params *p, int renew, int64_t *not_after_ms, long *http_status,
                        char *err, size_t errlen);

/* Move key_file.new and cert_file.new over the current files (key first). */
int wfpw_enroll_install(const struct wfpw_enroll_params *p, char *err, size_t errlen);

/* Validity of a PEM certificate file in ms since the epoch. WFPW_ENOENT when missing. */
int wfpw_cert_validity(const char *path, int64_t *not_before_ms, int64_t *not_after_ms);

/* When a certificate valid from nb to na is due for renewal: two thirds into its life. */
int64_t wfpw_renew_due_ms(int64_t nb, int64_t na);

/* SHA-256 of the one certificate in a PEM text, as 64 lower-case hex digits; WFPW_ESYNTAX
 * when the text holds anything else (no certificate, or more than one). */
int wfpw_pem_fingerprint(const char *pem, size_t len, char out[65]);
/* As wfpw_pem_fingerprint, and *canon (when canon is not NULL) receives a new PEM text encoded
 * from the DER of that one certificate alone (caller frees): what is kept of a fetched CA. */
int wfpw_pem_canonical(const char *pem, size_t len, char out[65], char **canon);

#endif
