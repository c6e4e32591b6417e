// Many one-shot deadlines on one timer: a min-heap of deadlines on a clock
// (base/clock.h), with the clock's single timer armed for the nearest. For
// objects that live by the thousand and each wait for a timeout (one
// request per open stream): a deadline is four bytes inside its owner (its
// place in the queue) instead of a timer of its own (a heap-allocated
// libuv handle each), and setting or cancelling one touches the loop only
// when the nearest changes. What a set deadline needs (when, its order,
// its callback) lives in the queue's heap array, so an owner whose
// deadlines are not set pays nothing more.
//
// Behaviour: a deadline's callback runs once, from the clock's timer
// (never from inside cn_deadline_set or cn_deadline_cancel), after its
// delay; deadlines due at the same moment run in the order they were set.
// A callback may set or cancel any deadline, its own included.
//
// Ownership: the owner of the queue (a network session) initialises and
// frees it; the clock must outlive it. A cn_deadline is embedded in its
// owner, zeroed (cn_deadline_init), and must be cancelled (or have fired)
// before its memory goes. Loop thread only.
#ifndef CNET_BASE_DEADLINE_QUEUE_H_
#define CNET_BASE_DEADLINE_QUEUE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_deadline {
  // Private: its index in the queue's heap + 1; 0: not set.
  uint32_t slot;
} cn_deadline;

// Private: a set deadline, in the queue's heap array.
typedef struct cn_deadline_entry {
  uint64_t at;   // on the queue's clock
  uint64_t seq;  // order among deadlines due at the same moment
  cn_deadline *d;
  cn_timer_cb cb;
  void *arg;
} cn_deadline_entry;

typedef struct cn_deadline_queue {
  // Private.
  cn_clock *clock;
  cn_timer *timer;  // made at the first deadline
  cn_deadline_entry *heap;
  size_t count, cap;  // the array shrinks again when mostly empty
  uint64_t next_seq;
} cn_deadline_queue;

void cn_deadline_queue_init(cn_deadline_queue *q, cn_clock *clock);
// Frees the queue's storage and timer. Every deadline must be cancelled
// first.
void cn_deadline_queue_free(cn_deadline_queue *q);
// How many deadlines are set.
static inline size_t cn_deadline_queue_count(const cn_deadline_queue *q) { return q->count; }

static inline void cn_deadline_init(cn_deadline *d) { d->slot = 0; }
// (Re)sets |d| to run |cb(arg)| once |delay_ms| from now.
void cn_deadline_set(cn_deadline_queue *q, cn_deadline *d, uint64_t delay_ms, cn_timer_cb cb,
                     void *arg);
// Cancels |d| if set (its callback will not run).
void cn_deadline_cancel(cn_deadline_queue *q, cn_deadline *d);
static inline bool cn_deadline_is_set(const cn_deadline *d) { return d->slot != 0; }

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_DEADLINE_QUEUE_H_
