#include "net/proxy_resolution/proxy_bypass_rules.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "net/base/net_errors.h"

namespace {

struct MatchCase {
  const char *rules;
  const char *url;
  bool bypass;
};

bool Matches(const cn_proxy_bypass_rules &rules, const char *url_text) {
  cn_url url;
  EXPECT_EQ(CN_OK, cn_url_parse(url_text, &url)) << url_text;
  bool m = cn_proxy_bypass_rules_matches(&rules, &url);
  cn_url_free(&url);
  return m;
}

TEST(ProxyBypassRulesTest, ExplicitListForms) {
  const MatchCase kCases[] = {
      // Exact host: not its subdomains; case and a trailing dot ignored.
      {"example.com", "http://example.com/", true},
      {"example.com", "https://EXAMPLE.com./x", true},
      {"example.com", "http://www.example.com/", false},
      {"example.com", "http://example.com.evil/", false},
      {"example.com", "http://notexample.com/", false},
      // "*.d" and ".d": subdomains only.
      {"*.example.com", "http://www.example.com/", true},
      {"*.example.com", "http://a.b.example.com/", true},
      {"*.example.com", "http://example.com/", false},
      {"*.example.com", "http://notexample.com/", false},
      {".example.com", "http://www.example.com/", true},
      {".example.com", "http://example.com/", false},
      {".Example.COM", "http://WWW.example.com/", true},
      // Globs.
      {"*example*", "http://myexample.org/", true},
      {"*example*", "http://other.org/", false},
      {"192.168.1.*", "http://192.168.1.5/", true},
      {"192.168.1.*", "http://192.168.2.5/", false},
      {"*", "http://anything.test/", true},
      {"*", "http://[::1]/", true},
      // IP literals compare as addresses, never by name.
      {"127.0.0.1", "http://127.0.0.1:8080/", true},
      {"127.0.0.1", "http://127.0.0.2/", false},
      {"127.0.0.1", "http://localhost/", false},
      {"[::1]", "http://[::1]/", true},
      {"::1", "http://[0:0::1]:99/", true},
      {"[::1]", "http://[::2]/", false},
      // CIDR, including prefixes that are not byte-aligned.
      {"10.0.0.0/8", "http://10.1.2.3/", true},
      {"10.0.0.0/8", "http://11.0.0.1/", false},
      {"10.0.0.0/8", "http://ten.test/", false},
      {"192.168.0.0/23", "http://192.168.1.255/", true},
      {"192.168.0.0/23", "http://192.168.2.0/", false},
      {"0.0.0.0/0", "http://203.0.113.9/", true},
      {"0.0.0.0/0", "http://[2001:db8::1]/", false},
      {"fd00::/8", "http://[fd12::1]/", true},
      {"fd00::/8", "http://[fe80::1]/", false},
      {"[2001:db8::]/33", "http://[2001:db8:7fff::1]/", true},
      {"[2001:db8::]/33", "http://[2001:db8:8000::1]/", false},
      // <local>: plain names and loopback, nothing else.
      {"<local>", "http://intranet/", true},
      {"<LOCAL>", "http://localhost:8080/", true},
      {"<local>", "http://foo.localhost/", true},
      {"<local>", "http://127.0.0.1/", true},
      {"<local>", "http://127.5.5.5/", true},
      {"<local>", "http://[::1]/", true},
      {"<local>", "http://[::ffff:127.0.0.1]/", true},
      {"<local>", "http://example.com/", false},
      {"<local>", "http://10.0.0.1/", false},
      {"<local>", "http://[fe80::1]/", false},
      {"<local>", "http://localhost.example.com/", false},
      // Port- and scheme-specific entries.
      {"example.com:8080", "http://example.com:8080/", true},
      {"example.com:8080", "http://example.com/", false},
      {"[::1]:8443", "https://[::1]:8443/", true},
      {"[::1]:8443", "https://[::1]/", false},
      {"127.0.0.1:80", "http://127.0.0.1/", true},
      {"https://secure.test", "https://secure.test/", true},
      {"https://secure.test", "http://secure.test/", false},
      {"HTTP://*.test:81", "http://a.test:81/", true},
      {"http://*.test:81", "http://a.test:80/", false},
      // Several entries, ',' and ';' with blanks.
      {"a.test; b.test ,c.test", "http://b.test/", true},
      {"a.test; b.test ,c.test", "http://c.test/", true},
      {"a.test; b.test ,c.test", "http://d.test/", false},
      {"a.test,,;", "http://a.test/", true},
      // Nothing is implicit: loopback goes through an explicit proxy.
      {"", "http://127.0.0.1/", false},
      {"", "http://localhost/", false},
      {"example.com", "http://[::1]/", false},
  };
  for (const MatchCase &c : kCases) {
    SCOPED_TRACE(std::string(c.rules) + " vs " + c.url);
    cn_proxy_bypass_rules rules;
    cn_proxy_bypass_rules_init(&rules);
    char err[128];
    ASSERT_EQ(CN_OK, cn_proxy_bypass_rules_parse(&rules, c.rules, err, sizeof(err)));
    EXPECT_STREQ("", err);
    EXPECT_EQ(c.bypass, Matches(rules, c.url));
    cn_proxy_bypass_rules_free(&rules);
  }
}

TEST(ProxyBypassRulesTest, ExplicitListRejectsMalformedEntries) {
  const char *const kBad[] = {
      "exa mple.com", "bad!host", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "1.2.3.4/8:80",
      "example.com:0", "example.com:99999", "example.com:", "[::1", "[::1]x", "::1/129",
      "toolongscheme://x", "://x", "https://", "a.test,b!.test",
  };
  for (const char *bad : kBad) {
    SCOPED_TRACE(bad);
    cn_proxy_bypass_rules rules;
    cn_proxy_bypass_rules_init(&rules);
    ASSERT_EQ(CN_OK, cn_proxy_bypass_rules_parse(&rules, "keep.test", nullptr, 0));
    char err[128];
    EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_proxy_bypass_rules_parse(&rules, bad, err, sizeof(err)));
    EXPECT_NE(std::string::npos, std::string(err).find("invalid proxy bypass entry")) << err;
    // Unchanged on error, even when earlier entries of the text were fine.
    EXPECT_EQ(1u, rules.count);
    cn_proxy_bypass_rules_free(&rules);
  }
}

TEST(ProxyBypassRulesTest, NoProxyForms) {
  const MatchCase kCases[] = {
      // A domain matches itself and its subdomains; leading dot optional.
      {"example.com", "http://example.com/", true},
      {"example.com", "http://www.example.com/", true},
      {"example.com", "http://a.b.example.com./", true},
      {"example.com", "http://nonexample.com/", false},
      {"example.com", "http://example.com.au/", false},
      {".example.com", "http://example.com/", true},
      {".example.com", "http://www.example.com/", true},
      {"example.com.", "http://www.example.com/", true},
      {"EXAMPLE.COM", "http://example.com/", true},
      {"*.example.com", "http://www.example.com/", true},  // lenient
      // '*' alone, or as an entry.
      {"*", "http://anything.test/", true},
      {"*", "http://[::1]:8080/", true},
      {"foo.test,*", "http://bar.test/", true},
      // Names never match IPs and IPs never match names (no DNS).
      {"localhost", "http://localhost/", true},
      {"localhost", "http://127.0.0.1/", false},
      {"127.0.0.1", "http://127.0.0.1/", true},
      {"127.0.0.1", "http://localhost/", false},
      {"0.1", "http://10.0.0.1/", false},
      // IP literals and CIDR.
      {"10.0.0.0/8", "http://10.9.9.9/", true},
      {"10.0.0.0/8", "http://11.0.0.1/", false},
      {"::1", "http://[::1]/", true},
      {"[::1]", "http://[::1]/", true},
      {"fd00::/8", "http://[fd00::5]/", true},
      {"fd00::/8", "http://[fe00::5]/", false},
      // Separators: commas and blanks, any number.
      {"  a.test ,, b.test\tc.test ", "http://a.test/", true},
      {"  a.test ,, b.test\tc.test ", "http://b.test/", true},
      {"  a.test ,, b.test\tc.test ", "http://c.test/", true},
      {"  a.test ,, b.test\tc.test ", "http://d.test/", false},
      // Port-specific entries.
      {"example.com:8080", "http://example.com:8080/", true},
      {"example.com:8080", "http://www.example.com:8080/", true},
      {"example.com:8080", "http://example.com/", false},
      {"[::1]:8080", "http://[::1]:8080/", true},
      {"[::1]:8080", "http://[::1]/", false},
      // Empty: nothing bypassed.
      {"", "http://localhost/", false},
  };
  for (const MatchCase &c : kCases) {
    SCOPED_TRACE(std::string(c.rules) + " vs " + c.url);
    cn_proxy_bypass_rules rules;
    cn_proxy_bypass_rules_init(&rules);
    EXPECT_EQ(0u, cn_proxy_bypass_rules_parse_no_proxy(&rules, c.rules));
    EXPECT_EQ(c.bypass, Matches(rules, c.url));
    cn_proxy_bypass_rules_free(&rules);
  }
}

TEST(ProxyBypassRulesTest, NoProxyIgnoresMalformedEntries) {
  cn_proxy_bypass_rules rules;
  cn_proxy_bypass_rules_init(&rules);
  EXPECT_EQ(5u, cn_proxy_bypass_rules_parse_no_proxy(
                    &rules, "bad!,good.test,10.0.0.0/99,[::1,.,x.test:0"));
  EXPECT_EQ(1u, rules.count);
  EXPECT_TRUE(Matches(rules, "http://good.test/"));
  EXPECT_FALSE(Matches(rules, "http://x.test/"));
  cn_proxy_bypass_rules_free(&rules);
}

TEST(ProxyBypassRulesTest, CopyAndToString) {
  cn_proxy_bypass_rules rules, copy;
  cn_proxy_bypass_rules_init(&rules);
  ASSERT_EQ(CN_OK, cn_proxy_bypass_rules_parse(&rules, " .a.test ; <local>,10.0.0.0/8", nullptr, 0));
  cn_proxy_bypass_rules_parse_no_proxy(&rules, "b.test");
  cn_proxy_bypass_rules_copy(&copy, &rules);
  cn_proxy_bypass_rules_free(&rules);
  char *s = cn_proxy_bypass_rules_to_string(&copy);
  EXPECT_STREQ(".a.test,<local>,10.0.0.0/8,b.test", s);
  free(s);
  EXPECT_TRUE(Matches(copy, "http://x.a.test/"));
  EXPECT_TRUE(Matches(copy, "http://b.test/"));
  EXPECT_TRUE(Matches(copy, "http://10.2.3.4/"));
  EXPECT_FALSE(Matches(copy, "http://c.test/"));
  cn_proxy_bypass_rules_free(&copy);
}

}  // namespace
