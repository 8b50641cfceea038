#!/usr/bin/env bash
# tlsready serve against hostile clients (tests/hostile/raw_client.py): every
# malformed ClientHello we could think of sent raw, a slowloris client (one
# byte per second), half-open connections, and a flood of silent connections
# over --max-conns. The server must stay up and keep serving a normal client,
# drop stalling clients at its deadline, keep its descriptors bounded, write
# only valid JSON lines to --log, and exit cleanly (LeakSanitizer runs at exit).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hostile/lib_hostile.sh"
trap 'exit 143' TERM INT   # so that lib.sh's EXIT cleanup stops our servers when run.sh times out

DEADLINE=2     # serve --timeout (seconds): hello .. response
MAXC=8         # serve --max-conns
RAW="python3 $HOSTILE_DIR/raw_client.py"

if ! "$TLSREADY" serve --help >/dev/null 2>&1; then
  ok "# SKIP tlsready serve not built yet"
  done_testing; exit 0
fi

port=$(free_port)
log="$TEST_TMP/serve.jsonl"
"$TLSREADY" serve --listen "127.0.0.1:$port" --max-conns "$MAXC" --timeout "$DEADLINE" --log "$log" \
  >"$TEST_TMP/serve.out" 2>"$TEST_TMP/serve.err" &
spid=$!; PIDS+=("$spid")
if ! wait_port "$port" 15; then
  not_ok "serve listens"; sed 's/^/# /' "$TEST_TMP/serve.err" | head; done_testing; exit 1
fi

# control: a normal client gets its report; called again after each attack
control() {
  local j
  j=$(timeout 10 curl -sk --max-time 8 "https://127.0.0.1:$port/json" 2>/dev/null)
  [ -n "$j" ] && echo "$j" | jq -e '.negotiated == "tls1.3"' >/dev/null 2>&1
}
check "control client before the attacks gets /json with negotiated tls1.3" control

# 1. every malformed ClientHello, one connection each, MAXC-2 at a time
timeout 40 $RAW hellos "$port" $((MAXC - 2)) >"$TEST_TMP/hellos.out" 2>&1
nsent=$(grep -c . "$TEST_TMP/hellos.out")
expect_eq "all malformed ClientHellos sent" "$nsent" "$($RAW list | wc -l)"
bad=$(grep -E 'hung|failed|Traceback' "$TEST_TMP/hellos.out" | tr '\n' ' ')
expect_eq "every malformed ClientHello got a reply or a close (no client hung)" "$bad" ""
check "serve is still running after $nsent malformed ClientHellos" kill -0 "$spid"
check "control client still served after the malformed ClientHellos" control

# 2. slowloris: a valid ClientHello at 1 byte/s is dropped at the deadline
got=$(timeout 30 $RAW slowloris "$port" 20)
if [ "$got" != held ] && awk -v g="$got" -v d="$DEADLINE" 'BEGIN { exit !(g <= d + 1.5) }'; then
  ok "slowloris client dropped after ${got}s (deadline ${DEADLINE}s)"
else not_ok "slowloris client dropped within the deadline: got '$got' (deadline ${DEADLINE}s)"; fi

# 3. half-open: half a ClientHello, then FIN
got=$(timeout 30 $RAW halfopen "$port" 10)
if [ "$got" != held ] && awk -v g="$got" -v d="$DEADLINE" 'BEGIN { exit !(g <= d + 1.5) }'; then
  ok "half-open client closed after ${got}s"
else not_ok "half-open client closed within the deadline: got '$got'"; fi

# 3b. slow HTTP: a real handshake, then the request at 1 byte/s (the deadline
#     covers hello .. response, not just the handshake)
got=$(timeout 30 $RAW slowhttp "$port" 20)
if [ "$got" != held ] && awk -v g="$got" -v d="$DEADLINE" 'BEGIN { exit !(g <= d + 1.5) }'; then
  ok "slow HTTP request dropped after ${got}s"
else not_ok "slow HTTP request dropped within the deadline: got '$got'"; fi
# 3c. a 100 KB request head (over the 8 KB --max-request default)
expect_eq "a 100 KB request head gets 431" "$(timeout 30 $RAW bighead "$port" 100000)" \
  "HTTP/1.1 431 Request Header Fields Too Large"

# 4. flood: 5x --max-conns silent connections held past the deadline
timeout 30 $RAW flood "$port" $((MAXC * 5)) $((DEADLINE + 2)) >"$TEST_TMP/flood.out" 2>&1 &
fpid=$!
sleep 1
fds=$(ls /proc/"$spid"/fd 2>/dev/null | wc -l)
rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$spid"/status 2>/dev/null)
if [ -n "$rss" ] && [ "$rss" -le $((256 * 1024)) ]; then ok "serve RSS during the flood: ${rss} KB"
else not_ok "serve RSS during the flood: ${rss:-?} KB (bound 256 MB, ASan build)"; fi
if [ "$fds" -le $((MAXC + 40)) ]; then ok "open descriptors during the flood: $fds (max-conns $MAXC)"
else not_ok "open descriptors during the flood: $fds, max-conns $MAXC"; fi
wait "$fpid"
flood=$(cat "$TEST_TMP/flood.out")
expect_eq "every silent connection of the flood was dropped by the server" \
  "$flood" "opened=$((MAXC * 5)) dropped=$((MAXC * 5))"
check "control client served after the flood" control
check "serve is still running after the flood" kill -0 "$spid"

# 5. the log holds only valid JSON lines (strict UTF-8), whatever the clients sent
if python3 -c '
import json, sys
n = 0
for raw in open(sys.argv[1], "rb"):
    json.loads(raw.decode("utf-8")); n += 1
print(n)' "$log" >"$TEST_TMP/log.count" 2>"$TEST_TMP/log.err"; then
  ok "--log: $(cat "$TEST_TMP/log.count") lines, all valid JSON"
else not_ok "--log has a line that is not valid JSON"; head -3 "$TEST_TMP/log.err" | sed 's/^/# /'; fi

# 6. clean exit on SIGTERM, no sanitizer report (leaks are checked at exit)
kill -TERM "$spid"
i=0; while kill -0 "$spid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if kill -0 "$spid" 2>/dev/null; then not_ok "serve exits within 5s of SIGTERM"; kill -KILL "$spid"
else wait "$spid"; rc=$?; expect_eq "serve exits 0 on SIGTERM" "$rc" 0; fi
if san_clean "$TEST_TMP/serve"; then ok "serve: no sanitizer report"
else not_ok "serve: sanitizer report"; grep -m 20 -E 'ERROR|SUMMARY|#[0-9] ' "$TEST_TMP/serve.err" | sed 's/^/# /'; fi

done_testing
