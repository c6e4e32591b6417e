#include "tools/testserver/http1_request_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace {

struct Parsed {
  cn_ts_h1_result result;
  size_t consumed;
  int error_status;
  std::string error;
};

class TestServerParserTest : public ::testing::Test {
 protected:
  void SetUp() override { cn_ts_h1_parser_init(&p_, nullptr); }
  void TearDown() override {
    cn_ts_h1_parser_free(&p_);
    cn_ts_request_free(&req_);
  }

  // Feeds |text| in pieces of |piece| bytes (0: all at once), keeping
  // unconsumed bytes as a connection would.
  Parsed Feed(const std::string &text, size_t piece = 0) {
    std::string pending;
    size_t off = 0;
    cn_ts_h1_result rv = CN_TS_H1_NEED_MORE;
    size_t total = 0;
    while (off < text.size() && rv == CN_TS_H1_NEED_MORE) {
      size_t n = piece ? std::min(piece, text.size() - off) : text.size() - off;
      pending.append(text, off, n);
      off += n;
      size_t used = 0;
      rv = cn_ts_h1_parser_feed(&p_, reinterpret_cast<const uint8_t *>(pending.data()),
                                pending.size(), &used);
      pending.erase(0, used);
      total += used;
    }
    if (rv == CN_TS_H1_DONE)
      cn_ts_h1_parser_take_request(&p_, &req_);
    return {rv, total, p_.error_status, p_.error ? p_.error : ""};
  }

  int ErrorStatus(const std::string &text) {
    Parsed r = Feed(text);
    EXPECT_EQ(CN_TS_H1_ERROR, r.result) << text;
    return r.error_status;
  }

  std::string Body() const {
    return std::string(reinterpret_cast<const char *>(cn_bytebuf_head(&req_.body)),
                       cn_bytebuf_len(&req_.body));
  }

  cn_ts_h1_parser p_;
  cn_ts_request req_{};
};

TEST_F(TestServerParserTest, SimpleGet) {
  std::string text = "GET /bytes/10?x=1 HTTP/1.1\r\nHost: a.test\r\nX-Foo:  bar baz \t\r\n\r\n";
  Parsed r = Feed(text);
  ASSERT_EQ(CN_TS_H1_DONE, r.result);
  EXPECT_EQ(text.size(), r.consumed);
  EXPECT_STREQ("GET", req_.method);
  EXPECT_STREQ("/bytes/10?x=1", req_.target);
  EXPECT_EQ(11, req_.http_version);
  ASSERT_EQ(2u, req_.headers.count);
  EXPECT_STREQ("X-Foo", req_.headers.items[1].name);
  EXPECT_STREQ("bar baz", req_.headers.items[1].value);  // OWS trimmed
  EXPECT_STREQ("a.test", cn_ts_headers_get(&req_.headers, "host"));
  char path[64];
  cn_ts_request_path(&req_, path, sizeof(path));
  EXPECT_STREQ("/bytes/10", path);
}

TEST_F(TestServerParserTest, ByteByByte) {
  std::string text =
      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n";
  Parsed r = Feed(text, 1);
  ASSERT_EQ(CN_TS_H1_DONE, r.result);
  EXPECT_EQ(text.size(), r.consumed);
  EXPECT_EQ("abc0123456789abcdef", Body());
  EXPECT_EQ(nullptr, cn_ts_headers_get(&req_.headers, "Trailer"));  // trailers dropped
}

TEST_F(TestServerParserTest, ContentLengthBodyAndNextRequest) {
  std::string first = "PUT /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  std::string text = first + "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  Parsed r = Feed(text);
  ASSERT_EQ(CN_TS_H1_DONE, r.result);
  EXPECT_EQ(first.size(), r.consumed);  // stops at the request's end
  EXPECT_EQ("hello", Body());
  cn_ts_request_free(&req_);
  size_t used;
  const std::string rest = text.substr(first.size());
  EXPECT_EQ(CN_TS_H1_DONE,
            cn_ts_h1_parser_feed(&p_, reinterpret_cast<const uint8_t *>(rest.data()), rest.size(),
                                 &used));
  EXPECT_EQ(rest.size(), used);
}

TEST_F(TestServerParserTest, LeadingEmptyLinesAndHttp10WithoutHost) {
  Parsed r = Feed("\r\n\r\nGET / HTTP/1.0\r\n\r\n");
  ASSERT_EQ(CN_TS_H1_DONE, r.result);
  EXPECT_EQ(10, req_.http_version);
}

TEST_F(TestServerParserTest, AwaitingBodyAfterHeaders) {
  std::string head = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n";
  size_t used;
  EXPECT_EQ(CN_TS_H1_NEED_MORE,
            cn_ts_h1_parser_feed(&p_, reinterpret_cast<const uint8_t *>(head.data()), head.size(),
                                 &used));
  EXPECT_TRUE(cn_ts_h1_parser_awaiting_body(&p_));
}

TEST_F(TestServerParserTest, Rejects) {
  struct {
    const char *text;
    int status;
  } cases[] = {
      {"GET / HTTP/1.1\nHost: a\r\n\r\n", 400},                 // bare LF
      {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},              // double space
      {"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400},              // trailing space
      {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},               // bad method
      {"GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400},               // bad version
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},               // other version
      {"GET / HTTP/1.1\r\n\r\n", 400},                          // no Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},    // two Hosts
      {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},              // space before colon
      {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400},    // obs-fold
      {"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01" "b\r\n\r\n", 400},  // control char
      {"GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n", 413},
  };
  for (const auto &c : cases) {
    cn_ts_h1_parser_free(&p_);
    cn_ts_h1_parser_init(&p_, nullptr);
    EXPECT_EQ(c.status, ErrorStatus(c.text)) << c.text;
  }
}

TEST_F(TestServerParserTest, Limits) {
  cn_ts_h1_limits limits = cn_ts_h1_default_limits();
  limits.max_line = 64;
  limits.max_headers = 3;
  limits.max_header_bytes = 200;
  limits.max_body = 10;
  auto reset = [&] {
    cn_ts_h1_parser_free(&p_);
    cn_ts_h1_parser_init(&p_, &limits);
  };
  reset();
  EXPECT_EQ(414, ErrorStatus("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n"));
  reset();
  EXPECT_EQ(431, ErrorStatus("GET / HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n"));
  reset();
  EXPECT_EQ(431, ErrorStatus("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"));
  reset();
  EXPECT_EQ(413, ErrorStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"));
  reset();
  EXPECT_EQ(413, ErrorStatus("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "8\r\n12345678\r\n8\r\n"));
}

}  // namespace
