#!/usr/bin/env bash
# make demo (for now): starts a few local TLS servers on ephemeral 127.0.0.1
# ports (openssl s_server with different version ranges, and a closed port),
# scans them with ./tlsready scan, prints the table and the JSON of one, and
# stops them. Nothing leaves the machine.
set -u
cd "$(dirname "$0")/.."
TLSREADY=${TLSREADY:-./tlsready}
D=$(mktemp -d /tmp/tlsready-demo.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
  rm -rf "$D"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {
  local i=0
  while [ $i -lt 100 ]; do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; i=$((i + 1)); done
  return 1
}

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/k.pem" -out "$D/c.pem" -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
declare -a NAMES TARGETS
server() {  # description, s_server options...
  local desc=$1 port; shift
  port=$(free_port)
  openssl s_server -accept "127.0.0.1:$port" -cert "$D/c.pem" -key "$D/k.pem" -quiet -naccept 100000 "$@" \
    </dev/null >/dev/null 2>&1 &
  PIDS+=($!)
  NAMES+=("$desc"); TARGETS+=("localhost:$port")
}
server "legacy ERP gateway: TLS 1.0 only"      -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
server "partner SOAP API: TLS 1.0 to 1.2"      -no_tls1_3 -cipher 'DEFAULT:@SECLEVEL=0'
server "payments API: TLS 1.2 only"            -tls1_2
server "new REST API: TLS 1.2 and 1.3"         -no_tls1 -no_tls1_1
for t in "${TARGETS[@]}"; do wait_port "${t##*:}" || { echo "demo: a server did not start" >&2; exit 1; }; done
closed=$(free_port)
NAMES+=("decommissioned host: nothing listens"); TARGETS+=("localhost:$closed")

echo "Local servers started for the demo:"
for i in "${!NAMES[@]}"; do printf '  %-22s %s\n' "${TARGETS[$i]}" "${NAMES[$i]}"; done
echo
echo "\$ tlsready scan --min tls1.2 ${TARGETS[*]}"
"$TLSREADY" scan --min tls1.2 "${TARGETS[@]}"
rc=$?
echo "(exit code $rc: 0 all ok, 1 some fail the minimum, 3 some unreachable)"
echo
echo "\$ tlsready scan --json ${TARGETS[0]}"
"$TLSREADY" scan --json "${TARGETS[0]}"
exit 0
