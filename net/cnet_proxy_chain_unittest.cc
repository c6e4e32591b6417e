// Multi-hop proxy chains through the embedding API (net/cnet.h): two and
// three in-process HTTPS proxies (the test server), each speaking one of
// HTTP/1.1, HTTP/2 and SPDY/3.1, chained as "[https://p1 https://p2 ...]"
// in front of an origin. For every hop k the client makes TLS to hop k
// inside a tunnel through hop k-1, then a tunnel through hop k; the counters
// show exactly that, and the second request reuses all of it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"
#include "tools/testserver/test_server_test_util.h"

namespace {

using cnet_test::TestLoop;

// A hop of the layer report, copied (its strings live only as long as the
// request).
struct Hop {
  std::string proxy, protocol, alpn;
  bool reused, session, tunnel, tunnel_reused;
};

struct Fetch {
  int status = 0;
  std::string body;
  int completes = 0;
  int error = 1;
  bool connection_reused = false;
  std::vector<Hop> hops;
  std::string chain;
};

void OnResponse(cnet_request *r, void *arg, int status, const cnet_header *, size_t) {
  auto *f = static_cast<Fetch *>(arg);
  f->status = status;
  cnet_request_layers l;
  cnet_request_get_layers(r, &l);
  f->chain = l.proxy_chain;
  f->connection_reused = l.connection_reused;
  for (size_t k = 0; k < l.num_hops; k++) {
    const cnet_proxy_hop &h = l.hops[k];
    f->hops.push_back(Hop{h.proxy, h.protocol, h.tls.alpn, h.reused, h.session, h.tunnel,
                          h.tunnel_reused});
  }
}
void OnData(cnet_request *, void *arg, const uint8_t *data, size_t len) {
  static_cast<Fetch *>(arg)->body.append(reinterpret_cast<const char *>(data), len);
}
void OnComplete(cnet_request *, void *arg, int error) {
  auto *f = static_cast<Fetch *>(arg);
  f->completes++;
  f->error = error;
}
const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

// The protocol each hop speaks, first hop first.
using HopProtocols = std::vector<cn_next_proto>;

bool Multiplexed(cn_next_proto p) { return p == CN_PROTO_HTTP2 || p == CN_PROTO_SPDY31; }

std::string ProtoName(cn_next_proto p) {
  switch (p) {
    case CN_PROTO_HTTP2:
      return "H2";
    case CN_PROTO_SPDY31:
      return "Spdy";
    default:
      return "H1";
  }
}

class CnetProxyChainTest : public ::testing::TestWithParam<HopProtocols> {
 protected:
  void TearDown() override {
    cnet_context_destroy(ctx_);
    for (cn_test_server *p : proxies_)
      cn_test_server_destroy(p);
    cn_test_server_destroy(origin_);
    cnet_test::RunUntilLoopEmpty(loop_.get());  // every socket closed
  }

  // An origin (TLS or plain) for origin.test, and one proxy per hop, each
  // offering only its hop's protocol; the last one maps origin.test to
  // loopback. The client offers every protocol to proxies and trusts every
  // proxy's CA (one bundle) and the origin's.
  void Start(bool tls_origin) {
    cn_test_server_options oo{};
    const char *names[] = {"origin.test"};
    oo.plain = !tls_origin;
    oo.names = names;
    oo.num_names = 1;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &oo, &origin_));
    cn_test_server_host_mapping map = {"origin.test", "127.0.0.1"};
    std::string bundle;
    std::string chain = "[";
    const HopProtocols &hops = GetParam();
    for (size_t i = 0; i < hops.size(); i++) {
      cn_test_server_options po{};
      po.proxy = true;
      po.alpn[0] = hops[i];
      po.num_alpn = 1;
      if (i + 1 == hops.size()) {
        po.proxy_options.map = &map;
        po.proxy_options.num_map = 1;
      }
      cn_test_server *p = nullptr;
      ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &po, &p));
      proxies_.push_back(p);
      bundle += cn_test_server_ca_pem(p);
      chain += (i ? " https://127.0.0.1:" : "https://127.0.0.1:") +
               std::to_string(cn_test_server_port(p));
    }
    chain += "]";
    chain_ = chain;
    proxy_ca_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_chain_proxy_ca.pem";
    ASSERT_EQ(CN_OK, cn_test_write_pem_file(proxy_ca_.c_str(), bundle.c_str()));
    origin_ca_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_chain_origin_ca.pem";
    if (tls_origin) {
      ASSERT_EQ(CN_OK, cn_test_write_pem_file(origin_ca_.c_str(), cn_test_server_ca_pem(origin_)));
    }
    base_ = std::string(tls_origin ? "https" : "http") +
            "://origin.test:" + std::to_string(cn_test_server_port(origin_));
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();
    o.proxy = chain_.c_str();
    o.proxy_ca_file = proxy_ca_.c_str();
    if (tls_origin)
      o.ca_file = origin_ca_.c_str();
    o.proxy_protocols = "h2,spdy/3.1,http/1.1";
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  }

  void Get(const std::string &path, Fetch *f) {
    cnet_request_options o{};
    std::string url = base_ + path;
    o.url = url.c_str();
    cnet_request *r = nullptr;
    ASSERT_EQ(0, cnet_request_start(ctx_, &o, &kCallbacks, f, &r));
    ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return f->completes > 0; }, 20000))
        << "request did not complete";
    EXPECT_EQ(1, f->completes);
    EXPECT_EQ(0, f->error) << cnet_error_name(f->error);
    EXPECT_EQ(200, f->status);
  }

  size_t MultiplexedHops() const {
    size_t n = 0;
    for (cn_next_proto p : GetParam())
      n += Multiplexed(p);
    return n;
  }

  // The layer report names every hop with its protocol and TLS, a tunnel
  // through each hop but (for http://) the last, all new or all reused.
  void ExpectHops(const Fetch &f, bool reused, bool tunnel_to_origin) {
    const HopProtocols &hops = GetParam();
    ASSERT_EQ(hops.size(), f.hops.size());
    for (size_t k = 0; k < hops.size(); k++) {
      const Hop &h = f.hops[k];
      std::string port = std::to_string(cn_test_server_port(proxies_[k]));
      EXPECT_EQ("https://127.0.0.1:" + port, h.proxy) << k;
      EXPECT_EQ(cn_next_proto_alpn(hops[k]), h.protocol) << k;
      EXPECT_EQ(cn_next_proto_alpn(hops[k]), h.alpn) << k;
      EXPECT_EQ(Multiplexed(hops[k]), h.session) << k;
      EXPECT_EQ(reused, h.reused) << k;
      bool tunnel = k + 1 < hops.size() || tunnel_to_origin;
      EXPECT_EQ(tunnel, h.tunnel) << k;
      if (tunnel) {
        EXPECT_EQ(reused, h.tunnel_reused) << k;
      }
    }
  }

  cnet_stats Finish() {
    cnet_stats st;
    cnet_context_destroy_with_stats(ctx_, &st);
    ctx_ = nullptr;
    return st;
  }

  TestLoop loop_;
  cn_test_server *origin_ = nullptr;
  std::vector<cn_test_server *> proxies_;
  cnet_context *ctx_ = nullptr;
  std::string chain_, proxy_ca_, origin_ca_, base_;
};

std::string ParamName(const testing::TestParamInfo<HopProtocols> &i) {
  std::string name;
  for (cn_next_proto p : i.param)
    name += ProtoName(p);
  return name;
}

std::vector<HopProtocols> EveryMix(size_t hops) {
  const cn_next_proto kProtos[] = {CN_PROTO_HTTP11, CN_PROTO_HTTP2, CN_PROTO_SPDY31};
  std::vector<HopProtocols> out = {{}};
  for (size_t i = 0; i < hops; i++) {
    std::vector<HopProtocols> next;
    for (const auto &prefix : out) {
      for (cn_next_proto p : kProtos) {
        HopProtocols h = prefix;
        h.push_back(p);
        next.push_back(h);
      }
    }
    out = next;
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(TwoHops, CnetProxyChainTest, testing::ValuesIn(EveryMix(2)), ParamName);
INSTANTIATE_TEST_SUITE_P(ThreeHops, CnetProxyChainTest, testing::ValuesIn(EveryMix(3)),
                         ParamName);

// Two requests to one https origin: 1 TCP connection (to the first hop),
// one TLS handshake per hop plus the origin's, one tunnel per hop, one
// session per multiplexed hop; the second request reuses the origin
// connection through the whole chain ("jump to step 19").
TEST_P(CnetProxyChainTest, HttpsOriginTwiceThroughTheChain) {
  ASSERT_NO_FATAL_FAILURE(Start(/*tls_origin=*/true));
  Fetch a, b;
  ASSERT_NO_FATAL_FAILURE(Get("/bytes/3000", &a));
  ASSERT_NO_FATAL_FAILURE(Get("/bytes/5000", &b));
  EXPECT_EQ(cnet_test::PatternBytes(0, 3000), a.body);
  EXPECT_EQ(cnet_test::PatternBytes(0, 5000), b.body);
  EXPECT_EQ(chain_, a.chain);
  EXPECT_FALSE(a.connection_reused);
  EXPECT_TRUE(b.connection_reused);
  size_t hops = GetParam().size();
  ExpectHops(a, /*reused=*/false, /*tunnel_to_origin=*/true);
  ExpectHops(b, /*reused=*/true, /*tunnel_to_origin=*/true);
  for (size_t i = 0; i < hops; i++) {
    cn_test_server_counters pc;
    cn_test_server_get_counters(proxies_[i], &pc);
    EXPECT_EQ(1u, pc.connections_accepted) << "hop " << i;
  }
  cnet_stats st = Finish();
  EXPECT_EQ(1u, st.tcp_connects);
  EXPECT_EQ(hops + 1, st.tls_handshakes);
  EXPECT_EQ(hops, st.tunnels);
  EXPECT_EQ(MultiplexedHops(), st.sessions);
  EXPECT_EQ(2u, st.requests);
}

// Two http:// requests: sent in absolute form to the last hop, through
// tunnels to it; the second reuses the connection (or session) to the last
// hop ("jump to step 9").
TEST_P(CnetProxyChainTest, HttpOriginTwiceThroughTheChain) {
  ASSERT_NO_FATAL_FAILURE(Start(/*tls_origin=*/false));
  Fetch a, b;
  ASSERT_NO_FATAL_FAILURE(Get("/bytes/2000", &a));
  ASSERT_NO_FATAL_FAILURE(Get("/bytes/4000", &b));
  EXPECT_EQ(cnet_test::PatternBytes(0, 2000), a.body);
  EXPECT_EQ(cnet_test::PatternBytes(0, 4000), b.body);
  EXPECT_TRUE(b.connection_reused);
  size_t hops = GetParam().size();
  ExpectHops(a, /*reused=*/false, /*tunnel_to_origin=*/false);
  ExpectHops(b, /*reused=*/true, /*tunnel_to_origin=*/false);
  cnet_stats st = Finish();
  EXPECT_EQ(1u, st.tcp_connects);
  EXPECT_EQ(hops, st.tls_handshakes);
  EXPECT_EQ(hops - 1, st.tunnels);
  EXPECT_EQ(MultiplexedHops(), st.sessions);
}

}  // namespace
