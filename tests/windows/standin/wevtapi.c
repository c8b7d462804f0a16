/*
 * wevtapi.c — a stand-in for Windows' wevtapi.dll that the real wfpwatch-agent.exe loads under
 * Wine (WINEDLLOVERRIDES=wevtapi=n, the DLL beside the .exe), so the agent's own event log code
 * (src/win/evtlog.c) runs against the event log as Windows behaves, including its unpleasant
 * answers. Each behaviour is a row of docs/windows-behaviour.md with its source:
 *   - EvtSubscribe refuses an XPath of more than 20 expressions, and a structured query with a
 *     Select of more than 20, with ERROR_EVT_INVALID_QUERY (15001); it selects events by the
 *     EventIDs of the query (EventID=N and the ranges src/evtxml/evtsub.c writes);
 *   - with EvtSubscribeStartAfterBookmark | EvtSubscribeStrict and the bookmarked record gone
 *     (the log was cleared or wrapped) it fails with ERROR_NOT_FOUND (1168);
 *   - a pull subscription signals its event when records arrive (manual reset: the caller
 *     resets it);
 *   - EvtNext with nothing ready fails with ERROR_NO_MORE_ITEMS (259) — or, as Winlogbeat met on
 *     real hosts, ERROR_INVALID_OPERATION (4317) with no handle ("idle-error 4317");
 *   - EvtNext asked for more handles than one RPC can carry fails with RPC_S_INVALID_BOUND (1734)
 *     and returns nothing ("max-batch N": more than N asked while more than N are ready). Where
 *     the subscription stands after that is not documented; Winlogbeat makes a new one from its
 *     bookmark. The stand-in assumes the worst: the events of the refused batch are gone from
 *     that subscription (only a new subscription after a bookmark finds them again);
 *   - EvtCreateBookmark(NULL) is an empty bookmark, EvtUpdateBookmark moves it to an event;
 *   - EvtRender into a buffer too small fails with ERROR_INSUFFICIENT_BUFFER and says how many
 *     bytes it needs.
 *
 * Controlled through files the test writes: WFPW_STANDIN_EVT names the log (rendered <Event>
 * elements one after the other, UTF-8; appending is new events, a new file is a cleared log),
 * LOG.scenario holds the lines above, and the stand-in appends what the agent asked of it to
 * LOG.calls ("subscribe ok", "subscribe 15001", "next 64 -> 1734", "next 32 -> 3", ...).
 */
#include <windows.h>
#include <winevt.h> /* the SDK's declarations: the exports below must have exactly these types */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __declspec(dllexport)

#define ERR_EVT_INVALID_QUERY 15001
#define MAX_TERMS 128
enum { K_SUB = 0x5ab5, K_EVENT = 0xe7e7, K_BOOKMARK = 0xb00c };

struct sub {
    int kind;
    char path[MAX_PATH];
    unsigned lo[MAX_TERMS], hi[MAX_TERMS];
    size_t nterms;
    unsigned long long after;     /* the last record handed over (0: none) */
    unsigned long long signalled; /* the newest record the signal was set for */
    HANDLE signal, thread;
    volatile LONG stop;
    FILETIME stamp;               /* the log file's identity (file_stamp): a new file is a cleared log */
};

struct ev {
    int kind;
    char *xml; /* UTF-8 */
};

struct bm {
    int kind;
    unsigned long long record;
};

static void log_call(const char *path, const char *fmt, ...)
{
    char p[MAX_PATH + 16];
    FILE *f;
    va_list ap;
    snprintf(p, sizeof(p), "%s.calls", path);
    if ((f = fopen(p, "ab")) == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
}

static unsigned scenario(const char *path, const char *key, unsigned dflt)
{
    char p[MAX_PATH + 16], line[256];
    unsigned v = dflt;
    size_t n = strlen(key);
    FILE *f;
    snprintf(p, sizeof(p), "%s.scenario", path);
    if ((f = fopen(p, "r")) == NULL)
        return dflt;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, n) == 0 && line[n] == ' ')
            v = (unsigned)strtoul(line + n + 1, NULL, 10);
    fclose(f);
    return v;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        n = (long)fread(buf, 1, (size_t)n, f);
        buf[n] = '\0';
    }
    fclose(f);
    return buf;
}

/* The log file's identity: its volume and file index (the inode under Wine). A new file is a
 * cleared log; an append is not. (Not the creation time: Wine's follows the file's last change,
 * so every append looked like a cleared log and re-delivered what was read — checked with
 * GetFileAttributesExA before and after an append under Wine 8.) */
static int file_stamp(const char *path, FILETIME *out)
{
    BY_HANDLE_FILE_INFORMATION i;
    HANDLE h = CreateFileA(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0,
                           NULL);
    BOOL ok;
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    ok = GetFileInformationByHandle(h, &i);
    CloseHandle(h);
    if (!ok)
        return -1;
    out->dwHighDateTime = i.nFileIndexHigh ^ i.dwVolumeSerialNumber, out->dwLowDateTime = i.nFileIndexLow;
    return 0;
}

static unsigned long long record_of(const char *ev)
{
    const char *r = strstr(ev, "<EventRecordID>");
    return r ? strtoull(r + 15, NULL, 10) : 0;
}

static int selected(const struct sub *s, const char *ev)
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

/* 0, or ERR_EVT_INVALID_QUERY: more than 20 expressions in the XPath or in one Select. */
static DWORD take_query(struct sub *s, const char *q)
{
    const char *p, *sel;
    int structured = strncmp(q, "<QueryList>", 11) == 0;
    for (sel = structured ? strstr(q, "<Select") : q; sel; sel = structured ? strstr(sel + 1, "<Select") : NULL) {
        const char *end = structured ? strstr(sel, "</Select>") : sel + strlen(sel);
        int n = 0;
        if (end == NULL)
            return ERR_EVT_INVALID_QUERY;
        for (p = sel; (p = strstr(p, "EventID")) != NULL && p < end; p += 7)
            n++;
        if (n > 20)
            return ERR_EVT_INVALID_QUERY;
    }
    for (p = q; (p = strstr(p, "EventID")) != NULL && s->nterms < MAX_TERMS; p += 7) {
        unsigned a, b;
        if (sscanf(p, "EventID=%u", &a) == 1) {
            s->lo[s->nterms] = s->hi[s->nterms] = a;
            s->nterms++;
        } else if (sscanf(p, "EventID&gt;=%u and EventID&lt;=%u", &a, &b) == 2) {
            s->lo[s->nterms] = a, s->hi[s->nterms] = b;
            s->nterms++;
            if ((p = strstr(p + 7, "EventID")) == NULL)
                break;
        }
    }
    return 0;
}

/* The newest selected record after `after` in the log, and how many there are. */
static unsigned long long ready(struct sub *s, size_t *count)
{
    char *data = read_all(s->path), *e;
    unsigned long long newest = 0;
    *count = 0;
    if (data == NULL)
        return 0;
    for (e = strstr(data, "<Event"); e; e = strstr(e + 1, "<Event")) {
        unsigned long long rec;
        if (e[6] != '>' && e[6] != ' ')
            continue;
        if (strstr(e, "</Event>") == NULL)
            break;
        rec = record_of(e);
        if (rec > s->after && selected(s, e)) {
            newest = rec;
            (*count)++;
        }
    }
    free(data);
    return newest;
}

static DWORD WINAPI watcher(void *arg)
{
    struct sub *s = arg;
    while (!s->stop) {
        size_t n;
        unsigned long long newest;
        FILETIME st;
        if (file_stamp(s->path, &st) == 0 && CompareFileTime(&st, &s->stamp) != 0) {
            s->stamp = st, s->after = 0, s->signalled = 0; /* cleared: record ids start again */
        }
        newest = ready(s, &n);
        if (n > 0 && newest > s->signalled) {
            s->signalled = newest;
            SetEvent(s->signal);
        }
        Sleep(20);
    }
    return 0;
}

static void to_utf8(LPCWSTR w, char *out, size_t len)
{
    out[0] = '\0';
    if (w)
        WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)len, NULL, NULL);
}

EXPORT EVT_HANDLE WINAPI EvtSubscribe(EVT_HANDLE session, HANDLE signal, LPCWSTR channel, LPCWSTR query,
                                      EVT_HANDLE bookmark, PVOID context, EVT_SUBSCRIBE_CALLBACK callback, DWORD flags)
{
    const char *log = getenv("WFPW_STANDIN_EVT");
    struct sub *s;
    char q[8192];
    DWORD e;
    (void)session, (void)channel, (void)context;
    if (log == NULL || callback != NULL || signal == NULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        SetLastError(ERROR_OUTOFMEMORY);
        return NULL;
    }
    s->kind = K_SUB;
    snprintf(s->path, sizeof(s->path), "%s", log);
    to_utf8(query, q, sizeof(q));
    if ((e = take_query(s, q)) != 0) {
        log_call(log, "subscribe %lu", (unsigned long)e);
        free(s);
        SetLastError(e);
        return NULL;
    }
    file_stamp(s->path, &s->stamp);
    if (bookmark) {
        const struct bm *b = bookmark;
        char *data = read_all(s->path), *ev;
        int found = 0;
        for (ev = data ? strstr(data, "<Event") : NULL; ev; ev = strstr(ev + 1, "<Event"))
            found |= (ev[6] == '>' || ev[6] == ' ') && record_of(ev) == b->record;
        free(data);
        if (!found && (flags & 0x10000u /* EvtSubscribeStrict */)) {
            log_call(log, "subscribe 1168");
            free(s);
            SetLastError(ERROR_NOT_FOUND);
            return NULL;
        }
        s->after = b->record;
    }
    s->signal = signal;
    if ((s->thread = CreateThread(NULL, 0, watcher, s, 0, NULL)) == NULL) {
        free(s);
        SetLastError(ERROR_OUTOFMEMORY);
        return NULL;
    }
    if (s->after)
        log_call(log, "subscribe ok after %llu", s->after);
    else
        log_call(log, "subscribe ok");
    return s;
}

EXPORT WINBOOL WINAPI EvtNext(EVT_HANDLE result, DWORD size, EVT_HANDLE *events, DWORD timeout, DWORD flags,
                              PDWORD returned)
{
    struct sub *s = result;
    char *data, *e;
    size_t avail;
    unsigned max_batch, idle;
    (void)timeout, (void)flags;
    *returned = 0;
    if (s == NULL || s->kind != K_SUB) {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    max_batch = scenario(s->path, "max-batch", 0);
    idle = scenario(s->path, "idle-error", ERROR_NO_MORE_ITEMS);
    ready(s, &avail);
    if (avail == 0) {
        log_call(s->path, "next %lu -> %u", (unsigned long)size, idle);
        SetLastError(idle);
        return FALSE;
    }
    if (max_batch && size > max_batch && avail > max_batch) {
        /* the worst reading: the refused batch is consumed by this subscription */
        size_t lost = 0;
        if ((data = read_all(s->path)) != NULL) {
            for (e = strstr(data, "<Event"); e && lost < size; e = strstr(e + 1, "<Event")) {
                unsigned long long rec;
                if ((e[6] != '>' && e[6] != ' ') || strstr(e, "</Event>") == NULL)
                    continue;
                rec = record_of(e);
                if (rec > s->after && selected(s, e))
                    s->after = rec, lost++;
            }
            free(data);
        }
        log_call(s->path, "next %lu -> 1734", (unsigned long)size);
        SetLastError(RPC_S_INVALID_BOUND);
        return FALSE;
    }
    if ((data = read_all(s->path)) == NULL) {
        SetLastError(ERROR_NO_MORE_ITEMS);
        return FALSE;
    }
    for (e = strstr(data, "<Event"); e && *returned < size; e = strstr(e + 1, "<Event")) {
        char *end = strstr(e, "</Event>");
        unsigned long long rec;
        struct ev *h;
        if (e[6] != '>' && e[6] != ' ')
            continue;
        if (end == NULL)
            break;
        rec = record_of(e);
        if (rec <= s->after || !selected(s, e))
            continue;
        if ((h = calloc(1, sizeof(*h))) == NULL || (h->xml = malloc((size_t)(end + 8 - e) + 1)) == NULL) {
            free(h);
            break;
        }
        h->kind = K_EVENT;
        memcpy(h->xml, e, (size_t)(end + 8 - e));
        h->xml[end + 8 - e] = '\0';
        events[(*returned)++] = h;
        s->after = rec;
    }
    free(data);
    log_call(s->path, "next %lu -> %lu", (unsigned long)size, (unsigned long)*returned);
    if (*returned == 0) {
        SetLastError(ERROR_NO_MORE_ITEMS);
        return FALSE;
    }
    return TRUE;
}

EXPORT WINBOOL WINAPI EvtRender(EVT_HANDLE context, EVT_HANDLE fragment, DWORD flags, DWORD size, PVOID buffer,
                                PDWORD used, PDWORD props)
{
    const struct ev *e = fragment;
    int n;
    (void)context;
    if (e == NULL || e->kind != K_EVENT || flags != 1 /* EvtRenderEventXml */) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    n = MultiByteToWideChar(CP_UTF8, 0, e->xml, -1, NULL, 0);
    *used = (DWORD)n * sizeof(WCHAR);
    if (props)
        *props = 0;
    if (size < *used || buffer == NULL) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    MultiByteToWideChar(CP_UTF8, 0, e->xml, -1, buffer, n);
    return TRUE;
}

EXPORT EVT_HANDLE WINAPI EvtCreateBookmark(LPCWSTR xml)
{
    char text[1024];
    const char *r;
    struct bm *b;
    if (xml == NULL) { /* an empty bookmark, for EvtUpdateBookmark */
        if ((b = calloc(1, sizeof(*b))) == NULL) {
            SetLastError(ERROR_OUTOFMEMORY);
            return NULL;
        }
        b->kind = K_BOOKMARK;
        return b;
    }
    WideCharToMultiByte(CP_UTF8, 0, xml, -1, text, sizeof(text), NULL, NULL);
    if ((r = strstr(text, "RecordId='")) == NULL || (b = calloc(1, sizeof(*b))) == NULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    b->kind = K_BOOKMARK;
    b->record = strtoull(r + 10, NULL, 10);
    return b;
}

EXPORT WINBOOL WINAPI EvtUpdateBookmark(EVT_HANDLE bookmark, EVT_HANDLE event)
{
    struct bm *b = bookmark;
    const struct ev *e = event;
    if (b == NULL || b->kind != K_BOOKMARK || e == NULL || e->kind != K_EVENT) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    b->record = record_of(e->xml);
    return TRUE;
}

EXPORT WINBOOL WINAPI EvtClose(EVT_HANDLE h)
{
    int *kind = h;
    if (h == NULL)
        return TRUE;
    if (*kind == K_SUB) {
        struct sub *s = h;
        s->stop = 1;
        WaitForSingleObject(s->thread, INFINITE);
        CloseHandle(s->thread);
    } else if (*kind == K_EVENT) {
        free(((struct ev *)h)->xml);
    }
    *kind = 0;
    free(h);
    return TRUE;
}
