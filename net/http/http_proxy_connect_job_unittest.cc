// The CONNECT tunnel connect job over mock sockets to an HTTP proxy: the
// session's transport pool makes the proxy connections through the mock
// socket factory, and the tests request tunnels from the session's tunnel
// pool, as the ssl_origin layer does.
#include "net/http/http_proxy_connect_job.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "net/http/http_network_session.h"
#include "net/http/http_network_session_test_util.h"
#include "net/proxy_resolution/proxy_server.h"
#include "net/spdy/spdy_session_pool.h"
#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::ReadBytes;
using cnet_test::RunUntilIdle;
using cnet_test::SocketScript;
using cnet_test::TestCompletion;
using cnet_test::WriteAll;

const char kConnect[] =
    "CONNECT origin.test:443 HTTP/1.1\r\n"
    "Host: origin.test:443\r\n"
    "User-Agent: cnet-test\r\n\r\n";
// base64("user:pass")
const char kConnectAuth[] =
    "CONNECT origin.test:443 HTTP/1.1\r\n"
    "Host: origin.test:443\r\n"
    "User-Agent: cnet-test\r\n"
    "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n";
const char kConnect2Auth[] =
    "CONNECT other.test:8443 HTTP/1.1\r\n"
    "Host: other.test:8443\r\n"
    "User-Agent: cnet-test\r\n"
    "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n";
const char k200[] = "HTTP/1.1 200 Connection established\r\n\r\n";
const char k407KeepAlive[] =
    "HTTP/1.1 407 Proxy Authentication Required\r\n"
    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
    "Content-Length: 10\r\n\r\n"
    "go away!!!";
const char k407Close[] =
    "HTTP/1.1 407 Proxy Authentication Required\r\n"
    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
    "Connection: close\r\n"
    "Content-Length: 10\r\n\r\n"
    "go away!!!";

const char kTransportGroup[] = "tcp-proxy/http://proxy.test:8080";
const char kChain[] = "http://proxy.test:8080";

class HttpProxyConnectJobTest : public cnet_test::SessionTestBase {
 protected:
  void SetUp() override {
    SessionTestBase::SetUp();
    MakeSession();
  }
  void TearDown() override {
    for (auto *h : handles_) {
      cn_client_socket_handle_reset(h);
      delete h;
    }
    handles_.clear();
    SessionTestBase::TearDown();
  }

  cn_client_socket_handle *NewHandle() {
    auto *h = new cn_client_socket_handle;
    cn_client_socket_handle_init(h);
    handles_.push_back(h);
    return h;
  }

  // Tunnel params as the session plans them for https://|host|:|port| via
  // |proxy| (an HTTP proxy).
  cn_socket_params *Params(const char *proxy = "http://proxy.test:8080",
                           const char *host = "origin.test", uint16_t port = 443) {
    cn_proxy_server ps;
    EXPECT_EQ(CN_OK, cn_proxy_server_parse(proxy, &ps));
    cn_socket_params *tp = cn_transport_socket_params_new(ps.host_port.host,
                                                          ps.host_port.port, true);
    cn_host_port target;
    EXPECT_EQ(CN_OK, cn_host_port_set(&target, host, port));
    // An HTTPS proxy may speak SPDY/HTTP2: its session's key (first hop).
    char *spdy_key = cn_proxy_server_is_https(&ps)
                         ? cn_spdy_session_key_format(&ps.host_port, nullptr, false)
                         : nullptr;
    cn_socket_params *p = cn_http_proxy_tunnel_params_new(
        transport(), kTransportGroup, kChain, tp, &target, &ps, "cnet-test", spdy_key,
        cn_http_network_session_tunnel_services(session_));
    free(spdy_key);
    cn_socket_params_unref(tp);
    cn_proxy_server_free(&ps);
    return p;
  }
  static std::string Group(const char *origin = "origin.test:443") {
    return std::string("tunnel/") + origin + "|" + kChain;
  }

  // Starts a tunnel request; returns what the pool returned.
  int Start(cn_client_socket_handle *h, cn_socket_params *p, TestCompletion *c,
            const std::string &group = Group()) {
    cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
    return cn_client_socket_pool_request(tunnel(), group.c_str(), kChain, p, CN_PRIORITY_MEDIUM,
                                         none, h, c->cb(), c->arg());
  }
  int Request(cn_client_socket_handle *h, cn_socket_params *p,
              const std::string &group = Group()) {
    TestCompletion c;
    return c.WaitForResult(loop_.get(), Start(h, p, &c, group));
  }
  int RequestWith(const char *proxy, cn_client_socket_handle *h) {
    cn_socket_params *p = Params(proxy);
    int rv = Request(h, p);
    cn_socket_params_unref(p);
    return rv;
  }

  size_t TunnelEnds() { return recorder_.Of(CN_NETLOG_HTTP_TUNNEL_CONNECT, CN_NETLOG_PHASE_END).size(); }

  // A failed tunnel leaves nothing behind in any pool.
  void ExpectNothingPooled() {
    EXPECT_EQ(0u, cn_client_socket_pool_socket_count(tunnel()));
    EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport()));
    EXPECT_EQ(0u, cn_client_socket_pool_idle_count(transport()));
    EXPECT_EQ(0u, factory_.alive());
  }

  std::vector<cn_client_socket_handle *> handles_;
};

class HttpProxyConnectJobModeTest : public HttpProxyConnectJobTest,
                                    public ::testing::WithParamInterface<cn_mock_mode> {};

INSTANTIATE_TEST_SUITE_P(HttpTunnelModes, HttpProxyConnectJobModeTest,
                         ::testing::Values(CN_MOCK_SYNC, CN_MOCK_ASYNC),
                         [](const ::testing::TestParamInfo<cn_mock_mode> &i) {
                           return std::string(i.param == CN_MOCK_SYNC ? "Sync" : "Async");
                         });

TEST_P(HttpProxyConnectJobModeTest, ConnectThen200GivesAPassThroughTunnel) {
  cn_mock_mode m = GetParam();
  factory_.AddMock(SocketScript()
                       .Connect(CN_OK, m)
                       .Write(kConnect, m)
                       .Read(k200, m)
                       .Write("client hello", m)
                       .Read("server hello", m));
  cn_client_socket_handle *h = NewHandle();
  cn_socket_params *p = Params();
  ASSERT_EQ(CN_OK, Request(h, p));
  ASSERT_NE(nullptr, h->socket);
  EXPECT_EQ(1u, counters_.tunnels);
  auto ends = recorder_.Of(CN_NETLOG_HTTP_TUNNEL_CONNECT, CN_NETLOG_PHASE_END);
  ASSERT_EQ(1u, ends.size());
  EXPECT_EQ("200", ends[0].params["status"]);
  auto begins = recorder_.Of(CN_NETLOG_HTTP_TUNNEL_CONNECT, CN_NETLOG_PHASE_BEGIN);
  ASSERT_EQ(1u, begins.size());
  EXPECT_EQ("origin.test:443", begins[0].params["target"]);
  // The connection to the proxy is held (not idle) by the tunnel.
  EXPECT_EQ(1u, cn_client_socket_pool_active_count_in_group(transport(), kTransportGroup));

  // Bytes pass through unchanged both ways.
  EXPECT_EQ(CN_OK, WriteAll(loop_.get(), h->socket, "client hello"));
  EXPECT_EQ("server hello", ReadBytes(loop_.get(), h->socket, 12));
  factory_.ExpectAllUsedAndDone();
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ("[127.0.0.1:8080]", factory_.record(0).addresses);

  // A tunnel that carried bytes is closed on release, down to the proxy
  // connection.
  cn_stream_socket_disconnect(h->socket);
  cn_client_socket_handle_reset(h);
  ExpectNothingPooled();
  cn_socket_params_unref(p);
}

TEST_P(HttpProxyConnectJobModeTest, BytesAfterThe200FailTheTunnel) {
  cn_mock_mode m = GetParam();
  factory_.AddMock(SocketScript()
                       .Connect(CN_OK, m)
                       .Write(kConnect, m)
                       .Read(std::string(k200) + "\x16\x03\x01 proxy junk", m));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(nullptr, h->socket);
  EXPECT_EQ(0u, counters_.tunnels);
  factory_.ExpectAllUsedAndDone();
  ExpectNothingPooled();
}

TEST_P(HttpProxyConnectJobModeTest, Auth407KeepAliveRetriesOnTheSameConnection) {
  cn_mock_mode m = GetParam();
  factory_.AddMock(SocketScript()
                       .Connect(CN_OK, m)
                       .Write(kConnect, m)
                       .Read(k407KeepAlive, m)
                       .Write(kConnectAuth, m)
                       .Read(k200, m));
  cn_client_socket_handle *h = NewHandle();
  ASSERT_EQ(CN_OK, RequestWith("http://user:pass@proxy.test:8080", h));
  EXPECT_EQ(1u, factory_.created());  // the same connection carried both
  EXPECT_EQ(1u, counters_.tunnels);
  EXPECT_EQ(1u, TunnelEnds());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpProxyConnectJobTest, Auth407CloseRetriesOnANewConnection) {
  factory_.AddMock(SocketScript().Write(kConnect).Read(k407Close));
  factory_.AddMock(SocketScript().Write(kConnectAuth).Read(k200));
  cn_client_socket_handle *h = NewHandle();
  ASSERT_EQ(CN_OK, RequestWith("http://user:pass@proxy.test:8080", h));
  EXPECT_EQ(2u, factory_.created());
  EXPECT_TRUE(factory_.record(0).destroyed);  // the closed one is gone
  EXPECT_EQ(1u, cn_client_socket_pool_socket_count(transport()));
  EXPECT_EQ(1u, counters_.tunnels);
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpProxyConnectJobTest, Auth407CloseWithBodyUntilEofRetriesOnANewConnection) {
  factory_.AddMock(SocketScript()
                       .Write(kConnect)
                       .Read("HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basic realm=x\r\n\r\n")
                       .Read("no length: the body runs to EOF")
                       .ReadEof());
  factory_.AddMock(SocketScript().Write(kConnectAuth).Read(k200));
  cn_client_socket_handle *h = NewHandle();
  ASSERT_EQ(CN_OK, RequestWith("http://user:pass@proxy.test:8080", h));
  EXPECT_EQ(2u, factory_.created());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpProxyConnectJobTest, Auth407WithoutCredentialsIsAuthRequested) {
  factory_.AddMock(SocketScript().Write(kConnect).Read(k407KeepAlive));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_PROXY_AUTH_REQUESTED, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(nullptr, h->socket);
  EXPECT_EQ(0u, counters_.tunnels);
  ASSERT_EQ(1u, TunnelEnds());
  factory_.ExpectAllUsedAndDone();
  ExpectNothingPooled();
}

TEST_F(HttpProxyConnectJobTest, Auth407TwiceIsAuthRequested) {
  factory_.AddMock(SocketScript()
                       .Write(kConnect)
                       .Read(k407KeepAlive)
                       .Write(kConnectAuth)
                       .Read(k407KeepAlive));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_PROXY_AUTH_REQUESTED, RequestWith("http://user:pass@proxy.test:8080", h));
  EXPECT_EQ(1u, factory_.created());
  factory_.ExpectAllUsedAndDone();
  ExpectNothingPooled();
  // Refused credentials are not remembered as accepted.
  cn_proxy_server ps;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("http://user:pass@proxy.test:8080", &ps));
  EXPECT_FALSE(cn_http_network_session_proxy_auth_known(session_, &ps));
  cn_proxy_server_free(&ps);
}

TEST_F(HttpProxyConnectJobTest, Auth407WithAnotherSchemeIsUnsupported) {
  factory_.AddMock(SocketScript().Write(kConnect).Read(
      "HTTP/1.1 407 Auth\r\nProxy-Authenticate: Negotiate\r\n"
      "Proxy-Authenticate: Digest realm=\"x\", nonce=\"y\", algorithm=SHA-512-256\r\n"
      "Content-Length: 0\r\n\r\n"));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_PROXY_AUTH_UNSUPPORTED, RequestWith("http://user:pass@proxy.test:8080", h));
  factory_.ExpectAllUsedAndDone();
  ExpectNothingPooled();
}

TEST_F(HttpProxyConnectJobTest, Auth407WithoutAChallengeIsUnsupported) {
  factory_.AddMock(SocketScript().Write(kConnect).Read(
      "HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\n"));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_PROXY_AUTH_UNSUPPORTED, RequestWith("http://user:pass@proxy.test:8080", h));
  ExpectNothingPooled();
}

TEST_F(HttpProxyConnectJobTest, Auth407PicksBasicAmongSeveralChallenges) {
  // A proxy offering Negotiate first and Basic second: Basic is usable.
  factory_.AddMock(SocketScript()
                       .Write(kConnect)
                       .Read("HTTP/1.1 407 Auth\r\n"
                             "Proxy-Authenticate: Negotiate\r\n"
                             "Proxy-Authenticate: Basic realm=\"x\"\r\n"
                             "Content-Length: 0\r\n\r\n")
                       .Write(kConnectAuth)
                       .Read(k200));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_OK, RequestWith("http://user:pass@proxy.test:8080", h));
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpProxyConnectJobTest, Auth407SchemeThatOnlyStartsWithBasicIsUnsupported) {
  factory_.AddMock(SocketScript().Write(kConnect).Read(
      "HTTP/1.1 407 Auth\r\nProxy-Authenticate: BasicPlus realm=\"x\"\r\n"
      "Content-Length: 0\r\n\r\n"));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_PROXY_AUTH_UNSUPPORTED, RequestWith("http://user:pass@proxy.test:8080", h));
}

TEST_F(HttpProxyConnectJobTest, AfterAcceptedCredentialsTheNextConnectSendsThemUpFront) {
  factory_.AddMock(SocketScript()
                       .Write(kConnect)
                       .Read(k407KeepAlive)
                       .Write(kConnectAuth)
                       .Read(k200));
  // Another origin through the same proxy: a new tunnel, credentials at once.
  factory_.AddMock(SocketScript().Write(kConnect2Auth).Read(k200));
  cn_client_socket_handle *h1 = NewHandle();
  ASSERT_EQ(CN_OK, RequestWith("http://user:pass@proxy.test:8080", h1));
  cn_proxy_server ps;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("http://user:pass@proxy.test:8080", &ps));
  EXPECT_TRUE(cn_http_network_session_proxy_auth_known(session_, &ps));
  cn_proxy_server_free(&ps);

  cn_socket_params *p = Params("http://user:pass@proxy.test:8080", "other.test", 8443);
  cn_client_socket_handle *h2 = NewHandle();
  EXPECT_EQ(CN_OK, Request(h2, p, Group("other.test:8443")));
  cn_socket_params_unref(p);
  EXPECT_EQ(2u, factory_.created());
  EXPECT_EQ(2u, counters_.tunnels);
  factory_.ExpectAllUsedAndDone();
}

struct StatusCase {
  const char *response;
  int error;
};

class HttpProxyConnectJobStatusTest : public HttpProxyConnectJobTest,
                                      public ::testing::WithParamInterface<StatusCase> {};

INSTANTIATE_TEST_SUITE_P(
    HttpTunnelStatuses, HttpProxyConnectJobStatusTest,
    ::testing::Values(
        StatusCase{"HTTP/1.1 302 Found\r\nLocation: https://evil.test/\r\n"
                   "Content-Length: 7\r\n\r\nmoved!!",
                   CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 301 Moved\r\nLocation: https://evil.test/\r\n"
                   "Content-Length: 0\r\n\r\n",
                   CN_ERR_TUNNEL_CONNECTION_FAILED},
        // Strict CONNECT: only 200. A 1xx is the answer (100 then 200 too),
        // any other 2xx or 3xx fails — without its body being read.
        StatusCase{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection established\r\n\r\n",
                   CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
                   CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 201 Created\r\n\r\n", CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 202 Accepted\r\n\r\n", CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 204 No Content\r\n\r\n", CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 206 Partial\r\n\r\n", CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 299 Whatever\r\n\r\n", CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 304 Not Modified\r\n\r\n", CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 307 Temporary\r\nLocation: https://evil.test/\r\n"
                   "Content-Length: 0\r\n\r\n",
                   CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 308 Permanent\r\nLocation: https://evil.test/\r\n"
                   "Content-Length: 0\r\n\r\n",
                   CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 403 Forbidden\r\nContent-Length: 12\r\n\r\nblocked page",
                   CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 12\r\n\r\nproxy's page",
                   CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n"
                   "Content-Length: 0\r\n\r\n",
                   CN_ERR_TUNNEL_CONNECTION_FAILED},
        StatusCase{"HTTP/1.0 500 Oops\r\n\r\nbody to EOF", CN_ERR_TUNNEL_CONNECTION_FAILED}));

TEST_P(HttpProxyConnectJobStatusTest, NonSuccessAnswersFailWithoutShowingTheBody) {
  factory_.AddMock(SocketScript().Write(kConnect).Read(GetParam().response));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(GetParam().error, RequestWith("http://proxy.test:8080", h));
  // Nothing of the proxy's answer reaches the caller: no socket to read it
  // from, and no connection kept where a later request could read it.
  EXPECT_EQ(nullptr, h->socket);
  EXPECT_EQ(0u, counters_.tunnels);
  auto ends = recorder_.Of(CN_NETLOG_HTTP_TUNNEL_CONNECT, CN_NETLOG_PHASE_END);
  ASSERT_EQ(1u, ends.size());
  EXPECT_EQ(std::to_string(GetParam().error), ends[0].params["net_error"]);
  ExpectNothingPooled();
}

// The proxy failing the exchange: the error as it is, named as the proxy's
// (hop 0, the proxy the CONNECT went through), never masked as a failure
// to connect to it.
TEST_F(HttpProxyConnectJobTest, EofBeforeTheAnswerIsAnEmptyResponseOfTheProxy) {
  factory_.AddMock(SocketScript().Write(kConnect).ReadEof());
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_EMPTY_RESPONSE, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(0, h->error_hop);
  EXPECT_EQ(nullptr, h->socket);
  EXPECT_EQ(0u, recorder_.Of(CN_NETLOG_PROXY_CONNECT_ERROR, CN_NETLOG_PHASE_NONE).size());
  factory_.ExpectAllUsedAndDone();
  ExpectNothingPooled();
}

TEST_F(HttpProxyConnectJobTest, EofInTheMiddleOfTheAnswerIsTruncatedHeaders) {
  factory_.AddMock(SocketScript().Write(kConnect).Read("HTTP/1.1 200 Conn").ReadEof());
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_RESPONSE_HEADERS_TRUNCATED, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(0, h->error_hop);
  EXPECT_EQ(0u, counters_.tunnels);
  ExpectNothingPooled();
}

TEST_F(HttpProxyConnectJobTest, ResetDuringConnectWriteIsAResetOfTheProxy) {
  factory_.AddMock(SocketScript().WriteError(CN_ERR_CONNECTION_RESET));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(0, h->error_hop);
  ExpectNothingPooled();
}

TEST_F(HttpProxyConnectJobTest, GarbageAnswerIsAnInvalidResponseOfTheProxy) {
  factory_.AddMock(SocketScript().Write(kConnect).Read("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_INVALID_RESPONSE, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(0, h->error_hop);
  ExpectNothingPooled();
}

TEST_F(HttpProxyConnectJobTest, ProxyRefusingTheConnectionIsProxyConnectionFailed) {
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED));
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_PROXY_CONNECTION_FAILED, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(0, h->error_hop);
  // Logged as a tunnel that failed, not counted as one.
  EXPECT_EQ(0u, counters_.tunnels);
  ExpectNothingPooled();
}

TEST_F(HttpProxyConnectJobTest, IdleTunnelIsReusedForTheSameOriginOnly) {
  factory_.AddMock(SocketScript().Write(kConnect).Read(k200));
  cn_client_socket_handle *h = NewHandle();
  cn_socket_params *p = Params();
  ASSERT_EQ(CN_OK, Request(h, p));
  // Given back unused (as a preconnect would leave it): idle in the tunnel pool.
  cn_client_socket_handle_reset(h);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(tunnel(), Group().c_str()));
  ASSERT_EQ(CN_OK, Request(h, p));
  EXPECT_EQ(CN_SOCKET_UNUSED_IDLE, h->reuse_type);
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(1u, counters_.tunnels);
  cn_socket_params_unref(p);
  factory_.ExpectAllUsedAndDone();
}

// --- stale connections to the proxy -------------------------------------------

class HttpProxyConnectJobStaleTest : public HttpProxyConnectJobTest {
 protected:
  // Puts the next queued socket idle in the proxy's transport group as a
  // used connection (as an http:// request through the proxy leaves it).
  void SeedUsedIdleConnection() {
    cn_socket_params *tp = cn_transport_socket_params_new("proxy.test", 8080, true);
    cn_client_socket_handle h;
    TestCompletion c;
    cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
    int rv = cn_client_socket_pool_request(transport(), kTransportGroup, kChain, tp,
                                           CN_PRIORITY_MEDIUM, none, &h, c.cb(), c.arg());
    ASSERT_EQ(CN_OK, c.WaitForResult(loop_.get(), rv));
    h.is_used = true;
    cn_client_socket_handle_reset(&h);
    cn_socket_params_unref(tp);
    ASSERT_EQ(1u, cn_client_socket_pool_idle_count_in_group(transport(), kTransportGroup));
  }
};

TEST_F(HttpProxyConnectJobStaleTest, EofOnAReusedProxyConnectionRetriesOnANewOne) {
  factory_.AddMock(SocketScript().Write(kConnect).ReadEof());
  factory_.AddMock(SocketScript().Write(kConnect).Read(k200));
  SeedUsedIdleConnection();
  cn_client_socket_handle *h = NewHandle();
  ASSERT_EQ(CN_OK, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(2u, factory_.created());
  EXPECT_TRUE(factory_.record(0).destroyed);
  EXPECT_EQ(1u, counters_.tunnels);
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpProxyConnectJobStaleTest, ResetWritingOnAReusedProxyConnectionRetries) {
  factory_.AddMock(SocketScript().WriteError(CN_ERR_CONNECTION_RESET));
  factory_.AddMock(SocketScript().Write(kConnect).Read(k200));
  SeedUsedIdleConnection();
  cn_client_socket_handle *h = NewHandle();
  ASSERT_EQ(CN_OK, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(2u, factory_.created());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpProxyConnectJobStaleTest, RetriedOnlyOnce) {
  factory_.AddMock(SocketScript().Write(kConnect).ReadEof());
  factory_.AddMock(SocketScript().Write(kConnect).ReadError(CN_ERR_CONNECTION_RESET));
  SeedUsedIdleConnection();
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(2u, factory_.created());
  factory_.ExpectAllUsedAndDone();
  ExpectNothingPooled();
}

TEST_F(HttpProxyConnectJobStaleTest, FailureAfterAnswerBytesIsNotRetried) {
  factory_.AddMock(
      SocketScript().Write(kConnect).Read("HTTP/1.1 200").ReadError(CN_ERR_CONNECTION_RESET));
  SeedUsedIdleConnection();
  cn_client_socket_handle *h = NewHandle();
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, RequestWith("http://proxy.test:8080", h));
  EXPECT_EQ(1u, factory_.created());
  factory_.ExpectAllUsedAndDone();
  ExpectNothingPooled();
}

// --- cancellation -----------------------------------------------------------

enum class Stage { kLowerConnect, kConnectWrite, kAnswerRead, kDrain407 };

class HttpProxyConnectJobCancelTest : public HttpProxyConnectJobTest,
                                      public ::testing::WithParamInterface<Stage> {
 protected:
  // Queues a script whose job is, right after the request returns, waiting
  // at the stage under test.
  void QueueScript() {
    switch (GetParam()) {
      case Stage::kLowerConnect:
        factory_.AddMock(SocketScript().Connect(CN_OK, CN_MOCK_ASYNC).Write(kConnect).Read(k200));
        break;
      case Stage::kConnectWrite:
        factory_.AddMock(SocketScript().Write(kConnect, CN_MOCK_ASYNC).Read(k200));
        break;
      case Stage::kAnswerRead:
        // The script ends after the write: the read waits forever.
        factory_.AddMock(SocketScript().Write(kConnect, CN_MOCK_SYNC));
        break;
      case Stage::kDrain407:
        factory_.AddMock(SocketScript()
                             .Write(kConnect, CN_MOCK_SYNC)
                             .Read("HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basic\r\n"
                                   "Content-Length: 100\r\n\r\npart of the body",
                                   CN_MOCK_SYNC));
        break;
    }
  }
};

INSTANTIATE_TEST_SUITE_P(HttpTunnelCancel, HttpProxyConnectJobCancelTest,
                         ::testing::Values(Stage::kLowerConnect, Stage::kConnectWrite,
                                           Stage::kAnswerRead, Stage::kDrain407));

TEST_P(HttpProxyConnectJobCancelTest, CancelRunsNoCallbackAndDestroyFreesEverything) {
  QueueScript();
  cn_client_socket_handle *h = NewHandle();
  cn_socket_params *p = Params("http://user:pass@proxy.test:8080");
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, Start(h, p, &c));
  EXPECT_EQ(1u, cn_client_socket_pool_job_count_in_group(tunnel(), Group().c_str()));
  cn_client_socket_handle_reset(h);  // cancel
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(c.done());
  // The job belongs to the group and carries on (late binding, as in
  // Chromium): a tunnel it finishes waits idle for the next request.
  bool finishes = GetParam() == Stage::kLowerConnect || GetParam() == Stage::kConnectWrite;
  EXPECT_EQ(finishes ? 1u : 0u,
            cn_client_socket_pool_idle_count_in_group(tunnel(), Group().c_str()));
  EXPECT_EQ(finishes ? 0u : 1u,
            cn_client_socket_pool_job_count_in_group(tunnel(), Group().c_str()));
  // The session goes with the job (or the idle tunnel): no callback, no
  // socket left (TearDown checks the factory), no leak (ASan).
  DestroySession();
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(c.done());
  EXPECT_EQ(0u, factory_.alive());
  cn_socket_params_unref(p);
}

TEST_P(HttpProxyConnectJobCancelTest, DestroyingThePoolsMidJobRunsNoCallback) {
  QueueScript();
  cn_client_socket_handle *h = NewHandle();
  cn_socket_params *p = Params("http://user:pass@proxy.test:8080");
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, Start(h, p, &c));
  cn_socket_params_unref(p);
  DestroySession();  // the pending request is dropped silently
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(c.done());
  EXPECT_EQ(0u, factory_.alive());
}

}  // namespace
