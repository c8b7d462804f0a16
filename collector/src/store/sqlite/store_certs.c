/*
 * store_certs.c — enrollment tokens, issued certificates and revocations (store.h). Tables
 * are created by store.c's migration 2; this file holds every statement on them.
 *
 * Rules an issuance follows (docs/enrollment.md):
 *  - enroll: the token exists, is not revoked, not expired and not used up; the agent id is
 *    not revoked and has no live certificate; an id that had certificates needs proof from a
 *    previous key (proof_serial) or an operator's release; the key was never certified. A request whose
 *    agent id, key and token match an earlier issuance is a retry after a lost answer: it gets
 *    that certificate again (nothing new is signed, no use is counted).
 *  - renew: the agent is not revoked; the new key was never certified (the same retry rule).
 * Enrollment is rare, so statements are prepared per call.
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/sqlite/store_int.h"
#include "store/common.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/timefmt.h"

static sqlite3_stmt *prep(struct wfpw_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(wfpw__store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
        return NULL;
    return s;
}

static int exec_sql(struct wfpw_store *st, const char *sql)
{
    return sqlite3_exec(wfpw__store_db(st), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : WFPW_EIO;
}

/* One step of sql with ?1 = text and, when the statement has a ?2, ?2 = num: SQLITE_ROW,
 * SQLITE_DONE or an error code (SQLITE_ERROR when it does not prepare). */
static int step1(struct wfpw_store *st, const char *sql, const char *text, int64_t num)
{
    sqlite3_stmt *s = prep(st, sql);
    int rc;
    if (s == NULL)
        return SQLITE_ERROR;
    sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(s) >= 2)
        sqlite3_bind_int64(s, 2, num);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc;
}

/* A statement that changes rows: 0 or WFPW_EIO. */
static int change1(struct wfpw_store *st, const char *sql, const char *text, int64_t num)
{
    return step1(st, sql, text, num) == SQLITE_DONE ? 0 : WFPW_EIO;
}

/* *found: the query has a row. */
static int exists1(struct wfpw_store *st, const char *sql, const char *text, int64_t num, int *found)
{
    int rc = step1(st, sql, text, num);
    *found = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : WFPW_EIO;
}

/* ---- tokens ---------------------------------------------------------------------------------------- */

int wfpw__sq_enroll_token_add(struct wfpw_store *st, const char *hash_hex, const char *name, int64_t expires_ms,
                                int64_t max_uses, int64_t now_ms)
{
    sqlite3_stmt *s = prep(st, "INSERT INTO enroll_tokens(id, name, hash, created, expires, max_uses)"
                               " VALUES(substr(?1,1,12),?2,?1,?3,?4,?5)");
    int rc;
    if (s == NULL)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, hash_hex, -1, SQLITE_STATIC);
    if (name && name[0])
        sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now_ms);
    if (expires_ms)
        sqlite3_bind_int64(s, 4, expires_ms);
    if (max_uses)
        sqlite3_bind_int64(s, 5, max_uses);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_CONSTRAINT)
        return WFPW_EEXIST;
    return rc == SQLITE_DONE ? 0 : WFPW_EIO;
}

int wfpw__sq_enroll_token_revoke(struct wfpw_store *st, const char *id_or_name, int64_t now_ms)
{
    if (change1(st, "UPDATE enroll_tokens SET revoked=?2 WHERE (id=?1 OR name=?1) AND revoked IS NULL", id_or_name,
                now_ms) != 0)
        return WFPW_EIO;
    return sqlite3_changes(wfpw__store_db(st)) ? 0 : WFPW_ENOENT;
}

int wfpw__sq_enroll_token_list(struct wfpw_store *st, int64_t now_ms, struct wfpw_buf *out)
{
    sqlite3_stmt *s = prep(st, "SELECT id, name, created, expires, max_uses, uses, revoked FROM enroll_tokens"
                               " ORDER BY created");
    int rc;
    if (s == NULL)
        return WFPW_EIO;
#define COL(i) (sqlite3_column_type(s, (i)) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, (i)))
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        wfpw__store_enroll_token_line(out, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
                                      sqlite3_column_int64(s, 2), COL(3), COL(4), sqlite3_column_int64(s, 5), COL(6), now_ms);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? out->err : WFPW_EIO;
}

/* ---- issuance --------------------------------------------------------------------------------------- */

static int refuse(struct wfpw_issue *is, enum wfpw_issue_result r, const char *why)
{
    is->result = r;
    snprintf(is->why, sizeof(is->why), "%s", why);
    return 0;
}

/* The enroll token checks; token_id receives the token's id. 0 = usable (see is->result). */
static int check_token(struct wfpw_store *st, struct wfpw_issue *is, char token_id[16], int *used_up)
{
    sqlite3_stmt *s = prep(st, "SELECT id, expires, max_uses, uses, revoked FROM enroll_tokens WHERE hash=?1");
    int rc;
    if (s == NULL)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, is->token_hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        return rc == SQLITE_DONE ? refuse(is, WFPW_BAD_TOKEN, "unknown enrollment token") : WFPW_EIO;
    }
    snprintf(token_id, 16, "%s", (const char *)sqlite3_column_text(s, 0));
    if (sqlite3_column_type(s, 4) != SQLITE_NULL)
        refuse(is, WFPW_BAD_TOKEN, "enrollment token revoked");
    else if (sqlite3_column_type(s, 1) != SQLITE_NULL && sqlite3_column_int64(s, 1) <= is->now_ms)
        refuse(is, WFPW_BAD_TOKEN, "enrollment token expired");
    *used_up = sqlite3_column_type(s, 2) != SQLITE_NULL && sqlite3_column_int64(s, 3) >= sqlite3_column_int64(s, 2);
    sqlite3_finalize(s);
    return 0;
}

/* Is the key certified already? 1 and the row's fields when it is. */
static int key_known(struct wfpw_store *st, struct wfpw_issue *is, char *agent, size_t alen, char *token,
                     size_t tlen, int *revoked)
{
    sqlite3_stmt *s = prep(st, "SELECT agent_id, token_id, revoked, serial, not_after, pem FROM certs WHERE key_id=?1");
    int rc, found = 0;
    if (s == NULL)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, is->key_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *tok = (const char *)sqlite3_column_text(s, 1), *pem = (const char *)sqlite3_column_text(s, 5);
        found = 1;
        snprintf(agent, alen, "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(token, tlen, "%s", tok ? tok : "");
        *revoked = sqlite3_column_type(s, 2) != SQLITE_NULL;
        snprintf(is->serial, sizeof(is->serial), "%s", (const char *)sqlite3_column_text(s, 3));
        is->not_after_ms = sqlite3_column_int64(s, 4);
        snprintf(is->pem, sizeof(is->pem), "%s", pem ? pem : "");
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : WFPW_EIO;
}

/* The host name of the agent's newest certificate ("" when none). */
static void last_hostname(struct wfpw_store *st, const char *agent_id, char *out, size_t len)
{
    sqlite3_stmt *s = prep(st, "SELECT hostname FROM certs WHERE agent_id=?1 AND hostname IS NOT NULL"
                               " ORDER BY issued DESC LIMIT 1");
    out[0] = '\0';
    if (s == NULL)
        return;
    sqlite3_bind_text(s, 1, agent_id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
}

static int record(struct wfpw_store *st, struct wfpw_issue *is, const char *hostname, const char *token_id,
                  int64_t not_before_ms)
{
    sqlite3_stmt *s = prep(st, "INSERT INTO certs(serial, agent_id, hostname, key_id, token_id, kind, not_before,"
                               " not_after, issued, pem) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
    int rc;
    if (s == NULL)
        return WFPW_EIO;
    sqlite3_bind_text(s, 1, is->serial, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, is->agent_id, -1, SQLITE_STATIC);
    if (hostname[0])
        sqlite3_bind_text(s, 3, hostname, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, is->key_id, -1, SQLITE_STATIC);
    if (token_id[0])
        sqlite3_bind_text(s, 5, token_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, is->kind == WFPW_ISSUE_ENROLL ? "enroll" : "renew", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, not_before_ms);
    sqlite3_bind_int64(s, 8, is->not_after_ms);
    sqlite3_bind_int64(s, 9, is->now_ms);
    sqlite3_bind_text(s, 10, is->pem, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return WFPW_EIO;
    if (token_id[0] && is->kind == WFPW_ISSUE_ENROLL)
        return change1(st, "UPDATE enroll_tokens SET uses=uses+1 WHERE id=?1", token_id, 0);
    return 0;
}

static int decide(struct wfpw_store *st, struct wfpw_issue *is)
{
    char token_id[16] = "", owner[160], owner_token[16], hostname[160];
    int used_up = 0, revoked = 0, live = 0, had = 0, released = 0, known, rc;
    int64_t not_before;

    if (is->kind == WFPW_ISSUE_ENROLL) {
        if ((rc = check_token(st, is, token_id, &used_up)) != 0 || is->result != WFPW_ISSUED)
            return rc;
    }
    if ((rc = exists1(st, "SELECT 1 FROM revoked_agents WHERE agent_id=?1", is->agent_id, 0, &revoked)) != 0)
        return rc;
    if (revoked)
        return refuse(is, WFPW_AGENT_REVOKED, "this agent's certificates are revoked");
    if ((known = key_known(st, is, owner, sizeof(owner), owner_token, sizeof(owner_token), &revoked)) < 0)
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
        if ((rc = exists1(st, "SELECT 1 FROM certs WHERE agent_id=?1 AND revoked IS NULL AND not_after > ?2",
                          is->agent_id, is->now_ms, &live)) != 0)
            return rc;
        if (live)
            return refuse(is, WFPW_CONFLICT, "this agent id is enrolled already; it renews with its certificate");
        /* an id whose certificates expired is not free for whoever holds a token: the old key
         * proves it is the same agent, or an operator says so (cert release) */
        if ((rc = exists1(st, "SELECT 1 FROM certs WHERE agent_id=?1 AND kind<>'manual'", is->agent_id, 0, &had)) != 0)
            return rc;
        if (had && is->proof_serial) {
            int gone = 0;
            if ((rc = exists1(st, "SELECT 1 FROM certs WHERE serial=?1 AND revoked IS NOT NULL", is->proof_serial, 0,
                              &gone)) != 0)
                return rc;
            if (gone)
                return refuse(is, WFPW_AGENT_REVOKED, "the certificate whose key signed this request is revoked");
        } else if (had) {
            if ((rc = exists1(st, "SELECT 1 FROM enroll_releases WHERE agent_id=?1", is->agent_id, 0, &released)) != 0)
                return rc;
            if (!released)
                return refuse(is, WFPW_CONFLICT,
                              "this agent id had a certificate: re-enroll with proof from its previous key, or an "
                              "operator runs `wfpwatch-collector cert release AGENTID`");
            if ((rc = change1(st, "DELETE FROM enroll_releases WHERE agent_id=?1", is->agent_id, 0)) != 0)
                return rc;
        }
        if (used_up)
            return refuse(is, WFPW_BAD_TOKEN, "enrollment token used up");
    }
    snprintf(hostname, sizeof(hostname), "%s", is->hostname ? is->hostname : "");
    if (hostname[0] == '\0' && is->kind == WFPW_ISSUE_RENEW)
        last_hostname(st, is->agent_id, hostname, sizeof(hostname));
    if ((rc = is->sign(is->sign_ctx, is->agent_id, hostname, is->now_ms, is->serial, &not_before, &is->not_after_ms,
                       is->pem, sizeof(is->pem))) != 0)
        return rc;
    return record(st, is, hostname, token_id, not_before);
}

int wfpw__sq_issue(struct wfpw_store *st, struct wfpw_issue *is)
{
    int rc;
    is->result = WFPW_ISSUED;
    is->why[0] = is->serial[0] = is->pem[0] = '\0';
    if (exec_sql(st, "BEGIN IMMEDIATE") != 0)
        return WFPW_EIO;
    rc = decide(st, is);
    if (rc == 0 && is->result == WFPW_ISSUED)
        rc = exec_sql(st, "COMMIT");
    if (rc != 0 || is->result != WFPW_ISSUED)
        exec_sql(st, "ROLLBACK");
    return rc;
}

/* ---- revocation -------------------------------------------------------------------------------------- */

int wfpw__sq_cert_revoke(struct wfpw_store *st, const char *agent_id, const char *extra_serial, int64_t now_ms,
                           int *count)
{
    sqlite3_stmt *s;
    int rc = WFPW_EIO, known = 0;
    *count = 0;
    if (exec_sql(st, "BEGIN IMMEDIATE") != 0)
        return WFPW_EIO;
    if (extra_serial) {
        if ((s = prep(st, "INSERT OR IGNORE INTO certs(serial, agent_id, kind, not_before, not_after, issued)"
                          " VALUES(?1,?2,'manual',0,0,?3)")) == NULL)
            goto out;
        sqlite3_bind_text(s, 1, extra_serial, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, agent_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, now_ms);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : WFPW_EIO;
        sqlite3_finalize(s);
        if (rc != 0)
            goto out;
    }
    rc = WFPW_EIO;
    if ((s = prep(st, "SELECT count(*) FROM certs WHERE agent_id=?1")) == NULL)
        goto out;
    sqlite3_bind_text(s, 1, agent_id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        known = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (!known) { /* nothing to put in the CRL: marking the host alone would mislead */
        rc = WFPW_ENOENT;
        goto out;
    }
    if ((rc = change1(st, "UPDATE certs SET revoked=?2, revoke_reason='revoked' WHERE agent_id=?1 AND revoked IS NULL",
                      agent_id, now_ms)) != 0)
        goto out;
    *count = sqlite3_changes(wfpw__store_db(st));
    if ((rc = change1(st, "INSERT OR IGNORE INTO revoked_agents(agent_id, revoked) VALUES(?1,?2)", agent_id,
                      now_ms)) != 0)
        goto out;
    /* the host list shows it (a host that never shipped gets a row) */
    rc = change1(st, "INSERT INTO hosts(host, agent_id, first_seen, last_seen, status) VALUES(?1,?1,?2,?2,'revoked')"
                     " ON CONFLICT(host) DO UPDATE SET status='revoked'", agent_id, now_ms);
out:
    if (rc == 0)
        rc = exec_sql(st, "COMMIT");
    if (rc != 0) {
        exec_sql(st, "ROLLBACK");
        *count = 0;
    }
    return rc;
}

int wfpw__sq_revoked_serials(struct wfpw_store *st, char ***serials, int64_t **when, size_t *n)
{
    sqlite3_stmt *s = prep(st, "SELECT serial, revoked FROM certs WHERE revoked IS NOT NULL ORDER BY revoked, serial");
    size_t cap = 0;
    int rc;
    *serials = NULL, *when = NULL, *n = 0;
    if (s == NULL)
        return WFPW_EIO;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **ns = wfpw_realloc(*serials, ncap * sizeof(char *));
            int64_t *nw = ns ? wfpw_realloc(*when, ncap * sizeof(int64_t)) : NULL;
            if (ns)
                *serials = ns;
            if (nw)
                *when = nw;
            if (ns == NULL || nw == NULL) {
                rc = SQLITE_NOMEM;
                break;
            }
            cap = ncap;
        }
        if (((*serials)[*n] = wfpw_strdup((const char *)sqlite3_column_text(s, 0))) == NULL) {
            rc = SQLITE_NOMEM;
            break;
        }
        (*when)[(*n)++] = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : rc == SQLITE_NOMEM ? WFPW_ENOMEM : WFPW_EIO;
}

int wfpw__sq_cert_list(struct wfpw_store *st, struct wfpw_buf *out)
{
    sqlite3_stmt *s = prep(st, "SELECT agent_id, serial, kind, hostname, not_after, revoked FROM certs"
                               " ORDER BY agent_id, issued");
    int rc;
    if (s == NULL)
        return WFPW_EIO;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        wfpw__store_cert_line(out, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
                              (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
                              sqlite3_column_int64(s, 4), COL(5));
#undef COL
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? out->err : WFPW_EIO;
}

int wfpw__sq_cert_release(struct wfpw_store *st, const char *agent_id, int64_t now_ms)
{
    int known = 0, rc;
    if ((rc = exists1(st, "SELECT 1 FROM certs WHERE agent_id=?1 AND kind<>'manual'", agent_id, 0, &known)) != 0)
        return rc;
    if (!known)
        return WFPW_ENOENT;
    return change1(st, "INSERT INTO enroll_releases(agent_id, released) VALUES(?1,?2)"
                       " ON CONFLICT(agent_id) DO UPDATE SET released=excluded.released", agent_id, now_ms);
}

int wfpw__sq_has_revocations(struct wfpw_store *st, int *yes)
{
    return exists1(st, "SELECT 1 FROM certs WHERE revoked IS NOT NULL LIMIT 1", "", 0, yes);
}
