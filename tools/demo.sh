#!/usr/bin/env bash
# README command 1: the six flows of the SPDY proxy examples (docs/flows.md),
# performed by cnet's fetch through the bundled test server and drawn as
# ladder diagrams from the NetLogs of both sides.
#
#   tools/demo.sh [debug|release]
#       installs what is missing (build/install-deps.sh), builds fetch,
#       testserver and ladder (out/<config>, or $CNET_OUT), starts on
#       127.0.0.1 an HTTPS proxy and an HTTPS origin (each offering
#       http/1.1, spdy/3.1 and h2, each writing its NetLog) and a plain HTTP
#       origin, then runs every flow twice in one fetch (the second request
#       shows the reuse: "jump to step 9" / "jump to step 19"):
#         F1, F2       once (HTTP/1.1 to the proxy whatever the pass)
#         F3, F4, F5, F6  once per pass: SPDY/3.1, then HTTP/2
#       It prints each ladder, then a table of the NetLog counters of each
#       flow against what the diagrams allow, and exits 1 if any flow used
#       more (or a fetch failed).
#
#   tools/demo.sh [debug|release] -x https://PROXY:PORT [--proxy-cacert FILE]
#       the same flows through a proxy of your own (it must reach 127.0.0.1,
#       where the demo's origins listen). Without that proxy's NetLog its own
#       steps (10-12, 13-14) are drawn as "(not observed: proxy side)".
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,/^set -e/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

config=debug
user_proxy=""
user_proxy_ca=""
while [ $# -gt 0 ]; do
  case "$1" in
    debug | release) config="$1" ;;
    -x | --proxy) [ $# -ge 2 ] || usage; user_proxy="$2"; shift ;;
    --proxy-cacert) [ $# -ge 2 ] || usage; user_proxy_ca="$2"; shift ;;
    -h | --help) usage ;;
    *) echo "demo: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
case "$user_proxy" in
  "" | https://*) ;;
  *) echo "demo: -x needs an https:// proxy URL (the flows are HTTPS-proxy flows)" >&2; exit 2 ;;
esac
[ -z "$user_proxy_ca" ] || [ -r "$user_proxy_ca" ] ||
  { echo "demo: cannot read --proxy-cacert $user_proxy_ca" >&2; exit 2; }

bash build/install-deps.sh
bash build/build.sh "$config" fetch testserver ladder >/dev/null
out="${CNET_OUT:-out/$config}"

work=$(mktemp -d)
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME ARGS...: a test server on a free loopback port; sets ${NAME}_port.
start() {
  local name="$1"
  shift
  "$out/testserver" --port 0 --port-file "$work/$name.port" "$@" > "$work/$name.log" 2>&1 &
  server_pids+=("$!")
  for _ in $(seq 1 100); do
    [ -s "$work/$name.port" ] && break
    sleep 0.05
  done
  [ -s "$work/$name.port" ] ||
    { echo "demo: the $name server did not start" >&2; cat "$work/$name.log" >&2; exit 1; }
  printf -v "${name}_port" '%s' "$(cat "$work/$name.port")"
}

all_alpn=(--alpn h2,spdy/3.1,http/1.1)
start plain --plain --netlog "$work/plain.netlog.jsonl"
start origin --name origin.test "${all_alpn[@]}" --ca-out "$work/ca.pem" \
  --netlog "$work/origin.netlog.jsonl"
proxy_netlog=""
if [ -z "$user_proxy" ]; then
  start proxy --proxy "${all_alpn[@]}" --map origin.test=127.0.0.1 --ca-out "$work/proxy-ca.pem" \
    --netlog "$work/proxy.netlog.jsonl"
  proxy_url="https://127.0.0.1:$proxy_port"
  proxy_ca="$work/proxy-ca.pem"
  proxy_netlog="$work/proxy.netlog.jsonl"
  # The test proxy maps origin.test to 127.0.0.1 itself.
  origin_host=origin.test
else
  proxy_url="$user_proxy"
  proxy_ca="$user_proxy_ca"
  # Another proxy knows no origin.test: the origins by address (their
  # certificates name 127.0.0.1 too).
  origin_host=127.0.0.1
fi
tls_url="https://$origin_host:$origin_port/bytes/3"
plain_url="http://$origin_host:$plain_port/bytes/3"

proxy_args=(-x "$proxy_url" --cacert "$work/ca.pem" --no-proxy-env)
[ -n "$proxy_ca" ] && proxy_args+=(--proxy-cacert "$proxy_ca")

live_trace=false
"$out/fetch" --help 2>&1 | grep -q -- '--trace' && live_trace=true

echo "== cnet demo: the six flows of docs/flows.md"
echo "   proxy  $proxy_url${proxy_netlog:+ (test server, NetLog $proxy_netlog)}"
echo "   origin https://$origin_host:$origin_port (http/1.1, spdy/3.1, h2), http://$origin_host:$plain_port"
if $live_trace; then
  echo "   ladders by: fetch --trace ladder${proxy_netlog:+ --trace-proxy-netlog FILE}"
else
  echo "   ladders by: fetch --netlog FILE, then $out/ladder CLIENT.jsonl [PROXY.jsonl...]"
fi

# What the diagrams allow for two requests of one URL, the second reusing
# what the first built: tcp_connects tls_handshakes tunnels sessions streams.
# Streams: the requests' streams plus, for F5/F6, the CONNECT stream.
declare -A budget=(
  [F1]="1 1 0 0 0" [F2]="1 2 1 0 0" [F3]="1 2 1 1 2"
  [F4]="1 1 0 1 2" [F5]="1 2 1 1 1" [F6]="1 2 1 2 3"
)
counters=(tcp_connects tls_handshakes tunnels sessions streams)
rows=()
status=0

# counter NAME JSON: a counter's value in a --stats line.
counter() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<< "$2"; }

# flow FLOW LABEL fetch-args...: fetches the URL twice in one run, prints the
# ladder, and adds the flow's row to the table.
flow() {
  local name="$1" label="$2"
  shift 2
  echo
  echo "==== $name over $label"
  local err="$work/fetch.err" rc=0
  if $live_trace; then
    timeout 60 "$out/fetch" --stats --trace ladder ${proxy_netlog:+--trace-proxy-netlog "$proxy_netlog"} \
      "${proxy_args[@]}" -o /dev/null "$@" > /dev/null 2> "$err" || rc=$?
    grep -v '^{"tcp_connects"' "$err" || true
  else
    timeout 60 "$out/fetch" --stats --netlog "$work/client.jsonl" "${proxy_args[@]}" "$@" \
      > /dev/null 2> "$err" || rc=$?
    "$out/ladder" "$work/client.jsonl" $proxy_netlog || rc=1
    grep -v '^{"tcp_connects"' "$err" || true
  fi
  local stats
  stats=$(grep '^{"tcp_connects"' "$err" | tail -1 || true)
  local row verdict=ok
  row=$(printf '%-4s %-40s' "$name" "$label")
  read -r -a allowed <<< "${budget[$name]}"
  for i in "${!counters[@]}"; do
    local used
    used=$(counter "${counters[$i]}" "$stats")
    [ -n "$used" ] || used="?"
    row+=$(printf ' %5s/%-3s' "$used" "${allowed[$i]}")
    if [ "$used" = "?" ] || [ "$used" -gt "${allowed[$i]}" ]; then
      verdict="OVER BUDGET"
    fi
  done
  if [ "$rc" -ne 0 ]; then
    verdict="FAILED (fetch exit $rc)"
  fi
  [ "$verdict" = ok ] || status=1
  rows+=("$row  $verdict")
}

flow F1 "http/1.1 to the proxy (absolute URI)" --proxy-protocols http/1.1 "$plain_url" "$plain_url"
flow F2 "http/1.1 to the proxy, http/1.1 inside" --proxy-protocols http/1.1 --protocols http/1.1 \
  "$tls_url" "$tls_url"
for proto in spdy/3.1 h2; do
  flow F3 "http/1.1 to the proxy, $proto inside" --proxy-protocols http/1.1 --protocols "$proto" \
    "$tls_url" "$tls_url"
  flow F4 "$proto to the proxy (http:// URL)" --proxy-protocols "$proto" "$plain_url" "$plain_url"
  flow F5 "$proto to the proxy, http/1.1 inside" --proxy-protocols "$proto" --protocols http/1.1 \
    "$tls_url" "$tls_url"
  flow F6 "$proto to the proxy, $proto inside" --proxy-protocols "$proto" --protocols "$proto" \
    "$tls_url" "$tls_url"
done

echo
echo "==== NetLog counters per flow (two requests each): used/allowed by the diagram"
printf '%-4s %-40s' flow "protocols"
printf ' %7s  ' tcp tls tunnels session streams
echo
for row in "${rows[@]}"; do
  echo "$row"
done
if [ "$status" -ne 0 ]; then
  echo "demo: a flow used more than its diagram allows, or failed (see above)" >&2
else
  echo "every flow stayed within its diagram: the second request of each reused what the first built"
fi
exit "$status"
