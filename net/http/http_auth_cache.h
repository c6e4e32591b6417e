// Which proxies accepted our credentials (a minimal HttpAuthCache): once a
// proxy took them, later requests and CONNECTs to it send them up front
// instead of waiting for another 407. Keyed by the proxy's canonical string
// (scheme://host:port); credentials themselves are never stored here — they
// ride on the proxy server of the request.
//
// Ownership: embedded by its owner (the network session); init before use,
// free once.
#ifndef CNET_NET_HTTP_HTTP_AUTH_CACHE_H_
#define CNET_NET_HTTP_HTTP_AUTH_CACHE_H_

#include <stdbool.h>

#include "base/hashmap.h"
#include "net/proxy_resolution/proxy_server.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_http_auth_cache {
  cn_hashmap accepted;  // proxy string -> (void *)1
} cn_http_auth_cache;

void cn_http_auth_cache_init(cn_http_auth_cache *c);
void cn_http_auth_cache_free(cn_http_auth_cache *c);
// |proxy| accepted our credentials.
void cn_http_auth_cache_note_accepted(cn_http_auth_cache *c, const cn_proxy_server *proxy);
bool cn_http_auth_cache_accepted(const cn_http_auth_cache *c, const cn_proxy_server *proxy);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_AUTH_CACHE_H_
