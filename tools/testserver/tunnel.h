// The byte relay of a CONNECT tunnel: everything read from the client goes
// to the upstream (the origin), everything read from the upstream goes to
// the client, until both directions have ended.
//
// Flow control: each direction holds at most one read's worth of bytes
// (64 KiB) and reads again only when the other side has taken all of them,
// so a fast sender is slowed to the pace of a slow receiver instead of
// filling memory.
//
// Half-close: when one side ends its stream (EOF), the bytes it sent are
// delivered and then the end is passed on if the other side can carry it:
// a TLS socket sends close_notify (cn_ssl_socket_shutdown) and the opposite
// direction keeps running. cn_tcp_socket has no half-close (no shutdown of
// the write side), so an EOF that would have to reach a plain TCP socket
// ends the whole tunnel once the bytes before it are delivered. A read or
// write error ends the tunnel at once. Ending closes both sockets.
//
// Faults for tests: a preamble (bytes sent to the client before anything
// from the upstream: a lying proxy's extra bytes after its 200) and a cut
// (both sides closed abruptly once a given number of upstream bytes reached
// the client).
//
// Ownership: the tunnel owns both sockets from cn_ts_tunnel_start() on. The
// owner destroys the tunnel (cn_ts_tunnel_destroy), at any time, or from the
// done callback; no callback runs after destroy returns.
#ifndef CNET_TOOLS_TESTSERVER_TUNNEL_H_
#define CNET_TOOLS_TESTSERVER_TUNNEL_H_

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ts_tunnel cn_ts_tunnel;

typedef struct cn_ts_tunnel_options {
  // Sent to the client first (copied). May be NULL / 0.
  const uint8_t *preamble;
  size_t preamble_len;
  // >= 0: once this many upstream bytes have been written to the client,
  // both sockets are closed (a chunk that would cross the mark is cut at
  // it; with 0 the first upstream bytes are dropped). < 0: never.
  int64_t cut_after_downstream_bytes;
} cn_ts_tunnel_options;

// Why the tunnel ended.
typedef enum cn_ts_tunnel_end {
  CN_TS_TUNNEL_CLOSED = 0,  // EOF handled as above
  CN_TS_TUNNEL_ERROR,       // a read or write failed
  CN_TS_TUNNEL_CUT,         // the cut option fired
} cn_ts_tunnel_end;

// Runs once, when the tunnel has ended (its sockets are already closed).
// The callee may destroy the tunnel here.
typedef void (*cn_ts_tunnel_done_cb)(void *arg, cn_ts_tunnel *t, cn_ts_tunnel_end why);

// Starts relaying between |client| and |upstream| (both connected; owned
// from now on) from the loop: nothing, the done callback included, runs
// inside this call. |options| may be NULL.
cn_ts_tunnel *cn_ts_tunnel_start(uv_loop_t *loop, cn_stream_socket *client, cn_stream_socket *upstream,
                                 const cn_ts_tunnel_options *options, cn_ts_tunnel_done_cb done,
                                 void *arg);
// Closes both sockets (if still open) and frees the tunnel. Accepts NULL.
void cn_ts_tunnel_destroy(cn_ts_tunnel *t);

// Bytes relayed so far: client -> upstream, and upstream -> client (the
// preamble not counted).
uint64_t cn_ts_tunnel_bytes_up(const cn_ts_tunnel *t);
uint64_t cn_ts_tunnel_bytes_down(const cn_ts_tunnel *t);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_TUNNEL_H_
