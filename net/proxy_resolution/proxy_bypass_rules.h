// Bypass rules: which destinations go DIRECT even though a proxy is
// configured. Two syntaxes fill the same rule list, because the two sources
// of configuration cnet takes mean different things by the same text:
//
// 1. Explicit bypass lists (cn_proxy_bypass_rules_parse), Chromium's
//    --proxy-bypass-list syntax; entries separated by ',' or ';':
//      "example.com"        exactly that host (not its subdomains)
//      "*.example.com"      subdomains of example.com (not example.com)
//      ".example.com"       same as "*.example.com"
//      "*example*", "192.168.1.*"   glob: '*' matches any run of characters
//      "127.0.0.1", "[::1]", "::1"  that IP address
//      "10.0.0.0/8", "fd00::/8"     an IP range (CIDR)
//      "<local>"            plain host names (no dot, not an IP literal:
//                           "intranet"), plus loopback: "localhost",
//                           "*.localhost", 127.0.0.0/8, ::1
//      "*"                  everything
//    A host or IP entry may carry ":port" ("example.com:8080", "[::1]:80")
//    and a "scheme://" prefix ("https://*.example.com") to apply only to
//    URLs with that port or scheme.
//
// 2. The no_proxy environment variable (cn_proxy_bypass_rules_parse_no_proxy),
//    with curl's semantics; entries separated by ',' and/or blanks:
//      "example.com", ".example.com"   the domain and all its subdomains
//                           (the leading dot is optional, as in curl; a
//                           trailing dot is ignored); "nonexample.com" does
//                           not match "example.com"
//      "127.0.0.1", "::1", "[::1]", "10.0.0.0/8"  IP and CIDR; compared only
//                           with URLs whose host is an IP literal (no DNS:
//                           "localhost" is not 127.0.0.1)
//      "*"                  everything
//      "host:port"          (an extension some tools have and curl lacks)
//                           only that port
//    Entries that make no sense are ignored, as curl ignores them: a typo in
//    an environment variable must not break every request.
//
// No rule is implicit. Chromium bypasses loopback even when a proxy is named
// explicitly; cnet does not, like curl: tests point explicit proxies at
// loopback servers and expect 127.0.0.1 destinations to go through them.
// Add "<local>" (or no_proxy=localhost,127.0.0.1,::1) to get the bypass.
//
// Hosts compare case-insensitively; a trailing dot on the URL's host is
// ignored.
//
// Ownership: a cn_proxy_bypass_rules owns its rules; release with
// cn_proxy_bypass_rules_free(), duplicate with cn_proxy_bypass_rules_copy().
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_BYPASS_RULES_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_BYPASS_RULES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/base/url.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cn_proxy_bypass_kind {
  CN_PROXY_BYPASS_HOST_PATTERN,  // glob over the host name
  CN_PROXY_BYPASS_DOMAIN,        // the domain and its subdomains (no_proxy)
  CN_PROXY_BYPASS_IP_RANGE,      // an IP literal host inside addr/prefix_len
  CN_PROXY_BYPASS_LOCAL,         // <local>
  CN_PROXY_BYPASS_ALL,           // no_proxy "*"
} cn_proxy_bypass_kind;

typedef struct cn_proxy_bypass_rule {
  cn_proxy_bypass_kind kind;
  char *text;        // the entry as written (trimmed), for logs and to_string
  char scheme[8];    // "" for any URL scheme, else e.g. "https"
  uint16_t port;     // 0 for any port
  char *pattern;     // HOST_PATTERN, DOMAIN: lower-case; else NULL
  int family;        // IP_RANGE: AF_INET or AF_INET6
  uint8_t addr[16];  // IP_RANGE: network address (4 bytes used for IPv4)
  unsigned prefix_len;
} cn_proxy_bypass_rule;

typedef struct cn_proxy_bypass_rules {
  cn_proxy_bypass_rule *items;
  size_t count;
} cn_proxy_bypass_rules;

void cn_proxy_bypass_rules_init(cn_proxy_bypass_rules *rules);
void cn_proxy_bypass_rules_free(cn_proxy_bypass_rules *rules);
// Deep copy into |dst| (overwritten, not freed).
void cn_proxy_bypass_rules_copy(cn_proxy_bypass_rules *dst, const cn_proxy_bypass_rules *src);

// Appends the rules of the explicit bypass list |text| (syntax 1). Returns
// CN_OK, or CN_ERR_INVALID_ARGUMENT with |rules| unchanged and a one-line
// reason in |err| (may be NULL; |err_size| bytes, 128 is plenty).
int cn_proxy_bypass_rules_parse(cn_proxy_bypass_rules *rules, const char *text, char *err,
                                size_t err_size);

// Appends the rules of the no_proxy value |text| (syntax 2). Never fails;
// returns how many entries were ignored as malformed.
size_t cn_proxy_bypass_rules_parse_no_proxy(cn_proxy_bypass_rules *rules, const char *text);

// True when some rule says |url| must not use a proxy.
bool cn_proxy_bypass_rules_matches(const cn_proxy_bypass_rules *rules, const cn_url *url);

// The rules' texts joined by "," ("" when empty), as a heap string the
// caller frees.
char *cn_proxy_bypass_rules_to_string(const cn_proxy_bypass_rules *rules);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_BYPASS_RULES_H_
