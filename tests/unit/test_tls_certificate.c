/*
 * Certificate decoding and chain checks on certificates this test makes with
 * OpenSSL (a CA, leaves signed by it with chosen SANs, keys, digests and
 * validity), so every expected value is known exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/certificate.h"

#define T0 1767225600   /* 2026-01-01T00:00:00Z: the test's "now" */
#define DAY 86400

struct made {
    uint8_t *der;
    size_t len;
    X509 *x;
    EVP_PKEY *key;
};

static EVP_PKEY *rsa_key(int bits)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
}

static EVP_PKEY *ec_key(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(e);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

/* A certificate for `cn`, valid [T0+from_days, T0+to_days], signed by issuer (NULL = self). */
static struct made make_cert(const char *cn, EVP_PKEY *key, const struct made *issuer, long serial,
                             long from_days, long to_days, const char *san, int ca, const EVP_MD *md)
{
    struct made m = { 0 };
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    ASN1_TIME_set(X509_getm_notBefore(x), T0 + from_days * DAY);
    ASN1_TIME_set(X509_getm_notAfter(x), T0 + to_days * DAY);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Test Org", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x) : name);
    X509_set_pubkey(x, key);
    add_ext(x, issuer ? issuer->x : x, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (ca)
        add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(x, issuer ? issuer->x : x, NID_subject_key_identifier, "hash");
    if (san)
        add_ext(x, issuer ? issuer->x : x, NID_subject_alt_name, san);
    assert_true(X509_sign(x, issuer ? issuer->key : key, md) > 0);
    unsigned char *p = NULL;
    int n = i2d_X509(x, &p);
    assert_true(n > 0);
    m.der = p;
    m.len = (size_t)n;
    m.x = x;
    m.key = key;
    return m;
}

static void made_free(struct made *m)
{
    OPENSSL_free(m->der);
    X509_free(m->x);
}

static struct made ca;
static EVP_PKEY *ca_key, *leaf_key;
static char ca_file[64];

static int setup(void **state)
{
    (void)state;
    ca_key = rsa_key(2048);
    leaf_key = rsa_key(2048);
    ca = make_cert("Test Root CA", ca_key, NULL, 1, -365, 3650, NULL, 1, EVP_sha256());
    strcpy(ca_file, "/tmp/tlsready-ca-XXXXXX");
    int fd = mkstemp(ca_file);
    FILE *f = fdopen(fd, "w");
    PEM_write_X509(f, ca.x);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(ca_file);
    made_free(&ca);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
    return 0;
}

static void test_info_fields(void **state)
{
    (void)state;
    struct made leaf = make_cert("www.example.test", leaf_key, &ca, 0x1234abcd, -10, 80,
                                 "DNS:www.example.test,DNS:*.api.example.test,IP:127.0.0.1", 0, EVP_sha256());
    struct cert_info ci;
    struct tr_error err;
    assert_int_equal(cert_info_from_der(leaf.der, leaf.len, &ci, &err), 0);
    assert_string_equal(ci.subject, "CN=www.example.test,O=Test Org");
    assert_string_equal(ci.issuer, "CN=Test Root CA,O=Test Org");
    assert_string_equal(ci.common_name, "www.example.test");
    assert_string_equal(ci.serial, "1234ABCD");
    assert_int_equal(ci.n_sans, 3);
    assert_string_equal(ci.sans[0], "DNS:www.example.test");
    assert_string_equal(ci.sans[1], "DNS:*.api.example.test");
    assert_string_equal(ci.sans[2], "IP:127.0.0.1");
    assert_int_equal(ci.not_before, T0 - 10 * DAY);
    assert_int_equal(ci.not_after, T0 + 80 * DAY);
    assert_int_equal(cert_days_left(&ci, T0), 80);
    assert_int_equal(cert_days_left(&ci, T0 + 81 * DAY), -1);
    assert_string_equal(ci.key_type, "RSA");
    assert_int_equal(ci.key_bits, 2048);
    assert_string_equal(ci.sig_alg, "sha256WithRSAEncryption");
    assert_false(ci.sig_weak);
    assert_false(ci.self_signed);
    assert_false(ci.is_ca);
    /* the fingerprint is SHA-256 over the DER */
    unsigned char md[32];
    char hex[65];
    EVP_Digest(leaf.der, leaf.len, md, NULL, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    assert_string_equal(ci.sha256, hex);

    assert_int_equal(cert_info_from_der(ca.der, ca.len, &ci, &err), 0);
    assert_true(ci.self_signed);
    assert_true(ci.is_ca);
    assert_int_equal(ci.n_sans, 0);

    EVP_PKEY *ek = ec_key();
    struct made ecl = make_cert("ec.example.test", ek, &ca, 7, -1, 30, "DNS:ec.example.test", 0, EVP_sha384());
    assert_int_equal(cert_info_from_der(ecl.der, ecl.len, &ci, &err), 0);
    assert_string_equal(ci.key_type, "EC");
    assert_int_equal(ci.key_bits, 256);
    assert_string_equal(ci.key_curve, "prime256v1");
    assert_string_equal(ci.sig_alg, "sha384WithRSAEncryption");
    made_free(&ecl);
    EVP_PKEY_free(ek);
    made_free(&leaf);
}

static void test_bad_der(void **state)
{
    (void)state;
    struct made leaf = make_cert("x.test", leaf_key, &ca, 2, -1, 10, NULL, 0, EVP_sha256());
    struct cert_info ci;
    struct tr_error err;
    for (size_t n = 0; n < leaf.len; n += 97)   /* truncated */
        assert_int_equal(cert_info_from_der(leaf.der, n, &ci, &err), -1);
    uint8_t *extra = malloc(leaf.len + 1);     /* trailing byte */
    memcpy(extra, leaf.der, leaf.len);
    extra[leaf.len] = 0;
    assert_int_equal(cert_info_from_der(extra, leaf.len + 1, &ci, &err), -1);
    assert_non_null(strstr(err.msg, "not one DER"));
    free(extra);
    made_free(&leaf);
}

static unsigned check(const struct made *leaf, const struct made *inter, const struct cert_store *store,
                      const char *host, time_t now, struct cert_chain_result *r)
{
    struct tls_view v[2] = { { leaf->der, leaf->len }, { inter ? inter->der : NULL, inter ? inter->len : 0 } };
    struct tr_error err;
    assert_int_equal(cert_chain_check(v, inter ? 2 : 1, store, host, now, 30, r, &err), 0);
    return r->flags;
}

static void test_chain_flags(void **state)
{
    (void)state;
    struct tr_error err;
    struct cert_store *store = cert_store_new(ca_file, &err);
    struct cert_chain_result r;
    assert_non_null(store);

    struct made good = make_cert("www.example.test", leaf_key, &ca, 10, -10, 80,
                                 "DNS:www.example.test,DNS:*.api.example.test,IP:127.0.0.1", 0, EVP_sha256());
    assert_int_equal(check(&good, NULL, store, "www.example.test", T0, &r), 0);
    assert_true(r.verified);
    assert_int_equal(r.verify_error, 0);
    assert_true(r.hostname_checked && r.hostname_match);
    assert_int_equal(r.days_left, 80);
    assert_int_equal(check(&good, NULL, store, "v1.api.example.test", T0, &r), 0);   /* wildcard */
    assert_int_equal(check(&good, NULL, store, "127.0.0.1", T0, &r), 0);             /* IP SAN */
    assert_int_equal(check(&good, NULL, store, "other.example.test", T0, &r), CERT_NAME_MISMATCH);
    assert_int_equal(check(&good, NULL, store, "a.b.api.example.test", T0, &r), CERT_NAME_MISMATCH);
    assert_int_equal(check(&good, NULL, store, NULL, T0, &r), 0);
    assert_false(r.hostname_checked);
    /* time travel: expiring soon, expired, not yet valid */
    assert_int_equal(check(&good, NULL, store, NULL, T0 + 60 * DAY, &r), CERT_EXPIRING_SOON);
    assert_int_equal(r.days_left, 20);
    assert_int_equal(check(&good, NULL, store, NULL, T0 + 81 * DAY, &r), CERT_EXPIRED | CERT_UNTRUSTED);
    assert_int_equal(r.verify_error, X509_V_ERR_CERT_HAS_EXPIRED);
    assert_int_equal(check(&good, NULL, store, NULL, T0 - 11 * DAY, &r), CERT_NOT_YET_VALID | CERT_UNTRUSTED);
    /* untrusted with the system store (our test CA is not in it) */
    struct cert_store *sys = cert_store_new(NULL, &err);
    assert_non_null(sys);
    assert_int_equal(check(&good, NULL, sys, NULL, T0, &r), CERT_UNTRUSTED);
    assert_int_equal(r.verify_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    cert_store_free(sys);
    /* self-signed leaf */
    struct made self = make_cert("self.test", leaf_key, NULL, 11, -1, 100, "DNS:self.test", 0, EVP_sha256());
    assert_int_equal(check(&self, NULL, store, "self.test", T0, &r), CERT_SELF_SIGNED | CERT_UNTRUSTED);
    assert_int_equal(r.verify_error, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
    /* weak key: RSA 1024 (OpenSSL's default level also refuses it in the chain) */
    EVP_PKEY *small = rsa_key(1024);
    struct made weak = make_cert("weak.test", small, &ca, 12, -1, 100, "DNS:weak.test", 0, EVP_sha256());
    assert_true(check(&weak, NULL, store, "weak.test", T0, &r) & CERT_WEAK_KEY);
    /* SHA-1 signature */
    struct made sha1 = make_cert("sha1.test", leaf_key, &ca, 13, -1, 100, "DNS:sha1.test", 0, EVP_sha1());
    assert_true(check(&sha1, NULL, store, "sha1.test", T0, &r) & CERT_WEAK_SIGNATURE);
    /* an intermediate sent by the server completes the chain */
    EVP_PKEY *ik = rsa_key(2048);
    struct made inter = make_cert("Test Intermediate", ik, &ca, 14, -100, 1000, NULL, 1, EVP_sha256());
    struct made via = make_cert("via.test", leaf_key, &inter, 15, -1, 100, "DNS:via.test", 0, EVP_sha256());
    assert_int_equal(check(&via, &inter, store, "via.test", T0, &r), 0);
    assert_int_equal(r.chain_len, 2);
    assert_int_equal(check(&via, NULL, store, "via.test", T0, &r), CERT_UNTRUSTED);   /* missing intermediate */
    /* no certificate at all; garbage leaf */
    assert_int_equal(cert_chain_check(NULL, 0, store, "x", T0, 30, &r, &err), 0);
    assert_int_equal(r.flags, CERT_NO_CERTIFICATE | CERT_UNTRUSTED);
    struct tls_view junk = { (const uint8_t *)"\x30\x03\x02\x01\x07", 5 };
    assert_int_equal(cert_chain_check(&junk, 1, store, "x", T0, 30, &r, &err), -1);
    assert_string_equal(cert_flag_name(CERT_NAME_MISMATCH), "name_mismatch");
    assert_null(cert_flag_name(1u << 30));
    assert_null(cert_store_new("/nonexistent/ca.pem", &err));
    assert_non_null(strstr(err.msg, "/nonexistent/ca.pem"));

    made_free(&good); made_free(&self); made_free(&weak); made_free(&sha1); made_free(&inter); made_free(&via);
    EVP_PKEY_free(small);
    EVP_PKEY_free(ik);
    cert_store_free(store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_fields),
        cmocka_unit_test(test_bad_der),
        cmocka_unit_test(test_chain_flags),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
