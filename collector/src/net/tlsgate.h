/*
 * tlsgate.h — the client's certificate keys are checked before mbedTLS verifies any signature.
 *
 * In a TLS 1.2 handshake the client's Certificate message travels in the clear, before the
 * client's ChangeCipherSpec. mbedTLS verifies the chain and then the CertificateVerify
 * signature with whatever key the certificate carries; an RSA key of 8192 bits with a public
 * exponent of the same size makes one such verification cost about as much as an RSA private
 * operation, and anyone can send one without authenticating. The gate reads the client's
 * handshake records as they arrive (before mbedTLS sees them), parses each certificate of a
 * Certificate message (parsing checks no signature) and refuses the connection unless every
 * key is ECDSA P-256 / P-384 or RSA of 2048..4096 bits with exponent 65537. It stops looking
 * at the client's ChangeCipherSpec (everything after is encrypted; renegotiation is off).
 *
 * No allocation but the reassembly buffer (at most WFPW_TLSGATE_MAX_MSG bytes, freed when the
 * gate is done); no I/O.
 */
#ifndef WFPW_TLSGATE_H
#define WFPW_TLSGATE_H

#include <stddef.h>
#include <stdint.h>

#include "wfpw/buf.h"

#define WFPW_TLSGATE_MAX_MSG (32u << 10) /* one handshake message, as reassembled */
#define WFPW_TLSGATE_MAX_CERTS 4         /* certificates in the client's chain */

enum { WFPW_TLSGATE_LOOKING = 0, WFPW_TLSGATE_DONE = 1, WFPW_TLSGATE_REFUSED = -1 };

struct wfpw_tlsgate {
    int state;                 /* WFPW_TLSGATE_* */
    uint8_t hdr[5];            /* the record header being read */
    size_t hdr_len;
    size_t rec_left;           /* bytes of the current record's body still to come */
    uint8_t rec_type;
    struct wfpw_buf msg;       /* handshake bytes of the current record(s), reassembled */
    char why[128];             /* when refused: what was wrong */
};

void wfpw_tlsgate_init(struct wfpw_tlsgate *g);
/* Feed bytes the client sent, in order. Returns the state: LOOKING (more may come), DONE
 * (the client's cleartext part of the handshake is over), REFUSED (g->why says why; close
 * the connection without handing these bytes to TLS). */
int wfpw_tlsgate_feed(struct wfpw_tlsgate *g, const uint8_t *data, size_t len);
void wfpw_tlsgate_free(struct wfpw_tlsgate *g);

/* The key rule alone, for one DER certificate: 0 when acceptable, else -1 with why. */
int wfpw_tlsgate_check_der(const uint8_t *der, size_t len, char *why, size_t whylen);

#endif
