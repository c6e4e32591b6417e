// Happy eyeballs through the API, on real loopback sockets: a name whose
// first address is a stalled [::1] listener (its accept queue full, so the
// kernel drops our SYN) and whose second is a working 127.0.0.1 origin on
// the same port. The request completes well under a second — without
// happy eyeballs it would wait for the whole TCP connect timeout (30 s) —
// and the winner is 127.0.0.1. The timing bound is a correctness bound
// (the attempt delay is 250 ms), not a benchmark. The order of the
// attempts on the fake clock is net/socket/happy_eyeballs_unittest.cc.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "net/base/ip_endpoint.h"
#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "tools/testserver/test_server.h"

namespace {

// A listener on [::1] that never accepts, with its accept queue filled by
// connections of our own, so a further SYN is dropped (the connect stays
// unanswered). Linux tells the queue's length and limit through TCP_INFO
// on the listening socket (tcpi_unacked, tcpi_sacked), so filling it needs
// no timing.
class StalledListener {
 public:
  StalledListener() {
    fd_ = socket(AF_INET6, SOCK_STREAM, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    if (bind(fd_, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0 || listen(fd_, 1) != 0) {
      ADD_FAILURE() << "cannot listen on [::1]: " << errno;
      return;
    }
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr *>(&a), &len);
    port_ = ntohs(a.sin6_port);
    for (int i = 0; i < 16 && !Full(); i++) {
      int c = socket(AF_INET6, SOCK_STREAM, 0);
      clients_.push_back(c);
      // A blocking connect: the handshake completes while the queue has
      // room (checked before each).
      if (connect(c, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0) {
        ADD_FAILURE() << "connect to the stalled listener: " << errno;
        return;
      }
    }
    EXPECT_TRUE(Full()) << "the accept queue never filled";
  }
  ~StalledListener() {
    for (int c : clients_)
      close(c);
    if (fd_ >= 0)
      close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  bool Full() const {
    tcp_info info{};
    socklen_t len = sizeof(info);
    if (getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
      return false;
    return info.tcpi_unacked > info.tcpi_sacked;  // queue length > backlog
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::vector<int> clients_;
};

// What a request did: its status, and its end (counted: exactly once).
struct Outcome {
  int status = 0;
  int completes = 0;
  int error = 1;
};
const cnet_request_callbacks kCallbacks = {
    [](cnet_request *, void *arg, int status, const cnet_header *, size_t) {
      static_cast<Outcome *>(arg)->status = status;
    },
    [](cnet_request *, void *, const uint8_t *, size_t) {},
    [](cnet_request *, void *arg, int error) {
      static_cast<Outcome *>(arg)->completes++;
      static_cast<Outcome *>(arg)->error = error;
    },
};

void CollectNetLog(void *arg, const char *line, size_t len) {
  static_cast<std::vector<std::string> *>(arg)->emplace_back(line, len);
}

class CnetHappyEyeballsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The origin must listen on 127.0.0.1 at the stalled listener's port:
    // try a few ports in case one is taken on IPv4.
    for (int i = 0; i < 10 && !server_; i++) {
      stalled_ = std::make_unique<StalledListener>();
      ASSERT_NE(0, stalled_->port());
      cn_test_server_options o{};
      o.plain = true;
      o.port = stalled_->port();
      if (cn_test_server_new(loop_.get(), &o, &server_) != CN_OK)
        server_ = nullptr;
    }
    ASSERT_NE(nullptr, server_) << "no port free on both [::1] and 127.0.0.1";
    port_ = std::to_string(stalled_->port());
  }
  void TearDown() override {
    cnet_context_destroy(ctx_);
    cn_test_server_destroy(server_);
    stalled_.reset();
    cnet_test::RunUntilLoopEmpty(loop_.get());
  }

  // A context where he.test at the listeners' port resolves to |addresses|
  // ("[::1],127.0.0.1"); |tcp_timeout_ms| 0 keeps the default.
  void MakeContext(const std::string &addresses, uint64_t tcp_timeout_ms = 0) {
    cnet_context_options c;
    cnet_context_options_init(&c);
    c.loop = loop_.get();
    if (tcp_timeout_ms)
      c.tcp_connect_timeout_ms = tcp_timeout_ms;
    std::string rule = "he.test:" + port_ + ":" + addresses;
    const char *rules[] = {rule.c_str()};
    c.resolve_rules = rules;
    c.num_resolve_rules = 1;
    c.netlog = CollectNetLog;
    c.netlog_arg = &netlog_;
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&c, &ctx_, err, sizeof(err))) << err;
  }
  // GETs http://he.test:PORT/ and waits for its end; the elapsed wall-clock
  // milliseconds go to |*ms|.
  Outcome Get(double *ms) {
    Outcome out;
    cnet_request_options o;
    cnet_request_options_init(&o);
    std::string url = "http://he.test:" + port_ + "/";
    o.url = url.c_str();
    cnet_request *r;
    uint64_t start = uv_hrtime();
    EXPECT_EQ(0, cnet_request_start(ctx_, &o, &kCallbacks, &out, &r));
    EXPECT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return out.completes > 0; }, 40000));
    *ms = (uv_hrtime() - start) / 1e6;
    return out;
  }
  // The TRANSPORT_CONNECT_ATTEMPT lines containing |text|.
  size_t AttemptLines(const std::string &text) const {
    size_t n = 0;
    for (const std::string &l : netlog_)
      n += l.find("TRANSPORT_CONNECT_ATTEMPT") != std::string::npos &&
           l.find(text) != std::string::npos;
    return n;
  }

  cnet_test::TestLoop loop_;
  std::unique_ptr<StalledListener> stalled_;
  cn_test_server *server_ = nullptr;
  std::string port_;
  cnet_context *ctx_ = nullptr;
  std::vector<std::string> netlog_;
};

// [::1] first (as a resolver preferring IPv6 gives it), stalled: the
// 127.0.0.1 attempt starts 250 ms later and wins.
TEST_F(CnetHappyEyeballsTest, StalledIpv6FirstFallsBackToIpv4WellUnderASecond) {
  ASSERT_NO_FATAL_FAILURE(MakeContext("[::1],127.0.0.1"));
  double ms = 0;
  Outcome out = Get(&ms);
  EXPECT_EQ(1, out.completes);
  EXPECT_EQ(0, out.error) << cnet_error_name(out.error);
  EXPECT_EQ(200, out.status);
  EXPECT_LT(ms, 1000) << "the stalled address held the request";
  EXPECT_GE(ms, 200) << "the second attempt started before the attempt delay";
  EXPECT_EQ(1u, AttemptLines("\"result\":\"won\"")) << "one winner";
  EXPECT_EQ(1u, AttemptLines("\"address\":\"127.0.0.1:" + port_ + "\",\"result\":\"won\""));
  EXPECT_EQ(1u, AttemptLines("\"address\":\"[::1]:" + port_ + "\",\"result\":\"lost\""));
  cnet_stats stats;
  cnet_context_get_stats(ctx_, &stats);
  EXPECT_EQ(1u, stats.tcp_connects) << "the closed loser is not a connection";
}

// The other order: 127.0.0.1 first connects at once; the stalled [::1]
// does not hold anything up.
TEST_F(CnetHappyEyeballsTest, WorkingIpv4FirstWins) {
  ASSERT_NO_FATAL_FAILURE(MakeContext("127.0.0.1,[::1]"));
  double ms = 0;
  Outcome out = Get(&ms);
  EXPECT_EQ(0, out.error) << cnet_error_name(out.error);
  EXPECT_EQ(200, out.status);
  EXPECT_LT(ms, 1000);
  EXPECT_EQ(1u, AttemptLines("\"address\":\"127.0.0.1:" + port_ + "\",\"result\":\"won\""));
}

// A single stalled address: the backup attempt 250 ms in is dropped too,
// and the request ends with the transport layer's timeout (kept short).
TEST_F(CnetHappyEyeballsTest, SingleStalledAddressGetsABackupAttempt) {
  ASSERT_NO_FATAL_FAILURE(MakeContext("[::1]", 700));
  double ms = 0;
  Outcome out = Get(&ms);
  EXPECT_EQ(CNET_ERR_CONNECTION_TIMED_OUT, out.error) << cnet_error_name(out.error);
  EXPECT_GE(ms, 600);
  EXPECT_EQ(1u, AttemptLines("\"backup\":true"));
  EXPECT_EQ(2u, AttemptLines("\"result\":\"cancelled\""));
}

}  // namespace
