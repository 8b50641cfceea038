#!/usr/bin/env bash
# tlsready endpoints over the hand-written fixture orgs (SFDX and Metadata API
# layouts, and the mdapi tree zipped): the exact endpoint set with file:line,
# the dynamic list and the diagnostics, compared to tests/fixtures/orgs/*.expected
# (projected from --json by tests/fixtures/orgs/project.py).
source "$(dirname "$0")/../lib.sh"
ORGS="$FIXTURES/orgs"
T="$TEST_TMP"

project() { python3 "$ORGS/project.py" "$@"; }

# SFDX source format, run from inside the project so paths are relative
(cd "$ORGS/sfdx" && timeout 60 "$TLSREADY" endpoints --json . > "$T/sfdx.json" 2> "$T/sfdx.err"); rc=$?
expect_eq "sfdx: exit 0 (no --scan, malformed files do not stop the run)" "$rc" "0"
project < "$T/sfdx.json" > "$T/sfdx.got"
if diff -u "$ORGS/sfdx.expected" "$T/sfdx.got" > "$T/sfdx.diff"; then ok "sfdx: exact endpoint set with file:line"
else not_ok "sfdx: exact endpoint set with file:line"; sed 's/^/# /' "$T/sfdx.diff" | head -40; fi
expect_eq "sfdx: layout detected" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["layout"])' < "$T/sfdx.json")" "sfdx"
expect_eq "sfdx: stderr names the unreadable files" "$(cat "$T/sfdx.err")" \
  "tlsready endpoints: 4 file(s) could not be read completely (listed in the report)"
expect_eq "sfdx: README.md is not read as custom metadata" \
  "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["files"]["apex"], d["files"]["xml"])' < "$T/sfdx.json")" "9 24"

# Metadata API format with an installed package's folder (package.xml namespacePrefix)
(cd "$ORGS/mdapi" && timeout 60 "$TLSREADY" endpoints --json --targets-out "$T/targets.txt" . > "$T/mdapi.json" 2>/dev/null); rc=$?
expect_eq "mdapi: exit 0" "$rc" "0"
project < "$T/mdapi.json" > "$T/mdapi.got"
if diff -u "$ORGS/mdapi.expected" "$T/mdapi.got" > "$T/mdapi.diff"; then ok "mdapi: exact endpoint set with file:line"
else not_ok "mdapi: exact endpoint set with file:line"; sed 's/^/# /' "$T/mdapi.diff" | head -40; fi
expect_eq "mdapi: --targets-out lists each TLS host:port once, org then packages" "$(cat "$T/targets.txt")" \
"bi.example.net:443
cfg-maps.example.net:443
leads.example.net:8443
maps.example.net:443
push.example.net:443
slow.example.net:443
tiles.example.net:443
api.acmepay.example.net:443"

# the same tree as a Metadata API .zip, read in place
python3 - "$ORGS/mdapi" "$T/mdapi.zip" <<'PY'
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            p = os.path.join(d, f)
            z.write(p, os.path.relpath(p, root))
PY
timeout 60 "$TLSREADY" endpoints --json "$T/mdapi.zip" > "$T/zip.json" 2>/dev/null; rc=$?
expect_eq "zip: exit 0" "$rc" "0"
project "mdapi.zip!/" < "$T/zip.json" > "$T/zip.got"
if diff -u "$ORGS/mdapi.expected" "$T/zip.got" > "$T/zip.diff"; then ok "zip: same endpoints, files named inside the archive"
else not_ok "zip: same endpoints, files named inside the archive"; sed 's/^/# /' "$T/zip.diff" | head -40; fi
expect_eq "zip: layout" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["layout"])' < "$T/zip.json")" "zip"

# a corrupt zip is an input error
printf 'PK\003\004 this is not a zip' > "$T/bad.zip"
timeout 30 "$TLSREADY" endpoints "$T/bad.zip" > /dev/null 2> "$T/bad.err"; rc=$?
expect_eq "corrupt zip: exit 2" "$rc" "2"
check "corrupt zip: message names the file" grep -q "bad.zip': cannot open as zip" "$T/bad.err"

# CSV: one row per place plus one per dynamic endpoint, after the header
(cd "$ORGS/mdapi" && timeout 60 "$TLSREADY" endpoints --csv . > "$T/mdapi.csv" 2>/dev/null)
expect_eq "csv: header" "$(head -1 "$T/mdapi.csv")" \
  "kind,bucket,owner,url,scheme,host,port,path,flags,allowed_by,verdict,accepted,type,via,file,line,component,named_credential,expression,reason"
expect_eq "csv: rows = places + dynamic" "$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); print(len(r)-1, sum(1 for x in r[1:] if x[0]=="dynamic"))' "$T/mdapi.csv")" "20 3"
expect_eq "csv: a row" "$(grep -F 'LeadPush.trigger' "$T/mdapi.csv")" \
  "endpoint,org,org,https://leads.example.net:8443/in,https,leads.example.net,8443,/in,,RemoteSiteSetting:Leads,,,ApexTrigger,setEndpoint,src/triggers/LeadPush.trigger,4,LeadPush,,'HTTPS://Leads.Example.NET:8443/in',"

# one file on its own
timeout 30 "$TLSREADY" endpoints --json "$ORGS/mdapi/src/triggers/LeadPush.trigger" > "$T/one.json" 2>/dev/null; rc=$?
expect_eq "single file: exit 0" "$rc" "0"
expect_eq "single file: its endpoint" "$(python3 -c 'import json,sys; print([e["url"] for e in json.load(sys.stdin)["endpoints"]])' < "$T/one.json")" \
  "['https://leads.example.net:8443/in']"

# symbolic links: files are read, directory links (here two cycles) are not followed
mkdir -p "$T/links/a"
cp "$ORGS/mdapi/src/triggers/LeadPush.trigger" "$T/links/a/"
ln -sfn .. "$T/links/a/up"; ln -sfn . "$T/links/a/self"; ln -sfn LeadPush.trigger "$T/links/a/Link.trigger"
timeout 30 "$TLSREADY" endpoints --json "$T/links" > "$T/links.json" 2>/dev/null; rc=$?
expect_eq "link cycles: exit 0" "$rc" "0"
expect_eq "link cycles: the file and the file link, once each" \
  "$(python3 -c 'import json,sys; print([(p["file"], p["line"]) for e in json.load(sys.stdin)["endpoints"] for p in e["found"]])' < "$T/links.json")" \
  "[('a/LeadPush.trigger', 4), ('a/Link.trigger', 4)]"

# the terminal table never passes control bytes from the input through
printf "class E { void m() { new HttpRequest().setEndpoint('https://x.example.com/\033[31mred\007'); } }" > "$T/Esc.cls"
timeout 30 "$TLSREADY" endpoints "$T/Esc.cls" > "$T/esc.txt" 2>/dev/null
expect_eq "text: escape and bell shown as \\xNN" "$(grep -cF "https://x.example.com/\\x1b[31mred\\x07" "$T/esc.txt")" "1"
check "text: no raw ESC byte" bash -c "! grep -q $'\033' '$T/esc.txt'"

# usage errors
timeout 10 "$TLSREADY" endpoints > /dev/null 2>&1; expect_eq "no path: exit 2" "$?" "2"
timeout 10 "$TLSREADY" endpoints --bogus . > /dev/null 2>&1; expect_eq "unknown option: exit 2" "$?" "2"
timeout 10 "$TLSREADY" endpoints "$T/does-not-exist" > /dev/null 2> "$T/nx.err"; expect_eq "missing path: exit 2" "$?" "2"
check "missing path: message" grep -q "does-not-exist': No such file or directory" "$T/nx.err"
timeout 10 "$TLSREADY" endpoints --min tls9 . > /dev/null 2>&1; expect_eq "bad --min: exit 2" "$?" "2"
timeout 10 "$TLSREADY" endpoints --help > "$T/help.txt"; expect_eq "--help: exit 0" "$?" "0"
check "--help documents --targets-out" grep -q -- "--targets-out FILE" "$T/help.txt"

done_testing
