#!/usr/bin/env bash
# tlsready scan --certs against openssl s_server instances on 127.0.0.1 serving
# certificates from a test CA this script makes with openssl: a valid chain,
# expired, self-signed, wrong host, RSA-1024, SHA-1 signed, expiring soon; a
# TLS 1.3-only server (chain via a full handshake); a server with another
# certificate without SNI (s_server -servername/-cert2) and one that refuses
# clients without SNI (Python ssl, alert unrecognized_name). Ground truth:
# each certificate file (openssl x509 -fingerprint/-enddate) and the flags
# that follow from how it was made.
source "$(dirname "$0")/../lib.sh"

T=$TEST_TMP/certs
CA=$T/ca
mkdir -p "$CA"
: > "$CA/index.txt"
echo 1000 > "$CA/serial"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$CA/ca.key" -out "$CA/ca.crt" -days 365 \
  -subj "/CN=tlsready test CA" 2>/dev/null
cat > "$CA/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
dir = $CA
database = $CA/index.txt
serial = $CA/serial
new_certs_dir = $CA
certificate = $CA/ca.crt
private_key = $CA/ca.key
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
EOF
utc() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
# leaf NAME CN BITS MD START END: a certificate for CN (SAN DNS:CN) signed by the test CA
leaf() {
  openssl req -new -newkey "rsa:$3" -nodes -keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$2" \
    -addext "subjectAltName=DNS:$2" 2>/dev/null
  openssl ca -batch -config "$CA/ca.cnf" -md "$4" -startdate "$5" -enddate "$6" -notext \
    -in "$T/$1.csr" -out "$T/$1.crt" 2>/dev/null
}
NOW=$(utc 'now - 1 hour')
leaf valid localhost 2048 sha256 "$NOW" "$(utc 'now + 100 days')"
leaf expired localhost 2048 sha256 20200101000000Z 20210101000000Z
leaf wronghost other.test 2048 sha256 "$NOW" "$(utc 'now + 100 days')"
leaf rsa1024 localhost 1024 sha256 "$NOW" "$(utc 'now + 100 days')"
leaf sha1 localhost 2048 sha1 "$NOW" "$(utc 'now + 100 days')"
leaf soon localhost 2048 sha256 "$NOW" "$(utc 'now + 10 days')"
leaf nosni default.test 2048 sha256 "$NOW" "$(utc 'now + 100 days')"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/self.key" -out "$T/self.crt" -days 100 \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" 2>/dev/null

fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f; }
# whole days until notAfter, rounded down (an expired certificate: -1 on the day after)
days_left() {
  local end d; end=$(date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s); d=$(( end - $(date +%s) ))
  if [ $d -lt 0 ] && [ $(( d % 86400 )) -ne 0 ]; then echo $(( d / 86400 - 1 )); else echo $(( d / 86400 )); fi
}

USED=" "
distinct_port() { local p; while :; do p=$(free_port); [[ "$USED" == *" $p "* ]] || break; done; USED="$USED$p "; echo "$p"; }
declare -A PORT
serve() { # serve NAME s_server-options...
  local n=$1; shift
  PORT[$n]=$(distinct_port)
  bg openssl s_server -accept "127.0.0.1:${PORT[$n]}" -quiet -naccept 1000000 "$@" </dev/null >/dev/null 2>&1
}
SEC0='DEFAULT:@SECLEVEL=0'
serve valid -cert "$T/valid.crt" -key "$T/valid.key" -cert_chain "$CA/ca.crt"
serve expired -cert "$T/expired.crt" -key "$T/expired.key"
serve wronghost -cert "$T/wronghost.crt" -key "$T/wronghost.key"
serve rsa1024 -cert "$T/rsa1024.crt" -key "$T/rsa1024.key" -cipher "$SEC0"
serve sha1 -cert "$T/sha1.crt" -key "$T/sha1.key" -cipher "$SEC0"
serve soon -cert "$T/soon.crt" -key "$T/soon.key"
serve self -cert "$T/self.crt" -key "$T/self.key"
serve tls13 -tls1_3 -cert "$T/valid.crt" -key "$T/valid.key"
serve snidiff -cert "$T/nosni.crt" -key "$T/nosni.key" -cert2 "$T/valid.crt" -key2 "$T/valid.key" -servername localhost
PORT[snineed]=$(distinct_port)
bg python3 -W ignore "$(dirname "$0")/../starttls/starttls_server.py" tls "${PORT[snineed]}" "$T/valid.crt" "$T/valid.key" --require-sni
for n in "${!PORT[@]}"; do wait_port "${PORT[$n]}" || not_ok "server $n did not start"; done

# scan NAME [options]: JSON Lines of one scan of localhost:PORT (SNI localhost)
scan() {
  local n=$1; shift
  timeout 30 "$TLSREADY" scan --certs --json --timeout 3 --resolve "localhost:${PORT[$n]}:127.0.0.1" "$@" "localhost:${PORT[$n]}"
}
flags() { jq -c '.cert_flags' <<<"$1"; }

# a valid chain (leaf + CA sent), trusted through --ca-file
out=$(scan valid --ca-file "$CA/ca.crt"); rc=$?
expect_eq "valid chain: no flags" "$(flags "$out")" '[]'
expect_eq "valid chain: exit 0" "$rc" 0
expect_eq "valid chain: trusted, host matched, 2 sent" "$(jq -c '[.cert_trusted, .cert_hostname_match, .chain_length]' <<<"$out")" '[true,true,2]'
expect_eq "valid chain: leaf sha256" "$(jq -r '.certificate.sha256' <<<"$out")" "$(fp "$T/valid.crt")"
expect_eq "valid chain: second is the CA" "$(jq -r '.chain[1].sha256' <<<"$out")" "$(fp "$CA/ca.crt")"
expect_eq "valid chain: subject, issuer, SANs" "$(jq -c '.certificate | [.subject, .issuer, .sans]' <<<"$out")" \
  '["CN=localhost","CN=tlsready test CA",["DNS:localhost"]]'
expect_eq "valid chain: serial" "$(jq -r '.certificate.serial' <<<"$out")" \
  "$(openssl x509 -in "$T/valid.crt" -noout -serial | cut -d= -f2)"
expect_eq "valid chain: key and signature" "$(jq -c '.certificate | [.key_type, .key_bits, .signature_algorithm]' <<<"$out")" \
  '["RSA",2048,"sha256WithRSAEncryption"]'
expect_eq "valid chain: days left = openssl x509 -enddate" "$(jq -r '.certificate.days_left' <<<"$out")" "$(days_left "$T/valid.crt")"
expect_eq "valid chain: sni same" "$(jq -r '.sni_behaviour.result' <<<"$out")" same
out=$(scan valid)
expect_eq "valid chain without --ca-file: untrusted (system store)" "$(flags "$out")" '["untrusted"]'

out=$(scan expired --ca-file "$CA/ca.crt"); rc=$?
expect_eq "expired: flags" "$(flags "$out")" '["expired","untrusted"]'
expect_eq "expired: days left negative as openssl says" "$(jq -r '.certificate.days_left' <<<"$out")" "$(days_left "$T/expired.crt")"
expect_eq "expired: exit 1 (finding)" "$rc" 1
out=$(scan wronghost --ca-file "$CA/ca.crt")
expect_eq "wrong host: flags" "$(flags "$out")" '["name_mismatch"]'
out=$(scan rsa1024 --ca-file "$CA/ca.crt")
expect_eq "rsa-1024: flags" "$(flags "$out")" '["weak_key"]'
expect_eq "rsa-1024: key bits" "$(jq -r '.certificate.key_bits' <<<"$out")" 1024
out=$(scan sha1 --ca-file "$CA/ca.crt")
expect_eq "sha-1 signed: flags" "$(flags "$out")" '["weak_signature"]'
expect_eq "sha-1 signed: algorithm" "$(jq -r '.certificate.signature_algorithm' <<<"$out")" sha1WithRSAEncryption
out=$(scan soon --ca-file "$CA/ca.crt")
expect_eq "expiring in 10 days: flags (warn 30)" "$(flags "$out")" '["expiring_soon"]'
expect_eq "expiring in 10 days: days left" "$(jq -r '.certificate.days_left' <<<"$out")" "$(days_left "$T/soon.crt")"
out=$(scan soon --ca-file "$CA/ca.crt" --warn-days 5)
expect_eq "expiring in 10 days: no flag with --warn-days 5" "$(flags "$out")" '[]'
out=$(scan self --ca-file "$CA/ca.crt")
expect_eq "self-signed: flags" "$(flags "$out")" '["self_signed","untrusted"]'

out=$(scan tls13 --ca-file "$CA/ca.crt")
expect_eq "tls1.3-only: chain via a full handshake" "$(jq -r '.cert_via' <<<"$out")" "tls1.3 handshake"
expect_eq "tls1.3-only: leaf sha256" "$(jq -r '.certificate.sha256' <<<"$out")" "$(fp "$T/valid.crt")"
expect_eq "tls1.3-only: no flags" "$(flags "$out")" '[]'

out=$(scan snidiff --ca-file "$CA/ca.crt")
expect_eq "sni: another certificate without SNI" "$(jq -c '.sni_behaviour | [.result, .nosni_subject, .nosni_sha256]' <<<"$out")" \
  "[\"different\",\"CN=default.test\",\"$(fp "$T/nosni.crt")\"]"
expect_eq "sni: the SNI certificate is checked" "$(jq -r '.certificate.sha256' <<<"$out")" "$(fp "$T/valid.crt")"
out=$(scan snineed --ca-file "$CA/ca.crt")
expect_eq "sni required: alert without SNI" "$(jq -c '.sni_behaviour | [.result, .nosni_error]' <<<"$out")" \
  '["required","alert unrecognized_name"]'

# the terminal block
out=$(timeout 30 "$TLSREADY" scan --certs --no-progress --ca-file "$CA/ca.crt" --resolve "localhost:${PORT[expired]}:127.0.0.1" "localhost:${PORT[expired]}")
check "terminal: certificate block with flags" grep -q "^  flags     expired, untrusted$" <<<"$out"
check "terminal: validity line" grep -q "^  valid     2020-01-01T00:00:00Z .. 2021-01-01T00:00:00Z" <<<"$out"
# usage errors
timeout 10 "$TLSREADY" scan --warn-days x 127.0.0.1:1 >/dev/null 2>&1
expect_eq "bad --warn-days: exit 2" "$?" 2
timeout 10 "$TLSREADY" scan --ca-file "$T/missing.pem" "localhost:${PORT[valid]}" --resolve "localhost:${PORT[valid]}:127.0.0.1" >/dev/null 2>&1
expect_eq "missing --ca-file: exit 2" "$?" 2
done_testing
