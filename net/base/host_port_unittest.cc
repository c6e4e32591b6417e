#include "net/base/host_port.h"

#include <gtest/gtest.h>

#include <string>

#include "net/base/net_errors.h"

namespace {

std::string ToString(const cn_host_port &hp) {
  char buf[CN_HOST_PORT_STR_SIZE];
  return cn_host_port_to_string(&hp, buf, sizeof(buf));
}

struct ParseCase {
  const char *input;
  uint16_t default_port;
  const char *host;  // nullptr: expect an error
  uint16_t port;
  const char *printed;
};

TEST(HostPortTest, ParseTable) {
  const ParseCase cases[] = {
      {"example.com:443", 0, "example.com", 443, "example.com:443"},
      {"Origin.TEST:8080", 0, "origin.test", 8080, "origin.test:8080"},
      {"example.com", 80, "example.com", 80, "example.com:80"},
      {"127.0.0.1:1", 0, "127.0.0.1", 1, "127.0.0.1:1"},
      {"[::1]:443", 0, "::1", 443, "[::1]:443"},
      {"[0:0:0:0:0:0:0:1]:443", 0, "::1", 443, "[::1]:443"},
      {"[2001:DB8::1]", 8443, "2001:db8::1", 8443, "[2001:db8::1]:8443"},
      {"::1", 443, "::1", 443, "[::1]:443"},
      {"proxy:65535", 0, "proxy", 65535, "proxy:65535"},
      {"proxy:00080", 0, "proxy", 80, "proxy:80"},
      {"under_score.test:1", 0, "under_score.test", 1, "under_score.test:1"},
      // Errors.
      {"example.com", 0, nullptr, 0, nullptr},    // port required
      {"example.com:", 443, nullptr, 0, nullptr},  // empty port
      {"example.com:0", 0, nullptr, 0, nullptr},
      {"example.com:65536", 0, nullptr, 0, nullptr},
      {"example.com:99999999999999999999", 0, nullptr, 0, nullptr},
      {"example.com:80x", 0, nullptr, 0, nullptr},
      {"example.com:-1", 0, nullptr, 0, nullptr},
      {":443", 0, nullptr, 0, nullptr},
      {"", 80, nullptr, 0, nullptr},
      {"[::1", 80, nullptr, 0, nullptr},
      {"[::1]x", 80, nullptr, 0, nullptr},
      {"[example.com]:80", 0, nullptr, 0, nullptr},
      {"[]:80", 0, nullptr, 0, nullptr},
      {"::1:80", 0, nullptr, 0, nullptr},  // ambiguous without brackets
      {"a b:80", 0, nullptr, 0, nullptr},
      {"a/b:80", 0, nullptr, 0, nullptr},
      {"a@b:80", 0, nullptr, 0, nullptr},
      {"h\x01:80", 0, nullptr, 0, nullptr},
      {"h\xc3\xa9:80", 0, nullptr, 0, nullptr},  // raw UTF-8: punycode required
  };
  for (const ParseCase &c : cases) {
    SCOPED_TRACE(c.input);
    cn_host_port hp;
    int rv = cn_host_port_parse(c.input, c.default_port, &hp);
    if (!c.host) {
      EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, rv);
      EXPECT_STREQ("", hp.host);
      continue;
    }
    ASSERT_EQ(CN_OK, rv);
    EXPECT_STREQ(c.host, hp.host);
    EXPECT_EQ(c.port, hp.port);
    EXPECT_EQ(std::string(c.printed), ToString(hp));
  }
}

TEST(HostPortTest, TooLongHost) {
  std::string ok(CN_HOST_MAX_LEN, 'a');
  cn_host_port hp;
  EXPECT_EQ(CN_OK, cn_host_port_parse((ok + ":1").c_str(), 0, &hp));
  EXPECT_EQ(ok, hp.host);
  std::string too_long(CN_HOST_MAX_LEN + 1, 'a');
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_port_parse((too_long + ":1").c_str(), 0, &hp));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_port_set(&hp, too_long.c_str(), 1));
}

TEST(HostPortTest, SetAndEquality) {
  cn_host_port a, b, c;
  ASSERT_EQ(CN_OK, cn_host_port_set(&a, "Origin.Test", 443));
  ASSERT_EQ(CN_OK, cn_host_port_parse("origin.test:443", 0, &b));
  EXPECT_TRUE(cn_host_port_equal(&a, &b));
  ASSERT_EQ(CN_OK, cn_host_port_set(&c, "origin.test", 80));
  EXPECT_FALSE(cn_host_port_equal(&a, &c));
  ASSERT_EQ(CN_OK, cn_host_port_set(&c, "other.test", 443));
  EXPECT_FALSE(cn_host_port_equal(&a, &c));

  // Bracketed, unbracketed and non-canonical IPv6 spellings are one host.
  cn_host_port v1, v2;
  ASSERT_EQ(CN_OK, cn_host_port_set(&v1, "[2001:db8:0:0::1]", 443));
  ASSERT_EQ(CN_OK, cn_host_port_set(&v2, "2001:DB8::1", 443));
  EXPECT_TRUE(cn_host_port_equal(&v1, &v2));
  EXPECT_TRUE(cn_host_port_is_ipv6(&v1));
  EXPECT_FALSE(cn_host_port_is_ipv6(&a));
  EXPECT_EQ("[2001:db8::1]:443", ToString(v1));

  // A value type: copies by assignment.
  cn_host_port copy = a;
  EXPECT_TRUE(cn_host_port_equal(&copy, &a));

  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_port_set(&c, "", 1));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_port_set(&c, "a:b", 1));
}

TEST(HostPortTest, CanonicalizeAndPortParse) {
  char out[CN_HOST_BUF_SIZE];
  bool v6 = true;
  EXPECT_EQ(CN_OK, cn_host_canonicalize("ABC.test", 8, out, &v6));
  EXPECT_STREQ("abc.test", out);
  EXPECT_FALSE(v6);
  // Only |len| bytes are read.
  EXPECT_EQ(CN_OK, cn_host_canonicalize("abc.test:80", 8, out, nullptr));
  EXPECT_STREQ("abc.test", out);
  EXPECT_EQ(CN_OK, cn_host_canonicalize("[::FFFF:1.2.3.4]", 16, out, &v6));
  EXPECT_STREQ("::ffff:1.2.3.4", out);
  EXPECT_TRUE(v6);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_canonicalize("", 0, out, &v6));
  EXPECT_STREQ("", out);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_canonicalize("[1.2.3.4]", 9, out, &v6));

  uint16_t port = 7;
  EXPECT_TRUE(cn_port_parse("443", 3, &port));
  EXPECT_EQ(443, port);
  EXPECT_TRUE(cn_port_parse("65535", 5, &port));
  EXPECT_EQ(65535, port);
  port = 7;
  EXPECT_FALSE(cn_port_parse("0", 1, &port));
  EXPECT_FALSE(cn_port_parse("65536", 5, &port));
  EXPECT_FALSE(cn_port_parse("", 0, &port));
  EXPECT_FALSE(cn_port_parse("+80", 3, &port));
  EXPECT_FALSE(cn_port_parse(" 80", 3, &port));
  EXPECT_EQ(7, port);  // untouched on failure
}

// The longest host fits CN_HOST_PORT_STR_SIZE; a smaller buffer gets a
// truncated, terminated prefix (snprintf's contract, kept without snprintf).
TEST(HostPortTest, ToStringLongestHostAndTruncation) {
  cn_host_port hp;
  std::string host(CN_HOST_MAX_LEN, 'a');
  ASSERT_EQ(CN_OK, cn_host_port_set(&hp, host.c_str(), 65535));
  EXPECT_EQ(host + ":65535", ToString(hp));
  ASSERT_EQ(CN_OK, cn_host_port_set(&hp, "[::1]", 8080));
  char small[6];
  EXPECT_STREQ("[::1]", cn_host_port_to_string(&hp, small, sizeof(small)));
  char one[1] = {'x'};
  EXPECT_STREQ("", cn_host_port_to_string(&hp, one, sizeof(one)));
}

}  // namespace
