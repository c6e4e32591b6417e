#include "net/http/http_headers.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "net/base/net_errors.h"

namespace {

class HttpHeadersTest : public ::testing::Test {
 protected:
  HttpHeadersTest() { cn_http_headers_init(&h_); }
  ~HttpHeadersTest() override { cn_http_headers_free(&h_); }
  cn_http_headers h_;
};

TEST_F(HttpHeadersTest, AddKeepsOrderAndLooksUpCaseInsensitively) {
  ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "Accept", "text/html"));
  ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "X-Multi", "a"));
  ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "x-multi", "b"));
  ASSERT_EQ(3u, cn_http_headers_count(&h_));
  EXPECT_STREQ("Accept", cn_http_headers_at(&h_, 0)->name);
  EXPECT_STREQ("x-multi", cn_http_headers_at(&h_, 2)->name);
  EXPECT_STREQ("text/html", cn_http_headers_get(&h_, "ACCEPT"));
  EXPECT_STREQ("a", cn_http_headers_get(&h_, "X-MULTI"));
  EXPECT_STREQ("b", cn_http_headers_get_nth(&h_, "x-Multi", 1));
  EXPECT_EQ(nullptr, cn_http_headers_get_nth(&h_, "x-Multi", 2));
  EXPECT_EQ(nullptr, cn_http_headers_get(&h_, "Missing"));
  EXPECT_EQ(2u, cn_http_headers_count_of(&h_, "X-Multi"));
  char *joined = cn_http_headers_get_joined(&h_, "x-multi");
  EXPECT_STREQ("a, b", joined);
  free(joined);
  EXPECT_EQ(nullptr, cn_http_headers_get_joined(&h_, "nope"));
}

TEST_F(HttpHeadersTest, ValuesAreTrimmed) {
  ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "A", " \t spaced out \t"));
  EXPECT_STREQ("spaced out", cn_http_headers_get(&h_, "a"));
  ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "Empty", ""));
  EXPECT_STREQ("", cn_http_headers_get(&h_, "empty"));
}

TEST_F(HttpHeadersTest, SetReplacesFirstAndRemovesOthers) {
  cn_http_headers_add(&h_, "A", "1");
  cn_http_headers_add(&h_, "B", "2");
  cn_http_headers_add(&h_, "a", "3");
  ASSERT_EQ(CN_OK, cn_http_headers_set(&h_, "A", "new"));
  ASSERT_EQ(2u, cn_http_headers_count(&h_));
  EXPECT_STREQ("A", cn_http_headers_at(&h_, 0)->name);
  EXPECT_STREQ("new", cn_http_headers_at(&h_, 0)->value);
  EXPECT_STREQ("B", cn_http_headers_at(&h_, 1)->name);
  ASSERT_EQ(CN_OK, cn_http_headers_set(&h_, "C", "appended"));
  EXPECT_STREQ("C", cn_http_headers_at(&h_, 2)->name);
  // A value taken from the list itself is safe to set.
  ASSERT_EQ(CN_OK, cn_http_headers_set(&h_, "A", cn_http_headers_get(&h_, "A")));
  EXPECT_STREQ("new", cn_http_headers_get(&h_, "A"));
}

TEST_F(HttpHeadersTest, Remove) {
  cn_http_headers_add(&h_, "A", "1");
  cn_http_headers_add(&h_, "B", "2");
  cn_http_headers_add(&h_, "a", "3");
  EXPECT_EQ(2u, cn_http_headers_remove(&h_, "A"));
  EXPECT_EQ(0u, cn_http_headers_remove(&h_, "A"));
  ASSERT_EQ(1u, cn_http_headers_count(&h_));
  EXPECT_STREQ("B", cn_http_headers_at(&h_, 0)->name);
}

TEST_F(HttpHeadersTest, RefusesInvalidNamesAndValues) {
  const char *bad_names[] = {"", "Bad Name", "Bad:Name", "Bad\rName", "Bad\nName", "Bad(",
                             "B\xc3\xa9", "Tab\t", "a@b", "{x}", "a\"b"};
  for (const char *name : bad_names)
    EXPECT_EQ(CN_ERR_INVALID_HEADER, cn_http_headers_add(&h_, name, "v")) << name;
  EXPECT_EQ(CN_ERR_INVALID_HEADER, cn_http_headers_add(&h_, "X", "a\r\nInjected: 1"));
  EXPECT_EQ(CN_ERR_INVALID_HEADER, cn_http_headers_add(&h_, "X", "a\nb"));
  EXPECT_EQ(CN_ERR_INVALID_HEADER, cn_http_headers_add(&h_, "X", "a\rb"));
  EXPECT_EQ(CN_ERR_INVALID_HEADER, cn_http_headers_add_n(&h_, "X", 1, "a\0b", 3));
  EXPECT_EQ(CN_ERR_INVALID_HEADER, cn_http_headers_set(&h_, "X Y", "v"));
  EXPECT_EQ(CN_ERR_INVALID_HEADER, cn_http_headers_set(&h_, "X", "v\r\n"));
  EXPECT_EQ(CN_ERR_INVALID_HEADER, cn_http_headers_add(&h_, nullptr, "v"));
  EXPECT_EQ(CN_ERR_INVALID_HEADER, cn_http_headers_add(&h_, "X", nullptr));
  EXPECT_EQ(0u, cn_http_headers_count(&h_));
  // Every token character, and obs-text in a value, are fine.
  EXPECT_EQ(CN_OK, cn_http_headers_add(&h_, "!#$%&'*+-.^_`|~09AZaz", "caf\xc3\xa9 \x01"));
  EXPECT_TRUE(cn_http_is_token("GET", 3));
  EXPECT_FALSE(cn_http_is_token("", 0));
}

TEST_F(HttpHeadersTest, HasToken) {
  cn_http_headers_add(&h_, "Connection", "Upgrade, Keep-Alive");
  cn_http_headers_add(&h_, "Connection", " close ");
  EXPECT_TRUE(cn_http_headers_has_token(&h_, "connection", "keep-alive"));
  EXPECT_TRUE(cn_http_headers_has_token(&h_, "connection", "CLOSE"));
  EXPECT_TRUE(cn_http_headers_has_token(&h_, "connection", "upgrade"));
  EXPECT_FALSE(cn_http_headers_has_token(&h_, "connection", "keep"));
  EXPECT_FALSE(cn_http_headers_has_token(&h_, "proxy-connection", "close"));
}

TEST_F(HttpHeadersTest, CopyAndClear) {
  cn_http_headers_add(&h_, "A", "1");
  cn_http_headers_add(&h_, "B", "2");
  cn_http_headers other;
  cn_http_headers_init(&other);
  cn_http_headers_add(&other, "Z", "old");
  cn_http_headers_copy(&other, &h_);
  ASSERT_EQ(2u, cn_http_headers_count(&other));
  EXPECT_STREQ("2", cn_http_headers_get(&other, "b"));
  EXPECT_EQ(nullptr, cn_http_headers_get(&other, "z"));
  cn_http_headers_clear(&h_);
  EXPECT_EQ(0u, cn_http_headers_count(&h_));
  EXPECT_STREQ("1", cn_http_headers_get(&other, "a"));
  cn_http_headers_free(&other);
}

// A copy (or a head built after cn_http_headers_reserve) holds exactly its
// fields, their bytes packed one after another in one block.
TEST_F(HttpHeadersTest, CopyIsSizedExactly) {
  cn_http_headers_add(&h_, "Content-Type", "text/plain");
  cn_http_headers_add(&h_, "Content-Length", "5");
  cn_http_headers_add(&h_, "X", "");
  cn_http_headers other;
  cn_http_headers_init(&other);
  cn_http_headers_copy(&other, &h_);
  ASSERT_EQ(3u, cn_http_headers_count(&other));
  EXPECT_EQ(3u, other.cap);
  const cn_http_header *a = cn_http_headers_at(&other, 0);
  const cn_http_header *b = cn_http_headers_at(&other, 1);
  const cn_http_header *c = cn_http_headers_at(&other, 2);
  EXPECT_EQ(a->name + 12 + 10 + 2, b->name);
  EXPECT_EQ(b->name + 14 + 1 + 2, c->name);
  EXPECT_STREQ("5", cn_http_headers_get(&other, "content-length"));
  // Adding past the reservation still works.
  ASSERT_EQ(CN_OK, cn_http_headers_add(&other, "Y", "more"));
  EXPECT_STREQ("more", cn_http_headers_get(&other, "y"));
  EXPECT_STREQ("text/plain", cn_http_headers_get(&other, "content-type"));
  cn_http_headers_free(&other);
}

// A list reserved whole while empty holds its fields and their strings in
// one allocation (the strings right after the array); growing it moves the
// array out, clearing it forgets the shared block, and freeing it frees
// whichever it has (checked for leaks and double frees under ASan and
// valgrind).
TEST_F(HttpHeadersTest, ReservedEmptyListIsOneBlock) {
  cn_http_headers_reserve(&h_, 2, 4 + 6);
  ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "A", "1"));
  ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "Bb", "22"));
  EXPECT_TRUE(cn_arena_contains(&h_.strings, h_.items));
  EXPECT_EQ(reinterpret_cast<char *>(h_.items + 2), cn_http_headers_at(&h_, 0)->name);
  EXPECT_EQ(2u, h_.cap);
  // One more: the array moves to its own allocation, the strings stay.
  const char *a_value = cn_http_headers_get(&h_, "a");
  ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "C", "333"));
  EXPECT_FALSE(cn_arena_contains(&h_.strings, h_.items));
  EXPECT_EQ(a_value, cn_http_headers_get(&h_, "a"));
  EXPECT_STREQ("22", cn_http_headers_get(&h_, "bb"));
  EXPECT_STREQ("333", cn_http_headers_get(&h_, "c"));
  cn_http_headers_free(&h_);

  // Cleared while the array is in the arena: the list starts over.
  cn_http_headers_reserve(&h_, 1, 4);
  ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "D", "4"));
  EXPECT_TRUE(cn_arena_contains(&h_.strings, h_.items));
  cn_http_headers_clear(&h_);
  EXPECT_EQ(0u, cn_http_headers_count(&h_));
  for (int i = 0; i < 20; i++)
    ASSERT_EQ(CN_OK, cn_http_headers_add(&h_, "E", std::to_string(i).c_str()));
  EXPECT_EQ(20u, cn_http_headers_count_of(&h_, "e"));
  EXPECT_STREQ("19", cn_http_headers_get_nth(&h_, "e", 19));
  // Removing fields of a one-block list keeps the others.
  cn_http_headers other;
  cn_http_headers_init(&other);
  cn_http_headers_copy(&other, &h_);
  EXPECT_TRUE(cn_arena_contains(&other.strings, other.items));
  EXPECT_EQ(20u, cn_http_headers_remove(&other, "e"));
  ASSERT_EQ(CN_OK, cn_http_headers_set(&other, "F", "6"));
  EXPECT_STREQ("6", cn_http_headers_get(&other, "f"));
  cn_http_headers_free(&other);
}

}  // namespace
