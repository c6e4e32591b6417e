// libFuzzer target: a WWW-Authenticate / Proxy-Authenticate value through
// the challenge parser (http_auth.h) and, when a challenge is usable, the
// chosen handler (Basic or Digest). The first input byte picks the allowed
// schemes; the rest is the field value. Checks the invariants: every parsed
// challenge has a scheme token; the value in two fields gives its
// challenges twice (an unterminated quote never swallows the next field);
// the chosen handler's scheme is
// allowed and offered; credentials start with the scheme; Digest counts
// its nonce uses (nc 1, then 2) and a clone carries the count on.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/base/net_errors.h"
#include "net/http/http_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "http_auth_fuzzer: %s\n", what);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  unsigned allowed = (data[0] & 3) ? (unsigned)(data[0] & 3) : CN_HTTP_AUTH_ANY;
  // A field value has no NUL, CR or LF (the response parser ends fields there).
  char *value = malloc(size);
  size_t len = 0;
  for (size_t i = 1; i < size; i++)
    if (data[i] && data[i] != '\r' && data[i] != '\n')
      value[len++] = (char)data[i];
  value[len] = '\0';

  cn_http_auth_challenge *c;
  size_t n = cn_http_auth_parse_value(value, &c);
  for (size_t i = 0; i < n; i++)
    check(c[i].scheme && c[i].scheme[0], "a challenge without a scheme");

  // The same value in two fields (as the header list keeps it: trimmed,
  // or refused when a field cannot carry it) gives its challenges twice:
  // one field never runs into the next.
  cn_http_headers h;
  cn_http_headers_init(&h);
  if (cn_http_headers_add(&h, "WWW-Authenticate", value) == CN_OK &&
      cn_http_headers_add(&h, "WWW-Authenticate", value) == CN_OK) {
    cn_http_auth_challenge *one;
    size_t n1 = cn_http_auth_parse_value(cn_http_headers_get(&h, "WWW-Authenticate"), &one);
    cn_http_auth_challenge *two;
    size_t n2 = cn_http_auth_parse(&h, "WWW-Authenticate", &two);
    check(n2 == 2 * n1, "two fields do not give their challenges twice");
    for (size_t i = 0; i < n1; i++)
      check(strcmp(one[i].scheme, two[n1 + i].scheme) == 0, "the second field's challenges differ");
    cn_http_auth_challenges_free(one, n1);
    cn_http_auth_challenges_free(two, n2);
  }
  cn_http_headers_free(&h);

  cn_http_auth_handler *handler = cn_http_auth_handler_choose(c, n, allowed);
  if (handler) {
    check((handler->ops->bit & allowed) != 0, "a scheme that was not allowed");
    bool offered = false;
    for (size_t i = 0; i < n; i++)
      offered = offered || strcasecmp(c[i].scheme, handler->ops->scheme) == 0;
    check(offered, "a scheme that was not offered");
    unsigned nc = cn_http_auth_digest_next_nc(handler);
    char *v = cn_http_auth_handler_generate(handler, "user", "pass", "GET", "/");
    check(strncmp(v, handler->ops->scheme, strlen(handler->ops->scheme)) == 0 &&
              v[strlen(handler->ops->scheme)] == ' ',
          "credentials that do not start with the scheme");
    free(v);
    if (handler->ops->bit == CN_HTTP_AUTH_DIGEST) {
      check(nc == 1 && cn_http_auth_digest_next_nc(handler) == 2, "Digest's nonce count");
      cn_http_auth_handler *clone = cn_http_auth_handler_clone(handler);
      check(cn_http_auth_digest_next_nc(clone) == 2, "a clone lost the nonce count");
      cn_http_auth_handler_free(clone);
    }
    cn_http_auth_handler_free(handler);
  }
  cn_http_auth_challenges_free(c, n);
  free(value);
  return 0;
}
