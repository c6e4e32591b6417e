// An in-memory, connected pair of stream sockets on one loop: bytes written
// to one end are read from the other. For tests that need two live peers
// without a network — a TLS client against a TLS server, TLS inside TLS, a
// session client against a session server.
//
// Reads complete asynchronously (from the loop) unless data is already
// buffered. Disconnecting or destroying one end makes the other read EOF
// once the buffered bytes are drained; writes to a closed peer fail with
// CN_ERR_CONNECTION_RESET.
//
// Ownership: the caller owns both ends and destroys each.
#ifndef CNET_NET_SOCKET_PIPE_SOCKET_H_
#define CNET_NET_SOCKET_PIPE_SOCKET_H_

#include <uv.h>

#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

// |max_chunk| > 0 caps how many bytes one read returns (to exercise parsers
// on split input); 0 means no cap.
void cn_pipe_socket_pair(uv_loop_t *loop, cn_netlog *netlog, size_t max_chunk,
                         cn_stream_socket **a, cn_stream_socket **b);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_PIPE_SOCKET_H_
