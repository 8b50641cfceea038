/*
 * ClientHello builder: byte-exact vectors written by hand from RFC 5246
 * 7.4.1.2 / RFC 8446 4.1.2, the padding rule, limits, default lists, and a
 * round trip through the ClientHello parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tls/client_hello.h"
#include "tls/client_hello_parse.h"
#include "tls/registry.h"
#include "tls/version.h"

static void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
    for (size_t i = 0; i < got_len && i < want_len; i++)
        if (got[i] != want[i])
            fail_msg("byte %zu: got 0x%02x, want 0x%02x", i, got[i], want[i]);
    assert_int_equal(got_len, want_len);
}

static void test_tls10_hello_with_sni(void **state)
{
    (void)state;
    static const uint16_t suites[] = { 0x002f, 0x0035, 0x000a };
    static const uint8_t want[] = {
        0x16, 0x03, 0x01, 0x00, 0x4c,                   /* record: handshake, 0x0301, 76 bytes */
        0x01, 0x00, 0x00, 0x48,                         /* client_hello, 72 bytes */
        0x03, 0x01,                                     /* legacy_version tls1.0 */
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
        0x00,                                           /* session id: empty */
        0x00, 0x06, 0x00, 0x2f, 0x00, 0x35, 0x00, 0x0a, /* 3 suites */
        0x01, 0x00,                                     /* compression: null */
        0x00, 0x19,                                     /* extensions: 25 bytes */
        0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b, /* server_name: host_name, 11 bytes */
        'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
        0xff, 0x01, 0x00, 0x01, 0x00,                   /* renegotiation_info: empty */
    };
    struct client_hello_config cfg;
    struct tr_buf b;
    struct tr_error err;
    client_hello_config_init(&cfg, TLSV_TLS10, TLSV_TLS10);
    cfg.sni = "example.com";
    cfg.suites = suites;
    cfg.n_suites = 3;
    for (int i = 0; i < 32; i++)
        cfg.random[i] = (uint8_t)i;
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(client_hello_build(&b, &cfg, &err), 0);
    assert_bytes(b.base, b.len, want, sizeof want);
    tr_buf_free(&b);
}

static void test_tls13_hello_fixed_key(void **state)
{
    (void)state;
    uint8_t key[32];
    static const uint8_t head[] = {
        0x16, 0x03, 0x01, 0x00, 0xe1,                   /* record 225 bytes */
        0x01, 0x00, 0x00, 0xdd,                         /* client_hello 221 bytes */
        0x03, 0x03,                                     /* legacy_version 0x0303 */
    };
    static const uint8_t after_sid[] = {
        0x00, 0x0a, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0x13, 0x04, 0x13, 0x05,
        0x01, 0x00,
        0x00, 0x8a,                                     /* extensions: 138 bytes */
        0xff, 0x01, 0x00, 0x01, 0x00,                   /* renegotiation_info */
        0x00, 0x0a, 0x00, 0x16, 0x00, 0x14,             /* supported_groups, 10 groups */
        0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19, 0x00, 0x1e,
        0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04,
        0x00, 0x0d, 0x00, 0x30, 0x00, 0x2e,             /* signature_algorithms, 23 schemes */
        0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06,
        0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01,
        0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x02, 0x03, 0x02, 0x01, 0x02, 0x02,
        0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04,       /* supported_versions: tls1.3 */
        0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,             /* psk_key_exchange_modes: psk_dhe_ke */
        0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, /* key_share: x25519, 32 bytes */
    };
    uint8_t want[sizeof head + 32 + 33 + sizeof after_sid + 32];
    size_t n = 0;
    memcpy(want, head, sizeof head);
    n = sizeof head;
    memset(want + n, 0x11, 32);                         /* random */
    n += 32;
    want[n++] = 32;                                     /* legacy_session_id: 32 bytes of random^0x5c */
    memset(want + n, 0x11 ^ 0x5c, 32);
    n += 32;
    memcpy(want + n, after_sid, sizeof after_sid);
    n += sizeof after_sid;
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(0xa0 + i);
    memcpy(want + n, key, 32);
    n += 32;

    struct client_hello_config cfg;
    struct tr_buf b;
    struct tr_error err;
    client_hello_config_init(&cfg, TLSV_TLS13, TLSV_TLS13);
    memset(cfg.random, 0x11, 32);
    cfg.x25519_public = key;
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(client_hello_build(&b, &cfg, &err), 0);
    assert_bytes(b.base, b.len, want, n);
    tr_buf_free(&b);
}

static void test_ssl3_hello(void **state)
{
    (void)state;
    static const uint16_t suites[] = { 0x0005 };
    static const uint8_t want[] = {
        0x16, 0x03, 0x00, 0x00, 0x31,                   /* record version 0x0300, 49 bytes */
        0x01, 0x00, 0x00, 0x2d, 0x03, 0x00,             /* 45-byte body, legacy_version ssl3 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00,
        0x00, 0x06, 0x00, 0x05, 0x00, 0xff, 0x56, 0x00, /* RC4-SHA, reneg SCSV, fallback SCSV */
        0x01, 0x00,                                     /* no extensions block at all */
    };
    struct client_hello_config cfg;
    struct tr_buf b;
    struct tr_error err;
    client_hello_config_init(&cfg, TLSV_SSL3, TLSV_SSL3);
    cfg.suites = suites;
    cfg.n_suites = 1;
    cfg.fallback_scsv = 1;
    cfg.sni = "ignored.example";
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(client_hello_build(&b, &cfg, &err), 0);
    assert_bytes(b.base, b.len, want, sizeof want);
    tr_buf_free(&b);
}

/* Handshake messages of 256..511 bytes get padded to exactly 512 (F5 workaround). */
static void test_padding_rule(void **state)
{
    (void)state;
    uint16_t suites[200];
    struct tr_error err;
    for (size_t n = 1; n < 200; n += 3) {
        struct client_hello_config cfg;
        struct tr_buf b;
        for (size_t i = 0; i < n; i++)
            suites[i] = cipher_suite_at(i + 1)->code;
        client_hello_config_init(&cfg, TLSV_TLS12, TLSV_TLS10);
        cfg.suites = suites;
        cfg.n_suites = n;
        cfg.sni = "padding.example";
        tr_buf_init(&b, NULL, 0);
        assert_int_equal(client_hello_build(&b, &cfg, &err), 0);
        size_t hs_len = b.len - 5;
        if (hs_len >= 256 && hs_len < 512)
            fail_msg("%zu suites: handshake of %zu bytes is inside the F5 window", n, hs_len);
        /* the unpadded size decides: with padding the length is exactly 512 */
        cfg.no_padding = 1;
        struct tr_buf u;
        tr_buf_init(&u, NULL, 0);
        assert_int_equal(client_hello_build(&u, &cfg, &err), 0);
        if (u.len - 5 >= 256 && u.len - 5 < 512)
            assert_int_equal(hs_len, 512);
        else
            assert_int_equal(b.len, u.len);
        tr_buf_free(&b);
        tr_buf_free(&u);
    }
}

static void test_limits_and_errors(void **state)
{
    (void)state;
    static uint16_t many[9000];
    struct client_hello_config cfg;
    struct tr_buf b;
    struct tr_error err;
    for (size_t i = 0; i < 9000; i++)
        many[i] = 0x002f;
    client_hello_config_init(&cfg, TLSV_TLS12, TLSV_TLS10);
    cfg.suites = many;
    cfg.n_suites = 9000;
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(client_hello_build(&b, &cfg, &err), -1);
    assert_non_null(strstr(err.msg, "16384"));
    assert_int_equal(b.len, 0);                           /* nothing half-written */
    client_hello_config_init(&cfg, 7, TLSV_TLS10);
    assert_int_equal(client_hello_build(&b, &cfg, &err), -1);
    client_hello_config_init(&cfg, TLSV_TLS11, TLSV_TLS12); /* min above max */
    assert_int_equal(client_hello_build(&b, &cfg, &err), -1);
    client_hello_config_init(&cfg, TLSV_TLS12, TLSV_TLS12);
    cfg.suites = many;
    cfg.n_suites = 0;
    assert_int_equal(client_hello_build(&b, &cfg, &err), -1);
    tr_buf_free(&b);
}

static int contains(const uint16_t *v, size_t n, uint16_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

static void test_default_suites(void **state)
{
    (void)state;
    uint16_t s[1024];
    size_t n = client_hello_default_suites(TLSV_SSL3, s, 1024);
    assert_true(contains(s, n, 0x0005) && contains(s, n, 0x0003) && contains(s, n, 0x000a));
    assert_false(contains(s, n, 0x009c) || contains(s, n, 0x1301) || contains(s, n, 0x00ff) || contains(s, n, 0));
    size_t n11 = client_hello_default_suites(TLSV_TLS11, s, 1024);
    assert_true(contains(s, n11, 0xc013) && contains(s, n11, 0x0003));
    assert_true(n11 > n);
    n = client_hello_default_suites(TLSV_TLS12, s, 1024);
    assert_true(contains(s, n, 0xc02f) && contains(s, n, 0x0005) && contains(s, n, 0x0003));
    assert_false(contains(s, n, 0x1301) || contains(s, n, 0x5600));
    assert_true(n > 300 && n < 512);
    /* strongest first */
    assert_int_equal(cipher_suite_lookup(s[0])->strength, CS_SECURE);
    assert_int_equal(cipher_suite_lookup(s[n - 1])->strength, CS_INSECURE);
    n = client_hello_default_suites(TLSV_TLS13, s, 1024);
    assert_int_equal(n, 5);
    assert_int_equal(s[0], 0x1301);
    assert_int_equal(client_hello_default_suites(TLSV_TLS12, s, 10), 10);   /* capped */
}

/* What we build, our parser reads back. */
static void test_round_trip(void **state)
{
    (void)state;
    static const char *const alpn[] = { "h2", "http/1.1" };
    uint8_t key[32] = { 1 };
    struct client_hello_config cfg;
    struct client_hello_info ch;
    struct tr_buf b;
    struct tr_error err;
    size_t used;
    client_hello_config_init(&cfg, TLSV_TLS13, TLSV_TLS10);
    cfg.sni = "round.trip.example";
    cfg.alpn = alpn;
    cfg.n_alpn = 2;
    cfg.x25519_public = key;
    cfg.status_request = 1;
    cfg.extended_master_secret = 1;
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(client_hello_build(&b, &cfg, &err), 0);
    assert_int_equal(client_hello_from_records(b.base, b.len, &ch, &used, &err), CH_OK);
    assert_int_equal(used, b.len);
    assert_int_equal(ch.record_version, 0x0301);
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_string_equal(ch.sni, "round.trip.example");
    assert_int_equal(ch.n_supported_versions, 4);
    assert_int_equal(ch.supported_versions[0], 0x0304);
    assert_int_equal(ch.supported_versions[3], 0x0301);
    assert_int_equal(ch.max_offered, TLSV_TLS13);
    assert_int_equal(ch.n_alpn, 2);
    assert_string_equal(ch.alpn[1], "http/1.1");
    assert_int_equal(ch.n_key_shares, 1);
    assert_int_equal(ch.key_share_groups[0], 0x001d);
    assert_int_equal(ch.suites[0], 0x1301);
    assert_true(ch.n_suites > 300);                     /* 1.3 suites + the tls1.2 list */
    assert_int_equal(ch.n_groups, 10);
    assert_int_equal(ch.n_sigalgs, 23);
    assert_int_equal(ch.n_ec_point_formats, 1);
    assert_true(ch.renegotiation_info);
    assert_false(ch.truncated);
    tr_buf_free(&b);

    /* an IP literal never goes into server_name (RFC 6066 3) */
    client_hello_config_init(&cfg, TLSV_TLS12, TLSV_TLS12);
    cfg.sni = "127.0.0.1";
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(client_hello_build(&b, &cfg, &err), 0);
    assert_int_equal(client_hello_from_records(b.base, b.len, &ch, &used, &err), CH_OK);
    assert_false(ch.has_sni);
    assert_int_equal(ch.max_offered, TLSV_TLS12);
    assert_false(ch.has_supported_versions);
    tr_buf_free(&b);
}

static void test_x25519_keypair(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    struct tr_error err;
    assert_int_equal(x25519_keypair(a, &err), 0);
    assert_int_equal(x25519_keypair(b, &err), 0);
    assert_memory_not_equal(a, b, 32);
}

static void test_ssl2_hello_and_options(void **state)
{
    (void)state;
    uint8_t chal[16];
    struct client_hello_info ch;
    struct tr_buf b;
    struct tr_error err;
    size_t used;
    memset(chal, 0x99, 16);
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(ssl2_client_hello_build(&b, chal, &err), 0);
    assert_int_equal(b.len, 2 + 9 + 21 + 16);
    assert_int_equal(b.base[0], 0x80);
    assert_int_equal(b.base[1], 46);
    assert_int_equal(client_hello_from_records(b.base, b.len, &ch, &used, &err), CH_OK);
    assert_true(ch.is_ssl2);
    assert_int_equal(ch.legacy_version, 0x0002);
    assert_int_equal(ch.n_ssl2_specs, 7);
    assert_int_equal(ch.ssl2_specs[0], 0x0700c0);
    assert_int_equal(ch.max_offered, TLSV_NONE);
    tr_buf_free(&b);

    /* a raw P-256 key share and a DEFLATE offer */
    uint8_t point[65];
    struct client_hello_config cfg;
    memset(point, 4, sizeof point);
    client_hello_config_init(&cfg, TLSV_TLS13, TLSV_TLS12);
    cfg.key_share_group = 0x0017;
    cfg.key_share_data = point;
    cfg.key_share_len = sizeof point;
    cfg.offer_compression = 1;
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(client_hello_build(&b, &cfg, &err), 0);
    assert_int_equal(client_hello_from_records(b.base, b.len, &ch, &used, &err), CH_OK);
    assert_int_equal(ch.n_key_shares, 1);
    assert_int_equal(ch.key_share_groups[0], 0x0017);
    assert_int_equal(ch.n_compression, 2);
    assert_int_equal(ch.compression[0], 1);
    tr_buf_free(&b);
    /* a share for a group the hello does not list is not sent (RFC 8446 4.2.8) */
    static const uint16_t only_p384[] = { 0x0018 };
    client_hello_config_init(&cfg, TLSV_TLS13, TLSV_TLS13);
    cfg.groups = only_p384;
    cfg.n_groups = 1;
    cfg.x25519_public = point;
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(client_hello_build(&b, &cfg, &err), 0);
    assert_int_equal(client_hello_from_records(b.base, b.len, &ch, &used, &err), CH_OK);
    assert_int_equal(ch.n_groups, 1);
    assert_int_equal(ch.n_key_shares, 0);
    tr_buf_free(&b);
    /* TLS 1.3 hello without a key: empty key_share (asks for HelloRetryRequest) */
    client_hello_config_init(&cfg, TLSV_TLS13, TLSV_TLS13);
    tr_buf_init(&b, NULL, 0);
    assert_int_equal(client_hello_build(&b, &cfg, &err), 0);
    assert_int_equal(client_hello_from_records(b.base, b.len, &ch, &used, &err), CH_OK);
    assert_int_equal(ch.n_key_shares, 0);
    assert_int_equal(ch.extensions[ch.n_extensions - 1], 51);
    tr_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls10_hello_with_sni),
        cmocka_unit_test(test_tls13_hello_fixed_key),
        cmocka_unit_test(test_ssl3_hello),
        cmocka_unit_test(test_padding_rule),
        cmocka_unit_test(test_limits_and_errors),
        cmocka_unit_test(test_default_suites),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_x25519_keypair),
        cmocka_unit_test(test_ssl2_hello_and_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
