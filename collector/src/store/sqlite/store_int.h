/*
 * store_int.h — shared by the SQLite engine's files only (store.c owns the connection and the schema
 * migrations; store_certs.c keeps the enrollment tables). Nothing else includes this.
 */
#ifndef WFPW_STORE_INT_H
#define WFPW_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

/* The store's connection (borrowed); st is the SQLite engine's. */
sqlite3 *wfpw__store_db(struct wfpw_store *st);

/* store_certs.c: the enrollment operations of wfpw_store_sqlite_ops (store.h has their contracts) */
int wfpw__sq_enroll_token_add(struct wfpw_store *st, const char *hash_hex, const char *name, int64_t expires_ms,
                              int64_t max_uses, int64_t now_ms);
int wfpw__sq_enroll_token_revoke(struct wfpw_store *st, const char *id_or_name, int64_t now_ms);
int wfpw__sq_enroll_token_list(struct wfpw_store *st, int64_t now_ms, struct wfpw_buf *out);
int wfpw__sq_issue(struct wfpw_store *st, struct wfpw_issue *is);
int wfpw__sq_cert_revoke(struct wfpw_store *st, const char *agent_id, const char *extra_serial, int64_t now_ms,
                         int *count);
int wfpw__sq_revoked_serials(struct wfpw_store *st, char ***serials, int64_t **when, size_t *n);
int wfpw__sq_cert_list(struct wfpw_store *st, struct wfpw_buf *out);
int wfpw__sq_cert_release(struct wfpw_store *st, const char *agent_id, int64_t now_ms);
int wfpw__sq_has_revocations(struct wfpw_store *st, int *yes);

#endif
