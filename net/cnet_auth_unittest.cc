// Authentication through the embedding API (net/cnet.h) against in-process
// test servers on loopback: an HTTPS proxy requiring Basic credentials
// (speaking HTTP/1.1, HTTP/2 or SPDY/3.1: CONNECTs as HTTP/1.1 exchanges
// or as streams) with a TLS origin behind it for https:// (a tunnel) and a
// plain one for http:// (absolute form). The application's
// on_auth_required is answered inside the callback or later, or declined;
// without it the errors are Chromium's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <ostream>
#include <string>

#include "net/base/net_errors.h"
#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"

namespace {

using cnet_test::TestLoop;

// What the application saw, and how it answers a challenge.
struct Fetch {
  enum Answer { kInside, kLater, kDecline, kWrongThenRight };
  Answer answer = kInside;
  int status = 0;
  std::string body;
  int completes = 0;
  int error = 1;
  int challenges = 0;
  cnet_auth_target target = CNET_AUTH_ORIGIN;
  bool tunnel = false;
  std::string server, scheme, realm;
  cnet_request *req = nullptr;
};

void OnResponse(cnet_request *, void *arg, int status, const cnet_header *, size_t) {
  static_cast<Fetch *>(arg)->status = status;
}
void OnData(cnet_request *, void *arg, const uint8_t *data, size_t len) {
  static_cast<Fetch *>(arg)->body.append(reinterpret_cast<const char *>(data), len);
}
void OnComplete(cnet_request *, void *arg, int error) {
  auto *f = static_cast<Fetch *>(arg);
  f->completes++;
  f->error = error;
  f->req = nullptr;
}
void OnAuth(cnet_request *r, void *arg, const cnet_auth_challenge *c) {
  auto *f = static_cast<Fetch *>(arg);
  f->challenges++;
  f->target = c->target;
  f->tunnel = c->tunnel;
  f->server = c->server;
  f->scheme = c->scheme;
  f->realm = c->realm;
  switch (f->answer) {
    case Fetch::kInside:
      EXPECT_EQ(0, cnet_request_set_auth(r, "user", "pass"));
      EXPECT_EQ(CNET_ERR_INVALID_ARGUMENT, cnet_request_set_auth(r, "user", "pass"));  // once
      break;
    case Fetch::kDecline:
      EXPECT_EQ(0, cnet_request_cancel_auth(r));
      break;
    case Fetch::kWrongThenRight:
      EXPECT_EQ(0, cnet_request_set_auth(r, "user", f->challenges == 1 ? "wrong" : "pass"));
      break;
    case Fetch::kLater:
      break;  // the test answers from the loop
  }
}
const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

struct ProtoParam {
  const char *alpn;
  cn_next_proto proto;
  const char *name;
};
// gtest prints the parameter by name (not its bytes, padding included).
void PrintTo(const ProtoParam &p, std::ostream *os) { *os << p.name; }

class CnetAuthTest : public ::testing::TestWithParam<ProtoParam> {
 protected:
  void SetUp() override {
    cn_test_server_options oo{};
    const char *names[] = {"origin.test"};
    oo.names = names;
    oo.num_names = 1;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &oo, &tls_origin_));
    oo.plain = true;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &oo, &plain_origin_));
    cn_test_server_host_mapping map = {"origin.test", "127.0.0.1"};
    cn_test_server_options po{};
    po.proxy = true;
    po.alpn[0] = GetParam().proto;
    po.num_alpn = 1;
    po.proxy_options.map = &map;
    po.proxy_options.num_map = 1;
    po.proxy_options.auth = "user:pass";
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &po, &proxy_));
    std::string tag = std::to_string(getpid()) + "_cnet_auth_";
    proxy_ca_ = ::testing::TempDir() + tag + "proxy_ca.pem";
    origin_ca_ = ::testing::TempDir() + tag + "origin_ca.pem";
    ASSERT_EQ(CN_OK, cn_test_write_pem_file(proxy_ca_.c_str(), cn_test_server_ca_pem(proxy_)));
    ASSERT_EQ(CN_OK,
              cn_test_write_pem_file(origin_ca_.c_str(), cn_test_server_ca_pem(tls_origin_)));
    proxy_server_ = "127.0.0.1:" + std::to_string(cn_test_server_port(proxy_));
    https_url_ = "https://origin.test:" + std::to_string(cn_test_server_port(tls_origin_)) +
                 "/bytes/5";
    http_url_ = "http://origin.test:" + std::to_string(cn_test_server_port(plain_origin_)) +
                "/bytes/5";
  }
  void TearDown() override {
    cnet_context_destroy(ctx_);
    cn_test_server_destroy(proxy_);
    cn_test_server_destroy(tls_origin_);
    cn_test_server_destroy(plain_origin_);
    cnet_test::RunUntilLoopEmpty(loop_.get());
    unlink(proxy_ca_.c_str());
    unlink(origin_ca_.c_str());
  }
  void MakeContext(const char *proxy_user = nullptr) {
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();
    std::string proxy = "https://" + proxy_server_;
    o.proxy = proxy.c_str();
    o.proxy_user = proxy_user;
    o.proxy_ca_file = proxy_ca_.c_str();
    o.ca_file = origin_ca_.c_str();
    o.proxy_protocols = GetParam().alpn;
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  }
  void Run(const std::string &url, Fetch *f, bool ask = true) {
    cnet_request_options o;
    cnet_request_options_init(&o);
    o.url = url.c_str();
    if (ask)
      o.on_auth_required = OnAuth;
    ASSERT_EQ(0, cnet_request_start(ctx_, &o, &kCallbacks, f, &f->req));
    if (f->answer == Fetch::kLater) {
      ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return f->challenges > 0; }, 10000));
      EXPECT_EQ(0, f->completes);
      EXPECT_EQ(0, cnet_request_set_auth(f->req, "user", "pass"));
    }
    ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return f->completes > 0; }, 10000));
  }
  uint64_t ProxyChallenges() {
    cn_test_server_proxy_counters c;
    cn_test_server_get_proxy_counters(proxy_, &c);
    return c.auth_challenges;
  }

  TestLoop loop_;
  cn_test_server *tls_origin_ = nullptr, *plain_origin_ = nullptr, *proxy_ = nullptr;
  cnet_context *ctx_ = nullptr;
  std::string proxy_ca_, origin_ca_, proxy_server_, https_url_, http_url_;
};

INSTANTIATE_TEST_SUITE_P(Protocols, CnetAuthTest,
                         testing::Values(ProtoParam{"http/1.1", CN_PROTO_HTTP11, "Http11"},
                                         ProtoParam{"h2", CN_PROTO_HTTP2, "Http2"},
                                         ProtoParam{"spdy/3.1", CN_PROTO_SPDY31, "Spdy31"}),
                         [](const testing::TestParamInfo<ProtoParam> &i) {
                           return std::string(i.param.name);
                         });

TEST_P(CnetAuthTest, TunnelChallengeAnsweredLater) {
  ASSERT_NO_FATAL_FAILURE(MakeContext());
  Fetch f;
  f.answer = Fetch::kLater;
  ASSERT_NO_FATAL_FAILURE(Run(https_url_, &f));
  EXPECT_EQ(0, f.error) << cnet_error_name(f.error);
  EXPECT_EQ(200, f.status);
  EXPECT_EQ(5u, f.body.size());
  EXPECT_EQ(1, f.challenges);
  EXPECT_EQ(CNET_AUTH_PROXY, f.target);
  EXPECT_TRUE(f.tunnel);
  EXPECT_EQ(proxy_server_, f.server);
  EXPECT_EQ("Basic", f.scheme);
  EXPECT_EQ(CN_TEST_SERVER_PROXY_REALM, f.realm);
  // The proxy took them: the next tunnel sends them up front.
  uint64_t before = ProxyChallenges();
  Fetch g;
  std::string other = https_url_ + "?again";
  ASSERT_NO_FATAL_FAILURE(Run(other, &g));
  EXPECT_EQ(0, g.error);
  EXPECT_EQ(0, g.challenges);
  EXPECT_EQ(before, ProxyChallenges());
}

TEST_P(CnetAuthTest, TunnelChallengeDeclinedIsTunnelConnectionFailed) {
  ASSERT_NO_FATAL_FAILURE(MakeContext());
  Fetch f;
  f.answer = Fetch::kDecline;
  ASSERT_NO_FATAL_FAILURE(Run(https_url_, &f));
  EXPECT_EQ(CNET_ERR_TUNNEL_CONNECTION_FAILED, f.error) << cnet_error_name(f.error);
  EXPECT_EQ(1, f.challenges);
  EXPECT_EQ(0, f.status);
}

TEST_P(CnetAuthTest, NoCallbackNoCredentialsIsProxyAuthRequested) {
  ASSERT_NO_FATAL_FAILURE(MakeContext());
  Fetch f, g;
  ASSERT_NO_FATAL_FAILURE(Run(https_url_, &f, /*ask=*/false));
  EXPECT_EQ(CNET_ERR_PROXY_AUTH_REQUESTED, f.error) << cnet_error_name(f.error);
  ASSERT_NO_FATAL_FAILURE(Run(http_url_, &g, /*ask=*/false));
  EXPECT_EQ(CNET_ERR_PROXY_AUTH_REQUESTED, g.error) << cnet_error_name(g.error);
}

TEST_P(CnetAuthTest, AbsoluteFormAnsweredInsideTheCallbackAfterARefusal) {
  ASSERT_NO_FATAL_FAILURE(MakeContext());
  Fetch f;
  f.answer = Fetch::kWrongThenRight;
  ASSERT_NO_FATAL_FAILURE(Run(http_url_, &f));
  EXPECT_EQ(0, f.error) << cnet_error_name(f.error);
  EXPECT_EQ(200, f.status);
  EXPECT_EQ(2, f.challenges);  // the wrong password was refused: asked again
  EXPECT_FALSE(f.tunnel);
  EXPECT_EQ(CNET_AUTH_PROXY, f.target);
}

TEST_P(CnetAuthTest, AbsoluteFormDeclinedIsProxyAuthRequested) {
  ASSERT_NO_FATAL_FAILURE(MakeContext());
  Fetch f;
  f.answer = Fetch::kDecline;
  ASSERT_NO_FATAL_FAILURE(Run(http_url_, &f));
  EXPECT_EQ(CNET_ERR_PROXY_AUTH_REQUESTED, f.error) << cnet_error_name(f.error);
}

TEST_P(CnetAuthTest, ContextCredentialsNeedNoCallback) {
  ASSERT_NO_FATAL_FAILURE(MakeContext("user:pass"));
  Fetch f, g;
  ASSERT_NO_FATAL_FAILURE(Run(https_url_, &f));
  EXPECT_EQ(0, f.error) << cnet_error_name(f.error);
  ASSERT_NO_FATAL_FAILURE(Run(http_url_, &g));
  EXPECT_EQ(0, g.error) << cnet_error_name(g.error);
  EXPECT_EQ(0, f.challenges + g.challenges);
}

}  // namespace
