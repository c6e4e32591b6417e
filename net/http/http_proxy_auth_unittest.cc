// The proxy authentication rule every exchange with a proxy shares.
#include "net/http/http_proxy_auth.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "net/base/net_errors.h"

namespace {

struct Challenges {
  cn_http_headers h;
  explicit Challenges(std::initializer_list<const char *> values) {
    cn_http_headers_init(&h);
    for (const char *v : values)
      cn_http_headers_add(&h, "Proxy-Authenticate", v);
  }
  ~Challenges() { cn_http_headers_free(&h); }
};

struct Proxy {
  cn_proxy_server s;
  explicit Proxy(const char *text) { EXPECT_EQ(CN_OK, cn_proxy_server_parse(text, &s)); }
  ~Proxy() { cn_proxy_server_free(&s); }
};

bool OffersBasic(std::initializer_list<const char *> values) {
  Challenges c(values);
  return cn_http_proxy_auth_offers_basic(&c.h);
}

TEST(HttpProxyAuthTest, BasicIsFoundAmongChallenges) {
  EXPECT_TRUE(OffersBasic({"Basic realm=\"x\""}));
  EXPECT_TRUE(OffersBasic({"Negotiate", "basic realm=x"}));
  EXPECT_TRUE(OffersBasic({"Negotiate, Basic realm=x"}));
  EXPECT_TRUE(OffersBasic({"Basic"}));
  EXPECT_FALSE(OffersBasic({"Basically realm=x"}));
  EXPECT_FALSE(OffersBasic({"Digest realm=x, nonce=basic"}));
  // A comma inside a quoted string separates nothing.
  EXPECT_FALSE(OffersBasic({"Digest realm=\"x, Basic y\", nonce=1"}));
  EXPECT_FALSE(OffersBasic({"Digest realm=\"a\\\", Basic b\""}));  // an escaped quote
  EXPECT_TRUE(OffersBasic({"Digest realm=\"x, y\", Basic realm=z"}));
  EXPECT_FALSE(OffersBasic({}));
}

TEST(HttpProxyAuthTest, A407IsAnsweredOnceWithCredentials) {
  Proxy with("https://u:p@proxy.test:443");
  Proxy without("https://proxy.test:443");
  Challenges basic({"Basic realm=x"});
  Challenges digest({"Digest realm=x"});
  EXPECT_EQ(CN_OK, cn_http_proxy_auth_on_407(&with.s, false, &basic.h));
  EXPECT_EQ(CN_ERR_PROXY_AUTH_REQUESTED, cn_http_proxy_auth_on_407(&with.s, true, &basic.h));
  EXPECT_EQ(CN_ERR_PROXY_AUTH_REQUESTED, cn_http_proxy_auth_on_407(&without.s, false, &basic.h));
  EXPECT_EQ(CN_ERR_PROXY_AUTH_REQUESTED, cn_http_proxy_auth_on_407(nullptr, false, &basic.h));
  EXPECT_EQ(CN_ERR_PROXY_AUTH_UNSUPPORTED, cn_http_proxy_auth_on_407(&with.s, false, &digest.h));
}

TEST(HttpProxyAuthTest, ConnectFailures) {
  Proxy with("https://u:p@proxy.test:443");
  Challenges basic({"Basic realm=x"});
  bool retry = true;
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED,
            cn_http_proxy_connect_failure(302, &with.s, false, &basic.h, &retry));
  EXPECT_FALSE(retry);
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED,
            cn_http_proxy_connect_failure(100, &with.s, false, &basic.h, &retry));
  EXPECT_FALSE(retry);
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED,
            cn_http_proxy_connect_failure(201, &with.s, false, &basic.h, &retry));
  EXPECT_FALSE(retry);
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED,
            cn_http_proxy_connect_failure(500, &with.s, false, &basic.h, &retry));
  EXPECT_FALSE(retry);
  EXPECT_EQ(CN_OK, cn_http_proxy_connect_failure(407, &with.s, false, &basic.h, &retry));
  EXPECT_TRUE(retry);
  EXPECT_EQ(CN_ERR_PROXY_AUTH_REQUESTED,
            cn_http_proxy_connect_failure(407, &with.s, true, &basic.h, &retry));
  EXPECT_FALSE(retry);
}

TEST(HttpProxyAuthTest, HeaderValueIsBasic) {
  Proxy with("https://Aladdin:open%20sesame@proxy.test:443");
  char *v = cn_http_proxy_auth_header_value(&with.s);
  EXPECT_EQ("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", std::string(v));
  free(v);
}

}  // namespace
