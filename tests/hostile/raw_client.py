#!/usr/bin/env python3
"""A hostile TLS client: raw bytes at a server (tlsready serve), never a TLS library.

usage:
  raw_client.py list                          names of the malformed ClientHellos
  raw_client.py hello PORT NAME               send one, print what came back (hex, 32 bytes)
  raw_client.py hellos PORT PARALLEL          all of them, PARALLEL at a time: "NAME REPLY" lines
  raw_client.py slowloris PORT MAX            a valid ClientHello at 1 byte/s; prints the
                                              seconds until the server dropped us, or "held"
  raw_client.py halfopen PORT MAX             half a ClientHello, then FIN (SHUT_WR); prints
                                              the seconds until the server closed, or "held"
  raw_client.py slowhttp PORT MAX             a real handshake, then the HTTP request at 1 byte/s;
                                              seconds until the server dropped us, or "held"
  raw_client.py bighead PORT SIZE             a real handshake, then a request head of SIZE
                                              bytes; prints the status line or "closed"
  raw_client.py flood PORT N HOLD             N silent connections held HOLD seconds; prints
                                              "opened=N dropped=K" (K closed by the server)
Everything is on 127.0.0.1. Exit status 0 unless the arguments are wrong or the
first connect fails (the server is gone).
"""
import os
import random
import socket
import struct
import sys
import time

RNG = random.Random(10)


def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u24(v):
    return struct.pack(">I", v)[1:]


def ext(t, data):
    return u16(t) + u16(len(data)) + data


def sni(name):
    entry = u8(0) + u16(len(name)) + name
    return ext(0x0000, u16(len(entry)) + entry)


def base_exts(host=b"localhost"):
    return [
        sni(host),
        ext(0x000A, u16(6) + u16(0x001D) + u16(0x0017) + u16(0x0018)),
        ext(0x000B, b"\x01\x00"),
        ext(0x000D, u16(8) + u16(0x0804) + u16(0x0403) + u16(0x0401) + u16(0x0201)),
        ext(0x002B, u8(4) + u16(0x0304) + u16(0x0303)),
        ext(0x0033, u16(36) + u16(0x001D) + u16(32) + bytes(RNG.randrange(256) for _ in range(32))),
    ]


CIPHERS = [0x1301, 0x1302, 0x1303, 0xC02F, 0xC030, 0xC02B, 0x009C, 0x002F, 0x0035]


def client_hello(version=0x0303, ciphers=None, exts=None, sid=b"", raw_ciphers=None, raw_exts=None,
                 compression=b"\x01\x00"):
    ciphers = CIPHERS if ciphers is None else ciphers
    exts = base_exts() if exts is None else exts
    cs = raw_ciphers if raw_ciphers is not None else u16(2 * len(ciphers)) + b"".join(u16(c) for c in ciphers)
    ex = raw_exts if raw_exts is not None else u16(sum(len(e) for e in exts)) + b"".join(exts)
    body = u16(version) + bytes(32) + u8(len(sid)) + sid + cs + compression + ex
    return u8(1) + u24(len(body)) + body


def record(body, ctype=0x16, version=0x0301):
    out = b""
    while True:
        chunk, body = body[:16384], body[16384:]
        out += u8(ctype) + u16(version) + u16(len(chunk)) + chunk
        if not body:
            return out


def malformed():
    ch = client_hello()
    good = record(ch)
    m = {}
    m["truncated-record"] = good[:40]
    m["huge-record"] = b"\x16\x03\x01\xff\xff" + ch[:100]
    m["record-overflow"] = b"\x16\x03\x01\x48\x01" + ch + bytes(0x4801 - len(ch))
    m["hs-len-long"] = record(u8(1) + u24(0xFFFFFF) + ch[4:])
    m["hs-len-short"] = record(u8(1) + u24(20) + ch[4:])
    m["not-client-hello"] = record(u8(2) + ch[1:])
    m["ext-overflow"] = record(client_hello(raw_exts=u16(0x4000) + b"".join(base_exts())))
    m["ext-inner-overflow"] = record(client_hello(exts=base_exts() + [u16(0x0010) + u16(0x2000) + b"h2"]))
    m["zero-ciphers"] = record(client_hello(ciphers=[]))
    m["odd-ciphers"] = record(client_hello(raw_ciphers=u16(3) + b"\x13\x01\x00"))
    m["cipher-len-overflow"] = record(client_hello(raw_ciphers=u16(0xFFFE) + b"\x13\x01"))
    m["no-compression"] = record(client_hello(compression=b"\x00"))
    m["sid-too-long"] = record(client_hello(sid=bytes(33)))
    m["sni-overflow"] = record(client_hello(exts=[ext(0, u16(20) + u8(0) + u16(200) + b"x")] + base_exts()[1:]))
    m["sni-binary"] = record(client_hello(exts=[sni(b'\xff\xfe"\\\n\x00<script>\x1b[31m\xc3\x28')] + base_exts()[1:]))
    m["sni-huge"] = record(client_hello(exts=[sni(b"a" * 16000)] + base_exts()[1:]))
    m["dup-ext"] = record(client_hello(exts=base_exts() + [ext(0x002B, u8(2) + u16(0x0303))]))
    m["many-exts"] = record(client_hello(exts=base_exts() + [ext(0xFA00 + i % 200, b"") for i in range(3000)]))
    m["empty-versions"] = record(client_hello(exts=base_exts()[:4] + [ext(0x002B, u8(0))] + base_exts()[5:]))
    m["odd-versions"] = record(client_hello(exts=base_exts()[:4] + [ext(0x002B, u8(3) + b"\x03\x04\x03")]
                                            + base_exts()[5:]))
    m["grease-only"] = record(client_hello(ciphers=[0x0A0A, 0x1A1A],
                                           exts=[ext(0x0A0A, b""), ext(0x002B, u8(2) + u16(0x2A2A))]))
    m["fragmented-1-byte"] = b"".join(record(ch[i:i + 1]) for i in range(len(ch)))
    m["padding-60k"] = record(client_hello(exts=base_exts() + [ext(0x0015, bytes(60000))]))
    m["sslv2-hello"] = bytes([0x80, 0x2E, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10]) + \
        bytes([0x07, 0x00, 0xC0, 0x05, 0x00, 0x80, 0x03, 0x00, 0x80, 0x01, 0x00, 0x80, 0x06, 0x00, 0x40,
               0x04, 0x00, 0x80, 0x02, 0x00, 0x80]) + bytes(16)
    m["random"] = bytes(RNG.randrange(256) for _ in range(2048))
    m["http-get"] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
    m["empty-records"] = b"\x16\x03\x01\x00\x00" * 4000
    m["alert-first"] = b"\x15\x03\x01\x00\x02\x02\x28"
    m["ccs-first"] = b"\x14\x03\x01\x00\x01\x01" + good
    m["appdata-first"] = b"\x17\x03\x03\x00\x10" + bytes(16)
    m["ch-then-garbage"] = good + bytes(RNG.randrange(256) for _ in range(4096))
    m["two-client-hellos"] = good + good
    return m


def connect(port, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def closed_by_peer(s, wait):
    """True if the server closed (FIN or RST) within `wait` seconds."""
    s.settimeout(wait)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except socket.timeout:
        return False
    except OSError:
        return True


def hello_reply(port, data):
    """Sends one ClientHello's bytes; returns the first 32 bytes back, as hex."""
    try:
        s = connect(port)
    except OSError as e:
        return f"connect failed: {e}"
    try:
        s.sendall(data)
    except OSError as e:
        s.close()
        return f"send failed: {e}"
    s.settimeout(2)
    got = b""
    try:
        while len(got) < 32:
            d = s.recv(4096)
            if not d:
                break
            got += d
    except OSError:
        pass
    s.close()
    return got[:32].hex() or "(nothing)"


def cmd_hello(port, name):
    print(hello_reply(port, malformed()[name]))
    return 0


def cmd_hellos(port, parallel):
    """Every malformed ClientHello, `parallel` at a time (keep it under the
    server's connection limit, or some are closed unread): "NAME REPLY" lines."""
    import threading
    results = {}
    hellos = malformed()
    slots = threading.Semaphore(parallel)

    def one(name):
        with slots:
            results[name] = hello_reply(port, hellos[name])

    threads = [threading.Thread(target=one, args=(n,)) for n in hellos]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    for n in hellos:
        print(n, results.get(n, "(client thread hung)"))
    return 0


def cmd_slowloris(port, limit):
    data = record(client_hello())
    s = connect(port)
    t0 = time.time()
    s.settimeout(0.01)
    for b in data:
        try:
            s.send(bytes([b]))
        except OSError:
            print(f"{time.time() - t0:.1f}")
            return 0
        if closed_by_peer(s, 1.0):
            print(f"{time.time() - t0:.1f}")
            return 0
        if time.time() - t0 > limit:
            break
    print("held")
    return 0


def cmd_halfopen(port, limit):
    data = record(client_hello())
    s = connect(port)
    t0 = time.time()
    s.sendall(data[: len(data) // 2])
    s.shutdown(socket.SHUT_WR)
    if closed_by_peer(s, limit):
        print(f"{time.time() - t0:.1f}")
    else:
        print("held")
    return 0


def tls_connect(port):
    """A real TLS connection (Python's ssl: the client side may use a TLS library)."""
    import ssl
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx.wrap_socket(connect(port), server_hostname="localhost")


def cmd_slowhttp(port, limit):
    """Handshake at full speed, then the HTTP request at 1 byte/s."""
    s = tls_connect(port)
    t0 = time.time()
    for b in b"GET /json HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100:
        try:
            s.send(bytes([b]))
        except OSError:
            print(f"{time.time() - t0:.1f}")
            return 0
        s.settimeout(1.0)
        try:
            if not s.recv(4096):
                print(f"{time.time() - t0:.1f}")
                return 0
            # an answer before the request is complete: the server gave up on it
            print(f"{time.time() - t0:.1f}")
            return 0
        except socket.timeout:
            pass
        except OSError:
            print(f"{time.time() - t0:.1f}")
            return 0
        if time.time() - t0 > limit:
            break
    print("held")
    return 0


def cmd_bighead(port, size):
    """A request head of `size` bytes; prints the status line, or "closed"."""
    s = tls_connect(port)
    head = b"GET /json HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * size + b"\r\n\r\n"
    try:
        s.sendall(head)
    except OSError:
        pass
    s.settimeout(5)
    try:
        d = s.recv(4096)
    except OSError:
        d = b""
    print(d.split(b"\r\n", 1)[0].decode("latin-1") if d else "closed")
    return 0


def cmd_flood(port, n, hold):
    socks = []
    for _ in range(n):
        try:
            socks.append(connect(port, timeout=2))
        except OSError:
            break
    t_end = time.time() + hold
    dropped = set()
    while time.time() < t_end:
        for i, s in enumerate(socks):
            if i in dropped:
                continue
            s.settimeout(0.001)
            try:
                if not s.recv(1):
                    dropped.add(i)
            except socket.timeout:
                pass
            except OSError:
                dropped.add(i)
        time.sleep(0.1)
    print(f"opened={len(socks)} dropped={len(dropped)}")
    for s in socks:
        s.close()
    return 0


def main(argv):
    if len(argv) >= 1 and argv[0] == "list":
        print("\n".join(malformed()))
        return 0
    if len(argv) == 3 and argv[0] == "hellos":
        return cmd_hellos(int(argv[1]), int(argv[2]))
    if len(argv) == 3 and argv[0] == "hello":
        return cmd_hello(int(argv[1]), argv[2])
    if len(argv) == 3 and argv[0] == "slowloris":
        return cmd_slowloris(int(argv[1]), float(argv[2]))
    if len(argv) == 3 and argv[0] == "halfopen":
        return cmd_halfopen(int(argv[1]), float(argv[2]))
    if len(argv) == 3 and argv[0] == "slowhttp":
        return cmd_slowhttp(int(argv[1]), float(argv[2]))
    if len(argv) == 3 and argv[0] == "bighead":
        return cmd_bighead(int(argv[1]), int(argv[2]))
    if len(argv) == 4 and argv[0] == "flood":
        return cmd_flood(int(argv[1]), int(argv[2]), float(argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
