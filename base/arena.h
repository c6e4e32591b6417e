// A bump allocator for many small pieces freed together, e.g. the names and
// values of one header block: a few allocations instead of one per piece.
// Pieces never move (blocks are chained, not reallocated), so pointers into
// an arena stay valid until cn_arena_reset() or cn_arena_free().
//
// Ownership: the arena owns its blocks; embed it anywhere, zeroed
// (cn_arena_init) before use. Not thread-safe (like everything in cnet).
#ifndef CNET_BASE_ARENA_H_
#define CNET_BASE_ARENA_H_

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_arena_block cn_arena_block;
typedef struct cn_arena {
  cn_arena_block *blocks;  // private: newest first
} cn_arena;

void cn_arena_init(cn_arena *a);
// |size| bytes (unaligned: for strings), from the newest block or from a
// new one at least twice as large as it (1 KiB first). Never fails (aborts
// on out of memory, as cn_xmalloc).
char *cn_arena_alloc(cn_arena *a, size_t size);
// Makes the next |size| bytes of pieces come from the newest block: when it
// has less room, adds a block of exactly |size| bytes (no 1 KiB minimum).
// For a caller that knows everything it will store, e.g. a header block
// copied whole: its bytes cost one allocation of their own size.
void cn_arena_reserve(cn_arena *a, size_t size);
// |size| bytes aligned to |align| (a power of two, at most
// CN_ARENA_MAX_ALIGN), from the newest block or a new one as
// cn_arena_alloc. The first piece of a block is aligned without padding,
// so cn_arena_reserve(a, size + ...) followed by this for |size| puts the
// piece at the start of the reserved block: e.g. an array of structs and
// the strings they point to in one allocation.
void *cn_arena_alloc_aligned(cn_arena *a, size_t size, size_t align);
#define CN_ARENA_MAX_ALIGN 8
// Whether |p| points into one of |a|'s blocks (a piece of it).
bool cn_arena_contains(const cn_arena *a, const void *p);
// Forgets every piece; keeps the newest (largest) block for reuse.
void cn_arena_reset(cn_arena *a);
// Frees every block; |a| is left initialised and empty.
void cn_arena_free(cn_arena *a);

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_ARENA_H_
