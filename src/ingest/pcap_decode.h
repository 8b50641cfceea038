/*
 * One captured frame to one TCP segment: the link layer (Ethernet with VLAN
 * tags, Linux cooked SLL and SLL2, raw IP, BSD loopback/null), IPv4 (options,
 * fragments) or IPv6 (extension headers), then TCP. A pure function over the
 * captured bytes: no allocation, every length field checked against both the
 * captured length and the length the outer header claims.
 *
 * The payload is a view into the frame. `payload_len` is what was captured;
 * `seg_len` is what the IP header says travelled on the wire. They differ when
 * the capture's snap length cut the frame: the missing bytes are a gap for
 * reassembly, not the end of the segment.
 */
#ifndef TR_INGEST_PCAP_DECODE_H
#define TR_INGEST_PCAP_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* Link types we decode (LINKTYPE_ values as in pcap files, and the DLT_ values
 * libpcap maps some of them to on Linux). */
#define LINK_NULL 0       /* BSD loopback: 4-byte address family, host order */
#define LINK_ETHERNET 1
#define LINK_RAW_DLT 12   /* DLT_RAW on Linux (LINKTYPE_RAW 101 maps to it) */
#define LINK_RAW_DLT14 14 /* DLT_RAW on OpenBSD */
#define LINK_RAW 101
#define LINK_LOOP 108     /* OpenBSD loopback: family in network order */
#define LINK_LINUX_SLL 113
#define LINK_IPV4 228
#define LINK_IPV6 229
#define LINK_LINUX_SLL2 276

enum pkt_status {
    PKT_TCP = 0,          /* a TCP segment: *out is filled */
    PKT_NOT_TCP,          /* another protocol (ARP, UDP, ICMP, ...) */
    PKT_FRAGMENT,         /* a non-first IP fragment: no TCP header in it */
    PKT_TRUNCATED,        /* the capture ends before a header does */
    PKT_MALFORMED,        /* a header's own fields are impossible */
    PKT_UNSUPPORTED_LINK, /* a link type we do not decode */
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

struct tcp_segment {
    uint8_t family;          /* 4 or 6 */
    uint8_t flags;           /* TCP_SYN, ... */
    uint16_t sport, dport;
    uint8_t src[16], dst[16]; /* IPv4 addresses use the first 4 bytes; the rest are 0 */
    uint32_t seq, ack;
    const uint8_t *payload;  /* view into the frame */
    uint32_t payload_len;    /* captured payload bytes */
    uint32_t seg_len;        /* payload bytes on the wire (>= payload_len) */
};

/* Decodes `frame` (caplen captured bytes) of link type `linktype`. */
enum pkt_status pcap_decode(int linktype, const uint8_t *frame, size_t caplen, struct tcp_segment *out);

/* Decodes an IP packet (version from its first nibble) starting at p. */
enum pkt_status pcap_decode_ip(const uint8_t *p, size_t caplen, struct tcp_segment *out);

/* Whether we can decode this link type at all (checked once per file). */
int pcap_link_supported(int linktype);

/* A short name for a status, for counters in the summary. */
const char *pcap_status_name(enum pkt_status s);

#endif
