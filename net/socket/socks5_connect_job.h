// The SOCKS pool's connect job: a SOCKS5 tunnel to a target through the
// first hop of a proxy chain.
//
//   1. socks5:// only, when the target's host is a name: resolve it with the
//      job's resolver (the client resolves; the first address is sent).
//      socks5h:// sends the name (ATYP 3) and the proxy resolves it. A
//      failure here is the target's (CN_ERR_NAME_NOT_RESOLVED), not the
//      proxy's: another proxy would not resolve it either.
//   2. Borrow a TCP connection to the proxy from the lower (transport) pool.
//      Failing to reach the proxy — resolving its name, connecting — is
//      CN_ERR_PROXY_CONNECTION_FAILED, with the original error logged as
//      PROXY_CONNECT_ERROR, as for HTTP(S) proxies (a failed connect to a
//      proxy; the request may fall back to the next one, proxy_fallback.h).
//   3. Run the SOCKS5 handshake over it (cn_socks5_client_socket, with the
//      proxy's credentials when it has some). Its errors name the proxy's
//      reply (see socks5_client_socket.h) and pass through unchanged.
// On success the job's socket is the SOCKS5 socket (owning the pooled TCP
// socket): http:// requests go over it in origin form, TLS to an origin or
// to a later HTTPS hop runs over it. The handshake's SOCKS5_CONNECT event
// feeds the "tunnels" counter; the job logs CONNECT_JOB_SET_SOCKET naming
// the SOCKS socket.
//
// Ownership: params are refcounted (cn_socket_params); strings and the proxy
// server (with its credentials) are copied; |lower_params| is referenced;
// the pool and the resolver are borrowed and must outlive every job.
#ifndef CNET_NET_SOCKET_SOCKS5_CONNECT_JOB_H_
#define CNET_NET_SOCKET_SOCKS5_CONNECT_JOB_H_

#include "net/base/host_port.h"
#include "net/dns/host_resolver.h"
#include "net/proxy_resolution/proxy_server.h"
#include "net/socket/client_socket_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_socks5_params {
  cn_socket_params base;
  // The TCP connection to the SOCKS proxy.
  cn_client_socket_pool *lower_pool;
  char *lower_group_id;
  char *lower_chain_key;  // may be NULL
  cn_socket_params *lower_params;
  cn_proxy_server proxy;  // a copy, credentials included (SOCKS5 or SOCKS5H)
  cn_host_port target;
  cn_host_resolver *resolver;  // borrowed; used for socks5:// only
  // The hop |target| is (connect_job.h): CN_HOP_ORIGIN (the default), or
  // the next proxy's index when the tunnel leads to it. A failure to
  // resolve the target is that hop's; every other failure is the SOCKS
  // proxy's (hop 0).
  int target_hop;
} cn_socks5_params;

// New params with one reference. |proxy| must be a SOCKS5 or SOCKS5H server;
// |resolver| may be NULL only for SOCKS5H. |lower_chain_key| may be NULL.
cn_socket_params *cn_socks5_params_new(cn_client_socket_pool *lower_pool,
                                       const char *lower_group_id, const char *lower_chain_key,
                                       cn_socket_params *lower_params,
                                       const cn_proxy_server *proxy, const cn_host_port *target,
                                       cn_host_resolver *resolver);

// A factory making SOCKS5 jobs (it needs no context: everything is in the
// params).
cn_connect_job_factory cn_socks5_connect_job_factory(void);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_SOCKS5_CONNECT_JOB_H_
