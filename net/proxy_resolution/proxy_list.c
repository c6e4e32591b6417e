#include "net/proxy_resolution/proxy_list.h"

#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/base/net_errors.h"

void cn_proxy_list_init(cn_proxy_list *list) {
  list->chains = NULL;
  list->count = 0;
}

void cn_proxy_list_free(cn_proxy_list *list) {
  for (size_t i = 0; i < list->count; i++)
    cn_proxy_chain_free(&list->chains[i]);
  free(list->chains);
  cn_proxy_list_init(list);
}

void cn_proxy_list_copy(cn_proxy_list *dst, const cn_proxy_list *src) {
  cn_proxy_list_init(dst);
  for (size_t i = 0; i < src->count; i++)
    cn_proxy_list_add_chain(dst, &src->chains[i]);
}

// Appends |chain| itself (ownership moves into the list).
static void take_chain(cn_proxy_list *list, cn_proxy_chain *chain) {
  list->chains = cn_xrealloc(list->chains, (list->count + 1) * sizeof(*list->chains));
  list->chains[list->count++] = *chain;
  cn_proxy_chain_init_direct(chain);
}

void cn_proxy_list_add_chain(cn_proxy_list *list, const cn_proxy_chain *chain) {
  cn_proxy_chain copy;
  cn_proxy_chain_copy(&copy, chain);
  take_chain(list, &copy);
}

void cn_proxy_list_add_server(cn_proxy_list *list, const cn_proxy_server *server) {
  cn_proxy_chain chain;
  cn_proxy_chain_init_single(&chain, server);
  take_chain(list, &chain);
}

void cn_proxy_list_set_direct(cn_proxy_list *list) {
  cn_proxy_list_free(list);
  cn_proxy_chain direct;
  cn_proxy_chain_init_direct(&direct);
  take_chain(list, &direct);
}

int cn_proxy_list_parse(const char *text, size_t len, cn_proxy_list *out) {
  cn_proxy_list_init(out);
  const char *p = text;
  const char *end = text + len;
  for (;;) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *stop = comma ? comma : end;
    cn_proxy_chain chain;
    int rv = cn_proxy_chain_parse(p, (size_t)(stop - p), &chain);
    if (rv != CN_OK) {
      cn_proxy_list_free(out);
      return rv;
    }
    take_chain(out, &chain);
    if (!comma)
      break;
    p = comma + 1;
  }
  return CN_OK;
}

char *cn_proxy_list_to_string(const cn_proxy_list *list) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  for (size_t i = 0; i < list->count; i++) {
    char *key = cn_proxy_chain_key(&list->chains[i]);
    if (i)
      cn_bytebuf_append_str(&b, ",");
    cn_bytebuf_append_str(&b, key);
    free(key);
  }
  // Storage must exist even for "": steal_str of a never-grown buffer would
  // copy from a NULL pointer.
  cn_bytebuf_reserve(&b, 1);
  char *s = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return s;
}

bool cn_proxy_list_is_direct(const cn_proxy_list *list) {
  return list->count == 1 && cn_proxy_chain_is_direct(&list->chains[0]);
}

bool cn_proxy_list_equal(const cn_proxy_list *a, const cn_proxy_list *b) {
  if (a->count != b->count)
    return false;
  for (size_t i = 0; i < a->count; i++) {
    if (!cn_proxy_chain_equal(&a->chains[i], &b->chains[i]))
      return false;
  }
  return true;
}

size_t cn_proxy_list_deprioritize_bad(cn_proxy_list *list, const cn_proxy_retry_map *retry,
                                      uint64_t now_ms) {
  if (list->count < 2 || cn_proxy_retry_map_count(retry) == 0)
    return 0;
  // A stable partition through a scratch array: chains are moved by value,
  // their servers stay where they are on the heap.
  cn_proxy_chain *sorted = cn_xcalloc(list->count, sizeof(*sorted));
  bool *bad = cn_xcalloc(list->count, sizeof(*bad));
  size_t n = 0, moved = 0;
  for (size_t i = 0; i < list->count; i++) {
    bad[i] = cn_proxy_retry_map_is_bad(retry, &list->chains[i], now_ms);
    if (!bad[i])
      sorted[n++] = list->chains[i];
  }
  for (size_t i = 0; i < list->count; i++) {
    if (bad[i]) {
      sorted[n++] = list->chains[i];
      moved++;
    }
  }
  memcpy(list->chains, sorted, list->count * sizeof(*sorted));
  free(sorted);
  free(bad);
  return moved;
}
