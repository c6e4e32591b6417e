#include "net/http/http_auth_cache.h"

void cn_http_auth_cache_init(cn_http_auth_cache *c) { cn_hashmap_init(&c->accepted); }

void cn_http_auth_cache_free(cn_http_auth_cache *c) { cn_hashmap_free(&c->accepted); }

void cn_http_auth_cache_note_accepted(cn_http_auth_cache *c, const cn_proxy_server *proxy) {
  char key[CN_PROXY_SERVER_STR_SIZE];
  cn_hashmap_put(&c->accepted, cn_proxy_server_to_string(proxy, key, sizeof(key)), (void *)1);
}

bool cn_http_auth_cache_accepted(const cn_http_auth_cache *c, const cn_proxy_server *proxy) {
  char key[CN_PROXY_SERVER_STR_SIZE];
  return cn_hashmap_get(&c->accepted, cn_proxy_server_to_string(proxy, key, sizeof(key))) != NULL;
}
