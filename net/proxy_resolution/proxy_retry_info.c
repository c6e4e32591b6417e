#include "net/proxy_resolution/proxy_retry_info.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

void cn_proxy_retry_map_init(cn_proxy_retry_map *m) { cn_hashmap_init(&m->entries); }

void cn_proxy_retry_map_clear(cn_proxy_retry_map *m) {
  const char *key;
  void *value;
  for (size_t it = 0; cn_hashmap_next(&m->entries, &it, &key, &value);)
    free(value);
  cn_hashmap_free(&m->entries);
  cn_hashmap_init(&m->entries);
}

void cn_proxy_retry_map_free(cn_proxy_retry_map *m) {
  cn_proxy_retry_map_clear(m);
  cn_hashmap_free(&m->entries);
}

bool cn_proxy_retry_map_mark_bad(cn_proxy_retry_map *m, const char *chain_key, int net_error,
                                 uint64_t now_ms, uint64_t retry_ms) {
  if (strcmp(chain_key, "direct") == 0)
    return false;
  uint64_t until = now_ms + retry_ms;
  cn_proxy_retry_info *info = cn_hashmap_get(&m->entries, chain_key);
  if (info) {
    if (info->bad_until_ms >= until)
      return true;
  } else {
    info = CN_NEW(cn_proxy_retry_info);
    cn_hashmap_put(&m->entries, chain_key, info);
  }
  info->bad_until_ms = until;
  info->retry_ms = retry_ms;
  info->net_error = net_error;
  return true;
}

const cn_proxy_retry_info *cn_proxy_retry_map_lookup(const cn_proxy_retry_map *m,
                                                     const char *chain_key, uint64_t now_ms) {
  const cn_proxy_retry_info *info = cn_hashmap_get(&m->entries, chain_key);
  if (!info || now_ms >= info->bad_until_ms)
    return NULL;
  return info;
}

bool cn_proxy_retry_map_is_bad(const cn_proxy_retry_map *m, const cn_proxy_chain *chain,
                               uint64_t now_ms) {
  if (cn_proxy_chain_is_direct(chain) || cn_hashmap_count(&m->entries) == 0)
    return false;
  char *key = cn_proxy_chain_key(chain);
  bool bad = cn_proxy_retry_map_lookup(m, key, now_ms) != NULL;
  free(key);
  return bad;
}

void cn_proxy_retry_map_remove_expired(cn_proxy_retry_map *m, uint64_t now_ms) {
  const char *key;
  void *value;
  for (size_t it = 0; cn_hashmap_next(&m->entries, &it, &key, &value);) {
    cn_proxy_retry_info *info = value;
    if (now_ms >= info->bad_until_ms) {
      cn_hashmap_remove(&m->entries, key);
      free(info);
    }
  }
}
