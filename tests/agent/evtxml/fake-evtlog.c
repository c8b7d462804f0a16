/*
 * fake-evtlog.c — a stand-in for the platform's event log subscription (platform.h
 * wfpw__plat_evt_*, _dos_devices), linked into wfpwatch-agent-fakewin instead of
 * src/linux/evtlog.c so the `eventlog` source's logic (reader thread, bounded queue,
 * positions and bookmarks, gaps, resubscription) runs on Linux against rendered events.
 *
 * The "log" is the file named by WFPW_FAKE_EVTLOG (the Security channel; another channel is
 * that name + "." + the channel's last part, e.g. "Security.xml.Firewall" for the firewall's
 * operational log): rendered <Event> elements one after the
 * other, as EvtRender gives them; the test appends to it (new events) or replaces it (the log
 * was cleared: record ids start again). A subscription with a bookmark starts strictly after
 * that record, and fails like EvtSubscribe with EvtSubscribeStrict (ERROR_NOT_FOUND: the
 * bookmarked record is not in the log) when the log no longer holds that record — cleared or
 * wrapped while the agent was stopped. Each next() re-reads the file. Drive letters: C: is
 * \Device\HarddiskVolume3. WFPW_FAKE_EVTLOG_FAIL_AFTER=N makes the reading fail once after N
 * events, as a subscription whose handle broke. The audit policy is the file WFPW_FAKE_EVTLOG
 * + ".audit" ("GUID=bits" lines; a missing line is 0).
 *
 * The query is taken as Windows takes it (docs/windows-behaviour.md): an XPath of more than 20
 * expressions, or a structured query with a Select of more than 20, is refused like
 * EvtSubscribe refuses it (ERROR_EVT_INVALID_QUERY); the events handed over are those whose
 * EventID the query selects (the forms evtsub.c writes: EventID=N and ranges).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>

#include "wfpw/fileio.h"
#include "platform.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define MAX_TERMS 128

struct wfpw__evt {
    char path[1024];
    unsigned lo[MAX_TERMS], hi[MAX_TERMS]; /* the EventIDs the query selects */
    size_t nterms;
    unsigned long long after;    /* the last record handed over (0: none) */
    ino_t ino;                   /* the log file's identity: a new file is a cleared log */
    volatile int cancel;
};

static unsigned long long record_of(const char *ev)
{
    const char *r = strstr(ev, "<EventRecordID>");
    return r ? strtoull(r + 15, NULL, 10) : 0;
}

static int fail_budget = -1;

/* Refuses what Windows refuses (more than 20 expressions in an XPath or a Select) and keeps the
 * EventID terms. 0, or WFPW_EIO with err as the platform layer words it. */
static int take_query(struct wfpw__evt *s, const char *query, char *err, size_t errlen)
{
    const char *p = query, *sel;
    int structured = strncmp(query, "<QueryList>", 11) == 0;
    for (sel = structured ? strstr(query, "<Select") : query; sel; sel = structured ? strstr(sel + 1, "<Select") : NULL) {
        const char *end = structured ? strstr(sel, "</Select>") : sel + strlen(sel);
        int n = 0;
        for (p = sel; (p = strstr(p, "EventID")) != NULL && p < end; p += 7)
            n++;
        if (n > 20 || end == NULL) {
            snprintf(err, errlen, "EvtSubscribe failed: error 15001 (The specified query is invalid)");
            return WFPW_EIO;
        }
    }
    s->nterms = 0;
    for (p = query; (p = strstr(p, "EventID")) != NULL && s->nterms < MAX_TERMS; p += 7) {
        unsigned a, b;
        if (sscanf(p, "EventID=%u", &a) == 1) {
            s->lo[s->nterms] = s->hi[s->nterms] = a;
            s->nterms++;
        } else if (sscanf(p, "EventID&gt;=%u and EventID&lt;=%u", &a, &b) == 2) {
            s->lo[s->nterms] = a, s->hi[s->nterms] = b;
            s->nterms++;
            p = strstr(p + 7, "EventID"); /* the range's second half */
            if (p == NULL)
                break;
        }
    }
    return 0;
}

static int selected(const struct wfpw__evt *s, const char *ev)
{
    const char *id = strstr(ev, "<EventID");
    unsigned v;
    size_t i;
    if (id == NULL || (id = strchr(id, '>')) == NULL || sscanf(id + 1, "%u", &v) != 1)
        return 0;
    for (i = 0; i < s->nterms; i++)
        if (v >= s->lo[i] && v <= s->hi[i])
            return 1;
    return 0;
}

int wfpw__plat_evt_open(const char *channel, const char *query, const char *bookmark_xml, struct wfpw__evt **sub,
                        char *err, size_t errlen)
{
    const char *p = getenv("WFPW_FAKE_EVTLOG"), *f = getenv("WFPW_FAKE_EVTLOG_FAIL_AFTER");
    struct wfpw__evt *s;
    struct stat st;
    char *data = NULL;
    size_t len;
    const char *leaf = channel ? strrchr(channel, '/') : NULL;
    *sub = NULL;
    if (p == NULL) {
        snprintf(err, errlen, "fake event log: WFPW_FAKE_EVTLOG is not set");
        return WFPW_EINVAL;
    }
    if (fail_budget < 0)
        fail_budget = f ? atoi(f) : 1 << 30;
    if ((s = wfpw_calloc(1, sizeof(*s))) == NULL)
        return WFPW_ENOMEM;
    if (channel == NULL || strcmp(channel, "Security") == 0)
        snprintf(s->path, sizeof(s->path), "%s", p);
    else  /* another channel: its own file, named after the channel's last part */
        snprintf(s->path, sizeof(s->path), "%s.%s", p, leaf ? leaf + 1 : channel);
    p = s->path;
    if (take_query(s, query, err, errlen) != 0) {
        wfpw_free(s);
        return WFPW_EIO;
    }
    if (stat(p, &st) == 0)
        s->ino = st.st_ino;
    if (bookmark_xml) {
        const char *r = strstr(bookmark_xml, "RecordId='"), *e;
        int found = 0;
        s->after = r ? strtoull(r + 10, NULL, 10) : 0;
        if (wfpw_file_read_all(p, 64u << 20, &data, &len) == 0) {
            for (e = strstr(data, "<Event"); e && !found; e = strstr(e + 1, "<Event"))
                found = (e[6] == '>' || e[6] == ' ') && record_of(e) == s->after;
            wfpw_free(data);
        }
        if (!found) {
            snprintf(err, errlen, "fake event log: record %llu is not in the log", s->after);
            wfpw_free(s);
            return WFPW_ENOENT;
        }
    }
    *sub = s;
    return 0;
}

int wfpw__plat_evt_next(struct wfpw__evt *s, unsigned timeout_ms, unsigned max,
                        int (*on_event)(void *ctx, const char *xml, size_t len), void *ctx, char *err, size_t errlen)
{
    unsigned waited = 0, handed = 0;
    for (;;) {
        char *data = NULL, *e;
        size_t len;
        struct stat st;
        if (s->cancel)
            return WFPW_ECLOSED;
        if (stat(s->path, &st) == 0 && st.st_ino != s->ino) {
            s->ino = st.st_ino, s->after = 0;  /* cleared: a new file, record ids from 1 */
        }
        if (wfpw_file_read_all(s->path, 64u << 20, &data, &len) == 0) {
            for (e = strstr(data, "<Event"); e && handed < max; e = strstr(e + 1, "<Event")) {
                char *end = strstr(e, "</Event>");
                unsigned long long rec = record_of(e);
                int rc;
                if (end == NULL)
                    break;                  /* being written: next time */
                if (e[6] != '>' && e[6] != ' ')
                    continue;               /* <Events> */
                if (rec <= s->after)
                    continue;
                if (!selected(s, e)) {
                    s->after = rec; /* not in the query: the subscription passes it by */
                    continue;
                }
                if (fail_budget-- == 0) {
                    wfpw_free(data);
                    snprintf(err, errlen, "fake event log: the subscription broke");
                    return WFPW_EIO;
                }
                if ((rc = on_event(ctx, e, (size_t)(end + 8 - e))) != 0) {
                    wfpw_free(data);
                    return rc;
                }
                s->after = rec;
                handed++;
            }
            wfpw_free(data);
        }
        if (handed > 0)
            return (int)handed;
        if (waited >= timeout_ms)
            return 0;
        uv_sleep(20);
        waited += 20;
    }
}

void wfpw__plat_evt_cancel(struct wfpw__evt *s)
{
    s->cancel = 1;
}

void wfpw__plat_evt_close(struct wfpw__evt *s)
{
    wfpw_free(s);
}

int wfpw__plat_dos_devices(char *out, size_t len)
{
    snprintf(out, len, "C:=\\Device\\HarddiskVolume3\nD:=\\Device\\HarddiskVolume4\n");
    return 0;
}

/* ---- audit policy: the file WFPW_FAKE_EVTLOG + ".audit" of "GUID=bits" lines ---------------- */

static void audit_path(char *out, size_t len)
{
    snprintf(out, len, "%s.audit", getenv("WFPW_FAKE_EVTLOG") ? getenv("WFPW_FAKE_EVTLOG") : "/nonexistent");
}

int wfpw__plat_audit_get(const char *guid, unsigned *bits, char *err, size_t errlen)
{
    char path[1100], *data = NULL, *at;
    size_t len;
    (void)err, (void)errlen;
    audit_path(path, sizeof(path));
    *bits = 0;
    if (wfpw_file_read_all(path, 1 << 16, &data, &len) == 0) {
        if ((at = strstr(data, guid)) != NULL && at[strlen(guid)] == '=')
            *bits = (unsigned)atoi(at + strlen(guid) + 1);
        wfpw_free(data);
    }
    return 0;
}

int wfpw__plat_audit_set(const char *guid, unsigned bits, char *err, size_t errlen)
{
    char path[1100], *data = NULL, out[4096];
    size_t len, o = 0;
    const char *line;
    audit_path(path, sizeof(path));
    if (wfpw_file_read_all(path, 1 << 16, &data, &len) == 0) {
        for (line = data; *line;) {
            const char *eol = strchr(line, '\n');
            size_t n = eol ? (size_t)(eol - line) + 1 : strlen(line);
            if (strncmp(line, guid, strlen(guid)) != 0 && o + n < sizeof(out)) {
                memcpy(out + o, line, n);
                o += n;
            }
            line += n;
        }
        wfpw_free(data);
    }
    o += (size_t)snprintf(out + o, sizeof(out) - o, "%s=%u\n", guid, bits);
    if (wfpw_file_write_atomic(path, out, o) != 0) {
        snprintf(err, errlen, "fake audit policy: cannot write %s", path);
        return WFPW_EIO;
    }
    return 0;
}
