#include "net/socket/pipe_socket.h"

#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "base/timer.h"

typedef struct pipe_end pipe_end;

struct pipe_end {
  cn_stream_socket base;
  pipe_end *peer;    // NULL once the peer is destroyed
  cn_bytebuf inbox;  // written by the peer, not yet read here
  bool peer_closed;  // EOF after |inbox| drains
  bool closed;       // this end was disconnected
  size_t max_chunk;
  // The pending read, if any.
  cn_iobuf *read_buf;
  size_t read_len;
  cn_completion_cb read_cb;
  void *read_arg;
  // Completes the pending read from the loop, never from inside the peer's
  // write call: that is the "callback never re-entrant" rule.
  cn_timer *wake;
};

static pipe_end *end_of(cn_stream_socket *s) { return (pipe_end *)s; }

static int connect_(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  return end_of(s)->closed ? CN_ERR_SOCKET_NOT_CONNECTED : CN_OK;
}

// Reads what is available now: > 0 bytes, 0 for EOF, IO_PENDING if nothing.
static int read_now(pipe_end *e, cn_iobuf *buf, size_t len) {
  size_t avail = cn_bytebuf_len(&e->inbox);
  if (avail) {
    size_t n = avail < len ? avail : len;
    if (e->max_chunk && n > e->max_chunk)
      n = e->max_chunk;
    memcpy(buf->data, cn_bytebuf_head(&e->inbox), n);
    cn_bytebuf_consume(&e->inbox, n);
    cn_netlog_event(e->base.netlog, e->base.source, CN_NETLOG_SOCKET_BYTES_RECEIVED,
                    CN_NL_INT("byte_count", n));
    return (int)n;
  }
  if (e->peer_closed)
    return 0;
  return CN_ERR_IO_PENDING;
}

static void on_wake(void *arg) {
  pipe_end *e = arg;
  if (!e->read_cb)
    return;
  int rv = read_now(e, e->read_buf, e->read_len);
  if (rv == CN_ERR_IO_PENDING)
    return;
  cn_completion_cb cb = e->read_cb;
  void *cb_arg = e->read_arg;
  cn_iobuf_unref(e->read_buf);
  e->read_buf = NULL;
  e->read_cb = NULL;
  cb(cb_arg, rv);
}

static void wake_soon(pipe_end *e) {
  if (e->read_cb && !cn_timer_is_active(e->wake))
    cn_timer_start(e->wake, 0, 0);
}

static int read_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
  pipe_end *e = end_of(s);
  if (e->closed)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (len == 0)
    return CN_ERR_INVALID_ARGUMENT;
  int rv = read_now(e, buf, len);
  if (rv != CN_ERR_IO_PENDING)
    return rv;
  e->read_buf = cn_iobuf_ref(buf);
  e->read_len = len;
  e->read_cb = cb;
  e->read_arg = arg;
  return CN_ERR_IO_PENDING;
}

static int write_(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg) {
  pipe_end *e = end_of(s);
  if (e->closed)
    return CN_ERR_SOCKET_NOT_CONNECTED;
  if (!e->peer || e->peer->closed)
    return CN_ERR_CONNECTION_RESET;
  cn_bytebuf_append(&e->peer->inbox, buf->data, len);
  cn_netlog_event(e->base.netlog, e->base.source, CN_NETLOG_SOCKET_BYTES_SENT,
                  CN_NL_INT("byte_count", len));
  wake_soon(e->peer);
  return (int)len;
}

static void cancel_read(pipe_end *e) {
  cn_iobuf_unref(e->read_buf);
  e->read_buf = NULL;
  e->read_cb = NULL;
}

// Tells the peer this end is gone: it reads EOF after draining.
static void detach_peer(pipe_end *e) {
  if (!e->peer)
    return;
  e->peer->peer_closed = true;
  wake_soon(e->peer);
}

static void disconnect_(cn_stream_socket *s) {
  pipe_end *e = end_of(s);
  if (e->closed)
    return;
  e->closed = true;
  cancel_read(e);
  cn_bytebuf_clear(&e->inbox);
  detach_peer(e);
}

static bool is_connected_(const cn_stream_socket *s) {
  const pipe_end *e = (const pipe_end *)s;
  return !e->closed && !(e->peer_closed && cn_bytebuf_len(&e->inbox) == 0);
}

static bool is_connected_and_idle_(const cn_stream_socket *s) {
  const pipe_end *e = (const pipe_end *)s;
  return !e->closed && !e->peer_closed && cn_bytebuf_len(&e->inbox) == 0;
}

static void destroy_(cn_stream_socket *s) {
  pipe_end *e = end_of(s);
  disconnect_(s);
  if (e->peer)
    e->peer->peer = NULL;
  cn_timer_destroy(e->wake);
  cn_bytebuf_free(&e->inbox);
  cn_stream_socket_log_destroyed(s);
  free(e);
}

static const cn_stream_socket_ops kPipeOps = {
    .name = "pipe",
    .connect = connect_,
    .read = read_,
    .write = write_,
    .disconnect = disconnect_,
    .is_connected = is_connected_,
    .is_connected_and_idle = is_connected_and_idle_,
    .negotiated_protocol = NULL,
    .destroy = destroy_,
};

static pipe_end *new_end(uv_loop_t *loop, cn_netlog *netlog, size_t max_chunk) {
  pipe_end *e = CN_NEW(pipe_end);
  cn_stream_socket_init(&e->base, &kPipeOps, netlog);
  cn_bytebuf_init(&e->inbox);
  e->max_chunk = max_chunk;
  e->wake = cn_timer_new(loop, on_wake, e);
  return e;
}

void cn_pipe_socket_pair(uv_loop_t *loop, cn_netlog *netlog, size_t max_chunk,
                         cn_stream_socket **a, cn_stream_socket **b) {
  pipe_end *x = new_end(loop, netlog, max_chunk);
  pipe_end *y = new_end(loop, netlog, max_chunk);
  x->peer = y;
  y->peer = x;
  *a = &x->base;
  *b = &y->base;
}
