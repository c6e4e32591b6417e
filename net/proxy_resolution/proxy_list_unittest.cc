// Proxy chains, proxy lists, the bad-proxy memory, deprioritisation and the
// per-request fallback record (cn_proxy_info).
#include "net/proxy_resolution/proxy_list.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "net/base/net_errors.h"
#include "net/proxy_resolution/proxy_chain.h"
#include "net/proxy_resolution/proxy_info.h"
#include "net/proxy_resolution/proxy_retry_info.h"

namespace {

std::string Take(char *s) {
  std::string r = s ? s : "<null>";
  free(s);
  return r;
}

std::string Key(const cn_proxy_chain &c) { return Take(cn_proxy_chain_key(&c)); }

std::string Str(const cn_proxy_list &l) { return Take(cn_proxy_list_to_string(&l)); }

cn_proxy_list ParseList(const char *text) {
  cn_proxy_list l;
  EXPECT_EQ(CN_OK, cn_proxy_list_parse(text, strlen(text), &l)) << text;
  return l;
}

cn_proxy_chain ParseChain(const char *text) {
  cn_proxy_chain c;
  EXPECT_EQ(CN_OK, cn_proxy_chain_parse(text, strlen(text), &c)) << text;
  return c;
}

TEST(ProxyChainTest, ParseAndKey) {
  const struct {
    const char *input;
    size_t count;
    const char *key;
  } kCases[] = {
      {"direct://", 0, "direct"},
      {"DIRECT", 0, "direct"},
      {"https://proxy.test:443", 1, "https://proxy.test:443"},
      {"proxy:3128", 1, "http://proxy:3128"},
      {"https://user:secret@proxy.test", 1, "https://proxy.test:443"},
      {"[https://a.test:443 http://b.test]", 2, "[https://a.test:443 http://b.test:80]"},
      {" [ https://a.test  https://[::1]:8443 ] ", 2, "[https://a.test:443 https://[::1]:8443]"},
      {"[https://only.test]", 1, "https://only.test:443"},
      // SOCKS5 first, HTTP(S) hops after it.
      {"socks5h://s.test", 1, "socks5h://s.test:1080"},
      {"[socks5://127.0.0.1:1080 https://p2:443]", 2, "[socks5://127.0.0.1:1080 https://p2:443]"},
      {"[socks5h://u:p@s.test http://a.test https://b.test]", 3,
       "[socks5h://s.test:1080 http://a.test:80 https://b.test:443]"},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.input);
    cn_proxy_chain chain = ParseChain(c.input);
    EXPECT_EQ(c.count, chain.count);
    EXPECT_EQ(c.count == 0, cn_proxy_chain_is_direct(&chain));
    EXPECT_EQ(c.key, Key(chain));
    if (c.count)
      EXPECT_EQ(&chain.servers[0], cn_proxy_chain_first(&chain));
    else
      EXPECT_EQ(nullptr, cn_proxy_chain_first(&chain));
    cn_proxy_chain_free(&chain);
  }
}

TEST(ProxyChainTest, RejectsInvalid) {
  const struct {
    const char *input;
    int error;
  } kCases[] = {
      {"", CN_ERR_INVALID_ARGUMENT},
      {"[]", CN_ERR_INVALID_ARGUMENT},
      {"[  ]", CN_ERR_INVALID_ARGUMENT},
      {"[direct://]", CN_ERR_INVALID_ARGUMENT},
      {"[https://a.test direct]", CN_ERR_INVALID_ARGUMENT},
      {"[https://a.test", CN_ERR_INVALID_ARGUMENT},
      // SOCKS only as the first hop.
      {"[https://a.test socks5://b:1]", CN_ERR_INVALID_ARGUMENT},
      {"[https://a.test socks5h://b:1 https://c.test]", CN_ERR_INVALID_ARGUMENT},
      {"[socks5://a:1 socks5h://b:1]", CN_ERR_INVALID_ARGUMENT},
      {"[socks4://b:1 https://a.test]", CN_ERR_UNKNOWN_URL_SCHEME},
      {"socks4://b:1", CN_ERR_UNKNOWN_URL_SCHEME},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.input);
    cn_proxy_chain chain;
    EXPECT_EQ(c.error, cn_proxy_chain_parse(c.input, strlen(c.input), &chain));
    EXPECT_EQ(0u, chain.count);
    EXPECT_EQ(nullptr, chain.servers);
  }
}

TEST(ProxyChainTest, EqualityCopyAndAppend) {
  cn_proxy_chain a = ParseChain("https://u:p@a.test");
  cn_proxy_chain b = ParseChain("https://a.test:443");
  cn_proxy_chain c = ParseChain("[https://a.test https://b.test]");
  cn_proxy_chain d;
  cn_proxy_chain_init_direct(&d);
  EXPECT_TRUE(cn_proxy_chain_equal(&a, &b));
  EXPECT_FALSE(cn_proxy_chain_equal(&a, &c));
  EXPECT_FALSE(cn_proxy_chain_equal(&a, &d));

  // Appending b.test to a copy of a gives c; DIRECT cannot be appended.
  cn_proxy_chain e;
  cn_proxy_chain_copy(&e, &a);
  cn_proxy_server s;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("https://b.test", &s));
  EXPECT_EQ(CN_OK, cn_proxy_chain_append(&e, &s));
  cn_proxy_server_free(&s);
  EXPECT_TRUE(cn_proxy_chain_equal(&e, &c));
  cn_proxy_server_init_direct(&s);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_proxy_chain_append(&e, &s));
  EXPECT_EQ(2u, e.count);
  // The copy kept the credentials, deep.
  cn_proxy_chain_free(&a);
  EXPECT_STREQ("u", e.servers[0].username);
  EXPECT_STREQ("p", e.servers[0].password);

  // A SOCKS server is appended only to an empty chain.
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("socks5h://s.test", &s));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_proxy_chain_append(&e, &s));
  EXPECT_EQ(2u, e.count);
  cn_proxy_chain g;
  cn_proxy_chain_init_single(&g, &s);
  EXPECT_EQ(1u, g.count);
  EXPECT_EQ("socks5h://s.test:1080", Key(g));
  cn_proxy_server_free(&s);
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("https://b.test", &s));
  EXPECT_EQ(CN_OK, cn_proxy_chain_append(&g, &s));
  EXPECT_EQ("[socks5h://s.test:1080 https://b.test:443]", Key(g));
  cn_proxy_server_free(&s);
  cn_proxy_chain_free(&g);
  cn_proxy_server_init_direct(&s);

  // A single DIRECT server makes the DIRECT chain.
  cn_proxy_chain f;
  cn_proxy_chain_init_single(&f, &s);
  EXPECT_TRUE(cn_proxy_chain_is_direct(&f));
  for (cn_proxy_chain *x : {&b, &c, &d, &e, &f})
    cn_proxy_chain_free(x);
}

TEST(ProxyListTest, ParseAndToString) {
  const struct {
    const char *input;
    size_t count;
    const char *expected;
  } kCases[] = {
      {"https://p1:443,https://p2:443,direct://", 3, "https://p1:443,https://p2:443,direct"},
      {" p1:80 , direct ", 2, "http://p1:80,direct"},
      {"direct://", 1, "direct"},
      {"https://u:secret@p.test", 1, "https://p.test:443"},
      {"[https://a.test https://b.test],direct", 2, "[https://a.test:443 https://b.test:443],direct"},
      {"socks5h://s:1080,https://p:443,direct://", 3, "socks5h://s:1080,https://p:443,direct"},
      {"[socks5://s https://p],socks5://t", 2, "[socks5://s:1080 https://p:443],socks5://t:1080"},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.input);
    cn_proxy_list l = ParseList(c.input);
    EXPECT_EQ(c.count, l.count);
    std::string s = Str(l);
    EXPECT_EQ(c.expected, s);
    // The string form parses back to the same list.
    cn_proxy_list again = ParseList(s.c_str());
    EXPECT_TRUE(cn_proxy_list_equal(&l, &again));
    cn_proxy_list_free(&again);
    cn_proxy_list_free(&l);
  }
}

TEST(ProxyListTest, RejectsInvalid) {
  const struct {
    const char *input;
    int error;
  } kCases[] = {
      {"", CN_ERR_INVALID_ARGUMENT},
      {"a:80,,b:80", CN_ERR_INVALID_ARGUMENT},
      {"a:80,", CN_ERR_INVALID_ARGUMENT},
      {",a:80", CN_ERR_INVALID_ARGUMENT},
      {"a:80,socks4://b:1080", CN_ERR_UNKNOWN_URL_SCHEME},
      // Lists take URI forms only, not PAC's "SOCKS5 host:port".
      {"SOCKS5 s:1080", CN_ERR_INVALID_ARGUMENT},
      {"a:80,[https://p socks5://s]", CN_ERR_INVALID_ARGUMENT},
      {"a:80,http://b:0", CN_ERR_INVALID_ARGUMENT},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.input);
    cn_proxy_list l;
    EXPECT_EQ(c.error, cn_proxy_list_parse(c.input, strlen(c.input), &l));
    EXPECT_EQ(0u, l.count);
  }
}

TEST(ProxyListTest, DirectAndEquality) {
  cn_proxy_list a = ParseList("direct");
  cn_proxy_list b = ParseList("https://p:443,direct");
  cn_proxy_list c;
  cn_proxy_list_init(&c);
  EXPECT_TRUE(cn_proxy_list_is_direct(&a));
  EXPECT_FALSE(cn_proxy_list_is_direct(&b));
  EXPECT_FALSE(cn_proxy_list_is_direct(&c));
  EXPECT_EQ("", Str(c));
  cn_proxy_list_set_direct(&b);
  EXPECT_TRUE(cn_proxy_list_equal(&a, &b));
  cn_proxy_list_free(&a);
  cn_proxy_list_free(&b);
}

TEST(ProxyRetryInfoTest, MarkLookupAndExpire) {
  cn_proxy_retry_map m;
  cn_proxy_retry_map_init(&m);
  EXPECT_TRUE(cn_proxy_retry_map_mark_bad(&m, "https://p1:443", CN_ERR_CONNECTION_REFUSED, 1000,
                                          5000));
  EXPECT_EQ(nullptr, cn_proxy_retry_map_lookup(&m, "https://p2:443", 1000));
  const cn_proxy_retry_info *info = cn_proxy_retry_map_lookup(&m, "https://p1:443", 1000);
  ASSERT_NE(nullptr, info);
  EXPECT_EQ(6000u, info->bad_until_ms);
  EXPECT_EQ(5000u, info->retry_ms);
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, info->net_error);
  EXPECT_NE(nullptr, cn_proxy_retry_map_lookup(&m, "https://p1:443", 5999));
  // Bad while now < bad_until.
  EXPECT_EQ(nullptr, cn_proxy_retry_map_lookup(&m, "https://p1:443", 6000));

  // DIRECT is never marked.
  EXPECT_FALSE(cn_proxy_retry_map_mark_bad(&m, "direct", CN_ERR_CONNECTION_REFUSED, 1000, 5000));
  EXPECT_EQ(1u, cn_proxy_retry_map_count(&m));

  // Expired entries are ignored by lookups and dropped on request.
  cn_proxy_retry_map_remove_expired(&m, 5999);
  EXPECT_EQ(1u, cn_proxy_retry_map_count(&m));
  cn_proxy_retry_map_remove_expired(&m, 6000);
  EXPECT_EQ(0u, cn_proxy_retry_map_count(&m));
  cn_proxy_retry_map_free(&m);
}

TEST(ProxyRetryInfoTest, ShorterMarkNeverShortensLongerOne) {
  cn_proxy_retry_map m;
  cn_proxy_retry_map_init(&m);
  cn_proxy_retry_map_mark_bad(&m, "k", CN_ERR_CONNECTION_REFUSED, 0, 10000);
  cn_proxy_retry_map_mark_bad(&m, "k", CN_ERR_TIMED_OUT, 1000, 1000);  // until 2000
  const cn_proxy_retry_info *info = cn_proxy_retry_map_lookup(&m, "k", 5000);
  ASSERT_NE(nullptr, info);
  EXPECT_EQ(10000u, info->bad_until_ms);
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, info->net_error);
  // A later failure extends it and records the new reason.
  cn_proxy_retry_map_mark_bad(&m, "k", CN_ERR_TIMED_OUT, 9000, 10000);
  info = cn_proxy_retry_map_lookup(&m, "k", 9000);
  ASSERT_NE(nullptr, info);
  EXPECT_EQ(19000u, info->bad_until_ms);
  EXPECT_EQ(CN_ERR_TIMED_OUT, info->net_error);
  cn_proxy_retry_map_clear(&m);
  EXPECT_EQ(0u, cn_proxy_retry_map_count(&m));
  EXPECT_EQ(nullptr, cn_proxy_retry_map_lookup(&m, "k", 9000));
  cn_proxy_retry_map_free(&m);
}

TEST(ProxyListTest, DeprioritizeBadKeepsOrderAndDropsNothing) {
  cn_proxy_retry_map m;
  cn_proxy_retry_map_init(&m);
  cn_proxy_list l = ParseList("https://a:443,https://b:443,https://c:443,direct");

  // Nothing bad: nothing moves.
  EXPECT_EQ(0u, cn_proxy_list_deprioritize_bad(&l, &m, 1000));
  EXPECT_EQ("https://a:443,https://b:443,https://c:443,direct", Str(l));

  cn_proxy_retry_map_mark_bad(&m, "https://b:443", CN_ERR_CONNECTION_RESET, 1000, 5000);
  EXPECT_EQ(1u, cn_proxy_list_deprioritize_bad(&l, &m, 2000));
  EXPECT_EQ("https://a:443,https://c:443,direct,https://b:443", Str(l));

  // Two bad ones keep their relative order at the end.
  cn_proxy_list_free(&l);
  l = ParseList("https://a:443,https://b:443,https://c:443,direct");
  cn_proxy_retry_map_mark_bad(&m, "https://a:443", CN_ERR_CONNECTION_RESET, 1000, 5000);
  EXPECT_EQ(2u, cn_proxy_list_deprioritize_bad(&l, &m, 2000));
  EXPECT_EQ("https://c:443,direct,https://a:443,https://b:443", Str(l));

  // Once expired, the order is the configured one again.
  cn_proxy_list_free(&l);
  l = ParseList("https://a:443,https://b:443,https://c:443,direct");
  EXPECT_EQ(0u, cn_proxy_list_deprioritize_bad(&l, &m, 6000));
  EXPECT_EQ("https://a:443,https://b:443,https://c:443,direct", Str(l));

  // Every chain bad: all still there, in order.
  cn_proxy_list_free(&l);
  l = ParseList("https://a:443,https://b:443");
  EXPECT_EQ(2u, cn_proxy_list_deprioritize_bad(&l, &m, 2000));
  EXPECT_EQ("https://a:443,https://b:443", Str(l));

  cn_proxy_list_free(&l);
  cn_proxy_retry_map_free(&m);
}

TEST(ProxyInfoTest, FallbackWalksTheListAndRecordsFailures) {
  cn_proxy_list l = ParseList("https://a:443,direct,https://b:443");
  cn_proxy_info info;
  cn_proxy_info_init(&info);
  EXPECT_EQ(nullptr, cn_proxy_info_chain(&info));
  cn_proxy_info_use_list(&info, &l);
  cn_proxy_list_free(&l);
  ASSERT_NE(nullptr, cn_proxy_info_chain(&info));
  EXPECT_EQ("https://a:443", Key(*cn_proxy_info_chain(&info)));
  EXPECT_FALSE(cn_proxy_info_is_direct(&info));

  // An error that does not allow fallback ends the request where it is.
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED,
            cn_proxy_info_fallback(&info, CN_ERR_TUNNEL_CONNECTION_FAILED));
  EXPECT_EQ("https://a:443", Key(*cn_proxy_info_chain(&info)));
  EXPECT_EQ(0u, info.num_failures);

  EXPECT_EQ(CN_OK, cn_proxy_info_fallback(&info, CN_ERR_CONNECTION_REFUSED));
  EXPECT_TRUE(cn_proxy_info_is_direct(&info));
  ASSERT_EQ(1u, info.num_failures);
  EXPECT_STREQ("https://a:443", info.failures[0].chain_key);
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, info.failures[0].net_error);

  // DIRECT failing is not recorded (it is never marked bad).
  EXPECT_EQ(CN_OK, cn_proxy_info_fallback(&info, CN_ERR_NAME_NOT_RESOLVED));
  EXPECT_EQ("https://b:443", Key(*cn_proxy_info_chain(&info)));
  EXPECT_EQ(1u, info.num_failures);

  // The last chain failing: the error is final and the list exhausted.
  EXPECT_EQ(CN_ERR_CONNECTION_TIMED_OUT,
            cn_proxy_info_fallback(&info, CN_ERR_CONNECTION_TIMED_OUT));
  EXPECT_EQ(nullptr, cn_proxy_info_chain(&info));
  EXPECT_FALSE(cn_proxy_info_is_direct(&info));
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, cn_proxy_info_fallback(&info, CN_ERR_CONNECTION_REFUSED));

  // use_direct restarts with a clean record.
  cn_proxy_info_use_direct(&info);
  EXPECT_TRUE(cn_proxy_info_is_direct(&info));
  EXPECT_EQ(0u, info.num_failures);
  cn_proxy_info_free(&info);
}

}  // namespace
