#!/usr/bin/env bash
# Installs what cnet needs from Debian's packages, and nothing when all of it
# is already there. Run as root (or through sudo) on Debian 12.
set -euo pipefail

# A package may be given as NAME@/path/to/binary: then any installed package
# that ships that binary will do (squid-openssl ships /usr/sbin/squid as
# squid does; whichever is there is kept, never swapped for the other).
packages=(
  generate-ninja ninja-build      # GN + ninja
  gcc g++ clang                   # toolchains (clang for libFuzzer)
  libclang-rt-14-dev              # clang's sanitizer and libFuzzer runtimes
  dpkg-dev python3                # BoringSSL's source: dpkg-source, GN's source-list reader
  libuv1-dev zlib1g-dev libnghttp2-dev liburiparser-dev
  libgtest-dev                    # GoogleTest
  pkg-config
  curl@/usr/bin/curl              # interop cross-checks in the tests
  squid@/usr/sbin/squid openssl   # tests/interop: a real proxy (GnuTLS build: https_port works; squid-openssl too)
  nghttp2-proxy@/usr/sbin/nghttpx nghttp2-server@/usr/sbin/nghttpd  # tests/interop: nghttpx (HTTP/2 proxy) and nghttpd (HTTP/2 origin)
  nghttp2-client@/usr/bin/h2load  # bench/h2_mux and bench/run.sh: h2load, the side-by-side reference
  nginx-light@/usr/sbin/nginx libnginx-mod-http-echo  # tests/interop: nginx (or nginx-full/-extras) with http2 on TLS, echo for uploads
  libjansson-dev                  # JSON parsing of NetLog lines (fetch --trace ladder)
  dante-server microsocks         # tests/interop/socks_test.sh: SOCKS5 proxies (danted, microsocks)
  libcurl4-openssl-dev            # tests/embed_test.sh: libcurl (OpenSSL) beside libcnet
  libc-ares-dev                   # net/dns: the async DNS resolver (c-ares)
  dnsmasq-base@/usr/sbin/dnsmasq  # tests/interop/dns_test.sh: a real DNS server on loopback
  duktape-dev                     # PAC scripts: the amalgamation in /usr/share/duktape (third_party/duktape)
)

# installed NAME: a package NAME is installed, or an installed package
# Provides NAME (a virtual package, or another variant that says so).
installed() {
  dpkg-query -W -f='${db:Status-Abbrev}|${Package}|${Provides}\n' 2>/dev/null |
    awk -F'|' -v want="$1" '
      $1 !~ /^ii/ { next }
      $2 == want { found = 1 }
      { n = split($3, provides, /, */)
        for (i = 1; i <= n; i++) { split(provides[i], name, / /); if (name[1] == want) found = 1 } }
      END { exit !found }'
}

# ships BINARY: an installed package owns BINARY (dpkg -S), whatever its name.
ships() {
  local owner
  owner=$(dpkg-query -S "$1" 2>/dev/null | head -1 | cut -d: -f1) || return 1
  [ -n "$owner" ] && installed "$owner"
}

missing=()
for entry in "${packages[@]}"; do
  p="${entry%%@*}"
  binary=""
  [ "$entry" != "$p" ] && binary="${entry#*@}"
  if installed "$p" || { [ -n "$binary" ] && ships "$binary"; }; then
    continue
  fi
  missing+=("$p")
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
if [ -n "${INSTALL_DEPS_DRY_RUN:-}" ]; then  # tests: say what would be installed
  echo "${missing[*]}"
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
