#include "tools/fetch/fetch_urls.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/mem.h"

char *fetch_url_with_scheme(const char *url) {
  if (strstr(url, "://"))
    return cn_xstrdup(url);
  return cn_xasprintf("http://%s", url);
}

// Where the path of |url| starts (after "scheme://authority"), or NULL.
static const char *path_of(const char *url) {
  const char *p = strstr(url, "://");
  return p ? strchr(p + 3, '/') : NULL;
}

char *fetch_remote_name(const char *url) {
  const char *path = path_of(url);
  if (!path)
    return NULL;
  size_t end = strcspn(path, "?#");
  const char *seg = path;
  for (size_t i = 0; i < end; i++)
    if (path[i] == '/')
      seg = path + i + 1;
  size_t len = (size_t)(path + end - seg);
  return len ? cn_xstrndup(seg, len) : NULL;
}

// An IP literal for |host|: itself, or its first address from the system
// resolver (fetch's one blocking lookup, before the run).
static bool address_of(const char *host, char *out, size_t size) {
  struct in6_addr a6;
  struct in_addr a4;
  if (inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1) {
    snprintf(out, size, "%s", host);
    return true;
  }
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
    return false;
  const void *addr = res->ai_family == AF_INET6
                         ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
                         : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
  bool ok = inet_ntop(res->ai_family, addr, out, (socklen_t)size) != NULL;
  freeaddrinfo(res);
  return ok;
}

// One --connect-to: "HOST1:PORT1:HOST2:PORT2" (IPv6 hosts in brackets).
static char *connect_to_rule(const char *spec, char *err, size_t err_size) {
  char *parts[4] = {0};
  char *copy = cn_xstrdup(spec);
  char *p = copy;
  size_t n = 0;
  while (n < 4) {
    parts[n++] = p;
    char *colon = *p == '[' ? strchr(strchr(p, ']') ? strchr(p, ']') : p, ':') : strchr(p, ':');
    if (!colon)
      break;
    *colon = '\0';
    p = colon + 1;
  }
  char *rule = NULL;
  char addr[64];
  if (n != 4) {
    snprintf(err, err_size, "--connect-to '%s': expected HOST1:PORT1:HOST2:PORT2", spec);
  } else if (!parts[2][0] && !parts[3][0]) {
    rule = NULL;  // neither a new host nor a new port: nothing to change
    err[0] = '\0';
  } else {
    // The address to connect to: HOST2's, or HOST1's when HOST2 is empty.
    char host[256];
    snprintf(host, sizeof(host), "%s", parts[2][0] ? parts[2] : parts[0]);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
      memmove(host, host + 1, strlen(host));
      host[strlen(host) - 1] = '\0';
    }
    if (!host[0])
      snprintf(err, err_size, "--connect-to '%s': a new port needs HOST1 or HOST2", spec);
    else if (!address_of(host, addr, sizeof(addr)))
      snprintf(err, err_size, "--connect-to '%s': cannot resolve '%s'", spec, host);
    else
      rule = cn_xasprintf("%s:%s:%s%s%s:%s", parts[0], parts[1], strchr(addr, ':') ? "[" : "",
                          addr, strchr(addr, ':') ? "]" : "", parts[3]);
  }
  free(copy);
  return rule;
}

bool fetch_resolve_list_build(const fetch_options *o, fetch_resolve_list *out, char *err,
                              size_t err_size) {
  memset(out, 0, sizeof(*out));
  out->rules = cn_xcalloc(o->num_resolve + 1, sizeof(char *));
  out->connect_rules = cn_xcalloc(o->num_connect_to + 1, sizeof(char *));
  for (size_t i = 0; i < o->num_resolve; i++)
    out->rules[out->count++] = cn_xstrdup(o->resolve[i]);
  for (size_t i = 0; i < o->num_connect_to; i++) {
    err[0] = '\0';
    char *rule = connect_to_rule(o->connect_to[i], err, err_size);
    if (err[0]) {
      fetch_resolve_list_free(out);
      return false;
    }
    if (rule)
      out->connect_rules[out->num_connect_rules++] = rule;
  }
  return true;
}

void fetch_resolve_list_free(fetch_resolve_list *l) {
  for (size_t i = 0; i < l->count; i++)
    free(l->rules[i]);
  free(l->rules);
  for (size_t i = 0; i < l->num_connect_rules; i++)
    free(l->connect_rules[i]);
  free(l->connect_rules);
  memset(l, 0, sizeof(*l));
}

// Whether |s| (|len| bytes) is an IP address or CIDR range, which cnet's
// bypass syntax takes as is.
static bool is_ip_entry(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!strchr("0123456789abcdefABCDEF.:/[]", s[i]))
      return false;
  return memchr(s, ':', len) || memchr(s, '.', len);
}

char *fetch_noproxy_to_bypass(const char *noproxy) {
  size_t cap = 3 * strlen(noproxy) + 16, len = 0;
  char *out = cn_xmalloc(cap);
  out[0] = '\0';
  for (const char *p = noproxy; *p;) {
    p += strspn(p, ", \t");
    size_t n = strcspn(p, ", \t");
    if (!n)
      break;
    const char *e = p;
    if (e[0] == '.' && n > 1) {  // ".example.com" is "example.com" in curl
      e++;
      n--;
    }
    const char *sep = len ? "," : "";
    if ((n == 1 && e[0] == '*') || is_ip_entry(e, n))
      len += (size_t)snprintf(out + len, cap - len, "%s%.*s", sep, (int)n, e);
    else
      len += (size_t)snprintf(out + len, cap - len, "%s%.*s,*.%.*s", sep, (int)n, e, (int)n, e);
    p = e + n;
  }
  return out;
}
