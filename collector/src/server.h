/*
 * server.h — the HTTPS listener: libuv TCP, mbedTLS (TLS 1.2, server certificate, optional
 * client certificate checked against the CA, session tickets for cheap reconnects), llhttp,
 * and the per-connection limits: max connections, header size, body size, header / body /
 * idle timeouts. Requests go to wfpw_route() (http.h).
 */
#ifndef WFPW_SERVER_H
#define WFPW_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct wfpw_server_cfg {
    const char *host;
    int port;
    const char *ca_file, *cert_file, *key_file;
    const char *crl_file;        /* revocation list, reloaded when it changes (may be NULL) */
    size_t max_header_bytes;     /* request line + headers */
    size_t max_body_bytes;       /* as sent (compressed or not) */
    int max_connections;
    uint64_t header_timeout_ms;  /* from the first byte of a request to the end of its headers
                                    (the TLS handshake counts for the first request) */
    uint64_t body_timeout_ms;    /* from the end of the headers to the end of the body */
    uint64_t idle_timeout_ms;    /* keep-alive idle time between requests */
};

/* Bind and listen; err gets a message. */
int wfpw_server_start(uv_loop_t *loop, const struct wfpw_server_cfg *cfg, char *err, size_t errlen);
/* Stop accepting, close idle connections, let in-flight requests finish; cb runs on the loop
 * when the last connection is gone. */
void wfpw_server_drain(void (*cb)(void));
/* The port actually bound (useful with port 0). */
int wfpw_server_port(void);

#endif
