#!/usr/bin/env bash
# tlsready pcap on captures this test makes itself on loopback: tcpdump (pcap)
# and dumpcap (pcapng) record openssl s_client, gnutls-cli and curl connecting
# at known versions to openssl s_servers on ephemeral ports (IPv4 and IPv6),
# including a client refused for its version. Every per-handshake field is
# compared with what tshark decodes from the same file.
source "$(dirname "$0")/../lib.sh"
T=$TEST_TMP
make_cert "$T" localhost
CRT=$T/localhost.crt KEY=$T/localhost.key
P1=$(free_port); P2=$(free_port); P3=$(free_port); P4=$(free_port)
FILTER="tcp port $P1 or tcp port $P2 or tcp port $P3 or tcp port $P4"

# S1 speaks everything down to TLS 1.0; S2 refuses below TLS 1.2; S3 listens on ::1;
# S4 only takes x25519, so a client sending a P-384 key share gets a HelloRetryRequest
s_server "$P1" -www -cipher 'ALL:@SECLEVEL=0'
s_server "$P2" -www -min_protocol TLSv1.2
s_server "$P4" -www -groups x25519
bg openssl s_server -accept "[::1]:$P3" -6 -cert "$CRT" -key "$KEY" -quiet -www -naccept 100 </dev/null >/dev/null 2>&1
wait_port "$P1"; wait_port "$P2"; wait_port "$P4"
for i in $(seq 50); do ss -ltn | grep -q "\[::1\]:$P3 " && break; sleep 0.1; done

# the two captures; each is ready once it says so on stderr
tcpdump -i lo -U --immediate-mode -B 32768 -w "$T/cap.pcap" "$FILTER" 2>"$T/tcpdump.err" & TD=$!; PIDS+=($TD)
dumpcap -i lo -q -f "$FILTER" -w "$T/cap.pcapng" 2>"$T/dumpcap.err" & DC=$!; PIDS+=($DC)
# Linux cooked v2 headers, as 'tcpdump -i any' writes them
tcpdump -i any -y LINUX_SLL2 -U --immediate-mode -B 32768 -w "$T/cap.sll2" "$FILTER" 2>"$T/tcpdump2.err" & TD2=$!; PIDS+=($TD2)
for i in $(seq 100); do
  grep -q "listening on" "$T/tcpdump.err" && grep -q "Capturing on" "$T/dumpcap.err" &&
    grep -q "listening on" "$T/tcpdump2.err" && break; sleep 0.1
done
sleep 0.3

LEGACY='DEFAULT:@SECLEVEL=0'
sc() { timeout 10 openssl s_client "$@" </dev/null >/dev/null 2>&1; }
sc -connect "127.0.0.1:$P1" -servername tls13.example -alpn h2,http/1.1
sc -connect "127.0.0.1:$P1" -servername tls12.example -tls1_2
sc -connect "127.0.0.1:$P1" -servername tls11.example -tls1_1 -cipher "$LEGACY"
sc -connect "127.0.0.1:$P1" -servername tls10.example -tls1 -cipher "$LEGACY"
sc -connect "127.0.0.1:$P2" -servername refused.example -tls1 -cipher "$LEGACY"
sc -connect "[::1]:$P3" -servername v6.example
sc -connect "127.0.0.1:$P4" -servername hrr.example -groups secp384r1:x25519
timeout 10 gnutls-cli --insecure --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' --sni-hostname gnutls.example \
  -p "$P1" 127.0.0.1 </dev/null >/dev/null 2>&1
timeout 10 curl -sk --tlsv1.2 --tls-max 1.2 --resolve "curl.example:$P1:127.0.0.1" \
  "https://curl.example:$P1/" -o /dev/null
sleep 1.5 # let the captures write the last packets (the machine may be busy)
kill -INT $TD $DC $TD2; wait $TD $DC $TD2 2>/dev/null

EXPECT='curl.example tls1.2 tls1.2 null
gnutls.example tls1.2 tls1.2 null
hrr.example tls1.3 tls1.3 null
refused.example tls1.0 null protocol_version
tls10.example tls1.0 tls1.0 null
tls11.example tls1.1 tls1.1 null
tls12.example tls1.2 tls1.2 null
tls13.example tls1.3 tls1.3 null
v6.example tls1.3 tls1.3 null'

# tshark's view (fields split on ';': tabs would merge empty fields), one line per client port: sni ja3 nsuites | version cipher ja3s | alert
vname() { case "$1" in 0x0300) echo ssl3;; 0x0301) echo tls1.0;; 0x0302) echo tls1.1;; 0x0303) echo tls1.2;;
  0x0304) echo tls1.3;; *) echo "?$1";; esac; }
tshark_view() {
  local f=$1
  declare -A hello reply alert
  while IFS=';' read -r port sni ja3 suites; do
    [ -n "${hello[$port]:-}" ] && continue # the second ClientHello after a HelloRetryRequest
    n=$(tr ',' '\n' <<<"$suites" | grep -vc '^0x\([0-9a-f]\)a\1a$')
    hello[$port]="${sni:-null} $ja3 $n"
  done < <(tshark -r "$f" -Y 'tls.handshake.type==1' -T fields -E separator=';' -e tcp.srcport \
             -e tls.handshake.extensions_server_name -e tls.handshake.ja3 -e tls.handshake.ciphersuite 2>/dev/null)
  while IFS=';' read -r port ver sv cipher ja3s; do
    [ -n "${reply[$port]:-}" ] && continue
    v=${sv:-$ver}; v=${v##*,}
    reply[$port]="$(vname "$v") $cipher $ja3s"
  done < <(tshark -r "$f" -Y 'tls.handshake.type==2' -T fields -E separator=';' -e tcp.dstport -e tls.handshake.version \
             -e tls.handshake.extensions.supported_version -e tls.handshake.ciphersuite -e tls.handshake.ja3s 2>/dev/null)
  while IFS=';' read -r port desc; do
    alert[$port]=$desc
  done < <(tshark -r "$f" -Y 'tls.alert_message && !tls.handshake' -T fields -E separator=';' -e tcp.dstport \
             -e tls.alert_message.desc 2>/dev/null)
  for p in "${!hello[@]}"; do
    echo "$p ${hello[$p]} | ${reply[$p]:-null null null} | ${alert[$p]:-null}"
  done | sort -n
}
# ours in the same shape
ours_view() {
  jq -r '[(.client | sub(".*:"; "")), (.sni // "null"), .ja3, (.suites | length), "|",
          (.negotiated // "null"), (.cipher_code // "null"), (.ja3s // "null"), "|",
          (if .alert == "protocol_version" then "70" elif .alert == null then "null" else .alert end)]
         | join(" ")' "$1" | sort -n
}

# on a busy machine the kernel may drop packets of a capture: then only tshark's view of
# that file is ground truth
dropped() {
  case $1 in pcap) grep -q "^[1-9][0-9]* packets dropped by kernel" "$T/tcpdump.err" ;;
             sll2) grep -q "^[1-9][0-9]* packets dropped by kernel" "$T/tcpdump2.err" ;; *) false ;; esac
}
for fmt in pcap pcapng sll2; do
  f=$T/cap.$fmt
  "$TLSREADY" pcap --handshakes --json "$f" > "$T/$fmt.jsonl" 2>"$T/$fmt.err"; rc=$?
  expect_eq "$fmt: every field equals tshark's (port sni ja3 nsuites | version cipher ja3s | alert)" \
    "$(ours_view "$T/$fmt.jsonl")" "$(tshark_view "$f")"
  if dropped "$fmt"; then diag "$fmt: the kernel dropped packets of this capture; fixed checks skipped"; continue; fi
  expect_eq "$fmt: exit code 1 (legacy TLS seen)" "$rc" 1
  expect_eq "$fmt: 9 handshakes" "$(wc -l < "$T/$fmt.jsonl")" 9
  expect_eq "$fmt: the HelloRetryRequest" \
    "$(jq -r 'select(.outcome == "hello_retry") | .sni' "$T/$fmt.jsonl")" "hrr.example"
  expect_eq "$fmt: sni, offered, negotiated, alert" \
    "$(jq -r '[(.sni // "null"), .max_offered, (.negotiated // "null"), (.alert // "null")] | join(" ")' \
       "$T/$fmt.jsonl" | sort)" "$EXPECT"
  expect_eq "$fmt: the refused client is flagged" \
    "$(jq -r 'select(.refused_for_version) | .sni' "$T/$fmt.jsonl")" "refused.example"
  expect_eq "$fmt: IPv6 endpoints are [ip]:port" \
    "$(jq -r 'select(.sni == "v6.example") | .server' "$T/$fmt.jsonl")" "[::1]:$P3"
  expect_eq "$fmt: ALPN offered by the first client" \
    "$(jq -r 'select(.sni == "tls13.example") | .alpn | join(",")' "$T/$fmt.jsonl")" "h2,http/1.1"
done

# gzip and stdin give the same lines
gzip -c "$T/cap.pcap" > "$T/cap.pcap.gz"
"$TLSREADY" pcap --handshakes --json "$T/cap.pcap.gz" > "$T/gz.jsonl" 2>/dev/null
expect_eq "gzip capture: same handshakes" "$(cat "$T/gz.jsonl")" "$(cat "$T/pcap.jsonl")"
"$TLSREADY" pcap --handshakes --json - < "$T/cap.pcap" > "$T/stdin.jsonl" 2>/dev/null
expect_eq "capture on stdin: same handshakes" "$(cat "$T/stdin.jsonl")" "$(cat "$T/pcap.jsonl")"

# 1 KB per direction is enough: each ServerHello is read without its certificates
"$TLSREADY" pcap --handshakes --json --flow-bytes 1024 "$T/cap.pcap" > "$T/small.jsonl" 2>/dev/null
expect_eq "--flow-bytes 1024: same handshakes" "$(cat "$T/small.jsonl")" "$(cat "$T/pcap.jsonl")"

# the aggregated report: per client IP, per server (SNI), per day
"$TLSREADY" pcap --json "$T/cap.pcap" > "$T/agg.json" 2>"$T/agg.err"; rc=$?
expect_eq "aggregated: exit code 1" "$rc" 1
expect_eq "aggregated: summary (handshakes, legacy, failed legacy, refused)" \
  "$(jq -r '.summary | [.handshakes, .legacy, .failed_legacy, .refused_for_version] | join(" ")' "$T/agg.json")" "9 2 1 1"
expect_eq "aggregated: client 127.0.0.1 legacy 2, failed 1" \
  "$(jq -r '.clients[] | select(.client == "127.0.0.1") | [.legacy, .failed] | join(" ")' "$T/agg.json")" "2 1"
expect_eq "aggregated: legacy servers" \
  "$(jq -r '[.servers[] | select(.legacy + .failed_legacy > 0) | .server] | sort | join(" ")' "$T/agg.json")" \
  "refused.example tls10.example tls11.example"
"$TLSREADY" pcap --csv clients "$T/cap.pcap" > "$T/clients.csv" 2>/dev/null
expect_eq "csv clients: header and two client IPs" "$(wc -l < "$T/clients.csv")" 3
"$TLSREADY" pcap --min tls1.0 "$T/cap.pcap" > /dev/null 2>&1; rc=$?
expect_eq "--min tls1.0: nothing legacy, exit 0" "$rc" 0

# errors
"$TLSREADY" pcap "$T/nonexistent.pcap" > /dev/null 2>"$T/e1"; rc=$?
expect_eq "missing file: exit 2" "$rc" 2
echo "not a capture" > "$T/bad.pcap"
"$TLSREADY" pcap "$T/bad.pcap" > /dev/null 2>"$T/e2"; rc=$?
expect_eq "not a capture: exit 2" "$rc" 2
check "not a capture: the message names the file" grep -q "bad.pcap" "$T/e2"
"$TLSREADY" pcap --min tls9 "$T/cap.pcap" > /dev/null 2>&1; rc=$?
expect_eq "bad --min: exit 2" "$rc" 2
"$TLSREADY" pcap --filter 'tcp port (' "$T/cap.pcap" > "$T/o3" 2>"$T/e3"; rc=$?
expect_eq "bad BPF filter: exit 2, nothing on stdout" "$rc $(wc -c < "$T/o3")" "2 0"
# a capture cut in the middle of a packet keeps what came before
head -c $(( $(stat -c %s "$T/cap.pcap") - 30 )) "$T/cap.pcap" > "$T/cut.pcap"
"$TLSREADY" pcap --handshakes --json "$T/cut.pcap" > "$T/cut.jsonl" 2>/dev/null
expect_eq "truncated capture: the handshakes before the cut" "$(wc -l < "$T/cut.jsonl")" 9
done_testing
