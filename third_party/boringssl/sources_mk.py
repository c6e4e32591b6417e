#!/usr/bin/env python3
"""Prints the source lists of Debian's BoringSSL build (debian/sources.mk of
the source package) as a GN scope: crypto_sources, ssl_sources and
linux_x86_64_sources, each path relative to the source tree.

Usage (from GN's exec_script): sources_mk.py SOURCES_MK
"""
import re
import sys


def main():
    text = open(sys.argv[1]).read()
    wanted = ("crypto_sources", "ssl_sources", "linux_x86_64_sources")
    lists = {}
    for match in re.finditer(r"^(\w+) := \\\n((?:  .*\n)*)", text, re.M):
        name, body = match.group(1), match.group(2)
        lists[name] = [line.strip().rstrip("\\").strip()
                       for line in body.splitlines() if line.strip()]
    for name in wanted:
        if not lists.get(name):
            sys.exit("sources_mk.py: no %s in %s" % (name, sys.argv[1]))
        print("%s = [" % name)
        for path in lists[name]:
            print('  "%s",' % path)
        print("]")


if __name__ == "__main__":
    main()
