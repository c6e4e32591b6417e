#!/usr/bin/env bash
# shellcheck disable=SC2154  # the ${name}_port variables are set by read / printf -v
# The benchmark suite of issue #13: cnet (fetch) side by side with h2load and
# curl against real peers, in one run, printed as a table of ratios
# cnet/peer with the issue's targets beside them.
#
# Usage: bash bench/run.sh [--quick] [BUILD_DIR]
#   BUILD_DIR  default out/release when it holds fetch (benchmarks want the
#              release build), else out/debug (and the output says so)
#   --quick    every workload tiny (seconds in all): proof that it runs, for
#              tests/run_all.sh; its figures mean nothing
#
# Peers, on free 127.0.0.1 ports in a private temp dir, stopped by PID:
#   nginx    TLS + h2 (/1k, and a 1 GiB file), TLS http/1.1, and plain http,
#            keepalive_requests raised so one session carries every request
#   squid    http_port (CONNECT for workload b) and https_port (the TLS proxy
#            of the TLS-in-TLS workload c), and nghttpx's backend
#   nghttpx  --http2-proxy in front of squid (workload d, F4/F6 over h2)
#   testserver  cnet's own proxy offering spdy/3.1 and its origins
#            (workload d over SPDY/3.1)
# Workloads (counts of the full run; --quick in brackets):
#   a  GETs of /1k over one h2 session to nginx, 100 in flight: fetch
#      --parallel 100 --repeat N vs h2load -n N -c 1 -m 100    20,000 [200]
#   b  sequential keep-alive GETs of /1k (HTTP/1.1) through squid's CONNECT
#      tunnel, the URL given N times to one process: fetch vs curl  1,000 [20]
#   c  one GET of a 1 GiB file through a TLS-in-TLS tunnel (squid https_port
#      CONNECT, HTTP/1.1 inside): fetch vs curl             1 GiB [8 MiB]
#   d  F4 (http://) and F6 (https://, h2 inside) multiplexed, 100 in flight,
#      through nghttpx (h2) and through the testserver (SPDY/3.1): fetch vs
#      curl --parallel (curl 7.88 speaks HTTP/1.1 to proxies: its connections
#      to the proxy are many)                              2,000 each [50]
# For each: wall time and CPU (user+sys of the client process alone,
# getrusage of the child). Prints TAP lines (one per workload and tool:
# "it ran and every transfer succeeded") and the table as "# " comments.
# No thresholds: the targets are printed, never judged.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"  # bench_args, and the peer helpers bench/peers.sh uses
bench_args "$@"
build="$bench_out"
build_note=""
if [ -z "$build" ]; then
  if [ -x "$root/out/release/fetch" ]; then
    build="$root/out/release"
  else
    build="$root/out/debug"
    build_note="(no release build: out/debug, -O0 — figures are not cnet's)"
  fi
fi
suite_setup bench "$build"
pids=()
trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT
suite_context() {
  local f
  for f in "$work"/*.err "$work/nginx/error.log" "$work/squid/cache.log" "$work/nghttpx.err"; do
    [ -s "$f" ] || continue
    echo "--- ${f#"$work"/} (tail)"
    tail -5 "$f"
  done
}

if [ "$quick" = 1 ]; then
  # The cap stays above 60 s: curl's --parallel through a proxy now and
  # then leaves one transfer stalled until a peer's 60 s timeout ends it
  # (docs/performance.md); the quick run proves that things run, and a
  # peer's stall that resolves itself is not a failure of cnet.
  n_h2=200 n_squid=20 big_bytes=$((8 * 1024 * 1024)) n_mux=50 cap=150
else
  n_h2=20000 n_squid=1000 big_bytes=$((1024 * 1024 * 1024)) n_mux=2000 cap=600
  # d's peer runs take seconds; when curl stalls (above) it waits on a
  # peer's timeout (nghttpx's 60 s) or, through the test server, which has
  # none, until the cap: 90 s rather than 600 so that such a run costs a
  # minute and a half, and still reads as curl's failure (not ok).
  d_peer_cap=90
fi

[ -x "$fetch" ] || bail "fetch is built in $out"
[ -x "$out/testserver" ] || bail "testserver is built in $out"
if [ -n "$build_note" ]; then
  echo "# build: $out $build_note"
else
  echo "# build: $out ($(cat "$out/.cnet-args" 2>/dev/null || echo 'args unknown'))"
fi

# shellcheck source=bench/peers.sh
. "$here/peers.sh"
h2load_bin=$(find_tool h2load)
curl_bin=$(find_tool curl)
[ -n "$h2load_bin" ] || bail "h2load is installed (nghttp2-client; build/install-deps.sh installs it)"
[ -n "$curl_bin" ] || bail "curl is installed"

start_server tsplain --plain
start_server tsorigin --name origin.test --alpn h2,http/1.1
start_server tsproxy --proxy --alpn spdy/3.1,http/1.1 --map origin.test=127.0.0.1

# --- measuring ------------------------------------------------------------------------

# measure LABEL command...: runs it (stdout to /dev/null, or to
# $work/LABEL.out when keep_stdout=1; stderr to $work/LABEL.err; a
# wall-clock cap) and writes "wall_s cpu_s rc" to $work/LABEL.m — the CPU
# is the command's own (getrusage of the child).
measure() {
  local label="$1" stdout=/dev/null
  shift
  [ "${keep_stdout:-0}" = 1 ] && stdout="$work/$label.out"
  python3 - "$work/$label.m" "$cap" "$stdout" "$@" 2> "$work/$label.err" <<'PY'
import os, signal, subprocess, sys, time
out, cap, stdout, cmd = sys.argv[1], int(float(sys.argv[2])), sys.argv[3], sys.argv[4:]
# os.wait4: the exit and the child's own rusage at once, with no polling
# (subprocess's wait with a timeout polls, and would round the wall time
# up to its sleeps); the cap is an alarm that kills the child.
with open(stdout, "wb") as so:
    t0 = time.monotonic()
    child = subprocess.Popen(cmd, stdout=so)
    capped = []
    def on_alarm(signum, frame):
        capped.append(1)
        child.kill()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(cap)
    while True:
        try:
            _, status, ru = os.wait4(child.pid, 0)
            break
        except InterruptedError:
            continue
    wall = time.monotonic() - t0
    signal.alarm(0)
child.returncode = 0  # reaped above: Popen must not wait for it again
rc = 124 if capped else os.waitstatus_to_exitcode(status)
with open(out, "w") as f:
    f.write("%.4f %.4f %d\n" % (wall, ru.ru_utime + ru.ru_stime, rc))
PY
  local rc
  rc=$(awk '{print $3}' "$work/$label.m" 2>/dev/null)
  [ "${rc:-1}" = 0 ] || { echo "$* exited with ${rc:-?} (124: over the ${cap} s cap)"; cat "$work/$label.err"; return 1; }
}

urls() {  # urls N URL: the URL N times, one argument each
  local i
  for ((i = 0; i < $1; i++)); do printf '%s\n' "$2"; done
}

results=()  # "key|what|tool_cnet|tool_peer|units|target"
run_pair() {  # run_pair KEY "what" "target" -- cnet-cmd... -- peer-cmd...
  local key="$1" what="$2" target="$3"
  shift 4
  local cnet=() peer=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cnet+=("$1"); shift; done
  shift
  peer=("$@")
  [ "$key" = c ] && keep_stdout=1  # -w size_download
  check "$what: fetch" measure "$key-cnet" "${cnet[@]}"
  [ "$key" = c ] && keep_stdout=1
  # h2load's summary (its stdout) says how many requests succeeded.
  [ "$key" = a ] && keep_stdout=1
  local run_cap=$cap
  [[ "$key" == d* ]] && cap=${d_peer_cap:-$cap}
  check "$what: ${peer[0]##*/}" measure "$key-peer" "${peer[@]}"
  cap=$run_cap
  keep_stdout=0
  results+=("$key|$what|$target")
}

f=("$fetch" --no-proxy-env -s -S -f)
c=("$curl_bin" -s -S -f --noproxy '')

# (a) h2 to nginx, 100 in flight on one session.
h2url="https://origin.test:$h2_port/1k"
run_pair a "a: $n_h2 GETs /1k, 1 h2 session, 100 in flight" "CPU <= 1.0x, wall <= 1.0x" -- \
  "${f[@]}" --cacert "$ca" --resolve "origin.test:*:127.0.0.1" --http2 --parallel 100 \
  --repeat "$n_h2" "$h2url" -- \
  "$h2load_bin" -n "$n_h2" -c 1 -m 100 "https://127.0.0.1:$h2_port/1k"
# h2load exits 0 even when requests fail: its summary must say all succeeded.
check "a: h2load: all $n_h2 requests succeeded" \
  grep -q "requests: $n_h2 total, $n_h2 started, $n_h2 done, $n_h2 succeeded" "$work/a-peer.out"

# (b) keep-alive GETs through squid's CONNECT, HTTP/1.1 inside.
h1url="https://origin.test:$h1_port/1k"
mapfile -t b_urls < <(urls "$n_squid" "$h1url")
run_pair b "b: $n_squid sequential GETs /1k via squid CONNECT" "wall <= 0.8x, CPU <= 0.7x" -- \
  "${f[@]}" -x "http://127.0.0.1:$squid_port" --cacert "$ca" --http1.1 "${b_urls[@]}" -- \
  "${c[@]}" -x "http://127.0.0.1:$squid_port" --cacert "$ca" --http1.1 "${b_urls[@]}"

# (c) one big body through a TLS-in-TLS tunnel (squid https_port).
bigurl="https://origin.test:$h1_port/big"
run_pair c "c: $((big_bytes / 1048576)) MiB via TLS-in-TLS (squid https_port)" "MB/s >= 1.2x, CPU <= 0.6x" -- \
  "${f[@]}" -x "https://127.0.0.1:$squid_tls_port" --proxy-cacert "$ca" --cacert "$ca" --http1.1 \
  --no-progress -o /dev/null -w '%{size_download}\n' "$bigurl" -- \
  "${c[@]}" -x "https://127.0.0.1:$squid_tls_port" --proxy-cacert "$ca" --cacert "$ca" --http1.1 \
  -o /dev/null -w '%{size_download}\n' "$bigurl"
for tool in cnet peer; do
  check "c: $tool received all $big_bytes bytes" grep -qx "$big_bytes" "$work/c-$tool.out"
done

# (d) F4 and F6 multiplexed through nghttpx (h2) and the testserver (SPDY/3.1).
f4url="http://origin.test:$plain_port/1k"
f6url="https://origin.test:$h2_port/1k"
mapfile -t d4_urls < <(urls "$n_mux" "$f4url")
mapfile -t d6_urls < <(urls "$n_mux" "$f6url")
nx=(-x "https://127.0.0.1:$nghttpx_port" --proxy-cacert "$ca" --cacert "$ca")
run_pair d4h2 "d: F4 x$n_mux via nghttpx (h2), 100 in flight" "(none)" -- \
  "${f[@]}" "${nx[@]}" --proxy-protocols h2 --parallel 100 --repeat "$n_mux" "$f4url" -- \
  "${c[@]}" "${nx[@]}" --parallel --parallel-max 100 "${d4_urls[@]}"
run_pair d6h2 "d: F6 x$n_mux via nghttpx (h2), 100 in flight" "(none)" -- \
  "${f[@]}" "${nx[@]}" --proxy-protocols h2 --protocols h2 --parallel 100 --repeat "$n_mux" "$f6url" -- \
  "${c[@]}" "${nx[@]}" --parallel --parallel-max 100 "${d6_urls[@]}"
ts=(-x "https://127.0.0.1:$tsproxy_port" --proxy-cacert "$work/tsproxy.ca" --cacert "$work/tsorigin.ca")
ts4url="http://127.0.0.1:$tsplain_port/bytes/1024"
ts6url="https://origin.test:$tsorigin_port/bytes/1024"
mapfile -t t4_urls < <(urls "$n_mux" "$ts4url")
mapfile -t t6_urls < <(urls "$n_mux" "$ts6url")
run_pair d4spdy "d: F4 x$n_mux via testserver (SPDY/3.1), 100 in flight" "(none)" -- \
  "${f[@]}" "${ts[@]}" --proxy-protocols spdy/3.1 --parallel 100 --repeat "$n_mux" "$ts4url" -- \
  "${c[@]}" "${ts[@]}" --parallel --parallel-max 100 "${t4_urls[@]}"
run_pair d6spdy "d: F6 x$n_mux via testserver (SPDY/3.1), 100 in flight" "(none)" -- \
  "${f[@]}" "${ts[@]}" --proxy-protocols spdy/3.1 --protocols h2 --parallel 100 --repeat "$n_mux" "$ts6url" -- \
  "${c[@]}" "${ts[@]}" --parallel --parallel-max 100 "${t6_urls[@]}"

# --- the table ---------------------------------------------------------------------------

fig() {  # fig LABEL FIELD(1 wall, 2 cpu): the figure, or "-" when it did not run
  awk -v k="$2" '$3 == 0 { print $k; ok = 1 } END { if (!ok) print "-" }' "$work/$1.m" 2>/dev/null || echo -
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
echo "#"
echo "# workload | peer | fetch wall s | peer wall s | wall ratio | fetch CPU s | peer CPU s | CPU ratio | target (issue #13)"
echo "# ---|---|---|---|---|---|---|---|---"
for r in "${results[@]}"; do
  IFS='|' read -r key what target <<< "$r"
  case "$key" in a) peer=h2load ;; *) peer=curl ;; esac
  cw=$(fig "$key-cnet" 1) pw=$(fig "$key-peer" 1) cc=$(fig "$key-cnet" 2) pc=$(fig "$key-peer" 2)
  echo "# $what | $peer | $cw | $pw | $(ratio "$cw" "$pw") | $cc | $pc | $(ratio "$cc" "$pc") | $target"
done
cw=$(fig c-cnet 1) pw=$(fig c-peer 1)
echo "#"
echo "# c as throughput: fetch $(awk -v b="$big_bytes" -v t="$cw" 'BEGIN { if (t == "-") print "-"; else printf "%.0f", b / t / 1e6 }') MB/s," \
  "curl $(awk -v b="$big_bytes" -v t="$pw" 'BEGIN { if (t == "-") print "-"; else printf "%.0f", b / t / 1e6 }') MB/s," \
  "ratio $(ratio "$pw" "$cw") (target >= 1.2)"
[ "$quick" = 1 ] && echo "# (--quick: tiny counts, the figures only prove the run works)"
echo "1..$n"
[ "$failures" -eq 0 ]
