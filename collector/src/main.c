/*
 * main.c — wfpwatch-collector command line:
 *   pki init --dir DIR [--server-name NAME]...
 *   pki issue --dir DIR --name AGENT [--days N] [--not-before T --not-after T]
 *   token create|list|revoke --data DIR [--name NAME]
 *   enroll-token create|list|revoke ..., cert revoke|list|crl ...   (cli_enroll.c)
 *   serve [--config FILE] [--listen HOST:PORT] [--data DIR] [--pki DIR] [--store sqlite|none]
 *         [--log-level L]
 *   version
 * Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <uv.h>

#include "alert.h"
#include "ca.h"
#include "cli.h"
#include "enroll.h"
#include "clock.h"
#include "config.h"
#include "fsutil.h"
#include "pki.h"
#include "routes.h"
#include "server.h"
#include "storeq.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"

#define VERSION "0.1.0"

static int usage(void)
{
    fprintf(stderr,
            "usage: wfpwatch-collector <command> [options]\n"
            "  pki init --dir DIR [--server-name NAME]...       create a CA and server certificate\n"
            "  pki issue --dir DIR --name AGENT [--days N] [--not-before YYYYMMDDHHMMSS --not-after ...]\n"
            "  token create --data DIR --name NAME             print a new API token (once)\n"
            "  token list --data DIR | token revoke --data DIR --name NAME\n"
            "  enroll-token create --data DIR [--ttl 30d] [--max-uses N] [--name NAME]   print an enrollment token\n"
            "  enroll-token list --data DIR | enroll-token revoke --data DIR --id ID\n"
            "  cert revoke AGENTID --data DIR --pki DIR | cert list --data DIR | cert crl --data DIR --pki DIR\n"
            "  serve [--config FILE] [--listen HOST:PORT] [--data DIR] [--pki DIR] [--log-level L]\n"
            "  version\n");
    return 2;
}

static int cmd_pki(int argc, char **argv)
{
    char err[512];
    int bad = 0, rc;
    const char *dir;
    if (argc < 3)
        return usage();
    dir = wfpw_cli_opt(argc, argv, 3, "--dir", &bad);
    if (strcmp(argv[2], "init") == 0) {
        static const char *const flags[] = {"--dir", "--server-name", NULL};
        const char *names[32];
        size_t n = 0;
        int i;
        if (!wfpw_cli_only_flags(argc, argv, 3, flags) || dir == NULL || bad)
            return usage();
        for (i = 3; i + 1 < argc; i += 2)
            if (strcmp(argv[i], "--server-name") == 0 && n < 32)
                names[n++] = argv[i + 1];
        if (n == 0)
            names[n++] = "localhost";
        rc = wfpw_pki_init(dir, names, n, err, sizeof(err));
        if (rc) {
            fprintf(stderr, "wfpwatch-collector: pki init: %s\n", err);
            return rc == WFPW_EEXIST || rc == WFPW_EINVAL ? 2 : 1;
        }
        printf("created %s/ca.crt, ca.key, server.crt, server.key\n", dir);
        return 0;
    }
    if (strcmp(argv[2], "issue") == 0) {
        static const char *const flags[] = {"--dir", "--name", "--days", "--not-before", "--not-after", NULL};
        const char *name = wfpw_cli_opt(argc, argv, 3, "--name", &bad), *days = wfpw_cli_opt(argc, argv, 3, "--days", &bad);
        int d = 365;
        if (!wfpw_cli_only_flags(argc, argv, 3, flags) || dir == NULL || name == NULL || bad)
            return usage();
        if (days) {
            char *end;
            long v = strtol(days, &end, 10);
            if (*end || v < 1 || v > 3650) {
                fprintf(stderr, "wfpwatch-collector: --days must be 1..3650\n");
                return 2;
            }
            d = (int)v;
        }
        rc = wfpw_pki_issue(dir, name, d, wfpw_cli_opt(argc, argv, 3, "--not-before", &bad),
                            wfpw_cli_opt(argc, argv, 3, "--not-after", &bad), err, sizeof(err));
        if (rc) {
            fprintf(stderr, "wfpwatch-collector: pki issue: %s\n", err);
            return rc == WFPW_EINVAL || rc == WFPW_EEXIST ? 2 : 1;
        }
        printf("created %s/agents/%s.crt and %s.key\n", dir, name, name);
        return 0;
    }
    return usage();
}

static int cmd_token(int argc, char **argv)
{
    static const char *const flags[] = {"--data", "--name", NULL};
    struct wfpw_store *st;
    int bad = 0, rc;
    const char *data, *name;
    if (argc < 3 || !wfpw_cli_only_flags(argc, argv, 3, flags))
        return usage();
    data = wfpw_cli_opt(argc, argv, 3, "--data", &bad);
    name = wfpw_cli_opt(argc, argv, 3, "--name", &bad);
    if (data == NULL || bad)
        return usage();
    if (wfpw_cli_open_store(data, &st) != 0)
        return 1;
    if (strcmp(argv[2], "create") == 0 && name) {
        char token[80], hash[65];
        if (name[0] == '\0' || strlen(name) > 64) {
            fprintf(stderr, "wfpwatch-collector: --name must be 1..64 characters\n");
            wfpw_store_close(st);
            return 2;
        }
        if (wfpw_cli_new_secret("wfpw_", token) != 0) {
            fprintf(stderr, "wfpwatch-collector: random generator failed\n");
            wfpw_store_close(st);
            return 1;
        }
        wfpw_token_hash(token, hash);
        rc = wfpw_store_token_add(st, name, hash, wfpw_now_ms());
        wfpw_store_close(st);
        if (rc == WFPW_EEXIST) {
            fprintf(stderr, "wfpwatch-collector: a token named '%s' exists\n", name);
            return 2;
        }
        if (rc) {
            fprintf(stderr, "wfpwatch-collector: cannot store the token: %s\n", wfpw_strerror(rc));
            return 1;
        }
        printf("%s\n", token);
        fprintf(stderr, "token '%s' created; it is shown only now (only its SHA-256 is stored)\n", name);
        return 0;
    }
    if (strcmp(argv[2], "revoke") == 0 && name) {
        rc = wfpw_store_token_revoke(st, name, wfpw_now_ms());
        wfpw_store_close(st);
        if (rc == WFPW_ENOENT) {
            fprintf(stderr, "wfpwatch-collector: no active token named '%s'\n", name);
            return 2;
        }
        if (rc == 0)
            printf("revoked %s\n", name);
        return rc ? 1 : 0;
    }
    if (strcmp(argv[2], "list") == 0) {
        struct wfpw_buf b;
        wfpw_buf_init(&b, 1 << 24);
        rc = wfpw_store_token_list(st, &b);
        wfpw_store_close(st);
        return wfpw_cli_print(rc, &b);
    }
    wfpw_store_close(st);
    return usage();
}

/* ---- serve ------------------------------------------------------------------------------------- */

static struct {
    uv_loop_t *loop;
    uv_signal_t sigterm, sigint;
    uv_timer_t maintenance;
    struct wfpw_config cfg;
    struct wfpw_ca *ca;           /* signs enrollments (store thread); NULL: enrollment off */
    int stopping;
    int64_t last_retention_ms, last_silent_ms;
    int maint_busy;
} M;

#define PRUNE_CHUNK 2000

struct maint_job {
    struct wfpw_sjob job;
    int64_t now;
    int prune_only;               /* a follow-up job: one more retention chunk */
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
        n = wfpw_store_prune(st, mj->now, M.cfg.retention_max_age_days * 86400000LL,
                             M.cfg.retention_max_bytes, PRUNE_CHUNK);
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
    if (wfpw_storeq_submit(&mj->job, 1) != 0) {
        M.maint_busy = 0;
        wfpw_free(mj);
    }
}

static void on_maintenance(uv_timer_t *t)
{
    (void)t;
    submit_maintenance(0);
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
    if (strcmp(M.cfg.store, "none") == 0)
        wfpw_server_drain(on_store_stopped);
    else
        wfpw_server_drain(on_drained);
}

static int cmd_serve(int argc, char **argv)
{
    static const char *const flags[] = {"--config", "--listen", "--data", "--pki", "--store", "--log-level", NULL};
    static const char *const keys[] = {NULL, "listen", "data", "pki", "store", "log_level", NULL};
    struct wfpw_server_cfg scfg;
    struct wfpw_routes_cfg rcfg;
    struct wfpw_alert_cfg acfg;
    struct wfpw_store *st = NULL;
    const char *targets[2];
    struct wfpw_store_opts sopts;
    char err[1024], host[256], ca[1100], crt[1100], key[1100], crl[1100];
    struct wfpw_enroll_cfg ecfg;
    int bad = 0, i, port, rc, sqlite;
    const char *cfgfile;

    if (!wfpw_cli_only_flags(argc, argv, 2, flags))
        return usage();
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
    if (bad || wfpw_config_check(&M.cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-collector: config: %s\n", bad ? "a flag lacks its value" : err);
        return 2;
    }
    wfpw_log_set_level(wfpw_log_level_parse(M.cfg.log_level));
    wfpw_config_listen(&M.cfg, host, sizeof(host), &port);
    sqlite = strcmp(M.cfg.store, "sqlite") == 0;

    M.loop = uv_default_loop();
    if (sqlite) {
        size_t nt = 0;
        if ((rc = wfpw_fs_mkdirs(M.cfg.data, 0700)) != 0) {
            fprintf(stderr, "wfpwatch-collector: cannot create %s: %s\n", M.cfg.data, wfpw_strerror(rc));
            return 1;
        }
        if (M.cfg.webhook_url[0])
            targets[nt++] = "webhook";
        if (M.cfg.syslog_host[0])
            targets[nt++] = "syslog";
        sopts.alert_targets = targets;
        sopts.ntargets = nt;
        sopts.synchronous_full = 1;
        if (wfpw_store_open(M.cfg.data, &sopts, &st, err, sizeof(err)) != 0) {
            fprintf(stderr, "wfpwatch-collector: store: %s\n", err);
            return 1;
        }
        if (wfpw_storeq_start(M.loop, st, (size_t)M.cfg.store_queue) != 0) {
            fprintf(stderr, "wfpwatch-collector: cannot start the store thread\n");
            wfpw_store_close(st);
            return 1;
        }
        memset(&acfg, 0, sizeof(acfg));
        acfg.datadir = M.cfg.data;
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
    }
    rcfg.store_none = !sqlite;
    rcfg.max_body_bytes = (size_t)M.cfg.max_body_bytes;
    wfpw_routes_init(&rcfg);

    snprintf(ca, sizeof(ca), "%s/ca.crt", M.cfg.pki);
    snprintf(crt, sizeof(crt), "%s/server.crt", M.cfg.pki);
    snprintf(key, sizeof(key), "%s/server.key", M.cfg.pki);
    snprintf(crl, sizeof(crl), "%s/ca.crl", M.cfg.pki);
    memset(&ecfg, 0, sizeof(ecfg));
    ecfg.cert_validity_s = M.cfg.enroll_validity_s;
    ecfg.rate_per_minute = M.cfg.enroll_rate_per_minute;
    ecfg.rate_burst = M.cfg.enroll_rate_burst;
    if (sqlite) {
        char cakey[1100];
        snprintf(cakey, sizeof(cakey), "%s/ca.key", M.cfg.pki);
        if (!wfpw_fs_exists(cakey))
            wfpw_log_info("collector", "enroll", "no %s here: enrollment is off (agents need certificates from "
                          "`pki issue`)", cakey);
        else if (wfpw_ca_load(M.cfg.pki, &M.ca, err, sizeof(err)) != 0)
            wfpw_log_error("collector", "enroll", "enrollment is off: %s", err);
    }
    ecfg.ca = M.ca;
    wfpw_enroll_init(&ecfg);
    memset(&scfg, 0, sizeof(scfg));
    scfg.host = host;
    scfg.port = port;
    scfg.ca_file = ca;
    scfg.cert_file = crt;
    scfg.key_file = key;
    scfg.crl_file = crl;
    scfg.max_header_bytes = (size_t)M.cfg.max_header_bytes;
    scfg.max_body_bytes = (size_t)M.cfg.max_wire_body_bytes;
    scfg.max_connections = (int)M.cfg.max_connections;
    scfg.header_timeout_ms = (uint64_t)M.cfg.header_timeout_ms;
    scfg.body_timeout_ms = (uint64_t)M.cfg.body_timeout_ms;
    scfg.idle_timeout_ms = (uint64_t)M.cfg.idle_timeout_ms;
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
        uint64_t every = (uint64_t)(M.cfg.silent_after_s * 1000 / 4);
        if (every < 500)
            every = 500;
        if (every > 30000)
            every = 30000;
        uv_timer_start(&M.maintenance, on_maintenance, every, every);
    }
    wfpw_log_info("collector", NULL, "wfpwatch-collector %s listening on %s:%d (store: %s, data: %s)",
                  VERSION, host, wfpw_server_port(), M.cfg.store, M.cfg.data);
    printf("listening on %s:%d\n", host, wfpw_server_port());
    fflush(stdout);
    uv_run(M.loop, UV_RUN_DEFAULT);
    if (uv_loop_close(M.loop) != 0)
        wfpw_log_warn("collector", NULL, "event loop closed with handles still open");
    wfpw_store_close(st);
    wfpw_ca_free(M.ca);
    M.ca = NULL;
    wfpw_log_info("collector", NULL, "stopped");
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    wfpw_json_init();
    wfpw_log_set_clock(wfpw_now_ms);
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "version") == 0) {
        printf("wfpwatch-collector %s (SQLite store schema %d) protocol wfpwatch/1\n", VERSION,
               wfpw_store_schema_version());
        return 0;
    }
    if (strcmp(argv[1], "pki") == 0)
        return cmd_pki(argc, argv);
    if (strcmp(argv[1], "token") == 0)
        return cmd_token(argc, argv);
    if (strcmp(argv[1], "enroll-token") == 0)
        return wfpw_cli_enroll_token(argc, argv);
    if (strcmp(argv[1], "cert") == 0)
        return wfpw_cli_cert(argc, argv);
    if (strcmp(argv[1], "serve") == 0) {
        int rc;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = cmd_serve(argc, argv);
        curl_global_cleanup();
        return rc;
    }
    return usage();
}
