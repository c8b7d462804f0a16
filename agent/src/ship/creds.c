/*
 * creds.c — enrollment and renewal scheduling on the loop (creds.h).
 *
 * States: "enrolling" (no certificate; shipper held), "ok" (timer set for the renewal due
 * time, re-checked at least hourly so a changed clock or file is noticed), "renewing"
 * (worker busy; shipping goes on). A failure logs the collector's own message and retries
 * after a jittered, doubling wait between retry.min_ms and retry.max_ms, so a fleet that
 * starts together does not enroll in lockstep. A certificate that expired before it could be
 * renewed is replaced by enrolling again when a token is configured.
 */
#include "creds.h"

#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "enroll.h"
#include "wfpw/fileio.h"
#include "platform.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"

#define CHECK_MAX_MS (3600 * 1000LL)
#define RENEW_MIN_GAP_MS 10000    /* a certificate due at once (tiny validity) cannot loop */

struct wfpw_creds {
    uv_loop_t *loop;
    const struct wfpw_agent_cfg *cfg;
    struct wfpw_enroll_params p;
    char hostname[80];
    wfpw_creds_ready_fn ready;
    void *ctx;
    uv_timer_t timer;
    uv_work_t work;
    int busy, stopping, have_cert, timer_open;
    atomic_int cancel;            /* read by the worker's curl progress callback */
    int renew;                    /* what the worker does now */
    unsigned attempt;
    size_t url_i;                 /* index of p.url in collector.url */
    uint64_t rng;
    /* the worker's results */
    int rc;
    long status;
    int64_t new_not_after;
    char err[600];
    char acl_err[300];            /* securing the data directory failed (Windows) */
    /* for stats */
    const char *state;
    int64_t not_after_ms, last_done_ms;
    uint64_t enrolled, renewed, failures;
    char last_error[600];
};

static void schedule(struct wfpw_creds *c, int64_t delay_ms);

static uint64_t next_rand(struct wfpw_creds *c)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return c->rng;
}

static int64_t backoff_ms(struct wfpw_creds *c)
{
    int64_t cap = c->cfg->retry_min_ms;
    unsigned i;
    for (i = 0; i < c->attempt && cap < c->cfg->retry_max_ms; i++)
        cap *= 2;
    if (cap > c->cfg->retry_max_ms)
        cap = c->cfg->retry_max_ms;
    c->attempt++;
    return cap / 2 + (int64_t)(next_rand(c) % (uint64_t)(cap / 2 + 1)); /* half fixed, half jitter */
}

static void work_run(uv_work_t *w)
{
    struct wfpw_creds *c = w->data;
    size_t n = strlen(c->cfg->data_dir);
    c->err[0] = c->acl_err[0] = '\0';
    c->status = 0;
    /* a key in the data directory (the default) gets that directory's protected ACL, SYSTEM and
     * Administrators only, also when the agent runs outside the service (Windows; elsewhere
     * the key file is 0600 and this is ENOSYS) */
    if (strncmp(c->p.key_file, c->cfg->data_dir, n) == 0 && (c->p.key_file[n] == '/' || c->p.key_file[n] == '\\') &&
        wfpw__plat_secure_dir(c->cfg->data_dir, c->acl_err, sizeof(c->acl_err)) == WFPW_ENOSYS)
        c->acl_err[0] = '\0'; /* Linux: the key file's mode protects it */
    c->rc = wfpw_enroll_ensure_ca(&c->p, c->err, sizeof(c->err));
    if (c->rc == 0)
        c->rc = wfpw_enroll_request(&c->p, c->renew, &c->new_not_after, &c->status, c->err, sizeof(c->err));
}

static void work_done(uv_work_t *w, int status)
{
    struct wfpw_creds *c = w->data;
    const char *what = c->renew ? "renewal" : "enrollment";
    char err[600];
    c->busy = 0;
    if (c->stopping || status == UV_ECANCELED)
        return;
    if (c->acl_err[0]) {
        wfpw_log_warn("agent", "enroll", "cannot restrict %s to SYSTEM and Administrators: %s", c->cfg->data_dir,
                      c->acl_err);
        c->acl_err[0] = '\0';
    }
    if (c->rc == 0 && wfpw_enroll_install(&c->p, err, sizeof(err)) != 0) {
        c->rc = WFPW_EIO;
        snprintf(c->err, sizeof(c->err), "%s", err);
    }
    if (c->rc != 0) {
        int64_t wait = backoff_ms(c);
        c->failures++;
        /* no answer (or a server error): the next attempt goes to the next collector.url */
        if (c->cfg->collector_urls.n > 1 && (c->status == 0 || c->status >= 500)) {
            c->url_i = (c->url_i + 1) % c->cfg->collector_urls.n;
            c->p.url = c->cfg->collector_urls.v[c->url_i];
            snprintf(c->err + strlen(c->err), sizeof(c->err) - strlen(c->err), " (next attempt: %s)", c->p.url);
        }
        snprintf(c->last_error, sizeof(c->last_error), "%s", c->err);
        wfpw_log_error("agent", "enroll", "%s failed: %s; retrying in %lld s", what, c->err, (long long)(wait / 1000));
        c->state = c->have_cert ? "ok" : "enrolling";
        schedule(c, wait);
        return;
    }
    c->attempt = 0;
    c->last_error[0] = '\0';
    c->not_after_ms = c->new_not_after;
    if (c->renew)
        c->renewed++;
    else
        c->enrolled++;
    wfpw_log_info("agent", "enroll", "%s done: certificate %s in place", what, c->p.cert_file);
    c->state = "ok";
    c->last_done_ms = wfpw__plat_time_ms();
    if (!c->have_cert) {
        c->have_cert = 1;
        if (c->ready)
            c->ready(c->ctx);
    }
    schedule(c, 0);
}

static void start_work(struct wfpw_creds *c, int renew)
{
    c->renew = renew;
    c->busy = 1;
    c->state = renew ? "renewing" : "enrolling";
    c->work.data = c;
    if (uv_queue_work(c->loop, &c->work, work_run, work_done) != 0) {
        c->busy = 0;
        schedule(c, backoff_ms(c));
    }
}

/* What to do now: enroll, renew, or wait until renewal is due. */
static void check(struct wfpw_creds *c)
{
    int64_t nb, na, now = wfpw__plat_time_ms(), due;
    int rc;
    if (c->busy || c->stopping)
        return;
    rc = wfpw_cert_validity(c->p.cert_file, &nb, &na);
    if (rc != 0) {
        if (c->p.token[0] == '\0') {
            wfpw_log_error("agent", "enroll", "no usable certificate in %s (%s) and no collector.enroll_token",
                           c->p.cert_file, wfpw_strerror(rc));
            schedule(c, CHECK_MAX_MS);
            return;
        }
        start_work(c, 0);
        return;
    }
    c->not_after_ms = na;
    if (now >= na && c->p.token[0]) {
        wfpw_log_warn("agent", "enroll", "certificate %s expired before it was renewed: enrolling again",
                      c->p.cert_file);
        start_work(c, 0);
        return;
    }
    due = wfpw_renew_due_ms(nb, na);
    if (due < c->last_done_ms + RENEW_MIN_GAP_MS)
        due = c->last_done_ms + RENEW_MIN_GAP_MS;
    if (now >= due) {
        start_work(c, 1);
        return;
    }
    schedule(c, due - now);
}

static void on_timer(uv_timer_t *t)
{
    check(t->data);
}

static void schedule(struct wfpw_creds *c, int64_t delay_ms)
{
    if (c->stopping)
        return;
    if (delay_ms == 0) {
        /* re-evaluate from the loop, not from inside a callback chain */
        uv_timer_start(&c->timer, on_timer, 0, 0);
        return;
    }
    if (delay_ms > CHECK_MAX_MS)
        delay_ms = CHECK_MAX_MS;
    uv_timer_start(&c->timer, on_timer, (uint64_t)delay_ms, 0);
}

struct wfpw_creds *wfpw_creds_new(uv_loop_t *loop, const struct wfpw_agent_cfg *cfg, const char *hostname,
                                  wfpw_creds_ready_fn ready, void *ctx)
{
    struct wfpw_creds *c = wfpw_calloc(1, sizeof(*c));
    size_t i;
    if (c == NULL)
        return NULL;
    c->loop = loop, c->cfg = cfg, c->ready = ready, c->ctx = ctx;
    snprintf(c->hostname, sizeof(c->hostname), "%s", hostname);
    /* the certificate subject takes [A-Za-z0-9._-]: anything else becomes '-' */
    for (i = 0; c->hostname[i]; i++) {
        char ch = c->hostname[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-'))
            c->hostname[i] = '-';
    }
    if (c->hostname[0] == '.' || c->hostname[0] == '\0')
        c->hostname[0] = 'h';
    c->p.url = cfg->collector_urls.v[0];
    c->p.ca_file = cfg->collector_ca;
    c->p.ca_fingerprint = cfg->collector_ca_fingerprint;
    c->p.cert_file = cfg->collector_cert;
    c->p.key_file = cfg->collector_key;
    c->p.key_password = cfg->collector_key_password;
    c->p.token = cfg->collector_enroll_token;
    c->p.agent_id = cfg->agent_id;
    c->p.hostname = c->hostname;
    c->p.timeout_ms = (long)cfg->collector_timeout_ms;
    c->p.connect_timeout_ms = (long)cfg->collector_connect_timeout_ms;
    atomic_init(&c->cancel, 0);
    c->p.cancel = &c->cancel;
    c->rng = (uint64_t)wfpw__plat_time_ms() * 0x9E3779B97F4A7C15ULL;
    for (i = 0; cfg->agent_id[i]; i++)
        c->rng = (c->rng ^ (unsigned char)cfg->agent_id[i]) * 0x100000001B3ULL;
    if (c->rng == 0)
        c->rng = 1;
    c->state = "ok";
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    c->timer_open = 1;
    return c;
}

int wfpw_creds_start(struct wfpw_creds *c, char *err, size_t errlen)
{
    int64_t nb, na;
    c->have_cert = wfpw_cert_validity(c->p.cert_file, &nb, &na) == 0 &&
                   (c->p.token[0] == '\0' || na > wfpw__plat_time_ms());
    if (!c->have_cert && c->p.token[0] == '\0') {
        /* the shipper reports the TLS error; nothing to schedule without a token */
        (void)err, (void)errlen;
        return 0;
    }
    if (!c->have_cert)
        wfpw_log_info("agent", "enroll", "no certificate at %s: enrolling with the collector at %s", c->p.cert_file,
                      c->p.url);
    c->state = c->have_cert ? "ok" : "enrolling";
    check(c);
    return c->have_cert ? 0 : 1;
}

void wfpw_creds_stats(const struct wfpw_creds *c, cJSON *stats)
{
    cJSON *o = cJSON_AddObjectToObject(stats, "credentials");
    if (o == NULL)
        return;
    cJSON_AddStringToObject(o, "state", c->state);
    if (c->not_after_ms)
        cJSON_AddNumberToObject(o, "not_after_ms", (double)c->not_after_ms);
    cJSON_AddNumberToObject(o, "enrolled", (double)c->enrolled);
    cJSON_AddNumberToObject(o, "renewed", (double)c->renewed);
    cJSON_AddNumberToObject(o, "failures", (double)c->failures);
    if (c->last_error[0])
        cJSON_AddStringToObject(o, "last_error", c->last_error);
}

void wfpw_creds_stop(struct wfpw_creds *c)
{
    if (c == NULL || c->stopping)
        return;
    c->stopping = 1;
    uv_timer_stop(&c->timer);
    if (c->timer_open) {
        c->timer_open = 0;
        uv_close((uv_handle_t *)&c->timer, NULL);
    }
    if (c->busy) {
        atomic_store(&c->cancel, 1);     /* a request in flight ends at curl's next progress call */
        uv_cancel((uv_req_t *)&c->work); /* fails when already running: work_done then discards */
    }
}

void wfpw_creds_free(struct wfpw_creds *c)
{
    wfpw_free(c);
}
