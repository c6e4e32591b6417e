// Host rules: fixed answers for host names, applied by the resolver before
// its cache and before getaddrinfo. The model is curl's
// `--resolve host:port:addr[,addr]...`: a rule answers for one host and
// either one port or every port, and the addresses get the port that was
// asked for. Tests and the fetch tool use them to send "https://origin.test"
// to a loopback server without touching DNS.
//
// Matching, most specific first: host+port, host+any port, "*"+port,
// "*"+any port. Hosts compare canonically (case-insensitive, IPv6 spelling
// insensitive).
//
// Ownership: a cn_host_rules owns its rules and their address lists; release
// with cn_host_rules_free(). Not thread-safe (loop thread only, like the
// resolver that uses it).
#ifndef CNET_NET_DNS_HOST_RULES_H_
#define CNET_NET_DNS_HOST_RULES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/base/host_port.h"
#include "net/base/ip_endpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

// The port value of a rule that answers for every port (0 is never a real
// port, see cn_port_parse).
#define CN_HOST_RULE_ANY_PORT 0

typedef struct cn_host_rule {
  char host[CN_HOST_BUF_SIZE];  // canonical host, or "*" for every host
  uint16_t port;                // 1..65535 or CN_HOST_RULE_ANY_PORT
  cn_address_list addrs;        // in order; ports are 0 (set per request)
  // The port to connect to instead of the one asked for (curl's
  // --connect-to HOST1:PORT1:HOST2:PORT2); 0: the asked port.
  uint16_t to_port;
} cn_host_rule;

typedef struct cn_host_rules {
  cn_host_rule *items;
  size_t count;
} cn_host_rules;

void cn_host_rules_init(cn_host_rules *rules);
void cn_host_rules_free(cn_host_rules *rules);
// Deep copy into |dst| (overwritten, not freed).
void cn_host_rules_copy(cn_host_rules *dst, const cn_host_rules *src);

// Adds the rule |host| (canonicalised; "*" for any host) : |port| (or
// CN_HOST_RULE_ANY_PORT) -> |addrs| (copied; their ports are ignored),
// replacing an existing rule for the same host and port. Returns CN_OK, or
// CN_ERR_INVALID_ARGUMENT for a bad host or an empty address list.
int cn_host_rules_add(cn_host_rules *rules, const char *host, uint16_t port,
                      const cn_address_list *addrs);

// Removes the rule for exactly |host| and |port|; false if there was none.
bool cn_host_rules_remove(cn_host_rules *rules, const char *host, uint16_t port);

// Parses one curl --resolve entry and applies it:
//   [+]HOST:PORT:ADDR[,ADDR]...   add (a leading '+' is accepted and ignored:
//                                 curl's "expire" flag has no meaning here)
//   -HOST:PORT                    remove
// HOST is a name, "[v6]" or "*"; PORT is 1..65535 or "*" (any port); each
// ADDR is an IPv4 literal, "[v6]" or a bare IPv6 literal.
// Examples: "origin.test:443:127.0.0.1", "origin.test:*:127.0.0.1",
// "h.test:80:[::1],127.0.0.1". On error returns CN_ERR_INVALID_ARGUMENT,
// leaves |rules| unchanged and writes a one-line reason into |err| (may be
// NULL; |err_size| bytes, 128 is plenty).
int cn_host_rules_parse_resolve(cn_host_rules *rules, const char *spec, char *err,
                                size_t err_size);

// Parses one curl --connect-to entry, HOST1:PORT1:ADDR:PORT2, and adds it as
// a rule for HOST1:PORT1 ("*" or empty: any) answering ADDR (an IP literal,
// IPv6 in brackets) at PORT2 (empty: PORT1). The connection is still the
// origin's: pools, sessions and TLS (SNI, the name checked) use HOST1:PORT1.
// cnet takes literals only (the fetch tool resolves a HOST2 name first). On
// error returns CN_ERR_INVALID_ARGUMENT with a reason in |err|, as above.
int cn_host_rules_parse_connect_to(cn_host_rules *rules, const char *spec, char *err,
                                   size_t err_size);

// The most specific rule for |host| (canonical, as the resolver passes it)
// and |port|, or NULL. The rule stays owned by |rules| and is valid until the
// rules are next modified.
const cn_host_rule *cn_host_rules_match(const cn_host_rules *rules, const char *host,
                                        uint16_t port);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_DNS_HOST_RULES_H_
