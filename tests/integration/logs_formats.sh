#!/usr/bin/env bash
# tlsready logs on every supported format: the spec's example line of each
# format (tests/fixtures/logs, auto-detected), then a generated log per format
# (tools/gen_nginx_log, deterministic) whose exact counts the generator wrote.
source "$(dirname "$0")/../lib.sh"

# the spec examples: format detected, one request, its version
while read -r file fmt ver; do
  out=$("$TLSREADY" logs --json "$FIXTURES/logs/$file" | python3 -c '
import json,sys; d=json.load(sys.stdin); s=d["summary"]
print(s["files"][0]["format"], s["total"], [k for k,v in s["versions"].items() if v][0], d["clients"][0]["client"])')
  expect_eq "$file: format, count, version, client" "$out" "$fmt 1 $ver 198.51.100.23"
done < "$FIXTURES/logs/expected.txt" 2>/dev/null

GEN="$(dirname "$TLSREADY")/../rel/tools/gen_nginx_log"
if [ ! -x "$GEN" ]; then
  GEN="$TEST_TMP/gen_nginx_log"
  cc -O2 -std=c17 -D_GNU_SOURCE -o "$GEN" "$(dirname "$0")/../../tools/gen_nginx_log.c" || { not_ok "build the generator"; done_testing; exit 1; }
fi
for fmt in nginx apache haproxy envoy alb clb nlb cloudfront iis caddy serve; do
  "$GEN" --format "$fmt" --lines 4000 --clients 500 --seed 7 --expect "$TEST_TMP/$fmt.exp" > "$TEST_TMP/$fmt.log"
  gzip -c "$TEST_TMP/$fmt.log" > "$TEST_TMP/$fmt.log.gz"
  for f in "$TEST_TMP/$fmt.log" "$TEST_TMP/$fmt.log.gz"; do
    got=$("$TLSREADY" logs --json "$f" | python3 -c '
import json,sys; d=json.load(sys.stdin); s=d["summary"]; v=s["versions"]
print(s["files"][0]["format"], s["plain_requests"], s["legacy"], s["distinct_clients"], s["legacy_clients"], s["malformed_lines"],
      v["ssl3"], v["tls1.0"], v["tls1.1"], v["tls1.2"], v["tls1.3"], v["unknown"])')
    want=$(python3 -c '
import json,sys; e=json.load(open(sys.argv[1])); v=e["versions"]
print(sys.argv[2], e["plain"], e["legacy"], e["clients"], e["legacy_clients"], 0,
      v["ssl3"], v["tls1.0"], v["tls1.1"], v["tls1.2"], v["tls1.3"], 0)' "$TEST_TMP/$fmt.exp" "$fmt")
    expect_eq "generated $(basename "$f"): format, plain, legacy, clients, legacy clients, bad, versions" "$got" "$want"
  done
done
# several files of different formats in one run: the sums
"$TLSREADY" logs --json "$TEST_TMP/alb.log.gz" "$TEST_TMP/iis.log" "$TEST_TMP/caddy.log" > "$TEST_TMP/mix.json"
got=$(python3 -c 'import json; d=json.load(open("'"$TEST_TMP/mix.json"'")); print(d["summary"]["legacy"], [f["format"] for f in d["summary"]["files"]])')
want=$(python3 -c '
import json; print(sum(json.load(open("'"$TEST_TMP"'/%s.exp" % f))["legacy"] for f in ["alb","iis","caddy"]), ["alb","iis","caddy"])')
expect_eq "three formats in one run" "$got" "$want"
# standard input, streamed
got=$(gzip -dc "$TEST_TMP/nlb.log.gz" | "$TLSREADY" logs --json - | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(s["files"][0]["format"], s["legacy"])')
expect_eq "stdin: format and legacy count" "$got" "nlb $(python3 -c 'import json; print(json.load(open("'"$TEST_TMP/nlb.exp"'"))["legacy"])')"
# a forced wrong format: every line malformed, exit 2 is not used (lines are skipped), nothing legacy
"$TLSREADY" logs --json --format clb "$TEST_TMP/alb.log" > "$TEST_TMP/wrong.json" 2>/dev/null; rc=$?
expect_eq "forced wrong format: exit 0, all lines malformed" \
  "$rc $(python3 -c 'import json; print(json.load(open("'"$TEST_TMP/wrong.json"'"))["summary"]["malformed_lines"])')" "0 4000"
done_testing
