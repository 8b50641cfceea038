/*
 * Unit tests for the handshake tracker (ingest/pcap_handshake.c): hand-built
 * ClientHello/ServerHello/alert bytes fed as TCP segments in awkward orders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/pcap_handshake.h"
#include "ingest/pcap_record.h"
#include "tls/version.h"

/* ClientHello handshake message: TLS 1.3 + 1.2 offered, SNI "a.example" */
static size_t build_hello_msg(uint8_t *m, uint16_t top_version)
{
    uint8_t body[256];
    size_t n = 0;
    body[n++] = 0x03; body[n++] = 0x03;              /* legacy_version */
    memset(body + n, 0x11, 32); n += 32;             /* random */
    body[n++] = 0;                                   /* session id */
    body[n++] = 0; body[n++] = 4;                    /* suites */
    body[n++] = 0x13; body[n++] = 0x01; body[n++] = 0xc0; body[n++] = 0x2f;
    body[n++] = 1; body[n++] = 0;                    /* compression: null */
    size_t ext_at = n;
    n += 2;
    /* server_name: list(2) type(1) name(2) "a.example" */
    static const char host[] = "a.example";
    body[n++] = 0; body[n++] = 0; body[n++] = 0; body[n++] = (uint8_t)(5 + 9);
    body[n++] = 0; body[n++] = (uint8_t)(3 + 9); body[n++] = 0; body[n++] = 0; body[n++] = 9;
    memcpy(body + n, host, 9); n += 9;
    /* supported_versions: top_version, 0x0303 */
    body[n++] = 0; body[n++] = 43; body[n++] = 0; body[n++] = 5; body[n++] = 4;
    body[n++] = (uint8_t)(top_version >> 8); body[n++] = (uint8_t)top_version; body[n++] = 3; body[n++] = 3;
    size_t el = n - ext_at - 2;
    body[ext_at] = (uint8_t)(el >> 8); body[ext_at + 1] = (uint8_t)el;
    m[0] = 1; m[1] = 0; m[2] = (uint8_t)(n >> 8); m[3] = (uint8_t)n;
    memcpy(m + 4, body, n);
    return n + 4;
}

/* Wraps a handshake message in records of at most `frag` bytes each. */
static size_t records(uint8_t *out, const uint8_t *msg, size_t n, size_t frag)
{
    size_t o = 0;
    for (size_t at = 0; at < n; at += frag) {
        size_t k = n - at < frag ? n - at : frag;
        out[o++] = 0x16; out[o++] = 3; out[o++] = 1;
        out[o++] = (uint8_t)(k >> 8); out[o++] = (uint8_t)k;
        memcpy(out + o, msg + at, k);
        o += k;
    }
    return o;
}

/* ServerHello choosing TLS 1.3 (supported_versions) and TLS_AES_128_GCM_SHA256, in one record */
static size_t build_server_hello(uint8_t *r)
{
    uint8_t b[128];
    size_t n = 0;
    b[n++] = 3; b[n++] = 3;
    memset(b + n, 0x22, 32); n += 32;
    b[n++] = 0;
    b[n++] = 0x13; b[n++] = 0x01;
    b[n++] = 0;
    b[n++] = 0; b[n++] = 6;
    b[n++] = 0; b[n++] = 43; b[n++] = 0; b[n++] = 2; b[n++] = 3; b[n++] = 4;
    uint8_t m[160];
    m[0] = 2; m[1] = 0; m[2] = 0; m[3] = (uint8_t)n;
    memcpy(m + 4, b, n);
    return records(r, m, n + 4, 1000);
}

static const uint8_t alert_protocol_version[] = { 0x15, 3, 1, 0, 2, 2, 70 };

struct got {
    int n;
    struct pcap_handshake last;
    int negotiated, max_offered, alert;
    char sni[64];
};

static void on_hs(void *ctx, const struct pcap_handshake *hs)
{
    struct got *g = ctx;
    g->n++;
    g->last = *hs;
    g->max_offered = hs->ch->max_offered;
    snprintf(g->sni, sizeof g->sni, "%s", hs->ch->sni);
    g->negotiated = hs->sr && (hs->outcome == HS_SERVER_HELLO) ? hs->sr->selected_version : TLSV_NONE;
    g->alert = hs->sr && hs->sr->have_alert ? hs->sr->alert_description : -1;
}

struct conn {
    uint16_t cport;
    uint32_t cseq, sseq; /* sequence number of the first payload byte */
};

static void seg(struct hs_tracker *t, const struct conn *c, int from_client, uint8_t flags, uint32_t off,
                const uint8_t *p, uint32_t n)
{
    struct tcp_segment s;
    memset(&s, 0, sizeof s);
    s.family = 4;
    uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 2 };
    memcpy(s.src, from_client ? cli : srv, 4);
    memcpy(s.dst, from_client ? srv : cli, 4);
    s.sport = from_client ? c->cport : 8443;
    s.dport = from_client ? 8443 : c->cport;
    uint32_t base = from_client ? c->cseq : c->sseq;
    s.seq = (flags & TCP_SYN) ? base - 1 : base + off;
    s.flags = flags;
    s.payload = p;
    s.payload_len = s.seg_len = n;
    hs_tracker_segment(t, 1000000, &s);
}

static void handshake_open(struct hs_tracker *t, const struct conn *c)
{
    seg(t, c, 1, TCP_SYN, 0, NULL, 0);
    seg(t, c, 0, TCP_SYN | TCP_ACK, 0, NULL, 0);
    seg(t, c, 1, TCP_ACK, 0, NULL, 0);
}

static void test_split_out_of_order_duplicate(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct hs_tracker t;
    assert_int_equal(hs_tracker_init(&t, NULL, on_hs, &g), 0);
    struct conn c = { 40000, 0xfffffff0u, 5000 }; /* the client's sequence numbers wrap */
    uint8_t msg[512], rec[600], sh[200];
    size_t mn = build_hello_msg(msg, 0x0304);
    size_t rn = records(rec, msg, mn, 4096);
    size_t shn = build_server_hello(sh);
    handshake_open(&t, &c);
    /* the ClientHello in three segments: last, first, first again, middle */
    seg(&t, &c, 1, TCP_ACK, 40, rec + 40, (uint32_t)(rn - 40));
    seg(&t, &c, 1, TCP_ACK, 0, rec, 20);
    seg(&t, &c, 1, TCP_ACK, 0, rec, 20);
    assert_int_equal(g.n, 0);
    seg(&t, &c, 1, TCP_ACK, 15, rec + 15, 25); /* overlaps the first */
    assert_int_equal(g.n, 0);                  /* no reply yet */
    seg(&t, &c, 0, TCP_ACK, 0, sh, (uint32_t)shn);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.last.outcome, HS_SERVER_HELLO);
    assert_int_equal(g.negotiated, TLSV_TLS13);
    assert_int_equal(g.max_offered, TLSV_TLS13);
    assert_string_equal(g.sni, "a.example");
    assert_int_equal(g.last.client_port, 40000);
    assert_int_equal(g.last.server_port, 8443);
    assert_int_equal(g.last.client_addr[3], 1);
    /* later packets of the done flow change nothing */
    seg(&t, &c, 0, TCP_ACK, (uint32_t)shn, sh, (uint32_t)shn);
    hs_tracker_finish(&t);
    assert_int_equal(g.n, 1);
    assert_int_equal(t.stats.flows_tls, 1);
    hs_tracker_release(&t);
}

static void test_hello_over_several_records(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct hs_tracker t;
    hs_tracker_init(&t, NULL, on_hs, &g);
    struct conn c = { 40001, 1000, 2000 };
    uint8_t msg[512], rec[800], sh[200];
    size_t mn = build_hello_msg(msg, 0x0304);
    size_t rn = records(rec, msg, mn, 10); /* 10-byte records */
    size_t shn = build_server_hello(sh);
    handshake_open(&t, &c);
    for (size_t at = 0; at < rn; at += 7)
        seg(&t, &c, 1, TCP_ACK, (uint32_t)at, rec + at, (uint32_t)(rn - at < 7 ? rn - at : 7));
    seg(&t, &c, 0, TCP_ACK, 0, sh, (uint32_t)shn);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.sni, "a.example");
    assert_int_equal(g.negotiated, TLSV_TLS13);
    hs_tracker_release(&t);
}

static void test_synless_refused(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct hs_tracker t;
    hs_tracker_init(&t, NULL, on_hs, &g);
    struct conn c = { 40002, 777777, 888888 };
    uint8_t msg[512], rec[600];
    size_t mn = build_hello_msg(msg, 0x0301); /* offers 1.0 and 1.2 */
    size_t rn = records(rec, msg, mn, 4096);
    /* no SYN seen: the capture started mid-connection; the alert arrives first */
    seg(&t, &c, 0, TCP_ACK, 0, alert_protocol_version, sizeof alert_protocol_version);
    seg(&t, &c, 1, TCP_ACK, 0, rec, (uint32_t)rn);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.last.outcome, HS_ALERT);
    assert_int_equal(g.alert, 70);
    assert_int_equal(g.max_offered, TLSV_TLS12);
    assert_int_equal(g.last.client_port, 40002); /* roles from content */
    hs_tracker_release(&t);
}

static void test_not_tls_and_no_reply(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct hs_tracker t;
    hs_tracker_init(&t, NULL, on_hs, &g);
    struct conn http = { 40003, 100, 200 };
    static const uint8_t get[] = "GET / HTTP/1.1\r\n\r\n";
    handshake_open(&t, &http);
    seg(&t, &http, 1, TCP_ACK, 0, get, sizeof get - 1);
    assert_int_equal(t.stats.flows_tls, 0);
    /* a hello without a reply: the server's FIN ends it */
    struct conn c = { 40004, 100, 200 };
    uint8_t msg[512], rec[600];
    size_t rn = records(rec, msg, build_hello_msg(msg, 0x0304), 4096);
    handshake_open(&t, &c);
    seg(&t, &c, 1, TCP_ACK, 0, rec, (uint32_t)rn);
    seg(&t, &c, 0, TCP_FIN | TCP_ACK, 0, NULL, 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.last.outcome, HS_NO_REPLY);
    assert_null(g.last.sr);
    /* a gap never filled: nothing is emitted, the hello counts as incomplete */
    struct conn d = { 40005, 100, 200 };
    handshake_open(&t, &d);
    seg(&t, &d, 1, TCP_ACK, 10, rec + 10, (uint32_t)(rn - 10));
    hs_tracker_finish(&t);
    assert_int_equal(g.n, 1);
    assert_int_equal(t.stats.hello_incomplete, 1);
    hs_tracker_release(&t);
}

static void test_port_reuse_expiry_and_limits(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct hs_tracker t;
    struct hs_config cfg = { .max_flows = 1, .idle_timeout_us = 5000000 };
    hs_tracker_init(&t, &cfg, on_hs, &g);
    uint8_t msg[512], rec[600], sh[200];
    size_t rn = records(rec, msg, build_hello_msg(msg, 0x0304), 4096);
    size_t shn = build_server_hello(sh);
    struct conn c = { 40006, 100, 200 };
    handshake_open(&t, &c);
    seg(&t, &c, 1, TCP_ACK, 0, rec, (uint32_t)rn);
    seg(&t, &c, 0, TCP_ACK, 0, sh, (uint32_t)shn);
    assert_int_equal(g.n, 1);
    /* the same 5-tuple again with a new SYN: a new connection */
    struct conn c2 = { 40006, 900000, 800000 };
    handshake_open(&t, &c2);
    seg(&t, &c2, 1, TCP_ACK, 0, rec, (uint32_t)rn);
    seg(&t, &c2, 0, TCP_ACK, 0, sh, (uint32_t)shn);
    assert_int_equal(g.n, 2);
    /* max_flows 1 and the table full of a finished flow: it makes room */
    struct conn c3 = { 40007, 100, 200 };
    handshake_open(&t, &c3);
    seg(&t, &c3, 1, TCP_ACK, 0, rec, (uint32_t)rn);
    assert_int_equal(t.stats.flows_dropped, 0);
    /* full of a handshake waiting for its reply: a new flow (SYN, SYN-ACK) is not tracked */
    struct conn c4 = { 40008, 100, 200 };
    handshake_open(&t, &c4);
    assert_int_equal(t.stats.flows_dropped, 2);
    seg(&t, &c3, 0, TCP_ACK, 0, sh, (uint32_t)shn);
    assert_int_equal(g.n, 3);
    hs_tracker_release(&t);

    /* a hello left waiting is emitted when its flow expires (capture time) */
    struct got h = { 0 };
    struct hs_config cfg2 = { .idle_timeout_us = 5000000 };
    hs_tracker_init(&t, &cfg2, on_hs, &h);
    struct tcp_segment s;
    memset(&s, 0, sizeof s);
    s.family = 4;
    s.src[0] = 10; s.src[3] = 1; s.dst[0] = 10; s.dst[3] = 2;
    s.sport = 1234; s.dport = 443; s.seq = 1;
    s.flags = TCP_ACK;
    s.payload = rec; s.payload_len = s.seg_len = (uint32_t)rn;
    hs_tracker_segment(&t, 0, &s);
    assert_int_equal(h.n, 0);
    s.sport = 1235; s.payload_len = s.seg_len = 0; s.flags = TCP_SYN;
    hs_tracker_segment(&t, 60000000, &s); /* a minute later, another flow */
    assert_int_equal(h.n, 1);
    assert_int_equal(h.last.outcome, HS_NO_REPLY);
    assert_int_equal(t.stats.flows_expired, 1);
    hs_tracker_release(&t);
}

static void test_format(void **state)
{
    (void)state;
    uint8_t a4[16] = { 192, 0, 2, 1 }, a6[16] = { 0 };
    a6[15] = 1;
    char b[64];
    assert_string_equal(pcap_format_endpoint(4, a4, 443, b, sizeof b), "192.0.2.1:443");
    assert_string_equal(pcap_format_endpoint(6, a6, 8443, b, sizeof b), "[::1]:8443");
    assert_string_equal(hs_outcome_name(HS_ALERT), "alert");
}

/* A TLS 1.2 first flight in one big record (ServerHello + a 3000-byte Certificate)
 * is read from its ServerHello alone, even with 600 bytes kept per direction. */
static void test_big_first_flight(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct hs_tracker t;
    struct hs_config cfg = { .dir_cap = 600 };
    hs_tracker_init(&t, &cfg, on_hs, &g);
    uint8_t msg[512], rec[600];
    size_t rn = records(rec, msg, build_hello_msg(msg, 0x0303), 4096);
    static uint8_t flight[4000];
    size_t n = 5;
    uint8_t *m = flight + n;
    size_t b = 0;
    m[4 + b++] = 3; m[4 + b++] = 3;                      /* TLS 1.2, no supported_versions */
    memset(m + 4 + b, 0x33, 32); b += 32;
    m[4 + b++] = 0;
    m[4 + b++] = 0xc0; m[4 + b++] = 0x2f;                /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    m[4 + b++] = 0;
    m[4 + b++] = 0; m[4 + b++] = 0;                      /* empty extensions */
    m[0] = 2; m[1] = 0; m[2] = 0; m[3] = (uint8_t)b;
    n += 4 + b;
    flight[n] = 11; flight[n + 1] = 0; flight[n + 2] = 0x0b; flight[n + 3] = 0xb8; /* Certificate, 3000 bytes */
    n += 4 + 3000;
    flight[0] = 0x16; flight[1] = 3; flight[2] = 3;
    flight[3] = (uint8_t)((n - 5) >> 8); flight[4] = (uint8_t)(n - 5);
    struct conn c = { 40010, 100, 200 };
    handshake_open(&t, &c);
    seg(&t, &c, 1, TCP_ACK, 0, rec, (uint32_t)rn);
    for (size_t at = 0; at < n && g.n == 0; at += 1448)
        seg(&t, &c, 0, TCP_ACK, (uint32_t)at, flight + at, (uint32_t)(n - at < 1448 ? n - at : 1448));
    assert_int_equal(g.n, 1);
    assert_int_equal(g.last.outcome, HS_SERVER_HELLO);
    assert_int_equal(g.negotiated, TLSV_TLS12);
    assert_int_equal(g.last.sr->cipher_suite, 0xc02f);
    hs_tracker_release(&t);
}

/* An SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2) offering TLS 1.0, refused by the server */
static void test_ssl2_compatible_hello(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct hs_tracker t;
    hs_tracker_init(&t, NULL, on_hs, &g);
    uint8_t h[64];
    size_t n = 2;
    h[n++] = 1;                                 /* CLIENT-HELLO */
    h[n++] = 3; h[n++] = 1;                     /* TLS 1.0 */
    h[n++] = 0; h[n++] = 6;                     /* cipher specs: 2 x 3 bytes */
    h[n++] = 0; h[n++] = 0;                     /* session id */
    h[n++] = 0; h[n++] = 16;                    /* challenge */
    h[n++] = 0; h[n++] = 0x00; h[n++] = 0x2f;   /* TLS_RSA_WITH_AES_128_CBC_SHA */
    h[n++] = 0; h[n++] = 0x00; h[n++] = 0x35;
    memset(h + n, 0x44, 16); n += 16;
    h[0] = (uint8_t)(0x80 | (n - 2) >> 8);
    h[1] = (uint8_t)(n - 2);
    struct conn c = { 40011, 100, 200 };
    handshake_open(&t, &c);
    seg(&t, &c, 1, TCP_ACK, 0, h, (uint32_t)n);
    seg(&t, &c, 0, TCP_ACK, 0, alert_protocol_version, sizeof alert_protocol_version);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.last.outcome, HS_ALERT);
    assert_int_equal(g.max_offered, TLSV_TLS10);
    assert_true(g.last.ch->is_ssl2);
    hs_tracker_release(&t);
}

/* TCP Fast Open: the ClientHello rides on the SYN */
static void test_fast_open(void **state)
{
    (void)state;
    struct got g = { 0 };
    struct hs_tracker t;
    hs_tracker_init(&t, NULL, on_hs, &g);
    uint8_t msg[512], rec[600], sh[200];
    size_t rn = records(rec, msg, build_hello_msg(msg, 0x0304), 4096);
    size_t shn = build_server_hello(sh);
    struct conn c = { 40012, 5000, 9000 };
    seg(&t, &c, 1, TCP_SYN, 0, rec, (uint32_t)rn); /* seq = 4999, data from 5000 */
    seg(&t, &c, 0, TCP_SYN | TCP_ACK, 0, NULL, 0);
    seg(&t, &c, 0, TCP_ACK, 0, sh, (uint32_t)shn);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.sni, "a.example");
    assert_int_equal(g.negotiated, TLSV_TLS13);
    hs_tracker_release(&t);
}

/* The fingerprint memo gives exactly what the uncached computation gives, and keeps configurations apart. */
static void test_record_fingerprint_memo(void **state)
{
    (void)state;
    static struct pcap_fp_cache cache;
    uint8_t m13[512], m10[512];
    size_t n13 = build_hello_msg(m13, 0x0304), n10 = build_hello_msg(m10, 0x0301);
    struct client_hello_info a, b;
    struct tr_error err;
    assert_int_equal(client_hello_parse(m13 + 4, n13 - 4, &a, &err), CH_OK);
    assert_int_equal(client_hello_parse(m10 + 4, n10 - 4, &b, &err), CH_OK);
    struct pcap_handshake ha = { .family = 4, .ch = &a, .outcome = HS_NO_REPLY };
    struct pcap_handshake hb = { .family = 4, .ch = &b, .outcome = HS_NO_REPLY };
    struct pcap_record plain_a, plain_b, r;
    pcap_record_from(&plain_a, &ha, NULL, PCAP_FP_CLIENT);
    pcap_record_from(&plain_b, &hb, NULL, PCAP_FP_CLIENT);
    assert_string_not_equal(plain_a.ja4, plain_b.ja4);
    assert_string_equal(plain_a.ja3, plain_b.ja3); /* JA3 reads legacy_version, not supported_versions */
    for (int i = 0; i < 3; i++) {
        pcap_record_from(&r, &ha, &cache, PCAP_FP_CLIENT);
        assert_string_equal(r.ja3, plain_a.ja3);
        assert_string_equal(r.ja4, plain_a.ja4);
        pcap_record_from(&r, &hb, &cache, PCAP_FP_CLIENT);
        assert_string_equal(r.ja3, plain_b.ja3);
        assert_string_equal(r.ja4, plain_b.ja4);
    }
    assert_int_equal(cache.misses, 2);
    assert_int_equal(cache.hits, 4);
    assert_string_equal(plain_a.max_offered, "tls1.3");
    assert_null(plain_a.negotiated);
    assert_string_equal(plain_a.ja3s, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_out_of_order_duplicate),
        cmocka_unit_test(test_hello_over_several_records),
        cmocka_unit_test(test_synless_refused),
        cmocka_unit_test(test_not_tls_and_no_reply),
        cmocka_unit_test(test_port_reuse_expiry_and_limits),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_record_fingerprint_memo),
        cmocka_unit_test(test_big_first_flight),
        cmocka_unit_test(test_ssl2_compatible_hello),
        cmocka_unit_test(test_fast_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
