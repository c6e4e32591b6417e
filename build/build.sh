#!/usr/bin/env bash
# Generates and builds one configuration: build/build.sh [debug|release|asan|clang|fuzz] [ninja targets...]
# Output goes to out/<config>, or to $CNET_OUT when set (a private build
# directory, e.g. for a second build of the same configuration side by side).
# Uses at most as many jobs as there are cores.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-debug}"
shift || true
case "$config" in
  debug) args='is_debug=true' ;;
  release) args='is_debug=false' ;;
  asan) args='is_debug=true use_asan=true' ;;
  clang) args='is_debug=true use_clang=true' ;;
  fuzz) args='is_debug=true use_libfuzzer=true use_asan=true' ;;
  *) echo "build.sh: unknown configuration '$config' (debug|release|asan|clang|fuzz)" >&2; exit 2 ;;
esac
# CNET_BORINGSSL_FROM=out/debug: link that (already built) directory's
# BoringSSL instead of compiling it again (third_party/boringssl/boringssl.gni).
if [ -n "${CNET_BORINGSSL_FROM:-}" ]; then
  args="$args boringssl_prebuilt_dir=\"//$CNET_BORINGSSL_FROM\""
fi
out="${CNET_OUT:-out/$config}"
if [ ! -f "$out/build.ninja" ] || [ "$(cat "$out/.cnet-args" 2>/dev/null)" != "$args" ]; then
  gn gen "$out" --args="$args" --export-compile-commands >/dev/null
  echo "$args" > "$out/.cnet-args"
fi
ninja -C "$out" -j "$(nproc)" "$@"
