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
trap 'exit 143' TERM INT   # so that lib.sh's EXIT cleanup stops our servers when run.sh times out

BIG_MB=256
RSS_KB=$((160 * 1024))   # ASan binary: ~15-50 MB at rest; a buffered 256 MiB line would blow this
D="$TEST_TMP/files"; mkdir -p "$D"

# run READER NAME FILE ARGS...: measure into $D/NAME.*
run() {
  local name=$1; shift
  case $name in
    scan.*) measure "$D/$name" 60 unshare -n "$TLSREADY" "$@" ;;   # no network at all
    *) measure "$D/$name" 60 "$TLSREADY" "$@" ;;
  esac
}
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
  # strict UTF-8 (iconv fails on any invalid sequence), then JSON (a document or JSON lines)
  if [ "$(cat "$p.rc")" -ge 2 ] || { iconv -f UTF-8 -t UTF-8 "$p.out" >/dev/null 2>&1 && jq -s . "$p.out" >/dev/null 2>&1; }; then
    ok "$1: output is valid JSON in UTF-8"
  else not_ok "$1: output is valid JSON in UTF-8"; head -c 300 "$p.out" | sed 's/^/# /'; fi
}
rc_of() { cat "$D/$1.rc"; }
j() { jq -r "$2" "$D/$1.out" 2>/dev/null; }
err_has() { grep -q -- "$2" "$D/$1.err"; }
# no_ctl NAME: the text output (not a TTY: no colour) holds no C0 control byte
# but newline and tab, and no DEL: bytes from the input (a user agent, an SNI,
# an Apex string) must not reach the terminal as escape sequences
no_ctl() {
  if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$D/$1.out"; then
    not_ok "$1: text output carries no terminal control bytes from the input"
    LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$D/$1.out" | head -3 | cat -v | sed 's/^/# /'
  else ok "$1: text output carries no terminal control bytes from the input"; fi
}

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
# classic Mac line ends (Excel's "CSV (Macintosh)"): a bad row (2000 fields)
# must not take the rest of the file with it
cr = lambda b: b.replace(b'\n', b'\r')
open(d + '/cr.csv', 'wb').write(cr(H + ok) + b',' * 2000 + b'\r' + cr(ok) * 5)
# an unbalanced quote followed by 30 MB of rows: an RFC 4180 reader must not
# swallow it all into one field
c = zlib.compressobj(1, zlib.DEFLATED, 31)
with open(d + '/quotebomb.csv.gz', 'wb') as f:
    f.write(c.compress(H + ok + bad))
    for _ in range(200):
        f.write(c.compress(ok * 1000))
    f.write(c.flush())
EOF
  for f in utf8.txt bigline.gz garbage.bin trunc.gz corrupt.gz empty.txt nul.txt manycols.txt quote.csv quotebomb.csv.gz cr.csv; do
    bgrun "logins.$f" logins --json "$D/logins/$f"
  done
  bgrun logins.text logins "$D/logins/utf8.txt"
  wait_runs
  for f in utf8.txt bigline.gz garbage.bin trunc.gz corrupt.gz empty.txt nul.txt manycols.txt quote.csv quotebomb.csv.gz cr.csv; do
    sane "logins.$f" 20
  done
  no_ctl logins.text
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
  expect_eq "logins cr.csv (CR line ends): the bad row skipped, the 6 others counted" "$(j logins.cr.csv '[.summary.total,.summary.rows_skipped]|@csv')" "6,1"
  expect_eq "logins quotebomb.csv.gz: 1 skipped, 200001 counted" "$(j logins.quotebomb.csv.gz '[.summary.total,.summary.rows_skipped]|@csv')" "200001,1"
else
  ok "# SKIP tlsready logins not built yet"
fi

diag "after logins: ${SECONDS}s"

# ---------------------------------------------------------------- logs (nginx)
NL='203.0.113.9 - - [03/Nov/2026:14:05:11 +0000] "GET /api HTTP/1.1" 200 5120 "-" "{X}" TLSv1 ECDHE-RSA-AES256-SHA'
if "$TLSREADY" logs --help >/dev/null 2>&1; then
  python3 "$HOSTILE_DIR/gen_files.py" "$D/logs" --line "$NL" --big-mb $BIG_MB
  for f in utf8.txt bigline.gz garbage.bin trunc.gz corrupt.gz empty.txt nul.txt manycols.txt; do
    bgrun "logs.$f" logs --json "$D/logs/$f"
  done
  bgrun logs.text logs "$D/logs/utf8.txt"
  # JSON-lines formats: nesting 15000 and 8000 deep, duplicate keys, an
  # unterminated string, a time of 1e999999 (counted, with no day), between two good lines
  python3 - "$D/logs/deep.jsonl" <<'PY'
import sys
head = '{"time":"2026-11-03T14:05:11Z","client":"1.2.3.4:5","outcome":"accepted","negotiated":"tls1.0",'
with open(sys.argv[1], "w") as f:
    f.write(head + '"sni":"a.example"}\n')
    f.write(head + '"z":' + "[" * 15000 + "]" * 15000 + ',"sni":"deep.example"}\n')
    f.write(head + '"z":' + '{"a":' * 8000 + "1" + "}" * 8000 + ',"sni":"deep2.example"}\n')
    f.write(head + '"sni":"unterminated\n')
    f.write(head.replace('"2026-11-03T14:05:11Z"', "1e999999") + '"sni":"bignum.example"}\n')
    f.write(head + '"sni":"b.example"}\n')
PY
  bgrun logs.deep.jsonl logs --format serve --json "$D/logs/deep.jsonl"
  wait_runs
  for f in utf8.txt bigline.gz garbage.bin trunc.gz corrupt.gz empty.txt nul.txt manycols.txt; do
    sane "logs.$f" 20
  done
  no_ctl logs.text
  sane logs.deep.jsonl 20
  expect_eq "logs deep.jsonl: deep nesting and broken lines skipped, the good lines counted" \
    "$(j logs.deep.jsonl '[.summary.total,.summary.rows_skipped]|@csv')" "3,3"
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

diag "after logs: ${SECONDS}s"

# ---------------------------------------------------------------- pcap
if "$TLSREADY" pcap --help >/dev/null 2>&1; then
  python3 "$HOSTILE_DIR/gen_pcap.py" "$D/pcap"
  P=(mixed.pcap snap60.pcap trunc.pcap caplen.pcap snaplen.pcap linktype.pcap ng-badlen.pcapng ng-short.pcapng gap.pcap)
  for f in "${P[@]}"; do bgrun "pcap.$f" pcap --handshakes --json "$D/pcap/$f"; done
  bgrun pcap.flows.pcap pcap --handshakes --json --max-flows 4096 "$D/pcap/flows.pcap"
  bgrun pcap.text pcap --handshakes "$D/pcap/esc.pcap"
  bgrun pcap.textagg pcap "$D/pcap/esc.pcap"
  wait_runs
  no_ctl pcap.text
  no_ctl pcap.textagg
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

diag "after pcap: ${SECONDS}s"

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
  bgrun endpoints.liar endpoints --json "$D/org/liar.zip"
  bgrun endpoints.text endpoints "$D/org/org"
  wait_runs
  no_ctl endpoints.text
  for n in dir zip trunc liar; do sane "endpoints.$n" 20; done
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
  diag_for() { jq --arg f "$2" '[.diagnostics[] | select(.file | contains($f))] | length' "$D/endpoints.$1.out" 2>/dev/null; }
  check "endpoints zip: the 96 MiB entry (zip bomb) is reported, not inflated" test "$(diag_for zip Bomb.cls)" -ge 1
  check "endpoints liar.zip: an entry larger than its header says is reported" test "$(diag_for liar Liar.cls)" -ge 1
  expect_eq "endpoints liar.zip: the good entry beside it is read" "$(hosts liar)" "good.example.com"
  expect_eq "endpoints trunc.zip: exit 2" "$(rc_of endpoints.trunc)" 2
  check "endpoints trunc.zip: the error names the file" err_has endpoints.trunc "trunc.zip"
else
  ok "# SKIP tlsready endpoints not built yet"
fi

diag "after endpoints: ${SECONDS}s"

# ---------------------------------------------------------------- auxiliary input files
# the files that options point at: a User export, a rules file, an nginx config
if [ -f "$D/logins/garbage.bin" ] && [ -f "$D/logs/utf8.txt" ]; then
  G="$D/logins/garbage.bin"; BL="$D/logins/bigline.gz"
  bgrun aux.users.garbage logins --users "$G" "$D/logins/utf8.txt"
  bgrun aux.users.bigline logins --users "$BL" "$D/logins/utf8.txt"
  bgrun aux.rules.garbage logins --rules "$G" "$D/logins/utf8.txt"
  bgrun aux.rules.bigline logins --rules "$BL" "$D/logins/utf8.txt"
  bgrun aux.nginxconf.garbage logs --nginx-conf "$G" "$D/logs/utf8.txt"
  bgrun aux.nginxconf.bigline logs --nginx-conf "$BL" "$D/logs/utf8.txt"
  wait_runs
  for n in users.garbage users.bigline rules.garbage rules.bigline nginxconf.garbage nginxconf.bigline; do
    sane "aux.$n" 20
    expect_eq "aux $n: exit 2 (an unusable option file)" "$(rc_of "aux.$n")" 2
  done
fi
diag "after auxiliary files: ${SECONDS}s"

# ---------------------------------------------------------------- audit (HTML, Markdown)
# the reports an admin hands around: input text must stay text in HTML and
# Markdown (no element, no attribute, no terminal control byte from the input)
if "$TLSREADY" audit --help >/dev/null 2>&1 && [ -f "$D/logins/utf8.txt" ] && [ -f "$D/logs/utf8.txt" ]; then
  A="$D/audit"; mkdir -p "$A/org/force-app/main/default/classes"
  printf 'UserId,LoginTime,SourceIp,LoginType,Application,Browser,Platform,TlsProtocol,CipherSuite,Status\n005000000000001AAB,2024-03-02T10:00:00.000+0000,10.0.0.2,Remote Access 2.0,"evil | <img src=x onerror=alert(1)> `c`\n# h",Java,Unknown,TLS 1.0,AES128-SHA,Success\n' >"$A/pipe.csv"
  printf "public class X { void f() { new HttpRequest().setEndpoint('https://x.example.com/<script>alert(2)</script>\"onload=alert(3)'); } }\n" \
    >"$A/org/force-app/main/default/classes/X.cls"
  bgrun audit.run audit --logins "$D/logins/utf8.txt" "$A/pipe.csv" --logs "$D/logs/utf8.txt" \
    --metadata "$A/org" --no-scan -o "$A/r.html" --markdown "$A/r.md" --json "$A/r.json"
  wait_runs
  if not_killed "$D/audit.run" && san_clean "$D/audit.run"; then ok "audit: no crash, no kill, sanitizers clean"
  else not_ok "audit: no crash, no kill, sanitizers clean"; show "$D/audit.run"; fi
  check "audit: the JSON report is valid JSON in UTF-8" sh -c "iconv -f UTF-8 -t UTF-8 '$A/r.json' >/dev/null && jq . '$A/r.json' >/dev/null"
  expect_eq "audit HTML: no element from the input (<img, <script> beyond the report's own one)" \
    "$(grep -o '<img\|<script' "$A/r.html" | sort | uniq -c | tr -s ' ')" " 1 <script"
  if grep -q '<img\|<script' "$A/r.md"; then not_ok "audit Markdown: no raw HTML from the input"; grep -n '<img\|<script' "$A/r.md" | head -2 | sed 's/^/# /'
  else ok "audit Markdown: no raw HTML from the input"; fi
  for f in r.html r.md; do
    if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037]')" "$A/$f"; then
      not_ok "audit $f: no terminal control bytes from the input"
      LC_ALL=C grep -n "$(printf '[\001-\010\013-\037]')" "$A/$f" | head -2 | cut -c1-200 | cat -v | sed 's/^/# /'
    else ok "audit $f: no terminal control bytes from the input"; fi
  done
else
  ok "# SKIP audit: not built yet"
fi
diag "after audit: ${SECONDS}s"

# ---------------------------------------------------------------- scan --targets
# inside an empty network namespace: garbage must not turn into DNS lookups
if "$TLSREADY" scan --help >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
  T="$D/targets"; mkdir -p "$T"
  head -c 65536 "$D/logins/garbage.bin" >"$T/garbage.bin" 2>/dev/null || head -c 65536 /dev/urandom >"$T/garbage.bin"
  { echo '127.0.0.1:1'; head -c $((64 << 20)) /dev/zero | tr '\0' a; echo; echo '127.0.0.1:2'; } >"$T/bigline.txt"
  printf '127.0.0.1:1\n\377\376\033[31m:443\n[::1\n[::1]:99999\n127.0.0.1:0\nhttps://\nx.invalid:443 sni=\001\002\n' >"$T/weird.txt"
  for f in garbage.bin bigline.txt weird.txt; do
    bgrun "scan.$f" scan --json --timeout 1 --targets "$T/$f"
  done
  wait_runs
  for f in garbage.bin bigline.txt weird.txt; do
    sane "scan.$f" 20
    expect_eq "scan --targets $f: exit 2 (malformed targets)" "$(rc_of "scan.$f")" 2
  done
  check "scan --targets bigline.txt: the long line named file:line" err_has scan.bigline.txt "bigline.txt:2"
  expect_eq "scan --targets weird.txt: 6 malformed lines named" "$(grep -c 'weird.txt:[2-7]:' "$D/scan.weird.txt.err")" 6
  if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$D/scan.weird.txt.err"; then
    not_ok "scan --targets weird.txt: diagnostics carry no terminal control bytes from the file"
    LC_ALL=C grep "$(printf '[\001-\010\013-\037\177]')" "$D/scan.weird.txt.err" | head -2 | cat -v | sed 's/^/# /'
  else ok "scan --targets weird.txt: diagnostics carry no terminal control bytes from the file"; fi
else
  ok "# SKIP scan --targets: tlsready scan not built or unshare -n not available"
fi
diag "after scan --targets: ${SECONDS}s"

done_testing
