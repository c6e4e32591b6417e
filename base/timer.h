// One-shot and repeating timers, and "run this soon" tasks.
//
// cn_timer_new() makes a timer on the libuv loop. A loop timer is
// heap-allocated because libuv closes handles asynchronously:
// cn_timer_destroy() stops the timer at once (its callback never runs after
// destroy returns) and the memory is freed later by the loop. Callers must
// therefore never embed a uv handle in an object they free synchronously.
//
// Timers that measure time (timeouts, expiry) should come from a cn_clock
// (base/clock.h) instead, so that tests can drive them with a fake clock;
// "run this soon" tasks (delay 0) stay on the loop.
#ifndef CNET_BASE_TIMER_H_
#define CNET_BASE_TIMER_H_

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_timer cn_timer;
typedef void (*cn_timer_cb)(void *arg);

// A timer on |loop|'s own clock. The caller owns it: cn_timer_destroy.
cn_timer *cn_timer_new(uv_loop_t *loop, cn_timer_cb cb, void *arg);
// (Re)starts the timer: |cb| runs once after |delay_ms|, then every
// |repeat_ms| when that is non-zero. The callback always runs from the
// loop (or, for a fake clock's timer, from cn_fake_clock_advance), never
// from inside this call.
void cn_timer_start(cn_timer *t, uint64_t delay_ms, uint64_t repeat_ms);
void cn_timer_stop(cn_timer *t);
bool cn_timer_is_active(const cn_timer *t);
// Stops and releases the timer. Accepts NULL.
void cn_timer_destroy(cn_timer *t);
// Whether the timer, while active, keeps its loop running (uv_ref, the
// default) or not (uv_unref): housekeeping timers (idle expiry, idle
// sessions' PINGs) say false so that uv_run() returns when only they are
// left. Nothing for a fake clock's timer.
void cn_timer_set_keeps_loop_alive(cn_timer *t, bool keep);

// The loop's cached millisecond clock (uv_now).
uint64_t cn_now_ms(uv_loop_t *loop);

// For timer implementations (the loop's here, a fake clock's in tests):
// every timer starts with its ops, which the functions above call.
typedef struct cn_timer_ops {
  void (*start)(cn_timer *t, uint64_t delay_ms, uint64_t repeat_ms);
  void (*stop)(cn_timer *t);
  bool (*is_active)(const cn_timer *t);
  void (*destroy)(cn_timer *t);
  void (*set_keeps_loop_alive)(cn_timer *t, bool keep);  // optional
} cn_timer_ops;

struct cn_timer {
  const cn_timer_ops *ops;
};

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_TIMER_H_
