// Happy eyeballs v2 (RFC 8305) and the backup connect (Chromium's backup
// connect job) for the transport connect job: races connection attempts to
// the resolved addresses of one destination and keeps the first that
// connects.
//
// - The addresses are interleaved by family, starting with the family of the
//   first address the resolver gave (RFC 8305 section 4; the resolver has
//   already put them in RFC 6724 order, IPv6 first when it is usable).
// - The first attempt starts at once; the next starts |attempt_delay_ms|
//   (the Connection Attempt Delay, 250 ms) after the previous one started if
//   nothing has connected by then, or at once when an attempt fails.
// - Backup: once every address has an attempt, an address whose attempt is
//   still unanswered (a dropped SYN) gets one more, |attempt_delay_ms| after
//   the previous start, as Chromium's backup job does, so a single address
//   is retried too. An address whose attempt failed is never retried.
// - The first attempt to connect wins; every other attempt is closed.
// - Each attempt may have its own limit (|attempt_timeout_ms|): one that
//   does not connect in time fails with CN_ERR_CONNECTION_TIMED_OUT, which
//   starts the next at once. The caller's overall limit is not changed.
// - When every attempt has failed, the error is the last one to fail
//   (Chromium's TransportConnectJob reports the result of the sub-job that
//   finished last).
//
// NetLog, on the caller's source: TRANSPORT_CONNECT_ATTEMPT point events,
// one when an attempt starts (attempt, address, backup, socket) and one when
// it ends (attempt, address, and net_error or result "won", "lost",
// "cancelled"; attempts overlap, so they are not BEGIN/END pairs), plus
// CONNECT_JOB_SET_SOCKET for each attempt's socket. Each socket logs its own
// TCP_CONNECT BEGIN/END on its own source.
//
// Timers come from |clock|, so tests drive the race with a fake clock.
//
// Ownership: the caller owns the race (cn_happy_eyeballs_destroy, which
// cancels it: no callback after it returns). The addresses are copied; the
// clock, the factory and the netlog are borrowed and must outlive it. The
// winning socket belongs to the race until taken.
#ifndef CNET_NET_SOCKET_HAPPY_EYEBALLS_H_
#define CNET_NET_SOCKET_HAPPY_EYEBALLS_H_

#include <stdint.h>
#include <uv.h>

#include "base/clock.h"
#include "net/base/ip_endpoint.h"
#include "net/base/netlog.h"
#include "net/socket/client_socket_factory.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

// RFC 8305's recommended Connection Attempt Delay (Chromium's backup job
// waits as long).
#define CN_HAPPY_EYEBALLS_DEFAULT_DELAY_MS 250

typedef struct cn_happy_eyeballs_options {
  // Between the starts of two attempts; 0: the default (250 ms).
  uint64_t attempt_delay_ms;
  // The limit of each attempt; 0: none (the caller's limit only).
  uint64_t attempt_timeout_ms;
} cn_happy_eyeballs_options;

typedef struct cn_happy_eyeballs cn_happy_eyeballs;

// |factory| makes each attempt's socket (NULL: TCP); |clock| NULL: the
// loop's own. Events go to |netlog| on |source|.
cn_happy_eyeballs *cn_happy_eyeballs_new(uv_loop_t *loop, cn_clock *clock,
                                         const cn_client_socket_factory *factory,
                                         const cn_address_list *addrs,
                                         const cn_happy_eyeballs_options *options,
                                         cn_netlog *netlog, cn_netlog_source source);
// Starts the race. Returns CN_OK (a socket is ready to take), an error
// (every attempt failed at once; CN_ERR_NAME_NOT_RESOLVED for an empty
// list), or CN_ERR_IO_PENDING and later calls |cb| once.
int cn_happy_eyeballs_connect(cn_happy_eyeballs *he, cn_completion_cb cb, void *arg);
// The winning socket (the caller owns it), or NULL.
cn_stream_socket *cn_happy_eyeballs_take_socket(cn_happy_eyeballs *he);
// Cancels and frees. Accepts NULL.
void cn_happy_eyeballs_destroy(cn_happy_eyeballs *he);

// The order attempts are made in: |in| with the families interleaved,
// starting with the family of its first address, each family in its own
// order. |out| is initialised here; the caller frees it.
void cn_happy_eyeballs_order(const cn_address_list *in, cn_address_list *out);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_HAPPY_EYEBALLS_H_
