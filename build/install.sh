#!/usr/bin/env bash
# Installs cnet for applications:
#
#   bash build/install.sh [--prefix DIR] [--destdir DIR] [--build-dir DIR]
#
#   --prefix DIR     where it will live (default /usr/local); cnet.pc says so
#   --destdir DIR    staging root: files go to DIR/PREFIX (packaging)
#   --build-dir DIR  the build to install (default out/release, built with
#                    build/build.sh release when it is not there)
#
# Installs PREFIX/include/cnet/cnet.h (and base/net_error_list.h, which it
# includes), PREFIX/lib/libcnet.so.MAJOR.MINOR.PATCH with the links
# libcnet.so.MAJOR (the soname) and libcnet.so, PREFIX/lib/libcnet.a
# (self-contained), PREFIX/lib/pkgconfig/cnet.pc (no rpath),
# PREFIX/bin/fetch and PREFIX/share/man/man1/fetch.1 when docs/fetch.1
# exists. The version comes from net/cnet.h.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

prefix=/usr/local
destdir=""
build_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --destdir) destdir="$2"; shift 2 ;;
    --destdir=*) destdir="${1#*=}"; shift ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --build-dir=*) build_dir="${1#*=}"; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$prefix" in
  /*) ;;
  *) echo "install.sh: --prefix must be an absolute path, not '$prefix'" >&2; exit 2 ;;
esac

if [ -z "$build_dir" ]; then
  build_dir=out/release
  bash build/build.sh release net:cnet net:cnet_static tools/fetch
fi
for f in libcnet.a fetch; do
  [ -f "$build_dir/$f" ] || { echo "install.sh: $build_dir/$f missing: build first" >&2; exit 1; }
done

version=$(python3 build/cnet_version.py net/cnet.h --plain)
major=${version%%.*}
[ -f "$build_dir/libcnet.so.$major" ] || { echo "install.sh: $build_dir/libcnet.so.$major missing" >&2; exit 1; }

dest="$destdir$prefix"
install -d "$dest/include/cnet/base" "$dest/lib/pkgconfig" "$dest/bin"
install -m 644 net/cnet.h "$dest/include/cnet/cnet.h"
install -m 644 net/base/net_error_list.h "$dest/include/cnet/base/net_error_list.h"
install -m 755 "$build_dir/libcnet.so.$major" "$dest/lib/libcnet.so.$version"
ln -sfn "libcnet.so.$version" "$dest/lib/libcnet.so.$major"
ln -sfn "libcnet.so.$major" "$dest/lib/libcnet.so"
install -m 644 "$build_dir/libcnet.a" "$dest/lib/libcnet.a"
install -m 755 "$build_dir/fetch" "$dest/bin/fetch"
if [ -f docs/fetch.1 ]; then
  install -d "$dest/share/man/man1"
  install -m 644 docs/fetch.1 "$dest/share/man/man1/fetch.1"
else
  echo "install.sh: docs/fetch.1 does not exist yet: no man page installed" >&2
fi

# Requires: libuv is public (applications run the loop); the rest is only
# for linking libcnet.a (pkg-config --static). BoringSSL is inside libcnet;
# -lm is for duktape (PAC), compiled into it too.
cat > "$dest/lib/pkgconfig/cnet.pc" <<PC
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: cnet
Description: a browser-style network stack (HTTPS proxies, SPDY/HTTP2, TLS)
Version: $version
Requires: libuv
Requires.private: libnghttp2 liburiparser zlib libcares
Libs: -L\${libdir} -lcnet
Libs.private: -lpthread -lm
Cflags: -I\${includedir}/cnet
PC
echo "install.sh: cnet $version installed in ${destdir:+$destdir }$prefix" >&2
