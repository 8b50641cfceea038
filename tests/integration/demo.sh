#!/usr/bin/env bash
# make demo's job (scripts/demo.sh) end to end with the sanitizer build: the
# sample org's endpoints served by `tlsready serve` on 127.0.0.1:8443-12443, a
# rehearsal, and the audit. Expected values come from the sample: the
# generators' own counts (examples/*/*.expect) and the servers' configuration
# in scripts/demo.sh (erp tls1.0 only, billing tls1.2+, shipping up to tls1.1,
# esb tls1.2+, vendor tls1.0 only, fax down).
source "$(dirname "$0")/../lib.sh"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
for p in 8443 9443 10443 11443 12443; do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
    ok "# SKIP port $p is in use on this machine"; done_testing; exit 0
  fi
done
DEMO_BIN="$TLSREADY" DEMO_OUT="$TEST_TMP/out" timeout 120 bash "$ROOT/scripts/demo.sh" > "$TEST_TMP/demo.out" 2> "$TEST_TMP/demo.err"
expect_eq "demo exits 0" "$?" 0
cat "$TEST_TMP/demo.err" | head -5 | sed 's/^/# /'
expect_eq "last line is the report" "$(tail -n 1 "$TEST_TMP/demo.out")" "$TEST_TMP/out/readiness.html"
check "the report exists" test -s "$TEST_TMP/out/readiness.html"
j() { python3 -c "import json; d=json.load(open('$TEST_TMP/out/readiness.json')); print($1)"; }
exp() { sed -n "s/^$2=//p" "$ROOT/examples/logins/$1.expect"; }
expect_eq "logins read = the generators' rows" "$(j 'd["sources"]["logins_rows"]')" \
  "$(( $(exp LoginHistory EXPECT_ROWS) + $(exp EventLogFile-Login EXPECT_ROWS) ))"
expect_eq "access-log TLS requests = generator" "$(j 'd["sources"]["logs_lines"]')" \
  "$(python3 -c "import json; d=json.load(open('$ROOT/examples/logs/access.expect')); print(d['lines'] - d['plain'])")"
expect_eq "not ready" "$(j 'd["ready"]')" "False"
ep() { j "{e['endpoint']: e['verdict'] for a in d['areas'] for e in a['endpoints']}['$1']"; }
expect_eq "legacy ERP fails" "$(ep legacy-erp.example.test:8443)" "fail"
expect_eq "billing ok" "$(ep billing.example.test:9443)" "ok"
expect_eq "shipping (up to tls1.1) fails" "$(ep shipping.example.test:10443)" "fail"
expect_eq "esb ok" "$(ep esb.example.test:11443)" "ok"
expect_eq "vendor fails" "$(ep api.docvendor.example.test:12443)" "fail"
expect_eq "fax unreachable" "$(ep fax.example.test:13443)" "unreachable"
expect_eq "rehearsal: one refused legacy client" \
  "$(j '[i["evidence"] for i in d["checklist"] if i["step"].startswith("Rehearse")][0]')" \
  "2 rehearsal connections, 1 below tls1.2 (1 refused)"
done_testing
