#include "net/proxy_resolution/proxy_bypass_rules.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/base/net_errors.h"

void cn_proxy_bypass_rules_init(cn_proxy_bypass_rules *rules) {
  rules->items = NULL;
  rules->count = 0;
}

static void rule_free(cn_proxy_bypass_rule *r) {
  free(r->text);
  free(r->pattern);
  memset(r, 0, sizeof(*r));
}

void cn_proxy_bypass_rules_free(cn_proxy_bypass_rules *rules) {
  for (size_t i = 0; i < rules->count; i++)
    rule_free(&rules->items[i]);
  free(rules->items);
  cn_proxy_bypass_rules_init(rules);
}

// Appends |r| itself (ownership of its strings moves into |rules|).
static void take_rule(cn_proxy_bypass_rules *rules, cn_proxy_bypass_rule *r) {
  rules->items = cn_xrealloc(rules->items, (rules->count + 1) * sizeof(*rules->items));
  rules->items[rules->count++] = *r;
  memset(r, 0, sizeof(*r));
}

void cn_proxy_bypass_rules_copy(cn_proxy_bypass_rules *dst, const cn_proxy_bypass_rules *src) {
  cn_proxy_bypass_rules_init(dst);
  for (size_t i = 0; i < src->count; i++) {
    cn_proxy_bypass_rule r = src->items[i];
    r.text = cn_xstrdup(r.text);
    r.pattern = cn_xstrdup(r.pattern);
    take_rule(dst, &r);
  }
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c; }

static bool is_name_char(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

// Parses an IPv4 or IPv6 literal (brackets allowed around IPv6) of |len|
// bytes into |family| and |addr|.
static bool parse_ip(const char *s, size_t len, int *family, uint8_t addr[16]) {
  char tmp[INET6_ADDRSTRLEN + 1];
  if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
    s++;
    len -= 2;
    if (len == 0 || len >= sizeof(tmp))
      return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    *family = AF_INET6;
    return inet_pton(AF_INET6, tmp, addr) == 1;
  }
  if (len == 0 || len >= sizeof(tmp))
    return false;
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  if (inet_pton(AF_INET, tmp, addr) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, tmp, addr) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

// "ip/bits" into an IP_RANGE rule.
static bool parse_cidr(const char *s, size_t len, cn_proxy_bypass_rule *r) {
  const char *slash = memchr(s, '/', len);
  if (!slash || !parse_ip(s, (size_t)(slash - s), &r->family, r->addr))
    return false;
  const char *bits = slash + 1;
  size_t bits_len = len - (size_t)(bits - s);
  if (bits_len == 0 || bits_len > 3)
    return false;
  unsigned v = 0;
  for (size_t i = 0; i < bits_len; i++) {
    if (bits[i] < '0' || bits[i] > '9')
      return false;
    v = v * 10 + (unsigned)(bits[i] - '0');
  }
  if (v > (r->family == AF_INET ? 32u : 128u))
    return false;
  r->kind = CN_PROXY_BYPASS_IP_RANGE;
  r->prefix_len = v;
  return true;
}

// Splits "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 literal
// ("::1", never with a port: it could not be told apart). |host| keeps the
// brackets. *port is 0 when absent.
static bool split_host_port(const char *s, size_t len, const char **host, size_t *host_len,
                            uint16_t *port) {
  *host = s;
  *host_len = len;
  *port = 0;
  const char *port_text = NULL;
  if (len > 0 && s[0] == '[') {
    const char *close = memchr(s, ']', len);
    if (!close)
      return false;
    *host_len = (size_t)(close - s) + 1;
    if (*host_len < len) {
      if (s[*host_len] != ':')
        return false;
      port_text = close + 2;
    }
  } else {
    const char *colon = memchr(s, ':', len);
    if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - s) - 1)) {
      *host_len = (size_t)(colon - s);
      port_text = colon + 1;
    }
  }
  if (port_text && !cn_port_parse(port_text, len - (size_t)(port_text - s), port))
    return false;
  return *host_len > 0;
}

static void set_entry_err(char *err, size_t err_size, const char *entry, size_t len) {
  if (err && err_size)
    snprintf(err, err_size, "invalid proxy bypass entry \"%.*s\"", (int)len, entry);
}

// One entry of an explicit bypass list (syntax 1), already trimmed and
// non-empty.
static bool parse_chromium_entry(const char *s, size_t len, cn_proxy_bypass_rule *r) {
  memset(r, 0, sizeof(*r));
  if (len == 7 && strncasecmp(s, "<local>", 7) == 0) {
    r->kind = CN_PROXY_BYPASS_LOCAL;
    return true;
  }
  for (size_t i = 0; i + 3 <= len; i++) {
    if (memcmp(s + i, "://", 3) != 0)
      continue;
    if (i == 0 || i >= sizeof(r->scheme) || !is_alpha(s[0]))
      return false;
    for (size_t j = 0; j < i; j++) {
      if (!is_alpha(s[j]) && !(s[j] >= '0' && s[j] <= '9') && s[j] != '+' && s[j] != '-' &&
          s[j] != '.')
        return false;
      r->scheme[j] = lower(s[j]);
    }
    s += i + 3;
    len -= i + 3;
    break;
  }
  if (len == 0)
    return false;
  if (memchr(s, '/', len))
    return parse_cidr(s, len, r);
  const char *host;
  size_t host_len;
  if (!split_host_port(s, len, &host, &host_len, &r->port))
    return false;
  if (parse_ip(host, host_len, &r->family, r->addr)) {
    r->kind = CN_PROXY_BYPASS_IP_RANGE;
    r->prefix_len = r->family == AF_INET ? 32 : 128;
    return true;
  }
  // ".example.com" is shorthand for "*.example.com" (subdomains only), as in
  // Chromium.
  bool leading_dot = host[0] == '.';
  char *pattern = cn_xmalloc(host_len + 2);
  size_t n = 0;
  if (leading_dot)
    pattern[n++] = '*';
  for (size_t i = 0; i < host_len; i++) {
    if (!is_name_char(host[i]) && host[i] != '*') {
      free(pattern);
      return false;
    }
    pattern[n++] = lower(host[i]);
  }
  pattern[n] = '\0';
  r->kind = CN_PROXY_BYPASS_HOST_PATTERN;
  r->pattern = pattern;
  return true;
}

int cn_proxy_bypass_rules_parse(cn_proxy_bypass_rules *rules, const char *text, char *err,
                                size_t err_size) {
  if (err && err_size)
    err[0] = '\0';
  cn_proxy_bypass_rules added;
  cn_proxy_bypass_rules_init(&added);
  const char *p = text;
  while (*p) {
    size_t len = strcspn(p, ",;");
    const char *s = p;
    size_t n = len;
    while (n > 0 && is_blank(s[0])) {
      s++;
      n--;
    }
    while (n > 0 && is_blank(s[n - 1]))
      n--;
    // Empty entries (a trailing separator, "a,,b") are skipped as Chromium
    // does: they carry no meaning that could be misread.
    if (n > 0) {
      cn_proxy_bypass_rule r;
      if (!parse_chromium_entry(s, n, &r)) {
        set_entry_err(err, err_size, s, n);
        rule_free(&r);
        cn_proxy_bypass_rules_free(&added);
        return CN_ERR_INVALID_ARGUMENT;
      }
      r.text = cn_xstrndup(s, n);
      take_rule(&added, &r);
    }
    p += len;
    if (*p)
      p++;
  }
  for (size_t i = 0; i < added.count; i++)
    take_rule(rules, &added.items[i]);
  free(added.items);
  return CN_OK;
}

// One no_proxy entry (syntax 2), non-empty and without blanks or commas.
static bool parse_no_proxy_entry(const char *s, size_t len, cn_proxy_bypass_rule *r) {
  memset(r, 0, sizeof(*r));
  if (len == 1 && s[0] == '*') {
    r->kind = CN_PROXY_BYPASS_ALL;
    return true;
  }
  if (memchr(s, '/', len))
    return parse_cidr(s, len, r);
  const char *host;
  size_t host_len;
  if (!split_host_port(s, len, &host, &host_len, &r->port))
    return false;
  if (parse_ip(host, host_len, &r->family, r->addr)) {
    r->kind = CN_PROXY_BYPASS_IP_RANGE;
    r->prefix_len = r->family == AF_INET ? 32 : 128;
    return true;
  }
  // "*.example.com" matches nothing in curl, but people write it meaning
  // ".example.com"; honouring that only ever sends fewer requests to the
  // proxy than the user asked for, never more.
  if (host_len >= 2 && host[0] == '*' && host[1] == '.') {
    host++;
    host_len--;
  }
  if (host_len > 0 && host[0] == '.') {
    host++;
    host_len--;
  }
  if (host_len > 0 && host[host_len - 1] == '.')
    host_len--;
  if (host_len == 0)
    return false;
  char *pattern = cn_xmalloc(host_len + 1);
  for (size_t i = 0; i < host_len; i++) {
    if (!is_name_char(host[i])) {
      free(pattern);
      return false;
    }
    pattern[i] = lower(host[i]);
  }
  pattern[host_len] = '\0';
  r->kind = CN_PROXY_BYPASS_DOMAIN;
  r->pattern = pattern;
  return true;
}

size_t cn_proxy_bypass_rules_parse_no_proxy(cn_proxy_bypass_rules *rules, const char *text) {
  size_t ignored = 0;
  const char *p = text;
  for (;;) {
    while (*p && (*p == ',' || is_blank(*p)))
      p++;
    if (!*p)
      break;
    size_t len = strcspn(p, ", \t");
    cn_proxy_bypass_rule r;
    if (parse_no_proxy_entry(p, len, &r)) {
      r.text = cn_xstrndup(p, len);
      take_rule(rules, &r);
    } else {
      rule_free(&r);
      ignored++;
    }
    p += len;
  }
  return ignored;
}

// '*' matches any run of characters (including none); both strings are
// lower-case.
static bool glob_match(const char *pat, const char *str) {
  const char *star = NULL;  // last '*' seen in |pat|
  const char *resume = NULL;
  while (*str) {
    if (*pat == '*') {
      star = pat++;
      resume = str;
    } else if (*pat == *str) {
      pat++;
      str++;
    } else if (star) {
      pat = star + 1;
      str = ++resume;
    } else {
      return false;
    }
  }
  while (*pat == '*')
    pat++;
  return *pat == '\0';
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits) {
  unsigned bytes = bits / 8, rest = bits % 8;
  if (memcmp(a, b, bytes) != 0)
    return false;
  if (rest == 0)
    return true;
  uint8_t mask = (uint8_t)(0xff << (8 - rest));
  return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

static bool is_loopback(int family, const uint8_t *addr) {
  static const uint8_t kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (family == AF_INET)
    return addr[0] == 127;
  return memcmp(addr, kLoopback6, 16) == 0 ||
         (memcmp(addr, kMappedPrefix, 12) == 0 && addr[12] == 127);
}

static bool ends_with_label(const char *host, size_t host_len, const char *suffix) {
  size_t n = strlen(suffix);
  if (host_len == n)
    return memcmp(host, suffix, n) == 0;
  return host_len > n && host[host_len - n - 1] == '.' &&
         memcmp(host + host_len - n, suffix, n) == 0;
}

bool cn_proxy_bypass_rules_matches(const cn_proxy_bypass_rules *rules, const cn_url *url) {
  if (!rules->count || !url->host)
    return false;
  // The host without a trailing dot, for name rules ("example.com." is
  // example.com).
  char host[CN_HOST_BUF_SIZE];
  snprintf(host, sizeof(host), "%s", url->host);
  size_t host_len = strlen(host);
  if (host_len > 1 && host[host_len - 1] == '.')
    host[--host_len] = '\0';
  int family = 0;
  uint8_t addr[16];
  bool is_ip = parse_ip(host, host_len, &family, addr);

  for (size_t i = 0; i < rules->count; i++) {
    const cn_proxy_bypass_rule *r = &rules->items[i];
    if (r->scheme[0] && strcmp(r->scheme, url->scheme) != 0)
      continue;
    if (r->port && r->port != url->port)
      continue;
    bool match = false;
    switch (r->kind) {
      case CN_PROXY_BYPASS_ALL:
        match = true;
        break;
      case CN_PROXY_BYPASS_LOCAL:
        if (is_ip)
          match = is_loopback(family, addr);
        else
          match = !memchr(host, '.', host_len) || ends_with_label(host, host_len, "localhost");
        break;
      case CN_PROXY_BYPASS_HOST_PATTERN:
        match = glob_match(r->pattern, host);
        break;
      case CN_PROXY_BYPASS_DOMAIN:
        match = !is_ip && ends_with_label(host, host_len, r->pattern);
        break;
      case CN_PROXY_BYPASS_IP_RANGE:
        match = is_ip && family == r->family && prefix_match(addr, r->addr, r->prefix_len);
        break;
    }
    if (match)
      return true;
  }
  return false;
}

char *cn_proxy_bypass_rules_to_string(const cn_proxy_bypass_rules *rules) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  for (size_t i = 0; i < rules->count; i++) {
    if (i)
      cn_bytebuf_append_str(&b, ",");
    cn_bytebuf_append_str(&b, rules->items[i].text);
  }
  // Storage must exist even for "": steal_str of a never-grown buffer would
  // copy from a NULL pointer.
  cn_bytebuf_reserve(&b, 1);
  char *s = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return s;
}
