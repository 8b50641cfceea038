#!/usr/bin/env bash
# Records the seed capture for tools/gen_pcap: real handshakes on loopback
# between openssl s_server and openssl s_client / gnutls-cli / curl at every
# version, plus a client refused for its version. Usage: make_seed.sh OUT.pcap
set -u
out=$1
d=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$d"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/k.pem" -out "$d/c.pem" -days 30 -subj /CN=bench.example 2>/dev/null
P1=$(port); P2=$(port)
openssl s_server -accept "127.0.0.1:$P1" -cert "$d/c.pem" -key "$d/k.pem" -quiet -www -naccept 100 \
  -cipher 'ALL:@SECLEVEL=0' </dev/null >/dev/null 2>&1 & pids+=($!)
openssl s_server -accept "127.0.0.1:$P2" -cert "$d/c.pem" -key "$d/k.pem" -quiet -www -naccept 100 \
  -min_protocol TLSv1.2 </dev/null >/dev/null 2>&1 & pids+=($!)
sleep 0.5
tcpdump -i lo -U --immediate-mode -w "$out" "tcp port $P1 or tcp port $P2" 2>"$d/td.err" & td=$!; pids+=($td)
for i in $(seq 100); do grep -q "listening on" "$d/td.err" && break; sleep 0.1; done
sleep 0.3
L='DEFAULT:@SECLEVEL=0'
sc() { timeout 10 openssl s_client "$@" </dev/null >/dev/null 2>&1; }
sc -connect "127.0.0.1:$P1" -servername www.bench.example -alpn h2,http/1.1
sc -connect "127.0.0.1:$P1" -servername api.bench.example -tls1_2
sc -connect "127.0.0.1:$P1" -servername legacy11.bench.example -tls1_1 -cipher "$L"
sc -connect "127.0.0.1:$P1" -servername legacy10.bench.example -tls1 -cipher "$L"
sc -connect "127.0.0.1:$P2" -servername strict.bench.example -tls1 -cipher "$L"
timeout 10 gnutls-cli --insecure --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' --sni-hostname gnutls.bench.example \
  -p "$P1" 127.0.0.1 </dev/null >/dev/null 2>&1
timeout 10 curl -sk --resolve "curl.bench.example:$P1:127.0.0.1" "https://curl.bench.example:$P1/" -o /dev/null
sleep 1.5
kill -INT $td; wait $td 2>/dev/null
