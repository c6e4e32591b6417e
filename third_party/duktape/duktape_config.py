#!/usr/bin/env python3
"""Copies Debian's duktape amalgamation (duktape-dev: /usr/share/duktape)
into OUT_DIR with three changes to its duk_config.h, so that cnet's PAC
evaluator can stop a script that runs too long:

  DUK_USE_INTERRUPT_COUNTER   on (Debian's build has it off)
  DUK_USE_EXEC_TIMEOUT_CHECK  on: calls the function pointer at the start of
                              the heap's udata (see pac_script.c)
  DUK_EXTERNAL(_DECL)         hidden visibility: duk_* must not be exported
                              from libcnet.so

Debian's libduktape.so is built without an execution timeout (it is a
compile-time option), which is why cnet compiles the same source itself.

Usage: duktape_config.py SRC_DIR OUT_DIR
"""
import os
import sys


def patch_config(text):
    replacements = [
        ("#undef DUK_USE_EXEC_TIMEOUT_CHECK\n",
         "/* cnet: the heap's udata starts with a duk_bool_t (*)(void *) that\n"
         " * says whether the running script must stop (pac_script.c). */\n"
         "#define DUK_USE_EXEC_TIMEOUT_CHECK(udata) \\\n"
         "  ((*(int (**)(void *))(udata))(udata))\n"),
        ("#undef DUK_USE_INTERRUPT_COUNTER\n", "#define DUK_USE_INTERRUPT_COUNTER\n"),
        ('#define DUK_EXTERNAL_DECL  __attribute__ ((visibility("default"))) extern\n',
         '#define DUK_EXTERNAL_DECL  __attribute__ ((visibility("hidden"))) extern\n'),
        ('#define DUK_EXTERNAL       __attribute__ ((visibility("default")))\n',
         '#define DUK_EXTERNAL       __attribute__ ((visibility("hidden")))\n'),
    ]
    for old, new in replacements:
        if old not in text:
            sys.exit("duktape_config.py: duk_config.h lacks %r (new duktape?)" % old)
        text = text.replace(old, new)
    return text


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name in ("duktape.c", "duktape.h", "duk_config.h"):
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read()
        if name == "duk_config.h":
            text = patch_config(text)
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
