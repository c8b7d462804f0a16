/*
 * json.h — strict JSON in and canonical JSON out, on top of cJSON.
 *
 * cJSON parses; wfpw_json_parse adds what cJSON does not enforce and the wire contract
 * needs: a nesting bound checked before cJSON recurses, RFC 8259 number grammar, no raw
 * control characters and no U+0000 in strings (cJSON would silently truncate at it),
 * valid UTF-8 in every string and key, and no duplicate keys. Errors name the byte offset
 * (syntax) or the JSON path of the field (tree checks), e.g. "events[3].remote".
 *
 * wfpw_json_write prints a tree in canonical form: no whitespace, members in tree order,
 * integers as exact decimal digits (never 1e+15), so encode(decode(x)) == x for every
 * document wfpwatch writes.
 *
 * All cJSON memory goes through wfpw_malloc once wfpw_json_init() has run (it is called
 * by every entry point here, and is idempotent).
 */
#ifndef WFPW_JSON_H
#define WFPW_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "wfpw/attr.h"

#include "wfpw/buf.h"

/* The largest integer carried as a JSON number on the wire (I-JSON, RFC 7493 §2.2).
 * Wider values (WFP weights) travel as decimal strings. */
#define WFPW_JSON_MAX_SAFE_INT 9007199254740991ULL

/* A JSON path under construction, for error messages. With off set the helpers do nothing:
 * checks run first without building paths (most input is valid) and again with them only to
 * word an error. */
struct wfpw_jpath {
    char buf[256];
    size_t len;
    int off;
};

struct wfpw_json_err {
    char field[256]; /* JSON path of the offending value; "" for syntax errors */
    char msg[256];   /* what is wrong, without the field */
};

void wfpw_json_init(void);

/* Parse data[0..len) strictly (see above). On success *out is a tree owned by the caller
 * (cJSON_Delete). On failure returns WFPW_ESYNTAX (or WFPW_ENOMEM), *out is NULL and err
 * says why. max_depth counts nested objects/arrays, the root being depth 1. */
int wfpw_json_parse(const char *data, size_t len, int max_depth, cJSON **out,
                    struct wfpw_json_err *err);
/* As wfpw_json_parse, refusing (WFPW_ETOOBIG) a document of more than max_tokens values and
 * member names before any tree is built: the bound on what a hostile document can make the
 * parser allocate (about 64 bytes of cJSON node per token, plus the strings). */
int wfpw_json_parse_bounded(const char *data, size_t len, int max_depth, size_t max_tokens, cJSON **out,
                            struct wfpw_json_err *err);
struct wfpw_arena;
/* As wfpw_json_parse_bounded, with every node and string of the tree taken from arena a
 * (a pointer bump each instead of a malloc and, later, a free in whichever thread drops the
 * tree: a third of the collector's ingest CPU went to the allocator). The tree is owned by
 * a: never cJSON_Delete it nor change it (nothing in it can be freed alone); wfpw_arena_free
 * releases it. On failure the arena may hold parts of a tree: free it. Uses a thread-local
 * hook: no other cJSON allocation may run on this thread meanwhile (none does). */
int wfpw_json_parse_arena(const char *data, size_t len, int max_depth, size_t max_tokens, struct wfpw_arena *a,
                          cJSON **out, struct wfpw_json_err *err);

/* Append the canonical form of node to out. Returns 0 or out's sticky error. */
int wfpw_json_write(const cJSON *node, struct wfpw_buf *out);

/* Append s as a JSON string literal (quotes and escapes). */
int wfpw_json_write_string(struct wfpw_buf *out, const char *s);

/* Path helpers: push returns the length to restore with wfpw_jpath_pop. */
size_t wfpw_jpath_key(struct wfpw_jpath *p, const char *key);
size_t wfpw_jpath_index(struct wfpw_jpath *p, size_t i);
void wfpw_jpath_pop(struct wfpw_jpath *p, size_t len);

/* Fill err with field = p's path and a printf-style message; returns code. */
int wfpw_json_fail(struct wfpw_json_err *err, const struct wfpw_jpath *p, int code,
                   const char *fmt, ...) WFPW_PRINTF(4, 5);

/* Adds name: v, or name: null when v is NULL, to o; the new member, NULL on OOM. */
cJSON *wfpw_json_add_str_or_null(cJSON *o, const char *name, const char *v);

/* The value of an integral JSON number in [lo, hi]; -1 when node is not such a number. */
int wfpw_json_uint(const cJSON *node, uint64_t lo, uint64_t hi, uint64_t *out);
/* obj's member called name (case-sensitive), or NULL; as cJSON_GetObjectItemCaseSensitive, but
 * the first byte is compared before strcmp: the event path looks members up by name dozens of
 * times per event, and strcmp over every earlier member was a tenth of the agent's CPU. */
cJSON *wfpw_json_get(const cJSON *obj, const char *name);

#endif /* WFPW_JSON_H */
