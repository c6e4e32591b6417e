#!/usr/bin/env python3
"""Makes a self-contained static library whose only global symbols are the
exported API: links every object of the INPUT_ARCHIVEs into one relocatable
object (ld -r), makes every hidden symbol local (objcopy --localize-hidden),
and archives that one object as OUTPUT_ARCHIVE.

Why: everything but cnet_* is compiled -fvisibility=hidden, which keeps
libcnet.so's exports clean but means nothing inside a plain archive. Without
this, BoringSSL's SSL_* in libcnet.a would clash at link time with OpenSSL's
in an application that also uses it, or silently take their place.

Usage: make_static_lib.py INPUT_ARCHIVE... OUTPUT_ARCHIVE
"""
import os
import subprocess
import sys


def main():
    srcs, dst = sys.argv[1:-1], sys.argv[-1]
    obj = dst + ".o"
    subprocess.check_call(["ld", "-r", "-o", obj, "--whole-archive"] + srcs)
    subprocess.check_call(["objcopy", "--localize-hidden", obj])
    if os.path.exists(dst):
        os.remove(dst)
    subprocess.check_call(["ar", "rcsD", dst, obj])
    os.remove(obj)


if __name__ == "__main__":
    main()
