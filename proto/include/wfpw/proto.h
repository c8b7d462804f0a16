/*
 * proto.h — wfpwatch wire protocol v1: build events and batches, encode them, and decode +
 * validate a batch strictly. The JSON Schema proto/schema/wfpwatch-batch-v1.json says the
 * same in a form SIEM engineers and other tools can use; tests check that both agree.
 *
 * Events are cJSON trees. Builders return a new tree owned by the caller (NULL on out of
 * memory). A batch owns the events added to it. Decoding keeps the whole parsed tree, so
 * fields this version does not know are kept and re-encoded unchanged (forward
 * compatibility); the known fields are checked against the v1 rules.
 *
 * Limits (a batch that breaks one is rejected whole, with the field named):
 * strings 4096 bytes (paths and condition values 32768), 1..10000 events, nesting 16,
 * 1,000,000 values and member names in all, valid UTF-8, no duplicate keys, integers
 * 0..2^53-1, times "YYYY-MM-DDTHH:MM:SS.mmmZ", GUIDs "{lowercase}", batch ids lowercase
 * UUIDs. Member names the collector adds to what it serves (wfpw_proto_reserved) are refused
 * in events: an agent cannot make a stored event say which host it came from.
 */
#ifndef WFPW_PROTO_H
#define WFPW_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "wfpw/buf.h"
#include "wfpw/json.h"

#define WFPW_PROTO_SCHEMA      "wfpwatch/1"
#define WFPW_PROTO_MAX_EVENTS 10000
#define WFPW_PROTO_MAX_STRING 4096
#define WFPW_PROTO_MAX_PATH   32768
#define WFPW_PROTO_MAX_DEPTH  16
/* JSON values and member names in one batch document: 100 per event on average at the event
 * limit. A decoder refuses a larger document before building any tree, so one batch costs at
 * most about 64 MiB of parse tree however it is shaped. */
#define WFPW_PROTO_MAX_TOKENS (WFPW_PROTO_MAX_EVENTS * 100)
#define WFPW_UUID_LEN         36
#define WFPW_GUID_LEN         38

/* Validation errors: the JSON path of the field and what is wrong with it. */
struct wfpw_proto_err {
    char field[256];
    char msg[256];
};

/* ---- events ------------------------------------------------------------------------------- */

/* A GUID (lower-case, with braces) and a display name; either may be NULL (-> null). */
struct wfpw_ref {
    const char *key;
    const char *name;
};

struct wfpw_endpoint {
    const char *ip;   /* textual IPv4 or IPv6 address */
    uint32_t port;
};

/* connection_blocked. Pointers are borrowed for the duration of the call. */
struct wfpw_ev_blocked {
    uint64_t seq;
    int64_t time_ms;
    const char *source;               /* "callout" | "audit" | "netevent" | ... */
    const char *direction;            /* "inbound" | "outbound" */
    int protocol;                     /* IANA number, or -1 when the source does not say */
    const struct wfpw_endpoint *local;  /* NULL -> null (the source does not say) */
    const struct wfpw_endpoint *remote; /* NULL -> null (listen/bind have no remote end) */
    int64_t pid;                      /* -1 -> null */
    const char *path;                 /* DOS path, NULL -> null */
    const char *layer;                /* e.g. "ALE_AUTH_CONNECT_V4"; NULL -> null */
    uint64_t filter_id;               /* run-time id; 0 when no filter decided */
    const char *filter_key;           /* enrichment; each NULL -> member omitted */
    const char *filter_name;
    const struct wfpw_ref *filter_provider;
    const char *verdict;              /* "policy_block" | "default_block" | "stack_drop" | "unknown" */
    uint64_t count;                   /* >= 1 */
    int64_t first_seen_ms;
    int64_t last_seen_ms;
    int has_origin;                   /* audit events: origin {event_id, record_id} */
    uint32_t origin_event_id;
    uint64_t origin_record_id;
};

struct wfpw_condition {
    const char *field;  /* e.g. "ALE_APP_ID" */
    const char *match;  /* e.g. "EQUAL" */
    const char *type;   /* value type, e.g. "BYTE_BLOB_TYPE"; NULL -> omitted */
    const char *value;  /* rendered value (app ids as paths); NULL -> null */
};

/* A WFP filter as it travels on the wire (the detection model converts to this). */
struct wfpw_filter_desc {
    const char *key;                 /* filter key GUID */
    uint64_t id;                     /* run-time id */
    const char *name;
    const char *description;         /* NULL -> null */
    const char *const *flags;        /* e.g. "PERSISTENT" */
    size_t nflags;
    struct wfpw_ref provider;        /* both NULL -> provider null */
    struct wfpw_ref layer;
    struct wfpw_ref sublayer;
    const char *weight_type;         /* "EMPTY" | "UINT8" | "UINT64" */
    const char *weight_value;        /* decimal string; NULL for EMPTY */
    const char *effective_weight;    /* decimal string; NULL -> omitted */
    const char *action_type;         /* e.g. "BLOCK", "CALLOUT_TERMINATING" */
    const char *callout_key;         /* NULL -> null */
    const struct wfpw_condition *conditions;
    size_t nconditions;
};

struct wfpw_ev_alert {
    uint64_t seq;
    int64_t time_ms;
    const char *source;
    const char *rule;
    const char *severity;            /* "critical" | "high" | "medium" | "low" */
    const char *title;
    const char *details;
    const struct wfpw_filter_desc *filter; /* NULL -> null */
    const char *target_process;      /* NULL -> null */
    int preexisting;
    const cJSON *surface_item;       /* a surface item the alert is about (copied), or NULL: omitted */
};

/* Base event {seq, type, time, source}; the type-specific builders extend it. */
cJSON *wfpw_event_new(uint64_t seq, const char *type, int64_t time_ms, const char *source);
cJSON *wfpw_event_blocked(const struct wfpw_ev_blocked *ev);
/* type: "filter_added" | "filter_removed" | "filter_changed" (previous required for
 * the last, ignored otherwise). */
cJSON *wfpw_event_filter(uint64_t seq, const char *type, int64_t time_ms, const char *source,
                         const struct wfpw_filter_desc *filter,
                         const struct wfpw_filter_desc *previous);
cJSON *wfpw_event_alert(const struct wfpw_ev_alert *ev);
/* stats is taken over by the event (also on failure). */
cJSON *wfpw_event_heartbeat(uint64_t seq, int64_t time_ms, cJSON *stats);
cJSON *wfpw_event_agent_status(uint64_t seq, int64_t time_ms, const char *state,
                               const char *message);
/* One change set of the filter inventory: counts, its id (also carried by the change set's
 * filter_* events as "change_set"), and whether it is the first inventory (baseline). */
cJSON *wfpw_event_inventory_changed(uint64_t seq, int64_t time_ms, uint64_t added, uint64_t removed,
                                    uint64_t changed, const char *change_set, int baseline);
/* One change of the silencing surface beyond WFP (v1 extension): change is "added", "removed"
 * or "changed"; item and previous (NULL unless changed) are surface item objects
 * ({kind, id, summary, key, values}), taken over by the event (also on failure). */
cJSON *wfpw_event_surface_changed(uint64_t seq, int64_t time_ms, const char *change, cJSON *item, cJSON *previous,
                                  const char *change_set, int baseline);
/* The wire form of a filter (used by the builders above and by the detection module). */
cJSON *wfpw_filter_to_json(const struct wfpw_filter_desc *f);

/* ---- batches ------------------------------------------------------------------------------ */

struct wfpw_agent_ident {
    const char *id;
    const char *hostname;
    const char *version;
    const char *os;                  /* "windows" | "linux" */
};

struct wfpw_batch;

/* New empty batch; NULL on out of memory. Strings are copied. */
struct wfpw_batch *wfpw_batch_new(const struct wfpw_agent_ident *agent, const char *batch_id,
                                  int64_t sent_at_ms);
/* Validate ev and append it. The batch owns ev from now on, also on failure (then ev is
 * freed): WFPW_EPROTO (err says which field), WFPW_ETOOBIG (batch full), WFPW_EINVAL (also:
 * b was decoded; a decoded batch is read-only). */
int wfpw_batch_add(struct wfpw_batch *b, cJSON *ev, struct wfpw_proto_err *err);
size_t wfpw_batch_count(const struct wfpw_batch *b);
/* Append the canonical encoding to out. */
int wfpw_batch_encode(const struct wfpw_batch *b, struct wfpw_buf *out);

/* Parse and validate data[0..len). On success *out is a new, read-only batch (caller frees). On
 * failure *out is NULL, err names the field and the rule: WFPW_ESYNTAX (not strict JSON),
 * WFPW_EPROTO (valid JSON, not a valid v1 batch), WFPW_ENOMEM. */
int wfpw_batch_decode(const char *data, size_t len, struct wfpw_batch **out,
                      struct wfpw_proto_err *err);

const char *wfpw_batch_id(const struct wfpw_batch *b);
/* The agent object of the batch (valid until the batch is freed). */
void wfpw_batch_agent(const struct wfpw_batch *b, struct wfpw_agent_ident *out);
/* Events in order; each node belongs to the batch. */
const cJSON *wfpw_batch_events(const struct wfpw_batch *b);
void wfpw_batch_free(struct wfpw_batch *b);

/* Member names the collector adds to every event it serves ("id", "host", ...), NULL-ended:
 * reserved, so refused in events on the wire. */
extern const char *const wfpw_proto_reserved[];

/* Validate one proto `filter` object (as in filter_added events); path names it in messages. */
int wfpw_filter_validate(const cJSON *filter, const char *path, struct wfpw_proto_err *err);
/* Validate one event tree against the v1 rules; path names the event in messages. */
int wfpw_event_validate(const cJSON *ev, const char *path, struct wfpw_proto_err *err);
/* Validate only the named members (NULL-ended) of an event that was validated whole before and
 * changed since in those members only, by the rules of its type: each present member by its
 * rule, each absent one for being required. The caller vouches for the rest. */
int wfpw_event_validate_members(const cJSON *ev, const char *const *names, const char *path,
                                struct wfpw_proto_err *err);

/* ---- identifiers ---------------------------------------------------------------------------- */

/* 16 random bytes -> RFC 4122 version 4 UUID text (lower case) in out[WFPW_UUID_LEN + 1]. */
void wfpw_uuid_format(const uint8_t bytes[16], char *out);
int wfpw_uuid_valid(const char *s);
/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" in lower case. */
int wfpw_guid_valid(const char *s);

/* "field: message" into buf (for logs and HTTP error bodies). */
const char *wfpw_proto_err_text(const struct wfpw_proto_err *err, char *buf, size_t len);

#endif /* WFPW_PROTO_H */
