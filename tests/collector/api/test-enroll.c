/*
 * test-enroll.c — collector/src/ca.c, store_certs.c and enroll.c's rate limiter in-process:
 * CSR checks (proof of possession, key type, garbage), signing, the CRL as mbedTLS verifies
 * it, every issuance rule of the store (tokens unknown, revoked, expired, used up; retry gets
 * the same certificate; key and agent-id conflicts; renewal; revoked agents), and the
 * per-address token bucket with its bounded table.
 */
#include <stdlib.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "../../runner.h"
#include "../testdir.h"
#include "../teststore.h"
#include "pki/ca.h"
#include "api/enroll.h"
#include "pki/pki.h"
#include "store/store.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

/* A PEM CSR for a new key on curve grp. */
static void make_csr(mbedtls_ecp_group_id grp, char *pem, size_t len)
{
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context key;
    mbedtls_x509write_csr w;
    mbedtls_entropy_init(&ent);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_pk_init(&key);
    mbedtls_x509write_csr_init(&w);
    ASSERT(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) == 0);
    ASSERT(mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0);
    ASSERT(mbedtls_ecp_gen_key(grp, mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg) == 0);
    ASSERT(mbedtls_x509write_csr_set_subject_name(&w, "CN=whatever") == 0);
    mbedtls_x509write_csr_set_key(&w, &key);
    mbedtls_x509write_csr_set_md_alg(&w, MBEDTLS_MD_SHA256);
    ASSERT(mbedtls_x509write_csr_pem(&w, (unsigned char *)pem, len, mbedtls_ctr_drbg_random, &drbg) == 0);
    mbedtls_x509write_csr_free(&w);
    mbedtls_pk_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&ent);
}

TEST_IMPL(ca_csr_checks)
{
    static const char *const names[] = {"localhost"};
    char pem[4096], why[160], err[512], id1[65], id2[65];
    struct wfpw_csr *csr = NULL, *csr2 = NULL;
    struct wfpw_ca *ca = NULL;
    struct wfpw_issued out;
    char *dir = wfpw_ctest_tempdir();

    make_csr(MBEDTLS_ECP_DP_SECP256R1, pem, sizeof(pem));
    ASSERT(wfpw_csr_parse(pem, strlen(pem), &csr, why, sizeof(why)) == 0);
    wfpw_csr_key_id(csr, id1);
    ASSERT_EQ(strlen(id1), 64);
    make_csr(MBEDTLS_ECP_DP_SECP256R1, pem, sizeof(pem));
    ASSERT(wfpw_csr_parse(pem, strlen(pem), &csr2, why, sizeof(why)) == 0);
    wfpw_csr_key_id(csr2, id2);
    ASSERT(strcmp(id1, id2) != 0);
    wfpw_csr_free(csr2);

    make_csr(MBEDTLS_ECP_DP_SECP384R1, pem, sizeof(pem));
    ASSERT_EQ(wfpw_csr_parse(pem, strlen(pem), &csr2, why, sizeof(why)), WFPW_EPROTO);
    ASSERT(strstr(why, "ECDSA P-256") != NULL);
    ASSERT_EQ(wfpw_csr_parse("hello", 5, &csr2, why, sizeof(why)), WFPW_ESYNTAX);
    ASSERT_EQ(wfpw_csr_parse("", 0, &csr2, why, sizeof(why)), WFPW_ESYNTAX);
    /* proof of possession: a request whose signature was altered is refused */
    make_csr(MBEDTLS_ECP_DP_SECP256R1, pem, sizeof(pem));
    {
        char *end = strstr(pem, "-----END");
        ASSERT(end != NULL);
        /* the signature is the DER's tail: change a base64 digit a few lines up */
        end -= 10;
        *end = *end == 'A' ? 'B' : 'A';
    }
    ASSERT_EQ(wfpw_csr_parse(pem, strlen(pem), &csr2, why, sizeof(why)), WFPW_ESYNTAX);

    /* signing: subject, validity, chain */
    ASSERT(wfpw_pki_init(dir, names, 1, err, sizeof(err)) == 0);
    ASSERT(wfpw_ca_load(dir, &ca, err, sizeof(err)) == 0);
    ASSERT(wfpw_ca_sign(ca, csr, "agent-7", "HOST7", 1767225600000LL, 90LL * 86400, &out) == 0);
    ASSERT_EQ(strlen(out.serial), 32);
    ASSERT_EQ(out.not_before_ms, 1767225600000LL - 300000);
    ASSERT_EQ(out.not_after_ms, 1767225600000LL + 90LL * 86400000);
    ASSERT_EQ(wfpw_ca_sign(ca, csr, "agent,7", "", 0, 60, &out), WFPW_EINVAL);
    ASSERT(wfpw_ca_sign(ca, csr, "agent-7", "", 1767225600000LL, 60, &out) == 0);
    ASSERT_EQ(out.not_before_ms, 1767225600000LL - 6000); /* a tenth of a short validity */
    {
        mbedtls_x509_crt crt, cacrt;
        uint32_t flags = 0;
        char subject[256];
        mbedtls_x509_crt_init(&crt);
        mbedtls_x509_crt_init(&cacrt);
        ASSERT(wfpw_ca_sign(ca, csr, "agent-7", "HOST7", 1767225600000LL, 60, &out) == 0);
        ASSERT(mbedtls_x509_crt_parse(&crt, (const unsigned char *)out.pem, strlen(out.pem) + 1) == 0);
        ASSERT(mbedtls_x509_crt_parse(&cacrt, (const unsigned char *)wfpw_ca_pem(ca), strlen(wfpw_ca_pem(ca)) + 1) == 0);
        ASSERT(mbedtls_x509_dn_gets(subject, sizeof(subject), &crt.subject) > 0);
        ASSERT_STR_EQ(subject, "CN=agent-7, OU=HOST7, O=wfpwatch agents");
        mbedtls_x509_crt_verify(&crt, &cacrt, NULL, NULL, &flags, NULL, NULL);
        ASSERT_EQ(flags & ~(uint32_t)MBEDTLS_X509_BADCERT_EXPIRED, 0); /* 2026-01-01 + 60 s is past */
        mbedtls_x509_crt_free(&crt);
        mbedtls_x509_crt_free(&cacrt);
    }
    wfpw_csr_free(csr);
    wfpw_ca_free(ca);
    wfpw_ctest_rmdir(dir);
    return 0;
}

TEST_IMPL(ca_crl_revokes)
{
    static const char *const names[] = {"localhost"};
    char err[512], path[600], s1[80], s2[80];
    struct wfpw_ca *ca = NULL;
    mbedtls_x509_crt cacrt, c1, c2;
    mbedtls_x509_crl crl;
    uint32_t flags;
    char *dir = wfpw_ctest_tempdir();
    const char *serials[2];
    int64_t when[2] = {1767225600000LL, 1767225601000LL};

    ASSERT(wfpw_pki_init(dir, names, 1, err, sizeof(err)) == 0);
    ASSERT(wfpw_pki_issue(dir, "one", 30, NULL, NULL, err, sizeof(err)) == 0);
    ASSERT(wfpw_pki_issue(dir, "two", 30, NULL, NULL, err, sizeof(err)) == 0);
    snprintf(path, sizeof(path), "%s/agents/one.crt", dir);
    ASSERT(wfpw_ca_cert_serial(path, s1, sizeof(s1)) == 0);
    snprintf(path, sizeof(path), "%s/agents/two.crt", dir);
    ASSERT(wfpw_ca_cert_serial(path, s2, sizeof(s2)) == 0);
    ASSERT(strcmp(s1, s2) != 0);
    ASSERT(wfpw_ca_load(dir, &ca, err, sizeof(err)) == 0);
    serials[0] = s1;
    serials[1] = "0badc0de";
    ASSERT(wfpw_ca_write_crl(ca, dir, serials, when, 2, 1767225602000LL, err, sizeof(err)) == 0);

    mbedtls_x509_crt_init(&cacrt);
    mbedtls_x509_crt_init(&c1);
    mbedtls_x509_crt_init(&c2);
    mbedtls_x509_crl_init(&crl);
    snprintf(path, sizeof(path), "%s/ca.crl", dir);
    ASSERT(mbedtls_x509_crl_parse_file(&crl, path) == 0);
    ASSERT_EQ(crl.version, 2);
    snprintf(path, sizeof(path), "%s/ca.crt", dir);
    ASSERT(mbedtls_x509_crt_parse_file(&cacrt, path) == 0);
    snprintf(path, sizeof(path), "%s/agents/one.crt", dir);
    ASSERT(mbedtls_x509_crt_parse_file(&c1, path) == 0);
    snprintf(path, sizeof(path), "%s/agents/two.crt", dir);
    ASSERT(mbedtls_x509_crt_parse_file(&c2, path) == 0);
    ASSERT(mbedtls_x509_crt_is_revoked(&c1, &crl) == 1);
    ASSERT(mbedtls_x509_crt_is_revoked(&c2, &crl) == 0);
    /* the CRL's signature and issuer check out: only the revocation (and the CRL's age, this
     * test's clock being later than nextUpdate is not assumed) are flagged */
    flags = 0;
    mbedtls_x509_crt_verify(&c1, &cacrt, &crl, NULL, &flags, NULL, NULL);
    ASSERT(flags & MBEDTLS_X509_BADCERT_REVOKED);
    ASSERT_EQ(flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_REVOKED | MBEDTLS_X509_BADCRL_EXPIRED), 0);
    flags = 0;
    mbedtls_x509_crt_verify(&c2, &cacrt, &crl, NULL, &flags, NULL, NULL);
    ASSERT_EQ(flags & ~(uint32_t)MBEDTLS_X509_BADCRL_EXPIRED, 0);
    /* an empty list is a valid CRL too */
    ASSERT(wfpw_ca_write_crl(ca, dir, NULL, NULL, 0, 1767225602000LL, err, sizeof(err)) == 0);
    mbedtls_x509_crl_free(&crl);
    mbedtls_x509_crl_init(&crl);
    snprintf(path, sizeof(path), "%s/ca.crl", dir);
    ASSERT(mbedtls_x509_crl_parse_file(&crl, path) == 0);
    ASSERT(mbedtls_x509_crt_is_revoked(&c1, &crl) == 0);
    ASSERT_EQ(wfpw_ca_write_crl(ca, dir, (const char *const[]){"xyz"}, when, 1, 0, err, sizeof(err)), WFPW_EIO);

    mbedtls_x509_crl_free(&crl);
    mbedtls_x509_crt_free(&cacrt);
    mbedtls_x509_crt_free(&c1);
    mbedtls_x509_crt_free(&c2);
    wfpw_ca_free(ca);
    wfpw_ctest_rmdir(dir);
    return 0;
}

/* A signing stand-in: serials s1, s2, ... valid 1000 s. */
static int fake_signs;
static int fake_sign(void *ctx, const char *agent_id, const char *hostname, int64_t now_ms, char serial[33],
                     int64_t *nb, int64_t *na, char *pem, size_t pemlen)
{
    (void)ctx;
    snprintf(serial, 33, "%032x", ++fake_signs);
    *nb = now_ms;
    *na = now_ms + 1000000;
    snprintf(pem, pemlen, "PEM %s %s %d", agent_id, hostname, fake_signs);
    return 0;
}

static enum wfpw_issue_result issue_proved(struct wfpw_store *st, struct wfpw_issue *is, enum wfpw_issue_kind kind,
                                           const char *token_hash, const char *agent, const char *key, int64_t now,
                                           const char *proof_serial)
{
    memset(is, 0, sizeof(*is));
    is->kind = kind, is->token_hash = token_hash, is->agent_id = agent, is->hostname = "H", is->key_id = key;
    is->now_ms = now, is->sign = fake_sign, is->proof_serial = proof_serial;
    ASSERT(wfpw_store_issue(st, is) == 0);
    return is->result;
}

static enum wfpw_issue_result issue(struct wfpw_store *st, struct wfpw_issue *is, enum wfpw_issue_kind kind,
                                    const char *token_hash, const char *agent, const char *key, int64_t now)
{
    return issue_proved(st, is, kind, token_hash, agent, key, now, NULL);
}

static int store_issue_rules_on(void)
{
    struct wfpw_store *st;
    struct wfpw_issue is;
    struct wfpw_buf out;
    char **serials;
    int64_t *when, now = 1767225600000LL;
    size_t n, i;
    int count;
    char *dir = wfpw_ctest_tempdir();
    st = wfpw_ctest_store_open(dir, NULL);
    ASSERT(wfpw_store_enroll_token_add(st, "aaaa000000000000000000000000000000000000000000000000000000000001", "fleet",
                                       now + 3600000, 2, now) == 0);
    ASSERT(wfpw_store_enroll_token_add(st, "bbbb000000000000000000000000000000000000000000000000000000000002", NULL,
                                       now - 1, 0, now) == 0);
    ASSERT(wfpw_store_enroll_token_add(st, "cccc000000000000000000000000000000000000000000000000000000000003", "old",
                                       0, 0, now) == 0);
    ASSERT_EQ(wfpw_store_enroll_token_add(st, "dddd0", "fleet", 0, 0, now), WFPW_EEXIST);
    ASSERT(wfpw_store_enroll_token_revoke(st, "old", now) == 0);
    ASSERT_EQ(wfpw_store_enroll_token_revoke(st, "old", now), WFPW_ENOENT);
#define TOK "aaaa000000000000000000000000000000000000000000000000000000000001"

    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, "ffff", "a1", "k1", now), WFPW_BAD_TOKEN);
    ASSERT_STR_EQ(is.why, "unknown enrollment token");
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, "bbbb000000000000000000000000000000000000000000000000000000000002",
                    "a1", "k1", now), WFPW_BAD_TOKEN);
    ASSERT_STR_EQ(is.why, "enrollment token expired");
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, "cccc000000000000000000000000000000000000000000000000000000000003",
                    "a1", "k1", now), WFPW_BAD_TOKEN);
    ASSERT_STR_EQ(is.why, "enrollment token revoked");
    ASSERT_EQ(fake_signs, 0);

    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK, "a1", "k1", now), WFPW_ISSUED);
    ASSERT_STR_EQ(is.pem, "PEM a1 H 1");
    /* the same again: the same certificate, nothing signed, no use counted */
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK, "a1", "k1", now + 5), WFPW_REISSUED);
    ASSERT_STR_EQ(is.pem, "PEM a1 H 1");
    ASSERT_EQ(fake_signs, 1);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK, "a1", "k2", now), WFPW_CONFLICT);
    ASSERT(strstr(is.why, "enrolled already") != NULL);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK, "a2", "k1", now), WFPW_CONFLICT);
    ASSERT(strstr(is.why, "already certified") != NULL);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK, "a2", "k2", now), WFPW_ISSUED);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK, "a3", "k3", now), WFPW_BAD_TOKEN);
    ASSERT_STR_EQ(is.why, "enrollment token used up");
    /* a retry after the token ran out still gets its certificate */
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK, "a2", "k2", now), WFPW_REISSUED);

    /* renewal: a new key, the host name kept */
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_RENEW, NULL, "a1", "k1", now), WFPW_REISSUED);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_RENEW, NULL, "a1", "k2", now), WFPW_CONFLICT);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_RENEW, NULL, "a1", "k4", now + 10), WFPW_ISSUED);
    ASSERT_STR_EQ(is.pem, "PEM a1 H 3");

    /* an agent id whose certificate expired is not free for whoever holds a token ... */
#define TOK5 "eeee000000000000000000000000000000000000000000000000000000000005"
    ASSERT(wfpw_store_enroll_token_add(st, TOK5, "spare", 0, 0, now) == 0);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK5, "a2", "k5", now + 2000000), WFPW_CONFLICT);
    ASSERT(strstr(is.why, "proof from its previous key") != NULL);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK, "a2", "k5", now + 2000000), WFPW_CONFLICT); /* any token */
    /* ... its previous key proves it is the same agent (the caller checked the proof) ... */
    ASSERT_EQ(issue_proved(st, &is, WFPW_ISSUE_ENROLL, TOK5, "a2", "k5", now + 2000000,
                           "00000000000000000000000000000002"), WFPW_ISSUED);
    /* ... or an operator releases it, once */
    ASSERT_EQ(wfpw_store_cert_release(st, "nobody", now), WFPW_ENOENT);
    ASSERT(wfpw_store_cert_release(st, "a2", now + 2000000) == 0);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK5, "a2", "k7", now + 4000000), WFPW_ISSUED);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_ENROLL, TOK5, "a2", "k8", now + 6000000), WFPW_CONFLICT);
    ASSERT(wfpw_store_enroll_token_revoke(st, "spare", now) == 0);

    /* revocation: every certificate of the agent, the host marked, no way back */
    ASSERT(wfpw_store_cert_revoke(st, "a1", "0badc0de", now + 20, &count) == 0);
    ASSERT_EQ(count, 3);
    ASSERT_EQ(issue(st, &is, WFPW_ISSUE_RENEW, NULL, "a1", "k6", now + 30), WFPW_AGENT_REVOKED);
    ASSERT_EQ(wfpw_store_cert_revoke(st, "nobody", NULL, now, &count), WFPW_ENOENT);
    ASSERT(wfpw_store_revoked_serials(st, &serials, &when, &n) == 0);
    ASSERT_EQ(n, 3);
    for (i = 0; i < n; i++) {
        ASSERT_EQ(when[i], now + 20);
        wfpw_free(serials[i]);
    }
    wfpw_free(serials);
    wfpw_free(when);
    wfpw_buf_init(&out, 1 << 20);
    ASSERT(wfpw_store_hosts(st, &out) == 0);
    ASSERT(strstr(out.data, "\"host\":\"a1\"") != NULL && strstr(out.data, "\"status\":\"revoked\"") != NULL);
    wfpw_buf_reset(&out);
    ASSERT(wfpw_store_enroll_token_list(st, now, &out) == 0);
    ASSERT(strstr(out.data, "aaaa00000000  fleet") != NULL && strstr(out.data, "uses 2/2  USED UP") != NULL);
    ASSERT(strstr(out.data, "REVOKED") != NULL && strstr(out.data, "EXPIRED") != NULL);
    wfpw_buf_reset(&out);
    ASSERT(wfpw_store_cert_list(st, &out) == 0);
    ASSERT(strstr(out.data, "a1  0badc0de  manual") != NULL);
    wfpw_buf_free(&out);
    wfpw_store_close(st);
    wfpw_ctest_rmdir(dir);
    return 0;
}

/* on both engines (teststore.h) */
TEST_IMPL(store_issue_rules)
{
    wfpw_ctest_engine = WFPW_STORE_SQLITE;
    return store_issue_rules_on();
}

TEST_IMPL(store_pg_issue_rules)
{
    wfpw_ctest_engine = WFPW_STORE_POSTGRES;
    return store_issue_rules_on();
}

TEST_IMPL(enroll_rate_limit)
{
    struct wfpw_enroll_cfg cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.cert_validity_s = 60, cfg.rate_per_minute = 60, cfg.rate_burst = 2;
    char addr[32];
    int i;
    wfpw_enroll_init(&cfg);
    ASSERT(wfpw_enroll_rate_allow("10.0.0.1", 1000));
    ASSERT(wfpw_enroll_rate_allow("10.0.0.1", 1000));
    ASSERT(!wfpw_enroll_rate_allow("10.0.0.1", 1000));
    ASSERT(wfpw_enroll_rate_allow("10.0.0.2", 1000)); /* per address */
    ASSERT(!wfpw_enroll_rate_allow("10.0.0.1", 1500));
    ASSERT(wfpw_enroll_rate_allow("10.0.0.1", 2000)); /* one a second comes back */
    ASSERT(!wfpw_enroll_rate_allow("10.0.0.1", 2000));
    ASSERT_EQ(wfpw_enroll_rate_evictions(), 0);
    for (i = 0; i < 1100; i++) {
        snprintf(addr, sizeof(addr), "192.0.2.%d.%d", i / 256, i % 256);
        ASSERT(wfpw_enroll_rate_allow(addr, 3000 + i));
    }
    ASSERT(wfpw_enroll_rate_evictions() >= 1100 - 1024 + 2);
    return 0;
}
