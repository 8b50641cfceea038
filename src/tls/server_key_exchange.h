/*
 * ServerKeyExchange (RFC 5246 7.4.3, RFC 8422 5.4, RFC 4279 for PSK): what
 * the server's ephemeral key exchange parameters say about its strength.
 * The layout depends on the negotiated suite's key exchange, so the parser
 * takes the suite code and the negotiated version.
 *
 *   ECDHE:      curve_type8 (3 = named_curve) | group16 | point<1..255> | signature
 *   DHE:        dh_p<1..2^16-1> | dh_g<1..> | dh_Ys<1..> | signature
 *   RSA_EXPORT: rsa_modulus<1..> | rsa_exponent<1..> | signature
 *   *_PSK:      psk_identity_hint<0..2^16-1> before the above (plain PSK: hint only)
 *   signature:  [sigalg16 (TLS 1.2)] | signature<0..2^16-1>; absent for anon/PSK
 */
#ifndef TR_TLS_SERVER_KEY_EXCHANGE_H
#define TR_TLS_SERVER_KEY_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum ske_kind {
    SKE_NONE = 0,
    SKE_ECDHE,
    SKE_DHE,
    SKE_RSA_EXPORT,
    SKE_PSK_HINT_ONLY,
    SKE_UNKNOWN,          /* key exchange we do not decode (SRP, GOST, ...) */
};

struct server_key_exchange {
    int kind;                 /* enum ske_kind */
    uint16_t group;           /* ECDHE named group (0 otherwise) */
    uint8_t ec_curve_type;    /* 3 named_curve; 1/2 explicit curves (group stays 0) */
    uint16_t ec_point_len;
    uint16_t dh_p_bits;       /* DHE prime size in bits (leading zero bits removed) */
    uint16_t dh_g_len;
    uint16_t dh_ys_len;
    uint16_t rsa_modulus_bits;/* RSA_EXPORT temporary key */
    int is_signed;            /* a signature follows */
    uint16_t sig_scheme;      /* TLS 1.2 SignatureAndHashAlgorithm; 0 before TLS 1.2 */
    uint16_t sig_len;
};

/*
 * Parses a ServerKeyExchange body for `cipher_suite` negotiated at enum
 * tls_version `version`. Returns 0, or -1 with err saying what and at which
 * offset in the body.
 */
int server_key_exchange_parse(const uint8_t *body, size_t len, uint16_t cipher_suite, int version,
                              struct server_key_exchange *out, struct tr_error *err);

#endif
