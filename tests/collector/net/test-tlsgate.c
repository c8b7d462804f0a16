/*
 * test-tlsgate.c — collector/src/net/tlsgate.c: the client certificate key policy (ECDSA P-256 /
 * P-384, RSA 2048..4096 with exponent 65537) and the record reader that finds the Certificate
 * message in the client's cleartext flight, fed whole, byte by byte and split over records.
 * Certificates are made here: an EC issuer signs a subject key that is only a public key (an RSA
 * modulus need not factor for the gate, which never uses it).
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_crt.h>

#include "../../runner.h"
#include "net/tlsgate.h"
#include "wfpw/mem.h"

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

static void rng_init(void)
{
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    ASSERT(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)"t", 1) == 0);
}

static void rng_free(void)
{
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
}

static void ec_key(mbedtls_pk_context *pk, mbedtls_ecp_group_id id)
{
    mbedtls_pk_init(pk);
    ASSERT(mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0);
    ASSERT(mbedtls_ecp_gen_key(id, mbedtls_pk_ec(*pk), mbedtls_ctr_drbg_random, &drbg) == 0);
}

/* A public RSA key of `bits` bits (random odd modulus) with exponent e (ebits > 0: a random odd
 * exponent of that many bits below the modulus instead). */
static void rsa_pub(mbedtls_pk_context *pk, size_t bits, int e, size_t ebits)
{
    mbedtls_mpi N, E;
    mbedtls_pk_init(pk);
    mbedtls_mpi_init(&N);
    mbedtls_mpi_init(&E);
    ASSERT(mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) == 0);
    ASSERT(mbedtls_mpi_fill_random(&N, bits / 8, mbedtls_ctr_drbg_random, &drbg) == 0);
    ASSERT(mbedtls_mpi_set_bit(&N, bits - 1, 1) == 0 && mbedtls_mpi_set_bit(&N, 0, 1) == 0);
    if (ebits) {
        ASSERT(mbedtls_mpi_fill_random(&E, ebits / 8, mbedtls_ctr_drbg_random, &drbg) == 0);
        ASSERT(mbedtls_mpi_set_bit(&E, ebits - 1, 1) == 0 && mbedtls_mpi_set_bit(&E, 0, 1) == 0);
    } else {
        ASSERT(mbedtls_mpi_lset(&E, e) == 0);
    }
    ASSERT(mbedtls_rsa_import(mbedtls_pk_rsa(*pk), &N, NULL, NULL, NULL, &E) == 0);
    ASSERT(mbedtls_rsa_complete(mbedtls_pk_rsa(*pk)) == 0);
    mbedtls_mpi_free(&N);
    mbedtls_mpi_free(&E);
}

/* DER of a certificate for subject's public key, signed by a fresh P-256 issuer; into der[],
 * returns its length. */
static size_t make_cert(mbedtls_pk_context *subject, unsigned char *der, size_t cap)
{
    mbedtls_x509write_cert w;
    mbedtls_pk_context issuer;
    mbedtls_mpi serial;
    int n;
    ec_key(&issuer, MBEDTLS_ECP_DP_SECP256R1);
    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi_init(&serial);
    ASSERT(mbedtls_mpi_lset(&serial, 7) == 0);
    mbedtls_x509write_crt_set_subject_key(&w, subject);
    mbedtls_x509write_crt_set_issuer_key(&w, &issuer);
    ASSERT(mbedtls_x509write_crt_set_subject_name(&w, "CN=agent-1,O=test") == 0);
    ASSERT(mbedtls_x509write_crt_set_issuer_name(&w, "CN=test CA") == 0);
    ASSERT(mbedtls_x509write_crt_set_serial(&w, &serial) == 0);
    ASSERT(mbedtls_x509write_crt_set_validity(&w, "20250101000000", "20350101000000") == 0);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    n = mbedtls_x509write_crt_der(&w, der, cap, mbedtls_ctr_drbg_random, &drbg);
    ASSERT(n > 0);
    memmove(der, der + cap - (size_t)n, (size_t)n); /* mbedTLS writes at the end */
    mbedtls_x509write_crt_free(&w);
    mbedtls_mpi_free(&serial);
    mbedtls_pk_free(&issuer);
    return (size_t)n;
}

static int check_key(mbedtls_pk_context *pk, char *why)
{
    unsigned char der[8192];
    size_t n = make_cert(pk, der, sizeof(der));
    int rc = wfpw_tlsgate_check_der(der, n, why, 128);
    mbedtls_pk_free(pk);
    return rc;
}

TEST_IMPL(tlsgate_key_policy)
{
    mbedtls_pk_context pk;
    char why[128];
    rng_init();
    ec_key(&pk, MBEDTLS_ECP_DP_SECP256R1);
    ASSERT(check_key(&pk, why) == 0);
    ec_key(&pk, MBEDTLS_ECP_DP_SECP384R1);
    ASSERT(check_key(&pk, why) == 0);
    ec_key(&pk, MBEDTLS_ECP_DP_SECP521R1);
    ASSERT(check_key(&pk, why) == -1);
    ASSERT(strstr(why, "curve other than P-256 or P-384") != NULL);
    rsa_pub(&pk, 2048, 65537, 0);
    ASSERT(check_key(&pk, why) == 0);
    rsa_pub(&pk, 4096, 65537, 0);
    ASSERT(check_key(&pk, why) == 0);
    rsa_pub(&pk, 1024, 65537, 0);
    ASSERT(check_key(&pk, why) == -1);
    ASSERT(strstr(why, "RSA key of 1024 bits") != NULL);
    rsa_pub(&pk, 4096, 3, 0);
    ASSERT(check_key(&pk, why) == -1);
    ASSERT(strstr(why, "exponent is not 65537") != NULL);
    /* the expensive key: 8192 bits, an exponent of 8184 bits (a signature check with it costs
     * like a private-key operation) */
    rsa_pub(&pk, 8192, 0, 8184);
    ASSERT(check_key(&pk, why) == -1);
    ASSERT(strstr(why, "RSA key of 8192 bits") != NULL);
    ASSERT(wfpw_tlsgate_check_der((const unsigned char *)"\x30\x03\x02\x01\x01", 5, why, sizeof(why)) == -1);
    rng_free();
    return 0;
}

/* record(type, body) appended to out */
static size_t put_record(unsigned char *out, unsigned char type, const unsigned char *body, size_t len)
{
    out[0] = type, out[1] = 3, out[2] = 3, out[3] = (unsigned char)(len >> 8), out[4] = (unsigned char)len;
    memcpy(out + 5, body, len);
    return 5 + len;
}

static size_t put_hs(unsigned char *out, unsigned char type, const unsigned char *body, size_t len)
{
    out[0] = type, out[1] = (unsigned char)(len >> 16), out[2] = (unsigned char)(len >> 8), out[3] = (unsigned char)len;
    memcpy(out + 4, body, len);
    return 4 + len;
}

/* The client's flight: ClientHello and Certificate(cert) in handshake records (the Certificate
 * split over two records when split), then ChangeCipherSpec. */
static size_t flight(const unsigned char *cert, size_t clen, int split, unsigned char *out)
{
    unsigned char hs[12000], body[11000], hello[40];
    size_t o = 0, h = 0, half;
    memset(hello, 0x42, sizeof(hello));
    body[0] = (unsigned char)((clen + 3) >> 16), body[1] = (unsigned char)((clen + 3) >> 8), body[2] = (unsigned char)(clen + 3);
    body[3] = (unsigned char)(clen >> 16), body[4] = (unsigned char)(clen >> 8), body[5] = (unsigned char)clen;
    memcpy(body + 6, cert, clen);
    o += put_record(out + o, 22, hs, put_hs(hs, 1, hello, sizeof(hello)));
    h = put_hs(hs, 11, body, clen + 6);
    half = split ? h / 2 : h;
    o += put_record(out + o, 22, hs, half);
    if (split)
        o += put_record(out + o, 22, hs + half, h - half);
    o += put_record(out + o, 20, (const unsigned char *)"\x01", 1);
    return o;
}

static int run_gate(const unsigned char *data, size_t len, int bytewise)
{
    struct wfpw_tlsgate g;
    size_t i;
    int st = WFPW_TLSGATE_LOOKING;
    wfpw_tlsgate_init(&g);
    if (bytewise)
        for (i = 0; i < len && st == WFPW_TLSGATE_LOOKING; i++)
            st = wfpw_tlsgate_feed(&g, data + i, 1);
    else
        st = wfpw_tlsgate_feed(&g, data, len);
    wfpw_tlsgate_free(&g);
    return st;
}

TEST_IMPL(tlsgate_records)
{
    mbedtls_pk_context pk;
    unsigned char good[4096], bad[8192], stream[20000];
    size_t ng, nb, n;
    int split, bytewise;
    rng_init();
    ec_key(&pk, MBEDTLS_ECP_DP_SECP256R1);
    ng = make_cert(&pk, good, sizeof(good));
    mbedtls_pk_free(&pk);
    rsa_pub(&pk, 8192, 0, 8184);
    nb = make_cert(&pk, bad, sizeof(bad));
    mbedtls_pk_free(&pk);
    for (split = 0; split < 2; split++)
        for (bytewise = 0; bytewise < 2; bytewise++) {
            n = flight(good, ng, split, stream);
            ASSERT_EQ(run_gate(stream, n, bytewise), WFPW_TLSGATE_DONE);
            n = flight(bad, nb, split, stream);
            ASSERT_EQ(run_gate(stream, n, bytewise), WFPW_TLSGATE_REFUSED);
        }
    /* a handshake message longer than the gate reassembles is refused */
    {
        unsigned char hs[4] = {11, 0x01, 0x00, 0x00}; /* 64 KiB announced */
        n = put_record(stream, 22, hs, 4);
        ASSERT_EQ(run_gate(stream, n, 0), WFPW_TLSGATE_REFUSED);
    }
    /* something that is not a TLS handshake is left to mbedTLS */
    ASSERT_EQ(run_gate((const unsigned char *)"GET / HTTP/1.1\r\n\r\n", 18, 0), WFPW_TLSGATE_DONE);
    rng_free();
    return 0;
}
