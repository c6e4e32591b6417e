// A small string-keyed hash map (open addressing, linear probing, tombstones).
// Pools key groups by group id, the resolver caches by host name, sessions are
// found by session key: all are string keys with pointer values.
//
// Ownership: the map copies keys and frees its copies; values are the
// caller's (the map never frees them).
#ifndef CNET_BASE_HASHMAP_H_
#define CNET_BASE_HASHMAP_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_hashmap_slot {
  char *key;  // NULL: empty; CN_HASHMAP_TOMBSTONE: deleted
  uint64_t hash;
  void *value;
} cn_hashmap_slot;

typedef struct cn_hashmap {
  cn_hashmap_slot *slots;
  size_t cap;    // power of two, or 0
  size_t count;  // live entries
  size_t used;   // live + tombstones
} cn_hashmap;

void cn_hashmap_init(cn_hashmap *m);
void cn_hashmap_free(cn_hashmap *m);

void *cn_hashmap_get(const cn_hashmap *m, const char *key);
// Inserts or replaces; returns the previous value or NULL.
void *cn_hashmap_put(cn_hashmap *m, const char *key, void *value);
// Removes; returns the removed value or NULL.
void *cn_hashmap_remove(cn_hashmap *m, const char *key);
static inline size_t cn_hashmap_count(const cn_hashmap *m) { return m->count; }

// Iteration: for (size_t i = 0; cn_hashmap_next(m, &i, &k, &v);) — do not
// modify the map while iterating except through cn_hashmap_remove of the
// entry just returned.
bool cn_hashmap_next(const cn_hashmap *m, size_t *iter, const char **key, void **value);

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_HASHMAP_H_
