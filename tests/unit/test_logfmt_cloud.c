/* Unit tests for the fixed and header-driven log formats: AWS ALB/CLB/NLB,
 * CloudFront and IIS (W3C), Caddy and `tlsready serve` JSON lines, and
 * auto-detection. Lines follow ../shared/specs/logs.md; malformed variants too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/logfmt_core.h"
#include "tls/version.h"

static struct logfmt_scratch scratch;

static int parse_with(struct logfmt_parser *p, const char *line, struct observation *obs)
{
    return logfmt_parse(p, line, strlen(line), obs, &scratch);
}

static const char ALB[] =
    "https 2026-11-03T14:05:11.204117Z app/web-alb/5d1e0c7a9b3f2e11 198.51.100.23:52144 10.0.1.17:8080 0.001 0.012 "
    "0.000 200 200 389 1544 \"GET https://api.example.com:443/health HTTP/1.1\" \"Java/1.6.0_45\" "
    "ECDHE-RSA-AES256-SHA TLSv1 arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/73e2d6bc24d8a067 "
    "\"Root=1-6727833f-0c1d2e3f4a5b6c7d8e9f0a1b\" \"api.example.com\" "
    "\"arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-000011112222\" 1 "
    "2026-11-03T14:05:11.191000Z \"forward\" \"-\" \"-\" \"10.0.1.17:8080\" \"200\" \"-\" \"-\" TID_7d1c0f5e2a9b4c3d";
static const char CLB[] =
    "2026-11-03T14:05:11.204117Z legacy-elb 198.51.100.23:52144 10.0.1.17:80 0.000042 0.001211 0.000037 200 200 0 "
    "1544 \"GET https://legacy.example.com:443/ HTTP/1.1\" \"curl/7.29.0\" ECDHE-RSA-AES128-SHA TLSv1";
static const char NLB[] =
    "tls 2.0 2026-11-03T14:05:11 net/edge-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 198.51.100.23:52144 10.0.1.17:443 "
    "48 3 517 4210 - arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-000011112222 - "
    "ECDHE-RSA-AES128-SHA tlsv1 secp256r1 legacy.example.com - - - 2026-11-03T14:05:10";

static void test_aws(void **state)
{
    (void)state;
    struct logfmt_parser p;
    struct observation o;
    logfmt_parser_init(&p, LOGFMT_ALB, NULL);
    assert_int_equal(parse_with(&p, ALB, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "198.51.100.23");
    assert_string_equal(o.server, "api.example.com");
    assert_string_equal(o.user_agent, "Java/1.6.0_45");
    assert_int_equal(o.version, TLSV_TLS10);
    assert_int_equal(o.time, 1793714711);
    /* IPv6 without brackets, plain http listener */
    const char *l = "http 2026-11-03T14:05:11.204117Z app/a/b 2a02:1:2::f215:50718 - 0.001 0.012 0.000 200 200 1 2 "
                    "\"GET http://x/ HTTP/1.1\" \"-\" - - arn \"Root\" \"-\" \"-\" 1";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_PLAIN);
    assert_string_equal(o.client_ip, "2a02:1:2::f215");
    assert_int_equal(parse_with(&p, CLB, &o), LOGFMT_BAD);
    assert_int_equal(parse_with(&p, "https 2026-11-03T14:05:11Z a 1.2.3.4:5 \"unterminated", &o), LOGFMT_BAD);

    logfmt_parser_init(&p, LOGFMT_CLB, NULL);
    assert_int_equal(parse_with(&p, CLB, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "198.51.100.23");
    assert_string_equal(o.user_agent, "curl/7.29.0");
    assert_int_equal(o.version, TLSV_TLS10);
    assert_int_equal(parse_with(&p, ALB, &o), LOGFMT_BAD);
    /* a TCP listener: "- - - " request, no TLS */
    l = "2026-11-03T14:05:11.204117Z elb 1.2.3.4:5 10.0.0.1:80 0.1 0.1 0.1 - - 0 0 \"- - - \" \"-\" - -";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_PLAIN);

    logfmt_parser_init(&p, LOGFMT_NLB, NULL);
    assert_int_equal(parse_with(&p, NLB, &o), LOGFMT_OK);
    assert_string_equal(o.server, "legacy.example.com");
    assert_int_equal(o.version, TLSV_TLS10);
    assert_int_equal(o.success, 1);
    l = "tls 2.0 2026-11-03T14:05:11 net/e/c g 198.51.100.23:52144 10.0.1.17:443 48 - 517 4210 - arn - - - - - - -";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_int_equal(o.success, 0);
    assert_int_equal(o.version, TLSV_UNKNOWN);
}

static void test_cloudfront(void **state)
{
    (void)state;
    struct logfmt_parser p;
    struct observation o;
    logfmt_parser_init(&p, LOGFMT_CLOUDFRONT, NULL);
    const char *l = "2026-11-03\t14:05:11\tFRA56-P4\t2391\t198.51.100.23\tGET\td111111abcdef8.cloudfront.net\t/health\t"
                    "200\t-\tJava/1.6.0_45%20(x)\t-\t-\tMiss\tq9Wk==\tapi.example.com\thttps\t412\t0.004\t-\tTLSv1\t"
                    "ECDHE-RSA-AES256-SHA\tMiss\tHTTP/1.1\t-\t-\t52144\t0.004\tMiss\tapplication/json\t1544\t-\t-";
    /* without a header: the documented 33 fields */
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "198.51.100.23");
    assert_string_equal(o.user_agent, "Java/1.6.0_45 (x)");
    assert_string_equal(o.server, "api.example.com");
    assert_int_equal(o.version, TLSV_TLS10);
    assert_int_equal(o.time, 1793714711);
    /* a header with a different order */
    assert_int_equal(parse_with(&p, "#Version: 1.0", &o), LOGFMT_META);
    assert_int_equal(parse_with(&p, "#Fields: c-ip ssl-protocol date time cs-protocol", &o), LOGFMT_META);
    assert_int_equal(parse_with(&p, "1.2.3.4\tTLSv1.2\t2026-11-03\t14:05:11\thttps", &o), LOGFMT_OK);
    assert_int_equal(o.version, TLSV_TLS12);
    assert_int_equal(parse_with(&p, "1.2.3.4\t-\t2026-11-03\t14:05:11\thttp", &o), LOGFMT_PLAIN);
    assert_int_equal(parse_with(&p, "1.2.3.4\tTLSv1.2", &o), LOGFMT_BAD);
}

static void test_iis(void **state)
{
    (void)state;
    struct logfmt_parser p;
    struct observation o;
    logfmt_parser_init(&p, LOGFMT_IIS, NULL);
    const char *l = "2026-11-03 14:05:11 10.0.1.17 GET /health - 443 - 198.51.100.23 Java/1.6.0_45 - 200 0 0 15 40 "
                    "6610 8004 ae06";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_BAD); /* no header yet */
    assert_int_equal(parse_with(&p, "#Software: Microsoft Internet Information Services 10.0", &o), LOGFMT_META);
    assert_int_equal(parse_with(&p,
                                "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
                                "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken "
                                "crypt-protocol crypt-cipher crypt-hash crypt-keyexchange",
                                &o),
                     LOGFMT_META);
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_int_equal(o.version, TLSV_TLS10);
    assert_string_equal(o.client_ip, "198.51.100.23");
    assert_string_equal(o.cipher, "CALG_AES_256");
    l = "2026-11-03 14:05:11 10.0.1.17 GET / - 443 - 10.9.8.7 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15 1000 "
        "6610 0 0";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_int_equal(o.version, TLSV_TLS13);
    assert_string_equal(o.user_agent, "Mozilla/5.0 (Windows NT 10.0)");
    l = "2026-11-03 14:05:11 10.0.1.17 GET / - 80 - 10.9.8.7 x - 200 0 0 15 - - - -";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_PLAIN);
}

static void test_json(void **state)
{
    (void)state;
    struct logfmt_parser p;
    struct observation o;
    logfmt_parser_init(&p, LOGFMT_CADDY, NULL);
    const char *l = "{\"level\":\"info\",\"ts\":1793714711.204,\"logger\":\"http.log.access\",\"msg\":\"handled request\","
                    "\"request\":{\"remote_ip\":\"198.51.100.23\",\"remote_port\":\"52144\",\"client_ip\":\"198.51.100.23\","
                    "\"proto\":\"HTTP/1.1\",\"method\":\"GET\",\"host\":\"api.example.com\",\"uri\":\"/health\","
                    "\"headers\":{\"User-Agent\":[\"Java/1.6.0_45\"]},\"tls\":{\"resumed\":false,\"version\":770,"
                    "\"cipher_suite\":49172,\"proto\":\"\",\"server_name\":\"api.example.com\"}},\"status\":200,"
                    "\"size\":1544,\"duration\":0.0041}";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "198.51.100.23");
    assert_int_equal(o.version, TLSV_TLS11);
    assert_string_equal(o.user_agent, "Java/1.6.0_45");
    assert_string_equal(o.server, "api.example.com");
    assert_string_equal(o.cipher, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
    assert_int_equal(o.time, 1793714711);
    l = "{\"ts\":1,\"request\":{\"remote_ip\":\"1.2.3.4\",\"host\":\"a.example:8080\"}}";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_PLAIN);
    assert_string_equal(o.server, "a.example");
    assert_int_equal(parse_with(&p, "{\"ts\":1,\"request\":{\"remote_ip\":\"1.2.3.4\"", &o), LOGFMT_BAD);
    assert_int_equal(parse_with(&p, "{\"ts\":1}", &o), LOGFMT_BAD);
    assert_int_equal(parse_with(&p, "[1,2]", &o), LOGFMT_BAD);
    assert_int_equal(parse_with(&p, "{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", &o), LOGFMT_BAD);

    logfmt_parser_init(&p, LOGFMT_SERVE, NULL);
    l = "{\"time\":\"2026-11-03T14:05:11Z\",\"client\":\"[::1]:40000\",\"sni\":\"localhost\",\"negotiated\":null,"
        "\"max_offered\":\"tls1.0\",\"offered_versions\":[\"tls1.0\"],\"ja3\":\"abc\",\"ja4\":\"t10d\","
        "\"outcome\":\"refused\",\"reason\":\"protocol version\"}";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "::1");
    assert_int_equal(o.success, 0);
    assert_int_equal(o.version, TLSV_UNKNOWN);
    assert_int_equal(o.max_offered, TLSV_TLS10);
    assert_string_equal(o.fingerprint, "t10d");
    assert_int_equal(o.time, 1793714711);
    l = "{\"time\":\"2026-11-03T14:05:11Z\",\"client\":\"127.0.0.1:5\",\"negotiated\":\"tls1.3\","
        "\"max_offered\":\"tls1.3\",\"outcome\":\"accepted\"}";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_int_equal(o.success, 1);
    assert_int_equal(o.version, TLSV_TLS13);
    assert_string_equal(o.client_ip, "127.0.0.1");
}

static int detect(const char *const *lines, int n)
{
    size_t lens[16];
    for (int i = 0; i < n; i++)
        lens[i] = strlen(lines[i]);
    struct tr_error err;
    return logfmt_detect(lines, lens, n, &err);
}

static void test_detect(void **state)
{
    (void)state;
    const char *alb[] = { ALB, ALB };
    assert_int_equal(detect(alb, 2), LOGFMT_ALB);
    const char *clb[] = { CLB };
    assert_int_equal(detect(clb, 1), LOGFMT_CLB);
    const char *nlb[] = { NLB, "" };
    assert_int_equal(detect(nlb, 2), LOGFMT_NLB);
    const char *ngx[] = {
        "203.0.113.9 - - [03/Nov/2026:14:05:11 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Java/1.6.0_45\" TLSv1 X",
    };
    assert_int_equal(detect(ngx, 1), LOGFMT_NGINX);
    const char *iis[] = { "#Software: Microsoft Internet Information Services 10.0",
                          "#Fields: date time c-ip cs(User-Agent) crypt-protocol",
                          "2026-11-03 14:05:11 1.2.3.4 x 400" };
    assert_int_equal(detect(iis, 3), LOGFMT_IIS);
    const char *cf[] = { "#Version: 1.0", "#Fields: date time c-ip ssl-protocol",
                         "2026-11-03\t14:05:11\t1.2.3.4\tTLSv1.2" };
    assert_int_equal(detect(cf, 3), LOGFMT_CLOUDFRONT);
    const char *serve[] = { "{\"client\":\"1.2.3.4:5\",\"negotiated\":\"tls1.2\",\"outcome\":\"accepted\"}" };
    assert_int_equal(detect(serve, 1), LOGFMT_SERVE);
    const char *caddy[] = { "{\"ts\":1,\"request\":{\"remote_ip\":\"1.2.3.4\",\"tls\":{\"version\":771}}}" };
    assert_int_equal(detect(caddy, 1), LOGFMT_CADDY);
    const char *junk[] = { "hello world", "foo" };
    assert_int_equal(detect(junk, 2), LOGFMT_NONE);
    const char *empty[] = { "" };
    assert_int_equal(detect(empty, 1), LOGFMT_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aws),  cmocka_unit_test(test_cloudfront), cmocka_unit_test(test_iis),
        cmocka_unit_test(test_json), cmocka_unit_test(test_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
