/*
 * JA4 against the worked example of FoxIO's JA4 technical details
 * (t13d1516h2_8daaf6152771_e5627efa2ab1, and 6d807ffa2a79 without
 * signature algorithms), the ALPN character rules, and GREASE removal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tls/fingerprint.h"
#include "tls/version.h"

static void foxio_example(struct client_hello_info *ch)
{
    static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                       0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
    static const uint16_t exts[] = { 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                                     0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015 };
    static const uint16_t sigs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };
    memset(ch, 0, sizeof *ch);
    ch->legacy_version = 0x0303;
    ch->supported_versions[0] = 0xdada;            /* GREASE first, as Chrome does */
    ch->supported_versions[1] = 0x0304;
    ch->supported_versions[2] = 0x0303;
    ch->n_supported_versions = 3;
    ch->suites[0] = 0x0a0a;
    memcpy(ch->suites + 1, suites, sizeof suites);
    ch->n_suites = 16;
    ch->extensions[0] = 0xfafa;
    memcpy(ch->extensions + 1, exts, sizeof exts);
    ch->n_extensions = 17;
    memcpy(ch->sigalgs, sigs, sizeof sigs);
    ch->n_sigalgs = 8;
    strcpy(ch->alpn[0], "h2");
    ch->n_alpn = 1;
    ch->alpn0_first = 'h';
    ch->alpn0_last = '2';
    ch->alpn0_len = 2;
}

static void test_foxio_example(void **state)
{
    (void)state;
    struct client_hello_info ch;
    char j4[JA4_STR_MAX];
    foxio_example(&ch);
    assert_int_equal(ja4(&ch, 't', j4), 0);
    assert_string_equal(j4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    ch.n_sigalgs = 0;
    assert_int_equal(ja4(&ch, 't', j4), 0);
    assert_string_equal(j4, "t13d1516h2_8daaf6152771_6d807ffa2a79");
    assert_int_equal(ja4(&ch, 'q', j4), 0);
    assert_int_equal(j4[0], 'q');
}

static void test_alpn_rules(void **state)
{
    (void)state;
    struct client_hello_info ch;
    char j4[JA4_STR_MAX];
    static const struct { uint8_t first, last; size_t len; const char *want; } cases[] = {
        { 'h', '1', 8, "h1" },      /* http/1.1 */
        { 0xab, 0xab, 1, "ab" },    /* 0xAB */
        { 0xab, 0xcd, 2, "ad" },    /* 0xAB 0xCD */
        { 0x30, 0xab, 2, "3b" },    /* 0x30 0xAB */
        { 0x30, 0x31, 4, "01" },    /* 0x30 0xAB 0xCD 0x31: first and last are alphanumeric */
        { 'x', 'x', 1, "xx" },      /* a single character counts as first and last */
        { 0, 0, 0, "00" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        foxio_example(&ch);
        ch.alpn0_first = cases[i].first;
        ch.alpn0_last = cases[i].last;
        ch.alpn0_len = cases[i].len;
        ch.n_alpn = cases[i].len ? 1 : 0;
        assert_int_equal(ja4(&ch, 't', j4), 0);
        if (memcmp(j4 + 8, cases[i].want, 2) != 0)
            fail_msg("case %zu: %s, want ..%s", i, j4, cases[i].want);
    }
}

static void test_ja4_edge_versions(void **state)
{
    (void)state;
    struct client_hello_info ch;
    char j4[JA4_STR_MAX];
    foxio_example(&ch);
    ch.n_supported_versions = 0;
    ch.legacy_version = 0x0300;
    assert_int_equal(ja4(&ch, 't', j4), 0);
    assert_memory_equal(j4, "ts3d", 4);
    ch.legacy_version = 0x9999;
    assert_int_equal(ja4(&ch, 't', j4), 0);
    assert_memory_equal(j4, "t00d", 4);
    /* no SNI extension -> 'i'; counts exclude GREASE but include SNI and ALPN */
    foxio_example(&ch);
    ch.extensions[2] = 0x3a3a;
    assert_int_equal(ja4(&ch, 't', j4), 0);
    assert_memory_equal(j4, "t13i1515h2", 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_foxio_example),
        cmocka_unit_test(test_alpn_rules),
        cmocka_unit_test(test_ja4_edge_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
