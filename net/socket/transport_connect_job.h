// The transport layer's connect job: resolve the host, then race
// connection attempts to the addresses (happy eyeballs v2 and the backup
// connect, net/socket/happy_eyeballs.h), one transport socket per attempt —
// TCP (cn_tcp_socket) unless the context names a cn_client_socket_factory
// (tests: mock or pipe sockets).
// Used by the transport pool, whose groups are "host:port" — to a proxy or,
// for DIRECT requests, to the origin.
//
// Ownership: the factory context (and the socket factory it names) must
// outlive the pool using it; params are refcounted (cn_socket_params).
#ifndef CNET_NET_SOCKET_TRANSPORT_CONNECT_JOB_H_
#define CNET_NET_SOCKET_TRANSPORT_CONNECT_JOB_H_

#include <stdint.h>
#include <uv.h>

#include "base/clock.h"
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
  // The attempts' timers (the delay between attempts, each attempt's limit);
  // NULL: the loop's clock. Borrowed.
  cn_clock *clock;
  // RFC 8305's Connection Attempt Delay: the next attempt (or the backup
  // attempt to the same address) starts this long after the previous one if
  // nothing has connected; 0: 250 ms.
  uint64_t connection_attempt_delay_ms;
  // The limit of each attempt (ERR_CONNECTION_TIMED_OUT, then the next
  // attempt starts); 0: none but the pool's limit of the whole job.
  uint64_t attempt_timeout_ms;
} cn_transport_job_context;

// A factory making transport jobs with |ctx| (not copied).
cn_connect_job_factory cn_transport_connect_job_factory(cn_transport_job_context *ctx);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_TRANSPORT_CONNECT_JOB_H_
