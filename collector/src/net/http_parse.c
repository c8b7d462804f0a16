/*
 * http_parse.c — request parsing on llhttp with limits (see http_parse.h).
 *
 * Only the headers the routes use are kept (content-type, content-encoding, authorization,
 * accept, expect), each in a fixed buffer; an over-long one is a 431, like too many header
 * bytes in total. The URL is split into path and query while it streams in.
 */
#include "net/http_parse.h"

#include <string.h>
#include <strings.h>

#include "wfpw/errors.h"

enum { T_NONE, T_CTYPE, T_CENC, T_AUTH, T_ACCEPT, T_EXPECT };

static struct wfpw_http_parser *P(llhttp_t *p)
{
    return p->data;
}

static int limit(struct wfpw_http_parser *p, int status, const char *why)
{
    p->status = status;
    p->error = why;
    return -1;
}

static int count_header(struct wfpw_http_parser *p, size_t len)
{
    p->header_bytes += len;
    return p->header_bytes > p->max_header_bytes ? limit(p, 431, "request headers too large") : 0;
}

static int on_message_begin(llhttp_t *lp)
{
    struct wfpw_http_parser *p = P(lp);
    struct wfpw_buf keep = p->req.body;
    memset(&p->req, 0, sizeof(p->req));
    p->req.body = keep;
    wfpw_buf_reset(&p->req.body);
    p->header_bytes = 0;
    p->req.content_length = -1;
    p->body_limit = p->max_body_bytes;
    p->expect[0] = '\0';
    p->field_len = 0;
    if (p->hooks.on_begin)
        p->hooks.on_begin(p->hooks.owner);
    return 0;
}

static int on_url(llhttp_t *lp, const char *at, size_t len)
{
    struct wfpw_http_parser *p = P(lp);
    size_t i, n;
    if (count_header(p, len))
        return -1;
    for (i = 0; i < len; i++) {
        int in_query = strchr(p->req.path, '?') != NULL;
        char *dst = in_query ? p->req.query : p->req.path;
        size_t cap = in_query ? sizeof(p->req.query) : sizeof(p->req.path);
        n = strlen(dst);
        if (n + 2 >= cap)
            return limit(p, 414, "request URI too long");
        dst[n] = at[i]; /* a '?' stays in path as the marker until the URL is complete */
        dst[n + 1] = '\0';
    }
    return 0;
}

static int on_url_complete(llhttp_t *lp)
{
    struct wfpw_http_parser *p = P(lp);
    char *q = strchr(p->req.path, '?');
    if (q)
        *q = '\0';
    return 0;
}

static int on_header_field(llhttp_t *lp, const char *at, size_t len)
{
    struct wfpw_http_parser *p = P(lp);
    size_t i;
    if (count_header(p, len))
        return -1;
    for (i = 0; i < len && p->field_len < sizeof(p->field) - 1; i++) {
        char ch = at[i];
        p->field[p->field_len++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    p->field[p->field_len] = '\0';
    return 0;
}

static int on_header_field_complete(llhttp_t *lp)
{
    struct wfpw_http_parser *p = P(lp);
    p->value_target = !strcmp(p->field, "content-type")       ? T_CTYPE
                      : !strcmp(p->field, "content-encoding") ? T_CENC
                      : !strcmp(p->field, "authorization")    ? T_AUTH
                      : !strcmp(p->field, "accept")           ? T_ACCEPT
                      : !strcmp(p->field, "expect")           ? T_EXPECT
                                                              : T_NONE;
    p->field_len = 0;
    p->value_len = 0;
    return 0;
}

static int on_header_value(llhttp_t *lp, const char *at, size_t len)
{
    struct wfpw_http_parser *p = P(lp);
    char *dst;
    size_t cap;
    if (count_header(p, len))
        return -1;
    switch (p->value_target) {
    case T_CTYPE: dst = p->req.content_type, cap = sizeof(p->req.content_type); break;
    case T_CENC: dst = p->req.content_encoding, cap = sizeof(p->req.content_encoding); break;
    case T_AUTH: dst = p->req.authorization, cap = sizeof(p->req.authorization); break;
    case T_ACCEPT: dst = p->req.accept, cap = sizeof(p->req.accept); break;
    case T_EXPECT: dst = p->expect, cap = sizeof(p->expect); break;
    default: return 0;
    }
    if (p->value_len + len >= cap)
        return limit(p, 431, "request header value too long");
    memcpy(dst + p->value_len, at, len);
    p->value_len += len;
    dst[p->value_len] = '\0';
    return 0;
}

static int on_headers_complete(llhttp_t *lp)
{
    struct wfpw_http_parser *p = P(lp);
    int expect = strcasecmp(p->expect, "100-continue") == 0;
    p->req.content_length = (lp->flags & F_CONTENT_LENGTH) ? (int64_t)lp->content_length : -1;
    p->req.chunked = (lp->flags & F_CHUNKED) != 0;
    p->req.method = llhttp_get_method(lp);
    if (p->expect[0] && !expect)
        return limit(p, 417, "only Expect: 100-continue is understood");
    if (p->hooks.on_headers) {
        size_t max = p->max_body_bytes;
        const char *why = NULL;
        int status = p->hooks.on_headers(p->hooks.owner, &p->req, expect, &max, &why);
        if (status != 0)
            return limit(p, status, why ? why : "refused");
        if (max < p->body_limit)
            p->body_limit = max;
    }
    if ((lp->flags & F_CONTENT_LENGTH) && lp->content_length > p->body_limit)
        return limit(p, 413, p->body_limit ? "request body too large" : "this request takes no body");
    return 0;
}

static int on_body(llhttp_t *lp, const char *at, size_t len)
{
    struct wfpw_http_parser *p = P(lp);
    if (p->req.body.len + len > p->body_limit)
        return limit(p, 413, p->body_limit ? "request body too large" : "this request takes no body");
    if (wfpw_buf_append(&p->req.body, at, len) != 0)
        return limit(p, 503, "out of memory");
    return 0;
}

static int on_message_complete(llhttp_t *lp)
{
    (void)lp;
    return HPE_PAUSED;
}

static llhttp_settings_t settings;
static int settings_ready;

void wfpw_http_init(struct wfpw_http_parser *p, size_t max_header_bytes, size_t max_body_bytes,
                    const struct wfpw_http_hooks *hooks)
{
    if (!settings_ready) {
        llhttp_settings_init(&settings);
        settings.on_message_begin = on_message_begin;
        settings.on_url = on_url;
        settings.on_url_complete = on_url_complete;
        settings.on_header_field = on_header_field;
        settings.on_header_field_complete = on_header_field_complete;
        settings.on_header_value = on_header_value;
        settings.on_headers_complete = on_headers_complete;
        settings.on_body = on_body;
        settings.on_message_complete = on_message_complete;
        settings_ready = 1;
    }
    memset(p, 0, sizeof(*p));
    p->max_header_bytes = max_header_bytes;
    p->max_body_bytes = max_body_bytes;
    if (hooks)
        p->hooks = *hooks;
    wfpw_buf_init(&p->req.body, max_body_bytes + 1);
    llhttp_init(&p->parser, HTTP_REQUEST, &settings);
    p->parser.data = p;
}

void wfpw_http_free(struct wfpw_http_parser *p)
{
    wfpw_buf_free(&p->req.body);
}

int wfpw_http_feed(struct wfpw_http_parser *p, const char *data, size_t len, size_t *used)
{
    llhttp_errno_t e = llhttp_execute(&p->parser, data, len);
    if (e == HPE_OK) {
        *used = len;
        return WFPW_HTTP_MORE;
    }
    if (e == HPE_PAUSED) {
        *used = (size_t)(llhttp_get_error_pos(&p->parser) - data);
        p->req.method = llhttp_get_method(&p->parser);
        return WFPW_HTTP_REQUEST;
    }
    *used = len;
    if (p->status == 0) {
        const char *r = llhttp_get_error_reason(&p->parser);
        p->status = 400;
        p->error = r ? r : "malformed HTTP request";
    }
    return WFPW_HTTP_ERROR;
}

void wfpw_http_next(struct wfpw_http_parser *p)
{
    /* a request's body is gone with its answer: an idle keep-alive connection holds none */
    wfpw_buf_free(&p->req.body);
    wfpw_buf_init(&p->req.body, p->max_body_bytes + 1);
    llhttp_resume(&p->parser);
}

int wfpw_http_keep_alive(struct wfpw_http_parser *p)
{
    return llhttp_should_keep_alive(&p->parser);
}
