#!/usr/bin/env bash
# tlsready logs on a real Apache httpd log: httpd (mod_ssl) on 127.0.0.1
# (ephemeral port) with a LogFormat carrying %{SSL_PROTOCOL}x %{SSL_CIPHER}x
# %{SSL_TLS_SNI}x, driven by curl at known versions, one User-Agent with quotes
# (Apache escapes them as \"); tlsready's counts must equal the requests made.
source "$(dirname "$0")/../lib.sh"

HTTPD=$(command -v apache2 || command -v httpd || echo /usr/sbin/apache2)
MODS=/usr/lib/apache2/modules
[ -x "$HTTPD" ] && [ -f "$MODS/mod_ssl.so" ] || { echo "1..0 # SKIP apache2 (mod_ssl) not installed"; exit 0; }
T=$TEST_TMP
chmod 755 "$T"
mkdir -p "$T/www"
echo ok > "$T/www/index.html"
chmod -R a+rX "$T/www"
make_cert "$T" localhost
PORT=$(free_port)
FMT='%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %{SSL_PROTOCOL}x %{SSL_CIPHER}x %{SSL_TLS_SNI}x'
cat > "$T/httpd.conf" <<CONF
ServerRoot "$T"
ServerName localhost
PidFile $T/httpd.pid
DefaultRuntimeDir $T
Mutex file:$T default
Listen 127.0.0.1:$PORT
ErrorLog $T/error.log
User nobody
Group nogroup
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule ssl_module $MODS/mod_ssl.so
DocumentRoot $T/www
DirectoryIndex index.html
LogFormat "$FMT" tls
CustomLog $T/access.log tls
SSLEngine on
SSLCertificateFile $T/localhost.crt
SSLCertificateKeyFile $T/localhost.key
SSLProtocol all -SSLv3
SSLCipherSuite DEFAULT:@SECLEVEL=0
SSLSessionCache none
<Directory $T/www>
  Require all granted
</Directory>
CONF
"$HTTPD" -t -f "$T/httpd.conf" >/dev/null 2>&1 || { not_ok "httpd -t accepts the configuration"; "$HTTPD" -t -f "$T/httpd.conf"; done_testing; exit 1; }
bg "$HTTPD" -X -f "$T/httpd.conf"
AP_PID=${PIDS[-1]}
wait_port "$PORT" 10 || { not_ok "httpd listens"; cat "$T/error.log"; done_testing; exit 1; }

made=0
req() {
  local n=$1; shift
  for _ in $(seq "$n"); do
    code=$(timeout 10 curl -s -o /dev/null -w '%{http_code}' -k --ciphers 'DEFAULT:@SECLEVEL=0' "$@")
    [ "$code" = 200 ] && made=$((made + 1)) || diag "curl $* -> $code"
  done
}
RESOLVE="--resolve legacy.test:$PORT:127.0.0.1"
req 2 --tlsv1.0 --tls-max 1.0 -A 'Old "Quoted" Agent/1.0' $RESOLVE "https://legacy.test:$PORT/"
req 1 --tlsv1.1 --tls-max 1.1 "https://127.0.0.1:$PORT/"
req 3 --tlsv1.2 --tls-max 1.2 "https://127.0.0.1:$PORT/"
req 2 --tlsv1.3 $RESOLVE "https://legacy.test:$PORT/"
expect_eq "every request got 200" "$made" 8
kill "$AP_PID"; wait "$AP_PID" 2>/dev/null
expect_eq "httpd logged 8 lines" "$(wc -l < "$T/access.log")" 8

J=$T/out.json
"$TLSREADY" logs --json --format apache --log-format "$FMT" "$T/access.log" > "$J"; rc=$?
expect_eq "exit 1: legacy found" "$rc" 1
jq() { python3 -c "import json,sys; d=json.load(open('$J')); print($1)"; }
expect_eq "versions" "$(jq '" ".join(str(d["summary"]["versions"][k]) for k in ["ssl3","tls1.0","tls1.1","tls1.2","tls1.3","unknown"])')" "0 2 1 3 2 0"
expect_eq "malformed" "$(jq 'd["summary"]["malformed_lines"]')" 0
expect_eq "legacy user agents (families)" "$(jq 'sorted(u["user_agent"] for u in d["user_agents"] if u["legacy"])')" \
  "['Old', 'curl 7.88']"
"$TLSREADY" logs --json --raw-user-agent --format apache --log-format "$FMT" "$T/access.log" > "$T/raw.json"
J=$T/raw.json
expect_eq "the quoted agent, unescaped" "$(jq 'sorted(u["user_agent"] for u in d["user_agents"] if u["legacy"])')" \
  "['Old \"Quoted\" Agent/1.0', 'curl/7.88.1']"
expect_eq "servers (SNI)" "$(jq 'sorted(((s["server"], s["total"], s["legacy"]) for s in d["servers"]), key=str)')" \
  "[('legacy.test', 4, 2), (None, 4, 1)]"
done_testing
