#include "net/http/http_auth_cache.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"

void cn_http_auth_cache_init(cn_http_auth_cache *c) {
  cn_hashmap_init(&c->accepted);
  cn_hashmap_init(&c->pending);
  c->num_entries = 0;
  c->fixed_cnonce = NULL;
}

static void entry_free(cn_http_auth_cache_entry *e) {
  free(e->server);
  free(e->user);
  free(e->password);
  cn_http_auth_handler_free(e->handler);
  for (size_t i = 0; i < e->num_paths; i++)
    free(e->paths[i]);
  free(e);
}

void cn_http_auth_cache_free(cn_http_auth_cache *c) {
  cn_hashmap_free(&c->accepted);
  size_t iter = 0;
  const char *key;
  void *value;
  while (cn_hashmap_next(&c->pending, &iter, &key, &value))
    cn_http_auth_handler_free(value);
  cn_hashmap_free(&c->pending);
  for (size_t i = 0; i < c->num_entries; i++)
    entry_free(c->entries[i]);
  c->num_entries = 0;
}

void cn_http_auth_cache_note_accepted(cn_http_auth_cache *c, const cn_proxy_server *proxy) {
  char key[CN_PROXY_SERVER_STR_SIZE];
  cn_hashmap_put(&c->accepted, cn_proxy_server_to_string(proxy, key, sizeof(key)), (void *)1);
}

bool cn_http_auth_cache_accepted(const cn_http_auth_cache *c, const cn_proxy_server *proxy) {
  char key[CN_PROXY_SERVER_STR_SIZE];
  return cn_hashmap_get(&c->accepted, cn_proxy_server_to_string(proxy, key, sizeof(key))) != NULL;
}

cn_http_auth_cache_entry *cn_http_auth_cache_lookup(const cn_http_auth_cache *c,
                                                    cn_http_auth_target target,
                                                    const char *server, const char *realm,
                                                    const char *scheme) {
  for (size_t i = 0; i < c->num_entries; i++) {
    cn_http_auth_cache_entry *e = c->entries[i];
    // The realm is case-sensitive (RFC 9110 11.5); the scheme is not.
    if (e->target == target && strcmp(e->server, server) == 0 &&
        strcmp(e->handler->realm, realm) == 0 &&
        strcasecmp(e->handler->ops->scheme, scheme) == 0)
      return e;
  }
  return NULL;
}

// The length of the directory covering |path| in |e|, 0 if none does.
static size_t covering_len(const cn_http_auth_cache_entry *e, const char *path) {
  size_t best = 0;
  for (size_t i = 0; i < e->num_paths; i++) {
    size_t n = strlen(e->paths[i]);
    if (n > best && strncmp(path, e->paths[i], n) == 0)
      best = n;
  }
  return best;
}

cn_http_auth_cache_entry *cn_http_auth_cache_lookup_by_path(const cn_http_auth_cache *c,
                                                            cn_http_auth_target target,
                                                            const char *server,
                                                            const char *path) {
  cn_http_auth_cache_entry *best = NULL;
  size_t best_len = 0;
  for (size_t i = c->num_entries; i-- > 0;) {
    cn_http_auth_cache_entry *e = c->entries[i];
    if (e->target != target || strcmp(e->server, server) != 0)
      continue;
    if (target == CN_HTTP_AUTH_PROXY)
      return e;
    size_t n = covering_len(e, path ? path : "/");
    if (n > best_len) {
      best = e;
      best_len = n;
    }
  }
  return best;
}

// "/a/b/c" -> "/a/b/" (RFC 7617 2.2: the directory of the path and
// everything below it).
static char *directory_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? cn_xstrndup(path, (size_t)(slash - path) + 1) : cn_xstrdup("/");
}

static void add_path(cn_http_auth_cache_entry *e, const char *path) {
  char *dir = directory_of(path);
  // Already covered (a directory above it is there)?
  for (size_t i = 0; i < e->num_paths; i++) {
    if (strncmp(dir, e->paths[i], strlen(e->paths[i])) == 0) {
      free(dir);
      return;
    }
  }
  // Drop directories the new one covers.
  size_t k = 0;
  for (size_t i = 0; i < e->num_paths; i++) {
    if (strncmp(e->paths[i], dir, strlen(dir)) == 0)
      free(e->paths[i]);
    else
      e->paths[k++] = e->paths[i];
  }
  e->num_paths = k;
  if (e->num_paths == CN_HTTP_AUTH_CACHE_MAX_PATHS) {
    free(e->paths[0]);
    memmove(&e->paths[0], &e->paths[1], (e->num_paths - 1) * sizeof(e->paths[0]));
    e->num_paths--;
  }
  e->paths[e->num_paths++] = dir;
}

cn_http_auth_cache_entry *cn_http_auth_cache_add(cn_http_auth_cache *c,
                                                 cn_http_auth_target target,
                                                 const char *server,
                                                 const cn_http_auth_handler *handler,
                                                 const char *user, const char *password,
                                                 const char *path) {
  cn_http_auth_cache_entry *e =
      cn_http_auth_cache_lookup(c, target, server, handler->realm, handler->ops->scheme);
  if (e) {
    free(e->user);
    free(e->password);
    cn_http_auth_handler_free(e->handler);
  } else {
    if (c->num_entries == CN_HTTP_AUTH_CACHE_MAX_ENTRIES)
      cn_http_auth_cache_remove(c, c->entries[0]);
    e = CN_NEW(cn_http_auth_cache_entry);
    e->target = target;
    e->server = cn_xstrdup(server);
    c->entries[c->num_entries++] = e;
  }
  e->user = cn_xstrdup(user);
  e->password = cn_xstrdup(password);
  e->handler = cn_http_auth_handler_clone(handler);
  if (path && target == CN_HTTP_AUTH_ORIGIN)
    add_path(e, path);
  return e;
}

void cn_http_auth_cache_remove(cn_http_auth_cache *c, cn_http_auth_cache_entry *e) {
  if (!e)
    return;
  for (size_t i = 0; i < c->num_entries; i++) {
    if (c->entries[i] == e) {
      memmove(&c->entries[i], &c->entries[i + 1], (c->num_entries - i - 1) * sizeof(e));
      c->num_entries--;
      entry_free(e);
      return;
    }
  }
}

void cn_http_auth_cache_set_pending(cn_http_auth_cache *c, const char *proxy,
                                    const cn_http_auth_handler *handler) {
  cn_http_auth_handler_free(cn_hashmap_put(&c->pending, proxy, cn_http_auth_handler_clone(handler)));
}

cn_http_auth_handler *cn_http_auth_cache_take_pending(cn_http_auth_cache *c, const char *proxy) {
  return cn_hashmap_remove(&c->pending, proxy);
}
