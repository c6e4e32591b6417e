#include "base/arena.h"

#include <gtest/gtest.h>

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

}  // namespace
