#!/usr/bin/env python3
"""Writes hostile input files for tlsready's line-oriented readers, deterministically.

usage: gen_files.py OUTDIR --header TEXT --line TEMPLATE [--big-mb N]

TEMPLATE is one valid record (no newline) with `{X}` where a hostile string
goes (a text field: user name, user agent, ...); it is also used plain (X =
"ok") as the valid lines around each hostile one. --header is the first line
(may be empty: no header). Files written (the expected outcome in brackets):

  garbage.bin     1 MiB of pseudo-random bytes           [exit 2, or every line skipped]
  trunc.gz        header + 20000 valid lines, gzip cut at half  [error naming the file]
  corrupt.gz      the same gzip with bytes flipped mid-stream  [error naming the file]
  utf8.txt        header + 3 valid + 12 lines with invalid UTF-8, control chars,
                  quotes and backslashes in the text field + 3 valid [valid JSON out]
  nul.txt         header + a line with NUL bytes + valid lines
  empty.txt       0 bytes; headeronly.txt: the header alone without newline
  bigline.gz      header + 1 valid + a line of --big-mb MiB (gzip: ~1/1000 the size)
                  + 2 valid                                [the big line skipped, counted]
  manycols.txt    header + a line of 200000 commas and tabs
"""
import argparse
import gzip
import os
import random
import zlib

HOSTILE = [
    b"\xff\xfe",                       # never valid in UTF-8
    b"\xc0\xaf",                       # overlong "/"
    b"\xed\xa0\x80",                   # a UTF-16 surrogate encoded in UTF-8
    b"\xf4\x90\x80\x80",               # above U+10FFFF
    b"abc\xe2\x82",                    # truncated 3-byte sequence at the end
    b"\xe2\x82abc",                    # truncated in the middle
    b'quote " and backslash \\ and }{',
    b"\x1b[31mred\x1b[0m \x07 bell",     # terminal escapes
    b"\x01\x02\x7f\x08\x0c",
    b"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x92",  # valid multi-byte, must survive as is
    b"\\u0000 \\ud800 literal escapes",
    b"</script><script>alert(1)</script>",
]


def lines_from(template, x):
    return template.replace(b"{X}", x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--header", default="")
    ap.add_argument("--line", required=True)
    ap.add_argument("--big-mb", type=int, default=256)
    a = ap.parse_args()
    out = a.outdir
    os.makedirs(out, exist_ok=True)
    header = a.header.encode() + b"\n" if a.header else b""
    tmpl = a.line.encode()
    ok = lines_from(tmpl, b"ok") + b"\n"
    rng = random.Random(10)

    with open(os.path.join(out, "garbage.bin"), "wb") as f:
        f.write(rng.randbytes(1 << 20))

    body = header + b"".join(lines_from(tmpl, b"ok%d" % i) + b"\n" for i in range(20000))
    gz = gzip.compress(body, 6, mtime=0)
    with open(os.path.join(out, "trunc.gz"), "wb") as f:
        f.write(gz[: len(gz) // 2])
    bad = bytearray(gz)
    for i in range(len(bad) // 2, len(bad) // 2 + 16):
        bad[i] ^= 0x5A
    with open(os.path.join(out, "corrupt.gz"), "wb") as f:
        f.write(bytes(bad))

    with open(os.path.join(out, "utf8.txt"), "wb") as f:
        f.write(header + ok * 3)
        for h in HOSTILE:
            f.write(lines_from(tmpl, h) + b"\n")
        f.write(ok * 3)

    with open(os.path.join(out, "nul.txt"), "wb") as f:
        f.write(header + ok + lines_from(tmpl, b"a\x00b\x00\x00c") + b"\n" + ok * 2)

    open(os.path.join(out, "empty.txt"), "wb").close()
    with open(os.path.join(out, "headeronly.txt"), "wb") as f:
        f.write(header.rstrip(b"\n") if header else ok.rstrip(b"\n"))

    with open(os.path.join(out, "manycols.txt"), "wb") as f:
        f.write(header + ok + b",\t" * 100000 + b"\n" + ok)

    # the big line goes through gzip (level 1, streamed): a 256 MiB line costs
    # ~0.25 MiB on disk and a few seconds to write, and the reader still has to
    # inflate and walk all of it
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    chunk = b"A" * (1 << 20)
    with open(os.path.join(out, "bigline.gz"), "wb") as f:
        f.write(c.compress(header + ok))
        for _ in range(a.big_mb):
            f.write(c.compress(chunk))
        f.write(c.compress(b"\n" + ok * 2))
        f.write(c.flush())


if __name__ == "__main__":
    main()
