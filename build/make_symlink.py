#!/usr/bin/env python3
"""Creates (or replaces) the symbolic link LINK pointing at TARGET (a name
relative to LINK's directory), e.g. libcnet.so -> libcnet.so.0.

Usage: make_symlink.py TARGET LINK
"""
import os
import sys


def main():
    target, link = sys.argv[1], sys.argv[2]
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(target, link)


if __name__ == "__main__":
    main()
