#!/usr/bin/env bash
# tlsready scan against a server that misbehaves in every way we could think of
# (tests/hostile/hostile_server.c --list). For each mode: a result for every
# version with the status and reason keyword that mode must yield, within its
# timeout, exit code 0/1/3 (never a crash or a kill), no sanitizer report
# (ASan, UBSan, LeakSanitizer), and no "accepted" that the server did not
# really give. Peak memory is bounded on the modes that stream data at us.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hostile/lib_hostile.sh"
trap 'exit 143' TERM INT   # so that lib.sh's EXIT cleanup stops our servers when run.sh times out

T=2                       # --timeout of every scan
# Bounds on the scan's own "elapsed_ms" (process start-up and a loaded machine
# do not count): a mode that answers at once must not cost a timeout; modes
# that stall cost at most two timeouts (two rounds of probes) plus slack.
# The wall time of the process is bounded too, generously: that is the hang check.
FAST=1500                 # ms, < T
SLOW=$((2 * T * 1000 + 1000))
WALL=12                   # seconds
RSS_EXTRA_KB=12288        # a 16 MB Certificate may cost at most 12 MB over the control's peak

if ! "$TLSREADY" scan --help >/dev/null 2>&1; then
  ok "# SKIP tlsready scan not built yet"
  done_testing; exit 0
fi
hostile_build || { not_ok "hostile server compiles"; done_testing; exit 1; }
make_cert "$TEST_TMP" localhost
openssl x509 -in "$TEST_TMP/localhost.crt" -outform DER -out "$TEST_TMP/localhost.der"

L="refused:protocol.version"          # a fatal protocol_version alert
TLS12=(ssl3=$L tls1.0=$L tls1.1=$L tls1.2=accepted tls1.3=$L)
all() { local s=$1; echo "ssl3=$s tls1.0=$s tls1.1=$s tls1.2=$s tls1.3=$s"; }

# mode | wall bound | expected per version (check_scan.py SPECs)
declare -A WANT BOUND
WANT[valid]="${TLS12[*]}";                                          BOUND[valid]=$FAST
WANT[valid-fragmented]="${TLS12[*]}";                               BOUND[valid-fragmented]=$FAST
WANT[random]=$(all 'unknown:not.tls');                              BOUND[random]=$FAST
WANT[http]=$(all 'unknown:not.tls|http');                           BOUND[http]=$FAST
WANT[sslv2]=$(all 'refused|unknown:ssl.?v?2');                        BOUND[sslv2]=$FAST
WANT[huge-record]=$(all 'unknown:record|overflow|too.(long|large)|length'); BOUND[huge-record]=$FAST
WANT[hs-len-long]=$(all 'unknown:clos|truncat|eof|incomplete|short'); BOUND[hs-len-long]=$FAST
WANT[hs-len-short]=$(all 'unknown:malformed|short|truncat|length|trailing'); BOUND[hs-len-short]=$FAST
WANT[unknown-version]=$(all 'refused|unknown:unknown.version');                     BOUND[unknown-version]=$FAST
WANT[version-0200]=$(all 'refused|unknown:unknown.version');                        BOUND[version-0200]=$FAST
WANT[cipher-not-offered]=$(all 'unknown:cipher|suite');             BOUND[cipher-not-offered]=$FAST
WANT[suite-version-mismatch]=$(all 'unknown:cipher|suite');         BOUND[suite-version-mismatch]=$FAST
WANT[sv-tls12]=$(all 'unknown:version|extension|suite');        BOUND[sv-tls12]=$FAST
# RFC 5246/8446 say abort, but OpenSSL ignores an unknown type here, so either is honest
WANT[ext-unsolicited]=$(all 'accepted|unknown:extension');             BOUND[ext-unsolicited]=$FAST
WANT[dup-ext]=$(all 'unknown:duplicate');                           BOUND[dup-ext]=$FAST
WANT[trunc-ext]=$(all 'unknown:extension|truncat|malformed');       BOUND[trunc-ext]=$FAST
WANT[trunc-ext-block]=$(all 'unknown:extension|truncat|malformed'); BOUND[trunc-ext-block]=$FAST
WANT[cert-16mb]="ssl3=$L tls1.0=$L tls1.1=$L tls1.2=accepted|unknown:certificate|too.(long|large)|limit tls1.3=$L"
BOUND[cert-16mb]=$SLOW
WANT[slow-drip]=$(all 'unknown:time');                              BOUND[slow-drip]=$SLOW
WANT[silence]=$(all 'unknown:time');                                BOUND[silence]=$SLOW
WANT[close]=$(all 'refused|unknown:clos');                          BOUND[close]=$FAST
# mid-reply RST is "unknown"; if the RST wins the race with the read it looks
# like a plain reset (refused): either way, never accepted, reason "reset"
WANT[rst]=$(all 'unknown|refused:reset');                                  BOUND[rst]=$FAST
WANT[rst-immediate]=$(all 'refused|unknown:reset');                 BOUND[rst-immediate]=$FAST
WANT[valid-garbage]="${TLS12[*]}";                                  BOUND[valid-garbage]=$FAST
WANT[hrr-loop]="ssl3=$L tls1.0=$L tls1.1=$L tls1.2=accepted tls1.3=accepted|unknown:retry|hrr"
BOUND[hrr-loop]=$FAST
WANT[empty-records]=$(all 'unknown:time|empty|zero|malformed|length'); BOUND[empty-records]=$SLOW
WANT[bad-alert]=$(all 'unknown:alert|malformed|short|length');      BOUND[bad-alert]=$FAST

# STARTTLS (scanned with --starttls smtp): the dialogue before TLS misbehaves
WANT[smtp-valid]="${TLS12[*]}";                                     BOUND[smtp-valid]=$FAST
WANT[smtp-flood]=$(all 'unknown:starttls');                         BOUND[smtp-flood]=$FAST
WANT[smtp-bigline]=$(all 'unknown:starttls.*(long|large)');         BOUND[smtp-bigline]=$FAST
WANT[smtp-nostarttls]=$(all 'unknown:starttls');                    BOUND[smtp-nostarttls]=$FAST
WANT[smtp-refuse]=$(all 'unknown:starttls.*(refused|454)');         BOUND[smtp-refuse]=$FAST
WANT[smtp-garbage]=$(all 'unknown:not.tls');                        BOUND[smtp-garbage]=$FAST
WANT[smtp-drip]=$(all 'unknown:time');                              BOUND[smtp-drip]=$SLOW

MODES=(valid valid-fragmented random http sslv2 huge-record hs-len-long hs-len-short unknown-version version-0200
       cipher-not-offered suite-version-mismatch sv-tls12 ext-unsolicited dup-ext trunc-ext trunc-ext-block cert-16mb slow-drip silence close rst
       rst-immediate valid-garbage hrr-loop empty-records bad-alert
       smtp-valid smtp-flood smtp-bigline smtp-nostarttls smtp-refuse smtp-garbage smtp-drip)

declare -A PORT
for m in "${MODES[@]}"; do
  if hostile_start "$m" --cert "$TEST_TMP/localhost.der"; then PORT[$m]=$HPORT; else PORT[$m]=""; fi
done

# All scans run at once: each costs at most its bound, and the stalling modes
# overlap instead of adding up. Memory and wall are per process.
t0=$(date +%s)
scans=()
for m in "${MODES[@]}"; do
  [ -n "${PORT[$m]}" ] || continue
  extra=(); [[ $m == smtp-* ]] && extra=(--starttls smtp)
  measure "$TEST_TMP/scan.$m" 30 "$TLSREADY" scan --json --timeout "$T" "${extra[@]}" "127.0.0.1:${PORT[$m]}" &
  scans+=($!)
done
wait "${scans[@]}"   # not a bare wait: the servers are children too
diag "all ${#MODES[@]} scans took $(( $(date +%s) - t0 ))s together"

for m in "${MODES[@]}"; do
  p="$TEST_TMP/scan.$m"
  if [ -z "${PORT[$m]}" ]; then not_ok "$m: hostile server started"; continue; fi
  # shellcheck disable=SC2086
  if not_killed "$p" && san_clean "$p"; then ok "$m: no crash, no kill, sanitizers clean (exit $(cat "$p.rc"))"
  else not_ok "$m: no crash, no kill, sanitizers clean"; show "$p"; fi
  # shellcheck disable=SC2086
  if msg=$(python3 "$HOSTILE_DIR/check_scan.py" "$p.out" ${WANT[$m]} 2>&1); then
    ok "$m: every version has the expected status and reason"
  else
    not_ok "$m: every version has the expected status and reason"
    echo "$msg" | sed 's/^/# /'; show "$p"
  fi
  el=$(jq -r '.elapsed_ms // empty' "$p.out" 2>/dev/null | head -1)
  if [ -n "$el" ] && awk -v e="$el" -v b="${BOUND[$m]}" 'BEGIN { exit !(e < b) }' && wall_below "$p" "$WALL"; then
    ok "$m: decided in ${el} ms (< ${BOUND[$m]} ms), process $(cat "$p.wall")s"
  else not_ok "$m: decided in ${el:-?} ms (bound ${BOUND[$m]} ms), process $(cat "$p.wall")s (bound ${WALL}s)"; fi
done

# --ciphers (suite enumeration: offer, remove the chosen suite, offer again)
# against the modes that could make it loop or stall: it must end, within
# bounds, with the same version answers as the plain scan
CM=(valid valid-fragmented cipher-not-offered suite-version-mismatch hrr-loop slow-drip empty-records)
cscans=()
for m in "${CM[@]}"; do
  [ -n "${PORT[$m]}" ] || continue
  measure "$TEST_TMP/ciphers.$m" 60 "$TLSREADY" scan --ciphers --json --timeout "$T" "127.0.0.1:${PORT[$m]}" &
  cscans+=($!)
done
wait "${cscans[@]}"
for m in "${CM[@]}"; do
  p="$TEST_TMP/ciphers.$m"
  if not_killed "$p" && san_clean "$p" && wall_below "$p" 30; then
    ok "$m --ciphers: ends in $(cat "$p.wall")s, no crash, sanitizers clean"
  else not_ok "$m --ciphers: ends within 30 s, no crash, sanitizers clean"; show "$p"; fi
  expect_eq "$m --ciphers: same versions as the plain scan" \
    "$(jq -c .versions "$p.out" 2>/dev/null)" "$(jq -c .versions "$TEST_TMP/scan.$m.out" 2>/dev/null)"
done

# the control says what the server says, and picks TLS 1.2 when offered everything
expect_eq "valid: preferred is tls1.2" "$(jq -r .preferred "$TEST_TMP/scan.valid.out" 2>/dev/null)" "tls1.2"
expect_eq "valid: verdict ok" "$(jq -r .verdict "$TEST_TMP/scan.valid.out" 2>/dev/null)" "ok"
# a ServerHello that lies (a cipher not offered, a version nobody offered) picks nothing
for m in cipher-not-offered suite-version-mismatch sv-tls12 unknown-version version-0200 dup-ext trunc-ext; do
  expect_eq "$m: preferred is null" "$(jq -r .preferred "$TEST_TMP/scan.$m.out" 2>/dev/null)" "null"
done

# memory: streaming 16 MB (and an endless stream of empty records) at us must
# not grow the process by more than RSS_EXTRA_KB over the control
base=$(cat "$TEST_TMP/scan.valid.rss")
for m in cert-16mb empty-records; do
  got=$(cat "$TEST_TMP/scan.$m.rss")
  if [ "$got" -le $((base + RSS_EXTRA_KB)) ]; then ok "$m: peak RSS ${got} KB (control ${base} KB)"
  else not_ok "$m: peak RSS ${got} KB, control ${base} KB, allowed +${RSS_EXTRA_KB} KB"; fi
done

# the HelloRetryRequest loop ends after the second HRR: no third ClientHello
if grep -q 'ClientHello number [3-9]' "$TEST_TMP/server.hrr-loop.log"; then
  not_ok "hrr-loop: tlsready stops after the second HelloRetryRequest"
  grep -m3 'ClientHello number' "$TEST_TMP/server.hrr-loop.log" | sed 's/^/# /'
else ok "hrr-loop: tlsready stops after the second HelloRetryRequest"; fi

done_testing
