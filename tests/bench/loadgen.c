/*
 * loadgen.c — HTTPS load generator for benchmarks (not a test).
 *
 * N keep-alive mutual-TLS connections (libcurl multi) POST proto v1 batches of E events as
 * fast as the server answers, each with a fresh batch id, for a fixed number of requests.
 * Reports requests/s, events/s, latency p50/p99, and — given the server's pid — the
 * server's CPU time from /proc, hence requests and events per server CPU-second. Failures
 * (answers other than 200/204, transfer errors) are counted by status and by curl error.
 *
 * The collector takes one batch at a time per agent certificate (as an agent sends them), so
 * N connections are N agents: "%02d" in --cert, --key and --agent is the connection's number
 * (00..99), e.g. --cert pki/agents/bench-ag-%02d.crt --agent bench-ag-%02d; "%03d" for up to
 * 1,000 (000..999).
 *
 * usage: loadgen --url URL --cacert F --cert F --key F [--agent NAME] [--connections N]
 *                [--events E] [--requests R] [--pid PID] [--label TEXT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "wfpw/mem.h"
#include "wfpw/proto.h"

struct slot {
    CURL *h;
    char *body;          /* this connection's copy of the template */
    size_t len;
    double started;
};

static char *template_body;
static size_t template_len, id_offset;
static unsigned long long counter;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double proc_cpu_s(long pid)
{
    char path[64], buf[1024], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;
    int i;
    if (pid <= 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if ((f = fopen(path, "r")) == NULL || fgets(buf, sizeof(buf), f) == NULL) {
        if (f)
            fclose(f);
        return 0;
    }
    fclose(f);
    p = strrchr(buf, ')');
    for (i = 0; p && i < 12; i++)
        p = strchr(p + 1, ' ');
    if (p == NULL || sscanf(p + 1, "%lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* pattern with its first "%02d" (0..99) or "%03d" (0..999) replaced by n into out. */
static void expand(const char *pattern, int n, char *out, size_t len)
{
    const char *at = strstr(pattern, "%02d"), *at3 = strstr(pattern, "%03d");
    if (at3 != NULL)
        snprintf(out, len, "%.*s%03d%s", (int)(at3 - pattern), pattern, n, at3 + 4);
    else if (at != NULL)
        snprintf(out, len, "%.*s%02d%s", (int)(at - pattern), pattern, n, at + 4);
    else
        snprintf(out, len, "%s", pattern);
}

/* Every occurrence of from in body replaced by to (same length). */
static void patch(char *body, size_t len, const char *from, const char *to)
{
    size_t n = strlen(from), i;
    for (i = 0; i + n <= len; i++)
        if (memcmp(body + i, from, n) == 0)
            memcpy(body + i, to, n);
}

static void build_template(int events, const char *name)
{
    const struct wfpw_agent_ident agent = {name, name, "0.1.0", "windows"};
    struct wfpw_batch *b = wfpw_batch_new(&agent, "00000000-0000-4000-8000-000000000000", 1763781401250LL);
    struct wfpw_buf out;
    int i;
    for (i = 0; i < events; i++) {
        struct wfpw_endpoint local = {"10.20.30.40", (uint32_t)(50000 + i % 10000)};
        struct wfpw_endpoint remote = {"20.42.65.92", 443};
        struct wfpw_ev_blocked ev;
        memset(&ev, 0, sizeof(ev));
        ev.seq = (uint64_t)i + 1, ev.time_ms = 1763781380000LL + i, ev.source = "audit";
        ev.direction = "outbound", ev.protocol = 6, ev.local = &local, ev.remote = &remote, ev.pid = 3872;
        ev.path = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe";
        ev.layer = "ALE_AUTH_CONNECT_V4", ev.filter_id = 324367, ev.verdict = "policy_block", ev.count = 1;
        ev.first_seen_ms = ev.last_seen_ms = ev.time_ms, ev.has_origin = 1, ev.origin_event_id = 5157;
        ev.origin_record_id = (uint64_t)i;
        if (wfpw_batch_add(b, wfpw_event_blocked(&ev), NULL) != 0)
            exit(1);
    }
    wfpw_buf_init(&out, 1u << 30);
    if (wfpw_batch_encode(b, &out) != 0)
        exit(1);
    template_body = wfpw_buf_detach(&out, &template_len);
    id_offset = (size_t)(strstr(template_body, "00000000-0000-4000-8000-000000000000") - template_body);
    wfpw_batch_free(b);
}

static void fresh_id(struct slot *s)
{
    char id[40];
    unsigned long long n = ++counter;
    snprintf(id, sizeof(id), "%08llx-%04llx-4%03llx-8%03llx-%012llx", (unsigned long long)getpid() & 0xffffffffULL,
             (n >> 48) & 0xffff, (n >> 36) & 0xfff, (n >> 24) & 0xfff, n & 0xffffffffffffULL);
    memcpy(s->body + id_offset, id, 36);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *cacert = NULL, *cert = NULL, *key = NULL, *label = "", *agent = "bench-agent";
    char name0[64], buf[1024];
    int conns = 8, events = 1, i, running, failures = 0;
    long by_status[600] = {0}, by_curl[CURL_LAST] = {0}; /* failures: which answers, which errors */
    long requests = 20000, started = 0, done = 0, pid = 0;
    double *lat, t0, t1, cpu0, cpu1;
    struct slot *slots;
    struct curl_slist *hdrs = NULL;
    CURLM *m;

    for (i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--url")) url = argv[i + 1];
        else if (!strcmp(argv[i], "--cacert")) cacert = argv[i + 1];
        else if (!strcmp(argv[i], "--cert")) cert = argv[i + 1];
        else if (!strcmp(argv[i], "--key")) key = argv[i + 1];
        else if (!strcmp(argv[i], "--agent")) agent = argv[i + 1];
        else if (!strcmp(argv[i], "--connections")) conns = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--events")) events = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--requests")) requests = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--pid")) pid = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--label")) label = argv[i + 1];
        else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!url || !cacert || conns < 1 || events < 1 || events > 10000 || requests < 1 ||
        (strstr(agent, "%02d") && conns > 100) || (strstr(agent, "%03d") && conns > 1000) || strlen(agent) >= 40) {
        fprintf(stderr, "usage: loadgen --url URL --cacert F [--cert F --key F] [--connections N] "
                        "[--agent NAME] [--events E] [--requests R] [--pid PID] [--label TEXT]\n");
        return 2;
    }
    wfpw_json_init();
    expand(agent, 0, name0, sizeof(name0));
    build_template(events, name0);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    m = curl_multi_init();
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:");
    slots = calloc((size_t)conns, sizeof(*slots));
    lat = calloc((size_t)requests, sizeof(double));
    t0 = now_s();
    cpu0 = proc_cpu_s(pid);
    for (i = 0; i < conns && started < requests; i++, started++) {
        struct slot *s = &slots[i];
        s->body = malloc(template_len);
        memcpy(s->body, template_body, template_len);
        s->len = template_len;
        expand(agent, (int)i, buf, sizeof(buf));
        patch(s->body, s->len, name0, buf);
        s->h = curl_easy_init();
        curl_easy_setopt(s->h, CURLOPT_URL, url);
        curl_easy_setopt(s->h, CURLOPT_CAINFO, cacert);
        if (cert) {
            expand(cert, (int)i, buf, sizeof(buf));
            curl_easy_setopt(s->h, CURLOPT_SSLCERT, buf); /* libcurl copies option strings */
            expand(key ? key : cert, (int)i, buf, sizeof(buf));
            curl_easy_setopt(s->h, CURLOPT_SSLKEY, buf);
        }
        curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, s->body);
        curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->len);
        curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
        curl_easy_setopt(s->h, CURLOPT_TCP_NODELAY, 1L);
        fresh_id(s);
        s->started = now_s();
        curl_multi_add_handle(m, s->h);
    }
    do {
        CURLMsg *msg;
        int q;
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &q)) != NULL) {
            struct slot *s;
            long code = 0;
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
            if (msg->data.result != CURLE_OK || (code != 200 && code != 204)) {
                failures++;
                if (msg->data.result != CURLE_OK)
                    by_curl[msg->data.result]++;
                else
                    by_status[code >= 0 && code < 600 ? code : 0]++;
            }
            lat[done++] = now_s() - s->started;
            curl_multi_remove_handle(m, s->h);
            if (started < requests) {
                started++;
                fresh_id(s);
                s->started = now_s();
                curl_multi_add_handle(m, s->h);
            }
        }
        if (done < requests)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    } while (done < requests);
    t1 = now_s();
    cpu1 = proc_cpu_s(pid);
    qsort(lat, (size_t)done, sizeof(double), cmp_double);
    printf("%s connections=%d events/batch=%d requests=%ld failures=%d wall=%.2fs req/s=%.0f events/s=%.0f "
           "p50=%.2fms p99=%.2fms",
           label, conns, events, done, failures, t1 - t0, done / (t1 - t0), done * (double)events / (t1 - t0),
           lat[done / 2] * 1e3, lat[(long)(done * 0.99)] * 1e3);
    if (pid > 0 && cpu1 > cpu0)
        printf(" server_cpu=%.2fs req/cpu-s=%.0f events/cpu-s=%.0f", cpu1 - cpu0, done / (cpu1 - cpu0),
               done * (double)events / (cpu1 - cpu0));
    printf("\n");
    if (failures) { /* what they were: the collector's answers (429, 503, ...) or transfer errors */
        printf("%s failures:", label);
        for (i = 0; i < 600; i++)
            if (by_status[i])
                printf(" HTTP %d x %ld;", i, by_status[i]);
        for (i = 0; i < CURL_LAST; i++)
            if (by_curl[i])
                printf(" curl %d (%s) x %ld;", i, curl_easy_strerror((CURLcode)i), by_curl[i]);
        printf("\n");
    }
    for (i = 0; i < conns; i++) {
        if (slots[i].h)
            curl_easy_cleanup(slots[i].h);
        free(slots[i].body);
    }
    curl_multi_cleanup(m);
    curl_slist_free_all(hdrs);
    curl_global_cleanup();
    free(slots);
    free(lat);
    wfpw_free(template_body);
    return failures ? 1 : 0;
}
