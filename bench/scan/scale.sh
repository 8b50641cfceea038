#!/usr/bin/env bash
# Scale benchmark: tlsready scan (versions) of >= 2,000 targets on loopback:
# one nginx (ECDSA P-256 certificate, TLS 1.0-1.3, 2 workers) listening on
# PORTS ports, scanned at ADDRS addresses 127.0.0.x each (ADDRS x PORTS targets).
# Reports targets/s, tlsready's own CPU time per probe (user+sys / probes) and
# peak RSS, at --concurrency 100 (default) and 1000.
#
#   bench/scan/scale.sh [ADDRS] [PORTS] [RUNS]      (default 100 20 3)
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [ -z "${IN_NETNS:-}" ]; then
  exec unshare -n env IN_NETNS=1 bash "$0" "$@"
fi
ip link set lo up
ADDRS=${1:-100}; NPORTS=${2:-20}; RUNS=${3:-3}
TLSREADY=${TLSREADY:-$ROOT/tlsready}
W=${W:-$(mktemp -d /tmp/bench-scale.XXXXXX)}
mkdir -p "$W/nginx-tmp"
source "$HERE/servers.sh"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/ec.key" -out "$W/ec.crt" \
  -days 30 -subj "/CN=localhost" 2>/dev/null
ports=(); listens=""
for i in $(seq 1 "$NPORTS"); do p=$(free_port); ports+=("$p"); listens="$listens    listen $p ssl backlog=4096;
"; done
cat > "$W/nginx.conf" <<EOF
daemon off;
worker_processes 2;
worker_rlimit_nofile 20000;
pid $W/nginx.pid;
error_log $W/nginx-error.log crit;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $W/nginx-tmp; proxy_temp_path $W/nginx-tmp; fastcgi_temp_path $W/nginx-tmp;
  uwsgi_temp_path $W/nginx-tmp; scgi_temp_path $W/nginx-tmp;
  server {
$listens
    ssl_certificate $W/ec.crt;
    ssl_certificate_key $W/ec.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_ciphers DEFAULT:@SECLEVEL=0;
  }
}
EOF
nginx -e "$W/nginx-error.log" -c "$W/nginx.conf" -p "$W/" </dev/null >/dev/null 2>&1 &
NGINX=$!
trap 'kill $NGINX 2>/dev/null; wait $NGINX 2>/dev/null' EXIT
for p in "${ports[@]}"; do wait_port "$p" || exit 1; done

: > "$W/targets.txt"
for a in $(seq 1 "$ADDRS"); do for p in "${ports[@]}"; do echo "127.0.0.$a:$p" >> "$W/targets.txt"; done; done
N=$(wc -l < "$W/targets.txt")

echo "# scale: $N targets ($ADDRS addresses x $NPORTS ports, one nginx, 2 workers), $(nproc) cores (shared), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| concurrency | run | wall s | targets/s | probes | peak in flight | user+sys s | CPU per probe µs | peak RSS MB | all ok |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for conc in 100 1000; do
  for r in $(seq 1 "$RUNS"); do
    p="$W/scale.$conc.$r"
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$p.time" "$TLSREADY" scan --json --no-progress --stats --concurrency "$conc" --per-address 10 \
      --targets "$W/targets.txt" > "$p.out" 2> "$p.err"
    t1=$(date +%s%N)
    wall=$(echo "scale=3; ($t1 - $t0) / 1000000000" | bc)
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$p.time")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$p.time")
    probes=$(sed -n 's/.* \([0-9]*\) probes, peak \([0-9]*\) connections.*/\1/p' "$p.err")
    peak=$(sed -n 's/.* \([0-9]*\) probes, peak \([0-9]*\) connections.*/\2/p' "$p.err")
    okn=$(grep -c '"verdict":"ok"' "$p.out")
    printf '| %s | %s | %s | %.0f | %s | %s | %s | %.1f | %s | %s/%s |\n' "$conc" "$r" "$wall" \
      "$(echo "$N / $wall" | bc -l)" "$probes" "$peak" "$cpu" "$(echo "$cpu * 1000000 / $probes" | bc -l)" "$rss" "$okn" "$N"
  done
done
echo
echo "raw results: $W"
