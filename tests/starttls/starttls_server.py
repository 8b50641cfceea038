#!/usr/bin/env python3
"""A minimal STARTTLS server for tlsready's tests: speaks one protocol's
plaintext preamble exactly (smtp imap pop3 ftp ldap postgres mysql xmpp),
then wraps the socket with Python's ssl module (OpenSSL) limited to a
version range, completes the handshake and closes.

  starttls_server.py PROTO PORT CERT KEY [--min tls1.2] [--max tls1.3] [--refuse]
                    [--unoffered] [--stall] [--require-sni]

PROTO "tls" is plain TLS (no preamble): with --require-sni it answers a
ClientHello without server_name with the alert unrecognized_name.

--refuse answers the STARTTLS request with the protocol's refusal
("454 TLS not available", "a NO", "-ERR", "534", LDAP resultCode 52,
PostgreSQL 'N', MySQL without CLIENT_SSL, XMPP <failure/>).
One thread per connection; 127.0.0.1 only; runs until killed.
"""
import socket
import ssl
import struct
import sys
import threading

VERS = {"tls1.0": ssl.TLSVersion.TLSv1, "tls1.1": ssl.TLSVersion.TLSv1_1,
        "tls1.2": ssl.TLSVersion.TLSv1_2, "tls1.3": ssl.TLSVersion.TLSv1_3}


def read_line(f):
    line = f.readline(8192)
    if not line:
        raise EOFError
    return line


def smtp(c, f, refuse):
    c.sendall(b"220-mail.test ESMTP test server\r\n220 mail.test ready\r\n")
    line = read_line(f)
    if refuse == "stall":  # greets, then never answers
        while c.recv(4096):
            pass
        return False
    if not line.upper().startswith(b"EHLO"):
        c.sendall(b"500 expected EHLO\r\n")
        return False
    c.sendall(b"250-mail.test\r\n250-PIPELINING\r\n" + (b"" if refuse == "unoffered" else b"250-STARTTLS\r\n") + b"250 8BITMIME\r\n")
    line = read_line(f)
    if refuse:
        c.sendall(b"454 TLS not available due to temporary reason\r\n")
        return False
    if line.strip().upper() != b"STARTTLS":
        c.sendall(b"500 expected STARTTLS\r\n")
        return False
    c.sendall(b"220 2.0.0 Ready to start TLS\r\n")
    return True


def imap(c, f, refuse):
    c.sendall(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] test ready\r\n")
    line = read_line(f)
    tag = line.split(b" ", 1)[0]
    while b"CAPABILITY" in line.upper():  # openssl s_client asks first
        c.sendall(b"* CAPABILITY IMAP4rev1 STARTTLS\r\n" + tag + b" OK done\r\n")
        line = read_line(f)
        tag = line.split(b" ", 1)[0]
    if refuse:
        c.sendall(tag + b" NO STARTTLS not available\r\n")
        return False
    c.sendall(tag + b" OK Begin TLS negotiation now\r\n")
    return True


def pop3(c, f, refuse):
    c.sendall(b"+OK POP3 test ready\r\n")
    read_line(f)
    if refuse:
        c.sendall(b"-ERR TLS not available\r\n")
        return False
    c.sendall(b"+OK Begin TLS negotiation\r\n")
    return True


def ftp(c, f, refuse):
    c.sendall(b"220-FTP test server\r\n220 ready\r\n")
    line = read_line(f)
    if refuse or line.strip().upper() != b"AUTH TLS":
        c.sendall(b"534 Request denied for policy reasons.\r\n")
        return False
    c.sendall(b"234 AUTH TLS successful\r\n")
    return True


def read_ber(c):
    hdr = c.recv(2, socket.MSG_WAITALL)
    n = hdr[1]
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(c.recv(k, socket.MSG_WAITALL), "big")
    return c.recv(n, socket.MSG_WAITALL)


def ldap(c, f, refuse):
    body = read_ber(c)
    if b"1.3.6.1.4.1.1466.20037" not in body:
        return False
    code = 52 if refuse else 0
    # ExtendedResponse: messageID 1, resultCode, matchedDN "", diagnosticMessage ""
    resp = bytes([0x0A, 0x01, code, 0x04, 0x00, 0x04, 0x00])
    msg = bytes([0x02, 0x01, 0x01, 0x78, len(resp)]) + resp
    c.sendall(bytes([0x30, len(msg)]) + msg)
    return not refuse


def postgres(c, f, refuse):
    req = c.recv(8, socket.MSG_WAITALL)
    if req != b"\x00\x00\x00\x08\x04\xd2\x16\x2f":
        return False
    c.sendall(b"N" if refuse else b"S")
    return not refuse


def mysql(c, f, refuse):
    caps = 0xF7FF if refuse else 0xFFFF  # bit 0x0800 = CLIENT_SSL
    payload = (b"\x0a" + b"8.0.99-test\x00" + struct.pack("<I", 7) + b"abcdefgh" + b"\x00"
               + struct.pack("<H", caps) + b"\x21" + struct.pack("<H", 2) + struct.pack("<H", 0x81BF)
               + b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00" + b"caching_sha2_password\x00")
    c.sendall(struct.pack("<I", len(payload))[:3] + b"\x00" + payload)
    if refuse:
        return False
    hdr = c.recv(4, socket.MSG_WAITALL)
    n = int.from_bytes(hdr[:3], "little")
    body = c.recv(n, socket.MSG_WAITALL)
    return len(body) >= 4 and (struct.unpack("<I", body[:4])[0] & 0x0800) != 0


def xmpp(c, f, refuse):
    buf = b""
    while b">" not in buf.split(b"?>", 1)[-1]:
        d = c.recv(4096)
        if not d:
            return False
        buf += d
    c.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
              b"xmlns:stream='http://etherx.jabber.org/streams' id='t1' from='chat.test' version='1.0'>"
              b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
              b"</stream:features>")
    buf = b""
    while b"/>" not in buf:
        d = c.recv(4096)
        if not d:
            return False
        buf += d
    if refuse:
        c.sendall(b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")
        return False
    c.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    return True


def plain(c, f, refuse):
    return True


PROTOS = {"tls": plain, "smtp": smtp, "imap": imap, "pop3": pop3, "ftp": ftp, "ldap": ldap,
          "postgres": postgres, "mysql": mysql, "xmpp": xmpp}


def serve(conn, proto, ctx, refuse):
    try:
        conn.settimeout(10)
        f = conn.makefile("rb", buffering=0)
        if PROTOS[proto](conn, f, refuse):
            s = ctx.wrap_socket(conn, server_side=True)
            s.close()
            return
    except Exception:
        pass
    conn.close()


def main():
    a = sys.argv[1:]
    proto, port, cert, key = a[0], int(a[1]), a[2], a[3]
    lo, hi, refuse, need_sni = "tls1.2", "tls1.3", None, False
    i = 4
    while i < len(a):
        if a[i] == "--min":
            lo = a[i + 1]; i += 2
        elif a[i] == "--max":
            hi = a[i + 1]; i += 2
        elif a[i] == "--require-sni":
            need_sni = True; i += 1
        elif a[i] == "--refuse":
            refuse = "yes"; i += 1
        elif a[i] == "--stall":
            refuse = "stall"; i += 1
        elif a[i] == "--unoffered":
            refuse = "unoffered"; i += 1
        else:
            sys.exit("unknown argument " + a[i])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = VERS[lo]
    ctx.maximum_version = VERS[hi]
    ctx.load_cert_chain(cert, key)
    if need_sni:
        # a name-based virtual host that refuses clients without SNI (RFC 6066 3: unrecognized_name)
        def on_sni(sock, name, c):
            return None if name else ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        ctx.sni_callback = on_sni
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, proto, ctx, refuse), daemon=True).start()


if __name__ == "__main__":
    main()
