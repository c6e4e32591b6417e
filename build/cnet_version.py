#!/usr/bin/env python3
"""Prints cnet's version from net/cnet.h (CNET_VERSION_MAJOR/_MINOR/_PATCH,
the one place it is written) as a GN scope: major, minor, patch, and
version = "MAJOR.MINOR.PATCH". Also run by build/install.sh (--plain: just
the dotted version).

Usage: cnet_version.py CNET_H [--plain]
"""
import re
import sys


def main():
    text = open(sys.argv[1]).read()
    parts = []
    for part in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(r"^#define CNET_VERSION_%s (\d+)$" % part, text, re.M)
        if not m:
            sys.exit("cnet_version.py: no CNET_VERSION_%s in %s" % (part, sys.argv[1]))
        parts.append(m.group(1))
    if "--plain" in sys.argv:
        print(".".join(parts))
        return
    print('major = "%s"' % parts[0])
    print('minor = "%s"' % parts[1])
    print('patch = "%s"' % parts[2])
    print('version = "%s"' % ".".join(parts))


if __name__ == "__main__":
    main()
