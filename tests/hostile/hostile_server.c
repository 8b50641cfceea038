/*
 * hostile_server: a TLS-ish server that misbehaves on purpose, so the tests
 * can prove that tlsready never crashes, hangs or lies when a server does.
 *
 *   hostile_server --mode MODE [--cert FILE.der] [--seed N] [--port-file F] [--lifetime S]
 *
 * Listens on 127.0.0.1 on an ephemeral port, prints the port on stdout (and
 * into --port-file), forks one child per connection (so a slow mode never
 * blocks the others), reads the ClientHello with its own small parser and
 * answers according to MODE (`--list` prints them). Stop it by its PID: the
 * children die with the parent (PR_SET_PDEATHSIG) and never live longer than
 * two minutes; the server itself exits after --lifetime seconds (default
 * 600), so a test killed before its cleanup leaves nothing behind. Plain C, no TLS library: every byte it sends is written here,
 * which is the point. One line per connection goes to stderr (what the
 * client offered, what was sent), so a failing test can show the exchange.
 *
 * Version negotiation of the "correct" part of a reply (RFC 8446 4.2.1,
 * RFC 5246 E.1): with supported_versions the highest listed version the mode
 * accepts; without it min(legacy_version, TLS 1.2). `valid` accepts only
 * TLS 1.2 and answers every other offer with a fatal protocol_version alert.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CH 65536
#define MAX_LIST 512

static const struct {
    const char *name, *what;
} modes[] = {
    { "valid", "control: TLS 1.2 ServerHello+Certificate+ServerHelloDone; protocol_version alert otherwise" },
    { "valid-fragmented", "the valid reply with every handshake byte in a record of its own (legal: RFC 5246 6.2.1)" },
    { "random", "4 KB of random bytes (first byte 0x03: no TLS content type), then close" },
    { "http", "an HTTP/1.1 400 response, then close" },
    { "sslv2", "an SSLv2-format SERVER-HELLO (2-byte header, version 0x0002), then close" },
    { "huge-record", "a handshake record header promising 0x4801 (> 2^14+2048) bytes, 100 bytes, close" },
    { "hs-len-long", "ServerHello whose handshake length exceeds the record (1000 bytes more), then close" },
    { "hs-len-short", "ServerHello whose handshake length is 20 (cuts its random) in a full record" },
    { "unknown-version", "ServerHello with server_version 0x0305, offered cipher" },
    { "version-0200", "ServerHello with server_version 0x0200, offered cipher" },
    { "cipher-not-offered", "ServerHello for the offered version with a cipher suite the client did not offer" },
    { "suite-version-mismatch", "ServerHello with a TLS 1.3 suite for TLS <= 1.2, a TLS 1.2 suite for TLS 1.3" },
    { "sv-tls12", "ServerHello for TLS <= 1.2 that carries supported_versions (0x0303): legal only for TLS 1.3" },
    { "ext-unsolicited", "ServerHello for the offered version with an extension (0xfa0a) the client did not send" },
    { "dup-ext", "ServerHello for the offered version with a duplicated extension" },
    { "trunc-ext", "ServerHello whose one extension claims 9 bytes and carries 1" },
    { "trunc-ext-block", "ServerHello whose extensions block claims 16 bytes more than the message holds" },
    { "cert-16mb", "valid TLS 1.2 ServerHello, then a Certificate message of length 0xFFFFFF, streamed" },
    { "slow-drip", "the valid reply, one byte per second, then silence (forever)" },
    { "silence", "accept, read the ClientHello, never answer" },
    { "close", "close (FIN) right after the ClientHello" },
    { "rst", "20 bytes of a ServerHello for the offered version, then a TCP reset (SO_LINGER 0)" },
    { "rst-immediate", "a TCP reset right after the ClientHello" },
    { "valid-garbage", "the valid reply, then 4 KB of random bytes" },
    { "hrr-loop", "TLS 1.3 offers: HelloRetryRequest to every ClientHello (RFC 8446 forbids a second); else valid" },
    { "empty-records", "an endless stream of zero-length handshake records" },
    { "bad-alert", "an alert record of length 1 (alerts are 2 bytes)" },
    { "smtp-valid", "SMTP (control): banner, EHLO with STARTTLS, 220, then the valid TLS reply" },
    { "smtp-flood", "SMTP: an endless multi-line banner (220-...)" },
    { "smtp-bigline", "SMTP: a banner line of 1 MB without CRLF, then silence" },
    { "smtp-nostarttls", "SMTP: an EHLO reply without STARTTLS" },
    { "smtp-refuse", "SMTP: STARTTLS answered 454 (TLS not available)" },
    { "smtp-garbage", "SMTP: STARTTLS answered 220, then random bytes instead of TLS" },
    { "smtp-drip", "SMTP: the banner at one byte per second" },
};

struct client_hello {
    uint16_t record_version, legacy_version;
    uint8_t session_id[32];
    size_t session_id_len;
    uint16_t ciphers[MAX_LIST];
    size_t n_ciphers;
    uint16_t versions[64]; /* supported_versions */
    size_t n_versions;
    int has_versions_ext;
    uint16_t groups[128];
    size_t n_groups;
    uint16_t share_groups[32];
    size_t n_share_groups;
    int renegotiation_info;
    int sslv2_format;
};

struct out {
    uint8_t *p;
    size_t len, cap;
};

static const char *g_mode;
static uint8_t *g_cert;
static size_t g_cert_len;
static uint64_t g_rng;

static uint8_t rnd8(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (uint8_t)(g_rng >> 24);
}

static void die(const char *msg)
{
    fprintf(stderr, "hostile_server: %s: %s\n", msg, strerror(errno));
    exit(2);
}

static void put(struct out *o, const void *src, size_t n)
{
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n)
            cap *= 2;
        o->p = realloc(o->p, cap);
        if (!o->p)
            die("realloc");
        o->cap = cap;
    }
    memcpy(o->p + o->len, src, n);
    o->len += n;
}

static void put8(struct out *o, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(o, &b, 1);
}

static void put16(struct out *o, unsigned v)
{
    put8(o, v >> 8);
    put8(o, v);
}

static void put24(struct out *o, unsigned v)
{
    put8(o, v >> 16);
    put16(o, v & 0xffff);
}

/* Wraps `body` in records of type `type` (at most 2^14 bytes each). */
static void put_records(struct out *o, unsigned type, unsigned version, const uint8_t *body, size_t n)
{
    do {
        size_t chunk = n > 16384 ? 16384 : n;
        put8(o, type);
        put16(o, version);
        put16(o, (unsigned)chunk);
        put(o, body, chunk);
        body += chunk;
        n -= chunk;
    } while (n > 0);
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void send_or_exit(int fd, const struct out *o)
{
    if (send_all(fd, o->p, o->len) < 0)
        _exit(0);
}

/* Reads exactly n bytes within the deadline; -1 on close, error or timeout. */
static int read_full(int fd, uint8_t *p, size_t n, int timeout_ms)
{
    while (n > 0) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t got = read(fd, p, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static int has(const uint16_t *list, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return 1;
    return 0;
}

/* Extensions of the ClientHello that decide the reply; others are skipped. */
static int parse_extensions(struct client_hello *ch, const uint8_t *p, const uint8_t *end)
{
    while (end - p >= 4) {
        uint16_t type = get16(p), len = get16(p + 2);
        p += 4;
        if (end - p < len)
            return -1;
        const uint8_t *e = p, *ee = p + len;
        if (type == 0x002b && len >= 1) {
            ch->has_versions_ext = 1;
            for (e++; ee - e >= 2 && ch->n_versions < 64; e += 2)
                ch->versions[ch->n_versions++] = get16(e);
        } else if (type == 0x000a && len >= 2) {
            for (e += 2; ee - e >= 2 && ch->n_groups < 128; e += 2)
                ch->groups[ch->n_groups++] = get16(e);
        } else if (type == 0x0033 && len >= 2) {
            for (e += 2; ee - e >= 4 && ch->n_share_groups < 32;) {
                uint16_t klen = get16(e + 2);
                ch->share_groups[ch->n_share_groups++] = get16(e);
                if (ee - e - 4 < klen)
                    break;
                e += 4 + klen;
            }
        } else if (type == 0xff01) {
            ch->renegotiation_info = 1;
        }
        p = ee;
    }
    return 0;
}

/* ClientHello body (after the 4-byte handshake header). RFC 5246 7.4.1.2. */
static int parse_client_hello(struct client_hello *ch, const uint8_t *p, const uint8_t *end)
{
    if (end - p < 35)
        return -1;
    ch->legacy_version = get16(p);
    p += 34;
    ch->session_id_len = *p++;
    if (ch->session_id_len > 32 || (size_t)(end - p) < ch->session_id_len)
        return -1;
    memcpy(ch->session_id, p, ch->session_id_len);
    p += ch->session_id_len;
    if (end - p < 2)
        return -1;
    size_t clen = get16(p);
    p += 2;
    if ((size_t)(end - p) < clen)
        return -1;
    for (size_t i = 0; i + 1 < clen; i += 2) {
        if (ch->n_ciphers < MAX_LIST)
            ch->ciphers[ch->n_ciphers++] = get16(p + i);
        if (get16(p + i) == 0x00ff)
            ch->renegotiation_info = 1;
    }
    p += clen;
    if (end - p < 1 || (size_t)(end - p - 1) < *p)
        return -1;
    p += 1 + *p;
    if (end - p < 2)
        return 0; /* no extensions: legal */
    size_t elen = get16(p);
    p += 2;
    if ((size_t)(end - p) < elen)
        return -1;
    return parse_extensions(ch, p, p + elen);
}

/*
 * Reads records until one whole ClientHello is in: skips ChangeCipherSpec
 * (middlebox compatibility mode sends one before a second ClientHello) and
 * reassembles a handshake message spread over records. 0 ok, -1 otherwise.
 */
static int read_client_hello(int fd, struct client_hello *ch)
{
    static uint8_t hs[MAX_CH];
    size_t have = 0;
    memset(ch, 0, sizeof *ch);
    for (;;) {
        uint8_t h[5];
        if (read_full(fd, h, 5, 10000) < 0)
            return -1;
        if (h[0] & 0x80) { /* SSLv2-compatible ClientHello: read it, answer by the mode */
            size_t len = (size_t)(h[0] & 0x7f) << 8 | h[1];
            uint8_t rest[32768];
            if (len < 3 || read_full(fd, rest, len - 3, 10000) < 0)
                return -1;
            ch->sslv2_format = 1;
            ch->legacy_version = get16(h + 3);
            ch->record_version = 0x0002;
            return 0;
        }
        size_t len = get16(h + 3);
        if (len > 16384 + 2048 || have + len > MAX_CH)
            return -1;
        if (read_full(fd, hs + have, len, 10000) < 0)
            return -1;
        if (h[0] == 0x14)
            continue;
        if (h[0] != 0x16)
            return -1;
        ch->record_version = get16(h + 1);
        have += len;
        if (have >= 4) {
            size_t mlen = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];
            if (hs[0] != 1 || mlen + 4 > MAX_CH)
                return -1;
            if (have >= mlen + 4)
                return parse_client_hello(ch, hs + 4, hs + 4 + mlen);
        }
    }
}

/* The version a server accepting [lo, hi] picks, or 0 (alert). */
static uint16_t negotiate(const struct client_hello *ch, uint16_t lo, uint16_t hi)
{
    uint16_t best = 0;
    if (ch->has_versions_ext) {
        for (size_t i = 0; i < ch->n_versions; i++)
            if (ch->versions[i] >= lo && ch->versions[i] <= hi && ch->versions[i] > best)
                best = ch->versions[i];
        return best;
    }
    uint16_t v = ch->legacy_version > 0x0303 ? 0x0303 : ch->legacy_version;
    return v >= lo && v <= hi ? v : 0;
}

/* An offered suite that fits version v (TLS 1.3 suites are 0x13xx). */
static uint16_t pick_cipher(const struct client_hello *ch, uint16_t v)
{
    static const uint16_t rsa_kx[] = { 0x009c, 0x002f, 0x0035, 0x003c, 0x009d, 0x000a, 0x0005 };
    if (v == 0x0304) {
        for (size_t i = 0; i < ch->n_ciphers; i++)
            if ((ch->ciphers[i] >> 8) == 0x13)
                return ch->ciphers[i];
        return 0x1301;
    }
    for (size_t k = 0; k < sizeof rsa_kx / sizeof rsa_kx[0]; k++)
        if (has(ch->ciphers, ch->n_ciphers, rsa_kx[k]))
            return rsa_kx[k];
    for (size_t i = 0; i < ch->n_ciphers; i++) {
        uint16_t c = ch->ciphers[i];
        if ((c >> 8) != 0x13 && c != 0x00ff && c != 0x5600 && (c & 0x0f0f) != 0x0a0a)
            return c;
    }
    return 0x002f;
}

/* A suite the client did not offer: the first free one of a fixed list. */
static uint16_t unoffered_cipher(const struct client_hello *ch, uint16_t v)
{
    static const uint16_t pool12[] = { 0x0000, 0x0001, 0x0002, 0x0017, 0x00b0, 0x1305, 0xc0b4 };
    static const uint16_t pool13[] = { 0x1305, 0x1304, 0x1303, 0x1302, 0x1301, 0x0000 };
    const uint16_t *pool = v == 0x0304 ? pool13 : pool12;
    size_t n = v == 0x0304 ? 6 : 7;
    for (size_t i = 0; i < n; i++)
        if (!has(ch->ciphers, ch->n_ciphers, pool[i]))
            return pool[i];
    return 0xfefe;
}

static uint16_t record_version_for(uint16_t v)
{
    return v >= 0x0303 || v == 0 ? 0x0303 : v;
}

enum sh_flaw { SH_OK, SH_DUP_EXT, SH_TRUNC_EXT, SH_TRUNC_BLOCK, SH_SV_OLD, SH_UNSOLICITED };

/*
 * A ServerHello handshake message (header included) for version v, suite c.
 * TLS 1.3: legacy_version 0x0303 + supported_versions + key_share (x25519
 * shape; the key bytes are random: the client never gets to use them).
 */
static void server_hello(struct out *o, const struct client_hello *ch, uint16_t wire_version, uint16_t v,
                         uint16_t c, enum sh_flaw flaw, const uint8_t *random_or_null)
{
    struct out ext = { 0 }, body = { 0 };
    if (v == 0x0304) {
        put16(&ext, 0x002b);
        put16(&ext, 2);
        put16(&ext, 0x0304);
        if (flaw == SH_DUP_EXT) {
            put16(&ext, 0x002b);
            put16(&ext, 2);
            put16(&ext, 0x0304);
        }
        put16(&ext, 0x0033);
        put16(&ext, 36);
        put16(&ext, 0x001d);
        put16(&ext, 32);
        for (int i = 0; i < 32; i++)
            put8(&ext, rnd8());
    } else if (flaw == SH_DUP_EXT || ch->renegotiation_info) {
        put16(&ext, 0xff01);
        put16(&ext, 1);
        put8(&ext, 0);
        if (flaw == SH_DUP_EXT) {
            put16(&ext, 0xff01);
            put16(&ext, 1);
            put8(&ext, 0);
        }
    }
    if (flaw == SH_SV_OLD) { /* RFC 8446 4.2.1: a version before 1.3 here means abort */
        put16(&ext, 0x002b);
        put16(&ext, 2);
        put16(&ext, v);
    }
    if (flaw == SH_UNSOLICITED) { /* RFC 5246 7.4.1.4, RFC 8446 4.2: the client must abort */
        put16(&ext, 0xfa0a);
        put16(&ext, 0);
    }
    if (flaw == SH_TRUNC_EXT) {
        ext.len = 0;
        put16(&ext, 0xff01);
        put16(&ext, 9); /* claims 9 bytes, carries 1 */
        put8(&ext, 0);
    }
    put16(&body, wire_version);
    for (int i = 0; i < 32; i++)
        put8(&body, random_or_null ? random_or_null[i] : rnd8());
    put8(&body, (unsigned)ch->session_id_len);
    put(&body, ch->session_id, ch->session_id_len);
    put16(&body, c);
    put8(&body, 0);
    if (ext.len || flaw == SH_TRUNC_BLOCK) {
        put16(&body, (unsigned)ext.len + (flaw == SH_TRUNC_BLOCK ? 16 : 0));
        put(&body, ext.p, ext.len);
    }
    put8(o, 2);
    put24(o, (unsigned)body.len);
    put(o, body.p, body.len);
    free(ext.p);
    free(body.p);
}

static void alert(struct out *o, const struct client_hello *ch, unsigned desc)
{
    uint16_t rv = ch->legacy_version >= 0x0300 && ch->legacy_version <= 0x0303 ? ch->legacy_version : 0x0303;
    uint8_t a[2] = { 2, (uint8_t)desc };
    put_records(o, 0x15, rv, a, 2);
}

/* The control reply: TLS 1.2 ServerHello, Certificate, ServerHelloDone. */
static void valid_reply(struct out *o, const struct client_hello *ch)
{
    uint16_t v = negotiate(ch, 0x0303, 0x0303);
    if (!v) {
        alert(o, ch, 70);
        return;
    }
    struct out hs = { 0 };
    server_hello(&hs, ch, v, v, pick_cipher(ch, v), SH_OK, NULL);
    put8(&hs, 11);
    put24(&hs, g_cert_len ? (unsigned)g_cert_len + 6 : 3);
    put24(&hs, g_cert_len ? (unsigned)g_cert_len + 3 : 0);
    if (g_cert_len) {
        put24(&hs, (unsigned)g_cert_len);
        put(&hs, g_cert, g_cert_len);
    }
    put8(&hs, 14);
    put24(&hs, 0);
    put_records(o, 0x16, v, hs.p, hs.len);
    free(hs.p);
}

/*
 * Re-frames the handshake records in `o`: every body byte in a record of its
 * own. Alerts stay whole (RFC 8446 5.1 forbids fragmenting them; TLS 1.2
 * allows it but no server does).
 */
static void refragment(struct out *o)
{
    struct out r = { 0 };
    for (size_t i = 0; i + 5 <= o->len;) {
        size_t len = get16(o->p + i + 3);
        if (o->p[i] != 0x16)
            put(&r, o->p + i, 5 + len);
        else
            for (size_t k = 0; k < len && i + 5 + k < o->len; k++)
                put_records(&r, o->p[i], get16(o->p + i + 1), o->p + i + 5 + k, 1);
        i += 5 + len;
    }
    free(o->p);
    *o = r;
}

static void random_bytes(struct out *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(o, rnd8());
}

static void rst_close(int fd)
{
    struct linger l = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
    _exit(0);
}

/* Waits until the client closes (or the child's alarm fires). */
static void wait_for_close(int fd)
{
    uint8_t sink[4096];
    for (;;) {
        ssize_t r = read(fd, sink, sizeof sink);
        if (r == 0 || (r < 0 && errno != EINTR))
            _exit(0);
    }
}

/* A ServerHello for whatever the client offered (any version), with a flaw. */
static void flawed_hello(struct out *o, const struct client_hello *ch, enum sh_flaw flaw, int bad_cipher)
{
    uint16_t v = negotiate(ch, 0x0300, 0x0304);
    if (!v)
        v = 0x0303;
    struct out hs = { 0 };
    uint16_t c = bad_cipher == 1 ? unoffered_cipher(ch, v) : pick_cipher(ch, v);
    if (bad_cipher == 2) /* a suite of the other family: offered if the client offered it, never legal */
        c = v == 0x0304 ? pick_cipher(ch, 0x0303) : pick_cipher(ch, 0x0304);
    server_hello(&hs, ch, v == 0x0304 ? 0x0303 : v, v, c, flaw, NULL);
    put_records(o, 0x16, record_version_for(v), hs.p, hs.len);
    free(hs.p);
}

static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* HelloRetryRequest asking for a group the client listed but sent no share for. */
static void hello_retry(struct out *o, const struct client_hello *ch)
{
    uint16_t g = 0x0017;
    for (size_t i = 0; i < ch->n_groups; i++)
        if (!has(ch->share_groups, ch->n_share_groups, ch->groups[i]) && (ch->groups[i] & 0x0f0f) != 0x0a0a) {
            g = ch->groups[i];
            break;
        }
    struct out hs = { 0 }, body = { 0 };
    put16(&body, 0x0303);
    put(&body, hrr_random, 32);
    put8(&body, (unsigned)ch->session_id_len);
    put(&body, ch->session_id, ch->session_id_len);
    put16(&body, pick_cipher(ch, 0x0304));
    put8(&body, 0);
    put16(&body, 12);
    put16(&body, 0x002b);
    put16(&body, 2);
    put16(&body, 0x0304);
    put16(&body, 0x0033);
    put16(&body, 2);
    put16(&body, g);
    put8(&hs, 2);
    put24(&hs, (unsigned)body.len);
    put(&hs, body.p, body.len);
    put_records(o, 0x16, 0x0303, hs.p, hs.len);
    free(hs.p);
    free(body.p);
}

static void log_hello(unsigned long conn, const struct client_hello *ch, const char *action)
{
    char sv[128] = "";
    size_t off = 0;
    for (size_t i = 0; i < ch->n_versions && off + 8 < sizeof sv; i++)
        off += (size_t)snprintf(sv + off, sizeof sv - off, "%s%04x", i ? "," : "", ch->versions[i]);
    fprintf(stderr, "conn %lu mode %s: legacy_version %04x supported_versions [%s] %zu suites -> %s\n", conn,
            g_mode, ch->legacy_version, sv, ch->n_ciphers, action);
}

/* Reads one line (up to LF, at most cap-1 bytes) within 10 s; -1 on close. */
static int read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        uint8_t c;
        if (read_full(fd, &c, 1, 10000) < 0)
            return -1;
        buf[n++] = (char)c;
        if (c == '\n')
            break;
    }
    buf[n] = 0;
    return 0;
}

static void say(int fd, const char *s)
{
    if (send_all(fd, (const uint8_t *)s, strlen(s)) < 0)
        _exit(0);
}

/*
 * The SMTP part of the smtp-* modes (RFC 3207). Returns when the client may
 * start TLS; the hostile modes never return.
 */
static void smtp_dialogue(int fd, const char *m, unsigned long conn)
{
    char line[4096];
    if (!strcmp(m, "smtp-flood")) {
        for (;;)
            say(fd, "220-hostile.example ESMTP and more, and more, and more\r\n");
    }
    if (!strcmp(m, "smtp-bigline")) {
        static char big[65536];
        memset(big, 'a', sizeof big);
        say(fd, "220 ");
        for (int i = 0; i < 16; i++)
            if (send_all(fd, (const uint8_t *)big, sizeof big) < 0)
                _exit(0);
        wait_for_close(fd);
    }
    if (!strcmp(m, "smtp-drip")) {
        for (const char *p = "220 hostile.example ESMTP\r\n"; *p; p++) {
            if (send_all(fd, (const uint8_t *)p, 1) < 0)
                _exit(0);
            sleep(1);
        }
        wait_for_close(fd);
    }
    say(fd, "220 hostile.example ESMTP\r\n");
    for (;;) {
        if (read_line(fd, line, sizeof line) < 0)
            _exit(0);
        fprintf(stderr, "conn %lu mode %s: smtp <- %.40s", conn, m, line);
        if (!strncasecmp(line, "EHLO", 4) || !strncasecmp(line, "HELO", 4)) {
            say(fd, strcmp(m, "smtp-nostarttls") ? "250-hostile.example\r\n250-SIZE 1000\r\n250 STARTTLS\r\n"
                                                 : "250-hostile.example\r\n250 SIZE 1000\r\n");
        } else if (!strncasecmp(line, "STARTTLS", 8)) {
            if (!strcmp(m, "smtp-refuse") || !strcmp(m, "smtp-nostarttls")) {
                say(fd, "454 4.7.0 TLS not available\r\n");
                continue;
            }
            say(fd, "220 2.0.0 Ready to start TLS\r\n");
            return;
        } else if (!strncasecmp(line, "QUIT", 4)) {
            say(fd, "221 bye\r\n");
            _exit(0);
        } else {
            say(fd, "502 5.5.2 what?\r\n");
        }
    }
}

static void serve_connection(int fd, unsigned long conn)
{
    struct client_hello ch;
    struct out o = { 0 };
    if (!strncmp(g_mode, "smtp-", 5)) {
        smtp_dialogue(fd, g_mode, conn);
        if (!strcmp(g_mode, "smtp-garbage")) {
            if (read_client_hello(fd, &ch) == 0) {
                random_bytes(&o, 4096);
                o.p[0] = 0x03;
                send_or_exit(fd, &o);
            }
            wait_for_close(fd);
        }
        g_mode = "valid"; /* smtp-valid: TLS from here on, as the control */
    }
    if (read_client_hello(fd, &ch) < 0) {
        fprintf(stderr, "conn %lu mode %s: no ClientHello\n", conn, g_mode);
        _exit(0);
    }
    const char *m = g_mode;
    log_hello(conn, &ch, m);
    if (!strcmp(m, "valid")) {
        valid_reply(&o, &ch);
    } else if (!strcmp(m, "valid-fragmented")) {
        valid_reply(&o, &ch);
        refragment(&o);
    } else if (!strcmp(m, "random")) {
        random_bytes(&o, 4096);
        o.p[0] = 0x03;
    } else if (!strcmp(m, "http")) {
        const char *r = "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                        "Content-Length: 41\r\nConnection: close\r\n\r\n<html><body>Bad Request</body></html>\r\n";
        put(&o, r, strlen(r));
    } else if (!strcmp(m, "sslv2")) {
        /* SSLv2 SERVER-HELLO (draft-hickman-netscape-ssl-00, "SERVER-HELLO") */
        struct out msg = { 0 };
        put8(&msg, 4);      /* SERVER-HELLO */
        put8(&msg, 0);      /* session-id-hit */
        put8(&msg, 1);      /* certificate type X.509 */
        put16(&msg, 0x0002); /* server version */
        put16(&msg, 40);    /* certificate length */
        put16(&msg, 6);     /* cipher specs length */
        put16(&msg, 16);    /* connection id length */
        random_bytes(&msg, 40);
        put(&msg, "\x01\x00\x80\x07\x00\xc0", 6);
        random_bytes(&msg, 16);
        put8(&o, 0x80 | (unsigned)(msg.len >> 8));
        put8(&o, msg.len & 0xff);
        put(&o, msg.p, msg.len);
        free(msg.p);
    } else if (!strcmp(m, "huge-record")) {
        put8(&o, 0x16);
        put16(&o, 0x0303);
        put16(&o, 0x4801);
        put8(&o, 2);
        put24(&o, 0x47fd);
        random_bytes(&o, 96);
    } else if (!strcmp(m, "hs-len-long") || !strcmp(m, "hs-len-short")) {
        uint16_t v = negotiate(&ch, 0x0300, 0x0304);
        struct out hs = { 0 };
        if (!v)
            v = 0x0303;
        server_hello(&hs, &ch, v == 0x0304 ? 0x0303 : v, v, pick_cipher(&ch, v), SH_OK, NULL);
        size_t real = hs.len - 4, claim = !strcmp(m, "hs-len-long") ? real + 1000 : 20;
        hs.p[1] = (uint8_t)(claim >> 16);
        hs.p[2] = (uint8_t)(claim >> 8);
        hs.p[3] = (uint8_t)claim;
        put_records(&o, 0x16, record_version_for(v), hs.p, hs.len);
        free(hs.p);
    } else if (!strcmp(m, "unknown-version") || !strcmp(m, "version-0200")) {
        uint16_t v = negotiate(&ch, 0x0300, 0x0303);
        struct out hs = { 0 };
        uint16_t wire = !strcmp(m, "unknown-version") ? 0x0305 : 0x0200;
        server_hello(&hs, &ch, wire, v ? v : 0x0303, pick_cipher(&ch, 0x0303), SH_OK, NULL);
        put_records(&o, 0x16, 0x0303, hs.p, hs.len);
        free(hs.p);
    } else if (!strcmp(m, "cipher-not-offered")) {
        flawed_hello(&o, &ch, SH_OK, 1);
    } else if (!strcmp(m, "suite-version-mismatch")) {
        flawed_hello(&o, &ch, SH_OK, 2);
    } else if (!strcmp(m, "sv-tls12")) {
        uint16_t v = negotiate(&ch, 0x0300, 0x0303);
        struct out hs = { 0 };
        if (!v)
            v = 0x0303;
        server_hello(&hs, &ch, v, v, pick_cipher(&ch, v), SH_SV_OLD, NULL);
        put_records(&o, 0x16, v, hs.p, hs.len);
        free(hs.p);
    } else if (!strcmp(m, "ext-unsolicited")) {
        flawed_hello(&o, &ch, SH_UNSOLICITED, 0);
    } else if (!strcmp(m, "dup-ext")) {
        flawed_hello(&o, &ch, SH_DUP_EXT, 0);
    } else if (!strcmp(m, "trunc-ext")) {
        flawed_hello(&o, &ch, SH_TRUNC_EXT, 0);
    } else if (!strcmp(m, "trunc-ext-block")) {
        flawed_hello(&o, &ch, SH_TRUNC_BLOCK, 0);
    } else if (!strcmp(m, "cert-16mb")) {
        uint16_t v = negotiate(&ch, 0x0303, 0x0303);
        if (!v) {
            alert(&o, &ch, 70);
        } else {
            /* ServerHello record, then the Certificate streamed record by record */
            struct out hs = { 0 };
            server_hello(&hs, &ch, v, v, pick_cipher(&ch, v), SH_OK, NULL);
            put_records(&o, 0x16, v, hs.p, hs.len);
            free(hs.p);
            send_or_exit(fd, &o);
            size_t left = 0xffffff + 4;
            uint8_t rec[5 + 16384];
            memset(rec, 0x30, sizeof rec);
            int first = 1;
            while (left > 0) {
                size_t n = left > 16384 ? 16384 : left;
                rec[0] = 0x16, rec[1] = 3, rec[2] = 3, rec[3] = (uint8_t)(n >> 8), rec[4] = (uint8_t)n;
                if (first) { /* Certificate, certificate_list, first certificate lengths */
                    uint8_t h[10] = { 11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc, 0xff, 0xff, 0xf9 };
                    memcpy(rec + 5, h, sizeof h);
                    first = 0;
                } else {
                    memset(rec + 5, 0x30, 10);
                }
                if (send_all(fd, rec, 5 + n) < 0)
                    _exit(0);
                left -= n;
            }
            wait_for_close(fd);
        }
    } else if (!strcmp(m, "slow-drip")) {
        valid_reply(&o, &ch);
        for (size_t i = 0; i < o.len; i++) {
            if (send_all(fd, o.p + i, 1) < 0)
                _exit(0);
            sleep(1);
        }
        wait_for_close(fd);
    } else if (!strcmp(m, "silence")) {
        wait_for_close(fd);
    } else if (!strcmp(m, "close")) {
        close(fd);
        _exit(0);
    } else if (!strcmp(m, "rst")) {
        flawed_hello(&o, &ch, SH_OK, 0); /* a ServerHello for any version, cut short */
        if (o.len > 20)
            o.len = 20;
        send_or_exit(fd, &o);
        usleep(50000);
        rst_close(fd);
    } else if (!strcmp(m, "rst-immediate")) {
        rst_close(fd);
    } else if (!strcmp(m, "valid-garbage")) {
        valid_reply(&o, &ch);
        random_bytes(&o, 4096);
    } else if (!strcmp(m, "hrr-loop")) {
        if (!negotiate(&ch, 0x0304, 0x0304)) {
            valid_reply(&o, &ch);
        } else {
            for (int round = 1;; round++) {
                o.len = 0;
                hello_retry(&o, &ch);
                send_or_exit(fd, &o);
                if (read_client_hello(fd, &ch) < 0)
                    _exit(0);
                fprintf(stderr, "conn %lu mode %s: ClientHello number %d after HelloRetryRequest\n", conn, m,
                        round + 1);
            }
        }
    } else if (!strcmp(m, "empty-records")) {
        uint8_t recs[5 * 512];
        for (size_t i = 0; i < sizeof recs; i += 5)
            memcpy(recs + i, "\x16\x03\x03\x00\x00", 5);
        for (;;)
            if (send_all(fd, recs, sizeof recs) < 0)
                _exit(0);
    } else if (!strcmp(m, "bad-alert")) {
        put(&o, "\x15\x03\x03\x00\x01\x02", 6);
    }
    if (o.len)
        send_or_exit(fd, &o);
    /* let the client read before the FIN: shutdown, drain briefly, close */
    shutdown(fd, SHUT_WR);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    uint8_t sink[4096];
    while (poll(&pfd, 1, 3000) > 0 && read(fd, sink, sizeof sink) > 0)
        ;
    _exit(0);
}

static void load_cert(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0 || st.st_size <= 0 || st.st_size > 65536)
        die(path);
    g_cert_len = (size_t)st.st_size;
    g_cert = malloc(g_cert_len);
    if (!g_cert || fread(g_cert, 1, g_cert_len, f) != g_cert_len)
        die(path);
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *port_file = NULL;
    uint64_t seed = 1;
    unsigned lifetime = 600;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
            g_mode = argv[++i];
        } else if (!strcmp(argv[i], "--cert") && i + 1 < argc) {
            load_cert(argv[++i]);
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--lifetime") && i + 1 < argc) {
            lifetime = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--port-file") && i + 1 < argc) {
            port_file = argv[++i];
        } else if (!strcmp(argv[i], "--list")) {
            for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++)
                printf("%-20s %s\n", modes[k].name, modes[k].what);
            return 0;
        } else {
            fprintf(stderr, "usage: hostile_server --mode MODE [--cert FILE.der] [--seed N] [--port-file F]"
                            " [--lifetime S] | --list\n");
            return 2;
        }
    }
    int known = 0;
    for (size_t k = 0; g_mode && k < sizeof modes / sizeof modes[0]; k++)
        known |= !strcmp(g_mode, modes[k].name);
    if (!known) {
        fprintf(stderr, "hostile_server: unknown or missing --mode (see --list)\n");
        return 2;
    }

    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof sa;
    if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1024) < 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &sl) < 0)
        die("listen on 127.0.0.1");
    signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
    alarm(lifetime);          /* SIGALRM ends the server; PDEATHSIG its children */
    pid_t parent = getpid();
    printf("%d\n", ntohs(sa.sin_port));
    fflush(stdout);
    if (port_file) {
        FILE *pf = fopen(port_file, "w");
        if (!pf || fprintf(pf, "%d\n", ntohs(sa.sin_port)) < 0 || fclose(pf) != 0)
            die(port_file);
    }
    for (unsigned long conn = 1;; conn++) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
                continue;
            die("accept");
        }
        pid_t pid = fork();
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(0);
            alarm(lifetime < 120 ? lifetime : 120); /* "forever" is two minutes */
            close(ls);
            g_rng = seed * 0x9e3779b97f4a7c15ull + conn;
            if (!g_rng)
                g_rng = 1;
            serve_connection(fd, conn);
        }
        close(fd);
    }
}
