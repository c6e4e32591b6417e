#include "net/base/host_port.h"

#include <arpa/inet.h>
#include <string.h>

#include "base/bytebuf.h"
#include "net/base/net_errors.h"

// Canonical IPv6 text from |len| bytes (no brackets); false if not IPv6.
static bool canonical_ipv6(const char *text, size_t len, char *out) {
  char tmp[INET6_ADDRSTRLEN + 1];
  struct in6_addr a;
  if (len == 0 || len >= sizeof(tmp))
    return false;
  memcpy(tmp, text, len);
  tmp[len] = '\0';
  if (inet_pton(AF_INET6, tmp, &a) != 1)
    return false;
  // INET6_ADDRSTRLEN < CN_HOST_BUF_SIZE, so this cannot truncate.
  return inet_ntop(AF_INET6, &a, out, CN_HOST_BUF_SIZE) != NULL;
}

static bool is_name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '.';
}

int cn_host_canonicalize(const char *host, size_t len, char *out, bool *out_is_ipv6) {
  out[0] = '\0';
  if (out_is_ipv6)
    *out_is_ipv6 = false;
  if (len == 0)
    return CN_ERR_INVALID_ARGUMENT;
  if (host[0] == '[') {
    if (len < 3 || host[len - 1] != ']' || !canonical_ipv6(host + 1, len - 2, out)) {
      out[0] = '\0';
      return CN_ERR_INVALID_ARGUMENT;
    }
    if (out_is_ipv6)
      *out_is_ipv6 = true;
    return CN_OK;
  }
  // Only IPv6 literals contain ':' (a host:port must be split by the caller).
  if (memchr(host, ':', len)) {
    if (!canonical_ipv6(host, len, out)) {
      out[0] = '\0';
      return CN_ERR_INVALID_ARGUMENT;
    }
    if (out_is_ipv6)
      *out_is_ipv6 = true;
    return CN_OK;
  }
  if (len > CN_HOST_MAX_LEN)
    return CN_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)host[i];
    if (!is_name_char(c)) {
      out[0] = '\0';
      return CN_ERR_INVALID_ARGUMENT;
    }
    out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : (char)c;
  }
  out[len] = '\0';
  return CN_OK;
}

bool cn_port_parse(const char *text, size_t len, uint16_t *out) {
  if (len == 0)
    return false;
  unsigned long v = 0;
  for (size_t i = 0; i < len; i++) {
    if (text[i] < '0' || text[i] > '9')
      return false;
    v = v * 10 + (unsigned long)(text[i] - '0');
    if (v > 65535)  // checked per digit so long inputs cannot overflow
      return false;
  }
  if (v == 0)
    return false;
  *out = (uint16_t)v;
  return true;
}

int cn_host_port_set(cn_host_port *hp, const char *host, uint16_t port) {
  memset(hp, 0, sizeof(*hp));
  int rv = cn_host_canonicalize(host, strlen(host), hp->host, NULL);
  if (rv != CN_OK)
    return rv;
  hp->port = port;
  return CN_OK;
}

int cn_host_port_parse(const char *text, uint16_t default_port, cn_host_port *out) {
  memset(out, 0, sizeof(*out));
  size_t len = strlen(text);
  const char *host = text;
  size_t host_len;
  const char *port = NULL;  // NULL: no ":port" part
  size_t port_len = 0;
  if (len > 0 && text[0] == '[') {
    const char *close = memchr(text, ']', len);
    if (!close)
      return CN_ERR_INVALID_ARGUMENT;
    host_len = (size_t)(close - text) + 1;
    if (host_len < len) {
      if (text[host_len] != ':')
        return CN_ERR_INVALID_ARGUMENT;
      port = text + host_len + 1;
      port_len = len - host_len - 1;
    }
  } else {
    const char *colon = memchr(text, ':', len);
    if (colon && memchr(colon + 1, ':', len - (size_t)(colon - text) - 1)) {
      // Several colons without brackets: only a whole IPv6 literal makes sense
      // ("::1:80" cannot be split unambiguously).
      host_len = len;
    } else if (colon) {
      host_len = (size_t)(colon - text);
      port = colon + 1;
      port_len = len - host_len - 1;
    } else {
      host_len = len;
    }
  }
  uint16_t p = default_port;
  if (port ? !cn_port_parse(port, port_len, &p) : default_port == 0)
    return CN_ERR_INVALID_ARGUMENT;
  if (cn_host_canonicalize(host, host_len, out->host, NULL) != CN_OK) {
    memset(out, 0, sizeof(*out));
    return CN_ERR_INVALID_ARGUMENT;
  }
  out->port = p;
  return CN_OK;
}

bool cn_host_port_is_ipv6(const cn_host_port *hp) { return strchr(hp->host, ':') != NULL; }

// Without snprintf: pool and server-properties keys are made per request.
const char *cn_host_port_to_string(const cn_host_port *hp, char *buf, size_t size) {
  if (size == 0)
    return buf;
  char text[CN_HOST_PORT_STR_SIZE];
  size_t host_len = strnlen(hp->host, sizeof(hp->host) - 1);
  bool v6 = memchr(hp->host, ':', host_len) != NULL;
  size_t n = 0;
  if (v6)
    text[n++] = '[';
  memcpy(text + n, hp->host, host_len);
  n += host_len;
  if (v6)
    text[n++] = ']';
  text[n++] = ':';
  n += cn_u64_to_dec(hp->port, text + n);
  // As snprintf did: truncated to |size| - 1 bytes, always terminated.
  if (n > size - 1)
    n = size - 1;
  memcpy(buf, text, n);
  buf[n] = '\0';
  return buf;
}

bool cn_host_port_equal(const cn_host_port *a, const cn_host_port *b) {
  return a->port == b->port && strcmp(a->host, b->host) == 0;
}
