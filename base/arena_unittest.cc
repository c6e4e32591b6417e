#include "base/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

// Pieces keep their bytes while later ones need new blocks (none moves).
TEST(ArenaTest, PiecesNeverMove) {
  cn_arena a;
  cn_arena_init(&a);
  std::vector<char *> pieces;
  for (int i = 0; i < 500; i++) {
    std::string s = "piece " + std::to_string(i);
    char *p = cn_arena_alloc(&a, s.size() + 1);
    memcpy(p, s.c_str(), s.size() + 1);
    pieces.push_back(p);
  }
  char *big = cn_arena_alloc(&a, 10000);  // larger than any block so far
  memset(big, 'x', 10000);
  for (int i = 0; i < 500; i++)
    EXPECT_EQ("piece " + std::to_string(i), pieces[i]);
  cn_arena_reset(&a);
  char *again = cn_arena_alloc(&a, 16);
  EXPECT_EQ(big, again);  // the newest block is reused from its start
  cn_arena_free(&a);
  EXPECT_EQ(nullptr, a.blocks);
  cn_arena_free(&a);  // harmless twice
}

// A reserved size is served from one block of exactly that size: the pieces
// are contiguous, and the next piece past it needs a new block.
TEST(ArenaTest, ReserveMakesOneExactBlock) {
  cn_arena a;
  cn_arena_init(&a);
  cn_arena_reserve(&a, 30);
  char *first = cn_arena_alloc(&a, 10);
  char *second = cn_arena_alloc(&a, 20);
  EXPECT_EQ(first + 10, second);  // one block
  char *third = cn_arena_alloc(&a, 1);  // the exact block is full
  EXPECT_NE(second + 20, third);
  // Room left in the newest block: reserving adds nothing.
  cn_arena_reserve(&a, 5);
  char *fourth = cn_arena_alloc(&a, 5);
  EXPECT_EQ(third + 1, fourth);
  cn_arena_reserve(&a, 0);  // nothing to reserve
  cn_arena_free(&a);
}

// Aligned pieces: the first of a reserved block is at its start (no
// padding), later ones are padded; contains() knows the arena's pieces.
TEST(ArenaTest, AlignedPiecesAndContains) {
  cn_arena a;
  cn_arena_init(&a);
  cn_arena_reserve(&a, 16 + 3);
  void *array = cn_arena_alloc_aligned(&a, 16, 8);
  EXPECT_EQ(0u, reinterpret_cast<uintptr_t>(array) % 8);
  char *text = cn_arena_alloc(&a, 3);
  EXPECT_EQ(static_cast<char *>(array) + 16, text);  // one exact block
  char *odd = cn_arena_alloc(&a, 1);
  void *next = cn_arena_alloc_aligned(&a, 8, 8);
  EXPECT_EQ(0u, reinterpret_cast<uintptr_t>(next) % 8);
  EXPECT_GE(static_cast<char *>(next), odd + 1);
  EXPECT_TRUE(cn_arena_contains(&a, array));
  EXPECT_TRUE(cn_arena_contains(&a, text + 2));
  EXPECT_TRUE(cn_arena_contains(&a, next));
  int outside = 0;
  EXPECT_FALSE(cn_arena_contains(&a, &outside));
  cn_arena_free(&a);
  EXPECT_FALSE(cn_arena_contains(&a, array));
}

}  // namespace
