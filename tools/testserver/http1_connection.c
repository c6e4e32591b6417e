#include "tools/testserver/http1_connection.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "base/timer.h"
#include "net/socket/ssl_socket.h"
#include "tools/testserver/http1_request_parser.h"
#include "tools/testserver/prefixed_socket.h"

// Reads ask for large chunks so a big request body arrives in few calls.
#define READ_CHUNK (64 * 1024)
// A handler asking to write is called back while less than this is queued:
// enough to keep a TLS socket busy, bounded so a huge body never sits in
// memory at once.
#define LOW_WATER (256 * 1024)

#define SERVER_HEADER "Server: cnet-testserver\r\n"

typedef struct h1_conn h1_conn;

typedef struct h1_exchange {
  cn_ts_exchange base;  // first: the ops cast back
  h1_conn *conn;
  bool head;          // a HEAD request: headers only
  bool connect;       // a CONNECT request: a 2xx answer has no body
  bool tunnel;        // take_stream(): hand the socket over once flushed
  bool body_allowed;  // false for HEAD and bodiless statuses
  bool chunked;
  int64_t declared;  // announced Content-Length, or -1
  uint64_t sent;     // body bytes queued so far
  bool overrun;      // the response's overrun_length fault
  bool aborted;      // abort(), or finish() short of the Content-Length
  bool wrote_any;    // anything of this exchange was queued
  int status;
} h1_exchange;

struct h1_conn {
  cn_ts_connection base;  // first: destroy casts back
  cn_stream_socket *socket;
  bool tls;
  cn_next_proto proto;
  uint64_t requests;  // on this connection
  // Input.
  cn_ts_h1_parser parser;
  cn_bytebuf in;
  bool in_dirty;  // |in| holds bytes the parser has not seen
  cn_iobuf *read_buf;
  bool read_pending;
  bool peer_eof;
  bool sent_continue;
  // The exchange in progress (one at a time).
  h1_exchange *ex;
  // Output: |out| collects what is queued; when no write is pending its
  // storage is handed to the socket as |inflight| (no second copy).
  cn_bytebuf out;
  cn_iobuf *inflight;
  size_t inflight_off;
  bool write_pending;
  int error;         // a socket error: tear down
  bool close_after;  // close once the current response is out
  bool closing;      // TLS close_notify under way
  bool in_pump;
  cn_timer *kick;  // runs pump() from the loop after exchange calls
};

static void pump(h1_conn *c);

static h1_conn *conn_of(cn_ts_exchange *base) { return ((h1_exchange *)base)->conn; }

static size_t queued(const h1_conn *c) {
  size_t n = cn_bytebuf_len(&c->out);
  if (c->inflight)
    n += c->inflight->size - c->inflight_off;
  return n;
}

// Exchange calls only record what to do and come back here: the work runs
// from the loop, so a handler is never called back inside its own call and
// nothing it holds is freed under it.
static void schedule(h1_conn *c) {
  if (!c->in_pump && !cn_timer_is_active(c->kick))
    cn_timer_start(c->kick, 0, 0);
}

static void on_kick(void *arg) { pump(arg); }

// --- teardown ---

static void end_exchange(h1_conn *c) {
  h1_exchange *ex = c->ex;
  if (!ex)
    return;
  c->ex = NULL;
  cn_netlog *log = c->base.host->netlog;
  if (ex->aborted || !ex->base.responded)
    cn_netlog_end(log, ex->base.source, CN_NETLOG_REQUEST_ALIVE, CN_NL_INT("status", ex->status),
                  CN_NL_ERROR(CN_ERR_ABORTED));
  else
    cn_netlog_end(log, ex->base.source, CN_NETLOG_REQUEST_ALIVE, CN_NL_INT("status", ex->status));
  cn_ts_exchange_release(&ex->base);
  free(ex);
  c->in_dirty = true;  // a request that arrived early may be waiting
}

static void conn_destroy(cn_ts_connection *base) {
  h1_conn *c = (h1_conn *)base;
  cn_ts_connection_unlink(&c->base);
  end_exchange(c);
  cn_stream_socket_destroy(c->socket);
  cn_timer_destroy(c->kick);
  cn_iobuf_unref(c->read_buf);
  cn_iobuf_unref(c->inflight);
  cn_bytebuf_free(&c->in);
  cn_bytebuf_free(&c->out);
  cn_ts_h1_parser_free(&c->parser);
  free(c);
}

static void on_shutdown(void *arg, int rv) { conn_destroy(arg); }

// Ends the connection. With |graceful|, a half-close (TLS's close_notify, a
// stream's END_STREAM) goes out first;
// its completion means every byte before it reached the transport, so the
// tail of the response is not lost when the transport closes. Returns true
// if |c| is gone now.
static bool begin_close(h1_conn *c, bool graceful) {
  // (A layer without half-close answers CN_ERR_NOT_IMPLEMENTED: closed now.)
  if (graceful && cn_stream_socket_shutdown(c->socket, on_shutdown, c) == CN_ERR_IO_PENDING) {
    c->closing = true;
    return false;
  }
  conn_destroy(&c->base);
  return true;
}

// --- output ---

static void free_storage(void *arg, uint8_t *data) { free(arg); }

static void note_written(h1_conn *c, int rv) {
  if (rv <= 0) {
    c->error = rv < 0 ? rv : CN_ERR_UNEXPECTED;
    return;
  }
  c->inflight_off += (size_t)rv;
  if (c->inflight_off >= c->inflight->size) {
    cn_iobuf_unref(c->inflight);
    c->inflight = NULL;
    c->inflight_off = 0;
  }
}

static void on_write(void *arg, int rv) {
  h1_conn *c = arg;
  c->write_pending = false;
  note_written(c, rv);
  pump(c);
}

// Hands queued bytes to the socket until a write stays pending.
static void flush(h1_conn *c) {
  while (!c->write_pending && !c->error) {
    if (!c->inflight) {
      size_t n = cn_bytebuf_len(&c->out);
      if (n == 0)
        return;
      uint8_t *storage = c->out.data;
      c->inflight = cn_iobuf_wrap(storage + c->out.start, n, free_storage, storage);
      c->inflight_off = 0;
      cn_bytebuf_init(&c->out);  // the storage now belongs to |inflight|
    }
    size_t len = c->inflight->size - c->inflight_off;
    cn_iobuf *buf = c->inflight_off ? cn_iobuf_slice(c->inflight, c->inflight_off, len)
                                    : cn_iobuf_ref(c->inflight);
    c->write_pending = true;
    int rv = cn_stream_socket_write(c->socket, buf, len, on_write, c);
    cn_iobuf_unref(buf);
    if (rv == CN_ERR_IO_PENDING)
      return;
    c->write_pending = false;
    note_written(c, rv);
  }
}

// --- exchange ops ---

static void ex_respond(cn_ts_exchange *base, const cn_ts_response *r) {
  h1_exchange *ex = (h1_exchange *)base;
  h1_conn *c = ex->conn;
  // A 2xx to CONNECT has no body and no framing fields (RFC 9110 9.3.6):
  // what follows it is the tunnel.
  bool bodiless = !cn_ts_status_has_body(r->status) ||
                  (ex->connect && r->status >= 200 && r->status < 300);
  int64_t len = bodiless ? 0 : r->content_length;
  if (len == CN_TS_LENGTH_UNKNOWN && base->request.http_version < 11)
    len = CN_TS_LENGTH_UNTIL_CLOSE;  // HTTP/1.0 has no chunked coding
  if (len < 0 && len != CN_TS_LENGTH_UNKNOWN)
    len = CN_TS_LENGTH_UNTIL_CLOSE;
  if (r->close_connection || len == CN_TS_LENGTH_UNTIL_CLOSE)
    c->close_after = true;
  ex->status = r->status;
  ex->body_allowed = !bodiless && !ex->head;
  ex->declared = len >= 0 ? len : -1;
  ex->chunked = len == CN_TS_LENGTH_UNKNOWN;
  ex->wrote_any = true;

  cn_bytebuf *o = &c->out;
  ex->overrun = r->overrun_length;
  if (r->raw_status)
    cn_bytebuf_appendf(o, "%s\r\n", r->raw_status);
  else
    cn_bytebuf_appendf(o, "HTTP/1.1 %d %s\r\n", r->status,
                       r->reason ? r->reason : cn_ts_status_reason(r->status));
  // A proxy relays the origin's Server field; one Server field only.
  if (!cn_ts_headers_get(&r->headers, "Server"))
    cn_bytebuf_append_str(o, SERVER_HEADER);
  for (size_t i = 0; i < r->headers.count; i++)
    cn_bytebuf_appendf(o, "%s: %s\r\n", r->headers.items[i].name, r->headers.items[i].value);
  // 1xx and 204 must not carry Content-Length; 304 may but need not.
  if (len >= 0 && !bodiless)
    cn_bytebuf_appendf(o, "Content-Length: %" PRId64 "\r\n", len);
  else if (ex->chunked && !bodiless)
    cn_bytebuf_append_str(o, "Transfer-Encoding: chunked\r\n");
  if (c->close_after)
    cn_bytebuf_append_str(o, "Connection: close\r\n");
  cn_bytebuf_append_str(o, "\r\n");
  schedule(c);
}

static void ex_write(cn_ts_exchange *base, cn_iobuf *buf, size_t offset, size_t len) {
  h1_exchange *ex = (h1_exchange *)base;
  h1_conn *c = ex->conn;
  if (!ex->body_allowed)
    return;
  if (ex->declared >= 0 && !ex->overrun) {
    uint64_t room = (uint64_t)ex->declared - ex->sent;
    if (len > room)
      len = (size_t)room;  // never more than announced
    if (len == 0)
      return;
  }
  if (ex->chunked)
    cn_bytebuf_appendf(&c->out, "%zx\r\n", len);
  cn_bytebuf_append(&c->out, buf->data + offset, len);
  if (ex->chunked)
    cn_bytebuf_append_str(&c->out, "\r\n");
  ex->sent += len;
  schedule(c);
}

static void ex_finish(cn_ts_exchange *base) {
  h1_exchange *ex = (h1_exchange *)base;
  h1_conn *c = ex->conn;
  if (ex->body_allowed && ex->declared >= 0 && ex->sent < (uint64_t)ex->declared)
    ex->aborted = true;  // the peer must see the body cut short
  else if (ex->body_allowed && ex->chunked)
    cn_bytebuf_append_str(&c->out, "0\r\n\r\n");
  schedule(c);
}

static void ex_abort(cn_ts_exchange *base) {
  h1_exchange *ex = (h1_exchange *)base;
  ex->aborted = true;
  schedule(ex->conn);
}

static void ex_want_writable(cn_ts_exchange *base) { schedule(conn_of(base)); }

static void ex_take_stream(cn_ts_exchange *base) {
  h1_exchange *ex = (h1_exchange *)base;
  if (ex->connect && ex->status >= 200 && ex->status < 300)
    ex->tunnel = true;
  else
    ex->aborted = true;  // no tunnel was announced: treat as abort()
  schedule(ex->conn);
}

static const cn_ts_exchange_ops kExchangeOps = {
    .respond = ex_respond,
    .write = ex_write,
    .finish = ex_finish,
    .abort = ex_abort,
    .want_writable = ex_want_writable,
    .take_stream = ex_take_stream,
};

// --- input ---

static void dispatch(h1_conn *c) {
  cn_ts_connection_host *host = c->base.host;
  h1_exchange *ex = CN_NEW(h1_exchange);
  cn_ts_exchange_init(&ex->base, &kExchangeOps);
  ex->conn = c;
  ex->declared = -1;
  cn_ts_request *req = &ex->base.request;
  cn_ts_h1_parser_take_request(&c->parser, req);
  req->protocol = c->proto;
  req->tls = c->tls;
  req->connection_id = c->base.id;
  req->index_on_connection = ++c->requests;
  ex->head = strcmp(req->method, "HEAD") == 0;
  ex->connect = strcmp(req->method, "CONNECT") == 0;
  c->sent_continue = false;
  // HTTP/1.0 keep-alive is an extension nothing here needs: 1.0 closes.
  if (req->http_version < 11 || cn_ts_headers_has_token(&req->headers, "Connection", "close"))
    c->close_after = true;
  host->counters->requests++;
  ex->base.source = cn_netlog_new_source(host->netlog, CN_NETLOG_SOURCE_REQUEST);
  cn_netlog_begin(host->netlog, ex->base.source, CN_NETLOG_REQUEST_ALIVE,
                  CN_NL_STR("method", req->method), CN_NL_STR("url", req->target),
                  CN_NL_STR("protocol", "http/1.1"),
                  CN_NL_SOURCE("source_dependency", c->socket->source));
  c->ex = ex;
  // close_on_request: the Nth request of a connection is met with a close
  // and no byte, as from a server that dropped an idle keep-alive connection
  // just as the request arrived (what a client's stale-connection retry is
  // for).
  if (host->close_on_request && req->index_on_connection == host->close_on_request) {
    host->counters->closed_on_request++;
    cn_ts_exchange_abort(&ex->base);
    return;
  }
  host->handler->ops->handle(host->handler, &ex->base);
}

static void bad_request(h1_conn *c) {
  c->base.host->counters->bad_requests++;
  int status = c->parser.error_status;
  const char *reason = cn_ts_status_reason(status);
  char body[160];
  int n = snprintf(body, sizeof(body), "%d %s: %s\n", status, reason, c->parser.error);
  cn_bytebuf_appendf(&c->out,
                     "HTTP/1.1 %d %s\r\n" SERVER_HEADER
                     "Content-Type: text/plain\r\nContent-Length: %d\r\n"
                     "Connection: close\r\n\r\n%s",
                     status, reason, n, body);
  c->close_after = true;
}

static void note_read(h1_conn *c, int rv) {
  if (rv > 0) {
    cn_bytebuf_append(&c->in, c->read_buf->data, (size_t)rv);
    c->in_dirty = true;
  } else if (rv == 0) {
    c->peer_eof = true;
  } else {
    c->error = rv;
  }
}

static void on_read(void *arg, int rv) {
  h1_conn *c = arg;
  c->read_pending = false;
  note_read(c, rv);
  pump(c);
}

// Parses what has arrived; returns true if that made progress (a request
// dispatched, an error answered, a 100 queued).
static bool parse_input(h1_conn *c) {
  if (!c->in_dirty)
    return false;
  c->in_dirty = false;
  size_t used;
  cn_ts_h1_result rv =
      cn_ts_h1_parser_feed(&c->parser, cn_bytebuf_head(&c->in), cn_bytebuf_len(&c->in), &used);
  cn_bytebuf_consume(&c->in, used);
  if (rv == CN_TS_H1_DONE) {
    dispatch(c);
    return true;
  }
  if (rv == CN_TS_H1_ERROR) {
    bad_request(c);
    return true;
  }
  if (!c->sent_continue && cn_ts_h1_parser_awaiting_body(&c->parser) &&
      cn_ts_headers_has_token(&cn_ts_h1_parser_request(&c->parser)->headers, "Expect",
                              "100-continue")) {
    c->sent_continue = true;
    cn_bytebuf_append_str(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
    return true;
  }
  return false;
}

// --- the state machine ---

// The CONNECT answer is on the wire: the socket (and any bytes the client
// sent after the request) goes to the handler, and the connection ends.
// |c| is gone afterwards.
static void hand_over(h1_conn *c) {
  h1_exchange *ex = c->ex;
  // No read is pending here: the connection reads only between exchanges.
  cn_stream_socket *stream =
      cn_ts_prefixed_socket_new(c->socket, cn_bytebuf_head(&c->in), cn_bytebuf_len(&c->in));
  c->socket = NULL;
  cn_bytebuf_clear(&c->in);
  cn_ts_stream_cb cb = ex->base.stream_cb;
  void *arg = ex->base.stream_arg;
  ex->base.stream_cb = NULL;
  cb(arg, &ex->base, stream);
  conn_destroy(&c->base);  // releases the exchange
}

// Does everything that can be done now. Only called from the loop (socket
// and timer callbacks); may free |c|, so callers return right after.
static void pump(h1_conn *c) {
  c->in_pump = true;
  for (;;) {
    flush(c);
    if (c->error) {
      conn_destroy(&c->base);
      return;
    }
    if (c->closing)
      break;  // waiting for close_notify to go out
    bool flushed = !c->write_pending && queued(c) == 0;
    h1_exchange *ex = c->ex;
    if (ex) {
      if (!ex->base.ended) {
        void *arg;
        if (ex->base.writable_cb && queued(c) < LOW_WATER) {
          cn_ts_writable_cb cb = cn_ts_exchange_take_writable(&ex->base, &arg);
          cb(arg, &ex->base);
          continue;
        }
        break;  // the handler will call back through the exchange
      }
      if (!flushed)
        break;
      if (ex->tunnel && !ex->aborted) {
        hand_over(c);
        return;
      }
      bool aborted = ex->aborted;
      bool silent = aborted && !ex->wrote_any;
      end_exchange(c);
      if (aborted || c->close_after) {
        if (begin_close(c, !silent))
          return;
        continue;
      }
      continue;
    }
    if (c->close_after) {
      if (!flushed)
        break;
      if (begin_close(c, true))
        return;
      continue;
    }
    if (parse_input(c))
      continue;
    if (c->peer_eof) {
      // The client is done sending (between requests or mid-request).
      // Closing gracefully still delivers the end of a response to a client
      // that only half-closed.
      if (begin_close(c, true))
        return;
      continue;
    }
    if (c->read_pending)
      break;
    if (!c->read_buf)
      c->read_buf = cn_iobuf_new(READ_CHUNK);
    int rv = cn_stream_socket_read(c->socket, c->read_buf, READ_CHUNK, on_read, c);
    if (rv == CN_ERR_IO_PENDING) {
      c->read_pending = true;
      break;
    }
    note_read(c, rv);
  }
  c->in_pump = false;
}

static const cn_ts_connection_ops kHttp1Ops = {
    .name = "http/1.1",
    .destroy = conn_destroy,
};

cn_ts_connection *cn_ts_http1_connection_new(cn_ts_connection_host *host,
                                             cn_stream_socket *socket, bool tls) {
  h1_conn *c = CN_NEW(h1_conn);
  cn_ts_connection_init(&c->base, &kHttp1Ops, host);
  c->socket = socket;
  c->tls = tls;
  c->proto = cn_stream_socket_negotiated_protocol(socket);
  cn_ts_h1_parser_init(&c->parser, NULL);
  cn_bytebuf_init(&c->in);
  cn_bytebuf_init(&c->out);
  c->kick = cn_timer_new(host->loop, on_kick, c);
  // The first read starts from the loop, like every other step.
  schedule(c);
  return &c->base;
}
