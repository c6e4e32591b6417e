// PAC answers ("PROXY a:1; DIRECT") into proxy lists.
#include "net/proxy_resolution/pac_result.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "net/base/net_errors.h"

namespace {

struct Parsed {
  int rv;
  std::string list;
  size_t skipped;
};

Parsed Parse(const char *text) {
  cn_proxy_list l;
  Parsed p;
  p.skipped = 99;
  p.rv = cn_pac_result_parse(text, strlen(text), &l, &p.skipped);
  char *s = cn_proxy_list_to_string(&l);
  p.list = s;
  free(s);
  cn_proxy_list_free(&l);
  return p;
}

TEST(PacResultTest, EveryKeyword) {
  Parsed p = Parse("PROXY a.test:3128; HTTPS b.test:8443; SOCKS5 c.test:1081; DIRECT");
  EXPECT_EQ(CN_OK, p.rv);
  EXPECT_EQ("http://a.test:3128,https://b.test:8443,socks5h://c.test:1081,direct", p.list);
  EXPECT_EQ(0u, p.skipped);
}

TEST(PacResultTest, DefaultPortsCaseAndBlanks) {
  Parsed p = Parse("  proxy   a.test ;https b.test;Socks5 [::1];direct  ");
  EXPECT_EQ(CN_OK, p.rv);
  EXPECT_EQ("http://a.test:80,https://b.test:443,socks5h://[::1]:1080,direct", p.list);
}

TEST(PacResultTest, EmptyEntriesAreIgnored) {
  Parsed p = Parse("PROXY a.test:1;;  ;DIRECT;");
  EXPECT_EQ(CN_OK, p.rv);
  EXPECT_EQ("http://a.test:1,direct", p.list);
  EXPECT_EQ(0u, p.skipped);
}

TEST(PacResultTest, BadEntriesAreSkippedAndCounted) {
  // SOCKS (version 4) is unsupported; the others are malformed.
  Parsed p = Parse(
      "SOCKS s.test:1080; PROXY; PROXY a b; FOO x:1; PROXY http://u@x:1; DIRECT x; PROXY "
      "x:99999; HTTPS ok.test:1");
  EXPECT_EQ(CN_OK, p.rv);
  EXPECT_EQ("https://ok.test:1", p.list);
  EXPECT_EQ(7u, p.skipped);
}

TEST(PacResultTest, NothingUsableIsAnError) {
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_FAILED, Parse("").rv);
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_FAILED, Parse(" ; ;").rv);
  Parsed p = Parse("SOCKS s:1; nonsense");
  EXPECT_EQ(CN_ERR_PAC_SCRIPT_FAILED, p.rv);
  EXPECT_EQ("", p.list);
  EXPECT_EQ(2u, p.skipped);
}

TEST(PacResultTest, EmbeddedNulIsNotAnEntry) {
  cn_proxy_list l;
  const char text[] = "PROXY a\0b:1;DIRECT";
  size_t skipped = 0;
  ASSERT_EQ(CN_OK, cn_pac_result_parse(text, sizeof(text) - 1, &l, &skipped));
  EXPECT_EQ(1u, l.count);
  EXPECT_EQ(1u, skipped);
  cn_proxy_list_free(&l);
}

}  // namespace
