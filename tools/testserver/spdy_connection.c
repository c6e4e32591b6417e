#include "tools/testserver/spdy_connection.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "base/timer.h"
#include "net/spdy/spdy_headers.h"
#include "net/spdy/spdy_session.h"
#include "net/spdy/spdy_stream.h"
#include "net/spdy/spdy_stream_socket.h"

// Request bodies are read in large chunks so a big upload takes few calls.
#define READ_CHUNK (64 * 1024)
// A handler asking to write is called back while less than this is queued
// on its stream: enough to fill the session's writes, bounded so a huge
// body (or a stalled flow-control window) never holds it all in memory.
#define LOW_WATER (256 * 1024)

// --- a socket wrapper that can slip a malformed frame in (bad_frame) ---
//
// The session owns its socket and writes whole frames, one write at a
// time; the wrapper injects its bytes only between two of those writes
// (holding a session write that arrives meanwhile), so the bad frame never
// lands inside another frame.

typedef struct fault_socket {
  cn_stream_socket base;  // first: the ops cast back
  cn_stream_socket *inner;
  bool user_writing;  // a session write is at the inner socket
  cn_completion_cb user_cb;
  void *user_arg;
  cn_iobuf *inject;  // bytes to inject (whole frame), or NULL
  size_t inject_off;
  bool injecting;  // an inner write of |inject| is pending
  // A session write that arrived while injecting.
  cn_iobuf *held;
  size_t held_len;
  cn_completion_cb held_cb;
  void *held_arg;
} fault_socket;

static fault_socket *fs_of(cn_stream_socket *s) { return (fault_socket *)s; }

static void fs_on_user_write(void *arg, int rv);
static void fs_on_inject_write(void *arg, int rv);

// Writes the injected bytes while they complete at once; then, once all
// are out, passes on a held session write. From the loop only.
static void fs_pump_inject(fault_socket *f) {
  while (f->inject && !f->injecting) {
    size_t left = f->inject->size - f->inject_off;
    if (left == 0) {
      cn_iobuf_unref(f->inject);
      f->inject = NULL;
      break;
    }
    cn_iobuf *slice = cn_iobuf_slice(f->inject, f->inject_off, left);
    int rv = cn_stream_socket_write(f->inner, slice, left, fs_on_inject_write, f);
    cn_iobuf_unref(slice);
    if (rv == CN_ERR_IO_PENDING) {
      f->injecting = true;
      return;
    }
    if (rv <= 0) {  // the session finds the broken socket on its next write
      cn_iobuf_unref(f->inject);
      f->inject = NULL;
      break;
    }
    f->inject_off += (size_t)rv;
  }
  if (!f->inject && f->held) {
    cn_iobuf *buf = f->held;
    f->held = NULL;
    f->user_writing = true;
    f->user_cb = f->held_cb;
    f->user_arg = f->held_arg;
    int rv = cn_stream_socket_write(f->inner, buf, f->held_len, fs_on_user_write, f);
    cn_iobuf_unref(buf);
    if (rv != CN_ERR_IO_PENDING)
      fs_on_user_write(f, rv);  // we are in a loop callback: safe to call back
  }
}

static void fs_on_inject_write(void *arg, int rv) {
  fault_socket *f = arg;
  f->injecting = false;
  if (rv > 0) {
    f->inject_off += (size_t)rv;
  } else {
    cn_iobuf_unref(f->inject);
    f->inject = NULL;
  }
  fs_pump_inject(f);
}

static void fs_on_user_write(void *arg, int rv) {
  fault_socket *f = arg;
  f->user_writing = false;
  cn_completion_cb cb = f->user_cb;
  void *cb_arg = f->user_arg;
  if (f->inject)
    fs_pump_inject(f);
  cb(cb_arg, rv);
}

static int fs_connect(cn_stream_socket *s, cn_completion_cb cb, void *arg) {
  return cn_stream_socket_is_connected(fs_of(s)->inner) ? CN_OK : CN_ERR_SOCKET_NOT_CONNECTED;
}

static int fs_read(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                   void *arg) {
  return cn_stream_socket_read(fs_of(s)->inner, buf, len, cb, arg);
}

static int fs_write(cn_stream_socket *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                    void *arg) {
  fault_socket *f = fs_of(s);
  if (f->inject) {
    f->held = cn_iobuf_ref(buf);
    f->held_len = len;
    f->held_cb = cb;
    f->held_arg = arg;
    return CN_ERR_IO_PENDING;
  }
  f->user_writing = true;
  f->user_cb = cb;
  f->user_arg = arg;
  int rv = cn_stream_socket_write(f->inner, buf, len, fs_on_user_write, f);
  if (rv != CN_ERR_IO_PENDING)
    f->user_writing = false;
  return rv;
}

static void fs_disconnect(cn_stream_socket *s) { cn_stream_socket_disconnect(fs_of(s)->inner); }

static bool fs_is_connected(const cn_stream_socket *s) {
  return cn_stream_socket_is_connected(((const fault_socket *)s)->inner);
}

static bool fs_is_connected_and_idle(const cn_stream_socket *s) {
  return cn_stream_socket_is_connected_and_idle(((const fault_socket *)s)->inner);
}

static cn_next_proto fs_negotiated_protocol(const cn_stream_socket *s) {
  return cn_stream_socket_negotiated_protocol(((const fault_socket *)s)->inner);
}

static void fs_destroy(cn_stream_socket *s) {
  fault_socket *f = fs_of(s);
  cn_stream_socket_destroy(f->inner);
  cn_iobuf_unref(f->inject);
  cn_iobuf_unref(f->held);
  cn_stream_socket_log_destroyed(s);
  free(f);
}

static const cn_stream_socket_ops kFaultSocketOps = {
    .name = "testserver_fault",
    .connect = fs_connect,
    .read = fs_read,
    .write = fs_write,
    .disconnect = fs_disconnect,
    .is_connected = fs_is_connected,
    .is_connected_and_idle = fs_is_connected_and_idle,
    .negotiated_protocol = fs_negotiated_protocol,
    .destroy = fs_destroy,
};

static fault_socket *fault_socket_new(cn_stream_socket *inner) {
  fault_socket *f = CN_NEW(fault_socket);
  cn_stream_socket_init(&f->base, &kFaultSocketOps, inner->netlog);
  f->inner = inner;
  return f;
}

// Queues |len| bytes to go out between two session writes. Called from the
// loop (a session callback).
static void fault_socket_inject(fault_socket *f, const uint8_t *bytes, size_t len) {
  if (f->inject)
    return;
  f->inject = cn_iobuf_from_copy(bytes, len);
  f->inject_off = 0;
  if (!f->user_writing)
    fs_pump_inject(f);
}

// --- the connection ---

typedef struct sp_conn sp_conn;

typedef struct sp_exchange {
  cn_ts_exchange base;  // first: the ops cast back
  sp_conn *conn;
  cn_list_node link;        // in conn->exchanges
  cn_spdy_stream *stream;   // NULL once handed to a tunnel
  cn_timer *kick;           // runs pump() from the loop after exchange calls
  cn_iobuf *read_buf;
  bool dispatched;          // the handler has the request
  bool head;
  bool connect;
  bool body_allowed;
  int64_t declared;  // announced content-length, or -1
  uint64_t sent;     // body bytes queued
  bool overrun;      // the response's overrun_length fault
  int status;
  cn_spdy_header_list response;  // built by respond(), sent by pump()
  bool headers_sent;
  cn_bytebuf out;  // body bytes not yet given to the stream
  bool writing;    // a stream write is pending
  bool fin_sent;
  bool aborted;
  bool tunnel;
  int error;  // the stream failed
  bool in_pump;
} sp_exchange;

struct sp_conn {
  cn_ts_connection base;  // first: destroy casts back
  cn_spdy_session *session;
  fault_socket *fault;  // the session's socket when bad_frame is on
  cn_next_proto proto;
  bool tls;
  uint64_t streams;  // peer streams received
  bool bad_frame_sent;
  cn_list_node exchanges;  // sp_exchange.link
};

static const cn_test_server_session_options *faults(const sp_conn *c) {
  return c->base.host->session_options;
}

static bool is_spdy(const sp_conn *c) { return c->proto == CN_PROTO_SPDY31; }

static void pump(sp_exchange *ex);

static void schedule(sp_exchange *ex) {
  if (!ex->in_pump && !cn_timer_is_active(ex->kick))
    cn_timer_start(ex->kick, 0, 0);
}

static void on_kick(void *arg) { pump(arg); }

// Releases the exchange (its handler's hook runs) and frees it; the stream
// is destroyed unless a tunnel took it.
static void end_exchange(sp_exchange *ex) {
  sp_conn *c = ex->conn;
  cn_list_remove(&ex->link);
  if (ex->dispatched) {
    cn_netlog *log = c->base.host->netlog;
    if (ex->aborted || ex->error || !ex->base.responded)
      cn_netlog_end(log, ex->base.source, CN_NETLOG_REQUEST_ALIVE,
                    CN_NL_INT("status", ex->status),
                    CN_NL_ERROR(ex->error ? ex->error : CN_ERR_ABORTED));
    else
      cn_netlog_end(log, ex->base.source, CN_NETLOG_REQUEST_ALIVE,
                    CN_NL_INT("status", ex->status));
  }
  cn_ts_exchange_release(&ex->base);
  cn_spdy_stream_destroy(ex->stream);
  cn_timer_destroy(ex->kick);
  cn_iobuf_unref(ex->read_buf);
  cn_spdy_header_list_free(&ex->response);
  cn_bytebuf_free(&ex->out);
  free(ex);
}

// Resets the stream (counted) and ends the exchange.
static void reset_exchange(sp_exchange *ex, uint32_t code) {
  ex->conn->base.host->counters->streams_reset++;
  cn_spdy_stream_reset(ex->stream, code);
  end_exchange(ex);
}

static void conn_destroy(cn_ts_connection *base) {
  sp_conn *c = (sp_conn *)base;
  cn_ts_connection_unlink(&c->base);
  while (!cn_list_empty(&c->exchanges))
    end_exchange(CN_CONTAINER_OF(c->exchanges.next, sp_exchange, link));
  cn_spdy_session_destroy(c->session);
  free(c);
}

// --- exchange ops ---

// Fields a multiplexed protocol must not carry (RFC 9113 8.2.2), and the
// framing ones this side writes itself.
static bool skip_response_field(const char *name) {
  static const char *const kSkip[] = {"connection",        "keep-alive", "proxy-connection",
                                      "transfer-encoding", "upgrade",    "content-length"};
  for (size_t i = 0; i < sizeof(kSkip) / sizeof(kSkip[0]); i++) {
    if (strcasecmp(name, kSkip[i]) == 0)
      return true;
  }
  return false;
}

static void ex_respond(cn_ts_exchange *base, const cn_ts_response *r) {
  sp_exchange *ex = (sp_exchange *)base;
  sp_conn *c = ex->conn;
  // A 2xx to CONNECT has no body: the stream becomes the tunnel.
  bool bodiless = !cn_ts_status_has_body(r->status) ||
                  (ex->connect && r->status >= 200 && r->status < 300);
  int64_t len = bodiless ? 0 : r->content_length;
  ex->status = r->status;
  ex->body_allowed = !bodiless && !ex->head;
  ex->declared = len >= 0 ? len : -1;
  cn_spdy_header_list *h = &ex->response;
  char status[64];
  ex->overrun = r->overrun_length;
  if (r->raw_status) {
    cn_spdy_header_list_add_str(h, ":status", r->raw_status);
    if (is_spdy(c))
      cn_spdy_header_list_add_str(h, ":version", "HTTP/1.1");
  } else if (is_spdy(c)) {
    snprintf(status, sizeof(status), "%d %s", r->status,
             r->reason ? r->reason : cn_ts_status_reason(r->status));
    cn_spdy_header_list_add_str(h, ":status", status);
    cn_spdy_header_list_add_str(h, ":version", "HTTP/1.1");
  } else {
    snprintf(status, sizeof(status), "%d", r->status);
    cn_spdy_header_list_add_str(h, ":status", status);
  }
  if (!cn_ts_headers_get(&r->headers, "Server"))
    cn_spdy_header_list_add_str(h, "server", "cnet-testserver");
  for (size_t i = 0; i < r->headers.count; i++) {
    if (!skip_response_field(r->headers.items[i].name))
      cn_spdy_header_list_add_str(h, r->headers.items[i].name, r->headers.items[i].value);
  }
  if (len >= 0 && !bodiless) {
    char n[32];
    snprintf(n, sizeof(n), "%" PRId64, len);
    cn_spdy_header_list_add_str(h, "content-length", n);
  }
  schedule(ex);
}

static void ex_write(cn_ts_exchange *base, cn_iobuf *buf, size_t offset, size_t len) {
  sp_exchange *ex = (sp_exchange *)base;
  if (!ex->body_allowed)
    return;
  if (ex->declared >= 0 && !ex->overrun) {
    uint64_t room = (uint64_t)ex->declared - ex->sent;
    if (len > room)
      len = (size_t)room;  // never more than announced
    if (len == 0)
      return;
  }
  cn_bytebuf_append(&ex->out, buf->data + offset, len);
  ex->sent += len;
  schedule(ex);
}

static void ex_finish(cn_ts_exchange *base) {
  sp_exchange *ex = (sp_exchange *)base;
  if (ex->body_allowed && ex->declared >= 0 && ex->sent < (uint64_t)ex->declared)
    ex->aborted = true;  // the peer must see the body cut short
  schedule(ex);
}

static void ex_abort(cn_ts_exchange *base) {
  sp_exchange *ex = (sp_exchange *)base;
  ex->aborted = true;
  schedule(ex);
}

static void ex_want_writable(cn_ts_exchange *base) { schedule((sp_exchange *)base); }

static void ex_take_stream(cn_ts_exchange *base) {
  sp_exchange *ex = (sp_exchange *)base;
  if (ex->connect && ex->status >= 200 && ex->status < 300)
    ex->tunnel = true;
  else
    ex->aborted = true;  // no tunnel was announced: treat as abort()
  schedule(ex);
}

static const cn_ts_exchange_ops kExchangeOps = {
    .respond = ex_respond,
    .write = ex_write,
    .finish = ex_finish,
    .abort = ex_abort,
    .want_writable = ex_want_writable,
    .take_stream = ex_take_stream,
};

// --- output ---

static void free_storage(void *arg, uint8_t *data) { free(arg); }

static void on_write(void *arg, int rv) {
  sp_exchange *ex = arg;
  ex->writing = false;
  if (rv < 0)
    ex->error = rv;
  pump(ex);
}

static size_t queued(const sp_exchange *ex) {
  size_t n = cn_bytebuf_len(&ex->out);
  if (ex->stream)
    n += cn_spdy_stream_write_remaining(ex->stream);
  return n;
}

// The 2xx to CONNECT is queued: the stream leaves the exchange as a socket
// for the handler's tunnel. |ex| is gone afterwards.
static void hand_over(sp_exchange *ex) {
  cn_stream_socket *s =
      cn_spdy_stream_socket_new_accepted(ex->stream, ex->conn->base.host->netlog);
  ex->stream = NULL;
  cn_ts_stream_cb cb = ex->base.stream_cb;
  void *arg = ex->base.stream_arg;
  ex->base.stream_cb = NULL;
  cb(arg, &ex->base, s);
  end_exchange(ex);
}

// Does what can be done now for |ex|. Only called from the loop; may free
// |ex|.
static void pump(sp_exchange *ex) {
  ex->in_pump = true;
  for (;;) {
    if (ex->error) {
      end_exchange(ex);
      return;
    }
    if (!ex->dispatched)
      break;  // the request body is still arriving
    bool ended = ex->base.ended;
    // Headers go out even for an aborted exchange: what was queued is
    // delivered before the reset. A finished answer with no body left ends
    // with them (END_STREAM on the HEADERS); the stream may be destroyed at
    // once, the session still sends them (spdy_stream.h, the close rule).
    if (ex->base.responded && !ex->headers_sent) {
      bool fin = ended && !ex->aborted && !ex->tunnel && cn_bytebuf_len(&ex->out) == 0;
      int rv =
          cn_spdy_stream_send_headers(ex->stream, ex->response.items, ex->response.count, fin);
      if (rv < 0) {
        ex->error = rv;
        continue;
      }
      ex->headers_sent = true;
      ex->fin_sent = fin;
      continue;
    }
    if (ex->headers_sent && !ex->writing && !ex->fin_sent) {
      size_t n = cn_bytebuf_len(&ex->out);
      bool fin = ended && !ex->aborted && !ex->tunnel;
      if (n > 0 || fin) {
        // The queue's storage goes to the stream as it is (no second copy).
        uint8_t *storage = ex->out.data;
        cn_iobuf *buf = n ? cn_iobuf_wrap(storage + ex->out.start, n, free_storage, storage)
                          : cn_iobuf_new(1);
        if (n)
          cn_bytebuf_init(&ex->out);
        int rv = cn_spdy_stream_write(ex->stream, buf, n, fin, on_write, ex);
        cn_iobuf_unref(buf);
        if (rv != CN_ERR_IO_PENDING) {
          ex->error = rv < 0 ? rv : CN_ERR_UNEXPECTED;
          continue;
        }
        ex->writing = true;
        ex->fin_sent = fin;
        continue;
      }
    }
    if (!ended) {
      void *arg;
      if (ex->base.writable_cb && queued(ex) < LOW_WATER) {
        cn_ts_writable_cb cb = cn_ts_exchange_take_writable(&ex->base, &arg);
        cb(arg, &ex->base);
        continue;
      }
      break;  // the handler will call back through the exchange
    }
    if (ex->writing)
      break;
    if (ex->aborted) {
      // What was queued is framed (the writes above drain |out|); now the
      // peer sees the stream fail.
      reset_exchange(ex, CN_HTTP2_INTERNAL_ERROR);
      return;
    }
    if (ex->tunnel) {
      if (ex->base.stream_cb) {
        hand_over(ex);
        return;
      }
      end_exchange(ex);
      return;
    }
    if (ex->fin_sent) {
      end_exchange(ex);
      return;
    }
    break;
  }
  ex->in_pump = false;
}

// --- input ---

static void fill_request(sp_conn *c, sp_exchange *ex) {
  size_t n;
  const cn_spdy_header *h = cn_spdy_stream_headers(ex->stream, &n);
  cn_ts_request *req = &ex->base.request;
  const char *method = cn_spdy_stream_header(ex->stream, ":method");
  const char *path = cn_spdy_stream_header(ex->stream, ":path");
  const char *scheme = cn_spdy_stream_header(ex->stream, ":scheme");
  const char *authority = cn_spdy_stream_header(ex->stream, is_spdy(c) ? ":host" : ":authority");
  if (!authority)
    authority = cn_spdy_stream_header(ex->stream, ":authority");
  req->method = method ? cn_xstrdup(method) : NULL;
  bool connect = method && strcmp(method, "CONNECT") == 0;
  if (connect && !is_spdy(c))
    req->target = authority ? cn_xstrdup(authority) : NULL;
  else if (!is_spdy(c) && path && path[0] == '/' && scheme && authority &&
           strcmp(scheme, "http") == 0 && c->tls)
    // An http:// URL asked for over TLS: a request to a proxy (F4).
    req->target = cn_xasprintf("http://%s%s", authority, path);
  else
    req->target = path ? cn_xstrdup(path) : NULL;
  req->http_version = is_spdy(c) ? 31 : 20;
  req->protocol = c->proto;
  req->tls = c->tls;
  req->connection_id = c->base.id;
  req->index_on_connection = c->streams;
  bool has_host = false;
  for (size_t i = 0; i < n; i++) {
    if (h[i].name_len == 4 && memcmp(h[i].name, "host", 4) == 0)
      has_host = true;
  }
  if (authority && !has_host)
    cn_ts_headers_add(&req->headers, "Host", authority);
  for (size_t i = 0; i < n; i++) {
    if (h[i].name_len > 0 && h[i].name[0] != ':')
      cn_ts_headers_add_n(&req->headers, h[i].name, h[i].name_len, h[i].value, h[i].value_len);
  }
}

static bool path_matches(const sp_exchange *ex, const char *prefix) {
  if (!prefix)
    return true;
  char path[1024];
  cn_ts_request_path(&ex->base.request, path, sizeof(path));
  return strncmp(path, prefix, strlen(prefix)) == 0;
}

static void dispatch(sp_exchange *ex) {
  sp_conn *c = ex->conn;
  cn_ts_connection_host *host = c->base.host;
  cn_ts_request *req = &ex->base.request;
  ex->dispatched = true;
  host->counters->requests++;
  ex->base.source = cn_netlog_new_source(host->netlog, CN_NETLOG_SOURCE_REQUEST);
  cn_netlog_begin(host->netlog, ex->base.source, CN_NETLOG_REQUEST_ALIVE,
                  CN_NL_STR("method", req->method), CN_NL_STR("url", req->target),
                  CN_NL_STR("protocol", cn_next_proto_alpn(c->proto)),
                  CN_NL_INT("stream_id", cn_spdy_stream_id(ex->stream)),
                  CN_NL_SOURCE("source_dependency", cn_spdy_session_source(c->session)));
  host->handler->ops->handle(host->handler, &ex->base);
}

static void on_read(void *arg, int rv);

// Reads the request body to END_STREAM, then dispatches. May free |ex|.
static void read_body(sp_exchange *ex) {
  for (;;) {
    if (!ex->read_buf)
      ex->read_buf = cn_iobuf_new(READ_CHUNK);
    int rv = cn_spdy_stream_read(ex->stream, ex->read_buf, READ_CHUNK, on_read, ex);
    if (rv == CN_ERR_IO_PENDING)
      return;
    if (rv > 0) {
      cn_bytebuf_append(&ex->base.request.body, ex->read_buf->data, (size_t)rv);
      continue;
    }
    cn_iobuf_unref(ex->read_buf);
    ex->read_buf = NULL;
    if (rv < 0) {
      end_exchange(ex);  // the client went away before finishing its request
      return;
    }
    dispatch(ex);
    return;
  }
}

static void on_read(void *arg, int rv) {
  sp_exchange *ex = arg;
  if (rv > 0) {
    cn_bytebuf_append(&ex->base.request.body, ex->read_buf->data, (size_t)rv);
    read_body(ex);
    return;
  }
  cn_iobuf_unref(ex->read_buf);
  ex->read_buf = NULL;
  if (rv < 0)
    end_exchange(ex);
  else
    dispatch(ex);
}

// The malformed frame bad_frame writes.
static void send_bad_frame(sp_conn *c) {
  // HTTP/2: SETTINGS (type 4) on stream 0 with a 3-byte payload — a
  // FRAME_SIZE_ERROR (RFC 9113 6.5: a multiple of 6). SPDY/3.1: a SETTINGS
  // control frame announcing 5 entries in a 4-byte payload.
  static const uint8_t kHttp2[] = {0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0};
  static const uint8_t kSpdy[] = {0x80, 3, 0, 4, 0, 0, 0, 4, 0, 0, 0, 5};
  c->bad_frame_sent = true;
  c->base.host->counters->bad_frames_sent++;
  if (is_spdy(c))
    fault_socket_inject(c->fault, kSpdy, sizeof(kSpdy));
  else
    fault_socket_inject(c->fault, kHttp2, sizeof(kHttp2));
}

static void on_stream(void *ctx, cn_spdy_session *session, cn_spdy_stream *stream) {
  sp_conn *c = ctx;
  cn_ts_connection_host *host = c->base.host;
  const cn_test_server_session_options *o = faults(c);
  c->streams++;
  if (is_spdy(c))
    host->counters->spdy_streams++;
  else
    host->counters->http2_streams++;
  sp_exchange *ex = CN_NEW(sp_exchange);
  cn_ts_exchange_init(&ex->base, &kExchangeOps);
  ex->conn = c;
  ex->stream = stream;
  ex->declared = -1;
  ex->kick = cn_timer_new(host->loop, on_kick, ex);
  cn_spdy_header_list_init(&ex->response);
  cn_bytebuf_init(&ex->out);
  cn_list_push_back(&c->exchanges, &ex->link);
  fill_request(c, ex);

  if (o && o->goaway_after && c->streams == o->goaway_after) {
    host->counters->goaways_sent++;
    cn_spdy_session_go_away(c->session, CN_HTTP2_NO_ERROR);
  }
  if (o && o->bad_frame && !c->bad_frame_sent && c->fault)
    send_bad_frame(c);

  cn_ts_request *req = &ex->base.request;
  if (!req->method || !req->target || !req->target[0]) {
    host->counters->bad_requests++;
    reset_exchange(ex, CN_HTTP2_PROTOCOL_ERROR);
    return;
  }
  if (o && o->rst_stream && path_matches(ex, o->rst_stream_path)) {
    reset_exchange(ex, o->rst_stream_code);
    return;
  }
  ex->head = strcmp(req->method, "HEAD") == 0;
  ex->connect = strcmp(req->method, "CONNECT") == 0;
  if (ex->connect)
    dispatch(ex);  // its DATA is the tunnel's, not a request body
  else
    read_body(ex);
}

static void on_closed(void *ctx, cn_spdy_session *session, int error) {
  conn_destroy(&((sp_conn *)ctx)->base);
}

static const cn_ts_connection_ops kHttp2Ops = {
    .name = "h2",
    .destroy = conn_destroy,
};

static const cn_ts_connection_ops kSpdyOps = {
    .name = "spdy/3.1",
    .destroy = conn_destroy,
};

cn_ts_connection *cn_ts_spdy_connection_new(cn_ts_connection_host *host, cn_stream_socket *socket,
                                            cn_next_proto protocol, bool tls) {
  if (protocol != CN_PROTO_SPDY31 && protocol != CN_PROTO_HTTP2) {
    cn_stream_socket_destroy(socket);
    return NULL;
  }
  const cn_test_server_session_options *o = host->session_options;
  sp_conn *c = CN_NEW(sp_conn);
  c->proto = protocol;
  c->tls = tls;
  cn_list_init(&c->exchanges);
  if (o && o->bad_frame) {
    c->fault = fault_socket_new(socket);
    socket = &c->fault->base;
  }
  cn_spdy_session_options so;
  cn_spdy_session_options_init(&so);
  so.protocol = protocol;
  so.is_server = true;
  if (o) {
    so.stream_recv_window = o->initial_window;
    so.max_concurrent_streams = o->max_concurrent_streams;
  }
  cn_spdy_session_delegate d = {.ctx = c, .on_stream = on_stream, .on_closed = on_closed};
  int rv = cn_spdy_session_create(host->loop, socket, &so, &d, host->netlog, &c->session);
  if (rv != CN_OK) {
    free(c);  // the session destroyed the socket
    return NULL;
  }
  cn_ts_connection_init(&c->base, protocol == CN_PROTO_SPDY31 ? &kSpdyOps : &kHttp2Ops, host);
  if (protocol == CN_PROTO_SPDY31)
    host->counters->spdy_sessions++;
  else
    host->counters->http2_sessions++;
  return &c->base;
}
