/*
 * svccmd.c — the service commands and restore-system (see svccmd.h).
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "agent.h"
#include "auditpol.h"
#include "config.h"
#include "wfpw/fileio.h"
#include "platform.h"
#include "svccmd.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"

#define DISPLAY "wfpwatch agent"
#define DESCRIPTION "Reports blocked network traffic and Windows Filtering Platform filter changes to the wfpwatch collector."

static const char *option(int argc, char **argv, const char *name)
{
    int i;
    for (i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static void default_config(char *out, size_t len)
{
    snprintf(out, len, "%s\\agent.json", wfpw__plat_data_dir());
}

/* ---- restore-system ------------------------------------------------------------------------- */

int wfpw_restore_system(const char *data_dir)
{
    char path[WFPW_CFG_STR_MAX + 32], err[512], *text = NULL;
    size_t len, n, i;
    int bad = 0;
    struct wfpw_audit_setting prev[WFPW_AUDIT_SUBCATS];

    snprintf(path, sizeof(path), "%s/auditpol.previous", data_dir);
    if (wfpw_file_read_all(path, 4096, &text, &len) == 0) {
        if (wfpw_audit_previous_parse(text, prev, &n, err, sizeof(err)) != 0) {
            fprintf(stderr, "wfpwatch-agent: %s: %s\n", path, err);
            bad = 1;
        } else {
            int failed = 0;
            for (i = 0; i < n; i++) {
                if (wfpw__plat_audit_set(prev[i].guid, prev[i].bits, err, sizeof(err)) != 0) {
                    fprintf(stderr, "wfpwatch-agent: audit policy %s: %s\n", prev[i].name, err);
                    failed = 1;
                } else {
                    printf("audit policy: %s audits %s again\n", prev[i].name, wfpw_audit_bits_text(prev[i].bits));
                }
            }
            if (!failed)
                wfpw_file_unlink(path);
            bad |= failed;
        }
        wfpw_free(text);
    }
    snprintf(path, sizeof(path), "%s/surface.sacl", data_dir);
    text = NULL;
    if (wfpw_file_read_all(path, 1u << 16, &text, &len) == 0) {
        /* the audit entries the surface source added ("inherit key" lines): removed again */
        char *line = text, *eol;
        int failed = 0;
        for (; line < text + len; line = eol + 1) {
            int inherit, changed = 0, rc;
            char *end;
            if ((eol = memchr(line, '\n', (size_t)(text + len - line))) == NULL)
                eol = text + len;
            *eol = '\0';
            for (end = eol; end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'); end--)
                end[-1] = '\0'; /* written on Windows or edited by hand */
            if (line[0] == '\0')
                continue;
            if ((line[0] != '0' && line[0] != '1') || line[1] != ' ' || line[2] == '\0') {
                fprintf(stderr, "wfpwatch-agent: %s: \"%.200s\" is not \"0|1 KEY\"\n", path, line);
                failed = 1;
                continue;
            }
            inherit = line[0] == '1';
            rc = wfpw__plat_reg_audit(line + 2, inherit, 0, &changed, err, sizeof(err));
            if (rc != 0 && rc != WFPW_ENOENT) {
                fprintf(stderr, "wfpwatch-agent: registry auditing: %s\n", err);
                failed = 1;
            } else {
                printf("registry auditing: the audit entry on HKLM\\%s %s\n", line + 2,
                       changed ? "removed" : "was no longer there");
            }
        }
        if (!failed)
            wfpw_file_unlink(path);
        bad |= failed;
        wfpw_free(text);
    }
    snprintf(path, sizeof(path), "%s/netevents.previous", data_dir);
    text = NULL;
    if (wfpw_file_read_all(path, 64, &text, &len) == 0) {
        struct wfpw__wfp *eng = NULL;
        int on = len > 0 && text[0] == '1';
        unsigned long kw = 0;
        int has_kw = sscanf(text, "%*d %lu", &kw) == 1; /* an older file names collection only */
        if (wfpw__plat_wfp_open(&eng, err, sizeof(err)) != 0 || wfpw__plat_wfp_collect_set(eng, on, err, sizeof(err)) != 0 ||
            (has_kw && wfpw__plat_wfp_keywords_set(eng, (uint32_t)kw, err, sizeof(err)) != 0)) {
            fprintf(stderr, "wfpwatch-agent: net event collection: %s\n", err);
            bad = 1;
        } else {
            printf("net event collection: %s again%s\n", on ? "on" : "off", has_kw ? " (and its keywords)" : "");
            wfpw_file_unlink(path);
        }
        wfpw__plat_wfp_close(eng);
        wfpw_free(text);
    }
    return bad;
}

/* ---- running as the service ----------------------------------------------------------------- */

static void to_event_log(int level, const char *line)
{
    wfpw__plat_event_report(WFPW_SERVICE_NAME, level == WFPW_LOG_ERROR, line);
}

struct run_ctx {
    const char *cfgpath;
};

/* Runs on the service's thread once the service manager has been told it runs: a
 * configuration that does not load is an error exit the manager sees (and its failure actions
 * retry), not a service that never answers. */
static int run_body(void *ctx)
{
    struct run_ctx *r = ctx;
    struct wfpw_agent_cfg cfg;
    char err[768];
    int rc;
    if (wfpw_agent_cfg_load(r->cfgpath, &cfg, err, sizeof(err)) != 0) {
        wfpw_log_error("service", "start", "%s", err);  /* also in the Application event log */
        wfpw_agent_cfg_free(&cfg);
        return 2;
    }
    if (wfpw__plat_secure_dir(cfg.data_dir, err, sizeof(err)) != 0)
        wfpw_log_error("service", "start", "data directory %s: %s", cfg.data_dir, err);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = wfpw_agent_run(&cfg, 0);
    curl_global_cleanup();
    wfpw_agent_cfg_free(&cfg);
    return rc;
}

static void run_stop(void *ctx)
{
    (void)ctx;
    wfpw_agent_request_stop();
}

static int service_run(int argc, char **argv)
{
    char path[WFPW_CFG_STR_MAX], err[768];
    struct run_ctx r;
    int rc;
    r.cfgpath = option(argc, argv, "--config");
    if (r.cfgpath == NULL) {
        default_config(path, sizeof(path));
        r.cfgpath = path;
    }
    wfpw_log_set_hook(WFPW_LOG_ERROR, to_event_log);
    rc = wfpw__plat_service_run(WFPW_SERVICE_NAME, run_body, run_stop, &r, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "wfpwatch-agent: %s\n", err);
    wfpw_log_set_hook(0, NULL);
    return rc == 0 ? 0 : 1;
}

/* ---- service install|uninstall|start|stop|status -------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: wfpwatch-agent service install [--config FILE] | uninstall [--config FILE] | start | stop | status\n");
    return 2;
}

static int install(int argc, char **argv)
{
    struct wfpw_agent_cfg cfg;
    char path[WFPW_CFG_STR_MAX], self[1024], command[3000], err[768];
    const char *cfgpath = option(argc, argv, "--config");
    int rc;
    if (cfgpath == NULL) {
        default_config(path, sizeof(path));
        cfgpath = path;
    }
    if (wfpw_agent_cfg_load(cfgpath, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-agent: not installed: the configuration does not load: %s\n", err);
        wfpw_agent_cfg_free(&cfg);
        return 2;
    }
    if (wfpw__plat_self_path(self, sizeof(self)) != 0) {
        fprintf(stderr, "wfpwatch-agent: cannot find this program's own path\n");
        wfpw_agent_cfg_free(&cfg);
        return 1;
    }
    if ((rc = wfpw__plat_secure_dir(cfg.data_dir, err, sizeof(err))) != 0) {
        fprintf(stderr, "wfpwatch-agent: data directory %s: %s\n", cfg.data_dir, err);
        wfpw_agent_cfg_free(&cfg);
        return 1;
    }
    snprintf(command, sizeof(command), "\"%s\" service-run --config \"%s\"", self, cfgpath);
    rc = wfpw__plat_service_install(WFPW_SERVICE_NAME, DISPLAY, DESCRIPTION, command, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "wfpwatch-agent: %s%s\n", err, rc == WFPW_EEXIST ? " (uninstall it first)" : "");
    } else {
        printf("installed service %s: %s\n", WFPW_SERVICE_NAME, command);
        printf("data directory %s: SYSTEM and Administrators only\n", cfg.data_dir);
    }
    wfpw_agent_cfg_free(&cfg);
    return rc == 0 ? 0 : 1;
}

static int uninstall(int argc, char **argv)
{
    struct wfpw_agent_cfg cfg;
    char path[WFPW_CFG_STR_MAX], err[768];
    const char *cfgpath = option(argc, argv, "--config"), *data_dir = wfpw__plat_data_dir();
    int rc = wfpw__plat_service_uninstall(WFPW_SERVICE_NAME, err, sizeof(err)), loaded;
    if (rc != 0 && rc != WFPW_ENOENT) {
        fprintf(stderr, "wfpwatch-agent: %s\n", err);
        return 1;
    }
    printf(rc == 0 ? "removed service %s\n" : "service %s was not installed\n", WFPW_SERVICE_NAME);
    if (cfgpath == NULL) {
        default_config(path, sizeof(path));
        cfgpath = path;
    }
    loaded = wfpw_agent_cfg_load(cfgpath, &cfg, err, sizeof(err)) == 0;
    if (loaded)
        data_dir = cfg.data_dir;
    rc = wfpw_restore_system(data_dir);
    wfpw_agent_cfg_free(&cfg);
    return rc == 0 ? 0 : 1;
}

int wfpw_service_control(const char *name, const char *what, const char *verb)
{
    char out[4096], err[768];
    int rc;
    if (strcmp(verb, "status") == 0) {
        if (wfpw__plat_service_status(name, out, sizeof(out), err, sizeof(err)) != 0) {
            fprintf(stderr, "wfpwatch-agent: %s\n", err);
            return 1;
        }
        fputs(out, stdout);
        return 0;
    }
    rc = strcmp(verb, "start") == 0 ? wfpw__plat_service_start(name, err, sizeof(err))
                                    : wfpw__plat_service_stop(name, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "wfpwatch-agent: %s\n", err);
        return 1;
    }
    printf("%s %s %s\n", what, name, strcmp(verb, "start") == 0 ? "running" : "stopped");
    return 0;
}

int wfpw_service_main(int argc, char **argv)
{
    char err[768];
    int rc;
    if (strcmp(argv[1], "service-run") == 0)
        return service_run(argc, argv);
    if (strcmp(argv[1], "restore-system") == 0) {
        struct wfpw_agent_cfg cfg;
        const char *cfgpath = option(argc, argv, "--config");
        const char *data_dir = option(argc, argv, "--data");
        int loaded = 0;
        if (data_dir == NULL && cfgpath) {
            if (wfpw_agent_cfg_load(cfgpath, &cfg, err, sizeof(err)) != 0) {
                fprintf(stderr, "wfpwatch-agent: %s\n", err);
                wfpw_agent_cfg_free(&cfg);
                return 2;
            }
            loaded = 1;
            data_dir = cfg.data_dir;
        }
        rc = wfpw_restore_system(data_dir ? data_dir : wfpw__plat_data_dir());
        if (loaded)
            wfpw_agent_cfg_free(&cfg);
        return rc == 0 ? 0 : 1;
    }
    if (argc < 3)
        return usage();
    if (strcmp(argv[2], "install") == 0)
        return install(argc, argv);
    if (strcmp(argv[2], "uninstall") == 0)
        return uninstall(argc, argv);
    if (strcmp(argv[2], "start") == 0 || strcmp(argv[2], "stop") == 0 || strcmp(argv[2], "status") == 0)
        return wfpw_service_control(WFPW_SERVICE_NAME, "service", argv[2]);
    return usage();
}
