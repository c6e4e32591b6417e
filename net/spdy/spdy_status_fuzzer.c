// libFuzzer target: the ":status" of a SPDY/3.1 or HTTP/2 response header
// list (cn_spdy_headers_status), on header lists that a proxy or origin
// chose. The input is a list of NUL-separated names and values; it is
// looked up directly, and again after a round trip through an owned
// cn_spdy_header_list (which lower-cases names and copies the bytes). Checks
// that the status is -1 or three digits taken from the first ":status"
// field, exactly followed by its end or a space ("200" for HTTP/2, "200 OK"
// for SPDY/3), and that both lookups agree.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/spdy/spdy_headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "spdy_status_fuzzer: %s\n", what);
    abort();
  }
}

// What the status of |h| must be, from the first field named exactly
// ":status": the header's rule written out again on purpose, as an oracle
// independent of the code under test.
static int expected_status(const cn_spdy_header *h, size_t num) {
  for (size_t i = 0; i < num; i++) {
    if (h[i].name_len != 7 || memcmp(h[i].name, ":status", 7) != 0)
      continue;
    const char *v = h[i].value;
    size_t len = h[i].value_len;
    if (len < 3 || (len > 3 && v[3] != ' '))
      return -1;
    int status = 0;
    for (size_t k = 0; k < 3; k++) {
      if (v[k] < '0' || v[k] > '9')
        return -1;
      status = status * 10 + (v[k] - '0');
    }
    return status;
  }
  return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Name, NUL, value, NUL, ... (a last name without a value gets "").
  size_t max = size / 2 + 1;
  cn_spdy_header *h = calloc(max, sizeof(*h));
  size_t num = 0;
  const char *p = (const char *)data;
  const char *end = p + size;
  while (p < end && num < max) {
    const char *nul = memchr(p, '\0', (size_t)(end - p));
    h[num].name = p;
    h[num].name_len = nul ? (size_t)(nul - p) : (size_t)(end - p);
    p = nul ? nul + 1 : end;
    nul = memchr(p, '\0', (size_t)(end - p));
    h[num].value = p;
    h[num].value_len = nul ? (size_t)(nul - p) : (size_t)(end - p);
    p = nul ? nul + 1 : end;
    num++;
  }
  int status = cn_spdy_headers_status(h, num);
  check(status == -1 || (status >= 0 && status <= 999), "status range");

  // The owned list lower-cases names, so compare against its own fields.
  cn_spdy_header_list l;
  cn_spdy_header_list_init(&l);
  cn_spdy_header_list_append(&l, h, num);
  check(l.count == num, "list count");
  int owned = cn_spdy_headers_status(l.items, l.count);
  check(owned == expected_status(l.items, l.count), "status of the owned list");
  // Names that were already lower-case look the same in both.
  bool all_lower = true;
  for (size_t i = 0; i < num && all_lower; i++) {
    for (size_t k = 0; k < h[i].name_len; k++) {
      if (h[i].name[k] >= 'A' && h[i].name[k] <= 'Z')
        all_lower = false;
    }
  }
  if (all_lower) {
    check(status == expected_status(h, num), "status of the wire list");
    check(status == owned, "wire and owned lists disagree");
  }
  cn_spdy_header_list_free(&l);
  free(h);
  return 0;
}
