// An HTTP exchange as the transaction sees it: one request and its response
// over whatever carries them — an HTTP/1.1 connection
// (http_basic_stream.h) or a stream of a SPDY/3.1 or HTTP/2 session
// (net/spdy/spdy_http_stream.h), later HTTP/3. The transaction chooses the
// kind once, when it makes the stream, and from then on drives it only
// through these ops (Chromium's HttpStream).
//
// Every op follows cnet's async convention (a result now, or
// CN_ERR_IO_PENDING and the callback exactly once, later). One operation at
// a time.
//
// Ownership: the creator owns the stream and ends it with
// cn_http_stream_destroy (no callback runs afterwards). What a stream
// borrows (a socket, a session) is the implementation's to say.
#ifndef CNET_NET_HTTP_HTTP_STREAM_H_
#define CNET_NET_HTTP_HTTP_STREAM_H_

#include <stdbool.h>
#include <stddef.h>

#include "base/iobuf.h"
#include "net/base/net_errors.h"
#include "net/http/http_request_info.h"
#include "net/http/http_response_parser.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_http_stream cn_http_stream;

typedef struct cn_http_stream_ops {
  const char *name;  // "http/1.1", "spdy"
  // Sends the request head and its body (an upload, if any). |info| and
  // its fields are read during the call only (the head is built, or its
  // fields copied, before it returns), except |info->upload|, which is the
  // caller's and must outlive the stream.
  int (*send_request)(cn_http_stream *s, const cn_http_request_info *info, cn_completion_cb cb,
                      void *arg);
  // Waits for the final response head.
  int (*read_response_headers)(cn_http_stream *s, cn_completion_cb cb, void *arg);
  // The head once read_response_headers succeeded (owned by the stream).
  const cn_http_response_head *(*response_head)(const cn_http_stream *s);
  // Moves that head into |out| (initialised by nothing: overwritten), so an
  // open stream's head is held once, by its owner; the caller frees
  // out->reason and out->headers. The stream keeps its status and version
  // only: response_head must not be called afterwards.
  void (*take_response_head)(cn_http_stream *s, cn_http_response_head *out);
  // > 0 bytes, 0 at the end of the body, an error, or CN_ERR_IO_PENDING.
  int (*read_response_body)(cn_http_stream *s, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                            void *arg);
  bool (*is_response_body_complete)(const cn_http_stream *s);
  // After the body: the exchange leaves the connection under the stream fit
  // for another request (HTTP/1.1 keep-alive); whether the socket is still
  // up is for the pool to check when it takes it back. A session's stream
  // says false: there is no connection to give back, the session stays in
  // its pool.
  bool (*can_reuse_connection)(const cn_http_stream *s);
  // A failure |rv| before any of the response: may the request be sent again
  // on another connection or session? |reused|: what carried it was found
  // idle (or live) rather than made for it. The rules differ by kind: a
  // reused HTTP/1.1 connection closed by the server while idle; a stream
  // the peer never processed (GOAWAY above it, refused, HTTP_1_1_REQUIRED,
  // an unanswered PING), or a reused session that died.
  bool (*may_resend)(const cn_http_stream *s, int rv, bool reused);
  // The rest of an unread body may be read after the owner went, to keep
  // the connection (HTTP/1.1); a session's stream is reset at no cost.
  bool (*worth_draining)(const cn_http_stream *s);
  // The socket the exchange runs on: the connection, or the session's.
  // For describing a request's layers; may be NULL.
  const cn_stream_socket *(*connection)(const cn_http_stream *s);
  void (*destroy)(cn_http_stream *s);
  // Optional (NULL: never waits, counts nothing): how far send_request got,
  // for the transaction's timeouts — whether the stream still waits for a
  // slot on its session (the peer's MAX_CONCURRENT_STREAMS), and how many
  // request body bytes went out so far (no progress for a while is a stall:
  // a zero flow-control window, a peer that reads nothing).
  void (*send_progress)(const cn_http_stream *s, bool *waiting_for_slot, uint64_t *body_sent);
} cn_http_stream_ops;

// Embedded first in every implementation.
struct cn_http_stream {
  const cn_http_stream_ops *ops;
};

static inline int cn_http_stream_send_request(cn_http_stream *s, const cn_http_request_info *info,
                                              cn_completion_cb cb, void *arg) {
  return s->ops->send_request(s, info, cb, arg);
}
static inline int cn_http_stream_read_response_headers(cn_http_stream *s, cn_completion_cb cb,
                                                       void *arg) {
  return s->ops->read_response_headers(s, cb, arg);
}
static inline const cn_http_response_head *cn_http_stream_response_head(const cn_http_stream *s) {
  return s->ops->response_head(s);
}
static inline void cn_http_stream_take_response_head(cn_http_stream *s,
                                                     cn_http_response_head *out) {
  s->ops->take_response_head(s, out);
}
static inline int cn_http_stream_read_response_body(cn_http_stream *s, cn_iobuf *buf, size_t len,
                                                    cn_completion_cb cb, void *arg) {
  return s->ops->read_response_body(s, buf, len, cb, arg);
}
static inline bool cn_http_stream_is_response_body_complete(const cn_http_stream *s) {
  return s->ops->is_response_body_complete(s);
}
static inline bool cn_http_stream_can_reuse_connection(const cn_http_stream *s) {
  return s->ops->can_reuse_connection(s);
}
static inline bool cn_http_stream_may_resend(const cn_http_stream *s, int rv, bool reused) {
  return s->ops->may_resend(s, rv, reused);
}
static inline bool cn_http_stream_worth_draining(const cn_http_stream *s) {
  return s->ops->worth_draining(s);
}
static inline const cn_stream_socket *cn_http_stream_connection(const cn_http_stream *s) {
  return s->ops->connection(s);
}
static inline void cn_http_stream_send_progress(const cn_http_stream *s, bool *waiting_for_slot,
                                               uint64_t *body_sent) {
  *waiting_for_slot = false;
  *body_sent = 0;
  if (s && s->ops->send_progress)
    s->ops->send_progress(s, waiting_for_slot, body_sent);
}
// Accepts NULL.
static inline void cn_http_stream_destroy(cn_http_stream *s) {
  if (s)
    s->ops->destroy(s);
}

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_STREAM_H_
