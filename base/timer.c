#include "base/timer.h"

#include <stdlib.h>

#include "base/mem.h"

struct cn_timer {
  uv_timer_t handle;  // first: the close callback casts back
  cn_timer_cb cb;
  void *arg;
};

static void on_timer(uv_timer_t *h) {
  cn_timer *t = (cn_timer *)h;
  t->cb(t->arg);
}

static void on_close(uv_handle_t *h) { free(h); }

cn_timer *cn_timer_new(uv_loop_t *loop, cn_timer_cb cb, void *arg) {
  cn_timer *t = CN_NEW(cn_timer);
  uv_timer_init(loop, &t->handle);
  t->cb = cb;
  t->arg = arg;
  return t;
}

void cn_timer_start(cn_timer *t, uint64_t delay_ms, uint64_t repeat_ms) {
  uv_timer_start(&t->handle, on_timer, delay_ms, repeat_ms);
}

void cn_timer_stop(cn_timer *t) { uv_timer_stop(&t->handle); }

bool cn_timer_is_active(const cn_timer *t) {
  return uv_is_active((const uv_handle_t *)&t->handle) != 0;
}

void cn_timer_destroy(cn_timer *t) {
  if (!t)
    return;
  uv_timer_stop(&t->handle);
  uv_close((uv_handle_t *)&t->handle, on_close);
}

uint64_t cn_now_ms(uv_loop_t *loop) { return uv_now(loop); }
