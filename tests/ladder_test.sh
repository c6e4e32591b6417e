#!/usr/bin/env bash
# shellcheck disable=SC2154  # the ${name}_port variables are set by printf -v (tests/lib.sh)
# The ladder diagram live: fetch through the test server's proxy for every
# flow of the seed (F1-F6) and both multiplexed protocols (SPDY/3.1, HTTP/2),
# each URL twice in one run, and check the diagram's structure: the steps in
# order, "jump to step N" exactly on the second request, TLS lines with
# version and ALPN, the proxy's own steps from its NetLog; then a chain of
# two proxies (a column per hop, each proxy's steps from its own NetLog).
# Usage: tests/ladder_test.sh OUT_DIR. Prints TAP lines ("ok N - what").
# Uses `fetch --trace ladder --trace-proxy-netlog FILE` when fetch has it,
# else `fetch --netlog FILE` and the `ladder` reader (the same renderer).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"
suite_setup ladder "${1:-out/debug}"
pids=()
trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT

for bin in fetch testserver ladder; do
  [ -x "$out/$bin" ] || { echo "Bail out! $out/$bin is not built"; exit 1; }
done
live_trace=false
"$out/fetch" --help 2>&1 | grep -q -- '--trace' && live_trace=true

mux=(--alpn h2,spdy/3.1,http/1.1)
start_server plain --plain
start_server origin --name origin.test "${mux[@]}"
start_server proxy --proxy "${mux[@]}" --map origin.test=127.0.0.1 \
  --netlog "$work/proxy.jsonl"
proxy=(-x "https://127.0.0.1:$proxy_port" --proxy-cacert "$work/proxy.ca" --cacert "$work/origin.ca")
tls_url="https://origin.test:$origin_port/bytes/3"
plain_url="http://origin.test:$plain_port/bytes/3"

# ladder NAME fetch-args...: the diagram of fetching twice into $work/NAME.txt.
ladder() {
  local name="$1"
  shift
  if $live_trace; then
    "$out/fetch" --trace ladder --trace-proxy-netlog "$work/proxy.jsonl" "${proxy[@]}" \
      -o /dev/null "$@" > "$work/$name.txt" 2>&1
  else
    "$out/fetch" --netlog "$work/$name.jsonl" "${proxy[@]}" "$@" > /dev/null 2> "$work/$name.err" &&
      "$out/ladder" "$work/$name.jsonl" "$work/proxy.jsonl" > "$work/$name.txt"
  fi
}

# steps FILE N: request N's step numbers, space-separated.
steps() {
  awk -v want="$2" '/^== request /{r++; next} r==want && /^[0-9][0-9-]*\) /{sub(/\).*/, ""); printf "%s ", $0}' "$1"
}
# jumps FILE N: request N's jump lines.
jumps() {
  awk -v want="$2" '/^== request /{r++; next} r==want && /jump to step/' "$1"
}
# step_text FILE N STEP: the line of step STEP in request N.
step_text() {
  awk -v want="$2" -v step="$3" '/^== request /{r++; next} r==want && index($0, step ") ")==1' "$1"
}

tunnel_steps="1-3 4 5-8 9 10-12 13 14 15-18 19 20 "
forward_steps="1-3 4 5-8 9 10-12 13 14 15 "

expect() {  # expect NAME FLOW KIND PROXY_ALPN ORIGIN_ALPN STEP9 STEP13_OR_15
  local name="$1" flow="$2" kind="$3" palpn="$4" oalpn="$5" step9="$6" answer="$7"
  local f="$work/$name.txt"
  [ "$(grep -c '^== request ' "$f")" = 2 ] || { echo "not two requests:"; cat "$f"; return 1; }
  local first="$tunnel_steps" second="19 20 " target=19 reason="tunnel to the origin"
  if [ "$kind" = forward ]; then
    first="$forward_steps" second="9 10-12 13 14 15 " target=9 reason="connection to the proxy"
  fi
  [ "$(steps "$f" 1)" = "$first" ] || { echo "request 1 steps: $(steps "$f" 1)"; cat "$f"; return 1; }
  [ "$(steps "$f" 2)" = "$second" ] || { echo "request 2 steps: $(steps "$f" 2)"; cat "$f"; return 1; }
  [ -z "$(jumps "$f" 1)" ] || { echo "request 1 must not jump"; cat "$f"; return 1; }
  [ "$(jumps "$f" 2 | wc -l)" = 1 ] || { echo "request 2 needs one jump line"; cat "$f"; return 1; }
  jumps "$f" 2 | grep -q "$reason exists.*jump to step $target \*\*\*$" ||
    { echo "wrong jump:"; cat "$f"; return 1; }
  step_text "$f" 1 5-8 | grep -q "TLSv1\.[23] .*ALPN $palpn, resumed \(no\|yes\)" ||
    { echo "TLS to the proxy:"; cat "$f"; return 1; }
  if [ "$kind" = tunnel ]; then
    step_text "$f" 1 15-18 | grep -q "TLSv1\.[23] .*ALPN $oalpn, resumed" ||
      { echo "TLS to the origin:"; cat "$f"; return 1; }
  fi
  step_text "$f" 1 9 | grep -q -- "$step9" || { echo "step 9 is not '$step9':"; cat "$f"; return 1; }
  local answer_step=13
  [ "$kind" = forward ] && answer_step=15
  step_text "$f" 1 $answer_step | grep -q -- "$answer" ||
    { echo "step $answer_step is not '$answer':"; cat "$f"; return 1; }
  step_text "$f" 1 10-12 | grep -q "TCP connect 127.0.0.1:\|reuses its idle connection" ||
    { echo "the proxy's step 10-12 was not drawn from its NetLog:"; cat "$f"; return 1; }
  ! grep -q "not observed" "$f" || { echo "proxy steps not observed:"; cat "$f"; return 1; }
  [ "$(grep -c -- "--- flow $flow:" "$f")" = 2 ] || { echo "flow is not $flow:"; cat "$f"; return 1; }
}

check "F1 (http/1.1 proxy, absolute URI): drawn" \
  ladder F1 --proxy-protocols http/1.1 "$plain_url" "$plain_url"
check "F1: steps 1-15, second request jumps to step 9" \
  expect F1 F1 forward http/1.1 - "GET http://origin.test:$plain_port/bytes/3 HTTP/1.1" "HTTP/1.1 200 OK"
check "F2 (CONNECT over http/1.1, http/1.1 inside): drawn" \
  ladder F2 --proxy-protocols http/1.1 --protocols http/1.1 "$tls_url" "$tls_url"
check "F2: steps 1-20, second request jumps to step 19" \
  expect F2 F2 tunnel http/1.1 http/1.1 "CONNECT origin.test:$origin_port HTTP/1.1" \
  "HTTP/1.1 200 Connection Established"

for proto in spdy/3.1 h2; do
  p=${proto%%/*}
  if [ "$proto" = h2 ]; then
    f3_19=":method=GET"
    f4_9="HEADERS stream_id=1 :method=GET :scheme=http :authority=origin.test:$plain_port"
    f4_15="HEADERS stream_id=1 :status=200"
    f5_9="HEADERS stream_id=1 :method=CONNECT :authority=origin.test:$origin_port"
    f5_13="HEADERS stream_id=1 :status=200"
  else
    f3_19="method=GET url=/bytes/3"
    f4_9="SYN_STREAM stream_id=1 method=GET url=http://origin.test:$plain_port/bytes/3"
    f4_15="SYN_REPLY stream_id=1 status=200 OK"
    f5_9="SYN_STREAM stream_id=1 method=CONNECT url=origin.test:$origin_port"
    f5_13="SYN_REPLY stream_id=1 status=200 Connection Established"
  fi
  check "F3 ($proto inside an http/1.1 tunnel): drawn" \
    ladder "F3-$p" --proxy-protocols http/1.1 --protocols "$proto" "$tls_url" "$tls_url"
  check "F3 over $proto: steps 1-20, jump to step 19 (the origin session)" \
    expect "F3-$p" F3 tunnel http/1.1 "$proto" "CONNECT origin.test:$origin_port" \
    "HTTP/1.1 200 Connection Established"
  check "F3 over $proto: step 19 is a $proto frame" \
    bash -c "grep -q '^19) .*$f3_19' '$work/F3-$p.txt'"
  check "F4 (http:// over a $proto proxy session): drawn" \
    ladder "F4-$p" --proxy-protocols "$proto" "$plain_url" "$plain_url"
  check "F4 over $proto: steps 1-15, second request jumps to step 9 (the session)" \
    expect "F4-$p" F4 forward "$proto" - "$f4_9" "$f4_15"
  check "F5 (CONNECT stream on a $proto session, http/1.1 inside): drawn" \
    ladder "F5-$p" --proxy-protocols "$proto" --protocols http/1.1 "$tls_url" "$tls_url"
  check "F5 over $proto: steps 1-20, jump to step 19" \
    expect "F5-$p" F5 tunnel "$proto" http/1.1 "$f5_9" "$f5_13"
  check "F6 ($proto inside a $proto CONNECT stream): drawn" \
    ladder "F6-$p" --proxy-protocols "$proto" --protocols "$proto" "$tls_url" "$tls_url"
  check "F6 over $proto: steps 1-20, jump to step 19" \
    expect "F6-$p" F6 tunnel "$proto" "$proto" "$f5_9" "$f5_13"
done

# A chain of two proxies, each with its own NetLog: HTTP/1.1 to the first,
# HTTP/2 to the second, HTTP/2 to the origin. `ladder` reads both proxies'
# NetLogs (fetch --trace-proxy-netlog takes one).
start_server hop1 --proxy --alpn http/1.1 --netlog "$work/hop1.jsonl"
start_server hop2 --proxy --alpn h2 --map origin.test=127.0.0.1 --netlog "$work/hop2.jsonl"
cat "$work/hop1.ca" "$work/hop2.ca" > "$work/hops.ca"
chain_ladder() {
  "$out/fetch" --netlog "$work/chain.jsonl" -x "[https://127.0.0.1:$hop1_port https://127.0.0.1:$hop2_port]" \
    --proxy-cacert "$work/hops.ca" --cacert "$work/origin.ca" --proxy-protocols h2,spdy/3.1,http/1.1 \
    --protocols h2 "$tls_url" "$tls_url" > /dev/null 2> "$work/chain.err" &&
    "$out/ladder" "$work/chain.jsonl" "$work/hop1.jsonl" "$work/hop2.jsonl" > "$work/chain.txt"
}
expect_chain() {
  local f="$work/chain.txt"
  [ "$(grep -c '^== request ' "$f")" = 2 ] || { echo "not two requests:"; cat "$f"; return 1; }
  grep -q '^step   Client           Proxy 1            Proxy 2            Origin Server$' "$f" ||
    { echo "no column per proxy:"; cat "$f"; return 1; }
  local first="1-3 4 5-8 9 10-12 13 14 15-18 19 20-22 23 24 25-28 29 30 "
  [ "$(steps "$f" 1)" = "$first" ] || { echo "request 1 steps: $(steps "$f" 1)"; cat "$f"; return 1; }
  [ "$(steps "$f" 2)" = "29 30 " ] || { echo "request 2 steps: $(steps "$f" 2)"; cat "$f"; return 1; }
  [ -z "$(jumps "$f" 1)" ] || { echo "request 1 must not jump"; cat "$f"; return 1; }
  jumps "$f" 2 | grep -q "tunnel to the origin exists (h2 session .*jump to step 29 \*\*\*$" ||
    { echo "wrong jump:"; cat "$f"; return 1; }
  step_text "$f" 1 9 | grep -q "^9)     |---------------->|  .* CONNECT 127\.0\.0\.1:$hop2_port HTTP/1\.1" ||
    { echo "step 9 is not the CONNECT to proxy 2 through proxy 1:"; cat "$f"; return 1; }
  step_text "$f" 1 10-12 | grep -q "|----------------->|  .* TCP connect 127\.0\.0\.1:$hop2_port" ||
    { echo "proxy 1's connection to proxy 2 (its NetLog):"; cat "$f"; return 1; }
  step_text "$f" 1 15-18 | grep -q "TLSv1\.[23] .*ALPN h2, resumed" ||
    { echo "TLS to proxy 2:"; cat "$f"; return 1; }
  step_text "$f" 1 19 | grep -q "^19)    |===================================>|  .* HEADERS stream_id=1 :method=CONNECT :authority=origin\.test:$origin_port" ||
    { echo "step 19 is not the CONNECT stream to proxy 2:"; cat "$f"; return 1; }
  step_text "$f" 1 20-22 | grep -q "TCP connect 127\.0\.0\.1:$origin_port" ||
    { echo "proxy 2's connection to the origin (its NetLog):"; cat "$f"; return 1; }
  step_text "$f" 1 25-28 | grep -q "ALPN h2, resumed" || { echo "TLS to the origin:"; cat "$f"; return 1; }
  ! grep -q "not observed" "$f" || { echo "proxy steps not observed:"; cat "$f"; return 1; }
  [ "$(grep -c -- "--- flow F6 through 2 proxies: http/1.1 to proxy 1, h2 to proxy 2, h2 to the origin;" "$f")" = 2 ] ||
    { echo "summary:"; cat "$f"; return 1; }
}
check "a 2-hop chain (http/1.1 then h2 proxies, h2 origin): drawn" chain_ladder
check "2-hop chain: a column per proxy, steps 1-30, each hop's steps between its columns, jump to step 29" \
  expect_chain

not_observed() {  # F4 over h2 again, without the proxy's NetLog
  if $live_trace; then
    "$out/fetch" --trace ladder "${proxy[@]}" --proxy-protocols h2 -o /dev/null \
      "$plain_url" "$plain_url" > "$work/noproxy.txt" 2>&1 || return 1
  else
    "$out/ladder" "$work/F4-h2.jsonl" > "$work/noproxy.txt" || return 1
  fi
  [ "$(grep -c '^10-12) .*(not observed: proxy side)' "$work/noproxy.txt")" = 2 ] ||
    { cat "$work/noproxy.txt"; return 1; }
  [ "$(jumps "$work/noproxy.txt" 2 | wc -l)" = 1 ] || { cat "$work/noproxy.txt"; return 1; }
}
check "without the proxy's NetLog its steps are '(not observed: proxy side)', jumps unchanged" \
  not_observed
check "ladder: a missing file is exit 1 naming it" \
  bash -c "'$out/ladder' /nonexistent.jsonl 2> '$work/err'; test \$? -eq 1 && grep -q /nonexistent.jsonl '$work/err'"
check "ladder: no arguments is exit 2 with the usage" \
  bash -c "'$out/ladder' 2> '$work/err'; test \$? -eq 2 && grep -q usage '$work/err'"
check "ladder: a file of garbage draws no requests and counts the lines" \
  bash -c "printf 'x\n{}\n' > '$work/junk.jsonl' && '$out/ladder' '$work/junk.jsonl' | grep -q '(2 of the client.s 2 NetLog lines were not NetLog JSON'"
echo "1..$n"
