#!/usr/bin/env bash
# Happy eyeballs through fetch, on loopback: a name resolving (--resolve)
# to a stalled [::1] listener — its accept queue full, so the kernel drops
# the SYN — and to a working 127.0.0.1 origin on the same port, in both
# orders. Without happy eyeballs the [::1]-first order would wait for the
# whole 30 s TCP connect timeout; with it the transfer ends in well under a
# second (a correctness bound, not a benchmark), from 127.0.0.1.
# Usage: tests/happy_eyeballs_test.sh OUT_DIR
# Prints one "ok N - what" or "not ok N - what" line per check (TAP style).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"
suite_setup he "${1:-out/debug}"
pids=()
trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT

[ -x "$fetch" ] || bail "$fetch is built"
# ::1 on lo (as `ip -6 addr show lo` shows it; read from /proc, no iproute2).
grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 || bail "::1 is configured on lo"

# The stalled listener: listen(1) on [::1] and never accept; connect until
# the accept queue is full (Linux's TCP_INFO on a listener: tcpi_unacked is
# the queue's length, tcpi_sacked its limit), write the port, wait to be
# killed.
cat > "$work/stalled.py" << 'EOF'
import signal, socket, struct, sys
l = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
l.bind(("::1", 0))
l.listen(1)
port = l.getsockname()[1]
def full():
    info = l.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    unacked, sacked = struct.unpack_from("II", info, 24)
    return unacked > sacked
clients = []
while not full() and len(clients) < 16:
    c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    c.connect(("::1", port))
    clients.append(c)
if not full():
    sys.exit("the accept queue never filled")
with open(sys.argv[1], "w") as f:
    f.write(str(port))
signal.pause()
EOF

# wait_for_port_file FILE PID: until FILE has the port, or PID exited (5 s
# at most).
wait_for_port_file() {
  for _ in $(seq 1 100); do
    [ -s "$1" ] && return
    kill -0 "$2" 2> /dev/null || return
    sleep 0.05
  done
}

# The origin must listen on 127.0.0.1 at the stalled listener's port: a
# few tries in case that port is taken on IPv4.
port=
for _ in 1 2 3 4 5; do
  rm -f "$work/stalled.port" "$work/origin.port"
  python3 "$work/stalled.py" "$work/stalled.port" > "$work/stalled.log" 2>&1 &
  stalled_pid=$!
  pids+=("$stalled_pid")
  wait_for_port_file "$work/stalled.port" "$stalled_pid"
  [ -s "$work/stalled.port" ] || { cp "$work/stalled.log" "$work/setup.log"; bail "the stalled [::1] listener starts"; }
  p=$(cat "$work/stalled.port")
  "$out/testserver" --plain --bind 127.0.0.1 --port "$p" --port-file "$work/origin.port" \
    > "$work/origin.log" 2>&1 &
  origin_pid=$!
  pids+=("$origin_pid")
  wait_for_port_file "$work/origin.port" "$origin_pid"
  if [ -s "$work/origin.port" ]; then
    port=$p
    break
  fi
  stop_pids "$stalled_pid" "$origin_pid"
done
[ -n "$port" ] || { cp "$work/origin.log" "$work/setup.log"; bail "an origin on 127.0.0.1 at the stalled listener's port"; }

url="http://he.test:$port/"

# fast_from_ipv4 ADDRESSES [fetch-args...]: 200 from 127.0.0.1 in under a
# second.
fast_from_ipv4() {
  local addresses="$1"
  shift
  local got
  got=$("$fetch" -s -o /dev/null -w '%{http_code} %{remote_ip} %{time_total}' \
    --resolve "he.test:$port:$addresses" "$@" "$url")
  echo "got: $got"
  read -r code ip secs <<< "$got"
  [ "$code" = 200 ] && [ "$ip" = 127.0.0.1 ] && awk -v s="$secs" 'BEGIN { exit !(s < 1) }'
}

check "[::1] first (stalled), 127.0.0.1 second: 200 from 127.0.0.1 in well under a second" \
  fast_from_ipv4 '[::1],127.0.0.1'
check "127.0.0.1 first: 200 from 127.0.0.1 at once" fast_from_ipv4 '127.0.0.1,[::1]'
check "bare IPv6 literal in the list (curl's syntax)" fast_from_ipv4 '::1,127.0.0.1'

# -v shows both attempts in order: [::1] first, then 127.0.0.1.
tries_in_order() {
  "$fetch" -sv -o /dev/null --resolve "he.test:$port:[::1],127.0.0.1" "$url" 2> "$work/v.err"
  cat "$work/v.err"
  grep -n 'Trying' "$work/v.err" > "$work/tries"
  [ "$(sed -n 1p "$work/tries" | grep -c "\[::1\]:$port")" = 1 ] &&
    [ "$(sed -n 2p "$work/tries" | grep -c "127.0.0.1:$port")" = 1 ] &&
    grep -q "Connected to 127.0.0.1:$port" "$work/v.err"
}
check "-v: Trying [::1] then 127.0.0.1, connected to 127.0.0.1" tries_in_order

# --happy-eyeballs-timeout-ms sets the delay: with 600 ms the 127.0.0.1
# attempt cannot start (so the transfer cannot end) before 0.6 s.
delay_honoured() {
  local got
  got=$("$fetch" -s -o /dev/null -w '%{http_code} %{time_total}' --happy-eyeballs-timeout-ms 600 \
    --resolve "he.test:$port:[::1],127.0.0.1" "$url")
  echo "got: $got"
  read -r code secs <<< "$got"
  [ "$code" = 200 ] && awk -v s="$secs" 'BEGIN { exit !(s >= 0.6 && s < 2) }'
}
check "--happy-eyeballs-timeout-ms 600: the second attempt waits 600 ms" delay_honoured

# The NetLog has every attempt: two starts, the winner and the loser.
netlog_attempts() {
  "$fetch" -s -o /dev/null --netlog "$work/he.netlog" \
    --resolve "he.test:$port:[::1],127.0.0.1" "$url" || return 1
  grep TRANSPORT_CONNECT_ATTEMPT "$work/he.netlog"
  [ "$(grep -c '"TRANSPORT_CONNECT_ATTEMPT".*"backup":false' "$work/he.netlog")" -ge 2 ] &&
    grep -q "\"127.0.0.1:$port\",\"result\":\"won\"" "$work/he.netlog" &&
    grep -q "\"\[::1\]:$port\",\"result\":\"lost\"" "$work/he.netlog"
}
check "--netlog: each attempt logged, 127.0.0.1 won, [::1] lost" netlog_attempts

echo "1..$n"
[ "$failures" -eq 0 ]
