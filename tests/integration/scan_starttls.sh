#!/usr/bin/env bash
# tlsready scan --starttls against servers started here on 127.0.0.1:
#   postgres  the real PostgreSQL server (initdb + postgres as a non-daemon,
#             as user nobody) when Debian's postgresql is installed; else skipped
#   smtp imap pop3 ftp ldap mysql xmpp: tests/starttls/starttls_server.py, a
#             minimal server speaking each preamble exactly, then Python's ssl
#             (OpenSSL 3) with a known version range
# Ground truth: the configured version range, the certificate file's SHA-256,
# and openssl s_client -starttls PROTO against the same server.
source "$(dirname "$0")/../lib.sh"

make_cert "$TEST_TMP" localhost
CRT=$TEST_TMP/localhost.crt KEY=$TEST_TMP/localhost.key
FP=$(openssl x509 -in "$CRT" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)
SRV="$(dirname "$0")/../starttls/starttls_server.py"
USED=" "
distinct_port() { local p; while :; do p=$(free_port); [[ "$USED" == *" $p "* ]] || break; done; USED="$USED$p "; echo "$p"; }
declare -A PORT
start() { # start NAME PROTO server-options...
  local n=$1 proto=$2; shift 2
  PORT[$n]=$(distinct_port)
  bg python3 -W ignore "$SRV" "$proto" "${PORT[$n]}" "$CRT" "$KEY" "$@"
}
for p in smtp imap pop3 ftp ldap mysql xmpp; do start "$p" "$p" --min tls1.2 --max tls1.3; done
start smtp_legacy smtp --min tls1.0 --max tls1.2
start smtp_refuse smtp --refuse
start smtp_unoffered smtp --unoffered
start smtp_stall smtp --stall
start imap_refuse imap --refuse
start ldap_refuse ldap --refuse
start mysql_refuse mysql --refuse
start xmpp_refuse xmpp --refuse

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then
  # postgres refuses to run as root: a cluster owned by nobody in TEST_TMP
  # its own directory under /tmp: TEST_TMP may be private to root (mode 700)
  PG=$(mktemp -d /tmp/tlsready-pg.XXXXXX)
  trap 'cleanup; rm -rf "$PG"' EXIT
  cp "$CRT" "$KEY" "$PG/"
  chmod 600 "$PG/localhost.key"
  RUNAS=()
  [ "$(id -u)" = 0 ] && { chown -R nobody "$PG"; RUNAS=(setpriv --reuid=nobody --regid=nogroup --clear-groups); }
  if timeout 30 "${RUNAS[@]}" env -i PATH=/usr/bin:/bin "$PG_BIN/initdb" -D "$PG/data" -A trust -U postgres --no-sync >"$PG/initdb.log" 2>&1; then
    PORT[postgres]=$(distinct_port)
    bg "${RUNAS[@]}" env -i PATH=/usr/bin:/bin "$PG_BIN/postgres" -D "$PG/data" -k "$PG" -h 127.0.0.1 -p "${PORT[postgres]}" \
       -c ssl=on -c "ssl_cert_file=$PG/localhost.crt" -c "ssl_key_file=$PG/localhost.key" -c fsync=off \
       -c ssl_min_protocol_version=TLSv1.2 -c ssl_max_protocol_version=TLSv1.3 >"$PG/server.log" 2>&1
  else
    diag "initdb failed: $(tail -1 "$PG/initdb.log")"
  fi
else
  diag "PostgreSQL not installed: postgres STARTTLS tested by the minimal server only"
fi
start postgres_min postgres --min tls1.2 --max tls1.2
start postgres_refuse postgres --refuse
for n in "${!PORT[@]}"; do wait_port "${PORT[$n]}" 15 || not_ok "server $n did not start"; done

scan() { # scan NAME PROTO [options]: one JSON line
  local n=$1 proto=$2; shift 2
  timeout 30 "$TLSREADY" scan --json --timeout 3 --starttls "$proto" "$@" "127.0.0.1:${PORT[$n]}"
}
vers() { jq -r '[.versions[] | .[0:1]] | join(" ")' <<<"$1"; }
# the certificate openssl s_client sees after its own STARTTLS dialogue
s_client_fp() {
  timeout 10 openssl s_client -starttls "$1" -connect "127.0.0.1:$2" </dev/null 2>/dev/null \
    | openssl x509 -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2 | tr -d : | tr A-F a-f
}

for p in smtp imap pop3 ftp ldap mysql xmpp postgres; do
  [ -n "${PORT[$p]:-}" ] || continue
  out=$(scan "$p" "$p" --certs)
  expect_eq "$p: versions (server tls1.2..tls1.3)" "$(vers "$out")" "r r r a a"
  expect_eq "$p: starttls key" "$(jq -r '.starttls' <<<"$out")" "$p"
  expect_eq "$p: certificate after the dialogue" "$(jq -r '.certificate.sha256' <<<"$out")" "$FP"
  expect_eq "$p: openssl s_client -starttls $p sees the same" "$(s_client_fp "$p" "${PORT[$p]}")" "$FP"
done
out=$(scan postgres_min postgres)
expect_eq "postgres (minimal server tls1.2 only): versions" "$(vers "$out")" "r r r a r"
out=$(scan smtp_legacy smtp)
expect_eq "smtp tls1.0..tls1.2: versions" "$(vers "$out")" "r a a a r"

# refusals: every version unknown with the server's words, exit 3
out=$(scan smtp_refuse smtp); rc=$?
expect_eq "smtp 454: reason" "$(jq -r '.reasons["tls1.2"]' <<<"$out")" \
  'starttls smtp: STARTTLS refused: "454 TLS not available due to temporary reason"'
expect_eq "smtp 454: verdict unreachable, exit 3" "$(jq -r .verdict <<<"$out") $rc" "unreachable 3"
out=$(scan smtp_unoffered smtp)
expect_eq "smtp without STARTTLS in EHLO" "$(jq -r '.reasons["tls1.3"]' <<<"$out")" 'starttls smtp: server does not offer STARTTLS'
out=$(timeout 30 "$TLSREADY" scan --json --timeout 0.5 --starttls smtp "127.0.0.1:${PORT[smtp_stall]}")
expect_eq "smtp greeting then silence" "$(jq -r '.reasons["tls1.2"]' <<<"$out")" 'starttls smtp: timeout during the dialogue'
out=$(scan imap_refuse imap)
expect_eq "imap NO" "$(jq -r '.reasons["tls1.2"]' <<<"$out")" 'starttls imap: STARTTLS refused: "a NO STARTTLS not available"'
out=$(scan ldap_refuse ldap)
expect_eq "ldap resultCode 52" "$(jq -r '.reasons["tls1.2"]' <<<"$out")" 'starttls ldap: StartTLS refused (resultCode 52, unavailable)'
out=$(scan mysql_refuse mysql)
expect_eq "mysql without CLIENT_SSL" "$(jq -r '.reasons["tls1.2"]' <<<"$out")" 'starttls mysql: server does not offer SSL (CLIENT_SSL not set)'
out=$(scan xmpp_refuse xmpp)
expect_eq "xmpp failure" "$(jq -r '.reasons["tls1.2"]' <<<"$out")" 'starttls xmpp: server answered <failure/>'
out=$(scan postgres_refuse postgres)
expect_eq "postgres N" "$(jq -r '.reasons["tls1.2"]' <<<"$out")" "starttls postgres: server does not support SSL (answered 'N')"
# without the dialogue, an SMTP server is not TLS
out=$(scan smtp none)
expect_eq "--starttls none on smtp: not TLS" "$(jq -r '.reasons["tls1.2"] | .[0:8]' <<<"$out") $(jq -r .starttls <<<"$out")" "not TLS: null"
# chosen by port: well-known ports inside a private network namespace (its own 127.0.0.1)
if timeout 5 unshare -n true 2>/dev/null; then
  got=$(timeout 40 unshare -n bash -c '
    ip link set lo up
    pids=()
    for pp in smtp:25 smtp:587 imap:143 pop3:110 ftp:21 ldap:389 postgres:5432 mysql:3306 xmpp:5222; do
      python3 -W ignore "$1" "${pp%%:*}" "${pp##*:}" "$2" "$3" & pids+=($!)
    done
    for port in 25 587 143 110 21 389 5432 3306 5222; do
      for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
    done
    "$4" scan --json --timeout 3 127.0.0.1:25 127.0.0.1:587 127.0.0.1:143 127.0.0.1:110 127.0.0.1:21 \
      127.0.0.1:389 127.0.0.1:5432 127.0.0.1:3306 127.0.0.1:5222 | jq -r "[.starttls, .versions[\"tls1.3\"]] | join(\":\")"
    kill "${pids[@]}"' _ "$SRV" "$CRT" "$KEY" "$TLSREADY" | tr '\n' ' ')
  expect_eq "starttls chosen by port (unshare -n)" "$got" \
    "smtp:accepted smtp:accepted imap:accepted pop3:accepted ftp:accepted ldap:accepted postgres:accepted mysql:accepted xmpp:accepted "
else
  ok "# SKIP unshare -n not permitted here: port-based choice covered by test_starttls"
fi
timeout 10 "$TLSREADY" scan --starttls gopher 127.0.0.1:1 >/dev/null 2>&1
expect_eq "bad --starttls: exit 2" "$?" 2
done_testing
