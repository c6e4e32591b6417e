// The test server in-process, driven by cnet's own TCP and TLS client
// sockets and hand-written HTTP/1.1.
#include "tools/testserver/test_server.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "net/base/netlog_counters.h"
#include "net/socket/pipe_socket.h"
#include "net/socket/socket_test_util.h"
#include "tools/testserver/test_server_test_util.h"

namespace cnet_test {
namespace {

std::string Get(const std::string &path, const std::string &extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

class TestServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (cn_stream_socket *s : sockets_)
      cn_stream_socket_destroy(s);
    sockets_.clear();
    cn_test_server_destroy(server_);
    server_ = nullptr;
    cn_ssl_context_unref(client_ctx_);
    client_ctx_ = nullptr;
  }

  void Start(cn_test_server_options o = {}) {
    ASSERT_EQ(CN_OK, cn_test_server_new(loop_.get(), &o, &server_));
    ASSERT_NE(0, cn_test_server_port(server_));
    if (!o.plain) {
      ASSERT_NE(nullptr, cn_test_server_ca_pem(server_));
      cn_ssl_client_context_options co = {};
      co.ca_pem = cn_test_server_ca_pem(server_);
      ASSERT_EQ(CN_OK, cn_ssl_client_context_new(&co, &client_ctx_));
    }
  }

  cn_stream_socket *Own(cn_stream_socket *s) {
    if (s)
      sockets_.push_back(s);
    return s;
  }
  void Close(cn_stream_socket *s) {
    sockets_.erase(std::remove(sockets_.begin(), sockets_.end(), s), sockets_.end());
    cn_stream_socket_destroy(s);
  }

  // A TLS connection (or its error in *rv).
  cn_stream_socket *Tls(int *rv, const char *host = "127.0.0.1",
                        const cn_ssl_config *config = nullptr) {
    return Own(ConnectTls(loop_.get(), cn_test_server_address(server_), client_ctx_, host, rv,
                          config));
  }
  cn_stream_socket *TlsOk(const char *host = "127.0.0.1") {
    int rv;
    cn_stream_socket *s = Tls(&rv, host);
    EXPECT_EQ(CN_OK, rv) << cn_error_name(rv);
    return s;
  }
  cn_stream_socket *Plain() {
    int rv;
    cn_stream_socket *s = Own(ConnectTcp(loop_.get(), cn_test_server_address(server_), &rv));
    EXPECT_EQ(CN_OK, rv);
    return s;
  }

  Response Exchange(cn_stream_socket *s, const std::string &request, bool head = false) {
    EXPECT_EQ(CN_OK, WriteAll(loop_.get(), s, request));
    ResponseReader reader(loop_.get(), s);
    Response r = reader.Read(head);
    EXPECT_TRUE(reader.buffered().empty()) << "bytes after the response";
    return r;
  }

  cn_test_server_counters Counters() {
    cn_test_server_counters c;
    cn_test_server_get_counters(server_, &c);
    return c;
  }

  // Runs the loop until |pred| holds (the server side of a connection
  // finishing after the client's side did), for at most 5 s.
  template <typename Pred>
  bool RunUntil(Pred pred) {
    return cnet_test::RunUntil(loop_.get(), pred, 5000);
  }

  TestLoop loop_;
  cn_test_server *server_ = nullptr;
  cn_ssl_context *client_ctx_ = nullptr;
  std::vector<cn_stream_socket *> sockets_;
};

TEST_F(TestServerTest, GetRootOverTls) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response r = Exchange(s, Get("/"));
  EXPECT_EQ("HTTP/1.1 200 OK", r.status_line);
  EXPECT_EQ("cnet-testserver", r.Header("Server"));
  EXPECT_EQ("text/html; charset=utf-8", r.Header("Content-Type"));
  EXPECT_EQ(std::to_string(r.body.size()), r.Header("Content-Length"));
  EXPECT_FALSE(r.HasHeader("Date"));  // deterministic headers only
  EXPECT_NE(std::string::npos, r.body.find("cnet-testserver"));
  EXPECT_TRUE(r.complete);
  cn_test_server_counters c = Counters();
  EXPECT_EQ(1u, c.connections_accepted);
  EXPECT_EQ(1u, c.tls_handshakes);
  EXPECT_EQ(1u, c.requests);
  EXPECT_EQ(1u, c.http1_connections);
  EXPECT_EQ(1u, c.connections_open);
  char url[128];
  EXPECT_EQ("https://127.0.0.1:" + std::to_string(cn_test_server_port(server_)),
            std::string(cn_test_server_base_url(server_, url, sizeof(url))));
}

TEST_F(TestServerTest, BytesContent) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  for (size_t n : {0, 1, 1000, 300 * 1000}) {
    Response r = Exchange(s, Get("/bytes/" + std::to_string(n)));
    EXPECT_EQ(200, r.status);
    EXPECT_EQ(std::to_string(n), r.Header("Content-Length"));
    EXPECT_EQ("application/octet-stream", r.Header("Content-Type"));
    EXPECT_TRUE(r.body == PatternBytes(0, n)) << "body of /bytes/" << n << " differs";
  }
  EXPECT_EQ(4u, Counters().requests);
}

TEST_F(TestServerTest, PatternIsDocumented) {
  // byte i = (i * 31 + 7) & 0xff
  EXPECT_EQ(7, cn_ts_pattern_byte(0));
  EXPECT_EQ(38, cn_ts_pattern_byte(1));
  EXPECT_EQ((1000 * 31 + 7) & 0xff, cn_ts_pattern_byte(1000));
  // The fast fill agrees with the definition at any offset and length.
  for (uint64_t offset : {0, 1, 255, 256, 1000}) {
    for (size_t len : {0, 1, 255, 256, 257, 511, 513, 5000}) {
      std::string fill = PatternBytes(offset, len);
      for (size_t i = 0; i < len; i++)
        ASSERT_EQ(cn_ts_pattern_byte(offset + i), static_cast<uint8_t>(fill[i]))
            << offset << "+" << i << " of " << len;
    }
  }
}

TEST_F(TestServerTest, KeepAliveReusesOneConnection) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response a = Exchange(s, Get("/bytes/10"));
  Response b = Exchange(s, Get("/"));
  EXPECT_EQ(200, a.status);
  EXPECT_EQ(200, b.status);
  EXPECT_FALSE(a.HasHeader("Connection"));
  cn_test_server_counters c = Counters();
  EXPECT_EQ(1u, c.connections_accepted);
  EXPECT_EQ(1u, c.tls_handshakes);
  EXPECT_EQ(2u, c.requests);
}

TEST_F(TestServerTest, ChunkedFraming) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  const size_t n = 50000;
  Response r = Exchange(s, Get("/chunked/" + std::to_string(n)));
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("chunked", r.Header("Transfer-Encoding"));
  EXPECT_FALSE(r.HasHeader("Content-Length"));
  EXPECT_TRUE(r.complete);
  EXPECT_GT(r.chunks, 5);
  EXPECT_TRUE(r.body == PatternBytes(0, n));
  // The connection stays usable: the terminating chunk was exact.
  EXPECT_EQ(200, Exchange(s, Get("/chunked/0")).status);
}

TEST_F(TestServerTest, ChunkedSizesOnTheWire) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, Get("/chunked/20")));
  std::string raw;
  while (raw.find("0\r\n\r\n") == std::string::npos) {
    int last;
    std::string more = ReadBytes(loop_.get(), s, 1, &last);
    ASSERT_GT(last, 0);
    raw += more;
  }
  EXPECT_NE(std::string::npos, raw.find("\r\n\r\n1\r\n" + PatternBytes(0, 1) + "\r\nd\r\n" +
                                        PatternBytes(1, 13) + "\r\n6\r\n" + PatternBytes(14, 6) +
                                        "\r\n0\r\n\r\n"));
}

TEST_F(TestServerTest, EchoBodies) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  std::string body = PatternBytes(5, 100000);
  Response r = Exchange(s, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: x/y\r\n"
                           "Content-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("x/y", r.Header("Content-Type"));
  EXPECT_TRUE(r.body == body);
  // A chunked request body, on the same connection.
  r = Exchange(s, "PUT /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n1;x=y\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
  EXPECT_EQ("hello world", r.body);
  EXPECT_EQ("application/octet-stream", r.Header("Content-Type"));
  EXPECT_EQ(1u, Counters().connections_accepted);
}

TEST_F(TestServerTest, ExpectContinue) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s,
                            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                            "Expect: 100-continue\r\n\r\n"));
  ResponseReader reader(loop_.get(), s);
  std::string line;
  int last;
  ASSERT_TRUE(reader.ReadLine(&line, &last));
  EXPECT_EQ("HTTP/1.1 100 Continue", line);
  ASSERT_TRUE(reader.ReadLine(&line, &last));
  EXPECT_EQ("", line);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, "abc"));
  Response r = reader.Read();
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("abc", r.body);
}

TEST_F(TestServerTest, HeadersEcho) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response r = Exchange(s, "GET /headers HTTP/1.1\r\nHost: a.test\r\nX-Two: 2\r\nx-one:1\r\n\r\n");
  EXPECT_EQ("Host: a.test\nX-Two: 2\nx-one: 1\n", r.body);
  EXPECT_EQ("text/plain", r.Header("Content-Type"));
}

TEST_F(TestServerTest, StatusCodes) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response r = Exchange(s, Get("/status/204"));
  EXPECT_EQ("HTTP/1.1 204 No Content", r.status_line);
  EXPECT_FALSE(r.HasHeader("Content-Length"));
  EXPECT_FALSE(r.HasHeader("Transfer-Encoding"));
  r = Exchange(s, Get("/status/304"));
  EXPECT_EQ(304, r.status);
  EXPECT_FALSE(r.HasHeader("Content-Length"));
  r = Exchange(s, Get("/status/418"));
  EXPECT_EQ("HTTP/1.1 418 Unknown", r.status_line);
  EXPECT_EQ("status 418\n", r.body);
  r = Exchange(s, Get("/status/503"));
  EXPECT_EQ("HTTP/1.1 503 Service Unavailable", r.status_line);
  EXPECT_EQ(400, Exchange(s, Get("/status/99")).status);
  EXPECT_EQ(400, Exchange(s, Get("/status/abc")).status);
  EXPECT_EQ(404, Exchange(s, Get("/nope")).status);
  // Nothing leaked between the bodiless responses: still one connection.
  EXPECT_EQ(200, Exchange(s, Get("/bytes/3")).status);
  EXPECT_EQ(1u, Counters().connections_accepted);
}

TEST_F(TestServerTest, Head) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response r = Exchange(s, "HEAD /bytes/1000 HTTP/1.1\r\nHost: a\r\n\r\n", true);
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("1000", r.Header("Content-Length"));
  EXPECT_TRUE(r.body.empty());
  r = Exchange(s, "HEAD /chunked/1000 HTTP/1.1\r\nHost: a\r\n\r\n", true);
  EXPECT_EQ("chunked", r.Header("Transfer-Encoding"));
  r = Exchange(s, "HEAD /slow/60000 HTTP/1.1\r\nHost: a\r\n\r\n", true);
  EXPECT_EQ("1000", r.Header("Content-Length"));
  // No stray body bytes: the next response parses.
  r = Exchange(s, Get("/bytes/5"));
  EXPECT_EQ(PatternBytes(0, 5), r.body);
}

TEST_F(TestServerTest, BadRequestGets400AndClose) {
  Start();
  for (const char *bad : {"GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
                          "GET / HTTP/1.1\nHost: a\n\n"}) {
    cn_stream_socket *s = TlsOk();
    ASSERT_TRUE(s);
    Response r = Exchange(s, bad);
    EXPECT_EQ(400, r.status) << bad;
    EXPECT_EQ("close", r.Header("Connection"));
    EXPECT_NE(std::string::npos, r.body.find("400 Bad Request")) << r.body;
    ResponseReader reader(loop_.get(), s);
    EXPECT_EQ(0, reader.ReadMore()) << "the server must close";
    Close(s);
  }
  EXPECT_EQ(3u, Counters().bad_requests);
  EXPECT_EQ(0u, Counters().requests);
}

TEST_F(TestServerTest, ConnectionCloseRequested) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response r = Exchange(s, Get("/bytes/10", "Connection: close\r\n"));
  EXPECT_EQ("close", r.Header("Connection"));
  EXPECT_EQ(PatternBytes(0, 10), r.body);
  ResponseReader reader(loop_.get(), s);
  EXPECT_EQ(0, reader.ReadMore());
  EXPECT_TRUE(RunUntil([&] { return Counters().connections_open == 0; }));
}

TEST_F(TestServerTest, Http10GetsCloseDelimitedBodies) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response r = Exchange(s, "GET /chunked/3000 HTTP/1.0\r\n\r\n");
  EXPECT_EQ(200, r.status);
  EXPECT_FALSE(r.HasHeader("Transfer-Encoding"));
  EXPECT_EQ("close", r.Header("Connection"));
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(r.body == PatternBytes(0, 3000));
}

TEST_F(TestServerTest, NoLengthBodyEndsWithClose) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response r = Exchange(s, Get("/no-length/100000"));
  EXPECT_EQ(200, r.status);
  EXPECT_FALSE(r.HasHeader("Content-Length"));
  EXPECT_FALSE(r.HasHeader("Transfer-Encoding"));
  EXPECT_EQ("close", r.Header("Connection"));
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(0, r.last_read);
  EXPECT_TRUE(r.body == PatternBytes(0, 100000));
}

TEST_F(TestServerTest, CloseAfterTruncatesBody) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response r = Exchange(s, Get("/close-after/5000"));
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("6000", r.Header("Content-Length"));
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(0, r.last_read);
  EXPECT_TRUE(r.body == PatternBytes(0, 5000)) << r.body.size();
}

TEST_F(TestServerTest, ResetSendsNothing) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  // A first request on the connection, then the one that kills it.
  EXPECT_EQ(200, Exchange(s, Get("/bytes/1")).status);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, Get("/reset")));
  ResponseReader reader(loop_.get(), s);
  int rv = reader.ReadMore();
  EXPECT_LE(rv, 0);
  EXPECT_TRUE(reader.buffered().empty());
}

// close_on_request 2: the first request is answered, the second closes the
// connection without a byte; a new connection starts counting again.
TEST_F(TestServerTest, CloseOnRequest) {
  cn_test_server_options o = {};
  o.close_on_request = 2;
  Start(o);
  for (int round = 0; round < 2; round++) {
    cn_stream_socket *s = TlsOk();
    ASSERT_TRUE(s);
    EXPECT_EQ(200, Exchange(s, Get("/bytes/1")).status);
    ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, Get("/bytes/1")));
    ResponseReader reader(loop_.get(), s);
    EXPECT_LE(reader.ReadMore(), 0);
    EXPECT_TRUE(reader.buffered().empty());
  }
  EXPECT_EQ(2u, Counters().closed_on_request);
}

// The fault routes over HTTP/1.1: the status line as garbage, a head too
// big, too many header lines, a body longer than announced, one that stalls.
TEST_F(TestServerTest, FaultRoutes) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, Get("/fault/garbage")));
  ResponseReader garbage(loop_.get(), s);
  while (garbage.buffered().find("\r\n") == std::string::npos && garbage.ReadMore() > 0) {
  }
  EXPECT_EQ(0u, garbage.buffered().find("GARBAGE not a status line\r\n")) << garbage.buffered();
  Response r;

  s = TlsOk();
  ASSERT_TRUE(s);
  r = Exchange(s, Get("/fault/big-head"));
  EXPECT_EQ(200, r.status);
  EXPECT_EQ(std::string(CN_TEST_SERVER_BIG_HEAD_BYTES, 'a'), r.Header("X-Big"));
  EXPECT_EQ("fault\n", r.body);

  r = Exchange(s, Get("/fault/many-headers"));
  EXPECT_EQ(200, r.status);
  EXPECT_EQ(std::string(CN_TEST_SERVER_MANY_HEADERS_VALUE, 'v'), r.Header("X-Many-1999"));
  EXPECT_GT(r.headers.size(), static_cast<size_t>(CN_TEST_SERVER_MANY_HEADERS));

  // /long-body: 10 bytes announced, 1010 sent.
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, Get("/long-body/10")));
  ResponseReader longer(loop_.get(), s);
  r = longer.Read();
  EXPECT_EQ("10", r.Header("Content-Length"));
  EXPECT_TRUE(r.body == PatternBytes(0, 10));
  while (longer.buffered().size() < 1000 && longer.ReadMore() > 0) {
  }
  EXPECT_TRUE(longer.buffered() == PatternBytes(10, 1000)) << longer.buffered().size();

  // /hang-body/5: 1005 announced, 5 sent, then nothing (the connection
  // stays open: a read is still pending once the 5 bytes are in).
  // Not owned by the fixture: destroyed below while its read is pending.
  int rv;
  s = ConnectTls(loop_.get(), cn_test_server_address(server_), client_ctx_, "127.0.0.1", &rv);
  ASSERT_TRUE(s) << cn_error_name(rv);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, Get("/hang-body/5")));
  ResponseReader hang(loop_.get(), s);
  std::string got;
  while (got.find("\r\n\r\n") == std::string::npos || got.size() - got.find("\r\n\r\n") < 9) {
    if (hang.ReadMore() <= 0) {
      cn_stream_socket_destroy(s);
      FAIL() << "the connection ended: " << hang.buffered();
    }
    got = hang.buffered();
  }
  EXPECT_NE(std::string::npos, got.find("Content-Length: 1005"));
  EXPECT_EQ(PatternBytes(0, 5), got.substr(got.find("\r\n\r\n") + 4));
  cn_iobuf *buf = cn_iobuf_new(64);
  TestCompletion c;
  EXPECT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(s, buf, buf->size, c.cb(), c.arg()));
  cn_stream_socket_destroy(s);
  cn_iobuf_unref(buf);
}

TEST_F(TestServerTest, SlowTakesItsTime) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, Get("/slow/300")));
  uint64_t start = uv_hrtime();
  ResponseReader reader(loop_.get(), s);
  Response r = reader.Read();
  uint64_t ms = (uv_hrtime() - start) / 1000000;
  EXPECT_EQ(200, r.status);
  EXPECT_TRUE(r.body == PatternBytes(0, 1000));
  EXPECT_GE(ms, 250u);
  EXPECT_LT(ms, 5000u);
}

TEST_F(TestServerTest, GzipBody) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  const size_t n = 100000;
  Response r = Exchange(s, Get("/gzip/" + std::to_string(n)));
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("gzip", r.Header("Content-Encoding"));
  EXPECT_LT(r.body.size(), n / 10);  // the pattern compresses well
  z_stream z = {};
  ASSERT_EQ(Z_OK, inflateInit2(&z, 15 + 16));
  std::string out(n + 16, '\0');
  z.next_in = reinterpret_cast<Bytef *>(&r.body[0]);
  z.avail_in = static_cast<uInt>(r.body.size());
  z.next_out = reinterpret_cast<Bytef *>(&out[0]);
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(Z_STREAM_END, inflate(&z, Z_FINISH));
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  EXPECT_TRUE(out == PatternBytes(0, n));
}

TEST_F(TestServerTest, AbsoluteFormTarget) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Response r = Exchange(s, Get("http://origin.test/bytes/7?q=1"));
  EXPECT_EQ(PatternBytes(0, 7), r.body);
}

TEST_F(TestServerTest, PlainHttp) {
  cn_test_server_options o = {};
  o.plain = true;
  Start(o);
  EXPECT_EQ(nullptr, cn_test_server_ca_pem(server_));
  char url[128];
  EXPECT_EQ(0, strncmp("http://127.0.0.1:", cn_test_server_base_url(server_, url, sizeof(url)),
                       17));
  cn_stream_socket *s = Plain();
  ASSERT_TRUE(s);
  Response r = Exchange(s, Get("/bytes/2000"));
  EXPECT_TRUE(r.body == PatternBytes(0, 2000));
  r = Exchange(s, Get("/chunked/2000"));
  EXPECT_TRUE(r.body == PatternBytes(0, 2000));
  cn_test_server_counters c = Counters();
  EXPECT_EQ(0u, c.tls_handshakes);
  EXPECT_EQ(2u, c.requests);
}

TEST_F(TestServerTest, ExtraNameInCertificate) {
  const char *names[] = {"origin.test"};
  cn_test_server_options o = {};
  o.names = names;
  o.num_names = 1;
  Start(o);
  for (const char *host : {"origin.test", "localhost", "127.0.0.1"}) {
    int rv;
    cn_stream_socket *s = Tls(&rv, host);
    EXPECT_EQ(CN_OK, rv) << host;
    if (s) {
      cn_ssl_info info;
      ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(s, &info));
      EXPECT_STREQ("", info.alpn);  // the client offered no ALPN
      Close(s);
    }
  }
  int rv;
  EXPECT_EQ(nullptr, Tls(&rv, "other.test"));
  EXPECT_EQ(CN_ERR_CERT_COMMON_NAME_INVALID, rv);
}

TEST_F(TestServerTest, SharedIssuer) {
  cn_test_cert *ca = cn_test_cert_new_ca("shared CA");
  cn_test_server_options o = {};
  o.issuer = ca;
  Start(o);
  EXPECT_STREQ(cn_test_cert_pem(ca), cn_test_server_ca_pem(server_));
  cn_test_cert_free(ca);  // the server keeps what it needs
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  EXPECT_EQ(200, Exchange(s, Get("/")).status);
}

cn_ssl_config ClientAlpn(std::initializer_list<cn_next_proto> protos) {
  cn_ssl_config c = {};
  for (cn_next_proto p : protos)
    c.protos[c.num_protos++] = p;
  return c;
}

TEST_F(TestServerTest, AlpnServerPreferenceWins) {
  // The server prefers http/1.1, the client h2: http/1.1.
  cn_test_server_options o = {};
  o.alpn[0] = CN_PROTO_HTTP11;
  o.alpn[1] = CN_PROTO_HTTP2;
  o.num_alpn = 2;
  Start(o);
  cn_ssl_config client = ClientAlpn({CN_PROTO_HTTP2, CN_PROTO_HTTP11});
  int rv;
  cn_stream_socket *s = Tls(&rv, "127.0.0.1", &client);
  ASSERT_EQ(CN_OK, rv);
  EXPECT_EQ(CN_PROTO_HTTP11, cn_stream_socket_negotiated_protocol(s));
  EXPECT_EQ(200, Exchange(s, Get("/")).status);
}

TEST_F(TestServerTest, AlpnOtherWay) {
  // The server prefers h2, the client http/1.1: h2, served by a session.
  cn_test_server_options o = {};
  o.alpn[0] = CN_PROTO_HTTP2;
  o.alpn[1] = CN_PROTO_HTTP11;
  o.num_alpn = 2;
  Start(o);
  cn_ssl_config client = ClientAlpn({CN_PROTO_HTTP11, CN_PROTO_HTTP2});
  int rv;
  cn_stream_socket *s = Tls(&rv, "127.0.0.1", &client);
  ASSERT_EQ(CN_OK, rv);
  EXPECT_EQ(CN_PROTO_HTTP2, cn_stream_socket_negotiated_protocol(s));
  EXPECT_TRUE(RunUntil([&] { return Counters().http2_sessions == 1; }));
  EXPECT_EQ(0u, Counters().unsupported_protocol);
}

TEST_F(TestServerTest, AlpnNoOverlapFallsBackToHttp11) {
  Start();  // http/1.1 only
  cn_ssl_config client = ClientAlpn({CN_PROTO_HTTP2});
  int rv;
  cn_stream_socket *s = Tls(&rv, "127.0.0.1", &client);
  ASSERT_EQ(CN_OK, rv);
  EXPECT_EQ(CN_PROTO_UNKNOWN, cn_stream_socket_negotiated_protocol(s));
  EXPECT_EQ(200, Exchange(s, Get("/")).status);
}

TEST_F(TestServerTest, AlpnIgnoredWhenDisabled) {
  cn_test_server_options o = {};
  o.no_alpn = true;
  Start(o);
  cn_ssl_config client = ClientAlpn({CN_PROTO_HTTP11});
  int rv;
  cn_stream_socket *s = Tls(&rv, "127.0.0.1", &client);
  ASSERT_EQ(CN_OK, rv);
  EXPECT_EQ(CN_PROTO_UNKNOWN, cn_stream_socket_negotiated_protocol(s));
}

struct CertCase {
  cn_test_server_cert_mode mode;
  int error;
};

class TestServerCertTest : public TestServerTest,
                           public ::testing::WithParamInterface<CertCase> {};

TEST_P(TestServerCertTest, ClientSeesTheError) {
  cn_test_server_options o = {};
  o.cert_mode = GetParam().mode;
  Start(o);
  int rv;
  EXPECT_EQ(nullptr, Tls(&rv));
  EXPECT_EQ(GetParam().error, rv) << cn_error_name(rv);
  EXPECT_TRUE(RunUntil([&] { return Counters().tls_handshake_failures == 1; }));
  EXPECT_EQ(0u, Counters().tls_handshakes);
}

// The prefix starts with TestServer so --gtest_filter='TestServer*' runs it.
INSTANTIATE_TEST_SUITE_P(
    TestServerCertModes, TestServerCertTest,
    ::testing::Values(CertCase{CN_TEST_SERVER_CERT_WRONG_HOST, CN_ERR_CERT_COMMON_NAME_INVALID},
                      CertCase{CN_TEST_SERVER_CERT_UNKNOWN_CA, CN_ERR_CERT_AUTHORITY_INVALID},
                      CertCase{CN_TEST_SERVER_CERT_EXPIRED, CN_ERR_CERT_DATE_INVALID},
                      CertCase{CN_TEST_SERVER_CERT_CUT_HANDSHAKE, CN_ERR_CONNECTION_CLOSED}),
    [](const ::testing::TestParamInfo<CertCase> &param_info) {
      std::string name = cn_test_server_cert_mode_name(param_info.param.mode);
      name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
      return name;
    });

// stall-handshake reads the ClientHello (here any bytes) and never answers;
// the client's close ends it.
TEST_F(TestServerTest, StallHandshakeReadsAndNeverAnswers) {
  cn_test_server_options o = {};
  o.cert_mode = CN_TEST_SERVER_CERT_STALL_HANDSHAKE;
  Start(o);
  int rv;
  cn_stream_socket *s = ConnectTcp(loop_.get(), cn_test_server_address(server_), &rv);
  ASSERT_EQ(CN_OK, rv);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, "\x16\x03\x01 not really a ClientHello"));
  ASSERT_TRUE(RunUntil([&] { return Counters().tls_handshakes_stalled == 1; }));
  // The server has read the bytes; nothing came back.
  cn_iobuf *buf = cn_iobuf_new(64);
  TestCompletion c;
  EXPECT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(s, buf, buf->size, c.cb(), c.arg()));
  cn_stream_socket_destroy(s);
  cn_iobuf_unref(buf);
  EXPECT_TRUE(RunUntil([&] { return Counters().tls_handshake_failures == 1; }));
  EXPECT_EQ(0u, Counters().tls_handshakes);
}

TEST_F(TestServerTest, BadOptions) {
  cn_test_server *s = nullptr;
  cn_test_server_options o = {};
  o.bind_address = "not-an-ip";
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_test_server_new(loop_.get(), &o, &s));
  EXPECT_EQ(nullptr, s);
  o = {};
  o.alpn[0] = CN_PROTO_UNKNOWN;
  o.num_alpn = 1;
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_test_server_new(loop_.get(), &o, &s));
}

TEST_F(TestServerTest, PortInUse) {
  Start();
  cn_test_server_options o = {};
  o.port = cn_test_server_port(server_);
  o.plain = true;
  cn_test_server *other = nullptr;
  EXPECT_LT(cn_test_server_new(loop_.get(), &o, &other), 0);
  EXPECT_EQ(nullptr, other);
}

TEST_F(TestServerTest, DestroyWithConnectionsInFlight) {
  Start();
  cn_stream_socket *idle = TlsOk();
  cn_stream_socket *slow = TlsOk();
  cn_stream_socket *big = TlsOk();
  ASSERT_TRUE(idle && slow && big);
  EXPECT_EQ(200, Exchange(idle, Get("/")).status);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), slow, Get("/slow/60000")));
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), big, Get("/bytes/100000000")));
  // A handshake in progress too: TCP connected, no ClientHello yet.
  uint64_t accepted = Counters().connections_accepted;
  int rv;
  cn_stream_socket *raw = Own(ConnectTcp(loop_.get(), cn_test_server_address(server_), &rv));
  ASSERT_TRUE(raw);
  ResponseReader slow_reader(loop_.get(), slow);
  std::string line;
  int last;
  ASSERT_TRUE(slow_reader.ReadLine(&line, &last));  // the headers are out
  ASSERT_TRUE(RunUntil([&] { return Counters().connections_accepted == accepted + 1; }));
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(3u, Counters().connections_open);
  cn_test_server_destroy(server_);
  server_ = nullptr;
  // Every client sees its connection end; nothing of the server runs any
  // more (TestLoop's teardown fails on a leaked handle).
  EXPECT_LE(ResponseReader(loop_.get(), idle).ReadMore(), 0);
  EXPECT_LE(ResponseReader(loop_.get(), raw).ReadMore(), 0);
  for (;;) {
    int r = slow_reader.ReadMore();
    if (r <= 0)
      break;
  }
  ResponseReader big_reader(loop_.get(), big);
  while (big_reader.ReadMore() > 0) {
  }
}

TEST_F(TestServerTest, ClientHangsUpMidResponse) {
  Start();
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, Get("/bytes/50000000")));
  ResponseReader reader(loop_.get(), s);
  EXPECT_GT(reader.ReadMore(), 0);
  Close(s);
  // The server notices (a write fails) and frees the connection.
  EXPECT_TRUE(RunUntil([&] { return Counters().connections_open == 0; }));
}

TEST_F(TestServerTest, NetLogRecordsRequests) {
  cn_netlog log;
  cn_netlog_init(&log);
  cn_netlog_counters counters;
  cn_netlog_counters_attach(&counters, &log);
  cn_test_server_options o = {};
  o.netlog = &log;
  Start(o);
  cn_stream_socket *s = TlsOk();
  ASSERT_TRUE(s);
  Exchange(s, Get("/"));
  Exchange(s, Get("/bytes/1"));
  EXPECT_TRUE(RunUntil([&] { return counters.requests == 2; }));
  EXPECT_EQ(1u, counters.tls_handshakes);
  TearDown();  // the server logs until it is gone
  cn_netlog_counters_detach(&counters);
  cn_netlog_destroy(&log);
}

TEST_F(TestServerTest, ServeSocketOverPipe) {
  cn_test_server_options o = {};
  o.plain = true;
  Start(o);
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), nullptr, 7, &a, &b);  // 7-byte reads: split everything
  Own(a);
  cn_test_server_serve_socket(server_, b);
  Response r = Exchange(a, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "a\r\n0123456789\r\n0\r\n\r\n");
  EXPECT_EQ("0123456789", r.body);
  r = Exchange(a, Get("/chunked/3000"));
  EXPECT_TRUE(r.body == PatternBytes(0, 3000));
}

// Cross-check with a real client: curl against the in-process server (run
// as a subprocess on the same loop, so the server keeps serving).
TEST_F(TestServerTest, CurlFetchesBytes) {
  const char *curl = "/usr/bin/curl";
  if (access(curl, X_OK) != 0)
    GTEST_SKIP() << "curl is not installed at /usr/bin/curl: cross-check skipped";
  Start();
  std::string ca = ::testing::TempDir() + "testserver_curl_ca_" + std::to_string(getpid()) + ".pem";
  ASSERT_EQ(CN_OK, cn_test_write_pem_file(ca.c_str(), cn_test_server_ca_pem(server_)));
  char base[128];
  cn_test_server_base_url(server_, base, sizeof(base));

  Subprocess p;
  ASSERT_TRUE(p.Start(loop_.get(), {curl, "-sS", "--http1.1", "--cacert", ca,
                                    std::string(base) + "/bytes/1000"}));
  ProcessResult r = p.Wait();
  EXPECT_EQ(0, r.exit_status) << r.err;
  EXPECT_TRUE(r.out == PatternBytes(0, 1000)) << r.out.size() << " bytes: " << r.err;

  // Chunked, gzip and a POST with Expect: 100-continue, all through one
  // curl run (and one connection: curl reuses it).
  std::string body_file = ca + ".body";
  std::ofstream(body_file) << PatternBytes(0, 3000);
  Subprocess q;
  ASSERT_TRUE(q.Start(loop_.get(),
                      {curl, "-sS", "--http1.1", "--cacert", ca, "--compressed",
                       std::string(base) + "/chunked/5000", std::string(base) + "/gzip/5000",
                       "--next", "--http1.1", "--cacert", ca, "-H", "Expect: 100-continue",
                       "--data-binary", "@" + body_file, std::string(base) + "/echo"}));
  ProcessResult r2 = q.Wait();
  EXPECT_EQ(0, r2.exit_status) << r2.err;
  EXPECT_TRUE(r2.out == PatternBytes(0, 5000) + PatternBytes(0, 5000) + PatternBytes(0, 3000))
      << r2.out.size() << " bytes: " << r2.err;
  unlink(body_file.c_str());
  unlink(ca.c_str());
}

}  // namespace
}  // namespace cnet_test
