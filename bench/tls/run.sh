#!/usr/bin/env bash
# Micro-benchmark of the TLS engine's per-connection hot paths (single thread):
# hello building (scanner), server reply / flight parsing (scanner), ClientHello
# parsing + JA3 + JA4 (serve, pcap), certificate decoding (scanner).
# Runs tools/tls_engine_bench RUNS times and writes the medians to RESULTS.md.
#   B=/tmp/b-x bash bench/tls/run.sh [RUNS] [SECONDS_PER_OP]
set -eu
cd "$(dirname "$0")/../.."
B="${B:-build}"
runs="${1:-5}"; secs="${2:-1}"
bin="$B/rel/tools/tls_engine_bench"
[ -x "$bin" ] || make B="$B" tools >/dev/null
args=(fuzz/corpus/server_reply/flight_tls12_ecdhe.bin fuzz/corpus/certificate/rsa2048_selfsigned.der "$secs")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for i in $(seq "$runs"); do "$bin" "${args[@]}" > "$tmp/run$i"; done
/usr/bin/time -v "$bin" "${args[@]}" > /dev/null 2> "$tmp/time"
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
{
  echo "# TLS engine micro-benchmark"
  echo
  echo "Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), shared with other"
  echo "builds and tests while measured, so treat figures as lower bounds. $(date -u +%F)."
  echo "Method: \`bench/tls/run.sh $runs $secs\`: tools/tls_engine_bench (gcc -O2), each operation in a loop"
  echo "for ${secs}s, $runs runs, median shown. Peak RSS of one full run: ${rss} KB."
  echo
  echo "| operation | median ops/s | median ns/op |"
  echo "|---|---:|---:|"
  for op in $(awk '{print $1}' "$tmp/run1"); do
    ops=$(grep -h "^$op " "$tmp"/run* | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    ns=$(grep -h "^$op " "$tmp"/run* | awk '{print $4}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "| \`$op\` | $ops | $ns |"
  done
  echo
  echo "Inputs: the TLS 1.2 ECDHE flight from fuzz/corpus/server_reply (ServerHello, one RSA-2048"
  echo "certificate, ServerKeyExchange, ServerHelloDone: 1232 bytes); our own TLS 1.3 hello with the"
  echo "TLS 1.2 fallback list (~330 suites, the worst case for JA3/JA4); the RSA-2048 seed certificate."
  echo "Hashes go through OpenSSL 3's EVP_Digest, whose per-call algorithm fetch dominates JA3/JA4."
} > bench/tls/RESULTS.md
cat bench/tls/RESULTS.md
