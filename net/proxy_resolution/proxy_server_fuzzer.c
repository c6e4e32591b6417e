// libFuzzer target: proxy server, chain and list strings (a --proxy-server
// value, a PAC-style list, an environment variable's proxy), parsed by the
// same functions the API uses. Checks the round trips the headers promise:
// a parsed server's canonical text parses back to an equal server and
// prints the same; a list's text (chain keys) parses back to an equal list;
// and credentials never appear in either text.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/base/net_errors.h"
#include "net/proxy_resolution/proxy_list.h"
#include "net/proxy_resolution/proxy_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "proxy_server_fuzzer: %s\n", what);
    abort();
  }
}

static bool is_error(int rv) {
  return rv == CN_ERR_INVALID_ARGUMENT || rv == CN_ERR_UNKNOWN_URL_SCHEME;
}

static void server_round_trip(const char *text, size_t len) {
  cn_proxy_server s;
  int rv = cn_proxy_server_parse_n(text, len, &s);
  if (rv != CN_OK) {
    check(is_error(rv), "server parse error code");
    check(s.scheme == CN_PROXY_SCHEME_INVALID && !s.username && !s.password, "zeroed on error");
    return;
  }
  check(s.scheme != CN_PROXY_SCHEME_INVALID, "parsed scheme");
  check(!s.password || s.username, "password without a user");
  char buf[CN_PROXY_SERVER_STR_SIZE];
  cn_proxy_server_to_string(&s, buf, sizeof(buf));
  check(strlen(buf) + 1 < sizeof(buf), "to_string truncated");
  check(!strchr(buf, '@'), "credentials in the server text");
  cn_proxy_server again;
  check(cn_proxy_server_parse(buf, &again) == CN_OK, "server text does not parse back");
  check(cn_proxy_server_equal(&s, &again), "server round trip differs");
  char buf2[CN_PROXY_SERVER_STR_SIZE];
  check(strcmp(buf, cn_proxy_server_to_string(&again, buf2, sizeof(buf2))) == 0,
        "server text is not canonical");
  cn_proxy_server copy;
  cn_proxy_server_copy(&copy, &s);
  check(cn_proxy_server_equal(&copy, &s) && (copy.username == NULL) == (s.username == NULL),
        "copy");
  cn_proxy_server_free(&copy);
  cn_proxy_server_free(&again);
  cn_proxy_server_free(&s);
}

static void list_round_trip(const char *text, size_t len) {
  cn_proxy_list list;
  int rv = cn_proxy_list_parse(text, len, &list);
  if (rv != CN_OK) {
    check(is_error(rv), "list parse error code");
    check(list.count == 0, "list empty on error");
    return;
  }
  check(list.count > 0, "a parsed list has chains");
  char *s = cn_proxy_list_to_string(&list);
  check(!strchr(s, '@'), "credentials in the list text");
  cn_proxy_list again;
  check(cn_proxy_list_parse(s, strlen(s), &again) == CN_OK, "list text does not parse back");
  check(cn_proxy_list_equal(&list, &again), "list round trip differs");
  char *s2 = cn_proxy_list_to_string(&again);
  check(strcmp(s, s2) == 0, "list text is not canonical");
  free(s2);
  free(s);
  cn_proxy_list_free(&again);
  cn_proxy_list_free(&list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // The parsers take (text, len) and must not read past it: give them an
  // exact-size copy so ASan sees any overread.
  char *text = malloc(size ? size : 1);
  memcpy(text, data, size);
  server_round_trip(text, size);
  list_round_trip(text, size);
  free(text);
  return 0;
}
