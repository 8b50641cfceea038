#!/usr/bin/env bash
# Installs exactly the Debian packages that are missing. Called by `make deps`,
# which `make`, `make check` and `make demo` depend on, so the first command on a
# fresh Debian 12 machine (as root) works. Groups: build (always), test (check), bench.
set -eu
group=${1:-build}
build_pkgs="gcc make pkg-config libssl-dev libc-ares-dev libpcap-dev zlib1g-dev libxml2-dev libzip-dev libcmocka-dev clang libclang-rt-14-dev"
test_pkgs="openssl gnutls-bin nginx-light tcpdump iproute2 util-linux curl python3 tshark chromium jq haproxy time apache2-bin postgresql"
bench_pkgs="sslscan nmap testssl.sh miller hyperfine time goaccess ssldump mawk gawk"
case "$group" in
  build) want="$build_pkgs" ;;
  test)  want="$build_pkgs $test_pkgs" ;;
  bench) want="$build_pkgs $test_pkgs $bench_pkgs" ;;
  *) echo "deps.sh: unknown group '$group' (build, test, bench)" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# node and npm may come from outside Debian (the machine image has them); ask Debian only when absent
if [ "$group" = bench ] && ! command -v npm >/dev/null; then missing="$missing nodejs npm"; fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "deps.sh: missing packages:$missing (run as root, or install them)" >&2; exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; answer no without a prompt
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
