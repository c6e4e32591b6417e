// libFuzzer target: URL parsing, printing and relative resolution on
// untrusted text (a Location header is the attacker's). Checks that the
// canonical text of a parsed URL parses back to the same URL.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/base/net_errors.h"
#include "net/base/url.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Two NUL-terminated strings: a base URL and a reference.
  const char *ref;
  char *text = fuzz_text_dup(data, size, &ref);
  cn_url base;
  if (cn_url_parse(text, &base) == CN_OK) {
    char *s = cn_url_to_string(&base);
    cn_url again;
    // What we print must parse again, to itself: the canonical form is a
    // fixed point (an IPv4 host in any WHATWG form prints as a dotted quad,
    // which must read back unchanged).
    if (cn_url_parse(s, &again) != CN_OK)
      abort();
    char *s2 = cn_url_to_string(&again);
    if (strcmp(s, s2) != 0 || strcmp(base.host, again.host) != 0 ||
        base.host_is_ipv6 != again.host_is_ipv6 || base.port != again.port)
      abort();
    free(s2);
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
