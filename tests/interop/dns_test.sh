#!/usr/bin/env bash
# shellcheck disable=SC2154  # origin_port is set by start_server (printf -v)
# fetch --dns-servers against a real DNS server: Debian's dnsmasq on a free
# 127.0.0.1 port (--no-resolv --no-hosts: it answers only the records given
# here and never forwards a query off the machine), in front of cnet's test
# server as a plain-HTTP origin. Checks: a name served by dnsmasq (A and
# AAAA records) fetched by name, the query visible in dnsmasq's log; an
# unknown name is ERR_NAME_NOT_RESOLVED (exit 6) at once; --resolve still
# wins over DNS; a DNS server that never answers ends in
# ERR_NAME_NOT_RESOLVED within a bounded time; a bad --dns-servers list is a
# usage error naming it.
#
# Usage: tests/interop/dns_test.sh OUT_DIR   (e.g. out/debug; needs fetch and testserver)
# Prints one "ok N - what" / "not ok N - what" line per check (TAP style);
# "ok N - what # SKIP reason" only when dnsmasq is not installed. Exits
# non-zero if a check failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
suite_setup dns "${1:-out/debug}"

pids=()      # testserver
dns_pids=()  # dnsmasq, the silent UDP socket

cleanup() {
  stop_pids "${dns_pids[@]}"
  stop_pids "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

suite_context() {
  [ -s "$work/dnsmasq.log" ] && { echo "--- dnsmasq.log (tail)"; tail -8 "$work/dnsmasq.log"; }
}

{ [ -x "$out/fetch" ] && [ -x "$out/testserver" ]; } || bail "fetch and testserver are built in $out"
command -v python3 > /dev/null || bail "python3 is installed (free ports, the silent server)"
dnsmasq_bin=$(command -v dnsmasq || true)
[ -z "$dnsmasq_bin" ] && [ -x /usr/sbin/dnsmasq ] && dnsmasq_bin=/usr/sbin/dnsmasq

start_server origin --plain

if [ -z "$dnsmasq_bin" ]; then
  skip "a name served by dnsmasq" "dnsmasq is not installed"
else
  read -r dns_port silent_port <<< "$(free_ports 2)"
  "$dnsmasq_bin" -k --conf-file=/dev/null --port="$dns_port" --listen-address=127.0.0.1 \
    --bind-interfaces --no-resolv --no-hosts --user="$(id -un)" --pid-file="$work/dnsmasq.pid" \
    --host-record=name.test,127.0.0.1 --host-record=name.test,::1 --log-queries \
    --log-facility=- > "$work/dnsmasq.log" 2>&1 &
  dns_pids+=("$!")
  for _ in $(seq 1 100); do
    grep -q "started" "$work/dnsmasq.log" 2> /dev/null && break
    sleep 0.05
  done
  grep -q "started" "$work/dnsmasq.log" || { cp "$work/dnsmasq.log" "$work/setup.log"; bail "dnsmasq starts"; }
  dns="127.0.0.1:$dns_port"

  fetch_by_name() {
    run_fetch --dns-servers "$dns" "http://name.test:$origin_port/" || return 1
    grep -q "cnet-testserver" "$work/body" || { echo "unexpected body:"; head -5 "$work/body"; return 1; }
    grep -q "query\[A\] name.test" "$work/dnsmasq.log" || { echo "dnsmasq saw no A query"; return 1; }
    grep -q "query\[AAAA\] name.test" "$work/dnsmasq.log" || { echo "dnsmasq saw no AAAA query"; return 1; }
  }
  check "a name served by dnsmasq (A and AAAA asked) is fetched by name" fetch_by_name

  unknown_name() {
    fetch_fails ERR_NAME_NOT_RESOLVED --dns-servers "$dns" "http://missing.test:$origin_port/"
    local rc
    timeout 30 "$fetch" --no-proxy-env --dns-servers "$dns" "http://missing.test:$origin_port/" \
      > /dev/null 2>&1
    rc=$?
    [ "$rc" -eq 6 ] || { echo "exit $rc, want 6 (curl's couldn't resolve host)"; return 1; }
  }
  check "an unknown name (NXDOMAIN) is ERR_NAME_NOT_RESOLVED, exit 6" unknown_name

  check "--resolve wins over DNS" \
    run_fetch --dns-servers "$dns" --resolve "rule-only.test:$origin_port:127.0.0.1" \
    "http://rule-only.test:$origin_port/"

  # A UDP socket that reads nothing and answers nothing (ready once bound).
  python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").close()
time.sleep(120)' "$silent_port" "$work/silent.ready" &
  dns_pids+=("$!")
  for _ in $(seq 1 100); do
    [ -e "$work/silent.ready" ] && break
    sleep 0.05
  done
  [ -e "$work/silent.ready" ] || bail "the silent UDP socket is bound"
  silent_server() {
    local start end
    start=$(date +%s)
    fetch_fails ERR_NAME_NOT_RESOLVED --netlog "$work/silent.netlog" \
      --dns-servers "127.0.0.1:$silent_port" "http://name.test:$origin_port/" || return 1
    end=$(date +%s)
    # Two attempts: 2 s, then 4 s (c-ares doubles the timeout).
    [ $((end - start)) -le 12 ] || { echo "took $((end - start)) s"; return 1; }
    grep -q '"dns_error":"ERR_DNS_TIMED_OUT"' "$work/silent.netlog" ||
      { echo "the job's END names no DNS timeout:"; grep HOST_RESOLVER_JOB "$work/silent.netlog"; return 1; }
  }
  check "a silent DNS server ends in ERR_NAME_NOT_RESOLVED within 12 s" silent_server
fi

bad_list() {
  if timeout 30 "$fetch" --no-proxy-env --dns-servers "dns.example" "http://a.test/" \
    > /dev/null 2> "$work/err"; then
    echo "fetch accepted a name as a DNS server"
    return 1
  fi
  grep -q "dns.example" "$work/err" || { echo "the error does not name the list:"; cat "$work/err"; return 1; }
}
check "a bad --dns-servers list is refused, naming it" bad_list

[ "$failures" -eq 0 ]
