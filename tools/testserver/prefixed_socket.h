// A stream socket that first returns some bytes already read from another
// socket, then reads from that socket.
//
// Why: when a protocol connection hands its socket over to a tunnel (an
// HTTP/1.1 CONNECT), it may already have read bytes the client sent right
// after the request (a client that starts its TLS handshake without waiting
// for the 200). Those bytes belong to the tunnel; wrapping the socket keeps
// them in front of the stream instead of losing them.
//
// Reads return prefix bytes synchronously until none are left; everything
// else (writes, state, reads after the prefix) passes straight through to
// the inner socket, with the caller's own callbacks.
//
// Ownership: the prefixed socket takes ownership of |inner| (destroyed with
// it) and copies the prefix.
#ifndef CNET_TOOLS_TESTSERVER_PREFIXED_SOCKET_H_
#define CNET_TOOLS_TESTSERVER_PREFIXED_SOCKET_H_

#include <stddef.h>
#include <stdint.h>

#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

// Wraps |inner| (connected) with |len| bytes of |prefix|. With |len| == 0
// returns |inner| itself (no wrapper is needed).
cn_stream_socket *cn_ts_prefixed_socket_new(cn_stream_socket *inner, const uint8_t *prefix,
                                            size_t len);


#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_PREFIXED_SOCKET_H_
