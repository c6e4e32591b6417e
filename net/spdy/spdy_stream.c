// Streams of a cn_spdy_session (see spdy_stream.h). The session frames and
// schedules; this file keeps a stream's own state: what the caller queued
// to send, what arrived and was not read yet, and its pending operations.
#include "net/spdy/spdy_stream.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "net/spdy/spdy_session_internal.h"
#include "net/spdy/spdy_write_queue.h"

// A drained receive buffer larger than this is released, so an idle stream
// holds no large buffer.
#define KEEP_RECV_BUFFER (64 * 1024)

// A freed stream keeps its (empty) receive buffer for the next stream when
// it is at most this large: most responses then cost no buffer allocation.
#define KEEP_FREE_RECV_BUFFER (16 * 1024)

// A freed stream on the session's free list: its first bytes chain it and
// keep its receive buffer's storage.
typedef struct free_stream {
  struct free_stream *next;
  cn_bytebuf rbuf;  // empty; its storage (if any) goes to the next stream
} free_stream;

// Under AddressSanitizer the rest of a freed stream is poisoned, so a use
// after free is still caught although the memory is not given back.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CN_SPDY_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CN_SPDY_ASAN 1
#endif
#ifdef CN_SPDY_ASAN
#include <sanitizer/asan_interface.h>
#define POISON_STREAM(p) \
  ASAN_POISON_MEMORY_REGION((char *)(p) + sizeof(free_stream), \
                            sizeof(cn_spdy_stream) - sizeof(free_stream))
#define UNPOISON_STREAM(p) ASAN_UNPOISON_MEMORY_REGION((p), sizeof(cn_spdy_stream))
#else
#define POISON_STREAM(p) ((void)(p))
#define UNPOISON_STREAM(p) ((void)(p))
#endif

void cn_spdy_stream_trim_free_list_(cn_spdy_session *s, uint32_t keep) {
  while (s->num_free_streams > keep) {
    free_stream *f = s->free_streams;
    s->free_streams = f->next;
    s->num_free_streams--;
    UNPOISON_STREAM(f);
    cn_bytebuf_free(&f->rbuf);
    free(f);
  }
}

// Stream memory, zeroed but for an empty receive buffer: a freed stream's
// when the session has one.
static cn_spdy_stream *alloc_stream(cn_spdy_session *s) {
  free_stream *f = s->free_streams;
  if (!f) {
    cn_spdy_stream *st = CN_NEW(cn_spdy_stream);
    cn_bytebuf_init(&st->rbuf);
    return st;
  }
  s->free_streams = f->next;
  s->num_free_streams--;
  UNPOISON_STREAM(f);
  cn_bytebuf rbuf = f->rbuf;
  cn_spdy_stream *st = (cn_spdy_stream *)(void *)f;
  memset(st, 0, sizeof(*st));
  st->rbuf = rbuf;
  return st;
}

cn_spdy_stream *cn_spdy_stream_new_(cn_spdy_session *s, cn_request_priority priority, bool local,
                                    cn_netlog_source owner) {
  cn_spdy_stream *st = alloc_stream(s);
  st->session = s;
  cn_spdy_session_ref_(s);
  if ((int)priority < 0 || priority > CN_PRIORITY_HIGHEST)
    priority = CN_PRIORITY_DEFAULT;
  st->priority = priority;
  st->local = local;
  cn_spdy_header_list_init(&st->out_headers);
  cn_spdy_header_list_init(&st->in_headers);
  cn_list_init(&st->link);
  cn_list_init(&st->send_link);
  cn_list_init(&st->notify_link);
  st->source = cn_netlog_new_source(s->netlog, CN_NETLOG_SOURCE_STREAM);
  st->owner = owner;
  return st;
}

cn_spdy_trailer_pair *cn_spdy_stream_trailers_(cn_spdy_stream *st) {
  if (!st->trailers) {
    st->trailers = CN_NEW(cn_spdy_trailer_pair);
    cn_spdy_header_list_init(&st->trailers->out);
    cn_spdy_header_list_init(&st->trailers->in);
  }
  return st->trailers;
}

static void free_trailers(cn_spdy_stream *st) {
  if (!st->trailers)
    return;
  cn_spdy_header_list_free(&st->trailers->out);
  cn_spdy_header_list_free(&st->trailers->in);
  free(st->trailers);
  st->trailers = NULL;
}

void cn_spdy_stream_free_out_trailers_(cn_spdy_stream *st) {
  if (!st->trailers)
    return;
  cn_spdy_header_list_free(&st->trailers->out);
  if (st->trailers->in.count == 0)
    free_trailers(st);
}

void cn_spdy_stream_free_(cn_spdy_stream *st) {
  cn_spdy_header_list_free(&st->out_headers);
  cn_spdy_header_list_free(&st->in_headers);
  free_trailers(st);
  free(st->log);
  cn_iobuf_unref(st->wbuf);
  cn_iobuf_unref(st->rdbuf);
  cn_spdy_session *s = st->session;
  if (s->num_free_streams >= CN_SPDY_MAX_FREE_STREAMS) {
    cn_bytebuf_free(&st->rbuf);
    free(st);
    return;
  }
  cn_bytebuf rbuf = st->rbuf;  // (the free_stream header overlaps the stream's fields)
  if (rbuf.cap > KEEP_FREE_RECV_BUFFER)
    cn_bytebuf_free(&rbuf);
  else
    cn_bytebuf_clear(&rbuf);
  free_stream *f = (free_stream *)(void *)st;
  f->next = s->free_streams;
  f->rbuf = rbuf;
  s->free_streams = f;
  s->num_free_streams++;
  POISON_STREAM(f);
}

// What both framers can carry, checked when the caller queues the fields
// (framing happens later, when the caller can no longer be told): names
// non-empty, lower-case visible ASCII with ':' only leading; values without
// NUL, CR or LF (a header that would split into two).
static bool valid_headers(const cn_spdy_header *h, size_t num) {
  if (!h || num == 0)
    return false;
  for (size_t i = 0; i < num; i++) {
    if (h[i].name_len == 0 || !h[i].name || (h[i].value_len && !h[i].value))
      return false;
    for (size_t k = 0; k < h[i].name_len; k++) {
      unsigned char c = (unsigned char)h[i].name[k];
      if (c <= 0x20 || c >= 0x7f || (c >= 'A' && c <= 'Z') || (c == ':' && k > 0))
        return false;
    }
    if (h[i].name_len == 1 && h[i].name[0] == ':')
      return false;
    for (size_t k = 0; k < h[i].value_len; k++) {
      char c = h[i].value[k];
      if (c == '\0' || c == '\r' || c == '\n')
        return false;
    }
  }
  return true;
}

// What a new operation on a stream that can no longer do it reports.
static int closed_error(const cn_spdy_stream *st) {
  return st->error ? st->error : CN_ERR_HTTP2_STREAM_CLOSED;
}

// --- Receiving ---

// Takes buffered data, or reports the end or the error; IO_PENDING when
// nothing is there yet. Data arrived before an error is read first, and
// END_STREAM wins over a later error (a complete response stays complete).
static int try_read(cn_spdy_stream *st, cn_iobuf *buf, size_t len) {
  size_t avail = cn_bytebuf_len(&st->rbuf);
  if (avail) {
    size_t n = avail < len ? avail : len;
    memcpy(buf->data, cn_bytebuf_head(&st->rbuf), n);
    cn_bytebuf_consume(&st->rbuf, n);
    if (cn_bytebuf_len(&st->rbuf) == 0 && st->rbuf.cap > KEEP_RECV_BUFFER)
      cn_bytebuf_free(&st->rbuf);
    cn_spdy_session_consumed_(st->session, st, n);
    return (int)n;
  }
  if (st->remote_fin)
    return 0;
  if (st->error || st->closed)
    return closed_error(st);
  return CN_ERR_IO_PENDING;
}

void cn_spdy_stream_on_data_(cn_spdy_stream *st, const uint8_t *data, size_t len) {
  cn_spdy_session *s = st->session;
  if (st->rcb && cn_bytebuf_len(&st->rbuf) == 0 && st->rdfilled < st->rdlen) {
    // A read is waiting: straight into its buffer (one copy), and read by
    // the consumer now.
    size_t n = st->rdlen - st->rdfilled;
    if (n > len)
      n = len;
    memcpy(st->rdbuf->data + st->rdfilled, data, n);
    st->rdfilled += (uint32_t)n;
    data += n;
    len -= n;
    cn_spdy_session_consumed_(s, st, n);
    cn_spdy_session_notify_stream_(s, st);
  }
  if (len) {
    cn_bytebuf_append(&st->rbuf, data, len);
    if (st->rcb)
      cn_spdy_session_notify_stream_(s, st);
  }
}

void cn_spdy_stream_fail_(cn_spdy_stream *st, int error) {
  if (!st->error)
    st->error = error;
  if (st->wbuf && !st->wdone) {
    cn_iobuf_unref(st->wbuf);
    st->wbuf = NULL;
  }
  cn_spdy_session_notify_stream_(st->session, st);
}

void cn_spdy_stream_finish_write_(cn_spdy_stream *st) {
  cn_iobuf_unref(st->wbuf);
  st->wbuf = NULL;
  st->wdone = true;
  cn_spdy_session_notify_stream_(st->session, st);
}

void cn_spdy_stream_free_orphan_(cn_spdy_stream *st) {
  cn_spdy_session *s = st->session;
  cn_spdy_session_forget_stream_(s, st);
  cn_spdy_stream_free_(st);
  cn_spdy_session_unref_(s);
}

void cn_spdy_stream_deliver_(cn_spdy_stream *st) {
  cn_spdy_session *s = st->session;
  if (st->orphaned) {
    // Nobody to call back: only freed, once its frames are out (or lost).
    if (st->closed)
      cn_spdy_stream_free_orphan_(st);
    return;
  }
  if (st->handover_due) {
    st->handover_due = false;
    if (s->owner_gone || !s->delegate.on_stream) {
      // Nobody to take it (the delegate was removed meanwhile): refused.
      cn_spdy_session_reset_stream_(s, st, CN_HTTP2_REFUSED_STREAM, CN_OK);
      cn_spdy_session_forget_stream_(s, st);
      cn_spdy_stream_free_(st);
      cn_spdy_session_unref_(s);
      return;
    }
    st->handed_over = true;
    cn_spdy_session_notify_stream_(s, st);  // other completions may be due
    s->delegate.on_stream(s->delegate.ctx, s, st);
    return;
  }
  cn_completion_cb cb = NULL;
  void *arg = NULL;
  int result = CN_OK;
  if (st->create_pending) {
    if (st->create_done) {
      cb = st->hcb;
      arg = st->harg;
      st->hcb = NULL;
      st->create_pending = st->create_done = false;
      result = st->error;
    }
  } else if (st->hcb && (st->headers_received || st->error || st->closed)) {
    cb = st->hcb;
    arg = st->harg;
    st->hcb = NULL;
    result = st->headers_received ? CN_OK : closed_error(st);
  } else if (st->rcb) {
    result = st->rdfilled ? (int)st->rdfilled : try_read(st, st->rdbuf, st->rdlen);
    if (result != CN_ERR_IO_PENDING) {
      cb = st->rcb;
      arg = st->rarg;
      st->rcb = NULL;
      cn_iobuf_unref(st->rdbuf);
      st->rdbuf = NULL;
      st->rdfilled = st->rdlen = 0;
    }
  }
  if (!cb && st->wcb && (st->wdone || st->error)) {
    cb = st->wcb;
    arg = st->warg;
    st->wcb = NULL;
    result = st->wdone ? (int)st->wlen : st->error;
    st->wdone = false;
  }
  if (!cb)
    return;
  // Queued again first: the callback may destroy the stream (which unlinks
  // it) or leave more completions due.
  cn_spdy_session_notify_stream_(s, st);
  cb(arg, result);
}

// --- Public API ---

int cn_spdy_stream_create(cn_spdy_session *s, cn_request_priority priority,
                          cn_netlog_source owner, cn_completion_cb cb, void *arg,
                          cn_spdy_stream **out) {
  *out = NULL;
  if (s->is_server)
    return CN_ERR_INVALID_ARGUMENT;
  int err = cn_spdy_session_create_error_(s);
  if (err)
    return err;
  // First, so that on an idle session the stream waits for the answer.
  cn_spdy_session_maybe_idle_ping_(s);
  cn_spdy_stream *st = cn_spdy_stream_new_(s, priority, true, owner);
  int rv = cn_spdy_session_add_local_stream_(s, st);
  if (rv < 0 && rv != CN_ERR_IO_PENDING) {
    cn_spdy_stream_free_(st);
    cn_spdy_session_unref_(s);
    return rv;
  }
  if (rv == CN_ERR_IO_PENDING && cb) {
    st->hcb = cb;
    st->harg = arg;
    st->create_pending = true;
  }
  *out = st;
  return rv;
}

// Drops every pending callback and the buffers they hold.
static void cancel_pending(cn_spdy_stream *st) {
  st->create_pending = false;
  st->hcb = NULL;
  st->rcb = NULL;
  st->wcb = NULL;
  st->handover_due = false;
  cn_iobuf_unref(st->rdbuf);
  st->rdbuf = NULL;
  st->rdfilled = st->rdlen = 0;
}

static void unqueue(cn_spdy_stream *st) {
  if (!st->queued)
    return;
  cn_list_remove(&st->link);
  st->queued = false;
  st->session->num_queued--;
  st->closed = true;
}

// The close rule: a peer's stream (a server's response) whose last frames
// are queued but not framed yet is complete from its owner's point of view;
// destroying it must not cancel it — the frames go out first. Only a
// stream left unfinished is reset (CANCEL). Our own requests are not kept:
// destroying one cancels it, and a request not yet framed is never sent.
static bool finishes_after_destroy(const cn_spdy_stream *st) {
  const cn_spdy_session *s = st->session;
  return !st->local && st->fin_queued && !st->fin_sent && !st->error && !st->closed &&
         (s->state == CN_SPDY_SESSION_OPEN || s->state == CN_SPDY_SESSION_GOING_AWAY);
}

void cn_spdy_stream_destroy(cn_spdy_stream *st) {
  if (!st)
    return;
  cn_spdy_session *s = st->session;
  cancel_pending(st);
  unqueue(st);
  if (finishes_after_destroy(st)) {
    // The session frees it once its END_STREAM is out (or the session
    // fails); nothing is called back.
    st->orphaned = true;
    if (cn_list_linked(&st->notify_link))
      cn_list_remove(&st->notify_link);
    return;
  }
  st->cancelled = true;
  if (!st->closed)
    cn_spdy_session_reset_stream_(s, st, CN_HTTP2_CANCEL, CN_OK);
  cn_spdy_session_forget_stream_(s, st);
  cn_spdy_stream_free_(st);
  cn_spdy_session_unref_(s);
}

void cn_spdy_stream_reset(cn_spdy_stream *st, uint32_t h2_code) {
  cancel_pending(st);
  if (st->wbuf && !st->wdone) {
    cn_iobuf_unref(st->wbuf);
    st->wbuf = NULL;
  }
  st->wdone = false;
  unqueue(st);
  if (!st->closed) {
    st->cancelled = true;
    cn_spdy_session_reset_stream_(st->session, st, h2_code, CN_OK);
  }
  if (!st->error)
    st->error = CN_ERR_HTTP2_STREAM_CLOSED;
}

// Checks that |headers| may be queued now (CN_OK) or why not.
static int check_send_headers(const cn_spdy_stream *st, const cn_spdy_header *headers,
                              size_t num) {
  if (st->error || st->closed)
    return closed_error(st);
  if (st->queued || st->headers_queued || !valid_headers(headers, num))
    return CN_ERR_INVALID_ARGUMENT;
  return CN_OK;
}

static void queue_headers(cn_spdy_stream *st, bool fin);

int cn_spdy_stream_send_headers(cn_spdy_stream *st, const cn_spdy_header *headers, size_t num,
                                bool fin) {
  int rv = check_send_headers(st, headers, num);
  if (rv != CN_OK)
    return rv;
  cn_spdy_header_list_append(&st->out_headers, headers, num);
  queue_headers(st, fin);
  return CN_OK;
}

int cn_spdy_stream_send_header_list(cn_spdy_stream *st, cn_spdy_header_list *list, bool fin) {
  int rv = check_send_headers(st, list->items, list->count);
  if (rv != CN_OK)
    return rv;
  cn_spdy_header_list_free(&st->out_headers);
  st->out_headers = *list;  // the fields point into the list's own arena: they move with it
  cn_spdy_header_list_init(list);
  queue_headers(st, fin);
  return CN_OK;
}

// The fields are in st->out_headers: marks them queued (a client's request
// takes its stream id now) and queues the stream for framing.
static void queue_headers(cn_spdy_stream *st, bool fin) {
  cn_spdy_session *s = st->session;
  const cn_spdy_header *headers = st->out_headers.items;
  size_t num = st->out_headers.count;
  for (size_t i = 0; st->local && i < num; i++) {
    if (headers[i].name_len == 7 && memcmp(headers[i].name, ":method", 7) == 0)
      st->is_connect = headers[i].value_len == 7 && memcmp(headers[i].value, "CONNECT", 7) == 0;
  }
  st->headers_queued = true;
  st->headers_fin = fin;
  st->fin_queued = fin;
  if (st->local) {
    cn_spdy_session_assign_id_(s, st);
    st->logged_alive = true;
    cn_netlog_begin(s->netlog, st->source, CN_NETLOG_STREAM_ALIVE,
                    CN_NL_INT("stream_id", st->id), CN_NL_SOURCE("session", s->source),
                    CN_NL_STR("priority", cn_request_priority_name(st->priority)),
                    CN_NL_BOOL("local", true), CN_NL_SOURCE("owner", st->owner));
  }
  cn_spdy_write_queue_stream_ready(s, st);
}

int cn_spdy_stream_write(cn_spdy_stream *st, cn_iobuf *buf, size_t len, bool fin,
                         cn_completion_cb cb, void *arg) {
  if (st->error || st->closed)
    return closed_error(st);
  if (!st->headers_queued || st->fin_queued || st->wcb || !cb || (len == 0 && !fin) ||
      (len && (!buf || len > buf->size)) || len > INT_MAX)
    return CN_ERR_INVALID_ARGUMENT;
  st->wbuf = len ? cn_iobuf_ref(buf) : cn_iobuf_new(0);
  st->wlen = (uint32_t)len;
  st->woff = 0;
  st->wfin = fin;
  st->wdone = false;
  st->wcb = cb;
  st->warg = arg;
  if (fin)
    st->fin_queued = true;
  cn_spdy_write_queue_stream_ready(st->session, st);
  return CN_ERR_IO_PENDING;
}

int cn_spdy_stream_send_trailers(cn_spdy_stream *st, const cn_spdy_header *headers,
                                 size_t num) {
  if (st->error || st->closed)
    return closed_error(st);
  if (!st->headers_queued || st->fin_queued || !valid_headers(headers, num))
    return CN_ERR_INVALID_ARGUMENT;
  cn_spdy_header_list_append(&cn_spdy_stream_trailers_(st)->out, headers, num);
  st->trailers_queued = true;
  st->fin_queued = true;
  cn_spdy_write_queue_stream_ready(st->session, st);
  return CN_OK;
}

int cn_spdy_stream_read_headers(cn_spdy_stream *st, cn_completion_cb cb, void *arg) {
  if (st->headers_received)
    return CN_OK;
  if (st->error || st->closed)
    return closed_error(st);
  if (st->hcb || st->create_pending || st->queued || !cb)
    return CN_ERR_INVALID_ARGUMENT;
  st->hcb = cb;
  st->harg = arg;
  return CN_ERR_IO_PENDING;
}

const cn_spdy_header *cn_spdy_stream_headers(const cn_spdy_stream *st, size_t *num) {
  if (num)
    *num = st->in_headers.count;
  return st->in_headers.count ? st->in_headers.items : NULL;
}

const char *cn_spdy_stream_header(const cn_spdy_stream *st, const char *name) {
  return cn_spdy_header_list_get(&st->in_headers, name);
}

void cn_spdy_stream_drop_headers(cn_spdy_stream *st) { cn_spdy_header_list_free(&st->in_headers); }

const cn_spdy_header *cn_spdy_stream_trailers(const cn_spdy_stream *st, size_t *num) {
  const cn_spdy_header_list *in = st->trailers ? &st->trailers->in : NULL;
  if (num)
    *num = in ? in->count : 0;
  return in && in->count ? in->items : NULL;
}

int cn_spdy_stream_read(cn_spdy_stream *st, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                        void *arg) {
  if (!buf || len == 0 || len > buf->size || st->rcb || !cb)
    return CN_ERR_INVALID_ARGUMENT;
  if (len > INT_MAX)
    len = INT_MAX;  // what a result can say (a read may return less)
  int rv = try_read(st, buf, len);
  if (rv != CN_ERR_IO_PENDING)
    return rv;
  st->rdbuf = cn_iobuf_ref(buf);
  st->rdlen = (uint32_t)len;
  st->rdfilled = 0;
  st->rcb = cb;
  st->rarg = arg;
  return CN_ERR_IO_PENDING;
}

uint32_t cn_spdy_stream_id(const cn_spdy_stream *st) { return st->id; }
cn_spdy_session *cn_spdy_stream_session(const cn_spdy_stream *st) { return st->session; }
cn_request_priority cn_spdy_stream_priority(const cn_spdy_stream *st) { return st->priority; }
cn_netlog_source cn_spdy_stream_source(const cn_spdy_stream *st) { return st->source; }
int cn_spdy_stream_error(const cn_spdy_stream *st) { return st->error; }
bool cn_spdy_stream_is_closed(const cn_spdy_stream *st) { return st->closed; }
bool cn_spdy_stream_remote_fin(const cn_spdy_stream *st) { return st->remote_fin; }
size_t cn_spdy_stream_buffered_bytes(const cn_spdy_stream *st) {
  return cn_bytebuf_len(&st->rbuf);
}
int64_t cn_spdy_stream_send_window(const cn_spdy_stream *st) { return st->send_window; }
int64_t cn_spdy_stream_recv_window(const cn_spdy_stream *st) { return st->recv_window; }
size_t cn_spdy_stream_write_remaining(const cn_spdy_stream *st) {
  return st->wbuf && !st->wdone ? st->wlen - st->woff : 0;
}

// --- Priorities (Chromium's mappings) ---

uint8_t cn_spdy_priority_from_request_priority(cn_request_priority p) {
  if ((int)p < 0 || p > CN_PRIORITY_HIGHEST)
    p = CN_PRIORITY_DEFAULT;
  return (uint8_t)(CN_PRIORITY_HIGHEST - p);  // HIGHEST 0 … THROTTLED 5
}

cn_request_priority cn_spdy_priority_to_request_priority(uint8_t spdy_priority) {
  if (spdy_priority > CN_PRIORITY_HIGHEST)
    spdy_priority = CN_PRIORITY_HIGHEST;  // 6 and 7: the lowest we have
  return (cn_request_priority)(CN_PRIORITY_HIGHEST - spdy_priority);
}

uint16_t cn_spdy_priority_to_http2_weight(uint8_t spdy_priority) {
  if (spdy_priority > 7)
    spdy_priority = 7;
  return (uint16_t)((7 - spdy_priority) * 36 + 1);  // 0 → 253 … 7 → 1
}

uint8_t cn_http2_weight_to_spdy_priority(uint16_t weight) {
  if (weight < 1)
    weight = 1;
  if (weight > 256)
    weight = 256;
  unsigned p = (unsigned)(weight - 1) / 36;
  return (uint8_t)(p >= 7 ? 0 : 7 - p);
}
