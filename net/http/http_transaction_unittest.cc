// The HTTP transaction through a network session whose transport sockets
// are mocks (and, for TLS inside a tunnel, one end of a pipe with a test
// proxy + TLS origin on the other end): reuse as in F1/F2, stale-connection
// resend, proxy fallback, 407 handling, pooling decisions, destroy at every
// state.
#include "net/http/http_transaction.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "net/http/http_network_session.h"
#include "net/http/http_network_session_test_util.h"
#include "net/http/http_transaction_test_util.h"
#include "net/http/http_upload.h"
#include "net/proxy_resolution/proxy_chain.h"
#include "net/proxy_resolution/proxy_resolver.h"
#include "net/socket/pipe_socket.h"
#include "net/socket/socket_test_util.h"
#include "net/socket/ssl_socket.h"
#include "net/test/cert_generator.h"

namespace {

using cnet_test::RunUntilIdle;
using cnet_test::SocketScript;
using cnet_test::TestCompletion;

using cnet_test::Get;
using cnet_test::kOk;
const char kOkClose[] = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
const char kAuth[] = "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n";  // user:pass
const char k407[] =
    "HTTP/1.1 407 Proxy Authentication Required\r\n"
    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
    "Content-Length: 6\r\n\r\ndenied";

// One transaction and the request it runs.
class Txn {
 public:
  Txn(cn_http_network_session *session, uv_loop_t *loop, const std::string &url,
      const char *method = "GET")
      : loop_(loop) {
    EXPECT_EQ(CN_OK, cn_url_parse(url.c_str(), &url_));
    info_.method = method;
    info_.url = &url_;
    t_ = cn_http_transaction_new(session, CN_PRIORITY_MEDIUM);
  }
  ~Txn() {
    cn_http_transaction_destroy(t_);
    cn_url_free(&url_);
  }
  void SetUpload(cn_http_upload *u) { info_.upload = u; }

  int StartNoWait() { return cn_http_transaction_start(t_, &info_, c_.cb(), c_.arg()); }
  int Start() { return c_.WaitForResult(loop_, StartNoWait()); }
  // Waits for the completion of a start that returned |rv|.
  int Wait(int rv) { return c_.WaitForResult(loop_, rv); }
  bool callback_ran() const { return c_.done(); }

  int status() const {
    const cn_http_response_head *h = cn_http_transaction_response(t_);
    return h ? h->status : -1;
  }
  // Reads the body to the end; |*last| gets the final result (0 or error).
  std::string ReadBody(int *last = nullptr) {
    std::string out;
    int rv;
    for (;;) {
      cn_iobuf *buf = cn_iobuf_new(4096);
      TestCompletion c;
      rv = c.WaitForResult(loop_, cn_http_transaction_read(t_, buf, buf->size, c.cb(), c.arg()));
      if (rv > 0)
        out.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(rv));
      cn_iobuf_unref(buf);
      if (rv <= 0)
        break;
    }
    if (last)
      *last = rv;
    return out;
  }
  // Starts a body read and returns its immediate result.
  int ReadNoWait(cn_iobuf *buf) {
    return cn_http_transaction_read(t_, buf, buf->size, c_.cb(), c_.arg());
  }
  cn_http_transaction_info info() const {
    cn_http_transaction_info i;
    cn_http_transaction_get_info(t_, &i);
    return i;
  }
  cn_netlog_source source() const { return cn_http_transaction_source(t_); }
  // The failure's hop, and "proxy URL" / "origin" / "" for none.
  int error_hop() const { return cn_http_transaction_error_hop(t_, nullptr); }
  std::string error_from() const {
    const char *proxy = nullptr;
    int hop = cn_http_transaction_error_hop(t_, &proxy);
    if (proxy)
      return std::string("proxy ") + proxy;
    return hop == CN_HOP_ORIGIN ? "origin" : "";
  }
  void Destroy() {
    cn_http_transaction_destroy(t_);
    t_ = nullptr;
  }

 private:
  uv_loop_t *loop_;
  cn_url url_{};
  cn_http_request_info info_{};
  cn_http_transaction *t_;
  TestCompletion c_;
};

class HttpTransactionTest : public cnet_test::SessionTestBase {
 protected:
  std::unique_ptr<Txn> NewTxn(const std::string &url, const char *method = "GET") {
    return std::make_unique<Txn>(session_, loop_.get(), url, method);
  }
  // Runs a GET to the end; returns "STATUS body" or "error N".
  std::string Fetch(const std::string &url) {
    auto t = NewTxn(url);
    int rv = t->Start();
    if (rv != CN_OK)
      return "error " + std::to_string(rv);
    int last;
    std::string body = t->ReadBody(&last);
    if (last != 0)
      return "body error " + std::to_string(last);
    return std::to_string(t->status()) + " " + body;
  }
  // Starts a GET of |url|, which must get its response head, then destroys
  // the transaction with the body unread and lets the loop run.
  void StartThenDestroyUnread(const std::string &url, int *status = nullptr) {
    auto t = NewTxn(url);
    ASSERT_EQ(CN_OK, t->Start());
    if (status)
      *status = t->status();
    t.reset();
    RunUntilIdle(loop_.get());
  }
  const cn_proxy_retry_info *BadInfo(const char *proxy) {
    cn_proxy_chain chain;
    EXPECT_EQ(CN_OK, cn_proxy_chain_parse(proxy, strlen(proxy), &chain));
    const cn_proxy_retry_info *r = cn_proxy_service_bad_info(proxy_service_, &chain);
    cn_proxy_chain_free(&chain);
    return r;
  }
};

// --- F1: http:// through an HTTP proxy -------------------------------------

TEST_F(HttpTransactionTest, F1TwoOriginsThroughOneProxyShareOneConnection) {
  MakeSession("http://proxy.test:8080");
  factory_.AddMock(SocketScript()
                       .Write(Get("http://a.test/", "a.test"))
                       .Read(kOk)
                       .Write(Get("http://b.test:81/x?y", "b.test:81"))
                       .Read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbbb"));
  auto t1 = NewTxn("http://a.test/");
  ASSERT_EQ(CN_OK, t1->Start());
  EXPECT_EQ(CN_SOCKET_UNUSED, t1->info().reuse_type);
  EXPECT_STREQ("http://proxy.test:8080", t1->info().proxy_chain);
  EXPECT_EQ("ok", t1->ReadBody());
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(transport(),
                                                          "tcp-proxy/http://proxy.test:8080"));
  auto t2 = NewTxn("http://b.test:81/x?y");
  ASSERT_EQ(CN_OK, t2->Start());
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, t2->info().reuse_type);  // jump to step 9
  EXPECT_EQ("bbb", t2->ReadBody());
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(0u, counters_.tunnels);
  factory_.ExpectAllUsedAndDone();
}

// --- F2: https:// through a CONNECT tunnel ----------------------------------------

// The far end of a pipe playing an HTTP proxy and, inside the tunnel, a TLS
// origin: it answers one CONNECT with 200, runs a TLS server over the same
// pipe, and answers every request head with |response|.
// Starts the server side of TLS over |raw| (taken), offering one ALPN
// protocol; the handshake's result goes to |cb| unless it is returned in
// |*rv| at once. Returns the TLS socket.
cn_stream_socket *StartTlsServer(cn_ssl_context *ctx, cn_next_proto proto, cn_stream_socket *raw,
                                 cn_completion_cb cb, void *arg, int *rv) {
  cn_ssl_config cfg = {};
  cfg.protos[0] = proto;
  cfg.num_protos = 1;
  cn_ssl_socket_params p = {};
  p.context = ctx;
  p.config = &cfg;
  cn_stream_socket *ssl = cn_ssl_socket_new(nullptr, raw, &p);  // takes raw
  *rv = cn_stream_socket_connect(ssl, cb, arg);
  return ssl;
}

// A server at the far end of a pipe the stack connects to: owns its end
// (and TLS over it once started) and a read buffer; Started() runs when the
// stack made the connection.
class PipePeer {
 public:
  virtual ~PipePeer() {
    cn_stream_socket_destroy(ssl_ ? ssl_ : raw_);
    cn_iobuf_unref(buf_);
  }
  // For MockClientSocketFactory::AddSocket.
  cnet_test::MockClientSocketFactory::Maker Maker() {
    return [this](uv_loop_t *loop, cn_netlog *) {
      cn_stream_socket *near;
      cn_pipe_socket_pair(loop, nullptr, 0, &near, &raw_);
      buf_ = cn_iobuf_new(64 * 1024);
      Started();
      return near;
    };
  }

 protected:
  virtual void Started() = 0;
  cn_stream_socket *cur() { return ssl_ ? ssl_ : raw_; }
  cn_stream_socket *raw_ = nullptr;
  cn_stream_socket *ssl_ = nullptr;
  cn_iobuf *buf_ = nullptr;
};

class TunnelPeer : public PipePeer {
 public:
  TunnelPeer(cn_ssl_context *server_ctx, std::string response)
      : ctx_(server_ctx), response_(std::move(response)) {}
  // Answers the CONNECT, then hangs up instead of speaking TLS (an origin
  // failing inside the tunnel).
  bool close_after_connect = false;
  std::vector<std::string> connects;
  std::vector<std::string> requests;
  bool closed = false;

 private:
  void Started() override { Read(); }
  void Read() {
    for (;;) {
      int rv = cn_stream_socket_read(cur(), buf_, buf_->size, &TunnelPeer::OnRead, this);
      if (rv == CN_ERR_IO_PENDING || !Got(rv))
        return;
    }
  }
  static void OnRead(void *arg, int rv) {
    auto *self = static_cast<TunnelPeer *>(arg);
    if (self->Got(rv))
      self->Read();
  }
  static void OnWritten(void *, int) {}
  void Write(const std::string &data) {
    cn_iobuf *b = cn_iobuf_from_copy(data.data(), data.size());
    int rv = cn_stream_socket_write(cur(), b, b->size, &TunnelPeer::OnWritten, this);
    EXPECT_TRUE(rv == static_cast<int>(data.size()) || rv == CN_ERR_IO_PENDING) << rv;
    cn_iobuf_unref(b);
  }
  static void OnHandshake(void *arg, int rv) {
    auto *self = static_cast<TunnelPeer *>(arg);
    EXPECT_EQ(CN_OK, rv);
    if (rv == CN_OK)
      self->Read();
  }
  // Takes |rv| bytes (or EOF/error); false to stop reading for now.
  bool Got(int rv) {
    if (rv <= 0) {
      closed = true;
      return false;
    }
    in_.append(reinterpret_cast<char *>(buf_->data), static_cast<size_t>(rv));
    size_t end = in_.find("\r\n\r\n");
    if (end == std::string::npos)
      return true;
    std::string head = in_.substr(0, end + 4);
    in_.erase(0, end + 4);
    if (ssl_) {
      requests.push_back(head);
      Write(response_);
      return true;
    }
    connects.push_back(head);
    Write("HTTP/1.1 200 Connection established\r\n\r\n");
    EXPECT_TRUE(in_.empty()) << "the client spoke before the 200";
    if (close_after_connect) {
      cn_stream_socket_disconnect(raw_);
      return false;
    }
    int hs;
    ssl_ = StartTlsServer(ctx_, CN_PROTO_HTTP11, raw_, &TunnelPeer::OnHandshake, this, &hs);
    raw_ = nullptr;
    if (hs != CN_ERR_IO_PENDING)
      OnHandshake(this, hs);
    return false;
  }

  cn_ssl_context *ctx_;
  std::string response_;
  std::string in_;
};

class HttpTransactionTunnelTest : public HttpTransactionTest {
 protected:
  void SetUp() override {
    HttpTransactionTest::SetUp();
    const char *names[] = {"origin.test", "other.test"};
    cn_test_cert_options o = {};
    o.dns_names = names;
    o.num_dns_names = 2;
    leaf_ = cn_test_cert_new(&o, ca_);
    ASSERT_EQ(CN_OK, cn_ssl_server_context_new(cn_test_cert_chain_pem(leaf_),
                                               cn_test_cert_key_pem(leaf_), &server_ctx_));
    MakeSession("http://proxy.test:8080");
  }
  void TearDown() override {
    DestroySession();
    peers_.clear();
    cn_ssl_context_unref(server_ctx_);
    cn_test_cert_free(leaf_);
    HttpTransactionTest::TearDown();
  }
  void UseProxies(const std::string &rules) {
    DestroySession();
    MakeSession(rules);
  }
  TunnelPeer *AddPeer(const std::string &response = kOk) {
    peers_.push_back(std::make_unique<TunnelPeer>(server_ctx_, response));
    factory_.AddSocket(peers_.back()->Maker());
    return peers_.back().get();
  }
  static std::string Connect(const std::string &hp) {
    return "CONNECT " + hp + " HTTP/1.1\r\nHost: " + hp + "\r\nUser-Agent: cnet-test\r\n\r\n";
  }

  cn_test_cert *leaf_ = nullptr;
  cn_ssl_context *server_ctx_ = nullptr;
  std::vector<std::unique_ptr<TunnelPeer>> peers_;
};

TEST_F(HttpTransactionTunnelTest, F2TwoRequestsToOneOriginShareOneTunnel) {
  TunnelPeer *peer = AddPeer();
  EXPECT_EQ("200 ok", Fetch("https://origin.test/"));
  auto t = NewTxn("https://origin.test/second");
  ASSERT_EQ(CN_OK, t->Start());
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, t->info().reuse_type);  // jump to step 19
  EXPECT_EQ("ok", t->ReadBody());
  ASSERT_EQ(1u, peer->connects.size());
  EXPECT_EQ(Connect("origin.test:443"), peer->connects[0]);
  ASSERT_EQ(2u, peer->requests.size());
  EXPECT_EQ(Get("/", "origin.test"), peer->requests[0]);  // origin-form inside the tunnel
  EXPECT_EQ(Get("/second", "origin.test"), peer->requests[1]);
  EXPECT_EQ(1u, counters_.tunnels);
  EXPECT_EQ(1u, counters_.tls_handshakes);
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count(ssl_origin()));
}

TEST_F(HttpTransactionTunnelTest, AnotherOriginThroughTheProxyGetsItsOwnTunnel) {
  TunnelPeer *a = AddPeer();
  TunnelPeer *b = AddPeer();
  EXPECT_EQ("200 ok", Fetch("https://origin.test/"));
  EXPECT_EQ("200 ok", Fetch("https://other.test:8443/"));
  EXPECT_EQ(std::vector<std::string>{Connect("origin.test:443")}, a->connects);
  EXPECT_EQ(std::vector<std::string>{Connect("other.test:8443")}, b->connects);
  EXPECT_EQ(2u, counters_.tunnels);
  EXPECT_EQ(2u, cn_client_socket_pool_idle_count(ssl_origin()));
}

TEST_F(HttpTransactionTunnelTest, ClosedIdleTunnelIsRemadeForTheNextRequest) {
  TunnelPeer *a = AddPeer();
  TunnelPeer *b = AddPeer();
  EXPECT_EQ("200 ok", Fetch("https://origin.test/"));
  // The proxy drops the idle tunnel: the pool notices before reuse.
  peers_[0].reset();
  a = nullptr;
  RunUntilIdle(loop_.get());
  EXPECT_EQ("200 ok", Fetch("https://origin.test/"));
  EXPECT_EQ(1u, b->connects.size());
  EXPECT_EQ(2u, counters_.tunnels);
  (void)a;
}

TEST_F(HttpTransactionTunnelTest, OriginTlsFailureInsideTheTunnelDoesNotChangeProxy) {
  UseProxies("http://p1.test:1,http://p2.test:2,direct://");
  TunnelPeer *p1 = AddPeer();
  p1->close_after_connect = true;
  // Nothing else may be asked for: neither p2 nor a DIRECT connection.
  auto t = NewTxn("https://origin.test/");
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, t->Start());
  EXPECT_EQ("origin", t->error_from());
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(0u, recorder_.Of(CN_NETLOG_PROXY_FALLBACK, CN_NETLOG_PHASE_NONE).size());
  EXPECT_EQ(nullptr, BadInfo("http://p1.test:1"));
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionTunnelTest, ProxyResettingTheConnectFallsBackToTheNextProxy) {
  UseProxies("http://p1.test:1,http://p2.test:2");
  factory_.AddMock(SocketScript()
                       .Write(Connect("origin.test:443"))
                       .ReadError(CN_ERR_CONNECTION_RESET));
  TunnelPeer *p2 = AddPeer();
  EXPECT_EQ("200 ok", Fetch("https://origin.test/"));
  EXPECT_EQ(1u, p2->connects.size());
  const cn_proxy_retry_info *bad = BadInfo("http://p1.test:1");
  ASSERT_NE(nullptr, bad);
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, bad->net_error);
  EXPECT_EQ(nullptr, BadInfo("http://p2.test:2"));
  factory_.ExpectAllUsedAndDone();
}

// --- stale idle connections --------------------------------------------------

class HttpTransactionStaleTest : public HttpTransactionTest {
 protected:
  void SetUp() override {
    HttpTransactionTest::SetUp();
    MakeSession();
  }
};

// What a reused keep-alive connection does to the second request, before
// any response byte: a sign it went stale while idle, so the request is
// resent once, on a new connection.
struct StaleEnding {
  const char *name;
  SocketScript &(*end)(SocketScript &after_first_response);
};

void PrintTo(const StaleEnding &e, std::ostream *os) { *os << e.name; }

const StaleEnding kStaleEndings[] = {
    {"Eof", [](SocketScript &s) -> SocketScript & { return s.Write(Get("/", "origin.test")).ReadEof(); }},
    {"ResetWriting",
     [](SocketScript &s) -> SocketScript & { return s.WriteError(CN_ERR_CONNECTION_RESET); }},
    {"ResetReading",
     [](SocketScript &s) -> SocketScript & {
       return s.Write(Get("/", "origin.test")).ReadError(CN_ERR_CONNECTION_RESET);
     }},
    {"Status408",
     [](SocketScript &s) -> SocketScript & {
       return s.Write(Get("/", "origin.test"))
           .Read("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                 "Content-Length: 0\r\n\r\n");
     }},
};

class HttpTransactionStaleResendTest : public HttpTransactionStaleTest,
                                       public ::testing::WithParamInterface<StaleEnding> {};

INSTANTIATE_TEST_SUITE_P(Endings, HttpTransactionStaleResendTest,
                         ::testing::ValuesIn(kStaleEndings),
                         [](const ::testing::TestParamInfo<StaleEnding> &p) {
                           return std::string(p.param.name);
                         });

TEST_P(HttpTransactionStaleResendTest, ReusedConnectionResendsOnANewOne) {
  SocketScript reused;
  reused.Write(Get("/", "origin.test")).Read(kOk);
  factory_.AddMock(GetParam().end(reused));
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).Read(kOk));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/"));
  auto t = NewTxn("http://origin.test/");
  ASSERT_EQ(CN_OK, t->Start());
  EXPECT_EQ(1, t->info().retries);
  EXPECT_EQ(CN_SOCKET_UNUSED, t->info().reuse_type);
  EXPECT_EQ(200, t->status());
  EXPECT_EQ("ok", t->ReadBody());
  EXPECT_EQ(2u, factory_.created());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionStaleTest, ErrorAfterResponseBytesIsNotResent) {
  factory_.AddMock(SocketScript()
                       .Write(Get("/", "origin.test"))
                       .Read(kOk)
                       .Write(Get("/", "origin.test"))
                       .Read("HTTP/1.1 200 OK\r\nContent-Le")
                       .ReadError(CN_ERR_CONNECTION_RESET));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/"));
  EXPECT_EQ("error " + std::to_string(CN_ERR_CONNECTION_RESET), Fetch("http://origin.test/"));
  EXPECT_EQ(1u, factory_.created());  // no second connection was asked for
  factory_.ExpectAllUsedAndDone();
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport()));
}

TEST_F(HttpTransactionStaleTest, EofOnAFreshConnectionIsNotResent) {
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).ReadEof());
  EXPECT_EQ("error " + std::to_string(CN_ERR_EMPTY_RESPONSE), Fetch("http://origin.test/"));
  EXPECT_EQ(1u, factory_.created());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionStaleTest, Status408OnAFreshConnectionIsTheAnswer) {
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).Read(
      "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ("408 ", Fetch("http://origin.test/"));
  factory_.ExpectAllUsedAndDone();
}

// A streamed (not in-memory) upload that can be rewound, counting reads.
struct StreamUpload {
  cn_http_upload base;  // first
  std::string data;
  size_t pos = 0;
  int rewinds = 0;
  static const cn_http_upload_ops kOps;
  explicit StreamUpload(std::string d) : data(std::move(d)) { base.ops = &kOps; }
};
const cn_http_upload_ops StreamUpload::kOps = {
    [](const cn_http_upload *u) {
      return static_cast<int64_t>(reinterpret_cast<const StreamUpload *>(u)->data.size());
    },
    [](cn_http_upload *u, cn_iobuf *buf, size_t len, cn_completion_cb, void *) {
      auto *s = reinterpret_cast<StreamUpload *>(u);
      size_t n = std::min(len, s->data.size() - s->pos);
      memcpy(buf->data, s->data.data() + s->pos, n);
      s->pos += n;
      return static_cast<int>(n);
    },
    nullptr,
    [](cn_http_upload *u) {
      auto *s = reinterpret_cast<StreamUpload *>(u);
      s->pos = 0;
      s->rewinds++;
      return static_cast<int>(CN_OK);
    },
    [](cn_http_upload *) {},
};

std::string Post(const std::string &target, const std::string &host, const std::string &body,
                 const std::string &extra = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: cnet-test\r\n" +
         extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
}

TEST_F(HttpTransactionStaleTest, Status408ResendRewindsTheUpload) {
  factory_.AddMock(SocketScript()
                       .Write(Get("/", "origin.test"))
                       .Read(kOk)
                       .Write(Post("/", "origin.test", "hello"))
                       .Write("hello")
                       .Read("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"));
  factory_.AddMock(
      SocketScript().Write(Post("/", "origin.test", "hello")).Write("hello").Read(kOk));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/"));
  StreamUpload upload("hello");
  auto t = NewTxn("http://origin.test/", "POST");
  t->SetUpload(&upload.base);
  ASSERT_EQ(CN_OK, t->Start());
  EXPECT_EQ(200, t->status());
  EXPECT_EQ(1, upload.rewinds);
  factory_.ExpectAllUsedAndDone();
}

// --- pooling decisions ---------------------------------------------------------

TEST_F(HttpTransactionStaleTest, KeepAliveIsPooledConnectionCloseIsNot) {
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).Read(kOk));
  factory_.AddMock(SocketScript().Write(Get("/close", "origin.test")).Read(kOkClose));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/"));
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(transport(), "tcp/http://origin.test:80"));
  // The idle one is busy with the next request only if it is taken: take it
  // away first so that the second request gets a connection of its own.
  cn_http_network_session_close_idle(session_);
  EXPECT_EQ(0u, factory_.alive());
  EXPECT_EQ("200 ok", Fetch("http://origin.test/close"));
  EXPECT_EQ(0u, cn_client_socket_pool_idle_count(transport()));
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport()));
  EXPECT_EQ(0u, factory_.alive());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionStaleTest, BodilessResponseConnectionIsPooled) {
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).Read(
      "HTTP/1.1 204 No Content\r\n\r\n"));
  EXPECT_EQ("204 ", Fetch("http://origin.test/"));
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(transport(), "tcp/http://origin.test:80"));
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionStaleTest, DestroyAfterACompleteBodilessResponsePoolsTheConnection) {
  // The caller never read the (empty) body: nothing is left on the wire.
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).Read(
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  auto t = NewTxn("http://origin.test/");
  ASSERT_EQ(CN_OK, t->Start());
  t->Destroy();
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(transport(), "tcp/http://origin.test:80"));
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionStaleTest, DestroyMidBodyClosesTheConnection) {
  factory_.AddMock(SocketScript()
                       .Write(Get("/", "origin.test"))
                       .Read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"));
  auto t = NewTxn("http://origin.test/");
  ASSERT_EQ(CN_OK, t->Start());
  cn_iobuf *buf = cn_iobuf_new(100);
  EXPECT_EQ(5, t->ReadNoWait(buf));
  EXPECT_EQ(CN_ERR_IO_PENDING, t->ReadNoWait(buf));  // the rest never comes
  t->Destroy();
  cn_iobuf_unref(buf);
  RunUntilIdle(loop_.get());
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(transport()));
  EXPECT_EQ(0u, factory_.alive());
}

TEST_F(HttpTransactionStaleTest, SynchronousSocketsCompleteWithoutCallback) {
  factory_.AddMock(SocketScript()
                       .Write(Get("/", "origin.test"), CN_MOCK_SYNC)
                       .Read(kOk, CN_MOCK_SYNC));
  auto t = NewTxn("http://origin.test/");
  EXPECT_EQ(CN_OK, t->StartNoWait());
  EXPECT_EQ(200, t->status());
  EXPECT_EQ("ok", t->ReadBody());
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(t->callback_ran());
  factory_.ExpectAllUsedAndDone();
}

// --- proxy fallback ----------------------------------------------------------

TEST_F(HttpTransactionTest, FallbackToTheNextProxyMarksTheFirstBadOnlyAfterSuccess) {
  MakeSession("http://bad:1,http://good:2");
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED));
  // The second proxy is a pipe whose far end the test answers when it
  // chooses.
  cn_stream_socket *good = nullptr;
  factory_.AddSocket([&good](uv_loop_t *loop, cn_netlog *netlog) {
    cn_stream_socket *near;
    cn_pipe_socket_pair(loop, netlog, 0, &near, &good);
    return near;
  });
  auto t = NewTxn("http://origin.test/");
  int rv = t->StartNoWait();
  ASSERT_EQ(CN_ERR_IO_PENDING, rv);
  // The first proxy failed and the request went to the second: nothing is
  // marked bad until the second one answers.
  std::string req = Get("http://origin.test/", "origin.test");
  RunUntilIdle(loop_.get());
  ASSERT_NE(nullptr, good);
  EXPECT_EQ(req, cnet_test::ReadBytes(loop_.get(), good, req.size()));
  EXPECT_EQ(nullptr, BadInfo("http://bad:1"));
  EXPECT_FALSE(t->callback_ran());
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), good, kOk));
  ASSERT_EQ(CN_OK, t->Wait(rv));
  EXPECT_EQ(200, t->status());
  EXPECT_STREQ("http://good:2", t->info().proxy_chain);
  const cn_proxy_retry_info *bad = BadInfo("http://bad:1");
  ASSERT_NE(nullptr, bad);
  EXPECT_EQ(CN_ERR_PROXY_CONNECTION_FAILED, bad->net_error);
  EXPECT_EQ(nullptr, BadInfo("http://good:2"));
  EXPECT_EQ("[127.0.0.1:1]", factory_.record(0).addresses);
  EXPECT_EQ("[127.0.0.1:2]", factory_.record(1).addresses);
  EXPECT_EQ(1u, recorder_.Of(CN_NETLOG_PROXY_FALLBACK, CN_NETLOG_PHASE_NONE).size());
  EXPECT_EQ("ok", t->ReadBody());
  factory_.ExpectAllUsedAndDone();
  t.reset();
  DestroySession();
  cn_stream_socket_destroy(good);
}

TEST_F(HttpTransactionTest, FallbackForHttpsThroughATunnel) {
  MakeSession("http://bad:1,http://good:2");
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED));
  // The second proxy refuses the CONNECT: that is its answer, not a reason
  // to try another proxy, and the first one is not marked bad either (the
  // request did not succeed).
  factory_.AddMock(SocketScript()
                       .Write("CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n"
                              "User-Agent: cnet-test\r\n\r\n")
                       .Read("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ("error " + std::to_string(CN_ERR_TUNNEL_CONNECTION_FAILED),
            Fetch("https://origin.test/"));
  EXPECT_EQ(nullptr, BadInfo("http://bad:1"));
  factory_.ExpectAllUsedAndDone();
  EXPECT_EQ(0u, AllPoolSockets());
}

TEST_F(HttpTransactionTest, EveryProxyFailingGivesTheErrorAndMarksNothing) {
  MakeSession("http://bad:1,http://good:2");
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED));
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_TIMED_OUT));
  EXPECT_EQ("error " + std::to_string(CN_ERR_PROXY_CONNECTION_FAILED),
            Fetch("http://origin.test/"));
  EXPECT_EQ(nullptr, BadInfo("http://bad:1"));
  EXPECT_EQ(nullptr, BadInfo("http://good:2"));
  factory_.ExpectAllUsedAndDone();
}

// A request that failed on every proxy of its list has no chain left; its
// info still answers (no proxy layers) instead of dereferencing the spent
// list (a crash in cnet_request_get_layers after
// ERR_PROXY_CONNECTION_FAILED, found with tunnels racing to a new proxy).
TEST_F(HttpTransactionTest, InfoAfterEveryProxyFailed) {
  MakeSession("https://bad:1");
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED));
  auto t = NewTxn("https://origin.test/");
  EXPECT_EQ(CN_ERR_PROXY_CONNECTION_FAILED, t->Start());
  cn_http_transaction_info info = t->info();
  EXPECT_EQ(nullptr, info.proxy_tls);
  EXPECT_EQ(nullptr, info.origin_tls);
  EXPECT_FALSE(info.proxy_reused);
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionTest, FallbackToDirect) {
  MakeSession("http://bad:1,direct://");
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED, CN_MOCK_SYNC));
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).Read(kOk));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/"));
  EXPECT_NE(nullptr, BadInfo("http://bad:1"));
  factory_.ExpectAllUsedAndDone();
}

// --- 407 --------------------------------------------------------------------

TEST_F(HttpTransactionTest, Proxy407IsAnsweredWithCredentialsOnTheSameConnection) {
  MakeSession("http://user:pass@proxy.test:8080");
  factory_.AddMock(SocketScript()
                       .Write(Get("http://origin.test/", "origin.test"))
                       .Read(k407)
                       .Write(Get("http://origin.test/", "origin.test", kAuth))
                       .Read(kOk)
                       // Accepted once: the next request sends them up front.
                       .Write(Get("http://other.test/", "other.test", kAuth))
                       .Read(kOk));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/"));
  EXPECT_EQ("200 ok", Fetch("http://other.test/"));
  EXPECT_EQ(1u, factory_.created());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionTest, Proxy407WithConnectionCloseRetriesOnANewConnection) {
  MakeSession("http://user:pass@proxy.test:8080");
  factory_.AddMock(SocketScript()
                       .Write(Get("http://origin.test/", "origin.test"))
                       .Read("HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basic realm=x\r\n"
                             "Connection: close\r\nContent-Length: 0\r\n\r\n"));
  factory_.AddMock(
      SocketScript().Write(Get("http://origin.test/", "origin.test", kAuth)).Read(kOk));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/"));
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionTest, Proxy407WithoutCredentialsIsAuthRequested) {
  MakeSession("http://proxy.test:8080");
  factory_.AddMock(SocketScript().Write(Get("http://origin.test/", "origin.test")).Read(k407));
  EXPECT_EQ("error " + std::to_string(CN_ERR_PROXY_AUTH_REQUESTED), Fetch("http://origin.test/"));
  EXPECT_EQ(0u, AllPoolSockets());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionTest, Proxy407TwiceIsAuthRequested) {
  MakeSession("http://user:pass@proxy.test:8080");
  factory_.AddMock(SocketScript()
                       .Write(Get("http://origin.test/", "origin.test"))
                       .Read(k407)
                       .Write(Get("http://origin.test/", "origin.test", kAuth))
                       .Read(k407));
  EXPECT_EQ("error " + std::to_string(CN_ERR_PROXY_AUTH_REQUESTED), Fetch("http://origin.test/"));
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionTest, Proxy407OfferingBasicSecondIsAnswered) {
  MakeSession("http://user:pass@proxy.test:8080");
  factory_.AddMock(SocketScript()
                       .Write(Get("http://origin.test/", "origin.test"))
                       .Read("HTTP/1.1 407 Auth\r\nProxy-Authenticate: NTLM\r\n"
                             "Proxy-Authenticate: Basic realm=x\r\nContent-Length: 0\r\n\r\n")
                       .Write(Get("http://origin.test/", "origin.test", kAuth))
                       .Read(kOk));
  EXPECT_EQ("200 ok", Fetch("http://origin.test/"));
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionTest, Proxy407WithOnlyAnotherSchemeIsUnsupported) {
  MakeSession("http://user:pass@proxy.test:8080");
  factory_.AddMock(SocketScript()
                       .Write(Get("http://origin.test/", "origin.test"))
                       .Read("HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basically realm=x\r\n"
                             "Content-Length: 0\r\n\r\n"));
  EXPECT_EQ("error " + std::to_string(CN_ERR_PROXY_AUTH_UNSUPPORTED),
            Fetch("http://origin.test/"));
}

TEST_F(HttpTransactionTest, Proxy407ResendRewindsTheUpload) {
  MakeSession("http://user:pass@proxy.test:8080");
  factory_.AddMock(SocketScript()
                       .Write(Post("http://origin.test/", "origin.test", "hello"))
                       .Write("hello")
                       .Read(k407)
                       .Write(Post("http://origin.test/", "origin.test", "hello", kAuth))
                       .Write("hello")
                       .Read(kOk));
  StreamUpload upload("hello");
  auto t = NewTxn("http://origin.test/", "POST");
  t->SetUpload(&upload.base);
  ASSERT_EQ(CN_OK, t->Start());
  EXPECT_EQ(200, t->status());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionTest, Proxy407FromADirectOriginIsUnexpected) {
  MakeSession();
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).Read(k407));
  EXPECT_EQ("error " + std::to_string(CN_ERR_UNEXPECTED_PROXY_AUTH), Fetch("http://origin.test/"));
  EXPECT_EQ(0u, AllPoolSockets());
  factory_.ExpectAllUsedAndDone();
}

// --- destroy at every state ------------------------------------------------

// A proxy resolver that never answers (the transaction waits in
// RESOLVE_PROXY until destroyed).
struct HangingResolver {
  cn_proxy_resolver base;  // first
  bool pending = false;
  bool cancelled = false;
  static const cn_proxy_resolver_ops kOps;
};
const cn_proxy_resolver_ops HangingResolver::kOps = {
    [](cn_proxy_resolver *self, const cn_url *, cn_proxy_list *, bool *, cn_completion_cb,
       void *, cn_proxy_resolver_request **req) {
      auto *r = reinterpret_cast<HangingResolver *>(self);
      r->pending = true;
      *req = reinterpret_cast<cn_proxy_resolver_request *>(r);
      return static_cast<int>(CN_ERR_IO_PENDING);
    },
    [](cn_proxy_resolver *self, cn_proxy_resolver_request *) {
      auto *r = reinterpret_cast<HangingResolver *>(self);
      r->pending = false;
      r->cancelled = true;
    },
    [](cn_proxy_resolver *self) { delete reinterpret_cast<HangingResolver *>(self); },
};

TEST_F(HttpTransactionTest, DestroyWhileResolvingTheProxy) {
  auto *resolver = new HangingResolver;
  resolver->base.ops = &HangingResolver::kOps;
  proxy_service_ = cn_proxy_service_new(&resolver->base, nullptr);
  MakeSession();
  auto t = NewTxn("http://origin.test/");
  ASSERT_EQ(CN_ERR_IO_PENDING, t->StartNoWait());
  EXPECT_TRUE(resolver->pending);
  t->Destroy();
  EXPECT_TRUE(resolver->cancelled);
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(t->callback_ran());
}

enum class TxnStage { kConnect, kSend, kReadHeaders, kDrain407, kReadBody };

class HttpTransactionDestroyTest : public HttpTransactionTest,
                                   public ::testing::WithParamInterface<TxnStage> {};

INSTANTIATE_TEST_SUITE_P(HttpTransactionStages, HttpTransactionDestroyTest,
                         ::testing::Values(TxnStage::kConnect, TxnStage::kSend,
                                           TxnStage::kReadHeaders, TxnStage::kDrain407,
                                           TxnStage::kReadBody));

TEST_P(HttpTransactionDestroyTest, DestroyRunsNoCallbackAndPoolsNothing) {
  MakeSession("http://user:pass@proxy.test:8080");
  std::string req = Get("http://origin.test/", "origin.test");
  switch (GetParam()) {
    case TxnStage::kConnect:
      factory_.AddMock(SocketScript().Connect(CN_OK, CN_MOCK_ASYNC).Write(req).Read(kOk));
      break;
    case TxnStage::kSend:
      factory_.AddMock(SocketScript().Write(req, CN_MOCK_ASYNC).Read(kOk));
      break;
    case TxnStage::kReadHeaders:  // the answer never comes
      factory_.AddMock(SocketScript().Write(req, CN_MOCK_SYNC));
      break;
    case TxnStage::kDrain407:  // a 407 whose body never ends
      factory_.AddMock(SocketScript()
                           .Write(req, CN_MOCK_SYNC)
                           .Read("HTTP/1.1 407 Auth\r\nProxy-Authenticate: Basic\r\n"
                                 "Content-Length: 50\r\n\r\nsome",
                                 CN_MOCK_SYNC));
      break;
    case TxnStage::kReadBody:
      factory_.AddMock(SocketScript()
                           .Write(req, CN_MOCK_SYNC)
                           .Read("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", CN_MOCK_SYNC));
      break;
  }
  auto t = NewTxn("http://origin.test/");
  int rv = t->StartNoWait();
  if (GetParam() == TxnStage::kReadBody) {
    ASSERT_EQ(CN_OK, rv);
    cn_iobuf *buf = cn_iobuf_new(100);
    EXPECT_EQ(CN_ERR_IO_PENDING, t->ReadNoWait(buf));
    cn_iobuf_unref(buf);
  } else {
    ASSERT_EQ(CN_ERR_IO_PENDING, rv);
  }
  t->Destroy();
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(t->callback_ran());
  if (GetParam() == TxnStage::kConnect) {
    // The connect job belongs to the pool's group and finishes anyway (late
    // binding): its fresh connection waits idle, unused.
    EXPECT_EQ(1u, cn_client_socket_pool_idle_count(transport()));
    EXPECT_EQ(1u, AllPoolSockets());
  } else {
    // A connection that carried part of an exchange is closed.
    EXPECT_EQ(0u, AllPoolSockets());
    EXPECT_EQ(0u, factory_.alive());
  }
  auto ends = recorder_.Of(CN_NETLOG_REQUEST_ALIVE, CN_NETLOG_PHASE_END);
  ASSERT_EQ(1u, ends.size());
  EXPECT_EQ(std::to_string(CN_ERR_ABORTED), ends[0].params["net_error"]);
}

TEST_F(HttpTransactionTest, DestroyFromInsideTheStartCallback) {
  MakeSession();
  factory_.AddMock(SocketScript().Write(Get("/", "origin.test")).Read(kOk));
  cn_url url;
  ASSERT_EQ(CN_OK, cn_url_parse("http://origin.test/", &url));
  cn_http_request_info info{};
  info.method = "GET";
  info.url = &url;
  struct Ctx {
    cn_http_transaction *t;
    int calls = 0;
  } ctx{cn_http_transaction_new(session_, CN_PRIORITY_MEDIUM)};
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_http_transaction_start(
                                   ctx.t, &info,
                                   [](void *arg, int) {
                                     auto *c = static_cast<Ctx *>(arg);
                                     c->calls++;
                                     cn_http_transaction_destroy(c->t);
                                   },
                                   &ctx));
  RunUntilIdle(loop_.get());
  EXPECT_EQ(1, ctx.calls);
  cn_url_free(&url);
  // The small unread body was drained after destroy: the connection is kept.
  EXPECT_EQ(1u, AllPoolSockets());
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count(transport()));
}

// Destroyed with a small body unread: the body is drained (no callback) and
// the connection serves the next request; a large one is closed instead.
TEST_F(HttpTransactionTest, DestroyDrainsASmallBodyAndKeepsTheConnection) {
  MakeSession();
  factory_.AddMock(SocketScript()
                       .Write(Get("/a", "origin.test"))
                       .Read("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 10\r\n\r\n")
                       .Read("0123456789")
                       .Write(Get("/b", "origin.test"))
                       .Read(kOk));
  int status = 0;
  StartThenDestroyUnread("http://origin.test/a", &status);
  EXPECT_EQ(302, status);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count(transport()));
  auto t = NewTxn("http://origin.test/b");
  ASSERT_EQ(CN_OK, t->Start());
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, t->info().reuse_type);
  // The NetLog says so on each request's source (the ladder's "jump").
  auto bound = recorder_.Of(CN_NETLOG_SOCKET_POOL_BOUND, CN_NETLOG_PHASE_NONE);
  ASSERT_EQ(2u, bound.size());
  EXPECT_EQ("new", bound[0].params["reuse"]);
  EXPECT_EQ("reused_idle", bound[1].params["reuse"]);
  EXPECT_EQ(t->source().id, bound[1].source_id);
  EXPECT_EQ("transport", bound[1].params["pool"]);
  t.reset();
  RunUntilIdle(loop_.get());
  factory_.ExpectAllUsedAndDone();
}

TEST_F(HttpTransactionTest, DestroyClosesWhenTheUnreadBodyIsLarge) {
  MakeSession();
  factory_.AddMock(SocketScript()
                       .Write(Get("/big", "origin.test"))
                       .Read("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n"));
  StartThenDestroyUnread("http://origin.test/big");
  EXPECT_EQ(0u, AllPoolSockets());
}

TEST_F(HttpTransactionTest, SessionDestroyAbortsADrain) {
  MakeSession();
  // The body never finishes arriving: the drain waits until the session goes.
  factory_.AddMock(SocketScript()
                       .Write(Get("/slow", "origin.test"))
                       .Read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"));
  StartThenDestroyUnread("http://origin.test/slow");
  EXPECT_EQ(1u, AllPoolSockets());  // held by the drain
  // TearDown destroys the session: the drain is aborted, nothing leaks (ASan).
}

// --- errors name their hop (issue 10) ------------------------------------------

// A proxy at the far end of a pipe: TLS with one ALPN protocol, then
// |script| written once the handshake is done (a SPDY/HTTP2 peer breaking
// its protocol), everything the client sends read and dropped. Without
// TLS it answers the client's first bytes (its ClientHello) with |script|
// in plaintext: a proxy that does not speak TLS where TLS was expected.
class ScriptedProxyPeer : public PipePeer {
 public:
  ScriptedProxyPeer(cn_ssl_context *ctx, cn_next_proto proto, std::string script, bool tls)
      : ctx_(ctx), proto_(proto), script_(std::move(script)), tls_(tls) {}
  bool handshake_done = false;

 private:
  void Started() override {
    if (!tls_) {
      Read();
      return;
    }
    int hs;
    ssl_ = StartTlsServer(ctx_, proto_, raw_, &ScriptedProxyPeer::OnHandshake, this, &hs);
    raw_ = nullptr;
    EXPECT_EQ(CN_ERR_IO_PENDING, hs);
  }
  static void OnHandshake(void *arg, int rv) {
    auto *self = static_cast<ScriptedProxyPeer *>(arg);
    ASSERT_EQ(CN_OK, rv);
    self->handshake_done = true;
    self->Write();
    self->Read();
  }
  void Write() {
    if (written_)
      return;
    written_ = true;
    cn_iobuf *b = cn_iobuf_from_copy(script_.data(), script_.size());
    int rv = cn_stream_socket_write(cur(), b, b->size, &ScriptedProxyPeer::OnWritten, this);
    EXPECT_TRUE(rv == static_cast<int>(script_.size()) || rv == CN_ERR_IO_PENDING) << rv;
    cn_iobuf_unref(b);
  }
  static void OnWritten(void *, int) {}
  void Read() {
    for (;;) {
      int rv = cn_stream_socket_read(cur(), buf_, buf_->size, &ScriptedProxyPeer::OnRead, this);
      if (rv == CN_ERR_IO_PENDING || rv <= 0)
        return;
      Write();  // (plaintext: the answer to the ClientHello)
    }
  }
  static void OnRead(void *arg, int rv) {
    auto *self = static_cast<ScriptedProxyPeer *>(arg);
    if (rv <= 0)
      return;
    self->Write();
    self->Read();
  }

  cn_ssl_context *ctx_;
  cn_next_proto proto_;
  std::string script_;
  bool tls_;
  bool written_ = false;
};

// Frames that break the protocol from the first bytes the proxy sends.
// HTTP/2: an empty SETTINGS, then DATA on stream 0 (RFC 9113 §6.1: a
// connection error PROTOCOL_ERROR).
const char kH2DataOnStream0[] =
    "\x00\x00\x00\x04\x00\x00\x00\x00\x00"
    "\x00\x00\x01\x00\x00\x00\x00\x00\x00x";
// SPDY/3.1: a data frame on stream 0.
const char kSpdyDataOnStream0[] = "\x00\x00\x00\x00\x00\x00\x00\x01x";
// SPDY/2's SETTINGS (a control frame of version 2): the wrong SPDY version.
const char kSpdyVersion2Settings[] = "\x80\x02\x00\x04\x00\x00\x00\x04\x00\x00\x00\x00";

class HttpTransactionErrorHopTest : public HttpTransactionTunnelTest {
 protected:
  void SetUp() override {
    HttpTransactionTunnelTest::SetUp();
    const char *names[] = {"proxy.test", "p1.test", "p2.test"};
    cn_test_cert_options o = {};
    o.dns_names = names;
    o.num_dns_names = 3;
    proxy_leaf_ = cn_test_cert_new(&o, ca_);
    ASSERT_EQ(CN_OK, cn_ssl_server_context_new(cn_test_cert_chain_pem(proxy_leaf_),
                                               cn_test_cert_key_pem(proxy_leaf_),
                                               &proxy_server_ctx_));
  }
  void TearDown() override {
    DestroySession();
    scripted_.clear();
    cn_ssl_context_unref(proxy_server_ctx_);
    cn_test_cert_free(proxy_leaf_);
    HttpTransactionTunnelTest::TearDown();
  }
  // Proxies are offered HTTP/2, SPDY/3.1 and HTTP/1.1; the peer picks.
  void AdjustParams(cn_http_network_session_params *p) override {
    p->proxy_ssl_config.protos[0] = CN_PROTO_HTTP2;
    p->proxy_ssl_config.protos[1] = CN_PROTO_SPDY31;
    p->proxy_ssl_config.protos[2] = CN_PROTO_HTTP11;
    p->proxy_ssl_config.num_protos = 3;
  }
  ScriptedProxyPeer *AddScripted(cn_next_proto proto, const std::string &script,
                                 bool tls = true) {
    scripted_.push_back(
        std::make_unique<ScriptedProxyPeer>(proxy_server_ctx_, proto, script, tls));
    factory_.AddSocket(scripted_.back()->Maker());
    return scripted_.back().get();
  }
  // Runs a GET of |url| that must fail; returns "ERR_X from WHERE".
  std::string FailWith(const std::string &url) {
    auto t = NewTxn(url);
    int rv = t->Start();
    EXPECT_LT(rv, 0);
    return std::string(cn_error_name(rv)) + " from " + t->error_from();
  }
  // The request's NetLog END names the error and its hop too.
  void ExpectLoggedEnd(int error, const std::string &from, int hop) {
    auto ends = recorder_.Of(CN_NETLOG_REQUEST_ALIVE, CN_NETLOG_PHASE_END);
    ASSERT_FALSE(ends.empty());
    EXPECT_EQ(std::to_string(error), ends.back().params["net_error"]);
    EXPECT_EQ(from, ends.back().params["error_source"]);
    EXPECT_EQ(std::to_string(hop), ends.back().params["error_hop"]);
  }

  cn_test_cert *proxy_leaf_ = nullptr;
  cn_ssl_context *proxy_server_ctx_ = nullptr;
  std::vector<std::unique_ptr<ScriptedProxyPeer>> scripted_;
};

// HTTP/1.1 CONNECT answers that used to be masked as
// ERR_PROXY_CONNECTION_FAILED: each is the proxy's own error now, from hop 0,
// and none of them is a reason to try the next proxy (p2 is never asked).
struct Http11Case {
  const char *name;
  std::string answer;
  int error;
};

class ConnectAnswerErrorTest : public HttpTransactionErrorHopTest,
                               public ::testing::WithParamInterface<Http11Case> {};

TEST_P(ConnectAnswerErrorTest, SpecificErrorFromTheProxyAndNoFallback) {
  UseProxies("http://p1.test:1,http://p2.test:2");
  factory_.AddMock(SocketScript().Write(Connect("origin.test:443")).Read(GetParam().answer));
  EXPECT_EQ(std::string(cn_error_name(GetParam().error)) + " from proxy http://p1.test:1",
            FailWith("https://origin.test/"));
  ExpectLoggedEnd(GetParam().error, "proxy http://p1.test:1", 0);
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(0u, recorder_.Of(CN_NETLOG_PROXY_FALLBACK, CN_NETLOG_PHASE_NONE).size());
  EXPECT_EQ(0u, recorder_.Of(CN_NETLOG_PROXY_CONNECT_ERROR, CN_NETLOG_PHASE_NONE).size());
  // (Not every byte is read: the endless head is given up on at the limit.)
}

std::string ManyHeaderLines() {
  std::string s = "HTTP/1.1 200 Connection established\r\n";
  for (int i = 0; s.size() < 300 * 1024; i++)
    s += "X-Filler-" + std::to_string(i) + ": " + std::string(60, 'f') + "\r\n";
  return s;  // never ends: no empty line
}

INSTANTIATE_TEST_SUITE_P(
    Answers, ConnectAnswerErrorTest,
    ::testing::Values(
        Http11Case{"OversizedHeader",
                   "HTTP/1.1 200 OK\r\nX-Big: " + std::string(300 * 1024, 'a') + "\r\n\r\n",
                   CN_ERR_RESPONSE_HEADERS_TOO_BIG},
        Http11Case{"EndlessHeaders", ManyHeaderLines(), CN_ERR_RESPONSE_HEADERS_TOO_BIG},
        Http11Case{"GarbageStatusLine", "HTTP/1.1 2x0 OK\r\n\r\n", CN_ERR_INVALID_RESPONSE},
        Http11Case{"Http09Answer", "<html><body>hello</body></html>\r\n",
                   CN_ERR_INVALID_RESPONSE}),
    [](const ::testing::TestParamInfo<Http11Case> &i) { return std::string(i.param.name); });

// http:// through the proxy: the request itself goes to it, and its broken
// answer is the proxy's too.
TEST_F(HttpTransactionErrorHopTest, GarbageAnswerToAnAbsoluteFormRequestIsTheProxys) {
  UseProxies("http://p1.test:1");
  factory_.AddMock(SocketScript()
                       .Write(Get("http://origin.test/", "origin.test"))
                       .Read("SSH-2.0-OpenSSH_9.6\r\n"));
  EXPECT_EQ("ERR_INVALID_RESPONSE from proxy http://p1.test:1", FailWith("http://origin.test/"));
  ExpectLoggedEnd(CN_ERR_INVALID_RESPONSE, "proxy http://p1.test:1", 0);
  factory_.ExpectAllUsedAndDone();
}

// The second proxy of a chain breaking its CONNECT answer: hop 1, named.
TEST_F(HttpTransactionErrorHopTest, SecondHopOfAChainIsNamed) {
  UseProxies("[http://p1.test:1 http://p2.test:2]");
  factory_.AddMock(SocketScript()
                       .Write(Connect("p2.test:2"))
                       .Read("HTTP/1.1 200 Connection established\r\n\r\n")
                       .Write(Connect("origin.test:443"))
                       .Read("HTTP/1.1 200 OK\r\nX-Big: " + std::string(300 * 1024, 'a')));
  auto t = NewTxn("https://origin.test/");
  EXPECT_EQ(CN_ERR_RESPONSE_HEADERS_TOO_BIG, t->Start());
  EXPECT_EQ(1, t->error_hop());
  EXPECT_EQ("proxy http://p2.test:2", t->error_from());
  // One connection, to the first hop; the stream stops reading at the head
  // limit, so the rest of the oversized head stays in the script unread.
  EXPECT_EQ(1u, factory_.created());
}

// A refused TCP connect stays ERR_PROXY_CONNECTION_FAILED, from the proxy.
TEST_F(HttpTransactionErrorHopTest, RefusedConnectIsProxyConnectionFailed) {
  UseProxies("https://proxy.test:443");
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED));
  EXPECT_EQ("ERR_PROXY_CONNECTION_FAILED from proxy https://proxy.test:443",
            FailWith("https://origin.test/"));
  factory_.ExpectAllUsedAndDone();
}

// SPDY/3.1 and HTTP/2 proxies breaking their protocol, for a tunnel (F5/F6)
// and for an http:// request that is a stream of the proxy's session (F4).
struct SessionCase {
  const char *name;
  cn_next_proto proto;
  std::string frames;
};

template <size_t N>
std::string Bytes(const char (&a)[N]) {
  return std::string(a, N - 1);
}

class ProxySessionErrorTest : public HttpTransactionErrorHopTest,
                              public ::testing::WithParamInterface<SessionCase> {};

TEST_P(ProxySessionErrorTest, ProtocolErrorOfTheProxysSessionAndNoFallback) {
  for (const char *url : {"https://origin.test/", "http://origin.test/"}) {
    SCOPED_TRACE(url);
    UseProxies("https://proxy.test:443,http://p2.test:2");
    size_t before = factory_.created();
    ScriptedProxyPeer *peer = AddScripted(GetParam().proto, GetParam().frames);
    EXPECT_EQ("ERR_HTTP2_PROTOCOL_ERROR from proxy https://proxy.test:443", FailWith(url));
    EXPECT_TRUE(peer->handshake_done);
    ExpectLoggedEnd(CN_ERR_HTTP2_PROTOCOL_ERROR, "proxy https://proxy.test:443", 0);
    EXPECT_EQ(before + 1, factory_.created());  // p2 never asked
    EXPECT_EQ(0u, recorder_.Of(CN_NETLOG_PROXY_FALLBACK, CN_NETLOG_PHASE_NONE).size());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Frames, ProxySessionErrorTest,
    ::testing::Values(SessionCase{"Http2DataOnStream0", CN_PROTO_HTTP2, Bytes(kH2DataOnStream0)},
                      SessionCase{"SpdyDataOnStream0", CN_PROTO_SPDY31, Bytes(kSpdyDataOnStream0)},
                      SessionCase{"SpdyWrongVersion", CN_PROTO_SPDY31,
                                  Bytes(kSpdyVersion2Settings)}),
    [](const ::testing::TestParamInfo<SessionCase> &i) { return std::string(i.param.name); });

// Plaintext where TLS was expected: the proxy's TLS protocol error — on the
// fallback list (a captive portal, Chromium's reason), so the request goes
// on to the next proxy, and the first is marked bad with that error once
// the second succeeded.
TEST_F(HttpTransactionErrorHopTest, PlaintextWhereTlsWasExpectedFallsBack) {
  UseProxies("https://proxy.test:443,http://p2.test:2");
  AddScripted(CN_PROTO_UNKNOWN, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n", false);
  TunnelPeer *p2 = AddPeer();
  EXPECT_EQ("200 ok", Fetch("https://origin.test/"));
  EXPECT_EQ(1u, p2->connects.size());
  auto fallbacks = recorder_.Of(CN_NETLOG_PROXY_FALLBACK, CN_NETLOG_PHASE_NONE);
  ASSERT_EQ(1u, fallbacks.size());
  EXPECT_EQ(std::to_string(CN_ERR_SSL_PROTOCOL_ERROR), fallbacks[0].params["net_error"]);
  const cn_proxy_retry_info *bad = BadInfo("https://proxy.test:443");
  ASSERT_NE(nullptr, bad);
  EXPECT_EQ(CN_ERR_SSL_PROTOCOL_ERROR, bad->net_error);
}

// Alone, the same failure is reported as it is, from the proxy.
TEST_F(HttpTransactionErrorHopTest, PlaintextWhereTlsWasExpectedIsTheProxysTlsError) {
  UseProxies("https://proxy.test:443");
  AddScripted(CN_PROTO_UNKNOWN, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n", false);
  EXPECT_EQ("ERR_SSL_PROTOCOL_ERROR from proxy https://proxy.test:443",
            FailWith("https://origin.test/"));
  ExpectLoggedEnd(CN_ERR_SSL_PROTOCOL_ERROR, "proxy https://proxy.test:443", 0);
}

// The origin failing inside the tunnel (it hangs up instead of TLS): a
// connection error of the fallback list, but the origin's, so no fallback.
TEST_F(HttpTransactionErrorHopTest, OriginTlsResetInsideTheTunnelIsTheOriginsAndNoFallback) {
  UseProxies("http://p1.test:1,http://p2.test:2");
  TunnelPeer *p1 = AddPeer();
  p1->close_after_connect = true;
  EXPECT_EQ("ERR_CONNECTION_CLOSED from origin", FailWith("https://origin.test/"));
  ExpectLoggedEnd(CN_ERR_CONNECTION_CLOSED, "origin", CN_HOP_ORIGIN);
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(0u, recorder_.Of(CN_NETLOG_PROXY_FALLBACK, CN_NETLOG_PHASE_NONE).size());
}

}  // namespace
