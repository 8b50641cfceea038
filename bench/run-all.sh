#!/usr/bin/env bash
# make bench: runs every benchmark, each writing its figures into bench/<area>/RESULTS.md.
# They are long (the logins/logs/pcap ones generate 1-2 GB inputs in /tmp) and
# sensitive to other load: run them on an otherwise idle machine.
#   ONLY="scan logs"   run only these areas
set -u
cd "$(dirname "$0")"
areas="${ONLY:-tls scan endpoints logins logs pcap serve}"
rc=0
for a in $areas; do
  case "$a" in
    scan) scripts="scan/versions.sh scan/scale.sh scan/full.sh" ;;
    *) scripts="$a/run.sh" ;;
  esac
  for s in $scripts; do
    [ -f "$s" ] || continue
    echo "== bench/$s"
    bash "$s" || { echo "bench/$s failed" >&2; rc=1; }
  done
done
exit $rc
