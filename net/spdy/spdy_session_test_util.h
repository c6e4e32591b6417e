// C++ helpers for the session tests (RunUntil is in socket_test_util.h): a
// client request driven through a cn_spdy_stream, a server that answers
// requests on a server session, a client/server session pair over a pipe,
// and a raw peer (a framer on a pipe end) to send any frame — malformed
// ones included — and record what the session sends.
#ifndef CNET_NET_SPDY_SPDY_SESSION_TEST_UTIL_H_
#define CNET_NET_SPDY_SPDY_SESSION_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <uv.h>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/bytebuf.h"
#include "base/iobuf.h"
#include "net/base/url.h"
#include "net/socket/pipe_socket.h"
#include "net/socket/socket_test_util.h"
#include "net/spdy/spdy_framer.h"
#include "net/spdy/spdy_headers.h"
#include "net/spdy/spdy_session.h"
#include "net/spdy/spdy_stream.h"

namespace cnet_test {

// Deterministic body bytes: |n| bytes from |seed|.
inline std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 12345;
  for (size_t i = 0; i < n; i++) {
    x = x * 1103515245u + 12345;
    s[i] = static_cast<char>(x >> 16);
  }
  return s;
}

inline std::vector<cn_spdy_header> HeaderArray(
    const std::vector<std::pair<std::string, std::string>> &fields) {
  std::vector<cn_spdy_header> out;
  for (const auto &f : fields)
    out.push_back({f.first.data(), f.first.size(), f.second.data(), f.second.size()});
  return out;
}

// An owned header list usable where cn_spdy_header arrays are wanted.
class Fields {
 public:
  Fields(std::initializer_list<std::pair<std::string, std::string>> fields)
      : fields_(fields), array_(HeaderArray(fields_)) {}
  const cn_spdy_header *data() const { return array_.data(); }
  size_t size() const { return array_.size(); }
  void pop_back() {
    fields_.pop_back();
    array_ = HeaderArray(fields_);
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
  std::vector<cn_spdy_header> array_;
};

inline std::string HeaderValue(const cn_spdy_header *h, size_t n, const char *name) {
  size_t len = 0;
  const char *v = cn_spdy_headers_find(h, n, name, &len);
  return v ? std::string(v, len) : std::string();
}

// One request on a client session: create (maybe waiting for a slot), send
// headers (+ body), read the response head and body (a CONNECT's 200 ends
// it: the stream is the tunnel).
class Request {
 public:
  // Where a request goes, when it is more than a GET or POST of a path on
  // origin.test.
  struct Target {
    std::string method;  // empty: GET, or POST when there is a body
    std::string url;
    bool absolute_form;  // the whole URL in the request line (to a proxy)
    std::vector<std::pair<std::string, std::string>> extra_fields;
  };

  Request(cn_spdy_session *s, std::string path, std::string body = std::string(),
          cn_request_priority priority = CN_PRIORITY_MEDIUM, size_t read_chunk = 16384)
      : Request(s, Target{std::string(), "https://origin.test" + path, false, {}},
                std::move(body), priority, read_chunk) {}
  Request(cn_spdy_session *s, Target target, std::string body,
          cn_request_priority priority = CN_PRIORITY_MEDIUM, size_t read_chunk = 16384)
      : session_(s), target_(std::move(target)), body_(std::move(body)), priority_(priority),
        read_chunk_(read_chunk) {
    if (target_.method.empty())
      target_.method = body_.empty() ? "GET" : "POST";
  }
  ~Request() {
    cn_spdy_stream_destroy(stream);
    cn_iobuf_unref(read_buf_);
  }
  Request(const Request &) = delete;
  Request &operator=(const Request &) = delete;

  // Returns what cn_spdy_stream_create returned.
  int Start(bool send_now = true) {
    cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
    int rv = cn_spdy_stream_create(session_, priority_, none, &OnCreated, this, &stream);
    create_rv = rv;
    if (rv == CN_OK) {
      granted = true;
      if (send_now)
        Send();
    } else if (rv != CN_ERR_IO_PENDING) {
      Finish(rv);
    }
    send_on_grant_ = send_now;
    return rv;
  }

  // Sends the request (after the slot was granted).
  void Send() {
    cn_url url;
    ASSERT_EQ(CN_OK, cn_url_parse(target_.url.c_str(), &url)) << target_.url;
    std::vector<cn_spdy_header> extra = HeaderArray(target_.extra_fields);
    cn_spdy_header_list list;
    cn_spdy_header_list_init(&list);
    int rv = cn_spdy_build_request_headers(cn_spdy_session_protocol(session_),
                                           target_.method.c_str(), &url, target_.absolute_form,
                                           extra.data(), extra.size(), &list);
    cn_url_free(&url);
    if (rv != CN_OK) {
      cn_spdy_header_list_free(&list);
      ADD_FAILURE() << "request headers for " << target_.url << ": " << rv;
      return Finish(rv);
    }
    rv = cn_spdy_stream_send_headers(stream, list.items, list.count, body_.empty() && !IsConnect());
    cn_spdy_header_list_free(&list);
    if (rv < 0)
      return Finish(rv);
    if (!body_.empty()) {
      cn_iobuf *buf = cn_iobuf_from_copy(body_.data(), body_.size());
      rv = cn_spdy_stream_write(stream, buf, body_.size(), true, &OnWritten, this);
      cn_iobuf_unref(buf);
      if (rv != CN_ERR_IO_PENDING)
        return Finish(rv < 0 ? rv : CN_ERR_UNEXPECTED);
    }
    ReadHeaders();
  }

  // Takes the stream (a CONNECT's tunnel) out of the request.
  cn_spdy_stream *TakeStream() {
    cn_spdy_stream *s = stream;
    stream = nullptr;
    return s;
  }

  // A response header field's value ("" when absent).
  std::string Header(const char *name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }

  // Starts reading the body (when |hold_body| kept it from starting).
  void ResumeBody() {
    hold_body = false;
    if (headers_done && !done)
      ReadBody();
  }

  cn_spdy_stream *stream = nullptr;
  int create_rv = 0;
  bool granted = false;
  bool headers_done = false;
  bool write_done = false;
  bool done = false;
  bool hold_body = false;  // do not read the body until ResumeBody
  int result = 1;
  int status = 0;
  std::map<std::string, std::string> headers;  // the response head's
  std::string response;
  int callbacks = 0;  // every callback, to check none runs after destroy

 private:
  static void OnCreated(void *arg, int rv) {
    auto *self = static_cast<Request *>(arg);
    self->callbacks++;
    if (rv < 0)
      return self->Finish(rv);
    self->granted = true;
    if (self->send_on_grant_)
      self->Send();
  }
  static void OnWritten(void *arg, int rv) {
    auto *self = static_cast<Request *>(arg);
    self->callbacks++;
    if (rv < 0)
      return self->Finish(rv);
    EXPECT_EQ(static_cast<int>(self->body_.size()), rv);
    self->write_done = true;
  }
  void ReadHeaders() {
    int rv = cn_spdy_stream_read_headers(stream, &OnHeaders, this);
    if (rv != CN_ERR_IO_PENDING)
      OnHeadersDone(rv);
  }
  static void OnHeaders(void *arg, int rv) {
    auto *self = static_cast<Request *>(arg);
    self->callbacks++;
    self->OnHeadersDone(rv);
  }
  void OnHeadersDone(int rv) {
    if (rv < 0)
      return Finish(rv);
    size_t n;
    const cn_spdy_header *h = cn_spdy_stream_headers(stream, &n);
    status = cn_spdy_headers_status(h, n);
    for (size_t i = 0; i < n; i++)
      headers[std::string(h[i].name, h[i].name_len)] = std::string(h[i].value, h[i].value_len);
    headers_done = true;
    if (IsConnect() && status == 200)
      return Finish(CN_OK);  // the stream is the tunnel now
    if (!hold_body)
      ReadBody();
  }
  void ReadBody() {
    for (;;) {
      if (!read_buf_)
        read_buf_ = cn_iobuf_new(read_chunk_);
      int rv = cn_spdy_stream_read(stream, read_buf_, read_chunk_, &OnRead, this);
      if (rv == CN_ERR_IO_PENDING)
        return;
      if (!OnReadDone(rv))
        return;
    }
  }
  static void OnRead(void *arg, int rv) {
    auto *self = static_cast<Request *>(arg);
    self->callbacks++;
    if (self->OnReadDone(rv))
      self->ReadBody();
  }
  // True to read on.
  bool OnReadDone(int rv) {
    if (rv > 0) {
      response.append(reinterpret_cast<char *>(read_buf_->data), static_cast<size_t>(rv));
      return true;
    }
    cn_iobuf_unref(read_buf_);
    read_buf_ = nullptr;
    Finish(rv);
    return false;
  }
  void Finish(int rv) {
    if (done)
      return;
    done = true;
    result = rv;
  }
  bool IsConnect() const { return target_.method == "CONNECT"; }

  cn_spdy_session *session_;
  Target target_;
  std::string body_;
  cn_request_priority priority_;
  size_t read_chunk_;
  bool send_on_grant_ = true;
  cn_iobuf *read_buf_ = nullptr;
};

// Answers one request on a server stream: reads the request body to its
// end, then responds according to the path: "/echo" the request body,
// "/size/N" N pattern bytes, "/status/NNN" that status and no body,
// anything else "hello". With |hold| it does nothing: the test drives the
// stream itself.
class Responder {
 public:
  Responder(cn_spdy_stream *st, bool hold) : stream(st), hold_(hold) {
    path = cn_spdy_stream_header(st, ":path") ? cn_spdy_stream_header(st, ":path") : "";
  }
  ~Responder() {
    cn_spdy_stream_destroy(stream);
    cn_iobuf_unref(buf_);
  }
  Responder(const Responder &) = delete;
  Responder &operator=(const Responder &) = delete;

  void Start() {
    if (!hold_)
      ReadBody();
  }
  // A held Responder starts reading (and answering) now.
  void Go() {
    hold_ = false;
    ReadBody();
  }

  // Sends |status| and |body| (one write with fin; none when empty).
  void Respond(int status, const std::string &body, bool fin = true) {
    std::string code = std::to_string(status);
    std::vector<std::pair<std::string, std::string>> fields = {{":status", code}};
    if (cn_spdy_session_protocol(cn_spdy_stream_session(stream)) == CN_PROTO_SPDY31)
      fields.push_back({":version", "HTTP/1.1"});
    fields.push_back({"content-length", std::to_string(body.size())});
    auto h = HeaderArray(fields);
    int rv = cn_spdy_stream_send_headers(stream, h.data(), h.size(), body.empty() && fin);
    if (rv < 0) {
      error = rv;
      return;
    }
    responded = true;
    if (body.empty() && fin) {
      write_done = true;
      return;
    }
    Write(body, fin);
  }
  // One more write (the previous one must be done).
  void Write(const std::string &data, bool fin) {
    write_done = false;
    cn_iobuf *b = cn_iobuf_from_copy(data.data(), data.size());
    int rv = cn_spdy_stream_write(stream, b, data.size(), fin, &OnWritten, this);
    cn_iobuf_unref(b);
    if (rv != CN_ERR_IO_PENDING)
      error = rv;
  }

  cn_spdy_stream *stream;
  std::string path;
  std::string request_body;
  bool body_done = false;
  bool responded = false;
  bool write_done = false;
  int error = 0;

 private:
  void ReadBody() {
    for (;;) {
      if (!buf_)
        buf_ = cn_iobuf_new(16384);
      int rv = cn_spdy_stream_read(stream, buf_, 16384, &OnRead, this);
      if (rv == CN_ERR_IO_PENDING)
        return;
      if (!OnReadDone(rv))
        return;
    }
  }
  static void OnRead(void *arg, int rv) {
    auto *self = static_cast<Responder *>(arg);
    if (self->OnReadDone(rv))
      self->ReadBody();
  }
  bool OnReadDone(int rv) {
    if (rv > 0) {
      request_body.append(reinterpret_cast<char *>(buf_->data), static_cast<size_t>(rv));
      return true;
    }
    if (rv < 0) {
      error = rv;
      return false;
    }
    body_done = true;
    if (path == "/echo") {
      Respond(200, request_body);
    } else if (path.rfind("/size/", 0) == 0) {
      size_t n = std::stoul(path.substr(6));
      Respond(200, Pattern(n, static_cast<uint32_t>(n)));
    } else if (path.rfind("/status/", 0) == 0) {
      Respond(std::stoi(path.substr(8)), "");
    } else {
      Respond(200, "hello");
    }
    return false;
  }
  static void OnWritten(void *arg, int rv) {
    auto *self = static_cast<Responder *>(arg);
    if (rv < 0)
      self->error = rv;
    else
      self->write_done = true;
  }

  bool hold_;
  cn_iobuf *buf_ = nullptr;
};

// Records a session delegate's calls; a server also keeps the streams the
// peer opened, answered by Responders (or held for the test).
class DelegateRecorder {
 public:
  cn_spdy_session_delegate delegate(bool server) {
    cn_spdy_session_delegate d = {};
    d.ctx = this;
    if (server)
      d.on_stream = &OnStream;
    d.on_unavailable = &OnUnavailable;
    d.on_closed = &OnClosed;
    return d;
  }
  std::vector<std::unique_ptr<Responder>> streams;
  bool hold = false;  // Responders do nothing on their own
  int unavailable = 0;
  int closed = 0;
  int close_error = 1;
  std::function<void()> on_closed_hook;
  std::function<void()> on_unavailable_hook;
  // Returns true when it dealt with the stream itself.
  std::function<bool(cn_spdy_stream *)> on_stream_hook;

 private:
  static void OnStream(void *ctx, cn_spdy_session *, cn_spdy_stream *st) {
    auto *self = static_cast<DelegateRecorder *>(ctx);
    if (self->on_stream_hook && self->on_stream_hook(st))
      return;
    self->streams.emplace_back(new Responder(st, self->hold));
    self->streams.back()->Start();
  }
  static void OnUnavailable(void *ctx, cn_spdy_session *) {
    auto *self = static_cast<DelegateRecorder *>(ctx);
    self->unavailable++;
    if (self->on_unavailable_hook)
      self->on_unavailable_hook();
  }
  static void OnClosed(void *ctx, cn_spdy_session *, int error) {
    auto *self = static_cast<DelegateRecorder *>(ctx);
    EXPECT_EQ(1, self->unavailable) << "on_unavailable comes first, once";
    self->closed++;
    self->close_error = error;
    if (self->on_closed_hook)
      self->on_closed_hook();
  }
};

// A client session and a server session over a pipe pair.
class SessionPair {
 public:
  SessionPair(uv_loop_t *loop, cn_netlog *netlog, cn_next_proto proto, size_t max_chunk,
              const cn_spdy_session_options *client_opts = nullptr,
              const cn_spdy_session_options *server_opts = nullptr) {
    cn_stream_socket *a, *b;
    cn_pipe_socket_pair(loop, netlog, max_chunk, &a, &b);
    cn_spdy_session_options co, so;
    if (client_opts)
      co = *client_opts;
    else
      cn_spdy_session_options_init(&co);
    if (server_opts)
      so = *server_opts;
    else
      cn_spdy_session_options_init(&so);
    co.protocol = so.protocol = proto;
    co.is_server = false;
    so.is_server = true;
    cn_spdy_session_delegate cd = client_rec.delegate(false);
    cn_spdy_session_delegate sd = server_rec.delegate(true);
    EXPECT_EQ(CN_OK, cn_spdy_session_create(loop, a, &co, &cd, netlog, &client));
    EXPECT_EQ(CN_OK, cn_spdy_session_create(loop, b, &so, &sd, netlog, &server));
  }
  ~SessionPair() {
    DestroyClient();
    server_rec.streams.clear();
    DestroyServer();
  }
  SessionPair(const SessionPair &) = delete;
  SessionPair &operator=(const SessionPair &) = delete;

  void DestroyClient() {
    cn_spdy_session_destroy(client);
    client = nullptr;
  }
  void DestroyServer() {
    cn_spdy_session_destroy(server);
    server = nullptr;
  }

  cn_spdy_session *client = nullptr;
  cn_spdy_session *server = nullptr;
  DelegateRecorder client_rec;
  DelegateRecorder server_rec;
};

// One frame a RawPeer decoded.
struct RawFrame {
  std::string type;  // HEADERS DATA RST_STREAM SETTINGS PING GOAWAY WINDOW_UPDATE
  uint32_t stream_id = 0;
  bool fin = false;
  bool ack = false;
  uint32_t code = 0;
  std::string data;
  uint32_t last_id = 0;
  uint64_t opaque = 0;
  uint32_t delta = 0;
  cn_spdy_headers_kind kind = CN_SPDY_HEADERS_REQUEST;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<cn_spdy_setting> settings;
  uint8_t spdy_priority = 0;
  uint16_t weight = 0;
};

// The other end of a session, frame by frame: its own framer on a pipe end,
// recording every frame the session sends and sending whatever the test
// asks (any bytes at all with WriteRaw).
class RawPeer {
 public:
  // |loop| is the one |sock| runs on (writes never run it: Flush).
  RawPeer(uv_loop_t *loop, cn_stream_socket *sock, cn_next_proto proto, bool is_server)
      : sock_(sock), proto_(proto) {
    framer_ = cn_spdy_framer_new(proto, is_server, nullptr);
    buf_ = cn_iobuf_new(65536);
    cn_bytebuf_init(&out_);
  }
  ~RawPeer() {
    cn_stream_socket_destroy(sock_);
    cn_spdy_framer_destroy(framer_);
    cn_iobuf_unref(buf_);
    cn_bytebuf_free(&out_);
  }
  RawPeer(const RawPeer &) = delete;
  RawPeer &operator=(const RawPeer &) = delete;

  // The preface (HTTP/2 client) and SETTINGS, then reading.
  void Start(std::vector<cn_spdy_setting> settings = {}) {
    cn_spdy_framer_write_preface(framer_, &out_);
    cn_spdy_framer_write_settings(framer_, settings.data(), settings.size(), &out_);
    Flush();
    Read();
  }

  void SendHeaders(uint32_t id, const std::vector<std::pair<std::string, std::string>> &fields,
                   bool fin, cn_spdy_headers_kind kind = CN_SPDY_HEADERS_RESPONSE,
                   uint32_t associated = 0) {
    auto h = HeaderArray(fields);
    cn_spdy_headers_frame f = {};
    f.stream_id = id;
    f.kind = kind;
    f.fin = fin;
    f.associated_stream_id = associated;
    f.headers = h.data();
    f.num_headers = h.size();
    EXPECT_EQ(CN_OK, cn_spdy_framer_write_headers(framer_, &f, &out_));
    Flush();
  }
  // A response head: ":status" (+ ":version" for SPDY).
  void SendResponse(uint32_t id, int status, bool fin) {
    std::vector<std::pair<std::string, std::string>> fields = {{":status", std::to_string(status)}};
    if (proto_ == CN_PROTO_SPDY31)
      fields.push_back({":version", "HTTP/1.1"});
    SendHeaders(id, fields, fin);
  }
  void SendData(uint32_t id, const std::string &data, bool fin) {
    size_t off = 0;
    do {
      size_t n = std::min<size_t>(data.size() - off, 16384);
      cn_spdy_framer_write_data(framer_, id, reinterpret_cast<const uint8_t *>(data.data()) + off,
                                n, fin && off + n == data.size(), &out_);
      off += n;
    } while (off < data.size());
    Flush();
  }
  void SendRst(uint32_t id, uint32_t code) {
    cn_spdy_framer_write_rst_stream(framer_, id, code, &out_);
    Flush();
  }
  void SendGoaway(uint32_t last_id, uint32_t code) {
    cn_spdy_framer_write_goaway(framer_, last_id, code, &out_);
    Flush();
  }
  void SendPing(uint64_t opaque, bool ack) {
    cn_spdy_framer_write_ping(framer_, opaque, ack, &out_);
    Flush();
  }
  void SendWindowUpdate(uint32_t id, uint32_t delta) {
    cn_spdy_framer_write_window_update(framer_, id, delta, &out_);
    Flush();
  }
  void SendSettings(std::vector<cn_spdy_setting> settings) {
    cn_spdy_framer_write_settings(framer_, settings.data(), settings.size(), &out_);
    Flush();
  }
  void WriteRaw(const std::string &bytes) {
    cn_bytebuf_append(&out_, bytes.data(), bytes.size());
    Flush();
  }
  // EOF to the session.
  void Close() {
    cn_stream_socket_destroy(sock_);
    sock_ = nullptr;
  }

  size_t Count(const std::string &type) const {
    size_t n = 0;
    for (const auto &f : frames)
      n += f.type == type;
    return n;
  }
  const RawFrame *Find(const std::string &type, uint32_t stream_id = 0) const {
    for (const auto &f : frames) {
      if (f.type == type && (stream_id == 0 || f.stream_id == stream_id))
        return &f;
    }
    return nullptr;
  }
  // Stream ids of the HEADERS received, in order.
  std::vector<uint32_t> HeaderIds() const {
    std::vector<uint32_t> ids;
    for (const auto &f : frames) {
      if (f.type == "HEADERS")
        ids.push_back(f.stream_id);
    }
    return ids;
  }

  // While on, frames sent are kept; turning it off sends them all in one
  // write (so they arrive together, in one read of a whole pipe).
  void Batch(bool on) {
    batching_ = on;
    Flush();
  }

  std::vector<RawFrame> frames;
  bool eof = false;
  int decode_error = 0;
  bool auto_settings_ack = true;
  bool answer_pings = true;

 private:
  // Writes what is queued without running the loop (a write over TLS may
  // complete later: it continues from its callback), so frames may be sent
  // from inside any callback.
  void Flush() {
    while (sock_ && !writing_ && !batching_ && cn_bytebuf_len(&out_) > 0) {
      cn_iobuf *buf = cn_iobuf_from_copy(cn_bytebuf_head(&out_), cn_bytebuf_len(&out_));
      int rv = cn_stream_socket_write(sock_, buf, buf->size, &OnWritten, this);
      cn_iobuf_unref(buf);
      if (rv == CN_ERR_IO_PENDING) {
        writing_ = true;
        return;
      }
      if (!Wrote(rv))
        return;
    }
  }
  static void OnWritten(void *arg, int rv) {
    auto *self = static_cast<RawPeer *>(arg);
    self->writing_ = false;
    if (self->Wrote(rv))
      self->Flush();
  }
  bool Wrote(int rv) {
    EXPECT_GT(rv, 0) << "the raw peer's write failed";
    if (rv <= 0) {
      cn_bytebuf_clear(&out_);
      return false;
    }
    cn_bytebuf_consume(&out_, static_cast<size_t>(rv));
    return true;
  }
  void Read() {
    while (sock_) {
      int rv = cn_stream_socket_read(sock_, buf_, buf_->size, &OnRead, this);
      if (rv == CN_ERR_IO_PENDING)
        return;
      if (!Process(rv))
        return;
    }
  }
  static void OnRead(void *arg, int rv) {
    auto *self = static_cast<RawPeer *>(arg);
    if (self->Process(rv))
      self->Read();
  }
  bool Process(int rv) {
    if (rv <= 0) {
      eof = true;
      return false;
    }
    cn_spdy_frame_visitor v = {};
    v.ctx = this;
    v.on_headers = [](void *ctx, const cn_spdy_headers_frame *f) {
      RawFrame r;
      r.type = "HEADERS";
      r.stream_id = f->stream_id;
      r.fin = f->fin;
      r.kind = f->kind;
      r.spdy_priority = f->spdy_priority;
      r.weight = f->weight;
      for (size_t i = 0; i < f->num_headers; i++)
        r.headers.push_back({std::string(f->headers[i].name, f->headers[i].name_len),
                             std::string(f->headers[i].value, f->headers[i].value_len)});
      static_cast<RawPeer *>(ctx)->frames.push_back(r);
      return 0;
    };
    v.on_data = [](void *ctx, uint32_t id, const uint8_t *data, size_t len, bool fin, size_t) {
      RawFrame r;
      r.type = "DATA";
      r.stream_id = id;
      r.fin = fin;
      r.data.assign(reinterpret_cast<const char *>(data), len);
      static_cast<RawPeer *>(ctx)->frames.push_back(r);
      return 0;
    };
    v.on_rst_stream = [](void *ctx, uint32_t id, uint32_t code) {
      RawFrame r;
      r.type = "RST_STREAM";
      r.stream_id = id;
      r.code = code;
      static_cast<RawPeer *>(ctx)->frames.push_back(r);
      return 0;
    };
    v.on_settings = [](void *ctx, const cn_spdy_setting *set, size_t num, bool ack) {
      auto *self = static_cast<RawPeer *>(ctx);
      RawFrame r;
      r.type = "SETTINGS";
      r.ack = ack;
      r.settings.assign(set, set + num);
      self->frames.push_back(r);
      if (!ack && self->auto_settings_ack && self->proto_ == CN_PROTO_HTTP2)
        cn_spdy_framer_write_settings_ack(self->framer_, &self->out_);
      return 0;
    };
    v.on_ping = [](void *ctx, uint64_t opaque, bool ack) {
      auto *self = static_cast<RawPeer *>(ctx);
      RawFrame r;
      r.type = "PING";
      r.opaque = opaque;
      r.ack = ack;
      self->frames.push_back(r);
      if (!ack && self->answer_pings)
        cn_spdy_framer_write_ping(self->framer_, opaque, true, &self->out_);
      return 0;
    };
    v.on_goaway = [](void *ctx, uint32_t last, uint32_t code, const uint8_t *, size_t) {
      RawFrame r;
      r.type = "GOAWAY";
      r.last_id = last;
      r.code = code;
      static_cast<RawPeer *>(ctx)->frames.push_back(r);
      return 0;
    };
    v.on_window_update = [](void *ctx, uint32_t id, uint32_t delta) {
      RawFrame r;
      r.type = "WINDOW_UPDATE";
      r.stream_id = id;
      r.delta = delta;
      static_cast<RawPeer *>(ctx)->frames.push_back(r);
      return 0;
    };
    int err = cn_spdy_framer_process(framer_, buf_->data, static_cast<size_t>(rv), &v);
    if (err < 0)
      decode_error = err;
    Flush();
    return err >= 0;
  }

  cn_stream_socket *sock_;
  cn_next_proto proto_;
  cn_spdy_framer *framer_;
  cn_iobuf *buf_;
  cn_bytebuf out_;
  bool writing_ = false;
  bool batching_ = false;
};

}  // namespace cnet_test

#endif  // CNET_NET_SPDY_SPDY_SESSION_TEST_UTIL_H_
