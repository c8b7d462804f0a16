/*
 * serve.c — `wfpwatch-collector serve`: settings (defaults, --config, flags), then the pieces
 * wired together in the order a request meets them: the store and its thread, the API token
 * set, alert delivery, the API, the TLS server; maintenance (silent hosts, retention) on a
 * timer; SIGTERM/SIGINT drain connections, finish store jobs and exit 0.
 */
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "alert/alert.h"
#include "api/auth.h"
#include "api/enroll.h"
#include "api/routes.h"
#include "cli/cli.h"
#include "cli/config.h"
#include "core/clock.h"
#include "wfpw/fileio.h"
#include "net/server.h"
#include "pki/ca.h"
#include "store/storeq.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"

#define PRUNE_CHUNK 2000

static struct {
    uv_loop_t *loop;
    uv_signal_t sigterm, sigint;
    uv_timer_t maintenance;
    struct wfpw_config cfg;
    struct wfpw_ca *ca;           /* signs enrollments (store thread); NULL: enrollment off */
    struct wfpw_store *reader;    /* owned: the API's read-only connection (reader thread) */
    int stopping;
    int64_t last_retention_ms;
    int maint_busy;
} M;

struct maint_job {
    struct wfpw_sjob job;
    int64_t now;
    int prune_only;               /* a follow-up job: one more retention chunk */
    int retention_ran;
    int silent_found, pruned;
};

static void submit_maintenance(int prune_only);

/* One maintenance job: the silent-host check and at most one retention chunk, so ingest
 * jobs queued meanwhile run between chunks; a full chunk schedules the next one. */
static void maint_run(struct wfpw_store *st, struct wfpw_sjob *j)
{
    struct maint_job *mj = (struct maint_job *)j;
    int n;
    if (!mj->prune_only && M.cfg.silent_after_s > 0)
        mj->silent_found = wfpw_store_check_silent(st, mj->now, M.cfg.silent_after_s * 1000);
    if (mj->prune_only || mj->now - M.last_retention_ms >= M.cfg.retention_interval_s * 1000) {
        if (!mj->prune_only)
            M.last_retention_ms = mj->now;
        mj->retention_ran = 1;
        n = wfpw_store_prune(st, mj->now, M.cfg.retention_max_age_days * 86400000LL, M.cfg.retention_max_bytes,
                             PRUNE_CHUNK);
        mj->pruned = n > 0 ? n : 0;
    }
}

static void maint_done(struct wfpw_sjob *j)
{
    struct maint_job *mj = (struct maint_job *)j;
    int more = mj->pruned == PRUNE_CHUNK;
    if (mj->silent_found > 0)
        wfpw_log_warn("collector", "hosts", "%d host(s) went silent", mj->silent_found);
    if (mj->pruned > 0)
        wfpw_log_info("collector", "retention", "deleted %d old events", mj->pruned);
    else if (mj->retention_ran && !mj->prune_only)
        wfpw_log_debug("collector", "retention", "nothing over the limits");
    M.maint_busy = 0;
    wfpw_free(mj);
    if (more && !M.stopping)
        submit_maintenance(1);
}

static void submit_maintenance(int prune_only)
{
    struct maint_job *mj;
    if (M.maint_busy || M.stopping)
        return;
    mj = wfpw_calloc(1, sizeof(*mj));
    if (mj == NULL)
        return;
    mj->now = wfpw_now_ms();
    mj->prune_only = prune_only;
    mj->job.run = maint_run;
    mj->job.done = maint_done;
    M.maint_busy = 1;
    /* maintenance may exceed the queue bound: it is never refused with 429 */
    if (wfpw_storeq_submit(&mj->job, WFPW_SQ_FORCE) != 0) {
        M.maint_busy = 0;
        wfpw_free(mj);
    }
}

static void on_maintenance(uv_timer_t *t)
{
    (void)t;
    submit_maintenance(0);
}

/* How often maintenance looks: often enough for both the silent-host check (a quarter of
 * silent_after_s) and retention (retention.interval_s), at least every 30 s, at most every
 * 0.5 s. */
uint64_t wfpw__serve_maintenance_ms(const struct wfpw_config *c)
{
    uint64_t every = (uint64_t)(c->silent_after_s * 1000 / 4);
    if ((uint64_t)c->retention_interval_s * 1000 < every)
        every = (uint64_t)c->retention_interval_s * 1000;
    if (every < 500)
        every = 500;
    if (every > 30000)
        every = 30000;
    return every;
}

static void on_closed(uv_handle_t *h)
{
    (void)h;
}

static void on_store_stopped(void)
{
    wfpw_alert_stop();
    uv_close((uv_handle_t *)&M.sigterm, on_closed);
    uv_close((uv_handle_t *)&M.sigint, on_closed);
    uv_close((uv_handle_t *)&M.maintenance, on_closed);
}

static void on_drained(void)
{
    wfpw_log_info("collector", NULL, "connections closed; finishing store jobs");
    wfpw_storeq_stop(on_store_stopped);
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)s;
    if (M.stopping)
        return;
    M.stopping = 1;
    wfpw_log_info("collector", NULL, "signal %d: no new connections, finishing in-flight requests", signum);
    uv_timer_stop(&M.maintenance);
    wfpw_auth_stop();
    wfpw_enroll_stop();
    if (strcmp(M.cfg.store, "none") == 0)
        wfpw_server_drain(on_store_stopped);
    else
        wfpw_server_drain(on_drained);
}

/* A fleet keeps its connections open: one descriptor each. The soft limit on descriptors is
 * raised to the hard one (the systemd unit sets LimitNOFILE), and a max_connections the limit
 * cannot hold is said at start, not found out at the first EMFILE. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t was = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            rl.rlim_cur = was;
    }
    /* the store, the listener, logs and alert sockets need a few dozen besides the agents */
    if (rl.rlim_cur != RLIM_INFINITY && (int64_t)rl.rlim_cur < M.cfg.max_connections + 64)
        wfpw_log_warn("collector", NULL, "open files limited to %llu: fewer than limits.max_connections (%lld) "
                      "connections can be open at once (raise LimitNOFILE / ulimit -Hn)",
                      (unsigned long long)rl.rlim_cur, (long long)M.cfg.max_connections);
    else
        wfpw_log_debug("collector", NULL, "open files limit %llu", (unsigned long long)rl.rlim_cur);
}

/* The store, its thread, the token set and alert delivery; 0 or the exit code. */
static int start_store(struct wfpw_store **st, int *crl_required)
{
    const char *targets[2];
    struct wfpw_store_opts sopts;
    struct wfpw_alert_cfg acfg;
    char err[1024];
    size_t nt = 0;
    int rc, postgres = strcmp(M.cfg.store, "postgres") == 0;
    if (!postgres && (rc = wfpw_dir_make_mode(M.cfg.data, 0700)) != 0) {
        fprintf(stderr, "wfpwatch-collector: cannot create %s: %s\n", M.cfg.data, wfpw_strerror(rc));
        return 1;
    }
    memset(&sopts, 0, sizeof(sopts));
    if (M.cfg.webhook_url[0])
        targets[nt++] = "webhook";
    if (M.cfg.syslog_host[0])
        targets[nt++] = "syslog";
    sopts.alert_targets = targets;
    sopts.ntargets = nt;
    sopts.synchronous_full = 1;
    if (postgres) {
        sopts.kind = WFPW_STORE_POSTGRES;
        sopts.dsn = M.cfg.postgres_dsn;
    }
    if (wfpw_store_open(M.cfg.data, &sopts, st, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-collector: store: %s\n", err);
        return 1;
    }
    if ((rc = wfpw_auth_load(*st)) != 0 || (rc = wfpw_store_has_revocations(*st, crl_required)) != 0) {
        fprintf(stderr, "wfpwatch-collector: store: cannot read the API tokens or revocations: %s\n",
                wfpw_strerror(rc));
        return 1;
    }
    /* a quarter of the queue is kept for agents: readers can never keep ingest out; SIEM
     * queries run on a reader thread with a connection of their own (never behind commits) */
    sopts.readonly = 1;
    if (wfpw_store_open(M.cfg.data, &sopts, &M.reader, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-collector: store (reader): %s\n", err);
        return 1;
    }
    if (wfpw_storeq_start(M.loop, *st, (size_t)M.cfg.store_queue, (size_t)(M.cfg.store_queue / 4)) != 0 ||
        wfpw_storeq_start_reader(M.loop, M.reader, (size_t)(M.cfg.store_queue - M.cfg.store_queue / 4)) != 0 ||
        wfpw_auth_start(M.loop, 1000) != 0) {
        fprintf(stderr, "wfpwatch-collector: cannot start the store thread\n");
        return 1;
    }
    memset(&acfg, 0, sizeof(acfg));
    acfg.datadir = M.cfg.data;
    acfg.store_kind = sopts.kind;
    acfg.dsn = sopts.dsn;
    acfg.webhook_url = M.cfg.webhook_url[0] ? M.cfg.webhook_url : NULL;
    acfg.webhook_ca = M.cfg.webhook_ca[0] ? M.cfg.webhook_ca : NULL;
    acfg.webhook_timeout_ms = M.cfg.webhook_timeout_ms;
    acfg.syslog_host = M.cfg.syslog_host[0] ? M.cfg.syslog_host : NULL;
    acfg.syslog_port = (int)M.cfg.syslog_port;
    acfg.syslog_tcp = strcmp(M.cfg.syslog_protocol, "tcp") == 0;
    acfg.retry_max_ms = M.cfg.alert_retry_max_s * 1000;
    acfg.poll_ms = M.cfg.alert_poll_ms;
    if (wfpw_alert_start(&acfg) != 0) {
        fprintf(stderr, "wfpwatch-collector: cannot start alert delivery\n");
        return 1;
    }
    return 0;
}

int wfpw_cli_serve(int argc, char **argv)
{
    static const char *const flags[] = {"--config", "--listen", "--data", "--pki", "--store", "--dsn", "--log-level",
                                        NULL};
    static const char *const keys[] = {NULL, "listen", "data", "pki", "store", "postgres.dsn", "log_level", NULL};
    struct wfpw_server_cfg scfg;
    struct wfpw_api_cfg acfg;
    struct wfpw_enroll_cfg ecfg;
    struct wfpw_store *st = NULL;
    char err[1024], host[256], ca[1100], crt[1100], key[1100], crl[1100];
    int bad = 0, i, port, rc, sqlite, crl_required = 0;
    const char *cfgfile;

    if (!wfpw_cli_only_flags(argc, argv, 2, flags))
        return wfpw_cli_usage();
    wfpw_config_defaults(&M.cfg);
    cfgfile = wfpw_cli_opt(argc, argv, 2, "--config", &bad);
    if (cfgfile && wfpw_config_load(&M.cfg, cfgfile, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-collector: config: %s\n", err);
        return 2;
    }
    for (i = 1; flags[i]; i++) {
        const char *v = wfpw_cli_opt(argc, argv, 2, flags[i], &bad);
        if (v && wfpw_config_set(&M.cfg, keys[i], v, err, sizeof(err)) != 0) {
            fprintf(stderr, "wfpwatch-collector: %s\n", err);
            return 2;
        }
    }
    /* --dsn alone names the PostgreSQL store */
    if (wfpw_cli_opt(argc, argv, 2, "--dsn", &bad)) {
        wfpw_cli_dsn_warn(wfpw_cli_opt(argc, argv, 2, "--dsn", &bad));
        if (!wfpw_cli_opt(argc, argv, 2, "--store", &bad))
            snprintf(M.cfg.store, sizeof(M.cfg.store), "postgres");
    }
    if (bad || wfpw_config_check(&M.cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-collector: config: %s\n", bad ? "a flag lacks its value" : err);
        return 2;
    }
    wfpw_log_set_level(wfpw_log_level_parse(M.cfg.log_level));
    wfpw_config_listen(&M.cfg, host, sizeof(host), &port);
    sqlite = strcmp(M.cfg.store, "none") != 0; /* a store (SQLite or PostgreSQL) */

    M.loop = uv_default_loop();
    raise_fd_limit();
    if (sqlite && (rc = start_store(&st, &crl_required)) != 0) {
        wfpw_store_close(M.reader);
        wfpw_store_close(st);
        return rc;
    }
    memset(&acfg, 0, sizeof(acfg));
    acfg.loop = M.loop;
    acfg.store_none = !sqlite;
    acfg.max_body_bytes = (size_t)M.cfg.max_body_bytes;
    acfg.max_wire_body_bytes = (size_t)M.cfg.max_wire_body_bytes;
    acfg.max_batches_in_flight = (int)M.cfg.max_batches_in_flight;
    wfpw_api_init(&acfg);

    snprintf(ca, sizeof(ca), "%s/ca.crt", M.cfg.pki);
    snprintf(crt, sizeof(crt), "%s/server.crt", M.cfg.pki);
    snprintf(key, sizeof(key), "%s/server.key", M.cfg.pki);
    snprintf(crl, sizeof(crl), "%s/ca.crl", M.cfg.pki);
    memset(&ecfg, 0, sizeof(ecfg));
    ecfg.cert_validity_s = M.cfg.enroll_validity_s;
    ecfg.rate_per_minute = M.cfg.enroll_rate_per_minute;
    ecfg.rate_burst = M.cfg.enroll_rate_burst;
    ecfg.renew_per_hour = M.cfg.renew_per_hour;
    ecfg.max_checks = (int)M.cfg.enroll_checks;
    ecfg.pkidir = M.cfg.pki;
    ecfg.loop = M.loop;
    if (sqlite) {
        char cakey[1100];
        snprintf(cakey, sizeof(cakey), "%s/ca.key", M.cfg.pki);
        if (!wfpw_file_exists(cakey))
            wfpw_log_info("collector", "enroll", "no %s here: enrollment is off (agents need certificates from "
                          "`pki issue`)", cakey);
        else if (wfpw_ca_load(M.cfg.pki, &M.ca, err, sizeof(err)) != 0)
            wfpw_log_error("collector", "enroll", "enrollment is off: %s", err);
    }
    ecfg.ca = M.ca;
    wfpw_enroll_init(&ecfg);
    if (strcmp(M.cfg.store, "postgres") == 0)  /* other collectors may revoke: follow the store */
        wfpw_enroll_watch_revocations(1000);
    memset(&scfg, 0, sizeof(scfg));
    scfg.host = host;
    scfg.port = port;
    scfg.ca_file = ca;
    scfg.cert_file = crt;
    scfg.key_file = key;
    scfg.crl_file = crl;
    scfg.crl_required = crl_required;
    scfg.max_header_bytes = (size_t)M.cfg.max_header_bytes;
    scfg.max_body_bytes = (size_t)M.cfg.max_wire_body_bytes;
    scfg.max_connections = (int)M.cfg.max_connections;
    scfg.max_connections_per_address = (int)M.cfg.max_connections_per_address;
    scfg.handshakes_per_address_per_s = (int)M.cfg.handshakes_per_address_per_s;
    scfg.header_timeout_ms = (uint64_t)M.cfg.header_timeout_ms;
    scfg.body_timeout_ms = (uint64_t)M.cfg.body_timeout_ms;
    scfg.idle_timeout_ms = (uint64_t)M.cfg.idle_timeout_ms;
    scfg.write_timeout_ms = (uint64_t)M.cfg.write_timeout_ms;
    scfg.max_pending_write_bytes = (size_t)M.cfg.max_pending_write_bytes;
    scfg.handler = &wfpw_api_handler;
    if (wfpw_server_start(M.loop, &scfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-collector: %s\n", err);
        return 1;
    }
    uv_signal_init(M.loop, &M.sigterm);
    uv_signal_init(M.loop, &M.sigint);
    uv_signal_start(&M.sigterm, on_signal, SIGTERM);
    uv_signal_start(&M.sigint, on_signal, SIGINT);
    uv_timer_init(M.loop, &M.maintenance);
    if (sqlite) {
        uint64_t every = wfpw__serve_maintenance_ms(&M.cfg);
        uv_timer_start(&M.maintenance, on_maintenance, every, every);
    }
    wfpw_log_info("collector", NULL, "wfpwatch-collector %s listening on %s:%d (store: %s%s%s)", WFPW_COLLECTOR_VERSION,
                  host, wfpw_server_port(), M.cfg.store, strcmp(M.cfg.store, "sqlite") == 0 ? ", data: " : "",
                  strcmp(M.cfg.store, "sqlite") == 0 ? M.cfg.data : "");
    printf("listening on %s:%d\n", host, wfpw_server_port());
    fflush(stdout);
    uv_run(M.loop, UV_RUN_DEFAULT);
    if (uv_loop_close(M.loop) != 0)
        wfpw_log_warn("collector", NULL, "event loop closed with handles still open");
    wfpw_store_close(M.reader);
    M.reader = NULL;
    wfpw_store_close(st);
    wfpw_auth_free();
    wfpw_ca_free(M.ca);
    M.ca = NULL;
    wfpw_log_info("collector", NULL, "stopped");
    return 0;
}
