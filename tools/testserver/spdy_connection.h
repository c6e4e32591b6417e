// SPDY/3.1 and HTTP/2, server side of one connection: a server-role
// cn_spdy_session (net/spdy/spdy_session.h) whose peer streams become
// exchanges, so every origin route and the proxy work over both protocols.
//
// Requests: the stream's header list becomes the request head.
//   HTTP/2: :method, and :path as the target — or, for :scheme http on this
//     TLS connection (a request to an HTTPS proxy, F4),
//     "http://" :authority :path; CONNECT's target is :authority.
//   SPDY/3.1: :method, and :path as sent (absolute "http://origin/…" to a
//     proxy, authority "origin:443" for CONNECT).
//   :authority / :host also becomes a Host field (first); the other fields
//   are kept as received (lower-case). http_version is 20 or 31. The body
//   is read to END_STREAM before the handler sees the request; a CONNECT is
//   handed over at once (its DATA is the tunnel).
// Responses: HEADERS (HTTP/2: :status) or SYN_REPLY (SPDY/3.1: :status
//   "200 OK", :version HTTP/1.1), a Server field unless the handler gave
//   one, content-length when announced (HEAD too), the handler's fields
//   minus the connection-specific ones (Connection, Keep-Alive,
//   Proxy-Connection, Transfer-Encoding, Upgrade), then DATA within flow
//   control with END_STREAM on the last frame. An aborted exchange delivers
//   what was queued and then resets the stream (INTERNAL_ERROR; before any
//   response: no response at all). A 2xx to CONNECT carries no
//   content-length and keeps the stream open: take_stream hands out the
//   stream as a socket for the tunnel (net/spdy/spdy_stream_socket.h,
//   cn_spdy_stream_socket_new_accepted).
// Faults and limits (cn_test_server_session_options): goaway_after,
//   rst_stream (+ path prefix), initial_window, max_concurrent_streams,
//   bad_frame. Counters: spdy/http2 sessions and streams, streams_reset,
//   goaways_sent, bad_frames_sent.
//
// The connection ends when its session closes (the peer went away, an
// error, a drained GOAWAY). Ownership as for every connection
// (connection.h); the session owns the socket.
#ifndef CNET_TOOLS_TESTSERVER_SPDY_CONNECTION_H_
#define CNET_TOOLS_TESTSERVER_SPDY_CONNECTION_H_

#include <stdbool.h>

#include "tools/testserver/connection.h"

#ifdef __cplusplus
extern "C" {
#endif

// Starts serving |socket| (owned from now on) with |protocol|
// (CN_PROTO_SPDY31 or CN_PROTO_HTTP2). Returns NULL if the session cannot
// start (the socket is destroyed).
cn_ts_connection *cn_ts_spdy_connection_new(cn_ts_connection_host *host, cn_stream_socket *socket,
                                            cn_next_proto protocol, bool tls);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_SPDY_CONNECTION_H_
