#!/usr/bin/env bash
# tlsready serve with real clients at every version: openssl s_client, curl and
# gnutls-cli connect to serve instances started here on ephemeral ports. The
# /json report and the --log line must name exactly what each client offered,
# derived from the client's own flags (openssl ciphers -stdname, gnutls-cli
# --list); a refused client is logged with OpenSSL's reason; --once, the
# plain-HTTP redirect and SIGTERM (log complete, exit 0) are checked too.
source "$(dirname "$0")/../lib.sh"

make_cert "$TEST_TMP" localhost
CRT="$TEST_TMP/localhost.crt"; KEY="$TEST_TMP/localhost.key"
P1=$(free_port); P3=$(free_port); P6=$(free_port)
LOG1="$TEST_TMP/all.jsonl"; LOG2="$TEST_TMP/cutover.jsonl"
rm -f "$LOG1" "$LOG2"

# A: everything from tls1.0 to tls1.3, IPv4 and IPv6, plus a legacy-only listener (max=tls1.0)
"$TLSREADY" serve --listen "127.0.0.1:$P1" --listen "[::1]:$P6" --listen "127.0.0.1:$P3,max=tls1.0" \
  --cert "$CRT" --key "$KEY" --log "$LOG1" --timeout 5 2>"$TEST_TMP/a.err" &
A=$!; PIDS+=("$A")
# B: the cut-over rehearsal (--min tls1.2), self-signed certificate made at start-up, HTTP redirect
P2=$(free_port); P5=$(free_port)
"$TLSREADY" serve --listen "127.0.0.1:$P2" --listen-http "127.0.0.1:$P5" --min tls1.2 --name localhost \
  --key-type ec --write-cert "$TEST_TMP/b.pem" --log "$LOG2" --quiet 2>"$TEST_TMP/b.err" &
B=$!; PIDS+=("$B")
wait_port "$P1" 20 && wait_port "$P2" 20 && wait_port "$P5" 5 || { not_ok "serve instances listen"; cat "$TEST_TMP"/*.err; done_testing; exit 1; }

req() { printf 'GET /json HTTP/1.1\r\nHost: localhost\r\nUser-Agent: %s\r\n\r\n' "$1"; }
# s_client PORT TAG ARGS...: the /json body seen by openssl s_client
s_client_json() {
  local port=$1 tag=$2; shift 2
  req "$tag" | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$port" "$@" 2>/dev/null | grep '^{' | tail -1
}
# IANA names (one per line) of an OpenSSL cipher string, as OpenSSL itself spells them
stdnames() { openssl ciphers -stdname -ciphersuites "" "$@" | awk '{print $1}'; }
as_json_list() { jq -R . | jq -sc .; }
field() { jq -c ".$2" <<<"$1" 2>/dev/null; }
SCSV=TLS_EMPTY_RENEGOTIATION_INFO_SCSV  # OpenSSL appends it to every pre-1.3-only hello (RFC 5746)
A_CONNS=0

# 1. openssl s_client at each version with one suite
for spec in "tls1.0 -tls1 AES128-SHA" "tls1.1 -tls1_1 ECDHE-RSA-AES256-SHA" "tls1.2 -tls1_2 ECDHE-RSA-AES128-GCM-SHA256"; do
  set -- $spec; v=$1; flag=$2; suite=$3
  j=$(s_client_json "$P1" "s_client $flag" "$flag" -cipher "$suite:@SECLEVEL=0"); A_CONNS=$((A_CONNS + 1))
  want=$( (stdnames "$suite:@SECLEVEL=0"; echo "$SCSV") | as_json_list)
  expect_eq "s_client $flag -cipher $suite: negotiated" "$(field "$j" negotiated)" "\"$v\""
  expect_eq "s_client $flag: offered_versions" "$(field "$j" offered_versions)" "[\"$v\"]"
  expect_eq "s_client $flag: max_offered" "$(field "$j" max_offered)" "\"$v\""
  expect_eq "s_client $flag: cipher_suites are the -cipher suite + SCSV" "$(field "$j" cipher_suites)" "$want"
  expect_eq "s_client $flag: cipher" "$(field "$j" cipher)" "$(stdnames "$suite:@SECLEVEL=0" | as_json_list | jq -c '.[0]')"
done
j=$(s_client_json "$P1" "s_client -tls1_3" -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256); A_CONNS=$((A_CONNS + 1))
expect_eq "s_client -tls1_3: negotiated" "$(field "$j" negotiated)" '"tls1.3"'
expect_eq "s_client -tls1_3: offered_versions from supported_versions" "$(field "$j" offered_versions)" '["tls1.3"]'
expect_eq "s_client -tls1_3 -ciphersuites CHACHA20: cipher_suites" "$(field "$j" cipher_suites)" "[\"TLS_CHACHA20_POLY1305_SHA256\",\"$SCSV\"]"
expect_eq "s_client -tls1_3: legacy_version stays tls1.2" "$(field "$j" legacy_version)" '"tls1.2"'
expect_eq "s_client -tls1_3: verdict" "$(field "$j" verdict)" '"ok"'

# 2. SNI, ALPN, groups as the client set them
j=$(s_client_json "$P1" "s_client sni" -tls1_2 -servername example.test -alpn h2,http/1.1 -groups P-384:X25519); A_CONNS=$((A_CONNS + 1))
expect_eq "s_client -servername: sni" "$(field "$j" sni)" '"example.test"'
expect_eq "s_client -alpn h2,http/1.1: alpn" "$(field "$j" alpn)" '["h2","http/1.1"]'
expect_eq "serve picks http/1.1 from ALPN" "$(field "$j" alpn_selected)" '"http/1.1"'
expect_eq "s_client -groups P-384:X25519: groups" "$(field "$j" groups)" '["secp384r1","x25519"]'
case "$(field "$j" ja3)" in \"[0-9a-f]*\") [ ${#j} -gt 0 ] && [ "$(field "$j" ja3 | wc -c)" -eq 35 ] && ok "ja3 is an MD5 hex" || not_ok "ja3 is an MD5 hex";; *) not_ok "ja3 is an MD5 hex: $(field "$j" ja3)";; esac
if field "$j" ja4 | grep -Eq '^"t12d[0-9]{4}h2_[0-9a-f]{12}_[0-9a-f]{12}"$'; then ok "ja4 says TCP, TLS 1.2, SNI domain, ALPN h2"; else not_ok "ja4 shape: $(field "$j" ja4)"; fi

# 3. curl at each version (--tlsv1.x --tls-max 1.x)
curl_ver=$(curl --version | awk 'NR==1 {print $2}')
for v in 1.0 1.1 1.2 1.3; do
  j=$(timeout 10 curl -sk --tlsv$v --tls-max $v --ciphers 'DEFAULT:@SECLEVEL=0' "https://127.0.0.1:$P1/json"); A_CONNS=$((A_CONNS + 1))
  expect_eq "curl --tlsv$v --tls-max $v: negotiated" "$(field "$j" negotiated)" "\"tls$v\""
  expect_eq "curl --tls-max $v: max_offered" "$(field "$j" max_offered)" "\"tls$v\""
  expect_eq "curl --tlsv$v --tls-max $v: offered_versions" "$(field "$j" offered_versions)" "[\"tls$v\"]"
done
expect_eq "curl: user_agent recorded" "$(field "$j" user_agent)" "\"curl/$curl_ver\""

# 4. gnutls-cli with one suite at tls1.0 and tls1.2, and tls1.3; expected names from --list codes
gnutls_json() {
  req "gnutls-cli" | timeout 10 gnutls-cli --insecure --priority "$2" -p "$1" 127.0.0.1 2>/dev/null | grep '^{' | tail -1
}
gnutls_names() {
  local codes
  codes=$(gnutls-cli --priority "$1" --list 2>/dev/null | awk -F'\t' '/^TLS_/ {gsub(/ /, "", $2); print toupper($2)}')
  for c in $codes; do openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | awk -v c="$c" '{ if (toupper($1) == c) { print $3; exit } }'; done
}
for spec in "tls1.0 NORMAL:-VERS-ALL:+VERS-TLS1.0:-CIPHER-ALL:+AES-128-CBC:-KX-ALL:+RSA:-MAC-ALL:+SHA1:%VERIFY_ALLOW_SIGN_WITH_SHA1" \
            "tls1.2 NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA:-MAC-ALL:+AEAD"; do
  set -- $spec; v=$1; pr=$2
  j=$(gnutls_json "$P1" "$pr"); A_CONNS=$((A_CONNS + 1))
  want=$(gnutls_names "$pr" | as_json_list)
  expect_eq "gnutls-cli $v: negotiated" "$(field "$j" negotiated)" "\"$v\""
  expect_eq "gnutls-cli $v: cipher_suites match gnutls-cli --list" "$(field "$j" cipher_suites)" "$want"
done
j=$(gnutls_json "$P1" "NORMAL:-VERS-ALL:+VERS-TLS1.3"); A_CONNS=$((A_CONNS + 1))
expect_eq "gnutls-cli tls1.3: negotiated" "$(field "$j" negotiated)" '"tls1.3"'
expect_eq "gnutls-cli tls1.3: offered_versions" "$(field "$j" offered_versions)" '["tls1.3"]'

# 5. IPv6 listener
j=$(timeout 10 curl -gsk "https://[::1]:$P6/json"); A_CONNS=$((A_CONNS + 1))
case "$(field "$j" client)" in \"\[::1\]:*) ok "IPv6 client recorded as [::1]:port";; *) not_ok "IPv6 client: $(field "$j" client)";; esac
expect_eq "IPv6 listener name" "$(field "$j" server)" "\"[::1]:$P6\""

# 6. the legacy listener (max=tls1.0) really speaks TLS 1.0 and refuses TLS 1.3
j=$(s_client_json "$P3" "legacy" -tls1 -cipher 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'); A_CONNS=$((A_CONNS + 1))
expect_eq "max=tls1.0 listener negotiates tls1.0 with s_client -tls1" "$(field "$j" negotiated)" '"tls1.0"'
expect_eq "max=tls1.0 listener: server_max" "$(field "$j" server_max)" '"tls1.0"'
timeout 10 curl -sk --tlsv1.3 "https://127.0.0.1:$P3/json" >/dev/null 2>&1; A_CONNS=$((A_CONNS + 1))

# 7. the rehearsal server refuses a TLS 1.0-only client and records it
s_client_json "$P2" "refused" -tls1 -cipher 'AES128-SHA:@SECLEVEL=0' >/dev/null
j=$(timeout 10 curl -sk --cacert "$TEST_TMP/b.pem" --resolve "localhost:$P2:127.0.0.1" "https://localhost:$P2/json")
expect_eq "self-signed certificate (--name localhost, --write-cert) verifies with curl --cacert" "$(field "$j" negotiated)" '"tls1.3"'
timeout 10 curl -s "https://127.0.0.1:$P2/json" >/dev/null 2>&1   # without -k: curl rejects the self-signed certificate
loc=$(timeout 10 curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$P5/json?x=1")
expect_eq "--listen-http redirects to the TLS listener" "$loc" "301 https://127.0.0.1:$P2/json?x=1"

kill -TERM "$B"; wait "$B"; expect_eq "rehearsal server exits 0 on SIGTERM" "$?" 0
r=$(jq -c 'select(.outcome == "refused" and .max_offered == "tls1.0")' "$LOG2")
expect_eq "refused client logged once" "$(grep -c . <<<"$r")" 1
expect_eq "refused: reason is OpenSSL's" "$(field "$r" refused_reason)" '"unsupported protocol"'
expect_eq "refused: what it offered" "$(field "$r" offered_versions)" '["tls1.0"]'
expect_eq "refused: suites it offered" "$(field "$r" cipher_suites)" "$( (stdnames 'AES128-SHA:@SECLEVEL=0'; echo $SCSV) | as_json_list)"
expect_eq "refused: negotiated null, verdict fail" "$(jq -c '[.negotiated, .verdict]' <<<"$r")" '[null,"fail"]'
case "$(field "$r" client)" in \"127.0.0.1:*) ok "refused: client ip:port";; *) not_ok "refused: client $(field "$r" client)";; esac
u=$(jq -c 'select(.outcome == "refused" and .max_offered == "tls1.3")' "$LOG2")
expect_eq "a client that distrusts the certificate: its own alert, and no cut-over failure" \
  "$(jq -c '[.refused_reason, .verdict]' <<<"$u")" '["the client aborted the handshake (tlsv1 alert unknown ca)","ok"]'
expect_eq "the rehearsal log has 3 lines (the redirect is not a TLS client)" "$(wc -l < "$LOG2")" 3

# 8. --once prints the first client's report and exits 0 (ok) or 1 (fails the cut-over)
P4=$(free_port)
"$TLSREADY" serve --listen "127.0.0.1:$P4" --cert "$CRT" --key "$KEY" --once --json --quiet >"$TEST_TMP/once.json" 2>"$TEST_TMP/once.err" &
O=$!; PIDS+=("$O")
wait_port "$P4" 20 && timeout 10 curl -sk "https://127.0.0.1:$P4/json" >/dev/null
wait "$O"; expect_eq "--once exits 0 for a TLS 1.3 client" "$?" 0
expect_eq "--once --json: the report" "$(jq -c '[.negotiated, .outcome, .verdict]' "$TEST_TMP/once.json")" '["tls1.3","accepted","ok"]'
P4=$(free_port)
"$TLSREADY" serve --listen "127.0.0.1:$P4" --cert "$CRT" --key "$KEY" --once --cutover tls1.3 --quiet >"$TEST_TMP/once.txt" 2>&1 &
O=$!; PIDS+=("$O")
wait_port "$P4" 20 && timeout 10 curl -sk --tls-max 1.2 "https://127.0.0.1:$P4/" >/dev/null
wait "$O"; expect_eq "--once exits 1 for a TLS 1.2 client under --cutover tls1.3" "$?" 1
check "--once text names the verdict" grep -q '^verdict   fail (cut-over minimum tls1.3)' "$TEST_TMP/once.txt"

# 9. SIGTERM: every connection is in the log, every line has the contract keys
kill -TERM "$A"; wait "$A"; expect_eq "serve exits 0 on SIGTERM" "$?" 0
expect_eq "one log line per client connection" "$(wc -l < "$LOG1")" "$A_CONNS"
keys='["alpn","cipher","cipher_suites","client","groups","ja3","ja4","max_offered","negotiated","offered_versions","outcome","reasons","sni","time","verdict"]'
expect_eq "every log line has the contract keys" \
  "$(jq -c --argjson k "$keys" '[$k[] as $x | has($x)] | all' "$LOG1" | sort -u)" "true"
l=$(jq -c 'select(.user_agent == "s_client -tls1")' "$LOG1")
expect_eq "log line of s_client -tls1 matches its /json" "$(jq -c '[.outcome,.negotiated,.cipher_suites]' <<<"$l")" \
  "$(jq -c '["accepted","tls1.0",.]' <<<"$( (stdnames 'AES128-SHA:@SECLEVEL=0'; echo $SCSV) | as_json_list)")"
r=$(jq -c 'select(.server == "127.0.0.1:'"$P3"'" and .outcome == "refused")' "$LOG1")
expect_eq "legacy listener refused the TLS 1.3 client, whose verdict is still ok" \
  "$(jq -c '[.refused_reason, .max_offered, .verdict]' <<<"$r")" '["unsupported protocol","tls1.3","ok"]'
# the log is an input of `tlsready logs` (--format serve): the versions counted there are the ones this script negotiated
if "$TLSREADY" logs --help 2>&1 | grep -q serve; then
  expect_eq "tlsready logs reads serve's --log: rows, versions, failed" \
    "$("$TLSREADY" logs --format serve --json "$LOG1" 2>/dev/null | jq -c '.summary | [.rows_read, .versions, .failed]')" \
    "[$A_CONNS,{\"ssl3\":0,\"tls1.0\":4,\"tls1.1\":2,\"tls1.2\":4,\"tls1.3\":4,\"unknown\":0},1]"
fi
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$TEST_TMP/a.err' '$TEST_TMP/b.err'"
done_testing
