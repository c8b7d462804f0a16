/*
 * server.h — the HTTPS listener: libuv TCP, mbedTLS (TLS 1.2, ECDHE with AES-GCM or
 * ChaCha20-Poly1305 only, server certificate, optional client certificate checked against the
 * CA and the revocation list, session tickets for cheap reconnects), llhttp, and the limits
 * that bound what a client costs before it authenticates: connections in all and per address,
 * handshakes per address per second, client certificate keys checked before any signature
 * (tlsgate.h), header size, body size decided per route at the end of the headers, header /
 * body / idle timeouts, and answers waiting for a client that does not read them. Requests go
 * to the handler (http.h).
 */
#ifndef WFPW_SERVER_H
#define WFPW_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "net/http.h"

struct wfpw_server_cfg {
    const char *host;
    int port;
    const char *ca_file, *cert_file, *key_file;
    const char *crl_file;        /* revocation list, reloaded when it changes (may be NULL) */
    int crl_required;            /* refuse to start unless crl_file loads (revocations exist) */
    size_t max_header_bytes;     /* request line + headers */
    size_t max_body_bytes;       /* as sent (compressed or not); routes may set less */
    int max_connections;
    int max_connections_per_address;
    int handshakes_per_address_per_s;
    uint64_t header_timeout_ms;  /* from the first byte of a request to the end of its headers
                                    (the TLS handshake counts for the first request) */
    uint64_t body_timeout_ms;    /* from the end of the headers to the end of the body */
    uint64_t idle_timeout_ms;    /* keep-alive idle time between requests */
    uint64_t write_timeout_ms;   /* answers waiting for the client: no progress for this long closes */
    size_t max_pending_write_bytes; /* answers waiting before the connection is no longer read */
    const struct wfpw_http_handler *handler;  /* borrowed for the server's life */
};

/* Bind and listen; err gets a message. */
int wfpw_server_start(uv_loop_t *loop, const struct wfpw_server_cfg *cfg, char *err, size_t errlen);
/* Stop accepting, close idle connections, let in-flight requests finish; cb runs on the loop
 * when the last connection is gone. */
void wfpw_server_drain(void (*cb)(void));
/* The port actually bound (useful with port 0). */
int wfpw_server_port(void);
/* Re-read the revocation list now (also done every 2 s when it changed on disk). */
void wfpw_server_crl_reload(void);

#endif
