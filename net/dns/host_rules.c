#include "net/dns/host_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

void cn_host_rules_init(cn_host_rules *rules) {
  rules->items = NULL;
  rules->count = 0;
}

void cn_host_rules_free(cn_host_rules *rules) {
  for (size_t i = 0; i < rules->count; i++)
    cn_address_list_free(&rules->items[i].addrs);
  free(rules->items);
  cn_host_rules_init(rules);
}

void cn_host_rules_copy(cn_host_rules *dst, const cn_host_rules *src) {
  cn_host_rules_init(dst);
  if (!src->count)
    return;
  dst->items = cn_xcalloc(src->count, sizeof(*dst->items));
  for (size_t i = 0; i < src->count; i++) {
    dst->items[i] = src->items[i];
    cn_address_list_copy(&dst->items[i].addrs, &src->items[i].addrs);
  }
  dst->count = src->count;
}

// Canonical form of a rule host ("*" stays "*").
static int canonical_rule_host(const char *host, size_t len, char *out) {
  if (len == 1 && host[0] == '*') {
    strcpy(out, "*");
    return CN_OK;
  }
  return cn_host_canonicalize(host, len, out, NULL);
}

static cn_host_rule *find_exact(const cn_host_rules *rules, const char *host, uint16_t port) {
  for (size_t i = 0; i < rules->count; i++) {
    if (rules->items[i].port == port && strcmp(rules->items[i].host, host) == 0)
      return &rules->items[i];
  }
  return NULL;
}

// Adds with an already canonical host; takes ownership of |addrs|' array.
static void add_canonical(cn_host_rules *rules, const char *host, uint16_t port,
                          cn_address_list *addrs) {
  cn_host_rule *r = find_exact(rules, host, port);
  if (r) {
    cn_address_list_free(&r->addrs);
    r->to_port = 0;
  } else {
    rules->items = cn_xrealloc(rules->items, (rules->count + 1) * sizeof(*rules->items));
    r = &rules->items[rules->count++];
    memset(r, 0, sizeof(*r));
    strcpy(r->host, host);
    r->port = port;
  }
  r->addrs = *addrs;
  cn_address_list_init(addrs);
  // The requested port is filled in per lookup; keep the stored ones neutral.
  for (size_t i = 0; i < r->addrs.count; i++)
    cn_ip_endpoint_set_port(&r->addrs.items[i], 0);
}

int cn_host_rules_add(cn_host_rules *rules, const char *host, uint16_t port,
                      const cn_address_list *addrs) {
  char canon[CN_HOST_BUF_SIZE];
  if (!host || !addrs || addrs->count == 0 ||
      canonical_rule_host(host, strlen(host), canon) != CN_OK)
    return CN_ERR_INVALID_ARGUMENT;
  cn_address_list copy;
  cn_address_list_copy(&copy, addrs);
  add_canonical(rules, canon, port, &copy);
  return CN_OK;
}

bool cn_host_rules_remove(cn_host_rules *rules, const char *host, uint16_t port) {
  char canon[CN_HOST_BUF_SIZE];
  if (canonical_rule_host(host, strlen(host), canon) != CN_OK)
    return false;
  cn_host_rule *r = find_exact(rules, canon, port);
  if (!r)
    return false;
  cn_address_list_free(&r->addrs);
  size_t idx = (size_t)(r - rules->items);
  memmove(r, r + 1, (rules->count - idx - 1) * sizeof(*r));
  rules->count--;
  return true;
}

const cn_host_rule *cn_host_rules_match(const cn_host_rules *rules, const char *host,
                                        uint16_t port) {
  const cn_host_rule *r;
  if ((r = find_exact(rules, host, port)) || (r = find_exact(rules, host, CN_HOST_RULE_ANY_PORT)) ||
      (r = find_exact(rules, "*", port)) || (r = find_exact(rules, "*", CN_HOST_RULE_ANY_PORT)))
    return r;
  return NULL;
}

static int fail_as(const char *what, char *err, size_t err_size, const char *spec,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

// Writes "--WHAT 'SPEC': REASON" into |err|.
static int fail_as(const char *what, char *err, size_t err_size, const char *spec,
                   const char *fmt, ...) {
  if (err && err_size) {
    char reason[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    snprintf(err, err_size, "--%s '%.40s%s': %s", what, spec, strlen(spec) > 40 ? "..." : "",
             reason);
  }
  return CN_ERR_INVALID_ARGUMENT;
}

#define fail(err, err_size, spec, ...) fail_as("resolve", err, err_size, spec, __VA_ARGS__)

int cn_host_rules_parse_resolve(cn_host_rules *rules, const char *spec, char *err,
                                size_t err_size) {
  if (err && err_size)
    err[0] = '\0';
  if (!spec)
    return fail(err, err_size, "", "missing argument");
  const char *p = spec;
  bool remove = false;
  if (*p == '+') {
    p++;
  } else if (*p == '-') {
    remove = true;
    p++;
  }

  // HOST: up to the first ':' or, for "[v6]", through the ']'.
  const char *host = p;
  const char *host_end;
  if (*p == '[') {
    host_end = strchr(p, ']');
    if (!host_end)
      return fail(err, err_size, spec, "unterminated '[' in host");
    host_end++;
  } else {
    host_end = strchr(p, ':');
    if (!host_end)
      return fail(err, err_size, spec, "expected HOST:PORT:ADDRESS[,ADDRESS]...");
  }
  char canon[CN_HOST_BUF_SIZE];
  if (host_end == host)
    return fail(err, err_size, spec, "empty host");
  if (canonical_rule_host(host, (size_t)(host_end - host), canon) != CN_OK)
    return fail(err, err_size, spec, "invalid host '%.*s'", (int)(host_end - host > 40 ? 40 : host_end - host), host);
  if (*host_end != ':')
    return fail(err, err_size, spec, "expected ':' after host");

  // PORT: digits or '*', up to the next ':' (or the end, when removing).
  const char *port = host_end + 1;
  const char *port_end = strchr(port, ':');
  if (!port_end) {
    if (!remove)
      return fail(err, err_size, spec, "expected HOST:PORT:ADDRESS[,ADDRESS]...");
    port_end = port + strlen(port);
  }
  uint16_t port_num = CN_HOST_RULE_ANY_PORT;
  size_t port_len = (size_t)(port_end - port);
  if (!(port_len == 1 && port[0] == '*') && !cn_port_parse(port, port_len, &port_num))
    return fail(err, err_size, spec, "invalid port '%.*s' (want 1-65535 or *)",
                (int)(port_len > 16 ? 16 : port_len), port);

  if (remove) {
    if (*port_end)
      return fail(err, err_size, spec, "a removal takes no addresses (-HOST:PORT)");
    if (!cn_host_rules_remove(rules, canon, port_num))
      return fail(err, err_size, spec, "no such rule to remove");
    return CN_OK;
  }

  // ADDR[,ADDR]...: each an IP literal, IPv6 bracketed or bare.
  cn_address_list addrs;
  cn_address_list_init(&addrs);
  const char *a = port_end + 1;
  for (;;) {
    const char *comma = strchr(a, ',');
    size_t len = comma ? (size_t)(comma - a) : strlen(a);
    char tmp[64];
    cn_ip_endpoint ep;
    if (len == 0 || len >= sizeof(tmp)) {
      cn_address_list_free(&addrs);
      return fail(err, err_size, spec, len ? "address too long" : "empty address");
    }
    memcpy(tmp, a, len);
    tmp[len] = '\0';
    // Brackets are for IPv6 only ("[127.0.0.1]" is a typo worth reporting).
    if (!cn_ip_endpoint_from_literal(tmp, 0, &ep) ||
        (tmp[0] == '[' && cn_ip_endpoint_family(&ep) != AF_INET6)) {
      cn_address_list_free(&addrs);
      return fail(err, err_size, spec, "'%s' is not an IP address", tmp);
    }
    cn_address_list_append(&addrs, &ep);
    if (!comma)
      break;
    a = comma + 1;
  }
  add_canonical(rules, canon, port_num, &addrs);
  return CN_OK;
}

// Splits "A:B:C:D" (a part may be "[v6]") into |parts|; false unless there
// are exactly four.
static bool split_four(char *copy, char *parts[4]) {
  char *p = copy;
  for (size_t n = 0; n < 4; n++) {
    parts[n] = p;
    char *end = *p == '[' ? strchr(p, ']') : p;
    if (!end)
      return false;
    char *colon = strchr(end, ':');
    if (n == 3)
      return colon == NULL;
    if (!colon)
      return false;
    *colon = '\0';
    p = colon + 1;
  }
  return false;
}

int cn_host_rules_parse_connect_to(cn_host_rules *rules, const char *spec, char *err,
                                   size_t err_size) {
  static const char kWhat[] = "connect-to";
  if (err && err_size)
    err[0] = '\0';
  if (!spec)
    return fail_as(kWhat, err, err_size, "", "missing argument");
  char *copy = cn_xstrdup(spec);
  char *part[4];
  int rv = CN_OK;
  uint16_t port1 = CN_HOST_RULE_ANY_PORT, to_port = 0;
  char canon[CN_HOST_BUF_SIZE] = "*";
  if (!split_four(copy, part))
    rv = fail_as(kWhat, err, err_size, spec, "expected HOST1:PORT1:HOST2:PORT2");
  else if (part[0][0] && canonical_rule_host(part[0], strlen(part[0]), canon) != CN_OK)
    rv = fail_as(kWhat, err, err_size, spec, "invalid host '%.40s'", part[0]);
  else if (part[1][0] && !cn_port_parse(part[1], strlen(part[1]), &port1))
    rv = fail_as(kWhat, err, err_size, spec, "invalid port '%.16s'", part[1]);
  else if (part[3][0] && !cn_port_parse(part[3], strlen(part[3]), &to_port))
    rv = fail_as(kWhat, err, err_size, spec, "invalid port '%.16s'", part[3]);
  cn_ip_endpoint ep;
  if (rv == CN_OK && !cn_ip_endpoint_from_literal(part[2], 0, &ep))
    rv = fail_as(kWhat, err, err_size, spec, "HOST2 '%.40s' is not an IP address", part[2]);
  if (rv == CN_OK) {
    cn_address_list addrs;
    cn_address_list_init(&addrs);
    cn_address_list_append(&addrs, &ep);
    add_canonical(rules, canon, port1, &addrs);
    find_exact(rules, canon, port1)->to_port = to_port;
  }
  free(copy);
  return rv;
}
