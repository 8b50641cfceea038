#!/usr/bin/env bash
# tlsready audit end to end: Login History + an org's metadata whose callouts
# point at servers this test starts (one TLS 1.0-only integration endpoint, one
# modern one, one TLS 1.1-only vendor endpoint). Expected numbers come from the
# fixture rows (tests/fixtures/audit/logins.csv: 7 logins, 4 below tls1.2 by
# alice (browser + Outlook) and erp (API, one of them refused)) and from the
# servers' own configurations; the HTML is read back through headless Chromium.
source "$(dirname "$0")/../lib.sh"
FIX="$FIXTURES/audit"
cd "$TEST_TMP"

P1=$(free_port); P2=$(free_port); P3=$(free_port)
s_server "$P1" -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
s_server "$P2" -no_ssl3 -no_tls1 -no_tls1_1
s_server "$P3" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
wait_port "$P1" && wait_port "$P2" && wait_port "$P3"

# the org: SFDX layout, written here because its URLs carry this run's ports
org="$TEST_TMP/org/force-app/main/default"
mkdir -p "$org/classes" "$org/remoteSiteSettings"
cat > "$org/classes/ErpSync.cls" <<APEX
public with sharing class ErpSync {
    private static final String BASE = 'https://legacy-erp.example.test:$P1';
    public static void push() {
        HttpRequest req = new HttpRequest();
        req.setEndpoint(BASE + '/orders');   // concatenated constant
        new Http().send(req);
    }
}
APEX
cat > "$org/classes/Payments.cls" <<APEX
public class Payments {
    public static void charge() {
        HttpRequest req = new HttpRequest();
        req.setEndpoint('https://pay.example.test:$P2/v1/charges');
    }
}
APEX
cat > "$org/classes/acme__VendorSync.cls" <<APEX
public class VendorSync {
    public void run() { HttpRequest r = new HttpRequest(); r.setEndpoint('https://vendor.example.test:$P3/api'); }
}
APEX
for n in ErpSync Payments acme__VendorSync; do
  printf '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>58.0</apiVersion><status>Active</status></ApexClass>\n' > "$org/classes/$n.cls-meta.xml"
done
cat > "$org/remoteSiteSettings/Erp.remoteSite-meta.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<RemoteSiteSetting xmlns="http://soap.sforce.com/2006/04/metadata">
    <disableProtocolSecurity>false</disableProtocolSecurity>
    <isActive>true</isActive>
    <url>https://legacy-erp.example.test:$P1</url>
</RemoteSiteSetting>
XML

run_audit() {
  timeout 120 "$TLSREADY" audit --logins "$FIX/logins.csv" --metadata "$TEST_TMP/org" \
    --resolve "legacy-erp.example.test:$P1:127.0.0.1" --resolve "pay.example.test:$P2:127.0.0.1" \
    --resolve "vendor.example.test:$P3:127.0.0.1" --timeout 3 \
    --min tls1.2 --cutover 2024-06-01 "$@"
}
run_audit -o report.html --json report.json --markdown report.md > summary.txt 2> stderr.txt
rc=$?
expect_eq "exit code 1: not ready" "$rc" 1
expect_eq "last line of the summary is the report path" "$(tail -n 1 summary.txt)" "report.html"

j() { python3 -c "import json,sys; d=json.load(open('report.json')); print($1)"; }
check "json: valid, no duplicate keys" python3 -c "
import json
def hook(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
json.load(open('report.json'), object_pairs_hook=hook)"
expect_eq "json: ready" "$(j 'd["ready"]')" "False"
expect_eq "json: observations" "$(j 'd["summary"]["observations"]')" "7"
expect_eq "json: legacy (failed included)" "$(j 'd["summary"]["legacy"]')" "4"
expect_eq "json: failed legacy" "$(j 'd["summary"]["failed_legacy"]')" "1"
expect_eq "json: legacy users" "$(j 'd["summary"]["legacy_users"]')" "2"
expect_eq "json: recent legacy (window ends 2024-05-20)" "$(j 'd["summary"]["recent_legacy"]')" "4"
area() { j "[a for a in d['areas'] if a['area']=='$1'][0]$2"; }
expect_eq "access: users" "$(area access '["legacy_users"]')" "1"
expect_eq "access: the user" "$(area access '["users"][0]["user"]')" "alice@example.com"
expect_eq "tools: users" "$(area tools '["legacy_users"]')" "1"
expect_eq "tools: the client" "$(area tools '["clients"][0]["application"]')" "Salesforce for Outlook"
expect_eq "integrations: legacy logins" "$(area integrations '["legacy"]')" "2"
expect_eq "integrations: refused" "$(area integrations '["failed_legacy"]')" "1"
expect_eq "integrations: endpoints" "$(area integrations '["endpoints_total"]')" "2"
expect_eq "integrations: failing endpoint" \
  "$(area integrations '["endpoints"][0]["endpoint"]') $(area integrations '["endpoints"][0]["verdict"]')" \
  "legacy-erp.example.test:$P1 fail"
expect_eq "integrations: what it accepts" "$(area integrations '["endpoints"][0]["versions"]["tls1.0"]') $(area integrations '["endpoints"][0]["versions"]["tls1.2"]')" "accepted refused"
expect_eq "integrations: modern endpoint ok" "$(area integrations '["endpoints"][1]["endpoint"]') $(area integrations '["endpoints"][1]["verdict"]')" "pay.example.test:$P2 ok"
expect_eq "vendors: package endpoint fails" \
  "$(area vendors '["endpoints"][0]["endpoint"]') $(area vendors '["endpoints"][0]["owner"]') $(area vendors '["endpoints"][0]["verdict"]')" \
  "vendor.example.test:$P3 acme fail"
expect_eq "json: endpoints failing" "$(j 'd["summary"]["endpoints_fail"]')" "2"
# certificates: every server uses lib.sh's self-signed 30-day localhost certificate
expect_eq "json: certificates fetched" "$(j 'd["summary"]["certificates"]')" "3"
cert_days=$(area integrations '["endpoints"][0]["certificate"]["days_left"]')
end=$(date -u -d "$(openssl x509 -in "$TEST_TMP/localhost.crt" -noout -enddate | cut -d= -f2)" +%s)
want=$(( (end - $(date +%s)) / 86400 ))
# whole days rounded down; the audit ran a moment before this line, so it may be one more
check "certificate days left = openssl x509 -enddate ($cert_days vs $want)" \
  bash -c "[ '$cert_days' = '$want' ] || [ '$cert_days' = '$((want + 1))' ]"
# expiring_soon exactly when fewer than --warn-days (default 30) whole days are left
want_flags="self_signed, untrusted, name_mismatch"
[ "$cert_days" -lt 30 ] && want_flags="$want_flags, expiring_soon"
expect_eq "certificate flags (days left $cert_days)" "$(area integrations '["endpoints"][0]["certificate"]["flags"]')" \
  "$want_flags"
expect_eq "checklist statuses" "$(j '" ".join(i["status"] for i in d["checklist"])')" \
  "done todo todo todo todo not evaluated not evaluated"

# the same numbers in Markdown
check "markdown: verdict and legacy count" grep -q '^- on legacy TLS: 4 (57.1%)$' report.md
check "markdown: failing endpoint row" grep -q "| legacy-erp.example.test:$P1 | org | fail | tls1.0 |" report.md
check "markdown: vendor row" grep -q "| vendor.example.test:$P3 | acme | fail | tls1.1 |" report.md

# the HTML: self-contained, rendered by a real browser
check "html: no external resources" bash -c "! grep -Eq '(src|href)=\"(https?:)?//' report.html"
if command -v chromium >/dev/null; then
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$TEST_TMP/chrome" --dump-dom "file://$TEST_TMP/report.html" > dom.html 2>/dev/null
  dom() { python3 - "$1" <<'PY'
import sys, html.parser
want = sys.argv[1]
class P(html.parser.HTMLParser):
    def __init__(s): super().__init__(); s.depth = 0; s.out = []
    def handle_starttag(s, tag, a):
        if s.depth: s.depth += 1
        elif dict(a).get('id') == want: s.depth = 1
    def handle_endtag(s, tag):
        if s.depth: s.depth -= 1
    def handle_data(s, d):
        if s.depth: s.out.append(d)
p = P(); p.feed(open('dom.html').read()); print(' '.join(''.join(p.out).split()))
PY
  }
  expect_eq "dom: verdict" "$(dom verdict)" "NOT READY"
  expect_eq "dom: legacy users tile" "$(dom n-legacy-users)" "2"
  expect_eq "dom: failing endpoints tile" "$(dom n-endpoints-fail)" "2"
  check "dom: area 1 lists alice" bash -c "grep -q 'alice@example.com' dom.html"
  check "dom: sections present" bash -c "for s in summary checklist charts area-access area-tools area-integrations area-vendors; do grep -q \"id=\\\"\$s\\\"\" dom.html || exit 1; done"
  check "dom: vendor endpoint in area 4" bash -c "python3 -c \"import re,sys; s=open('dom.html').read(); a=s[s.index('id=\\\"area-vendors\\\"'):]; sys.exit(0 if 'vendor.example.test:$P3' in a else 1)\""
  check "dom: version matrix drawn" grep -q 'Versions each endpoint accepts' dom.html
  check "dom: certificate expiry chart drawn" grep -q "Days until each endpoint's certificate expires" dom.html
else
  not_ok "chromium is not installed (scripts/deps.sh test group installs it)"
fi

# --no-scan: endpoints listed, not judged; readiness then rests on the logins
run_audit --no-scan -o ns.html --json ns.json --quiet > /dev/null 2>&1
expect_eq "no-scan: endpoints not scanned" "$(python3 -c "import json; d=json.load(open('ns.json')); print(d['summary']['endpoints_fail'], d['sources']['endpoints_scanned'])")" "0 False"

# --pcap: a capture of two handshakes made here, one TLS 1.0 (to the legacy
# server) and one TLS 1.3 (to the modern one): one legacy client handshake of two
tcpdump -i lo -U --immediate-mode -w "$TEST_TMP/cap.pcap" "tcp port $P1 or tcp port $P2" 2> tcpdump.err & TD=$!
PIDS+=($TD)
i=0; until grep -q "listening on" tcpdump.err || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
openssl s_client -connect "127.0.0.1:$P1" -tls1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null >/dev/null 2>&1
openssl s_client -connect "127.0.0.1:$P2" -tls1_3 </dev/null >/dev/null 2>&1
sleep 0.3; kill -INT "$TD"; wait "$TD" 2>/dev/null
timeout 60 "$TLSREADY" audit --pcap "$TEST_TMP/cap.pcap" --min tls1.2 -o pcap.html --json pcap.json --quiet > /dev/null 2> pcap.err
expect_eq "pcap: not ready (a legacy handshake), exit 1" "$?" 1
pj() { python3 -c "import json; d=json.load(open('pcap.json')); print($1)"; }
expect_eq "pcap: handshakes read" "$(pj 'd["sources"]["pcap_handshakes"]')" 2
expect_eq "pcap: legacy" "$(pj 'd["summary"]["legacy"]')" 1
expect_eq "pcap: the legacy client" "$(pj 'd["captures"]["clients"][0]["client"], d["captures"]["clients"][0]["versions"]["tls1.0"]')" "127.0.0.1 1"
check "pcap: the HTML has the captures section" grep -q 'id="captures"' pcap.html

# usage errors
"$TLSREADY" audit > /dev/null 2>&1; expect_eq "no source: exit 2" "$?" 2
"$TLSREADY" audit --logins "$FIX/logins.csv" --cutover 2024-13-01 > /dev/null 2>&1; expect_eq "bad date: exit 2" "$?" 2
"$TLSREADY" audit --logins /nonexistent.csv -o x.html > /dev/null 2>&1; expect_eq "missing file: exit 2" "$?" 2
done_testing
