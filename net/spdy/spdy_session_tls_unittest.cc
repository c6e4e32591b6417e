// Sessions over TLS: the protocol comes from ALPN, and the socket below is
// a real layered one (TLS over a pipe, with its own buffering and async
// writes) rather than the pipe itself.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "net/socket/ssl_socket.h"
#include "net/spdy/spdy_session.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/spdy/spdy_stream.h"
#include "net/test/cert_generator.h"

namespace cnet_test {
namespace {

class SpdySessionTlsTest : public testing::TestWithParam<cn_next_proto> {
 protected:
  SpdySessionTlsTest() {
    ca_ = cn_test_cert_new_ca("cnet Session Test Root");
    leaf_ = cn_test_cert_new_leaf("origin.test", ca_);
    cn_ssl_client_context_options co = {};
    co.ca_pem = cn_test_cert_pem(ca_);
    EXPECT_EQ(CN_OK, cn_ssl_client_context_new(&co, &client_ctx_));
    EXPECT_EQ(CN_OK, cn_ssl_server_context_new(cn_test_cert_chain_pem(leaf_),
                                               cn_test_cert_key_pem(leaf_), &server_ctx_));
  }
  ~SpdySessionTlsTest() override {
    cn_ssl_context_unref(client_ctx_);
    cn_ssl_context_unref(server_ctx_);
    cn_test_cert_free(leaf_);
    cn_test_cert_free(ca_);
  }

  // Connected TLS sockets over a pipe that negotiated GetParam() by ALPN.
  void Connect(size_t chunk, cn_stream_socket **client, cn_stream_socket **server) {
    cn_stream_socket *a, *b;
    cn_pipe_socket_pair(loop_.get(), nullptr, chunk, &a, &b);
    cn_ssl_config config = {};
    config.protos[0] = GetParam();
    config.protos[1] = CN_PROTO_HTTP11;
    config.num_protos = 2;
    cn_ssl_socket_params cp = {};
    cp.context = client_ctx_;
    cp.config = &config;
    cp.host = "origin.test";
    cn_ssl_socket_params sp = {};
    sp.context = server_ctx_;
    sp.config = &config;
    *client = cn_ssl_socket_new(nullptr, a, &cp);
    *server = cn_ssl_socket_new(nullptr, b, &sp);
    TestCompletion c, s;
    int crv = cn_stream_socket_connect(*client, c.cb(), c.arg());
    int srv = cn_stream_socket_connect(*server, s.cb(), s.arg());
    EXPECT_EQ(CN_OK, s.WaitForResult(loop_.get(), srv));
    EXPECT_EQ(CN_OK, c.WaitForResult(loop_.get(), crv));
    EXPECT_EQ(GetParam(), cn_stream_socket_negotiated_protocol(*client));
  }

  TestLoop loop_;
  cn_test_cert *ca_ = nullptr;
  cn_test_cert *leaf_ = nullptr;
  cn_ssl_context *client_ctx_ = nullptr;
  cn_ssl_context *server_ctx_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Protocols, SpdySessionTlsTest,
                         testing::Values(CN_PROTO_SPDY31, CN_PROTO_HTTP2),
                         [](const testing::TestParamInfo<cn_next_proto> &param) {
                           return std::string(param.param == CN_PROTO_SPDY31 ? "Spdy31" : "Http2");
                         });

TEST_P(SpdySessionTlsTest, ProtocolFromAlpnAndManyStreams) {
  for (size_t chunk : {size_t{0}, size_t{7}}) {
    cn_stream_socket *client_sock, *server_sock;
    Connect(chunk, &client_sock, &server_sock);
    cn_spdy_session_options so;
    cn_spdy_session_options_init(&so);
    so.is_server = true;  // protocol left to ALPN
    DelegateRecorder client_rec, server_rec;
    cn_spdy_session_delegate cd = client_rec.delegate(false), sd = server_rec.delegate(true);
    cn_spdy_session *client = nullptr, *server = nullptr;
    ASSERT_EQ(CN_OK, cn_spdy_session_create(loop_.get(), client_sock, nullptr, &cd, nullptr, &client));
    ASSERT_EQ(CN_OK, cn_spdy_session_create(loop_.get(), server_sock, &so, &sd, nullptr, &server));
    EXPECT_EQ(GetParam(), cn_spdy_session_protocol(client));
    EXPECT_EQ(GetParam(), cn_spdy_session_protocol(server));
    {
      std::vector<std::unique_ptr<Request>> reqs;
      std::string upload = Pattern(chunk ? 100000 : 1 << 20, 1);
      reqs.emplace_back(new Request(client, "/size/" + std::to_string(chunk ? 100000 : 1 << 20)));
      reqs.emplace_back(new Request(client, "/echo", upload));
      for (int i = 0; i < 20; i++)
        reqs.emplace_back(new Request(client, "/size/" + std::to_string(i * 1000)));
      for (auto &r : reqs)
        r->Start();
      ASSERT_TRUE(RunUntil(loop_.get(), [&] {
        for (auto &r : reqs) {
          if (!r->done)
            return false;
        }
        return true;
      }, 60000));
      size_t big = chunk ? 100000 : 1 << 20;
      EXPECT_EQ(0, reqs[0]->result);
      EXPECT_TRUE(reqs[0]->response == Pattern(big, static_cast<uint32_t>(big)));
      EXPECT_EQ(0, reqs[1]->result);
      EXPECT_TRUE(reqs[1]->response == upload);
      for (int i = 0; i < 20; i++) {
        EXPECT_EQ(0, reqs[2 + i]->result);
        EXPECT_TRUE(reqs[2 + i]->response == Pattern(i * 1000, i * 1000)) << i;
      }
    }
    server_rec.streams.clear();
    cn_spdy_session_destroy(client);
    cn_spdy_session_destroy(server);
  }
}

}  // namespace
}  // namespace cnet_test
