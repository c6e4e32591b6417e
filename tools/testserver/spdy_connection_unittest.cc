// The test server's SPDY/3.1 and HTTP/2 side, in-process: a client-role
// cn_spdy_session over cn_ssl_socket (ALPN h2 or spdy/3.1) over
// cn_tcp_socket, against the origin routes, the proxy (F4: absolute-form
// GET on a stream; F5: CONNECT stream, TLS to the origin through it; F6: a
// second session inside that TLS) and the session fault switches; and curl
// --http2 as an independent client.
#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/base/base64.h"
#include "net/base/url.h"
#include "net/socket/socket_test_util.h"
#include "net/spdy/spdy_headers.h"
#include "net/spdy/spdy_session.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/spdy/spdy_stream.h"
#include "net/spdy/spdy_stream_socket.h"
#include "tools/testserver/test_server.h"
#include "tools/testserver/test_server_test_util.h"

namespace cnet_test {
namespace {

// One request on a client stream, to any URL: the session tests' Request
// (net/spdy/spdy_session_test_util.h) with a method, absolute-form for a
// proxy, and extra header fields.
class Fetch : public Request {
 public:
  Fetch(cn_spdy_session *s, std::string method, std::string url, bool absolute = false,
        std::string body = std::string(),
        std::vector<std::pair<std::string, std::string>> extra = {})
      : Request(s, Target{std::move(method), std::move(url), absolute, std::move(extra)},
                std::move(body), CN_PRIORITY_MEDIUM, 32768) {}
};

struct SessionEvents {
  bool unavailable = false;
  bool closed = false;
  int error = 1;
};

class SpdyTestServerTest : public ::testing::TestWithParam<cn_next_proto> {
 protected:
  void SetUp() override {
    ca_ = cn_test_cert_new_ca("cnet spdy test CA");
    cn_ssl_client_context_options co = {};
    co.ca_pem = cn_test_cert_pem(ca_);
    ASSERT_EQ(CN_OK, cn_ssl_client_context_new(&co, &ctx_));
  }
  void TearDown() override {
    for (cn_spdy_session *s : sessions_)
      cn_spdy_session_destroy(s);
    sessions_.clear();
    for (cn_stream_socket *s : sockets_)
      cn_stream_socket_destroy(s);
    sockets_.clear();
    for (cn_test_server *s : servers_)
      cn_test_server_destroy(s);
    servers_.clear();
    cn_ssl_context_unref(ctx_);
    cn_test_cert_free(ca_);
  }

  cn_next_proto Proto() const { return GetParam(); }

  // A server whose ALPN offers only the parameter's protocol (and
  // http/1.1, for the HTTPS origin behind a proxy).
  cn_test_server *StartServer(cn_test_server_options o, bool multiplexed = true) {
    o.issuer = ca_;
    if (multiplexed && !o.plain) {
      o.alpn[0] = Proto();
      o.alpn[1] = CN_PROTO_HTTP11;
      o.num_alpn = 2;
    }
    cn_test_server *s = nullptr;
    EXPECT_EQ(CN_OK, cn_test_server_new(loop_.get(), &o, &s));
    if (s)
      servers_.push_back(s);
    return s;
  }

  // A TLS client config offering only the parameter's protocol.
  cn_ssl_config AlpnConfig() const {
    cn_ssl_config config = {};
    config.protos[0] = Proto();
    config.num_protos = 1;
    return config;
  }

  // TLS to 127.0.0.1 over |tunnel| (which it takes), with |config| (ALPN)
  // when given: the connected socket (owned by the caller), or null.
  cn_stream_socket *ConnectTlsOver(cn_stream_socket *tunnel, const cn_ssl_config *config) {
    cn_ssl_socket_params p = {};
    p.context = ctx_;
    p.config = config;
    p.host = "127.0.0.1";
    cn_stream_socket *tls = cn_ssl_socket_new(nullptr, tunnel, &p);
    TestCompletion c;
    int rv = c.WaitForResult(loop_.get(), cn_stream_socket_connect(tls, c.cb(), c.arg()));
    EXPECT_EQ(CN_OK, rv) << cn_error_name(rv);
    if (rv != CN_OK) {
      cn_stream_socket_destroy(tls);
      return nullptr;
    }
    return tls;
  }

  // A proxy (the options' other switches as given).
  cn_test_server *StartProxy(cn_test_server_options o = {}) {
    o.proxy = true;
    return StartServer(o);
  }
  // A plain-HTTP/1.1 origin.
  cn_test_server *StartPlainOrigin() {
    cn_test_server_options o = {};
    o.plain = true;
    return StartServer(o, false);
  }

  // TCP, TLS with ALPN {protocol}, then a client session; its delegate's
  // calls go to |events| (to the fixture's when null).
  cn_spdy_session *Connect(cn_test_server *server, SessionEvents *events = nullptr,
                           uint32_t stream_recv_window = 0) {
    if (!events) {
      unwatched_events_.emplace_back();
      events = &unwatched_events_.back();
    }
    cn_ssl_config config = AlpnConfig();
    int rv;
    cn_stream_socket *s =
        ConnectTls(loop_.get(), cn_test_server_address(server), ctx_, "127.0.0.1", &rv, &config);
    EXPECT_EQ(CN_OK, rv) << cn_error_name(rv);
    if (!s)
      return nullptr;
    EXPECT_EQ(Proto(), cn_stream_socket_negotiated_protocol(s));
    cn_spdy_session_options so;
    cn_spdy_session_options_init(&so);
    so.stream_recv_window = stream_recv_window;
    cn_spdy_session_delegate d = {};
    d.ctx = events;
    d.on_unavailable = [](void *ctx, cn_spdy_session *) {
      static_cast<SessionEvents *>(ctx)->unavailable = true;
    };
    d.on_closed = [](void *ctx, cn_spdy_session *, int error) {
      auto *e = static_cast<SessionEvents *>(ctx);
      e->closed = true;
      e->error = error;
    };
    cn_spdy_session *session = nullptr;
    EXPECT_EQ(CN_OK, cn_spdy_session_create(loop_.get(), s, &so, &d, nullptr, &session));
    if (session)
      sessions_.push_back(session);
    return session;
  }

  std::string Url(cn_test_server *s, const std::string &path) {
    char base[128];
    return std::string(cn_test_server_base_url(s, base, sizeof(base))) + path;
  }

  template <typename Pred>
  bool RunUntil(Pred pred, int ms = 10000) {
    return cnet_test::RunUntil(loop_.get(), pred, static_cast<uint64_t>(ms));
  }
  // A CONNECT to |origin| on |s|, answered 200 with no length: the stream
  // as a socket (owned by the caller), or null.
  cn_stream_socket *OpenTunnel(cn_spdy_session *s, cn_test_server *origin) {
    Fetch connect(s, "CONNECT", Url(origin, "/"));
    if (!Run(&connect))
      return nullptr;
    EXPECT_EQ(CN_OK, connect.result) << cn_error_name(connect.result);
    EXPECT_EQ(200, connect.status);
    EXPECT_EQ("", connect.Header("content-length"));
    if (connect.result != CN_OK || connect.status != 200)
      return nullptr;
    return cn_spdy_stream_socket_new_accepted(connect.TakeStream(), nullptr);
  }

  bool Wait(Fetch *f) { return RunUntil([&] { return f->done; }); }
  // Starts |f| and waits for its end; false if it never came.
  bool Run(Fetch *f) {
    f->Start();
    return Wait(f);
  }
  // Starts all |fetches| at once and waits for all of them to end.
  bool RunAll(const std::vector<std::unique_ptr<Fetch>> &fetches) {
    for (auto &f : fetches)
      f->Start();
    return RunUntil([&] {
      for (auto &f : fetches) {
        if (!f->done)
          return false;
      }
      return true;
    });
  }

  cn_test_server_counters Counters(cn_test_server *s) {
    cn_test_server_counters c;
    cn_test_server_get_counters(s, &c);
    return c;
  }
  cn_test_server_proxy_counters ProxyCounters(cn_test_server *s) {
    cn_test_server_proxy_counters c;
    cn_test_server_get_proxy_counters(s, &c);
    return c;
  }
  uint64_t Streams(cn_test_server *s) {
    cn_test_server_counters c = Counters(s);
    return Proto() == CN_PROTO_SPDY31 ? c.spdy_streams : c.http2_streams;
  }
  uint64_t Sessions(cn_test_server *s) {
    cn_test_server_counters c = Counters(s);
    return Proto() == CN_PROTO_SPDY31 ? c.spdy_sessions : c.http2_sessions;
  }

  TestLoop loop_;
  cn_test_cert *ca_ = nullptr;
  cn_ssl_context *ctx_ = nullptr;
  std::vector<cn_test_server *> servers_;
  std::vector<cn_spdy_session *> sessions_;
  std::vector<cn_stream_socket *> sockets_;
  std::deque<SessionEvents> unwatched_events_;  // stable addresses
};

INSTANTIATE_TEST_SUITE_P(Protocols, SpdyTestServerTest,
                         testing::Values(CN_PROTO_SPDY31, CN_PROTO_HTTP2),
                         [](const testing::TestParamInfo<cn_next_proto> &p) {
                           return std::string(p.param == CN_PROTO_SPDY31 ? "Spdy31" : "Http2");
                         });

TEST_P(SpdyTestServerTest, OriginRoutes) {
  cn_test_server *server = StartServer({});
  cn_spdy_session *s = Connect(server);
  ASSERT_TRUE(s);
  Fetch root(s, "GET", Url(server, "/"));
  ASSERT_TRUE(Run(&root));
  EXPECT_EQ(CN_OK, root.result) << cn_error_name(root.result);
  EXPECT_EQ(200, root.status);
  EXPECT_NE(std::string::npos, root.response.find("cnet-testserver"));
  EXPECT_EQ("cnet-testserver", root.Header("server"));

  Fetch bytes(s, "GET", Url(server, "/bytes/300000"));
  ASSERT_TRUE(Run(&bytes));
  EXPECT_EQ(CN_OK, bytes.result);
  EXPECT_EQ("300000", bytes.Header("content-length"));
  EXPECT_TRUE(bytes.response == PatternBytes(0, 300000));

  Fetch chunked(s, "GET", Url(server, "/chunked/70000"));
  ASSERT_TRUE(Run(&chunked));
  EXPECT_EQ(CN_OK, chunked.result);
  EXPECT_EQ("", chunked.Header("content-length"));
  EXPECT_TRUE(chunked.response == PatternBytes(0, 70000));

  std::string upload = PatternBytes(5, 200000);
  Fetch echo(s, "POST", Url(server, "/echo"), false, upload);
  ASSERT_TRUE(Run(&echo));
  EXPECT_EQ(CN_OK, echo.result);
  EXPECT_TRUE(echo.response == upload);

  Fetch head(s, "HEAD", Url(server, "/bytes/10"));
  ASSERT_TRUE(Run(&head));
  EXPECT_EQ(CN_OK, head.result);
  EXPECT_EQ("10", head.Header("content-length"));
  EXPECT_EQ("", head.response);

  Fetch empty(s, "GET", Url(server, "/status/204"));
  ASSERT_TRUE(Run(&empty));
  EXPECT_EQ(CN_OK, empty.result);
  EXPECT_EQ(204, empty.status);

  Fetch hdrs(s, "GET", Url(server, "/headers"), false, "", {{"x-test", "yes"}});
  ASSERT_TRUE(Run(&hdrs));
  EXPECT_NE(std::string::npos, hdrs.response.find("x-test: yes")) << hdrs.response;
  EXPECT_NE(std::string::npos, hdrs.response.find("Host: 127.0.0.1")) << hdrs.response;

  // /reset aborts: the stream is reset, the session lives on.
  Fetch reset(s, "GET", Url(server, "/reset"));
  ASSERT_TRUE(Run(&reset));
  EXPECT_LT(reset.result, 0);
  EXPECT_TRUE(cn_spdy_session_is_available(s));

  EXPECT_EQ(1u, Sessions(server));
  EXPECT_EQ(8u, Streams(server));
  EXPECT_EQ(0u, Counters(server).http1_connections);
}

TEST_P(SpdyTestServerTest, FiftyConcurrentStreams) {
  cn_test_server *server = StartServer({});
  cn_spdy_session *s = Connect(server);
  ASSERT_TRUE(s);
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 50; i++)
    fetches.emplace_back(new Fetch(s, "GET", Url(server, "/bytes/" + std::to_string(i * 997))));
  ASSERT_TRUE(RunAll(fetches));
  for (int i = 0; i < 50; i++) {
    EXPECT_EQ(CN_OK, fetches[i]->result) << i;
    EXPECT_TRUE(fetches[i]->response == PatternBytes(0, i * 997)) << i;
  }
  EXPECT_EQ(50u, Streams(server));
  EXPECT_EQ(1u, Sessions(server));
}

TEST_P(SpdyTestServerTest, MaxConcurrentStreams) {
  cn_test_server_options o = {};
  o.session_options.max_concurrent_streams = 2;
  cn_test_server *server = StartServer(o);
  cn_spdy_session *s = Connect(server);
  ASSERT_TRUE(s);
  // Streams sent before the server's SETTINGS arrive would be refused
  // (REFUSED_STREAM, retryable): wait for them.
  ASSERT_TRUE(RunUntil([&] { return cn_spdy_session_peer_settings_received(s); }));
  EXPECT_EQ(2u, cn_spdy_session_peer_max_concurrent_streams(s));
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 8; i++)
    fetches.emplace_back(new Fetch(s, "GET", Url(server, "/slow/20")));
  ASSERT_TRUE(RunAll(fetches));
  for (auto &f : fetches)
    EXPECT_EQ(CN_OK, f->result) << cn_error_name(f->result);
  EXPECT_EQ(2u, cn_spdy_session_peer_max_concurrent_streams(s));
}

TEST_P(SpdyTestServerTest, GoawayAfter) {
  cn_test_server_options o = {};
  o.session_options.goaway_after = 2;
  cn_test_server *server = StartServer(o);
  SessionEvents ev;
  cn_spdy_session *s = Connect(server, &ev);
  ASSERT_TRUE(s);
  Fetch a(s, "GET", Url(server, "/bytes/1000"));
  ASSERT_TRUE(Run(&a));
  EXPECT_EQ(CN_OK, a.result);
  EXPECT_FALSE(ev.unavailable);
  Fetch b(s, "GET", Url(server, "/bytes/100000"));
  ASSERT_TRUE(Run(&b));
  // The stream that triggered the GOAWAY is still served in full.
  EXPECT_EQ(CN_OK, b.result);
  EXPECT_TRUE(b.response == PatternBytes(0, 100000));
  ASSERT_TRUE(RunUntil([&] { return ev.closed; }));
  EXPECT_TRUE(ev.unavailable);
  EXPECT_EQ(CN_OK, ev.error);  // a graceful close
  EXPECT_FALSE(cn_spdy_session_is_available(s));
  Fetch c(s, "GET", Url(server, "/"));
  ASSERT_TRUE(Run(&c));
  EXPECT_LT(c.result, 0);
  EXPECT_EQ(1u, Counters(server).goaways_sent);
}

TEST_P(SpdyTestServerTest, RstStreamOnARoute) {
  cn_test_server_options o = {};
  o.session_options.rst_stream = true;
  o.session_options.rst_stream_code = 0x7;  // REFUSED_STREAM
  o.session_options.rst_stream_path = "/bytes/";
  cn_test_server *server = StartServer(o);
  cn_spdy_session *s = Connect(server);
  ASSERT_TRUE(s);
  Fetch refused(s, "GET", Url(server, "/bytes/10"));
  ASSERT_TRUE(Run(&refused));
  EXPECT_EQ(CN_ERR_HTTP2_SERVER_REFUSED_STREAM, refused.result) << cn_error_name(refused.result);
  Fetch ok(s, "GET", Url(server, "/"));
  ASSERT_TRUE(Run(&ok));
  EXPECT_EQ(CN_OK, ok.result);
  EXPECT_EQ(1u, Counters(server).streams_reset);
}

TEST_P(SpdyTestServerTest, RstStreamCancel) {
  cn_test_server_options o = {};
  o.session_options.rst_stream = true;
  o.session_options.rst_stream_code = 0x8;  // CANCEL
  cn_test_server *server = StartServer(o);
  cn_spdy_session *s = Connect(server);
  ASSERT_TRUE(s);
  Fetch f(s, "GET", Url(server, "/"));
  ASSERT_TRUE(Run(&f));
  EXPECT_EQ(CN_ERR_HTTP2_STREAM_CLOSED, f.result) << cn_error_name(f.result);
}

TEST_P(SpdyTestServerTest, SmallWindowsStillCompleteAMebibyte) {
  cn_test_server_options o = {};
  o.session_options.initial_window = 4096;  // the client's uploads crawl
  cn_test_server *server = StartServer(o);
  // And the client's own small window slows the server's sending.
  cn_spdy_session *s = Connect(server, nullptr, 16384);
  ASSERT_TRUE(s);
  // SPDY/3.1 has no SETTINGS ACK: the server's session holds the client to
  // the small window at once, so an upload sent before the client learnt
  // it would overrun it (FLOW_CONTROL_ERROR). Start once it has.
  ASSERT_TRUE(RunUntil([&] { return cn_spdy_session_peer_settings_received(s); }));
  Fetch down(s, "GET", Url(server, "/bytes/1048576"));
  std::string upload = PatternBytes(3, 1 << 20);
  Fetch up(s, "POST", Url(server, "/echo"), false, upload);
  down.Start();
  up.Start();
  ASSERT_TRUE(RunUntil([&] { return down.done && up.done; }, 30000));
  EXPECT_EQ(CN_OK, down.result) << cn_error_name(down.result);
  EXPECT_TRUE(down.response == PatternBytes(0, 1 << 20));
  EXPECT_EQ(CN_OK, up.result) << cn_error_name(up.result);
  EXPECT_TRUE(up.response == upload);
}

TEST_P(SpdyTestServerTest, BadFrameFailsTheClientSession) {
  cn_test_server_options o = {};
  o.session_options.bad_frame = true;
  cn_test_server *server = StartServer(o);
  SessionEvents ev;
  cn_spdy_session *s = Connect(server, &ev);
  ASSERT_TRUE(s);
  Fetch f(s, "GET", Url(server, "/slow/200"));
  f.Start();
  ASSERT_TRUE(RunUntil([&] { return ev.closed && f.done; }));
  EXPECT_LT(ev.error, 0);
  EXPECT_LT(f.result, 0);
  EXPECT_EQ(1u, Counters(server).bad_frames_sent);
}

// --- proxy mode over a session ---

// F4: an absolute-form GET on a stream, forwarded over HTTP/1.1.
TEST_P(SpdyTestServerTest, ProxyForwardsAbsoluteGet) {
  cn_test_server *origin = StartPlainOrigin();
  cn_test_server *proxy = StartProxy();
  cn_spdy_session *s = Connect(proxy);
  ASSERT_TRUE(s);
  for (int i = 0; i < 2; i++) {
    Fetch f(s, "GET", Url(origin, "/bytes/50000"), true);
    ASSERT_TRUE(Run(&f));
    EXPECT_EQ(CN_OK, f.result) << cn_error_name(f.result);
    EXPECT_EQ(200, f.status);
    EXPECT_TRUE(f.response == PatternBytes(0, 50000));
  }
  cn_test_server_proxy_counters pc = ProxyCounters(proxy);
  EXPECT_EQ(2u, pc.forwarded);
  EXPECT_EQ(1u, pc.upstream_connects);
  EXPECT_EQ(1u, pc.upstream_reused);
  EXPECT_EQ(2u, Counters(origin).requests);
}

// F5: CONNECT on a stream, 200, then TLS to the origin and HTTP/1.1 through
// the stream's DATA frames.
TEST_P(SpdyTestServerTest, ProxyConnectTunnelCarriesTls) {
  cn_test_server *origin = StartServer({}, false);  // HTTPS, http/1.1
  cn_test_server *proxy = StartProxy();
  cn_spdy_session *s = Connect(proxy);
  ASSERT_TRUE(s);
  // The client side's adapter is the test server's own: it works for any
  // stream.
  cn_stream_socket *tunnel = OpenTunnel(s, origin);
  ASSERT_TRUE(tunnel);
  cn_stream_socket *tls = ConnectTlsOver(tunnel, nullptr);
  ASSERT_TRUE(tls);
  sockets_.push_back(tls);
  for (int i = 0; i < 2; i++) {
    ASSERT_EQ(CN_OK, WriteAll(loop_.get(), tls,
                              "GET /bytes/200000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    ResponseReader reader(loop_.get(), tls);
    Response r = reader.Read();
    EXPECT_EQ(200, r.status);
    EXPECT_TRUE(r.body == PatternBytes(0, 200000));
  }
  cn_test_server_proxy_counters pc = ProxyCounters(proxy);
  EXPECT_EQ(1u, pc.connect_requests);
  EXPECT_EQ(1u, pc.tunnels_opened);
  EXPECT_EQ(1u, pc.tunnels_open);
  EXPECT_EQ(2u, Counters(origin).requests);
  // The tunnel is one stream: other streams on the session still work.
  Fetch other(s, "CONNECT", Url(origin, "/"));
  ASSERT_TRUE(Run(&other));
  EXPECT_EQ(200, other.status);
  // Closing the client's side ends the tunnel.
  sockets_.clear();
  cn_stream_socket_destroy(tls);
  ASSERT_TRUE(RunUntil([&] { return ProxyCounters(proxy).tunnels_open == 1; }));
  EXPECT_GT(ProxyCounters(proxy).tunnel_bytes_down, 400000u);
}

// F6: CONNECT on a stream, then TLS with ALPN and a second session (the
// same protocol) inside the tunnel stream.
TEST_P(SpdyTestServerTest, ProxyConnectTunnelCarriesASession) {
  cn_test_server *origin = StartServer({});  // offers the protocol too
  cn_test_server *proxy = StartProxy();
  cn_spdy_session *s = Connect(proxy);
  ASSERT_TRUE(s);
  cn_stream_socket *tunnel = OpenTunnel(s, origin);
  ASSERT_TRUE(tunnel);
  cn_ssl_config config = AlpnConfig();
  cn_stream_socket *tls = ConnectTlsOver(tunnel, &config);
  ASSERT_TRUE(tls);
  EXPECT_EQ(Proto(), cn_stream_socket_negotiated_protocol(tls));
  cn_spdy_session *inner = nullptr;
  ASSERT_EQ(CN_OK, cn_spdy_session_create(loop_.get(), tls, nullptr, nullptr, nullptr, &inner));
  sessions_.insert(sessions_.begin(), inner);  // destroyed before the outer one
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 5; i++)
    fetches.emplace_back(new Fetch(inner, "GET", Url(origin, "/bytes/" + std::to_string(i * 40000))));
  ASSERT_TRUE(RunAll(fetches));
  for (int i = 0; i < 5; i++) {
    EXPECT_EQ(CN_OK, fetches[i]->result) << cn_error_name(fetches[i]->result);
    EXPECT_TRUE(fetches[i]->response == PatternBytes(0, i * 40000)) << i;
  }
  EXPECT_EQ(1u, Sessions(origin));
  EXPECT_EQ(5u, Streams(origin));
  EXPECT_EQ(1u, Sessions(proxy));
  EXPECT_EQ(1u, Streams(proxy));
}

// The target's EOF reaches the client as END_STREAM (a read of 0), and the
// client's END_STREAM then ends the tunnel.
TEST_P(SpdyTestServerTest, ProxyTunnelHalfClose) {
  cn_test_server *origin = StartPlainOrigin();
  cn_test_server *proxy = StartProxy();
  cn_spdy_session *s = Connect(proxy);
  ASSERT_TRUE(s);
  cn_stream_socket *tunnel = OpenTunnel(s, origin);
  ASSERT_TRUE(tunnel);
  sockets_.push_back(tunnel);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), tunnel,
                            "GET /bytes/5000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string got;
  int rv;
  for (;;) {
    cn_iobuf *buf = cn_iobuf_new(65536);
    TestCompletion c;
    rv = c.WaitForResult(loop_.get(), cn_stream_socket_read(tunnel, buf, 65536, c.cb(), c.arg()));
    if (rv > 0)
      got.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(rv));
    cn_iobuf_unref(buf);
    if (rv <= 0)
      break;
  }
  EXPECT_EQ(0, rv) << cn_error_name(rv);  // END_STREAM, not a reset
  EXPECT_NE(std::string::npos, got.find("HTTP/1.1 200"));
  EXPECT_EQ(got.size() - got.find("\r\n\r\n") - 4, 5000u);
  EXPECT_EQ(1u, ProxyCounters(proxy).tunnels_open);
  TestCompletion c;
  EXPECT_EQ(0, c.WaitForResult(loop_.get(), cn_spdy_stream_socket_shutdown(tunnel, c.cb(), c.arg())));
  ASSERT_TRUE(RunUntil([&] { return ProxyCounters(proxy).tunnels_open == 0; }));
  EXPECT_TRUE(cn_spdy_session_is_available(s));
}

TEST_P(SpdyTestServerTest, ProxyAuthAndRefusal) {
  cn_test_server *origin = StartServer({}, false);
  cn_test_server_options po = {};
  po.proxy_options.auth = "user:pass";
  cn_test_server *proxy = StartProxy(po);
  cn_spdy_session *s = Connect(proxy);
  ASSERT_TRUE(s);
  Fetch denied(s, "CONNECT", Url(origin, "/"));
  ASSERT_TRUE(Run(&denied));
  EXPECT_EQ(407, denied.status);
  EXPECT_EQ("Basic realm=\"cnet-test\"", denied.Header("proxy-authenticate"));
  char *cred = cn_http_basic_credentials("user", "pass");
  Fetch allowed(s, "CONNECT", Url(origin, "/"), false, "", {{"proxy-authorization", cred}});
  free(cred);
  ASSERT_TRUE(Run(&allowed));
  EXPECT_EQ(200, allowed.status);
  EXPECT_EQ(1u, ProxyCounters(proxy).auth_challenges);

  cn_test_server_options ro = {};
  ro.proxy_options.refuse_connect = 403;
  cn_test_server *refusing = StartProxy(ro);
  cn_spdy_session *s2 = Connect(refusing);
  ASSERT_TRUE(s2);
  Fetch refused(s2, "CONNECT", Url(origin, "/"));
  ASSERT_TRUE(Run(&refused));
  EXPECT_EQ(403, refused.status);
  EXPECT_EQ(CN_TEST_SERVER_PROXY_REFUSAL_BODY, refused.response);
}

// The proxy's drops over a session reset just the stream.
TEST_P(SpdyTestServerTest, ProxyDropResetsTheStream) {
  cn_test_server *origin = StartServer({}, false);
  cn_test_server_options po = {};
  po.proxy_options.drop_at = CN_TEST_SERVER_DROP_AFTER_CONNECT_REQUEST;
  cn_test_server *proxy = StartProxy(po);
  cn_spdy_session *s = Connect(proxy);
  ASSERT_TRUE(s);
  Fetch connect(s, "CONNECT", Url(origin, "/"));
  ASSERT_TRUE(Run(&connect));
  EXPECT_EQ(CN_ERR_HTTP2_STREAM_CLOSED, connect.result) << cn_error_name(connect.result);
  EXPECT_EQ(1u, ProxyCounters(proxy).dropped);
  EXPECT_EQ(1u, Counters(proxy).streams_reset);
  EXPECT_TRUE(cn_spdy_session_is_available(s));
}

// An independent HTTP/2 client: curl --http2 (skipped when curl is absent
// or lacks HTTP/2).
TEST(SpdyTestServerCurlTest, CurlHttp2GetsTheSameBytes) {
  const char *curl = "/usr/bin/curl";
  if (access(curl, X_OK) != 0)
    GTEST_SKIP() << "no curl";
  TestLoop loop;
  {
    Subprocess v;
    ASSERT_TRUE(v.Start(loop.get(), {curl, "--version"}));
    ProcessResult r = v.Wait();
    if (r.out.find("HTTP2") == std::string::npos)
      GTEST_SKIP() << "curl without HTTP/2";
  }
  cn_test_server_options o = {};
  o.alpn[0] = CN_PROTO_HTTP2;
  o.alpn[1] = CN_PROTO_HTTP11;
  o.num_alpn = 2;
  cn_test_server *server = nullptr;
  ASSERT_EQ(CN_OK, cn_test_server_new(loop.get(), &o, &server));
  char dir[] = "/tmp/cnet_ts_curl_XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  std::string ca = std::string(dir) + "/ca.pem", out = std::string(dir) + "/out";
  std::ofstream(ca) << cn_test_server_ca_pem(server);
  char base[128];
  std::string url = std::string(cn_test_server_base_url(server, base, sizeof(base))) +
                    "/bytes/300000";
  Subprocess p;
  ASSERT_TRUE(p.Start(loop.get(), {curl, "-sS", "--http2", "--cacert", ca, "-o", out, "-w",
                                   "%{http_version} %{http_code}", url}));
  ProcessResult r = p.Wait();
  EXPECT_EQ(0, r.exit_status) << r.err;
  EXPECT_EQ("2 200", r.out);
  std::ifstream in(out, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(body == PatternBytes(0, 300000)) << body.size();
  cn_test_server_counters c;
  cn_test_server_get_counters(server, &c);
  EXPECT_EQ(1u, c.http2_sessions);
  EXPECT_EQ(1u, c.http2_streams);
  cn_test_server_destroy(server);
  unlink(ca.c_str());
  unlink(out.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace cnet_test
