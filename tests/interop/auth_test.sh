#!/usr/bin/env bash
# shellcheck disable=SC2154  # the ${name}_port variables are set by printf -v
# Interop for authentication (docs/auth.md). Starts on free 127.0.0.1 ports,
# in a private temp dir, stopped by PID at the end:
#   - a plain cnet testserver and a TLS one (origins behind the proxy);
#   - squid offering Digest (its digest_file_auth helper) and Basic
#     (basic_ncsa_auth, an htpasswd file written with openssl passwd);
#   - nginx with auth_basic, plain and TLS + h2 (origin authentication);
# then drives fetch through them: Digest and Basic to squid for http://
# (absolute form) and https:// (CONNECT), nginx's 401 over HTTP/1.1 and h2,
# squid's 407 then nginx's 401 in one request, refusals, and curl to
# cross-check.
#
# Usage: tests/interop/auth_test.sh OUT_DIR   (e.g. out/debug; needs fetch and testserver)
# Prints one "ok N - what" / "not ok N - what" line per check (TAP style);
# "# SKIP" only when squid, its helpers or nginx are not installed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"
suite_setup auth "${1:-out/debug}"
testserver="$out/testserver"

sq="$work/squid"
ngx="$work/nginx"
www="$work/www"
mkdir -p "$sq" "$ngx" "$www/bytes" "$www/private"
pids=()
squid_pid=""

cleanup() {
  [ -n "$squid_pid" ] && stop_pids "$squid_pid"
  stop_pids "${pids[@]}"
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

suite_context() {
  for f in "$sq/cache.log" "$sq/access.log" "$ngx/error.log"; do
    [ -f "$f" ] && { echo "--- $(basename "$f") (tail)"; tail -8 "$f"; }
  done
  [ -f "$work/netlog" ] && { echo "--- fetch NetLog AUTH events"; grep AUTH "$work/netlog" | head -8; }
}

# --- tools -------------------------------------------------------------------

{ [ -x "$fetch" ] && [ -x "$testserver" ]; } || bail "fetch and testserver are built in $out"
command -v python3 > /dev/null || bail "python3 is installed (free ports, expected bodies)"
command -v openssl > /dev/null || bail "openssl is installed (certificates, password hashes)"
squid_bin=$(command -v squid || echo /usr/sbin/squid)
[ -x "$squid_bin" ] || squid_bin=""
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || nginx_bin=""
helpers=""
for d in /usr/lib/squid /usr/lib64/squid /usr/libexec/squid; do
  [ -x "$d/digest_file_auth" ] && [ -x "$d/basic_ncsa_auth" ] && { helpers=$d; break; }
done
have_curl=0
command -v curl > /dev/null && have_curl=1

make_pattern
for len in 100 2000; do head -c "$len" "$work/pattern" > "$www/bytes/$len"; done
cp "$www/bytes/2000" "$www/private/2000"

# A CA and a leaf for 127.0.0.1 (nginx's TLS server).
{
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/O=cnet/CN=cnet auth interop CA" \
    -keyout "$work/ca.key" -out "$work/interop-ca.pem" &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/leaf.key" \
      -out "$work/leaf.csr" &&
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
      > "$work/leaf.ext" &&
    openssl x509 -req -in "$work/leaf.csr" -CA "$work/interop-ca.pem" -CAkey "$work/ca.key" \
      -CAcreateserial -days 2 -extfile "$work/leaf.ext" -out "$work/leaf.pem"
} > "$work/setup.log" 2>&1 || bail "openssl makes the interop CA and certificate"

# Both servers' passwords: alice / s3cret.
printf 'alice:%s\n' "$(openssl passwd -apr1 's3cret')" > "$work/htpasswd"
printf 'alice:s3cret\n' > "$work/digest_passwd"

listening() {  # listening PORT...: every port accepts a connection
  local p
  for p in "$@"; do
    (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || return 1
  done
}

start_peer() {  # start_peer LOG "PORTS" command...: runs it until every port listens
  local log="$1" ports="$2"
  shift 2
  "$@" > "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do
    # shellcheck disable=SC2086
    if listening $ports; then
      last_pid=$pid
      return 0
    fi
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
  done
  cat "$log" >> "$work/setup.log"
  kill -KILL "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  return 1
}

# --- origins: testservers behind the proxy -----------------------------------

start_server plain --plain
start_server tls --name 127.0.0.1
A="http://127.0.0.1:$plain_port"
SA="https://127.0.0.1:$tls_port"

# --- nginx: auth_basic, plain and TLS + h2 --------------------------------------

start_nginx() {
  read -r ngx_port ngxs_port < <(free_ports 2)
  local auth="auth_basic \"cnet-nginx\"; auth_basic_user_file $work/htpasswd;"
  cat > "$ngx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/error.log info;
events { worker_connections 64; }
http {
  access_log $ngx/access.log;
  client_body_temp_path $ngx/body;
  proxy_temp_path $ngx/proxy;
  fastcgi_temp_path $ngx/fastcgi;
  uwsgi_temp_path $ngx/uwsgi;
  scgi_temp_path $ngx/scgi;
  default_type application/octet-stream;
  root $www;
  server { listen 127.0.0.1:$ngx_port; location /private/ { $auth } }
  server { listen 127.0.0.1:$ngxs_port ssl http2; ssl_certificate $work/leaf.pem;
    ssl_certificate_key $work/leaf.key; location /private/ { $auth } }
}
EOF
  "$nginx_bin" -t -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" >> "$work/setup.log" 2>&1 ||
    return 1
  start_peer "$ngx/stdout.log" "$ngx_port $ngxs_port" \
    "$nginx_bin" -p "$ngx" -e "$ngx/error.log" -c "$ngx/nginx.conf" || return 1
  pids+=("$last_pid")
}

# --- squid: Digest and Basic ------------------------------------------------------

squid_user=proxy
id -u proxy > /dev/null 2>&1 || squid_user=nobody

start_squid() {
  read -r squid_port < <(free_ports 1)
  {
    echo "http_port 127.0.0.1:$squid_port"
    cat <<EOF
pid_filename $sq/squid.pid
cache_log $sq/cache.log
access_log stdio:$sq/access.log
coredump_dir $sq
cache deny all
cache_mem 8 MB
pinger_enable off
netdb_filename none
visible_hostname cnet-auth-interop
shutdown_lifetime 0 seconds
auth_param digest program $helpers/digest_file_auth $work/digest_passwd
auth_param digest children 2 startup=1 idle=1
auth_param digest realm cnet-digest
auth_param basic program $helpers/basic_ncsa_auth $work/htpasswd
auth_param basic children 2 startup=1 idle=1
auth_param basic realm cnet-basic
acl authed proxy_auth REQUIRED
acl SSL_ports port $tls_port $ngxs_port
http_access deny CONNECT !SSL_ports
http_access allow localhost authed
http_access deny all
EOF
    [ "$(id -u)" -eq 0 ] && echo "cache_effective_user $squid_user"
  } > "$sq/squid.conf"
  rm -f "$sq/cache.log"
  "$squid_bin" -k parse -f "$sq/squid.conf" >> "$work/setup.log" 2>&1 || return 1
  start_peer "$work/squid.out" "$squid_port" "$squid_bin" -N -f "$sq/squid.conf" || return 1
  squid_pid=$last_pid
}

have_nginx=0
if [ -n "$nginx_bin" ]; then
  for _ in 1 2 3; do start_nginx && { have_nginx=1; break; }; done
  [ "$have_nginx" -eq 1 ] || bail "nginx starts with auth_basic (plain, TLS + h2)"
fi

# squid's CONNECT rule names nginx's TLS port: nginx first.
ngxs_port=${ngxs_port:-0}
have_squid=0
if [ -n "$squid_bin" ] && [ -n "$helpers" ]; then
  chmod 711 "$work"
  chmod 644 "$work/htpasswd" "$work/digest_passwd"
  [ "$(id -u)" -eq 0 ] && chown -R "$squid_user" "$sq"
  for _ in 1 2 3; do start_squid && { have_squid=1; break; }; done
  [ "$have_squid" -eq 1 ] || bail "squid starts with digest_file_auth and basic_ncsa_auth"
fi
P="http://alice:s3cret@127.0.0.1:${squid_port:-0}"
N="http://127.0.0.1:${ngx_port:-0}"
NS="https://127.0.0.1:${ngxs_port:-0}"

# --- helpers -------------------------------------------------------------------

sent_scheme() {  # sent_scheme TARGET SCHEME: the NetLog shows credentials sent to TARGET with SCHEME
  grep '"AUTH_CREDENTIALS_SENT"' "$work/netlog" | grep "\"target\":\"$1\"" |
    grep -q "\"scheme\":\"$2\"" || { echo "no $2 credentials to the $1 in the NetLog"; return 1; }
}

no_password_logged() {
  ! grep -q 's3cret' "$work/netlog" || { echo "the password is in the NetLog"; return 1; }
}

via_squid() {  # via_squid SCHEME-FLAG SCHEME URL LEN: through squid with that scheme
  run_fetch --netlog "$work/netlog" --cacert "$work/tls.ca" -x "$P" "$1" "$3" || return 1
  expect_body "$4" && sent_scheme proxy "$2" && no_password_logged
}

http_code() {  # http_code CODE fetch-args...: the response's status
  "$fetch" --no-proxy-env -s -o /dev/null -w '%{http_code}' "${@:2}" > "$work/code" 2> "$work/err"
  [ "$(cat "$work/code")" = "$1" ] || { echo "status $(cat "$work/code"), want $1"; cat "$work/err"; return 1; }
}

# --- squid ------------------------------------------------------------------------

if [ "$have_squid" -eq 1 ]; then
  check "squid Digest (digest_file_auth), http:// in absolute form" \
    via_squid --proxy-digest Digest "$A/bytes/100" 100
  check "squid Digest, https:// through a CONNECT" \
    via_squid --proxy-digest Digest "$SA/bytes/2000" 2000
  check "squid Basic (basic_ncsa_auth), http://" via_squid --proxy-basic Basic "$A/bytes/100" 100
  check "squid Basic, https:// through a CONNECT" \
    via_squid --proxy-basic Basic "$SA/bytes/2000" 2000
  check "squid offering both: the strongest, Digest, is chosen" \
    via_squid --proxy-anyauth Digest "$A/bytes/100" 100
  check "squid: a wrong password is ERR_PROXY_AUTH_REQUESTED" \
    fetch_fails ERR_PROXY_AUTH_REQUESTED -x "http://alice:wrong@127.0.0.1:$squid_port" "$A/bytes/100"
  check "squid: a CONNECT without credentials is ERR_PROXY_AUTH_REQUESTED" \
    fetch_fails ERR_PROXY_AUTH_REQUESTED --cacert "$work/tls.ca" -x "http://127.0.0.1:$squid_port" \
    "$SA/bytes/100"
  if [ "$have_curl" -eq 1 ]; then
    check "curl agrees: the same body through squid with Digest" bash -c "
      curl -s --proxy-digest -x '$P' '$A/bytes/100' -o '$work/curl.body' &&
      '$fetch' --no-proxy-env -s --proxy-digest -x '$P' '$A/bytes/100' -o '$work/fetch.body' &&
      cmp '$work/curl.body' '$work/fetch.body' && cmp '$work/curl.body' '$www/bytes/100'"
  else
    skip "curl cross-check through squid" "curl is not installed"
  fi
else
  skip "squid Digest and Basic proxy authentication" "squid or its auth helpers are not installed"
fi

# --- nginx ---------------------------------------------------------------------

if [ "$have_nginx" -eq 1 ]; then
  check "nginx auth_basic: no credentials is the 401" http_code 401 "$N/private/2000"
  check "nginx auth_basic: -u sends Basic up front" bash -c "
    '$fetch' --no-proxy-env -s -u alice:s3cret '$N/private/2000' -o '$work/body' &&
    cmp '$work/body' '$www/private/2000'"
  check "nginx auth_basic: --anyauth answers the 401 over HTTP/1.1" bash -c "
    '$fetch' --no-proxy-env -s --anyauth -u alice:s3cret --netlog '$work/netlog' \
      '$N/private/2000' -o '$work/body' && cmp '$work/body' '$www/private/2000' &&
    grep -q '\"AUTH_CHALLENGE\"' '$work/netlog'"
  check "nginx auth_basic: --anyauth answers the 401 over h2" bash -c "
    '$fetch' --no-proxy-env -s --anyauth -u alice:s3cret --cacert '$work/interop-ca.pem' \
      -w '%{http_version}' --netlog '$work/netlog' '$NS/private/2000' -o '$work/body' > '$work/ver' &&
    cmp '$work/body' '$www/private/2000' && grep -q '^2' '$work/ver' &&
    grep -q '\"AUTH_CREDENTIALS_SENT\"' '$work/netlog'"
  check "nginx auth_basic: --digest does not answer a Basic-only 401" \
    http_code 401 --digest -u alice:s3cret "$N/private/2000"
  check "nginx auth_basic: a wrong password ends with the 401" \
    http_code 401 --anyauth -u alice:wrong "$N/private/2000"
  if [ "$have_curl" -eq 1 ]; then
    check "curl agrees: nginx's 401 answered with --anyauth" bash -c "
      curl -s --anyauth -u alice:s3cret '$N/private/2000' -o '$work/curl.body' &&
      cmp '$work/curl.body' '$www/private/2000'"
  fi
else
  skip "nginx auth_basic origin authentication" "nginx is not installed"
fi

# --- 407 then 401 ----------------------------------------------------------------

if [ "$have_squid" -eq 1 ] && [ "$have_nginx" -eq 1 ]; then
  check "squid's 407 (Digest) then nginx's 401 (Basic) in one request" bash -c "
    '$fetch' --no-proxy-env -s -x '$P' --anyauth -u alice:s3cret --netlog '$work/netlog' \
      '$N/private/2000' -o '$work/body' && cmp '$work/body' '$www/private/2000'"
  check "407 then 401: each target got its own scheme" bash -c "
    grep '\"AUTH_CREDENTIALS_SENT\"' '$work/netlog' | grep -q '\"target\":\"proxy\".*\"scheme\":\"Digest\"' &&
    grep '\"AUTH_CREDENTIALS_SENT\"' '$work/netlog' | grep -q '\"target\":\"origin\".*\"scheme\":\"Basic\"'"
fi

echo "1..$n"
[ "$failures" -eq 0 ]
