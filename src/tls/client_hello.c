/*
 * ClientHello builder (see client_hello.h for the wire layout and rules).
 * Every list is written through tr_buf's length-prefixed blocks, so each
 * length field is back-filled from what was actually written.
 */
#include "tls/client_hello.h"

#include <arpa/inet.h>
#include <string.h>

#include "tls/registry.h"
#include "tls/registry_data.h"
#include "tls/version.h"

#define EXT_SERVER_NAME 0
#define EXT_STATUS_REQUEST 5
#define EXT_SUPPORTED_GROUPS 10
#define EXT_EC_POINT_FORMATS 11
#define EXT_SIGNATURE_ALGORITHMS 13
#define EXT_ALPN 16
#define EXT_PADDING 21
#define EXT_EXTENDED_MASTER_SECRET 23
#define EXT_SESSION_TICKET 35
#define EXT_SUPPORTED_VERSIONS 43
#define EXT_PSK_KEY_EXCHANGE_MODES 45
#define EXT_KEY_SHARE 51
#define EXT_RENEGOTIATION_INFO 0xff01
#define GROUP_X25519 0x001d
#define MAX_SUITES 1024

void client_hello_config_init(struct client_hello_config *cfg, int max_version, int min_version)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_version = max_version;
    cfg->min_version = min_version;
    cfg->secure_reneg = 1;
}

/*
 * Strongest first, in the order tools/gen_registry.py precomputes
 * (registry_suite_rank): strength class, then forward secrecy, AEAD, key
 * bits, code (TLS 1.3 suites by code). A server that follows the client's
 * order picks the best suite it has, as a real client would get.
 */
size_t client_hello_default_suites(int version, uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < registry_n_cipher_suites && n < cap; i++) {
        const struct cipher_suite *cs = &registry_cipher_suites[registry_suite_rank[i]];
        if (!cipher_suite_usable_at(cs, version) || cs->code == 0x0000)   /* NULL_WITH_NULL_NULL: never negotiable */
            continue;
        if (version == TLSV_TLS13 && (cs->code < 0x1301 || cs->code > 0x1305))
            continue;  /* the five RFC 8446 suites only */
        out[n++] = cs->code;
    }
    return n;
}

static const uint16_t default_groups[] = {
    0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
};

size_t client_hello_default_groups(uint16_t *out, size_t cap)
{
    size_t n = sizeof default_groups / sizeof default_groups[0];
    if (n > cap)
        n = cap;
    memcpy(out, default_groups, n * sizeof *out);
    return n;
}

/* Modern schemes first, then the TLS 1.2 SHA-2 and SHA-1 pairs old servers need. */
static const uint16_t default_sigalgs[] = {
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b,
    0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202,
};

size_t client_hello_default_sigalgs(uint16_t *out, size_t cap)
{
    size_t n = sizeof default_sigalgs / sizeof default_sigalgs[0];
    if (n > cap)
        n = cap;
    memcpy(out, default_sigalgs, n * sizeof *out);
    return n;
}

/* RFC 6066 3: "Literal IPv4 and IPv6 addresses are not permitted in HostName." */
static int is_ip_literal(const char *s)
{
    unsigned char tmp[16];
    return inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1 || strchr(s, ':') != NULL;
}

static int offers_ec(const uint16_t *suites, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct cipher_suite *cs = cipher_suite_lookup(suites[i]);
        if (cs && (strncmp(cs->kx, "ECDH", 4) == 0 || strcmp(cs->auth, "ECDSA") == 0 ||
                   strcmp(cs->kx, "any") == 0))
            return 1;
    }
    return 0;
}

static void push_u16_list(struct tr_buf *b, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tr_buf_push_u16(b, v[i]);
}

/* An extension header and its data block; the caller writes the data then closes. */
static size_t ext_open(struct tr_buf *b, uint16_t type)
{
    tr_buf_push_u16(b, type);
    return tr_buf_block_open(b, 2);
}

/* Is `g` among the groups this hello offers (cfg->groups, or the defaults)? */
static int offers_group(const struct client_hello_config *cfg, uint16_t g)
{
    const uint16_t *groups = cfg->groups ? cfg->groups : default_groups;
    size_t n = cfg->groups ? cfg->n_groups : sizeof default_groups / sizeof default_groups[0];
    for (size_t i = 0; i < n; i++)
        if (groups[i] == g)
            return 1;
    return 0;
}

/*
 * RFC 8446 4.2.1, 4.2.9, 4.2.8: supported_versions (max..min),
 * psk_key_exchange_modes, key_share. A share is only sent for a group the
 * hello also lists in supported_groups (4.2.8: servers may abort otherwise);
 * with none, a 1.3 server answers with HelloRetryRequest naming its group.
 */
static void write_tls13_extensions(struct tr_buf *b, const struct client_hello_config *cfg)
{
    size_t s, t;
    uint16_t share_group = cfg->key_share_group ? cfg->key_share_group : GROUP_X25519;
    s = ext_open(b, EXT_SUPPORTED_VERSIONS);
    t = tr_buf_block_open(b, 1);
    for (int v = cfg->max_version; v >= cfg->min_version && v >= TLSV_SSL3; v--)
        tr_buf_push_u16(b, tls_version_wire(v));
    tr_buf_block_close(b, t, 1);
    tr_buf_block_close(b, s, 2);

    s = ext_open(b, EXT_PSK_KEY_EXCHANGE_MODES);
    tr_buf_push_u8(b, 1);
    tr_buf_push_u8(b, 1);                            /* psk_dhe_ke */
    tr_buf_block_close(b, s, 2);

    s = ext_open(b, EXT_KEY_SHARE);
    t = tr_buf_block_open(b, 2);                     /* client_shares */
    if (cfg->key_share_data && offers_group(cfg, share_group)) {
        tr_buf_push_u16(b, share_group);
        size_t u = tr_buf_block_open(b, 2);
        tr_buf_push(b, cfg->key_share_data, cfg->key_share_len);
        tr_buf_block_close(b, u, 2);
    } else if (!cfg->key_share_data && cfg->x25519_public && offers_group(cfg, GROUP_X25519)) {
        tr_buf_push_u16(b, GROUP_X25519);
        size_t u = tr_buf_block_open(b, 2);
        tr_buf_push(b, cfg->x25519_public, 32);
        tr_buf_block_close(b, u, 2);
    }
    tr_buf_block_close(b, t, 2);
    tr_buf_block_close(b, s, 2);
}

/*
 * RFC 7685 padding, after OpenSSL's F5 workaround: a handshake message of
 * 256..511 bytes (header included) is padded to exactly 512.
 */
static void write_padding(struct tr_buf *b, const struct client_hello_config *cfg, size_t hs_start)
{
    size_t hs_len = b->len - hs_start + 4;
    if (!cfg->no_padding && !b->failed && hs_len >= 0x100 && hs_len < 0x200) {
        size_t pad = 0x200 - hs_len;
        pad = pad >= 4 ? pad - 4 : 0;
        size_t s = ext_open(b, EXT_PADDING);
        for (size_t i = 0; i < pad; i++)
            tr_buf_push_u8(b, 0);
        tr_buf_block_close(b, s, 2);
    }
}

static void write_extensions(struct tr_buf *b, const struct client_hello_config *cfg,
                             const uint16_t *suites, size_t n_suites, size_t hs_start)
{
    size_t s, t;
    int v13 = cfg->max_version == TLSV_TLS13;
    int ec = v13 || (!cfg->no_ec_extensions && offers_ec(suites, n_suites));

    if (cfg->sni && cfg->sni[0] && !is_ip_literal(cfg->sni)) {
        s = ext_open(b, EXT_SERVER_NAME);
        t = tr_buf_block_open(b, 2);                     /* server_name_list */
        tr_buf_push_u8(b, 0);                            /* name_type host_name */
        size_t u = tr_buf_block_open(b, 2);
        tr_buf_puts(b, cfg->sni);
        tr_buf_block_close(b, u, 2);
        tr_buf_block_close(b, t, 2);
        tr_buf_block_close(b, s, 2);
    }
    if (cfg->secure_reneg) {                             /* RFC 5746 3.4: empty renegotiated_connection */
        s = ext_open(b, EXT_RENEGOTIATION_INFO);
        tr_buf_push_u8(b, 0);
        tr_buf_block_close(b, s, 2);
    }
    if (ec) {
        uint16_t g[64];
        const uint16_t *groups = cfg->groups;
        size_t n = cfg->n_groups;
        if (groups == NULL) {
            n = client_hello_default_groups(g, 64);
            groups = g;
        }
        s = ext_open(b, EXT_SUPPORTED_GROUPS);
        t = tr_buf_block_open(b, 2);
        push_u16_list(b, groups, n);
        tr_buf_block_close(b, t, 2);
        tr_buf_block_close(b, s, 2);
        if (!v13 || cfg->min_version < TLSV_TLS13) {
            s = ext_open(b, EXT_EC_POINT_FORMATS);
            tr_buf_push_u8(b, 1);
            tr_buf_push_u8(b, 0);                        /* uncompressed */
            tr_buf_block_close(b, s, 2);
        }
    }
    if (cfg->session_ticket) {
        s = ext_open(b, EXT_SESSION_TICKET);
        tr_buf_block_close(b, s, 2);
    }
    if (cfg->alpn && cfg->n_alpn) {
        s = ext_open(b, EXT_ALPN);
        t = tr_buf_block_open(b, 2);
        for (size_t i = 0; i < cfg->n_alpn; i++) {
            size_t u = tr_buf_block_open(b, 1);
            tr_buf_puts(b, cfg->alpn[i]);
            tr_buf_block_close(b, u, 1);
        }
        tr_buf_block_close(b, t, 2);
        tr_buf_block_close(b, s, 2);
    }
    if (cfg->status_request) {                           /* RFC 6066 8: ocsp, no responders, no extensions */
        s = ext_open(b, EXT_STATUS_REQUEST);
        tr_buf_push_u8(b, 1);
        tr_buf_push_u16(b, 0);
        tr_buf_push_u16(b, 0);
        tr_buf_block_close(b, s, 2);
    }
    if (cfg->max_version >= TLSV_TLS12) {                /* RFC 5246 7.4.1.4.1: TLS 1.2+ only */
        uint16_t a[64];
        const uint16_t *sigalgs = cfg->sigalgs;
        size_t n = cfg->n_sigalgs;
        if (sigalgs == NULL) {
            n = client_hello_default_sigalgs(a, 64);
            sigalgs = a;
        }
        s = ext_open(b, EXT_SIGNATURE_ALGORITHMS);
        t = tr_buf_block_open(b, 2);
        push_u16_list(b, sigalgs, n);
        tr_buf_block_close(b, t, 2);
        tr_buf_block_close(b, s, 2);
    }
    if (cfg->extended_master_secret) {
        s = ext_open(b, EXT_EXTENDED_MASTER_SECRET);
        tr_buf_block_close(b, s, 2);
    }
    if (v13)
        write_tls13_extensions(b, cfg);
    write_padding(b, cfg, hs_start);
}

int client_hello_build(struct tr_buf *out, const struct client_hello_config *cfg, struct tr_error *err)
{
    uint16_t def[MAX_SUITES];
    const uint16_t *suites = cfg->suites;
    size_t n_suites = cfg->n_suites;
    int v = cfg->max_version;

    if (v < TLSV_SSL3 || v > TLSV_TLS13)
        return tr_errorf(err, "client hello: unsupported max version %d", v);
    if (cfg->min_version < TLSV_SSL3 || cfg->min_version > v)
        return tr_errorf(err, "client hello: min version %d outside ssl3..max", cfg->min_version);
    if (suites == NULL) {
        n_suites = client_hello_default_suites(v, def, MAX_SUITES);
        if (v == TLSV_TLS13 && cfg->min_version < TLSV_TLS13)
            n_suites += client_hello_default_suites(TLSV_TLS12, def + n_suites, MAX_SUITES - n_suites);
        suites = def;
    }
    if (n_suites == 0)
        return tr_errorf(err, "client hello: no cipher suites to offer");
    if (n_suites + 2 > 32767)
        return tr_errorf(err, "client hello: %zu cipher suites do not fit", n_suites);
    for (size_t i = 0; i < cfg->n_alpn; i++)
        if (cfg->alpn[i] == NULL || strlen(cfg->alpn[i]) == 0 || strlen(cfg->alpn[i]) > 255)
            return tr_errorf(err, "client hello: alpn entry %zu must be 1..255 bytes", i);
    if (cfg->key_share_data && (cfg->key_share_len == 0 || cfg->key_share_len > 0xffff))
        return tr_errorf(err, "client hello: key share of %zu bytes", cfg->key_share_len);
    if (cfg->sni && strlen(cfg->sni) > 255)
        return tr_errorf(err, "client hello: server name longer than 255 bytes");

    size_t rec_start = out->len;
    tr_buf_push_u8(out, 22);                                        /* handshake */
    tr_buf_push_u16(out, v == TLSV_SSL3 ? 0x0300 : 0x0301);
    size_t rec = tr_buf_block_open(out, 2);
    tr_buf_push_u8(out, 1);                                         /* client_hello */
    size_t hs = tr_buf_block_open(out, 3);
    tr_buf_push_u16(out, v == TLSV_TLS13 ? 0x0303 : tls_version_wire(v));
    tr_buf_push(out, cfg->random, 32);
    if (v == TLSV_TLS13) {                                          /* RFC 8446 D.4 compatibility mode */
        tr_buf_push_u8(out, 32);
        for (int i = 0; i < 32; i++)                                /* derived from random: stays pure */
            tr_buf_push_u8(out, (uint8_t)(cfg->random[31 - i] ^ 0x5c));
    } else {
        tr_buf_push_u8(out, 0);
    }
    size_t cs = tr_buf_block_open(out, 2);
    push_u16_list(out, suites, n_suites);
    if (v == TLSV_SSL3 && cfg->secure_reneg)
        tr_buf_push_u16(out, 0x00ff);                               /* RFC 5746 3.3: SCSV, not the extension */
    if (cfg->fallback_scsv)
        tr_buf_push_u16(out, 0x5600);
    tr_buf_block_close(out, cs, 2);
    if (cfg->offer_compression) {
        tr_buf_push_u8(out, 2);
        tr_buf_push_u8(out, 1);                                     /* DEFLATE (RFC 3749) */
        tr_buf_push_u8(out, 0);
    } else {
        tr_buf_push_u8(out, 1);
        tr_buf_push_u8(out, 0);                                     /* compression: null only */
    }
    if (!cfg->no_extensions && v != TLSV_SSL3) {
        size_t ext = tr_buf_block_open(out, 2);
        write_extensions(out, cfg, suites, n_suites, hs);
        tr_buf_block_close(out, ext, 2);
    }
    tr_buf_block_close(out, hs, 3);
    tr_buf_block_close(out, rec, 2);
    if (out->failed) {
        out->len = rec_start;
        return tr_errorf(err, "client hello: buffer failure (out of memory or a list too long)");
    }
    if (out->len - rec > CLIENT_HELLO_MAX_RECORD) {
        size_t n = out->len - rec;
        out->len = rec_start;
        return tr_errorf(err, "client hello: %zu bytes exceed one 16384-byte record", n);
    }
    return 0;
}

/* The SSLv2 cipher kinds (3 bytes each), strongest first. */
static const uint8_t ssl2_kinds[][3] = {
    { 0x07, 0x00, 0xc0 },   /* SSL_CK_DES_192_EDE3_CBC_WITH_MD5 */
    { 0x05, 0x00, 0x80 },   /* SSL_CK_IDEA_128_CBC_WITH_MD5 */
    { 0x03, 0x00, 0x80 },   /* SSL_CK_RC2_128_CBC_WITH_MD5 */
    { 0x01, 0x00, 0x80 },   /* SSL_CK_RC4_128_WITH_MD5 */
    { 0x06, 0x00, 0x40 },   /* SSL_CK_DES_64_CBC_WITH_MD5 */
    { 0x04, 0x00, 0x80 },   /* SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5 */
    { 0x02, 0x00, 0x80 },   /* SSL_CK_RC4_128_EXPORT40_WITH_MD5 */
};

int ssl2_client_hello_build(struct tr_buf *out, const uint8_t challenge[16], struct tr_error *err)
{
    size_t n = sizeof ssl2_kinds / sizeof ssl2_kinds[0];
    size_t body = 9 + 3 * n + 16;
    size_t start = out->len;
    tr_buf_push_u8(out, (uint8_t)(0x80 | (body >> 8)));
    tr_buf_push_u8(out, (uint8_t)body);
    tr_buf_push_u8(out, 1);                 /* CLIENT-HELLO */
    tr_buf_push_u16(out, 0x0002);
    tr_buf_push_u16(out, (uint16_t)(3 * n));
    tr_buf_push_u16(out, 0);                /* session id length */
    tr_buf_push_u16(out, 16);               /* challenge length */
    for (size_t i = 0; i < n; i++)
        tr_buf_push(out, ssl2_kinds[i], 3);
    tr_buf_push(out, challenge, 16);
    if (out->failed) {
        out->len = start;
        return tr_errorf(err, "sslv2 client hello: out of memory");
    }
    return 0;
}
