// cnet_request_get_load_timing through the in-process HTTPS proxy to an
// HTTPS origin: a fresh connection has every step, in order; the next
// request on the idle connection has no connect steps (Chromium's rule) and
// says it reused the socket. Orders only, never durations.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "net/cnet.h"
#include "net/cnet_https_proxy_test_util.h"
#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::HttpsProxyAndOrigin;
using cnet_test::TestLoop;

struct Timed {
  int completes = 0;
  int error = 1;
  cnet_load_timing at_response{};
  cnet_load_timing at_complete{};
};

const cnet_request_callbacks kCallbacks = {
    [](cnet_request *r, void *arg, int, const cnet_header *, size_t) {
      cnet_request_get_load_timing(r, &static_cast<Timed *>(arg)->at_response);
    },
    [](cnet_request *, void *, const uint8_t *, size_t) {},
    [](cnet_request *r, void *arg, int error) {
      auto *t = static_cast<Timed *>(arg);
      t->completes++;
      t->error = error;
      cnet_request_get_load_timing(r, &t->at_complete);
    }};

// Each step's time is at or after the one before it; every step is set.
void ExpectOrdered(const std::vector<std::pair<const char *, uint64_t>> &steps) {
  for (size_t i = 0; i < steps.size(); i++) {
    EXPECT_NE(0u, steps[i].second) << steps[i].first << " not set";
    if (i) {
      EXPECT_LE(steps[i - 1].second, steps[i].second)
          << steps[i - 1].first << " after " << steps[i].first;
    }
  }
}

class CnetLoadTimingTest : public ::testing::TestWithParam<bool> {};

INSTANTIATE_TEST_SUITE_P(Protocols, CnetLoadTimingTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &i) {
                           return std::string(i.param ? "F6OverH2" : "F2OverHttp11");
                         });

// Over HTTP/1.1 (F2) and over HTTP/2 to the proxy and to the origin (F6,
// SPDY/HTTP2 streams): every step set and in order on the fresh request.
TEST_P(CnetLoadTimingTest, FreshThenReusedThroughAnHttpsProxy) {
  TestLoop loop;
  HttpsProxyAndOrigin servers;
  servers.Start(loop.get(), GetParam() ? "timing_h2" : "timing", GetParam());
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  std::string url = servers.url();
  cnet_context_options o;
  cnet_context_options_init(&o);
  servers.FillOptions(loop.get(), &o);
  cnet_context *ctx = nullptr;
  char err[256];
  ASSERT_EQ(0, cnet_context_new(&o, &ctx, err, sizeof(err))) << err;

  Timed fresh, reused;
  for (Timed *t : {&fresh, &reused}) {
    cnet_request_options ro;
    cnet_request_options_init(&ro);
    ro.url = url.c_str();
    cnet_request *req = nullptr;
    ASSERT_EQ(0, cnet_request_start(ctx, &ro, &kCallbacks, t, &req));
    ASSERT_TRUE(cnet_test::RunUntil(loop.get(), [&] { return t->completes > 0; }));
    EXPECT_EQ(0, t->error);
  }

  const cnet_load_timing &f = fresh.at_complete;
  EXPECT_FALSE(f.socket_reused);
  EXPECT_FALSE(f.tunnel_reused);
  EXPECT_FALSE(f.proxy_reused);
  ExpectOrdered({{"request_start", f.request_start},
                 {"proxy_resolve_start", f.proxy_resolve_start},
                 {"proxy_resolve_end", f.proxy_resolve_end},
                 {"dns_start", f.dns_start},
                 {"dns_end", f.dns_end},
                 {"connect_start", f.connect_start},
                 {"connect_end", f.connect_end},
                 {"proxy_tls_start", f.proxy_tls_start},
                 {"proxy_tls_end", f.proxy_tls_end},
                 {"tunnel_start", f.tunnel_start},
                 {"tunnel_end", f.tunnel_end},
                 {"origin_tls_start", f.origin_tls_start},
                 {"origin_tls_end", f.origin_tls_end},
                 {"send_start", f.send_start},
                 {"send_end", f.send_end},
                 {"receive_headers_start", f.receive_headers_start},
                 {"receive_headers_end", f.receive_headers_end},
                 {"end", f.end}});
  EXPECT_EQ(f.proxy_tls_start, f.hop_tls_start[0]);
  EXPECT_EQ(f.proxy_tls_end, f.hop_tls_end[0]);
  EXPECT_EQ(0u, f.hop_tls_start[1]);
  // At on_response everything but the end is known already.
  EXPECT_EQ(f.origin_tls_end, fresh.at_response.origin_tls_end);
  EXPECT_EQ(0u, fresh.at_response.end);

  const cnet_load_timing &r = reused.at_complete;
  EXPECT_TRUE(r.socket_reused);
  EXPECT_TRUE(r.tunnel_reused);
  EXPECT_TRUE(r.proxy_reused);
  for (uint64_t v : {r.dns_start, r.dns_end, r.connect_start, r.connect_end, r.proxy_tls_start,
                     r.proxy_tls_end, r.tunnel_start, r.tunnel_end, r.origin_tls_start,
                     r.origin_tls_end, r.hop_tls_start[0], r.hop_tls_end[0]})
    EXPECT_EQ(0u, v) << "a reused connection has no connect steps";
  ExpectOrdered({{"request_start", r.request_start},
                 {"proxy_resolve_start", r.proxy_resolve_start},
                 {"proxy_resolve_end", r.proxy_resolve_end},
                 {"send_start", r.send_start},
                 {"send_end", r.send_end},
                 {"receive_headers_start", r.receive_headers_start},
                 {"receive_headers_end", r.receive_headers_end},
                 {"end", r.end}});
  EXPECT_LE(f.end, r.request_start);

  cnet_context_destroy(ctx);
  servers.Stop();
  cnet_test::RunUntilLoopEmpty(loop.get());
}

}  // namespace
