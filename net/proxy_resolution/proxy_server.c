#include "net/proxy_resolution/proxy_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "net/base/net_errors.h"
#include "net/base/url.h"

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 3986 scheme syntax; anything else before "://" is not a scheme.
static bool is_scheme(const char *s, size_t len) {
  if (len == 0 || !is_alpha(s[0]))
    return false;
  for (size_t i = 1; i < len; i++) {
    char c = s[i];
    if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.')
      return false;
  }
  return true;
}

static bool equals_ci(const char *s, size_t len, const char *lit) {
  return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

void cn_proxy_server_init_direct(cn_proxy_server *out) {
  memset(out, 0, sizeof(*out));
  out->scheme = CN_PROXY_SCHEME_DIRECT;
}

void cn_proxy_server_init(cn_proxy_server *out, cn_proxy_scheme scheme, const cn_host_port *hp) {
  memset(out, 0, sizeof(*out));
  out->scheme = scheme;
  out->host_port = *hp;
}

void cn_proxy_server_free(cn_proxy_server *s) {
  free(s->username);
  free(s->password);
  memset(s, 0, sizeof(*s));
}

void cn_proxy_server_copy(cn_proxy_server *dst, const cn_proxy_server *src) {
  *dst = *src;
  dst->username = cn_xstrdup(src->username);
  dst->password = cn_xstrdup(src->password);
}

// True if the authority |a| ("user:pw@host:port", "[::1]:80", "host")
// names a port.
static bool authority_has_port(const char *a, size_t len) {
  const char *host = a;
  for (size_t i = len; i > 0; i--) {
    if (a[i - 1] == '@') {
      host = a + i;
      break;
    }
  }
  size_t host_len = len - (size_t)(host - a);
  const char *after = host;
  if (host_len > 0 && host[0] == '[') {
    const char *close = memchr(host, ']', host_len);
    after = close ? close + 1 : host + host_len;
  }
  return memchr(after, ':', host_len - (size_t)(after - host)) != NULL;
}

int cn_proxy_server_parse(const char *text, cn_proxy_server *out) {
  return cn_proxy_server_parse_n(text, strlen(text), out);
}

int cn_proxy_server_parse_n(const char *text, size_t len, cn_proxy_server *out) {
  memset(out, 0, sizeof(*out));
  while (len > 0 && is_blank(text[0])) {
    text++;
    len--;
  }
  while (len > 0 && is_blank(text[len - 1]))
    len--;
  if (len == 0)
    return CN_ERR_INVALID_ARGUMENT;

  cn_proxy_scheme scheme = CN_PROXY_SCHEME_HTTP;
  const char *rest = text;  // after "scheme://", or all of |text|
  size_t rest_len = len;
  const char *sep = NULL;
  for (size_t i = 0; i + 3 <= len; i++) {
    if (memcmp(text + i, "://", 3) == 0) {
      sep = text + i;
      break;
    }
  }
  if (sep) {
    size_t scheme_len = (size_t)(sep - text);
    if (!is_scheme(text, scheme_len))
      return CN_ERR_INVALID_ARGUMENT;
    rest = sep + 3;
    rest_len = len - scheme_len - 3;
    if (equals_ci(text, scheme_len, "direct")) {
      if (rest_len != 0)
        return CN_ERR_INVALID_ARGUMENT;
      cn_proxy_server_init_direct(out);
      return CN_OK;
    }
    if (equals_ci(text, scheme_len, "http"))
      scheme = CN_PROXY_SCHEME_HTTP;
    else if (equals_ci(text, scheme_len, "https"))
      scheme = CN_PROXY_SCHEME_HTTPS;
    else if (equals_ci(text, scheme_len, "socks5"))
      scheme = CN_PROXY_SCHEME_SOCKS5;
    else if (equals_ci(text, scheme_len, "socks5h"))
      scheme = CN_PROXY_SCHEME_SOCKS5H;
    else
      return CN_ERR_UNKNOWN_URL_SCHEME;
  } else if (equals_ci(text, len, "direct")) {
    cn_proxy_server_init_direct(out);
    return CN_OK;
  }

  // RFC 3986 allows an empty port ("proxy:") and the URL parser takes it as
  // the default, but in a proxy setting it is a typo for a missing number.
  size_t authority_len = 0;
  while (authority_len < rest_len && rest[authority_len] != '/' && rest[authority_len] != '?' &&
         rest[authority_len] != '#')
    authority_len++;
  if (authority_len > 0 && rest[authority_len - 1] == ':')
    return CN_ERR_INVALID_ARGUMENT;

  // The authority is parsed by the URL parser so that proxies get exactly
  // the host canonicalisation, port checks and userinfo percent-decoding
  // that origins get. A SOCKS authority goes through as http's; only its
  // default port differs.
  bool socks = scheme == CN_PROXY_SCHEME_SOCKS5 || scheme == CN_PROXY_SCHEME_SOCKS5H;
  char *url_text = cn_xasprintf("%s://%.*s", scheme == CN_PROXY_SCHEME_HTTPS ? "https" : "http",
                                (int)rest_len, rest);
  cn_url url;
  int rv = cn_url_parse(url_text, &url);
  free(url_text);
  if (rv != CN_OK)
    return CN_ERR_INVALID_ARGUMENT;
  if (strcmp(url.path, "/") != 0 || url.query || url.fragment) {
    cn_url_free(&url);
    return CN_ERR_INVALID_ARGUMENT;
  }
  out->scheme = scheme;
  cn_url_host_port(&url, &out->host_port);
  if (socks && !authority_has_port(rest, authority_len))
    out->host_port.port = CN_SOCKS_DEFAULT_PORT;
  if (url.username[0] || url.password[0]) {
    out->username = cn_xstrdup(url.username);
    out->password = cn_xstrdup(url.password);
  }
  cn_url_free(&url);
  return CN_OK;
}

const char *cn_proxy_scheme_name(cn_proxy_scheme scheme) {
  switch (scheme) {
    case CN_PROXY_SCHEME_DIRECT:
      return "direct";
    case CN_PROXY_SCHEME_HTTP:
      return "http";
    case CN_PROXY_SCHEME_HTTPS:
      return "https";
    case CN_PROXY_SCHEME_SOCKS5:
      return "socks5";
    case CN_PROXY_SCHEME_SOCKS5H:
      return "socks5h";
    case CN_PROXY_SCHEME_INVALID:
      break;
  }
  return "invalid";
}

const char *cn_proxy_server_to_string(const cn_proxy_server *s, char *buf, size_t size) {
  if (s->scheme == CN_PROXY_SCHEME_DIRECT || s->scheme == CN_PROXY_SCHEME_INVALID) {
    snprintf(buf, size, "%s://", cn_proxy_scheme_name(s->scheme));
    return buf;
  }
  char hp[CN_HOST_PORT_STR_SIZE];
  snprintf(buf, size, "%s://%s", cn_proxy_scheme_name(s->scheme),
           cn_host_port_to_string(&s->host_port, hp, sizeof(hp)));
  return buf;
}

bool cn_proxy_server_equal(const cn_proxy_server *a, const cn_proxy_server *b) {
  if (a->scheme != b->scheme)
    return false;
  if (a->scheme == CN_PROXY_SCHEME_DIRECT || a->scheme == CN_PROXY_SCHEME_INVALID)
    return true;
  return cn_host_port_equal(&a->host_port, &b->host_port);
}
