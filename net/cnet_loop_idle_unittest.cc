// The application's loop goes idle (net/cnet.h): once its requests are
// done, uv_run(loop, UV_RUN_DEFAULT) returns by itself although idle
// connections and sessions stay pooled, and a later request still reuses
// them. The test servers run on a loop of their own in another thread, so
// the application's loop holds only what cnet holds.
#include <gtest/gtest.h>
#include <unistd.h>
#include <uv.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/base/net_errors.h"
#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"

namespace {

using cnet_test::TestLoop;

// Test servers on their own loop and thread. Everything touching a server
// runs on that thread (Call), the test waits for it.
class ServerThread {
 public:
  ServerThread() {
    thread_ = std::thread([this] {
      uv_loop_init(&loop_);
      uv_async_init(&loop_, &async_, [](uv_async_t *a) {
        static_cast<ServerThread *>(a->data)->RunCalls();
      });
      async_.data = this;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ready_ = true;
      }
      cv_.notify_all();
      uv_run(&loop_, UV_RUN_DEFAULT);
      uv_loop_close(&loop_);
    });
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return ready_; });
  }
  ~ServerThread() {
    Call([this] {
      for (auto *s : servers_)
        cn_test_server_destroy(s);
      uv_close(reinterpret_cast<uv_handle_t *>(&async_), nullptr);
    });
    thread_.join();
  }
  // Runs |fn| on the server thread and waits for it.
  void Call(std::function<void()> fn) {
    bool done = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back([&] {
        fn();
        std::lock_guard<std::mutex> done_lock(mu_);
        done = true;
      });
    }
    uv_async_send(&async_);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done; });
  }
  cn_test_server *Start(const cn_test_server_options &o) {
    cn_test_server *s = nullptr;
    Call([&] {
      EXPECT_EQ(CN_OK, cn_test_server_new(&loop_, &o, &s));
      servers_.push_back(s);
    });
    return s;
  }
  cn_test_server_counters Counters(cn_test_server *s) {
    cn_test_server_counters c{};
    Call([&] { cn_test_server_get_counters(s, &c); });
    return c;
  }

 private:
  void RunCalls() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!calls_.empty()) {
      auto fn = calls_.front();
      calls_.erase(calls_.begin());
      lock.unlock();
      fn();
      lock.lock();
    }
    cv_.notify_all();
  }

  uv_loop_t loop_;
  uv_async_t async_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_ = false;
  std::vector<std::function<void()>> calls_;
  std::vector<cn_test_server *> servers_;
};

struct Req {
  int status = 0;
  size_t length = 0;
  int completes = 0;
  int error = 1;
  bool reused = false;
  cnet_request *req = nullptr;
};

void OnResponse(cnet_request *r, void *arg, int status, const cnet_header *, size_t) {
  auto *q = static_cast<Req *>(arg);
  q->status = status;
  cnet_request_info info;
  cnet_request_get_info(r, &info);
  q->reused = info.reused_connection;
}
void OnData(cnet_request *, void *arg, const uint8_t *, size_t len) {
  static_cast<Req *>(arg)->length += len;
}
void OnComplete(cnet_request *, void *arg, int error) {
  auto *q = static_cast<Req *>(arg);
  q->completes++;
  q->error = error;
}
const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

class CnetLoopIdleTest : public ::testing::Test {
 protected:
  void TearDown() override {
    cnet_context_destroy(ctx_);
    ctx_ = nullptr;
    cnet_test::RunUntilLoopEmpty(loop_.get());
  }
  // An HTTPS origin speaking |alpn| (then HTTP/1.1), trusted.
  void StartOrigin(cn_next_proto alpn) {
    cn_test_server_options o{};
    o.alpn[0] = alpn;
    o.alpn[1] = CN_PROTO_HTTP11;
    o.num_alpn = alpn == CN_PROTO_HTTP11 ? 1 : 2;
    origin_ = servers_.Start(o);
    origin_ca_ = WriteCa(origin_, "origin");
    base_ = "https://127.0.0.1:" + std::to_string(cn_test_server_port(origin_));
  }
  // Writes |s|'s CA to a per-process file; returns its path.
  std::string WriteCa(cn_test_server *s, const std::string &name) {
    std::string path =
        ::testing::TempDir() + std::to_string(getpid()) + "_cnet_loop_idle_" + name + ".pem";
    servers_.Call(
        [&] { ASSERT_EQ(CN_OK, cn_test_write_pem_file(path.c_str(), cn_test_server_ca_pem(s))); });
    return path;
  }
  // An HTTPS proxy speaking HTTP/2 (then HTTP/1.1), trusted, and a context
  // whose proxy it is.
  cn_test_server *StartHttp2ProxyAndContext() {
    cn_test_server_options po{};
    po.proxy = true;
    po.alpn[0] = CN_PROTO_HTTP2;
    po.alpn[1] = CN_PROTO_HTTP11;
    po.num_alpn = 2;
    cn_test_server *proxy = servers_.Start(po);
    proxy_ca_ = WriteCa(proxy, "proxy");
    std::string url = "https://127.0.0.1:" + std::to_string(cn_test_server_port(proxy));
    MakeContext(nullptr, url.c_str(), "h2,http/1.1");
    return proxy;
  }
  void MakeContext(const char *origin_protocols, const char *proxy = nullptr,
                   const char *proxy_protocols = nullptr) {
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();
    o.ca_file = origin_ca_.empty() ? nullptr : origin_ca_.c_str();
    o.proxy_ca_file = proxy_ca_.empty() ? nullptr : proxy_ca_.c_str();
    o.origin_protocols = origin_protocols;
    o.proxy = proxy;
    o.proxy_protocols = proxy_protocols;
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  }
  void Start(const std::string &url, Req *q) {
    cnet_request_options o;
    cnet_request_options_init(&o);
    o.url = url.c_str();
    ASSERT_EQ(0, cnet_request_start(ctx_, &o, &kCallbacks, q, &q->req));
  }
  // The point: uv_run(UV_RUN_DEFAULT) returns by itself. The watchdog does
  // not keep the loop alive; it only stops a loop that would never return.
  void RunLoopUntilItReturns() {
    cnet_test::Watchdog watchdog(loop_.get(), 10000, /*keeps_loop_alive=*/false);
    uv_run(loop_.get(), UV_RUN_DEFAULT);
    EXPECT_FALSE(watchdog.fired()) << "uv_run did not return: cnet kept the loop alive";
  }
  // |n| requests at once, run until the loop returns; all done and exact.
  void RunBatch(const std::string &url, size_t n, size_t length, std::vector<Req> *out) {
    out->assign(n, Req{});
    for (auto &q : *out)
      Start(url, &q);
    RunLoopUntilItReturns();
    for (auto &q : *out) {
      EXPECT_EQ(1, q.completes);
      EXPECT_EQ(0, q.error) << cnet_error_name(q.error);
      EXPECT_EQ(200, q.status);
      EXPECT_EQ(length, q.length);
    }
  }

  TestLoop loop_;
  ServerThread servers_;
  cn_test_server *origin_ = nullptr;
  std::string origin_ca_, proxy_ca_;
  std::string base_;
  cnet_context *ctx_ = nullptr;
};

TEST_F(CnetLoopIdleTest, Http11SequentialRequests) {
  StartOrigin(CN_PROTO_HTTP11);
  MakeContext(nullptr);
  std::vector<Req> batch;
  for (int i = 0; i < 3; i++)
    RunBatch(base_ + "/bytes/5000", 1, 5000, &batch);
  EXPECT_TRUE(batch[0].reused) << "the idle connection was kept";
  EXPECT_EQ(1u, servers_.Counters(origin_).connections_accepted);
}

// Concurrent requests open several connections (and connect jobs that lose
// the race leave unused idle connections, whose TLS keeps a read pending):
// none keeps the loop alive; the next batch reuses them.
TEST_F(CnetLoopIdleTest, Http11ConcurrentRequests) {
  StartOrigin(CN_PROTO_HTTP11);
  MakeContext(nullptr);
  std::vector<Req> batch;
  RunBatch(base_ + "/bytes/70000", 2, 70000, &batch);
  RunBatch(base_ + "/bytes/70000", 4, 70000, &batch);
  uint64_t accepted = servers_.Counters(origin_).connections_accepted;
  RunBatch(base_ + "/bytes/10", 1, 10, &batch);
  EXPECT_TRUE(batch[0].reused);
  EXPECT_EQ(accepted, servers_.Counters(origin_).connections_accepted);
}

TEST_F(CnetLoopIdleTest, Http2ConcurrentRequests) {
  StartOrigin(CN_PROTO_HTTP2);
  MakeContext("h2,http/1.1");
  std::vector<Req> batch;
  RunBatch(base_ + "/bytes/70000", 5, 70000, &batch);
  RunBatch(base_ + "/bytes/100", 1, 100, &batch);
  EXPECT_TRUE(batch[0].reused) << "the idle session was kept";
  cn_test_server_counters c = servers_.Counters(origin_);
  EXPECT_EQ(1u, c.http2_sessions);
  EXPECT_EQ(6u, c.http2_streams);
}

// http:// through an HTTPS proxy speaking HTTP/2: every request is a
// stream of the proxy's session, which stays open and idle in between.
TEST_F(CnetLoopIdleTest, ThroughAProxySession) {
  cn_test_server_options oo{};
  oo.plain = true;
  cn_test_server *origin = servers_.Start(oo);
  cn_test_server *proxy = StartHttp2ProxyAndContext();
  std::string url = "http://127.0.0.1:" + std::to_string(cn_test_server_port(origin));
  std::vector<Req> batch;
  RunBatch(url + "/bytes/3000", 3, 3000, &batch);
  RunBatch(url + "/bytes/3000", 1, 3000, &batch);
  EXPECT_TRUE(batch[0].reused);
  cn_test_server_counters c = servers_.Counters(proxy);
  EXPECT_EQ(1u, c.connections_accepted);
  EXPECT_EQ(1u, c.http2_sessions);
}

// https:// through an HTTPS proxy speaking HTTP/2: the tunnel is a CONNECT
// stream of the proxy's session; idle in its pool it does not keep the
// session's connection, hence the loop, busy.
TEST_F(CnetLoopIdleTest, TunnelThroughAProxySession) {
  StartOrigin(CN_PROTO_HTTP11);
  cn_test_server *proxy = StartHttp2ProxyAndContext();
  std::vector<Req> batch;
  RunBatch(base_ + "/bytes/3000", 2, 3000, &batch);
  RunBatch(base_ + "/bytes/3000", 1, 3000, &batch);
  EXPECT_TRUE(batch[0].reused) << "the idle tunnel (and TLS inside it) was kept";
  cn_test_server_counters c = servers_.Counters(proxy);
  EXPECT_EQ(1u, c.connections_accepted);
  EXPECT_EQ(1u, c.http2_sessions);
  EXPECT_EQ(2u, c.http2_streams) << "two tunnels, one per first-batch request";
}

}  // namespace
