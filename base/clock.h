// A clock: the current time and timers that fire by it. Code that measures
// time — timeouts, expiry, "idle for how long" — takes a cn_clock so that
// tests can substitute a fake one (base/fake_clock.h) and move time forward
// exactly, instead of sleeping. The default is the libuv loop's own clock
// (cn_loop_clock).
//
// Ownership: a clock is borrowed by whatever takes it and must outlive it
// and every timer made from it. Timers made by cn_clock_timer_new are owned
// by the caller (cn_timer_destroy). Loop thread only.
#ifndef CNET_BASE_CLOCK_H_
#define CNET_BASE_CLOCK_H_

#include <stdint.h>
#include <uv.h>

#include "base/timer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_clock cn_clock;

typedef struct cn_clock_ops {
  uint64_t (*now_ms)(const cn_clock *clock);
  cn_timer *(*timer_new)(cn_clock *clock, cn_timer_cb cb, void *arg);
} cn_clock_ops;

// Implementations start with this.
struct cn_clock {
  const cn_clock_ops *ops;
};

// Milliseconds on |clock|'s monotonic time line (only differences mean
// anything).
uint64_t cn_clock_now_ms(const cn_clock *clock);
// A stopped timer whose delays are measured on |clock|. The caller owns it.
cn_timer *cn_clock_timer_new(cn_clock *clock, cn_timer_cb cb, void *arg);

// The real clock of a libuv loop: now is uv_now(loop), timers are
// cn_timer_new(loop). It holds no resources, so it can be embedded in its
// user (as the pools do for their default) and needs no destroy; its
// timers do not refer to it after they are made.
typedef struct cn_loop_clock {
  cn_clock base;
  uv_loop_t *loop;
} cn_loop_clock;

void cn_loop_clock_init(cn_loop_clock *c, uv_loop_t *loop);

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_CLOCK_H_
