/*
 * ClientHello decoding (client_hello_parse.h): the handshake body, the
 * record layer around it (a hello may span several records), and the
 * SSLv2-compatible CLIENT-HELLO that old clients (and scanners) still send.
 */
#include "tls/client_hello_parse.h"

#include <string.h>

#include "tls/decode.h"
#include "tls/registry.h"
#include "tls/version.h"

#define FAIL(what) do { \
        tr_errorf(err, "client hello: %s at offset %zu", (what), (size_t)(src - msg)); \
        return CH_ERROR; \
    } while (0)

static void copy_printable(char *dst, size_t cap, const uint8_t *p, size_t n, int *truncated)
{
    size_t k = 0;
    if (n > cap - 1) {
        n = cap - 1;
        *truncated = 1;
    }
    for (size_t i = 0; i < n; i++)
        dst[k++] = (p[i] >= 0x21 && p[i] < 0x7f) ? (char)p[i] : '?';
    dst[k] = 0;
}

static void finish(struct client_hello_info *out)
{
    int best = TLSV_NONE;
    for (size_t i = 0; i < out->n_supported_versions; i++) {
        uint16_t v = out->supported_versions[i];
        int e = tls_is_grease(v) ? TLSV_NONE : tls_version_from_wire(v);
        if (e > best)
            best = e;
    }
    /* RFC 8446 4.2.1: with supported_versions present, legacy_version is not
     * used for negotiation; a list of only GREASE or unknown codes offers no
     * version we know, it does not fall back to legacy_version. */
    if (!out->has_supported_versions)
        best = tls_version_from_wire(out->legacy_version);
    out->max_offered = best;
    for (size_t i = 0; i < out->n_suites; i++) {
        if (out->suites[i] == 0x00ff)
            out->renegotiation_info = 1;
        if (out->suites[i] == 0x5600)
            out->fallback_scsv = 1;
    }
}

/* Reads a u16 list block (len_bytes prefix) into arr (cap), counting even past the cap. */
static int read_u16_list(const uint8_t **src, const uint8_t *end, int len_bytes, uint16_t *arr, size_t cap,
                         size_t *n, int *truncated)
{
    const uint8_t *blk;
    if (tls_decode_open_block(src, end, len_bytes, &blk) != 0 || (blk - *src) % 2 != 0)
        return -1;
    while (*src < blk) {
        uint16_t v = tls_get16(*src);
        *src += 2;
        if (*n < cap)
            arr[(*n)++] = v;
        else
            *truncated = 1;
    }
    return 0;
}

static int parse_extension(struct client_hello_info *out, uint16_t type, const uint8_t *p, const uint8_t *end)
{
    const uint8_t *blk;
    switch (type) {
    case 0: /* server_name: ServerNameList<1..2^16-1> of {type8, name<1..2^16-1>} */
        if (tls_decode_open_block(&p, end, 2, &blk) != 0 || blk != end)
            return -1;
        while (p < end) {
            uint8_t name_type;
            const uint8_t *nend;
            if (tls_decode8(&name_type, &p, end) != 0 || tls_decode_open_block(&p, end, 2, &nend) != 0)
                return -1;
            if (name_type == 0 && !out->has_sni) {
                copy_printable(out->sni, sizeof out->sni, p, (size_t)(nend - p), &out->truncated);
                out->has_sni = 1;
            }
            p = nend;
        }
        return 0;
    case 10:
        return read_u16_list(&p, end, 2, out->groups, CHI_MAX_GROUPS, &out->n_groups, &out->truncated) ||
               p != end ? -1 : 0;
    case 13:
        return read_u16_list(&p, end, 2, out->sigalgs, CHI_MAX_SIGALGS, &out->n_sigalgs, &out->truncated) ||
               p != end ? -1 : 0;
    case 43:
        out->has_supported_versions = 1;
        return read_u16_list(&p, end, 1, out->supported_versions, CHI_MAX_VERSIONS,
                             &out->n_supported_versions, &out->truncated) || p != end ? -1 : 0;
    case 11: /* ec_point_formats<1..2^8-1> */
        if (tls_decode_open_block(&p, end, 1, &blk) != 0 || blk != end)
            return -1;
        for (; p < end; p++) {
            if (out->n_ec_point_formats < CHI_MAX_POINT_FORMATS)
                out->ec_point_formats[out->n_ec_point_formats++] = *p;
            else
                out->truncated = 1;
        }
        return 0;
    case 16: /* ALPN: ProtocolNameList<2..2^16-1> of name<1..2^8-1> */
        if (tls_decode_open_block(&p, end, 2, &blk) != 0 || blk != end)
            return -1;
        while (p < end) {
            const uint8_t *nend;
            if (tls_decode_open_block(&p, end, 1, &nend) != 0)
                return -1;
            if (out->n_alpn == 0 && nend > p) {
                out->alpn0_first = p[0];
                out->alpn0_last = nend[-1];
                out->alpn0_len = (size_t)(nend - p);
            }
            if (out->n_alpn < CHI_MAX_ALPN)
                copy_printable(out->alpn[out->n_alpn++], CHI_ALPN_LEN + 1, p, (size_t)(nend - p),
                               &out->truncated);
            else
                out->truncated = 1;
            p = nend;
        }
        return 0;
    case 51: /* key_share: client_shares<0..2^16-1> of {group16, key<1..2^16-1>} */
        if (tls_decode_open_block(&p, end, 2, &blk) != 0 || blk != end)
            return -1;
        while (p < end) {
            uint16_t g;
            const uint8_t *kend;
            if (tls_decode16(&g, &p, end) != 0 || tls_decode_open_block(&p, end, 2, &kend) != 0)
                return -1;
            if (out->n_key_shares < 8)
                out->key_share_groups[out->n_key_shares++] = g;
            else
                out->truncated = 1;
            p = kend;
        }
        return 0;
    case 0xff01:
        out->renegotiation_info = 1;
        return 0;
    default:
        return 0;
    }
}

int client_hello_parse(const uint8_t *msg, size_t len, struct client_hello_info *out, struct tr_error *err)
{
    const uint8_t *src = msg, *end = msg + len, *blk;
    memset(out, 0, sizeof *out);
    out->max_offered = TLSV_NONE;
    if (tls_decode16(&out->legacy_version, &src, end) != 0)
        FAIL("truncated version");
    if (end - src < 32)
        FAIL("truncated random");
    memcpy(out->random, src, 32);
    src += 32;
    if (tls_decode_open_block(&src, end, 1, &blk) != 0)
        FAIL("truncated session id");
    if (blk - src > 32)
        FAIL("session id longer than 32 bytes");
    out->session_id_len = (uint8_t)(blk - src);
    src = blk;
    if (read_u16_list(&src, end, 2, out->suites, CHI_MAX_SUITES, &out->n_suites, &out->truncated) != 0)
        FAIL("bad cipher_suites length");
    if (out->n_suites == 0)
        FAIL("empty cipher_suites");
    if (tls_decode_open_block(&src, end, 1, &blk) != 0 || blk == src)
        FAIL("bad compression_methods length");
    for (; src < blk; src++) {
        if (out->n_compression < CHI_MAX_COMPRESSION)
            out->compression[out->n_compression++] = *src;
        else
            out->truncated = 1;
    }
    if (src < end) {
        out->has_extensions_block = 1;
        if (tls_decode_open_block(&src, end, 2, &blk) != 0)
            FAIL("extensions length exceeds the message");
        if (blk != end)
            FAIL("bytes after the extensions");
        while (src < end) {
            uint16_t type;
            const uint8_t *ext_end;
            if (tls_decode16(&type, &src, end) != 0 || tls_decode_open_block(&src, end, 2, &ext_end) != 0)
                FAIL("truncated extension");
            for (size_t i = 0; i < out->n_extensions; i++)
                if (out->extensions[i] == type)
                    FAIL("duplicate extension");
            if (out->n_extensions < CHI_MAX_EXTENSIONS)
                out->extensions[out->n_extensions++] = type;
            else
                out->truncated = 1;
            if (parse_extension(out, type, src, ext_end) != 0)
                FAIL("malformed extension body");
            src = ext_end;
        }
    }
    finish(out);
    return CH_OK;
}

#undef FAIL
#define FAIL(what) do { \
        tr_errorf(err, "sslv2 client hello: %s", (what)); \
        return CH_ERROR; \
    } while (0)

/* SSLv2-compatible CLIENT-HELLO behind a 2-byte header (RFC 5246 E.2). */
static int parse_ssl2_hello(const uint8_t *buf, size_t len, struct client_hello_info *out, size_t *consumed,
                            struct tr_error *err)
{
    size_t rec_len = (size_t)(buf[0] & 0x7f) << 8 | buf[1];
    const uint8_t *src, *end;
    uint16_t spec_len, sid_len, chal_len;

    if (len < 2 + rec_len)
        return CH_NEED_MORE;
    memset(out, 0, sizeof *out);
    out->is_ssl2 = 1;
    src = buf + 3;
    end = buf + 2 + rec_len;
    if (tls_decode16(&out->legacy_version, &src, end) != 0 || tls_decode16(&spec_len, &src, end) != 0 ||
        tls_decode16(&sid_len, &src, end) != 0 || tls_decode16(&chal_len, &src, end) != 0)
        FAIL("truncated header");
    if ((size_t)spec_len + sid_len + chal_len != (size_t)(end - src))
        FAIL("lengths disagree with the record");
    if (spec_len == 0 || spec_len % 3 != 0)
        FAIL("cipher specs length not a positive multiple of 3");
    if (sid_len != 0 && sid_len != 16)
        FAIL("session id length not 0 or 16");
    if (chal_len < 16 || chal_len > 32)
        FAIL("challenge length outside 16..32");
    for (size_t i = 0; i < spec_len; i += 3) {
        uint32_t spec = tls_get24(src + i);
        if (spec <= 0xffff) {
            if (out->n_suites < CHI_MAX_SUITES)
                out->suites[out->n_suites++] = (uint16_t)spec;
            else
                out->truncated = 1;
        } else if (out->n_ssl2_specs < sizeof out->ssl2_specs / sizeof out->ssl2_specs[0]) {
            out->ssl2_specs[out->n_ssl2_specs++] = spec;
        } else {
            out->truncated = 1;
        }
    }
    /* The challenge becomes the right-aligned random (RFC 5246 E.2). */
    memcpy(out->random + 32 - chal_len, end - chal_len, chal_len);
    out->session_id_len = (uint8_t)sid_len;
    finish(out);
    if (out->legacy_version == 0x0002)
        out->max_offered = TLSV_NONE;   /* pure SSLv2: no TLS version */
    *consumed = 2 + rec_len;
    return CH_OK;
}

#undef FAIL

int client_hello_from_records(const uint8_t *buf, size_t len, struct client_hello_info *out, size_t *consumed,
                              struct tr_error *err)
{
    uint8_t msg[4 + TLS_MAX_HELLO];
    size_t have = 0, need = 0, pos = 0;
    uint16_t first_version = 0;

    *consumed = 0;
    if (len == 0)
        return CH_NEED_MORE;
    if (buf[0] & 0x80) {
        if (len < 3)
            return CH_NEED_MORE;
        if (buf[2] != 1)
            return tr_errorf(err, "sslv2 record is not a CLIENT-HELLO (type %u)", buf[2]);
        return parse_ssl2_hello(buf, len, out, consumed, err);
    }
    if (buf[0] != 22)
        return tr_errorf(err, "record type %u at offset 0 is not handshake (22)", buf[0]);
    while (pos < len) {
        const uint8_t *h = buf + pos;
        size_t avail = len - pos;
        if (h[0] != 22)
            return tr_errorf(err, "record type %u at offset %zu inside the client hello", h[0], pos);
        if (avail >= 2 && h[1] != 3)
            return tr_errorf(err, "record version major %u at offset %zu is not 3", h[1], pos + 1);
        if (avail < 5)
            return CH_NEED_MORE;
        size_t rlen = tls_get16(h + 3);
        if (pos == 0)
            first_version = tls_get16(h + 1);
        if (rlen == 0 || rlen > 16384)
            return tr_errorf(err, "record length %zu at offset %zu outside 1..16384", rlen, pos + 3);
        if (avail < 5 + rlen)
            return CH_NEED_MORE;
        if (pos == 0 && rlen >= 4 && h[5] == 1 && 4 + (size_t)tls_get24(h + 6) <= rlen) {
            /* the common case: the whole hello in the first record, parsed in place */
            int r = client_hello_parse(h + 9, tls_get24(h + 6), out, err);
            out->record_version = first_version;
            if (r == CH_OK)
                *consumed = 5 + rlen;
            return r;
        }
        size_t take = rlen;
        if (have + take > sizeof msg)
            return tr_errorf(err, "client hello longer than %d bytes", TLS_MAX_HELLO);
        memcpy(msg + have, h + 5, take);
        have += take;
        pos += 5 + rlen;
        if (have >= 4 && need == 0) {
            if (msg[0] != 1)
                return tr_errorf(err, "handshake type %u is not client_hello (1)", msg[0]);
            need = 4 + tls_get24(msg + 1);
            if (need > sizeof msg)
                return tr_errorf(err, "client hello length %zu exceeds %d bytes", need - 4, TLS_MAX_HELLO);
        }
        if (need != 0 && have >= need) {
            int r = client_hello_parse(msg + 4, need - 4, out, err);
            out->record_version = first_version;
            if (r == CH_OK)
                *consumed = pos;
            return r;
        }
    }
    return CH_NEED_MORE;
}
