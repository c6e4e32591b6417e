#!/usr/bin/env bash
# fetch --proxy-pac end to end (docs/pac.md): a PAC script from a file and
# from an http:// URL served by the test server, falling back from a dead
# proxy to a live one and to DIRECT; the errors a user sees.
# Usage: tests/pac_test.sh OUT_DIR. TAP-style lines, as the other suites.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"
suite_setup pac "${1:-out/debug}"
pids=()
trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT

start_server origin --plain
start_server proxy --proxy --plain
dead_port=$(free_ports 1)  # nothing listens there
origin="http://127.0.0.1:$origin_port"
live="127.0.0.1:$proxy_port"
dead="127.0.0.1:$dead_port"

pac_answering() {  # pac_answering ANSWER: a PAC script answering ANSWER for every URL
  printf 'function FindProxyForURL(url, host) {\n  return "%s";\n}\n' "$1"
}
pac_answering "PROXY $dead; PROXY $live; DIRECT" > "$work/fallback.pac"
pac_answering "PROXY $dead; DIRECT" > "$work/direct.pac"
printf 'function FindProxyForURL(url, host) { return broken(; }\n' > "$work/broken.pac"

went_through() {  # went_through PROXY|direct fetch-args...: 10 bytes, via PROXY (-v says)
  local via="$1"
  shift
  run_fetch -v "$@" || return 1
  [ "$(wc -c < "$work/body")" -eq 10 ] || { echo "body: $(wc -c < "$work/body") bytes"; return 1; }
  if [ "$via" = direct ]; then
    grep -q '^\* direct$' "$work/err" || { echo "not direct:"; cat "$work/err"; return 1; }
  else
    grep -q "^\* proxy http://$via: TCP" "$work/err" || { echo "not through $via:"; cat "$work/err"; return 1; }
  fi
}

check "PAC file: the dead proxy falls back to the live one" \
  went_through "$live" --proxy-pac "$work/fallback.pac" "$origin/bytes/10"
check "PAC file: every proxy dead falls back to DIRECT" \
  went_through direct --proxy-pac "$work/direct.pac" "$origin/bytes/10"

# The script in the URL of the test server's /pac route, percent-encoded.
encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=""))' \
  < "$work/fallback.pac")
check "PAC from an http:// URL (fetched direct): falls back to the live proxy" \
  went_through "$live" --proxy-pac "$origin/pac?$encoded" "$origin/bytes/10"
check "a PAC script with a syntax error goes DIRECT (Chromium's rule)" \
  went_through direct --proxy-pac "$work/broken.pac" "$origin/bytes/10"

fails_saying() {  # fails_saying TEXT fetch-args...: fetch fails and says TEXT
  local text="$1"
  shift
  if timeout 30 "$fetch" --no-proxy-env "$@" > "$work/body" 2> "$work/err"; then
    echo "fetch succeeded"
    return 1
  fi
  grep -qF "$text" "$work/err" || { echo "stderr lacks '$text':"; cat "$work/err"; return 1; }
}
check "a missing PAC file is an error naming it" \
  fails_saying "cannot read the PAC script $work/missing.pac" --proxy-pac "$work/missing.pac" \
  "$origin/bytes/10"
check "-x and --proxy-pac together are an error" \
  fails_saying "exclusive" -x "http://$live" --proxy-pac "$work/fallback.pac" "$origin/bytes/10"

echo "1..$n"
[ "$failures" -eq 0 ]
