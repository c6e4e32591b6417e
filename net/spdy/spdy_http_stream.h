// One HTTP request/response over a stream of a SPDY/3.1 or HTTP/2 session:
// what http_transaction needs from cn_http_basic_stream, for a multiplexed
// connection (a session to an origin, or to a proxy for http:// URLs: F4).
//
// Sequence (as cn_http_basic_stream): send_request, read_response_headers,
// read_response_body until 0, destroy. Differences from HTTP/1.1:
//   - the connection is never "reused" by the caller: the session stays in
//     its pool whatever happens to this stream (can_reuse_connection is
//     false by design);
//   - the request header list is the protocol's (spdy_headers.h): to a
//     proxy (|info->use_absolute_form|) SPDY/3.1 sends the absolute URL in
//     :path, HTTP/2 sends the origin's :scheme and :authority with an
//     origin-form :path, which is what an HTTP/2 forward proxy expects;
//   - the response head is built from the header list: :status (SPDY's
//     "200 OK" gives the reason too), the other fields as they came
//     (SPDY/3.1's NUL-joined values split into fields), HTTP/1.1;
//   - no content coding is offered (|info->accept_encoding| is ignored), so
//     bodies arrive as sent.
// Errors are the stream's (spdy_stream.h). CN_ERR_HTTP2_GOING_AWAY and
// CN_ERR_HTTP2_SERVER_REFUSED_STREAM mean the peer never processed the
// request: the caller may send it again on a new session.
//
// Async convention: a result now, or CN_ERR_IO_PENDING and the callback
// once later, never from inside the call. One operation at a time.
//
// Ownership: the caller owns the stream and destroys it (the SPDY stream is
// reset with CANCEL if unfinished; no callback after). |session| is
// borrowed only during send_request (the SPDY stream then keeps the
// session's memory alive). The upload (|info->upload|) is borrowed until
// send_request completes.
#ifndef CNET_NET_SPDY_SPDY_HTTP_STREAM_H_
#define CNET_NET_SPDY_SPDY_HTTP_STREAM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/iobuf.h"
#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/base/request_priority.h"
#include "net/http/http_request_info.h"
#include "net/http/http_response_parser.h"
#include "net/spdy/spdy_session.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_spdy_http_stream cn_spdy_http_stream;

// A request on |session| at |priority|; the request's |source| is
// referenced from the SPDY stream's events (which go to the session's
// NetLog).
cn_spdy_http_stream *cn_spdy_http_stream_new(cn_spdy_session *session,
                                             cn_request_priority priority,
                                             cn_netlog_source source);

// Creates the SPDY stream (it may wait for a concurrency slot), sends the
// request headers and the upload. Returns CN_OK, CN_ERR_IO_PENDING, or an
// error (the session's: CN_ERR_HTTP2_GOING_AWAY when it takes no new
// streams; CN_ERR_INVALID_ARGUMENT for an unusable request).
int cn_spdy_http_stream_send_request(cn_spdy_http_stream *s, const cn_http_request_info *info,
                                     cn_completion_cb cb, void *arg);

// Waits for the final response headers. CN_OK, CN_ERR_IO_PENDING or an
// error (CN_ERR_INVALID_RESPONSE for a response without a valid :status or
// with fields HTTP/1.1 could not carry).
int cn_spdy_http_stream_read_response_headers(cn_spdy_http_stream *s, cn_completion_cb cb,
                                              void *arg);
// NULL until read_response_headers succeeded. Owned by the stream.
const cn_http_response_head *cn_spdy_http_stream_response_head(const cn_spdy_http_stream *s);

// Reads up to |len| body bytes: > 0, 0 at the end, an error, or
// CN_ERR_IO_PENDING (|buf| is held meanwhile).
int cn_spdy_http_stream_read_response_body(cn_spdy_http_stream *s, cn_iobuf *buf, size_t len,
                                           cn_completion_cb cb, void *arg);
bool cn_spdy_http_stream_is_response_body_complete(const cn_spdy_http_stream *s);
// Always false: the session, not this stream, is what gets reused.
bool cn_spdy_http_stream_can_reuse_connection(const cn_spdy_http_stream *s);
// True once the response's headers arrived (a failure before that may be
// retried on another session when the error says the peer never saw it).
bool cn_spdy_http_stream_response_started(const cn_spdy_http_stream *s);
// The SPDY stream (NULL before send_request), for logs and tests.
struct cn_spdy_stream *cn_spdy_http_stream_spdy_stream(const cn_spdy_http_stream *s);

// Accepts NULL. See "Ownership".
void cn_spdy_http_stream_destroy(cn_spdy_http_stream *s);

// The stream as a cn_http_stream (net/http/http_stream.h: what the
// transaction drives); destroying that destroys |s|.
struct cn_http_stream *cn_spdy_http_stream_as_stream(cn_spdy_http_stream *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_HTTP_STREAM_H_
