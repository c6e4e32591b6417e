#include "tools/testserver/prefixed_socket.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

typedef struct prefixed_socket {
  cn_stream_socket base;  // first: the ops cast back
  cn_stream_socket *inner;
  uint8_t *prefix;
  size_t len;
  size_t off;
} prefixed_socket;

static prefixed_socket *of(cn_stream_socket *s) { return (prefixed_socket *)s; }
static const prefixed_socket *cof(const cn_stream_socket *s) {
  return (const prefixed_socket *)s;
}

static int connect_(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  // Only ever made from a connected socket; report its state.
  return cn_stream_socket_is_connected(of(s)->inner) ? CN_OK : CN_ERR_SOCKET_NOT_CONNECTED;
}

static int read_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
  prefixed_socket *p = of(s);
  if (p->off < p->len) {
    if (len == 0 || len > buf->size)
      return CN_ERR_INVALID_ARGUMENT;
    size_t n = p->len - p->off < len ? p->len - p->off : len;
    memcpy(buf->data, p->prefix + p->off, n);
    p->off += n;
    if (p->off == p->len) {
      free(p->prefix);
      p->prefix = NULL;
    }
    return (int)n;
  }
  return cn_stream_socket_read(p->inner, buf, len, cb, arg);
}

static int write_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
  return cn_stream_socket_write(of(s)->inner, buf, len, cb, arg);
}

static void disconnect_(cn_stream_socket *s) { cn_stream_socket_disconnect(of(s)->inner); }

static bool is_connected_(const cn_stream_socket *s) {
  return cn_stream_socket_is_connected(cof(s)->inner);
}

static bool is_connected_and_idle_(const cn_stream_socket *s) {
  const prefixed_socket *p = cof(s);
  return p->off == p->len && cn_stream_socket_is_connected_and_idle(p->inner);
}

static cn_next_proto negotiated_protocol_(const cn_stream_socket *s) {
  return cn_stream_socket_negotiated_protocol(cof(s)->inner);
}

static void destroy_(cn_stream_socket *s) {
  prefixed_socket *p = of(s);
  cn_stream_socket_destroy(p->inner);
  free(p->prefix);
  cn_stream_socket_log_destroyed(s);
  free(p);
}

static int shutdown_(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  return cn_stream_socket_shutdown(of(s)->inner, cb, arg);
}

static int query_(const cn_stream_socket *s, cn_socket_query q, void *out) {
  if (q != CN_SOCKET_QUERY_LOWER)
    return CN_ERR_NOT_IMPLEMENTED;
  *(const cn_stream_socket **)out = cof(s)->inner;
  return CN_OK;
}

static const cn_stream_socket_ops kPrefixedOps = {
    .name = "prefixed",
    .connect = connect_,
    .read = read_,
    .write = write_,
    .disconnect = disconnect_,
    .is_connected = is_connected_,
    .is_connected_and_idle = is_connected_and_idle_,
    .negotiated_protocol = negotiated_protocol_,
    .destroy = destroy_,
    .shutdown = shutdown_,
    .query = query_,
};

cn_stream_socket *cn_ts_prefixed_socket_new(cn_stream_socket *inner, const uint8_t *prefix,
                                            size_t len) {
  if (len == 0)
    return inner;
  prefixed_socket *p = CN_NEW(prefixed_socket);
  cn_stream_socket_init(&p->base, &kPrefixedOps, inner->netlog);
  p->inner = inner;
  p->prefix = cn_xmalloc(len);
  memcpy(p->prefix, prefix, len);
  p->len = len;
  return &p->base;
}
