// Private to net/spdy/spdy_session.c, spdy_stream.c and the session's
// helpers (spdy_write_queue.c, spdy_session_netlog.c): the session and
// stream structures and the calls between these files.
//
// Lifetime: the session's memory is refcounted. Its creator holds one
// reference until cn_spdy_session_destroy, every stream object one until
// cn_spdy_stream_destroy, and the session takes one around each loop
// callback (so a callback that destroys the session leaves it valid until
// the handler unwinds). The socket, framer and I/O buffers go at close; the
// struct, its timers and the notification list live until the last unref.
//
// Notifications: completions and delegate calls are never made from inside
// a public call. State changes put the stream on |notify| (or set a
// session flag) and schedule the session's task; the task, and the ends of
// the read and write handlers, drain the list from the loop.
#ifndef CNET_NET_SPDY_SPDY_SESSION_INTERNAL_H_
#define CNET_NET_SPDY_SPDY_SESSION_INTERNAL_H_

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "base/bytebuf.h"
#include "base/iobuf.h"
#include "base/clock.h"
#include "base/list.h"
#include "base/timer.h"
#include "net/base/netlog.h"
#include "net/base/request_priority.h"
#include "net/socket/stream_socket.h"
#include "net/spdy/spdy_framer.h"
#include "net/spdy/spdy_headers.h"
#include "net/spdy/spdy_session.h"
#include "net/spdy/spdy_stream.h"
#include "net/spdy/spdy_stream_map.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CN_SPDY_NUM_PRIORITIES (CN_PRIORITY_HIGHEST + 1)
#define CN_SPDY_MAX_STREAM_ID 0x7fffffffu
#define CN_SPDY_MAX_WINDOW 0x7fffffff
// Freed stream objects a session keeps for reuse (spdy_stream.c).
#define CN_SPDY_MAX_FREE_STREAMS 32

typedef enum cn_spdy_session_state {
  CN_SPDY_SESSION_OPEN,        // streams may be created (unless ids ran out)
  CN_SPDY_SESSION_GOING_AWAY,  // GOAWAY sent or received: open streams finish
  CN_SPDY_SESSION_CLOSING,     // failed: the final GOAWAY is being written
  CN_SPDY_SESSION_CLOSED,      // socket gone
} cn_spdy_session_state;

// A stream's trailers, both ways (rare: allocated when the first comes).
typedef struct cn_spdy_trailer_pair {
  cn_spdy_header_list out;  // queued by send_trailers until framed
  cn_spdy_header_list in;   // the peer's
} cn_spdy_trailer_pair;

// A stream's DATA counts not logged yet (spdy_session_netlog.c), made only
// while the NetLog captures parameters: a session that logs nothing pays
// one pointer per stream for them.
typedef struct cn_spdy_stream_log {
  cn_list_node link;  // session->log_pending while counts wait
  cn_spdy_stream *stream;
  uint64_t sent_bytes, recv_bytes;
  uint32_t sent_frames, recv_frames;
  bool sent_fin, recv_fin;
} cn_spdy_stream_log;

// With 10,000 streams open every byte here is 10 KB (issue #13's target is
// 2 KiB per open stream for all its layers), so: the flags are one-bit
// fields kept together; trailers and NetLog counts are allocated when they
// come; lengths and windows are 32 bits wide (a read or write length is an
// int, the callbacks' result; a window is 31 bits plus a sign, RFC 9113
// 6.9.1 and 6.9.2, and what updates one is computed in 64 bits and checked
// before it is stored); one callback slot serves the create and then
// read_headers (read_headers waits for the create); 4-byte fields are
// paired so nothing pads.
struct cn_spdy_stream {
  cn_spdy_session *session;  // referenced
  uint32_t id;               // 0 until the headers are queued
  cn_request_priority priority;
  int error;  // sticky; CN_OK if none
  cn_netlog_source source;
  cn_netlog_source owner;

  bool local : 1;        // opened by this side
  bool queued : 1;       // waiting for a slot (|link| in session->create_queue)
  bool active : 1;       // holds a slot (|link| in session->streams)
  bool in_map : 1;       // findable by id
  bool handed_over : 1;  // a peer stream given to the delegate (else the session owns it)
  bool closed : 1;       // finished on the wire (fins both ways, reset, or the session closed)
  bool session_credited : 1;  // unread data was credited to the session window at close
  bool cancelled : 1;         // destroyed or reset by its owner
  bool loop_idle : 1;         // its owner only waits (an idle tunnel in a pool)
  // Destroyed by its owner with its final frames queued but not yet framed
  // (a server's whole response): the session keeps it until they are out,
  // then frees it (spdy_stream.h, "the close rule").
  bool orphaned : 1;
  // A local CONNECT request: its 1xx answer is final, never skipped as an
  // interim response (only a 200 opens a tunnel: the stream socket refuses
  // the rest, as Chromium's proxy client socket does).
  bool is_connect : 1;
  // Sending.
  bool headers_queued : 1;  // send_headers called
  bool headers_sent : 1;    // framed
  bool headers_fin : 1;     // the headers carry END_STREAM
  bool id_reserved : 1;     // a local stream holding a slot, its id not yet taken
  bool trailers_queued : 1;
  bool fin_queued : 1;  // END_STREAM promised (headers, a write or trailers)
  bool fin_sent : 1;    // END_STREAM framed
  bool wfin : 1;        // the pending write ends the stream
  bool wdone : 1;       // the pending write is all framed; its callback is due
  bool in_headers_queue : 1;  // |send_link| in session->headers_queue
  bool in_ready : 1;          // |send_link| in session->ready[priority]
  bool send_stalled : 1;      // out of stream window
  // Receiving.
  bool headers_received : 1;  // the final headers (request or response)
  bool remote_fin : 1;
  // Pending operations.
  bool create_pending : 1;  // |hcb| is the queued create's callback, not read_headers'
  bool create_done : 1;     // the slot was granted (or the wait failed): cb due
  bool handover_due : 1;    // server: on_stream is due
  // NetLog.
  bool logged_alive : 1;  // STREAM_ALIVE begun

  // Flow control (what updates them checks the range in 64 bits first).
  int32_t send_window;
  int32_t recv_window;
  uint32_t recv_unacked;  // read but not yet given back by WINDOW_UPDATE (< a window)

  // --- Sending ---
  cn_spdy_header_list out_headers;
  // The pending write (its length <= INT_MAX: the callback's result).
  uint32_t wlen, woff;
  cn_iobuf *wbuf;
  cn_completion_cb wcb;
  void *warg;
  // In session->headers_queue (HEADERS to frame) or session->ready[prio]
  // (DATA or trailers to frame); |send_stalled| when out of stream window.
  cn_list_node send_link;

  // --- Receiving ---
  cn_spdy_header_list in_headers;
  cn_bytebuf rbuf;  // DATA not yet read
  cn_spdy_trailer_pair *trailers;  // NULL until trailers are queued or arrive

  // --- Pending operations ---
  // A queued create (|create_pending|), then read_headers.
  cn_completion_cb hcb;
  void *harg;
  // The read (its length <= INT_MAX: the callback's result).
  uint32_t rdlen, rdfilled;
  cn_iobuf *rdbuf;
  cn_completion_cb rcb;
  void *rarg;

  cn_list_node link;         // session->streams (active) or create_queue (queued)
  cn_list_node notify_link;  // session->notify
  cn_spdy_stream_log *log;   // NULL until the NetLog captures a DATA count
};

struct cn_spdy_session {
  unsigned refs;
  bool owner_gone;  // cn_spdy_session_destroy was called
  uv_loop_t *loop;
  cn_netlog *netlog;
  cn_netlog_source source;
  cn_next_proto proto;
  bool is_server;
  cn_spdy_session_options opts;  // defaults filled in
  cn_spdy_framer_limits limits;
  cn_spdy_session_delegate delegate;

  cn_spdy_session_state state;
  int error;  // what closed it
  bool unavailable;  // on_unavailable decided
  bool notify_unavailable, notify_closed;
  bool notify_stalled;  // a create waits for a slot: tell on_stalled
  bool notify_idle;     // our last stream closed: tell on_idle

  cn_stream_socket *socket;
  cn_spdy_framer *framer;

  // Reading.
  cn_iobuf *read_buf;
  bool read_pending;
  bool reading;  // inside the framer: no teardown of framer/socket now
  uint64_t last_recv_ms;

  // Writing (spdy_write_queue.h says how these are used).
  cn_bytebuf ctl;        // encoded control frames to send first
  cn_bytebuf out;        // the gather buffer
  cn_iobuf *write_buf;   // the outstanding socket write
  size_t write_off;
  bool write_pending;
  bool close_after_write;  // CLOSING: close once the final write is done
  bool write_failed;       // the socket refused a write: nothing more is sent
  cn_list_node headers_queue;
  cn_list_node ready[CN_SPDY_NUM_PRIORITIES];
  uint32_t max_data_frame;  // DATA payload cap

  // Streams.
  cn_spdy_stream_map map;
  cn_list_node streams;  // active (holding a slot or peer-opened), any state
  cn_list_node create_queue[CN_SPDY_NUM_PRIORITIES];
  size_t num_local_active;  // local streams holding a slot
  size_t num_peer_active;
  size_t num_loop_idle;  // active streams whose owners only wait (loop_idle)
  size_t num_queued;
  uint32_t next_stream_id;
  uint32_t ids_reserved;       // local streams holding a slot without an id yet
  uint32_t last_peer_stream_id;  // highest id the peer opened (or promised)
  bool ids_exhausted;

  // Settings and windows.
  bool peer_settings_received;
  uint32_t peer_max_concurrent;
  int64_t peer_initial_window;  // the peer's stream receive window
  int64_t send_window;          // the peer's session receive window
  int64_t local_initial_window; // our stream receive window (in force)
  bool has_pending_window;
  int64_t pending_initial_window;  // HTTP/2: a decrease waiting for its ACK
  uint32_t pending_window_ack;     // ... the count of SETTINGS acked that applies it
  uint32_t settings_sent;          // HTTP/2 SETTINGS frames sent / acknowledged
  uint32_t settings_acked;
  bool local_settings_acked;       // every SETTINGS we sent is acknowledged
  int64_t recv_window;          // what the peer may still send on the session
  int64_t session_window_max;
  uint64_t recv_unacked;

  // PING.
  uint64_t next_ping_id;
  bool ping_in_flight;
  uint64_t ping_opaque;
  cn_timer *ping_timer;  // from |clock|
  cn_loop_clock loop_clock;  // the default clock
  cn_clock *clock;           // opts.clock or &loop_clock.base
  // An idle-check PING is out: new streams wait in create_queue until the
  // peer shows it is alive (any bytes), or the session fails.
  bool awaiting_liveness;

  // GOAWAY.
  bool goaway_received;
  uint32_t goaway_last_id;
  bool goaway_sent;

  // Streams freed while the session was busy, kept for the next ones
  // (spdy_stream.c): a session opens a stream per request, and the stream
  // is its largest object (each keeps its receive buffer's storage, up to
  // 16 KiB, for the next). Chained through their first bytes; at most
  // CN_SPDY_MAX_FREE_STREAMS, released when the session goes idle and when
  // it is freed.
  void *free_streams;
  uint32_t num_free_streams;

  // Notifications.
  cn_list_node notify;
  cn_list_node log_pending;
  cn_timer *task;
  bool draining;
};

// --- spdy_session.c, for spdy_stream.c ---
void cn_spdy_session_ref_(cn_spdy_session *s);
void cn_spdy_session_unref_(cn_spdy_session *s);
// Schedules the task (soon, from the loop): it reads on if a read is due,
// writes what is queued and delivers the notifications.
void cn_spdy_session_schedule_(cn_spdy_session *s);
// Puts |st| on the notification list and schedules the task.
void cn_spdy_session_notify_stream_(cn_spdy_session *s, cn_spdy_stream *st);
// The session error a new stream or operation sees, or CN_OK (available).
int cn_spdy_session_create_error_(const cn_spdy_session *s);
// A new local stream: takes a slot or queues (returns CN_ERR_IO_PENDING).
int cn_spdy_session_add_local_stream_(cn_spdy_session *s, cn_spdy_stream *st);
// Assigns the next stream id to |st| (its headers were queued).
void cn_spdy_session_assign_id_(cn_spdy_session *s, cn_spdy_stream *st);
// Queues RST_STREAM |h2_code| for |st| (if it is on the wire) and closes it
// with |error| (CN_OK when our own caller reset it).
void cn_spdy_session_reset_stream_(cn_spdy_session *s, cn_spdy_stream *st, uint32_t h2_code,
                                   int error);
// Closes |st| on the wire: removes it from the map, the send queues and the
// concurrency count, credits its unread data to the session window, ends
// its NetLog span with |error|.
void cn_spdy_session_close_stream_(cn_spdy_session *s, cn_spdy_stream *st, int error);
// Unlinks a stream being destroyed from every session list.
void cn_spdy_session_forget_stream_(cn_spdy_session *s, cn_spdy_stream *st);
// Our END_STREAM of |st| was framed: an orphaned stream whose peer has not
// finished is closed with RST_STREAM NO_ERROR (its response is complete,
// RFC 9113 §8.1; CANCEL in SPDY/3.1).
void cn_spdy_session_fin_framed_(cn_spdy_session *s, cn_spdy_stream *st);
// Frees an orphaned stream once it is closed (from the notification drain
// or when the session fails).
void cn_spdy_stream_free_orphan_(cn_spdy_stream *st);
// The consumer read |n| bytes of |st|: flow-control credit (WINDOW_UPDATEs
// batched at half a window).
void cn_spdy_session_consumed_(cn_spdy_session *s, cn_spdy_stream *st, size_t n);
// Sends a PING when the session has been idle too long; new streams then
// wait until the peer answers (any frame) or the session fails.
void cn_spdy_session_maybe_idle_ping_(cn_spdy_session *s);

// --- spdy_session.c, for spdy_write_queue.c ---
// Delivers every due completion and delegate call. Each may destroy
// streams or the session; the caller holds a reference.
void cn_spdy_session_drain_(cn_spdy_session *s);
// The end of every loop callback of the session (the caller holds a
// reference): delivers what is due first, then writes, so the frames the
// callback made due (SETTINGS ACK, PING answers, WINDOW_UPDATEs) and those
// the stream owners queue from the completions (a new request's HEADERS)
// leave in one socket write; then delivers what the write made due.
void cn_spdy_session_end_turn_(cn_spdy_session *s);
// Fails the session with |err|: every stream and waiting create fails with
// it; peer streams not yet handed over are freed. With |goaway| a GOAWAY
// with |h2_code| is written before the socket closes.
void cn_spdy_session_fail_(cn_spdy_session *s, int err, bool goaway, uint32_t h2_code);
// Logs |err| with |detail| and fails the session with a GOAWAY carrying the
// matching code.
void cn_spdy_session_connection_error_(cn_spdy_session *s, int err, const char *detail);
// Closes the socket and the framer (state CLOSED); the struct stays until
// the last reference goes.
void cn_spdy_session_close_socket_(cn_spdy_session *s);

// --- spdy_stream.c, for spdy_session.c ---
cn_spdy_stream *cn_spdy_stream_new_(cn_spdy_session *s, cn_request_priority priority, bool local,
                                    cn_netlog_source owner);
// |st|'s trailers (both ways), allocated empty on first use.
cn_spdy_trailer_pair *cn_spdy_stream_trailers_(cn_spdy_stream *st);
// Our trailers were framed: frees their fields (and the trailers struct
// when no peer trailers are kept in it).
void cn_spdy_stream_free_out_trailers_(cn_spdy_stream *st);
// Frees a stream (no callbacks; lists already unlinked): its memory goes
// to the session's free list (the caller still holds the stream's session
// reference, and drops it after).
void cn_spdy_stream_free_(cn_spdy_stream *st);
// Releases the session's free stream objects down to |keep|.
void cn_spdy_stream_trim_free_list_(cn_spdy_session *s, uint32_t keep);
// Runs at most one due completion of |st| (which may destroy it).
void cn_spdy_stream_deliver_(cn_spdy_stream *st);
// Received DATA for |st| (flow control already checked).
void cn_spdy_stream_on_data_(cn_spdy_stream *st, const uint8_t *data, size_t len);
// Fails |st| with |error| (sticky), waking its pending operations.
void cn_spdy_stream_fail_(cn_spdy_stream *st, int error);
// Every byte of the pending write is framed: its buffer is released and
// its callback becomes due (with the write's length).
void cn_spdy_stream_finish_write_(cn_spdy_stream *st);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_SESSION_INTERNAL_H_
