// Test side of the cn_client_socket_factory seam (client_socket_factory.h),
// after Chromium's MockClientSocketFactory: the test queues the transport
// sockets the code under test will get, in order — scripted mock sockets
// (mock_socket.h) or sockets the test makes itself (one end of a pipe with a
// test peer on the other) — and passes factory.get() to a transport job
// context or to cn_http_network_session_params.socket_factory.
//
// Each socket handed out is wrapped so that what happened to it survives its
// destruction by the stack: the addresses it was asked to reach, whether it
// is still alive, and for mocks whether the script ran to the end without a
// mismatch. ExpectAllUsedAndDone() checks that every queued socket was
// asked for, each script was consumed without failure, and no socket was
// asked for beyond the queue (those get a socket whose connect fails with
// CN_ERR_UNEXPECTED).
//
// Ownership: the factory owns the scripts (the mock copies its op array but
// not the bytes), so it must outlive every socket it made: declare it before
// the pools/session in a fixture. Loop thread only.
#ifndef CNET_NET_SOCKET_MOCK_CLIENT_SOCKET_FACTORY_H_
#define CNET_NET_SOCKET_MOCK_CLIENT_SOCKET_FACTORY_H_

#include <gtest/gtest.h>
#include <uv.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/mem.h"
#include "net/socket/client_socket_factory.h"
#include "net/socket/mock_socket.h"
#include "net/socket/stream_socket.h"

namespace cnet_test {

// A mock socket's script, keeping its bytes alive. Modes default to ASYNC,
// the harder case for callers.
class SocketScript {
 public:
  SocketScript &Write(const std::string &data, cn_mock_mode mode = CN_MOCK_ASYNC) {
    return Add(CN_MOCK_WRITE, mode, data, 0);
  }
  SocketScript &WriteError(int err, cn_mock_mode mode = CN_MOCK_ASYNC) {
    return Add(CN_MOCK_WRITE, mode, "", err);
  }
  SocketScript &Read(const std::string &data, cn_mock_mode mode = CN_MOCK_ASYNC) {
    return Add(CN_MOCK_READ, mode, data, 0);
  }
  SocketScript &ReadEof(cn_mock_mode mode = CN_MOCK_ASYNC) {
    return Add(CN_MOCK_READ, mode, "", 0);
  }
  SocketScript &ReadError(int err, cn_mock_mode mode = CN_MOCK_ASYNC) {
    return Add(CN_MOCK_READ, mode, "", err);
  }
  // Stops the script here until the test resumes it
  // (MockClientSocketFactory::Resume, cn_mock_socket_resume).
  SocketScript &Pause() { return Add(CN_MOCK_PAUSE, CN_MOCK_ASYNC, "", 0); }
  // How connect() behaves (default: succeeds synchronously).
  SocketScript &Connect(int result, cn_mock_mode mode = CN_MOCK_ASYNC) {
    config_.connect_result = result;
    config_.connect_mode = mode;
    return *this;
  }

  std::vector<cn_mock_op> ops() const {
    std::vector<cn_mock_op> out;
    for (size_t i = 0; i < data_.size(); i++) {
      cn_mock_op op{};
      op.kind = kinds_[i];
      op.mode = modes_[i];
      op.data = data_[i].empty() ? nullptr : data_[i].data();
      op.len = data_[i].size();
      op.result = results_[i];
      out.push_back(op);
    }
    return out;
  }
  const cn_mock_socket_config &config() const { return config_; }

 private:
  SocketScript &Add(cn_mock_kind kind, cn_mock_mode mode, const std::string &data, int result) {
    kinds_.push_back(kind);
    modes_.push_back(mode);
    data_.push_back(data);
    results_.push_back(result);
    return *this;
  }
  std::vector<cn_mock_kind> kinds_;
  std::vector<cn_mock_mode> modes_;
  std::deque<std::string> data_;  // stable addresses
  std::vector<int> results_;
  cn_mock_socket_config config_{CN_MOCK_SYNC, CN_OK, CN_PROTO_UNKNOWN};
};

// What one handed-out socket did.
struct MockSocketRecord {
  std::string addresses;  // what the transport job asked it to reach
  bool is_mock = false;
  bool destroyed = false;
  // Mocks: the script's state, live until destroyed, then as it was then.
  std::string failure;
  bool all_consumed = false;
  size_t position = 0;
};

class MockClientSocketFactory {
 public:
  using Maker = std::function<cn_stream_socket *(uv_loop_t *, cn_netlog *)>;

  MockClientSocketFactory() {
    factory_.create_transport_socket = &MockClientSocketFactory::Create;
    factory_.ctx = this;
  }
  MockClientSocketFactory(const MockClientSocketFactory &) = delete;
  MockClientSocketFactory &operator=(const MockClientSocketFactory &) = delete;

  const cn_client_socket_factory *get() const { return &factory_; }

  // Queues a mock socket running |script|. Returns its index.
  size_t AddMock(const SocketScript &script) {
    scripts_.push_back(std::make_unique<SocketScript>(script));
    const SocketScript *s = scripts_.back().get();
    queue_.push_back([s](uv_loop_t *loop, cn_netlog *netlog) {
      std::vector<cn_mock_op> ops = s->ops();
      return cn_mock_socket_new(loop, netlog, &s->config(), ops.data(), ops.size());
    });
    mock_flags_.push_back(true);
    return queue_.size() - 1;
  }
  // Queues a socket made by |make| when it is asked for (e.g. one end of a
  // pipe). Returns its index.
  size_t AddSocket(Maker make) {
    queue_.push_back(std::move(make));
    mock_flags_.push_back(false);
    return queue_.size() - 1;
  }

  size_t created() const { return records_.size(); }
  size_t queued() const { return queue_.size(); }
  // The record of the |i|th socket handed out (refreshed for live mocks).
  const MockSocketRecord &record(size_t i) {
    Refresh();
    return *records_.at(i);
  }
  // Sockets handed out and not yet destroyed.
  size_t alive() const {
    size_t n = 0;
    for (const auto &r : records_)
      n += !r->destroyed;
    return n;
  }
  size_t unexpected_requests() const { return unexpected_; }

  // The |i|th socket handed out is a live mock whose script stands at a
  // pause (false before it is handed out and after it is destroyed).
  bool IsPaused(size_t i) const {
    const Wrapped *w = Live(i);
    return w && w->rec->is_mock && cn_mock_socket_is_paused(w->inner);
  }
  // Resumes the |i|th socket's script past its pause (it must be live).
  void Resume(size_t i) {
    Wrapped *w = Live(i);
    ASSERT_NE(nullptr, w) << "socket " << i << " is not alive";
    cn_mock_socket_resume(w->inner);
  }

  // Every queued socket was asked for, every mock consumed its whole script
  // without a mismatch, and nothing was asked for beyond the queue.
  void ExpectAllUsedAndDone() {
    Refresh();
    EXPECT_EQ(queue_.size(), records_.size()) << "queued sockets not all used";
    EXPECT_EQ(0u, unexpected_) << "sockets asked for beyond the queue";
    for (size_t i = 0; i < records_.size(); i++) {
      const MockSocketRecord &r = *records_[i];
      if (!r.is_mock)
        continue;
      EXPECT_EQ("", r.failure) << "socket " << i;
      EXPECT_TRUE(r.all_consumed) << "socket " << i << ": script stopped at op " << r.position;
    }
  }

 private:
  // The wrapper handed out: forwards to |inner| and keeps |rec| current.
  struct Wrapped {
    cn_stream_socket base;  // first
    cn_stream_socket *inner;
    MockSocketRecord *rec;
    MockClientSocketFactory *owner;
  };
  static cn_stream_socket *Inner(const cn_stream_socket *s) {
    return reinterpret_cast<const Wrapped *>(s)->inner;
  }
  static void Snapshot(Wrapped *w) {
    if (!w->rec->is_mock)
      return;
    const char *f = cn_mock_socket_failure(w->inner);
    w->rec->failure = f ? f : "";
    w->rec->all_consumed = cn_mock_socket_all_consumed(w->inner);
    w->rec->position = cn_mock_socket_position(w->inner);
  }
  static const cn_stream_socket_ops *Ops() {
    static const cn_stream_socket_ops ops = {
        "mock_factory",
        [](cn_stream_socket *s, cn_completion_cb cb, void *arg) {
          return cn_stream_socket_connect(Inner(s), cb, arg);
        },
        [](cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
          return cn_stream_socket_read(Inner(s), buf, len, cb, arg);
        },
        [](cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
          return cn_stream_socket_write(Inner(s), buf, len, cb, arg);
        },
        [](cn_stream_socket *s) { cn_stream_socket_disconnect(Inner(s)); },
        [](const cn_stream_socket *s) { return cn_stream_socket_is_connected(Inner(s)); },
        [](const cn_stream_socket *s) {
          return cn_stream_socket_is_connected_and_idle(Inner(s));
        },
        [](const cn_stream_socket *s) { return cn_stream_socket_negotiated_protocol(Inner(s)); },
        [](cn_stream_socket *s) {
          Wrapped *w = reinterpret_cast<Wrapped *>(s);
          Snapshot(w);
          w->rec->destroyed = true;
          auto &live = w->owner->live_;
          for (size_t k = 0; k < live.size(); k++) {
            if (live[k] == w) {
              live.erase(live.begin() + static_cast<long>(k));
              break;
            }
          }
          cn_stream_socket_destroy(w->inner);
          cn_stream_socket_log_destroyed(s);
          delete w;
        },
        nullptr,  // shutdown
        [](const cn_stream_socket *s, cn_socket_query q, void *out) {
          // A wrapper: the socket below is the one it wraps.
          if (q != CN_SOCKET_QUERY_LOWER)
            return static_cast<int>(CN_ERR_NOT_IMPLEMENTED);
          *static_cast<const cn_stream_socket **>(out) =
              reinterpret_cast<const Wrapped *>(s)->inner;
          return static_cast<int>(CN_OK);
        },
        nullptr,  // set_keeps_loop_alive: passes down to the wrapped socket
        nullptr,  // read_now: not offered
    };
    return &ops;
  }

  Wrapped *Live(size_t i) const {
    for (Wrapped *w : live_) {
      if (i < records_.size() && w->rec == records_[i].get())
        return w;
    }
    return nullptr;
  }

  void Refresh() {
    for (Wrapped *w : live_)
      Snapshot(w);
  }

  static cn_stream_socket *Create(void *ctx, uv_loop_t *loop, const cn_address_list *addrs,
                                  cn_netlog *netlog) {
    auto *self = static_cast<MockClientSocketFactory *>(ctx);
    char *a = cn_address_list_to_string(addrs);
    std::string addresses = a ? a : "";
    free(a);
    cn_stream_socket *inner;
    bool is_mock;
    size_t i = self->records_.size();
    if (i < self->queue_.size()) {
      inner = self->queue_[i](loop, netlog);
      is_mock = self->mock_flags_[i];
    } else {
      self->unexpected_++;
      cn_mock_socket_config cfg{CN_MOCK_ASYNC, CN_ERR_UNEXPECTED, CN_PROTO_UNKNOWN};
      inner = cn_mock_socket_new(loop, netlog, &cfg, nullptr, 0);
      is_mock = false;
    }
    self->records_.push_back(std::make_unique<MockSocketRecord>());
    MockSocketRecord *rec = self->records_.back().get();
    rec->addresses = addresses;
    rec->is_mock = is_mock;
    Wrapped *w = new Wrapped;
    cn_stream_socket_init(&w->base, Ops(), netlog);
    w->inner = inner;
    w->rec = rec;
    w->owner = self;
    self->live_.push_back(w);
    return &w->base;
  }

  cn_client_socket_factory factory_;
  std::vector<std::unique_ptr<SocketScript>> scripts_;
  std::vector<Maker> queue_;
  std::vector<bool> mock_flags_;
  std::vector<std::unique_ptr<MockSocketRecord>> records_;
  std::vector<Wrapped *> live_;  // handed out, not yet destroyed
  size_t unexpected_ = 0;
};

}  // namespace cnet_test

#endif  // CNET_NET_SOCKET_MOCK_CLIENT_SOCKET_FACTORY_H_
