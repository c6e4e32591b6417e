#include "net/dns/host_cache.h"

#include <stdlib.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

typedef struct entry {
  int error;
  cn_address_list addrs;  // ports 0
  uint64_t expires_ms;
} entry;

static void entry_free(entry *e) {
  cn_address_list_free(&e->addrs);
  free(e);
}

// The family is part of the key so that a later AF_INET-only lookup can never
// be answered with a list that holds IPv6 addresses.
static char *make_key(const char *host, int family) {
  return cn_xasprintf("%d/%s", family, host);
}

void cn_host_cache_init(cn_host_cache *cache, size_t max_entries) {
  cn_hashmap_init(&cache->entries);
  cache->max_entries = max_entries;
}

void cn_host_cache_clear(cn_host_cache *cache) {
  size_t it = 0;
  void *v;
  while (cn_hashmap_next(&cache->entries, &it, NULL, &v))
    entry_free(v);
  cn_hashmap_free(&cache->entries);
  cn_hashmap_init(&cache->entries);
}

void cn_host_cache_free(cn_host_cache *cache) {
  cn_host_cache_clear(cache);
  cn_hashmap_free(&cache->entries);
}

bool cn_host_cache_lookup(cn_host_cache *cache, const char *host, int family, uint64_t now_ms,
                          int *out_error, cn_address_list *out_addrs) {
  char *key = make_key(host, family);
  entry *e = cn_hashmap_get(&cache->entries, key);
  bool hit = false;
  if (e && now_ms >= e->expires_ms) {
    cn_hashmap_remove(&cache->entries, key);
    entry_free(e);
  } else if (e) {
    hit = true;
    *out_error = e->error;
    if (e->error == CN_OK) {
      cn_address_list_free(out_addrs);
      cn_address_list_copy(out_addrs, &e->addrs);
    }
  }
  free(key);
  return hit;
}

// Makes room for one more entry.
static void evict(cn_host_cache *cache, uint64_t now_ms) {
  const char *key;
  void *v;
  size_t it = 0;
  // Removing the entry just returned is allowed while iterating.
  while (cn_hashmap_next(&cache->entries, &it, &key, &v)) {
    entry *e = v;
    if (now_ms >= e->expires_ms) {
      cn_hashmap_remove(&cache->entries, key);
      entry_free(e);
    }
  }
  if (cn_hashmap_count(&cache->entries) < cache->max_entries)
    return;
  const char *victim_key = NULL;
  entry *victim = NULL;
  it = 0;
  while (cn_hashmap_next(&cache->entries, &it, &key, &v)) {
    entry *e = v;
    if (!victim || e->expires_ms < victim->expires_ms) {
      victim = e;
      victim_key = key;
    }
  }
  if (victim) {
    cn_hashmap_remove(&cache->entries, victim_key);
    entry_free(victim);
  }
}

void cn_host_cache_set(cn_host_cache *cache, const char *host, int family, int error,
                       const cn_address_list *addrs, uint64_t now_ms, uint64_t ttl_ms) {
  if (ttl_ms == 0 || cache->max_entries == 0)
    return;
  char *key = make_key(host, family);
  entry *old = cn_hashmap_remove(&cache->entries, key);
  if (old)
    entry_free(old);
  if (cn_hashmap_count(&cache->entries) >= cache->max_entries)
    evict(cache, now_ms);
  entry *e = CN_NEW(entry);
  e->error = error;
  if (error == CN_OK && addrs) {
    cn_address_list_copy(&e->addrs, addrs);
    for (size_t i = 0; i < e->addrs.count; i++)
      cn_ip_endpoint_set_port(&e->addrs.items[i], 0);
  } else {
    cn_address_list_init(&e->addrs);
  }
  // Saturate: a huge configured TTL must not wrap into "already expired".
  e->expires_ms = ttl_ms > UINT64_MAX - now_ms ? UINT64_MAX : now_ms + ttl_ms;
  cn_hashmap_put(&cache->entries, key, e);
  free(key);
}
