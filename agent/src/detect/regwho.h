/*
 * regwho.h — who changed a registry value of the silencing surface. Security event 4657 ("a
 * registry value was modified", subcategory Audit Registry) names the key, the value, the
 * operation, the process id and image, and the account — but Windows writes it only for keys
 * whose SACL audits "Set Value" (docs/windows-behaviour.md PR6). The eventlog source hands each
 * one over as it reads it (the process resolved at once, like a 5447's); a bounded ring keeps
 * them, newest first, so the surface source's next change set can name the program behind an
 * NRPT rule, a QoS policy, a proxy or a persistent route that appeared.
 *
 * Ownership: the table copies what it keeps and takes over the resolved process; a pointer
 * from wfpw_regwho_find is valid until the next record.
 */
#ifndef WFPW_DETECT_REGWHO_H
#define WFPW_DETECT_REGWHO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "proctab.h"

#define WFPW_REGOP_CREATED 1   /* %%1904 New registry value created */
#define WFPW_REGOP_MODIFIED 2  /* %%1905 Existing registry value modified */
#define WFPW_REGOP_DELETED 3   /* %%1906 Registry value deleted */

struct wfpw_regchange {
    const char *key;            /* "\REGISTRY\MACHINE\..." as the event names it, or "HKLM\..." */
    const char *value;          /* ObjectValueName; NULL or "" for the key's default value */
    int op;                     /* WFPW_REGOP_*, 0 unknown */
    int64_t pid;                /* -1 unknown */
    const char *process_name;   /* the image the event names */
    const char *user_sid, *user;
    uint32_t event_id;
    uint64_t record_id;
    int64_t time_ms;
    struct wfpw_proc_found *proc;  /* the program, resolved when read (NULL: not resolved) */
};

struct wfpw_regwho_stats {
    uint64_t recorded, matched, evicted;
};

/* The form a key is compared in (the surface's: case, ControlSet00N, WOW6432Node). */
typedef void (*wfpw_regkey_norm_fn)(const char *key, char *out, size_t outlen);

struct wfpw_regwho;

/* NULL on OOM. */
struct wfpw_regwho *wfpw_regwho_new(size_t cap);
void wfpw_regwho_free(struct wfpw_regwho *t);
/* "\REGISTRY\MACHINE\X" -> "HKLM\X", "\REGISTRY\USER\X" -> "HKU\X" (case-insensitive); other
 * text copied unchanged. */
void wfpw_regwho_key(const char *object_name, char *out, size_t outlen);
/* Keeps a copy of *c (key in HKLM form, texts cut on character boundaries) and takes over
 * c->proc (NULL afterwards, also on failure). WFPW_EINVAL when c names no key, WFPW_ENOMEM. */
int wfpw_regwho_record(struct wfpw_regwho *t, struct wfpw_regchange *c);
/* The newest change of key — and of that value when value is not NULL — read at or after
 * since_ms, keys compared after norm; NULL when none. */
const struct wfpw_regchange *wfpw_regwho_find(struct wfpw_regwho *t, wfpw_regkey_norm_fn norm, const char *key,
                                              const char *value, int64_t since_ms);
struct wfpw_regwho_stats wfpw_regwho_stats(const struct wfpw_regwho *t);
/* A copy with texts of its own (proc not copied: NULL), for a reader that holds an event past
 * its parser's callback; NULL on OOM. Freed with wfpw_regchange_free (NULL is fine). */
struct wfpw_regchange *wfpw_regchange_dup(const struct wfpw_regchange *c);
void wfpw_regchange_free(struct wfpw_regchange *c);
/* The proto v1 changed_by object for c: process_id, user_sid, user, origin, registry {key,
 * value, operation}, process. NULL on OOM. */
cJSON *wfpw_regchange_json(const struct wfpw_regchange *c);

#endif
