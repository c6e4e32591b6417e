// Work for the loop's next turn: callbacks queued now run on the next turn
// of the libuv loop, in the order they were queued, never inside the call
// that queued them (the API's rule that nothing the application calls runs
// one of its callbacks inside that call).
//
// One idle handle serves the whole queue and is started only while
// something is queued. A handle per callback, as before, had to be closed
// after its turn, and a closing handle makes libuv's next poll return at
// once: one more epoll_wait, a malloc and a close per request in a run of
// keep-alive requests (docs/performance.md, "sys").
//
// Ownership: the caller owns the queue (cn_tick_queue_destroy). A posted
// tick belongs to the queue; its poster keeps the pointer only to cancel it
// before it runs, and must forget it when the callback runs (the tick is
// freed right after the callback returns) or when it cancels.
#ifndef CNET_BASE_TICK_QUEUE_H_
#define CNET_BASE_TICK_QUEUE_H_

#include <uv.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_tick_queue cn_tick_queue;
typedef struct cn_tick cn_tick;

// A queue on |loop|.
cn_tick_queue *cn_tick_queue_new(uv_loop_t *loop);
// Drops the queued ticks (their callbacks never run) and frees the queue;
// the idle handle is freed by the loop later. May be called from inside a
// tick's callback: the ticks still to run on that turn are dropped too.
// Accepts NULL.
void cn_tick_queue_destroy(cn_tick_queue *q);
// Queues fn(obj) for the next loop turn. A tick queued from inside a tick's
// callback runs on the turn after.
cn_tick *cn_tick_post(cn_tick_queue *q, void (*fn)(void *obj), void *obj);
// The tick's callback will not run. Accepts NULL.
void cn_tick_cancel(cn_tick *t);

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_TICK_QUEUE_H_
