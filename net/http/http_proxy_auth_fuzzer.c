// libFuzzer target: a proxy's answer to a CONNECT, through the HTTP/1.1
// response parser into the Proxy-Authenticate challenge parser and the
// CONNECT failure rule (http_proxy_auth.h). The first input byte says
// whether the proxy has credentials and whether they were already sent;
// the rest is the proxy's response head. Checks the rule's invariants: a 407
// is retried only with unsent credentials and a Basic challenge, any other
// status never is; and splitting challenges over several fields or joining
// them into one comma-separated field (equivalent per RFC 9110 §5.3) gives
// the same answer.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "net/base/net_errors.h"
#include "net/http/http_proxy_auth.h"
#include "net/http/http_response_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "http_proxy_auth_fuzzer: %s\n", what);
    abort();
  }
}

// Whether every Proxy-Authenticate field closes each quoted-string it opens
// (a backslash escapes the next byte inside one).
static bool quotes_balanced(const cn_http_headers *h) {
  const char *v;
  for (size_t n = 0; (v = cn_http_headers_get_nth(h, "Proxy-Authenticate", n)); n++) {
    bool quoted = false;
    for (const char *p = v; *p; p++) {
      if (quoted && *p == '\\' && p[1])
        p++;
      else if (*p == '"')
        quoted = !quoted;
    }
    if (quoted)
      return false;
  }
  return true;
}

static void check_answer(const cn_http_response_head *head, bool with_credentials,
                         bool sent_auth) {
  cn_proxy_server proxy;
  check(cn_proxy_server_parse(with_credentials ? "http://user:p%40ss@proxy.test:3128"
                                               : "http://proxy.test:3128",
                              &proxy) == CN_OK,
        "proxy parse");
  const cn_http_headers *challenges = &head->headers;
  bool basic = cn_http_proxy_auth_offers_basic(challenges);

  // The same challenges joined into one field.
  cn_http_headers joined;
  cn_http_headers_init(&joined);
  char *all = cn_http_headers_get_joined(challenges, "Proxy-Authenticate");
  if (all) {
    check(cn_http_headers_add(&joined, "Proxy-Authenticate", all) == CN_OK, "joined value");
    free(all);
  }
  // (Only for well-formed fields: an unterminated quoted-string runs to the
  // end of its field, and joined it would swallow the fields after it.)
  if (quotes_balanced(challenges))
    check(cn_http_proxy_auth_offers_basic(&joined) == basic, "joining fields changed the answer");
  cn_http_headers_free(&joined);

  bool retry = true;
  int rv = cn_http_proxy_connect_failure(head->status, &proxy, sent_auth, challenges, &retry);
  if (head->status == 407) {
    check(rv == cn_http_proxy_auth_on_407(&proxy, sent_auth, challenges), "407 rule");
    check(retry == (rv == CN_OK), "retry flag");
    if (!with_credentials || sent_auth)
      check(rv == CN_ERR_PROXY_AUTH_REQUESTED, "407 without credentials to send");
    else
      check(rv == (basic ? CN_OK : CN_ERR_PROXY_AUTH_UNSUPPORTED), "407 with credentials");
    if (rv == CN_OK) {
      char *value = cn_http_proxy_auth_header_value(&proxy);
      check(strcmp(value, "Basic dXNlcjpwQHNz") == 0, "Basic credentials");  // user:p@ss
      free(value);
    }
  } else {
    check(!retry, "retry without a 407");
    // Strict CONNECT: every other answer, a 3xx included, is this one error.
    check(rv == CN_ERR_TUNNEL_CONNECTION_FAILED, "non-407 failure code");
  }
  cn_proxy_server_free(&proxy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  bool with_credentials = data[0] & 1;
  bool sent_auth = data[0] & 2;
  data++;
  size--;
  cn_http_response_parser_options o = {0};
  o.request_is_connect = true;
  o.max_header_bytes = 8192;
  cn_http_response_parser p;
  cn_http_response_parser_init(&p, &o);
  while (size > 0) {
    cn_http_parse_result r;
    int rv = cn_http_response_parser_parse(&p, data, size, &r);
    if (rv < 0 || rv == CN_HTTP_PARSE_DONE)
      break;
    if (rv == CN_HTTP_PARSE_HEADERS) {
      check_answer(cn_http_response_parser_head(&p), with_credentials, sent_auth);
      break;  // the body of a failed CONNECT goes nowhere
    }
    if (r.consumed == 0)
      break;
    data += r.consumed;
    size -= r.consumed;
  }
  cn_http_response_parser_free(&p);
  return 0;
}
