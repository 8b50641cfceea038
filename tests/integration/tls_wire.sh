#!/usr/bin/env bash
# The TLS engine against a real server: tools/tls_hello_probe sends our own
# ClientHello for each version to `openssl s_server` configured with one
# version and one cipher suite, and the parsed ServerHello must name exactly
# that version and suite (cross-checked with `openssl s_client` against the
# same server). Also: refused version -> protocol_version alert, TLS 1.3
# HelloRetryRequest, the TLS 1.2 flight (certificate fingerprint, ECDHE group,
# DHE size), a non-TLS server, GnuTLS (3DES, which the local OpenSSL lacks), and
# our JA3/JA3S against tshark's.
source "$(dirname "$0")/../lib.sh"

BDIR=$(cd "$(dirname "$TLSREADY")/.." 2>/dev/null && pwd)
PROBE="${TLS_HELLO_PROBE:-$BDIR/rel/tools/tls_hello_probe}"
if [ ! -x "$PROBE" ]; then
  not_ok "tls_hello_probe is built ($PROBE)"; done_testing; exit 1
fi
make_cert "$TEST_TMP" localhost

# field NAME: the value of "NAME: value" in $OUT
field() { sed -n "s/^$1: //p" <<<"$OUT" | head -1; }

# serve ARGS...: starts s_server on a fresh port, sets PORT
serve() {
  PORT=$(free_port)
  s_server "$PORT" "$@"
  wait_port "$PORT" 10
}

probe() { OUT=$(timeout 10 "$PROBE" --sni localhost "$@" 127.0.0.1 "$PORT" 2>&1); }

# s_client's view of the same server: "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384"
sclient() {
  local o
  o=$(timeout 10 openssl s_client -brief -connect "127.0.0.1:$PORT" -servername localhost "$@" </dev/null 2>&1)
  echo "$(sed -n 's/^Protocol version: //p' <<<"$o" | head -1) $(sed -n 's/^Ciphersuite: //p' <<<"$o" | head -1)"
}

# one version, one suite per server
check_version() { # VERSION S_SERVER_FLAG CIPHER_ARGS WANT_CODE WANT_OPENSSL_NAME S_CLIENT_FLAG S_CLIENT_VERSION
  local v=$1 flag=$2 cargs=$3 code=$4 name=$5 cflag=$6 sv=$7
  # shellcheck disable=SC2086
  serve "$flag" $cargs
  probe --version "$v" --min tls1.0
  expect_eq "$v: status" "$(field status)" "SERVER_HELLO"
  expect_eq "$v: negotiated version" "$(field version)" "$v"
  expect_eq "$v: negotiated suite" "$(field cipher | cut -d' ' -f1,3)" "$code $name"
  # shellcheck disable=SC2086
  expect_eq "$v: s_client agrees" "$(sclient "$cflag" $cargs)" "$sv $name"
}

check_version tls1.0 -tls1   "-cipher ECDHE-RSA-AES256-SHA:@SECLEVEL=0" 0xC014 ECDHE-RSA-AES256-SHA -tls1 TLSv1
check_version tls1.1 -tls1_1 "-cipher AES128-SHA:@SECLEVEL=0"           0x002F AES128-SHA           -tls1_1 TLSv1.1
check_version tls1.2 -tls1_2 "-cipher ECDHE-RSA-AES256-GCM-SHA384"      0xC030 ECDHE-RSA-AES256-GCM-SHA384 -tls1_2 TLSv1.2
check_version tls1.3 -tls1_3 "-ciphersuites TLS_CHACHA20_POLY1305_SHA256" 0x1303 TLS_CHACHA20_POLY1305_SHA256 -tls1_3 TLSv1.3
# an insecure (anonymous) suite the local OpenSSL still has, offered by our legacy list
check_version tls1.0 -tls1   "-cipher ADH-AES128-SHA:@SECLEVEL=0"       0x0034 ADH-AES128-SHA -tls1 TLSv1

# a TLS 1.2-only server refuses our TLS 1.0 hello with a protocol_version alert
serve -tls1_2
probe --version tls1.0
expect_eq "refused version: status" "$(field status)" "ALERT"
expect_eq "refused version: alert" "$(field alert)" "2 70 protocol_version"

# TLS 1.3 server that only does secp384r1: our x25519 key share gets a HelloRetryRequest
serve -tls1_3 -groups secp384r1
probe --version tls1.3
expect_eq "hrr: status" "$(field status)" "HELLO_RETRY"
expect_eq "hrr: requested group" "$(field group)" "0x0018 secp384r1"

# TLS 1.2 flight: the certificate as sent (fingerprint as openssl computes it) and the ECDHE group
serve -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -groups prime256v1
probe --version tls1.2 --flight
want_fp=$(openssl x509 -in "$TEST_TMP/localhost.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
expect_eq "flight: one certificate" "$(field certificates)" "1"
expect_eq "flight: certificate sha256" "$(field 'cert\[0\]' | sed 's/.*sha256=//')" "$want_fp"
expect_eq "flight: certificate subject" "$(field 'cert\[0\]' | sed 's/ .*//')" "subject=CN=localhost"
expect_eq "flight: ECDHE group" "$(field ske_group)" "secp256r1"

# DHE: the prime size s_client reports as the server temp key
serve -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0
probe --version tls1.2 --flight
want_dh=$(timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0 \
          </dev/null 2>/dev/null | sed -n 's/^Server Temp Key: DH, \([0-9]*\) bits/\1/p')
expect_eq "flight: DHE prime bits" "$(field ske_dh_bits)" "$want_dh"

# something that is not TLS at all
PORT=$(free_port)
bg python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(4096)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"); c.close()
' "$PORT"
wait_port "$PORT" 10
probe --version tls1.2
expect_eq "http server: status" "$(field status)" "NOT_TLS"
expect_eq "http server: reason" "$(field reason)" 'plaintext reply: "HTTP/1.1 400 Bad Request"'

# GnuTLS, an independent implementation, speaks suites the local OpenSSL lacks (3DES).
# gnutls-serv cannot bind to 127.0.0.1 only, so it runs in a private network namespace.
gnutls_case() { # DESC PRIORITY PROBE_ARGS WANT(version cipher-code)
  local got
  got=$(PROBE="$PROBE" CRT="$TEST_TMP/localhost.crt" KEY="$TEST_TMP/localhost.key" PRIO="$2" ARGS="$3" \
    timeout 20 unshare -n bash -c '
      ip link set lo up
      gnutls-serv --port 44330 --x509certfile "$CRT" --x509keyfile "$KEY" --priority "$PRIO" >/dev/null 2>&1 &
      srv=$!
      for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/44330) 2>/dev/null && break; sleep 0.05; done
      # shellcheck disable=SC2086
      "$PROBE" --sni localhost $ARGS 127.0.0.1 44330 | sed -n "s/^version: //p; s/^cipher: \([^ ]*\).*/\1/p" | tr "\n" " "
      kill $srv; wait $srv 2>/dev/null' 2>/dev/null)
  expect_eq "gnutls: $1" "${got% }" "$4"
}
if command -v gnutls-serv >/dev/null && unshare -n true 2>/dev/null; then
  gnutls_case "3DES at tls1.1 (max offered tls1.2)" \
    "NORMAL:-VERS-ALL:+VERS-TLS1.1:-CIPHER-ALL:+3DES-CBC:-KX-ALL:+ECDHE-RSA:-MAC-ALL:+SHA1" \
    "--version tls1.2 --min tls1.0" "tls1.1 0xC012"
  gnutls_case "static RSA AES-256-CBC-SHA256 at tls1.2" \
    "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-CBC:-KX-ALL:+RSA:-MAC-ALL:+SHA256" \
    "--version tls1.3 --min tls1.0" "tls1.2 0x003D"
  gnutls_case "tls1.3 AES-256-GCM" "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM" \
    "--version tls1.3 --min tls1.2" "tls1.3 0x1302"
else
  not_ok "gnutls-serv and unshare -n are available (scripts/deps.sh test)"
fi

# our JA3 of our own hello equals tshark's (hello wrapped into a pcap by text2pcap)
if command -v tshark >/dev/null && command -v text2pcap >/dev/null; then
  for v in tls1.0 tls1.2 tls1.3; do
    OUT=$("$PROBE" --version "$v" --min tls1.0 --sni ja3.example --emit "$TEST_TMP/hello-$v.bin")
    od -Ax -tx1 -v "$TEST_TMP/hello-$v.bin" > "$TEST_TMP/hello-$v.hex"
    text2pcap -q -T 50000,443 "$TEST_TMP/hello-$v.hex" "$TEST_TMP/hello-$v.pcap" 2>/dev/null
    got=$(tshark -r "$TEST_TMP/hello-$v.pcap" -o tls.desegment_ssl_records:TRUE -Y tls.handshake.type==1 \
          -T fields -e tls.handshake.ja3 -e tls.handshake.ja3_full 2>/dev/null | head -1)
    expect_eq "$v: ja3 equals tshark's" "$(field ja3) $(field ja3_full)" "$(tr '\t' ' ' <<<"$got")"
  done
  # and our JA3S of a real server's ServerHello equals tshark's
  for v in tls1.2 tls1.3; do
    flag=-tls1_2; [ "$v" = tls1.3 ] && flag=-tls1_3
    serve "$flag"
    probe --version "$v" --dump-reply "$TEST_TMP/reply-$v.bin"
    od -Ax -tx1 -v "$TEST_TMP/reply-$v.bin" > "$TEST_TMP/reply-$v.hex"
    text2pcap -q -T 443,50000 "$TEST_TMP/reply-$v.hex" "$TEST_TMP/reply-$v.pcap" 2>/dev/null
    got=$(tshark -r "$TEST_TMP/reply-$v.pcap" -Y tls.handshake.type==2 \
          -T fields -e tls.handshake.ja3s -e tls.handshake.ja3s_full 2>/dev/null | head -1)
    expect_eq "$v: ja3s equals tshark's" "$(field ja3s) $(field ja3s_full)" "$(tr '\t' ' ' <<<"$got")"
  done
else
  not_ok "tshark and text2pcap are installed (scripts/deps.sh test)"
fi

done_testing
