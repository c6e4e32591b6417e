#!/usr/bin/env bash
# Issue #13's workload 1, side by side in one run: N GETs of /1k over one h2
# session to nginx with M in flight, by `fetch --repeat N --parallel M` and by
# `h2load -n N -c 1 -m M`. Prints wall time, user+sys CPU, CPU µs/request and
# requests/s of each, and the ratios fetch/h2load.
#
#   [H2_MUX_N=20000] [H2_MUX_M=100] bash bench/h2_mux/run.sh [OUT_DIR...]
#
# Each OUT_DIR (default out/release) is a build whose fetch runs, in the
# order given, after h2load: give two (e.g. main's and this tree's) to
# compare them side by side in one run.
# H2_MUX_WRAP="perf record -g -o FILE" runs fetch under a profiler.
# It starts its own nginx on a free loopback port in a temp dir and stops it
# by PID. Needs nginx (with http2), h2load (nghttp2-client), openssl.
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${H2_MUX_N:-20000}"
m="${H2_MUX_M:-100}"
[ $# -gt 0 ] || set -- out/release
for out in "$@"; do
  [ -x "$out/fetch" ] || { echo "h2_mux: $out/fetch is missing (build it: build/build.sh release fetch)" >&2; exit 2; }
done
for t in nginx h2load openssl; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "h2_mux: $t is not installed" >&2; exit 2; }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d "/tmp/cnet_h2_mux.$$.XXXXXX")
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=origin.test" \
  -addext "subjectAltName=DNS:origin.test" -keyout "$work/key.pem" -out "$work/cert.pem" \
  > "$work/openssl.log" 2>&1 || { cat "$work/openssl.log" >&2; exit 1; }
mkdir -p "$work/www" "$work/nginx"
head -c 1024 /dev/urandom > "$work/www/1k"
chmod -R a+rX "$work"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
$(for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $work/nginx/$t;"; done)
  root $work/www;
  keepalive_requests 10000000;
  http2_max_concurrent_streams 1000;
  server { listen 127.0.0.1:$port ssl http2; server_name origin.test;
    ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; }
}
CONF
"$nginx_bin" -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" \
  > "$work/nginx/stdout.log" 2>&1 &
nginx_pid=$!
until (exec 3<> "/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  kill -0 "$nginx_pid" 2>/dev/null || { echo "h2_mux: nginx did not start:" >&2; cat "$work/nginx/error.log" >&2; exit 1; }
  sleep 0.05
done

# run NAME command...: one line "NAME wall_s cpu_s"
measure() {
  local name="$1"
  shift
  /usr/bin/time -f "%e %U %S" -o "$work/time.$name" "$@" > "$work/$name.out" 2> "$work/$name.err" ||
    { echo "h2_mux: $name failed:" >&2; tail -5 "$work/$name.err" >&2; exit 1; }
  read -r wall usr sys < "$work/time.$name"
  echo "$name $wall $(echo "$usr + $sys" | bc -l)"
}

url="https://origin.test:$port/1k"
# The first run warms the page cache and nginx; h2load is measured after it.
h2load -n 200 -c 1 -m "$m" --connect-to="127.0.0.1:$port" "$url" > /dev/null 2>&1 || true
h=$(measure h2load h2load -n "$n" -c 1 -m "$m" --connect-to="127.0.0.1:$port" "$url")
grep -q "succeeded, 0 errored" "$work/h2load.out" || grep -q "$n succeeded" "$work/h2load.out" ||
  { echo "h2_mux: h2load did not get $n answers:" >&2; grep requests: "$work/h2load.out" >&2; exit 1; }
# H2_MUX_WRAP: a command to run fetch under, e.g. "perf record -g -o /tmp/p.data".
results=("$h")
i=0
for out in "$@"; do
  i=$((i + 1))
  # shellcheck disable=SC2086
  f=$(measure "fetch$i" ${H2_MUX_WRAP:-} "$out/fetch" -s -S -f --cacert "$work/cert.pem" \
    --resolve "origin.test:$port:127.0.0.1" --repeat "$n" --parallel "$m" --stats "$url")
  bytes=$(stat -c %s "$work/fetch$i.out")
  [ "$bytes" = "$((n * 1024))" ] || { echo "h2_mux: $out/fetch wrote $bytes bytes, not $((n * 1024))" >&2; exit 1; }
  grep -q '"sessions":1' "$work/fetch$i.err" ||
    { echo "h2_mux: $out/fetch did not use one session:" >&2; cat "$work/fetch$i.err" >&2; exit 1; }
  results+=("$f")
done

echo "h2_mux: $n GETs of /1k, $m in flight, one h2 session to nginx"
for ((j = 1; j <= i; j++)); do echo "  fetch$j = ${!j}/fetch"; done
printf '%-8s %8s %8s %12s %10s %10s %10s\n' tool wall_s cpu_s cpu_us/req req/s wall/h2load cpu/h2load
read -r _ hw hc <<< "$h"
for line in "${results[@]}"; do
  read -r name wall cpu <<< "$line"
  printf '%-8s %8.2f %8.2f %12.2f %10.0f %10.2f %10.2f\n' "$name" "$wall" "$cpu" \
    "$(echo "$cpu * 1000000 / $n" | bc -l)" "$(echo "$n / $wall" | bc -l)" \
    "$(echo "$wall / $hw" | bc -l)" "$(echo "$cpu / $hc" | bc -l)"
done
