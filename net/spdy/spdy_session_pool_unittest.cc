// Session pool tests: sessions over pipe pairs, a server-role session on the
// far end of each.
#include "net/spdy/spdy_session_pool.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "net/base/netlog.h"
#include "net/base/netlog_counters.h"
#include "net/socket/pooled_socket.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/spdy/spdy_stream.h"

namespace cnet_test {
namespace {

class SpdySessionPoolTest : public testing::TestWithParam<cn_next_proto> {
 public:
  SpdySessionPoolTest() {
    cn_netlog_init(&netlog_);
    cn_netlog_counters_attach(&counters_, &netlog_);
    cn_spdy_session_options o;
    cn_spdy_session_options_init(&o);
    o.protocol = GetParam();
    pool_ = cn_spdy_session_pool_new(loop(), &o, &netlog_);
  }
  ~SpdySessionPoolTest() override {
    cn_spdy_session_pool_destroy(pool_);
    for (auto &s : servers_)
      s->streams.clear();
    for (cn_spdy_session *s : server_sessions_)
      cn_spdy_session_destroy(s);
    cn_netlog_counters_detach(&counters_);
    cn_netlog_destroy(&netlog_);
  }
  uv_loop_t *loop() { return loop_.get(); }

  // A connected client socket whose far end is a server session.
  cn_stream_socket *NewConnection() {
    cn_stream_socket *a, *b;
    cn_pipe_socket_pair(loop(), &netlog_, 0, &a, &b);
    servers_.emplace_back(new DelegateRecorder());
    cn_spdy_session_options so;
    cn_spdy_session_options_init(&so);
    so.protocol = GetParam();
    so.is_server = true;
    cn_spdy_session_delegate d = servers_.back()->delegate(true);
    cn_spdy_session *server = nullptr;
    EXPECT_EQ(CN_OK, cn_spdy_session_create(loop(), b, &so, &d, &netlog_, &server));
    server_sessions_.push_back(server);
    return a;
  }

  std::string Key(const char *host, uint16_t port, const char *chain = nullptr) {
    cn_host_port hp;
    EXPECT_EQ(CN_OK, cn_host_port_set(&hp, host, port));
    char *k = cn_spdy_session_key_format(&hp, chain, false);
    std::string out(k);
    free(k);
    return out;
  }

  TestLoop loop_;
  cn_netlog netlog_;
  cn_netlog_counters counters_;
  cn_spdy_session_pool *pool_ = nullptr;
  std::vector<std::unique_ptr<DelegateRecorder>> servers_;
  std::vector<cn_spdy_session *> server_sessions_;
};

INSTANTIATE_TEST_SUITE_P(Protocols, SpdySessionPoolTest,
                         testing::Values(CN_PROTO_SPDY31, CN_PROTO_HTTP2),
                         [](const testing::TestParamInfo<cn_next_proto> &i) {
                           return std::string(i.param == CN_PROTO_SPDY31 ? "Spdy31" : "Http2");
                         });

TEST_P(SpdySessionPoolTest, KeysSeparateChainsAndPrivacy) {
  cn_host_port hp;
  ASSERT_EQ(CN_OK, cn_host_port_set(&hp, "Origin.test", 443));
  char *direct = cn_spdy_session_key_format(&hp, nullptr, false);
  char *via = cn_spdy_session_key_format(&hp, "https://proxy.test:443", false);
  char *priv = cn_spdy_session_key_format(&hp, "", true);
  EXPECT_STREQ("origin.test:443|direct|normal", direct);
  EXPECT_STREQ("origin.test:443|https://proxy.test:443|normal", via);
  EXPECT_STREQ("origin.test:443|direct|private", priv);
  free(direct);
  free(via);
  free(priv);
}

// The written key is snprintf's contract: its full length, and what fits of
// it NUL-terminated; a key longer than any stack buffer is still whole.
TEST_P(SpdySessionPoolTest, KeyWriteTruncatesAndFormatHasNoLimit) {
  cn_host_port hp;
  ASSERT_EQ(CN_OK, cn_host_port_set(&hp, "::1", 8443));
  const std::string full = "[::1]:8443|direct|normal";
  char buf[64];
  EXPECT_EQ(full.size(), cn_spdy_session_key_write(buf, sizeof(buf), &hp, nullptr, false));
  EXPECT_EQ(full, buf);
  for (size_t size : {size_t{1}, size_t{5}, full.size(), full.size() + 1}) {
    char small[64];
    memset(small, 'x', sizeof(small));
    EXPECT_EQ(full.size(), cn_spdy_session_key_write(small, size, &hp, nullptr, false));
    EXPECT_EQ(full.substr(0, size - 1), small) << size;
  }
  EXPECT_EQ(full.size(), cn_spdy_session_key_write(nullptr, 0, &hp, nullptr, false));
  std::string chain = "https://" + std::string(600, 'p') + ".test:443";
  char *key = cn_spdy_session_key_format(&hp, chain.c_str(), true);
  EXPECT_EQ("[::1]:8443|" + chain + "|private", key);
  free(key);
}

TEST_P(SpdySessionPoolTest, FindAddAndStreamsShareOneSession) {
  std::string key = Key("proxy.test", 443);
  EXPECT_EQ(nullptr, cn_spdy_session_pool_find(pool_, key.c_str()));
  EXPECT_FALSE(cn_spdy_session_pool_known_multiplexed(pool_, key.c_str()));
  cn_spdy_session *s = nullptr;
  bool reused = true;
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, key.c_str(), NewConnection(), &s, &reused));
  EXPECT_FALSE(reused);
  EXPECT_EQ(s, cn_spdy_session_pool_find(pool_, key.c_str()));
  EXPECT_TRUE(cn_spdy_session_pool_known_multiplexed(pool_, key.c_str()));
  EXPECT_STREQ(key.c_str(), cn_spdy_session_pool_key_of(pool_, s));
  // Another key (the same host through a proxy) finds nothing.
  EXPECT_EQ(nullptr,
            cn_spdy_session_pool_find(pool_, Key("proxy.test", 443, "https://p:443").c_str()));

  std::vector<std::unique_ptr<Request>> reqs;
  for (int i = 0; i < 10; i++) {
    cn_spdy_session *found = cn_spdy_session_pool_find(pool_, key.c_str());
    ASSERT_EQ(s, found);
    reqs.emplace_back(new Request(found, "/size/100"));
    reqs.back()->Start();
  }
  ASSERT_TRUE(RunUntil(loop(), [&] {
    for (auto &r : reqs)
      if (!r->done)
        return false;
    return true;
  }));
  for (auto &r : reqs)
    EXPECT_EQ(200, r->status);
  reqs.clear();
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(pool_));
  // Ten streams each side; one client and one server session (counted when
  // they end).
  EXPECT_EQ(20u, counters_.streams);
  cn_spdy_session_pool_destroy(pool_);
  pool_ = nullptr;
  servers_[0]->streams.clear();
  cn_spdy_session_destroy(server_sessions_[0]);
  server_sessions_[0] = nullptr;
  EXPECT_EQ(2u, counters_.sessions);
}

TEST_P(SpdySessionPoolTest, RacingConnectionJoinsTheExistingSession) {
  std::string key = Key("origin.test", 443);
  cn_stream_socket *first = NewConnection();
  cn_stream_socket *second = NewConnection();
  cn_spdy_session *a = nullptr, *b = nullptr;
  bool reused = false;
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, key.c_str(), first, &a, &reused));
  EXPECT_FALSE(reused);
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, key.c_str(), second, &b, &reused));
  EXPECT_TRUE(reused);
  EXPECT_EQ(a, b);
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(pool_));
  // The redundant connection was closed: its server session sees EOF.
  ASSERT_TRUE(RunUntil(loop(), [&] { return servers_[1]->closed == 1; }));
  EXPECT_EQ(0, servers_[0]->closed);
}

struct WaitRecord {
  int calls = 0;
  int result = 1;
  static void Cb(void *arg, int rv) {
    auto *self = static_cast<WaitRecord *>(arg);
    self->calls++;
    self->result = rv;
  }
};

TEST_P(SpdySessionPoolTest, WaitersWakeWhenTheCreatorAddsTheSession) {
  std::string key = Key("origin.test", 443);
  // Nothing in progress: nothing to wait for.
  cn_spdy_session_waiter w1 = {}, w2 = {}, w3 = {};
  WaitRecord r1, r2, r3;
  EXPECT_EQ(CN_OK, cn_spdy_session_pool_wait(pool_, key.c_str(), &w1, WaitRecord::Cb, &r1));
  EXPECT_TRUE(cn_spdy_session_pool_start_creating(pool_, key.c_str()));
  EXPECT_FALSE(cn_spdy_session_pool_start_creating(pool_, key.c_str()));
  EXPECT_TRUE(cn_spdy_session_pool_is_creating(pool_, key.c_str()));
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_spdy_session_pool_wait(pool_, key.c_str(), &w1, WaitRecord::Cb, &r1));
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_spdy_session_pool_wait(pool_, key.c_str(), &w2, WaitRecord::Cb, &r2));
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_spdy_session_pool_wait(pool_, key.c_str(), &w3, WaitRecord::Cb, &r3));
  cn_spdy_session_waiter_cancel(&w3);  // no callback after cancel
  cn_spdy_session *s = nullptr;
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, key.c_str(), NewConnection(), &s, nullptr));
  EXPECT_FALSE(cn_spdy_session_pool_is_creating(pool_, key.c_str()));
  EXPECT_EQ(0, r1.calls) << "never from inside add()";
  ASSERT_TRUE(RunUntil(loop(), [&] { return r1.calls && r2.calls; }));
  EXPECT_EQ(CN_OK, r1.result);
  EXPECT_EQ(s, cn_spdy_session_pool_find(pool_, key.c_str()));
  RunUntilIdle(loop());
  EXPECT_EQ(0, r3.calls);
  EXPECT_EQ(1, r1.calls);
}

TEST_P(SpdySessionPoolTest, WaitersWakeWhenTheCreatorGivesUp) {
  std::string key = Key("origin.test", 443);
  ASSERT_TRUE(cn_spdy_session_pool_start_creating(pool_, key.c_str()));
  cn_spdy_session_waiter w = {};
  WaitRecord r;
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_spdy_session_pool_wait(pool_, key.c_str(), &w, WaitRecord::Cb, &r));
  cn_spdy_session_pool_creation_done(pool_, key.c_str());
  ASSERT_TRUE(RunUntil(loop(), [&] { return r.calls == 1; }));
  EXPECT_EQ(nullptr, cn_spdy_session_pool_find(pool_, key.c_str()));
  // The next one may create.
  EXPECT_TRUE(cn_spdy_session_pool_start_creating(pool_, key.c_str()));
}

// Who coordinates (one creator, the others wait): a server known to speak
// SPDY/HTTP2, or one never tried when SPDY/HTTP2 is offered; not one that
// answered with HTTP/1.1 since — until it has a session again.
TEST_P(SpdySessionPoolTest, RequestsCoordinateForServersThatMayMultiplex) {
  std::string k = Key("origin.test", 443);
  EXPECT_FALSE(cn_spdy_session_pool_should_coordinate(pool_, k.c_str(), false));
  EXPECT_TRUE(cn_spdy_session_pool_should_coordinate(pool_, k.c_str(), true));
  cn_spdy_session_pool_note_http11(pool_, k.c_str());
  EXPECT_FALSE(cn_spdy_session_pool_should_coordinate(pool_, k.c_str(), true));
  EXPECT_TRUE(cn_spdy_session_pool_should_coordinate(pool_, Key("other.test", 443).c_str(), true));
  cn_spdy_session *s = nullptr;
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, k.c_str(), NewConnection(), &s, nullptr));
  EXPECT_TRUE(cn_spdy_session_pool_should_coordinate(pool_, k.c_str(), false));
  cn_spdy_session_pool_note_http11(pool_, k.c_str());  // known: stays coordinated
  EXPECT_TRUE(cn_spdy_session_pool_should_coordinate(pool_, k.c_str(), true));
}

TEST_P(SpdySessionPoolTest, GoingAwaySessionIsNotHandedOutAndLeavesWhenClosed) {
  std::string key = Key("proxy.test", 443);
  cn_spdy_session *s = nullptr;
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, key.c_str(), NewConnection(), &s, nullptr));
  servers_[0]->hold = true;
  Request req(s, "/");
  req.Start();
  ASSERT_TRUE(RunUntil(loop(), [&] { return servers_[0]->streams.size() == 1; }));
  // The peer goes away gracefully while a stream is open.
  cn_spdy_session_go_away(server_sessions_[0], CN_HTTP2_NO_ERROR);
  ASSERT_TRUE(RunUntil(loop(), [&] { return !cn_spdy_session_is_available(s); }));
  EXPECT_EQ(nullptr, cn_spdy_session_pool_find(pool_, key.c_str()));
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(pool_)) << "draining, still alive";
  EXPECT_EQ(0u, cn_spdy_session_pool_available_count(pool_));
  // A new session may take the key while the old one drains.
  cn_spdy_session *s2 = nullptr;
  bool reused = true;
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, key.c_str(), NewConnection(), &s2, &reused));
  EXPECT_FALSE(reused);
  EXPECT_NE(s, s2);
  EXPECT_EQ(s2, cn_spdy_session_pool_find(pool_, key.c_str()));
  // The open stream finishes; the old session closes and leaves the pool.
  servers_[0]->streams[0]->Go();
  ASSERT_TRUE(RunUntil(loop(), [&] { return req.done; }));
  EXPECT_EQ(200, req.status);
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_session_pool_session_count(pool_) == 1; }));
  EXPECT_EQ(s2, cn_spdy_session_pool_find(pool_, key.c_str()));
}

TEST_P(SpdySessionPoolTest, BrokenSessionLeavesThePool) {
  std::string key = Key("proxy.test", 443);
  cn_spdy_session *s = nullptr;
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, key.c_str(), NewConnection(), &s, nullptr));
  cn_spdy_session_destroy(server_sessions_[0]);
  server_sessions_[0] = nullptr;
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_session_pool_session_count(pool_) == 0; }));
  EXPECT_EQ(nullptr, cn_spdy_session_pool_find(pool_, key.c_str()));
}

TEST_P(SpdySessionPoolTest, CloseIdleKeepsSessionsWithStreams) {
  cn_spdy_session *busy = nullptr, *idle = nullptr;
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, Key("a.test", 443).c_str(), NewConnection(),
                                            &busy, nullptr));
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, Key("b.test", 443).c_str(), NewConnection(),
                                            &idle, nullptr));
  servers_[0]->hold = true;
  Request req(busy, "/");
  req.Start();
  EXPECT_TRUE(cn_spdy_session_pool_close_one_idle(pool_));
  EXPECT_FALSE(cn_spdy_session_pool_close_one_idle(pool_));
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(pool_));
  EXPECT_EQ(busy, cn_spdy_session_pool_find(pool_, Key("a.test", 443).c_str()));
}

// A lower socket pool at its limit asks the session pool to close an idle
// session, whose socket is the lower pool's.
struct PipeJob {
  cn_connect_job job;
};

TEST_P(SpdySessionPoolTest, LowerPoolAtItsLimitClosesAnIdleSession) {
  // The lower pool hands out pipe sockets from a factory that needs the
  // test: keep it in a static for the job's connect.
  static SpdySessionPoolTest *current;
  current = this;
  static const cn_connect_job_ops kPipeOps = {
      "pipe",
      [](cn_connect_job *job) -> int {
        job->socket = current->NewConnection();
        return CN_OK;
      },
      [](cn_connect_job *job) {
        cn_stream_socket_destroy(job->socket);
        delete reinterpret_cast<PipeJob *>(job);
      },
      nullptr,
      nullptr};
  cn_connect_job_factory factory;
  factory.ctx = nullptr;
  factory.create = [](void *, const char *group_id, cn_socket_params *,
                      cn_request_priority priority, cn_netlog *netlog) -> cn_connect_job * {
    auto *j = new PipeJob();
    cn_connect_job_init(&j->job, &kPipeOps, netlog, group_id, priority);
    return &j->job;
  };
  cn_client_socket_pool_options po;
  cn_client_socket_pool_options_init(&po);
  po.max_sockets = 1;
  po.name = "lower";
  cn_client_socket_pool *lower = cn_client_socket_pool_new(loop(), &po, &factory, &netlog_);
  cn_spdy_session_pool_add_lower_pool(pool_, lower);

  cn_socket_params params = {1, [](cn_socket_params *) {}, 0, CN_HOP_ORIGIN};
  cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
  // The pooled socket (borrowing the lower pool's socket) becomes a session.
  cn_stream_socket *ps = cn_pooled_socket_new(&netlog_);
  int rv = cn_client_socket_pool_request(lower, "a", nullptr, &params, CN_PRIORITY_MEDIUM, none,
                                         cn_pooled_socket_handle(ps), nullptr, nullptr);
  ASSERT_EQ(CN_OK, rv);
  cn_spdy_session *s = nullptr;
  ASSERT_EQ(CN_OK, cn_spdy_session_pool_add(pool_, Key("a.test", 443).c_str(), ps, &s, nullptr));
  EXPECT_EQ(1u, cn_client_socket_pool_socket_count(lower));

  // Another group needs the only slot: the idle session is closed for it.
  cn_client_socket_handle h;
  cn_client_socket_handle_init(&h);
  rv = cn_client_socket_pool_request(lower, "b", nullptr, &params, CN_PRIORITY_MEDIUM, none, &h,
                                     nullptr, nullptr);
  EXPECT_EQ(CN_OK, rv);
  EXPECT_EQ(0u, cn_spdy_session_pool_session_count(pool_));
  cn_client_socket_handle_reset(&h);
  cn_spdy_session_pool_destroy(pool_);
  pool_ = nullptr;
  cn_client_socket_pool_destroy(lower);
  current = nullptr;
}

}  // namespace
}  // namespace cnet_test
