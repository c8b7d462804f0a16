/*
 * main.c — wfpwatch-collector's command line: which command, then cli/ does it.
 *   pki init|issue, token create|list|revoke           (cli/cli_admin.c)
 *   enroll-token create|list|revoke, cert revoke|release|list|crl   (cli/cli_enroll.c)
 *   migrate --from sqlite:PATH --to postgres:DSN        (cli/cli_migrate.c)
 *   serve                                              (cli/serve.c)
 *   version
 * Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "store/store.h"
#include "wfpw/json.h"
#include "wfpw/log.h"

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    /* Each batch is a tree of tens of thousands of small blocks, freed at once when it is
     * stored. glibc's defaults hand that memory back to the kernel (trim) and take it again for
     * the next batch: page faults were 7% of the collector's CPU at ingest (perf). Keep up to
     * 64 MiB of freed heap, and keep bodies up to 16 MiB (the largest accepted) on the heap
     * rather than in mappings made and unmade per request. The collector is Linux-only. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
    wfpw_json_init();
    wfpw_log_set_clock(wfpw_now_ms);
    if (argc < 2)
        return wfpw_cli_usage();
    if (strcmp(argv[1], "version") == 0) {
        printf("wfpwatch-collector %s (SQLite store schema %d) protocol wfpwatch/1\n", WFPW_COLLECTOR_VERSION,
               wfpw_store_schema_version());
        return 0;
    }
    if (strcmp(argv[1], "pki") == 0)
        return wfpw_cli_pki(argc, argv);
    if (strcmp(argv[1], "token") == 0)
        return wfpw_cli_token(argc, argv);
    if (strcmp(argv[1], "enroll-token") == 0)
        return wfpw_cli_enroll_token(argc, argv);
    if (strcmp(argv[1], "cert") == 0)
        return wfpw_cli_cert(argc, argv);
    if (strcmp(argv[1], "migrate") == 0)
        return wfpw_cli_migrate(argc, argv);
    if (strcmp(argv[1], "serve") == 0) {
        int rc;
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = wfpw_cli_serve(argc, argv);
        curl_global_cleanup();
        return rc;
    }
    return wfpw_cli_usage();
}
