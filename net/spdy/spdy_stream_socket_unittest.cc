// CONNECT streams as sockets: a client session against a server session
// (playing the proxy) over a pipe, for SPDY/3.1 and HTTP/2.
#include "net/spdy/spdy_stream_socket.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "net/base/netlog.h"
#include "net/base/netlog_counters.h"
#include "net/http/http_server_properties.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/spdy/spdy_stream.h"

namespace cnet_test {
namespace {

class SpdyStreamSocketTest : public testing::TestWithParam<cn_next_proto> {
 protected:
  SpdyStreamSocketTest() {
    cn_netlog_init(&netlog_);
    cn_netlog_counters_attach(&counters_, &netlog_);
    MakePair(nullptr);
  }
  // A client and a proxy session over a pipe, both with |opts| (NULL:
  // defaults). The proxy answers each CONNECT with the next status of
  // |answers_|.
  void MakePair(const cn_spdy_session_options *opts) {
    pair_.reset();
    pair_ = std::make_unique<SessionPair>(loop(), &netlog_, GetParam(), 0, opts, opts);
    pair_->server_rec.on_stream_hook = [this](cn_spdy_stream *st) {
      pair_->server_rec.streams.emplace_back(new Responder(st, true));
      if (hold_answers_)
        return true;  // the test answers (or not)
      size_t i = pair_->server_rec.streams.size() - 1;
      int status = i < answers_.size() ? answers_[i] : 200;
      std::vector<std::pair<std::string, std::string>> f = {{":status", std::to_string(status)}};
      if (spdy())
        f.push_back({":version", "HTTP/1.1"});
      if (status == 407)
        f.push_back({"proxy-authenticate", "Basic realm=\"p\""});
      auto h = HeaderArray(f);
      // A 1xx never ends the stream; any other refusal does.
      bool fin = status != 200 && status >= 200;
      EXPECT_EQ(CN_OK, cn_spdy_stream_send_headers(st, h.data(), h.size(), fin));
      return true;
    };
  }
  ~SpdyStreamSocketTest() override {
    cn_stream_socket_destroy(socket_);
    pair_.reset();
    cn_proxy_server_free(&proxy_);
    cn_netlog_counters_detach(&counters_);
    cn_netlog_destroy(&netlog_);
  }
  uv_loop_t *loop() { return loop_.get(); }
  bool spdy() const { return GetParam() == CN_PROTO_SPDY31; }

  static void Done(void *arg, int rv) {
    auto *p = static_cast<std::pair<bool, int> *>(arg);
    p->first = true;
    p->second = rv;
  }
  int Wait(int rv) {
    if (rv != CN_ERR_IO_PENDING)
      return rv;
    std::pair<bool, int> *p = &state_;
    EXPECT_TRUE(RunUntil(loop(), [p] { return p->first; }));
    return p->second;
  }

  int Connect(bool with_credentials, bool optimistic = false) {
    cn_spdy_stream_socket_params p = {};
    p.optimistic = optimistic;
    p.hop = 2;
    cn_host_port_set(&p.target, "origin.test", 443);
    if (with_credentials) {
      EXPECT_EQ(CN_OK, cn_proxy_server_parse("https://user:pass@proxy.test:443", &proxy_));
      p.proxy = &proxy_;
    } else if (props_) {
      EXPECT_EQ(CN_OK, cn_proxy_server_parse("https://proxy.test:443", &proxy_));
      p.proxy = &proxy_;
      p.server_properties = props_;
    }
    p.user_agent = "cnet-test";
    p.priority = CN_PRIORITY_MEDIUM;
    socket_ = cn_spdy_stream_socket_new(pair_->client, &p, &netlog_);
    state_ = {false, 0};
    return Wait(cn_stream_socket_connect(socket_, &Done, &state_));
  }

  cn_spdy_stream *ServerStream(size_t i) { return pair_->server_rec.streams[i]->stream; }

  // An optimistic tunnel whose proxy holds its answer, a read waiting for
  // it, the CONNECT at the proxy.
  void ConnectOptimisticAndRead() {
    hold_answers_ = true;
    ASSERT_EQ(CN_OK, Connect(false, true));
    cn_iobuf *r = cn_iobuf_new(100);
    state_ = {false, 0};
    ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(socket_, r, 100, &Done, &state_));
    cn_iobuf_unref(r);
    ASSERT_TRUE(RunUntil(loop(), [&] { return pair_->server_rec.streams.size() == 1; }));
  }

  TestLoop loop_;
  cn_netlog netlog_;
  cn_netlog_counters counters_;
  std::unique_ptr<SessionPair> pair_;
  std::vector<int> answers_;
  bool hold_answers_ = false;
  cn_proxy_server proxy_ = {};
  cn_http_server_properties *props_ = nullptr;  // with a proxy without credentials
  cn_stream_socket *socket_ = nullptr;
  std::pair<bool, int> state_;
};

INSTANTIATE_TEST_SUITE_P(Protocols, SpdyStreamSocketTest,
                         testing::Values(CN_PROTO_SPDY31, CN_PROTO_HTTP2),
                         [](const testing::TestParamInfo<cn_next_proto> &i) {
                           return std::string(i.param == CN_PROTO_SPDY31 ? "Spdy31" : "Http2");
                         });

TEST_P(SpdyStreamSocketTest, ConnectThenBytesBothWays) {
  ASSERT_EQ(CN_OK, Connect(false));
  EXPECT_TRUE(cn_stream_socket_is_connected(socket_));
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(socket_));
  EXPECT_EQ(CN_PROTO_UNKNOWN, cn_stream_socket_negotiated_protocol(socket_));
  EXPECT_EQ(1u, counters_.tunnels);
  cn_spdy_stream *st = ServerStream(0);
  EXPECT_STREQ("CONNECT", cn_spdy_stream_header(st, ":method"));
  EXPECT_STREQ("cnet-test", cn_spdy_stream_header(st, "user-agent"));
  if (spdy()) {
    EXPECT_STREQ("origin.test:443", cn_spdy_stream_header(st, ":path"));
    EXPECT_STREQ("origin.test:443", cn_spdy_stream_header(st, ":host"));
    EXPECT_STREQ("HTTP/1.1", cn_spdy_stream_header(st, ":version"));
  } else {
    EXPECT_STREQ("origin.test:443", cn_spdy_stream_header(st, ":authority"));
    EXPECT_EQ(nullptr, cn_spdy_stream_header(st, ":path"));
    EXPECT_EQ(nullptr, cn_spdy_stream_header(st, ":scheme"));
  }

  // Client → proxy.
  std::string out = Pattern(100000, 1);
  cn_iobuf *w = cn_iobuf_from_copy(out.data(), out.size());
  state_ = {false, 0};
  EXPECT_EQ(static_cast<int>(out.size()),
            Wait(cn_stream_socket_write(socket_, w, out.size(), &Done, &state_)));
  cn_iobuf_unref(w);
  pair_->server_rec.streams[0]->Go();  // reads until our END_STREAM: none yet
  ASSERT_TRUE(RunUntil(loop(), [&] {
    return pair_->server_rec.streams[0]->request_body.size() == out.size();
  }));
  EXPECT_EQ(out, pair_->server_rec.streams[0]->request_body);

  // Proxy → client, then END_STREAM reads as 0.
  std::string in = Pattern(50000, 2);
  pair_->server_rec.streams[0]->Write(in, true);
  std::string got;
  cn_iobuf *r = cn_iobuf_new(8192);
  for (;;) {
    state_ = {false, 0};
    int n = Wait(cn_stream_socket_read(socket_, r, 8192, &Done, &state_));
    ASSERT_GE(n, 0);
    if (n == 0)
      break;
    got.append(reinterpret_cast<char *>(r->data), static_cast<size_t>(n));
  }
  cn_iobuf_unref(r);
  EXPECT_EQ(in, got);
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(socket_));
}

// A 1 MiB body each way through a tunnel whose stream and session windows
// are 64 KiB: writes become DATA only as the proxy's WINDOW_UPDATEs open the
// window, and our reads give credit back, so both directions complete
// exactly (a byte past a window would be a FLOW_CONTROL_ERROR that fails
// the session).
TEST_P(SpdyStreamSocketTest, MiBEachWayThroughA64KiBWindow) {
  cn_spdy_session_options opts;
  cn_spdy_session_options_init(&opts);
  opts.stream_recv_window = 64 * 1024;
  opts.session_recv_window = 64 * 1024;
  MakePair(&opts);
  ASSERT_EQ(CN_OK, Connect(false));

  std::string out = Pattern(1 << 20, 3);
  cn_iobuf *w = cn_iobuf_from_copy(out.data(), out.size());
  pair_->server_rec.streams[0]->Go();
  size_t sent = 0;
  while (sent < out.size()) {
    state_ = {false, 0};
    int n = Wait(cn_stream_socket_write(socket_, w, out.size() - sent, &Done, &state_));
    ASSERT_GT(n, 0);
    sent += static_cast<size_t>(n);
    cn_iobuf *rest = cn_iobuf_from_copy(out.data() + sent, out.size() - sent);
    cn_iobuf_unref(w);
    w = rest;
  }
  cn_iobuf_unref(w);
  ASSERT_TRUE(RunUntil(loop(), [&] {
    return pair_->server_rec.streams[0]->request_body.size() == out.size();
  }));
  EXPECT_TRUE(pair_->server_rec.streams[0]->request_body == out) << "upload differs";

  std::string in = Pattern(1 << 20, 4);
  pair_->server_rec.streams[0]->Write(in, true);
  std::string got;
  cn_iobuf *r = cn_iobuf_new(16384);
  for (;;) {
    state_ = {false, 0};
    int n = Wait(cn_stream_socket_read(socket_, r, 16384, &Done, &state_));
    ASSERT_GE(n, 0);
    if (n == 0)
      break;
    got.append(reinterpret_cast<char *>(r->data), static_cast<size_t>(n));
  }
  cn_iobuf_unref(r);
  EXPECT_EQ(in.size(), got.size());
  EXPECT_TRUE(in == got) << "download differs";
  EXPECT_TRUE(cn_spdy_session_is_available(pair_->client));
}

TEST_P(SpdyStreamSocketTest, ProxyAuthRetriesOnANewStreamOfTheSameSession) {
  answers_ = {407, 200};
  ASSERT_EQ(CN_OK, Connect(true));
  ASSERT_EQ(2u, pair_->server_rec.streams.size());
  EXPECT_EQ(nullptr, cn_spdy_stream_header(ServerStream(0), "proxy-authorization"));
  EXPECT_STREQ("Basic dXNlcjpwYXNz", cn_spdy_stream_header(ServerStream(1), "proxy-authorization"));
  EXPECT_TRUE(cn_spdy_stream_socket_sent_auth(socket_));
  EXPECT_EQ(200, cn_spdy_stream_socket_connect_status(socket_));
  // The first stream was cancelled; the session lives on.
  EXPECT_TRUE(cn_spdy_session_is_available(pair_->client));
  EXPECT_EQ(1u, cn_spdy_session_num_active_streams(pair_->client));
  EXPECT_EQ(1u, counters_.tunnels);
}

TEST_P(SpdyStreamSocketTest, ProxyAuthWithoutCredentials) {
  answers_ = {407};
  EXPECT_EQ(CN_ERR_PROXY_AUTH_REQUESTED, Connect(false));
  EXPECT_FALSE(cn_stream_socket_is_connected(socket_));
  EXPECT_EQ(0u, counters_.tunnels);
}

TEST_P(SpdyStreamSocketTest, CredentialsRefusedTwice) {
  answers_ = {407, 407};
  EXPECT_EQ(CN_ERR_PROXY_AUTH_REQUESTED, Connect(true));
  EXPECT_EQ(2u, pair_->server_rec.streams.size());
}

TEST_P(SpdyStreamSocketTest, RedirectIsNeverFollowed) {
  answers_ = {302};
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED, Connect(false));
}

// Strict CONNECT: only a 200 opens the tunnel. A 1xx is the answer (the
// client decides at it, so a 200 after a 100 never counts), and so is any
// other 2xx or a 3xx: ERR_TUNNEL_CONNECTION_FAILED, no tunnel counted.
TEST_P(SpdyStreamSocketTest, OnlyA200OpensTheTunnel) {
  for (int status : {100, 102, 103, 201, 202, 204, 206, 299, 300, 301, 302, 304, 307, 308}) {
    SCOPED_TRACE(status);
    cn_stream_socket_destroy(socket_);
    socket_ = nullptr;
    answers_ = {status};
    MakePair(nullptr);
    EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED, Connect(false));
    EXPECT_EQ(status, cn_spdy_stream_socket_connect_status(socket_));
    EXPECT_FALSE(cn_stream_socket_is_connected(socket_));
    // The refusal is the stream's: the session serves other tunnels.
    EXPECT_TRUE(cn_spdy_session_is_available(pair_->client));
  }
  EXPECT_EQ(0u, counters_.tunnels);
}

TEST_P(SpdyStreamSocketTest, OtherAnswersFailTheTunnel) {
  answers_ = {503};
  EXPECT_EQ(CN_ERR_TUNNEL_CONNECTION_FAILED, Connect(false));
}

TEST_P(SpdyStreamSocketTest, GoingAwaySessionTakesNoTunnel) {
  cn_spdy_session_go_away(pair_->client, CN_HTTP2_NO_ERROR);
  EXPECT_EQ(CN_ERR_HTTP2_GOING_AWAY, Connect(false));
}

TEST_P(SpdyStreamSocketTest, DestroyResetsTheStream) {
  ASSERT_EQ(CN_OK, Connect(false));
  // Unread tunnel bytes at the client.
  pair_->server_rec.streams[0]->Write(Pattern(30000, 3), false);
  ASSERT_TRUE(RunUntil(loop(), [&] {
    return cn_spdy_stream_buffered_bytes(cn_spdy_stream_socket_stream(socket_)) == 30000;
  }));
  // A pending read is cancelled by destroy: no callback.
  cn_stream_socket_destroy(socket_);
  socket_ = nullptr;
  cn_spdy_stream *st = ServerStream(0);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_is_closed(st); }));
  EXPECT_EQ(CN_ERR_HTTP2_STREAM_CLOSED, cn_spdy_stream_error(st));
  // The 30000 unread bytes are credited to the session window on destroy
  // (the session's own tests check the accounting); a new tunnel works.
  EXPECT_TRUE(cn_spdy_session_is_available(pair_->client));
}

// The proxy resetting an established tunnel's stream is, to the layer
// above, a TCP connection its peer closed: the pending read gets EOF, a
// write afterwards ERR_CONNECTION_RESET (so a request on a reused tunnel is
// resent by the stale-connection rule, as through an HTTP/1.1 proxy).
TEST_P(SpdyStreamSocketTest, ProxyResetReadsAsAClosedConnection) {
  ASSERT_EQ(CN_OK, Connect(false));
  cn_iobuf *r = cn_iobuf_new(100);
  state_ = {false, 0};
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(socket_, r, 100, &Done, &state_));
  cn_iobuf_unref(r);
  cn_spdy_stream_reset(ServerStream(0), CN_HTTP2_INTERNAL_ERROR);
  EXPECT_EQ(0, Wait(CN_ERR_IO_PENDING));
  EXPECT_FALSE(cn_stream_socket_is_connected(socket_));
  cn_iobuf *w = cn_iobuf_from_copy("x", 1);
  state_ = {false, 0};
  EXPECT_EQ(CN_ERR_CONNECTION_RESET,
            Wait(cn_stream_socket_write(socket_, w, 1, &Done, &state_)));
  cn_iobuf_unref(w);
}

// A protocol error of the proxy's session is no closed connection: it is
// returned as it is (the proxy broke the protocol; nothing is resent).
TEST_P(SpdyStreamSocketTest, ProxyProtocolErrorIsAReadError) {
  ASSERT_EQ(CN_OK, Connect(false));
  cn_iobuf *r = cn_iobuf_new(100);
  state_ = {false, 0};
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(socket_, r, 100, &Done, &state_));
  cn_iobuf_unref(r);
  cn_spdy_stream_reset(ServerStream(0), CN_HTTP2_PROTOCOL_ERROR);
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, Wait(CN_ERR_IO_PENDING));
}

// ---------------------------------------------------------------------------
// The optimistic tunnel (issue #13): connected once the CONNECT's HEADERS
// are queued; the first bytes go as DATA before the proxy answers.

TEST_P(SpdyStreamSocketTest, OptimisticWritesBeforeTheAnswer) {
  hold_answers_ = true;
  ASSERT_EQ(CN_OK, Connect(false, true));
  EXPECT_TRUE(cn_spdy_stream_socket_answer_pending(socket_));
  EXPECT_TRUE(cn_stream_socket_is_connected(socket_));
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(socket_));
  EXPECT_EQ(0u, counters_.tunnels);  // not before the answer
  const std::string hello = "\x16\x03\x01 client hello";
  cn_iobuf *w = cn_iobuf_from_copy(hello.data(), hello.size());
  state_ = {false, 0};
  EXPECT_EQ(static_cast<int>(hello.size()),
            Wait(cn_stream_socket_write(socket_, w, hello.size(), &Done, &state_)));
  cn_iobuf_unref(w);
  // The proxy has the CONNECT and the hello behind it, and has answered
  // nothing.
  ASSERT_TRUE(RunUntil(loop(), [&] {
    return pair_->server_rec.streams.size() == 1 &&
           cn_spdy_stream_buffered_bytes(ServerStream(0)) == hello.size();
  }));
  EXPECT_STREQ("CONNECT", cn_spdy_stream_header(ServerStream(0), ":method"));
  EXPECT_FALSE(pair_->server_rec.streams[0]->responded);
  // The read waits for the answer, then reads the origin's bytes.
  cn_iobuf *r = cn_iobuf_new(100);
  state_ = {false, 0};
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(socket_, r, 100, &Done, &state_));
  pair_->server_rec.streams[0]->Respond(200, "server hello", false);
  int n = Wait(CN_ERR_IO_PENDING);
  ASSERT_EQ(12, n) << cn_error_name(n);
  EXPECT_EQ("server hello", std::string(reinterpret_cast<char *>(r->data), 12));
  cn_iobuf_unref(r);
  EXPECT_FALSE(cn_spdy_stream_socket_answer_pending(socket_));
  EXPECT_EQ(200, cn_spdy_stream_socket_connect_status(socket_));
  EXPECT_EQ(1u, counters_.tunnels);
  int hop = -1;
  EXPECT_EQ(CN_ERR_NOT_IMPLEMENTED,
            cn_stream_socket_query(socket_, CN_SOCKET_QUERY_REFUSED_HOP, &hop));
}

TEST_P(SpdyStreamSocketTest, OptimisticOnlyWithoutCredentials) {
  // The proxy has credentials (a 407 would be answered on a new stream):
  // the socket waits for the answer.
  answers_ = {200};
  ASSERT_EQ(CN_OK, Connect(true, true));
  EXPECT_FALSE(cn_spdy_stream_socket_answer_pending(socket_));
  EXPECT_EQ(200, cn_spdy_stream_socket_connect_status(socket_));
}

// The proxy's refusal of an optimistic tunnel is the error the connect
// returns without the option; the stream is reset, later reads and writes
// fail the same way, and the proxy's hop is named.
TEST_P(SpdyStreamSocketTest, OptimisticRefusalsAreTheConnectsErrors) {
  struct Case {
    const char *name;
    std::function<void()> refuse;
  };
  std::vector<Case> cases = {
      {"403", [this] {
         pair_->server_rec.streams[0]->Respond(403, "");
       }},
      {"407", [this] {
         pair_->server_rec.streams[0]->Respond(407, "");
       }},
      {"RST_STREAM", [this] {
         cn_spdy_stream_reset(ServerStream(0), CN_HTTP2_INTERNAL_ERROR);
       }},
      {"REFUSED_STREAM", [this] {
         cn_spdy_stream_reset(ServerStream(0), CN_HTTP2_REFUSED_STREAM);
       }},
      {"GOAWAY and close", [this] {
         cn_spdy_session_go_away(pair_->server, CN_HTTP2_INTERNAL_ERROR);
         pair_->server_rec.streams.clear();
         pair_->DestroyServer();
       }},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    // Without the option.
    cn_stream_socket_destroy(socket_);
    socket_ = nullptr;
    MakePair(nullptr);
    hold_answers_ = true;
    cn_spdy_stream_socket_params p = {};
    cn_host_port_set(&p.target, "origin.test", 443);
    socket_ = cn_spdy_stream_socket_new(pair_->client, &p, &netlog_);
    state_ = {false, 0};
    ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_connect(socket_, &Done, &state_));
    ASSERT_TRUE(RunUntil(loop(), [&] { return pair_->server_rec.streams.size() == 1; }));
    c.refuse();
    int plain = Wait(CN_ERR_IO_PENDING);
    ASSERT_LT(plain, 0);

    // With it.
    cn_stream_socket_destroy(socket_);
    socket_ = nullptr;
    MakePair(nullptr);
    ASSERT_EQ(CN_OK, Connect(false, true));
    ASSERT_TRUE(cn_spdy_stream_socket_answer_pending(socket_));
    cn_iobuf *w = cn_iobuf_from_copy("hello", 5);
    state_ = {false, 0};
    EXPECT_EQ(5, Wait(cn_stream_socket_write(socket_, w, 5, &Done, &state_)));
    ASSERT_TRUE(RunUntil(loop(), [&] {
      return pair_->server_rec.streams.size() == 1 &&
             cn_spdy_stream_buffered_bytes(ServerStream(0)) == 5;
    }));
    cn_iobuf *r = cn_iobuf_new(100);
    state_ = {false, 0};
    ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(socket_, r, 100, &Done, &state_));
    cn_spdy_stream *server_stream = ServerStream(0);
    bool server_alive = std::string(c.name) != "GOAWAY and close";
    c.refuse();
    int optimistic = Wait(CN_ERR_IO_PENDING);
    EXPECT_EQ(plain, optimistic) << cn_error_name(plain) << " vs " << cn_error_name(optimistic);
    EXPECT_FALSE(cn_stream_socket_is_connected(socket_));
    EXPECT_EQ(optimistic, cn_stream_socket_read(socket_, r, 100, &Done, &state_));
    EXPECT_EQ(optimistic, cn_stream_socket_write(socket_, w, 5, &Done, &state_));
    cn_iobuf_unref(r);
    cn_iobuf_unref(w);
    int hop = -1;
    EXPECT_EQ(CN_OK, cn_stream_socket_query(socket_, CN_SOCKET_QUERY_REFUSED_HOP, &hop));
    EXPECT_EQ(2, hop);
    EXPECT_EQ(0u, counters_.tunnels);
    if (server_alive) {
      // The stream is closed at the proxy (our RST_STREAM CANCEL after its
      // refusal, or its own reset); the session serves other tunnels.
      ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_is_closed(server_stream); }));
      EXPECT_TRUE(cn_spdy_session_is_available(pair_->client));
    }
  }
}

// HTTP_1_1_REQUIRED exists in HTTP/2 only.
class SpdyStreamSocketHttp2Test : public SpdyStreamSocketTest {};
INSTANTIATE_TEST_SUITE_P(Http2Only, SpdyStreamSocketHttp2Test, testing::Values(CN_PROTO_HTTP2));

// The proxy's HTTP_1_1_REQUIRED is the tunnel job's error for it, and is
// remembered for the proxy (the retry offers HTTP/1.1).
TEST_P(SpdyStreamSocketHttp2Test, OptimisticHttp11RequiredIsTheProxys) {
  cn_http_server_properties props;
  cn_http_server_properties_init(&props);
  props_ = &props;
  ConnectOptimisticAndRead();
  cn_spdy_stream_reset(ServerStream(0), CN_HTTP2_HTTP_1_1_REQUIRED);
  EXPECT_EQ(CN_ERR_PROXY_HTTP_1_1_REQUIRED, Wait(CN_ERR_IO_PENDING));
  cn_host_port proxy;
  cn_host_port_set(&proxy, "proxy.test", 443);
  EXPECT_TRUE(cn_http_server_properties_requires_http11(&props, &proxy));
  cn_stream_socket_destroy(socket_);
  socket_ = nullptr;
  cn_http_server_properties_free(&props);
}

TEST_P(SpdyStreamSocketTest, OptimisticDestroyBeforeTheAnswer) {
  ConnectOptimisticAndRead();
  cn_stream_socket_destroy(socket_);  // no callback afterwards
  socket_ = nullptr;
  cn_spdy_stream *st = ServerStream(0);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_is_closed(st); }));
  pair_->server_rec.streams[0]->Respond(200, "", false);
  EXPECT_FALSE(state_.first);
  EXPECT_TRUE(cn_spdy_session_is_available(pair_->client));
}

}  // namespace
}  // namespace cnet_test
