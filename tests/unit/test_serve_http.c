/* Unit tests for serve's HTTP request-head parser: good, split, oversized-looking and malformed heads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "serve/http_request.h"

static int parse(const char *s, struct http_request *req)
{
    struct tr_error err;
    return http_request_parse(s, strlen(s), req, &err);
}

static void test_browser_request(void **state)
{
    (void)state;
    struct http_request r;
    const char *s = "GET /json?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8443\r\n"
                    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0\r\nAccept: */*\r\n\r\nBODY";
    assert_int_equal(parse(s, &r), HTTP_REQ_COMPLETE);
    assert_true(http_view_eq(r.method, "GET"));
    assert_true(http_view_eq(r.target, "/json?x=1"));
    assert_true(http_view_eq(r.path, "/json"));
    assert_true(http_view_eq(r.host, "127.0.0.1:8443"));
    assert_true(http_view_eq(r.user_agent, "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"));
    assert_int_equal(r.minor_version, 1);
    assert_int_equal(r.head_len, strlen(s) - 4);
}

static void test_bare_lf_and_ows(void **state)
{
    (void)state;
    struct http_request r;
    assert_int_equal(parse("HEAD / HTTP/1.0\nuser-agent:\t curl/7.88.1  \n\n", &r), HTTP_REQ_COMPLETE);
    assert_true(http_view_eq(r.method, "HEAD"));
    assert_true(http_view_eq(r.user_agent, "curl/7.88.1"));
    assert_int_equal(r.minor_version, 0);
    assert_null(r.host.p);
}

static void test_every_prefix_needs_more(void **state)
{
    (void)state;
    const char *s = "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: b\r\n\r\n";
    struct http_request r;
    struct tr_error err;
    for (size_t n = 0; n < strlen(s); n++)
        assert_int_equal(http_request_parse(s, n, &r, &err), HTTP_REQ_NEED_MORE);
    assert_int_equal(http_request_parse(s, strlen(s), &r, &err), HTTP_REQ_COMPLETE);
}

static void test_malformed(void **state)
{
    (void)state;
    struct http_request r;
    static const char *const bad[] = {
        "\x16\x03\x01\x01\x05hello\r\n\r\n",          /* TLS bytes on the HTTP path */
        "GET\r\n\r\n",                               /* no target */
        "GET / HTTP/2.0\r\n\r\n",                    /* not HTTP/1.x */
        "GET / HTTP/1.1 extra\r\n\r\n",
        "GET /a\x01 HTTP/1.1\r\n\r\n",               /* control character in the target */
        "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",  /* two Hosts (RFC 9112 3.2) */
        "GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",
        " GET / HTTP/1.1\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(bad[i], &r), HTTP_REQ_MALFORMED);
}

static void test_error_names_offset(void **state)
{
    (void)state;
    struct http_request r;
    struct tr_error err;
    const char *s = "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n";
    assert_int_equal(http_request_parse(s, strlen(s), &r, &err), HTTP_REQ_MALFORMED);
    assert_non_null(strstr(err.msg, "offset 19"));
}

static void test_too_many_fields(void **state)
{
    (void)state;
    char buf[2048] = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < HTTP_REQ_MAX_FIELDS; i++)
        strcat(buf, "a:b\r\n");
    strcat(buf, "\r\n");
    struct http_request r;
    assert_int_equal(parse(buf, &r), HTTP_REQ_COMPLETE);   /* exactly the limit */
    buf[strlen(buf) - 2] = 0;
    strcat(buf, "a:b\r\n\r\n");
    assert_int_equal(parse(buf, &r), HTTP_REQ_MALFORMED);  /* one more */
}

static void test_nul_bytes_are_not_strings(void **state)
{
    (void)state;
    const char s[] = "GET / HTTP/1.1\r\nUser-Agent: a\0b\r\n\r\n";
    struct http_request r;
    struct tr_error err;
    assert_int_equal(http_request_parse(s, sizeof s - 1, &r, &err), HTTP_REQ_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browser_request),
        cmocka_unit_test(test_bare_lf_and_ows),
        cmocka_unit_test(test_every_prefix_needs_more),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_error_names_offset),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_nul_bytes_are_not_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
