#!/usr/bin/env bash
# Embedding cnet as an application would: build/install.sh into a temporary
# prefix, then the installed files, docs/examples/shell.c built with plain
# pkg-config (shared and --static) and run, cnet.h compiled as strict C11,
# C17 and C++, and a program doing HTTPS with both libcurl (OpenSSL) and cnet
# in one process, linked in either order and statically.
# Usage: tests/embed_test.sh OUT_DIR   (TAP lines, like the other suites)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"
suite_setup embed "${1:-out/debug}"
pids=()
trap 'stop_pids "${pids[@]}"; rm -rf "$work"' EXIT

start_server good --name origin.test
url="https://127.0.0.1:$good_port"
prefix="$work/prefix"
version=$(python3 "$root/build/cnet_version.py" "$root/net/cnet.h" --plain)
major=${version%%.*}

# A sanitizer build's library needs the sanitizer runtime in the app too.
san=()
grep -q "use_asan=true" "$out/.cnet-args" 2>/dev/null && san=(-fsanitize=address,undefined)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
# Plain pkg-config finds the installed cnet.pc (and libcurl's, libuv's, …).
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

# --- install ---
check "build/install.sh --prefix installs into a temporary prefix" \
  bash "$root/build/install.sh" --prefix "$prefix" --build-dir "$out"
check "the installed files: header, versioned library and links, libcnet.a, cnet.pc, fetch" \
  bash -c "cd '$prefix' && test -f include/cnet/cnet.h && test -f include/cnet/base/net_error_list.h &&
    test -f lib/libcnet.so.$version && test \"\$(readlink lib/libcnet.so.$major)\" = libcnet.so.$version &&
    test \"\$(readlink lib/libcnet.so)\" = libcnet.so.$major && test -f lib/libcnet.a &&
    test -f lib/pkgconfig/cnet.pc && test -x bin/fetch &&
    { test ! -f '$root/docs/fetch.1' || test -f share/man/man1/fetch.1; }"
check "--destdir stages under DESTDIR while cnet.pc names the prefix" \
  bash -c "bash '$root/build/install.sh' --prefix /opt/cnet --destdir '$work/stage' --build-dir '$out' 2>/dev/null &&
    test -f '$work/stage/opt/cnet/lib/libcnet.so.$version' && grep -qx 'prefix=/opt/cnet' '$work/stage/opt/cnet/lib/pkgconfig/cnet.pc'"
check "libcnet.so: soname libcnet.so.$major, no libssl/libcrypto, no rpath" \
  bash -c "d=\$(readelf -d '$prefix/lib/libcnet.so.$version') && echo \"\$d\" &&
    grep -q 'Library soname: \[libcnet.so.$major\]' <<< \"\$d\" &&
    ! grep -qE 'libssl|libcrypto|RPATH|RUNPATH' <<< \"\$d\""
check "libcnet.so exports only cnet_*" \
  bash -c "syms=\$(nm -D --defined-only '$prefix/lib/libcnet.so' | awk '{print \$3}'); [ -n \"\$syms\" ] && ! printf '%s\n' \"\$syms\" | grep -v '^cnet_'"
check "libcnet.a is self-contained and defines only cnet_* globally (BoringSSL's symbols are local)" \
  bash -c "nm '$prefix/lib/libcnet.a' > '$work/nm' && grep -q ' t SSL_CTX_new\$' '$work/nm' &&
    ! awk '\$2 ~ /^[A-TV-Z]\$/ {print \$3}' '$work/nm' | grep -v '^cnet_'"
check "cnet.pc: the prefix, no rpath, the private libraries for --static" \
  bash -c "[ \"\$(pkg-config --variable=prefix cnet)\" = '$prefix' ] && [ \"\$(pkg-config --modversion cnet)\" = '$version' ] &&
    ! grep -q rpath '$prefix/lib/pkgconfig/cnet.pc' && pkg-config --static --libs cnet | grep -q -- -lnghttp2 &&
    pkg-config --static --libs cnet | grep -q -- -luriparser && pkg-config --static --libs cnet | grep -q -- -lz"
check "the installed fetch finds the installed library and fetches over TLS" \
  bash -c "[ \"\$(readelf -d '$prefix/bin/fetch' | grep -o 'Library runpath: .*')\" = 'Library runpath: [\$ORIGIN/../lib:\$ORIGIN]' ] &&
    env -u LD_LIBRARY_PATH '$prefix/bin/fetch' --no-proxy-env --cacert '$work/good.ca' '$url/bytes/10' | wc -c | grep -qx 10"

# --- an application built with pkg-config ---
shell_src="$root/docs/examples/shell.c"
check "docs/examples/shell.c builds with pkg-config (shared) and runs" \
  bash -c "cc ${san[*]} '$shell_src' \$(pkg-config --cflags --libs cnet) -o '$work/shell' &&
    readelf -d '$work/shell' | grep -q 'NEEDED.*libcnet.so.$major' &&
    LD_LIBRARY_PATH='$prefix/lib' '$work/shell' --ca '$work/good.ca' '$url/page' | grep -q '5 resources'"
# pkg-config --static gives the private libraries; -Wl,-Bstatic makes the
# linker take libcnet.a though libcnet.so is beside it (as for any library).
static_libs() { local l; l=$(pkg-config --static --libs cnet); echo "${l/-lcnet/-Wl,-Bstatic -lcnet -Wl,-Bdynamic}"; }
check "docs/examples/shell.c builds with pkg-config --static (libcnet.a) and runs" \
  bash -c "cc ${san[*]} '$shell_src' \$(pkg-config --cflags cnet) $(static_libs) -o '$work/shell_static' &&
    ! readelf -d '$work/shell_static' | grep -q libcnet &&
    '$work/shell_static' --ca '$work/good.ca' '$url/page' | grep -q '5 resources'"

# --- cnet.h alone, strict ---
printf '#include <cnet.h>\nint main(void) { return cnet_version() == 0; }\n' > "$work/h.c"
printf '#include <cnet.h>\nint main() { return cnet_version() == nullptr; }\n' > "$work/h.cc"
inc="-I$prefix/include/cnet"
for cc in gcc clang; do
  command -v $cc > /dev/null || { skip "cnet.h compiles with $cc" "$cc not installed"; continue; }
  for std in c11 c17; do
    check "cnet.h compiles with $cc -std=$std -Wall -Wextra -pedantic -Werror" \
      $cc -std=$std -Wall -Wextra -pedantic -Werror $inc -c "$work/h.c" -o "$work/h.o"
  done
done
for cxx in g++ clang++; do
  command -v $cxx > /dev/null || { skip "cnet.h compiles with $cxx" "$cxx not installed"; continue; }
  for std in c++11 c++17; do
    check "cnet.h compiles as C++: $cxx -std=$std -Wall -Wextra -pedantic -Werror" \
      $cxx -std=$std -Wall -Wextra -pedantic -Werror $inc -c "$work/h.cc" -o "$work/h.o"
  done
done

# --- beside OpenSSL: libcurl and cnet in one process ---
if ! pkg-config --exists libcurl 2> /dev/null || ! pkg-config --variable=supported_features libcurl | grep -q SSL ||
  [ ! -f /usr/include/x86_64-linux-gnu/curl/curl.h ] && [ ! -f /usr/include/curl/curl.h ]; then
  skip "HTTPS with libcurl (OpenSSL) and cnet in one process" "libcurl4-openssl-dev not installed"
else
  both="$root/tests/embed/curl_and_cnet.c"
  run_both() {  # run_both NAME link-args...: build, then fetch with curl, cnet, curl
    local name="$1"
    shift
    cc "${san[@]}" -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror "$both" \
      $(pkg-config --cflags cnet) "$@" -o "$work/$name" || return 1
    LD_LIBRARY_PATH="$prefix/lib" "$work/$name" "$work/good.ca" "$url/bytes/70000"
  }
  check "HTTPS with libcurl (OpenSSL) and cnet in one process: -lcurl before -lcnet" \
    run_both curl_first $(pkg-config --libs libcurl) $(pkg-config --libs cnet)
  check "HTTPS with libcurl (OpenSSL) and cnet in one process: -lcnet before -lcurl" \
    run_both cnet_first $(pkg-config --libs cnet) $(pkg-config --libs libcurl)
  check "HTTPS with libcurl (OpenSSL) and cnet in one process: libcnet.a" \
    run_both static $(pkg-config --libs libcurl) $(static_libs)
fi

echo "1..$n"
exit $((failures > 0))
