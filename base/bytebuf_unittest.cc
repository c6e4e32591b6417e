#include "base/bytebuf.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::string Contents(const cn_bytebuf &b) {
  return std::string(reinterpret_cast<const char *>(cn_bytebuf_head(&b)), cn_bytebuf_len(&b));
}

TEST(ByteBufTest, AppendConsumeAndFormat) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  cn_bytebuf_append_str(&b, "hello ");
  cn_bytebuf_appendf(&b, "%s %d", "world", 42);
  EXPECT_EQ("hello world 42", Contents(b));
  cn_bytebuf_consume(&b, 6);
  EXPECT_EQ("world 42", Contents(b));
  char *s = cn_bytebuf_steal_str(&b);
  EXPECT_STREQ("world 42", s);
  free(s);
  EXPECT_EQ(0u, cn_bytebuf_len(&b));
  cn_bytebuf_free(&b);
}

TEST(ByteBufTest, GrowsAndSlidesWithoutLosingBytes) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  std::string expected;
  for (int i = 0; i < 10000; i++) {
    char c = static_cast<char>('a' + i % 26);
    cn_bytebuf_append(&b, &c, 1);
    expected.push_back(c);
    if (i % 7 == 0) {
      cn_bytebuf_consume(&b, 3 < cn_bytebuf_len(&b) ? 3 : cn_bytebuf_len(&b));
      expected.erase(0, 3 < expected.size() ? 3 : expected.size());
    }
  }
  EXPECT_EQ(expected, Contents(b));
  cn_bytebuf_free(&b);
}

TEST(ByteBufTest, ReserveCommit) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  uint8_t *p = cn_bytebuf_reserve(&b, 4);
  memcpy(p, "abcd", 4);
  cn_bytebuf_commit(&b, 2);
  EXPECT_EQ("ab", Contents(b));
  cn_bytebuf_free(&b);
}

// The decimal writer agrees with printf at the edges: 0, one digit, each
// power of ten and its predecessor, and UINT64_MAX (20 digits).
TEST(ByteBufTest, AppendU64MatchesPrintf) {
  std::vector<uint64_t> values = {0, 9, UINT64_MAX};
  for (uint64_t p = 10; p <= UINT64_MAX / 10; p *= 10) {
    values.push_back(p - 1);
    values.push_back(p);
  }
  for (uint64_t v : values) {
    cn_bytebuf b;
    cn_bytebuf_init(&b);
    cn_bytebuf_append_str(&b, "x");
    cn_bytebuf_append_u64(&b, v);
    char want[32];
    snprintf(want, sizeof(want), "x%llu", (unsigned long long)v);
    EXPECT_EQ(want, Contents(b));
    char digits[CN_U64_DEC_MAX];
    EXPECT_EQ(strlen(want) - 1, cn_u64_to_dec(v, digits));
    cn_bytebuf_free(&b);
  }
}

}  // namespace
