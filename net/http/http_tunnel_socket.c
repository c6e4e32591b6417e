#include "net/http/http_tunnel_socket.h"

#include <stdlib.h>

#include "base/mem.h"

typedef struct http_tunnel_socket {
  cn_stream_socket base;
  cn_stream_socket *proxy_connection;  // owned
} http_tunnel_socket;

static cn_stream_socket *conn(const cn_stream_socket *s) {
  return ((const http_tunnel_socket *)s)->proxy_connection;
}

static int connect_(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  // Made connected: the CONNECT exchange is the connect job's.
  return cn_stream_socket_is_connected(conn(s)) ? CN_OK : CN_ERR_SOCKET_NOT_CONNECTED;
}

static int read_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
  return cn_stream_socket_read(conn(s), buf, len, cb, arg);
}

static int read_now_(cn_stream_socket *s, uint8_t *out, size_t len, bool may_start_read) {
  return cn_stream_socket_read_now(conn(s), out, len, may_start_read);
}

static int write_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
  return cn_stream_socket_write(conn(s), buf, len, cb, arg);
}

static void disconnect_(cn_stream_socket *s) { cn_stream_socket_disconnect(conn(s)); }

static bool is_connected_(const cn_stream_socket *s) {
  return cn_stream_socket_is_connected(conn(s));
}

static bool is_connected_and_idle_(const cn_stream_socket *s) {
  return cn_stream_socket_is_connected_and_idle(conn(s));
}

static cn_next_proto negotiated_protocol_(const cn_stream_socket *s) {
  // The tunnel carries bytes; what they speak is negotiated above it.
  return CN_PROTO_UNKNOWN;
}

static void destroy_(cn_stream_socket *s) {
  cn_stream_socket_destroy(conn(s));
  cn_stream_socket_log_destroyed(s);
  free(s);
}

static int query_(const cn_stream_socket *s, cn_socket_query q, void *out) {
  switch (q) {
    case CN_SOCKET_QUERY_LAYER:
      *(cn_socket_layer *)out = CN_SOCKET_LAYER_HTTP_TUNNEL;
      return CN_OK;
    case CN_SOCKET_QUERY_LOWER:
      *(const cn_stream_socket **)out = conn(s);
      return CN_OK;
    default:
      return CN_ERR_NOT_IMPLEMENTED;
  }
}

static const cn_stream_socket_ops kHttpTunnelOps = {
    .name = "http_tunnel",
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

cn_stream_socket *cn_http_tunnel_socket_new(cn_stream_socket *proxy_connection,
                                            cn_netlog *netlog) {
  http_tunnel_socket *t = CN_NEW(http_tunnel_socket);
  cn_stream_socket_init(&t->base, &kHttpTunnelOps, netlog);
  t->proxy_connection = proxy_connection;
  return &t->base;
}
