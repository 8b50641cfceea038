/* ServerKeyExchange decoding: see server_key_exchange.h for the layouts. */
#include "tls/server_key_exchange.h"

#include <string.h>

#include "tls/decode.h"
#include "tls/registry.h"
#include "tls/version.h"

/* Bits of a big-endian unsigned integer, leading zeros removed. */
static uint16_t bignum_bits(const uint8_t *p, size_t n)
{
    while (n > 0 && *p == 0) {
        p++;
        n--;
    }
    if (n == 0)
        return 0;
    unsigned bits = (unsigned)(n - 1) * 8;
    for (uint8_t top = *p; top; top >>= 1)
        bits++;
    return bits > 65535 ? 65535 : (uint16_t)bits;
}

#define FAIL(what) do { \
        tr_errorf(err, "server key exchange: %s at offset %zu", (what), (size_t)(src - body)); \
        return -1; \
    } while (0)

int server_key_exchange_parse(const uint8_t *body, size_t len, uint16_t cipher_suite, int version,
                              struct server_key_exchange *out, struct tr_error *err)
{
    const uint8_t *src = body, *end = body + len, *blk;
    const struct cipher_suite *cs = cipher_suite_lookup(cipher_suite);
    const char *kx = cs ? cs->kx : "";
    int has_hint = strstr(kx, "PSK") != NULL;
    int is_signed;

    memset(out, 0, sizeof *out);
    if (cs == NULL) {
        out->kind = SKE_UNKNOWN;
        return 0;
    }
    is_signed = strcmp(cs->auth, "RSA") == 0 || strcmp(cs->auth, "DSS") == 0 ||
                strcmp(cs->auth, "ECDSA") == 0;
    if (strcmp(kx, "RSA_PSK") == 0)
        is_signed = 0;  /* RFC 4279 2: hint only, the RSA key is in the certificate */
    if (has_hint) {   /* RFC 4279 2: psk_identity_hint<0..2^16-1> */
        if (tls_decode_open_block(&src, end, 2, &blk) != 0)
            FAIL("truncated psk_identity_hint");
        src = blk;
    }
    if (strncmp(kx, "ECDHE", 5) == 0) {
        uint8_t curve_type;
        out->kind = SKE_ECDHE;
        if (tls_decode8(&curve_type, &src, end) != 0)
            FAIL("truncated curve_type");
        out->ec_curve_type = curve_type;
        if (curve_type != 3)   /* explicit curves (RFC 4492 5.4): not decoded further */
            return 0;
        if (tls_decode16(&out->group, &src, end) != 0)
            FAIL("truncated named_curve");
        if (tls_decode_open_block(&src, end, 1, &blk) != 0 || blk == src)
            FAIL("bad ECPoint length");
        out->ec_point_len = (uint16_t)(blk - src);
        src = blk;
    } else if (strncmp(kx, "DHE", 3) == 0) {
        out->kind = SKE_DHE;
        if (tls_decode_open_block(&src, end, 2, &blk) != 0 || blk == src)
            FAIL("bad dh_p length");
        out->dh_p_bits = bignum_bits(src, (size_t)(blk - src));
        src = blk;
        if (tls_decode_open_block(&src, end, 2, &blk) != 0 || blk == src)
            FAIL("bad dh_g length");
        out->dh_g_len = (uint16_t)(blk - src);
        src = blk;
        if (tls_decode_open_block(&src, end, 2, &blk) != 0 || blk == src)
            FAIL("bad dh_Ys length");
        out->dh_ys_len = (uint16_t)(blk - src);
        src = blk;
    } else if (strcmp(kx, "RSA_EXPORT") == 0) {
        out->kind = SKE_RSA_EXPORT;
        if (tls_decode_open_block(&src, end, 2, &blk) != 0 || blk == src)
            FAIL("bad rsa_modulus length");
        out->rsa_modulus_bits = bignum_bits(src, (size_t)(blk - src));
        src = blk;
        if (tls_decode_open_block(&src, end, 2, &blk) != 0 || blk == src)
            FAIL("bad rsa_exponent length");
        src = blk;
    } else if (has_hint) {
        out->kind = SKE_PSK_HINT_ONLY;
        is_signed = 0;
    } else {
        out->kind = SKE_UNKNOWN;   /* SRP, GOST, ECCPWD, ...: not decoded */
        return 0;
    }
    if (strstr(kx, "PSK") != NULL && strcmp(kx, "RSA_PSK") != 0)
        is_signed = 0;
    if (is_signed) {
        out->is_signed = 1;
        if (version >= TLSV_TLS12 && tls_decode16(&out->sig_scheme, &src, end) != 0)
            FAIL("truncated signature algorithm");
        if (tls_decode_open_block(&src, end, 2, &blk) != 0)
            FAIL("bad signature length");
        out->sig_len = (uint16_t)(blk - src);
        src = blk;
    }
    if (src != end)
        FAIL("trailing bytes");
    return 0;
}
