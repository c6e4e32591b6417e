#!/usr/bin/env bash
# README command 1: install what is missing, build, start the bundled loopback
# test server and fetch from it with cnet's fetch tool, showing what was
# negotiated (-v) and the NetLog counters (--stats).
set -euo pipefail
cd "$(dirname "$0")/.."

bash build/install-deps.sh
bash build/build.sh debug fetch testserver >/dev/null

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The server picks a free port and tells us which.
out/debug/testserver --port 0 --name origin.test --ca-out "$work/ca.pem" \
  --port-file "$work/port" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/port" ] && break
  sleep 0.05
done
[ -s "$work/port" ] || { echo "demo: the test server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
port=$(cat "$work/port")

echo "== test server: https://127.0.0.1:$port (CA in $work/ca.pem)"
echo
echo "== fetch -v --stats https://origin.test:$port/  (origin.test resolved to 127.0.0.1)"
out/debug/fetch -v --stats --cacert "$work/ca.pem" --resolve "origin.test:$port:127.0.0.1" \
  "https://origin.test:$port/"
echo
echo "== two URLs in one run"
out/debug/fetch --stats --cacert "$work/ca.pem" "https://127.0.0.1:$port/bytes/16" \
  "https://127.0.0.1:$port/chunked/16" | od -An -tx1 | head -4
