// The auth cache (Chromium's HttpAuthCache): identities that servers and
// proxies took, so that later requests send credentials before being
// asked. Entries are keyed by (target, server, realm, scheme): |target|
// keeps origin credentials from ever going to a proxy and proxy
// credentials from ever going through a tunnel to an origin; |server| is
// the origin ("https://host:port") or the proxy ("http://proxy:3128")
// exactly, so nothing is sent to another host. An origin entry remembers
// the directories of the paths it was used on: a request to a path under
// one of them sends the credentials up front (RFC 7617 2.2's protection
// space). A proxy entry covers every request to that proxy.
//
// The handler kept with an entry is the scheme's state from the last
// challenge (Digest's nonce and its nonce count): pre-emptive Digest uses
// it, counting on.
//
// Also (kept from before the cache held identities): which proxies took
// the credentials of their own proxy URL, for the SPDY/HTTP2 CONNECT
// streams that answer a 407 with those alone.
//
// Ownership: embedded by its owner (the network session); init before use,
// free once. Strings passed in are copied; entries returned are borrowed
// until the next call that changes the cache.
#ifndef CNET_NET_HTTP_HTTP_AUTH_CACHE_H_
#define CNET_NET_HTTP_HTTP_AUTH_CACHE_H_

#include <stdbool.h>

#include "base/hashmap.h"
#include "net/http/http_auth.h"
#include "net/proxy_resolution/proxy_server.h"

#ifdef __cplusplus
extern "C" {
#endif

// At most this many entries; adding one more drops the oldest.
#define CN_HTTP_AUTH_CACHE_MAX_ENTRIES 64
#define CN_HTTP_AUTH_CACHE_MAX_PATHS 16

typedef struct cn_http_auth_cache_entry {
  cn_http_auth_target target;
  char *server;
  char *user;
  char *password;
  cn_http_auth_handler *handler;  // owned; realm and scheme come from it
  char *paths[CN_HTTP_AUTH_CACHE_MAX_PATHS];  // directories ("/dir/"), origin only
  size_t num_paths;
} cn_http_auth_cache_entry;

typedef struct cn_http_auth_cache {
  cn_hashmap accepted;  // proxy string -> (void *)1
  cn_http_auth_cache_entry *entries[CN_HTTP_AUTH_CACHE_MAX_ENTRIES];  // oldest first
  size_t num_entries;
  // A CONNECT's 407 that no identity answered, per proxy string, for the
  // request that asks its application (cn_http_auth_handler *, owned).
  cn_hashmap pending;
  // Tests only: Digest handlers made by controllers using this cache send
  // this cnonce instead of a random one (so a mock socket can expect the
  // exact request). NULL: random. Borrowed.
  const char *fixed_cnonce;
} cn_http_auth_cache;

void cn_http_auth_cache_init(cn_http_auth_cache *c);
// Whether any identity is cached (a request with nothing to send
// pre-emptively need not look).
static inline bool cn_http_auth_cache_has_entries(const cn_http_auth_cache *c) {
  return c->num_entries > 0;
}
void cn_http_auth_cache_free(cn_http_auth_cache *c);
// |proxy| accepted the credentials of its URL.
void cn_http_auth_cache_note_accepted(cn_http_auth_cache *c, const cn_proxy_server *proxy);
bool cn_http_auth_cache_accepted(const cn_http_auth_cache *c, const cn_proxy_server *proxy);

// The entry for exactly (target, server, realm, scheme), or NULL.
cn_http_auth_cache_entry *cn_http_auth_cache_lookup(const cn_http_auth_cache *c,
                                                    cn_http_auth_target target,
                                                    const char *server, const char *realm,
                                                    const char *scheme);
// The entry whose directories cover |path| best (the longest), for an
// origin; for a proxy (|path| ignored), the newest entry of |server|. NULL:
// none.
cn_http_auth_cache_entry *cn_http_auth_cache_lookup_by_path(const cn_http_auth_cache *c,
                                                            cn_http_auth_target target,
                                                            const char *server,
                                                            const char *path);
// Adds or updates the entry for (target, server, |handler|'s realm and
// scheme) with the identity and a copy of |handler|, and the directory of
// |path| (may be NULL). Returns the entry.
cn_http_auth_cache_entry *cn_http_auth_cache_add(cn_http_auth_cache *c,
                                                 cn_http_auth_target target,
                                                 const char *server,
                                                 const cn_http_auth_handler *handler,
                                                 const char *user, const char *password,
                                                 const char *path);
// Drops the entry (its identity was refused). Accepts NULL.
void cn_http_auth_cache_remove(cn_http_auth_cache *c, cn_http_auth_cache_entry *e);

// A CONNECT to |proxy| got a 407 that needs the application: keeps a copy
// of |handler| (replacing an older one) until taken.
void cn_http_auth_cache_set_pending(cn_http_auth_cache *c, const char *proxy,
                                    const cn_http_auth_handler *handler);
// The pending challenge of |proxy| (the caller owns it), or NULL.
cn_http_auth_handler *cn_http_auth_cache_take_pending(cn_http_auth_cache *c, const char *proxy);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_AUTH_CACHE_H_
