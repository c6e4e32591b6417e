// One-shot and repeating timers on the libuv loop, and "run this soon" tasks.
//
// A cn_timer is heap-allocated because libuv closes handles asynchronously:
// cn_timer_destroy() stops the timer at once (its callback never runs after
// destroy returns) and the memory is freed later by the loop. Callers must
// therefore never embed a uv handle in an object they free synchronously.
#ifndef CNET_BASE_TIMER_H_
#define CNET_BASE_TIMER_H_

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_timer cn_timer;
typedef void (*cn_timer_cb)(void *arg);

cn_timer *cn_timer_new(uv_loop_t *loop, cn_timer_cb cb, void *arg);
// (Re)starts the timer: |cb| runs once after |delay_ms|, then every
// |repeat_ms| when that is non-zero.
void cn_timer_start(cn_timer *t, uint64_t delay_ms, uint64_t repeat_ms);
void cn_timer_stop(cn_timer *t);
bool cn_timer_is_active(const cn_timer *t);
// Stops and releases the timer. Accepts NULL.
void cn_timer_destroy(cn_timer *t);

// The loop's cached millisecond clock (uv_now).
uint64_t cn_now_ms(uv_loop_t *loop);

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_TIMER_H_
