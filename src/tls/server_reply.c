/*
 * The server reply parser (server_reply.h). Two layers:
 *
 *   records   -> walk_records(): 5-byte headers checked before the body is
 *                used (type, version major 3, length <= 2^14 + 2048); alerts
 *                end the walk; handshake fragments feed the next layer.
 *   handshake -> feed(): a 4-byte header (type, length24) then the body,
 *                which is used in place when one fragment holds it and
 *                copied into scratch when it spans records.
 *   messages  -> on_message(): ServerHello (RFC 5246 7.4.1.3, RFC 8446 4.1.3),
 *                then for the flight Certificate (7.4.2), CertificateStatus
 *                (RFC 6066 8), ServerKeyExchange (7.4.3), CertificateRequest,
 *                ServerHelloDone.
 *
 * The parser is restartable by re-running over the whole buffer: it keeps no
 * state between calls, so "need more" costs a re-parse of a few KB at most.
 */
#include "tls/server_reply.h"

#include <stdio.h>
#include <string.h>

#include "tls/decode.h"
#include "tls/version.h"

/* SHA-256("HelloRetryRequest"), RFC 8446 4.1.3 */
static const uint8_t hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

#define CONTINUE (-1)   /* on_message: keep going */
#define FRAG_SCRATCH 8192 /* server_reply_parse: a ServerHello split across records */

struct walk {
    const uint8_t *buf;
    size_t len;
    uint8_t *scratch;
    size_t scratch_cap;
    size_t scratch_used;     /* bytes of completed messages kept (cert views point here) */
    int flight;              /* continue past ServerHello */
    struct server_reply *out;
    /* handshake reassembly */
    uint8_t hdr[4];
    size_t hdr_have;
    uint8_t msg_type;
    size_t msg_len;
    size_t body_have;
    size_t msg_off;          /* offset in buf of the message header's first byte */
};

static int fail(struct server_reply *out, int status, size_t offset, const char *fmt, const char *arg)
{
    out->offset = offset;
    snprintf(out->reason, sizeof out->reason, fmt, arg ? arg : "");
    return status;
}

static int malformed(struct server_reply *out, size_t offset, const char *what)
{
    return fail(out, REPLY_MALFORMED, offset, "%.120s", what);
}

static const char *handshake_name(uint8_t t)
{
    switch (t) {
    case 0: return "hello_request";
    case 1: return "client_hello";
    case 2: return "server_hello";
    case 4: return "new_session_ticket";
    case 8: return "encrypted_extensions";
    case 11: return "certificate";
    case 12: return "server_key_exchange";
    case 13: return "certificate_request";
    case 14: return "server_hello_done";
    case 15: return "certificate_verify";
    case 16: return "client_key_exchange";
    case 20: return "finished";
    case 22: return "certificate_status";
    default: return "unknown handshake type";
    }
}

static int parse_extensions(struct server_reply *out, const uint8_t *src, const uint8_t *end,
                            const uint8_t *base, size_t base_off, int hrr)
{
    while (src < end) {
        uint16_t type;
        const uint8_t *ext_end, *p;
        size_t at = base_off + (size_t)(src - base);
        if (tls_decode16(&type, &src, end) != 0 || tls_decode_open_block(&src, end, 2, &ext_end) != 0)
            return malformed(out, at, "truncated server hello extension");
        for (size_t i = 0; i < out->n_extensions && i < SERVER_REPLY_MAX_EXT; i++)
            if (out->extensions[i] == type)
                return malformed(out, at, "duplicate server hello extension");
        if (out->n_extensions < SERVER_REPLY_MAX_EXT)
            out->extensions[out->n_extensions++] = type;
        else
            out->extensions_truncated = 1;
        p = src;
        switch (type) {
        case 43: /* supported_versions: selected_version */
            if (tls_decode16(&out->supported_version, &p, ext_end) != 0 || p != ext_end)
                return malformed(out, at, "bad supported_versions extension");
            break;
        case 51: /* key_share: KeyShareEntry (SH) or selected_group (HRR) */
            if (tls_decode16(&out->selected_group, &p, ext_end) != 0)
                return malformed(out, at, "bad key_share extension");
            if (!hrr) {
                const uint8_t *kend;
                if (tls_decode_open_block(&p, ext_end, 2, &kend) != 0)
                    return malformed(out, at, "bad key_share key_exchange length");
                p = kend;
            }
            if (p != ext_end)
                return malformed(out, at, "trailing bytes in key_share extension");
            break;
        case 0xff01: { /* renegotiation_info<0..255> */
            const uint8_t *rend;
            if (tls_decode_open_block(&p, ext_end, 1, &rend) != 0 || rend != ext_end)
                return malformed(out, at, "bad renegotiation_info extension");
            out->renegotiation_info = 1;
            break;
        }
        case 23:
            out->extended_master_secret = 1;
            break;
        case 16: { /* ALPN: ProtocolNameList with exactly one name */
            const uint8_t *lend, *nend;
            if (tls_decode_open_block(&p, ext_end, 2, &lend) != 0 ||
                tls_decode_open_block(&p, lend, 1, &nend) != 0 || nend != ext_end)
                return malformed(out, at, "bad alpn extension");
            size_t n = (size_t)(nend - p), k = 0;
            for (size_t i = 0; i < n && k + 1 < sizeof out->alpn; i++)
                out->alpn[k++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
            out->alpn[k] = 0;
            break;
        }
        default:
            break;
        }
        src = ext_end;
    }
    return CONTINUE;
}

/* ServerHello / HelloRetryRequest body; `off` is the body's offset in buf (approximate when reassembled). */
static int parse_server_hello(struct walk *w, const uint8_t *body, size_t len, size_t off)
{
    struct server_reply *out = w->out;
    const uint8_t *src = body, *end = body + len, *sid_end, *ext_end;
    int hrr, r;

    if (tls_decode16(&out->server_version, &src, end) != 0 || end - src < 32)
        return malformed(out, off, "server hello shorter than version and random");
    memcpy(out->random, src, 32);
    src += 32;
    if (tls_decode_open_block(&src, end, 1, &sid_end) != 0)
        return malformed(out, off + (size_t)(src - body), "truncated session id");
    if (sid_end - src > 32)
        return malformed(out, off + (size_t)(src - body) - 1, "session id longer than 32 bytes");
    out->session_id_len = (uint8_t)(sid_end - src);
    src = sid_end;
    if (tls_decode16(&out->cipher_suite, &src, end) != 0 || tls_decode8(&out->compression, &src, end) != 0)
        return malformed(out, off + (size_t)(src - body), "truncated cipher suite or compression");
    hrr = memcmp(out->random, hrr_random, 32) == 0;
    if (src < end) { /* extensions are optional before TLS 1.3 (RFC 5246 7.4.1.3) */
        size_t at = off + (size_t)(src - body);
        if (tls_decode_open_block(&src, end, 2, &ext_end) != 0)
            return malformed(out, at, "extensions length exceeds the server hello");
        if (ext_end != end)
            return malformed(out, at, "bytes after the server hello extensions");
        r = parse_extensions(out, src, ext_end, body, off, hrr);
        if (r != CONTINUE)
            return r;
    }
    out->have_server_hello = 1;
    out->selected_version = tls_version_from_wire(out->supported_version ? out->supported_version
                                                                         : out->server_version);
    /* RFC 8446 4.1.3: "DOWNGRD" + 01 (TLS 1.2) or 00 (TLS 1.1 and below) */
    if (memcmp(out->random + 24, "DOWNGRD", 7) == 0 && (out->random[31] == 0 || out->random[31] == 1))
        out->downgrade_sentinel = out->random[31] == 1 ? 1 : 2;
    if (hrr)
        return REPLY_HELLO_RETRY;
    if (!w->flight)
        return REPLY_SERVER_HELLO;
    if (out->selected_version == TLSV_TLS13) {
        out->flight_complete = 1;   /* the rest of a TLS 1.3 flight is encrypted */
        return REPLY_SERVER_HELLO;
    }
    return CONTINUE;
}

static int parse_certificate(struct walk *w, const uint8_t *body, size_t len, size_t off)
{
    struct server_reply *out = w->out;
    const uint8_t *src = body, *end = body + len, *list_end;

    if (tls_decode_open_block(&src, end, 3, &list_end) != 0 || list_end != end)
        return malformed(out, off, "certificate list length disagrees with the message");
    while (src < list_end) {
        const uint8_t *cert_end;
        size_t at = off + (size_t)(src - body);
        if (tls_decode_open_block(&src, list_end, 3, &cert_end) != 0)
            return malformed(out, at, "certificate length exceeds the list");
        if (cert_end == src)
            return malformed(out, at, "empty certificate in the list");
        if (out->n_certs < SERVER_FLIGHT_MAX_CERTS) {
            out->certs[out->n_certs].data = src;
            out->certs[out->n_certs].len = (size_t)(cert_end - src);
            out->n_certs++;
        } else {
            out->certs_truncated = 1;
        }
        src = cert_end;
    }
    out->have_certificate = 1;
    return CONTINUE;
}

static int on_message(struct walk *w, const uint8_t *body, size_t len)
{
    struct server_reply *out = w->out;
    size_t off = w->msg_off + 4;
    char what[96];

    if (!out->have_server_hello) {
        if (w->msg_type == 0 && len == 0)  /* hello_request: ignored (RFC 5246 7.4.1.1) */
            return CONTINUE;
        if (w->msg_type == 2)
            return parse_server_hello(w, body, len, off);
        snprintf(what, sizeof what, "expected server_hello, got %s (%u)", handshake_name(w->msg_type),
                 w->msg_type);
        return malformed(out, w->msg_off, what);
    }
    switch (w->msg_type) {
    case 11:
        return parse_certificate(w, body, len, off);
    case 22:
        out->have_certificate_status = 1;
        return CONTINUE;
    case 12: {
        struct tr_error err;
        int v = out->selected_version == TLSV_NONE ? TLSV_TLS12 : out->selected_version;
        if (server_key_exchange_parse(body, len, out->cipher_suite, v, &out->ske, &err) != 0)
            return malformed(out, off, err.msg);
        out->have_server_key_exchange = 1;
        return CONTINUE;
    }
    case 13:
        out->have_certificate_request = 1;
        return CONTINUE;
    case 14:
        if (len != 0)
            return malformed(out, off, "server_hello_done with a body");
        out->flight_complete = 1;
        return REPLY_SERVER_HELLO;
    default:
        snprintf(what, sizeof what, "unexpected %s (%u) in the server flight", handshake_name(w->msg_type),
                 w->msg_type);
        return malformed(out, w->msg_off, what);
    }
}

/* Feeds one handshake fragment [p, p+n) found at offset `at` in buf. */
static int feed(struct walk *w, const uint8_t *p, size_t n, size_t at)
{
    while (n > 0) {
        if (w->hdr_have < 4) {
            if (w->hdr_have == 0)
                w->msg_off = at;
            w->hdr[w->hdr_have++] = *p++;
            n--;
            at++;
            if (w->hdr_have < 4)
                continue;
            w->msg_type = w->hdr[0];
            w->msg_len = tls_get24(w->hdr + 1);
            w->body_have = 0;
            size_t limit = w->msg_type == 11 ? TLS_CERTIFICATE_MAX_LEN : TLS_HANDSHAKE_MAX_LEN;
            if (w->msg_len > limit)
                return malformed(w->out, w->msg_off, "handshake message longer than the limit");
            if (w->msg_len == 0) {
                w->hdr_have = 0;
                int r = on_message(w, p, 0);
                if (r != CONTINUE)
                    return r;
            }
            continue;
        }
        size_t take = w->msg_len - w->body_have;
        if (take > n)
            take = n;
        const uint8_t *body = NULL;
        if (w->body_have == 0 && take == w->msg_len) {
            body = p;   /* whole message inside this fragment: use it in place */
        } else {
            if (w->scratch == NULL || w->scratch_used + w->msg_len > w->scratch_cap)
                return malformed(w->out, w->msg_off, "fragmented handshake message too large to reassemble");
            memcpy(w->scratch + w->scratch_used + w->body_have, p, take);
            w->body_have += take;
            if (w->body_have == w->msg_len) {
                body = w->scratch + w->scratch_used;
                w->scratch_used += w->msg_len;
            }
        }
        p += take;
        n -= take;
        at += take;
        if (body != NULL) {
            w->hdr_have = 0;
            int r = on_message(w, body, w->msg_len);
            if (r != CONTINUE)
                return r;
        }
    }
    return CONTINUE;
}

/* A bounded, sanitised sample of a non-TLS reply (STYLE.md: redis setProtocolError). */
static int not_tls(struct server_reply *out, const uint8_t *buf, size_t len)
{
    char sample[48];
    size_t k = 0, printable = 0;
    for (size_t i = 0; i < len && i < 40 && buf[i] != '\r' && buf[i] != '\n'; i++) {
        int ok = buf[i] >= 0x20 && buf[i] < 0x7f;
        printable += ok;
        sample[k++] = ok ? (char)buf[i] : '.';
    }
    sample[k] = 0;
    if (k >= 4 && printable == k)
        return fail(out, REPLY_NOT_TLS, 0, "plaintext reply: \"%s\"", sample);
    snprintf(out->reason, sizeof out->reason, "first bytes %02x %02x are not a TLS record", buf[0],
             len > 1 ? buf[1] : 0);
    out->offset = 0;
    return REPLY_NOT_TLS;
}

/* SSLv2 SERVER-HELLO or ERROR behind a 2-byte record header (RFC 6101 appendix E). */
static int parse_ssl2(struct server_reply *out, const uint8_t *buf, size_t len)
{
    size_t rec_len = (size_t)(buf[0] & 0x7f) << 8 | buf[1];
    const uint8_t *src, *end;
    uint16_t cert_len, specs_len, conn_len;
    uint8_t hit, cert_type;

    if (len < 2 + rec_len)
        return REPLY_NEED_MORE;
    src = buf + 3;
    end = buf + 2 + rec_len;
    out->consumed = 2 + rec_len;
    if (buf[2] == 0) { /* ERROR: error_code16 */
        uint16_t code;
        if (tls_decode16(&code, &src, end) != 0)
            return malformed(out, 3, "truncated SSLv2 error");
        out->ssl2_error = code ? code : 0xffff;
        return REPLY_SSL2;
    }
    if (tls_decode8(&hit, &src, end) != 0 || tls_decode8(&cert_type, &src, end) != 0 ||
        tls_decode16(&out->ssl2_version, &src, end) != 0 || tls_decode16(&cert_len, &src, end) != 0 ||
        tls_decode16(&specs_len, &src, end) != 0 || tls_decode16(&conn_len, &src, end) != 0)
        return malformed(out, 3, "truncated SSLv2 server hello");
    if ((size_t)cert_len + specs_len + conn_len != (size_t)(end - src))
        return malformed(out, 13, "SSLv2 server hello lengths disagree with the record");
    if (specs_len % 3 != 0)
        return malformed(out, 9, "SSLv2 cipher specs length not a multiple of 3");
    src += cert_len;
    out->ssl2_n_ciphers = specs_len / 3;
    for (size_t i = 0; i < out->ssl2_n_ciphers && i < 64; i++)
        out->ssl2_ciphers[i] = tls_get24(src + 3 * i);
    out->record_version = 0x0002;
    return REPLY_SSL2;
}

static int walk_records(struct walk *w)
{
    struct server_reply *out = w->out;
    const uint8_t *buf = w->buf;
    size_t len = w->len, pos = 0;

    if (len == 0)
        return REPLY_NEED_MORE;
    if (buf[0] & 0x80) {
        if (len < 3)
            return REPLY_NEED_MORE;
        if (buf[2] == 4 || buf[2] == 0)
            return parse_ssl2(out, buf, len);
        return not_tls(out, buf, len);
    }
    if (buf[0] < 20 || buf[0] > 23 || (len >= 2 && buf[1] != 3))
        return not_tls(out, buf, len);

    while (pos < len) {
        const uint8_t *h = buf + pos;
        size_t avail = len - pos;
        if (avail >= 1 && (h[0] < 20 || h[0] > 23))
            return malformed(out, pos, "bad record content type");
        if (avail >= 2 && h[1] != 3)
            return malformed(out, pos + 1, "record version major is not 3");
        if (avail < 5)
            return REPLY_NEED_MORE;
        uint8_t type = h[0];
        uint16_t version = tls_get16(h + 1);
        size_t rlen = tls_get16(h + 3);
        if (pos == 0)
            out->record_version = version;
        if (rlen > TLS_RECORD_MAX_LEN)
            return malformed(out, pos + 3, "record longer than 2^14 + 2048 bytes");
        if (rlen == 0)
            return malformed(out, pos + 3, "empty record");
        if (avail < 5 + rlen)
            return REPLY_NEED_MORE;
        const uint8_t *frag = h + 5;
        size_t frag_at = pos + 5;
        pos += 5 + rlen;
        out->consumed = pos;
        switch (type) {
        case 21: /* alert: level8 | description8 */
            if (rlen != 2 && !out->have_server_hello)
                return malformed(out, frag_at, "alert record is not 2 bytes");
            out->have_alert = 1;
            out->alert_level = frag[0];
            out->alert_description = rlen >= 2 ? frag[1] : 0;
            return REPLY_ALERT;
        case 22: {
            int r = feed(w, frag, rlen, frag_at);
            if (r != CONTINUE)
                return r;
            break;
        }
        case 20: /* change_cipher_spec */
            if (!out->have_server_hello)
                return malformed(out, pos - rlen - 5, "change_cipher_spec before server hello");
            out->flight_complete = 1;   /* abbreviated handshake: nothing more in clear */
            return REPLY_SERVER_HELLO;
        default:
            return malformed(out, pos - rlen - 5, "application data before the handshake finished");
        }
    }
    return REPLY_NEED_MORE;
}

static int run(const uint8_t *buf, size_t len, uint8_t *scratch, size_t cap, int flight,
               struct server_reply *out)
{
    struct walk w;
    memset(out, 0, sizeof *out);
    memset(&w, 0, sizeof w);
    out->selected_version = TLSV_NONE;
    w.buf = buf;
    w.len = len;
    w.scratch = scratch;
    w.scratch_cap = cap;
    w.flight = flight;
    w.out = out;
    out->status = walk_records(&w);
    if (out->status == REPLY_NEED_MORE)
        out->consumed = 0;
    return out->status;
}

int server_reply_parse(const uint8_t *buf, size_t len, struct server_reply *out)
{
    uint8_t scratch[FRAG_SCRATCH];
    return run(buf, len, scratch, sizeof scratch, 0, out);
}

int server_flight_parse(const uint8_t *buf, size_t len, uint8_t *scratch, size_t scratch_cap,
                        struct server_reply *out)
{
    return run(buf, len, scratch, scratch_cap, 1, out);
}

const char *server_reply_status_name(int status)
{
    static const char *const names[] = { "NEED_MORE", "SERVER_HELLO", "HELLO_RETRY", "ALERT",
                                         "SSL2", "NOT_TLS", "MALFORMED" };
    return status >= 0 && status <= REPLY_MALFORMED ? names[status] : "?";
}

const char *tls_alert_name(uint8_t desc)
{
    switch (desc) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 21: return "decryption_failed";
    case 22: return "record_overflow";
    case 30: return "decompression_failure";
    case 40: return "handshake_failure";
    case 41: return "no_certificate";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 60: return "export_restriction";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 111: return "certificate_unobtainable";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 114: return "bad_certificate_hash_value";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    case 121: return "ech_required";
    default: return NULL;
    }
}
