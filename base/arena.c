#include "base/arena.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/mem.h"

#define FIRST_BLOCK_SIZE 1024

struct cn_arena_block {
  cn_arena_block *next;  // older
  size_t used, cap;
  char data[];
};

void cn_arena_init(cn_arena *a) { a->blocks = NULL; }

static cn_arena_block *add_block(cn_arena *a, size_t cap) {
  cn_arena_block *nb = cn_xmalloc(sizeof(*nb) + cap);
  nb->next = a->blocks;
  nb->used = 0;
  nb->cap = cap;
  a->blocks = nb;
  return nb;
}

void cn_arena_reserve(cn_arena *a, size_t size) {
  cn_arena_block *b = a->blocks;
  if (size && (!b || b->cap - b->used < size))
    add_block(a, size);
}

char *cn_arena_alloc(cn_arena *a, size_t size) {
  cn_arena_block *b = a->blocks;
  if (!b || b->cap - b->used < size) {
    size_t cap = b ? 2 * b->cap : FIRST_BLOCK_SIZE;
    if (cap < size)
      cap = size;
    b = add_block(a, cap);
  }
  char *p = b->data + b->used;
  b->used += size;
  return p;
}

// A block's data starts aligned for CN_ARENA_MAX_ALIGN (malloc's alignment
// is at least 16).
_Static_assert(offsetof(cn_arena_block, data) % CN_ARENA_MAX_ALIGN == 0,
               "an arena block's data is not aligned");

void *cn_arena_alloc_aligned(cn_arena *a, size_t size, size_t align) {
  cn_arena_block *b = a->blocks;
  size_t pad = b ? (align - b->used % align) % align : 0;
  if (b && b->cap - b->used >= pad && b->cap - b->used - pad >= size)
    b->used += pad;
  // Otherwise a new block: its first piece needs no padding.
  return cn_arena_alloc(a, size);
}

bool cn_arena_contains(const cn_arena *a, const void *p) {
  uintptr_t x = (uintptr_t)p;
  for (const cn_arena_block *b = a->blocks; b; b = b->next) {
    uintptr_t start = (uintptr_t)b->data;
    if (x >= start && x < start + b->cap)
      return true;
  }
  return false;
}

static void free_chain(cn_arena_block *b) {
  while (b) {
    cn_arena_block *next = b->next;
    free(b);
    b = next;
  }
}

void cn_arena_reset(cn_arena *a) {
  if (!a->blocks)
    return;
  free_chain(a->blocks->next);
  a->blocks->next = NULL;
  a->blocks->used = 0;
}

void cn_arena_free(cn_arena *a) {
  free_chain(a->blocks);
  a->blocks = NULL;
}
