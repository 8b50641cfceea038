/*
 * Unit tests for the STARTTLS dialogues (probe/starttls.h): scripted server
 * bytes for each protocol, delivered whole and one byte at a time: the good
 * path (and what the client sent), refusals in the server's words, truncated
 * dialogues, garbage, oversized lines and messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe/starttls.h"

struct conv {
    int status;
    uint8_t sent[4096];
    size_t sent_len;
    char reason[128];
};

static void sent_add(struct conv *c, const struct starttls *s)
{
    assert_true(c->sent_len + s->out_len <= sizeof c->sent);
    memcpy(c->sent + c->sent_len, s->out, s->out_len);
    c->sent_len += s->out_len;
}

/* Plays the server's bytes in chunks of `chunk`; returns the last status. */
static int drive(int proto, const void *server, size_t n, size_t chunk, struct conv *c)
{
    static uint8_t in[STARTTLS_TOTAL_MAX * 2];
    struct starttls s;
    memset(c, 0, sizeof *c);
    starttls_init(&s, proto, "mail.example");
    sent_add(c, &s);
    size_t len = 0, pos = 0;
    int st = STARTTLS_NEED_MORE;
    while (pos < n) {
        size_t k = n - pos < chunk ? n - pos : chunk;
        memcpy(in + len, (const uint8_t *)server + pos, k);
        len += k;
        pos += k;
        size_t used;
        do {
            st = starttls_feed(&s, in, len, &used);
            assert_true(used <= len);
            memmove(in, in + used, len - used);
            len -= used;
            sent_add(c, &s);
        } while (st == STARTTLS_NEED_MORE && used && len);
        if (st != STARTTLS_NEED_MORE)
            break;
    }
    c->status = st;
    snprintf(c->reason, sizeof c->reason, "%s", s.reason);
    return st;
}

/* Whole and byte by byte give the same status and client bytes (an error's
 * quote of the server may be shorter byte by byte: it quotes what arrived). */
static int play(int proto, const void *server, size_t n, struct conv *c)
{
    struct conv one;
    int a = drive(proto, server, n, 1, &one);
    int b = drive(proto, server, n, 1 << 20, c);
    if (a != b)
        fail_msg("byte by byte: %d (%s), whole: %d (%s)", a, one.reason, b, c->reason);
    assert_int_equal(one.sent_len, c->sent_len);
    assert_memory_equal(one.sent, c->sent, c->sent_len);
    return b;
}
#define PLAY(proto, str, c) play(proto, str, sizeof str - 1, c)

static void test_smtp(void **state)
{
    (void)state;
    struct conv c;
    assert_int_equal(PLAY(STARTTLS_SMTP, "220-mx.example ESMTP\r\n220 ready\r\n250-mx.example\r\n250-PIPELINING\r\n"
                                         "250-STARTTLS\r\n250 8BITMIME\r\n220 2.0.0 go ahead\r\n", &c), STARTTLS_READY);
    assert_int_equal(c.sent_len, strlen("EHLO tlsready.invalid\r\nSTARTTLS\r\n"));
    assert_memory_equal(c.sent, "EHLO tlsready.invalid\r\nSTARTTLS\r\n", c.sent_len);
    /* STARTTLS on the last EHLO line, bare LF line ends */
    assert_int_equal(PLAY(STARTTLS_SMTP, "220 x\n250-x\n250 STARTTLS\n220 go\n", &c), STARTTLS_READY);
    /* refusal */
    assert_int_equal(PLAY(STARTTLS_SMTP, "220 x\r\n250-x\r\n250 STARTTLS\r\n454 4.7.0 TLS not available\r\n", &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls smtp: STARTTLS refused: \"454 4.7.0 TLS not available\"");
    /* not offered */
    assert_int_equal(PLAY(STARTTLS_SMTP, "220 x\r\n250-x\r\n250 SIZE 100\r\n", &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls smtp: server does not offer STARTTLS");
    /* busy greeting */
    assert_int_equal(PLAY(STARTTLS_SMTP, "554 no service\r\n", &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls smtp: greeting is not 220: \"554 no service\"");
    /* truncated: still waiting */
    assert_int_equal(PLAY(STARTTLS_SMTP, "220 x\r\n250-x\r\n250 STARTT", &c), STARTTLS_NEED_MORE);
    /* garbage: an HTTP server */
    assert_int_equal(PLAY(STARTTLS_SMTP, "HTTP/1.1 400 Bad Request\r\n", &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls smtp: not a reply line: \"HTTP/1.1 400 Bad Request\"");
    /* TLS bytes right after the go-ahead: not ours to take */
    static const char early[] = "220 x\r\n250 STARTTLS\r\n220 go\r\n\x16\x03\x01";
    assert_int_equal(drive(STARTTLS_SMTP, early, sizeof early - 1, 1 << 20, &c), STARTTLS_ERROR);
}

static void test_smtp_oversized(void **state)
{
    (void)state;
    struct conv c;
    size_t n = STARTTLS_LINE_MAX + 100;
    char *big = malloc(n);
    memset(big, 'a', n);
    memcpy(big, "220 ", 4);
    assert_int_equal(drive(STARTTLS_SMTP, big, n, 1 << 20, &c), STARTTLS_ERROR);
    assert_non_null(strstr(c.reason, "line too long"));
    free(big);
    /* endless continuation lines: bounded by STARTTLS_TOTAL_MAX */
    size_t lines = STARTTLS_TOTAL_MAX / 10 + 10;
    char *many = malloc(8 + lines * 10);
    size_t k = (size_t)sprintf(many, "220 x\r\n");
    for (size_t i = 0; i < lines; i++)
        k += (size_t)sprintf(many + k, "250-abcd\r\n");
    assert_int_equal(drive(STARTTLS_SMTP, many, k, 4096, &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls smtp: more than 64 KB before the go-ahead");
    free(many);
}

static void test_imap_pop3(void **state)
{
    (void)state;
    struct conv c;
    assert_int_equal(PLAY(STARTTLS_IMAP, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n* CAPABILITY x\r\na OK Begin TLS\r\n", &c),
                     STARTTLS_READY);
    assert_memory_equal(c.sent, "a STARTTLS\r\n", c.sent_len);
    assert_int_equal(PLAY(STARTTLS_IMAP, "* OK hi\r\na NO not now\r\n", &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls imap: STARTTLS refused: \"a NO not now\"");
    assert_int_equal(PLAY(STARTTLS_IMAP, "* BYE go away\r\n", &c), STARTTLS_ERROR);
    assert_int_equal(PLAY(STARTTLS_POP3, "+OK POP3 ready\r\n+OK go\r\n", &c), STARTTLS_READY);
    assert_memory_equal(c.sent, "STLS\r\n", c.sent_len);
    assert_int_equal(PLAY(STARTTLS_POP3, "+OK POP3 ready\r\n-ERR TLS not available\r\n", &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls pop3: STLS refused: \"-ERR TLS not available\"");
    assert_int_equal(PLAY(STARTTLS_POP3, "+OK", &c), STARTTLS_NEED_MORE);
}

static void test_ftp(void **state)
{
    (void)state;
    struct conv c;
    /* RFC 959 multi-line greeting with free text lines */
    assert_int_equal(PLAY(STARTTLS_FTP, "220-Welcome\r\nfree text\r\n 12 spaces\r\n220 ready\r\n234 AUTH TLS ok\r\n", &c),
                     STARTTLS_READY);
    assert_memory_equal(c.sent, "AUTH TLS\r\n", c.sent_len);
    assert_int_equal(PLAY(STARTTLS_FTP, "220 ready\r\n534 Request denied\r\n", &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls ftp: AUTH TLS refused: \"534 Request denied\"");
}

static void test_ldap(void **state)
{
    (void)state;
    struct conv c;
    static const uint8_t ok[] = { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00 };
    assert_int_equal(play(STARTTLS_LDAP, ok, sizeof ok, &c), STARTTLS_READY);
    /* the request: ExtendedRequest with the StartTLS OID */
    assert_int_equal(c.sent_len, 31);
    assert_int_equal(c.sent[0], 0x30);
    assert_int_equal(c.sent[5], 0x77);
    assert_memory_equal(c.sent + 9, "1.3.6.1.4.1.1466.20037", 22);
    /* long-form length */
    static const uint8_t ok_long[] = { 0x30, 0x81, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00 };
    assert_int_equal(play(STARTTLS_LDAP, ok_long, sizeof ok_long, &c), STARTTLS_READY);
    static const uint8_t refused[] = { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x35, 0x04, 0x00, 0x04, 0x00 };
    assert_int_equal(play(STARTTLS_LDAP, refused, sizeof refused, &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls ldap: StartTLS refused (resultCode 53, unwillingToPerform)");
    assert_int_equal(play(STARTTLS_LDAP, ok, 9, &c), STARTTLS_NEED_MORE); /* truncated */
    /* a length that points past the message */
    static const uint8_t bad_inner[] = { 0x30, 0x05, 0x02, 0x09, 0x01, 0x78, 0x00 };
    assert_int_equal(play(STARTTLS_LDAP, bad_inner, sizeof bad_inner, &c), STARTTLS_ERROR);
    static const uint8_t huge[] = { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(play(STARTTLS_LDAP, huge, sizeof huge, &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls ldap: bad LDAP message length");
    assert_int_equal(PLAY(STARTTLS_LDAP, "HTTP/1.0 400", &c), STARTTLS_ERROR);
}

static void test_postgres(void **state)
{
    (void)state;
    struct conv c;
    assert_int_equal(PLAY(STARTTLS_POSTGRES, "S", &c), STARTTLS_READY);
    assert_int_equal(c.sent_len, 8);
    assert_memory_equal(c.sent, "\x00\x00\x00\x08\x04\xd2\x16\x2f", 8);
    assert_int_equal(PLAY(STARTTLS_POSTGRES, "N", &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls postgres: server does not support SSL (answered 'N')");
    assert_int_equal(PLAY(STARTTLS_POSTGRES, "EFATAL", &c), STARTTLS_ERROR);
    assert_int_equal(PLAY(STARTTLS_POSTGRES, "", &c), STARTTLS_NEED_MORE);
}

static size_t mysql_greeting(uint8_t *p, unsigned caps)
{
    static const char ver[] = "8.0.36";
    size_t k = 4;
    p[k++] = 10;
    memcpy(p + k, ver, sizeof ver);
    k += sizeof ver;
    memset(p + k, 1, 4 + 8); /* connection id, auth data */
    k += 12;
    p[k++] = 0;
    p[k++] = (uint8_t)caps;
    p[k++] = (uint8_t)(caps >> 8);
    p[k++] = 0x21;
    size_t plen = k - 4;
    p[0] = (uint8_t)plen;
    p[1] = p[2] = 0;
    p[3] = 0;
    return k;
}

static void test_mysql(void **state)
{
    (void)state;
    struct conv c;
    uint8_t g[64];
    size_t n = mysql_greeting(g, 0xffff);
    assert_int_equal(play(STARTTLS_MYSQL, g, n, &c), STARTTLS_READY);
    assert_int_equal(c.sent_len, 36);
    assert_int_equal(c.sent[0], 32);
    assert_int_equal(c.sent[3], 1);                 /* sequence id after the greeting's 0 */
    assert_true(c.sent[5] & 0x08);                  /* CLIENT_SSL (0x0800) */
    n = mysql_greeting(g, 0xf7ff);
    assert_int_equal(play(STARTTLS_MYSQL, g, n, &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls mysql: server does not offer SSL (CLIENT_SSL not set)");
    assert_int_equal(play(STARTTLS_MYSQL, g, n - 3, &c), STARTTLS_NEED_MORE);
    static const uint8_t err[] = { 0x18, 0, 0, 0, 0xff, 0x6a, 0x04, 'H', 'o', 's', 't', ' ', 'n', 'o', 't', ' ', 'a', 'l',
                                   'l', 'o', 'w', 'e', 'd', ' ', 't', 'o', ' ', 'x' };
    assert_int_equal(play(STARTTLS_MYSQL, err, sizeof err, &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls mysql: server sent an error: \"Host not allowed to x\"");
    /* a greeting without the capability bytes */
    static const uint8_t shortg[] = { 0x05, 0, 0, 0, 10, 'x', 0, 1, 2 };
    assert_int_equal(play(STARTTLS_MYSQL, shortg, sizeof shortg, &c), STARTTLS_ERROR);
    static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0 };
    assert_int_equal(play(STARTTLS_MYSQL, huge, sizeof huge, &c), STARTTLS_ERROR);
}

static void test_xmpp(void **state)
{
    (void)state;
    struct conv c;
    assert_int_equal(PLAY(STARTTLS_XMPP, "<?xml version='1.0'?><stream:stream from='x' version='1.0'><stream:features>"
                                         "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"
                                         "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", &c), STARTTLS_READY);
    assert_non_null(strstr((const char *)c.sent, "to='mail.example'"));
    assert_non_null(strstr((const char *)c.sent, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
    assert_int_equal(PLAY(STARTTLS_XMPP, "<stream:stream><stream:features><mechanisms/></stream:features>", &c), STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls xmpp: server does not offer <starttls/>");
    assert_int_equal(PLAY(STARTTLS_XMPP, "<stream:stream><stream:features><starttls/></stream:features><failure/>", &c),
                     STARTTLS_ERROR);
    assert_string_equal(c.reason, "starttls xmpp: server answered <failure/>");
    assert_int_equal(PLAY(STARTTLS_XMPP, "<stream:stream><stream:error><host-unknown/></stream:error>", &c), STARTTLS_ERROR);
    assert_int_equal(PLAY(STARTTLS_XMPP, "<stream:stream><stream:feat", &c), STARTTLS_NEED_MORE);
}

static void test_names_and_ports(void **state)
{
    (void)state;
    assert_int_equal(starttls_parse("SMTP"), STARTTLS_SMTP);
    assert_int_equal(starttls_parse("postgresql"), STARTTLS_POSTGRES);
    assert_int_equal(starttls_parse("none"), STARTTLS_NONE);
    assert_int_equal(starttls_parse("gopher"), -1);
    assert_string_equal(starttls_name(STARTTLS_XMPP), "xmpp");
    static const struct { unsigned port; int proto; } want[] = {
        { 25, STARTTLS_SMTP }, { 587, STARTTLS_SMTP }, { 143, STARTTLS_IMAP }, { 110, STARTTLS_POP3 },
        { 21, STARTTLS_FTP }, { 389, STARTTLS_LDAP }, { 5432, STARTTLS_POSTGRES }, { 3306, STARTTLS_MYSQL },
        { 5222, STARTTLS_XMPP }, { 443, STARTTLS_NONE }, { 465, STARTTLS_NONE }, { 993, STARTTLS_NONE },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(starttls_for_port(want[i].port), want[i].proto);
    /* none: ready at once, nothing to send */
    struct starttls s;
    size_t used;
    starttls_init(&s, STARTTLS_NONE, NULL);
    assert_int_equal(s.out_len, 0);
    assert_int_equal(starttls_feed(&s, NULL, 0, &used), STARTTLS_READY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smtp),
        cmocka_unit_test(test_smtp_oversized),
        cmocka_unit_test(test_imap_pop3),
        cmocka_unit_test(test_ftp),
        cmocka_unit_test(test_ldap),
        cmocka_unit_test(test_postgres),
        cmocka_unit_test(test_mysql),
        cmocka_unit_test(test_xmpp),
        cmocka_unit_test(test_names_and_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
