#!/usr/bin/env bash
# tlsready pcap -i lo: a live capture with a BPF filter, stopped with SIGINT,
# reports the handshakes made meanwhile (one at TLS 1.2, one refused for TLS 1.0)
# and exits with the legacy finding.
source "$(dirname "$0")/../lib.sh"
T=$TEST_TMP
P1=$(free_port); P2=$(free_port)
s_server "$P1" -www
s_server "$P2" -www -min_protocol TLSv1.2
wait_port "$P1"; wait_port "$P2"

"$TLSREADY" pcap -i lo --filter "tcp port $P1 or tcp port $P2" --handshakes --json > "$T/live.jsonl" 2>"$T/live.err" &
LP=$!; PIDS+=($LP)
# the capture is ready once libpcap has the socket open; give it a moment
sleep 1.5
timeout 10 openssl s_client -connect "127.0.0.1:$P1" -servername live12.example -tls1_2 </dev/null >/dev/null 2>&1
timeout 10 openssl s_client -connect "127.0.0.1:$P2" -servername live10.example -tls1 -cipher 'DEFAULT:@SECLEVEL=0' \
  </dev/null >/dev/null 2>&1
# a connection outside the filter is not seen
P3=$(free_port); s_server "$P3" -www; wait_port "$P3"
timeout 10 openssl s_client -connect "127.0.0.1:$P3" -servername filtered.example </dev/null >/dev/null 2>&1
sleep 1
kill -INT $LP
wait $LP; rc=$?
expect_eq "live: exit code 1 after Ctrl-C (legacy seen)" "$rc" 1
expect_eq "live: the two handshakes inside the filter" \
  "$(jq -r '[.sni, .max_offered, (.negotiated // "null"), (.alert // "null")] | join(" ")' "$T/live.jsonl" | sort)" \
  "live10.example tls1.0 null protocol_version
live12.example tls1.2 tls1.2 null"

# the aggregated report is written after Ctrl-C too
"$TLSREADY" pcap -i lo --filter "tcp port $P1" --json > "$T/live.json" 2>"$T/live2.err" &
LP=$!; PIDS+=($LP)
sleep 1.5
timeout 10 openssl s_client -connect "127.0.0.1:$P1" -servername agg.example </dev/null >/dev/null 2>&1
sleep 1
kill -INT $LP
wait $LP; rc=$?
expect_eq "live aggregated: exit 0 (TLS 1.3 only)" "$rc" 0
expect_eq "live aggregated: one handshake, at tls1.3" \
  "$(jq -r '[.summary.handshakes, .summary.versions["tls1.3"]] | join(" ")' "$T/live.json")" "1 1"

"$TLSREADY" pcap -i no-such-interface0 > /dev/null 2>"$T/e"; rc=$?
expect_eq "unknown interface: exit 2" "$rc" 2
check "unknown interface: the message names it" grep -q "no-such-interface0" "$T/e"
done_testing
