#!/usr/bin/env bash
# tlsready endpoints --scan: an org whose callouts point at two local servers
# (openssl s_server on ephemeral ports: one speaking only TLS 1.0, one TLS 1.2
# and 1.3), reached through --resolve; the verdict of each is joined into the
# endpoint rows. Ground truth: the servers' own protocol options.
source "$(dirname "$0")/../lib.sh"
T="$TEST_TMP"
P10=$(free_port); P12=$(free_port)
s_server "$P10" -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
s_server "$P12" -no_ssl3 -no_tls1 -no_tls1_1
wait_port "$P10" && wait_port "$P12" || { not_ok "servers started"; done_testing; exit 1; }

ORG="$T/org"
mkdir -p "$ORG/force-app/main/default/classes" "$ORG/force-app/main/default/remoteSiteSettings"
echo '{"packageDirectories":[{"path":"force-app","default":true}]}' > "$ORG/sfdx-project.json"
cat > "$ORG/force-app/main/default/classes/ErpSync.cls" <<APEX
public class ErpSync {
    private static final String ERP = 'https://legacy-erp.example.test:$P10';
    public void push() {
        HttpRequest req = new HttpRequest();
        req.setEndpoint(ERP + '/orders');
    }
    public void pull() {
        HttpRequest req = new HttpRequest();
        req.setEndpoint('https://billing.example.test:$P12/invoices');
    }
}
APEX
cat > "$ORG/force-app/main/default/remoteSiteSettings/ERP.remoteSite-meta.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<RemoteSiteSetting xmlns="http://soap.sforce.com/2006/04/metadata">
    <disableProtocolSecurity>false</disableProtocolSecurity>
    <isActive>true</isActive>
    <url>https://legacy-erp.example.test:$P10</url>
</RemoteSiteSetting>
XML

(cd "$ORG" && timeout 60 "$TLSREADY" endpoints --json --scan --timeout 3 \
   --resolve "legacy-erp.example.test:$P10:127.0.0.1" --resolve "billing.example.test:$P12:127.0.0.1" . \
   > "$T/scan.json" 2> "$T/scan.err"); rc=$?
expect_eq "exit 1: an endpoint fails --min tls1.2" "$rc" "1"
verdicts() {
  python3 -c '
import json, sys
for e in json.load(sys.stdin)["endpoints"]:
    s = e.get("scan")
    print(e["url"], s["verdict"] if s else "-", ",".join(s["accepted"]) if s else "-")' < "$1"
}
expect_eq "verdicts joined into every row of the host:port" "$(verdicts "$T/scan.json")" \
"https://billing.example.test:$P12/invoices ok tls1.2,tls1.3
https://legacy-erp.example.test:$P10/ fail tls1.0
https://legacy-erp.example.test:$P10/orders fail tls1.0"
expect_eq "the sentence for the legacy server" \
  "$(python3 -c 'import json,sys; print([e["scan"]["note"] for e in json.load(sys.stdin)["endpoints"] if "legacy" in e["url"]][0])' < "$T/scan.json")" \
  "accepts only tls1.0: this integration breaks at the cut-over to tls1.2"
expect_eq "summary counts" \
  "$(python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(s["min"], s["ok"], s["fail"], s["unreachable"])' < "$T/scan.json")" \
  "tls1.2 1 2 0"

# the text table ends with what breaks, and who uses it
(cd "$ORG" && timeout 60 "$TLSREADY" endpoints --scan --timeout 3 \
   --resolve "legacy-erp.example.test:$P10:127.0.0.1" --resolve "billing.example.test:$P12:127.0.0.1" . \
   > "$T/scan12.txt" 2>&1)
expect_eq "text: the breaking section" "$(sed -n '/^== Breaks at the cut-over/,/^$/p;/^legacy-erp/,/^$/p' "$T/scan12.txt" | grep -v '^$')" \
"== Breaks at the cut-over to tls1.2
legacy-erp.example.test:$P10: accepts only tls1.0: this integration breaks at the cut-over to tls1.2
    used by:
      RemoteSiteSetting ERP (force-app/main/default/remoteSiteSettings/ERP.remoteSite-meta.xml:5)
      ApexClass ErpSync.push (force-app/main/default/classes/ErpSync.cls:5)"

# the 2017 cut-over: with --min tls1.0 both pass
(cd "$ORG" && timeout 60 "$TLSREADY" endpoints --scan --min tls1.0 --timeout 3 \
   --resolve "legacy-erp.example.test:$P10:127.0.0.1" --resolve "billing.example.test:$P12:127.0.0.1" . \
   > "$T/scan10.txt" 2>&1); rc=$?
expect_eq "--min tls1.0: exit 0" "$rc" "0"
check "text table shows the verdict line" grep -q "scan: ok: accepts tls1.0: ready for tls1.0" "$T/scan10.txt"

# nothing listens: unreachable, exit 3
PX=$(free_port)
sed -i "s/:$P12/:$PX/" "$ORG/force-app/main/default/classes/ErpSync.cls"
(cd "$ORG" && timeout 60 "$TLSREADY" endpoints --json --scan --min tls1.0 --timeout 2 \
   --resolve "legacy-erp.example.test:$P10:127.0.0.1" --resolve "billing.example.test:$PX:127.0.0.1" . \
   > "$T/scan3.json" 2>/dev/null); rc=$?
expect_eq "a closed port: exit 3 (unreachable, none failing)" "$rc" "3"
expect_eq "a closed port: verdict unreachable" \
  "$(python3 -c 'import json,sys; print([e["scan"]["verdict"] for e in json.load(sys.stdin)["endpoints"] if "billing" in e["url"]][0])' < "$T/scan3.json")" "unreachable"

timeout 10 "$TLSREADY" endpoints --resolve "a:1:127.0.0.1" "$ORG" > /dev/null 2>&1
expect_eq "--resolve without --scan: exit 2" "$?" "2"
done_testing
