#include "base/deadline_queue.h"

#include <stdlib.h>

#include "base/mem.h"

// The heap array's smallest size, and the one it starts with.
#define MIN_CAP 16

void cn_deadline_queue_init(cn_deadline_queue *q, cn_clock *clock) {
  q->clock = clock;
  q->timer = NULL;
  q->heap = NULL;
  q->count = q->cap = 0;
  q->next_seq = 0;
}

void cn_deadline_queue_free(cn_deadline_queue *q) {
  cn_timer_destroy(q->timer);
  free(q->heap);
  cn_deadline_queue_init(q, q->clock);
}

static bool earlier(const cn_deadline_entry *a, const cn_deadline_entry *b) {
  return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void place(cn_deadline_queue *q, size_t i, const cn_deadline_entry *e) {
  q->heap[i] = *e;
  e->d->slot = (uint32_t)(i + 1);
}

// Moves the entry at |i| up or down until the heap is ordered again.
static void restore(cn_deadline_queue *q, size_t i) {
  cn_deadline_entry e = q->heap[i];
  while (i > 0 && earlier(&e, &q->heap[(i - 1) / 2])) {
    place(q, i, &q->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= q->count)
      break;
    if (c + 1 < q->count && earlier(&q->heap[c + 1], &q->heap[c]))
      c++;
    if (!earlier(&q->heap[c], &e))
      break;
    place(q, i, &q->heap[c]);
    i = c;
  }
  place(q, i, &e);
}

static void resize(cn_deadline_queue *q, size_t cap) {
  q->cap = cap;
  q->heap = cn_xrealloc(q->heap, cap * sizeof(*q->heap));
}

static void remove_at(cn_deadline_queue *q, size_t i) {
  q->heap[i].d->slot = 0;
  if (i < --q->count) {
    q->heap[i] = q->heap[q->count];
    restore(q, i);
  }
  // Ten thousand streams' deadlines gone: their entries' memory too.
  if (q->cap > MIN_CAP && q->count <= q->cap / 4)
    resize(q, q->cap / 2);
}

static void on_timer(void *arg);

// The timer follows the nearest deadline (stopped when there is none).
static void arm(cn_deadline_queue *q) {
  if (q->count == 0) {
    if (q->timer)
      cn_timer_stop(q->timer);
    return;
  }
  if (!q->timer)
    q->timer = cn_clock_timer_new(q->clock, on_timer, q);
  uint64_t now = cn_clock_now_ms(q->clock);
  uint64_t at = q->heap[0].at;
  cn_timer_start(q->timer, at > now ? at - now : 0, 0);
}

static void on_timer(void *arg) {
  cn_deadline_queue *q = arg;
  uint64_t now = cn_clock_now_ms(q->clock);
  // One at a time: a callback may set or cancel others (or free their
  // owners, which cancel).
  while (q->count > 0 && q->heap[0].at <= now) {
    cn_timer_cb cb = q->heap[0].cb;
    void *cb_arg = q->heap[0].arg;
    remove_at(q, 0);
    cb(cb_arg);
  }
  arm(q);
}

void cn_deadline_set(cn_deadline_queue *q, cn_deadline *d, uint64_t delay_ms, cn_timer_cb cb,
                     void *arg) {
  const cn_deadline *first = q->count ? q->heap[0].d : NULL;
  uint64_t first_at = first ? q->heap[0].at : 0;
  cn_deadline_entry e = {
      .at = cn_clock_now_ms(q->clock) + delay_ms,
      .seq = q->next_seq++,
      .d = d,
      .cb = cb,
      .arg = arg,
  };
  if (!d->slot) {
    if (q->count == q->cap)
      resize(q, q->cap ? 2 * q->cap : MIN_CAP);
    d->slot = (uint32_t)++q->count;
  }
  q->heap[d->slot - 1] = e;
  restore(q, d->slot - 1);
  // The loop is touched only when the nearest deadline changed.
  if (q->heap[0].d != first || q->heap[0].at != first_at)
    arm(q);
}

void cn_deadline_cancel(cn_deadline_queue *q, cn_deadline *d) {
  if (!d->slot)
    return;
  bool was_first = d->slot == 1;
  remove_at(q, d->slot - 1);
  // A later nearest deadline leaves the timer early: it fires, finds
  // nothing due and re-arms. Only an empty queue stops it.
  if (was_first && q->count == 0)
    arm(q);
}
