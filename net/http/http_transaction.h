// One HTTP request through the network session (Chromium's
// HttpNetworkTransaction): resolve the proxy, get a connection from the
// right pool (reusing whatever the diagrams allow), send the request, read
// the response head, then hand out the body.
//
// Behaviours:
//   - Errors name their hop: every failure is returned as the layer that
//     failed reported it (ERR_HTTP2_PROTOCOL_ERROR, ERR_SSL_PROTOCOL_ERROR,
//     ...), and cn_http_transaction_error_hop() says which hop it came from
//     (the pools carry it up from the failing connect job, connect_job.h).
//   - Proxy fallback: a failure of a proxy with an error of the fallback
//     list (cn_proxy_hop_failure_allows_fallback) while connecting moves to
//     the next chain of the proxy list; the chains that failed are marked
//     bad only once a later chain succeeded. A failure of the origin (its
//     TLS inside the tunnel) never falls back.
//   - Stale connections: a request on a reused idle connection that fails
//     before any response byte (reset, closed, EOF, or a 408) is sent again on
//     another connection, up to CN_HTTP_MAX_RETRIES times (3 attempts in
//     all, as Chromium). A failure on a fresh connection is never resent. A
//     request body is rewound first; one that cannot be rewound is not
//     resent.
//   - When the body has been read to the end and the connection may carry
//     another request, the connection goes back to its pool, idle; otherwise
//     it is closed. Destroying the transaction earlier closes it, unless the
//     response was complete already (a bodiless one whose 0 was not read).
//   - Authentication: a 401 from the origin, or a 407 from a proxy to an
//     http:// request (sent in absolute form), is answered by the auth
//     controller of that target (Basic or Digest, the identity from the
//     URL, the request, the proxy's credentials, the auth cache, or the
//     caller through cn_http_transaction_restart_with_auth): the request
//     is resent (body rewound), on the same connection when it stays
//     usable. With nothing to answer a proxy with, the transaction fails
//     with CN_ERR_PROXY_AUTH_REQUESTED (no credentials, refused ones, or a
//     body that cannot be replayed) or CN_ERR_PROXY_AUTH_UNSUPPORTED (no
//     scheme it speaks); an origin's 401 is then the response. A 407 from
//     an origin is CN_ERR_UNEXPECTED_PROXY_AUTH.
//
// NetLog: REQUEST_ALIVE BEGIN {method, url} / END {net_error} on the
// transaction's REQUEST source; lower layers log on their own sources and
// link to it.
//
// Ownership: the caller owns the transaction and destroys it (any time: no
// callback runs after destroy). |info| passed to start and what it points to
// must stay alive until the transaction is destroyed.
#ifndef CNET_NET_HTTP_HTTP_TRANSACTION_H_
#define CNET_NET_HTTP_HTTP_TRANSACTION_H_

#include "base/iobuf.h"
#include "net/base/net_errors.h"
#include "net/base/request_priority.h"
#include "net/http/http_auth.h"
#include "net/http/http_network_session.h"
#include "net/http/http_request_info.h"
#include "net/http/http_response_parser.h"
#include "net/socket/client_socket_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

// Resends of one request, so at most 3 attempts in all (Chromium's
// kMaxRetryAttempts): a stale reused connection, a refused stream, a
// session going away, a 408, HTTP/1.1 required all count.
#define CN_HTTP_MAX_RETRIES 2

typedef struct cn_http_transaction cn_http_transaction;

cn_http_transaction *cn_http_transaction_new(cn_http_network_session *session,
                                             cn_request_priority priority);
void cn_http_transaction_destroy(cn_http_transaction *t);
// Before start: resolve the proxy with |svc| instead of the session's
// proxy service (a request's own proxy; NULL: DIRECT). |svc| is borrowed
// and must outlive the transaction. Pools and sessions are keyed by the
// chain, so requests with different proxies share only what they should.
void cn_http_transaction_set_proxy_service(cn_http_transaction *t, cn_proxy_service *svc);

// Replaces the session's timeouts (cn_http_network_session_params.timeouts)
// for this transaction; call before start. Each phase's timer runs only
// while the phase waits and ends the request with that phase's error
// (cn_http_timeouts); a pending start or read gets it through its callback,
// and later reads return it. |timeouts| is borrowed, not copied (one copy
// per open stream less): it must stay alive and unchanged until the
// transaction is destroyed (a transaction that drains after destroy reads
// it no more).
void cn_http_transaction_set_timeouts(cn_http_transaction *t, const cn_http_timeouts *timeouts);

// Authentication (http_auth_controller.h). Strings are copied.
typedef struct cn_http_auth_params {
  // The origin's up-front identity, answering its first challenge; NULL:
  // the URL's user:pass, if any. A request whose own header fields carry
  // Authorization is left alone: its 401 is the response.
  const char *user;
  const char *password;
  unsigned schemes;        // CN_HTTP_AUTH_* the origin may be answered with; 0: all
  unsigned proxy_schemes;  // the same for a proxy the request goes to; 0: all
  // The caller answers challenges (cn_http_transaction_auth_challenge):
  // a 401/407 without an identity to answer with ends start() with the
  // response (a CONNECT's 407: with CN_ERR_PROXY_AUTH_REQUESTED) and the
  // challenge pending. Without it a proxy's is CN_ERR_PROXY_AUTH_REQUESTED
  // and an origin's 401 is the response.
  bool ask;
} cn_http_auth_params;
// Before start.
void cn_http_transaction_set_auth(cn_http_transaction *t, const cn_http_auth_params *p);

// A challenge waiting for an identity (|ask|).
typedef struct cn_http_auth_challenge_info {
  cn_http_auth_target target;
  bool tunnel;         // a proxy's answer to a CONNECT
  char server[300];    // "host:port" of the origin or the proxy
  const char *scheme;  // "Basic", "Digest"
  const char *realm;
} cn_http_auth_challenge_info;
// After start completed with a 401/407 response or (a tunnel's)
// CN_ERR_PROXY_AUTH_REQUESTED: the challenge the caller may answer with
// cn_http_transaction_restart_with_auth, else NULL. Valid until the next
// call on the transaction.
const cn_http_auth_challenge_info *cn_http_transaction_auth_challenge(const cn_http_transaction *t);
// Answers the pending challenge: the request goes again with |user| and
// |password| (on the same connection when it stays usable; a tunnel is
// set up again). Returns like start, |cb| once on CN_ERR_IO_PENDING. No
// challenge pending: CN_ERR_UNEXPECTED.
int cn_http_transaction_restart_with_auth(cn_http_transaction *t, const char *user,
                                          const char *password, cn_completion_cb cb, void *arg);

// Drops the pending challenge unanswered (the response, if any, stays).
void cn_http_transaction_decline_auth(cn_http_transaction *t);

// Runs the request up to the final response head. Returns CN_OK,
// CN_ERR_IO_PENDING (then |cb| once), or an error.
int cn_http_transaction_start(cn_http_transaction *t, const cn_http_request_info *info,
                              cn_completion_cb cb, void *arg);
// The final response head; NULL until start succeeded, then valid until the
// transaction is destroyed (also after the body was read and the connection
// released).
const cn_http_response_head *cn_http_transaction_response(const cn_http_transaction *t);
// Reads body bytes (decoded when the request asked for it): > 0, 0 at the
// end, an error, or CN_ERR_IO_PENDING.
int cn_http_transaction_read(cn_http_transaction *t, cn_iobuf *buf, size_t len,
                             cn_completion_cb cb, void *arg);

// Every hop of a chain is described (longer chains are refused when
// parsed).
#define CN_HTTP_MAX_HOPS CN_PROXY_CHAIN_MAX_HOPS

// One proxy of the chain under a request, as the stack showed it.
typedef struct cn_http_hop_info {
  const cn_proxy_server *proxy;  // owned by the transaction's proxy info
  // TLS to this proxy (NULL for an http:// or SOCKS proxy).
  const cn_stream_socket *tls;
  // What the connection to it speaks: its session's protocol (a tunnel
  // through it was a CONNECT stream, or the request a stream), else
  // HTTP/1.1.
  cn_next_proto protocol;
  // The connection to this proxy (its session, when it has one) existed
  // before the request.
  bool reused;
  // A tunnel through this proxy (to the next hop, or to the origin), and
  // whether it existed before the request.
  bool tunnel;
  bool tunnel_reused;
} cn_http_hop_info;

// What connection served the request (for `fetch -v` and tests), layer by
// layer. Sockets are valid while the body is read (NULL after it ended).
typedef struct cn_http_transaction_info {
  // How the connection carrying the request was found: an idle connection
  // from its pool, or — for a stream of a SPDY/HTTP2 session — a live
  // session (CN_SOCKET_REUSED_IDLE) or one made for this request
  // (CN_SOCKET_UNUSED).
  cn_socket_reuse_type reuse_type;
  const cn_stream_socket *socket;  // the top socket (NULL over a session)
  const char *proxy_chain;         // "direct" or the chain key
  int retries;                     // how many times the request was resent
  // The protocol the request itself went over: HTTP/1.1, or SPDY/3.1 /
  // HTTP/2 as a stream of a session (then |socket| is NULL).
  cn_next_proto protocol;
  // Every hop of the chain, first (the one connected to) first.
  size_t num_hops;
  cn_http_hop_info hops[CN_HTTP_MAX_HOPS];
  // TLS to the origin (https://, direct or through the chain), or NULL.
  const cn_stream_socket *origin_tls;
  // The last hop's fields again (the proxy the request went to or
  // through): what the connection to it speaks if it is an HTTPS proxy
  // (else UNKNOWN), its TLS, whether it was reused, and the tunnel through
  // it to the origin.
  cn_next_proto proxy_protocol;
  const cn_stream_socket *proxy_tls;
  bool proxy_reused;
  bool tunnelled;
  bool tunnel_reused;
} cn_http_transaction_info;
void cn_http_transaction_get_info(const cn_http_transaction *t, cn_http_transaction_info *out);
cn_netlog_source cn_http_transaction_source(const cn_http_transaction *t);

// When the last exchange sent its request and read its response head
// (cn_socket_timing_now() microseconds; 0: not reached), whatever the
// stream (HTTP/1.1, SPDY/HTTP2) — for load timing.
typedef struct cn_http_transaction_times {
  uint64_t send_start_us;
  uint64_t send_end_us;
  uint64_t headers_start_us;
  uint64_t headers_end_us;
} cn_http_transaction_times;
void cn_http_transaction_get_times(const cn_http_transaction *t,
                                   cn_http_transaction_times *out);

// Where the transaction's failure came from (connect_job.h): the index of a
// proxy in the chain the request was on when it failed (0: the one
// connected to), CN_HOP_ORIGIN, or CN_HOP_UNSET when it has not failed or
// the failure came from no peer (proxy resolution). For a proxy, |*proxy|
// (may be NULL) gets its string ("https://p:443", never credentials; owned
// by the transaction, valid until it is destroyed), else NULL.
int cn_http_transaction_error_hop(const cn_http_transaction *t, const char **proxy);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_TRANSACTION_H_
