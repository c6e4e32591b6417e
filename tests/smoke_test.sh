#!/usr/bin/env bash
# End-to-end checks of the built binaries: the test server and fetch, driven
# as a user would from a shell. Usage: tests/smoke_test.sh OUT_DIR
# Prints one "ok N - what" or "not ok N - what" line per check (TAP style).
set -uo pipefail
out="${1:-out/debug}"
work=$(mktemp -d)
n=0
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

check() {  # check "description" command...
  local what="$1"
  shift
  n=$((n + 1))
  if "$@" > "$work/check.out" 2>&1; then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"
    sed 's/^/    /' "$work/check.out" | head -20
  fi
}

# start_server NAME args...: starts a test server, sets ${NAME}_port.
start_server() {
  local name="$1"
  shift
  "$out/testserver" --port 0 --ca-out "$work/$name.ca" --port-file "$work/$name.port" "$@" \
    > "$work/$name.log" 2>&1 &
  server_pids+=("$!")
  for _ in $(seq 1 100); do
    [ -s "$work/$name.port" ] && break
    sleep 0.05
  done
  printf -v "${name}_port" '%s' "$(cat "$work/$name.port" 2>/dev/null)"
}

start_server good --name origin.test
start_server expired --cert-mode expired
start_server wronghost --cert-mode wrong-host

url="https://127.0.0.1:$good_port"

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

check "fetch / over TLS with the test CA" \
  bash -c "'$out/fetch' --cacert '$work/good.ca' '$url/' | grep -q cnet"
check "fetch /bytes/100000 body is exact" bytes_match 100000 --cacert "$work/good.ca" "$url/bytes/100000"
check "fetch chunked body is exact" bytes_match 70000 --cacert "$work/good.ca" "$url/chunked/70000"
check "fetch gzip body is decoded" bytes_match 5000 --cacert "$work/good.ca" "$url/gzip/5000"
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
check "--netlog writes JSON lines with the TLS handshake" \
  bash -c "'$out/fetch' --netlog '$work/log.json' --cacert '$work/good.ca' '$url/' >/dev/null && grep -q '\"type\":\"SSL_CONNECT\",\"phase\":\"END\"' '$work/log.json'"
