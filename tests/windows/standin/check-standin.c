/*
 * check-standin.c — the stand-in wevtapi.dll and fwpuclnt.dll do what docs/windows-behaviour.md
 * says Windows does, row by row, called directly (not through the agent): a stand-in that drifts
 * from its rows would let the agent's tests pass against behaviour Windows does not have.
 * Built beside the stand-ins and run under Wine with WINEDLLOVERRIDES=wevtapi=n;fwpuclnt=n
 * (ctest windows.standin_rows). Each check prints "ok - ..." or "FAIL - ..."; exit 1 on a failure.
 */
#include <windows.h>
#include <winevt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fwpuclnt, declared by hand: the stand-in's exports take the portable declarations */
DWORD WINAPI FwpmEngineOpen0(const wchar_t *, UINT32, void *, const void *, HANDLE *);
DWORD WINAPI FwpmEngineClose0(HANDLE);
DWORD WINAPI FwpmTransactionBegin0(HANDLE, UINT32);
DWORD WINAPI FwpmFilterSubscribeChanges0(HANDLE, const void *, void(WINAPI *)(void *, const void *), void *, HANDLE *);
DWORD WINAPI FwpmFilterUnsubscribeChanges0(HANDLE, HANDLE);

static int failed;

/* The stand-ins read their files' names with getenv: the CRT's copy of the environment, which
 * _putenv updates (SetEnvironmentVariable does not). */
static void setenv_crt(const char *name, const char *value)
{
    static char buf[4][MAX_PATH + 64];
    static int i;
    char *b = buf[i++ & 3];
    snprintf(b, MAX_PATH + 64, "%s=%s", name, value);
    _putenv(b);
}
static char dir[MAX_PATH];

static void check(int ok, const char *what)
{
    printf("%s - %s\n", ok ? "ok" : "FAIL", what);
    failed |= !ok;
}

static void put(const char *name, const char *text)
{
    char p[MAX_PATH + 64];
    FILE *f;
    snprintf(p, sizeof(p), "%s\\%s", dir, name);
    if ((f = fopen(p, "wb")) != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static WCHAR *w(const char *s)
{
    static WCHAR buf[4][8192];
    static int i;
    WCHAR *b = buf[i++ & 3];
    MultiByteToWideChar(CP_UTF8, 0, s, -1, b, 8192);
    return b;
}

static const char *event(unsigned rec, unsigned id)
{
    static char buf[4][512];
    static int i;
    char *b = buf[i++ & 3];
    snprintf(b, 512,
             "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>%u</EventID>"
             "<EventRecordID>%u</EventRecordID><Channel>Security</Channel></System></Event>\n",
             id, rec);
    return b;
}

static void event_log(void)
{
    char q[8192], log[4096] = "<Events>\n", p[MAX_PATH + 64];
    HANDLE sig = CreateEventW(NULL, TRUE, TRUE, NULL), sub, bm, evs[64];
    DWORD n = 0, i;
    int k;

    snprintf(p, sizeof(p), "%s\\Security.xml", dir);
    setenv_crt("WFPW_STANDIN_EVT", p);
    for (i = 1; i <= 30; i++)
        strcat(log, event(i, 5157));
    put("Security.xml", log);
    put("Security.xml.scenario", "");

    /* an XPath of 21 expressions: ERROR_EVT_INVALID_QUERY */
    strcpy(q, "*[System[(EventID=1");
    for (k = 2; k <= 21; k++)
        sprintf(q + strlen(q), " or EventID=%d", k);
    strcat(q, ")]]");
    sub = EvtSubscribe(NULL, sig, L"Security", w(q), NULL, NULL, NULL, EvtSubscribeStartAtOldestRecord);
    check(sub == NULL && GetLastError() == 15001, "EvtSubscribe: an XPath of 21 expressions is refused with 15001");
    /* a structured query: a Select of 21 refused, two of 16 taken */
    strcpy(q, "<QueryList><Query Id=\"0\" Path=\"Security\"><Select Path=\"Security\">*[System[(EventID=1");
    for (k = 2; k <= 21; k++)
        sprintf(q + strlen(q), " or EventID=%d", k);
    strcat(q, ")]]</Select></Query></QueryList>");
    sub = EvtSubscribe(NULL, sig, L"Security", w(q), NULL, NULL, NULL, EvtSubscribeStartAtOldestRecord);
    check(sub == NULL && GetLastError() == 15001, "EvtSubscribe: a Select of 21 expressions is refused with 15001");
    strcpy(q, "<QueryList><Query Id=\"0\" Path=\"Security\"><Select Path=\"Security\">*[System[(EventID=5157");
    for (k = 2; k <= 16; k++)
        sprintf(q + strlen(q), " or EventID=%d", k);
    strcat(q, ")]]</Select><Select Path=\"Security\">*[System[(EventID=1");
    for (k = 2; k <= 16; k++)
        sprintf(q + strlen(q), " or EventID=%d", 100 + k);
    strcat(q, ")]]</Select></Query></QueryList>");
    sub = EvtSubscribe(NULL, sig, L"Security", w(q), NULL, NULL, NULL, EvtSubscribeStartAtOldestRecord);
    check(sub != NULL, "EvtSubscribe: two Selects of 16 expressions are taken");
    if (sub == NULL)
        return;

    /* RPC_S_INVALID_BOUND past max-batch, and the refused batch is gone from the subscription */
    put("Security.xml.scenario", "max-batch 10\nidle-error 4317\n");
    check(EvtNext(sub, 8, evs, 0, 0, &n) && n == 8, "EvtNext: 8 asked, 30 ready: 8 returned");
    bm = EvtCreateBookmark(NULL);
    if (n > 0)
        EvtUpdateBookmark(bm, evs[n - 1]); /* record 8 */
    for (i = 0; i < n; i++)
        EvtClose(evs[i]);
    check(!EvtNext(sub, 16, evs, 0, 0, &n) && GetLastError() == RPC_S_INVALID_BOUND && n == 0,
          "EvtNext: 16 asked while 22 are ready and 10 fit: RPC_S_INVALID_BOUND, nothing returned");
    {
        DWORD got = 0;
        while (EvtNext(sub, 8, evs, 0, 0, &n) && n > 0) {
            got += n;
            for (i = 0; i < n; i++)
                EvtClose(evs[i]);
        }
        check(got == 6 && GetLastError() == 4317,
              "EvtNext: the worst reading of 1734: the refused 16 are gone from that subscription (6 left), then idle 4317");
    }
    EvtClose(sub);
    /* a new subscription after the bookmark finds them again */
    sub = EvtSubscribe(NULL, sig, L"Security", w(q), bm, NULL, NULL, EvtSubscribeStartAfterBookmark | EvtSubscribeStrict);
    {
        DWORD got = 0;
        while (sub && EvtNext(sub, 8, evs, 0, 0, &n) && n > 0) {
            got += n;
            for (i = 0; i < n; i++)
                EvtClose(evs[i]);
        }
        check(got == 22, "EvtSubscribe after the bookmark (record 8): the 22 later events");
    }
    EvtClose(sub);
    EvtClose(bm);
    /* Strict with the bookmarked record gone (the log was cleared): ERROR_NOT_FOUND */
    put("Security.xml", "<Events>\n");
    bm = EvtCreateBookmark(L"<BookmarkList><Bookmark Channel='Security' RecordId='8' IsCurrent='true'/></BookmarkList>");
    sub = EvtSubscribe(NULL, sig, L"Security", w(q), bm, NULL, NULL, EvtSubscribeStartAfterBookmark | EvtSubscribeStrict);
    check(sub == NULL && GetLastError() == ERROR_NOT_FOUND, "EvtSubscribe Strict, bookmarked record gone: ERROR_NOT_FOUND");
    EvtClose(bm);
    CloseHandle(sig);
}

static volatile LONG notified;
static void WINAPI on_change(void *ctx, const void *change)
{
    (void)ctx, (void)change;
    InterlockedIncrement(&notified);
}

static void engine(void)
{
    char p[MAX_PATH + 64];
    struct {
        void *tmpl;
        UINT32 flags;
        GUID session;
    } sub0 = {NULL, 0, {0}}, sub3 = {NULL, 3, {0}};
    HANDLE e = NULL, s0 = NULL, s3 = NULL;
    DWORD rc;
    snprintf(p, sizeof(p), "%s\\engine.xml", dir);
    setenv_crt("WFPW_STANDIN_WFP", p);
    put("engine.xml", "<wfpdiag><filters/><providers/></wfpdiag>\n");
    put("engine.xml.bfe", "stopped\n");
    rc = FwpmEngineOpen0(NULL, 10, NULL, NULL, &e);
    check(rc == EPT_S_NOT_REGISTERED && e == NULL, "FwpmEngineOpen0 while BFE is stopped: EPT_S_NOT_REGISTERED (1753)");
    put("engine.xml.bfe", "running 1\n");
    rc = FwpmEngineOpen0(NULL, 10, NULL, NULL, &e);
    check(rc == 0 && e != NULL, "FwpmEngineOpen0 while BFE runs");
    if (e == NULL)
        return;
    FwpmFilterSubscribeChanges0(e, &sub0, on_change, NULL, &s0);
    Sleep(100);
    put("engine.xml", "<wfpdiag><filters/><providers/>\n</wfpdiag>\n");
    Sleep(300);
    check(notified == 0, "FwpmFilterSubscribeChanges0 with flags 0: no notification (the pessimistic reading)");
    FwpmFilterUnsubscribeChanges0(e, s0);
    FwpmFilterSubscribeChanges0(e, &sub3, on_change, NULL, &s3);
    Sleep(100);
    put("engine.xml", "<wfpdiag><filters/><providers/></wfpdiag>\n\n");
    Sleep(300);
    check(notified > 0, "FwpmFilterSubscribeChanges0 with NOTIFY_ON_ADD | NOTIFY_ON_DELETE: notified");
    put("engine.xml.bfe", "running 2\n");
    notified = 0;
    put("engine.xml", "<wfpdiag><filters/><providers/></wfpdiag>\n\n\n");
    Sleep(300);
    check(notified == 0, "a session of a restarted BFE: its subscription says nothing more");
    rc = FwpmTransactionBegin0(e, 1);
    check(rc == 1726, "a session of a restarted BFE: its calls fail (run 1's sessions: RPC_S_CALL_FAILED)");
    FwpmFilterUnsubscribeChanges0(e, s3);
    FwpmEngineClose0(e);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: check-standin DIR (a scratch folder)\n");
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s", argv[1]);
    CreateDirectoryA(dir, NULL);
    event_log();
    engine();
    return failed;
}
