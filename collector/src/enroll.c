/*
 * enroll.c — the enrollment endpoints (enroll.h).
 *
 * Request bodies (JSON, at most 32 KiB):
 *   enroll: {"token":"wfpe_...","agent_id":"...","hostname":"...","csr":"-----BEGIN CERTIFICATE REQUEST..."}
 *   renew:  {"csr":"...","hostname":"..."}            (hostname optional)
 * Answer 200: {"certificate":PEM,"ca_chain":PEM,"serial":"hex","not_after":"...Z","reissued":bool}.
 * Refusals name what is wrong: 400 body/CSR/field, 401 token (unknown, revoked, expired, used
 * up) or missing client certificate, 403 agent revoked, 409 key or agent id taken, 429 rate,
 * 503 enrollment off or store busy. Tokens never reach a log line.
 */
#include "enroll.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <llhttp.h>

#include "ca.h"
#include "clock.h"
#include "metrics.h"
#include "pki.h"
#include "routes.h"
#include "storeq.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/timefmt.h"

#define MAX_ENROLL_BODY 32768
#define RATE_SLOTS 1024

static struct wfpw_enroll_cfg E;

static struct rate_slot {
    char addr[64];
    double tokens;
    int64_t last_ms;
} rate[RATE_SLOTS];
static uint64_t rate_evictions;

void wfpw_enroll_init(const struct wfpw_enroll_cfg *cfg)
{
    E = *cfg;
    memset(rate, 0, sizeof(rate));
    rate_evictions = 0;
}

uint64_t wfpw_enroll_rate_evictions(void)
{
    return rate_evictions;
}

int wfpw_enroll_rate_allow(const char *addr, int64_t now_ms)
{
    struct rate_slot *slot = NULL, *stalest = &rate[0];
    double per_ms = (double)E.rate_per_minute / 60000.0;
    size_t i;
    for (i = 0; i < RATE_SLOTS; i++) {
        if (rate[i].addr[0] && strcmp(rate[i].addr, addr) == 0) {
            slot = &rate[i];
            break;
        }
        if (rate[i].last_ms < stalest->last_ms || (stalest->addr[0] && !rate[i].addr[0]))
            stalest = &rate[i];
    }
    if (slot == NULL) {
        if (stalest->addr[0])
            rate_evictions++;
        slot = stalest;
        snprintf(slot->addr, sizeof(slot->addr), "%s", addr);
        slot->tokens = (double)E.rate_burst;
        slot->last_ms = now_ms;
    }
    if (now_ms > slot->last_ms)
        slot->tokens += (double)(now_ms - slot->last_ms) * per_ms;
    if (slot->tokens > (double)E.rate_burst)
        slot->tokens = (double)E.rate_burst;
    slot->last_ms = now_ms;
    if (slot->tokens < 1.0)
        return 0;
    slot->tokens -= 1.0;
    return 1;
}

/* ---- the store job --------------------------------------------------------------------------------- */

struct enroll_job {
    struct wfpw_sjob job;
    struct wfpw_issue is;
    struct wfpw_csr *csr;         /* owned */
    char token_hash[65], agent_id[80], hostname[80], key_id[65], addr[64];
    int rc;
    struct wfpw_conn_ref *ref;    /* held */
};

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
    struct enroll_job *ej = (struct enroll_job *)j;
    ej->rc = wfpw_store_issue(st, &ej->is);
}

static void enroll_done(struct wfpw_sjob *j)
{
    struct enroll_job *ej = (struct enroll_job *)j;
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
        wfpw_log_info("collector", ej->agent_id, "%s from %s: certificate %s%s valid until %s", what, ej->addr,
                      ej->is.serial, ej->is.result == WFPW_REISSUED ? " (sent again)" : "", t);
        wfpw_respond(ej->ref, b.err ? 503 : 200, "application/json", b.data ? b.data : "", b.len, NULL);
        wfpw_buf_free(&b);
    } else {
        int status = ej->is.result == WFPW_BAD_TOKEN ? 401 : ej->is.result == WFPW_AGENT_REVOKED ? 403 : 409;
        wfpw_metrics.enroll_refused++;
        wfpw_log_warn("collector", ej->agent_id, "%s from %s refused: %s", what, ej->addr, ej->is.why);
        wfpw_respond_error(ej->ref, status, ej->is.why, ej->is.result == WFPW_BAD_TOKEN ? "token" : NULL);
    }
    wfpw_conn_ref_release(ej->ref);
    wfpw_csr_free(ej->csr);
    wfpw_free(ej);
}

/* ---- request checks ----------------------------------------------------------------------------------- */

static void refuse(struct wfpw_req *req, int status, const char *msg, const char *field)
{
    wfpw_metrics.enroll_refused++;
    wfpw_log_info("collector", "enroll", "refused a request from %s: %s%s%s", req->peer_addr, field ? field : "",
                  field ? ": " : "", msg);
    wfpw_respond_error(req->ref, status, msg, field);
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
    const char *token = "", *agent_id, *hostname, *csr_pem;
    char why[160];
    int rc;

    if (req->method != HTTP_POST) {
        wfpw_respond_error(req->ref, 405, "use POST", NULL);
        return;
    }
    if (E.ca == NULL) {
        wfpw_respond_error(req->ref, 503, "enrollment is off: this collector has no CA key (pki/ca.key)", NULL);
        return;
    }
    if (kind == WFPW_ISSUE_ENROLL && !wfpw_enroll_rate_allow(req->peer_addr, wfpw_now_ms())) {
        static const char msg[] = "{\"error\":\"too many enrollment requests from this address, retry later\"}";
        wfpw_metrics.enroll_rate_limited++;
        wfpw_respond(req->ref, 429, "application/json", msg, sizeof(msg) - 1, "Retry-After: 10\r\n");
        return;
    }
    if (kind == WFPW_ISSUE_RENEW && req->peer_cn == NULL) {
        refuse(req, 401, req->peer_cert_present ? "client certificate not trusted (wrong CA, expired or revoked)"
                                                : "renewal needs the current client certificate", NULL);
        return;
    }
    if (req->body.len > MAX_ENROLL_BODY) {
        refuse(req, 413, "body exceeds 32 KiB", NULL);
        return;
    }
    if (strncasecmp(req->content_type, "application/json", 16) != 0) {
        refuse(req, 415, "Content-Type must be application/json", NULL);
        return;
    }
    memset(&jerr, 0, sizeof(jerr));
    if (wfpw_json_parse(req->body.data ? req->body.data : "", req->body.len, 4, &body, &jerr) != 0 ||
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
    if ((ej = wfpw_calloc(1, sizeof(*ej))) == NULL) {
        cJSON_Delete(body);
        wfpw_respond_error(req->ref, 503, "out of memory", NULL);
        return;
    }
    if ((rc = wfpw_csr_parse(csr_pem, strlen(csr_pem), &ej->csr, why, sizeof(why))) != 0) {
        cJSON_Delete(body);
        wfpw_free(ej);
        if (rc == WFPW_ENOMEM)
            wfpw_respond_error(req->ref, 503, "out of memory", NULL);
        else
            refuse(req, 400, why, "csr");
        return;
    }
    wfpw_token_hash(token, ej->token_hash);
    snprintf(ej->agent_id, sizeof(ej->agent_id), "%s", agent_id);
    snprintf(ej->hostname, sizeof(ej->hostname), "%s", hostname);
    snprintf(ej->addr, sizeof(ej->addr), "%s", req->peer_addr);
    cJSON_Delete(body);
    wfpw_csr_key_id(ej->csr, ej->key_id);
    ej->is.kind = kind;
    ej->is.token_hash = ej->token_hash;
    ej->is.agent_id = ej->agent_id;
    ej->is.hostname = ej->hostname;
    ej->is.key_id = ej->key_id;
    ej->is.now_ms = wfpw_now_ms();
    ej->is.sign = sign_cb;
    ej->is.sign_ctx = ej;
    ej->job.run = enroll_run;
    ej->job.done = enroll_done;
    ej->ref = req->ref;
    wfpw_conn_ref_hold(ej->ref);
    if ((rc = wfpw_storeq_submit(&ej->job, 0)) != 0) {
        wfpw_conn_ref_release(ej->ref);
        wfpw_csr_free(ej->csr);
        wfpw_free(ej);
        wfpw_refuse_submit(req->ref, rc);
    }
}

void wfpw_enroll_route(struct wfpw_req *req, enum wfpw_enroll_route which)
{
    switch (which) {
    case WFPW_ENROLL_CA:
        if (req->method != HTTP_GET) {
            wfpw_respond_error(req->ref, 405, "use GET", NULL);
        } else if (E.ca == NULL) {
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
