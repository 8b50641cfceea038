/* OpenSSL server contexts and certificates: see tls_ctx.h. */
#include "serve/tls_ctx.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "tls/version.h"

void serve_openssl_reason(char *out, size_t cap)
{
    unsigned long e = ERR_get_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    snprintf(out, cap, "%s", r ? r : (e ? "unknown OpenSSL error" : "no OpenSSL error"));
    ERR_clear_error();
}

static int openssl_fail(struct tr_error *err, const char *what)
{
    char reason[160];
    serve_openssl_reason(reason, sizeof reason);
    return tr_errorf(err, "%s: %s", what, reason);
}

/* "DNS:name" or "IP:addr" for one SAN entry */
static int add_san(GENERAL_NAMES *gens, const char *name)
{
    unsigned char ip[16];
    int iplen = 0;
    if (inet_pton(AF_INET, name, ip) == 1)
        iplen = 4;
    else if (inet_pton(AF_INET6, name, ip) == 1)
        iplen = 16;
    GENERAL_NAME *g = GENERAL_NAME_new();
    if (!g)
        return -1;
    if (iplen) {
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        if (!os || !ASN1_OCTET_STRING_set(os, ip, iplen)) {
            ASN1_OCTET_STRING_free(os);
            GENERAL_NAME_free(g);
            return -1;
        }
        GENERAL_NAME_set0_value(g, GEN_IPADD, os);
    } else {
        ASN1_IA5STRING *s = ASN1_IA5STRING_new();
        if (!s || !ASN1_STRING_set(s, name, (int)strlen(name))) {
            ASN1_IA5STRING_free(s);
            GENERAL_NAME_free(g);
            return -1;
        }
        GENERAL_NAME_set0_value(g, GEN_DNS, s);
    }
    if (!sk_GENERAL_NAME_push(gens, g)) {
        GENERAL_NAME_free(g);
        return -1;
    }
    return 0;
}

static int fill_cert(X509 *x, EVP_PKEY *key, const char *const *names, size_t n_names)
{
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1)
        return -1;
    serial[0] &= 0x7f; /* positive */
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    ok = ok && X509_set_version(x, 2);
    ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    ok = ok && X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600);
    ok = ok && X509_set_pubkey(x, key);
    X509_NAME *subject = X509_get_subject_name(x);
    ok = ok && X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                                          (const unsigned char *)"tlsready serve", -1, -1, 0);
    ok = ok && X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)names[0], -1, -1, 0);
    ok = ok && X509_set_issuer_name(x, subject);
    if (!ok)
        return -1;
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    if (!gens)
        return -1;
    for (size_t i = 0; i < n_names && ok; i++)
        ok = add_san(gens, names[i]) == 0;
    ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0) == 1;
    GENERAL_NAMES_free(gens);
    BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
    ok = ok && bc && X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, 0) == 1;
    BASIC_CONSTRAINTS_free(bc);
    ok = ok && X509_sign(x, key, EVP_sha256()) > 0;
    return ok ? 0 : -1;
}

int serve_cert_selfsigned(struct serve_cert *c, const char *const *names, size_t n_names,
                          enum serve_key_type type, struct tr_error *err)
{
    memset(c, 0, sizeof *c);
    if (n_names == 0)
        return tr_errorf(err, "a self-signed certificate needs at least one name");
    c->key = type == SERVE_KEY_P256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
    if (!c->key)
        return openssl_fail(err, "cannot generate the certificate key");
    c->cert = X509_new();
    if (!c->cert || fill_cert(c->cert, c->key, names, n_names) < 0) {
        serve_cert_release(c);
        return openssl_fail(err, "cannot make the self-signed certificate");
    }
    return 0;
}

int serve_cert_load(struct serve_cert *c, const char *cert_path, const char *key_path, struct tr_error *err)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(cert_path, "r");
    if (!f)
        return tr_errorf(err, "%s: cannot open the certificate", cert_path);
    c->cert = PEM_read_X509(f, NULL, NULL, NULL);
    if (c->cert) {
        c->chain = sk_X509_new_null();
        X509 *extra;
        while (c->chain && (extra = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
            if (!sk_X509_push(c->chain, extra))
                X509_free(extra);
        ERR_clear_error(); /* the end of the file reads as "no start line" */
    }
    fclose(f);
    if (!c->cert) {
        serve_cert_release(c);
        return openssl_fail(err, "cannot read a PEM certificate");
    }
    f = fopen(key_path, "r");
    if (!f) {
        serve_cert_release(c);
        return tr_errorf(err, "%s: cannot open the private key", key_path);
    }
    c->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!c->key) {
        serve_cert_release(c);
        return openssl_fail(err, "cannot read a PEM private key");
    }
    if (X509_check_private_key(c->cert, c->key) != 1) {
        serve_cert_release(c);
        return openssl_fail(err, "the private key does not match the certificate");
    }
    return 0;
}

int serve_cert_write_pem(const struct serve_cert *c, const char *cert_path, const char *key_path,
                         struct tr_error *err)
{
    FILE *f = fopen(cert_path, "w");
    if (!f || PEM_write_X509(f, c->cert) != 1) {
        if (f)
            fclose(f);
        return tr_errorf(err, "%s: cannot write the certificate", cert_path);
    }
    if (fclose(f) != 0)
        return tr_errorf(err, "%s: cannot write the certificate", cert_path);
    if (!key_path)
        return 0;
    f = fopen(key_path, "w");
    if (!f || PEM_write_PrivateKey(f, c->key, NULL, NULL, 0, NULL, NULL) != 1) {
        if (f)
            fclose(f);
        return tr_errorf(err, "%s: cannot write the private key", key_path);
    }
    if (fclose(f) != 0)
        return tr_errorf(err, "%s: cannot write the private key", key_path);
    return 0;
}

void serve_cert_release(struct serve_cert *c)
{
    X509_free(c->cert);
    EVP_PKEY_free(c->key);
    if (c->chain)
        sk_X509_pop_free(c->chain, X509_free);
    memset(c, 0, sizeof *c);
}

static int proto_of(int v)
{
    switch (v) {
    case TLSV_SSL3: return SSL3_VERSION;
    case TLSV_TLS10: return TLS1_VERSION;
    case TLSV_TLS11: return TLS1_1_VERSION;
    case TLSV_TLS12: return TLS1_2_VERSION;
    case TLSV_TLS13: return TLS1_3_VERSION;
    default: return 0;
    }
}

/* We speak HTTP/1.1 only: pick it when offered, otherwise ignore ALPN (no alert). */
static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    static const unsigned char h11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    unsigned char *sel = NULL;
    if (SSL_select_next_proto(&sel, outlen, h11, sizeof h11, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
        *out = sel;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

SSL_CTX *serve_ctx_new(int min_version, int max_version, const struct serve_cert *c, struct tr_error *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        openssl_fail(err, "cannot create an OpenSSL context");
        return NULL;
    }
    int ok = SSL_CTX_set_min_proto_version(ctx, proto_of(min_version)) == 1 &&
             SSL_CTX_set_max_proto_version(ctx, proto_of(max_version)) == 1;
    if (ok && min_version < TLSV_TLS12) {
        /* OpenSSL 3's level 1+ forbids TLS < 1.2 and SHA-1 signatures: this listener only */
        SSL_CTX_set_security_level(ctx, 0);
        ok = SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") == 1;
    }
    ok = ok && SSL_CTX_use_certificate(ctx, c->cert) == 1 && SSL_CTX_use_PrivateKey(ctx, c->key) == 1;
    for (int i = 0; ok && c->chain && i < sk_X509_num(c->chain); i++)
        ok = SSL_CTX_add1_chain_cert(ctx, sk_X509_value(c->chain, i)) == 1;
    if (!ok) {
        openssl_fail(err, "cannot configure the OpenSSL context");
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_num_tickets(ctx, 0);
    /* idle connections give their 16 KB record buffers back */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
    return ctx;
}
