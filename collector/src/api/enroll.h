/*
 * enroll.h — zero-touch enrollment endpoints (docs/enrollment.md):
 *   GET  /api/v1/ca       the CA certificate (PEM), so an agent deployed with only the CA's
 *                         SHA-256 fingerprint can fetch it and check it against the pin
 *   POST /api/v1/enroll   token + agent id + host name + CSR -> client certificate (no client
 *                         certificate needed; rate-limited per source address)
 *   POST /api/v1/renew    CSR, authenticated by the current client certificate
 * Cheap checks run on the loop (rate per address or per agent, JSON); the request's key type and
 * signature (and, when an expired agent re-enrolls, its previous certificate and the proof made
 * with that key) are checked on a worker thread, a bounded number at a time; the token and
 * certificate bookkeeping and the signing run as one store job.
 */
#ifndef WFPW_ENROLL_H
#define WFPW_ENROLL_H

#include <stdint.h>

#include <uv.h>

#include "net/http.h"

struct wfpw_ca;

struct wfpw_enroll_cfg {
    struct wfpw_ca *ca;           /* borrowed; NULL: enrollment off (no CA key here) */
    int64_t cert_validity_s;      /* of issued certificates */
    int64_t rate_per_minute;      /* enroll requests per source address ... */
    int64_t rate_burst;           /* ... with this burst */
    int64_t renew_per_hour;       /* renewals per agent id per hour (burst: the same number) */
    int max_checks;               /* request checks (CSR signatures) in flight at once */
    const char *pkidir;           /* where ca.crl is published */
    uv_loop_t *loop;
};

void wfpw_enroll_init(const struct wfpw_enroll_cfg *cfg);

enum wfpw_enroll_route { WFPW_ENROLL_CA, WFPW_ENROLL_ENROLL, WFPW_ENROLL_RENEW };
void wfpw_enroll_route(struct wfpw_req *req, enum wfpw_enroll_route which);

/* Rate limiter (exposed for tests): 1 when a request from addr at now_ms is allowed. The
 * table of addresses is bounded; when full the stalest entry is reused (counted). */
int wfpw_enroll_rate_allow(const char *addr, int64_t now_ms);
uint64_t wfpw_enroll_rate_evictions(void);

/* Write the CA's revocation list again from the store (a store job) and make the server load
 * it: after certificates were superseded. Nothing happens when enrollment is off. */
void wfpw_enroll_publish_revocations(void);

/* Several collectors on one store: read the store's revoked serials every every_ms (a store
 * job) and publish the revocation list when they changed, so that a revocation made through
 * any collector or `cert revoke` is enforced by this one too. wfpw_enroll_stop ends it. */
void wfpw_enroll_watch_revocations(uint64_t every_ms);
void wfpw_enroll_stop(void);

#endif
