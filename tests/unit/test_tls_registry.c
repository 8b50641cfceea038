/*
 * The cipher suite / group / signature scheme registry: lookups, the
 * strength rules, and agreement with OpenSSL's own table
 * (tests/fixtures/tls/openssl-ciphers-V-stdname.txt, the output of
 * `openssl ciphers -V -stdname ALL:COMPLEMENTOFALL:@SECLEVEL=0`; the
 * integration test tls_registry.sh regenerates it and compares).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tls/registry.h"
#include "tls/registry_data.h"
#include "tls/version.h"

static void test_lookup(void **state)
{
    (void)state;
    const struct cipher_suite *cs = cipher_suite_lookup(0xC02F);
    assert_non_null(cs);
    assert_string_equal(cs->iana, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(cs->openssl, "ECDHE-RSA-AES128-GCM-SHA256");
    assert_int_equal(cs->min_version, TLSV_TLS12);
    assert_string_equal(cs->kx, "ECDHE");
    assert_string_equal(cs->auth, "RSA");
    assert_string_equal(cs->cipher, "AES_128_GCM");
    assert_int_equal(cs->bits, 128);
    assert_string_equal(cs->mac, "AEAD");
    assert_int_equal(cs->strength, CS_SECURE);
    assert_null(cs->reason);
    assert_ptr_equal(cipher_suite_by_name("ECDHE-RSA-AES128-GCM-SHA256"), cs);
    assert_ptr_equal(cipher_suite_by_name("tls_ecdhe_rsa_with_aes_128_gcm_sha256"), cs);
    assert_null(cipher_suite_lookup(0x0A0A));   /* GREASE */
    assert_null(cipher_suite_lookup(0x1300));   /* unassigned */
    assert_null(cipher_suite_by_name("NO-SUCH-SUITE"));

    cs = cipher_suite_lookup(0x1301);
    assert_int_equal(cs->min_version, TLSV_TLS13);
    assert_int_equal(cs->max_version, TLSV_TLS13);
    assert_false(cipher_suite_usable_at(cs, TLSV_TLS12));
    assert_true(cipher_suite_usable_at(cs, TLSV_TLS13));

    cs = cipher_suite_lookup(0x0005);  /* RC4-SHA: legacy name kept */
    assert_string_equal(cs->openssl, "RC4-SHA");
    assert_int_equal(cs->min_version, TLSV_SSL3);
    assert_true(cipher_suite_usable_at(cs, TLSV_SSL3));
    assert_true(cipher_suite_usable_at(cs, TLSV_TLS12));
    assert_false(cipher_suite_usable_at(cs, TLSV_TLS13));
}

static void test_strength_rules(void **state)
{
    (void)state;
    static const struct { uint16_t code; int strength; const char *reason_part; } cases[] = {
        { 0x0001, CS_INSECURE, "NULL" },       /* NULL-MD5 */
        { 0x0003, CS_INSECURE, "EXPORT" },     /* EXP-RC4-MD5 */
        { 0x0018, CS_INSECURE, "anonymous" },  /* ADH-RC4-MD5: anon is checked before RC4 */
        { 0x0005, CS_INSECURE, "RC4" },
        { 0x0009, CS_INSECURE, "DES" },
        { 0x000A, CS_WEAK, "3DES" },
        { 0x0007, CS_WEAK, "64-bit block" },   /* IDEA */
        { 0x002F, CS_WEAK, "forward secrecy" },/* AES128-SHA, static RSA */
        { 0x009C, CS_WEAK, "forward secrecy" },/* AES128-GCM-SHA256, static RSA */
        { 0xC013, CS_WEAK, "CBC" },            /* ECDHE-RSA-AES128-SHA */
        { 0xC0AE, CS_WEAK, "CCM_8" },
        { 0xC02B, CS_SECURE, NULL },
        { 0xCCA9, CS_SECURE, NULL },
        { 0x1302, CS_SECURE, NULL },
        { 0xC0B4, CS_INSECURE, "NULL" },       /* TLS_SHA256_SHA256: integrity only */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct cipher_suite *cs = cipher_suite_lookup(cases[i].code);
        assert_non_null(cs);
        if (cs->strength != cases[i].strength)
            fail_msg("0x%04X %s: strength %d, want %d", cs->code, cs->iana, cs->strength, cases[i].strength);
        if (cases[i].reason_part) {
            assert_non_null(cs->reason);
            if (strstr(cs->reason, cases[i].reason_part) == NULL)
                fail_msg("0x%04X reason \"%s\" lacks \"%s\"", cs->code, cs->reason, cases[i].reason_part);
        }
    }
    /* every non-secure suite says why; every secure one is AEAD with forward secrecy */
    for (size_t i = 0; i < cipher_suite_count(); i++) {
        const struct cipher_suite *cs = cipher_suite_at(i);
        if (cipher_suite_is_scsv(cs->code))
            continue;
        if (cs->strength == CS_SECURE) {
            assert_null(cs->reason);
            assert_true(cs->aead && cs->forward_secret);
        } else {
            assert_non_null(cs->reason);
        }
    }
}

static void test_table_shape(void **state)
{
    (void)state;
    size_t n = cipher_suite_count();
    assert_true(n >= 340);
    for (size_t i = 1; i < n; i++)
        assert_true(cipher_suite_at(i - 1)->code < cipher_suite_at(i)->code);   /* sorted, unique */
    assert_null(cipher_suite_at(n));
    for (size_t i = 0; i < n; i++) {
        const struct cipher_suite *cs = cipher_suite_at(i);
        assert_ptr_equal(cipher_suite_lookup(cs->code), cs);
        assert_ptr_equal(cipher_suite_by_name(cs->iana), cs);
        assert_false(tls_is_grease(cs->code));
        /* the brief's rule: *_SHA256/_SHA384 (non-PSK), GCM, CCM, CHACHA need tls1.2 */
        if (cs->max_version == TLSV_TLS12 && (cs->aead || ((strcmp(cs->mac, "SHA256") == 0 ||
                                              strcmp(cs->mac, "SHA384") == 0) && !strstr(cs->kx, "PSK"))))
            assert_int_equal(cs->min_version, TLSV_TLS12);
    }
}

static void test_groups_sigalgs_grease(void **state)
{
    (void)state;
    assert_string_equal(group_lookup(0x001d)->name, "x25519");
    assert_string_equal(group_lookup(0x0017)->name, "secp256r1");
    const struct named_group *g = group_lookup(0x0100);
    assert_string_equal(g->name, "ffdhe2048");
    assert_true(g->is_ffdhe);
    assert_int_equal(g->bits, 2048);
    g = group_lookup(0x11EC);
    assert_string_equal(g->name, "X25519MLKEM768");
    assert_true(g->pq);
    assert_string_equal(group_lookup(0x11EB)->name, "SecP256r1MLKEM768");
    assert_string_equal(group_lookup(0x11ED)->name, "SecP384r1MLKEM1024");
    assert_string_equal(group_lookup(0x6399)->name, "X25519Kyber768Draft00");
    assert_true(group_lookup(0x6399)->pq);
    assert_false(group_lookup(0x0018)->pq);
    assert_null(group_lookup(0x0a0a));
    assert_ptr_equal(group_by_name("P-256"), group_lookup(0x0017));
    assert_ptr_equal(group_by_name("X25519"), group_lookup(0x001d));
    assert_string_equal(sigalg_lookup(0x0804)->name, "rsa_pss_rsae_sha256");
    assert_string_equal(sigalg_lookup(0x0403)->name, "ecdsa_secp256r1_sha256");
    assert_string_equal(sigalg_lookup(0x0201)->name, "rsa_pkcs1_sha1");
    assert_null(sigalg_lookup(0xabcd));
    for (unsigned hi = 0; hi < 16; hi++)
        assert_true(tls_is_grease((uint16_t)((hi << 12) | 0x0a00 | (hi << 4) | 0x0a)));
    assert_false(tls_is_grease(0x0a1a));
    assert_false(tls_is_grease(0x1301));
    assert_false(tls_is_grease(0x0000));
    assert_string_equal(tls_extension_name(0), "server_name");
    assert_string_equal(tls_extension_name(0xff01), "renegotiation_info");
    assert_string_equal(tls_extension_name(43), "supported_versions");
}

/* The precomputed preference order is a permutation of the table, weakest last. */
static void test_rank_order(void **state)
{
    (void)state;
    size_t n = cipher_suite_count();
    int prev = CS_SECURE;
    for (size_t i = 0; i < n; i++) {
        assert_true(registry_suite_rank[i] < n);
        const struct cipher_suite *cs = cipher_suite_at(registry_suite_rank[i]);
        assert_true(cs->strength >= prev);
        prev = cs->strength;
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(registry_suite_rank[j], registry_suite_rank[i]);
    }
}

static const char *fixture_path(void)
{
    const char *root = getenv("TLSREADY_ROOT");
    static char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/tls/openssl-ciphers-V-stdname.txt", root ? root : ".");
    return path;
}

/* Every line of OpenSSL's table must agree with ours on code <-> IANA <-> OpenSSL name and version. */
static void test_agrees_with_openssl(void **state)
{
    (void)state;
    FILE *f = fopen(fixture_path(), "r");
    char line[512];
    int n = 0;
    if (f == NULL)
        fail_msg("cannot open %s (run from the repository root)", fixture_path());
    while (fgets(line, sizeof line, f)) {
        unsigned hi, lo;
        char std[128], ossl[128], proto[16];
        if (sscanf(line, " 0x%x,0x%x - %127s - %127s %15s", &hi, &lo, std, ossl, proto) != 5)
            continue;
        uint16_t code = (uint16_t)(hi << 8 | lo);
        const struct cipher_suite *cs = cipher_suite_lookup(code);
        if (cs == NULL)
            fail_msg("OpenSSL suite 0x%04X %s missing from the registry", code, std);
        if (strcmp(cs->iana, std) != 0)
            fail_msg("0x%04X: IANA name %s, OpenSSL says %s", code, cs->iana, std);
        if (cs->openssl == NULL || strcmp(cs->openssl, ossl) != 0)
            fail_msg("0x%04X: OpenSSL name %s, OpenSSL says %s", code, cs->openssl ? cs->openssl : "(null)", ossl);
        assert_ptr_equal(cipher_suite_by_name(ossl), cs);
        int v = strcmp(proto, "TLSv1.3") == 0 ? TLSV_TLS13 : strcmp(proto, "TLSv1.2") == 0 ? TLSV_TLS12
              : strcmp(proto, "TLSv1") == 0 ? TLSV_TLS10 : strcmp(proto, "SSLv3") == 0 ? TLSV_SSL3 : -1;
        if (cs->min_version != v)
            fail_msg("0x%04X %s: min version %s, OpenSSL says %s", code, cs->iana,
                     tls_version_name(cs->min_version), proto);
        n++;
    }
    fclose(f);
    assert_true(n >= 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_strength_rules),
        cmocka_unit_test(test_table_shape),
        cmocka_unit_test(test_groups_sigalgs_grease),
        cmocka_unit_test(test_agrees_with_openssl),
        cmocka_unit_test(test_rank_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
