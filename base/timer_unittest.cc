#include "base/timer.h"

#include <gtest/gtest.h>

namespace {

struct Counter {
  int fired = 0;
  cn_timer *stop_after = nullptr;
  int stop_at = 0;
};

void OnFire(void *arg) {
  Counter *c = static_cast<Counter *>(arg);
  c->fired++;
  if (c->stop_after && c->fired == c->stop_at)
    cn_timer_stop(c->stop_after);
}

TEST(TimerTest, OneShotAndRepeat) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  Counter once, repeat;
  cn_timer *t1 = cn_timer_new(&loop, OnFire, &once);
  cn_timer *t2 = cn_timer_new(&loop, OnFire, &repeat);
  repeat.stop_after = t2;
  repeat.stop_at = 3;
  cn_timer_start(t1, 1, 0);
  cn_timer_start(t2, 1, 1);
  EXPECT_TRUE(cn_timer_is_active(t1));
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(1, once.fired);
  EXPECT_EQ(3, repeat.fired);
  cn_timer_destroy(t1);
  cn_timer_destroy(t2);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(0, uv_loop_close(&loop));
}

TEST(TimerTest, DestroyedTimerNeverFires) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  Counter c;
  cn_timer *t = cn_timer_new(&loop, OnFire, &c);
  cn_timer_start(t, 0, 0);
  cn_timer_destroy(t);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(0, c.fired);
  EXPECT_EQ(0, uv_loop_close(&loop));
}

}  // namespace
