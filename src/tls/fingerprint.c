/*
 * JA3/JA3S (Salesforce) and JA4/JA4S (FoxIO) fingerprints: definitions in
 * fingerprint.h. Strings are built in tr_buf over a stack array; hashes via
 * OpenSSL EVP.
 */
#include "tls/fingerprint.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "tls/registry.h"
#include "util/buf.h"

static int digest_hex(const EVP_MD *md, const void *data, size_t len, char *hex, size_t hex_chars)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    static const char digits[] = "0123456789abcdef";
    if (EVP_Digest(data, len, d, &dlen, md, NULL) != 1 || hex_chars > 2 * (size_t)dlen)
        return -1;
    for (size_t i = 0; i < hex_chars; i++)
        hex[i] = digits[(d[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
    hex[hex_chars] = 0;
    return 0;
}

static void push_dec_list(struct tr_buf *b, const uint16_t *v, size_t n)
{
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (tls_is_grease(v[i]))
            continue;
        tr_buf_printf(b, first ? "%u" : "-%u", v[i]);
        first = 0;
    }
}

static int finish_string(struct tr_buf *b, char *out, size_t cap)
{
    int ret = -1;
    if (!b->failed && b->len < cap) {
        memcpy(out, b->base, b->len);
        out[b->len] = 0;
        ret = 0;
    }
    tr_buf_free(b);
    return ret;
}

int ja3_string(const struct client_hello_info *ch, char *out, size_t cap)
{
    struct tr_buf b;
    uint16_t pf[CHI_MAX_POINT_FORMATS];
    char small[1024];

    for (size_t i = 0; i < ch->n_ec_point_formats; i++)
        pf[i] = ch->ec_point_formats[i];
    tr_buf_init(&b, small, sizeof small);
    tr_buf_printf(&b, "%u,", ch->legacy_version);
    push_dec_list(&b, ch->suites, ch->n_suites);
    tr_buf_push_u8(&b, ',');
    push_dec_list(&b, ch->extensions, ch->n_extensions);
    tr_buf_push_u8(&b, ',');
    push_dec_list(&b, ch->groups, ch->n_groups);
    tr_buf_push_u8(&b, ',');
    push_dec_list(&b, pf, ch->n_ec_point_formats);
    return finish_string(&b, out, cap);
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
    struct tr_buf b;
    char small[512];
    tr_buf_init(&b, small, sizeof small);
    tr_buf_printf(&b, "%u,%u,", sr->server_version, sr->cipher_suite);
    push_dec_list(&b, sr->extensions, sr->n_extensions);
    return finish_string(&b, out, cap);
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
    static const char digits[] = "0123456789abcdef";
    if (len == 0) {
        memcpy(out, "00", 3);
        return;
    }
    if (is_alnum(first) && is_alnum(last)) {
        out[0] = (char)first;
        out[1] = (char)last;
    } else {
        out[0] = digits[first >> 4];
        out[1] = digits[last & 0xf];
    }
    out[2] = 0;
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

static void push_hex_list(struct tr_buf *b, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tr_buf_printf(b, i ? ",%04x" : "%04x", v[i]);
}

/* 12-hex truncated SHA-256 of the string, or twelve zeros when `empty`. */
static int hash12(struct tr_buf *s, int empty, char out[13])
{
    if (empty) {
        memcpy(out, "000000000000", 13);
        return 0;
    }
    return digest_hex(EVP_sha256(), s->base ? s->base : (uint8_t *)"", s->len, out, 12);
}

struct ja4_parts {
    char a[12];             /* "t13d1516h2" */
    struct tr_buf b, c;          /* raw strings of parts b and c */
    int b_empty, c_empty;
    char small_b[2600], small_c[1600];
};

static int ja4_build(const struct client_hello_info *ch, char proto, struct ja4_parts *p)
{
    uint16_t suites[CHI_MAX_SUITES], exts[CHI_MAX_EXTENSIONS], sigs[CHI_MAX_SIGALGS];
    size_t ns = 0, ne_all = 0, ne = 0, nsig = 0;
    uint16_t version = ch->legacy_version;
    char alpn[3];
    int have_sv = 0;

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
        if (e != 0x0000 && e != 0x0010)
            exts[ne++] = e;
    }
    for (size_t i = 0; i < ch->n_sigalgs; i++)
        if (!tls_is_grease(ch->sigalgs[i]))
            sigs[nsig++] = ch->sigalgs[i];
    ja4_alpn(ch->alpn0_first, ch->alpn0_last, ch->n_alpn ? ch->alpn0_len : 0, alpn);
    int has_sni_ext = 0;
    for (size_t i = 0; i < ch->n_extensions; i++)
        if (ch->extensions[i] == 0)
            has_sni_ext = 1;
    snprintf(p->a, sizeof p->a, "%c%s%c%02zu%02zu%s", proto, ja4_version(version), has_sni_ext ? 'd' : 'i',
             ns > 99 ? (size_t)99 : ns, ne_all > 99 ? (size_t)99 : ne_all, alpn);

    qsort(suites, ns, sizeof suites[0], cmp_u16);
    qsort(exts, ne, sizeof exts[0], cmp_u16);
    tr_buf_init(&p->b, p->small_b, sizeof p->small_b);
    tr_buf_init(&p->c, p->small_c, sizeof p->small_c);
    push_hex_list(&p->b, suites, ns);
    push_hex_list(&p->c, exts, ne);
    if (nsig) {
        tr_buf_push_u8(&p->c, '_');
        push_hex_list(&p->c, sigs, nsig);
    }
    p->b_empty = ns == 0;
    p->c_empty = ne == 0;
    return p->b.failed || p->c.failed ? -1 : 0;
}

int ja4(const struct client_hello_info *ch, char proto, char out[JA4_STR_MAX])
{
    struct ja4_parts p;
    char hb[13], hc[13];
    int ret = -1;
    if (ja4_build(ch, proto, &p) == 0 && hash12(&p.b, p.b_empty, hb) == 0 && hash12(&p.c, p.c_empty, hc) == 0) {
        snprintf(out, JA4_STR_MAX, "%s_%s_%s", p.a, hb, hc);
        ret = 0;
    }
    tr_buf_free(&p.b);
    tr_buf_free(&p.c);
    return ret;
}

int ja4_raw(const struct client_hello_info *ch, char proto, char *out, size_t cap)
{
    struct ja4_parts p;
    int ret = -1;
    if (ja4_build(ch, proto, &p) == 0) {
        int n = snprintf(out, cap, "%s_%.*s_%.*s", p.a, (int)p.b.len, p.b.base ? (char *)p.b.base : "",
                         (int)p.c.len, p.c.base ? (char *)p.c.base : "");
        ret = n >= 0 && (size_t)n < cap ? 0 : -1;
    }
    tr_buf_free(&p.b);
    tr_buf_free(&p.c);
    return ret;
}

int ja4s(const struct server_reply *sr, char proto, char out[JA4_STR_MAX])
{
    struct tr_buf b;
    char small[512], alpn[3], hc[13];
    uint16_t version = sr->supported_version ? sr->supported_version : sr->server_version;
    size_t n = 0;
    int ret;

    tr_buf_init(&b, small, sizeof small);
    for (size_t i = 0; i < sr->n_extensions; i++) {
        if (tls_is_grease(sr->extensions[i]))
            continue;
        tr_buf_printf(&b, n ? ",%04x" : "%04x", sr->extensions[i]);
        n++;
    }
    size_t alen = strlen(sr->alpn);
    ja4_alpn(alen ? (uint8_t)sr->alpn[0] : 0, alen ? (uint8_t)sr->alpn[alen - 1] : 0, alen, alpn);
    ret = b.failed ? -1 : hash12(&b, n == 0, hc);
    if (ret == 0)
        snprintf(out, JA4_STR_MAX, "%c%s%02zu%s_%04x_%s", proto, ja4_version(version), n > 99 ? (size_t)99 : n,
                 alpn, sr->cipher_suite, hc);
    tr_buf_free(&b);
    return ret;
}
