/*
 * The STARTTLS dialogues (see starttls.h). Each protocol is a few steps over
 * complete units: text protocols consume whole lines (bounded by
 * STARTTLS_LINE_MAX), LDAP and MySQL whole length-prefixed messages, XMPP
 * whole elements found by their closing tag. Nothing is consumed until a unit
 * is complete, so the caller may feed any split of the byte stream.
 */
#include "probe/starttls.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const names[STARTTLS_COUNT] = {
    "none", "smtp", "imap", "pop3", "ftp", "ldap", "postgres", "mysql", "xmpp",
};

const char *starttls_name(int proto)
{
    return proto >= 0 && proto < STARTTLS_COUNT ? names[proto] : "unknown";
}

int starttls_parse(const char *name)
{
    for (int i = 0; i < STARTTLS_COUNT; i++)
        if (strcasecmp(name, names[i]) == 0)
            return i;
    if (strcasecmp(name, "postgresql") == 0)
        return STARTTLS_POSTGRES;
    return -1;
}

int starttls_for_port(unsigned port)
{
    switch (port) {
    case 25: case 587: return STARTTLS_SMTP;
    case 143: return STARTTLS_IMAP;
    case 110: return STARTTLS_POP3;
    case 21: return STARTTLS_FTP;
    case 389: return STARTTLS_LDAP;
    case 5432: return STARTTLS_POSTGRES;
    case 3306: return STARTTLS_MYSQL;
    case 5222: return STARTTLS_XMPP;
    default: return STARTTLS_NONE;
    }
}

static void out_set(struct starttls *s, const void *p, size_t n)
{
    if (n > sizeof s->out)
        n = sizeof s->out;
    memcpy(s->out, p, n);
    s->out_len = n;
}

static void out_str(struct starttls *s, const char *str)
{
    out_set(s, str, strlen(str));
}

/* The server's words in a reason: printable ASCII only, at most 60 characters. */
static void quote(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && i < 60 && k + 1 < cap; i++)
        dst[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    dst[k] = 0;
}

static int fail(struct starttls *s, const char *what, const uint8_t *p, size_t n)
{
    char q[64];
    quote(q, sizeof q, p, n);
    if (n)
        snprintf(s->reason, sizeof s->reason, "starttls %s: %s: \"%s\"", names[s->proto], what, q);
    else
        snprintf(s->reason, sizeof s->reason, "starttls %s: %s", names[s->proto], what);
    return STARTTLS_ERROR;
}

static const uint8_t *find(const uint8_t *h, size_t hn, const char *needle)
{
    size_t nn = strlen(needle);
    if (nn == 0 || hn < nn)
        return NULL;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == (uint8_t)needle[0] && memcmp(h + i, needle, nn) == 0)
            return h + i;
    return NULL;
}

static int prefix(const uint8_t *p, size_t n, const char *pre)
{
    size_t k = strlen(pre);
    return n >= k && strncasecmp((const char *)p, pre, k) == 0;
}

static const char ldap_starttls[] = {
    0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, (char)0x80, 0x16,
    '1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.', '1', '4', '6', '6', '.', '2', '0', '0', '3', '7',
};
static const uint8_t pg_ssl_request[8] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };

void starttls_init(struct starttls *s, int proto, const char *host)
{
    memset(s, 0, sizeof *s);
    s->proto = proto;
    snprintf(s->host, sizeof s->host, "%s", host ? host : "");
    /* XML attribute: keep only characters a host name may have */
    for (char *c = s->host; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != ':')
            *c = '_';
    switch (proto) {
    case STARTTLS_LDAP: out_set(s, ldap_starttls, sizeof ldap_starttls); break;
    case STARTTLS_POSTGRES: out_set(s, pg_ssl_request, sizeof pg_ssl_request); break;
    case STARTTLS_XMPP: {
        char hdr[STARTTLS_OUT_MAX];
        snprintf(hdr, sizeof hdr,
                 "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                 "xmlns:stream='http://etherx.jabber.org/streams' to='%s' version='1.0'>",
                 s->host[0] ? s->host : "localhost");
        out_str(s, hdr);
        break;
    }
    default: break;
    }
}

/* One complete line in in[off..len): its length without CR LF, and the bytes it uses. */
static int next_line(struct starttls *s, const uint8_t *in, size_t len, size_t off, size_t *line_len, size_t *used)
{
    const uint8_t *nl = memchr(in + off, '\n', len - off);
    if (!nl) {
        if (len - off > STARTTLS_LINE_MAX)
            return fail(s, "line too long", in + off, len - off);
        return STARTTLS_NEED_MORE;
    }
    size_t n = (size_t)(nl - (in + off));
    if (n > STARTTLS_LINE_MAX)
        return fail(s, "line too long", in + off, n);
    *used = n + 1;
    *line_len = n && in[off + n - 1] == '\r' ? n - 1 : n;
    return -1; /* a line is there */
}

static int reply_code(const uint8_t *p, size_t n)
{
    if (n < 3 || !isdigit(p[0]) || !isdigit(p[1]) || !isdigit(p[2]))
        return -1;
    if (n > 3 && p[3] != ' ' && p[3] != '-')
        return -1;
    return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* An EHLO reply line "250-STARTTLS" / "250 STARTTLS" (the keyword, any case, RFC 3207). */
static int ehlo_offers_starttls(const uint8_t *line, size_t ll)
{
    return ll >= 12 && strncasecmp((const char *)line + 4, "STARTTLS", 8) == 0;
}

/* SMTP and FTP: numbered replies, "ddd-" continues, "ddd " ends (RFC 5321 4.2.1, RFC 959 4.2). */
static int feed_numbered(struct starttls *s, const uint8_t *in, size_t len, size_t *consumed)
{
    int smtp = s->proto == STARTTLS_SMTP;
    size_t off = 0;
    for (;;) {
        size_t ll, used;
        int st = next_line(s, in, len, off, &ll, &used);
        if (st >= 0) {
            *consumed = off;
            return st;
        }
        const uint8_t *line = in + off;
        off += used;
        int code = reply_code(line, ll);
        /* step bit 8: inside a multi-line reply (FTP allows free text lines there) */
        int in_multi = s->step & 0x100;
        if (code < 0) {
            if (in_multi && !smtp)
                continue;
            *consumed = off;
            return fail(s, "not a reply line", line, ll);
        }
        if (ll > 3 && line[3] == '-') {
            s->step |= 0x100;
            if (smtp && (s->step & 0xff) == 1 && ehlo_offers_starttls(line, ll))
                s->step |= 0x200;
            continue;
        }
        int step = s->step & 0xff, offered = s->step & 0x200;
        if (smtp && step == 1 && ehlo_offers_starttls(line, ll))
            offered = 1;
        s->step = step;
        *consumed = off;
        if (step == 0) {
            if (code != 220)
                return fail(s, "greeting is not 220", line, ll);
            out_str(s, smtp ? "EHLO tlsready.invalid\r\n" : "AUTH TLS\r\n");
            s->step = smtp ? 1 : 2;
            return STARTTLS_NEED_MORE; /* the server waits for our command */
        }
        if (step == 1) {
            if (code != 250)
                return fail(s, "EHLO refused", line, ll);
            if (!offered)
                return fail(s, "server does not offer STARTTLS", NULL, 0);
            out_str(s, "STARTTLS\r\n");
            s->step = 2;
            return STARTTLS_NEED_MORE;
        }
        if (code != (smtp ? 220 : 234))
            return fail(s, smtp ? "STARTTLS refused" : "AUTH TLS refused", line, ll);
        if (off != len)
            return fail(s, "unexpected bytes after the go-ahead", in + off, len - off);
        return STARTTLS_READY;
    }
}

/* IMAP and POP3: a greeting line, one command, a tagged / +OK answer. */
static int feed_mailbox(struct starttls *s, const uint8_t *in, size_t len, size_t *consumed)
{
    int imap = s->proto == STARTTLS_IMAP;
    size_t off = 0;
    for (;;) {
        size_t ll, used;
        int st = next_line(s, in, len, off, &ll, &used);
        if (st >= 0) {
            *consumed = off;
            return st;
        }
        const uint8_t *line = in + off;
        off += used;
        *consumed = off;
        if (s->step == 0) {
            if (imap ? !(prefix(line, ll, "* OK") || prefix(line, ll, "* PREAUTH")) : !prefix(line, ll, "+OK"))
                return fail(s, "bad greeting", line, ll);
            out_str(s, imap ? "a STARTTLS\r\n" : "STLS\r\n");
            s->step = 1;
            return STARTTLS_NEED_MORE;
        }
        if (imap && prefix(line, ll, "* "))
            continue; /* untagged data (CAPABILITY, ...) before the tagged answer */
        if (imap ? !prefix(line, ll, "a OK") : !prefix(line, ll, "+OK"))
            return fail(s, imap ? "STARTTLS refused" : "STLS refused", line, ll);
        if (off != len)
            return fail(s, "unexpected bytes after the go-ahead", in + off, len - off);
        return STARTTLS_READY;
    }
}

/* BER tag + definite length at p[0..n): header size and content length, 0 = need more, -1 = bad. */
static int ber_header(const uint8_t *p, size_t n, size_t *hdr, size_t *clen)
{
    if (n < 2)
        return 0;
    if (p[1] < 0x80) {
        *hdr = 2;
        *clen = p[1];
        return 1;
    }
    size_t k = p[1] & 0x7f;
    if (k == 0 || k > 3)
        return -1; /* indefinite, or longer than we accept */
    if (n < 2 + k)
        return 0;
    size_t v = 0;
    for (size_t i = 0; i < k; i++)
        v = v << 8 | p[2 + i];
    *hdr = 2 + k;
    *clen = v;
    return 1;
}

static int feed_ldap(struct starttls *s, const uint8_t *in, size_t len, size_t *consumed)
{
    size_t hdr, clen;
    if (len == 0)
        return STARTTLS_NEED_MORE;
    if (in[0] != 0x30)
        return fail(s, "not an LDAP message", in, len < 8 ? len : 8);
    int r = ber_header(in, len, &hdr, &clen);
    if (r == 0)
        return STARTTLS_NEED_MORE;
    if (r < 0 || clen > STARTTLS_TOTAL_MAX)
        return fail(s, "bad LDAP message length", NULL, 0);
    if (len < hdr + clen)
        return STARTTLS_NEED_MORE;
    *consumed = hdr + clen;
    const uint8_t *p = in + hdr, *end = p + clen;
    size_t h2, l2;
    /* messageID INTEGER */
    if (p >= end || p[0] != 0x02 || ber_header(p, (size_t)(end - p), &h2, &l2) != 1 || l2 > (size_t)(end - p) - h2)
        return fail(s, "LDAP response without a message id", NULL, 0);
    p += h2 + l2;
    /* [APPLICATION 24] ExtendedResponse, starting with resultCode ENUMERATED */
    if (p >= end || p[0] != 0x78)
        return fail(s, "LDAP response is not an ExtendedResponse", NULL, 0);
    if (ber_header(p, (size_t)(end - p), &h2, &l2) != 1 || l2 > (size_t)(end - p) - h2)
        return fail(s, "bad LDAP ExtendedResponse length", NULL, 0);
    p += h2;
    if (end - p < 3 || p[0] != 0x0a || p[1] != 1)
        return fail(s, "LDAP ExtendedResponse without a resultCode", NULL, 0);
    if (p[2] != 0) {
        snprintf(s->reason, sizeof s->reason, "starttls ldap: StartTLS refused (resultCode %u%s)", p[2],
                 p[2] == 2 ? ", protocolError" : p[2] == 52 ? ", unavailable" : p[2] == 53 ? ", unwillingToPerform" : "");
        return STARTTLS_ERROR;
    }
    if (len != hdr + clen)
        return fail(s, "unexpected bytes after the go-ahead", in + hdr + clen, len - hdr - clen);
    return STARTTLS_READY;
}

static int feed_postgres(struct starttls *s, const uint8_t *in, size_t len, size_t *consumed)
{
    if (len == 0)
        return STARTTLS_NEED_MORE;
    *consumed = 1;
    if (in[0] == 'S') {
        if (len != 1)
            return fail(s, "unexpected bytes after the go-ahead", in + 1, len - 1);
        return STARTTLS_READY;
    }
    if (in[0] == 'N')
        return fail(s, "server does not support SSL (answered 'N')", NULL, 0);
    if (in[0] == 'E')
        return fail(s, "server answered an error message", in, len);
    return fail(s, "unexpected answer to SSLRequest", in, len);
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int feed_mysql(struct starttls *s, const uint8_t *in, size_t len, size_t *consumed)
{
    if (len < 4)
        return STARTTLS_NEED_MORE;
    size_t plen = (size_t)in[0] | (size_t)in[1] << 8 | (size_t)in[2] << 16;
    uint8_t seq = in[3];
    if (plen > 16384)
        return fail(s, "greeting packet too large", NULL, 0);
    if (len < 4 + plen)
        return STARTTLS_NEED_MORE;
    *consumed = 4 + plen;
    const uint8_t *p = in + 4, *end = p + plen;
    if (plen == 0)
        return fail(s, "empty greeting packet", NULL, 0);
    if (p[0] == 0xff) {
        /* ERR packet: 0xff | code16 | message (pre-4.1 form: no sql state) */
        const uint8_t *m = p + 3 < end ? p + 3 : end;
        if (m < end && *m == '#' && end - m >= 6)
            m += 6;
        return fail(s, "server sent an error", m, (size_t)(end - m));
    }
    if (p[0] != 10)
        return fail(s, "unsupported handshake protocol version", p, 1);
    const uint8_t *nul = memchr(p + 1, 0, (size_t)(end - p - 1));
    if (!nul)
        return fail(s, "truncated greeting (server version)", NULL, 0);
    const uint8_t *q = nul + 1;
    /* connection id 4 | auth data 8 | filler 1 | capability flags (low 16 bits) */
    if (end - q < 4 + 8 + 1 + 2)
        return fail(s, "truncated greeting (capabilities)", NULL, 0);
    unsigned caps = (unsigned)q[13] | (unsigned)q[14] << 8;
    if (!(caps & 0x0800))
        return fail(s, "server does not offer SSL (CLIENT_SSL not set)", NULL, 0);
    /* SSL request (protocol 4.1): length 32 | seq+1 | caps32 | max packet32 | charset | 23 zero bytes */
    uint8_t req[36];
    memset(req, 0, sizeof req);
    req[0] = 32;
    req[3] = (uint8_t)(seq + 1);
    le32(req + 4, 0x00000001u | 0x00000200u | 0x00000800u | 0x00008000u); /* LONG_PASSWORD, PROTOCOL_41, SSL, SECURE_CONNECTION */
    le32(req + 8, 1u << 24);
    req[12] = 0x21; /* utf8_general_ci */
    out_set(s, req, sizeof req);
    if (len != 4 + plen)
        return fail(s, "unexpected bytes after the greeting", in + 4 + plen, len - 4 - plen);
    return STARTTLS_READY;
}

static int feed_xmpp(struct starttls *s, const uint8_t *in, size_t len, size_t *consumed)
{
    if (find(in, len, "<stream:error"))
        return fail(s, "stream error", find(in, len, "<stream:error"), (size_t)(in + len - find(in, len, "<stream:error")));
    if (s->step == 0) {
        const uint8_t *f = find(in, len, "</stream:features>");
        size_t flen = sizeof "</stream:features>" - 1;
        if (!f) {
            f = find(in, len, "<stream:features/>");
            flen = sizeof "<stream:features/>" - 1;
        }
        if (!f) {
            if (len > 4 * STARTTLS_LINE_MAX)
                return fail(s, "no stream features within 16 KB", NULL, 0);
            if (find(in, len, "</stream:stream>"))
                return fail(s, "stream closed", NULL, 0);
            return STARTTLS_NEED_MORE;
        }
        *consumed = (size_t)(f - in) + flen;
        if (!find(in, (size_t)(f - in), "<starttls"))
            return fail(s, "server does not offer <starttls/>", NULL, 0);
        out_str(s, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        s->step = 1;
        return STARTTLS_NEED_MORE;
    }
    const uint8_t *p = find(in, len, "<proceed");
    if (!p) {
        if (find(in, len, "<failure"))
            return fail(s, "server answered <failure/>", NULL, 0);
        if (len > STARTTLS_LINE_MAX)
            return fail(s, "no <proceed/> within 4 KB", NULL, 0);
        return STARTTLS_NEED_MORE;
    }
    const uint8_t *gt = memchr(p, '>', (size_t)(in + len - p));
    if (!gt)
        return STARTTLS_NEED_MORE;
    *consumed = (size_t)(gt - in) + 1;
    if (*consumed != len)
        return fail(s, "unexpected bytes after <proceed/>", gt + 1, len - *consumed);
    return STARTTLS_READY;
}

int starttls_feed(struct starttls *s, const uint8_t *in, size_t len, size_t *consumed)
{
    *consumed = 0;
    s->out_len = 0;
    int st;
    switch (s->proto) {
    case STARTTLS_SMTP:
    case STARTTLS_FTP: st = feed_numbered(s, in, len, consumed); break;
    case STARTTLS_IMAP:
    case STARTTLS_POP3: st = feed_mailbox(s, in, len, consumed); break;
    case STARTTLS_LDAP: st = feed_ldap(s, in, len, consumed); break;
    case STARTTLS_POSTGRES: st = feed_postgres(s, in, len, consumed); break;
    case STARTTLS_MYSQL: st = feed_mysql(s, in, len, consumed); break;
    case STARTTLS_XMPP: st = feed_xmpp(s, in, len, consumed); break;
    default: return STARTTLS_READY;
    }
    s->total += *consumed;
    if (st == STARTTLS_NEED_MORE && s->total + (len - *consumed) > STARTTLS_TOTAL_MAX)
        return fail(s, "more than 64 KB before the go-ahead", NULL, 0);
    return st;
}
