#!/usr/bin/env bash
# Regenerates the bundled sample (deterministic: same seeds, same files) with
# the repository's own generators. `make demo` uses the files as committed;
# run this after changing a generator:  make tools && bash examples/generate.sh
set -eu
cd "$(dirname "$0")"
T=${B:-../build}/rel/tools
# Login History exported through the API: 120 users over 120 days, a tenth of them on legacy TLS
"$T"/gen_logins --format api --rows 6000 --users 120 --days 120 --start 2026-07-20 --seed 2017 \
  --legacy-users 12 --out logins/LoginHistory.csv --users-out logins/Users.csv --expect logins/LoginHistory.expect
# Event Monitoring Login log files for the last month
"$T"/gen_logins --format elf --rows 1500 --users 120 --days 30 --start 2026-10-20 --seed 2018 \
  --legacy-users 12 --out logins/EventLogFile-Login.csv --expect logins/EventLogFile-Login.expect
# an nginx access log (combined + $ssl_protocol $ssl_cipher) of the org's own web portal
"$T"/gen_nginx_log --lines 4000 --clients 300 --seed 5 --days 30 --expect logs/access.expect > logs/access.log
# the org's source (SFDX): callouts, settings and a vendor package whose endpoints
# `make demo` serves on 127.0.0.1:8443-12443 (the fax gateway on 13443 stays down)
rm -rf org && "$T"/gen_org demo org
