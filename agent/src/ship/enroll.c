/*
 * enroll.c — key, CSR, the enroll/renew/CA requests and the checks on their answers
 * (enroll.h). Blocking: libcurl easy on a worker thread, mbedTLS for keys and certificates.
 */
#include "enroll.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "wfpw/buf.h"
#include "wfpw/curltls.h"
#include "wfpw/errors.h"
#include "wfpw/fileio.h"
#include "wfpw/hex.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/pkix.h"
#include "wfpw/timefmt.h"

#define MAX_ANSWER (64u << 10)

int wfpw_pem_canonical(const char *pem, size_t len, char out[65], char **canon)
{
    static const char header[] = "-----BEGIN CERTIFICATE-----\n", footer[] = "-----END CERTIFICATE-----\n";
    mbedtls_x509_crt crt;
    unsigned char digest[32];
    char *copy = wfpw_strndup(pem, len);
    int rc = WFPW_ESYNTAX;
    if (canon)
        *canon = NULL;
    if (copy == NULL)
        return WFPW_ENOMEM;
    mbedtls_x509_crt_init(&crt);
    /* exactly one certificate: a pinned file or answer with a second one appended would make
     * that one trusted too */
    if (mbedtls_x509_crt_parse(&crt, (const unsigned char *)copy, len + 1) == 0 &&
        (crt.next == NULL || crt.next->raw.len == 0) &&
        mbedtls_sha256_ret(crt.raw.p, crt.raw.len, digest, 0) == 0) {
        wfpw_hex(digest, sizeof(digest), out);
        rc = 0;
        /* the PEM of exactly the DER that was fingerprinted: nothing else the answer carried
         * (a "TRUSTED CERTIFICATE" block mbedTLS skips but OpenSSL reads, text, headers)
         * reaches the file the TLS library trusts */
        if (canon) {
            size_t cap = crt.raw.len * 2 + sizeof(header) + sizeof(footer), olen = 0;
            if ((*canon = wfpw_malloc(cap)) == NULL)
                rc = WFPW_ENOMEM;
            else if (mbedtls_pem_write_buffer(header, footer, crt.raw.p, crt.raw.len, (unsigned char *)*canon, cap,
                                              &olen) != 0) {
                wfpw_free(*canon);
                *canon = NULL;
                rc = WFPW_EIO;
            }
        }
    }
    mbedtls_x509_crt_free(&crt);
    wfpw_free(copy);
    return rc;
}

int wfpw_pem_fingerprint(const char *pem, size_t len, char out[65])
{
    return wfpw_pem_canonical(pem, len, out, NULL);
}

static int64_t x509_ms(const mbedtls_x509_time *t)
{
    return wfpw_time_civil_ms(t->year, (unsigned)t->mon, (unsigned)t->day, (unsigned)t->hour, (unsigned)t->min,
                              (unsigned)t->sec);
}

int wfpw_cert_validity(const char *path, int64_t *nb, int64_t *na)
{
    mbedtls_x509_crt crt;
    char *data = NULL;
    size_t len;
    int rc = wfpw_file_read_all(path, 1 << 20, &data, &len);
    if (rc != 0)
        return rc;
    mbedtls_x509_crt_init(&crt);
    rc = mbedtls_x509_crt_parse(&crt, (const unsigned char *)data, len + 1) == 0 ? 0 : WFPW_ESYNTAX;
    if (rc == 0) {
        *nb = x509_ms(&crt.valid_from);
        *na = x509_ms(&crt.valid_to);
    }
    mbedtls_x509_crt_free(&crt);
    wfpw_free(data);
    return rc;
}

int64_t wfpw_renew_due_ms(int64_t nb, int64_t na)
{
    return nb + (na - nb) / 3 * 2;
}

/* ---- HTTP ------------------------------------------------------------------------------------- */

static size_t on_answer(char *ptr, size_t size, size_t n, void *userp)
{
    struct wfpw_buf *b = userp;
    if (b->len + size * n > MAX_ANSWER)
        return 0; /* too large: curl fails the transfer */
    wfpw_buf_append(b, ptr, size * n);
    return b->err ? 0 : size * n;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    atomic_int *cancel = userp;
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return cancel && atomic_load(cancel) ? 1 : 0;
}

/* One request. verify: 1 = the pinned CA only; 0 = no verification (the CA fetch, checked
 * against the fingerprint afterwards). client: present the current certificate. */
static int http(const struct wfpw_enroll_params *p, const char *path, const char *body, int verify, int client,
                long *status, struct wfpw_buf *answer, char *err, size_t errlen)
{
    char url[1200], errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    CURL *e = curl_easy_init();
    CURLcode res;
    size_t n = strlen(p->url);
    *status = 0;
    if (e == NULL)
        return WFPW_ENOMEM;
    while (n && p->url[n - 1] == '/')
        n--;
    snprintf(url, sizeof(url), "%.*s%s", (int)n, p->url, path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    wfpw_curl_tls(e, p->ca_file, verify, client ? p->cert_file : NULL, p->key_file, p->key_password);
    if (body) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, p->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, p->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, answer);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "wfpwatch-agent/1");
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, p->cancel);
    res = curl_easy_perform(e);
    if (res == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    else
        snprintf(err, errlen, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(res));
    curl_easy_cleanup(e);
    curl_slist_free_all(headers);
    return res == CURLE_OK ? 0 : WFPW_EIO;
}

int wfpw_enroll_ensure_ca(const struct wfpw_enroll_params *p, char *err, size_t errlen)
{
    struct wfpw_buf answer;
    char *data = NULL, *canon = NULL, fp[65];
    size_t len;
    long status;
    int rc;

    if (p->ca_fingerprint[0] == '\0')
        return 0; /* a configured CA file is pinned by itself */
    if ((rc = wfpw_file_read_all(p->ca_file, 1 << 20, &data, &len)) == 0) {
        rc = wfpw_pem_fingerprint(data, len, fp);
        wfpw_free(data);
        if (rc == 0 && strcmp(fp, p->ca_fingerprint) == 0)
            return 0;
        snprintf(err, errlen, "collector.ca %s does not match collector.ca_fingerprint (it has %s)", p->ca_file,
                 rc == 0 ? fp : "not exactly one certificate");
        return WFPW_EACCES;
    }
    if (rc != WFPW_ENOENT) {
        snprintf(err, errlen, "collector.ca %s: %s", p->ca_file, wfpw_strerror(rc));
        return rc;
    }
    wfpw_buf_init(&answer, MAX_ANSWER);
    if ((rc = http(p, "/api/v1/ca", NULL, 0, 0, &status, &answer, err, errlen)) == 0) {
        if (status != 200) {
            snprintf(err, errlen, "fetching the collector CA: HTTP %ld", status);
            rc = WFPW_EIO;
        } else if ((rc = wfpw_pem_canonical(answer.data ? answer.data : "", answer.len, fp, &canon)) != 0) {
            snprintf(err, errlen, "fetching the collector CA: the answer is not exactly one PEM certificate");
            rc = rc == WFPW_ENOMEM ? rc : WFPW_EPROTO;
        } else if (strcmp(fp, p->ca_fingerprint) != 0) {
            snprintf(err, errlen, "the collector's CA has SHA-256 %s, not the pinned collector.ca_fingerprint: "
                                  "refusing it (wrong collector, or someone in between)", fp);
            rc = WFPW_EACCES;
        } else if ((rc = wfpw_file_write_atomic_mode(p->ca_file, canon, strlen(canon), 0600,
                                                     WFPW_FILE_SYNC_DIR)) != 0) {
            snprintf(err, errlen, "cannot write %s: %s", p->ca_file, wfpw_strerror(rc));
        }
    }
    wfpw_free(canon);
    wfpw_buf_free(&answer);
    return rc;
}

/* ---- key, request, answer ----------------------------------------------------------------------- */

struct keygen {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context key;
};

static int make_key_and_csr(struct keygen *k, const char *agent_id, char *csr, size_t csrlen)
{
    static const char pers[] = "wfpwatch-enroll";
    mbedtls_x509write_csr w;
    char subject[160];
    int rc;
    mbedtls_x509write_csr_init(&w);
    snprintf(subject, sizeof(subject), "CN=%s", agent_id);
    if ((rc = mbedtls_ctr_drbg_seed(&k->drbg, mbedtls_entropy_func, &k->entropy, (const unsigned char *)pers,
                                    sizeof(pers) - 1)) == 0 &&
        (rc = wfpw_pk_gen_p256(&k->key, mbedtls_ctr_drbg_random, &k->drbg)) == 0 &&
        (rc = mbedtls_x509write_csr_set_subject_name(&w, subject)) == 0) {
        mbedtls_x509write_csr_set_key(&w, &k->key);
        mbedtls_x509write_csr_set_md_alg(&w, MBEDTLS_MD_SHA256);
        rc = mbedtls_x509write_csr_pem(&w, (unsigned char *)csr, csrlen, mbedtls_ctr_drbg_random, &k->drbg);
    }
    mbedtls_x509write_csr_free(&w);
    return rc;
}

/* The issued certificate must carry our key and our id and chain to the pinned CA. */
static int check_issued(const struct wfpw_enroll_params *p, mbedtls_pk_context *key, const char *pem, char *err,
                        size_t errlen)
{
    mbedtls_x509_crt crt, ca;
    unsigned char a[256], b[256];
    char cn[160] = "";
    uint32_t flags = 0;
    int la, lb, rc = WFPW_EPROTO;
    mbedtls_x509_crt_init(&crt);
    mbedtls_x509_crt_init(&ca);
    if (mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem, strlen(pem) + 1) != 0) {
        snprintf(err, errlen, "the collector's answer holds no valid certificate");
        goto out;
    }
    la = mbedtls_pk_write_pubkey_der(key, a, sizeof(a));
    lb = mbedtls_pk_write_pubkey_der(&crt.pk, b, sizeof(b));
    if (la <= 0 || la != lb || memcmp(a + sizeof(a) - la, b + sizeof(b) - lb, (size_t)la) != 0) {
        snprintf(err, errlen, "the issued certificate is not for the key this agent made");
        goto out;
    }
    if (wfpw_x509_cn(&crt.subject, cn, sizeof(cn)) != 0) {
        snprintf(err, errlen, "the issued certificate has no single, printable common name");
        goto out;
    }
    if (strcmp(cn, p->agent_id) != 0) {
        snprintf(err, errlen, "the issued certificate names agent '%s', not '%s'", cn, p->agent_id);
        goto out;
    }
    /* validity times are the collector's to judge: a host whose clock is off still installs
     * the certificate it was given (the signature and the chain are what is checked here) */
    if (mbedtls_x509_crt_parse_file(&ca, p->ca_file) != 0 ||
        (mbedtls_x509_crt_verify(&crt, &ca, NULL, NULL, &flags, NULL, NULL) != 0 &&
         (flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) != 0)) {
        snprintf(err, errlen, "the issued certificate does not chain to the pinned CA (flags 0x%x)", (unsigned)flags);
        goto out;
    }
    rc = 0;
out:
    mbedtls_x509_crt_free(&crt);
    mbedtls_x509_crt_free(&ca);
    return rc;
}

static int write_new(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    char tmp[1100];
    int rc;
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    if ((rc = wfpw_file_write_atomic_mode(tmp, data, len, 0600, WFPW_FILE_SYNC_DIR)) != 0)
        snprintf(err, errlen, "cannot write %s: %s", tmp, wfpw_strerror(rc));
    return rc;
}

/* Re-enrollment after the certificate expired: the old certificate and a signature of the new
 * request by the old key prove to the collector that this is the agent the id belonged to
 * (an id is not free for whoever holds a token). Appends ,"previous_certificate":..,"proof":..
 * to body when the old pair is readable; nothing otherwise (a first enrollment). */
static void add_proof(const struct wfpw_enroll_params *p, struct keygen *k, const char *csr, struct wfpw_buf *body)
{
    mbedtls_pk_context old;
    unsigned char hash[32], sig[MBEDTLS_ECDSA_MAX_LEN], b64[256];
    size_t siglen = 0, blen = 0, len = 0;
    char *pem = NULL;
    mbedtls_pk_init(&old);
    if (wfpw_file_read_all(p->cert_file, 64 << 10, &pem, &len) == 0 &&
        mbedtls_pk_parse_keyfile(&old, p->key_file, p->key_password && p->key_password[0] ? p->key_password : NULL) ==
            0 &&
        mbedtls_sha256_ret((const unsigned char *)csr, strlen(csr), hash, 0) == 0 &&
        mbedtls_pk_sign(&old, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, &siglen, mbedtls_ctr_drbg_random, &k->drbg) ==
            0 &&
        mbedtls_base64_encode(b64, sizeof(b64), &blen, sig, siglen) == 0) {
        wfpw_buf_puts(body, ",\"previous_certificate\":");
        wfpw_json_write_string(body, pem);
        wfpw_buf_printf(body, ",\"proof\":\"%.*s\"", (int)blen, (const char *)b64);
    }
    wfpw_free(pem);
    mbedtls_pk_free(&old);
}

int wfpw_enroll_request(const struct wfpw_enroll_params *p, int renew, int64_t *not_after_ms, long *http_status,
                        char *err, size_t errlen)
{
    struct keygen k;
    struct wfpw_buf body, answer;
    struct wfpw_json_err jerr;
    cJSON *doc = NULL;
    const cJSON *cert;
    char csr[4096];
    unsigned char keypem[1024];
    int rc;

    *http_status = 0;
    mbedtls_entropy_init(&k.entropy);
    mbedtls_ctr_drbg_init(&k.drbg);
    mbedtls_pk_init(&k.key);
    wfpw_buf_init(&body, 1 << 16);
    wfpw_buf_init(&answer, MAX_ANSWER);
    if ((rc = make_key_and_csr(&k, p->agent_id, csr, sizeof(csr))) != 0) {
        snprintf(err, errlen, "cannot make a key and request (mbedTLS -0x%04x)", (unsigned)-rc);
        rc = WFPW_EIO;
        goto out;
    }
    wfpw_buf_putc(&body, '{');
    if (!renew) {
        wfpw_buf_puts(&body, "\"token\":");
        wfpw_json_write_string(&body, p->token);
        wfpw_buf_puts(&body, ",\"agent_id\":");
        wfpw_json_write_string(&body, p->agent_id);
        wfpw_buf_putc(&body, ',');
    }
    wfpw_buf_puts(&body, "\"hostname\":");
    wfpw_json_write_string(&body, p->hostname);
    wfpw_buf_puts(&body, ",\"csr\":");
    wfpw_json_write_string(&body, csr);
    if (!renew)
        add_proof(p, &k, csr, &body);
    wfpw_buf_putc(&body, '}');
    if (body.err || (rc = http(p, renew ? "/api/v1/renew" : "/api/v1/enroll", body.data, 1, renew, http_status,
                               &answer, err, errlen)) != 0) {
        rc = body.err ? body.err : rc;
        goto out;
    }
    memset(&jerr, 0, sizeof(jerr));
    if (wfpw_json_parse(answer.data ? answer.data : "", answer.len, 4, &doc, &jerr) != 0 || !cJSON_IsObject(doc)) {
        snprintf(err, errlen, "HTTP %ld with a body that is not JSON", *http_status);
        rc = WFPW_EPROTO;
        goto out;
    }
    if (*http_status != 200) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "error");
        snprintf(err, errlen, "HTTP %ld: %s", *http_status, cJSON_IsString(m) ? m->valuestring : "(no message)");
        rc = WFPW_EACCES;
        goto out;
    }
    cert = cJSON_GetObjectItemCaseSensitive(doc, "certificate");
    if (!cJSON_IsString(cert)) {
        snprintf(err, errlen, "the collector's answer has no certificate");
        rc = WFPW_EPROTO;
        goto out;
    }
    if ((rc = check_issued(p, &k.key, cert->valuestring, err, errlen)) != 0)
        goto out;
    if (mbedtls_pk_write_key_pem(&k.key, keypem, sizeof(keypem)) != 0) {
        snprintf(err, errlen, "cannot encode the new key");
        rc = WFPW_EIO;
        goto out;
    }
    /* files are created 0600; on Windows they inherit the data directory's ACL (SYSTEM and
     * Administrators only, set by `service install`) */
    if ((rc = write_new(p->key_file, keypem, strlen((char *)keypem), err, errlen)) != 0 ||
        (rc = write_new(p->cert_file, cert->valuestring, strlen(cert->valuestring), err, errlen)) != 0)
        goto out;
    {
        int64_t nb;
        char path[1100];
        snprintf(path, sizeof(path), "%s.new", p->cert_file);
        if (wfpw_cert_validity(path, &nb, not_after_ms) != 0)
            *not_after_ms = 0;
    }
out:
    mbedtls_platform_zeroize(keypem, sizeof(keypem));
    cJSON_Delete(doc);
    wfpw_buf_free(&body);
    wfpw_buf_free(&answer);
    mbedtls_pk_free(&k.key);
    mbedtls_ctr_drbg_free(&k.drbg);
    mbedtls_entropy_free(&k.entropy);
    return rc;
}

int wfpw_enroll_install(const struct wfpw_enroll_params *p, char *err, size_t errlen)
{
    char from[1100];
    int rc;
    snprintf(from, sizeof(from), "%s.new", p->key_file);
    if ((rc = wfpw_file_rename(from, p->key_file)) != 0) {
        snprintf(err, errlen, "cannot move %s into place: %s", from, wfpw_strerror(rc));
        return rc;
    }
    snprintf(from, sizeof(from), "%s.new", p->cert_file);
    if ((rc = wfpw_file_rename(from, p->cert_file)) != 0)
        snprintf(err, errlen, "cannot move %s into place: %s", from, wfpw_strerror(rc));
    /* the token that paid for this pair may be spent: the new names must survive a power cut */
    wfpw_file_sync_dir(p->key_file);
    if (strcmp(p->key_file, p->cert_file) != 0)
        wfpw_file_sync_dir(p->cert_file);
    return rc;
}
