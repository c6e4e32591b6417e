// The test server in proxy mode, in-process: an origin server and a proxy
// server on 127.0.0.1, driven with cnet's own client pieces (cn_tcp_socket,
// cn_ssl_socket, cn_http_basic_stream) and hand-built absolute-form and CONNECT
// requests — the seed's flows F1 and F2 and the proxy's fault switches.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "net/base/base64.h"
#include "net/base/netlog_counters.h"
#include "net/http/http_basic_stream.h"
#include "net/socket/socket_test_util.h"
#include "tools/testserver/test_server.h"
#include "tools/testserver/test_server_test_util.h"

namespace cnet_test {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// What one cn_http_basic_stream exchange produced.
struct Result {
  int rv = CN_OK;  // the first error (send, head or body), or CN_OK
  int status = 0;
  std::string reason;
  Fields headers;
  std::string body;
  bool reusable = false;
  std::string leftover;  // bytes after a bodiless answer (CONNECT's 2xx)
  std::string Header(const std::string &name) const {
    for (const auto &h : headers) {
      if (strcasecmp(h.first.c_str(), name.c_str()) == 0)
        return h.second;
    }
    return "";
  }
  bool Has(const std::string &name) const {
    for (const auto &h : headers) {
      if (strcasecmp(h.first.c_str(), name.c_str()) == 0)
        return true;
    }
    return false;
  }
};

// One request on |s| with cn_http_basic_stream: |absolute| sends the absolute
// form (a request to a proxy); CONNECT sends the authority form of |url|.
Result Fetch(uv_loop_t *loop, cn_stream_socket *s, const std::string &method,
             const std::string &url, bool absolute, const Fields &fields = {},
             const std::string &body = "") {
  Result r;
  cn_url u;
  EXPECT_EQ(CN_OK, cn_url_parse(url.c_str(), &u)) << url;
  cn_http_headers h;
  cn_http_headers_init(&h);
  for (const auto &f : fields)
    EXPECT_EQ(CN_OK, cn_http_headers_add(&h, f.first.c_str(), f.second.c_str()));
  cn_http_upload *upload =
      body.empty() ? nullptr : cn_http_upload_new_copy(body.data(), body.size());
  cn_http_request_info info = {};
  info.method = method.c_str();
  info.url = &u;
  info.extra_headers = &h;
  info.use_absolute_form = absolute;
  info.upload = upload;
  cn_netlog_source none = {};
  cn_http_basic_stream *st = cn_http_basic_stream_new(s, nullptr, none, nullptr);
  TestCompletion c;
  r.rv = c.WaitForResult(loop, cn_http_basic_stream_send_request(st, &info, c.cb(), c.arg()));
  if (r.rv == CN_OK)
    r.rv = c.WaitForResult(loop, cn_http_basic_stream_read_response_headers(st, c.cb(), c.arg()));
  if (r.rv == CN_OK) {
    const cn_http_response_head *head = cn_http_basic_stream_response_head(st);
    r.status = head->status;
    r.reason = head->reason;
    for (size_t i = 0; i < cn_http_headers_count(&head->headers); i++) {
      const cn_http_header *f = cn_http_headers_at(&head->headers, i);
      r.headers.emplace_back(f->name, f->value);
    }
    size_t len;
    const uint8_t *left = cn_http_basic_stream_leftover(st, &len);
    r.leftover.assign(reinterpret_cast<const char *>(left), len);
    cn_iobuf *buf = cn_iobuf_new(65536);
    for (;;) {
      int n = c.WaitForResult(
          loop, cn_http_basic_stream_read_response_body(st, buf, buf->size, c.cb(), c.arg()));
      if (n > 0) {
        r.body.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(n));
        continue;
      }
      if (n < 0)
        r.rv = n;
      break;
    }
    cn_iobuf_unref(buf);
    r.reusable = cn_http_basic_stream_can_reuse_connection(st);
  }
  cn_http_basic_stream_destroy(st);
  cn_http_upload_destroy(upload);
  cn_http_headers_free(&h);
  cn_url_free(&u);
  return r;
}

uLong Crc(const std::string &s) {
  return crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef *>(s.data()),
               static_cast<uInt>(s.size()));
}

std::string Basic(const char *user, const char *pass) {
  char *v = cn_http_basic_credentials(user, pass);
  std::string s(v);
  free(v);
  return s;
}

// Counts SOCKET_POOL_BOUND events by their "reuse" parameter.
struct BoundObserver {
  cn_netlog_observer obs = {};
  int fresh = 0;
  int reused = 0;
  static void OnEntry(cn_netlog_observer *o, const cn_netlog_entry *e) {
    auto *self = reinterpret_cast<BoundObserver *>(o);
    if (e->type != CN_NETLOG_SOCKET_POOL_BOUND)
      return;
    const cn_netlog_param *p = cn_netlog_entry_param(e, "reuse");
    (p && p->i ? self->reused : self->fresh)++;
  }
};

class TestServerProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One CA for the origins and the proxy: the client trusts both.
    ca_ = cn_test_cert_new_ca("cnet proxy test CA");
    cn_ssl_client_context_options co = {};
    co.ca_pem = cn_test_cert_pem(ca_);
    ASSERT_EQ(CN_OK, cn_ssl_client_context_new(&co, &ctx_));
  }

  void TearDown() override {
    for (cn_stream_socket *s : sockets_)
      cn_stream_socket_destroy(s);
    sockets_.clear();
    cn_test_server_destroy(proxy_);
    cn_test_server_destroy(origin_);
    cn_test_server_destroy(plain_origin_);
    proxy_ = origin_ = plain_origin_ = nullptr;
    cn_ssl_context_unref(ctx_);
    ctx_ = nullptr;
    cn_test_cert_free(ca_);
    ca_ = nullptr;
  }

  cn_test_server *StartServer(cn_test_server_options o) {
    o.issuer = ca_;
    cn_test_server *s = nullptr;
    EXPECT_EQ(CN_OK, cn_test_server_new(loop_.get(), &o, &s));
    return s;
  }
  // The HTTPS origin (F2's target) and the plain one (F1's).
  void StartOrigins() {
    origin_ = StartServer({});
    cn_test_server_options o = {};
    o.plain = true;
    plain_origin_ = StartServer(o);
  }
  void StartProxy(cn_test_server_proxy_options po = {}, bool plain = false,
                  cn_netlog *netlog = nullptr) {
    cn_test_server_options o = {};
    o.proxy = true;
    o.plain = plain;
    o.proxy_options = po;
    o.netlog = netlog;
    proxy_ = StartServer(o);
    ASSERT_TRUE(proxy_);
  }

  cn_stream_socket *Own(cn_stream_socket *s) {
    if (s)
      sockets_.push_back(s);
    return s;
  }
  // Takes |s| out of the fixture's care (a layered socket took it over).
  void Disown(cn_stream_socket *s) {
    sockets_.erase(std::remove(sockets_.begin(), sockets_.end(), s), sockets_.end());
  }
  void Close(cn_stream_socket *s) {
    Disown(s);
    cn_stream_socket_destroy(s);
  }

  // Steps 1-8: TCP (and TLS unless the proxy is plain) to the proxy.
  cn_stream_socket *ToProxy(bool plain = false) {
    int rv;
    cn_ip_endpoint ep = cn_test_server_address(proxy_);
    cn_stream_socket *s = plain ? ConnectTcp(loop_.get(), ep, &rv)
                                : ConnectTls(loop_.get(), ep, ctx_, "127.0.0.1", &rv);
    EXPECT_EQ(CN_OK, rv) << cn_error_name(rv);
    return Own(s);
  }

  // Steps 14-18: TLS to the origin over the tunnel |s| (which the TLS
  // socket takes over).
  cn_stream_socket *TlsThrough(cn_stream_socket *s, int *rv) {
    Disown(s);
    cn_ssl_socket_params p = {};
    p.context = ctx_;
    p.host = "127.0.0.1";
    cn_stream_socket *ssl = cn_ssl_socket_new(nullptr, s, &p);
    TestCompletion c;
    *rv = c.WaitForResult(loop_.get(), cn_stream_socket_connect(ssl, c.cb(), c.arg()));
    return Own(ssl);
  }

  std::string OriginUrl(const std::string &path) {
    return "https://127.0.0.1:" + std::to_string(cn_test_server_port(origin_)) + path;
  }
  std::string PlainUrl(const std::string &path, const std::string &host = "127.0.0.1") {
    return "http://" + host + ":" + std::to_string(cn_test_server_port(plain_origin_)) + path;
  }

  cn_test_server_proxy_counters Proxy() {
    cn_test_server_proxy_counters c;
    cn_test_server_get_proxy_counters(proxy_, &c);
    return c;
  }
  cn_test_server_counters Counters(cn_test_server *s) {
    cn_test_server_counters c;
    cn_test_server_get_counters(s, &c);
    return c;
  }

  template <typename Pred>
  bool RunUntil(Pred pred) {
    return cnet_test::RunUntil(loop_.get(), pred);
  }

  TestLoop loop_;
  cn_test_cert *ca_ = nullptr;
  cn_ssl_context *ctx_ = nullptr;
  cn_test_server *origin_ = nullptr;
  cn_test_server *plain_origin_ = nullptr;
  cn_test_server *proxy_ = nullptr;
  std::vector<cn_stream_socket *> sockets_;
};

// F1: GET http://origin/ through the HTTPS proxy; the proxy's origin
// connection is reused for the next request (steps 10-12 skipped).
TEST_F(TestServerProxyTest, ForwardsAbsoluteFormAndReusesOrigin) {
  cn_netlog log;
  cn_netlog_init(&log);
  cn_netlog_counters nc;
  cn_netlog_counters_attach(&nc, &log);
  BoundObserver bound;
  bound.obs.on_entry = BoundObserver::OnEntry;
  cn_netlog_add_observer(&log, &bound.obs);
  StartOrigins();
  StartProxy({}, false, &log);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  for (int i = 0; i < 2; i++) {
    Result r = Fetch(loop_.get(), s, "GET", PlainUrl("/bytes/100000"), true);
    ASSERT_EQ(CN_OK, r.rv) << cn_error_name(r.rv);
    EXPECT_EQ(200, r.status);
    EXPECT_EQ("100000", r.Header("Content-Length"));
    EXPECT_EQ("cnet-testserver", r.Header("Server"));
    EXPECT_TRUE(r.body == PatternBytes(0, 100000));
    EXPECT_TRUE(r.reusable);
  }
  // A second client connection to the proxy: still the same origin
  // connection.
  cn_stream_socket *s2 = ToProxy();
  ASSERT_TRUE(s2);
  Result r = Fetch(loop_.get(), s2, "GET", PlainUrl("/"), true);
  EXPECT_EQ(200, r.status);
  EXPECT_NE(std::string::npos, r.body.find("cnet-testserver"));

  cn_test_server_proxy_counters pc = Proxy();
  EXPECT_EQ(3u, pc.forward_requests);
  EXPECT_EQ(3u, pc.forwarded);
  EXPECT_EQ(1u, pc.upstream_connects);
  EXPECT_EQ(2u, pc.upstream_reused);
  EXPECT_EQ(0u, pc.connect_requests);
  EXPECT_EQ(1u, Counters(plain_origin_).connections_accepted);
  EXPECT_EQ(3u, Counters(plain_origin_).requests);
  EXPECT_EQ(2u, Counters(proxy_).connections_accepted);
  EXPECT_EQ(2u, Counters(proxy_).tls_handshakes);
  // The proxy's NetLog tells the same story.
  EXPECT_EQ(1u, nc.tcp_connects);
  EXPECT_EQ(1, bound.fresh);
  EXPECT_EQ(2, bound.reused);
  EXPECT_TRUE(RunUntil([&] { return nc.requests == 3; }));
  TearDown();  // the servers log until they are gone
  cn_netlog_remove_observer(&bound.obs);
  cn_netlog_counters_detach(&nc);
  cn_netlog_destroy(&log);
}

TEST_F(TestServerProxyTest, ForwardDropsHopByHopFields) {
  StartOrigins();
  StartProxy();
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "GET", PlainUrl("/headers"), true,
                   {{"Proxy-Authorization", "Basic Zm9vOmJhcg=="},
                    {"Proxy-Connection", "keep-alive"},
                    {"Connection", "X-Drop-Me"},
                    {"X-Drop-Me", "1"},
                    {"Keep-Alive", "timeout=5"},
                    {"X-Keep", "2"}});
  ASSERT_EQ(200, r.status);
  std::string host = "Host: 127.0.0.1:" + std::to_string(cn_test_server_port(plain_origin_));
  EXPECT_EQ(host + "\nX-Keep: 2\n", r.body);
}

TEST_F(TestServerProxyTest, ForwardBodiesAndFraming) {
  StartOrigins();
  StartProxy();
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  // A request body goes through intact.
  std::string up = PatternBytes(3, 200000);
  Result r = Fetch(loop_.get(), s, "POST", PlainUrl("/echo"), true,
                   {{"Content-Type", "x/y"}}, up);
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("x/y", r.Header("Content-Type"));
  EXPECT_TRUE(r.body == up);
  // A chunked answer stays chunked.
  r = Fetch(loop_.get(), s, "GET", PlainUrl("/chunked/50000"), true);
  EXPECT_EQ("chunked", r.Header("Transfer-Encoding"));
  EXPECT_TRUE(r.body == PatternBytes(0, 50000));
  EXPECT_TRUE(r.reusable);
  // A close-delimited answer reaches the client chunked: the client's
  // connection stays alive while the origin's closes.
  r = Fetch(loop_.get(), s, "GET", PlainUrl("/no-length/3000"), true);
  EXPECT_EQ(CN_OK, r.rv);
  EXPECT_EQ("chunked", r.Header("Transfer-Encoding"));
  EXPECT_FALSE(r.Has("Connection"));
  EXPECT_TRUE(r.body == PatternBytes(0, 3000));
  EXPECT_TRUE(r.reusable);
  // HEAD: the origin's length, no body.
  r = Fetch(loop_.get(), s, "HEAD", PlainUrl("/bytes/1000"), true);
  EXPECT_EQ("1000", r.Header("Content-Length"));
  EXPECT_TRUE(r.body.empty());
  r = Fetch(loop_.get(), s, "GET", PlainUrl("/status/204"), true);
  EXPECT_EQ(204, r.status);
  r = Fetch(loop_.get(), s, "GET", PlainUrl("/status/404"), true);
  EXPECT_EQ("HTTP/1.1 404", "HTTP/1.1 " + std::to_string(r.status));
  EXPECT_EQ("Not Found", r.reason);
  // gzip is relayed as is (the proxy does not decode).
  r = Fetch(loop_.get(), s, "GET", PlainUrl("/gzip/5000"), true);
  EXPECT_EQ("gzip", r.Header("Content-Encoding"));
  EXPECT_LT(r.body.size(), 5000u);
  // One client connection throughout; the origin's close after /no-length
  // cost one more origin connection.
  EXPECT_EQ(1u, Counters(proxy_).connections_accepted);
  EXPECT_EQ(2u, Proxy().upstream_connects);
  EXPECT_EQ(7u, Proxy().forwarded);
}

TEST_F(TestServerProxyTest, ForwardWithHostMap) {
  StartOrigins();
  cn_test_server_host_mapping map[] = {{"origin.test", "127.0.0.1"}};
  cn_test_server_proxy_options po = {};
  po.map = map;
  po.num_map = 1;
  StartProxy(po);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "GET", PlainUrl("/headers", "origin.test"), true);
  EXPECT_EQ(200, r.status);
  EXPECT_EQ(0u, r.body.find("Host: origin.test:")) << r.body;
}

TEST_F(TestServerProxyTest, UnreachableOriginIs502) {
  StartOrigins();
  StartProxy();
  std::string url = PlainUrl("/bytes/1");
  std::string target = "127.0.0.1:" + std::to_string(cn_test_server_port(plain_origin_));
  cn_test_server_destroy(plain_origin_);  // nobody listens there now
  plain_origin_ = nullptr;
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "GET", url, true);
  EXPECT_EQ(502, r.status);
  EXPECT_NE(std::string::npos, r.body.find(target)) << r.body;
  EXPECT_NE(std::string::npos, r.body.find("ERR_CONNECTION_REFUSED")) << r.body;
  EXPECT_TRUE(r.reusable);
  r = Fetch(loop_.get(), s, "CONNECT", "https://" + target + "/", false);
  EXPECT_EQ(502, r.status);
  cn_test_server_proxy_counters pc = Proxy();
  EXPECT_EQ(2u, pc.upstream_failures);
  EXPECT_EQ(0u, pc.upstream_connects);
  EXPECT_EQ(0u, pc.tunnels_opened);
}

TEST_F(TestServerProxyTest, StaleIdleOriginConnectionIsNotReused) {
  StartOrigins();
  StartProxy();
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  EXPECT_EQ(200, Fetch(loop_.get(), s, "GET", PlainUrl("/bytes/1"), true).status);
  // The origin goes away: its idle connection to the proxy closes.
  std::string url = PlainUrl("/bytes/1");
  cn_test_server_destroy(plain_origin_);
  plain_origin_ = nullptr;
  // Destroy closed the origin's sockets; the loop finishes the closes (the
  // FIN reaches the proxy's idle upstream over loopback with them).
  cnet_test::RunUntilIdle(loop_.get());
  Result r = Fetch(loop_.get(), s, "GET", url, true);
  EXPECT_EQ(502, r.status);
  EXPECT_EQ(0u, Proxy().upstream_reused);
}

TEST_F(TestServerProxyTest, NotAProxyRequestIs400) {
  StartOrigins();
  StartProxy();
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "GET", PlainUrl("/bytes/1"), false);  // origin-form
  EXPECT_EQ(400, r.status);
  r = Fetch(loop_.get(), s, "GET", OriginUrl("/bytes/1"), true);  // https:// absolute-form
  EXPECT_EQ(400, r.status);
  // A CONNECT target without a port.
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s, "CONNECT origin.test HTTP/1.1\r\nHost: x\r\n\r\n"));
  ResponseReader reader(loop_.get(), s);
  Response raw = reader.Read();
  EXPECT_EQ(400, raw.status);
  EXPECT_EQ(3u, Proxy().bad_targets);
  EXPECT_EQ(0u, Proxy().upstream_connects);
}

// F2: CONNECT, then TLS to the origin inside TLS to the proxy, then GETs
// on that tunnel (the second one is "jump to step 19").
TEST_F(TestServerProxyTest, ConnectTlsInTlsOneMiB) {
  cn_netlog log;
  cn_netlog_init(&log);
  cn_netlog_counters nc;
  cn_netlog_counters_attach(&nc, &log);
  StartOrigins();
  StartProxy({}, false, &log);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result c = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false);
  ASSERT_EQ(CN_OK, c.rv);
  EXPECT_EQ(200, c.status);
  EXPECT_EQ("Connection Established", c.reason);
  EXPECT_FALSE(c.Has("Content-Length"));
  EXPECT_FALSE(c.Has("Transfer-Encoding"));
  EXPECT_TRUE(c.leftover.empty());
  int rv;
  cn_stream_socket *tls = TlsThrough(s, &rv);
  ASSERT_EQ(CN_OK, rv) << cn_error_name(rv);
  const size_t kMiB = 1024 * 1024;
  Result r = Fetch(loop_.get(), tls, "GET", OriginUrl("/bytes/" + std::to_string(kMiB)), false);
  ASSERT_EQ(CN_OK, r.rv) << cn_error_name(r.rv);
  EXPECT_EQ(200, r.status);
  ASSERT_EQ(kMiB, r.body.size());
  EXPECT_EQ(Crc(PatternBytes(0, kMiB)), Crc(r.body));
  EXPECT_TRUE(r.reusable);
  // Upload 1 MiB the other way on the same tunnel (flow control both ways).
  std::string up = PatternBytes(11, kMiB);
  r = Fetch(loop_.get(), tls, "POST", OriginUrl("/echo"), false, {}, up);
  ASSERT_EQ(CN_OK, r.rv) << cn_error_name(r.rv);
  EXPECT_EQ(Crc(up), Crc(r.body));

  cn_test_server_proxy_counters pc = Proxy();
  EXPECT_EQ(1u, pc.connect_requests);
  EXPECT_EQ(1u, pc.tunnels_opened);
  EXPECT_EQ(1u, pc.tunnels_open);
  EXPECT_EQ(1u, pc.upstream_connects);
  EXPECT_GT(pc.tunnel_bytes_down, 2 * kMiB);
  EXPECT_GT(pc.tunnel_bytes_up, kMiB);
  cn_test_server_counters oc = Counters(origin_);
  EXPECT_EQ(1u, oc.connections_accepted);
  EXPECT_EQ(1u, oc.tls_handshakes);
  EXPECT_EQ(2u, oc.requests);
  EXPECT_EQ(1u, nc.tunnels);
  EXPECT_EQ(1u, nc.tcp_connects);
  EXPECT_EQ(1u, nc.tls_handshakes);  // the proxy's own handshake only
  // The client goes: the tunnel ends and both of its sockets close.
  Close(tls);
  EXPECT_TRUE(RunUntil([&] { return Proxy().tunnels_open == 0; }));
  EXPECT_TRUE(RunUntil([&] { return Counters(origin_).connections_open == 0; }));
  TearDown();
  cn_netlog_counters_detach(&nc);
  cn_netlog_destroy(&log);
}

// The origin closes its side first: the proxy passes the end on as
// close_notify (a TLS half-close) after the last byte.
TEST_F(TestServerProxyTest, TunnelPassesOriginCloseOn) {
  StartOrigins();
  StartProxy();
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  std::string target = PlainUrl("/");
  EXPECT_EQ(200, Fetch(loop_.get(), s, "CONNECT", target, false).status);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s,
                            "GET /bytes/70000 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  ResponseReader reader(loop_.get(), s);
  Response r = reader.Read();
  EXPECT_EQ(200, r.status);
  EXPECT_TRUE(r.body == PatternBytes(0, 70000));
  EXPECT_EQ(0, reader.ReadMore());  // close_notify: a clean EOF
  // Half-closed: the client's direction stays open until the client goes.
  // The proxy relayed the origin's close (the EOF above); whatever it does
  // in reaction runs before the loop is idle.
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(1u, Proxy().tunnels_open);
  Close(s);
  EXPECT_TRUE(RunUntil([&] { return Proxy().tunnels_open == 0; }));
  EXPECT_GT(Proxy().tunnel_bytes_down, 70000u);  // the body and its head
}

TEST_F(TestServerProxyTest, ProxyAuthKeepAlive) {
  StartOrigins();
  cn_test_server_proxy_options po = {};
  po.auth = "user:pass";
  StartProxy(po);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false);
  EXPECT_EQ(407, r.status);
  EXPECT_EQ("Basic realm=\"cnet-test\"", r.Header("Proxy-Authenticate"));
  EXPECT_FALSE(r.body.empty());
  EXPECT_TRUE(r.reusable);
  r = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false,
            {{"Proxy-Authorization", Basic("user", "wrong")}});
  EXPECT_EQ(407, r.status);
  r = Fetch(loop_.get(), s, "GET", PlainUrl("/bytes/5"), true);
  EXPECT_EQ(407, r.status);
  r = Fetch(loop_.get(), s, "GET", PlainUrl("/bytes/5"), true,
            {{"Proxy-Authorization", Basic("user", "pass")}});
  EXPECT_EQ(200, r.status);
  EXPECT_EQ(PatternBytes(0, 5), r.body);
  // On the same connection: the CONNECT with credentials, then F2.
  r = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false,
            {{"Proxy-Authorization", "basic " + Basic("user", "pass").substr(6)}});
  EXPECT_EQ(200, r.status);
  int rv;
  cn_stream_socket *tls = TlsThrough(s, &rv);
  ASSERT_EQ(CN_OK, rv);
  EXPECT_EQ(PatternBytes(0, 9), Fetch(loop_.get(), tls, "GET", OriginUrl("/bytes/9"), false).body);
  EXPECT_EQ(3u, Proxy().auth_challenges);
  EXPECT_EQ(1u, Counters(proxy_).connections_accepted);
}

TEST_F(TestServerProxyTest, ProxyAuthClose) {
  StartOrigins();
  cn_test_server_proxy_options po = {};
  po.auth = "user:pass";
  po.auth_close = true;
  StartProxy(po);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false);
  EXPECT_EQ(407, r.status);
  EXPECT_EQ("close", r.Header("Connection"));
  EXPECT_FALSE(r.reusable);
  EXPECT_LE(ResponseReader(loop_.get(), s).ReadMore(), 0) << "the proxy must close";
  Close(s);
  s = ToProxy();
  ASSERT_TRUE(s);
  r = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false,
            {{"Proxy-Authorization", Basic("user", "pass")}});
  EXPECT_EQ(200, r.status);
  EXPECT_EQ(2u, Counters(proxy_).connections_accepted);
}

TEST_F(TestServerProxyTest, RefusedConnect) {
  StartOrigins();
  for (int status : {403, 302}) {
    cn_test_server_proxy_options po = {};
    po.refuse_connect = status;
    StartProxy(po);
    cn_stream_socket *s = ToProxy();
    ASSERT_TRUE(s);
    for (int i = 0; i < 2; i++) {  // keep-alive: refused again on the same connection
      Result r = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false);
      EXPECT_EQ(status, r.status);
      EXPECT_EQ(CN_TEST_SERVER_PROXY_REFUSAL_BODY, r.body);
      EXPECT_TRUE(r.reusable);
      if (status == 302)
        EXPECT_EQ(CN_TEST_SERVER_PROXY_REFUSAL_LOCATION, r.Header("Location"));
      else
        EXPECT_FALSE(r.Has("Location"));
    }
    // Forwarding is not refused.
    EXPECT_EQ(200, Fetch(loop_.get(), s, "GET", PlainUrl("/bytes/1"), true).status);
    cn_test_server_proxy_counters pc = Proxy();
    EXPECT_EQ(2u, pc.refused);
    EXPECT_EQ(0u, pc.tunnels_opened);
    EXPECT_EQ(1u, pc.upstream_connects);
    Close(s);
    cn_test_server_destroy(proxy_);
    proxy_ = nullptr;
  }
  EXPECT_EQ(0u, Counters(origin_).connections_accepted);
}

TEST_F(TestServerProxyTest, DropAfterConnectRequest) {
  StartOrigins();
  cn_test_server_proxy_options po = {};
  po.drop_at = CN_TEST_SERVER_DROP_AFTER_CONNECT_REQUEST;
  StartProxy(po);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false);
  EXPECT_EQ(CN_ERR_EMPTY_RESPONSE, r.rv) << cn_error_name(r.rv);
  EXPECT_EQ(1u, Proxy().dropped);
  EXPECT_EQ(0u, Proxy().upstream_connects);
  EXPECT_EQ(0u, Counters(origin_).connections_accepted);
}

TEST_F(TestServerProxyTest, DropBeforeResponse) {
  StartOrigins();
  cn_test_server_proxy_options po = {};
  po.drop_at = CN_TEST_SERVER_DROP_BEFORE_RESPONSE;
  StartProxy(po);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "GET", PlainUrl("/bytes/10"), true);
  EXPECT_EQ(CN_ERR_EMPTY_RESPONSE, r.rv) << cn_error_name(r.rv);
  // The origin did answer; the proxy dropped it.
  EXPECT_EQ(1u, Counters(plain_origin_).requests);
  EXPECT_EQ(1u, Proxy().forwarded);
  EXPECT_EQ(1u, Proxy().dropped);
}

TEST_F(TestServerProxyTest, DropMidResponse) {
  StartOrigins();
  cn_test_server_proxy_options po = {};
  po.drop_at = CN_TEST_SERVER_DROP_MID_RESPONSE;
  po.drop_after_bytes = 5000;
  StartProxy(po);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "GET", PlainUrl("/bytes/100000"), true);
  EXPECT_EQ(200, r.status);
  EXPECT_EQ(CN_ERR_CONTENT_LENGTH_MISMATCH, r.rv) << cn_error_name(r.rv);
  EXPECT_TRUE(r.body == PatternBytes(0, 5000)) << r.body.size();
}

TEST_F(TestServerProxyTest, DropMidTunnel) {
  StartOrigins();
  cn_test_server_proxy_options po = {};
  po.drop_at = CN_TEST_SERVER_DROP_MID_TUNNEL;
  po.drop_after_bytes = 0;
  StartProxy(po);
  // 0: the origin's first bytes (its ServerHello) never arrive.
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  EXPECT_EQ(200, Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false).status);
  int rv;
  TlsThrough(s, &rv);
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, rv) << cn_error_name(rv);
  EXPECT_TRUE(RunUntil([&] { return Proxy().dropped == 1; }));
  cn_test_server_destroy(proxy_);

  // 200000: the handshake passes, the 1 MiB body is cut short.
  po.drop_after_bytes = 200000;
  StartProxy(po);
  s = ToProxy();
  ASSERT_TRUE(s);
  EXPECT_EQ(200, Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false).status);
  cn_stream_socket *tls = TlsThrough(s, &rv);
  ASSERT_EQ(CN_OK, rv);
  Result r = Fetch(loop_.get(), tls, "GET", OriginUrl("/bytes/1048576"), false);
  EXPECT_EQ(200, r.status);
  EXPECT_NE(CN_OK, r.rv);
  EXPECT_LT(r.body.size(), 200000u);
  EXPECT_GT(r.body.size(), 0u);
  EXPECT_TRUE(r.body == PatternBytes(0, r.body.size()));
  EXPECT_TRUE(RunUntil([&] { return Proxy().dropped == 1 && Proxy().tunnels_open == 0; }));
  EXPECT_EQ(200000u, Proxy().tunnel_bytes_down);
}

TEST_F(TestServerProxyTest, ExtraBytesAfter200) {
  StartOrigins();
  cn_test_server_proxy_options po = {};
  po.extra_after_200 = true;
  StartProxy(po);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  Result c = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false);
  EXPECT_EQ(200, c.status);
  // The bytes come right behind the 200: with it, or in the next read.
  std::string extra = CN_TEST_SERVER_PROXY_EXTRA_BYTES;
  std::string got = c.leftover;
  if (got.size() < extra.size())
    got += ReadBytes(loop_.get(), s, extra.size() - got.size());
  EXPECT_EQ(extra, got);
  EXPECT_EQ(0u, Proxy().tunnel_bytes_down);  // not relayed bytes
}

TEST_F(TestServerProxyTest, PlainHttpProxy) {
  StartOrigins();
  StartProxy({}, true);
  EXPECT_EQ(nullptr, cn_test_server_ca_pem(proxy_));
  char url[128];
  EXPECT_EQ(0, strncmp("http://127.0.0.1:", cn_test_server_base_url(proxy_, url, sizeof(url)), 17));
  cn_stream_socket *s = ToProxy(true);
  ASSERT_TRUE(s);
  Result r = Fetch(loop_.get(), s, "GET", PlainUrl("/chunked/20000"), true);
  EXPECT_TRUE(r.body == PatternBytes(0, 20000));
  r = Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false);
  EXPECT_EQ(200, r.status);
  int rv;
  cn_stream_socket *tls = TlsThrough(s, &rv);
  ASSERT_EQ(CN_OK, rv);
  r = Fetch(loop_.get(), tls, "GET", OriginUrl("/bytes/300000"), false);
  EXPECT_TRUE(r.body == PatternBytes(0, 300000));
  EXPECT_EQ(0u, Counters(proxy_).tls_handshakes);
  EXPECT_EQ(1u, Proxy().tunnels_opened);
}

TEST_F(TestServerProxyTest, SlowAnswers) {
  StartOrigins();
  cn_test_server_proxy_options po = {};
  po.slow_ms = 300;
  StartProxy(po);
  cn_stream_socket *s = ToProxy();
  ASSERT_TRUE(s);
  uint64_t start = uv_hrtime();
  EXPECT_EQ(200, Fetch(loop_.get(), s, "CONNECT", OriginUrl("/"), false).status);
  uint64_t ms = (uv_hrtime() - start) / 1000000;
  EXPECT_GE(ms, 250u);
  EXPECT_LT(ms, 5000u);
}

TEST_F(TestServerProxyTest, EarlyTunnelBytesAreKept) {
  // A client that sends its first tunnel bytes with the CONNECT: they reach
  // the origin after the 200.
  StartOrigins();
  StartProxy({}, true);
  cn_stream_socket *s = ToProxy(true);
  ASSERT_TRUE(s);
  std::string target = "127.0.0.1:" + std::to_string(cn_test_server_port(plain_origin_));
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), s,
                            "CONNECT " + target + " HTTP/1.1\r\nHost: " + target +
                                "\r\n\r\nGET /bytes/20 HTTP/1.1\r\nHost: a\r\n\r\n"));
  ResponseReader reader(loop_.get(), s);
  std::string line;
  int last;
  ASSERT_TRUE(reader.ReadLine(&line, &last));
  EXPECT_EQ("HTTP/1.1 200 Connection Established", line);
  while (reader.ReadLine(&line, &last) && !line.empty()) {
  }
  Response r = reader.Read();
  EXPECT_EQ(200, r.status);
  EXPECT_EQ(PatternBytes(0, 20), r.body);
}

TEST_F(TestServerProxyTest, DestroyWithWorkInFlight) {
  StartOrigins();
  StartProxy();
  // A live tunnel, a forward waiting on a slow origin, an idle origin
  // connection in the pool, and a proxy connection mid-handshake.
  cn_stream_socket *t = ToProxy();
  ASSERT_TRUE(t);
  EXPECT_EQ(200, Fetch(loop_.get(), t, "CONNECT", OriginUrl("/"), false).status);
  int rv;
  cn_stream_socket *tls = TlsThrough(t, &rv);
  ASSERT_EQ(CN_OK, rv);
  cn_stream_socket *f = ToProxy();
  ASSERT_TRUE(f);
  EXPECT_EQ(200, Fetch(loop_.get(), f, "GET", PlainUrl("/bytes/1"), true).status);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), f,
                            "GET " + PlainUrl("/slow/60000") + " HTTP/1.1\r\nHost: a\r\n\r\n"));
  cn_stream_socket *raw = Own(ConnectTcp(loop_.get(), cn_test_server_address(proxy_), &rv));
  ASSERT_TRUE(raw);
  EXPECT_TRUE(RunUntil([&] { return Counters(plain_origin_).requests == 2; }));
  cn_test_server_destroy(proxy_);
  proxy_ = nullptr;
  EXPECT_LE(ResponseReader(loop_.get(), tls).ReadMore(), 0);
  EXPECT_LE(ResponseReader(loop_.get(), raw).ReadMore(), 0);
  ResponseReader fr(loop_.get(), f);
  while (fr.ReadMore() > 0) {
  }
  // The tunnel's origin connection sees the proxy go. (The plain origin's
  // one is inside /slow's exchange and notices only at its next write.)
  EXPECT_TRUE(RunUntil([&] { return Counters(origin_).connections_open == 0; }));
}

TEST_F(TestServerProxyTest, BadOptions) {
  cn_test_server *s = nullptr;
  cn_test_server_options o = {};
  o.proxy = true;
  o.proxy_options.auth = "no-colon";
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_test_server_new(loop_.get(), &o, &s));
  o.proxy_options = {};
  o.proxy_options.refuse_connect = 200;
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_test_server_new(loop_.get(), &o, &s));
  cn_test_server_host_mapping bad[] = {{"origin.test", "not-an-ip"}};
  o.proxy_options = {};
  o.proxy_options.map = bad;
  o.proxy_options.num_map = 1;
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_test_server_new(loop_.get(), &o, &s));
  EXPECT_EQ(nullptr, s);
  // An origin has no proxy counters.
  StartOrigins();
  cn_test_server_proxy_counters pc;
  cn_test_server_get_proxy_counters(origin_, &pc);
  EXPECT_EQ(0u, pc.forward_requests);
}

TEST_F(TestServerProxyTest, DropStepNamesRoundTrip) {
  for (int m = CN_TEST_SERVER_DROP_NONE; m <= CN_TEST_SERVER_DROP_MID_TUNNEL; m++) {
    cn_test_server_drop_step parsed;
    const char *name = cn_test_server_drop_step_name(static_cast<cn_test_server_drop_step>(m));
    ASSERT_TRUE(cn_test_server_drop_step_parse(name, &parsed)) << name;
    EXPECT_EQ(m, parsed);
  }
  cn_test_server_drop_step unused;
  EXPECT_FALSE(cn_test_server_drop_step_parse("sometimes", &unused));
}

// Cross-check with a real client: curl through the in-process HTTPS proxy
// (a subprocess on the same loop, so both servers keep serving).
TEST_F(TestServerProxyTest, CurlThroughHttpsProxy) {
  const char *curl = "/usr/bin/curl";
  if (access(curl, X_OK) != 0)
    GTEST_SKIP() << "curl is not installed at /usr/bin/curl: cross-check skipped";
  StartOrigins();
  StartProxy();
  std::string ca = ::testing::TempDir() + "testserver_proxy_ca_" + std::to_string(getpid()) + ".pem";
  ASSERT_EQ(CN_OK, cn_test_write_pem_file(ca.c_str(), cn_test_cert_pem(ca_)));
  char proxy_url[128];
  cn_test_server_base_url(proxy_, proxy_url, sizeof(proxy_url));

  // https:// through the proxy: CONNECT and TLS inside TLS. No
  // --proxy-insecure: curl verifies the proxy against the same CA.
  Subprocess p;
  ASSERT_TRUE(p.Start(loop_.get(), {curl, "-sS", "--proxy", proxy_url, "--proxy-cacert", ca,
                                    "--cacert", ca, OriginUrl("/bytes/1000")}));
  ProcessResult r = p.Wait();
  EXPECT_EQ(0, r.exit_status) << r.err;
  EXPECT_TRUE(r.out == PatternBytes(0, 1000)) << r.out.size() << " bytes: " << r.err;

  // http:// through the proxy: absolute-form forwarding.
  Subprocess q;
  ASSERT_TRUE(q.Start(loop_.get(), {curl, "-sS", "--proxy", proxy_url, "--proxy-cacert", ca,
                                    PlainUrl("/chunked/5000"), PlainUrl("/bytes/100")}));
  ProcessResult r2 = q.Wait();
  EXPECT_EQ(0, r2.exit_status) << r2.err;
  EXPECT_TRUE(r2.out == PatternBytes(0, 5000) + PatternBytes(0, 100))
      << r2.out.size() << " bytes: " << r2.err;

  // Proxy authentication as curl does it.
  cn_test_server_destroy(proxy_);
  cn_test_server_proxy_options po = {};
  po.auth = "user:pass";
  StartProxy(po);
  cn_test_server_base_url(proxy_, proxy_url, sizeof(proxy_url));
  Subprocess a;
  ASSERT_TRUE(a.Start(loop_.get(), {curl, "-sS", "--proxy", proxy_url, "--proxy-cacert", ca,
                                    "--proxy-user", "user:pass", "--cacert", ca,
                                    OriginUrl("/bytes/10")}));
  ProcessResult r3 = a.Wait();
  EXPECT_EQ(0, r3.exit_status) << r3.err;
  EXPECT_EQ(PatternBytes(0, 10), r3.out);
  EXPECT_EQ(1u, Proxy().tunnels_opened);
  unlink(ca.c_str());
}

}  // namespace
}  // namespace cnet_test
