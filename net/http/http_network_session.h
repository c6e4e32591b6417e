// The HTTP network session: everything requests share — the layered socket
// pools, the host resolver, the proxy service, the TLS contexts — and the
// rules for which pool and group serve a request (the stream factory's
// socket half).
//
// Pools, bottom to top (architecture, "Pools and connect jobs"):
//   transport        TCP to a direct origin                   group tcp/SCHEME://HOST:PORT
//                    or to a proxy                            group tcp-proxy/SCHEME://PROXY
//   ssl_proxy        TLS to an HTTPS proxy                    group ssl-proxy/PROXY|ALPN
//   tunnel           CONNECT through a proxy                  group tunnel/ORIGIN|CHAIN
//   socks            SOCKS5 through a chain's first hop       group socks/SCHEME://ORIGIN|SOCKS
//                    (to an origin, or to the next hop)       or socks/proxy/PROXY|SOCKS
//   ssl_origin       TLS to an origin, direct or tunnelled    group ssl/ORIGIN|CHAIN|ALPN
// The scheme in the transport groups keeps a connection that carried plain
// HTTP from ever having TLS started over it (same host:port, other scheme).
// Each pool asks the pools above it (transport: ssl_proxy, tunnel, socks,
// ssl_origin; socks: ssl_origin, ssl_proxy, tunnel; ssl_proxy: tunnel;
// tunnel: ssl_origin) to close an idle
// socket when it is at its limit, since a socket held idle up there holds
// one of its own.
//
// Reuse, as the seed's diagrams allow it:
//   - http:// through a proxy uses the proxy's own group (ssl_proxy for an
//     HTTPS proxy, transport for an HTTP one): any idle connection to that
//     proxy serves the next http:// request, whatever the origin ("jump to
//     step 9", F1);
//   - https:// through a proxy uses ssl_origin over tunnel: an idle TLS
//     connection to that origin through that proxy serves the next request
//     ("jump to step 19", F2); another origin needs another tunnel.
//   - a SOCKS5 proxy is a transport, not an HTTP proxy: http:// through it
//     alone uses the socks group of that origin (origin-form requests, an
//     idle tunnel to that origin serves the next one); https:// runs TLS to
//     the origin over it (ssl_origin over socks); a later hop is reached
//     over it (TLS to an HTTPS hop, or the HTTP hop's requests and CONNECTs).
//   - a live SPDY/HTTP2 session (cn_http_network_session_spdy_pool) for the
//     plan's spdy_key is used before any pool: the proxy's for http://
//     through an HTTPS proxy (F4), the origin's through the chain for
//     https:// (F3/F6), the origin's for direct https://. A TLS socket that
//     negotiated spdy/3.1 or h2 becomes that key's session; the tunnel job
//     makes CONNECT streams on the proxy's session (F5/F6).
//
// Ownership: the embedder owns the session and destroys it after every
// transaction using it. The loop, resolver, proxy service and NetLog it is
// given are borrowed and must outlive it; the TLS contexts are referenced.
#ifndef CNET_NET_HTTP_HTTP_NETWORK_SESSION_H_
#define CNET_NET_HTTP_HTTP_NETWORK_SESSION_H_

#include <uv.h>

#include "net/base/netlog.h"
#include "net/base/url.h"
#include "net/dns/host_resolver.h"
#include "net/proxy_resolution/proxy_chain.h"
#include "net/proxy_resolution/proxy_service.h"
#include "net/socket/client_socket_factory.h"
#include "net/socket/client_socket_pool.h"
#include "net/socket/ssl_config.h"
#include "net/socket/ssl_context.h"
#include "net/socket/transport_connect_job.h"

#ifdef __cplusplus
extern "C" {
#endif

// Default timeouts (docs/api.md "Timeouts" says why these values). Every
// one is in milliseconds; 0 means no limit.
#define CN_HTTP_DEFAULT_TCP_CONNECT_TIMEOUT_MS (30 * 1000)
#define CN_HTTP_DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS (30 * 1000)
#define CN_HTTP_DEFAULT_TUNNEL_TIMEOUT_MS (30 * 1000)
#define CN_HTTP_DEFAULT_STREAM_WAIT_TIMEOUT_MS (60 * 1000)
#define CN_HTTP_DEFAULT_RESPONSE_HEADERS_TIMEOUT_MS (300 * 1000)
#define CN_HTTP_DEFAULT_BODY_IDLE_TIMEOUT_MS (300 * 1000)

// A transaction's own timeouts, per phase (http_transaction.h). 0: no
// limit. Each ends the request with the error named, and a
// REQUEST_TIMED_OUT NetLog event naming the phase and the server waited on.
// 32-bit milliseconds (up to 49.7 days; the API clamps larger values,
// cn_http_timeout_ms): 20 bytes held per open request instead of 40.
typedef struct cn_http_timeouts {
  // The whole connection setup, every layer and hop together (curl's
  // --connect-timeout), from the first look for a connection to a
  // connection ready for the request: ERR_CONNECTION_TIMED_OUT. The pools'
  // per-layer timeouts bound each layer on their own.
  uint32_t connect_ms;
  // Waiting for a stream on a SPDY/HTTP2 session whose peer allows no more
  // (MAX_CONCURRENT_STREAMS reached, or 0): ERR_TIMED_OUT.
  uint32_t stream_wait_ms;
  // From the request sent to the final response head: ERR_TIMED_OUT.
  uint32_t response_headers_ms;
  // No progress on the request body being sent (a zero flow-control window,
  // a socket that takes nothing) or on a body read: ERR_TIMED_OUT.
  uint32_t body_idle_ms;
  // The transaction from start to the end of its body: ERR_TIMED_OUT.
  uint32_t total_ms;
} cn_http_timeouts;

// |ms| as a cn_http_timeouts field: at most UINT32_MAX (49.7 days, as good
// as no limit for one request).
static inline uint32_t cn_http_timeout_ms(uint64_t ms) {
  return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

typedef struct cn_http_network_session_params {
  uv_loop_t *loop;
  cn_netlog *netlog;                // may be NULL
  cn_host_resolver *resolver;       // required
  cn_proxy_service *proxy_service;  // NULL: every request goes DIRECT
  cn_ssl_context *origin_ssl_context;  // trust for origins; required
  cn_ssl_context *proxy_ssl_context;   // trust for HTTPS proxies; NULL: the origin one
  cn_ssl_config origin_ssl_config;     // ALPN offered to origins, versions
  cn_ssl_config proxy_ssl_config;      // ALPN offered to proxies, versions
  cn_client_socket_pool_options pool_options;  // limits for every pool
  const char *user_agent;                      // NULL: "cnet"
  // Makes the transport sockets of the transport pool (to origins and
  // proxies); NULL: TCP. Tests pass a mock factory here so that the whole
  // layered stack runs over scripted sockets. Borrowed; must outlive the
  // session.
  const cn_client_socket_factory *socket_factory;
  // SPDY/HTTP2 sessions: a request given a session that received nothing
  // for |spdy_idle_ping_ms| first PINGs it and waits for the answer; none
  // within |spdy_ping_timeout_ms| marks the session broken (never handed
  // out again) and the request goes to a new one. params_init sets
  // Chromium's 10 s and 3 s; 0 pings before every reuse, negative never.
  int64_t spdy_idle_ping_ms;
  uint64_t spdy_ping_timeout_ms;
  // The clock every pool (idle expiry, connect timeouts) and every
  // SPDY/HTTP2 session (idle PING, PING timeout) measures time on; it
  // replaces pool_options.clock. NULL: the loop's clock. Borrowed; must
  // outlive the session (tests pass a fake clock, base/fake_clock.h).
  cn_clock *clock;
  // Tests only: the first stream id of every SPDY/HTTP2 session (0: 1), to
  // reach stream-id exhaustion in a few requests.
  uint32_t spdy_first_stream_id_for_testing;
  // Each layer's connect timeout (the pools' connect_timeout_ms, replacing
  // pool_options.connect_timeout_ms): the transport pool's TCP connect (name
  // resolution and every connection attempt), the TLS pools' handshake, the tunnel and
  // SOCKS pools' CONNECT / SOCKS5 exchange. params_init sets the
  // CN_HTTP_DEFAULT_* values; 0: no limit.
  uint64_t tcp_connect_timeout_ms;
  uint64_t tls_handshake_timeout_ms;
  uint64_t tunnel_timeout_ms;
  // Every transaction's timeouts unless it sets its own
  // (cn_http_transaction_set_timeouts). params_init sets the defaults.
  cn_http_timeouts timeouts;
  // The schemes (CN_HTTP_AUTH_*) a CONNECT's 407 may be answered with; 0:
  // all (curl's --proxy-basic, --proxy-digest, --proxy-anyauth).
  unsigned proxy_auth_schemes;
  // Happy eyeballs (net/socket/happy_eyeballs.h): the delay between the
  // starts of two connection attempts (and before the backup attempt to a
  // silent address), 0: 250 ms; and each attempt's own limit, 0: none (the
  // transport layer's tcp_connect_timeout_ms still bounds them all).
  uint64_t connection_attempt_delay_ms;
  uint64_t tcp_attempt_timeout_ms;
  // Optimistic HTTP/1.1 tunnels through every proxy (cn_tunnel_services,
  // http_optimistic_tunnel_socket.h). Off by default.
  bool optimistic_tunnels;
} cn_http_network_session_params;

typedef struct cn_http_network_session cn_http_network_session;

// Fills |p| with defaults: HTTP/1.1 offered to origins and proxies, pool
// limits of cn_client_socket_pool_options_init. The caller sets loop,
// resolver and origin_ssl_context.
void cn_http_network_session_params_init(cn_http_network_session_params *p);

cn_http_network_session *cn_http_network_session_new(const cn_http_network_session_params *p);
// Closes idle sockets and frees the pools. Accepts NULL.
void cn_http_network_session_destroy(cn_http_network_session *s);

const cn_http_network_session_params *cn_http_network_session_get_params(
    const cn_http_network_session *s);
cn_client_socket_pool *cn_http_network_session_transport_pool(cn_http_network_session *s);
cn_client_socket_pool *cn_http_network_session_ssl_proxy_pool(cn_http_network_session *s);
cn_client_socket_pool *cn_http_network_session_tunnel_pool(cn_http_network_session *s);
cn_client_socket_pool *cn_http_network_session_socks_pool(cn_http_network_session *s);
cn_client_socket_pool *cn_http_network_session_ssl_origin_pool(cn_http_network_session *s);
// Live SPDY/HTTP2 sessions (to proxies and origins) by session key.
struct cn_spdy_session_pool *cn_http_network_session_spdy_pool(cn_http_network_session *s);
// What the session's CONNECT jobs use (its auth cache, server properties,
// session pool): for tests that make tunnel params by hand.
const struct cn_tunnel_services *cn_http_network_session_tunnel_services(
    const cn_http_network_session *s);
// Closes every idle socket of every pool (top layer first).
void cn_http_network_session_close_idle(cn_http_network_session *s);
// The network changed (cnet_context_network_changed): closes every idle
// socket of every pool and sends every SPDY/HTTP2 session away (no new
// streams; open ones finish). Sockets in use are not touched. Sets
// *out_idle_closed (idle sockets of all pools before, minus after) and
// *out_going_away (sessions sent away); either may be NULL.
void cn_http_network_session_on_network_changed(cn_http_network_session *s,
                                                size_t *out_idle_closed,
                                                size_t *out_going_away);

// The deadlines of the session's transactions (their phase and total
// timeouts): one timer on the session's clock for all of them
// (base/deadline_queue.h). Owned by the session; transactions must be gone
// before it is destroyed.
struct cn_deadline_queue *cn_http_network_session_deadlines(cn_http_network_session *s);

// The session's auth cache (http_auth_cache.h): identities origins and
// proxies took, shared by every request and CONNECT of the session.
struct cn_http_auth_cache *cn_http_network_session_auth_cache(cn_http_network_session *s);

// Whether a CONNECT to |proxy| succeeded with the credentials of its URL
// (http_auth_cache.h keeps the identities themselves).
bool cn_http_network_session_proxy_auth_known(const cn_http_network_session *s,
                                              const cn_proxy_server *proxy);
// The server at |server| (a proxy or an origin) closed a SPDY/HTTP2 session
// with HTTP_1_1_REQUIRED: new connections to it offer HTTP/1.1 only (its TLS
// groups change with the offer, so no SPDY/HTTP2 connection is reused).
void cn_http_network_session_note_http11_required(cn_http_network_session *s,
                                                  const cn_host_port *server);
// The server was noted above: no request or tunnel uses a SPDY/HTTP2
// session to it any more, even one still alive (a stream reset with
// HTTP_1_1_REQUIRED leaves the session up), as Chromium's
// HttpServerProperties::RequiresHTTP11 keeps requests off existing sessions.
// The memory lasts as long as the network session.
bool cn_http_network_session_requires_http11(const cn_http_network_session *s,
                                             const cn_host_port *server);
// True if a new TLS connection to |proxy| would offer SPDY/3.1 or HTTP/2 in
// ALPN (the configured offer, and the proxy never asked for HTTP/1.1).
bool cn_http_network_session_proxy_offers_multiplexed(const cn_http_network_session *s,
                                                      const cn_proxy_server *proxy);

// Transactions destroyed before their body ended may drain a small rest of
// it so the connection can be reused (a redirect's body, an unread error
// page). While they do, the session owns them; destroying the session
// aborts them first. Private to net/http (the transaction embeds one).
typedef struct cn_http_drain_entry {
  cn_list_node link;
  void (*abort)(struct cn_http_drain_entry *e);  // closes and frees the owner
} cn_http_drain_entry;
void cn_http_network_session_add_drain(cn_http_network_session *s, cn_http_drain_entry *e);
void cn_http_network_session_remove_drain(cn_http_drain_entry *e);

// Where a request's connection comes from, in two steps. The route (what
// finds a live SPDY/HTTP2 session, and how the request is written) is
// cheap: a key or two. The connection (a pool, a group, and the params of
// a new connection if one has to be made, about ten allocations through a
// chain) is planned only when a socket is asked of a pool: a request that a
// live session serves never builds it.
typedef struct cn_http_connection_plan {
  // Set by cn_http_network_session_plan_connection (NULL before).
  cn_client_socket_pool *pool;
  char *group_id;
  cn_socket_params *params;
  // The rest is the route (cn_http_network_session_plan_route).
  char *chain_key;  // NULL for DIRECT
  // The proxy the request itself is sent to (absolute form), for
  // Proxy-Authorization; NULL otherwise.
  const cn_proxy_server *request_proxy;
  // The session key (spdy_session_pool.h) of a SPDY/HTTP2 session that may
  // carry the request instead of a socket of |pool|: the origin's (direct,
  // or with the chain through a tunnel) or, for http:// through an HTTPS
  // proxy, the proxy's. NULL when no TLS is involved (no ALPN, no session).
  // The network session's copy (kept while it lives; keys repeat from
  // request to request), or the plan's own when |spdy_key_owned|.
  const char *spdy_key;
  bool spdy_key_owned;
  // The TLS connection under |spdy_key| offers SPDY/3.1 or HTTP/2 in ALPN:
  // requests racing to a server not yet known may wait for the first one's
  // session instead of each opening a connection.
  bool spdy_offered;
  // The request goes to a proxy in absolute form (http:// via proxy).
  bool absolute_form;
  // The route is planned (the plan is not the zeroed one).
  bool routed;
  // (The flags together at the end: no padding holes, one plan per open
  // request.)
} cn_http_connection_plan;

// Plans the route of |url| through |chain| into |plan| (overwritten, not
// freed): chain_key, absolute_form, request_proxy, spdy_key, spdy_offered;
// pool, group_id and params stay NULL. Returns CN_OK or
// CN_ERR_UNKNOWN_URL_SCHEME (not http/https). |chain| must outlive the plan
// (request_proxy points into it).
int cn_http_network_session_plan_route(cn_http_network_session *s, const cn_url *url,
                                       const cn_proxy_chain *chain, cn_http_connection_plan *plan);
// Completes a routed |plan| (of the same |url| and |chain|) with the pool,
// group and connect params of a new connection. Returns CN_OK (also when
// it was complete already) or CN_ERR_UNEXPECTED for a plan never routed.
int cn_http_network_session_plan_connection(cn_http_network_session *s, const cn_url *url,
                                            const cn_proxy_chain *chain,
                                            cn_http_connection_plan *plan);
// Both steps: the route, then the connection.
int cn_http_network_session_plan(cn_http_network_session *s, const cn_url *url,
                                 const cn_proxy_chain *chain, cn_http_connection_plan *plan);
void cn_http_connection_plan_free(cn_http_connection_plan *plan);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_NETWORK_SESSION_H_
