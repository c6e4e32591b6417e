// One proxy server: a scheme (http, https, socks5 or socks5h) and host:port,
// or DIRECT (no proxy). Optional credentials (user:password from
// "https://user:pass@proxy:443") ride along for the proxy authentication
// layer, but they are not part of the server's identity: equality, the
// string form and every NetLog parameter leave them out, so they never leak
// into logs or pool keys.
//
// Accepted text (surrounding spaces/tabs ignored, scheme case-insensitive):
//   "https://proxy.test:443", "http://proxy:3128", "http://[::1]:8080"
//   "proxy:3128"                 scheme defaults to http (like curl and
//                                Chromium's "PROXY host:port")
//   "https://proxy.test"         port defaults to the scheme's (http 80,
//                                https 443, socks5/socks5h 1080)
//   "socks5://127.0.0.1:1080"    SOCKS5 (RFC 1928); the client resolves the
//                                target's name and sends its address
//   "socks5h://u:p@proxy"        SOCKS5 with the name resolved by the proxy
//                                (curl's names); credentials are sent with
//                                RFC 1929 username/password authentication
//   "http://u:p%40ss@proxy:80"   credentials, percent-decoded ("p@ss")
//   "http://proxy:3128/"         a lone "/" path is tolerated because
//                                http_proxy values often carry one
//   "direct://", "DIRECT", "direct"
// Rejected: any other path, a query or fragment, an empty host, a bad port
// (CN_ERR_INVALID_ARGUMENT); socks4, socks4a, "socks" (SOCKS4 to curl), quic
// and other schemes (CN_ERR_UNKNOWN_URL_SCHEME: cnet speaks HTTP, HTTPS and
// SOCKS5 proxies only).
//
// Ownership: a cn_proxy_server owns its credential strings; release with
// cn_proxy_server_free() and duplicate with cn_proxy_server_copy() (plain
// assignment would share them).
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_SERVER_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_SERVER_H_

#include <stdbool.h>
#include <stddef.h>

#include "net/base/host_port.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cn_proxy_scheme {
  CN_PROXY_SCHEME_INVALID = 0,  // a zeroed cn_proxy_server
  CN_PROXY_SCHEME_DIRECT,
  CN_PROXY_SCHEME_HTTP,   // plain-text connection to the proxy
  CN_PROXY_SCHEME_HTTPS,  // TLS to the proxy
  CN_PROXY_SCHEME_SOCKS5,   // SOCKS5, target name resolved by the client
  CN_PROXY_SCHEME_SOCKS5H,  // SOCKS5, target name resolved by the proxy
} cn_proxy_scheme;

// The default port of SOCKS proxies (RFC 1928 §3).
#define CN_SOCKS_DEFAULT_PORT 1080

// Enough for "socks5h://[" 255-byte host "]:65535" and a NUL.
#define CN_PROXY_SERVER_STR_SIZE (CN_HOST_PORT_STR_SIZE + 16)

typedef struct cn_proxy_server {
  cn_proxy_scheme scheme;
  cn_host_port host_port;  // zeroed for DIRECT
  // Percent-decoded credentials, or NULL when the text had no userinfo.
  // Secrets: never log or print them.
  char *username;
  char *password;  // "" when only a user name was given
} cn_proxy_server;

// Parses |text| (see the forms above) into |out|, which is overwritten (not
// freed). Returns CN_OK, CN_ERR_INVALID_ARGUMENT or
// CN_ERR_UNKNOWN_URL_SCHEME; on error |out| is zeroed.
int cn_proxy_server_parse(const char *text, cn_proxy_server *out);
// Same for the |len| bytes at |text| (need not be NUL-terminated).
int cn_proxy_server_parse_n(const char *text, size_t len, cn_proxy_server *out);

// Sets |out| (overwritten) to DIRECT.
void cn_proxy_server_init_direct(cn_proxy_server *out);
// Sets |out| (overwritten) to |scheme| (not DIRECT) at |hp|, without
// credentials.
void cn_proxy_server_init(cn_proxy_server *out, cn_proxy_scheme scheme, const cn_host_port *hp);

// Releases the credentials and zeroes |s|. Accepts a zeroed server.
void cn_proxy_server_free(cn_proxy_server *s);
// Deep copy, credentials included, into |dst| (overwritten, not freed).
void cn_proxy_server_copy(cn_proxy_server *dst, const cn_proxy_server *src);

static inline bool cn_proxy_server_is_direct(const cn_proxy_server *s) {
  return s->scheme == CN_PROXY_SCHEME_DIRECT;
}
static inline bool cn_proxy_server_is_https(const cn_proxy_server *s) {
  return s->scheme == CN_PROXY_SCHEME_HTTPS;
}
// SOCKS5 or SOCKS5H: a transport to the target, not an HTTP proxy.
static inline bool cn_proxy_server_is_socks(const cn_proxy_server *s) {
  return s->scheme == CN_PROXY_SCHEME_SOCKS5 || s->scheme == CN_PROXY_SCHEME_SOCKS5H;
}
static inline bool cn_proxy_server_has_credentials(const cn_proxy_server *s) {
  return s->username != NULL;
}

// "http", "https", "socks5", "socks5h", "direct" (and "invalid").
const char *cn_proxy_scheme_name(cn_proxy_scheme scheme);

// "https://proxy.test:443", "http://[::1]:3128", "socks5h://proxy:1080" or
// "direct://" into |buf|
// (CN_PROXY_SERVER_STR_SIZE bytes always suffice). The port is always
// written, so the form is canonical; credentials never are. Returns |buf|.
const char *cn_proxy_server_to_string(const cn_proxy_server *s, char *buf, size_t size);

// Same scheme and host:port; credentials are ignored (they do not change
// which server a connection goes to).
bool cn_proxy_server_equal(const cn_proxy_server *a, const cn_proxy_server *b);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_SERVER_H_
