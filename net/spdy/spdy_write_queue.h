// Private to net/spdy: the session's write side — what goes out next and
// the one socket write in flight.
//
// What is queued lives in the session (spdy_session_internal.h, "Writing"):
//   |ctl|            control frames, encoded at once by spdy_session.c (they
//                    carry no compression state), always sent first;
//   |headers_queue|  streams whose HEADERS wait to be framed, in the order
//                    they asked (so stream ids go out increasing);
//   |ready[prio]|    streams with DATA (or trailers) to frame.
// HEADERS and DATA are encoded only when a write is gathered, because header
// compression follows the wire order. A gather takes the control frames,
// then HEADERS in order, then DATA by priority — strict between priorities,
// round-robin in 16 KiB frames within one, within both flow-control windows
// — up to 64 KiB; the gathered buffer becomes the write's iobuf without a
// copy. One socket write is outstanding at a time.
//
// Ownership: a stream on a queue is not owned by it (a stream leaves its
// queue before it closes or is freed: cn_spdy_write_queue_remove). The
// session owns the buffers; the write in flight holds its own reference to
// |write_buf|. Flushing runs only from loop callbacks, never inside the
// framer (|reading|), and may fail or close the session.
#ifndef CNET_NET_SPDY_SPDY_WRITE_QUEUE_H_
#define CNET_NET_SPDY_SPDY_WRITE_QUEUE_H_

#include "net/spdy/spdy_session.h"

#ifdef __cplusplus
extern "C" {
#endif

// HEADERS, DATA or trailers of |st| became sendable: queues it (HEADERS
// first; DATA waits off the queues while the stream's window is empty, until
// WINDOW_UPDATE or SETTINGS make it ready again) and schedules the session.
void cn_spdy_write_queue_stream_ready(cn_spdy_session *s, cn_spdy_stream *st);
// Takes |st| off the send queues (it closed, or has nothing left to send).
void cn_spdy_write_queue_remove(cn_spdy_stream *st);
// Gathers and writes until a write is pending or nothing is left; then, if
// the session is closing, closes its socket. A failed write fails the
// session.
void cn_spdy_write_queue_flush(cn_spdy_session *s);
// Best effort when the session's owner destroys it: writes the queued
// control frames (its final GOAWAY) in one socket write whose completion
// never runs, because the caller destroys the socket right after.
void cn_spdy_write_queue_write_final(cn_spdy_session *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_WRITE_QUEUE_H_
