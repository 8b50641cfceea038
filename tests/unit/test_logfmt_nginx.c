/* Unit tests for the template log formats: nginx (preset, custom, nginx.conf),
 * Apache, HAProxy and Envoy, with hand-made good, truncated and malformed lines. */
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

static void test_nginx_preset(void **state)
{
    (void)state;
    struct logfmt_parser p;
    struct observation o;
    assert_int_equal(logfmt_parser_init(&p, LOGFMT_NGINX, NULL), 0);
    const char *l = "203.0.113.9 - - [03/Nov/2026:14:05:11 +0000] \"GET /api/v1/items HTTP/1.1\" 200 5120 \"-\" "
                    "\"Java/1.6.0_45\" TLSv1 ECDHE-RSA-AES256-SHA";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "203.0.113.9");
    assert_int_equal(o.version, TLSV_TLS10);
    assert_string_equal(o.cipher, "ECDHE-RSA-AES256-SHA");
    assert_string_equal(o.user_agent, "Java/1.6.0_45");
    assert_int_equal(o.time, 1793714711); /* 2026-11-03T14:05:11Z */
    assert_null(o.server);
    /* time zone offset, TLS 1.3, an escaped quote and spaces in the user agent, a request with spaces */
    l = "2001:db8::7 - bob [03/Nov/2026:15:05:11 +0100] \"GET /a b c HTTP/1.1\" 404 0 \"http://x/\" "
        "\"Mozilla/5.0 (X11) \\x22quoted\\x22\" TLSv1.3 TLS_AES_256_GCM_SHA384";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "2001:db8::7");
    assert_int_equal(o.version, TLSV_TLS13);
    assert_string_equal(o.user_agent, "Mozilla/5.0 (X11) \"quoted\"");
    assert_int_equal(o.time, 1793714711);
    /* plain HTTP: nginx writes "-" */
    l = "10.0.0.1 - - [03/Nov/2026:14:05:11 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"curl/7.88.1\" - -";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_PLAIN);
    /* a TLS ClientHello sent to a plain port: raw bytes in the request */
    l = "10.0.0.1 - - [03/Nov/2026:14:05:11 +0000] \"\\x16\\x03\\x01\\x02\\x00\\x01\" 400 157 \"-\" \"-\" - -";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_PLAIN);
    assert_null(o.user_agent);
}

static void test_nginx_malformed(void **state)
{
    (void)state;
    struct logfmt_parser p;
    struct observation o;
    assert_int_equal(logfmt_parser_init(&p, LOGFMT_NGINX, NULL), 0);
    const char *bad[] = {
        "",
        "garbage",
        "203.0.113.9 - - [03/Nov/2026:14:05:11 +0000] \"GET / HTTP/1.1\" 200 5120 \"-\" \"Java", /* truncated */
        "203.0.113.9 - - [03/Nov/2026:14:05:11] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\" TLSv1 A",     /* bad time */
        "203.0.113.9 - - [03/Nov/2026:14:05:11 +0000",
        " - - [03/Nov/2026:14:05:11 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\" TLSv1 A", /* no client */
        "\"x\" TLSv1 A",
        "- [ ] \" \" \" \" \" \" ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = parse_with(&p, bad[i], &o);
        if (r != LOGFMT_BAD)
            fail_msg("line %zu parsed: %s", i, bad[i]);
        assert_non_null(p.why);
    }
    /* an unknown protocol spelling is counted as unknown, not dropped */
    const char *l = "1.2.3.4 - - [03/Nov/2026:14:05:11 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\" DTLSv1.2 A";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_int_equal(o.version, TLSV_UNKNOWN);
}

static void test_nginx_custom(void **state)
{
    (void)state;
    struct tpl t;
    struct tr_error err;
    struct logfmt_parser p;
    struct observation o;
    assert_int_equal(tpl_compile_nginx(&t,
                                       "$time_iso8601 ${remote_addr}|$ssl_server_name|$ssl_protocol|$ssl_cipher|"
                                       "$request_time|\"$http_user_agent\"|$host",
                                       ESC_NGINX, &err),
                     0);
    logfmt_parser_init_tpl(&p, &t);
    const char *l = "2026-11-03T14:05:11+00:00 198.51.100.23|api.example.com|TLSv1.2|ECDHE-RSA-AES128-GCM-SHA256|"
                    "0.004|\"curl/8.1\"|www.example.com";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "198.51.100.23");
    assert_string_equal(o.server, "api.example.com");
    assert_int_equal(o.version, TLSV_TLS12);
    assert_int_equal(o.time, 1793714711);
    /* no SNI: the Host is the server */
    l = "2026-11-03T14:05:11+00:00 198.51.100.23|-|TLSv1.1|X|0.004|\"curl/8.1\"|www.example.com";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.server, "www.example.com");
    assert_int_equal(o.version, TLSV_TLS11);

    /* escape=json */
    assert_int_equal(tpl_compile_nginx(&t, "{\"ip\":\"$remote_addr\",\"ua\":\"$http_user_agent\",\"p\":\"$ssl_protocol\"}",
                                       ESC_JSON, &err),
                     0);
    logfmt_parser_init_tpl(&p, &t);
    l = "{\"ip\":\"1.2.3.4\",\"ua\":\"a \\\"q\\\" \\\\\",\"p\":\"TLSv1.2\"}";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.user_agent, "a \"q\" \\");

    /* adjacent variables cannot be split */
    assert_int_equal(tpl_compile_nginx(&t, "$remote_addr$ssl_protocol", ESC_NGINX, &err), -1);
    assert_non_null(strstr(err.msg, "ssl_protocol"));
    assert_int_equal(tpl_compile_nginx(&t, "no variables", ESC_NGINX, &err), -1);
    assert_int_equal(tpl_compile_nginx(&t, "${remote_addr", ESC_NGINX, &err), -1);
}

static void test_nginx_conf(void **state)
{
    (void)state;
    const char *conf = "http {\n  # log_format fake 'x';\n"
                       "  log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n"
                       "                  '$status $body_bytes_sent';\n"
                       "  log_format tls escape=json '$remote_addr $ssl_protocol' \"|$ssl_cipher\";\n"
                       "  access_log /var/log/nginx/access.log tls;\n}\n";
    char out[1024];
    int esc = -1;
    struct tr_error err;
    assert_int_equal(nginx_conf_find_format(conf, strlen(conf), "main", out, sizeof out, &esc, &err), 0);
    assert_string_equal(out, "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent");
    assert_int_equal(esc, ESC_NGINX);
    assert_int_equal(nginx_conf_find_format(conf, strlen(conf), "tls", out, sizeof out, &esc, &err), 0);
    assert_string_equal(out, "$remote_addr $ssl_protocol|$ssl_cipher");
    assert_int_equal(esc, ESC_JSON);
    assert_int_equal(nginx_conf_find_format(conf, strlen(conf), NULL, out, sizeof out, &esc, &err), -1);
    assert_non_null(strstr(err.msg, "'main', 'tls'"));
    assert_int_equal(nginx_conf_find_format(conf, strlen(conf), "nope", out, sizeof out, &esc, &err), -1);
    const char *unterminated = "log_format x '$remote_addr";
    assert_int_equal(nginx_conf_find_format(unterminated, strlen(unterminated), NULL, out, sizeof out, &esc, &err), -1);
    const char *nosemi = "log_format x '$remote_addr' }";
    assert_int_equal(nginx_conf_find_format(nosemi, strlen(nosemi), NULL, out, sizeof out, &esc, &err), -1);
}

static void test_apache(void **state)
{
    (void)state;
    struct logfmt_parser p;
    struct observation o;
    assert_int_equal(logfmt_parser_init(&p, LOGFMT_APACHE, NULL), 0);
    const char *l = "[03/Nov/2026:14:05:11 +0000] 198.51.100.23 TLSv1.1 ECDHE-RSA-AES128-SHA \"GET /login HTTP/1.1\" 2326";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "198.51.100.23");
    assert_int_equal(o.version, TLSV_TLS11);
    assert_int_equal(o.time, 1793714711);
    struct tpl t;
    struct tr_error err;
    assert_int_equal(tpl_compile_apache(&t,
                                        "%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-agent}i\\\" "
                                        "%{SSL_PROTOCOL}x %{SSL_CIPHER}x %{SSL_TLS_SNI}x",
                                        &err),
                     0);
    logfmt_parser_init_tpl(&p, &t);
    l = "10.1.2.3 - - [03/Nov/2026:14:05:11 +0000] \"GET / HTTP/1.1\" 200 12 \"-\" \"Wget/1.21 \\\"x\\\"\" TLSv1.2 "
        "AES128-SHA shop.example";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.user_agent, "Wget/1.21 \"x\"");
    assert_string_equal(o.server, "shop.example");
    assert_int_equal(o.version, TLSV_TLS12);
    assert_int_equal(tpl_compile_apache(&t, "%{Referer", &err), -1);
    /* httpd.conf escapes ("\t") and "%%" are literal text; a '%' at the end is not a directive */
    assert_int_equal(tpl_compile_apache(&t, "%h\\t%%\\t%{SSL_PROTOCOL}x", &err), 0);
    logfmt_parser_init_tpl(&p, &t);
    assert_int_equal(parse_with(&p, "10.9.8.7\t%\tTLSv1", &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "10.9.8.7");
    assert_int_equal(o.version, TLSV_TLS10);
    assert_int_equal(parse_with(&p, "10.9.8.7\tx\tTLSv1", &o), LOGFMT_BAD);
    assert_int_equal(tpl_compile_apache(&t, "%h %", &err), -1);
}

static void test_haproxy(void **state)
{
    (void)state;
    struct logfmt_parser p;
    struct observation o;
    assert_int_equal(logfmt_parser_init(&p, LOGFMT_HAPROXY, NULL), 0);
    const char *l = "Nov  3 14:05:11 lb1 haproxy[2110]: 198.51.100.23:52144 [03/Nov/2026:14:05:11.204] fe_https~ "
                    "be_app/app1 0/0/1/3/4 200 812 - - ---- 4/4/0/0/0 0/0 \"GET /health HTTP/1.1\" 0/0/0/0/0 "
                    "api.example.com/TLSv1.1/ECDHE-RSA-AES256-SHA";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "198.51.100.23");
    assert_string_equal(o.server, "api.example.com");
    assert_int_equal(o.version, TLSV_TLS11);
    assert_string_equal(o.cipher, "ECDHE-RSA-AES256-SHA");
    assert_int_equal(o.time, 1793714711);
    /* IPv6 client, no syslog prefix */
    l = "2001:db8::5:40000 [03/Nov/2026:14:05:11.204] fe~ b/s 0/0/1/3/4 200 812 - - ---- 4/4/0/0/0 0/0 "
        "{x|y} {z} \"GET / HTTP/1.1\" 0/0/0/0/0 -/TLSv1.3/TLS_AES_256_GCM_SHA384";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "2001:db8::5");
    assert_null(o.server);
    assert_int_equal(o.version, TLSV_TLS13);
    l = "198.51.100.23:52144 [03/Nov/2026:14:05:11.204] fe_https~ be_app/app1";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_BAD);
    /* a connection error line: a failed handshake */
    l = "<134>Nov 28 13:22:32 localhost haproxy[4614]: 127.0.0.1:57212 [03/Nov/2026:14:05:11.555] fe_tls/1: "
        "Connection closed during SSL handshake";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_int_equal(o.success, 0);
    assert_string_equal(o.client_ip, "127.0.0.1");
    assert_string_equal(o.status, "Connection closed during SSL handshake");
    assert_int_equal(o.time, 1793714711);
    l = "127.0.0.1:57212 [03/Nov/2026:14:05:11.555] fe tls: x";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_BAD);
    l = "127.0.0.1:57212 [03/Nov/2026:14:05:11.555]";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_BAD);
    /* haproxy.cfg escapes ("\ ") and "%%" are literal text; "\t" stays a 't' there */
    struct tpl t;
    struct tr_error err;
    assert_int_equal(tpl_compile_haproxy(&t, "%ci\\ %%\\t%sslv", &err), 0);
    logfmt_parser_init_tpl(&p, &t);
    assert_int_equal(parse_with(&p, "10.9.8.7 %tTLSv1.3", &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "10.9.8.7");
    assert_int_equal(o.version, TLSV_TLS13);
    assert_int_equal(tpl_compile_haproxy(&t, "%ci %", &err), -1);
}

static void test_envoy(void **state)
{
    (void)state;
    struct logfmt_parser p;
    struct observation o;
    assert_int_equal(logfmt_parser_init(&p, LOGFMT_ENVOY, NULL), 0);
    const char *l = "[2026-11-03T14:05:11.204Z] \"GET /health HTTP/1.1\" 200 - 0 1544 4 3 \"-\" \"Java/1.6.0_45\" "
                    "\"9a1c\" \"api.example.com\" \"10.0.1.17:8080\" 198.51.100.23:52144 api.example.com TLSv1.2 "
                    "ECDHE-RSA-AES128-GCM-SHA256";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_OK);
    assert_string_equal(o.client_ip, "198.51.100.23");
    assert_string_equal(o.server, "api.example.com");
    assert_string_equal(o.user_agent, "Java/1.6.0_45");
    assert_int_equal(o.version, TLSV_TLS12);
    assert_int_equal(o.time, 1793714711);
    l = "[2026-11-03T14:05:11.204Z] \"GET /health HTTP/1.1\" 200 - 0 1544 4 3 \"-\" \"x\" \"9\" \"-\" \"-\" "
        "[::1]:5000 - - -";
    assert_int_equal(parse_with(&p, l, &o), LOGFMT_PLAIN);
    assert_string_equal(o.client_ip, "::1");
}

static void test_versions(void **state)
{
    (void)state;
    assert_int_equal(logfmt_version("TLSv1", 5), TLSV_TLS10);
    assert_int_equal(logfmt_version("TLSv1.3", 7), TLSV_TLS13);
    assert_int_equal(logfmt_version("tlsv12", 6), TLSV_TLS12);
    assert_int_equal(logfmt_version("tlsv1", 5), TLSV_TLS10);
    assert_int_equal(logfmt_version("SSLv3", 5), TLSV_SSL3);
    assert_int_equal(logfmt_version("771", 3), TLSV_TLS12);
    assert_int_equal(logfmt_version("-", 1), TLSV_NONE);
    assert_int_equal(logfmt_version("", 0), TLSV_NONE);
    assert_int_equal(logfmt_version("TLSv9", 5), TLSV_UNKNOWN);
    assert_int_equal(logfmt_version_schannel("40", 2), TLSV_TLS10);
    assert_int_equal(logfmt_version_schannel("1000", 4), TLSV_TLS13);
    assert_int_equal(logfmt_version_schannel("zz", 2), TLSV_UNKNOWN);
    assert_int_equal(logfmt_addr_host_len("1.2.3.4:55", 10), 7);
    assert_int_equal(logfmt_addr_host_len("2a02:1::f215:50718", 18), 12);
    assert_int_equal(logfmt_addr_host_len("[::1]:443", 9), 5);
    assert_int_equal(logfmt_addr_host_len("host", 4), 4);
    assert_int_equal(logfmt_time_iso(NULL, "2026-11-03T14:05:11.204117Z", 27), 1793714711);
    assert_int_equal(logfmt_time_iso(NULL, "2026-11-03T16:05:11+02:00", 25), 1793714711);
    assert_int_equal(logfmt_time_iso(NULL, "2026-13-03T16:05:11", 19), OBS_TIME_UNKNOWN);
    assert_int_equal(logfmt_time_clf(NULL, "03/Foo/2026:14:05:11 +0000", 26), OBS_TIME_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nginx_preset), cmocka_unit_test(test_nginx_malformed),
        cmocka_unit_test(test_nginx_custom), cmocka_unit_test(test_nginx_conf),
        cmocka_unit_test(test_apache),       cmocka_unit_test(test_haproxy),
        cmocka_unit_test(test_envoy),        cmocka_unit_test(test_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
