#!/usr/bin/env bash
# README command 1: install what is missing, build, start the bundled loopback
# test server and fetch from it with cnet's fetch tool, showing what was
# negotiated (-v) and the NetLog counters (--stats).
set -euo pipefail
cd "$(dirname "$0")/.."

bash build/install-deps.sh
bash build/build.sh debug fetch testserver >/dev/null

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

# start NAME ARGS...: a test server on a free port; sets ${NAME}_port.
start() {
  local name="$1"
  shift
  out/debug/testserver --port 0 --port-file "$work/$name.port" "$@" > "$work/$name.log" 2>&1 &
  server_pids+=("$!")
  for _ in $(seq 1 100); do
    [ -s "$work/$name.port" ] && break
    sleep 0.05
  done
  [ -s "$work/$name.port" ] ||
    { echo "demo: the $name server did not start" >&2; cat "$work/$name.log" >&2; exit 1; }
  printf -v "${name}_port" '%s' "$(cat "$work/$name.port")"
}
start origin --name origin.test --ca-out "$work/ca.pem"
start plain --plain
start proxy --proxy --map origin.test=127.0.0.1 --ca-out "$work/proxy-ca.pem"
port=$origin_port

echo "== test server: https://127.0.0.1:$port (CA in $work/ca.pem)"
echo
echo "== fetch -v --stats https://origin.test:$port/  (origin.test resolved to 127.0.0.1)"
out/debug/fetch -v --stats --cacert "$work/ca.pem" --resolve "origin.test:$port:127.0.0.1" \
  "https://origin.test:$port/"
echo
echo "== two URLs in one run"
out/debug/fetch --stats --cacert "$work/ca.pem" "https://127.0.0.1:$port/bytes/16" \
  "https://127.0.0.1:$port/chunked/16" | od -An -tx1 -v | head -4

proxy=(-x "https://127.0.0.1:$proxy_port" --proxy-cacert "$work/proxy-ca.pem" --cacert "$work/ca.pem")
echo
echo "== F1: http:// through the HTTPS proxy, three GETs to two origins (1 TCP, 1 TLS: jump to step 9)"
out/debug/fetch --stats "${proxy[@]}" "http://origin.test:$plain_port/bytes/4" \
  "http://127.0.0.1:$plain_port/bytes/4" "http://origin.test:$plain_port/bytes/4" | od -An -tx1 -v
echo
echo "== F2: https:// through the HTTPS proxy, two GETs (1 TCP, 2 TLS, 1 tunnel: jump to step 19)"
out/debug/fetch -v --stats "${proxy[@]}" "https://origin.test:$port/bytes/4" \
  "https://origin.test:$port/bytes/4" 2>&1 >/dev/null | grep -E '^\*|^\{'
