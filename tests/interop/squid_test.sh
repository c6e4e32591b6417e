#!/usr/bin/env bash
# shellcheck disable=SC2154  # the ${name}_port variables are set by printf -v
# Interop with a real proxy: Debian's squid. Starts, on free 127.0.0.1 ports
# in a private temp dir, four origins -- two plain-HTTP cnet testservers, a TLS
# cnet testserver, and openssl s_server -WWW as a second TLS origin -- and one
# squid with four listening ports:
#   http   http_port   open to localhost                      (F1, F2 over HTTP/1.1)
#   https  https_port  open to localhost, our own certificate (F1, F2 over TLS)
#   auth   http_port   Basic auth (basic_ncsa_auth)
#   auths  https_port  Basic auth
# then drives fetch (and curl, to cross-check) through it.
#
# Usage: tests/interop/squid_test.sh OUT_DIR   (e.g. out/debug; needs fetch and testserver)
# Prints one "ok N - what" / "not ok N - what" line per check (TAP style);
# "ok N - what # SKIP reason" only when a tool is missing (no squid, no TLS in
# squid, no auth helper, no curl). Exits non-zero if a check failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
suite_setup squid "${1:-out/debug}"
testserver="$out/testserver"

sq="$work/squid"  # squid's own dir: config, certificate, logs (owned by squid's user)
mkdir -p "$sq"
pids=()        # testservers
squid_pid=""

cleanup() {
  # squid first: it may still have connections to the origins.
  [ -n "$squid_pid" ] && stop_pids "$squid_pid"
  stop_pids "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

suite_context() {  # squid's logs, after a failing check's output
  if [ -f "$sq/cache.log" ]; then
    echo "--- squid cache.log (tail)"
    tail -15 "$sq/cache.log"
  fi
  if [ -f "$sq/access.log" ]; then
    echo "--- squid access.log (tail)"
    tail -6 "$sq/access.log"
  fi
}

# --- tools -----------------------------------------------------------------

{ [ -x "$fetch" ] && [ -x "$testserver" ]; } || bail "fetch and testserver are built in $out"
squid_bin=$(command -v squid || true)
if [ -z "$squid_bin" ] && [ -x /usr/sbin/squid ]; then squid_bin=/usr/sbin/squid; fi
if [ -z "$squid_bin" ]; then
  skip "squid interop" "squid is not installed (build/install-deps.sh installs it)"
  exit 0
fi
squid_version=$("$squid_bin" -v | sed -n 's/^Squid Cache: Version //p')
# TLS ports (https_port) need squid built with GnuTLS (Debian's squid) or OpenSSL (squid-openssl).
have_tls=0
"$squid_bin" -v | grep -qiE -- '--with-(gnutls|openssl)' && have_tls=1
ncsa=""
for d in /usr/lib/squid /usr/lib64/squid /usr/libexec/squid; do
  [ -x "$d/basic_ncsa_auth" ] && { ncsa="$d/basic_ncsa_auth"; break; }
done
have_auth=0
[ -n "$ncsa" ] && have_auth=1
have_curl=0
command -v curl >/dev/null && have_curl=1
command -v python3 >/dev/null || bail "python3 is installed (free ports, expected bodies)"
command -v openssl >/dev/null || bail "openssl is installed (certificates, second TLS origin)"

# A CA ("cnet interop CA") and a leaf for 127.0.0.1: the certificate of squid's
# https_ports and of the second TLS origin.
make_certs() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/O=cnet/CN=cnet interop CA" \
    -keyout "$sq/ca.key" -out "$work/interop-ca.pem" &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$sq/leaf.key" -out "$sq/leaf.csr" &&
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
      > "$sq/leaf.ext" &&
    openssl x509 -req -in "$sq/leaf.csr" -CA "$work/interop-ca.pem" -CAkey "$sq/ca.key" \
      -CAcreateserial -days 2 -extfile "$sq/leaf.ext" -out "$sq/leaf.pem"
}
make_certs > "$work/setup.log" 2>&1 || bail "openssl makes the interop CA and certificate"

# --- origins -----------------------------------------------------------------

# Expected bodies: byte i of every generated body is (i*31+7)&0xff.
make_pattern

# The second TLS origin is openssl s_server -WWW (HTTP/1.0, no Content-Length,
# closes after each response) serving files bytes/N, with the interop CA's
# leaf: two testservers cannot share one --cacert bundle (their CAs have the
# same subject and no key identifiers, so verifiers pick the wrong one).
start_sserver() {
  local port
  mkdir -p "$work/www/bytes"
  for len in 1000 2000 100000; do head -c "$len" "$work/pattern" > "$work/www/bytes/$len"; done
  for _ in 1 2 3; do
    port=$(free_ports 1)
    (cd "$work/www" && exec openssl s_server -accept "127.0.0.1:$port" -cert "$sq/leaf.pem" \
      -key "$sq/leaf.key" -WWW -quiet) > "$work/tlsB.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 100); do
      if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
        pids+=("$pid")
        tlsB_port=$port
        return 0
      fi
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.05
    done
    kill "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
  done
  cp "$work/tlsB.log" "$work/setup.log"
  bail "openssl s_server (second TLS origin) starts"
}

start_server plainA --plain
start_server plainB --plain
start_server tlsA --name origin.test
start_sserver
cat "$work/tlsA.ca" "$work/interop-ca.pem" > "$work/origins.ca"

# --- squid -------------------------------------------------------------------

if [ "$have_auth" -eq 1 ]; then
  printf 'alice:%s\n' "$(openssl passwd -apr1 's3cret')" > "$sq/passwd" || have_auth=0
fi

write_config() {
  {
    echo "http_port 127.0.0.1:$http_port"
    echo "http_port 127.0.0.1:$auth_port"
    if [ "$have_tls" -eq 1 ]; then
      echo "https_port 127.0.0.1:$https_port tls-cert=$sq/leaf.pem tls-key=$sq/leaf.key"
      echo "https_port 127.0.0.1:$auths_port tls-cert=$sq/leaf.pem tls-key=$sq/leaf.key"
    fi
    cat <<EOF
pid_filename $sq/squid.pid
cache_log $sq/cache.log
access_log stdio:$sq/access.log
coredump_dir $sq
cache deny all
cache_mem 8 MB
pinger_enable off
netdb_filename none
visible_hostname cnet-interop
shutdown_lifetime 0 seconds
EOF
    # Root: squid drops to an unprivileged user (it refuses to serve as root).
    [ "$(id -u)" -eq 0 ] && echo "cache_effective_user $squid_user"
    if [ "$have_auth" -eq 1 ]; then
      cat <<EOF
auth_param basic program $ncsa $sq/passwd
auth_param basic children 2 startup=1 idle=1
auth_param basic realm cnet-interop
acl authed proxy_auth REQUIRED
EOF
    fi
    # squid's defaults allow CONNECT to 443 only (SSL_ports): allow the TLS origins' ports.
    cat <<EOF
acl SSL_ports port $tlsA_port $tlsB_port
acl auth_ports localport $auth_port $auths_port
http_access deny CONNECT !SSL_ports
EOF
    [ "$have_auth" -eq 1 ] && echo "http_access allow auth_ports localhost authed"
    cat <<EOF
http_access deny auth_ports
http_access allow localhost
http_access deny all
EOF
  } > "$sq/squid.conf"
}

squid_user=proxy
id -u proxy > /dev/null 2>&1 || squid_user=nobody
chmod 711 "$work"
[ "$(id -u)" -eq 0 ] && chown -R "$squid_user" "$sq"

squid_listening() {  # every port accepted, per cache.log
  local p
  for p in "$http_port" "$auth_port" $([ "$have_tls" -eq 1 ] && echo "$https_port $auths_port"); do
    grep -q "Accepting .* local=127.0.0.1:$p " "$sq/cache.log" 2>/dev/null || return 1
  done
}

start_squid() {
  read -r http_port https_port auth_port auths_port < <(free_ports 4)
  write_config
  rm -f "$sq/cache.log" "$sq/squid.pid"
  "$squid_bin" -k parse -f "$sq/squid.conf" > "$work/setup.log" 2>&1 || return 1
  "$squid_bin" -N -f "$sq/squid.conf" > "$work/squid.out" 2>&1 &
  squid_pid=$!
  for _ in $(seq 1 200); do
    squid_listening && return 0
    kill -0 "$squid_pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$work/squid.out" >> "$work/setup.log"
  kill -KILL "$squid_pid" 2>/dev/null
  wait "$squid_pid" 2>/dev/null
  squid_pid=""
  return 1
}

# A free port can be taken between probing and squid's bind: try again.
started=0
for _ in 1 2 3; do
  start_squid && { started=1; break; }
done
[ "$started" -eq 1 ] || bail "squid $squid_version starts and listens"
features="http_port"
[ "$have_tls" -eq 1 ] && features="$features, https_port"
[ "$have_auth" -eq 1 ] && features="$features, basic auth"
check "squid $squid_version listens ($features)" true

http_proxy="http://127.0.0.1:$http_port"
https_proxy="https://127.0.0.1:$https_port"
auth_proxy="http://127.0.0.1:$auth_port"
auths_proxy="https://127.0.0.1:$auths_port"
A="http://127.0.0.1:$plainA_port"
B="http://127.0.0.1:$plainB_port"
SA="https://127.0.0.1:$tlsA_port"
SB="https://127.0.0.1:$tlsB_port"

# --- helpers -------------------------------------------------------------------

fetch_bytes() {  # fetch_bytes "N..." fetch-args...: body is exact
  local lens="$1"
  shift
  run_fetch "$@" || return 1
  # shellcheck disable=SC2086
  expect_body $lens
}

fetch_counts() {  # fetch_counts "N..." "key=value..." fetch-args...: body exact, counters exact
  local lens="$1" stats="$2"
  shift 2
  run_fetch --stats "$@" || return 1
  # shellcheck disable=SC2086
  expect_body $lens && expect_stats $stats
}

logged() {  # logged REGEX: squid's access.log has a matching line
  grep -qE "$1" "$sq/access.log" || { echo "access.log has no line matching: $1"; return 1; }
}

fetch_via_squid() {  # the origin sees squid's Via header
  run_fetch -x "$http_proxy" "$A/headers" || return 1
  grep -q '^Via: 1.1 cnet-interop (squid' "$work/body" || { echo "no squid Via in:"; cat "$work/body"; return 1; }
}

fetch_mixed() {  # F1, F2, F1 on one run through $1: one tunnel, the GET connection reused
  run_fetch --stats -x "$1" "${@:2}" "$A/bytes/100" "$SA/bytes/200" "$B/bytes/300" || return 1
  expect_body 100 200 300 && expect_stats tunnels=1 requests=3 tcp_connects='[12]'
}

curl_same() {  # curl_same URL curl-proxy-args...: curl's body == fetch's body
  local url="$1"
  shift
  timeout 30 curl -sS "$@" -o "$work/curl.body" "$url" 2> "$work/curl.err" ||
    { echo "curl $* $url failed:"; cat "$work/curl.err"; return 1; }
  run_fetch "$@" "$url" || return 1
  cmp "$work/curl.body" "$work/body" || return 1
  expect_body "${url##*/}"
}

# --- F1: plain-HTTP origins through squid's http_port --------------------------

check "F1 via http proxy: /bytes/100000 is exact" fetch_bytes 100000 -x "$http_proxy" "$A/bytes/100000"
check "F1 via http proxy: the origin sees squid's Via header" fetch_via_squid
check "F1 via http proxy: /chunked/70000 is exact" fetch_bytes 70000 -x "$http_proxy" "$A/chunked/70000"
check "F1 via http proxy: /gzip/5000 is decoded" fetch_bytes 5000 --compressed -x "$http_proxy" "$A/gzip/5000"
check "F1 via http proxy: POST /echo" \
  bash -c "timeout 30 '$fetch' --no-proxy-env -x '$http_proxy' -d hello-squid '$A/echo' | grep -qx hello-squid"
check "F1 via http proxy: 3 URLs on 2 origins, one proxy connection (jump to step 9)" \
  fetch_counts "1000 2000 3000" "tcp_connects=1 tls_handshakes=0 tunnels=0 requests=3" \
  --compressed -x "$http_proxy" "$A/bytes/1000" "$B/chunked/2000" "$A/gzip/3000"
check "F1 via http proxy: --repeat 3, one proxy connection" \
  fetch_counts "4000 4000 4000" "tcp_connects=1 tls_handshakes=0 tunnels=0 requests=3" \
  -x "$http_proxy" --repeat 3 "$B/bytes/4000"

# --- F2: TLS origins through a CONNECT tunnel on squid's http_port -----------

check "F2 via http proxy: /bytes/100000 is exact" \
  fetch_bytes 100000 -x "$http_proxy" --cacert "$work/origins.ca" "$SA/bytes/100000"
check "F2 via http proxy: squid logged the tunnel" logged "TCP_TUNNEL/200 .* CONNECT 127.0.0.1:$tlsA_port "
check "F2 via http proxy: /chunked/70000 and /gzip/5000 are exact" \
  fetch_bytes "70000 5000" --compressed -x "$http_proxy" --cacert "$work/origins.ca" "$SA/chunked/70000" "$SA/gzip/5000"
check "F2 via http proxy: 2 GETs to one origin, one tunnel (jump to step 19)" \
  fetch_counts "1000 2000" "tcp_connects=1 tls_handshakes=1 tunnels=1 requests=2" \
  -x "$http_proxy" --cacert "$work/origins.ca" "$SA/bytes/1000" "$SA/bytes/2000"
check "F2 via http proxy: 2 origins, 2 tunnels" \
  fetch_counts "1000 2000 3000" "tcp_connects=2 tls_handshakes=2 tunnels=2 requests=3" \
  -x "$http_proxy" --cacert "$work/origins.ca" "$SA/bytes/1000" "$SB/bytes/2000" "$SA/bytes/3000"
check "F2 via http proxy: POST /echo" \
  bash -c "timeout 30 '$fetch' --no-proxy-env -x '$http_proxy' --cacert '$work/origins.ca' -d hello-tunnel '$SA/echo' | grep -qx hello-tunnel"
check "F1+F2 via http proxy: one tunnel, GET connection reused" \
  fetch_mixed "$http_proxy" --cacert "$work/origins.ca"
check "CONNECT to a port outside squid's SSL_ports is ERR_TUNNEL_CONNECTION_FAILED" \
  fetch_fails ERR_TUNNEL_CONNECTION_FAILED -x "$http_proxy" "https://127.0.0.1:$plainA_port/"

# --- F1 and F2 through squid's https_port ---------------------------------------

if [ "$have_tls" -eq 1 ]; then
  pca="$work/interop-ca.pem"
  check "F1 via https proxy: /bytes/100000 is exact" \
    fetch_bytes 100000 -x "$https_proxy" --proxy-cacert "$pca" "$A/bytes/100000"
  check "F1 via https proxy: 3 URLs on 2 origins, one proxy connection (jump to step 9)" \
    fetch_counts "1000 2000 3000" "tcp_connects=1 tls_handshakes=1 tunnels=0 requests=3" \
    --compressed -x "$https_proxy" --proxy-cacert "$pca" "$A/bytes/1000" "$B/chunked/2000" "$A/gzip/3000"
  check "F2 via https proxy: /bytes/100000 is exact" \
    fetch_bytes 100000 -x "$https_proxy" --proxy-cacert "$pca" --cacert "$work/origins.ca" \
    "$SA/bytes/100000"
  check "F2 via https proxy: 2 GETs to one origin, 2 TLS handshakes, 1 tunnel (jump to step 19)" \
    fetch_counts "1000 2000" "tcp_connects=1 tls_handshakes=2 tunnels=1 requests=2" \
    -x "$https_proxy" --proxy-cacert "$pca" --cacert "$work/origins.ca" "$SA/bytes/1000" "$SA/chunked/2000"
  check "F2 via https proxy: 2 origins, 2 tunnels" \
    fetch_counts "1000 2000" "tcp_connects=2 tls_handshakes=4 tunnels=2 requests=2" \
    -x "$https_proxy" --proxy-cacert "$pca" --cacert "$work/origins.ca" "$SA/bytes/1000" "$SB/bytes/2000"
  check "F1+F2 via https proxy: one tunnel, GET connection reused" \
    fetch_mixed "$https_proxy" --proxy-cacert "$pca" --cacert "$work/origins.ca"
  check "https proxy with an untrusted certificate is ERR_PROXY_CERTIFICATE_INVALID" \
    fetch_fails ERR_PROXY_CERTIFICATE_INVALID -x "$https_proxy" --cacert "$work/tlsA.ca" "$SA/bytes/1"
else
  for what in "F1 via https proxy" "F2 via https proxy"; do
    skip "$what" "squid $squid_version is built without TLS (https_port)"
  done
fi

# --- curl through the same proxy gives the same bytes --------------------------

if [ "$have_curl" -eq 1 ]; then
  check "curl and fetch agree: F1 via http proxy" curl_same "$A/chunked/50000" -x "$http_proxy"
  check "curl and fetch agree: F2 via http proxy" \
    curl_same "$SA/bytes/100000" -x "$http_proxy" --cacert "$work/origins.ca"
  if [ "$have_tls" -eq 1 ]; then
    check "curl and fetch agree: F2 via https proxy" \
      curl_same "$SA/bytes/100000" -x "$https_proxy" --proxy-cacert "$pca" --cacert "$work/origins.ca"
  fi
else
  skip "curl and fetch agree" "curl is not installed"
fi

# --- proxy authentication (Basic, basic_ncsa_auth) -----------------------------

if [ "$have_auth" -eq 1 ]; then
  check "no credentials: F1 is ERR_PROXY_AUTH_REQUESTED" \
    fetch_fails ERR_PROXY_AUTH_REQUESTED -x "$auth_proxy" "$A/bytes/10"
  check "no credentials: F2 is ERR_PROXY_AUTH_REQUESTED" \
    fetch_fails ERR_PROXY_AUTH_REQUESTED -x "$auth_proxy" --cacert "$work/origins.ca" "$SA/bytes/10"
  check "wrong password is ERR_PROXY_AUTH_REQUESTED" \
    fetch_fails ERR_PROXY_AUTH_REQUESTED -x "$auth_proxy" --proxy-user alice:wrong "$A/bytes/10"
  check "--proxy-user: F1, the 407 answered on the same connection" \
    fetch_counts "1000 2000" "tcp_connects=1 requests=2" \
    -x "$auth_proxy" --proxy-user alice:s3cret "$A/bytes/1000" "$B/bytes/2000"
  check "--proxy-user: squid logged user alice" logged "TCP_MISS/200 .* GET $B/bytes/2000 alice "
  check "credentials in the proxy URL: F2, one tunnel" \
    fetch_counts "1000 2000" "tcp_connects=1 tls_handshakes=1 tunnels=1 requests=2" \
    -x "http://alice:s3cret@127.0.0.1:$auth_port" --cacert "$work/origins.ca" \
    "$SA/bytes/1000" "$SA/bytes/2000"
  if [ "$have_tls" -eq 1 ]; then
    check "--proxy-user via https proxy: F1, one proxy connection" \
      fetch_counts "1000 2000" "tcp_connects=1 tls_handshakes=1 tunnels=0 requests=2" \
      -x "$auths_proxy" --proxy-cacert "$pca" --proxy-user alice:s3cret "$A/bytes/1000" "$B/bytes/2000"
    check "--proxy-user via https proxy: F2, one tunnel" \
      fetch_counts "1000 2000" "tcp_connects=1 tls_handshakes=2 tunnels=1 requests=2" \
      -x "$auths_proxy" --proxy-cacert "$pca" --proxy-user alice:s3cret \
      --cacert "$work/origins.ca" "$SA/bytes/1000" "$SA/bytes/2000"
    check "no credentials via https proxy: ERR_PROXY_AUTH_REQUESTED" \
      fetch_fails ERR_PROXY_AUTH_REQUESTED -x "$auths_proxy" --proxy-cacert "$pca" \
      --cacert "$work/origins.ca" "$SA/bytes/10"
  fi
else
  skip "proxy auth" "squid's basic_ncsa_auth helper is missing"
fi

[ "$failures" -eq 0 ]
