// The tunnel pool's connect job: an HTTP/1.1 CONNECT through a proxy.
//
// It borrows a connected socket to the proxy from the pool below (ssl_proxy
// for an HTTPS proxy, transport for an HTTP one), sends
//   CONNECT host:port HTTP/1.1
//   Host: host:port
//   User-Agent: …
//   Proxy-Authorization: Basic …      (when the proxy has credentials)
// and reads the answer with the strict HTTP/1.1 parser:
//   - 200, and only 200: the socket becomes the tunnel
//     (cn_http_proxy_tunnel_socket: a pass-through); a byte after the
//     answer and before TLS is a failure (CN_ERR_TUNNEL_CONNECTION_FAILED),
//     since no origin speaks first;
//   - 407: with credentials not yet sent, resend CONNECT with Basic
//     credentials — on the same connection when the answer is keep-alive
//     (its body drained), else on a new connection to the proxy; without
//     credentials, or when they were refused, CN_ERR_PROXY_AUTH_REQUESTED;
//     a scheme other than Basic, CN_ERR_PROXY_AUTH_UNSUPPORTED;
//   - anything else — a 1xx (also 100 then 200: the parser takes a
//     CONNECT's 1xx as its answer), another 2xx, a redirect (never
//     followed), 4xx, 5xx: CN_ERR_TUNNEL_CONNECTION_FAILED, as Chromium.
//     The proxy's body is never read nor shown to anyone as if it were the
//     origin's.
// A failure of the CONNECT exchange itself (the proxy resets or closes the
// connection, sends nothing, something that is not an HTTP answer, headers
// too big, a SPDY/HTTP2 session or stream error) reaches the caller as it
// is (ERR_EMPTY_RESPONSE, ERR_INVALID_HTTP_RESPONSE,
// ERR_RESPONSE_HEADERS_TOO_BIG, ERR_HTTP2_PROTOCOL_ERROR, ...) and names
// the proxy the CONNECT went through as its hop (params.base.hop,
// connect_job.h); a failure to get the connection to that proxy keeps the
// hop the lower pool named. Whether the request then tries the next proxy
// is decided above, from the error and its hop (proxy_fallback.h): a
// failure of the origin's TLS inside the tunnel is the origin's, and never
// changes proxy.
// A connection to the proxy that was reused from its pool and fails the
// CONNECT before any answer byte (reset, closed, EOF: it went stale while
// idle) is replaced once by a new connection and the CONNECT sent again.
// The socket of a failed tunnel never returns to a pool (it is
// disconnected). Logs HTTP_TUNNEL_CONNECT (BEGIN target; END status or
// net_error), which feeds the "tunnels" counter.
//
// Ownership: params are refcounted (cn_socket_params); strings and the
// proxy server (with its credentials) are copied.
#ifndef CNET_NET_HTTP_HTTP_PROXY_CONNECT_JOB_H_
#define CNET_NET_HTTP_HTTP_PROXY_CONNECT_JOB_H_

#include "net/base/host_port.h"
#include "net/http/http_auth_cache.h"
#include "net/http/http_headers.h"
#include "net/http/http_server_properties.h"
#include "net/proxy_resolution/proxy_server.h"
#include "net/socket/client_socket_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

// What a CONNECT job may use besides its params — narrow on purpose, so
// that the job never reaches into the network session (Chromium's
// CommonConnectJobParams). All borrowed; the owner (the network session)
// outlives every job.
typedef struct cn_tunnel_services {
  cn_http_auth_cache *auth_cache;  // proxies that took our credentials
  cn_http_server_properties *server_properties;  // servers that require HTTP/1.1
  // Live sessions to proxies (a CONNECT stream on one is the tunnel), and
  // the creator/waiter coordination for new ones. NULL: never multiplexed.
  struct cn_spdy_session_pool *spdy_pool;
  const cn_ssl_config *proxy_ssl_config;  // what TLS to a proxy offers
  unsigned proxy_auth_schemes;  // CN_HTTP_AUTH_* a 407 may be answered with; 0: all
  // Optimistic tunnels (issue #13): over HTTP/1.1, the tunnel is handed up
  // as soon as the CONNECT is written, and the origin's first flight
  // follows it without waiting for the answer
  // (http_optimistic_tunnel_socket.h) — when the job would retry nothing
  // itself: a new connection to the proxy, and no credentials involved.
  bool optimistic_tunnels;
} cn_tunnel_services;

// True if a new TLS connection to |proxy| would offer SPDY/3.1 or HTTP/2:
// an HTTPS proxy, the configured offer, and the proxy never asked for
// HTTP/1.1.
bool cn_tunnel_services_proxy_offers_multiplexed(const cn_tunnel_services *services,
                                                 const cn_proxy_server *proxy);

typedef struct cn_http_proxy_tunnel_params {
  cn_socket_params base;
  // The connection to the proxy.
  cn_client_socket_pool *lower_pool;
  char *lower_group_id;
  char *lower_chain_key;  // may be NULL
  cn_socket_params *lower_params;
  // What to CONNECT to, through which proxy.
  cn_host_port target;
  cn_proxy_server proxy;  // a copy, credentials included
  char *user_agent;       // may be NULL
  // The session key of a SPDY/HTTP2 session to |proxy| (the proxy reached
  // through the hops before it, spdy_session_pool.h), or NULL when the
  // proxy is not reached over TLS and so never speaks SPDY/HTTP2.
  char *proxy_spdy_key;
  // Borrowed; NULL in tests of the bare exchange (no credentials memory,
  // no sessions).
  const cn_tunnel_services *services;
} cn_http_proxy_tunnel_params;

// New params with one reference; |lower_params| is referenced, the rest
// copied. |user_agent|, |lower_chain_key| and |proxy_spdy_key| may be NULL.
cn_socket_params *cn_http_proxy_tunnel_params_new(cn_client_socket_pool *lower_pool,
                                                  const char *lower_group_id,
                                                  const char *lower_chain_key,
                                                  cn_socket_params *lower_params,
                                                  const cn_host_port *target,
                                                  const cn_proxy_server *proxy,
                                                  const char *user_agent,
                                                  const char *proxy_spdy_key,
                                                  const cn_tunnel_services *services);

cn_connect_job_factory cn_http_proxy_connect_job_factory(void);


#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_PROXY_CONNECT_JOB_H_
