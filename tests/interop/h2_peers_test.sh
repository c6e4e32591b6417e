#!/usr/bin/env bash
# shellcheck disable=SC2154  # the ${name}_port variables are set by printf -v
# Interop of cnet's HTTP/2 paths with real HTTP/2 peers from Debian. Starts, on
# free 127.0.0.1 ports in a private temp dir, with certificates from the
# suite's own CA (leaf names proxy.test, origin.test, h2origin.test):
#   nginx    one process, three servers on one docroot:
#              plain   http            F4's origin
#              h1      TLS, http/1.1   F5's origin (ALPN offers http/1.1 only)
#              h2      TLS, h2         F6's origin, and the direct HTTP/2 origin
#            each with /echo (the echo module returns the request body)
#   nghttpd  TLS, h2 only, --echo-upload: a second HTTP/2 origin (and two
#            more: one padded with a small connection window, one with a
#            4 KiB stream window)
#   squid    http_port: the HTTP/1.1 forward proxy behind nghttpx; it resolves
#            the .test names from its own hosts_file
#   nghttpx  --http2-proxy: the HTTP/2 secure proxy (TLS, ALPN h2) in front of
#            squid
# and drives fetch through them (and curl, to cross-check the setup).
#
# Usage: tests/interop/h2_peers_test.sh OUT_DIR   (e.g. out/debug; needs fetch)
# Prints one "ok N - what" / "not ok N - what" line per check (TAP style);
# "ok N - what # SKIP reason" only when a peer is not installed. Exits non-zero
# if a check failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
# shellcheck source=bench/lib.sh
. "$here/../../bench/lib.sh"  # find_tool, make_peer_certs, start_peer, start_with_retries
suite_setup h2peers "${1:-out/debug}"

www="$work/www"     # the origins' docroot (nginx and nghttpd)
sq="$work/squid"    # squid's own dir (owned by squid's user when we are root)
mkdir -p "$www" "$sq" "$work/nginx"
pids=()             # every server we started, killed by PID on exit

cleanup() {
  stop_pids "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

suite_context() {  # the tails of the peers' logs, after a failing check's output
  local f
  for f in "$work/nghttpx.err" "$work/nghttpx.access" "$work/nghttpx1.access" "$work/nghttpx2.access" "$work/nghttpx3.access" "$sq/cache.log" "$sq/access.log" \
    "$work/nginx/error.log" "$work/nginx/access.log" "$work/nghttpd.log" "$work/nghttpd2.log" \
    "$work/nghttpd3.log"; do
    [ -s "$f" ] || continue
    echo "--- ${f#"$work"/} (tail)"
    tail -6 "$f"
  done
}

# --- tools -------------------------------------------------------------------

[ -x "$fetch" ] || bail "fetch is built in $out"
nghttpx_bin=$(find_tool nghttpx)
nghttpd_bin=$(find_tool nghttpd)
nginx_bin=$(find_tool nginx)
squid_bin=$(find_tool squid)
missing=""
for t in nghttpx nghttpd nginx squid; do
  v="${t}_bin"
  [ -n "${!v}" ] || missing="$missing $t"
done
if [ -n "$missing" ]; then
  skip "HTTP/2 peers interop" "not installed:$missing (build/install-deps.sh installs them)"
  exit 0
fi
command -v python3 >/dev/null || bail "python3 is installed (free ports)"
command -v openssl >/dev/null || bail "openssl is installed (certificates)"
have_curl=0
command -v curl >/dev/null && have_curl=1
echo_module=""
for f in /usr/lib/nginx/modules/ngx_http_echo_module.so /usr/lib64/nginx/modules/ngx_http_echo_module.so; do
  [ -f "$f" ] && { echo_module="$f"; break; }
done
nghttpx_version=$("$nghttpx_bin" --version | awk '{print $2}')
nghttpd_version=$("$nghttpd_bin" --version | awk '{print $2}')
nginx_version=$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')
squid_version=$("$squid_bin" -v | sed -n 's/^Squid Cache: Version //p')

# --- certificates: a CA and one leaf for every name ----------------------------

make_peer_certs "cnet h2 interop CA" \
  "DNS:proxy.test,DNS:origin.test,DNS:h2origin.test,IP:127.0.0.1" > "$work/setup.log" 2>&1 ||
  bail "openssl makes the interop CA and leaf certificate"
ca="$work/ca.pem"

# --- the docroot -----------------------------------------------------------------

# Known files; the checks compare fetched bodies with them byte for byte.
make_docroot() {
  printf 'cnet h2 interop\n' > "$www/index.html" &&
    head -c 1000 /dev/urandom > "$www/1k.bin" &&
    head -c 100000 /dev/urandom > "$www/100k.bin" &&
    head -c 5000000 /dev/urandom > "$www/5m.bin" &&
    # An upload body: text (fetch takes -d DATA as an argument), 96 KB, more
    # than HTTP/2's initial 65535-byte window, so it needs WINDOW_UPDATEs.
    head -c 72000 /dev/urandom | base64 -w 0 > "$work/upload.txt" &&
    chmod -R a+rX "$www"
}
make_docroot > "$work/setup.log" 2>&1 || bail "the docroot is written"

# --- nginx: plain, TLS http/1.1 and TLS h2 servers --------------------------------

start_nginx() {
  read -r plain_port h1_port h2_port h2x_port < <(free_ports 4)
  # /echo: the request body back; /hdr: the X-Big request header back;
  # /bigheaders: 48 KB of response headers (nginx sends HEADERS +
  # CONTINUATION frames: a HEADERS frame holds at most 16 KB).
  local locs="location = /bigheaders { $big_headers return 200 \"ok\\n\"; }"
  if [ -n "$echo_module" ]; then
    locs="$locs location = /echo { echo_read_request_body; echo_request_body; }"
    locs="$locs location = /hdr { echo -n \$http_x_big; }"
  fi
  local tls="ssl_certificate $work/leaf.pem; ssl_certificate_key $work/leaf.key;"
  {
    [ -n "$echo_module" ] && echo "load_module $echo_module;"
    nginx_conf_head info 128
    cat <<EOF
  access_log $work/nginx/access.log;
  client_max_body_size 10m;
  client_body_buffer_size 1m;
  root $www;
  large_client_header_buffers 4 64k;
  server { listen 127.0.0.1:$plain_port; server_name origin.test; $locs }
  server { listen 127.0.0.1:$h1_port ssl; server_name origin.test; $tls $locs }
  server { listen 127.0.0.1:$h2_port ssl http2; server_name origin.test; $tls $locs }
  # h2x: GOAWAY after every second request on a connection, and a 4 KiB
  # initial stream window (SETTINGS_INITIAL_WINDOW_SIZE) for uploads.
  server { listen 127.0.0.1:$h2x_port ssl http2; server_name origin.test; $tls $locs
    keepalive_requests 2; http2_body_preread_size 4k; }
}
EOF
  } > "$work/nginx/nginx.conf"
  start_nginx_peer "$work/nginx/stdout.log" "$plain_port $h1_port $h2_port $h2x_port"
}
big_value=$(head -c 4000 /dev/zero | tr '\0' b)
big_headers=""
for i in $(seq 1 12); do big_headers="$big_headers add_header X-Big-$i $big_value;"; done
start_with_retries start_nginx || bail "nginx $nginx_version starts (plain, TLS, TLS+h2)"

# --- nghttpd: TLS h2 origin ----------------------------------------------------------

start_nghttpd() {
  read -r nghttpd_port < <(free_ports 1)
  start_peer nghttpd "$work/nghttpd.log" "$nghttpd_port" \
    "$nghttpd_bin" -a 127.0.0.1 -d "$www" --echo-upload "$nghttpd_port" "$work/leaf.key" "$work/leaf.pem"
}
start_with_retries start_nghttpd || bail "nghttpd $nghttpd_version starts"

# A second nghttpd that makes the client work harder: every frame padded
# (up to 255 bytes), a trailer after every body, a 16 KiB connection window
# (uploads wait for WINDOW_UPDATEs) and at most 2 concurrent streams. The
# small *stream* window (--window-bits) is the third nghttpd's alone: with it
# nghttp2 1.52 resets some uploads by a quirk of its own (README, "Known gaps").
start_nghttpd2() {
  read -r nghttpd2_port < <(free_ports 1)
  start_peer nghttpd2 "$work/nghttpd2.log" "$nghttpd2_port" \
    "$nghttpd_bin" -a 127.0.0.1 -d "$www" --echo-upload --padding=255 --trailer="x-interop: trailer" \
    --connection-window-bits=14 --max-concurrent-streams=2 \
    "$nghttpd2_port" "$work/leaf.key" "$work/leaf.pem"
}
start_with_retries start_nghttpd2 || bail "nghttpd $nghttpd_version (padding, trailers, small window) starts"

# A third nghttpd with a 4095-byte initial stream window (--window-bits=12),
# frames logged (-v): fetch's first 65535 bytes of an upload leave before its
# SETTINGS arrive, so the stream window goes negative (RFC 9113 6.9.2).
start_nghttpd3() {
  read -r nghttpd3_port < <(free_ports 1)
  start_peer nghttpd3 "$work/nghttpd3.log" "$nghttpd3_port" \
    "$nghttpd_bin" -v -a 127.0.0.1 -d "$www" --echo-upload --window-bits=12 \
    "$nghttpd3_port" "$work/leaf.key" "$work/leaf.pem"
}
start_with_retries start_nghttpd3 || bail "nghttpd $nghttpd_version (4 KiB stream window) starts"

# --- squid: the HTTP/1.1 forward proxy behind nghttpx ----------------------------------

squid_user=proxy
id -u proxy >/dev/null 2>&1 || squid_user=nobody
printf '127.0.0.1 origin.test h2origin.test\n' > "$sq/hosts"

# Basic auth on a second http_port (squid's basic_ncsa_auth helper), for a
# proxy in front of it that needs credentials.
ncsa=""
for d in /usr/lib/squid /usr/lib64/squid /usr/libexec/squid; do
  [ -x "$d/basic_ncsa_auth" ] && { ncsa="$d/basic_ncsa_auth"; break; }
done
if [ -n "$ncsa" ]; then
  printf 'alice:%s\n' "$(openssl passwd -apr1 's3cret')" > "$sq/passwd" || ncsa=""
fi

# A TLS port (squid built with GnuTLS or OpenSSL, as Debian's are): the
# second hop of a chain behind nghttpx.
squid_tls=0
"$squid_bin" -v | grep -qiE -- '--with-(gnutls|openssl)' && squid_tls=1

start_squid() {
  read -r squid_port squid_auth_port squid_https_port < <(free_ports 3)
  {
    echo "http_port 127.0.0.1:$squid_port"
    [ "$squid_tls" -eq 1 ] &&
      echo "https_port 127.0.0.1:$squid_https_port tls-cert=$work/leaf.pem tls-key=$work/leaf.key"
    if [ -n "$ncsa" ]; then
      cat <<EOF
http_port 127.0.0.1:$squid_auth_port
auth_param basic program $ncsa $sq/passwd
auth_param basic children 2 startup=1 idle=1
auth_param basic realm cnet-h2-interop
acl authed proxy_auth REQUIRED
acl auth_ports localport $squid_auth_port
EOF
    fi
    squid_conf_common "$sq" cnet-h2-interop
    cat <<EOF
access_log stdio:$sq/access.log
acl SSL_ports port $h1_port $h2_port $h2x_port $nghttpd_port $nghttpd2_port $squid_https_port
http_access deny CONNECT !SSL_ports
EOF
    [ -n "$ncsa" ] && printf '%s\n' "http_access allow auth_ports localhost authed" \
      "http_access deny auth_ports"
    printf '%s\n' "http_access allow localhost" "http_access deny all"
    # Root: squid drops to an unprivileged user (it refuses to serve as root).
    [ "$(id -u)" -eq 0 ] && echo "cache_effective_user $squid_user"
  } > "$sq/squid.conf"
  "$squid_bin" -k parse -f "$sq/squid.conf" >> "$work/setup.log" 2>&1 || return 1
  start_peer squid "$work/squid.out" \
    "$squid_port${ncsa:+ $squid_auth_port}$([ "$squid_tls" -eq 1 ] && echo " $squid_https_port")" \
    "$squid_bin" -N -f "$sq/squid.conf"
}
chmod 711 "$work"
[ "$(id -u)" -eq 0 ] && chown -R "$squid_user" "$sq"
start_with_retries start_squid || bail "squid $squid_version starts"

# --- nghttpx --http2-proxy: the HTTP/2 secure proxy ------------------------------------

run_nghttpx() {  # run_nghttpx NAME PORT SQUID_PORT extra-options...: logs NAME.err, .access
  local name="$1" port="$2" backend="$3"
  shift 3
  # --conf /dev/null: not the system's config; --single-process: one PID to kill.
  start_peer "$name" "$work/$name.out" "$port" \
    "$nghttpx_bin" --conf=/dev/null --single-process --http2-proxy --no-ocsp \
    --frontend="127.0.0.1,$port" --backend="127.0.0.1,$backend" \
    --errorlog-file="$work/$name.err" --accesslog-file="$work/$name.access" "$@" \
    "$work/leaf.key" "$work/leaf.pem"
}
start_nghttpx() {
  read -r proxy_port < <(free_ports 1)
  run_nghttpx nghttpx "$proxy_port" "$squid_port"
}
start_with_retries start_nghttpx || bail "nghttpx $nghttpx_version --http2-proxy starts"
# A second proxy that allows one concurrent stream per client session: the
# CONNECT stream of an idle tunnel is then the only slot.
start_nghttpx1() {
  read -r proxy1_port < <(free_ports 1)
  run_nghttpx nghttpx1 "$proxy1_port" "$squid_port" --frontend-http2-max-concurrent-streams=1
}
start_with_retries start_nghttpx1 || bail "nghttpx $nghttpx_version (one stream per session) starts"
# A third that sends GOAWAY after two streams of a session.
start_nghttpx2() {
  read -r proxy2_port < <(free_ports 1)
  run_nghttpx nghttpx2 "$proxy2_port" "$squid_port" --frontend-max-requests=2
}
start_with_retries start_nghttpx2 || bail "nghttpx $nghttpx_version (GOAWAY after 2 streams) starts"
# A fourth in front of squid's Basic-auth port: the 407s come through it.
start_nghttpx3() {
  read -r proxy3_port < <(free_ports 1)
  run_nghttpx nghttpx3 "$proxy3_port" "$squid_auth_port"
}
if [ -n "$ncsa" ]; then
  start_with_retries start_nghttpx3 || bail "nghttpx $nghttpx_version (to squid with auth) starts"
fi

check "peers listen: nghttpx $nghttpx_version, nghttpd $nghttpd_version, $nginx_version, squid $squid_version" true

proxy="https://proxy.test:$proxy_port"
proxy1="https://proxy.test:$proxy1_port"
proxy2="https://proxy.test:$proxy2_port"
proxy3="https://proxy.test:${proxy3_port:-1}"
plain="http://origin.test:$plain_port"
h1="https://origin.test:$h1_port"
h1b="https://h2origin.test:$h1_port"  # the same server under another name: another tunnel
h2="https://origin.test:$h2_port"
nd="https://h2origin.test:$nghttpd_port"
nd2="https://h2origin.test:$nghttpd2_port"
nd3="https://h2origin.test:$nghttpd3_port"
h2x="https://origin.test:$h2x_port"
# fetch resolves the proxy's name (the origins' names are the proxy's business
# through the proxy; direct fetches use --resolve for them too).
res=(--resolve "proxy.test:*:127.0.0.1" --resolve "origin.test:*:127.0.0.1"
  --resolve "h2origin.test:*:127.0.0.1")
via=(-x "$proxy" --proxy-cacert "$ca" --cacert "$ca" --proxy-protocols h2 "${res[@]}")
via1=(-x "$proxy1" --proxy-cacert "$ca" --cacert "$ca" --proxy-protocols h2 "${res[@]}")
via2=(-x "$proxy2" --proxy-cacert "$ca" --cacert "$ca" --proxy-protocols h2 "${res[@]}")
via3=(-x "$proxy3" --proxy-cacert "$ca" --cacert "$ca" --proxy-protocols h2 "${res[@]}")
direct=(--cacert "$ca" --protocols h2 "${res[@]}")

# --- helpers -------------------------------------------------------------------------

expect_files() {  # expect_files FILE...: $work/body is the files' bytes in turn
  cat "$@" > "$work/want"
  cmp "$work/want" "$work/body" > /dev/null 2>&1 || {
    echo "body differs: want $(wc -c < "$work/want") bytes ($*), got $(wc -c < "$work/body")"
    cmp "$work/want" "$work/body" 2>&1 | head -2
    return 1
  }
}

# fetch_counts "FILE..." "key=value..." fetch-args... URL...: bodies are the
# docroot files (names relative to it), counters exact.
fetch_counts() {
  local files=() f stats="$2"
  for f in $1; do files+=("$www/$f"); done
  shift 2
  run_fetch --stats "$@" || return 1
  # shellcheck disable=SC2086
  expect_files "${files[@]}" && expect_stats $stats
}

fetch_sha256() {  # fetch_sha256 FILE fetch-args... URL: the body's sha256 is the file's
  local file="$www/$1" got want
  shift
  run_fetch -o "$work/big.out" "$@" || return 1
  want=$(sha256sum < "$file" | cut -d' ' -f1)
  got=$(sha256sum < "$work/big.out" | cut -d' ' -f1)
  [ "$got" = "$want" ] || {
    echo "sha256 $got ($(wc -c < "$work/big.out") bytes), want $want ($(wc -c < "$file") bytes)"
    return 1
  }
}

fetch_echo() {  # fetch_echo fetch-args... URL: POST $work/upload.txt, the echo is exact
  run_fetch --stats -d "$(cat "$work/upload.txt")" "$@" || return 1
  cmp "$work/upload.txt" "$work/body" > /dev/null 2>&1 || {
    echo "echo differs: sent $(wc -c < "$work/upload.txt") bytes, got $(wc -c < "$work/body")"
    return 1
  }
}

# window_kept NETLOG: fetch's HTTP/2 sessions in NETLOG never sent a stream
# more DATA than its window allowed: the 65535-byte default until the peer's
# SETTINGS_INITIAL_WINDOW_SIZE arrives, that value from then on, each plus
# the stream's WINDOW_UPDATEs (RFC 9113 6.9.2). Our SETTINGS ACK is queued as
# the SETTINGS are applied and goes out after every DATA frame framed before
# (SpdySessionTest.SettingsAckFollowsDataFramedUnderTheOldWindow), so this is
# also the peer's view once it applies its window at our ACK. Prints, per
# reset stream, "quirk" when nghttp2 reset it with FLOW_CONTROL_ERROR while
# we had sent nothing since our ACK (README, "Known gaps"), else "reset".
window_kept() {
  python3 - "$1" <<'PY'
import json, sys
sessions = {}  # source id -> state
for line in open(sys.argv[1]):
    e = json.loads(line)
    t, p = e["type"], e.get("params", {})
    if not t.startswith("SPDY_SESSION_"):
        continue
    s = sessions.setdefault(e["source"]["id"],
                            {"initial": 65535, "sent": {}, "wu": {}, "since_ack": None})
    sid = p.get("stream_id", 0)
    if t == "SPDY_SESSION_RECV_SETTINGS" and not p["ack"]:
        for kv in p["settings"].split():
            k, v = kv.split("=")
            if k == "4":
                s["initial"] = int(v)
    elif t == "SPDY_SESSION_SEND_SETTINGS" and p["ack"]:
        s["since_ack"] = 0
    elif t == "SPDY_SESSION_RECV_WINDOW_UPDATE" and sid:
        s["wu"][sid] = s["wu"].get(sid, 0) + p["delta"]
    elif t == "SPDY_SESSION_SEND_DATA":
        s["sent"][sid] = s["sent"].get(sid, 0) + p["bytes"]
        if s["since_ack"] is not None:
            s["since_ack"] += p["bytes"]
        allowed = s["initial"] + s["wu"].get(sid, 0)
        if s["sent"][sid] > allowed:
            sys.exit(f"stream {sid}: {s['sent'][sid]} bytes sent, window allowed {allowed}")
    elif t == "SPDY_SESSION_RECV_RST_STREAM":
        print("quirk" if p["code"] == 3 and s["since_ack"] == 0 else "reset")
PY
}

# echo_into_small_window ROUNDS fetch-args... URL: ROUNDS uploads of
# $work/upload.txt; fetch keeps to the window every time (window_kept); each
# upload comes back exact or fails only by nghttp2 1.52's quirk. Writes the
# number of quirk resets to $work/quirks.
echo_into_small_window() {
  local rounds="$1" i verdict quirks=0
  shift
  for i in $(seq 1 "$rounds"); do
    rm -f "$work/netlog.json"
    timeout 30 "$fetch" --no-proxy-env --netlog "$work/netlog.json" -d "$(cat "$work/upload.txt")" \
      "$@" > "$work/body" 2> "$work/err"
    verdict=$(window_kept "$work/netlog.json" 2>&1) || { echo "upload $i: $verdict"; return 1; }
    if [ -z "$verdict" ]; then
      cmp -s "$work/upload.txt" "$work/body" || {
        echo "upload $i: echo differs: sent $(wc -c < "$work/upload.txt") bytes, got $(wc -c < "$work/body")"
        cat "$work/err"
        return 1
      }
    elif [ "$verdict" = quirk ] && grep -q ERR_HTTP2_FLOW_CONTROL_ERROR "$work/err"; then
      quirks=$((quirks + 1))
    else
      echo "upload $i: the stream was reset ($verdict):"
      cat "$work/err"
      return 1
    fi
  done
  echo "$quirks" > "$work/quirks"
}

fetch_status() {  # fetch_status CODE fetch-args... URL: the response head (-I) has CODE
  local code="$1"
  shift
  run_fetch -I "$@" || return 1
  head -1 "$work/body" | tr -d '\r' | grep -qE "^HTTP/[0-9.]+ $code( |$)" || {
    echo "want status $code, got:"
    cat "$work/body"
    return 1
  }
}

# A 20 KB request header (random, so HPACK's Huffman code cannot shrink it
# below one 16 KB frame: the client must send HEADERS + CONTINUATION).
head -c 15000 /dev/urandom | base64 -w 0 > "$work/bigheader.txt"

fetch_header_echo() {  # fetch_header_echo fetch-args... URL/hdr: X-Big comes back exact
  run_fetch -H "X-Big: $(cat "$work/bigheader.txt")" "$@" || return 1
  cmp "$work/bigheader.txt" "$work/body" > /dev/null 2>&1 || {
    echo "header echo differs: sent $(wc -c < "$work/bigheader.txt") bytes, got $(wc -c < "$work/body")"
    return 1
  }
}

fetch_big_headers() {  # fetch_big_headers fetch-args... URL/bigheaders: all 12 x 4000 bytes
  local got
  run_fetch -I "$@" || return 1
  got=$(grep -cxE "x-big-[0-9]+: b{4000}"$'\r?' "$work/body")
  [ "$got" -eq 12 ] || { echo "want 12 x-big-N headers of 4000 bytes, got $got:"; cut -c1-80 "$work/body"; return 1; }
}

went_over() {  # went_over PROTO: fetch -v said the request went over PROTO
  grep -qi "$1" "$work/err" || { echo "fetch -v does not mention $1:"; cat "$work/err"; return 1; }
}

logged() {  # logged FILE REGEX: a peer's log has a matching line
  grep -qE "$2" "$1" || { echo "${1#"$work"/} has no line matching: $2"; tail -5 "$1"; return 1; }
}

# --- 1. nghttpx --http2-proxy (h2 to the proxy) ---------------------------------------

check "F4 via nghttpx: 3 http:// GETs: 1 TCP, 1 TLS, 1 session, 3 streams (jump to step 9)" \
  fetch_counts "index.html 1k.bin 100k.bin" \
  "tcp_connects=1 tls_handshakes=1 tunnels=0 sessions=1 streams=3 requests=3" \
  "${via[@]}" "$plain/index.html" "$plain/1k.bin" "$plain/100k.bin"
check "F4 via nghttpx: nghttpx and squid logged the GETs" \
  bash -c "grep -q 'GET http://origin.test:$plain_port/1k.bin' '$sq/access.log'"

check "F5 via nghttpx: 2 https:// GETs to an http/1.1 origin: 1 TCP, 2 TLS, 1 tunnel" \
  fetch_counts "1k.bin 100k.bin" "tcp_connects=1 tls_handshakes=2 tunnels=1 sessions=1" \
  "${via[@]}" --protocols http/1.1 "$h1/1k.bin" "$h1/100k.bin"
check "F5 via nghttpx: squid logged the CONNECT" \
  logged "$sq/access.log" "CONNECT origin.test:$h1_port"

# streams counts the CONNECT stream too (one per tunnel).
check "F6 via nghttpx: h2 inside the h2 tunnel to nginx: 2 sessions, 1 tunnel, 2 GETs + 1 CONNECT" \
  fetch_counts "1k.bin 100k.bin" \
  "tcp_connects=1 tls_handshakes=2 tunnels=1 sessions=2 streams=3 requests=2" \
  "${via[@]}" --protocols h2 "$h2/1k.bin" "$h2/100k.bin"
check "F6 via nghttpx: a second origin (nghttpd) on the same proxy session: +1 tunnel, +1 TLS, no new TCP" \
  fetch_counts "1k.bin 100k.bin 1k.bin" \
  "tcp_connects=1 tls_handshakes=3 tunnels=2 sessions=3 streams=5 requests=3" \
  "${via[@]}" --protocols h2 "$h2/1k.bin" "$nd/100k.bin" "$h2/1k.bin"
# A two-hop chain of real proxies: nghttpx (h2) as hop 1, squid's https_port
# as hop 2 reached through it (TLS to squid inside the h2 CONNECT stream,
# which nghttpx hands to squid's http_port), then TLS to nginx through
# squid's CONNECT.
if [ "$squid_tls" -eq 1 ]; then
  chain=(-x "[$proxy https://127.0.0.1:$squid_https_port]" --proxy-cacert "$ca" --cacert "$ca"
    --proxy-protocols h2,http/1.1 "${res[@]}")
  check "two hops (nghttpx h2, then squid's https_port) to nginx: 2 GETs: 1 TCP, 3 TLS, 2 tunnels, 1 session" \
    fetch_counts "1k.bin 100k.bin" "tcp_connects=1 tls_handshakes=3 tunnels=2 sessions=1 requests=2" \
    "${chain[@]}" --protocols http/1.1 "$h1/1k.bin" "$h1/100k.bin"
  check "two hops: squid logged the CONNECT to its own TLS port (via nghttpx) and the one to nginx" \
    bash -c "grep -q 'CONNECT 127.0.0.1:$squid_https_port' '$sq/access.log' &&
      grep -c 'CONNECT origin.test:$h1_port' '$sq/access.log' | grep -qv '^0$'"
  check "two hops: a 5 MB body checked by sha256" \
    fetch_sha256 5m.bin "${chain[@]}" --protocols http/1.1 "$h1/5m.bin"
  check "two hops: h2 to nginx inside: 1 TCP, 3 TLS, 2 tunnels, 2 sessions" \
    fetch_counts "1k.bin 100k.bin" "tcp_connects=1 tls_handshakes=3 tunnels=2 sessions=2 requests=2" \
    "${chain[@]}" --protocols h2 "$h2/1k.bin" "$h2/100k.bin"
else
  echo "ok - two hops through squid's https_port # SKIP squid has no TLS support"
fi
check "F4+F5+F6 via nghttpx in one run: one proxy session" \
  fetch_counts "1k.bin 1k.bin 1k.bin" "tcp_connects=1 tunnels=2 requests=3" \
  "${via[@]}" --protocols h2,http/1.1 "$plain/1k.bin" "$h1/1k.bin" "$h2/1k.bin"
check "racing to nghttpx: 5 requests at once (F5 x2, F6 to 2 origins, F4): 1 TCP, 1 proxy session" \
  fetch_counts "1k.bin 1k.bin 1k.bin 1k.bin index.html" \
  "tcp_connects=1 sessions=3 requests=5" \
  "${via[@]}" --parallel 5 --protocols h2,http/1.1 "$h1/1k.bin" "$h2/1k.bin" "$plain/1k.bin" \
  "$nd/1k.bin" "$h1/index.html"
check "F6 via nghttpx: 5 MB from nginx is intact (sha256)" \
  fetch_sha256 5m.bin "${via[@]}" --protocols h2 "$h2/5m.bin"
check "F4 via nghttpx: 5 MB from nginx is intact (sha256)" \
  fetch_sha256 5m.bin "${via[@]}" "$plain/5m.bin"
if [ -n "$echo_module" ]; then
  check "F4 via nghttpx: POST 96 KB to nginx /echo comes back exact" \
    fetch_echo "${via[@]}" "$plain/echo"
  check "F6 via nghttpx: POST 96 KB to nginx /echo comes back exact" \
    fetch_echo "${via[@]}" --protocols h2 "$h2/echo"
fi
check "F6 via nghttpx: POST 96 KB to nghttpd --echo-upload comes back exact" \
  fetch_echo "${via[@]}" --protocols h2 "$nd/echo"

check "F6 via nghttpx: 48 KB of response headers (HEADERS + CONTINUATION) from nginx" \
  fetch_big_headers "${via[@]}" --protocols h2 "$h2/bigheaders"
if [ -n "$echo_module" ]; then
  check "F4 via nghttpx: a 20 KB request header (HEADERS + CONTINUATION) reaches nginx intact" \
    fetch_header_echo "${via[@]}" "$plain/hdr"
  check "F6 via nghttpx: a 20 KB request header reaches nginx intact" \
    fetch_header_echo "${via[@]}" --protocols h2 "$h2/hdr"
fi
check "F6 via nghttpx: the origin's GOAWAY after 2 requests: 5 GETs, 3 tunnels, one proxy session" \
  fetch_counts "1k.bin 100k.bin 1k.bin 100k.bin index.html" \
  "tcp_connects=1 tls_handshakes=4 tunnels=3 sessions=4 requests=5" \
  "${via[@]}" --protocols h2 "$h2x/1k.bin" "$h2x/100k.bin" "$h2x/1k.bin" "$h2x/100k.bin" "$h2x/index.html"
check "F6 via nghttpx to nghttpd (padding, trailers, small window): 5 MB intact (sha256)" \
  fetch_sha256 5m.bin "${via[@]}" --protocols h2 "$nd2/5m.bin"
check "F6 via nghttpx to nghttpd (16 KiB connection window): POST 96 KB comes back exact" \
  fetch_echo "${via[@]}" --protocols h2 "$nd2/echo"
if [ -n "$echo_module" ]; then
  check "F6 via nghttpx: POST 96 KB into nginx's 4 KiB stream window comes back exact" \
    fetch_echo "${via[@]}" --protocols h2 "$h2x/echo"
fi

# A proxy allowing one stream: after an F6 or F5 request the only slot is
# the CONNECT stream under our own idle tunnel; the next request on that
# session must close it rather than wait for it (it waited for good before).
check "one-stream nghttpx: F6, a 2nd origin, F4, F6 again: 3 tunnels, one proxy connection" \
  fetch_counts "1k.bin 1k.bin 1k.bin index.html" "tcp_connects=1 tunnels=3 requests=4" \
  "${via1[@]}" --max-time 20 --protocols h2 "$h2/1k.bin" "$nd/1k.bin" "$plain/1k.bin" "$h2/index.html"
check "one-stream nghttpx: F5, a 2nd origin, F4, F5 again: 3 tunnels, one proxy connection" \
  fetch_counts "1k.bin 1k.bin 1k.bin index.html" "tcp_connects=1 tunnels=3 requests=4" \
  "${via1[@]}" --max-time 20 --protocols http/1.1 "$h1/1k.bin" "$h1b/1k.bin" "$plain/1k.bin" \
  "$h1/index.html"
check "one-stream nghttpx: 5 requests 3 at a time (F6 to 2 origins, F5 to 2, F4): bodies intact" \
  fetch_counts "5m.bin 5m.bin 5m.bin 100k.bin 1k.bin" "tunnels=4 requests=5" \
  "${via1[@]}" --max-time 30 --parallel 3 --protocols h2,http/1.1 "$h2/5m.bin" "$nd/5m.bin" \
  "$h1/5m.bin" "$plain/100k.bin" "$h1b/1k.bin"

# The proxy's GOAWAY: a going-away proxy session is not used for new
# streams (its open tunnel lives on); the next request opens a new one.
check "nghttpx GOAWAY after 2 streams: F4, F4 | F4, F6 | F4 on 3 proxy connections" \
  fetch_counts "1k.bin 100k.bin 1k.bin 1k.bin index.html" "tcp_connects=3 tunnels=1 requests=5" \
  "${via2[@]}" --protocols h2 "$plain/1k.bin" "$plain/100k.bin" "$plain/1k.bin" "$h2/1k.bin" \
  "$plain/index.html"

# Proxy authentication through the h2 proxy: squid's 407 comes back as the
# stream's answer; with credentials the request is sent again on a new
# stream of the same session, and later ones carry them at once.
if [ -n "$ncsa" ]; then
  check "407 via nghttpx: no credentials is ERR_PROXY_AUTH_REQUESTED (F4)" \
    fetch_fails ERR_PROXY_AUTH_REQUESTED "${via3[@]}" "$plain/1k.bin"
  check "407 via nghttpx: a wrong password is ERR_PROXY_AUTH_REQUESTED (F6)" \
    fetch_fails ERR_PROXY_AUTH_REQUESTED "${via3[@]}" --proxy-user alice:wrong --protocols h2 \
    "$h2/1k.bin"
  check "407 via nghttpx: --proxy-user, F4 twice: one session, 3 streams (407, 200, 200)" \
    fetch_counts "1k.bin 100k.bin" "tcp_connects=1 sessions=1 streams=3 requests=2" \
    "${via3[@]}" --proxy-user alice:s3cret "$plain/1k.bin" "$plain/100k.bin"
  check "407 via nghttpx: --proxy-user, F6 and F5: one proxy connection" \
    fetch_counts "1k.bin 1k.bin" "tcp_connects=1 tunnels=2 requests=2" \
    "${via3[@]}" --proxy-user alice:s3cret --protocols h2,http/1.1 "$h2/1k.bin" "$h1/1k.bin"
  check "407 via nghttpx: squid logged the tunnel for alice" \
    logged "$sq/access.log" "TCP_TUNNEL/200 .* CONNECT origin.test:$h1_port alice "
else
  skip "proxy auth through nghttpx" "squid's basic_ncsa_auth helper is missing"
fi

# --- 2. nginx, listen ssl http2 (direct) --------------------------------------------------

check "nginx h2: 3 GETs on one session: 1 TCP, 1 TLS, 1 session, 3 streams" \
  fetch_counts "index.html 1k.bin 100k.bin" \
  "tcp_connects=1 tls_handshakes=1 tunnels=0 sessions=1 streams=3 requests=3" \
  "${direct[@]}" "$h2/index.html" "$h2/1k.bin" "$h2/100k.bin"
check "nginx h2: nginx logged HTTP/2.0 requests" logged "$work/nginx/access.log" '"GET /100k.bin HTTP/2.0" 200'
check "nginx h2: 5 MB body intact (sha256)" fetch_sha256 5m.bin "${direct[@]}" "$h2/5m.bin"
if [ -n "$echo_module" ]; then
  check "nginx h2: POST 96 KB to /echo comes back exact" fetch_echo "${direct[@]}" "$h2/echo"
else
  skip "nginx h2: POST to /echo" "nginx's echo module (libnginx-mod-http-echo) is not installed"
fi
check "nginx h2: a 404 is surfaced as 404" fetch_status 404 "${direct[@]}" "$h2/missing"
check "nginx h2: 48 KB of response headers (HEADERS + CONTINUATION)" \
  fetch_big_headers "${direct[@]}" "$h2/bigheaders"
if [ -n "$echo_module" ]; then
  check "nginx h2: a 20 KB request header (HEADERS + CONTINUATION) arrives intact" \
    fetch_header_echo "${direct[@]}" "$h2/hdr"
fi
check "nginx h2: GOAWAY after 2 requests: 5 GETs on 3 connections, bodies intact" \
  fetch_counts "1k.bin 100k.bin 1k.bin 100k.bin index.html" \
  "tcp_connects=3 tls_handshakes=3 sessions=3 streams=5 requests=5" \
  "${direct[@]}" "$h2x/1k.bin" "$h2x/100k.bin" "$h2x/1k.bin" "$h2x/100k.bin" "$h2x/index.html"
if [ -n "$echo_module" ]; then
  check "nginx h2: POST 96 KB into a 4 KiB stream window comes back exact" fetch_echo "${direct[@]}" "$h2x/echo"
fi

# --- 3. nghttpd (direct) -------------------------------------------------------------------

check "nghttpd: 3 GETs on one session: 1 TCP, 1 TLS, 1 session, 3 streams" \
  fetch_counts "index.html 1k.bin 100k.bin" \
  "tcp_connects=1 tls_handshakes=1 tunnels=0 sessions=1 streams=3 requests=3" \
  "${direct[@]}" "$nd/index.html" "$nd/1k.bin" "$nd/100k.bin"
check "nghttpd: 5 MB body intact (sha256)" fetch_sha256 5m.bin "${direct[@]}" "$nd/5m.bin"
check "nghttpd: a 404 is surfaced as 404" fetch_status 404 "${direct[@]}" "$nd/missing"
check "nghttpd: POST 96 KB with --echo-upload comes back exact" fetch_echo "${direct[@]}" "$nd/echo"

check "nghttpd (padding, trailers, small window): 3 GETs on one session" \
  fetch_counts "index.html 1k.bin 100k.bin" \
  "tcp_connects=1 tls_handshakes=1 sessions=1 streams=3 requests=3" \
  "${direct[@]}" "$nd2/index.html" "$nd2/1k.bin" "$nd2/100k.bin"
check "nghttpd (padding, trailers, small window): 5 MB intact (sha256)" \
  fetch_sha256 5m.bin "${direct[@]}" "$nd2/5m.bin"
check "nghttpd (16 KiB connection window): POST 96 KB comes back exact" fetch_echo "${direct[@]}" "$nd2/echo"
check "nghttpd (4 KiB stream window): 8 POSTs of 96 KB keep to the window; each echoed exact or reset by nghttp2's quirk" \
  echo_into_small_window 8 "${direct[@]}" "$nd3/echo"
[ -s "$work/quirks" ] &&
  echo "# nghttpd (4 KiB stream window): $(cat "$work/quirks") of 8 uploads reset by nghttpd $nghttpd_version's quirk (README, Known gaps)"

# --- curl cross-checks the peers' setup ------------------------------------------------------

curl_same() {  # curl_same FILE curl-args... URL: curl gets the file's bytes
  local file="$www/$1"
  shift
  timeout 30 curl -sS --fail "$@" -o "$work/curl.body" 2> "$work/curl.err" ||
    { echo "curl $* failed:"; cat "$work/curl.err"; return 1; }
  cmp "$file" "$work/curl.body"
}

if [ "$have_curl" -eq 1 ]; then
  cres=(--resolve "proxy.test:$proxy_port:127.0.0.1" --resolve "origin.test:$h2_port:127.0.0.1"
    --resolve "h2origin.test:$nghttpd_port:127.0.0.1")
  check "curl --http2 to nginx gets the same bytes" \
    curl_same 100k.bin --http2 --cacert "$ca" "${cres[@]}" "$h2/100k.bin"
  check "curl through nghttpx (HTTPS proxy) to nghttpd gets the same bytes" \
    curl_same 100k.bin -x "$proxy" --proxy-cacert "$ca" --cacert "$ca" "${cres[@]}" "$nd/100k.bin"
else
  skip "curl cross-checks" "curl is not installed"
fi

[ "$failures" -eq 0 ]
