#include "net/socket/ssl_socket.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/iobuf.h"
#include "base/timer.h"
#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/base/netlog_counters.h"
#include "net/socket/mock_socket.h"
#include "net/socket/pipe_socket.h"
#include "net/socket/ssl_transport_pump.h"
#include "net/socket/socket_test_util.h"
#include "net/test/cert_generator.h"
// BoringSSL's headers come in through -I (not -isystem), and its stack
// macros trip -Wignored-qualifiers when compiled as C++.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-qualifiers"
#include <openssl/pem.h>
#include <openssl/ssl.h>
#pragma GCC diagnostic pop

namespace {

using cnet_test::RunUntil;
using cnet_test::RunUntilIdle;
using cnet_test::TestCompletion;
using cnet_test::TestLoop;

constexpr int64_t kDay = 86400;

// ---------------------------------------------------------------------------
// Helpers.

struct CertDeleter {
  void operator()(cn_test_cert *c) const { cn_test_cert_free(c); }
};
using CertPtr = std::unique_ptr<cn_test_cert, CertDeleter>;

CertPtr MakeLeaf(const cn_test_cert *issuer, std::vector<const char *> dns,
                 std::vector<const char *> ips = {}, int64_t not_before = 0,
                 int64_t not_after = 0) {
  cn_test_cert_options o = {};
  o.dns_names = dns.data();
  o.num_dns_names = dns.size();
  o.ip_addresses = ips.data();
  o.num_ip_addresses = ips.size();
  o.not_before_offset_s = not_before;
  o.not_after_offset_s = not_after;
  return CertPtr(cn_test_cert_new(&o, issuer));
}

// Deterministic pseudo-random bytes, so corruption anywhere is caught.
std::string Payload(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x);
  }
  return s;
}

// One completion, for operations started together.
struct Completion {
  bool done = false;
  int rv = 0;
  int calls = 0;
  static void Cb(void *arg, int rv) {
    auto *c = static_cast<Completion *>(arg);
    c->calls++;
    c->done = true;
    c->rv = rv;
  }
  // Records a synchronous result.
  void Start(int result) {
    if (result != CN_ERR_IO_PENDING) {
      done = true;
      rv = result;
    }
  }
};

// Reads asynchronously until |want| bytes, EOF or an error.
class Reader {
 public:
  Reader(cn_stream_socket *s, size_t want, size_t chunk = 64 * 1024)
      : s_(s), want_(want), buf_(cn_iobuf_new(chunk)) {}
  ~Reader() { cn_iobuf_unref(buf_); }
  void Start() { ReadMore(); }
  bool done() const { return done_; }
  // 1 when |want| bytes arrived, 0 at EOF, < 0 an error.
  int result() const { return result_; }
  const std::string &data() const { return data_; }

 private:
  static void OnRead(void *arg, int rv) {
    auto *self = static_cast<Reader *>(arg);
    if (self->Handle(rv))
      self->ReadMore();
  }
  bool Handle(int rv) {
    if (rv > 0) {
      data_.append(reinterpret_cast<char *>(buf_->data), static_cast<size_t>(rv));
      if (data_.size() < want_)
        return true;
      rv = 1;
    }
    done_ = true;
    result_ = rv;
    return false;
  }
  void ReadMore() {
    for (;;) {
      size_t n = std::min(buf_->size, want_ - data_.size());
      int rv = cn_stream_socket_read(s_, buf_, n, OnRead, this);
      if (rv == CN_ERR_IO_PENDING || !Handle(rv))
        return;
    }
  }
  cn_stream_socket *s_;
  size_t want_;
  cn_iobuf *buf_;
  std::string data_;
  bool done_ = false;
  int result_ = 0;
};

// Writes all of |data| asynchronously, |chunk| bytes per call at most.
class Writer {
 public:
  Writer(cn_stream_socket *s, std::string data, size_t chunk = 64 * 1024)
      : s_(s), data_(std::move(data)), chunk_(chunk) {}
  void Start() { WriteMore(); }
  bool done() const { return done_; }
  int result() const { return result_; }

 private:
  static void OnWrite(void *arg, int rv) {
    auto *self = static_cast<Writer *>(arg);
    if (self->Handle(rv))
      self->WriteMore();
  }
  bool Handle(int rv) {
    if (rv <= 0) {
      done_ = true;
      result_ = rv < 0 ? rv : CN_ERR_UNEXPECTED;
      return false;
    }
    off_ += static_cast<size_t>(rv);
    return true;
  }
  void WriteMore() {
    for (;;) {
      if (off_ == data_.size()) {
        done_ = true;
        result_ = CN_OK;
        return;
      }
      size_t n = std::min(chunk_, data_.size() - off_);
      cn_iobuf *buf = cn_iobuf_from_copy(data_.data() + off_, n);
      int rv = cn_stream_socket_write(s_, buf, n, OnWrite, this);
      cn_iobuf_unref(buf);  // a pending write keeps its own reference
      if (rv == CN_ERR_IO_PENDING || !Handle(rv))
        return;
    }
  }
  cn_stream_socket *s_;
  std::string data_;
  size_t chunk_;
  size_t off_ = 0;
  bool done_ = false;
  int result_ = 0;
};

// Writes back whatever it reads until EOF or an error.
class Echo {
 public:
  explicit Echo(cn_stream_socket *s, size_t chunk = 64 * 1024) : s_(s), buf_(cn_iobuf_new(chunk)) {}
  ~Echo() {
    cn_iobuf_unref(buf_);
    cn_iobuf_unref(out_);
  }
  void Start() { ReadMore(); }
  bool done() const { return done_; }
  int result() const { return result_; }
  size_t total() const { return total_; }

 private:
  static void OnRead(void *arg, int rv) {
    auto *self = static_cast<Echo *>(arg);
    if (self->GotData(rv))
      self->ReadMore();
  }
  static void OnWrite(void *arg, int rv) {
    auto *self = static_cast<Echo *>(arg);
    if (rv <= 0) {
      self->Finish(rv < 0 ? rv : CN_ERR_UNEXPECTED);
      return;
    }
    self->out_off_ += static_cast<size_t>(rv);
    if (self->WriteOut())
      self->ReadMore();
  }
  void Finish(int rv) {
    done_ = true;
    result_ = rv;
  }
  bool GotData(int rv) {
    if (rv <= 0) {
      Finish(rv);
      return false;
    }
    total_ += static_cast<size_t>(rv);
    out_ = cn_iobuf_from_copy(buf_->data, static_cast<size_t>(rv));
    out_off_ = 0;
    return WriteOut();
  }
  // True when everything was written synchronously.
  bool WriteOut() {
    while (out_off_ < out_->size) {
      cn_iobuf *rest = cn_iobuf_slice(out_, out_off_, out_->size - out_off_);
      int rv = cn_stream_socket_write(s_, rest, rest->size, OnWrite, this);
      cn_iobuf_unref(rest);
      if (rv == CN_ERR_IO_PENDING)
        return false;
      if (rv <= 0) {
        Finish(rv < 0 ? rv : CN_ERR_UNEXPECTED);
        return false;
      }
      out_off_ += static_cast<size_t>(rv);
    }
    cn_iobuf_unref(out_);
    out_ = nullptr;
    return true;
  }
  void ReadMore() {
    for (;;) {
      int rv = cn_stream_socket_read(s_, buf_, buf_->size, OnRead, this);
      if (rv == CN_ERR_IO_PENDING || !GotData(rv))
        return;
    }
  }
  cn_stream_socket *s_;
  cn_iobuf *buf_;
  cn_iobuf *out_ = nullptr;
  size_t out_off_ = 0;
  size_t total_ = 0;
  bool done_ = false;
  int result_ = 0;
};

// A transport wrapper that accepts at most |max_write| bytes per write and
// always completes writes asynchronously: it exercises the TLS socket's
// partial-write handling and write ring, which the (always synchronous)
// pipe never does. With |synchronous| its writes complete at once, as the
// pipe's: it then only counts them, and keeps a copy of what they wrote
// (the records sent). Either way it forwards read_now as the tunnel and
// pooled sockets do, counting the bytes it hands up: TLS inside TLS should
// take most of the inner ciphertext that way, straight into BoringSSL.
struct SlowWriteSocket {
  cn_stream_socket base;  // first: the ops cast back
  cn_stream_socket *inner;
  size_t max_write;
  cn_timer *timer;
  cn_completion_cb write_cb;
  void *write_arg;
  int write_result;
  int writes;
  bool synchronous;
  std::string written;
  size_t read_now_bytes;
  int read_calls;
  std::vector<size_t> read_lens;  // what each read() asked for

  static SlowWriteSocket *Of(const cn_stream_socket *s) {
    return reinterpret_cast<SlowWriteSocket *>(const_cast<cn_stream_socket *>(s));
  }
  static int Connect(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
    return cn_stream_socket_connect(Of(s)->inner, cb, arg);
  }
  static int Read(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
    Of(s)->read_calls++;
    Of(s)->read_lens.push_back(len);
    return cn_stream_socket_read(Of(s)->inner, buf, len, cb, arg);
  }
  static int ReadNow(cn_stream_socket *s, uint8_t *out, size_t len, bool may_start_read) {
    int rv = cn_stream_socket_read_now(Of(s)->inner, out, len, may_start_read);
    if (rv > 0)
      Of(s)->read_now_bytes += static_cast<size_t>(rv);
    return rv;
  }
  static int Write(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
    SlowWriteSocket *w = Of(s);
    EXPECT_EQ(nullptr, w->write_cb) << "two writes pending";
    int rv = cn_stream_socket_write(w->inner, buf, std::min(len, w->max_write), nullptr, nullptr);
    EXPECT_NE(CN_ERR_IO_PENDING, rv);  // the inner pipe writes synchronously
    w->writes++;
    if (w->synchronous) {
      if (rv > 0)
        w->written.append(reinterpret_cast<const char *>(buf->data), static_cast<size_t>(rv));
      return rv;
    }
    w->write_cb = cb;
    w->write_arg = arg;
    w->write_result = rv;
    cn_timer_start(w->timer, 0, 0);
    return CN_ERR_IO_PENDING;
  }
  static void OnTimer(void *arg) {
    auto *w = static_cast<SlowWriteSocket *>(arg);
    cn_completion_cb cb = w->write_cb;
    w->write_cb = nullptr;
    if (cb)
      cb(w->write_arg, w->write_result);
  }
  static void Disconnect(cn_stream_socket *s) {
    Of(s)->write_cb = nullptr;
    cn_timer_stop(Of(s)->timer);
    cn_stream_socket_disconnect(Of(s)->inner);
  }
  static bool IsConnected(const cn_stream_socket *s) {
    return cn_stream_socket_is_connected(Of(s)->inner);
  }
  static bool IsIdle(const cn_stream_socket *s) {
    return cn_stream_socket_is_connected_and_idle(Of(s)->inner);
  }
  static void Destroy(cn_stream_socket *s) {
    SlowWriteSocket *w = Of(s);
    cn_stream_socket_destroy(w->inner);
    cn_timer_destroy(w->timer);
    cn_stream_socket_log_destroyed(s);
    delete w;
  }
  // |read_now|: offer cn_stream_socket_read_now (as a TLS transport
  // does), else only read() (as TCP does).
  static cn_stream_socket *New(uv_loop_t *loop, cn_stream_socket *inner, size_t max_write,
                               bool synchronous = false, bool read_now = true) {
    static const cn_stream_socket_ops kOps = {
        "slow", Connect, Read, Write, Disconnect, IsConnected, IsIdle, nullptr, Destroy,
        nullptr, nullptr, nullptr, ReadNow,
    };
    static const cn_stream_socket_ops kOpsNoReadNow = {
        "slow", Connect, Read, Write, Disconnect, IsConnected, IsIdle, nullptr, Destroy,
        nullptr, nullptr, nullptr, nullptr,
    };
    auto *w = new SlowWriteSocket();
    cn_stream_socket_init(&w->base, read_now ? &kOps : &kOpsNoReadNow, nullptr);
    w->inner = inner;
    w->max_write = max_write;
    w->synchronous = synchronous;
    w->timer = cn_timer_new(loop, OnTimer, w);
    return &w->base;
  }
};

// The lengths of the TLS records in |wire| (whole records only).
std::vector<size_t> RecordLengths(const std::string &wire) {
  std::vector<size_t> lengths;
  size_t off = 0;
  while (off + 5 <= wire.size()) {
    size_t len = (static_cast<uint8_t>(wire[off + 3]) << 8) | static_cast<uint8_t>(wire[off + 4]);
    if (off + 5 + len > wire.size())
      break;
    lengths.push_back(len);
    off += 5 + len;
  }
  return lengths;
}

// Records NetLog entries (with their string/int/bool parameters).
struct LoggedEntry {
  cn_netlog_event_type type;
  cn_netlog_phase phase;
  uint32_t source_id;
  std::map<std::string, std::string> strs;
  std::map<std::string, int64_t> ints;
};

struct Capture {
  cn_netlog_observer obs;  // first: the callback casts back
  std::vector<LoggedEntry> *entries;
  static void OnEntry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
    auto *c = reinterpret_cast<Capture *>(obs);
    LoggedEntry le;
    le.type = e->type;
    le.phase = e->phase;
    le.source_id = e->source.id;
    for (size_t i = 0; i < e->num_params; i++) {
      const cn_netlog_param &p = e->params[i];
      if (p.kind == CN_NETLOG_PARAM_STR)
        le.strs[p.key] = p.s ? p.s : "";
      else
        le.ints[p.key] = p.i;
    }
    c->entries->push_back(le);
  }
};

// ---------------------------------------------------------------------------
// Fixture: a test CA, a leaf for origin.test (+127.0.0.1, ::1), a client
// context trusting the CA and a server context with the leaf.

class SslSocketTest : public ::testing::Test {
 protected:
  SslSocketTest() {
    cn_netlog_init(&netlog_);
    capture_.obs.on_entry = &Capture::OnEntry;
    capture_.entries = &entries_;
    cn_netlog_add_observer(&netlog_, &capture_.obs);
    cn_netlog_counters_attach(&counters_, &netlog_);
    ca_.reset(cn_test_cert_new_ca("cnet Test Root"));
    leaf_ = MakeLeaf(ca_.get(), {"origin.test"}, {"127.0.0.1", "::1"});
    client_ctx_ = NewClientContext(ca_.get());
    server_ctx_ = NewServerContext(leaf_.get());
  }
  ~SslSocketTest() override {
    for (cn_stream_socket *s : owned_)
      cn_stream_socket_destroy(s);
    cn_ssl_context_unref(client_ctx_);
    cn_ssl_context_unref(server_ctx_);
    cn_netlog_counters_detach(&counters_);
    cn_netlog_destroy(&netlog_);
  }

  cn_ssl_context *NewClientContext(const cn_test_cert *trusted, size_t cache_size = 0) {
    cn_ssl_client_context_options o = {};
    o.ca_pem = cn_test_cert_pem(trusted);
    o.session_cache_size = cache_size;
    cn_ssl_context *ctx = nullptr;
    EXPECT_EQ(CN_OK, cn_ssl_client_context_new(&o, &ctx));
    return ctx;
  }
  cn_ssl_context *NewServerContext(const cn_test_cert *cert) {
    cn_ssl_context *ctx = nullptr;
    EXPECT_EQ(CN_OK, cn_ssl_server_context_new(cn_test_cert_chain_pem(cert),
                                               cn_test_cert_key_pem(cert), &ctx));
    return ctx;
  }

  cn_stream_socket *Own(cn_stream_socket *s) {
    owned_.push_back(s);
    return s;
  }
  void Destroy(cn_stream_socket *s) {
    for (auto it = owned_.begin(); it != owned_.end(); ++it) {
      if (*it == s) {
        owned_.erase(it);
        break;
      }
    }
    cn_stream_socket_destroy(s);
  }

  cn_stream_socket *NewClient(cn_stream_socket *transport, const char *host = "origin.test",
                              const cn_ssl_config *config = nullptr,
                              const char *session_key = nullptr, cn_ssl_context *ctx = nullptr) {
    cn_ssl_socket_params p = {};
    p.context = ctx ? ctx : client_ctx_;
    p.config = config;
    p.host = host;
    p.session_key = session_key;
    cn_stream_socket *s = cn_ssl_socket_new(&netlog_, transport, &p);
    EXPECT_NE(nullptr, s);
    return s;
  }
  cn_stream_socket *NewServer(cn_stream_socket *transport, const cn_ssl_config *config = nullptr,
                              cn_ssl_context *ctx = nullptr) {
    cn_ssl_socket_params p = {};
    p.context = ctx ? ctx : server_ctx_;
    p.config = config;
    cn_stream_socket *s = cn_ssl_socket_new(&netlog_, transport, &p);
    EXPECT_NE(nullptr, s);
    return s;
  }

  struct Pair {
    cn_stream_socket *client;
    cn_stream_socket *server;
  };
  // Client and server TLS sockets over a pipe pair; both owned by the test.
  Pair MakePair(const char *host = "origin.test", const cn_ssl_config *client_config = nullptr,
                const cn_ssl_config *server_config = nullptr, size_t max_chunk = 0,
                const char *session_key = nullptr, cn_ssl_context *client_ctx = nullptr,
                cn_ssl_context *server_ctx = nullptr) {
    cn_stream_socket *a, *b;
    cn_pipe_socket_pair(loop_.get(), &netlog_, max_chunk, &a, &b);
    Pair p;
    p.client = Own(NewClient(a, host, client_config, session_key, client_ctx));
    p.server = Own(NewServer(b, server_config, server_ctx));
    return p;
  }

  // Runs both handshakes concurrently until both finish.
  void Handshake(cn_stream_socket *client, cn_stream_socket *server, int *client_rv,
                 int *server_rv) {
    Completion c, s;
    c.Start(cn_stream_socket_connect(client, Completion::Cb, &c));
    s.Start(cn_stream_socket_connect(server, Completion::Cb, &s));
    ASSERT_TRUE(RunUntil(loop_.get(), [&] { return c.done && s.done; }));
    EXPECT_LE(c.calls, 1);
    EXPECT_LE(s.calls, 1);
    *client_rv = c.rv;
    *server_rv = s.rv;
  }
  void HandshakeOk(const Pair &p) {
    int crv = 1, srv = 1;
    Handshake(p.client, p.server, &crv, &srv);
    ASSERT_EQ(CN_OK, crv) << cn_error_name(crv);
    ASSERT_EQ(CN_OK, srv) << cn_error_name(srv);
  }
  // Expects the client to fail with |client_err|; returns the server's result.
  int HandshakeFails(const Pair &p, int client_err) {
    int crv = 1, srv = 1;
    Handshake(p.client, p.server, &crv, &srv);
    EXPECT_EQ(client_err, crv) << cn_error_name(crv);
    EXPECT_LT(srv, 0) << "the server must fail too";
    return srv;
  }

  // Sends |data| client -> server -> client through an echo and checks it.
  void EchoCheck(cn_stream_socket *client, cn_stream_socket *server, const std::string &data,
                 size_t write_chunk = 64 * 1024) {
    // The echo keeps a read pending on |server| afterwards, so it lives as
    // long as the fixture (sockets are destroyed first).
    echoes_.push_back(std::make_unique<Echo>(server));
    Echo &echo = *echoes_.back();
    Writer writer(client, data, write_chunk);
    Reader reader(client, data.size());
    echo.Start();
    writer.Start();
    reader.Start();
    ASSERT_TRUE(RunUntil(loop_.get(), [&] { return reader.done() || echo.done(); }));
    ASSERT_EQ(1, reader.result()) << cn_error_name(reader.result());
    EXPECT_TRUE(writer.done());
    EXPECT_EQ(CN_OK, writer.result());
    EXPECT_EQ(data.size(), echo.total());
    EXPECT_TRUE(reader.data() == data) << "echoed bytes differ";
  }

  // Sends |size| bytes client -> server in 32 KiB writes, the client's
  // transport being |tap| (a synchronous SlowWriteSocket); the lengths of
  // the records it wrote (RecordLengths).
  std::vector<size_t> SendAndTapRecords(cn_stream_socket *client, cn_stream_socket *server,
                                        cn_stream_socket *tap, size_t size, int seed) {
    SlowWriteSocket::Of(tap)->written.clear();
    std::string data = Payload(size, seed);
    Writer writer(client, data, 32 * 1024);
    Reader reader(server, data.size());
    writer.Start();
    reader.Start();
    EXPECT_TRUE(RunUntil(loop_.get(), [&] { return reader.done(); }));
    EXPECT_TRUE(reader.data() == data);
    return RecordLengths(SlowWriteSocket::Of(tap)->written);
  }

  // The END of the SSL_CONNECT span logged by |s|, or null.
  const LoggedEntry *ConnectEnd(const cn_stream_socket *s) const {
    for (const LoggedEntry &e : entries_) {
      if (e.type == CN_NETLOG_SSL_CONNECT && e.phase == CN_NETLOG_PHASE_END &&
          e.source_id == s->source.id)
        return &e;
    }
    return nullptr;
  }
  size_t CountEvents(cn_netlog_event_type type, cn_netlog_phase phase) const {
    size_t n = 0;
    for (const LoggedEntry &e : entries_)
      n += e.type == type && e.phase == phase;
    return n;
  }

  TestLoop loop_;  // first: destroyed last, after every socket
  cn_netlog netlog_;
  Capture capture_;
  std::vector<LoggedEntry> entries_;
  cn_netlog_counters counters_;
  CertPtr ca_;
  CertPtr leaf_;
  cn_ssl_context *client_ctx_ = nullptr;
  cn_ssl_context *server_ctx_ = nullptr;
  std::vector<std::unique_ptr<Echo>> echoes_;
  std::vector<cn_stream_socket *> owned_;
};

cn_ssl_config Protos(std::vector<cn_next_proto> protos) {
  cn_ssl_config c = {};
  for (size_t i = 0; i < protos.size() && i < CN_SSL_MAX_PROTOS; i++)
    c.protos[c.num_protos++] = protos[i];
  return c;
}

cn_ssl_config Versions(uint16_t min, uint16_t max) {
  cn_ssl_config c = {};
  c.version_min = min;
  c.version_max = max;
  return c;
}

// ---------------------------------------------------------------------------
// Handshake and data.

TEST_F(SslSocketTest, HandshakeAndEchoOneMegabyte) {
  Pair p = MakePair();
  EXPECT_FALSE(cn_stream_socket_is_connected(p.client));
  HandshakeOk(p);
  EXPECT_TRUE(cn_stream_socket_is_connected(p.client));
  EXPECT_TRUE(cn_stream_socket_is_connected(p.server));
  EXPECT_EQ(CN_PROTO_UNKNOWN, cn_stream_socket_negotiated_protocol(p.client));

  EchoCheck(p.client, p.server, Payload(1 << 20, 1));

  cn_ssl_info info;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(p.client, &info));
  EXPECT_EQ(CN_SSL_VERSION_TLS1_3, info.version);
  EXPECT_STREQ("TLSv1.3", info.version_name);
  EXPECT_STRNE("", info.cipher);
  EXPECT_STRNE("", info.group);
  EXPECT_FALSE(info.resumed);
  EXPECT_NE(nullptr, strstr(info.subject, "CN=cnet test")) << info.subject;
  EXPECT_NE(nullptr, strstr(info.issuer, "CN=cnet Test Root")) << info.issuer;
  EXPECT_STRNE("", info.not_after);
  // The session facts alone: the same version and cipher, no certificate.
  cn_ssl_info session;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_session_info(p.client, &session));
  EXPECT_STREQ(info.version_name, session.version_name);
  EXPECT_STREQ(info.cipher, session.cipher);
  EXPECT_STREQ(info.group, session.group);
  EXPECT_STREQ("", session.subject);
  EXPECT_STREQ("", session.not_after);
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(p.server, &info));
  EXPECT_STREQ("origin.test", info.server_name);  // SNI
  EXPECT_STREQ("", info.subject);                 // no client certificate
  EXPECT_EQ(CN_OK, cn_ssl_socket_cert_error(p.client));

  // Both ends logged a successful SSL_CONNECT; the counters saw two.
  EXPECT_EQ(2u, counters_.tls_handshakes);
  const LoggedEntry *end = ConnectEnd(p.client);
  ASSERT_NE(nullptr, end);
  EXPECT_EQ("TLSv1.3", end->strs.at("version"));
  EXPECT_NE("", end->strs.at("cipher"));
  EXPECT_EQ(0, end->ints.at("resumed"));
  EXPECT_EQ(0u, end->ints.count("net_error"));
  bool begin_seen = false;
  for (const LoggedEntry &e : entries_) {
    if (e.type == CN_NETLOG_SSL_CONNECT && e.phase == CN_NETLOG_PHASE_BEGIN &&
        e.source_id == p.client->source.id) {
      begin_seen = true;
      EXPECT_EQ("origin.test", e.strs.at("host"));
      EXPECT_EQ("client", e.strs.at("role"));
    }
  }
  EXPECT_TRUE(begin_seen);
}

TEST_F(SslSocketTest, EchoBothDirectionsConcurrently) {
  Pair p = MakePair();
  HandshakeOk(p);
  std::string up = Payload(300 * 1000, 2), down = Payload(500 * 1000, 3);
  Writer w1(p.client, up), w2(p.server, down);
  Reader r1(p.server, up.size()), r2(p.client, down.size());
  w1.Start();
  w2.Start();
  r1.Start();
  r2.Start();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return r1.done() && r2.done(); }));
  EXPECT_TRUE(r1.data() == up);
  EXPECT_TRUE(r2.data() == down);
}

TEST_F(SslSocketTest, SevenBytePipeChunks) {
  Pair p = MakePair("origin.test", nullptr, nullptr, 7);
  HandshakeOk(p);
  EchoCheck(p.client, p.server, Payload(64 * 1024 + 3, 4));
}

TEST_F(SslSocketTest, SlowPartialTransportWrites) {
  // Writes of at most 1000 bytes that always complete later: records are
  // split across transport writes and the write ring fills and wraps.
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *slow_a = SlowWriteSocket::New(loop_.get(), a, 1000);
  cn_stream_socket *slow_b = SlowWriteSocket::New(loop_.get(), b, 777);
  cn_stream_socket *client = Own(NewClient(slow_a));
  cn_stream_socket *server = Own(NewServer(slow_b));
  HandshakeOk({client, server});
  // Odd-sized writes from the client so that records straddle the ring end.
  EchoCheck(client, server, Payload(700 * 1000, 5), 50001);
  EXPECT_GT(SlowWriteSocket::Of(slow_a)->writes, 700);
}

TEST_F(SslSocketTest, WriteReportsWhatFitsThenWaits) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *client = Own(NewClient(SlowWriteSocket::New(loop_.get(), a, 4096)));
  cn_stream_socket *server = Own(NewServer(b));
  HandshakeOk({client, server});
  std::string big = Payload(1 << 20, 14);
  cn_iobuf *buf = cn_iobuf_from_copy(big.data(), big.size());
  // The transport is slow: one write encrypts only what the ring holds.
  int first = cn_stream_socket_write(client, buf, buf->size, nullptr, nullptr);
  EXPECT_GT(first, 0);
  EXPECT_LT(first, 64 * 1024);
  // The next one waits for the transport, then completes.
  cn_iobuf *rest = cn_iobuf_slice(buf, first, buf->size - first);
  Completion w;
  w.Start(cn_stream_socket_write(client, rest, rest->size, Completion::Cb, &w));
  EXPECT_FALSE(w.done);
  Reader reader(server, static_cast<size_t>(first) + 1);
  reader.Start();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return w.done && reader.done(); }));
  EXPECT_GT(w.rv, 0);
  EXPECT_EQ(1, w.calls);
  EXPECT_TRUE(reader.data() == big.substr(0, reader.data().size()));
  cn_iobuf_unref(rest);
  cn_iobuf_unref(buf);
}

// The records of one write leave in one transport write, not one each.
TEST_F(SslSocketTest, RecordsOfOneWriteGoInOneTransportWrite) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *counted = SlowWriteSocket::New(loop_.get(), a, SIZE_MAX, true);
  cn_stream_socket *client = Own(NewClient(counted));
  cn_stream_socket *server = Own(NewServer(b));
  HandshakeOk({client, server});
  int before = SlowWriteSocket::Of(counted)->writes;
  // Two full records and a part of a third (what fits in the write ring
  // with room to spare).
  std::string data = Payload(2 * 16384 + 100, 21);
  cn_iobuf *buf = cn_iobuf_from_copy(data.data(), data.size());
  EXPECT_EQ(static_cast<int>(data.size()),
            cn_stream_socket_write(client, buf, buf->size, nullptr, nullptr));
  cn_iobuf_unref(buf);
  EXPECT_EQ(1, SlowWriteSocket::Of(counted)->writes - before);
  Reader reader(server, data.size());
  reader.Start();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return reader.done(); }));
  EXPECT_TRUE(reader.data() == data);

  // A write larger than the ring: several ring-fulls, still synchronous.
  before = SlowWriteSocket::Of(counted)->writes;
  std::string big = Payload(1 << 20, 22);
  buf = cn_iobuf_from_copy(big.data(), big.size());
  EXPECT_EQ(static_cast<int>(big.size()),
            cn_stream_socket_write(client, buf, buf->size, nullptr, nullptr));
  cn_iobuf_unref(buf);
  int writes = SlowWriteSocket::Of(counted)->writes - before;
  EXPECT_GT(writes, 1);
  EXPECT_LT(writes, 64) << "about one transport write per ring-full";
  Reader big_reader(server, big.size());
  big_reader.Start();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return big_reader.done(); }));
  EXPECT_TRUE(big_reader.data() == big);
}

// Transport reads ask for one record's worth until a read comes back full
// (a request/response exchange never takes a 64 KiB buffer), then for 64
// KiB while reads keep coming back full (a bulk transfer).
TEST_F(SslSocketTest, TransportReadsGrowOnlyWhileTheyComeBackFull) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *counted = SlowWriteSocket::New(loop_.get(), a, SIZE_MAX, true, false);
  cn_stream_socket *client = Own(NewClient(counted));
  cn_stream_socket *server = Own(NewServer(b));
  HandshakeOk({client, server});
  std::vector<size_t> &lens = SlowWriteSocket::Of(counted)->read_lens;
  // The server sends, the client reads it all (with no read left pending).
  auto answer = [&](size_t size, int seed) {
    std::string data = Payload(size, seed);
    Writer writer(server, data);
    Reader reader(client, data.size());
    writer.Start();
    reader.Start();
    ASSERT_TRUE(RunUntil(loop_.get(), [&] { return reader.done() && writer.done(); }));
    EXPECT_TRUE(reader.data() == data);
  };
  answer(1300, 29);  // (it comes through the post-handshake peek's small read)
  for (int i = 0; i < 3; i++) {
    lens.clear();
    answer(1300, 30 + i);
    ASSERT_FALSE(lens.empty());
    for (size_t len : lens)
      EXPECT_EQ(static_cast<size_t>(CN_SSL_SMALL_CHUNK), len) << "answer " << i;
  }
  lens.clear();
  answer(1 << 20, 33);
  size_t large = static_cast<size_t>(std::count_if(
      lens.begin(), lens.end(), [](size_t len) { return len >= CN_SSL_READ_CHUNK; }));
  EXPECT_GT(large, lens.size() / 2) << lens.size() << " reads";
}

TEST_F(SslSocketTest, RecordsStartSmallThenGrow) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *tap = SlowWriteSocket::New(loop_.get(), a, SIZE_MAX, true);
  cn_stream_socket *client = Own(NewClient(tap));
  cn_stream_socket *server = Own(NewServer(b));
  HandshakeOk({client, server});
  RunUntilIdle(loop_.get());
  std::vector<size_t> lengths = SendAndTapRecords(client, server, tap, 256 * 1024, 24);
  ASSERT_GT(lengths.size(), 10u);
  // TLS 1.3: a record's length counts its content type and 16-byte tag.
  const size_t kOverhead = 17;
  size_t small_bytes = 0, i = 0;
  for (; i < lengths.size() && lengths[i] <= 1369 + kOverhead; i++)
    small_bytes += lengths[i] - kOverhead;
  // The first 64 KiB go in records of one TCP segment each...
  EXPECT_GE(small_bytes, 64u * 1024);
  EXPECT_LT(small_bytes, 64u * 1024 + 1369);
  // ...the rest in full 16 KiB records (the writer's 32 KiB pieces split
  // evenly), but for the one that ends the small spell's piece.
  ASSERT_LT(i + 1, lengths.size());
  size_t full = 0;
  for (size_t j = i; j < lengths.size(); j++)
    full += lengths[j] == 16384 + kOverhead;
  EXPECT_GE(full, lengths.size() - i - 1);
  EXPECT_GE(full, 10u);
}

TEST_F(SslSocketTest, RecordsStartSmallAgainAfterAnIdleSecond) {
  cnet_test::FakeClock clock;
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *tap = SlowWriteSocket::New(loop_.get(), a, SIZE_MAX, true);
  cn_ssl_socket_params params = {};
  params.context = client_ctx_;
  params.host = "origin.test";
  params.clock = clock.get();
  cn_stream_socket *client = Own(cn_ssl_socket_new(&netlog_, tap, &params));
  cn_stream_socket *server = Own(NewServer(b));
  HandshakeOk({client, server});
  RunUntilIdle(loop_.get());
  // TLS 1.3: a record's length counts the data, its content type and tag.
  auto send = [&](size_t size, int seed) {
    return SendAndTapRecords(client, server, tap, size, seed);
  };
  const size_t kSmall = 1369 + 17, kFull = 16384 + 17;
  std::vector<size_t> first = send(128 * 1024, 40);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(kSmall, first.front());
  EXPECT_EQ(kFull, first.back());
  clock.Advance(999);  // not idle long enough: full records go on
  std::vector<size_t> warm = send(32 * 1024, 41);
  EXPECT_EQ(std::vector<size_t>(2, kFull), warm);
  clock.Advance(1000);  // a second since the last write began
  std::vector<size_t> again = send(32 * 1024, 42);
  ASSERT_FALSE(again.empty());
  for (size_t len : again)
    EXPECT_LE(len, kSmall);
  EXPECT_GT(again.size(), 20u);
  Destroy(client);  // before the clock it borrows
}

TEST_F(SslSocketTest, ReadGathersRecordsAlreadyArrived) {
  Pair p = MakePair();
  HandshakeOk(p);
  // Three 1000-byte records arrive before the client reads.
  for (int i = 0; i < 3; i++)
    ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), p.server, Payload(1000, 10 + i)));
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(p.client));  // unread data
  cn_iobuf *buf = cn_iobuf_new(64 * 1024);
  TestCompletion c;
  int rv = c.WaitForResult(loop_.get(),
                           cn_stream_socket_read(p.client, buf, buf->size, c.cb(), c.arg()));
  EXPECT_EQ(3000, rv);  // one read returns every record that has arrived
  cn_iobuf_unref(buf);
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(p.client));
}

// A bulk transfer that arrives faster than it is read: once a 64 KiB
// transport read comes back full the reads are 256 KiB, and one read()
// gathers records across transport reads (up to the caller's buffer) as long
// as they come back full; the first short read ends it, and the next read is
// small again.
TEST_F(SslSocketTest, TransportReadsGrowWhileTheyComeBackFull) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *counted = SlowWriteSocket::New(loop_.get(), a, SIZE_MAX, true);
  Pair p = {Own(NewClient(counted)), Own(NewServer(b))};
  HandshakeOk(p);
  const size_t kBody = 1 << 20;
  std::string data = Payload(kBody, 41);
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), p.server, data));
  RunUntilIdle(loop_.get());  // all of it waits in the pipe
  SlowWriteSocket *w = SlowWriteSocket::Of(counted);
  w->read_lens.clear();
  cn_iobuf *buf = cn_iobuf_new(512 * 1024);
  std::string got;
  std::vector<int> pieces;
  TestCompletion c;
  while (got.size() < kBody) {
    int rv = c.WaitForResult(loop_.get(),
                             cn_stream_socket_read(p.client, buf, buf->size, c.cb(), c.arg()));
    ASSERT_GT(rv, 0);
    pieces.push_back(rv);
    got.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(rv));
  }
  EXPECT_TRUE(got == data);
  // 64 KiB (the post-handshake peek's small read came back full), then
  // 256 KiB once a 64 KiB read did.
  ASSERT_GE(w->read_lens.size(), 3u);
  EXPECT_EQ(64u * 1024, w->read_lens[0]);
  EXPECT_EQ(256u * 1024, w->read_lens[1]);
  // (The first read() hands out what the post-handshake peek's small read
  // brought.) Then a read() goes on through the 256 KiB transport reads
  // while they come back full: the caller's whole 512 KiB at once, twice
  // a streaming transport read's worth.
  std::string sizes;
  for (int n : pieces)
    sizes += std::to_string(n) + " ";
  EXPECT_EQ(512 * 1024, *std::max_element(pieces.begin(), pieces.end())) << "pieces: " << sizes;
  EXPECT_LE(pieces.size(), 3u) << "pieces: " << sizes;
  // Drained: the last read was short, so the next one is small again.
  size_t before = w->read_lens.size();
  EXPECT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(p.client, buf, buf->size, c.cb(), c.arg()));
  ASSERT_GT(w->read_lens.size(), before);
  EXPECT_EQ(static_cast<size_t>(CN_SSL_SMALL_CHUNK), w->read_lens.back());
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), p.server, Payload(100, 42)));
  EXPECT_EQ(100, c.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  cn_iobuf_unref(buf);
}

// ---------------------------------------------------------------------------
// ALPN and NPN.

TEST_F(SslSocketTest, AlpnServerPreferenceWins) {
  cn_ssl_config client = Protos({CN_PROTO_HTTP2, CN_PROTO_HTTP11});
  cn_ssl_config server = Protos({CN_PROTO_HTTP11, CN_PROTO_HTTP2});
  Pair p = MakePair("origin.test", &client, &server);
  HandshakeOk(p);
  EXPECT_EQ(CN_PROTO_HTTP11, cn_stream_socket_negotiated_protocol(p.client));
  EXPECT_EQ(CN_PROTO_HTTP11, cn_stream_socket_negotiated_protocol(p.server));

  server = Protos({CN_PROTO_SPDY31, CN_PROTO_HTTP2, CN_PROTO_HTTP11});
  Pair q = MakePair("origin.test", &client, &server);
  HandshakeOk(q);
  EXPECT_EQ(CN_PROTO_HTTP2, cn_stream_socket_negotiated_protocol(q.client));
  EXPECT_EQ(CN_PROTO_HTTP2, cn_stream_socket_negotiated_protocol(q.server));
  cn_ssl_info info;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(q.client, &info));
  EXPECT_STREQ("h2", info.alpn);
  EXPECT_FALSE(info.npn);
  EXPECT_EQ("h2", ConnectEnd(q.client)->strs.at("alpn"));
}

TEST_F(SslSocketTest, AlpnSpdy) {
  cn_ssl_config client = Protos({CN_PROTO_SPDY31, CN_PROTO_HTTP11});
  cn_ssl_config server = Protos({CN_PROTO_HTTP2, CN_PROTO_SPDY31, CN_PROTO_HTTP11});
  Pair p = MakePair("origin.test", &client, &server);
  HandshakeOk(p);
  EXPECT_EQ(CN_PROTO_SPDY31, cn_stream_socket_negotiated_protocol(p.client));
  EXPECT_EQ(CN_PROTO_SPDY31, cn_stream_socket_negotiated_protocol(p.server));
}

TEST_F(SslSocketTest, AlpnNoOverlapContinuesWithoutProtocol) {
  cn_ssl_config client = Protos({CN_PROTO_HTTP2});
  cn_ssl_config server = Protos({CN_PROTO_HTTP11});
  Pair p = MakePair("origin.test", &client, &server);
  HandshakeOk(p);
  EXPECT_EQ(CN_PROTO_UNKNOWN, cn_stream_socket_negotiated_protocol(p.client));
  EXPECT_EQ(CN_PROTO_UNKNOWN, cn_stream_socket_negotiated_protocol(p.server));
  // A client offering nothing gets nothing either.
  Pair q = MakePair("origin.test", nullptr, &server);
  HandshakeOk(q);
  EXPECT_EQ(CN_PROTO_UNKNOWN, cn_stream_socket_negotiated_protocol(q.server));
}

TEST_F(SslSocketTest, AlpnNoOverlapFatalWhenServerRequiresIt) {
  cn_ssl_config client = Protos({CN_PROTO_HTTP2});
  cn_ssl_config server = Protos({CN_PROTO_HTTP11});
  server.alpn_required = true;
  Pair p = MakePair("origin.test", &client, &server);
  int srv = HandshakeFails(p, CN_ERR_ALPN_NEGOTIATION_FAILED);
  EXPECT_EQ(CN_ERR_ALPN_NEGOTIATION_FAILED, srv);
  EXPECT_EQ(0u, counters_.tls_handshakes);
}

TEST_F(SslSocketTest, NpnWhenServerIgnoresAlpn) {
  cn_ssl_config client = Protos({CN_PROTO_SPDY31, CN_PROTO_HTTP11});
  client.enable_npn = true;
  client.version_max = CN_SSL_VERSION_TLS1_2;  // NPN does not exist in TLS 1.3
  cn_ssl_config server = Protos({CN_PROTO_HTTP11, CN_PROTO_SPDY31});
  server.enable_npn = true;
  server.disable_alpn = true;
  Pair p = MakePair("origin.test", &client, &server);
  HandshakeOk(p);
  // With NPN the client chooses, by its own preference.
  EXPECT_EQ(CN_PROTO_SPDY31, cn_stream_socket_negotiated_protocol(p.client));
  EXPECT_EQ(CN_PROTO_SPDY31, cn_stream_socket_negotiated_protocol(p.server));
  cn_ssl_info info;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(p.client, &info));
  EXPECT_TRUE(info.npn);
  EXPECT_STREQ("spdy/3.1", info.alpn);
  EchoCheck(p.client, p.server, Payload(10000, 6));
}

// Against a server of the SPDY era (TLS 1.2 at most, ALPN ignored, its list
// advertised through NPN), a client that allows TLS 1.3 still offers NPN
// and picks by its own preference; with no overlap it falls back to its
// least preferred protocol (http/1.1 by convention), never to a protocol
// the server did not advertise first in its list — the server never agreed
// to it.
TEST_F(SslSocketTest, NpnOnlyServerOfTheSpdyEra) {
  struct Case {
    std::vector<cn_next_proto> client, server;
    cn_next_proto want;
  } cases[] = {
      {{CN_PROTO_SPDY31, CN_PROTO_HTTP11}, {CN_PROTO_HTTP11, CN_PROTO_SPDY31}, CN_PROTO_SPDY31},
      {{CN_PROTO_HTTP2, CN_PROTO_HTTP11}, {CN_PROTO_SPDY31}, CN_PROTO_HTTP11},  // no overlap
      {{CN_PROTO_SPDY31}, {CN_PROTO_HTTP11}, CN_PROTO_SPDY31},  // no overlap, one choice
  };
  for (const Case &c : cases) {
    cn_ssl_config client = Protos(c.client);
    client.enable_npn = true;
    cn_ssl_config server = Protos(c.server);
    server.enable_npn = true;
    server.disable_alpn = true;
    server.version_max = CN_SSL_VERSION_TLS1_2;
    Pair p = MakePair("origin.test", &client, &server);
    HandshakeOk(p);
    EXPECT_EQ(c.want, cn_stream_socket_negotiated_protocol(p.client));
    cn_ssl_info info;
    ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(p.client, &info));
    EXPECT_TRUE(info.npn);
    EXPECT_EQ(CN_SSL_VERSION_TLS1_2, info.version);
  }
}

TEST_F(SslSocketTest, AlpnPreferredOverNpn) {
  cn_ssl_config client = Protos({CN_PROTO_HTTP2, CN_PROTO_SPDY31});
  client.enable_npn = true;
  client.version_max = CN_SSL_VERSION_TLS1_2;
  cn_ssl_config server = Protos({CN_PROTO_HTTP2, CN_PROTO_SPDY31});
  server.enable_npn = true;
  Pair p = MakePair("origin.test", &client, &server);
  HandshakeOk(p);
  EXPECT_EQ(CN_PROTO_HTTP2, cn_stream_socket_negotiated_protocol(p.client));
  cn_ssl_info info;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(p.client, &info));
  EXPECT_FALSE(info.npn);
}

// ---------------------------------------------------------------------------
// Certificate verification.

TEST_F(SslSocketTest, WrongHostName) {
  Pair p = MakePair("other.test");
  HandshakeFails(p, CN_ERR_CERT_COMMON_NAME_INVALID);
  EXPECT_EQ(CN_ERR_CERT_COMMON_NAME_INVALID, cn_ssl_socket_cert_error(p.client));
  EXPECT_FALSE(cn_stream_socket_is_connected(p.client));
  EXPECT_EQ(0u, counters_.tls_handshakes);
  EXPECT_EQ(1u, CountEvents(CN_NETLOG_SSL_CERT_VERIFY_FAILED, CN_NETLOG_PHASE_NONE));
  const LoggedEntry *end = ConnectEnd(p.client);
  ASSERT_NE(nullptr, end);
  EXPECT_EQ(CN_ERR_CERT_COMMON_NAME_INVALID, end->ints.at("net_error"));
  // Reads and writes on a failed socket fail plainly.
  cn_iobuf *buf = cn_iobuf_new(10);
  EXPECT_EQ(CN_ERR_SOCKET_NOT_CONNECTED,
            cn_stream_socket_read(p.client, buf, 10, nullptr, nullptr));
  EXPECT_EQ(CN_ERR_SOCKET_NOT_CONNECTED,
            cn_stream_socket_write(p.client, buf, 10, nullptr, nullptr));
  cn_iobuf_unref(buf);
}

TEST_F(SslSocketTest, UnknownCa) {
  CertPtr other_ca(cn_test_cert_new_ca("cnet Other Root"));
  CertPtr leaf = MakeLeaf(other_ca.get(), {"origin.test"});
  cn_ssl_context *server_ctx = NewServerContext(leaf.get());
  Pair p = MakePair("origin.test", nullptr, nullptr, 0, nullptr, nullptr, server_ctx);
  int srv = HandshakeFails(p, CN_ERR_CERT_AUTHORITY_INVALID);
  EXPECT_EQ(CN_ERR_SSL_PROTOCOL_ERROR, srv);  // the server hears unknown_ca
  cn_ssl_context_unref(server_ctx);
}

TEST_F(SslSocketTest, SelfSignedLeaf) {
  CertPtr self = MakeLeaf(nullptr, {"origin.test"});
  cn_ssl_context *server_ctx = NewServerContext(self.get());
  Pair p = MakePair("origin.test", nullptr, nullptr, 0, nullptr, nullptr, server_ctx);
  HandshakeFails(p, CN_ERR_CERT_AUTHORITY_INVALID);
  cn_ssl_context_unref(server_ctx);
}

TEST_F(SslSocketTest, ExpiredAndNotYetValid) {
  CertPtr expired = MakeLeaf(ca_.get(), {"origin.test"}, {}, -10 * kDay, -kDay);
  cn_ssl_context *expired_ctx = NewServerContext(expired.get());
  Pair p = MakePair("origin.test", nullptr, nullptr, 0, nullptr, nullptr, expired_ctx);
  HandshakeFails(p, CN_ERR_CERT_DATE_INVALID);

  CertPtr future = MakeLeaf(ca_.get(), {"origin.test"}, {}, kDay, 10 * kDay);
  cn_ssl_context *future_ctx = NewServerContext(future.get());
  Pair q = MakePair("origin.test", nullptr, nullptr, 0, nullptr, nullptr, future_ctx);
  HandshakeFails(q, CN_ERR_CERT_DATE_INVALID);

  // Expired and for another host: the name error is the more serious.
  Pair r = MakePair("other.test", nullptr, nullptr, 0, nullptr, nullptr, expired_ctx);
  HandshakeFails(r, CN_ERR_CERT_COMMON_NAME_INVALID);
  cn_ssl_context_unref(expired_ctx);
  cn_ssl_context_unref(future_ctx);
}

TEST_F(SslSocketTest, IpLiteralsMatchIpSansAndSendNoSni) {
  Pair p = MakePair("127.0.0.1");
  HandshakeOk(p);
  cn_ssl_info info;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(p.server, &info));
  EXPECT_STREQ("", info.server_name);

  Pair q = MakePair("[::1]");
  HandshakeOk(q);

  Pair r = MakePair("127.0.0.2");
  HandshakeFails(r, CN_ERR_CERT_COMMON_NAME_INVALID);

  // An IP literal never matches a DNS SAN spelling the same text.
  CertPtr dns_only = MakeLeaf(ca_.get(), {"127.0.0.1"});
  cn_ssl_context *server_ctx = NewServerContext(dns_only.get());
  Pair s = MakePair("127.0.0.1", nullptr, nullptr, 0, nullptr, nullptr, server_ctx);
  HandshakeFails(s, CN_ERR_CERT_COMMON_NAME_INVALID);
  cn_ssl_context_unref(server_ctx);
}

TEST_F(SslSocketTest, WildcardAndTrailingDot) {
  CertPtr wild = MakeLeaf(ca_.get(), {"*.wild.test"});
  cn_ssl_context *server_ctx = NewServerContext(wild.get());
  Pair p = MakePair("a.wild.test.", nullptr, nullptr, 0, nullptr, nullptr, server_ctx);
  HandshakeOk(p);
  Pair q = MakePair("a.b.wild.test", nullptr, nullptr, 0, nullptr, nullptr, server_ctx);
  HandshakeFails(q, CN_ERR_CERT_COMMON_NAME_INVALID);
  cn_ssl_context_unref(server_ctx);
}

TEST_F(SslSocketTest, IntermediateSentByServer) {
  cn_test_cert_options io = {};
  io.common_name = "cnet Test Intermediate";
  io.is_ca = true;
  CertPtr inter(cn_test_cert_new(&io, ca_.get()));
  CertPtr leaf = MakeLeaf(inter.get(), {"origin.test"});
  cn_ssl_context *server_ctx = NewServerContext(leaf.get());
  Pair p = MakePair("origin.test", nullptr, nullptr, 0, nullptr, nullptr, server_ctx);
  HandshakeOk(p);
  cn_ssl_info info;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(p.client, &info));
  EXPECT_NE(nullptr, strstr(info.issuer, "cnet Test Intermediate")) << info.issuer;
  cn_ssl_context_unref(server_ctx);
}

TEST_F(SslSocketTest, VerificationAlsoRunsOverTls12) {
  cn_ssl_config tls12 = Versions(CN_SSL_VERSION_TLS1_2, CN_SSL_VERSION_TLS1_2);
  Pair p = MakePair("other.test", &tls12);
  HandshakeFails(p, CN_ERR_CERT_COMMON_NAME_INVALID);
}

// ---------------------------------------------------------------------------
// Versions.

TEST_F(SslSocketTest, Tls12Only) {
  cn_ssl_config tls12 = Versions(CN_SSL_VERSION_TLS1_2, CN_SSL_VERSION_TLS1_2);
  Pair p = MakePair("origin.test", &tls12);
  HandshakeOk(p);
  cn_ssl_info info;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(p.client, &info));
  EXPECT_EQ(CN_SSL_VERSION_TLS1_2, info.version);
  EXPECT_STREQ("TLSv1.2", info.version_name);
  EchoCheck(p.client, p.server, Payload(100000, 7));
  // And a server limited to TLS 1.2 against a default client.
  Pair q = MakePair("origin.test", nullptr, &tls12);
  HandshakeOk(q);
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(q.client, &info));
  EXPECT_EQ(CN_SSL_VERSION_TLS1_2, info.version);
}

TEST_F(SslSocketTest, Tls13Only) {
  cn_ssl_config tls13 = Versions(CN_SSL_VERSION_TLS1_3, CN_SSL_VERSION_TLS1_3);
  Pair p = MakePair("origin.test", &tls13, &tls13);
  HandshakeOk(p);
  cn_ssl_info info;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(p.server, &info));
  EXPECT_EQ(CN_SSL_VERSION_TLS1_3, info.version);
  EchoCheck(p.client, p.server, Payload(100000, 8));
}

TEST_F(SslSocketTest, VersionMismatch) {
  cn_ssl_config tls12 = Versions(CN_SSL_VERSION_TLS1_2, CN_SSL_VERSION_TLS1_2);
  cn_ssl_config tls13 = Versions(CN_SSL_VERSION_TLS1_3, CN_SSL_VERSION_TLS1_3);
  Pair p = MakePair("origin.test", &tls13, &tls12);
  int srv = HandshakeFails(p, CN_ERR_SSL_VERSION_OR_CIPHER_MISMATCH);
  EXPECT_EQ(CN_ERR_SSL_VERSION_OR_CIPHER_MISMATCH, srv);
  Pair q = MakePair("origin.test", &tls12, &tls13);
  srv = HandshakeFails(q, CN_ERR_SSL_VERSION_OR_CIPHER_MISMATCH);
  EXPECT_EQ(CN_ERR_SSL_VERSION_OR_CIPHER_MISMATCH, srv);
}

TEST_F(SslSocketTest, EmptyVersionRange) {
  cn_ssl_config bad = Versions(CN_SSL_VERSION_TLS1_3, CN_SSL_VERSION_TLS1_2);
  Pair p = MakePair("origin.test", &bad);
  EXPECT_EQ(CN_ERR_NO_SSL_VERSIONS_ENABLED, cn_stream_socket_connect(p.client, nullptr, nullptr));
  const LoggedEntry *end = ConnectEnd(p.client);
  ASSERT_NE(nullptr, end);
  EXPECT_EQ(CN_ERR_NO_SSL_VERSIONS_ENABLED, end->ints.at("net_error"));
}

// ---------------------------------------------------------------------------
// Session resumption.

class SslResumptionTest : public SslSocketTest, public ::testing::WithParamInterface<uint16_t> {
 protected:
  // One full connection with |key|: handshake, a round trip (which also
  // delivers TLS 1.3 tickets), close. Returns whether it resumed.
  bool Connect(const char *key, cn_ssl_context *client_ctx = nullptr) {
    cn_ssl_config config = Versions(GetParam(), GetParam());
    Pair p = MakePair("origin.test", &config, nullptr, 0, key, client_ctx);
    int crv = 1, srv = 1;
    Handshake(p.client, p.server, &crv, &srv);
    EXPECT_EQ(CN_OK, crv);
    EXPECT_EQ(CN_OK, srv);
    EchoCheck(p.client, p.server, "ping");
    cn_ssl_info ci, si;
    EXPECT_EQ(CN_OK, cn_ssl_socket_get_info(p.client, &ci));
    EXPECT_EQ(CN_OK, cn_ssl_socket_get_info(p.server, &si));
    EXPECT_EQ(ci.resumed, si.resumed);
    EXPECT_EQ(GetParam(), ci.version);
    const LoggedEntry *end = ConnectEnd(p.client);
    EXPECT_EQ(ci.resumed ? 1 : 0, end ? end->ints.at("resumed") : -1);
    Destroy(p.client);
    Destroy(p.server);
    return ci.resumed;
  }
};

TEST_P(SslResumptionTest, ResumesOnlyWithTheSameKey) {
  const char *origin = "origin|origin.test:443|proxy.test:443";
  const char *proxy = "proxy|origin.test:443|proxy.test:443";
  EXPECT_FALSE(Connect(origin));
  EXPECT_GT(cn_ssl_context_session_count(client_ctx_, origin), 0u);
  EXPECT_EQ(0u, cn_ssl_context_session_count(client_ctx_, proxy));
  EXPECT_TRUE(Connect(origin));
  // Same server, other key: nothing to offer, full handshake.
  EXPECT_FALSE(Connect(proxy));
  EXPECT_TRUE(Connect(proxy));
  // No key: never resumes, never stores.
  EXPECT_FALSE(Connect(nullptr));
  // Resumption keeps working (fresh tickets replace used ones).
  EXPECT_TRUE(Connect(origin));
  EXPECT_TRUE(Connect(origin));
  cn_ssl_context_clear_sessions(client_ctx_);
  EXPECT_FALSE(Connect(origin));
}

TEST_P(SslResumptionTest, CacheEvictsLeastRecentlyUsedKey) {
  cn_ssl_context *ctx = NewClientContext(ca_.get(), 1);
  EXPECT_FALSE(Connect("a", ctx));
  EXPECT_FALSE(Connect("b", ctx));  // evicts "a"
  EXPECT_EQ(0u, cn_ssl_context_session_count(ctx, "a"));
  EXPECT_FALSE(Connect("a", ctx));
  EXPECT_TRUE(Connect("a", ctx));
  cn_ssl_context_unref(ctx);
}

TEST_P(SslResumptionTest, SessionsStayWithTheirContext) {
  EXPECT_FALSE(Connect("k"));
  cn_ssl_context *other = NewClientContext(ca_.get());
  EXPECT_FALSE(Connect("k", other));
  cn_ssl_context_unref(other);
}

TEST_P(SslResumptionTest, IdleConnectionStillCachesTickets) {
  // A preconnect: handshake, then nothing is ever read. TLS 1.3 tickets
  // arrive after the handshake; the idle client still takes them in, and
  // they do not count as unread data.
  cn_ssl_config config = Versions(GetParam(), GetParam());
  Pair p = MakePair("origin.test", &config, nullptr, 0, "k");
  HandshakeOk(p);
  RunUntilIdle(loop_.get());
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(p.client));
  EXPECT_GT(cn_ssl_context_session_count(client_ctx_, "k"), 0u);
  EXPECT_TRUE(Connect("k"));
  // The idle client notices the server going away.
  Destroy(p.server);
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(p.client));
  EXPECT_FALSE(cn_stream_socket_is_connected(p.client));
  int last = 1;
  EXPECT_EQ("", cnet_test::ReadAll(loop_.get(), p.client, &last));
  EXPECT_EQ(0, last);
}

INSTANTIATE_TEST_SUITE_P(Ssl, SslResumptionTest,
                         ::testing::Values(CN_SSL_VERSION_TLS1_2, CN_SSL_VERSION_TLS1_3),
                         [](const ::testing::TestParamInfo<uint16_t> &param_info) {
                           return param_info.param == CN_SSL_VERSION_TLS1_2 ? std::string("Tls12")
                                                                            : std::string("Tls13");
                         });

// ---------------------------------------------------------------------------
// TLS inside TLS.

TEST_F(SslSocketTest, TlsInsideTls) {
  // Outer: to the proxy; inner: to the origin, through the outer one.
  CertPtr proxy_leaf = MakeLeaf(ca_.get(), {"proxy.test"});
  cn_ssl_context *proxy_server_ctx = NewServerContext(proxy_leaf.get());
  cn_ssl_config outer_client = Protos({CN_PROTO_HTTP2, CN_PROTO_HTTP11});
  cn_ssl_config outer_server = Protos({CN_PROTO_HTTP2});
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *outer_c = NewClient(a, "proxy.test", &outer_client, "proxy|proxy.test:443");
  cn_stream_socket *outer_s = NewServer(b, &outer_server, proxy_server_ctx);
  HandshakeOk({outer_c, outer_s});
  EXPECT_EQ(CN_PROTO_HTTP2, cn_stream_socket_negotiated_protocol(outer_c));

  cn_ssl_config inner_config = Protos({CN_PROTO_HTTP11});
  cn_stream_socket *inner_c = Own(NewClient(outer_c, "origin.test", &inner_config));
  cn_stream_socket *inner_s = Own(NewServer(outer_s, &inner_config));
  HandshakeOk({inner_c, inner_s});
  EXPECT_EQ(CN_PROTO_HTTP11, cn_stream_socket_negotiated_protocol(inner_c));
  cn_ssl_info info;
  ASSERT_EQ(CN_OK, cn_ssl_socket_get_info(inner_s, &info));
  EXPECT_STREQ("origin.test", info.server_name);
  EXPECT_EQ(4u, counters_.tls_handshakes);

  EchoCheck(inner_c, inner_s, Payload(512 * 1024, 9));
  cn_ssl_context_unref(proxy_server_ctx);
}

TEST_F(SslSocketTest, TlsInsideTlsReadsInnerRecordsWithoutACopy) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *outer_c = NewClient(a);
  cn_stream_socket *outer_s = NewServer(b);
  HandshakeOk({outer_c, outer_s});
  cn_stream_socket *counted = SlowWriteSocket::New(loop_.get(), outer_c, SIZE_MAX, true);
  cn_stream_socket *inner_c = Own(NewClient(counted));
  cn_stream_socket *inner_s = Own(NewServer(outer_s));
  HandshakeOk({inner_c, inner_s});
  size_t before = SlowWriteSocket::Of(counted)->read_now_bytes;
  std::string data = Payload(1 << 20, 23);
  EchoCheck(inner_c, inner_s, data);
  // The echoed megabyte comes back as inner records: most of their bytes
  // are decrypted by the outer TLS straight into the inner's BoringSSL
  // buffer (read_now); read() only waits when nothing has arrived.
  size_t direct = SlowWriteSocket::Of(counted)->read_now_bytes - before;
  EXPECT_GT(direct, data.size() * 3 / 4) << "read() calls: "
                                          << SlowWriteSocket::Of(counted)->read_calls;
  EXPECT_LT(direct, data.size() + data.size() / 8);  // the records' overhead at most
}

TEST_F(SslSocketTest, ReadNowHandsOutOnlyWhatArrived) {
  Pair p = MakePair();
  HandshakeOk(p);
  uint8_t out[4096];
  // Nothing yet: no wait, and with |may_start_read| false nothing started.
  EXPECT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read_now(p.client, out, sizeof out, false));
  for (int i = 0; i < 3; i++)
    ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), p.server, Payload(1000, 30 + i)));
  RunUntilIdle(loop_.get());
  // Three records arrived: all of them, decrypted into |out| at once.
  ASSERT_EQ(3000, cn_stream_socket_read_now(p.client, out, sizeof out, false));
  std::string expected = Payload(1000, 30) + Payload(1000, 31) + Payload(1000, 32);
  EXPECT_TRUE(std::string(reinterpret_cast<char *>(out), 3000) == expected);
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(p.client));
  // With |may_start_read| the read it starts stays the socket's own: what
  // comes later is there for the next read().
  EXPECT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read_now(p.client, out, sizeof out, true));
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), p.server, Payload(700, 33)));
  cn_iobuf *buf = cn_iobuf_new(4096);
  TestCompletion c;
  int rv = c.WaitForResult(loop_.get(),
                           cn_stream_socket_read(p.client, buf, buf->size, c.cb(), c.arg()));
  ASSERT_EQ(700, rv);
  EXPECT_TRUE(std::string(reinterpret_cast<char *>(buf->data), 700) == Payload(700, 33));
  // A read pending: read_now is refused rather than racing it.
  EXPECT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(p.client, buf, buf->size, c.cb(), c.arg()));
  EXPECT_EQ(CN_ERR_UNEXPECTED, cn_stream_socket_read_now(p.client, out, sizeof out, true));
  cn_stream_socket_disconnect(p.client);  // cancels that read
  cn_iobuf_unref(buf);
  // A socket that does not offer it says so.
  cn_stream_socket *x, *y;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &x, &y);
  EXPECT_EQ(CN_ERR_NOT_IMPLEMENTED, cn_stream_socket_read_now(x, out, sizeof out, true));
  cn_stream_socket_destroy(x);
  cn_stream_socket_destroy(y);
}

TEST_F(SslSocketTest, TlsInsideTlsOverSmallChunks) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 5, &a, &b);
  cn_stream_socket *outer_c = NewClient(a);
  cn_stream_socket *outer_s = NewServer(b);
  HandshakeOk({outer_c, outer_s});
  cn_stream_socket *inner_c = Own(NewClient(outer_c));
  cn_stream_socket *inner_s = Own(NewServer(outer_s));
  HandshakeOk({inner_c, inner_s});
  EchoCheck(inner_c, inner_s, Payload(40000, 10));
}

// ---------------------------------------------------------------------------
// Closing.

TEST_F(SslSocketTest, CloseNotifyReadsAsEof) {
  Pair p = MakePair();
  HandshakeOk(p);
  EchoCheck(p.client, p.server, "hello");
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(p.client));
  TestCompletion c;
  ASSERT_EQ(CN_OK, c.WaitForResult(loop_.get(), cn_ssl_socket_shutdown(p.server, c.cb(), c.arg())));
  cn_iobuf *buf = cn_iobuf_from_copy("x", 1);
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, cn_stream_socket_write(p.server, buf, 1, nullptr, nullptr));
  cn_iobuf_unref(buf);
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(p.client));
  int last = 1;
  EXPECT_EQ("", cnet_test::ReadAll(loop_.get(), p.client, &last));
  EXPECT_EQ(0, last);
  EXPECT_EQ("", cnet_test::ReadAll(loop_.get(), p.client, &last));  // stays at EOF
  EXPECT_EQ(0, last);
  EXPECT_FALSE(cn_stream_socket_is_connected(p.client));
}

TEST_F(SslSocketTest, DataThenCloseNotify) {
  Pair p = MakePair();
  HandshakeOk(p);
  std::string data = Payload(5000, 11);
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), p.server, data));
  TestCompletion c;
  ASSERT_EQ(CN_OK, c.WaitForResult(loop_.get(), cn_ssl_socket_shutdown(p.server, c.cb(), c.arg())));
  int last = 1;
  EXPECT_TRUE(cnet_test::ReadAll(loop_.get(), p.client, &last) == data);
  EXPECT_EQ(0, last);
}

TEST_F(SslSocketTest, TransportEofWithoutCloseNotifyIsEof) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *client = Own(NewClient(a));
  cn_stream_socket *server = NewServer(b);
  HandshakeOk({client, server});
  std::string data = Payload(3000, 12);
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), server, data));
  cn_stream_socket_destroy(server);  // no close_notify: the pipe just ends
  int last = 1;
  EXPECT_TRUE(cnet_test::ReadAll(loop_.get(), client, &last) == data);
  EXPECT_EQ(0, last);
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(client));
  EXPECT_FALSE(cn_stream_socket_is_connected(client));
  // Writing to the vanished peer fails.
  cn_iobuf *buf = cn_iobuf_from_copy("x", 1);
  int rv = cn_stream_socket_write(client, buf, 1, nullptr, nullptr);
  if (rv > 0)  // the first write may be queued before the failure is seen
    rv = cn_stream_socket_write(client, buf, 1, nullptr, nullptr);
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, rv);
  cn_iobuf_unref(buf);
}

TEST_F(SslSocketTest, IdleStateTracksUnreadDataAndPeerClose) {
  Pair p = MakePair();
  HandshakeOk(p);
  EchoCheck(p.client, p.server, "warm up");
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(p.client));
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(p.server));  // the echo's read is pending
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), p.server, "unsolicited"));
  RunUntilIdle(loop_.get());
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(p.client));
  EXPECT_TRUE(cn_stream_socket_is_connected(p.client));
  EXPECT_EQ("unsolicited", cnet_test::ReadBytes(loop_.get(), p.client, 11));
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(p.client));
}

TEST_F(SslSocketTest, DisconnectStopsEverything) {
  Pair p = MakePair();
  HandshakeOk(p);
  cn_iobuf *buf = cn_iobuf_new(100);
  Completion read;
  read.Start(cn_stream_socket_read(p.client, buf, 100, Completion::Cb, &read));
  ASSERT_FALSE(read.done);
  cn_stream_socket_disconnect(p.client);
  EXPECT_FALSE(cn_stream_socket_is_connected(p.client));
  EXPECT_EQ(CN_ERR_SOCKET_NOT_CONNECTED,
            cn_stream_socket_read(p.client, buf, 100, nullptr, nullptr));
  cn_iobuf_unref(buf);
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), p.server, "late"));
  RunUntilIdle(loop_.get());
  EXPECT_EQ(0, read.calls);
  // The peer sees the connection end.
  int last = 1;
  cnet_test::ReadAll(loop_.get(), p.server, &last);
  EXPECT_EQ(0, last);
  cn_ssl_info info;
  EXPECT_EQ(CN_OK, cn_ssl_socket_get_info(p.client, &info));  // still describes it
}

// ---------------------------------------------------------------------------
// Destroy with operations pending: no callback may follow.

TEST_F(SslSocketTest, DestroyWithPendingReadAndWrite) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
  cn_stream_socket *slow = SlowWriteSocket::New(loop_.get(), a, 100);
  cn_stream_socket *client = NewClient(slow);
  cn_stream_socket *server = Own(NewServer(b));
  HandshakeOk({client, server});
  Completion read, write;
  cn_iobuf *rbuf = cn_iobuf_new(1000);
  read.Start(cn_stream_socket_read(client, rbuf, 1000, Completion::Cb, &read));
  cn_iobuf_unref(rbuf);  // the pending read holds its own reference
  std::string big = Payload(200000, 13);
  cn_iobuf *wbuf = cn_iobuf_from_copy(big.data(), big.size());
  int rv;
  while ((rv = cn_stream_socket_write(client, wbuf, wbuf->size, Completion::Cb, &write)) > 0) {
  }
  write.Start(rv);
  cn_iobuf_unref(wbuf);
  ASSERT_FALSE(read.done);
  ASSERT_FALSE(write.done) << cn_error_name(write.rv);
  cn_stream_socket_destroy(client);
  RunUntilIdle(loop_.get());
  EXPECT_EQ(0, read.calls);
  EXPECT_EQ(0, write.calls);
}

TEST_F(SslSocketTest, DestroyMidHandshake) {
  Pair p = MakePair();
  Completion c;
  c.Start(cn_stream_socket_connect(p.client, Completion::Cb, &c));
  ASSERT_FALSE(c.done);
  Destroy(p.client);
  // The server got a ClientHello and then EOF.
  Completion s;
  s.Start(cn_stream_socket_connect(p.server, Completion::Cb, &s));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return s.done; }));
  // Its answer meets a closed pipe (reset), or it sees EOF first.
  EXPECT_TRUE(s.rv == CN_ERR_CONNECTION_CLOSED || s.rv == CN_ERR_CONNECTION_RESET)
      << cn_error_name(s.rv);
  EXPECT_EQ(0, c.calls);
  // The client's SSL_CONNECT span was closed as aborted.
  size_t aborted = 0;
  for (const LoggedEntry &e : entries_) {
    if (e.type == CN_NETLOG_SSL_CONNECT && e.phase == CN_NETLOG_PHASE_END &&
        e.ints.count("net_error") && e.ints.at("net_error") == CN_ERR_ABORTED)
      aborted++;
  }
  EXPECT_EQ(1u, aborted);
}

struct DestroyInCallback {
  cn_stream_socket *socket;
  int calls = 0;
  int rv = 0;
  static void Cb(void *arg, int rv) {
    auto *d = static_cast<DestroyInCallback *>(arg);
    d->calls++;
    d->rv = rv;
    cn_stream_socket_destroy(d->socket);
  }
};

TEST_F(SslSocketTest, DestroyFromInsideCallbacks) {
  // From the connect callback.
  {
    cn_stream_socket *a, *b;
    cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
    DestroyInCallback d;
    d.socket = NewClient(a);
    cn_stream_socket *server = Own(NewServer(b));
    Completion s;
    ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_connect(d.socket, DestroyInCallback::Cb, &d));
    s.Start(cn_stream_socket_connect(server, Completion::Cb, &s));
    // The server may finish either way (its tickets meet a closed pipe).
    ASSERT_TRUE(RunUntil(loop_.get(), [&] { return d.calls > 0 && s.done; }));
    EXPECT_EQ(CN_OK, d.rv);
    RunUntilIdle(loop_.get());
    EXPECT_EQ(1, d.calls);
  }
  // From a read callback, with TLS inside TLS (the inner socket's callback
  // runs inside the outer socket's pump and destroys both).
  {
    cn_stream_socket *a, *b;
    cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &b);
    cn_stream_socket *outer_c = NewClient(a);
    cn_stream_socket *outer_s = NewServer(b);
    HandshakeOk({outer_c, outer_s});
    DestroyInCallback d;
    d.socket = NewClient(outer_c);
    cn_stream_socket *inner_s = Own(NewServer(outer_s));
    HandshakeOk({d.socket, inner_s});
    cn_iobuf *buf = cn_iobuf_new(100);
    ASSERT_EQ(CN_ERR_IO_PENDING,
              cn_stream_socket_read(d.socket, buf, 100, DestroyInCallback::Cb, &d));
    cn_iobuf_unref(buf);
    ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), inner_s, "bye"));
    ASSERT_TRUE(RunUntil(loop_.get(), [&] { return d.calls > 0; }));
    EXPECT_EQ(3, d.rv);
    RunUntilIdle(loop_.get());
    EXPECT_EQ(1, d.calls);
  }
}

// ---------------------------------------------------------------------------
// Handshakes cut short.

// Reads whatever is buffered (or next arrives) on a raw pipe end.
std::string ReadSome(uv_loop_t *loop, cn_stream_socket *s) {
  cn_iobuf *buf = cn_iobuf_new(256 * 1024);
  TestCompletion c;
  int rv = c.WaitForResult(loop, cn_stream_socket_read(s, buf, buf->size, c.cb(), c.arg()));
  std::string out = rv > 0 ? std::string(reinterpret_cast<char *>(buf->data), rv) : "";
  cn_iobuf_unref(buf);
  return out;
}

TEST_F(SslSocketTest, PeerHangsUpAfterClientHello) {
  cn_stream_socket *a, *raw;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &raw);
  cn_stream_socket *client = Own(NewClient(a));
  Completion c;
  c.Start(cn_stream_socket_connect(client, Completion::Cb, &c));
  std::string hello = ReadSome(loop_.get(), raw);
  ASSERT_GT(hello.size(), 5u);
  EXPECT_EQ(0x16, hello[0]);  // a handshake record
  cn_stream_socket_destroy(raw);
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return c.done; }));
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, c.rv);
}

TEST_F(SslSocketTest, ServerFlightCutInHalf) {
  // client <-> [raw_b relay raw_c] <-> server; the relay passes the
  // ClientHello whole but only half of the server's first flight.
  cn_stream_socket *a, *raw_b, *raw_c, *d;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &raw_b);
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &raw_c, &d);
  cn_stream_socket *client = Own(NewClient(a));
  cn_stream_socket *server = Own(NewServer(d));
  Completion c, s;
  c.Start(cn_stream_socket_connect(client, Completion::Cb, &c));
  s.Start(cn_stream_socket_connect(server, Completion::Cb, &s));
  std::string hello = ReadSome(loop_.get(), raw_b);
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_c, hello));
  std::string flight = ReadSome(loop_.get(), raw_c);
  ASSERT_GT(flight.size(), 100u);
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_b, flight.substr(0, flight.size() / 2)));
  cn_stream_socket_destroy(raw_b);
  cn_stream_socket_destroy(raw_c);
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return c.done && s.done; }));
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, c.rv) << cn_error_name(c.rv);
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, s.rv) << cn_error_name(s.rv);
}

// ---------------------------------------------------------------------------
// TLS 1.2 False Start (issue #13). The handshake runs through a relay the
// test drives by hand — client <-> [raw_b relay raw_c] <-> server — so it
// can stop after the server's first flight and see what the client does
// before anything more comes from the server.

class SslFalseStartTest : public SslSocketTest {
 protected:
  // Starts both handshakes and relays the ClientHello and the server's
  // first flight (ServerHello ... ServerHelloDone). Returns the client's
  // answer to it (its key exchange, ChangeCipherSpec and Finished), read
  // before anything more of the server's reaches the client.
  std::string RunToClientFinished(const cn_ssl_config &client_config,
                                  const cn_ssl_config &server_config) {
    cn_stream_socket *a, *d;
    cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &raw_b_);
    cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &raw_c_, &d);
    Own(raw_b_);
    Own(raw_c_);
    client_ = Own(NewClient(a, "origin.test", &client_config));
    server_ = Own(NewServer(d, &server_config));
    c_.Start(cn_stream_socket_connect(client_, Completion::Cb, &c_));
    s_.Start(cn_stream_socket_connect(server_, Completion::Cb, &s_));
    EXPECT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_c_, ReadSome(loop_.get(), raw_b_)));
    std::string flight = ReadSome(loop_.get(), raw_c_);
    EXPECT_GT(flight.size(), 100u);
    EXPECT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_b_, flight));
    return ReadSome(loop_.get(), raw_b_);
  }
  // Passes the server's next bytes to the client.
  void RelayToClient() {
    ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_b_, ReadSome(loop_.get(), raw_c_)));
  }
  // Passes the server's bytes to the client up to and including its first
  // whole record of |type|.
  void RelayToClientThrough(uint8_t type) {
    std::string bytes;
    for (;;) {
      std::string more = ReadSome(loop_.get(), raw_c_);
      ASSERT_FALSE(more.empty()) << "the server stopped before a record of type " << int(type);
      bytes += more;
      size_t at = 0;
      bool found = false;
      while (at + 5 <= bytes.size()) {
        size_t len = (uint8_t(bytes[at + 3]) << 8) | uint8_t(bytes[at + 4]);
        if (at + 5 + len > bytes.size())
          break;
        found = found || uint8_t(bytes[at]) == type;
        at += 5 + len;
      }
      if (found)
        break;
    }
    ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_b_, bytes));
  }
  static cn_ssl_config Tls12(std::vector<cn_next_proto> protos) {
    cn_ssl_config c = Protos(protos);
    c.version_min = c.version_max = CN_SSL_VERSION_TLS1_2;
    return c;
  }
  bool FalseStarted() {
    cn_ssl_info info;
    EXPECT_EQ(CN_OK, cn_ssl_socket_get_info(client_, &info));
    EXPECT_EQ(CN_SSL_VERSION_TLS1_2, info.version);
    return info.false_start;
  }

  cn_stream_socket *raw_b_ = nullptr, *raw_c_ = nullptr;
  cn_stream_socket *client_ = nullptr, *server_ = nullptr;
  Completion c_, s_;
};

TEST_F(SslFalseStartTest, RequestGoesWithTheClientFinished) {
  std::string finished = RunToClientFinished(Tls12({CN_PROTO_HTTP2, CN_PROTO_HTTP11}),
                                             Tls12({CN_PROTO_HTTP11}));
  ASSERT_GT(finished.size(), 5u);
  EXPECT_EQ(0x16, finished[0]);  // the key exchange, a handshake record
  // The connect completed without the server's Finished (the server has
  // not even seen ours).
  ASSERT_TRUE(c_.done);
  ASSERT_EQ(CN_OK, c_.rv) << cn_error_name(c_.rv);
  EXPECT_FALSE(s_.done);
  EXPECT_TRUE(FalseStarted());
  EXPECT_EQ(CN_PROTO_HTTP11, cn_stream_socket_negotiated_protocol(client_));
  const LoggedEntry *end = ConnectEnd(client_);
  ASSERT_NE(nullptr, end);
  // The request leaves now, in the flight of the Finished: application data.
  const std::string request = "GET / HTTP/1.1\r\nHost: origin.test\r\n\r\n";
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), client_, request));
  std::string data = ReadSome(loop_.get(), raw_b_);
  ASSERT_GT(data.size(), request.size());
  EXPECT_EQ(0x17, data[0]);  // an application data record
  // The server takes both, completes, and reads the request.
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_c_, finished + data));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return s_.done; }));
  ASSERT_EQ(CN_OK, s_.rv) << cn_error_name(s_.rv);
  EXPECT_EQ(request, ReadSome(loop_.get(), server_));
  // Its answer (behind its Finished) reaches the client, which completes
  // the handshake on its read.
  const std::string response = "HTTP/1.1 204 No Content\r\n\r\n";
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), server_, response));
  cn_iobuf *buf = cn_iobuf_new(1024);
  Completion r;
  r.Start(cn_stream_socket_read(client_, buf, buf->size, Completion::Cb, &r));
  RelayToClientThrough(0x17);
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return r.done; }));
  ASSERT_GT(r.rv, 0) << cn_error_name(r.rv);
  EXPECT_EQ(response, std::string(reinterpret_cast<char *>(buf->data), r.rv));
  cn_iobuf_unref(buf);
}

TEST_F(SslFalseStartTest, NotWithoutAlpn) {
  std::string finished = RunToClientFinished(Tls12({}), Tls12({}));
  ASSERT_GT(finished.size(), 5u);
  // The client's Finished is out, and its connect waits for the server's.
  EXPECT_FALSE(c_.done);
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_c_, finished));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return s_.done; }));
  ASSERT_EQ(CN_OK, s_.rv) << cn_error_name(s_.rv);
  RelayToClient();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return c_.done; }));
  ASSERT_EQ(CN_OK, c_.rv) << cn_error_name(c_.rv);
  EXPECT_FALSE(FalseStarted());
}

TEST_F(SslFalseStartTest, NotWhenAlpnSettledNothing) {
  // ALPN offered but the server picked nothing: no protocol, no False Start.
  std::string finished = RunToClientFinished(Tls12({CN_PROTO_HTTP2}), Tls12({CN_PROTO_HTTP11}));
  ASSERT_GT(finished.size(), 5u);
  EXPECT_FALSE(c_.done);
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_c_, finished));
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return s_.done; }));
  RelayToClient();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return c_.done; }));
  ASSERT_EQ(CN_OK, c_.rv) << cn_error_name(c_.rv);
  EXPECT_FALSE(FalseStarted());
}

TEST_F(SslFalseStartTest, CertificateVerifiedBeforeTheConnectCompletes) {
  // The wrong name: the client fails on the server's first flight and never
  // sends its Finished, let alone application data.
  cn_stream_socket *a, *d;
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &raw_b_);
  cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &raw_c_, &d);
  Own(raw_b_);
  Own(raw_c_);
  cn_ssl_config cc = Tls12({CN_PROTO_HTTP11}), sc = Tls12({CN_PROTO_HTTP11});
  client_ = Own(NewClient(a, "other.test", &cc));
  server_ = Own(NewServer(d, &sc));
  c_.Start(cn_stream_socket_connect(client_, Completion::Cb, &c_));
  s_.Start(cn_stream_socket_connect(server_, Completion::Cb, &s_));
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), raw_c_, ReadSome(loop_.get(), raw_b_)));
  RelayToClient();
  ASSERT_TRUE(RunUntil(loop_.get(), [&] { return c_.done; }));
  EXPECT_EQ(CN_ERR_CERT_COMMON_NAME_INVALID, c_.rv) << cn_error_name(c_.rv);
  // What the client sent after the server's flight: an alert, no more.
  std::string after = ReadSome(loop_.get(), raw_b_);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(0x15, after[0]);
}

// A BoringSSL server driven by hand (memory BIOs), TLS 1.2 only with one
// cipher suite and ALPN http/1.1: the cipher conditions of False Start,
// which cnet's own server cannot be limited to.
class RawTls12Server {
 public:
  RawTls12Server(const cn_test_cert *leaf, const char *cipher) {
    ctx_ = SSL_CTX_new(TLS_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx_, TLS1_2_VERSION);
    EXPECT_TRUE(SSL_CTX_set_strict_cipher_list(ctx_, cipher));
    BIO *cert_bio = BIO_new_mem_buf(cn_test_cert_chain_pem(leaf), -1);
    X509 *cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    BIO_free(cert_bio);
    BIO *key_bio = BIO_new_mem_buf(cn_test_cert_key_pem(leaf), -1);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    BIO_free(key_bio);
    EXPECT_TRUE(cert && key && SSL_CTX_use_certificate(ctx_, cert) &&
                SSL_CTX_use_PrivateKey(ctx_, key));
    X509_free(cert);
    EVP_PKEY_free(key);
    SSL_CTX_set_alpn_select_cb(
        ctx_,
        [](SSL *, const uint8_t **out, uint8_t *out_len, const uint8_t *, unsigned,
           void *) -> int {
          static const uint8_t kHttp11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
          *out = kHttp11;
          *out_len = sizeof(kHttp11);
          return SSL_TLSEXT_ERR_OK;
        },
        nullptr);
    ssl_ = SSL_new(ctx_);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_accept_state(ssl_);
  }
  ~RawTls12Server() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  // Takes the client's bytes, runs the handshake; returns what it sends.
  std::string Feed(const std::string &bytes, bool *done) {
    BIO_write(in_, bytes.data(), static_cast<int>(bytes.size()));
    *done = SSL_do_handshake(ssl_) == 1;
    std::string sent;
    char chunk[4096];
    int n;
    while ((n = BIO_read(out_, chunk, sizeof(chunk))) > 0)
      sent.append(chunk, static_cast<size_t>(n));
    return sent;
  }

 private:
  SSL_CTX *ctx_;
  SSL *ssl_;
  BIO *in_, *out_;
};

// Whether |client|'s connect (over the pipe whose other end is |raw|)
// completes before the server's Finished against a raw TLS 1.2 server
// choosing |cipher|; the handshake then completes either way. Destroys both.
bool FalseStartsWith(uv_loop_t *loop, const cn_test_cert *leaf, const char *cipher,
                     cn_stream_socket *client, cn_stream_socket *raw) {
  RawTls12Server server(leaf, cipher);
  Completion c;
  c.Start(cn_stream_socket_connect(client, Completion::Cb, &c));
  bool server_done = false;
  std::string flight = server.Feed(ReadSome(loop, raw), &server_done);
  EXPECT_GT(flight.size(), 100u);
  EXPECT_EQ(CN_OK, cnet_test::WriteAll(loop, raw, flight));
  std::string finished = ReadSome(loop, raw);
  EXPECT_FALSE(finished.empty());
  bool early = c.done;
  EXPECT_TRUE(!c.done || c.rv == CN_OK) << cn_error_name(c.rv);
  std::string last = server.Feed(finished, &server_done);
  EXPECT_TRUE(server_done);
  EXPECT_EQ(CN_OK, cnet_test::WriteAll(loop, raw, last));
  EXPECT_TRUE(RunUntil(loop, [&] { return c.done; }));
  EXPECT_EQ(CN_OK, c.rv) << cn_error_name(c.rv);
  cn_ssl_info info;
  EXPECT_EQ(CN_OK, cn_ssl_socket_get_info(client, &info));
  EXPECT_EQ(early, info.false_start);
  cn_stream_socket_destroy(client);
  cn_stream_socket_destroy(raw);
  return early;
}

TEST_F(SslFalseStartTest, OnlyWithAForwardSecretAeadCipher) {
  auto starts = [&](const char *cipher) {
    cn_stream_socket *a, *raw;
    cn_pipe_socket_pair(loop_.get(), &netlog_, 0, &a, &raw);
    cn_ssl_config c = Tls12({CN_PROTO_HTTP11});
    return FalseStartsWith(loop_.get(), leaf_.get(), cipher, NewClient(a, "origin.test", &c), raw);
  };
  // ECDHE + AES-GCM or ChaCha20-Poly1305: False Start (the harness sees one).
  EXPECT_TRUE(starts("ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_TRUE(starts("ECDHE-ECDSA-CHACHA20-POLY1305"));
  // ECDHE with a CBC cipher (no AEAD): none.
  EXPECT_FALSE(starts("ECDHE-ECDSA-AES128-SHA"));
}

// Over a scripted mock transport. The ClientHello differs every run, so the
// script matches only its first byte (0x16, a handshake record): the mock
// reports a 1-byte partial write that completes later, and the TLS socket's
// next read then meets the scripted answer synchronously, before the rest
// of the ClientHello would be written.
class SslMockTest : public SslSocketTest {
 protected:
  cn_stream_socket *Mock(const std::vector<cn_mock_op> &ops) {
    cn_stream_socket *m =
        cn_mock_socket_new(loop_.get(), &netlog_, nullptr, ops.data(), ops.size());
    EXPECT_EQ(CN_OK, cn_stream_socket_connect(m, nullptr, nullptr));
    return m;
  }
  // Connects |s| (which owns |mock|) and waits for the result.
  int ConnectResult(cn_stream_socket *s) {
    TestCompletion c;
    return c.WaitForResult(loop_.get(), cn_stream_socket_connect(s, c.cb(), c.arg()), 5000);
  }
};

const cn_mock_op kClientHelloByte = {CN_MOCK_WRITE, CN_MOCK_ASYNC, "\x16", 1, 0};

TEST_F(SslMockTest, ServerAnswersWithHttp) {
  cn_stream_socket *mock =
      Mock({kClientHelloByte, CN_MOCK_READ_STR(CN_MOCK_SYNC, "HTTP/1.1 400 Bad Request\r\n\r\n")});
  cn_stream_socket *client = Own(NewClient(mock));
  EXPECT_EQ(CN_ERR_SSL_PROTOCOL_ERROR, ConnectResult(client));
  cnet_test::ExpectMockDone(mock);
}

TEST_F(SslMockTest, ServerSendsGarbageRecord) {
  cn_stream_socket *mock = Mock(
      // A handshake record holding an empty ServerHello: a decode error.
      {kClientHelloByte, CN_MOCK_READ_STR(CN_MOCK_SYNC, "\x16\x03\x03\x00\x04\x02\x00\x00\x00")});
  cn_stream_socket *client = Own(NewClient(mock));
  EXPECT_EQ(CN_ERR_SSL_PROTOCOL_ERROR, ConnectResult(client));
  cnet_test::ExpectMockDone(mock);
}

TEST_F(SslMockTest, EofDuringHandshake) {
  cn_stream_socket *mock = Mock({kClientHelloByte, CN_MOCK_READ_EOF(CN_MOCK_SYNC)});
  cn_stream_socket *client = Own(NewClient(mock));
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, ConnectResult(client));
  cnet_test::ExpectMockDone(mock);
}

TEST_F(SslMockTest, ResetDuringHandshake) {
  cn_stream_socket *mock =
      Mock({kClientHelloByte, CN_MOCK_READ_ERR(CN_MOCK_SYNC, CN_ERR_CONNECTION_RESET)});
  cn_stream_socket *client = Own(NewClient(mock));
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, ConnectResult(client));
  cnet_test::ExpectMockDone(mock);
}

TEST_F(SslMockTest, WriteFailsWhilePeerIsSilent) {
  // The ClientHello write fails later; the read meanwhile never completes.
  // The failure must end the handshake instead of leaving it waiting.
  cn_stream_socket *mock = Mock({CN_MOCK_WRITE_ERR(CN_MOCK_ASYNC, CN_ERR_CONNECTION_ABORTED)});
  cn_stream_socket *client = Own(NewClient(mock));
  EXPECT_EQ(CN_ERR_CONNECTION_ABORTED, ConnectResult(client));
  cnet_test::ExpectMockDone(mock);
}

TEST_F(SslMockTest, ServerGetsPlainHttpRequest) {
  cn_stream_socket *mock =
      Mock({CN_MOCK_READ_STR(CN_MOCK_ASYNC, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")});
  cn_stream_socket *server = Own(NewServer(mock));
  EXPECT_EQ(CN_ERR_SSL_PROTOCOL_ERROR, ConnectResult(server));
  cnet_test::ExpectMockDone(mock);
}

TEST_F(SslMockTest, ServerGetsEof) {
  cn_stream_socket *mock = Mock({CN_MOCK_READ_EOF(CN_MOCK_ASYNC)});
  cn_stream_socket *server = Own(NewServer(mock));
  EXPECT_EQ(CN_ERR_CONNECTION_CLOSED, ConnectResult(server));
  cnet_test::ExpectMockDone(mock);
}

TEST_F(SslMockTest, TransportNotConnected) {
  cn_stream_socket *mock = cn_mock_socket_new(loop_.get(), &netlog_, nullptr, nullptr, 0);
  cn_stream_socket *client = Own(NewClient(mock));
  EXPECT_EQ(CN_ERR_SOCKET_NOT_CONNECTED, cn_stream_socket_connect(client, nullptr, nullptr));
}

// ---------------------------------------------------------------------------
// Construction and contexts.

TEST_F(SslSocketTest, ClientNeedsHost) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), nullptr, 0, &a, &b);
  cn_ssl_socket_params p = {};
  p.context = client_ctx_;
  EXPECT_EQ(nullptr, cn_ssl_socket_new(nullptr, a, &p));  // |a| destroyed
  p.context = nullptr;
  p.host = "origin.test";
  EXPECT_EQ(nullptr, cn_ssl_socket_new(nullptr, b, &p));
}

TEST_F(SslSocketTest, NotAnSslSocket) {
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop_.get(), nullptr, 0, &a, &b);
  Own(a);
  Own(b);
  cn_ssl_info info;
  EXPECT_EQ(CN_SOCKET_LAYER_OTHER, cn_stream_socket_layer(a));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_ssl_socket_get_info(a, &info));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_ssl_socket_shutdown(a, nullptr, nullptr));
}

TEST(SslContextTest, ClientContextSources) {
  cn_ssl_context *ctx = nullptr;
  // The system store (present on Debian even without network access).
  ASSERT_EQ(CN_OK, cn_ssl_client_context_new(nullptr, &ctx));
  EXPECT_FALSE(cn_ssl_context_is_server(ctx));
  cn_ssl_context_unref(ctx);
  cn_ssl_client_context_options o = {};
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(CN_ERR_FILE_NOT_FOUND, cn_ssl_client_context_new(&o, &ctx));
  EXPECT_EQ(nullptr, ctx);
  o.ca_file = nullptr;
  o.ca_pem = "not a certificate";
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_ssl_client_context_new(&o, &ctx));
  // A CA written to a file, as the test server does for `fetch --cacert`.
  CertPtr ca(cn_test_cert_new_ca("cnet Test Root"));
  char path[] = "/tmp/cnet_ssl_ca_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  ASSERT_EQ(CN_OK, cn_test_write_pem_file(path, cn_test_cert_pem(ca.get())));
  o.ca_pem = nullptr;
  o.ca_file = path;
  EXPECT_EQ(CN_OK, cn_ssl_client_context_new(&o, &ctx));
  cn_ssl_context_unref(ctx);
  unlink(path);
}

TEST(SslContextTest, ServerContextChecksKeyAndCertificate) {
  CertPtr ca(cn_test_cert_new_ca("cnet Test Root"));
  CertPtr a = MakeLeaf(ca.get(), {"a.test"});
  CertPtr b = MakeLeaf(ca.get(), {"b.test"});
  cn_ssl_context *ctx = nullptr;
  EXPECT_EQ(
      CN_ERR_INVALID_ARGUMENT,
      cn_ssl_server_context_new(cn_test_cert_pem(a.get()), cn_test_cert_key_pem(b.get()), &ctx));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
            cn_ssl_server_context_new("junk", cn_test_cert_key_pem(a.get()), &ctx));
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT,
            cn_ssl_server_context_new(cn_test_cert_pem(a.get()), "junk", &ctx));
  ASSERT_EQ(CN_OK, cn_ssl_server_context_new(cn_test_cert_pem(a.get()),
                                             cn_test_cert_key_pem(a.get()), &ctx));
  EXPECT_TRUE(cn_ssl_context_is_server(ctx));
  EXPECT_EQ(0u, cn_ssl_context_session_count(ctx, "x"));
  cn_ssl_context_ref(ctx);
  cn_ssl_context_unref(ctx);
  cn_ssl_context_unref(ctx);
}

}  // namespace
