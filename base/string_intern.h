// A bounded table of interned strings: one kept copy per distinct text, for
// strings that repeat from object to object (a request's route report, a
// connection plan's session key) so each object points at the table's copy
// instead of allocating its own. Bounded because the texts may come from
// outside without end (a PAC script naming a new proxy per request): past
// |max| distinct strings the table keeps nothing new and the caller makes
// its own copy.
//
// Ownership: the table owns its copies; a pointer returned by
// cn_string_intern_get stays valid until cn_string_intern_free (entries are
// never removed before that). Embed the table anywhere; not thread-safe
// (like everything in cnet).
#ifndef CNET_BASE_STRING_INTERN_H_
#define CNET_BASE_STRING_INTERN_H_

#include <stddef.h>

#include "base/hashmap.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_string_intern {
  cn_hashmap map;  // private: text -> the kept copy (owned)
  size_t max;      // private: the bound on distinct strings
} cn_string_intern;

// An empty table keeping at most |max| distinct strings.
void cn_string_intern_init(cn_string_intern *t, size_t max);
// The table's copy of |s| (equal texts give the same pointer), made now if
// |s| is new and the table holds fewer than its bound; NULL when |s| is new
// and the bound is reached: the caller then uses a copy of its own. |s| is
// only read.
const char *cn_string_intern_get(cn_string_intern *t, const char *s);
// The number of distinct strings kept.
static inline size_t cn_string_intern_count(const cn_string_intern *t) {
  return cn_hashmap_count(&t->map);
}
// Frees every kept copy (no pointer from cn_string_intern_get may be used
// after) and leaves the table empty, bound unchanged.
void cn_string_intern_free(cn_string_intern *t);

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_STRING_INTERN_H_
