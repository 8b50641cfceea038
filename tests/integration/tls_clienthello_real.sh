#!/usr/bin/env bash
# Real clients' ClientHellos through the passive parser (what serve and pcap
# see): chromium, curl, openssl s_client, gnutls-cli and Python's ssl each
# connect to a capture socket; every captured hello must parse, and our SNI,
# JA3 string and JA3 hash must equal tshark's for the same bytes. Everything
# runs in a private network namespace (chromium makes no other traffic).
source "$(dirname "$0")/../lib.sh"

BDIR=$(cd "$(dirname "$TLSREADY")/.." 2>/dev/null && pwd)
PROBE="${TLS_HELLO_PROBE:-$BDIR/rel/tools/tls_hello_probe}"
if [ ! -x "$PROBE" ]; then
  not_ok "tls_hello_probe is built ($PROBE)"; done_testing; exit 1
fi
for t in tshark text2pcap unshare; do
  command -v "$t" >/dev/null || { not_ok "$t is installed (scripts/deps.sh test)"; done_testing; exit 1; }
done

cat > "$TEST_TMP/cap.py" <<'PY'
import socket, sys, os
# Accepts N connections; saves each client's bytes up to the end of its ClientHello.
port, outdir, names = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(16)
open(os.path.join(outdir, "ready"), "w").close()
for name in names:
    c, _ = s.accept(); c.settimeout(5); data = b""
    try:
        while True:
            if len(data) >= 9 and data[0] == 22:
                hs = 4 + int.from_bytes(data[6:9], "big")
                got, pos = 0, 0
                while pos + 5 <= len(data):          # handshake bytes in complete records
                    rl = int.from_bytes(data[pos + 3:pos + 5], "big")
                    if pos + 5 + rl > len(data): break
                    got += rl; pos += 5 + rl
                if got >= hs: break
            elif len(data) >= 1 and data[0] != 22:
                break
            d = c.recv(65536)
            if not d: break
            data += d
    except socket.timeout:
        pass
    open(os.path.join(outdir, name + ".bin"), "wb").write(data)
    c.close()
PY

clients="openssl,curl,gnutls,python"
command -v chromium >/dev/null && clients="$clients,chromium"
OUT_DIR="$TEST_TMP/hellos"; mkdir -p "$OUT_DIR"
OUT_DIR="$OUT_DIR" CLIENTS="$clients" CAP="$TEST_TMP/cap.py" PROF="$TEST_TMP/chromium" timeout 90 unshare -n bash -c '
  ip link set lo up
  P=44350
  python3 "$CAP" $P "$OUT_DIR" "$CLIENTS" & cap=$!
  for _ in $(seq 100); do [ -e "$OUT_DIR/ready" ] && break; sleep 0.05; done
  for c in ${CLIENTS//,/ }; do
    case $c in
      openssl) timeout 5 openssl s_client -connect 127.0.0.1:$P -servername real.example </dev/null >/dev/null 2>&1 ;;
      curl) timeout 5 curl -sk --max-time 4 --resolve real.example:$P:127.0.0.1 https://real.example:$P/ >/dev/null 2>&1 ;;
      gnutls) timeout 5 gnutls-cli --insecure --sni-hostname real.example -p $P 127.0.0.1 </dev/null >/dev/null 2>&1 ;;
      python) timeout 5 python3 -c "import socket,ssl,sys; c=ssl.create_default_context(); c.check_hostname=False; c.verify_mode=ssl.CERT_NONE
try: c.wrap_socket(socket.create_connection((\"127.0.0.1\",$P)),server_hostname=\"real.example\")
except Exception: pass" >/dev/null 2>&1 ;;
      chromium) timeout 20 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
                  --user-data-dir="$PROF" --host-resolver-rules="MAP real.example 127.0.0.1" \
                  https://real.example:$P/ >/dev/null 2>&1 & chr=$!; wait $cap; kill $chr 2>/dev/null ;;
    esac
  done
  kill $cap 2>/dev/null; true'

for c in ${clients//,/ }; do
  f="$OUT_DIR/$c.bin"
  if [ ! -s "$f" ]; then
    not_ok "$c: a ClientHello was captured"; continue
  fi
  ours=$("$PROBE" --parse "$f")
  field() { sed -n "s/^$1: //p" <<<"$ours" | head -1; }
  expect_eq "$c: our parser accepts the hello" "$(field status)" "OK"
  od -Ax -tx1 -v "$f" > "$f.hex"
  text2pcap -q -T 50000,443 "$f.hex" "$f.pcap" 2>/dev/null
  theirs=$(tshark -r "$f.pcap" -o tls.desegment_ssl_records:TRUE -Y tls.handshake.type==1 -T fields \
           -E separator='|' -e tls.handshake.extensions_server_name -e tls.handshake.ja3 \
           -e tls.handshake.ja3_full 2>/dev/null | head -1)
  expect_eq "$c: sni, ja3 and ja3 string equal tshark's" "$(field sni)|$(field ja3)|$(field ja3_full)" "$theirs"
  diag "$c: $(field ja4)"
  if [ "$c" = chromium ]; then   # Chrome's 15 suites: FoxIO's published cipher hash
    expect_eq "chromium: ja4 cipher hash" "$(field ja4 | cut -d_ -f2)" "8daaf6152771"
  fi
done

done_testing
