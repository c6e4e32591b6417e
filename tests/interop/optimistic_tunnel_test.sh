#!/usr/bin/env bash
# shellcheck disable=SC2154  # the peers' ports are set by bench/peers.sh
# The optimistic tunnel (fetch --proxy-optimistic, issue #13) against real
# HTTP/1.1 CONNECT proxies: squid (http_port and https_port) and nghttpx
# (--http2-proxy, spoken to over HTTP/1.1) in front of squid, to nginx
# (bench/peers.sh starts them on free loopback ports). Each check fetches
# with the origin's ClientHello sent right behind the CONNECT and compares
# the body; a CONNECT squid refuses (403, a port not in its SSL_ports) must
# give the same exit status and error line as without --proxy-optimistic.
# The NetLog shows that the tunnel went up before the answer: the TLS
# handshake to the origin begins before HTTP_TUNNEL_CONNECT ends.
# Over HTTP/2 (nghttpx, cnet's test server) and SPDY/3.1 (the test server)
# the ClientHello goes as DATA on the CONNECT stream right behind its
# HEADERS; the same checks apply, and a refusal (squid's 403 passed on by
# nghttpx; the test server's answer to a CONNECT to a closed port) gives the
# same exit status and error line with and without the option.
#
# Usage: tests/interop/optimistic_tunnel_test.sh OUT_DIR (needs fetch)
# Prints TAP lines; exits non-zero if a check failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
suite_setup optimistic "${1:-out/debug}"
pids=()
trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT
suite_context() {
  local f
  for f in "$work/squid/cache.log" "$work/nghttpx.err" "$work/nginx/error.log"; do
    [ -s "$f" ] && { echo "--- ${f#"$work"/} (tail)"; tail -5 "$f"; }
  done
}
[ -x "$fetch" ] || bail "fetch is built in $out"
big_bytes=$((4 * 1024 * 1024))
# shellcheck source=bench/peers.sh
. "$here/../../bench/peers.sh"

res=(--resolve "origin.test:*:127.0.0.1" --cacert "$ca" --proxy-cacert "$ca" --http1.1)
h1="https://origin.test:$h1_port"

fetch_1k() {  # fetch_1k fetch-args...: the body is /1k, and a NetLog in $work/netlog
  run_fetch --netlog "$work/netlog" "${res[@]}" "$@" "$h1/1k" || return 1
  cmp -s "$work/body" "$www/1k" || { echo "body differs from /1k ($(wc -c < "$work/body") bytes)"; return 1; }
}

# went_optimistic: in $work/netlog the origin's TLS handshake began before
# the tunnel's CONNECT was answered (SSL_CONNECT BEGIN for the origin before
# HTTP_TUNNEL_CONNECT END); without --proxy-optimistic it is the other way.
tls_before_answer() {
  python3 - "$work/netlog" <<'PY'
import json, sys
order = []
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    t, ph = e.get("type"), e.get("phase")
    p = e.get("params") or {}
    if t == "HTTP_TUNNEL_CONNECT" and ph == "END":
        order.append("answer")
    elif t == "SSL_CONNECT" and ph == "BEGIN" and p.get("host") == "origin.test":
        order.append("tls")
sys.exit(0 if order[:2] == ["tls", "answer"] else 1)
PY
}
expect_optimistic() { tls_before_answer || { echo "the origin's TLS began after the CONNECT's answer"; return 1; }; }
expect_waited() { ! tls_before_answer || { echo "the origin's TLS began before the CONNECT's answer"; return 1; }; }

check "squid http_port: CONNECT, optimistic, body intact" \
  fetch_1k --proxy-optimistic -x "http://127.0.0.1:$squid_port"
check "squid http_port: the origin's ClientHello left before the 200" expect_optimistic
check "squid http_port: without --proxy-optimistic the 200 comes first" \
  fetch_1k -x "http://127.0.0.1:$squid_port"
check "squid http_port: (NetLog) waited for the answer" expect_waited
check "squid https_port: F2, optimistic, body intact" \
  fetch_1k --proxy-optimistic -x "https://127.0.0.1:$squid_tls_port"
check "squid https_port: the origin's ClientHello left before the 200" expect_optimistic
check "nghttpx over HTTP/1.1 (-> squid): F2, optimistic, body intact" \
  fetch_1k --proxy-optimistic -x "https://127.0.0.1:$nghttpx_port" --proxy-protocols http/1.1
check "nghttpx: the origin's ClientHello left before the 200" expect_optimistic

check "nghttpx over HTTP/2 (-> squid): F5, optimistic, body intact" \
  fetch_1k --proxy-optimistic -x "https://127.0.0.1:$nghttpx_port" --proxy-protocols h2
check "nghttpx over HTTP/2: the ClientHello went as DATA before the 200" expect_optimistic
check "nghttpx over HTTP/2: without --proxy-optimistic the 200 comes first" \
  fetch_1k -x "https://127.0.0.1:$nghttpx_port" --proxy-protocols h2
check "nghttpx over HTTP/2: (NetLog) waited for the answer" expect_waited

# refused: fetch-args...: squid refuses the CONNECT (a port outside
# SSL_ports); with and without --proxy-optimistic the exit status and the
# error line are the same. $url overrides the target.
refused() {
  local url="${url:-https://origin.test:$plain_port/1k}" rc1 rc2
  timeout 30 "$fetch" --no-proxy-env -s -S "${res[@]}" "$@" "$url" > /dev/null 2> "$work/plain.err"
  rc1=$?
  timeout 30 "$fetch" --no-proxy-env -s -S "${res[@]}" --proxy-optimistic "$@" "$url" > /dev/null \
    2> "$work/opt.err"
  rc2=$?
  [ "$rc1" -ne 0 ] || { echo "the CONNECT was not refused"; return 1; }
  [ "$rc1" = "$rc2" ] || { echo "exit $rc1 without, $rc2 with --proxy-optimistic"; cat "$work/plain.err" "$work/opt.err"; return 1; }
  diff "$work/plain.err" "$work/opt.err" || { echo "the error lines differ (above)"; return 1; }
  grep -q ERR_TUNNEL_CONNECTION_FAILED "$work/opt.err" || { cat "$work/opt.err"; return 1; }
}
check "squid http_port refuses (403): the same error with and without" \
  refused -x "http://127.0.0.1:$squid_port"
check "squid https_port refuses (403): the same error with and without" \
  refused -x "https://127.0.0.1:$squid_tls_port"
check "nghttpx over HTTP/1.1 passes squid's refusal: the same error with and without" \
  refused -x "https://127.0.0.1:$nghttpx_port" --proxy-protocols http/1.1
check "nghttpx over HTTP/2 passes squid's refusal: the same error with and without" \
  refused -x "https://127.0.0.1:$nghttpx_port" --proxy-protocols h2

# cnet's test server as the HTTPS proxy (SPDY/3.1 and HTTP/2) and the
# origin.
mux=(--alpn h2,spdy/3.1,http/1.1)
start_server ts_origin --name origin.test "${mux[@]}"
start_server ts_proxy --proxy "${mux[@]}" --map origin.test=127.0.0.1
ts=(-x "https://127.0.0.1:$ts_proxy_port" --proxy-cacert "$work/ts_proxy.ca"
  --cacert "$work/ts_origin.ca" --resolve "origin.test:*:127.0.0.1")
ts_fetch() {  # ts_fetch fetch-args...: /bytes/5000 from the test server's origin
  timeout 30 "$fetch" --no-proxy-env -s -S --netlog "$work/netlog" "${ts[@]}" "$@" \
    "https://origin.test:$ts_origin_port/bytes/5000" > "$work/body" 2> "$work/err" ||
    { cat "$work/err"; return 1; }
  [ "$(wc -c < "$work/body")" -eq 5000 ] || { echo "$(wc -c < "$work/body") bytes, not 5000"; return 1; }
}
ts_refused() {  # ts_refused proto: a CONNECT to a closed port, with and without the option
  local closed rc1 rc2
  closed=$(free_ports 1)
  timeout 30 "$fetch" --no-proxy-env -s -S "${ts[@]}" --proxy-protocols "$1" \
    "https://origin.test:$closed/" > /dev/null 2> "$work/plain.err"
  rc1=$?
  timeout 30 "$fetch" --no-proxy-env -s -S "${ts[@]}" --proxy-protocols "$1" --proxy-optimistic \
    "https://origin.test:$closed/" > /dev/null 2> "$work/opt.err"
  rc2=$?
  [ "$rc1" -ne 0 ] || { echo "the CONNECT was not refused"; return 1; }
  [ "$rc1" = "$rc2" ] || { echo "exit $rc1 without, $rc2 with --proxy-optimistic"; cat "$work/plain.err" "$work/opt.err"; return 1; }
  diff "$work/plain.err" "$work/opt.err" || { echo "the error lines differ (above)"; return 1; }
  grep -q "ERR_TUNNEL_CONNECTION_FAILED from proxy" "$work/opt.err" || { cat "$work/opt.err"; return 1; }
}
for proto in spdy/3.1 h2; do
  check "test server over $proto: optimistic, body intact" \
    ts_fetch --proxy-optimistic --proxy-protocols "$proto"
  check "test server over $proto: the ClientHello went as DATA before the 200" expect_optimistic
  check "test server over $proto: without --proxy-optimistic the 200 comes first" \
    ts_fetch --proxy-protocols "$proto"
  check "test server over $proto: (NetLog) waited for the answer" expect_waited
  check "test server over $proto refuses: the same error with and without" ts_refused "$proto"
done

echo "1..$n"
[ "$failures" -eq 0 ]
