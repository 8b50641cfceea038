#!/usr/bin/env bash
# A real browser against tlsready serve: headless Chromium (Debian's chromium,
# a fresh profile, no network but loopback) loads "/", and the rendered page
# text must say the connection is TLS 1.3 and that the browser keeps working
# after the cut-over; the --log line must show a browser's hello (GREASE,
# its User-Agent). SERVE_SCREENSHOT=FILE also saves a screenshot of the page
# (that is how docs/serve-page.png was made).
source "$(dirname "$0")/../lib.sh"

if ! command -v chromium >/dev/null; then
  ok "# SKIP chromium is not installed (scripts/deps.sh test)"; done_testing; exit 0
fi
P=$(free_port); LOG="$TEST_TMP/chromium.jsonl"; rm -f "$LOG"
"$TLSREADY" serve --listen "127.0.0.1:$P" --min tls1.2 --log "$LOG" --quiet 2>"$TEST_TMP/serve.err" &
S=$!; PIDS+=("$S")
wait_port "$P" 20 || { not_ok "serve listens"; cat "$TEST_TMP/serve.err"; done_testing; exit 1; }

chrome() {
  local profile; profile=$(mktemp -d "$TEST_TMP/profile.XXXXXX")
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
    --user-data-dir="$profile" --ignore-certificate-errors "$@" 2>>"$TEST_TMP/chromium.err"
}
chrome --dump-dom "https://127.0.0.1:$P/" | sed -e 's/<[^>]*>//g' | tr -s ' \n' ' ' >"$TEST_TMP/page.txt"
check "the page says the connection is TLS 1.3" grep -q 'You are connected with TLS 1.3' "$TEST_TMP/page.txt"
check "the page gives the verdict in plain words" \
  grep -q 'Your browser or program will keep working after the cut-over to TLS 1.2' "$TEST_TMP/page.txt"
check "the page lists TLS_AES_128_GCM_SHA256 among the offered suites" grep -q 'TLS_AES_128_GCM_SHA256' "$TEST_TMP/page.txt"

if [ -n "${SERVE_SCREENSHOT:-}" ]; then
  chrome --hide-scrollbars --window-size=1000,1500 --screenshot="$SERVE_SCREENSHOT" "https://127.0.0.1:$P/" >/dev/null
  check "screenshot written to $SERVE_SCREENSHOT" test -s "$SERVE_SCREENSHOT"
fi

kill -TERM "$S"; wait "$S"; expect_eq "serve exits 0" "$?" 0
l=$(jq -c 'select(.request == "/")' "$LOG" | head -1)
expect_eq "log: chromium's connection" "$(jq -c '[.outcome, .negotiated, .max_offered, .verdict]' <<<"$l")" '["accepted","tls1.3","tls1.3","ok"]'
expect_eq "log: a browser hello uses GREASE (RFC 8701)" "$(jq -c .grease <<<"$l")" true
case "$(jq -r .user_agent <<<"$l")" in *HeadlessChrome/*) ok "log: the User-Agent is HeadlessChrome";; *) not_ok "log: user_agent $(jq -r .user_agent <<<"$l")";; esac
check "no sanitizer report" bash -c "! grep -q Sanitizer '$TEST_TMP/serve.err'"
done_testing
