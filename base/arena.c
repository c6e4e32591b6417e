#include "base/arena.h"

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
