/*
 * auth.h — API bearer tokens, checked on the loop thread against an in-memory set of their
 * SHA-256 hashes, so a request without a valid token never becomes a store job.
 *
 * The set is loaded from the store before the server listens and refreshed every second by
 * a store job (the tokens table is read whole; it is small), so `token create` — run by
 * another process on the same database — takes effect within about a second. A revocation
 * takes effect at once: a request the set accepts is checked again by its store job
 * (wfpw_store_token_valid, one indexed read, api/query.c), which forgets a revoked hash. Until
 * the first load has happened every token is refused.
 */
#ifndef WFPW_AUTH_H
#define WFPW_AUTH_H

#include <stddef.h>

#include <uv.h>

struct wfpw_store;

/* Load the set now (before the store thread runs; st used directly). */
int wfpw_auth_load(struct wfpw_store *st);
/* Refresh every interval_ms through the store queue (loop thread) until wfpw_auth_stop. */
int wfpw_auth_start(uv_loop_t *loop, unsigned interval_ms);
void wfpw_auth_stop(void);
/* The Authorization header value: 0 when it is "Bearer TOKEN" with a known token, -1 when
 * the header is missing or malformed, -2 when the token is unknown or revoked. */
int wfpw_auth_check(const char *authorization);
/* Drop one hash (64 hex characters) from the set: its token was found revoked. */
void wfpw_auth_forget(const char *hash);
void wfpw_auth_free(void);

#endif
