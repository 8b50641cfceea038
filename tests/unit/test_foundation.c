/* Unit tests for the shared foundation: version vocabulary, byte buffer, JSON and CSV writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "report/csv.h"
#include "report/json.h"
#include "tls/version.h"
#include "util/buf.h"
#include "util/sample.h"

static int parse(const char *s) { return tls_version_parse(s, strlen(s)); }

static void test_version_spellings(void **state)
{
    (void)state;
    assert_int_equal(parse("TLS 1.0"), TLSV_TLS10);   /* Salesforce LoginHistory */
    assert_int_equal(parse("TLSv1"), TLSV_TLS10);     /* nginx $ssl_protocol */
    assert_int_equal(parse("TLSv1.1"), TLSV_TLS11);
    assert_int_equal(parse("tls1.2"), TLSV_TLS12);
    assert_int_equal(parse("TLSv1.3"), TLSV_TLS13);
    assert_int_equal(parse("TLS1_2"), TLSV_TLS12);
    assert_int_equal(parse("SSLv3"), TLSV_SSL3);
    assert_int_equal(parse("ssl3"), TLSV_SSL3);
    assert_int_equal(parse("SSL 3.0"), TLSV_SSL3);
    assert_int_equal(parse("772"), TLSV_TLS13);       /* Caddy numeric */
    assert_int_equal(parse("0x0301"), TLSV_TLS10);
    assert_int_equal(parse("Unknown"), TLSV_UNKNOWN);
    assert_int_equal(parse(""), TLSV_NONE);
    assert_int_equal(parse("TLS 2.0"), TLSV_NONE);
    assert_int_equal(parse("SSLv2"), TLSV_NONE);
    assert_int_equal(parse("TLSv1.9"), TLSV_NONE);
    assert_int_equal(parse("-"), TLSV_NONE);
    assert_int_equal(tls_version_parse_option("tls1.1"), TLSV_TLS11);
    assert_int_equal(tls_version_parse_option("TLS 1.1"), TLSV_NONE);
    assert_string_equal(tls_version_name(TLSV_TLS13), "tls1.3");
    assert_null(tls_version_name(-1));
    assert_int_equal(tls_version_wire(TLSV_TLS12), 0x0303);
    assert_int_equal(tls_version_from_wire(0x7f1c), TLSV_TLS13);
    assert_int_equal(tls_version_from_wire(0x0200), TLSV_NONE);
}

static void test_buf_integers(void **state)
{
    (void)state;
    struct tr_buf b;
    tr_buf_init(&b, NULL, 0);
    tr_buf_put_u64(&b, 0);
    tr_buf_push_u8(&b, ' ');
    tr_buf_put_u64(&b, 10);
    tr_buf_push_u8(&b, ' ');
    tr_buf_put_u64(&b, UINT64_MAX);
    tr_buf_push_u8(&b, ' ');
    tr_buf_put_i64(&b, -1);
    tr_buf_push_u8(&b, ' ');
    tr_buf_put_i64(&b, INT64_MIN);
    tr_buf_push_u8(&b, ' ');
    tr_buf_put_i64(&b, INT64_MAX);
    assert_string_equal(tr_buf_cstr(&b),
                        "0 10 18446744073709551615 -1 -9223372036854775808 9223372036854775807");
    tr_buf_free(&b);
}

static void test_buf_blocks(void **state)
{
    (void)state;
    uint8_t small[4];
    struct tr_buf b;
    tr_buf_init(&b, small, sizeof small);
    size_t outer = tr_buf_block_open(&b, 2);
    tr_buf_push_u8(&b, 0xaa);
    size_t inner = tr_buf_block_open(&b, 1);
    tr_buf_push_u16(&b, 0x0102);
    tr_buf_block_close(&b, inner, 1);
    tr_buf_block_close(&b, outer, 2);
    const uint8_t want[] = { 0x00, 0x04, 0xaa, 0x02, 0x01, 0x02 };
    assert_false(b.failed);
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.base, want, sizeof want);
    assert_true(b.is_heap); /* grew out of the 4-byte stack array */
    /* a block longer than its length prefix can say fails, stickily */
    size_t s = tr_buf_block_open(&b, 1);
    uint8_t big[300] = { 0 };
    tr_buf_push(&b, big, sizeof big);
    tr_buf_block_close(&b, s, 1);
    assert_true(b.failed);
    size_t len = b.len;
    tr_buf_push_u8(&b, 1);
    assert_int_equal(b.len, len);
    tr_buf_free(&b);
}

static void test_json_writer(void **state)
{
    (void)state;
    struct tr_buf b;
    tr_buf_init(&b, NULL, 0);
    struct json_writer w;
    json_init(&w, &b);
    json_object_begin(&w);
    json_key(&w, "target");
    json_string(&w, "a\"b\\c\n\x01");
    json_key(&w, "list");
    json_array_begin(&w);
    json_int(&w, -3);
    json_uint(&w, 7);
    json_null(&w);
    json_bool(&w, 1);
    json_array_end(&w);
    json_key(&w, "bad");
    json_string(&w, "x\xff\xc3\xa9y"); /* invalid byte, then a valid é */
    json_key(&w, "none");
    json_string(&w, NULL);
    json_object_end(&w);
    assert_string_equal(tr_buf_cstr(&b),
        "{\"target\":\"a\\\"b\\\\c\\n\\u0001\",\"list\":[-3,7,null,true],\"bad\":\"x\\ufffd\xc3\xa9y\",\"none\":null}");
    tr_buf_free(&b);
}

static void test_csv_writer(void **state)
{
    (void)state;
    struct tr_buf b;
    tr_buf_init(&b, NULL, 0);
    csv_field(&b, "plain", 1);
    csv_field(&b, "a,b", 0);
    csv_field(&b, "say \"hi\"", 0);
    csv_field_u64(&b, 42, 0);
    csv_field(&b, NULL, 0);
    csv_row_end(&b);
    assert_string_equal(tr_buf_cstr(&b), "plain,\"a,b\",\"say \"\"hi\"\"\",42,\n");
    tr_buf_free(&b);
}

static void test_sample(void **state)
{
    (void)state;
    char b[16];
    assert_string_equal(tr_sample("ok.host", 7, b, sizeof b), "ok.host");
    /* an escape sequence and a backslash never reach a terminal as themselves */
    assert_string_equal(tr_sample("\x1b[31m\\", 6, b, sizeof b), "\\x1b[31m\\x5c");
    assert_string_equal(tr_sample("\xff\x00", 2, b, sizeof b), "\\xff\\x00");
    /* bounded: cut with "..." and always NUL-terminated within cap */
    assert_string_equal(tr_sample("abcdefghijklmnopqrstuvwxyz", 26, b, sizeof b), "abcdefghijkl...");
    assert_string_equal(tr_sample("", 0, b, sizeof b), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_spellings),
        cmocka_unit_test(test_buf_integers),
        cmocka_unit_test(test_buf_blocks),
        cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_csv_writer),
        cmocka_unit_test(test_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
