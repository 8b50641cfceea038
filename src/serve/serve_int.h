/*
 * Internals shared by server.c (threads, listeners, signals, accept, timers)
 * and conn.c (one connection's state machine). Not a public API.
 */
#ifndef TR_SERVE_INT_H
#define TR_SERVE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "serve/report.h"
#include "serve/server.h"
#include "util/buf.h"

/* Bytes peeked at once while waiting for a ClientHello (client_hello_from_records' limit + records). */
#define SERVE_PEEK_MAX (65536 + 5 * 8)
/* After the response, how long a closing connection may keep its slot to drain the client's last bytes. */
#define SERVE_LINGER_MS 2000
/* After SIGTERM, how long in-flight connections may still finish. */
#define SERVE_GRACE_MS 1000

enum ev_kind { EV_LISTENER = 1, EV_CONN, EV_WAKE };

struct listener {
    int kind;                 /* EV_LISTENER: first, epoll data points here */
    int fd;
    SSL_CTX *ctx;             /* NULL for the plain-HTTP redirect */
    int min_version, max_version;
    char name[64];            /* "127.0.0.1:8443" */
    int redirect_port;        /* for the plain-HTTP listener: the TLS port to send clients to */
};

struct server {
    const struct serve_config *cfg;
    struct listener *ls;
    size_t n_ls;
    pthread_t main_thread;
    atomic_int active;        /* open connections, all workers */
    atomic_int stopping;
    atomic_int once_taken;
    atomic_int once_verdict;
    atomic_ulong n_conns, n_accepted, n_refused, n_silent, n_busy, n_log_errors;
    /* --log and --json get the same line; one lock keeps their order the same */
    pthread_mutex_t log_lock;
};

struct conn;

struct conn_list {
    struct conn *head, *tail; /* deadline order: every entry got the same delay when appended */
};

struct worker {
    int kind;                 /* EV_WAKE: epoll data of wake_fd points here */
    struct server *srv;
    int epfd;
    int wake_fd;              /* eventfd: the main thread says "stop" */
    pthread_t tid;
    struct conn_list live;    /* hello .. response, deadline = accept + timeout */
    struct conn_list linger;  /* draining after the response, deadline = + SERVE_LINGER_MS */
    int n_conns;
    uint8_t *scratch;         /* SERVE_PEEK_MAX bytes: peeks and drained bytes; never kept across events */
};

enum conn_state {
    ST_HELLO = 0,   /* peeking until the ClientHello is complete */
    ST_HANDSHAKE,   /* OpenSSL owns the socket */
    ST_REQUEST,     /* reading the HTTP request head */
    ST_RESPONSE,    /* writing the response */
    ST_LINGER,      /* response sent: drain the client's last bytes, then close */
};

struct conn {
    int kind;                 /* EV_CONN */
    int fd;
    int state;
    struct listener *l;
    SSL *ssl;
    int64_t deadline_ms;      /* monotonic */
    int64_t start_us;         /* monotonic, at accept */
    int in_linger;            /* which list holds it */
    struct conn *prev, *next;
    size_t peeked;            /* most bytes seen by a peek, for "timed out after N bytes" */
    int peer_shut;            /* epoll said EPOLLRDHUP: the client will send nothing more */
    char *req;                /* request head bytes, allocated when the request starts */
    size_t req_len;
    struct tr_buf resp;
    size_t resp_off;
    struct serve_report rep;
};

int64_t serve_mono_ms(void);
int64_t serve_mono_us(void);

/* conn.c */
struct conn *conn_new(struct worker *w, struct listener *l, int fd);
/* Runs the state machine until it must wait for the socket, or the connection is done (then frees it). */
void conn_drive(struct worker *w, struct conn *c);
/* The deadline passed (or the server stops): record why, log, free. */
void conn_expire(struct worker *w, struct conn *c, const char *why);

/* server.c: list upkeep and the end of a connection's life */
void conn_list_append(struct conn_list *l, struct conn *c);
void conn_list_remove(struct conn_list *l, struct conn *c);
/* Logs the report (when the client sent anything), handles --once, closes and frees c. */
void conn_finish(struct worker *w, struct conn *c);

#endif
