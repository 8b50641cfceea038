/*
 * Unit tests for serve's report: the verdict against the cut-over policy,
 * suite flags, offered versions, and that the JSON and HTML renderings keep
 * hostile strings (SNI, User-Agent) inert. Hellos are hand-made bytes parsed
 * by tlsready's own client_hello_from_records, exactly as the server does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "report/json.h"
#include "serve/report.h"
#include "tls/version.h"

/* A TLS 1.0 hello: record 0x0301, legacy_version 0x0301, suites RC4-SHA (0x0005),
 * DES-CBC3-SHA (0x000a), AES128-SHA (0x002f), EXP-RC4-MD5 (0x0003), TLS_FALLBACK_SCSV,
 * no extensions. */
static const uint8_t hello_tls10[] = {
    0x16, 0x03, 0x01, 0x00, 0x35,                   /* record: handshake, 53 bytes */
    0x01, 0x00, 0x00, 0x31,                         /* client_hello, 49 bytes */
    0x03, 0x01,                                     /* legacy_version TLS 1.0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* random */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00,                                           /* session_id: empty */
    0x00, 0x0a, 0x00, 0x05, 0x00, 0x0a, 0x00, 0x2f, 0x00, 0x03, 0x56, 0x00,
    0x01, 0x00,                                     /* compression: null */
};

/* A TLS 1.3 hello: suites TLS_AES_128_GCM_SHA256 + GREASE, extensions
 * server_name "<b>x\"y</b>", supported_versions {GREASE, 1.3, 1.2, 1.0}. */
static const uint8_t hello_tls13[] = {
    0x16, 0x03, 0x01, 0x00, 0x56,                   /* record: 86 bytes */
    0x01, 0x00, 0x00, 0x52,                         /* client_hello, 82 bytes */
    0x03, 0x03,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00,
    0x00, 0x04, 0x2a, 0x2a, 0x13, 0x01,
    0x01, 0x00,
    0x00, 0x25,                                     /* extensions: 37 bytes */
    0x00, 0x00, 0x00, 0x14, 0x00, 0x12, 0x00, 0x00, 0x0f,   /* server_name, 15-byte host */
    '<', 'b', '>', 'x', '"', 'y', '<', '/', 'b', '>', 'a', '.', 'c', 'o', 'm',
    0x00, 0x2b, 0x00, 0x09, 0x08, 0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03, 0x03, 0x01,
};

static void load(struct serve_report *r, const uint8_t *bytes, size_t n)
{
    struct tr_error err;
    size_t used = 0;
    serve_report_init(r);
    int rc = client_hello_from_records(bytes, n, &r->ch, &used, &err);
    if (rc != CH_OK)
        print_message("parse: %s\n", err.msg);
    assert_int_equal(rc, CH_OK);
    assert_int_equal(used, n);
    r->hello_state = SERVE_HELLO_PARSED;
    r->server_min = TLSV_TLS12;
    r->server_max = TLSV_TLS13;
    r->cutover = TLSV_TLS12;
    strcpy(r->client, "127.0.0.1:40000");
    strcpy(r->server, "127.0.0.1:8443");
}

static int has_reason(const struct serve_reasons *w, const char *needle)
{
    for (size_t i = 0; i < w->n; i++)
        if (strstr(w->text[i], needle))
            return 1;
    return 0;
}

static void test_tls10_client_refused_by_rehearsal(void **state)
{
    (void)state;
    struct serve_report r;
    load(&r, hello_tls10, sizeof hello_tls10);
    r.outcome = SERVE_REFUSED;
    strcpy(r.refused_reason, "unsupported protocol");
    struct serve_reasons why;
    assert_int_equal(serve_judge(&r, &why), SERVE_VERDICT_FAIL);
    assert_true(has_reason(&why, "The newest version it offers is TLS 1.0"));
    assert_true(has_reason(&why, "refused it: unsupported protocol"));
    assert_true(has_reason(&why, "TLS_FALLBACK_SCSV"));
    assert_true(has_reason(&why, "3 insecure cipher suites (RC4: 2, 3DES: 1, EXPORT: 1)"));
    int v[4];
    assert_int_equal(serve_offered_versions(&r.ch, v, 4), 1);
    assert_int_equal(v[0], TLSV_TLS10);
}

static void test_client_alert_is_not_a_cutover_failure(void **state)
{
    (void)state;
    struct serve_report r;
    load(&r, hello_tls13, sizeof hello_tls13);
    r.outcome = SERVE_REFUSED;
    r.client_aborted = 1;
    strcpy(r.refused_reason, "the client aborted the handshake (tlsv1 alert unknown ca)");
    struct serve_reasons why;
    assert_int_equal(serve_judge(&r, &why), SERVE_VERDICT_OK);
    assert_true(has_reason(&why, "does not trust this server's certificate"));
    r.client_aborted = 0;
    strcpy(r.refused_reason, "no shared cipher");
    assert_int_equal(serve_judge(&r, &why), SERVE_VERDICT_FAIL);
}

static void test_suite_flags(void **state)
{
    (void)state;
    assert_int_equal(serve_suite_flags(0x0005), SUITE_RC4);
    assert_int_equal(serve_suite_flags(0x000a), SUITE_3DES);
    assert_int_equal(serve_suite_flags(0x0003), SUITE_RC4 | SUITE_EXPORT);
    assert_int_equal(serve_suite_flags(0x0018), SUITE_RC4 | SUITE_ANON);   /* DH_anon_WITH_RC4_128_MD5 */
    assert_int_equal(serve_suite_flags(0x0002), SUITE_NULL);               /* RSA_WITH_NULL_SHA */
    assert_int_equal(serve_suite_flags(0x002f), 0);
    assert_int_equal(serve_suite_flags(0x00ff), 0);                        /* SCSV: a signal, not a cipher */
    assert_int_equal(serve_suite_flags(0x5600), 0);
    char tmp[8];
    assert_string_equal(serve_suite_name(0x1301, tmp, sizeof tmp), "TLS_AES_128_GCM_SHA256");
    assert_string_equal(serve_suite_name(0xfefe, tmp, sizeof tmp), "0xFEFE");
}

static void test_tls13_client_ok_with_notes(void **state)
{
    (void)state;
    struct serve_report r;
    load(&r, hello_tls13, sizeof hello_tls13);
    r.outcome = SERVE_ACCEPTED;
    r.negotiated = TLSV_TLS13;
    struct serve_reasons why;
    assert_int_equal(serve_judge(&r, &why), SERVE_VERDICT_OK);
    assert_true(has_reason(&why, "It offers TLS 1.3"));
    assert_true(has_reason(&why, "It also offers TLS 1.0"));
    int v[8];
    assert_int_equal(serve_offered_versions(&r.ch, v, 8), 3); /* GREASE left out */
    assert_int_equal(v[0], TLSV_TLS13);
    assert_int_equal(v[2], TLSV_TLS10);

    r.cutover = TLSV_TLS13;                                   /* a stricter policy */
    r.ch.suites[1] = 0x002f;                                  /* only a TLS 1.2 suite left */
    assert_int_equal(serve_judge(&r, &why), SERVE_VERDICT_FAIL);
    assert_true(has_reason(&why, "none of its cipher suites can be used with TLS 1.3"));
}

static void test_json_contract_and_escaping(void **state)
{
    (void)state;
    struct serve_report r;
    load(&r, hello_tls13, sizeof hello_tls13);
    r.outcome = SERVE_ACCEPTED;
    r.negotiated = TLSV_TLS13;
    r.have_cipher = 1;
    r.cipher = 0x1301;
    r.have_request = 1;
    strcpy(r.path, "/json");
    strcpy(r.user_agent, "evil\"\n<script>");
    struct tr_buf b;
    tr_buf_init(&b, NULL, 0);
    struct json_writer w;
    json_init(&w, &b);
    serve_report_json(&w, &r);
    const char *j = tr_buf_cstr(&b);
    assert_non_null(strstr(j, "\"negotiated\":\"tls1.3\""));
    assert_non_null(strstr(j, "\"max_offered\":\"tls1.3\""));
    assert_non_null(strstr(j, "\"offered_versions\":[\"tls1.3\",\"tls1.2\",\"tls1.0\"]"));
    assert_non_null(strstr(j, "\"cipher_suites\":[\"TLS_AES_128_GCM_SHA256\"]"));
    assert_non_null(strstr(j, "\"grease\":true"));
    assert_non_null(strstr(j, "\"sni\":\"<b>x\\\"y</b>a.com\""));
    assert_non_null(strstr(j, "\"user_agent\":\"evil\\\"\\n<script>\""));
    assert_non_null(strstr(j, "\"outcome\":\"accepted\",\"refused_reason\":null"));
    assert_non_null(strstr(j, "\"verdict\":\"ok\""));
    assert_non_null(strstr(j, "\"ja4\":\"t13d"));
    tr_buf_free(&b);

    tr_buf_init(&b, NULL, 0);
    serve_report_html(&b, &r);
    const char *h = tr_buf_cstr(&b);
    assert_null(strstr(h, "<script>"));
    assert_null(strstr(h, "<b>x"));
    assert_non_null(strstr(h, "&lt;b&gt;x&quot;y&lt;/b&gt;a.com"));
    assert_non_null(strstr(h, "You are connected with <strong>TLS 1.3</strong>"));
    tr_buf_free(&b);
}

static void test_unreadable_hello(void **state)
{
    (void)state;
    struct serve_report r;
    serve_report_init(&r);
    r.hello_state = SERVE_HELLO_BAD;
    strcpy(r.hello_error, "record type 71 at offset 0 is not handshake (22)");
    r.outcome = SERVE_REFUSED;
    strcpy(r.refused_reason, "http request");
    r.server_min = TLSV_TLS12;
    r.server_max = TLSV_TLS13;
    struct serve_reasons why;
    assert_int_equal(serve_judge(&r, &why), SERVE_VERDICT_FAIL);
    struct tr_buf b;
    tr_buf_init(&b, NULL, 0);
    struct json_writer w;
    json_init(&w, &b);
    serve_report_json(&w, &r);
    const char *j = tr_buf_cstr(&b);
    assert_non_null(strstr(j, "\"cipher_suites\":[]"));
    assert_non_null(strstr(j, "\"max_offered\":null"));
    assert_non_null(strstr(j, "\"refused_reason\":\"http request\""));
    tr_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls10_client_refused_by_rehearsal),
        cmocka_unit_test(test_suite_flags),
        cmocka_unit_test(test_client_alert_is_not_a_cutover_failure),
        cmocka_unit_test(test_tls13_client_ok_with_notes),
        cmocka_unit_test(test_json_contract_and_escaping),
        cmocka_unit_test(test_unreadable_hello),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
