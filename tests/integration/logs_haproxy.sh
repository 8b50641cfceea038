#!/usr/bin/env bash
# tlsready logs on a real HAProxy log: HAProxy on 127.0.0.1 (ephemeral port)
# with `option httpslog`, logging to stdout in syslog (RFC 3164) framing, driven
# by curl at known versions; tlsready's counts must equal the requests made.
source "$(dirname "$0")/../lib.sh"

command -v haproxy >/dev/null || { echo "1..0 # SKIP haproxy not installed"; exit 0; }
T=$TEST_TMP
make_cert "$T" localhost
cat "$T/localhost.crt" "$T/localhost.key" > "$T/localhost.pem"
PORT=$(free_port)
cat > "$T/haproxy.cfg" <<CONF
global
  log stdout format rfc3164 local0
defaults
  mode http
  log global
  option httpslog
  timeout connect 5s
  timeout client 5s
  timeout server 5s
frontend fe_tls
  bind 127.0.0.1:$PORT ssl crt $T/localhost.pem ssl-min-ver TLSv1.0 ciphers DEFAULT:@SECLEVEL=0
  http-request return status 200 content-type text/plain string "ok"
CONF
haproxy -c -f "$T/haproxy.cfg" >/dev/null 2>&1 || { not_ok "haproxy -c accepts the configuration"; haproxy -c -f "$T/haproxy.cfg"; done_testing; exit 1; }
bg haproxy -db -f "$T/haproxy.cfg" > "$T/haproxy.log" 2> "$T/haproxy.err"
HA_PID=${PIDS[-1]}
wait_port "$PORT" 10 || { not_ok "haproxy listens"; done_testing; exit 1; }

made=0
req() {
  local n=$1; shift
  for _ in $(seq "$n"); do
    code=$(timeout 10 curl -s -o /dev/null -w '%{http_code}' -k --ciphers 'DEFAULT:@SECLEVEL=0' "$@")
    [ "$code" = 200 ] && made=$((made + 1)) || diag "curl $* -> $code"
  done
}
RESOLVE="--resolve legacy.test:$PORT:127.0.0.1"
req 2 --tlsv1.0 --tls-max 1.0 $RESOLVE "https://legacy.test:$PORT/"
req 3 --tlsv1.1 --tls-max 1.1 "https://127.0.0.1:$PORT/"
req 1 --tlsv1.2 --tls-max 1.2 $RESOLVE "https://legacy.test:$PORT/"
req 4 --tlsv1.3 "https://127.0.0.1:$PORT/"
expect_eq "every request got 200" "$made" 10
sleep 0.3
kill "$HA_PID"; wait "$HA_PID" 2>/dev/null
# 10 requests, and one connection error line: wait_port's probe closed without a handshake
expect_eq "haproxy logged 11 lines" "$(grep -c 'fe_tls' "$T/haproxy.log")" 11

J=$T/out.json
"$TLSREADY" logs --json "$T/haproxy.log" > "$J"; rc=$?
expect_eq "exit 1: legacy found" "$rc" 1
jq() { python3 -c "import json,sys; d=json.load(open('$J')); print($1)"; }
expect_eq "format detected" "$(jq 'd["summary"]["files"][0]["format"]')" haproxy
expect_eq "versions" "$(jq '" ".join(str(d["summary"]["versions"][k]) for k in ["ssl3","tls1.0","tls1.1","tls1.2","tls1.3","unknown"])')" "0 2 3 1 4 0"
expect_eq "malformed" "$(jq 'd["summary"]["malformed_lines"]')" 0
expect_eq "the failed handshake" "$(jq 'd["summary"]["failed"]')" 1
expect_eq "servers (SNI)" "$(jq 'sorted(((s["server"], s["total"], s["legacy"]) for s in d["servers"]), key=str)')" \
  "[('legacy.test', 3, 2), (None, 7, 3)]"
done_testing
