/*
 * Certificates as servers send them (DER views from server_flight_parse),
 * decoded and verified with OpenSSL: what a scan reports about a chain.
 *
 *   cert_info_from_der()  one certificate: subject, issuer, SANs, serial,
 *                         validity, key, signature algorithm, SHA-256
 *   cert_store_new()      the trust anchors: system store or a CA file (load once)
 *   cert_chain_check()    verify the chain (leaf first, as sent) against the
 *                         store at a given time, match the host name, and set flags
 *
 * Times are explicit parameters (never the clock inside), so tests are exact.
 */
#ifndef TR_TLS_CERTIFICATE_H
#define TR_TLS_CERTIFICATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tls/server_reply.h"
#include "util/error.h"

#define CERT_MAX_SANS 64
#define CERT_NAME_LEN 256

struct cert_info {
    char subject[CERT_NAME_LEN];      /* RFC 2253 one-line form: "CN=example.com,O=Example" */
    char issuer[CERT_NAME_LEN];
    char common_name[CERT_NAME_LEN];  /* subject CN, "" if none */
    char serial[80];                  /* hex, uppercase, no separators */
    char sans[CERT_MAX_SANS][CERT_NAME_LEN]; /* "DNS:example.com", "IP:127.0.0.1" */
    size_t n_sans;
    int sans_truncated;
    int64_t not_before;               /* Unix seconds */
    int64_t not_after;
    char key_type[16];                /* "RSA", "EC", "DSA", "Ed25519", "Ed448", "unknown" */
    int key_bits;                     /* RSA/DSA modulus bits; EC field bits */
    char key_curve[32];               /* EC curve short name ("prime256v1"), "" otherwise */
    char sig_alg[64];                 /* "sha256WithRSAEncryption", "ecdsa-with-SHA256", ... */
    int sig_weak;                     /* signature hash is MD5 or SHA-1 */
    char sha256[65];                  /* fingerprint of the DER, lowercase hex */
    int self_signed;                  /* issuer == subject and the signature verifies with its own key */
    int is_ca;
};

/* Decodes one DER certificate. Returns 0, or -1 with err set. */
int cert_info_from_der(const uint8_t *der, size_t len, struct cert_info *out, struct tr_error *err);
/* Whole days from `now` until not_after (negative once expired). */
long cert_days_left(const struct cert_info *ci, time_t now);

/* Trust anchors. ca_file NULL = the system default store. */
struct cert_store;
struct cert_store *cert_store_new(const char *ca_file, struct tr_error *err);
void cert_store_free(struct cert_store *store);

enum cert_flag {
    CERT_EXPIRED        = 1 << 0,
    CERT_NOT_YET_VALID  = 1 << 1,
    CERT_SELF_SIGNED    = 1 << 2,   /* the leaf is self-signed */
    CERT_UNTRUSTED      = 1 << 3,   /* the chain does not verify to an anchor (for any reason) */
    CERT_NAME_MISMATCH  = 1 << 4,   /* host name given and not matched by SAN/CN */
    CERT_WEAK_KEY       = 1 << 5,   /* RSA/DSA under 2048 bits, EC under 224 */
    CERT_WEAK_SIGNATURE = 1 << 6,   /* MD5 or SHA-1 signature on a non-root certificate */
    CERT_EXPIRING_SOON  = 1 << 7,   /* valid now but expires within warn_days */
    CERT_NO_CERTIFICATE = 1 << 8,   /* empty chain */
};

struct cert_chain_result {
    unsigned flags;                  /* enum cert_flag bits */
    int verified;                    /* chain verified to a trust anchor */
    int verify_error;                /* OpenSSL X509_V_ERR_* (0 when verified) */
    char verify_message[128];        /* X509_verify_cert_error_string() */
    int hostname_checked;
    int hostname_match;
    long days_left;                  /* of the leaf */
    size_t chain_len;                /* certificates decoded */
};

/*
 * Verifies `certs` (leaf first, as the server sent them; the rest are
 * untrusted intermediates) against `store` at time `now`, checks `hostname`
 * (NULL = skip; an IP literal is matched against IP SANs), and sets flags.
 * Returns 0 (the verdict is in *out even when the chain does not verify), or
 * -1 with err set when the leaf cannot be decoded.
 */
int cert_chain_check(const struct tls_view *certs, size_t n_certs, const struct cert_store *store,
                     const char *hostname, time_t now, int warn_days, struct cert_chain_result *out,
                     struct tr_error *err);

/* "expired", "not_yet_valid", ... for one flag bit; NULL for an unknown bit. */
const char *cert_flag_name(unsigned flag);

#endif
