#include "net/proxy_resolution/pac_result.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/base/net_errors.h"

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims blanks off both ends of [*p, *end).
static void trim(const char **p, const char **end) {
  while (*p < *end && is_blank(**p))
    (*p)++;
  while (*end > *p && is_blank((*end)[-1]))
    (*end)--;
}

// The URI scheme for a PAC keyword of |len| bytes, or NULL when cnet cannot
// use it.
static const char *scheme_for(const char *kw, size_t len) {
  static const struct {
    const char *keyword;
    const char *scheme;
  } kKeywords[] = {
      {"PROXY", "http"},
      {"HTTPS", "https"},
      {"SOCKS5", "socks5h"},
  };
  for (size_t i = 0; i < sizeof(kKeywords) / sizeof(kKeywords[0]); i++) {
    if (strlen(kKeywords[i].keyword) == len && strncasecmp(kw, kKeywords[i].keyword, len) == 0)
      return kKeywords[i].scheme;
  }
  return NULL;
}

// Parses one entry [p, end) (already trimmed, not empty) into |server|.
static bool parse_entry(const char *p, const char *end, cn_proxy_server *server) {
  const char *kw_end = p;
  while (kw_end < end && !is_blank(*kw_end))
    kw_end++;
  size_t kw_len = (size_t)(kw_end - p);
  if (kw_len == 6 && strncasecmp(p, "DIRECT", 6) == 0) {
    if (kw_end != end)
      return false;  // "DIRECT something"
    cn_proxy_server_init_direct(server);
    return true;
  }
  const char *scheme = scheme_for(p, kw_len);
  if (!scheme)
    return false;
  const char *host = kw_end;
  while (host < end && is_blank(*host))
    host++;
  size_t host_len = (size_t)(end - host);
  if (host_len == 0 || memchr(host, '/', host_len) || memchr(host, '@', host_len))
    return false;  // no server, or a URI/credentials where host:port belongs
  for (size_t i = 0; i < host_len; i++) {
    if (is_blank(host[i]))
      return false;
  }
  char uri[CN_PROXY_SERVER_STR_SIZE + 8];
  int n = snprintf(uri, sizeof(uri), "%s://%.*s", scheme, (int)host_len, host);
  if (n < 0 || (size_t)n >= sizeof(uri))
    return false;
  return cn_proxy_server_parse(uri, server) == CN_OK;
}

int cn_pac_result_parse(const char *text, size_t len, cn_proxy_list *out, size_t *skipped) {
  cn_proxy_list_init(out);
  size_t bad = 0;
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *semi = memchr(p, ';', (size_t)(end - p));
    const char *entry_end = semi ? semi : end;
    const char *e = p;
    trim(&e, &entry_end);
    if (e < entry_end) {
      cn_proxy_server server;
      if (memchr(e, '\0', (size_t)(entry_end - e)) == NULL && parse_entry(e, entry_end, &server)) {
        cn_proxy_list_add_server(out, &server);
        cn_proxy_server_free(&server);
      } else {
        bad++;
      }
    }
    p = semi ? semi + 1 : end;
  }
  if (skipped)
    *skipped = bad;
  if (out->count == 0)
    return CN_ERR_PAC_SCRIPT_FAILED;
  return CN_OK;
}
