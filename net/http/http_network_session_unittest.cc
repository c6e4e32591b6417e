// The network session's planning (which pool, group and params serve a URL
// through a proxy chain) and the links between its pools.
#include "net/http/http_network_session.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "net/http/http_network_session_test_util.h"
#include "net/http/http_proxy_connect_job.h"
#include "net/proxy_resolution/proxy_chain.h"
#include "net/socket/socks5_connect_job.h"
#include "net/socket/ssl_connect_job.h"
#include "net/socket/transport_connect_job.h"

namespace {

using cnet_test::SocketScript;
using cnet_test::TestCompletion;

// One plan, flattened for assertions: every layer's pool name, group id and
// the interesting params, top first.
struct Layer {
  std::string pool;
  std::string group;
  std::string chain_key;
  std::string detail;  // per kind: transport host:port proxy?; ssl host; tunnel target
};

class HttpNetworkSessionTest : public cnet_test::SessionTestBase {
 protected:
  void SetUp() override {
    SessionTestBase::SetUp();
    MakeSession();
  }

  std::string PoolName(const cn_client_socket_pool *p) {
    if (p == transport())
      return "transport";
    if (p == ssl_proxy())
      return "ssl_proxy";
    if (p == tunnel())
      return "tunnel";
    if (p == ssl_origin())
      return "ssl_origin";
    if (p == cn_http_network_session_socks_pool(session_))
      return "socks";
    return "?";
  }

  // A tunnel layer (CONNECT or SOCKS5 params: the same field names): its
  // target and proxy into |l|, then the layer below it into the rest.
  template <typename TunnelParams>
  static void Tunnel(const TunnelParams *t, Layer *l, const cn_client_socket_pool **pool,
                     const char **group, const char **chain_key, cn_socket_params **params) {
    char hp[CN_HOST_PORT_STR_SIZE];
    char ps[CN_PROXY_SERVER_STR_SIZE];
    l->detail = std::string(cn_host_port_to_string(&t->target, hp, sizeof(hp))) + " via " +
                cn_proxy_server_to_string(&t->proxy, ps, sizeof(ps));
    *pool = t->lower_pool;
    *group = t->lower_group_id;
    *chain_key = t->lower_chain_key;
    *params = t->lower_params;
  }

  // Walks a plan down to the transport layer.
  std::vector<Layer> Layers(const cn_client_socket_pool *pool, const char *group,
                            const char *chain_key, cn_socket_params *params) {
    std::vector<Layer> out;
    for (;;) {
      Layer l{PoolName(pool), group, chain_key ? chain_key : "", ""};
      if (pool == transport()) {
        auto *t = reinterpret_cast<cn_transport_socket_params *>(params);
        l.detail = std::string(t->host) + ":" + std::to_string(t->port) +
                   (t->to_proxy ? " to_proxy" : "");
        out.push_back(l);
        return out;
      }
      if (pool == tunnel()) {
        Tunnel(reinterpret_cast<cn_http_proxy_tunnel_params *>(params), &l, &pool, &group,
               &chain_key, &params);
        out.push_back(l);
        continue;
      }
      if (pool == cn_http_network_session_socks_pool(session_)) {
        Tunnel(reinterpret_cast<cn_socks5_params *>(params), &l, &pool, &group, &chain_key,
               &params);
        out.push_back(l);
        continue;
      }
      auto *s = reinterpret_cast<cn_ssl_connect_params *>(params);
      l.detail = std::string(s->host) + (s->to_proxy ? " to_proxy" : "");
      out.push_back(l);
      pool = s->lower_pool;
      group = s->lower_group_id;
      chain_key = s->lower_chain_key;
      params = s->lower_params;
    }
  }

  // Plans |url| through |chain_text| ("direct" or a proxy).
  std::vector<Layer> Plan(const std::string &url, const std::string &chain_text,
                          bool *absolute = nullptr, std::string *request_proxy = nullptr) {
    cn_url u;
    EXPECT_EQ(CN_OK, cn_url_parse(url.c_str(), &u));
    cn_proxy_chain chain;
    EXPECT_EQ(CN_OK, cn_proxy_chain_parse(chain_text.c_str(), chain_text.size(), &chain));
    cn_http_connection_plan plan;
    EXPECT_EQ(CN_OK, cn_http_network_session_plan(session_, &u, &chain, &plan));
    std::vector<Layer> layers = Layers(plan.pool, plan.group_id, plan.chain_key, plan.params);
    if (absolute)
      *absolute = plan.absolute_form;
    if (request_proxy) {
      char ps[CN_PROXY_SERVER_STR_SIZE];
      *request_proxy = plan.request_proxy
                           ? cn_proxy_server_to_string(plan.request_proxy, ps, sizeof(ps))
                           : "";
    }
    cn_http_connection_plan_free(&plan);
    cn_proxy_chain_free(&chain);
    cn_url_free(&u);
    return layers;
  }

  static std::string Render(const std::vector<Layer> &layers) {
    std::string out;
    for (const auto &l : layers) {
      out += l.pool + " " + l.group + " [" + l.chain_key + "] " + l.detail + "\n";
    }
    return out;
  }
  std::string RenderPlan(const std::string &url, const std::string &chain) {
    return Render(Plan(url, chain));
  }
  // Every group id of every layer, prefixed by its pool.
  std::set<std::string> Groups(const std::string &url, const std::string &chain) {
    std::set<std::string> out;
    for (const auto &l : Plan(url, chain))
      out.insert(l.pool + ":" + l.group);
    return out;
  }
  static bool Disjoint(const std::set<std::string> &a, const std::set<std::string> &b) {
    for (const auto &x : a) {
      if (b.count(x))
        return false;
    }
    return true;
  }
};

TEST_F(HttpNetworkSessionTest, DirectHttp) {
  bool absolute = true;
  std::string rp = "x";
  EXPECT_EQ("transport tcp/http://origin.test:80 [] origin.test:80\n",
            Render(Plan("http://origin.test/a", "direct", &absolute, &rp)));
  EXPECT_FALSE(absolute);
  EXPECT_EQ("", rp);
}

TEST_F(HttpNetworkSessionTest, DirectHttps) {
  EXPECT_EQ(
      "ssl_origin ssl/origin.test:443|direct|http/1.1 [] origin.test\n"
      "transport tcp/https://origin.test:443 [] origin.test:443\n",
      RenderPlan("https://origin.test/a", "direct"));
}

TEST_F(HttpNetworkSessionTest, HttpThroughAnHttpProxy) {
  bool absolute = false;
  std::string rp;
  EXPECT_EQ(
      "transport tcp-proxy/http://proxy.test:8080 [http://proxy.test:8080] proxy.test:8080 to_proxy\n",
      Render(Plan("http://origin.test/a", "http://proxy.test:8080", &absolute, &rp)));
  EXPECT_TRUE(absolute);
  EXPECT_EQ("http://proxy.test:8080", rp);
}

TEST_F(HttpNetworkSessionTest, HttpsThroughAnHttpProxy) {
  bool absolute = true;
  std::string rp = "x";
  EXPECT_EQ(
      "ssl_origin ssl/origin.test:443|http://proxy.test:8080|http/1.1 [http://proxy.test:8080] "
      "origin.test\n"
      "tunnel tunnel/origin.test:443|http://proxy.test:8080 [http://proxy.test:8080] "
      "origin.test:443 via http://proxy.test:8080\n"
      "transport tcp-proxy/http://proxy.test:8080 [http://proxy.test:8080] proxy.test:8080 to_proxy\n",
      Render(Plan("https://origin.test/a", "http://proxy.test:8080", &absolute, &rp)));
  EXPECT_FALSE(absolute);
  EXPECT_EQ("", rp);  // credentials go in the CONNECT, never into the tunnel
}

TEST_F(HttpNetworkSessionTest, HttpThroughAnHttpsProxy) {
  bool absolute = false;
  std::string rp;
  EXPECT_EQ(
      "ssl_proxy ssl-proxy/proxy.test:443|http/1.1 [https://proxy.test:443] proxy.test to_proxy\n"
      "transport tcp-proxy/https://proxy.test:443 [https://proxy.test:443] proxy.test:443 to_proxy\n",
      Render(Plan("http://origin.test/a", "https://proxy.test:443", &absolute, &rp)));
  EXPECT_TRUE(absolute);
  EXPECT_EQ("https://proxy.test:443", rp);
}

TEST_F(HttpNetworkSessionTest, HttpsThroughAnHttpsProxy) {
  EXPECT_EQ(
      "ssl_origin ssl/origin.test:443|https://proxy.test:443|http/1.1 [https://proxy.test:443] "
      "origin.test\n"
      "tunnel tunnel/origin.test:443|https://proxy.test:443 [https://proxy.test:443] "
      "origin.test:443 via https://proxy.test:443\n"
      "ssl_proxy ssl-proxy/proxy.test:443|http/1.1 [https://proxy.test:443] proxy.test "
      "to_proxy\n"
      "transport tcp-proxy/https://proxy.test:443 [https://proxy.test:443] proxy.test:443 to_proxy\n",
      RenderPlan("https://origin.test/a", "https://proxy.test:443"));
}

// Plans of one origin share the session's copy of their key; past the
// session's bound of distinct keys a plan owns its key, the same text.
TEST_F(HttpNetworkSessionTest, PlansShareTheSessionKeyUpToABound) {
  cn_proxy_chain chain;
  ASSERT_EQ(CN_OK, cn_proxy_chain_parse("direct", strlen("direct"), &chain));
  auto plan = [&](const std::string &url, cn_http_connection_plan *out) {
    cn_url u;
    ASSERT_EQ(CN_OK, cn_url_parse(url.c_str(), &u));
    ASSERT_EQ(CN_OK, cn_http_network_session_plan_route(session_, &u, &chain, out));
    cn_url_free(&u);
  };
  cn_http_connection_plan a, b;
  plan("https://origin.test/a", &a);
  plan("https://origin.test/b", &b);
  ASSERT_NE(nullptr, a.spdy_key);
  EXPECT_EQ(a.spdy_key, b.spdy_key) << "one copy for both";
  EXPECT_FALSE(a.spdy_key_owned);
  cn_http_connection_plan_free(&b);
  cn_http_connection_plan_free(&a);
  plan("https://origin.test/c", &a);
  EXPECT_STREQ("origin.test:443|direct|normal", a.spdy_key) << "kept after the plans went";
  cn_http_connection_plan_free(&a);
  bool owned = false;
  for (int i = 0; i < 1100 && !owned; i++) {
    plan("https://h" + std::to_string(i) + ".test/", &a);
    owned = a.spdy_key_owned;
    if (owned) {
      EXPECT_EQ("h" + std::to_string(i) + ".test:443|direct|normal", std::string(a.spdy_key));
    }
    cn_http_connection_plan_free(&a);
  }
  EXPECT_TRUE(owned) << "distinct keys are bounded";
  cn_proxy_chain_free(&chain);
}

// The route alone (what a request served by a live session needs) builds
// no pool, group or connect params; completing it gives what the one-step
// plan gives, and the same route.
TEST_F(HttpNetworkSessionTest, TheRouteBuildsNoConnectParams) {
  struct Case {
    const char *url, *chain, *spdy_key, *chain_key;
    bool absolute;
  } cases[] = {
      {"https://origin.test/a", "direct", "origin.test:443|direct|normal", nullptr, false},
      {"http://origin.test/a", "direct", nullptr, nullptr, false},
      {"http://origin.test/a", "https://proxy.test:443", "proxy.test:443|direct|normal",
       "https://proxy.test:443", true},
      {"http://origin.test/a", "http://proxy.test:8080", nullptr, "http://proxy.test:8080", true},
      {"https://origin.test/a", "http://proxy.test:8080",
       "origin.test:443|http://proxy.test:8080|normal", "http://proxy.test:8080", false},
      {"https://origin.test/a", "socks5://s.test:1080", "origin.test:443|socks5://s.test:1080|normal",
       "socks5://s.test:1080", false},
      {"http://origin.test/a", "socks5://s.test:1080", nullptr, "socks5://s.test:1080", false},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(std::string(c.url) + " via " + c.chain);
    cn_url u;
    ASSERT_EQ(CN_OK, cn_url_parse(c.url, &u));
    cn_proxy_chain chain;
    ASSERT_EQ(CN_OK, cn_proxy_chain_parse(c.chain, strlen(c.chain), &chain));
    cn_http_connection_plan route, full;
    ASSERT_EQ(CN_OK, cn_http_network_session_plan_route(session_, &u, &chain, &route));
    EXPECT_TRUE(route.routed);
    EXPECT_EQ(nullptr, route.pool);
    EXPECT_EQ(nullptr, route.group_id);
    EXPECT_EQ(nullptr, route.params);
    EXPECT_EQ(std::string(c.spdy_key ? c.spdy_key : "-"),
              std::string(route.spdy_key ? route.spdy_key : "-"));
    EXPECT_EQ(std::string(c.chain_key ? c.chain_key : "-"),
              std::string(route.chain_key ? route.chain_key : "-"));
    EXPECT_EQ(c.absolute, route.absolute_form);
    EXPECT_EQ(c.absolute, route.request_proxy != nullptr);
    ASSERT_EQ(CN_OK, cn_http_network_session_plan(session_, &u, &chain, &full));
    ASSERT_EQ(CN_OK, cn_http_network_session_plan_connection(session_, &u, &chain, &route));
    EXPECT_EQ(Render(Layers(full.pool, full.group_id, full.chain_key, full.params)),
              Render(Layers(route.pool, route.group_id, route.chain_key, route.params)));
    EXPECT_EQ(std::string(full.spdy_key ? full.spdy_key : "-"),
              std::string(route.spdy_key ? route.spdy_key : "-"));
    EXPECT_EQ(full.spdy_offered, route.spdy_offered);
    cn_http_connection_plan_free(&full);
    cn_http_connection_plan_free(&route);
    cn_proxy_chain_free(&chain);
    cn_url_free(&u);
  }
  cn_http_connection_plan zero;
  memset(&zero, 0, sizeof(zero));
  cn_url u;
  ASSERT_EQ(CN_OK, cn_url_parse("https://origin.test/", &u));
  cn_proxy_chain direct = {nullptr, 0};
  EXPECT_EQ(CN_ERR_UNEXPECTED, cn_http_network_session_plan_connection(session_, &u, &direct, &zero));
  cn_url_free(&u);
}

TEST_F(HttpNetworkSessionTest, ProxyGroupsAreNeverSharedWithDirectOnes) {
  // Even when the origin is the proxy's own host:port.
  for (const char *proxy : {"http://proxy.test:8080", "https://proxy.test:8080"}) {
    for (const char *url : {"http://proxy.test:8080/", "https://proxy.test:8080/"}) {
      EXPECT_TRUE(Disjoint(Groups(url, "direct"), Groups(url, proxy))) << proxy << " " << url;
    }
  }
}

TEST_F(HttpNetworkSessionTest, PlainAndTlsConnectionsToOneHostPortAreNeverShared) {
  // http://origin:443/ leaves a used plain-HTTP connection idle; TLS must
  // never be started over it for https://origin:443/.
  EXPECT_TRUE(Disjoint(Groups("http://origin.test:443/", "direct"),
                       Groups("https://origin.test:443/", "direct")));
  // Likewise an HTTP and an HTTPS proxy at the same host:port.
  EXPECT_TRUE(Disjoint(Groups("http://origin.test/", "http://proxy.test:8080"),
                       Groups("http://origin.test/", "https://proxy.test:8080")));
}

TEST_F(HttpNetworkSessionTest, OriginsThroughOneProxy) {
  const char *proxies[] = {"http://proxy.test:8080", "https://proxy.test:443"};
  for (const char *proxy : proxies) {
    // https://: a tunnel (and TLS) per origin, one connection layer to the
    // proxy below them.
    auto a = Plan("https://a.test/", proxy);
    auto b = Plan("https://b.test/", proxy);
    auto a8443 = Plan("https://a.test:8443/", proxy);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_NE(a[0].group, b[0].group);
    EXPECT_NE(a[1].group, b[1].group);
    EXPECT_NE(a[1].group, a8443[1].group);
    EXPECT_EQ(a.back().group, b.back().group) << proxy;
    // http://: the request goes to the proxy, whatever the origin (F1).
    auto h1 = Plan("http://a.test/", proxy);
    auto h2 = Plan("http://b.test:81/", proxy);
    EXPECT_EQ(h1[0].pool, h2[0].pool);
    EXPECT_EQ(h1[0].group, h2[0].group) << proxy;
  }
}

TEST_F(HttpNetworkSessionTest, OneOriginThroughDifferentProxies) {
  for (const char *url : {"http://origin.test/", "https://origin.test/"}) {
    auto p1 = Groups(url, "http://p1.test:8080");
    auto p2 = Groups(url, "http://p2.test:8080");
    auto p1tls = Groups(url, "https://p1.test:8080");
    EXPECT_TRUE(Disjoint(p1, p2)) << url;
    EXPECT_TRUE(Disjoint(p1, p1tls)) << url;
  }
}

TEST_F(HttpNetworkSessionTest, CredentialsNeverReachGroupIds) {
  std::string plain = RenderPlan("https://origin.test/", "http://proxy.test:8080");
  std::string with = RenderPlan("https://origin.test/", "http://user:secret@proxy.test:8080");
  EXPECT_EQ(plain, with);
  EXPECT_EQ(std::string::npos, with.find("secret"));
}

// SOCKS5 is a transport, not an HTTP proxy: http:// goes in origin form to
// the origin over the SOCKS tunnel (which is reused per origin), https://
// runs TLS to the origin over it.
TEST_F(HttpNetworkSessionTest, HttpThroughASocksProxy) {
  bool absolute = true;
  std::string rp = "x";
  EXPECT_EQ(
      "socks socks/http://origin.test:80|socks5h://s.test:1080 [socks5h://s.test:1080] "
      "origin.test:80 via socks5h://s.test:1080\n"
      "transport tcp-proxy/socks5h://s.test:1080 [socks5h://s.test:1080] s.test:1080 to_proxy\n",
      Render(Plan("http://origin.test/a", "socks5h://s.test", &absolute, &rp)));
  EXPECT_FALSE(absolute);
  EXPECT_EQ("", rp);
}

TEST_F(HttpNetworkSessionTest, HttpsThroughASocksProxy) {
  EXPECT_EQ(
      "ssl_origin ssl/origin.test:443|socks5://s.test:1080|http/1.1 [socks5://s.test:1080] "
      "origin.test\n"
      "socks socks/https://origin.test:443|socks5://s.test:1080 [socks5://s.test:1080] "
      "origin.test:443 via socks5://s.test:1080\n"
      "transport tcp-proxy/socks5://s.test:1080 [socks5://s.test:1080] s.test:1080 to_proxy\n",
      RenderPlan("https://origin.test/a", "socks5://s.test"));
}

// A SOCKS first hop carries the connection to the next one: TLS to an HTTPS
// hop, or the HTTP hop's own requests and CONNECTs.
TEST_F(HttpNetworkSessionTest, HttpsThroughSocksThenAnHttpsProxy) {
  EXPECT_EQ(
      "ssl_origin ssl/origin.test:443|[socks5h://s.test:1080 https://p2.test:443]|http/1.1 "
      "[[socks5h://s.test:1080 https://p2.test:443]] origin.test\n"
      "tunnel tunnel/origin.test:443|[socks5h://s.test:1080 https://p2.test:443] "
      "[[socks5h://s.test:1080 https://p2.test:443]] origin.test:443 via https://p2.test:443\n"
      "ssl_proxy ssl-proxy/p2.test:443|socks5h://s.test:1080|http/1.1 "
      "[[socks5h://s.test:1080 https://p2.test:443]] p2.test to_proxy\n"
      "socks socks/proxy/https://p2.test:443|socks5h://s.test:1080 "
      "[[socks5h://s.test:1080 https://p2.test:443]] p2.test:443 via socks5h://s.test:1080\n"
      "transport tcp-proxy/socks5h://s.test:1080 [socks5h://s.test:1080] s.test:1080 to_proxy\n",
      RenderPlan("https://origin.test/", "[socks5h://s.test https://p2.test:443]"));
}

TEST_F(HttpNetworkSessionTest, HttpThroughSocksThenAnHttpProxy) {
  bool absolute = false;
  std::string rp;
  EXPECT_EQ(
      "socks socks/proxy/http://p2.test:8080|socks5h://s.test:1080 "
      "[[socks5h://s.test:1080 http://p2.test:8080]] p2.test:8080 via socks5h://s.test:1080\n"
      "transport tcp-proxy/socks5h://s.test:1080 [socks5h://s.test:1080] s.test:1080 to_proxy\n",
      Render(Plan("http://origin.test/", "[socks5h://s.test http://p2.test:8080]", &absolute,
                  &rp)));
  EXPECT_TRUE(absolute);
  EXPECT_EQ("http://p2.test:8080", rp);
}

TEST_F(HttpNetworkSessionTest, SocksGroupsAreNeverSharedAcrossSchemesOrResolution) {
  for (const char *url : {"http://origin.test:443/", "https://origin.test:443/"}) {
    EXPECT_TRUE(Disjoint(Groups(url, "direct"), Groups(url, "socks5://s.test"))) << url;
    EXPECT_TRUE(Disjoint(Groups(url, "socks5://s.test"), Groups(url, "socks5h://s.test")))
        << url;
  }
  // A tunnel that carried plain HTTP never gets TLS started over it (the TCP
  // connection to the proxy below is shared, as for HTTP proxies: a used one
  // never goes back to its pool).
  auto plain = Plan("http://origin.test:443/", "socks5h://s.test");
  auto tls = Plan("https://origin.test:443/", "socks5h://s.test");
  ASSERT_EQ(2u, plain.size());
  ASSERT_EQ(3u, tls.size());
  EXPECT_EQ("socks", tls[1].pool);
  EXPECT_NE(plain[0].group, tls[1].group);
  // Credentials are for the handshake, never for group ids.
  std::string with = RenderPlan("https://origin.test/", "socks5h://u:secret@s.test");
  EXPECT_EQ(RenderPlan("https://origin.test/", "socks5h://s.test"), with);
}

TEST_F(HttpNetworkSessionTest, UnsupportedPlans) {
  cn_url u;
  ASSERT_EQ(CN_OK, cn_url_parse("ws://origin.test/", &u));
  cn_proxy_chain chain;
  cn_proxy_chain_init_direct(&chain);
  cn_http_connection_plan plan;
  EXPECT_EQ(CN_ERR_UNKNOWN_URL_SCHEME, cn_http_network_session_plan(session_, &u, &chain, &plan));
  cn_url_free(&u);
}

// Two hops: TLS to the second proxy runs inside a tunnel through the first,
// then the tunnel to the origin goes through the second. Every layer above
// the first hop carries the chain prefix that reaches it in its group; every
// connection made to reach hop k (the tunnel to it, TLS to it) counts
// against the per-chain limit of the hops up to k.
TEST_F(HttpNetworkSessionTest, HttpsThroughTwoHttpsProxies) {
  EXPECT_EQ(
      "ssl_origin ssl/origin.test:443|[https://a.test:443 https://b.test:443]|http/1.1 "
      "[[https://a.test:443 https://b.test:443]] origin.test\n"
      "tunnel tunnel/origin.test:443|[https://a.test:443 https://b.test:443] "
      "[[https://a.test:443 https://b.test:443]] origin.test:443 via https://b.test:443\n"
      "ssl_proxy ssl-proxy/b.test:443|https://a.test:443|http/1.1 "
      "[[https://a.test:443 https://b.test:443]] b.test to_proxy\n"
      "tunnel tunnel/https://b.test:443|https://a.test:443 "
      "[[https://a.test:443 https://b.test:443]] b.test:443 via https://a.test:443\n"
      "ssl_proxy ssl-proxy/a.test:443|http/1.1 [https://a.test:443] a.test to_proxy\n"
      "transport tcp-proxy/https://a.test:443 [https://a.test:443] a.test:443 to_proxy\n",
      RenderPlan("https://origin.test/", "[https://a.test:443 https://b.test:443]"));
}

// http:// through a chain goes in absolute form to the last proxy, over
// tunnels through the ones before it; an HTTP hop in the middle is a plain
// connection inside the tunnel.
TEST_F(HttpNetworkSessionTest, HttpThroughThreeProxies) {
  bool absolute = false;
  std::string rp;
  EXPECT_EQ(
      "ssl_proxy ssl-proxy/c.test:443|[https://a.test:443 http://b.test:8080]|http/1.1 "
      "[[https://a.test:443 http://b.test:8080 https://c.test:443]] c.test to_proxy\n"
      "tunnel tunnel/https://c.test:443|[https://a.test:443 http://b.test:8080] "
      "[[https://a.test:443 http://b.test:8080 https://c.test:443]] c.test:443 via "
      "http://b.test:8080\n"
      "tunnel tunnel/http://b.test:8080|https://a.test:443 "
      "[[https://a.test:443 http://b.test:8080]] b.test:8080 via https://a.test:443\n"
      "ssl_proxy ssl-proxy/a.test:443|http/1.1 [https://a.test:443] a.test to_proxy\n"
      "transport tcp-proxy/https://a.test:443 [https://a.test:443] a.test:443 to_proxy\n",
      Render(Plan("http://origin.test/",
                  "[https://a.test:443 http://b.test:8080 https://c.test:443]", &absolute, &rp)));
  EXPECT_TRUE(absolute);
  EXPECT_EQ("https://c.test:443", rp);
}

// A proxy reached through another is never confused with the same proxy
// reached directly (or through a third): no group of any layer is shared
// above the first hop, and the session keys differ.
TEST_F(HttpNetworkSessionTest, ChainsNeverShareGroupsWithTheirLastHopAlone) {
  for (const char *url : {"http://origin.test/", "https://origin.test/"}) {
    auto direct_b = Groups(url, "https://b.test:443");
    auto via_a = Groups(url, "[https://a.test:443 https://b.test:443]");
    auto via_c = Groups(url, "[https://c.test:443 https://b.test:443]");
    EXPECT_TRUE(Disjoint(direct_b, via_a)) << url;
    EXPECT_TRUE(Disjoint(via_a, via_c)) << url;
  }
  // The first hop's own connection is shared by every chain through it.
  auto two = Plan("https://origin.test/", "[https://a.test:443 https://b.test:443]");
  auto one = Plan("https://origin.test/", "https://a.test:443");
  EXPECT_EQ(one.back().group, two.back().group);
  EXPECT_EQ(one[one.size() - 2].group, two[two.size() - 2].group);
}

class HttpNetworkSessionAlpnTest : public HttpNetworkSessionTest {
 protected:
  void AdjustParams(cn_http_network_session_params *p) override {
    p->origin_ssl_config.protos[0] = CN_PROTO_HTTP2;
    p->origin_ssl_config.protos[1] = CN_PROTO_HTTP11;
    p->origin_ssl_config.num_protos = 2;
  }
};

TEST_F(HttpNetworkSessionAlpnTest, TheAlpnOfferIsPartOfTlsGroups) {
  EXPECT_EQ("ssl/origin.test:443|direct|h2,http/1.1", Plan("https://origin.test/", "direct")[0].group);
  // The proxy's offer is separate (still HTTP/1.1 only here).
  EXPECT_EQ("ssl-proxy/proxy.test:443|http/1.1",
            Plan("http://origin.test/", "https://proxy.test:443")[0].group);
}

// --- pool links ----------------------------------------------------------------

class HttpNetworkSessionLimitTest : public HttpNetworkSessionTest {
 protected:
  void SetUp() override {
    cnet_test::SessionTestBase::SetUp();
    // MakeSession in each test, with its own limits.
  }
  size_t max_sockets_ = 1;
  void AdjustParams(cn_http_network_session_params *p) override {
    p->pool_options.max_sockets = max_sockets_;
  }
  int RequestPlan(const std::string &url, const std::string &chain_text,
                  cn_client_socket_handle *h, TestCompletion *c) {
    cn_url u;
    EXPECT_EQ(CN_OK, cn_url_parse(url.c_str(), &u));
    cn_proxy_chain chain;
    EXPECT_EQ(CN_OK, cn_proxy_chain_parse(chain_text.c_str(), chain_text.size(), &chain));
    cn_http_connection_plan plan;
    EXPECT_EQ(CN_OK, cn_http_network_session_plan(session_, &u, &chain, &plan));
    cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
    int rv = cn_client_socket_pool_request(plan.pool, plan.group_id, plan.chain_key, plan.params,
                                           CN_PRIORITY_MEDIUM, none, h, c->cb(), c->arg());
    cn_http_connection_plan_free(&plan);
    cn_proxy_chain_free(&chain);
    cn_url_free(&u);
    return rv;
  }
};

TEST_F(HttpNetworkSessionLimitTest, AnIdleTunnelIsClosedForATransportPoolAtItsLimit) {
  MakeSession();
  factory_.AddMock(SocketScript()
                       .Write("CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n"
                              "User-Agent: cnet-test\r\n\r\n")
                       .Read("HTTP/1.1 200 OK\r\n\r\n"));
  factory_.AddMock(SocketScript());
  // A tunnel made and given back unused: idle in the tunnel pool, holding
  // the transport pool's only socket.
  cn_socket_params *tp = cn_transport_socket_params_new("proxy.test", 8080, true);
  cn_proxy_server ps;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("http://proxy.test:8080", &ps));
  cn_host_port target;
  ASSERT_EQ(CN_OK, cn_host_port_set(&target, "origin.test", 443));
  cn_socket_params *params = cn_http_proxy_tunnel_params_new(
      transport(), "tcp-proxy/http://proxy.test:8080", "http://proxy.test:8080", tp, &target, &ps,
      "cnet-test", nullptr,
      cn_http_network_session_tunnel_services(session_));
  cn_proxy_server_free(&ps);
  cn_socket_params_unref(tp);
  cn_client_socket_handle h;
  TestCompletion c;
  cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
  int rv = cn_client_socket_pool_request(tunnel(), "tunnel/origin.test:443|http://proxy.test:8080",
                                         "http://proxy.test:8080", params, CN_PRIORITY_MEDIUM,
                                         none, &h, c.cb(), c.arg());
  ASSERT_EQ(CN_OK, c.WaitForResult(loop_.get(), rv));
  cn_client_socket_handle_reset(&h);
  cn_socket_params_unref(params);
  ASSERT_EQ(1u, cn_client_socket_pool_idle_count(tunnel()));
  ASSERT_EQ(1u, cn_client_socket_pool_socket_count(transport()));

  // A direct request needs the transport pool's slot: the tunnel pool is
  // asked to close its idle tunnel (layered limits, Behaviour 4).
  cn_client_socket_handle h2;
  TestCompletion c2;
  EXPECT_EQ(CN_OK, c2.WaitForResult(loop_.get(), RequestPlan("http://origin.test/", "direct",
                                                             &h2, &c2),
                                    2000));
  EXPECT_EQ(0u, cn_client_socket_pool_idle_count(tunnel()));
  cn_client_socket_handle_reset(&h2);
  factory_.ExpectAllUsedAndDone();
}

// Tunnels to many origins through one proxy are not capped by the per-group
// limit (6): every CONNECT borrows from the proxy's single lower group, whose
// limit is the per-proxy one (32).
TEST_F(HttpNetworkSessionLimitTest, TunnelsToManyOriginsShareTheProxyLimitNotTheGroupLimit) {
  max_sockets_ = 256;
  MakeSession();
  const int kOrigins = 8;
  for (int i = 0; i < kOrigins; i++) {
    std::string target = "o" + std::to_string(i) + ".test:443";
    // The CONNECT is written, then the proxy's answer waits at a pause:
    // each tunnel holds its proxy connection while the test counts them.
    factory_.AddMock(SocketScript()
                         .Write("CONNECT " + target + " HTTP/1.1\r\nHost: " + target +
                                "\r\nUser-Agent: cnet-test\r\n\r\n")
                         .Pause());
  }
  std::vector<cn_client_socket_handle> handles(kOrigins);
  std::vector<TestCompletion> done(kOrigins);
  for (int i = 0; i < kOrigins; i++) {
    std::string url = "https://o" + std::to_string(i) + ".test/";
    ASSERT_EQ(CN_ERR_IO_PENDING, RequestPlan(url, "http://proxy.test:8080", &handles[i], &done[i]));
  }
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    for (int i = 0; i < kOrigins; i++) {
      if (!factory_.IsPaused(static_cast<size_t>(i)))
        return false;
    }
    return true;
  }));
  EXPECT_EQ(static_cast<size_t>(kOrigins),
            cn_client_socket_pool_active_count_in_group(transport(),
                                                        "tcp-proxy/http://proxy.test:8080"));
  for (auto &h : handles)
    cn_client_socket_handle_reset(&h);
}

}  // namespace
