// The transport and TLS pools layered as in the architecture, against a real
// loopback TLS server: reuse, layered counting, error mapping for proxies.
#include "net/socket/ssl_connect_job.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "net/base/netlog_counters.h"
#include "net/dns/host_resolver.h"
#include "net/socket/socket_test_util.h"
#include "net/socket/ssl_socket.h"
#include "net/socket/tcp_socket.h"
#include "net/socket/transport_connect_job.h"
#include "net/test/cert_generator.h"

namespace {

using cnet_test::TestCompletion;
using cnet_test::TestLoop;

// A loopback TLS server that accepts connections and holds them open.
class TlsServer {
 public:
  TlsServer(uv_loop_t *loop, const cn_test_cert *leaf) {
    EXPECT_EQ(CN_OK, cn_ssl_server_context_new(cn_test_cert_chain_pem(leaf),
                                               cn_test_cert_key_pem(leaf), &ctx_));
    cn_ip_endpoint bind;
    cn_ip_endpoint_from_literal("127.0.0.1", 0, &bind);
    EXPECT_EQ(CN_OK, cn_tcp_listener_new(loop, &bind, nullptr, &TlsServer::OnAccept, this,
                                         &listener_));
    cn_ip_endpoint ep = cn_tcp_listener_address(listener_);
    port_ = cn_ip_endpoint_port(&ep);
  }
  ~TlsServer() {
    for (auto *s : conns_)
      cn_stream_socket_destroy(s);
    cn_tcp_listener_destroy(listener_);
    cn_ssl_context_unref(ctx_);
  }
  uint16_t port() const { return port_; }
  size_t accepted() const { return conns_.size(); }

 private:
  static void OnHandshake(void *, int) {}
  static void OnAccept(void *arg, cn_stream_socket *tcp) {
    auto *self = static_cast<TlsServer *>(arg);
    cn_ssl_config cfg = {};
    cfg.protos[0] = CN_PROTO_HTTP11;
    cfg.num_protos = 1;
    cn_ssl_socket_params p = {};
    p.context = self->ctx_;
    p.config = &cfg;
    cn_stream_socket *ssl = cn_ssl_socket_new(nullptr, tcp, &p);
    self->conns_.push_back(ssl);
    cn_stream_socket_connect(ssl, &TlsServer::OnHandshake, self);
  }
  cn_ssl_context *ctx_ = nullptr;
  cn_tcp_listener *listener_ = nullptr;
  uint16_t port_ = 0;
  std::vector<cn_stream_socket *> conns_;
};

class SslPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cn_netlog_init(&netlog_);
    cn_netlog_counters_attach(&counters_, &netlog_);
    ca_ = cn_test_cert_new_ca("pool test CA");
    leaf_ = cn_test_cert_new_leaf("proxy.test", ca_);
    server_ = std::make_unique<TlsServer>(loop_.get(), leaf_);
    resolver_ = cn_host_resolver_new(loop_.get(), nullptr);
    cn_host_rules_parse_resolve(cn_host_resolver_rules(resolver_), "proxy.test:*:127.0.0.1",
                                nullptr, 0);
    transport_ctx_ = {loop_.get(), resolver_, nullptr, nullptr, 0, 0};
    cn_client_socket_pool_options o;
    cn_client_socket_pool_options_init(&o);
    cn_connect_job_factory tf = cn_transport_connect_job_factory(&transport_ctx_);
    transport_pool_ = cn_client_socket_pool_new(loop_.get(), &o, &tf, &netlog_);
    cn_connect_job_factory sf = cn_ssl_connect_job_factory();
    ssl_pool_ = cn_client_socket_pool_new(loop_.get(), &o, &sf, &netlog_);
    cn_ssl_client_context_options co = {};
    co.ca_pem = cn_test_cert_pem(ca_);
    ASSERT_EQ(CN_OK, cn_ssl_client_context_new(&co, &client_ctx_));
  }
  void TearDown() override {
    cn_client_socket_pool_destroy(ssl_pool_);
    cn_client_socket_pool_destroy(transport_pool_);
    cn_host_resolver_destroy(resolver_);
    cn_ssl_context_unref(client_ctx_);
    server_.reset();
    cn_test_cert_free(leaf_);
    cn_test_cert_free(ca_);
    cn_netlog_counters_detach(&counters_);
    cn_netlog_destroy(&netlog_);
  }

  // Params for TLS to proxy.test:PORT over the transport pool.
  cn_socket_params *ProxyParams(uint16_t port, bool to_proxy = true) {
    cn_socket_params *tp = cn_transport_socket_params_new("proxy.test", port, to_proxy);
    cn_ssl_config cfg = {};
    cfg.protos[0] = CN_PROTO_HTTP11;
    cfg.num_protos = 1;
    cn_socket_params *sp =
        cn_ssl_connect_params_new(transport_pool_, TransportGroup(port).c_str(), "proxy",
                                  tp, "proxy.test", client_ctx_, &cfg, "proxy|proxy.test",
                                  to_proxy);
    cn_socket_params_unref(tp);
    return sp;
  }
  static std::string TransportGroup(uint16_t port) {
    return "proxy.test:" + std::to_string(port);
  }
  static std::string SslGroup(uint16_t port) { return "ssl/proxy.test:" + std::to_string(port); }

  int Request(cn_client_socket_handle *h, cn_socket_params *p, uint16_t port) {
    TestCompletion c;
    cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
    int rv = cn_client_socket_pool_request(ssl_pool_, SslGroup(port).c_str(), "proxy", p,
                                           CN_PRIORITY_MEDIUM, none, h, c.cb(), c.arg());
    return c.WaitForResult(loop_.get(), rv);
  }

  TestLoop loop_;
  cn_netlog netlog_;
  cn_netlog_counters counters_;
  cn_test_cert *ca_ = nullptr;
  cn_test_cert *leaf_ = nullptr;
  std::unique_ptr<TlsServer> server_;
  cn_host_resolver *resolver_ = nullptr;
  cn_transport_job_context transport_ctx_;
  cn_client_socket_pool *transport_pool_ = nullptr;
  cn_client_socket_pool *ssl_pool_ = nullptr;
  cn_ssl_context *client_ctx_ = nullptr;
};

TEST_F(SslPoolTest, IdleTlsSocketIsReusedAndCountsInTheTransportPool) {
  uint16_t port = server_->port();
  cn_socket_params *p = ProxyParams(port);
  cn_client_socket_handle h;
  cn_client_socket_handle_init(&h);
  ASSERT_EQ(CN_OK, Request(&h, p, port));
  ASSERT_EQ(CN_SOCKET_LAYER_TLS, cn_stream_socket_layer(h.socket));
  EXPECT_EQ(CN_PROTO_HTTP11, cn_stream_socket_negotiated_protocol(h.socket));
  EXPECT_EQ(1u, counters_.tcp_connects);
  EXPECT_EQ(1u, counters_.tls_handshakes);
  // The TCP socket under the TLS socket is handed out by the transport pool.
  EXPECT_EQ(1u, cn_client_socket_pool_active_count_in_group(transport_pool_,
                                                            TransportGroup(port).c_str()));
  h.is_used = true;
  cn_client_socket_handle_reset(&h);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(ssl_pool_, SslGroup(port).c_str()));
  EXPECT_EQ(1u, cn_client_socket_pool_socket_count(transport_pool_));

  ASSERT_EQ(CN_OK, Request(&h, p, port));  // jump to step 9: reuse
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, h.reuse_type);
  EXPECT_EQ(1u, counters_.tcp_connects);
  EXPECT_EQ(1u, counters_.tls_handshakes);
  EXPECT_EQ(1u, server_->accepted());

  // Closing the TLS socket gives the TCP slot back below.
  cn_stream_socket_disconnect(h.socket);
  cn_client_socket_handle_reset(&h);
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(ssl_pool_));
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport_pool_));
  cn_socket_params_unref(p);
}

TEST_F(SslPoolTest, ProxyCertificateErrorIsProxyCertificateInvalid) {
  uint16_t port = server_->port();
  // A client context that does not trust the server's CA.
  cn_test_cert *other_ca = cn_test_cert_new_ca("other CA");
  cn_ssl_client_context_options co = {};
  co.ca_pem = cn_test_cert_pem(other_ca);
  cn_ssl_context_unref(client_ctx_);
  ASSERT_EQ(CN_OK, cn_ssl_client_context_new(&co, &client_ctx_));
  cn_socket_params *p = ProxyParams(port);
  cn_client_socket_handle h;
  cn_client_socket_handle_init(&h);
  EXPECT_EQ(CN_ERR_PROXY_CERTIFICATE_INVALID, Request(&h, p, port));
  EXPECT_EQ(nullptr, h.socket);
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport_pool_));
  cn_socket_params_unref(p);

  // The same failure towards an origin keeps its own name.
  p = ProxyParams(port, /*to_proxy=*/false);
  EXPECT_EQ(CN_ERR_CERT_AUTHORITY_INVALID, Request(&h, p, port));
  cn_socket_params_unref(p);
  cn_test_cert_free(other_ca);
}

TEST_F(SslPoolTest, ProxyRefusingConnectionsIsProxyConnectionFailed) {
  // A port with nothing listening.
  cn_ip_endpoint bind;
  cn_ip_endpoint_from_literal("127.0.0.1", 0, &bind);
  cn_tcp_listener *l;
  ASSERT_EQ(CN_OK, cn_tcp_listener_new(loop_.get(), &bind, nullptr,
                                       [](void *, cn_stream_socket *s) { cn_stream_socket_destroy(s); },
                                       nullptr, &l));
  cn_ip_endpoint ep = cn_tcp_listener_address(l);
  uint16_t dead = cn_ip_endpoint_port(&ep);
  cn_tcp_listener_destroy(l);
  cn_socket_params *p = ProxyParams(dead);
  cn_client_socket_handle h;
  cn_client_socket_handle_init(&h);
  EXPECT_EQ(CN_ERR_PROXY_CONNECTION_FAILED, Request(&h, p, dead));
  EXPECT_EQ(0u, counters_.tcp_connects);
  cn_socket_params_unref(p);
}

TEST_F(SslPoolTest, CancelDuringHandshakeReleasesEverything) {
  uint16_t port = server_->port();
  cn_socket_params *p = ProxyParams(port);
  cn_client_socket_handle h;
  cn_client_socket_handle_init(&h);
  TestCompletion c;
  cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_client_socket_pool_request(ssl_pool_, SslGroup(port).c_str(), "proxy", p,
                                          CN_PRIORITY_MEDIUM, none, &h, c.cb(), c.arg()));
  cn_client_socket_handle_reset(&h);  // the job keeps going, nobody is told
  // Its socket becomes idle in the TLS pool (a later request will use it).
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    return cn_client_socket_pool_idle_count_in_group(ssl_pool_, SslGroup(port).c_str()) == 1;
  }));
  cnet_test::RunUntilIdle(loop_.get());  // the pool's notify queue too
  EXPECT_FALSE(c.done());
  cn_client_socket_pool_close_idle(ssl_pool_);
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport_pool_));
  cn_socket_params_unref(p);
}

}  // namespace
