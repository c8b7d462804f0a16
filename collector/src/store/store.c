/*
 * store.c — the store interface (store.h): picks the engine a store is opened with and hands
 * every operation to it. Nothing here knows a schema; the engines do (store/sqlite/,
 * store/postgres/).
 */
#include "store/store.h"

#include <stdio.h>

#include "wfpw/errors.h"

int wfpw_store_open(const char *datadir, const struct wfpw_store_opts *opts, struct wfpw_store **out, char *err,
                    size_t errlen)
{
    const struct wfpw_store_ops *ops = &wfpw_store_sqlite_ops;
    *out = NULL;
    if (opts && opts->kind == WFPW_STORE_POSTGRES) {
        if (opts->dsn == NULL || opts->dsn[0] == '\0') {
            snprintf(err, errlen, "the PostgreSQL store needs a connection string (--dsn or postgres.dsn)");
            return WFPW_EINVAL;
        }
        ops = &wfpw_store_postgres_ops;
    }
    return ops->open(datadir, opts, out, err, errlen);
}

void wfpw_store_close(struct wfpw_store *st)
{
    if (st)
        st->ops->close(st);
}

const char *wfpw_store_engine(const struct wfpw_store *st)
{
    return st->ops->name;
}

void wfpw_store_release(struct wfpw_store *st)
{
    st->ops->release(st);
}

int wfpw_store_ingest(struct wfpw_store *st, struct wfpw_ingest *const *items, size_t n)
{
    return st->ops->ingest(st, items, n);
}

int wfpw_store_query(struct wfpw_store *st, struct wfpw_query *q, struct wfpw_buf *out)
{
    return st->ops->query(st, q, out);
}

int wfpw_store_query_plan(struct wfpw_store *st, const struct wfpw_query *q, struct wfpw_buf *out)
{
    return st->ops->query_plan(st, q, out);
}

int wfpw_store_hosts(struct wfpw_store *st, struct wfpw_buf *out)
{
    return st->ops->hosts(st, out);
}

int wfpw_store_filters(struct wfpw_store *st, const char *host, struct wfpw_buf *out)
{
    return st->ops->filters(st, host, out);
}

int wfpw_store_token_add(struct wfpw_store *st, const char *name, const char *hash_hex, int64_t now_ms)
{
    return st->ops->token_add(st, name, hash_hex, now_ms);
}

int wfpw_store_token_revoke(struct wfpw_store *st, const char *name, int64_t now_ms)
{
    return st->ops->token_revoke(st, name, now_ms);
}

int wfpw_store_token_list(struct wfpw_store *st, struct wfpw_buf *out)
{
    return st->ops->token_list(st, out);
}

int wfpw_store_token_hashes(struct wfpw_store *st, char (**hashes)[65], size_t *n)
{
    return st->ops->token_hashes(st, hashes, n);
}

int wfpw_store_token_valid(struct wfpw_store *st, const char *hash_hex)
{
    return st->ops->token_valid(st, hash_hex);
}

int wfpw_store_check_silent(struct wfpw_store *st, int64_t now_ms, int64_t silent_after_ms)
{
    return st->ops->check_silent(st, now_ms, silent_after_ms);
}

int wfpw_store_prune(struct wfpw_store *st, int64_t now_ms, int64_t max_age_ms, int64_t max_bytes, int chunk)
{
    return st->ops->prune(st, now_ms, max_age_ms, max_bytes, chunk);
}

int wfpw_store_outbox_next(struct wfpw_store *st, const char *target, int64_t now_ms, struct wfpw_outbox_item *item)
{
    return st->ops->outbox_next(st, target, now_ms, item);
}

int wfpw_store_outbox_done(struct wfpw_store *st, const struct wfpw_outbox_item *it, int64_t now_ms)
{
    return st->ops->outbox_done(st, it, now_ms);
}

int wfpw_store_outbox_retry(struct wfpw_store *st, const struct wfpw_outbox_item *it, int64_t next_ms,
                            const char *error)
{
    return st->ops->outbox_retry(st, it, next_ms, error);
}

int64_t wfpw_store_outbox_pending(struct wfpw_store *st)
{
    return st->ops->outbox_pending(st);
}

int wfpw_store_enroll_token_add(struct wfpw_store *st, const char *hash_hex, const char *name, int64_t expires_ms,
                                int64_t max_uses, int64_t now_ms)
{
    return st->ops->enroll_token_add(st, hash_hex, name, expires_ms, max_uses, now_ms);
}

int wfpw_store_enroll_token_revoke(struct wfpw_store *st, const char *id_or_name, int64_t now_ms)
{
    return st->ops->enroll_token_revoke(st, id_or_name, now_ms);
}

int wfpw_store_enroll_token_list(struct wfpw_store *st, int64_t now_ms, struct wfpw_buf *out)
{
    return st->ops->enroll_token_list(st, now_ms, out);
}

int wfpw_store_issue(struct wfpw_store *st, struct wfpw_issue *is)
{
    return st->ops->issue(st, is);
}

int wfpw_store_cert_revoke(struct wfpw_store *st, const char *agent_id, const char *extra_serial, int64_t now_ms,
                           int *count)
{
    return st->ops->cert_revoke(st, agent_id, extra_serial, now_ms, count);
}

int wfpw_store_revoked_serials(struct wfpw_store *st, char ***serials, int64_t **when, size_t *n)
{
    return st->ops->revoked_serials(st, serials, when, n);
}

int wfpw_store_cert_list(struct wfpw_store *st, struct wfpw_buf *out)
{
    return st->ops->cert_list(st, out);
}

int wfpw_store_cert_release(struct wfpw_store *st, const char *agent_id, int64_t now_ms)
{
    return st->ops->cert_release(st, agent_id, now_ms);
}

int wfpw_store_has_revocations(struct wfpw_store *st, int *yes)
{
    return st->ops->has_revocations(st, yes);
}
