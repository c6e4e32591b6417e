// SOCKS5 proxies through the embedding API (net/cnet.h), end to end on
// loopback: an in-process SOCKS5 server (a small blocking relay on its own
// thread, so that it shares nothing with the loop under test) in front of the
// test server as origin, alone and as the first hop of a chain. Checks the
// plan (http:// in origin form over the SOCKS tunnel, TLS to the origin over
// it, TLS to a second hop over it), the counters, the layer report, and a
// refusal surfacing through the API.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/base/net_errors.h"
#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "net/spdy/spdy_session_test_util.h"
#include "tools/testserver/test_server.h"
#include "tools/testserver/test_server_test_util.h"

namespace {

using cnet_test::TestLoop;

// A SOCKS5 server (no authentication, CONNECT only) on 127.0.0.1. Names are
// resolved from its own map only (as a proxy with its own hosts file would);
// a target port listed in |refuse| is answered with reply 5.
class ThreadedSocks5Server {
 public:
  ThreadedSocks5Server(std::map<std::string, std::string> hosts, uint16_t refuse_port)
      : hosts_(std::move(hosts)), refuse_port_(refuse_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(0, bind(listen_fd_, reinterpret_cast<sockaddr *>(&a), sizeof(a)));
    EXPECT_EQ(0, listen(listen_fd_, 16));
    socklen_t len = sizeof(a);
    getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~ThreadedSocks5Server() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    close(listen_fd_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : open_fds_)
        shutdown(fd, SHUT_RDWR);  // ends the relays
    }
    for (auto &t : relays_)
      t.join();
  }
  uint16_t port() const { return port_; }
  int connections() const { return connections_; }
  std::vector<std::string> targets() {
    std::lock_guard<std::mutex> lock(mu_);
    return targets_;
  }

 private:
  void Accept() {
    for (;;) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0 || stopping_) {
        if (fd >= 0)
          close(fd);
        return;
      }
      connections_++;
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.push_back(fd);
      relays_.emplace_back([this, fd] { Serve(fd); });
    }
  }
  static bool ReadN(int fd, uint8_t *buf, size_t n) {
    for (size_t got = 0; got < n;) {
      ssize_t r = read(fd, buf + got, n - got);
      if (r <= 0)
        return false;
      got += static_cast<size_t>(r);
    }
    return true;
  }
  static void WriteAll(int fd, const uint8_t *buf, size_t n) {
    while (n > 0) {
      ssize_t w = write(fd, buf, n);
      if (w <= 0)
        return;
      buf += w;
      n -= static_cast<size_t>(w);
    }
  }
  void Reply(int fd, uint8_t rep) {
    const uint8_t r[10] = {5, rep, 0, 1, 127, 0, 0, 1, 0, 0};
    WriteAll(fd, r, sizeof(r));
  }
  void Serve(int fd) {
    uint8_t b[262];
    // Greeting: VER NMETHODS METHODS; we take "no authentication".
    if (!ReadN(fd, b, 2) || b[0] != 5 || !ReadN(fd, b + 2, b[1]))
      return Close(fd);
    const uint8_t method[2] = {5, 0};
    WriteAll(fd, method, 2);
    if (!ReadN(fd, b, 4) || b[1] != 1)
      return Close(fd);
    std::string host;
    if (b[3] == 1) {
      if (!ReadN(fd, b + 4, 4))
        return Close(fd);
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, b + 4, text, sizeof(text));
      host = text;
    } else if (b[3] == 3) {
      if (!ReadN(fd, b + 4, 1) || !ReadN(fd, b + 5, b[4]))
        return Close(fd);
      host.assign(reinterpret_cast<char *>(b + 5), b[4]);
    } else {
      Reply(fd, 8);
      return Close(fd);
    }
    uint8_t pb[2];
    if (!ReadN(fd, pb, 2))
      return Close(fd);
    uint16_t port = static_cast<uint16_t>(pb[0] << 8 | pb[1]);
    {
      std::lock_guard<std::mutex> lock(mu_);
      targets_.push_back(host + ":" + std::to_string(port));
    }
    auto it = hosts_.find(host);
    std::string addr = it != hosts_.end() ? it->second : host;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (port == refuse_port_ || inet_pton(AF_INET, addr.c_str(), &a.sin_addr) != 1) {
      Reply(fd, port == refuse_port_ ? 5 : 4);
      return Close(fd);
    }
    int up = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(up, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0) {
      close(up);
      Reply(fd, 5);
      return Close(fd);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.push_back(up);
    }
    Reply(fd, 0);
    Relay(fd, up);
    Close(up);
    Close(fd);
  }
  static void Relay(int a, int b) {
    pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    uint8_t buf[16384];
    for (;;) {
      if (poll(p, 2, -1) <= 0)
        return;
      for (int i = 0; i < 2; i++) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
          continue;
        ssize_t r = read(p[i].fd, buf, sizeof(buf));
        if (r <= 0)
          return;
        WriteAll(p[1 - i].fd, buf, static_cast<size_t>(r));
      }
    }
  }
  void Close(int fd) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < open_fds_.size(); i++) {
      if (open_fds_[i] == fd) {
        open_fds_.erase(open_fds_.begin() + static_cast<long>(i));
        close(fd);
        return;
      }
    }
  }

  std::map<std::string, std::string> hosts_;
  uint16_t refuse_port_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_fds_;  // client and upstream sockets still open
  std::vector<std::thread> relays_;
  std::vector<std::string> targets_;
};

struct Fetch {
  int status = 0;
  std::string body;
  int completes = 0;
  int error = 1;
  bool connection_reused = false;
  bool has_proxy = false;
  size_t num_hops = 0;
  std::string hop0, hop0_protocol;
  bool hop0_tunnel = false, hop0_tunnel_reused = false;
};

void OnResponse(cnet_request *r, void *arg, int status, const cnet_header *, size_t) {
  auto *f = static_cast<Fetch *>(arg);
  f->status = status;
  cnet_request_layers l;
  cnet_request_get_layers(r, &l);
  f->connection_reused = l.connection_reused;
  f->has_proxy = l.has_proxy;
  f->num_hops = l.num_hops;
  if (l.num_hops) {
    f->hop0 = l.hops[0].proxy;
    f->hop0_tunnel = l.hops[0].tunnel;
    f->hop0_tunnel_reused = l.hops[0].tunnel_reused;
  }
}
void OnData(cnet_request *, void *arg, const uint8_t *data, size_t len) {
  static_cast<Fetch *>(arg)->body.append(reinterpret_cast<const char *>(data), len);
}
void OnComplete(cnet_request *, void *arg, int error) {
  auto *f = static_cast<Fetch *>(arg);
  f->completes++;
  f->error = error;
}
const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

class CnetSocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cn_test_server_options oo{};
    const char *names[] = {"origin.test"};
    oo.names = names;
    oo.num_names = 1;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &oo, &tls_origin_));
    cn_test_server_options po{};
    po.plain = true;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &po, &plain_origin_));
    socks_ = std::make_unique<ThreadedSocks5Server>(
        std::map<std::string, std::string>{{"origin.test", "127.0.0.1"}}, kRefusedPort);
    origin_ca_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_socks_origin_ca.pem";
    ASSERT_EQ(CN_OK,
              cn_test_write_pem_file(origin_ca_.c_str(), cn_test_server_ca_pem(tls_origin_)));
  }
  void TearDown() override {
    cnet_context_destroy(ctx_);
    cn_test_server_destroy(hop2_);
    cn_test_server_destroy(tls_origin_);
    cn_test_server_destroy(plain_origin_);
    cnet_test::RunUntilLoopEmpty(loop_.get());  // every socket closed
    socks_.reset();
  }

  void MakeContext(const std::string &proxy, const char *proxy_ca = nullptr) {
    proxy_ = proxy;
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();
    o.proxy = proxy_.c_str();
    o.ca_file = origin_ca_.c_str();
    o.proxy_ca_file = proxy_ca;
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  }

  void Get(const std::string &url, Fetch *f, int want_error = 0) {
    cnet_request_options o{};
    o.url = url.c_str();
    cnet_request *r = nullptr;
    ASSERT_EQ(0, cnet_request_start(ctx_, &o, &kCallbacks, f, &r));
    ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return f->completes > 0; }, 20000))
        << "request did not complete";
    EXPECT_EQ(1, f->completes);
    EXPECT_EQ(want_error, f->error) << cnet_error_name(f->error);
  }

  cnet_stats Finish() {
    cnet_stats st;
    cnet_context_destroy_with_stats(ctx_, &st);
    ctx_ = nullptr;
    return st;
  }

  std::string Plain(const char *path) {
    return "http://127.0.0.1:" + std::to_string(cn_test_server_port(plain_origin_)) + path;
  }
  std::string Tls(const char *path) {
    return "https://origin.test:" + std::to_string(cn_test_server_port(tls_origin_)) + path;
  }
  std::string SocksUrl(const char *scheme) {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(socks_->port());
  }

  // The SOCKS server answers CONNECTs to this port with reply 5 (refused)
  // without trying it.
  static constexpr uint16_t kRefusedPort = 9;
  TestLoop loop_;
  cn_test_server *tls_origin_ = nullptr;
  cn_test_server *plain_origin_ = nullptr;
  cn_test_server *hop2_ = nullptr;
  std::unique_ptr<ThreadedSocks5Server> socks_;
  cnet_context *ctx_ = nullptr;
  std::string origin_ca_, proxy_;
};

// http:// through SOCKS goes to the origin itself (origin form), over one
// SOCKS tunnel that the second request reuses.
TEST_F(CnetSocksTest, HttpTwiceOverOneSocksTunnel) {
  ASSERT_NO_FATAL_FAILURE(MakeContext(SocksUrl("socks5h")));
  Fetch a, b;
  ASSERT_NO_FATAL_FAILURE(Get(Plain("/bytes/3000"), &a));
  ASSERT_NO_FATAL_FAILURE(Get(Plain("/bytes/10"), &b));
  EXPECT_EQ(200, a.status);
  EXPECT_EQ(cnet_test::PatternBytes(0, 3000), a.body);
  EXPECT_EQ(cnet_test::PatternBytes(0, 10), b.body);
  EXPECT_TRUE(a.has_proxy);
  ASSERT_EQ(1u, a.num_hops);
  EXPECT_EQ(SocksUrl("socks5h"), a.hop0);
  EXPECT_TRUE(a.hop0_tunnel);
  EXPECT_FALSE(a.hop0_tunnel_reused);
  EXPECT_TRUE(b.connection_reused);
  EXPECT_TRUE(b.hop0_tunnel_reused);
  cnet_stats st = Finish();
  EXPECT_EQ(1u, st.tcp_connects);
  EXPECT_EQ(0u, st.tls_handshakes);
  EXPECT_EQ(1u, st.tunnels);
  EXPECT_EQ(2u, st.requests);
  EXPECT_EQ(1, socks_->connections());
}

// https:// through SOCKS: TLS to the origin over the tunnel. socks5h sends
// the name (only the SOCKS server maps origin.test).
TEST_F(CnetSocksTest, HttpsTwiceOverOneSocksTunnel) {
  ASSERT_NO_FATAL_FAILURE(MakeContext(SocksUrl("socks5h")));
  Fetch a, b;
  ASSERT_NO_FATAL_FAILURE(Get(Tls("/bytes/5000"), &a));
  ASSERT_NO_FATAL_FAILURE(Get(Tls("/bytes/7"), &b));
  EXPECT_EQ(cnet_test::PatternBytes(0, 5000), a.body);
  EXPECT_EQ(cnet_test::PatternBytes(0, 7), b.body);
  EXPECT_TRUE(b.connection_reused);
  cnet_stats st = Finish();
  EXPECT_EQ(1u, st.tcp_connects);
  EXPECT_EQ(1u, st.tls_handshakes);
  EXPECT_EQ(1u, st.tunnels);
  std::string target = "origin.test:" + std::to_string(cn_test_server_port(tls_origin_));
  EXPECT_EQ(std::vector<std::string>{target}, socks_->targets());
}

// socks5:// resolves locally: the server sees an address, never the name.
TEST_F(CnetSocksTest, Socks5SendsTheAddressItResolved) {
  proxy_ = SocksUrl("socks5");
  cnet_context_options o;
  cnet_context_options_init(&o);
  o.loop = loop_.get();
  o.proxy = proxy_.c_str();
  o.ca_file = origin_ca_.c_str();
  std::string rule = "origin.test:*:127.0.0.1";
  const char *rules[] = {rule.c_str(), nullptr};
  o.resolve_rules = rules;
  o.num_resolve_rules = 1;
  char err[256];
  ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  Fetch a;
  ASSERT_NO_FATAL_FAILURE(Get(Tls("/bytes/100"), &a));
  EXPECT_EQ(cnet_test::PatternBytes(0, 100), a.body);
  std::string target = "127.0.0.1:" + std::to_string(cn_test_server_port(tls_origin_));
  EXPECT_EQ(std::vector<std::string>{target}, socks_->targets());
}

// A SOCKS first hop carries TLS to an HTTPS second hop, which tunnels to
// the origin: 1 TCP connection, 2 TLS handshakes (hop 2 and the origin), 2
// tunnels (SOCKS and CONNECT); the second request reuses all of it.
TEST_F(CnetSocksTest, ChainWithSocksFirst) {
  cn_test_server_options po{};
  po.proxy = true;
  cn_test_server_host_mapping map = {"origin.test", "127.0.0.1"};
  po.proxy_options.map = &map;
  po.proxy_options.num_map = 1;
  ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &po, &hop2_));
  std::string hop2_ca = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_socks_hop2_ca.pem";
  ASSERT_EQ(CN_OK, cn_test_write_pem_file(hop2_ca.c_str(), cn_test_server_ca_pem(hop2_)));
  std::string hop2 = "https://127.0.0.1:" + std::to_string(cn_test_server_port(hop2_));
  ASSERT_NO_FATAL_FAILURE(MakeContext("[" + SocksUrl("socks5h") + " " + hop2 + "]",
                                      hop2_ca.c_str()));
  Fetch a, b;
  ASSERT_NO_FATAL_FAILURE(Get(Tls("/bytes/1000"), &a));
  ASSERT_NO_FATAL_FAILURE(Get(Tls("/bytes/2000"), &b));
  EXPECT_EQ(cnet_test::PatternBytes(0, 2000), b.body);
  ASSERT_EQ(2u, a.num_hops);
  EXPECT_EQ(SocksUrl("socks5h"), a.hop0);
  EXPECT_TRUE(a.hop0_tunnel);
  EXPECT_TRUE(b.connection_reused);
  cnet_stats st = Finish();
  EXPECT_EQ(1u, st.tcp_connects);
  EXPECT_EQ(2u, st.tls_handshakes);
  EXPECT_EQ(2u, st.tunnels);
  // The SOCKS server was asked for the second hop, never for the origin.
  EXPECT_EQ(std::vector<std::string>{"127.0.0.1:" + std::to_string(cn_test_server_port(hop2_))},
            socks_->targets());
}

TEST_F(CnetSocksTest, RefusalIsNamedThroughTheApi) {
  ASSERT_NO_FATAL_FAILURE(MakeContext(SocksUrl("socks5h")));
  Fetch a;
  ASSERT_NO_FATAL_FAILURE(
      Get("http://127.0.0.1:" + std::to_string(kRefusedPort) + "/", &a,
          CN_ERR_SOCKS_CONNECTION_REFUSED));
  EXPECT_STREQ("ERR_SOCKS_CONNECTION_REFUSED", cnet_error_name(a.error));
  EXPECT_EQ(0u, Finish().tunnels);
}

}  // namespace
