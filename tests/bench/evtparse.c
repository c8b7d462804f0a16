/*
 * evtparse.c — benchmark (not a test): rendered Security events through the parser the way the
 * live `eventlog` source does it (a fresh parser per event, as EvtRender hands them over one by
 * one) and the way the replay source does (one parser for a whole file), on the real 5157
 * sample and our 26-event demo capture; reports events per CPU-second.
 *   usage: wfpw-evtparse FILE N    (FILE: rendered <Event>s; N: events to parse)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evtxml.h"
#include "wfpw/fileio.h"
#include "wfpw/mem.h"

static unsigned long long converted;

static int count(void *ctx, struct wfpw_evtxml_event *e)
{
    (void)ctx;
    converted += e->ev != NULL;
    cJSON_Delete(e->ev);
    return 0;
}

static double cpu_s(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

int main(int argc, char **argv)
{
    char *doc, err[256];
    const char *p;
    size_t len, nev = 0, i;
    const char *ev[4096], *end[4096];
    long n;
    double t0, per_event, batch;
    if (argc != 3 || wfpw_file_read_all(argv[1], 64u << 20, &doc, &len) != 0) {
        fprintf(stderr, "usage: wfpw-evtparse FILE N\n");
        return 2;
    }
    n = atol(argv[2]);
    for (p = strstr(doc, "<Event"); p && nev < 4096; p = strstr(p + 1, "<Event")) {
        const char *e = strstr(p, "</Event>");
        if (e == NULL)
            break;
        if (p[6] != ' ' && p[6] != '>')
            continue;
        ev[nev] = p, end[nev] = e + 8, nev++;
    }
    if (nev == 0)
        return 2;
    /* live: one parser per rendered event */
    t0 = cpu_s();
    for (i = 0; i < (size_t)n; i++) {
        struct wfpw_evtxml *px = wfpw_evtxml_new(NULL, count, NULL);
        if (wfpw_evtxml_feed(px, ev[i % nev], (size_t)(end[i % nev] - ev[i % nev]), 1, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        wfpw_evtxml_free(px);
    }
    per_event = cpu_s() - t0;
    /* replay: one parser for all of them */
    t0 = cpu_s();
    {
        struct wfpw_evtxml *px = wfpw_evtxml_new(NULL, count, NULL);
        for (i = 0; i < (size_t)n; i++)
            if (wfpw_evtxml_feed(px, ev[i % nev], (size_t)(end[i % nev] - ev[i % nev]), 0, err, sizeof(err)) != 0) {
                fprintf(stderr, "%s\n", err);
                return 1;
            }
        wfpw_evtxml_feed(px, "", 0, 1, err, sizeof(err));
        wfpw_evtxml_free(px);
    }
    batch = cpu_s() - t0;
    printf("%zu distinct events, %ld parsed each way, %llu converted\n", nev, n, converted);
    printf("live (parser per event): %.0f events/CPU-s\n", (double)n / per_event);
    printf("replay (one parser):     %.0f events/CPU-s\n", (double)n / batch);
    wfpw_free(doc);
    return 0;
}
