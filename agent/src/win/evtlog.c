/*
 * evtlog.c (Windows) — the event log through wevtapi: a pull subscription (EvtSubscribe with
 * a signal event, EvtNext in batches), each event rendered as XML (EvtRenderEventXml) and
 * handed over as UTF-8. EvtNext's unpleasant answers (docs/windows-behaviour.md): nothing to
 * read comes as ERROR_NO_MORE_ITEMS, ERROR_INVALID_OPERATION with no handle, or ERROR_TIMEOUT,
 * all "nothing now"; RPC_S_INVALID_BOUND (a burst too large for one RPC) makes a new
 * subscription after the last event handed over (a bookmark kept with EvtUpdateBookmark) and
 * asks for half as many, as Winlogbeat does: where the old subscription stands after that error
 * is not documented. Thin on purpose: the XML is parsed by portable code (evtxml.c), the
 * bookmark to start from comes from the source's spooled position (evtsub.c). And
 * QueryDosDevice for the drive-letter map.
 */
#include <windows.h>
#include <winevt.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

#define BATCH 64

struct wfpw__evt {
    EVT_HANDLE sub;
    HANDLE signal, cancel;
    WCHAR *render;             /* render buffer (grown) */
    DWORD render_cap;          /* bytes */
    char *utf8;
    size_t utf8_cap;
    EVT_HANDLE pending[BATCH]; /* events taken by EvtNext but not yet handed over */
    DWORD npending, next;
    DWORD batch;               /* handles asked of EvtNext: BATCH, halved on RPC_S_INVALID_BOUND */
    int rearmed;               /* the signal was reset after the last empty EvtNext */
    WCHAR *channel, *query;    /* kept for a new subscription (owned) */
    EVT_HANDLE bookmark;       /* after the last event handed over, or the one opened with; NULL until needed */
    int positioned;            /* bookmark holds a position (else: from the oldest record) */
    int handed;                /* an event was handed over on this handle */
};

static int fail(DWORD e, const char *call, char *err, size_t errlen)
{
    char text[256] = "";
    size_t n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0, text,
                              sizeof(text), NULL);
    const char *hint = e == ERROR_ACCESS_DENIED ? "; reading the Security log needs LocalSystem or an administrator"
                                                : "";
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '.'))
        text[--n] = '\0';
    snprintf(err, errlen, "%s failed: error %lu%s%s%s%s", call, (unsigned long)e, n ? " (" : "", text, n ? ")" : "",
             hint);
    return wfpw__plat_error((long)e);
}

static WCHAR *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    WCHAR *w = n > 0 ? wfpw_malloc((size_t)n * sizeof(WCHAR)) : NULL;
    if (w && MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) != n) {
        wfpw_free(w);
        w = NULL;
    }
    return w;
}

static void close_all(struct wfpw__evt *s)
{
    DWORD i;
    for (i = s->next; i < s->npending; i++)
        EvtClose(s->pending[i]);
    s->npending = s->next = 0;
    if (s->sub)
        EvtClose(s->sub);
    if (s->bookmark)
        EvtClose(s->bookmark);
    wfpw_free(s->channel);
    wfpw_free(s->query);
    if (s->signal)
        CloseHandle(s->signal);
    if (s->cancel)
        CloseHandle(s->cancel);
    wfpw_free(s->render);
    wfpw_free(s->utf8);
    wfpw_free(s);
}

int wfpw__plat_evt_open(const char *channel, const char *query, const char *bookmark_xml, struct wfpw__evt **out,
                        char *err, size_t errlen)
{
    struct wfpw__evt *s = wfpw_calloc(1, sizeof(*s));
    WCHAR *wch = widen(channel), *wq = widen(query), *wb = bookmark_xml ? widen(bookmark_xml) : NULL;
    EVT_HANDLE bm = NULL;
    DWORD e = 0;
    int rc = 0;
    *out = NULL;
    if (s == NULL || wch == NULL || wq == NULL || (bookmark_xml && wb == NULL)) {
        rc = WFPW_ENOMEM;
        goto done;
    }
    s->batch = BATCH;
    s->signal = CreateEventW(NULL, TRUE, TRUE, NULL);   /* manual reset, set: read what is there */
    s->cancel = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (s->signal == NULL || s->cancel == NULL) {
        rc = fail(GetLastError(), "CreateEvent", err, errlen);
        goto done;
    }
    if (wb && (bm = EvtCreateBookmark(wb)) == NULL) {
        rc = fail(GetLastError(), "EvtCreateBookmark", err, errlen);
        goto done;
    }
    s->positioned = bm != NULL;
    s->sub = EvtSubscribe(NULL, s->signal, wch, wq, s->positioned ? bm : NULL, NULL, NULL,
                          s->positioned ? EvtSubscribeStartAfterBookmark | EvtSubscribeStrict
                                        : EvtSubscribeStartAtOldestRecord);
    if (s->sub == NULL) {
        e = GetLastError();
        if (s->positioned && (e == ERROR_NOT_FOUND || e == ERROR_EVT_QUERY_RESULT_STALE ||
                   e == ERROR_EVT_QUERY_RESULT_INVALID_POSITION)) {
            snprintf(err, errlen, "the bookmark (record after which to resume) is no longer in the log (error %lu)",
                     (unsigned long)e);
            rc = WFPW_ENOENT;
        } else {
            rc = fail(e, "EvtSubscribe", err, errlen);
        }
    }
done:
    if (s) {
        s->bookmark = bm, s->channel = wch, s->query = wq; /* s owns them now */
    } else {
        if (bm)
            EvtClose(bm);
        wfpw_free(wch);
        wfpw_free(wq);
    }
    wfpw_free(wb);
    if (rc != 0) {
        if (s)
            close_all(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* One event as UTF-8 XML in s->utf8; 0 or an error. */
static int render(struct wfpw__evt *s, EVT_HANDLE ev, size_t *len, char *err, size_t errlen)
{
    DWORD used = 0, props = 0;
    int n;
    if (!EvtRender(NULL, ev, EvtRenderEventXml, s->render_cap, s->render, &used, &props)) {
        DWORD e = GetLastError();
        WCHAR *grown;
        if (e != ERROR_INSUFFICIENT_BUFFER)
            return fail(e, "EvtRender", err, errlen);
        if ((grown = wfpw_realloc(s->render, used)) == NULL)
            return WFPW_ENOMEM;
        s->render = grown, s->render_cap = used;
        if (!EvtRender(NULL, ev, EvtRenderEventXml, s->render_cap, s->render, &used, &props))
            return fail(GetLastError(), "EvtRender", err, errlen);
    }
    n = WideCharToMultiByte(CP_UTF8, 0, s->render, -1, NULL, 0, NULL, NULL);
    if (n <= 0)
        return fail(GetLastError(), "WideCharToMultiByte", err, errlen);
    if ((size_t)n > s->utf8_cap) {
        char *g = wfpw_realloc(s->utf8, (size_t)n);
        if (g == NULL)
            return WFPW_ENOMEM;
        s->utf8 = g, s->utf8_cap = (size_t)n;
    }
    WideCharToMultiByte(CP_UTF8, 0, s->render, -1, s->utf8, n, NULL, NULL);
    *len = (size_t)n - 1;
    return 0;
}

/* A new subscription after s->bookmark (or from the oldest record when nothing was handed over
 * yet and the source gave no bookmark). The same signal event, set: read what is there. When
 * the bookmark could not follow the events handed over, the caller does not come here: the
 * error ends the reader and the source subscribes again after its spooled position. */
static int resubscribe(struct wfpw__evt *s, char *err, size_t errlen)
{
    EVT_HANDLE sub;
    EvtClose(s->sub);
    s->sub = NULL;
    sub = EvtSubscribe(NULL, s->signal, s->channel, s->query, s->positioned ? s->bookmark : NULL, NULL, NULL,
                       s->positioned ? EvtSubscribeStartAfterBookmark | EvtSubscribeStrict
                                     : EvtSubscribeStartAtOldestRecord);
    if (sub == NULL)
        return fail(GetLastError(), "EvtSubscribe (after RPC_S_INVALID_BOUND)", err, errlen);
    s->sub = sub;
    SetEvent(s->signal);
    return 0;
}

int wfpw__plat_evt_next(struct wfpw__evt *s, unsigned timeout_ms, unsigned max,
                        int (*on_event)(void *ctx, const char *xml, size_t len), void *ctx, char *err, size_t errlen)
{
    unsigned handed = 0;
    for (;;) {
        while (s->next < s->npending && handed < max) {
            size_t len = 0;
            int rc = render(s, s->pending[s->next], &len, err, errlen);
            if (rc != 0)
                return rc;
            if ((rc = on_event(ctx, s->utf8, len)) != 0)
                return rc;            /* this event is handed over again next time */
            if (s->bookmark == NULL) /* made when first needed (Wine does not implement it) */
                s->bookmark = EvtCreateBookmark(NULL);
            if (s->bookmark && EvtUpdateBookmark(s->bookmark, s->pending[s->next]))
                s->positioned = 1;
            else
                s->positioned = 0; /* the bookmark no longer says where we are */
            s->handed = 1;
            EvtClose(s->pending[s->next++]);
            handed++;
        }
        if (handed == max || handed > 0)
            return (int)handed;
        s->npending = s->next = 0;
        if (!EvtNext(s->sub, s->batch, s->pending, 0, 0, &s->npending)) {
            DWORD e = GetLastError();
            HANDLE both[2];
            if (e == RPC_S_INVALID_BOUND && s->npending == 0 && s->batch > 1 && (s->positioned || !s->handed)) {
                /* the rendered batch is too large for the RPC: a new subscription after the
                 * last event handed over, asking for half as many (Winlogbeat does the same,
                 * docs/windows-behaviour.md) */
                int rc = resubscribe(s, err, errlen);
                if (rc != 0)
                    return rc;
                s->batch /= 2;
                continue;
            }
            if (e == ERROR_INVALID_OPERATION && s->npending == 0)
                e = ERROR_NO_MORE_ITEMS; /* a pull subscription polled with nothing ready */
            if (e == ERROR_TIMEOUT)
                e = ERROR_NO_MORE_ITEMS;
            s->npending = 0;
            if (e != ERROR_NO_MORE_ITEMS)
                return fail(e, "EvtNext", err, errlen);
            if (!s->rearmed) {
                /* nothing left: re-arm the signal, then look once more, so an event that
                 * arrived between EvtNext and ResetEvent is not left waiting for the next one */
                ResetEvent(s->signal);
                s->rearmed = 1;
                continue;
            }
            s->rearmed = 0;
            both[0] = s->cancel, both[1] = s->signal;
            switch (WaitForMultipleObjects(2, both, FALSE, timeout_ms)) {
            case WAIT_OBJECT_0: return WFPW_ECLOSED;
            case WAIT_OBJECT_0 + 1: continue;
            case WAIT_TIMEOUT: return 0;
            default: return fail(GetLastError(), "WaitForMultipleObjects", err, errlen);
            }
        }
        s->rearmed = 0;
        if (WaitForSingleObject(s->cancel, 0) == WAIT_OBJECT_0)
            return WFPW_ECLOSED;
    }
}

void wfpw__plat_evt_cancel(struct wfpw__evt *s)
{
    SetEvent(s->cancel);
}

void wfpw__plat_evt_close(struct wfpw__evt *s)
{
    if (s)
        close_all(s);
}

int wfpw__plat_dos_devices(char *out, size_t len)
{
    char drive[3] = "A:", target[512];
    size_t o = 0;
    DWORD mask = GetLogicalDrives();
    int i;
    if (len == 0)
        return WFPW_ERANGE;
    out[0] = '\0';
    for (i = 0; i < 26; i++) {
        int w;
        if (!(mask & (1u << i)))
            continue;
        drive[0] = (char)('A' + i);
        if (QueryDosDeviceA(drive, target, sizeof(target)) == 0)
            continue;  /* a drive letter without a device (a stale mapping): nothing to map */
        w = snprintf(out + o, len - o, "%s=%s\n", drive, target);
        if (w < 0 || (size_t)w >= len - o)
            return WFPW_ERANGE;
        o += (size_t)w;
    }
    return 0;
}
