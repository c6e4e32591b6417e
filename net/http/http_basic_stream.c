#include "net/http/http_basic_stream.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/http/http_log_util.h"
#include "net/http/http_stream.h"

// A request body at most this big (head included) that is already in
// memory goes out in the head's write: one packet instead of two.
#define MERGE_LIMIT (16 * 1024)
// Streamed uploads are read in pieces of this size; the buffer around them
// has room for a chunk-size line in front and CRLF behind, so chunked
// framing needs no copy.
#define UPLOAD_PREFIX 16
#define UPLOAD_DATA_SIZE (64 * 1024 - 32)

enum {
  ST_NONE,
  ST_SEND_HEADERS,
  ST_SEND_HEADERS_COMPLETE,
  ST_SEND_BODY,
  ST_SEND_BODY_READ_COMPLETE,
  ST_SEND_BODY_WRITE,
  ST_SEND_BODY_WRITE_COMPLETE,
  ST_READ_HEADERS,
  ST_READ_HEADERS_COMPLETE,
  ST_READ_BODY,
  ST_READ_BODY_COMPLETE,
};

// Where the exchange is, between operations.
enum { PH_NEW, PH_SENT, PH_HEADERS_DONE };

// The operation the caller is waiting for.
enum { OP_NONE, OP_SEND, OP_READ_HEADERS, OP_READ_BODY };

// The cn_http_stream ops (at the end of the file).
static const cn_http_stream_ops kOps;

struct cn_http_basic_stream {
  cn_http_stream base;       // first: the cn_http_stream ops cast back
  cn_stream_socket *socket;  // borrowed
  cn_netlog *netlog;
  cn_netlog_source source;
  cn_http_basic_stream_options opts;

  int next_state;
  int phase;
  int op;
  int error;  // sticky: once failed, every call returns it
  cn_completion_cb user_cb;
  void *user_arg;
  bool socket_io_pending;
  bool upload_read_pending;

  // Sending.
  cn_iobuf *write_buf;  // what is being written, [write_off, write_end)
  size_t write_off;
  size_t write_end;
  cn_http_upload *upload;  // borrowed until the send completes
  bool chunked;
  bool upload_eof;       // chunked: the upload said 0, the last chunk is next
  bool last_chunk_sent;  // chunked: the final "0\r\n\r\n" is being written
  cn_iobuf *mem_buf;     // an in-memory upload's bytes (borrowed from it)
  size_t mem_off;
  uint64_t body_size;
  uint64_t body_sent;
  cn_iobuf *upload_buf;   // streamed uploads: prefix + data + CRLF
  cn_iobuf *upload_view;  // the data part of upload_buf, where reads go

  // Receiving.
  cn_http_response_parser parser;
  bool decode;
  cn_iobuf *read_buf;  // stream-owned socket reads, unparsed at [read_pos, read_end)
  size_t read_pos;
  size_t read_end;
  const uint8_t *span;  // parsed body bytes not yet delivered (inside read_buf)
  size_t span_len;
  cn_http_content_decoder *decoder;
  int decoder_error;    // creating the decoder failed: the first body read fails
  cn_iobuf *user_buf;   // the pending body read's buffer
  size_t user_len;
  size_t produced;
  bool direct_read;     // the pending socket read goes into user_buf
  bool extra_bytes;     // bytes followed the response: not reusable
  bool body_complete;   // the last body byte was handed to the caller
  bool body_logged;
  uint64_t body_bytes;  // body bytes off the wire (before decoding)
};

static int do_loop(cn_http_basic_stream *s, int rv);

cn_http_basic_stream *cn_http_basic_stream_new(cn_stream_socket *socket, cn_netlog *netlog,
                                   cn_netlog_source source, const cn_http_basic_stream_options *opts) {
  cn_http_basic_stream *s = CN_NEW(cn_http_basic_stream);
  s->base.ops = &kOps;
  s->socket = socket;
  s->netlog = netlog;
  s->source = source;
  if (opts)
    s->opts = *opts;
  cn_http_response_parser_init(&s->parser, NULL);
  return s;
}

// --- completion plumbing ---------------------------------------------------

static void log_body(cn_http_basic_stream *s, int error) {
  if (s->body_logged)
    return;
  s->body_logged = true;
  uint64_t decoded = s->decoder ? cn_http_content_decoder_bytes_out(s->decoder) : s->body_bytes;
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_HTTP_TRANSACTION_READ_BODY,
                  CN_NL_INT("bytes", s->body_bytes), CN_NL_INT("decoded_bytes", decoded),
                  CN_NL_BOOL("complete", s->body_complete), CN_NL_ERROR(error));
}

static void release_upload(cn_http_basic_stream *s) {
  cn_iobuf_unref(s->write_buf);
  cn_iobuf_unref(s->upload_view);
  cn_iobuf_unref(s->upload_buf);
  s->write_buf = s->upload_view = s->upload_buf = NULL;
  s->mem_buf = NULL;
  s->upload = NULL;
}

static void release_read_buf(cn_http_basic_stream *s) {
  cn_iobuf_unref(s->read_buf);
  s->read_buf = NULL;
  s->read_pos = s->read_end = 0;
}

// Ends the caller's operation: logs, records a failure, drops buffers.
static void finish_op(cn_http_basic_stream *s, int rv) {
  if (rv < 0)
    s->error = rv;
  switch (s->op) {
    case OP_SEND:
      release_upload(s);
      if (rv >= 0) {
        s->phase = PH_SENT;
        cn_netlog_end(s->netlog, s->source, CN_NETLOG_HTTP_TRANSACTION_SEND_REQUEST,
                      CN_NL_INT("body_bytes", s->body_sent));
      } else {
        cn_netlog_end_with_error(s->netlog, s->source, CN_NETLOG_HTTP_TRANSACTION_SEND_REQUEST,
                                 rv);
      }
      break;
    case OP_READ_HEADERS:
      if (rv >= 0)
        cn_netlog_end(s->netlog, s->source, CN_NETLOG_HTTP_TRANSACTION_READ_HEADERS,
                      CN_NL_INT("status", s->parser.head.status));
      else
        cn_netlog_end_with_error(s->netlog, s->source, CN_NETLOG_HTTP_TRANSACTION_READ_HEADERS,
                                 rv);
      break;
    case OP_READ_BODY:
      cn_iobuf_unref(s->user_buf);
      s->user_buf = NULL;
      if (rv < 0 || s->body_complete)
        log_body(s, rv < 0 ? rv : CN_OK);
      break;
  }
  s->op = OP_NONE;
}

// Runs the state machine from an async completion and, when the operation
// is over, the caller's callback — last, since it may destroy the stream.
static void on_io_complete(void *arg, int rv) {
  cn_http_basic_stream *s = arg;
  s->socket_io_pending = false;
  s->upload_read_pending = false;
  rv = do_loop(s, rv);
  if (rv == CN_ERR_IO_PENDING)
    return;
  finish_op(s, rv);
  cn_completion_cb cb = s->user_cb;
  void *cb_arg = s->user_arg;
  s->user_cb = NULL;
  cb(cb_arg, rv);
}

// Starts the operation |op| in state |state|; returns its result or
// CN_ERR_IO_PENDING (the callback follows).
static int start_op(cn_http_basic_stream *s, int op, int state, cn_completion_cb cb, void *arg) {
  s->op = op;
  s->next_state = state;
  int rv = do_loop(s, CN_OK);
  if (rv == CN_ERR_IO_PENDING) {
    s->user_cb = cb;
    s->user_arg = arg;
  } else {
    finish_op(s, rv);
  }
  return rv;
}

static int socket_write(cn_http_basic_stream *s) {
  cn_iobuf *view = s->write_off ? cn_iobuf_slice(s->write_buf, s->write_off,
                                                 s->write_end - s->write_off)
                                : cn_iobuf_ref(s->write_buf);
  int rv = cn_stream_socket_write(s->socket, view, s->write_end - s->write_off, on_io_complete, s);
  cn_iobuf_unref(view);  // a pending write holds its own reference
  if (rv == CN_ERR_IO_PENDING)
    s->socket_io_pending = true;
  else if (rv == 0)
    rv = CN_ERR_UNEXPECTED;  // a write never reports 0
  return rv;
}

// Accounts a socket write of |rv| bytes of [write_off, write_end). True when
// the range is all out (write_buf released); false when the rest is to be
// written from state |again| (queued here).
static bool write_finished(cn_http_basic_stream *s, int rv, int again) {
  s->write_off += (size_t)rv;
  if (s->write_off < s->write_end) {
    s->next_state = again;
    return false;
  }
  cn_iobuf_unref(s->write_buf);
  s->write_buf = NULL;
  return true;
}

static int socket_read(cn_http_basic_stream *s, cn_iobuf *buf, size_t len) {
  int rv = cn_stream_socket_read(s->socket, buf, len, on_io_complete, s);
  if (rv == CN_ERR_IO_PENDING)
    s->socket_io_pending = true;
  return rv;
}

// Reads from the socket into the stream's own buffer (allocated on first
// use), which is empty after this: what it held is all parsed.
static int socket_read_own(cn_http_basic_stream *s) {
  size_t size = s->phase == PH_HEADERS_DONE ? CN_HTTP_STREAM_READ_SIZE : CN_HTTP_STREAM_HEAD_READ_SIZE;
  if (s->read_buf && s->read_buf->size < size)
    release_read_buf(s);  // the head's buffer, all parsed: a decoded body reads more at once
  if (!s->read_buf)
    s->read_buf = cn_iobuf_new(size);
  s->read_pos = s->read_end = 0;
  return socket_read(s, s->read_buf, size);
}

// Feeds the parser the unparsed part of the stream's own buffer.
static int parse_own(cn_http_basic_stream *s, cn_http_parse_result *r) {
  int ev = cn_http_response_parser_parse(&s->parser, s->read_buf->data + s->read_pos,
                                         s->read_end - s->read_pos, r);
  s->read_pos += r->consumed;
  return ev;
}

// --- sending ---------------------------------------------------------------

static void free_data(void *arg, uint8_t *data) { free(data); }

int cn_http_basic_stream_send_request(cn_http_basic_stream *s, const cn_http_request_info *info,
                                cn_completion_cb cb, void *arg) {
  if (s->error)
    return s->error;
  if (s->phase != PH_NEW || s->op != OP_NONE)
    return CN_ERR_INVALID_ARGUMENT;
  cn_bytebuf head;
  cn_bytebuf_init(&head);
  int rv = cn_http_request_write_head(info, &head);
  if (rv != CN_OK) {
    cn_bytebuf_free(&head);
    return rv;
  }
  size_t head_len = cn_bytebuf_len(&head);

  cn_netlog_begin0(s->netlog, s->source, CN_NETLOG_HTTP_TRANSACTION_SEND_REQUEST);
  if (cn_netlog_wants_params(s->netlog)) {
    char *line, *fields;
    cn_http_head_for_log((const char *)cn_bytebuf_head(&head), head_len, &line, &fields);
    cn_netlog_event(s->netlog, s->source, CN_NETLOG_HTTP_TRANSACTION_SEND_REQUEST_HEADERS,
                    CN_NL_STR("line", line), CN_NL_STR("headers", fields));
    free(line);
    free(fields);
  }

  cn_http_response_parser_options popts = {
      .request_is_head = cn_http_method_is_head(info->method),
      .request_is_connect = cn_http_method_is_connect(info->method),
      .max_header_bytes = s->opts.max_header_bytes,
  };
  cn_http_response_parser_free(&s->parser);
  cn_http_response_parser_init(&s->parser, &popts);
  s->decode = info->accept_encoding;

  s->upload = info->upload;
  if (s->upload) {
    int64_t size = cn_http_upload_size(s->upload);
    s->chunked = size < 0;
    s->body_size = size < 0 ? 0 : (uint64_t)size;
    cn_iobuf *mem;
    size_t off, len;
    if (cn_http_upload_in_memory(s->upload, &mem, &off, &len)) {
      if (head_len + len <= MERGE_LIMIT) {
        cn_bytebuf_append(&head, mem->data + off, len);
        s->body_sent = len;
      } else {
        s->mem_buf = mem;
        s->mem_off = off;
      }
    }
  }
  // The head's bytes become the write buffer without a copy.
  s->write_end = cn_bytebuf_len(&head);
  s->write_buf = cn_iobuf_wrap(head.data, s->write_end, free_data, NULL);
  s->write_off = 0;
  return start_op(s, OP_SEND, ST_SEND_HEADERS, cb, arg);
}

static int do_send_headers(cn_http_basic_stream *s) {
  s->next_state = ST_SEND_HEADERS_COMPLETE;
  return socket_write(s);
}

static int do_send_headers_complete(cn_http_basic_stream *s, int rv) {
  if (rv < 0)
    return rv;
  if (!write_finished(s, rv, ST_SEND_HEADERS))
    return CN_OK;
  if (s->upload && (s->chunked || s->body_sent < s->body_size))
    s->next_state = ST_SEND_BODY;
  return CN_OK;
}

static int do_send_body(cn_http_basic_stream *s) {
  if (s->mem_buf) {
    // In memory: written straight from the upload's buffer.
    s->write_buf = cn_iobuf_ref(s->mem_buf);
    s->write_off = s->mem_off;
    s->write_end = s->mem_off + (size_t)s->body_size;
    s->body_sent = s->body_size;
    s->next_state = ST_SEND_BODY_WRITE;
    return CN_OK;
  }
  if (s->upload_eof) {
    static const char kLastChunk[] = "0\r\n\r\n";
    s->write_buf = cn_iobuf_from_copy(kLastChunk, sizeof(kLastChunk) - 1);
    s->write_off = 0;
    s->write_end = sizeof(kLastChunk) - 1;
    s->last_chunk_sent = true;
    s->next_state = ST_SEND_BODY_WRITE;
    return CN_OK;
  }
  if (!s->upload_buf) {
    s->upload_buf = cn_iobuf_new(UPLOAD_PREFIX + UPLOAD_DATA_SIZE + 2);
    s->upload_view = cn_iobuf_slice(s->upload_buf, UPLOAD_PREFIX, UPLOAD_DATA_SIZE);
  }
  size_t want = UPLOAD_DATA_SIZE;
  if (!s->chunked && s->body_size - s->body_sent < want)
    want = (size_t)(s->body_size - s->body_sent);
  s->next_state = ST_SEND_BODY_READ_COMPLETE;
  int rv = cn_http_upload_read(s->upload, s->upload_view, want, on_io_complete, s);
  if (rv == CN_ERR_IO_PENDING)
    s->upload_read_pending = true;
  else if (rv > (int)want)
    rv = CN_ERR_UNEXPECTED;
  return rv;
}

static int do_send_body_read_complete(cn_http_basic_stream *s, int rv) {
  if (rv < 0)
    return rv;
  if (rv == 0) {
    if (!s->chunked)
      return CN_ERR_UPLOAD_FILE_CHANGED;  // shorter than the Content-Length sent
    s->upload_eof = true;
    s->next_state = ST_SEND_BODY;
    return CN_OK;
  }
  if ((size_t)rv > UPLOAD_DATA_SIZE)
    return CN_ERR_UNEXPECTED;
  size_t n = (size_t)rv;
  uint8_t *data = s->upload_buf->data;
  if (s->chunked) {
    char size_line[UPLOAD_PREFIX];
    int hl = snprintf(size_line, sizeof(size_line), "%zx\r\n", n);
    s->write_off = UPLOAD_PREFIX - (size_t)hl;
    memcpy(data + s->write_off, size_line, (size_t)hl);
    memcpy(data + UPLOAD_PREFIX + n, "\r\n", 2);
    s->write_end = UPLOAD_PREFIX + n + 2;
  } else {
    s->write_off = UPLOAD_PREFIX;
    s->write_end = UPLOAD_PREFIX + n;
  }
  s->write_buf = cn_iobuf_ref(s->upload_buf);
  s->body_sent += n;
  s->next_state = ST_SEND_BODY_WRITE;
  return CN_OK;
}

static int do_send_body_write(cn_http_basic_stream *s) {
  s->next_state = ST_SEND_BODY_WRITE_COMPLETE;
  return socket_write(s);
}

static int do_send_body_write_complete(cn_http_basic_stream *s, int rv) {
  if (rv < 0)
    return rv;
  if (!write_finished(s, rv, ST_SEND_BODY_WRITE))
    return CN_OK;
  if (s->chunked ? !s->last_chunk_sent : s->body_sent < s->body_size)
    s->next_state = ST_SEND_BODY;
  return CN_OK;
}

// --- reading the head --------------------------------------------------------

int cn_http_basic_stream_read_response_headers(cn_http_basic_stream *s, cn_completion_cb cb, void *arg) {
  if (s->error)
    return s->error;
  if (s->phase != PH_SENT || s->op != OP_NONE)
    return CN_ERR_INVALID_ARGUMENT;
  cn_netlog_begin0(s->netlog, s->source, CN_NETLOG_HTTP_TRANSACTION_READ_HEADERS);
  return start_op(s, OP_READ_HEADERS, ST_READ_HEADERS, cb, arg);
}

static int do_read_headers(cn_http_basic_stream *s) {
  s->next_state = ST_READ_HEADERS_COMPLETE;
  return socket_read_own(s);
}

static void log_response_head(cn_http_basic_stream *s) {
  if (!cn_netlog_wants_params(s->netlog))
    return;
  const cn_http_response_head *h = &s->parser.head;
  char *line = cn_xasprintf("HTTP/%d.%d %d%s%s", h->http_version / 10, h->http_version % 10,
                            h->status, h->reason[0] ? " " : "", h->reason);
  char *fields = cn_http_headers_for_log(&h->headers);
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_HTTP_TRANSACTION_READ_RESPONSE_HEADERS,
                  CN_NL_STR("line", line), CN_NL_STR("headers", fields));
  free(line);
  free(fields);
}

// The final head is parsed: prepare for the body.
static void on_headers(cn_http_basic_stream *s) {
  s->phase = PH_HEADERS_DONE;
  log_response_head(s);
  if (cn_http_response_parser_is_done(&s->parser)) {
    // No body. Anything after the head is not HTTP we asked for: kept for
    // cn_http_basic_stream_leftover (101, CONNECT), and the socket not reused.
    s->extra_bytes = s->read_pos < s->read_end;
    s->body_complete = true;
    log_body(s, CN_OK);
  } else if (s->decode) {
    char *encodings = cn_http_headers_get_joined(&s->parser.head.headers, "Content-Encoding");
    s->decoder_error =
        cn_http_content_decoder_create(encodings, &s->opts.decoder, &s->decoder);
    free(encodings);
  }
  if (s->read_pos == s->read_end)
    release_read_buf(s);  // an idle stream holds no big buffer
}

static int do_read_headers_complete(cn_http_basic_stream *s, int rv) {
  if (rv < 0)
    return rv;
  if (rv == 0)
    return cn_http_response_parser_finish(&s->parser);  // an error in the head
  s->read_pos = 0;
  s->read_end = (size_t)rv;
  while (true) {
    cn_http_parse_result r;
    int ev = parse_own(s, &r);
    if (ev < 0)
      return ev;
    if (ev == CN_HTTP_PARSE_HEADERS) {
      on_headers(s);
      return CN_OK;
    }
    if (ev == CN_HTTP_PARSE_NEED_MORE) {
      s->next_state = ST_READ_HEADERS;
      return CN_OK;
    }
    return CN_ERR_UNEXPECTED;  // no body event before the head
  }
}

// --- reading the body --------------------------------------------------------

const cn_http_response_head *cn_http_basic_stream_response_head(const cn_http_basic_stream *s) {
  return s->phase == PH_HEADERS_DONE ? &s->parser.head : NULL;
}

const cn_http_headers *cn_http_basic_stream_trailers(const cn_http_basic_stream *s) {
  return cn_http_response_parser_trailers(&s->parser);
}

int cn_http_basic_stream_read_response_body(cn_http_basic_stream *s, cn_iobuf *buf, size_t len,
                                      cn_completion_cb cb, void *arg) {
  if (s->error)
    return s->error;
  if (s->phase != PH_HEADERS_DONE || s->op != OP_NONE || !buf || len == 0 || len > buf->size)
    return CN_ERR_INVALID_ARGUMENT;
  if (s->body_complete)
    return 0;
  if (s->decoder_error) {
    s->error = s->decoder_error;
    log_body(s, s->error);
    return s->error;
  }
  s->user_buf = cn_iobuf_ref(buf);
  s->user_len = len > INT_MAX ? INT_MAX : len;
  s->produced = 0;
  return start_op(s, OP_READ_BODY, ST_READ_BODY, cb, arg);
}

// Moves pending body bytes (s->span) into the caller's buffer, decoding
// them if needed.
static int deliver_span(cn_http_basic_stream *s) {
  uint8_t *out = s->user_buf->data + s->produced;
  size_t room = s->user_len - s->produced;
  if (!s->decoder) {
    size_t n = s->span_len < room ? s->span_len : room;
    memcpy(out, s->span, n);
    s->span += n;
    s->span_len -= n;
    s->produced += n;
    return CN_OK;
  }
  size_t used;
  int n = cn_http_content_decoder_decode(s->decoder, s->span, s->span_len, &used, out, room);
  if (n < 0)
    return n;
  if (n == 0 && used == 0)
    return CN_ERR_UNEXPECTED;  // room and input, yet no progress
  s->span += used;
  s->span_len -= used;
  s->produced += (size_t)n;
  return CN_OK;
}

// Decoded bytes zlib still holds (it keeps some when the output fills).
static int drain_decoder(cn_http_basic_stream *s) {
  size_t used;
  int n = cn_http_content_decoder_decode(s->decoder, NULL, 0, &used,
                                         s->user_buf->data + s->produced,
                                         s->user_len - s->produced);
  if (n > 0)
    s->produced += (size_t)n;
  return n;
}

static int do_read_body(cn_http_basic_stream *s) {
  while (s->produced < s->user_len) {
    if (s->span_len) {
      int rv = deliver_span(s);
      if (rv < 0)
        return rv;
      continue;
    }
    if (s->read_pos < s->read_end) {
      cn_http_parse_result r;
      int ev = parse_own(s, &r);
      if (ev < 0)
        return ev;
      if (ev == CN_HTTP_PARSE_BODY) {
        s->span = r.body;
        s->span_len = r.body_len;
        s->body_bytes += r.body_len;
      } else if (ev == CN_HTTP_PARSE_DONE && s->read_pos < s->read_end) {
        s->extra_bytes = true;
        s->read_pos = s->read_end;  // not ours; never delivered
      }
      continue;
    }
    if (s->decoder) {
      int n = drain_decoder(s);
      if (n < 0)
        return n;
      if (n > 0)
        continue;
    }
    if (cn_http_response_parser_is_done(&s->parser)) {
      if (s->decoder) {
        int rv = cn_http_content_decoder_finish(s->decoder);
        if (rv < 0)
          return rv;
      }
      s->body_complete = true;
      release_read_buf(s);
      return (int)s->produced;
    }
    if (s->produced > 0)
      return (int)s->produced;  // what we have now beats waiting for more

    // Nothing buffered: read from the socket.
    s->next_state = ST_READ_BODY_COMPLETE;
    if (s->decoder) {
      s->direct_read = false;
      return socket_read_own(s);
    }
    release_read_buf(s);
    s->direct_read = true;
    size_t want = s->user_len;
    if (cn_http_response_parser_body_kind(&s->parser) == CN_HTTP_BODY_CONTENT_LENGTH) {
      uint64_t left = cn_http_response_parser_body_remaining(&s->parser);
      if (left < want)
        want = (size_t)left;
    }
    return socket_read(s, s->user_buf, want);
  }
  return (int)s->produced;
}

// Parses what a socket read put straight into the caller's buffer, moving
// the body bytes to its front (only chunk framing makes them move).
static int parse_in_place(cn_http_basic_stream *s, size_t n) {
  uint8_t *base = s->user_buf->data;
  size_t pos = 0;
  size_t out = 0;
  while (pos < n) {
    cn_http_parse_result r;
    int ev = cn_http_response_parser_parse(&s->parser, base + pos, n - pos, &r);
    pos += r.consumed;
    if (ev < 0)
      return ev;
    if (ev == CN_HTTP_PARSE_BODY) {
      if (r.body != base + out)
        memmove(base + out, r.body, r.body_len);
      out += r.body_len;
      s->body_bytes += r.body_len;
    } else if (ev == CN_HTTP_PARSE_DONE) {
      if (pos < n)
        s->extra_bytes = true;
      break;
    }
  }
  s->produced = out;
  return CN_OK;
}

static int do_read_body_complete(cn_http_basic_stream *s, int rv) {
  if (rv < 0)
    return rv;
  s->next_state = ST_READ_BODY;
  if (rv == 0) {
    int ev = cn_http_response_parser_finish(&s->parser);
    return ev < 0 ? ev : CN_OK;
  }
  if (s->direct_read)
    return parse_in_place(s, (size_t)rv);
  s->read_pos = 0;
  s->read_end = (size_t)rv;
  return CN_OK;
}

// --- the loop and the rest --------------------------------------------------

static int do_loop(cn_http_basic_stream *s, int rv) {
  do {
    int state = s->next_state;
    s->next_state = ST_NONE;
    switch (state) {
      case ST_SEND_HEADERS:
        rv = do_send_headers(s);
        break;
      case ST_SEND_HEADERS_COMPLETE:
        rv = do_send_headers_complete(s, rv);
        break;
      case ST_SEND_BODY:
        rv = do_send_body(s);
        break;
      case ST_SEND_BODY_READ_COMPLETE:
        rv = do_send_body_read_complete(s, rv);
        break;
      case ST_SEND_BODY_WRITE:
        rv = do_send_body_write(s);
        break;
      case ST_SEND_BODY_WRITE_COMPLETE:
        rv = do_send_body_write_complete(s, rv);
        break;
      case ST_READ_HEADERS:
        rv = do_read_headers(s);
        break;
      case ST_READ_HEADERS_COMPLETE:
        rv = do_read_headers_complete(s, rv);
        break;
      case ST_READ_BODY:
        rv = do_read_body(s);
        break;
      case ST_READ_BODY_COMPLETE:
        rv = do_read_body_complete(s, rv);
        break;
      default:
        rv = CN_ERR_UNEXPECTED;
        break;
    }
    // A handler's negative result is either IO_PENDING (wait for the
    // callback) or an error, which ends the operation even if it had queued
    // a next state.
  } while (rv >= 0 && s->next_state != ST_NONE);
  if (rv < 0 && rv != CN_ERR_IO_PENDING)
    s->next_state = ST_NONE;
  return rv;
}

bool cn_http_basic_stream_is_response_body_complete(const cn_http_basic_stream *s) {
  return s->body_complete;
}

// The exchange leaves the connection fit for another request, as far as
// HTTP goes.
static bool exchange_allows_reuse(const cn_http_basic_stream *s) {
  return s->phase == PH_HEADERS_DONE && !s->error && s->op == OP_NONE && s->body_complete &&
         !s->extra_bytes && cn_http_response_parser_is_keep_alive(&s->parser);
}

bool cn_http_basic_stream_can_reuse_connection(const cn_http_basic_stream *s) {
  return exchange_allows_reuse(s) && cn_stream_socket_is_connected(s->socket);
}

uint64_t cn_http_basic_stream_response_bytes_received(const cn_http_basic_stream *s) {
  return cn_http_response_parser_bytes_received(&s->parser);
}

const uint8_t *cn_http_basic_stream_leftover(const cn_http_basic_stream *s, size_t *len) {
  if (s->phase != PH_HEADERS_DONE || !s->read_buf || s->read_pos >= s->read_end ||
      !cn_http_response_parser_is_done(&s->parser)) {
    *len = 0;
    return NULL;
  }
  *len = s->read_end - s->read_pos;
  return s->read_buf->data + s->read_pos;
}

void cn_http_basic_stream_destroy(cn_http_basic_stream *s) {
  if (!s)
    return;
  // Cancel first so that nothing below can trigger a callback into |s|.
  if (s->socket_io_pending)
    cn_stream_socket_disconnect(s->socket);
  if (s->upload_read_pending)
    cn_http_upload_cancel_read(s->upload);
  if (s->op != OP_NONE) {
    s->user_cb = NULL;
    finish_op(s, CN_ERR_ABORTED);
  } else if (s->phase == PH_HEADERS_DONE && !s->body_logged) {
    log_body(s, s->error);
  }
  release_upload(s);
  release_read_buf(s);
  cn_iobuf_unref(s->user_buf);
  cn_http_content_decoder_destroy(s->decoder);
  cn_http_response_parser_free(&s->parser);
  free(s);
}

// --- as a cn_http_stream ---------------------------------------------------

static cn_http_basic_stream *of(cn_http_stream *s) { return (cn_http_basic_stream *)s; }
static const cn_http_basic_stream *cof(const cn_http_stream *s) {
  return (const cn_http_basic_stream *)s;
}

static int op_send_request(cn_http_stream *s, const cn_http_request_info *info,
                           cn_completion_cb cb, void *arg) {
  return cn_http_basic_stream_send_request(of(s), info, cb, arg);
}
static int op_read_response_headers(cn_http_stream *s, cn_completion_cb cb, void *arg) {
  return cn_http_basic_stream_read_response_headers(of(s), cb, arg);
}
static const cn_http_response_head *op_response_head(const cn_http_stream *s) {
  return cn_http_basic_stream_response_head(cof(s));
}
// The parser decided the body's framing at the head's end and needs only
// the status afterwards (the READ_HEADERS log line): the rest moves.
static void op_take_response_head(cn_http_stream *s, cn_http_response_head *out) {
  cn_http_response_head *head = &of(s)->parser.head;
  *out = *head;
  head->reason = NULL;
  cn_http_headers_init(&head->headers);
}
static int op_read_response_body(cn_http_stream *s, cn_iobuf *buf, size_t len,
                                 cn_completion_cb cb, void *arg) {
  return cn_http_basic_stream_read_response_body(of(s), buf, len, cb, arg);
}
static bool op_is_response_body_complete(const cn_http_stream *s) {
  return cn_http_basic_stream_is_response_body_complete(cof(s));
}
// The transaction gives a reusable connection back to its pool, which
// checks the socket itself (connected, nothing unread) right then: asking
// the socket here too would cost a second recv(MSG_PEEK) per request.
static bool op_can_reuse_connection(const cn_http_stream *s) {
  return exchange_allows_reuse(cof(s));
}

// A reused connection the server closed while it sat idle fails before any
// response byte with one of these (behaviour 2); a fresh one is never
// resent.
static bool op_may_resend(const cn_http_stream *s, int rv, bool reused) {
  if (!reused || cn_http_basic_stream_response_bytes_received(cof(s)) > 0)
    return false;
  switch (rv) {
    case CN_ERR_CONNECTION_RESET:
    case CN_ERR_CONNECTION_CLOSED:
    case CN_ERR_CONNECTION_ABORTED:
    case CN_ERR_SOCKET_NOT_CONNECTED:
    case CN_ERR_EMPTY_RESPONSE:
      return true;
    default:
      return false;
  }
}
static bool op_worth_draining(const cn_http_stream *s) { return true; }
static const cn_stream_socket *op_connection(const cn_http_stream *s) { return cof(s)->socket; }
static void op_destroy(cn_http_stream *s) { cn_http_basic_stream_destroy(of(s)); }

static void op_send_progress(const cn_http_stream *base, bool *waiting_for_slot,
                             uint64_t *body_sent) {
  const cn_http_basic_stream *s = (const cn_http_basic_stream *)base;
  *waiting_for_slot = false;
  *body_sent = s->body_sent;
}

static const cn_http_stream_ops kOps = {
    .name = "http/1.1",
    .send_request = op_send_request,
    .read_response_headers = op_read_response_headers,
    .response_head = op_response_head,
    .take_response_head = op_take_response_head,
    .read_response_body = op_read_response_body,
    .is_response_body_complete = op_is_response_body_complete,
    .can_reuse_connection = op_can_reuse_connection,
    .may_resend = op_may_resend,
    .worth_draining = op_worth_draining,
    .connection = op_connection,
    .destroy = op_destroy,
    .send_progress = op_send_progress,
};

cn_http_stream *cn_http_basic_stream_as_stream(cn_http_basic_stream *s) { return &s->base; }
