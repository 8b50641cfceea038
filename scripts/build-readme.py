#!/usr/bin/env python3
"""Assembles README.md: docs/readme/head.md, then each command's documentation
from docs/<command>.md with its headings demoted one level, then the tail.
The docs are the single source; run this after editing one of them."""
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
