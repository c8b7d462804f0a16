/*
 * ingestcost.c — what decoding and the canonical re-encoding cost the collector at ingest
 * (benchmark, not a test). One 1000-event batch of the same shape the agent sends
 * (connection_blocked events with process, filter and origin, plus filter changes and alerts
 * from tests/proto/samples.c) is, in turn and in the same run:
 *   parse heap   wfpw_json_parse_bounded + cJSON_Delete: a malloc and a free per value
 *   parse arena  wfpw_json_parse_arena + wfpw_arena_free: the same parse, the tree in an arena
 *   decode       wfpw_batch_decode (strict parse into an arena + validation)
 *   decode+enc   the same plus wfpw_json_write of every event (what ingest does: the stored
 *                and served bytes are the collector's own encoding)
 * Reports CPU µs per batch and per event for each (the process's CPU time, getrusage), the
 * arena's saving and the re-encoding's share. With the collector's malloc settings
 * (collector/src/main.c: no heap trimming between batches). One thread: in the collector the
 * tree is built on a decoder thread and freed on the store's, which costs the heap more.
 *
 * usage: wfpw-ingestcost [ITERATIONS]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "proto/samples.h"
#include "wfpw/arena.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 200, i, pass;
    static const char *const types[] = {"connection_blocked", "connection_blocked", "connection_blocked",
                                        "connection_blocked", "filter_added", "alert", "heartbeat"};
    struct wfpw_batch *b = wfpw_batch_new(wfpw_sample_agent(), "6f1c2a9e-3b7d-4c15-9a0e-8d2f4b6c1e07", 1763781401250LL);
    struct wfpw_buf doc, enc;
    static const char *const names[] = {"parse heap", "parse arena", "decode", "decode+enc"};
    double t[4];
    size_t n = 1000, k;
    mallopt(M_TRIM_THRESHOLD, 64 << 20); /* as collector/src/main.c */
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
    for (k = 0; k < n; k++)
        if (wfpw_batch_add(b, wfpw_sample_event(types[k % 7], k + 1), NULL) != 0)
            return 1;
    wfpw_buf_init(&doc, 64u << 20);
    wfpw_buf_init(&enc, 64u << 20);
    if (wfpw_batch_encode(b, &doc) != 0)
        return 1;
    wfpw_batch_free(b);
    for (pass = 0; pass < 4; pass++) {
        double t0 = cpu_s();
        for (i = 0; i < iters; i++) {
            struct wfpw_batch *d = NULL;
            struct wfpw_proto_err err;
            struct wfpw_json_err jerr;
            struct wfpw_arena a;
            cJSON *root;
            const cJSON *ev;
            if (pass == 0) {
                if (wfpw_json_parse_bounded(doc.data, doc.len, WFPW_PROTO_MAX_DEPTH, WFPW_PROTO_MAX_TOKENS, &root,
                                            &jerr) != 0)
                    return 1;
                cJSON_Delete(root);
                continue;
            }
            if (pass == 1) {
                wfpw_arena_init(&a);
                if (wfpw_json_parse_arena(doc.data, doc.len, WFPW_PROTO_MAX_DEPTH, WFPW_PROTO_MAX_TOKENS, &a, &root,
                                          &jerr) != 0)
                    return 1;
                wfpw_arena_free(&a);
                continue;
            }
            if (wfpw_batch_decode(doc.data, doc.len, &d, &err) != 0)
                return 1;
            if (pass == 3) {
                wfpw_buf_reset(&enc);
                for (ev = wfpw_batch_events(d)->child; ev; ev = ev->next)
                    wfpw_json_write(ev, &enc);
            }
            wfpw_batch_free(d);
        }
        t[pass] = cpu_s() - t0;
    }
    printf("# batch: %zu events, %zu bytes; %d iterations each, CPU time of this process\n", n, doc.len, iters);
    for (pass = 0; pass < 4; pass++)
        printf("%-12s %10.1f us/batch %8.3f us/event\n", names[pass], t[pass] / iters * 1e6,
               t[pass] / iters / (double)n * 1e6);
    printf("the arena saves %.1f%% of parsing\n", (t[0] - t[1]) / t[0] * 100.0);
    printf("re-encoding adds %.1f%% to decoding\n", (t[3] - t[2]) / t[2] * 100.0);
    wfpw_buf_free(&doc);
    wfpw_buf_free(&enc);
    return 0;
}
