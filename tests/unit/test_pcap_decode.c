/* Unit tests for frame -> TCP segment decoding (ingest/pcap_decode.c), over hand-built frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/pcap_decode.h"

/* Builds an IPv4 header + TCP header + payload into p; returns the length. */
static size_t ipv4_tcp(uint8_t *p, const char *payload, int opt_words, uint16_t frag)
{
    size_t plen = strlen(payload);
    size_t ihl = 20 + (size_t)opt_words * 4;
    size_t total = ihl + 20 + plen;
    memset(p, 0, total);
    p[0] = (uint8_t)(0x40 | (ihl / 4));
    p[2] = (uint8_t)(total >> 8);
    p[3] = (uint8_t)total;
    p[6] = (uint8_t)(frag >> 8);
    p[7] = (uint8_t)frag;
    p[8] = 64;
    p[9] = 6;
    memcpy(p + 12, (uint8_t[]){ 10, 0, 0, 1 }, 4);
    memcpy(p + 16, (uint8_t[]){ 10, 0, 0, 2 }, 4);
    for (int i = 0; i < opt_words * 4; i++)
        p[20 + i] = 1; /* NOP options */
    uint8_t *t = p + ihl;
    t[0] = 0xc3; t[1] = 0x50;          /* 50000 */
    t[2] = 0x01; t[3] = 0xbb;          /* 443 */
    t[4] = 0x11; t[5] = 0x22; t[6] = 0x33; t[7] = 0x44;
    t[12] = 5 << 4;
    t[13] = TCP_ACK | TCP_PSH;
    memcpy(t + 20, payload, plen);
    return total;
}

static size_t ipv6_tcp(uint8_t *p, const char *payload, int with_ext)
{
    size_t plen = strlen(payload);
    size_t ext = with_ext ? 16 : 0;
    memset(p, 0, 40 + ext + 20 + plen);
    p[0] = 0x60;
    p[4] = (uint8_t)((ext + 20 + plen) >> 8);
    p[5] = (uint8_t)(ext + 20 + plen);
    p[6] = with_ext ? 0 : 6; /* hop-by-hop then destination options, or TCP */
    p[7] = 64;
    p[23] = 1;               /* ::1 */
    p[39] = 1;
    uint8_t *q = p + 40;
    if (with_ext) {
        q[0] = 60; q[1] = 0; /* hop-by-hop, 8 bytes, next: destination options */
        q[8] = 6; q[9] = 0;  /* destination options, 8 bytes, next: TCP */
        q += 16;
    }
    q[0] = 0x01; q[1] = 0xbb; q[2] = 0xc3; q[3] = 0x50;
    q[12] = 5 << 4;
    q[13] = TCP_SYN;
    memcpy(q + 20, payload, plen);
    return 40 + ext + 20 + plen;
}

static void check_v4(enum pkt_status st, const struct tcp_segment *s, const char *payload)
{
    assert_int_equal(st, PKT_TCP);
    assert_int_equal(s->family, 4);
    assert_int_equal(s->sport, 50000);
    assert_int_equal(s->dport, 443);
    assert_int_equal(s->seq, 0x11223344);
    assert_memory_equal(s->src, ((uint8_t[]){ 10, 0, 0, 1 }), 4);
    assert_int_equal(s->payload_len, strlen(payload));
    assert_int_equal(s->seg_len, strlen(payload));
    assert_memory_equal(s->payload, payload, strlen(payload));
}

static void test_ethernet_ipv4(void **state)
{
    (void)state;
    uint8_t f[200];
    struct tcp_segment s;
    memset(f, 0, 14);
    f[12] = 0x08;
    size_t n = 14 + ipv4_tcp(f + 14, "hello", 0, 0);
    check_v4(pcap_decode(LINK_ETHERNET, f, n, &s), &s, "hello");
    /* Ethernet padding after the IP packet is not payload */
    memset(f + n, 0xee, 20);
    check_v4(pcap_decode(LINK_ETHERNET, f, n + 20, &s), &s, "hello");
    /* IPv4 options */
    n = 14 + ipv4_tcp(f + 14, "opt", 3, 0);
    check_v4(pcap_decode(LINK_ETHERNET, f, n, &s), &s, "opt");
}

static void test_vlan_qinq(void **state)
{
    (void)state;
    uint8_t f[200];
    struct tcp_segment s;
    memset(f, 0, 22);
    f[12] = 0x88; f[13] = 0xa8;            /* 802.1ad outer tag */
    f[16] = 0x81; f[17] = 0x00;            /* 802.1Q inner tag */
    f[20] = 0x08; f[21] = 0x00;
    size_t n = 22 + ipv4_tcp(f + 22, "vlan", 0, 0);
    check_v4(pcap_decode(LINK_ETHERNET, f, n, &s), &s, "vlan");
    /* nine tags in a row is absurd */
    uint8_t g[64];
    for (int i = 0; i < 10; i++) { g[12 + 4 * i] = 0x81; g[13 + 4 * i] = 0x00; }
    assert_int_equal(pcap_decode(LINK_ETHERNET, g, sizeof g, &s), PKT_MALFORMED);
    assert_int_equal(pcap_decode(LINK_ETHERNET, f, 18, &s), PKT_TRUNCATED);
}

static void test_sll_sll2_raw_null(void **state)
{
    (void)state;
    uint8_t f[200];
    struct tcp_segment s;
    memset(f, 0, 16);
    f[14] = 0x08;
    size_t n = 16 + ipv4_tcp(f + 16, "sll", 0, 0);
    check_v4(pcap_decode(LINK_LINUX_SLL, f, n, &s), &s, "sll");
    memset(f, 0, 20);
    f[0] = 0x08;
    n = 20 + ipv4_tcp(f + 20, "sll2", 0, 0);
    check_v4(pcap_decode(LINK_LINUX_SLL2, f, n, &s), &s, "sll2");
    n = ipv4_tcp(f, "raw", 0, 0);
    check_v4(pcap_decode(LINK_RAW, f, n, &s), &s, "raw");
    check_v4(pcap_decode(LINK_RAW_DLT, f, n, &s), &s, "raw");
    check_v4(pcap_decode(LINK_IPV4, f, n, &s), &s, "raw");
    /* BSD null: AF_INET in little-endian (captured on x86) and big-endian */
    memcpy(f, (uint8_t[]){ 2, 0, 0, 0 }, 4);
    n = 4 + ipv4_tcp(f + 4, "null", 0, 0);
    check_v4(pcap_decode(LINK_NULL, f, n, &s), &s, "null");
    memcpy(f, (uint8_t[]){ 0, 0, 0, 2 }, 4);
    check_v4(pcap_decode(LINK_NULL, f, n, &s), &s, "null");
    check_v4(pcap_decode(LINK_LOOP, f, n, &s), &s, "null");
    /* DLT_NULL with IPv6 (FreeBSD's AF_INET6 = 28) */
    memcpy(f, (uint8_t[]){ 28, 0, 0, 0 }, 4);
    n = 4 + ipv6_tcp(f + 4, "v6", 0);
    assert_int_equal(pcap_decode(LINK_NULL, f, n, &s), PKT_TCP);
    assert_int_equal(s.family, 6);
    assert_int_equal(pcap_decode(147, f, n, &s), PKT_UNSUPPORTED_LINK);
    assert_false(pcap_link_supported(147));
    assert_true(pcap_link_supported(LINK_LINUX_SLL2));
}

static void test_ipv6_ext(void **state)
{
    (void)state;
    uint8_t f[200];
    struct tcp_segment s;
    size_t n = ipv6_tcp(f, "six", 1);
    assert_int_equal(pcap_decode(LINK_RAW, f, n, &s), PKT_TCP);
    assert_int_equal(s.family, 6);
    assert_int_equal(s.sport, 443);
    assert_int_equal(s.flags, TCP_SYN);
    assert_int_equal(s.payload_len, 3);
    assert_memory_equal(s.payload, "six", 3);
    assert_int_equal(s.src[15], 1);
    /* a non-first fragment (fragment header with offset 8) carries no TCP header */
    n = ipv6_tcp(f, "frag", 0);
    uint8_t g[200];
    memcpy(g, f, 40);
    g[6] = 44;
    g[4] = 0; g[5] = (uint8_t)(8 + n - 40);
    memset(g + 40, 0, 8);
    g[40] = 6;
    g[42] = 0; g[43] = 8 << 3;
    memcpy(g + 48, f + 40, n - 40);
    assert_int_equal(pcap_decode(LINK_RAW, g, n + 8, &s), PKT_FRAGMENT);
    g[43] = 0; /* offset 0: the first fragment decodes */
    assert_int_equal(pcap_decode(LINK_RAW, g, n + 8, &s), PKT_TCP);
    /* an extension header longer than the packet */
    n = ipv6_tcp(f, "x", 1);
    f[41] = 200;
    assert_int_equal(pcap_decode(LINK_RAW, f, n, &s), PKT_MALFORMED);
    /* no next header */
    n = ipv6_tcp(f, "x", 0);
    f[6] = 59;
    assert_int_equal(pcap_decode(LINK_RAW, f, n, &s), PKT_NOT_TCP);
}

static void test_ipv4_fragments_and_lengths(void **state)
{
    (void)state;
    uint8_t f[200];
    struct tcp_segment s;
    size_t n = ipv4_tcp(f, "frag", 0, 0x2000); /* MF set, offset 0: first fragment */
    check_v4(pcap_decode(LINK_RAW, f, n, &s), &s, "frag");
    n = ipv4_tcp(f, "frag", 0, 0x0010);        /* offset 16*8: not first */
    assert_int_equal(pcap_decode(LINK_RAW, f, n, &s), PKT_FRAGMENT);
    /* the snap length cut the payload: captured 2 bytes of 5 */
    n = ipv4_tcp(f, "hello", 0, 0);
    assert_int_equal(pcap_decode(LINK_RAW, f, n - 3, &s), PKT_TCP);
    assert_int_equal(s.payload_len, 2);
    assert_int_equal(s.seg_len, 5);
    /* cut inside the TCP header / the IP header */
    assert_int_equal(pcap_decode(LINK_RAW, f, 30, &s), PKT_TRUNCATED);
    assert_int_equal(pcap_decode(LINK_RAW, f, 10, &s), PKT_TRUNCATED);
    assert_int_equal(pcap_decode(LINK_RAW, f, 0, &s), PKT_TRUNCATED);
    /* absurd: total length shorter than the header, IHL below 5, TCP offset below 5 or past the packet */
    uint8_t g[200];
    memcpy(g, f, n);
    g[2] = 0; g[3] = 10;
    assert_int_equal(pcap_decode(LINK_RAW, g, n, &s), PKT_MALFORMED);
    memcpy(g, f, n);
    g[0] = 0x44;
    assert_int_equal(pcap_decode(LINK_RAW, g, n, &s), PKT_MALFORMED);
    memcpy(g, f, n);
    g[20 + 12] = 2 << 4;
    assert_int_equal(pcap_decode(LINK_RAW, g, n, &s), PKT_MALFORMED);
    memcpy(g, f, n);
    g[20 + 12] = 15 << 4;
    assert_int_equal(pcap_decode(LINK_RAW, g, n, &s), PKT_MALFORMED);
    /* total length 0 (a TSO super-segment as captured on the sender): trust the capture */
    memcpy(g, f, n);
    g[2] = 0; g[3] = 0;
    check_v4(pcap_decode(LINK_RAW, g, n, &s), &s, "hello");
    /* UDP */
    memcpy(g, f, n);
    g[9] = 17;
    assert_int_equal(pcap_decode(LINK_RAW, g, n, &s), PKT_NOT_TCP);
    /* ARP over Ethernet */
    uint8_t arp[60] = { 0 };
    arp[12] = 0x08; arp[13] = 0x06;
    assert_int_equal(pcap_decode(LINK_ETHERNET, arp, sizeof arp, &s), PKT_NOT_TCP);
    assert_string_equal(pcap_status_name(PKT_FRAGMENT), "fragment");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_ipv4),
        cmocka_unit_test(test_vlan_qinq),
        cmocka_unit_test(test_sll_sll2_raw_null),
        cmocka_unit_test(test_ipv6_ext),
        cmocka_unit_test(test_ipv4_fragments_and_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
