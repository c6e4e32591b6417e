// HTTP requests over SPDY/3.1 and HTTP/2 streams: a client session against a
// server session over a pipe.
#include "net/spdy/spdy_http_stream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "net/base/netlog.h"
#include "net/http/http_stream.h"
#include "net/http/http_upload.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/spdy/spdy_stream.h"

namespace cnet_test {
namespace {

class SpdyHttpStreamTest : public testing::TestWithParam<cn_next_proto> {
 protected:
  SpdyHttpStreamTest() {
    cn_netlog_init(&netlog_);
    pair_ = std::make_unique<SessionPair>(loop(), &netlog_, GetParam(), 0);
  }
  ~SpdyHttpStreamTest() override {
    pair_.reset();
    cn_netlog_destroy(&netlog_);
  }
  uv_loop_t *loop() { return loop_.get(); }
  bool spdy() const { return GetParam() == CN_PROTO_SPDY31; }

  // Runs one request to completion; returns the final result.
  struct Result {
    int rv = 1;
    int status = 0;
    std::string body;
    std::string header;  // the "x-test" field(s), joined with ","
  };
  static void Done(void *arg, int rv) {
    auto *p = static_cast<std::pair<bool, int> *>(arg);
    p->first = true;
    p->second = rv;
  }
  int Wait(int rv) {
    if (rv != CN_ERR_IO_PENDING)
      return rv;
    std::pair<bool, int> *p = &state_;
    EXPECT_TRUE(RunUntil(loop(), [p] { return p->first; }));
    return p->second;
  }
  int Op(const std::function<int(cn_completion_cb, void *)> &f) {
    state_ = {false, 0};
    return Wait(f(&Done, &state_));
  }

  Result Fetch(const char *url_text, const char *method = "GET", bool absolute = false,
               cn_http_upload *upload = nullptr) {
    Result r;
    cn_url url;
    EXPECT_EQ(CN_OK, cn_url_parse(url_text, &url));
    cn_http_request_info info = {};
    info.method = method;
    info.url = &url;
    info.user_agent = "cnet-test";
    info.use_absolute_form = absolute;
    info.upload = upload;
    cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
    cn_spdy_http_stream *s =
        cn_spdy_http_stream_new(pair_->client, CN_PRIORITY_MEDIUM, none);
    r.rv = Op([&](cn_completion_cb cb, void *a) {
      return cn_spdy_http_stream_send_request(s, &info, cb, a);
    });
    cn_url_free(&url);
    if (r.rv == CN_OK)
      r.rv = Op([&](cn_completion_cb cb, void *a) {
        return cn_spdy_http_stream_read_response_headers(s, cb, a);
      });
    if (r.rv == CN_OK) {
      // Taken as the transaction takes it: the body still reads to its end
      // (and its length is still checked) with the head moved out.
      EXPECT_NE(nullptr, cn_spdy_http_stream_response_head(s));
      cn_http_response_head h;
      cn_http_stream_take_response_head(cn_spdy_http_stream_as_stream(s), &h);
      r.status = h.status;
      char *joined = cn_http_headers_get_joined(&h.headers, "x-test");
      if (joined)
        r.header = joined;
      free(joined);
      free(h.reason);
      cn_http_headers_free(&h.headers);
      cn_iobuf *buf = cn_iobuf_new(4096);
      for (;;) {
        int n = Op([&](cn_completion_cb cb, void *a) {
          return cn_spdy_http_stream_read_response_body(s, buf, 4096, cb, a);
        });
        if (n <= 0) {
          r.rv = n;
          break;
        }
        r.body.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(n));
      }
      cn_iobuf_unref(buf);
      if (r.rv == 0) {
        EXPECT_TRUE(cn_spdy_http_stream_is_response_body_complete(s));
      }
    }
    EXPECT_FALSE(cn_spdy_http_stream_can_reuse_connection(s));
    cn_spdy_http_stream_destroy(s);
    return r;
  }

  TestLoop loop_;
  cn_netlog netlog_;
  std::unique_ptr<SessionPair> pair_;
  std::pair<bool, int> state_;
};

INSTANTIATE_TEST_SUITE_P(Protocols, SpdyHttpStreamTest,
                         testing::Values(CN_PROTO_SPDY31, CN_PROTO_HTTP2),
                         [](const testing::TestParamInfo<cn_next_proto> &i) {
                           return std::string(i.param == CN_PROTO_SPDY31 ? "Spdy31" : "Http2");
                         });

TEST_P(SpdyHttpStreamTest, GetToOrigin) {
  Result r = Fetch("https://origin.test/size/5000");
  EXPECT_EQ(0, r.rv);
  EXPECT_EQ(200, r.status);
  EXPECT_EQ(Pattern(5000, 5000), r.body);
  ASSERT_EQ(1u, pair_->server_rec.streams.size());
  cn_spdy_stream *st = pair_->server_rec.streams[0]->stream;
  EXPECT_STREQ("GET", cn_spdy_stream_header(st, ":method"));
  EXPECT_STREQ("/size/5000", cn_spdy_stream_header(st, ":path"));
  EXPECT_STREQ("cnet-test", cn_spdy_stream_header(st, "user-agent"));
  if (spdy())
    EXPECT_STREQ("origin.test", cn_spdy_stream_header(st, ":host"));
  else
    EXPECT_STREQ("origin.test", cn_spdy_stream_header(st, ":authority"));
}

// F4: an http:// URL sent to a SPDY/HTTP2 proxy.
TEST_P(SpdyHttpStreamTest, AbsoluteFormToProxy) {
  Result r = Fetch("http://origin.test:8080/a?b", "GET", true);
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("hello", r.body);
  cn_spdy_stream *st = pair_->server_rec.streams[0]->stream;
  if (spdy()) {
    EXPECT_STREQ("http://origin.test:8080/a?b", cn_spdy_stream_header(st, ":path"));
    EXPECT_STREQ("http", cn_spdy_stream_header(st, ":scheme"));
  } else {
    EXPECT_STREQ("http", cn_spdy_stream_header(st, ":scheme"));
    EXPECT_STREQ("origin.test:8080", cn_spdy_stream_header(st, ":authority"));
    EXPECT_STREQ("/a?b", cn_spdy_stream_header(st, ":path"));
  }
}

TEST_P(SpdyHttpStreamTest, PostSendsTheUpload) {
  std::string body = Pattern(70000, 3);
  cn_http_upload *up = cn_http_upload_new_copy(body.data(), body.size());
  Result r = Fetch("https://origin.test/echo", "POST", false, up);
  cn_http_upload_destroy(up);
  EXPECT_EQ(0, r.rv);
  EXPECT_EQ(200, r.status);
  EXPECT_EQ(body, r.body);
  EXPECT_STREQ("70000",
               cn_spdy_stream_header(pair_->server_rec.streams[0]->stream, "content-length"));
}

TEST_P(SpdyHttpStreamTest, HeadFieldsAndBodilessStatus) {
  pair_->server_rec.on_stream_hook = [&](cn_spdy_stream *st) {
    std::vector<std::pair<std::string, std::string>> f = {{":status", spdy() ? "404 Nope" : "404"}};
    if (spdy())
      f.push_back({":version", "HTTP/1.1"});
    f.push_back({"x-test", "a"});
    f.push_back({"x-test", "b"});
    auto h = HeaderArray(f);
    EXPECT_EQ(CN_OK, cn_spdy_stream_send_headers(st, h.data(), h.size(), true));
    pair_->server_rec.streams.emplace_back(new Responder(st, true));
    return true;
  };
  Result r = Fetch("https://origin.test/");
  EXPECT_EQ(0, r.rv);
  EXPECT_EQ(404, r.status);
  EXPECT_EQ("", r.body);
  EXPECT_EQ("a, b", r.header);
}

// A body longer or shorter than its content-length is malformed (RFC 9113
// 8.1.1): ERR_HTTP2_PROTOCOL_ERROR, never a silently longer or cut body.
TEST_P(SpdyHttpStreamTest, BodyMustMatchContentLength) {
  for (const char *announced : {"3", "9"}) {
    SCOPED_TRACE(announced);
    pair_->server_rec.streams.clear();
    pair_->server_rec.on_stream_hook = [&](cn_spdy_stream *st) {
      std::vector<std::pair<std::string, std::string>> f = {{":status", "200"}};
      if (spdy())
        f.push_back({":version", "HTTP/1.1"});
      f.push_back({"content-length", announced});
      auto h = HeaderArray(f);
      EXPECT_EQ(CN_OK, cn_spdy_stream_send_headers(st, h.data(), h.size(), false));
      auto *resp = new Responder(st, true);
      pair_->server_rec.streams.emplace_back(resp);
      resp->Write("12345", true);
      return true;
    };
    Result r = Fetch("https://origin.test/");
    EXPECT_EQ(CN_ERR_HTTP2_PROTOCOL_ERROR, r.rv);
  }
}

TEST_P(SpdyHttpStreamTest, GoingAwaySessionFailsRetryably) {
  cn_spdy_session_go_away(pair_->client, CN_HTTP2_NO_ERROR);
  Result r = Fetch("https://origin.test/");
  EXPECT_EQ(CN_ERR_HTTP2_GOING_AWAY, r.rv);
}

TEST_P(SpdyHttpStreamTest, DestroyMidResponseResetsTheStream) {
  pair_->server_rec.hold = true;
  cn_url url;
  ASSERT_EQ(CN_OK, cn_url_parse("https://origin.test/", &url));
  cn_http_request_info info = {};
  info.method = "GET";
  info.url = &url;
  cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
  cn_spdy_http_stream *s =
      cn_spdy_http_stream_new(pair_->client, CN_PRIORITY_MEDIUM, none);
  ASSERT_EQ(CN_OK, Op([&](cn_completion_cb cb, void *a) {
              return cn_spdy_http_stream_send_request(s, &info, cb, a);
            }));
  cn_url_free(&url);
  state_ = {false, 0};
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_spdy_http_stream_read_response_headers(s, &Done, &state_));
  ASSERT_TRUE(RunUntil(loop(), [&] { return pair_->server_rec.streams.size() == 1; }));
  cn_spdy_http_stream_destroy(s);
  cn_spdy_stream *server_stream = pair_->server_rec.streams[0]->stream;
  ASSERT_TRUE(RunUntil(loop(), [&] { return cn_spdy_stream_is_closed(server_stream); }));
  EXPECT_EQ(CN_ERR_HTTP2_STREAM_CLOSED, cn_spdy_stream_error(server_stream));
  EXPECT_FALSE(state_.first);
  EXPECT_TRUE(cn_spdy_session_is_available(pair_->client));
}

}  // namespace
}  // namespace cnet_test
