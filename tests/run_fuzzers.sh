#!/usr/bin/env bash
# Runs every libFuzzer target of OUT_DIR (a `build/build.sh fuzz` build) for
# a short, bounded time from an empty corpus, TAP style: a crash, leak,
# timeout or sanitizer report is "not ok". Usage: tests/run_fuzzers.sh OUT_DIR [SECONDS]
set -uo pipefail
out=$(cd "${1:-out/fuzz}" && pwd)
secs="${2:-15}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
for fuzzer in "$out"/*_fuzzer; do
  [ -x "$fuzzer" ] || continue
  n=$((n + 1))
  name=$(basename "$fuzzer")
  mkdir -p "$work/$name"
  # -rss_limit_mb bounds memory; -max_len keeps inputs frame-sized.
  if (cd "$work/$name" && "$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=0 . > log 2>&1); then
    echo "ok $n - $name ran ${secs}s without a finding"
  else
    echo "not ok $n - $name found a problem:"
    grep -E "ERROR|SUMMARY|Test unit written|==[0-9]+==" "$work/$name/log" | head -20 | sed 's/^/    /'
  fi
done
[ "$n" -gt 0 ] || echo "not ok 1 - no fuzzer found in $out"
