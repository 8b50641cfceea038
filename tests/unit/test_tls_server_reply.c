/*
 * The server reply parser over hand-made bytes: good ServerHellos (1.2, 1.3),
 * HelloRetryRequest, alerts, SSLv2, non-TLS replies, truncation at every
 * length, oversized and inconsistent lengths, and the TLS 1.2 flight
 * (Certificate, ServerKeyExchange, ServerHelloDone) fragmented every way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tls/fingerprint.h"
#include "tls/registry.h"
#include "tls/server_reply.h"
#include "tls/version.h"

/* A TLS 1.2 ServerHello: ECDHE-RSA-AES128-GCM-SHA256, renegotiation_info. */
static const uint8_t sh12[] = {
    0x16, 0x03, 0x03, 0x00, 0x31,
    0x02, 0x00, 0x00, 0x2d,
    0x03, 0x03,
    0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
    0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
    0x00,
    0xc0, 0x2f,
    0x00,
    0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00,
};

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

static uint8_t *put24(uint8_t *p, unsigned v)
{
    *p++ = (uint8_t)(v >> 16);
    return put16(p, v & 0xffff);
}

/* Wraps `len` handshake-stream bytes into records of at most `frag` bytes each. */
static size_t wrap_records(uint8_t *out, const uint8_t *stream, size_t len, size_t frag)
{
    uint8_t *p = out;
    for (size_t off = 0; off < len; off += frag) {
        size_t n = len - off < frag ? len - off : frag;
        *p++ = 22;
        p = put16(p, 0x0303);
        p = put16(p, (unsigned)n);
        p = put(p, stream + off, n);
    }
    return (size_t)(p - out);
}

static void test_server_hello_12(void **state)
{
    (void)state;
    struct server_reply r;
    assert_int_equal(server_reply_parse(sh12, sizeof sh12, &r), REPLY_SERVER_HELLO);
    assert_int_equal(r.record_version, 0x0303);
    assert_int_equal(r.server_version, 0x0303);
    assert_int_equal(r.selected_version, TLSV_TLS12);
    assert_int_equal(r.supported_version, 0);
    assert_int_equal(r.cipher_suite, 0xc02f);
    assert_int_equal(r.compression, 0);
    assert_int_equal(r.session_id_len, 0);
    assert_int_equal(r.n_extensions, 1);
    assert_int_equal(r.extensions[0], 0xff01);
    assert_true(r.renegotiation_info);
    assert_int_equal(r.consumed, sizeof sh12);
    assert_int_equal(r.downgrade_sentinel, 0);
    /* JA3S / JA4S of this hello */
    char s[128];
    assert_int_equal(ja3s_string(&r, s, sizeof s), 0);
    assert_string_equal(s, "771,49199,65281");
    assert_int_equal(ja4s(&r, 't', s), 0);
    assert_string_equal(s, "t120100_c02f_" /* sha256("ff01")[:12] */ "bc98f8e001b5");

    /* FoxIO's JA4S example: extensions 0005,0017,ff01,0000, cipher c030 */
    uint8_t b[128], *p = b;
    *p++ = 22; p = put16(p, 0x0303); p = put16(p, 4 + 35 + 3 + 2 + 17);
    *p++ = 2; p = put24(p, 35 + 3 + 2 + 17);
    p = put(p, sh12 + 9, 35);                      /* version, random, empty session id */
    p = put16(p, 0xc030); *p++ = 0;
    p = put16(p, 17);
    p = put16(p, 0x0005); p = put16(p, 0);
    p = put16(p, 0x0017); p = put16(p, 0);
    p = put16(p, 0xff01); p = put16(p, 1); *p++ = 0;
    p = put16(p, 0x0000); p = put16(p, 0);
    assert_int_equal(server_reply_parse(b, (size_t)(p - b), &r), REPLY_SERVER_HELLO);
    assert_int_equal(ja4s(&r, 't', s), 0);
    assert_string_equal(s, "t120400_c030_4e8089b08790");
    assert_int_equal(ja3s_string(&r, s, sizeof s), 0);
    assert_string_equal(s, "771,49200,5-23-65281-0");
}

static void test_truncated_at_every_length(void **state)
{
    (void)state;
    struct server_reply r;
    for (size_t n = 0; n < sizeof sh12; n++) {
        int st = server_reply_parse(sh12, n, &r);
        if (st != REPLY_NEED_MORE)
            fail_msg("%zu bytes: %s (%s)", n, server_reply_status_name(st), r.reason);
    }
}

static void test_server_hello_13(void **state)
{
    (void)state;
    uint8_t buf[256], *p = buf, body[160], *q = body;
    q = put16(q, 0x0303);
    memset(q, 0x33, 32);
    q += 32;
    *q++ = 32;
    memset(q, 0x44, 32);
    q += 32;
    q = put16(q, 0x1301);
    *q++ = 0;
    q = put16(q, 46);
    q = put16(q, 51);   q = put16(q, 36); q = put16(q, 0x001d); q = put16(q, 32);   /* OpenSSL's order */
    memset(q, 0x55, 32);
    q += 32;
    q = put16(q, 43);   q = put16(q, 2);  q = put16(q, 0x0304);
    *p++ = 22; p = put16(p, 0x0303); p = put16(p, (unsigned)(q - body) + 4);
    *p++ = 2; p = put24(p, (unsigned)(q - body)); p = put(p, body, (size_t)(q - body));
    size_t sh_len = (size_t)(p - buf);
    static const uint8_t after[] = { 20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 3, 0xaa, 0xbb, 0xcc };
    p = put(p, after, sizeof after);

    struct server_reply r;
    assert_int_equal(sh_len, 127);
    assert_int_equal(server_reply_parse(buf, (size_t)(p - buf), &r), REPLY_SERVER_HELLO);
    assert_int_equal(r.server_version, 0x0303);
    assert_int_equal(r.supported_version, 0x0304);
    assert_int_equal(r.selected_version, TLSV_TLS13);
    assert_int_equal(r.cipher_suite, 0x1301);
    assert_int_equal(r.session_id_len, 32);
    assert_int_equal(r.selected_group, 0x001d);
    assert_int_equal(r.n_extensions, 2);
    assert_int_equal(r.consumed, sh_len);
    char s[64];
    assert_int_equal(ja4s(&r, 't', s), 0);
    assert_string_equal(s, "t130200_1301_234ea6891581");   /* the common JA4S of OpenSSL 1.3 servers: 0033,002b */

    uint8_t scratch[1024];
    assert_int_equal(server_flight_parse(buf, (size_t)(p - buf), scratch, sizeof scratch, &r), REPLY_SERVER_HELLO);
    assert_true(r.flight_complete);
    assert_int_equal(r.n_certs, 0);
}

static const uint8_t hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

static void test_hello_retry_request(void **state)
{
    (void)state;
    uint8_t buf[128], *p = buf;
    *p++ = 22; p = put16(p, 0x0303); p = put16(p, 4 + 2 + 32 + 1 + 3 + 2 + 12);
    *p++ = 2; p = put24(p, 2 + 32 + 1 + 3 + 2 + 12);
    p = put16(p, 0x0303); p = put(p, hrr_random, 32);
    *p++ = 0;
    p = put16(p, 0x1302); *p++ = 0;
    p = put16(p, 12);
    p = put16(p, 43); p = put16(p, 2); p = put16(p, 0x0304);
    p = put16(p, 51); p = put16(p, 2); p = put16(p, 0x0017);   /* HRR key_share: selected_group only */
    struct server_reply r;
    assert_int_equal(server_reply_parse(buf, (size_t)(p - buf), &r), REPLY_HELLO_RETRY);
    assert_int_equal(r.selected_group, 0x0017);
    assert_int_equal(r.selected_version, TLSV_TLS13);
    assert_int_equal(r.cipher_suite, 0x1302);
    /* a post-quantum hybrid group is revealed the same way, without computing it */
    p[-2] = 0x11;
    p[-1] = 0xec;
    assert_int_equal(server_reply_parse(buf, (size_t)(p - buf), &r), REPLY_HELLO_RETRY);
    assert_int_equal(r.selected_group, 0x11ec);
    assert_string_equal(group_lookup(r.selected_group)->name, "X25519MLKEM768");
    assert_true(group_lookup(r.selected_group)->pq);
    /* every truncation of an HRR needs more */
    for (size_t n = 0; n < (size_t)(p - buf); n++)
        assert_int_equal(server_reply_parse(buf, n, &r), REPLY_NEED_MORE);
}

static void test_alerts(void **state)
{
    (void)state;
    static const uint8_t hf[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 };
    static const uint8_t pv[] = { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46 };
    static const uint8_t long_alert[] = { 0x15, 0x03, 0x01, 0x00, 0x03, 0x02, 0x46, 0x00 };
    struct server_reply r;
    assert_int_equal(server_reply_parse(hf, sizeof hf, &r), REPLY_ALERT);
    assert_int_equal(r.alert_level, 2);
    assert_int_equal(r.alert_description, 40);
    assert_string_equal(tls_alert_name(r.alert_description), "handshake_failure");
    assert_int_equal(server_reply_parse(pv, sizeof pv, &r), REPLY_ALERT);
    assert_int_equal(r.record_version, 0x0301);
    assert_string_equal(tls_alert_name(r.alert_description), "protocol_version");
    assert_int_equal(server_reply_parse(pv, 6, &r), REPLY_NEED_MORE);
    assert_int_equal(server_reply_parse(long_alert, sizeof long_alert, &r), REPLY_MALFORMED);
    assert_null(tls_alert_name(200));
    assert_string_equal(tls_alert_name(112), "unrecognized_name");
}

static void test_oversized_and_inconsistent(void **state)
{
    (void)state;
    struct server_reply r;
    static const uint8_t big[] = { 0x16, 0x03, 0x03, 0x48, 0x01 };   /* 18433 > 2^14 + 2048 */
    static const uint8_t max[] = { 0x16, 0x03, 0x03, 0x48, 0x00 };   /* 18432: allowed, need the body */
    static const uint8_t empty[] = { 0x16, 0x03, 0x03, 0x00, 0x00 };
    assert_int_equal(server_reply_parse(big, sizeof big, &r), REPLY_MALFORMED);
    assert_int_equal(r.offset, 3);
    assert_non_null(strstr(r.reason, "record longer"));
    assert_int_equal(server_reply_parse(max, sizeof max, &r), REPLY_NEED_MORE);
    assert_int_equal(server_reply_parse(empty, sizeof empty, &r), REPLY_MALFORMED);

    /* handshake length one less than the record holds: the hello's extensions overrun it */
    uint8_t bad[sizeof sh12];
    memcpy(bad, sh12, sizeof sh12);
    bad[8] = 0x2c;
    assert_int_equal(server_reply_parse(bad, sizeof bad, &r), REPLY_MALFORMED);
    assert_true(r.offset > 5 && r.offset < sizeof sh12);
    /* handshake length larger than the record: the message continues in the next record */
    bad[8] = 0x2e;
    assert_int_equal(server_reply_parse(bad, sizeof bad, &r), REPLY_NEED_MORE);

    /* a certificate message announcing more than 512 KB is refused from its header */
    uint8_t cert_hdr[sizeof sh12 + 9], *p = cert_hdr;
    p = put(p, sh12, sizeof sh12);
    *p++ = 22; p = put16(p, 0x0303); p = put16(p, 4);
    *p++ = 11; p = put24(p, 512 * 1024 + 1);
    uint8_t scratch[4096];
    assert_int_equal(server_flight_parse(cert_hdr, (size_t)(p - cert_hdr), scratch, sizeof scratch, &r),
                     REPLY_MALFORMED);
    assert_non_null(strstr(r.reason, "limit"));
    /* any other handshake message over 64 KB likewise */
    cert_hdr[sizeof sh12 + 5] = 12;
    cert_hdr[sizeof sh12 + 6] = 0x01;
    cert_hdr[sizeof sh12 + 7] = 0x00;
    cert_hdr[sizeof sh12 + 8] = 0x01;
    assert_int_equal(server_flight_parse(cert_hdr, (size_t)(p - cert_hdr), scratch, sizeof scratch, &r),
                     REPLY_MALFORMED);

    /* a certificate before the server hello */
    static const uint8_t early[] = { 0x16, 0x03, 0x03, 0x00, 0x04, 0x0b, 0x00, 0x00, 0x00 };
    assert_int_equal(server_reply_parse(early, sizeof early, &r), REPLY_MALFORMED);
    assert_non_null(strstr(r.reason, "expected server_hello"));
    /* session id over 32 bytes */
    memcpy(bad, sh12, sizeof sh12);
    bad[43] = 33;
    assert_int_equal(server_reply_parse(bad, sizeof bad, &r), REPLY_MALFORMED);
    /* application data first */
    static const uint8_t appdata[] = { 0x17, 0x03, 0x03, 0x00, 0x01, 0x00 };
    assert_int_equal(server_reply_parse(appdata, sizeof appdata, &r), REPLY_MALFORMED);
    /* record version major 2 inside a TLS stream */
    uint8_t two[sizeof sh12 + 5];
    memcpy(two, sh12, sizeof sh12);
    memcpy(two + sizeof sh12, "\x16\x02\x00\x00\x01", 5);
    assert_int_equal(server_reply_parse(two, sizeof two, &r), REPLY_SERVER_HELLO); /* decided before */
}

static void test_ssl2_reply(void **state)
{
    (void)state;
    static const uint8_t v2[] = {
        0x80, 0x24, 0x04,
        0x00, 0x01, 0x00, 0x02,           /* no session hit, X.509, version 2 */
        0x00, 0x03, 0x00, 0x06, 0x00, 0x10,
        0x30, 0x01, 0x00,                 /* "certificate" */
        0x01, 0x00, 0x80, 0x07, 0x00, 0xc0,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    };
    static const uint8_t v2err[] = { 0x80, 0x03, 0x00, 0x00, 0x01 };
    struct server_reply r;
    assert_int_equal(server_reply_parse(v2, sizeof v2, &r), REPLY_SSL2);
    assert_int_equal(r.ssl2_version, 2);
    assert_int_equal(r.ssl2_n_ciphers, 2);
    assert_int_equal(r.ssl2_ciphers[0], 0x010080);
    assert_int_equal(r.ssl2_ciphers[1], 0x0700c0);
    assert_int_equal(r.consumed, sizeof v2);
    for (size_t n = 0; n < sizeof v2; n++)
        assert_int_equal(server_reply_parse(v2, n, &r), REPLY_NEED_MORE);
    assert_int_equal(server_reply_parse(v2err, sizeof v2err, &r), REPLY_SSL2);
    assert_int_equal(r.ssl2_error, 1);
}

static void test_not_tls(void **state)
{
    (void)state;
    static const char http[] = "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n";
    static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
    struct server_reply r;
    assert_int_equal(server_reply_parse((const uint8_t *)http, strlen(http), &r), REPLY_NOT_TLS);
    assert_string_equal(r.reason, "plaintext reply: \"HTTP/1.1 400 Bad Request\"");
    assert_int_equal(server_reply_parse((const uint8_t *)ssh, strlen(ssh), &r), REPLY_NOT_TLS);
    assert_non_null(strstr(r.reason, "SSH-2.0"));
    static const uint8_t junk[] = { 0x00, 0xff, 0x13, 0x37 };
    assert_int_equal(server_reply_parse(junk, sizeof junk, &r), REPLY_NOT_TLS);
    assert_string_equal(r.reason, "first bytes 00 ff are not a TLS record");
    /* random bytes never crash and always classify */
    uint8_t rnd[300];
    srand(7);
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(rand() % (int)sizeof rnd);
        for (size_t i = 0; i < n; i++)
            rnd[i] = (uint8_t)rand();
        if (round % 3 == 0 && n > 3) {     /* plausible record headers too */
            rnd[0] = 22;
            rnd[1] = 3;
        }
        int st = server_reply_parse(rnd, n, &r);
        assert_true(st >= REPLY_NEED_MORE && st <= REPLY_MALFORMED);
        if (st == REPLY_MALFORMED || st == REPLY_NOT_TLS)
            assert_true(r.reason[0] != 0);
    }
}

static void test_downgrade_sentinel(void **state)
{
    (void)state;
    uint8_t b[sizeof sh12];
    struct server_reply r;
    memcpy(b, sh12, sizeof sh12);
    memcpy(b + 11 + 24, "DOWNGRD\x01", 8);
    assert_int_equal(server_reply_parse(b, sizeof b, &r), REPLY_SERVER_HELLO);
    assert_int_equal(r.downgrade_sentinel, 1);
}

/* ServerHello + Certificate(2) + ServerKeyExchange + ServerHelloDone as one handshake stream. */
static size_t tls12_flight_stream(uint8_t *out, int dhe)
{
    uint8_t *p = out;
    /* ServerHello body from sh12, re-suited */
    p = put(p, sh12 + 5, sizeof sh12 - 5);
    if (dhe) {
        out[4 + 2 + 32 + 1] = 0x00;
        out[4 + 2 + 32 + 2] = 0x9e;   /* DHE-RSA-AES128-GCM-SHA256 */
    }
    /* Certificate: two "certificates" of 300 and 5 bytes */
    *p++ = 11; p = put24(p, 3 + 3 + 300 + 3 + 5); p = put24(p, 3 + 300 + 3 + 5);
    p = put24(p, 300); *p++ = 0x30; memset(p, 0xa5, 299); p += 299;
    p = put24(p, 5); p = put(p, "\x30\x03\x02\x01\x07", 5);
    if (dhe) {
        /* dh_p: 129 bytes with a leading zero -> 1024 bits; g = 2; Ys 128 bytes; rsa_pkcs1_sha256; sig 256 */
        size_t len = 2 + 129 + 2 + 1 + 2 + 128 + 2 + 2 + 256;
        *p++ = 12; p = put24(p, (unsigned)len);
        p = put16(p, 129); *p++ = 0x00; *p++ = 0x80; memset(p, 0x11, 127); p += 127;
        p = put16(p, 1); *p++ = 2;
        p = put16(p, 128); memset(p, 0x22, 128); p += 128;
        p = put16(p, 0x0401); p = put16(p, 256); memset(p, 0x33, 256); p += 256;
    } else {
        size_t len = 1 + 2 + 1 + 65 + 2 + 2 + 256;
        *p++ = 12; p = put24(p, (unsigned)len);
        *p++ = 3; p = put16(p, 0x0017); *p++ = 65; *p++ = 4; memset(p, 0x44, 64); p += 64;
        p = put16(p, 0x0804); p = put16(p, 256); memset(p, 0x55, 256); p += 256;
    }
    *p++ = 14; p = put24(p, 0);
    return (size_t)(p - out);
}

static void test_flight_fragmented(void **state)
{
    (void)state;
    static uint8_t stream[2048], recs[2048 * 7], scratch[SERVER_FLIGHT_SCRATCH];
    struct server_reply r;
    for (int dhe = 0; dhe <= 1; dhe++) {
        size_t n = tls12_flight_stream(stream, dhe);
        static const size_t frags[] = { 1, 2, 3, 4, 5, 7, 40, 44, 45, 300, 1000, 16384 };
        for (size_t f = 0; f < sizeof frags / sizeof frags[0]; f++) {
            size_t rl = wrap_records(recs, stream, n, frags[f]);
            int st = server_flight_parse(recs, rl, scratch, sizeof scratch, &r);
            if (st != REPLY_SERVER_HELLO)
                fail_msg("frag %zu: %s (%s at %zu)", frags[f], server_reply_status_name(st), r.reason, r.offset);
            assert_true(r.flight_complete);
            assert_int_equal(r.consumed, rl);
            assert_int_equal(r.n_certs, 2);
            assert_int_equal(r.certs[0].len, 300);
            assert_int_equal(r.certs[0].data[0], 0x30);
            assert_int_equal(r.certs[0].data[299], 0xa5);
            assert_int_equal(r.certs[1].len, 5);
            assert_memory_equal(r.certs[1].data, "\x30\x03\x02\x01\x07", 5);
            assert_true(r.have_server_key_exchange);
            if (dhe) {
                assert_int_equal(r.ske.kind, SKE_DHE);
                assert_int_equal(r.ske.dh_p_bits, 1024);
                assert_int_equal(r.ske.dh_g_len, 1);
                assert_int_equal(r.ske.sig_scheme, 0x0401);
            } else {
                assert_int_equal(r.ske.kind, SKE_ECDHE);
                assert_int_equal(r.ske.group, 0x0017);
                assert_int_equal(r.ske.ec_point_len, 65);
                assert_int_equal(r.ske.sig_scheme, 0x0804);
                assert_int_equal(r.ske.sig_len, 256);
            }
            /* every prefix is "need more" (the ServerHello alone is, in flight mode) */
            if (frags[f] >= 40)
                for (size_t k = 0; k < rl; k += 7)
                    assert_int_equal(server_flight_parse(recs, k, scratch, sizeof scratch, &r), REPLY_NEED_MORE);
        }
    }
    /* ServerHello alone via server_reply_parse, even when fragmented into 1-byte records */
    size_t rl = wrap_records(recs, sh12 + 5, sizeof sh12 - 5, 1);
    assert_int_equal(server_reply_parse(recs, rl, &r), REPLY_SERVER_HELLO);
    assert_int_equal(r.cipher_suite, 0xc02f);
    /* too little scratch for a fragmented certificate is malformed, not an overflow */
    size_t n = tls12_flight_stream(stream, 0);
    rl = wrap_records(recs, stream, n, 100);
    assert_int_equal(server_flight_parse(recs, rl, scratch, 200, &r), REPLY_MALFORMED);
    /* an alert inside the flight */
    n = wrap_records(recs, sh12 + 5, sizeof sh12 - 5, 16384);
    memcpy(recs + n, "\x15\x03\x03\x00\x02\x02\x50", 7);
    assert_int_equal(server_flight_parse(recs, n + 7, scratch, sizeof scratch, &r), REPLY_ALERT);
    assert_true(r.have_server_hello);
    assert_int_equal(r.alert_description, 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_hello_12),
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_server_hello_13),
        cmocka_unit_test(test_hello_retry_request),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_oversized_and_inconsistent),
        cmocka_unit_test(test_ssl2_reply),
        cmocka_unit_test(test_not_tls),
        cmocka_unit_test(test_downgrade_sentinel),
        cmocka_unit_test(test_flight_fragmented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
