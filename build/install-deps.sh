#!/usr/bin/env bash
# Installs what cnet needs from Debian's packages, and nothing when all of it
# is already there. Run as root (or through sudo) on Debian 12.
set -euo pipefail

packages=(
  generate-ninja ninja-build      # GN + ninja
  gcc g++ clang                   # toolchains (clang for libFuzzer)
  libclang-rt-14-dev              # clang's sanitizer and libFuzzer runtimes
  dpkg-dev python3                # BoringSSL's source: dpkg-source, GN's source-list reader
  libuv1-dev zlib1g-dev libnghttp2-dev liburiparser-dev
  libgtest-dev                    # GoogleTest
  pkg-config
  curl                            # interop cross-checks in the tests
  squid openssl                   # tests/interop: a real proxy (GnuTLS build: https_port works)
  nghttp2-proxy nghttp2-server    # tests/interop: nghttpx (HTTP/2 proxy) and nghttpd (HTTP/2 origin)
  nginx-light libnginx-mod-http-echo  # tests/interop: nginx with http2 on TLS, echo for uploads
  libjansson-dev                  # JSON parsing of NetLog lines (fetch --trace ladder)
  dante-server microsocks         # tests/interop/socks_test.sh: SOCKS5 proxies (danted, microsocks)
  libcurl4-openssl-dev            # tests/embed_test.sh: libcurl (OpenSSL) beside libcnet
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm run the node-spdy peers (tests/interop/spdy): any install
# will do (the machine may have its own), Debian's when there is none.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

# BoringSSL is built from source (Debian's android-platform-external-boringssl)
# into libcnet; this fetches the source tree once (no root needed, the
# system's apt sources untouched).
fetch_boringssl() {
  bash "$(dirname "$0")/fetch-boringssl.sh"
}

if [ ${#missing[@]} -eq 0 ]; then
  fetch_boringssl
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fetch_boringssl
