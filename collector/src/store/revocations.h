/*
 * revocations.h — the store's revoked certificates published as the CA's revocation list.
 *
 * The store is the record (certs.revoked); PKI/ca.crl is what TLS checks. Every change of the
 * record (`cert revoke`, a certificate superseded by its renewal) is followed by writing the
 * list again from the whole record, so the file never holds less than the store says.
 */
#ifndef WFPW_REVOCATIONS_H
#define WFPW_REVOCATIONS_H

#include <stddef.h>
#include <stdint.h>

struct wfpw_store;
struct wfpw_ca;

/* Write PKIDIR/ca.crl (atomically) listing every certificate the store has revoked, signed by
 * ca. *n receives how many. 0, or WFPW_E* with err. */
int wfpw_revocations_publish(struct wfpw_store *st, struct wfpw_ca *ca, const char *pkidir, int64_t now_ms,
                             size_t *n, char *err, size_t errlen);

#endif
