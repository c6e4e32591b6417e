// libFuzzer target: the ladder diagram on untrusted NetLog lines (a saved
// log, another proxy's NetLog). Input: client lines, then after a NUL the
// proxy's lines; the diagram is written to /dev/null.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/fetch/ladder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  const char *nul = memchr(text, '\0', size);
  size_t client_size = nul ? (size_t)(nul - text) : size;
  fetch_ladder *l = fetch_ladder_new();
  for (size_t at = 0; at < client_size;) {
    const char *eol = memchr(text + at, '\n', client_size - at);
    size_t len = eol ? (size_t)(eol - (text + at)) : client_size - at;
    fetch_ladder_add_client_line(l, text + at, len);
    at += len + 1;
  }
  if (nul) {
    // The proxy's NetLog comes from a file.
    char path[] = "/tmp/ladder_fuzzer_XXXXXX";
    FILE *f = fdopen(mkstemp(path), "w");
    if (f) {
      fwrite(nul + 1, 1, size - client_size - 1, f);
      fclose(f);
      char err[256];
      fetch_ladder_add_proxy_netlog(l, path, err, sizeof(err));
      remove(path);
    }
  }
  FILE *out = fopen("/dev/null", "w");
  if (out) {
    fetch_ladder_write(l, out);
    fclose(out);
  }
  fetch_ladder_free(l);
  return 0;
}
