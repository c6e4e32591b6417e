// The proxy's connections to origins and CONNECT targets (steps 10-12 of
// the seed's flows: "Proxy connects (or reuses connection) to origin").
//
// A connection is made with cnet's own client pieces: the host resolver
// (the proxy's host map as its host rules, so "origin.test" reaches a
// loopback server without DNS; IP literals and "localhost" never leave the
// process) and a cn_tcp_socket. Connections that carried a complete
// keep-alive exchange come back with cn_ts_upstream_pool_release() and are
// reused for later forwarded requests to the same host:port, after a stale
// check (cn_stream_socket_is_connected_and_idle); CONNECT tunnels always ask
// for a new connection.
//
// NetLog, on the requesting exchange's source: the resolver's
// HOST_RESOLVER_REQUEST, then SOCKET_POOL_BOUND {group_id "host:port",
// reuse, source_dependency: the socket}; the socket itself logs TCP_CONNECT
// on its own source (the "tcp_connects" counter of the server's NetLog).
//
// Ownership: the caller owns the pool and destroys it after every request
// is finished or cancelled; idle sockets die with the pool. A socket handed
// out is the caller's (give it back with release, or destroy it).
#ifndef CNET_TOOLS_TESTSERVER_UPSTREAM_POOL_H_
#define CNET_TOOLS_TESTSERVER_UPSTREAM_POOL_H_

#include <stdbool.h>
#include <uv.h>

#include "net/base/host_port.h"
#include "net/base/netlog.h"
#include "net/dns/host_rules.h"
#include "net/socket/stream_socket.h"
#include "tools/testserver/test_server.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ts_upstream_pool cn_ts_upstream_pool;
typedef struct cn_ts_upstream_request cn_ts_upstream_request;

// |rv| is CN_OK with |socket| (owned by the callee) or an error (resolve
// or connect) with |socket| NULL.
typedef void (*cn_ts_upstream_cb)(void *arg, int rv, cn_stream_socket *socket);

// |rules| is copied. |counters| (the proxy's; upstream_connects,
// upstream_reused, upstream_failures are counted here) must outlive the
// pool. |netlog| may be NULL.
cn_ts_upstream_pool *cn_ts_upstream_pool_new(uv_loop_t *loop, cn_netlog *netlog,
                                             const cn_host_rules *rules,
                                             cn_test_server_proxy_counters *counters);
// Closes idle sockets and cancels requests still pending. Accepts NULL.
void cn_ts_upstream_pool_destroy(cn_ts_upstream_pool *p);

// A connection to |dest|. With |allow_reuse| an idle one is taken if there
// is one: returns CN_OK with *out_socket set and *out_reused true. Else a
// new one is made: returns CN_ERR_IO_PENDING with *out_req set (|cb| runs
// later, once, unless cancelled; *out_reused is false), or an error at once
// (a name the resolver refuses). |source| is where the events above go.
int cn_ts_upstream_pool_connect(cn_ts_upstream_pool *p, const cn_host_port *dest,
                                bool allow_reuse, cn_netlog_source source,
                                cn_stream_socket **out_socket, bool *out_reused,
                                cn_ts_upstream_cb cb, void *arg, cn_ts_upstream_request **out_req);
// Cancels a pending connect: its callback never runs. Only before it ran.
void cn_ts_upstream_request_cancel(cn_ts_upstream_request *req);

// Gives back a connection to |dest| whose last exchange completed with
// keep-alive (the pool keeps a bounded number of idle ones, oldest dropped
// first).
void cn_ts_upstream_pool_release(cn_ts_upstream_pool *p, const cn_host_port *dest,
                                 cn_stream_socket *socket);

// Idle connections kept right now.
size_t cn_ts_upstream_pool_idle_count(const cn_ts_upstream_pool *p);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_UPSTREAM_POOL_H_
