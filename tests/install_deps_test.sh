#!/usr/bin/env bash
# build/install-deps.sh takes a package that provides what cnet needs: a
# variant that ships the same binary (squid-openssl for squid) or Provides
# the name is never swapped for the one in the list, and the other variant
# is never installed over it. Runs the script in its dry-run mode against a
# fake dpkg-query (first on PATH) that describes the installed packages.
# Usage: tests/install_deps_test.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/cnet-deps.XXXXXX")
n=0
failures=0
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"

# The fake: $work/installed holds "status|package|provides|binary,binary..."
# lines; -W -f=... prints the first three fields, -S PATH the owner of PATH.
cat > "$work/bin/dpkg-query" <<'FAKE'
#!/usr/bin/env bash
db="$(dirname "$0")/../installed"
case "$1" in
  -W) cut -d'|' -f1-3 "$db" ;;
  -S) owner=$(awk -F'|' -v p="$2" '{ n = split($4, b, ","); for (i = 1; i <= n; i++) if (b[i] == p) print $2 }' "$db" | head -1)
      [ -n "$owner" ] || { echo "dpkg-query: no path found matching pattern $2" >&2; exit 1; }
      echo "$owner: $2" ;;
  *) exit 2 ;;
esac
FAKE
chmod +x "$work/bin/dpkg-query"

# Every package of the list installed (read from the script itself), then
# the variant lines of a case appended.
all_installed() {
  grep -oE '^  [a-z0-9][^#]*' "$here/../build/install-deps.sh" | tr ' ' '\n' | grep -v '^$' |
    sed 's/@.*//' | awk '{ print "ii |" $1 "||" }'
}

would_install() {  # would_install "LINES": what the script would install with LINES instead
  { all_installed | grep -v -e '|squid|' -e '|libuv1-dev|'; printf '%s\n' "$1"; } > "$work/installed"
  PATH="$work/bin:$PATH" INSTALL_DEPS_DRY_RUN=1 bash "$here/../build/install-deps.sh" |
    tr ' ' '\n' | grep -v -e '^nodejs$' -e '^npm$' | sort | tr '\n' ' '
}

expect() {  # expect "WANT" "LINES"
  local got
  got=$(would_install "$2")
  [ "$got" = "$1" ] || { echo "want '$1', got '$got'"; return 1; }
}

check "squid-openssl (ships /usr/sbin/squid) is kept: squid is not installed over it" \
  expect "" "ii |squid-openssl||/usr/sbin/squid
ii |libuv1-dev||"
check "squid itself installed: nothing to do" expect "" "ii |squid||/usr/sbin/squid
ii |libuv1-dev||"
check "a package that Provides the name will do" expect "" "ii |squid||/usr/sbin/squid
ii |libuv-other|libuv1-dev (= 1.44), libuv-dev|"
check "neither variant: squid is installed" expect "squid " "ii |libuv1-dev||"
check "a removed variant (rc) does not count" expect "squid " "rc |squid-openssl||/usr/sbin/squid
ii |libuv1-dev||"
check "nothing provides libuv1-dev: it is installed" expect "libuv1-dev " "ii |squid||/usr/sbin/squid"
echo "1..$n"
[ "$failures" -eq 0 ]
