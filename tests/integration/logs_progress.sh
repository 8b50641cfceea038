#!/usr/bin/env bash
# tlsready logs shows a progress line on stderr when stderr is a terminal (run
# under script(1) for a pseudo-terminal), and nothing when it is not; the
# report on stdout is the same either way.
source "$(dirname "$0")/../lib.sh"

GEN="$(dirname "$TLSREADY")/../rel/tools/gen_nginx_log"
if [ ! -x "$GEN" ]; then
  GEN="$TEST_TMP/gen_nginx_log"
  cc -O2 -std=c17 -D_GNU_SOURCE -o "$GEN" "$(dirname "$0")/../../tools/gen_nginx_log.c" || { not_ok "build the generator"; done_testing; exit 1; }
fi
LOG="$TEST_TMP/access.log"
# 140 MB: progress is reported every 64 MB read
"$GEN" --format nginx --bytes 140000000 --clients 2000 --seed 3 > "$LOG"
head -c 100000000 "$LOG" > "$TEST_TMP/part1"
tail -c +100000001 "$LOG" > "$TEST_TMP/part2"

# not a terminal: no progress at all
"$TLSREADY" logs --csv clients "$LOG" > "$TEST_TMP/plain.csv" 2> "$TEST_TMP/plain.err"
expect_eq "no terminal: stderr is empty" "$(wc -c < "$TEST_TMP/plain.err")" "0"

# a terminal, a regular file: the line names the file, its size and share
script -qec "'$TLSREADY' logs --threads 1 --csv clients '$LOG' > '$TEST_TMP/tty.csv'" /dev/null > "$TEST_TMP/tty.out" 2>&1
check "terminal: same report as without" cmp -s "$TEST_TMP/plain.csv" "$TEST_TMP/tty.csv"
check "terminal: first line names file 1 of 1, its size and 0%" \
  grep -q "reading 1/1 $LOG: 0 of 140 MB (0%)" "$TEST_TMP/tty.out"
last=$(tail -c 4 "$TEST_TMP/tty.out" | od -An -c | tr -s ' ')
expect_eq "terminal: the line is cleared at the end" "$last" " \r 033 [ K"

# a terminal, standard input that pauses after 100 MB: the line after the pause
# shows what was read (at least 128 MB: reports come every 64 MB), no total
script -qec "{ cat '$TEST_TMP/part1'; sleep 0.6; cat '$TEST_TMP/part2'; } | '$TLSREADY' logs --csv clients - > '$TEST_TMP/stdin.csv'" /dev/null > "$TEST_TMP/stdin.out" 2>&1
check "stdin: same report" cmp -s "$TEST_TMP/plain.csv" "$TEST_TMP/stdin.csv"
mb=$(tr '\r' '\n' < "$TEST_TMP/stdin.out" | sed -n 's/.*reading 1\/1 -: \([0-9]*\) MB$/\1/p' | sort -n | tail -1)
check "stdin: a progress line after the pause shows >= 128 MB read (got '${mb:-none}')" test "${mb:-0}" -ge 128

# several files: the line counts them
script -qec "'$TLSREADY' logs --csv clients '$TEST_TMP/part1' '$TEST_TMP/part2' > /dev/null" /dev/null > "$TEST_TMP/two.out" 2>&1
check "two files: the second is named 2/2" grep -q "reading 2/2 $TEST_TMP/part2: 0 of 40 MB" "$TEST_TMP/two.out"
done_testing
