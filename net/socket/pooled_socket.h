// A stream socket that stands for a socket borrowed from a lower pool: it
// owns a cn_client_socket_handle and forwards every call to the handle's
// socket. Layered connect jobs (TLS over a pooled TCP socket, TLS over a
// pooled tunnel) wrap their lower socket in one, so that the upper socket
// still owns "a stream socket" while the lower pool keeps counting the
// borrowed socket against its limits for as long as the upper one lives.
//
// Destroying the pooled socket disconnects the lower socket and gives it
// back: a socket that carried an upper layer (TLS state, a tunnel's framing)
// can never serve anyone else, so the lower pool closes it and frees the
// slot. Reuse happens at the top layer, whose pool keeps the whole stack
// idle.
//
// Ownership: cn_pooled_socket_new() returns a socket with an empty handle;
// the caller requests into cn_pooled_socket_handle() and, once the request
// succeeded, uses the pooled socket as any stream socket (typically giving
// it to cn_ssl_socket_new, which then owns it). Destroying it while the
// request is pending cancels the request.
#ifndef CNET_NET_SOCKET_POOLED_SOCKET_H_
#define CNET_NET_SOCKET_POOLED_SOCKET_H_

#include "net/socket/client_socket_pool.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

cn_stream_socket *cn_pooled_socket_new(cn_netlog *netlog);
// The handle inside |s| (a socket made by cn_pooled_socket_new).
cn_client_socket_handle *cn_pooled_socket_handle(cn_stream_socket *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_POOLED_SOCKET_H_
