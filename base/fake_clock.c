#include "base/fake_clock.h"

#include <stdbool.h>
#include <stdlib.h>

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
} fake_timer;

struct cn_fake_clock {
  cn_clock base;  // first: the clock ops cast back
  uint64_t now_ms;
  uint64_t next_seq;
  bool advancing;
  fake_timer **timers;  // every live timer made from this clock
  size_t num_timers;
  size_t cap_timers;
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
  cn_fake_clock *c = t->clock;
  if (c) {
    for (size_t i = 0; i < c->num_timers; i++) {
      if (c->timers[i] == t) {
        c->timers[i] = c->timers[--c->num_timers];
        break;
      }
    }
  }
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
  if (c->num_timers == c->cap_timers) {
    c->cap_timers = c->cap_timers ? 2 * c->cap_timers : 8;
    c->timers = cn_xrealloc(c->timers, c->cap_timers * sizeof(*c->timers));
  }
  c->timers[c->num_timers++] = t;
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
  return c;
}

void cn_fake_clock_destroy(cn_fake_clock *c) {
  if (!c)
    return;
  for (size_t i = 0; i < c->num_timers; i++) {
    c->timers[i]->clock = NULL;
    c->timers[i]->active = false;
  }
  free(c->timers);
  free(c);
}

cn_clock *cn_fake_clock_get(cn_fake_clock *c) { return &c->base; }

// The running timer due first (ties: started first), or NULL.
static fake_timer *next_due(const cn_fake_clock *c) {
  fake_timer *best = NULL;
  for (size_t i = 0; i < c->num_timers; i++) {
    fake_timer *t = c->timers[i];
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
  for (size_t i = 0; i < c->num_timers; i++)
    n += c->timers[i]->active;
  return n;
}

int64_t cn_fake_clock_ms_to_next(const cn_fake_clock *c) {
  const fake_timer *t = next_due(c);
  if (!t)
    return -1;
  return t->due_ms > c->now_ms ? (int64_t)(t->due_ms - c->now_ms) : 0;
}
