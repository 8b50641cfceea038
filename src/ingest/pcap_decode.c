/*
 * Frame -> TCP segment decoding: see pcap_decode.h.
 *
 *   link layer                        network              transport
 *   Ethernet 14 (+4 per VLAN tag)  -> IPv4 20..60        -> TCP 20..60
 *   SLL 16 / SLL2 20 (ethertype)      IPv6 40 + ext hdrs
 *   NULL/LOOP 4 (address family)
 *   raw (none)
 *
 * Every read goes through the cursor `p` and the end `end`; lengths claimed by
 * a header may shrink the end (Ethernet padding, trailing garbage) but never
 * extend it past what was captured.
 */
#include "ingest/pcap_decode.h"

#include <string.h>

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 8
#define MAX_IPV6_EXT 16

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

/* TCP header at p; `wire` bytes of TCP header + payload travelled, `cap` of them were captured. */
static enum pkt_status decode_tcp(const uint8_t *p, size_t cap, size_t wire, struct tcp_segment *out)
{
    if (cap > wire)
        cap = wire;
    if (wire < 20)
        return PKT_MALFORMED;
    if (cap < 20)
        return PKT_TRUNCATED;
    size_t hlen = (size_t)(p[12] >> 4) * 4;
    if (hlen < 20 || hlen > wire)
        return PKT_MALFORMED;
    if (hlen > cap)
        return PKT_TRUNCATED;
    out->sport = be16(p);
    out->dport = be16(p + 2);
    out->seq = be32(p + 4);
    out->ack = be32(p + 8);
    out->flags = p[13];
    out->payload = p + hlen;
    out->payload_len = (uint32_t)(cap - hlen);
    out->seg_len = (uint32_t)(wire - hlen);
    return PKT_TCP;
}

static enum pkt_status decode_ipv4(const uint8_t *p, size_t cap, struct tcp_segment *out)
{
    if (cap < 20)
        return PKT_TRUNCATED;
    size_t ihl = (size_t)(p[0] & 0x0f) * 4;
    if ((p[0] >> 4) != 4 || ihl < 20)
        return PKT_MALFORMED;
    size_t total = be16(p + 2);
    /* 0 is what a capture of a TSO/GSO super-segment shows: trust the capture */
    if (total == 0)
        total = cap;
    if (total < ihl)
        return PKT_MALFORMED;
    if (ihl > cap)
        return PKT_TRUNCATED;
    uint16_t frag = be16(p + 6);
    if ((frag & 0x1fff) != 0)
        return PKT_FRAGMENT; /* only the first fragment carries the TCP header */
    if (p[9] != 6)
        return PKT_NOT_TCP;
    out->family = 4;
    memset(out->src, 0, sizeof out->src);
    memset(out->dst, 0, sizeof out->dst);
    memcpy(out->src, p + 12, 4);
    memcpy(out->dst, p + 16, 4);
    return decode_tcp(p + ihl, cap - ihl, total - ihl, out);
}

static enum pkt_status decode_ipv6(const uint8_t *p, size_t cap, struct tcp_segment *out)
{
    if (cap < 40)
        return PKT_TRUNCATED;
    if ((p[0] >> 4) != 6)
        return PKT_MALFORMED;
    size_t plen = be16(p + 4);
    if (plen == 0)
        plen = cap - 40; /* jumbogram (RFC 2675) or GSO: trust the capture */
    size_t wire = plen;
    uint8_t nh = p[6];
    memcpy(out->src, p + 8, 16);
    memcpy(out->dst, p + 24, 16);
    const uint8_t *q = p + 40;
    size_t capleft = cap - 40;
    /* RFC 8200 section 4: walk the extension headers to the upper layer */
    for (int i = 0; i < MAX_IPV6_EXT; i++) {
        size_t len;
        switch (nh) {
        case 6:
            out->family = 6;
            return decode_tcp(q, capleft, wire, out);
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
            if (capleft < 2)
                return PKT_TRUNCATED;
            len = ((size_t)q[1] + 1) * 8;
            break;
        case 44:  /* fragment */
            if (capleft < 8)
                return PKT_TRUNCATED;
            if ((be16(q + 2) >> 3) != 0)
                return PKT_FRAGMENT;
            len = 8;
            break;
        case 51:  /* authentication header: length in 4-byte units minus 2 */
            if (capleft < 2)
                return PKT_TRUNCATED;
            len = ((size_t)q[1] + 2) * 4;
            break;
        default:  /* ESP, no next header, UDP, ICMPv6, ... */
            return PKT_NOT_TCP;
        }
        if (len > wire)
            return PKT_MALFORMED;
        if (len > capleft)
            return PKT_TRUNCATED;
        nh = q[0];
        q += len;
        capleft -= len;
        wire -= len;
    }
    return PKT_MALFORMED; /* an absurd chain of extension headers */
}

enum pkt_status pcap_decode_ip(const uint8_t *p, size_t cap, struct tcp_segment *out)
{
    if (cap < 1)
        return PKT_TRUNCATED;
    switch (p[0] >> 4) {
    case 4: return decode_ipv4(p, cap, out);
    case 6: return decode_ipv6(p, cap, out);
    default: return PKT_NOT_TCP;
    }
}

/* An ethertype, possibly behind VLAN tags (802.1Q, 802.1ad QinQ) */
static enum pkt_status decode_ethertype(uint16_t type, const uint8_t *p, size_t cap, struct tcp_segment *out)
{
    for (int tags = 0; type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD; tags++) {
        if (tags == MAX_VLAN_TAGS)
            return PKT_MALFORMED;
        if (cap < 4)
            return PKT_TRUNCATED;
        type = be16(p + 2);
        p += 4;
        cap -= 4;
    }
    if (type == ETH_IPV4)
        return decode_ipv4(p, cap, out);
    if (type == ETH_IPV6)
        return decode_ipv6(p, cap, out);
    return PKT_NOT_TCP;
}

/* BSD address families for IPv6 differ per system: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30 */
static enum pkt_status decode_family(uint32_t af, const uint8_t *p, size_t cap, struct tcp_segment *out)
{
    if (af == 2)
        return decode_ipv4(p, cap, out);
    if (af == 10 || af == 24 || af == 28 || af == 30)
        return decode_ipv6(p, cap, out);
    return PKT_NOT_TCP;
}

enum pkt_status pcap_decode(int linktype, const uint8_t *f, size_t cap, struct tcp_segment *out)
{
    switch (linktype) {
    case LINK_ETHERNET:
        if (cap < 14)
            return PKT_TRUNCATED;
        return decode_ethertype(be16(f + 12), f + 14, cap - 14, out);
    case LINK_LINUX_SLL:
        if (cap < 16)
            return PKT_TRUNCATED;
        return decode_ethertype(be16(f + 14), f + 16, cap - 16, out);
    case LINK_LINUX_SLL2:
        if (cap < 20)
            return PKT_TRUNCATED;
        return decode_ethertype(be16(f), f + 20, cap - 20, out);
    case LINK_RAW:
    case LINK_RAW_DLT:
    case LINK_RAW_DLT14:
        return pcap_decode_ip(f, cap, out);
    case LINK_IPV4:
        return decode_ipv4(f, cap, out);
    case LINK_IPV6:
        return decode_ipv6(f, cap, out);
    case LINK_NULL: {
        if (cap < 4)
            return PKT_TRUNCATED;
        /* host byte order of the capturing machine: the family is small, so
         * whichever reading is small is the right one */
        uint32_t af = le32(f);
        if (af > 0xffff)
            af = be32(f);
        return decode_family(af, f + 4, cap - 4, out);
    }
    case LINK_LOOP:
        if (cap < 4)
            return PKT_TRUNCATED;
        return decode_family(be32(f), f + 4, cap - 4, out);
    default:
        return PKT_UNSUPPORTED_LINK;
    }
}

int pcap_link_supported(int linktype)
{
    switch (linktype) {
    case LINK_ETHERNET: case LINK_LINUX_SLL: case LINK_LINUX_SLL2: case LINK_RAW:
    case LINK_RAW_DLT: case LINK_RAW_DLT14: case LINK_IPV4: case LINK_IPV6:
    case LINK_NULL: case LINK_LOOP:
        return 1;
    default:
        return 0;
    }
}

const char *pcap_status_name(enum pkt_status s)
{
    switch (s) {
    case PKT_TCP: return "tcp";
    case PKT_NOT_TCP: return "not_tcp";
    case PKT_FRAGMENT: return "fragment";
    case PKT_TRUNCATED: return "truncated";
    case PKT_MALFORMED: return "malformed";
    case PKT_UNSUPPORTED_LINK: return "unsupported_link";
    }
    return "?";
}
