// The transport layer's connect job: resolve the host, then connect a
// transport socket to each address in turn — TCP (cn_tcp_socket) unless the
// context names a cn_client_socket_factory (tests: mock or pipe sockets).
// Used by the transport pool, whose groups are "host:port" — to a proxy or,
// for DIRECT requests, to the origin.
//
// Ownership: the factory context (and the socket factory it names) must
// outlive the pool using it; params are refcounted (cn_socket_params).
#ifndef CNET_NET_SOCKET_TRANSPORT_CONNECT_JOB_H_
#define CNET_NET_SOCKET_TRANSPORT_CONNECT_JOB_H_

#include <stdint.h>
#include <uv.h>

#include "net/dns/host_resolver.h"
#include "net/socket/client_socket_factory.h"
#include "net/socket/client_socket_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_transport_socket_params {
  cn_socket_params base;
  char *host;
  uint16_t port;
  // A connection to a proxy: any failure (resolution included) is reported
  // as CN_ERR_PROXY_CONNECTION_FAILED, so the request can fall back to the
  // next proxy; the original error is logged as PROXY_CONNECT_ERROR.
  bool to_proxy;
} cn_transport_socket_params;

// New params with one reference.
cn_socket_params *cn_transport_socket_params_new(const char *host, uint16_t port,
                                                 bool to_proxy);

typedef struct cn_transport_job_context {
  uv_loop_t *loop;
  cn_host_resolver *resolver;
  // Makes the sockets; NULL: TCP. Borrowed.
  const cn_client_socket_factory *socket_factory;
} cn_transport_job_context;

// A factory making transport jobs with |ctx| (not copied).
cn_connect_job_factory cn_transport_connect_job_factory(cn_transport_job_context *ctx);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_TRANSPORT_CONNECT_JOB_H_
