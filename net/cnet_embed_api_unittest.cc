// The API an application needs beyond fetching (net/cnet.h): the
// on_redirect hook, uploads that wait for data (CNET_UPLOAD_PENDING),
// backpressure (cnet_request_pause/resume), a proxy per request, and
// destroying the context from inside a callback. Against in-process test
// servers on loopback.
#include <gtest/gtest.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "net/base/net_errors.h"
#include "net/cnet.h"
#include "net/socket/socket_test_util.h"
#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"

namespace {

using cnet_test::TestLoop;

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++)
    s[i] = static_cast<char>((i * 31 + 7) & 0xff);
  return s;
}

// What one request's callbacks saw, and what they do.
struct Req {
  int status = 0;
  std::string body;
  int responses = 0;
  int datas = 0;
  int completes = 0;
  int error = 1;
  int redirects = 0;  // cnet_request_info.redirects at on_response
  std::string protocol;  // cnet_request_layers.protocol at on_response
  std::string url;    // cnet_request_info.url at on_response
  cnet_request *req = nullptr;
  // The hook's answers, one per redirect asked (then FOLLOW), and what it
  // was asked.
  std::vector<cnet_redirect_action> answers;
  std::vector<std::pair<int, std::string>> asked;
  bool cancel_in_hook = false;
  // Fields the hook sets (a NULL value: removes) for the next request, and
  // the Location field it was handed.
  std::vector<std::pair<std::string, const char *>> set_in_hook;
  std::vector<int> set_results;
  std::string location_in_hook;
  bool pause_in_response = false;
  bool pause_in_data = false;
  std::vector<size_t> pieces;  // the length of each on_data
  // Destroy this context inside a callback: 1 on_response, 2 on_data,
  // 3 on_complete, 4 on_redirect.
  cnet_context **destroy_ctx = nullptr;
  int destroy_in = 0;
  int after_destroy = 0;  // callbacks after the destroy (must stay 0)
  bool destroyed = false;
};

void MaybeDestroy(Req *q, int where) {
  if (q->destroy_in == where && q->destroy_ctx && *q->destroy_ctx) {
    cnet_context_destroy(*q->destroy_ctx);
    *q->destroy_ctx = nullptr;
    q->destroyed = true;
  }
}

void OnResponse(cnet_request *r, void *arg, int status, const cnet_header *, size_t) {
  auto *q = static_cast<Req *>(arg);
  q->after_destroy += q->destroyed;
  q->status = status;
  q->responses++;
  cnet_request_info info;
  cnet_request_get_info(r, &info);
  q->redirects = info.redirects;
  q->url = info.url;
  cnet_request_layers layers;
  cnet_request_get_layers(r, &layers);
  q->protocol = layers.protocol;
  if (q->pause_in_response)
    cnet_request_pause(r);
  MaybeDestroy(q, 1);
}

void OnData(cnet_request *r, void *arg, const uint8_t *data, size_t len) {
  auto *q = static_cast<Req *>(arg);
  q->after_destroy += q->destroyed;
  q->body.append(reinterpret_cast<const char *>(data), len);
  q->datas++;
  q->pieces.push_back(len);
  if (q->pause_in_data)
    cnet_request_pause(r);
  MaybeDestroy(q, 2);
}

void OnComplete(cnet_request *, void *arg, int error) {
  auto *q = static_cast<Req *>(arg);
  q->after_destroy += q->destroyed;
  q->completes++;
  q->error = error;
  q->req = nullptr;
  MaybeDestroy(q, 3);
}

cnet_redirect_action OnRedirect(cnet_request *r, void *arg, int status, const char *url,
                                const cnet_header *headers, size_t num_headers) {
  auto *q = static_cast<Req *>(arg);
  q->asked.emplace_back(status, url);
  for (size_t i = 0; i < num_headers; i++)
    if (strcasecmp(headers[i].name, "Location") == 0)
      q->location_in_hook = headers[i].value;
  for (const auto &f : q->set_in_hook)
    q->set_results.push_back(cnet_request_set_redirect_header(r, f.first.c_str(), f.second));
  if (q->cancel_in_hook) {
    cnet_request_cancel(r);
    q->req = nullptr;
  }
  MaybeDestroy(q, 4);
  size_t i = q->asked.size() - 1;
  return i < q->answers.size() ? q->answers[i] : CNET_REDIRECT_FOLLOW;
}

const cnet_request_callbacks kCallbacks = {OnResponse, OnData, OnComplete};

// An upload whose bytes become available when the test says so: the pull
// answers CNET_UPLOAD_PENDING whenever it has handed out all it has.
struct Uploader {
  std::string data;
  size_t available = 0;
  size_t offset = 0;
  int pendings = 0;  // CNET_UPLOAD_PENDING answers
  bool waiting = false;
  static int Read(void *arg, uint8_t *buf, size_t len) {
    auto *u = static_cast<Uploader *>(arg);
    if (u->offset == u->data.size())
      return 0;
    if (u->offset == u->available) {
      u->pendings++;
      u->waiting = true;
      return CNET_UPLOAD_PENDING;
    }
    u->waiting = false;
    size_t n = u->available - u->offset;
    if (n > len)
      n = len;
    memcpy(buf, u->data.data() + u->offset, n);
    u->offset += n;
    return static_cast<int>(n);
  }
};

// The sum of |field| ("bytes", "byte_count") over the NetLog lines of
// |type|; with |stream_events| only, lines whose stream_id is not 0.
struct NetLogCapture {
  std::vector<std::string> lines;
  static void Sink(void *arg, const char *line, size_t len) {
    static_cast<NetLogCapture *>(arg)->lines.emplace_back(line, len);
  }
  static long long Field(const std::string &line, const std::string &name) {
    size_t at = line.find("\"" + name + "\":");
    if (at == std::string::npos)
      return -1;
    return std::strtoll(line.c_str() + at + name.size() + 3, nullptr, 10);
  }
  long long Sum(const std::string &type, const std::string &field) const {
    long long total = 0;
    for (const auto &l : lines) {
      if (l.find("\"type\":\"" + type + "\"") != std::string::npos)
        total += Field(l, field);
    }
    return total;
  }
  int CountStreamEvents(const std::string &type) const {
    int n = 0;
    for (const auto &l : lines) {
      if (l.find("\"type\":\"" + type + "\"") != std::string::npos &&
          Field(l, "stream_id") > 0)
        n++;
    }
    return n;
  }
};

class CnetEmbedApiTest : public ::testing::Test {
 protected:
  void TearDown() override {
    cnet_context_destroy(ctx_);
    for (auto *s : servers_)
      cn_test_server_destroy(s);
    cnet_test::RunUntilLoopEmpty(loop_.get());  // every socket closed
  }
  // An HTTPS origin speaking |alpn| (then HTTP/1.1).
  cn_test_server *StartOrigin(cn_next_proto alpn = CN_PROTO_HTTP11) {
    cn_test_server_options o{};
    o.alpn[0] = alpn;
    o.alpn[1] = CN_PROTO_HTTP11;
    o.num_alpn = alpn == CN_PROTO_HTTP11 ? 1 : 2;
    cn_test_server *s = nullptr;
    EXPECT_EQ(CN_OK, cn_test_server_new(loop_.get(), &o, &s));
    servers_.push_back(s);
    ca_path_ = ::testing::TempDir() + std::to_string(getpid()) + "_cnet_embed_api_ca.pem";
    EXPECT_EQ(CN_OK, cn_test_write_pem_file(ca_path_.c_str(), cn_test_server_ca_pem(s)));
    base_ = "https://127.0.0.1:" + std::to_string(cn_test_server_port(s));
    return s;
  }
  cn_test_server *StartPlain(bool proxy) {
    cn_test_server_options o{};
    o.plain = true;
    o.proxy = proxy;
    cn_test_server *s = nullptr;
    EXPECT_EQ(CN_OK, cn_test_server_new(loop_.get(), &o, &s));
    servers_.push_back(s);
    return s;
  }
  void MakeContext(const char *protocols = nullptr, const char *proxy = nullptr) {
    cnet_context_options o;
    cnet_context_options_init(&o);
    o.loop = loop_.get();
    o.ca_file = ca_path_.empty() ? nullptr : ca_path_.c_str();
    o.origin_protocols = protocols;
    o.proxy = proxy;
    o.netlog = NetLogCapture::Sink;
    o.netlog_arg = &netlog_;
    char err[256];
    ASSERT_EQ(0, cnet_context_new(&o, &ctx_, err, sizeof(err))) << err;
  }
  int Start(const std::string &url, Req *q, cnet_request_options *extra = nullptr) {
    cnet_request_options o;
    cnet_request_options_init(&o);
    if (extra)
      o = *extra;
    o.url = url.c_str();
    return cnet_request_start(ctx_, &o, &kCallbacks, q, &q->req);
  }
  // Follows redirects, asking OnRedirect.
  static cnet_request_options RedirectOptions() {
    cnet_request_options o;
    cnet_request_options_init(&o);
    o.follow_redirects = true;
    o.on_redirect = OnRedirect;
    return o;
  }
  bool RunUntilDone(const std::vector<Req *> &reqs) {
    return cnet_test::RunUntil(loop_.get(), [&] {
      for (auto *q : reqs) {
        if (!q->completes)
          return false;
      }
      return true;
    });
  }
  // Runs |q| (paused inside every on_data) to its end: after each piece the
  // loop runs until idle (a server on this loop writes on meanwhile), no
  // second piece may come, then it resumes. Returns the resumes.
  int RunResumingAfterEachPiece(Req *q) {
    int resumes = 0;
    while (!q->completes) {
      int seen = q->datas;
      if (!cnet_test::RunUntil(loop_.get(),
                               [&] { return q->datas > seen || q->completes > 0; })) {
        ADD_FAILURE() << "no piece and no end after " << resumes << " resumes";
        break;
      }
      if (q->completes)
        break;
      cnet_test::RunUntilIdle(loop_.get());
      EXPECT_EQ(seen + 1, q->datas) << "one on_data, then paused";
      cnet_request_resume(q->req);
      resumes++;
    }
    return resumes;
  }

  TestLoop loop_;
  std::vector<cn_test_server *> servers_;
  std::string ca_path_;
  std::string base_;
  NetLogCapture netlog_;
  cnet_context *ctx_ = nullptr;
};

// --- on_redirect ---

TEST_F(CnetEmbedApiTest, RedirectHookFollows) {
  StartOrigin();
  MakeContext();
  cnet_request_options o = RedirectOptions();
  Req q;
  ASSERT_EQ(0, Start(base_ + "/redirect/2", &q, &o));
  ASSERT_TRUE(RunUntilDone({&q}));
  EXPECT_EQ(0, q.error);
  EXPECT_EQ(200, q.status);
  EXPECT_EQ(2, q.redirects);
  ASSERT_EQ(2u, q.asked.size());
  EXPECT_EQ(302, q.asked[0].first);
  EXPECT_EQ(base_ + "/redirect/1", q.asked[0].second);
  EXPECT_EQ(base_ + "/redirect/0", q.asked[1].second);
  EXPECT_EQ(base_ + "/redirect/0", q.url);
}

// The hook sees the 3xx's fields and changes the next request's: one set,
// one removed (what the server received, from /headers); outside the hook
// the setter refuses.
TEST_F(CnetEmbedApiTest, RedirectHookSeesFieldsAndChangesTheNextRequest) {
  StartOrigin();
  MakeContext();
  cnet_request_options o = RedirectOptions();
  const cnet_header given[] = {{"X-Drop", "1"}, {"X-Keep", "2"}};
  o.headers = given;
  o.num_headers = 2;
  Req q;
  q.set_in_hook = {{"X-Hook", "yes"}, {"X-Drop", nullptr}, {"Bad Name", "x"}};
  ASSERT_EQ(0, Start(base_ + "/redirect-to?/headers", &q, &o));
  ASSERT_TRUE(RunUntilDone({&q}));
  EXPECT_EQ(0, q.error);
  EXPECT_EQ(200, q.status);
  EXPECT_EQ("/headers", q.location_in_hook);
  ASSERT_EQ(3u, q.set_results.size());
  EXPECT_EQ(0, q.set_results[0]);
  EXPECT_EQ(0, q.set_results[1]);
  EXPECT_EQ(CNET_ERR_INVALID_HEADER, q.set_results[2]);
  EXPECT_NE(std::string::npos, q.body.find("X-Hook: yes")) << q.body;
  EXPECT_NE(std::string::npos, q.body.find("X-Keep: 2")) << q.body;
  EXPECT_EQ(std::string::npos, q.body.find("X-Drop")) << q.body;
  EXPECT_EQ(CNET_ERR_INVALID_ARGUMENT, cnet_request_set_redirect_header(nullptr, "A", "b"));
}

TEST_F(CnetEmbedApiTest, RedirectHookStopsDeliversThe3xx) {
  StartOrigin();
  MakeContext();
  cnet_request_options o = RedirectOptions();
  Req q;
  q.answers = {CNET_REDIRECT_FOLLOW, CNET_REDIRECT_STOP};
  ASSERT_EQ(0, Start(base_ + "/redirect/3", &q, &o));
  ASSERT_TRUE(RunUntilDone({&q}));
  EXPECT_EQ(0, q.error);
  EXPECT_EQ(302, q.status) << "the redirect it stopped at is the response";
  EXPECT_EQ(1, q.responses);
  EXPECT_EQ(1, q.redirects) << "one followed, the second not";
  EXPECT_EQ(base_ + "/redirect/2", q.url);
  EXPECT_EQ(2u, q.asked.size());
}

TEST_F(CnetEmbedApiTest, RedirectHookCancelsWithAborted) {
  cn_test_server *origin = StartOrigin();
  MakeContext();
  cnet_request_options o = RedirectOptions();
  Req q;
  q.answers = {CNET_REDIRECT_CANCEL};
  ASSERT_EQ(0, Start(base_ + "/redirect/2", &q, &o));
  ASSERT_TRUE(RunUntilDone({&q}));
  EXPECT_EQ(CNET_ERR_ABORTED, q.error);
  EXPECT_EQ(0, q.responses);
  EXPECT_EQ(1u, q.asked.size());
  cn_test_server_counters c;
  cn_test_server_get_counters(origin, &c);
  EXPECT_EQ(1u, c.requests) << "the redirect was not followed";
}

// Without a hook nothing changes; the hook is not asked about a redirect
// that is refused anyway (too many).
TEST_F(CnetEmbedApiTest, RedirectHookNotAskedPastTheLimit) {
  StartOrigin();
  MakeContext();
  cnet_request_options o = RedirectOptions();
  o.max_redirects = 1;
  Req q;
  ASSERT_EQ(0, Start(base_ + "/redirect/3", &q, &o));
  ASSERT_TRUE(RunUntilDone({&q}));
  EXPECT_EQ(CNET_ERR_TOO_MANY_REDIRECTS, q.error);
  EXPECT_EQ(1u, q.asked.size());
}

TEST_F(CnetEmbedApiTest, RedirectHookMayCancelTheRequest) {
  StartOrigin();
  MakeContext();
  cnet_request_options o = RedirectOptions();
  Req q;
  q.cancel_in_hook = true;
  ASSERT_EQ(0, Start(base_ + "/redirect/2", &q, &o));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return q.asked.size() == 1; }));
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(0, q.completes + q.responses) << "no callback after a cancel";
}

// --- uploads that wait ---

struct UploadCase {
  const char *name;
  cn_next_proto proto;
  bool chunked;
};

class CnetPendingUploadTest : public CnetEmbedApiTest,
                              public ::testing::WithParamInterface<UploadCase> {};

// The pull answers CNET_UPLOAD_PENDING each time it has given all it has;
// the test hands out 7 pieces, resuming from the loop each time: the echo
// is the whole body, and nothing was sent before it was available.
TEST_P(CnetPendingUploadTest, BodyArrivesInPieces) {
  StartOrigin(GetParam().proto);
  MakeContext(GetParam().proto == CN_PROTO_HTTP2 ? "h2,http/1.1" : nullptr);
  Uploader u;
  u.data = Pattern(100000);
  cnet_request_options o;
  cnet_request_options_init(&o);
  o.method = "POST";
  o.upload_read = Uploader::Read;
  o.upload_arg = &u;
  o.upload_length = GetParam().chunked ? -1 : static_cast<int64_t>(u.data.size());
  Req q;
  ASSERT_EQ(0, Start(base_ + "/echo", &q, &o));
  const size_t piece = 15000;
  while (u.available < u.data.size()) {
    ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return u.waiting; }));
    cnet_test::RunUntilIdle(loop_.get());
    EXPECT_EQ(0, q.completes) << "the request waits for its body";
    EXPECT_EQ(u.available, u.offset);
    u.available = std::min(u.data.size(), u.available + piece);
    u.waiting = false;
    cnet_request_upload_resume(q.req);
    EXPECT_FALSE(u.waiting) << "the pull is asked again from the loop, not inside resume";
  }
  ASSERT_TRUE(RunUntilDone({&q}));
  EXPECT_EQ(0, q.error);
  EXPECT_EQ(200, q.status);
  EXPECT_EQ(u.data, q.body);
  EXPECT_GE(u.pendings, 7);
  EXPECT_EQ(GetParam().proto == CN_PROTO_HTTP2 ? "h2" : "http/1.1", q.protocol);
}

INSTANTIATE_TEST_SUITE_P(Protocols, CnetPendingUploadTest,
                         ::testing::Values(UploadCase{"Http11Sized", CN_PROTO_HTTP11, false},
                                           UploadCase{"Http11Chunked", CN_PROTO_HTTP11, true},
                                           UploadCase{"Http2Sized", CN_PROTO_HTTP2, false},
                                           UploadCase{"Http2Chunked", CN_PROTO_HTTP2, true}),
                         [](const ::testing::TestParamInfo<UploadCase> &i) {
                           return std::string(i.param.name);
                         });

// A resume from inside the pull, before it answers CNET_UPLOAD_PENDING, is
// not lost: the pull is asked again.
struct EagerUploader {
  cnet_request **req;
  int calls = 0;
  static int Read(void *arg, uint8_t *buf, size_t len) {
    auto *u = static_cast<EagerUploader *>(arg);
    u->calls++;
    if (u->calls == 1) {
      cnet_request_upload_resume(*u->req);  // data "arrives" at once
      return CNET_UPLOAD_PENDING;
    }
    if (u->calls == 2 && len >= 5) {
      memcpy(buf, "hello", 5);
      return 5;
    }
    return 0;
  }
  // Options whose body (of unknown length) this uploader pulls.
  cnet_request_options Options() {
    cnet_request_options o;
    cnet_request_options_init(&o);
    o.upload_read = Read;
    o.upload_arg = this;
    o.upload_length = -1;
    return o;
  }
};

TEST_F(CnetEmbedApiTest, UploadResumeInsideThePullIsKept) {
  StartOrigin();
  MakeContext();
  Req q;
  EagerUploader u{&q.req};
  cnet_request_options o = u.Options();
  ASSERT_EQ(0, Start(base_ + "/echo", &q, &o));
  ASSERT_TRUE(RunUntilDone({&q}));
  EXPECT_EQ(0, q.error);
  EXPECT_EQ("hello", q.body);
  EXPECT_EQ(3, u.calls);
}

// A POST whose body comes from the pull callback, answered by a 302: the
// next request is a GET without the body, whose upload is gone. Nothing may
// reach the freed upload afterwards (ASan: the request's teardown and a
// late cnet_request_upload_resume once touched it).
TEST_F(CnetEmbedApiTest, CallbackUploadDroppedByARedirectIsForgotten) {
  StartOrigin();
  MakeContext();
  Req q;
  EagerUploader u{&q.req};
  cnet_request_options o = u.Options();  // a POST: it has a body
  o.follow_redirects = true;
  ASSERT_EQ(0, Start(base_ + "/redirect/1", &q, &o));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return q.responses == 1; }));  // the GET's
  cnet_request_upload_resume(q.req);  // no upload any more: nothing to wake
  ASSERT_TRUE(RunUntilDone({&q}));
  EXPECT_EQ(0, q.error);
  EXPECT_EQ(200, q.status);
  EXPECT_EQ("redirected\n", q.body);
}

// --- backpressure ---

// HTTP/1.1: paused at the head, the request reads nothing more from its
// connection. A second request on another connection runs to its end
// meanwhile (the loop and the server were free to move bytes); the client
// received little beyond that second body. Resumed, the body is exact.
TEST_F(CnetEmbedApiTest, PauseStopsReadingTheConnectionHttp11) {
  StartOrigin();
  MakeContext();
  const size_t kBig = 4 * 1024 * 1024, kSmall = 1024 * 1024;
  Req big, small;
  big.pause_in_response = true;
  ASSERT_EQ(0, Start(base_ + "/bytes/" + std::to_string(kBig), &big));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return big.responses == 1; }));
  ASSERT_EQ(0, Start(base_ + "/bytes/" + std::to_string(kSmall), &small));
  ASSERT_TRUE(RunUntilDone({&small}));
  EXPECT_EQ(Pattern(kSmall), small.body);
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(0, big.datas) << "no on_data while paused";
  EXPECT_EQ(0, big.completes);
  long long received = netlog_.Sum("SOCKET_BYTES_RECEIVED", "byte_count");
  EXPECT_LT(received, static_cast<long long>(kSmall + 512 * 1024))
      << "the paused request's connection was read on";
  cnet_request_resume(big.req);
  EXPECT_EQ(0, big.datas) << "delivery resumes from the loop";
  ASSERT_TRUE(RunUntilDone({&big}));
  EXPECT_EQ(0, big.error);
  EXPECT_EQ(Pattern(kBig), big.body);
}

// HTTP/2 and SPDY/3.1: paused at the head, the stream's window is never
// reopened: the server sends exactly the stream window (cnet's 6 MiB) and
// stalls; no WINDOW_UPDATE goes out for the stream. Resumed: the rest,
// exact.
class CnetPauseSessionTest : public CnetEmbedApiTest,
                             public ::testing::WithParamInterface<cn_next_proto> {};

TEST_P(CnetPauseSessionTest, StreamStallsAtItsWindow) {
  StartOrigin(GetParam());
  MakeContext(GetParam() == CN_PROTO_HTTP2 ? "h2,http/1.1" : "spdy/3.1,http/1.1");
  const long long kWindow = 6 * 1024 * 1024;
  const size_t kBody = 8 * 1024 * 1024;
  Req q;
  q.pause_in_response = true;
  ASSERT_EQ(0, Start(base_ + "/bytes/" + std::to_string(kBody), &q));
  ASSERT_TRUE(cnet_test::RunUntil(
      loop_.get(), [&] { return netlog_.Sum("SPDY_SESSION_RECV_DATA", "bytes") >= kWindow; }));
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(kWindow, netlog_.Sum("SPDY_SESSION_RECV_DATA", "bytes"))
      << "the server stopped at the window";
  EXPECT_EQ(0, netlog_.CountStreamEvents("SPDY_SESSION_SEND_WINDOW_UPDATE"));
  EXPECT_EQ(0, q.datas);
  cnet_request_resume(q.req);
  ASSERT_TRUE(RunUntilDone({&q}));
  EXPECT_EQ(0, q.error);
  EXPECT_EQ(Pattern(kBody), q.body);
  EXPECT_EQ(GetParam() == CN_PROTO_HTTP2 ? "h2" : "spdy/3.1", q.protocol);
  EXPECT_GT(netlog_.CountStreamEvents("SPDY_SESSION_SEND_WINDOW_UPDATE"), 0);
}

std::string ProtoName(const ::testing::TestParamInfo<cn_next_proto> &info) {
  return info.param == CN_PROTO_HTTP2 ? "Http2" : "Spdy31";
}

INSTANTIATE_TEST_SUITE_P(Protocols, CnetPauseSessionTest,
                         ::testing::Values(CN_PROTO_HTTP2, CN_PROTO_SPDY31), ProtoName);

// Paused inside on_data, every time: one buffer per resume, in order.
TEST_F(CnetEmbedApiTest, PauseInsideOnDataThenResumeEachTime) {
  StartOrigin();
  MakeContext();
  const size_t kBody = 300000;
  Req q;
  q.pause_in_data = true;
  ASSERT_EQ(0, Start(base_ + "/bytes/" + std::to_string(kBody), &q));
  int resumes = RunResumingAfterEachPiece(&q);
  EXPECT_EQ(0, q.error);
  EXPECT_EQ(Pattern(kBody), q.body);
  EXPECT_GE(resumes, 2);
}

// A large body that arrives faster than it is taken (paused after every
// piece, the server on this loop fills the connection meanwhile): once a
// piece fills the 64 KiB body buffer, the buffer is 256 KiB and
// later pieces are larger than 64 KiB, never larger than 256 KiB.
TEST_F(CnetEmbedApiTest, BodyPiecesGrowWhileTheBodyStreams) {
  StartOrigin();
  MakeContext();
  const size_t kBody = 4 * 1024 * 1024;
  Req q;
  q.pause_in_data = true;
  ASSERT_EQ(0, Start(base_ + "/bytes/" + std::to_string(kBody), &q));
  RunResumingAfterEachPiece(&q);  // the server fills the connection while paused
  EXPECT_EQ(0, q.error);
  EXPECT_EQ(Pattern(kBody), q.body);
  size_t largest = 0;
  for (size_t n : q.pieces) {
    EXPECT_LE(n, 256u * 1024);
    largest = std::max(largest, n);
  }
  EXPECT_GT(largest, 64u * 1024) << q.pieces.size() << " pieces";
}

// --- a proxy per request ---

TEST_F(CnetEmbedApiTest, ProxyPerRequest) {
  cn_test_server *origin = StartPlain(false);
  cn_test_server *proxy_a = StartPlain(true);
  cn_test_server *proxy_b = StartPlain(true);
  std::string a = "http://127.0.0.1:" + std::to_string(cn_test_server_port(proxy_a));
  std::string b = "http://127.0.0.1:" + std::to_string(cn_test_server_port(proxy_b));
  MakeContext(nullptr, a.c_str());  // the context's proxy: A
  std::string url = "http://127.0.0.1:" + std::to_string(cn_test_server_port(origin));
  Req via_context, via_b, direct, via_b_again;
  cnet_request_options o;
  cnet_request_options_init(&o);
  ASSERT_EQ(0, Start(url + "/bytes/10", &via_context, &o));
  o.proxy = b.c_str();
  ASSERT_EQ(0, Start(url + "/bytes/20", &via_b, &o));
  o.proxy = "direct://";
  ASSERT_EQ(0, Start(url + "/bytes/30", &direct, &o));
  ASSERT_TRUE(RunUntilDone({&via_context, &via_b, &direct}));
  o.proxy = b.c_str();
  ASSERT_EQ(0, Start(url + "/bytes/40", &via_b_again, &o));
  ASSERT_TRUE(RunUntilDone({&via_b_again}));
  for (Req *q : {&via_context, &via_b, &direct, &via_b_again})
    EXPECT_EQ(0, q->error);
  EXPECT_EQ(Pattern(10), via_context.body);
  EXPECT_EQ(Pattern(20), via_b.body);
  EXPECT_EQ(Pattern(30), direct.body);
  EXPECT_EQ(Pattern(40), via_b_again.body);
  cn_test_server_proxy_counters ca, cb;
  cn_test_server_get_proxy_counters(proxy_a, &ca);
  cn_test_server_get_proxy_counters(proxy_b, &cb);
  EXPECT_EQ(1u, ca.forward_requests);
  EXPECT_EQ(2u, cb.forward_requests);
  cn_test_server_counters cpa, cpb, co;
  cn_test_server_get_counters(proxy_a, &cpa);
  cn_test_server_get_counters(proxy_b, &cpb);
  cn_test_server_get_counters(origin, &co);
  EXPECT_EQ(1u, cpa.connections_accepted);
  EXPECT_EQ(1u, cpb.connections_accepted) << "B's idle connection served B's second request";
  EXPECT_EQ(4u, co.requests);
}

TEST_F(CnetEmbedApiTest, BadProxyPerRequestFailsStart) {
  MakeContext();
  cnet_request_options o;
  cnet_request_options_init(&o);
  o.proxy = "gopher://127.0.0.1:70";
  Req q;
  int rv = Start("http://127.0.0.1:1/", &q, &o);
  EXPECT_TRUE(rv == CNET_ERR_UNKNOWN_URL_SCHEME || rv == CNET_ERR_INVALID_ARGUMENT)
      << cnet_error_name(rv);
  EXPECT_EQ(nullptr, q.req);
  o.proxy = "[http://a:1";
  rv = Start("http://127.0.0.1:1/", &q, &o);
  EXPECT_LT(rv, 0) << cnet_error_name(rv);
  EXPECT_STRNE("", cnet_error_name(rv));
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(0, q.completes + q.responses);
}

// --- destroying the context inside a callback ---

class CnetDestroyInCallbackTest : public CnetEmbedApiTest,
                                  public ::testing::WithParamInterface<int> {};

TEST_P(CnetDestroyInCallbackTest, NoCallbackAfterIt) {
  StartOrigin();
  MakeContext();
  cnet_request_options o = RedirectOptions();
  Req q, other;
  q.destroy_ctx = &ctx_;
  q.destroy_in = GetParam();
  // A redirect to a 200 KB body: every callback kind runs.
  ASSERT_EQ(0, Start(base_ + "/redirect-to?/bytes/200000", &q, &o));
  ASSERT_EQ(0, Start(base_ + "/bytes/300000", &other, &o));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return q.destroyed; }));
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(nullptr, ctx_);
  EXPECT_EQ(0, q.after_destroy);
  EXPECT_EQ(GetParam() == 3 ? 1 : 0, q.completes);
  EXPECT_LE(other.completes, 1);
}

std::string CallbackName(const ::testing::TestParamInfo<int> &info) {
  static const char *const kNames[] = {"", "OnResponse", "OnData", "OnComplete", "OnRedirect"};
  return kNames[info.param];
}

INSTANTIATE_TEST_SUITE_P(Callbacks, CnetDestroyInCallbackTest, ::testing::Values(1, 2, 3, 4),
                         CallbackName);

}  // namespace
