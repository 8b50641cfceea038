#!/usr/bin/env bash
# Full-enumeration benchmark: every accepted cipher suite per version (plus
# groups, checks and, for the peers, whatever their full mode does) on the
# batch of 15 local servers of bench/scan/servers.sh: tlsready scan --ciphers
# vs sslscan, nmap ssl-enum-ciphers and testssl.sh -p -E.
# Per tool: (server, version, suite) triples found vs configured, servers whose
# whole suite list is exact, wall time, CPU, peak RSS (/usr/bin/time -v).
#
#   bench/scan/full.sh [TLSREADY_RUNS]      (default 5; sslscan 3, nmap and testssl 1)
#
# Ground truth per server comes from its configuration: the OpenSSL cipher
# string expanded per version by `openssl ciphers -stdname -s -<version>`
# (s_server, nginx: nginx enables DHE only with ssl_dhparam, none here, so
# kDHE is removed), `gnutls-cli -l --priority P` for gnutls-serv (RSA-auth
# suites, since its certificate is RSA). Runs inside `unshare -n` with only
# loopback up.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [ -z "${IN_NETNS:-}" ]; then
  exec unshare -n env IN_NETNS=1 bash "$0" "$@"
fi
ip link set lo up
RUNS=${1:-5}
TOOLS=${TOOLS:-"tlsready tlsready_certs sslscan nmap testssl"}   # tlsready_certs: --ciphers --certs
TLSREADY=${TLSREADY:-$ROOT/tlsready}
W=${W:-$(mktemp -d /tmp/bench-full.XXXXXX)}
mkdir -p "$W"
source "$HERE/servers.sh"
trap 'stop_batch' EXIT
[ -n "${RESCORE:-}" ] || start_batch || exit 1
mapfile -t NAMES < <(cut -f1 "$W/batch.tsv")
mapfile -t PORTS < <(cut -f2 "$W/batch.tsv")
mapfile -t WANTS < <(cut -f3 "$W/batch.tsv")
N=${#NAMES[@]}
VNAMES=(ssl3 tls1.0 tls1.1 tls1.2 tls1.3)
OFLAG=(-ssl3 -tls1 -tls1_1 -tls1_2 -tls1_3)

# --- ground truth: "PORT VERSION IANA" per configured suite ---
ossl_truth() {  # port spec(or "") accepted-mask
  local port=$1 spec=$2 i=0
  for a in $3; do
    if [ "$a" = a ]; then
      if [ "${VNAMES[$i]}" = tls1.3 ]; then
        openssl ciphers -stdname -s -tls1_3 2>/dev/null | awk '$NF ~ /Mac=AEAD/ && /TLSv1.3/ {print $1}'
      elif [ -n "$spec" ]; then
        openssl ciphers -stdname -s "${OFLAG[$i]}" "$spec" 2>/dev/null | awk '!/TLSv1.3/ {print $1}'
      else
        openssl ciphers -stdname -s "${OFLAG[$i]}" 2>/dev/null | awk '!/TLSv1.3/ {print $1}'
      fi | awk '!/ECDSA|_DSS_|PSK|SRP/' | sed "s/^/$port ${VNAMES[$i]} /"   # the certificate is RSA
    fi
    i=$((i + 1))
  done
}
gnutls_truth() {  # port priority accepted-mask
  local port=$1 prio=$2 i=0
  for a in $3; do
    if [ "$a" = a ]; then
      gnutls-cli -l --priority "$prio" | awk -v v="${VNAMES[$i]}" -v port="$port" '
        /^TLS_/ && !/ECDSA/ && !/_PSK_/ && !/_SRP_/ && !/_anon_/ {
          min = $NF; code = toupper(substr($2, 3, 2) substr($3, 3, 2))
          if (v == "tls1.3") { if (min == "TLS1.3") print port, v, code }
          else if (min != "TLS1.3" && (min == "TLS1.0" || min == "SSL3.0" || (min == "TLS1.1" && v != "tls1.0") || (min == "TLS1.2" && v == "tls1.2"))) print port, v, code
        }'
    fi
    i=$((i + 1))
  done
}
code2iana() {  # "PORT V CODE" -> "PORT V IANA", names from openssl (not from tlsready's own table)
  python3 -c '
import sys, subprocess
names = {}
out = subprocess.run(["openssl", "ciphers", "-V", "-stdname", "-ciphersuites",
                      "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256",
                      "ALL:COMPLEMENTOFALL:@SECLEVEL=0"], capture_output=True, text=True).stdout
for line in out.splitlines():
    f = line.split()
    if len(f) > 3 and f[0].startswith("0x"):
        hi, lo = f[0].split(",")
        names[(hi[2:] + lo[2:]).upper()] = f[2]
for line in sys.stdin:
    p, v, c = line.split()
    print(p, v, names.get(c, "0x" + c))
'
}
[ -n "${RESCORE:-}" ] || : > "$W/truth"
for i in "${!NAMES[@]}"; do
  [ -n "${RESCORE:-}" ] && break
  n=${NAMES[$i]} p=${PORTS[$i]} w=${WANTS[$i]}
  case $n in
    s_tls12|s_tls12-13|s_tls13) ossl_truth "$p" "" "$w" ;;
    s_*) ossl_truth "$p" "$SEC0" "$w" ;;
    gnutls_tls11-12) gnutls_truth "$p" 'NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1' "$w" | code2iana ;;
    gnutls_tls12-13) gnutls_truth "$p" 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2' "$w" | code2iana ;;
    gnutls_tls13) gnutls_truth "$p" 'NORMAL:-VERS-ALL:+VERS-TLS1.3' "$w" | code2iana ;;
    nginx_tls10-13) ossl_truth "$p" "$SEC0:!kDHE" "$w" ;;
    nginx_*) ossl_truth "$p" 'HIGH:!aNULL:!MD5:!kDHE' "$w" ;;
  esac >> "$W/truth"
done
[ -n "${RESCORE:-}" ] || sort -u -o "$W/truth" "$W/truth"

timed() {
  local p=$1 t0 t1; shift
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$p.time" "$@" > "$p.out" 2> "$p.err"
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))" | awk '{ printf "%.3f\n", $1 / 1e6 }' > "$p.wall"
}
rss_of() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1.time"; }
cpu_of() { awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$1.time"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
vmap='{ m["SSLv3"]="ssl3"; m["TLSv1"]="tls1.0"; m["TLSv1.0"]="tls1.0"; m["TLSv1.1"]="tls1.1"; m["TLSv1.2"]="tls1.2"; m["TLSv1.3"]="tls1.3" }'

# Each parser prints "PORT VERSION IANA" per suite the tool reported.
parse_tlsready_certs() { parse_tlsready "$@"; }
parse_tlsready() {
  jq -r '.port as $p | (.enumeration // {}) | to_entries[] | .key as $v | .value.suites[]? | "\($p) \($v) \(.iana // .code)"' "$1.out"
}
parse_sslscan() {  # sslscan 2.0.7 prints OpenSSL names (--iana-names has no effect): map them
  openssl ciphers -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | awk '{print $3, $1}' > "$1.names"
  awk "BEGIN $vmap"'
       FNR == NR { iana[$1] = $2; next }
       /^Testing SSL server/ { port = $7 }
       /^(Preferred|Accepted) / { n = ($5 in iana) ? iana[$5] : $5; print port, m[$2], n }' "$1.names" "$1.out"
}
parse_nmap() {
  python3 - "$1.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
vm = {"SSLv3": "ssl3", "TLSv1.0": "tls1.0", "TLSv1.1": "tls1.1", "TLSv1.2": "tls1.2", "TLSv1.3": "tls1.3"}
for port in ET.parse(sys.argv[1]).getroot().iter("port"):
    for script in port.iter("script"):
        if script.get("id") != "ssl-enum-ciphers":
            continue
        for vt in script.findall("table"):
            v = vm.get(vt.get("key"))
            for ct in vt.findall("table[@key='ciphers']/table"):
                for e in ct.findall("elem[@key='name']"):
                    print(port.get("portid"), v, e.text.replace("TLS_AKE_WITH_", "TLS_"))
EOF
}
parse_testssl() {  # ids: cipher-ssl3_x.., cipher-tls1_x.., cipher-tls1_1_x.., cipher-tls1_2_x.., cipher-tls1_3_x..
  jq -r '.[] | select(.id | startswith("cipher-")) | "\(.port) \(.id) \(.finding)"' "$1.json" 2>/dev/null |
    awk 'BEGIN { m["ssl3"]="ssl3"; m["tls1"]="tls1.0"; m["tls1_1"]="tls1.1"; m["tls1_2"]="tls1.2"; m["tls1_3"]="tls1.3" }
         { v = substr($2, 8); sub(/_x[0-9a-fA-F]+$/, "", v); print $1, m[v], $NF }'
}

score() {  # prefix -> "found configured extra missing exact_servers"
  "parse_$1" "$2" | sort -u > "$2.parsed"
  local right extra missing exact=0
  right=$(comm -12 "$W/truth" "$2.parsed" | wc -l)
  extra=$(comm -13 "$W/truth" "$2.parsed" | wc -l)
  missing=$(comm -23 "$W/truth" "$2.parsed" | wc -l)
  for p in "${PORTS[@]}"; do
    if diff <(awk -v p="$p" '$1 == p' "$W/truth") <(awk -v p="$p" '$1 == p' "$2.parsed") >/dev/null; then exact=$((exact + 1)); fi
  done
  echo "$right $(wc -l < "$W/truth") $extra $missing $exact"
}

run_tool() {
  local tool=$1 run=$2 p="$W/$1.$2" t=()
  for port in "${PORTS[@]}"; do t+=("127.0.0.1:$port"); done
  case $tool in
    tlsready) timed "$p" "$TLSREADY" scan --ciphers --json --no-progress --stats "${t[@]}" ;;
    tlsready_certs) timed "$p" "$TLSREADY" scan --ciphers --certs --json --no-progress --stats "${t[@]}" ;;
    sslscan)
      printf '%s\n' "${t[@]}" > "$p.targets"
      timed "$p" sslscan --no-colour --iana-names --targets="$p.targets" ;;
    nmap) timed "$p" nmap -n -Pn --script ssl-enum-ciphers -p "$(IFS=,; echo "${PORTS[*]}")" -oX "$p.xml" 127.0.0.1 ;;
    testssl)
      : > "$p.file"
      for x in "${t[@]}"; do echo "-p -E --quiet --color 0 $x" >> "$p.file"; done
      timed "$p" testssl --warnings batch --jsonfile "$p.json" --file "$p.file" ;;
  esac
  echo "$p"
}

if [ -n "${RESCORE:-}" ]; then   # score the raw results already in $W again (after a parser fix)
  for tool in $TOOLS; do
    last=$(ls "$W/$tool".*.wall 2>/dev/null | sort -V | tail -1); last=${last%.wall}
    [ -n "$last" ] || continue
    wmed=$(cat "$W/$tool".*.wall | median)
    read -r right total extra missing exact <<<"$(score "$tool" "$last")"
    printf '| %s | %s | %s / %s | %s | %s | %s/%s | %s | %s | %.1f |\n' "$tool" "$(ls "$W/$tool".*.wall | wc -l)" "$right" "$total" \
      "$extra" "$missing" "$exact" "$N" "$wmed" "$(cpu_of "$last")" "$(echo "$(rss_of "$last") / 1024" | bc -l)"
  done
  exit 0
fi

echo "# tlsready scan --ciphers full-enumeration benchmark: $N servers, $(wc -l < "$W/truth") configured (server, version, suite) triples, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores (shared)"
echo
echo "| tool | runs | suites found / configured | extra | missing | servers exact | wall (median) s | CPU s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|"
declare -A BEST
for tool in $TOOLS; do
  case $tool in tlsready*) n=$RUNS ;; sslscan) n=3 ;; *) n=1 ;; esac
  walls=(); last=""
  for r in $(seq 1 "$n"); do last=$(run_tool "$tool" "$r"); walls+=("$(cat "$last.wall")"); done
  wmed=$(printf '%s\n' "${walls[@]}" | median)
  read -r right total extra missing exact <<<"$(score "$tool" "$last")"
  printf '| %s | %s | %s / %s | %s | %s | %s/%s | %s | %s | %.1f |\n' "$tool" "$n" "$right" "$total" "$extra" "$missing" \
    "$exact" "$N" "$wmed" "$(cpu_of "$last")" "$(echo "$(rss_of "$last") / 1024" | bc -l)"
  BEST[$tool]=$wmed
done
echo
fastest=""; fv=999999
for tool in sslscan nmap testssl; do
  [ -n "${BEST[$tool]:-}" ] || continue
  v=${BEST[$tool]}; if [ "$(echo "$v < $fv" | bc)" = 1 ]; then fv=$v; fastest=$tool; fi
done
[ -n "$fastest" ] && [ -n "${BEST[tlsready]:-}" ] &&
  echo "- tlsready ${BEST[tlsready]}s vs fastest peer $fastest ${fv}s: $(echo "scale=1; $fv / ${BEST[tlsready]}" | bc)x"
grep -h 'probes' "$W"/tlsready.1.err 2>/dev/null | sed 's/^/- tlsready stats (run 1): /'
echo
echo "raw results: $W"
