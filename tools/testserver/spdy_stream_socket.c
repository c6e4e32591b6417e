#include "tools/testserver/spdy_stream_socket.h"

#include <stdlib.h>

#include "base/mem.h"

typedef struct spdy_stream_socket {
  cn_stream_socket base;  // first: the ops cast back
  cn_spdy_stream *stream;
  bool disconnected;
} spdy_stream_socket;

static spdy_stream_socket *of(cn_stream_socket *s) { return (spdy_stream_socket *)s; }
static const spdy_stream_socket *cof(const cn_stream_socket *s) {
  return (const spdy_stream_socket *)s;
}

static int connect_(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  // Made from a stream that already answered the CONNECT.
  return of(s)->disconnected ? CN_ERR_SOCKET_NOT_CONNECTED : CN_OK;
}

static int read_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
  spdy_stream_socket *p = of(s);
  if (p->disconnected)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  return cn_spdy_stream_read(p->stream, buf, len, cb, arg);
}

static int write_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                  void *arg) {
  spdy_stream_socket *p = of(s);
  if (p->disconnected)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  return cn_spdy_stream_write(p->stream, buf, len, false, cb, arg);
}

static void disconnect_(cn_stream_socket *s) {
  spdy_stream_socket *p = of(s);
  if (!p->disconnected)
    cn_spdy_stream_reset(p->stream, CN_HTTP2_CANCEL);
  p->disconnected = true;
}

static bool is_connected_(const cn_stream_socket *s) {
  const spdy_stream_socket *p = cof(s);
  return !p->disconnected && !cn_spdy_stream_is_closed(p->stream);
}

static bool is_connected_and_idle_(const cn_stream_socket *s) {
  const spdy_stream_socket *p = cof(s);
  return is_connected_(s) && cn_spdy_stream_buffered_bytes(p->stream) == 0 &&
         !cn_spdy_stream_remote_fin(p->stream);
}

static cn_next_proto negotiated_protocol_(const cn_stream_socket *s) { return CN_PROTO_UNKNOWN; }

static void destroy_(cn_stream_socket *s) {
  spdy_stream_socket *p = of(s);
  cn_spdy_stream_destroy(p->stream);
  cn_stream_socket_log_destroyed(s);
  free(p);
}

static const cn_stream_socket_ops kSpdyStreamSocketOps = {
    .name = "spdy_stream",
    .connect = connect_,
    .read = read_,
    .write = write_,
    .disconnect = disconnect_,
    .is_connected = is_connected_,
    .is_connected_and_idle = is_connected_and_idle_,
    .negotiated_protocol = negotiated_protocol_,
    .destroy = destroy_,
};

cn_stream_socket *cn_ts_spdy_stream_socket_new(cn_netlog *netlog, cn_spdy_stream *stream) {
  spdy_stream_socket *p = CN_NEW(spdy_stream_socket);
  cn_stream_socket_init(&p->base, &kSpdyStreamSocketOps, netlog);
  p->stream = stream;
  return &p->base;
}

bool cn_ts_is_spdy_stream_socket(const cn_stream_socket *s) {
  return s->ops == &kSpdyStreamSocketOps;
}

int cn_ts_spdy_stream_socket_shutdown(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  spdy_stream_socket *p = of(s);
  if (p->disconnected)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  // An empty DATA frame carries the END_STREAM.
  cn_iobuf *empty = cn_iobuf_new(1);
  int rv = cn_spdy_stream_write(p->stream, empty, 0, true, cb, arg);
  cn_iobuf_unref(empty);
  return rv;
}
