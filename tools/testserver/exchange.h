// One request/response exchange, as a request handler sees it, and the
// request handler interface.
//
// A protocol connection (HTTP/1.1 now; HTTP/2 and SPDY/3.1 sessions later)
// parses a request, wraps it in a cn_ts_exchange and hands that to the
// server's cn_ts_handler (the origin's routes, or the proxy). The
// handler answers through the exchange, at once or later (timers, an
// upstream fetch): respond() once, write() body bytes, then finish() or
// abort(). The connection does the framing; the handler never sees it.
//
// Async rules (cnet's convention, seen from the handler's side):
//   - exchange calls never call back into the handler and never free
//     anything the handler holds: a handler may call several in a row and
//     still use the exchange until it calls finish() or abort();
//   - cn_ts_exchange_want_writable() asks for one callback once the
//     connection's queued output is low; it runs from the loop (never inside
//     an exchange call). Handlers that stream large bodies write a chunk per
//     callback so memory stays bounded;
//   - handler state that outlives handle() (a timer, a generator) is attached
//     with cn_ts_exchange_set_user(); its release hook runs exactly once when
//     the exchange goes away: after finish()/abort(), or when the connection
//     dies first (peer gone, server destroyed). After the release hook no
//     callback of the exchange runs, and the handler must not touch it.
//
// Tunnels (CONNECT): instead of finish(), a handler that answered a CONNECT
// with a 2xx calls cn_ts_exchange_take_stream() and receives the client's
// byte stream as a cn_stream_socket once the answer is on the wire (for
// HTTP/1.1 the connection's socket itself; a multiplexed protocol will hand
// out a stream adapter), so the tunnel code never depends on the protocol.
//
// Ownership: the connection owns the exchange and its request.
#ifndef CNET_TOOLS_TESTSERVER_EXCHANGE_H_
#define CNET_TOOLS_TESTSERVER_EXCHANGE_H_

#include <stdbool.h>
#include <stddef.h>

#include "base/iobuf.h"
#include "net/base/netlog.h"
#include "net/socket/stream_socket.h"
#include "tools/testserver/http_message.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ts_exchange cn_ts_exchange;

typedef void (*cn_ts_writable_cb)(void *arg, cn_ts_exchange *ex);
// Receives the client's byte stream (see cn_ts_exchange_take_stream); the
// callee owns |stream|.
typedef void (*cn_ts_stream_cb)(void *arg, cn_ts_exchange *ex, cn_stream_socket *stream);

// Implemented by each protocol connection.
typedef struct cn_ts_exchange_ops {
  void (*respond)(cn_ts_exchange *ex, const cn_ts_response *response);
  void (*write)(cn_ts_exchange *ex, cn_iobuf *buf, size_t offset, size_t len);
  void (*finish)(cn_ts_exchange *ex);
  void (*abort)(cn_ts_exchange *ex);
  void (*want_writable)(cn_ts_exchange *ex);
  // Like finish(), then hands over the stream (cn_ts_exchange_take_stream).
  void (*take_stream)(cn_ts_exchange *ex);
} cn_ts_exchange_ops;

struct cn_ts_exchange {
  const cn_ts_exchange_ops *ops;
  cn_ts_request request;
  // The exchange's NetLog source (REQUEST_ALIVE is logged on it), set by
  // the protocol: handlers log what they do for the request here.
  cn_netlog_source source;
  // Private to the exchange implementation and these helpers.
  void *user;
  void (*user_release)(void *user);
  cn_ts_writable_cb writable_cb;
  void *writable_arg;
  cn_ts_stream_cb stream_cb;
  void *stream_arg;
  bool responded;
  bool ended;  // finish() or abort() called
};

// Sends the status and headers. Call once, before any write(). |response|
// is copied (the caller frees it).
void cn_ts_exchange_respond(cn_ts_exchange *ex, const cn_ts_response *response);
// Queues body bytes (copied). Bytes beyond an announced Content-Length are
// dropped; for HEAD and bodiless statuses all are dropped.
void cn_ts_exchange_write(cn_ts_exchange *ex, const void *data, size_t len);
// Queues |len| bytes of |buf| from |offset|. The exchange takes its own
// reference if it keeps the buffer; a protocol that frames the bytes (HTTP/1.1
// chunks) may copy them instead.
void cn_ts_exchange_write_buf(cn_ts_exchange *ex, cn_iobuf *buf, size_t offset, size_t len);
// The body is complete. With an announced Content-Length not yet reached
// this is treated as abort() (the peer must see a truncated body).
void cn_ts_exchange_finish(cn_ts_exchange *ex);
// Ends the exchange abnormally: bytes already queued are delivered, then
// HTTP/1.1 closes the connection (a multiplexed protocol will reset just
// the stream). Before respond() this is "no response at all".
void cn_ts_exchange_abort(cn_ts_exchange *ex);
// One callback when queued output is low (see above). A second call before
// the callback ran replaces the callback.
void cn_ts_exchange_want_writable(cn_ts_exchange *ex, cn_ts_writable_cb cb, void *arg);
// Ends the exchange by handing the client's byte stream to the handler:
// call after respond() with a 2xx to a CONNECT request, instead of
// finish(). Once the answer has reached the transport, |cb| runs (from the
// loop, never inside this call) with the stream, which the callee owns from
// then on: bytes the client sent after the request are still readable from
// it, and the protocol connection is gone (for HTTP/1.1 the stream is the
// connection's socket, TLS included). The exchange is released right after
// |cb| returns (its release hook runs then), so |cb| may still read the
// exchange and the state attached to it. If the connection dies first, |cb|
// never runs; only the release hook does. Misuse (no 2xx response yet, not
// a CONNECT) is treated as abort().
void cn_ts_exchange_take_stream(cn_ts_exchange *ex, cn_ts_stream_cb cb, void *arg);
// Attaches handler state; |release| (may be NULL) runs once when the
// exchange goes away. Replaces (without releasing) earlier state.
void cn_ts_exchange_set_user(cn_ts_exchange *ex, void *user, void (*release)(void *user));

// True once the handler can no longer act (finish or abort called).
static inline bool cn_ts_exchange_ended(const cn_ts_exchange *ex) { return ex->ended; }

// For protocol implementations: sets up the base fields (the request is
// initialised empty), and tears them down, running the release hook.
void cn_ts_exchange_init(cn_ts_exchange *ex, const cn_ts_exchange_ops *ops);
void cn_ts_exchange_release(cn_ts_exchange *ex);
// Takes the pending writable callback (NULL if none) so the implementation
// can run it. The stream callback (take_stream) is in ex->stream_cb.
cn_ts_writable_cb cn_ts_exchange_take_writable(cn_ts_exchange *ex, void **arg);

// The request handler: what the server does with each request. The origin
// routes (origin_handler.h) are one; the proxy (proxy_handler.h) another.
typedef struct cn_ts_handler cn_ts_handler;
typedef struct cn_ts_handler_ops {
  // A complete request arrived (body included). Answer through |ex|, now or
  // later.
  void (*handle)(cn_ts_handler *h, cn_ts_exchange *ex);
  void (*destroy)(cn_ts_handler *h);
} cn_ts_handler_ops;

struct cn_ts_handler {
  const cn_ts_handler_ops *ops;
};

// Accepts NULL.
static inline void cn_ts_handler_destroy(cn_ts_handler *h) {
  if (h)
    h->ops->destroy(h);
}

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_EXCHANGE_H_
