#!/usr/bin/env bash
# Versions benchmark: tlsready scan vs sslscan, testssl.sh -p and nmap
# ssl-enum-ciphers on a batch of 15 local servers (bench/scan/servers.sh), on
# plain loopback and through bench/scan/delay_proxy.py (+50 ms per round trip).
# Per tool and condition: servers right / wrong against their configuration,
# wall time of the batch, CPU time, peak RSS (/usr/bin/time -v).
#
#   bench/scan/versions.sh [TLSREADY_RUNS]      (default 5; peers: sslscan 3, nmap and testssl 1)
#
# Everything runs inside `unshare -n` with only loopback up (testssl.sh resolves
# names by itself; nothing may leave the machine). Output: a Markdown table on
# stdout and the raw results under $W (printed at the end).
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [ -z "${IN_NETNS:-}" ]; then
  exec unshare -n env IN_NETNS=1 bash "$0" "$@"
fi
ip link set lo up
RUNS=${1:-5}
TOOLS=${TOOLS:-"tlsready sslscan nmap testssl"}   # a subset for a quick look
TLSREADY=${TLSREADY:-$ROOT/tlsready}
W=${W:-$(mktemp -d /tmp/bench-scan.XXXXXX)}
mkdir -p "$W"
source "$HERE/servers.sh"
PROXY_PID=""
trap 'stop_batch; [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null' EXIT

start_batch || exit 1
mapfile -t NAMES < <(cut -f1 "$W/batch.tsv")
mapfile -t PORTS < <(cut -f2 "$W/batch.tsv")
mapfile -t WANTS < <(cut -f3 "$W/batch.tsv")
N=${#NAMES[@]}

# the proxy: one listening port per server
maps=(); declare -A DPORT
for i in "${!PORTS[@]}"; do
  dp=$(free_port); DPORT[${PORTS[$i]}]=$dp; maps+=("$dp:${PORTS[$i]}")
done
python3 "$HERE/delay_proxy.py" --rtt-ms 50 "${maps[@]}" > "$W/proxy.out" 2>&1 &
PROXY_PID=$!
for i in "${!PORTS[@]}"; do wait_port "${DPORT[${PORTS[$i]}]}" || exit 1; done

# timed RUN_PREFIX CMD...: /usr/bin/time -v into PREFIX.time, stdout PREFIX.out
# (wall from the clock around it: time -v only resolves 10 ms)
timed() {
  local p=$1 t0 t1; shift
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$p.time" "$@" > "$p.out" 2> "$p.err"
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))" | awk '{ printf "%.3f\n", $1 / 1e6 }' > "$p.wall"
}
wall_of() { cat "$1.wall"; }
rss_of() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1.time"; }
cpu_of() { awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$1.time"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Each parser prints "PORT a r a a r" per server it reported on.
parse_tlsready() {
  jq -r '[.port, (.versions["ssl3","tls1.0","tls1.1","tls1.2","tls1.3"] | .[0:1])] | join(" ")' "$1.out"
}
parse_sslscan() {
  awk '/^Testing SSL server/ { port = $7 }
       /^(SSLv3|TLSv1\.[0-3]) / { v[port, $1] = ($2 == "enabled") ? "a" : "r"; seen[port] = 1 }
       END { for (p in seen) print p, v[p,"SSLv3"], v[p,"TLSv1.0"], v[p,"TLSv1.1"], v[p,"TLSv1.2"], v[p,"TLSv1.3"] }' "$1.out"
}
parse_nmap() {
  python3 - "$1.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for port in root.iter("port"):
    found = set()
    for script in port.iter("script"):
        if script.get("id") != "ssl-enum-ciphers":
            continue
        for t in script.findall("table"):
            found.add(t.get("key"))
    print(port.get("portid"), " ".join("a" if v in found else "r" for v in ("SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")))
EOF
}
parse_testssl() {
  # text output: "Start ... -->> 127.0.0.1:PORT", then "SSLv3  not offered", "TLS 1  offered (deprecated)", ...
  # (a server its OpenSSL "cannot connect" to gets no protocol lines: reported as none)
  awk '/-->> 127\.0\.0\.1:/ { if (match($0, /127\.0\.0\.1:[0-9]+/)) port = substr($0, RSTART + 10, RLENGTH - 10) }
       /^ *SSLv3 / { v[port, "ssl3"] = ($2 == "offered") ? "a" : "r"; seen[port] = 1 }
       /^ *TLS 1 / { v[port, "tls1.0"] = ($3 == "offered") ? "a" : "r" }
       /^ *TLS 1\.[123] / { v[port, "tls" $2] = ($3 == "offered") ? "a" : "r" }
       END { for (p in seen) print p, v[p,"ssl3"], v[p,"tls1.0"], v[p,"tls1.1"], v[p,"tls1.2"], v[p,"tls1.3"] }' "$1.out"
}

# score TOOL PREFIX PORTMAP: counts servers whose five answers all match the configuration
score() {
  local tool=$1 p=$2 mode=$3 right=0 wrong=0 detail=""
  "parse_$tool" "$p" > "$p.parsed" 2>/dev/null
  for i in "${!PORTS[@]}"; do
    local port=${PORTS[$i]}
    [ "$mode" = delay ] && port=${DPORT[$port]}
    local got
    got=$(awk -v p="$port" '$1 == p { $1 = ""; sub(/^ /, ""); print; exit }' "$p.parsed")
    if [ "$got" = "${WANTS[$i]}" ]; then right=$((right + 1))
    else wrong=$((wrong + 1)); detail="$detail ${NAMES[$i]}(got '${got:-none}' want '${WANTS[$i]}')"; fi
  done
  echo "$right $wrong$detail"
}

ports_for() { local mode=$1 out=(); for p in "${PORTS[@]}"; do [ "$mode" = delay ] && out+=("${DPORT[$p]}") || out+=("$p"); done; echo "${out[@]}"; }

run_tool() {  # tool mode run -> prefix
  local tool=$1 mode=$2 run=$3 p="$W/$1.$2.$3"
  local ports; ports=$(ports_for "$mode")
  case $tool in
    tlsready)
      local t=(); for port in $ports; do t+=("127.0.0.1:$port"); done
      timed "$p" "$TLSREADY" scan --json --no-progress --stats "${t[@]}" ;;
    sslscan)
      : > "$p.targets"; for port in $ports; do echo "127.0.0.1:$port" >> "$p.targets"; done
      timed "$p" sslscan --no-colour --no-ciphersuites --no-fallback --no-renegotiation --no-compression \
        --no-heartbleed --no-groups --no-check-certificate --targets="$p.targets" ;;
    nmap)
      timed "$p" nmap -n -Pn --script ssl-enum-ciphers -p "$(echo "$ports" | tr ' ' ,)" -oX "$p.xml" 127.0.0.1 ;;
    testssl)
      # sequential, one testssl.sh per server (its default mass-testing mode, serial)
      : > "$p.file"
      for port in $ports; do echo "-p --quiet --color 0 127.0.0.1:$port" >> "$p.file"; done
      timed "$p" testssl --warnings batch --file "$p.file" ;;
  esac
  echo "$p"
}

echo "# tlsready scan versions benchmark: $N servers, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores (shared)"
echo
echo "| condition | tool | runs | servers right | wrong | wall (median) s | CPU s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|"
declare -A BEST
for mode in plain delay; do
  for tool in $TOOLS; do
    case $tool in tlsready) n=$RUNS ;; sslscan) n=3 ;; *) n=1 ;; esac
    walls=(); last=""
    for r in $(seq 1 "$n"); do
      last=$(run_tool "$tool" "$mode" "$r")
      walls+=("$(wall_of "$last")")
    done
    wmed=$(printf '%s\n' "${walls[@]}" | median)
    read -r right wrong detail <<<"$(score "$tool" "$last" "$mode")"
    printf '| %s | %s | %s | %s | %s | %s | %s | %.1f |\n' "$mode" "$tool" "$n" "$right/$N" "$wrong" "$wmed" \
      "$(cpu_of "$last")" "$(echo "$(rss_of "$last") / 1024" | bc -l)"
    [ -n "$detail" ] && echo "|  | ↳ wrong: $detail | | | | | | |"
    BEST[$mode.$tool]=$wmed
  done
done
echo
for mode in plain delay; do
  fastest=""; fv=999999
  for tool in sslscan nmap testssl; do
    [ -n "${BEST[$mode.$tool]:-}" ] || continue
    v=${BEST[$mode.$tool]}; if [ "$(echo "$v < $fv" | bc)" = 1 ]; then fv=$v; fastest=$tool; fi
  done
  t=${BEST[$mode.tlsready]}
  echo "- $mode: tlsready ${t}s vs fastest peer $fastest ${fv}s: $(echo "scale=1; $fv / $t" | bc)x"
done
grep -h 'probes' "$W"/tlsready.plain.1.err | sed 's/^/- tlsready stats (plain, run 1): /'
echo
echo "raw results: $W"
