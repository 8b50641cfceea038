#!/usr/bin/env bash
# Runs every test and ends with one line "N passed, N failed".
# Every test program speaks TAP ("ok N - ...", "not ok N - ..."): cmocka unit
# tests (CMOCKA_MESSAGE_OUTPUT=TAP), integration scripts (tests/lib.sh) and a
# short run of each fuzz target (one TAP point each).
#   ONLY=unit|integration|fuzz   run one group;  T=pattern   only files matching
#   FUZZ_SMOKE=seconds           per fuzz target (default 4)
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B="${B:-build}"; case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
export TLSREADY="${TLSREADY:-$B/asan/tlsready}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}"
OUT="${TEST_OUT:-$B/test-out}"
rm -rf "$OUT"; mkdir -p "$OUT"
passed=0; failed=0
only="${ONLY:-}"; pat="${T:-}"

# count TAP lines of one log into passed/failed; a program that exits non-zero
# or prints no TAP point at all counts as one failure
tally() {
  local name=$1 log=$2 rc=$3 p f secs=$(( $(date +%s) - T0 ))
  p=$(grep -cE '^ok [0-9]+' "$log"); f=$(grep -cE '^not ok [0-9]+' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ $((p + f)) -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -gt 0 ]; then
    printf 'FAIL %-40s %d passed, %d failed (exit %d) %ds\n' "$name" "$p" "$f" "$rc" "$secs"
    grep -E '^not ok|^# ' "$log" | head -40 | sed 's/^/    /'
    [ "$rc" -ne 0 ] && tail -25 "$log" | sed 's/^/    | /'
  else
    printf 'ok   %-40s %4d passed %4ds\n' "$name" "$p" "$secs"
  fi
}

if [ -z "$only" ] || [ "$only" = unit ]; then
  for t in "$B"/asan/tests/test_*; do
    [ -x "$t" ] || continue
    name=unit/$(basename "$t")
    [ -n "$pat" ] && [[ "$name" != *$pat* ]] && continue
    log="$OUT/$(basename "$t").log"
    T0=$(date +%s)
    CMOCKA_MESSAGE_OUTPUT=TAP timeout 120 "$t" > "$log" 2>&1; rc=$?
    tally "$name" "$log" "$rc"
  done
fi

if [ -z "$only" ] || [ "$only" = integration ]; then
  for t in tests/integration/*.sh; do
    [ -f "$t" ] || continue
    name=integration/$(basename "$t" .sh)
    [ -n "$pat" ] && [[ "$name" != *$pat* ]] && continue
    log="$OUT/$(basename "$t" .sh).log"
    T0=$(date +%s)
    TEST_TMP="$OUT/$(basename "$t" .sh).d" timeout 300 bash "$t" > "$log" 2>&1; rc=$?
    tally "$name" "$log" "$rc"
  done
fi

if [ -z "$only" ] || [ "$only" = fuzz ]; then
  secs="${FUZZ_SMOKE:-4}"
  for f in "$B"/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    n=$(basename "$f")
    name=fuzz/$n
    [ -n "$pat" ] && [[ "$name" != *$pat* ]] && continue
    log="$OUT/$n.log"; corpus="$OUT/$n.corpus"; mkdir -p "$corpus"
    seeds="fuzz/corpus/${n#fuzz_}"
    [ -d "$seeds" ] || seeds=""
    T0=$(date +%s)
    timeout $((secs + 60)) "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$OUT/$n-" "$corpus" $seeds > "$log" 2>&1; rc=$?
    if [ "$rc" -eq 0 ]; then echo "ok 1 - $n ran ${secs}s without a finding" >> "$log"; fi
    tally "$name" "$log" "$rc"
  done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
