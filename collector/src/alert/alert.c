/*
 * alert.c — outbox delivery thread (see alert.h).
 */
#include "alert/alert.h"

#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <uv.h>

#include "core/clock.h"
#include "store/store.h"
#include "wfpw/curltls.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"

static struct {
    struct wfpw_alert_cfg cfg;
    char *webhook_url, *webhook_ca, *syslog_host, *datadir, *dsn;   /* owned copies */
    uv_thread_t thread;
    uv_mutex_t lock;
    uv_cond_t cond;
    int stop, running;
    atomic_ullong delivered, failed;
    atomic_llong pending;
    unsigned rng;
} A;

/* Full jitter: uniform in [0, min(cap, 1 s * 2^attempts)], at least 100 ms. */
static int64_t backoff_ms(int attempts)
{
    int64_t ceiling = 1000;
    int i;
    for (i = 0; i < attempts && ceiling < A.cfg.retry_max_ms; i++)
        ceiling *= 2;
    if (ceiling > A.cfg.retry_max_ms)
        ceiling = A.cfg.retry_max_ms;
    return 100 + (int64_t)(rand_r(&A.rng) % (unsigned)(ceiling > 100 ? ceiling - 99 : 1));
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static int deliver_webhook(const struct wfpw_outbox_item *it, char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    char idh[64];
    long code = 0;
    CURLcode rc;
    if (h == NULL) {
        snprintf(err, errlen, "curl init failed");
        return -1;
    }
    snprintf(idh, sizeof(idh), "X-Wfpwatch-Alert-Id: %lld", (long long)it->alert_id);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, idh);
    curl_easy_setopt(h, CURLOPT_URL, A.webhook_url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, it->json);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)A.cfg.webhook_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    wfpw_curl_tls(h, A.webhook_ca, 1, NULL, NULL, NULL);   /* no webhook_ca: the system's store */
    rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s", curl_easy_strerror(rc));
        return -1;
    }
    if (code < 200 || code > 299) {
        snprintf(err, errlen, "HTTP %ld", code);
        return -1;
    }
    return 0;
}

/* CEF: '|' and '\' escaped in header fields; '\', '=' and newlines in extension values. */
static void cef_escape(struct wfpw_buf *b, const char *s, int header)
{
    for (; s && *s; s++) {
        if (*s == '\\' || (header && *s == '|') || (!header && *s == '='))
            wfpw_buf_putc(b, '\\');
        if (*s == '\n' || *s == '\r') {
            wfpw_buf_puts(b, header ? " " : *s == '\n' ? "\\n" : "\\r");
            continue;
        }
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {  /* other control characters: not in a syslog line */
            wfpw_buf_putc(b, ' ');
            continue;
        }
        wfpw_buf_putc(b, *s);
    }
}

/* Who made the change the alert is about (proto v1 changed_by, and the program the agent
 * resolved behind its process id) as CEF's source fields: spid, suser, sproc, and the command
 * line in cs2; a Windows Firewall rule in cs3 with the program that changed it (sproc when the
 * process is not known, else cs4). Nothing when the alert has neither. */
static void who(const cJSON *a, struct wfpw_buf *b)
{
    const cJSON *cb = cJSON_GetObjectItemCaseSensitive(a, "changed_by"), *pr, *v;
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(a, "firewall_rule");
    const cJSON *fby = cJSON_GetObjectItemCaseSensitive(fr, "changed_by");
    int sproc = 0;
    if (cJSON_IsObject(cb)) {
        if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(cb, "process_id")))
            wfpw_buf_printf(b, " spid=%lld", (long long)v->valuedouble);
        if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(cb, "user"))) {
            wfpw_buf_puts(b, " suser=");
            cef_escape(b, v->valuestring, 0);
        }
        pr = cJSON_GetObjectItemCaseSensitive(cb, "process");
        if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(pr, "image"))) {
            wfpw_buf_puts(b, " sproc=");
            cef_escape(b, v->valuestring, 0);
            sproc = 1;
        }
        if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(pr, "command_line"))) {
            wfpw_buf_puts(b, " cs2Label=commandLine cs2=");
            cef_escape(b, v->valuestring, 0);
        }
    }
    /* a filter of the Windows Firewall: the rule, and the program that changed it (the 5447
     * names only the firewall service) */
    if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(fr, "name"))) {
        wfpw_buf_puts(b, " cs3Label=firewallRule cs3=");
        cef_escape(b, v->valuestring, 0);
        if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(fby, "application"))) {
            wfpw_buf_puts(b, sproc ? " cs4Label=ruleChangedBy cs4=" : " sproc=");
            cef_escape(b, v->valuestring, 0);
        }
    }
}

/* RFC 5424 header + CEF body, from the alert JSON. */
static int syslog_message(const struct wfpw_outbox_item *it, struct wfpw_buf *b)
{
    cJSON *a = NULL;
    struct wfpw_json_err jerr;
    const char *rule, *sev, *title, *details, *host, *time;
    int cef_sev = 5, pri_sev = 4;
    char me[256] = "-";
    if (wfpw_json_parse(it->json, strlen(it->json), 32, &a, &jerr) != 0)
        return WFPW_EPROTO;
#define S_(k) (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, k)) ? cJSON_GetObjectItemCaseSensitive(a, k)->valuestring : "")
    rule = S_("rule"), sev = S_("severity"), title = S_("title"), details = S_("details");
    host = S_("host"), time = S_("time");
#undef S_
    if (!strcmp(sev, "critical"))
        cef_sev = 10, pri_sev = 2;
    else if (!strcmp(sev, "high"))
        cef_sev = 8, pri_sev = 3;
    else if (!strcmp(sev, "medium"))
        cef_sev = 5, pri_sev = 4;
    else
        cef_sev = 3, pri_sev = 5;
    gethostname(me, sizeof(me) - 1);
    /* facility local0 (16) */
    wfpw_buf_printf(b, "<%d>1 %s %s wfpwatch-collector - alert - CEF:0|wfpwatch|wfpwatch-collector|0.1|",
                    16 * 8 + pri_sev, time[0] ? time : "-", me);
    cef_escape(b, rule, 1);
    wfpw_buf_putc(b, '|');
    cef_escape(b, title, 1);
    wfpw_buf_printf(b, "|%d|dhost=", cef_sev);
    cef_escape(b, host, 0);
    wfpw_buf_puts(b, " msg=");
    cef_escape(b, details, 0);
    wfpw_buf_printf(b, " cs1Label=alertId cs1=%lld", (long long)it->alert_id);
    who(a, b);
    cJSON_Delete(a);
    return b->err;
}

static int deliver_syslog(const struct wfpw_outbox_item *it, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL;
    struct wfpw_buf msg;
    char port[16];
    int fd = -1, rc = -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = A.cfg.syslog_tcp ? SOCK_STREAM : SOCK_DGRAM;
    snprintf(port, sizeof(port), "%d", A.cfg.syslog_port);
    wfpw_buf_init(&msg, 64 * 1024);
    if (syslog_message(it, &msg) != 0) {
        snprintf(err, errlen, "cannot format the alert");
        goto out;
    }
    if (getaddrinfo(A.syslog_host, port, &hints, &res) != 0 || res == NULL) {
        snprintf(err, errlen, "cannot resolve %s", A.syslog_host);
        goto out;
    }
    fd = socket(res->ai_family, res->ai_socktype, 0);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        snprintf(err, errlen, "cannot connect to %s:%d", A.syslog_host, A.cfg.syslog_port);
        goto out;
    }
    {
        struct timeval tv = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    }
    if (A.cfg.syslog_tcp) { /* RFC 6587 octet counting */
        char prefix[32];
        int n = snprintf(prefix, sizeof(prefix), "%zu ", msg.len);
        if (send(fd, prefix, (size_t)n, MSG_NOSIGNAL) != n ||
            send(fd, msg.data, msg.len, MSG_NOSIGNAL) != (ssize_t)msg.len) {
            snprintf(err, errlen, "send to %s:%d failed", A.syslog_host, A.cfg.syslog_port);
            goto out;
        }
    } else if (send(fd, msg.data, msg.len, 0) != (ssize_t)msg.len) {
        snprintf(err, errlen, "send to %s:%d failed", A.syslog_host, A.cfg.syslog_port);
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (res)
        freeaddrinfo(res);
    wfpw_buf_free(&msg);
    return rc;
}

static void drain_target(struct wfpw_store *st, const char *target)
{
    struct wfpw_outbox_item it;
    int n = 0;
    while (!A.stop && n++ < 100 && wfpw_store_outbox_next(st, target, wfpw_now_ms(), &it) == 1) {
        char err[256] = "";
        int rc = strcmp(target, "webhook") == 0 ? deliver_webhook(&it, err, sizeof(err))
                                                : deliver_syslog(&it, err, sizeof(err));
        if (rc == 0) {
            wfpw_store_outbox_done(st, &it, wfpw_now_ms());
            atomic_fetch_add(&A.delivered, 1);
            wfpw_log_info("collector", target, "delivered alert %lld", (long long)it.alert_id);
        } else {
            int64_t wait = backoff_ms(it.attempts);
            wfpw_store_outbox_retry(st, &it, wfpw_now_ms() + wait, err);
            atomic_fetch_add(&A.failed, 1);
            wfpw_log_warn("collector", target, "alert %lld not delivered (%s); retry in %lld ms",
                          (long long)it.alert_id, err, (long long)wait);
        }
        wfpw_free(it.json);
    }
}

static void thread_main(void *arg)
{
    struct wfpw_store *st = NULL;
    struct wfpw_store_opts so;
    char err[256];
    (void)arg;
    memset(&so, 0, sizeof(so));
    so.kind = A.cfg.store_kind;
    so.dsn = A.dsn;
    /* the database may be away when the collector starts (a failover): try again every 5 s,
     * alerts wait in the outbox meanwhile */
    uv_mutex_lock(&A.lock);
    while (!A.stop && st == NULL) {
        uv_mutex_unlock(&A.lock);
        if (wfpw_store_open(A.datadir, &so, &st, err, sizeof(err)) != 0) {
            st = NULL;
            wfpw_log_error("collector", "alerts", "cannot open the store: %s; trying again in 5 s", err);
        }
        uv_mutex_lock(&A.lock);
        if (st == NULL && !A.stop)
            uv_cond_timedwait(&A.cond, &A.lock, 5000000000ULL);
    }
    uv_mutex_unlock(&A.lock);
    if (st == NULL)
        return;
    uv_mutex_lock(&A.lock);
    while (!A.stop) {
        uv_mutex_unlock(&A.lock);
        if (A.webhook_url)
            drain_target(st, "webhook");
        if (A.syslog_host)
            drain_target(st, "syslog");
        atomic_store(&A.pending, wfpw_store_outbox_pending(st));
        uv_mutex_lock(&A.lock);
        if (!A.stop)
            uv_cond_timedwait(&A.cond, &A.lock, (uint64_t)A.cfg.poll_ms * 1000000u);
    }
    uv_mutex_unlock(&A.lock);
    wfpw_store_close(st);
}

int wfpw_alert_start(const struct wfpw_alert_cfg *cfg)
{
    A.cfg = *cfg;
    A.rng = (unsigned)wfpw_now_ms();
    A.datadir = wfpw_strdup(cfg->datadir);
    A.dsn = cfg->dsn ? wfpw_strdup(cfg->dsn) : NULL;
    A.cfg.dsn = NULL; /* A.dsn is the copy that outlives the caller's */
    A.webhook_url = wfpw_strdup(cfg->webhook_url);
    A.webhook_ca = wfpw_strdup(cfg->webhook_ca);
    A.syslog_host = wfpw_strdup(cfg->syslog_host);
    if (!A.webhook_url && !A.syslog_host)
        return 0; /* nothing to deliver to */
    if (uv_mutex_init(&A.lock) || uv_cond_init(&A.cond))
        return WFPW_EIO;
    if (uv_thread_create(&A.thread, thread_main, NULL) != 0)
        return WFPW_EIO;
    A.running = 1;
    return 0;
}

void wfpw_alert_stop(void)
{
    if (A.running) {
        uv_mutex_lock(&A.lock);
        A.stop = 1;
        uv_cond_signal(&A.cond);
        uv_mutex_unlock(&A.lock);
        uv_thread_join(&A.thread);
        uv_mutex_destroy(&A.lock);
        uv_cond_destroy(&A.cond);
        A.running = 0;
    }
    wfpw_free(A.datadir);
    wfpw_free(A.dsn);
    A.dsn = NULL;
    wfpw_free(A.webhook_url);
    wfpw_free(A.webhook_ca);
    wfpw_free(A.syslog_host);
    A.datadir = A.webhook_url = A.webhook_ca = A.syslog_host = NULL;
}

void wfpw_alert_get_stats(struct wfpw_alert_stats *out)
{
    out->delivered = atomic_load(&A.delivered);
    out->failed = atomic_load(&A.failed);
    out->pending = atomic_load(&A.pending);
}
