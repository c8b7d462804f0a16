/*
 * common.h — what both store engines do the same way, whatever their SQL: the served form of
 * an item, a collector-side alert, and the paging loop of wfpw_store_query with its id windows
 * (store.h). Included by the engines only.
 */
#ifndef WFPW_STORE_COMMON_H
#define WFPW_STORE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "store/store.h"
#include "wfpw/buf.h"

/* Owned copies of opts' alert target names into *targets (wfpw__store_free_targets). */
int wfpw__store_copy_targets(const struct wfpw_store_opts *opts, char ***targets, size_t *n);
void wfpw__store_free_targets(char **targets, size_t n);

/* One line of `enroll-token list` / `cert list` into out, the same from both engines; a value
 * the row does not have (SQL NULL) is passed as -1. */
void wfpw__store_enroll_token_line(struct wfpw_buf *out, const char *id, const char *name, int64_t created,
                                   int64_t expires, int64_t max_uses, int64_t uses, int64_t revoked, int64_t now_ms);
void wfpw__store_cert_line(struct wfpw_buf *out, const char *agent_id, const char *serial, const char *kind,
                           const char *hostname, int64_t not_after, int64_t revoked);

/* The string member k of o, or NULL (borrowed from o). */
const char *wfpw__store_jstr(const cJSON *o, const char *k);

/* A collector-side alert ({"type":"alert","source":"collector",...}) as JSON into b, and its
 * uid "collector:RULE:HOST:MS" into uid. 0 or b's error. */
int wfpw__store_collector_alert(struct wfpw_buf *b, char *uid, size_t uidlen, const char *rule, const char *severity,
                                const char *host, int64_t now_ms, const char *title, const char *details);

/* One page being written: the engine's fetch adds each row with wfpw__page_item. */
struct wfpw__page {
    struct wfpw_buf *out;
    int ndjson;
    int n;          /* items written */
    int64_t last;   /* id of the last item written */
};
/* Items are stored as the event's canonical JSON; pages prefix "id" and "host":
 * {"id":N,"host":"H"[,"identity_mismatch":true],<the event's members>}. */
void wfpw__page_item(struct wfpw__page *p, int64_t id, const char *host, int mismatch, const char *json);

/* Rows of q with after < id <= upto (upto INT64_MAX: no upper bound), at most limit, in id
 * order, each through wfpw__page_item. 0 or WFPW_EIO. */
typedef int (*wfpw__page_fetch)(void *ctx, const struct wfpw_query *q, int64_t after, int64_t upto, int limit,
                                struct wfpw__page *p);

/* wfpw_store_query's answer for q: top is the last id committed when q has since/until (the
 * windows never reach past it), INT64_MAX otherwise. Fills q->next and q->more. */
int wfpw__store_page(struct wfpw_query *q, int64_t top, wfpw__page_fetch fetch, void *ctx, struct wfpw_buf *out);

#endif
