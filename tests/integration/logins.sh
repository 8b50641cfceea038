#!/usr/bin/env bash
# tlsready logins end to end: hand-written fixtures in every format (exact
# counts worked out by hand), generated login history in every format (exact
# counts from the generator), .gz, several files, --users, --rules, --strict,
# malformed rows, --csv, --cutover, exit codes, and one thread vs two.
source "$(dirname "$0")/../lib.sh"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FX="$FIXTURES/logins"
T="$TEST_TMP"
mkdir -p "$T"

# the generator: the built tool, or compiled here (it has no dependencies)
GEN="${GEN:-${B:-$ROOT/build}/rel/tools/gen_logins}"
if [ ! -x "$GEN" ]; then
  GEN="$T/gen_logins"
  cc -O2 -std=c17 -o "$GEN" "$ROOT/tools/gen_logins.c" || { not_ok "compile tools/gen_logins.c"; done_testing; exit 1; }
fi

lj() { timeout 60 "$TLSREADY" logins --json "$@"; }
# summary line: rows skipped total legacy failed failed_legacy tls1.0 tls1.1 tls1.2 tls1.3 unknown users legacy_users cats
summary() {
  jq -r '.summary | "\(.rows_read) \(.rows_skipped) \(.total) \(.legacy) \(.failed) \(.failed_legacy) \(.versions["tls1.0"]) \(.versions["tls1.1"]) \(.versions["tls1.2"]) \(.versions["tls1.3"]) \(.versions.unknown) \(.distinct_users) \(.legacy_users) \([.categories[].legacy]|map(tostring)|join(","))"'
}
expected() {
  ( . "$1"; echo "$EXPECT_ROWS $EXPECT_SKIPPED $EXPECT_TOTAL $EXPECT_LEGACY $EXPECT_FAILED $EXPECT_FAILED_LEGACY $EXPECT_TLS10 $EXPECT_TLS11 $EXPECT_TLS12 $EXPECT_TLS13 $EXPECT_UNKNOWN $EXPECT_USERS $EXPECT_LEGACY_USERS $EXPECT_CAT_people,$EXPECT_CAT_tools,$EXPECT_CAT_integrations,$EXPECT_CAT_other" )
}

# ---- hand-written fixtures ------------------------------------------------
# api_small.csv: 7 rows; TLS 1.0 x2 (user I1, success), TLS 1.1 (I3), TLS 1.0 failed (I3),
# TLS 1.2 and 1.3 (I2), one row without TLS/time (I4)
lj "$FX/api_small.csv" > "$T/api.json"; rc=$?
expect_eq "api fixture: exit 1 (legacy found)" "$rc" 1
expect_eq "api fixture: summary" "$(summary < "$T/api.json")" "7 0 6 3 1 1 2 1 1 1 1 4 2 1,1,2,0"
expect_eq "api fixture: user I1" \
  "$(jq -c '.users[] | select(.user=="0055j00000AT6I1AAL") | [.versions, .legacy, .first_legacy, .last_legacy, .category, [.applications[].application]]' "$T/api.json")" \
  '[{"ssl3":0,"tls1.0":2,"tls1.1":0,"tls1.2":0,"tls1.3":0,"unknown":0},2,"2017-03-01T10:22:33Z","2017-03-02T08:00:00Z","people",["Browser","Salesforce for Outlook"]]'
expect_eq "api fixture: integration user's failed legacy login counted apart" \
  "$(jq -c '.users[] | select(.user=="0055j00000AT6I3AAL") | [.legacy, .failed, .failed_legacy, .category, .last_legacy]' "$T/api.json")" \
  '[1,1,1,"integrations","2017-03-04T00:00:01Z"]'
expect_eq "api fixture: clients keyed by application/version/browser/platform" \
  "$(jq -c '[.clients[] | select(.legacy > 0) | [.client, .application, .client_version, .browser, .platform, .category]]' "$T/api.json")" \
  '[["N/A / N/A / Java (Salesforce.com) / Unknown","N/A","N/A","Java (Salesforce.com)","Unknown","integrations"],["Browser / N/A / IE 10 / Windows 7","Browser","N/A","IE 10","Windows 7","people"],["Salesforce for Outlook / 2.9.3 / Unknown / Windows 7","Salesforce for Outlook","2.9.3","Unknown","Windows 7","tools"]]'
expect_eq "api fixture: days" "$(jq -c '[.days[] | [.day, .total, .legacy]]' "$T/api.json")" \
  '[[null,1,0],["2017-03-01",1,1],["2017-03-02",2,1],["2017-03-03",1,1],["2017-03-04",0,0],["2017-03-05",1,0]]'

lj --min tls1.1 "$FX/api_small.csv" > "$T/api11.json"
expect_eq "--min tls1.1 replays 2017: only TLS 1.0 is legacy" \
  "$(jq -c '[.min, .summary.legacy, .summary.failed_legacy, .summary.legacy_users]' "$T/api11.json")" '["tls1.1",2,1,2]'
lj --min tls1.3 "$FX/api_small.csv" > "$T/api13.json"
expect_eq "--min tls1.3: TLS 1.2 is legacy too" "$(jq -c '[.summary.legacy, .summary.legacy_users]' "$T/api13.json")" '[4,3]'

# --users turns ids into people
lj --users "$FX/users.csv" "$FX/api_small.csv" > "$T/apiu.json"
expect_eq "--users: usernames, names, e-mails" \
  "$(jq -c '[.users[] | select(.legacy > 0) | [.user, .user_id, .name, .email, .profile, .active]]' "$T/apiu.json")" \
  '[["erp.integration@acme.example.com","0055j00000AT6I3AAL","ERP Integration","it-ops@acme.example.com","API Only",true],["jane.doe@acme.example.com","0055j00000AT6I1AAL","Doe, Jane","jane.doe@acme.example.com","Standard User",true]]'
timeout 60 "$TLSREADY" logins --users "$FX/users.csv" --csv actions "$FX/api_small.csv" > "$T/actions.csv"
expect_eq "--csv actions: the per-user action list" "$(cat "$T/actions.csv")" \
'username,name,email,profile,category,legacy_logins,legacy_versions,uses,ips,first_legacy,last_legacy,last_seen
erp.integration@acme.example.com,ERP Integration,it-ops@acme.example.com,API Only,integrations,2,tls1.1,Java (Salesforce.com),192.0.2.44,2017-03-03T00:00:01Z,2017-03-04T00:00:01Z,2017-03-04T00:00:01Z
jane.doe@acme.example.com,"Doe, Jane",jane.doe@acme.example.com,Standard User,people,2,tls1.0,"Browser (IE 10, Windows 7); Salesforce for Outlook 2.9.3 (Windows 7)",203.0.113.10,2017-03-01T10:22:33Z,2017-03-02T08:00:00Z,2017-03-02T08:00:00Z'
timeout 60 "$TLSREADY" logins --csv users "$FX/api_small.csv" > "$T/users.csv"
expect_eq "--csv users: header" "$(head -1 "$T/users.csv")" \
  "user,ssl3,tls1.0,tls1.1,tls1.2,tls1.3,unknown,total,legacy,failed,failed_legacy,first_seen,last_seen,first_legacy,last_legacy,category,applications,clients,ips"
expect_eq "--csv users: one line per user" "$(wc -l < "$T/users.csv")" 5

# Setup download (display labels, M/D/YYYY h:mm:ss AM, CRLF, a quoted "City, Country")
lj "$FX/setup_small.csv" > "$T/setup.json"
expect_eq "setup fixture: summary" "$(summary < "$T/setup.json")" "5 0 4 3 1 1 2 1 1 0 0 3 2 1,1,2,0"
expect_eq "setup fixture: times read as GMT" \
  "$(jq -c '.users[] | select(.user=="jane.doe@acme.example.com") | [.first_legacy, .last_legacy]' "$T/setup.json")" \
  '["2017-03-01T10:22:33Z","2017-03-02T08:00:00Z"]'
lj --tz +01:00 "$FX/setup_small.csv" > "$T/setuptz.json"
expect_eq "--tz +01:00 shifts times written without a zone" \
  "$(jq -r '.users[] | select(.user=="jane.doe@acme.example.com") | .first_legacy' "$T/setuptz.json")" "2017-03-01T09:22:33Z"

sed 's|"3/1/2017 10:22:33 AM"|"1/3/2017 10:22:33 AM"|; s|"3/2/2017 8:00:00 AM"|"2/3/2017 8:00:00 AM"|' "$FX/setup_small.csv" > "$T/setup_dmy.csv"
lj --date-order dmy "$T/setup_dmy.csv" > "$T/setupdmy.json"
expect_eq "--date-order dmy reads 1/3/2017 as the 1st of March" \
  "$(jq -c '.users[] | select(.user=="jane.doe@acme.example.com") | [.first_legacy, .last_legacy]' "$T/setupdmy.json")" \
  '["2017-03-01T10:22:33Z","2017-03-02T08:00:00Z"]'

# Event Monitoring Login log (TLSv1, one-letter codes, raw User-Agent, LOGIN_STATUS)
lj "$FX/elf_small.csv" > "$T/elf.json"
expect_eq "elf fixture: summary" "$(summary < "$T/elf.json")" "4 0 3 2 1 0 1 1 1 0 0 3 2 1,0,1,0"
expect_eq "elf fixture: codes and agents" \
  "$(jq -c '[.clients[] | select(.legacy > 0) | .client]' "$T/elf.json")" '["IE 11","Java/1.7.0_80"]'
expect_eq "elf fixture: login types" "$(jq -c '[.login_types[] | [.login_type, .total + .failed]]' "$T/elf.json")" \
  '[["Application",2],["Other Apex API",1],["Remote Access 2.0",1]]'
lj --format api "$FX/elf_small.csv" > "$T/elf_forced.json"
expect_eq "--format api on an ELF file keeps the codes as written" \
  "$(jq -c '[.login_types[] | .login_type]' "$T/elf_forced.json")" '["A","I","i"]'

# several files at once, and the same file gzipped
gzip -c "$FX/api_small.csv" > "$T/api_small.csv.gz"
lj "$FX/api_small.csv" "$FX/setup_small.csv" "$T/api_small.csv.gz" > "$T/multi.json"
expect_eq "three files (one .gz): rows and legacy add up" \
  "$(jq -c '[.summary.rows_read, .summary.legacy, .summary.failed_legacy, .summary.distinct_users, .summary.files]' "$T/multi.json")" \
  "[19,9,3,7,[\"$FX/api_small.csv\",\"$FX/setup_small.csv\",\"$T/api_small.csv.gz\"]]"
gzip -c "$FX/api_small.csv" | lj - > "$T/stdin.json"
expect_eq "gzip on standard input" "$(summary < "$T/stdin.json")" "7 0 6 3 1 1 2 1 1 1 1 4 2 1,1,2,0"

# malformed rows: reported with file:line, skipped, counted; --strict makes them fatal
lj "$FX/malformed.csv" > "$T/bad.json" 2> "$T/bad.err"; rc=$?
expect_eq "malformed: exit 1 (the good rows have legacy)" "$rc" 1
expect_eq "malformed: counts" "$(jq -c '[.summary.rows_read, .summary.rows_skipped, .summary.total, .summary.legacy]' "$T/bad.json")" "[6,4,2,1]"
expect_eq "malformed: each bad row named by file and line" "$(grep -c "^$FX/malformed.csv:[0-9]*: " "$T/bad.err")" 4
expect_eq "malformed: lines and reasons" "$(jq -r '.summary.malformed_rows[]' "$T/bad.json" | sed "s|$FX/||")" \
'malformed.csv:3: unexpected character after a closing quote
malformed.csv:4: expected 5 fields as in the header, found 4
malformed.csv:5: cannot read the login time '"'last tuesday'"'
malformed.csv:8: quoted field not closed before the end of the input'
timeout 60 "$TLSREADY" logins --strict "$FX/malformed.csv" > /dev/null 2> "$T/strict.err"; rc=$?
expect_eq "--strict: exit 2" "$rc" 2
expect_eq "--strict: the first bad row" "$(cat "$T/strict.err")" \
  "tlsready logins: $FX/malformed.csv: line 3: unexpected character after a closing quote"

# --rules adds rules before the shipped ones
printf '# ours\ntools\tbrowser^=Java (Salesforce.com)\n' > "$T/rules.tsv"
lj --rules "$T/rules.tsv" "$FX/api_small.csv" > "$T/rules.json"
expect_eq "--rules overrides a category" \
  "$(jq -r '.users[] | select(.user=="0055j00000AT6I3AAL") | .category' "$T/rules.json")" "tools"
printf 'vendors\tapplication=X\n' > "$T/badrules.tsv"
timeout 60 "$TLSREADY" logins --rules "$T/badrules.tsv" "$FX/api_small.csv" > /dev/null 2> "$T/badrules.err"; rc=$?
expect_eq "--rules: a bad rule is a usage error naming file:line" "$rc:$(grep -c "badrules.tsv:1: unknown category 'vendors'" "$T/badrules.err")" "2:1"

# --cutover: the trend before the date, legacy after it
lj --cutover 2017-03-03 "$FX/api_small.csv" > "$T/cut.json"
expect_eq "--cutover: before/after" \
  "$(jq -c '.summary.trend | [.cutover, .first_day, .last_day, .legacy_before, .legacy_after, .total_after]' "$T/cut.json")" \
  '["2017-03-03","2017-03-01","2017-03-02",2,1,2]'

# the terminal report
timeout 60 "$TLSREADY" logins --no-color --users "$FX/users.csv" "$FX/api_small.csv" > "$T/text.out"
expect_eq "text: summary line" "$(grep '^  legacy ' "$T/text.out")" "  legacy               3 of 6 (50.0%): tls1.0 2, tls1.1 1"
expect_eq "text: users by category, with names" "$(grep -c 'jane.doe@acme.example.com (Doe, Jane)' "$T/text.out")" 1
expect_eq "text: headings" "$(grep -E '^(Users|Clients) on legacy TLS' "$T/text.out" | cut -d'(' -f1)" \
'Users on legacy TLS — people in browsers and the mobile app 
Users on legacy TLS — system integrations 
Clients on legacy TLS — people in browsers and the mobile app 
Clients on legacy TLS — installed tools 
Clients on legacy TLS — system integrations '

# no legacy at all: exit 0
printf 'UserId,TlsProtocol,Status\n005A,TLS 1.2,Success\n005B,TLS 1.3,Success\n' > "$T/clean.csv"
timeout 60 "$TLSREADY" logins "$T/clean.csv" > /dev/null; expect_eq "no legacy: exit 0" "$?" 0

# usage and input errors: exit 2 with a message
timeout 10 "$TLSREADY" logins > /dev/null 2>&1; expect_eq "no file: exit 2" "$?" 2
timeout 10 "$TLSREADY" logins --min tls9 "$FX/api_small.csv" > /dev/null 2>&1; expect_eq "bad --min: exit 2" "$?" 2
timeout 10 "$TLSREADY" logins "$T/nonexistent.csv" > /dev/null 2> "$T/noent.err"; rc=$?
expect_eq "missing file: exit 2 and its name" "$rc:$(grep -c "nonexistent.csv" "$T/noent.err")" "2:1"
printf 'UserId,LoginTime\n005A,2017-03-01\n' > "$T/notls.csv"
timeout 10 "$TLSREADY" logins "$T/notls.csv" > /dev/null 2> "$T/notls.err"; rc=$?
expect_eq "no TLS column: exit 2 and why" "$rc:$(grep -c "no TLS protocol column" "$T/notls.err")" "2:1"
timeout 10 "$TLSREADY" logins --help > "$T/help.out"; rc=$?
expect_eq "--help: exit 0, options listed" "$rc:$(grep -c -- '--cutover DATE' "$T/help.out")" "0:1"

# ---- generated login history: every format, exact counts from the generator ----
for fmt in api dataloader setup elf; do
  "$GEN" --format "$fmt" --rows 20000 --users 500 --seed 11 --malformed 5 --out "$T/gen_$fmt.csv" \
         --users-out "$T/gen_users.csv" --expect "$T/gen_$fmt.expect"
  lj "$T/gen_$fmt.csv" > "$T/gen_$fmt.json" 2> /dev/null
  expect_eq "generated $fmt: exact counts" "$(summary < "$T/gen_$fmt.json")" "$(expected "$T/gen_$fmt.expect")"
done
gzip -c "$T/gen_dataloader.csv" > "$T/gen_dataloader.csv.gz"
lj "$T/gen_dataloader.csv.gz" > "$T/gen_gz.json" 2> /dev/null
expect_eq "generated dataloader .gz: exact counts" "$(summary < "$T/gen_gz.json")" "$(expected "$T/gen_dataloader.expect")"
lj --threads 1 "$T/gen_dataloader.csv.gz" > "$T/gen_gz1.json" 2> /dev/null
check "the .gz with one thread (no read-ahead): the same document" cmp -s "$T/gen_gz.json" "$T/gen_gz1.json"
lj --users "$T/gen_users.csv" "$T/gen_api.csv" > "$T/gen_api_u.json" 2> /dev/null
expect_eq "generated api + --users: same users, now by username" \
  "$(jq -c '[.summary.distinct_users, .summary.legacy_users, ([.users[].user | test("@acme.example.com$")] | all)]' "$T/gen_api_u.json")" \
  "[$(. "$T/gen_api.expect"; echo "$EXPECT_USERS,$EXPECT_LEGACY_USERS"),true]"

# two threads (a split point found inside quoted, multi-line rows) give the same document as one
"$GEN" --format dataloader --rows 60000 --users 900 --seed 5 --out "$T/split.csv" --expect "$T/split.expect"
lj --threads 1 "$T/split.csv" > "$T/split1.json"
lj --threads 2 --split-min 1 "$T/split.csv" > "$T/split2.json"
expect_eq "split: exact counts" "$(summary < "$T/split2.json")" "$(expected "$T/split.expect")"
check "split: two threads = one thread, whole document" cmp -s "$T/split1.json" "$T/split2.json"
"$GEN" --format api --rows 30000 --users 300 --seed 9 --malformed 7 --out "$T/splitbad.csv" --expect "$T/splitbad.expect"
lj --threads 1 "$T/splitbad.csv" > "$T/sb1.json" 2> "$T/sb1.err"
lj --threads 2 --split-min 1 "$T/splitbad.csv" > "$T/sb2.json" 2> "$T/sb2.err"
check "split with malformed rows: same document, same file:line reports" \
  bash -c "cmp -s '$T/sb1.json' '$T/sb2.json' && cmp -s '$T/sb1.err' '$T/sb2.err'"

done_testing
