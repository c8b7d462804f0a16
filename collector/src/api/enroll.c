/*
 * enroll.c — the enrollment endpoints (enroll.h).
 *
 * Request bodies (JSON, at most 32 KiB, refused at the headers when larger):
 *   enroll: {"token":"wfpe_...","agent_id":"...","hostname":"...","csr":"-----BEGIN CERTIFICATE REQUEST...",
 *            ["previous_certificate":PEM,"proof":base64]}   (an agent id whose certificate expired)
 *   renew:  {"csr":"...","hostname":"..."}            (hostname optional; needs the current certificate)
 * Answer 200: {"certificate":PEM,"ca_chain":PEM,"serial":"hex","not_after":"...Z","reissued":bool}.
 * Refusals name what is wrong: 400 body/CSR/field, 401 token (unknown, revoked, expired, used
 * up) or missing client certificate, 403 agent revoked, 409 key or agent id taken, 429 rate or
 * busy, 503 enrollment off or store busy. Tokens never reach a log line.
 *
 * Order of the work, cheapest first: rate (per address for enroll, per agent for renew) and
 * JSON on the loop; the key type, then the request's signature, then a previous certificate
 * and its proof on a worker thread (at most max_checks at once); the store job last.
 */
#include "api/enroll.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <llhttp.h>

#include "api/routes.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "net/server.h"
#include "pki/ca.h"
#include "pki/pki.h"
#include "store/revocations.h"
#include "store/storeq.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/timefmt.h"

#define RATE_SLOTS 1024

static struct wfpw_enroll_cfg E;
static int checks_in_flight;

struct rate_slot {
    char key[96];
    double tokens;
    int64_t last_ms;
};
static struct rate_slot rate[RATE_SLOTS], renew_rate[RATE_SLOTS];
static uint64_t rate_evictions;

void wfpw_enroll_init(const struct wfpw_enroll_cfg *cfg)
{
    E = *cfg;
    if (E.max_checks <= 0)
        E.max_checks = 4;
    if (E.renew_per_hour <= 0)
        E.renew_per_hour = 6;
    memset(rate, 0, sizeof(rate));
    memset(renew_rate, 0, sizeof(renew_rate));
    rate_evictions = 0;
    checks_in_flight = 0;
}

uint64_t wfpw_enroll_rate_evictions(void)
{
    return rate_evictions;
}

/* Token bucket per key in a bounded table; when full the stalest entry is reused. */
static int bucket_allow(struct rate_slot *t, const char *key, int64_t now_ms, double per_ms, double burst)
{
    struct rate_slot *slot = NULL, *stalest = &t[0];
    size_t i;
    for (i = 0; i < RATE_SLOTS; i++) {
        if (t[i].key[0] && strcmp(t[i].key, key) == 0) {
            slot = &t[i];
            break;
        }
        if (t[i].last_ms < stalest->last_ms || (stalest->key[0] && !t[i].key[0]))
            stalest = &t[i];
    }
    if (slot == NULL) {
        if (stalest->key[0])
            rate_evictions++;
        slot = stalest;
        snprintf(slot->key, sizeof(slot->key), "%s", key);
        slot->tokens = burst;
        slot->last_ms = now_ms;
    }
    if (now_ms > slot->last_ms)
        slot->tokens += (double)(now_ms - slot->last_ms) * per_ms;
    if (slot->tokens > burst)
        slot->tokens = burst;
    slot->last_ms = now_ms;
    if (slot->tokens < 1.0)
        return 0;
    slot->tokens -= 1.0;
    return 1;
}

int wfpw_enroll_rate_allow(const char *addr, int64_t now_ms)
{
    return bucket_allow(rate, addr, now_ms, (double)E.rate_per_minute / 60000.0, (double)E.rate_burst);
}

/* ---- revocation list ------------------------------------------------------------------------------ */

struct crl_job {
    struct wfpw_sjob job;
    int64_t now;
    int rc;
    size_t n;
    int watched;          /* published for the revocation watcher: digest is what it saw */
    uint64_t digest;
    char err[256];
};
static void crl_published(const struct crl_job *cj);

static void crl_run(struct wfpw_store *st, struct wfpw_sjob *j)
{
    struct crl_job *cj = (struct crl_job *)j;
    cj->rc = wfpw_revocations_publish(st, E.ca, E.pkidir, cj->now, &cj->n, cj->err, sizeof(cj->err));
}

static void crl_done(struct wfpw_sjob *j)
{
    struct crl_job *cj = (struct crl_job *)j;
    if (cj->rc != 0)
        wfpw_log_error("collector", "enroll", "cannot publish the revocation list: %s", cj->err);
    else
        wfpw_server_crl_reload();
    crl_published(cj);
    wfpw_free(cj);
}

/* ---- revocations made by another collector on the same store -------------------------------------- */

/* A digest of the store's revoked serials, read every interval by a job on the reader's queue:
 * when it differs from the digest of the list this collector last published (at start: none),
 * the CRL is written again from the store and the server reloads it, so a revocation anywhere
 * (a `cert revoke` against the shared database, another collector superseding a renewed agent's
 * certificates, one made while this collector was down) is enforced here within one interval
 * plus a store job. The digest is taken as published only when the publication succeeded: a
 * failed one is tried again at the next tick. */
struct rev_job {
    struct wfpw_sjob job;
    uint64_t digest;
    int rc;
};
static struct {
    uv_timer_t timer;
    int started, busy, publishing, have, no_ca_logged;
    uint64_t digest;       /* of the list last published (have: there is one) */
} RW;

static void crl_published(const struct crl_job *cj)
{
    if (!cj->watched)
        return;
    RW.publishing = 0;
    if (cj->rc == 0) {
        RW.digest = cj->digest;
        RW.have = 1;
    }
}

static void rev_run(struct wfpw_store *st, struct wfpw_sjob *j)
{
    struct rev_job *rj = (struct rev_job *)j;
    char **serials = NULL;
    int64_t *when = NULL;
    size_t n = 0, i, k;
    uint64_t h = 1469598103934665603ULL;
    rj->rc = wfpw_store_revoked_serials(st, &serials, &when, &n);
    for (i = 0; i < n; i++) {
        for (k = 0; serials[i][k]; k++)
            h = (h ^ (unsigned char)serials[i][k]) * 1099511628211ULL;
        h = (h ^ (uint64_t)when[i]) * 1099511628211ULL;
        wfpw_free(serials[i]);
    }
    wfpw_free(serials);
    wfpw_free(when);
    rj->digest = h ^ n;
}

static void publish(int watched, uint64_t digest);

static void rev_done(struct wfpw_sjob *j)
{
    struct rev_job *rj = (struct rev_job *)j;
    RW.busy = 0;
    if (rj->rc == 0 && !RW.publishing && (!RW.have || rj->digest != RW.digest)) {
        if (E.ca != NULL) {
            if (RW.have)
                wfpw_log_info("collector", "enroll", "the store's revocations changed: publishing the revocation list");
            publish(1, rj->digest);
        } else if (!RW.no_ca_logged) {
            wfpw_log_error("collector", "enroll", "no CA key here to sign the revocation list: revocations in the "
                           "store are not enforced by this collector until its ca.crl is written (`cert crl`)");
            RW.no_ca_logged = 1;
        }
    }
    wfpw_free(rj);
}

static void rev_tick(uv_timer_t *t)
{
    struct rev_job *rj;
    (void)t;
    if (RW.busy || (rj = wfpw_calloc(1, sizeof(*rj))) == NULL)
        return;
    rj->job.run = rev_run;
    rj->job.done = rev_done;
    /* a read: on the reader's thread and connection, never ahead of ingest (a full reader
     * queue skips this tick) */
    if (wfpw_storeq_submit(&rj->job, WFPW_SQ_READ) != 0) {
        wfpw_free(rj);
        return;
    }
    RW.busy = 1;
}

void wfpw_enroll_watch_revocations(uint64_t every_ms)
{
    if (RW.started || E.loop == NULL)
        return;
    uv_timer_init(E.loop, &RW.timer);
    uv_timer_start(&RW.timer, rev_tick, 0, every_ms);
    RW.started = 1;
}

void wfpw_enroll_stop(void)
{
    if (RW.started) {
        uv_timer_stop(&RW.timer);
        uv_close((uv_handle_t *)&RW.timer, NULL);
        RW.started = 0;
    }
}

static void publish(int watched, uint64_t digest)
{
    struct crl_job *cj;
    if (E.ca == NULL || E.pkidir == NULL || (cj = wfpw_calloc(1, sizeof(*cj))) == NULL)
        return;
    cj->now = wfpw_now_ms();
    cj->watched = watched;
    cj->digest = digest;
    cj->job.run = crl_run;
    cj->job.done = crl_done;
    if (wfpw_storeq_submit(&cj->job, WFPW_SQ_FORCE) != 0) {
        wfpw_free(cj);
        return;
    }
    if (watched)
        RW.publishing = 1;
}

void wfpw_enroll_publish_revocations(void)
{
    publish(0, 0);
}

/* ---- the job: checks on a worker, then the store ---------------------------------------------------- */

struct enroll_job {
    uv_work_t work;
    struct wfpw_sjob job;
    struct wfpw_issue is;
    struct wfpw_csr *csr;         /* owned */
    char *csr_pem, *prev_pem, *proof;  /* owned copies */
    char token_hash[65], agent_id[80], hostname[80], key_id[65], addr[64], proof_serial[80];
    int check_rc;                 /* of the worker's checks: 0, or the status to answer */
    char why[200];
    const char *field;
    int rc;
    struct wfpw_conn_ref *ref;    /* held */
};

static void job_free(struct enroll_job *ej)
{
    if (ej->ref)
        wfpw_conn_ref_release(ej->ref);
    wfpw_csr_free(ej->csr);
    wfpw_free(ej->csr_pem);
    wfpw_free(ej->prev_pem);
    wfpw_free(ej->proof);
    wfpw_free(ej);
}

static int sign_cb(void *ctx, const char *agent_id, const char *hostname, int64_t now_ms, char serial[33],
                   int64_t *not_before_ms, int64_t *not_after_ms, char *pem, size_t pemlen)
{
    struct enroll_job *ej = ctx;
    struct wfpw_issued out;
    int rc = wfpw_ca_sign(E.ca, ej->csr, agent_id, hostname, now_ms, E.cert_validity_s, &out);
    if (rc != 0)
        return rc;
    if (strlen(out.pem) >= pemlen)
        return WFPW_ETOOBIG;
    memcpy(serial, out.serial, sizeof(out.serial));
    *not_before_ms = out.not_before_ms;
    *not_after_ms = out.not_after_ms;
    memcpy(pem, out.pem, strlen(out.pem) + 1);
    return 0;
}

static void enroll_run(struct wfpw_store *st, struct wfpw_sjob *j)
{
    struct enroll_job *ej = (struct enroll_job *)((char *)j - offsetof(struct enroll_job, job));
    ej->rc = wfpw_store_issue(st, &ej->is);
}

static void refuse_logged(struct wfpw_conn_ref *ref, const char *addr, int status, const char *msg, const char *field)
{
    wfpw_metrics.enroll_refused++;
    wfpw_log_info("collector", "enroll", "refused a request from %s: %s%s%s", addr, field ? field : "",
                  field ? ": " : "", msg);
    wfpw_respond_error(ref, status, msg, field);
}

static void enroll_done(struct wfpw_sjob *j)
{
    struct enroll_job *ej = (struct enroll_job *)((char *)j - offsetof(struct enroll_job, job));
    const char *what = ej->is.kind == WFPW_ISSUE_ENROLL ? "enrollment" : "renewal";
    wfpw_metrics.store_jobs++;
    wfpw_metrics.store_latency_us_sum += j->latency_us;
    if (ej->rc != 0) {
        wfpw_log_error("collector", "enroll", "%s of %s failed in the store: %s", what, ej->agent_id,
                       wfpw_strerror(ej->rc));
        wfpw_respond_error(ej->ref, 503, "the certificate could not be issued; retry later", NULL);
    } else if (ej->is.result == WFPW_ISSUED || ej->is.result == WFPW_REISSUED) {
        struct wfpw_buf b;
        char t[WFPW_TIME_LEN + 1];
        wfpw_time_format_ms(ej->is.not_after_ms, t);
        wfpw_buf_init(&b, 1 << 20);
        wfpw_buf_puts(&b, "{\"certificate\":");
        wfpw_json_write_string(&b, ej->is.pem);
        wfpw_buf_puts(&b, ",\"ca_chain\":");
        wfpw_json_write_string(&b, wfpw_ca_pem(E.ca));
        wfpw_buf_printf(&b, ",\"serial\":\"%s\",\"not_after\":\"%s\",\"reissued\":%s}", ej->is.serial, t,
                        ej->is.result == WFPW_REISSUED ? "true" : "false");
        if (ej->is.result == WFPW_ISSUED)
            wfpw_metrics.certs_issued++;
        wfpw_log_info("collector", ej->agent_id, "%s from %s: certificate %s%s valid until %s%s", what, ej->addr,
                      ej->is.serial, ej->is.result == WFPW_REISSUED ? " (sent again)" : "", t,
                      ej->proof_serial[0] ? " (proved by its expired certificate)" : "");
        wfpw_respond(ej->ref, b.err ? 503 : 200, "application/json", b.data ? b.data : "", b.len, NULL);
        wfpw_buf_free(&b);
    } else {
        int status = ej->is.result == WFPW_BAD_TOKEN ? 401 : ej->is.result == WFPW_AGENT_REVOKED ? 403 : 409;
        wfpw_metrics.enroll_refused++;
        wfpw_log_warn("collector", ej->agent_id, "%s from %s refused: %s", what, ej->addr, ej->is.why);
        wfpw_respond_error(ej->ref, status, ej->is.why, ej->is.result == WFPW_BAD_TOKEN ? "token" : NULL);
    }
    job_free(ej);
}

/* Worker thread: no store, no loop; the CA is only read (ca.h). */
static void check_work(uv_work_t *w)
{
    struct enroll_job *ej = w->data;
    int rc = wfpw_csr_parse(ej->csr_pem, strlen(ej->csr_pem), &ej->csr, ej->why, sizeof(ej->why));
    if (rc != 0) {
        ej->check_rc = rc == WFPW_ENOMEM ? 503 : 400;
        ej->field = "csr";
        if (rc == WFPW_ENOMEM)
            snprintf(ej->why, sizeof(ej->why), "out of memory");
        return;
    }
    wfpw_csr_key_id(ej->csr, ej->key_id);
    if (ej->prev_pem &&
        wfpw_ca_check_previous(E.ca, ej->prev_pem, ej->agent_id, ej->csr_pem, ej->proof, ej->proof_serial, ej->why,
                               sizeof(ej->why)) != 0) {
        ej->check_rc = 400;
        ej->field = "proof";
    }
}

static void check_after(uv_work_t *w, int status)
{
    struct enroll_job *ej = w->data;
    int rc;
    (void)status;
    checks_in_flight--;
    if (ej->check_rc != 0) {
        refuse_logged(ej->ref, ej->addr, ej->check_rc, ej->why, ej->field);
        job_free(ej);
        return;
    }
    ej->is.token_hash = ej->token_hash;
    ej->is.agent_id = ej->agent_id;
    ej->is.hostname = ej->hostname;
    ej->is.key_id = ej->key_id;
    ej->is.proof_serial = ej->proof_serial[0] ? ej->proof_serial : NULL;
    ej->is.now_ms = wfpw_now_ms();
    ej->is.sign = sign_cb;
    ej->is.sign_ctx = ej;
    ej->job.run = enroll_run;
    ej->job.done = enroll_done;
    if ((rc = wfpw_storeq_submit(&ej->job, WFPW_SQ_API)) != 0) {
        wfpw_refuse_submit(ej->ref, rc);
        job_free(ej);
    }
}

/* ---- request checks on the loop ----------------------------------------------------------------------- */

static void refuse(struct wfpw_req *req, int status, const char *msg, const char *field)
{
    refuse_logged(req->ref, req->peer_addr, status, msg, field);
}

/* A string member of obj, 1..max characters of the allowed kind; NULL after answering 400. */
static const char *member(struct wfpw_req *req, const cJSON *obj, const char *name, size_t max, int optional)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (v == NULL && optional)
        return "";
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0' || strlen(v->valuestring) > max) {
        char msg[96];
        snprintf(msg, sizeof(msg), "required: a string of 1..%zu characters", max);
        refuse(req, 400, msg, name);
        return NULL;
    }
    return v->valuestring;
}

static void route_issue(struct wfpw_req *req, enum wfpw_issue_kind kind)
{
    struct wfpw_json_err jerr;
    struct enroll_job *ej;
    cJSON *body = NULL;
    const char *token = "", *agent_id, *hostname, *csr_pem, *prev = "", *proof = "";

    if (E.ca == NULL) {
        wfpw_respond_error(req->ref, 503, "enrollment is off: this collector has no CA key (pki/ca.key)", NULL);
        return;
    }
    if (kind == WFPW_ISSUE_ENROLL && !wfpw_enroll_rate_allow(req->peer_addr, wfpw_now_ms())) {
        wfpw_metrics.enroll_rate_limited++;
        wfpw_respond_error_h(req->ref, 429, "too many enrollment requests from this address, retry later", NULL,
                             "Retry-After: 10\r\n");
        return;
    }
    if (kind == WFPW_ISSUE_RENEW &&
        !bucket_allow(renew_rate, req->peer_cn, wfpw_now_ms(), (double)E.renew_per_hour / 3600000.0,
                      (double)E.renew_per_hour)) {
        wfpw_metrics.renew_rate_limited++;
        wfpw_respond_error_h(req->ref, 429, "too many renewals for this agent, retry later", NULL,
                             "Retry-After: 600\r\n");
        return;
    }
    if (strncasecmp(req->content_type, "application/json", 16) != 0) {
        refuse(req, 415, "Content-Type must be application/json", NULL);
        return;
    }
    if (checks_in_flight >= E.max_checks) {
        wfpw_metrics.crypto_busy++;
        wfpw_respond_error_h(req->ref, 429, "too many enrollment requests being checked, retry later", NULL,
                             "Retry-After: 2\r\n");
        return;
    }
    memset(&jerr, 0, sizeof(jerr));
    if (wfpw_json_parse_bounded(req->body.data ? req->body.data : "", req->body.len, 4, 64, &body, &jerr) != 0 ||
        !cJSON_IsObject(body)) {
        refuse(req, 400, body ? "body must be a JSON object" : jerr.msg, NULL);
        cJSON_Delete(body);
        return;
    }
    if (kind == WFPW_ISSUE_ENROLL) {
        if ((token = member(req, body, "token", 200, 0)) == NULL ||
            (agent_id = member(req, body, "agent_id", 64, 0)) == NULL) {
            cJSON_Delete(body);
            return;
        }
        if (!wfpw_pki_name_valid(agent_id)) {
            refuse(req, 400, "use 1-64 of A-Z a-z 0-9 . _ - (not starting with '.')", "agent_id");
            cJSON_Delete(body);
            return;
        }
        if ((prev = member(req, body, "previous_certificate", 16384, 1)) == NULL ||
            (proof = member(req, body, "proof", 512, 1)) == NULL) {
            cJSON_Delete(body);
            return;
        }
        if ((prev[0] == '\0') != (proof[0] == '\0')) {
            refuse(req, 400, "previous_certificate and proof come together", prev[0] ? "proof" : "previous_certificate");
            cJSON_Delete(body);
            return;
        }
    } else {
        agent_id = req->peer_cn;
    }
    if ((hostname = member(req, body, "hostname", 64, kind == WFPW_ISSUE_RENEW)) == NULL ||
        (csr_pem = member(req, body, "csr", 16384, 0)) == NULL) {
        cJSON_Delete(body);
        return;
    }
    if (hostname[0] && !wfpw_pki_name_valid(hostname)) {
        refuse(req, 400, "use 1-64 of A-Z a-z 0-9 . _ - (not starting with '.')", "hostname");
        cJSON_Delete(body);
        return;
    }
    if ((ej = wfpw_calloc(1, sizeof(*ej))) == NULL || (ej->csr_pem = wfpw_strdup(csr_pem)) == NULL ||
        (prev[0] && ((ej->prev_pem = wfpw_strdup(prev)) == NULL || (ej->proof = wfpw_strdup(proof)) == NULL))) {
        cJSON_Delete(body);
        if (ej)
            job_free(ej);
        wfpw_respond_error(req->ref, 503, "out of memory", NULL);
        return;
    }
    wfpw_token_hash(token, ej->token_hash);
    snprintf(ej->agent_id, sizeof(ej->agent_id), "%s", agent_id);
    snprintf(ej->hostname, sizeof(ej->hostname), "%s", hostname);
    snprintf(ej->addr, sizeof(ej->addr), "%s", req->peer_addr);
    cJSON_Delete(body);
    ej->is.kind = kind;
    ej->ref = req->ref;
    wfpw_conn_ref_hold(ej->ref);
    ej->work.data = ej;
    if (uv_queue_work(E.loop, &ej->work, check_work, check_after) != 0) {
        wfpw_respond_error(req->ref, 503, "cannot queue the request, retry", NULL);
        job_free(ej);
        return;
    }
    checks_in_flight++;
}

void wfpw_enroll_route(struct wfpw_req *req, enum wfpw_enroll_route which)
{
    switch (which) {
    case WFPW_ENROLL_CA:
        if (E.ca == NULL) {
            wfpw_respond_error(req->ref, 503, "enrollment is off: this collector has no CA key (pki/ca.key)", NULL);
        } else {
            const char *pem = wfpw_ca_pem(E.ca);
            wfpw_respond(req->ref, 200, "application/x-pem-file", pem, strlen(pem), NULL);
        }
        return;
    case WFPW_ENROLL_ENROLL:
        route_issue(req, WFPW_ISSUE_ENROLL);
        return;
    case WFPW_ENROLL_RENEW:
        route_issue(req, WFPW_ISSUE_RENEW);
        return;
    }
}
