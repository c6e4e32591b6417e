// A proxy chain: the ordered proxies one request goes through. Usually one
// proxy, or none (DIRECT); several for nested tunnels (CONNECT to the first
// proxy, through it CONNECT to the second, ...). The first server is the one
// the client opens its TCP connection to. Only the first hop may be a SOCKS5
// proxy ("[socks5://127.0.0.1:1080 https://p2:443]": the SOCKS tunnel carries
// TLS to p2); every later hop is http or https.
//
// The chain's key ("https://proxy.test:443", "direct",
// "[https://a.test:443 https://b.test:443]") is what socket pool group ids,
// session keys and the bad-proxy memory use, so two chains are the same
// exactly when their keys are equal. Keys never contain credentials.
//
// Text forms accepted by cn_proxy_chain_parse(): anything
// cn_proxy_server_parse() takes (DIRECT gives the empty chain), or a
// bracketed, space-separated multi-proxy chain "[https://a:443 https://b:443]"
// (DIRECT is not allowed inside brackets).
//
// Ownership: a cn_proxy_chain owns its servers; release with
// cn_proxy_chain_free(), duplicate with cn_proxy_chain_copy().
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_CHAIN_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_CHAIN_H_

#include <stdbool.h>
#include <stddef.h>

#include "net/proxy_resolution/proxy_server.h"

#ifdef __cplusplus
extern "C" {
#endif

// The longest chain accepted (Chromium's are two or three hops; every layer
// report has room for this many).
#define CN_PROXY_CHAIN_MAX_HOPS 8

typedef struct cn_proxy_chain {
  cn_proxy_server *servers;  // in connection order; never DIRECT entries
  size_t count;              // 0: DIRECT
} cn_proxy_chain;

// Sets |chain| (overwritten, not freed) to DIRECT.
void cn_proxy_chain_init_direct(cn_proxy_chain *chain);
// Sets |chain| (overwritten) to the one-server chain of a copy of |server|;
// a DIRECT server gives the DIRECT chain.
void cn_proxy_chain_init_single(cn_proxy_chain *chain, const cn_proxy_server *server);
// Appends a copy of |server| as the new last hop. Returns CN_OK, or
// CN_ERR_INVALID_ARGUMENT for a DIRECT or invalid server, a SOCKS server
// that would not be the first hop, or a chain already
// CN_PROXY_CHAIN_MAX_HOPS long (chain unchanged).
int cn_proxy_chain_append(cn_proxy_chain *chain, const cn_proxy_server *server);
// Releases the servers; |chain| becomes DIRECT.
void cn_proxy_chain_free(cn_proxy_chain *chain);
// Deep copy into |dst| (overwritten, not freed).
void cn_proxy_chain_copy(cn_proxy_chain *dst, const cn_proxy_chain *src);

// Parses the |len| bytes at |text| (see the forms above) into |out|
// (overwritten). Returns CN_OK or the cn_proxy_server_parse() error; on
// error |out| is DIRECT and needs no free.
int cn_proxy_chain_parse(const char *text, size_t len, cn_proxy_chain *out);

static inline bool cn_proxy_chain_is_direct(const cn_proxy_chain *chain) {
  return chain->count == 0;
}
// The server the client connects to, or NULL for DIRECT. Owned by |chain|.
static inline const cn_proxy_server *cn_proxy_chain_first(const cn_proxy_chain *chain) {
  return chain->count ? &chain->servers[0] : NULL;
}

// The chain's key (see above) as a heap string the caller frees.
char *cn_proxy_chain_key(const cn_proxy_chain *chain);

// Same servers in the same order (credentials ignored).
bool cn_proxy_chain_equal(const cn_proxy_chain *a, const cn_proxy_chain *b);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_CHAIN_H_
