#!/usr/bin/env bash
# README.md's command blocks run exactly as written. Every ```sh block is
# taken from the README, in order; the first two are not run here and the
# test says so: `bash tools/demo.sh` (the demo, which builds and runs every
# flow: the ladder and smoke suites cover it) and `bash tests/run_all.sh`
# (the runner that calls this test). The rest run in one bash, as a reader
# would type them into one shell, from the repository's root (they name
# out/debug, so the debug build must exist); the servers they start in the
# background are stopped afterwards by PID.
# Usage: tests/readme_test.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/cnet-readme.XXXXXX")
n=0
failures=0
pids=()
trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT

# The ```sh blocks, one file each: $work/block.1, $work/block.2, ...
awk -v dir="$work" '/^```sh$/ { k++; inside = 1; next } /^```$/ { inside = 0; next }
  inside { print > (dir "/block." k) }' "$root/README.md"
blocks=$(find "$work" -name 'block.*' | wc -l)

check "README.md has its command blocks (at least 4)" test "$blocks" -ge 4
check "block 1 is bash tools/demo.sh (not run here: the demo builds and runs every flow)" \
  grep -qx 'bash tools/demo.sh' "$work/block.1"
check "block 2 is bash tests/run_all.sh (not run here: it is the runner calling this test)" \
  grep -qx 'bash tests/run_all.sh' "$work/block.2"

[ -x "$root/out/debug/testserver" ] && [ -x "$root/out/debug/fetch" ] ||
  bail "out/debug/testserver and out/debug/fetch are built (the README names them)"

# Blocks 3.. in one shell, exactly as written; then the PIDs of what they
# left running in the background.
{
  for i in $(seq 3 "$blocks"); do cat "$work/block.$i"; done
  echo 'jobs -p > "$README_TEST_PIDS"'
  echo 'echo "${d:-}" > "$README_TEST_DIR"'  # the README's temp dir, removed below
} > "$work/session.sh"
(cd "$root" && README_TEST_PIDS="$work/pids" README_TEST_DIR="$work/readme_dir" timeout 60 bash -e "$work/session.sh" \
  > "$work/session.out" 2> "$work/session.err")
rc=$?
[ -f "$work/pids" ] && mapfile -t -O "${#pids[@]}" pids < "$work/pids"
readme_dir=$(cat "$work/readme_dir" 2>/dev/null)
trap 'stop_pids "${pids[@]}"; rm -rf "$work"; case "$readme_dir" in "${TMPDIR:-/tmp}"/tmp.*) rm -rf "$readme_dir" ;; esac' EXIT

session_ok() {
  [ "$rc" -eq 0 ] || { echo "the README's commands failed (exit $rc):"; cat "$work/session.err"; return 1; }
}
check "the README's commands (blocks 3-$blocks) run as written, exit 0" session_ok
check "the first fetch printed the test server's page" grep -q 'cnet-testserver' "$work/session.out"
check "--stats says what the README's comment says: 1 TCP, 2 TLS, 1 tunnel" \
  grep -q '"tcp_connects":1,"tls_handshakes":2,"tunnels":1,' "$work/session.err"
check "the blocks left their two servers running (stopped now, by PID)" test "${#pids[@]}" -eq 2
echo "1..$n"
[ "$failures" -eq 0 ]
