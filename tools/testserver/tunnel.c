#include "tools/testserver/tunnel.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/timer.h"
#include "net/socket/ssl_socket.h"
#include "net/spdy/spdy_stream_socket.h"
#include "tools/testserver/prefixed_socket.h"

// One read's worth per direction: the whole of the flow-control window.
#define RELAY_CHUNK (64 * 1024)

typedef struct direction {
  cn_ts_tunnel *tunnel;
  cn_stream_socket *src;  // borrowed from the tunnel
  cn_stream_socket *dst;
  cn_iobuf *buf;
  size_t len;  // bytes in |buf|
  size_t off;  // of them, already written to |dst|
  bool reading;
  bool writing;
  bool shutting;  // close_notify to |dst| under way
  bool eof;       // |src| ended
  bool done;      // EOF passed on (or nothing left to do)
  bool cut_when_flushed;
  int64_t limit;  // bytes this direction may still relay; < 0: unlimited
  uint64_t bytes;
  size_t uncounted;  // preamble bytes still to write (not relayed bytes)
} direction;

struct cn_ts_tunnel {
  cn_stream_socket *client;
  cn_stream_socket *upstream;
  direction up;    // client -> upstream
  direction down;  // upstream -> client
  cn_timer *kick;
  cn_ts_tunnel_done_cb done_cb;
  void *done_arg;
  bool ended;
  bool in_pump;
  cn_ts_tunnel_end why;
};

static void pump(cn_ts_tunnel *t);

static void close_sockets(cn_ts_tunnel *t) {
  cn_stream_socket_destroy(t->client);
  cn_stream_socket_destroy(t->upstream);
  t->client = t->upstream = NULL;
  t->up.src = t->up.dst = t->down.src = t->down.dst = NULL;
  t->up.reading = t->up.writing = t->up.shutting = false;
  t->down.reading = t->down.writing = t->down.shutting = false;
}

static void end_tunnel(cn_ts_tunnel *t, cn_ts_tunnel_end why) {
  if (t->ended)
    return;
  t->ended = true;
  t->why = why;
}


static void on_read(void *arg, int rv);
static void on_write(void *arg, int rv);
static void on_shutdown(void *arg, int rv);

static void note_read(direction *d, int rv) {
  if (rv < 0) {
    end_tunnel(d->tunnel, CN_TS_TUNNEL_ERROR);
    return;
  }
  if (rv == 0) {
    d->eof = true;
    return;
  }
  size_t n = (size_t)rv;
  if (d->limit >= 0 && (uint64_t)n >= (uint64_t)d->limit) {
    // The cut: relay up to the mark, then close everything.
    n = (size_t)d->limit;
    d->cut_when_flushed = true;
  }
  if (d->limit >= 0)
    d->limit -= (int64_t)n;
  d->len = n;
  d->off = 0;
}

static void note_written(direction *d, int rv) {
  if (rv <= 0) {
    end_tunnel(d->tunnel, CN_TS_TUNNEL_ERROR);
    return;
  }
  size_t n = (size_t)rv;
  d->off += n;
  size_t free_bytes = n < d->uncounted ? n : d->uncounted;
  d->uncounted -= free_bytes;
  d->bytes += n - free_bytes;
}

// Does the next thing for |d|, if it can. Returns true if it made progress
// (the caller loops until neither direction can).
static bool step(direction *d) {
  cn_ts_tunnel *t = d->tunnel;
  if (t->ended || d->done || d->reading || d->writing || d->shutting)
    return false;
  if (d->off < d->len) {
    size_t n = d->len - d->off;
    cn_iobuf *slice = cn_iobuf_slice(d->buf, d->off, n);
    int rv = cn_stream_socket_write(d->dst, slice, n, on_write, d);
    cn_iobuf_unref(slice);
    if (rv == CN_ERR_IO_PENDING)
      d->writing = true;
    else
      note_written(d, rv);
    return true;
  }
  if (d->cut_when_flushed) {
    end_tunnel(t, CN_TS_TUNNEL_CUT);
    return true;
  }
  if (d->eof) {
    // The end of |src|'s stream can be passed on only where the socket has
    // a half-close: TLS (close_notify) and a SPDY/HTTP2 stream (END_STREAM).
    int rv = cn_stream_socket_shutdown(d->dst, on_shutdown, d);
    if (rv == CN_ERR_NOT_IMPLEMENTED) {
      // No way to pass the EOF on: the tunnel ends (tunnel.h).
      end_tunnel(t, CN_TS_TUNNEL_CLOSED);
      return true;
    }
    if (rv == CN_ERR_IO_PENDING)
      d->shutting = true;
    else if (rv < 0)
      end_tunnel(t, CN_TS_TUNNEL_ERROR);
    else
      d->done = true;
    return true;
  }
  if (!d->buf)
    d->buf = cn_iobuf_new(RELAY_CHUNK);
  int rv = cn_stream_socket_read(d->src, d->buf, RELAY_CHUNK, on_read, d);
  if (rv == CN_ERR_IO_PENDING)
    d->reading = true;
  else
    note_read(d, rv);
  return true;
}

static void on_read(void *arg, int rv) {
  direction *d = arg;
  d->reading = false;
  note_read(d, rv);
  pump(d->tunnel);
}

static void on_write(void *arg, int rv) {
  direction *d = arg;
  d->writing = false;
  note_written(d, rv);
  pump(d->tunnel);
}

static void on_shutdown(void *arg, int rv) {
  direction *d = arg;
  d->shutting = false;
  if (rv < 0)
    end_tunnel(d->tunnel, CN_TS_TUNNEL_ERROR);
  else
    d->done = true;
  pump(d->tunnel);
}

// Runs both directions as far as they go. Only called from the loop; the
// done callback is its last action (it may free |t|).
static void pump(cn_ts_tunnel *t) {
  if (t->in_pump)
    return;  // unreachable: sockets never call back inside a call
  t->in_pump = true;
  while (!t->ended) {
    bool progress = step(&t->up);
    progress = step(&t->down) || progress;
    if (t->up.done && t->down.done)
      end_tunnel(t, CN_TS_TUNNEL_CLOSED);
    if (!progress)
      break;
  }
  t->in_pump = false;
  if (t->ended && t->client) {
    close_sockets(t);
    if (t->done_cb)
      t->done_cb(t->done_arg, t, t->why);
  }
}

static void on_kick(void *arg) { pump(arg); }

cn_ts_tunnel *cn_ts_tunnel_start(uv_loop_t *loop, cn_stream_socket *client,
                                 cn_stream_socket *upstream, const cn_ts_tunnel_options *options,
                                 cn_ts_tunnel_done_cb done, void *arg) {
  cn_ts_tunnel *t = CN_NEW(cn_ts_tunnel);
  t->client = client;
  t->upstream = upstream;
  t->done_cb = done;
  t->done_arg = arg;
  t->up = (direction){.tunnel = t, .src = client, .dst = upstream, .limit = -1};
  t->down = (direction){.tunnel = t, .src = upstream, .dst = client, .limit = -1};
  if (options) {
    if (options->cut_after_downstream_bytes >= 0)
      t->down.limit = options->cut_after_downstream_bytes;
    if (options->preamble_len) {
      // The preamble goes out as if it had been read from the upstream,
      // without counting against the cut.
      size_t n = options->preamble_len;
      t->down.buf = cn_iobuf_new(n > RELAY_CHUNK ? n : RELAY_CHUNK);
      memcpy(t->down.buf->data, options->preamble, n);
      t->down.len = n;
      t->down.uncounted = n;
    }
  }
  t->kick = cn_timer_new(loop, on_kick, t);
  cn_timer_start(t->kick, 0, 0);
  return t;
}

void cn_ts_tunnel_destroy(cn_ts_tunnel *t) {
  if (!t)
    return;
  close_sockets(t);
  cn_timer_destroy(t->kick);
  cn_iobuf_unref(t->up.buf);
  cn_iobuf_unref(t->down.buf);
  free(t);
}

uint64_t cn_ts_tunnel_bytes_up(const cn_ts_tunnel *t) { return t->up.bytes; }
uint64_t cn_ts_tunnel_bytes_down(const cn_ts_tunnel *t) { return t->down.bytes; }
