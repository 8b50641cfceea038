#!/usr/bin/env bash
# tlsready serve under bad clients (run against the ASan build): malformed
# ClientHellos sent raw, a non-TLS client, slow and silent clients holding
# slots under --max-conns with a short --timeout, bad and oversized HTTP
# requests. The server must keep serving, log a refusal with the reason,
# write only valid JSON lines, and exit 0 on SIGINT with no sanitizer report.
source "$(dirname "$0")/../lib.sh"

make_cert "$TEST_TMP" localhost
P=$(free_port); LOG="$TEST_TMP/robust.jsonl"; rm -f "$LOG"
"$TLSREADY" serve --listen "127.0.0.1:$P" --cert "$TEST_TMP/localhost.crt" --key "$TEST_TMP/localhost.key" \
  --max-conns 3 --timeout 1 --max-request 1024 --threads 2 --log "$LOG" --json >"$TEST_TMP/serve.out" 2>"$TEST_TMP/serve.err" &
S=$!; PIDS+=("$S")
wait_port "$P" 20 || { not_ok "serve listens"; cat "$TEST_TMP/serve.err"; # a low open-file limit lowers --max-conns instead of letting accept() fail with EMFILE
P2=$(free_port)
(ulimit -n 100; exec "$TLSREADY" serve --listen "127.0.0.1:$P2" --cert "$TEST_TMP/localhost.crt" \
  --key "$TEST_TMP/localhost.key" --threads 2 --quiet) 2>"$TEST_TMP/fdlimit.err" &
F=$!; PIDS+=("$F")
wait_port "$P2" 20
check "a client is served under a 100-descriptor limit" bash -c "timeout 10 curl -sk https://127.0.0.1:$P2/json | jq -e '.negotiated == \"tls1.3\"' >/dev/null"
kill -TERM "$F"; wait "$F"
expect_eq "--max-conns lowered to fit the descriptor limit" "$(grep -o 'max-conns lowered to [0-9]*' "$TEST_TMP/fdlimit.err")" \
  "max-conns lowered to 79"  # 100 - 16 spare - 1 listener - 2 fds x 2 threads
done_testing; exit 1; }
alive() { kill -0 "$S" 2>/dev/null; }
served() { timeout 10 curl -sk "https://127.0.0.1:$P/json" | jq -e '.negotiated == "tls1.3"' >/dev/null 2>&1; }

# raw NAME: sends one malformed ClientHello (python3 builds the bytes), reads until close or 3 s
python3 - "$P" >"$TEST_TMP/raw.out" 2>&1 <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
def rec(body, t=22, v=0x0301): return struct.pack(">BHH", t, v, len(body)) + body
def hs(body): return b"\x01" + struct.pack(">I", len(body))[1:] + body
sv = struct.pack(">HHB", 0x002b, 3, 2) + b"\x03\x04"
good_body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" + struct.pack(">H", len(sv)) + sv
cases = {
    "garbage": bytes(range(256)) * 4,
    "record-length-65535": b"\x16\x03\x01\xff\xff" + bytes(64),
    "handshake-length-lies": rec(b"\x01\xff\xff\xff" + good_body[:60]),
    "suites-length-odd": rec(hs(b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x03\x13\x01\x00" + b"\x01\x00")),
    "extensions-overflow": rec(hs(good_body[:-len(sv) - 2] + b"\xff\xff" + sv)),
    "sslv2-header": b"\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10" + bytes(37),
    "plain-http": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "half-hello-then-fin": rec(hs(good_body))[:30],
}
for name, data in cases.items():
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.sendall(data)
    if name == "half-hello-then-fin":
        s.shutdown(socket.SHUT_WR)
    t0 = time.time()
    try:
        while s.recv(4096):
            pass
        how = "closed"
    except socket.timeout:
        how = "held"
    except OSError:
        how = "reset"
    print(f"{name} {how} {time.time() - t0:.1f}")
    s.close()
PY
expect_eq "every malformed ClientHello was answered or closed within the deadline" \
  "$(awk '$2 == "held" || $3 > 2.5' "$TEST_TMP/raw.out")" ""
check "serve is alive after the malformed ClientHellos" alive
check "a normal client is served after them" served

# silent clients fill --max-conns; the deadline (1 s) frees the slots
python3 - "$P" >"$TEST_TMP/silent.out" 2>&1 <<'PY' &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(6)]
print("connected", flush=True)
time.sleep(3)
PY
SIL=$!
i=0; until grep -q connected "$TEST_TMP/silent.out" 2>/dev/null || [ $i -ge 100 ]; do sleep 0.02; i=$((i + 1)); done
check "over --max-conns a client is turned away at once" bash -c "! timeout 5 curl -sk --max-time 0.5 https://127.0.0.1:$P/json >/dev/null"
sleep 1.5
check "after the deadline the slow clients lost their slots and a client is served" served
wait "$SIL"

# HTTP: bad, oversized, wrong method, unknown path
code() { timeout 10 curl -sk -o /dev/null -w '%{http_code}' "$@"; }
expect_eq "unknown path: 404" "$(code "https://127.0.0.1:$P/nope")" 404
expect_eq "POST: 405" "$(code -X POST -d x "https://127.0.0.1:$P/json")" 405
expect_eq "HEAD /json: 200" "$(code -I "https://127.0.0.1:$P/json")" 200
expect_eq "request head over --max-request: 431" "$(code -H "X-Big: $(head -c 2000 /dev/zero | tr '\0' a)" "https://127.0.0.1:$P/")" 431
bad=$(printf 'GET / HTTP/1.1\r\nBad Header\r\n\r\n' | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$P" 2>/dev/null | head -1 | tr -d '\r')
expect_eq "malformed request head: 400" "$bad" "HTTP/1.1 400 Bad Request"
check "serve is alive after the bad requests" alive

kill -INT "$S"; wait "$S"; expect_eq "serve exits 0 on SIGINT" "$?" 0
check "every log line is valid JSON" bash -c "jq -e . '$LOG' >/dev/null"
check "--json wrote the same lines to stdout" cmp -s "$LOG" "$TEST_TMP/serve.out"
expect_eq "the 7 malformed hellos are logged as refused with hello_error" \
  "$(jq -r 'select(.hello_error != null and .outcome == "refused") | .client' "$LOG" | wc -l)" 7
expect_eq "the SSLv2-format hello is read by our parser and refused by OpenSSL" \
  "$(jq -c 'select(.hello_error == null and .outcome == "refused") | [.refused_reason, .verdict]' "$LOG")" '["unknown protocol","fail"]'
expect_eq "plain HTTP on the TLS port: OpenSSL's reason" \
  "$(jq -r 'select(.hello_error != null and (.refused_reason | test("http request"))) | .refused_reason' "$LOG")" "http request"
expect_eq "half a hello then FIN: said so" \
  "$(jq -r 'select(.hello_error == "truncated ClientHello: 30 bytes") | .refused_reason' "$LOG")" \
  "the client closed the connection before its ClientHello was complete"
check "shutdown summary counted the turned-away client" grep -Eq 'over --max-conns$' "$TEST_TMP/serve.err"
if grep -q 'Sanitizer' "$TEST_TMP/serve.err"; then not_ok "no sanitizer report"; grep -m 20 -E 'ERROR|SUMMARY|#[0-9] ' "$TEST_TMP/serve.err" | sed 's/^/# /'
else ok "no sanitizer report"; fi
# a low open-file limit lowers --max-conns instead of letting accept() fail with EMFILE
P2=$(free_port)
(ulimit -n 100; exec "$TLSREADY" serve --listen "127.0.0.1:$P2" --cert "$TEST_TMP/localhost.crt" \
  --key "$TEST_TMP/localhost.key" --threads 2 --quiet) 2>"$TEST_TMP/fdlimit.err" &
F=$!; PIDS+=("$F")
wait_port "$P2" 20
check "a client is served under a 100-descriptor limit" bash -c "timeout 10 curl -sk https://127.0.0.1:$P2/json | jq -e '.negotiated == \"tls1.3\"' >/dev/null"
kill -TERM "$F"; wait "$F"
expect_eq "--max-conns lowered to fit the descriptor limit" "$(grep -o 'max-conns lowered to [0-9]*' "$TEST_TMP/fdlimit.err")" \
  "max-conns lowered to 79"  # 100 - 16 spare - 1 listener - 2 fds x 2 threads
done_testing
