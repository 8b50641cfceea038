#!/usr/bin/env bash
# Benchmark of `tlsready endpoints` on a generated org (tools/gen_org.c):
# 20,000 Apex classes (+ their -meta.xml) and 2,000 settings files, in /tmp.
# Reports wall time (median of RUNS warm runs), files/s, MB/s and peak RSS
# (/usr/bin/time -v), next to a text-only peer (grep -rEo for URL literals),
# which is the floor for "read every byte once" on this machine.
#   B=/tmp/b-endpoints RUNS=5 CLASSES=20000 SETTINGS=2000 bash bench/endpoints/run.sh
set -eu
cd "$(dirname "$0")/../.."
B="${B:-/tmp/b-endpoints}"
RUNS="${RUNS:-5}"
CLASSES="${CLASSES:-20000}"
SETTINGS="${SETTINGS:-2000}"
ORG="${ORG:-/tmp/tlsready-bench-org-$CLASSES}"

# a release build of our own (gcc -O2), not the shared ./tlsready
make --no-print-directory B="$B" "$B/rel/libtlsready.a" "$B/rel/src/main.o" "$B/rel/tools/gen_org" >/dev/null
gcc -o "$B/rel/tlsready-bench" "$B/rel/src/main.o" "$B/rel/libtlsready.a" \
    $(pkg-config --libs libssl libcrypto libcares libpcap zlib libxml-2.0 libzip) -lm -lpthread
BIN="$B/rel/tlsready-bench"

if [ ! -f "$ORG/.complete" ]; then
  rm -rf "$ORG"
  "$B/rel/tools/gen_org" bench "$ORG" --classes "$CLASSES" --settings "$SETTINGS" --seed 7
  touch "$ORG/.complete"
fi
files=$(find "$ORG" -type f ! -name .complete | wc -l)
bytes=$(du -sb --exclude=.complete "$ORG" | cut -f1)
apex=$(find "$ORG" -name '*.cls' | wc -l)

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timeit() { # prints seconds of one run of "$@" (output discarded)
  local s e
  s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN {printf "%.4f\n", e - s}'
}

"$BIN" endpoints --json "$ORG" > /dev/null 2>&1 || true   # warm the page cache
t_ours=$(for i in $(seq "$RUNS"); do timeit "$BIN" endpoints --json "$ORG"; done | median)
t_grep=$(for i in $(seq "$RUNS"); do timeit grep -rhoE "https?://[^'\" <]+" "$ORG"; done | median)
# peak RSS and CPU seconds (user + system) from GNU time; CPU time is the
# figure to trust on a shared machine, where wall time includes waiting for a core
tv() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); rss=$2}
        /User time|System time/ {cpu += $2} END {printf "%d %.3f\n", rss, cpu}'; }
read -r rss_ours cpu_ours < <(tv "$BIN" endpoints --json "$ORG")
read -r rss_grep cpu_grep < <(tv grep -rhoE "https?://[^'\" <]+" "$ORG")
summary=$("$BIN" endpoints --json "$ORG" 2>/dev/null | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(s["endpoints"], s["dynamic"], s["targets"])')

calc() { awk "BEGIN {print $1}"; }
printf 'org: %s files (%s .cls), %.1f MB\n' "$files" "$apex" "$(calc "$bytes/1048576")"
printf 'endpoints/dynamic/targets found: %s\n' "$summary"
printf '%-34s %8s %8s %12s %10s %12s\n' tool "wall s" "CPU s" "files/s" "MB/s" "peak RSS MB"
printf '%-34s %8.3f %8.3f %12.0f %10.1f %12.1f\n' "tlsready endpoints --json" "$t_ours" "$cpu_ours" \
  "$(calc "$files/$t_ours")" "$(calc "$bytes/1048576/$t_ours")" "$(calc "$rss_ours/1024")"
printf '%-34s %8.3f %8.3f %12.0f %10.1f %12.1f\n' "grep -rhoE (URL literals only)" "$t_grep" "$cpu_grep" \
  "$(calc "$files/$t_grep")" "$(calc "$bytes/1048576/$t_grep")" "$(calc "$rss_grep/1024")"
echo "(files/s and MB/s from the median wall time of $RUNS warm runs; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
