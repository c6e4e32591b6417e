// The whole stack through an HTTPS proxy speaking HTTP/2 or SPDY/3.1: the
// embedding API (net/cnet.h) against two in-process test servers on
// loopback, a proxy and a plain HTTP origin behind it (the proxy's host map
// sends origin.test there). Requests are http:// so each one is a stream
// of the proxy's session (F4), and the client's counters count the client
// only (the servers log nowhere).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "net/base/net_errors.h"
#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"
#include "tools/testserver/test_server_test_util.h"

namespace {

using cnet_test::TestLoop;

// FNV-1a, 64 bits: a body is checked by its length and checksum as it
// streams in, so a thousand bodies need no memory.
uint64_t Fnv(uint64_t h, const uint8_t *data, size_t len) {
  for (size_t i = 0; i < len; i++) {
    h ^= data[i];
    h *= 1099511628211ull;
  }
  return h;
}
constexpr uint64_t kFnvBasis = 14695981039346656037ull;

struct Fetch {
  int status = 0;
  uint64_t length = 0;
  uint64_t checksum = kFnvBasis;
  int completes = 0;
  int error = 1;
  int resends = 0;
  cnet_request *req = nullptr;
};

void OnResponse(cnet_request *r, void *arg, int status, const cnet_header *, size_t) {
  auto *f = static_cast<Fetch *>(arg);
  f->status = status;
  cnet_request_info info;
  cnet_request_get_info(r, &info);
  f->resends = info.resends;
}
void OnData(cnet_request *, void *arg, const uint8_t *data, size_t len) {
  auto *f = static_cast<Fetch *>(arg);
  f->length += len;
  f->checksum = Fnv(f->checksum, data, len);
}
void OnComplete(cnet_request *, void *arg, int error) {
  auto *f = static_cast<Fetch *>(arg);
  f->completes++;
  f->error = error;
  f->req = nullptr;  // freed by cnet after on_complete
}
const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

struct ProtoParam {
  const char *alpn;  // the proxy's protocol
  cn_next_proto proto;
};

class CnetSpdyProxyTest : public ::testing::TestWithParam<ProtoParam> {
 protected:
  void TearDown() override {
    cnet_context_destroy(ctx_);
    cn_test_server_destroy(proxy_);
    cn_test_server_destroy(origin_);
    cnet_test::RunUntilLoopEmpty(loop_.get());  // every socket closed
  }

  // A plain origin, a proxy offering the protocol under test then
  // HTTP/1.1 (|session| for its sessions' limits and faults), and a
  // context whose proxy is it.
  // With |tls_origin| the origin is HTTPS (for origin.test), trusted too.
  void Start(const cn_test_server_session_options &session, bool tls_origin = false) {
    cn_test_server_options oo{};
    const char *names[] = {"origin.test"};
    oo.plain = !tls_origin;
    oo.names = names;
    oo.num_names = 1;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &oo, &origin_));
    cn_test_server_host_mapping map = {"origin.test", "127.0.0.1"};
    cn_test_server_options po{};
    po.proxy = true;
    po.alpn[0] = GetParam().proto;
    po.alpn[1] = CN_PROTO_HTTP11;
    po.num_alpn = 2;
    po.proxy_options.map = &map;
    po.proxy_options.num_map = 1;
    po.session_options = session;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &po, &proxy_));
    ca_path_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_spdy_proxy_ca.pem";
    ASSERT_EQ(CN_OK, cn_test_write_pem_file(ca_path_.c_str(), cn_test_server_ca_pem(proxy_)));
    if (tls_origin) {
      origin_ca_path_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_spdy_proxy_origin_ca.pem";
      ASSERT_EQ(CN_OK, cn_test_write_pem_file(origin_ca_path_.c_str(),
                                              cn_test_server_ca_pem(origin_)));
    }
    proxy_url_ = "https://127.0.0.1:" + std::to_string(cn_test_server_port(proxy_));
    origin_base_ = "http://origin.test:" + std::to_string(cn_test_server_port(origin_));
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();
    o.proxy = proxy_url_.c_str();
    o.proxy_ca_file = ca_path_.c_str();
    if (tls_origin)
      o.ca_file = origin_ca_path_.c_str();
    std::string protocols = std::string(GetParam().alpn) + ",http/1.1";
    o.proxy_protocols = protocols.c_str();
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  }

  // |target|: a path on the plain origin, or with |absolute| a whole URL.
  int StartFetch(const std::string &target, Fetch *f, bool absolute = false) {
    cnet_request_options o{};
    std::string url = absolute ? target : origin_base_ + target;
    o.url = url.c_str();
    return cnet_request_start(ctx_, &o, &kCallbacks, f, &f->req);
  }

  // Runs the loop until every fetch completed; bounded by |max_ms| so a
  // stall fails instead of hanging.
  bool RunUntilDone(const std::vector<Fetch> &fetches, uint64_t max_ms) {
    return cnet_test::RunUntil(
        loop_.get(),
        [&] {
          for (const auto &f : fetches) {
            if (f.completes == 0)
              return false;
          }
          return true;
        },
        max_ms);
  }

  bool RunUntilDone(const Fetch &f, uint64_t max_ms) {
    return cnet_test::RunUntil(loop_.get(), [&] { return f.completes > 0; }, max_ms);
  }

  // A proxy whose HTTP/2 session resets every stream with HTTP_1_1_REQUIRED
  // (0xd), as the test server's --rst-stream 13 does.
  void StartWithProxyRequiringHttp11(bool tls_origin) {
    cn_test_server_session_options so{};
    so.rst_stream = true;
    so.rst_stream_code = 0xd;
    Start(so, tls_origin);
  }
  // The proxy saw one HTTP/2 stream (refused), then one HTTP/1.1
  // connection carried the rest.
  void ExpectOnlyTheFirstTriedHttp2() {
    cn_test_server_counters pc;
    cn_test_server_get_counters(proxy_, &pc);
    EXPECT_EQ(1u, pc.http2_streams);
    EXPECT_EQ(1u, pc.http1_connections);
  }
  // GETs |base|/bytes/|n| and checks the answer; returns the resends.
  int FetchBytes(const std::string &base, size_t n) {
    Fetch f;
    EXPECT_EQ(0, StartFetch(base + "/bytes/" + std::to_string(n), &f, /*absolute=*/true));
    EXPECT_TRUE(RunUntilDone(f, 10000));
    EXPECT_EQ(0, f.error);
    EXPECT_EQ(200, f.status);
    EXPECT_EQ(n, f.length);
    return f.resends;
  }

  TestLoop loop_;
  cn_test_server *origin_ = nullptr;
  cn_test_server *proxy_ = nullptr;
  cnet_context *ctx_ = nullptr;
  std::string ca_path_, origin_ca_path_, proxy_url_, origin_base_;
};

INSTANTIATE_TEST_SUITE_P(Protocols, CnetSpdyProxyTest,
                         testing::Values(ProtoParam{"h2", CN_PROTO_HTTP2},
                                         ProtoParam{"spdy/3.1", CN_PROTO_SPDY31}),
                         [](const testing::TestParamInfo<ProtoParam> &i) {
                           return std::string(i.param.proto == CN_PROTO_HTTP2 ? "Http2"
                                                                              : "Spdy31");
                         });

// A thousand requests started at once through one proxy session whose peer
// allows fewer concurrent streams: the rest queue for slots; every one
// completes with its own body intact, over 1 TCP connection, 1 TLS
// handshake and 1 session.
TEST_P(CnetSpdyProxyTest, ThousandConcurrentRequestsOverOneProxySession) {
  cn_test_server_session_options so{};
  so.max_concurrent_streams = 100;
  ASSERT_NO_FATAL_FAILURE(Start(so));
  const int kRequests = 1000;
  std::vector<Fetch> fetches(kRequests);
  std::vector<size_t> sizes(kRequests);
  for (int i = 0; i < kRequests; i++) {
    // Distinct sizes: 0 bytes up to ~70 KB (past a 64 KiB stream window
    // for some), so a body landing on another request's stream shows.
    sizes[i] = static_cast<size_t>((i * 7919) % 70001);
    ASSERT_EQ(0, StartFetch("/bytes/" + std::to_string(sizes[i]), &fetches[i])) << i;
  }
  ASSERT_TRUE(RunUntilDone(fetches, 60000)) << "requests did not complete";
  int failures = 0;
  for (int i = 0; i < kRequests && failures < 10; i++) {
    std::string want = cnet_test::PatternBytes(0, sizes[i]);
    uint64_t sum = Fnv(kFnvBasis, reinterpret_cast<const uint8_t *>(want.data()), want.size());
    bool ok = fetches[i].error == 0 && fetches[i].status == 200 &&
              fetches[i].length == sizes[i] && fetches[i].checksum == sum &&
              fetches[i].completes == 1 && fetches[i].resends == 0;
    EXPECT_TRUE(ok) << "request " << i << ": error " << fetches[i].error << " status "
                    << fetches[i].status << " length " << fetches[i].length << "/" << sizes[i]
                    << " completes " << fetches[i].completes << " resends "
                    << fetches[i].resends;
    failures += !ok;
  }
  cn_test_server_counters pc;
  cn_test_server_get_counters(proxy_, &pc);
  EXPECT_EQ(1u, pc.connections_accepted);
  EXPECT_EQ(static_cast<uint64_t>(kRequests),
            GetParam().proto == CN_PROTO_HTTP2 ? pc.http2_streams : pc.spdy_streams);
  cnet_stats st;
  cnet_context_destroy_with_stats(ctx_, &st);
  ctx_ = nullptr;
  EXPECT_EQ(1u, st.tcp_connects);
  EXPECT_EQ(1u, st.tls_handshakes);
  EXPECT_EQ(1u, st.sessions);
  EXPECT_EQ(static_cast<uint64_t>(kRequests), st.streams);
  EXPECT_EQ(static_cast<uint64_t>(kRequests), st.requests);
}

// Eight https:// requests started at once to a proxy never tried (F5):
// their tunnel jobs race, but only the first connects to the proxy; the
// others wait for its session and open their CONNECT streams on it — one
// TCP connection and one session to the proxy, not one per tunnel.
TEST_P(CnetSpdyProxyTest, RacingTunnelsWaitForOneProxySession) {
  ASSERT_NO_FATAL_FAILURE(Start(cn_test_server_session_options{}, /*tls_origin=*/true));
  std::string base = "https://origin.test:" + std::to_string(cn_test_server_port(origin_));
  const int kRequests = 8;
  std::vector<Fetch> fetches(kRequests);
  for (int i = 0; i < kRequests; i++)
    ASSERT_EQ(0, StartFetch(base + "/bytes/" + std::to_string(1000 + i), &fetches[i], true));
  ASSERT_TRUE(RunUntilDone(fetches, 20000)) << "requests did not complete";
  for (int i = 0; i < kRequests; i++) {
    EXPECT_EQ(0, fetches[i].error) << i;
    EXPECT_EQ(static_cast<uint64_t>(1000 + i), fetches[i].length) << i;
  }
  cn_test_server_counters pc;
  cn_test_server_get_counters(proxy_, &pc);
  EXPECT_EQ(1u, pc.connections_accepted) << "one connection to the proxy";
  cnet_stats st;
  cnet_context_destroy_with_stats(ctx_, &st);
  ctx_ = nullptr;
  EXPECT_EQ(1u, st.tcp_connects);
  EXPECT_EQ(1u, st.sessions);
  EXPECT_GE(st.tunnels, 1u);
}

// HTTP_1_1_REQUIRED is HTTP/2's (SPDY/3.1 has no such code): these run
// over HTTP/2 only.
class CnetHttp2ProxyTest : public CnetSpdyProxyTest {};
INSTANTIATE_TEST_SUITE_P(Http2Only, CnetHttp2ProxyTest,
                         testing::Values(ProtoParam{"h2", CN_PROTO_HTTP2}),
                         [](const testing::TestParamInfo<ProtoParam> &) { return "Http2"; });

// A proxy that refuses a request on its HTTP/2 session with
// HTTP_1_1_REQUIRED (RST_STREAM 0xd): the request is resent to it over
// HTTP/1.1 and succeeds; the proxy is offered HTTP/1.1 only from then on
// (later requests too).
TEST_P(CnetHttp2ProxyTest, Http11RequiredByTheProxyForARequest) {
  ASSERT_NO_FATAL_FAILURE(StartWithProxyRequiringHttp11(false));
  for (int i = 0; i < 2; i++)
    EXPECT_EQ(i == 0 ? 1 : 0, FetchBytes(origin_base_, 5000)) << "resends of request " << i;
  ExpectOnlyTheFirstTriedHttp2();
  cnet_stats st;
  cnet_context_destroy_with_stats(ctx_, &st);
  ctx_ = nullptr;
  EXPECT_EQ(2u, st.tcp_connects);
}

// The same for a CONNECT (an https:// origin through the proxy): the
// tunnel is made again over an HTTP/1.1 connection to the proxy.
TEST_P(CnetHttp2ProxyTest, Http11RequiredByTheProxyForAConnect) {
  ASSERT_NO_FATAL_FAILURE(StartWithProxyRequiringHttp11(true));
  std::string base = "https://origin.test:" + std::to_string(cn_test_server_port(origin_));
  for (int i = 0; i < 2; i++)
    FetchBytes(base, 7000);
  ExpectOnlyTheFirstTriedHttp2();
  cn_test_server_proxy_counters px;
  cn_test_server_get_proxy_counters(proxy_, &px);
  EXPECT_EQ(1u, px.tunnels_opened) << "the second request reused the tunnel";
}

}  // namespace
