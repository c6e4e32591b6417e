// HTTP/1.1 (and 1.0) server side of one connection, over any connected
// cn_stream_socket (TCP, TLS, a pipe, later a proxy tunnel).
//
// One request at a time: the connection reads and parses a request (body
// included, see http1_request_parser.h), hands it to the handler, frames
// the handler's answer, and once the response is on the wire reads the
// next one (keep-alive). Bytes of a following request that arrive early
// are kept and parsed after the response (so pipelining works, though
// nothing relies on it). Behaviour:
//   - every response carries a Server field (below); the body is framed
//     by Content-Length, chunked (length unknown; HTTP/1.0 clients get a
//     close-delimited body instead) or the close of the connection;
//   - "Connection: close" is sent, and the connection closed after the
//     response, when the request asked for it, for HTTP/1.0 requests, for
//     close-delimited bodies and when the handler asks for it;
//   - HEAD gets the headers a GET would (Content-Length included), no body;
//   - "Expect: 100-continue" gets an interim 100 before the body is read;
//   - a request the parser rejects gets its 400-class status, a short
//     text/plain reason and a close;
//   - an aborted exchange: bytes already queued are delivered, then the
//     connection closes (with nothing queued, at once: no response at all).
//   - a 2xx answer to CONNECT carries no framing fields and no body; when
//     the handler takes the stream (cn_ts_exchange_take_stream) the socket
//     leaves the connection once the answer is flushed, with any bytes read
//     past the request kept in front of it (prefixed_socket.h);
//   - a handler's own Server field replaces "Server: cnet-testserver" (a
//     proxy relays the origin's).
// Closing over TLS sends close_notify first (after the last byte has
// reached the transport), except for an abort with nothing queued.
#ifndef CNET_TOOLS_TESTSERVER_HTTP1_CONNECTION_H_
#define CNET_TOOLS_TESTSERVER_HTTP1_CONNECTION_H_

#include <stdbool.h>

#include "tools/testserver/connection.h"

#ifdef __cplusplus
extern "C" {
#endif

// Starts serving |socket| (owned from now on). |tls| is recorded in each
// request.
cn_ts_connection *cn_ts_http1_connection_new(cn_ts_connection_host *host,
                                             cn_stream_socket *socket, bool tls);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_HTTP1_CONNECTION_H_
