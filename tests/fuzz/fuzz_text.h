// Helpers for libFuzzer targets that take text: the input as C strings.
#ifndef CNET_TESTS_FUZZ_FUZZ_TEXT_H_
#define CNET_TESTS_FUZZ_FUZZ_TEXT_H_

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Copies the |size| input bytes into a NUL-terminated heap string (the
// caller frees it) and sets |*second| (may be NULL) to the text after its
// first NUL, or to its end ("") when there is none: targets that take two
// strings (a base URL and a reference, rules and a URL) split there.
static inline char *fuzz_text_dup(const uint8_t *data, size_t size, const char **second) {
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = '\0';
  if (second) {
    const char *end = text + strlen(text);
    *second = end < text + size ? end + 1 : end;
  }
  return text;
}

#endif  // CNET_TESTS_FUZZ_FUZZ_TEXT_H_
