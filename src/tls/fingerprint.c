/*
 * JA3/JA3S (Salesforce) and JA4/JA4S (FoxIO) fingerprints: definitions in
 * fingerprint.h. Strings are written by a small bounded writer (no printf in
 * the loops: serve and pcap compute these per connection); hashes via OpenSSL EVP.
 */
#include "tls/fingerprint.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/registry.h"

static const char hexdig[] = "0123456789abcdef";

/* A bounded string writer: `overflow` is sticky, the text stays NUL-terminated. */
struct sw {
    char *p;
    size_t len, cap;
    int overflow;
};

static void sw_init(struct sw *w, char *buf, size_t cap)
{
    w->p = buf;
    w->len = 0;
    w->cap = cap;
    w->overflow = cap == 0;
    if (cap)
        buf[0] = 0;
}

static void sw_char(struct sw *w, char c)
{
    if (w->len + 1 >= w->cap) {
        w->overflow = 1;
        return;
    }
    w->p[w->len++] = c;
    w->p[w->len] = 0;
}

static void sw_dec(struct sw *w, unsigned v)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        sw_char(w, tmp[--n]);
}

static void sw_hex4(struct sw *w, uint16_t v)
{
    for (int shift = 12; shift >= 0; shift -= 4)
        sw_char(w, hexdig[(v >> shift) & 0xf]);
}

static int digest_hex(const EVP_MD *md, const void *data, size_t len, char *hex, size_t hex_chars)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    if (EVP_Digest(data, len, d, &dlen, md, NULL) != 1 || hex_chars > 2 * (size_t)dlen)
        return -1;
    for (size_t i = 0; i < hex_chars; i++)
        hex[i] = hexdig[(d[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
    hex[hex_chars] = 0;
    return 0;
}

/* JA3 lists: decimal, '-'-separated, GREASE removed. */
static void sw_dec_list(struct sw *w, const uint16_t *v, size_t n)
{
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (tls_is_grease(v[i]))
            continue;
        if (!first)
            sw_char(w, '-');
        sw_dec(w, v[i]);
        first = 0;
    }
}

int ja3_string(const struct client_hello_info *ch, char *out, size_t cap)
{
    struct sw w;
    sw_init(&w, out, cap);
    sw_dec(&w, ch->legacy_version);
    sw_char(&w, ',');
    sw_dec_list(&w, ch->suites, ch->n_suites);
    sw_char(&w, ',');
    sw_dec_list(&w, ch->extensions, ch->n_extensions);
    sw_char(&w, ',');
    sw_dec_list(&w, ch->groups, ch->n_groups);
    sw_char(&w, ',');
    for (size_t i = 0; i < ch->n_ec_point_formats; i++) {   /* point formats are 8-bit: never GREASE */
        if (i)
            sw_char(&w, '-');
        sw_dec(&w, ch->ec_point_formats[i]);
    }
    return w.overflow ? -1 : 0;
}

int ja3_hash(const struct client_hello_info *ch, char hex[33])
{
    char s[JA3_STR_MAX];
    if (ja3_string(ch, s, sizeof s) != 0)
        return -1;
    return digest_hex(EVP_md5(), s, strlen(s), hex, 32);
}

int ja3s_string(const struct server_reply *sr, char *out, size_t cap)
{
    struct sw w;
    sw_init(&w, out, cap);
    sw_dec(&w, sr->server_version);
    sw_char(&w, ',');
    sw_dec(&w, sr->cipher_suite);
    sw_char(&w, ',');
    sw_dec_list(&w, sr->extensions, sr->n_extensions);
    return w.overflow ? -1 : 0;
}

int ja3s_hash(const struct server_reply *sr, char hex[33])
{
    char s[1024];
    if (ja3s_string(sr, s, sizeof s) != 0)
        return -1;
    return digest_hex(EVP_md5(), s, strlen(s), hex, 32);
}

/* JA4 "TLS and DTLS Version" table. */
static const char *ja4_version(uint16_t wire)
{
    switch (wire) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
    }
}

static int is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* First and last characters of the first ALPN value; hex digits when not alphanumeric. */
static void ja4_alpn(uint8_t first, uint8_t last, size_t len, char out[3])
{
    if (len == 0) {
        memcpy(out, "00", 3);
        return;
    }
    if (is_alnum(first) && is_alnum(last)) {
        out[0] = (char)first;
        out[1] = (char)last;
    } else {
        out[0] = hexdig[first >> 4];
        out[1] = hexdig[last & 0xf];
    }
    out[2] = 0;
}

/* Sorts n 16-bit values: two LSD radix passes (qsort's indirect compares dominated JA4). */
static void sort_u16(uint16_t *v, size_t n)
{
    uint16_t tmp[CHI_MAX_SUITES];
    for (int shift = 0; shift <= 8; shift += 8) {
        size_t count[257] = { 0 };
        for (size_t i = 0; i < n; i++)
            count[((v[i] >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            tmp[count[(v[i] >> shift) & 0xff]++] = v[i];
        memcpy(v, tmp, n * sizeof *v);
    }
}

static void sw_hex_list(struct sw *w, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sw_char(w, ',');
        sw_hex4(w, v[i]);
    }
}

/* 12-hex truncated SHA-256 of the string, or twelve zeros when `empty`. */
static int hash12(const struct sw *s, int empty, char out[13])
{
    if (empty) {
        memcpy(out, "000000000000", 13);
        return 0;
    }
    return digest_hex(EVP_sha256(), s->p, s->len, out, 12);
}

struct ja4_parts {
    char a[12];                  /* "t13d1516h2" */
    struct sw b, c;              /* raw strings of parts b and c */
    int b_empty, c_empty;
    char buf_b[CHI_MAX_SUITES * 5 + 1];
    char buf_c[CHI_MAX_EXTENSIONS * 5 + 1 + CHI_MAX_SIGALGS * 5 + 1];
};

static int ja4_build(const struct client_hello_info *ch, char proto, struct ja4_parts *p)
{
    uint16_t suites[CHI_MAX_SUITES], exts[CHI_MAX_EXTENSIONS], sigs[CHI_MAX_SIGALGS];
    size_t ns = 0, ne_all = 0, ne = 0, nsig = 0;
    uint16_t version = ch->legacy_version;
    int have_sv = 0, has_sni_ext = 0;
    char alpn[3];

    for (size_t i = 0; i < ch->n_supported_versions; i++) {
        uint16_t v = ch->supported_versions[i];
        if (!tls_is_grease(v) && (!have_sv || v > version)) {
            version = v;
            have_sv = 1;
        }
    }
    for (size_t i = 0; i < ch->n_suites; i++)
        if (!tls_is_grease(ch->suites[i]))
            suites[ns++] = ch->suites[i];
    for (size_t i = 0; i < ch->n_extensions; i++) {
        uint16_t e = ch->extensions[i];
        if (tls_is_grease(e))
            continue;
        ne_all++;
        if (e == 0x0000)
            has_sni_ext = 1;
        if (e != 0x0000 && e != 0x0010)   /* SNI and ALPN are already in part a */
            exts[ne++] = e;
    }
    for (size_t i = 0; i < ch->n_sigalgs; i++)
        if (!tls_is_grease(ch->sigalgs[i]))
            sigs[nsig++] = ch->sigalgs[i];
    ja4_alpn(ch->alpn0_first, ch->alpn0_last, ch->n_alpn ? ch->alpn0_len : 0, alpn);
    snprintf(p->a, sizeof p->a, "%c%s%c%02u%02u%s", proto, ja4_version(version), has_sni_ext ? 'd' : 'i',
             (unsigned)(ns > 99 ? 99 : ns), (unsigned)(ne_all > 99 ? 99 : ne_all), alpn);

    sort_u16(suites, ns);   /* ns <= CHI_MAX_SUITES, ne <= CHI_MAX_EXTENSIONS */
    sort_u16(exts, ne);
    sw_init(&p->b, p->buf_b, sizeof p->buf_b);
    sw_init(&p->c, p->buf_c, sizeof p->buf_c);
    sw_hex_list(&p->b, suites, ns);
    sw_hex_list(&p->c, exts, ne);
    if (nsig) {   /* "If there are no signature algorithms ... the string ends without an underscore" */
        sw_char(&p->c, '_');
        sw_hex_list(&p->c, sigs, nsig);
    }
    p->b_empty = ns == 0;
    p->c_empty = ne == 0;
    return p->b.overflow || p->c.overflow ? -1 : 0;
}

int ja4(const struct client_hello_info *ch, char proto, char out[JA4_STR_MAX])
{
    struct ja4_parts p;
    char hb[13], hc[13];
    if (ja4_build(ch, proto, &p) != 0 || hash12(&p.b, p.b_empty, hb) != 0 || hash12(&p.c, p.c_empty, hc) != 0)
        return -1;
    snprintf(out, JA4_STR_MAX, "%s_%s_%s", p.a, hb, hc);
    return 0;
}

int ja4_raw(const struct client_hello_info *ch, char proto, char *out, size_t cap)
{
    struct ja4_parts p;
    if (ja4_build(ch, proto, &p) != 0)
        return -1;
    int n = snprintf(out, cap, "%s_%s_%s", p.a, p.buf_b, p.buf_c);
    return n >= 0 && (size_t)n < cap ? 0 : -1;
}

int ja4s(const struct server_reply *sr, char proto, char out[JA4_STR_MAX])
{
    char buf[SERVER_REPLY_MAX_EXT * 5 + 1], alpn[3], hc[13];
    uint16_t version = sr->supported_version ? sr->supported_version : sr->server_version;
    size_t n = 0, alen = strnlen(sr->alpn, sizeof sr->alpn);
    struct sw w;

    sw_init(&w, buf, sizeof buf);
    for (size_t i = 0; i < sr->n_extensions; i++) {
        if (tls_is_grease(sr->extensions[i]))
            continue;
        if (n++)
            sw_char(&w, ',');
        sw_hex4(&w, sr->extensions[i]);
    }
    ja4_alpn(alen ? (uint8_t)sr->alpn[0] : 0, alen ? (uint8_t)sr->alpn[alen - 1] : 0, alen, alpn);
    if (w.overflow || hash12(&w, n == 0, hc) != 0)
        return -1;
    snprintf(out, JA4_STR_MAX, "%c%s%02u%s_%04x_%s", proto, ja4_version(version), (unsigned)(n > 99 ? 99 : n),
             alpn, sr->cipher_suite, hc);
    return 0;
}
