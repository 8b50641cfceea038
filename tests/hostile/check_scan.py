#!/usr/bin/env python3
"""Checks one `tlsready scan --json` result against what a hostile mode must yield.

usage: check_scan.py RESULT.jsonl SPEC...

Each SPEC is VERSION=STATUS[|STATUS...][:REASON_REGEX], e.g.
  tls1.2=accepted   tls1.0=refused:protocol.version   tls1.3=unknown:time(d )?out
The regex is matched case-insensitively against reasons[VERSION].

Invariants checked for every mode, beyond the SPECs:
  * exactly one JSON object (one target, one address), valid JSON (strict UTF-8);
  * "versions" and "reasons" carry exactly the five version keys;
  * every status is accepted/refused/unknown and every reason is a non-empty string;
  * "preferred" is null or a version this same result says is accepted (a lie otherwise);
  * "verdict" is ok/fail/unreachable and "ok" only if some version is accepted.
Prints one problem per line; exits 1 if there is any.
"""
import json
import re
import sys

VERSIONS = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]


def main():
    path, specs = sys.argv[1], sys.argv[2:]
    problems = []
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"output is not valid UTF-8: {e}")
        return 1
    lines = [l for l in text.splitlines() if l.strip()]
    if len(lines) != 1:
        print(f"expected 1 JSON line, got {len(lines)}: {text[:300]!r}")
        return 1
    try:
        r = json.loads(lines[0])
    except ValueError as e:
        print(f"invalid JSON ({e}): {lines[0][:300]!r}")
        return 1
    versions, reasons = r.get("versions"), r.get("reasons")
    if not isinstance(versions, dict) or sorted(versions) != sorted(VERSIONS):
        problems.append(f"versions keys: {versions!r}")
        versions = versions if isinstance(versions, dict) else {}
    if not isinstance(reasons, dict) or sorted(reasons) != sorted(VERSIONS):
        problems.append(f"reasons keys: {reasons!r}")
        reasons = reasons if isinstance(reasons, dict) else {}
    for v in VERSIONS:
        s = versions.get(v)
        if s not in ("accepted", "refused", "unknown"):
            problems.append(f"{v}: status {s!r}")
        if not isinstance(reasons.get(v), str) or not reasons.get(v):
            problems.append(f"{v}: no reason ({reasons.get(v)!r})")
    pref = r.get("preferred", "missing")
    if pref is not None and versions.get(pref) != "accepted":
        problems.append(f"preferred {pref!r} is not an accepted version ({versions.get(pref)!r})")
    verdict = r.get("verdict")
    if verdict not in ("ok", "fail", "unreachable"):
        problems.append(f"verdict {verdict!r}")
    if verdict == "ok" and "accepted" not in versions.values():
        problems.append("verdict ok without any accepted version")
    for spec in specs:
        v, _, want = spec.partition("=")
        statuses, _, rx = want.partition(":")
        got = versions.get(v)
        if got not in statuses.split("|"):
            problems.append(f"{v}: got {got!r} ({reasons.get(v)!r}), want {statuses}")
        elif rx and got != "accepted" and not re.search(rx, str(reasons.get(v)), re.I):
            problems.append(f"{v}: reason {reasons.get(v)!r} does not match /{rx}/")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
