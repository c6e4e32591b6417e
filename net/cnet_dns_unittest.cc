// Name resolution and network change through the embedding API: a context
// whose dns_servers is a DNS server the test runs on loopback
// (net/dns/dns_test_server.h) fetches https://name.test:PORT/ from the
// in-process test server; cnet_context_network_changed() closes idle
// connections, sends sessions away and clears the host cache.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "net/cnet.h"
#include "net/dns/dns_test_server.h"
#include "net/socket/socket_test_util.h"
#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"

namespace {

constexpr int kTypeA = 1;

struct Req {
  int status = 0;
  bool got_response = false;
  std::string body;
  int completes = 0;
  int error = 1;
  std::string protocol;
  std::function<void()> on_response;
  cnet_request *req = nullptr;
};

void OnResponse(cnet_request *r, void *arg, int status, const cnet_header *, size_t) {
  Req *q = static_cast<Req *>(arg);
  q->status = status;
  q->got_response = true;
  cnet_request_layers layers{};
  cnet_request_get_layers(r, &layers);
  q->protocol = layers.protocol ? layers.protocol : "";
  if (q->on_response)
    q->on_response();
}
void OnData(cnet_request *, void *arg, const uint8_t *data, size_t len) {
  static_cast<Req *>(arg)->body.append(reinterpret_cast<const char *>(data), len);
}
void OnComplete(cnet_request *, void *arg, int error) {
  Req *q = static_cast<Req *>(arg);
  q->completes++;
  q->error = error;
}
const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

struct NetLogLines {
  static void Sink(void *arg, const char *line, size_t len) {
    static_cast<NetLogLines *>(arg)->lines.emplace_back(line, len);
  }
  std::string Find(const std::string &type) const {
    for (const std::string &l : lines) {
      if (l.find("\"type\":\"" + type + "\"") != std::string::npos)
        return l;
    }
    return "";
  }
  std::vector<std::string> lines;
};

class CnetDnsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dns_.Start()); }
  void TearDown() override {
    cnet_context_destroy(ctx_);
    cn_test_server_destroy(server_);
    cnet_test::RunUntilIdle(loop_.get());
    std::remove(ca_path_.c_str());
  }
  void StartServer(bool h2) {
    cn_test_server_options o{};
    const char *names[] = {"name.test"};
    o.names = names;
    o.num_names = 1;
    if (h2) {
      o.alpn[0] = CN_PROTO_HTTP2;
      o.num_alpn = 1;
    }
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &o, &server_));
    ca_path_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_dns_ca.pem";
    ASSERT_EQ(CN_OK, cn_test_write_pem_file(ca_path_.c_str(), cn_test_server_ca_pem(server_)));
    base_ = "https://name.test:" + std::to_string(cn_test_server_port(server_));
  }
  void MakeContext(const char *protocols = nullptr) {
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();
    o.ca_file = ca_path_.c_str();
    servers_ = dns_.address();
    o.dns_servers = servers_.c_str();
    o.hosts_file = "";
    o.origin_protocols = protocols;
    o.netlog = NetLogLines::Sink;
    o.netlog_arg = &netlog_;
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  }
  void Fetch(const std::string &path, Req *q) {
    cnet_request_options o;
    cnet_request_options_init(&o);
    std::string url = base_ + path;
    o.url = url.c_str();
    ASSERT_EQ(0, cnet_request_start(ctx_, &o, &kCallbacks, q, &q->req));
  }
  void Wait(Req *q) {
    ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return q->completes > 0; }));
  }
  cn_test_server_counters Counters() {
    cn_test_server_counters c;
    cn_test_server_get_counters(server_, &c);
    return c;
  }

  cnet_test::TestLoop loop_;
  cnet_test::DnsTestServer dns_{loop_.get()};
  cn_test_server *server_ = nullptr;
  cnet_context *ctx_ = nullptr;
  std::string ca_path_, base_, servers_;
  NetLogLines netlog_;
};

TEST_F(CnetDnsTest, FetchesANameFromTheConfiguredDnsServer) {
  StartServer(false);
  dns_.Add("name.test", "127.0.0.1");
  MakeContext();
  Req q;
  Fetch("/", &q);
  Wait(&q);
  EXPECT_EQ(0, q.error);
  EXPECT_EQ(200, q.status);
  EXPECT_EQ(1, dns_.queries("name.test", kTypeA));
  // The second request reuses the cached answer (and the connection).
  Req again;
  Fetch("/", &again);
  Wait(&again);
  EXPECT_EQ(200, again.status);
  EXPECT_EQ(1, dns_.queries("name.test", kTypeA));
}

TEST_F(CnetDnsTest, AnUnknownNameIsNameNotResolved) {
  StartServer(false);
  MakeContext();
  Req q;
  Fetch("/", &q);
  Wait(&q);
  EXPECT_EQ(CNET_ERR_NAME_NOT_RESOLVED, q.error);
  EXPECT_EQ(0u, Counters().connections_accepted);
  std::string job_end;
  for (const std::string &l : netlog_.lines) {
    if (l.find("\"type\":\"HOST_RESOLVER_JOB\"") != std::string::npos &&
        l.find("\"phase\":\"END\"") != std::string::npos)
      job_end = l;
  }
  EXPECT_NE(std::string::npos, job_end.find("name.test")) << job_end;
  EXPECT_NE(std::string::npos, job_end.find("ERR_NAME_NOT_RESOLVED")) << job_end;
}

TEST_F(CnetDnsTest, ABadDnsServerListFailsTheContext) {
  cnet_context_options o;
  cnet_context_options_init(&o);
  o.loop = loop_.get();
  o.dns_servers = "dns.example:53";  // a name, not an address
  char err[256] = "";
  EXPECT_NE(0, cnet_context_new(&o, &ctx_, err, sizeof(err)));
  EXPECT_EQ(nullptr, ctx_);
  EXPECT_NE(std::string::npos, std::string(err).find("dns.example:53")) << err;
}

TEST_F(CnetDnsTest, NetworkChangeClosesIdleConnectionsAndClearsTheHostCache) {
  StartServer(false);
  dns_.Add("name.test", "127.0.0.1");
  MakeContext();
  Req first;
  Fetch("/", &first);
  Wait(&first);
  ASSERT_EQ(200, first.status);
  ASSERT_EQ(1u, Counters().connections_open) << "kept alive, idle in the pool";

  cnet_context_network_changed(ctx_);
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return Counters().connections_open == 0; }));
  std::string changed = netlog_.Find("NETWORK_CHANGED");
  EXPECT_NE(std::string::npos, changed.find("\"idle_sockets_closed\":1")) << changed;
  EXPECT_NE(std::string::npos, changed.find("\"host_cache_cleared\":1")) << changed;

  // Asked again, on a new connection.
  Req second;
  Fetch("/", &second);
  Wait(&second);
  EXPECT_EQ(200, second.status);
  EXPECT_EQ(2, dns_.queries("name.test", kTypeA));
  EXPECT_EQ(2u, Counters().connections_accepted);
}

TEST_F(CnetDnsTest, NetworkChangeLetsOpenStreamsFinishButStartsNoNewOnes) {
  StartServer(true);
  dns_.Add("name.test", "127.0.0.1");
  MakeContext("h2");
  Req slow;
  slow.on_response = [&] { cnet_context_network_changed(ctx_); };
  Fetch("/slow/200", &slow);
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return slow.got_response; }));
  EXPECT_EQ("h2", slow.protocol);
  std::string changed = netlog_.Find("NETWORK_CHANGED");
  EXPECT_NE(std::string::npos, changed.find("\"sessions_going_away\":1")) << changed;

  // A request started now does not ride the going-away session.
  Req next;
  Fetch("/", &next);
  Wait(&slow);
  Wait(&next);
  EXPECT_EQ(0, slow.error) << "the open stream finished";
  EXPECT_EQ(1000u, slow.body.size());
  EXPECT_EQ(200, next.status);
  EXPECT_EQ(2u, Counters().http2_sessions);
}

}  // namespace
