#!/usr/bin/env bash
# make fuzz: runs every libFuzzer target for FUZZ_SECONDS, growing fuzz/corpus/<name>/.
set -u
cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-60}"; rc=0
for f in "${B:-build}"/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  n=$(basename "$f"); c="fuzz/corpus/${n#fuzz_}"; mkdir -p "$c"
  echo "== $n for ${secs}s"
  "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="fuzz/corpus/" "$c" 2>&1 | tail -3 || rc=1
done
exit $rc
