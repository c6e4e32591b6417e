#include "base/timer.h"

#include <stddef.h>
#include <stdlib.h>

#include "base/mem.h"

// A timer on the libuv loop.
typedef struct loop_timer {
  cn_timer base;
  uv_timer_t handle;
  cn_timer_cb cb;
  void *arg;
} loop_timer;

static loop_timer *loop_timer_of(uv_handle_t *h) {
  return (loop_timer *)((char *)h - offsetof(loop_timer, handle));
}

static void on_timer(uv_timer_t *h) {
  loop_timer *t = loop_timer_of((uv_handle_t *)h);
  t->cb(t->arg);
}

static void on_close(uv_handle_t *h) { free(loop_timer_of(h)); }

static void loop_timer_start(cn_timer *base, uint64_t delay_ms, uint64_t repeat_ms) {
  uv_timer_start(&((loop_timer *)base)->handle, on_timer, delay_ms, repeat_ms);
}

static void loop_timer_stop(cn_timer *base) { uv_timer_stop(&((loop_timer *)base)->handle); }

static bool loop_timer_is_active(const cn_timer *base) {
  return uv_is_active((const uv_handle_t *)&((const loop_timer *)base)->handle) != 0;
}

static void loop_timer_destroy(cn_timer *base) {
  loop_timer *t = (loop_timer *)base;
  uv_timer_stop(&t->handle);
  uv_close((uv_handle_t *)&t->handle, on_close);
}

static void loop_timer_set_keeps_loop_alive(cn_timer *base, bool keep) {
  uv_handle_t *h = (uv_handle_t *)&((loop_timer *)base)->handle;
  if (keep)
    uv_ref(h);
  else
    uv_unref(h);
}

static const cn_timer_ops kLoopTimerOps = {
    .start = loop_timer_start,
    .stop = loop_timer_stop,
    .is_active = loop_timer_is_active,
    .destroy = loop_timer_destroy,
    .set_keeps_loop_alive = loop_timer_set_keeps_loop_alive,
};

cn_timer *cn_timer_new(uv_loop_t *loop, cn_timer_cb cb, void *arg) {
  loop_timer *t = CN_NEW(loop_timer);
  t->base.ops = &kLoopTimerOps;
  uv_timer_init(loop, &t->handle);
  t->cb = cb;
  t->arg = arg;
  return &t->base;
}

void cn_timer_start(cn_timer *t, uint64_t delay_ms, uint64_t repeat_ms) {
  t->ops->start(t, delay_ms, repeat_ms);
}

void cn_timer_stop(cn_timer *t) { t->ops->stop(t); }

bool cn_timer_is_active(const cn_timer *t) { return t->ops->is_active(t); }
void cn_timer_set_keeps_loop_alive(cn_timer *t, bool keep) {
  if (t->ops->set_keeps_loop_alive)
    t->ops->set_keeps_loop_alive(t, keep);
}

void cn_timer_destroy(cn_timer *t) {
  if (t)
    t->ops->destroy(t);
}

uint64_t cn_now_ms(uv_loop_t *loop) { return uv_now(loop); }
