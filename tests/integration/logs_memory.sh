#!/usr/bin/env bash
# tlsready logs keeps memory bounded when values never repeat: a log whose
# every user agent is different (a device id in it, 300 bytes each) must not
# cost more than the pre-combiner's bound on held values (64 MB) over the same
# log with one user agent; and the counts are those of the generator.
source "$(dirname "$0")/../lib.sh"

python3 - "$TEST_TMP" <<'PY'
import sys
d = sys.argv[1]
line = '%s - - [03/Nov/2026:00:00:%02d +0000] "GET / HTTP/1.1" 200 5 "-" "%s" %s ECDHE-RSA-AES128-GCM-SHA256\n'
with open(d + "/uniq.log", "w") as f, open(d + "/same.log", "w") as g:
    for i in range(200000):
        ip = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
        ver = "TLSv1" if i % 10 == 0 else "TLSv1.2"
        f.write(line % (ip, i % 60, "MyAgent/2.1 (device %016x; %s)" % (i, "x" * 260), ver))
        g.write(line % (ip, i % 60, "MyAgent/2.1 (device %016x; %s)" % (0, "x" * 260), ver))
PY
# peak memory is measured on the release build: AddressSanitizer's allocator (quarantine,
# shadow memory) blurs it; the counts are checked on the sanitised build too
REL="$(dirname "$TLSREADY")/../rel/tlsready"
[ -x "$REL" ] || REL="$TLSREADY"
for f in same uniq; do
  /usr/bin/time -o "$TEST_TMP/$f.time" -f "%M" "$REL" logs --threads 1 --json "$TEST_TMP/$f.log" > "$TEST_TMP/$f.json" || true
done
"$TLSREADY" logs --threads 1 --json "$TEST_TMP/uniq.log" > "$TEST_TMP/uniq-asan.json" || true
check "the sanitised build gives the same report" cmp -s "$TEST_TMP/uniq.json" "$TEST_TMP/uniq-asan.json"
same=$(tail -1 "$TEST_TMP/same.time"); uniq=$(tail -1 "$TEST_TMP/uniq.time")
extra=$(( (uniq - same) / 1024 ))
check "200,000 different 300-byte user agents cost ${extra} MB over one repeated (bound: < 64 MB; about 110 MB unbounded)" test "$extra" -lt 64
got=$(python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["total"], s["legacy"], s["distinct_clients"], s["distinct_user_agents"])' "$TEST_TMP/uniq.json")
expect_eq "every request counted: total, legacy, clients, agent families" "$got" "200000 20000 200000 1"
done_testing
