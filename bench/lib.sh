# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034  # work, out, pids are the sourcing script's; quick and program are for it
# Helpers shared by the benchmarks (bench/) and the interop suites that start
# real peers (sourced, not run; it sources tests/lib.sh, for suite_setup,
# bail and free_ports, unless that is already in):
#   bench_args         a benchmark's arguments: [--quick] [BUILD_DIR]
#   bench_begin        the start of a benchmark driving one API program
#                      (bench/scale, bench/soak): --quick, suite_setup, the
#                      exit trap
#   find_tool          a peer's binary (PATH, then /usr/sbin)
#   make_peer_certs    a CA of the suite's own and one leaf for every name
#   start_peer         a peer in the background, waited for on its ports
#   start_with_retries a peer's start again with new ports when one was taken
#   nginx_conf_head, start_nginx_peer   nginx as a peer
#   squid_conf_common  the common part of a peer squid's configuration

if ! declare -F suite_setup > /dev/null; then
  # shellcheck source=tests/lib.sh
  . "$(dirname "${BASH_SOURCE[0]}")/../tests/lib.sh"
fi

# bench_args [--quick] [OUT_DIR]: a benchmark's arguments — sets quick (1
# with --quick, else 0) and bench_out (OUT_DIR, or empty). Anything else
# exits with a usage line: a --quick given after the build dir used to be
# taken for nothing, and the full run ran instead.
bench_args() {
  quick=0
  if [ "${1:-}" = "--quick" ]; then
    quick=1
    shift
  fi
  if [ $# -gt 1 ] || [[ "${1:-}" == -* ]]; then
    echo "usage: $0 [--quick] [BUILD_DIR] (got: $*)" >&2
    exit 2
  fi
  bench_out="${1:-}"
}

# bench_begin NAME DEFAULT_OUT PROGRAM [--quick] [OUT_DIR]: sets quick (1
# with --quick, else 0), then suite_setup NAME (OUT_DIR, else DEFAULT_OUT),
# pids=() stopped (and $work removed) on exit, and program=$out/PROGRAM,
# which must be built (else the run bails).
bench_begin() {
  local name="$1" default_out="$2" prog="$3"
  shift 3
  bench_args "$@"
  suite_setup "$name" "${bench_out:-$default_out}"
  pids=()
  trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT
  program="$out/$prog"
  [ -x "$program" ] || bail "$program is built (ninja -C $out $prog)"
}

find_tool() {  # find_tool NAME: its path (PATH, then /usr/sbin), or nothing
  command -v "$1" 2>/dev/null || { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1"; } || true
}

# make_peer_certs "CA NAME" "SAN": $work/ca.pem (and ca.key), and a leaf
# signed by it, $work/leaf.pem and leaf.key (readable by a peer running as
# another user), for the subjectAltName list SAN ("DNS:origin.test,IP:...").
make_peer_certs() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/O=cnet/CN=$1" \
    -keyout "$work/ca.key" -out "$work/ca.pem" &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=origin.test" \
      -keyout "$work/leaf.key" -out "$work/leaf.csr" &&
    printf '%s\n' "subjectAltName=$2" "basicConstraints=CA:FALSE" \
      "extendedKeyUsage=serverAuth" > "$work/leaf.ext" &&
    openssl x509 -req -in "$work/leaf.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
      -CAcreateserial -days 2 -extfile "$work/leaf.ext" -out "$work/leaf.pem" &&
    chmod 644 "$work/leaf.key"
}

listening() {  # listening PORT...: each accepts a TCP connection
  local p
  for p in "$@"; do
    (exec 3<> "/dev/tcp/127.0.0.1/$p") 2>/dev/null || return 1
  done
}

# start_peer NAME LOG "PORT..." command...: starts it in the background and
# waits for every port to listen; on success its PID joins pids (stopped on
# exit). A peer that exits or does not listen within 10 s is killed, its log
# appended to $work/setup.log, and the call fails.
start_peer() {
  local name="$1" log="$2" ports="$3"
  shift 3
  "$@" > "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do
    # shellcheck disable=SC2086
    if listening $ports; then
      pids+=("$pid")
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  { echo "$name did not listen on $ports:"; cat "$log"; } >> "$work/setup.log"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 1
}

# A free port can be taken between probing and the peer's bind: each peer is
# tried up to three times with new ports.
start_with_retries() {  # start_with_retries FUNCTION
  : > "$work/setup.log"
  for _ in 1 2 3; do
    "$1" && return 0
  done
  return 1
}

# nginx_conf_head LEVEL CONNECTIONS: the start of an nginx.conf for a peer
# living in $work/nginx (one process in the foreground, its pid file, error
# log at LEVEL and temporary files there), up to the inside of "http {": the
# caller writes its own directives, its servers and the closing "}".
nginx_conf_head() {
  cat <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log $1;
events { worker_connections $2; }
http {
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  default_type application/octet-stream;
CONF
}

# start_nginx_peer LOG "PORT...": $nginx_bin on $work/nginx/nginx.conf, once
# nginx -t has accepted it (its complaint goes to $work/setup.log), waited
# for on every port (start_peer).
start_nginx_peer() {
  local args=(-p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf")
  "$nginx_bin" -t "${args[@]}" >> "$work/setup.log" 2>&1 || return 1
  start_peer nginx "$1" "$2" "$nginx_bin" "${args[@]}"
}

# squid_conf_common DIR NAME: the lines of a squid.conf that keep a peer
# squid in DIR (pid, cache log, hosts_file DIR/hosts: the .test names),
# caching nothing, named NAME, and quick to stop; the caller adds its ports,
# access_log and ACLs.
squid_conf_common() {
  cat <<CONF
pid_filename $1/squid.pid
cache_log $1/cache.log
coredump_dir $1
hosts_file $1/hosts
cache deny all
cache_mem 8 MB
pinger_enable off
netdb_filename none
visible_hostname $2
shutdown_lifetime 0 seconds
CONF
}
