#!/usr/bin/env bash
# Records the NetLog captures the ladder's unit tests draw: each flow's URL
# fetched twice in one run through a fresh test-server proxy (so its first
# request shows the proxy's own TCP connect), the client's NetLog
# (fetch --netlog) and the proxy's (testserver --netlog) side by side.
# F1, F2: HTTP/1.1 to the proxy; F3-F6 as NAME-h2 and NAME-spdy.
# Chains (C2-*, C3-*): one test-server proxy per hop, each speaking its own
# protocol, and each proxy's NetLog as NAME.proxyK.jsonl.
# Usage: tools/fetch/testdata/record.sh OUT_DIR [chains|NAME]   (rewrites the
# *.jsonl here; with "chains" only the chains' captures, with NAME only that one)
set -euo pipefail
out="${1:?usage: record.sh OUT_DIR [chains|NAME]}"
only="${2:-all}"
want() {  # want NAME: whether this run records capture NAME
  [ "$only" = all ] || [ "$only" = "$1" ] || { [ "$only" = chains ] && [ "${1#C}" != "$1" ]; }
}
dst="$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_port() {  # wait_port FILE: until the server wrote its port
  for _ in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.05; done
  echo "record: no port in $1" >&2
  return 1
}
"$out/testserver" --port 0 --port-file "$work/plain.port" --plain > /dev/null 2>&1 &
pids+=("$!")
"$out/testserver" --port 0 --port-file "$work/origin.port" --name origin.test \
  --alpn h2,spdy/3.1,http/1.1 --ca-out "$work/ca.pem" > /dev/null 2>&1 &
pids+=("$!")
wait_port "$work/plain.port"
wait_port "$work/origin.port"
tls_url="https://origin.test:$(cat "$work/origin.port")/bytes/3"
plain_url="http://origin.test:$(cat "$work/plain.port")/bytes/3"

capture() {  # capture NAME fetch-args...
  local name="$1"
  shift
  want "$name" || return 0
  rm -f "$work/proxy.port"
  "$out/testserver" --port 0 --port-file "$work/proxy.port" --proxy --alpn h2,spdy/3.1,http/1.1 \
    --map origin.test=127.0.0.1 --ca-out "$work/pca.pem" --netlog "$dst/$name.proxy.jsonl" \
    > /dev/null 2>&1 &
  local proxy_pid=$!
  wait_port "$work/proxy.port"
  "$out/fetch" --no-proxy-env --stats --netlog "$dst/$name.client.jsonl" \
    -x "https://127.0.0.1:$(cat "$work/proxy.port")" --proxy-cacert "$work/pca.pem" \
    --cacert "$work/ca.pem" "$@" > /dev/null 2> "$work/stats"
  kill "$proxy_pid"
  wait "$proxy_pid" || true
  echo "$name: $(cat "$work/stats")"
}
capture F1 --proxy-protocols http/1.1 "$plain_url" "$plain_url"
capture F2 --proxy-protocols http/1.1 --protocols http/1.1 "$tls_url" "$tls_url"
for proto in h2 spdy/3.1; do
  p=${proto%%/*}
  capture "F3-$p" --proxy-protocols http/1.1 --protocols "$proto" "$tls_url" "$tls_url"
  capture "F4-$p" --proxy-protocols "$proto" "$plain_url" "$plain_url"
  capture "F5-$p" --proxy-protocols "$proto" --protocols http/1.1 "$tls_url" "$tls_url"
  capture "F6-$p" --proxy-protocols "$proto" --protocols "$proto" "$tls_url" "$tls_url"
done
# Three requests at once on a new proxy: the ladder must give each its own
# connection, CONNECT stream and tunnel.
capture F5-h2-parallel --parallel 3 --proxy-protocols h2 --protocols http/1.1 \
  "$tls_url" "$tls_url" "$tls_url"

# capture_chain NAME "ALPN1 ALPN2..." fetch-args...: through a fresh chain of
# proxies, proxy K speaking only ALPN K ("socks5": microsocks, the first
# hop only); the last one maps origin.test.
capture_chain() {
  local name="$1" alpns="$2"
  shift 2
  want "$name" || return 0
  local chain=() chain_pids=() k=0
  : > "$work/chain-ca.pem"
  for alpn in $alpns; do
    k=$((k + 1))
    if [ "$alpn" = socks5 ]; then  # a SOCKS5 first hop: microsocks, no NetLog
      local port
      port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      microsocks -i 127.0.0.1 -p "$port" > /dev/null 2>&1 &
      chain_pids+=("$!")
      sleep 0.2
      chain+=("socks5://127.0.0.1:$port")
      continue
    fi
    rm -f "$work/hop$k.port"
    local map=()
    [ "$k" = "$(echo "$alpns" | wc -w)" ] && map=(--map origin.test=127.0.0.1)
    "$out/testserver" --port 0 --port-file "$work/hop$k.port" --proxy --alpn "$alpn" "${map[@]}" \
      --ca-out "$work/hop$k.pem" --netlog "$dst/$name.proxy$k.jsonl" > /dev/null 2>&1 &
    chain_pids+=("$!")
    wait_port "$work/hop$k.port"
    cat "$work/hop$k.pem" >> "$work/chain-ca.pem"
    chain+=("https://127.0.0.1:$(cat "$work/hop$k.port")")
  done
  "$out/fetch" --no-proxy-env --stats --netlog "$dst/$name.client.jsonl" -x "[${chain[*]}]" \
    --proxy-cacert "$work/chain-ca.pem" --proxy-protocols h2,spdy/3.1,http/1.1 \
    --cacert "$work/ca.pem" "$@" > /dev/null 2> "$work/stats"
  for pid in "${chain_pids[@]}"; do kill "$pid"; wait "$pid" || true; done
  echo "$name: $(cat "$work/stats")"
}
# Two hops: HTTP/1.1 then HTTP/2 to the proxies, SPDY/3.1 to the origin;
# three hops: HTTP/2, SPDY/3.1, HTTP/1.1, then HTTP/2 to the origin.
capture_chain C2-mixed "http/1.1 h2" --protocols spdy/3.1 "$tls_url" "$tls_url"
capture_chain C3-mixed "h2 spdy/3.1 http/1.1" --protocols h2 "$tls_url" "$tls_url"
# http:// through two hops: absolute URI to the last proxy, through a tunnel.
capture_chain C2-forward "h2 http/1.1" "$plain_url" "$plain_url"
# A SOCKS5 first hop (microsocks), then an HTTPS proxy speaking HTTP/2.
capture_chain C2-socks "socks5 h2" --protocols http/1.1 "$tls_url" "$tls_url"
