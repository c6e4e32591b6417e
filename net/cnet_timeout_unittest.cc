// The API's timeouts (docs/api.md "Timeouts"): the defaults the _init
// functions fill, and context defaults and per-request overrides ending a
// request against a silent loopback peer with the specific error. The
// phases themselves, on a fake clock, are net/http/http_transaction_timeout_unittest.cc;
// here real time runs, so every limit is short and the test waits for the
// error that must come (never for something not to happen).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/base/ip_endpoint.h"
#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "net/socket/tcp_socket.h"

namespace {

// Accepts connections on 127.0.0.1 and never sends a byte: a silent origin
// or proxy. Holds what it accepted until destroyed.
class SilentPeer {
 public:
  explicit SilentPeer(uv_loop_t *loop) {
    cn_ip_endpoint bind;
    cn_ip_endpoint_from_literal("127.0.0.1", 0, &bind);
    EXPECT_EQ(CN_OK, cn_tcp_listener_new(loop, &bind, nullptr, &OnAccept, this, &listener_));
    cn_ip_endpoint ep = cn_tcp_listener_address(listener_);
    port_ = cn_ip_endpoint_port(&ep);
  }
  ~SilentPeer() {
    cn_tcp_listener_destroy(listener_);
    for (cn_stream_socket *s : held_)
      cn_stream_socket_destroy(s);
  }
  uint16_t port() const { return port_; }
  size_t accepted() const { return held_.size(); }

 private:
  static void OnAccept(void *arg, cn_stream_socket *s) {
    static_cast<SilentPeer *>(arg)->held_.push_back(s);
  }
  cn_tcp_listener *listener_ = nullptr;
  uint16_t port_ = 0;
  std::vector<cn_stream_socket *> held_;
};

struct Outcome {
  int completes = 0;
  int error = 1;
  int responses = 0;
};
void OnResponse(cnet_request *, void *arg, int, const cnet_header *, size_t) {
  static_cast<Outcome *>(arg)->responses++;
}
void OnData(cnet_request *, void *, const uint8_t *, size_t) {}
void OnComplete(cnet_request *, void *arg, int error) {
  auto *o = static_cast<Outcome *>(arg);
  o->completes++;
  o->error = error;
}
const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

class CnetTimeoutTest : public ::testing::Test {
 protected:
  void TearDown() override {
    cnet_context_destroy(ctx_);
    peer_.reset();
    cnet_test::RunUntilLoopEmpty(loop_.get());
  }
  void MakeContext(const cnet_context_options &base) {
    cnet_context_options o = base;
    o.loop = loop_.get();
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  }
  std::string SilentUrl() { return "http://127.0.0.1:" + std::to_string(peer_->port()) + "/"; }
  // Starts a GET of the silent peer and waits for its end.
  Outcome Run(const cnet_request_options &base) {
    Outcome out;
    cnet_request_options o = base;
    std::string url = SilentUrl();
    o.url = url.c_str();
    cnet_request *r;
    EXPECT_EQ(0, cnet_request_start(ctx_, &o, &kCallbacks, &out, &r));
    EXPECT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return out.completes > 0; }));
    return out;
  }

  cnet_test::TestLoop loop_;
  std::unique_ptr<SilentPeer> peer_ = std::make_unique<SilentPeer>(loop_.get());
  cnet_context *ctx_ = nullptr;
};

TEST_F(CnetTimeoutTest, InitFillsTheDocumentedDefaults) {
  cnet_context_options c;
  cnet_context_options_init(&c);
  EXPECT_EQ(0u, c.connect_timeout_ms);  // 0.1's shorthand: not used
  EXPECT_EQ(30000u, c.tcp_connect_timeout_ms);
  EXPECT_EQ(30000u, c.tls_handshake_timeout_ms);
  EXPECT_EQ(30000u, c.tunnel_timeout_ms);
  EXPECT_EQ(0u, c.connection_timeout_ms);
  EXPECT_EQ(60000u, c.stream_wait_timeout_ms);
  EXPECT_EQ(300000u, c.response_headers_timeout_ms);
  EXPECT_EQ(300000u, c.body_idle_timeout_ms);
  EXPECT_EQ(0u, c.total_timeout_ms);
  cnet_request_options r;
  cnet_request_options_init(&r);
  for (uint64_t v : {r.connection_timeout_ms, r.stream_wait_timeout_ms,
                     r.response_headers_timeout_ms, r.body_idle_timeout_ms, r.total_timeout_ms})
    EXPECT_EQ(CNET_TIMEOUT_DEFAULT, v);
}

// A context default reaches every request that keeps the default.
TEST_F(CnetTimeoutTest, ContextDefaultEndsARequestOnASilentOrigin) {
  cnet_context_options c;
  cnet_context_options_init(&c);
  c.response_headers_timeout_ms = 100;
  MakeContext(c);
  cnet_request_options r;
  cnet_request_options_init(&r);
  Outcome out = Run(r);
  EXPECT_EQ(CNET_ERR_TIMED_OUT, out.error);
  EXPECT_STREQ("ERR_TIMED_OUT", cnet_error_name(out.error));
  EXPECT_EQ(0, out.responses);
  EXPECT_EQ(1u, peer_->accepted());
}

// A request's own value replaces the context's.
TEST_F(CnetTimeoutTest, RequestOverrideReplacesTheContextDefault) {
  cnet_context_options c;
  cnet_context_options_init(&c);
  c.response_headers_timeout_ms = 0;  // the context: no limit
  MakeContext(c);
  cnet_request_options r;
  cnet_request_options_init(&r);
  r.total_timeout_ms = 120;
  Outcome out = Run(r);
  EXPECT_EQ(CNET_ERR_TIMED_OUT, out.error);
}

// A zeroed request struct (no _init, struct_size 0) sets what it sets; its
// zeros are the context's values, not "no limit".
TEST_F(CnetTimeoutTest, ZeroedRequestStructKeepsTheContextDefaults) {
  cnet_context_options c;
  cnet_context_options_init(&c);
  c.response_headers_timeout_ms = 100;
  MakeContext(c);
  cnet_request_options r{};
  Outcome out = Run(r);
  EXPECT_EQ(CNET_ERR_TIMED_OUT, out.error);
}

// The whole connection setup: a proxy that accepts and never answers the
// CONNECT, with the request's connection timeout below the layer's.
TEST_F(CnetTimeoutTest, ConnectionTimeoutCoversTheTunnel) {
  cnet_context_options c;
  cnet_context_options_init(&c);
  std::string proxy = "http://127.0.0.1:" + std::to_string(peer_->port());
  c.proxy = proxy.c_str();
  MakeContext(c);
  cnet_request_options r;
  cnet_request_options_init(&r);
  r.connection_timeout_ms = 100;
  r.url = "https://origin.test/";
  Outcome out;
  cnet_request *req;
  ASSERT_EQ(0, cnet_request_start(ctx_, &r, &kCallbacks, &out, &req));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return out.completes > 0; }));
  EXPECT_EQ(CNET_ERR_CONNECTION_TIMED_OUT, out.error);
}

}  // namespace
