/*
 * proctab.c — see proctab.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proctab.h"
#include "ring.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/timefmt.h"
#include "wfpw/utf8.h"

/* The 4688 time and a process's creation time are the same clock, but the live creation time
 * and a change's event time are read by different calls: a process is taken as started
 * before the change when it started no later than this after it. */
#define CLOCK_SLACK_MS 1000

struct wfpw_proctab {
    struct wfpw_ring ring;     /* first (wfpw_ring_table_new): of struct wfpw_proc, each owning its texts */
    struct wfpw_proctab_stats st;
};

void wfpw_proc_init(struct wfpw_proc *p)
{
    memset(p, 0, sizeof(*p));
    p->pid = p->parent_pid = p->start_ms = -1;
}

void wfpw_proc_clear(struct wfpw_proc *p)
{
    wfpw_free(p->image);
    wfpw_free(p->command_line);
    wfpw_free(p->parent_image);
    wfpw_free(p->user_sid);
    wfpw_free(p->user);
    wfpw_proc_init(p);
}

int wfpw_text_cut_dup(char **out, const char *text, size_t max)
{
    size_t n = text != NULL ? strlen(text) : 0;
    *out = NULL;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)  /* not inside a character */
            n--;
    }
    if (n > 0 && wfpw_utf8_valid(text, n) && (*out = wfpw_strndup(text, n)) == NULL)
        return WFPW_ENOMEM;
    return 0;
}

int wfpw_proc_set_max(char **field, const char *text, size_t max)
{
    char *d = NULL;
    if (text != NULL && strcmp(text, "-") != 0 && wfpw_text_cut_dup(&d, text, max) != 0)
        return WFPW_ENOMEM;
    wfpw_free(*field);  /* after the copy: text may be *field */
    *field = d;
    return 0;
}

int wfpw_proc_set(char **field, const char *text)
{
    return wfpw_proc_set_max(field, text, WFPW_PROC_TEXT_MAX);
}

int wfpw_proc_copy(struct wfpw_proc *dst, const struct wfpw_proc *src)
{
    wfpw_proc_init(dst);
    dst->pid = src->pid, dst->parent_pid = src->parent_pid, dst->start_ms = src->start_ms;
    dst->record_id = src->record_id, dst->source = src->source;
    if (wfpw_proc_set(&dst->image, src->image) || wfpw_proc_set(&dst->command_line, src->command_line) ||
        wfpw_proc_set(&dst->parent_image, src->parent_image) ||
        wfpw_proc_set_max(&dst->user_sid, src->user_sid, WFPW_SID_TEXT_MAX) || wfpw_proc_set(&dst->user, src->user)) {
        wfpw_proc_clear(dst);
        return WFPW_ENOMEM;
    }
    return 0;
}

static void clear(void *slot)
{
    wfpw_proc_clear(slot);
}

struct wfpw_proctab *wfpw_proctab_new(size_t cap)
{
    return wfpw_ring_table_new(sizeof(struct wfpw_proctab), cap, sizeof(struct wfpw_proc), clear);
}

void wfpw_proctab_free(struct wfpw_proctab *t)
{
    wfpw_ring_table_free(t);
}

int wfpw_proctab_record(struct wfpw_proctab *t, const struct wfpw_proc *created)
{
    struct wfpw_proc copy;
    if (created->pid < 0)
        return WFPW_EINVAL;
    if (wfpw_proc_copy(&copy, created) != 0)
        return WFPW_ENOMEM;
    *(struct wfpw_proc *)wfpw_ring_push(&t->ring) = copy;
    return 0;
}

static const struct wfpw_proc *find_at(const struct wfpw_proctab *t, uint32_t source, int64_t pid, int64_t at_ms,
                                      int64_t slack)
{
    const struct wfpw_proc *p;
    size_t i;
    if (t == NULL)
        return NULL;
    for (i = 0; (p = wfpw_ring_at(&t->ring, i)) != NULL; i++) {  /* newest first: the latest creation of that id wins */
        if (p->pid == pid && p->source == source && (p->start_ms < 0 || at_ms < 0 || p->start_ms <= at_ms + slack))
            return p;
    }
    return NULL;
}

const struct wfpw_proc *wfpw_proctab_find(const struct wfpw_proctab *t, uint32_t source, int64_t pid, int64_t at_ms)
{
    return find_at(t, source, pid, at_ms, 0);
}

struct wfpw_proctab_stats wfpw_proctab_stats(const struct wfpw_proctab *t)
{
    struct wfpw_proctab_stats st = t->st;
    st.recorded = t->ring.recorded, st.evicted = t->ring.evicted;
    return st;
}

void wfpw_proc_found_free(struct wfpw_proc_found *f)
{
    if (f == NULL)
        return;
    wfpw_proc_clear(&f->p);
    wfpw_free(f);
}

size_t wfpw_proc_found_text(const struct wfpw_proc_found *f)
{
    const struct wfpw_proc *p = f ? &f->p : NULL;
    if (p == NULL)
        return 0;
    return (p->image ? strlen(p->image) : 0) + (p->command_line ? strlen(p->command_line) : 0) +
           (p->parent_image ? strlen(p->parent_image) : 0) + (p->user ? strlen(p->user) : 0) +
           (p->user_sid ? strlen(p->user_sid) : 0);
}

void wfpw_proc_found_trim(struct wfpw_proc_found *f, size_t max, const char *why)
{
    char **fields[4];
    size_t i;
    int cut = 0;
    if (f == NULL)
        return;
    fields[0] = &f->p.image, fields[1] = &f->p.command_line, fields[2] = &f->p.parent_image, fields[3] = &f->p.user;
    for (i = 0; i < 4; i++)
        if (*fields[i] != NULL && strlen(*fields[i]) > max) {
            (void)wfpw_proc_set_max(fields[i], *fields[i], max); /* shorter: never fails for memory */
            cut = 1;
        }
    if (cut)
        wfpw_proc_found_note(f, "texts cut to %lu bytes: %s", (unsigned long)max, why);
}

void wfpw_proc_found_note(struct wfpw_proc_found *f, const char *fmt, ...)
{
    size_t n = strlen(f->note);
    va_list ap;
    if (n && n + 2 < sizeof(f->note))
        memcpy(f->note + n, "; ", 3), n += 2;
    if (n < sizeof(f->note)) {
        va_start(ap, fmt);
        vsnprintf(f->note + n, sizeof(f->note) - n, fmt, ap);
        va_end(ap);
    }
}

/* The parent's image, when the live parent is the one that created this process: a parent id
 * now held by a process started after the child is someone else. */
static void live_parent(struct wfpw_proc_found *f, wfpw_proc_query_fn query, const struct wfpw_proctab *t,
                        uint32_t source)
{
    struct wfpw_proc par;
    const struct wfpw_proc *ev;
    char err[160];
    if (f->p.parent_image != NULL || f->p.parent_pid < 0)
        return;
    wfpw_proc_init(&par);
    if (query != NULL && query(f->p.parent_pid, &par, err, sizeof(err)) == 0 && par.start_ms >= 0 &&
        f->p.start_ms >= 0 && par.start_ms <= f->p.start_ms + CLOCK_SLACK_MS) {
        f->p.parent_image = par.image, par.image = NULL;
    } else if ((ev = find_at(t, source, f->p.parent_pid, f->p.start_ms, f->from == WFPW_PROC_RUNNING ? CLOCK_SLACK_MS : 0)) !=
                   NULL &&
               ev->image != NULL) {
        (void)wfpw_proc_set(&f->p.parent_image, ev->image);
    }
    wfpw_proc_clear(&par);
}

struct wfpw_proc_found *wfpw_proc_resolve(struct wfpw_proctab *t, wfpw_proc_query_fn query, uint32_t source,
                                          int64_t pid, int64_t at_ms)
{
    struct wfpw_proc_found *f = wfpw_calloc(1, sizeof(*f));
    const struct wfpw_proc *ev;
    char err[160] = "";
    int rc = WFPW_ENOENT;
    if (f == NULL)
        return NULL;
    wfpw_proc_init(&f->p);
    if (query != NULL && pid >= 0)
        rc = query(pid, &f->p, err, sizeof(err));
    if (rc == 0 && f->p.start_ms >= 0 && at_ms >= 0 && f->p.start_ms > at_ms + CLOCK_SLACK_MS) {
        char when[WFPW_TIME_LEN + 1] = "?";
        (void)wfpw_time_format_ms(f->p.start_ms, when);
        wfpw_proc_found_note(f, "process id %lld now belongs to a process started after the change (%s): the one that made it "
                    "has exited", (long long)pid, when);
        wfpw_proc_clear(&f->p);
        rc = WFPW_ENOENT;
    } else if (rc == 0) {
        f->from = WFPW_PROC_RUNNING;
        f->p.pid = pid;
        if (f->p.start_ms < 0)
            wfpw_proc_found_note(f, "the start time of process %lld could not be read: it may be a later process with the same id",
                     (long long)pid);
        /* its own creation event, if read: the command line and parent as they were at its
         * start (a process can rewrite its live command line) */
        if (f->p.start_ms >= 0 && (ev = find_at(t, source, pid, f->p.start_ms, CLOCK_SLACK_MS)) != NULL &&
            ev->start_ms >= f->p.start_ms - CLOCK_SLACK_MS) {
            if ((ev->command_line && wfpw_proc_set(&f->p.command_line, ev->command_line)) ||
                (ev->parent_image && wfpw_proc_set(&f->p.parent_image, ev->parent_image))) {
                wfpw_proc_found_free(f);
                return NULL;
            }
            if (ev->parent_pid >= 0)
                f->p.parent_pid = ev->parent_pid;
            f->p.record_id = ev->record_id;
        }
    } else if (rc != WFPW_ENOENT) {
        wfpw_proc_found_note(f, "process %lld could not be queried: %s", (long long)pid, err[0] ? err : wfpw_strerror(rc));
        wfpw_proc_clear(&f->p);
    } else {
        wfpw_proc_clear(&f->p);
    }
    if (f->from == WFPW_PROC_UNRESOLVED && pid >= 0 && (ev = wfpw_proctab_find(t, source, pid, at_ms)) != NULL) {
        if (wfpw_proc_copy(&f->p, ev) != 0) {
            wfpw_proc_found_free(f);
            return NULL;
        }
        f->from = WFPW_PROC_CREATION_EVENT;
        if (f->p.command_line == NULL)
            wfpw_proc_found_note(f, "the 4688 event carries no command line (turn on \"Include command line in process creation "
                        "events\")");
    }
    if (f->from != WFPW_PROC_UNRESOLVED) {
        live_parent(f, query, t, source);
    } else if (pid < 0) {
        wfpw_proc_found_note(f, "the event names no process");
    } else {
        wfpw_proc_found_note(f, "process %lld had exited and no process creation event (4688) was seen for it: audit Process "
                    "Creation (event id 4688 in the eventlog source) to name such programs",
                 (long long)pid);
        if (t != NULL && t->ring.evicted > 0)
            wfpw_proc_found_note(f, "%llu older process creations were pushed out of the table of %lu (a burst of process "
                        "starts can push out the one that mattered)",
                     (unsigned long long)t->ring.evicted, (unsigned long)t->ring.cap);
    }
    if (t != NULL) {
        if (f->from == WFPW_PROC_RUNNING)
            t->st.running++;
        else if (f->from == WFPW_PROC_CREATION_EVENT)
            t->st.from_events++;
        else
            t->st.unresolved++;
    }
    return f;
}

cJSON *wfpw_proc_found_json(const struct wfpw_proc_found *f)
{
    static const char *const from[] = {"unresolved", "running_process", "process_creation_event"};
    cJSON *o = cJSON_CreateObject(), *par;
    char when[WFPW_TIME_LEN + 1];
    const struct wfpw_proc *p = &f->p;
    int ok;
    if (o == NULL)
        return NULL;
    ok = cJSON_AddStringToObject(o, "resolved_from", from[f->from >= 0 && f->from <= 2 ? f->from : 0]) != NULL &&
         wfpw_json_add_str_or_null(o, "image", p->image) != NULL &&
         wfpw_json_add_str_or_null(o, "command_line", p->command_line) != NULL &&
         wfpw_json_add_str_or_null(o, "user_sid", p->user_sid) != NULL && wfpw_json_add_str_or_null(o, "user", p->user) != NULL;
    if (ok)
        ok = (p->start_ms >= 0 && wfpw_time_format_ms(p->start_ms, when) == 0)
                 ? cJSON_AddStringToObject(o, "start_time", when) != NULL
                 : cJSON_AddNullToObject(o, "start_time") != NULL;
    if (ok && (p->parent_pid >= 0 || p->parent_image != NULL)) {
        ok = (par = cJSON_AddObjectToObject(o, "parent")) != NULL &&
             (p->parent_pid >= 0 ? cJSON_AddNumberToObject(par, "process_id", (double)p->parent_pid)
                                 : cJSON_AddNullToObject(par, "process_id")) != NULL &&
             wfpw_json_add_str_or_null(par, "image", p->parent_image) != NULL;
    } else if (ok) {
        ok = cJSON_AddNullToObject(o, "parent") != NULL;
    }
    if (ok && p->record_id)
        ok = cJSON_AddNumberToObject(o, "record_id", (double)p->record_id) != NULL;
    if (ok && f->note[0])
        ok = cJSON_AddStringToObject(o, "note", f->note) != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
