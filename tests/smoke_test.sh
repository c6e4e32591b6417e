#!/usr/bin/env bash
# End-to-end checks of the built binaries: the test server and fetch, driven
# as a user would from a shell. Usage: tests/smoke_test.sh OUT_DIR
# Prints one "ok N - what" or "not ok N - what" line per check (TAP style).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"
suite_setup smoke "${1:-out/debug}"
pids=()
trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT

start_server good --name origin.test
start_server expired --cert-mode expired
start_server wronghost --cert-mode wrong-host

start_server plain --plain
start_server proxy --proxy --map origin.test=127.0.0.1
start_server authproxy --proxy --auth user:secret --map origin.test=127.0.0.1
start_server liar --proxy --extra-after-200
start_server redirector --proxy --refuse-connect 302

url="https://127.0.0.1:$good_port"
proxy="https://127.0.0.1:$proxy_port"

body_is() {  # body_is EXPECTED fetch-args...
  local expected="$1"
  shift
  local got
  got=$("$out/fetch" "$@") || return 1
  [ "$got" = "$expected" ] || { echo "expected '$expected' got '$got'"; return 1; }
}

bytes_match() {  # bytes_match N fetch-args...: body equals the /bytes/N pattern
  local n="$1"
  shift
  "$out/fetch" "$@" -o "$work/body" || return 1
  python3 - "$work/body" "$n" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
n = int(sys.argv[2])
want = bytes(((i * 31 + 7) & 0xff) for i in range(n))
sys.exit(0 if data == want else 1)
PY
}

fails_with() {  # fails_with ERR_NAME fetch-args...
  local err="$1"
  shift
  if "$out/fetch" "$@" > "$work/stdout" 2> "$work/stderr"; then
    echo "fetch succeeded but should have failed with $err"
    return 1
  fi
  grep -q "$err" "$work/stderr" || { cat "$work/stderr"; return 1; }
}

# -w's size_header is counted without formatting the head (no -i, -I or
# -v): it must be the length of the head -i writes.
size_header_matches() {  # size_header_matches fetch-args...: their URL's body is 100 bytes
  local h total
  h=$("$out/fetch" -s -o /dev/null -w '%{size_header}' "$@") || return 1
  total=$("$out/fetch" -s -i "$@" | wc -c) || return 1
  [ "$h" -gt 0 ] && [ "$h" -eq $((total - 100)) ] ||
    { echo "size_header $h, but -i wrote $total bytes with a 100-byte body"; return 1; }
}

check "fetch / over TLS with the test CA" \
  bash -c "'$out/fetch' --cacert '$work/good.ca' '$url/' | grep -q cnet"
check "fetch /bytes/100000 body is exact" bytes_match 100000 --cacert "$work/good.ca" "$url/bytes/100000"
check "-w %{size_header} is the length of the head -i writes" \
  size_header_matches --cacert "$work/good.ca" "$url/bytes/100"
check "fetch chunked body is exact" bytes_match 70000 --cacert "$work/good.ca" "$url/chunked/70000"
check "--compressed: the gzip body is decoded" bytes_match 5000 --compressed --cacert "$work/good.ca" \
  "$url/gzip/5000"
check "without --compressed the gzip body is written as received, as curl does" \
  bash -c "'$out/fetch' --cacert '$work/good.ca' '$url/gzip/5000' | gzip -dc | cmp -s - <('$out/fetch' --cacert '$work/good.ca' '$url/bytes/5000')"
check "--resolve maps origin.test" bytes_match 10 --cacert "$work/good.ca" \
  --resolve "origin.test:$good_port:127.0.0.1" "https://origin.test:$good_port/bytes/10"
check "unknown CA is refused" fails_with ERR_CERT_AUTHORITY_INVALID "$url/"
check "expired certificate is refused" fails_with ERR_CERT_DATE_INVALID \
  --cacert "$work/expired.ca" "https://127.0.0.1:$expired_port/"
check "wrong host certificate is refused" fails_with ERR_CERT_COMMON_NAME_INVALID \
  --cacert "$work/wronghost.ca" "https://127.0.0.1:$wronghost_port/"
check "connection refused is named" fails_with ERR_CONNECTION_REFUSED \
  "https://127.0.0.1:1/"
check "bad flag exits 2 naming it" \
  bash -c "'$out/fetch' --bogus '$url/' 2>&1; test \$? -eq 2" 
check "--stats counts one TCP connect and one TLS handshake" \
  bash -c "'$out/fetch' --stats --cacert '$work/good.ca' '$url/bytes/1' 2>&1 >/dev/null | grep -q '\"tcp_connects\":1,\"tls_handshakes\":1'"
check "--netlog-format chrome writes Chromium's NetLog JSON (constants, events, ]})" \
  bash -c "'$out/fetch' --netlog '$work/chrome.json' --netlog-format chrome --cacert '$work/good.ca' '$url/' >/dev/null && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d[\"constants\"]; t=c[\"logEventTypes\"]; assert \"SSL_CONNECT\" in t and \"URL_REQUEST\" in c[\"logSourceType\"]; assert any(e[\"type\"]==t[\"SSL_CONNECT\"] and e[\"phase\"]==2 for e in d[\"events\"])' '$work/chrome.json'"
check "--netlog-format needs --netlog, and only cnet or chrome" \
  bash -c "! '$out/fetch' --netlog-format chrome '$url/' 2>/dev/null && ! '$out/fetch' --netlog '$work/x.json' --netlog-format xml '$url/' 2>/dev/null"
check "--netlog writes JSON lines with the TLS handshake" \
  bash -c "'$out/fetch' --netlog '$work/log.json' --cacert '$work/good.ca' '$url/' >/dev/null && grep -q '\"type\":\"SSL_CONNECT\",\"phase\":\"END\"' '$work/log.json'"

# --- through the test server's HTTPS proxy (the seed's F1 and F2) ---
stats_are() {  # stats_are EXPECTED BODY fetch-args...: --stats has EXPECTED, bodies are BODY
  local expected="$1" body="$2"
  shift 2
  "$out/fetch" --stats "$@" > "$work/stdout" 2> "$work/stderr" || { cat "$work/stderr"; return 1; }
  grep -q "$expected" "$work/stderr" || { echo "expected $expected in:"; cat "$work/stderr"; return 1; }
  [ "$(od -An -tx1 "$work/stdout" | tr -d ' \n')" = "$body" ] ||
    { echo "unexpected bodies:"; od -An -tx1 "$work/stdout" | head -5; return 1; }
}
plain="http://origin.test:$plain_port"
tls="https://origin.test:$good_port"
check "F1: http:// through the HTTPS proxy, body exact" \
  bytes_match 50000 -x "$proxy" --proxy-cacert "$work/proxy.ca" "$plain/bytes/50000"
check "F1: three http:// GETs to two origins: 1 TCP connect, 1 TLS handshake (jump to step 9)" \
  stats_are '"tcp_connects":1,"tls_handshakes":1,"tunnels":0' 070726072645 -x "$proxy" \
  --proxy-cacert "$work/proxy.ca" "$plain/bytes/1" "http://127.0.0.1:$plain_port/bytes/2" "$plain/bytes/3"
check "F2: https:// through the HTTPS proxy, body exact" \
  bytes_match 70000 -x "$proxy" --proxy-cacert "$work/proxy.ca" --cacert "$work/good.ca" \
  --resolve "origin.test:$good_port:127.0.0.1" "$tls/bytes/70000"
check "F2: two https:// GETs: 1 TCP, 2 TLS handshakes, 1 tunnel (jump to step 19)" \
  stats_are '"tcp_connects":1,"tls_handshakes":2,"tunnels":1' 070726 -x "$proxy" \
  --proxy-cacert "$work/proxy.ca" --cacert "$work/good.ca" "$tls/bytes/1" "$tls/bytes/2"
check "407 without credentials is ERR_PROXY_AUTH_REQUESTED" fails_with ERR_PROXY_AUTH_REQUESTED \
  -x "https://127.0.0.1:$authproxy_port" --proxy-cacert "$work/authproxy.ca" --cacert "$work/good.ca" "$tls/"
check "--proxy-user answers the 407 (F2)" bytes_match 100 \
  -x "https://127.0.0.1:$authproxy_port" --proxy-cacert "$work/authproxy.ca" --proxy-user user:secret \
  --cacert "$work/good.ca" "$tls/bytes/100"
check "--proxy-user answers the 407 (F1)" bytes_match 100 \
  -x "https://127.0.0.1:$authproxy_port" --proxy-cacert "$work/authproxy.ca" --proxy-user user:secret \
  "$plain/bytes/100"
check "wrong proxy password is ERR_PROXY_AUTH_REQUESTED" fails_with ERR_PROXY_AUTH_REQUESTED \
  -x "https://127.0.0.1:$authproxy_port" --proxy-cacert "$work/authproxy.ca" --proxy-user user:wrong \
  --cacert "$work/good.ca" "$tls/"
check "bytes after the proxy's 200 are ERR_TUNNEL_CONNECTION_FAILED" fails_with ERR_TUNNEL_CONNECTION_FAILED \
  -x "https://127.0.0.1:$liar_port" --proxy-cacert "$work/liar.ca" --cacert "$work/good.ca" "$tls/"
check "a redirect answering CONNECT is never followed: ERR_TUNNEL_CONNECTION_FAILED from the proxy" \
  bash -c "! '$out/fetch' -L -x 'https://127.0.0.1:$redirector_port' --proxy-cacert '$work/redirector.ca' --cacert '$work/good.ca' '$tls/' > '$work/redir.out' 2> '$work/redir.err' && grep -q 'ERR_TUNNEL_CONNECTION_FAILED from proxy https://127.0.0.1:$redirector_port' '$work/redir.err' && test ! -s '$work/redir.out'"
check "proxy certificate from an unknown CA is ERR_PROXY_CERTIFICATE_INVALID" \
  fails_with ERR_PROXY_CERTIFICATE_INVALID -x "$proxy" --cacert "$work/good.ca" "$tls/"
check "a proxy's certificate failure names the hop, the error, the subject and the issuer" \
  bash -c "grep -q '^fetch: ERR_CERT_AUTHORITY_INVALID from proxy 1 $proxy: subject CN=.*, issuer CN=' '$work/stderr' || { cat '$work/stderr'; false; }"
check "an origin's certificate failure names the origin, the subject and the issuer" \
  bash -c "! '$out/fetch' --cacert '$work/expired.ca' 'https://127.0.0.1:$expired_port/' 2> '$work/cert.err' && grep -q '^fetch: ERR_CERT_DATE_INVALID from origin https://127.0.0.1:$expired_port: subject CN=.*, issuer CN=' '$work/cert.err'"
check "a dead first proxy falls back to the next one" bytes_match 10 \
  -x "https://127.0.0.1:1,$proxy" --proxy-cacert "$work/proxy.ca" "$plain/bytes/10"

# --- redirects (-L) ---
check "without -L a redirect is shown, not followed" \
  bash -c "'$out/fetch' -I --cacert '$work/good.ca' '$url/redirect/1' | grep -q '^HTTP/1.1 302'"
check "-L follows a chain of relative redirects" \
  body_is "redirected" -L --cacert "$work/good.ca" "$url/redirect/3"
check "--max-redirs is enforced (ERR_TOO_MANY_REDIRECTS)" \
  fails_with ERR_TOO_MANY_REDIRECTS -L --max-redirs 2 --cacert "$work/good.ca" "$url/redirect/3"
check "a redirect to another scheme is refused (ERR_UNSAFE_REDIRECT)" \
  fails_with ERR_UNSAFE_REDIRECT -L --cacert "$work/good.ca" "$url/redirect-to?file:///etc/passwd"
check "307 keeps POST and its body" \
  body_is "payload" -L -d payload --cacert "$work/good.ca" "$url/redirect-to?307,/echo"
check "-v -L says each redirect before following it, as curl does" \
  bash -c "'$out/fetch' -v -L --cacert '$work/good.ca' '$url/redirect/2' 2>&1 >/dev/null | grep -c \"^\\* Issue another request to this URL: '$url/redirect/[01]'\" | grep -qx 2"
check "redirect hops reuse the connection" \
  bash -c "'$out/fetch' --stats -L --cacert '$work/good.ca' '$url/redirect/5' 2>&1 >/dev/null | grep -q '\"tcp_connects\":1,\"tls_handshakes\":1'"

# --- the embedding API: libcnet.so, pkg-config, the example app shell ---
check "libcnet.so exports only the public API (cnet_*)" \
  bash -c "syms=\$(nm -D --defined-only '$out/libcnet.so' | awk '{print \$3}'); [ -n \"\$syms\" ] && ! printf '%s\n' \"\$syms\" | grep -v '^cnet_'"
# A sanitizer build's library needs the sanitizer runtime in the app too.
san=""
grep -q "use_asan=true" "$out/.cnet-args" 2>/dev/null && san="-fsanitize=address,undefined"
check "an app builds against cnet.pc and runs" \
  bash -c "cc $san '$(dirname "$0")/../docs/examples/shell.c' \$(PKG_CONFIG_PATH='$out' pkg-config --cflags --libs cnet) -o '$work/shell_pc' && '$work/shell_pc' --ca '$work/good.ca' '$url/page' | grep -q '5 resources'"
check "the example shell loads a page and its sub-resources through the proxy" \
  bash -c "'$out/example_shell' --proxy '$proxy' --proxy-ca '$work/proxy.ca' --ca '$work/good.ca' '$tls/page' > '$work/shell.out' && grep -q '5 resources; tcp_connects' '$work/shell.out' && ! grep -q 'ERR_' '$work/shell.out'"

# --- F3-F6: SPDY/3.1 and HTTP/2 to the proxy and to origins (ALPN) ---
start_server mux --name origin.test --alpn h2,spdy/3.1,http/1.1
start_server muxproxy --proxy --alpn h2,spdy/3.1,http/1.1 --map origin.test=127.0.0.1
mp=(-x "https://127.0.0.1:$muxproxy_port" --proxy-cacert "$work/muxproxy.ca" --cacert "$work/mux.ca")
mtls="https://origin.test:$mux_port"
for proto in h2 spdy/3.1; do
  check "F4 over $proto: three http:// GETs, two origins: 1 TCP, 1 TLS, 1 session, 3 streams" \
    stats_are '"tcp_connects":1,"tls_handshakes":1,"tunnels":0,"sessions":1,"streams":3' \
    070726072645 "${mp[@]}" --proxy-protocols "$proto" \
    "$plain/bytes/1" "http://127.0.0.1:$plain_port/bytes/2" "$plain/bytes/3"
  check "F5 over $proto: two https:// GETs through one CONNECT stream: 1 TCP, 2 TLS, 1 tunnel" \
    stats_are '"tcp_connects":1,"tls_handshakes":2,"tunnels":1,"sessions":1,"streams":1' 070726 \
    "${mp[@]}" --proxy-protocols "$proto" --http1.1 "$mtls/bytes/1" "$mtls/bytes/2"
  check "F6 over $proto: $proto inside the $proto tunnel: 2 sessions, 1 tunnel" \
    stats_are '"tcp_connects":1,"tls_handshakes":2,"tunnels":1,"sessions":2,"streams":3' 070726 \
    "${mp[@]}" --proxy-protocols "$proto" --protocols "$proto" "$mtls/bytes/1" "$mtls/bytes/2"
  check "F3 with $proto to the origin through an HTTP/1.1 proxy tunnel: 1 session" \
    stats_are '"tcp_connects":1,"tls_handshakes":2,"tunnels":1,"sessions":1,"streams":2' 070726 \
    "${mp[@]}" --protocols "$proto" "$mtls/bytes/1" "$mtls/bytes/2"
done
check "F6 over h2: a 1 MB body through the tunnel is exact" bytes_match 1000000 \
  "${mp[@]}" --proxy-protocols h2 --protocols h2 "$mtls/bytes/1000000"

# --- fetch -v names each layer; the progress bar; --trace ladder ---
verbose_run() {  # verbose_run fetch-args...: -v's stderr to $work/verbose (without CRs)
  "$out/fetch" -v "$@" > /dev/null 2> "$work/verbose.crlf" || { cat "$work/verbose.crlf"; return 1; }
  tr -d '\r' < "$work/verbose.crlf" > "$work/verbose"
}
request_says() {  # request_says N LINE...: the Nth request's -v lines include each LINE exactly
  local nth="$1" line
  shift
  # A request starts at its request line ("> GET /x HTTP/1.1", "> GET /x HTTP/2"); CONNECT
  # lines belong to the request that needed the tunnel.
  awk -v n="$nth" '/^> [A-Z]+ [^ ]+ (HTTP|SPDY)\// && !/^> CONNECT /{k++} k==n' "$work/verbose" \
    > "$work/verbose.$nth"
  for line in "$@"; do
    grep -qxF -- "$line" "$work/verbose.$nth" ||
      { echo "request $nth lacks '$line':"; cat "$work/verbose.$nth"; return 1; }
  done
}
verbose_f4() {  # F4: the second request is a stream of the live proxy session
  verbose_run "${mp[@]}" --proxy-protocols "$1" "$plain/bytes/1" "$plain/bytes/2" &&
    request_says 1 "* proxy https://127.0.0.1:$muxproxy_port: TCP new" "* proxy session: $1, new" \
      "* request: sent to the proxy as a stream of its $1, new" &&
    request_says 2 "* proxy https://127.0.0.1:$muxproxy_port: TCP reused" \
      "* proxy session: $1, reused" "* request: sent to the proxy as a stream of its $1, reused"
}
verbose_f6() {  # F6: the second request reuses the origin's session, its tunnel, the proxy's
  verbose_run "${mp[@]}" --proxy-protocols "$1" --protocols "$1" "$mtls/bytes/1" "$mtls/bytes/2" &&
    request_says 1 "* proxy session: $1, new" "* tunnel: CONNECT through the proxy, new" \
      "* origin session: $1, new" &&
    grep -q "^\* origin TLS: TLSv1\.[23] .*, ALPN $1, " "$work/verbose.1" &&
    grep -q "^\* proxy TLS: TLSv1\.[23] .*, ALPN $1, " "$work/verbose.1" &&
    request_says 2 "* proxy session: $1, reused" "* tunnel: CONNECT through the proxy, reused" \
      "* origin session: $1, reused"
}
for proto in h2 spdy/3.1; do
  check "-v, F4 over $proto: the second request says the proxy session was reused" verbose_f4 "$proto"
  check "-v, F6 over $proto: the second request says session, tunnel and proxy were reused" \
    verbose_f6 "$proto"
done
verbose_f2() {  # F2 over HTTP/1.1: a new tunnel, then the idle TLS connection to the origin
  verbose_run -x "$proxy" --proxy-cacert "$work/proxy.ca" --cacert "$work/good.ca" \
    "$tls/bytes/1" "$tls/bytes/2" &&
    request_says 1 "* proxy https://127.0.0.1:$proxy_port: TCP new" "* proxy protocol: http/1.1" \
      "* tunnel: CONNECT through the proxy, new" "* origin connection: http/1.1, new" &&
    request_says 2 "* proxy https://127.0.0.1:$proxy_port: TCP reused" \
      "* tunnel: CONNECT through the proxy, reused" "* origin connection: http/1.1, reused"
}
verbose_direct() {  # no proxy; the origin's TLS version and ALPN; the status line
  verbose_run --cacert "$work/good.ca" "$url/bytes/1" &&
    request_says 1 "* direct" "* origin connection: http/1.1, new" "< HTTP/1.1 200 OK" &&
    grep -q '^\* origin TLS: TLSv1\.[23] .*, ALPN http/1.1, full handshake$' "$work/verbose.1"
}
check "-v, F2 over http/1.1: a new tunnel, then the reused TLS connection to the origin" verbose_f2
check "-v, direct: no proxy, the origin's TLS version and ALPN, the status line" verbose_direct
progress_on_tty() {  # on a terminal (script's pty) stderr shows the bar; the body is exact
  script -qec "'$out/fetch' $* --cacert '$work/good.ca' '$url/bytes/3000000' > '$work/pbody'" \
    /dev/null > "$work/pty.out" 2>&1 || { cat "$work/pty.out"; return 1; }
  python3 - "$work/pbody" <<'PY' || return 1
import sys
data = open(sys.argv[1], 'rb').read()
sys.exit(0 if data == bytes(((i * 31 + 7) & 0xff) for i in range(3000000)) else 1)
PY
  grep -aq '100\.0% \[#*\] 2\.9 MiB / 2\.9 MiB' "$work/pty.out" || { echo "no bar:"; cat -v "$work/pty.out"; return 1; }
}
no_progress_on_tty() {  # -s (or --no-progress): nothing on the terminal
  script -qec "'$out/fetch' $* --cacert '$work/good.ca' '$url/bytes/300000' > /dev/null" \
    /dev/null > "$work/pty.out" 2>&1 || { cat "$work/pty.out"; return 1; }
  [ ! -s "$work/pty.out" ] || { echo "unexpected output:"; cat -v "$work/pty.out"; return 1; }
}
check "the progress bar shows on a terminal when the body is redirected" progress_on_tty
check "the progress bar counts bytes without a Content-Length (chunked)" \
  bash -c "script -qec \"'$out/fetch' --cacert '$work/good.ca' '$url/chunked/70000' > /dev/null\" /dev/null | grep -aq '68\.4 KiB  '"
check "-s hides the progress bar" no_progress_on_tty -s
check "--no-progress hides the progress bar" no_progress_on_tty --no-progress
check "no progress bar when stderr is not a terminal" \
  bash -c "'$out/fetch' --cacert '$work/good.ca' '$url/bytes/300000' > /dev/null 2> '$work/piped.err' && [ ! -s '$work/piped.err' ]"
check "--trace ladder draws the run on stderr; the second F2 request jumps to step 19" \
  bash -c "'$out/fetch' --trace ladder -x '$proxy' --proxy-cacert '$work/proxy.ca' --cacert '$work/good.ca' '$tls/bytes/1' '$tls/bytes/2' 2>&1 >/dev/null | grep -q 'jump to step 19'"
check "--trace with another kind is a usage error naming it" \
  bash -c "'$out/fetch' --trace sequence '$url/' 2>&1 | grep -q \"'sequence'\"; test \${PIPESTATUS[0]} -eq 2"

# --- HTTP_1_1_REQUIRED from an HTTP/2 proxy: the request, and a CONNECT, go again over HTTP/1.1 ---
start_server h11proxy --proxy --alpn h2,http/1.1 --rst-stream 13 --map origin.test=127.0.0.1
h11=(-x "https://127.0.0.1:$h11proxy_port" --proxy-cacert "$work/h11proxy.ca" --proxy-protocols h2)
check "HTTP_1_1_REQUIRED from an h2 proxy: http:// resent to it over HTTP/1.1 (2 TCP, 2 TLS)" \
  stats_are '"tcp_connects":2,"tls_handshakes":2,"tunnels":0,"sessions":1' 072645 \
  "${h11[@]}" "$plain/bytes/3"
check "HTTP_1_1_REQUIRED from an h2 proxy to CONNECT: the tunnel is made over HTTP/1.1" \
  bytes_match 20000 "${h11[@]}" --cacert "$work/good.ca" "$tls/bytes/20000"

# --- An origin of the SPDY era: TLS 1.2, no ALPN, SPDY/3.1 through NPN ---
start_server npn --name origin.test --npn spdy/3.1,http/1.1
npn="https://origin.test:$npn_port"
check "NPN-only origin: fetch offering spdy/3.1 gets it by NPN (1 TCP, 1 TLS, 1 session, 2 streams)" \
  stats_are '"tcp_connects":1,"tls_handshakes":1,"tunnels":0,"sessions":1,"streams":2' 0707 \
  --resolve "origin.test:$npn_port:127.0.0.1" --cacert "$work/npn.ca" --protocols spdy/3.1,http/1.1 \
  "$npn/bytes/1" "$npn/bytes/1"
check "NPN-only origin: -v names TLSv1.2 and spdy/3.1" \
  bash -c "'$out/fetch' -v --resolve 'origin.test:$npn_port:127.0.0.1' --cacert '$work/npn.ca' --protocols spdy/3.1,http/1.1 '$npn/bytes/1' 2>&1 >/dev/null | grep 'TLSv1.2' | grep -q 'spdy/3.1'"

# --- F6, then a second origin through the same proxy session (the issue's exact counters) ---
start_server mux2 --name origin2.test --alpn h2,spdy/3.1,http/1.1
start_server muxproxy2 --proxy --alpn h2,spdy/3.1,http/1.1 --map origin.test=127.0.0.1 \
  --map origin2.test=127.0.0.1
cat "$work/mux.ca" "$work/mux2.ca" > "$work/mux12.ca"
for proto in h2 spdy/3.1; do
  check "F6 over $proto: two GETs to one origin, then one to a second: 1 TCP, 3 TLS, 2 tunnels, 3 sessions" \
    stats_are '"tcp_connects":1,"tls_handshakes":3,"tunnels":2,"sessions":3,"streams":5' 070707 \
    -x "https://127.0.0.1:$muxproxy2_port" --proxy-cacert "$work/muxproxy2.ca" \
    --cacert "$work/mux12.ca" --proxy-protocols "$proto" --protocols "$proto" \
    "$mtls/bytes/1" "$mtls/bytes/1" "https://origin2.test:$mux2_port/bytes/1"
done
