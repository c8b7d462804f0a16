/*
 * test-enroll.c — agent/src/ship/enroll.c helpers and the enrollment settings of config.c:
 * the CA fingerprint normalized and checked, certificate and key paths derived from data_dir
 * when a token or fingerprint provides them (and required otherwise), the token masked;
 * certificate validity read from a PEM file, the renewal due time, PEM fingerprints. The
 * network half is exercised end to end by tests/integration/test-enroll.sh.
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "../../runner.h"
#include "config.h"
#include "enroll.h"
#include "wfpw/fileio.h"
#include "agent/core/tmpdir.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define FP_COLONS "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
#define FP_HEX "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"

static int parse_doc(const char *collector, struct wfpw_agent_cfg *cfg, char *err, size_t errlen)
{
    char doc[2048];
    snprintf(doc, sizeof(doc),
             "{\"data_dir\":\"/var/lib/w\",\"collector\":{\"url\":\"https://c:8443\"%s},"
             "\"sources\":[{\"type\":\"replay\",\"path\":\"cap\"}]}", collector);
    return wfpw_agent_cfg_parse("/etc/wfpwatch/agent.json", doc, strlen(doc), cfg, err, errlen);
}

TEST_IMPL(agent_config_enrollment)
{
    struct wfpw_agent_cfg cfg;
    struct wfpw_buf out;
    char err[512] = "";

    ASSERT(parse_doc(",\"ca_fingerprint\":\"" FP_COLONS "\",\"enroll_token\":\"wfpe_secret\"", &cfg, err,
                     sizeof(err)) == 0);
    ASSERT_STR_EQ(cfg.collector_ca_fingerprint, FP_HEX);
    ASSERT_STR_EQ(cfg.collector_ca, "/var/lib/w/collector-ca.crt");
    ASSERT_STR_EQ(cfg.collector_cert, "/var/lib/w/agent.crt");
    ASSERT_STR_EQ(cfg.collector_key, "/var/lib/w/agent.key");
    wfpw_buf_init(&out, 1 << 20);
    ASSERT(wfpw_agent_cfg_print(&cfg, &out) == 0);
    ASSERT(strstr(out.data, "wfpe_secret") == NULL);
    wfpw_buf_free(&out);
    wfpw_agent_cfg_free(&cfg);

    /* configured paths win over the derived ones */
    ASSERT(parse_doc(",\"ca\":\"ca.pem\",\"cert\":\"me.crt\",\"key\":\"me.key\",\"enroll_token\":\"t\"", &cfg, err,
                     sizeof(err)) == 0);
    ASSERT_STR_EQ(cfg.collector_ca, "/etc/wfpwatch/ca.pem");
    ASSERT_STR_EQ(cfg.collector_cert, "/etc/wfpwatch/me.crt");
    wfpw_agent_cfg_free(&cfg);

    {
        static const char *const cases[][2] = {
            {",\"ca\":\"a\"", "collector.cert: required key is missing (or set collector.enroll_token)"},
            {",\"cert\":\"a\",\"key\":\"b\"", "collector.ca: required key is missing (or set collector.ca_fingerprint)"},
            {",\"ca_fingerprint\":\"abc\",\"enroll_token\":\"t\"", "collector.ca_fingerprint: expected the SHA-256"},
            {",\"ca_fingerprint\":\"" FP_HEX "0\",\"enroll_token\":\"t\"", "collector.ca_fingerprint: expected"},
            {",\"ca_fingerprint\":\"zz" FP_HEX "\",\"enroll_token\":\"t\"", "collector.ca_fingerprint: expected"},
            {",\"enroll_token\":5", "collector.enroll_token: expected a string"},
        };
        size_t i;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            err[0] = '\0';
            if (parse_doc(cases[i][0], &cfg, err, sizeof(err)) == 0 || strstr(err, cases[i][1]) == NULL) {
                fprintf(stderr, "case %zu: got \"%s\", want \"%s\"\n", i, err, cases[i][1]);
                ASSERT(0);
            }
            wfpw_agent_cfg_free(&cfg);
        }
    }
    return 0;
}

/* A self-signed P-256 certificate valid from nb to na ("YYYYMMDDHHMMSS") as PEM. */
static void make_cert(const char *nb, const char *na, char *pem, size_t len)
{
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context key;
    mbedtls_x509write_cert w;
    mbedtls_mpi serial;
    mbedtls_entropy_init(&ent);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_pk_init(&key);
    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi_init(&serial);
    ASSERT(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) == 0);
    ASSERT(mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0);
    ASSERT(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg) == 0);
    ASSERT(mbedtls_mpi_lset(&serial, 7) == 0);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, &key);
    mbedtls_x509write_crt_set_issuer_key(&w, &key);
    ASSERT(mbedtls_x509write_crt_set_subject_name(&w, "CN=test") == 0);
    ASSERT(mbedtls_x509write_crt_set_issuer_name(&w, "CN=test") == 0);
    ASSERT(mbedtls_x509write_crt_set_serial(&w, &serial) == 0);
    ASSERT(mbedtls_x509write_crt_set_validity(&w, nb, na) == 0);
    ASSERT(mbedtls_x509write_crt_pem(&w, (unsigned char *)pem, len, mbedtls_ctr_drbg_random, &drbg) == 0);
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&w);
    mbedtls_pk_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&ent);
}

TEST_IMPL(enroll_cert_helpers)
{
    char pem[4096], path[600], fp[65], want[65];
    int64_t nb = 0, na = 0;
    const char *dir = wfpw_test_tmpdir("enroll_cert_helpers");
    make_cert("20260101000000", "20260401000000", pem, sizeof(pem));
    snprintf(path, sizeof(path), "%s/c.crt", dir);
    ASSERT(wfpw_file_write_atomic(path, pem, strlen(pem)) == 0);
    ASSERT(wfpw_cert_validity(path, &nb, &na) == 0);
    ASSERT_EQ(nb, 1767225600000LL); /* 2026-01-01T00:00:00Z */
    ASSERT_EQ(na, 1775001600000LL); /* 2026-04-01T00:00:00Z */
    /* 90 days of life: renewal due after 60 */
    ASSERT_EQ(wfpw_renew_due_ms(nb, na), nb + 60LL * 86400000);
    snprintf(path, sizeof(path), "%s/missing.crt", dir);
    ASSERT_EQ(wfpw_cert_validity(path, &nb, &na), WFPW_ENOENT);
    snprintf(path, sizeof(path), "%s/junk.crt", dir);
    ASSERT(wfpw_file_write_atomic(path, "junk", 4) == 0);
    ASSERT_EQ(wfpw_cert_validity(path, &nb, &na), WFPW_ESYNTAX);

    /* the fingerprint is the SHA-256 of the certificate's DER */
    {
        mbedtls_x509_crt crt;
        unsigned char d[32];
        int i;
        mbedtls_x509_crt_init(&crt);
        ASSERT(mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem, strlen(pem) + 1) == 0);
        ASSERT(mbedtls_sha256_ret(crt.raw.p, crt.raw.len, d, 0) == 0);
        for (i = 0; i < 32; i++)
            snprintf(want + 2 * i, 3, "%02x", d[i]);
        mbedtls_x509_crt_free(&crt);
    }
    ASSERT(wfpw_pem_fingerprint(pem, strlen(pem), fp) == 0);
    ASSERT_STR_EQ(fp, want);
    ASSERT_EQ(wfpw_pem_fingerprint("nope", 4, fp), WFPW_ESYNTAX);
    /* a second certificate appended to the pinned one is refused, not trusted along */
    {
        char two[8192];
        snprintf(two, sizeof(two), "%s%s", pem, pem);
        ASSERT_EQ(wfpw_pem_fingerprint(two, strlen(two), fp), WFPW_ESYNTAX);
    }
    /* what is kept is the PEM of the certificate's DER, never the text received: a block the
     * TLS library of another build would read (OpenSSL's TRUSTED CERTIFICATE) is dropped */
    {
        char evil[8192], *canon = NULL, fp2[65];
        const char *body = strstr(pem, "-----BEGIN CERTIFICATE-----\n") + 28;
        size_t blen = (size_t)(strstr(pem, "-----END CERTIFICATE-----") - body);
        snprintf(evil, sizeof(evil), "junk before\n%s-----BEGIN TRUSTED CERTIFICATE-----\n%.*s"
                 "-----END TRUSTED CERTIFICATE-----\n", pem, (int)blen, body);
        ASSERT(wfpw_pem_canonical(evil, strlen(evil), fp2, &canon) == 0);
        ASSERT_STR_EQ(fp2, want);
        ASSERT(strstr(canon, "TRUSTED") == NULL && strstr(canon, "junk") == NULL);
        ASSERT(strncmp(canon, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
        ASSERT(strstr(canon + 1, "-----BEGIN") == NULL);
        wfpw_free(canon);
    }
    wfpw_test_rmtree(dir);
    return 0;
}
