# Shared helpers for integration tests (sourced). Tests speak TAP.
# Servers are started on 127.0.0.1 with ephemeral ports and stopped by PID.
set -u
TAP_N=0
TAP_FAILED=0
PIDS=()
TEST_TMP="${TEST_TMP:-$(mktemp -d)}"
mkdir -p "$TEST_TMP"
TLSREADY="${TLSREADY:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/asan/tlsready}"
FIXTURES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fixtures"

ok()     { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }
diag()   { echo "# $*"; }

# check DESC CMD...: passes when CMD exits 0
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# expect_eq DESC GOT WANT
expect_eq() {
  if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1"; diag "got:  $2"; diag "want: $3"; fi
}

# free_port: an ephemeral TCP port on 127.0.0.1 that nothing listens on now
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT [SECONDS]: until something accepts on 127.0.0.1:PORT
wait_port() {
  local port=$1 t=${2:-10} i=0
  while [ $i -lt $((t * 20)) ]; do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
    sleep 0.05; i=$((i + 1))
  done
  diag "nothing listens on port $port after ${t}s"; return 1
}

# bg CMD...: starts CMD in the background and remembers its PID for cleanup
bg() { "$@" & PIDS+=($!); }

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
  return 0
}
trap cleanup EXIT

# make_cert DIR NAME: a self-signed RSA-2048 certificate for NAME (cached per DIR)
make_cert() {
  local d=$1 n=${2:-localhost}
  [ -f "$d/$n.crt" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/$n.key" -out "$d/$n.crt" \
    -days 30 -subj "/CN=$n" -addext "subjectAltName=DNS:$n,IP:127.0.0.1" 2>/dev/null
}

# s_server PORT ARGS...: openssl s_server on 127.0.0.1:PORT with the test cert,
# accepting every version the arguments allow (SECLEVEL=0 so legacy can speak)
s_server() {
  local port=$1; shift
  make_cert "$TEST_TMP" localhost
  bg openssl s_server -accept "127.0.0.1:$port" -cert "$TEST_TMP/localhost.crt" \
     -key "$TEST_TMP/localhost.key" -quiet -naccept 1000000 "$@" </dev/null >/dev/null 2>&1
}

done_testing() {
  echo "1..$TAP_N"
  [ "$TAP_FAILED" -eq 0 ]
}
