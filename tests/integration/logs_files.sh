#!/usr/bin/env bash
# tlsready logs over many files: gzip files are read side by side (one per
# thread, merged at the end), the others in order. Whatever the threads, the
# report, the malformed-line examples (in file order) and the errors must be
# those of reading the files one after the other.
source "$(dirname "$0")/../lib.sh"

GEN="$(dirname "$TLSREADY")/../rel/tools/gen_nginx_log"
if [ ! -x "$GEN" ]; then
  GEN="$TEST_TMP/gen_nginx_log"
  cc -O2 -std=c17 -D_GNU_SOURCE -o "$GEN" "$(dirname "$0")/../../tools/gen_nginx_log.c" || { not_ok "build the generator"; done_testing; exit 1; }
fi
D="$TEST_TMP/rot"; mkdir -p "$D"
"$GEN" --format nginx --lines 60000 --clients 3000 --seed 11 --expect "$TEST_TMP/all.exp" > "$TEST_TMP/all.log"
split -n l/6 -d "$TEST_TMP/all.log" "$D/access.log."
# rotated-log shape: the newest plain, the older ones gzip; bad lines in three of them
printf 'not a log line\n' >> "$D/access.log.01"
printf 'bad line two\nbad line three\n' >> "$D/access.log.03"
printf 'bad in plain\n' >> "$D/access.log.00"
for i in 01 02 03 04 05; do gzip "$D/access.log.$i"; done
FILES=("$D/access.log.00" "$D"/access.log.0[1-5].gz)

summary() { python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); s=d["summary"]
print(s["total"], s["legacy"], s["distinct_clients"], s["malformed_lines"], s["versions"]["tls1.0"], s["versions"]["tls1.3"])' "$1"; }

"$TLSREADY" logs --threads 1 --json "${FILES[@]}" > "$TEST_TMP/t1.json" 2> "$TEST_TMP/t1.err"
"$TLSREADY" logs --threads 4 --json "${FILES[@]}" > "$TEST_TMP/t4.json" 2> "$TEST_TMP/t4.err"
want=$(python3 -c '
import json; e=json.load(open("'"$TEST_TMP/all.exp"'")); v=e["versions"]
print(e["lines"] - e["plain"], e["legacy"], e["clients"], 4, v["tls1.0"], v["tls1.3"])')
expect_eq "six files, one thread: the generator's counts (4 bad lines)" "$(summary "$TEST_TMP/t1.json")" "$want"
check "four threads (five gzip files side by side): the same report" cmp -s "$TEST_TMP/t1.json" "$TEST_TMP/t4.json"
check "four threads: the same malformed-line examples, in file order" cmp -s "$TEST_TMP/t1.err" "$TEST_TMP/t4.err"
first=$(sed -n 2p "$TEST_TMP/t4.err" | cut -d: -f1)
expect_eq "the first example is from the first file (read in order, not side by side)" "$first" "  $D/access.log.00"
"$TLSREADY" logs --threads 4 --show-bad 2 --csv clients "${FILES[@]}" 2> "$TEST_TMP/b2.err" > /dev/null
expect_eq "--show-bad 2: the first two in file order" "$(sed -n '2,3p' "$TEST_TMP/b2.err" | sed 's/:[0-9]*:.*//; s/.*\///')" \
  "access.log.00
access.log.01.gz"

# a corrupt gzip among them: named, exit 2, the others counted; the same with 1 or 4 threads
cp "$D/access.log.02.gz" "$TEST_TMP/corrupt.gz"
printf '\x55\x55\x55\x55\x55\x55\x55\x55' | dd of="$TEST_TMP/corrupt.gz" bs=1 seek=2000 conv=notrunc 2>/dev/null
for th in 1 4; do
  "$TLSREADY" logs --threads $th --json "$D/access.log.01.gz" "$TEST_TMP/corrupt.gz" "$D/access.log.04.gz" > "$TEST_TMP/c$th.json" 2> "$TEST_TMP/c$th.err"
  echo $? > "$TEST_TMP/c$th.rc"
done
expect_eq "corrupt gzip: exit 2" "$(cat "$TEST_TMP/c4.rc")" "2"
check "corrupt gzip: the file is named" grep -q "corrupt.gz" "$TEST_TMP/c4.err"
check "corrupt gzip: 1 and 4 threads agree" cmp -s "$TEST_TMP/c1.err" "$TEST_TMP/c4.err"

# one gzip file alone: with two threads one inflates ahead while the other parses; same report, same errors
gzip -c "$TEST_TMP/all.log" > "$TEST_TMP/all.log.gz"
"$TLSREADY" logs --threads 1 --json "$TEST_TMP/all.log.gz" > "$TEST_TMP/one1.json" 2>/dev/null
"$TLSREADY" logs --threads 2 --json "$TEST_TMP/all.log.gz" > "$TEST_TMP/one2.json" 2>/dev/null
check "one gzip file, read ahead by a second thread: the same report" cmp -s "$TEST_TMP/one1.json" "$TEST_TMP/one2.json"
expect_eq "one gzip file: the generator's counts" "$(summary "$TEST_TMP/one2.json")" \
  "$(echo "$want" | awk '{ $4 = 0; print }')"
for th in 1 2; do
  "$TLSREADY" logs --threads $th --json "$TEST_TMP/corrupt.gz" > /dev/null 2> "$TEST_TMP/one-c$th.err"
done
check "one corrupt gzip file: the same error read ahead or not" cmp -s "$TEST_TMP/one-c1.err" "$TEST_TMP/one-c2.err"

# --strict reads in order and stops at the first bad line, whatever the threads
"$TLSREADY" logs --strict --threads 4 --json "$D/access.log.02.gz" "$D/access.log.03.gz" "$D/access.log.04.gz" \
  > /dev/null 2> "$TEST_TMP/s.err"; rc=$?
expect_eq "--strict: exit 2" "$rc" "2"
check "--strict: the error names access.log.03.gz and its line" grep -q "access.log.03.gz:[0-9]*: " "$TEST_TMP/s.err"

# the progress line of gzip files read side by side (a terminal, via script(1))
script -qec "'$TLSREADY' logs --threads 4 --csv clients ${FILES[*]} > /dev/null" /dev/null > "$TEST_TMP/tty.out" 2>&1
check "terminal: the line says five gzip files, four at a time" grep -q "reading 5 gzip files, 4 at a time: 0 done, 0 MB" "$TEST_TMP/tty.out"
done_testing
