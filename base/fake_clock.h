// A clock for tests (testonly, //base:test_support): time stands still
// until the test calls cn_fake_clock_advance(), which moves it forward and
// runs every timer that falls due on the way, in the order they are due
// (timers due at the same moment in the order they were started), with
// cn_clock_now_ms() reading each timer's due time while its callback runs.
// A test can thus show that a timeout did NOT fire at 2999 ms and did at
// 3000 ms without sleeping.
//
// Pass cn_fake_clock_get(c) wherever a cn_clock is taken (pool options,
// session options, cn_http_network_session_params.clock). Only the timers
// made from it are fake; "run soon" tasks of the code under test stay on
// the libuv loop, so the test still runs the loop for those.
//
// Ownership: the test owns the fake clock (cn_fake_clock_destroy) and must
// destroy it after everything that uses it; a timer still alive then is
// detached (it never fires; its owner still destroys it). Loop thread only.
#ifndef CNET_BASE_FAKE_CLOCK_H_
#define CNET_BASE_FAKE_CLOCK_H_

#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_fake_clock cn_fake_clock;

// A fake clock reading |start_ms|.
cn_fake_clock *cn_fake_clock_new(uint64_t start_ms);
void cn_fake_clock_destroy(cn_fake_clock *c);
// The clock to hand to the code under test (owned by |c|).
cn_clock *cn_fake_clock_get(cn_fake_clock *c);
// Moves time forward by |ms|, firing due timers in order (including those
// a callback starts that fall due before the end). Must not be called from
// a timer callback.
void cn_fake_clock_advance(cn_fake_clock *c, uint64_t ms);
// The current fake time.
uint64_t cn_fake_clock_now_ms(const cn_fake_clock *c);
// How many of its timers are running.
size_t cn_fake_clock_active_timers(const cn_fake_clock *c);
// Milliseconds until the next running timer is due (0 if due now), or -1
// when none runs.
int64_t cn_fake_clock_ms_to_next(const cn_fake_clock *c);

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_FAKE_CLOCK_H_
