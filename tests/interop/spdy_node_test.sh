#!/usr/bin/env bash
# shellcheck disable=SC2154  # the ${name}_port variables are set by printf -v
# Interop with a real SPDY/3.1 peer: node-spdy 4.0.2 (spdy-transport 3.0.0)
# on the machine's Node.js. Installs the pinned packages into
# tests/interop/spdy/node_modules (npm ci, when missing or stale), makes a CA
# and two leaves with openssl (proxy.test; origin.test and origin2.test), and
# starts in a private temp dir, on free 127.0.0.1 ports:
#   origin A, origin B   tests/interop/spdy/origin.js: TLS with ALPN spdy/3.1
#                        or http/1.1, and plain HTTP/1.1 (A and B answer
#                        /whoami with their name)
#   proxy                tests/interop/spdy/proxy.js: a SPDY/3.1-only HTTPS
#                        proxy: GET http://... forwarded over HTTP/1.1 (F4),
#                        CONNECT on a stream (F5, F6)
#   authproxy            the same with --auth alice:s3cret (Basic, 407 without it)
#   testserver --proxy   cnet's HTTP/1.1 HTTPS proxy, for F3 (when built)
# then drives fetch through them and checks bodies, the exact --stats
# counters, and what the proxy and origins logged.
#
# Usage: tests/interop/spdy_node_test.sh OUT_DIR   (e.g. out/debug; needs fetch,
# and testserver for F3)
# Prints one "ok N - what" / "not ok N - what" line per check (TAP style);
# one "ok 1 - ... # SKIP reason" when node or npm is missing. Exits non-zero
# if a check failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pkg="$here/spdy"
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
suite_setup spdy-node "${1:-out/debug}"
pids=()  # the node servers, killed by PID on exit

cleanup() {
  stop_pids "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

suite_context() {  # the tails of the servers' logs, after a failing check's output
  local f
  for f in proxy authproxy A B; do
    [ -s "$work/$f.log" ] && { echo "--- $f.log (tail)"; tail -8 "$work/$f.log"; }
  done
}

# --- tools and packages ------------------------------------------------------

[ -x "$fetch" ] || bail "fetch is built in $out"
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  skip "node-spdy interop" "node or npm is not installed (build/install-deps.sh installs Node.js)"
  exit 0
fi
command -v openssl > /dev/null || bail "openssl is installed (the suite's certificates)"
command -v sha256sum > /dev/null || bail "sha256sum is installed"

# node_modules is stale when it was not installed from this package-lock.json:
# npm ci records the lockfile's hash in a stamp. flock: two suites (debug,
# asan) may start at once.
lock_sum=$(sha256sum "$pkg/package-lock.json" | cut -d' ' -f1)
install_packages() {
  if [ "$(cat "$pkg/node_modules/.cnet-lock-sha256" 2>/dev/null)" != "$lock_sum" ]; then
    (cd "$pkg" && timeout 300 npm ci --no-audit --no-fund) &&
      echo "$lock_sum" > "$pkg/node_modules/.cnet-lock-sha256"
  fi
}
{
  if command -v flock > /dev/null; then
    exec 9> "$pkg/.npm-ci.lock"
    flock 9
  fi
  install_packages
  rc=$?
  exec 9>&-
  [ "$rc" -eq 0 ]
} > "$work/setup.log" 2>&1 || bail "npm ci installs the pinned node-spdy into $pkg/node_modules"

versions=$(cd "$pkg" && node -p \
  "require('spdy/package.json').version + ' ' + require('spdy-transport/package.json').version" 2>&1)
node_version=$(node --version)
check "node-spdy 4.0.2 and spdy-transport 3.0.0 installed (Node.js $node_version)" \
  test "$versions" = "4.0.2 3.0.0"

# --- certificates: one CA, a leaf for the proxy, one for both origins --------

make_certs() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/O=cnet/CN=cnet spdy interop CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem" || return 1
  local leaf san
  for leaf in proxy origin; do
    san="DNS:proxy.test"
    [ "$leaf" = origin ] && san="DNS:origin.test,DNS:origin2.test"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$leaf.test" \
      -keyout "$work/$leaf.key" -out "$work/$leaf.csr" &&
      printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san" \
        > "$work/$leaf.ext" &&
      openssl x509 -req -in "$work/$leaf.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
        -CAcreateserial -days 2 -extfile "$work/$leaf.ext" -out "$work/$leaf.pem" || return 1
  done
}
make_certs > "$work/setup.log" 2>&1 || bail "openssl makes the CA and the proxy and origin certificates"

# --- servers ------------------------------------------------------------------

wait_files() {  # wait_files PID FILE...: until every FILE is non-empty (10 s), or PID exits
  local pid="$1" f ready
  shift
  for _ in $(seq 1 200); do
    ready=1
    for f in "$@"; do [ -s "$f" ] || ready=0; done
    [ "$ready" -eq 1 ] && return 0
    kill -0 "$pid" 2> /dev/null || return 1
    sleep 0.05
  done
  return 1
}

start_node() {  # start_node NAME script args...: sets ${X}_port for each $work/X.port in args
  local name="$1" script="$2" f want=()
  shift 2
  node --no-deprecation "$pkg/$script" "$@" > "$work/$name.out" 2> "$work/$name.log" &
  pids+=("$!")
  for f in "$@"; do
    case "$f" in "$work"/*.port) want+=("$f") ;; esac
  done
  wait_files "$!" "${want[@]}" ||
    { cat "$work/$name.out" "$work/$name.log" > "$work/setup.log"; bail "$script ($name) starts"; }
  for f in "${want[@]}"; do
    printf -v "$(basename "$f" .port)_port" '%s' "$(cat "$f")"
  done
}

start_node A origin.js --name A --cert "$work/origin.pem" --key "$work/origin.key" \
  --tls-port-file "$work/A.port" --plain-port-file "$work/Aplain.port"
start_node B origin.js --name B --cert "$work/origin.pem" --key "$work/origin.key" \
  --tls-port-file "$work/B.port" --plain-port-file "$work/Bplain.port"
start_node proxy proxy.js --cert "$work/proxy.pem" --key "$work/proxy.key" \
  --port-file "$work/proxy.port" --map origin.test=127.0.0.1 --map origin2.test=127.0.0.1
start_node authproxy proxy.js --cert "$work/proxy.pem" --key "$work/proxy.key" \
  --port-file "$work/authproxy.port" --map origin.test=127.0.0.1 --auth alice:s3cret

# The seed's F3 needs an HTTP/1.1 HTTPS proxy: cnet's own testserver, when built.
h1proxy_port=""
if [ -x "$out/testserver" ]; then
  start_server h1proxy --proxy --map origin.test=127.0.0.1
fi

A="https://origin.test:$A_port"
B="https://origin2.test:$B_port"
PA="http://origin.test:$Aplain_port"
PB="http://origin2.test:$Bplain_port"
# fetch's options for each flow. The proxy speaks spdy/3.1 only (ALPN).
proxy=(-x "https://proxy.test:$proxy_port" --proxy-cacert "$work/ca.pem"
  --resolve "proxy.test:$proxy_port:127.0.0.1" --proxy-protocols spdy/3.1 --cacert "$work/ca.pem")
authproxy=(-x "https://proxy.test:$authproxy_port" --proxy-cacert "$work/ca.pem"
  --resolve "proxy.test:$authproxy_port:127.0.0.1" --proxy-protocols spdy/3.1 --cacert "$work/ca.pem")
direct=(--cacert "$work/ca.pem" --resolve "origin.test:$A_port:127.0.0.1" --protocols spdy/3.1)

# Expected bodies: byte i of /bytes/N is (i*31+7)&0xff (period 256), up to 20 MB.
python3 -c '
import sys
block = bytes(((i * 31 + 7) & 0xff) for i in range(256))
sys.stdout.buffer.write(block * (20000000 // 256) + block[:20000000 % 256])' > "$work/pattern" ||
  bail "python3 writes the expected body pattern"
# An upload larger than SPDY/3.1's initial 64 KB stream window; base64 since
# fetch takes -d DATA on the command line.
head -c 75000 /dev/urandom | base64 -w0 > "$work/upload"

# --- helpers --------------------------------------------------------------------

log_mark() {  # log_mark: remember where each server log ends
  local f
  for f in proxy authproxy A B; do printf -v "mark_$f" '%s' "$(wc -l < "$work/$f.log")"; done
}

new_log() {  # new_log NAME: the lines NAME logged since log_mark
  local m="mark_$1"
  tail -n "+$((${!m} + 1))" "$work/$1.log"
}

sanitizer_clean() {  # an ASan/UBSan build's report in $work/err fails the check
  ! grep -qE '^(==[0-9]+==ERROR: |SUMMARY: [A-Za-z]+Sanitizer|.*runtime error: )' "$work/err" || {
    echo "sanitizer report from fetch:"
    head -40 "$work/err"
    return 1
  }
}

fetch_ok() {  # fetch_ok fetch-args...: lib.sh's run_fetch after log_mark; no sanitizer report
  log_mark
  run_fetch "$@" && sanitizer_clean
}

expect_parts() {  # expect_parts PART...: $work/body is the PARTs in turn: @N = N pattern bytes, else text (printf %b)
  local part
  : > "$work/want"
  for part in "$@"; do
    case "$part" in
      @*) head -c "${part#@}" "$work/pattern" >> "$work/want" ;;
      *) printf '%b' "$part" >> "$work/want" ;;
    esac
  done
  cmp -s "$work/want" "$work/body" || {
    echo "body differs: want $(wc -c < "$work/want") bytes ($*), got $(wc -c < "$work/body")"
    cmp "$work/want" "$work/body" 2>&1 | head -2
    return 1
  }
}

expect_log() {  # expect_log NAME COUNT REGEX: NAME logged COUNT matching lines since log_mark
  local got
  got=$(new_log "$1" | grep -cE "$3")
  [ "$got" -eq "$2" ] || {
    echo "$1.log: want $2 lines matching /$3/, got $got:"
    new_log "$1"
    return 1
  }
}

fetch_counts() {  # fetch_counts "N..." "key=value..." fetch-args...: bodies exact, counters exact
  local lens="$1" stats="$2"
  shift 2
  fetch_ok --stats "$@" || return 1
  local parts=() len
  for len in $lens; do parts+=("@$len"); done
  # shellcheck disable=SC2086  # $stats is a list
  expect_parts "${parts[@]}" && expect_stats $stats
}

upload_echoed() {  # upload_echoed fetch-args... URL/echo: the upload comes back byte for byte
  fetch_ok "$@" -d "$(cat "$work/upload")" || return 1
  cmp "$work/upload" "$work/body" || { echo "echo differs: sent $(wc -c < "$work/upload"), got $(wc -c < "$work/body")"; return 1; }
}

not_found() {  # not_found fetch-args... URL/nope: fetch shows the 404 head and the origin's body
  fetch_ok -v "$@" || return 1
  grep -q '^< HTTP/1.1 404 ' "$work/err" || { echo "no 404 status line:"; cat "$work/err"; return 1; }
  expect_parts 'no route for /nope\n'
}

fetch_fails() {  # fetch_fails ERR_NAME fetch-args...
  local err="$1"
  shift
  log_mark
  if timeout 30 "$fetch" --no-proxy-env "$@" > "$work/body" 2> "$work/err"; then
    echo "fetch $(printf '%.100s ' "$@")succeeded; want $err"
    return 1
  fi
  grep -q "$err" "$work/err" || { echo "want $err, got:"; cat "$work/err"; return 1; }
  sanitizer_clean
}

# --- F4: GET http://... as SYN_STREAMs on one SPDY/3.1 session to the proxy ----

f4_two_origins() {
  fetch_ok --stats "${proxy[@]}" "$PA/bytes/1000" "$PB/bytes/2000" "$PA/bytes/3000" &&
    expect_parts @1000 @2000 @3000 &&
    expect_stats tcp_connects=1 tls_handshakes=1 tunnels=0 sessions=1 streams=3 requests=3 &&
    expect_log proxy 1 '^session [0-9]+ alpn spdy/3.1$' &&
    expect_log proxy 3 "^session [0-9]+ stream [135] GET http://origin2?.test:[0-9]+/bytes/[0-9]+ -> 200$" &&
    expect_log A 2 '^A http/1.1 GET /bytes/' && expect_log B 1 '^B http/1.1 GET /bytes/2000$'
}
check "F4 over spdy/3.1: 3 http:// GETs to 2 origins: 1 TCP, 1 TLS, 1 session, 3 streams (jump to step 9)" \
  f4_two_origins
parallel_one_session() {  # parallel_one_session "key=value..." fetch-args... URL-PREFIX: 24 GETs, 8 at a time
  local stats="$1" urls=() parts=() i
  shift
  local prefix="${*: -1}"
  for i in $(seq 1 24); do
    urls+=("$prefix/bytes/$((i * 1000))")
    parts+=("@$((i * 1000))")
  done
  fetch_ok --stats "${@:1:$#-1}" --parallel 8 "${urls[@]}" || return 1
  expect_parts "${parts[@]}" || return 1
  # shellcheck disable=SC2086  # $stats is a list
  expect_stats $stats
}
check "F4 over spdy/3.1: 24 GETs 8 at a time wait for the first connection's session: 1 TCP, 24 streams" \
  parallel_one_session "tcp_connects=1 tls_handshakes=1 sessions=1 streams=24 requests=24" \
  "${proxy[@]}" "$PA"
check "F4 over spdy/3.1: a 1 MB body is exact" \
  fetch_counts 1000000 "tcp_connects=1 sessions=1 streams=1" "${proxy[@]}" "$PA/bytes/1000000"
check "F4 over spdy/3.1: a chunked upstream body (no content-length) ends at the stream's FIN" \
  fetch_counts "300000 10" "tcp_connects=1 sessions=1 streams=2" "${proxy[@]}" \
  "$PA/chunked/300000" "$PB/bytes/10"
check "F4 over spdy/3.1: POST /echo, 100 kB (> the 64 kB stream window) comes back intact" \
  upload_echoed "${proxy[@]}" "$PA/echo"
check "F4 over spdy/3.1: the origin's 404 is surfaced" not_found "${proxy[@]}" "$PB/nope"

# --- F5: CONNECT on a stream, TLS and HTTP/1.1 to the origin inside it ----------

f5_one_tunnel() {
  fetch_ok --stats "${proxy[@]}" --protocols http/1.1 "$A/whoami" "$A/bytes/2000" &&
    expect_parts 'A http/1.1 GET\n' @2000 &&
    expect_stats tcp_connects=1 tls_handshakes=2 tunnels=1 sessions=1 requests=2 &&
    expect_log proxy 1 "^session [0-9]+ stream 1 CONNECT origin.test:$A_port -> 200$" &&
    expect_log A 2 '^A http/1.1 GET /(whoami|bytes/2000)$'
}
check "F5 over spdy/3.1: 2 https:// GETs through one CONNECT stream: 1 TCP, 2 TLS, 1 tunnel (jump to step 19)" \
  f5_one_tunnel
check "F5 over spdy/3.1: a 1 MB body is exact" \
  fetch_counts 1000000 "tcp_connects=1 tls_handshakes=2 tunnels=1" "${proxy[@]}" --protocols http/1.1 \
  "$A/bytes/1000000"
check "F5 over spdy/3.1: POST /echo, 100 kB, comes back intact" \
  upload_echoed "${proxy[@]}" --protocols http/1.1 "$A/echo"
check "F5 over spdy/3.1: the origin's 404 is surfaced" not_found "${proxy[@]}" --protocols http/1.1 "$A/nope"
f5_origin_closes() {  # the origin's FIN comes back as the stream's FIN: a new tunnel, same session
  fetch_ok --stats "${proxy[@]}" --protocols http/1.1 "$A/close" "$A/bytes/10" &&
    expect_parts closed @10 &&
    expect_stats tcp_connects=1 tls_handshakes=3 tunnels=2 sessions=1 requests=2 &&
    expect_log proxy 2 "^session [0-9]+ stream [13] CONNECT origin.test:$A_port -> 200$"
}
check "F5 over spdy/3.1: the origin closes its connection: the next GET takes a new tunnel on the same session" \
  f5_origin_closes
cut_mid_body() {  # cut_mid_body fetch-args...: 5000 of 10000 bytes arrive, then the request fails
  fetch_fails 'ERR_[A-Z0-9_]* .* while reading the body of' "$@" && expect_parts @5000
}
check "F4 over spdy/3.1: the origin's TCP reset mid-body becomes RST_STREAM: an error after 5000 bytes" \
  cut_mid_body "${proxy[@]}" "$PA/abort"
check "F5 over spdy/3.1: the origin's TCP reset mid-body resets the CONNECT stream: an error after 5000 bytes" \
  cut_mid_body "${proxy[@]}" --protocols http/1.1 "$A/abort"
f5_refused() {  # nothing listens on the target port: the proxy answers 502
  local dead
  dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  fetch_fails ERR_TUNNEL_CONNECTION_FAILED "${proxy[@]}" "https://origin.test:$dead/" &&
    expect_log proxy 1 "CONNECT origin.test:$dead -> 502 \(ECONNREFUSED\)$"
}
check "F5 over spdy/3.1: SYN_REPLY 502 to CONNECT is ERR_TUNNEL_CONNECTION_FAILED" f5_refused

# --- F6: CONNECT on a stream, SPDY/3.1 to the origin inside it -----------------

f6_one_tunnel() {
  fetch_ok --stats "${proxy[@]}" --protocols spdy/3.1 "$A/whoami" "$A/bytes/2000" &&
    expect_parts 'A spdy/3.1 GET\n' @2000 &&
    expect_stats tcp_connects=1 tls_handshakes=2 tunnels=1 sessions=2 streams=3 requests=2 &&
    expect_log proxy 1 "^session [0-9]+ stream 1 CONNECT origin.test:$A_port -> 200$" &&
    expect_log A 2 '^A spdy/3.1 GET /(whoami|bytes/2000)$'
}
check "F6: spdy/3.1 inside the spdy/3.1 tunnel, 2 GETs: 1 TCP, 2 TLS, 2 sessions, 1 tunnel" f6_one_tunnel
check "F6: 24 GETs 8 at a time: 1 TCP, 1 tunnel, 24 streams of the inner session + the CONNECT stream" \
  parallel_one_session "tcp_connects=1 tls_handshakes=2 tunnels=1 sessions=2 streams=25 requests=24" \
  "${proxy[@]}" --protocols spdy/3.1 "$A"
check "F5: 24 GETs 8 at a time: the racing tunnel jobs wait for one proxy session: 1 TCP connect" \
  parallel_one_session "tcp_connects=1 sessions=1 requests=24" \
  "${proxy[@]}" --protocols http/1.1 "$A"
check "F6: a 1 MB body is exact" \
  fetch_counts 1000000 "tcp_connects=1 tls_handshakes=2 tunnels=1 sessions=2 streams=2" \
  "${proxy[@]}" --protocols spdy/3.1 "$A/bytes/1000000"
check "F6: a 20 MB body is exact (past cnet's 6 MB stream and 15 MB session windows: its WINDOW_UPDATEs reach node-spdy)" \
  fetch_counts 20000000 "tcp_connects=1 tls_handshakes=2 tunnels=1 sessions=2 streams=2" \
  "${proxy[@]}" --protocols spdy/3.1 "$A/bytes/20000000"
check "F6: POST /echo, 100 kB (> the 64 kB windows of both sessions) comes back intact" \
  upload_echoed "${proxy[@]}" --protocols spdy/3.1 "$A/echo"
check "F6: the origin's 404 is surfaced" not_found "${proxy[@]}" --protocols spdy/3.1 "$A/nope"
f6_origin_goaway() {  # the inner session's GOAWAY: node closes its TCP, the proxy ends the stream
  fetch_ok --stats "${proxy[@]}" --protocols spdy/3.1 "$A/goaway" "$A/whoami" "$A/bytes/10" &&
    expect_parts goaway 'A spdy/3.1 GET\n' @10 &&
    expect_stats tcp_connects=1 tls_handshakes=3 tunnels=2 sessions=3 requests=3 &&
    expect_log proxy 2 "^session [0-9]+ stream [13] CONNECT origin.test:$A_port -> 200$"
}
check "F6: the origin's GOAWAY inside the tunnel: the next GETs take a new tunnel on the same proxy session" \
  f6_origin_goaway
second_origin() {  # second_origin PROTO SESSIONS
  fetch_ok --stats "${proxy[@]}" --protocols "$1" "$A/whoami" "$B/whoami" "$A/whoami" &&
    expect_parts "A $1 GET\nB $1 GET\nA $1 GET\n" &&
    expect_stats tcp_connects=1 tls_handshakes=3 tunnels=2 sessions="$2" requests=3 &&
    expect_log proxy 1 "^session [0-9]+ alpn spdy/3.1$" &&
    expect_log proxy 1 "^session [0-9]+ stream 1 CONNECT origin.test:$A_port -> 200$" &&
    expect_log proxy 1 "^session [0-9]+ stream 3 CONNECT origin2.test:$B_port -> 200$"
}
check "F6: a second origin through the same proxy session: +1 tunnel, +1 TLS, no new TCP" \
  second_origin spdy/3.1 3
check "F5: a second origin through the same proxy session: +1 tunnel, +1 TLS, no new TCP" \
  second_origin http/1.1 1

idle_session_pinged() {  # cnet PINGs a session idle for 10 s (its default) before reusing it
  fetch_ok --stats "${proxy[@]}" --protocols spdy/3.1 "$A/whoami" "$B/slow/10300" "$A/whoami" &&
    expect_parts "A spdy/3.1 GET\nslowA spdy/3.1 GET\n" &&
    expect_stats tcp_connects=1 tls_handshakes=3 tunnels=2 sessions=3 streams=5 requests=3 &&
    expect_log A 1 '^A PING$' && expect_log proxy 2 ' CONNECT '
}
check "F6: the origin session, idle for 10 s, answers cnet's PING and is reused (no new tunnel)" \
  idle_session_pinged

# --- proxy authentication (Basic) on the SPDY/3.1 proxy -------------------------

check "no credentials: F4 is ERR_PROXY_AUTH_REQUESTED (SYN_REPLY 407)" \
  fetch_fails ERR_PROXY_AUTH_REQUESTED "${authproxy[@]}" "$PA/whoami"
check "no credentials: F6 is ERR_PROXY_AUTH_REQUESTED (SYN_REPLY 407 to CONNECT)" \
  fetch_fails ERR_PROXY_AUTH_REQUESTED "${authproxy[@]}" --protocols spdy/3.1 "$A/whoami"
check "wrong password: ERR_PROXY_AUTH_REQUESTED" \
  fetch_fails ERR_PROXY_AUTH_REQUESTED "${authproxy[@]}" --proxy-user alice:wrong "$PA/whoami"
f4_auth() {  # the 407 is answered on a new stream of the same session; then credentials up front
  fetch_ok --stats "${authproxy[@]}" --proxy-user alice:s3cret "$PA/whoami" "$PA/bytes/10" &&
    expect_parts 'A http/1.1 GET\n' @10 &&
    expect_stats tcp_connects=1 tls_handshakes=1 sessions=1 requests=2 &&
    expect_log authproxy 1 '^session [0-9]+ stream 1 GET .*/whoami -> 407$' &&
    expect_log authproxy 1 '^session [0-9]+ stream 3 GET .*/whoami -> 200$' &&
    expect_log authproxy 1 '^session [0-9]+ stream 5 GET .*/bytes/10 -> 200$'
}
check "--proxy-user: F4, the 407 answered on the same session" f4_auth
f6_auth() {
  fetch_ok --stats "${authproxy[@]}" --proxy-user alice:s3cret --protocols spdy/3.1 \
    "$A/whoami" "$A/bytes/10" &&
    expect_parts 'A spdy/3.1 GET\n' @10 &&
    expect_stats tcp_connects=1 tls_handshakes=2 tunnels=1 sessions=2 requests=2 &&
    expect_log authproxy 1 "^session [0-9]+ stream 1 CONNECT origin.test:$A_port -> 407$" &&
    expect_log authproxy 1 "^session [0-9]+ stream 3 CONNECT origin.test:$A_port -> 200$"
}
check "--proxy-user: F6, the 407 answered by a new CONNECT stream on the same session" f6_auth

# --- F3: SPDY/3.1 to the origin through an HTTP/1.1 proxy's CONNECT tunnel -----

f3_one_session() {
  fetch_ok --stats -x "https://127.0.0.1:$h1proxy_port" --proxy-cacert "$work/h1proxy.ca" \
    --cacert "$work/ca.pem" --protocols spdy/3.1 "$A/whoami" "$A/bytes/1000000" &&
    expect_parts 'A spdy/3.1 GET\n' @1000000 &&
    expect_stats tcp_connects=1 tls_handshakes=2 tunnels=1 sessions=1 streams=2 requests=2 &&
    expect_log A 2 '^A spdy/3.1 GET /(whoami|bytes/1000000)$'
}
if [ -n "$h1proxy_port" ]; then
  check "F3: spdy/3.1 to the origin through cnet's HTTP/1.1 testserver proxy: 1 tunnel, 1 session, 2 streams" \
    f3_one_session
else
  skip "F3 through an HTTP/1.1 proxy" "testserver is not built in $out"
fi

# --- straight to the SPDY/3.1 origin (no proxy) --------------------------------

direct_streams() {
  fetch_ok --stats "${direct[@]}" "$A/whoami" "$A/bytes/1000" "$A/bytes/2000" &&
    expect_parts 'A spdy/3.1 GET\n' @1000 @2000 &&
    expect_stats tcp_connects=1 tls_handshakes=1 tunnels=0 sessions=1 streams=3 requests=3 &&
    expect_log A 3 '^A spdy/3.1 GET /(whoami|bytes/[12]000)$'
}
check "direct spdy/3.1 origin: 3 GETs: 1 TCP, 1 TLS, 1 session, 3 streams" direct_streams
check "direct spdy/3.1 origin: a 1 MB body is exact" \
  fetch_counts 1000000 "tcp_connects=1 sessions=1 streams=1" "${direct[@]}" "$A/bytes/1000000"
check "direct spdy/3.1 origin: a 20 MB body is exact (cnet's WINDOW_UPDATEs)" \
  fetch_counts 20000000 "tcp_connects=1 sessions=1 streams=1" "${direct[@]}" "$A/bytes/20000000"
check "direct spdy/3.1 origin: a body without content-length ends at the stream's FIN" \
  fetch_counts "300000 10" "tcp_connects=1 sessions=1 streams=2" "${direct[@]}" \
  "$A/chunked/300000" "$A/bytes/10"
check "direct spdy/3.1 origin: POST /echo, 100 kB, comes back intact" upload_echoed "${direct[@]}" "$A/echo"
check "direct spdy/3.1 origin: the 404 is surfaced" not_found "${direct[@]}" "$A/nope"
big_headers() {  # header blocks that span zlib output buffers, both ways
  local big
  big=$(head -c 30000 /dev/zero | tr '\0' b)
  fetch_ok -v "${direct[@]}" -H "x-big: $big" -H "x-two: 2" "$A/headers" || return 1
  tr -d '\r' < "$work/err" > "$work/head"
  if ! grep -qx "x-big: $big" "$work/body" || ! grep -qx 'x-two: 2' "$work/body" ||
    ! grep -qx '< set-cookie: a=1' "$work/head" || ! grep -qx '< set-cookie: b=2' "$work/head" ||
    ! grep -qxE '< x-long: L{20000}' "$work/head"; then
    echo "a field was lost; body:"
    head -c 300 "$work/body"
    echo
    cut -c1-80 "$work/head"
    return 1
  fi
}
check "direct spdy/3.1 origin: a 30 kB request field and a 20 kB response field, 2 set-cookie values" \
  big_headers
late_headers() {  # a HEADERS frame after DATA on the response stream
  fetch_ok --stats "${direct[@]}" "$A/late-headers" "$A/bytes/10" &&
    expect_parts late-hdr @10 && expect_stats tcp_connects=1 sessions=1 streams=2 requests=2
}
check "direct spdy/3.1 origin: a HEADERS frame between DATA frames is taken, the session goes on" late_headers
check "direct spdy/3.1 origin: RST_STREAM mid-body is an error after the 5000 bytes before it" \
  cut_mid_body "${direct[@]}" "$A/reset"
goaway() {  # GOAWAY after /goaway's stream closed: the next GETs take a new connection
  fetch_ok --stats "${direct[@]}" "$A/goaway" "$A/whoami" "$A/bytes/10" &&
    expect_parts goaway 'A spdy/3.1 GET\n' @10 &&
    expect_stats tcp_connects=2 tls_handshakes=2 sessions=2 streams=3 requests=3
}
check "direct spdy/3.1 origin: after node-spdy's GOAWAY the next GETs open a new session" goaway
server_pings() {  # node-spdy's PING (even id) on the session and inside the F6 tunnel
  fetch_ok "${direct[@]}" "$A/ping" && expect_parts 'pong\n' &&
    fetch_ok "${proxy[@]}" --protocols spdy/3.1 "$A/ping" && expect_parts 'pong\n'
}
check "node-spdy's PING is answered (direct and inside the F6 tunnel)" server_pings
server_push() {  # node-spdy pushes /bytes/5 with /push: the session goes on
  fetch_ok --stats "${direct[@]}" "$A/push" "$A/bytes/5" &&
    expect_parts pushed @5 &&
    expect_stats tcp_connects=1 tls_handshakes=1 sessions=1 requests=2
}
check "direct spdy/3.1 origin: a server push does not disturb the session" server_push

[ "$failures" -eq 0 ]
