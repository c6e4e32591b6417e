// The embedding API (net/cnet.h) against the in-process test server.
#include "net/cnet.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "net/base/net_errors.h"
#include "net/socket/socket_test_util.h"
#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"

namespace {

using cnet_test::TestLoop;

// What one request's callbacks saw.
struct Result {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int completes = 0;
  int error = 1;
  int order_errors = 0;  // a callback out of order
  cnet_request *req = nullptr;
  // Cancel from inside a callback: 1 on_response, 2 on_data.
  int cancel_in = 0;
  cnet_request_info info{};
  std::string info_url, info_alpn;
  std::string status_line;
  cnet_request_layers layers{};
  std::string protocol, origin_tls_version;
  // cnet_request_get_error_source inside on_complete.
  int error_hop = 99;
  std::string error_proxy, error_from;
};

void OnResponse(cnet_request *r, void *arg, int status, const cnet_header *h, size_t n) {
  auto *res = static_cast<Result *>(arg);
  if (res->status || res->completes)
    res->order_errors++;
  res->status = status;
  for (size_t i = 0; i < n; i++)
    res->headers.emplace_back(h[i].name, h[i].value);
  cnet_request_get_info(r, &res->info);
  res->info_url = res->info.url;
  res->info_alpn = res->info.alpn;
  res->status_line = cnet_request_status_line(r);
  cnet_request_get_layers(r, &res->layers);
  res->protocol = res->layers.protocol;
  res->origin_tls_version = res->layers.origin_tls.version;
  if (res->cancel_in == 1)
    cnet_request_cancel(r);
}

void OnData(cnet_request *r, void *arg, const uint8_t *data, size_t len) {
  auto *res = static_cast<Result *>(arg);
  if (!res->status || res->completes)
    res->order_errors++;
  res->body.append(reinterpret_cast<const char *>(data), len);
  if (res->cancel_in == 2)
    cnet_request_cancel(r);
}

void OnComplete(cnet_request *r, void *arg, int error) {
  auto *res = static_cast<Result *>(arg);
  res->completes++;
  res->error = error;
  cnet_error_source src;
  cnet_request_get_error_source(r, &src);
  res->error_hop = src.hop;
  res->error_proxy = src.proxy;
  res->error_from = src.description;
}

const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++)
    s[i] = static_cast<char>((i * 31 + 7) & 0xff);
  return s;
}

class CnetApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cn_test_server_options o{};
    const char *names[] = {"origin.test"};
    o.names = names;
    o.num_names = 1;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &o, &server_));
    ca_path_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_api_ca.pem";
    ASSERT_EQ(CN_OK, cn_test_write_pem_file(ca_path_.c_str(), cn_test_server_ca_pem(server_)));
    base_ = "https://127.0.0.1:" + std::to_string(cn_test_server_port(server_));
  }
  void TearDown() override {
    cnet_context_destroy(ctx_);
    cn_test_server_destroy(server_);
    cnet_test::RunUntilLoopEmpty(loop_.get());  // every socket closed
  }
  void MakeContext(cnet_context_options *extra = nullptr) {
    cnet_context_options o;
    cnet_context_options_init(&o);
    if (extra)
      o = *extra;
    o.loop = loop_.get();
    o.ca_file = ca_path_.c_str();
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  }
  int Start(const std::string &url, Result *res, cnet_request_options *extra = nullptr) {
    cnet_request_options o{};
    if (extra)
      o = *extra;
    o.url = url.c_str();
    return cnet_request_start(ctx_, &o, &kCallbacks, res, &res->req);
  }
  // Runs the loop until every result completed (or a bound passes).
  void RunUntilDone(std::vector<Result *> results, int max_ms = 10000) {
    bool done = cnet_test::RunUntil(
        loop_.get(),
        [&] {
          for (auto *r : results) {
            if (r->completes == 0)
              return false;
          }
          return true;
        },
        static_cast<uint64_t>(max_ms));
    EXPECT_TRUE(done) << "requests did not complete";
  }
  cn_test_server_counters ServerCounters() {
    cn_test_server_counters c;
    cn_test_server_get_counters(server_, &c);
    return c;
  }
  // Runs the loop until the server has received |n| requests in all.
  void RunUntilServerRequests(uint64_t n) {
    ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return ServerCounters().requests >= n; }));
  }
  // Runs the loop until the server saw every connection close, then until
  // the client side is idle: nothing more can reach a request.
  void RunUntilServerConnectionsClosed() {
    ASSERT_TRUE(
        cnet_test::RunUntil(loop_.get(), [&] { return ServerCounters().connections_open == 0; }));
    cnet_test::RunUntilIdle(loop_.get());
  }

  TestLoop loop_;
  cn_test_server *server_ = nullptr;
  std::string ca_path_;
  std::string base_;
  cnet_context *ctx_ = nullptr;
};

TEST_F(CnetApiTest, GetBodyHeadersAndCallbackOrder) {
  MakeContext();
  Result res;
  ASSERT_EQ(0, Start(base_ + "/bytes/100000", &res));
  EXPECT_EQ(0, res.completes) << "no callback from inside start";
  RunUntilDone({&res});
  EXPECT_EQ(0, res.error);
  EXPECT_EQ(200, res.status);
  EXPECT_EQ(Pattern(100000), res.body);
  EXPECT_EQ(1, res.completes);
  EXPECT_EQ(0, res.order_errors);
  bool has_length = false;
  for (auto &h : res.headers)
    has_length = has_length || (h.first == "Content-Length" && h.second == "100000");
  EXPECT_TRUE(has_length);
  EXPECT_EQ("http/1.1", res.info_alpn);
  cnet_stats st;
  cnet_context_get_stats(ctx_, &st);
  EXPECT_EQ(1u, st.tcp_connects);
  EXPECT_EQ(1u, st.tls_handshakes);
  EXPECT_EQ(1u, st.requests);
}

// What served each request, layer by layer: the second request reuses the
// idle TLS connection; the status line is the server's; the final stats
// come with the context's end.
TEST_F(CnetApiTest, LayersStatusLineAndFinalStats) {
  MakeContext();
  Result first, second;
  ASSERT_EQ(0, Start(base_ + "/bytes/10", &first));
  RunUntilDone({&first});
  ASSERT_EQ(0, Start(base_ + "/bytes/20", &second));
  RunUntilDone({&second});
  EXPECT_EQ("HTTP/1.1 200 OK", first.status_line);
  EXPECT_FALSE(first.layers.has_proxy);
  EXPECT_FALSE(first.layers.tunnel);
  EXPECT_FALSE(first.layers.session);
  EXPECT_EQ("http/1.1", first.protocol);
  EXPECT_EQ(0, first.origin_tls_version.compare(0, 6, "TLSv1."));
  EXPECT_FALSE(first.layers.connection_reused);
  EXPECT_TRUE(second.layers.connection_reused);
  EXPECT_TRUE(second.info.reused_connection);
  cnet_stats st;
  cnet_context_destroy_with_stats(ctx_, &st);
  ctx_ = nullptr;
  EXPECT_EQ(1u, st.tcp_connects);
  EXPECT_EQ(2u, st.requests);
}

// An origin of the SPDY era: TLS 1.2, no ALPN, SPDY/3.1 advertised through
// NPN. A context offering spdy/3.1 gets it through NPN, and both requests
// share one session; offering only http/1.1, it speaks HTTP/1.1.
TEST_F(CnetApiTest, SpdyByNpnFromAServerWithoutAlpn) {
  cn_test_server_options so{};
  const char *names[] = {"origin.test"};
  so.names = names;
  so.num_names = 1;
  so.alpn[0] = CN_PROTO_SPDY31;
  so.alpn[1] = CN_PROTO_HTTP11;
  so.num_alpn = 2;
  so.npn_only = true;
  cn_test_server *npn_server = nullptr;
  ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &so, &npn_server));
  ca_path_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_api_npn_ca.pem";  // MakeContext trusts it
  ASSERT_EQ(CN_OK, cn_test_write_pem_file(ca_path_.c_str(), cn_test_server_ca_pem(npn_server)));
  std::string base = "https://127.0.0.1:" + std::to_string(cn_test_server_port(npn_server));
  for (const char *protocols : {"spdy/3.1,http/1.1", "http/1.1"}) {
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.origin_protocols = protocols;
    MakeContext(&o);
    Result first, second;
    ASSERT_EQ(0, Start(base + "/bytes/1000", &first));
    ASSERT_EQ(0, Start(base + "/bytes/2000", &second));
    RunUntilDone({&first, &second});
    EXPECT_EQ(0, first.error);
    EXPECT_EQ(Pattern(2000), second.body);
    bool spdy = std::string(protocols) != "http/1.1";
    EXPECT_EQ(spdy ? "spdy/3.1" : "http/1.1", first.protocol) << protocols;
    EXPECT_EQ("TLSv1.2", first.origin_tls_version) << protocols;
    cnet_stats st;
    cnet_context_destroy_with_stats(ctx_, &st);
    ctx_ = nullptr;
    EXPECT_EQ(spdy ? 1u : 0u, st.sessions) << protocols;
    EXPECT_EQ(spdy ? 1u : 2u, st.tcp_connects) << protocols;
  }
  cn_test_server_destroy(npn_server);
}

// A status line longer than the report's inline room ("HTTP/1.1 503
// Service Unavailable") is whole; a method other than the usual ones is
// sent as given (and its copy freed: ASan); two requests' reports share
// one copy of their TLS facts (the context keeps it), not one each.
TEST_F(CnetApiTest, LongStatusLineCustomMethodAndSharedRouteStrings) {
  MakeContext();
  Result unavailable, propfind, again;
  ASSERT_EQ(0, Start(base_ + "/status/503", &unavailable));
  RunUntilDone({&unavailable});
  EXPECT_EQ("HTTP/1.1 503 Service Unavailable", unavailable.status_line);
  cnet_request_options o{};
  o.method = "PROPFIND";
  ASSERT_EQ(0, Start(base_ + "/bytes/5", &propfind, &o));
  RunUntilDone({&propfind});
  EXPECT_EQ(0, propfind.error);
  EXPECT_EQ(200, propfind.status);
  EXPECT_EQ(base_ + "/bytes/5", propfind.info_url);
  ASSERT_EQ(0, Start(base_ + "/bytes/6", &again));
  RunUntilDone({&again});
  EXPECT_EQ(0, again.error);
  ASSERT_NE(nullptr, propfind.layers.origin_tls.cipher);
  EXPECT_NE('\0', propfind.layers.origin_tls.cipher[0]);
  // Pointers only: the requests are gone, their strings are the context's.
  EXPECT_EQ(propfind.layers.origin_tls.cipher, again.layers.origin_tls.cipher);
  EXPECT_EQ(propfind.layers.origin_tls.version, again.layers.origin_tls.version);
}

// The status line says what the protocol carried: HTTP/2 has no version
// string nor reason ("HTTP/2 200", as curl writes it); SPDY/3.1's :version
// and :status give "HTTP/1.1 200 OK".
TEST_F(CnetApiTest, StatusLinePerProtocol) {
  struct {
    cn_next_proto proto;
    const char *offer, *want;
  } cases[] = {{CN_PROTO_HTTP2, "h2", "HTTP/2 200"},
               {CN_PROTO_SPDY31, "spdy/3.1", "HTTP/1.1 200 OK"}};
  for (const auto &c : cases) {
    cn_test_server_options so{};
    so.alpn[0] = c.proto;
    so.num_alpn = 1;
    cn_test_server *mux = nullptr;
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &so, &mux));
    ca_path_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_api_mux_ca.pem";
    ASSERT_EQ(CN_OK, cn_test_write_pem_file(ca_path_.c_str(), cn_test_server_ca_pem(mux)));
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.origin_protocols = c.offer;
    MakeContext(&o);
    Result res;
    ASSERT_EQ(0, Start("https://127.0.0.1:" + std::to_string(cn_test_server_port(mux)) +
                           "/bytes/10",
                       &res));
    RunUntilDone({&res});
    EXPECT_EQ(0, res.error) << c.offer;
    EXPECT_EQ(c.offer, res.protocol);
    EXPECT_EQ(c.want, res.status_line);
    cnet_context_destroy(ctx_);
    ctx_ = nullptr;
    cn_test_server_destroy(mux);
  }
}

// max_redirects < 0: following is on, but the first redirect fails.
TEST_F(CnetApiTest, NegativeMaxRedirectsFollowsNone) {
  MakeContext();
  Result res;
  cnet_request_options o{};
  o.follow_redirects = true;
  o.max_redirects = -1;
  ASSERT_EQ(0, Start(base_ + "/redirect/1", &res, &o));
  RunUntilDone({&res});
  EXPECT_EQ(CN_ERR_TOO_MANY_REDIRECTS, res.error);
}

TEST_F(CnetApiTest, ManyConcurrentRequestsShareConnections) {
  cnet_context_options o;
  cnet_context_options_init(&o);
  o.max_sockets_per_host = 4;
  MakeContext(&o);
  const int kRequests = 40;
  std::vector<Result> results(kRequests);
  std::vector<Result *> ptrs;
  for (int i = 0; i < kRequests; i++) {
    ASSERT_EQ(0, Start(base_ + "/bytes/" + std::to_string(1000 + i), &results[i]));
    ptrs.push_back(&results[i]);
  }
  RunUntilDone(ptrs, 30000);
  for (int i = 0; i < kRequests; i++) {
    EXPECT_EQ(0, results[i].error) << i;
    EXPECT_EQ(Pattern(1000 + i), results[i].body) << i;
  }
  cnet_stats st;
  cnet_context_get_stats(ctx_, &st);
  EXPECT_LE(st.tcp_connects, 4u) << "at most the per-host limit of connections";
  EXPECT_EQ(static_cast<uint64_t>(kRequests), st.requests);
}

TEST_F(CnetApiTest, ErrorsAtStartAndAsync) {
  MakeContext();
  Result bad;
  cnet_request *r = nullptr;
  cnet_request_options o{};
  o.url = "not a url";
  EXPECT_EQ(CN_ERR_INVALID_URL, cnet_request_start(ctx_, &o, &kCallbacks, &bad, &r));
  EXPECT_EQ(nullptr, r);
  o.url = "ftp://example.test/";
  EXPECT_EQ(CN_ERR_UNKNOWN_URL_SCHEME, cnet_request_start(ctx_, &o, &kCallbacks, &bad, &r));
  cnet_header h = {"Bad Name", "x"};
  o.url = "https://127.0.0.1/";
  o.headers = &h;
  o.num_headers = 1;
  EXPECT_EQ(CN_ERR_INVALID_HEADER, cnet_request_start(ctx_, &o, &kCallbacks, &bad, &r));
  cnet_test::RunUntilIdle(loop_.get());  // nothing was scheduled for them
  EXPECT_EQ(0, bad.completes);

  Result refused;
  ASSERT_EQ(0, Start("https://127.0.0.1:1/", &refused));
  RunUntilDone({&refused});
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, refused.error);
  EXPECT_EQ(0, refused.status);
  EXPECT_STREQ("ERR_CONNECTION_REFUSED", cnet_error_name(refused.error));
  EXPECT_EQ(CNET_HOP_ORIGIN, refused.error_hop);
  EXPECT_EQ("origin", refused.error_from);
  EXPECT_EQ("", refused.error_proxy);
}

// Where the error came from: the proxy (by URL and index), the origin, or
// nowhere (cnet's own error, or none).
TEST_F(CnetApiTest, ErrorSourceNamesTheHop) {
  cnet_context_options o;
  cnet_context_options_init(&o);
  o.proxy = "http://user:secret@127.0.0.1:1";  // nothing listens there
  MakeContext(&o);
  Result via_proxy;
  ASSERT_EQ(0, Start("https://origin.test/", &via_proxy));
  RunUntilDone({&via_proxy});
  EXPECT_EQ(CN_ERR_PROXY_CONNECTION_FAILED, via_proxy.error);
  EXPECT_EQ(0, via_proxy.error_hop);
  EXPECT_EQ("http://127.0.0.1:1", via_proxy.error_proxy);  // never the credentials
  EXPECT_EQ("proxy http://127.0.0.1:1", via_proxy.error_from);
  cnet_context_destroy(ctx_);
  ctx_ = nullptr;

  MakeContext();
  Result ok, redirects;
  ASSERT_EQ(0, Start(base_ + "/bytes/3", &ok));
  cnet_request_options ro{};
  ro.follow_redirects = true;
  ro.max_redirects = -1;
  ASSERT_EQ(0, Start(base_ + "/redirect/1", &redirects, &ro));
  RunUntilDone({&ok, &redirects});
  EXPECT_EQ(0, ok.error);
  EXPECT_EQ(CNET_HOP_NONE, ok.error_hop);
  EXPECT_EQ("", ok.error_from);
  EXPECT_EQ(CN_ERR_TOO_MANY_REDIRECTS, redirects.error);
  EXPECT_EQ(CNET_HOP_NONE, redirects.error_hop);
}

TEST_F(CnetApiTest, ContextErrorsNameTheProblem) {
  cnet_context_options o;
  cnet_context_options_init(&o);
  char err[256];
  cnet_context *c = nullptr;
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cnet_context_new(&o, &c, err, sizeof(err)));
  EXPECT_NE(std::string::npos, std::string(err).find("loop"));
  o.loop = loop_.get();
  o.proxy = "socks9://nope";
  EXPECT_NE(0, cnet_context_new(&o, &c, err, sizeof(err)));
  EXPECT_EQ(nullptr, c);
  o.proxy = nullptr;
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_NE(0, cnet_context_new(&o, &c, err, sizeof(err)));
  EXPECT_NE(std::string::npos, std::string(err).find("/nonexistent/ca.pem"));
  o.ca_file = nullptr;
  o.origin_protocols = "h3";
  EXPECT_NE(0, cnet_context_new(&o, &c, err, sizeof(err)));
  EXPECT_NE(std::string::npos, std::string(err).find("h3"));
}

TEST_F(CnetApiTest, CancelAtEveryStageRunsNoCallback) {
  MakeContext();
  // Before the first loop turn.
  Result before;
  ASSERT_EQ(0, Start(base_ + "/bytes/10", &before));
  cnet_request_cancel(before.req);
  // While waiting for the response (the server delays it).
  Result connecting;
  ASSERT_EQ(0, Start(base_ + "/slow/200", &connecting));
  RunUntilServerRequests(1);
  cnet_request_cancel(connecting.req);
  // Inside on_response and inside on_data.
  Result in_response, in_data;
  in_response.cancel_in = 1;
  in_data.cancel_in = 2;
  ASSERT_EQ(0, Start(base_ + "/bytes/200000", &in_response));
  ASSERT_EQ(0, Start(base_ + "/bytes/200000", &in_data));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    return in_response.status == 200 && !in_data.body.empty();
  }));
  // Each cancel closed its connection (too much left to drain).
  RunUntilServerConnectionsClosed();
  EXPECT_EQ(0, before.completes + before.status);
  EXPECT_EQ(0, connecting.completes);
  EXPECT_EQ(200, in_response.status);
  EXPECT_EQ("", in_response.body);
  EXPECT_EQ(0, in_response.completes);
  EXPECT_GT(in_data.body.size(), 0u);
  EXPECT_LT(in_data.body.size(), 200000u);
  EXPECT_EQ(0, in_data.completes);
}

TEST_F(CnetApiTest, DestroyContextWithRequestsInFlight) {
  MakeContext();
  Result a, b;
  ASSERT_EQ(0, Start(base_ + "/slow/500", &a));
  ASSERT_EQ(0, Start(base_ + "/slow/400", &b));
  RunUntilServerRequests(2);
  cnet_context_destroy(ctx_);
  ctx_ = nullptr;
  RunUntilServerConnectionsClosed();
  EXPECT_EQ(0, a.completes);
  EXPECT_EQ(0, b.completes);
}

int ReadFromString(void *arg, uint8_t *buf, size_t len) {
  auto *s = static_cast<std::string *>(arg);
  size_t n = s->size() < len ? s->size() : len;
  memcpy(buf, s->data(), n);
  s->erase(0, n);
  return static_cast<int>(n);
}

TEST_F(CnetApiTest, UploadInMemoryAndByCallback) {
  MakeContext();
  Result mem;
  cnet_request_options o{};
  o.body = "hello";
  o.body_len = 5;
  ASSERT_EQ(0, Start(base_ + "/echo", &mem, &o));
  std::string big = Pattern(300000);
  std::string source = big;
  Result chunked;
  cnet_request_options c{};
  c.upload_read = ReadFromString;
  c.upload_arg = &source;
  c.upload_length = -1;  // chunked
  ASSERT_EQ(0, Start(base_ + "/echo", &chunked, &c));
  RunUntilDone({&mem, &chunked});
  EXPECT_EQ("hello", mem.body);
  EXPECT_EQ(0, chunked.error);
  EXPECT_EQ(big, chunked.body);
}

// Returns the error in |arg| (an int) instead of bytes.
int ReadFails(void *arg, uint8_t *buf, size_t len) { return *static_cast<int *>(arg); }

// A negative return from the upload callback fails the request with that
// error; -1 (CNET_ERR_IO_PENDING, which would have told the stream to wait
// for a callback that never comes) fails it with CNET_ERR_FAILED instead of
// hanging. Over HTTP/1.1, known length and chunked.
TEST_F(CnetApiTest, UploadCallbackErrorFailsTheRequest) {
  MakeContext();
  int minus_one = -1;
  int refused = CNET_ERR_ACCESS_DENIED;
  Result pending, chunked_error;
  cnet_request_options a;
  cnet_request_options_init(&a);
  a.upload_read = ReadFails;
  a.upload_arg = &minus_one;
  a.upload_length = 10;
  ASSERT_EQ(0, Start(base_ + "/echo", &pending, &a));
  cnet_request_options b;
  cnet_request_options_init(&b);
  b.upload_read = ReadFails;
  b.upload_arg = &refused;
  b.upload_length = -1;
  ASSERT_EQ(0, Start(base_ + "/echo", &chunked_error, &b));
  RunUntilDone({&pending, &chunked_error});
  EXPECT_EQ(1, pending.completes);
  EXPECT_EQ(CNET_ERR_FAILED, pending.error);
  EXPECT_EQ(1, chunked_error.completes);
  EXPECT_EQ(CNET_ERR_ACCESS_DENIED, chunked_error.error);
  EXPECT_STREQ("ERR_ACCESS_DENIED", cnet_error_name(chunked_error.error));
}

// Every CNET_ERR_* in cnet.h is the internal code of the same name (one
// table), and cnet_version() names the version macros and the libraries.
TEST_F(CnetApiTest, ErrorCodesAndVersion) {
#define CN_NET_ERROR(name, value, message) \
  EXPECT_EQ(static_cast<int>(CN_ERR_##name), static_cast<int>(CNET_ERR_##name)) << #name;
#include "net/base/net_error_list.h"
#undef CN_NET_ERROR
  EXPECT_EQ(-102, CNET_ERR_CONNECTION_REFUSED);
  std::string v = cnet_version();
  std::string want = "cnet/" + std::to_string(CNET_VERSION_MAJOR) + "." +
                     std::to_string(CNET_VERSION_MINOR) + "." + std::to_string(CNET_VERSION_PATCH) +
                     " ";
  EXPECT_EQ(0u, v.find(want)) << v;
  for (const char *lib : {" BoringSSL/", " libuv/", " nghttp2/", " zlib/"})
    EXPECT_NE(std::string::npos, v.find(lib)) << lib << " missing in " << v;
}

// struct_size: an application built against an older, shorter options
// struct (here: one that ends before upload fields) gets defaults for the
// fields it does not know, whatever the bytes beyond its struct hold.
TEST_F(CnetApiTest, OptionsBeyondStructSizeAreNotRead) {
  cnet_context_options co;
  cnet_context_options_init(&co);
  EXPECT_EQ(sizeof(co), co.struct_size);
  MakeContext();
  cnet_request_options o;
  cnet_request_options_init(&o);
  EXPECT_EQ(sizeof(o), o.struct_size);
  o.url = "https://127.0.0.1:1/never";  // beyond the short size: not read
  o.struct_size = offsetof(cnet_request_options, url);
  Result r;
  // Without url the request is refused at once: the url was not read.
  EXPECT_EQ(CNET_ERR_INVALID_ARGUMENT, cnet_request_start(ctx_, &o, &kCallbacks, &r, &r.req));
  o.struct_size = offsetof(cnet_request_options, method);  // url known now
  std::string url = base_ + "/echo";
  o.url = url.c_str();
  o.body = "ignored";  // beyond struct_size: not sent
  o.body_len = 7;
  ASSERT_EQ(0, cnet_request_start(ctx_, &o, &kCallbacks, &r, &r.req));
  RunUntilDone({&r});
  EXPECT_EQ(0, r.error);
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("", r.body);
}

TEST_F(CnetApiTest, RedirectsFollowedWhenAsked) {
  MakeContext();
  Result plain, followed, limited;
  cnet_request_options o{};
  ASSERT_EQ(0, Start(base_ + "/redirect/2", &plain, &o));
  o.follow_redirects = true;
  ASSERT_EQ(0, Start(base_ + "/redirect/3", &followed, &o));
  o.max_redirects = 1;
  ASSERT_EQ(0, Start(base_ + "/redirect/3", &limited, &o));
  RunUntilDone({&plain, &followed, &limited});
  EXPECT_EQ(302, plain.status);
  EXPECT_EQ(200, followed.status);
  EXPECT_EQ("redirected\n", followed.body);
  EXPECT_NE(std::string::npos, followed.info_url.find("/redirect/0"));
  EXPECT_EQ(3, followed.info.redirects);
  EXPECT_EQ(CN_ERR_TOO_MANY_REDIRECTS, limited.error);
}

// Context options whose NetLog callback appends each line to |lines|.
cnet_context_options NetLogInto(std::vector<std::string> *lines) {
  cnet_context_options o;
  cnet_context_options_init(&o);
  o.netlog = [](void *arg, const char *line, size_t len) {
    static_cast<std::vector<std::string> *>(arg)->emplace_back(line, len);
  };
  o.netlog_arg = lines;
  return o;
}

TEST_F(CnetApiTest, NetLogLinesReachTheApplication) {
  std::vector<std::string> lines;
  cnet_context_options o = NetLogInto(&lines);
  MakeContext(&o);
  Result res;
  ASSERT_EQ(0, Start(base_ + "/", &res));
  RunUntilDone({&res});
  bool saw_tls = false;
  for (auto &l : lines) {
    EXPECT_EQ('{', l.front());
    EXPECT_EQ('}', l.back());
    saw_tls = saw_tls || l.find("\"type\":\"SSL_CONNECT\"") != std::string::npos;
  }
  EXPECT_TRUE(saw_tls);
  cnet_context_destroy(ctx_);  // it logs while closing: before |lines| goes
  ctx_ = nullptr;
}

// CNET_NETLOG_CAPTURE_ERRORS: a request that works gives the callback no
// line at all; one that fails gives it the failures, each with its
// net_error (here the certificate's, and the handshake's end).
TEST_F(CnetApiTest, NetLogErrorsModeGivesOnlyFailures) {
  std::vector<std::string> lines;
  cnet_context_options o = NetLogInto(&lines);
  o.netlog_capture = CNET_NETLOG_CAPTURE_ERRORS;
  MakeContext(&o);
  Result ok;
  ASSERT_EQ(0, Start(base_ + "/", &ok));
  RunUntilDone({&ok});
  EXPECT_EQ(0, ok.error);
  EXPECT_EQ(0u, lines.size()) << (lines.empty() ? "" : lines[0]);
  cnet_context_destroy(ctx_);
  ctx_ = nullptr;
  lines.clear();
  // No CA file: the system store lacks the test CA, so the handshake fails.
  o.loop = loop_.get();
  char err[256];
  ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  Result bad;
  ASSERT_EQ(0, Start(base_ + "/", &bad));
  RunUntilDone({&bad});
  cnet_context_destroy(ctx_);
  ctx_ = nullptr;
  EXPECT_EQ(CN_ERR_CERT_AUTHORITY_INVALID, bad.error);
  bool saw_verify = false, saw_connect = false;
  for (auto &l : lines) {
    EXPECT_NE(std::string::npos, l.find("\"net_error\":-")) << l;
    saw_verify = saw_verify || l.find("\"type\":\"SSL_CERT_VERIFY_FAILED\"") != std::string::npos;
    saw_connect = saw_connect || l.find("\"type\":\"SSL_CONNECT\"") != std::string::npos;
  }
  EXPECT_TRUE(saw_verify);
  EXPECT_TRUE(saw_connect);
}

}  // namespace

namespace {

// -k as the API has it: per hop, never by default, and the proxy's setting
// leaves the origins' alone.
TEST_F(CnetApiTest, TlsVerifyDisabledPerHop) {
  struct Case {
    bool origin_off, proxy_off;
    int want_error;
  } cases[] = {
      {false, false, CN_ERR_CERT_AUTHORITY_INVALID},
      {false, true, CN_ERR_CERT_AUTHORITY_INVALID},  // the proxy's switch: not the origin's
      {true, false, 0},
  };
  for (const Case &c : cases) {
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();  // no ca_file: the system store, which lacks the test CA
    o.origin_tls_verify_disabled = c.origin_off;
    o.proxy_tls_verify_disabled = c.proxy_off;
    cnet_context *ctx = nullptr;
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx, err, sizeof(err))) << err;
    Result res;
    cnet_request_options ro{};
    std::string url = base_ + "/bytes/3";
    ro.url = url.c_str();
    ASSERT_EQ(0, cnet_request_start(ctx, &ro, &kCallbacks, &res, &res.req));
    RunUntilDone({&res});
    EXPECT_EQ(c.want_error, res.error) << c.origin_off << c.proxy_off;
    if (!c.want_error) {
      EXPECT_EQ(Pattern(3), res.body);
    }
    cnet_context_destroy(ctx);
  }
}

// Authorization and Cookie given for one origin do not follow a redirect
// to another; a same-origin redirect keeps them.
TEST_F(CnetApiTest, CredentialsStayWithTheirOrigin) {
  cn_test_server_options po{};
  po.plain = true;
  cn_test_server *other = nullptr;
  ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &po, &other));
  std::string other_headers =
      "http://127.0.0.1:" + std::to_string(cn_test_server_port(other)) + "/headers";
  MakeContext();
  cnet_header creds[] = {{"Authorization", "Basic dTpw"}, {"Cookie", "a=1"}, {"X-Keep", "1"}};
  cnet_request_options o{};
  o.headers = creds;
  o.num_headers = 3;
  o.follow_redirects = true;
  Result cross, same;
  ASSERT_EQ(0, Start(base_ + "/redirect-to?" + other_headers, &cross, &o));
  ASSERT_EQ(0, Start(base_ + "/redirect-to?/headers", &same, &o));
  RunUntilDone({&cross, &same});
  EXPECT_EQ(200, cross.status);
  EXPECT_EQ(std::string::npos, cross.body.find("Authorization")) << cross.body;
  EXPECT_EQ(std::string::npos, cross.body.find("Cookie")) << cross.body;
  EXPECT_NE(std::string::npos, cross.body.find("X-Keep: 1")) << cross.body;
  EXPECT_NE(std::string::npos, same.body.find("Authorization: Basic dTpw")) << same.body;
  EXPECT_NE(std::string::npos, same.body.find("Cookie: a=1")) << same.body;
  cnet_context_destroy(ctx_);
  ctx_ = nullptr;
  cn_test_server_destroy(other);
}

TEST(CnetVersionsTest, EveryLibraryReportsItsVersion) {
  cnet_library_versions v{};
  cnet_get_library_versions(&v);
  for (const char *s : {v.boringssl, v.libuv, v.nghttp2, v.zlib}) {
    ASSERT_NE(nullptr, s);
    EXPECT_NE(nullptr, strpbrk(s, "0123456789")) << s;
  }
  EXPECT_NE(nullptr, strstr(v.boringssl, "Debian"));  // "<revision> (Debian <version>)"
}

}  // namespace
