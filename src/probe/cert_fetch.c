/*
 * Certificate retrieval and the per-endpoint certificate summary (see
 * cert_fetch.h). Blocking sockets with the scan's timeout on every step: the
 * fetch is one or two connections per endpoint, after its version probes,
 * and runs inside the engine's callback (documented in docs/scan.md: with
 * --certs a slow server delays the others by at most a few timeouts).
 */
#include "probe/cert_fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "probe/scan.h"
#include "probe/starttls.h"
#include "tls/client_hello.h"
#include "tls/server_reply.h"
#include "tls/version.h"
#include "util/buf.h"

#define FLIGHT_MAX (TLS_CERTIFICATE_MAX_LEN + 64 * 1024)

const char *sni_behaviour_name(int b)
{
    static const char *const n[] = { "not_tested", "same", "different", "required" };
    return b >= 0 && b < 4 ? n[b] : "unknown";
}

const char *cert_scan_status_name(int s)
{
    static const char *const n[] = { "not_run", "ok", "failed" };
    return s >= 0 && s < 3 ? n[s] : "unknown";
}

void cert_der_chain_free(struct cert_der_chain *c)
{
    free(c->mem);
    memset(c, 0, sizeof *c);
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A connected, blocking socket whose reads and writes time out after timeout_s; -1 with reason. */
static int connect_timeout(const struct cert_fetch_params *p, char *reason, size_t cap)
{
    int fd = socket(p->sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(reason, cap, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)p->sa, p->salen) < 0) {
        if (errno != EINPROGRESS) {
            snprintf(reason, cap, "connect: %s", strerror(errno));
            close(fd);
            return -1;
        }
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
        int r = poll(&pfd, 1, (int)(p->timeout_s * 1000));
        int e = 0;
        socklen_t l = sizeof e;
        if (r <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0 || e) {
            snprintf(reason, cap, "connect: %s", r == 0 ? "timeout" : strerror(e ? e : errno));
            close(fd);
            return -1;
        }
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    struct timeval tv = { .tv_sec = (time_t)p->timeout_s,
                          .tv_usec = (suseconds_t)((p->timeout_s - (double)(time_t)p->timeout_s) * 1e6) };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

static int send_all(int fd, const uint8_t *b, size_t n)
{
    while (n) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The STARTTLS dialogue, blocking; the whole of it within 2 timeouts. */
static int preamble(int fd, const struct cert_fetch_params *p, char *reason, size_t cap)
{
    if (p->starttls == STARTTLS_NONE)
        return 0;
    struct starttls st;
    starttls_init(&st, p->starttls, p->sni ? p->sni : p->host);
    if (st.out_len && send_all(fd, st.out, st.out_len) < 0) {
        snprintf(reason, cap, "starttls %s: send failed", starttls_name(p->starttls));
        return -1;
    }
    uint8_t in[8192];
    size_t len = 0;
    double deadline = now_mono() + 2 * p->timeout_s;
    for (;;) {
        if (len == sizeof in || now_mono() > deadline) {
            snprintf(reason, cap, "starttls %s: %s", starttls_name(p->starttls), len == sizeof in ? "reply too long" : "timeout");
            return -1;
        }
        ssize_t n = recv(fd, in + len, sizeof in - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(reason, cap, "starttls %s: %s during the dialogue", starttls_name(p->starttls),
                     n == 0 ? "connection closed" : "timeout or error");
            return -1;
        }
        len += (size_t)n;
        size_t used;
        int r;
        do { /* again while it makes progress: a server may send ahead of our commands */
            r = starttls_feed(&st, in, len, &used);
            memmove(in, in + used, len - used);
            len -= used;
            if (st.out_len && send_all(fd, st.out, st.out_len) < 0) {
                snprintf(reason, cap, "starttls %s: send failed", starttls_name(p->starttls));
                return -1;
            }
        } while (r == STARTTLS_NEED_MORE && used && len);
        if (r == STARTTLS_READY)
            return 0;
        if (r == STARTTLS_ERROR) {
            snprintf(reason, cap, "%s", st.reason);
            return -1;
        }
    }
}

static int copy_chain(struct cert_der_chain *out, const struct tls_view *v, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].len;
    out->mem = malloc(total ? total : 1);
    if (!out->mem)
        return -1;
    size_t off = 0;
    for (size_t i = 0; i < n && i < SERVER_FLIGHT_MAX_CERTS; i++) {
        memcpy(out->mem + off, v[i].data, v[i].len);
        out->certs[i].data = out->mem + off;
        out->certs[i].len = v[i].len;
        off += v[i].len;
        out->n++;
    }
    return 0;
}

/* TLS <= 1.2: our hello, the plaintext flight up to ServerHelloDone. */
static int fetch_flight(int fd, const struct cert_fetch_params *p, struct cert_der_chain *out, char *reason, size_t cap)
{
    struct client_hello_config cfg;
    client_hello_config_init(&cfg, p->version, p->version);
    cfg.sni = p->sni;
    if (getrandom(cfg.random, sizeof cfg.random, 0) != (ssize_t)sizeof cfg.random)
        memset(cfg.random, 0x5a, sizeof cfg.random);
    uint8_t hello[CLIENT_HELLO_MAX_RECORD + 5];
    struct tr_buf hb;
    struct tr_error e;
    tr_buf_init(&hb, hello, sizeof hello);
    if (client_hello_build(&hb, &cfg, &e) < 0 || hb.failed || hb.is_heap) {
        tr_buf_free(&hb);
        snprintf(reason, cap, "cannot build the hello");
        return -1;
    }
    if (send_all(fd, hb.base, hb.len) < 0) {
        snprintf(reason, cap, "send failed: %s", strerror(errno));
        return -1;
    }
    uint8_t *buf = malloc(FLIGHT_MAX), *scratch = malloc(SERVER_FLIGHT_SCRATCH);
    struct server_reply *r = malloc(sizeof *r);
    int rc = -1;
    if (!buf || !scratch || !r) {
        snprintf(reason, cap, "out of memory");
        goto out;
    }
    size_t len = 0;
    double deadline = now_mono() + 2 * p->timeout_s;
    for (;;) {
        if (len == FLIGHT_MAX || now_mono() > deadline) {
            snprintf(reason, cap, len == FLIGHT_MAX ? "first flight too large" : "timeout reading the first flight");
            goto out;
        }
        ssize_t n = recv(fd, buf + len, FLIGHT_MAX - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(reason, cap, n == 0 ? "connection closed after %zu bytes" : "timeout after %zu bytes", len);
            goto out;
        }
        len += (size_t)n;
        int st = server_flight_parse(buf, len, scratch, SERVER_FLIGHT_SCRATCH, r);
        if (st == REPLY_NEED_MORE)
            continue;
        if (st == REPLY_ALERT) {
            const char *an = tls_alert_name(r->alert_description);
            if (an)
                snprintf(reason, cap, "alert %s", an);
            else
                snprintf(reason, cap, "alert %u", r->alert_description);
            goto out;
        }
        if (st != REPLY_SERVER_HELLO || !r->flight_complete) {
            snprintf(reason, cap, "no certificate: %s%s%s", server_reply_status_name(st), r->reason[0] ? ": " : "", r->reason);
            goto out;
        }
        if (!r->have_certificate || r->n_certs == 0) {
            snprintf(reason, cap, "the server sent no certificate (anonymous or PSK suite)");
            goto out;
        }
        if (copy_chain(out, r->certs, r->n_certs) < 0) {
            snprintf(reason, cap, "out of memory");
            goto out;
        }
        rc = 0;
        goto out;
    }
out:
    free(buf);
    free(scratch);
    free(r);
    return rc;
}

/* TLS 1.3 only: the chain is encrypted; a full handshake with OpenSSL gets it. */
static int fetch_handshake(int fd, const struct cert_fetch_params *p, struct cert_der_chain *out, char *reason, size_t cap)
{
    int rc = -1;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = NULL;
    if (!ctx) {
        snprintf(reason, cap, "openssl: cannot create a context");
        return -1;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_security_level(ctx, 0);   /* fetch whatever is sent; judging is cert_chain_check's job */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    ssl = SSL_new(ctx);
    if (!ssl || !SSL_set_fd(ssl, fd)) {
        snprintf(reason, cap, "openssl: cannot create a connection");
        goto out;
    }
    if (p->sni && p->sni[0])
        SSL_set_tlsext_host_name(ssl, p->sni);
    ERR_clear_error();
    if (SSL_connect(ssl) != 1) {
        unsigned long e = ERR_peek_last_error();
        char msg[120];
        ERR_error_string_n(e, msg, sizeof msg);
        const char *why = ERR_reason_error_string(e);
        snprintf(reason, cap, "tls1.3 handshake failed: %s", why ? why : e ? msg : "connection closed or timeout");
        goto out;
    }
    STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
    int n = sk ? sk_X509_num(sk) : 0;
    if (n <= 0) {
        snprintf(reason, cap, "the server sent no certificate");
        goto out;
    }
    struct tls_view v[SERVER_FLIGHT_MAX_CERTS];
    unsigned char *der[SERVER_FLIGHT_MAX_CERTS];
    size_t k = 0;
    for (int i = 0; i < n && k < SERVER_FLIGHT_MAX_CERTS; i++) {
        der[k] = NULL;
        int l = i2d_X509(sk_X509_value(sk, i), &der[k]);
        if (l <= 0)
            break;
        v[k].data = der[k];
        v[k].len = (size_t)l;
        k++;
    }
    rc = copy_chain(out, v, k);
    for (size_t i = 0; i < k; i++)
        OPENSSL_free(der[i]);
    if (rc < 0)
        snprintf(reason, cap, "out of memory");
    else if (k == 0) {
        rc = -1;
        snprintf(reason, cap, "cannot encode the certificates");
    }
    SSL_shutdown(ssl);
out:
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}

int cert_fetch_chain(const struct cert_fetch_params *p, struct cert_der_chain *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    reason[0] = 0;
    int fd = connect_timeout(p, reason, cap);
    if (fd < 0)
        return -1;
    int rc = preamble(fd, p, reason, cap);
    if (rc == 0)
        rc = p->version == TLSV_TLS13 ? fetch_handshake(fd, p, out, reason, cap) : fetch_flight(fd, p, out, reason, cap);
    struct linger lg = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
    if (rc < 0)
        cert_der_chain_free(out);
    return rc;
}

static void brief_of(const struct cert_info *ci, struct cert_brief *b)
{
    snprintf(b->subject, sizeof b->subject, "%s", ci->subject);
    snprintf(b->issuer, sizeof b->issuer, "%s", ci->issuer);
    snprintf(b->serial, sizeof b->serial, "%s", ci->serial);
    b->not_before = ci->not_before;
    b->not_after = ci->not_after;
    snprintf(b->key_type, sizeof b->key_type, "%s", ci->key_type);
    b->key_bits = ci->key_bits;
    snprintf(b->key_curve, sizeof b->key_curve, "%s", ci->key_curve);
    snprintf(b->sig_alg, sizeof b->sig_alg, "%s", ci->sig_alg);
    snprintf(b->sha256, sizeof b->sha256, "%s", ci->sha256);
    b->self_signed = ci->self_signed;
    b->is_ca = ci->is_ca;
}

/* The version to fetch with: the highest accepted <= tls1.2 (plaintext chain), else tls1.3. */
static int fetch_version(const int *status)
{
    for (int v = TLSV_TLS12; v >= TLSV_SSL3; v--)
        if (status[v] == VS_ACCEPTED)
            return v;
    return status[TLSV_TLS13] == VS_ACCEPTED ? TLSV_TLS13 : TLSV_NONE;
}

static void leaf_sha256(const struct cert_der_chain *c, char out[65])
{
    out[0] = 0;
    struct cert_info *ci = malloc(sizeof *ci);
    struct tr_error e;
    if (ci && c->n && cert_info_from_der(c->certs[0].data, c->certs[0].len, ci, &e) == 0)
        memcpy(out, ci->sha256, 65);
    free(ci);
}

void cert_scan_endpoint(const struct cert_fetch_params *base, const int *status, const struct cert_store *store,
                        time_t now, int warn_days, struct cert_summary *out)
{
    memset(out, 0, sizeof *out);
    struct cert_fetch_params p = *base;
    p.version = fetch_version(status);
    if (p.version == TLSV_NONE) {
        snprintf(out->reason, sizeof out->reason, "no TLS version accepted");
        return;
    }
    out->via_version = p.version;
    out->via_handshake = p.version == TLSV_TLS13;
    struct cert_der_chain chain;
    if (cert_fetch_chain(&p, &chain, out->reason, sizeof out->reason) < 0) {
        out->status = CERTS_FAILED;
        return;
    }
    struct cert_info *ci = malloc(sizeof *ci);
    if (!ci) {
        out->status = CERTS_FAILED;
        snprintf(out->reason, sizeof out->reason, "out of memory");
        cert_der_chain_free(&chain);
        return;
    }
    out->chain_sent = chain.n;
    for (size_t i = 0; i < chain.n && out->n_chain < SCAN_CHAIN_MAX; i++) {
        struct tr_error e;
        if (cert_info_from_der(chain.certs[i].data, chain.certs[i].len, ci, &e) < 0) {
            if (i == 0) {
                out->status = CERTS_FAILED;
                snprintf(out->reason, sizeof out->reason, "leaf certificate: %s", e.msg);
                goto done;
            }
            break;
        }
        brief_of(ci, &out->chain[out->n_chain++]);
        if (i == 0) {
            out->sans_total = ci->n_sans;
            for (size_t k = 0; k < ci->n_sans && k < SCAN_SANS_MAX; k++)
                snprintf(out->sans[out->n_sans++], SCAN_SAN_LEN, "%s", ci->sans[k]);
        }
    }
    const char *name = p.sni && p.sni[0] ? p.sni : p.host;
    snprintf(out->hostname, sizeof out->hostname, "%s", name ? name : "");
    struct cert_chain_result cr;
    struct tr_error e;
    if (cert_chain_check(chain.certs, chain.n, store, name, now, warn_days, &cr, &e) < 0) {
        out->status = CERTS_FAILED;
        snprintf(out->reason, sizeof out->reason, "%s", e.msg);
        goto done;
    }
    out->status = CERTS_OK;
    out->flags = cr.flags;
    out->verified = cr.verified;
    snprintf(out->verify_message, sizeof out->verify_message, "%s", cr.verify_message);
    out->hostname_match = cr.hostname_match;
    out->days_left = cr.days_left;

    /* the same without SNI: a name-based virtual host may need it, or serve another certificate */
    if (p.sni && p.sni[0]) {
        struct cert_fetch_params q = p;
        q.sni = NULL;
        struct cert_der_chain other;
        if (cert_fetch_chain(&q, &other, out->nosni_reason, sizeof out->nosni_reason) < 0) {
            out->sni = SNI_REQUIRED;
        } else {
            leaf_sha256(&other, out->nosni_sha256);
            if (strcmp(out->nosni_sha256, out->chain[0].sha256) == 0) {
                out->sni = SNI_SAME;
            } else {
                out->sni = SNI_DIFFERENT;
                if (other.n && cert_info_from_der(other.certs[0].data, other.certs[0].len, ci, &e) == 0)
                    snprintf(out->nosni_subject, sizeof out->nosni_subject, "%s", ci->subject);
            }
            cert_der_chain_free(&other);
        }
    }
done:
    free(ci);
    cert_der_chain_free(&chain);
}
