#include "base/tick_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

class TickQueueTest : public ::testing::Test {
 public:
  cn_tick_queue *q_ = nullptr;
  void *later_ = nullptr;

 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    q_ = cn_tick_queue_new(&loop_);
  }
  void TearDown() override {
    cn_tick_queue_destroy(q_);
    uv_run(&loop_, UV_RUN_DEFAULT);  // reaps the idle handle
    EXPECT_EQ(0, uv_loop_close(&loop_));
  }

  struct Item {
    TickQueueTest *test;
    std::string name;
    void (*then)(Item *) = nullptr;
  };
  static void Run(void *obj) {
    Item *i = static_cast<Item *>(obj);
    i->test->ran_.push_back(i->name);
    if (i->then)
      i->then(i);
  }

  uv_loop_t loop_;
  std::vector<std::string> ran_;
};

TEST_F(TickQueueTest, RunsOnTheNextTurnInOrder) {
  Item a{this, "a"}, b{this, "b"}, c{this, "c"};
  cn_tick_post(q_, Run, &a);
  cn_tick_post(q_, Run, &b);
  cn_tick_post(q_, Run, &c);
  EXPECT_TRUE(ran_.empty());  // never inside the call that posted
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ((std::vector<std::string>{"a", "b", "c"}), ran_);
  EXPECT_EQ(0, uv_loop_alive(&loop_)) << "nothing queued: the idle handle is stopped";
}

TEST_F(TickQueueTest, PostedFromATickRunsOnTheTurnAfter) {
  Item later{this, "later"};
  Item first{this, "first", [](Item *i) {
               Item *l = static_cast<Item *>(i->test->later_);
               cn_tick_post(i->test->q_, Run, l);
             }};
  later_ = &later;
  cn_tick_post(q_, Run, &first);
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ((std::vector<std::string>{"first"}), ran_);
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ((std::vector<std::string>{"first", "later"}), ran_);
}

TEST_F(TickQueueTest, CancelledTicksDoNotRun) {
  Item a{this, "a"}, b{this, "b"};
  cn_tick *ta = cn_tick_post(q_, Run, &a);
  cn_tick_post(q_, Run, &b);
  cn_tick_cancel(ta);
  cn_tick_cancel(nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ((std::vector<std::string>{"b"}), ran_);
}

// The point of one handle for the queue: after the ticks ran, nothing is
// closing, so the loop's next poll waits for I/O (here: for the hour-long
// timer) instead of returning at once. A handle per tick had to be closed,
// and a closing handle makes that timeout 0 — one more poll per request.
TEST_F(TickQueueTest, AfterTheTicksTheNextPollWaits) {
  uv_timer_t timer;
  uv_timer_init(&loop_, &timer);
  uv_timer_start(&timer, [](uv_timer_t *) {}, 3600 * 1000, 0);
  for (int round = 0; round < 3; round++) {
    Item a{this, "a"};
    cn_tick_post(q_, Run, &a);
    EXPECT_EQ(0, uv_backend_timeout(&loop_)) << "a tick is queued: poll must not wait";
    uv_run(&loop_, UV_RUN_NOWAIT);
    EXPECT_GT(uv_backend_timeout(&loop_), 1000) << "round " << round;
  }
  EXPECT_EQ(3u, ran_.size());
  uv_close(reinterpret_cast<uv_handle_t *>(&timer), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);  // the timer lives on this stack: closed here
}

TEST_F(TickQueueTest, DestroyFromInsideATickDropsTheRest) {
  Item a{this, "a", [](Item *i) {
           cn_tick_queue_destroy(i->test->q_);
           i->test->q_ = nullptr;
         }};
  Item b{this, "b"};
  cn_tick_post(q_, Run, &a);
  cn_tick_post(q_, Run, &b);
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_EQ((std::vector<std::string>{"a"}), ran_);
}

}  // namespace
