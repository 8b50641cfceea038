/*
 * ClientHello parser and fingerprints over hand-made bytes: a Chrome-like
 * hello with GREASE (published JA3/JA4 of browserleaks.com's capture of
 * Chrome 143), truncation at every length, records split every way, the
 * SSLv2-compatible hello, caps, and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tls/client_hello_parse.h"
#include "tls/fingerprint.h"
#include "tls/version.h"

static uint8_t *put(uint8_t *p, const void *src, size_t n)
{
    memcpy(p, src, n);
    return p + n;
}

static uint8_t *put16(uint8_t *p, unsigned v)
{
    *p++ = (uint8_t)(v >> 8);
    *p++ = (uint8_t)v;
    return p;
}

/* Chrome 143's hello as published by browserleaks (ja3_text / ja4_r), with GREASE added. */
static const uint16_t chrome_suites[] = {
    0x3a3a, 4865, 4866, 4867, 49195, 49199, 49196, 49200, 52393, 52392, 49171, 49172, 156, 157, 47, 53,
};
static const uint16_t chrome_exts[] = {
    0x1a1a, 45, 51, 16, 65037, 23, 17613, 0, 11, 10, 43, 65281, 35, 18, 5, 13, 27, 0x2a2a,
};

static uint8_t *chrome_ext_body(uint8_t *p, uint16_t type)
{
    switch (type) {
    case 0: {
        static const char host[] = "tls.browserleaks.com";
        p = put16(p, 3 + (unsigned)strlen(host));
        *p++ = 0;
        p = put16(p, (unsigned)strlen(host));
        return put(p, host, strlen(host));
    }
    case 16:
        p = put16(p, 12);
        *p++ = 2; p = put(p, "h2", 2);
        *p++ = 8; return put(p, "http/1.1", 8);
    case 10:
        p = put16(p, 10);
        p = put16(p, 0x4a4a); p = put16(p, 4588); p = put16(p, 29); p = put16(p, 23); return put16(p, 24);
    case 11:
        *p++ = 1; *p++ = 0; return p;
    case 43:
        *p++ = 6; p = put16(p, 0x5a5a); p = put16(p, 0x0304); return put16(p, 0x0303);
    case 13: {
        static const uint16_t s[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };
        p = put16(p, 16);
        for (int i = 0; i < 8; i++)
            p = put16(p, s[i]);
        return p;
    }
    case 51:
        p = put16(p, 5 + 36);
        p = put16(p, 0x4a4a); p = put16(p, 1); *p++ = 0;
        p = put16(p, 29); p = put16(p, 32); memset(p, 0x77, 32); return p + 32;
    case 45:
        *p++ = 1; *p++ = 1; return p;
    case 65281:
        *p++ = 0; return p;
    case 27:
        *p++ = 2; return put16(p, 2);
    case 5:
        *p++ = 1; p = put16(p, 0); return put16(p, 0);
    case 65037: case 17613:
        memset(p, 0x5e, 9); return p + 9;
    case 0x2a2a:
        *p++ = 0; return p;
    default:
        return p;
    }
}

/* Returns the handshake message (header included) length written to out. */
static size_t chrome_hello(uint8_t *out)
{
    uint8_t *p = out + 4, *ext_len;
    p = put16(p, 0x0303);
    memset(p, 0x01, 32); p += 32;
    *p++ = 32; memset(p, 0x02, 32); p += 32;
    p = put16(p, sizeof chrome_suites);
    for (size_t i = 0; i < sizeof chrome_suites / 2; i++)
        p = put16(p, chrome_suites[i]);
    *p++ = 1; *p++ = 0;
    ext_len = p; p += 2;
    for (size_t i = 0; i < sizeof chrome_exts / 2; i++) {
        uint8_t *len_at;
        p = put16(p, chrome_exts[i]);
        len_at = p; p += 2;
        p = chrome_ext_body(p, chrome_exts[i]);
        put16(len_at, (unsigned)(p - len_at - 2));
    }
    put16(ext_len, (unsigned)(p - ext_len - 2));
    size_t body = (size_t)(p - out - 4);
    out[0] = 1; out[1] = (uint8_t)(body >> 16); out[2] = (uint8_t)(body >> 8); out[3] = (uint8_t)body;
    return body + 4;
}

static size_t wrap_records(uint8_t *out, const uint8_t *msg, size_t len, size_t frag)
{
    uint8_t *p = out;
    for (size_t off = 0; off < len; off += frag) {
        size_t n = len - off < frag ? len - off : frag;
        *p++ = 22; p = put16(p, 0x0301); p = put16(p, (unsigned)n);
        p = put(p, msg + off, n);
    }
    return (size_t)(p - out);
}

static void check_chrome(const struct client_hello_info *ch)
{
    char s[JA3_STR_MAX], h[33], j4[JA4_STR_MAX];
    assert_int_equal(ch->legacy_version, 0x0303);
    assert_int_equal(ch->max_offered, TLSV_TLS13);
    assert_int_equal(ch->n_suites, 16);
    assert_int_equal(ch->suites[0], 0x3a3a);
    assert_int_equal(ch->n_extensions, 18);
    assert_string_equal(ch->sni, "tls.browserleaks.com");
    assert_int_equal(ch->n_alpn, 2);
    assert_string_equal(ch->alpn[0], "h2");
    assert_int_equal(ch->n_groups, 5);
    assert_int_equal(ch->n_sigalgs, 8);
    assert_int_equal(ch->n_key_shares, 2);
    assert_int_equal(ch->key_share_groups[1], 29);
    assert_int_equal(ch->n_supported_versions, 3);
    assert_true(ch->renegotiation_info);
    assert_false(ch->truncated);
    assert_int_equal(ja3_string(ch, s, sizeof s), 0);
    assert_string_equal(s, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
                           "45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0");
    assert_int_equal(ja3_hash(ch, h), 0);
    assert_string_equal(h, "98487aa16281980e7d1120d399efb6a4");
    assert_int_equal(ja4(ch, 't', j4), 0);
    assert_string_equal(j4, "t13d1516h2_8daaf6152771_d8a2da3f94cd");
    assert_int_equal(ja4_raw(ch, 't', s, sizeof s), 0);
    assert_string_equal(s, "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
                           "0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01_"
                           "0403,0804,0401,0503,0805,0501,0806,0601");
}

static void test_chrome_hello(void **state)
{
    (void)state;
    static uint8_t msg[2048], recs[2048 * 8];
    struct client_hello_info ch;
    struct tr_error err;
    size_t used, n = chrome_hello(msg);
    assert_int_equal(client_hello_parse(msg + 4, n - 4, &ch, &err), CH_OK);
    check_chrome(&ch);
    static const size_t frags[] = { 1, 3, 4, 5, 50, 100, 511, 16384 };
    for (size_t f = 0; f < sizeof frags / sizeof frags[0]; f++) {
        size_t rl = wrap_records(recs, msg, n, frags[f]);
        assert_int_equal(client_hello_from_records(recs, rl, &ch, &used, &err), CH_OK);
        assert_int_equal(used, rl);
        assert_int_equal(ch.record_version, 0x0301);
        check_chrome(&ch);
        /* every proper prefix of the records needs more */
        for (size_t k = 0; k < rl; k += (frags[f] < 10 ? 37 : 1)) {
            int st = client_hello_from_records(recs, k, &ch, &used, &err);
            if (st != CH_NEED_MORE)
                fail_msg("frag %zu, %zu of %zu bytes: %d (%s)", frags[f], k, rl, st, err.msg);
        }
    }
}

static void test_truncated_body(void **state)
{
    (void)state;
    static uint8_t msg[2048];
    struct client_hello_info ch;
    struct tr_error err;
    size_t n = chrome_hello(msg);
    /* every proper prefix of the body is an error, never a read past the end */
    for (size_t k = 0; k < n - 4; k++) {
        int st = client_hello_parse(msg + 4, k, &ch, &err);
        if (k == 2 + 32 + 33 + sizeof chrome_suites + 2 + 2)   /* ends right before the extensions block */
            assert_int_equal(st, CH_OK);
        else if (st != CH_ERROR)
            fail_msg("%zu bytes parsed as ok", k);
    }
    assert_non_null(strstr(err.msg, "offset"));
}

static void test_malformed(void **state)
{
    (void)state;
    static uint8_t msg[2048], m2[2048];
    struct client_hello_info ch;
    struct tr_error err;
    size_t n = chrome_hello(msg);
    /* duplicate extension: turn 23 (extended_master_secret) into 35 (session_ticket) */
    memcpy(m2, msg, n);
    for (size_t i = 4 + 2 + 32 + 33; i + 4 < n; i++)
        if (m2[i] == 0x00 && m2[i + 1] == 23 && m2[i + 2] == 0 && m2[i + 3] == 0) {
            m2[i + 1] = 35;
            break;
        }
    assert_int_equal(client_hello_parse(m2 + 4, n - 4, &ch, &err), CH_ERROR);
    assert_non_null(strstr(err.msg, "duplicate"));
    /* session id longer than 32 */
    memcpy(m2, msg, n);
    m2[4 + 34] = 33;
    assert_int_equal(client_hello_parse(m2 + 4, n - 4, &ch, &err), CH_ERROR);
    /* odd cipher suites length */
    memcpy(m2, msg, n);
    m2[4 + 2 + 32 + 33 + 1] = 31;
    assert_int_equal(client_hello_parse(m2 + 4, n - 4, &ch, &err), CH_ERROR);
    /* not a handshake record / not a client_hello */
    uint8_t recs[4096];
    size_t rl = wrap_records(recs, msg, n, 16384);
    size_t used;
    recs[0] = 21;
    assert_int_equal(client_hello_from_records(recs, rl, &ch, &used, &err), CH_ERROR);
    recs[0] = 22;
    recs[5] = 2;
    assert_int_equal(client_hello_from_records(recs, rl, &ch, &used, &err), CH_ERROR);
    recs[5] = 1;
    recs[3] = 0x40; recs[4] = 0x01;   /* record over 2^14 */
    assert_int_equal(client_hello_from_records(recs, rl, &ch, &used, &err), CH_ERROR);
    static const char http[] = "GET / HTTP/1.1\r\n";
    assert_int_equal(client_hello_from_records((const uint8_t *)http, strlen(http), &ch, &used, &err), CH_ERROR);
}

static void test_ssl2_compatible_hello(void **state)
{
    (void)state;
    static const uint8_t v2[] = {
        0x80, 0x22, 0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10,
        0x00, 0x00, 0x2f, 0x01, 0x00, 0x80, 0x00, 0x00, 0xff,
        0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
    };
    struct client_hello_info ch;
    struct tr_error err;
    size_t used;
    assert_int_equal(client_hello_from_records(v2, sizeof v2, &ch, &used, &err), CH_OK);
    assert_int_equal(used, sizeof v2);
    assert_true(ch.is_ssl2);
    assert_int_equal(ch.legacy_version, 0x0301);
    assert_int_equal(ch.max_offered, TLSV_TLS10);
    assert_int_equal(ch.n_suites, 2);
    assert_int_equal(ch.suites[0], 0x002f);
    assert_int_equal(ch.suites[1], 0x00ff);
    assert_int_equal(ch.n_ssl2_specs, 1);
    assert_int_equal(ch.ssl2_specs[0], 0x010080);
    assert_true(ch.renegotiation_info);
    assert_int_equal(ch.random[16], 0xc0);
    assert_int_equal(ch.random[31], 0xcf);
    char j4[JA4_STR_MAX];
    assert_int_equal(ja4(&ch, 't', j4), 0);
    assert_memory_equal(j4, "t10i020000_", 11);
    for (size_t k = 0; k < sizeof v2; k++)
        assert_int_equal(client_hello_from_records(v2, k, &ch, &used, &err), CH_NEED_MORE);
    uint8_t bad[sizeof v2];
    memcpy(bad, v2, sizeof v2);
    bad[6] = 0x08;   /* spec length not a multiple of 3 (and lengths disagree) */
    assert_int_equal(client_hello_from_records(bad, sizeof bad, &ch, &used, &err), CH_ERROR);
}

/* supported_versions holding only GREASE offers no version: no fallback to legacy_version */
static void test_grease_only_versions(void **state)
{
    (void)state;
    static uint8_t msg[4096];
    size_t n = chrome_hello(msg);
    static const uint8_t sv[] = { 0x00, 0x2b, 0x00, 0x07, 0x06, 0x5a, 0x5a, 0x03, 0x04, 0x03, 0x03 };
    uint8_t *at = memmem(msg, n, sv, sizeof sv);
    assert_non_null(at);
    at[7] = 0x1a, at[8] = 0x1a, at[9] = 0x2a, at[10] = 0x2a;
    struct client_hello_info ch;
    struct tr_error err;
    assert_int_equal(client_hello_parse(msg + 4, n - 4, &ch, &err), CH_OK);
    assert_true(ch.has_supported_versions);
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_int_equal(ch.max_offered, TLSV_NONE);
}

static void test_caps_and_plain_hello(void **state)
{
    (void)state;
    static uint8_t msg[4096];
    uint8_t *p = msg;
    struct client_hello_info ch;
    struct tr_error err;
    /* 600 suites, no extensions block (an old client) */
    p = put16(p, 0x0301);
    memset(p, 0, 32); p += 32;
    *p++ = 0;
    p = put16(p, 1200);
    for (int i = 0; i < 600; i++)
        p = put16(p, (unsigned)(0x0100 + i));
    *p++ = 2; *p++ = 1; *p++ = 0;     /* deflate, null */
    assert_int_equal(client_hello_parse(msg, (size_t)(p - msg), &ch, &err), CH_OK);
    assert_int_equal(ch.n_suites, CHI_MAX_SUITES);
    assert_true(ch.truncated);
    assert_false(ch.has_extensions_block);
    assert_int_equal(ch.n_compression, 2);
    assert_int_equal(ch.compression[0], 1);
    assert_int_equal(ch.max_offered, TLSV_TLS10);
    char s[JA3_STR_MAX];
    assert_int_equal(ja3_string(&ch, s, 20), -1);     /* too small: refused, not cut */
    char j4[JA4_STR_MAX];
    assert_int_equal(ja4(&ch, 't', j4), 0);
    assert_memory_equal(j4, "t10i990000_", 11);
    assert_string_equal(j4 + 24, "000000000000");    /* no extensions: twelve zeros */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chrome_hello),
        cmocka_unit_test(test_truncated_body),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_ssl2_compatible_hello),
        cmocka_unit_test(test_caps_and_plain_hello),
        cmocka_unit_test(test_grease_only_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
