// A session's streams by id (see spdy_stream_map.h).
#include "net/spdy/spdy_stream_map.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static size_t map_slot(uint32_t id, size_t cap) {
  return (size_t)(id * 2654435761u) & (cap - 1);
}

cn_spdy_stream *cn_spdy_stream_map_get(const cn_spdy_stream_map *m, uint32_t id) {
  if (!m->cap)
    return NULL;
  for (size_t i = map_slot(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->keys[i] == id)
      return m->values[i];
    if (m->keys[i] == 0)
      return NULL;
  }
}

static void map_grow(cn_spdy_stream_map *m) {
  cn_spdy_stream_map old = *m;
  size_t cap = old.cap ? old.cap : 16;
  // Double only when live entries need it; tombstones alone just rehash.
  if (old.count * 2 >= cap / 2)
    cap *= 2;
  m->keys = cn_xcalloc(cap, sizeof(*m->keys));
  m->values = cn_xcalloc(cap, sizeof(*m->values));
  m->cap = cap;
  m->used = m->count = 0;
  for (size_t i = 0; i < old.cap; i++) {
    if (old.keys[i] != 0 && old.keys[i] != CN_SPDY_MAP_TOMBSTONE)
      cn_spdy_stream_map_put(m, old.keys[i], old.values[i]);
  }
  free(old.keys);
  free(old.values);
}

void cn_spdy_stream_map_put(cn_spdy_stream_map *m, uint32_t id, cn_spdy_stream *st) {
  if ((m->used + 1) * 4 > m->cap * 3)
    map_grow(m);
  size_t i = map_slot(id, m->cap);
  while (m->keys[i] != 0 && m->keys[i] != CN_SPDY_MAP_TOMBSTONE)
    i = (i + 1) & (m->cap - 1);
  if (m->keys[i] == 0)
    m->used++;
  m->keys[i] = id;
  m->values[i] = st;
  m->count++;
}

void cn_spdy_stream_map_remove(cn_spdy_stream_map *m, uint32_t id) {
  if (!m->cap)
    return;
  for (size_t i = map_slot(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->keys[i] == id) {
      m->keys[i] = CN_SPDY_MAP_TOMBSTONE;
      m->values[i] = NULL;
      m->count--;
      return;
    }
    if (m->keys[i] == 0)
      return;
  }
}

void cn_spdy_stream_map_free(cn_spdy_stream_map *m) {
  free(m->keys);
  free(m->values);
  memset(m, 0, sizeof(*m));
}
