/*
 * main.c — wfpwatch-agent command line.
 *
 * Commands: `version`, `analyze` (the offline EDR-silencer analyzer over a netsh dump). The
 * pipeline (`run`, `check-config`), `parse-event` and `service` arrive with their issues;
 * until then the agent says plainly that a command does not exist rather than pretending.
 * Exit codes: 0 success, 2 bad usage or input, 3 `analyze` found something at --fail-on.
 */
#include <stdio.h>
#include <string.h>

#include "analyze.h"
#include "jsoninv.h"
#include "netsh.h"
#include "platform.h"
#include "rules.h"
#include "wfpw/errors.h"
#include "wfpw/proto.h"

#define WFPW_AGENT_VERSION "0.1.0"

static int usage(FILE *out)
{
    fprintf(out, "usage: wfpwatch-agent <command>\n"
                 "commands:\n"
                 "  version    print the agent version, platform and protocol\n"
                 "  analyze --filters FILE [--baseline FILE] [--format text|json] [--fail-on SEVERITY]\n"
                 "          [--product EXE]... [--collector IP[:PORT]]... [--endpoint IP[/LEN]]...\n"
                 "          [--allow-provider KEY]... [--self-exe NAME] [--self-sid SID]\n"
                 "             judge the filters of a netsh XML dump or a JSON inventory; exit 3 when a\n"
                 "             new finding reaches --fail-on (default high), 2 on bad input\n");
    return out == stderr ? 2 : 0;
}

#define MAX_LIST 64

static int cmd_analyze(int argc, char **argv)
{
    const char *filters = NULL, *baseline = NULL, *format = "text", *fail_on = "high";
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
    if (filters == NULL || threshold == 0 || (strcmp(format, "text") && strcmp(format, "json"))) {
        fprintf(stderr, "wfpwatch-agent: analyze needs --filters FILE; --format is text or json; "
                        "--fail-on is critical, high, medium or low\n");
        return 2;
    }
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

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "version") == 0) {
        printf("wfpwatch-agent %s (%s) protocol %s\n", WFPW_AGENT_VERSION, wfpw__plat_name(),
               WFPW_PROTO_SCHEMA);
        return 0;
    }
    if (strcmp(argv[1], "analyze") == 0) {
        wfpw_json_init();
        return cmd_analyze(argc, argv);
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0)
        return usage(stdout);
    fprintf(stderr, "wfpwatch-agent: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
