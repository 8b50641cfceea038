# Helpers for the hostile-input tests (sourced after tests/lib.sh).
# HOSTILE_DIR: this directory. Every run goes through `measure`, which records
# exit code, wall time and peak RSS, and `san_clean`, which fails on any
# sanitizer report (ASan, UBSan, LeakSanitizer) in the program's stderr.

HOSTILE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# hostile_build: compiles the hostile server (again when the source is newer)
hostile_build() {
  [ -x "$TEST_TMP/hostile_server" ] && [ "$TEST_TMP/hostile_server" -nt "$HOSTILE_DIR/hostile_server.c" ] && return 0
  cc -O1 -std=c17 -D_GNU_SOURCE -Wall -Wextra -o "$TEST_TMP/hostile_server" "$HOSTILE_DIR/hostile_server.c"
}

# hostile_start MODE [ARGS...]: starts the server in MODE; sets HPORT
hostile_start() {
  local mode=$1; shift
  local pf="$TEST_TMP/port.$mode.$RANDOM"
  rm -f "$pf"
  bg "$TEST_TMP/hostile_server" --mode "$mode" --port-file "$pf" --lifetime 300 "$@" >/dev/null 2>>"$TEST_TMP/server.$mode.log"
  local i=0
  while [ ! -s "$pf" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
  HPORT=$(cat "$pf" 2>/dev/null)
  [ -n "$HPORT" ]
}

# measure PREFIX LIMIT_SECONDS CMD...: runs CMD under `timeout` (KILL after the
# limit) and /usr/bin/time; writes PREFIX.out, .err, .rc, .wall (seconds, 2
# decimals) and .rss (peak KB). Never fails itself.
measure() {
  local p=$1 lim=$2; shift 2
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$p.rss" timeout -s KILL "$lim" "$@" >"$p.out" 2>"$p.err"
  echo $? >"$p.rc"
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 ))" | awk '{printf "%.2f\n", $1 / 1000}' >"$p.wall"
  # GNU time appends "Command terminated by signal" lines before the number
  tail -1 "$p.rss" >"$p.rss.tmp" && mv "$p.rss.tmp" "$p.rss"
}

# san_clean PREFIX: no sanitizer report in PREFIX.err
san_clean() {
  ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer' "$1.err"
}

# not_killed PREFIX: exit code is neither a signal nor timeout's KILL
not_killed() {
  local rc
  rc=$(cat "$1.rc")
  [ "$rc" -lt 124 ]
}

# wall_below PREFIX SECONDS
wall_below() {
  awk -v w="$(cat "$1.wall")" -v m="$2" 'BEGIN { exit !(w < m) }'
}

# show PREFIX: diagnostics for a failed check
show() {
  diag "rc=$(cat "$1.rc" 2>/dev/null) wall=$(cat "$1.wall" 2>/dev/null)s rss=$(cat "$1.rss" 2>/dev/null)KB"
  head -c 600 "$1.out" 2>/dev/null | sed 's/^/# out: /'
  grep -m 12 -E 'ERROR|SUMMARY|runtime error|#[0-9] ' "$1.err" 2>/dev/null | sed 's/^/# err: /'
}
