// An HTTP request over a SPDY/3.1 or HTTP/2 stream (see spdy_http_stream.h).
#include "net/spdy/spdy_http_stream.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "net/http/http_stream.h"
#include "net/http/http_upload.h"
#include "net/spdy/spdy_headers.h"
#include "net/spdy/spdy_stream.h"

// Upload chunks: one DATA frame's worth at a time keeps memory small while
// the session frames and flow-controls them.
#define UPLOAD_CHUNK (16 * 1024)

// The cn_http_stream ops (at the end of the file).
static const cn_http_stream_ops kOps;

// What only a request with a body needs, made when it has one.
typedef struct upload_state {
  cn_http_upload *upload;  // borrowed until send_request completes
  int64_t size;            // -1: unknown
  uint64_t sent;
  cn_iobuf *buf;
} upload_state;

// With 10,000 streams open on one session every byte here is 10 KB (issue
// #13: at most 2 KiB per open stream, all layers together): what is needed
// only for a while shares memory with what is needed only later, the
// upload's state is allocated only for a body, and the SPDY stream keeps
// what it already has (the session, the read's buffer).
struct cn_spdy_http_stream {
  cn_http_stream base;  // first: the cn_http_stream ops cast back
  union {
    cn_spdy_session *session;  // before send_request made the SPDY stream
    cn_spdy_stream *stream;    // |has_stream|: from then on (it holds the session)
  } on;
  cn_netlog_source source;
  cn_request_priority priority;
  bool has_stream : 1;
  bool request_fin : 1;    // no body follows the headers
  bool awaiting_slot : 1;  // cn_spdy_stream_create is pending (no slot yet)
  bool upload_read_pending : 1;
  bool head_made : 1;  // |msg.head| is the live member (build_head ran)
  bool head_done : 1;
  bool body_complete : 1;
  bool head_request : 1;  // a HEAD: no body whatever content-length says
  // The response's content-length is checked: a DATA byte count that does
  // not match it is malformed (RFC 9113 8.1.1), ERR_HTTP2_PROTOCOL_ERROR.
  bool body_length_checked : 1;
  upload_state *upload;  // NULL: no body

  cn_completion_cb cb;  // the caller's pending operation
  void *arg;

  union {
    // Built in send_request, moved into the SPDY stream once a slot is
    // ours (empty from then on: the response comes later).
    cn_spdy_header_list request;
    cn_http_response_head head;  // |head_made|
  } msg;
  // With |body_length_checked|: the content-length's bytes not read yet
  // (negative once more arrived).
  int64_t body_left;
};

// The stream's SPDY stream, or NULL before send_request made it.
static cn_spdy_stream *spdy_stream(const cn_spdy_http_stream *s) {
  return s->has_stream ? s->on.stream : NULL;
}

cn_spdy_http_stream *cn_spdy_http_stream_new(cn_spdy_session *session,
                                             cn_request_priority priority,
                                             cn_netlog_source source) {
  cn_spdy_http_stream *s = cn_xcalloc(1, sizeof(*s));
  s->base.ops = &kOps;
  s->on.session = session;
  s->priority = priority;
  s->source = source;
  cn_spdy_header_list_init(&s->msg.request);
  return s;
}

static void finish(cn_spdy_http_stream *s, int rv) {
  cn_completion_cb cb = s->cb;
  s->cb = NULL;
  if (cb)
    cb(s->arg, rv);
}

static int send_upload(cn_spdy_http_stream *s);

static void on_upload_written(void *arg, int rv) {
  cn_spdy_http_stream *s = arg;
  if (rv < 0)
    return finish(s, rv);
  if (s->request_fin)
    return finish(s, CN_OK);
  rv = send_upload(s);
  if (rv != CN_ERR_IO_PENDING)
    finish(s, rv);
}

// Writes one chunk of upload bytes read (|n| >= 0; 0 = the body ended).
static int write_chunk(cn_spdy_http_stream *s, int n) {
  if (n < 0)
    return n;
  upload_state *u = s->upload;
  u->sent += (uint64_t)n;
  bool fin = n == 0 || (u->size >= 0 && u->sent >= (uint64_t)u->size);
  if (n == 0 && u->size >= 0 && u->sent < (uint64_t)u->size)
    return CN_ERR_UPLOAD_FILE_CHANGED;
  s->request_fin = fin;
  return cn_spdy_stream_write(s->on.stream, u->buf, (size_t)n, fin, on_upload_written, s);
}

static void on_upload_read(void *arg, int rv) {
  cn_spdy_http_stream *s = arg;
  s->upload_read_pending = false;
  rv = write_chunk(s, rv);
  if (rv != CN_ERR_IO_PENDING)
    finish(s, rv < 0 ? rv : CN_ERR_UNEXPECTED);
}

// Reads the next upload chunk and writes it; always ends in a pending write
// (the session frames DATA from the loop) or an error.
static int send_upload(cn_spdy_http_stream *s) {
  upload_state *u = s->upload;
  if (!u->buf)
    u->buf = cn_iobuf_new(UPLOAD_CHUNK);
  size_t want = UPLOAD_CHUNK;
  if (u->size >= 0 && (uint64_t)u->size - u->sent < want)
    want = (size_t)((uint64_t)u->size - u->sent);
  int n = 0;
  if (want > 0) {
    n = cn_http_upload_read(u->upload, u->buf, want, on_upload_read, s);
    if (n == CN_ERR_IO_PENDING) {
      s->upload_read_pending = true;
      return n;
    }
  }
  int rv = write_chunk(s, n);
  return rv == CN_ERR_IO_PENDING || rv < 0 ? rv : CN_ERR_UNEXPECTED;
}

// The slot is ours: headers, then the body.
static int send_headers(cn_spdy_http_stream *s) {
  // The list moves into the stream (no copy of the fields).
  int rv = cn_spdy_stream_send_header_list(s->on.stream, &s->msg.request, s->request_fin);
  cn_spdy_header_list_free(&s->msg.request);
  if (rv < 0 || s->request_fin)
    return rv;
  return send_upload(s);
}

static void on_created(void *arg, int rv) {
  cn_spdy_http_stream *s = arg;
  s->awaiting_slot = false;
  if (rv >= 0)
    rv = send_headers(s);
  if (rv != CN_ERR_IO_PENDING)
    finish(s, rv);
}

int cn_spdy_http_stream_send_request(cn_spdy_http_stream *s, const cn_http_request_info *info,
                                     cn_completion_cb cb, void *arg) {
  if (s->has_stream || !s->on.session || !info || !info->method || !info->url)
    return CN_ERR_INVALID_ARGUMENT;
  cn_spdy_session *session = s->on.session;
  cn_next_proto proto = cn_spdy_session_protocol(session);
  // The caller's fields as a header array (build_request_headers drops the
  // ones neither protocol may carry, and lower-cases names).
  size_t nextra = info->extra_headers ? cn_http_headers_count(info->extra_headers) : 0;
  cn_spdy_header stack_extra[16];
  cn_spdy_header *extra =
      nextra + 2 <= 16 ? stack_extra : cn_xcalloc(nextra + 2, sizeof(*extra));
  size_t n = 0;
  bool has_ua = false;
  for (size_t i = 0; i < nextra; i++) {
    const cn_http_header *h = cn_http_headers_at(info->extra_headers, i);
    if (strcasecmp(h->name, "user-agent") == 0)
      has_ua = true;
    extra[n++] = (cn_spdy_header){h->name, h->name_len, h->value, h->value_len};
  }
  if (info->user_agent && !has_ua)
    extra[n++] = (cn_spdy_header){"user-agent", 10, info->user_agent, strlen(info->user_agent)};
  int64_t upload_size = info->upload ? cn_http_upload_size(info->upload) : 0;
  char len_text[32];
  if (info->upload && upload_size >= 0) {
    int k = snprintf(len_text, sizeof(len_text), "%" PRId64, upload_size);
    extra[n++] = (cn_spdy_header){"content-length", 14, len_text, (size_t)k};
  }
  int rv = cn_spdy_build_request_headers(proto, info->method, info->url,
                                         info->use_absolute_form, extra, n, &s->msg.request);
  if (extra != stack_extra)
    free(extra);
  if (rv < 0)
    return rv;
  s->request_fin = !info->upload || upload_size == 0;
  if (!s->request_fin) {
    s->upload = CN_NEW(upload_state);
    s->upload->upload = info->upload;
    s->upload->size = upload_size;
  }
  s->head_request = strcmp(info->method, "HEAD") == 0;

  cn_spdy_stream *stream;
  rv = cn_spdy_stream_create(session, s->priority, s->source, on_created, s, &stream);
  // The stream holds the session from now on.
  s->on.stream = stream;
  s->has_stream = stream != NULL;
  if (rv == CN_ERR_IO_PENDING) {
    s->awaiting_slot = true;
    s->cb = cb;
    s->arg = arg;
    return rv;
  }
  if (rv < 0)
    return rv;
  rv = send_headers(s);
  if (rv == CN_ERR_IO_PENDING) {
    s->cb = cb;
    s->arg = arg;
  }
  return rv;
}

// Builds the HTTP/1.1-shaped head from the response's header list.
static int build_head(cn_spdy_http_stream *s) {
  size_t num;
  const cn_spdy_header *h = cn_spdy_stream_headers(s->on.stream, &num);
  int status = cn_spdy_headers_status(h, num);
  if (status < 100 || status > 599)
    return CN_ERR_INVALID_RESPONSE;
  size_t slen = 0;
  const char *st = cn_spdy_headers_find(h, num, ":status", &slen);
  // SPDY/3.1's ":status 200 OK" carries the reason after the code.
  const char *reason = "";
  size_t rlen = 0;
  if (st && slen > 4 && st[3] == ' ') {
    reason = st + 4;
    rlen = slen - 4;
  }
  cn_http_response_head *head = &s->msg.head;
  if (!s->head_made) {
    // The request moved into the SPDY stream when it was sent: its (empty)
    // list gives way to the head.
    cn_spdy_header_list_free(&s->msg.request);
    memset(head, 0, sizeof(*head));
    cn_http_headers_init(&head->headers);
    s->head_made = true;
  }
  head->http_version = CN_HTTP_VERSION_1_1;
  head->status = status;
  free(head->reason);
  head->reason = cn_xstrndup(reason, rlen);
  // The head's fields in allocations of their exact size (SPDY/3.1 joins a
  // repeated field's values with NUL: each part is a field of its own).
  size_t fields = 0, bytes = 0;
  for (size_t i = 0; i < num; i++) {
    if (h[i].name_len > 0 && h[i].name[0] == ':')
      continue;
    size_t parts = 1;
    const char *v = h[i].value, *end = h[i].value + h[i].value_len;
    while ((v = memchr(v, '\0', (size_t)(end - v))) != NULL) {
      parts++;
      v++;
    }
    fields += parts;
    bytes += parts * (h[i].name_len + 2) + h[i].value_len;
  }
  cn_http_headers_reserve(&head->headers, fields, bytes);
  for (size_t i = 0; i < num; i++) {
    if (h[i].name_len > 0 && h[i].name[0] == ':')
      continue;
    // SPDY/3.1 joins repeated fields' values with NUL.
    const char *v = h[i].value;
    size_t left = h[i].value_len;
    for (;;) {
      const char *nul = memchr(v, '\0', left);
      size_t part = nul ? (size_t)(nul - v) : left;
      if (cn_http_headers_add_n(&head->headers, h[i].name, h[i].name_len, v, part) != CN_OK)
        return CN_ERR_INVALID_RESPONSE;
      if (!nul)
        break;
      left -= part + 1;
      v = nul + 1;
    }
  }
  // The head has its own copy: the open stream keeps none.
  cn_spdy_stream_drop_headers(s->on.stream);
  s->head_done = true;
  s->body_length_checked = false;
  const char *cl = cn_http_headers_get(&head->headers, "content-length");
  if (cl && !s->head_request && status >= 200 && status != 204 && status != 304) {
    char *end;
    errno = 0;
    long long v = strtoll(cl, &end, 10);
    if (!*cl || *end || v < 0 || errno)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;  // not a length (RFC 9110 8.6)
    s->body_length_checked = true;
    s->body_left = v;
  }
  if (cn_spdy_stream_remote_fin(s->on.stream) &&
      cn_spdy_stream_buffered_bytes(s->on.stream) == 0) {
    s->body_complete = true;
    if (s->body_length_checked && s->body_left > 0)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;  // a length announced, no body sent
  }
  return CN_OK;
}

// Checks a body read's result against the announced length: more bytes, or
// the end before all of them, is a malformed response.
static int check_body_length(cn_spdy_http_stream *s, int rv) {
  if (rv < 0 || !s->body_length_checked)
    return rv;
  s->body_left -= rv;
  if (s->body_left < 0 || (rv == 0 && s->body_left != 0))
    return CN_ERR_HTTP2_PROTOCOL_ERROR;
  return rv;
}

static void on_headers(void *arg, int rv) {
  cn_spdy_http_stream *s = arg;
  if (rv >= 0)
    rv = build_head(s);
  finish(s, rv);
}

int cn_spdy_http_stream_read_response_headers(cn_spdy_http_stream *s, cn_completion_cb cb,
                                              void *arg) {
  if (!s->has_stream || s->cb)
    return CN_ERR_INVALID_ARGUMENT;
  int rv = cn_spdy_stream_read_headers(s->on.stream, on_headers, s);
  if (rv == CN_ERR_IO_PENDING) {
    s->cb = cb;
    s->arg = arg;
    return rv;
  }
  return rv < 0 ? rv : build_head(s);
}

const cn_http_response_head *cn_spdy_http_stream_response_head(const cn_spdy_http_stream *s) {
  return s->head_done ? &s->msg.head : NULL;
}

// (The SPDY stream holds the read's buffer until it completes.)
static void on_body(void *arg, int rv) {
  cn_spdy_http_stream *s = arg;
  rv = check_body_length(s, rv);
  if (rv == 0)
    s->body_complete = true;
  finish(s, rv);
}

int cn_spdy_http_stream_read_response_body(cn_spdy_http_stream *s, cn_iobuf *buf, size_t len,
                                           cn_completion_cb cb, void *arg) {
  if (!s->head_done || s->cb || len == 0)
    return CN_ERR_INVALID_ARGUMENT;
  if (s->body_complete)
    return 0;
  int rv = cn_spdy_stream_read(s->on.stream, buf, len, on_body, s);
  if (rv == CN_ERR_IO_PENDING) {
    s->cb = cb;
    s->arg = arg;
    return rv;
  }
  rv = check_body_length(s, rv);
  if (rv == 0)
    s->body_complete = true;
  return rv;
}

bool cn_spdy_http_stream_is_response_body_complete(const cn_spdy_http_stream *s) {
  return s->body_complete;
}

bool cn_spdy_http_stream_can_reuse_connection(const cn_spdy_http_stream *s) {
  (void)s;
  return false;
}

bool cn_spdy_http_stream_response_started(const cn_spdy_http_stream *s) { return s->head_done; }

cn_spdy_stream *cn_spdy_http_stream_spdy_stream(const cn_spdy_http_stream *s) {
  return spdy_stream(s);
}

void cn_spdy_http_stream_destroy(cn_spdy_http_stream *s) {
  if (!s)
    return;
  if (s->upload_read_pending)
    cn_http_upload_cancel_read(s->upload->upload);
  // Resets an unfinished stream with CANCEL; no callback afterwards.
  cn_spdy_stream_destroy(spdy_stream(s));
  if (s->upload) {
    cn_iobuf_unref(s->upload->buf);
    free(s->upload);
  }
  if (s->head_made) {
    free(s->msg.head.reason);
    cn_http_headers_free(&s->msg.head.headers);
  } else {
    cn_spdy_header_list_free(&s->msg.request);
  }
  free(s);
}

// --- as a cn_http_stream ---------------------------------------------------

static cn_spdy_http_stream *of(cn_http_stream *s) { return (cn_spdy_http_stream *)s; }
static const cn_spdy_http_stream *cof(const cn_http_stream *s) {
  return (const cn_spdy_http_stream *)s;
}

static int op_send_request(cn_http_stream *s, const cn_http_request_info *info,
                           cn_completion_cb cb, void *arg) {
  return cn_spdy_http_stream_send_request(of(s), info, cb, arg);
}
static int op_read_response_headers(cn_http_stream *s, cn_completion_cb cb, void *arg) {
  return cn_spdy_http_stream_read_response_headers(of(s), cb, arg);
}
static const cn_http_response_head *op_response_head(const cn_http_stream *s) {
  return cn_spdy_http_stream_response_head(cof(s));
}
// The body's length check was taken from the head when it was built: the
// head moves whole.
static void op_take_response_head(cn_http_stream *s, cn_http_response_head *out) {
  cn_http_response_head *head = &of(s)->msg.head;
  *out = *head;
  head->reason = NULL;
  cn_http_headers_init(&head->headers);
}
static int op_read_response_body(cn_http_stream *s, cn_iobuf *buf, size_t len,
                                 cn_completion_cb cb, void *arg) {
  return cn_spdy_http_stream_read_response_body(of(s), buf, len, cb, arg);
}
static bool op_is_response_body_complete(const cn_http_stream *s) {
  return cn_spdy_http_stream_is_response_body_complete(cof(s));
}
static bool op_can_reuse_connection(const cn_http_stream *s) {
  return cn_spdy_http_stream_can_reuse_connection(cof(s));
}

// The peer never processed the stream (GOAWAY above it, refused, asked for
// HTTP/1.1, or the session's PING went unanswered): a new session may take
// it (behaviour 6). A session that sat in the pool may have died just as we
// used it (behaviour 2 for sessions); a new one made for us may not.
static bool op_may_resend(const cn_http_stream *s, int rv, bool reused) {
  if (cn_spdy_http_stream_response_started(cof(s)))
    return false;
  switch (rv) {
    case CN_ERR_HTTP2_GOING_AWAY:
    case CN_ERR_HTTP2_SERVER_REFUSED_STREAM:
    case CN_ERR_HTTP2_PING_FAILED:
    case CN_ERR_HTTP_1_1_REQUIRED:
      return true;
    case CN_ERR_CONNECTION_RESET:
    case CN_ERR_CONNECTION_CLOSED:
    case CN_ERR_CONNECTION_ABORTED:
      return reused;
    default:
      return false;
  }
}
static bool op_worth_draining(const cn_http_stream *s) { return false; }
static const cn_stream_socket *op_connection(const cn_http_stream *s) {
  const cn_spdy_http_stream *hs = cof(s);
  cn_spdy_session *session = hs->has_stream ? cn_spdy_stream_session(hs->on.stream) : hs->on.session;
  return session ? cn_spdy_session_socket(session) : NULL;
}
static void op_destroy(cn_http_stream *s) { cn_spdy_http_stream_destroy(of(s)); }

static void op_send_progress(const cn_http_stream *base, bool *waiting_for_slot,
                             uint64_t *body_sent) {
  const cn_spdy_http_stream *s = (const cn_spdy_http_stream *)base;
  *waiting_for_slot = s->awaiting_slot;
  *body_sent = s->upload ? s->upload->sent : 0;
}

static const cn_http_stream_ops kOps = {
    .name = "spdy",
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

cn_http_stream *cn_spdy_http_stream_as_stream(cn_spdy_http_stream *s) { return &s->base; }
