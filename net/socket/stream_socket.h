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

#include "base/iobuf.h"
#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/socket/next_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_stream_socket cn_stream_socket;

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
} cn_stream_socket_ops;

struct cn_stream_socket {
  const cn_stream_socket_ops *ops;
  cn_netlog *netlog;        // may be NULL
  cn_netlog_source source;  // this socket's NetLog source
};

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
// Accepts NULL.
static inline void cn_stream_socket_destroy(cn_stream_socket *s) {
  if (s)
    s->ops->destroy(s);
}

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
