// The proxy's request handler: what a test server in proxy mode
// (cn_test_server_options.proxy) does with each request. A proxy as in the
// seed's flows F1-F6, served over TLS (an HTTPS proxy) or plain TCP by the
// same connections as the origin: HTTP/1.1, or SPDY/3.1 / HTTP/2 streams
// (spdy_connection.h maps their pseudo-headers to the same absolute-form and
// CONNECT requests; a CONNECT stream is the tunnel's client side).
//
//   GET http://origin:port/path HTTP/1.1   (absolute-form, F1; any method)
//     The request goes to the origin in origin-form with the client's
//     fields minus the hop-by-hop ones (Connection and the fields it names,
//     Proxy-Connection, Proxy-Authorization, Keep-Alive, TE, Trailer,
//     Upgrade, Expect; the body is re-framed). The origin's answer comes
//     back with its status, reason and fields (minus hop-by-hop ones) and
//     its body streamed (Content-Length kept; chunked or close-delimited
//     bodies are sent chunked). The client's keep-alive is independent of
//     the origin's. Origin connections are reused when keep-alive allows
//     (upstream_pool.h); a reused one that fails before any response byte
//     is retried once on a new connection. Only http:// targets.
//   CONNECT host:port HTTP/1.1             (authority-form, F2)
//     A new TCP connection to the target, then "200 Connection
//     Established" and a byte relay both ways (tunnel.h) until the tunnel
//     ends.
//   Anything else (origin-form, a bad CONNECT target) -> 400.
//   Resolve or connect failures -> 502 with a short text body naming the
//   error.
//
// Switches (cn_test_server_proxy_options): slow (every request waits
// slow_ms first), drop_at after-connect-request, auth (Basic; 407 with
// Proxy-Authenticate, keep-alive or close), refuse_connect, then the work
// above with drop_at before-response / mid-response / mid-tunnel and
// extra_after_200 applied where they belong. In that order: a dropped
// CONNECT is dropped even without credentials; a refusal needs them.
//
// NetLog (the server's): REQUEST_ALIVE per request as for the origin, and
// on its source: HTTP_TUNNEL_CONNECT BEGIN {target} / END {status} or
// {status, net_error} (the "tunnels" counter counts tunnels opened), the
// upstream pool's events (upstream_pool.h: SOCKET_POOL_BOUND with reuse,
// TCP_CONNECT on the upstream socket), and cn_http_basic_stream's
// HTTP_TRANSACTION_* events for forwarded requests.
//
// Ownership: the caller owns the handler (cn_ts_handler_destroy), which
// also ends every tunnel still open. As for every handler, the exchanges in
// progress must be gone before it is destroyed.
#ifndef CNET_TOOLS_TESTSERVER_PROXY_HANDLER_H_
#define CNET_TOOLS_TESTSERVER_PROXY_HANDLER_H_

#include <uv.h>

#include "net/base/netlog.h"
#include "tools/testserver/exchange.h"
#include "tools/testserver/test_server.h"

#ifdef __cplusplus
extern "C" {
#endif

// Makes a proxy handler with |options| (copied; see test_server.h). Returns
// CN_OK and *out, or CN_ERR_INVALID_ARGUMENT (auth without ':', a map entry
// that is not "name -> IP literal", a refusal status that is not
// 300..599). |netlog| may be NULL.
int cn_ts_proxy_handler_new(uv_loop_t *loop, cn_netlog *netlog,
                            const cn_test_server_proxy_options *options, cn_ts_handler **out);

// The proxy's counters (|h| must be a proxy handler).
void cn_ts_proxy_handler_get_counters(const cn_ts_handler *h, cn_test_server_proxy_counters *out);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_PROXY_HANDLER_H_
