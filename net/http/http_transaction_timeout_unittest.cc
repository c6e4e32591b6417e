// Timeouts of every phase of a request, on a fake clock: each layer's
// connect (TCP, TLS to a proxy, the CONNECT exchange), the whole connection
// setup, the response head, a silent peer mid-body, the request in total;
// per-transaction overrides and 0 = no limit. Peers are mock sockets paused
// at the point where they go silent (or a pipe whose far end never speaks),
// so nothing here sleeps: the test moves the clock to just before the limit
// (nothing happens) and then to it (the specific error, and a NetLog event
// naming the phase and where it waited).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "net/http/http_network_session.h"
#include "net/http/http_network_session_test_util.h"
#include "net/http/http_transaction.h"
#include "net/socket/pipe_socket.h"
#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::RunUntil;
using cnet_test::RunUntilIdle;
using cnet_test::SocketScript;
using cnet_test::TestCompletion;

std::string Get(const std::string &target, const std::string &host) {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: cnet-test\r\n\r\n";
}

class HttpTransactionTimeoutTest : public cnet_test::SessionTestBase {
 protected:
  void TearDown() override {
    cn_http_transaction_destroy(txn_);
    txn_ = nullptr;
    cn_stream_socket_destroy(silent_peer_);
    silent_peer_ = nullptr;
    SessionTestBase::TearDown();
  }
  void AdjustParams(cn_http_network_session_params *p) override {
    p->clock = clock_.get();
    defaults_ = p->timeouts;
  }

  // Starts a GET of |url|; |timeouts| replaces the session's when given
  // (copied: the transaction borrows its timeouts).
  void Start(const std::string &url, const cn_http_timeouts *timeouts = nullptr) {
    ASSERT_EQ(CN_OK, cn_url_parse(url.c_str(), &url_));
    info_.method = "GET";
    info_.url = &url_;
    txn_ = cn_http_transaction_new(session_, CN_PRIORITY_MEDIUM);
    if (timeouts) {
      timeouts_ = *timeouts;
      cn_http_transaction_set_timeouts(txn_, &timeouts_);
    }
    ASSERT_EQ(CN_ERR_IO_PENDING, cn_http_transaction_start(txn_, &info_, start_.cb(), start_.arg()));
  }

  // Advances the clock to 1 ms before |ms| (the request must still be
  // waiting), then to |ms|; returns what the pending |c| got.
  int ExpireAt(uint64_t ms, TestCompletion *c) {
    RunUntilIdle(loop_.get());  // the phase under test has begun
    clock_.Advance(ms - 1);
    RunUntilIdle(loop_.get());
    EXPECT_FALSE(c->done()) << "ended before its timeout";
    clock_.Advance(1);
    return c->WaitForResult(loop_.get(), CN_ERR_IO_PENDING);
  }

  // The one REQUEST_TIMED_OUT / CONNECT_JOB_TIMED_OUT event's params.
  std::map<std::string, std::string> Timeout(cn_netlog_event_type type) {
    auto events = recorder_.Of(type, CN_NETLOG_PHASE_NONE);
    EXPECT_EQ(1u, events.size());
    return events.empty() ? std::map<std::string, std::string>{} : events[0].params;
  }

  // A direct GET of http://o.test/ whose origin takes the request and then
  // says nothing; returns once the request is out.
  void StartAgainstASilentOrigin(const cn_http_timeouts *timeouts) {
    MakeSession();
    factory_.AddMock(SocketScript().Write(Get("/", "o.test")).Pause());
    Start("http://o.test/", timeouts);
    ASSERT_TRUE(RunUntil(loop_.get(), [&] { return factory_.IsPaused(0); }));
  }

  // A transport socket that connects and then never says a word (its far
  // end is kept, unread and silent): a TLS peer that stalls the handshake.
  void AddSilentPeer() {
    factory_.AddSocket([this](uv_loop_t *loop, cn_netlog *) {
      cn_stream_socket *near;
      cn_pipe_socket_pair(loop, nullptr, 0, &near, &silent_peer_);
      return near;
    });
  }

  cnet_test::FakeClock clock_;  // before the session: outlives it
  cn_http_timeouts defaults_{};
  cn_http_timeouts timeouts_{};  // the transaction's own, when Start got some
  cn_url url_{};
  cn_http_request_info info_{};
  cn_http_transaction *txn_ = nullptr;
  TestCompletion start_;
  cn_stream_socket *silent_peer_ = nullptr;

  ~HttpTransactionTimeoutTest() override { cn_url_free(&url_); }
};

// The defaults are what docs/api.md says.
TEST_F(HttpTransactionTimeoutTest, DefaultsAreTheDocumentedOnes) {
  cn_http_network_session_params p;
  cn_http_network_session_params_init(&p);
  EXPECT_EQ(30000u, p.tcp_connect_timeout_ms);
  EXPECT_EQ(30000u, p.tls_handshake_timeout_ms);
  EXPECT_EQ(30000u, p.tunnel_timeout_ms);
  EXPECT_EQ(0u, p.timeouts.connect_ms);
  EXPECT_EQ(60000u, p.timeouts.stream_wait_ms);
  EXPECT_EQ(300000u, p.timeouts.response_headers_ms);
  EXPECT_EQ(300000u, p.timeouts.body_idle_ms);
  EXPECT_EQ(0u, p.timeouts.total_ms);
}

// An http:// request through an HTTP/1.1 proxy that never answers used to
// hang forever: the response-head timeout ends it.
TEST_F(HttpTransactionTimeoutTest, HttpProxyThatNeverAnswersTimesOutWaitingForTheHead) {
  MakeSession("http://proxy.test:8080");
  factory_.AddMock(SocketScript().Write(Get("http://a.test/", "a.test")).Pause());
  Start("http://a.test/");
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return factory_.IsPaused(0); }));
  EXPECT_EQ(CN_ERR_TIMED_OUT, ExpireAt(defaults_.response_headers_ms, &start_));
  auto p = Timeout(CN_NETLOG_REQUEST_TIMED_OUT);
  EXPECT_EQ("response_headers", p["phase"]);
  EXPECT_EQ("http://proxy.test:8080", p["server"]);
  EXPECT_EQ("300000", p["timeout_ms"]);
  EXPECT_EQ(0u, factory_.alive()) << "the stalled connection is closed";
  EXPECT_EQ(0u, clock_.active_timers()) << "no timer outlives the request";
}

// The peer goes silent in the middle of the body.
TEST_F(HttpTransactionTimeoutTest, SilentPeerMidBodyTimesOutTheRead) {
  MakeSession();
  factory_.AddMock(SocketScript()
                       .Write(Get("/", "o.test"))
                       .Read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
                       .Pause());
  Start("http://o.test/");
  ASSERT_EQ(CN_OK, start_.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  cn_iobuf *buf = cn_iobuf_new(64);
  TestCompletion r1;
  EXPECT_EQ(3, r1.WaitForResult(loop_.get(),
                                cn_http_transaction_read(txn_, buf, buf->size, r1.cb(), r1.arg())));
  TestCompletion r2;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_http_transaction_read(txn_, buf, buf->size, r2.cb(), r2.arg()));
  EXPECT_EQ(CN_ERR_TIMED_OUT, ExpireAt(defaults_.body_idle_ms, &r2));
  EXPECT_EQ("body_idle", Timeout(CN_NETLOG_REQUEST_TIMED_OUT)["phase"]);
  // Later reads give the same error.
  TestCompletion r3;
  EXPECT_EQ(CN_ERR_TIMED_OUT, cn_http_transaction_read(txn_, buf, buf->size, r3.cb(), r3.arg()));
  cn_iobuf_unref(buf);
  EXPECT_EQ(0u, clock_.active_timers());
}

// The application reading slowly is not the peer stalling: between reads no
// idle timer runs, so a body the application reads after a long pause is
// still delivered.
TEST_F(HttpTransactionTimeoutTest, NoIdleTimerWhileTheApplicationIsNotReading) {
  MakeSession();
  factory_.AddMock(SocketScript()
                       .Write(Get("/", "o.test"))
                       .Read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  Start("http://o.test/");
  ASSERT_EQ(CN_OK, start_.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  EXPECT_EQ(0u, clock_.active_timers());
  clock_.Advance(10 * defaults_.body_idle_ms);
  RunUntilIdle(loop_.get());
  cn_iobuf *buf = cn_iobuf_new(64);
  TestCompletion r;
  EXPECT_EQ(2, r.WaitForResult(loop_.get(),
                               cn_http_transaction_read(txn_, buf, buf->size, r.cb(), r.arg())));
  cn_iobuf_unref(buf);
  EXPECT_TRUE(recorder_.Of(CN_NETLOG_REQUEST_TIMED_OUT, CN_NETLOG_PHASE_NONE).empty());
}

// The total counts from start, whatever phase the request is in.
TEST_F(HttpTransactionTimeoutTest, TotalTimeoutEndsTheRequest) {
  cn_http_timeouts t{};  // only the phase under test has a limit
  t.total_ms = 1500;
  ASSERT_NO_FATAL_FAILURE(StartAgainstASilentOrigin(&t));
  EXPECT_EQ(CN_ERR_TIMED_OUT, ExpireAt(1500, &start_));
  auto p = Timeout(CN_NETLOG_REQUEST_TIMED_OUT);
  EXPECT_EQ("total", p["phase"]);
  EXPECT_EQ("http://o.test/", p["server"]);
  EXPECT_EQ(0u, clock_.active_timers());
}

// A transaction's own timeouts replace the session's.
TEST_F(HttpTransactionTimeoutTest, PerTransactionOverrideIsUsed) {
  cn_http_timeouts t{};  // only the phase under test has a limit
  t.response_headers_ms = 250;
  ASSERT_NO_FATAL_FAILURE(StartAgainstASilentOrigin(&t));
  EXPECT_EQ(CN_ERR_TIMED_OUT, ExpireAt(250, &start_));
  EXPECT_EQ("250", Timeout(CN_NETLOG_REQUEST_TIMED_OUT)["timeout_ms"]);
}

// 0 is no limit: far beyond every default the request still waits, and no
// timer runs for it.
TEST_F(HttpTransactionTimeoutTest, ZeroMeansNoLimit) {
  cn_http_timeouts none{};
  ASSERT_NO_FATAL_FAILURE(StartAgainstASilentOrigin(&none));
  EXPECT_EQ(0u, clock_.active_timers());
  clock_.Advance(48ull * 3600 * 1000);
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(start_.done());
  EXPECT_TRUE(recorder_.Of(CN_NETLOG_REQUEST_TIMED_OUT, CN_NETLOG_PHASE_NONE).empty());
}

// A TCP connect that never completes: the transport pool's timeout. The
// backup attempt (happy eyeballs) 250 ms in gets no answer either.
TEST_F(HttpTransactionTimeoutTest, TcpConnectThatNeverCompletesTimesOut) {
  MakeSession();
  factory_.AddMock(SocketScript().Connect(CN_ERR_IO_PENDING));
  factory_.AddMock(SocketScript().Connect(CN_ERR_IO_PENDING));
  Start("http://o.test/");
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return factory_.created() == 1; }));
  EXPECT_EQ(CN_ERR_CONNECTION_TIMED_OUT, ExpireAt(30000, &start_));
  EXPECT_EQ(2u, factory_.created()) << "the backup attempt";
  EXPECT_EQ(0u, factory_.unexpected_requests());
  EXPECT_EQ(0u, factory_.alive()) << "both attempts closed";
  auto p = Timeout(CN_NETLOG_CONNECT_JOB_TIMED_OUT);
  EXPECT_EQ("tcp_connect", p["phase"]);
  EXPECT_EQ("tcp/http://o.test:80", p["group_id"]);
}

// The whole connection setup has a limit of its own (curl's
// --connect-timeout), below the layers' own.
TEST_F(HttpTransactionTimeoutTest, WholeConnectTimeoutEndsTheSetup) {
  MakeSession();
  factory_.AddMock(SocketScript().Connect(CN_ERR_IO_PENDING));
  factory_.AddMock(SocketScript().Connect(CN_ERR_IO_PENDING));  // the backup attempt
  cn_http_timeouts t = defaults_;
  t.connect_ms = 2000;
  Start("http://o.test/", &t);
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return factory_.created() == 1; }));
  EXPECT_EQ(CN_ERR_CONNECTION_TIMED_OUT, ExpireAt(2000, &start_));
  EXPECT_EQ("connect", Timeout(CN_NETLOG_REQUEST_TIMED_OUT)["phase"]);
}

// A proxy that takes the CONNECT and never answers: the tunnel timeout,
// counted from the CONNECT, not from the TCP connect before it.
TEST_F(HttpTransactionTimeoutTest, ProxyThatNeverAnswersConnectTimesOutTheTunnel) {
  MakeSession("http://proxy.test:8080");
  factory_.AddMock(SocketScript()
                       .Write("CONNECT o.test:443 HTTP/1.1\r\nHost: o.test:443\r\n"
                              "User-Agent: cnet-test\r\n\r\n")
                       .Pause());
  Start("https://o.test/");
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return factory_.IsPaused(0); }));
  EXPECT_EQ(CN_ERR_CONNECTION_TIMED_OUT, ExpireAt(30000, &start_));
  auto p = Timeout(CN_NETLOG_CONNECT_JOB_TIMED_OUT);
  EXPECT_EQ("tunnel", p["phase"]);
  EXPECT_EQ("tunnel", p["pool"]);
  EXPECT_NE(std::string::npos, p["group_id"].find("proxy.test:8080")) << p["group_id"];
  EXPECT_EQ(0u, factory_.alive());
}

// An HTTPS proxy that accepts the connection and never answers the
// ClientHello: the TLS handshake timeout of that hop.
TEST_F(HttpTransactionTimeoutTest, ProxyThatStallsTheTlsHandshakeTimesOut) {
  MakeSession("https://proxy.test:443");
  AddSilentPeer();
  Start("http://a.test/");
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return factory_.created() == 1; }));
  RunUntilIdle(loop_.get());
  int rv = ExpireAt(30000, &start_);
  // The hop's failure, as the proxy layers report it (the NetLog has the
  // timeout and the hop).
  EXPECT_TRUE(rv == CN_ERR_CONNECTION_TIMED_OUT || rv == CN_ERR_PROXY_CONNECTION_FAILED) << rv;
  auto p = Timeout(CN_NETLOG_CONNECT_JOB_TIMED_OUT);
  EXPECT_EQ("tls_handshake", p["phase"]);
  EXPECT_EQ("ssl_proxy", p["pool"]);
  EXPECT_NE(std::string::npos, p["group_id"].find("proxy.test:443")) << p["group_id"];
}

// The API's 64-bit milliseconds become the transaction's 32-bit ones
// clamped, never wrapped: 2^32 + 1 ms must not turn into 1 ms (a request
// timed out at once) or 2^32 into 0 (no limit).
TEST(HttpTimeoutsTest, ApiValuesClampTo32Bits) {
  EXPECT_EQ(0u, cn_http_timeout_ms(0));
  EXPECT_EQ(250u, cn_http_timeout_ms(250));
  EXPECT_EQ(UINT32_MAX, cn_http_timeout_ms(UINT32_MAX));
  EXPECT_EQ(UINT32_MAX, cn_http_timeout_ms((1ull << 32) + 1));
  EXPECT_EQ(UINT32_MAX, cn_http_timeout_ms(1ull << 32));
  EXPECT_EQ(UINT32_MAX, cn_http_timeout_ms(UINT64_MAX));
}

}  // namespace
