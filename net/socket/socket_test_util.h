// C++ helpers for tests of async cnet code (test-only target
// //net/socket:test_support): run the loop until an event (RunUntil, with a
// watchdog so a lost callback fails the test instead of hanging it), until
// idle (RunUntilIdle) or empty, until a mock script pauses; a test loop that
// checks nothing leaked at teardown; a fake clock owner; mock socket
// assertions. No helper sleeps: docs/testing.md says which wait proves what.
#ifndef CNET_NET_SOCKET_SOCKET_TEST_UTIL_H_
#define CNET_NET_SOCKET_SOCKET_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <uv.h>

#include <functional>
#include <string>

#include "base/fake_clock.h"
#include "base/iobuf.h"
#include "net/base/net_errors.h"
#include "net/socket/mock_socket.h"
#include "net/socket/stream_socket.h"

namespace cnet_test {

// A libuv loop per test. The destructor runs the loop until every handle is
// closed and then requires uv_loop_close to succeed: a leaked handle fails
// the test.
class TestLoop {
 public:
  TestLoop() { uv_loop_init(&loop_); }
  ~TestLoop() {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(0, uv_loop_close(&loop_)) << "libuv handles leaked";
  }
  uv_loop_t *get() { return &loop_; }

 private:
  uv_loop_t loop_;
};

// Owns a fake clock (base/fake_clock.h): declare it before everything that
// is given get(), so that it is destroyed after them.
class FakeClock {
 public:
  explicit FakeClock(uint64_t start_ms = 0) : clock_(cn_fake_clock_new(start_ms)) {}
  ~FakeClock() { cn_fake_clock_destroy(clock_); }
  FakeClock(const FakeClock &) = delete;
  FakeClock &operator=(const FakeClock &) = delete;
  cn_clock *get() { return cn_fake_clock_get(clock_); }
  // Moves time forward by |ms|, firing the timers due on the way.
  void Advance(uint64_t ms) { cn_fake_clock_advance(clock_, ms); }
  uint64_t now_ms() const { return cn_fake_clock_now_ms(clock_); }
  size_t active_timers() const { return cn_fake_clock_active_timers(clock_); }

 private:
  cn_fake_clock *clock_;
};

// Bounds a wait: after |timeout_ms| it records that it fired and stops the
// loop. Unless it |keeps_loop_alive|, it does not count as work for the
// loop. Closed when it goes out of scope.
class Watchdog {
 public:
  Watchdog(uv_loop_t *loop, uint64_t timeout_ms, bool keeps_loop_alive = true) : loop_(loop) {
    uv_timer_init(loop, &timer_);
    timer_.data = this;
    uv_timer_start(
        &timer_,
        [](uv_timer_t *t) {
          static_cast<Watchdog *>(t->data)->fired_ = true;
          uv_stop(t->loop);
        },
        timeout_ms, 0);
    if (!keeps_loop_alive)
      uv_unref(reinterpret_cast<uv_handle_t *>(&timer_));
  }
  ~Watchdog() {
    uv_timer_stop(&timer_);
    uv_close(reinterpret_cast<uv_handle_t *>(&timer_), nullptr);
    uv_run(loop_, UV_RUN_NOWAIT);  // lets the close finish
  }
  Watchdog(const Watchdog &) = delete;
  Watchdog &operator=(const Watchdog &) = delete;
  bool fired() const { return fired_; }

 private:
  uv_loop_t *loop_;
  uv_timer_t timer_;
  bool fired_ = false;
};

// Runs the loop until |done()| holds — the event a test waits for (a
// callback ran, a socket closed, a mock script reached its pause) — checking
// it before every poll. Returns false if it did not hold within
// |timeout_ms| — a watchdog, never the expected outcome: callers assert the
// result (ASSERT_TRUE(RunUntil(...))).
inline bool RunUntil(uv_loop_t *loop, const std::function<bool()> &done,
                     uint64_t timeout_ms = 10000) {
  if (done())
    return true;
  struct State {
    const std::function<bool()> *done;
    bool met = false;
  } state{&done};
  uv_prepare_t check;
  uv_prepare_init(loop, &check);
  check.data = &state;
  // Prepare handles run right before the loop would block in poll, after
  // every timer and I/O callback of the iteration: the first moment |done|
  // can be seen true.
  uv_prepare_start(&check, [](uv_prepare_t *h) {
    auto *st = static_cast<State *>(h->data);
    if ((*st->done)()) {
      st->met = true;
      uv_stop(h->loop);
    }
  });
  {
    Watchdog watchdog(loop, timeout_ms);
    while (!state.met && !watchdog.fired()) {
      uv_run(loop, UV_RUN_DEFAULT);
      if (!state.met && done())
        state.met = true;  // someone else stopped the loop
    }
    uv_prepare_stop(&check);
    uv_close(reinterpret_cast<uv_handle_t *>(&check), nullptr);
  }
  return state.met;
}

// Receives one completion. WaitForResult() runs the loop until it arrives,
// failing after |timeout_ms| (default 10 s) rather than hanging.
class TestCompletion {
 public:
  static void Callback(void *arg, int result) {
    auto *self = static_cast<TestCompletion *>(arg);
    EXPECT_FALSE(self->done_) << "completion callback ran twice";
    self->done_ = true;
    self->result_ = result;
  }
  cn_completion_cb cb() const { return &Callback; }
  void *arg() { return this; }
  bool done() const { return done_; }

  // |rv| is what the call returned: if it is not IO_PENDING it is the
  // result and no callback may follow.
  int WaitForResult(uv_loop_t *loop, int rv, uint64_t timeout_ms = 10000) {
    if (rv != CN_ERR_IO_PENDING)
      return rv;
    if (!RunUntil(loop, [this] { return done_; }, timeout_ms)) {
      ADD_FAILURE() << "callback did not run within " << timeout_ms << " ms";
      return CN_ERR_TIMED_OUT;
    }
    done_ = false;
    return result_;
  }

 private:
  bool done_ = false;
  int result_ = 0;
};

// Runs the loop, never blocking, until it is idle: no timer due now, no
// pending callback — every "run soon" task (0 ms timers: mock and pipe
// socket completions, pool and session notify queues) has run, including
// those the tasks posted. Chromium's RunLoop::RunUntilIdle: after it, what
// has not happened will not happen without new input (a mock resumed, the
// fake clock advanced, bytes from a peer). It does not wait for the kernel:
// with real sockets wait for the event instead (RunUntil).
inline void RunUntilIdle(uv_loop_t *loop) {
  for (int i = 0; i < 100000; i++) {
    uv_run(loop, UV_RUN_NOWAIT);
    if (!uv_loop_alive(loop) || uv_backend_timeout(loop) != 0)
      return;
  }
  ADD_FAILURE() << "the loop never became idle (a task posting itself forever?)";
}

// Runs the loop until it has nothing left: every handle closed, every
// timer gone — so every callback that could still run has run. Fails the
// test if handles stay active for |timeout_ms| (something still owned is
// alive: a test using this destroys everything first).
inline bool RunUntilLoopEmpty(uv_loop_t *loop, uint64_t timeout_ms = 10000) {
  Watchdog watchdog(loop, timeout_ms, /*keeps_loop_alive=*/false);
  while (!watchdog.fired() && uv_run(loop, UV_RUN_DEFAULT) != 0) {
  }
  if (watchdog.fired())
    ADD_FAILURE() << "loop still has active handles after " << timeout_ms << " ms";
  return !watchdog.fired();
}

// Runs the loop until the mock socket |s| stands at a PAUSE of its script.
inline bool RunUntilPaused(uv_loop_t *loop, const cn_stream_socket *s) {
  bool paused = RunUntil(loop, [s] { return cn_mock_socket_is_paused(s); });
  EXPECT_TRUE(paused) << "the script never reached its pause";
  return paused;
}

// Writes all of |data|, waiting as needed. Returns CN_OK or the error.
inline int WriteAll(uv_loop_t *loop, cn_stream_socket *s, const std::string &data) {
  size_t off = 0;
  while (off < data.size()) {
    cn_iobuf *buf = cn_iobuf_from_copy(data.data() + off, data.size() - off);
    TestCompletion c;
    int rv = c.WaitForResult(loop, cn_stream_socket_write(s, buf, buf->size, c.cb(), c.arg()));
    cn_iobuf_unref(buf);
    if (rv < 0)
      return rv;
    if (rv == 0)
      return CN_ERR_UNEXPECTED;
    off += static_cast<size_t>(rv);
  }
  return CN_OK;
}

// Reads until |n| bytes arrived, EOF, or an error; returns what was read and
// stores the last result (0 at EOF, < 0 on error, > 0 if |n| was reached).
inline std::string ReadBytes(uv_loop_t *loop, cn_stream_socket *s, size_t n, int *last = nullptr,
                             size_t chunk = 16384) {
  std::string out;
  int rv = 1;
  while (out.size() < n) {
    cn_iobuf *buf = cn_iobuf_new(chunk);
    TestCompletion c;
    size_t want = n - out.size() < chunk ? n - out.size() : chunk;
    rv = c.WaitForResult(loop, cn_stream_socket_read(s, buf, want, c.cb(), c.arg()));
    if (rv > 0)
      out.append(reinterpret_cast<char *>(buf->data), static_cast<size_t>(rv));
    cn_iobuf_unref(buf);
    if (rv <= 0)
      break;
  }
  if (last)
    *last = rv;
  return out;
}

// Reads until EOF or error.
inline std::string ReadAll(uv_loop_t *loop, cn_stream_socket *s, int *last = nullptr) {
  return ReadBytes(loop, s, static_cast<size_t>(-1), last);
}

// Checks a mock socket ran its whole script without a mismatch.
inline void ExpectMockDone(const cn_stream_socket *s) {
  const char *failure = cn_mock_socket_failure(s);
  EXPECT_EQ(nullptr, failure) << failure;
  EXPECT_TRUE(cn_mock_socket_all_consumed(s))
      << "script stopped at op " << cn_mock_socket_position(s);
}

}  // namespace cnet_test

#endif  // CNET_NET_SOCKET_SOCKET_TEST_UTIL_H_
