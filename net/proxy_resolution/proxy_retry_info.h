// The bad-proxy memory: which proxy chains recently failed, until when they
// count as bad, and why. Bad chains are not dropped from later proxy lists,
// only moved to their end (cn_proxy_list_deprioritize_bad), so a request
// still works when every proxy is marked bad.
//
// Entries are keyed by chain key (cn_proxy_chain_key). DIRECT is never
// marked: going without a proxy is not something a proxy outage explains.
//
// Time is passed in by the caller (monotonic milliseconds) rather than read
// here, so the service can use an injected clock and tests a fake one.
//
// Ownership: embed a cn_proxy_retry_map; cn_proxy_retry_map_free() releases
// its entries. Loop thread only.
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_RETRY_INFO_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_RETRY_INFO_H_

#include <stdbool.h>
#include <stdint.h>

#include "base/hashmap.h"
#include "net/proxy_resolution/proxy_chain.h"

#ifdef __cplusplus
extern "C" {
#endif

// Chromium's default: long enough to spare users repeated timeouts, short
// enough that a recovered proxy is used again soon.
#define CN_PROXY_DEFAULT_RETRY_MS (5u * 60u * 1000u)

typedef struct cn_proxy_retry_info {
  uint64_t bad_until_ms;  // the chain is bad while now < bad_until_ms
  uint64_t retry_ms;      // the duration it was marked bad for
  int net_error;          // the failure that got it marked
} cn_proxy_retry_info;

typedef struct cn_proxy_retry_map {
  cn_hashmap entries;  // chain key -> cn_proxy_retry_info* (owned)
} cn_proxy_retry_map;

void cn_proxy_retry_map_init(cn_proxy_retry_map *m);
void cn_proxy_retry_map_free(cn_proxy_retry_map *m);
// Forgets every entry (e.g. when the proxy configuration changes).
void cn_proxy_retry_map_clear(cn_proxy_retry_map *m);

// Marks the chain with key |chain_key| bad from |now_ms| for |retry_ms|
// because of |net_error|. An existing entry is replaced only when the new
// one lasts longer, so a short retry never shortens a long one. Returns
// false (and does nothing) for the DIRECT chain.
bool cn_proxy_retry_map_mark_bad(cn_proxy_retry_map *m, const char *chain_key, int net_error,
                                 uint64_t now_ms, uint64_t retry_ms);

// The entry for |chain_key| if that chain is bad at |now_ms|, else NULL.
// Owned by the map; valid until the map is next modified.
const cn_proxy_retry_info *cn_proxy_retry_map_lookup(const cn_proxy_retry_map *m,
                                                     const char *chain_key, uint64_t now_ms);
// Convenience: whether |chain| is bad at |now_ms|.
bool cn_proxy_retry_map_is_bad(const cn_proxy_retry_map *m, const cn_proxy_chain *chain,
                               uint64_t now_ms);

// Drops the entries that expired at |now_ms|. Lookups already ignore them;
// this only bounds memory.
void cn_proxy_retry_map_remove_expired(cn_proxy_retry_map *m, uint64_t now_ms);

static inline size_t cn_proxy_retry_map_count(const cn_proxy_retry_map *m) {
  return cn_hashmap_count(&m->entries);
}

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_RETRY_INFO_H_
