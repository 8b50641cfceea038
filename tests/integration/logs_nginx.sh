#!/usr/bin/env bash
# tlsready logs on a real nginx access log: nginx on 127.0.0.1 (ephemeral port)
# accepting TLS 1.0-1.3, driven by curl and openssl s_client at known versions;
# tlsready's counts must equal the requests made, exactly.
source "$(dirname "$0")/../lib.sh"

command -v nginx >/dev/null || { echo "1..0 # SKIP nginx not installed"; exit 0; }
T=$TEST_TMP
mkdir -p "$T/tmp"
make_cert "$T" localhost
PORT=$(free_port)
PLAIN=$(free_port)
cat > "$T/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $T/nginx.pid;
error_log $T/error.log;
events { worker_connections 64; }
http {
  client_body_temp_path $T/tmp/body;
  proxy_temp_path $T/tmp/proxy;
  fastcgi_temp_path $T/tmp/fastcgi;
  uwsgi_temp_path $T/tmp/uwsgi;
  scgi_temp_path $T/tmp/scgi;
  log_format tls '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status \$body_bytes_sent '
                 '"\$http_referer" "\$http_user_agent" \$ssl_protocol \$ssl_cipher';
  log_format sni escape=json '\$time_iso8601|\$remote_addr|\$ssl_server_name|\$ssl_protocol|'
                 '\$ssl_cipher|"\$http_user_agent"';
  server {
    listen 127.0.0.1:$PORT ssl;
    listen 127.0.0.1:$PLAIN;
    ssl_certificate $T/localhost.crt;
    ssl_certificate_key $T/localhost.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_ciphers DEFAULT:@SECLEVEL=0;
    access_log $T/access.log tls;
    access_log $T/sni.log sni;
    location / { return 200 "ok\n"; }
  }
}
CONF
nginx -t -c "$T/nginx.conf" -p "$T" >/dev/null 2>&1 || { not_ok "nginx -t accepts the test configuration"; cat "$T/error.log"; done_testing; exit 1; }
bg nginx -c "$T/nginx.conf" -p "$T"
NGINX_PID=${PIDS[-1]}
wait_port "$PORT" 10 || { not_ok "nginx listens"; done_testing; exit 1; }

made=0
# req N CURLARGS...: N requests with curl; counts those that got 200
req() {
  local n=$1; shift
  for _ in $(seq "$n"); do
    code=$(timeout 10 curl -s -o /dev/null -w '%{http_code}' -k --ciphers 'DEFAULT:@SECLEVEL=0' "$@")
    [ "$code" = 200 ] && made=$((made + 1)) || diag "curl $* -> $code"
  done
}
URL="https://127.0.0.1:$PORT/"
SNI_URL="https://legacy.test:$PORT/"
RESOLVE="--resolve legacy.test:$PORT:127.0.0.1"
req 3 --tlsv1.0 --tls-max 1.0 -A "LegacyTool/1.0" "$URL"
req 2 --tlsv1.1 --tls-max 1.1 -A "curl/7.88.1" $RESOLVE "$SNI_URL"
req 4 --tlsv1.2 --tls-max 1.2 "$URL"
req 5 --tlsv1.3 $RESOLVE "$SNI_URL"
# openssl s_client at TLS 1.0 with a hand-written request
for _ in 1 2; do
  printf 'GET / HTTP/1.0\r\nHost: localhost\r\nUser-Agent: Java/1.6.0_45\r\n\r\n' |
    timeout 10 openssl s_client -quiet -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -connect "127.0.0.1:$PORT" 2>/dev/null |
    grep -q '^ok' && made=$((made + 1))
done
# plain HTTP: logged with "-" for the TLS fields, not counted as TLS
timeout 10 curl -s -o /dev/null "http://127.0.0.1:$PLAIN/"
expect_eq "every request got 200" "$made" 16

kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null
expect_eq "nginx logged 17 lines" "$(wc -l < "$T/access.log")" 17

J=$T/out.json
"$TLSREADY" logs --json "$T/access.log" > "$J"; rc=$?
expect_eq "exit 1: legacy found" "$rc" 1
jq() { python3 -c "import json,sys; d=json.load(open('$J')); print($1)"; }
expect_eq "format detected" "$(jq 'd["summary"]["files"][0]["format"]')" nginx
expect_eq "versions" "$(jq '" ".join(str(d["summary"]["versions"][k]) for k in ["ssl3","tls1.0","tls1.1","tls1.2","tls1.3","unknown"])')" "0 5 2 4 5 0"
expect_eq "legacy requests" "$(jq 'd["summary"]["legacy"]')" 7
expect_eq "plain requests" "$(jq 'd["summary"]["plain_requests"]')" 1
expect_eq "one client" "$(jq '[(c["client"], c["total"], c["legacy"]) for c in d["clients"]]')" "[('127.0.0.1', 16, 7)]"
expect_eq "user agents" "$(jq 'sorted((u["user_agent"], u["legacy"], u["total"]) for u in d["user_agents"])')" \
  "[('Java 1.6', 2, 2), ('LegacyTool 1.0', 3, 3), ('curl 7.88', 2, 11)]"

# the custom format with SNI, read from the configuration
J2=$T/sni.json
"$TLSREADY" logs --json --nginx-conf "$T/nginx.conf" --nginx-format-name sni "$T/sni.log" > "$J2"
J=$J2
expect_eq "sni log: versions" "$(jq '" ".join(str(d["summary"]["versions"][k]) for k in ["tls1.0","tls1.1","tls1.2","tls1.3"])')" "5 2 4 5"
expect_eq "sni log: servers" "$(jq 'sorted(((s["server"], s["total"], s["legacy"]) for s in d["servers"]), key=str)')" \
  "[('legacy.test', 7, 2), (None, 9, 5)]"
"$TLSREADY" logs --nginx-conf "$T/nginx.conf" "$T/sni.log" > /dev/null 2> "$T/err"; rc=$?
expect_eq "two log_formats and no name: exit 2" "$rc" 2
check "the error names both formats" grep -q "'tls', 'sni'" "$T/err"

# gzip, a malformed line, --strict
gzip -c "$T/access.log" > "$T/access.log.gz"
{ cat "$T/access.log"; echo 'not a log line'; } > "$T/bad.log"
J=$T/gz.json
"$TLSREADY" logs --json "$T/access.log.gz" "$T/bad.log" > "$J" 2> "$T/err"
expect_eq "gz + plain: tls1.0 counted twice" "$(jq 'd["summary"]["versions"]["tls1.0"]')" 10
expect_eq "malformed line counted" "$(jq 'd["summary"]["malformed_lines"]')" 1
expect_eq "malformed line reported" "$(jq 'd["summary"]["malformed_examples"][0]["line"]')" 18
check "stderr names file:line" grep -q "bad.log:18: .*not a log line" "$T/err"
"$TLSREADY" logs --strict "$T/bad.log" > /dev/null 2>&1; rc=$?
expect_eq "--strict: exit 2" "$rc" 2
"$TLSREADY" logs --min tls1.0 --csv clients "$T/access.log" > "$T/c.csv"; rc=$?
expect_eq "--min tls1.0: no legacy, exit 0" "$rc" 0
check "csv header" grep -q '^client,' "$T/c.csv"
done_testing
