#include "net/socket/pooled_socket.h"

#include <stdlib.h>

#include "base/mem.h"

typedef struct pooled_socket {
  cn_stream_socket base;
  cn_client_socket_handle handle;
} pooled_socket;

static cn_stream_socket *lower(const cn_stream_socket *s) {
  return ((const pooled_socket *)s)->handle.socket;
}

static int connect_(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  // The pool hands out connected sockets; connect only reports that.
  return lower(s) && cn_stream_socket_is_connected(lower(s)) ? CN_OK
                                                             : CN_ERR_SOCKET_NOT_CONNECTED;
}

static int read_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
  return lower(s) ? cn_stream_socket_read(lower(s), buf, len, cb, arg)
                  : CN_ERR_SOCKET_NOT_CONNECTED;
}

static int read_now_(cn_stream_socket *s, uint8_t *out, size_t len, bool may_start_read) {
  return lower(s) ? cn_stream_socket_read_now(lower(s), out, len, may_start_read)
                  : CN_ERR_SOCKET_NOT_CONNECTED;
}

static int write_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
  return lower(s) ? cn_stream_socket_write(lower(s), buf, len, cb, arg)
                  : CN_ERR_SOCKET_NOT_CONNECTED;
}

static void disconnect_(cn_stream_socket *s) {
  if (lower(s))
    cn_stream_socket_disconnect(lower(s));
}

static bool is_connected_(const cn_stream_socket *s) {
  return lower(s) && cn_stream_socket_is_connected(lower(s));
}

static bool is_connected_and_idle_(const cn_stream_socket *s) {
  return lower(s) && cn_stream_socket_is_connected_and_idle(lower(s));
}

static cn_next_proto negotiated_protocol_(const cn_stream_socket *s) {
  return lower(s) ? cn_stream_socket_negotiated_protocol(lower(s)) : CN_PROTO_UNKNOWN;
}

static void destroy_(cn_stream_socket *s) {
  pooled_socket *p = (pooled_socket *)s;
  disconnect_(s);
  cn_client_socket_handle_reset(&p->handle);
  cn_stream_socket_log_destroyed(s);
  free(p);
}

static int query_(const cn_stream_socket *s, cn_socket_query q, void *out) {
  const cn_client_socket_handle *h = &((const pooled_socket *)s)->handle;
  switch (q) {
    case CN_SOCKET_QUERY_LAYER:
      *(cn_socket_layer *)out = CN_SOCKET_LAYER_POOLED;
      return CN_OK;
    case CN_SOCKET_QUERY_LOWER:
      *(const cn_stream_socket **)out = h->socket;
      return CN_OK;
    case CN_SOCKET_QUERY_LOWER_REUSED:
      *(bool *)out = h->reuse_type == CN_SOCKET_REUSED_IDLE;
      return CN_OK;
    default:
      return CN_ERR_NOT_IMPLEMENTED;
  }
}

static const cn_stream_socket_ops kPooledOps = {
    .name = "pooled",
    .connect = connect_,
    .read = read_,
    .read_now = read_now_,
    .write = write_,
    .disconnect = disconnect_,
    .is_connected = is_connected_,
    .is_connected_and_idle = is_connected_and_idle_,
    .negotiated_protocol = negotiated_protocol_,
    .destroy = destroy_,
    .query = query_,
};

cn_stream_socket *cn_pooled_socket_new(cn_netlog *netlog) {
  pooled_socket *p = CN_NEW(pooled_socket);
  cn_stream_socket_init(&p->base, &kPooledOps, netlog);
  cn_client_socket_handle_init(&p->handle);
  return &p->base;
}

cn_client_socket_handle *cn_pooled_socket_handle(cn_stream_socket *s) {
  return &((pooled_socket *)s)->handle;
}

