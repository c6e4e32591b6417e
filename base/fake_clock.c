#include "base/fake_clock.h"

#include <stdbool.h>
#include <stdlib.h>

#include "base/list.h"
#include "base/mem.h"

typedef struct fake_timer {
  cn_timer base;
  cn_fake_clock *clock;  // NULL once the clock is gone
  cn_timer_cb cb;
  void *arg;
  bool active;
  uint64_t due_ms;
  uint64_t repeat_ms;
  uint64_t seq;  // start order, for timers due at the same moment
  cn_list_node link;  // in the clock's |timers|
} fake_timer;

struct cn_fake_clock {
  cn_clock base;  // first: the clock ops cast back
  uint64_t now_ms;
  uint64_t next_seq;
  bool advancing;
  cn_list_node timers;  // every live timer made from this clock
};

static void fake_timer_start(cn_timer *base, uint64_t delay_ms, uint64_t repeat_ms) {
  fake_timer *t = (fake_timer *)base;
  if (!t->clock)
    return;
  t->active = true;
  t->due_ms = t->clock->now_ms + delay_ms;
  t->repeat_ms = repeat_ms;
  t->seq = t->clock->next_seq++;
}

static void fake_timer_stop(cn_timer *base) { ((fake_timer *)base)->active = false; }

static bool fake_timer_is_active(const cn_timer *base) { return ((const fake_timer *)base)->active; }

static void fake_timer_destroy(cn_timer *base) {
  fake_timer *t = (fake_timer *)base;
  if (t->clock)
    cn_list_remove(&t->link);
  free(t);
}

static const cn_timer_ops kFakeTimerOps = {
    .start = fake_timer_start,
    .stop = fake_timer_stop,
    .is_active = fake_timer_is_active,
    .destroy = fake_timer_destroy,
};

static uint64_t fake_now_ms(const cn_clock *clock) { return ((const cn_fake_clock *)clock)->now_ms; }

static cn_timer *fake_timer_new(cn_clock *clock, cn_timer_cb cb, void *arg) {
  cn_fake_clock *c = (cn_fake_clock *)clock;
  fake_timer *t = CN_NEW(fake_timer);
  t->base.ops = &kFakeTimerOps;
  t->clock = c;
  t->cb = cb;
  t->arg = arg;
  cn_list_push_back(&c->timers, &t->link);
  return &t->base;
}

static const cn_clock_ops kFakeClockOps = {
    .now_ms = fake_now_ms,
    .timer_new = fake_timer_new,
};

cn_fake_clock *cn_fake_clock_new(uint64_t start_ms) {
  cn_fake_clock *c = CN_NEW(cn_fake_clock);
  c->base.ops = &kFakeClockOps;
  c->now_ms = start_ms;
  cn_list_init(&c->timers);
  return c;
}

void cn_fake_clock_destroy(cn_fake_clock *c) {
  if (!c)
    return;
  cn_list_node *node, *tmp;
  CN_LIST_FOREACH_SAFE(node, tmp, &c->timers) {
    fake_timer *t = CN_CONTAINER_OF(node, fake_timer, link);
    cn_list_remove(&t->link);
    t->clock = NULL;
    t->active = false;
  }
  free(c);
}

cn_clock *cn_fake_clock_get(cn_fake_clock *c) { return &c->base; }

// The running timer due first (ties: started first), or NULL.
static fake_timer *next_due(const cn_fake_clock *c) {
  fake_timer *best = NULL;
  for (cn_list_node *node = c->timers.next; node != &c->timers; node = node->next) {
    fake_timer *t = CN_CONTAINER_OF(node, fake_timer, link);
    if (t->active && (!best || t->due_ms < best->due_ms ||
                      (t->due_ms == best->due_ms && t->seq < best->seq)))
      best = t;
  }
  return best;
}

void cn_fake_clock_advance(cn_fake_clock *c, uint64_t ms) {
  if (c->advancing)
    abort();  // from a timer callback: time would run backwards
  c->advancing = true;
  uint64_t end = c->now_ms + ms;
  fake_timer *t;
  while ((t = next_due(c)) != NULL && t->due_ms <= end) {
    c->now_ms = t->due_ms;
    if (t->repeat_ms) {
      t->due_ms += t->repeat_ms;
      t->seq = c->next_seq++;
    } else {
      t->active = false;
    }
    t->cb(t->arg);  // may stop, start or destroy any timer, |t| included
  }
  c->now_ms = end;
  c->advancing = false;
}

uint64_t cn_fake_clock_now_ms(const cn_fake_clock *c) { return c->now_ms; }

size_t cn_fake_clock_active_timers(const cn_fake_clock *c) {
  size_t n = 0;
  for (cn_list_node *node = c->timers.next; node != &c->timers; node = node->next)
    n += CN_CONTAINER_OF(node, fake_timer, link)->active;
  return n;
}

int64_t cn_fake_clock_ms_to_next(const cn_fake_clock *c) {
  const fake_timer *t = next_due(c);
  if (!t)
    return -1;
  return t->due_ms > c->now_ms ? (int64_t)(t->due_ms - c->now_ms) : 0;
}
