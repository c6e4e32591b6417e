// TCP stream sockets on libuv, and a listener for servers (the test server).
//
// A client tcp_socket connects to each address of its list in order until
// one accepts (logging TCP_CONNECT around all of it, TCP_CONNECT_ATTEMPT per
// address); the first address's error is reported if all fail.
//
// Ownership: the caller owns the socket (cn_stream_socket_destroy). The
// libuv handle is closed asynchronously, but no callback of the socket runs
// after destroy returns.
#ifndef CNET_NET_SOCKET_TCP_SOCKET_H_
#define CNET_NET_SOCKET_TCP_SOCKET_H_

#include <uv.h>

#include "net/base/ip_endpoint.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

// A client socket that will connect to |addrs| (copied).
cn_stream_socket *cn_tcp_socket_new(uv_loop_t *loop, const cn_address_list *addrs,
                                    cn_netlog *netlog);
// The address the socket is (or was last) connected to; false if none.
bool cn_tcp_socket_peer_address(const cn_stream_socket *s, cn_ip_endpoint *out);
// The local address of a connected socket; false if none.
bool cn_tcp_socket_local_address(const cn_stream_socket *s, cn_ip_endpoint *out);

typedef struct cn_tcp_listener cn_tcp_listener;
// Called with each accepted, already-connected socket; the callee owns it.
typedef void (*cn_tcp_accept_cb)(void *arg, cn_stream_socket *accepted);

// Listens on |bind| (port 0 picks a free port). Returns CN_OK and the
// listener in |*out|, or an error (e.g. CN_ERR_ADDRESS_INVALID).
int cn_tcp_listener_new(uv_loop_t *loop, const cn_ip_endpoint *bind, cn_netlog *netlog,
                        cn_tcp_accept_cb cb, void *arg, cn_tcp_listener **out);
// The bound address (with the actual port).
cn_ip_endpoint cn_tcp_listener_address(const cn_tcp_listener *l);
// Stops listening; no accept callback after it returns. Accepts NULL.
void cn_tcp_listener_destroy(cn_tcp_listener *l);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_TCP_SOCKET_H_
