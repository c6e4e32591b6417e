// One stream of a cn_spdy_session (SPDY/3.1 or HTTP/2), client or server
// side, with a socket-like interface: send headers, write body data (within
// flow control), read the peer's headers, read its data, trailers, and
// half-close both ways with |fin|.
//
// Client sequence: cn_spdy_stream_create (may wait for a concurrency slot),
// cn_spdy_stream_send_headers (fin for a bodiless request), writes,
// cn_spdy_stream_read_headers (1xx interim responses are skipped), reads
// until 0, then cn_spdy_stream_destroy. Server: the session delegate's
// on_stream hands over a stream whose request headers are in
// cn_spdy_stream_headers(); read the body, send_headers the response, write.
//
// A CONNECT stream is a byte pipe: a cn_stream_socket adapter maps its
// read/write to cn_spdy_stream_read/write, EOF to END_STREAM (read 0),
// disconnect to cn_spdy_stream_destroy, errors to resets.
//
// Async convention (as everywhere in cnet): a call returns a result, or
// CN_ERR_IO_PENDING and later runs its callback exactly once, from the loop.
// One read_headers, one read and one write may be pending at a time.
// Destroying the stream runs no callback afterwards.
//
// The close rule: destroying a peer's stream (a server's) whose final
// frames are queued — HEADERS or a write with END_STREAM, or trailers —
// does not cancel it: the session keeps it until those frames are framed,
// then frees it; if the peer had not finished its side, RST_STREAM NO_ERROR
// (SPDY/3.1: CANCEL) follows the response. A stream destroyed unfinished is
// reset with CANCEL; our own (client) streams are always cancelled — a
// request not framed yet is never sent.
//
// Receiving: DATA is buffered in the stream up to our window; it is
// acknowledged to the peer (WINDOW_UPDATE, batched at half a window) only as
// it is read, so a consumer that stops reading stops the peer. Data that
// arrived before an error is still readable; then reads report the error.
//
// Errors a stream reports:
//   CN_ERR_HTTP2_GOING_AWAY        the session got GOAWAY (or is closing) and
//                                  the peer never saw this stream: retry it
//                                  on a new session
//   CN_ERR_HTTP2_SERVER_REFUSED_STREAM  reset with REFUSED_STREAM (retryable)
//   CN_ERR_HTTP_1_1_REQUIRED       reset or GOAWAY with HTTP_1_1_REQUIRED
//   CN_ERR_HTTP2_PROTOCOL_ERROR, _FLOW_CONTROL_ERROR, _FRAME_SIZE_ERROR,
//   _COMPRESSION_ERROR             reset with that code, or the session's
//                                  connection error
//   CN_ERR_HTTP2_STREAM_CLOSED     reset with any other code (CANCEL,
//                                  INTERNAL_ERROR, NO_ERROR before the end…)
//   CN_ERR_CONNECTION_CLOSED and socket errors, CN_ERR_HTTP2_PING_FAILED,
//   CN_ERR_ABORTED (the session was destroyed)   the session's close
// Stream errors we detect (a response without :status, DATA after
// END_STREAM, a window overflow...) reset the stream with the matching code
// and fail it with the matching error.
//
// Ownership: the creator (or the delegate that received a server stream)
// owns the stream and frees it with cn_spdy_stream_destroy. Header arrays
// returned are owned by the stream, valid until it is destroyed.
#ifndef CNET_NET_SPDY_SPDY_STREAM_H_
#define CNET_NET_SPDY_SPDY_STREAM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/iobuf.h"
#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/base/request_priority.h"
#include "net/spdy/spdy_framer.h"
#include "net/spdy/spdy_headers.h"
#include "net/spdy/spdy_session.h"

#ifdef __cplusplus
extern "C" {
#endif

// Creates a client stream on |s| at |priority|; |owner| (may be a NONE
// source) is referenced from the stream's NetLog. Returns:
//   CN_OK: |*out| may send headers now;
//   CN_ERR_IO_PENDING: |*out| waits for a slot (the peer's concurrency
//     limit); |cb| runs once with CN_OK when it may send, or an error.
//     Waiting streams are served highest priority first, then in order.
//     Destroying |*out| cancels the wait;
//   an error (|*out| NULL): CN_ERR_HTTP2_GOING_AWAY (no new streams: GOAWAY,
//     stream ids used up), the session's error if it closed, or
//     CN_ERR_INVALID_ARGUMENT on a server session.
int cn_spdy_stream_create(cn_spdy_session *s, cn_request_priority priority,
                          cn_netlog_source owner, cn_completion_cb cb, void *arg,
                          cn_spdy_stream **out);

// Cancels what is pending (no callback runs afterwards), resets the stream
// with CANCEL if it is still open on the wire (but see the close rule
// above: a server's complete response still goes out), credits its unread
// data back to the session window, and frees it. Accepts NULL.
void cn_spdy_stream_destroy(cn_spdy_stream *st);

// Queues the stream's headers: a client's request (the stream id is taken
// now), a server's response. The fields are copied; names must be lower-case
// and pseudo-headers come first (cn_spdy_build_request_headers builds a
// request). |fin|: nothing follows. Returns CN_OK, the stream's error, or
// CN_ERR_INVALID_ARGUMENT (headers already sent, a stream still waiting for
// its slot, an empty list or a name with upper-case letters).
int cn_spdy_stream_send_headers(cn_spdy_stream *st, const cn_spdy_header *headers,
                                size_t num, bool fin);

// Writes |len| bytes of |buf| as DATA (|fin|: and ends our side; len may be
// 0 with fin). Returns CN_ERR_IO_PENDING and runs |cb| with |len| once
// every byte is framed (flow control may hold it until the peer opens its
// window), or with an error; or returns an error at once
// (CN_ERR_INVALID_ARGUMENT: before send_headers, after fin, a write already
// pending, |len| above INT_MAX: the callback's result could not say it).
// The stream holds a reference to |buf| while pending.
int cn_spdy_stream_write(cn_spdy_stream *st, cn_iobuf *buf, size_t len, bool fin,
                         cn_completion_cb cb, void *arg);

// The same, taking |list|'s fields instead of copying them: on CN_OK the
// stream owns them and |list| is left empty (initialised); on an error
// |list| is unchanged and still the caller's.
int cn_spdy_stream_send_header_list(cn_spdy_stream *st, cn_spdy_header_list *list, bool fin);

// Ends our side with trailers (a HEADERS frame with END_STREAM, after all
// data written so far). Copied. Returns CN_OK or an error as send_headers.
int cn_spdy_stream_send_trailers(cn_spdy_stream *st, const cn_spdy_header *headers, size_t num);

// Waits for the peer's headers (a client: the final response, 1xx skipped).
// Returns CN_OK when they are in, CN_ERR_IO_PENDING, or the stream's error;
// CN_ERR_INVALID_ARGUMENT while a wait is pending, or while the stream
// still waits for its slot (cn_spdy_stream_create's callback is due first:
// no response can come before the request is sent).
int cn_spdy_stream_read_headers(cn_spdy_stream *st, cn_completion_cb cb, void *arg);

// The peer's headers (a server stream: the request; a client stream: the
// final response), or NULL with |*num| 0 before they arrived. |num| may be
// NULL.
const cn_spdy_header *cn_spdy_stream_headers(const cn_spdy_stream *st, size_t *num);
// The value of the peer's header |name| (lower-case), NUL-terminated, or
// NULL.
const char *cn_spdy_stream_header(const cn_spdy_stream *st, const char *name);
// Frees the peer's headers once the caller has what it needs of them (an
// HTTP stream built its response head): an open stream then holds no copy.
// cn_spdy_stream_headers() returns NULL afterwards; trailers are kept.
void cn_spdy_stream_drop_headers(cn_spdy_stream *st);
// The peer's trailers (empty until they arrive).
const cn_spdy_header *cn_spdy_stream_trailers(const cn_spdy_stream *st, size_t *num);

// Reads up to |len| (> 0; at most INT_MAX are read at once) bytes of the
// peer's DATA into |buf|: > 0 bytes, 0 at END_STREAM, an error, or
// CN_ERR_IO_PENDING (the stream holds |buf| until |cb|).
int cn_spdy_stream_read(cn_spdy_stream *st, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                        void *arg);

// Resets the stream with |h2_code| (an HTTP/2 error code, mapped to SPDY's
// status codes) and closes it; pending operations are cancelled without
// callbacks, later ones fail with CN_ERR_HTTP2_STREAM_CLOSED. A server
// refuses a request with CN_HTTP2_REFUSED_STREAM. Nothing happens if the
// stream is already closed.
void cn_spdy_stream_reset(cn_spdy_stream *st, uint32_t h2_code);

// Whether the stream keeps the loop running: false while its owner only
// waits (a CONNECT stream's tunnel idle in a pool). The session's
// connection keeps the loop running while it has a stream that does.
void cn_spdy_stream_set_keeps_loop_alive(cn_spdy_stream *st, bool keep);

// The stream's id (0 until its headers are queued).
uint32_t cn_spdy_stream_id(const cn_spdy_stream *st);
cn_spdy_session *cn_spdy_stream_session(const cn_spdy_stream *st);
cn_request_priority cn_spdy_stream_priority(const cn_spdy_stream *st);
cn_netlog_source cn_spdy_stream_source(const cn_spdy_stream *st);
// The error that ended the stream (CN_OK if none).
int cn_spdy_stream_error(const cn_spdy_stream *st);
// Closed on the wire: both sides ended, or reset, or the session closed.
bool cn_spdy_stream_is_closed(const cn_spdy_stream *st);
// The peer ended its side (END_STREAM received).
bool cn_spdy_stream_remote_fin(const cn_spdy_stream *st);
// Received DATA not yet read.
size_t cn_spdy_stream_buffered_bytes(const cn_spdy_stream *st);
// Flow-control windows: what we may still send / the peer may still send.
int64_t cn_spdy_stream_send_window(const cn_spdy_stream *st);
int64_t cn_spdy_stream_recv_window(const cn_spdy_stream *st);
// Bytes of the pending write not yet framed (0 when none is pending).
size_t cn_spdy_stream_write_remaining(const cn_spdy_stream *st);

// Priority mappings: SPDY/3.1 0 (highest) .. 7 and HTTP/2 weights.
uint8_t cn_spdy_priority_from_request_priority(cn_request_priority p);
cn_request_priority cn_spdy_priority_to_request_priority(uint8_t spdy_priority);
uint16_t cn_spdy_priority_to_http2_weight(uint8_t spdy_priority);
uint8_t cn_http2_weight_to_spdy_priority(uint16_t weight);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_STREAM_H_
