#!/usr/bin/env bash
# make demo: the whole readiness question on the bundled sample in examples/.
#   - starts the sample org's endpoints on 127.0.0.1 with `tlsready serve`
#     (some legacy-only, some modern; the fax gateway is left down on purpose),
#   - rehearses the cut-over: a `tlsready serve --min tls1.2` that a legacy and
#     a modern client connect to,
#   - runs `tlsready audit` on the sample's Login History, access log and
#     metadata under --min tls1.2, scanning the endpoints,
#   - stops what it started and prints the summary; the last line is the report.
# Everything stays on this machine: the sample's host names are mapped to
# 127.0.0.1 with --resolve, so nothing is looked up in DNS.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN="${DEMO_BIN:-$ROOT/tlsready}"      # the test suite runs the sanitizer build
EX="$ROOT/examples"
OUT="${DEMO_OUT:-$ROOT/demo-out}"
[ -x "$BIN" ] || { echo "demo: build first (make)" >&2; exit 2; }
rm -rf "$OUT"; mkdir -p "$OUT"

# name:port  and how that server behaves (see examples/README.md)
ENDPOINTS="legacy-erp.example.test:8443:max=tls1.0
billing.example.test:9443:min=tls1.2
shipping.example.test:10443:max=tls1.1
esb.example.test:11443:min=tls1.2
api.docvendor.example.test:12443:max=tls1.0"
DOWN="fax.example.test:13443"

PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

port_busy() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 100); do port_busy "$1" && return 0; sleep 0.05; done
  echo "demo: nothing listens on 127.0.0.1:$1" >&2; return 1
}

listen=(); resolve=()
while IFS=: read -r host port policy; do
  if port_busy "$port"; then
    echo "demo: 127.0.0.1:$port is in use; the sample org's endpoints need ports 8443-12443 free" >&2; exit 2
  fi
  listen+=(--listen "127.0.0.1:$port,$policy")
  resolve+=(--resolve "$host:$port:127.0.0.1")
done <<< "$ENDPOINTS"
resolve+=(--resolve "${DOWN%:*}:${DOWN##*:}:127.0.0.1")

"$BIN" serve "${listen[@]}" --quiet --log "$OUT/endpoints-serve.jsonl" &
PIDS+=($!)
for l in "${listen[@]}"; do case "$l" in 127.*) p=${l#127.0.0.1:}; wait_port "${p%%,*}";; esac; done

# the rehearsal: a server that behaves as the platform will after the cut-over
RP=18443
while port_busy "$RP"; do RP=$((RP + 1)); done
"$BIN" serve --listen "127.0.0.1:$RP" --min tls1.2 --quiet --log "$OUT/rehearsal.jsonl" &
PIDS+=($!)
wait_port "$RP"
# an old integration that only speaks TLS 1.0, and a current client
openssl s_client -connect "127.0.0.1:$RP" -tls1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null >/dev/null 2>&1 || true
openssl s_client -connect "127.0.0.1:$RP" -tls1_3 </dev/null >/dev/null 2>&1 || true

set +e
"$BIN" audit \
  --logins "$EX"/logins/LoginHistory.csv "$EX"/logins/EventLogFile-Login.csv --users "$EX"/logins/Users.csv \
  --logs "$EX"/logs/access.log \
  --metadata "$EX"/org \
  --rehearsal "$OUT/rehearsal.jsonl" \
  --min tls1.2 --cutover 2027-01-15 --timeout 2 "${resolve[@]}" \
  -o "$OUT/readiness.html" --json "$OUT/readiness.json" --markdown "$OUT/readiness.md" > "$OUT/summary.txt"
rc=$?
set -e
cleanup; trap - EXIT
if [ "$rc" -ge 2 ]; then cat "$OUT/summary.txt"; echo "demo: audit failed (exit $rc)" >&2; exit "$rc"; fi
# the summary, with the report's absolute path alone on the last line
sed '$d' "$OUT/summary.txt" | sed '$d'
echo "JSON: $OUT/readiness.json   Markdown: $OUT/readiness.md"
echo "report:"
echo "$OUT/readiness.html"
