/*
 * pki.c — CA, server and agent certificates with mbedTLS 2.28 (see pki.h).
 *
 * mbedTLS 2.28 has no helpers for subjectAltName or extendedKeyUsage, so those extensions
 * are DER-encoded here with its ASN.1 writer (which writes backwards, from the end of the
 * buffer) and attached with mbedtls_x509write_crt_set_extension.
 */
#include "pki/pki.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "wfpw/fileio.h"
#include "wfpw/pkix.h"
#include "wfpw/errors.h"

struct rng {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
};

static int fail(char *err, size_t len, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t len, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return code;
}

static int rng_init(struct rng *r)
{
    static const char pers[] = "wfpwatch-pki";
    mbedtls_entropy_init(&r->entropy);
    mbedtls_ctr_drbg_init(&r->drbg);
    return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
                                 (const unsigned char *)pers, sizeof(pers) - 1);
}

static void rng_free(struct rng *r)
{
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->entropy);
}

static int gen_key(mbedtls_pk_context *key, struct rng *r)
{
    return wfpw_pk_gen_p256(key, mbedtls_ctr_drbg_random, &r->drbg);
}

void wfpw_pki_stamp(time_t t, char out[16])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

/* Wrap the DER content written backwards at p (len bytes, buffer starting at buf) in a
 * SEQUENCE and attach it as extension oid. */
static int set_sequence_ext(mbedtls_x509write_cert *crt, const char *oid, size_t oidlen,
                            unsigned char *buf, unsigned char *p, int len)
{
    int rc;
    if ((rc = mbedtls_asn1_write_len(&p, buf, (size_t)len)) < 0)
        return rc;
    len += rc;
    if ((rc = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
        return rc;
    len += rc;
    return mbedtls_x509write_crt_set_extension(crt, oid, oidlen, 0, p, (size_t)len);
}

/* extendedKeyUsage ::= SEQUENCE OF KeyPurposeId */
static int set_eku(mbedtls_x509write_cert *crt, const char *oid, size_t oidlen)
{
    unsigned char buf[64], *p = buf + sizeof(buf);
    int len = 0, rc;
    if ((rc = mbedtls_asn1_write_oid(&p, buf, oid, oidlen)) < 0)
        return rc;
    len += rc;
    return set_sequence_ext(crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                            MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), buf, p, len);
}

/* subjectAltName ::= SEQUENCE OF GeneralName; dNSName [2] IA5String, iPAddress [7] OCTET STRING */
static int set_san(mbedtls_x509write_cert *crt, const char *const *names, size_t n)
{
    unsigned char buf[2048], *p = buf + sizeof(buf);
    int len = 0, rc;
    size_t i;
    for (i = n; i-- > 0;) {
        unsigned char ip[16];
        const unsigned char *v = (const unsigned char *)names[i];
        size_t vlen = strlen(names[i]);
        unsigned char tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2;
        if (inet_pton(AF_INET, names[i], ip) == 1)
            v = ip, vlen = 4, tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;
        else if (inet_pton(AF_INET6, names[i], ip) == 1)
            v = ip, vlen = 16, tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;
        if ((rc = mbedtls_asn1_write_raw_buffer(&p, buf, v, vlen)) < 0)
            return rc;
        len += rc;
        if ((rc = mbedtls_asn1_write_len(&p, buf, vlen)) < 0)
            return rc;
        len += rc;
        if ((rc = mbedtls_asn1_write_tag(&p, buf, tag)) < 0)
            return rc;
        len += rc;
    }
    return set_sequence_ext(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
                            MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), buf, p, len);
}

enum kind { KIND_CA, KIND_SERVER, KIND_CLIENT };

struct certspec {
    enum kind kind;
    const char *subject;        /* "CN=...,O=wfpwatch" */
    const char *issuer;         /* issuer subject (== subject for the CA) */
    mbedtls_pk_context *key;    /* subject key */
    mbedtls_pk_context *issuer_key;
    const char *not_before, *not_after;
    const char *const *san;
    size_t nsan;
};

/* PEM of the certificate described by s into out (size outlen). serial_out (may be NULL)
 * receives the 16 serial bytes. */
static int write_cert(const struct certspec *s, mbedtls_ctr_drbg_context *drbg, unsigned char *out, size_t outlen,
                      unsigned char *serial_out)
{
    mbedtls_x509write_cert crt;
    mbedtls_mpi serial;
    unsigned char sbytes[16];
    int rc;

    mbedtls_x509write_crt_init(&crt);
    mbedtls_mpi_init(&serial);
    if ((rc = mbedtls_ctr_drbg_random(drbg, sbytes, sizeof(sbytes))) != 0)
        goto done;
    sbytes[0] &= 0x7F; /* positive */
    sbytes[0] |= 0x01; /* and never zero-led (full 16 bytes of entropy minus one bit) */
    if ((rc = mbedtls_mpi_read_binary(&serial, sbytes, sizeof(sbytes))) != 0)
        goto done;
    if (serial_out)
        memcpy(serial_out, sbytes, sizeof(sbytes));
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, s->key);
    mbedtls_x509write_crt_set_issuer_key(&crt, s->issuer_key);
    if ((rc = mbedtls_x509write_crt_set_subject_name(&crt, s->subject)) != 0 ||
        (rc = mbedtls_x509write_crt_set_issuer_name(&crt, s->issuer)) != 0 ||
        (rc = mbedtls_x509write_crt_set_serial(&crt, &serial)) != 0 ||
        (rc = mbedtls_x509write_crt_set_validity(&crt, s->not_before, s->not_after)) != 0 ||
        (rc = mbedtls_x509write_crt_set_basic_constraints(&crt, s->kind == KIND_CA, 0)) != 0 ||
        (rc = mbedtls_x509write_crt_set_subject_key_identifier(&crt)) != 0 ||
        (rc = mbedtls_x509write_crt_set_authority_key_identifier(&crt)) != 0)
        goto done;
    switch (s->kind) {
    case KIND_CA:
        rc = mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN);
        break;
    case KIND_SERVER:
        rc = mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
        if (rc == 0)
            rc = set_eku(&crt, MBEDTLS_OID_SERVER_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH));
        if (rc == 0)
            rc = set_san(&crt, s->san, s->nsan);
        break;
    case KIND_CLIENT:
        rc = mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
        if (rc == 0)
            rc = set_eku(&crt, MBEDTLS_OID_CLIENT_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH));
        break;
    }
    if (rc == 0)
        rc = mbedtls_x509write_crt_pem(&crt, out, outlen, mbedtls_ctr_drbg_random, drbg);
done:
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&crt);
    return rc;
}

int wfpw_pki_write_pem(const char *path, const unsigned char *pem, int mode, int excl)
{
    return wfpw_file_write_atomic_mode(path, pem, strlen((const char *)pem), mode,
                                       WFPW_FILE_SYNC_DIR | WFPW_FILE_SHARED | (excl ? WFPW_FILE_EXCL : 0));
}

static int write_key(mbedtls_pk_context *key, const char *path)
{
    unsigned char pem[1024];
    int rc;
    if (mbedtls_pk_write_key_pem(key, pem, sizeof(pem)) != 0)
        return WFPW_EINVAL;
    rc = wfpw_pki_write_pem(path, pem, 0600, 1);
    mbedtls_platform_zeroize(pem, sizeof(pem));
    return rc;
}

int wfpw_pki_name_valid(const char *name)
{
    size_t i, n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '.')
        return 0;
    for (i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int wfpw_pki_init(const char *dir, const char *const *names, size_t nnames, char *err, size_t errlen)
{
    char path[4096], subject[256], nb[16], na_ca[16], na_srv[16];
    unsigned char pem[4096];
    mbedtls_pk_context ca_key, srv_key;
    struct rng r;
    time_t now = time(NULL);
    size_t i;
    int rc;

    if (nnames == 0)
        return fail(err, errlen, WFPW_EINVAL, "at least one --server-name is needed");
    for (i = 0; i < nnames; i++)
        if (names[i][0] == '\0' || strlen(names[i]) > 253 || strpbrk(names[i], ",=+\"\\<>; /"))
            return fail(err, errlen, WFPW_EINVAL, "invalid server name '%s'", names[i]);
    wfpw_path_join(path, sizeof(path), dir, "ca.key");
    if (wfpw_file_exists(path))
        return fail(err, errlen, WFPW_EEXIST, "%s already exists: refusing to overwrite a CA", path);
    wfpw_path_join(path, sizeof(path), dir, "ca.crt");
    if (wfpw_file_exists(path))
        return fail(err, errlen, WFPW_EEXIST, "%s already exists: refusing to overwrite a CA", path);
    if ((rc = wfpw_dir_make_mode(dir, 0700)) != 0)
        return fail(err, errlen, rc, "cannot create %s: %s", dir, wfpw_strerror(rc));

    if (rng_init(&r) != 0) {
        rng_free(&r);
        return fail(err, errlen, WFPW_EIO, "cannot seed the random generator");
    }
    rc = gen_key(&ca_key, &r);
    if (rc == 0)
        rc = gen_key(&srv_key, &r);
    else
        mbedtls_pk_init(&srv_key);
    if (rc != 0) {
        rc = fail(err, errlen, WFPW_EIO, "key generation failed (mbedTLS -0x%04x)", (unsigned)-rc);
        goto out;
    }
    wfpw_pki_stamp(now - 3600, nb);                  /* an hour of slack for skewed clocks */
    wfpw_pki_stamp(now + 10LL * 365 * 86400, na_ca);
    wfpw_pki_stamp(now + 2LL * 365 * 86400, na_srv);

    {
        struct certspec ca = {KIND_CA, "CN=wfpwatch CA,O=wfpwatch", "CN=wfpwatch CA,O=wfpwatch",
                              &ca_key, &ca_key, nb, na_ca, NULL, 0};
        if ((rc = write_cert(&ca, &r.drbg, pem, sizeof(pem), NULL)) != 0) {
            rc = fail(err, errlen, WFPW_EIO, "CA certificate failed (mbedTLS -0x%04x)", (unsigned)-rc);
            goto out;
        }
        wfpw_path_join(path, sizeof(path), dir, "ca.crt");
        if ((rc = wfpw_pki_write_pem(path, pem, 0644, 1)) != 0) {
            rc = fail(err, errlen, rc, "cannot write %s: %s", path, wfpw_strerror(rc));
            goto out;
        }
        wfpw_path_join(path, sizeof(path), dir, "ca.key");
        if ((rc = write_key(&ca_key, path)) != 0) {
            rc = fail(err, errlen, rc, "cannot write %s: %s", path, wfpw_strerror(rc));
            goto out;
        }
    }
    {
        struct certspec srv = {KIND_SERVER, subject, "CN=wfpwatch CA,O=wfpwatch", &srv_key,
                               &ca_key, nb, na_srv, names, nnames};
        snprintf(subject, sizeof(subject), "CN=%s,O=wfpwatch", names[0]);
        if ((rc = write_cert(&srv, &r.drbg, pem, sizeof(pem), NULL)) != 0) {
            rc = fail(err, errlen, WFPW_EIO, "server certificate failed (mbedTLS -0x%04x)", (unsigned)-rc);
            goto out;
        }
        wfpw_path_join(path, sizeof(path), dir, "server.crt");
        if ((rc = wfpw_pki_write_pem(path, pem, 0644, 0)) != 0) {
            rc = fail(err, errlen, rc, "cannot write %s: %s", path, wfpw_strerror(rc));
            goto out;
        }
        /* no CA existed, so a server.key left here is stale: replace it */
        wfpw_path_join(path, sizeof(path), dir, "server.key");
        unlink(path);
        if ((rc = write_key(&srv_key, path)) != 0) {
            rc = fail(err, errlen, rc, "cannot write %s: %s", path, wfpw_strerror(rc));
            goto out;
        }
    }
out:
    mbedtls_pk_free(&ca_key);
    mbedtls_pk_free(&srv_key);
    rng_free(&r);
    return rc;
}

int wfpw_pki_load_ca(const char *dir, mbedtls_x509_crt *ca, mbedtls_pk_context *key, char *subject,
                   size_t sublen, char *err, size_t errlen)
{
    char path[4096];
    int rc;
    wfpw_path_join(path, sizeof(path), dir, "ca.crt");
    if ((rc = mbedtls_x509_crt_parse_file(ca, path)) != 0)
        return fail(err, errlen, WFPW_ENOENT, "cannot load CA certificate %s (mbedTLS -0x%04x)", path,
                    (unsigned)-rc);
    wfpw_path_join(path, sizeof(path), dir, "ca.key");
    if ((rc = mbedtls_pk_parse_keyfile(key, path, NULL)) != 0)
        return fail(err, errlen, WFPW_ENOENT, "cannot load CA key %s (mbedTLS -0x%04x)", path,
                    (unsigned)-rc);
    if (mbedtls_x509_dn_gets(subject, sublen, &ca->subject) < 0)
        return fail(err, errlen, WFPW_EINVAL, "cannot read the CA subject");
    return 0;
}

static int valid_stamp(const char *s)
{
    size_t i;
    if (s == NULL || strlen(s) != 14)
        return 0;
    for (i = 0; i < 14; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int wfpw_pki_issue(const char *dir, const char *name, int days, const char *not_before,
                   const char *not_after, char *err, size_t errlen)
{
    char path[4096], agents[3968], subject[256], issuer[512], nb[16], na[16]; /* name <= 64 */
    unsigned char pem[4096];
    mbedtls_x509_crt ca;
    mbedtls_pk_context ca_key, key;
    struct rng r;
    time_t now = time(NULL);
    int rc;

    if (!wfpw_pki_name_valid(name))
        return fail(err, errlen, WFPW_EINVAL,
                    "invalid agent name '%s': use 1-64 of A-Z a-z 0-9 . _ -", name);
    if ((not_before && !valid_stamp(not_before)) || (not_after && !valid_stamp(not_after)))
        return fail(err, errlen, WFPW_EINVAL, "validity times are YYYYMMDDHHMMSS (UTC)");
    if (days < 1 || days > 3650)
        return fail(err, errlen, WFPW_EINVAL, "--days must be 1..3650");
    mbedtls_x509_crt_init(&ca);
    mbedtls_pk_init(&ca_key);
    mbedtls_pk_init(&key);
    memset(&r, 0, sizeof(r));
    rng_init(&r);
    if ((rc = wfpw_pki_load_ca(dir, &ca, &ca_key, issuer, sizeof(issuer), err, errlen)) != 0)
        goto out;
    wfpw_path_join(agents, sizeof(agents), dir, "agents");
    if ((rc = wfpw_dir_make_mode(agents, 0700)) != 0) {
        rc = fail(err, errlen, rc, "cannot create %s: %s", agents, wfpw_strerror(rc));
        goto out;
    }
    snprintf(path, sizeof(path), "%s/%s.key", agents, name);
    if (wfpw_file_exists(path)) {
        rc = fail(err, errlen, WFPW_EEXIST, "%s already exists", path);
        goto out;
    }
    if ((rc = gen_key(&key, &r)) != 0) {
        rc = fail(err, errlen, WFPW_EIO, "key generation failed (mbedTLS -0x%04x)", (unsigned)-rc);
        goto out;
    }
    wfpw_pki_stamp(now - 3600, nb);
    wfpw_pki_stamp(now + (time_t)days * 86400, na);
    snprintf(subject, sizeof(subject), "CN=%s,O=wfpwatch agents", name);
    {
        struct certspec c = {KIND_CLIENT, subject, issuer, &key, &ca_key,
                             not_before ? not_before : nb, not_after ? not_after : na, NULL, 0};
        if ((rc = write_cert(&c, &r.drbg, pem, sizeof(pem), NULL)) != 0) {
            rc = fail(err, errlen, WFPW_EIO, "certificate failed (mbedTLS -0x%04x)", (unsigned)-rc);
            goto out;
        }
    }
    if ((rc = write_key(&key, path)) != 0) {
        rc = fail(err, errlen, rc, "cannot write %s: %s", path, wfpw_strerror(rc));
        goto out;
    }
    snprintf(path, sizeof(path), "%s/%s.crt", agents, name);
    if ((rc = wfpw_pki_write_pem(path, pem, 0644, 0)) != 0)
        rc = fail(err, errlen, rc, "cannot write %s: %s", path, wfpw_strerror(rc));
out:
    mbedtls_x509_crt_free(&ca);
    mbedtls_pk_free(&ca_key);
    mbedtls_pk_free(&key);
    rng_free(&r);
    return rc;
}

int wfpw_pki_client_cert(mbedtls_pk_context *key, mbedtls_pk_context *issuer_key, const char *issuer,
                         const char *subject, const char *not_before, const char *not_after,
                         mbedtls_ctr_drbg_context *drbg, unsigned char *pem, size_t pemlen,
                         unsigned char serial[16])
{
    struct certspec c = {KIND_CLIENT, subject, issuer, key, issuer_key, not_before, not_after, NULL, 0};
    return write_cert(&c, drbg, pem, pemlen, serial);
}
