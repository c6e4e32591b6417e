// The SOCKS pool layer over a transport pool of scripted sockets: local
// (socks5://) and remote (socks5h://) resolution, credentials, errors of the
// proxy connection versus the proxy's replies, reuse at the top layer, and
// cancel at every stage.
#include "net/socket/socks5_connect_job.h"

#include <gtest/gtest.h>

#include <string>

#include "net/base/netlog_counters.h"
#include "net/dns/host_resolver.h"
#include "net/socket/mock_client_socket_factory.h"
#include "net/socket/socket_test_util.h"
#include "net/socket/socks5_client_socket.h"
#include "net/socket/transport_connect_job.h"

namespace {

using cnet_test::MockClientSocketFactory;
using cnet_test::SocketScript;
using cnet_test::TestCompletion;
using cnet_test::TestLoop;

const std::string kGreetNoAuth("\x05\x01\x00", 3);
const std::string kChoseNone("\x05\x00", 2);
const std::string kReplyOk("\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38", 10);
// CONNECT origin.test:443 by name (socks5h).
const std::string kConnectByName =
    std::string("\x05\x01\x00\x03\x0b", 5) + "origin.test" + std::string("\x01\xbb", 2);
// CONNECT 10.0.0.5:443 (socks5: origin.test resolved by the client).
const std::string kConnectByAddress("\x05\x01\x00\x01\x0a\x00\x00\x05\x01\xbb", 10);

const char kProxyGroup[] = "tcp-proxy/socks5h://proxy.test:1080";
const char kSocksGroup[] = "socks/origin.test:443|socks5h://proxy.test:1080";

// A lookup backend for names the rules do not know: either "no such name"
// at once, or a lookup that never answers (to cancel a job while it
// resolves). Never touches DNS.
struct TestProc {
  bool hang = false;
  int abandoned = 0;
  cn_host_resolver_proc vtable{&Start, &Abandon};
  static int Start(void *ctx, uv_loop_t *, const char *, int, cn_host_resolver_proc_done_cb,
                   void *, void **out_lookup) {
    auto *self = static_cast<TestProc *>(ctx);
    if (!self->hang)
      return CN_ERR_NAME_NOT_RESOLVED;
    *out_lookup = self;
    return CN_ERR_IO_PENDING;
  }
  static void Abandon(void *ctx, void *) { static_cast<TestProc *>(ctx)->abandoned++; }
};

// Counts PROXY_CONNECT_ERROR events and remembers the last one's error.
struct ProxyErrorObserver {
  cn_netlog_observer obs;  // first: the callback casts back
  int count = 0;
  int64_t error = 0;
  static void OnEntry(cn_netlog_observer *o, const cn_netlog_entry *e) {
    auto *self = reinterpret_cast<ProxyErrorObserver *>(o);
    if (e->type != CN_NETLOG_PROXY_CONNECT_ERROR)
      return;
    self->count++;
    const cn_netlog_param *p = cn_netlog_entry_param(e, "net_error");
    self->error = p ? p->i : 0;
  }
};

class Socks5ConnectJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cn_netlog_init(&netlog_);
    cn_netlog_counters_attach(&counters_, &netlog_);
    errors_.obs.on_entry = &ProxyErrorObserver::OnEntry;
    cn_netlog_add_observer(&netlog_, &errors_.obs);
    cn_host_resolver_options ro;
    cn_host_resolver_options_init(&ro);
    ro.proc = &proc_.vtable;
    ro.proc_ctx = &proc_;
    resolver_ = cn_host_resolver_new(loop_.get(), &ro);
    cn_host_rules *rules = cn_host_resolver_rules(resolver_);
    ASSERT_EQ(CN_OK, cn_host_rules_parse_resolve(rules, "proxy.test:*:127.0.0.1", nullptr, 0));
    ASSERT_EQ(CN_OK, cn_host_rules_parse_resolve(rules, "origin.test:*:10.0.0.5", nullptr, 0));
    transport_ctx_ = {loop_.get(), resolver_, factory_.get(), nullptr, 0, 0};
    cn_client_socket_pool_options o;
    cn_client_socket_pool_options_init(&o);
    cn_connect_job_factory tf = cn_transport_connect_job_factory(&transport_ctx_);
    transport_pool_ = cn_client_socket_pool_new(loop_.get(), &o, &tf, &netlog_);
    cn_connect_job_factory sf = cn_socks5_connect_job_factory();
    socks_pool_ = cn_client_socket_pool_new(loop_.get(), &o, &sf, &netlog_);
    cn_client_socket_handle_init(&handle_);
  }
  void TearDown() override {
    cn_client_socket_handle_reset(&handle_);
    if (socks_pool_)
      cn_client_socket_pool_destroy(socks_pool_);
    cn_client_socket_pool_destroy(transport_pool_);
    cn_host_resolver_destroy(resolver_);
    cn_netlog_counters_detach(&counters_);
    cn_netlog_destroy(&netlog_);
  }

  // Params for a tunnel to origin.test:443 (or |target|) through |proxy|.
  cn_socket_params *Params(const char *proxy, const char *target = "origin.test") {
    cn_proxy_server server;
    EXPECT_EQ(CN_OK, cn_proxy_server_parse(proxy, &server));
    cn_socket_params *tcp = cn_transport_socket_params_new(server.host_port.host,
                                                           server.host_port.port, true);
    cn_host_port hp;
    EXPECT_EQ(CN_OK, cn_host_port_set(&hp, target, 443));
    cn_socket_params *p = cn_socks5_params_new(transport_pool_, kProxyGroup, "chain", tcp,
                                               &server, &hp, resolver_);
    cn_socket_params_unref(tcp);
    cn_proxy_server_free(&server);
    return p;
  }

  int Start(cn_socket_params *p, TestCompletion *c) {
    cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
    return cn_client_socket_pool_request(socks_pool_, kSocksGroup, "chain", p,
                                         CN_PRIORITY_MEDIUM, none, &handle_, c->cb(), c->arg());
  }
  int Request(cn_socket_params *p) {
    TestCompletion c;
    return c.WaitForResult(loop_.get(), Start(p, &c));
  }

  // A tunnel to |target| through |proxy| (no authentication) whose CONNECT
  // is exactly |connect|.
  void ExpectTunnel(const char *proxy, const char *target, const std::string &connect) {
    SocketScript script;
    script.Write(kGreetNoAuth).Read(kChoseNone).Write(connect).Read(kReplyOk);
    factory_.AddMock(script);
    cn_socket_params *p = Params(proxy, target);
    EXPECT_EQ(CN_OK, Request(p));
    factory_.ExpectAllUsedAndDone();
    cn_socket_params_unref(p);
  }

  // Cancels the request (its job keeps going for the group: late binding),
  // then destroys the pool, which destroys the job.
  void CancelAndDestroyJob() {
    cn_client_socket_handle_reset(&handle_);
    EXPECT_EQ(1u, cn_client_socket_pool_job_count_in_group(socks_pool_, kSocksGroup));
    cn_client_socket_pool_destroy(socks_pool_);
    socks_pool_ = nullptr;
  }

  TestLoop loop_;
  MockClientSocketFactory factory_;  // before the pools: outlives their sockets
  cn_netlog netlog_;
  cn_netlog_counters counters_;
  ProxyErrorObserver errors_;
  TestProc proc_;
  cn_host_resolver *resolver_ = nullptr;
  cn_transport_job_context transport_ctx_;
  cn_client_socket_pool *transport_pool_ = nullptr;
  cn_client_socket_pool *socks_pool_ = nullptr;
  cn_client_socket_handle handle_;
};

TEST_F(Socks5ConnectJobTest, Socks5hSendsTheNameAndIsReusedAtTheTop) {
  SocketScript script;
  script.Write(kGreetNoAuth).Read(kChoseNone).Write(kConnectByName).Read(kReplyOk);
  script.Write("GET / HTTP/1.1\r\n\r\n");
  factory_.AddMock(script);
  cn_socket_params *p = Params("socks5h://proxy.test");
  ASSERT_EQ(CN_OK, Request(p));
  ASSERT_NE(nullptr, handle_.socket);
  EXPECT_EQ(CN_SOCKET_LAYER_SOCKS_TUNNEL, cn_stream_socket_layer(handle_.socket));
  EXPECT_EQ(CN_SOCKET_LAYER_POOLED, cn_stream_socket_layer(cn_stream_socket_lower(handle_.socket)));
  EXPECT_EQ("[127.0.0.1:1080]", factory_.record(0).addresses);  // the proxy, not the origin
  EXPECT_EQ(1u, counters_.tunnels);
  EXPECT_EQ(1u, cn_client_socket_pool_active_count_in_group(transport_pool_, kProxyGroup));
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), handle_.socket, "GET / HTTP/1.1\r\n\r\n"));
  handle_.is_used = true;
  cn_client_socket_handle_reset(&handle_);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(socks_pool_, kSocksGroup));

  // The next request to that origin through that proxy takes the idle tunnel.
  ASSERT_EQ(CN_OK, Request(p));
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, handle_.reuse_type);
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(1u, counters_.tunnels);
  factory_.ExpectAllUsedAndDone();

  // Closing it gives the TCP slot back below.
  cn_stream_socket_disconnect(handle_.socket);
  cn_client_socket_handle_reset(&handle_);
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport_pool_));
  cn_socket_params_unref(p);
}

// The proxy's connection comes later, then the whole SOCKS exchange
// completes synchronously (its answers already arrived, as a TCP read finds
// them in the kernel): the job hands out the tunnel socket.
TEST_F(Socks5ConnectJobTest, HandshakeCompletingSynchronouslyAfterTheLowerConnect) {
  SocketScript script;
  script.Connect(CN_OK, CN_MOCK_ASYNC);
  script.Write(kGreetNoAuth, CN_MOCK_SYNC).Read(kChoseNone, CN_MOCK_SYNC);
  script.Write(kConnectByName, CN_MOCK_SYNC).Read(kReplyOk, CN_MOCK_SYNC);
  factory_.AddMock(script);
  cn_socket_params *p = Params("socks5h://proxy.test");
  ASSERT_EQ(CN_OK, Request(p));
  ASSERT_NE(nullptr, handle_.socket);
  EXPECT_EQ(CN_SOCKET_LAYER_SOCKS_TUNNEL, cn_stream_socket_layer(handle_.socket));
  factory_.ExpectAllUsedAndDone();
  cn_socket_params_unref(p);
}

TEST_F(Socks5ConnectJobTest, Socks5ResolvesLocallyAndSendsTheAddress) {
  ExpectTunnel("socks5://proxy.test:1080", "origin.test", kConnectByAddress);
}

TEST_F(Socks5ConnectJobTest, Socks5SendsAnIpLiteralTargetAsIs) {
  ExpectTunnel("socks5://proxy.test", "192.0.2.1",
               std::string("\x05\x01\x00\x01\xc0\x00\x02\x01\x01\xbb", 10));
}

TEST_F(Socks5ConnectJobTest, Socks5TargetThatDoesNotResolveIsTheTargetsError) {
  cn_socket_params *p = Params("socks5://proxy.test", "nowhere.test");
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, Request(p));
  EXPECT_EQ(0u, factory_.created());  // the proxy was never contacted
  EXPECT_EQ(0, errors_.count);
  cn_socket_params_unref(p);
}

TEST_F(Socks5ConnectJobTest, Socks5hNeverResolvesTheTarget) {
  // nowhere.test does not resolve here, and need not: the proxy resolves it.
  ExpectTunnel("socks5h://proxy.test", "nowhere.test",
               std::string("\x05\x01\x00\x03\x0c", 5) + "nowhere.test" +
                   std::string("\x01\xbb", 2));
}

TEST_F(Socks5ConnectJobTest, ProxyCredentialsAreSent) {
  SocketScript script;
  script.Write(std::string("\x05\x02\x00\x02", 4)).Read(std::string("\x05\x02", 2));
  script.Write(std::string("\x01\x03", 2) + "bob" + "\x02" "pw").Read(std::string("\x01\x00", 2));
  script.Write(kConnectByName).Read(kReplyOk);
  factory_.AddMock(script);
  cn_socket_params *p = Params("socks5h://bob:pw@proxy.test");
  EXPECT_EQ(CN_OK, Request(p));
  factory_.ExpectAllUsedAndDone();
  cn_socket_params_unref(p);
}

TEST_F(Socks5ConnectJobTest, UnreachableProxyIsProxyConnectionFailed) {
  SocketScript script;
  script.Connect(CN_ERR_CONNECTION_REFUSED);
  factory_.AddMock(script);
  cn_socket_params *p = Params("socks5h://proxy.test");
  EXPECT_EQ(CN_ERR_PROXY_CONNECTION_FAILED, Request(p));
  EXPECT_EQ(nullptr, handle_.socket);
  // The cause is in the NetLog, once.
  EXPECT_EQ(1, errors_.count);
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, errors_.error);
  EXPECT_EQ(0u, counters_.tunnels);
  cn_socket_params_unref(p);

  // A proxy name that does not resolve: the same.
  p = Params("socks5h://unknown-proxy.test");
  EXPECT_EQ(CN_ERR_PROXY_CONNECTION_FAILED, Request(p));
  EXPECT_EQ(2, errors_.count);
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, errors_.error);
  cn_socket_params_unref(p);
}

TEST_F(Socks5ConnectJobTest, LowerParamsNotMarkedForAProxyAreMappedToo) {
  SocketScript script;
  script.Connect(CN_ERR_CONNECTION_RESET);
  factory_.AddMock(script);
  cn_proxy_server server;
  ASSERT_EQ(CN_OK, cn_proxy_server_parse("socks5h://proxy.test", &server));
  cn_socket_params *tcp = cn_transport_socket_params_new("proxy.test", 1080, false);
  cn_host_port hp;
  ASSERT_EQ(CN_OK, cn_host_port_set(&hp, "origin.test", 443));
  cn_socket_params *p =
      cn_socks5_params_new(transport_pool_, kProxyGroup, "chain", tcp, &server, &hp, nullptr);
  cn_socket_params_unref(tcp);
  cn_proxy_server_free(&server);
  EXPECT_EQ(CN_ERR_PROXY_CONNECTION_FAILED, Request(p));
  EXPECT_EQ(1, errors_.count);
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, errors_.error);
  cn_socket_params_unref(p);
}

TEST_F(Socks5ConnectJobTest, RepliesPassThroughAndTheConnectionIsClosed) {
  const struct {
    uint8_t rep;
    int error;
  } kCases[] = {
      {4, CN_ERR_SOCKS_CONNECTION_HOST_UNREACHABLE},
      {5, CN_ERR_SOCKS_CONNECTION_REFUSED},
      {3, CN_ERR_SOCKS_NETWORK_UNREACHABLE},
  };
  for (const auto &c : kCases) {
    SocketScript script;
    std::string reply = kReplyOk;
    reply[1] = static_cast<char>(c.rep);
    script.Write(kGreetNoAuth).Read(kChoseNone).Write(kConnectByName).Read(reply);
    factory_.AddMock(script);
  }
  cn_socket_params *p = Params("socks5h://proxy.test");
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.rep);
    EXPECT_EQ(c.error, Request(p));
    EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport_pool_));
    EXPECT_EQ(0u, cn_client_socket_pool_socket_count(socks_pool_));
  }
  EXPECT_EQ(0, errors_.count);  // the proxy answered: not a proxy failure
  EXPECT_EQ(0u, counters_.tunnels);
  factory_.ExpectAllUsedAndDone();
  cn_socket_params_unref(p);
}

TEST_F(Socks5ConnectJobTest, NonSocksProxyIsRejected) {
  cn_socket_params *p = Params("https://proxy.test");
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, Request(p));
  EXPECT_EQ(0u, factory_.created());
  cn_socket_params_unref(p);
}

// A job destroyed at each stage releases what it held (the lookup, the lower
// request, the handshake) and calls nobody back.
TEST_F(Socks5ConnectJobTest, CancelWhileResolvingTheTarget) {
  proc_.hang = true;
  cn_socket_params *p = Params("socks5://proxy.test", "slow.test");
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, Start(p, &c));
  CancelAndDestroyJob();
  EXPECT_EQ(1, proc_.abandoned);
  EXPECT_EQ(0u, factory_.created());
  uv_run(loop_.get(), UV_RUN_NOWAIT);
  EXPECT_FALSE(c.done());
  cn_socket_params_unref(p);
}

TEST_F(Socks5ConnectJobTest, CancelWhileConnectingToTheProxy) {
  SocketScript script;
  script.Connect(CN_OK, CN_MOCK_ASYNC);
  factory_.AddMock(script);
  cn_socket_params *p = Params("socks5h://proxy.test");
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, Start(p, &c));
  EXPECT_EQ(1u, cn_client_socket_pool_job_count_in_group(transport_pool_, kProxyGroup));
  CancelAndDestroyJob();
  // The lower request was cancelled with it; its own job goes on, as jobs do.
  EXPECT_EQ(0u, cn_client_socket_pool_pending_count_in_group(transport_pool_, kProxyGroup));
  uv_run(loop_.get(), UV_RUN_NOWAIT);
  EXPECT_FALSE(c.done());
  cn_socket_params_unref(p);
}

TEST_F(Socks5ConnectJobTest, CancelDuringTheHandshake) {
  SocketScript script;
  script.Write(kGreetNoAuth, CN_MOCK_SYNC).Read(kChoseNone);  // the read stays pending
  factory_.AddMock(script);
  cn_socket_params *p = Params("socks5h://proxy.test");
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, Start(p, &c));
  // Run until the handshake waits for the method answer: the TCP connection
  // is up (synchronous connect), the greeting written.
  EXPECT_EQ(1u, cn_client_socket_pool_active_count_in_group(transport_pool_, kProxyGroup));
  EXPECT_EQ(1u, factory_.record(0).position);
  CancelAndDestroyJob();
  EXPECT_EQ(0u, factory_.alive());
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport_pool_));
  uv_run(loop_.get(), UV_RUN_NOWAIT);
  EXPECT_FALSE(c.done());
  EXPECT_EQ(0u, counters_.tunnels);
  cn_socket_params_unref(p);
}

}  // namespace
