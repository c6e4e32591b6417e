// Optimistic HTTP/1.1 tunnels (issue #13) over mock sockets: the session's
// tunnel pool with cn_tunnel_services.optimistic_tunnels on hands the
// tunnel up once the CONNECT is written; what is written next follows it
// in the same flight, and the proxy's answer is read before the origin's
// first bytes. A refusal is the tunnel job's error for it, and closes the
// connection.
#include "net/http/http_optimistic_tunnel_socket.h"

#include <gtest/gtest.h>

#include <string>

#include "net/http/http_network_session.h"
#include "net/http/http_network_session_test_util.h"
#include "net/http/http_proxy_connect_job.h"
#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::ReadBytes;
using cnet_test::SocketScript;
using cnet_test::TestCompletion;
using cnet_test::WriteAll;

const char kConnect[] =
    "CONNECT origin.test:443 HTTP/1.1\r\n"
    "Host: origin.test:443\r\n"
    "User-Agent: cnet-test\r\n\r\n";
const char kConnectAuth[] =
    "CONNECT origin.test:443 HTTP/1.1\r\n"
    "Host: origin.test:443\r\n"
    "User-Agent: cnet-test\r\n"
    "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n";  // user:pass
const char k200[] = "HTTP/1.1 200 Connection established\r\n\r\n";
const char k403[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nnope\n";
const char k407[] =
    "HTTP/1.1 407 Proxy Authentication Required\r\n"
    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
    "Content-Length: 0\r\n\r\n";
const char kTransportGroup[] = "tcp-proxy/http://proxy.test:8080";
const char kChain[] = "http://proxy.test:8080";
const char kGroup[] = "tunnel/origin.test:443|http://proxy.test:8080";

class OptimisticTunnelTest : public cnet_test::SessionTestBase,
                             public ::testing::WithParamInterface<cn_mock_mode> {
 protected:
  void SetUp() override {
    SessionTestBase::SetUp();
    MakeSession();
    cn_client_socket_handle_init(&handle_);
  }
  void TearDown() override {
    cn_client_socket_handle_reset(&handle_);
    SessionTestBase::TearDown();
  }
  void AdjustParams(cn_http_network_session_params *p) override { p->optimistic_tunnels = true; }

  // A tunnel to origin.test:443 through |proxy| (an HTTP proxy), as the
  // ssl_origin layer asks for one.
  int Request(const char *proxy = "http://proxy.test:8080") {
    cn_proxy_server ps;
    EXPECT_EQ(CN_OK, cn_proxy_server_parse(proxy, &ps));
    cn_socket_params *tp =
        cn_transport_socket_params_new(ps.host_port.host, ps.host_port.port, true);
    cn_host_port target;
    EXPECT_EQ(CN_OK, cn_host_port_set(&target, "origin.test", 443));
    cn_socket_params *p = cn_http_proxy_tunnel_params_new(
        transport(), kTransportGroup, kChain, tp, &target, &ps, "cnet-test", nullptr,
        cn_http_network_session_tunnel_services(session_));
    cn_socket_params_unref(tp);
    cn_proxy_server_free(&ps);
    TestCompletion c;
    cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
    int rv = c.WaitForResult(
        loop_.get(), cn_client_socket_pool_request(tunnel(), kGroup, kChain, p, CN_PRIORITY_MEDIUM,
                                                   none, &handle_, c.cb(), c.arg()));
    cn_socket_params_unref(p);
    return rv;
  }

  // One read of the tunnel: its result (bytes into |*got|).
  int Read(std::string *got) {
    cn_iobuf *buf = cn_iobuf_new(256);
    TestCompletion c;
    int rv = c.WaitForResult(loop_.get(),
                             cn_stream_socket_read(handle_.socket, buf, 256, c.cb(), c.arg()));
    if (rv > 0)
      got->assign(reinterpret_cast<const char *>(buf->data), static_cast<size_t>(rv));
    cn_iobuf_unref(buf);
    return rv;
  }

  std::vector<cnet_test::EventRecorder::Entry> TunnelEnds() {
    return recorder_.Of(CN_NETLOG_HTTP_TUNNEL_CONNECT, CN_NETLOG_PHASE_END);
  }

  cn_client_socket_handle handle_;
};

INSTANTIATE_TEST_SUITE_P(Modes, OptimisticTunnelTest,
                         ::testing::Values(CN_MOCK_SYNC, CN_MOCK_ASYNC),
                         [](const ::testing::TestParamInfo<cn_mock_mode> &i) {
                           return std::string(i.param == CN_MOCK_SYNC ? "Sync" : "Async");
                         });

// The point of it: the first flight above (the ClientHello) is written
// right behind the CONNECT, before anything is read; the 200 and the
// origin's first bytes, in one read, come out as the origin's bytes alone.
TEST_P(OptimisticTunnelTest, ClientHelloFollowsTheConnectBeforeTheAnswer) {
  cn_mock_mode m = GetParam();
  factory_.AddMock(SocketScript()
                       .Connect(CN_OK, m)
                       .Write(kConnect, m)
                       .Write("client hello", m)
                       .Read(std::string(k200) + "server hello", m));
  ASSERT_EQ(CN_OK, Request());
  ASSERT_NE(nullptr, handle_.socket);
  EXPECT_EQ(0u, TunnelEnds().size());  // no answer yet
  EXPECT_EQ(CN_SOCKET_LAYER_HTTP_TUNNEL, cn_stream_socket_layer(handle_.socket));
  EXPECT_EQ(CN_OK, WriteAll(loop_.get(), handle_.socket, "client hello"));
  EXPECT_EQ("server hello", ReadBytes(loop_.get(), handle_.socket, 12));
  auto ends = TunnelEnds();
  ASSERT_EQ(1u, ends.size());
  EXPECT_EQ("200", ends[0].params["status"]);
  EXPECT_EQ(0u, ends[0].params.count("net_error"));
  EXPECT_EQ(1u, counters_.tunnels);
  int hop;
  EXPECT_NE(CN_OK, cn_stream_socket_query(handle_.socket, CN_SOCKET_QUERY_REFUSED_HOP, &hop));
  factory_.ExpectAllUsedAndDone();
}

// The origin's bytes may come after the 200, in reads of their own.
TEST_P(OptimisticTunnelTest, AnswerAloneThenTheOriginsBytes) {
  cn_mock_mode m = GetParam();
  factory_.AddMock(SocketScript()
                       .Connect(CN_OK, m)
                       .Write(kConnect, m)
                       .Write("client hello", m)
                       .Read(k200, m)
                       .Read("server hello", m));
  ASSERT_EQ(CN_OK, Request());
  EXPECT_EQ(CN_OK, WriteAll(loop_.get(), handle_.socket, "client hello"));
  std::string got;
  ASSERT_EQ(12, Read(&got));
  EXPECT_EQ("server hello", got);
  factory_.ExpectAllUsedAndDone();
}

// A refusal: the tunnel job's error for a 403, the proxy named as the
// failure's hop, the connection closed and never pooled again, nothing
// retried, and HTTP_TUNNEL_CONNECT ends with the status and the error.
TEST_P(OptimisticTunnelTest, RefusalIsTheSameErrorAndClosesTheConnection) {
  cn_mock_mode m = GetParam();
  factory_.AddMock(SocketScript()
                       .Connect(CN_OK, m)
                       .Write(kConnect, m)
                       .Write("client hello", m)
                       .Read(k403, m));
  ASSERT_EQ(CN_OK, Request());
  EXPECT_EQ(CN_OK, WriteAll(loop_.get(), handle_.socket, "client hello"));
  std::string got;
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED, Read(&got));
  EXPECT_EQ("", got);  // the proxy's body is never the origin's
  int hop = -99;
  ASSERT_EQ(CN_OK, cn_stream_socket_query(handle_.socket, CN_SOCKET_QUERY_REFUSED_HOP, &hop));
  EXPECT_EQ(0, hop);
  EXPECT_FALSE(cn_stream_socket_is_connected(handle_.socket));
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED, Read(&got));  // and stays so
  auto ends = TunnelEnds();
  ASSERT_EQ(1u, ends.size());
  EXPECT_EQ("403", ends[0].params["status"]);
  EXPECT_EQ(std::to_string(CN_ERR_TUNNEL_CONNECTION_FAILED), ends[0].params["net_error"]);
  EXPECT_EQ(0u, counters_.tunnels);
  cn_client_socket_handle_reset(&handle_);
  EXPECT_EQ(0u, cn_client_socket_pool_idle_count(transport()));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(0u, factory_.alive());
  factory_.ExpectAllUsedAndDone();
}

// A 407 with no credentials to send: CN_ERR_PROXY_AUTH_REQUESTED, as the
// tunnel job says it.
TEST_P(OptimisticTunnelTest, A407WithoutCredentialsIsAuthRequested) {
  cn_mock_mode m = GetParam();
  factory_.AddMock(SocketScript()
                       .Connect(CN_OK, m)
                       .Write(kConnect, m)
                       .Write("client hello", m)
                       .Read(k407, m));
  ASSERT_EQ(CN_OK, Request());
  EXPECT_EQ(CN_OK, WriteAll(loop_.get(), handle_.socket, "client hello"));
  std::string got;
  EXPECT_EQ(CN_ERR_PROXY_AUTH_REQUESTED, Read(&got));
  factory_.ExpectAllUsedAndDone();
}

// The proxy closes without an answer: the exchange's own error, as it is.
TEST_P(OptimisticTunnelTest, EofBeforeTheAnswerIsEmptyResponse) {
  cn_mock_mode m = GetParam();
  factory_.AddMock(SocketScript()
                       .Connect(CN_OK, m)
                       .Write(kConnect, m)
                       .Write("client hello", m)
                       .ReadEof(m));
  ASSERT_EQ(CN_OK, Request());
  EXPECT_EQ(CN_OK, WriteAll(loop_.get(), handle_.socket, "client hello"));
  std::string got;
  EXPECT_EQ(CN_ERR_EMPTY_RESPONSE, Read(&got));
  factory_.ExpectAllUsedAndDone();
}

// A proxy with credentials is never optimistic (the job answers its 407
// and remembers the identity the 200 takes): both CONNECTs, the first and
// the next tunnel's with the identity sent up front, wait for their answers.
TEST_F(OptimisticTunnelTest, CredentialsWaitForTheAnswer) {
  factory_.AddMock(SocketScript()
                       .Write(kConnect)
                       .Read(std::string(k407))
                       .Write(kConnectAuth)
                       .Read(k200)
                       .Write("client hello"));
  ASSERT_EQ(CN_OK, Request("http://user:pass@proxy.test:8080"));
  EXPECT_EQ(1u, counters_.tunnels);  // the answer was read by the job
  EXPECT_EQ(CN_OK, WriteAll(loop_.get(), handle_.socket, "client hello"));
  factory_.ExpectAllUsedAndDone();
  cn_stream_socket_disconnect(handle_.socket);
  cn_client_socket_handle_reset(&handle_);

  factory_.AddMock(SocketScript().Write(kConnectAuth).Read(k200).Write("client hello"));
  ASSERT_EQ(CN_OK, Request("http://user:pass@proxy.test:8080"));
  EXPECT_EQ(2u, counters_.tunnels);
  EXPECT_EQ(CN_OK, WriteAll(loop_.get(), handle_.socket, "client hello"));
  factory_.ExpectAllUsedAndDone();
}

// Gone before the answer: the tunnel's END says aborted, nothing pooled.
TEST_F(OptimisticTunnelTest, ReleasedBeforeTheAnswer) {
  factory_.AddMock(SocketScript().Write(kConnect).Pause());
  ASSERT_EQ(CN_OK, Request());
  cn_stream_socket_disconnect(handle_.socket);
  cn_client_socket_handle_reset(&handle_);
  auto ends = TunnelEnds();
  ASSERT_EQ(1u, ends.size());
  EXPECT_EQ(std::to_string(CN_ERR_ABORTED), ends[0].params["net_error"]);
  EXPECT_EQ(0u, factory_.alive());
}

}  // namespace
