/*
 * ca.c — the run-time CA (ca.h): CSR checks, signing, and the CRL.
 *
 * mbedTLS 2.28 parses CRLs but cannot write one, so the CRL is DER-encoded here with its
 * ASN.1 writer (RFC 5280 5.1: TBSCertList, ecdsa-with-SHA256, the CA's signature). The issuer
 * is the CA certificate's subject copied byte for byte, which is what verifiers compare.
 */
#include "pki/ca.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "wfpw/fileio.h"
#include "pki/pki.h"
#include "wfpw/errors.h"
#include "wfpw/hex.h"
#include "wfpw/mem.h"
#include "wfpw/pkix.h"

struct wfpw_ca {
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    char issuer[512];             /* the CA subject as an mbedTLS DN string */
    char *pem;                    /* the certificate as PEM (owned) */
};

struct wfpw_csr {
    mbedtls_x509_csr csr;
};

int wfpw_ca_load(const char *dir, struct wfpw_ca **out, char *err, size_t errlen)
{
    static const char pers[] = "wfpwatch-ca";
    static const char header[] = "-----BEGIN CERTIFICATE-----\n", footer[] = "-----END CERTIFICATE-----\n";
    struct wfpw_ca *ca;
    size_t cap, olen = 0;
    int rc;

    *out = NULL;
    if ((ca = wfpw_calloc(1, sizeof(*ca))) == NULL)
        return WFPW_ENOMEM;
    mbedtls_x509_crt_init(&ca->crt);
    mbedtls_pk_init(&ca->key);
    mbedtls_entropy_init(&ca->entropy);
    mbedtls_ctr_drbg_init(&ca->drbg);
    if ((rc = wfpw_pki_load_ca(dir, &ca->crt, &ca->key, ca->issuer, sizeof(ca->issuer), err, errlen)) != 0) {
        wfpw_ca_free(ca);
        return rc;
    }
    /* the PEM served at /api/v1/ca, from the certificate's DER */
    cap = ca->crt.raw.len * 2 + sizeof(header) + sizeof(footer); /* base64 (4/3) and line breaks fit */
    if ((ca->pem = wfpw_malloc(cap)) == NULL ||
        mbedtls_pem_write_buffer(header, footer, ca->crt.raw.p, ca->crt.raw.len, (unsigned char *)ca->pem, cap,
                                 &olen) != 0 ||
        mbedtls_ctr_drbg_seed(&ca->drbg, mbedtls_entropy_func, &ca->entropy, (const unsigned char *)pers,
                              sizeof(pers) - 1) != 0) {
        snprintf(err, errlen, "cannot prepare the CA (PEM or random generator)");
        wfpw_ca_free(ca);
        return WFPW_EIO;
    }
    *out = ca;
    return 0;
}

void wfpw_ca_free(struct wfpw_ca *ca)
{
    if (ca == NULL)
        return;
    mbedtls_x509_crt_free(&ca->crt);
    mbedtls_pk_free(&ca->key);
    mbedtls_ctr_drbg_free(&ca->drbg);
    mbedtls_entropy_free(&ca->entropy);
    wfpw_free(ca->pem);
    wfpw_free(ca);
}

const char *wfpw_ca_pem(const struct wfpw_ca *ca)
{
    return ca->pem;
}

/* ---- requests ----------------------------------------------------------------------------------- */

int wfpw_csr_parse(const char *pem, size_t len, struct wfpw_csr **out, char *why, size_t whylen)
{
    struct wfpw_csr *c;
    const mbedtls_md_info_t *md;
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    char *copy;
    int rc;

    *out = NULL;
    if (len == 0 || len > 16384 || memchr(pem, '\0', len) != NULL) {
        snprintf(why, whylen, "not a PEM certificate request");
        return WFPW_ESYNTAX;
    }
    if ((c = wfpw_calloc(1, sizeof(*c))) == NULL || (copy = wfpw_malloc(len + 1)) == NULL) {
        wfpw_free(c);
        return WFPW_ENOMEM;
    }
    memcpy(copy, pem, len);
    copy[len] = '\0';
    mbedtls_x509_csr_init(&c->csr);
    rc = mbedtls_x509_csr_parse(&c->csr, (const unsigned char *)copy, len + 1);
    wfpw_free(copy);
    if (rc != 0) {
        snprintf(why, whylen, "not a valid PEM PKCS#10 certificate request (mbedTLS -0x%04x)", (unsigned)-rc);
        wfpw_csr_free(c);
        return WFPW_ESYNTAX;
    }
    /* the key type first: a signature is checked only with a key worth the work (an RSA key
     * with a huge public exponent would make the check below cost like a private operation) */
    if (mbedtls_pk_get_type(&c->csr.pk) != MBEDTLS_PK_ECKEY ||
        mbedtls_pk_ec(c->csr.pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
        snprintf(why, whylen, "the request's key must be ECDSA P-256 (got %s)", mbedtls_pk_get_name(&c->csr.pk));
        wfpw_csr_free(c);
        return WFPW_EPROTO;
    }
    /* the request must be signed by the key it carries (proof of possession) */
    md = mbedtls_md_info_from_type(c->csr.sig_md);
    if (md == NULL || c->csr.sig_pk != MBEDTLS_PK_ECDSA || mbedtls_md(md, c->csr.cri.p, c->csr.cri.len, hash) != 0 ||
        mbedtls_pk_verify_ext(c->csr.sig_pk, c->csr.sig_opts, &c->csr.pk, c->csr.sig_md, hash,
                              mbedtls_md_get_size(md), c->csr.sig.p, c->csr.sig.len) != 0) {
        snprintf(why, whylen, "the request's signature does not verify with its own key");
        wfpw_csr_free(c);
        return WFPW_ESYNTAX;
    }
    *out = c;
    return 0;
}

int wfpw_ca_check_previous(struct wfpw_ca *ca, const char *cert_pem, const char *agent_id, const char *signed_text,
                           const char *proof_b64, char serial[80], char *why, size_t whylen)
{
    mbedtls_x509_crt crt, trust;
    char cn[160];
    unsigned char sig[MBEDTLS_ECDSA_MAX_LEN + 16], hash[32];
    size_t siglen = 0, len = strlen(cert_pem);
    uint32_t flags = 0;
    int rc = WFPW_EACCES, cn_ok = 0;

    serial[0] = '\0';
    mbedtls_x509_crt_init(&crt);
    mbedtls_x509_crt_init(&trust);
    if (len == 0 || len > 16384 || mbedtls_x509_crt_parse(&crt, (const unsigned char *)cert_pem, len + 1) != 0 ||
        crt.next != NULL) {
        snprintf(why, whylen, "previous_certificate is not one PEM certificate");
        rc = WFPW_ESYNTAX;
        goto out;
    }
    /* its key before any signature over or by it (as for requests) */
    if (mbedtls_pk_get_type(&crt.pk) != MBEDTLS_PK_ECKEY || mbedtls_pk_ec(crt.pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
        snprintf(why, whylen, "previous_certificate's key is not ECDSA P-256");
        goto out;
    }
    cn_ok = wfpw_x509_cn(&crt.subject, cn, sizeof(cn)) == 0 && strcmp(cn, agent_id) == 0;
    if (!cn_ok) {
        snprintf(why, whylen, "previous_certificate is not for this agent id");
        goto out;
    }
    /* issued by this CA; expired is what re-enrollment is for, anything else is not. A copy of
     * the CA certificate: verification caches curve tables in the key it uses, and this runs
     * on worker threads while the store thread uses the CA */
    if (mbedtls_x509_crt_parse_der(&trust, ca->crt.raw.p, ca->crt.raw.len) != 0 ||
        (mbedtls_x509_crt_verify(&crt, &trust, NULL, NULL, &flags, NULL, NULL) != 0 &&
         (flags & ~(uint32_t)MBEDTLS_X509_BADCERT_EXPIRED) != 0)) {
        snprintf(why, whylen, "previous_certificate was not issued by this collector's CA");
        goto out;
    }
    if (mbedtls_base64_decode(sig, sizeof(sig), &siglen, (const unsigned char *)proof_b64, strlen(proof_b64)) != 0 ||
        mbedtls_sha256_ret((const unsigned char *)signed_text, strlen(signed_text), hash, 0) != 0 ||
        mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, siglen) != 0) {
        snprintf(why, whylen, "proof is not a signature of the request by previous_certificate's key");
        goto out;
    }
    if (crt.serial.len * 2 >= 80) {
        snprintf(why, whylen, "previous_certificate's serial is too long");
        goto out;
    }
    wfpw_hex(crt.serial.p, crt.serial.len, serial);
    rc = 0;
out:
    mbedtls_x509_crt_free(&crt);
    mbedtls_x509_crt_free(&trust);
    return rc;
}

void wfpw_csr_free(struct wfpw_csr *csr)
{
    if (csr == NULL)
        return;
    mbedtls_x509_csr_free(&csr->csr);
    wfpw_free(csr);
}

void wfpw_csr_key_id(const struct wfpw_csr *csr, char out[65])
{
    unsigned char der[512], digest[32];
    int n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)&csr->csr.pk, der, sizeof(der));
    mbedtls_sha256_ret(n > 0 ? der + sizeof(der) - n : der, n > 0 ? (size_t)n : 0, digest, 0);
    wfpw_hex(digest, sizeof(digest), out);
}

int wfpw_ca_sign(struct wfpw_ca *ca, const struct wfpw_csr *csr, const char *agent_id, const char *hostname,
                 int64_t now_ms, int64_t validity_s, struct wfpw_issued *out)
{
    char subject[256], nb[16], na[16];
    unsigned char serial[16];
    int rc;

    if (!wfpw_pki_name_valid(agent_id) || (hostname[0] && !wfpw_pki_name_valid(hostname)))
        return WFPW_EINVAL;
    if (hostname[0])
        snprintf(subject, sizeof(subject), "CN=%s,OU=%s,O=wfpwatch agents", agent_id, hostname);
    else
        snprintf(subject, sizeof(subject), "CN=%s,O=wfpwatch agents", agent_id);
    /* whole seconds, as the certificate holds them; back-dated for clocks a little behind
     * (five minutes, or a tenth of a short validity, so renewal at 2/3 stays ahead) */
    out->not_before_ms = (now_ms / 1000 - (validity_s / 10 < 300 ? validity_s / 10 : 300)) * 1000;
    out->not_after_ms = (now_ms / 1000 + validity_s) * 1000;
    wfpw_pki_stamp((time_t)(out->not_before_ms / 1000), nb);
    wfpw_pki_stamp((time_t)(out->not_after_ms / 1000), na);
    rc = wfpw_pki_client_cert((mbedtls_pk_context *)&csr->csr.pk, &ca->key, ca->issuer, subject, nb, na,
                              &ca->drbg, (unsigned char *)out->pem, sizeof(out->pem), serial);
    if (rc != 0)
        return WFPW_EIO;
    wfpw_hex(serial, sizeof(serial), out->serial);
    return 0;
}

int wfpw_ca_cert_serial(const char *path, char *out, size_t outlen)
{
    mbedtls_x509_crt crt;
    int rc = WFPW_ENOENT;
    mbedtls_x509_crt_init(&crt);
    if (mbedtls_x509_crt_parse_file(&crt, path) == 0) {
        rc = WFPW_ERANGE;
        if (crt.serial.len * 2 + 1 <= outlen) {
            wfpw_hex(crt.serial.p, crt.serial.len, out);
            rc = 0;
        }
    }
    mbedtls_x509_crt_free(&crt);
    return rc;
}

/* ---- CRL ------------------------------------------------------------------------------------------ */

#define CHK(expr)                 \
    do {                          \
        int r_ = (expr);          \
        if (r_ < 0)               \
            return r_;            \
        len += (size_t)r_;        \
    } while (0)

/* Time ::= UTCTime (1950..2049) | GeneralizedTime */
static int write_time(unsigned char **p, unsigned char *start, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char s[20];
    gmtime_r(&t, &tm);
    if (tm.tm_year >= 50 && tm.tm_year < 150) {
        strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
        memmove(s, s + 2, strlen(s + 2) + 1); /* UTCTime has a two-digit year */
        return mbedtls_asn1_write_tagged_string(p, start, MBEDTLS_ASN1_UTC_TIME, s, strlen(s));
    }
    strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
    return mbedtls_asn1_write_tagged_string(p, start, MBEDTLS_ASN1_GENERALIZED_TIME, s, strlen(s));
}

static int write_seq_header(unsigned char **p, unsigned char *start, size_t len)
{
    size_t n = 0;
    int r;
    if ((r = mbedtls_asn1_write_len(p, start, len)) < 0)
        return r;
    n += (size_t)r;
    if ((r = mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
        return r;
    return (int)(n + (size_t)r);
}

/* AlgorithmIdentifier { ecdsa-with-SHA256 } without parameters (RFC 5758 3.2) */
static int write_sig_alg(unsigned char **p, unsigned char *start)
{
    size_t len = 0;
    CHK(mbedtls_asn1_write_oid(p, start, MBEDTLS_OID_ECDSA_SHA256, MBEDTLS_OID_SIZE(MBEDTLS_OID_ECDSA_SHA256)));
    CHK(write_seq_header(p, start, len));
    return (int)len;
}

static int write_serial(unsigned char **p, unsigned char *start, const char *hexstr)
{
    mbedtls_mpi v;
    int rc;
    mbedtls_mpi_init(&v);
    rc = mbedtls_mpi_read_string(&v, 16, hexstr);
    if (rc == 0)
        rc = mbedtls_asn1_write_mpi(p, start, &v);
    mbedtls_mpi_free(&v);
    return rc;
}

static int write_tbs(struct wfpw_ca *ca, unsigned char **p, unsigned char *start, const char *const *serials,
                     const int64_t *revoked_ms, size_t n, int64_t now_ms)
{
    size_t len = 0, i;
    if (n > 0) {
        size_t list = 0;
        for (i = n; i-- > 0;) {
            size_t entry = 0;
            int r;
            if ((r = write_time(p, start, revoked_ms[i])) < 0)
                return r;
            entry += (size_t)r;
            if ((r = write_serial(p, start, serials[i])) < 0)
                return r;
            entry += (size_t)r;
            if ((r = write_seq_header(p, start, entry)) < 0)
                return r;
            list += entry + (size_t)r;
        }
        len += list;
        CHK(write_seq_header(p, start, list));
    }
    CHK(write_time(p, start, now_ms + 7LL * 86400 * 1000)); /* nextUpdate */
    CHK(write_time(p, start, now_ms));                       /* thisUpdate */
    CHK(mbedtls_asn1_write_raw_buffer(p, start, ca->crt.subject_raw.p, ca->crt.subject_raw.len));
    CHK(write_sig_alg(p, start));
    CHK(mbedtls_asn1_write_int(p, start, 1)); /* v2 */
    CHK(write_seq_header(p, start, len));
    return (int)len;
}

int wfpw_ca_write_crl(struct wfpw_ca *ca, const char *dir, const char *const *serials,
                      const int64_t *revoked_ms, size_t n, int64_t now_ms, char *err, size_t errlen)
{
    size_t cap = 1024 + n * 64, len = 0, olen = 0, siglen = 0;
    unsigned char *tbsbuf = wfpw_malloc(cap), *crlbuf = wfpw_malloc(cap + 256), *pem = wfpw_malloc(cap * 2 + 512);
    unsigned char *p, hash[32], sig[MBEDTLS_ECDSA_MAX_LEN];
    char path[4096];
    int tbslen, rc = WFPW_ENOMEM;

    if (tbsbuf == NULL || crlbuf == NULL || pem == NULL)
        goto out;
    rc = WFPW_EIO;
    p = tbsbuf + cap;
    if ((tbslen = write_tbs(ca, &p, tbsbuf, serials, revoked_ms, n, now_ms)) < 0) {
        snprintf(err, errlen, "cannot encode the CRL (a serial is not hexadecimal?)");
        goto out;
    }
    if (mbedtls_sha256_ret(p, (size_t)tbslen, hash, 0) != 0 ||
        mbedtls_pk_sign(&ca->key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, &siglen, mbedtls_ctr_drbg_random,
                        &ca->drbg) != 0) {
        snprintf(err, errlen, "cannot sign the CRL");
        goto out;
    }
    {
        unsigned char *q = crlbuf + cap + 256;
        int r;
        if ((r = mbedtls_asn1_write_bitstring(&q, crlbuf, sig, siglen * 8)) < 0 ||
            (len = (size_t)r, r = write_sig_alg(&q, crlbuf)) < 0 ||
            (len += (size_t)r, r = mbedtls_asn1_write_raw_buffer(&q, crlbuf, p, (size_t)tbslen)) < 0 ||
            (len += (size_t)r, r = write_seq_header(&q, crlbuf, len)) < 0) {
            snprintf(err, errlen, "cannot encode the CRL");
            goto out;
        }
        len += (size_t)r;
        if (mbedtls_pem_write_buffer("-----BEGIN X509 CRL-----\n", "-----END X509 CRL-----\n", q, len, pem,
                                     cap * 2 + 512, &olen) != 0) {
            snprintf(err, errlen, "cannot encode the CRL as PEM");
            goto out;
        }
    }
    wfpw_path_join(path, sizeof(path), dir, "ca.crl");
    if ((rc = wfpw_pki_write_pem(path, pem, 0644, 0)) != 0)
        snprintf(err, errlen, "cannot write %s: %s", path, wfpw_strerror(rc));
out:
    wfpw_free(tbsbuf);
    wfpw_free(crlbuf);
    wfpw_free(pem);
    return rc;
}
