#include "base/string_intern.h"

#include <gtest/gtest.h>

#include <string>

namespace {

// Each test's table, with the bound it sets; freed at the end of the test
// (LeakSanitizer in the asan build sees any copy left behind).
class StringInternTest : public ::testing::Test {
 protected:
  void Init(size_t max) { cn_string_intern_init(&t_, max); }
  void TearDown() override { cn_string_intern_free(&t_); }
  const char *Get(const std::string &s) { return cn_string_intern_get(&t_, s.c_str()); }
  size_t Count() const { return cn_string_intern_count(&t_); }

  cn_string_intern t_{};
};

TEST_F(StringInternTest, EqualTextsShareOneCopy) {
  Init(4);
  std::string a = "TLSv1.3";
  const char *kept = Get(a);
  ASSERT_NE(nullptr, kept);
  EXPECT_STREQ("TLSv1.3", kept);
  EXPECT_NE(a.c_str(), kept);  // the table's own copy, not the argument
  EXPECT_EQ(kept, Get(std::string("TLSv1.") + "3"));  // equal text, another buffer
  a = "changed";  // the kept copy does not depend on the caller's buffer
  EXPECT_STREQ("TLSv1.3", kept);
  EXPECT_EQ(1u, Count());
}

TEST_F(StringInternTest, DifferentTextsGetDifferentCopies) {
  Init(4);
  const char *h2 = Get("h2");
  const char *http11 = Get("http/1.1");
  const char *empty = Get("");
  ASSERT_TRUE(h2 && http11 && empty);
  EXPECT_NE(h2, http11);
  EXPECT_NE(h2, empty);
  EXPECT_NE(http11, empty);
  EXPECT_STREQ("h2", h2);
  EXPECT_STREQ("http/1.1", http11);
  EXPECT_STREQ("", empty);
  EXPECT_EQ(3u, Count());
}

// Past the bound nothing new is kept (NULL: the caller copies), but the
// strings kept before still come back.
TEST_F(StringInternTest, BoundReachedGivesNullForNewTextsOnly) {
  Init(3);
  const char *kept[3];
  for (int i = 0; i < 3; i++) {
    kept[i] = Get("proxy" + std::to_string(i) + ":8080");
    ASSERT_NE(nullptr, kept[i]) << i;
  }
  EXPECT_EQ(3u, Count());
  EXPECT_EQ(nullptr, Get("proxy3:8080"));
  EXPECT_EQ(nullptr, Get("proxy3:8080"));  // still not kept
  EXPECT_EQ(3u, Count());
  for (int i = 0; i < 3; i++)
    EXPECT_EQ(kept[i], Get("proxy" + std::to_string(i) + ":8080")) << i;
}

TEST_F(StringInternTest, ZeroBoundKeepsNothing) {
  Init(0);
  EXPECT_EQ(nullptr, Get("h2"));
  EXPECT_EQ(0u, Count());
}

// Free releases every copy and leaves an empty table with the same bound,
// usable again.
TEST_F(StringInternTest, FreeEmptiesAndKeepsTheBound) {
  Init(2);
  ASSERT_NE(nullptr, Get("0"));
  ASSERT_NE(nullptr, Get("1"));
  cn_string_intern_free(&t_);
  EXPECT_EQ(0u, Count());
  EXPECT_NE(nullptr, Get("a"));
  EXPECT_NE(nullptr, Get("b"));
  EXPECT_EQ(nullptr, Get("c"));
}

}  // namespace
