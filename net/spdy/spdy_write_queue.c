// The session's write side (see spdy_write_queue.h).
#include "net/spdy/spdy_write_queue.h"

#include <stdlib.h>
#include <string.h>

#include "net/base/net_errors.h"
#include "net/spdy/spdy_session_internal.h"
#include "net/spdy/spdy_session_netlog.h"

// One socket write gathers up to this much (a frame may end past it).
#define MAX_GATHER (64 * 1024)
// DATA payloads: one TLS record's worth; also HTTP/2's smallest maximum
// frame size, so always within the peer's limit.
#define MAX_DATA_FRAME 16384u

void cn_spdy_write_queue_remove(cn_spdy_stream *st) {
  if (st->in_headers_queue || st->in_ready)
    cn_list_remove(&st->send_link);
  st->in_headers_queue = st->in_ready = false;
  st->send_stalled = false;
}

void cn_spdy_write_queue_stream_ready(cn_spdy_session *s, cn_spdy_stream *st) {
  if (st->closed || st->in_headers_queue || st->in_ready)
    return;
  if (!st->headers_sent) {
    if (!st->headers_queued)
      return;
    cn_list_push_back(&s->headers_queue, &st->send_link);
    st->in_headers_queue = true;
  } else {
    bool has_data = st->wbuf && !st->wdone;
    if (!has_data && !st->trailers_queued)
      return;
    if (has_data && st->woff < st->wlen && st->send_window <= 0) {
      st->send_stalled = true;  // resumed by WINDOW_UPDATE or SETTINGS
      return;
    }
    st->send_stalled = false;
    cn_list_push_back(&s->ready[st->priority], &st->send_link);
    st->in_ready = true;
  }
  cn_spdy_session_schedule_(s);
}

static void release_out(void *arg, uint8_t *data) { free(data); }

// Frames one HEADERS (or trailers) of |st| into s->out.
static bool frame_headers(cn_spdy_session *s, cn_spdy_stream *st, bool trailers) {
  cn_spdy_header_list *list = trailers ? &st->trailers->out : &st->out_headers;
  cn_spdy_headers_frame f;
  memset(&f, 0, sizeof(f));
  f.stream_id = st->id;
  f.kind = trailers ? CN_SPDY_HEADERS_TRAILERS
                    : (st->local ? CN_SPDY_HEADERS_REQUEST : CN_SPDY_HEADERS_RESPONSE);
  f.fin = trailers ? true : st->headers_fin;
  if (f.kind == CN_SPDY_HEADERS_REQUEST) {
    uint8_t p = cn_spdy_priority_from_request_priority(st->priority);
    f.has_priority = true;
    f.spdy_priority = p;
    f.weight = cn_spdy_priority_to_http2_weight(p);
  }
  f.headers = list->items;
  f.num_headers = list->count;
  int rv = cn_spdy_framer_write_headers(s->framer, &f, &s->out);
  if (rv < 0) {
    if (rv == CN_ERR_HTTP2_COMPRESSION_ERROR) {
      // The compression context is lost: nothing more can be framed.
      cn_spdy_session_connection_error_(s, rv, "header compression failed");
    } else {
      // Refused before anything was framed (the context is intact): the
      // stream fails alone — reset if the peer knows it (a response,
      // trailers), silently if its request never left.
      cn_spdy_session_reset_stream_(s, st, CN_HTTP2_INTERNAL_ERROR, rv);
    }
    return false;
  }
  cn_spdy_session_netlog_headers(s, true, f.kind, st->id, f.fin, f.headers, f.num_headers);
  if (trailers) {
    cn_spdy_stream_free_out_trailers_(st);
    st->trailers_queued = false;
  } else {
    cn_spdy_header_list_free(list);
    st->headers_sent = true;
  }
  if (f.fin)
    cn_spdy_session_fin_framed_(s, st);
  return true;
}

typedef enum { EMIT_SENT, EMIT_DONE, EMIT_STALLED, EMIT_BLOCKED } emit_result;

// One frame of |st|, which is at the front of its ready list: a DATA frame
// within both windows, or its trailers once its data is out.
static emit_result emit_one(cn_spdy_session *s, cn_spdy_stream *st) {
  cn_list_node *head = &s->ready[st->priority];
  if (st->wbuf && !st->wdone) {
    size_t remaining = st->wlen - st->woff;
    if (remaining > 0) {
      if (st->send_window <= 0) {
        cn_spdy_write_queue_remove(st);
        st->send_stalled = true;
        return EMIT_STALLED;
      }
      if (s->send_window <= 0) {
        cn_list_remove(&st->send_link);
        cn_list_push_back(head, &st->send_link);
        return EMIT_BLOCKED;
      }
    }
    size_t n = remaining;
    if (n > MAX_DATA_FRAME)
      n = MAX_DATA_FRAME;
    if ((int64_t)n > st->send_window)
      n = (size_t)st->send_window;
    if ((int64_t)n > s->send_window)
      n = (size_t)s->send_window;
    bool fin = st->wfin && n == remaining;
    cn_spdy_framer_write_data(s->framer, st->id, st->wbuf->data + st->woff, n, fin, &s->out);
    cn_spdy_session_netlog_note_data(s, st, true, n, fin);
    st->woff += (uint32_t)n;
    st->send_window -= (int32_t)n;
    s->send_window -= (int64_t)n;
    if (st->woff == st->wlen) {
      cn_spdy_stream_finish_write_(st);
      if (fin) {
        cn_spdy_session_fin_framed_(s, st);
        if (st->closed)
          return EMIT_DONE;
      }
    }
  } else if (st->trailers_queued) {
    if (!frame_headers(s, st, true))
      return EMIT_DONE;  // closed
    if (st->closed)
      return EMIT_DONE;
  }
  if ((st->wbuf && !st->wdone) || st->trailers_queued) {
    cn_list_remove(&st->send_link);
    cn_list_push_back(head, &st->send_link);
    return EMIT_SENT;
  }
  cn_spdy_write_queue_remove(st);
  return EMIT_DONE;
}

// Fills s->out: control frames, then HEADERS in order, then DATA by
// priority (strict between priorities, round-robin within one).
static void gather(cn_spdy_session *s) {
  if (cn_bytebuf_len(&s->ctl)) {
    cn_bytebuf_append(&s->out, cn_bytebuf_head(&s->ctl), cn_bytebuf_len(&s->ctl));
    cn_bytebuf_clear(&s->ctl);
  }
  if (s->state != CN_SPDY_SESSION_OPEN && s->state != CN_SPDY_SESSION_GOING_AWAY)
    return;
  for (int p = 0; p < CN_SPDY_NUM_PRIORITIES; p++) {
    if (!cn_list_empty(&s->ready[p])) {
      // DATA to send: room for a full gather at once rather than by doubling.
      cn_bytebuf_reserve(&s->out, MAX_GATHER + MAX_DATA_FRAME + 64);
      break;
    }
  }
  cn_list_node *n;
  while (cn_bytebuf_len(&s->out) < MAX_GATHER && (n = cn_list_front(&s->headers_queue))) {
    cn_spdy_stream *st = CN_CONTAINER_OF(n, cn_spdy_stream, send_link);
    cn_list_remove(n);
    st->in_headers_queue = false;
    if (!frame_headers(s, st, false)) {
      if (s->state != CN_SPDY_SESSION_OPEN && s->state != CN_SPDY_SESSION_GOING_AWAY)
        return;
      continue;
    }
    if (!st->closed)
      cn_spdy_write_queue_stream_ready(s, st);
  }
  for (int p = CN_SPDY_NUM_PRIORITIES - 1; p >= 0; p--) {
    cn_list_node *head = &s->ready[p];
    size_t count = cn_list_size(head);
    size_t blocked = 0;
    // (A connection error while framing — trailers that do not compress —
    // empties every list at once.)
    while (count > 0 && blocked < count && cn_bytebuf_len(&s->out) < MAX_GATHER &&
           !cn_list_empty(head)) {
      cn_spdy_stream *st = CN_CONTAINER_OF(cn_list_front(head), cn_spdy_stream, send_link);
      switch (emit_one(s, st)) {
        case EMIT_SENT:
          blocked = 0;
          break;
        case EMIT_DONE:
        case EMIT_STALLED:
          count--;
          blocked = 0;
          break;
        case EMIT_BLOCKED:
          blocked++;
          break;
      }
    }
  }
  if (cn_netlog_wants_params(s->netlog))
    cn_spdy_session_netlog_flush_data(s);
}

static void on_write_done(void *arg, int rv);

// False when the session failed.
static bool write_result(cn_spdy_session *s, int rv) {
  if (rv < 0) {
    cn_iobuf_unref(s->write_buf);
    s->write_buf = NULL;
    s->write_failed = true;
    cn_bytebuf_clear(&s->ctl);
    cn_spdy_session_fail_(s, rv, false, 0);
    return false;
  }
  s->write_off += (size_t)rv;
  if (s->write_off >= s->write_buf->size) {
    cn_iobuf_unref(s->write_buf);
    s->write_buf = NULL;
  }
  return true;
}

// Writes s->write_buf from s->write_off until done or pending.
static void do_write(cn_spdy_session *s) {
  while (s->write_buf && s->socket) {
    size_t len = s->write_buf->size - s->write_off;
    cn_iobuf *b = s->write_off ? cn_iobuf_slice(s->write_buf, s->write_off, len)
                               : cn_iobuf_ref(s->write_buf);
    int rv = cn_stream_socket_write(s->socket, b, len, on_write_done, s);
    cn_iobuf_unref(b);
    if (rv == CN_ERR_IO_PENDING) {
      s->write_pending = true;
      return;
    }
    if (rv == 0)
      rv = CN_ERR_CONNECTION_CLOSED;  // a write that takes nothing never ends
    if (!write_result(s, rv))
      return;
  }
}

// Sends what is queued: gathers and writes until a write is pending or
// nothing is left. Runs only from loop callbacks, never inside the framer.
void cn_spdy_write_queue_flush(cn_spdy_session *s) {
  while (s->socket && !s->write_pending && !s->reading) {
    if (!s->write_failed)
      gather(s);
    size_t len = cn_bytebuf_len(&s->out);
    if (len == 0 || s->write_failed) {
      cn_bytebuf_clear(&s->out);
      if (s->close_after_write)
        cn_spdy_session_close_socket_(s);
      return;
    }
    // The gathered bytes become the write's buffer without a copy; the
    // next gather starts a fresh one.
    uint8_t *data = s->out.data;
    if (s->out.start)
      memmove(data, data + s->out.start, len);
    s->write_buf = cn_iobuf_wrap(data, len, release_out, NULL);
    cn_bytebuf_init(&s->out);
    s->write_off = 0;
    do_write(s);
  }
}

static void on_write_done(void *arg, int rv) {
  cn_spdy_session *s = arg;
  s->write_pending = false;
  cn_spdy_session_ref_(s);
  if (rv == 0)
    rv = CN_ERR_CONNECTION_CLOSED;
  if (write_result(s, rv))
    do_write(s);
  cn_spdy_session_end_turn_(s);
  cn_spdy_session_unref_(s);
}

void cn_spdy_write_queue_write_final(cn_spdy_session *s) {
  cn_iobuf *b = cn_iobuf_from_copy(cn_bytebuf_head(&s->ctl), cn_bytebuf_len(&s->ctl));
  s->write_pending = true;  // the callback, if any, never runs: the socket goes next
  cn_stream_socket_write(s->socket, b, b->size, on_write_done, s);
  cn_iobuf_unref(b);
}
