// libFuzzer target: URL parsing, printing and relative resolution on
// untrusted text (a Location header is the attacker's).
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/base/net_errors.h"
#include "net/base/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Two NUL-terminated strings: a base URL and a reference.
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = '\0';
  const char *ref = text + strlen(text);
  if (ref < text + size)
    ref++;
  cn_url base;
  if (cn_url_parse(text, &base) == CN_OK) {
    char *s = cn_url_to_string(&base);
    cn_url again;
    // What we print must parse again.
    if (cn_url_parse(s, &again) != CN_OK)
      abort();
    cn_url_free(&again);
    free(s);
    free(cn_url_absolute_form(&base));
    free(cn_url_request_target(&base));
    free(cn_url_authority(&base));
    cn_url resolved;
    if (cn_url_resolve(&base, ref, &resolved) == CN_OK)
      cn_url_free(&resolved);
    cn_url_free(&base);
  }
  free(text);
  return 0;
}
