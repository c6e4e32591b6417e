#!/usr/bin/env bash
# The scale benchmark of issue #13: cnet's test server (an h2 origin allowing
# 20,000 concurrent streams, and a plain HTTP origin) on free loopback ports,
# then bench/scale/scale (the public API only) measuring
#   - N streams open at once over one h2 session, and N more run to their end
#     (10,000; --quick 500),
#   - the heap per open stream (not counting body buffers),
#   - the heap per idle pooled connection (plain HTTP/1.1: no TLS state),
#     over M connections (500; --quick 50),
# against the targets (<= 2 KiB per stream, <= 8 KiB per connection), which
# are printed, not judged. Usage: bench/scale/run.sh [--quick] BUILD_DIR
# Prints TAP lines: each phase ran without a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/../lib.sh"  # and tests/lib.sh
bench_begin scale out/release scale "$@"  # quick, out, work, pids, program
scale="$program"
if [ "$quick" = 1 ]; then
  streams=500 conns=50 cap=60
else
  streams=10000 conns=500 cap=300
fi
start_server plain --plain
start_server origin --name origin.test --alpn h2 --max-concurrent-streams 20000

run_scale() {
  # Without glibc's per-thread cache, a freed chunk is free in mallinfo2's
  # count too: the heap figures are exact.
  GLIBC_TUNABLES=glibc.malloc.tcache_count=0 timeout $((cap + 30)) "$scale" \
    --streams "$streams" --connections "$conns" --max-seconds "$cap" \
    --h2-url "https://origin.test:$origin_port/" --plain-port "$plain_port" \
    --ca "$work/origin.ca" --resolve "origin.test:*:127.0.0.1" > "$work/scale.out" 2> "$work/scale.err"
  local rc=$?
  cat "$work/scale.err"
  return $rc
}
check "scale runs: $streams streams, $conns idle connections" run_scale
sed 's/^/# /' "$work/scale.out"
check "$streams streams open at once over one h2 session" \
  grep -q "^streams_open N=$streams heads=$streams " "$work/scale.out"
check "$streams concurrent streams run to their end without a failure" \
  grep -q "^streams_done N=$streams ok=$streams failed=0" "$work/scale.out"
check "$conns idle pooled connections measured" grep -q "^idle_connections M=$conns " "$work/scale.out"
per_stream=$(sed -n 's/^streams_open .*per_stream_bytes=\([-0-9]*\).*/\1/p' "$work/scale.out")
per_conn=$(sed -n 's/^idle_connections .*per_connection_bytes=\([-0-9]*\).*/\1/p' "$work/scale.out")
echo "#"
echo "# figure | measured | target (issue #13)"
echo "# concurrent streams over one session | $(grep -q "^streams_done N=$streams ok=$streams failed=0" "$work/scale.out" && echo "$streams without failure" || echo failed) | 10,000 without failure"
echo "# heap per open stream (no body buffer) | ${per_stream:--} bytes | <= 2048 bytes"
echo "# heap per idle pooled connection (no TLS) | ${per_conn:--} bytes | <= 8192 bytes"
[ "$quick" = 1 ] && echo "# (--quick: small counts; the per-object figures are still meaningful, the count is not 10,000)"
echo "1..$n"
[ "$failures" -eq 0 ]
