#!/usr/bin/env bash
# The round-trip harness of issue #13: counts the round trips client<->proxy
# of a cold F2 (TLS 1.3 to an HTTPS proxy speaking HTTP/1.1, CONNECT, TLS
# 1.3 to the origin, GET) for fetch, fetch --proxy-optimistic and curl, on
# links with real delays.
#
# Usage: bash bench/rtt/run.sh [BUILD_DIR]   (root; default out/release, else out/debug)
#
# It makes three network namespaces of its own (cnrtt-c-PID client,
# cnrtt-p-PID proxy, cnrtt-o-PID origin) joined by TUN devices and
# bench/rtt/delay_forwarder.py (this kernel has no netem): 50 ms round trip
# client<->proxy (25 ms each way), 10 ms proxy<->origin. cnet's test server
# is the proxy (10.77.1.2) and the origin (10.77.2.2, origin.test); both
# clients skip certificate checks (-k, --proxy-insecure: the test server's
# certificate does not name 10.77.1.2; verification adds no round trip);
# traffic
# stays inside the namespaces; everything it made is deleted on exit.
#
# The count: the forwarder on the client<->proxy link logs each of the
# client's flights — a packet with TCP payload or a SYN sent after the proxy
# side had delivered something since the client's last flight, i.e. a time
# the client had to wait for an answer — and whether the proxy side answered
# it; a round trip is an answered flight. A cold F2 over TLS 1.3 takes 5
# (SYN; ClientHello to the proxy; Finished + CONNECT; ClientHello to the
# origin after the 200; Finished + GET); with --proxy-optimistic the origin's
# ClientHello joins the CONNECT's flight: 4. The wall time is printed too
# (fetch and curl -w time_total). The same flow through a second proxy that
# speaks HTTP/2 (cold F5: preface, SETTINGS and the CONNECT's HEADERS right
# behind the Finished; with --proxy-optimistic the ClientHello as DATA on
# the CONNECT stream in that flight) waits as often (wall times as the F2
# rows'), but may count one more: the SETTINGS ACK the client sends when
# the proxy's SETTINGS (sent in TLS 1.3's half round trip) arrive is a
# flight by the rule above (unless it joins another), answered by the 200,
# though nothing waited for it. And a cold F2 with TLS 1.2
# on both hops (a second proxy and origin limited to TLS 1.2, ALPN
# http/1.1): with False Start the CONNECT and the GET go with the client's
# Finished, so fetch counts 5 (4 optimistic) as over TLS 1.3; without it
# each hop costs a round trip more (curl: OpenSSL does not false start).
# Prints TAP lines ("ok N - ..."), the table as "# " comments.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="${1:-}"
if [ -z "$build" ]; then
  build="$root/out/release"
  [ -x "$build/fetch" ] || build="$root/out/debug"
fi
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"
suite_setup rtt "$build"
[ -x "$fetch" ] && [ -x "$out/testserver" ] || bail "fetch and testserver are built in $out"
[ "$(id -u)" -eq 0 ] || bail "root (ip netns, TUN devices)"
command -v curl >/dev/null || bail "curl is installed"

tag=$$
ns_c="cnrtt-c-$tag" ns_p="cnrtt-p-$tag" ns_o="cnrtt-o-$tag"
pids=()
made_ns=()
cleanup() {
  stop_pids "${pids[@]}"
  local ns
  for ns in "${made_ns[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

for ns in "$ns_c" "$ns_p" "$ns_o"; do
  ip netns add "$ns" 2> "$work/setup.log" || bail "ip netns add $ns"
  made_ns+=("$ns")
  ip -n "$ns" link set lo up
done

# started FILE LOG: waits up to 10 s for FILE (a ready or port file written
# by a process just started); on failure LOG goes to setup.log.
started() {
  for _ in $(seq 1 200); do
    [ -s "$1" ] && return 0
    sleep 0.05
  done
  cat "$2" >> "$work/setup.log"
  return 1
}

# link NAME_A NS_A ADDR_A NAME_B NS_B ADDR_B ONE_WAY_MS [FLIGHTS]: a TUN
# pair joined by a delay forwarder.
link() {
  local a="$1" ns_a="$2" addr_a="$3" b="$4" ns_b="$5" addr_b="$6" ms="$7" flights="${8:-}"
  python3 "$here/delay_forwarder.py" "$a" "$b" "$ms" "$work/$a.ready" $flights \
    > "$work/$a.fwd.log" 2>&1 &
  pids+=("$!")
  started "$work/$a.ready" "$work/$a.fwd.log" || return 1
  ip link set "$a" netns "$ns_a" && ip link set "$b" netns "$ns_b" &&
    ip -n "$ns_a" addr add "$addr_a/24" dev "$a" && ip -n "$ns_a" link set "$a" up &&
    ip -n "$ns_b" addr add "$addr_b/24" dev "$b" && ip -n "$ns_b" link set "$b" up
}
: > "$work/flights"
link "rtc$tag" "$ns_c" 10.77.1.1 "rtp$tag" "$ns_p" 10.77.1.2 25 "$work/flights" \
  >> "$work/setup.log" 2>&1 || bail "TUN link client<->proxy (25 ms each way)"
link "rtq$tag" "$ns_p" 10.77.2.1 "rto$tag" "$ns_o" 10.77.2.2 5 \
  >> "$work/setup.log" 2>&1 || bail "TUN link proxy<->origin (5 ms each way)"

# The servers, each in its namespace (start_server runs $out/testserver).
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }
start_in() {  # start_in NS NAME testserver-args...
  local ns="$1" name="$2"
  shift 2
  # ip netns exec itself, not through in_ns: a function run with & is a
  # subshell, whose PID stop_pids would kill, leaving the server running.
  ip netns exec "$ns" "$out/testserver" --port 0 --ca-out "$work/$name.ca" \
    --port-file "$work/$name.port" "$@" > "$work/$name.log" 2>&1 &
  pids+=("$!")
  started "$work/$name.port" "$work/$name.log"
}
start_in "$ns_o" origin --bind 10.77.2.2 --name origin.test --alpn http/1.1 ||
  bail "the origin listens in $ns_o"
start_in "$ns_p" proxy --proxy --bind 10.77.1.2 --alpn http/1.1 --map origin.test=10.77.2.2 ||
  bail "the proxy listens in $ns_p"
start_in "$ns_p" h2proxy --proxy --bind 10.77.1.2 --alpn h2 --map origin.test=10.77.2.2 ||
  bail "the HTTP/2 proxy listens in $ns_p"
start_in "$ns_o" origin12 --bind 10.77.2.2 --name origin.test --alpn http/1.1 --tls12 ||
  bail "the TLS 1.2 origin listens in $ns_o"
start_in "$ns_p" proxy12 --proxy --bind 10.77.1.2 --alpn http/1.1 --tls12 \
  --map origin.test=10.77.2.2 || bail "the TLS 1.2 proxy listens in $ns_p"
origin_port=$(cat "$work/origin.port")
proxy_port=$(cat "$work/proxy.port")
url="https://origin.test:$origin_port/bytes/100"
proxy="https://10.77.1.2:$proxy_port"
h2proxy="https://10.77.1.2:$(cat "$work/h2proxy.port")"
url12="https://origin.test:$(cat "$work/origin12.port")/bytes/100"
proxy12="https://10.77.1.2:$(cat "$work/proxy12.port")"

# count LABEL command...: runs a cold flow in the client's namespace;
# writes "round_trips wall_ms" to $work/LABEL.count: the client's flights
# the proxy side answered (delay_forwarder.py), so a flight nothing answers
# (an h2 client's GOAWAY at exit) is no round trip.
count() {
  local label="$1"
  shift
  local before after
  before=$(wc -l < "$work/flights")
  in_ns "$ns_c" timeout 30 "$@" > "$work/$label.out" 2> "$work/$label.err" || {
    cat "$work/$label.err"
    return 1
  }
  sleep 0.2  # the last packets through the forwarder (counted ones precede the answer)
  after=$(wc -l < "$work/flights")
  echo "$(sed -n "$((before + 1)),${after}p" "$work/flights" | grep -c '^answered') $(tail -1 "$work/$label.out")" \
    > "$work/$label.count"
}
w=(-w '\n%{time_total}')
# fetch_flow LABEL WHAT PROXY URL fetch-args...; curl_flow LABEL WHAT PROXY URL
fetch_flow() {
  local label="$1" what="$2" px="$3" u="$4"
  shift 4
  check "$what" count "$label" "$fetch" --no-proxy-env -s -S -f -o /dev/null "${w[@]}" -x "$px" \
    --proxy-insecure -k --http1.1 "$@" "$u"
}
curl_flow() {
  check "$2" count "$1" curl -s -S -f -o /dev/null "${w[@]}" --noproxy '' -x "$3" --proxy-insecure \
    -k --http1.1 "$4"
}
fetch_flow fetch "fetch: cold F2" "$proxy" "$url"
fetch_flow optimistic "fetch --proxy-optimistic: cold F2" "$proxy" "$url" --proxy-optimistic
curl_flow curl "curl: cold F2" "$proxy" "$url"
fetch_flow h2 "fetch, HTTP/2 proxy: cold F5" "$h2proxy" "$url" --proxy-protocols h2
fetch_flow h2optimistic "fetch --proxy-optimistic, HTTP/2 proxy: cold F5" "$h2proxy" "$url" \
  --proxy-protocols h2 --proxy-optimistic
fetch_flow tls12 "fetch, TLS 1.2 both hops: cold F2" "$proxy12" "$url12"
fetch_flow tls12optimistic "fetch --proxy-optimistic, TLS 1.2 both hops: cold F2" "$proxy12" \
  "$url12" --proxy-optimistic
curl_flow tls12curl "curl, TLS 1.2 both hops: cold F2" "$proxy12" "$url12"

echo "#"
echo "# client | round trips client<->proxy | wall (s) | target (issue #13)"
for label in fetch optimistic curl h2 h2optimistic tls12 tls12optimistic tls12curl; do
  flights=- wall=-
  [ -s "$work/$label.count" ] && read -r flights wall < "$work/$label.count"
  case "$label" in
    fetch) what="fetch" target=5 ;;
    optimistic) what="fetch --proxy-optimistic" target=4 ;;
    curl) what="curl $(curl --version | awk 'NR==1 {print $2}')" target=- ;;
    h2) what="fetch, proxy speaking h2 (F5)" target=- ;;
    h2optimistic) what="fetch --proxy-optimistic, proxy speaking h2 (F5)" target=- ;;
    tls12) what="fetch, TLS 1.2 both hops (False Start)" target=- ;;
    tls12optimistic) what="fetch --proxy-optimistic, TLS 1.2 both hops" target=- ;;
    tls12curl) what="curl, TLS 1.2 both hops" target=- ;;
  esac
  echo "# $what | $flights | $wall | $target"
done
echo "1..$n"
[ "$failures" -eq 0 ]
