/*
 * test-proctab.c — naming the program behind a filter change's process id: the bounded
 * table of process creations (4688) with reused ids, and the decision between the running
 * process, the table and "unresolved" — with a live query that plays Windows: a process that
 * has exited, one whose id now belongs to a later process, one that refuses access.
 */
#include <stdio.h>
#include <string.h>

#include "../../runner.h"
#include "attrib.h"
#include "proctab.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"
#include "wfpw/timefmt.h"

#define T0 1763647800000LL /* 2025-11-20T14:10:00.000Z */

static struct wfpw_proc mk(int64_t pid, int64_t start, int64_t ppid, const char *image, const char *cmd)
{
    struct wfpw_proc p;
    wfpw_proc_init(&p);
    p.pid = pid, p.start_ms = start, p.parent_pid = ppid;
    p.image = (char *)image, p.command_line = (char *)cmd; /* borrowed: recorded as copies */
    p.user_sid = (char *)"S-1-5-21-1-2-3-1104", p.user = (char *)"CORP\\adm-jdoe";
    return p;
}

TEST_IMPL(proctab_bounded_and_reused_ids)
{
    struct wfpw_proctab *t = wfpw_proctab_new(3);
    struct wfpw_proc a = mk(100, T0 - 60000, 4, "C:\\a.exe", NULL), b = mk(100, T0 - 1000, 4, "C:\\b.exe", NULL);
    struct wfpw_proc c = mk(200, T0 - 500, 100, "C:\\c.exe", NULL), d = mk(300, T0, 100, "C:\\d.exe", NULL);
    struct wfpw_proc none = mk(-1, T0, 4, "C:\\x.exe", NULL);
    const struct wfpw_proc *f;
    ASSERT(t != NULL);
    ASSERT_EQ(wfpw_proctab_record(t, &none), WFPW_EINVAL);
    ASSERT_EQ(wfpw_proctab_record(t, &a), 0);
    ASSERT_EQ(wfpw_proctab_record(t, &b), 0);
    /* the id was given to b.exe a second before T0: a change at T0 was b's, one a minute
     * earlier a's, one before a existed nobody's */
    ASSERT((f = wfpw_proctab_find(t, 0, 100, T0)) != NULL);
    ASSERT_STR_EQ(f->image, "C:\\b.exe");
    ASSERT((f = wfpw_proctab_find(t, 0, 100, T0 - 30000)) != NULL);
    ASSERT_STR_EQ(f->image, "C:\\a.exe");
    ASSERT(wfpw_proctab_find(t, 0, 100, T0 - 120000) == NULL);
    ASSERT(wfpw_proctab_find(t, 0, 999, T0) == NULL);
    /* full: the oldest goes, counted */
    ASSERT_EQ(wfpw_proctab_record(t, &c), 0);
    ASSERT_EQ(wfpw_proctab_record(t, &d), 0);
    ASSERT_EQ(wfpw_proctab_stats(t).recorded, 4);
    ASSERT_EQ(wfpw_proctab_stats(t).evicted, 1);
    ASSERT(wfpw_proctab_find(t, 0, 100, T0 - 30000) == NULL); /* a was evicted */
    ASSERT((f = wfpw_proctab_find(t, 0, 300, T0)) != NULL);
    ASSERT_STR_EQ(f->user, "CORP\\adm-jdoe");
    wfpw_proctab_free(t);
    return 0;
}

/* The live processes of the stand-in: 100 runs since before T0 (parent 90, started before
 * it); 200's id now belongs to a process started after T0; 300 refuses access; 90 is the
 * parent; 95 is a parent id reused after its child started. Others have exited. */
static int fake_query(int64_t pid, struct wfpw_proc *out, char *err, size_t errlen)
{
    wfpw_proc_init(out);
    switch (pid) {
    case 100:
        out->start_ms = T0 - 5000, out->parent_pid = 90;
        return wfpw_proc_set(&out->image, "C:\\Tools\\blocker.exe") ||
               wfpw_proc_set(&out->command_line, "blocker.exe --edr");
    case 101:
        out->start_ms = T0 - 5000, out->parent_pid = 95;
        return wfpw_proc_set(&out->image, "C:\\Tools\\other.exe");
    case 90:
        out->start_ms = T0 - 600000;
        return wfpw_proc_set(&out->image, "C:\\Windows\\System32\\cmd.exe");
    case 95:
        out->start_ms = T0 - 1000; /* after its supposed child: someone else */
        return wfpw_proc_set(&out->image, "C:\\Windows\\notepad.exe");
    case 200:
        out->start_ms = T0 + 60000;
        return wfpw_proc_set(&out->image, "C:\\Windows\\System32\\svchost.exe");
    case 300:
        snprintf(err, errlen, "OpenProcess(300): Windows error 5");
        return WFPW_EACCES;
    default:
        return WFPW_ENOENT;
    }
}

/* changed_by with this process validates on the wire, inside the golden alert */
static int validates(const struct wfpw_proc_found *f)
{
    struct wfpw_changed_by cb;
    struct wfpw_proto_err pe;
    char *text = wfpw_test_read(wfpw_test_data("proto/golden/alert.json"), NULL);
    cJSON *batch = text ? cJSON_Parse(text) : NULL, *ev, *j;
    int rc;
    memset(&cb, 0, sizeof(cb));
    cb.pid = 6120, cb.event_id = 5447, cb.record_id = 7, cb.change = WFPW_CHANGE_ADD, cb.proc = (struct wfpw_proc_found *)f;
    snprintf(cb.user, sizeof(cb.user), "CORP\\adm-jdoe");
    ev = cJSON_GetArrayItem(cJSON_GetObjectItem(batch, "events"), 0);
    if (ev == NULL || (j = wfpw_changed_by_json(&cb)) == NULL)
        return -1;
    cJSON_DeleteItemFromObject(ev, "changed_by");
    cJSON_AddItemToObject(ev, "changed_by", j);
    rc = wfpw_event_validate(ev, "e", &pe);
    if (rc != 0)
        fprintf(stderr, "%s: %s\n", pe.field, pe.msg);
    cJSON_Delete(batch);
    wfpw_free(text);
    return rc;
}

TEST_IMPL(proctab_resolve_running_exited_reused_denied)
{
    struct wfpw_proctab *t = wfpw_proctab_new(16);
    struct wfpw_proc_found *f;
    struct wfpw_proc gone = mk(6120, T0 - 800, 90, "C:\\Users\\Public\\upd.exe", "upd.exe /q");
    struct wfpw_proc older = mk(200, T0 - 2000, 90, "C:\\Users\\Public\\fw.exe", NULL);
    struct wfpw_proc denied = mk(300, T0 - 9000, 90, "C:\\Program Files\\Agent\\agent.exe", "agent.exe");
    cJSON *j;
    ASSERT_EQ(wfpw_proctab_record(t, &gone), 0);
    ASSERT_EQ(wfpw_proctab_record(t, &older), 0);
    ASSERT_EQ(wfpw_proctab_record(t, &denied), 0);

    /* still running, started before the change: the live answer, with its parent */
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 0, 100, T0)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_RUNNING);
    ASSERT_STR_EQ(f->p.image, "C:\\Tools\\blocker.exe");
    ASSERT_STR_EQ(f->p.command_line, "blocker.exe --edr");
    ASSERT_EQ(f->p.parent_pid, 90);
    ASSERT_STR_EQ(f->p.parent_image, "C:\\Windows\\System32\\cmd.exe");
    ASSERT_STR_EQ(f->note, "");
    ASSERT_EQ(validates(f), 0);
    j = wfpw_proc_found_json(f);
    ASSERT_STR_EQ(cJSON_GetObjectItem(j, "resolved_from")->valuestring, "running_process");
    ASSERT_STR_EQ(cJSON_GetObjectItem(j, "start_time")->valuestring, "2025-11-20T14:09:55.000Z");
    cJSON_Delete(j);
    wfpw_proc_found_free(f);

    /* the parent id now held by a process younger than the child: not the parent */
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 0, 101, T0)) != NULL);
    ASSERT_EQ(f->p.parent_pid, 95);
    ASSERT(f->p.parent_image == NULL);
    wfpw_proc_found_free(f);

    /* exited a moment after adding its filter: the 4688 names it, parent from the live cmd */
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 0, 6120, T0)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_CREATION_EVENT);
    ASSERT_STR_EQ(f->p.image, "C:\\Users\\Public\\upd.exe");
    ASSERT_STR_EQ(f->p.command_line, "upd.exe /q");
    ASSERT_STR_EQ(f->p.parent_image, "C:\\Windows\\System32\\cmd.exe");
    ASSERT_EQ(validates(f), 0);
    wfpw_proc_found_free(f);

    /* the id belongs to a later process now: that one is not believed, the 4688 answers */
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 0, 200, T0)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_CREATION_EVENT);
    ASSERT_STR_EQ(f->p.image, "C:\\Users\\Public\\fw.exe");
    ASSERT(strstr(f->note, "now belongs to a process started after the change") != NULL);
    ASSERT(strstr(f->note, "no command line") != NULL); /* that 4688 had none */
    ASSERT_EQ(validates(f), 0);
    wfpw_proc_found_free(f);

    /* access denied: said, and the table still answers */
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 0, 300, T0)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_CREATION_EVENT);
    ASSERT(strstr(f->note, "OpenProcess(300): Windows error 5") != NULL);
    wfpw_proc_found_free(f);

    /* gone and never seen created: unresolved, saying how to fix it */
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 0, 7777, T0)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_UNRESOLVED);
    ASSERT(f->p.image == NULL);
    ASSERT(strstr(f->note, "process 7777 had exited and no process creation event (4688)") != NULL);
    ASSERT_EQ(validates(f), 0);
    j = wfpw_proc_found_json(f);
    ASSERT_STR_EQ(cJSON_GetObjectItem(j, "resolved_from")->valuestring, "unresolved");
    ASSERT(cJSON_IsNull(cJSON_GetObjectItem(j, "image")));
    cJSON_Delete(j);
    wfpw_proc_found_free(f);

    /* a 4688 created after the change is not the one that made it */
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 0, 6120, T0 - 60000)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_UNRESOLVED);
    wfpw_proc_found_free(f);

    ASSERT_EQ(wfpw_proctab_stats(t).running, 2);
    ASSERT_EQ(wfpw_proctab_stats(t).from_events, 3);
    ASSERT_EQ(wfpw_proctab_stats(t).unresolved, 2);
    wfpw_proctab_free(t);
    return 0;
}

/* a filter added by process 41 at T0, key number k, its process resolved from t */
static struct wfpw_changed_by change_by_41(struct wfpw_proctab *t, int k)
{
    struct wfpw_changed_by cb;
    memset(&cb, 0, sizeof(cb));
    snprintf(cb.object, sizeof(cb.object), "filter");
    snprintf(cb.key, sizeof(cb.key), "{00000000-0000-0000-0000-%012d}", k);
    cb.change = WFPW_CHANGE_ADD, cb.pid = 41, cb.time_ms = T0;
    cb.proc = wfpw_proc_resolve(t, NULL, 0, 41, T0);
    return cb;
}

/* The attribution table takes over the process; eviction and free release it (ASan watches),
 * and long texts are cut on a character boundary. */
TEST_IMPL(proctab_attrib_owns_copies)
{
    struct wfpw_attrib *a = wfpw_attrib_new(2);
    struct wfpw_proctab *t = wfpw_proctab_new(2);
    struct wfpw_changed_by cb;
    const struct wfpw_changed_by *got;
    char *longtext = wfpw_malloc(WFPW_PROC_TEXT_MAX + 64), *cut = NULL;
    struct wfpw_proc p;
    size_t i;
    int k;
    for (i = 0; i + 2 < WFPW_PROC_TEXT_MAX + 64; i += 2)
        longtext[i] = (char)0xC3, longtext[i + 1] = (char)0xA9; /* é */
    longtext[i] = '\0';
    ASSERT_EQ(wfpw_proc_set(&cut, longtext), 0); /* cut between characters */
    ASSERT(strlen(cut) <= WFPW_PROC_TEXT_MAX);
    ASSERT(((unsigned char)cut[strlen(cut) - 1]) == 0xA9);
    ASSERT_EQ(wfpw_proc_set(&cut, longtext + 1), 0); /* starts mid-character: not UTF-8, not kept */
    ASSERT(cut == NULL);
    p = mk(41, T0 - 100, 4, longtext, longtext);
    ASSERT_EQ(wfpw_proctab_record(t, &p), 0);
    for (k = 0; k < 5; k++) {
        cb = change_by_41(t, k);
        wfpw_attrib_record(a, &cb);
        ASSERT(cb.proc == NULL); /* the table's now */
    }
    ASSERT((got = wfpw_attrib_find(a, "filter", "{00000000-0000-0000-0000-000000000004}", WFPW_CHANGE_ADD)) != NULL);
    ASSERT(got->proc != NULL);
    ASSERT_EQ(got->proc->from, WFPW_PROC_CREATION_EVENT);
    ASSERT(strlen(got->proc->p.image) <= WFPW_PROC_TEXT_MAX);
    ASSERT_EQ(validates(got->proc), 0);
    ASSERT_EQ(wfpw_attrib_stats(a).evicted, 3);
    wfpw_attrib_free(a);
    wfpw_proctab_free(t);
    wfpw_free(longtext);
    return 0;
}

/* What a hostile or unlucky host does to the answer: a tool that rewrites its live command line
 * is shown with the one its 4688 recorded; a process id given to a new process half a second
 * after the change is not taken (4688 and 5447 share one clock: no slack); a capture's 4688s
 * never name this host's processes; a burst of process starts that pushed the creation out is
 * said; texts that are not UTF-8, empty after cutting, or the field itself are handled. */
TEST_IMPL(proctab_hostile_cases)
{
    struct wfpw_proctab *t = wfpw_proctab_new(2);
    struct wfpw_proc_found *f;
    struct wfpw_proc own = mk(100, T0 - 5000, 90, "C:\\Tools\\blocker.exe", "blocker.exe --edr --for-real");
    struct wfpw_proc late = mk(6120, T0 + 500, 90, "C:\\Windows\\notepad.exe", NULL);
    struct wfpw_proc other = mk(7000, T0 - 100, 90, "C:\\capture\\tool.exe", NULL);
    char *s = NULL;
    ASSERT_EQ(wfpw_proctab_record(t, &own), 0);
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 0, 100, T0)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_RUNNING);
    ASSERT_STR_EQ(f->p.command_line, "blocker.exe --edr --for-real");
    ASSERT_EQ(validates(f), 0);
    wfpw_proc_found_free(f);

    ASSERT_EQ(wfpw_proctab_record(t, &late), 0);
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 0, 6120, T0)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_UNRESOLVED);
    wfpw_proc_found_free(f);

    other.source = 2; /* read from a replayed capture */
    ASSERT_EQ(wfpw_proctab_record(t, &other), 0);
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 1, 7000, T0)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_UNRESOLVED);
    ASSERT(strstr(f->note, "older process creations were pushed out of the table of 2") != NULL);
    wfpw_proc_found_free(f);
    ASSERT((f = wfpw_proc_resolve(t, fake_query, 2, 7000, T0)) != NULL);
    ASSERT_EQ(f->from, WFPW_PROC_CREATION_EVENT);
    ASSERT_STR_EQ(f->p.image, "C:\\capture\\tool.exe");
    wfpw_proc_found_free(f);

    ASSERT_EQ(wfpw_proc_set(&s, "C:\\ok.exe"), 0);
    ASSERT_EQ(wfpw_proc_set(&s, s), 0); /* the field itself */
    ASSERT_STR_EQ(s, "C:\\ok.exe");
    ASSERT_EQ(wfpw_proc_set(&s, "bad \xff\xfe text"), 0);
    ASSERT(s == NULL);
    ASSERT_EQ(wfpw_proc_set_max(&s, "\xc3\xa9\xc3\xa9", 1), 0); /* nothing whole fits */
    ASSERT(s == NULL);
    ASSERT_EQ(wfpw_proc_set_max(&s, "S-1-5-21-1", 4), 0);
    ASSERT_STR_EQ(s, "S-1-");
    wfpw_free(s);
    wfpw_proctab_free(t);
    return 0;
}

/* An attacker who makes thousands of filter changes from programs with 4 KiB command lines
 * cannot make the table hold more than its budget of process text: past it, a new entry's
 * command line is cut and says so; what eviction releases is given back to the budget. */
TEST_IMPL(proctab_attrib_text_budget)
{
    struct wfpw_proctab *t = wfpw_proctab_new(1);
    char *cmd = wfpw_malloc(4001);
    struct wfpw_proc p;
    struct wfpw_changed_by cb;
    const struct wfpw_changed_by *got;
    struct wfpw_attrib *a;
    int round, k, cut;
    memset(cmd, 'x', 4000);
    cmd[4000] = '\0';
    p = mk(41, T0 - 100, 4, "C:\\Tools\\t.exe", cmd);
    ASSERT_EQ(wfpw_proctab_record(t, &p), 0);
    for (round = 0; round < 2; round++) {
        /* round 0: 2,000 entries of ~4 KiB, 8 MB: the newest are cut; round 1: a table of 500
         * (2 MB held at most) given 2,000: evictions give the bytes back, nothing is cut */
        a = wfpw_attrib_new(round == 0 ? 2000 : 500);
        cut = 0;
        for (k = 0; k < 2000; k++) {
            cb = change_by_41(t, k);
            ASSERT(cb.proc != NULL && strlen(cb.proc->p.command_line) == 4000);
            wfpw_attrib_record(a, &cb);
            got = wfpw_attrib_find(a, "filter", cb.key, WFPW_CHANGE_ADD);
            ASSERT(got != NULL && got->proc != NULL && got->proc->p.command_line != NULL);
            if (strlen(got->proc->p.command_line) < 4000) {
                ASSERT(strlen(got->proc->p.command_line) <= 256);
                ASSERT(strstr(got->proc->note, "texts cut to 256 bytes") != NULL);
                ASSERT_EQ(validates(got->proc), 0);
                cut++;
            }
        }
        if (round == 0) {
            ASSERT(cut > 900 && cut < 1100); /* about 1,000 whole ones fit 4 MiB */
            got = wfpw_attrib_find(a, "filter", "{00000000-0000-0000-0000-000000000000}", WFPW_CHANGE_ADD);
            ASSERT(got != NULL && strlen(got->proc->p.command_line) == 4000);
        } else {
            ASSERT_EQ(cut, 0);
            ASSERT_EQ(wfpw_attrib_stats(a).evicted, 1500);
        }
        wfpw_attrib_free(a);
    }
    wfpw_proctab_free(t);
    wfpw_free(cmd);
    return 0;
}
