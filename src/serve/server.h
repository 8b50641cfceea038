/*
 * tlsready serve's server: HTTPS listeners that capture every client's raw
 * ClientHello before OpenSSL reads it, and report what the client offered.
 *
 * Concurrency model (docs/serve.md): a small fixed pool of worker threads
 * (default: one per CPU), each running its own edge-triggered epoll loop. The
 * listening sockets are shared and registered with EPOLLEXCLUSIVE, so a new
 * connection wakes one idle worker, which then owns it for its whole life:
 * no locks on the connection path. Handshakes are CPU-bound (RSA/ECDSA
 * signing), so one loop per core is what lets serve use every core, like
 * nginx's worker processes.
 *
 * Capture: a connection starts by peeking (recv MSG_PEEK) until
 * client_hello_from_records() says the whole hello is there; only then is the
 * socket given to OpenSSL, which reads the same bytes again itself. Nothing
 * is replayed or copied into OpenSSL, so what OpenSSL sees is exactly what
 * the client sent.
 */
#ifndef TR_SERVE_SERVER_H
#define TR_SERVE_SERVER_H

#include <stddef.h>
#include <stdio.h>

#include "serve/tls_ctx.h"
#include "util/error.h"

struct serve_listen_spec {
    const char *addr;       /* "127.0.0.1:8443", "[::1]:8443", "0.0.0.0:0" */
    int min_version;        /* enum tls_version */
    int max_version;
    int http_redirect;      /* plain HTTP that redirects to the first TLS listener */
};

struct serve_config {
    const struct serve_listen_spec *listens;
    size_t n_listens;
    const struct serve_cert *cert;
    int cutover;            /* policy minimum (enum tls_version) */
    int threads;            /* worker threads, >= 1 */
    int max_conns;          /* connections open at once, over all workers */
    int timeout_ms;         /* deadline for hello + handshake + request + response */
    size_t max_request;     /* bytes of an HTTP request head */
    int log_fd;             /* -1: no log; else JSON lines appended with one write() each */
    int stream_fd;          /* -1, or also write every JSON line here (--json without --once: stdout) */
    int once;               /* stop after the first client that sent anything, print its report */
    int once_json;          /* ... as JSON instead of text */
    FILE *out;              /* where --once prints */
    FILE *diag;             /* start-up and shutdown lines (stderr); NULL for silence */
};

struct serve_stats {
    unsigned long connections;  /* accepted by the kernel and handled */
    unsigned long accepted;     /* TLS handshake completed */
    unsigned long refused;      /* sent something, handshake failed */
    unsigned long silent;       /* closed or timed out without sending a byte (port checks) */
    unsigned long busy;         /* closed at once because --max-conns were open */
    unsigned long log_errors;   /* log lines that could not be written */
    int once_verdict;           /* enum serve_verdict of the --once client, -1 if none */
};

/*
 * Binds every listener, runs until SIGINT/SIGTERM (or the --once client is
 * done), then drains in-flight connections for up to a second, writes their
 * log lines and returns. -1 with err set when a listener cannot be set up.
 * The calling thread handles the signals; it must not be in a signal-sensitive
 * state of its own.
 */
int serve_run(const struct serve_config *cfg, struct serve_stats *stats, struct tr_error *err);

/* Parses "ip:port" / "[ip6]:port" into a sockaddr; returns 0 or -1 with err set. */
struct sockaddr_storage;
int serve_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len, struct tr_error *err);

#endif
