// One HTTP/1.1 request/response exchange over a connected stream socket
// (TCP, TLS, a tunnel — any cn_stream_socket).
//
// Sequence: cn_http_basic_stream_send_request, then
// cn_http_basic_stream_read_response_headers, then cn_http_basic_stream_read_response_body
// until it returns 0 (or an error), then ask
// cn_http_basic_stream_can_reuse_connection whether the socket may carry another
// request (a new stream). One operation at a time; each follows the cnet
// async convention: a result now, or CN_ERR_IO_PENDING and later the
// callback exactly once (never from inside the call).
//
// Data path: the head is read in 64 KiB socket reads and parsed in place.
// Body bytes that arrived with the head are copied once into the caller's
// buffer; after that, unless the body is being decoded, the socket reads
// straight into the caller's buffer (at most the remaining Content-Length,
// so the socket is never read past the response) and chunk framing is
// removed in place. A decoded body is read in 64 KiB chunks and inflated
// into the caller's buffer.
//
// Decoding: when the request set |accept_encoding|, the response's
// Content-Encoding (gzip, deflate, and combinations) is undone; an unknown
// coding makes the first body read fail with CN_ERR_CONTENT_DECODING_FAILED
// (the head stays readable). Errors of the response itself are those of
// http_response_parser.h.
//
// Ownership: the caller owns the stream and destroys it. The socket is
// borrowed: the caller keeps it alive while the stream exists and decides
// what happens to it after (pool it if can_reuse_connection, else destroy).
// Destroying the stream with an operation pending runs no callback and
// disconnects the socket (a half-done exchange leaves it unusable).
#ifndef CNET_NET_HTTP_HTTP_BASIC_STREAM_H_
#define CNET_NET_HTTP_HTTP_BASIC_STREAM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/iobuf.h"
#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/http/http_content_decoder.h"
#include "net/http/http_request_info.h"
#include "net/http/http_response_parser.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

// Size of the stream's socket reads for decoded bodies.
#define CN_HTTP_STREAM_READ_SIZE (64 * 1024)
// Size of its reads for the head (a longer head takes several): most heads
// and small bodies fit, and an exchange of small messages does not take a
// 64 KiB block from malloc per request (see CN_SSL_SMALL_CHUNK).
#define CN_HTTP_STREAM_HEAD_READ_SIZE (4 * 1024)

typedef struct cn_http_basic_stream cn_http_basic_stream;

typedef struct cn_http_basic_stream_options {
  size_t max_header_bytes;                  // 0: CN_HTTP_DEFAULT_MAX_HEADER_BYTES
  cn_http_content_decoder_options decoder;  // decompression-bomb limits (0: none)
} cn_http_basic_stream_options;

// A stream over |socket| (connected; borrowed). Events are logged to
// |netlog| (may be NULL) on |source|, the owning request's source. |opts|
// may be NULL.
cn_http_basic_stream *cn_http_basic_stream_new(cn_stream_socket *socket, cn_netlog *netlog,
                                   cn_netlog_source source, const cn_http_basic_stream_options *opts);

// Sends the request head and body. The head is built at once (|info| need
// not outlive the call) but the upload is read as the socket takes bytes:
// it must stay alive until this completes. Returns CN_OK, CN_ERR_IO_PENDING,
// CN_ERR_INVALID_ARGUMENT (see cn_http_request_write_head; also a second
// request on one stream), CN_ERR_UPLOAD_FILE_CHANGED (the upload ended
// before its size), an upload error, or a socket error.
int cn_http_basic_stream_send_request(cn_http_basic_stream *s, const cn_http_request_info *info,
                                cn_completion_cb cb, void *arg);

// Reads until the final response head is parsed (interim 1xx responses
// are skipped). Only after send_request completed. Returns CN_OK,
// CN_ERR_IO_PENDING, or an error (parser errors, CN_ERR_EMPTY_RESPONSE,
// socket errors).
int cn_http_basic_stream_read_response_headers(cn_http_basic_stream *s, cn_completion_cb cb, void *arg);

// The response head (status, reason, version, headers); NULL until
// read_response_headers succeeded. Owned by the stream.
const cn_http_response_head *cn_http_basic_stream_response_head(const cn_http_basic_stream *s);
// Trailer fields of a chunked body, once the body is complete.
const cn_http_headers *cn_http_basic_stream_trailers(const cn_http_basic_stream *s);

// Reads up to |len| (> 0) body bytes into |buf| (decoded if decoding is
// on). Returns the count (> 0), 0 at the end of the body, an error, or
// CN_ERR_IO_PENDING (the stream keeps a reference to |buf| meanwhile).
int cn_http_basic_stream_read_response_body(cn_http_basic_stream *s, cn_iobuf *buf, size_t len,
                                      cn_completion_cb cb, void *arg);

// True once the whole body has been read (at once for bodiless responses).
bool cn_http_basic_stream_is_response_body_complete(const cn_http_basic_stream *s);

// True when the socket may carry another request: the request was sent,
// the response said keep-alive, its body was read to the end (and fully
// decoded), no byte followed the response, nothing failed, and the socket
// is still connected.
bool cn_http_basic_stream_can_reuse_connection(const cn_http_basic_stream *s);

// Response bytes received so far (0: the server sent nothing — a request
// on a reused socket failing like this may be retried on a new one).
uint64_t cn_http_basic_stream_response_bytes_received(const cn_http_basic_stream *s);

// Bytes that arrived after the end of a response that has no body, e.g.
// after 101 Switching Protocols (the new protocol's first bytes) or a 2xx
// to CONNECT (tunnel data). Sets |*len|; the pointer is owned by the
// stream and valid until its next call.
const uint8_t *cn_http_basic_stream_leftover(const cn_http_basic_stream *s, size_t *len);

// Cancels whatever is pending (no callback runs after this returns; a
// pending socket operation is cancelled by disconnecting the socket) and
// frees the stream. Accepts NULL.
void cn_http_basic_stream_destroy(cn_http_basic_stream *s);

// The stream as a cn_http_stream (http_stream.h: what the transaction
// drives); destroying that destroys |s|.
struct cn_http_stream *cn_http_basic_stream_as_stream(cn_http_basic_stream *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_BASIC_STREAM_H_
