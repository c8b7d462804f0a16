/*
 * curltls.h — the TLS options of every HTTPS request wfpwatch makes with libcurl: the
 * agent's shipper and enrollment, the collector's webhooks (issue #19: each set its own).
 * Header-only on purpose: the agent links a static curl built on mbedTLS and the collector
 * Debian's libcurl, so each compiles this against its own curl.h.
 */
#ifndef WFPW_CURLTLS_H
#define WFPW_CURLTLS_H

#include <curl/curl.h>

/* TLS 1.2 or later, and:
 * - ca_file not NULL: the peer is verified against that file only (no system store; an
 *   empty name fails every handshake rather than falling back to the system's store);
 *   ca_file NULL: against the system store (webhooks to a public service);
 * - verify 0: no verification at all (only enrollment's first contact, which pins the CA
 *   by its fingerprint afterwards);
 * - cert_file set: the client certificate and key_file, key_password when not empty.
 * curl copies the strings it is given. */
static inline void wfpw_curl_tls(CURL *e, const char *ca_file, int verify, const char *cert_file,
                                 const char *key_file, const char *key_password)
{
    curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (verify && ca_file) {
        curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
        curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
    }
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
    if (cert_file && *cert_file) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, cert_file);
        curl_easy_setopt(e, CURLOPT_SSLKEY, key_file);
        if (key_password && *key_password)
            curl_easy_setopt(e, CURLOPT_KEYPASSWD, key_password);
    }
}

#endif
