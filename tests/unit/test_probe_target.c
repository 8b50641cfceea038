/* Unit tests for scan targets: spellings, URLs, target files, dedupe, --resolve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "probe/target.h"

struct expect {
    const char *in;
    const char *host;   /* NULL: must fail */
    unsigned port;
    int family;
    const char *err;    /* substring of the error when host is NULL */
};

static const struct expect cases[] = {
    { "example.com", "example.com", 443, 0, NULL },
    { "Example.COM:8443", "example.com", 8443, 0, NULL },
    { "  host-1.internal_x  ", "host-1.internal_x", 443, 0, NULL },
    { "192.0.2.7", "192.0.2.7", 443, AF_INET, NULL },
    { "192.0.2.7:993", "192.0.2.7", 993, AF_INET, NULL },
    { "2001:db8::1", "2001:db8::1", 443, AF_INET6, NULL },
    { "::1", "::1", 443, AF_INET6, NULL },
    { "[2001:db8::1]:8443", "2001:db8::1", 8443, AF_INET6, NULL },
    { "[::1]", "::1", 443, AF_INET6, NULL },
    { "https://www.example.org/path/x?y=1#z", "www.example.org", 443, 0, NULL },
    { "https://user:pw@api.example.org:9443/v1", "api.example.org", 9443, 0, NULL },
    { "HTTPS://example.org", "example.org", 443, 0, NULL },
    { "ldaps://dir.example.org", "dir.example.org", 636, 0, NULL },
    { "imaps://mail.example.org/", "mail.example.org", 993, 0, NULL },
    { "pop3s://mail.example.org", "mail.example.org", 995, 0, NULL },
    { "smtps://mail.example.org", "mail.example.org", 465, 0, NULL },
    { "ftps://files.example.org", "files.example.org", 990, 0, NULL },
    { "https://[2001:db8::5]:8443/", "2001:db8::5", 8443, AF_INET6, NULL },
    { "https://192.0.2.1?q", "192.0.2.1", 443, AF_INET, NULL },
    { "host:65535", "host", 65535, 0, NULL },
    /* malformed */
    { "", NULL, 0, 0, "empty target" },
    { "host:0", NULL, 0, 0, "bad port '0' (expected 1-65535)" },
    { "host:65536", NULL, 0, 0, "bad port '65536' (expected 1-65535)" },
    { "host:", NULL, 0, 0, "empty port" },
    { "host:44x", NULL, 0, 0, "bad port '44x'" },
    { "host:123456", NULL, 0, 0, "bad port '123456'" },
    { ":443", NULL, 0, 0, "empty host" },
    { "http://example.org", NULL, 0, 0, "unsupported URL scheme 'http'" },
    { "https://", NULL, 0, 0, "URL without a host" },
    { "[2001:db8::1", NULL, 0, 0, "missing ']'" },
    { "[2001:db8::1]x", NULL, 0, 0, "unexpected 'x' after ']'" },
    { "[example.com]:443", NULL, 0, 0, "bad IPv6 address 'example.com'" },
    { "2001:db8::zz", NULL, 0, 0, "bad IPv6 address" },
    { "300.1.1.1", NULL, 0, 0, "bad host name '300.1.1.1'" },
    { "bad host", NULL, 0, 0, "bad host name 'bad host'" },
    { "a..b", NULL, 0, 0, "bad host name 'a..b'" },
    { "-lead.example", NULL, 0, 0, "bad host name" },
};

static void test_target_spellings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct expect *e = &cases[i];
        struct scan_target t;
        struct tr_error err = { "" };
        int rc = target_parse(e->in, strlen(e->in), &t, &err);
        if (e->host) {
            if (rc != 0)
                fail_msg("'%s': unexpected error '%s'", e->in, err.msg);
            assert_string_equal(t.host, e->host);
            assert_int_equal(t.port, e->port);
            assert_int_equal(t.literal_family, e->family);
            assert_null(t.sni);
            target_free(&t);
        } else {
            if (rc != -1)
                fail_msg("'%s': parsed but should fail", e->in);
            if (!strstr(err.msg, e->err))
                fail_msg("'%s': error '%s' lacks '%s'", e->in, err.msg, e->err);
        }
    }
}

static void test_target_given_is_trimmed(void **state)
{
    (void)state;
    struct scan_target t;
    struct tr_error err;
    assert_int_equal(target_parse("  https://x.example/ ", 21, &t, &err), 0);
    assert_string_equal(t.given, "https://x.example/");
    target_free(&t);
}

static void test_scheme_ports(void **state)
{
    (void)state;
    assert_int_equal(target_scheme_port("https", 5), 443);
    assert_int_equal(target_scheme_port("LDAPS", 5), 636);
    assert_int_equal(target_scheme_port("ftp", 3), 0);
}

static void test_line_fields(void **state)
{
    (void)state;
    struct scan_target t;
    struct tr_error err;
    assert_int_equal(target_parse_line("", 0, &t, &err), 0);
    assert_int_equal(target_parse_line("   # comment", 12, &t, &err), 0);
    const char *l1 = "10.0.0.5:8443 sni=API.Example.com  # the API";
    assert_int_equal(target_parse_line(l1, strlen(l1), &t, &err), 1);
    assert_string_equal(t.host, "10.0.0.5");
    assert_int_equal(t.port, 8443);
    assert_string_equal(t.sni, "api.example.com");
    target_free(&t);
    const char *l2 = "host.example sni=";
    assert_int_equal(target_parse_line(l2, strlen(l2), &t, &err), -1);
    assert_string_equal(err.msg, "unknown field 'sni=' (expected sni=NAME)");
    const char *l3 = "host.example foo=bar";
    assert_int_equal(target_parse_line(l3, strlen(l3), &t, &err), -1);
    assert_string_equal(err.msg, "unknown field 'foo=bar' (expected sni=NAME)");
    const char *l4 = "host.example sni=bad/name";
    assert_int_equal(target_parse_line(l4, strlen(l4), &t, &err), -1);
    assert_string_equal(err.msg, "bad SNI name 'bad/name'");
}

static void test_dedupe(void **state)
{
    (void)state;
    struct target_list l;
    struct tr_error err;
    target_list_init(&l);
    const char *in[] = { "example.com", "EXAMPLE.com:443", "https://example.com/x", "example.com:8443",
                         "192.0.2.1", "192.0.2.1:443", "[::1]:443", "::1" };
    int want[] = { 1, 0, 0, 1, 1, 0, 1, 0 };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        struct scan_target t;
        assert_int_equal(target_parse(in[i], strlen(in[i]), &t, &err), 0);
        assert_int_equal(target_list_add(&l, &t, &err), want[i]);
    }
    assert_int_equal(l.n, 4);
    assert_int_equal(l.duplicates, 4);
    assert_string_equal(l.v[0].given, "example.com");   /* the first spelling is kept */
    assert_string_equal(l.v[1].host, "example.com");
    assert_int_equal(l.v[1].port, 8443);
    /* same host and port but another SNI is another target */
    struct scan_target t;
    const char *line = "example.com sni=other.example";
    assert_int_equal(target_parse_line(line, strlen(line), &t, &err), 1);
    assert_int_equal(target_list_add(&l, &t, &err), 1);
    /* many distinct targets force rehashing; all stay findable */
    for (int i = 0; i < 300; i++) {
        char s[32];
        snprintf(s, sizeof s, "h%d.example:%d", i, 1000 + i);
        assert_int_equal(target_parse(s, strlen(s), &t, &err), 0);
        assert_int_equal(target_list_add(&l, &t, &err), 1);
    }
    for (int i = 0; i < 300; i++) {
        char s[32];
        snprintf(s, sizeof s, "H%d.example:%d", i, 1000 + i);
        assert_int_equal(target_parse(s, strlen(s), &t, &err), 0);
        assert_int_equal(target_list_add(&l, &t, &err), 0);
    }
    assert_int_equal(l.n, 305);
    target_list_free(&l);
}

struct bad_lines {
    char msgs[8][600];
    int n;
};

static void collect(const char *msg, void *ctx)
{
    struct bad_lines *b = ctx;
    if (b->n < 8)
        snprintf(b->msgs[b->n++], sizeof b->msgs[0], "%s", msg);
}

static void test_target_file(void **state)
{
    (void)state;
    char path[] = "/tmp/test_probe_target_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# endpoints of the ERP integration\n"
                       "\n"
                       "erp.example.com\n"
                       "https://erp.example.com/soap\n"      /* duplicate of line 3 */
                       "  [2001:db8::7]:8443  sni=erp.example.com \r\n"
                       "host:99999\n"                        /* bad: line 6 */
                       "ldaps://dir.example.com # directory\n"
                       "http://plain.example.com\n"          /* bad: line 8 */
                       "10.1.2.3";                           /* no final newline */
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct target_list l;
    struct tr_error err;
    struct bad_lines bad = { .n = 0 };
    target_list_init(&l);
    long nbad = target_list_read_file(&l, path, collect, &bad, &err);
    unlink(path);
    assert_int_equal(nbad, 2);
    assert_int_equal(bad.n, 2);
    char want[600];
    snprintf(want, sizeof want, "%s:6: bad port '99999' (expected 1-65535)", path);
    assert_string_equal(bad.msgs[0], want);
    snprintf(want, sizeof want, "%s:8: unsupported URL scheme 'http' (expected https, ldaps, imaps, pop3s, smtps or ftps)", path);
    assert_string_equal(bad.msgs[1], want);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.v[0].host, "erp.example.com");
    assert_string_equal(l.v[1].host, "2001:db8::7");
    assert_int_equal(l.v[1].port, 8443);
    assert_string_equal(l.v[1].sni, "erp.example.com");
    assert_string_equal(l.v[2].host, "dir.example.com");
    assert_int_equal(l.v[2].port, 636);
    assert_string_equal(l.v[3].host, "10.1.2.3");
    assert_int_equal(l.duplicates, 1);
    target_list_free(&l);

    assert_int_equal(target_list_read_file(&l, "/nonexistent/targets.txt", collect, &bad, &err), -1);
    assert_string_equal(err.msg, "cannot open '/nonexistent/targets.txt': No such file or directory");
}

static void test_resolve_override(void **state)
{
    (void)state;
    struct resolve_override r;
    struct tr_error err;
    assert_int_equal(resolve_override_parse("API.example.com:443:127.0.0.2", &r, &err), 0);
    assert_string_equal(r.host, "api.example.com");
    assert_int_equal(r.port, 443);
    assert_int_equal(r.family, AF_INET);
    assert_int_equal(r.addr[0], 127);
    assert_int_equal(r.addr[3], 2);
    assert_int_equal(resolve_override_parse("v6.example:8443:[::1]", &r, &err), 0);
    assert_int_equal(r.family, AF_INET6);
    assert_int_equal(r.addr[15], 1);
    assert_int_equal(resolve_override_parse("v6.example:8443:::1", &r, &err), 0);
    assert_int_equal(r.family, AF_INET6);
    assert_int_equal(resolve_override_parse("example.com:443", &r, &err), -1);
    assert_string_equal(err.msg, "bad --resolve 'example.com:443' (expected HOST:PORT:ADDRESS)");
    assert_int_equal(resolve_override_parse("example.com:0:1.2.3.4", &r, &err), -1);
    assert_string_equal(err.msg, "bad --resolve 'example.com:0:1.2.3.4': bad port '0' (expected 1-65535)");
    assert_int_equal(resolve_override_parse("example.com:443:example.org", &r, &err), -1);
    assert_string_equal(err.msg, "bad --resolve 'example.com:443:example.org': 'example.org' is not an IP address");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_spellings),
        cmocka_unit_test(test_target_given_is_trimmed),
        cmocka_unit_test(test_scheme_ports),
        cmocka_unit_test(test_line_fields),
        cmocka_unit_test(test_dedupe),
        cmocka_unit_test(test_target_file),
        cmocka_unit_test(test_resolve_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
