#include "base/string_intern.h"

#include <stdlib.h>

#include "base/mem.h"

void cn_string_intern_init(cn_string_intern *t, size_t max) {
  cn_hashmap_init(&t->map);
  t->max = max;
}

const char *cn_string_intern_get(cn_string_intern *t, const char *s) {
  const char *kept = cn_hashmap_get(&t->map, s);
  if (kept || cn_hashmap_count(&t->map) >= t->max)
    return kept;
  char *copy = cn_xstrdup(s);
  cn_hashmap_put(&t->map, s, copy);
  return copy;
}

void cn_string_intern_free(cn_string_intern *t) {
  const char *key;
  void *copy;
  for (size_t i = 0; cn_hashmap_next(&t->map, &i, &key, &copy);)
    free(copy);
  cn_hashmap_free(&t->map);
}
