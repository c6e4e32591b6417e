// Where transport-level sockets come from (Chromium's ClientSocketFactory).
//
// The transport connect job resolves the destination and then asks a
// factory for the stream socket that will connect to the addresses; every
// layer above (TLS, tunnels, HTTP) is built on that socket and never knows
// what it is. The default (a NULL factory everywhere one is accepted) makes
// TCP sockets (cn_tcp_socket_new). Tests pass a factory that hands out
// scripted mock sockets or one end of an in-memory pipe instead, so whole
// layered stacks — pools, tunnels, TLS, transactions — run without a network
// (net/socket/mock_client_socket_factory.h is the test-side helper).
//
// Taken by cn_transport_job_context (transport_connect_job.h) and
// cn_http_network_session_params (net/http/http_network_session.h).
//
// Ownership: the factory and |ctx| are borrowed by whoever is given them and
// must outlive it (the pools using them). The sockets made are owned by the
// caller (the connect job, then the pool).
#ifndef CNET_NET_SOCKET_CLIENT_SOCKET_FACTORY_H_
#define CNET_NET_SOCKET_CLIENT_SOCKET_FACTORY_H_

#include <uv.h>

#include "net/base/ip_endpoint.h"
#include "net/base/netlog.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_client_socket_factory {
  // A new, not yet connected socket whose connect() reaches one of |addrs|
  // (tried in order; the list is only valid during the call, copy it if
  // needed). Never NULL: a socket that cannot be made reports it from
  // connect().
  cn_stream_socket *(*create_transport_socket)(void *ctx, uv_loop_t *loop,
                                               const cn_address_list *addrs,
                                               cn_netlog *netlog);
  void *ctx;
} cn_client_socket_factory;

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_CLIENT_SOCKET_FACTORY_H_
