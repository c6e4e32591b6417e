// The resolver's cache: host (+ address family) -> addresses or a negative
// answer, each with an expiry time. getaddrinfo reports no TTL, so the
// resolver stores every answer with one configured TTL (Chromium's system
// resolver uses 60 s).
//
// Bounded: when full, insertion first drops expired entries and then the
// entry that expires soonest (with one TTL for all that is the oldest).
// Time is whatever clock the caller passes in (milliseconds), so tests can
// move it by hand.
//
// Ownership: embed a cn_host_cache; it owns its entries. Release with
// cn_host_cache_free().
#ifndef CNET_NET_DNS_HOST_CACHE_H_
#define CNET_NET_DNS_HOST_CACHE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hashmap.h"
#include "net/base/ip_endpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_host_cache {
  cn_hashmap entries;  // "family/host" -> private entry
  size_t max_entries;
} cn_host_cache;

// |max_entries| 0 makes a cache that stores nothing.
void cn_host_cache_init(cn_host_cache *cache, size_t max_entries);
void cn_host_cache_free(cn_host_cache *cache);

// Finds a fresh entry (now_ms < expiry) for |host| and |family|. On a hit
// returns true and sets *out_error (CN_OK or the cached CN_ERR_*); for CN_OK
// *out_addrs (an initialised list, replaced) gets a copy with port 0. An
// expired entry is removed and is a miss.
bool cn_host_cache_lookup(cn_host_cache *cache, const char *host, int family, uint64_t now_ms,
                          int *out_error, cn_address_list *out_addrs);

// Stores (or replaces) the answer for |host| and |family|, valid until
// now_ms + ttl_ms: |error| CN_OK with |addrs| (copied), or a negative answer
// (|addrs| ignored, may be NULL). A ttl of 0 stores nothing.
void cn_host_cache_set(cn_host_cache *cache, const char *host, int family, int error,
                       const cn_address_list *addrs, uint64_t now_ms, uint64_t ttl_ms);

// Drops every entry.
void cn_host_cache_clear(cn_host_cache *cache);
static inline size_t cn_host_cache_size(const cn_host_cache *cache) {
  return cn_hashmap_count(&cache->entries);
}

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_DNS_HOST_CACHE_H_
