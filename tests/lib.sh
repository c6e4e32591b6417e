# shellcheck shell=bash
# shellcheck disable=SC2154  # work and fetch are set by the sourcing suite
# Helpers shared by the shell suites (sourced, not run): TAP lines, cnet's
# test server on a free port, free loopback ports, and running fetch with
# its --stats counters checked.
#
# The sourcing suite calls suite_setup first (or sets work, fetch, n and
# failures itself), and may define suite_context(), whose output (peer logs,
# say) follows a failing check's own output.

# suite_setup NAME OUT_DIR: out (absolute), fetch ($out/fetch), work (a new
# private temp dir, cnet-NAME.XXXXXX; the suite removes it on exit), n and
# failures (0). A missing OUT_DIR is one failed check and exit 1.
suite_setup() {
  out=$(cd "$2" 2>/dev/null && pwd) || { echo "not ok 1 - build dir $2 missing"; exit 1; }
  fetch="$out/fetch"
  work=$(mktemp -d "${TMPDIR:-/tmp}/cnet-$1.XXXXXX")
  n=0
  failures=0
}

# stop_pids PID...: SIGTERM to each (children the suite started), then waits
# up to 5 s for each to exit (squid takes ~2 s even with shutdown_lifetime
# 0) before SIGKILL.
stop_pids() {
  local pid
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "$@"; do
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      # An exited child stays a zombie (kill -0 succeeds) until waited for.
      [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
      sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
}

# check "description" command...: runs the command, prints "ok N - ..." or
# "not ok N - ..." with the command's output and suite_context indented.
check() {
  local what="$1"
  shift
  n=$((n + 1))
  if "$@" > "$work/check.out" 2>&1; then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"
    failures=$((failures + 1))
    { cat "$work/check.out"; declare -F suite_context > /dev/null && suite_context; } |
      sed 's/^/    /' | head -80
  fi
}

# start_server NAME testserver-args...: cnet's test server ($out/testserver)
# on a free loopback port, its CA written to $work/NAME.ca (not with
# --plain); sets ${NAME}_port and adds the PID to the suite's pids array
# (stop them with stop_pids). A server that does not start ends the run.
start_server() {
  local name="$1"
  shift
  local ca=(--ca-out "$work/$name.ca")
  case " $* " in *" --plain "*) ca=() ;; esac  # a plain server has no CA
  "$out/testserver" --port 0 "${ca[@]}" --port-file "$work/$name.port" "$@" \
    > "$work/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 200); do
    [ -s "$work/$name.port" ] && break
    sleep 0.05
  done
  [ -s "$work/$name.port" ] || { cp "$work/$name.log" "$work/setup.log"; bail "testserver $name starts"; }
  printf -v "${name}_port" '%s' "$(cat "$work/$name.port")"
}

skip() {  # skip "description" "reason": only for a tool that is not installed
  n=$((n + 1))
  echo "ok $n - $1 # SKIP $2"
}

# bail "description": a setup failure ends the run; $work/setup.log and
# suite_context are printed.
bail() {
  n=$((n + 1))
  echo "not ok $n - $1"
  { [ -f "$work/setup.log" ] && cat "$work/setup.log"; declare -F suite_context > /dev/null &&
    suite_context; } | sed 's/^/    /' | head -60
  echo "Bail out! $1"
  exit 1
}

free_ports() {  # free_ports N: prints N distinct free 127.0.0.1 ports
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

run_fetch() {  # run_fetch fetch-args...: body to $work/body, stderr to $work/err
  if ! timeout 30 "$fetch" --no-proxy-env "$@" > "$work/body" 2> "$work/err"; then
    # Arguments cut to 100 characters: a check may pass a 100 KB body.
    echo "fetch $(printf '%.100s ' "$@")failed:"
    cat "$work/err"
    return 1
  fi
}

expect_stats() {  # expect_stats key=value...: the --stats line in $work/err
  local line kv
  line=$(grep '^{"tcp_connects"' "$work/err" | tail -1)
  [ -n "$line" ] || { echo "no --stats line on stderr:"; cat "$work/err"; return 1; }
  for kv in "$@"; do
    grep -qE "\"${kv%%=*}\":${kv#*=}[,}]" <<< "$line" || {
      echo "stats: want ${kv%%=*} ${kv#*=}; got $line"
      return 1
    }
  done
}

fetch_fails() {  # fetch_fails ERR_NAME fetch-args...: fetch fails, naming ERR_NAME
  local err="$1"
  shift
  if timeout 30 "$fetch" --no-proxy-env "$@" > "$work/body" 2> "$work/err"; then
    echo "fetch $(printf '%.100s ' "$@")succeeded; want $err"
    return 1
  fi
  grep -q "$err" "$work/err" || { echo "want $err, got:"; cat "$work/err"; return 1; }
}

# make_pattern: $work/pattern, 200000 bytes where byte i is (i*31+7)&0xff --
# what the test server's /bytes/N sends (its first N bytes).
make_pattern() {
  python3 -c '
import sys
sys.stdout.buffer.write(bytes(((i * 31 + 7) & 0xff) for i in range(200000)))' > "$work/pattern"
}

expect_body() {  # expect_body N...: $work/body is the pattern of each length in turn
  local len
  : > "$work/want"
  for len in "$@"; do head -c "$len" "$work/pattern" >> "$work/want"; done
  cmp "$work/want" "$work/body" > /dev/null 2>&1 || {
    echo "body differs: want $(wc -c < "$work/want") bytes (lengths $*), got $(wc -c < "$work/body")"
    cmp "$work/want" "$work/body" 2>&1 | head -2
    return 1
  }
}
