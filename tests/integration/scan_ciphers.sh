#!/usr/bin/env bash
# tlsready scan --ciphers / --sigalgs / --profile against real servers started
# here on 127.0.0.1 with known configurations. Ground truth comes from the
# servers' own configuration: `openssl ciphers -stdname -s -<version> SPEC`
# expands an OpenSSL cipher string into exactly the suites s_server / nginx
# will accept at that version; `gnutls-cli -l --priority P` lists GnuTLS's.
# Every suite found at tls1.2 that the local OpenSSL can speak is confirmed one
# by one with `openssl s_client -cipher X`.
source "$(dirname "$0")/../lib.sh"

USED=" "
distinct_port() { local p; while :; do p=$(free_port); [[ "$USED" == *" $p "* ]] || break; done; USED="$USED$p "; echo "$p"; }

# the IANA names of SPEC at an openssl version flag (-tls1, -tls1_1, -tls1_2), sorted
truth() { openssl ciphers -stdname -s "$1" "$2" 2>/dev/null | awk '{print $1}' | sort | tr '\n' ' '; }
# the IANA names tlsready found at VERSION in a JSON line, sorted
found() { jq -r --arg v "$2" '.enumeration[$v].suites // [] | .[].iana' <<<"$1" | sort | tr '\n' ' '; }
found_ordered() { jq -r --arg v "$2" '.enumeration[$v].suites // [] | .[].iana' <<<"$1" | tr '\n' ' '; }
jget() { jq -r "$2" <<<"$1"; }

LEGACY='ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA:DHE-RSA-AES128-SHA:NULL-SHA:ADH-AES128-SHA:@SECLEVEL=0'
TLS13='TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'
PREF='AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384'
GOOD='ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384'
NGINX='ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256'

P_LEG=$(distinct_port); P_PREF=$(distinct_port); P_GOOD=$(distinct_port); P_SIG=$(distinct_port); P_NGX=$(distinct_port)
s_server "$P_LEG" -cipher "$LEGACY" -ciphersuites "$TLS13" -groups X25519:secp384r1
s_server "$P_PREF" -tls1_2 -serverpref -cipher "$PREF"
s_server "$P_GOOD" -no_tls1 -no_tls1_1 -cipher "$GOOD" -groups X25519:P-256:P-384
s_server "$P_SIG" -no_tls1 -no_tls1_1 -cipher 'ECDHE-RSA-AES128-GCM-SHA256' -sigalgs 'RSA+SHA256:rsa_pss_rsae_sha384'

mkdir -p "$TEST_TMP/nginx-tmp"
cat > "$TEST_TMP/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $TEST_TMP/nginx.pid;
error_log $TEST_TMP/nginx-error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $TEST_TMP/nginx-tmp;
  proxy_temp_path $TEST_TMP/nginx-tmp;
  fastcgi_temp_path $TEST_TMP/nginx-tmp;
  uwsgi_temp_path $TEST_TMP/nginx-tmp;
  scgi_temp_path $TEST_TMP/nginx-tmp;
  server {
    listen 127.0.0.1:$P_NGX ssl;
    ssl_certificate $TEST_TMP/localhost.crt;
    ssl_certificate_key $TEST_TMP/localhost.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers $NGINX;
    ssl_ecdh_curve secp521r1:X25519;
    location / { return 200 "ok\n"; }
  }
}
EOF
bg nginx -e "$TEST_TMP/nginx-error.log" -c "$TEST_TMP/nginx.conf" -p "$TEST_TMP/"
for p in "$P_LEG" "$P_PREF" "$P_GOOD" "$P_SIG" "$P_NGX"; do wait_port "$p" 10; done

scan() { timeout 60 "$TLSREADY" scan --no-progress --timeout 3 --json "$@"; }

# --- legacy + modern s_server: every version's suites, groups, checks ---
J=$(scan --ciphers "127.0.0.1:$P_LEG")
for v in tls1.0:-tls1 tls1.1:-tls1_1 tls1.2:-tls1_2; do
  expect_eq "s_server legacy: ${v%%:*} suites = openssl ciphers expansion" "$(found "$J" "${v%%:*}")" "$(truth "${v#*:}" "$LEGACY")"
done
expect_eq "s_server legacy: tls1.3 suites = -ciphersuites" "$(found "$J" tls1.3)" "TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256 "
expect_eq "s_server legacy: ssl3 not enumerated (refused)" "$(jget "$J" '.enumeration.ssl3 // "none"')" "none"
expect_eq "s_server legacy: NULL and anon suites flagged insecure" \
  "$(jq -r '.enumeration["tls1.2"].suites[] | select(.strength=="insecure") | .iana' <<<"$J" | sort | tr '\n' ' ')" \
  "TLS_DH_anon_WITH_AES_128_CBC_SHA TLS_RSA_WITH_NULL_SHA "
expect_eq "s_server legacy: tls1.2 order is the client's" "$(jget "$J" '.enumeration["tls1.2"].order')" "client"
expect_eq "s_server legacy: tls1.3 groups (-groups X25519:secp384r1)" "$(jget "$J" '.enumeration["tls1.3"].groups | sort | join(" ")')" "secp384r1 x25519"
expect_eq "s_server legacy: tls1.2 groups" "$(jget "$J" '.enumeration["tls1.2"].groups | sort | join(" ")')" "secp384r1 x25519"
expect_eq "s_server legacy: DHE prime bits (s_server default 2048)" "$(jget "$J" '.enumeration["tls1.2"].dhe_bits')" "2048"
expect_eq "s_server legacy: checks" \
  "$(jget "$J" '[.checks.fallback_scsv.result, .checks.secure_renegotiation.result, .checks.compression.result, .checks.version_intolerance.result] | join(" ")')" \
  "yes yes no no"
expect_eq "s_server legacy: existing keys unchanged" "$(jget "$J" '[.versions["tls1.0"], .versions["tls1.3"], .preferred, .verdict] | join(" ")')" \
  "accepted accepted tls1.3 ok"
# confirm every tls1.2 suite one by one with the local OpenSSL
bad=0; n=0
for s in $(jq -r '.enumeration["tls1.2"].suites[].openssl' <<<"$J"); do
  n=$((n + 1))
  timeout 5 openssl s_client -connect "127.0.0.1:$P_LEG" -tls1_2 -cipher "$s:@SECLEVEL=0" </dev/null >/dev/null 2>&1 || { bad=$((bad + 1)); diag "s_client refused $s"; }
done
expect_eq "s_server legacy: s_client confirms each of the $n tls1.2 suites" "$bad" "0"
# and the suites s_client can speak that were NOT found are really refused
miss=0
for s in $(openssl ciphers -s -tls1_2 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | tr ':' ' '); do
  grep -qw -- "$s" <<<"$(jq -r '.enumeration["tls1.2"].suites[].openssl' <<<"$J")" && continue
  [[ "$s" == TLS_* ]] && continue
  timeout 5 openssl s_client -connect "127.0.0.1:$P_LEG" -tls1_2 -cipher "$s:@SECLEVEL=0" </dev/null >/dev/null 2>&1 && { miss=$((miss + 1)); diag "missed $s"; }
done
expect_eq "s_server legacy: no suite s_client can negotiate was missed" "$miss" "0"

# --- server preference order (-serverpref) ---
J=$(scan --ciphers "127.0.0.1:$P_PREF")
expect_eq "s_server -serverpref: order detected" "$(jget "$J" '.enumeration["tls1.2"].order')" "server"
expect_eq "s_server -serverpref: suites in the server's order" "$(found_ordered "$J" tls1.2)" \
  "$(openssl ciphers -stdname -s -tls1_2 "$PREF" | awk '{print $1}' | tr '\n' ' ')"
expect_eq "s_server tls1.2 only: fallback SCSV n/a" "$(jget "$J" '.checks.fallback_scsv.result')" "n/a"

# --- nginx ssl_ciphers + ssl_ecdh_curve ---
J=$(scan --ciphers "127.0.0.1:$P_NGX")
# nginx enables DHE only with ssl_dhparam (none here): its configured set is the expansion without kDHE
expect_eq "nginx: tls1.2 suites = ssl_ciphers expansion (no ssl_dhparam: no DHE)" "$(found "$J" tls1.2)" "$(truth -tls1_2 "$NGINX:!kDHE")"
expect_eq "nginx: tls1.3 suites = OpenSSL's default ciphersuites" "$(found "$J" tls1.3)" \
  "$(openssl ciphers -stdname -s -tls1_3 "$NGINX" | awk '/TLSv1.3/ {print $1}' | sort | tr '\n' ' ')"
expect_eq "nginx: tls1.3 groups = ssl_ecdh_curve" "$(jget "$J" '.enumeration["tls1.3"].groups | sort | join(" ")')" "secp521r1 x25519"
expect_eq "nginx: tls1.2 groups = ssl_ecdh_curve" "$(jget "$J" '.enumeration["tls1.2"].groups | sort | join(" ")')" "secp521r1 x25519"

# --- signature algorithms (-sigalgs) ---
J=$(scan --sigalgs "127.0.0.1:$P_SIG")
expect_eq "s_server -sigalgs: tls1.2" "$(jget "$J" '.enumeration["tls1.2"].sigalgs | join(" ")')" "rsa_pkcs1_sha256 rsa_pss_rsae_sha384"
expect_eq "s_server -sigalgs: tls1.3 (no PKCS#1 in 1.3)" "$(jget "$J" '.enumeration["tls1.3"].sigalgs | join(" ")')" "rsa_pss_rsae_sha384"

# a tls1.3 server without x25519 answers the x25519 key share with HelloRetryRequest: said, not guessed
P_P256=$(distinct_port)
s_server "$P_P256" -tls1_3 -groups P-256
wait_port "$P_P256" 10
J=$(scan --sigalgs --groups "127.0.0.1:$P_P256")
expect_eq "s_server -groups P-256: tls1.3 groups via HelloRetryRequest" "$(jget "$J" '.enumeration["tls1.3"].groups | join(" ")')" "secp256r1"
expect_eq "s_server -groups P-256: sigalgs partial (HRR before any signature)" "$(jget "$J" '.enumeration["tls1.3"].sigalgs_state')" "partial"

# --- hybrid post-quantum groups: no local TLS library speaks them, so a scripted TLS 1.3
# server (preference X25519MLKEM768, X25519Kyber768Draft00, x25519) answers each hello with
# the HelloRetryRequest or ServerHello a real one sends; tlsready's bytes go through the
# real engine and parser. It never needs to compute a hybrid share.
P_PQ=$(distinct_port)
bg python3 -c '
import os, socket, struct, sys
HRR = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")
PREF = [0x11EC, 0x6399, 0x001D]
SUITES = [0x1301, 0x1302]
def alert(d): return bytes([21, 3, 3, 0, 2, 2, d])
def reply(ch):
    if len(ch) < 9 or ch[0] != 22 or ch[5] != 1: return alert(50)
    b = ch[9:]; o = 34; sid = b[o + 1:o + 1 + b[o]]; o += 1 + b[o]
    n = struct.unpack(">H", b[o:o + 2])[0]; suites = [struct.unpack(">H", b[o + 2 + i:o + 4 + i])[0] for i in range(0, n, 2)]; o += 2 + n
    o += 1 + b[o]; end = o + 2 + struct.unpack(">H", b[o:o + 2])[0]; o += 2
    groups, versions, shares = [], [], []
    while o + 4 <= end:
        t, l = struct.unpack(">HH", b[o:o + 4]); d = b[o + 4:o + 4 + l]; o += 4 + l
        if t == 10: groups = [struct.unpack(">H", d[2 + i:4 + i])[0] for i in range(0, len(d) - 2, 2)]
        if t == 43: versions = [struct.unpack(">H", d[1 + i:3 + i])[0] for i in range(0, len(d) - 1, 2)]
        if t == 51:
            k = 2
            while k + 4 <= len(d):
                g, kl = struct.unpack(">HH", d[k:k + 4]); shares.append(g); k += 4 + kl
    if 0x0304 not in versions: return alert(70)
    cs = [c for c in suites if c in SUITES]; gs = [g for g in PREF if g in groups]
    if not cs or not gs: return alert(40)
    g = gs[0]
    if g in shares: rnd, ks = os.urandom(32), struct.pack(">HH", g, 32) + os.urandom(32)
    else: rnd, ks = HRR, struct.pack(">H", g)
    ext = struct.pack(">HHH", 43, 2, 0x0304) + struct.pack(">HH", 51, len(ks)) + ks
    body = b"\x03\x03" + rnd + bytes([len(sid)]) + sid + struct.pack(">HB", cs[0], 0) + struct.pack(">H", len(ext)) + ext
    hs = b"\x02" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack(">H", len(hs)) + hs
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
while True:
    c, _ = s.accept(); c.settimeout(2)
    try:
        data = b""
        while len(data) < 5 or len(data) < 5 + struct.unpack(">H", data[3:5])[0]:
            chunk = c.recv(65536)
            if not chunk: break
            data += chunk
        c.sendall(reply(data))
    except Exception: pass
    c.close()
' "$P_PQ"
wait_port "$P_PQ" 10
J=$(scan --ciphers "127.0.0.1:$P_PQ")
expect_eq "scripted PQ server: groups in its order (hybrids by HelloRetryRequest)" \
  "$(jget "$J" '.enumeration["tls1.3"].groups | join(" ")')" "X25519MLKEM768 X25519Kyber768Draft00 x25519"
expect_eq "scripted PQ server: pq_groups" "$(jget "$J" '.enumeration["tls1.3"].pq_groups | join(" ")')" "X25519MLKEM768 X25519Kyber768Draft00"
expect_eq "scripted PQ server: tls1.3 suites" "$(found "$J" tls1.3)" "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 "

# --- profiles: deviations are findings (exit 1), compliance is exit 0 ---
J=$(scan --profile mozilla-intermediate "127.0.0.1:$P_LEG"); rc=$?
expect_eq "profile intermediate, legacy server: exit 1" "$rc" "1"
expect_eq "profile intermediate, legacy server: deviations" \
  "$(jq -r '.profile.deviations[]' <<<"$J" | grep -cE '^(accepts tls1\.0|accepts tls1\.1|suite TLS_RSA_WITH_AES_256_CBC_SHA |suite TLS_RSA_WITH_NULL_SHA |suite TLS_DH_anon_WITH_AES_128_CBC_SHA |suite TLS_DHE_RSA_WITH_AES_128_CBC_SHA )')" "6"
J=$(scan --profile mozilla-intermediate "127.0.0.1:$P_GOOD"); rc=$?
expect_eq "profile intermediate, compliant server: exit 0" "$rc" "0"
expect_eq "profile intermediate, compliant server: no deviations" "$(jget "$J" '[.profile.compliant, (.profile.deviations | length)] | map(tostring) | join(" ")')" "true 0"
J=$(scan --profile mozilla-modern "127.0.0.1:$P_GOOD"); rc=$?
expect_eq "profile modern, tls1.2 server: exit 1 with 'accepts tls1.2'" "$rc $(jq -r '.profile.deviations[0]' <<<"$J")" \
  "1 accepts tls1.2 (mozilla-modern allows tls1.3)"
# with --certs the leaf counts too (the test certificate: RSA 2048, sha256WithRSAEncryption)
J=$(scan --profile mozilla-modern --certs "127.0.0.1:$P_GOOD")
expect_eq "profile modern --certs: the RSA leaf is a deviation" \
  "$(jq -r '.profile.deviations[] | select(startswith("certificate"))' <<<"$J" | tr '\n' '|')" \
  "certificate key RSA 2048 bits (mozilla-modern wants ecdsa)|certificate signature sha256WithRSAEncryption (mozilla-modern wants ecdsa-with-SHA256,ecdsa-with-SHA384,ecdsa-with-SHA512)|"
timeout 10 "$TLSREADY" scan --profile mozilla-nonsense 127.0.0.1:1 >/dev/null 2>&1
expect_eq "bad --profile: exit 2" "$?" "2"

# --- CSV: one row per (target, address, version, suite) ---
C=$(timeout 60 "$TLSREADY" scan --no-progress --ciphers --csv "127.0.0.1:$P_LEG")
J=$(scan --ciphers "127.0.0.1:$P_LEG")
expect_eq "csv: header" "$(head -1 <<<"$C")" "target,host,port,address,sni,version,rank,order,code,iana,openssl,strength,reason,kx,auth,cipher,bits,verdict"
expect_eq "csv: one row per suite and version" "$(($(wc -l <<<"$C") - 1))" "$(jq '[.enumeration[].suites | length] | add' <<<"$J")"

# --- terminal: a section per target ---
T=$(timeout 60 "$TLSREADY" scan --no-progress --no-color --ciphers "127.0.0.1:$P_PREF")
expect_eq "text: section header and order line" "$(grep -E '^== |^  tls1.2:' <<<"$T" | tr '\n' '|')" \
  "== 127.0.0.1:$P_PREF (127.0.0.1)  verdict ok|  tls1.2: 3 suites, server order|"

# --- GnuTLS: suites the local OpenSSL cannot speak (3DES, RC4), in a private network namespace ---
GPRIO='NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:-CIPHER-ALL:+3DES-CBC:+ARCFOUR-128:+AES-128-GCM:+AES-256-CBC:-KX-ALL:+ECDHE-RSA:+RSA:-MAC-ALL:+SHA1:+MD5:+AEAD'
if command -v gnutls-serv >/dev/null && unshare -n true 2>/dev/null; then
  want=$(gnutls-cli -l --priority "$GPRIO" | awk '/^TLS_/ {gsub(",","",$2); printf "0x%s%s\n", toupper(substr($2,3)), toupper(substr($3,3))}' | sort | tr '\n' ' ')
  got=$(TR="$TLSREADY" CRT="$TEST_TMP/localhost.crt" KEY="$TEST_TMP/localhost.key" PRIO="$GPRIO" \
    timeout 30 unshare -n bash -c '
      ip link set lo up
      gnutls-serv --port 44331 --x509certfile "$CRT" --x509keyfile "$KEY" --priority "$PRIO" >/dev/null 2>&1 &
      srv=$!
      for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/44331) 2>/dev/null && break; sleep 0.05; done
      "$TR" scan --no-progress --json --ciphers 127.0.0.1:44331
      kill $srv; wait $srv 2>/dev/null' 2>/dev/null)
  expect_eq "gnutls-serv: tls1.2 suites = gnutls-cli -l --priority" \
    "$(jq -r '.enumeration["tls1.2"].suites[].code' <<<"$got" | sort | tr '\n' ' ')" "$want"
  expect_eq "gnutls-serv: 3DES found and flagged weak (Sweet32)" \
    "$(jq -r '.enumeration["tls1.2"].suites[] | select(.code=="0x000A") | .strength + " " + .reason' <<<"$got")" \
    "weak 3DES (64-bit block, Sweet32)"
  expect_eq "gnutls-serv: RC4 found and flagged insecure" \
    "$(jq -r '.enumeration["tls1.2"].suites[] | select(.cipher // .iana | test("RC4")) | .code + " " + .strength + " " + .reason' <<<"$got" | sort | tr '\n' '|')" \
    "0x0004 insecure RC4 (RFC 7465)|0x0005 insecure RC4 (RFC 7465)|0xC011 insecure RC4 (RFC 7465)|"
else
  not_ok "gnutls-serv and unshare -n are available (scripts/deps.sh test)"
fi

done_testing
