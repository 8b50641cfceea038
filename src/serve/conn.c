/*
 * One client connection of serve, as a state machine driven by its worker's
 * edge-triggered epoll loop (serve_int.h):
 *
 *   ST_HELLO      recv(MSG_PEEK) until client_hello_from_records() has the
 *                 whole hello; the bytes stay in the socket for OpenSSL
 *   ST_HANDSHAKE  SSL_do_handshake on the socket; failure = refused, with
 *                 OpenSSL's reason
 *   ST_REQUEST    SSL_read the HTTP request head (bounded by max_request)
 *   ST_RESPONSE   SSL_write "/" (HTML) or "/json", then close_notify
 *   ST_LINGER     shutdown(SHUT_WR), read and discard until the client
 *                 closes, so close() never turns into a RST that could
 *                 destroy the response in flight
 *
 * Each step runs until the socket would block (edge-triggered: the next
 * event only comes with new bytes or new room), so a step returns WAIT only
 * after EAGAIN or OpenSSL's WANT_READ/WANT_WRITE.
 */
#include "serve/serve_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "serve/http_request.h"
#include "tls/version.h"

enum step { STEP_WAIT, STEP_NEXT, STEP_DONE };

static void addr_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        snprintf(out, cap, "[%s]:%u", ip, ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        snprintf(out, cap, "%s:%u", ip, ntohs(a->sin_port));
    }
}

struct conn *conn_new(struct worker *w, struct listener *l, int fd)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->kind = EV_CONN;
    c->fd = fd;
    c->l = l;
    c->state = ST_HELLO;
    c->start_us = serve_mono_us();
    c->deadline_ms = c->start_us / 1000 + w->srv->cfg->timeout_ms;
    tr_buf_init(&c->resp, NULL, 0);
    serve_report_init(&c->rep);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    c->rep.time_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    snprintf(c->rep.server, sizeof c->rep.server, "%s", l->name);
    c->rep.server_min = l->min_version;
    c->rep.server_max = l->max_version;
    c->rep.cutover = w->srv->cfg->cutover;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        addr_name(&ss, c->rep.client, sizeof c->rep.client);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return c;
}

__attribute__((format(printf, 2, 3))) static void refuse(struct conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->rep.outcome = SERVE_REFUSED;
    vsnprintf(c->rep.refused_reason, sizeof c->rep.refused_reason, fmt, ap);
    va_end(ap);
}

/* ST_HELLO: wait, without consuming, until the whole ClientHello is in the socket. */
static enum step step_hello(struct worker *w, struct conn *c)
{
    ssize_t n = recv(c->fd, w->scratch, SERVE_PEEK_MAX, MSG_PEEK);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return STEP_WAIT;
        if (c->peeked)
            refuse(c, "connection error before the ClientHello was complete: %s", strerror(errno));
        return STEP_DONE;
    }
    if (n == 0) {
        if (c->peeked) {
            c->rep.hello_state = SERVE_HELLO_BAD;
            snprintf(c->rep.hello_error, sizeof c->rep.hello_error, "truncated ClientHello: %zu bytes", c->peeked);
            refuse(c, "%s", "the client closed the connection before its ClientHello was complete");
        }
        return STEP_DONE; /* no byte at all: a port check, not a client to report */
    }
    c->peeked = (size_t)n;
    struct tr_error err;
    size_t consumed = 0;
    int rc = client_hello_from_records(w->scratch, (size_t)n, &c->rep.ch, &consumed, &err);
    if (rc == CH_NEED_MORE && (size_t)n < SERVE_PEEK_MAX) {
        if (!c->peer_shut)
            return STEP_WAIT;
        /* a peek never reports the FIN while bytes are unread: epoll's RDHUP does */
        c->rep.hello_state = SERVE_HELLO_BAD;
        snprintf(c->rep.hello_error, sizeof c->rep.hello_error, "truncated ClientHello: %zu bytes", c->peeked);
        refuse(c, "%s", "the client closed the connection before its ClientHello was complete");
        return STEP_DONE;
    }
    if (rc == CH_OK) {
        c->rep.hello_state = SERVE_HELLO_PARSED;
        c->rep.hello_bytes = consumed;
    } else {
        /*
         * Not a hello we can read (or too large). OpenSSL still gets the
         * connection: its own reason ("http request", "wrong version number")
         * is the refusal a real server would give, and a hello that only our
         * parser dislikes must not change the server's behaviour.
         */
        c->rep.hello_state = SERVE_HELLO_BAD;
        snprintf(c->rep.hello_error, sizeof c->rep.hello_error, "%.240s",
                 rc == CH_NEED_MORE ? "ClientHello larger than the capture limit" : err.msg);
    }
    c->state = ST_HANDSHAKE;
    return STEP_NEXT;
}

static int is_peer_alert(const char *reason)
{
    return strncmp(reason, "sslv3 alert", 11) == 0 || strncmp(reason, "tlsv1 alert", 11) == 0 ||
           strncmp(reason, "tlsv13 alert", 12) == 0;
}

static void record_handshake(struct conn *c)
{
    int wire = SSL_version(c->ssl);
    c->rep.negotiated = tls_version_from_wire((uint16_t)wire);
    const SSL_CIPHER *ciph = SSL_get_current_cipher(c->ssl);
    if (ciph) {
        c->rep.have_cipher = 1;
        c->rep.cipher = SSL_CIPHER_get_protocol_id(ciph);
    }
    const unsigned char *alpn = NULL;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_len);
    if (alpn && alpn_len < sizeof c->rep.alpn) {
        memcpy(c->rep.alpn, alpn, alpn_len);
        c->rep.alpn[alpn_len] = 0;
    }
    c->rep.handshake_us = serve_mono_us() - c->start_us;
    c->rep.outcome = SERVE_ACCEPTED;
}

/* No more writes from us; drain what the client still sends, until it closes or SERVE_LINGER_MS. */
static void start_linger(struct worker *w, struct conn *c)
{
    shutdown(c->fd, SHUT_WR);
    conn_list_remove(&w->live, c);
    c->deadline_ms = serve_mono_ms() + SERVE_LINGER_MS;
    conn_list_append(&w->linger, c);
    c->in_linger = 1;
    c->state = ST_LINGER;
}

static enum step step_handshake(struct worker *w, struct conn *c)
{
    if (!c->ssl) {
        c->ssl = SSL_new(c->l->ctx);
        if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
            refuse(c, "%s", "server error: cannot create an OpenSSL connection");
            return STEP_DONE;
        }
        SSL_set_accept_state(c->ssl);
    }
    ERR_clear_error();
    errno = 0; /* SSL_ERROR_SYSCALL leaves errno 0 for a bare EOF: no stale value may look like an error */
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        record_handshake(c);
        c->state = ST_REQUEST;
        return STEP_NEXT;
    }
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return STEP_WAIT;
    char reason[SERVE_TEXT_MAX];
    if (ERR_peek_error()) {
        serve_openssl_reason(reason, sizeof reason);
    } else if (e == SSL_ERROR_SYSCALL && errno) {
        snprintf(reason, sizeof reason, "connection error during the handshake: %s", strerror(errno));
    } else {
        snprintf(reason, sizeof reason, "the client closed the connection during the handshake");
    }
    if (is_peer_alert(reason)) {
        refuse(c, "the client aborted the handshake (%.200s)", reason);
        c->rep.client_aborted = 1;
        return STEP_DONE;
    }
    /* our alert is on its way: let it arrive before the close, so the client sees why */
    refuse(c, "%s", reason);
    start_linger(w, c);
    return STEP_NEXT;
}

/* Reads from the TLS or plain connection: >0 bytes, 0 end, -1 would block, -2 error. */
static int conn_read(struct conn *c, void *buf, size_t n)
{
    if (!c->ssl) {
        ssize_t r = read(c->fd, buf, n);
        if (r > 0)
            return (int)r;
        if (r == 0)
            return 0;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : -2;
    }
    ERR_clear_error();
    int r = SSL_read(c->ssl, buf, (int)n);
    if (r > 0)
        return r;
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return -1;
    ERR_clear_error();
    return e == SSL_ERROR_ZERO_RETURN ? 0 : -2;
}

static int conn_write(struct conn *c, const void *buf, size_t n)
{
    if (!c->ssl) {
        ssize_t r = send(c->fd, buf, n, MSG_NOSIGNAL);
        if (r >= 0)
            return (int)r;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : -2;
    }
    ERR_clear_error();
    int r = SSL_write(c->ssl, buf, (int)n);
    if (r > 0)
        return r;
    int e = SSL_get_error(c->ssl, r);
    ERR_clear_error();
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? -1 : -2;
}

static void respond(struct conn *c, int status, const char *reason, const char *type, const struct tr_buf *body,
                    int head_only, const char *location)
{
    struct tr_buf *o = &c->resp;
    size_t blen = body ? body->len : 0;
    tr_buf_printf(o, "HTTP/1.1 %d %s\r\nServer: tlsready\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Cache-Control: no-store\r\nConnection: close\r\n", status, reason, type, blen);
    if (type && strncmp(type, "application/json", 16) == 0)
        tr_buf_puts(o, "Access-Control-Allow-Origin: *\r\n");
    if (location)
        tr_buf_printf(o, "Location: %s\r\n", location);
    tr_buf_puts(o, "\r\n");
    if (body && !head_only)
        tr_buf_push(o, body->base, body->len);
    c->state = ST_RESPONSE;
}

static void copy_view(char *dst, size_t cap, struct http_view v)
{
    size_t n = v.p ? (v.n < cap - 1 ? v.n : cap - 1) : 0;
    if (n)
        memcpy(dst, v.p, n);
    dst[n] = 0;
}

/* The plain-HTTP listener: send every request to the same path on the TLS port. */
static void respond_redirect(struct conn *c, const struct http_request *req)
{
    char host[256], path[SERVE_TEXT_MAX], loc[600];
    copy_view(host, sizeof host, req->host);
    copy_view(path, sizeof path, req->target);
    /* strip the port from Host ("h:80", "[::1]:80") */
    char *colon = strrchr(host, ':');
    if (colon && !strchr(colon, ']'))
        *colon = 0;
    if (!host[0])
        snprintf(host, sizeof host, "localhost");
    snprintf(loc, sizeof loc, "https://%s:%d%s", host, c->l->redirect_port, path[0] == '/' ? path : "/");
    struct tr_buf body;
    tr_buf_init(&body, NULL, 0);
    tr_buf_printf(&body, "moved to %s\n", loc);
    respond(c, 301, "Moved Permanently", "text/plain; charset=utf-8", &body, 0, loc);
    tr_buf_free(&body);
}

static void route(struct conn *c, const struct http_request *req)
{
    int head = http_view_eq(req->method, "HEAD");
    copy_view(c->rep.method, sizeof c->rep.method, req->method);
    copy_view(c->rep.path, sizeof c->rep.path, req->target);
    copy_view(c->rep.user_agent, sizeof c->rep.user_agent, req->user_agent);
    c->rep.have_request = 1;
    if (!c->ssl) {
        respond_redirect(c, req);
        return;
    }
    if (!head && !http_view_eq(req->method, "GET")) {
        struct tr_buf body;
        tr_buf_init(&body, NULL, 0);
        tr_buf_puts(&body, "only GET and HEAD\n");
        respond(c, 405, "Method Not Allowed", "text/plain; charset=utf-8", &body, 0, NULL);
        tr_buf_free(&body);
        return;
    }
    struct tr_buf body;
    tr_buf_init(&body, NULL, 0);
    if (http_view_eq(req->path, "/")) {
        serve_report_html(&body, &c->rep);
        respond(c, 200, "OK", "text/html; charset=utf-8", &body, head, NULL);
    } else if (http_view_eq(req->path, "/json")) {
        struct json_writer jw;
        json_init(&jw, &body);
        serve_report_json(&jw, &c->rep);
        tr_buf_push_u8(&body, '\n');
        respond(c, 200, "OK", "application/json", &body, head, NULL);
    } else {
        tr_buf_puts(&body, "not found: try / or /json\n");
        respond(c, 404, "Not Found", "text/plain; charset=utf-8", &body, head, NULL);
    }
    tr_buf_free(&body);
}

static void respond_error(struct conn *c, int status, const char *reason)
{
    struct tr_buf body;
    tr_buf_init(&body, NULL, 0);
    tr_buf_printf(&body, "%d %s\n", status, reason);
    respond(c, status, reason, "text/plain; charset=utf-8", &body, 0, NULL);
    tr_buf_free(&body);
}

static enum step step_request(struct worker *w, struct conn *c)
{
    size_t cap = w->srv->cfg->max_request;
    if (!c->req && !(c->req = malloc(cap + 1)))
        return STEP_DONE;
    for (;;) {
        if (c->req_len >= cap) {
            respond_error(c, 431, "Request Header Fields Too Large");
            return STEP_NEXT;
        }
        int r = conn_read(c, c->req + c->req_len, cap - c->req_len);
        if (r == -1)
            return STEP_WAIT;
        if (r <= 0)
            return STEP_DONE; /* closed without (a complete) request: the handshake is what counted */
        c->req_len += (size_t)r;
        /* a head can only complete with a new line: no re-parse for bytes without one (tiny records) */
        if (!memchr(c->req + c->req_len - (size_t)r, '\n', (size_t)r))
            continue;
        struct http_request req;
        struct tr_error err;
        int pr = http_request_parse(c->req, c->req_len, &req, &err);
        if (pr == HTTP_REQ_NEED_MORE)
            continue;
        if (pr == HTTP_REQ_MALFORMED)
            respond_error(c, 400, "Bad Request");
        else
            route(c, &req);
        return STEP_NEXT;
    }
}

static enum step step_response(struct worker *w, struct conn *c)
{
    if (c->resp.failed)
        return STEP_DONE;
    while (c->resp_off < c->resp.len) {
        int r = conn_write(c, c->resp.base + c->resp_off, c->resp.len - c->resp_off);
        if (r == -1)
            return STEP_WAIT;
        if (r < 0)
            return STEP_DONE;
        c->resp_off += (size_t)r;
    }
    if (c->ssl)
        SSL_shutdown(c->ssl); /* close_notify; the client's answer is not awaited */
    start_linger(w, c);
    return STEP_NEXT;
}

static enum step step_linger(struct worker *w, struct conn *c)
{
    for (;;) {
        ssize_t r = read(c->fd, w->scratch, SERVE_PEEK_MAX);
        if (r > 0)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return STEP_WAIT;
        return STEP_DONE;
    }
}

void conn_drive(struct worker *w, struct conn *c)
{
    for (;;) {
        enum step s;
        switch (c->state) {
        case ST_HELLO: s = step_hello(w, c); break;
        case ST_HANDSHAKE: s = step_handshake(w, c); break;
        case ST_REQUEST: s = step_request(w, c); break;
        case ST_RESPONSE: s = step_response(w, c); break;
        default: s = step_linger(w, c); break;
        }
        if (s == STEP_WAIT)
            return;
        if (s == STEP_DONE) {
            conn_finish(w, c);
            return;
        }
    }
}

void conn_expire(struct worker *w, struct conn *c, const char *why)
{
    if (c->state == ST_HELLO && c->peeked) {
        c->rep.hello_state = SERVE_HELLO_BAD;
        snprintf(c->rep.hello_error, sizeof c->rep.hello_error, "incomplete ClientHello: %zu bytes", c->peeked);
        refuse(c, "%s before the ClientHello was complete", why);
    } else if (c->state == ST_HANDSHAKE) {
        refuse(c, "%s during the handshake", why);
    }
    conn_finish(w, c);
}
