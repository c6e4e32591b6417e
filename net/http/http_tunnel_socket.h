// The socket of an HTTP/1.1 CONNECT tunnel once the proxy answered 200: a
// pass-through to the connection to the proxy, which from then on carries
// the origin's bytes (TLS to the origin, or to the next proxy of a chain).
//
// It exists so that the stack says what it is: it answers the layer query
// with CN_SOCKET_LAYER_HTTP_TUNNEL and the lower query with the connection
// to the proxy, so walks of a connection's stack (the API's layer report,
// `fetch -v`) find every tunnel of a chain, whatever the proxy speaks.
//
// Ownership: takes |proxy_connection| and destroys it with itself.
#ifndef CNET_NET_HTTP_HTTP_TUNNEL_SOCKET_H_
#define CNET_NET_HTTP_HTTP_TUNNEL_SOCKET_H_

#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

// Wraps |proxy_connection| (connected, its CONNECT answered with 200).
cn_stream_socket *cn_http_tunnel_socket_new(cn_stream_socket *proxy_connection,
                                            cn_netlog *netlog);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_TUNNEL_SOCKET_H_
