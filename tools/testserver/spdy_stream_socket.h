// A cn_stream_socket over one SPDY/3.1 or HTTP/2 stream: the client's side
// of a CONNECT tunnel served on a session, so the tunnel relay (tunnel.h)
// runs unchanged whatever protocol carried the CONNECT.
//
// Reads are the stream's DATA (0 at END_STREAM), writes become DATA (the
// stream's flow control holds them until the peer opens its window),
// cn_ts_spdy_stream_socket_shutdown() sends END_STREAM (the half-close a
// TCP socket lacks), disconnect resets the stream with CANCEL and destroy
// frees it (CANCEL too if it is still open on the wire).
//
// Ownership: the socket owns |stream| from cn_ts_spdy_stream_socket_new()
// on.
#ifndef CNET_TOOLS_TESTSERVER_SPDY_STREAM_SOCKET_H_
#define CNET_TOOLS_TESTSERVER_SPDY_STREAM_SOCKET_H_

#include <stdbool.h>

#include "net/socket/stream_socket.h"
#include "net/spdy/spdy_stream.h"

#ifdef __cplusplus
extern "C" {
#endif

// |stream| has exchanged headers (the 2xx is queued); |netlog| may be NULL.
cn_stream_socket *cn_ts_spdy_stream_socket_new(cn_netlog *netlog, cn_spdy_stream *stream);

// True if |s| is such a socket.
bool cn_ts_is_spdy_stream_socket(const cn_stream_socket *s);

// Ends our side (END_STREAM after the bytes written so far). Returns CN_OK,
// an error, or CN_ERR_IO_PENDING and runs |cb| once from the loop. No write
// may be pending.
int cn_ts_spdy_stream_socket_shutdown(cn_stream_socket *s, cn_completion_cb cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_SPDY_STREAM_SOCKET_H_
