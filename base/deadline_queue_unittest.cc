#include "base/deadline_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/fake_clock.h"

namespace {

class DeadlineQueueTest : public ::testing::Test {
 protected:
  DeadlineQueueTest() : fc_(cn_fake_clock_new(1000)) {
    cn_deadline_queue_init(&q_, cn_fake_clock_get(fc_));
  }
  ~DeadlineQueueTest() override {
    cn_deadline_queue_free(&q_);
    cn_fake_clock_destroy(fc_);
  }

  // A deadline that logs its name and the time when it runs.
  struct Probe {
    DeadlineQueueTest *test;
    const char *name;
    cn_deadline d;
    cn_deadline *cancel_on_fire = nullptr;
    Probe(DeadlineQueueTest *t, const char *n) : test(t), name(n) { cn_deadline_init(&d); }
    static void Fire(void *arg) {
      auto *p = static_cast<Probe *>(arg);
      p->test->log_ += std::string(p->name) + "@" +
                       std::to_string(cn_clock_now_ms(cn_fake_clock_get(p->test->fc_))) + " ";
      if (p->cancel_on_fire)
        cn_deadline_cancel(&p->test->q_, p->cancel_on_fire);
    }
  };
  void Set(Probe *p, uint64_t ms) { cn_deadline_set(&q_, &p->d, ms, Probe::Fire, p); }

  cn_fake_clock *fc_;
  cn_deadline_queue q_;
  std::string log_;
};

// The one timer follows the nearest deadline: each runs at its own time, in
// order, the ones due together in the order they were set.
TEST_F(DeadlineQueueTest, RunsEachAtItsTimeNearestFirst) {
  Probe a(this, "a"), b(this, "b"), c(this, "c"), d(this, "d");
  Set(&a, 300);
  Set(&b, 100);
  Set(&c, 300);  // due with a, set after it: runs after it
  Set(&d, 200);
  EXPECT_EQ(4u, cn_deadline_queue_count(&q_));
  EXPECT_EQ(100, cn_fake_clock_ms_to_next(fc_));  // armed for the nearest (b)
  cn_fake_clock_advance(fc_, 99);
  EXPECT_EQ("", log_);
  cn_fake_clock_advance(fc_, 1);
  EXPECT_EQ("b@1100 ", log_);
  EXPECT_FALSE(cn_deadline_is_set(&b.d));
  cn_fake_clock_advance(fc_, 1000);
  EXPECT_EQ("b@1100 d@1200 a@1300 c@1300 ", log_);
  EXPECT_EQ(0u, cn_deadline_queue_count(&q_));
  EXPECT_EQ(-1, cn_fake_clock_ms_to_next(fc_));  // nothing left: the timer stopped
}

// Setting again moves a deadline (either way); a cancelled one never runs.
TEST_F(DeadlineQueueTest, ResetMovesAndCancelRemoves) {
  Probe a(this, "a"), b(this, "b"), c(this, "c");
  Set(&a, 100);
  Set(&b, 200);
  Set(&c, 300);
  Set(&a, 250);  // later: b is the nearest now
  Set(&c, 50);   // earlier: the timer follows
  EXPECT_EQ(50, cn_fake_clock_ms_to_next(fc_));
  cn_deadline_cancel(&q_, &b.d);
  cn_deadline_cancel(&q_, &b.d);  // harmless twice
  EXPECT_FALSE(cn_deadline_is_set(&b.d));
  cn_fake_clock_advance(fc_, 1000);
  EXPECT_EQ("c@1050 a@1250 ", log_);
}

// A callback may cancel a deadline due at the same moment (its owner gone):
// that one does not run; and it may set its own again.
TEST_F(DeadlineQueueTest, CallbackCancelsAnotherDueWithIt) {
  Probe a(this, "a"), b(this, "b");
  a.cancel_on_fire = &b.d;
  Set(&a, 100);
  Set(&b, 100);
  cn_fake_clock_advance(fc_, 100);
  EXPECT_EQ("a@1100 ", log_);
  EXPECT_EQ(0u, cn_deadline_queue_count(&q_));
  a.cancel_on_fire = nullptr;
  Set(&a, 10);
  cn_fake_clock_advance(fc_, 10);
  EXPECT_EQ("a@1100 a@1110 ", log_);
}

// Many deadlines (the heap grows past its first array) still run in order.
TEST_F(DeadlineQueueTest, ManyRunInOrder) {
  std::vector<Probe *> probes;
  std::string want;
  for (int i = 0; i < 100; i++) {
    probes.push_back(new Probe(this, "x"));
    Set(probes.back(), (uint64_t)((i * 37) % 100) + 1);
  }
  for (int ms = 1; ms <= 100; ms++)
    want += "x@" + std::to_string(1000 + ms) + " ";
  cn_fake_clock_advance(fc_, 100);
  EXPECT_EQ(want, log_);
  for (Probe *p : probes)
    delete p;
}

// Thousands set and most cancelled again (open streams ending): the heap
// array shrinks under the ones left, which still run in order, and the
// queue takes new ones afterwards.
TEST_F(DeadlineQueueTest, ManyCancelledTheRestRunInOrder) {
  std::vector<Probe *> probes;
  for (int i = 0; i < 5000; i++) {
    probes.push_back(new Probe(this, i % 1000 == 7 ? "k" : "x"));
    Set(probes.back(), (uint64_t)((i * 7919) % 5000) + 1);
  }
  EXPECT_EQ(5000u, cn_deadline_queue_count(&q_));
  std::string want;
  std::vector<std::pair<uint64_t, int>> kept;
  for (int i = 0; i < 5000; i++) {
    if (i % 1000 == 7)
      kept.push_back({(uint64_t)((i * 7919) % 5000) + 1, i});
    else
      cn_deadline_cancel(&q_, &probes[i]->d);
  }
  EXPECT_EQ(kept.size(), cn_deadline_queue_count(&q_));
  EXPECT_LE(q_.cap, 32u);  // (private, looked at here only) not 8,192 entries kept
  std::sort(kept.begin(), kept.end());
  for (auto &k : kept) {
    want += "k@" + std::to_string(1000 + k.first) + " ";
    EXPECT_TRUE(cn_deadline_is_set(&probes[k.second]->d));
  }
  Probe late(this, "late");
  Set(&late, 6000);
  cn_fake_clock_advance(fc_, 6000);
  EXPECT_EQ(want + "late@7000 ", log_);
  EXPECT_EQ(0u, cn_deadline_queue_count(&q_));
  for (Probe *p : probes)
    delete p;
}

// What a deadline costs its owner (one per phase and one for the total in
// every open request): its place in the queue, nothing more.
TEST_F(DeadlineQueueTest, AnUnsetDeadlineIsItsSlotOnly) {
  EXPECT_EQ(sizeof(uint32_t), sizeof(cn_deadline));
  Probe a(this, "a");
  EXPECT_FALSE(cn_deadline_is_set(&a.d));
  Set(&a, 5);
  EXPECT_TRUE(cn_deadline_is_set(&a.d));
  cn_deadline_cancel(&q_, &a.d);
  EXPECT_FALSE(cn_deadline_is_set(&a.d));
  EXPECT_EQ(-1, cn_fake_clock_ms_to_next(fc_));  // the timer stopped with the queue empty
}

}  // namespace
