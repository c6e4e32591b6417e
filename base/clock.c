#include "base/clock.h"

uint64_t cn_clock_now_ms(const cn_clock *clock) { return clock->ops->now_ms(clock); }

cn_timer *cn_clock_timer_new(cn_clock *clock, cn_timer_cb cb, void *arg) {
  return clock->ops->timer_new(clock, cb, arg);
}

static uint64_t loop_now_ms(const cn_clock *clock) {
  return cn_now_ms(((const cn_loop_clock *)clock)->loop);
}

static cn_timer *loop_timer_new(cn_clock *clock, cn_timer_cb cb, void *arg) {
  return cn_timer_new(((cn_loop_clock *)clock)->loop, cb, arg);
}

static const cn_clock_ops kLoopClockOps = {
    .now_ms = loop_now_ms,
    .timer_new = loop_timer_new,
};

void cn_loop_clock_init(cn_loop_clock *c, uv_loop_t *loop) {
  c->base.ops = &kLoopClockOps;
  c->loop = loop;
}
