#!/usr/bin/env bash
# Runs every libFuzzer target of OUT_DIR (a `build/build.sh fuzz` build),
# each from its committed seed corpus (tests/fuzz/corpus/<target>/, written
# by tests/fuzz/make_corpus.py), TAP style: a crash, leak, timeout or
# sanitizer report is "not ok". After each target a "# stats" line gives its
# executions, coverage (cov: edges, ft: features, from libFuzzer's final
# status line), corpus size and findings; a table of them ends the run.
#
# Usage:
#   tests/run_fuzzers.sh [OUT_DIR [SECONDS]]   short mode (CI): SECONDS per
#                                              target, default 6 (15 targets,
#                                              about 90 s in all)
#   tests/run_fuzzers.sh --minutes N [OUT_DIR] long mode: N minutes per
#                                              target; the grown corpus of
#                                              each target is merged
#                                              (minimised) into a temp dir
#                                              that is kept and printed, and
#                                              so are crash artifacts. The
#                                              repository is never written.
# OUT_DIR defaults to out/fuzz. The fuzzers use one core; run the long mode
# under `nice` on a shared machine.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

minutes=""
if [ "${1:-}" = "--minutes" ]; then
  minutes="${2:-}"
  case "$minutes" in
    '' | *[!0-9]*) echo "run_fuzzers.sh: --minutes needs a whole number of minutes" >&2; exit 2 ;;
  esac
  shift 2
fi
out=$(cd "${1:-out/fuzz}" && pwd) || { echo "run_fuzzers.sh: no build directory ${1:-out/fuzz}" >&2; exit 2; }
if [ -n "$minutes" ]; then
  secs=$((minutes * 60))
else
  secs="${2:-6}"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
keep=""  # long mode: where merged corpora and artifacts stay
[ -n "$minutes" ] && keep=$(mktemp -d "${TMPDIR:-/tmp}/cnet-fuzz-corpus.XXXXXX")

n=0
bad=0
table=""
for fuzzer in "$out"/*_fuzzer; do
  [ -x "$fuzzer" ] || continue
  n=$((n + 1))
  name=$(basename "$fuzzer")
  dir="$work/$name"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  seeds="$repo/tests/fuzz/corpus/$name"
  nseeds=0
  if [ -d "$seeds" ]; then
    cp "$seeds"/* "$dir/corpus/" 2>/dev/null
    nseeds=$(find "$seeds" -type f | wc -l)
  fi
  # -rss_limit_mb bounds memory; -max_len keeps inputs frame-sized;
  # -timeout makes a slow input (a spin) a finding.
  (cd "$dir" && "$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
      -timeout=20 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" corpus \
      > log 2>&1)
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' | tail -1)
  status=$(grep -E '^#[0-9]+' "$dir/log" | grep 'cov:' | tail -1)
  cov=$(echo "$status" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
  ft=$(echo "$status" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  corp=$(echo "$status" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*')
  findings=$(find "$dir/artifacts" -type f | wc -l)
  if [ "$rc" -eq 0 ] && [ "$findings" -eq 0 ]; then
    echo "ok $n - $name ran ${secs}s from $nseeds seeds without a finding"
  else
    bad=$((bad + 1))
    [ "$findings" -eq 0 ] && findings=1  # a failure without an artifact still counts
    echo "not ok $n - $name found a problem (exit $rc):"
    grep -E "ERROR|SUMMARY|Test unit written|==[0-9]+==|_fuzzer: " "$dir/log" | head -20 | sed 's/^/    /'
  fi
  echo "# stats $name: execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?} findings=$findings"
  table="$table$(printf '%-30s %12s %7s %7s %7s %9s' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$findings")"$'\n'
  if [ -n "$keep" ]; then
    # Minimise the grown corpus into the kept dir, seeds included.
    mkdir -p "$keep/$name"
    (cd "$dir" && "$fuzzer" -merge=1 -rss_limit_mb=2048 -max_len=65536 "$keep/$name" corpus \
        > merge.log 2>&1) || echo "# $name: corpus merge failed: $(tail -1 "$dir/merge.log")"
    if [ "$(find "$dir/artifacts" -type f | wc -l)" -gt 0 ]; then
      mkdir -p "$keep/$name.artifacts"
      cp "$dir/artifacts"/* "$keep/$name.artifacts/"
      cp "$dir/log" "$keep/$name.artifacts/log"
    fi
  fi
done
[ "$n" -gt 0 ] || { echo "not ok 1 - no fuzzer found in $out"; exit 1; }

echo "# $(printf '%-30s %12s %7s %7s %7s %9s' target execs cov ft corpus findings)"
printf '%s' "$table" | sed 's/^/# /'
if [ -n "$keep" ]; then
  echo "# merged corpora and any artifacts kept in $keep"
fi
[ "$bad" -eq 0 ]
