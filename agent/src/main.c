/*
 * main.c — wfpwatch-agent command line.
 *
 * Commands: `run` (the pipeline, foreground), `check-config`, `config-help`, `parse-event`
 * (rendered event XML -> proto events, the live source's parser), `analyze` (the offline
 * EDR-silencer analyzer over a netsh dump), `version`; `service`, `service-run` and
 * `restore-system` are the Windows service (svccmd.h). Exit codes: 0 success, 1 could not
 * run, 2 bad usage, configuration or input, 3 `analyze` found something at --fail-on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "agent.h"
#include "analyze.h"
#include "config.h"
#include "devrec.h"
#include "drvconv.h"
#include <uv.h>

#include "evtxml.h"
#include "wfpw/fileio.h"
#include "jsoninv.h"
#include "netsh.h"
#include "platform.h"
#include "proctab.h"
#include "rules.h"
#include "drvcmd.h"
#include "surface.h"
#include "surfload.h"
#include "svccmd.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

static int usage(FILE *out)
{
    fprintf(out, "usage: wfpwatch-agent <command>\n"
                 "commands:\n"
                 "  run --config FILE [--until-drained]\n"
                 "             run the pipeline in the foreground until SIGINT/SIGTERM (or, with\n"
                 "             --until-drained, until every source finished and was delivered)\n"
                 "  check-config --config FILE\n"
                 "             validate and print the effective configuration (secrets masked)\n"
                 "  config-help  every configuration key, its default and meaning\n"
                 "  parse-event [--changes] FILE...\n"
                 "             rendered Security event XML -> proto v1 events as JSON lines; with\n"
                 "             --changes, the WFP policy changes (5441/5446/5447/5448/5450) instead\n"
                 "  parse-records FILE...\n"
                 "             recorded callout-driver output -> proto v1 events as JSON lines\n"
                 "  process [PID]\n"
                 "             who process PID (default: this one) is, as a filter change's changed_by\n"
                 "             would name it: image, command line, parent, account, start time (JSON)\n"
                 "  version    print the agent version, platform and protocol\n"
                 "  service install [--config FILE] | uninstall [--config FILE] | start | stop | status\n"
                 "             the Windows service (LocalSystem, automatic start, restart on failure);\n"
                 "             uninstall also restores the audit policy and net event settings\n"
                 "  driver install [--sys PATH] | uninstall | start | stop | status\n"
                 "             the callout driver as kernel service \"wfpwatch\" (demand start);\n"
                 "             uninstall stops the agent service around it\n"
                 "  restore-system [--config FILE | --data DIR]\n"
                 "             put back the audit policy and net event collection the agent changed\n"
                 "  analyze --filters FILE [--baseline FILE] [--format text|json] [--fail-on SEVERITY]\n"
                 "          [--product EXE]... [--collector IP[:PORT]]... [--endpoint IP[/LEN]]...\n"
                 "          [--allow-provider KEY]... [--self-exe NAME] [--self-sid SID]\n"
                 "             judge the filters of a netsh XML dump or a JSON inventory; exit 3 when a\n"
                 "             new finding reaches --fail-on (default high), 2 on bad input\n"
                 "  analyze --surface DIR [--baseline DIR] [--format text|json] [--fail-on SEVERITY]\n"
                 "          [--product EXE]... [--endpoint IP[/LEN]]...\n"
                 "             judge DIR/hosts and every DIR/*.reg (reg export: NRPT, QoS, proxy,\n"
                 "             persistent routes) for silencing outside WFP; exits as above.\n"
                 "             DIR \"live\": this host's registry, hosts file and route table (Windows)\n");
    return out == stderr ? 2 : 0;
}

#define MAX_LIST 64
/* DIR's hosts and .reg files into s, or this host's surface for the word "live" (a folder of
 * that name is ./live); 0, or 2 after saying what is wrong. A live reading's warning (a key it
 * may not read) is said and the reading used. */
static int load_surface(const char *dir, struct wfpw_surface *s)
{
    char err[640];
    int live = strcmp(dir, "live") == 0;
    if ((live ? wfpw_surface_load_live(s, err, sizeof(err)) : wfpw_surface_load_dir(s, dir, err, sizeof(err))) != 0) {
        fprintf(stderr, "wfpwatch-agent: %s%s\n", live ? "the live surface: " : "", err);
        return 2;
    }
    if (live && err[0])
        fprintf(stderr, "wfpwatch-agent: the live surface: %s\n", err);
    return 0;
}

static int analyze_surface(const char *dir, const char *baseline, const struct wfpw_rules_cfg *cfg, int text,
                           int threshold)
{
    struct wfpw_surface s, base;
    struct wfpw_surface_result res;
    struct wfpw_buf out;
    int rc;
    wfpw_surface_init(&s);
    wfpw_surface_init(&base);
    rc = load_surface(dir, &s);
    if (rc == 0 && baseline)
        rc = load_surface(baseline, &base);
    if (rc == 0) {
        wfpw_buf_init(&out, 1u << 30);
        rc = wfpw_surface_report(&s, baseline ? &base : NULL, cfg, text, &out, &res);
        if (rc == 0)
            fwrite(out.data, 1, out.len, stdout);
        else
            fprintf(stderr, "wfpwatch-agent: analyze: %s\n", wfpw_strerror(rc));
        wfpw_buf_free(&out);
        rc = rc ? 1 : res.worst_new >= threshold ? 3 : 0;
    }
    wfpw_surface_free(&s);
    wfpw_surface_free(&base);
    return rc;
}

static int cmd_analyze(int argc, char **argv)
{
    const char *filters = NULL, *surface = NULL, *baseline = NULL, *format = "text", *fail_on = "high";
    const char *products[MAX_LIST], *collector[MAX_LIST], *endpoints[MAX_LIST], *allow[MAX_LIST];
    struct wfpw_rules_cfg cfg;
    struct wfpw_inventory inv, base;
    struct wfpw_analysis res;
    struct wfpw_buf out;
    char err[512];
    int i, rc, threshold;

    memset(&cfg, 0, sizeof(cfg));
    cfg.extra_products = products, cfg.collector = collector, cfg.endpoints = endpoints, cfg.allow_providers = allow;
    for (i = 2; i < argc; i += 2) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            fprintf(stderr, "wfpwatch-agent: %s needs a value\n", k);
            return 2;
        }
        if (!strcmp(k, "--filters")) filters = v;
        else if (!strcmp(k, "--surface")) surface = v;
        else if (!strcmp(k, "--baseline")) baseline = v;
        else if (!strcmp(k, "--format")) format = v;
        else if (!strcmp(k, "--fail-on")) fail_on = v;
        else if (!strcmp(k, "--self-exe")) cfg.self_exe = v;
        else if (!strcmp(k, "--self-sid")) cfg.self_sid = v;
        else if (!strcmp(k, "--product") && cfg.nextra < MAX_LIST) products[cfg.nextra++] = v;
        else if (!strcmp(k, "--collector") && cfg.ncollector < MAX_LIST) collector[cfg.ncollector++] = v;
        else if (!strcmp(k, "--endpoint") && cfg.nendpoints < MAX_LIST) endpoints[cfg.nendpoints++] = v;
        else if (!strcmp(k, "--allow-provider") && cfg.nallow < MAX_LIST) allow[cfg.nallow++] = v;
        else {
            fprintf(stderr, "wfpwatch-agent: analyze: unknown option '%s'\n", k);
            return 2;
        }
    }
    threshold = wfpw_severity_rank(fail_on);
    if ((filters == NULL) == (surface == NULL) || threshold == 0 || (strcmp(format, "text") && strcmp(format, "json"))) {
        fprintf(stderr, "wfpwatch-agent: analyze needs --filters FILE or --surface DIR (not both); --format is "
                        "text or json; --fail-on is critical, high, medium or low\n");
        return 2;
    }
    if (surface)
        return analyze_surface(surface, baseline, &cfg, strcmp(format, "text") == 0, threshold);
    wfpw_inventory_init(&inv);
    wfpw_inventory_init(&base);
    {
        const char *bad = NULL;
        if (wfpw_inventory_read_file(filters, &inv, err, sizeof(err)) != 0)
            bad = filters;
        else if (baseline && wfpw_inventory_read_file(baseline, &base, err, sizeof(err)) != 0)
            bad = baseline;
        rc = bad != NULL;
        if (bad)
            fprintf(stderr, "wfpwatch-agent: %s: %s\n", bad, err);
    }
    if (rc) {
        wfpw_inventory_free(&inv);
        wfpw_inventory_free(&base);
        return 2;
    }
    wfpw_buf_init(&out, 1u << 30);
    rc = wfpw_analyze(&inv, baseline ? &base : NULL, &cfg, strcmp(format, "text") == 0, &out, &res);
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    else
        fprintf(stderr, "wfpwatch-agent: analyze: %s\n", wfpw_strerror(rc));
    wfpw_buf_free(&out);
    wfpw_inventory_free(&inv);
    wfpw_inventory_free(&base);
    if (rc)
        return 1;
    return res.worst_new >= threshold ? 3 : 0;
}

static const char *config_arg(int argc, char **argv, int *until_drained)
{
    const char *path = NULL;
    int i;
    for (i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            path = argv[++i];
        else if (until_drained && !strcmp(argv[i], "--until-drained"))
            *until_drained = 1;
        else {
            fprintf(stderr, "wfpwatch-agent: %s: unknown option '%s'\n", argv[1], argv[i]);
            return NULL;
        }
    }
    if (path == NULL)
        fprintf(stderr, "wfpwatch-agent: %s needs --config FILE\n", argv[1]);
    return path;
}

static int cmd_config(int argc, char **argv, int run)
{
    struct wfpw_agent_cfg cfg;
    char err[768];
    int until = 0, rc;
    const char *path = config_arg(argc, argv, run ? &until : NULL);
    if (path == NULL)
        return 2;
    if (wfpw_agent_cfg_load(path, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-agent: %s\n", err);
        wfpw_agent_cfg_free(&cfg);
        return 2;
    }
    if (run) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = wfpw_agent_run(&cfg, until);
        curl_global_cleanup();
    } else {
        struct wfpw_buf out;
        wfpw_buf_init(&out, 1 << 20);
        rc = wfpw_agent_cfg_print(&cfg, &out) == 0 ? 0 : 1;
        if (rc == 0)
            fwrite(out.data, 1, out.len, stdout);
        wfpw_buf_free(&out);
    }
    wfpw_agent_cfg_free(&cfg);
    return rc;
}

/* ctx: non-NULL with --changes (print the WFP policy changes instead of the proto events) */
static int print_event(void *ctx, struct wfpw_evtxml_event *e)
{
    struct wfpw_buf out;
    cJSON *doc = e->ev;
    if (ctx) {
        cJSON_Delete(e->ev);
        doc = e->change ? wfpw_policy_change_json(e->change) : NULL;
        if (doc == NULL)
            return 0;
    } else if (e->ev == NULL) {
        fprintf(stderr, "wfpwatch-agent: event %u (record %llu) skipped: %s\n", e->event_id,
                (unsigned long long)e->record_id, e->reason);
        return 0;
    }
    wfpw_buf_init(&out, 1 << 24);
    wfpw_json_write(doc, &out);
    cJSON_Delete(doc);
    wfpw_buf_putc(&out, '\n');
    if (out.err == 0)
        fwrite(out.data, 1, out.len, stdout);
    wfpw_buf_free(&out);
    return 0;
}

static int cmd_parse_event(int argc, char **argv)
{
    int i, bad = 0, first = 2, changes = argc > 2 && strcmp(argv[2], "--changes") == 0;
    first += changes;
    if (argc < first + 1) {
        fprintf(stderr, "wfpwatch-agent: parse-event needs one or more FILEs\n");
        return 2;
    }
    for (i = first; i < argc; i++) {
        struct wfpw_evtxml *p = wfpw_evtxml_new(NULL, print_event, changes ? &changes : NULL);
        char *data, err[512];
        size_t len;
        int rc = wfpw_file_read_all(argv[i], 256u << 20, &data, &len);
        if (rc != 0 || p == NULL) {
            fprintf(stderr, "wfpwatch-agent: %s: %s\n", argv[i], wfpw_strerror(rc ? rc : WFPW_ENOMEM));
            wfpw_evtxml_free(p);
            bad = 1;
            continue;
        }
        if (wfpw_evtxml_feed(p, data, len, 1, err, sizeof(err)) != 0) {
            fprintf(stderr, "wfpwatch-agent: %s: %s\n", argv[i], err);
            bad = 1;
        }
        wfpw_free(data);
        wfpw_evtxml_free(p);
    }
    fflush(stdout);
    return bad ? 2 : 0;
}

/* One driver record file (header + records): events on stdout, gaps and errors on stderr. */
static int parse_records_file(const char *path)
{
    struct wfpw_devseq seq = {0, 0};
    char *data, err[300];
    size_t len, off = WFPW_DEV_FILE_HEADER, used;
    unsigned major;
    int rc = wfpw_file_read_all(path, 1u << 30, &data, &len), bad = 0;
    if (rc != 0) {
        fprintf(stderr, "wfpwatch-agent: %s: %s\n", path, wfpw_strerror(rc));
        return 1;
    }
    if (wfpw_devrec_file_header((const uint8_t *)data, len, &major) != 0 || major != WFPW_DEV_VERSION_MAJOR) {
        fprintf(stderr, "wfpwatch-agent: %s: not a version %u driver record file (header \"%s\")\n", path,
                WFPW_DEV_VERSION_MAJOR, WFPW_DEV_FILE_MAGIC);
        wfpw_free(data);
        return 1;
    }
    while (off < len) {
        struct wfpw_devrec rec;
        struct wfpw_buf out;
        const char *why;
        int64_t gap;
        int packet;
        cJSON *ev;
        if (wfpw_devrec_next((const uint8_t *)data + off, len - off, &seq, &rec, &used, &gap, &why) != 0) {
            fprintf(stderr, "wfpwatch-agent: %s: %s record at byte %zu\n", path, why, off);
            bad = 1;
            break;
        }
        if (gap > 0)
            fprintf(stderr, "wfpwatch-agent: %s: %lld records missing before record %llu (the driver's ring was full)\n",
                    path, (long long)gap, (unsigned long long)rec.seq);
        if ((ev = wfpw_drv_to_event(&rec, &packet, err, sizeof(err))) == NULL) {
            fprintf(stderr, "wfpwatch-agent: %s: %s\n", path, err);
            bad = 1;
        } else {
            wfpw_buf_init(&out, 1 << 24);
            wfpw_json_write(ev, &out);
            cJSON_Delete(ev);
            wfpw_buf_putc(&out, '\n');
            fwrite(out.data, 1, out.len, stdout);
            wfpw_buf_free(&out);
        }
        off += used;
    }
    wfpw_free(data);
    return bad;
}

static int cmd_parse_records(int argc, char **argv)
{
    int i, bad = 0;
    if (argc < 3) {
        fprintf(stderr, "wfpwatch-agent: parse-records needs one or more FILEs\n");
        return 2;
    }
    for (i = 2; i < argc; i++)
        bad |= parse_records_file(argv[i]);
    fflush(stdout);
    return bad ? 2 : 0;
}

/* The live process query a filter change's attribution makes (proctab.h), for responders
 * and for testing the platform's process calls where they really run (Wine). */
static int cmd_process(int argc, char **argv)
{
    char *end = NULL;
    long long pid = argc > 2 ? strtoll(argv[2], &end, 10) : (long long)uv_os_getpid();
    struct wfpw_proc_found *f;
    cJSON *j;
    char *text;
    if (argc > 3 || (argc > 2 && (end == argv[2] || *end != '\0' || pid < 0 || pid > 0xFFFFFFFFll))) {
        fprintf(stderr, "wfpwatch-agent: process takes one process id (a number), or none for itself\n");
        return 2;
    }
    if ((f = wfpw_proc_resolve(NULL, wfpw__plat_process_query, 0, pid, wfpw__plat_time_ms())) == NULL ||
        (j = wfpw_proc_found_json(f)) == NULL) {
        fprintf(stderr, "wfpwatch-agent: out of memory\n");
        wfpw_proc_found_free(f);
        return 2;
    }
    cJSON_AddNumberToObject(j, "process_id", (double)pid);
    text = cJSON_PrintUnformatted(j);
    if (text != NULL)
        printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(j);
    pid = f->from == WFPW_PROC_UNRESOLVED;
    wfpw_proc_found_free(f);
    return pid ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    wfpw_log_set_clock(wfpw__plat_time_ms);
    if (strcmp(argv[1], "version") == 0) {
        printf("wfpwatch-agent %s (%s) protocol %s\n", WFPW_AGENT_VERSION, wfpw__plat_name(),
               WFPW_PROTO_SCHEMA);
        return 0;
    }
    if (strcmp(argv[1], "analyze") == 0) {
        wfpw_json_init();
        return cmd_analyze(argc, argv);
    }
    wfpw_json_init();
    if (strcmp(argv[1], "run") == 0)
        return cmd_config(argc, argv, 1);
    if (strcmp(argv[1], "check-config") == 0)
        return cmd_config(argc, argv, 0);
    if (strcmp(argv[1], "parse-records") == 0)
        return cmd_parse_records(argc, argv);
    if (strcmp(argv[1], "service") == 0 || strcmp(argv[1], "service-run") == 0 || strcmp(argv[1], "restore-system") == 0)
        return wfpw_service_main(argc, argv);
    if (strcmp(argv[1], "driver") == 0)
        return wfpw_driver_main(argc, argv);
    if (strcmp(argv[1], "parse-event") == 0)
        return cmd_parse_event(argc, argv);
    if (strcmp(argv[1], "process") == 0)
        return cmd_process(argc, argv);
    if (strcmp(argv[1], "config-help") == 0) {
        struct wfpw_buf out;
        wfpw_buf_init(&out, 1 << 20);
        wfpw_agent_cfg_help(&out);
        fwrite(out.data, 1, out.len, stdout);
        wfpw_buf_free(&out);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0)
        return usage(stdout);
    fprintf(stderr, "wfpwatch-agent: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
