#include "net/base/base64.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

char *cn_base64_encode(const void *data, size_t len) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const uint8_t *in = data;
  char *out = cn_xmalloc(4 * ((len + 2) / 3) + 1);
  size_t o = 0, i = 0;
  for (; i + 2 < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = kAlphabet[v >> 18];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = kAlphabet[(v >> 6) & 63];
    out[o++] = kAlphabet[v & 63];
  }
  if (i < len) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
    out[o++] = kAlphabet[v >> 18];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = i + 1 < len ? kAlphabet[(v >> 6) & 63] : '=';
    out[o++] = '=';
  }
  out[o] = '\0';
  return out;
}

char *cn_http_basic_credentials(const char *user, const char *password) {
  char *pair = cn_xasprintf("%s:%s", user ? user : "", password ? password : "");
  char *b64 = cn_base64_encode(pair, strlen(pair));
  char *out = cn_xasprintf("Basic %s", b64);
  // The pair holds the password in clear: wipe it before freeing.
  memset(pair, 0, strlen(pair));
  free(pair);
  free(b64);
  return out;
}
