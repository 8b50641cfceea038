/*
 * ServerKeyExchange bodies by hand for each key exchange layout: ECDHE
 * (TLS 1.2 and 1.0), DHE (prime size with leading zeros), RSA_EXPORT,
 * PSK hints, anonymous DH, explicit curves, and malformed ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tls/server_key_exchange.h"
#include "tls/version.h"

static uint8_t *put16(uint8_t *p, unsigned v)
{
    *p++ = (uint8_t)(v >> 8);
    *p++ = (uint8_t)v;
    return p;
}

static uint8_t *block(uint8_t *p, size_t n, uint8_t fill)
{
    p = put16(p, (unsigned)n);
    memset(p, fill, n);
    return p + n;
}

static void test_ecdhe(void **state)
{
    (void)state;
    uint8_t b[512], *p = b;
    struct server_key_exchange ske;
    struct tr_error err;
    *p++ = 3; p = put16(p, 0x001d); *p++ = 32; memset(p, 9, 32); p += 32;
    p = put16(p, 0x0403); p = block(p, 72, 0x30);
    assert_int_equal(server_key_exchange_parse(b, (size_t)(p - b), 0xc02b, TLSV_TLS12, &ske, &err), 0);
    assert_int_equal(ske.kind, SKE_ECDHE);
    assert_int_equal(ske.group, 0x001d);
    assert_int_equal(ske.ec_point_len, 32);
    assert_true(ske.is_signed);
    assert_int_equal(ske.sig_scheme, 0x0403);
    assert_int_equal(ske.sig_len, 72);
    /* the same layout before TLS 1.2 has no signature algorithm field */
    p = b + 1 + 2 + 1 + 32;
    p = block(p, 128, 0x31);
    assert_int_equal(server_key_exchange_parse(b, (size_t)(p - b), 0xc013, TLSV_TLS10, &ske, &err), 0);
    assert_int_equal(ske.sig_scheme, 0);
    assert_int_equal(ske.sig_len, 128);
    /* truncated anywhere: an error naming an offset, never a read past the end */
    for (size_t n = 0; n < (size_t)(p - b); n++)
        assert_int_equal(server_key_exchange_parse(b, n, 0xc013, TLSV_TLS10, &ske, &err), -1);
    assert_non_null(strstr(err.msg, "offset"));
    /* trailing bytes */
    *p++ = 0;
    assert_int_equal(server_key_exchange_parse(b, (size_t)(p - b), 0xc013, TLSV_TLS10, &ske, &err), -1);
    assert_non_null(strstr(err.msg, "trailing"));
    /* explicit curve: recognised, not decoded */
    b[0] = 1;
    assert_int_equal(server_key_exchange_parse(b, 10, 0xc013, TLSV_TLS12, &ske, &err), 0);
    assert_int_equal(ske.ec_curve_type, 1);
    assert_int_equal(ske.group, 0);
}

static void test_dhe_and_export(void **state)
{
    (void)state;
    uint8_t b[1024], *p = b;
    struct server_key_exchange ske;
    struct tr_error err;
    /* p: 0x00 0x01 then 126 bytes: 127 significant bytes, top byte 0x01 -> 126*8 + 1 = 1009 bits */
    p = put16(p, 128); *p++ = 0; *p++ = 1; memset(p, 0xff, 126); p += 126;
    p = block(p, 1, 2);
    p = block(p, 128, 0x42);
    p = put16(p, 0x0401); p = block(p, 256, 0x43);
    assert_int_equal(server_key_exchange_parse(b, (size_t)(p - b), 0x009e, TLSV_TLS12, &ske, &err), 0);
    assert_int_equal(ske.kind, SKE_DHE);
    assert_int_equal(ske.dh_p_bits, 1009);
    assert_int_equal(ske.dh_g_len, 1);
    assert_int_equal(ske.dh_ys_len, 128);
    /* anonymous DH: no signature */
    p = b + 2 + 128 + 3 + 130;
    assert_int_equal(server_key_exchange_parse(b, (size_t)(p - b), 0x0034, TLSV_TLS10, &ske, &err), 0);
    assert_false(ske.is_signed);
    /* DHE_PSK: hint first, then DH params, unsigned */
    uint8_t c[1024], *q = c;
    q = block(q, 5, 'h');
    memcpy(q, b, (size_t)(p - b)); q += p - b;
    assert_int_equal(server_key_exchange_parse(c, (size_t)(q - c), 0x0090, TLSV_TLS10, &ske, &err), 0);
    assert_int_equal(ske.kind, SKE_DHE);
    assert_false(ske.is_signed);
    /* plain PSK: hint only */
    assert_int_equal(server_key_exchange_parse(c, 7, 0x008c, TLSV_TLS10, &ske, &err), 0);
    assert_int_equal(ske.kind, SKE_PSK_HINT_ONLY);
    /* RSA_EXPORT: a 512-bit temporary key, signed (MD5+SHA1, no algorithm field in TLS 1.0) */
    p = b;
    p = put16(p, 64); *p++ = 0xc0; memset(p, 1, 63); p += 63;
    p = block(p, 3, 1);
    p = block(p, 64, 7);
    assert_int_equal(server_key_exchange_parse(b, (size_t)(p - b), 0x0003, TLSV_TLS10, &ske, &err), 0);
    assert_int_equal(ske.kind, SKE_RSA_EXPORT);
    assert_int_equal(ske.rsa_modulus_bits, 512);
    assert_true(ske.is_signed);
    /* an empty dh_p is malformed; an unknown suite is "unknown", not an error */
    p = b;
    p = put16(p, 0);
    assert_int_equal(server_key_exchange_parse(b, 2, 0x009e, TLSV_TLS12, &ske, &err), -1);
    assert_int_equal(server_key_exchange_parse(b, 2, 0xfefe, TLSV_TLS12, &ske, &err), 0);
    assert_int_equal(ske.kind, SKE_UNKNOWN);
    assert_int_equal(server_key_exchange_parse(b, 2, 0xc01d, TLSV_TLS12, &ske, &err), 0);   /* SRP */
    assert_int_equal(ske.kind, SKE_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecdhe),
        cmocka_unit_test(test_dhe_and_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
