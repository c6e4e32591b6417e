// Transactions over SPDY/3.1 and HTTP/2 sessions (F4, F5/F6): the session's
// transport sockets are pipes whose far end is a test HTTPS proxy speaking
// the protocol under test (a TLS server, then a server-role session); its
// CONNECT streams are bridged to a TLS origin that speaks the protocol too.
// Only the client side logs to the NetLog, so counters count the client.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "net/http/http_network_session.h"
#include "net/http/http_network_session_test_util.h"
#include "net/http/http_transaction.h"
#include "net/http/http_upload.h"
#include "net/socket/pipe_socket.h"
#include "net/socket/socket_test_util.h"
#include "net/socket/ssl_socket.h"
#include "net/spdy/spdy_session_pool.h"
#include "net/spdy/spdy_session_test_util.h"
#include "net/spdy/spdy_stream.h"
#include "net/test/cert_generator.h"

namespace {

using cnet_test::DelegateRecorder;
using cnet_test::TestCompletion;

// A TLS server socket over |raw| offering |protos| in ALPN, its handshake
// started (|cb| runs with the result).
cn_stream_socket *StartTlsServer(cn_ssl_context *ctx, std::initializer_list<cn_next_proto> protos,
                                 cn_stream_socket *raw, cn_completion_cb cb, void *arg) {
  cn_ssl_config cfg = {};
  for (cn_next_proto proto : protos)
    cfg.protos[cfg.num_protos++] = proto;
  cn_ssl_socket_params p = {};
  p.context = ctx;
  p.config = &cfg;
  cn_stream_socket *ssl = cn_ssl_socket_new(nullptr, raw, &p);
  EXPECT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_connect(ssl, cb, arg));
  return ssl;
}

// A TLS server over |raw| offering |proto|, then a server session whose
// requests |rec| answers; |max_streams| (0: the default) is the concurrent
// streams it allows a client.
class TlsSpdyServer {
 public:
  TlsSpdyServer(uv_loop_t *loop, cn_ssl_context *ctx, cn_next_proto proto, cn_stream_socket *raw,
                std::function<bool(cn_spdy_stream *)> hook, uint32_t max_streams = 0)
      : loop_(loop), max_streams_(max_streams) {
    rec.on_stream_hook = std::move(hook);
    ssl_ = StartTlsServer(ctx, {proto, CN_PROTO_HTTP11}, raw, &OnHandshake, this);
  }
  ~TlsSpdyServer() {
    rec.streams.clear();
    cn_spdy_session_destroy(session);
    cn_stream_socket_destroy(ssl_);
    cn_iobuf_unref(buf_);
  }
  DelegateRecorder rec;
  cn_spdy_session *session = nullptr;
  int http11_requests = 0;  // answered over HTTP/1.1 (ALPN chose it)

 private:
  // HTTP/1.1 was negotiated: answer each request head with "hello".
  void ReadHttp11() {
    for (;;) {
      int rv = cn_stream_socket_read(ssl_, buf_, buf_->size, &OnHttp11Read, this);
      if (rv == CN_ERR_IO_PENDING || !GotHttp11(rv))
        return;
    }
  }
  static void OnHttp11Read(void *arg, int rv) {
    auto *self = static_cast<TlsSpdyServer *>(arg);
    if (self->GotHttp11(rv))
      self->ReadHttp11();
  }
  static void OnWritten(void *, int) {}
  bool GotHttp11(int rv) {
    if (rv <= 0)
      return false;
    in_.append(reinterpret_cast<char *>(buf_->data), static_cast<size_t>(rv));
    size_t end;
    while ((end = in_.find("\r\n\r\n")) != std::string::npos) {
      in_.erase(0, end + 4);
      http11_requests++;
      static const char kHello[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
      cn_iobuf *b = cn_iobuf_from_copy(kHello, sizeof(kHello) - 1);
      cn_stream_socket_write(ssl_, b, b->size, &OnWritten, this);
      cn_iobuf_unref(b);
    }
    return true;
  }
  static void OnHandshake(void *arg, int rv) {
    auto *self = static_cast<TlsSpdyServer *>(arg);
    ASSERT_EQ(CN_OK, rv);
    if (cn_stream_socket_negotiated_protocol(self->ssl_) == CN_PROTO_HTTP11) {
      self->buf_ = cn_iobuf_new(16384);
      self->ReadHttp11();
      return;
    }
    cn_spdy_session_options so;
    cn_spdy_session_options_init(&so);
    so.is_server = true;
    if (self->max_streams_)
      so.max_concurrent_streams = self->max_streams_;
    cn_spdy_session_delegate d = self->rec.delegate(true);
    cn_stream_socket *s = self->ssl_;
    self->ssl_ = nullptr;
    ASSERT_EQ(CN_OK, cn_spdy_session_create(self->loop_, s, &so, &d, nullptr, &self->session));
  }
  uv_loop_t *loop_;
  uint32_t max_streams_;
  cn_stream_socket *ssl_ = nullptr;
  cn_iobuf *buf_ = nullptr;
  std::string in_;
};

// A TLS server over |raw| offering |proto|, then a raw peer (frames sent
// and recorded one by one) for what a well-behaved session never does,
// such as a GOAWAY below streams it received.
class TlsRawServer {
 public:
  // |settings|: the peer's SETTINGS after the handshake.
  TlsRawServer(uv_loop_t *loop, cn_ssl_context *ctx, cn_next_proto proto, cn_stream_socket *raw,
               std::vector<cn_spdy_setting> settings = {})
      : loop_(loop), proto_(proto), settings_(std::move(settings)) {
    ssl_ = StartTlsServer(ctx, {proto}, raw, &OnHandshake, this);
  }
  ~TlsRawServer() {
    peer.reset();
    cn_stream_socket_destroy(ssl_);
  }
  std::unique_ptr<cnet_test::RawPeer> peer;  // once the handshake is done

 private:
  static void OnHandshake(void *arg, int rv) {
    auto *self = static_cast<TlsRawServer *>(arg);
    ASSERT_EQ(CN_OK, rv);
    self->peer = std::make_unique<cnet_test::RawPeer>(self->loop_, self->ssl_, self->proto_, true);
    self->ssl_ = nullptr;  // the peer's now
    self->peer->Start(self->settings_);
  }
  uv_loop_t *loop_;
  cn_next_proto proto_;
  std::vector<cn_spdy_setting> settings_;
  cn_stream_socket *ssl_ = nullptr;
};

// Pumps bytes between a proxy's CONNECT stream and a pipe end.
class Bridge {
 public:
  Bridge(cn_spdy_stream *st, cn_stream_socket *end) : st_(st), end_(end) {
    up_ = cn_iobuf_new(16384);
    down_ = cn_iobuf_new(16384);
    ReadStream();
    ReadEnd();
  }
  // The proxy resets the CONNECT stream (the tunnel is gone).
  void Reset() { cn_spdy_stream_reset(st_, CN_HTTP2_CANCEL); }
  ~Bridge() {
    cn_spdy_stream_destroy(st_);
    cn_stream_socket_destroy(end_);
    cn_iobuf_unref(up_);
    cn_iobuf_unref(down_);
  }

 private:
  void ReadStream() {
    int rv = cn_spdy_stream_read(st_, up_, up_->size, &OnStreamRead, this);
    if (rv != CN_ERR_IO_PENDING)
      OnStreamRead(this, rv);
  }
  static void OnStreamRead(void *arg, int rv) {
    auto *self = static_cast<Bridge *>(arg);
    if (rv <= 0)
      return;
    int w = cn_stream_socket_write(self->end_, self->up_, static_cast<size_t>(rv), &OnEndWritten,
                                   self);
    if (w != CN_ERR_IO_PENDING)
      OnEndWritten(self, w);
  }
  static void OnEndWritten(void *arg, int rv) {
    if (rv > 0)
      static_cast<Bridge *>(arg)->ReadStream();
  }
  void ReadEnd() {
    int rv = cn_stream_socket_read(end_, down_, down_->size, &OnEndRead, this);
    if (rv != CN_ERR_IO_PENDING)
      OnEndRead(this, rv);
  }
  static void OnEndRead(void *arg, int rv) {
    auto *self = static_cast<Bridge *>(arg);
    if (rv <= 0)
      return;
    int w = cn_spdy_stream_write(self->st_, self->down_, static_cast<size_t>(rv), false,
                                 &OnStreamWritten, self);
    if (w != CN_ERR_IO_PENDING)
      OnStreamWritten(self, w);
  }
  static void OnStreamWritten(void *arg, int rv) {
    if (rv >= 0)
      static_cast<Bridge *>(arg)->ReadEnd();
  }
  cn_spdy_stream *st_;
  cn_stream_socket *end_;
  cn_iobuf *up_;
  cn_iobuf *down_;
};

// A transport socket whose incoming bytes can be held back (a peer gone
// silent: a PING is never answered) or cut with an error or EOF, for the
// checks made before reusing an idle session.
class FreezableSocket {
 public:
  static cn_stream_socket *Wrap(cn_stream_socket *inner, FreezableSocket **out) {
    auto *f = new FreezableSocket();
    cn_stream_socket_init(&f->base_, &kOps, inner->netlog);
    f->inner_ = inner;
    *out = f;
    return &f->base_;
  }
  // From now on nothing more is delivered to the reader.
  void Freeze() { frozen_ = true; }
  // A pending read completes with |rv| (0: EOF), from the loop.
  void Cut(int rv) {
    cut_ = true;
    cut_rv_ = rv;
    if (cb_) {
      cn_completion_cb cb = cb_;
      cb_ = nullptr;
      cb(arg_, rv);
    }
  }
  bool read_pending() const { return cb_ != nullptr; }

 private:
  static FreezableSocket *Of(const cn_stream_socket *s) {
    return reinterpret_cast<FreezableSocket *>(const_cast<cn_stream_socket *>(s));
  }
  static int Connect(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
    return cn_stream_socket_connect(Of(s)->inner_, cb, arg);
  }
  static int Read(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
    FreezableSocket *f = Of(s);
    if (f->cut_)
      return f->cut_rv_;
    f->cb_ = cb;
    f->arg_ = arg;
    if (f->frozen_)
      return CN_ERR_IO_PENDING;
    int rv = cn_stream_socket_read(f->inner_, buf, len, &OnRead, f);
    if (rv != CN_ERR_IO_PENDING)
      f->cb_ = nullptr;
    return rv;
  }
  static void OnRead(void *arg, int rv) {
    auto *f = static_cast<FreezableSocket *>(arg);
    if (f->frozen_ || !f->cb_)
      return;  // held back for good
    cn_completion_cb cb = f->cb_;
    f->cb_ = nullptr;
    cb(f->arg_, rv);
  }
  static int Write(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                   void *arg) {
    return cn_stream_socket_write(Of(s)->inner_, buf, len, cb, arg);
  }
  static void Disconnect(cn_stream_socket *s) {
    Of(s)->cb_ = nullptr;
    cn_stream_socket_disconnect(Of(s)->inner_);
  }
  static bool IsConnected(const cn_stream_socket *s) {
    return cn_stream_socket_is_connected(Of(s)->inner_);
  }
  static bool IsConnectedAndIdle(const cn_stream_socket *s) {
    return cn_stream_socket_is_connected_and_idle(Of(s)->inner_);
  }
  static cn_next_proto Proto(const cn_stream_socket *s) {
    return cn_stream_socket_negotiated_protocol(Of(s)->inner_);
  }
  static void Destroy(cn_stream_socket *s) {
    FreezableSocket *f = Of(s);
    cn_stream_socket_destroy(f->inner_);
    cn_stream_socket_log_destroyed(s);
    delete f;
  }
  static constexpr cn_stream_socket_ops kOps = {
      "freezable", &Connect, &Read, &Write, &Disconnect, &IsConnected, &IsConnectedAndIdle,
      &Proto, &Destroy, nullptr, nullptr, nullptr, nullptr};

  cn_stream_socket base_;  // first: the ops cast back
  cn_stream_socket *inner_ = nullptr;
  bool frozen_ = false;
  bool cut_ = false;
  int cut_rv_ = 0;
  cn_completion_cb cb_ = nullptr;
  void *arg_ = nullptr;
};

// The HTTPS proxy: GETs in absolute form answered "hello" (F4), CONNECT
// streams bridged to a TLS + SPDY/HTTP2 origin (F6).
class SpdyProxyPeer {
 public:
  SpdyProxyPeer(cn_ssl_context *ctx, cn_next_proto proto) : ctx_(ctx), proto_(proto) {}
  ~SpdyProxyPeer() {
    refused_.clear();
    bridges_.clear();
    origins_.clear();
    server_.reset();
  }
  cnet_test::MockClientSocketFactory::Maker Maker() {
    return [this](uv_loop_t *loop, cn_netlog *) {
      loop_ = loop;
      cn_stream_socket *near, *far;
      cn_pipe_socket_pair(loop, nullptr, 0, &near, &far);
      server_ = std::make_unique<TlsSpdyServer>(
          loop, ctx_, proto_, far, [this](cn_spdy_stream *st) { return OnStream(st); },
          max_streams);
      return near;
    };
  }
  std::vector<std::string> connects;  // CONNECT targets
  std::vector<std::string> requests;  // "GET <scheme>://<authority><path>"
  std::vector<std::string> origin_requests;
  std::vector<std::string> proxy_auth;  // each CONNECT's proxy-authorization ("" if none)
  int connect_407s = 0;                 // answer this many CONNECTs with 407 first
  uint32_t max_streams = 0;             // concurrent streams allowed (0: the default)
  bool hold_origins = false;  // origins answer only on their Responder's Go()
  // Reset every stream (request or CONNECT) with REFUSED_STREAM.
  bool refuse_streams = false;
  int refused = 0;
  // > 0: when the origin behind the proxy gets its Nth request, the proxy
  // resets that tunnel's CONNECT stream instead (the request is lost).
  size_t reset_tunnel_at_request = 0;
  const std::vector<std::unique_ptr<TlsSpdyServer>> &origins() const { return origins_; }

 private:
  bool OnStream(cn_spdy_stream *st) {
    std::string method = cn_spdy_stream_header(st, ":method");
    bool spdy = proto_ == CN_PROTO_SPDY31;
    if (refuse_streams) {
      refused++;
      cn_spdy_stream_reset(st, CN_HTTP2_REFUSED_STREAM);
      refused_.emplace_back(new cnet_test::Responder(st, true));
      return true;
    }
    if (method != "CONNECT") {
      const char *auth = cn_spdy_stream_header(st, spdy ? ":host" : ":authority");
      const char *path = cn_spdy_stream_header(st, ":path");
      requests.push_back(method + " " + (spdy ? std::string(path)
                                              : std::string(cn_spdy_stream_header(st, ":scheme")) +
                                                    "://" + auth + path));
      return false;  // a Responder answers "hello"
    }
    connects.push_back(cn_spdy_stream_header(st, spdy ? ":path" : ":authority"));
    const char *pa = cn_spdy_stream_header(st, "proxy-authorization");
    proxy_auth.push_back(pa ? pa : "");
    if (connect_407s > 0) {
      connect_407s--;
      std::vector<std::pair<std::string, std::string>> f = {{":status", "407"}};
      if (spdy)
        f.push_back({":version", "HTTP/1.1"});
      f.push_back({"proxy-authenticate", "Basic realm=\"p\""});
      auto h = cnet_test::HeaderArray(f);
      EXPECT_EQ(CN_OK, cn_spdy_stream_send_headers(st, h.data(), h.size(), true));
      refused_.emplace_back(new cnet_test::Responder(st, true));
      return true;
    }
    std::vector<std::pair<std::string, std::string>> f = {{":status", "200"}};
    if (spdy)
      f.push_back({":version", "HTTP/1.1"});
    auto h = cnet_test::HeaderArray(f);
    EXPECT_EQ(CN_OK, cn_spdy_stream_send_headers(st, h.data(), h.size(), false));
    cn_stream_socket *x, *y;
    cn_pipe_socket_pair(loop_, nullptr, 0, &x, &y);
    size_t tunnel = bridges_.size();
    origins_.push_back(std::make_unique<TlsSpdyServer>(
        loop_, ctx_, proto_, y, [this, tunnel](cn_spdy_stream *ost) {
          origin_requests.push_back(cn_spdy_stream_header(ost, ":path"));
          if (origin_requests.size() != reset_tunnel_at_request)
            return false;
          refused_.emplace_back(new cnet_test::Responder(ost, true));  // never answered
          bridges_[tunnel]->Reset();
          return true;
        }));
    origins_.back()->rec.hold = hold_origins;
    bridges_.push_back(std::make_unique<Bridge>(st, x));
    return true;
  }
  cn_ssl_context *ctx_;
  cn_next_proto proto_;
  uv_loop_t *loop_ = nullptr;
  std::unique_ptr<TlsSpdyServer> server_;
  std::vector<std::unique_ptr<TlsSpdyServer>> origins_;
  std::vector<std::unique_ptr<Bridge>> bridges_;
  std::vector<std::unique_ptr<cnet_test::Responder>> refused_;
};

class HttpTransactionSpdyTest : public cnet_test::SessionTestBase,
                                public testing::WithParamInterface<cn_next_proto> {
 protected:
  void SetUp() override {
    SessionTestBase::SetUp();
    const char *names[] = {"proxy.test", "origin.test", "other.test"};
    cn_test_cert_options o = {};
    o.dns_names = names;
    o.num_dns_names = 3;
    leaf_ = cn_test_cert_new(&o, ca_);
    ASSERT_EQ(CN_OK, cn_ssl_server_context_new(cn_test_cert_chain_pem(leaf_),
                                               cn_test_cert_key_pem(leaf_), &server_ctx_));
    MakeSession("https://proxy.test:443");
  }
  void TearDown() override {
    DestroySession();
    peers_.clear();
    cn_ssl_context_unref(server_ctx_);
    cn_test_cert_free(leaf_);
    SessionTestBase::TearDown();
  }
  void AdjustParams(cn_http_network_session_params *p) override {
    for (cn_ssl_config *c : {&p->proxy_ssl_config, &p->origin_ssl_config}) {
      c->protos[0] = GetParam();
      c->protos[1] = CN_PROTO_HTTP11;
      c->num_protos = 2;
    }
    if (origin_http11_only_) {
      p->origin_ssl_config.protos[0] = CN_PROTO_HTTP11;
      p->origin_ssl_config.num_protos = 1;
    }
    if (idle_ping_ms_ >= 0) {
      p->spdy_idle_ping_ms = idle_ping_ms_;
      p->spdy_ping_timeout_ms = ping_timeout_ms_;
    }
    if (use_fake_clock_)
      p->clock = clock_.get();
    p->spdy_first_stream_id_for_testing = first_stream_id_;
  }
  bool origin_http11_only_ = false;
  uint32_t first_stream_id_ = 0;  // 0: the sessions' own
  int64_t idle_ping_ms_ = -1;  // -1: the session's defaults
  uint64_t ping_timeout_ms_ = 0;
  // The session's pools and SPDY sessions measure time on |clock_|
  // (params.clock) for tests whose subject is a timeout.
  bool use_fake_clock_ = false;
  cnet_test::FakeClock clock_;
  size_t PingsSent() {
    return recorder_.Of(CN_NETLOG_SPDY_SESSION_SEND_PING, CN_NETLOG_PHASE_NONE).size();
  }
  SpdyProxyPeer *AddPeer() {
    peers_.push_back(std::make_unique<SpdyProxyPeer>(server_ctx_, GetParam()));
    factory_.AddSocket(peers_.back()->Maker());
    return peers_.back().get();
  }
  // What cn_http_transaction_get_info said once the head was in.
  struct Layers {
    cn_socket_reuse_type reuse_type = CN_SOCKET_UNUSED;
    bool origin_tls = false, tunnelled = false, tunnel_reused = false;
    bool proxy_tls = false, proxy_reused = false;
  };
  std::string Fetch(const std::string &url, Layers *layers = nullptr) {
    cn_url u;
    EXPECT_EQ(CN_OK, cn_url_parse(url.c_str(), &u));
    cn_http_request_info info = {};
    info.method = "GET";
    info.url = &u;
    cn_http_transaction *t = cn_http_transaction_new(session_, CN_PRIORITY_MEDIUM);
    TestCompletion c;
    int rv = c.WaitForResult(loop_.get(), cn_http_transaction_start(t, &info, c.cb(), c.arg()));
    std::string out;
    if (rv != CN_OK) {
      out = "error " + std::to_string(rv);
    } else {
      out = std::to_string(cn_http_transaction_response(t)->status) + " ";
      if (layers) {
        cn_http_transaction_info ti;
        cn_http_transaction_get_info(t, &ti);
        layers->reuse_type = ti.reuse_type;
        layers->origin_tls = ti.origin_tls != nullptr;
        layers->tunnelled = ti.tunnelled;
        layers->tunnel_reused = ti.tunnel_reused;
        layers->proxy_tls = ti.proxy_tls != nullptr;
        layers->proxy_reused = ti.proxy_reused;
      }
      for (;;) {
        cn_iobuf *buf = cn_iobuf_new(4096);
        TestCompletion r;
        rv = r.WaitForResult(loop_.get(),
                             cn_http_transaction_read(t, buf, buf->size, r.cb(), r.arg()));
        if (rv > 0)
          out.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(rv));
        cn_iobuf_unref(buf);
        if (rv <= 0)
          break;
      }
      if (rv < 0)
        out += " body error " + std::to_string(rv);
    }
    cn_http_transaction_destroy(t);
    cn_url_free(&u);
    return out;
  }
  cn_spdy_session_pool *spdy_pool() { return cn_http_network_session_spdy_pool(session_); }
  void SecondOriginWaitsForTheFirstsSlot();
  void RacingTunnelsShareOneProxyConnection(const std::vector<std::string> &urls);
  // A GET started (not waited for); Finish() waits and reads the body.
  struct Started {
    cn_url url;
    cn_http_request_info info = {};
    cn_http_transaction *t = nullptr;
    TestCompletion c;
    int rv = 0;
  };
  std::unique_ptr<Started> StartGet(const std::string &url) {
    auto r = std::make_unique<Started>();
    EXPECT_EQ(CN_OK, cn_url_parse(url.c_str(), &r->url));
    r->info.method = "GET";
    r->info.url = &r->url;
    r->t = cn_http_transaction_new(session_, CN_PRIORITY_MEDIUM);
    r->rv = cn_http_transaction_start(r->t, &r->info, r->c.cb(), r->c.arg());
    return r;
  }
  // "STATUS BODY" or "error N"; frees the transaction.
  std::string Finish(std::unique_ptr<Started> r, int *retries) {
    int rv = r->c.WaitForResult(loop_.get(), r->rv);
    std::string out = "error " + std::to_string(rv);
    if (rv == CN_OK) {
      out = std::to_string(cn_http_transaction_response(r->t)->status) + " ";
      cn_iobuf *buf = cn_iobuf_new(4096);
      for (;;) {
        TestCompletion c;
        rv = c.WaitForResult(loop_.get(), cn_http_transaction_read(r->t, buf, buf->size, c.cb(),
                                                                   c.arg()));
        if (rv <= 0)
          break;
        out.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(rv));
      }
      cn_iobuf_unref(buf);
    }
    cn_http_transaction_info ti;
    cn_http_transaction_get_info(r->t, &ti);
    *retries = ti.retries;
    cn_http_transaction_destroy(r->t);
    cn_url_free(&r->url);
    return out;
  }

  cn_test_cert *leaf_ = nullptr;
  cn_ssl_context *server_ctx_ = nullptr;
  std::vector<std::unique_ptr<SpdyProxyPeer>> peers_;
};

INSTANTIATE_TEST_SUITE_P(Protocols, HttpTransactionSpdyTest,
                         testing::Values(CN_PROTO_SPDY31, CN_PROTO_HTTP2),
                         [](const testing::TestParamInfo<cn_next_proto> &i) {
                           return std::string(i.param == CN_PROTO_SPDY31 ? "Spdy31" : "Http2");
                         });

// F4: ten http:// GETs to three origins through one proxy session — one
// TCP connection, one TLS handshake, one session, ten streams.
TEST_P(HttpTransactionSpdyTest, F4TenHttpGetsToThreeOriginsShareOneProxySession) {
  SpdyProxyPeer *peer = AddPeer();
  const char *origins[] = {"http://a.test/", "http://b.test:8080/x", "http://c.test/y?z"};
  for (int i = 0; i < 10; i++)
    EXPECT_EQ("200 hello", Fetch(origins[i % 3])) << i;
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(1u, counters_.tls_handshakes);
  EXPECT_EQ(0u, counters_.tunnels);
  EXPECT_EQ(10u, counters_.streams);
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(spdy_pool()));
  ASSERT_EQ(10u, peer->requests.size());
  EXPECT_EQ(GetParam() == CN_PROTO_SPDY31 ? "GET http://b.test:8080/x" : "GET http://b.test:8080/x",
            peer->requests[1]);
  DestroySession();
  EXPECT_EQ(1u, counters_.sessions);
}

// A request served by a live session says so (the session's connection was
// reused), one that made the session says it is new: F4, the proxy's
// session.
TEST_P(HttpTransactionSpdyTest, F4RequestOnALiveSessionReportsReuse) {
  AddPeer();
  Layers first, second;
  EXPECT_EQ("200 hello", Fetch("http://a.test/", &first));
  EXPECT_EQ("200 hello", Fetch("http://b.test/", &second));
  EXPECT_EQ(CN_SOCKET_UNUSED, first.reuse_type);
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, second.reuse_type);
  EXPECT_FALSE(first.proxy_reused);
  EXPECT_TRUE(second.proxy_reused);
  EXPECT_TRUE(second.proxy_tls);
  EXPECT_FALSE(second.origin_tls);
  EXPECT_FALSE(second.tunnelled);
}

// F6, layer by layer: the first request made everything; the second found
// the origin's session (so the tunnel and the proxy's session too); a third
// origin takes a new tunnel on the live proxy session.
TEST_P(HttpTransactionSpdyTest, F6LayersSayWhatWasReused) {
  AddPeer();
  Layers first, second, other;
  EXPECT_EQ("200 hello", Fetch("https://origin.test/", &first));
  EXPECT_EQ("200 hello", Fetch("https://origin.test/second", &second));
  EXPECT_EQ("200 hello", Fetch("https://other.test/", &other));
  EXPECT_EQ(CN_SOCKET_UNUSED, first.reuse_type);
  EXPECT_TRUE(first.origin_tls && first.proxy_tls && first.tunnelled);
  EXPECT_FALSE(first.tunnel_reused);
  EXPECT_FALSE(first.proxy_reused);
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, second.reuse_type);
  EXPECT_TRUE(second.tunnel_reused);
  EXPECT_TRUE(second.proxy_reused);
  EXPECT_EQ(CN_SOCKET_UNUSED, other.reuse_type);
  EXPECT_TRUE(other.tunnelled);
  EXPECT_FALSE(other.tunnel_reused);
  EXPECT_TRUE(other.proxy_reused);
  EXPECT_TRUE(other.origin_tls && other.proxy_tls);
}

// F6: https:// through the proxy session: a CONNECT stream, TLS to the
// origin inside it, and a session to the origin through the chain; the
// second request is a stream of that session ("jump to step 19"); another
// origin takes another CONNECT stream of the same proxy session ("jump to
// step 9"): no new TCP connection.
TEST_P(HttpTransactionSpdyTest, F6OriginSessionsInsideStreamsOfOneProxySession) {
  SpdyProxyPeer *peer = AddPeer();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/"));
  EXPECT_EQ("200 hello", Fetch("https://origin.test/second"));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(2u, counters_.tls_handshakes);
  EXPECT_EQ(1u, counters_.tunnels);
  EXPECT_EQ(2u, cn_spdy_session_pool_session_count(spdy_pool()));
  EXPECT_EQ(std::vector<std::string>{"origin.test:443"}, peer->connects);
  EXPECT_EQ((std::vector<std::string>{"/", "/second"}), peer->origin_requests);

  EXPECT_EQ("200 hello", Fetch("https://other.test/"));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(3u, counters_.tls_handshakes);
  EXPECT_EQ(2u, counters_.tunnels);
  EXPECT_EQ(3u, cn_spdy_session_pool_session_count(spdy_pool()));
  // A session to an origin through a tunnel never serves http:// (those go
  // to the proxy's session).
  EXPECT_EQ("200 hello", Fetch("http://origin.test/plain"));
  ASSERT_EQ(1u, peer->requests.size());
  EXPECT_EQ(1u, factory_.created());
}

// A proxy that allows one concurrent stream: after an F6 request the only
// slot is the CONNECT stream under the idle session to the origin. The next
// request on that proxy session (another origin, or http://) waits for a
// slot; the stall closes our idle tunnel riding on it, instead of waiting
// for it for good (nothing else closes it). No new proxy connection.
TEST_P(HttpTransactionSpdyTest, StalledProxySessionClosesIdleTunnelSession) {
  SpdyProxyPeer *peer = AddPeer();
  peer->max_streams = 1;
  EXPECT_EQ("200 hello", Fetch("https://origin.test/"));
  EXPECT_EQ("200 hello", Fetch("https://other.test/"));
  EXPECT_EQ("200 hello", Fetch("http://origin.test/plain"));
  EXPECT_EQ("200 hello", Fetch("https://origin.test/again"));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(3u, counters_.tunnels);
  EXPECT_EQ((std::vector<std::string>{"origin.test:443", "other.test:443", "origin.test:443"}),
            peer->connects);
}

// Through a proxy allowing one stream (warmed by an F4 GET), two requests
// at once to two origins: the second's CONNECT waits while the first's
// tunnel is busy. When the first request ends, its tunnel goes idle under
// a session with a waiting stream and must be closed at once (it would hold
// the only slot for good). F6 origins hold their answer until told to.
void HttpTransactionSpdyTest::SecondOriginWaitsForTheFirstsSlot() {
  SpdyProxyPeer *peer = AddPeer();
  peer->max_streams = 1;
  peer->hold_origins = !origin_http11_only_;
  EXPECT_EQ("200 hello", Fetch("http://origin.test/warm"));
  std::unique_ptr<Started> first = StartGet("https://origin.test/");
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    const auto &o = peer->origins();
    return o.size() == 1 && (o[0]->rec.streams.size() == 1 || o[0]->http11_requests == 1);
  }));
  peer->hold_origins = false;  // the second origin answers at once
  std::unique_ptr<Started> second = StartGet("https://other.test/");
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(1u, peer->connects.size()) << "the second CONNECT waits for the slot";
  if (!origin_http11_only_)
    peer->origins()[0]->rec.streams[0]->Go();
  int retries = 0;
  EXPECT_EQ("200 hello", Finish(std::move(first), &retries));
  EXPECT_EQ("200 hello", Finish(std::move(second), &retries));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ((std::vector<std::string>{"origin.test:443", "other.test:443"}), peer->connects);
}

// F6: the first origin's session goes idle (on_idle closes it).
TEST_P(HttpTransactionSpdyTest, TunnelSessionGoingIdleOverAStalledProxySessionIsClosed) {
  SecondOriginWaitsForTheFirstsSlot();
}

// F5: the first request's TLS connection, given back to the origin pool,
// is not kept idle (its tunnel reports not idle while the session stalls).
TEST_P(HttpTransactionSpdyTest, TunnelConnectionReleasedOverAStalledProxySessionIsClosed) {
  DestroySession();
  origin_http11_only_ = true;
  MakeSession("https://proxy.test:443");
  SecondOriginWaitsForTheFirstsSlot();
}

// F5 with the same proxy: the slot is held by the idle TLS connection to
// the origin in the origin pool (HTTP/1.1 inside the tunnel).
TEST_P(HttpTransactionSpdyTest, StalledProxySessionClosesIdleTunnelConnection) {
  DestroySession();
  origin_http11_only_ = true;
  MakeSession("https://proxy.test:443");
  SpdyProxyPeer *peer = AddPeer();
  peer->max_streams = 1;
  EXPECT_EQ("200 hello", Fetch("https://origin.test/"));
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count(ssl_origin()));
  EXPECT_EQ("200 hello", Fetch("https://other.test/"));
  EXPECT_EQ("200 hello", Fetch("http://origin.test/plain"));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(2u, counters_.tunnels);
  EXPECT_EQ(0u, cn_client_socket_pool_idle_count(ssl_origin()));
}

// Tunnels racing to a new proxy share one connection to it, like requests:
// the first tunnel job connects, the others wait for its session and open
// their CONNECT streams on it (F6 to two origins, F5 twice to one: HTTP/1.1
// takes a tunnel per request). Each used to open its own connection.
void HttpTransactionSpdyTest::RacingTunnelsShareOneProxyConnection(
    const std::vector<std::string> &urls) {
  SpdyProxyPeer *peer = AddPeer();
  std::vector<std::unique_ptr<Started>> runs;
  for (const std::string &url : urls)
    runs.push_back(StartGet(url));
  int retries = 0;
  for (auto &r : runs)
    EXPECT_EQ("200 hello", Finish(std::move(r), &retries));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(urls.size(), peer->connects.size());
  EXPECT_EQ(urls.size(), counters_.tunnels);
}

TEST_P(HttpTransactionSpdyTest, RacingF6TunnelsToANewProxyShareOneConnection) {
  RacingTunnelsShareOneProxyConnection({"https://origin.test/", "https://other.test/"});
}

TEST_P(HttpTransactionSpdyTest, RacingF5TunnelsToANewProxyShareOneConnection) {
  DestroySession();
  origin_http11_only_ = true;
  MakeSession("https://proxy.test:443");
  RacingTunnelsShareOneProxyConnection({"https://origin.test/1", "https://origin.test/2"});
}

// F5: the origin speaks HTTP/1.1 inside the CONNECT stream (the proxy
// session still carries the tunnel); the TLS connection to the origin is
// pooled and reused ("jump to step 19").
TEST_P(HttpTransactionSpdyTest, F5Http11OriginInsideAStreamOfTheProxySession) {
  DestroySession();
  origin_http11_only_ = true;
  MakeSession("https://proxy.test:443");
  SpdyProxyPeer *peer = AddPeer();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/"));
  EXPECT_EQ("200 hello", Fetch("https://origin.test/again"));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(2u, counters_.tls_handshakes);
  EXPECT_EQ(1u, counters_.tunnels);
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(spdy_pool()));  // the proxy's only
  ASSERT_EQ(1u, peer->origins().size());
  EXPECT_EQ(2, peer->origins()[0]->http11_requests);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count(ssl_origin()));
}

class HttpTransactionSpdyDirectTest : public HttpTransactionSpdyTest {
 protected:
  void SetUp() override {
    HttpTransactionSpdyTest::SetUp();
    DestroySession();
    cn_proxy_service_free(proxy_service_);  // DIRECT
    proxy_service_ = nullptr;
    MakeSession();
  }
  // A direct connection to a TLS origin speaking the protocol. With
  // |transport|, the client's end can be frozen or cut (set when made).
  TlsSpdyServer *AddOrigin(FreezableSocket **transport = nullptr) {
    servers_.emplace_back();
    size_t i = servers_.size() - 1;
    factory_.AddSocket([this, i, transport](uv_loop_t *loop, cn_netlog *) {
      cn_stream_socket *near, *far;
      cn_pipe_socket_pair(loop, nullptr, 0, &near, &far);
      servers_[i] = std::make_unique<TlsSpdyServer>(loop, server_ctx_, GetParam(), far, nullptr);
      return transport ? FreezableSocket::Wrap(near, transport) : near;
    });
    return nullptr;
  }
  // A direct connection to a TLS origin played by a raw peer.
  TlsRawServer *AddRawOrigin(std::vector<cn_spdy_setting> settings = {}) {
    raw_servers_.emplace_back();
    size_t i = raw_servers_.size() - 1;
    factory_.AddSocket([this, i, settings](uv_loop_t *loop, cn_netlog *) {
      cn_stream_socket *near, *far;
      cn_pipe_socket_pair(loop, nullptr, 0, &near, &far);
      raw_servers_[i] =
          std::make_unique<TlsRawServer>(loop, server_ctx_, GetParam(), far, settings);
      return near;
    });
    return nullptr;
  }
  std::vector<std::unique_ptr<TlsRawServer>> raw_servers_;
  // A session that checks every reuse with a PING (|ping_timeout_ms|),
  // warmed by one request, whose peer then goes silent; a second origin
  // is ready for the next connection.
  void WarmASessionThenSilenceIt(uint64_t ping_timeout_ms, FreezableSocket **first) {
    DestroySession();
    idle_ping_ms_ = 0;
    ping_timeout_ms_ = ping_timeout_ms;
    MakeSession();
    AddOrigin(first);
    AddOrigin();
    EXPECT_EQ("200 hello", Fetch("https://origin.test/1"));
    ASSERT_NE(nullptr, *first);
    (*first)->Freeze();
  }
  void TearDown() override {
    DestroySession();
    servers_.clear();
    HttpTransactionSpdyTest::TearDown();
  }
  std::vector<std::unique_ptr<TlsSpdyServer>> servers_;
};

INSTANTIATE_TEST_SUITE_P(Protocols, HttpTransactionSpdyDirectTest,
                         testing::Values(CN_PROTO_SPDY31, CN_PROTO_HTTP2),
                         [](const testing::TestParamInfo<cn_next_proto> &i) {
                           return std::string(i.param == CN_PROTO_SPDY31 ? "Spdy31" : "Http2");
                         });

// HTTP_1_1_REQUIRED is HTTP/2's: the same fixture, HTTP/2 only.
class HttpTransactionHttp2DirectTest : public HttpTransactionSpdyDirectTest {};
INSTANTIATE_TEST_SUITE_P(Http2Only, HttpTransactionHttp2DirectTest,
                         testing::Values(CN_PROTO_HTTP2),
                         [](const testing::TestParamInfo<cn_next_proto> &) { return "Http2"; });

TEST_P(HttpTransactionSpdyDirectTest, DirectHttpsRequestsShareOneOriginSession) {
  AddOrigin();
  for (int i = 0; i < 5; i++)
    EXPECT_EQ("200 hello", Fetch("https://origin.test/" + std::to_string(i)));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(1u, counters_.tls_handshakes);
  EXPECT_EQ(5u, counters_.streams);
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(spdy_pool()));
  // http:// to the same host never uses the https session (another key).
  DestroySession();
  EXPECT_EQ(1u, counters_.sessions);
}

// Requests racing to a new origin: each starts a connection (late binding
// hands out whichever is ready), but they all end up on one session; the
// redundant connections are closed.
TEST_P(HttpTransactionSpdyDirectTest, RacingRequestsEndOnOneSession) {
  for (int i = 0; i < 3; i++)
    AddOrigin();
  std::vector<std::unique_ptr<Started>> runs;
  for (int i = 0; i < 3; i++)
    runs.push_back(StartGet("https://origin.test/"));
  for (auto &r : runs) {
    EXPECT_EQ(CN_OK, r->c.WaitForResult(loop_.get(), r->rv));
    cn_http_transaction_info ti;
    cn_http_transaction_get_info(r->t, &ti);
    EXPECT_EQ(GetParam(), ti.protocol);
  }
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(spdy_pool()));
  for (auto &r : runs) {
    cn_http_transaction_destroy(r->t);
    cn_url_free(&r->url);
  }
  DestroySession();
  EXPECT_EQ(1u, counters_.sessions);
}

// Behaviour 7 over a proxy session: a 407 to CONNECT is answered on a new
// stream of the same session with the credentials; later tunnels send them
// up front.
TEST_P(HttpTransactionSpdyTest, ProxyAuthOnTheSameProxySession) {
  DestroySession();
  MakeSession("https://user:pass@proxy.test:443");
  SpdyProxyPeer *peer = AddPeer();
  peer->connect_407s = 1;
  EXPECT_EQ("200 hello", Fetch("https://origin.test/"));
  EXPECT_EQ("200 hello", Fetch("https://other.test/"));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ((std::vector<std::string>{"", "Basic dXNlcjpwYXNz", "Basic dXNlcjpwYXNz"}),
            peer->proxy_auth);
  EXPECT_EQ(2u, counters_.tunnels);
}

TEST_P(HttpTransactionSpdyTest, ProxyAuthWithoutCredentialsFails) {
  SpdyProxyPeer *peer = AddPeer();
  peer->connect_407s = 1;
  EXPECT_EQ("error " + std::to_string(CN_ERR_PROXY_AUTH_REQUESTED), Fetch("https://origin.test/"));
  EXPECT_EQ(0u, counters_.tunnels);
}

// Behaviour 6: a stream the server refused (never processed) is sent again;
// the session is still good, so on a new stream of it.
TEST_P(HttpTransactionSpdyDirectTest, RefusedStreamIsResent) {
  AddOrigin();
  int refused = 0;
  std::vector<std::unique_ptr<cnet_test::Responder>> held;
  EXPECT_EQ("200 hello", Fetch("https://origin.test/warm"));
  servers_[0]->rec.on_stream_hook = [&](cn_spdy_stream *st) {
    if (refused++ > 0)
      return false;
    cn_spdy_stream_reset(st, CN_HTTP2_REFUSED_STREAM);
    held.emplace_back(new cnet_test::Responder(st, true));
    return true;
  };
  EXPECT_EQ("200 hello", Fetch("https://origin.test/again"));
  EXPECT_EQ(2, refused);
  EXPECT_EQ(1u, factory_.created());
  servers_[0]->rec.on_stream_hook = nullptr;
  held.clear();
}

// Retries as Chromium makes them: at most 3 attempts in all. A proxy whose
// session refuses every stream: an http:// request (a stream of the proxy's
// session, F4) is sent 3 times; a tunnel (F5/F6) has its CONNECT sent
// twice (the CONNECT job's one retry on a new session), never more.
TEST_P(HttpTransactionSpdyTest, ProxyRefusingEveryStreamGetsThreeAttemptsInAll) {
  SpdyProxyPeer *peer = AddPeer();
  peer->refuse_streams = true;
  EXPECT_EQ("error " + std::to_string(CN_ERR_HTTP2_SERVER_REFUSED_STREAM),
            Fetch("http://a.test/"));
  EXPECT_EQ(3, peer->refused);
  EXPECT_EQ(1u, factory_.created());  // all on the one session
}

TEST_P(HttpTransactionSpdyTest, ProxyRefusingEveryConnectStreamGetsTwoConnects) {
  SpdyProxyPeer *peer = AddPeer();
  peer->refuse_streams = true;
  AddPeer();  // never reached
  std::string got = Fetch("https://origin.test/");
  EXPECT_EQ("error " + std::to_string(CN_ERR_HTTP2_SERVER_REFUSED_STREAM), got);
  // The session refusing a stream stays available: the retry is its second
  // CONNECT stream.
  EXPECT_EQ(2, peer->refused);
  EXPECT_EQ(1u, factory_.created());
}

// F6: the proxy resets the CONNECT stream of a reused tunnel while a request
// is on it. The tunnel reads as a closed connection, so the request is
// resent as on a stale keep-alive connection: once, on a new tunnel — two
// attempts, the second answered.
TEST_P(HttpTransactionSpdyTest, ResetOfAReusedTunnelIsResentLikeAStaleConnection) {
  SpdyProxyPeer *peer = AddPeer();
  peer->reset_tunnel_at_request = 2;
  EXPECT_EQ("200 hello", Fetch("https://origin.test/1"));
  auto t = StartGet("https://origin.test/2");
  int retries = -1;
  EXPECT_EQ("200 hello", Finish(std::move(t), &retries));
  EXPECT_EQ(1, retries);
  EXPECT_EQ((std::vector<std::string>{"/1", "/2", "/2"}), peer->origin_requests);
  EXPECT_EQ(2u, peer->connects.size());
  EXPECT_EQ(1u, factory_.created());  // one proxy session throughout
}

// The same reset on a fresh tunnel (its first request) is not resent: a
// fresh connection's failure is the answer.
TEST_P(HttpTransactionSpdyTest, ResetOfAFreshTunnelIsNotResent) {
  SpdyProxyPeer *peer = AddPeer();
  peer->reset_tunnel_at_request = 1;
  std::string got = Fetch("https://origin.test/1");
  EXPECT_EQ(0u, got.find("error ")) << got;
  EXPECT_EQ((std::vector<std::string>{"/1"}), peer->origin_requests);
  EXPECT_EQ(1u, peer->connects.size());
}

// GOAWAY with last-stream-id 0 on every session: the request never reached
// the server, so it is resent on a new session — 3 attempts in all, a 4th
// connection never made.
TEST_P(HttpTransactionSpdyDirectTest, GoawayZeroEveryTimeGetsThreeAttemptsInAll) {
  for (int i = 0; i < 4; i++)
    AddRawOrigin();
  auto run = StartGet("https://origin.test/");
  for (size_t i = 0; i < 3; i++) {
    ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
      return raw_servers_.size() > i && raw_servers_[i] && raw_servers_[i]->peer &&
             raw_servers_[i]->peer->HeaderIds().size() == 1;
    })) << "attempt " << i + 1;
    raw_servers_[i]->peer->SendGoaway(0, 0);
  }
  int retries = -1;
  EXPECT_EQ("error " + std::to_string(CN_ERR_HTTP2_GOING_AWAY), Finish(std::move(run), &retries));
  EXPECT_EQ(2, retries);
  EXPECT_EQ(3u, factory_.created());
}

// A session that received GOAWAY is never handed out: the next request
// opens a new connection and session.
TEST_P(HttpTransactionSpdyDirectTest, GoingAwaySessionIsNotReused) {
  AddOrigin();
  AddOrigin();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/1"));
  cn_spdy_session_go_away(servers_[0]->session, CN_HTTP2_NO_ERROR);
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    return cn_spdy_session_pool_find(spdy_pool(), "origin.test:443|direct|normal") == nullptr;
  }));
  EXPECT_EQ("200 hello", Fetch("https://origin.test/2"));
  EXPECT_EQ(2u, factory_.created());
  EXPECT_EQ(1u, cn_spdy_session_pool_available_count(spdy_pool()));
}

// A live session from the pool whose connection closes before the
// response: the request is resent, on a new connection.
TEST_P(HttpTransactionSpdyDirectTest, PooledSessionClosingBeforeTheResponseIsResent) {
  AddOrigin();
  AddOrigin();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/1"));
  TlsSpdyServer *first = servers_[0].get();
  first->rec.on_stream_hook = [first](cn_spdy_stream *st) {
    cn_spdy_session_destroy(first->session);  // the connection closes, no RST_STREAM
    first->session = nullptr;
    cn_spdy_stream_destroy(st);
    return true;
  };
  EXPECT_EQ("200 hello", Fetch("https://origin.test/2"));
  EXPECT_EQ(2u, factory_.created());
}

// Behaviour 6: HTTP_1_1_REQUIRED from an origin — the request is resent on
// a new connection offering HTTP/1.1 only, and later ones go there too.
TEST_P(HttpTransactionHttp2DirectTest, Http11RequiredReconnectsWithHttp11) {
  AddOrigin();
  AddOrigin();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/1"));
  TlsSpdyServer *first = servers_[0].get();
  first->rec.on_stream_hook = [first](cn_spdy_stream *st) {
    first->rec.streams.emplace_back(new cnet_test::Responder(st, true));
    cn_spdy_session_go_away(first->session, CN_HTTP2_HTTP_1_1_REQUIRED);
    return true;
  };
  EXPECT_EQ("200 hello", Fetch("https://origin.test/2"));
  EXPECT_EQ(2u, factory_.created());
  EXPECT_EQ(1, servers_[1]->http11_requests);
  EXPECT_EQ("200 hello", Fetch("https://origin.test/3"));
  EXPECT_EQ(2, servers_[1]->http11_requests);
  EXPECT_EQ(2u, factory_.created());
}

// Ping before reuse: a session idle past the threshold is PINGed before it
// carries the next request; answered, the request goes on it.
TEST_P(HttpTransactionSpdyDirectTest, IdleSessionIsPingedBeforeReuse) {
  DestroySession();
  idle_ping_ms_ = 0;
  ping_timeout_ms_ = 3000;
  MakeSession();
  AddOrigin();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/1"));
  size_t pings = PingsSent();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/2"));
  EXPECT_EQ(pings + 1, PingsSent());
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(spdy_pool()));
}

// The default threshold (10 s) is not reached between two requests: no PING.
TEST_P(HttpTransactionSpdyDirectTest, RecentlyUsedSessionIsNotPinged) {
  AddOrigin();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/1"));
  EXPECT_EQ("200 hello", Fetch("https://origin.test/2"));
  EXPECT_EQ(0u, PingsSent());
}

// The idle session's peer is silent: no answer within the timeout marks the
// session broken (never handed out again) and the request succeeds on a new
// session instead of failing.
TEST_P(HttpTransactionSpdyDirectTest, UnansweredIdlePingMovesTheRequestToANewSession) {
  FreezableSocket *first = nullptr;
  use_fake_clock_ = true;
  ASSERT_NO_FATAL_FAILURE(WarmASessionThenSilenceIt(50, &first));
  size_t pings = PingsSent();
  std::unique_ptr<Started> run = StartGet("https://origin.test/2");
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return PingsSent() == pings + 1; }));
  clock_.Advance(49);
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_FALSE(run->c.done()) << "the PING has 50 ms";
  EXPECT_EQ(1u, factory_.created());
  clock_.Advance(1);
  int retries = 0;
  EXPECT_EQ("200 hello", Finish(std::move(run), &retries));
  EXPECT_EQ(2u, factory_.created());
  EXPECT_EQ(1u, cn_spdy_session_pool_available_count(spdy_pool()));
  EXPECT_TRUE(cnet_test::RunUntil(
      loop_.get(), [&] { return cn_spdy_session_pool_session_count(spdy_pool()) == 1; }));
  EXPECT_EQ("200 hello", Fetch("https://origin.test/3"));
  EXPECT_EQ(2u, factory_.created());
}

// The peer closes while the request waits for the PING's answer: same.
TEST_P(HttpTransactionSpdyDirectTest, PeerClosingDuringTheIdlePingMovesTheRequest) {
  FreezableSocket *first = nullptr;
  // The close, not the timeout, ends the wait.
  ASSERT_NO_FATAL_FAILURE(WarmASessionThenSilenceIt(10000, &first));
  size_t pings = PingsSent();
  std::unique_ptr<Started> run = StartGet("https://origin.test/2");
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return PingsSent() == pings + 1; }));
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_FALSE(run->c.done());
  EXPECT_EQ(1u, factory_.created());
  first->Cut(0);  // EOF: the peer closed
  int retries = 0;
  EXPECT_EQ("200 hello", Finish(std::move(run), &retries));
  EXPECT_EQ(2u, factory_.created());
  EXPECT_EQ(1, retries);
}

// The first connection to a server never tried fails: the requests that
// waited for its session then connect each for itself rather than wait for
// one another in turn (behind a dead server that would cost one connect
// timeout per request).
TEST_P(HttpTransactionSpdyDirectTest, WaitersConnectThemselvesWhenTheCreatorFails) {
  cnet_test::SocketScript refused;
  refused.Connect(CN_ERR_CONNECTION_REFUSED);
  factory_.AddMock(refused);
  AddOrigin();
  AddOrigin();
  std::vector<std::unique_ptr<Started>> runs;
  for (int i = 0; i < 3; i++)
    runs.push_back(StartGet("https://origin.test/"));
  int retries = 0;
  EXPECT_EQ("error " + std::to_string(CN_ERR_CONNECTION_REFUSED),
            Finish(std::move(runs[0]), &retries));
  EXPECT_EQ("200 hello", Finish(std::move(runs[1]), &retries));
  EXPECT_EQ("200 hello", Finish(std::move(runs[2]), &retries));
  EXPECT_EQ(3u, factory_.created()) << "both waiters connected at once";
  EXPECT_TRUE(cnet_test::RunUntil(
      loop_.get(), [&] { return cn_spdy_session_pool_session_count(spdy_pool()) == 1; }));
}

// Stream ids used up: the session that gave out its last id takes no new
// streams; the next request opens a new session (and connection).
TEST_P(HttpTransactionSpdyDirectTest, StreamIdExhaustionMovesTheNextRequestToANewSession) {
  DestroySession();
  first_stream_id_ = 0x7ffffffd;  // two ids left: 0x7ffffffd, 0x7fffffff
  MakeSession();
  AddOrigin();
  AddOrigin();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/1"));
  EXPECT_EQ("200 hello", Fetch("https://origin.test/2"));
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ("200 hello", Fetch("https://origin.test/3"));
  EXPECT_EQ(2u, factory_.created());
  EXPECT_EQ(2u, servers_[0]->rec.streams.size());
  EXPECT_EQ(1u, servers_[1]->rec.streams.size());
}

// GOAWAY whose last_stream_id is below streams in flight: the peer never
// processed those, so their requests are sent again on a new session; the
// stream at or below it finishes on the old one.
TEST_P(HttpTransactionSpdyDirectTest, GoawayBelowInFlightStreamsResendsThemOnANewSession) {
  AddRawOrigin();
  AddOrigin();
  std::vector<std::unique_ptr<Started>> runs;
  for (int i = 0; i < 3; i++)
    runs.push_back(StartGet("https://origin.test/" + std::to_string(i)));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    return raw_servers_[0] && raw_servers_[0]->peer &&
           raw_servers_[0]->peer->HeaderIds().size() == 3;
  }));
  cnet_test::RawPeer *peer = raw_servers_[0]->peer.get();
  std::vector<uint32_t> ids = peer->HeaderIds();
  EXPECT_EQ((std::vector<uint32_t>{1, 3, 5}), ids);
  peer->SendResponse(1, 200, false);
  peer->SendData(1, "first", true);
  peer->SendGoaway(1, 0);
  std::vector<std::string> got;
  std::vector<int> retries(3);
  for (int i = 0; i < 3; i++)
    got.push_back(Finish(std::move(runs[i]), &retries[i]));
  // Which request took stream 1 is the session's business; one answer is
  // "first", the other two came from the new session.
  std::sort(got.begin(), got.end());
  EXPECT_EQ((std::vector<std::string>{"200 first", "200 hello", "200 hello"}), got);
  std::sort(retries.begin(), retries.end());
  EXPECT_EQ((std::vector<int>{0, 1, 1}), retries);
  EXPECT_EQ(2u, factory_.created());
  ASSERT_EQ(1u, servers_.size());  // the second connection
  EXPECT_EQ(2u, servers_[0]->rec.streams.size());
}

// Requests racing to a server known to speak SPDY/HTTP2 whose session went
// away: one of them connects, the others wait for its session — one new
// connection, not one each.
TEST_P(HttpTransactionSpdyDirectTest, RacingToAKnownServerMakesOneConnection) {
  AddOrigin();
  AddOrigin();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/warm"));
  cn_spdy_session_go_away(servers_[0]->session, CN_HTTP2_NO_ERROR);
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    return cn_spdy_session_pool_available_count(spdy_pool()) == 0;
  }));
  std::vector<std::unique_ptr<Started>> runs;
  for (int i = 0; i < 4; i++)
    runs.push_back(StartGet("https://origin.test/"));
  for (auto &r : runs)
    EXPECT_EQ(CN_OK, r->c.WaitForResult(loop_.get(), r->rv));
  EXPECT_EQ(2u, factory_.created());
  EXPECT_EQ(1u, cn_spdy_session_pool_available_count(spdy_pool()));
  // A transaction destroyed while waiting runs no callback (checked by
  // destroying after completion here; the waiter is cancelled in free).
  for (auto &r : runs) {
    cn_http_transaction_destroy(r->t);
    cn_url_free(&r->url);
  }
}

TEST_P(HttpTransactionSpdyDirectTest, DestroyWhileWaitingForTheCreatorsSession) {
  AddOrigin();
  AddOrigin();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/warm"));
  cn_spdy_session_go_away(servers_[0]->session, CN_HTTP2_NO_ERROR);
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    return cn_spdy_session_pool_available_count(spdy_pool()) == 0;
  }));
  cn_url url;
  ASSERT_EQ(CN_OK, cn_url_parse("https://origin.test/", &url));
  cn_http_request_info info = {};
  info.method = "GET";
  info.url = &url;
  cn_http_transaction *creator = cn_http_transaction_new(session_, CN_PRIORITY_MEDIUM);
  cn_http_transaction *waiter = cn_http_transaction_new(session_, CN_PRIORITY_MEDIUM);
  TestCompletion c1, c2;
  int rv1 = cn_http_transaction_start(creator, &info, c1.cb(), c1.arg());
  int rv2 = cn_http_transaction_start(waiter, &info, c2.cb(), c2.arg());
  ASSERT_EQ(CN_ERR_IO_PENDING, rv2);
  cn_http_transaction_destroy(waiter);  // no callback afterwards
  EXPECT_EQ(CN_OK, c1.WaitForResult(loop_.get(), rv1));
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_FALSE(c2.done());
  cn_http_transaction_destroy(creator);
  cn_url_free(&url);
}

// --- Timeouts on a session (the other phases: http_transaction_timeout_unittest.cc)

class HttpTransactionSpdyTimeoutTest : public HttpTransactionSpdyDirectTest {
 protected:
  void SetUp() override {
    HttpTransactionSpdyDirectTest::SetUp();
    DestroySession();
    use_fake_clock_ = true;
    MakeSession();
  }
  // One SETTINGS entry of the protocol under test.
  cn_spdy_setting Setting(uint32_t http2_id, uint32_t spdy3_id, uint32_t value) {
    return {GetParam() == CN_PROTO_HTTP2 ? http2_id : spdy3_id, value, 0};
  }
  // A request holding the session's first stream, the peer's SETTINGS
  // (|settings|) applied by the client: what a second request meets.
  std::unique_ptr<Started> OpenSessionWithPeerSettings(std::vector<cn_spdy_setting> settings) {
    AddRawOrigin(std::move(settings));
    std::unique_ptr<Started> first = StartGet("https://origin.test/first");
    EXPECT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
      for (const auto &e : recorder_.Of(CN_NETLOG_SPDY_SESSION_RECV_SETTINGS, CN_NETLOG_PHASE_NONE))
        if (e.params.at("ack") == "0")
          return true;
      return false;
    }));
    return first;
  }
  void Forget(std::unique_ptr<Started> r) {
    cn_http_transaction_destroy(r->t);
    cn_url_free(&r->url);
  }
  // Moves the clock to 1 ms before |ms| (|r| still waits), then to |ms|;
  // returns what |r| got.
  int ExpireAt(uint64_t ms, Started *r) {
    cnet_test::RunUntilIdle(loop_.get());  // the phase under test has begun
    clock_.Advance(ms - 1);
    cnet_test::RunUntilIdle(loop_.get());
    EXPECT_FALSE(r->c.done()) << "ended before its timeout";
    clock_.Advance(1);
    return r->c.WaitForResult(loop_.get(), CN_ERR_IO_PENDING);
  }
  std::vector<std::string> TimedOutPhases() {
    std::vector<std::string> out;
    for (const auto &e : recorder_.Of(CN_NETLOG_REQUEST_TIMED_OUT, CN_NETLOG_PHASE_NONE))
      out.push_back(e.params.at("phase"));
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Protocols, HttpTransactionSpdyTimeoutTest,
                         testing::Values(CN_PROTO_SPDY31, CN_PROTO_HTTP2),
                         [](const testing::TestParamInfo<cn_next_proto> &i) {
                           return std::string(i.param == CN_PROTO_SPDY31 ? "Spdy31" : "Http2");
                         });

// A peer that allows no stream (MAX_CONCURRENT_STREAMS 0) used to hold a
// request forever: the wait for a stream has its own timeout.
TEST_P(HttpTransactionSpdyTimeoutTest, MaxConcurrentStreamsZeroTimesOutWaitingForAStream) {
  std::unique_ptr<Started> first = OpenSessionWithPeerSettings(
      {Setting(CN_HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, CN_SPDY3_SETTINGS_MAX_CONCURRENT_STREAMS,
               0)});
  std::unique_ptr<Started> second = StartGet("https://origin.test/second");
  ASSERT_EQ(CN_ERR_IO_PENDING, second->rv);
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] {
    return !recorder_.Of(CN_NETLOG_SPDY_SESSION_STREAM_QUEUED, CN_NETLOG_PHASE_NONE).empty();
  }));
  EXPECT_EQ(CN_ERR_TIMED_OUT, ExpireAt(CN_HTTP_DEFAULT_STREAM_WAIT_TIMEOUT_MS, second.get()));
  std::vector<std::string> phases = TimedOutPhases();
  EXPECT_NE(phases.end(), std::find(phases.begin(), phases.end(), "stream_wait"));
  Forget(std::move(second));
  Forget(std::move(first));
}

// A peer that keeps the stream's send window at zero: the upload makes no
// progress, and the send's idle timeout ends the request.
TEST_P(HttpTransactionSpdyTimeoutTest, ZeroStreamWindowTimesOutTheUpload) {
  std::unique_ptr<Started> first = OpenSessionWithPeerSettings(
      {Setting(CN_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, CN_SPDY3_SETTINGS_INITIAL_WINDOW_SIZE, 0)});
  auto post = std::make_unique<Started>();
  ASSERT_EQ(CN_OK, cn_url_parse("https://origin.test/upload", &post->url));
  std::string body(1000, 'x');
  cn_http_upload *upload = cn_http_upload_new_copy(body.data(), body.size());
  post->info.method = "POST";
  post->info.url = &post->url;
  post->info.upload = upload;
  post->t = cn_http_transaction_new(session_, CN_PRIORITY_MEDIUM);
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_http_transaction_start(post->t, &post->info, post->c.cb(), post->c.arg()));
  cnet_test::RawPeer *peer = raw_servers_[0]->peer.get();
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return peer->HeaderIds().size() == 2; }));
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_EQ(CN_ERR_TIMED_OUT, ExpireAt(CN_HTTP_DEFAULT_BODY_IDLE_TIMEOUT_MS, post.get()));
  std::vector<std::string> phases = TimedOutPhases();
  EXPECT_NE(phases.end(), std::find(phases.begin(), phases.end(), "send_idle"));
  Forget(std::move(post));
  cn_http_upload_destroy(upload);
  Forget(std::move(first));
}

}  // namespace

// Origin authentication over a session: a 401 on a stream is answered on a
// new stream of the same session carrying Authorization (the URL's
// identity); the 401's stream is done with.
TEST_P(HttpTransactionSpdyDirectTest, Origin401AnsweredOnANewStreamOfTheSameSession) {
  AddOrigin();
  EXPECT_EQ("200 hello", Fetch("https://origin.test/warm"));  // the server exists from here
  std::vector<std::string> auths;
  std::vector<std::unique_ptr<cnet_test::Responder>> held;
  servers_[0]->rec.on_stream_hook = [&](cn_spdy_stream *st) {
    const char *a = cn_spdy_stream_header(st, "authorization");
    auths.push_back(a ? a : "");
    if (a)
      return false;  // answered "hello" as usual
    std::vector<std::pair<std::string, std::string>> f = {{":status", "401"}};
    if (GetParam() == CN_PROTO_SPDY31)
      f.push_back({":version", "HTTP/1.1"});
    f.push_back({"www-authenticate", "Basic realm=\"r\""});
    f.push_back({"content-length", "0"});
    auto h = cnet_test::HeaderArray(f);
    EXPECT_EQ(CN_OK, cn_spdy_stream_send_headers(st, h.data(), h.size(), true));
    held.emplace_back(new cnet_test::Responder(st, true));
    return true;
  };
  EXPECT_EQ("200 hello", Fetch("https://u:p@origin.test/private"));
  EXPECT_EQ((std::vector<std::string>{"", "Basic dTpw"}), auths);
  EXPECT_EQ(1u, factory_.created());
  EXPECT_EQ(1u, cn_spdy_session_pool_session_count(spdy_pool()));
  servers_[0]->rec.on_stream_hook = nullptr;
  held.clear();
}
