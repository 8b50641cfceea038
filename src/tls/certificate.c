/*
 * Certificate decoding and chain verification with OpenSSL (certificate.h).
 * OpenSSL does the ASN.1 and the cryptography; this file only turns its
 * answers into plain values and flags.
 */
#include "tls/certificate.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

struct cert_store {
    X509_STORE *store;
};

static void name_oneline(const X509_NAME *name, char *out, size_t cap)
{
    BIO *bio = BIO_new(BIO_s_mem());
    out[0] = 0;
    if (bio == NULL)
        return;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        int n = BIO_read(bio, out, (int)cap - 1);
        out[n > 0 ? n : 0] = 0;
    }
    BIO_free(bio);
}

static int64_t asn1_time_unix(const ASN1_TIME *t)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm);
}

static void copy_sans(X509 *x, struct cert_info *out)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int n = names ? sk_GENERAL_NAME_num(names) : 0;
    for (int i = 0; i < n; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        char buf[CERT_NAME_LEN];
        buf[0] = 0;
        if (gn->type == GEN_DNS) {
            const ASN1_IA5STRING *s = gn->d.dNSName;
            snprintf(buf, sizeof buf, "DNS:%.*s", ASN1_STRING_length(s), (const char *)ASN1_STRING_get0_data(s));
        } else if (gn->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *s = gn->d.iPAddress;
            char ip[INET6_ADDRSTRLEN] = "?";
            if (ASN1_STRING_length(s) == 4)
                inet_ntop(AF_INET, ASN1_STRING_get0_data(s), ip, sizeof ip);
            else if (ASN1_STRING_length(s) == 16)
                inet_ntop(AF_INET6, ASN1_STRING_get0_data(s), ip, sizeof ip);
            snprintf(buf, sizeof buf, "IP:%s", ip);
        } else if (gn->type == GEN_EMAIL) {
            const ASN1_IA5STRING *s = gn->d.rfc822Name;
            snprintf(buf, sizeof buf, "email:%.*s", ASN1_STRING_length(s), (const char *)ASN1_STRING_get0_data(s));
        } else if (gn->type == GEN_URI) {
            const ASN1_IA5STRING *s = gn->d.uniformResourceIdentifier;
            snprintf(buf, sizeof buf, "URI:%.*s", ASN1_STRING_length(s), (const char *)ASN1_STRING_get0_data(s));
        } else {
            continue;
        }
        for (char *c = buf; *c; c++)      /* names from the wire: printable only */
            if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                *c = '?';
        if (out->n_sans < CERT_MAX_SANS)
            memcpy(out->sans[out->n_sans++], buf, sizeof buf);
        else
            out->sans_truncated = 1;
    }
    GENERAL_NAMES_free(names);
}

static void copy_key(X509 *x, struct cert_info *out)
{
    EVP_PKEY *pk = X509_get0_pubkey(x);
    const char *type = "unknown";
    out->key_curve[0] = 0;
    if (pk == NULL) {
        snprintf(out->key_type, sizeof out->key_type, "%s", type);
        return;
    }
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: case EVP_PKEY_RSA_PSS: type = "RSA"; break;
    case EVP_PKEY_EC: type = "EC"; break;
    case EVP_PKEY_DSA: type = "DSA"; break;
    case EVP_PKEY_ED25519: type = "Ed25519"; break;
    case EVP_PKEY_ED448: type = "Ed448"; break;
    default: break;
    }
    snprintf(out->key_type, sizeof out->key_type, "%s", type);
    out->key_bits = EVP_PKEY_get_bits(pk);
    if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(pk, "group", out->key_curve, sizeof out->key_curve, &len) != 1)
            out->key_curve[0] = 0;
    }
}

static void fill_info(X509 *x, const uint8_t *der, size_t len, struct cert_info *out)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int mdlen = 0;
    int nid;

    memset(out, 0, sizeof *out);
    name_oneline(X509_get_subject_name(x), out->subject, sizeof out->subject);
    name_oneline(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, out->common_name,
                              sizeof out->common_name);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    snprintf(out->serial, sizeof out->serial, "%s", hex ? hex : "");
    OPENSSL_free(hex);
    BN_free(bn);
    copy_sans(x, out);
    out->not_before = asn1_time_unix(X509_get0_notBefore(x));
    out->not_after = asn1_time_unix(X509_get0_notAfter(x));
    copy_key(x, out);
    nid = X509_get_signature_nid(x);
    snprintf(out->sig_alg, sizeof out->sig_alg, "%s", nid != NID_undef ? OBJ_nid2ln(nid) : "unknown");
    int md_nid = NID_undef, pk_nid = NID_undef;
    if (OBJ_find_sigid_algs(nid, &md_nid, &pk_nid))
        out->sig_weak = md_nid == NID_md5 || md_nid == NID_sha1 || md_nid == NID_md2 || md_nid == NID_md4;
    if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) == 1)
        for (unsigned i = 0; i < mdlen && i < 32; i++) {
            out->sha256[2 * i] = digits[md[i] >> 4];
            out->sha256[2 * i + 1] = digits[md[i] & 0xf];
        }
    out->self_signed = (X509_get_extension_flags(x) & EXFLAG_SS) != 0;
    out->is_ca = X509_check_ca(x) > 0;
}

static X509 *decode(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    if (len == 0 || len > 0x7fffffff)
        return NULL;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x && p != der + len) {   /* trailing bytes after the certificate */
        X509_free(x);
        return NULL;
    }
    return x;
}

int cert_info_from_der(const uint8_t *der, size_t len, struct cert_info *out, struct tr_error *err)
{
    X509 *x = decode(der, len);
    if (x == NULL)
        return tr_errorf(err, "certificate: %zu bytes are not one DER X.509 certificate", len);
    fill_info(x, der, len, out);
    X509_free(x);
    return 0;
}

long cert_days_left(const struct cert_info *ci, time_t now)
{
    int64_t d = ci->not_after - (int64_t)now;
    return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

struct cert_store *cert_store_new(const char *ca_file, struct tr_error *err)
{
    struct cert_store *s = calloc(1, sizeof *s);
    if (s == NULL || (s->store = X509_STORE_new()) == NULL) {
        free(s);
        tr_errorf(err, "certificate store: out of memory");
        return NULL;
    }
    int ok = ca_file ? X509_STORE_load_file(s->store, ca_file) : X509_STORE_set_default_paths(s->store);
    if (ok != 1) {
        tr_errorf(err, "certificate store: cannot load '%s'", ca_file ? ca_file : "system default");
        cert_store_free(s);
        return NULL;
    }
    return s;
}

void cert_store_free(struct cert_store *store)
{
    if (store == NULL)
        return;
    X509_STORE_free(store->store);
    free(store);
}

static int is_ip_literal(const char *s)
{
    unsigned char tmp[16];
    return inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1;
}

int cert_chain_check(const struct tls_view *certs, size_t n_certs, const struct cert_store *store,
                     const char *hostname, time_t now, int warn_days, struct cert_chain_result *out,
                     struct tr_error *err)
{
    STACK_OF(X509) *untrusted = NULL;
    X509_STORE_CTX *ctx = NULL;
    X509 *leaf = NULL;
    struct cert_info ci;
    int ret = -1;

    memset(out, 0, sizeof *out);
    if (n_certs == 0) {
        out->flags = CERT_NO_CERTIFICATE | CERT_UNTRUSTED;
        return 0;
    }
    leaf = decode(certs[0].data, certs[0].len);
    if (leaf == NULL)
        return tr_errorf(err, "certificate: the leaf (%zu bytes) is not DER X.509", certs[0].len);
    fill_info(leaf, certs[0].data, certs[0].len, &ci);
    out->chain_len = 1;
    out->days_left = cert_days_left(&ci, now);
    if ((int64_t)now > ci.not_after)
        out->flags |= CERT_EXPIRED;
    else if ((int64_t)now < ci.not_before)
        out->flags |= CERT_NOT_YET_VALID;
    else if (warn_days > 0 && out->days_left < warn_days)
        out->flags |= CERT_EXPIRING_SOON;
    if (ci.self_signed)
        out->flags |= CERT_SELF_SIGNED;
    if (((strcmp(ci.key_type, "RSA") == 0 || strcmp(ci.key_type, "DSA") == 0) && ci.key_bits < 2048) ||
        (strcmp(ci.key_type, "EC") == 0 && ci.key_bits < 224))
        out->flags |= CERT_WEAK_KEY;
    if (ci.sig_weak && !ci.self_signed)
        out->flags |= CERT_WEAK_SIGNATURE;

    untrusted = sk_X509_new_null();
    if (untrusted == NULL)
        goto exit;
    for (size_t i = 1; i < n_certs; i++) {
        X509 *x = decode(certs[i].data, certs[i].len);
        if (x == NULL)
            continue;   /* an undecodable intermediate just does not help the chain */
        struct cert_info ii;
        fill_info(x, certs[i].data, certs[i].len, &ii);
        if (ii.sig_weak && !ii.self_signed)
            out->flags |= CERT_WEAK_SIGNATURE;
        if (!sk_X509_push(untrusted, x)) {
            X509_free(x);
            goto exit;
        }
        out->chain_len++;
    }
    if (hostname && hostname[0]) {
        out->hostname_checked = 1;
        out->hostname_match = is_ip_literal(hostname) ? X509_check_ip_asc(leaf, hostname, 0) == 1
                                                      : X509_check_host(leaf, hostname, 0, 0, NULL) == 1;
        if (!out->hostname_match)
            out->flags |= CERT_NAME_MISMATCH;
    }
    if (store) {
        ctx = X509_STORE_CTX_new();
        if (ctx == NULL || X509_STORE_CTX_init(ctx, store->store, leaf, untrusted) != 1)
            goto exit;
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), now);
        out->verified = X509_verify_cert(ctx) == 1;
        out->verify_error = out->verified ? 0 : X509_STORE_CTX_get_error(ctx);
    } else {
        out->verify_error = X509_V_ERR_UNSPECIFIED;
    }
    snprintf(out->verify_message, sizeof out->verify_message, "%s",
             X509_verify_cert_error_string(out->verify_error));
    if (!out->verified)
        out->flags |= CERT_UNTRUSTED;
    ret = 0;
exit:
    if (ret != 0)
        tr_errorf(err, "certificate: out of memory while verifying");
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(untrusted, X509_free);
    X509_free(leaf);
    return ret;
}

const char *cert_flag_name(unsigned flag)
{
    switch (flag) {
    case CERT_EXPIRED: return "expired";
    case CERT_NOT_YET_VALID: return "not_yet_valid";
    case CERT_SELF_SIGNED: return "self_signed";
    case CERT_UNTRUSTED: return "untrusted";
    case CERT_NAME_MISMATCH: return "name_mismatch";
    case CERT_WEAK_KEY: return "weak_key";
    case CERT_WEAK_SIGNATURE: return "weak_signature";
    case CERT_EXPIRING_SOON: return "expiring_soon";
    case CERT_NO_CERTIFICATE: return "no_certificate";
    default: return NULL;
    }
}
