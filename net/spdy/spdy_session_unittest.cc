// Session and stream tests: a client session against a server session over
// a pipe (whole and in 7-byte pieces), and against a raw peer for the
// frames a well-behaved session never sends. Every test runs for SPDY/3.1
// and HTTP/2.
#include "net/spdy/spdy_session.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "net/base/netlog.h"
#include "net/base/netlog_counters.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/spdy/spdy_stream.h"

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
    raw_->Start(std::move(settings));
    // The session's preface, SETTINGS and window update arrive.
    ASSERT_TRUE(RunUntil(loop(), [&] { return raw_->Count("SETTINGS") >= 1; }));
  }

  void WaitForSettings(SessionPair *p) {
    ASSERT_TRUE(RunUntil(loop(), [&] {
      return cn_spdy_session_peer_settings_received(p->client) &&
             cn_spdy_session_peer_settings_received(p->server);
    }));
  }

  TestLoop loop_;
  cn_netlog netlog_;
  cn_netlog_counters counters_;
  // Raw-peer tests.
  cn_spdy_session *raw_client_ = nullptr;
  DelegateRecorder raw_client_rec_;
  std::unique_ptr<RawPeer> raw_;

  void TearDown() override {
    cn_spdy_session_destroy(raw_client_);
    raw_client_ = nullptr;
    raw_.reset();
  }
};

INSTANTIATE_TEST_SUITE_P(Protocols, SpdySessionTest,
                         testing::Values(Param{CN_PROTO_SPDY31, 0}, Param{CN_PROTO_HTTP2, 0},
                                         Param{CN_PROTO_SPDY31, 7}, Param{CN_PROTO_HTTP2, 7}),
                         ParamName);

TEST_P(SpdySessionTest, OneRequestResponse) {
  {
    auto pair = MakePair();
    Request req(pair->client, "/size/3000");
    EXPECT_EQ(CN_OK, req.Start());
    EXPECT_EQ(1u, cn_spdy_stream_id(req.stream));
    ASSERT_TRUE(RunUntil(loop(), [&] { return req.done; }));
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
  req.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return req.done; }));
  EXPECT_EQ(0, req.result);
  EXPECT_TRUE(req.write_done);
  EXPECT_EQ(body, req.response);
}

}  // namespace
}  // namespace cnet_test
