#!/usr/bin/env python3
"""Writes hostile packet captures for `tlsready pcap`, deterministically.

usage: gen_pcap.py OUTDIR

Every capture except the broken-file ones holds one good TLS handshake as a
control: client 10.0.0.1:40000 -> server 10.0.0.2:8443, SNI "good.example",
a TLS 1.2 ClientHello (no supported_versions) and a TLS 1.2 ServerHello with
TLS_RSA_WITH_AES_128_GCM_SHA256. Whatever else the capture holds, exactly
this handshake must be reported, and no other handshake may claim a
negotiated version (no other flow carries a ServerHello).

  mixed.pcap        the control among hostile packets (see HOSTILE below)
  snap60.pcap       the control captured with snaplen 60: every packet cut
                    (incl_len < orig_len), so no ClientHello can be read whole
  trunc.pcap        mixed.pcap cut in the middle of a packet record
  caplen.pcap       a record header with incl_len 0x7FFFFFF0 after the control
  snaplen.pcap      global header snaplen 0xFFFFFFFF, then the control
  linktype.pcap     link type 147 (USER0) holding the control's bytes
  ng-badlen.pcapng  pcapng: a valid section, then a block whose total length is 0xFFFFFFF0
  ng-short.pcapng   pcapng: an Enhanced Packet Block of total length 12 (< its fixed part)
  flows.pcap        the control, then 30000 distinct flows each opening a
                    TLS record that never completes (flow table must stay bounded)
  gap.pcap          the control, plus a flow whose second segment jumps 2^31
                    in sequence space (reassembly must not allocate the gap)
  esc.pcap          one handshake whose SNI holds terminal escapes (ESC, BEL)
"""
import os
import random
import struct
import sys

RNG = random.Random(7)


def u16(v):
    return struct.pack(">H", v)


def u24(v):
    return struct.pack(">I", v)[1:]


def ext(t, d):
    return u16(t) + u16(len(d)) + d


def client_hello(sni=b"good.example", version=0x0303, hs_len=None, rec_len=None):
    e = b""
    if sni is not None:
        entry = b"\x00" + u16(len(sni)) + sni
        e += ext(0, u16(len(entry)) + entry)
    e += ext(0x000A, u16(2) + u16(0x001D)) + ext(0x000B, b"\x01\x00")
    ciphers = [0xC02F, 0x009C, 0x002F]
    body = u16(version) + bytes(32) + b"\x00" + u16(2 * len(ciphers)) + b"".join(u16(c) for c in ciphers)
    body += b"\x01\x00" + u16(len(e)) + e
    hs = b"\x01" + u24(len(body) if hs_len is None else hs_len) + body
    return b"\x16\x03\x01" + u16(len(hs) if rec_len is None else rec_len) + hs


def server_hello():
    body = u16(0x0303) + bytes(range(32)) + b"\x00" + u16(0x009C) + b"\x00" + u16(5) + ext(0xFF01, b"\x00")
    hs = b"\x02" + u24(len(body)) + body
    return b"\x16\x03\x03" + u16(len(hs)) + hs


def ipv4(src, dst, payload, proto=6, ihl=5, total=None):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, total if total is not None else 20 + len(payload),
                      1, 0x4000, 64, proto, 0, bytes(src), bytes(dst))
    return hdr + b"\x00" * max(0, ihl * 4 - 20) + payload


def tcp(sport, dport, seq, payload, flags=0x18, doff=5, ack=1):
    return struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack, doff << 4, flags, 65535, 0, 0) + \
        b"\x00" * max(0, doff * 4 - 20) + payload


def eth(payload, ethertype=0x0800):
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + u16(ethertype) + payload


C, S = [10, 0, 0, 1], [10, 0, 0, 2]


def control():
    """The good handshake: SYN, SYN/ACK, ClientHello, ServerHello."""
    return [
        eth(ipv4(C, S, tcp(40000, 8443, 1000, b"", flags=0x02))),
        eth(ipv4(S, C, tcp(8443, 40000, 5000, b"", flags=0x12, ack=1001))),
        eth(ipv4(C, S, tcp(40000, 8443, 1001, client_hello()))),
        eth(ipv4(S, C, tcp(8443, 40000, 5001, server_hello()))),
    ]


def hostile():
    h = []
    ch = client_hello(sni=b"hostile.example")
    # IPv4 header length below the minimum, and beyond the packet
    h.append(eth(ipv4(C, S, tcp(40001, 443, 1, ch), ihl=2)))
    h.append(eth(ipv4(C, S, tcp(40002, 443, 1, ch), ihl=15)[:40]))
    # total length larger than the captured bytes, and smaller than the header
    h.append(eth(ipv4(C, S, tcp(40003, 443, 1, ch), total=65535)))
    h.append(eth(ipv4(C, S, tcp(40004, 443, 1, ch), total=10)))
    # TCP data offset 0, 15 with too few bytes, and past the payload
    h.append(eth(ipv4(C, S, tcp(40005, 443, 1, ch, doff=0))))
    h.append(eth(ipv4(C, S, tcp(40006, 443, 1, b"", doff=15)[:30])))
    # IPv6 with payload length 65535 in a short packet; a next-header chain of 200 hop-by-hop headers
    v6 = struct.pack(">IHBB16s16s", 0x60000000, 65535, 6, 64, b"\xfd" + bytes(15), b"\xfd" + bytes(14) + b"\x02",)
    h.append(eth(v6 + tcp(40007, 443, 1, ch), 0x86DD))
    hbh = b"".join(b"\x00\x00" + bytes(6) for _ in range(199)) + b"\x06\x00" + bytes(6)
    v6b = struct.pack(">IHBB16s16s", 0x60000000, len(hbh) + 20 + len(ch), 0, 64, b"\xfd" + bytes(15),
                      b"\xfd" + bytes(14) + b"\x02")
    h.append(eth(v6b + hbh + tcp(40008, 443, 1, ch), 0x86DD))
    # 500 stacked VLAN tags
    h.append(eth(b"\x00\x01\x81\x00" * 499 + b"\x00\x01\x08\x00" + ipv4(C, S, tcp(40009, 443, 1, ch)), 0x8100))
    # a ClientHello record claiming 0xFFFF bytes, a handshake claiming 16 MB, then nothing more
    h.append(eth(ipv4(C, S, tcp(40010, 443, 1, client_hello(rec_len=0xFFFF)))))
    h.append(eth(ipv4(C, S, tcp(40011, 443, 1, client_hello(hs_len=0xFFFFFF)))))
    # a handshake length shorter than the body
    h.append(eth(ipv4(C, S, tcp(40012, 443, 1, client_hello(hs_len=10)))))
    # zero-length frame, 1-byte frame, unknown ethertype, an ARP-sized runt
    h.append(b"")
    h.append(b"\x02")
    h.append(eth(bytes(40), 0x88B5))
    h.append(eth(b"\x00\x01\x08\x00\x06\x04", 0x0806))
    # random frames
    for _ in range(200):
        h.append(bytes(RNG.getrandbits(8) for _ in range(RNG.randrange(1, 200))))
    # TLS-looking random payloads on TCP
    for i in range(200):
        p = b"\x16\x03" + bytes(RNG.getrandbits(8) for _ in range(RNG.randrange(1, 300)))
        h.append(eth(ipv4(C, S, tcp(41000 + i, 443, 1, p))))
    return h


def pcap_header(snaplen=262144, linktype=1):
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(pkt, ts, snap=None):
    cap = pkt if snap is None else pkt[:snap]
    return struct.pack("<IIII", 1700000000 + ts // 1000000, ts % 1000000, len(cap), len(pkt)) + cap


def write_pcap(path, pkts, snaplen=262144, linktype=1, snap=None):
    with open(path, "wb") as f:
        f.write(pcap_header(snaplen, linktype))
        for i, p in enumerate(pkts):
            f.write(pcap_record(p, i * 1000, snap))


def pcapng_shb():
    body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    n = 12 + len(body)
    return struct.pack("<II", 0x0A0D0D0A, n) + body + struct.pack("<I", n)


def pcapng_idb():
    body = struct.pack("<HHI", 1, 0, 262144)
    n = 12 + len(body)
    return struct.pack("<II", 1, n) + body + struct.pack("<I", n)


def pcapng_epb(pkt, ts):
    pad = (4 - len(pkt) % 4) % 4
    body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(pkt), len(pkt)) + pkt + bytes(pad)
    n = 12 + len(body)
    return struct.pack("<II", 6, n) + body + struct.pack("<I", n)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    ctl = control()
    mixed = ctl[:2] + hostile() + ctl[2:]
    write_pcap(os.path.join(out, "mixed.pcap"), mixed)
    write_pcap(os.path.join(out, "snap60.pcap"), ctl, snaplen=60, snap=60)
    data = open(os.path.join(out, "mixed.pcap"), "rb").read()
    with open(os.path.join(out, "trunc.pcap"), "wb") as f:
        f.write(data[: len(data) - 37])
    with open(os.path.join(out, "caplen.pcap"), "wb") as f:
        f.write(pcap_header())
        for i, p in enumerate(ctl):
            f.write(pcap_record(p, i))
        f.write(struct.pack("<IIII", 1700000001, 0, 0x7FFFFFF0, 0x7FFFFFF0) + bytes(64))
    write_pcap(os.path.join(out, "snaplen.pcap"), ctl, snaplen=0xFFFFFFFF)
    write_pcap(os.path.join(out, "linktype.pcap"), ctl, linktype=147)
    with open(os.path.join(out, "ng-badlen.pcapng"), "wb") as f:
        f.write(pcapng_shb() + pcapng_idb())
        for i, p in enumerate(ctl):
            f.write(pcapng_epb(p, i))
        f.write(struct.pack("<II", 6, 0xFFFFFFF0) + bytes(64))
    with open(os.path.join(out, "ng-short.pcapng"), "wb") as f:
        f.write(pcapng_shb() + pcapng_idb())
        for i, p in enumerate(ctl):
            f.write(pcapng_epb(p, i))
        f.write(struct.pack("<III", 6, 12, 12))
    flows = list(ctl)
    for i in range(30000):
        src = [10, 1 + i // 65000, (i // 250) % 250, 1 + i % 250]
        flows.append(eth(ipv4(src, S, tcp(1024 + i % 60000, 443, 1, b"\x16\x03\x01\x40\x00\x01\x00\x3f\xfc"))))
    write_pcap(os.path.join(out, "flows.pcap"), flows)
    gap = list(ctl)
    gap.append(eth(ipv4(C, S, tcp(40100, 443, 1, client_hello(sni=b"gap.example")[:50]))))
    gap.append(eth(ipv4(C, S, tcp(40100, 443, 1 + (1 << 31), client_hello(sni=b"gap.example")[50:]))))
    write_pcap(os.path.join(out, "gap.pcap"), gap)
    # terminal escapes in the SNI: text output must not pass them through
    esc = [eth(ipv4(C, S, tcp(40000, 443, 1001, client_hello(sni=b"\x1b[2J\x1b[31mevil\x07")))),
           eth(ipv4(S, C, tcp(443, 40000, 5001, server_hello())))]
    write_pcap(os.path.join(out, "esc.pcap"), esc)


if __name__ == "__main__":
    main()
