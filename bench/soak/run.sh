#!/usr/bin/env bash
# The soak benchmark: cnet's test server (proxy + origins) on free loopback
# ports, then bench/soak/soak (the public API only) running
#   F4 over h2        100,000 http:// GETs as streams of one h2 session to the HTTPS proxy
#   F4 over spdy/3.1  100,000 the same over SPDY/3.1
#   F6 over h2         20,000 https:// GETs: h2 to the proxy, CONNECT, TLS, h2 to the origin
# with 50 in flight, each printing RSS, heap in use and open fds at 10 %,
# 50 % and 100 % and a verdict ("flat" or "grows by X bytes/request after
# warm-up"). Usage: bench/soak/run.sh [--quick] BUILD_DIR
#   --quick  2,000 F4 and 500 F6 requests (CI: well under 30 s)
# Prints TAP lines ("ok N - …" / "not ok N - …") that tests/run_all.sh
# counts, and the soak's own lines as "# …" comments. Every run has a
# wall-clock cap (soak --max-seconds) that fails it; the servers are
# stopped by PID.
#
# The heap verdict is a check only in the full run: the quick run's few
# thousand requests are too few to tell a few bytes per request from the
# noise of a table that grew once, so there it is printed, not judged.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/../lib.sh"  # and tests/lib.sh
bench_begin soak out/debug soak "$@"  # quick, out, work, pids, program
soak="$program"

if [ "$quick" = 1 ]; then
  f4_count=2000 f6_count=500 cap=60
else
  f4_count=100000 f6_count=20000 cap=900
fi

start_server plain --plain
start_server origin --name origin.test --alpn h2,spdy/3.1,http/1.1
start_server proxy --proxy --alpn h2,spdy/3.1,http/1.1 --map origin.test=127.0.0.1

proxy=(--proxy "https://127.0.0.1:$proxy_port" --proxy-ca "$work/proxy.ca")

# soak_run LABEL soak-args...: runs the soak, its output to $work/LABEL.out
# and .err (shown under a failed check; judge prints the .out as comments),
# and checks it ended well.
soak_run() {
  local label="$1"
  shift
  # Without glibc's per-thread cache, a chunk freed is free in mallinfo2's
  # count too: the heap figure is then exact at each checkpoint.
  GLIBC_TUNABLES=glibc.malloc.tcache_count=0 timeout $((cap + 30)) \
    "$soak" --label "$label" --max-seconds "$cap" --concurrency 50 --body-bytes 100 "$@" \
    > "$work/$label.out" 2> "$work/$label.err"
  local rc=$?
  sed 's/^/# /' "$work/$label.out" "$work/$label.err"
  [ "$rc" -eq 0 ] || { cat "$work/$label.err"; return 1; }
}

# fds_flat LABEL: the open fds at 100 % are those at 10 %.
fds_flat() {
  local line
  line=$(grep "^result $1 " "$work/$1.out") || { echo "no result line"; return 1; }
  local a b
  a=$(sed -E 's/.* fds_10=([0-9-]+).*/\1/' <<< "$line")
  b=$(sed -E 's/.* fds_100=([0-9-]+).*/\1/' <<< "$line")
  [ "$a" = "$b" ] || { echo "open fds: $a at 10 %, $b at 100 %"; return 1; }
}

# heap_flat LABEL: the verdict is "flat".
heap_flat() {
  grep -qx "verdict $1 flat" "$work/$1.out" || { grep "^verdict $1 " "$work/$1.out"; return 1; }
}

judge() {  # judge LABEL COUNT what
  local label="$1" count="$2" what="$3"
  sed 's/^/# /' "$work/$label.out"
  check "$what: $count requests, each a 200 with its body, within ${cap} s" \
    grep -q "^result $label requests=$count failed=0 " "$work/$label.out"
  check "$what: open fds at 100 % as at 10 %" fds_flat "$label"
  if [ "$quick" = 1 ]; then
    echo "# $what: $(grep "^verdict $label " "$work/$label.out" || echo 'no verdict') (not judged in --quick)"
  else
    check "$what: heap in use flat after warm-up" heap_flat "$label"
  fi
}

for proto in h2 spdy/3.1; do
  label="F4-${proto%%/*}"
  check "F4 over $proto: the soak runs" soak_run "$label" --count "$f4_count" "${proxy[@]}" \
    --proxy-protocols "$proto" "http://127.0.0.1:$plain_port/bytes/100"
  judge "$label" "$f4_count" "F4 over $proto"
done
label=F6-h2
check "F6 over h2 (h2 inside the h2 tunnel): the soak runs" soak_run "$label" \
  --count "$f6_count" "${proxy[@]}" --proxy-protocols h2 --protocols h2 --ca "$work/origin.ca" \
  "https://origin.test:$origin_port/bytes/100"
judge "$label" "$f6_count" "F6 over h2"

echo "1..$n"
[ "$failures" -eq 0 ]
