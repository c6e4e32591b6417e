#include "base/clock.h"

#include <gtest/gtest.h>

#include <string>

#include "base/fake_clock.h"

namespace {

// Appends its name and the clock's time to a log when it fires.
struct Probe {
  std::string *log;
  const char *name;
  cn_clock *clock;
  cn_timer *destroy_on_fire = nullptr;
  static void Fire(void *arg) {
    auto *p = static_cast<Probe *>(arg);
    *p->log += std::string(p->name) + "@" + std::to_string(cn_clock_now_ms(p->clock)) + " ";
    if (p->destroy_on_fire) {
      cn_timer_destroy(p->destroy_on_fire);
      p->destroy_on_fire = nullptr;
    }
  }
};

TEST(FakeClockTest, AdvanceFiresDueTimersInOrder) {
  cn_fake_clock *fc = cn_fake_clock_new(1000);
  cn_clock *clock = cn_fake_clock_get(fc);
  std::string log;
  Probe a{&log, "a", clock}, b{&log, "b", clock}, c{&log, "c", clock}, r{&log, "r", clock};
  cn_timer *ta = cn_clock_timer_new(clock, Probe::Fire, &a);
  cn_timer *tb = cn_clock_timer_new(clock, Probe::Fire, &b);
  cn_timer *tc = cn_clock_timer_new(clock, Probe::Fire, &c);
  cn_timer *tr = cn_clock_timer_new(clock, Probe::Fire, &r);
  EXPECT_EQ(1000u, cn_clock_now_ms(clock));
  EXPECT_EQ(-1, cn_fake_clock_ms_to_next(fc));
  cn_timer_start(tb, 30, 0);
  cn_timer_start(ta, 30, 0);  // same moment, started later: fires after b
  cn_timer_start(tc, 10, 0);
  cn_timer_start(tr, 15, 15);
  EXPECT_EQ(4u, cn_fake_clock_active_timers(fc));
  EXPECT_EQ(10, cn_fake_clock_ms_to_next(fc));

  cn_fake_clock_advance(fc, 9);
  EXPECT_EQ("", log);  // nothing is due before 10 ms
  cn_fake_clock_advance(fc, 1);
  EXPECT_EQ("c@1010 ", log);
  EXPECT_FALSE(cn_timer_is_active(tc));
  cn_fake_clock_advance(fc, 50);
  EXPECT_EQ("c@1010 r@1015 b@1030 a@1030 r@1030 r@1045 r@1060 ", log);
  EXPECT_EQ(1060u, cn_clock_now_ms(clock));
  EXPECT_TRUE(cn_timer_is_active(tr));
  cn_timer_stop(tr);
  cn_fake_clock_advance(fc, 100);
  EXPECT_EQ("c@1010 r@1015 b@1030 a@1030 r@1030 r@1045 r@1060 ", log);
  EXPECT_EQ(0u, cn_fake_clock_active_timers(fc));

  cn_timer_destroy(ta);
  cn_timer_destroy(tb);
  cn_timer_destroy(tc);
  cn_timer_destroy(tr);
  cn_fake_clock_destroy(fc);
}

TEST(FakeClockTest, CallbackMayDestroyAnotherTimer) {
  cn_fake_clock *fc = cn_fake_clock_new(0);
  cn_clock *clock = cn_fake_clock_get(fc);
  std::string log;
  Probe first{&log, "first", clock}, second{&log, "second", clock};
  cn_timer *t1 = cn_clock_timer_new(clock, Probe::Fire, &first);
  cn_timer *t2 = cn_clock_timer_new(clock, Probe::Fire, &second);
  first.destroy_on_fire = t2;
  cn_timer_start(t1, 5, 0);
  cn_timer_start(t2, 5, 0);
  cn_fake_clock_advance(fc, 5);
  EXPECT_EQ("first@5 ", log);
  cn_timer_destroy(t1);
  cn_fake_clock_destroy(fc);
}

TEST(FakeClockTest, TimerOutlivingTheClockNeverFires) {
  cn_fake_clock *fc = cn_fake_clock_new(0);
  std::string log;
  Probe p{&log, "p", cn_fake_clock_get(fc)};
  cn_timer *t = cn_clock_timer_new(cn_fake_clock_get(fc), Probe::Fire, &p);
  cn_timer_start(t, 1, 0);
  cn_fake_clock_destroy(fc);
  EXPECT_FALSE(cn_timer_is_active(t));
  cn_timer_destroy(t);
  EXPECT_EQ("", log);
}

TEST(LoopClockTest, NowAndTimersComeFromTheLoop) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  cn_loop_clock lc;
  cn_loop_clock_init(&lc, &loop);
  EXPECT_EQ(uv_now(&loop), cn_clock_now_ms(&lc.base));
  std::string log;
  Probe p{&log, "p", &lc.base};
  cn_timer *t = cn_clock_timer_new(&lc.base, Probe::Fire, &p);
  cn_timer_start(t, 0, 0);
  EXPECT_TRUE(cn_timer_is_active(t));
  uv_run(&loop, UV_RUN_DEFAULT);  // returns once the one-shot timer fired
  EXPECT_EQ(0u, log.find("p@"));
  cn_timer_destroy(t);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(0, uv_loop_close(&loop));
}

}  // namespace
