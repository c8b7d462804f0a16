/*
 * common.c — the engines' shared parts (common.h): one served form, one collector alert, one
 * paging loop, so that SQLite and PostgreSQL answer byte for byte alike.
 */
#include "store/common.h"

#include <stdio.h>

#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/mem.h"
#include "wfpw/timefmt.h"

int64_t wfpw_store_query_window = WFPW_QUERY_WINDOW;

int wfpw__store_copy_targets(const struct wfpw_store_opts *opts, char ***targets, size_t *n)
{
    size_t i;
    *targets = NULL, *n = 0;
    if (opts == NULL || opts->ntargets == 0)
        return 0;
    if ((*targets = wfpw_calloc(opts->ntargets, sizeof(char *))) == NULL)
        return WFPW_ENOMEM;
    for (i = 0; i < opts->ntargets; i++)
        if (((*targets)[(*n)++] = wfpw_strdup(opts->alert_targets[i])) == NULL)
            return WFPW_ENOMEM; /* the caller frees what was copied */
    return 0;
}

void wfpw__store_free_targets(char **targets, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        wfpw_free(targets[i]);
    wfpw_free(targets);
}

void wfpw__store_enroll_token_line(struct wfpw_buf *out, const char *id, const char *name, int64_t created,
                                   int64_t expires, int64_t max_uses, int64_t uses, int64_t revoked, int64_t now_ms)
{
    char t[WFPW_TIME_LEN + 1];
    wfpw_time_format_ms(created, t);
    wfpw_buf_printf(out, "%s  %-20s created %s", id, name ? name : "-", t);
    if (expires >= 0) {
        wfpw_time_format_ms(expires, t);
        wfpw_buf_printf(out, "  expires %s", t);
    }
    wfpw_buf_printf(out, "  uses %lld", (long long)uses);
    if (max_uses >= 0)
        wfpw_buf_printf(out, "/%lld", (long long)max_uses);
    if (revoked >= 0) {
        wfpw_time_format_ms(revoked, t);
        wfpw_buf_printf(out, "  REVOKED %s", t);
    } else if (expires >= 0 && expires <= now_ms) {
        wfpw_buf_puts(out, "  EXPIRED");
    } else if (max_uses >= 0 && uses >= max_uses) {
        wfpw_buf_puts(out, "  USED UP");
    }
    wfpw_buf_putc(out, '\n');
}

void wfpw__store_cert_line(struct wfpw_buf *out, const char *agent_id, const char *serial, const char *kind,
                           const char *hostname, int64_t not_after, int64_t revoked)
{
    char t[WFPW_TIME_LEN + 1];
    wfpw_buf_printf(out, "%s  %s  %-6s  %s", agent_id, serial, kind, hostname ? hostname : "-");
    if (not_after > 0) {
        wfpw_time_format_ms(not_after, t);
        wfpw_buf_printf(out, "  expires %s", t);
    }
    if (revoked >= 0) {
        wfpw_time_format_ms(revoked, t);
        wfpw_buf_printf(out, "  REVOKED %s", t);
    }
    wfpw_buf_putc(out, '\n');
}

const char *wfpw__store_jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int wfpw__store_collector_alert(struct wfpw_buf *b, char *uid, size_t uidlen, const char *rule, const char *severity,
                                const char *host, int64_t now_ms, const char *title, const char *details)
{
    char t[WFPW_TIME_LEN + 1];
    wfpw_time_format_ms(now_ms, t);
    wfpw_buf_printf(b, "{\"type\":\"alert\",\"time\":\"%s\",\"source\":\"collector\",\"rule\":\"%s\","
                       "\"severity\":\"%s\",\"title\":", t, rule, severity);
    wfpw_json_write_string(b, title);
    wfpw_buf_puts(b, ",\"details\":");
    wfpw_json_write_string(b, details);
    wfpw_buf_puts(b, "}");
    snprintf(uid, uidlen, "collector:%s:%s:%lld", rule, host, (long long)now_ms);
    return b->err;
}

void wfpw__page_item(struct wfpw__page *p, int64_t id, const char *host, int mismatch, const char *json)
{
    struct wfpw_buf *b = p->out;
    if (!p->ndjson && p->n > 0)
        wfpw_buf_putc(b, ',');
    wfpw_buf_printf(b, "{\"id\":%lld,\"host\":", (long long)id);
    wfpw_json_write_string(b, host);
    if (mismatch)
        wfpw_buf_puts(b, ",\"identity_mismatch\":true");
    if (json[0] == '{' && json[1] != '}') {
        wfpw_buf_putc(b, ',');
        wfpw_buf_puts(b, json + 1);
    } else {
        wfpw_buf_putc(b, '}');
    }
    if (p->ndjson)
        wfpw_buf_putc(b, '\n');
    p->n++;
    p->last = id;
}

int wfpw__store_page(struct wfpw_query *q, int64_t top, wfpw__page_fetch fetch, void *ctx, struct wfpw_buf *out)
{
    struct wfpw__page p = {out, q->ndjson, 0, q->after};
    int64_t lo = q->after;
    int windows = 0, windowed = q->since_ms >= 0 || q->until_ms >= 0;
    q->more = 0;
    if (!q->ndjson)
        wfpw_buf_puts(out, q->kind == WFPW_Q_EVENTS ? "{\"events\":[" : "{\"alerts\":[");
    while (p.n < q->limit && lo < top) {
        int64_t w = wfpw_store_query_window, upto = windowed ? (top - lo > w ? lo + w : top) : INT64_MAX;
        if (windowed && windows++ == WFPW_QUERY_WINDOWS) {
            q->more = 1; /* budget spent: the client continues from lo */
            break;
        }
        if (fetch(ctx, q, lo, upto, q->limit - p.n, &p) != 0)
            return WFPW_EIO;
        if (!windowed)
            break;
        lo = upto; /* every row up to here examined */
        if (p.n < q->limit)
            p.last = lo;
    }
    q->next = p.last;
    if (!q->ndjson)
        wfpw_buf_printf(out, "],\"next_cursor\":\"%lld\"%s}", (long long)p.last, q->more ? ",\"more\":true" : "");
    return out->err;
}
