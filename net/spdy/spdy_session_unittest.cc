// Session and stream tests: a client session against a server session over
// a pipe (whole and in 7-byte pieces), and against a raw peer for the
// frames a well-behaved session never sends. Every test runs for SPDY/3.1
// and HTTP/2.
#include "net/spdy/spdy_session.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "net/base/netlog.h"
#include "net/base/netlog_counters.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/spdy/spdy_stream.h"
#include "net/spdy/spdy_wire_codes.h"

namespace cnet_test {
namespace {

struct Param {
  cn_next_proto proto;
  size_t chunk;  // pipe read cap (0: none)
};

std::string ParamName(const testing::TestParamInfo<Param> &info) {
  std::string name = info.param.proto == CN_PROTO_SPDY31 ? "Spdy31" : "Http2";
  if (info.param.chunk)
    name += "Chunk" + std::to_string(info.param.chunk);
  return name;
}

// A socket whose writes can be held on their way (a slow link): what the
// session framed has left it but not reached the peer. The session owns it
// (its destroy frees the gate); the test keeps the gate to hold and release.
class WriteGateSocket {
 public:
  static cn_stream_socket *Wrap(cn_stream_socket *inner, WriteGateSocket **gate) {
    auto *g = new WriteGateSocket;
    cn_stream_socket_init(&g->base_, &kOps, inner->netlog);
    g->inner_ = inner;
    *gate = g;
    return &g->base_;
  }
  ~WriteGateSocket() {
    cn_iobuf_unref(held_);
    cn_stream_socket_destroy(inner_);
  }
  // Writes from now on wait for Release() (or not).
  void Hold(bool on) { hold_ = on; }
  bool held() const { return held_ != nullptr; }
  // Writes the session made so far.
  size_t writes() const { return writes_; }
  // The held write goes on to the inner socket and completes.
  void Release() {
    cn_iobuf *buf = held_;
    held_ = nullptr;
    int rv = cn_stream_socket_write(inner_, buf, len_, cb_, arg_);
    cn_iobuf_unref(buf);
    if (rv != CN_ERR_IO_PENDING)
      cb_(arg_, rv);
  }

 private:
  cn_stream_socket base_;  // first: the ops cast back
  cn_stream_socket *inner_ = nullptr;
  cn_iobuf *held_ = nullptr;
  size_t len_ = 0;
  cn_completion_cb cb_ = nullptr;
  void *arg_ = nullptr;
  bool hold_ = false;
  size_t writes_ = 0;

  static WriteGateSocket *Of(const cn_stream_socket *s) {
    return reinterpret_cast<WriteGateSocket *>(const_cast<cn_stream_socket *>(s));
  }
  static int Write(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                   void *arg) {
    WriteGateSocket *g = Of(s);
    g->writes_++;
    if (!g->hold_)
      return cn_stream_socket_write(g->inner_, buf, len, cb, arg);
    g->held_ = cn_iobuf_ref(buf);
    g->len_ = len;
    g->cb_ = cb;
    g->arg_ = arg;
    return CN_ERR_IO_PENDING;
  }
  static void Destroy(cn_stream_socket *s) {
    cn_stream_socket_log_destroyed(s);
    delete Of(s);  // its destructor destroys the inner socket
  }
  static const cn_stream_socket_ops kOps;
};

// Everything but writes and destroy is the inner socket's. (Defined out of
// the class: the lambdas need it complete.)
const cn_stream_socket_ops WriteGateSocket::kOps = {
    "write-gate",
    [](cn_stream_socket *s, cn_completion_cb cb, void *arg) {
      return cn_stream_socket_connect(Of(s)->inner_, cb, arg);
    },
    [](cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
      return cn_stream_socket_read(Of(s)->inner_, buf, len, cb, arg);
    },
    &Write,
    [](cn_stream_socket *s) { cn_stream_socket_disconnect(Of(s)->inner_); },
    [](const cn_stream_socket *s) { return cn_stream_socket_is_connected(Of(s)->inner_); },
    [](const cn_stream_socket *s) {
      return cn_stream_socket_is_connected_and_idle(Of(s)->inner_);
    },
    [](const cn_stream_socket *s) { return cn_stream_socket_negotiated_protocol(Of(s)->inner_); },
    &Destroy,
    nullptr,
    nullptr,
    nullptr,
    nullptr};  // read_now

class SpdySessionTest : public testing::TestWithParam<Param> {
 protected:
  SpdySessionTest() {
    cn_netlog_init(&netlog_);
    cn_netlog_counters_attach(&counters_, &netlog_);
  }
  ~SpdySessionTest() override {
    cn_netlog_counters_detach(&counters_);
    cn_netlog_destroy(&netlog_);
  }

  cn_next_proto proto() const { return GetParam().proto; }
  bool spdy() const { return proto() == CN_PROTO_SPDY31; }
  uv_loop_t *loop() { return loop_.get(); }

  std::unique_ptr<SessionPair> MakePair(const cn_spdy_session_options *client = nullptr,
                                        const cn_spdy_session_options *server = nullptr) {
    return std::make_unique<SessionPair>(loop(), &netlog_, proto(), GetParam().chunk, client,
                                         server);
  }

  // A client session against a raw peer playing the server.
  void MakeRawServer(const cn_spdy_session_options *client_opts = nullptr,
                     std::vector<cn_spdy_setting> settings = {}) {
    cn_stream_socket *a, *b;
    cn_pipe_socket_pair(loop(), &netlog_, GetParam().chunk, &a, &b);
    cn_spdy_session_options o;
    if (client_opts)
      o = *client_opts;
    else
      cn_spdy_session_options_init(&o);
    o.protocol = proto();
    o.is_server = false;
    cn_spdy_session_delegate d = raw_client_rec_.delegate(false);
    ASSERT_EQ(CN_OK, cn_spdy_session_create(loop(), a, &o, &d, &netlog_, &raw_client_));
    raw_ = std::make_unique<RawPeer>(loop(), b, proto(), true);
    raw_->auto_settings_ack = raw_acks_settings_;
    raw_->Start(std::move(settings));
    // The session's preface, SETTINGS and window update arrive.
    ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("SETTINGS") >= 1; }));
  }

  // A client session over a WriteGateSocket (|gate_|) against a raw
  // server; returns once the SETTINGS exchange is over and written.
  void MakeGatedRawServer() {
    cn_stream_socket *a, *b;
    cn_pipe_socket_pair(loop(), &netlog_, GetParam().chunk, &a, &b);
    cn_stream_socket *gated = WriteGateSocket::Wrap(a, &gate_);
    cn_spdy_session_options o = DefaultOptions();
    o.protocol = proto();
    cn_spdy_session_delegate d = raw_client_rec_.delegate(false);
    ASSERT_EQ(CN_OK, cn_spdy_session_create(loop(), gated, &o, &d, &netlog_, &raw_client_));
    raw_ = std::make_unique<RawPeer>(loop(), b, proto(), true);
    raw_->Start();
    ASSERT_TRUE(RunUntil(loop(), [&] {
      return cn_spdy_session_peer_settings_received(raw_client_) && raw_->Count("SETTINGS") >= 1;
    }));
    RunUntilIdle(loop());
  }
  // A raw server that does not answer PINGs, against a client that checks
  // every new stream with one (idle_ping_ms 0); the peer's SETTINGS are in,
  // so the check's answer is the next thing the client hears.
  void MakeSilentRawServerPingingFirst(uint64_t ping_timeout_ms = 0) {
    cn_spdy_session_options co = DefaultOptions();
    co.idle_ping_ms = 0;
    co.clock = clock_.get();
    if (ping_timeout_ms)
      co.ping_timeout_ms = ping_timeout_ms;
    MakeRawServer(&co);
    raw_->answer_pings = false;
    ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_session_peer_settings_received(raw_client_); }));
    RunUntilIdle(loop());
  }

  // A server session against a raw peer playing the client.
  void MakeRawClient() {
    cn_stream_socket *a, *b;
    cn_pipe_socket_pair(loop(), &netlog_, GetParam().chunk, &a, &b);
    cn_spdy_session_options o;
    cn_spdy_session_options_init(&o);
    o.protocol = proto();
    o.is_server = true;
    cn_spdy_session_delegate d = raw_server_rec_.delegate(true);
    ASSERT_EQ(CN_OK, cn_spdy_session_create(loop(), a, &o, &d, &netlog_, &raw_server_));
    raw_ = std::make_unique<RawPeer>(loop(), b, proto(), false);
    raw_->Start();
    ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("SETTINGS") >= 1; }));
  }
  std::vector<std::pair<std::string, std::string>> RequestFields(const std::string &path) {
    if (spdy())
      return {{":method", "GET"}, {":path", path}, {":version", "HTTP/1.1"},
              {":host", "origin.test"}, {":scheme", "https"}};
    return {{":method", "GET"}, {":scheme", "https"}, {":authority", "origin.test"},
            {":path", path}};
  }
  std::vector<cn_spdy_header> ResponseFields(int status) {
    response_fields_ = {{":status", std::to_string(status)}};
    if (spdy())
      response_fields_.push_back({":version", "HTTP/1.1"});
    return HeaderArray(response_fields_);
  }
  // The server answers each new stream with |status| and |body| (END_STREAM
  // on the HEADERS when there is none, else on the body's write) and
  // destroys the stream at once.
  void AnswerThenDestroy(int status, const std::string &body) {
    raw_server_rec_.on_stream_hook = [this, status, body](cn_spdy_stream *st) {
      auto h = ResponseFields(status);
      EXPECT_EQ(CN_OK, cn_spdy_stream_send_headers(st, h.data(), h.size(), body.empty()));
      if (!body.empty()) {
        cn_iobuf *b = cn_iobuf_from_copy(body.data(), body.size());
        EXPECT_EQ(CN_ERR_IO_PENDING,
                  cn_spdy_stream_write(st, b, body.size(), true, [](void *, int) {
                    ADD_FAILURE() << "no callback after destroy";
                  }, nullptr));
        cn_iobuf_unref(b);
      }
      cn_spdy_stream_destroy(st);
      return true;
    };
  }
  // The DATA the raw peer received on |id|, and whether END_STREAM came.
  std::pair<std::string, bool> DataOf(uint32_t id) {
    std::pair<std::string, bool> out{"", false};
    for (const auto &f : raw_->frames) {
      if (f.type == "DATA" && f.stream_id == id) {
        out.first += f.data;
        out.second = out.second || f.fin;
      }
    }
    return out;
  }

  static cn_spdy_session_options DefaultOptions() {
    cn_spdy_session_options o;
    cn_spdy_session_options_init(&o);
    return o;
  }

  // Waits for |r| to end.
  bool WaitDone(Request *r) {
    return RunUntil(loop(), [&] { return r->done; });
  }
  // Starts |r| and waits for it to end.
  bool Run(Request *r) {
    r->Start();
    return WaitDone(r);
  }
  // Starts |reqs| on the raw-server session and waits until the peer has
  // all their HEADERS.
  bool StartToRawServer(std::initializer_list<Request *> reqs) {
    for (Request *r : reqs)
      r->Start();
    return RunUntil(loop(), [&] { return raw_->HeaderIds().size() == reqs.size(); });
  }
  // Starts |r| on |p|'s client and waits for its stream on the server.
  bool StartToServer(SessionPair *p, Request *r) {
    size_t before = p->server_rec.streams.size();
    r->Start();
    return RunUntil(loop(), [&] { return p->server_rec.streams.size() == before + 1; });
  }
  // The raw peer answers stream |id| with 200 and |body|, ending it.
  void RawRespond(uint32_t id, const std::string &body) {
    raw_->SendResponse(id, 200, false);
    raw_->SendData(id, body, true);
  }
  // Starts |r| on the client of MakeSilentRawServerPingingFirst: it waits,
  // held by the idle check's PING, which the peer has.
  bool StartHeldByPing(Request *r) {
    EXPECT_EQ(CN_ERR_IO_PENDING, r->Start());
    return RunUntil(loop(), [&] { return raw_->Count("PING") == 1; });
  }
  // The code a flow-control violation resets a stream with, and the one
  // it sends GOAWAY with (SPDY/3.1's GOAWAY has no FLOW_CONTROL_ERROR).
  uint32_t StreamFlowControlCode() const {
    return spdy() ? uint32_t{CN_SPDY3_FLOW_CONTROL_ERROR} : uint32_t{CN_HTTP2_FLOW_CONTROL_ERROR};
  }
  uint32_t SessionFlowControlCode() const {
    return spdy() ? uint32_t{CN_SPDY3_GOAWAY_PROTOCOL_ERROR}
                  : uint32_t{CN_HTTP2_FLOW_CONTROL_ERROR};
  }

  void WaitForSettings(SessionPair *p) {
    ASSERT_TRUE(RunUntil(loop(), [&] {
      return cn_spdy_session_peer_settings_received(p->client) &&
             cn_spdy_session_peer_settings_received(p->server);
    }));
  }

  FakeClock clock_;  // for the tests whose subject is time (PING timeouts)
  TestLoop loop_;
  cn_netlog netlog_;
  cn_netlog_counters counters_;
  // Raw-peer tests.
  cn_spdy_session *raw_client_ = nullptr;
  DelegateRecorder raw_client_rec_;
  // Whether the raw peer acknowledges the client's SETTINGS (set before
  // MakeRawServer).
  bool raw_acks_settings_ = true;
  std::unique_ptr<RawPeer> raw_;
  WriteGateSocket *gate_ = nullptr;  // MakeGatedRawServer's (the session owns it)
  // Raw-client tests: our server session.
  cn_spdy_session *raw_server_ = nullptr;
  DelegateRecorder raw_server_rec_;
  std::vector<std::pair<std::string, std::string>> response_fields_;

  void TearDown() override {
    cn_spdy_session_destroy(raw_client_);
    raw_client_ = nullptr;
    raw_server_rec_.streams.clear();
    cn_spdy_session_destroy(raw_server_);
    raw_server_ = nullptr;
    raw_.reset();
  }
};

INSTANTIATE_TEST_SUITE_P(Protocols, SpdySessionTest,
                         testing::Values(Param{CN_PROTO_SPDY31, 0}, Param{CN_PROTO_HTTP2, 0},
                                         Param{CN_PROTO_SPDY31, 7}, Param{CN_PROTO_HTTP2, 7}),
                         ParamName);

// What only HTTP/2 has (SETTINGS ACK, RST_STREAM NO_ERROR, HTTP_1_1_REQUIRED):
// the same fixture, HTTP/2 only.
class Http2SessionTest : public SpdySessionTest {};
INSTANTIATE_TEST_SUITE_P(Http2Only, Http2SessionTest,
                         testing::Values(Param{CN_PROTO_HTTP2, 0}, Param{CN_PROTO_HTTP2, 7}),
                         ParamName);

TEST_P(SpdySessionTest, OneRequestResponse) {
  {
    auto pair = MakePair();
    Request req(pair->client, "/size/3000");
    EXPECT_EQ(CN_OK, req.Start());
    EXPECT_EQ(1u, cn_spdy_stream_id(req.stream));
    ASSERT_TRUE(WaitDone(&req));
    EXPECT_EQ(0, req.result);
    EXPECT_EQ(200, req.status);
    EXPECT_EQ(Pattern(3000, 3000), req.response);
    EXPECT_STREQ("3000", cn_spdy_stream_header(req.stream, "content-length"));
    ASSERT_EQ(1u, pair->server_rec.streams.size());
    EXPECT_EQ("GET", std::string(cn_spdy_stream_header(pair->server_rec.streams[0]->stream,
                                                       ":method")));
    EXPECT_TRUE(cn_spdy_stream_is_closed(req.stream));
    EXPECT_TRUE(cn_spdy_session_is_available(pair->client));
    EXPECT_EQ(0u, cn_spdy_session_num_active_streams(pair->client));
  }
  // One session each side, one stream each side, nothing failed.
  EXPECT_EQ(2u, counters_.sessions);
  EXPECT_EQ(2u, counters_.streams);
}

TEST_P(SpdySessionTest, PostEchoesBody) {
  auto pair = MakePair();
  std::string body = Pattern(100000, 7);
  Request req(pair->client, "/echo", body);
  ASSERT_TRUE(Run(&req));
  EXPECT_EQ(0, req.result);
  EXPECT_TRUE(req.write_done);
  EXPECT_EQ(body, req.response);
}


TEST_P(SpdySessionTest, HundredConcurrentStreams) {
  auto pair = MakePair();
  std::vector<std::unique_ptr<Request>> reqs;
  std::vector<std::string> bodies;
  for (int i = 0; i < 100; i++) {
    bodies.push_back(Pattern((static_cast<size_t>(i) * 997) % 20000 + 1, static_cast<uint32_t>(i)));
    reqs.emplace_back(new Request(pair->client, "/echo", bodies.back()));
    EXPECT_EQ(CN_OK, reqs.back()->Start());
  }
  EXPECT_EQ(100u, cn_spdy_session_num_active_streams(pair->client));
  EXPECT_EQ(0u, cn_spdy_session_num_queued_streams(pair->client));
  ASSERT_TRUE(RunUntil(loop(), [&] {
    for (auto &r : reqs) {
      if (!r->done)
        return false;
    }
    return true;
  }, 60000));
  for (int i = 0; i < 100; i++) {
    EXPECT_EQ(0, reqs[i]->result) << i;
    EXPECT_EQ(200, reqs[i]->status) << i;
    EXPECT_TRUE(reqs[i]->response == bodies[i]) << "body " << i << " differs";
  }
  EXPECT_EQ(100u, pair->server_rec.streams.size());
  EXPECT_EQ(0u, cn_spdy_session_num_active_streams(pair->client));
}

TEST_P(SpdySessionTest, MaxConcurrentStreamsQueuesInPriorityOrder) {
  cn_spdy_session_options so = DefaultOptions();
  so.max_concurrent_streams = 2;
  auto pair = MakePair(nullptr, &so);
  pair->server_rec.hold = true;
  WaitForSettings(pair.get());
  EXPECT_EQ(2u, cn_spdy_session_peer_max_concurrent_streams(pair->client));

  Request a(pair->client, "/a"), b(pair->client, "/b");
  EXPECT_EQ(CN_OK, a.Start());
  EXPECT_EQ(CN_OK, b.Start());
  Request c(pair->client, "/c", "", CN_PRIORITY_LOW);
  Request d(pair->client, "/d", "", CN_PRIORITY_HIGHEST);
  Request e(pair->client, "/e", "", CN_PRIORITY_LOWEST);
  Request f(pair->client, "/f", "", CN_PRIORITY_MEDIUM);
  Request g(pair->client, "/g", "", CN_PRIORITY_HIGHEST);
  for (Request *r : {&c, &d, &e, &f, &g})
    EXPECT_EQ(CN_ERR_IO_PENDING, r->Start());
  EXPECT_EQ(5u, cn_spdy_session_num_queued_streams(pair->client));
  // No wait for a response before the request may be sent (the create's
  // callback shares its slot with read_headers'); c's create goes on.
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
            cn_spdy_stream_read_headers(c.stream, [](void *, int) {}, nullptr));
  // Cancelling a waiting stream: it never calls back.
  cn_spdy_stream_destroy(g.stream);
  g.stream = nullptr;
  EXPECT_EQ(4u, cn_spdy_session_num_queued_streams(pair->client));

  ASSERT_TRUE(RunUntil(loop(), [&] { return pair->server_rec.streams.size() == 2; }));
  RunUntilIdle(loop());
  EXPECT_FALSE(c.granted || d.granted || e.granted || f.granted);

  // Each finished stream frees a slot for the best waiting one.
  std::vector<std::pair<Request *, std::string>> order = {
      {&d, "/d"}, {&f, "/f"}, {&c, "/c"}, {&e, "/e"}};
  size_t answered = 0;
  for (auto &next : order) {
    pair->server_rec.streams[answered++]->Respond(200, "");
    ASSERT_TRUE(RunUntil(loop(), [&] { return next.first->granted; })) << next.second;
    bool later = false;
    for (auto &other : order) {
      if (later) {
        EXPECT_FALSE(other.first->granted) << other.second << " before " << next.second;
      }
      later |= &other == &next;
    }
    ASSERT_TRUE(RunUntil(loop(), [&] { return pair->server_rec.streams.size() == answered + 2; }));
    EXPECT_EQ(next.second, pair->server_rec.streams.back()->path);
  }
  for (size_t i = answered; i < pair->server_rec.streams.size(); i++)
    pair->server_rec.streams[i]->Respond(200, "");
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.done && b.done && c.done && d.done && e.done && f.done; }));
  EXPECT_EQ(0, g.callbacks);
  for (Request *r : {&a, &b, &c, &d, &e, &f})
    EXPECT_EQ(0, r->result);
}

TEST_P(SpdySessionTest, FlowControlDownloadStallsUntilTheConsumerReads) {
  cn_spdy_session_options co = DefaultOptions();
  co.stream_recv_window = 65536;
  auto pair = MakePair(&co);
  pair->server_rec.hold = true;
  Request req(pair->client, "/big");
  req.hold_body = true;
  ASSERT_TRUE(StartToServer(pair.get(), &req));
  std::string body = Pattern(1 << 20, 11);
  Responder *srv = pair->server_rec.streams[0].get();
  srv->Respond(200, body);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_buffered_bytes(req.stream) == 65536; }));
  RunUntilIdle(loop());
  // The sender stalls on the window: no WINDOW_UPDATE before a read.
  EXPECT_EQ(65536u, cn_spdy_stream_buffered_bytes(req.stream));
  EXPECT_EQ(0, cn_spdy_stream_send_window(srv->stream));
  EXPECT_EQ((1u << 20) - 65536, cn_spdy_stream_write_remaining(srv->stream));
  EXPECT_FALSE(srv->write_done);
  req.ResumeBody();
  ASSERT_TRUE(WaitDone(&req));
  EXPECT_EQ(0, req.result);
  EXPECT_TRUE(req.response == body);
  EXPECT_TRUE(srv->write_done);
}

TEST_P(SpdySessionTest, FlowControlUploadStallsUntilTheServerReads) {
  cn_spdy_session_options so = DefaultOptions();
  so.stream_recv_window = 65536;
  auto pair = MakePair(nullptr, &so);
  pair->server_rec.hold = true;
  std::string body = Pattern(1 << 20, 12);
  Request req(pair->client, "/echo", body);
  req.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] {
    return pair->server_rec.streams.size() == 1 &&
           cn_spdy_stream_buffered_bytes(pair->server_rec.streams[0]->stream) == 65536;
  }));
  RunUntilIdle(loop());
  EXPECT_EQ(65536u, cn_spdy_stream_buffered_bytes(pair->server_rec.streams[0]->stream));
  EXPECT_EQ(0, cn_spdy_stream_send_window(req.stream));
  EXPECT_EQ((1u << 20) - 65536, cn_spdy_stream_write_remaining(req.stream));
  EXPECT_FALSE(req.write_done);
  pair->server_rec.streams[0]->Go();
  ASSERT_TRUE(WaitDone(&req));
  EXPECT_EQ(0, req.result);
  EXPECT_TRUE(req.write_done);
  EXPECT_TRUE(req.response == body);
}

TEST_P(SpdySessionTest, CancelledStreamLeaksNoSessionWindow) {
  cn_spdy_session_options co = DefaultOptions();
  co.session_recv_window = 131072;
  co.stream_recv_window = 1 << 20;
  auto pair = MakePair(&co);
  pair->server_rec.hold = true;
  Request a(pair->client, "/a");
  a.hold_body = true;
  ASSERT_TRUE(StartToServer(pair.get(), &a));
  pair->server_rec.streams[0]->Respond(200, Pattern(102400, 1), false);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_buffered_bytes(a.stream) == 102400; }));
  EXPECT_EQ(131072 - 102400, cn_spdy_session_send_window(pair->server));
  // Cancelled with 100 KiB unread: the session window comes back whole.
  int callbacks = a.callbacks;
  cn_spdy_stream_destroy(a.stream);
  a.stream = nullptr;
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_session_send_window(pair->server) == 131072; }));
  EXPECT_EQ(131072, cn_spdy_session_recv_window(pair->client));
  // And a 1 MiB download through the 128 KiB session window completes.
  Request b(pair->client, "/b");
  ASSERT_TRUE(StartToServer(pair.get(), &b));
  std::string body = Pattern(1 << 20, 2);
  pair->server_rec.streams[1]->Respond(200, body);
  ASSERT_TRUE(WaitDone(&b));
  EXPECT_EQ(0, b.result);
  EXPECT_TRUE(b.response == body);
  EXPECT_EQ(callbacks, a.callbacks);
}

TEST_P(SpdySessionTest, CompletedStreamWithUnreadDataLeaksNoSessionWindow) {
  cn_spdy_session_options co = DefaultOptions();
  co.session_recv_window = 131072;
  auto pair = MakePair(&co);
  Request a(pair->client, "/size/100000");
  a.hold_body = true;
  a.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_remote_fin(a.stream); }));
  // Closed on the wire with everything still unread: credited at close.
  EXPECT_TRUE(cn_spdy_stream_is_closed(a.stream));
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_session_send_window(pair->server) == 131072; }));
  a.ResumeBody();
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_TRUE(a.response == Pattern(100000, 100000));
  RunUntilIdle(loop());
  // Reading it later gives nothing back twice.
  EXPECT_EQ(131072, cn_spdy_session_send_window(pair->server));
  EXPECT_EQ(131072, cn_spdy_session_recv_window(pair->client));
}

TEST_P(SpdySessionTest, GoawayFailsStreamsAboveLastIdRetryably) {
  MakeRawServer(nullptr, {{spdy() ? uint32_t{CN_SPDY3_SETTINGS_MAX_CONCURRENT_STREAMS}
                                  : uint32_t{CN_HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS},
                           3, 0}});
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_session_peer_settings_received(raw_client_); }));
  Request r1(raw_client_, "/1"), r3(raw_client_, "/3"), r5(raw_client_, "/5"), r7(raw_client_, "/7");
  r1.Start();
  r3.Start();
  r5.Start();
  EXPECT_EQ(CN_ERR_IO_PENDING, r7.Start());
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->HeaderIds().size() == 3; }));
  EXPECT_EQ((std::vector<uint32_t>{1, 3, 5}), raw_->HeaderIds());
  raw_->SendGoaway(3, 0);
  ASSERT_TRUE(RunUntil(loop(), [&] { return r5.done && r7.done; }));
  // Never processed by the peer (5) or never sent (7): retry elsewhere.
  EXPECT_EQ(CN_ERR_HTTP2_GOING_AWAY, r5.result);
  EXPECT_EQ(CN_ERR_HTTP2_GOING_AWAY, r7.result);
  EXPECT_FALSE(cn_spdy_session_is_available(raw_client_));
  EXPECT_EQ(1, raw_client_rec_.unavailable);
  Request late(raw_client_, "/late");
  EXPECT_EQ(CN_ERR_HTTP2_GOING_AWAY, late.Start());
  EXPECT_FALSE(r1.done || r3.done);
  RawRespond(1, "one");
  RawRespond(3, "three");
  ASSERT_TRUE(RunUntil(loop(), [&] { return r1.done && r3.done; }));
  EXPECT_EQ(0, r1.result);
  EXPECT_EQ("one", r1.response);
  EXPECT_EQ(0, r3.result);
  EXPECT_EQ("three", r3.response);
  // Nothing left: the session says goodbye and closes.
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_client_rec_.closed == 1 && raw_->eof; }));
  EXPECT_EQ(CN_OK, raw_client_rec_.close_error);
  ASSERT_NE(nullptr, raw_->Find("GOAWAY"));
  EXPECT_EQ(0u, raw_->Find("GOAWAY")->code);
  EXPECT_TRUE(cn_spdy_session_is_closed(raw_client_));
}

TEST_P(SpdySessionTest, GracefulGoawayFromTheServer) {
  auto pair = MakePair();
  pair->server_rec.hold = true;
  Request a(pair->client, "/a");
  ASSERT_TRUE(StartToServer(pair.get(), &a));
  cn_spdy_session_go_away(pair->server, CN_HTTP2_NO_ERROR);
  ASSERT_TRUE(RunUntil(loop(), [&] { return pair->client_rec.unavailable == 1; }));
  EXPECT_FALSE(cn_spdy_session_is_available(pair->client));
  EXPECT_FALSE(a.done);
  pair->server_rec.streams[0]->Respond(200, "bye");
  ASSERT_TRUE(RunUntil(loop(), [&] {
    return a.done && pair->client_rec.closed == 1 && pair->server_rec.closed == 1;
  }));
  EXPECT_EQ(0, a.result);
  EXPECT_EQ("bye", a.response);
  EXPECT_EQ(CN_OK, pair->client_rec.close_error);
  EXPECT_EQ(CN_OK, pair->server_rec.close_error);
}

TEST_P(SpdySessionTest, ResetCodesAreMapped) {
  auto pair = MakePair();
  pair->server_rec.hold = true;
  struct Case {
    uint32_t code;
    int want;
  } cases[] = {
      {CN_HTTP2_REFUSED_STREAM, CN_ERR_HTTP2_SERVER_REFUSED_STREAM},
      {CN_HTTP2_CANCEL, CN_ERR_HTTP2_STREAM_CLOSED},
      {CN_HTTP2_PROTOCOL_ERROR, CN_ERR_HTTP2_PROTOCOL_ERROR},
      {CN_HTTP2_FLOW_CONTROL_ERROR, CN_ERR_HTTP2_FLOW_CONTROL_ERROR},
      {CN_HTTP2_INTERNAL_ERROR, CN_ERR_HTTP2_STREAM_CLOSED},
      {CN_HTTP2_FRAME_SIZE_ERROR, CN_ERR_HTTP2_FRAME_SIZE_ERROR},
      // SPDY has no HTTP_1_1_REQUIRED: it goes out as PROTOCOL_ERROR.
      {CN_HTTP2_HTTP_1_1_REQUIRED,
       spdy() ? CN_ERR_HTTP2_PROTOCOL_ERROR : CN_ERR_HTTP_1_1_REQUIRED},
  };
  size_t i = 0;
  for (const Case &c : cases) {
    Request req(pair->client, "/r");
    ASSERT_TRUE(StartToServer(pair.get(), &req));
    cn_spdy_stream_reset(pair->server_rec.streams[i]->stream, c.code);
    ASSERT_TRUE(WaitDone(&req));
    EXPECT_EQ(c.want, req.result) << "code " << c.code;
    EXPECT_EQ(c.want, cn_spdy_stream_error(req.stream));
    i++;
  }
  EXPECT_TRUE(cn_spdy_session_is_available(pair->client));
}

TEST_P(SpdySessionTest, PingIsAnswered) {
  auto pair = MakePair();
  WaitForSettings(pair.get());
  cn_spdy_session_check_liveness(pair->client);
  EXPECT_TRUE(cn_spdy_session_ping_in_flight(pair->client));
  ASSERT_TRUE(RunUntil(loop(), [&] { return !cn_spdy_session_ping_in_flight(pair->client); }));
  cn_spdy_session_check_liveness(pair->server);
  ASSERT_TRUE(RunUntil(loop(), [&] { return !cn_spdy_session_ping_in_flight(pair->server); }));
  EXPECT_TRUE(cn_spdy_session_is_available(pair->client));
  Request req(pair->client, "/after");
  ASSERT_TRUE(Run(&req));
  EXPECT_EQ(0, req.result);
}

TEST_P(SpdySessionTest, UnansweredPingFailsTheSession) {
  cn_spdy_session_options co = DefaultOptions();
  co.ping_timeout_ms = 50;
  co.clock = clock_.get();
  MakeRawServer(&co);
  raw_->answer_pings = false;
  Request req(raw_client_, "/x");
  req.Start();
  cn_spdy_session_check_liveness(raw_client_);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("PING") == 1; }));
  clock_.Advance(49);
  RunUntilIdle(loop());
  EXPECT_FALSE(req.done) << "the PING has 50 ms";
  EXPECT_TRUE(cn_spdy_session_is_available(raw_client_));
  clock_.Advance(1);
  ASSERT_TRUE(WaitDone(&req));
  EXPECT_EQ(CN_ERR_HTTP2_PING_FAILED, req.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_client_rec_.closed == 1; }));
  EXPECT_EQ(CN_ERR_HTTP2_PING_FAILED, raw_client_rec_.close_error);
  EXPECT_EQ(1u, raw_->Count("PING"));
  // SPDY: a client's ping ids are odd.
  EXPECT_EQ(1u, raw_->Find("PING")->opaque & 1);
}

TEST_P(SpdySessionTest, IdleSessionPingsBeforeANewStream) {
  cn_spdy_session_options co = DefaultOptions();
  co.idle_ping_ms = 20;
  co.clock = clock_.get();
  MakeRawServer(&co);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_session_peer_settings_received(raw_client_); }));
  RunUntilIdle(loop());  // the peer's last bytes are in
  // Time is the subject: idle past the threshold, the session itself sends
  // nothing; only a new stream makes it check.
  clock_.Advance(40);
  RunUntilIdle(loop());
  EXPECT_EQ(0u, raw_->Count("PING"));
  Request req(raw_client_, "/x");
  req.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("PING") == 1 && raw_->Count("HEADERS") == 1; }));
  ASSERT_TRUE(RunUntil(loop(), [&] { return !cn_spdy_session_ping_in_flight(raw_client_); }));
  // Not again while the session is busy.
  Request req2(raw_client_, "/y");
  req2.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("HEADERS") == 2; }));
  EXPECT_EQ(1u, raw_->Count("PING"));
}

// Ping before reuse: a stream created on a session idle past the threshold
// waits for the PING's answer before its HEADERS go out.
TEST_P(SpdySessionTest, IdlePingHoldsTheNewStreamUntilThePeerAnswers) {
  MakeSilentRawServerPingingFirst();
  Request req(raw_client_, "/x");
  ASSERT_TRUE(StartHeldByPing(&req));
  RunUntilIdle(loop());
  EXPECT_EQ(0u, raw_->Count("HEADERS")) << "the request waits for the answer";
  EXPECT_FALSE(req.granted);
  raw_->SendPing(raw_->Find("PING")->opaque, true);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("HEADERS") == 1; }));
  EXPECT_TRUE(req.granted);
  RawRespond(1, "ok");
  ASSERT_TRUE(WaitDone(&req));
  EXPECT_EQ(0, req.result);
  EXPECT_EQ("ok", req.response);
  EXPECT_TRUE(cn_spdy_session_is_available(raw_client_));
}

// Only a session idle past the threshold is checked: one that just heard
// from its peer sends the stream at once.
TEST_P(SpdySessionTest, NoIdlePingBeforeTheThreshold) {
  cn_spdy_session_options co = DefaultOptions();
  co.idle_ping_ms = 60000;
  co.clock = clock_.get();
  MakeRawServer(&co);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_session_peer_settings_received(raw_client_); }));
  RunUntilIdle(loop());  // the peer's last bytes are in
  clock_.Advance(59999);  // heard from the peer 1 ms short of the threshold
  Request req(raw_client_, "/x");
  EXPECT_EQ(CN_OK, req.Start());
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("HEADERS") == 1; }));
  EXPECT_EQ(0u, raw_->Count("PING"));
}

// Any frame is a sign of life, not only the PING's ACK.
TEST_P(SpdySessionTest, AnyFrameReleasesTheStreamHeldByTheIdlePing) {
  MakeSilentRawServerPingingFirst();
  Request req(raw_client_, "/x");
  ASSERT_TRUE(StartHeldByPing(&req));
  raw_->SendWindowUpdate(0, 1000);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("HEADERS") == 1; }));
}

// No answer: the session fails with PING_FAILED (retryable by the caller),
// the held stream with it, and the session is never available again.
TEST_P(SpdySessionTest, UnansweredIdlePingFailsTheHeldStream) {
  MakeSilentRawServerPingingFirst(30);
  Request req(raw_client_, "/x");
  ASSERT_TRUE(StartHeldByPing(&req));
  clock_.Advance(29);
  RunUntilIdle(loop());
  EXPECT_FALSE(req.done) << "the PING has 30 ms";
  clock_.Advance(1);
  ASSERT_TRUE(WaitDone(&req));
  EXPECT_EQ(CN_ERR_HTTP2_PING_FAILED, req.result);
  EXPECT_FALSE(cn_spdy_session_is_available(raw_client_));
  EXPECT_EQ(0u, raw_->Count("HEADERS"));
  Request late(raw_client_, "/late");
  EXPECT_EQ(CN_ERR_HTTP2_PING_FAILED, late.Start());
}

// The peer closes while the stream waits: the stream fails with the close.
TEST_P(SpdySessionTest, PeerClosingFailsTheStreamHeldByTheIdlePing) {
  MakeSilentRawServerPingingFirst();
  Request req(raw_client_, "/x");
  ASSERT_TRUE(StartHeldByPing(&req));
  raw_->Close();
  ASSERT_TRUE(WaitDone(&req));
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, req.result);
  EXPECT_FALSE(cn_spdy_session_is_available(raw_client_));
}

TEST_P(SpdySessionTest, InitialWindowIncreaseResumesAStalledUpload) {
  cn_spdy_session_options so = DefaultOptions();
  so.stream_recv_window = 65536;
  auto pair = MakePair(nullptr, &so);
  pair->server_rec.hold = true;
  std::string body = Pattern(1 << 20, 21);
  Request req(pair->client, "/echo", body);
  req.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_write_remaining(req.stream) == (1u << 20) - 65536; }));
  RunUntilIdle(loop());
  EXPECT_EQ(0, cn_spdy_stream_send_window(req.stream));
  // The server raises its window by SETTINGS alone: the upload goes on
  // without one byte being read.
  cn_spdy_session_set_stream_recv_window(pair->server, 4 << 20);
  ASSERT_TRUE(RunUntil(loop(), [&] { return req.write_done; }));
  EXPECT_EQ(static_cast<int64_t>(4 << 20) - (1 << 20), cn_spdy_stream_send_window(req.stream));
  EXPECT_EQ(1u << 20, cn_spdy_stream_buffered_bytes(pair->server_rec.streams[0]->stream));
  pair->server_rec.streams[0]->Go();
  ASSERT_TRUE(WaitDone(&req));
  EXPECT_TRUE(req.response == body);
}

TEST_P(SpdySessionTest, InitialWindowDecreaseMakesSendWindowsNegative) {
  cn_spdy_session_options co = DefaultOptions();
  co.stream_recv_window = 65536;
  auto pair = MakePair(&co);
  pair->server_rec.hold = true;
  Request req(pair->client, "/big");
  req.hold_body = true;
  ASSERT_TRUE(StartToServer(pair.get(), &req));
  std::string body = Pattern(300000, 22);
  Responder *srv = pair->server_rec.streams[0].get();
  srv->Respond(200, body);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_buffered_bytes(req.stream) == 65536; }));
  cn_spdy_session_set_stream_recv_window(pair->client, 16384);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_send_window(srv->stream) < 0; }));
  EXPECT_EQ(16384 - 65536, cn_spdy_stream_send_window(srv->stream));
  req.ResumeBody();
  ASSERT_TRUE(WaitDone(&req));
  EXPECT_EQ(0, req.result);
  EXPECT_TRUE(req.response == body);
}

// The write tests count the session's socket writes, so the peer's frames
// must arrive as they were sent (a whole pipe, no 7-byte pieces).
class SpdySessionWriteTest : public SpdySessionTest {
 protected:

 public:  // (for the tests' C callbacks)
  // Opens a GET of |path| on the raw API (no Request: the tests hook its
  // callbacks), its headers queued.
  cn_spdy_stream *OpenGet(const std::string &path) {
    cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
    cn_spdy_stream *st = nullptr;
    EXPECT_EQ(CN_OK, cn_spdy_stream_create(raw_client_, CN_PRIORITY_MEDIUM, none, nullptr,
                                           nullptr, &st));
    if (!st)
      return nullptr;
    cn_url url;
    std::string text = "https://origin.test" + path;
    EXPECT_EQ(CN_OK, cn_url_parse(text.c_str(), &url));
    cn_spdy_header_list list;
    cn_spdy_header_list_init(&list);
    EXPECT_EQ(CN_OK, cn_spdy_build_request_headers(proto(), "GET", &url, false, nullptr, 0, &list));
    EXPECT_EQ(CN_OK, cn_spdy_stream_send_headers(st, list.items, list.count, true));
    cn_spdy_header_list_free(&list);
    cn_url_free(&url);
    return st;
  }
};
INSTANTIATE_TEST_SUITE_P(Protocols, SpdySessionWriteTest,
                         testing::Values(Param{CN_PROTO_SPDY31, 0}, Param{CN_PROTO_HTTP2, 0}),
                         ParamName);

// Frames queued in one loop turn leave in one socket write: three requests
// started together are three HEADERS in one write, not three writes.
TEST_P(SpdySessionWriteTest, RequestsStartedInOneTurnLeaveInOneWrite) {
  MakeGatedRawServer();
  size_t before = gate_->writes();
  Request r1(raw_client_, "/1"), r2(raw_client_, "/2"), r3(raw_client_, "/3");
  r1.Start();
  r2.Start();
  r3.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->HeaderIds().size() == 3; }));
  RunUntilIdle(loop());
  EXPECT_EQ((std::vector<uint32_t>{1, 3, 5}), raw_->HeaderIds());
  EXPECT_EQ(1u, gate_->writes() - before);
}

// What a read makes due goes out in one write with what the stream owners
// queue from the completions of that read: the PING answer and the HEADERS
// of a request started from the previous response's callback share a write.
TEST_P(SpdySessionWriteTest, FramesDueAfterAReadLeaveInOneWrite) {
  MakeGatedRawServer();
  struct Chain {
    SpdySessionWriteTest *test;
    cn_spdy_stream *first, *second;
    int rv;
  } chain = {this, nullptr, nullptr, 1};
  chain.first = OpenGet("/first");
  ASSERT_NE(nullptr, chain.first);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->HeaderIds().size() == 1; }));
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_spdy_stream_read_headers(
                                   chain.first,
                                   [](void *arg, int rv) {
                                     auto *c = static_cast<Chain *>(arg);
                                     c->rv = rv;
                                     c->second = c->test->OpenGet("/second");
                                   },
                                   &chain));
  RunUntilIdle(loop());
  size_t before = gate_->writes();
  raw_->Batch(true);
  raw_->SendPing(42, false);
  raw_->SendResponse(1, 200, true);
  raw_->Batch(false);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->HeaderIds().size() == 2; }));
  RunUntilIdle(loop());
  EXPECT_EQ(CN_OK, chain.rv);
  ASSERT_NE(nullptr, raw_->Find("PING"));
  EXPECT_TRUE(raw_->Find("PING")->ack);
  EXPECT_EQ((std::vector<uint32_t>{1, 3}), raw_->HeaderIds());
  EXPECT_EQ(1u, gate_->writes() - before);
  cn_spdy_stream_destroy(chain.first);
  cn_spdy_stream_destroy(chain.second);
}

// A freed stream's memory serves the next stream of its session (a
// per-session free list), and the new stream starts clean.
TEST_P(SpdySessionWriteTest, FreedStreamMemoryIsReused) {
  MakeGatedRawServer();
  Request open(raw_client_, "/open");  // keeps the session busy throughout
  auto first = std::make_unique<Request>(raw_client_, "/first");
  ASSERT_TRUE(StartToRawServer({&open, first.get()}));
  RawRespond(3, "one");
  ASSERT_TRUE(WaitDone(first.get()));
  EXPECT_EQ("one", first->response);
  const void *memory = first->stream;
  first.reset();  // destroys the stream
  Request second(raw_client_, "/second");
  second.Start();
  EXPECT_EQ(memory, static_cast<const void *>(second.stream));
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->HeaderIds().size() == 3; }));
  EXPECT_EQ(5u, cn_spdy_stream_id(second.stream));
  EXPECT_EQ(0u, cn_spdy_stream_buffered_bytes(second.stream));
  RawRespond(5, "two");
  ASSERT_TRUE(WaitDone(&second));
  EXPECT_EQ(CN_OK, second.result);
  EXPECT_EQ("two", second.response);
  EXPECT_FALSE(open.done);
}

// RFC 9113 6.9.2: DATA sent before the peer's SETTINGS arrive counts against
// the old initial window, and the peer judges what follows our SETTINGS ACK
// by the new one (nghttp2 applies it on the ACK). So the ACK goes out after
// every DATA frame framed under the old window, even one still in a pending
// socket write, and DATA after it stays within the new window plus the
// WINDOW_UPDATEs.
TEST_P(Http2SessionTest, SettingsAckFollowsDataFramedUnderTheOldWindow) {
  MakeGatedRawServer();  // empty SETTINGS: the default 65535-byte window holds
  WriteGateSocket *gate = gate_;
  // DATA bytes the peer got before and after our |n|th SETTINGS ACK.
  auto data_around_ack = [&](size_t n) {
    std::pair<size_t, size_t> bytes{0, 0};
    size_t acks = 0;
    for (const auto &f : raw_->frames) {
      acks += f.type == "SETTINGS" && f.ack;
      if (f.type == "DATA")
        (acks < n ? bytes.first : bytes.second) += f.data.size();
    }
    return bytes;
  };
  auto acks = [&] {
    size_t n = 0;
    for (const auto &f : raw_->frames)
      n += f.type == "SETTINGS" && f.ack;
    return n;
  };
  ASSERT_TRUE(RunUntil(loop(), [&] { return acks() == 1; }));

  // A 96000-byte upload: HEADERS and 65535 bytes of DATA leave in one
  // write, held on its way.
  gate->Hold(true);
  std::string body = Pattern(96000, 31);
  Request req(raw_client_, "/echo", body);
  req.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return gate->held(); }));
  EXPECT_EQ(96000u - 65535u, cn_spdy_stream_write_remaining(req.stream));
  // Meanwhile the server's SETTINGS shrink the stream window to 4095: the
  // stream's window goes negative and an ACK is due.
  raw_->SendSettings({{CN_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 4095, 0}});
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_send_window(req.stream) == 4095 - 65535; }));
  RunUntilIdle(loop());
  EXPECT_EQ(0u, raw_->Count("DATA"));
  gate->Hold(false);
  gate->Release();
  ASSERT_TRUE(RunUntil(loop(), [&] { return acks() == 2; }));
  RunUntilIdle(loop());
  // The ACK came after all of the held DATA, and nothing followed it.
  EXPECT_EQ((std::pair<size_t, size_t>{65535, 0}), data_around_ack(2));

  // The peer gives back what it received (stream and session): the window
  // is 4095 again, and exactly that much follows.
  raw_->SendWindowUpdate(0, 1 << 20);
  raw_->SendWindowUpdate(1, 65535);
  ASSERT_TRUE(RunUntil(loop(), [&] { return data_around_ack(2).second == 4095; }));
  RunUntilIdle(loop());
  EXPECT_EQ(4095u, data_around_ack(2).second);
  EXPECT_EQ(0, cn_spdy_stream_send_window(req.stream));
  raw_->SendWindowUpdate(1, 1 << 20);
  ASSERT_TRUE(RunUntil(loop(), [&] { return req.write_done; }));
  RawRespond(1, "ok");
  ASSERT_TRUE(WaitDone(&req));
  EXPECT_EQ(0, req.result);
  EXPECT_TRUE(DataOf(1).first == body);
}

TEST_P(SpdySessionTest, MalformedFrameSendsGoawayAndFailsEveryStream) {
  MakeRawServer();
  Request a(raw_client_, "/a"), b(raw_client_, "/b");
  ASSERT_TRUE(StartToRawServer({&a, &b}));
  int want;
  uint32_t want_code;
  if (spdy()) {
    // A control frame of SPDY version 2.
    raw_->WriteRaw(std::string("\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01", 12));
    want = CN_ERR_HTTP2_PROTOCOL_ERROR;
    want_code = CN_SPDY3_GOAWAY_PROTOCOL_ERROR;
  } else {
    // A PING of 7 bytes.
    raw_->WriteRaw(std::string("\x00\x00\x07\x06\x00\x00\x00\x00\x00" "1234567", 16));
    want = CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    want_code = CN_HTTP2_FRAME_SIZE_ERROR;
  }
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.done && b.done; }));
  EXPECT_EQ(want, a.result);
  EXPECT_EQ(want, b.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->eof && raw_client_rec_.closed == 1; }));
  const RawFrame *g = raw_->Find("GOAWAY");
  ASSERT_NE(nullptr, g);
  EXPECT_EQ(want_code, g->code);
  EXPECT_EQ(want, raw_client_rec_.close_error);
  EXPECT_EQ(want, cn_spdy_session_error(raw_client_));
  Request late(raw_client_, "/late");
  EXPECT_EQ(want, late.Start());
}

TEST_P(SpdySessionTest, DataOnAnIdleStreamIsAConnectionError) {
  MakeRawServer();
  Request a(raw_client_, "/a");
  ASSERT_TRUE(StartToRawServer({&a}));
  raw_->SendData(7, "boo", false);
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, a.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Find("GOAWAY") != nullptr; }));
  EXPECT_EQ(1u, raw_->Find("GOAWAY")->code);  // PROTOCOL_ERROR in both
}

TEST_P(SpdySessionTest, DataBeyondTheStreamWindowResetsTheStream) {
  cn_spdy_session_options co = DefaultOptions();
  co.stream_recv_window = 65536;
  MakeRawServer(&co);
  Request a(raw_client_, "/a"), b(raw_client_, "/b");
  a.hold_body = true;
  ASSERT_TRUE(StartToRawServer({&a, &b}));
  raw_->SendResponse(1, 200, false);
  raw_->SendData(1, Pattern(65536 + 100, 1), false);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Find("RST_STREAM", 1) != nullptr; }));
  EXPECT_EQ(StreamFlowControlCode(),
            raw_->Find("RST_STREAM", 1)->code);
  a.ResumeBody();
  ASSERT_TRUE(WaitDone(&a));
  // What arrived within the window is still read, then the error.
  EXPECT_EQ(CN_ERR_HTTP2_FLOW_CONTROL_ERROR, a.result);
  EXPECT_EQ(65536u, a.response.size());
  // The session and the other stream go on.
  RawRespond(3, "fine");
  ASSERT_TRUE(WaitDone(&b));
  EXPECT_EQ(0, b.result);
  EXPECT_EQ("fine", b.response);
}

TEST_P(SpdySessionTest, DataBeyondTheSessionWindowIsAConnectionError) {
  cn_spdy_session_options co = DefaultOptions();
  co.session_recv_window = 65536;
  co.stream_recv_window = 1 << 20;
  MakeRawServer(&co);
  Request a(raw_client_, "/a");
  a.hold_body = true;
  ASSERT_TRUE(StartToRawServer({&a}));
  raw_->SendResponse(1, 200, false);
  raw_->SendData(1, Pattern(65536 + 100, 1), false);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Find("GOAWAY") != nullptr; }));
  EXPECT_EQ(SessionFlowControlCode(),
            raw_->Find("GOAWAY")->code);
  a.ResumeBody();
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(CN_ERR_HTTP2_FLOW_CONTROL_ERROR, a.result);
}

TEST_P(SpdySessionTest, WindowOverflowIsAnError) {
  MakeRawServer();
  Request a(raw_client_, "/a", std::string(10, 'x')), b(raw_client_, "/b");
  ASSERT_TRUE(StartToRawServer({&a, &b}));
  // A stream window above 2^31-1: that stream is reset.
  raw_->SendWindowUpdate(1, 0x7fffffff);
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(CN_ERR_HTTP2_FLOW_CONTROL_ERROR, a.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Find("RST_STREAM", 1) != nullptr; }));
  EXPECT_EQ(StreamFlowControlCode(),
            raw_->Find("RST_STREAM", 1)->code);
  EXPECT_FALSE(b.done);
  // The session window above 2^31-1: the session fails.
  raw_->SendWindowUpdate(0, 0x7fffffff);
  ASSERT_TRUE(WaitDone(&b));
  EXPECT_EQ(CN_ERR_HTTP2_FLOW_CONTROL_ERROR, b.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Find("GOAWAY") != nullptr; }));
  EXPECT_EQ(SessionFlowControlCode(),
            raw_->Find("GOAWAY")->code);
}

// Stream windows are 32-bit fields: a window of exactly 2^31-1 is kept, and
// a SETTINGS_INITIAL_WINDOW_SIZE that would take it above is still the
// connection's flow-control error (RFC 9113 6.9.2), never a window wrapped
// negative.
TEST_P(SpdySessionTest, StreamWindowAtTheLimitAndAnInitialWindowBeyondIt) {
  MakeRawServer();
  Request a(raw_client_, "/a");
  ASSERT_TRUE(StartToRawServer({&a}));
  int64_t initial = cn_spdy_stream_send_window(a.stream);
  ASSERT_GT(initial, 0);
  raw_->SendWindowUpdate(1, static_cast<uint32_t>(0x7fffffff - initial));
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_send_window(a.stream) == 0x7fffffff; }));
  RunUntilIdle(loop());
  EXPECT_FALSE(a.done);
  EXPECT_EQ(nullptr, raw_->Find("RST_STREAM", 1));
  cn_spdy_setting set{};
  set.id = cn_spdy_wire_setting_id(proto(), CN_SPDY_WIRE_SETTING_INITIAL_WINDOW_SIZE);
  set.value = static_cast<uint32_t>(initial + 1);
  raw_->SendSettings({set});
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(CN_ERR_HTTP2_FLOW_CONTROL_ERROR, a.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Find("GOAWAY") != nullptr; }));
  EXPECT_EQ(SessionFlowControlCode(), raw_->Find("GOAWAY")->code);
}

TEST_P(Http2SessionTest, ResetNoErrorAfterACompleteResponseKeepsIt) {
  MakeRawServer();
  Request a(raw_client_, "/upload", Pattern(200000, 9));
  a.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("DATA") > 0; }));
  // The server answers before the upload is done and stops it.
  RawRespond(1, "ok");
  raw_->SendRst(1, CN_HTTP2_NO_ERROR);
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.done && a.response == "ok"; }));
  EXPECT_EQ(0, a.result);  // the response is whole
  EXPECT_FALSE(a.write_done);  // the upload was stopped
  EXPECT_EQ(CN_ERR_HTTP2_STREAM_CLOSED, cn_spdy_stream_error(a.stream));
  EXPECT_EQ(200, a.status);
  EXPECT_TRUE(cn_spdy_stream_remote_fin(a.stream));
  cn_iobuf *buf = cn_iobuf_new(8);
  EXPECT_EQ(0, cn_spdy_stream_read(a.stream, buf, 8, [](void *, int) {}, nullptr));
  cn_iobuf_unref(buf);
}

TEST_P(SpdySessionTest, SocketEofFailsEveryStream) {
  MakeRawServer();
  Request a(raw_client_, "/a"), b(raw_client_, "/b");
  ASSERT_TRUE(StartToRawServer({&a, &b}));
  raw_->SendResponse(1, 200, false);
  raw_->SendData(1, "part", false);
  // The owner destroys the session from on_closed, as a pool would.
  raw_client_rec_.on_closed_hook = [&] {
    cn_spdy_session_destroy(raw_client_);
    raw_client_ = nullptr;
  };
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.response == "part"; }));
  raw_->Close();
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.done && b.done; }));
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, a.result);
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, b.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_client_rec_.closed == 1; }));
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, raw_client_rec_.close_error);
  EXPECT_EQ(nullptr, raw_client_);
}

TEST_P(SpdySessionTest, DestroyStreamAtEveryStage) {
  cn_spdy_session_options so = DefaultOptions();
  so.max_concurrent_streams = 1;
  auto pair = MakePair(nullptr, &so);
  pair->server_rec.hold = true;
  WaitForSettings(pair.get());
  auto destroy = [&](Request &r) {
    int before = r.callbacks;
    cn_spdy_stream_destroy(r.stream);
    r.stream = nullptr;
    RunUntilIdle(loop());
    EXPECT_EQ(before, r.callbacks) << "a callback after destroy";
  };
  // Holding the only slot; then one waiting for it.
  Request holder(pair->client, "/holder");
  EXPECT_EQ(CN_OK, holder.Start(false));
  Request queued(pair->client, "/queued");
  EXPECT_EQ(CN_ERR_IO_PENDING, queued.Start());
  destroy(queued);
  // Created, nothing sent.
  destroy(holder);
  // Headers queued, not yet on the wire.
  Request fresh(pair->client, "/fresh");
  EXPECT_EQ(CN_OK, fresh.Start());
  destroy(fresh);
  EXPECT_EQ(0u, pair->server_rec.streams.size());
  // On the wire, waiting for the response head.
  Request waiting(pair->client, "/waiting");
  ASSERT_TRUE(StartToServer(pair.get(), &waiting));
  destroy(waiting);
  Responder *s0 = pair->server_rec.streams[0].get();
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_is_closed(s0->stream); }));
  EXPECT_EQ(CN_ERR_HTTP2_STREAM_CLOSED, cn_spdy_stream_error(s0->stream));  // RST CANCEL
  // In the middle of the body.
  Request mid(pair->client, "/mid");
  ASSERT_TRUE(StartToServer(pair.get(), &mid));
  Responder *s1 = pair->server_rec.streams[1].get();
  s1->Respond(200, Pattern(200000, 3), false);
  ASSERT_TRUE(RunUntil(loop(), [&] { return mid.response.size() > 0; }));
  destroy(mid);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_is_closed(s1->stream); }));
  EXPECT_EQ(0u, cn_spdy_session_num_active_streams(pair->client));
  // The session is fine afterwards.
  pair->server_rec.hold = false;
  Request last(pair->client, "/size/10");
  ASSERT_TRUE(Run(&last));
  EXPECT_EQ(0, last.result);
  EXPECT_EQ(Pattern(10, 10), last.response);
}

// Owners destroy things from inside callbacks: a stream from its own read
// callback, the session from a stream callback or from on_unavailable, a
// server stream from on_stream.
TEST_P(SpdySessionTest, DestroyFromInsideCallbacks) {
  struct Ctx {
    cn_spdy_stream *stream = nullptr;
    SessionPair *pair = nullptr;
    cn_iobuf *buf = nullptr;
    int calls = 0;
  };
  auto pair = MakePair();
  cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
  Fields get({{":method", "GET"}, {":path", "/size/50000"}, {":scheme", "https"},
              {spdy() ? ":host" : ":authority", "origin.test"}});

  // A stream destroyed in its own read callback, with more data due.
  Ctx a;
  a.buf = cn_iobuf_new(100);
  ASSERT_EQ(CN_OK, cn_spdy_stream_create(pair->client, CN_PRIORITY_MEDIUM, none, nullptr, nullptr, &a.stream));
  ASSERT_EQ(CN_OK, cn_spdy_stream_send_headers(a.stream, get.data(), get.size(), true));
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_spdy_stream_read(a.stream, a.buf, 100, [](void *arg, int rv) {
    auto *c = static_cast<Ctx *>(arg);
    c->calls++;
    EXPECT_EQ(100, rv);
    cn_spdy_stream_destroy(c->stream);
    c->stream = nullptr;
  }, &a));
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.calls == 1; }));
  RunUntilIdle(loop());
  EXPECT_EQ(1, a.calls);
  cn_iobuf_unref(a.buf);

  // The client session destroyed from a stream callback.
  Ctx b;
  b.pair = pair.get();
  ASSERT_EQ(CN_OK, cn_spdy_stream_create(pair->client, CN_PRIORITY_MEDIUM, none, nullptr, nullptr, &b.stream));
  ASSERT_EQ(CN_OK, cn_spdy_stream_send_headers(b.stream, get.data(), get.size(), true));
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_spdy_stream_read_headers(b.stream, [](void *arg, int rv) {
    auto *c = static_cast<Ctx *>(arg);
    c->calls++;
    EXPECT_EQ(CN_OK, rv);
    c->pair->DestroyClient();
  }, &b));
  ASSERT_TRUE(RunUntil(loop(), [&] { return b.calls == 1; }));
  EXPECT_TRUE(cn_spdy_stream_is_closed(b.stream));
  cn_spdy_stream_destroy(b.stream);
  ASSERT_TRUE(RunUntil(loop(), [&] { return pair->server_rec.closed == 1; }));
}

TEST_P(SpdySessionTest, DestroyTheSessionFromOnUnavailable) {
  MakeRawServer();
  Request a(raw_client_, "/a");
  ASSERT_TRUE(StartToRawServer({&a}));
  raw_client_rec_.on_unavailable_hook = [&] {
    cn_spdy_session_destroy(raw_client_);
    raw_client_ = nullptr;
  };
  raw_->SendGoaway(1, 0);
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(CN_ERR_ABORTED, a.result);
  EXPECT_EQ(0, raw_client_rec_.closed);
}

TEST_P(SpdySessionTest, ServerDestroysAStreamInOnStream) {
  auto pair = MakePair();
  pair->server_rec.on_stream_hook = [&](cn_spdy_stream *st) {
    cn_spdy_stream_destroy(st);
    return true;  // taken care of
  };
  Request a(pair->client, "/a");
  ASSERT_TRUE(Run(&a));
  EXPECT_EQ(CN_ERR_HTTP2_STREAM_CLOSED, a.result);  // RST_STREAM CANCEL
  EXPECT_TRUE(cn_spdy_session_is_available(pair->client));
}

// The close rule: a server that destroys a stream right after queueing its
// whole response (HEADERS with END_STREAM, or DATA with it) still sends it,
// and sends no RST_STREAM when the request was complete.
TEST_P(SpdySessionTest, StreamDestroyedRightAfterItsFinalFramesStillSendsThem) {
  MakeRawClient();
  // Bodiless: HEADERS with END_STREAM, then destroy at once.
  AnswerThenDestroy(204, "");
  raw_->SendHeaders(1, RequestFields("/a"), true, CN_SPDY_HEADERS_REQUEST);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("HEADERS") == 1; }));
  EXPECT_TRUE(raw_->Find("HEADERS", 1)->fin);
  EXPECT_EQ("204", raw_->Find("HEADERS", 1)->headers[0].second.substr(0, 3));
  // With a body: HEADERS, then DATA with END_STREAM, then destroy at once.
  AnswerThenDestroy(200, Pattern(40000, 9));
  raw_->SendHeaders(3, RequestFields("/b"), true, CN_SPDY_HEADERS_REQUEST);
  ASSERT_TRUE(RunUntil(loop(), [&] { return DataOf(3).second; }));
  EXPECT_EQ(Pattern(40000, 9), DataOf(3).first);
  RunUntilIdle(loop());
  EXPECT_EQ(0u, raw_->Count("RST_STREAM"));
  EXPECT_EQ(0u, cn_spdy_session_num_active_streams(raw_server_));
}

// The request was not finished when the server destroyed its answered
// stream: the response goes out whole, then RST_STREAM NO_ERROR (SPDY/3.1:
// CANCEL) stops the rest of the request.
TEST_P(SpdySessionTest, StreamDestroyedBeforeTheRequestEndedSendsResponseThenReset) {
  MakeRawClient();
  AnswerThenDestroy(200, "");
  raw_->SendHeaders(1, RequestFields("/upload"), false, CN_SPDY_HEADERS_REQUEST);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("RST_STREAM") == 1; }));
  ASSERT_EQ(1u, raw_->Count("HEADERS"));
  EXPECT_TRUE(raw_->Find("HEADERS", 1)->fin);
  // HEADERS first, then the reset.
  size_t headers_at = 0, rst_at = 0;
  for (size_t i = 0; i < raw_->frames.size(); i++) {
    if (raw_->frames[i].type == "HEADERS")
      headers_at = i;
    if (raw_->frames[i].type == "RST_STREAM")
      rst_at = i;
  }
  EXPECT_LT(headers_at, rst_at);
  EXPECT_EQ(spdy() ? CN_SPDY3_CANCEL : CN_HTTP2_NO_ERROR, raw_->Find("RST_STREAM", 1)->code);
  EXPECT_EQ(0u, cn_spdy_session_num_active_streams(raw_server_));
}

// A stream destroyed before its response was queued is still cancelled,
// and the session destroyed with an orphan still queued frees it.
TEST_P(SpdySessionTest, UnfinishedStreamIsCancelledAndOrphansDieWithTheSession) {
  MakeRawClient();
  raw_server_rec_.on_stream_hook = [&](cn_spdy_stream *st) {
    cn_spdy_stream_destroy(st);
    return true;
  };
  raw_->SendHeaders(1, RequestFields("/a"), true, CN_SPDY_HEADERS_REQUEST);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("RST_STREAM") == 1; }));
  EXPECT_EQ(0u, raw_->Count("HEADERS"));
  EXPECT_EQ(spdy() ? CN_SPDY3_CANCEL : CN_HTTP2_CANCEL, raw_->Find("RST_STREAM", 1)->code);
  // An orphan held by flow control (the peer's window is 0) when the
  // session goes: freed with it (ASan would see a leak).
  AnswerThenDestroy(200, "xyz");
  cn_spdy_setting zero_window = {};
  zero_window.id = spdy() ? CN_SPDY3_SETTINGS_INITIAL_WINDOW_SIZE
                          : CN_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE;
  zero_window.value = 0;
  raw_->SendSettings({zero_window});
  raw_->SendHeaders(3, RequestFields("/b"), true, CN_SPDY_HEADERS_REQUEST);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("HEADERS") == 1; }));
  RunUntilIdle(loop());
  EXPECT_EQ(1u, cn_spdy_session_num_active_streams(raw_server_));
  cn_spdy_session_destroy(raw_server_);
  raw_server_ = nullptr;
}

TEST_P(SpdySessionTest, DestroySessionBeforeAnyIo) {
  auto pair = MakePair();
  pair->DestroyClient();
  pair->DestroyServer();
  RunUntilIdle(loop());
  EXPECT_EQ(0, pair->client_rec.unavailable + pair->client_rec.closed);
  EXPECT_EQ(0, pair->server_rec.unavailable + pair->server_rec.closed);
}

TEST_P(SpdySessionTest, DestroyClientSessionWithStreamsAlive) {
  cn_spdy_session_options so = DefaultOptions();
  so.max_concurrent_streams = 1;
  auto pair = MakePair(nullptr, &so);
  pair->server_rec.hold = true;
  WaitForSettings(pair.get());
  Request mid(pair->client, "/mid");
  mid.Start();
  Request queued(pair->client, "/queued");
  EXPECT_EQ(CN_ERR_IO_PENDING, queued.Start());
  ASSERT_TRUE(RunUntil(loop(), [&] { return pair->server_rec.streams.size() == 1; }));
  pair->server_rec.streams[0]->Respond(200, Pattern(200000, 4), false);
  ASSERT_TRUE(RunUntil(loop(), [&] { return mid.response.size() > 0; }));
  pair->DestroyClient();
  // The streams' owners still hear about it; the session's delegate not.
  ASSERT_TRUE(RunUntil(loop(), [&] { return mid.done && queued.done; }));
  EXPECT_EQ(CN_ERR_ABORTED, mid.result);
  EXPECT_EQ(CN_ERR_ABORTED, queued.result);
  EXPECT_EQ(0, pair->client_rec.unavailable + pair->client_rec.closed);
  // The stream outlives its session safely.
  EXPECT_EQ(CN_ERR_ABORTED, cn_spdy_stream_error(mid.stream));
  cn_iobuf *buf = cn_iobuf_new(10);
  EXPECT_EQ(CN_ERR_ABORTED, cn_spdy_stream_write(mid.stream, buf, 10, false,
                                                 [](void *, int) {}, nullptr));
  cn_iobuf_unref(buf);
  // The server sees the GOAWAY and the EOF.
  ASSERT_TRUE(RunUntil(loop(), [&] { return pair->server_rec.closed == 1; }));
}

TEST_P(SpdySessionTest, DestroyServerSessionMidTransfer) {
  auto pair = MakePair();
  pair->server_rec.hold = true;
  Request a(pair->client, "/a");
  ASSERT_TRUE(StartToServer(pair.get(), &a));
  pair->server_rec.streams[0]->Respond(200, Pattern(200000, 5), false);
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.response.size() > 0; }));
  pair->DestroyServer();
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, a.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return pair->client_rec.closed == 1; }));
}

TEST_P(SpdySessionTest, StreamIdExhaustion) {
  cn_spdy_session_options co = DefaultOptions();
  co.first_stream_id_for_testing = 0x7ffffffd;
  auto pair = MakePair(&co);
  Request a(pair->client, "/size/5");
  EXPECT_EQ(CN_OK, a.Start());
  EXPECT_EQ(0x7ffffffdu, cn_spdy_stream_id(a.stream));
  EXPECT_TRUE(cn_spdy_session_is_available(pair->client));
  Request b(pair->client, "/size/6");
  EXPECT_EQ(CN_OK, b.Start());
  EXPECT_EQ(0x7fffffffu, cn_spdy_stream_id(b.stream));
  // The last id is taken: no more streams on this session.
  EXPECT_FALSE(cn_spdy_session_is_available(pair->client));
  Request c(pair->client, "/size/7");
  EXPECT_EQ(CN_ERR_HTTP2_GOING_AWAY, c.Start());
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.done && b.done; }));
  EXPECT_EQ(0, a.result);
  EXPECT_EQ(Pattern(5, 5), a.response);
  EXPECT_EQ(0, b.result);
  EXPECT_EQ(Pattern(6, 6), b.response);
  ASSERT_TRUE(RunUntil(loop(), [&] { return pair->client_rec.closed == 1; }));
  EXPECT_EQ(1, pair->client_rec.unavailable);
  EXPECT_EQ(CN_OK, pair->client_rec.close_error);
}

TEST_P(SpdySessionTest, StreamIdsLeftForWaitingStreamsOnly) {
  // Two ids left and three streams: the third waits for no slot but for
  // an id that never comes, and fails retryably when the last id goes.
  cn_spdy_session_options co = DefaultOptions();
  co.first_stream_id_for_testing = 0x7ffffffd;
  cn_spdy_session_options so = DefaultOptions();
  so.max_concurrent_streams = 1;
  auto pair = MakePair(&co, &so);
  WaitForSettings(pair.get());
  Request a(pair->client, "/size/1"), b(pair->client, "/size/2"), c(pair->client, "/size/3");
  EXPECT_EQ(CN_OK, a.Start());
  EXPECT_EQ(CN_ERR_IO_PENDING, b.Start());
  EXPECT_EQ(CN_ERR_IO_PENDING, c.Start());
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.done && b.done && c.done; }));
  EXPECT_EQ(0, a.result);
  EXPECT_EQ(0, b.result);
  EXPECT_EQ(CN_ERR_HTTP2_GOING_AWAY, c.result);
}

TEST_P(SpdySessionTest, ServerRefusesStreamsBeyondItsLimit) {
  cn_spdy_session_options co = DefaultOptions();
  co.initial_peer_max_concurrent_streams = 10;
  cn_spdy_session_options so = DefaultOptions();
  so.max_concurrent_streams = 1;
  auto pair = MakePair(&co, &so);
  pair->server_rec.hold = true;
  // Sent before the client knows the server's limit.
  Request a(pair->client, "/a"), b(pair->client, "/b"), c(pair->client, "/c");
  a.Start();
  b.Start();
  c.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return b.done && c.done; }));
  EXPECT_EQ(CN_ERR_HTTP2_SERVER_REFUSED_STREAM, b.result);
  EXPECT_EQ(CN_ERR_HTTP2_SERVER_REFUSED_STREAM, c.result);
  ASSERT_EQ(1u, pair->server_rec.streams.size());
  pair->server_rec.streams[0]->Respond(200, "ok");
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(0, a.result);
  EXPECT_EQ(1u, cn_spdy_session_peer_max_concurrent_streams(pair->client));
}

// A push the client cannot refuse by its settings yet: SPDY/3.1 (push has
// no setting there) and HTTP/2 before the peer acknowledged ENABLE_PUSH 0.
TEST_P(SpdySessionTest, PushIsRefused) {
  {
    raw_acks_settings_ = false;
    MakeRawServer();
    Request a(raw_client_, "/a");
    ASSERT_TRUE(StartToRawServer({&a}));
    if (spdy()) {
      raw_->SendHeaders(2,
                        {{":method", "GET"},
                         {":path", "/pushed"},
                         {":host", "origin.test"},
                         {":scheme", "https"},
                         {":version", "HTTP/1.1"}},
                        false, CN_SPDY_HEADERS_REQUEST, 1);
    } else {
      // PUSH_PROMISE on stream 1 promising 2: :method GET, :path /,
      // :scheme https from HPACK's static table.
      raw_->WriteRaw(std::string("\x00\x00\x07\x05\x04\x00\x00\x00\x01"
                                 "\x00\x00\x00\x02\x82\x84\x87",
                                 16));
    }
    ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Find("RST_STREAM", 2) != nullptr; }));
    EXPECT_EQ(spdy() ? uint32_t{CN_SPDY3_REFUSED_STREAM} : uint32_t{CN_HTTP2_REFUSED_STREAM},
              raw_->Find("RST_STREAM", 2)->code);
    // Frames for the refused stream are ignored; the request completes.
    raw_->SendData(2, "ignored", true);
    RawRespond(1, "real");
    ASSERT_TRUE(WaitDone(&a));
    EXPECT_EQ(0, a.result);
    EXPECT_EQ("real", a.response);
    EXPECT_TRUE(cn_spdy_session_is_available(raw_client_));
    cn_spdy_session_destroy(raw_client_);
    raw_client_ = nullptr;
  }
  EXPECT_EQ(1u, counters_.streams);
}

// PUSH_PROMISE on stream 1 promising 2: :method GET, :path /, :scheme
// https from HPACK's static table.
const char kPushPromise1To2[] =
    "\x00\x00\x07\x05\x04\x00\x00\x00\x01"
    "\x00\x00\x00\x02\x82\x84\x87";

// After the server acknowledged SETTINGS_ENABLE_PUSH=0, a PUSH_PROMISE is a
// connection error PROTOCOL_ERROR (RFC 9113 §8.4): GOAWAY PROTOCOL_ERROR,
// and every stream fails with ERR_HTTP2_PROTOCOL_ERROR.
TEST_P(Http2SessionTest, PushAfterPushWasDisabledIsAConnectionError) {
  MakeRawServer();  // the raw peer acknowledges the client's SETTINGS
  Request a(raw_client_, "/a"), b(raw_client_, "/b");
  ASSERT_TRUE(StartToRawServer({&a, &b}));
  // The peer acknowledged the client's SETTINGS as they arrived, before
  // the requests: the client has the ack before the promise (one pipe, in
  // order).
  raw_->WriteRaw(std::string(kPushPromise1To2, sizeof(kPushPromise1To2) - 1));
  ASSERT_TRUE(WaitDone(&a));
  ASSERT_TRUE(WaitDone(&b));
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, a.result);
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, b.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Find("GOAWAY", 0) != nullptr; }));
  EXPECT_EQ(uint32_t{CN_HTTP2_PROTOCOL_ERROR}, raw_->Find("GOAWAY", 0)->code);
  // No stream-by-stream refusal: the connection is what failed.
  EXPECT_EQ(nullptr, raw_->Find("RST_STREAM", 2));
  EXPECT_FALSE(cn_spdy_session_is_available(raw_client_));
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_client_rec_.closed == 1; }));
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, raw_client_rec_.close_error);
}

TEST_P(SpdySessionTest, InterimResponsesAreSkipped) {
  MakeRawServer();
  Request a(raw_client_, "/a");
  ASSERT_TRUE(StartToRawServer({&a}));
  raw_->SendResponse(1, 100, false);
  raw_->SendResponse(1, 204, true);
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(0, a.result);
  EXPECT_EQ(204, a.status);
}

TEST_P(SpdySessionTest, ResponseWithoutStatusResetsTheStream) {
  MakeRawServer();
  Request a(raw_client_, "/a");
  ASSERT_TRUE(StartToRawServer({&a}));
  raw_->SendHeaders(1, {{"content-type", "text/plain"}}, false);
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, a.result);
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Find("RST_STREAM", 1) != nullptr; }));
  EXPECT_EQ(1u, raw_->Find("RST_STREAM", 1)->code);  // PROTOCOL_ERROR in both
  EXPECT_TRUE(cn_spdy_session_is_available(raw_client_));
}

TEST_P(Http2SessionTest, Http11RequiredGoaway) {
  MakeRawServer();
  Request a(raw_client_, "/a");
  ASSERT_TRUE(StartToRawServer({&a}));
  raw_->SendGoaway(1, CN_HTTP2_HTTP_1_1_REQUIRED);
  ASSERT_TRUE(RunUntil(loop(), [&] { return a.done && raw_client_rec_.closed == 1; }));
  EXPECT_EQ(CN_ERR_HTTP_1_1_REQUIRED, a.result);
  EXPECT_EQ(CN_ERR_HTTP_1_1_REQUIRED, raw_client_rec_.close_error);
}

TEST_P(SpdySessionTest, TrailersBothWays) {
  auto pair = MakePair();
  pair->server_rec.hold = true;
  cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
  cn_spdy_stream *st = nullptr;
  ASSERT_EQ(CN_OK, cn_spdy_stream_create(pair->client, CN_PRIORITY_MEDIUM, none, nullptr, nullptr, &st));
  Fields req({{":method", "POST"}, {":path", "/t"}, {":scheme", "https"},
                          {spdy() ? ":host" : ":authority", "origin.test"}, {":version", "HTTP/1.1"}});
  if (!spdy())
    req.pop_back();
  ASSERT_EQ(CN_OK, cn_spdy_stream_send_headers(st, req.data(), req.size(), false));
  cn_iobuf *buf = cn_iobuf_from_copy("abc", 3);
  TestCompletion wc;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_spdy_stream_write(st, buf, 3, false, wc.cb(), wc.arg()));
  Fields trailers({{"x-checksum", "42"}});
  ASSERT_EQ(CN_OK, cn_spdy_stream_send_trailers(st, trailers.data(), trailers.size()));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_stream_send_trailers(st, trailers.data(), 1));
  EXPECT_EQ(3, wc.WaitForResult(loop(), CN_ERR_IO_PENDING));
  ASSERT_TRUE(RunUntil(loop(), [&] { return pair->server_rec.streams.size() == 1; }));
  Responder *srv = pair->server_rec.streams[0].get();
  srv->Go();
  ASSERT_TRUE(RunUntil(loop(), [&] { return srv->body_done; }));
  EXPECT_EQ("abc", srv->request_body);
  size_t n;
  const cn_spdy_header *t = cn_spdy_stream_trailers(srv->stream, &n);
  EXPECT_EQ("42", HeaderValue(t, n, "x-checksum"));
  // The Responder answered "hello"; its trailers-free response ends it.
  TestCompletion hc;
  EXPECT_EQ(CN_OK, hc.WaitForResult(loop(), cn_spdy_stream_read_headers(st, hc.cb(), hc.arg())));
  EXPECT_STREQ("200", cn_spdy_stream_header(st, ":status"));
  std::string body;
  for (;;) {
    TestCompletion rc;
    int rv = rc.WaitForResult(loop(), cn_spdy_stream_read(st, buf, 3, rc.cb(), rc.arg()));
    if (rv <= 0) {
      EXPECT_EQ(0, rv);
      break;
    }
    body.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(rv));
  }
  EXPECT_EQ("hello", body);
  cn_iobuf_unref(buf);
  cn_spdy_stream_destroy(st);
}

TEST_P(SpdySessionTest, ServerTrailers) {
  MakeRawServer();
  Request a(raw_client_, "/a");
  ASSERT_TRUE(StartToRawServer({&a}));
  raw_->SendResponse(1, 200, false);
  raw_->SendData(1, "body", false);
  raw_->SendHeaders(1, {{"grpc-status", "0"}}, true, CN_SPDY_HEADERS_TRAILERS);
  ASSERT_TRUE(WaitDone(&a));
  EXPECT_EQ(0, a.result);
  EXPECT_EQ("body", a.response);
  size_t n;
  const cn_spdy_header *t = cn_spdy_stream_trailers(a.stream, &n);
  EXPECT_EQ("0", HeaderValue(t, n, "grpc-status"));
}

TEST_P(SpdySessionTest, HigherPriorityDataGoesFirstAndEqualPrioritiesShare) {
  MakeRawServer(nullptr, {{spdy() ? uint32_t{CN_SPDY3_SETTINGS_INITIAL_WINDOW_SIZE}
                                  : uint32_t{CN_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE},
                           1 << 20, 0}});
  raw_->SendWindowUpdate(0, 1 << 20);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_session_send_window(raw_client_) > (1 << 20); }));
  std::string body(40000, 'x');
  Request low(raw_client_, "/low", body, CN_PRIORITY_LOWEST);
  Request high(raw_client_, "/high", body, CN_PRIORITY_HIGHEST);
  Request m1(raw_client_, "/m1", body, CN_PRIORITY_MEDIUM);
  Request m2(raw_client_, "/m2", body, CN_PRIORITY_MEDIUM);
  low.Start();
  high.Start();
  m1.Start();
  m2.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return low.write_done && high.write_done && m1.write_done && m2.write_done; }));
  std::vector<uint32_t> data_ids;
  for (const auto &f : raw_->frames) {
    if (f.type == "DATA")
      data_ids.push_back(f.stream_id);
  }
  // HEADERS in order of sending, whatever the priority.
  EXPECT_EQ((std::vector<uint32_t>{1, 3, 5, 7}), raw_->HeaderIds());
  // 40000 bytes = 3 frames each: the highest first, the two mediums in
  // turn, the lowest last.
  std::vector<uint32_t> want = {3, 3, 3, 5, 7, 5, 7, 5, 7, 1, 1, 1};
  EXPECT_EQ(want, data_ids);
  // Priorities reached the wire.
  const RawFrame *h = raw_->Find("HEADERS", 3);
  if (spdy()) {
    EXPECT_EQ(0, h->spdy_priority);
  } else {
    EXPECT_EQ(253, h->weight);
  }
}

// Records NetLog entries of the session's event types.
class LogRecorder {
 public:
  explicit LogRecorder(cn_netlog *log) {
    cn_list_init(&obs_.obs.link);
    obs_.obs.on_entry = &OnEntry;
    obs_.self = this;
    cn_netlog_add_observer(log, &obs_.obs);
  }
  ~LogRecorder() { cn_netlog_remove_observer(&obs_.obs); }
  struct Entry {
    cn_netlog_event_type type;
    cn_netlog_phase phase;
    std::map<std::string, std::string> params;
  };
  std::vector<Entry> entries;
  const Entry *Find(cn_netlog_event_type t, const char *key = nullptr, const char *value = nullptr) {
    for (const auto &e : entries) {
      if (e.type != t)
        continue;
      if (!key)
        return &e;
      auto it = e.params.find(key);
      if (it != e.params.end() && it->second == value)
        return &e;
    }
    return nullptr;
  }

 private:
  static void OnEntry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
    LogRecorder *self = reinterpret_cast<Observer *>(obs)->self;
    Entry entry{e->type, e->phase, {}};
    for (size_t i = 0; i < e->num_params; i++) {
      const cn_netlog_param &p = e->params[i];
      entry.params[p.key] = p.kind == CN_NETLOG_PARAM_STR ? std::string(p.s) : std::to_string(p.i);
    }
    self->entries.push_back(entry);
  }
  struct Observer {
    cn_netlog_observer obs;  // first: the callback casts back
    LogRecorder *self;
  } obs_;
};

TEST_P(SpdySessionTest, NetLogHasTheLadderVocabulary) {
  LogRecorder rec(&netlog_);
  {
    auto pair = MakePair();
    Request req(pair->client, "/size/100");
    ASSERT_TRUE(Run(&req));
  }
  const char *request_frame = spdy() ? "SYN_STREAM" : "HEADERS";
  const char *reply_frame = spdy() ? "SYN_REPLY" : "HEADERS";
  auto *sent = rec.Find(CN_NETLOG_SPDY_SESSION_SEND_HEADERS, "frame", request_frame);
  ASSERT_NE(nullptr, sent);
  EXPECT_EQ("GET", sent->params.at("method"));
  EXPECT_EQ("/size/100", sent->params.at("path"));
  EXPECT_EQ("1", sent->params.at("stream_id"));
  auto *got = rec.Find(CN_NETLOG_SPDY_SESSION_RECV_HEADERS, "status", "200");
  ASSERT_NE(nullptr, got);
  EXPECT_EQ(reply_frame, got->params.at("frame"));
  auto *data = rec.Find(CN_NETLOG_SPDY_SESSION_RECV_DATA);
  ASSERT_NE(nullptr, data);
  EXPECT_EQ("100", data->params.at("bytes"));
  EXPECT_EQ("1", data->params.at("fin"));
  EXPECT_NE(nullptr, rec.Find(CN_NETLOG_SPDY_SESSION_SEND_SETTINGS));
  EXPECT_NE(nullptr, rec.Find(CN_NETLOG_SPDY_SESSION_RECV_SETTINGS));
  EXPECT_NE(nullptr, rec.Find(CN_NETLOG_SPDY_SESSION_SEND_WINDOW_UPDATE, "stream_id", "0"));
  auto *alive = rec.Find(CN_NETLOG_SESSION_ALIVE, "role", "client");
  ASSERT_NE(nullptr, alive);
  EXPECT_EQ(spdy() ? "spdy/3.1" : "h2", alive->params.at("protocol"));
  EXPECT_EQ(2u, counters_.sessions);
  EXPECT_EQ(2u, counters_.streams);
}

TEST_P(SpdySessionTest, CredentialsAreNotLogged) {
  LogRecorder rec(&netlog_);
  MakeRawServer();
  cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
  cn_spdy_stream *st = nullptr;
  ASSERT_EQ(CN_OK, cn_spdy_stream_create(raw_client_, CN_PRIORITY_MEDIUM, none, nullptr, nullptr, &st));
  Fields h({{":method", "GET"}, {":path", "/"}, {"proxy-authorization", "Basic c2VjcmV0"}});
  ASSERT_EQ(CN_OK, cn_spdy_stream_send_headers(st, h.data(), h.size(), true));
  ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->HeaderIds().size() == 1; }));
  auto *sent = rec.Find(CN_NETLOG_SPDY_SESSION_SEND_HEADERS);
  ASSERT_NE(nullptr, sent);
  EXPECT_EQ(std::string::npos, sent->params.at("headers").find("c2VjcmV0"));
  EXPECT_NE(std::string::npos, sent->params.at("headers").find("[14 bytes were stripped]"));
  cn_spdy_stream_destroy(st);
}

TEST_P(SpdySessionTest, ApiMisuseIsRefused) {
  auto pair = MakePair();
  cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
  cn_spdy_stream *st = nullptr;
  // A server session opens no streams.
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
            cn_spdy_stream_create(pair->server, CN_PRIORITY_MEDIUM, none, nullptr, nullptr, &st));
  ASSERT_EQ(CN_OK, cn_spdy_stream_create(pair->client, CN_PRIORITY_MEDIUM, none, nullptr, nullptr, &st));
  cn_iobuf *buf = cn_iobuf_new(4);
  auto cb = [](void *, int) {};
  // Data before headers; upper-case names; empty lists.
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_stream_write(st, buf, 4, false, cb, nullptr));
  Fields bad({{":method", "GET"}, {"X-Up", "1"}});
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_stream_send_headers(st, bad.data(), bad.size(), true));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_stream_send_headers(st, nullptr, 0, true));
  Fields split({{":method", "GET"}, {"x-a", "1\r\nx-b: 2"}});
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_stream_send_headers(st, split.data(), split.size(), true));
  EXPECT_EQ(0u, cn_spdy_stream_id(st));
  Fields good({{":method", "GET"}, {":path", "/"}});
  EXPECT_EQ(CN_OK, cn_spdy_stream_send_headers(st, good.data(), good.size(), false));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_stream_send_headers(st, good.data(), good.size(), false));
  EXPECT_EQ(CN_ERR_IO_PENDING, cn_spdy_stream_write(st, buf, 4, false, cb, nullptr));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_stream_write(st, buf, 4, false, cb, nullptr));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_stream_read(st, buf, 0, cb, nullptr));
  cn_iobuf_unref(buf);
  cn_spdy_stream_destroy(st);
  // An unknown protocol is refused (and the socket taken).
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop(), nullptr, 0, &a, &b);
  cn_spdy_session *s = nullptr;
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_spdy_session_create(loop(), a, nullptr, nullptr, nullptr, &s));
  EXPECT_EQ(nullptr, s);
  cn_stream_socket_destroy(b);
}

}  // namespace
}  // namespace cnet_test
