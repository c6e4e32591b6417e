#include "net/http/http_proxy_auth.h"

#include <string.h>
#include <strings.h>

#include "net/base/base64.h"
#include "net/base/net_errors.h"

// True if |v| (a field value, or one element of it) starts with the scheme
// token "Basic" followed by the end, a space or a tab.
static bool is_basic_challenge(const char *v, size_t len) {
  while (len && (*v == ' ' || *v == '\t')) {
    v++;
    len--;
  }
  return len >= 5 && strncasecmp(v, "basic", 5) == 0 &&
         (len == 5 || v[5] == ' ' || v[5] == '\t');
}

// The next list separator of a field value at or after |p|, skipping commas
// inside quoted strings (RFC 9110 5.6.4: `realm="a, Basic b"` is one
// auth-param, not a second challenge); NULL at the end.
static const char *next_list_comma(const char *p) {
  bool quoted = false;
  for (; *p; p++) {
    if (quoted && *p == '\\' && p[1])
      p++;  // a quoted-pair
    else if (*p == '"')
      quoted = !quoted;
    else if (*p == ',' && !quoted)
      return p;
  }
  return NULL;
}

bool cn_http_proxy_auth_offers_basic(const cn_http_headers *challenges) {
  const char *v;
  for (size_t n = 0; (v = cn_http_headers_get_nth(challenges, "Proxy-Authenticate", n)); n++) {
    // Several challenges may share a field ("Negotiate, Basic realm=x");
    // each element is either a new challenge or an auth-param of the one
    // before, and only a challenge starts with a bare scheme token.
    const char *p = v;
    for (;;) {
      const char *comma = next_list_comma(p);
      size_t len = comma ? (size_t)(comma - p) : strlen(p);
      if (is_basic_challenge(p, len))
        return true;
      if (!comma)
        break;
      p = comma + 1;
    }
  }
  return false;
}

int cn_http_proxy_auth_on_407(const cn_proxy_server *proxy, bool sent_auth,
                              const cn_http_headers *challenges) {
  if (!proxy || !cn_proxy_server_has_credentials(proxy) || sent_auth)
    return CN_ERR_PROXY_AUTH_REQUESTED;
  if (!cn_http_proxy_auth_offers_basic(challenges))
    return CN_ERR_PROXY_AUTH_UNSUPPORTED;
  return CN_OK;
}

int cn_http_proxy_connect_failure(int status, const cn_proxy_server *proxy, bool sent_auth,
                                  const cn_http_headers *challenges, bool *retry_with_auth) {
  *retry_with_auth = false;
  if (status == 407) {
    int rv = cn_http_proxy_auth_on_407(proxy, sent_auth, challenges);
    *retry_with_auth = rv == CN_OK;
    return rv;
  }
  // Anything else — a 1xx, another 2xx, a redirect, 4xx, 5xx — is a tunnel
  // that could not be set up; the answer's body is never read (Chromium,
  // crbug.com/137891: the proxy must not pass for the origin).
  return CN_ERR_TUNNEL_CONNECTION_FAILED;
}

char *cn_http_proxy_auth_header_value(const cn_proxy_server *proxy) {
  return cn_http_basic_credentials(proxy->username, proxy->password);
}
