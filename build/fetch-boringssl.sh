#!/usr/bin/env bash
# Fetches BoringSSL's source from Debian (the source package
# android-platform-external-boringssl, the same BoringSSL that
# android-libboringssl-dev is built from) and unpacks it, with Debian's
# patches applied, into third_party/boringssl/source (git-ignored; never
# committed). //third_party/boringssl builds libcrypto and libssl from it.
#
# Uses apt's own client with a private deb-src list and private state and
# cache directories (-o options): the system's apt sources and lists are not
# touched. Idempotent: does nothing when the tree of the pinned version is
# already there. Needs no root.
#
#   build/fetch-boringssl.sh            fetch when missing
#   CNET_BORINGSSL_MIRROR=URI ...       another Debian mirror (default: the
#                                       first deb.debian.org-style URI in the
#                                       system's apt sources, else
#                                       http://deb.debian.org/debian)
set -euo pipefail
cd "$(dirname "$0")/.."

package=android-platform-external-boringssl
version=13.0.0+r24-2     # Debian 12's; also in docs/dependencies.md
dest=third_party/boringssl/source
stamp="$dest/.cnet-debian-version"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
  exit 0
fi

# The mirror: the system's own Debian URI (whatever it is configured to use),
# so the machine's proxy or mirror setup applies to us too.
mirror="${CNET_BORINGSSL_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -oE '(https?|ftp)://[^ ]*/debian/?( |$)' | grep -v security | head -1 | tr -d ' ' || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/download"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main" \
  > "$work/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=$work/no-parts"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=$(id -un)"
)
mkdir -p "$work/no-parts"

echo "fetch-boringssl: $package $version from $mirror" >&2
apt-get "${apt_opts[@]}" -qq update
(cd "$work/download" && apt-get "${apt_opts[@]}" -qq source --download-only "$package=$version")
# apt has verified every downloaded file against the signed Sources index;
# --no-check only skips the .dsc's own OpenPGP signature (the uploader's key
# is in no keyring here). dpkg-source applies debian/patches.
dpkg-source --no-check -x "$work/download/${package}_${version}.dsc" "$work/tree" >/dev/null

rm -rf "$dest"
mv "$work/tree" "$dest"
echo "$version" > "$stamp"
echo "fetch-boringssl: unpacked into $dest" >&2
