# shellcheck shell=bash
# shellcheck disable=SC2154,SC2178  # work, out, fetch, big_bytes are the sourcing script's; ca is a string here
# The real peers of bench/run.sh and tests/interop/optimistic_tunnel_test.sh,
# started on free 127.0.0.1 ports in the sourcing script's $work (which has
# called suite_setup from tests/lib.sh and keeps a pids array that its exit
# trap stops): certificates from a CA of its own (ca.pem; the leaf names
# proxy.test, origin.test and 127.0.0.1), a docroot with /1k (1,024 random
# bytes) and /big ($big_bytes, sparse), and
#   nginx    plain_port (http), h1_port (TLS, http/1.1), h2_port (TLS, h2),
#            keepalive_requests raised so one session carries every request
#   squid    squid_port (http_port) and squid_tls_port (https_port); CONNECT
#            only to nginx's TLS ports (anything else: 403)
#   nghttpx  nghttpx_port: --http2-proxy (h2 or http/1.1 from clients) in
#            front of squid
# A peer that is not installed or does not start ends the run (bail).

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # find_tool, make_peer_certs, start_peer, start_with_retries

# --- tools -----------------------------------------------------------------------------

nginx_bin=$(find_tool nginx)
squid_bin=$(find_tool squid)
nghttpx_bin=$(find_tool nghttpx)
for t in nginx squid nghttpx python3 openssl; do
  v="${t}_bin"
  [ "$t" = python3 ] || [ "$t" = openssl ] && { command -v "$t" >/dev/null || bail "$t is installed"; continue; }
  [ -n "${!v}" ] || bail "$t is installed (build/install-deps.sh installs it)"
done
# --- certificates and docroot --------------------------------------------------------

www="$work/www"
sq="$work/squid"
mkdir -p "$www" "$sq" "$work/nginx"
{
  make_peer_certs "cnet bench CA" "DNS:proxy.test,DNS:origin.test,IP:127.0.0.1" &&
    head -c 1024 /dev/urandom > "$www/1k" &&
    # Sparse: nginx reads zeros from it; TLS encrypts them like any bytes.
    truncate -s "$big_bytes" "$www/big" &&
    # Read once now, so the page cache holds it before anything is timed:
    # else the first client to fetch it (fetch, in workload c) pays for
    # nginx filling the cache (about 2.5 s of nginx's CPU for 1 GiB on the
    # bench machine, on the same two cores) and the second does not.
    cat "$www/big" > /dev/null &&
    chmod -R a+rX "$www"
} > "$work/setup.log" 2>&1 || bail "certificates and the docroot are made"
ca="$work/ca.pem"

start_nginx() {
  read -r plain_port h1_port h2_port < <(free_ports 3)
  local tls="ssl_certificate $work/leaf.pem; ssl_certificate_key $work/leaf.key;"
  {
    nginx_conf_head warn 1024
    cat <<EOF
  access_log off;
  root $www;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$plain_port; server_name origin.test; }
  server { listen 127.0.0.1:$h1_port ssl; server_name origin.test; $tls }
  server { listen 127.0.0.1:$h2_port ssl http2; server_name origin.test; $tls }
}
EOF
  } > "$work/nginx/nginx.conf"
  start_nginx_peer "$work/nginx.out" "$plain_port $h1_port $h2_port"
}
start_with_retries start_nginx || bail "nginx starts"

squid_user=proxy
id -u proxy >/dev/null 2>&1 || squid_user=nobody
printf '127.0.0.1 origin.test\n' > "$sq/hosts"
start_squid() {
  read -r squid_port squid_tls_port < <(free_ports 2)
  {
    echo "http_port 127.0.0.1:$squid_port"
    echo "https_port 127.0.0.1:$squid_tls_port tls-cert=$work/leaf.pem tls-key=$work/leaf.key"
    squid_conf_common "$sq" cnet-bench
    cat <<EOF
access_log none
acl SSL_ports port $h1_port $h2_port
http_access deny CONNECT !SSL_ports
http_access allow localhost
http_access deny all
EOF
    [ "$(id -u)" -eq 0 ] && echo "cache_effective_user $squid_user"
  } > "$sq/squid.conf"
  "$squid_bin" -k parse -f "$sq/squid.conf" >> "$work/setup.log" 2>&1 || return 1
  start_peer squid "$work/squid.out" "$squid_port $squid_tls_port" "$squid_bin" -N -f "$sq/squid.conf"
}
chmod 711 "$work"
[ "$(id -u)" -eq 0 ] && chown -R "$squid_user" "$sq"
start_with_retries start_squid || bail "squid starts (http_port and https_port)"

start_nghttpx() {
  read -r nghttpx_port < <(free_ports 1)
  start_peer nghttpx "$work/nghttpx.out" "$nghttpx_port" \
    "$nghttpx_bin" --conf=/dev/null --single-process --http2-proxy --no-ocsp \
    --frontend="127.0.0.1,$nghttpx_port" --backend="127.0.0.1,$squid_port" \
    --errorlog-file="$work/nghttpx.err" --accesslog-file=/dev/null \
    "$work/leaf.key" "$work/leaf.pem"
}
start_with_retries start_nghttpx || bail "nghttpx --http2-proxy starts"

