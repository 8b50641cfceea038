#!/usr/bin/env bash
# tlsready scan against real servers started here on 127.0.0.1 (ephemeral ports):
# six openssl s_server version ranges, gnutls-serv, nginx, a plain-TCP port, a
# port that accepts and never answers, a closed port. The expected answer of
# each comes from its configuration and is cross-checked with openssl s_client
# for every version the local OpenSSL can speak.
source "$(dirname "$0")/../lib.sh"

SEC0='DEFAULT:@SECLEVEL=0'
declare -A PORT WANT PREF VERDICT
# name -> s_server options; WANT is ssl3 tls1.0 tls1.1 tls1.2 tls1.3 as a/r (accepted/refused)
USED=" "
# distinct_port: a free port not handed out before in this test (free_port alone may repeat one)
distinct_port() { local p; while :; do p=$(free_port); [[ "$USED" == *" $p "* ]] || break; done; USED="$USED$p "; echo "$p"; }
add() { local p; p=$(distinct_port); USED="$USED$p "; PORT[$1]=$p; WANT[$1]=$2; PREF[$1]=$3; VERDICT[$1]=$4; }
add s10     "r a r r r" tls1.0 fail
add s10_12  "r a a a r" tls1.2 ok
add s11_12  "r r a a r" tls1.2 ok
add s12     "r r r a r" tls1.2 ok
add s12_13  "r r r a a" tls1.3 ok
add s13     "r r r r a" tls1.3 ok
add gnutls  "r r a a r" tls1.2 ok
add nginx   "r r a a a" tls1.3 ok

s_server "${PORT[s10]}" -tls1 -cipher "$SEC0"
s_server "${PORT[s10_12]}" -no_tls1_3 -cipher "$SEC0"
s_server "${PORT[s11_12]}" -no_tls1 -no_tls1_3 -cipher "$SEC0"
s_server "${PORT[s12]}" -tls1_2
s_server "${PORT[s12_13]}" -no_tls1 -no_tls1_1
s_server "${PORT[s13]}" -tls1_3
bg gnutls-serv -p "${PORT[gnutls]}" --x509certfile "$TEST_TMP/localhost.crt" --x509keyfile "$TEST_TMP/localhost.key" \
   --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1' </dev/null >/dev/null 2>&1

mkdir -p "$TEST_TMP/nginx-tmp"
cat > "$TEST_TMP/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $TEST_TMP/nginx.pid;
error_log $TEST_TMP/nginx-error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $TEST_TMP/nginx-tmp;
  proxy_temp_path $TEST_TMP/nginx-tmp;
  fastcgi_temp_path $TEST_TMP/nginx-tmp;
  uwsgi_temp_path $TEST_TMP/nginx-tmp;
  scgi_temp_path $TEST_TMP/nginx-tmp;
  server {
    listen 127.0.0.1:${PORT[nginx]} ssl;
    ssl_certificate $TEST_TMP/localhost.crt;
    ssl_certificate_key $TEST_TMP/localhost.key;
    ssl_protocols TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_ciphers $SEC0;
    location / { return 200 "ok\n"; }
  }
}
EOF
bg nginx -e "$TEST_TMP/nginx-error.log" -c "$TEST_TMP/nginx.conf" -p "$TEST_TMP/"

PLAIN=$(distinct_port); USED="$USED$PLAIN "; SILENT=$(distinct_port); USED="$USED$SILENT "
CLOSED=$(distinct_port); USED="$USED$CLOSED "; HOLE=$(distinct_port); USED="$USED$HOLE "
bg python3 -m http.server --bind 127.0.0.1 "$PLAIN" >/dev/null 2>&1
bg python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); held = []
while True:
    c, _ = s.accept(); held.append(c)   # accept, never answer
' "$SILENT"

# a black hole: a listener with a full accept queue drops further SYNs, so connect() never completes
bg python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(0); held = []
for i in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", int(sys.argv[1])))
    except BlockingIOError: pass
    held.append(c)
time.sleep(600)
' "$HOLE"

for n in "${!PORT[@]}"; do wait_port "${PORT[$n]}" || not_ok "server $n did not start"; done
wait_port "$PLAIN"; wait_port "$SILENT"

# --- ground truth cross-check: openssl s_client agrees with each configuration ---
flags=(- -tls1 -tls1_1 -tls1_2 -tls1_3)   # index = version (ssl3 cannot be spoken by OpenSSL 3)
s_client_says() {  # PORT FLAG -> a (handshake done) or r
  local out
  out=$(timeout 5 openssl s_client -connect "127.0.0.1:$1" "$2" -cipher "$SEC0" </dev/null 2>&1)
  if grep -q "Cipher is (NONE)" <<<"$out" || ! grep -q "Cipher is " <<<"$out"; then echo r; else echo a; fi
}
for n in $(printf '%s\n' "${!PORT[@]}" | sort); do
  want=(${WANT[$n]}); got=""
  for v in 1 2 3 4; do got="$got$(s_client_says "${PORT[$n]}" "${flags[$v]}")"; done
  expect_eq "s_client confirms the configuration of $n (tls1.0..tls1.3)" "$got" "${want[1]}${want[2]}${want[3]}${want[4]}"
done

# --- one scan of everything ---
targets=()
for n in $(printf '%s\n' "${!PORT[@]}" | sort); do targets+=("127.0.0.1:${PORT[$n]}"); done
t0=$(date +%s.%N)
"$TLSREADY" scan --json --timeout 2 "${targets[@]}" "127.0.0.1:$PLAIN" "127.0.0.1:$SILENT" "127.0.0.1:$CLOSED" "127.0.0.1:$HOLE" \
  > "$TEST_TMP/all.jsonl" 2> "$TEST_TMP/all.err"
rc=$?
t1=$(date +%s.%N)
expect_eq "exit code 1 when a server fails the minimum" "$rc" 1
expect_eq "one JSON line per target" "$(wc -l < "$TEST_TMP/all.jsonl")" 12
expect_eq "nothing on stderr" "$(cat "$TEST_TMP/all.err")" ""
wall=$(echo "$t1 - $t0" | bc)
check "the silent and black-holed ports cost their own timeout only (whole run ${wall}s < 3.2s with --timeout 2)" \
  test "$(echo "$wall < 3.2" | bc)" = 1

line_of() { grep "\"port\":$1," "$TEST_TMP/all.jsonl"; }
summary() {  # compact "a r r ..." per version, preferred, verdict
  jq -r '[.versions["ssl3","tls1.0","tls1.1","tls1.2","tls1.3"] | .[0:1]] | join(" ")' <<<"$1" | sed 's/u/u/g'
}
for n in $(printf '%s\n' "${!PORT[@]}" | sort); do
  l=$(line_of "${PORT[$n]}")
  expect_eq "$n: versions" "$(summary "$l")" "${WANT[$n]}"
  expect_eq "$n: preferred" "$(jq -r .preferred <<<"$l")" "${PREF[$n]}"
  expect_eq "$n: verdict" "$(jq -r .verdict <<<"$l")" "${VERDICT[$n]}"
done
l=$(line_of "${PORT[s10]}")
expect_eq "tls1.0-only: exact versions object" "$(jq -c .versions <<<"$l")" \
  '{"ssl3":"refused","tls1.0":"accepted","tls1.1":"refused","tls1.2":"refused","tls1.3":"refused"}'
expect_eq "tls1.0-only: how tls1.2 is refused" "$(jq -r '.reasons["tls1.2"]' <<<"$l")" "server chose tls1.0"
expect_eq "tls1.0-only: note" "$(jq -c .notes <<<"$l")" '["accepts tls1.0 below the minimum tls1.2"]'
# later capabilities add keys; the contract keys stay, in this order, with these meanings
CONTRACT='["target","host","port","address","sni","versions","reasons","preferred","verdict","elapsed_ms","notes"]'
expect_eq "JSON keys of the contract, in order (added keys allowed)" \
  "$(jq -c --argjson c "$CONTRACT" '[keys_unsorted[] | select(. as $k | $c | index($k))]' <<<"$l")" "$CONTRACT"
expect_eq "contract value types" "$(jq -c '[.target, .host, .port, .address, .sni, .preferred, .verdict, .elapsed_ms, .notes] | map(type)' <<<"$l")" \
  '["string","string","number","string","null","string","string","number","array"]'
expect_eq "reasons has exactly the version keys" "$(jq -c '.reasons|keys_unsorted' <<<"$l")" \
  '["ssl3","tls1.0","tls1.1","tls1.2","tls1.3"]'
l=$(line_of "${PORT[s12]}")
expect_eq "tls1.2-only: tls1.0 refused with an alert" "$(jq -r '.reasons["tls1.0"]' <<<"$l")" "alert protocol_version"
expect_eq "IP target sends no SNI" "$(jq -r .sni <<<"$l")" "null"

l=$(line_of "$PLAIN")
expect_eq "plain TCP: every version unknown" "$(jq -c '[.versions[]]|unique' <<<"$l")" '["unknown"]'
expect_eq "plain TCP: reason" "$(jq -r '.reasons["tls1.2"]' <<<"$l")" 'not TLS: plaintext reply: "<!DOCTYPE HTML>"'
expect_eq "plain TCP: unreachable" "$(jq -r .verdict <<<"$l")" unreachable
l=$(line_of "$SILENT")
expect_eq "silent: tls1.2 timeout" "$(jq -r '.reasons["tls1.2"]' <<<"$l")" "timeout (no reply)"
expect_eq "silent: verdict" "$(jq -r .verdict <<<"$l")" unreachable
l=$(line_of "$HOLE")
expect_eq "black hole: connect timeout, the rest not probed" "$(jq -c '[.reasons["tls1.2"], .reasons["tls1.3"], .verdict]' <<<"$l")" \
  '["connect timeout","not probed: address silent (earlier probes timed out)","unreachable"]'
l=$(line_of "$CLOSED")
expect_eq "closed: every reason is connection refused" "$(jq -c '[.reasons[]]|unique' <<<"$l")" '["connection refused"]'
expect_eq "closed: preferred null" "$(jq -r .preferred <<<"$l")" null

# --- exit codes ---
"$TLSREADY" scan --json "127.0.0.1:${PORT[s12_13]}" "127.0.0.1:${PORT[nginx]}" >/dev/null; rc=$?
expect_eq "exit 0 when every endpoint is ok" "$rc" 0
"$TLSREADY" scan --json "127.0.0.1:${PORT[s12_13]}" "127.0.0.1:$CLOSED" >/dev/null; rc=$?
expect_eq "exit 3 when some are unreachable and none fail" "$rc" 3
"$TLSREADY" scan --json --min tls1.0 "127.0.0.1:${PORT[s10]}" >/dev/null; rc=$?
expect_eq "--min tls1.0 (the 2017 cut-over) accepts the tls1.0-only server" "$rc" 0
"$TLSREADY" scan "host:99999" >/dev/null 2>"$TEST_TMP/err"; rc=$?
expect_eq "exit 2 for a malformed target" "$rc" 2
expect_eq "message names the target" "$(head -1 "$TEST_TMP/err")" \
  "tlsready scan: target 'host:99999': bad port '99999' (expected 1-65535)"
"$TLSREADY" scan --min tls9 x >/dev/null 2>&1; rc=$?
expect_eq "exit 2 for a bad --min" "$rc" 2
"$TLSREADY" scan >/dev/null 2>&1; rc=$?
expect_eq "exit 2 without targets" "$rc" 2
"$TLSREADY" scan --help | grep -q -- '--concurrency N'; check "--help documents the options" test $? = 0

# --- target files from stdin, names, --resolve, --sni, CSV, table ---
printf '# list\n\nlocalhost:%s\nhttps://127.0.0.1:%s/x sni=api.test\n127.0.0.1:%s\nbad:0\n' \
  "${PORT[s13]}" "${PORT[s12]}" "${PORT[s12]}" | "$TLSREADY" scan --targets - >/dev/null 2>"$TEST_TMP/err"; rc=$?
expect_eq "a bad line in a target file: exit 2" "$rc" 2
expect_eq "the bad line is named" "$(head -1 "$TEST_TMP/err")" "tlsready scan: <stdin>:6: bad port '0' (expected 1-65535)"
printf '# list\n\nlocalhost:%s\nhttps://127.0.0.1:%s/x sni=api.test\nlocalhost:%s\n' \
  "${PORT[s13]}" "${PORT[s12]}" "${PORT[s13]}" | "$TLSREADY" scan --json --targets - > "$TEST_TMP/f.jsonl"
expect_eq "duplicates are scanned once" "$(wc -l < "$TEST_TMP/f.jsonl")" 2
expect_eq "a name sends its SNI, resolves through /etc/hosts" \
  "$(jq -r 'select(.host=="localhost") | .sni + " " + .address + " " + .preferred' "$TEST_TMP/f.jsonl")" "localhost 127.0.0.1 tls1.3"
expect_eq "per-line sni= is sent" "$(jq -r 'select(.port=='"${PORT[s12]}"') | .sni' "$TEST_TMP/f.jsonl")" "api.test"
l=$("$TLSREADY" scan --json --resolve "api.test:${PORT[s11_12]}:127.0.0.1" "api.test:${PORT[s11_12]}")
expect_eq "--resolve scans a name at a given address" "$(jq -r '.address + " " + .sni + " " + .verdict' <<<"$l")" "127.0.0.1 api.test ok"
l=$("$TLSREADY" scan --json --resolve "api.test:${PORT[s11_12]}:127.0.0.1" --sni other.test "api.test:${PORT[s11_12]}")
expect_eq "--sni overrides the host name" "$(jq -r .sni <<<"$l")" "other.test"
R2=(--resolve "two.test:${PORT[s12]}:127.0.0.1" --resolve "two.test:${PORT[s12]}:127.0.0.2")
"$TLSREADY" scan --json "${R2[@]}" --all-addresses "two.test:${PORT[s12]}" > "$TEST_TMP/two.jsonl"
expect_eq "--all-addresses: one result per address, in order" \
  "$(jq -r '.address + " " + .verdict + " " + .versions["tls1.2"] + " " + .sni' "$TEST_TMP/two.jsonl" | tr '\n' '|')" \
  "127.0.0.1 ok accepted two.test|127.0.0.2 unreachable unknown two.test|"
expect_eq "without --all-addresses: the first address only" \
  "$("$TLSREADY" scan --json "${R2[@]}" "two.test:${PORT[s12]}" | jq -r .address)" "127.0.0.1"
l=$("$TLSREADY" scan --json --sni other.test "127.0.0.1:${PORT[s11_12]}")
expect_eq "--sni sets the name for an IP target" "$(jq -r .sni <<<"$l")" "other.test"
"$TLSREADY" scan --csv "127.0.0.1:${PORT[s10]}" > "$TEST_TMP/out.csv"
expect_eq "CSV header" "$(head -1 "$TEST_TMP/out.csv")" \
  "target,host,port,address,sni,ssl3,tls1.0,tls1.1,tls1.2,tls1.3,preferred,verdict,elapsed_ms,ssl3_reason,tls1.0_reason,tls1.1_reason,tls1.2_reason,tls1.3_reason,notes"
expect_eq "CSV row" "$(sed -n 2p "$TEST_TMP/out.csv" | cut -d, -f1-12)" \
  "127.0.0.1:${PORT[s10]},127.0.0.1,${PORT[s10]},127.0.0.1,,refused,accepted,refused,refused,refused,tls1.0,fail"
"$TLSREADY" scan "127.0.0.1:${PORT[s10]}" > "$TEST_TMP/table.txt"
expect_eq "table row (no colour when not a terminal)" \
  "$(sed -n 2p "$TEST_TMP/table.txt" | tr -s ' ' | cut -d' ' -f1-10)" \
  "127.0.0.1:${PORT[s10]} 127.0.0.1 no yes no no no tls1.0 fail tls1.2:"
check "no escape codes in a pipe" bash -c "! grep -q $'\033' '$TEST_TMP/table.txt'"

# --- --rate: 10 new connections per second spaces the probes 100 ms apart ---
l=$("$TLSREADY" scan --json --stats --rate 10 "127.0.0.1:${PORT[s12]}" 2>"$TEST_TMP/rate.err")
n=$(sed -n 's/.* \([0-9]*\) probes,.*/\1/p' "$TEST_TMP/rate.err")
check "--rate 10: $n probes took $(jq .elapsed_ms <<<"$l") ms (>= $(( (n - 1) * 100 - 10 )) ms)" \
  test "$(jq .elapsed_ms <<<"$l")" -ge $(( (n - 1) * 100 - 10 ))
expect_eq "--stats: peak in flight with --concurrency 1" \
  "$("$TLSREADY" scan --json --stats --concurrency 1 "127.0.0.1:${PORT[s12]}" 2>&1 >/dev/null | sed 's/.*peak //')" \
  "1 connections in flight"

# --- IPv6 literal and -4 ---
l=$("$TLSREADY" scan --json "[::1]:$CLOSED")
expect_eq "[::1] is scanned as IPv6" "$(jq -r '.address + " " + .reasons["tls1.2"]' <<<"$l")" "::1 connection refused"
l=$("$TLSREADY" scan --json -4 "[::1]:$CLOSED")
expect_eq "-4 excludes an IPv6 literal" "$(jq -r '.reasons["tls1.2"]' <<<"$l")" "not an IPv4 address (-4)"

# --- DNS failure: only inside a network namespace with nothing but loopback ---
if unshare -n true 2>/dev/null; then
  l=$(unshare -n bash -c 'ip link set lo up; "$0" scan --json --timeout 2 no-such-host.invalid' "$TLSREADY"); rc=$?
  expect_eq "DNS failure: exit 3" "$rc" 3
  expect_eq "DNS failure: reason" "$(jq -r '.reasons["tls1.2"] + " " + .verdict + " " + (.address|tostring)' <<<"$l")" \
    "dns: server unreachable unreachable null"
else
  ok "# SKIP unshare -n not permitted here"
fi

done_testing
