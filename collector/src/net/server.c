/*
 * server.c — connections: libuv TCP, mbedTLS on memory buffers, limits, timeouts.
 *
 * Data path of a connection: uv_read (into one read buffer shared by all connections) ->
 * the TLS gate while the client's handshake is in the clear (tlsgate.h) -> cin (ciphertext)
 * -> mbedtls_ssl_read -> the request parser (http_parse.c) -> the handler's classify() at the
 * end of the headers (limits for this route, or a refusal before any body byte) -> a complete
 * request -> the handler's dispatch(). The answer (wfpw_respond) goes mbedtls_ssl_write -> cout
 * -> uv_write. While a request is being answered the connection is "busy": reading stops (TCP
 * backpressure) and pipelined bytes wait in `pending` until the answer is out. While more than
 * max_pending_write_bytes of answers wait for the client, the connection is "paused": no more
 * requests are parsed or read until they drain, and a client that takes nothing for
 * write_timeout_ms is closed. pump() is the only place that reads and parses, and it loops
 * rather than recursing, so pipelined requests cannot grow the stack.
 */
#define _DEFAULT_SOURCE /* madvise (Linux: the collector runs there only) */
#include "net/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/metrics.h"
#include "net/http_parse.h"
#include "net/peerlimit.h"
#include "net/tlsgate.h"
#include "wfpw/errors.h"
#include "wfpw/hex.h"
#include "wfpw/json.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/pkix.h"

#define READ_CHUNK 65536
#define MAX_CIPHER_BACKLOG (64u << 10) /* unread ciphertext before we stop reading */

struct wfpw_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    int open_handles;             /* tcp + timer; freed when both closed */
    mbedtls_ssl_context ssl;
    struct wfpw_tlsgate gate;     /* the client's cleartext handshake, until DONE */
    struct wfpw_buf cin;          /* ciphertext received, from cin_off on not yet consumed */
    size_t cin_off;
    struct wfpw_buf cout;         /* ciphertext to send */
    struct wfpw_buf pending;      /* plaintext received after a complete request */
    size_t pending_off;
    struct wfpw_http_parser hp;   /* request parsing and the current request */
    struct wfpw_peer peer;        /* who the client is (address; certificate once verified) */
    int addr_slot;                /* peerlimit entry, -1 when not counted */
    size_t wbytes;                /* bytes handed to uv_write and not yet written */
    int handshake_done, busy, closing, close_after, in_pump, reading, writes;
    int paused;                   /* too many answers wait for the client: no reading/parsing */
    int revoked;                  /* the certificate is revoked: the connection is closed */
    int in_request;               /* from a request's first byte until its answer is done */
    int tls_released;             /* idle, its TLS buffers' inner pages given back (release_idle) */
    struct wfpw_conn_ref *ref;
    struct wfpw_conn *prev, *next;
};

static struct {
    uv_loop_t *loop;
    uv_tcp_t listener;
    struct wfpw_server_cfg cfg;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca, cert;
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ssl_ticket_context tickets;
    mbedtls_ssl_cache_context cache;
    mbedtls_x509_crt_profile profile;
    mbedtls_x509_crl *crl;        /* the revocation list in force, or NULL (owned) */
    struct stat crl_st;           /* of the file it came from */
    int crl_gone_logged;
    uv_timer_t crl_timer;
    struct wfpw_conn *conns;
    int nconns, draining, port;
    int conn_mem;                 /* connection structs not yet freed */
    int listener_closed;
    void (*drain_cb)(void);
    char rbuf[READ_CHUNK];        /* every read lands here first: one buffer for all connections */
    uintptr_t page;               /* the kernel's page size */
} S;

static void pump(struct wfpw_conn *c);
static void conn_close(struct wfpw_conn *c);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void maybe_drained(void);
static void update_reading(struct wfpw_conn *c);

/* ---- references ---------------------------------------------------------------------------- */

void wfpw_conn_ref_hold(struct wfpw_conn_ref *ref)
{
    ref->refs++;
}

void wfpw_conn_ref_release(struct wfpw_conn_ref *ref)
{
    if (--ref->refs == 0)
        wfpw_free(ref);
}

/* ---- timers ------------------------------------------------------------------------------------ */

static void on_timeout(uv_timer_t *t)
{
    struct wfpw_conn *c = t->data;
    if (c->paused)
        wfpw_metrics.write_stalls++;
    else
        wfpw_metrics.timeouts++;
    conn_close(c);
}

static void arm(struct wfpw_conn *c, uint64_t ms)
{
    uv_timer_start(&c->timer, on_timeout, ms, 0);
}

/* ---- output ---------------------------------------------------------------------------------- */

struct wreq {
    uv_write_t req;
    struct wfpw_conn *conn;
    size_t len;
    char *data;
};

static void on_written(uv_write_t *w, int status)
{
    struct wreq *wr = (struct wreq *)w;
    struct wfpw_conn *c = wr->conn;
    c->wbytes -= wr->len;
    wfpw_free(wr->data);
    wfpw_free(wr);
    c->writes--;
    if (c->closing)
        return;
    if (status < 0 || (c->close_after && c->writes == 0 && !c->busy)) {
        conn_close(c);
        return;
    }
    if (c->paused) {
        /* progress: the client takes its answers; resume once a quarter of the bound is left */
        if (c->wbytes <= S.cfg.max_pending_write_bytes / 4) {
            c->paused = 0;
            arm(c, S.cfg.idle_timeout_ms);
            if (!c->in_pump)
                pump(c);
        } else {
            arm(c, S.cfg.write_timeout_ms);
        }
    }
}

static void flush(struct wfpw_conn *c)
{
    struct wreq *wr;
    uv_buf_t b;
    size_t len;
    if (c->cout.len == 0 || c->closing)
        return;
    wr = wfpw_malloc(sizeof(*wr));
    if (wr == NULL) {
        conn_close(c);
        return;
    }
    wr->conn = c;
    wr->data = wfpw_buf_detach(&c->cout, &len);
    wr->len = len;
    b = uv_buf_init(wr->data, (unsigned)len);
    c->writes++;
    c->wbytes += len;
    if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
        c->writes--;
        c->wbytes -= len;
        wfpw_free(wr->data);
        wfpw_free(wr);
        conn_close(c);
        return;
    }
    if (!c->paused && c->wbytes > S.cfg.max_pending_write_bytes) {
        /* a client that sends requests and does not read the answers stops being read */
        c->paused = 1;
        wfpw_metrics.read_pauses++;
        arm(c, S.cfg.write_timeout_ms);
        update_reading(c);
    }
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct wfpw_conn *c = ctx;
    if (wfpw_buf_append(&c->cout, buf, len) != 0)
        return MBEDTLS_ERR_SSL_ALLOC_FAILED;
    return (int)len;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct wfpw_conn *c = ctx;
    size_t avail = c->cin.len - c->cin_off;
    if (avail == 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (len > avail)
        len = avail;
    memcpy(buf, c->cin.data + c->cin_off, len);
    c->cin_off += len;
    if (c->cin_off == c->cin.len) {
        wfpw_buf_free(&c->cin); /* an idle connection keeps no ciphertext buffer */
        wfpw_buf_init(&c->cin, MAX_CIPHER_BACKLOG + READ_CHUNK);
        c->cin_off = 0;
    }
    return (int)len;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "Error";
    }
}

static void tls_write_all(struct wfpw_conn *c, const char *p, size_t len)
{
    while (len > 0 && !c->closing) {
        int n = mbedtls_ssl_write(&c->ssl, (const unsigned char *)p, len > 16384 ? 16384 : len);
        if (n == MBEDTLS_ERR_SSL_WANT_WRITE || n == MBEDTLS_ERR_SSL_WANT_READ)
            continue;
        if (n < 0) {
            conn_close(c);
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void finish_request(struct wfpw_conn *c);

void wfpw_respond(struct wfpw_conn_ref *ref, int status, const char *content_type, const char *body,
                  size_t len, const char *extra_headers)
{
    struct wfpw_conn *c = ref->conn;
    char head[1024];
    int n;
    if (c == NULL || c->closing || !c->busy)
        return;
    wfpw_metrics_request(c->hp.req.route, status);
    if (S.draining || !wfpw_http_keep_alive(&c->hp) || c->hp.status)
        c->close_after = 1;
    n = snprintf(head, sizeof(head),
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                 "Cache-Control: no-store\r\n%s%s\r\n",
                 status, reason(status), content_type, len, c->close_after ? "Connection: close\r\n" : "",
                 extra_headers ? extra_headers : "");
    tls_write_all(c, head, (size_t)n);
    tls_write_all(c, body, len);
    flush(c);
    finish_request(c);
}

void wfpw_respond_error_h(struct wfpw_conn_ref *ref, int status, const char *msg, const char *field,
                          const char *extra_headers)
{
    struct wfpw_buf b;
    char hdrs[256];
    wfpw_buf_init(&b, 8192);
    wfpw_buf_puts(&b, "{\"error\":");
    wfpw_json_write_string(&b, msg);
    if (field) {
        wfpw_buf_puts(&b, ",\"field\":");
        wfpw_json_write_string(&b, field);
    }
    wfpw_buf_putc(&b, '}');
    snprintf(hdrs, sizeof(hdrs), "%s%s", status == 401 ? "WWW-Authenticate: Bearer\r\n" : "",
             extra_headers ? extra_headers : "");
    wfpw_respond(ref, status, "application/json", b.data ? b.data : "{}", b.data ? b.len : 2,
                 hdrs[0] ? hdrs : NULL);
    wfpw_buf_free(&b);
}

void wfpw_respond_error(struct wfpw_conn_ref *ref, int status, const char *msg, const char *field)
{
    wfpw_respond_error_h(ref, status, msg, field, NULL);
}

/* ---- parser hooks ---------------------------------------------------------------------------- */

static void fill_identity(struct wfpw_conn *c, struct wfpw_req *req)
{
    req->ref = c->ref;
    req->peer = &c->peer;
    req->peer_cn = c->peer.cn[0] ? c->peer.cn : NULL;
    req->peer_cert_present = c->peer.cert_present;
    memcpy(req->peer_addr, c->peer.addr, sizeof(req->peer_addr));
}

static void on_request_begin(void *owner)
{
    struct wfpw_conn *c = owner;
    c->in_request = 1;
    if (c->handshake_done)
        arm(c, S.cfg.header_timeout_ms); /* the first request's timer runs since connect */
}

static int on_request_headers(void *owner, struct wfpw_req *req, int expect_continue, size_t *max_body,
                              const char **why)
{
    struct wfpw_conn *c = owner;
    struct wfpw_http_policy pol;
    memset(&pol, 0, sizeof(pol));
    pol.max_body = S.cfg.max_body_bytes;
    fill_identity(c, req);
    S.cfg.handler->classify(req, &pol);
    if (pol.status != 0) {
        *why = pol.why;
        return pol.status;
    }
    *max_body = pol.max_body < S.cfg.max_body_bytes ? pol.max_body : S.cfg.max_body_bytes;
    if (req->content_length > 0 && (uint64_t)req->content_length > *max_body) {
        /* decided here, before the 100 Continue below could invite the body */
        *why = *max_body ? "request body too large" : "this request takes no body";
        return 413;
    }
    /* clients such as curl wait for this before sending a large body (RFC 9110 10.1.1); only a
     * request the route takes gets it: a refusal is sent instead, before any body byte */
    if (expect_continue && *max_body > 0 && (req->content_length > 0 || req->chunked)) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        tls_write_all(c, cont, sizeof(cont) - 1);
        flush(c);
    }
    arm(c, S.cfg.body_timeout_ms);
    return 0;
}

/* ---- the pump ------------------------------------------------------------------------------------ */

/* Parse plaintext; returns bytes consumed. A complete request is dispatched (the parser waits
 * until it is answered); a parse error or a limit answers and closes. */
static size_t feed(struct wfpw_conn *c, const char *data, size_t len)
{
    size_t used = 0;
    switch (wfpw_http_feed(&c->hp, data, len, &used)) {
    case WFPW_HTTP_REQUEST:
        c->busy = 1;
        uv_timer_stop(&c->timer);
        fill_identity(c, &c->hp.req);
        S.cfg.handler->dispatch(&c->hp.req);
        break;
    case WFPW_HTTP_ERROR:
        c->busy = 1;
        c->close_after = 1;
        fill_identity(c, &c->hp.req);
        wfpw_respond_error(c->ref, c->hp.status, c->hp.error, NULL);
        break;
    default:
        break;
    }
    return used;
}

/* Who the verified client certificate names (common/src/pkix.c reads the attributes: a NUL or
 * another control byte, or an attribute given twice, and the certificate names no one). */
static void peer_identity(struct wfpw_conn *c)
{
    const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&c->ssl);
    char cn[sizeof(c->peer.cn)] = "", ou[sizeof(c->peer.ou)] = "";
    int rc;
    c->peer.cert_present = peer != NULL;
    c->peer.cn[0] = c->peer.ou[0] = c->peer.serial[0] = '\0';
    if (peer == NULL)
        return;
    if (mbedtls_ssl_get_verify_result(&c->ssl) != 0)
        return; /* presented but not vouched for by our CA: no identity */
    /* a resumed session skips verification: revocation and validity are checked here too */
    if (S.crl && mbedtls_x509_crt_is_revoked(peer, S.crl)) {
        wfpw_metrics.revoked_refused++;
        c->revoked = 1;
        return;
    }
    if (mbedtls_x509_time_is_past(&peer->valid_to) || mbedtls_x509_time_is_future(&peer->valid_from)) {
        wfpw_metrics.expired_refused++;
        return;
    }
    /* one printable common name (the agent id), at most one printable organisational unit (the
     * host name the certificate was issued for: batches.c compares it with the claimed one) */
    rc = wfpw_x509_name_get(&peer->subject, MBEDTLS_OID_AT_ORG_UNIT, sizeof(MBEDTLS_OID_AT_ORG_UNIT) - 1, ou,
                            sizeof(ou));
    if (wfpw_x509_cn(&peer->subject, cn, sizeof(cn)) != 0 || (rc != 0 && rc != WFPW_ENOENT))
        return;
    if (cn[0] == '\0' || peer->serial.len * 2 >= sizeof(c->peer.serial))
        return;
    memcpy(c->peer.cn, cn, sizeof(cn));
    memcpy(c->peer.ou, ou, sizeof(ou));
    wfpw_hex(peer->serial.p, peer->serial.len, c->peer.serial);
}

/* ---- idle connections' TLS buffers -------------------------------------------------------- */

/* Debian's mbedTLS 2.28 allocates both record buffers of a connection at full size (about
 * 16.7 KiB each) in mbedtls_ssl_setup and keeps them for the connection's life; shrinking them
 * needs MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH and dropping the context needs context
 * serialization for TLS, neither of which that build has. Between records, though, nothing in
 * them is read again but their first bytes: the incoming record counter (in_ctr points at
 * in_buf; the outgoing one is cur_out_ctr, outside). So when a connection falls idle, the
 * whole pages inside each buffer after its first 64 bytes go back to the kernel
 * (MADV_DONTNEED: a private anonymous page reads as zeros on its next touch, and the next
 * record is written there before anything reads it). A kept-alive agent connection then holds
 * about one page of each buffer while it waits. */
static void release_pages(unsigned char *buf)
{
    uintptr_t lo, hi;
    if (buf == NULL)
        return;
    lo = ((uintptr_t)buf + 64 + S.page - 1) & ~(S.page - 1);
    hi = ((uintptr_t)buf + malloc_usable_size(buf)) & ~(S.page - 1); /* inside the block only */
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* Called where a connection may have fallen idle: handshake over, no request in progress, no
 * ciphertext or plaintext waiting on either side, nothing buffered inside mbedTLS. */
static void release_idle(struct wfpw_conn *c)
{
    if (c->tls_released || !c->handshake_done || c->in_request || c->busy || c->paused || c->closing ||
        c->cin.len > c->cin_off || c->pending_off < c->pending.len || c->ssl.out_left != 0 ||
        c->ssl.in_left != 0 || mbedtls_ssl_check_pending(&c->ssl) != 0)
        return;
    release_pages(c->ssl.in_buf);
    release_pages(c->ssl.out_buf);
    c->tls_released = 1;
    wfpw_metrics.tls_idle_releases++;
}

static void update_reading(struct wfpw_conn *c)
{
    int want;
    if (c->closing)
        return;
    want = !c->busy && !c->paused && c->cin.len - c->cin_off < MAX_CIPHER_BACKLOG;
    if (want && !c->reading)
        c->reading = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0;
    else if (!want && c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = 0;
    }
}

static void pump(struct wfpw_conn *c)
{
    unsigned char plain[16384];
    if (c->in_pump)
        return;
    c->in_pump = 1;
    while (!c->closing) {
        if (!c->handshake_done) {
            int rc = mbedtls_ssl_handshake(&c->ssl);
            flush(c);
            if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
                break;
            if (rc != 0) {
                char msg[128];
                mbedtls_strerror(rc, msg, sizeof(msg));
                wfpw_log_debug("collector", "tls", "handshake with %s failed: %s", c->peer.addr, msg);
                wfpw_metrics.tls_handshake_failures++;
                conn_close(c);
                break;
            }
            c->handshake_done = 1;
            wfpw_tlsgate_free(&c->gate);
            peer_identity(c);
            if (c->revoked) {
                conn_close(c);
                break;
            }
            continue;
        }
        if (c->busy || c->paused)
            break;
        if (c->pending_off < c->pending.len) {
            c->pending_off += feed(c, c->pending.data + c->pending_off, c->pending.len - c->pending_off);
            if (c->pending_off >= c->pending.len) {
                wfpw_buf_free(&c->pending);
                wfpw_buf_init(&c->pending, S.cfg.max_body_bytes + S.cfg.max_header_bytes + 65536);
                c->pending_off = 0;
            }
            continue;
        }
        {
            int n = mbedtls_ssl_read(&c->ssl, plain, sizeof(plain));
            size_t used;
            if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE)
                break;
            if (n <= 0) { /* close_notify, EOF or a TLS error */
                conn_close(c);
                break;
            }
            used = feed(c, (const char *)plain, (size_t)n);
            if (used < (size_t)n && !c->closing &&
                wfpw_buf_append(&c->pending, plain + used, (size_t)n - used) != 0)
                conn_close(c);
        }
    }
    c->in_pump = 0;
    update_reading(c);
    release_idle(c);
}

static void finish_request(struct wfpw_conn *c)
{
    c->busy = 0;
    c->in_request = 0;
    if (c->close_after || S.draining) {
        c->close_after = 1;
        if (c->writes == 0)
            conn_close(c);
        return;
    }
    wfpw_http_next(&c->hp);
    if (!c->paused)
        arm(c, S.cfg.idle_timeout_ms);
    if (!c->in_pump)
        pump(c); /* pipelined requests waiting in `pending` */
}

/* ---- connection lifecycle ---------------------------------------------------------------------- */

static void on_handle_closed(uv_handle_t *h)
{
    struct wfpw_conn *c = h->data;
    if (--c->open_handles > 0)
        return;
    mbedtls_ssl_free(&c->ssl);
    wfpw_tlsgate_free(&c->gate);
    wfpw_buf_free(&c->cin);
    wfpw_buf_free(&c->cout);
    wfpw_buf_free(&c->pending);
    wfpw_http_free(&c->hp);
    wfpw_free(c);
    S.conn_mem--;
    maybe_drained();
}

static void conn_close(struct wfpw_conn *c)
{
    if (c->closing)
        return;
    c->closing = 1;
    c->ref->conn = NULL;
    wfpw_conn_ref_release(c->ref);
    if (c->prev)
        c->prev->next = c->next;
    else
        S.conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    S.nconns--;
    wfpw_peerlimit_closed(c->addr_slot);
    wfpw_metrics.connections_current = (uint64_t)S.nconns;
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h, (void)suggested;
    /* libuv reads into this and calls on_read before the next allocation: one buffer serves
     * every connection, so an idle connection costs no read buffer */
    *buf = uv_buf_init(S.rbuf, sizeof(S.rbuf));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct wfpw_conn *c = s->data;
    if (n < 0) {
        conn_close(c);
        return;
    }
    if (n == 0)
        return;
    if (c->gate.state == WFPW_TLSGATE_LOOKING &&
        wfpw_tlsgate_feed(&c->gate, (const uint8_t *)buf->base, (size_t)n) == WFPW_TLSGATE_REFUSED) {
        wfpw_metrics.client_key_refused++;
        wfpw_log_info("collector", "tls", "refused a handshake from %s: %s", c->peer.addr, c->gate.why);
        conn_close(c);
        return;
    }
    if (wfpw_buf_append(&c->cin, buf->base, (size_t)n) != 0) {
        conn_close(c);
        return;
    }
    c->tls_released = 0; /* the buffers are in use again until the next idle moment */
    pump(c);
}

static void reject(uv_stream_t *server, uint64_t *counter)
{
    /* accept and close at once, so the client is told instead of left waiting */
    uv_tcp_t *tmp = wfpw_malloc(sizeof(*tmp));
    (*counter)++;
    if (tmp && uv_tcp_init(S.loop, tmp) == 0) {
        uv_accept(server, (uv_stream_t *)tmp);
        uv_close((uv_handle_t *)tmp, (uv_close_cb)wfpw_free);
    } else {
        wfpw_free(tmp);
    }
}

static void peer_address(uv_tcp_t *tcp, char *out, size_t len)
{
    struct sockaddr_storage sa;
    int n = sizeof(sa);
    snprintf(out, len, "?");
    if (uv_tcp_getpeername(tcp, (struct sockaddr *)&sa, &n) != 0)
        return;
    if (sa.ss_family == AF_INET)
        uv_ip4_name((struct sockaddr_in *)&sa, out, len);
    else if (sa.ss_family == AF_INET6)
        uv_ip6_name((struct sockaddr_in6 *)&sa, out, len);
}

static void on_connection(uv_stream_t *server, int status)
{
    struct wfpw_conn *c;
    struct wfpw_conn_ref *ref;
    int verdict;
    if (status < 0)
        return;
    if (S.nconns >= S.cfg.max_connections || S.draining) {
        reject(server, &wfpw_metrics.connections_rejected);
        return;
    }
    c = wfpw_calloc(1, sizeof(*c));
    ref = wfpw_calloc(1, sizeof(*ref));
    if (c == NULL || ref == NULL) {
        wfpw_free(c);
        wfpw_free(ref);
        reject(server, &wfpw_metrics.connections_rejected);
        return;
    }
    uv_tcp_init(S.loop, &c->tcp);
    uv_timer_init(S.loop, &c->timer);
    c->open_handles = 2;
    c->tcp.data = c->timer.data = c;
    c->ref = ref;
    c->addr_slot = -1;
    ref->conn = c;
    ref->refs = 1;
    wfpw_buf_init(&c->cin, MAX_CIPHER_BACKLOG + READ_CHUNK);
    wfpw_buf_init(&c->cout, 512u << 20);
    wfpw_buf_init(&c->pending, S.cfg.max_body_bytes + S.cfg.max_header_bytes + 65536);
    wfpw_tlsgate_init(&c->gate);
    {
        struct wfpw_http_hooks hooks = {c, on_request_begin, on_request_headers};
        wfpw_http_init(&c->hp, S.cfg.max_header_bytes, S.cfg.max_body_bytes, &hooks);
    }
    mbedtls_ssl_init(&c->ssl);
    c->next = S.conns;
    if (S.conns)
        S.conns->prev = c;
    S.conns = c;
    S.nconns++;
    S.conn_mem++;
    wfpw_metrics.connections_total++;
    wfpw_metrics.connections_current = (uint64_t)S.nconns;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    peer_address(&c->tcp, c->peer.addr, sizeof(c->peer.addr));
    verdict = wfpw_peerlimit_open(c->peer.addr, uv_now(S.loop), &c->addr_slot);
    if (verdict != WFPW_PEER_OK) {
        /* before any TLS work: the address holds too many connections or opens them too fast */
        if (verdict == WFPW_PEER_TOO_MANY)
            wfpw_metrics.address_refused++;
        else
            wfpw_metrics.handshake_rate_refused++;
        conn_close(c);
        return;
    }
    if (mbedtls_ssl_setup(&c->ssl, &S.conf) != 0) {
        conn_close(c);
        return;
    }
    mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
    uv_tcp_nodelay(&c->tcp, 1);
    arm(c, S.cfg.header_timeout_ms); /* handshake + first request headers */
    update_reading(c);
}

/* ---- revocation ------------------------------------------------------------------------------- */

/* Full handshakes: a revoked client certificate fails the handshake itself (an error other than
 * CERT_VERIFY_FAILED is fatal even with optional verification). The CRL is this collector's own
 * live list, rewritten by `cert revoke`, so its nextUpdate does not make certificates invalid. */
static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    (void)ctx;
    *flags &= ~(uint32_t)(MBEDTLS_X509_BADCRL_EXPIRED | MBEDTLS_X509_BADCRL_FUTURE);
    if (depth == 0 && (*flags & MBEDTLS_X509_BADCERT_REVOKED)) {
        char cn[160] = "?";
        mbedtls_x509_dn_gets(cn, sizeof(cn), &crt->subject);
        wfpw_metrics.revoked_refused++;
        wfpw_log_warn("collector", "tls", "refused a revoked client certificate (%s)", cn);
        return MBEDTLS_ERR_X509_FATAL_ERROR;
    }
    return 0;
}

/* Load the CRL file when it changed. A file that no longer parses or went away does not
 * un-revoke anything: the list in force stays until a good one replaces it. Connections of
 * newly revoked certificates are closed. At start (first) a missing or bad file is an error
 * when crl_required. Runs at start and every two seconds. */
static int crl_check(int first, char *err, size_t errlen)
{
    struct stat st;
    mbedtls_x509_crl *crl, *old = S.crl;
    struct wfpw_conn *c, *next;
    int rc;
    if (S.cfg.crl_file == NULL)
        return 0;
    if (stat(S.cfg.crl_file, &st) != 0) {
        if (first && S.cfg.crl_required) {
            snprintf(err, errlen, "the store holds revoked certificates but the revocation list %s is missing: "
                                  "run `wfpwatch-collector cert crl` to write it, then start again", S.cfg.crl_file);
            return WFPW_ENOENT;
        }
        if (old && !S.crl_gone_logged) {
            wfpw_log_error("collector", "tls", "%s is gone; the revocation list loaded before stays in force "
                           "(run `wfpwatch-collector cert crl` to write it again)", S.cfg.crl_file);
            S.crl_gone_logged = 1;
        }
        return 0;
    }
    S.crl_gone_logged = 0;
    if (old && st.st_mtim.tv_sec == S.crl_st.st_mtim.tv_sec && st.st_mtim.tv_nsec == S.crl_st.st_mtim.tv_nsec &&
        st.st_size == S.crl_st.st_size && st.st_ino == S.crl_st.st_ino)
        return 0;
    if (!first && !old && st.st_mtim.tv_sec == S.crl_st.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == S.crl_st.st_mtim.tv_nsec && st.st_size == S.crl_st.st_size && st.st_ino == S.crl_st.st_ino)
        return 0; /* the same bad file as last time */
    if ((crl = wfpw_malloc(sizeof(*crl))) == NULL)
        return WFPW_ENOMEM;
    mbedtls_x509_crl_init(crl);
    /* the new list is parsed completely before it replaces the one in force */
    if ((rc = mbedtls_x509_crl_parse_file(crl, S.cfg.crl_file)) != 0) {
        S.crl_st = st;
        mbedtls_x509_crl_free(crl);
        wfpw_free(crl);
        if (first && S.cfg.crl_required) {
            snprintf(err, errlen, "the store holds revoked certificates but the revocation list %s does not parse "
                                  "(mbedTLS -0x%04x): run `wfpwatch-collector cert crl` to write it again",
                     S.cfg.crl_file, (unsigned)-rc);
            return WFPW_ESYNTAX;
        }
        wfpw_log_error("collector", "tls", "cannot load the revocation list %s (mbedTLS -0x%04x); %s",
                       S.cfg.crl_file, (unsigned)-rc, old ? "keeping the previous one" : "no list is in force");
        return 0;
    }
    S.crl_st = st;
    /* single-threaded: no handshake is inside verification while the pointer changes */
    mbedtls_ssl_conf_ca_chain(&S.conf, &S.ca, crl);
    S.crl = crl;
    if (old) {
        mbedtls_x509_crl_free(old);
        wfpw_free(old);
    }
    wfpw_log_info("collector", "tls", "revocation list %s loaded", S.cfg.crl_file);
    for (c = S.conns; c; c = next) {
        const mbedtls_x509_crt *peer;
        next = c->next;
        if (!c->handshake_done || c->closing || (peer = mbedtls_ssl_get_peer_cert(&c->ssl)) == NULL)
            continue;
        if (mbedtls_x509_crt_is_revoked(peer, S.crl)) {
            wfpw_metrics.revoked_refused++;
            c->peer.cn[0] = '\0';
            if (c->busy)
                c->close_after = 1;
            else
                conn_close(c);
        }
    }
    return 0;
}

void wfpw_server_crl_reload(void)
{
    char err[256];
    crl_check(0, err, sizeof(err));
}

static void on_crl_timer(uv_timer_t *t)
{
    (void)t;
    wfpw_server_crl_reload();
}

/* ---- start / drain ----------------------------------------------------------------------------- */

/* ECDHE only (forward secrecy, no RSA key exchange), AEAD only. */
static const int ciphersuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0};
static const mbedtls_ecp_group_id curves[] = {MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1,
                                              MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_NONE};
static const int sig_hashes[] = {MBEDTLS_MD_SHA512, MBEDTLS_MD_SHA384, MBEDTLS_MD_SHA256, MBEDTLS_MD_NONE};

static int tls_setup(char *err, size_t errlen)
{
    static const char pers[] = "wfpwatch-collector";
    int rc;
    char msg[128];
    mbedtls_ssl_config_init(&S.conf);
    mbedtls_x509_crt_init(&S.ca);
    mbedtls_x509_crt_init(&S.cert);
    mbedtls_pk_init(&S.key);
    mbedtls_entropy_init(&S.entropy);
    mbedtls_ctr_drbg_init(&S.drbg);
    mbedtls_ssl_ticket_init(&S.tickets);
    mbedtls_ssl_cache_init(&S.cache);
    if ((rc = mbedtls_ctr_drbg_seed(&S.drbg, mbedtls_entropy_func, &S.entropy,
                                    (const unsigned char *)pers, sizeof(pers) - 1)) != 0)
        goto fail;
    if ((rc = mbedtls_x509_crt_parse_file(&S.ca, S.cfg.ca_file)) != 0) {
        snprintf(err, errlen, "cannot load CA certificate %s", S.cfg.ca_file);
        return WFPW_ENOENT;
    }
    if ((rc = mbedtls_x509_crt_parse_file(&S.cert, S.cfg.cert_file)) != 0) {
        snprintf(err, errlen, "cannot load server certificate %s", S.cfg.cert_file);
        return WFPW_ENOENT;
    }
    if ((rc = mbedtls_pk_parse_keyfile(&S.key, S.cfg.key_file, NULL)) != 0) {
        snprintf(err, errlen, "cannot load server key %s", S.cfg.key_file);
        return WFPW_ENOENT;
    }
    if ((rc = mbedtls_ssl_config_defaults(&S.conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
        goto fail;
    mbedtls_ssl_conf_rng(&S.conf, mbedtls_ctr_drbg_random, &S.drbg);
    mbedtls_ssl_conf_min_version(&S.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&S.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(&S.conf, ciphersuites);
    mbedtls_ssl_conf_curves(&S.conf, curves);
    mbedtls_ssl_conf_sig_hashes(&S.conf, sig_hashes);
    mbedtls_ssl_conf_renegotiation(&S.conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    /* chain checks flag keys and hashes outside this profile (the gate has refused keys of the
     * client's own certificates before this point) */
    memset(&S.profile, 0, sizeof(S.profile));
    S.profile.allowed_mds = MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) |
                            MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512);
    S.profile.allowed_pks = MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECDSA) | MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECKEY) |
                            MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_RSA);
    S.profile.allowed_curves = MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP256R1) |
                               MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1);
    S.profile.rsa_min_bitlen = 2048;
    mbedtls_ssl_conf_cert_profile(&S.conf, &S.profile);
    mbedtls_ssl_conf_ca_chain(&S.conf, &S.ca, NULL);
    /* Optional: agents present a certificate (checked per route), SIEM readers use tokens. */
    mbedtls_ssl_conf_authmode(&S.conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
    mbedtls_ssl_conf_verify(&S.conf, verify_cb, NULL);
    if ((rc = mbedtls_ssl_conf_own_cert(&S.conf, &S.cert, &S.key)) != 0)
        goto fail;
    /* Resumption (tickets and session ids): a steady agent does one full handshake, not one
     * per connection. */
    if ((rc = mbedtls_ssl_ticket_setup(&S.tickets, mbedtls_ctr_drbg_random, &S.drbg,
                                       MBEDTLS_CIPHER_AES_256_GCM, 86400)) != 0)
        goto fail;
    mbedtls_ssl_conf_session_tickets_cb(&S.conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                        &S.tickets);
    mbedtls_ssl_cache_set_timeout(&S.cache, 3600);
    mbedtls_ssl_conf_session_cache(&S.conf, &S.cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    return 0;
fail:
    mbedtls_strerror(rc, msg, sizeof(msg));
    snprintf(err, errlen, "TLS setup failed: %s", msg);
    return WFPW_EIO;
}

int wfpw_server_start(uv_loop_t *loop, const struct wfpw_server_cfg *cfg, char *err, size_t errlen)
{
    struct sockaddr_storage addr;
    struct sockaddr_storage bound;
    struct wfpw_peerlimit_cfg pl;
    int namelen = sizeof(bound), rc;

    S.loop = loop;
    S.cfg = *cfg;
    S.page = (uintptr_t)sysconf(_SC_PAGESIZE);
    if (S.cfg.max_pending_write_bytes == 0)
        S.cfg.max_pending_write_bytes = 1u << 20;
    if (S.cfg.write_timeout_ms == 0)
        S.cfg.write_timeout_ms = 30000;
    if ((rc = tls_setup(err, errlen)) != 0)
        return rc;
    pl.max_per_address = cfg->max_connections_per_address > 0 ? cfg->max_connections_per_address : cfg->max_connections;
    pl.handshakes_per_s = cfg->handshakes_per_address_per_s > 0 ? cfg->handshakes_per_address_per_s : 1000000;
    pl.handshake_burst = pl.handshakes_per_s * 2;
    pl.slots = (size_t)cfg->max_connections;
    if ((rc = wfpw_peerlimit_init(&pl)) != 0) {
        snprintf(err, errlen, "out of memory for the per-address table");
        return rc;
    }
    if ((rc = crl_check(1, err, errlen)) != 0)
        return rc;
    if (uv_ip4_addr(cfg->host, cfg->port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(cfg->host, cfg->port, (struct sockaddr_in6 *)&addr) != 0) {
        snprintf(err, errlen, "listen address '%s' is not an IPv4 or IPv6 address", cfg->host);
        return WFPW_EINVAL;
    }
    uv_tcp_init(loop, &S.listener);
    if ((rc = uv_tcp_bind(&S.listener, (struct sockaddr *)&addr, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)&S.listener, 511, on_connection)) != 0) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", cfg->host, cfg->port, uv_strerror(rc));
        uv_close((uv_handle_t *)&S.listener, NULL);
        return WFPW_EIO;
    }
    uv_timer_init(loop, &S.crl_timer);
    uv_timer_start(&S.crl_timer, on_crl_timer, 2000, 2000);
    uv_unref((uv_handle_t *)&S.crl_timer);
    uv_tcp_getsockname(&S.listener, (struct sockaddr *)&bound, &namelen);
    S.port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                               : ((struct sockaddr_in *)&bound)->sin_port);
    return 0;
}

int wfpw_server_port(void)
{
    return S.port;
}

static void free_tls(void)
{
    mbedtls_ssl_cache_free(&S.cache);
    mbedtls_ssl_ticket_free(&S.tickets);
    mbedtls_ssl_config_free(&S.conf);
    if (S.crl) {
        mbedtls_x509_crl_free(S.crl);
        wfpw_free(S.crl);
        S.crl = NULL;
    }
    mbedtls_x509_crt_free(&S.ca);
    mbedtls_x509_crt_free(&S.cert);
    mbedtls_pk_free(&S.key);
    mbedtls_ctr_drbg_free(&S.drbg);
    mbedtls_entropy_free(&S.entropy);
    wfpw_peerlimit_free();
}

static void maybe_drained(void)
{
    if (S.draining && S.listener_closed && S.conn_mem == 0 && S.drain_cb) {
        void (*cb)(void) = S.drain_cb;
        S.drain_cb = NULL;
        free_tls();
        cb();
    }
}

static void on_listener_closed(uv_handle_t *h)
{
    (void)h;
    S.listener_closed = 1;
    maybe_drained();
}

void wfpw_server_drain(void (*cb)(void))
{
    struct wfpw_conn *c, *next;
    S.draining = 1;
    S.drain_cb = cb;
    uv_close((uv_handle_t *)&S.crl_timer, NULL);
    for (c = S.conns; c; c = next) {
        next = c->next;
        if (!c->busy)
            conn_close(c);
        else
            c->close_after = 1;
    }
    uv_close((uv_handle_t *)&S.listener, on_listener_closed);
}
