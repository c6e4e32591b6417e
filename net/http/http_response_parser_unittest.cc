#include "net/http/http_response_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "net/base/net_errors.h"

namespace {

// Everything a parse produced, comparable across input splits.
struct Outcome {
  int result = CN_HTTP_PARSE_NEED_MORE;  // DONE, NEED_MORE (no EOF given) or an error
  bool saw_headers = false;
  int version = 0;
  int status = 0;
  std::string reason;
  std::string headers;   // "name: value\n" each
  std::string trailers;  // same
  std::string body;
  std::string leftover;  // input after the response
  bool keep_alive = false;
  int body_kind = -1;
  int64_t content_length = -2;
  int headers_events = 0;

  std::string Describe() const {
    std::ostringstream o;
    o << "result=" << result << " (" << (result < 0 ? cn_error_name(result) : "event") << ")"
      << " headers_seen=" << saw_headers << " v=" << version << " status=" << status
      << " reason=[" << reason << "] headers=[" << headers << "] trailers=[" << trailers
      << "] body=[" << body << "] leftover=[" << leftover << "] ka=" << keep_alive
      << " kind=" << body_kind << " cl=" << content_length << " hev=" << headers_events;
    return o.str();
  }
  bool operator==(const Outcome &o) const { return Describe() == o.Describe(); }
};

std::string FieldsOf(const cn_http_headers *h) {
  std::string s;
  for (size_t i = 0; i < cn_http_headers_count(h); i++) {
    const cn_http_header *f = cn_http_headers_at(h, i);
    s += std::string(f->name) + ": " + f->value + "\n";
  }
  return s;
}

// Feeds |input| cut at |cuts| (sorted offsets), then EOF if |eof|.
Outcome RunParser(const std::string &input, const std::vector<size_t> &cuts, bool eof,
            const cn_http_response_parser_options *opts = nullptr) {
  cn_http_response_parser p;
  cn_http_response_parser_init(&p, opts);
  Outcome out;
  std::vector<std::string> pieces;
  size_t prev = 0;
  for (size_t c : cuts) {
    pieces.push_back(input.substr(prev, c - prev));
    prev = c;
  }
  pieces.push_back(input.substr(prev));
  bool finished = false;
  for (size_t i = 0; i < pieces.size() && !finished; i++) {
    const uint8_t *data = reinterpret_cast<const uint8_t *>(pieces[i].data());
    size_t len = pieces[i].size();
    while (true) {
      cn_http_parse_result r;
      int ev = cn_http_response_parser_parse(&p, data, len, &r);
      EXPECT_LE(r.consumed, len);
      data += r.consumed;
      len -= r.consumed;
      if (ev < 0) {
        out.result = ev;
        finished = true;
        break;
      }
      if (ev == CN_HTTP_PARSE_HEADERS) {
        out.headers_events++;
        out.saw_headers = true;
      } else if (ev == CN_HTTP_PARSE_BODY) {
        EXPECT_GT(r.body_len, 0u);
        out.body.append(reinterpret_cast<const char *>(r.body), r.body_len);
      } else if (ev == CN_HTTP_PARSE_DONE) {
        out.result = CN_HTTP_PARSE_DONE;
        out.leftover.append(reinterpret_cast<const char *>(data), len);
        for (size_t j = i + 1; j < pieces.size(); j++)
          out.leftover += pieces[j];
        finished = true;
        break;
      } else {
        EXPECT_EQ(0u, len) << "NEED_MORE must use all input";
        break;
      }
    }
  }
  if (!finished && eof)
    out.result = cn_http_response_parser_finish(&p);
  if (out.saw_headers) {
    const cn_http_response_head *h = cn_http_response_parser_head(&p);
    out.version = h->http_version;
    out.status = h->status;
    out.reason = h->reason;
    out.headers = FieldsOf(&h->headers);
    out.keep_alive = cn_http_response_parser_is_keep_alive(&p);
    out.body_kind = cn_http_response_parser_body_kind(&p);
    out.content_length = cn_http_response_parser_content_length(&p);
  }
  out.trailers = FieldsOf(cn_http_response_parser_trailers(&p));
  cn_http_response_parser_free(&p);
  return out;
}

// Parses |input| whole, byte by byte and at random cuts; all must agree.
// Returns the whole-input outcome.
Outcome ParseAllWays(const std::string &input, bool eof = true,
                     const cn_http_response_parser_options *opts = nullptr) {
  Outcome whole = RunParser(input, {}, eof, opts);
  std::vector<size_t> every;
  for (size_t i = 1; i < input.size(); i++)
    every.push_back(i);
  Outcome bytewise = RunParser(input, every, eof, opts);
  EXPECT_EQ(whole.Describe(), bytewise.Describe()) << "byte-by-byte differs";
  std::mt19937 rng(12345);
  for (int round = 0; round < 20 && input.size() > 1; round++) {
    std::vector<size_t> cuts;
    std::uniform_int_distribution<size_t> pos(1, input.size() - 1);
    int n = 1 + round % 6;
    for (int k = 0; k < n; k++)
      cuts.push_back(pos(rng));
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    Outcome split = RunParser(input, cuts, eof, opts);
    EXPECT_EQ(whole.Describe(), split.Describe()) << "random split round " << round;
  }
  return whole;
}

struct ValidCase {
  const char *name;
  std::string input;
  bool eof;
  int status;
  int version;
  const char *reason;
  std::string body;
  bool keep_alive;
  cn_http_body_kind kind;
  std::string leftover;
  bool head_request;
  bool connect_request;
};

TEST(HttpResponseParserTest, ValidResponses) {
  const std::string kChunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1;q=\"x\"\r\nhello\r\n6 \t;e\r\n world\r\n0\r\n\r\n";
  const ValidCase cases[] = {
      {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 200, 11, "OK",
       "hello", true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"pipelined bytes after the body are not consumed",
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 200", false, 200, 11, "OK", "hi",
       true, CN_HTTP_BODY_CONTENT_LENGTH, "HTTP/1.1 200", false, false},
      {"zero length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, 200, 11, "OK", "",
       true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"close-delimited 1.0", "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the end", true, 200, 10,
       "OK", "until the end", false, CN_HTTP_BODY_CLOSE_DELIMITED, "", false, false},
      {"close-delimited 1.1 is not reusable", "HTTP/1.1 200 OK\r\n\r\nabc", true, 200, 11, "OK",
       "abc", false, CN_HTTP_BODY_CLOSE_DELIMITED, "", false, false},
      {"1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx",
       false, 200, 10, "OK", "x", true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"1.0 proxy keep-alive",
       "HTTP/1.0 200 OK\r\nProxy-Connection: keep-alive\r\nContent-Length: 1\r\n\r\nx", false, 200,
       10, "OK", "x", true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"1.0 default close", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", false, 200, 10, "OK",
       "x", false, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"1.1 connection close",
       "HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 1\r\n\r\nx", false, 200, 11,
       "OK", "x", false, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"chunked with extensions", kChunked, false, 200, 11, "OK", "hello world", true,
       CN_HTTP_BODY_CHUNKED, "", false, false},
      {"chunked uppercase hex and leading zeros",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n000A\r\n0123456789\r\n0\r\n\r\nNEXT",
       false, 200, 11, "OK", "0123456789", true, CN_HTTP_BODY_CHUNKED, "NEXT", false, false},
      {"chunked LF only",
       "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n", false, 200, 11, "OK",
       "abc", true, CN_HTTP_BODY_CHUNKED, "", false, false},
      {"chunked overrides content-length, not reusable",
       "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
       "2\r\nab\r\n0\r\n\r\n",
       false, 200, 11, "OK", "ab", false, CN_HTTP_BODY_CHUNKED, "", false, false},
      {"1.0 transfer-encoding reads to EOF",
       "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\nab\r\n",
       true, 200, 10, "OK", "2\r\nab\r\n", false, CN_HTTP_BODY_CLOSE_DELIMITED, "", false, false},
      {"100 continue then 200",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 200,
       11, "OK", "ok", true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"several interim responses",
       "HTTP/1.1 100 Continue\r\nX: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n"
       "HTTP/1.1 204 No Content\r\n\r\n",
       false, 204, 11, "No Content", "", true, CN_HTTP_BODY_NONE, "", false, false},
      {"HEAD has no body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", false, 200, 11, "OK",
       "", true, CN_HTTP_BODY_NONE, "", true, false},
      {"204 has no body", "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n", false, 204, 11,
       "No Content", "", true, CN_HTTP_BODY_NONE, "", false, false},
      {"304 has no body", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", false,
       304, 11, "Not Modified", "", true, CN_HTTP_BODY_NONE, "", false, false},
      {"101 ends the response",
       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
       "\x81\x05hello",
       false, 101, 11, "Switching Protocols", "", false, CN_HTTP_BODY_NONE, "\x81\x05hello",
       false, false},
      {"CONNECT 200 leaves the tunnel bytes",
       "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01", false, 200, 11,
       "Connection established", "", false, CN_HTTP_BODY_NONE, "\x16\x03\x01", false, true},
      {"CONNECT 407 has a body",
       "HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nno", false, 407, 11, "Proxy Auth",
       "no", true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, true},
      {"no reason phrase", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, 200, 11, "", "",
       true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"empty reason phrase", "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", false, 404, 11, "",
       "", true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"reason with spaces and obs-text", "HTTP/1.1 500 Bad  th\xe9ng\r\nContent-Length: 0\r\n\r\n",
       false, 500, 11, "Bad  th\xe9ng", "", true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"LF-only head", "HTTP/1.1 200 OK\nContent-Length: 1\n\nz", false, 200, 11, "OK", "z", true,
       CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"HTTP/1.2 is treated as 1.1", "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", false, 200,
       11, "OK", "", true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
      {"identical duplicate content-length",
       "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3\r\nContent-Length: 3, 3\r\n\r\n"
       "abc",
       false, 200, 11, "OK", "abc", true, CN_HTTP_BODY_CONTENT_LENGTH, "", false, false},
  };
  for (const auto &c : cases) {
    SCOPED_TRACE(c.name);
    cn_http_response_parser_options opts{};
    opts.request_is_head = c.head_request;
    opts.request_is_connect = c.connect_request;
    Outcome o = ParseAllWays(c.input, c.eof, &opts);
    EXPECT_EQ(CN_HTTP_PARSE_DONE, o.result) << o.Describe();
    EXPECT_EQ(1, o.headers_events);
    EXPECT_EQ(c.status, o.status);
    EXPECT_EQ(c.version, o.version);
    EXPECT_EQ(c.reason, o.reason);
    EXPECT_EQ(c.body, o.body);
    EXPECT_EQ(c.keep_alive, o.keep_alive);
    EXPECT_EQ(c.kind, o.body_kind);
    EXPECT_EQ(c.leftover, o.leftover);
  }
}

TEST(HttpResponseParserTest, HeadersAreParsedAndTrimmed) {
  Outcome o = ParseAllWays(
      "HTTP/1.1 200 OK\r\nServer:  cnet-test \t\r\nX-Empty:\r\nSet-Cookie: a=1\r\n"
      "Set-Cookie: b=2\r\nX-Bin: \xff\x01\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(CN_HTTP_PARSE_DONE, o.result) << o.Describe();
  EXPECT_EQ(
      "Server: cnet-test\nX-Empty: \nSet-Cookie: a=1\nSet-Cookie: b=2\nX-Bin: \xff\x01\n"
      "Content-Length: 0\n",
      o.headers);
  EXPECT_EQ(0, o.content_length);
}

TEST(HttpResponseParserTest, InterimHeadersAreDropped) {
  Outcome o = ParseAllWays(
      "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 200 OK\r\nX-Final: 1\r\n"
      "Content-Length: 0\r\n\r\n");
  EXPECT_EQ("X-Final: 1\nContent-Length: 0\n", o.headers);
}

TEST(HttpResponseParserTest, HeadResponseKeepsContentLength) {
  cn_http_response_parser_options opts{};
  opts.request_is_head = true;
  Outcome o = ParseAllWays("HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n\r\n", false, &opts);
  EXPECT_EQ(12345, o.content_length);
  EXPECT_EQ(CN_HTTP_PARSE_DONE, o.result);
}

TEST(HttpResponseParserTest, ChunkedWithTrailers) {
  Outcome o = ParseAllWays(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n"
      "Expires: never\r\nX-Checksum:  abc \r\n\r\n");
  EXPECT_EQ(CN_HTTP_PARSE_DONE, o.result) << o.Describe();
  EXPECT_EQ("Wikipedia in\r\n\r\nchunks.", o.body);
  EXPECT_EQ("Expires: never\nX-Checksum: abc\n", o.trailers);
  EXPECT_EQ("Transfer-Encoding: chunked\n", o.headers);
}

TEST(HttpResponseParserTest, IncompleteWithoutEofNeedsMore) {
  Outcome o = ParseAllWays("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", false);
  EXPECT_EQ(CN_HTTP_PARSE_NEED_MORE, o.result);
  EXPECT_EQ("abc", o.body);
}

struct RejectCase {
  const char *name;
  std::string input;
  bool eof;
  int error;
};

TEST(HttpResponseParserTest, Rejections) {
  const std::string ok = "HTTP/1.1 200 OK\r\n";
  const std::string chunked = ok + "Transfer-Encoding: chunked\r\n\r\n";
  const RejectCase cases[] = {
      // Status line.
      {"not HTTP", "ICY 200 OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"HTTP/0.9 body", "<html>hello</html>", false, CN_ERR_INVALID_RESPONSE},
      {"lower-case protocol", "http/1.1 200 OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"leading blank line", "\r\nHTTP/1.1 200 OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"HTTP/1", "HTTP/1 200 OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"two-digit status", "HTTP/1.1 20 OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"status below 100", "HTTP/1.1 099 X\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"status above 599", "HTTP/1.1 600 X\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"double space", "HTTP/1.1  200 OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"no space after status", "HTTP/1.1 200OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"tab separator", "HTTP/1.1\t200 OK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"NUL in reason", std::string("HTTP/1.1 200 O\0K\r\n\r\n", 19), false,
       CN_ERR_INVALID_RESPONSE},
      {"bare CR in reason", "HTTP/1.1 200 O\rK\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      // Fields.
      {"obs-fold", ok + "X-A: 1\r\n  continued\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"obs-fold tab", ok + "X-A: 1\r\n\tcontinued\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"first field folded", ok + " X-A: 1\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"space before colon", ok + "Content-Length : 0\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"no colon", ok + "NoColonHere\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"empty name", ok + ": value\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"bad name char", ok + "X(A): 1\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"NUL in value", ok + std::string("X: a\0b\r\n\r\n", 10), false, CN_ERR_INVALID_RESPONSE},
      {"bare CR in value", ok + "X: a\rb\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"bare CR ending the head", ok + "X: a\r\n\r\r\n", false, CN_ERR_INVALID_RESPONSE},
      // Content-Length.
      {"conflicting content-length", ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", false,
       CN_ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH},
      {"conflicting list", ok + "Content-Length: 5, 6\r\n\r\n", false,
       CN_ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH},
      {"conflicting on a 304", "HTTP/1.1 304 NM\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       false, CN_ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH},
      {"non-numeric content-length", ok + "Content-Length: abc\r\n\r\n", false,
       CN_ERR_INVALID_RESPONSE},
      {"negative content-length", ok + "Content-Length: -1\r\n\r\n", false,
       CN_ERR_INVALID_RESPONSE},
      {"signed content-length", ok + "Content-Length: +5\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"trailing junk content-length", ok + "Content-Length: 5a\r\n\r\n", false,
       CN_ERR_INVALID_RESPONSE},
      {"empty content-length", ok + "Content-Length:\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"empty list element", ok + "Content-Length: 5,\r\n\r\n", false, CN_ERR_INVALID_RESPONSE},
      {"content-length overflow", ok + "Content-Length: 9223372036854775808\r\n\r\n", false,
       CN_ERR_INVALID_RESPONSE},
      // Transfer-Encoding.
      {"unsupported transfer coding", ok + "Transfer-Encoding: gzip\r\n\r\n", false,
       CN_ERR_INVALID_RESPONSE},
      {"coding before chunked", ok + "Transfer-Encoding: gzip, chunked\r\n\r\n", false,
       CN_ERR_INVALID_RESPONSE},
      {"chunked twice", ok + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
       false, CN_ERR_INVALID_RESPONSE},
      // Chunks.
      {"chunk size not hex", chunked + "xyz\r\n", false, CN_ERR_INVALID_CHUNKED_ENCODING},
      {"empty chunk size", chunked + "\r\n", false, CN_ERR_INVALID_CHUNKED_ENCODING},
      {"0x prefix", chunked + "0x5\r\nhello\r\n0\r\n\r\n", false,
       CN_ERR_INVALID_CHUNKED_ENCODING},
      {"signed chunk size", chunked + "+5\r\nhello\r\n", false, CN_ERR_INVALID_CHUNKED_ENCODING},
      {"leading space in chunk size", chunked + " 5\r\nhello\r\n", false,
       CN_ERR_INVALID_CHUNKED_ENCODING},
      {"junk after chunk size", chunked + "5 x\r\nhello\r\n", false,
       CN_ERR_INVALID_CHUNKED_ENCODING},
      {"chunk size overflow", chunked + "8000000000000000\r\n", false,
       CN_ERR_INVALID_CHUNKED_ENCODING},
      {"chunk line too long", chunked + "5;" + std::string(5000, 'e') + "\r\nhello\r\n", false,
       CN_ERR_INVALID_CHUNKED_ENCODING},
      {"data longer than chunk size", chunked + "5\r\nhelloX\r\n0\r\n\r\n", false,
       CN_ERR_INVALID_CHUNKED_ENCODING},
      {"CR CR after data", chunked + "5\r\nhello\r\r\n", false, CN_ERR_INVALID_CHUNKED_ENCODING},
      {"NUL in chunk extension", chunked + std::string("5;a\0\r\nhello\r\n", 13), false,
       CN_ERR_INVALID_CHUNKED_ENCODING},
      {"folded trailer", chunked + "0\r\nX: 1\r\n 2\r\n\r\n", false,
       CN_ERR_INVALID_CHUNKED_ENCODING},
      {"trailer without colon", chunked + "0\r\nbogus\r\n\r\n", false,
       CN_ERR_INVALID_CHUNKED_ENCODING},
      {"trailers too big", chunked + "0\r\nX: " + std::string(70 * 1024, 'a') + "\r\n\r\n", false,
       CN_ERR_RESPONSE_HEADERS_TOO_BIG},
      // EOF.
      {"empty response", "", true, CN_ERR_EMPTY_RESPONSE},
      {"EOF in status line", "HTTP/1.1 2", true, CN_ERR_RESPONSE_HEADERS_TRUNCATED},
      {"EOF in head", ok + "Content-Length: 5\r\n", true, CN_ERR_RESPONSE_HEADERS_TRUNCATED},
      {"EOF after interim response", "HTTP/1.1 100 Continue\r\n\r\n", true,
       CN_ERR_RESPONSE_HEADERS_TRUNCATED},
      {"EOF before content-length", ok + "Content-Length: 5\r\n\r\nhell", true,
       CN_ERR_CONTENT_LENGTH_MISMATCH},
      {"EOF in chunk data", chunked + "5\r\nhel", true, CN_ERR_INCOMPLETE_CHUNKED_ENCODING},
      {"EOF in chunk size", chunked + "5", true, CN_ERR_INCOMPLETE_CHUNKED_ENCODING},
      {"EOF before last chunk", chunked + "5\r\nhello\r\n", true,
       CN_ERR_INCOMPLETE_CHUNKED_ENCODING},
      {"EOF before chunk CRLF", chunked + "5\r\nhello", true, CN_ERR_INCOMPLETE_CHUNKED_ENCODING},
      {"EOF in trailer section", chunked + "0\r\n", true, CN_ERR_INCOMPLETE_CHUNKED_ENCODING},
      {"EOF in trailer", chunked + "0\r\nX: 1\r\n", true, CN_ERR_INCOMPLETE_CHUNKED_ENCODING},
  };
  for (const auto &c : cases) {
    SCOPED_TRACE(c.name);
    Outcome o = ParseAllWays(c.input, c.eof);
    EXPECT_EQ(c.error, o.result) << c.name << ": " << o.Describe();
  }
}

TEST(HttpResponseParserTest, NonHttpIsRefusedBeforeTheLineEnds) {
  cn_http_response_parser p;
  cn_http_response_parser_init(&p, nullptr);
  cn_http_parse_result r;
  const uint8_t kData[] = {'H', 'T', 'X'};
  EXPECT_EQ(CN_HTTP_PARSE_NEED_MORE, cn_http_response_parser_parse(&p, kData, 2, &r));
  EXPECT_EQ(CN_ERR_INVALID_RESPONSE, cn_http_response_parser_parse(&p, kData + 2, 1, &r));
  // Errors are sticky.
  EXPECT_EQ(CN_ERR_INVALID_RESPONSE, cn_http_response_parser_parse(&p, kData, 1, &r));
  EXPECT_EQ(CN_ERR_INVALID_RESPONSE, cn_http_response_parser_finish(&p));
  cn_http_response_parser_free(&p);
}

TEST(HttpResponseParserTest, HeaderSectionLimit) {
  cn_http_response_parser_options opts{};
  opts.max_header_bytes = 64;
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n";  // 36 bytes
  // 36 + 23 + ":\r\n" + "\r\n" is exactly 64.
  Outcome fits = ParseAllWays(head + std::string(23, 'X') + ":\r\n\r\n", false, &opts);
  EXPECT_EQ(CN_HTTP_PARSE_DONE, fits.result) << fits.Describe();
  Outcome over = ParseAllWays(head + std::string(24, 'X') + ":\r\n\r\n", false, &opts);
  EXPECT_EQ(CN_ERR_RESPONSE_HEADERS_TOO_BIG, over.result) << over.Describe();
  // A line that never ends is cut off at the limit, not buffered forever.
  Outcome endless = ParseAllWays(head + "X: " + std::string(100, 'a'), false, &opts);
  EXPECT_EQ(CN_ERR_RESPONSE_HEADERS_TOO_BIG, endless.result);
  // Interim responses count too.
  std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  Outcome many = ParseAllWays(interim + interim + interim + "HTTP/1.1 200 OK\r\n\r\n", false,
                              &opts);
  EXPECT_EQ(CN_ERR_RESPONSE_HEADERS_TOO_BIG, many.result);
}

TEST(HttpResponseParserTest, DefaultHeaderLimitIs256KiB) {
  std::string big = "HTTP/1.1 200 OK\r\nX: " + std::string(256 * 1024, 'a') + "\r\n\r\n";
  EXPECT_EQ(CN_ERR_RESPONSE_HEADERS_TOO_BIG, RunParser(big, {}, true).result);
  std::string fine = "HTTP/1.1 200 OK\r\nX: " + std::string(200 * 1024, 'a') +
                     "\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(CN_HTTP_PARSE_DONE, RunParser(fine, {}, true).result);
}

TEST(HttpResponseParserTest, TooManyFields) {
  std::string head = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < CN_HTTP_MAX_HEADER_FIELDS; i++)
    head += "A: 1\r\n";
  EXPECT_EQ(CN_HTTP_PARSE_DONE, RunParser(head + "\r\n", {}, true).result);
  EXPECT_EQ(CN_ERR_RESPONSE_HEADERS_TOO_BIG, RunParser(head + "B: 2\r\n\r\n", {}, true).result);
}

TEST(HttpResponseParserTest, LargeChunkedBodyRandomSplits) {
  std::string body;
  std::string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::mt19937 rng(7);
  for (int i = 0; i < 50; i++) {
    size_t n = 1 + rng() % 3000;
    std::string chunk;
    for (size_t k = 0; k < n; k++)
      chunk += static_cast<char>('a' + rng() % 26);
    char size[32];
    snprintf(size, sizeof(size), "%zx", n);
    wire += std::string(size) + (i % 2 ? ";x=y" : "") + "\r\n" + chunk + "\r\n";
    body += chunk;
  }
  wire += "0\r\nT: v\r\n\r\n";
  Outcome o = ParseAllWays(wire, false);
  EXPECT_EQ(CN_HTTP_PARSE_DONE, o.result);
  EXPECT_EQ(body, o.body);
  EXPECT_EQ("T: v\n", o.trailers);
}

TEST(HttpResponseParserTest, BodyIsZeroCopy) {
  std::string input = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  cn_http_response_parser p;
  cn_http_response_parser_init(&p, nullptr);
  const uint8_t *data = reinterpret_cast<const uint8_t *>(input.data());
  cn_http_parse_result r;
  ASSERT_EQ(CN_HTTP_PARSE_HEADERS, cn_http_response_parser_parse(&p, data, input.size(), &r));
  EXPECT_TRUE(cn_http_response_parser_headers_complete(&p));
  size_t off = r.consumed;
  ASSERT_EQ(CN_HTTP_PARSE_BODY,
            cn_http_response_parser_parse(&p, data + off, input.size() - off, &r));
  EXPECT_EQ(data + off, r.body);  // points into the input
  EXPECT_EQ(5u, r.body_len);
  EXPECT_TRUE(cn_http_response_parser_is_done(&p));
  EXPECT_EQ(input.size(), cn_http_response_parser_bytes_received(&p));
  EXPECT_EQ(CN_HTTP_PARSE_DONE, cn_http_response_parser_parse(&p, nullptr, 0, &r));
  EXPECT_EQ(CN_HTTP_PARSE_DONE, cn_http_response_parser_finish(&p));
  cn_http_response_parser_free(&p);
}

}  // namespace
