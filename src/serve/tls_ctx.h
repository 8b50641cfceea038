/*
 * OpenSSL server contexts for serve: one SSL_CTX per listener, so that
 * lowering the security level to speak TLS 1.0/1.1 (Debian 12's OpenSSL 3
 * refuses them at its default level 2) affects only the listener that asks
 * for it. Certificates come from files or are made at start-up.
 */
#ifndef TR_SERVE_TLS_CTX_H
#define TR_SERVE_TLS_CTX_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "util/error.h"

enum serve_key_type {
    SERVE_KEY_RSA2048 = 0,
    SERVE_KEY_P256,
};

/* A certificate and key shared by the listeners (reference counted by OpenSSL). */
struct serve_cert {
    X509 *cert;
    STACK_OF(X509) *chain;   /* intermediates from the cert file; NULL for self-signed */
    EVP_PKEY *key;
};

/*
 * Makes a self-signed certificate for `names` (DNS names or IP literals, each
 * one a subjectAltName; the first is also the CN), valid from an hour ago for
 * 30 days, signed with SHA-256.
 */
int serve_cert_selfsigned(struct serve_cert *c, const char *const *names, size_t n_names,
                          enum serve_key_type type, struct tr_error *err);
/* Loads a PEM certificate (with any chain after it) and its PEM private key. */
int serve_cert_load(struct serve_cert *c, const char *cert_path, const char *key_path, struct tr_error *err);
/* Writes the certificate as PEM (so a client or a peer server can use it). */
int serve_cert_write_pem(const struct serve_cert *c, const char *cert_path, const char *key_path,
                         struct tr_error *err);
void serve_cert_release(struct serve_cert *c);

/*
 * A server context that accepts min..max (enum tls_version). When min is below
 * tls1.2 the context gets security level 0 and "DEFAULT:@SECLEVEL=0" so that
 * OpenSSL 3 really negotiates TLS 1.0/1.1 (and SHA-1 signatures) there.
 * Session resumption is off (every hello is a full one), ALPN picks http/1.1.
 */
SSL_CTX *serve_ctx_new(int min_version, int max_version, const struct serve_cert *c, struct tr_error *err);

/* The first queued OpenSSL error as a short reason ("unsupported protocol"), then clears the queue. */
void serve_openssl_reason(char *out, size_t cap);

#endif
