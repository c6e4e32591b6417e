#include "net/dns/host_rules.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "net/base/net_errors.h"

namespace {

// "[a, b]" of a rule's addresses with |port| applied.
std::string Addrs(const cn_host_rule *rule, uint16_t port) {
  if (!rule)
    return "<no rule>";
  cn_address_list l;
  cn_address_list_copy(&l, &rule->addrs);
  for (size_t i = 0; i < l.count; i++)
    cn_ip_endpoint_set_port(&l.items[i], port);
  char *s = cn_address_list_to_string(&l);
  std::string r = s;
  free(s);
  cn_address_list_free(&l);
  return r;
}

class HostRulesTest : public ::testing::Test {
 protected:
  void SetUp() override { cn_host_rules_init(&rules_); }
  void TearDown() override { cn_host_rules_free(&rules_); }

  int Parse(const char *spec) {
    err_[0] = 'x';
    err_[1] = '\0';
    return cn_host_rules_parse_resolve(&rules_, spec, err_, sizeof(err_));
  }
  std::string Match(const char *host, uint16_t port) {
    return Addrs(cn_host_rules_match(&rules_, host, port), port);
  }

  cn_host_rules rules_;
  char err_[128];
};

TEST_F(HostRulesTest, ParseCurlResolveSyntax) {
  ASSERT_EQ(CN_OK, Parse("origin.test:443:127.0.0.1"));
  EXPECT_STREQ("", err_);
  EXPECT_EQ("[127.0.0.1:443]", Match("origin.test", 443));
  EXPECT_EQ("<no rule>", Match("origin.test", 80));
  EXPECT_EQ("<no rule>", Match("other.test", 443));

  // Several addresses, order kept; IPv6 bracketed or bare; '+' accepted.
  ASSERT_EQ(CN_OK, Parse("+multi.test:80:[::1],127.0.0.2"));
  EXPECT_EQ("[[::1]:80, 127.0.0.2:80]", Match("multi.test", 80));
  ASSERT_EQ(CN_OK, Parse("bare.test:81:::1"));
  EXPECT_EQ("[[::1]:81]", Match("bare.test", 81));
  ASSERT_EQ(CN_OK, Parse("bare2.test:82:2001:db8::1,10.0.0.1"));
  EXPECT_EQ("[[2001:db8::1]:82, 10.0.0.1:82]", Match("bare2.test", 82));

  // Any port, and host names are canonical (case-insensitive).
  ASSERT_EQ(CN_OK, Parse("ANY.Test:*:10.1.1.1"));
  EXPECT_EQ("[10.1.1.1:1]", Match("any.test", 1));
  EXPECT_EQ("[10.1.1.1:65535]", Match("any.test", 65535));

  // An IPv6 literal as the host.
  ASSERT_EQ(CN_OK, Parse("[0::1]:443:127.0.0.1"));
  EXPECT_EQ("[127.0.0.1:443]", Match("::1", 443));
  EXPECT_EQ(6u, rules_.count);
}

TEST_F(HostRulesTest, ParseCurlConnectToSyntax) {
  ASSERT_EQ(CN_OK, cn_host_rules_parse_connect_to(&rules_, "origin.test:443:127.0.0.1:8443",
                                                  err_, sizeof(err_)));
  EXPECT_STREQ("", err_);
  const cn_host_rule *r = cn_host_rules_match(&rules_, "origin.test", 443);
  ASSERT_NE(nullptr, r);
  EXPECT_EQ(8443, r->to_port);
  EXPECT_EQ("[127.0.0.1:443]", Match("origin.test", 443));  // addresses as stored
  // Empty HOST1 and PORT1: any; empty PORT2: the asked port; IPv6 HOST2.
  ASSERT_EQ(CN_OK, cn_host_rules_parse_connect_to(&rules_, "::[::1]:", err_, sizeof(err_)));
  r = cn_host_rules_match(&rules_, "else.test", 80);
  ASSERT_NE(nullptr, r);
  EXPECT_EQ(0, r->to_port);
  EXPECT_EQ("[[::1]:80]", Match("else.test", 80));
  // A --resolve for the same host and port replaces it, port override and all.
  ASSERT_EQ(CN_OK, Parse("origin.test:443:127.0.0.2"));
  EXPECT_EQ(0, cn_host_rules_match(&rules_, "origin.test", 443)->to_port);

  const char *bad[][2] = {
      {"a.test:443", "expected HOST1:PORT1:HOST2:PORT2"},
      {"a.test:443:name.test:80", "is not an IP address"},
      {"a.test:99999:127.0.0.1:80", "invalid port '99999'"},
      {"a.test:443:127.0.0.1:x", "invalid port 'x'"},
      {"a.test:443:127.0.0.1:80:9", "expected HOST1:PORT1:HOST2:PORT2"},
  };
  size_t before = rules_.count;
  for (const auto &b : bad) {
    EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
              cn_host_rules_parse_connect_to(&rules_, b[0], err_, sizeof(err_)))
        << b[0];
    EXPECT_NE(nullptr, strstr(err_, b[1])) << b[0] << ": " << err_;
    EXPECT_NE(nullptr, strstr(err_, "--connect-to")) << err_;
  }
  EXPECT_EQ(before, rules_.count);
}

TEST_F(HostRulesTest, PortSpecificBeatsAnyPortBeatsWildcardHost) {
  ASSERT_EQ(CN_OK, Parse("*:*:10.0.0.4"));
  ASSERT_EQ(CN_OK, Parse("*:443:10.0.0.3"));
  ASSERT_EQ(CN_OK, Parse("origin.test:*:10.0.0.2"));
  ASSERT_EQ(CN_OK, Parse("origin.test:443:10.0.0.1"));
  EXPECT_EQ("[10.0.0.1:443]", Match("origin.test", 443));
  EXPECT_EQ("[10.0.0.2:80]", Match("origin.test", 80));
  EXPECT_EQ("[10.0.0.3:443]", Match("else.test", 443));
  EXPECT_EQ("[10.0.0.4:80]", Match("else.test", 80));

  // Removing the most specific rule exposes the next one.
  ASSERT_EQ(CN_OK, Parse("-origin.test:443"));
  EXPECT_EQ("[10.0.0.2:443]", Match("origin.test", 443));
  ASSERT_EQ(CN_OK, Parse("-origin.test:*"));
  EXPECT_EQ("[10.0.0.3:443]", Match("origin.test", 443));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, Parse("-origin.test:*"));
  EXPECT_NE(std::string::npos, std::string(err_).find("no such rule"));
}

TEST_F(HostRulesTest, SameHostAndPortReplaces) {
  ASSERT_EQ(CN_OK, Parse("h.test:443:10.0.0.1"));
  ASSERT_EQ(CN_OK, Parse("h.test:443:10.0.0.2,10.0.0.3"));
  EXPECT_EQ(1u, rules_.count);
  EXPECT_EQ("[10.0.0.2:443, 10.0.0.3:443]", Match("h.test", 443));
}

struct ErrorCase {
  const char *spec;
  const char *reason;  // a substring of the message
};

TEST_F(HostRulesTest, ParseErrorsAreClearAndChangeNothing) {
  ASSERT_EQ(CN_OK, Parse("keep.test:1:10.9.9.9"));
  const ErrorCase cases[] = {
      {"", "expected HOST:PORT:ADDRESS"},
      {"origin.test", "expected HOST:PORT:ADDRESS"},
      {"origin.test:443", "expected HOST:PORT:ADDRESS"},
      {"origin.test:443:", "empty address"},
      {"origin.test:443:1.2.3.4,", "empty address"},
      {"origin.test:443:1.2.3.4,,5.6.7.8", "empty address"},
      {"origin.test:443:localhost", "'localhost' is not an IP address"},
      {"origin.test:443:1.2.3", "is not an IP address"},
      {"origin.test:443:[::1", "is not an IP address"},
      {"origin.test:443:[127.0.0.1]", "is not an IP address"},
      {"origin.test:0:1.2.3.4", "invalid port '0'"},
      {"origin.test:65536:1.2.3.4", "invalid port '65536'"},
      {"origin.test:https:1.2.3.4", "invalid port 'https'"},
      {"origin.test::1.2.3.4", "invalid port ''"},
      {":443:1.2.3.4", "empty host"},
      {"bad host:443:1.2.3.4", "invalid host 'bad host'"},
      {"[::1:443:1.2.3.4", "unterminated '['"},
      {"[not-v6]:443:1.2.3.4", "invalid host"},
      {"[::1]443:1.2.3.4", "expected ':' after host"},
      {"-h.test:80:1.2.3.4", "takes no addresses"},
      {"-keep.test:2", "no such rule"},
  };
  for (const ErrorCase &c : cases) {
    SCOPED_TRACE(c.spec);
    EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, Parse(c.spec));
    EXPECT_NE(std::string::npos, std::string(err_).find(c.reason)) << err_;
    EXPECT_EQ(0u, std::string(err_).find("--resolve '")) << err_;
  }
  EXPECT_EQ(1u, rules_.count);
  EXPECT_EQ("[10.9.9.9:1]", Match("keep.test", 1));
  // A NULL error buffer is allowed.
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_rules_parse_resolve(&rules_, "x", nullptr, 0));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_rules_parse_resolve(&rules_, nullptr, err_, 8));
  // Long specs are cut in the message but the buffer is never overrun.
  std::string long_spec(500, 'a');
  char small[16];
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
            cn_host_rules_parse_resolve(&rules_, long_spec.c_str(), small, sizeof(small)));
  EXPECT_EQ(15u, strlen(small));
}

TEST_F(HostRulesTest, ProgrammaticAddRemoveAndCopy) {
  cn_address_list addrs;
  cn_address_list_init(&addrs);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_rules_add(&rules_, "h.test", 80, &addrs));
  cn_ip_endpoint ep;
  ASSERT_TRUE(cn_ip_endpoint_from_literal("127.0.0.1", 9999, &ep));
  cn_address_list_append(&addrs, &ep);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_rules_add(&rules_, "bad/host", 80, &addrs));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_host_rules_add(&rules_, "", 80, &addrs));
  ASSERT_EQ(CN_OK, cn_host_rules_add(&rules_, "Origin.Test", CN_HOST_RULE_ANY_PORT, &addrs));
  cn_address_list_free(&addrs);  // the rules keep their own copy
  // The stored port is ignored: the requested one is applied.
  EXPECT_EQ("[127.0.0.1:443]", Match("origin.test", 443));

  cn_host_rules copy;
  cn_host_rules_copy(&copy, &rules_);
  EXPECT_TRUE(cn_host_rules_remove(&rules_, "ORIGIN.test", CN_HOST_RULE_ANY_PORT));
  EXPECT_FALSE(cn_host_rules_remove(&rules_, "origin.test", CN_HOST_RULE_ANY_PORT));
  EXPECT_EQ("<no rule>", Match("origin.test", 443));
  EXPECT_EQ("[127.0.0.1:8]", Addrs(cn_host_rules_match(&copy, "origin.test", 8), 8));
  cn_host_rules_free(&copy);
}

}  // namespace
