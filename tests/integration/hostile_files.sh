#!/usr/bin/env bash
# Every file reader on hostile files: logins (CSV), logs (access logs), pcap,
# endpoints (Apex, metadata XML, zip). Each run: no crash or kill, no
# sanitizer report, bounded wall time and peak RSS, JSON output that is valid
# in strict UTF-8, and the exact counts / records the file's truth gives: a bad
# record is skipped and counted with file:line, a broken file is exit 2 naming
# the file, and the good records around hostile ones are still found.
# Big inputs are made as gzip streams (a 256 MiB line costs ~1 MiB on disk):
# the reader still inflates and walks every byte, which proves the bound as
# well as 1 GiB would (1 GiB was run by hand: docs/hostile.md).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hostile/lib_hostile.sh"

BIG_MB=256
RSS_KB=$((160 * 1024))   # ASan binary: ~15-50 MB at rest; a buffered 256 MiB line would blow this
D="$TEST_TMP/files"; mkdir -p "$D"

# run READER NAME FILE ARGS...: measure into $D/NAME.*
run() { local name=$1; shift; measure "$D/$name" 60 "$TLSREADY" "$@"; }
# runs in the background are collected in RUNS and waited for by PID (a bare
# `wait` would wait for the test's servers too)
RUNS=()
bgrun() { run "$@" & RUNS+=($!); }
wait_runs() { [ ${#RUNS[@]} -gt 0 ] && wait "${RUNS[@]}"; RUNS=(); }

# sane NAME WALL: common checks of one run (3 TAP points)
sane() {
  local p="$D/$1"
  if not_killed "$p" && san_clean "$p"; then ok "$1: no crash, no kill, sanitizers clean (exit $(cat "$p.rc"))"
  else not_ok "$1: no crash, no kill, sanitizers clean"; show "$p"; fi
  if wall_below "$p" "$2" && [ "$(cat "$p.rss")" -le "$RSS_KB" ]; then
    ok "$1: $(cat "$p.wall")s (< $2 s), peak RSS $(cat "$p.rss") KB"
  else not_ok "$1: $(cat "$p.wall")s (bound $2 s), peak RSS $(cat "$p.rss") KB (bound $RSS_KB)"; fi
  if [ "$(cat "$p.rc")" -ge 2 ] || python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$p.out" 2>/dev/null ||
     python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1],"rb").read().decode("utf-8").splitlines() if l]' "$p.out" 2>/dev/null; then
    ok "$1: output is valid JSON in UTF-8"
  else not_ok "$1: output is valid JSON in UTF-8"; head -c 300 "$p.out" | sed 's/^/# /'; fi
}
rc_of() { cat "$D/$1.rc"; }
j() { jq -r "$2" "$D/$1.out" 2>/dev/null; }
err_has() { grep -q -- "$2" "$D/$1.err"; }

# ---------------------------------------------------------------- logins (CSV)
H='UserId,LoginTime,SourceIp,LoginType,Application,Browser,Platform,TlsProtocol,CipherSuite,Status'
L='005000000000001AAA,2024-03-01T10:00:00.000+0000,10.0.0.1,Remote Access 2.0,{X},Java (Salesforce.com),Unknown,TLS 1.0,ECDHE-RSA-AES256-GCM-SHA384,Success'
if "$TLSREADY" logins --help >/dev/null 2>&1; then
  python3 "$HOSTILE_DIR/gen_files.py" "$D/logins" --header "$H" --line "$L" --big-mb $BIG_MB
  python3 - "$D/logins" <<'EOF'
import sys, zlib
d = sys.argv[1]
H = b'UserId,LoginTime,SourceIp,LoginType,Application,Browser,Platform,TlsProtocol,CipherSuite,Status\n'
ok = b'005000000000001AAA,2024-03-01T10:00:00.000+0000,10.0.0.1,Remote Access 2.0,App,Java (Salesforce.com),Unknown,TLS 1.0,ECDHE-RSA-AES256-GCM-SHA384,Success\n'
bad = ok.replace(b',App,', b',"Unbalanced,')
open(d + '/quote.csv', 'wb').write(H + ok + bad + ok * 5)
# an unbalanced quote followed by 30 MB of rows: an RFC 4180 reader must not
# swallow it all into one field
c = zlib.compressobj(1, zlib.DEFLATED, 31)
with open(d + '/quotebomb.csv.gz', 'wb') as f:
    f.write(c.compress(H + ok + bad))
    for _ in range(200):
        f.write(c.compress(ok * 1000))
    f.write(c.flush())
EOF
  for f in utf8.txt bigline.gz garbage.bin trunc.gz corrupt.gz empty.txt nul.txt manycols.txt quote.csv quotebomb.csv.gz; do
    bgrun "logins.$f" logins --json "$D/logins/$f"
  done
  wait_runs
  for f in utf8.txt bigline.gz garbage.bin trunc.gz corrupt.gz empty.txt nul.txt manycols.txt quote.csv quotebomb.csv.gz; do
    sane "logins.$f" 20
  done
  expect_eq "logins utf8.txt: 18 rows, none skipped" "$(j logins.utf8.txt '[.summary.total,.summary.rows_skipped]|@csv')" "18,0"
  check "logins utf8.txt: valid multi-byte text survives" grep -q 'café ✓ 🔒' "$D/logins.utf8.txt.out"
  expect_eq "logins bigline.gz: the ${BIG_MB} MiB row skipped, 3 counted" "$(j logins.bigline.gz '[.summary.total,.summary.rows_skipped]|@csv')" "3,1"
  check "logins bigline.gz: the skipped row is named file:line" err_has logins.bigline.gz "bigline.gz:3"
  for f in garbage.bin trunc.gz corrupt.gz; do
    expect_eq "logins $f: exit 2" "$(rc_of "logins.$f")" 2
    check "logins $f: the error names the file" err_has "logins.$f" "$f"
  done
  expect_eq "logins manycols.txt: 2 rows, 1 skipped" "$(j logins.manycols.txt '[.summary.total,.summary.rows_skipped]|@csv')" "2,1"
  expect_eq "logins quote.csv: the unbalanced row skipped, the 6 others counted" "$(j logins.quote.csv '[.summary.total,.summary.rows_skipped]|@csv')" "6,1"
  check "logins quote.csv: the unbalanced row is named file:line" err_has logins.quote.csv "quote.csv:3"
  expect_eq "logins quotebomb.csv.gz: 1 skipped, 200001 counted" "$(j logins.quotebomb.csv.gz '[.summary.total,.summary.rows_skipped]|@csv')" "200001,1"
else
  ok "# SKIP tlsready logins not built yet"
fi

# ---------------------------------------------------------------- logs (nginx)
NL='203.0.113.9 - - [03/Nov/2026:14:05:11 +0000] "GET /api HTTP/1.1" 200 5120 "-" "{X}" TLSv1 ECDHE-RSA-AES256-SHA'
if "$TLSREADY" logs --help >/dev/null 2>&1; then
  python3 "$HOSTILE_DIR/gen_files.py" "$D/logs" --line "$NL" --big-mb $BIG_MB
  for f in utf8.txt bigline.gz garbage.bin trunc.gz corrupt.gz empty.txt nul.txt manycols.txt; do
    bgrun "logs.$f" logs --json "$D/logs/$f"
  done
  wait_runs
  for f in utf8.txt bigline.gz garbage.bin trunc.gz corrupt.gz empty.txt nul.txt manycols.txt; do
    sane "logs.$f" 20
  done
  expect_eq "logs utf8.txt: 18 requests" "$(j logs.utf8.txt '.summary.total')" "18"
  check "logs utf8.txt: valid multi-byte text survives (user agent family)" grep -q '"café"' "$D/logs.utf8.txt.out"
  expect_eq "logs bigline.gz: the ${BIG_MB} MiB line skipped, 3 counted" "$(j logs.bigline.gz '[.summary.total,.summary.rows_skipped]|@csv')" "3,1"
  check "logs bigline.gz: the skipped line is named file:line" err_has logs.bigline.gz "bigline.gz:2"
  for f in garbage.bin trunc.gz corrupt.gz; do
    expect_eq "logs $f: exit 2" "$(rc_of "logs.$f")" 2
    check "logs $f: the error names the file" err_has "logs.$f" "$f"
  done
else
  ok "# SKIP tlsready logs not built yet"
fi

# ---------------------------------------------------------------- pcap
if "$TLSREADY" pcap --help >/dev/null 2>&1; then
  python3 "$HOSTILE_DIR/gen_pcap.py" "$D/pcap"
  P=(mixed.pcap snap60.pcap trunc.pcap caplen.pcap snaplen.pcap linktype.pcap ng-badlen.pcapng ng-short.pcapng gap.pcap)
  for f in "${P[@]}"; do bgrun "pcap.$f" pcap --handshakes --json "$D/pcap/$f"; done
  bgrun pcap.flows.pcap pcap --handshakes --json --max-flows 4096 "$D/pcap/flows.pcap"
  wait_runs
  for f in "${P[@]}" flows.pcap; do sane "pcap.$f" 20; done
  CTL='10.0.0.1:40000 good.example tls1.2 TLS_RSA_WITH_AES_128_GCM_SHA256'
  ctl() { jq -r 'select(.client=="10.0.0.1:40000") | "\(.client) \(.sni) \(.negotiated) \(.cipher)"' "$D/pcap.$1.out" 2>/dev/null; }
  liars() { jq -r 'select(.client!="10.0.0.1:40000" and .negotiated!=null) | .client' "$D/pcap.$1.out" 2>/dev/null | tr '\n' ' '; }
  for f in mixed.pcap snaplen.pcap gap.pcap flows.pcap caplen.pcap ng-badlen.pcapng ng-short.pcapng; do
    expect_eq "pcap $f: the control handshake, exactly once" "$(ctl "$f")" "$CTL"
    expect_eq "pcap $f: no other handshake claims a negotiated version" "$(liars "$f")" ""
  done
  for f in caplen.pcap ng-badlen.pcapng ng-short.pcapng; do
    expect_eq "pcap $f: exit 2 (a corrupt capture)" "$(rc_of "pcap.$f")" 2
    check "pcap $f: the error names the file" err_has "pcap.$f" "$f"
  done
  expect_eq "pcap trunc.pcap: the control without its (cut) ServerHello" "$(ctl trunc.pcap)" "10.0.0.1:40000 good.example null null"
  check "pcap trunc.pcap: the truncation is reported" err_has pcap.trunc.pcap "truncated"
  expect_eq "pcap snap60.pcap: no handshake read from 60-byte snapshots" "$(grep -c . "$D/pcap.snap60.pcap.out")" 0
  check "pcap linktype.pcap: the unknown link type is reported" err_has pcap.linktype.pcap "147"
else
  ok "# SKIP tlsready pcap not built yet"
fi

# ---------------------------------------------------------------- endpoints (Apex, XML, zip)
if "$TLSREADY" endpoints --help >/dev/null 2>&1; then
  # any connection to this port means an external entity or DTD was fetched
  lport=$(free_port)
  bg python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(50)
while True:
    c, _ = s.accept(); open(sys.argv[2], "a").write("hit\n"); c.close()' "$lport" "$D/net_hits"
  python3 "$HOSTILE_DIR/gen_org.py" "$D/org" "$lport"
  bgrun endpoints.dir endpoints --json "$D/org/org"
  bgrun endpoints.zip endpoints --json "$D/org/org.zip"
  bgrun endpoints.trunc endpoints --json "$D/org/trunc.zip"
  wait_runs
  for n in dir zip trunc; do sane "endpoints.$n" 20; done
  hosts() { jq -r '[.endpoints[].host] | sort | join(" ")' "$D/endpoints.$1.out" 2>/dev/null; }
  for n in dir zip; do
    h=" $(hosts $n) "
    if [[ "$h" == *" good.example.com "* && "$h" == *" good-site.example.com "* ]]; then
      ok "endpoints $n: the two controls are found among the hostile files"
    else not_ok "endpoints $n: the two controls are found: got$h"; fi
    if grep -q 'root:x:0:0\|lollollol' "$D/endpoints.$n.out"; then not_ok "endpoints $n: no entity expanded (/etc/passwd, billion laughs)"
    else ok "endpoints $n: no entity expanded (/etc/passwd, billion laughs)"; fi
    for bad in laughs.example.com xxe.example.com xxenet.example.com xxedtd.example.com; do
      [[ "$h" == *" $bad "* ]] && not_ok "endpoints $n: $bad (a document with a DTD) is not read"
    done
  done
  expect_eq "endpoints: no network fetch of an external entity or DTD" "$(cat "$D/net_hits" 2>/dev/null | wc -l)" 0
  for f in Laughs XxeFile XxeNet XxeDtd Deep Big Trunc Bad8; do
    n=$(jq --arg f "$f" '[.diagnostics[] | select(.file | contains("/" + $f + "."))] | length' "$D/endpoints.dir.out" 2>/dev/null)
    if [ "${n:-0}" -ge 1 ]; then ok "endpoints dir: $f reported with file:line"
    else not_ok "endpoints dir: $f reported with file:line"; fi
  done
  check "endpoints dir: a constant cycle is reported, not followed forever" \
    jq -e '[.dynamic[] | select(.file | endswith("Cycle.cls"))] | length >= 1' "$D/endpoints.dir.out" >/dev/null
  expect_eq "endpoints trunc.zip: exit 2" "$(rc_of endpoints.trunc)" 2
  check "endpoints trunc.zip: the error names the file" err_has endpoints.trunc "trunc.zip"
else
  ok "# SKIP tlsready endpoints not built yet"
fi

done_testing
