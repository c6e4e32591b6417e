#include "base/tick_queue.h"

#include <stdbool.h>
#include <stdlib.h>

#include "base/list.h"
#include "base/mem.h"

struct cn_tick {
  cn_list_node link;
  void (*fn)(void *obj);
  void *obj;  // NULL once cancelled
};

struct cn_tick_queue {
  uv_idle_t *idle;  // its own allocation: libuv closes it asynchronously
  cn_list_node queued;
  // While on_idle runs ticks: set to true by destroy, so that it stops.
  bool *destroyed;
};

static void free_ticks(cn_list_node *list) {
  while (!cn_list_empty(list)) {
    cn_tick *t = CN_CONTAINER_OF(cn_list_front(list), cn_tick, link);
    cn_list_remove(&t->link);
    free(t);
  }
}

static void on_idle(uv_idle_t *h) {
  cn_tick_queue *q = h->data;
  // This turn's ticks: those queued from now on run on the next turn.
  cn_list_node run;
  cn_list_init(&run);
  while (!cn_list_empty(&q->queued)) {
    cn_list_node *n = cn_list_front(&q->queued);
    cn_list_remove(n);
    cn_list_push_back(&run, n);
  }
  uv_idle_stop(h);
  bool destroyed = false;
  q->destroyed = &destroyed;
  while (!cn_list_empty(&run)) {
    cn_tick *t = CN_CONTAINER_OF(cn_list_front(&run), cn_tick, link);
    cn_list_remove(&t->link);
    if (t->obj)
      t->fn(t->obj);
    free(t);  // after the callback: a cancel of it from inside stays harmless
    if (destroyed) {
      free_ticks(&run);
      return;
    }
  }
  q->destroyed = NULL;
}

cn_tick_queue *cn_tick_queue_new(uv_loop_t *loop) {
  cn_tick_queue *q = CN_NEW(cn_tick_queue);
  q->idle = CN_NEW(uv_idle_t);
  uv_idle_init(loop, q->idle);
  q->idle->data = q;
  cn_list_init(&q->queued);
  return q;
}

static void free_handle(uv_handle_t *h) { free(h); }

void cn_tick_queue_destroy(cn_tick_queue *q) {
  if (!q)
    return;
  if (q->destroyed)
    *q->destroyed = true;
  free_ticks(&q->queued);
  q->idle->data = NULL;
  uv_close((uv_handle_t *)q->idle, free_handle);
  free(q);
}

cn_tick *cn_tick_post(cn_tick_queue *q, void (*fn)(void *obj), void *obj) {
  cn_tick *t = CN_NEW(cn_tick);
  t->fn = fn;
  t->obj = obj;
  cn_list_push_back(&q->queued, &t->link);
  if (!uv_is_active((const uv_handle_t *)q->idle))
    uv_idle_start(q->idle, on_idle);
  return t;
}

void cn_tick_cancel(cn_tick *t) {
  if (t)
    t->obj = NULL;
}
