/*
 * proctab.h — which program a process id named when the Security log said "process 6120
 * added this filter" (5447 and its siblings give a process id and a SID, not a program), and
 * the bounded table of process creations (Security event 4688) that answers for processes that
 * have already exited: silencer tools run for a second and exit, usually before the agent
 * reads their 5447.
 *
 * The answer is decided here, portably, from two inputs: what the live process query says
 * (platform.h wfpw__plat_process_query, passed in as a function so tests give their own) and
 * the table. A running process is believed only if it started before the change (a later
 * start means Windows gave the id to a new process); otherwise the newest 4688 for that id
 * created before the change answers; otherwise the result says why nothing could.
 *
 * Ownership: every string of a struct wfpw_proc is owned by it (wfpw_proc_clear frees them);
 * the table owns its copies; a struct wfpw_proc_found is owned by whoever holds the pointer
 * (wfpw_proc_found_free).
 */
#ifndef WFPW_PROCTAB_H
#define WFPW_PROCTAB_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define WFPW_PROC_TEXT_MAX 4096  /* image paths and command lines are cut to this many bytes */
#define WFPW_SID_TEXT_MAX 256    /* a SID's text (the wire's limit) */

/* What is known of one process; -1 / NULL for what is unknown. */
struct wfpw_proc {
    int64_t pid, parent_pid;
    int64_t start_ms;          /* its creation time (4688: the event's time) */
    char *image;               /* full path, drive-letter form ("C:\Windows\System32\netsh.exe") */
    char *command_line;
    char *parent_image;
    char *user_sid, *user;     /* the account the process ran as ("DOMAIN\name") */
    uint64_t record_id;        /* the 4688 record it came from; 0 live */
    uint32_t source;           /* the agent source that read the 4688 (a capture's processes never
                                  name this host's, nor the reverse); 0 live */
};

enum wfpw_proc_from { WFPW_PROC_UNRESOLVED = 0, WFPW_PROC_RUNNING = 1, WFPW_PROC_CREATION_EVENT = 2 };

/* The answer for one change: the process (when from != UNRESOLVED) and, always, a note in
 * words when something is missing or doubtful ("" when nothing is). */
struct wfpw_proc_found {
    int from;                  /* enum wfpw_proc_from */
    struct wfpw_proc p;
    char note[256];
};

/* A live query: 0 and *out filled; WFPW_ENOENT when no process has that id; another negative
 * code (WFPW_EACCES, ...) with err saying which call failed. */
typedef int (*wfpw_proc_query_fn)(int64_t pid, struct wfpw_proc *out, char *err, size_t errlen);

struct wfpw_proctab_stats {
    uint64_t recorded;         /* 4688 events kept */
    uint64_t evicted;          /* pushed out by newer ones (the table is full) */
    uint64_t running, from_events, unresolved;  /* answers given, by kind */
};

struct wfpw_proctab;

void wfpw_proc_init(struct wfpw_proc *p);
void wfpw_proc_clear(struct wfpw_proc *p);
/* Deep copy into *dst (initialised here); WFPW_ENOMEM. */
int wfpw_proc_copy(struct wfpw_proc *dst, const struct wfpw_proc *src);
/* Set one owned string from text, cut at WFPW_PROC_TEXT_MAX (or max) bytes on a UTF-8
 * boundary; NULL, "", "-" and text that is not UTF-8 leave it NULL. text may be *field.
 * WFPW_ENOMEM. */
int wfpw_proc_set(char **field, const char *text);
int wfpw_proc_set_max(char **field, const char *text, size_t max);
/* *out = a copy of text cut at max bytes on a UTF-8 boundary, NULL when that is empty or not
 * UTF-8 ("-" is kept: for names an attacker chooses). WFPW_ENOMEM. */
int wfpw_text_cut_dup(char **out, const char *text, size_t max);

/* NULL on OOM. cap: process creations kept (the oldest go first). */
struct wfpw_proctab *wfpw_proctab_new(size_t cap);
void wfpw_proctab_free(struct wfpw_proctab *t);
/* Keep a process creation (copied). WFPW_ENOMEM (nothing kept), WFPW_EINVAL without a pid. */
int wfpw_proctab_record(struct wfpw_proctab *t, const struct wfpw_proc *created);
/* The newest creation of pid read by `source` at or before at_ms (4688 and the change are
 * stamped by the same log, so no slack), or NULL. */
const struct wfpw_proc *wfpw_proctab_find(const struct wfpw_proctab *t, uint32_t source, int64_t pid, int64_t at_ms);
struct wfpw_proctab_stats wfpw_proctab_stats(const struct wfpw_proctab *t);

/* Who process pid was at at_ms (the change's time, read by `source`): a new
 * wfpw_proc_found, NULL on OOM. query may be NULL (no live process query: only the table
 * answers). t may be NULL. A running process's command line and parent come from its own 4688
 * when there is one (the live command line is the process's to rewrite). */
struct wfpw_proc_found *wfpw_proc_resolve(struct wfpw_proctab *t, wfpw_proc_query_fn query, uint32_t source,
                                          int64_t pid, int64_t at_ms);
/* The bytes of text f holds (image, command line, parent image, user, SID). */
size_t wfpw_proc_found_text(const struct wfpw_proc_found *f);
/* Cuts f's image, command line, parent image and user to at most max bytes each (whole
 * characters) and notes it with why: for tables whose process text is bounded. */
void wfpw_proc_found_trim(struct wfpw_proc_found *f, size_t max, const char *why);
/* Appends "; " and the formatted text to f->note (cut at its size). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void wfpw_proc_found_note(struct wfpw_proc_found *f, const char *fmt, ...);
void wfpw_proc_found_free(struct wfpw_proc_found *f);

/* The wire's changed_by.process member (proto v1, docs/protocol.md); NULL on OOM. */
cJSON *wfpw_proc_found_json(const struct wfpw_proc_found *f);

#endif
