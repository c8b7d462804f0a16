/*
 * agent.c — the agent's run loop (agent.h): wiring, signals and the shutdown sequence.
 */
#include "agent.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <uv.h>

#include "creds.h"
#include "wfpw/fileio.h"
#include "pipeline.h"
#include "platform.h"
#include "ship.h"
#include "source.h"
#include "spool.h"
#include "uuidgen.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

static void set_stop_handle(uv_async_t *h);

struct agent {
    uv_loop_t loop;
    struct wfpw_agent_cfg *cfg;
    struct wfpw_spool *spool;
    struct wfpw_pipeline *pipe;
    struct wfpw_shipper *ship;
    struct wfpw_creds *creds;    /* enrollment and renewal */
    struct wfpw_source sources[WFPW_MAX_SOURCES];
    size_t nsources;
    uv_signal_t sigint, sigterm;
    uv_async_t stop_async;       /* wfpw_agent_request_stop (service control handler thread) */
    uv_timer_t check_timer, flush_timer;
    int until_drained, stopping, window_closed_at_end;
    int64_t stop_deadline;
};

int wfpw_agent_identity(struct wfpw_agent_cfg *cfg, char *err, size_t errlen)
{
    char path[WFPW_CFG_STR_MAX + 16], *data = NULL;
    size_t len;
    int rc;
    if (cfg->agent_id[0])
        return 0;
    snprintf(path, sizeof(path), "%s/agent_id", cfg->data_dir);
    rc = wfpw_file_read_all(path, 256, &data, &len);
    if (rc == 0) {
        while (len && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
            data[--len] = '\0';
        if (len == 0 || len >= sizeof(cfg->agent_id)) {
            snprintf(err, errlen, "%s: not an agent id", path);
            wfpw_free(data);
            return WFPW_ECORRUPT;
        }
        memcpy(cfg->agent_id, data, len + 1);
        wfpw_free(data);
        return 0;
    }
    if (rc != WFPW_ENOENT) {
        snprintf(err, errlen, "%s: %s", path, wfpw_strerror(rc));
        return rc;
    }
    {
        char id[WFPW_UUID_LEN + 2];
        if ((rc = wfpw_uuid_new(id)) != 0) {
            snprintf(err, errlen, "cannot generate an agent id: %s", wfpw_strerror(rc));
            return rc;
        }
        memcpy(cfg->agent_id, id, WFPW_UUID_LEN + 1);
        id[WFPW_UUID_LEN] = '\n';
        if ((rc = wfpw_file_write_atomic(path, id, WFPW_UUID_LEN + 1)) != 0) {
            snprintf(err, errlen, "cannot keep the new agent id in %s: %s", path, wfpw_strerror(rc));
            return rc;
        }
    }
    return 0;
}

static void on_notify(void *ctx, uint64_t n, uint64_t bytes, int urgent)
{
    struct agent *a = ctx;
    if (a->ship)
        wfpw_shipper_notify(a->ship, n, bytes, urgent);
}

static void on_stats(void *ctx, cJSON *stats)
{
    struct agent *a = ctx;
    if (a->ship)
        wfpw_shipper_stats(a->ship, stats);
    if (a->creds)
        wfpw_creds_stats(a->creds, stats);
}

static void on_creds_ready(void *ctx)
{
    struct agent *a = ctx;
    wfpw_shipper_hold(a->ship, 0);
}

static void finish(struct agent *a)
{
    size_t i;
    uv_timer_stop(&a->check_timer);
    uv_timer_stop(&a->flush_timer);
    uv_close((uv_handle_t *)&a->check_timer, NULL);
    uv_close((uv_handle_t *)&a->flush_timer, NULL);
    uv_close((uv_handle_t *)&a->sigint, NULL);
    uv_close((uv_handle_t *)&a->sigterm, NULL);
    set_stop_handle(NULL);
    uv_close((uv_handle_t *)&a->stop_async, NULL);
    for (i = 0; i < a->nsources; i++)
        a->sources[i].type->close(&a->sources[i]);
    a->nsources = 0;
    wfpw_pipeline_stop(a->pipe);
    wfpw_shipper_stop(a->ship);
    wfpw_creds_stop(a->creds);
}

static void on_flush_check(uv_timer_t *t)
{
    struct agent *a = t->data;
    if (wfpw_shipper_drained(a->ship) || (int64_t)uv_now(&a->loop) >= a->stop_deadline) {
        if (!wfpw_shipper_drained(a->ship))
            wfpw_log_warn("agent", "stop", "stopping with events not yet acknowledged (kept in the spool for the next start)");
        finish(a);
    }
}

static void begin_stop(struct agent *a, const char *why)
{
    size_t i;
    if (a->stopping)
        return;
    a->stopping = 1;
    wfpw_log_info("agent", "stop", "stopping (%s)", why);
    for (i = 0; i < a->nsources; i++)
        if (a->sources[i].type->pause)
            a->sources[i].type->pause(&a->sources[i]);
    wfpw_pipeline_close_window(a->pipe);
    wfpw_pipeline_heartbeat(a->pipe); /* the final counters */
    wfpw_pipeline_emit_own(a->pipe, wfpw_event_agent_status(1, wfpw__plat_time_ms(), "stopping", why));
    wfpw_spool_flush(a->spool, 1);
    a->stop_deadline = (int64_t)uv_now(&a->loop) + a->cfg->shutdown_flush_ms; /* monotonic */
    wfpw_shipper_flush_now(a->ship);
    uv_timer_start(&a->flush_timer, on_flush_check, 0, 20);
}

static void on_signal(uv_signal_t *s, int signum)
{
    begin_stop(s->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

/* The running agent's stop handle for other threads; guarded because the service control
 * handler may ask while the agent starts or ends. */
static uv_mutex_t stop_mu;
static uv_once_t stop_once = UV_ONCE_INIT;
static uv_async_t *stop_handle;

static void init_stop_mu(void)
{
    uv_mutex_init(&stop_mu);
}

static void set_stop_handle(uv_async_t *h)
{
    uv_once(&stop_once, init_stop_mu);
    uv_mutex_lock(&stop_mu);
    stop_handle = h;
    uv_mutex_unlock(&stop_mu);
}

void wfpw_agent_request_stop(void)
{
    uv_once(&stop_once, init_stop_mu);
    uv_mutex_lock(&stop_mu);
    if (stop_handle)
        uv_async_send(stop_handle);
    uv_mutex_unlock(&stop_mu);
}

static void on_stop_request(uv_async_t *h)
{
    begin_stop(h->data, "stop requested by the service manager");
}

/* --until-drained: stop once every source finished and the shipper has delivered it all. */
static void on_check(uv_timer_t *t)
{
    struct agent *a = t->data;
    if (a->stopping || !wfpw_pipeline_sources_finished(a->pipe))
        return;
    if (!a->window_closed_at_end) {
        wfpw_pipeline_close_window(a->pipe);
        wfpw_shipper_flush_now(a->ship);
        a->window_closed_at_end = 1;
        return;
    }
    if (wfpw_shipper_drained(a->ship))
        begin_stop(a, "every source finished and was delivered");
}

static int open_log(const struct wfpw_agent_cfg *cfg, FILE **f)
{
    *f = NULL;
    wfpw_log_set_level(wfpw_log_level_parse(cfg->log_level));
    if (cfg->log_file[0]) {
        if ((*f = fopen(cfg->log_file, "a")) == NULL) {
            fprintf(stderr, "wfpwatch-agent: cannot open log.file %s\n", cfg->log_file);
            return -1;
        }
        setvbuf(*f, NULL, _IOLBF, 0);
        wfpw_log_set_file(*f);
    }
    return 0;
}

int wfpw_agent_run(struct wfpw_agent_cfg *cfg, int until_drained)
{
    struct agent *a;
    struct wfpw_spool_opts so;
    struct wfpw_spool_recovery rec;
    struct wfpw_ship_ident id;
    char err[1024] = "", spooldir[WFPW_CFG_STR_MAX + 16], hostname[256], msg[600];
    FILE *logf;
    size_t i;
    int rc, code = 1;

    if (open_log(cfg, &logf) != 0)
        return 1;
    if ((a = wfpw_calloc(1, sizeof(*a))) == NULL)
        return 1;
    a->cfg = cfg, a->until_drained = until_drained;
    uv_loop_init(&a->loop);
    if ((rc = wfpw_dir_make(cfg->data_dir)) != 0 || (rc = wfpw_agent_identity(cfg, err, sizeof(err))) != 0) {
        if (rc != 0 && !err[0])
            snprintf(err, sizeof(err), "data_dir %s: %s", cfg->data_dir, wfpw_strerror(rc));
        wfpw_log_error("agent", "start", "%s", err);
        goto out;
    }
    if (wfpw__plat_hostname(hostname, sizeof(hostname)) != 0)
        snprintf(hostname, sizeof(hostname), "unknown");
    memset(&so, 0, sizeof(so));
    snprintf(spooldir, sizeof(spooldir), "%s/spool", cfg->data_dir);
    so.dir = spooldir, so.max_bytes = (uint64_t)cfg->spool_max_bytes;
    so.fsync = !strcmp(cfg->spool_fsync, "always") ? WFPW_SPOOL_FSYNC_ALWAYS
               : !strcmp(cfg->spool_fsync, "off") ? WFPW_SPOOL_FSYNC_OFF : WFPW_SPOOL_FSYNC_COMMIT;
    if ((rc = wfpw_spool_open(&so, wfpw__plat_time_ms(), &a->spool, &rec)) != 0) {
        wfpw_log_error("agent", "start", "cannot open the spool in %s: %s", spooldir, wfpw_strerror(rc));
        goto out;
    }
    wfpw_log_info("agent", "start", "wfpwatch-agent %s, agent id %s, host %s, spool %s: %" PRIu64
                  " events waiting from before", WFPW_AGENT_VERSION, cfg->agent_id, hostname, spooldir, rec.events);
    for (i = 0; i < cfg->nsources; i++) {
        struct wfpw_source *s = &a->sources[i];
        uint64_t spooled;
        s->type = cfg->sources[i].type, s->conf = cfg->sources[i].conf, s->loop = &a->loop;
        s->data_dir = cfg->data_dir;
        s->index = (uint32_t)(i + 1);
        snprintf(s->name, sizeof(s->name), "%s#%u", s->type->name, s->index);
        wfpw_spool_position(a->spool, s->index, &s->resume_pos, &spooled);
        a->nsources++;
        err[0] = '\0';
        if ((rc = s->type->init(s, err, sizeof(err))) != 0) {
            wfpw_log_error("agent", s->name, "cannot start: %s", err[0] ? err : wfpw_strerror(rc));
            goto out;
        }
    }
    if ((a->pipe = wfpw_pipeline_new(&a->loop, cfg, a->spool, a->sources, a->nsources, err, sizeof(err))) == NULL) {
        wfpw_log_error("agent", "start", "%s", err);
        goto out;
    }
    id.agent_id = cfg->agent_id, id.hostname = hostname, id.version = WFPW_AGENT_VERSION, id.os = wfpw__plat_name();
    if ((a->ship = wfpw_shipper_new(&a->loop, cfg, a->spool, &id, err, sizeof(err))) == NULL) {
        wfpw_log_error("agent", "start", "%s", err);
        goto out;
    }
    if ((a->creds = wfpw_creds_new(&a->loop, cfg, hostname, on_creds_ready, a)) == NULL) {
        wfpw_log_error("agent", "start", "out of memory");
        goto out;
    }
    if ((rc = wfpw_creds_start(a->creds, err, sizeof(err))) < 0) {
        wfpw_log_error("agent", "start", "%s", err);
        goto out;
    }
    if (rc == 1)
        wfpw_shipper_hold(a->ship, 1); /* events wait in the spool until the certificate is there */
    wfpw_pipeline_set_hooks(a->pipe, on_notify, on_stats, a);
    if (rec.detail[0] || rec.bad_segments) {
        snprintf(msg, sizeof(msg), "spool recovered after an unclean stop: %s (%" PRIu64 " bytes cut, %" PRIu64
                 " corrupt records, %" PRIu64 " bad segments)", rec.detail, rec.torn_bytes, rec.corrupt_records,
                 rec.bad_segments);
        wfpw_log_warn("spool", "recovery", "%s", msg);
        wfpw_pipeline_emit_own(a->pipe, wfpw_event_agent_status(1, wfpw__plat_time_ms(), "degraded", msg));
    }
    snprintf(msg, sizeof(msg), "wfpwatch-agent %s started (%zu sources, %" PRIu64 " events waiting in the spool)",
             WFPW_AGENT_VERSION, a->nsources, rec.events);
    wfpw_pipeline_emit_own(a->pipe, wfpw_event_agent_status(1, wfpw__plat_time_ms(), "started", msg));
    for (i = 0; i < a->nsources; i++)
        if ((rc = a->sources[i].type->start(&a->sources[i])) != 0) {
            wfpw_log_error("agent", a->sources[i].name, "cannot start: %s", wfpw_strerror(rc));
            goto out;
        }
    wfpw_pipeline_start(a->pipe);
    uv_signal_init(&a->loop, &a->sigint);
    uv_signal_init(&a->loop, &a->sigterm);
    a->sigint.data = a->sigterm.data = a;
    uv_signal_start(&a->sigint, on_signal, SIGINT);
    uv_signal_start(&a->sigterm, on_signal, SIGTERM);
    uv_async_init(&a->loop, &a->stop_async, on_stop_request);
    a->stop_async.data = a;
    set_stop_handle(&a->stop_async);
    uv_timer_init(&a->loop, &a->check_timer);
    uv_timer_init(&a->loop, &a->flush_timer);
    a->check_timer.data = a->flush_timer.data = a;
    if (until_drained)
        uv_timer_start(&a->check_timer, on_check, 50, 50);
    uv_run(&a->loop, UV_RUN_DEFAULT);
    code = 0;
    wfpw_log_info("agent", "stop", "stopped");
out:
    if (code != 0) {
        for (i = 0; i < a->nsources; i++)
            a->sources[i].type->close(&a->sources[i]);
        if (a->pipe)
            wfpw_pipeline_stop(a->pipe);
        if (a->ship)
            wfpw_shipper_stop(a->ship);
        wfpw_creds_stop(a->creds);
        uv_run(&a->loop, UV_RUN_NOWAIT);
    }
    uv_run(&a->loop, UV_RUN_DEFAULT); /* close callbacks */
    if (uv_loop_close(&a->loop) != 0)
        wfpw_log_error("agent", "stop", "event loop still had open handles at exit");
    wfpw_shipper_free(a->ship);
    wfpw_creds_free(a->creds);
    wfpw_pipeline_free(a->pipe);
    wfpw_spool_close(a->spool);
    wfpw_free(a);
    wfpw_log_set_file(NULL);
    if (logf)
        fclose(logf);
    return code;
}
