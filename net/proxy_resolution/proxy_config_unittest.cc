#include "net/proxy_resolution/proxy_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

#include "net/base/net_errors.h"

namespace {

std::string Take(char *s) {
  std::string r = s ? s : "<null>";
  free(s);
  return r;
}

// The proxy list |cfg| gives |url_text|, as a string; "+bypassed" appended
// when a bypass rule decided.
std::string ListFor(const cn_proxy_config &cfg, const char *url_text) {
  cn_url url;
  EXPECT_EQ(CN_OK, cn_url_parse(url_text, &url)) << url_text;
  cn_proxy_list out;
  bool bypassed = true;
  cn_proxy_config_apply(&cfg, &url, &out, &bypassed);
  std::string s = Take(cn_proxy_list_to_string(&out));
  if (bypassed)
    s += "+bypassed";
  cn_proxy_list_free(&out);
  cn_url_free(&url);
  return s;
}

class ProxyConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { cn_proxy_config_init(&cfg_); }
  void TearDown() override { cn_proxy_config_free(&cfg_); }
  int SetRules(const char *rules) {
    err_[0] = 'x';
    err_[1] = '\0';
    return cn_proxy_config_set_rules(&cfg_, rules, err_, sizeof(err_));
  }
  std::string For(const char *url) { return ListFor(cfg_, url); }

  cn_proxy_config cfg_;
  char err_[160];
};

TEST_F(ProxyConfigTest, NoRulesIsDirect) {
  EXPECT_EQ(CN_PROXY_RULES_NONE, cfg_.type);
  EXPECT_EQ("direct", For("http://origin.test/"));
  ASSERT_EQ(CN_OK, SetRules(""));
  EXPECT_STREQ("", err_);
  EXPECT_EQ(CN_PROXY_RULES_NONE, cfg_.type);
  EXPECT_EQ("direct", For("https://origin.test/"));
  ASSERT_EQ(CN_OK, SetRules("  ;  "));
  EXPECT_EQ(CN_PROXY_RULES_NONE, cfg_.type);
  EXPECT_EQ("direct", Take(cn_proxy_config_to_string(&cfg_)));
}

TEST_F(ProxyConfigTest, RulesTable) {
  const struct {
    const char *rules;
    cn_proxy_rules_type type;
    const char *http;
    const char *https;
    const char *ws;
  } kCases[] = {
      // One list for every scheme.
      {"proxy:3128", CN_PROXY_RULES_LIST, "http://proxy:3128", "http://proxy:3128",
       "http://proxy:3128"},
      {"https://p1:443,https://p2:443,direct://", CN_PROXY_RULES_LIST,
       "https://p1:443,https://p2:443,direct", "https://p1:443,https://p2:443,direct",
       "https://p1:443,https://p2:443,direct"},
      {"direct://", CN_PROXY_RULES_LIST, "direct", "direct", "direct"},
      // Per scheme; WebSockets prefer the https list.
      {"http=p1:3128;https=https://p2:443", CN_PROXY_RULES_PER_SCHEME, "http://p1:3128",
       "https://p2:443", "https://p2:443"},
      {"http=p1:3128", CN_PROXY_RULES_PER_SCHEME, "http://p1:3128", "direct", "http://p1:3128"},
      {"https=https://a:443,https://b:443,direct://;", CN_PROXY_RULES_PER_SCHEME, "direct",
       "https://a:443,https://b:443,direct", "https://a:443,https://b:443,direct"},
      {" http = p1:80 ; https = p2:443 ", CN_PROXY_RULES_PER_SCHEME, "http://p1:80",
       "http://p2:443", "http://p2:443"},
      {"HTTP=p:80", CN_PROXY_RULES_PER_SCHEME, "http://p:80", "direct", "http://p:80"},
      {"ftp=f:21;http=p:80", CN_PROXY_RULES_PER_SCHEME, "http://p:80", "direct", "http://p:80"},
      {"ftp=f:21", CN_PROXY_RULES_PER_SCHEME, "direct", "direct", "direct"},
      {"http=a:80;http=b:80", CN_PROXY_RULES_PER_SCHEME, "http://a:80,http://b:80", "direct",
       "http://a:80,http://b:80"},
      // SOCKS5 URIs in lists, per scheme too.
      {"socks5h://s:1080,direct://", CN_PROXY_RULES_LIST, "socks5h://s:1080,direct",
       "socks5h://s:1080,direct", "socks5h://s:1080,direct"},
      {"https=socks5://s", CN_PROXY_RULES_PER_SCHEME, "direct", "socks5://s:1080",
       "socks5://s:1080"},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.rules);
    ASSERT_EQ(CN_OK, SetRules(c.rules)) << err_;
    EXPECT_STREQ("", err_);
    EXPECT_EQ(c.type, cfg_.type);
    EXPECT_EQ(c.http, For("http://origin.test/"));
    EXPECT_EQ(c.https, For("https://origin.test/"));
    EXPECT_EQ(c.ws, For("wss://origin.test/"));
  }
}

TEST_F(ProxyConfigTest, InvalidRulesLeaveConfigUnchanged) {
  ASSERT_EQ(CN_OK, SetRules("https://keep.test:443"));
  const struct {
    const char *rules;
    int error;
  } kCases[] = {
      {"http=", CN_ERR_INVALID_ARGUMENT},
      {"http= ;https=p:1", CN_ERR_INVALID_ARGUMENT},
      {"socks=s:1080", CN_ERR_UNKNOWN_URL_SCHEME},
      {"gopher=x:1", CN_ERR_INVALID_ARGUMENT},
      {"=x:1", CN_ERR_INVALID_ARGUMENT},
      {"p:80;http=q:80", CN_ERR_INVALID_ARGUMENT},
      {"http=q:80;p:80", CN_ERR_INVALID_ARGUMENT},
      {"p:80;q:80", CN_ERR_INVALID_ARGUMENT},
      {"http=socks4://x:1", CN_ERR_UNKNOWN_URL_SCHEME},
      {"http=[https://p socks5://x:1]", CN_ERR_INVALID_ARGUMENT},
      {"p1:80,,p2:80", CN_ERR_INVALID_ARGUMENT},
      {"https=https://user:secret@p:0", CN_ERR_INVALID_ARGUMENT},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.rules);
    EXPECT_EQ(c.error, SetRules(c.rules));
    std::string err = err_;
    EXPECT_FALSE(err.empty());
    EXPECT_EQ(std::string::npos, err.find("secret")) << err;  // never echo credentials
    EXPECT_EQ(CN_PROXY_RULES_LIST, cfg_.type);
    EXPECT_EQ("https://keep.test:443", For("http://origin.test/"));
  }
}

TEST_F(ProxyConfigTest, ExplicitProxyAppliesToLoopbackDestinations) {
  // The decision documented in proxy_bypass_rules.h: no implicit bypass.
  ASSERT_EQ(CN_OK, SetRules("https://127.0.0.1:8443"));
  EXPECT_EQ("https://127.0.0.1:8443", For("https://127.0.0.1:9443/"));
  EXPECT_EQ("https://127.0.0.1:8443", For("http://localhost/"));
  EXPECT_EQ("https://127.0.0.1:8443", For("https://[::1]/"));
  // ...unless asked for.
  ASSERT_EQ(CN_OK, cn_proxy_config_add_bypass(&cfg_, "<local>", err_, sizeof(err_)));
  EXPECT_EQ("direct+bypassed", For("https://127.0.0.1:9443/"));
  EXPECT_EQ("direct+bypassed", For("http://localhost/"));
  EXPECT_EQ("https://127.0.0.1:8443", For("https://origin.test/"));
}

TEST_F(ProxyConfigTest, BypassRulesApplyToEveryShape) {
  ASSERT_EQ(CN_OK, cn_proxy_config_add_bypass(&cfg_, "*.internal;10.0.0.0/8", err_, sizeof(err_)));
  // With no proxy rules, bypass rules change nothing (and do not claim it).
  EXPECT_EQ("direct", For("https://a.internal/"));

  ASSERT_EQ(CN_OK, SetRules("https://proxy.test:443"));
  EXPECT_EQ("direct+bypassed", For("https://a.internal/"));
  EXPECT_EQ("direct+bypassed", For("http://10.1.1.1/"));
  EXPECT_EQ("https://proxy.test:443", For("https://internal/"));
  EXPECT_EQ("https://proxy.test:443", For("https://origin.test/"));

  // Replacing the rules keeps the bypass list.
  ASSERT_EQ(CN_OK, SetRules("http=p:80"));
  EXPECT_EQ("direct+bypassed", For("http://a.internal/"));
  EXPECT_EQ("http://p:80", For("http://origin.test/"));

  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_proxy_config_add_bypass(&cfg_, "bad!", err_, sizeof(err_)));
  EXPECT_EQ(2u, cfg_.bypass.count);
}

TEST_F(ProxyConfigTest, ToStringNeverShowsCredentials) {
  ASSERT_EQ(CN_OK, SetRules("http=http://u:secret@p:80;https=https://u:secret@q:443,direct"));
  ASSERT_EQ(CN_OK, cn_proxy_config_add_bypass(&cfg_, "<local>", err_, sizeof(err_)));
  EXPECT_EQ("http=http://p:80;https=https://q:443,direct bypass=<local>",
            Take(cn_proxy_config_to_string(&cfg_)));
  // The credentials are still there for the auth layer.
  EXPECT_STREQ("secret", cfg_.for_http.chains[0].servers[0].password);

  // A copy is deep.
  cn_proxy_config copy;
  cn_proxy_config_copy(&copy, &cfg_);
  cn_proxy_config_free(&cfg_);
  cn_proxy_config_init(&cfg_);
  EXPECT_EQ("https://q:443,direct", ListFor(copy, "https://origin.test/"));
  EXPECT_EQ("direct+bypassed", ListFor(copy, "https://intranet/"));
  EXPECT_STREQ("secret", copy.for_https.chains[0].servers[0].password);
  cn_proxy_config_free(&copy);
}

// The environment as tests want it: nothing from the real process.
class FakeEnv {
 public:
  FakeEnv() = default;
  FakeEnv(std::initializer_list<std::pair<const std::string, std::string>> vars) : vars_(vars) {}
  static const char *Get(void *arg, const char *name) {
    auto *self = static_cast<FakeEnv *>(arg);
    auto it = self->vars_.find(name);
    return it == self->vars_.end() ? nullptr : it->second.c_str();
  }

 private:
  std::map<std::string, std::string> vars_;
};

class ProxyConfigEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { cn_proxy_config_init(&cfg_); }
  void TearDown() override { cn_proxy_config_free(&cfg_); }
  int Load(FakeEnv env) {
    err_[0] = 'x';
    err_[1] = '\0';
    return cn_proxy_config_from_env(&cfg_, &FakeEnv::Get, &env, err_, sizeof(err_));
  }
  std::string For(const char *url) { return ListFor(cfg_, url); }

  cn_proxy_config cfg_;
  char err_[160];
};

TEST_F(ProxyConfigEnvTest, VariablesAndPrecedence) {
  const struct {
    const char *name;
    FakeEnv env;
    const char *http;
    const char *https;
    const char *wss;
  } kCases[] = {
      {"empty", {}, "direct", "direct", "direct"},
      {"http_proxy only for http",
       {{"http_proxy", "http://hp:3128"}},
       "http://hp:3128",
       "direct",
       "http://hp:3128"},
      // httpoxy: uppercase HTTP_PROXY is never read.
      {"HTTP_PROXY ignored", {{"HTTP_PROXY", "http://evil:1"}}, "direct", "direct", "direct"},
      {"HTTP_PROXY ignored, http_proxy used",
       {{"HTTP_PROXY", "http://evil:1"}, {"http_proxy", "http://good:2"}},
       "http://good:2",
       "direct",
       "http://good:2"},
      {"https_proxy", {{"https_proxy", "https://sp:443"}}, "direct", "https://sp:443",
       "https://sp:443"},
      {"HTTPS_PROXY", {{"HTTPS_PROXY", "https://SP:443"}}, "direct", "https://sp:443",
       "https://sp:443"},
      {"https_proxy beats HTTPS_PROXY",
       {{"https_proxy", "https://lower:443"}, {"HTTPS_PROXY", "https://upper:443"}},
       "direct",
       "https://lower:443",
       "https://lower:443"},
      {"all_proxy for both", {{"all_proxy", "ap:8080"}}, "http://ap:8080", "http://ap:8080",
       "http://ap:8080"},
      {"ALL_PROXY", {{"ALL_PROXY", "https://AP"}}, "https://ap:443", "https://ap:443",
       "https://ap:443"},
      {"all_proxy beats ALL_PROXY",
       {{"all_proxy", "lower:1"}, {"ALL_PROXY", "upper:1"}},
       "http://lower:1",
       "http://lower:1",
       "http://lower:1"},
      {"specific beats all_proxy",
       {{"http_proxy", "a:1"}, {"https_proxy", "https://b:2"}, {"all_proxy", "c:3"}},
       "http://a:1",
       "https://b:2",
       "http://c:3"},
      {"all_proxy fills the missing scheme",
       {{"https_proxy", "https://b:2"}, {"all_proxy", "c:3"}},
       "http://c:3",
       "https://b:2",
       "http://c:3"},
      {"HTTP_PROXY does not block all_proxy",
       {{"HTTP_PROXY", "evil:1"}, {"all_proxy", "c:3"}},
       "http://c:3",
       "http://c:3",
       "http://c:3"},
      // Empty means unset, so the next variable is consulted.
      {"empty https_proxy",
       {{"https_proxy", ""}, {"HTTPS_PROXY", "https://u:443"}},
       "direct",
       "https://u:443",
       "https://u:443"},
      {"empty all_proxy", {{"all_proxy", ""}, {"ALL_PROXY", "y:1"}}, "http://y:1", "http://y:1",
       "http://y:1"},
      {"all empty", {{"http_proxy", ""}, {"https_proxy", ""}}, "direct", "direct", "direct"},
      // SOCKS5 as curl takes it in all_proxy (socks5h: the proxy resolves).
      {"all_proxy socks5h",
       {{"all_proxy", "socks5h://127.0.0.1:1080"}},
       "socks5h://127.0.0.1:1080",
       "socks5h://127.0.0.1:1080",
       "socks5h://127.0.0.1:1080"},
      {"https_proxy socks5", {{"https_proxy", "socks5://s"}}, "direct", "socks5://s:1080",
       "socks5://s:1080"},
      // Scheme-less is http://, with a trailing slash tolerated.
      {"scheme-less https_proxy",
       {{"https_proxy", "proxy.corp:8080/"}},
       "direct",
       "http://proxy.corp:8080",
       "http://proxy.corp:8080"},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(CN_OK, Load(c.env)) << err_;
    EXPECT_STREQ("", err_);
    EXPECT_EQ(c.http, For("http://origin.test/"));
    EXPECT_EQ(c.https, For("https://origin.test/"));
    EXPECT_EQ(c.wss, For("wss://origin.test/"));
    cn_proxy_config_free(&cfg_);
  }
  cn_proxy_config_init(&cfg_);
}

TEST_F(ProxyConfigEnvTest, NoProxy) {
  const struct {
    const char *name;
    FakeEnv env;
    const char *url;
    const char *expected;
  } kCases[] = {
      {"domain", {{"https_proxy", "https://p"}, {"no_proxy", "example.com"}},
       "https://www.example.com/", "direct+bypassed"},
      {"domain itself", {{"https_proxy", "https://p"}, {"no_proxy", ".example.com"}},
       "https://example.com/", "direct+bypassed"},
      {"other host", {{"https_proxy", "https://p"}, {"no_proxy", "example.com"}},
       "https://other.test/", "https://p:443"},
      {"NO_PROXY", {{"https_proxy", "https://p"}, {"NO_PROXY", "example.com"}},
       "https://example.com/", "direct+bypassed"},
      {"no_proxy beats NO_PROXY",
       {{"https_proxy", "https://p"}, {"no_proxy", "a.test"}, {"NO_PROXY", "example.com"}},
       "https://example.com/", "https://p:443"},
      {"empty no_proxy falls to NO_PROXY",
       {{"https_proxy", "https://p"}, {"no_proxy", ""}, {"NO_PROXY", "example.com"}},
       "https://example.com/", "direct+bypassed"},
      {"star", {{"all_proxy", "p:1"}, {"no_proxy", "*"}}, "http://anything.test/",
       "direct+bypassed"},
      {"ip", {{"all_proxy", "p:1"}, {"no_proxy", "127.0.0.1,::1"}}, "http://[::1]:8080/",
       "direct+bypassed"},
      {"cidr", {{"all_proxy", "p:1"}, {"no_proxy", "10.0.0.0/8"}}, "http://10.2.3.4/",
       "direct+bypassed"},
      {"cidr miss", {{"all_proxy", "p:1"}, {"no_proxy", "10.0.0.0/8"}}, "http://11.2.3.4/",
       "http://p:1"},
      {"port", {{"all_proxy", "p:1"}, {"no_proxy", "a.test:8080"}}, "http://a.test:8080/",
       "direct+bypassed"},
      {"port miss", {{"all_proxy", "p:1"}, {"no_proxy", "a.test:8080"}}, "http://a.test/",
       "http://p:1"},
      // No implicit loopback bypass, as curl.
      {"loopback proxied", {{"http_proxy", "http://127.0.0.1:3128"}}, "http://127.0.0.1:8080/",
       "http://127.0.0.1:3128"},
      {"localhost proxied", {{"http_proxy", "http://127.0.0.1:3128"}}, "http://localhost/",
       "http://127.0.0.1:3128"},
      // no_proxy without any proxy: still DIRECT, not "bypassed".
      {"no proxy vars", {{"no_proxy", "*"}}, "http://a.test/", "direct"},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(CN_OK, Load(c.env)) << err_;
    EXPECT_EQ(c.expected, For(c.url));
    cn_proxy_config_free(&cfg_);
  }
  cn_proxy_config_init(&cfg_);
}

TEST_F(ProxyConfigEnvTest, CredentialsAreKeptButNeverPrinted) {
  ASSERT_EQ(CN_OK, Load({{"https_proxy", "https://u%40corp:p%3Ass@sp.test:443"}}));
  ASSERT_EQ(1u, cfg_.for_https.count);
  const cn_proxy_server &s = cfg_.for_https.chains[0].servers[0];
  EXPECT_STREQ("u@corp", s.username);
  EXPECT_STREQ("p:ss", s.password);
  std::string desc = Take(cn_proxy_config_to_string(&cfg_));
  EXPECT_EQ("https=https://sp.test:443", desc);
}

TEST_F(ProxyConfigEnvTest, SocksCredentialsAreKeptButNeverPrinted) {
  ASSERT_EQ(CN_OK, Load({{"ALL_PROXY", "socks5h://user:s%40cret@127.0.0.1:1080"}}));
  ASSERT_EQ(1u, cfg_.for_https.count);
  const cn_proxy_server &s = cfg_.for_https.chains[0].servers[0];
  EXPECT_EQ(CN_PROXY_SCHEME_SOCKS5H, s.scheme);
  EXPECT_STREQ("user", s.username);
  EXPECT_STREQ("s@cret", s.password);
  std::string desc = Take(cn_proxy_config_to_string(&cfg_));
  EXPECT_EQ(std::string::npos, desc.find("cret")) << desc;
  EXPECT_NE(std::string::npos, desc.find("socks5h://127.0.0.1:1080")) << desc;
}

TEST_F(ProxyConfigEnvTest, UnusableProxyIsAnError) {
  EXPECT_EQ(CN_ERR_UNKNOWN_URL_SCHEME, Load({{"https_proxy", "socks4://s:1080"}}));
  EXPECT_NE(std::string::npos, std::string(err_).find("https_proxy")) << err_;
  EXPECT_EQ(CN_PROXY_RULES_NONE, cfg_.type);
  cn_proxy_config_free(&cfg_);

  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
            Load({{"http_proxy", "ok:1"}, {"ALL_PROXY", "http://u:secret@bad host"}}));
  std::string err = err_;
  EXPECT_NE(std::string::npos, err.find("ALL_PROXY")) << err;
  EXPECT_EQ(std::string::npos, err.find("secret")) << err;
  EXPECT_EQ(CN_PROXY_RULES_NONE, cfg_.type);
  EXPECT_EQ(0u, cfg_.for_http.count);
  EXPECT_EQ("direct", For("http://a.test/"));
}

}  // namespace
