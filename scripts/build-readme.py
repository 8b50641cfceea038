#!/usr/bin/env python3
"""Assembles README.md (docs/readme/head.md, then each command's documentation
from docs/<command>.md with its headings demoted, then docs/readme/tail.md) and
bench/README.md (bench/summary.md, then each bench/<area>/RESULTS.md). Those
files are the single source; run this after editing one of them."""
import pathlib, re

root = pathlib.Path(__file__).resolve().parent.parent
docs = root / "docs"
order = ["audit", "scan", "logins", "logs", "pcap", "endpoints", "serve"]
parts = [(docs / "readme" / "head.md").read_text().rstrip() + "\n",
         "\n## Commands\n"]
for name in order:
    text = (docs / f"{name}.md").read_text()
    # demote headings outside fenced code blocks
    out, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"#{1,5} ", line):
            line = "##" + line
        out.append(line)
    parts.append("\n" + "\n".join(out).rstrip() + "\n")
parts.append("\n" + (docs / "readme" / "tail.md").read_text().rstrip() + "\n")
(root / "README.md").write_text("".join(parts))

# bench/README.md: the summary, then every area's RESULTS.md (headings demoted)
bench = root / "bench"
out = [(bench / "summary.md").read_text().rstrip() + "\n"]
for area in ["scan", "tls", "logins", "logs", "pcap", "endpoints", "serve"]:
    f = bench / area / "RESULTS.md"
    if not f.exists():
        continue
    lines, fenced = [], False
    for line in f.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"#{1,5} ", line):
            line = "#" + line
        lines.append(line)
    out.append(f"\n<!-- from bench/{area}/RESULTS.md -->\n" + "\n".join(lines).rstrip() + "\n")
(bench / "README.md").write_text("".join(out))
