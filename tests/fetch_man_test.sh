#!/usr/bin/env bash
# fetch's documentation matches its --help: every flag `fetch --help` lists
# is in the man page (docs/fetch.1, man markup: "\-" for "-") and in
# docs/fetch.md, and the man page renders without groff warnings.
# Usage: tests/fetch_man_test.sh OUT_DIR   (needs OUT_DIR/fetch)
# Prints one "ok N - what" / "not ok N - what" line per check (TAP style).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"
suite_setup man "${1:-out/debug}"
trap 'rm -rf "$work"' EXIT
docs="$here/../docs"

[ -x "$fetch" ] || bail "$fetch is built"
"$fetch" --help > "$work/help" || bail "fetch --help runs"
# Every -x and --long-name at the start of a --help line (or after "-x, ").
grep -oE '^ +(-[A-Za-z0-9], )?--?[A-Za-z0-9][A-Za-z0-9.-]*' "$work/help" |
  grep -oE -- '--?[A-Za-z0-9][A-Za-z0-9.-]*' | sort -u > "$work/flags"
# The man page as plain text: "\-" is "-", font escapes dropped.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$docs/fetch.1" > "$work/man.txt"

flags_in() {  # flags_in FILE: every --help flag occurs in FILE as a whole word
  local flag missing=()
  while read -r flag; do
    grep -qE -- "(^|[^A-Za-z0-9-])${flag//./\\.}([^A-Za-z0-9-]|$)" "$1" || missing+=("$flag")
  done < "$work/flags"
  [ "${#missing[@]}" -eq 0 ] || { echo "missing: ${missing[*]}"; return 1; }
}

check "--help lists flags (a sanity check of this test: at least 60)" \
  test "$(wc -l < "$work/flags")" -ge 60
check "every flag of --help is in the man page docs/fetch.1" flags_in "$work/man.txt"
check "every flag of --help is in docs/fetch.md" flags_in "$docs/fetch.md"
if command -v groff > /dev/null; then
  check "docs/fetch.1 renders without groff warnings" \
    bash -c "groff -man -ww -z '$docs/fetch.1' 2>&1 | { ! grep .; }"
else
  skip "docs/fetch.1 renders without groff warnings" "groff is not installed"
fi
# The test can fail: a flag taken out of a copy of the page is reported.
flag_cut_is_caught() {  # the check can fail: a page without --retry-connrefused is reported
  grep -v -- 'retry-connrefused' "$work/man.txt" > "$work/man-cut.txt"
  ! flags_in "$work/man-cut.txt" > "$work/cut.out" && grep -q -- '--retry-connrefused' "$work/cut.out"
}
check "a flag missing from the man page is caught" flag_cut_is_caught
echo "1..$n"
[ "$failures" -eq 0 ]
