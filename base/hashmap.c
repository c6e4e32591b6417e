#include "base/hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static const char tombstone_marker = 0;
#define TOMBSTONE ((char *)&tombstone_marker)

// FNV-1a: keys are short (host:port and the like) and untrusted only in the
// sense of being chosen by the app, so a simple hash is enough.
static uint64_t hash_key(const char *key) {
  uint64_t h = 1469598103934665603ull;
  for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
    h ^= *p;
    h *= 1099511628211ull;
  }
  return h;
}

void cn_hashmap_init(cn_hashmap *m) { memset(m, 0, sizeof(*m)); }

void cn_hashmap_free(cn_hashmap *m) {
  for (size_t i = 0; i < m->cap; i++) {
    if (m->slots[i].key && m->slots[i].key != TOMBSTONE)
      free(m->slots[i].key);
  }
  free(m->slots);
  cn_hashmap_init(m);
}

// Returns the slot holding |key|, or NULL.
static cn_hashmap_slot *find(const cn_hashmap *m, const char *key, uint64_t h) {
  if (!m->cap)
    return NULL;
  for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    cn_hashmap_slot *s = &m->slots[i];
    if (!s->key)
      return NULL;
    if (s->key != TOMBSTONE && s->hash == h && strcmp(s->key, key) == 0)
      return s;
  }
}

static void grow(cn_hashmap *m) {
  size_t old_cap = m->cap;
  cn_hashmap_slot *old = m->slots;
  size_t cap = old_cap ? old_cap : 8;
  while (m->count * 2 >= cap)
    cap *= 2;
  m->slots = cn_xcalloc(cap, sizeof(*m->slots));
  m->cap = cap;
  m->used = m->count;
  for (size_t i = 0; i < old_cap; i++) {
    if (!old[i].key || old[i].key == TOMBSTONE)
      continue;
    size_t j = old[i].hash & (cap - 1);
    while (m->slots[j].key)
      j = (j + 1) & (cap - 1);
    m->slots[j] = old[i];
  }
  free(old);
}

void *cn_hashmap_get(const cn_hashmap *m, const char *key) {
  cn_hashmap_slot *s = find(m, key, hash_key(key));
  return s ? s->value : NULL;
}

void *cn_hashmap_put(cn_hashmap *m, const char *key, void *value) {
  uint64_t h = hash_key(key);
  cn_hashmap_slot *s = find(m, key, h);
  if (s) {
    void *old = s->value;
    s->value = value;
    return old;
  }
  if ((m->used + 1) * 4 > m->cap * 3)
    grow(m);
  size_t i = h & (m->cap - 1);
  while (m->slots[i].key && m->slots[i].key != TOMBSTONE)
    i = (i + 1) & (m->cap - 1);
  if (!m->slots[i].key)
    m->used++;
  m->slots[i].key = cn_xstrdup(key);
  m->slots[i].hash = h;
  m->slots[i].value = value;
  m->count++;
  return NULL;
}

void *cn_hashmap_remove(cn_hashmap *m, const char *key) {
  cn_hashmap_slot *s = find(m, key, hash_key(key));
  if (!s)
    return NULL;
  void *old = s->value;
  free(s->key);
  s->key = TOMBSTONE;
  s->value = NULL;
  m->count--;
  return old;
}

bool cn_hashmap_next(const cn_hashmap *m, size_t *iter, const char **key, void **value) {
  for (; *iter < m->cap; (*iter)++) {
    cn_hashmap_slot *s = &m->slots[*iter];
    if (s->key && s->key != TOMBSTONE) {
      if (key)
        *key = s->key;
      if (value)
        *value = s->value;
      (*iter)++;
      return true;
    }
  }
  return false;
}
