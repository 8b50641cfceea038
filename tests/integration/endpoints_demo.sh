#!/usr/bin/env bash
# The sample org of examples/org: (1) it is exactly what `gen_org demo` writes;
# (2) rewritten by gen_org to ephemeral ports and scanned against local servers
# (ERP TLS 1.0 only, vendor TLS 1.0-1.1, billing/shipping/ESB TLS 1.2+, the
# fax gateway's port closed), the verdicts are the servers' configuration.
source "$(dirname "$0")/../lib.sh"
T="$TEST_TMP"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
GEN="$(dirname "$TLSREADY")/../rel/tools/gen_org"
if [ ! -x "$GEN" ]; then
  make --no-print-directory -C "$ROOT" B="$(cd "$(dirname "$TLSREADY")/.." && pwd)" \
    "$(cd "$(dirname "$TLSREADY")/.." && pwd)/rel/tools/gen_org" > /dev/null 2>&1
fi
check "gen_org built" test -x "$GEN"

"$GEN" demo "$T/default" > /dev/null 2>&1
check "examples/org is what gen_org demo writes" diff -r "$ROOT/examples/org" "$T/default"

P_ERP=$(free_port); P_BILL=$(free_port); P_SHIP=$(free_port); P_ESB=$(free_port); P_VEN=$(free_port); P_FAX=$(free_port)
s_server "$P_ERP" -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
s_server "$P_VEN" -no_ssl3 -no_tls1_2 -no_tls1_3 -cipher 'DEFAULT:@SECLEVEL=0'
s_server "$P_BILL" -no_ssl3 -no_tls1 -no_tls1_1
s_server "$P_SHIP" -tls1_2
s_server "$P_ESB" -tls1_3
for p in $P_ERP $P_VEN $P_BILL $P_SHIP $P_ESB; do wait_port "$p" || not_ok "server on $p"; done

ORG="$T/org"
"$GEN" demo "$ORG" --endpoint "erp=legacy-erp.example.test:$P_ERP" --endpoint "billing=billing.example.test:$P_BILL" \
  --endpoint "shipping=shipping.example.test:$P_SHIP" --endpoint "esb=esb.example.test:$P_ESB" \
  --endpoint "vendor=api.docvendor.example.test:$P_VEN" --endpoint "fax=fax.example.test:$P_FAX"
R=()
for hp in "legacy-erp.example.test:$P_ERP" "billing.example.test:$P_BILL" "shipping.example.test:$P_SHIP" \
          "esb.example.test:$P_ESB" "api.docvendor.example.test:$P_VEN" "fax.example.test:$P_FAX"; do
  R+=(--resolve "$hp:127.0.0.1")
done
timeout 90 "$TLSREADY" endpoints --json --scan --timeout 3 "${R[@]}" "$ORG" > "$T/demo.json" 2> "$T/demo.err"; rc=$?
expect_eq "exit 1: the ERP and the vendor fail tls1.2" "$rc" "1"
expect_eq "verdict per target row" "$(python3 -c '
import json, sys
for e in json.load(sys.stdin)["endpoints"]:
    s = e.get("scan")
    if s: print(e["bucket"], e["host"], e["path"], s["verdict"], ",".join(s["accepted"]))' < "$T/demo.json")" \
"org billing.example.test /api/v2 ok tls1.2,tls1.3
org billing.example.test /api/v2/invoices/ ok tls1.2,tls1.3
org esb.example.test /sfdc/case-escalation ok tls1.3
org fax.example.test / unreachable 
org legacy-erp.example.test / fail tls1.0
org legacy-erp.example.test /sap/xi/orders fail tls1.0
org shipping.example.test / ok tls1.2
org shipping.example.test /carrier/rates ok tls1.2
package api.docvendor.example.test / fail tls1.0,tls1.1
package api.docvendor.example.test /v2/render fail tls1.0,tls1.1"
done_testing
