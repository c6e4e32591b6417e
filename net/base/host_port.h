// Host names and host:port pairs: the destination of a connection, a proxy,
// a CONNECT target ("origin.test:443").
//
// Hosts are kept canonical so that two spellings of the same destination
// compare equal (pool group ids and session keys are built from them): names
// are lower-cased, IPv6 literals are stored without brackets in their
// compressed inet_ntop form ("[0:0::1]" -> "::1"). The brackets come back only
// where the syntax needs them (to_string, URL authority, Host headers).
//
// Ownership: cn_host_port is a plain value (a fixed buffer, no heap), so it
// can be copied by assignment and needs no free.
#ifndef CNET_NET_BASE_HOST_PORT_H_
#define CNET_NET_BASE_HOST_PORT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Longest host accepted (DNS names are at most 253 characters; the slack
// allows a trailing dot and keeps the buffer a round size).
#define CN_HOST_MAX_LEN 255
#define CN_HOST_BUF_SIZE (CN_HOST_MAX_LEN + 1)
// Enough for "[" host "]:" port NUL.
#define CN_HOST_PORT_STR_SIZE (CN_HOST_BUF_SIZE + 8)

// Validates and canonicalises the |len| bytes at |host| into |out|
// (CN_HOST_BUF_SIZE bytes, NUL-terminated): an IPv6 literal, with or without
// brackets, becomes its compressed form without brackets; anything else must
// be an IPv4 literal or a name of ASCII letters, digits, '-', '_' and '.',
// and is lower-cased. |out_is_ipv6| (may be NULL) says whether it was IPv6.
// Returns CN_OK or CN_ERR_INVALID_ARGUMENT (empty, too long, a character
// outside that set, unbalanced brackets, brackets around a non-IPv6).
// Non-ASCII (IDN) names are not supported: the caller must pass punycode.
int cn_host_canonicalize(const char *host, size_t len, char *out, bool *out_is_ipv6);

// Parses a decimal port of |len| bytes (digits only, 1..65535) into |out|.
bool cn_port_parse(const char *text, size_t len, uint16_t *out);

typedef struct cn_host_port {
  char host[CN_HOST_BUF_SIZE];  // canonical (see above); IPv6 without brackets
  uint16_t port;
} cn_host_port;

// Sets |hp| from a host (canonicalised as by cn_host_canonicalize; brackets
// allowed) and a port. Returns CN_OK or CN_ERR_INVALID_ARGUMENT (|hp| is then
// left zeroed).
int cn_host_port_set(cn_host_port *hp, const char *host, uint16_t port);

// Parses "host:port", "[v6]:port", or, when |default_port| is non-zero,
// "host", "[v6]" and a bare IPv6 literal ("::1") with |default_port|.
// A port must be 1..65535; "host:" (empty port) is an error. Returns CN_OK or
// CN_ERR_INVALID_ARGUMENT (|out| zeroed).
int cn_host_port_parse(const char *text, uint16_t default_port, cn_host_port *out);

// True when the host is an IPv6 literal (and so needs brackets in text).
bool cn_host_port_is_ipv6(const cn_host_port *hp);

// "host:443" or "[::1]:443" into |buf| (CN_HOST_PORT_STR_SIZE bytes always
// suffice); returns |buf|.
const char *cn_host_port_to_string(const cn_host_port *hp, char *buf, size_t size);

// Exact equality (hosts are canonical, so this is case-insensitive for names
// and spelling-insensitive for IPv6 literals).
bool cn_host_port_equal(const cn_host_port *a, const cn_host_port *b);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_HOST_PORT_H_
