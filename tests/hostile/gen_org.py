#!/usr/bin/env python3
"""Writes a hostile Salesforce org for `tlsready endpoints`, deterministically.

usage: gen_org.py OUTDIR NET_PORT

OUTDIR/org is an SFDX tree; OUTDIR/org.zip the same files in Metadata API
layout plus hostile zip entries; OUTDIR/trunc.zip that zip cut in half;
OUTDIR/liar.zip an entry whose headers say 64 bytes and whose data inflates
to 16 MiB.
NET_PORT is a port a test listens on: any connection to it means an external
entity or DTD was fetched over the network (it must never happen).

Controls (must be found whatever else is there):
  classes/Good.cls                    setEndpoint('https://good.example.com/api')
  remoteSiteSettings/Good             https://good-site.example.com
Hostile files (each must be reported or skipped, never crash, hang or expand):
  XML:  billion laughs, external entity to /etc/passwd, external entity and
        external DTD over http to 127.0.0.1:NET_PORT, the same XXE in UTF-16,
        100000 nested elements, truncated, invalid UTF-8, over 32 MiB, a 1 MiB
        attribute, a huge URL
  Apex: unterminated string and comment, a constant cycle (A = B, B = A),
        200000-term concatenation, 100000 nested parentheses, 1 MiB of random
        bytes, NUL bytes in a string, terminal escapes in a string, a 4 MiB line
  zip:  entry names with ../ and absolute paths, a 96 MiB entry that deflates
        to ~400 KiB (bomb), 5000 empty entries, and a truncated copy
"""
import os
import random
import struct
import sys
import zipfile
import zlib

RNG = random.Random(5)
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def remote_site(url, extra=""):
    return (f'{XML_HEAD}<RemoteSiteSetting {NS}>\n    <disableProtocolSecurity>false</disableProtocolSecurity>\n'
            f'    <isActive>true</isActive>\n    <url>{url}</url>{extra}\n</RemoteSiteSetting>\n')


def doctype_site(dtd, url):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE RemoteSiteSetting [\n{dtd}\n]>\n'
            f'<RemoteSiteSetting {NS}>\n    <isActive>true</isActive>\n    <url>{url}</url>\n</RemoteSiteSetting>\n')


def files(net_port):
    f = {}
    rs = "remoteSiteSettings/{}.remoteSite-meta.xml"
    f[rs.format("Good")] = remote_site("https://good-site.example.com").encode()
    laughs = '<!ENTITY lol "lol">\n' + "\n".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    f[rs.format("Laughs")] = doctype_site(laughs, "https://laughs.example.com/&lol9;").encode()
    f[rs.format("XxeFile")] = doctype_site('<!ENTITY x SYSTEM "file:///etc/passwd">',
                                           "https://xxe.example.com/&x;").encode()
    f[rs.format("XxeNet")] = doctype_site(
        f'<!ENTITY x SYSTEM "http://127.0.0.1:{net_port}/entity">\n'
        f'<!ENTITY % p SYSTEM "http://127.0.0.1:{net_port}/param"> %p;', "https://xxenet.example.com/&x;").encode()
    f[rs.format("XxeDtd")] = (f'<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "http://127.0.0.1:{net_port}/dtd">\n'
                              + remote_site("https://xxedtd.example.com").split("\n", 1)[1]).encode()
    f[rs.format("Utf16")] = doctype_site('<!ENTITY x SYSTEM "file:///etc/passwd">',
                                         "https://utf16.example.com/&x;").replace(
        'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    f[rs.format("Deep")] = (XML_HEAD + f"<RemoteSiteSetting {NS}>" + "<a>" * 100000 + "</a>" * 100000
                            + "<url>https://deep.example.com</url></RemoteSiteSetting>\n").encode()
    f[rs.format("Trunc")] = remote_site("https://trunc.example.com").encode()[:120]
    f[rs.format("Bad8")] = remote_site("https://bad\xff8.example.com").encode("latin-1")
    f[rs.format("Big")] = remote_site("https://big.example.com", " " * (33 << 20)).encode()
    f[rs.format("Attr")] = remote_site("https://attr.example.com", f'<x a="{"a" * (1 << 20)}"/>').encode()
    f[rs.format("HugeUrl")] = remote_site("https://" + "h" * 200000 + ".example.com/").encode()
    cls = "classes/{}.cls"
    f[cls.format("Good")] = (b"public class Good {\n    public static void call() {\n"
                             b"        HttpRequest req = new HttpRequest();\n"
                             b"        req.setEndpoint('https://good.example.com/api');\n    }\n}\n")
    f[cls.format("Unterminated")] = b"public class Unterminated {\n  String s = 'https://unterminated.example.com\n/* never closed\n"
    f[cls.format("Cycle")] = (b"public class Cycle {\n  static final String A = B + '/a';\n"
                              b"  static final String B = A + '/b';\n"
                              b"  void f() { HttpRequest r = new HttpRequest(); r.setEndpoint(A); }\n}\n")
    f[cls.format("Concat")] = (b"public class Concat {\n  void f() { HttpRequest r = new HttpRequest();\n"
                               b"  r.setEndpoint('https://concat.example.com/'" + b" + 'a'" * 200000 + b");\n  }\n}\n")
    f[cls.format("Parens")] = (b"public class Parens {\n  void f() { HttpRequest r = new HttpRequest();\n"
                               b"  r.setEndpoint(" + b"(" * 100000 + b"'https://parens.example.com'"
                               + b")" * 100000 + b");\n  }\n}\n")
    f[cls.format("Garbage")] = RNG.randbytes(1 << 20)
    f[cls.format("Nul")] = b"public class Nul { void f() { new HttpRequest().setEndpoint('https://nul\x00.example.com'); } }\n"
    f[cls.format("Esc")] = (b"public class Esc { void f() { new HttpRequest().setEndpoint("
                            b"'https://esc\x1b[2J\x1b[31m.example.com/\x07'); } }\n")
    f[cls.format("LongLine")] = b"public class LongLine { String s = '" + b"x" * (4 << 20) + b"'; }\n"
    return f


def main():
    out, net_port = sys.argv[1], int(sys.argv[2])
    fs = files(net_port)
    base = os.path.join(out, "org", "force-app", "main", "default")
    for rel, data in fs.items():
        p = os.path.join(base, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as fh:
            fh.write(data)
    with open(os.path.join(out, "org", "sfdx-project.json"), "w") as fh:
        fh.write('{"packageDirectories": [{"path": "force-app", "default": true}]}\n')
    # Metadata API zip: the controls and a few hostile XML files, plus hostile entries
    zpath = os.path.join(out, "org.zip")
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("unpackaged/package.xml", XML_HEAD + f"<Package {NS}><version>60.0</version></Package>\n")
        z.writestr("unpackaged/classes/Good.cls", fs["classes/Good.cls"])
        z.writestr("unpackaged/remoteSiteSettings/Good.remoteSite", fs["remoteSiteSettings/Good.remoteSite-meta.xml"])
        z.writestr("unpackaged/remoteSiteSettings/Laughs.remoteSite",
                   fs["remoteSiteSettings/Laughs.remoteSite-meta.xml"])
        z.writestr("unpackaged/remoteSiteSettings/XxeFile.remoteSite",
                   fs["remoteSiteSettings/XxeFile.remoteSite-meta.xml"])
        z.writestr("../../../tmp/escape.remoteSite", remote_site("https://escape.example.com"))
        z.writestr("/abs/path.remoteSite", remote_site("https://abs.example.com"))
        for i in range(5000):
            z.writestr(f"unpackaged/classes/Empty{i}.cls", b"")
        # 96 MiB of spaces inside a class (3x the 32 MiB file limit): deflates to ~400 KiB
        with z.open("unpackaged/classes/Bomb.cls", "w", force_zip64=True) as w:
            chunk = b" " * (1 << 20)
            w.write(b"public class Bomb {\n")
            for _ in range(96):
                w.write(chunk)
            w.write(b"}\n")
    data = open(zpath, "rb").read()
    with open(os.path.join(out, "trunc.zip"), "wb") as fh:
        fh.write(data[: len(data) // 2])
    # liar.zip: an entry whose headers declare 64 bytes but whose deflate
    # stream inflates to 16 MiB: a reader that sizes its buffer from the
    # header and then reads "until the end" overflows it
    lpath = os.path.join(out, "liar.zip")
    body = (b"public class Liar { void f() { new HttpRequest().setEndpoint('https://liar.example.com'); } }\n"
            + b" " * (16 << 20))
    with zipfile.ZipFile(lpath, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("unpackaged/classes/Good.cls", fs["classes/Good.cls"])
        z.writestr("unpackaged/classes/Liar.cls", body)
    raw = bytearray(open(lpath, "rb").read())
    real = struct.pack("<I", len(body))
    n = 0
    i = raw.find(real)
    while i >= 0:
        raw[i:i + 4] = struct.pack("<I", 64)
        n += 1
        i = raw.find(real, i + 4)
    assert n == 2, n  # the local header and the central directory
    open(lpath, "wb").write(bytes(raw))


if __name__ == "__main__":
    main()
