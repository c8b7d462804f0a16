/*
 * test-http-parse.c — collector/src/http_parse.c: requests split at any byte, pipelining,
 * chunked bodies, the header/URI/body limits and malformed requests.
 */
#include "../../runner.h"
#include "net/http_parse.h"
#include "wfpw/errors.h"

struct hookrec {
    int begins, headers, expect;
};

static void on_begin(void *o)
{
    ((struct hookrec *)o)->begins++;
}

static int on_headers(void *o, struct wfpw_req *req, int e, size_t *max_body, const char **why)
{
    (void)req, (void)max_body, (void)why;
    ((struct hookrec *)o)->headers++;
    ((struct hookrec *)o)->expect += e;
    return 0;
}

/* A route policy as the collector's API sets one: POST /secret needs a credential the
 * request does not have; GET takes no body; /small takes 4 bytes. */
static int policy(void *o, struct wfpw_req *req, int e, size_t *max_body, const char **why)
{
    (void)e;
    ((struct hookrec *)o)->headers++;
    if (strcmp(req->path, "/secret") == 0) {
        *why = "a client certificate is required";
        return 401;
    }
    if (req->method == HTTP_GET)
        *max_body = 0;
    else if (strcmp(req->path, "/small") == 0)
        *max_body = 4;
    return 0;
}

static int policy_status(const char *req, int *headers)
{
    struct hookrec h = {0, 0, 0};
    struct wfpw_http_hooks hooks = {&h, NULL, policy};
    struct wfpw_http_parser p;
    size_t used;
    int rc, status;
    wfpw_http_init(&p, 16384, 1 << 20, &hooks);
    rc = wfpw_http_feed(&p, req, strlen(req), &used);
    status = rc == WFPW_HTTP_ERROR ? p.status : rc == WFPW_HTTP_REQUEST ? 200 : 0;
    *headers = h.headers;
    wfpw_http_free(&p);
    return status;
}

/* Limits are decided at the end of the headers, before a body byte is taken. */
TEST_IMPL(http_route_limits_at_headers)
{
    int headers;
    struct hookrec h = {0, 0, 0};
    struct wfpw_http_hooks hooks = {&h, NULL, policy};
    struct wfpw_http_parser p;
    size_t used;
    /* refused at the headers: the body that follows is never read */
    ASSERT_EQ(policy_status("POST /secret HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", &headers), 401);
    ASSERT_EQ(headers, 1);
    ASSERT_EQ(policy_status("POST /secret HTTP/1.1\r\nContent-Length: 5\r\n\r\n", &headers), 401);
    /* a GET with a body, declared or chunked */
    ASSERT_EQ(policy_status("GET /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", &headers), 413);
    ASSERT_EQ(policy_status("GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", &headers),
              413);
    ASSERT_EQ(policy_status("GET /x HTTP/1.1\r\n\r\n", &headers), 200);
    /* the route's own body limit, below the server's */
    ASSERT_EQ(policy_status("POST /small HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", &headers), 413);
    ASSERT_EQ(policy_status("POST /small HTTP/1.1\r\nContent-Length: 4\r\n\r\nhell", &headers), 200);
    /* an Expect the server does not understand */
    ASSERT_EQ(policy_status("POST /small HTTP/1.1\r\nExpect: 102-processing\r\nContent-Length: 4\r\n\r\n", &headers),
              417);
    /* the body buffer is released with the answer: an idle connection holds none */
    wfpw_http_init(&p, 16384, 1 << 20, &hooks);
    {
        static const char req[] = "POST /big HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
        ASSERT_EQ(wfpw_http_feed(&p, req, sizeof(req) - 1, &used), WFPW_HTTP_REQUEST);
    }
    ASSERT(p.req.body.cap > 0);
    wfpw_http_next(&p);
    ASSERT_EQ(p.req.body.cap, 0);
    ASSERT(p.req.body.data == NULL);
    wfpw_http_free(&p);
    return 0;
}

TEST_IMPL(http_single_request)
{
    static const char req[] = "POST /api/v1/batches?x=1&y=%20 HTTP/1.1\r\nHost: h\r\n"
                              "Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
                              "Authorization: Bearer abc\r\nAccept: application/x-ndjson\r\n"
                              "Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello";
    struct hookrec h = {0, 0, 0};
    struct wfpw_http_hooks hooks = {&h, on_begin, on_headers};
    struct wfpw_http_parser p;
    size_t used;
    wfpw_http_init(&p, 16384, 1024, &hooks);
    ASSERT_EQ(wfpw_http_feed(&p, req, sizeof(req) - 1, &used), WFPW_HTTP_REQUEST);
    ASSERT_EQ(used, sizeof(req) - 1);
    ASSERT_EQ(p.req.method, HTTP_POST);
    ASSERT_STR_EQ(p.req.path, "/api/v1/batches");
    ASSERT_STR_EQ(p.req.query, "x=1&y=%20");
    ASSERT_STR_EQ(p.req.content_type, "application/json");
    ASSERT_STR_EQ(p.req.content_encoding, "gzip");
    ASSERT_STR_EQ(p.req.authorization, "Bearer abc");
    ASSERT_STR_EQ(p.req.accept, "application/x-ndjson");
    ASSERT_EQ(p.req.body.len, 5);
    ASSERT(memcmp(p.req.body.data, "hello", 5) == 0);
    ASSERT_EQ(h.begins, 1);
    ASSERT_EQ(h.headers, 1);
    ASSERT_EQ(h.expect, 1);
    ASSERT(wfpw_http_keep_alive(&p));
    wfpw_http_free(&p);
    return 0;
}

/* Three requests in one buffer, then the same bytes fed one at a time. */
TEST_IMPL(http_pipelined_and_split)
{
    static const char reqs[] = "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n"
                               "GET /api/v1/events?after=5 HTTP/1.1\r\nHost: h\r\n\r\n"
                               "GET /metrics HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    static const char *const paths[] = {"/healthz", "/api/v1/events", "/metrics"};
    struct wfpw_http_parser p;
    size_t off = 0, used, n = 0;
    int rc, pass;
    for (pass = 0; pass < 2; pass++) {
        wfpw_http_init(&p, 16384, 1024, NULL);
        off = 0, n = 0;
        while (off < sizeof(reqs) - 1) {
            size_t chunk = pass == 0 ? sizeof(reqs) - 1 - off : 1;
            rc = wfpw_http_feed(&p, reqs + off, chunk, &used);
            ASSERT(rc != WFPW_HTTP_ERROR);
            off += used;
            if (rc == WFPW_HTTP_REQUEST) {
                ASSERT(n < 3);
                ASSERT_STR_EQ(p.req.path, paths[n]);
                ASSERT_EQ(p.req.method, HTTP_GET);
                if (n == 1)
                    ASSERT_STR_EQ(p.req.query, "after=5");
                ASSERT_EQ(wfpw_http_keep_alive(&p), n < 2);
                n++;
                wfpw_http_next(&p);
            }
        }
        ASSERT_EQ(n, 3);
        wfpw_http_free(&p);
    }
    return 0;
}

TEST_IMPL(http_chunked_body)
{
    static const char req[] = "POST /api/v1/batches HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    struct wfpw_http_parser p;
    size_t used;
    wfpw_http_init(&p, 16384, 1024, NULL);
    ASSERT_EQ(wfpw_http_feed(&p, req, sizeof(req) - 1, &used), WFPW_HTTP_REQUEST);
    ASSERT_EQ(p.req.body.len, 11);
    ASSERT(memcmp(p.req.body.data, "hello world", 11) == 0);
    wfpw_http_free(&p);
    /* a chunked body over the limit is refused while it streams */
    wfpw_http_init(&p, 16384, 8, NULL);
    ASSERT_EQ(wfpw_http_feed(&p, req, sizeof(req) - 1, &used), WFPW_HTTP_ERROR);
    ASSERT_EQ(p.status, 413);
    wfpw_http_free(&p);
    return 0;
}

static int feed_status(const char *req, size_t max_header, size_t max_body)
{
    struct wfpw_http_parser p;
    size_t used;
    int rc, status;
    wfpw_http_init(&p, max_header, max_body, NULL);
    rc = wfpw_http_feed(&p, req, strlen(req), &used);
    status = rc == WFPW_HTTP_ERROR ? p.status : rc == WFPW_HTTP_REQUEST ? 200 : 0;
    ASSERT(rc != WFPW_HTTP_ERROR || p.error != NULL);
    wfpw_http_free(&p);
    return status;
}

TEST_IMPL(http_limits)
{
    char big[3000];
    char req[4000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    /* declared body over the limit: refused at the headers, before any body byte */
    ASSERT_EQ(feed_status("POST / HTTP/1.1\r\nContent-Length: 2000\r\n\r\n", 16384, 1000), 413);
    ASSERT_EQ(feed_status("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n", 16384, 1000), 0);
    /* headers over the limit */
    snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nX-Big: %s\r\n\r\n", big);
    ASSERT_EQ(feed_status(req, 1024, 1000), 431);
    ASSERT_EQ(feed_status(req, 16384, 1000), 200);
    /* a kept header longer than its buffer */
    snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nAuthorization: Bearer %s\r\n\r\n", big);
    ASSERT_EQ(feed_status(req, 16384, 1000), 431);
    /* path and query longer than their buffers */
    snprintf(req, sizeof(req), "GET /%s HTTP/1.1\r\n\r\n", big);
    ASSERT_EQ(feed_status(req, 16384, 1000), 414);
    snprintf(req, sizeof(req), "GET /x?%s HTTP/1.1\r\n\r\n", big);
    ASSERT_EQ(feed_status(req, 16384, 1000), 414);
    return 0;
}

TEST_IMPL(http_malformed)
{
    static const char *const bad[] = {
        "GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int st = feed_status(bad[i], 16384, 1000);
        if (st != 400)
            fprintf(stderr, "case %zu: status %d\n", i, st);
        ASSERT_EQ(st, 400);
    }
    return 0;
}
