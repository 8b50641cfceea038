#!/usr/bin/env bash
# The cipher suite registry stays true to its sources: the committed OpenSSL
# fixture equals what the local openssl prints now, and registry_data.c is
# exactly what tools/gen_registry.py generates from the committed inputs.
# (tests/unit/test_tls_registry.c checks the table against the fixture.)
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

now=$(openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | sort)
fixture=$(sort "$ROOT/tests/fixtures/tls/openssl-ciphers-V-stdname.txt")
if [ "$now" == "$fixture" ]; then
  ok "openssl ciphers -V -stdname matches the committed fixture ($(wc -l <<<"$now") suites)"
else
  not_ok "openssl ciphers -V -stdname matches the committed fixture"
  diff <(echo "$fixture") <(echo "$now") | head -20 | sed 's/^/# /'
fi

if python3 "$ROOT/tools/gen_registry.py" > "$TEST_TMP/registry_data.c"; then
  check "src/tls/registry_data.c is up to date with tools/gen_registry.py" \
    cmp -s "$TEST_TMP/registry_data.c" "$ROOT/src/tls/registry_data.c"
else
  not_ok "tools/gen_registry.py runs"
fi

# every IANA code in the input list is in the generated table, and no other
n_iana=$(grep -c '^0x' "$ROOT/tools/registry/iana-cipher-suites.txt")
n_table=$(grep -c '^    { 0x' <(sed -n '/registry_cipher_suites\[\]/,/^};/p' "$ROOT/src/tls/registry_data.c"))
expect_eq "generated table has every IANA suite" "$n_table" "$n_iana"

done_testing
