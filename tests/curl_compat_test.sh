#!/usr/bin/env bash
# shellcheck disable=SC2154  # the ${name}_port variables are set by start_server
# fetch and curl side by side (issue #12): for every curl flag fetch takes,
# both run against the same loopback servers — cnet's test server as origins
# and proxies, and Debian's squid as an HTTP proxy when it is installed —
# and the suite compares what a curl user would: exit codes for the same
# failures, -i/-I output, -w fields (the same values where they must be,
# values within reason for times), and the bytes of -o/-O/-d/-F/-T as the
# server received them (its /echo and /headers routes send them back).
# Where fetch differs from curl on purpose (docs/fetch.md says so), the
# check names both codes.
#
# Usage: tests/curl_compat_test.sh OUT_DIR   (needs OUT_DIR/fetch and testserver, and curl)
# Prints one "ok N - what" / "not ok N - what" line per check (TAP style);
# "# SKIP" only when curl or squid is not installed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"
suite_setup compat "${1:-out/debug}"
pids=()
squid_pid=""
trap '[ -n "$squid_pid" ] && stop_pids "$squid_pid"; stop_pids "${pids[@]}"; rm -rf "$work"' EXIT

[ -x "$fetch" ] && [ -x "$out/testserver" ] || bail "fetch and testserver are built in $out"
if ! command -v curl > /dev/null; then
  skip "fetch and curl side by side" "curl is not installed (build/install-deps.sh installs it)"
  echo "1..$n"
  exit 0
fi

start_server plain --plain
start_server plain2 --plain
start_server tls --name origin.test --alpn h2,http/1.1
start_server expired --cert-mode expired
start_server wronghost --cert-mode wrong-host
start_server cut --cert-mode cut-handshake
start_server hproxy --plain --proxy --map origin.test=127.0.0.1
start_server sproxy --proxy --map origin.test=127.0.0.1
start_server refuser --plain --proxy --refuse-connect 403
start_server authproxy --plain --proxy --auth user:secret
closed_port=$(free_ports 1)  # nothing listens there: connection refused

P="http://127.0.0.1:$plain_port"
P2="http://127.0.0.1:$plain2_port"
T="https://origin.test:$tls_port"
tls_opts=(--cacert "$work/tls.ca" --resolve "origin.test:$tls_port:127.0.0.1")
# A name whose 64-character label no resolver accepts: "not resolved" without
# a DNS query leaving the machine.
unresolvable="$(printf 'a%.0s' $(seq 1 64)).test"

# Both tools see the same environment: no *_proxy variables.
clean_env=(env -u http_proxy -u https_proxy -u HTTPS_PROXY -u all_proxy -u ALL_PROXY
  -u no_proxy -u NO_PROXY)

# side_by_side ARGS...: runs `fetch ARGS` and `curl ARGS` in $work/f and
# $work/c (stdout to out, stderr to err, the exit code to rc); the cwd is
# $work/f or $work/c, for -O.
side_by_side() {
  local tool dir
  for tool in f c; do
    dir="$work/$tool"
    rm -rf "$dir"
    mkdir -p "$dir"
    local t0
    t0=$(date +%s%N)
    if [ "$tool" = f ]; then
      (cd "$dir" && "${clean_env[@]}" timeout 30 "$fetch" "$@" > out 2> err; echo $? > rc)
    else
      (cd "$dir" && "${clean_env[@]}" timeout 30 curl "$@" > out 2> err; echo $? > rc)
    fi
    echo $((($(date +%s%N) - t0) / 1000000)) > "$dir/ms"  # how long the run took
  done
}

show() {  # the two runs, for a failing check
  local tool
  for tool in f c; do
    echo "--- $([ "$tool" = f ] && echo fetch || echo curl): exit $(cat "$work/$tool/rc")"
    head -c 1500 "$work/$tool/out" | cat -v | head -20
    echo "--- stderr"
    head -20 "$work/$tool/err"
  done
}

same_exit() {  # same_exit CODE ARGS...: both exit with CODE
  local want="$1"
  shift
  side_by_side "$@"
  [ "$(cat "$work/f/rc")" = "$want" ] && [ "$(cat "$work/c/rc")" = "$want" ] ||
    { echo "want exit $want from both"; show; return 1; }
}

exits_differ() {  # exits_differ FETCH_CODE CURL_CODE ARGS...: a known difference, both pinned
  local fwant="$1" cwant="$2"
  shift 2
  side_by_side "$@"
  [ "$(cat "$work/f/rc")" = "$fwant" ] && [ "$(cat "$work/c/rc")" = "$cwant" ] ||
    { echo "want fetch $fwant, curl $cwant"; show; return 1; }
}

same_output() {  # same_output ARGS...: both exit 0 with the same stdout bytes
  side_by_side "$@"
  [ "$(cat "$work/f/rc")" = 0 ] && [ "$(cat "$work/c/rc")" = 0 ] &&
    cmp -s "$work/f/out" "$work/c/out" || { echo "stdout differs (or a failure)"; show; return 1; }
}

same_file() {  # same_file FILE ARGS...: both exit 0 and wrote FILE (relative to their cwd) alike
  local file="$1"
  shift
  side_by_side "$@"
  [ "$(cat "$work/f/rc")" = 0 ] && [ "$(cat "$work/c/rc")" = 0 ] &&
    [ -f "$work/f/$file" ] && cmp -s "$work/f/$file" "$work/c/$file" ||
    { echo "$file differs or is missing"; ls -l "$work/f" "$work/c"; show; return 1; }
}

# The bytes a server received, with multipart boundaries made equal (each
# tool draws its own at random).
same_echo_multipart() {
  side_by_side "$@"
  local tool b
  for tool in f c; do
    b=$(head -1 "$work/$tool/out" | tr -d '\r' | sed 's/^--//')
    [ -n "$b" ] || { echo "no boundary"; show; return 1; }
    sed "s/$b/BOUNDARY/g" "$work/$tool/out" > "$work/$tool/norm"
  done
  [ "$(cat "$work/f/rc")" = 0 ] && cmp -s "$work/f/norm" "$work/c/norm" ||
    { echo "multipart bodies differ"; diff <(cat -v "$work/f/norm") <(cat -v "$work/c/norm"); return 1; }
}

# The request headers the server received (/headers), without the ones
# that name the tool or its defaults: User-Agent, and the order.
same_headers() {  # same_headers NAME... -- ARGS...: the named headers arrived alike
  local names=()
  while [ "$1" != "--" ]; do names+=("$1"); shift; done
  shift
  side_by_side "$@"
  local name
  for name in "${names[@]}"; do
    [ "$(grep -i "^$name:" "$work/f/out")" = "$(grep -i "^$name:" "$work/c/out")" ] ||
      { echo "header $name differs"; show; return 1; }
  done
  [ "$(cat "$work/f/rc")" = 0 ] && [ "$(cat "$work/c/rc")" = 0 ] || { show; return 1; }
}

# === exit codes for the same failures ===
check "connection refused: 7" same_exit 7 -sS "http://127.0.0.1:$closed_port/"
check "host not resolved: 6" same_exit 6 -sS "http://$unresolvable/"
check "proxy name not resolved: 5" same_exit 5 -sS -x "http://$unresolvable:3128" "$P/bytes/1"
check "malformed URL: 3" same_exit 3 -sS "http://[::1/"
fail_writes_nothing() {
  same_exit 22 -sS -f "$P/status/404" && [ ! -s "$work/f/out" ] && [ ! -s "$work/c/out" ] ||
    { show; return 1; }
}
check "HTTP 404 with -f: 22, nothing written" fail_writes_nothing
fail_with_body() {  # exit 22 and the body of the failure written, by both
  side_by_side -s --fail-with-body "$P/status/500"
  [ "$(cat "$work/f/rc")" = 22 ] && [ "$(cat "$work/c/rc")" = 22 ] &&
    grep -q 'status 500' "$work/f/out" && cmp -s "$work/f/out" "$work/c/out" || { show; return 1; }
}
check "HTTP 500 with --fail-with-body: 22, the body written alike" fail_with_body
check "HTTP 404 without -f: 0" same_exit 0 -sS -o /dev/null "$P/status/404"
check "write error (-o into a missing directory): 23" same_exit 23 -sS -o /nonexistent/dir/f "$P/bytes/10"
check "timeout (--max-time 0.5 on a slow body): 28" same_exit 28 -sS --max-time 0.5 -o /dev/null "$P/slow/3000"
check "TLS handshake cut: 35" same_exit 35 -sS --cacert "$work/cut.ca" "https://127.0.0.1:$cut_port/"
check "too many redirects: 47" same_exit 47 -sS -L --max-redirs 2 "$P/redirect/5"
check "connection closed before any answer: 52" same_exit 52 -sS "$P/reset"
check "body cut short of its Content-Length: 18" same_exit 18 -sS -o /dev/null "$P/close-after/1000"
check "unknown CA: 60" same_exit 60 -sS "https://127.0.0.1:$tls_port/"
check "expired certificate: 60" same_exit 60 -sS --cacert "$work/expired.ca" "https://127.0.0.1:$expired_port/"
check "certificate for another host: 60" same_exit 60 -sS --cacert "$work/wronghost.ca" \
  "https://127.0.0.1:$wronghost_port/"
check "bad CA file: 77" same_exit 77 -sS --cacert /nonexistent/ca.pem \
  --resolve "origin.test:$tls_port:127.0.0.1" "$T/"
check "CONNECT refused by the proxy: fetch 97 (the issue's proxy handshake), curl 56 (docs/fetch.md)" \
  exits_differ 97 56 -sS -x "http://127.0.0.1:$refuser_port" "${tls_opts[@]}" "$T/bytes/1"
check "CONNECT answered 407: fetch 97, curl 56 (docs/fetch.md)" \
  exits_differ 97 56 -sS -x "http://127.0.0.1:$authproxy_port" "${tls_opts[@]}" "$T/bytes/1"
check "unknown option: 2" same_exit 2 --no-such-option "$P/"
check "several URLs go on after a failure: fetch exits with the last failure's code (7), curl 7.88 with the last transfer's (0; docs/fetch.md)" \
  exits_differ 7 0 -sS -f -o /dev/null "$P/status/404" -o /dev/null "http://127.0.0.1:$closed_port/" \
  -o /dev/null "$P/bytes/1"
last_of_many() {  # the URL after the failure was written (exit: fetch 7, curl 7.88 0)
  side_by_side -sS "http://127.0.0.1:$closed_port/" "$P/bytes/100"
  [ "$(cat "$work/f/rc")" = 7 ] && [ "$(cat "$work/c/rc")" = 0 ] &&
    cmp -s "$work/f/out" "$work/c/out" && [ "$(wc -c < "$work/f/out")" = 100 ] || { show; return 1; }
}
check "a refused URL, then a good one: the good body is written by both" last_of_many

# === -s / -S ===
silent_quiet() {
  side_by_side -s "http://127.0.0.1:$closed_port/"
  [ ! -s "$work/f/err" ] && [ ! -s "$work/c/err" ] || { echo "-s printed something"; show; return 1; }
}
show_error() {
  side_by_side -sS "http://127.0.0.1:$closed_port/"
  grep -q '(7)' "$work/f/err" && grep -q '(7)' "$work/c/err" || { show; return 1; }
}
check "-s: no error message from either" silent_quiet
check "-sS: both print the error with its code" show_error

# === output: -i, -I, -o, -O, --output-dir, -o - ===
check "-i: the same head and body" same_output -s -i "$P/bytes/100"
check "-I: the same head" same_output -s -I "$P/bytes/100"
check "-i with -f on 200" same_output -s -i -f "$P/status/201"
check "-o FILE: the same bytes" same_file body.bin -s -o body.bin "$P/bytes/70000"
check "-O: the file named after the URL" same_file 7000 -s -O "$P/bytes/7000"
check "-o per URL: each URL its own file" same_file b.bin -s -o a.bin "$P/bytes/10" -o b.bin "$P/chunked/20"
check "-o per URL: the first file too" cmp "$work/f/a.bin" "$work/c/a.bin"
check "--output-dir with -O and --create-dirs" same_file saved/300 -s --create-dirs --output-dir saved -O "$P/bytes/300"
check "--output-dir into a missing directory without --create-dirs: 23" same_exit 23 -sS --output-dir nodir -O "$P/bytes/3"
check "-o -: stdout" same_output -s -o - "$P/bytes/33"
check "a URL without a scheme is http://" same_output -s "127.0.0.1:$plain_port/bytes/12"
check "an empty body still makes its -o file" same_file empty -s -o empty "$P/bytes/0"

# === request bodies, as the server received them ===
printf 'a=1\r\nb=2\n' > "$work/form.txt"
head -c 3000 /dev/urandom > "$work/blob.bin"
printf '{"k":"v"}' > "$work/doc.json"
check "-d twice: joined with &, form-urlencoded" same_output -s -d x=1 -d y=2 "$P/echo"
check "-d @FILE: CR and LF removed" same_output -s -d "@$work/form.txt" "$P/echo"
check "--data-binary @FILE: exact bytes" same_output -s --data-binary "@$work/blob.bin" "$P/echo"
check "--data-raw: @ is literal" same_output -s --data-raw "@$work/form.txt" "$P/echo"
check "-d: Content-Type application/x-www-form-urlencoded" \
  same_headers Content-Type Content-Length -- -s -d a=b "$P/headers"
check "--json: the body and its headers" same_output -s --json "@$work/doc.json" "$P/echo"
check "--json: Content-Type and Accept" same_headers Content-Type Accept -- -s --json '{}' "$P/headers"
check "-F: the same multipart body (boundaries aside)" same_echo_multipart -s -F name=cnet \
  -F "file=@$work/form.txt" -F "v=<$work/doc.json" -F "bin=@$work/blob.bin;type=application/x-b" \
  "$P/echo"
check "-T FILE: PUT, exact bytes" same_output -s -T "$work/blob.bin" "$P/echo"
check "-T FILE: the method is PUT" same_output -s -T "$work/blob.bin" -o /dev/null -w '%{http_code} %{method}\n' "$P/echo"
check "-X with -d" same_output -s -X PATCH -d z=9 "$P/echo"

# === request headers ===
check "-A: User-Agent" same_headers User-Agent -- -s -A 'agent/1.0' "$P/headers"
check "-e: Referer" same_headers Referer -- -s -e 'http://ref.test/page' "$P/headers"
check "-u: Authorization Basic" same_headers Authorization -- -s -u 'me:pa:ss' "$P/headers"
check "-H wins over -A" same_headers User-Agent -- -s -A a -H 'User-Agent: b' "$P/headers"
check "Accept: */* by default" same_headers Accept -- -s "$P/headers"
no_auth_after_redirect() {  # -u goes to the origin only, never to another host after -L
  side_by_side -s -L -u me:secret "$P/redirect-to?$P2/headers"
  ! grep -qi '^Authorization' "$work/f/out" && ! grep -qi '^Authorization' "$work/c/out" &&
    grep -q '^Host: ' "$work/f/out" || { show; return 1; }
}
check "-u -L: no Authorization to another host after a redirect" no_auth_after_redirect
check "-u -L: kept on a same-origin redirect" \
  same_headers Authorization -- -s -L -u me:secret "$P/redirect-to?/headers"

# === behaviour ===
check "--compressed: decoded the same" same_output -s --compressed "$P/gzip/5000"
check "no --compressed: the gzip bytes as sent, the same" same_output -s "$P/gzip/5000"
check "without --compressed no Accept-Encoding is sent" same_headers Accept-Encoding -- -s "$P/headers"
asks_gzip() {
  side_by_side -s --compressed "$P/headers"
  grep -qi '^Accept-Encoding: .*gzip' "$work/f/out" && grep -qi '^Accept-Encoding: .*gzip' "$work/c/out" ||
    { show; return 1; }
}
check "--compressed: Accept-Encoding with gzip sent by both" asks_gzip
check "h2 by default on TLS: http_version 2" same_output -s -o /dev/null -w '%{http_version}\n' "${tls_opts[@]}" "$T/bytes/1"
check "--http1.1: http_version 1.1" same_output -s -o /dev/null -w '%{http_version}\n' --http1.1 "${tls_opts[@]}" "$T/bytes/1"
check "--http2: http_version 2" same_output -s -o /dev/null -w '%{http_version}\n' --http2 "${tls_opts[@]}" "$T/bytes/1"
check "-L follows" same_output -s -L "$P/redirect/3"
check "-k: an unknown CA is accepted by both" same_output -s -k "https://127.0.0.1:$tls_port/bytes/40"
insecure_warns() {
  side_by_side -s -k "https://127.0.0.1:$tls_port/bytes/4"
  grep -q 'warning: -k/--insecure' "$work/f/err" && grep -q 'accepted unverified' "$work/f/err" ||
    { show; return 1; }
}
check "-k: fetch warns, even with -s" insecure_warns
check "-k leaves the proxy verified: proxy certificate unknown, 60" \
  same_exit 60 -sS -k -x "https://127.0.0.1:$sproxy_port" "${tls_opts[@]}" "$T/bytes/1"
check "--proxy-insecure: the proxy's unknown CA accepted, the origin verified" \
  same_output -s --proxy-insecure -x "https://127.0.0.1:$sproxy_port" "${tls_opts[@]}" "$T/bytes/50"
origin_still_verified() {  # fetch: 60; curl fails too (7.88 says 35 over its TLS-in-TLS)
  side_by_side -sS --proxy-insecure -x "https://127.0.0.1:$sproxy_port" \
    --resolve "origin.test:$tls_port:127.0.0.1" "$T/bytes/1"
  [ "$(cat "$work/f/rc")" = 60 ] && [ "$(cat "$work/c/rc")" != 0 ] && [ ! -s "$work/f/out" ] ||
    { show; return 1; }
}
check "--proxy-insecure leaves the origin verified: fetch 60, curl fails too" origin_still_verified
check "HTTPS proxy with --proxy-cacert: the same body" same_output -s -x "https://127.0.0.1:$sproxy_port" \
  --proxy-cacert "$work/sproxy.ca" "${tls_opts[@]}" "$T/bytes/5000"
check "HTTP proxy, http:// URL: the same body" same_output -s -x "http://127.0.0.1:$hproxy_port" \
  "http://origin.test:$plain_port/bytes/5000"
check "--noproxy: the host goes direct (the proxy is refused)" \
  same_output -s -x "http://127.0.0.1:$closed_port" --noproxy 127.0.0.1 "$P/bytes/9"
check "--noproxy '*'" same_output -s -x "http://127.0.0.1:$closed_port" --noproxy '*' "$P/bytes/9"
check "a proxy that refuses, without --noproxy: 7" same_exit 7 -sS -x "http://127.0.0.1:$closed_port" "$P/bytes/9"
check "--connect-to HOST:PORT:ADDR:" same_output -s --cacert "$work/tls.ca" \
  --connect-to "origin.test:$tls_port:127.0.0.1:" "$T/bytes/60"
check "--resolve" same_output -s "${tls_opts[@]}" "$T/bytes/61"
check "--connect-to another port (HOST2 and PORT2)" same_output -s --cacert "$work/tls.ca" \
  --connect-to "origin.test:443:127.0.0.1:$tls_port" "https://origin.test/bytes/62"
check "--connect-to a new port only (HOST2 empty)" same_output -s \
  --connect-to "127.0.0.1:1::$plain_port" "http://127.0.0.1:1/bytes/63"
# Cookies: the jar written by -c (its cookie lines; the comments differ), the
# Cookie field sent for -b DATA, a -b file, and a cookie set by one URL sent
# with the next.
jar_lines() { grep -v '^#\|^$' "$1" | sort; }
same_jar() {
  side_by_side -s -c jar "$@"
  [ "$(cat "$work/f/rc")" = 0 ] && [ "$(cat "$work/c/rc")" = 0 ] &&
    [ -s "$work/f/jar" ] && [ "$(jar_lines "$work/f/jar")" = "$(jar_lines "$work/c/jar")" ] ||
    { echo "jars differ"; diff <(jar_lines "$work/f/jar") <(jar_lines "$work/c/jar"); show; return 1; }
}
cookie_url="$P/set-cookie?a=1&b=2%3B%20Path%3D%2Fset-cookie&c=3%3B%20Expires%3DWed,%2001%20Jan%202031%2000:00:00%20GMT&gone=x%3B%20Max-Age%3D0&h=4%3B%20HttpOnly"
check "-c FILE: the jar curl writes" same_jar "$cookie_url"
check "-b NAME=VALUE: the Cookie field as given" same_headers Cookie -- -s -b "x=1; y=2" "$P/headers"
carried() {  # a cookie set by the first URL goes with the second
  same_headers Cookie -- -s -b none "$P/set-cookie?k=v%3B%20Path%3D%2F" "$P/headers" &&
    grep -q '^Cookie: k=v' "$work/f/out" || { show; return 1; }
}
check "-b none: cookies from one URL go with the next" carried
from_jar_file() {  # curl writes a jar, both read it back
  (cd "$work" && "${clean_env[@]}" curl -s -c curl.jar "$P/set-cookie?j=1%3B%20Path%3D%2F" > /dev/null)
  same_headers Cookie -- -s -b "$work/curl.jar" "$P/headers" &&
    grep -q '^Cookie: j=1' "$work/f/out" || { show; return 1; }
}
check "-b FILE: a cookie file curl wrote" from_jar_file
across_redirect() {  # cookies follow -L to another port of the host (cookies ignore ports)
  same_headers Cookie -- -s -L -b none "$P/set-cookie?r=1%3B%20Path%3D%2F" \
    "$P/redirect-to?$P2/headers" && grep -q '^Cookie: r=1' "$work/f/out" || { show; return 1; }
}
check "-b none -L: the jar's cookies go with the redirected request" across_redirect
check "no -b: no cookies sent or kept" same_headers Cookie -- -s "$P/set-cookie?n=1" "$P/headers"
retries() {  # retries N ARGS...: N "Will retry" warnings from each, the same exit, the same file
  local want="$1"
  shift
  side_by_side "$@"
  [ "$(grep -c 'Will retry' "$work/f/err")" = "$want" ] &&
    [ "$(grep -c 'Will retry' "$work/c/err")" = "$want" ] &&
    [ "$(cat "$work/f/rc")" = "$(cat "$work/c/rc")" ] || { show; return 1; }
  [ ! -f "$work/c/r.out" ] || cmp -s "$work/f/r.out" "$work/c/r.out" || { echo "r.out differs"; return 1; }
}
# (-o FILE: curl truncates it before a retry; /dev/null it cannot truncate.)
check "--retry 2 on 503: two retries, exit 0 (no -f), the last answer written" \
  retries 2 --retry 2 --retry-delay 1 -o r.out "$P/status/503"
check "--retry 1 -f on 503: one retry, exit 22" retries 1 --retry 1 --retry-delay 1 -f -o r.out "$P/status/503"
check "--retry on refused without --retry-connrefused: no retry, 7" \
  same_exit 7 -sS --retry 2 --retry-delay 1 "http://127.0.0.1:$closed_port/"
check "--retry-connrefused: refused is retried" \
  retries 1 --retry 1 --retry-delay 1 --retry-connrefused "http://127.0.0.1:$closed_port/"
check "--retry on 404: no retry" same_exit 0 -sS --retry 2 -o /dev/null "$P/status/404"
max_time_per_transfer() {  # (exit: fetch the last failure's, curl the last transfer's)
  side_by_side -s -m 1 -o /dev/null "$P/slow/3000" -o ok "$P/bytes/5"
  [ "$(cat "$work/f/rc")" = 28 ] && [ "$(cat "$work/c/rc")" = 0 ] && [ -s "$work/f/ok" ] &&
    cmp -s "$work/f/ok" "$work/c/ok" || { show; ls -l "$work/f" "$work/c"; return 1; }
}
check "--max-time is per transfer: a slow URL times out (28), the next is fetched" max_time_per_transfer
check "--connect-timeout is taken" same_output -s --connect-timeout 5 "$P/bytes/3"

# A listener that accepts connections and never sends a byte nor closes: a
# silent origin, a TLS peer stalling the handshake, a proxy that never
# answers a CONNECT or a forwarded request.
silent_port=$(free_ports 1)
python3 - "$silent_port" > "$work/silent.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held = []
while True:
    held.append(s.accept()[0])
PY
pids+=("$!")
for _ in $(seq 1 200); do
  (exec 3<> "/dev/tcp/127.0.0.1/$silent_port") 2> /dev/null && break
  sleep 0.05
done
# times_out MS ARGS...: both exit 28, each within MS milliseconds (the
# timeout asked for plus a second).
times_out() {
  local limit="$1"
  shift
  same_exit 28 "$@" || return 1
  [ "$(cat "$work/f/ms")" -le "$limit" ] && [ "$(cat "$work/c/ms")" -le "$limit" ] ||
    { echo "took fetch $(cat "$work/f/ms") ms, curl $(cat "$work/c/ms") ms (limit $limit)"; show; return 1; }
}
check "--connect-timeout 1: a TLS handshake that stalls: 28 within 2 s" \
  times_out 2000 -sS --connect-timeout 1 "https://127.0.0.1:$silent_port/"
check "--connect-timeout 0.5: a proxy that never answers CONNECT: 28 within 1.5 s" \
  times_out 1500 -sS --connect-timeout 0.5 -x "http://127.0.0.1:$silent_port" "https://origin.test/"
check "--connect-timeout 1: an HTTPS proxy that stalls its TLS handshake: 28 within 2 s" \
  times_out 2000 -sS --connect-timeout 1 --proxy-insecure -x "https://127.0.0.1:$silent_port" \
  "http://origin.test/"
check "--max-time 1: an origin that never answers: 28 within 2 s" \
  times_out 2000 -sS --max-time 1 "http://127.0.0.1:$silent_port/"
check "--max-time 0.5: an HTTP proxy that never answers an http:// request: 28 within 1.5 s" \
  times_out 1500 -sS -m 0.5 -x "http://127.0.0.1:$silent_port" "http://origin.test/"

# === -w ===
write_out_same() {  # the fields both must agree on exactly, for one URL
  side_by_side -s -o /dev/null -w "$1" "${@:2}"
  [ "$(cat "$work/f/rc")" = "$(cat "$work/c/rc")" ] && cmp -s "$work/f/out" "$work/c/out" ||
    { show; return 1; }
}
exact='%{http_code} %{http_version} %{num_connects} %{size_download} %{remote_ip} %{remote_port} %{num_redirects} %{url_effective} %{content_type} %{exitcode} %{scheme}\n'
check "-w: exact fields over HTTP/1.1" write_out_same "$exact" "$P/bytes/1234"
check "-w: exact fields over h2 with TLS" write_out_same "$exact" "${tls_opts[@]}" "$T/bytes/999"
check "-w: exact fields after redirects" write_out_same "$exact" -L "$P/redirect/2"
check "-w: http_code 000 when nothing came" write_out_same '%{http_code} %{exitcode}\n' "http://127.0.0.1:$closed_port/"
times_in_reason() {  # the times: ordered as curl orders them, and the two tools within 2 s
  side_by_side -s -o /dev/null -w '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total} %{speed_download}\n' "$@"
  python3 - "$work/f/out" "$work/c/out" <<'PY' || { show; return 1; }
import sys
f = [float(x) for x in open(sys.argv[1]).read().split()]
c = [float(x) for x in open(sys.argv[2]).read().split()]
assert len(f) == len(c) == 7, (f, c)
names = "namelookup connect appconnect pretransfer starttransfer total".split()
for vals, who in ((f, "fetch"), (c, "curl")):
    t = vals[:6]
    assert all(x >= 0 for x in t), (who, t)
    order = [t[0], t[1], t[3], t[4], t[5]]  # appconnect is 0 without TLS
    assert order == sorted(order), (who, dict(zip(names, t)))
    assert t[5] < 5, (who, "time_total", t[5])
    assert vals[6] > 0, (who, "speed_download", vals[6])
for i, n in enumerate(names):
    assert abs(f[i] - c[i]) < 2, (n, f[i], c[i])
PY
}
check "-w: times ordered and within reason, HTTP/1.1" times_in_reason "$P/bytes/100000"
check "-w: times ordered and within reason, TLS" times_in_reason "${tls_opts[@]}" "$T/bytes/100000"
appconnect_set() {
  side_by_side -s -o /dev/null -w '%{time_appconnect} %{time_connect}\n' "${tls_opts[@]}" "$T/bytes/1"
  python3 -c 'import sys; a, c = map(float, open(sys.argv[1]).read().split()); assert a > 0 and a >= c, (a, c)' \
    "$work/f/out" || { show; return 1; }
}
check "-w: time_appconnect after time_connect on TLS" appconnect_set
cnet_fields() {  # cnet's own: proxy_chain, tunnel_reused, session_reused (fetch only)
  "${clean_env[@]}" timeout 30 "$fetch" -s -o /dev/null -o /dev/null \
    -w '%{proxy_chain} %{tunnel_reused} %{session_reused} %{num_connects}\n' \
    -x "https://127.0.0.1:$sproxy_port" --proxy-cacert "$work/sproxy.ca" "${tls_opts[@]}" \
    "$T/bytes/1" "$T/bytes/2" > "$work/cnet.out" 2>&1
  printf 'https://127.0.0.1:%s 0 0 1\nhttps://127.0.0.1:%s 1 1 0\n' "$sproxy_port" "$sproxy_port" |
    cmp - "$work/cnet.out" || { cat "$work/cnet.out"; return 1; }
}
check "-w: cnet's proxy_chain, tunnel_reused, session_reused (second request: reused)" cnet_fields

# === -v ===
verbose_like_curl() {
  side_by_side -v -o /dev/null "$P/bytes/5"
  local tool
  for tool in f c; do
    tr -d '\r' < "$work/$tool/err" > "$work/$tool/v"
    for line in "> GET /bytes/5 HTTP/1.1" "> Host: 127.0.0.1:$plain_port" "> Accept: */*" \
      "< HTTP/1.1 200 OK" "< Content-Length: 5"; do
      grep -qxF -- "$line" "$work/$tool/v" || { echo "$tool lacks '$line'"; cat "$work/$tool/v"; return 1; }
    done
    grep -q "Trying 127.0.0.1:$plain_port" "$work/$tool/v" || { echo "$tool: no Trying line"; return 1; }
  done
}
check "-v: request and response heads and the Trying line, as curl" verbose_like_curl
verbose_parallel() {  # every line carries its transfer's number
  "${clean_env[@]}" timeout 30 "$fetch" -v --parallel 2 -o /dev/null -o /dev/null "$P/bytes/1" "$P/bytes/2" \
    2> "$work/pv" > /dev/null || return 1
  ! grep -vE '^\[[12]\] ' "$work/pv" && grep -q '^\[1\] > GET /bytes/1 ' "$work/pv" &&
    grep -q '^\[2\] > GET /bytes/2 ' "$work/pv" || { cat "$work/pv"; return 1; }
}
check "-v --parallel: every line starts with its transfer's number" verbose_parallel

# === fetch's own, checked against what curl reports of the same libraries ===
netlog_stdout() {
  "${clean_env[@]}" "$fetch" --netlog - -o /dev/null "$P/bytes/1" > "$work/nl" &&
    grep -q '"type":"TCP_CONNECT","phase":"END"' "$work/nl" || { head "$work/nl"; return 1; }
}
check "--netlog -: the NetLog on stdout" netlog_stdout
versions_match_curls() {  # both link Debian's nghttp2 and zlib: the same versions
  local fv cv lib
  fv=$("$fetch" --version) && cv=$(curl --version) || return 1
  for lib in nghttp2 zlib; do
    [ "$(grep -oE "$lib/[0-9.]+" <<< "$fv" | sort -u)" = "$(grep -oE "$lib/[0-9.]+" <<< "$cv" | head -1)" ] ||
      { echo "$lib: fetch '$fv' curl '$cv'"; return 1; }
  done
  grep -q 'cnet/[0-9]' <<< "$fv" && grep -q 'libuv/[0-9]' <<< "$fv" && grep -q 'BoringSSL' <<< "$fv" &&
    grep -q '^Protocols: ' <<< "$fv" &&
    grep -q '^Features: ' <<< "$fv"
}
check "--version: nghttp2's and zlib's versions as curl reports them; libuv, BoringSSL, protocols, features" \
  versions_match_curls

# === through squid (Debian's), when it is installed ===
squid_bin=$(command -v squid || true)
[ -z "$squid_bin" ] && [ -x /usr/sbin/squid ] && squid_bin=/usr/sbin/squid
start_squid() {
  sq="$work/squid"
  mkdir -p "$sq"
  squid_port=$(free_ports 1)
  local user=proxy
  id -u proxy > /dev/null 2>&1 || user=nobody
  cat > "$sq/squid.conf" <<EOF
http_port 127.0.0.1:$squid_port
pid_filename $sq/squid.pid
cache_log $sq/cache.log
access_log stdio:$sq/access.log
cache deny all
cache_mem 8 MB
pinger_enable off
netdb_filename none
visible_hostname cnet-compat
shutdown_lifetime 0 seconds
acl SSL_ports port $tls_port
http_access deny CONNECT !SSL_ports
http_access allow localhost
http_access deny all
EOF
  [ "$(id -u)" -eq 0 ] && { echo "cache_effective_user $user" >> "$sq/squid.conf"; chmod 711 "$work"; chown -R "$user" "$sq"; }
  "$squid_bin" -N -f "$sq/squid.conf" > "$work/squid.out" 2>&1 &
  squid_pid=$!
  for _ in $(seq 1 200); do
    grep -q "Accepting .* local=127.0.0.1:$squid_port " "$sq/cache.log" 2>/dev/null && return 0
    sleep 0.05
  done
  cp "$sq/cache.log" "$work/setup.log" 2>/dev/null
  return 1
}
if [ -z "$squid_bin" ]; then
  skip "fetch and curl through squid" "squid is not installed"
elif ! start_squid; then
  bail "squid starts"
else
  S="http://127.0.0.1:$squid_port"
  check "squid: http:// through it, the same body" same_output -s -x "$S" "$P/bytes/20000"
  check "squid: https:// through its CONNECT, the same body" same_output -s -x "$S" \
    --cacert "$work/tls.ca" "https://127.0.0.1:$tls_port/bytes/20000"
  check "squid: -d through it, the bytes the origin received" same_output -s -x "$S" -d a=1 -d b=2 "$P/echo"
  check "squid: -i through it, the same head" same_headers Content-Length Content-Type -- -s -i -x "$S" "$P/bytes/10"
  check "squid: an origin that refuses, -f: 22 from both (squid's 503)" \
    same_exit 22 -sS -f -x "$S" "http://127.0.0.1:$closed_port/"
  check "squid: CONNECT to a port squid denies: fetch 97, curl 56 (docs/fetch.md)" \
    exits_differ 97 56 -sS -x "$S" --cacert "$work/tls.ca" "https://127.0.0.1:$plain_port/"
fi

echo "1..$n"
[ "$failures" -eq 0 ]
