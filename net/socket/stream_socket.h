// The async stream socket: the one shape every connection layer has.
//
// TCP, TLS over any socket, an HTTP CONNECT tunnel, a CONNECT stream of a
// SPDY/HTTP2 session and the test mock are all cn_stream_sockets, so layers
// compose: TLS to an origin runs unchanged over a tunnel that itself runs
// over TLS to a proxy.
//
// The async convention (the same everywhere in cnet):
//   - connect/read/write return a result at once, or CN_ERR_IO_PENDING and
//     later call |cb(arg, result)| exactly once, never from inside the call
//     that returned CN_ERR_IO_PENDING;
//   - read: > 0 bytes read, 0 end of stream, < 0 an error;
//   - write: > 0 bytes written (may be fewer than asked), < 0 an error;
//   - at most one read and one write are pending at a time;
//   - a pending read or write holds its own reference to the iobuf, so the
//     caller may unref its buffer right after the call;
//   - cn_stream_socket_destroy() cancels whatever is pending: no callback
//     runs after it returns.
//
// Ownership: the creator of a socket owns it and destroys it. A layered
// socket (TLS, tunnel) takes ownership of the socket it is given.
#ifndef CNET_NET_SOCKET_STREAM_SOCKET_H_
#define CNET_NET_SOCKET_STREAM_SOCKET_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/iobuf.h"
#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/socket/next_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_stream_socket cn_stream_socket;

// What kind of layer a socket is, for walking a connection's stack (what
// `fetch -v` and the API's layer report describe). Code never decides what
// a socket is by comparing ops tables: it asks (cn_stream_socket_query).
typedef enum cn_socket_layer {
  CN_SOCKET_LAYER_OTHER = 0,    // test sockets (mock, pipe) and anything else
  CN_SOCKET_LAYER_TCP,
  CN_SOCKET_LAYER_TLS,
  CN_SOCKET_LAYER_POOLED,       // a socket borrowed from a lower pool
  CN_SOCKET_LAYER_HTTP_TUNNEL,  // through an HTTP/1.1 proxy after its CONNECT's 200
  CN_SOCKET_LAYER_SPDY_TUNNEL,  // a CONNECT stream of a SPDY/HTTP2 session
  CN_SOCKET_LAYER_SOCKS_TUNNEL, // through a SOCKS5 proxy after its CONNECT reply
} cn_socket_layer;

// Questions a socket answers about itself or the stack under it (curl's
// connection-filter query). The "self" ones are answered by the socket
// asked alone (a socket that does not answer gets the default); the others
// pass down the stack until a socket answers.
typedef enum cn_socket_query {
  // self; out: const cn_stream_socket **. The socket this one runs over
  // (its transport, the socket it borrowed, its session's socket); NULL at
  // the bottom (the default).
  CN_SOCKET_QUERY_LOWER = 1,
  // self; out: cn_socket_layer *. Default: CN_SOCKET_LAYER_OTHER.
  CN_SOCKET_QUERY_LAYER,
  // self; out: bool *. The layer below existed before this one took it: a
  // pooled socket handed out idle, a CONNECT stream opened on a session that
  // was already live. Default: false.
  CN_SOCKET_QUERY_LOWER_REUSED,
  // passes down; out: struct cn_spdy_session **. The session carrying the
  // nearest CONNECT stream at or below the socket asked.
  CN_SOCKET_QUERY_TUNNEL_SESSION,
  // passes down; out: int *. The hop (a proxy's index in the chain) whose
  // refusal failed this stack's reads: an optimistic tunnel
  // (http_optimistic_tunnel_socket.h) whose CONNECT the proxy refused after
  // the layer above had begun. The layer above then names that hop as its
  // failure's, as the tunnel job would have.
  CN_SOCKET_QUERY_REFUSED_HOP,
} cn_socket_query;

typedef struct cn_stream_socket_ops {
  const char *name;  // "tcp", "ssl", "mock", …
  int (*connect)(cn_stream_socket *s, cn_completion_cb cb, void *arg);
  int (*read)(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg);
  int (*write)(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg);
  // Closes the connection now; pending callbacks are cancelled. The socket
  // stays allocated and reports not connected.
  void (*disconnect)(cn_stream_socket *s);
  bool (*is_connected)(const cn_stream_socket *s);
  // Connected, and no unread bytes or EOF waiting: safe to reuse for a new
  // request (the pools' stale-socket check).
  bool (*is_connected_and_idle)(const cn_stream_socket *s);
  cn_next_proto (*negotiated_protocol)(const cn_stream_socket *s);
  void (*destroy)(cn_stream_socket *s);
  // Optional (NULL: the layer has no half-close). Ends this direction of
  // the stream while reads go on — TLS's close_notify, a stream's
  // END_STREAM — completing once that is handed to the layer below: CN_OK,
  // CN_ERR_IO_PENDING (then |cb|), or an error. It takes the write slot.
  int (*shutdown)(cn_stream_socket *s, cn_completion_cb cb, void *arg);
  // Optional (NULL answers nothing). Fills |out| and returns CN_OK for a
  // question this socket answers, else CN_ERR_NOT_IMPLEMENTED; never
  // passes a question down itself (cn_stream_socket_query does).
  int (*query)(const cn_stream_socket *s, cn_socket_query q, void *out);
  // Optional (NULL: the layer has nothing of its own and the call passes
  // down to the socket below). Whether this layer keeps the loop running;
  // a layer that implements it decides for everything below it too (see
  // cn_stream_socket_set_keeps_loop_alive).
  void (*set_keeps_loop_alive)(cn_stream_socket *s, bool keep);
  // Optional (NULL: not offered; pass-through layers forward it). A read
  // into plain memory that never waits and leaves no operation of the
  // caller's behind (see cn_stream_socket_read_now). Not while a read() is
  // pending.
  int (*read_now)(cn_stream_socket *s, uint8_t *out, size_t len, bool may_start_read);
} cn_stream_socket_ops;

// When a layer was made, for the load timing of the requests it serves
// (the API's cnet_request_get_load_timing): monotonic microseconds
// (cn_socket_timing_now, the NetLog's clock), 0 when not recorded. The
// connect job that makes a socket stamps it: the transport job a TCP
// socket (the resolution before it and the connect), the TLS job a TLS
// socket (its handshake), the tunnel job a tunnel socket (its CONNECT
// exchange, from sending the CONNECT to the answer).
typedef struct cn_socket_timing {
  uint64_t dns_start_us, dns_end_us;
  uint64_t connect_start_us, connect_end_us;
} cn_socket_timing;

struct cn_stream_socket {
  const cn_stream_socket_ops *ops;
  cn_netlog *netlog;        // may be NULL
  cn_netlog_source source;  // this socket's NetLog source
  cn_socket_timing timing;  // stamped by the connect job that made it
};

// The clock of cn_socket_timing (uv_hrtime in microseconds).
uint64_t cn_socket_timing_now(void);

static inline int cn_stream_socket_connect(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  return s->ops->connect(s, cb, arg);
}
static inline int cn_stream_socket_read(cn_stream_socket *s, cn_iobuf *buf, size_t len,
                                        cn_completion_cb cb, void *arg) {
  return s->ops->read(s, buf, len, cb, arg);
}
static inline int cn_stream_socket_write(cn_stream_socket *s, cn_iobuf *buf, size_t len,
                                         cn_completion_cb cb, void *arg) {
  return s->ops->write(s, buf, len, cb, arg);
}
// Reads into |out| (up to |len| bytes) what can be had without waiting:
// the bytes (> 0), 0 at EOF, an error, or CN_ERR_IO_PENDING when nothing is
// there now — then read() waits for it — and CN_ERR_NOT_IMPLEMENTED when
// the layer does not offer it. With |may_start_read| false the layer starts
// no read of its own transport (it only hands out what already arrived) —
// except the TLS socket while its transport reads come back full (a bulk
// transfer streaming in: see ssl_transport_pump.h);
// with true it may, and a read it leaves pending is its own (its result is
// kept for the next read() or read_now). Lets TLS inside TLS read the inner
// records straight into BoringSSL's buffer, where read() would need a
// buffer of the caller's that outlives a pending read and a copy out of it.
static inline int cn_stream_socket_read_now(cn_stream_socket *s, uint8_t *out, size_t len,
                                            bool may_start_read) {
  return s->ops->read_now ? s->ops->read_now(s, out, len, may_start_read)
                          : CN_ERR_NOT_IMPLEMENTED;
}
static inline void cn_stream_socket_disconnect(cn_stream_socket *s) { s->ops->disconnect(s); }
static inline bool cn_stream_socket_is_connected(const cn_stream_socket *s) {
  return s->ops->is_connected(s);
}
static inline bool cn_stream_socket_is_connected_and_idle(const cn_stream_socket *s) {
  return s->ops->is_connected_and_idle(s);
}
static inline cn_next_proto cn_stream_socket_negotiated_protocol(const cn_stream_socket *s) {
  return s->ops->negotiated_protocol ? s->ops->negotiated_protocol(s) : CN_PROTO_UNKNOWN;
}
// CN_ERR_NOT_IMPLEMENTED for a layer without half-close (the caller then
// closes instead).
static inline int cn_stream_socket_shutdown(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  return s->ops->shutdown ? s->ops->shutdown(s, cb, arg) : CN_ERR_NOT_IMPLEMENTED;
}
// Accepts NULL.
static inline void cn_stream_socket_destroy(cn_stream_socket *s) {
  if (s)
    s->ops->destroy(s);
}

// Asks |s| (see cn_socket_query): CN_OK with |out| filled, or
// CN_ERR_NOT_IMPLEMENTED when no socket asked answered (then "self"
// questions have their default in |out|).
int cn_stream_socket_query(const cn_stream_socket *s, cn_socket_query q, void *out);
// Shorthands for the "self" questions.
const cn_stream_socket *cn_stream_socket_lower(const cn_stream_socket *s);
cn_socket_layer cn_stream_socket_layer(const cn_stream_socket *s);
bool cn_stream_socket_lower_reused(const cn_stream_socket *s);

// Whether the connection under |s| keeps its libuv loop running or not:
// pools and sessions say false while a connection only waits idle, so the
// application's uv_run() returns once its requests are done, and true when
// it carries a request again. A pending read (the TLS peek, a session's
// reads) stays pending either way. Passes down the stack to the first
// layer that implements set_keeps_loop_alive: TCP (uv_ref/uv_unref of its
// handle), or a CONNECT stream of a session (the session counts its idle
// tunnels: its connection keeps the loop running while a stream that is
// not an idle tunnel is open). Accepts NULL.
void cn_stream_socket_set_keeps_loop_alive(cn_stream_socket *s, bool keep);

// Sets up the common fields and a fresh SOCKET NetLog source, and logs
// SOCKET_ALIVE BEGIN with the socket kind.
void cn_stream_socket_init(cn_stream_socket *s, const cn_stream_socket_ops *ops,
                           cn_netlog *netlog);
// Logs SOCKET_ALIVE END; call from destroy.
void cn_stream_socket_log_destroyed(cn_stream_socket *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_STREAM_SOCKET_H_
