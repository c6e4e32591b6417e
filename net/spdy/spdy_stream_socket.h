// A CONNECT stream of a SPDY/3.1 or HTTP/2 session seen as a stream socket
// (F5, F6): the tunnel to an origin through a SPDY/HTTP2 proxy, over which
// TLS to the origin runs like over any socket. Many tunnels share one proxy
// session, one stream each (behaviour 12).
//
// connect(): a new stream on the session sends CONNECT —
//   SPDY/3.1  :method CONNECT :path origin:443 :host origin:443 :version HTTP/1.1
//   HTTP/2    :method CONNECT :authority origin:443
// (plus user-agent, and proxy-authorization when credentials are sent) and
// reads the answer:
//   - 2xx: connected. DATA already buffered or END_STREAM with the answer
//     is a failure (CN_ERR_TUNNEL_CONNECTION_FAILED): no origin speaks
//     before the client's TLS hello, so those bytes are the proxy's;
//   - 407 with credentials not yet sent and Basic offered: RST_STREAM
//     CANCEL and a new CONNECT stream on the same session with
//     Proxy-Authorization (behaviour 7); no credentials, or refused again:
//     CN_ERR_PROXY_AUTH_REQUESTED; no Basic: CN_ERR_PROXY_AUTH_UNSUPPORTED;
//   - 3xx: CN_ERR_HTTPS_PROXY_TUNNEL_RESPONSE_REDIRECT (never followed);
//   - anything else: CN_ERR_TUNNEL_CONNECTION_FAILED;
//   - the stream's own errors pass through (CN_ERR_HTTP2_GOING_AWAY: the
//     session takes no new streams — retry on a new session).
// The proxy's body is never read. HTTP_TUNNEL_CONNECT is logged on the
// socket's source (BEGIN target; END status or net_error), which feeds the
// "tunnels" counter.
//
// After connect: write → DATA within flow control (the write completes with
// its length once framed); read ← DATA, acknowledged by WINDOW_UPDATE as it
// is read (behaviour 11); END_STREAM → read 0. A tunnel whose stream ended
// otherwise — the proxy reset it, its session went away or lost its
// connection — reads as a TCP connection its peer closed: read 0 (EOF),
// write CN_ERR_CONNECTION_RESET, so that a request that failed on a reused
// tunnel is resent by the stale-connection rule above it, as through an
// HTTP/1.1 proxy (the cause is in the session's NetLog). A protocol error
// of the proxy's session is returned as it is.
// disconnect resets the stream with CANCEL (if open); destroy frees it by
// the stream's close rule (our CONNECT stream is cancelled if open; the
// server side's END_STREAM queued by shutdown still goes out); both credit
// its unread data back to the session window. negotiated_protocol is
// UNKNOWN: the tunnel carries bytes, the protocol is the TLS above it.
//
// Ownership: the socket borrows |session| until connect() created the
// stream (call connect before returning to the loop, or while the caller
// knows the session is alive); the stream then holds the session's memory.
// The proxy server (credentials) and strings are copied.
#ifndef CNET_NET_SPDY_SPDY_STREAM_SOCKET_H_
#define CNET_NET_SPDY_SPDY_STREAM_SOCKET_H_

#include <stdbool.h>

#include "net/base/host_port.h"
#include "net/base/netlog.h"
#include "net/base/request_priority.h"
#include "net/proxy_resolution/proxy_server.h"
#include "net/socket/stream_socket.h"
#include "net/spdy/spdy_session.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_spdy_stream_socket_params {
  cn_host_port target;            // what to CONNECT to
  const cn_proxy_server *proxy;   // credentials; may be NULL (none)
  const char *user_agent;         // may be NULL
  bool send_auth_up_front;        // the proxy took our credentials before
  // The proxy's authentication, borrowed from the tunnel job for the
  // socket's connect (http_auth_controller.h): when set, it writes
  // Proxy-Authorization and decides about a 407 (Basic or Digest), and
  // |proxy|'s credentials and |send_auth_up_front| are not used.
  struct cn_http_auth_controller *auth;
  const char *authority;  // host:port of |target| (Digest's uri), with |auth|
  cn_request_priority priority;
  cn_netlog_source owner;         // the request or connect job (NetLog)
  // The caller logs HTTP_TUNNEL_CONNECT itself (a tunnel connect job that
  // chose this socket): the socket does not, so a tunnel counts once.
  bool caller_logs_tunnel;
  // The session was live before this tunnel (found in the pool), rather
  // than made for it: only reported back (`fetch -v`).
  bool session_reused;
  // The optimistic tunnel (issue #13): connect completes once the CONNECT's
  // HEADERS are queued, so the layer above writes its first flight (the
  // origin's ClientHello) as DATA on the stream at once, in the flight of
  // the HEADERS. Only when no credentials go with the CONNECT (otherwise
  // the socket waits for the answer as usual). The first read then reads
  // the answer first, with the rules above:
  //   - a 200: the tunnel is open; DATA that came with it is the origin's
  //     (its ServerHello) and is read first;
  //   - anything else — a refusal, RST_STREAM, GOAWAY, the session's end —
  //     is the error the connect would have returned (a 407 leaves its
  //     challenge pending in |auth|'s cache, as the tunnel job does); the
  //     stream is reset with CANCEL, every later read and write fails with
  //     that error, and CN_SOCKET_QUERY_REFUSED_HOP answers |hop| so the
  //     layer above names the proxy as the failing hop. HTTP_1_1_REQUIRED
  //     is CN_ERR_PROXY_HTTP_1_1_REQUIRED, noted in |server_properties|.
  // The socket moves |auth| in (frees it): the caller must not free it
  // when cn_spdy_stream_socket_answer_pending() after a successful connect.
  // HTTP_TUNNEL_CONNECT's END is logged when the answer is read.
  bool optimistic;
  int hop;  // the proxy's index in the chain (error_hop.h), with |optimistic|
  // Where HTTP_1_1_REQUIRED is remembered (borrowed; may be NULL), with
  // |optimistic|; the proxy is |proxy|.
  struct cn_http_server_properties *server_properties;
} cn_spdy_stream_socket_params;

// A tunnel socket over |session| (not connected yet). |params| is copied.
cn_stream_socket *cn_spdy_stream_socket_new(cn_spdy_session *session,
                                            const cn_spdy_stream_socket_params *params,
                                            cn_netlog *netlog);

// The server's side (the test server's proxy): a socket over |stream|, a
// peer's CONNECT already answered with a 2xx (queued), connected at once
// (status 200), so a tunnel relay runs over it as over any socket. The
// socket owns |stream| from now on. |netlog| may be NULL.
cn_stream_socket *cn_spdy_stream_socket_new_accepted(struct cn_spdy_stream *stream,
                                                     cn_netlog *netlog);

// Ends our side of the tunnel: END_STREAM after the bytes written so far
// (the half-close a TCP socket does with shutdown). Returns CN_OK, an error,
// or CN_ERR_IO_PENDING and runs |cb| once from the loop. No write may be
// pending.
int cn_spdy_stream_socket_shutdown(cn_stream_socket *s, cn_completion_cb cb, void *arg);

// Credentials were sent on the CONNECT that succeeded (the caller records
// that the proxy takes them).
bool cn_spdy_stream_socket_sent_auth(const cn_stream_socket *s);
// The status of the last CONNECT answer (0 before one).
int cn_spdy_stream_socket_connect_status(const cn_stream_socket *s);
// The CONNECT stream (NULL before connect / after disconnect), for tests.
struct cn_spdy_stream *cn_spdy_stream_socket_stream(const cn_stream_socket *s);
// The params' session_reused.
bool cn_spdy_stream_socket_session_reused(const cn_stream_socket *s);
// Connected optimistically and the proxy's answer not read yet (the socket
// then owns the auth controller and logs HTTP_TUNNEL_CONNECT's END).
bool cn_spdy_stream_socket_answer_pending(const cn_stream_socket *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_STREAM_SOCKET_H_
