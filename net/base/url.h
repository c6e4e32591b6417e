// Absolute URLs as requests need them: parsed with liburiparser (RFC 3986),
// then checked and canonicalised for the schemes cnet speaks.
//
// What parsing guarantees on CN_OK:
//   - scheme is one of http, https, ws, wss, lower-cased;
//   - host is non-empty and canonical as by cn_host_canonicalize()
//     (lower-case name, IPv4 literal, or IPv6 literal without brackets);
//   - an IPv4 host is a dotted quad: every numeric form the WHATWG URL
//     Standard's IPv4 parser takes is rewritten to it — octal ("0177.0.0.1"),
//     hex ("0x7f.1"), fewer parts ("127.1"), one number ("2130706433"), one
//     trailing dot — so that all spellings of an address are one host;
//   - port is the explicit port (1..65535) or the scheme's default;
//   - path starts with '/' ("/" for an empty path), dot segments removed,
//     percent-encoding kept except that escaped unreserved characters are
//     decoded ("%7E" -> "~"), which RFC 3986 §6.2.2.2 makes equivalent;
//   - username/password are percent-decoded.
// Rejected (CN_ERR_INVALID_URL): spaces, control characters and non-ASCII
// bytes anywhere (callers must percent-encode; IDN needs punycode), a
// relative reference, a missing or empty host, a port that is not 1..65535,
// IPvFuture hosts, "%00" or bad escapes in userinfo or host, and a host
// whose last label is a number but which is no valid IPv4 address
// ("1.2.3.4.5", "1.2.3.256", "0x7f.1.2.3.4", "foo.09"; as WHATWG rejects). A syntactically
// valid URL whose scheme cnet does not speak gives CN_ERR_UNKNOWN_URL_SCHEME.
//
// Ownership: a cn_url owns all its strings, in one allocation (so its fields
// are never freed or replaced one by one); release with cn_url_free(). The
// string-returning helpers return heap strings the caller frees.
#ifndef CNET_NET_BASE_URL_H_
#define CNET_NET_BASE_URL_H_

#include <stdbool.h>
#include <stdint.h>

#include "net/base/host_port.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_url {
  char *scheme;    // "http", "https", "ws", "wss"
  char *username;  // percent-decoded; "" when absent
  char *password;  // percent-decoded; "" when absent
  char *host;      // canonical; IPv6 literal without brackets
  bool host_is_ipv6;
  uint16_t port;   // explicit, else the scheme's default
  char *path;      // "/..." (never empty), still percent-encoded
  char *query;     // after '?', NULL when absent ("" for a bare '?')
  char *fragment;  // after '#', NULL when absent; never sent on the wire
} cn_url;

// Parses the absolute URL |text| into |out| (see the guarantees above).
// Returns CN_OK, CN_ERR_INVALID_URL or CN_ERR_UNKNOWN_URL_SCHEME; on error
// |out| is zeroed and needs no cn_url_free (freeing it is harmless).
int cn_url_parse(const char *text, cn_url *out);
// Releases the strings and zeroes |url|. Accepts a zeroed cn_url.
void cn_url_free(cn_url *url);
// Deep copy into |dst| (which is overwritten, not freed).
void cn_url_copy(cn_url *dst, const cn_url *src);

// The default port of a scheme cnet speaks (http/ws 80, https/wss 443), or 0
// for any other scheme. |scheme| must be lower-case.
uint16_t cn_url_default_port(const char *scheme);
// True for https and wss.
bool cn_url_is_secure(const cn_url *url);
// True when |url|'s port is its scheme's default port.
bool cn_url_has_default_port(const cn_url *url);

// The request target in origin-form: path plus "?query" when present, never
// the fragment ("/a/b?x=1").
char *cn_url_request_target(const cn_url *url);
// The host as written in an authority: "[::1]" for IPv6, else the host.
char *cn_url_host_bracketed(const cn_url *url);
// The authority for a Host header: host (bracketed if IPv6) plus ":port" only
// when the port is not the scheme's default ("example.com", "[::1]:8080").
char *cn_url_authority(const cn_url *url);
// The absolute-form request target used towards a proxy:
// "http://host[:port]/path?query" (no userinfo, no fragment).
char *cn_url_absolute_form(const cn_url *url);
// The whole URL, canonical: like the absolute form plus userinfo
// (re-percent-encoded) and "#fragment" when present.
char *cn_url_to_string(const cn_url *url);
// The host and effective port, e.g. to connect or to key a pool group.
void cn_url_host_port(const cn_url *url, cn_host_port *out);

// Resolves the reference |ref| (absolute, scheme-relative "//h/p",
// absolute-path "/p", relative "../p", query-only "?q", fragment-only "#f",
// or empty) against |base| per RFC 3986 §5.2, as a Location header needs
// for redirects, and parses the result into |out|. Errors as cn_url_parse
// (a reference to another scheme gives CN_ERR_UNKNOWN_URL_SCHEME).
int cn_url_resolve(const cn_url *base, const char *ref, cn_url *out);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_URL_H_
