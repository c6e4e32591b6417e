// C++ helpers for the test server's own tests: connect with cnet's TCP and
// TLS client sockets, a tiny HTTP/1.1 response reader (the real client is
// written elsewhere; this one only has to be obviously right), and running
// a subprocess on the test's loop.
#ifndef CNET_TOOLS_TESTSERVER_TEST_SERVER_TEST_UTIL_H_
#define CNET_TOOLS_TESTSERVER_TEST_SERVER_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <signal.h>
#include <strings.h>
#include <uv.h>

#include <string>
#include <utility>
#include <vector>

#include "net/base/ip_endpoint.h"
#include "net/socket/socket_test_util.h"
#include "net/socket/ssl_context.h"
#include "net/socket/ssl_socket.h"
#include "net/socket/tcp_socket.h"
#include "tools/testserver/origin_handler.h"

namespace cnet_test {

inline std::string PatternBytes(uint64_t offset, size_t len) {
  std::string s(len, '\0');
  cn_ts_pattern_fill(reinterpret_cast<uint8_t *>(&s[0]), offset, len);
  return s;
}

// Connects TCP to |ep|; returns the socket (caller destroys) or nullptr
// with *rv set.
inline cn_stream_socket *ConnectTcp(uv_loop_t *loop, const cn_ip_endpoint &ep, int *rv) {
  cn_address_list addrs;
  cn_address_list_init(&addrs);
  cn_address_list_append(&addrs, &ep);
  cn_stream_socket *s = cn_tcp_socket_new(loop, &addrs, nullptr);
  cn_address_list_free(&addrs);
  TestCompletion c;
  *rv = c.WaitForResult(loop, cn_stream_socket_connect(s, c.cb(), c.arg()));
  if (*rv != CN_OK) {
    cn_stream_socket_destroy(s);
    return nullptr;
  }
  return s;
}

// TCP then TLS as a client verifying |host|. Returns the TLS socket, or
// nullptr with *rv set to the error.
inline cn_stream_socket *ConnectTls(uv_loop_t *loop, const cn_ip_endpoint &ep,
                                    cn_ssl_context *ctx, const char *host, int *rv,
                                    const cn_ssl_config *config = nullptr) {
  cn_stream_socket *tcp = ConnectTcp(loop, ep, rv);
  if (!tcp)
    return nullptr;
  cn_ssl_socket_params p = {};
  p.context = ctx;
  p.config = config;
  p.host = host;
  cn_stream_socket *ssl = cn_ssl_socket_new(nullptr, tcp, &p);
  TestCompletion c;
  *rv = c.WaitForResult(loop, cn_stream_socket_connect(ssl, c.cb(), c.arg()));
  if (*rv != CN_OK) {
    cn_stream_socket_destroy(ssl);
    return nullptr;
  }
  return ssl;
}

struct Response {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // de-chunked
  int chunks = 0;    // data chunks of a chunked body
  bool complete = false;  // the body's framing was satisfied
  int last_read = 0;      // the last read result (0 EOF, < 0 error)
  std::string Header(const std::string &name) const {
    for (const auto &h : headers) {
      if (strcasecmp(h.first.c_str(), name.c_str()) == 0)
        return h.second;
    }
    return "";
  }
  bool HasHeader(const std::string &name) const {
    for (const auto &h : headers) {
      if (strcasecmp(h.first.c_str(), name.c_str()) == 0)
        return true;
    }
    return false;
  }
};

// Reads HTTP/1.1 responses off one socket, keeping bytes of the next one.
class ResponseReader {
 public:
  ResponseReader(uv_loop_t *loop, cn_stream_socket *s) : loop_(loop), s_(s) {}

  // One read of whatever is there; appends it. Returns the read result.
  int ReadMore() {
    cn_iobuf *buf = cn_iobuf_new(65536);
    TestCompletion c;
    int rv = c.WaitForResult(loop_, cn_stream_socket_read(s_, buf, buf->size, c.cb(), c.arg()));
    if (rv > 0)
      buf_.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(rv));
    cn_iobuf_unref(buf);
    return rv;
  }

  // Reads up to and including the next CRLF; false at EOF or error.
  bool ReadLine(std::string *line, int *last) {
    for (;;) {
      size_t pos = buf_.find("\r\n");
      if (pos != std::string::npos) {
        *line = buf_.substr(0, pos);
        buf_.erase(0, pos + 2);
        return true;
      }
      *last = ReadMore();
      if (*last <= 0)
        return false;
    }
  }

  // Ensures |n| bytes are buffered; false if the stream ended first.
  bool Need(size_t n, int *last) {
    while (buf_.size() < n) {
      *last = ReadMore();
      if (*last <= 0)
        return false;
    }
    return true;
  }

  // Reads one response (skipping 1xx interim ones). |head|: the request
  // was HEAD, so no body follows.
  Response Read(bool head = false) {
    Response r;
    int last = 1;
    std::string line;
    for (;;) {
      if (!ReadLine(&line, &last)) {
        r.last_read = last;
        return r;
      }
      r.status_line = line;
      r.status = line.size() >= 12 ? std::atoi(line.c_str() + 9) : 0;
      r.headers.clear();
      while (ReadLine(&line, &last) && !line.empty()) {
        size_t colon = line.find(':');
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        while (!value.empty() && value[0] == ' ')
          value.erase(0, 1);
        r.headers.emplace_back(line.substr(0, colon), value);
      }
      if (last <= 0) {
        r.last_read = last;
        return r;
      }
      if (r.status >= 200)
        break;
    }
    if (head || r.status == 204 || r.status == 304) {
      r.complete = true;
      return r;
    }
    if (strcasecmp(r.Header("Transfer-Encoding").c_str(), "chunked") == 0) {
      for (;;) {
        if (!ReadLine(&line, &last))
          break;
        size_t size = std::stoul(line, nullptr, 16);
        if (size == 0) {
          // Trailers, then the empty line.
          while (ReadLine(&line, &last) && !line.empty()) {
          }
          r.complete = last > 0;
          break;
        }
        if (!Need(size + 2, &last))
          break;
        r.body.append(buf_, 0, size);
        EXPECT_EQ("\r\n", buf_.substr(size, 2)) << "chunk not followed by CRLF";
        buf_.erase(0, size + 2);
        r.chunks++;
      }
    } else if (r.HasHeader("Content-Length")) {
      size_t n = std::stoull(r.Header("Content-Length"));
      bool ok = Need(n, &last);
      size_t have = std::min(n, buf_.size());
      r.body = buf_.substr(0, have);
      buf_.erase(0, have);
      r.complete = ok;
    } else {
      // Close-delimited.
      for (;;) {
        r.body += buf_;
        buf_.clear();
        last = ReadMore();
        if (last <= 0)
          break;
      }
      r.complete = last == 0;
    }
    r.last_read = last;
    return r;
  }

  const std::string &buffered() const { return buf_; }

 private:
  uv_loop_t *loop_;
  cn_stream_socket *s_;
  std::string buf_;
};

// Runs a program on |loop| (uv_spawn: no thread needed, the in-process
// server keeps running while it does) and collects its output.
struct ProcessResult {
  bool spawned = false;
  int64_t exit_status = -1;
  int term_signal = 0;
  std::string out;
  std::string err;
};

class Subprocess {
 public:
  // Starts |args| (args[0] is the path). Returns false if it could not be
  // spawned.
  bool Start(uv_loop_t *loop, const std::vector<std::string> &args) {
    loop_ = loop;
    std::vector<char *> argv;
    for (const auto &a : args)
      argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    uv_pipe_init(loop, &out_pipe_, 0);
    uv_pipe_init(loop, &err_pipe_, 0);
    out_pipe_.data = &result_.out;
    err_pipe_.data = &result_.err;
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
    stdio[1].data.stream = reinterpret_cast<uv_stream_t *>(&out_pipe_);
    stdio[2].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
    stdio[2].data.stream = reinterpret_cast<uv_stream_t *>(&err_pipe_);
    uv_process_options_t o = {};
    o.file = argv[0];
    o.args = argv.data();
    o.stdio = stdio;
    o.stdio_count = 3;
    o.exit_cb = [](uv_process_t *p, int64_t status, int sig) {
      auto *self = static_cast<Subprocess *>(p->data);
      self->result_.exit_status = status;
      self->result_.term_signal = sig;
      self->exited_ = true;
      uv_close(reinterpret_cast<uv_handle_t *>(p), nullptr);
    };
    process_.data = this;
    int rv = uv_spawn(loop, &process_, &o);
    if (rv != 0) {
      uv_close(reinterpret_cast<uv_handle_t *>(&out_pipe_), nullptr);
      uv_close(reinterpret_cast<uv_handle_t *>(&err_pipe_), nullptr);
      uv_close(reinterpret_cast<uv_handle_t *>(&process_), nullptr);
      uv_run(loop, UV_RUN_NOWAIT);
      return false;
    }
    result_.spawned = true;
    StartReading(&out_pipe_, &out_open_);
    StartReading(&err_pipe_, &err_open_);
    return true;
  }

  // Runs the loop until |pred| holds or |timeout_ms| passed.
  template <typename Pred>
  bool RunUntil(Pred pred, uint64_t timeout_ms = 20000) {
    return cnet_test::RunUntil(loop_, pred, timeout_ms);
  }

  // Waits for exit and the end of both output streams.
  ProcessResult Wait(uint64_t timeout_ms = 20000) {
    bool ok = RunUntil([&] { return exited_ && !out_open_ && !err_open_; }, timeout_ms);
    EXPECT_TRUE(ok) << "subprocess did not finish in time";
    if (!ok) {
      Kill(SIGKILL);
      RunUntil([&] { return exited_ && !out_open_ && !err_open_; }, 5000);
    }
    return result_;
  }

  ~Subprocess() {
    if (result_.spawned && (!exited_ || out_open_ || err_open_)) {
      Kill(SIGKILL);
      RunUntil([&] { return exited_ && !out_open_ && !err_open_; }, 5000);
    }
  }

  void Kill(int sig) {
    if (!exited_)
      uv_process_kill(&process_, sig);
  }

  const std::string &out() const { return result_.out; }
  bool exited() const { return exited_; }

 private:
  struct ReadCtx {
    std::string *sink;
    bool *open;
  };
  void StartReading(uv_pipe_t *pipe, bool *open) {
    *open = true;
    pipe->data = new ReadCtx{pipe == &out_pipe_ ? &result_.out : &result_.err, open};
    uv_read_start(
        reinterpret_cast<uv_stream_t *>(pipe),
        [](uv_handle_t *, size_t suggested, uv_buf_t *buf) {
          buf->base = new char[suggested];
          buf->len = suggested;
        },
        [](uv_stream_t *stream, ssize_t n, const uv_buf_t *buf) {
          auto *ctx = static_cast<ReadCtx *>(stream->data);
          if (n > 0)
            ctx->sink->append(buf->base, static_cast<size_t>(n));
          delete[] buf->base;
          if (n < 0) {
            *ctx->open = false;
            delete ctx;
            stream->data = nullptr;
            uv_close(reinterpret_cast<uv_handle_t *>(stream), nullptr);
          }
        });
  }

  uv_loop_t *loop_ = nullptr;
  uv_process_t process_;
  uv_pipe_t out_pipe_;
  uv_pipe_t err_pipe_;
  bool exited_ = false;
  bool out_open_ = false;
  bool err_open_ = false;
  ProcessResult result_;
};

}  // namespace cnet_test

#endif  // CNET_TOOLS_TESTSERVER_TEST_SERVER_TEST_UTIL_H_
