// Happy eyeballs v2 and the backup connect over scripted sockets and a fake
// clock: the order of the attempts, the Connection Attempt Delay to the
// millisecond, a failure starting the next attempt at once, the winner
// closing the others, the error when all fail, the backup attempt for a
// single address, each attempt's own limit, cancel, and the NetLog.
#include "net/socket/happy_eyeballs.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "net/socket/mock_client_socket_factory.h"
#include "net/socket/socket_test_util.h"
#include "net/socket/tcp_socket.h"

namespace {

using cnet_test::FakeClock;
using cnet_test::MockClientSocketFactory;
using cnet_test::SocketScript;
using cnet_test::TestCompletion;
using cnet_test::TestLoop;

// Records the TRANSPORT_CONNECT_ATTEMPT events (params as strings).
struct AttemptLog {
  cn_netlog_observer obs;  // first: the callback casts back
  std::vector<std::map<std::string, std::string>> events;
  static void OnEntry(cn_netlog_observer *o, const cn_netlog_entry *e) {
    if (e->type != CN_NETLOG_TRANSPORT_CONNECT_ATTEMPT)
      return;
    std::map<std::string, std::string> params;
    for (size_t i = 0; i < e->num_params; i++) {
      const cn_netlog_param &p = e->params[i];
      params[p.key] = p.kind == CN_NETLOG_PARAM_STR ? std::string(p.s ? p.s : "")
                                                    : std::to_string(p.i);
    }
    reinterpret_cast<AttemptLog *>(o)->events.push_back(params);
  }
};

cn_address_list Addresses(const std::vector<std::string> &literals) {
  cn_address_list l;
  cn_address_list_init(&l);
  for (const std::string &lit : literals) {
    cn_ip_endpoint ep;
    EXPECT_TRUE(cn_ip_endpoint_from_literal(lit.c_str(), 80, &ep)) << lit;
    cn_address_list_append(&l, &ep);
  }
  return l;
}

std::string OrderOf(const std::vector<std::string> &literals) {
  cn_address_list in = Addresses(literals), out;
  cn_happy_eyeballs_order(&in, &out);
  char *s = cn_address_list_to_string(&out);
  std::string r = s;
  free(s);
  cn_address_list_free(&in);
  cn_address_list_free(&out);
  return r;
}

const SocketScript kSilent = SocketScript().Connect(CN_ERR_IO_PENDING);  // SYN dropped
const SocketScript kAccepts = SocketScript().Connect(CN_OK);             // async

class HappyEyeballsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cn_netlog_init(&netlog_);
    log_.obs.on_entry = &AttemptLog::OnEntry;
    cn_netlog_add_observer(&netlog_, &log_.obs);
  }
  void TearDown() override {
    cn_stream_socket_destroy(socket_);
    cn_happy_eyeballs_destroy(he_);
    cn_netlog_destroy(&netlog_);
  }

  // Starts a race to |literals| (port 80).
  int Start(const std::vector<std::string> &literals, uint64_t attempt_timeout_ms = 0) {
    cn_address_list addrs = Addresses(literals);
    cn_happy_eyeballs_options o = {0, attempt_timeout_ms};
    cn_netlog_source source = cn_netlog_new_source(&netlog_, CN_NETLOG_SOURCE_CONNECT_JOB);
    he_ = cn_happy_eyeballs_new(loop_.get(), clock_.get(), factory_.get(), &addrs, &o, &netlog_,
                                source);
    cn_address_list_free(&addrs);
    return cn_happy_eyeballs_connect(he_, done_.cb(), done_.arg());
  }
  // Advances the fake clock and runs what became due.
  void Advance(uint64_t ms) {
    clock_.Advance(ms);
    cnet_test::RunUntilIdle(loop_.get());
  }
  // Events with |key| = |value|.
  std::vector<std::map<std::string, std::string>> Events(const std::string &key,
                                                         const std::string &value) const {
    std::vector<std::map<std::string, std::string>> out;
    for (const auto &e : log_.events) {
      auto it = e.find(key);
      if (it != e.end() && it->second == value)
        out.push_back(e);
    }
    return out;
  }

  TestLoop loop_;
  FakeClock clock_;
  MockClientSocketFactory factory_;
  cn_netlog netlog_;
  AttemptLog log_;
  cn_happy_eyeballs *he_ = nullptr;
  cn_stream_socket *socket_ = nullptr;
  TestCompletion done_;
};

TEST(HappyEyeballsOrderTest, InterleavesFamiliesFromTheFirstOnesFamily) {
  EXPECT_EQ("[[::1]:80, 127.0.0.1:80, [::2]:80, 127.0.0.2:80]",
            OrderOf({"::1", "::2", "127.0.0.1", "127.0.0.2"}));
  // The resolver's first family leads, whichever it is.
  EXPECT_EQ("[127.0.0.1:80, [::1]:80, 127.0.0.2:80, 127.0.0.3:80]",
            OrderOf({"127.0.0.1", "127.0.0.2", "::1", "127.0.0.3"}));
  EXPECT_EQ("[127.0.0.1:80, 127.0.0.2:80]", OrderOf({"127.0.0.1", "127.0.0.2"}));
  EXPECT_EQ("[[::1]:80]", OrderOf({"::1"}));
  EXPECT_EQ("[]", OrderOf({}));
}

// The next attempt, to the other family, starts exactly 250 ms after the
// first when that one has no answer; the first to connect wins and the
// other is closed.
TEST_F(HappyEyeballsTest, NextAttemptStartsAfterTheConnectionAttemptDelay) {
  factory_.AddMock(kSilent);
  factory_.AddMock(kAccepts);
  ASSERT_EQ(CN_ERR_IO_PENDING, Start({"::1", "::2", "127.0.0.1"}));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ("[[::1]:80]", factory_.record(0).addresses);
  Advance(249);
  EXPECT_EQ(1u, factory_.created()) << "started before 250 ms";
  EXPECT_FALSE(done_.done());
  Advance(1);
  ASSERT_EQ(2u, factory_.created());
  EXPECT_EQ("[127.0.0.1:80]", factory_.record(1).addresses) << "families interleave";
  ASSERT_EQ(CN_OK, done_.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  socket_ = cn_happy_eyeballs_take_socket(he_);
  ASSERT_NE(nullptr, socket_);
  EXPECT_TRUE(factory_.record(0).destroyed) << "the loser is closed";
  EXPECT_FALSE(factory_.record(1).destroyed);
  EXPECT_EQ(0u, clock_.active_timers()) << "no third attempt is scheduled";
  EXPECT_EQ(2u, factory_.created());
  // The NetLog: two starts, the winner and the loser with their addresses.
  ASSERT_EQ(1u, Events("result", "won").size());
  EXPECT_EQ("127.0.0.1:80", Events("result", "won")[0]["address"]);
  ASSERT_EQ(1u, Events("result", "lost").size());
  EXPECT_EQ("[::1]:80", Events("result", "lost")[0]["address"]);
  EXPECT_EQ(2u, Events("backup", "0").size());
}

// A failed attempt starts the next one at once, without waiting for the
// delay.
TEST_F(HappyEyeballsTest, FailureStartsTheNextAttemptAtOnce) {
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED));
  factory_.AddMock(kAccepts);
  ASSERT_EQ(CN_ERR_IO_PENDING, Start({"::1", "127.0.0.1"}));
  ASSERT_EQ(CN_OK, done_.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  EXPECT_EQ(0u, clock_.now_ms()) << "no time passed";
  EXPECT_EQ("[127.0.0.1:80]", factory_.record(1).addresses);
  socket_ = cn_happy_eyeballs_take_socket(he_);
  ASSERT_NE(nullptr, socket_);
  ASSERT_EQ(1u, Events("net_error", std::to_string(CN_ERR_CONNECTION_REFUSED)).size());
  factory_.ExpectAllUsedAndDone();
}

// Every attempt failed: the error of the last one to fail (Chromium's
// rule), and no backup attempt to an address that answered.
TEST_F(HappyEyeballsTest, AllFailReportsTheLastError) {
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED));
  factory_.AddMock(SocketScript().Connect(CN_ERR_ADDRESS_UNREACHABLE));
  ASSERT_EQ(CN_ERR_IO_PENDING, Start({"127.0.0.1", "::1"}));
  EXPECT_EQ(CN_ERR_ADDRESS_UNREACHABLE, done_.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  EXPECT_EQ(2u, factory_.created());
  EXPECT_EQ(0u, factory_.alive());
  EXPECT_EQ(0u, clock_.active_timers());
  factory_.ExpectAllUsedAndDone();
}

// Failures that come synchronously are reported by the return value.
TEST_F(HappyEyeballsTest, SynchronousResults) {
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED, CN_MOCK_SYNC));
  factory_.AddMock(SocketScript().Connect(CN_OK, CN_MOCK_SYNC));
  EXPECT_EQ(CN_OK, Start({"127.0.0.1", "127.0.0.2"}));
  socket_ = cn_happy_eyeballs_take_socket(he_);
  EXPECT_NE(nullptr, socket_);
  EXPECT_EQ(0u, clock_.active_timers());
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_FALSE(done_.done()) << "a synchronous result is not also called back";
}

TEST_F(HappyEyeballsTest, EmptyListIsNotResolved) {
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, Start({}));
  EXPECT_EQ(0u, factory_.created());
}

// The backup connect: a single address whose SYN got no answer gets a
// second attempt 250 ms later, and the first of the two to connect wins.
TEST_F(HappyEyeballsTest, BackupAttemptForASingleSilentAddress) {
  factory_.AddMock(kSilent);
  factory_.AddMock(kAccepts);
  ASSERT_EQ(CN_ERR_IO_PENDING, Start({"127.0.0.1"}));
  Advance(249);
  EXPECT_EQ(1u, factory_.created());
  Advance(1);
  ASSERT_EQ(2u, factory_.created());
  EXPECT_EQ("[127.0.0.1:80]", factory_.record(1).addresses);
  ASSERT_EQ(CN_OK, done_.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  socket_ = cn_happy_eyeballs_take_socket(he_);
  EXPECT_TRUE(factory_.record(0).destroyed);
  EXPECT_EQ(1u, factory_.alive());
  ASSERT_EQ(1u, Events("backup", "1").size());
  EXPECT_EQ("127.0.0.1:80", Events("backup", "1")[0]["address"]);
  // Only one backup: nothing else is scheduled.
  EXPECT_EQ(0u, clock_.active_timers());
}

// An address that refused is not tried again: no backup for it.
TEST_F(HappyEyeballsTest, NoBackupForAnAddressThatAnswered) {
  factory_.AddMock(SocketScript().Connect(CN_ERR_CONNECTION_REFUSED));
  ASSERT_EQ(CN_ERR_IO_PENDING, Start({"127.0.0.1"}));
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, done_.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  EXPECT_EQ(0u, clock_.active_timers());
  Advance(1000);
  EXPECT_EQ(1u, factory_.created());
  factory_.ExpectAllUsedAndDone();
}

// Each attempt has its own limit: attempts start at 0, 250 and (backups)
// 500, 750 ms; with a 1000 ms limit each they time out at 1000, 1250, 1500
// and 1750 ms, and the race fails exactly then.
TEST_F(HappyEyeballsTest, EachAttemptHasItsOwnLimit) {
  for (int i = 0; i < 4; i++)
    factory_.AddMock(kSilent);
  ASSERT_EQ(CN_ERR_IO_PENDING, Start({"::1", "127.0.0.1"}, 1000));
  Advance(750);
  EXPECT_EQ(4u, factory_.created());
  EXPECT_EQ("[[::1]:80]", factory_.record(2).addresses);
  EXPECT_EQ("[127.0.0.1:80]", factory_.record(3).addresses);
  Advance(250);
  EXPECT_TRUE(factory_.record(0).destroyed) << "the first attempt timed out at 1000 ms";
  EXPECT_FALSE(factory_.record(1).destroyed);
  Advance(749);
  EXPECT_FALSE(done_.done());
  EXPECT_EQ(1u, factory_.alive());
  Advance(1);
  EXPECT_EQ(CN_ERR_CONNECTION_TIMED_OUT, done_.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  EXPECT_EQ(0u, factory_.alive());
  EXPECT_EQ(4u, Events("net_error", std::to_string(CN_ERR_CONNECTION_TIMED_OUT)).size());
  factory_.ExpectAllUsedAndDone();
}

// A timed-out attempt starts the next one at once.
TEST_F(HappyEyeballsTest, TimedOutAttemptStartsTheNextAtOnce) {
  factory_.AddMock(kSilent);
  factory_.AddMock(kAccepts);
  cn_address_list addrs = Addresses({"127.0.0.1", "127.0.0.2"});
  cn_happy_eyeballs_options o = {5000, 100};  // the delay is far, the limit near
  he_ = cn_happy_eyeballs_new(loop_.get(), clock_.get(), factory_.get(), &addrs, &o, &netlog_,
                              cn_netlog_new_source(&netlog_, CN_NETLOG_SOURCE_CONNECT_JOB));
  cn_address_list_free(&addrs);
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_happy_eyeballs_connect(he_, done_.cb(), done_.arg()));
  Advance(99);
  EXPECT_EQ(1u, factory_.created());
  Advance(1);
  EXPECT_EQ(2u, factory_.created());
  EXPECT_EQ(CN_OK, done_.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  factory_.ExpectAllUsedAndDone();
}

// Destroying the race closes every attempt and stops its timers; no
// callback follows.
TEST_F(HappyEyeballsTest, DestroyCancelsEverything) {
  factory_.AddMock(kSilent);
  factory_.AddMock(kSilent);
  ASSERT_EQ(CN_ERR_IO_PENDING, Start({"127.0.0.1", "127.0.0.2"}, 10000));
  Advance(250);
  EXPECT_EQ(2u, factory_.alive());
  cn_happy_eyeballs_destroy(he_);
  he_ = nullptr;
  EXPECT_EQ(0u, factory_.alive());
  EXPECT_EQ(0u, clock_.active_timers());
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_FALSE(done_.done());
  EXPECT_EQ(2u, Events("result", "cancelled").size());
}

// Real TCP (no factory): [::1] refuses (the listener is on 127.0.0.1
// only), which starts the 127.0.0.1 attempt at once; the winner is a TCP
// socket whose peer address is the one that answered.
TEST_F(HappyEyeballsTest, RealTcpWinnerKnowsItsPeer) {
  cn_ip_endpoint bind;
  ASSERT_TRUE(cn_ip_endpoint_from_literal("127.0.0.1", 0, &bind));
  std::vector<cn_stream_socket *> accepted;
  cn_tcp_listener *listener = nullptr;
  ASSERT_EQ(CN_OK, cn_tcp_listener_new(
                       loop_.get(), &bind, nullptr,
                       [](void *arg, cn_stream_socket *a) {
                         static_cast<std::vector<cn_stream_socket *> *>(arg)->push_back(a);
                       },
                       &accepted, &listener));
  cn_ip_endpoint where = cn_tcp_listener_address(listener);
  cn_ip_endpoint v6;
  ASSERT_TRUE(cn_ip_endpoint_from_literal("::1", cn_ip_endpoint_port(&where), &v6));
  cn_address_list addrs;
  cn_address_list_init(&addrs);
  cn_address_list_append(&addrs, &v6);
  cn_address_list_append(&addrs, &where);
  he_ = cn_happy_eyeballs_new(loop_.get(), clock_.get(), nullptr, &addrs, nullptr, &netlog_,
                              cn_netlog_new_source(&netlog_, CN_NETLOG_SOURCE_CONNECT_JOB));
  cn_address_list_free(&addrs);
  EXPECT_EQ(CN_OK, done_.WaitForResult(loop_.get(),
                                       cn_happy_eyeballs_connect(he_, done_.cb(), done_.arg())));
  EXPECT_EQ(0u, clock_.now_ms()) << "the refusal started the next attempt, not the delay";
  socket_ = cn_happy_eyeballs_take_socket(he_);
  ASSERT_NE(nullptr, socket_);
  cn_ip_endpoint peer;
  ASSERT_TRUE(cn_tcp_socket_peer_address(socket_, &peer));
  EXPECT_TRUE(cn_ip_endpoint_equal(&peer, &where));
  EXPECT_EQ(1u, Events("net_error", std::to_string(CN_ERR_CONNECTION_REFUSED)).size());
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return accepted.size() == 1; }));
  cn_tcp_listener_destroy(listener);
  for (cn_stream_socket *a : accepted)
    cn_stream_socket_destroy(a);
}

}  // namespace
