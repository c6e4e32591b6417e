#!/usr/bin/env bash
# shellcheck disable=SC2154  # the ${name}_port variables are set by printf -v
# Interop with real SOCKS5 proxies: Debian's dante-server (danted) and
# microsocks. Starts, on free 127.0.0.1 ports in a private temp dir, cnet's
# test server as a plain-HTTP origin, a TLS origin offering h2 and http/1.1,
# and an HTTPS proxy (a chain's second hop), then:
#   danted      no authentication or RFC 1929 username/password (one instance,
#               socksmethod "username none"), a rule blocking 127.0.0.2
#   microsocks  open, and a second one requiring a user name and password
# and drives fetch (and curl, to cross-check) through them: http:// and
# https:// origins, h2 inside the SOCKS tunnel, socks5:// (fetch resolves)
# and socks5h:// (the proxy resolves), credentials, each refusal the proxies
# give, and a chain whose first hop is SOCKS, with exact --stats counters.
#
# Remote DNS: the proxies run in a private mount namespace (unshare -m) where
# /etc/hosts has "socks-only.test" and /etc/nsswitch.conf resolves from files
# only: a name that only the proxies know, and no DNS query ever leaves the
# machine (an unknown name is "host unreachable" at once). danted checks
# user names against the system's password database: the namespace also has
# its own /etc/passwd and /etc/shadow with the test user. Without unshare
# (not root), those checks are skipped and the proxies run without it.
#
# Usage: tests/interop/socks_test.sh OUT_DIR   (e.g. out/debug; needs fetch and testserver)
# Prints one "ok N - what" / "not ok N - what" line per check (TAP style);
# "ok N - what # SKIP reason" only when a tool is missing. Exits non-zero if a
# check failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
suite_setup socks "${1:-out/debug}"

pids=()         # testservers
proxy_pids=()   # danted, microsocks

cleanup() {
  stop_pids "${proxy_pids[@]}"
  stop_pids "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

suite_context() {  # the proxies' logs, after a failing check's output
  local f
  for f in "$work"/danted.log "$work"/ms*.log; do
    [ -s "$f" ] || continue
    echo "--- $(basename "$f") (tail)"
    tail -8 "$f"
  done
}

# --- tools -----------------------------------------------------------------

{ [ -x "$out/fetch" ] && [ -x "$out/testserver" ]; } || bail "fetch and testserver are built in $out"
command -v python3 > /dev/null || bail "python3 is installed (free ports)"
danted_bin=$(command -v danted || true)
[ -z "$danted_bin" ] && [ -x /usr/sbin/danted ] && danted_bin=/usr/sbin/danted
microsocks_bin=$(command -v microsocks || true)
if [ -z "$danted_bin" ] && [ -z "$microsocks_bin" ]; then
  skip "SOCKS5 interop" "neither danted nor microsocks is installed (build/install-deps.sh installs them)"
  exit 0
fi
have_ns=0
unshare -m true 2> /dev/null && have_ns=1
have_curl=0
command -v curl > /dev/null && have_curl=1

# The proxies' private view of the system (see the header).
ns="$work/ns"
mkdir -p "$ns"
printf '127.0.0.1 localhost\n127.0.0.1 socks-only.test\n' > "$ns/hosts"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' > "$ns/nsswitch.conf"
cp /etc/passwd "$ns/passwd"
echo "cnetsocks:x:64999:64999::/nonexistent:/usr/sbin/nologin" >> "$ns/passwd"
if [ -r /etc/shadow ]; then cp /etc/shadow "$ns/shadow"; else : > "$ns/shadow"; fi
echo "cnetsocks:$(openssl passwd -6 's3cret pw' 2> /dev/null):19000:0:99999:7:::" >> "$ns/shadow"
chmod 600 "$ns/shadow"

# in_ns CMD...: runs CMD (exec'd: the PID stays the same) in the private
# namespace when there is one.
in_ns() {
  if [ "$have_ns" = 1 ]; then
    # shellcheck disable=SC2016  # expanded by the inner sh, on purpose
    exec unshare -m sh -c 'for f in hosts nsswitch.conf passwd shadow; do
        mount --bind "$0/$f" "/etc/$f" || exit 1
      done; exec "$@"' "$ns" "$@"
  else
    exec "$@"
  fi
}

# wait_port PORT PID: the proxy listens (or has died: false).
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; then return 0; fi
    kill -0 "$2" 2> /dev/null || return 1
    sleep 0.05
  done
  return 1
}

# --- origins and the second hop ---------------------------------------------

start_server plain --plain
start_server tls --name origin.test --name socks-only.test --alpn h2,http/1.1
start_server hop2 --proxy
closed_port=$(free_ports 1)  # nothing listens there

make_pattern

fetch_bytes() {  # fetch_bytes "N..." "stats..." fetch-args...: exact body and counters
  local lens="$1" stats="$2"
  shift 2
  run_fetch --stats "$@" || return 1
  # shellcheck disable=SC2086
  expect_body $lens && expect_stats $stats
}

# netlog_has PATTERN...: each extended regex matches a SOCKS5_CONNECT line of
# $work/netlog.json.
netlog_has() {
  local p
  for p in "$@"; do
    grep '"SOCKS5_CONNECT"' "$work/netlog.json" | grep -qE "$p" || {
      echo "no SOCKS5_CONNECT line matching $p:"
      grep '"SOCKS5_CONNECT"' "$work/netlog.json"
      return 1
    }
  done
}

P="http://127.0.0.1:$plain_port"
S="https://origin.test:$tls_port"  # resolved by fetch: socks5:// only
L="https://localhost:$tls_port"     # a name both sides resolve (hosts files)
resolve=(--resolve "origin.test:$tls_port:127.0.0.1")
tls_ca=(--cacert "$work/tls.ca")

# --- the proxies ---------------------------------------------------------------

danted_port=""
if [ -n "$danted_bin" ]; then
  danted_port=$(free_ports 1)
  # "username none": a client offering credentials authenticates, one that
  # does not gets in without (the order is danted's preference).
  cat > "$work/danted.conf" << EOF
logoutput: $work/danted.log
internal: 127.0.0.1 port = $danted_port
external: 127.0.0.1
clientmethod: none
socksmethod: username none
user.privileged: root
user.unprivileged: nobody
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
socks block { from: 0.0.0.0/0 to: 127.0.0.2/32 }
socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 command: connect }
EOF
  (in_ns "$danted_bin" -f "$work/danted.conf" -p "$work/danted.pid" -N 1) > "$work/danted.out" 2>&1 &
  proxy_pids+=("$!")
  wait_port "$danted_port" "$!" || { cp "$work/danted.out" "$work/setup.log"; bail "danted starts"; }
fi

ms_port=""
msauth_port=""
if [ -n "$microsocks_bin" ]; then
  read -r ms_port msauth_port <<< "$(free_ports 2)"
  (in_ns "$microsocks_bin" -i 127.0.0.1 -p "$ms_port") > "$work/ms.log" 2>&1 &
  proxy_pids+=("$!")
  wait_port "$ms_port" "$!" || { cp "$work/ms.log" "$work/setup.log"; bail "microsocks starts"; }
  (in_ns "$microsocks_bin" -i 127.0.0.1 -p "$msauth_port" -u alice -P 'pass word') \
    > "$work/msauth.log" 2>&1 &
  proxy_pids+=("$!")
  wait_port "$msauth_port" "$!" || { cp "$work/msauth.log" "$work/setup.log"; bail "microsocks (auth) starts"; }
fi

# --- checks through each proxy ---------------------------------------------------

# Both proxies, open access: the same checks.
for which in danted microsocks; do
  if [ "$which" = danted ]; then port=$danted_port; else port=$ms_port; fi
  if [ -z "$port" ]; then
    skip "$which checks" "$which is not installed"
    continue
  fi
  x5="socks5://127.0.0.1:$port"
  x5h="socks5h://127.0.0.1:$port"

  # http:// through SOCKS is origin-form to the origin over the tunnel; the
  # tunnel is reused for the second request.
  check "$which: two http:// requests over one SOCKS5 tunnel (1 TCP, 0 TLS, 1 tunnel)" \
    fetch_bytes "100 2000" "tcp_connects=1 tls_handshakes=0 tunnels=1 requests=2" \
    -x "$x5" "$P/bytes/100" "$P/bytes/2000"
  check "$which: two https:// requests to one origin, socks5h (1 TCP, 1 TLS, 1 tunnel)" \
    fetch_bytes "1000 100000" "tcp_connects=1 tls_handshakes=1 tunnels=1 sessions=0 requests=2" \
    -x "$x5h" --http1.1 "${tls_ca[@]}" "$L/bytes/1000" "$L/bytes/100000"
  check "$which: h2 to the origin inside the SOCKS tunnel (1 TCP, 1 TLS, 1 tunnel, 1 session, 2 streams)" \
    fetch_bytes "300 4000" "tcp_connects=1 tls_handshakes=1 tunnels=1 sessions=1 streams=2 requests=2" \
    -x "$x5" --protocols h2,http/1.1 "${tls_ca[@]}" "${resolve[@]}" "$S/bytes/300" "$S/bytes/4000"
  check "$which: socks5:// sends the address fetch resolved (--resolve)" \
    bash -c "$(declare -f run_fetch netlog_has); fetch='$fetch' work='$work'
      run_fetch --netlog '$work/netlog.json' -x '$x5' --cacert '$work/tls.ca' \
        --resolve origin.test:$tls_port:127.0.0.1 '$S/bytes/10' &&
      netlog_has '\"resolve\":\"local\"' '\"address\":\"127.0.0.1:$tls_port\"' '\"reply\":0'"
  check "$which: the target refuses: ERR_SOCKS_CONNECTION_REFUSED" \
    fetch_fails ERR_SOCKS_CONNECTION_REFUSED -x "$x5h" "http://127.0.0.1:$closed_port/"
  check "$which: an https:// target that refuses: the same error, TLS never started" \
    fetch_fails ERR_SOCKS_CONNECTION_REFUSED -x "$x5" "${tls_ca[@]}" \
    "https://127.0.0.1:$closed_port/"

  if [ "$have_ns" = 1 ]; then
    # The name exists only in the proxy's /etc/hosts.
    check "$which: socks5h to a name only the proxy resolves (socks-only.test)" \
      bash -c "$(declare -f run_fetch netlog_has expect_stats); fetch='$fetch' work='$work'
        ! grep -q socks-only.test /etc/hosts &&
        run_fetch --stats --netlog '$work/netlog.json' -x '$x5h' --cacert '$work/tls.ca' \
          'https://socks-only.test:$tls_port/bytes/10' &&
        [ \"\$(wc -c < '$work/body')\" = 10 ] &&
        expect_stats tcp_connects=1 tls_handshakes=1 tunnels=1 &&
        netlog_has '\"resolve\":\"proxy\"' '\"target\":\"socks-only.test:$tls_port\"'"
    # Unknown to the proxy (its namespace resolves from files only).
    if [ "$which" = danted ]; then want=ERR_SOCKS_CONNECTION_HOST_UNREACHABLE; else want=ERR_SOCKS_CONNECTION_FAILED; fi
    check "$which: a name the proxy cannot resolve: $want" \
      fetch_fails "$want" -x "$x5h" "http://unknown-name.test:$plain_port/"
  else
    skip "$which: remote DNS checks" "unshare -m is not permitted (needs root)"
  fi
done

# --- danted only: its rules and replies, username/password ---------------------

if [ -n "$danted_port" ]; then
  xd="socks5h://127.0.0.1:$danted_port"
  check "danted: a target its rules block: ERR_SOCKS_CONNECTION_NOT_ALLOWED (reply 2)" \
    fetch_fails ERR_SOCKS_CONNECTION_NOT_ALLOWED -x "$xd" "http://127.0.0.2:$plain_port/"
  check "danted: an IPv6 target through its IPv4-only side: ERR_SOCKS_ADDRESS_TYPE_NOT_SUPPORTED" \
    fetch_fails ERR_SOCKS_ADDRESS_TYPE_NOT_SUPPORTED -x "$xd" "http://[::1]:$plain_port/"
  if [ "$have_ns" = 1 ]; then
    check "danted: username/password in the proxy URL (RFC 1929)" \
      bash -c "$(declare -f run_fetch expect_body expect_stats fetch_bytes netlog_has); fetch='$fetch' work='$work'
        fetch_bytes 500 'tcp_connects=1 tunnels=1' --netlog '$work/netlog.json' \
          -x 'socks5h://cnetsocks:s3cret%20pw@127.0.0.1:$danted_port' '$P/bytes/500' &&
        netlog_has '\"method\":2'"
    check "danted: username/password from --proxy-user" \
      fetch_bytes 700 "tcp_connects=1 tunnels=1" -x "$xd" --proxy-user 'cnetsocks:s3cret pw' \
      "$P/bytes/700"
    check "danted: a wrong password: ERR_SOCKS_AUTH_FAILED" \
      fetch_fails ERR_SOCKS_AUTH_FAILED -x "$xd" --proxy-user cnetsocks:wrong "$P/bytes/1"
    check "danted: a chain [socks5h://danted https://hop2] to an https origin (1 TCP, 2 TLS, 2 tunnels)" \
      fetch_bytes "1000 1000" "tcp_connects=1 tls_handshakes=2 tunnels=2 requests=2" \
      -x "[$xd https://127.0.0.1:$hop2_port]" --proxy-cacert "$work/hop2.ca" "${tls_ca[@]}" \
      "$L/bytes/1000" "$L/bytes/1000"
    check "danted: a chain [socks5h://danted https://hop2] to an http origin (absolute form to hop2)" \
      fetch_bytes "20 30" "tcp_connects=1 tls_handshakes=1 tunnels=1 requests=2" \
      -x "[$xd https://127.0.0.1:$hop2_port]" --proxy-cacert "$work/hop2.ca" \
      "$P/bytes/20" "$P/bytes/30"
  else
    skip "danted: username/password and chain checks" "unshare -m is not permitted (needs root)"
  fi
fi

# --- microsocks with a user name and password --------------------------------------

if [ -n "$msauth_port" ]; then
  check "microsocks -u/-P: credentials accepted" \
    fetch_bytes 64 "tcp_connects=1 tunnels=1" \
    -x "socks5://alice:pass%20word@127.0.0.1:$msauth_port" "$P/bytes/64"
  check "microsocks -u/-P: no credentials offered: ERR_SOCKS_NO_ACCEPTABLE_METHOD" \
    fetch_fails ERR_SOCKS_NO_ACCEPTABLE_METHOD -x "socks5://127.0.0.1:$msauth_port" "$P/bytes/1"
  check "microsocks -u/-P: a wrong password: ERR_SOCKS_AUTH_FAILED" \
    fetch_fails ERR_SOCKS_AUTH_FAILED -x "socks5://alice:nope@127.0.0.1:$msauth_port" "$P/bytes/1"
fi

# --- either proxy: proxy down, the environment, curl ------------------------------

check "a SOCKS proxy that is not listening: ERR_PROXY_CONNECTION_FAILED" \
  fetch_fails ERR_PROXY_CONNECTION_FAILED -x "socks5://127.0.0.1:$closed_port" "$P/bytes/1"

any_port=${ms_port:-$danted_port}
check "all_proxy=socks5h://… is used as curl uses it" \
  bash -c "env -i PATH=\"\$PATH\" all_proxy='socks5h://127.0.0.1:$any_port' timeout 30 '$fetch' --stats '$P/bytes/42' \
      > '$work/body' 2> '$work/err' && [ \"\$(wc -c < '$work/body')\" = 42 ] &&
    grep -q '\"tunnels\":1' '$work/err' || { cat '$work/err'; exit 1; }"

if [ "$have_curl" = 1 ]; then
  check "curl through the same proxy gets the same body (cross-check)" \
    bash -c "$(declare -f run_fetch); fetch='$fetch' work='$work'
      run_fetch -x 'socks5h://127.0.0.1:$any_port' '$P/bytes/3000' &&
      curl -sS --noproxy '' --socks5-hostname '127.0.0.1:$any_port' '$P/bytes/3000' |
        cmp - '$work/body'"
else
  skip "curl cross-check" "curl is not installed"
fi

[ "$failures" -eq 0 ]
