// The socket of an optimistic HTTP/1.1 CONNECT tunnel (issue #13): handed
// up as soon as the CONNECT is written, before the proxy's answer, so that
// the layer above (TLS to the origin, or to the next proxy) sends its first
// flight — the ClientHello — right behind the CONNECT, saving the round trip
// of waiting for the 200.
//
//   - Writes pass to the connection to the proxy at once (the CONNECT was
//     written whole before this socket existed, so the bytes follow it).
//   - The first read reads the proxy's answer first, with the same strict
//     parser and the same rules as the tunnel job (http_proxy_connect_job.h):
//       200: the tunnel is up; bytes that came after the answer are the
//            origin's (its ServerHello may share the proxy's packet) and
//            are the first bytes read; from then on a pass-through;
//       anything else: the tunnel job's error for it
//            (CN_ERR_TUNNEL_CONNECTION_FAILED, CN_ERR_PROXY_AUTH_REQUESTED,
//            ...), as is a failure of the exchange itself (reset, EOF, a
//            malformed answer); the connection to the proxy is closed at
//            once (never reused: the origin bytes already sent would be
//            taken for a request), every later read and write fails with
//            the same error, and CN_SOCKET_QUERY_REFUSED_HOP answers the
//            proxy's hop so the layer above names the proxy, not the
//            origin, as the failure's hop.
//   - HTTP_TUNNEL_CONNECT's END (the status or the error) is logged on the
//     job's source when the answer is read.
// The job uses it only when the tunnel job would not retry anything on its
// own: a new connection to the proxy (not one reused from the pool, which
// the job would resend on if it had gone stale) and no credentials
// involved (none in the proxy's URL, none sent).
//
// Ownership: takes |proxy_connection| and |answer| (the CONNECT exchange,
// request written, over |proxy_connection|) and destroys them with itself;
// |proxy| is copied.
#ifndef CNET_NET_HTTP_HTTP_OPTIMISTIC_TUNNEL_SOCKET_H_
#define CNET_NET_HTTP_HTTP_OPTIMISTIC_TUNNEL_SOCKET_H_

#include <stdbool.h>

#include "net/http/http_auth_controller.h"
#include "net/http/http_basic_stream.h"
#include "net/proxy_resolution/proxy_server.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_http_optimistic_tunnel_params {
  const cn_proxy_server *proxy;  // copied
  int hop;                       // the proxy's index in the chain (error_hop.h)
  // The job's auth controller, moved in (the socket frees it): a 407 is
  // decided with it as the job would (the challenge left pending in the
  // session's cache for the application to answer).
  cn_http_auth_controller *auth;
  cn_netlog_source job_source;   // where HTTP_TUNNEL_CONNECT began
} cn_http_optimistic_tunnel_params;

cn_stream_socket *cn_http_optimistic_tunnel_socket_new(cn_stream_socket *proxy_connection,
                                                       cn_http_basic_stream *answer,
                                                       const cn_http_optimistic_tunnel_params *p,
                                                       cn_netlog *netlog);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_OPTIMISTIC_TUNNEL_SOCKET_H_
