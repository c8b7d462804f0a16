/*
 * tlsgate.c — the client certificate key check ahead of mbedTLS (tlsgate.h).
 *
 * TLS records (RFC 5246 6.2): type(1) version(2) length(2) body. Handshake messages (7.4):
 * type(1) length(3) body, several per record or (in principle) one split over records, so
 * handshake bytes are reassembled across records. Certificate (type 11, 7.4.2): a 3-byte list
 * length, then per certificate a 3-byte length and the DER.
 */
#include "net/tlsgate.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_crt.h>

#define REC_CHANGE_CIPHER_SPEC 20
#define REC_ALERT 21
#define REC_HANDSHAKE 22
#define HS_CERTIFICATE 11
#define MAX_RECORD (16384 + 2048) /* TLSCiphertext bound, RFC 5246 6.2.3 */

void wfpw_tlsgate_init(struct wfpw_tlsgate *g)
{
    memset(g, 0, sizeof(*g));
    wfpw_buf_init(&g->msg, WFPW_TLSGATE_MAX_MSG);
}

void wfpw_tlsgate_free(struct wfpw_tlsgate *g)
{
    wfpw_buf_free(&g->msg);
}

static int refuse(struct wfpw_tlsgate *g, const char *why)
{
    snprintf(g->why, sizeof(g->why), "%s", why);
    g->state = WFPW_TLSGATE_REFUSED;
    wfpw_buf_free(&g->msg);
    return g->state;
}

static int done(struct wfpw_tlsgate *g)
{
    g->state = WFPW_TLSGATE_DONE;
    wfpw_buf_free(&g->msg);
    return g->state;
}

int wfpw_tlsgate_check_der(const uint8_t *der, size_t len, char *why, size_t whylen)
{
    mbedtls_x509_crt crt;
    int rc = -1;
    mbedtls_x509_crt_init(&crt);
    /* parsing reads the key (an RSA key's size and exponent, an EC point checked to lie on
     * its curve) and verifies no signature */
    if (mbedtls_x509_crt_parse_der(&crt, der, len) != 0) {
        snprintf(why, whylen, "a client certificate does not parse (or its key is larger than 8192 bits)");
    } else if (mbedtls_pk_get_type(&crt.pk) == MBEDTLS_PK_ECKEY || mbedtls_pk_get_type(&crt.pk) == MBEDTLS_PK_ECDSA) {
        mbedtls_ecp_group_id id = mbedtls_pk_ec(crt.pk)->grp.id;
        if (id == MBEDTLS_ECP_DP_SECP256R1 || id == MBEDTLS_ECP_DP_SECP384R1)
            rc = 0;
        else
            snprintf(why, whylen, "a client certificate has an EC key on a curve other than P-256 or P-384");
    } else if (mbedtls_pk_get_type(&crt.pk) == MBEDTLS_PK_RSA) {
        const mbedtls_rsa_context *rsa = mbedtls_pk_rsa(crt.pk);
        size_t bits = mbedtls_pk_get_bitlen(&crt.pk);
        mbedtls_mpi e;
        mbedtls_mpi_init(&e);
        if (bits < 2048 || bits > 4096)
            snprintf(why, whylen, "a client certificate has an RSA key of %zu bits (2048..4096 accepted)", bits);
        else if (mbedtls_rsa_export((mbedtls_rsa_context *)rsa, NULL, NULL, NULL, NULL, &e) != 0 ||
                 mbedtls_mpi_cmp_int(&e, 65537) != 0)
            snprintf(why, whylen, "a client certificate has an RSA key whose public exponent is not 65537");
        else
            rc = 0;
        mbedtls_mpi_free(&e);
    } else {
        snprintf(why, whylen, "a client certificate has a %s key (ECDSA or RSA accepted)", mbedtls_pk_get_name(&crt.pk));
    }
    mbedtls_x509_crt_free(&crt);
    return rc;
}

static uint32_t be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static int check_certificate_msg(struct wfpw_tlsgate *g, const uint8_t *body, size_t len)
{
    size_t off = 3, n = 0;
    char why[128];
    if (len < 3 || be24(body) != len - 3)
        return refuse(g, "malformed Certificate message");
    while (off < len) {
        uint32_t clen;
        if (len - off < 3 || (clen = be24(body + off)) > len - off - 3)
            return refuse(g, "malformed Certificate message");
        off += 3;
        if (++n > WFPW_TLSGATE_MAX_CERTS)
            return refuse(g, "more than 4 certificates in the client's chain");
        if (wfpw_tlsgate_check_der(body + off, clen, why, sizeof(why)) != 0)
            return refuse(g, why);
        off += clen;
    }
    return g->state;
}

/* Whole handshake messages at the front of g->msg are looked at and dropped. */
static int scan_messages(struct wfpw_tlsgate *g)
{
    const uint8_t *p = (const uint8_t *)g->msg.data;
    size_t have = g->msg.len, off = 0;
    while (have - off >= 4) {
        uint32_t mlen = be24(p + off + 1);
        if (mlen > WFPW_TLSGATE_MAX_MSG - 4)
            return refuse(g, "handshake message too large");
        if (have - off < 4 + (size_t)mlen)
            break;
        if (p[off] == HS_CERTIFICATE && check_certificate_msg(g, p + off + 4, mlen) == WFPW_TLSGATE_REFUSED)
            return g->state;
        off += 4 + mlen;
    }
    if (off > 0) {
        memmove(g->msg.data, g->msg.data + off, have - off);
        g->msg.len = have - off;
    }
    return g->state;
}

int wfpw_tlsgate_feed(struct wfpw_tlsgate *g, const uint8_t *data, size_t len)
{
    while (len > 0 && g->state == WFPW_TLSGATE_LOOKING) {
        if (g->hdr_len < 5) {
            size_t take = 5 - g->hdr_len < len ? 5 - g->hdr_len : len;
            memcpy(g->hdr + g->hdr_len, data, take);
            g->hdr_len += take, data += take, len -= take;
            if (g->hdr_len < 5)
                break;
            g->rec_type = g->hdr[0];
            g->rec_left = (size_t)g->hdr[3] << 8 | g->hdr[4];
            if (g->rec_type == REC_CHANGE_CIPHER_SPEC)
                return done(g); /* what follows is encrypted */
            if (g->rec_type != REC_HANDSHAKE && g->rec_type != REC_ALERT)
                return done(g); /* not a TLS 1.2 handshake (mbedTLS answers it) */
            if (g->rec_left > MAX_RECORD)
                return refuse(g, "TLS record too large");
            if (g->rec_left == 0)
                g->hdr_len = 0;
            continue;
        }
        {
            size_t take = g->rec_left < len ? g->rec_left : len;
            if (g->rec_type == REC_HANDSHAKE) {
                if (wfpw_buf_append(&g->msg, data, take) != 0)
                    return refuse(g, "handshake message too large");
                if (scan_messages(g) != WFPW_TLSGATE_LOOKING)
                    return g->state;
            }
            data += take, len -= take, g->rec_left -= take;
            if (g->rec_left == 0)
                g->hdr_len = 0;
        }
    }
    return g->state;
}
