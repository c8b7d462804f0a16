/*
 * store_certs.c — the PostgreSQL engine's enrollment tokens, issued certificates and
 * revocations (store.h). Tables are created by store.c's migrations; this file holds every
 * statement on them. The rules are the SQLite engine's (sqlite/store_certs.c and
 * docs/enrollment.md), with the same results and the same `why` texts.
 *
 * What SQLite's BEGIN IMMEDIATE gives (one issuance at a time), this engine gets from locks,
 * so that the same request reaching two collectors yields one certificate: an issuance (and a
 * revocation) first takes pg_advisory_xact_lock(hashtext('wfpw-agent:' || agent id)), then
 * one on the key, and an enrollment locks its token's row (SELECT ... FOR UPDATE) before
 * counting its uses. Each later statement (READ COMMITTED) sees what the previous holder
 * committed: the second of two identical requests finds the first's certificate and is
 * answered REISSUED. Enrollment is rare: statements are not prepared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_int.h"
#include "store/common.h"
#include "store/store.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/timefmt.h"

/* ---- tokens ---------------------------------------------------------------------------------------- */

int wfpw__pg_enroll_token_add(struct wfpw_store *st, const char *hash_hex, const char *name, int64_t expires_ms,
                              int64_t max_uses, int64_t now_ms)
{
    struct wfpw_pg *pg = (struct wfpw_pg *)st;
    char now[WFPW_PG_I64LEN], exp[WFPW_PG_I64LEN], max[WFPW_PG_I64LEN];
    const char *v[5] = {hash_hex, name && name[0] ? name : NULL, wfpw__pg_i64s(now, now_ms),
                        expires_ms ? wfpw__pg_i64s(exp, expires_ms) : NULL,
                        max_uses ? wfpw__pg_i64s(max, max_uses) : NULL};
    if (wfpw__pg_ready(pg) != 0)
        return WFPW_EIO;
    return wfpw__pg_cmd(pg,
                        "INSERT INTO enroll_tokens(id, name, hash, created, expires, max_uses)"
                        " VALUES(substr($1,1,12),$2,$1,$3,$4,$5)",
                        5, v, NULL);
}

int wfpw__pg_enroll_token_revoke(struct wfpw_store *st, const char *id_or_name, int64_t now_ms)
{
    struct wfpw_pg *pg = (struct wfpw_pg *)st;
    char now[WFPW_PG_I64LEN];
    const char *v[2] = {id_or_name, wfpw__pg_i64s(now, now_ms)};
    int64_t changed;
    if (wfpw__pg_ready(pg) != 0 ||
        wfpw__pg_cmd(pg, "UPDATE enroll_tokens SET revoked=$2 WHERE (id=$1 OR name=$1) AND revoked IS NULL", 2, v,
                     &changed) != 0)
        return WFPW_EIO;
    return changed ? 0 : WFPW_ENOENT;
}

int wfpw__pg_enroll_token_list(struct wfpw_store *st, int64_t now_ms, struct wfpw_buf *out)
{
    struct wfpw_pg *pg = (struct wfpw_pg *)st;
    PGresult *r;
    int i;
    /* id after created: tokens made in the same millisecond in a fixed order */
    if (wfpw__pg_ready(pg) != 0 ||
        wfpw__pg_exec(pg,
                      "SELECT id, name, created, expires, max_uses, uses, revoked FROM enroll_tokens"
                      " ORDER BY created, id",
                      0, NULL, &r) != 0)
        return WFPW_EIO;
#define COL(c) (wfpw__pg_null(r, i, (c)) ? -1 : wfpw__pg_i64(r, i, (c)))
    for (i = 0; i < PQntuples(r); i++)
        wfpw__store_enroll_token_line(out, PQgetvalue(r, i, 0), wfpw__pg_str(r, i, 1), wfpw__pg_i64(r, i, 2), COL(3),
                                      COL(4), wfpw__pg_i64(r, i, 5), COL(6), now_ms);
    PQclear(r);
    return out->err;
}

/* ---- issuance --------------------------------------------------------------------------------------- */

/* One text parameter (and a second, num, when the statement has $2). */
static int exists1(struct wfpw_pg *pg, const char *sql, const char *text, int64_t num, int nparams, int *found)
{
    char n[WFPW_PG_I64LEN];
    const char *v[2] = {text, wfpw__pg_i64s(n, num)};
    return wfpw__pg_exists(pg, sql, nparams, v, found);
}

static int change1(struct wfpw_pg *pg, const char *sql, const char *text, int64_t num, int nparams,
                   int64_t *changed)
{
    char n[WFPW_PG_I64LEN];
    const char *v[2] = {text, wfpw__pg_i64s(n, num)};
    return wfpw__pg_cmd(pg, sql, nparams, v, changed) == 0 ? 0 : WFPW_EIO;
}

static int refuse(struct wfpw_issue *is, enum wfpw_issue_result r, const char *why)
{
    is->result = r;
    snprintf(is->why, sizeof(is->why), "%s", why);
    return 0;
}

/* The enroll token checks; token_id receives the token's id. 0 = usable (see is->result). The
 * row stays locked until the transaction ends: enrollments on one token count uses in turn. */
static int check_token(struct wfpw_pg *pg, struct wfpw_issue *is, char token_id[16], int *used_up)
{
    const char *v[1] = {is->token_hash};
    PGresult *r;
    if (wfpw__pg_exec(pg, "SELECT id, expires, max_uses, uses, revoked FROM enroll_tokens WHERE hash=$1 FOR UPDATE", 1,
                      v, &r) != 0)
        return WFPW_EIO;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return refuse(is, WFPW_BAD_TOKEN, "unknown enrollment token");
    }
    snprintf(token_id, 16, "%s", PQgetvalue(r, 0, 0));
    if (!wfpw__pg_null(r, 0, 4))
        refuse(is, WFPW_BAD_TOKEN, "enrollment token revoked");
    else if (!wfpw__pg_null(r, 0, 1) && wfpw__pg_i64(r, 0, 1) <= is->now_ms)
        refuse(is, WFPW_BAD_TOKEN, "enrollment token expired");
    *used_up = !wfpw__pg_null(r, 0, 2) && wfpw__pg_i64(r, 0, 3) >= wfpw__pg_i64(r, 0, 2);
    PQclear(r);
    return 0;
}

/* Is the key certified already? 1 and the row's fields when it is. */
static int key_known(struct wfpw_pg *pg, struct wfpw_issue *is, char *agent, size_t alen, char *token, size_t tlen,
                     int *revoked)
{
    const char *v[1] = {is->key_id};
    PGresult *r;
    int found = 0;
    if (wfpw__pg_exec(pg, "SELECT agent_id, token_id, revoked, serial, not_after, pem FROM certs WHERE key_id=$1", 1,
                      v, &r) != 0)
        return WFPW_EIO;
    if (PQntuples(r) > 0) {
        const char *tok = wfpw__pg_str(r, 0, 1), *pem = wfpw__pg_str(r, 0, 5);
        found = 1;
        snprintf(agent, alen, "%s", PQgetvalue(r, 0, 0));
        snprintf(token, tlen, "%s", tok ? tok : "");
        *revoked = !wfpw__pg_null(r, 0, 2);
        snprintf(is->serial, sizeof(is->serial), "%s", PQgetvalue(r, 0, 3));
        is->not_after_ms = wfpw__pg_i64(r, 0, 4);
        snprintf(is->pem, sizeof(is->pem), "%s", pem ? pem : "");
    }
    PQclear(r);
    return found;
}

/* The host name of the agent's newest certificate ("" when none). */
static void last_hostname(struct wfpw_pg *pg, const char *agent_id, char *out, size_t len)
{
    const char *v[1] = {agent_id};
    PGresult *r;
    out[0] = '\0';
    if (wfpw__pg_exec(pg,
                      "SELECT hostname FROM certs WHERE agent_id=$1 AND hostname IS NOT NULL"
                      " ORDER BY issued DESC LIMIT 1",
                      1, v, &r) != 0)
        return;
    if (PQntuples(r) > 0)
        snprintf(out, len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
}

static int record(struct wfpw_pg *pg, struct wfpw_issue *is, const char *hostname, const char *token_id,
                  int64_t not_before_ms)
{
    char nb[WFPW_PG_I64LEN], na[WFPW_PG_I64LEN], now[WFPW_PG_I64LEN];
    const char *v[10] = {is->serial,
                         is->agent_id,
                         hostname[0] ? hostname : NULL,
                         is->key_id,
                         token_id[0] ? token_id : NULL,
                         is->kind == WFPW_ISSUE_ENROLL ? "enroll" : "renew",
                         wfpw__pg_i64s(nb, not_before_ms),
                         wfpw__pg_i64s(na, is->not_after_ms),
                         wfpw__pg_i64s(now, is->now_ms),
                         is->pem};
    if (wfpw__pg_cmd(pg,
                     "INSERT INTO certs(serial, agent_id, hostname, key_id, token_id, kind, not_before,"
                     " not_after, issued, pem) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
                     10, v, NULL) != 0)
        return WFPW_EIO;
    if (token_id[0] && is->kind == WFPW_ISSUE_ENROLL)
        return change1(pg, "UPDATE enroll_tokens SET uses=uses+1 WHERE id=$1", token_id, 0, 1, NULL);
    return 0;
}

static int decide(struct wfpw_pg *pg, struct wfpw_issue *is)
{
    char token_id[16] = "", owner[160], owner_token[16], hostname[160];
    int used_up = 0, revoked = 0, live = 0, had = 0, released = 0, known, rc;
    int64_t not_before;

    if (is->kind == WFPW_ISSUE_ENROLL) {
        if ((rc = check_token(pg, is, token_id, &used_up)) != 0 || is->result != WFPW_ISSUED)
            return rc;
    }
    if ((rc = exists1(pg, "SELECT 1 FROM revoked_agents WHERE agent_id=$1", is->agent_id, 0, 1, &revoked)) != 0)
        return rc;
    if (revoked)
        return refuse(is, WFPW_AGENT_REVOKED, "this agent's certificates are revoked");
    if ((known = key_known(pg, is, owner, sizeof(owner), owner_token, sizeof(owner_token), &revoked)) < 0)
        return known;
    if (known) {
        if (strcmp(owner, is->agent_id) == 0 && !revoked &&
            (is->kind == WFPW_ISSUE_RENEW || strcmp(owner_token, token_id) == 0)) {
            is->result = WFPW_REISSUED;
            return 0;
        }
        is->pem[0] = is->serial[0] = '\0';
        return refuse(is, WFPW_CONFLICT, "this key was already certified; make a new key");
    }
    if (is->kind == WFPW_ISSUE_ENROLL) {
        if ((rc = exists1(pg, "SELECT 1 FROM certs WHERE agent_id=$1 AND revoked IS NULL AND not_after > $2",
                          is->agent_id, is->now_ms, 2, &live)) != 0)
            return rc;
        if (live)
            return refuse(is, WFPW_CONFLICT, "this agent id is enrolled already; it renews with its certificate");
        /* an id whose certificates expired is not free for whoever holds a token: the old key
         * proves it is the same agent, or an operator says so (cert release) */
        if ((rc = exists1(pg, "SELECT 1 FROM certs WHERE agent_id=$1 AND kind<>'manual'", is->agent_id, 0, 1, &had)) !=
            0)
            return rc;
        if (had && is->proof_serial) {
            int gone = 0;
            if ((rc = exists1(pg, "SELECT 1 FROM certs WHERE serial=$1 AND revoked IS NOT NULL", is->proof_serial, 0, 1,
                              &gone)) != 0)
                return rc;
            if (gone)
                return refuse(is, WFPW_AGENT_REVOKED, "the certificate whose key signed this request is revoked");
        } else if (had) {
            if ((rc = exists1(pg, "SELECT 1 FROM enroll_releases WHERE agent_id=$1", is->agent_id, 0, 1, &released)) !=
                0)
                return rc;
            if (!released)
                return refuse(is, WFPW_CONFLICT,
                              "this agent id had a certificate: re-enroll with proof from its previous key, or an "
                              "operator runs `wfpwatch-collector cert release AGENTID`");
            if ((rc = change1(pg, "DELETE FROM enroll_releases WHERE agent_id=$1", is->agent_id, 0, 1, NULL)) != 0)
                return rc;
        }
        if (used_up)
            return refuse(is, WFPW_BAD_TOKEN, "enrollment token used up");
    }
    snprintf(hostname, sizeof(hostname), "%s", is->hostname ? is->hostname : "");
    if (hostname[0] == '\0' && is->kind == WFPW_ISSUE_RENEW)
        last_hostname(pg, is->agent_id, hostname, sizeof(hostname));
    if ((rc = is->sign(is->sign_ctx, is->agent_id, hostname, is->now_ms, is->serial, &not_before, &is->not_after_ms,
                       is->pem, sizeof(is->pem))) != 0)
        return rc;
    return record(pg, is, hostname, token_id, not_before);
}

/* The agent's lock: issuances and revocations of one agent id, one at a time across
 * collectors (until the transaction ends). */
static int lock_agent(struct wfpw_pg *pg, const char *agent_id)
{
    const char *v[1] = {agent_id};
    return wfpw__pg_exec(pg, "SELECT pg_advisory_xact_lock(hashtext('wfpw-agent:' || $1))", 1, v, NULL) == 0
               ? 0
               : WFPW_EIO;
}

int wfpw__pg_issue(struct wfpw_store *st, struct wfpw_issue *is)
{
    struct wfpw_pg *pg = (struct wfpw_pg *)st;
    const char *k[1] = {is->key_id};
    int rc;
    is->result = WFPW_ISSUED;
    is->why[0] = is->serial[0] = is->pem[0] = '\0';
    if (wfpw__pg_ready(pg) != 0 || wfpw__pg_sql(pg, "BEGIN") != 0)
        return WFPW_EIO;
    /* the agent, then the key (two agents asking for one key: one gets it, the other is told
     * the key is taken); always in this order, so two issuances never wait on each other */
    if (lock_agent(pg, is->agent_id) != 0 ||
        wfpw__pg_exec(pg, "SELECT pg_advisory_xact_lock(hashtext('wfpw-key:' || $1))", 1, k, NULL) != 0) {
        wfpw__pg_rollback(pg);
        return WFPW_EIO;
    }
    rc = decide(pg, is);
    if (rc == 0 && is->result == WFPW_ISSUED)
        rc = wfpw__pg_commit(pg);
    if (rc != 0 || is->result != WFPW_ISSUED)
        wfpw__pg_rollback(pg);
    return rc;
}

/* ---- revocation -------------------------------------------------------------------------------------- */

int wfpw__pg_cert_revoke(struct wfpw_store *st, const char *agent_id, const char *extra_serial, int64_t now_ms,
                         int *count)
{
    struct wfpw_pg *pg = (struct wfpw_pg *)st;
    char now[WFPW_PG_I64LEN];
    PGresult *r;
    int64_t changed = 0, known = 0;
    int rc = WFPW_EIO;
    *count = 0;
    if (wfpw__pg_ready(pg) != 0 || wfpw__pg_sql(pg, "BEGIN") != 0)
        return WFPW_EIO;
    if (lock_agent(pg, agent_id) != 0) /* an issuance under way finishes first */
        goto out;
    wfpw__pg_i64s(now, now_ms);
    if (extra_serial) {
        const char *v[3] = {extra_serial, agent_id, now};
        if (wfpw__pg_cmd(pg,
                         "INSERT INTO certs(serial, agent_id, kind, not_before, not_after, issued)"
                         " VALUES($1,$2,'manual',0,0,$3) ON CONFLICT DO NOTHING",
                         3, v, NULL) != 0)
            goto out;
    }
    {
        const char *v[1] = {agent_id};
        if (wfpw__pg_exec(pg, "SELECT count(*) FROM certs WHERE agent_id=$1", 1, v, &r) != 0)
            goto out;
        known = PQntuples(r) == 1 ? wfpw__pg_i64(r, 0, 0) : 0;
        PQclear(r);
    }
    if (!known) { /* nothing to put in the CRL: marking the host alone would mislead */
        rc = WFPW_ENOENT;
        goto out;
    }
    if ((rc = change1(pg, "UPDATE certs SET revoked=$2, revoke_reason='revoked' WHERE agent_id=$1 AND revoked IS NULL",
                      agent_id, now_ms, 2, &changed)) != 0)
        goto out;
    *count = (int)changed;
    if ((rc = change1(pg, "INSERT INTO revoked_agents(agent_id, revoked) VALUES($1,$2) ON CONFLICT DO NOTHING",
                      agent_id, now_ms, 2, NULL)) != 0)
        goto out;
    /* the host list shows it (a host that never shipped gets a row) */
    rc = change1(pg,
                 "INSERT INTO hosts(host, agent_id, first_seen, last_seen, status) VALUES($1,$1,$2,$2,'revoked')"
                 " ON CONFLICT(host) DO UPDATE SET status='revoked'",
                 agent_id, now_ms, 2, NULL);
out:
    if (rc == 0)
        rc = wfpw__pg_commit(pg);
    if (rc != 0) {
        wfpw__pg_rollback(pg);
        *count = 0;
    }
    return rc;
}

int wfpw__pg_revoked_serials(struct wfpw_store *st, char ***serials, int64_t **when, size_t *n)
{
    struct wfpw_pg *pg = (struct wfpw_pg *)st;
    PGresult *r;
    size_t rows;
    int i;
    *serials = NULL, *when = NULL, *n = 0;
    if (wfpw__pg_ready(pg) != 0 ||
        wfpw__pg_exec(pg, "SELECT serial, revoked FROM certs WHERE revoked IS NOT NULL ORDER BY revoked, serial", 0,
                      NULL, &r) != 0)
        return WFPW_EIO;
    rows = (size_t)PQntuples(r);
    if (rows == 0) {
        PQclear(r);
        return 0;
    }
    *serials = wfpw_calloc(rows, sizeof(char *));
    *when = wfpw_calloc(rows, sizeof(int64_t));
    for (i = 0; *serials && *when && (size_t)i < rows; i++) {
        if (((*serials)[*n] = wfpw_strdup(PQgetvalue(r, i, 0))) == NULL)
            break;
        (*when)[(*n)++] = wfpw__pg_i64(r, i, 1);
    }
    PQclear(r);
    /* as the SQLite engine: on failure what was copied stays the caller's (*n of it) */
    return *n == rows ? 0 : WFPW_ENOMEM;
}

int wfpw__pg_cert_list(struct wfpw_store *st, struct wfpw_buf *out)
{
    struct wfpw_pg *pg = (struct wfpw_pg *)st;
    PGresult *r;
    int i;
    /* serial after issued: certificates recorded in the same millisecond in a fixed order */
    if (wfpw__pg_ready(pg) != 0 ||
        wfpw__pg_exec(pg,
                      "SELECT agent_id, serial, kind, hostname, not_after, revoked FROM certs"
                      " ORDER BY agent_id, issued, serial",
                      0, NULL, &r) != 0)
        return WFPW_EIO;
    for (i = 0; i < PQntuples(r); i++)
        wfpw__store_cert_line(out, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), wfpw__pg_str(r, i, 3),
                              wfpw__pg_i64(r, i, 4), COL(5));
#undef COL
    PQclear(r);
    return out->err;
}

int wfpw__pg_cert_release(struct wfpw_store *st, const char *agent_id, int64_t now_ms)
{
    struct wfpw_pg *pg = (struct wfpw_pg *)st;
    int known = 0, rc;
    if (wfpw__pg_ready(pg) != 0)
        return WFPW_EIO;
    if ((rc = exists1(pg, "SELECT 1 FROM certs WHERE agent_id=$1 AND kind<>'manual'", agent_id, 0, 1, &known)) != 0)
        return rc;
    if (!known)
        return WFPW_ENOENT;
    return change1(pg,
                   "INSERT INTO enroll_releases(agent_id, released) VALUES($1,$2)"
                   " ON CONFLICT(agent_id) DO UPDATE SET released=excluded.released",
                   agent_id, now_ms, 2, NULL);
}

int wfpw__pg_has_revocations(struct wfpw_store *st, int *yes)
{
    struct wfpw_pg *pg = (struct wfpw_pg *)st;
    *yes = 0;
    if (wfpw__pg_ready(pg) != 0)
        return WFPW_EIO;
    return wfpw__pg_exists(pg, "SELECT 1 FROM certs WHERE revoked IS NOT NULL LIMIT 1", 0, NULL, yes);
}
