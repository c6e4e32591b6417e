#include "net/base/base64.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

std::string Encode(const std::string &s) {
  char *e = cn_base64_encode(s.data(), s.size());
  std::string out(e);
  free(e);
  return out;
}

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ("", Encode(""));
  EXPECT_EQ("Zg==", Encode("f"));
  EXPECT_EQ("Zm8=", Encode("fo"));
  EXPECT_EQ("Zm9v", Encode("foo"));
  EXPECT_EQ("Zm9vYg==", Encode("foob"));
  EXPECT_EQ("Zm9vYmE=", Encode("fooba"));
  EXPECT_EQ("Zm9vYmFy", Encode("foobar"));
  EXPECT_EQ("AP8=", Encode(std::string("\x00\xff", 2)));
}

TEST(Base64Test, BasicCredentials) {
  char *c = cn_http_basic_credentials("Aladdin", "open sesame");
  EXPECT_STREQ("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", c);  // RFC 7617's example
  free(c);
}

}  // namespace
