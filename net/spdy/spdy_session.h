// A multiplexed session: SPDY/3.1 or HTTP/2 over any connected stream
// socket (TLS to a proxy, TLS inside a tunnel, a pipe in tests), as client
// or server. One implementation serves both protocols; they differ only in
// the framer (net/spdy/spdy_framer.h), wire values (settings ids, error
// codes), HTTP/2's connection preface and SETTINGS ACK, and priorities
// (SPDY 0-7, HTTP/2 weights). Streams are in spdy_stream.h.
//
// What the session does on its own:
//   - Start: an HTTP/2 client writes the preface; both roles write SETTINGS
//     (our stream receive window, the streams we accept, ENABLE_PUSH 0 from
//     an HTTP/2 client) and raise the session receive window from the
//     protocol's 64 KiB with a WINDOW_UPDATE on stream 0, so downloads are
//     not capped by it. The peer's SETTINGS are applied and (HTTP/2) acked.
//   - Reading: a socket read is pending whenever the session is open (64
//     KiB while streams are active, 4 KiB when idle); every frame of a chunk
//     is processed before the session returns to the loop.
//   - Writing: one socket write at a time, gathering up to 64 KiB of
//     frames: control frames first (SETTINGS, PING, RST_STREAM, GOAWAY,
//     WINDOW_UPDATE), then HEADERS in the order streams asked to send them
//     (which keeps stream ids increasing on the wire), then DATA by stream
//     priority, round-robin between streams of one priority one frame at a
//     time (16 KiB at most, or the peer's smaller maximum).
//   - Flow control, both directions, stream and session windows: DATA is
//     sent only within the peer's windows; received DATA beyond our window
//     is a FLOW_CONTROL_ERROR; WINDOW_UPDATEs are sent as the consumer reads
//     (not on arrival), batched at half a window; a closed stream's unread
//     bytes are credited back to the session window (nothing leaks).
//   - Concurrency: streams beyond the peer's MAX_CONCURRENT_STREAMS wait in
//     priority order (spdy_stream.h); a peer opening more than we announced
//     gets RST_STREAM REFUSED_STREAM. Server push is refused (RST_STREAM
//     REFUSED_STREAM on the promised/associated stream), nothing counted.
//   - Liveness: peer PINGs are answered; cn_spdy_session_check_liveness()
//     sends one, and so does creating a stream on a session that received
//     nothing for |idle_ping_ms| — that stream (and any created after it)
//     waits until the peer sends something. No answer within
//     |ping_timeout_ms| closes the session with CN_ERR_HTTP2_PING_FAILED.
//
// Errors (what streams and the delegate see):
//   - A GOAWAY from the peer makes the session unavailable. Streams it did
//     not process (id above last_stream_id), streams not yet sent and
//     streams waiting for a slot fail with CN_ERR_HTTP2_GOING_AWAY: the peer
//     never saw them, so a caller may retry them on a new session. Streams
//     at or below last_stream_id finish; the session closes when none is
//     left. A GOAWAY with HTTP_1_1_REQUIRED closes the session with
//     CN_ERR_HTTP_1_1_REQUIRED (a caller talking to a proxy reports
//     CN_ERR_PROXY_HTTP_1_1_REQUIRED; the session does not know).
//   - A connection error (a frame the framer refuses, DATA or HEADERS on an
//     idle stream, a window overflow, a flow-control violation...) sends
//     GOAWAY with the matching code and closes the session with
//     CN_ERR_HTTP2_PROTOCOL_ERROR, _FLOW_CONTROL_ERROR, _FRAME_SIZE_ERROR or
//     _COMPRESSION_ERROR; every stream fails with it.
//   - Socket EOF closes the session with CN_ERR_CONNECTION_CLOSED, a socket
//     error with that error; every unfinished stream fails with it.
//   - Stream errors are RST_STREAM with the matching code (spdy_stream.h).
//
// Threading and callbacks: one libuv loop. Every delegate call and every
// stream completion runs from the loop, never from inside a call into the
// session or a stream; any of them may destroy streams or the session.
//
// Ownership: cn_spdy_session_create() takes the socket (also on failure) and
// returns a session its creator destroys with cn_spdy_session_destroy().
// Streams hold a reference to the session's memory, so a stream outliving
// its session stays safe (it reports the session's error); the socket,
// framer and buffers are released as soon as the session closes.
#ifndef CNET_NET_SPDY_SPDY_SESSION_H_
#define CNET_NET_SPDY_SPDY_SESSION_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "base/clock.h"
#include "net/base/netlog.h"
#include "net/socket/stream_socket.h"
#include "net/spdy/spdy_framer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_spdy_session cn_spdy_session;
typedef struct cn_spdy_stream cn_spdy_stream;

// Defaults (Chromium's values): a 6 MiB stream receive window (announced
// in SETTINGS_INITIAL_WINDOW_SIZE), a 15 MiB session receive window.
#define CN_SPDY_DEFAULT_STREAM_RECV_WINDOW (6u * 1024 * 1024)
#define CN_SPDY_DEFAULT_SESSION_RECV_WINDOW (15u * 1024 * 1024)
// Streams we accept from a peer (announced), and the limit we assume for
// the peer until its SETTINGS arrive.
#define CN_SPDY_DEFAULT_MAX_CONCURRENT_STREAMS 100u
// A PING unanswered this long fails the session; short, since a request
// may be waiting for it (Chromium waits 10 s for a plain liveness check;
// an idle-reuse check holds a request, so it gives up sooner).
#define CN_SPDY_DEFAULT_PING_TIMEOUT_MS 3000u
#define CN_SPDY_DEFAULT_IDLE_PING_MS 10000

typedef struct cn_spdy_session_options {
  // CN_PROTO_SPDY31 or CN_PROTO_HTTP2; CN_PROTO_UNKNOWN (the default) takes
  // the socket's negotiated protocol.
  cn_next_proto protocol;
  bool is_server;
  // Our receive windows. 0: the defaults above. The stream window is what
  // we announce in SETTINGS_INITIAL_WINDOW_SIZE.
  uint32_t stream_recv_window;
  uint32_t session_recv_window;
  // Peer-initiated streams we accept at once (announced in
  // SETTINGS_MAX_CONCURRENT_STREAMS). 0: the default.
  uint32_t max_concurrent_streams;
  // The peer's limit assumed until its SETTINGS say otherwise. 0: default.
  uint32_t initial_peer_max_concurrent_streams;
  // No PING answer within this many ms: the session fails. 0: default.
  uint64_t ping_timeout_ms;
  // A stream created on a session that received nothing for this long
  // first sends a PING and waits (create returns CN_ERR_IO_PENDING) until
  // the peer sends anything; no answer within |ping_timeout_ms| fails the
  // session (and the waiting streams) with CN_ERR_HTTP2_PING_FAILED, which
  // callers retry on a new session. A dead peer is found before a request
  // is lost in it (Chromium's check before reusing an idle session).
  // Taken as given (cn_spdy_session_options_init sets the default): 0 pings
  // before every stream, negative never.
  int64_t idle_ping_ms;
  // What |idle_ping_ms| and |ping_timeout_ms| are measured on. NULL: the
  // loop's clock. Borrowed: must outlive the session (tests pass a fake
  // clock, base/fake_clock.h).
  cn_clock *clock;
  // Framer limits (NULL: the protocol's defaults). Copied.
  const cn_spdy_framer_limits *limits;
  // What the session talks to ("proxy.test:443", a session key), for the
  // NetLog only (SESSION_ALIVE's "peer"). May be NULL; copied.
  const char *peer;
  // Tests only: the first stream id this side opens (0: 1 for a client,
  // 2 for a server), to reach stream-id exhaustion quickly.
  uint32_t first_stream_id_for_testing;
} cn_spdy_session_options;

// Zero and defaults.
void cn_spdy_session_options_init(cn_spdy_session_options *o);

// Calls from the session to its owner (a session pool, a test server).
// Every callback may be NULL; each runs from the loop.
typedef struct cn_spdy_session_delegate {
  void *ctx;
  // Server role: the peer opened |stream| (its request headers are in
  // cn_spdy_stream_headers()). The delegate owns the stream from now on and
  // destroys it when done. Without this callback, peer streams are refused.
  void (*on_stream)(void *ctx, cn_spdy_session *session, cn_spdy_stream *stream);
  // The session takes no new streams any more (GOAWAY sent or received, an
  // error, stream ids used up): a pool stops handing it out. Runs once.
  void (*on_unavailable)(void *ctx, cn_spdy_session *session);
  // The session closed (socket closed): CN_OK after a graceful GOAWAY
  // drain, else the error. Runs once, after on_unavailable. The owner
  // usually destroys the session here.
  void (*on_closed)(void *ctx, cn_spdy_session *session, int error);
  // A stream waits for a concurrency slot: the peer's
  // SETTINGS_MAX_CONCURRENT_STREAMS are all taken. Runs once per pass of
  // the loop in which streams were queued for that, while any still wait.
  // A pool frees a slot here if its own idle connections hold one (a
  // CONNECT stream under an idle tunnel): nothing else would free it.
  void (*on_stalled)(void *ctx, cn_spdy_session *session);
  // The last of our streams closed: none open, none waiting. Runs once per
  // pass of the loop in which that happened, if the session is still idle
  // and open. A pool closes the session here if it rides on a CONNECT
  // stream another session's waiting streams need (on_stalled).
  void (*on_idle)(void *ctx, cn_spdy_session *session);
} cn_spdy_session_delegate;

// Starts a session over |socket| (connected; ownership taken even when this
// fails). |opts| and |delegate| may be NULL; both are copied. Logs
// SESSION_ALIVE on a new SESSION source in |netlog| (may be NULL). Returns
// CN_OK and sets |*out|, or CN_ERR_INVALID_ARGUMENT (the protocol is neither
// SPDY/3.1 nor HTTP/2; the socket is destroyed).
int cn_spdy_session_create(uv_loop_t *loop, cn_stream_socket *socket,
                           const cn_spdy_session_options *opts,
                           const cn_spdy_session_delegate *delegate, cn_netlog *netlog,
                           cn_spdy_session **out);

// Closes the session now if it is still open (GOAWAY written best-effort,
// socket destroyed) and releases the owner's reference. Streams still alive
// fail with CN_ERR_ABORTED (their callbacks still run; the delegate's never
// do again). Peer streams never handed to the delegate are freed. Accepts
// NULL.
void cn_spdy_session_destroy(cn_spdy_session *s);

// Replaces the delegate (e.g. a pool adopting a session a connect job
// made). |delegate| may be NULL (no more calls); copied. Calls already due
// go to the new delegate.
void cn_spdy_session_set_delegate(cn_spdy_session *s, const cn_spdy_session_delegate *delegate);

// Sends GOAWAY (|h2_code|: an HTTP/2 error code, CN_HTTP2_NO_ERROR for a
// graceful close, mapped to SPDY's GOAWAY status), takes no new streams
// and closes once the open ones are done (waiting creates fail with
// CN_ERR_HTTP2_GOING_AWAY).
void cn_spdy_session_go_away(cn_spdy_session *s, uint32_t h2_code);

// Sends a PING unless one is in flight; no answer within the timeout closes
// the session with CN_ERR_HTTP2_PING_FAILED.
void cn_spdy_session_check_liveness(cn_spdy_session *s);

// Changes our stream receive window (SETTINGS_INITIAL_WINDOW_SIZE, sent at
// once) for open and future streams. An increase counts at once; a decrease
// counts once HTTP/2 acknowledges it (at once for SPDY, which has no ack).
void cn_spdy_session_set_stream_recv_window(cn_spdy_session *s, uint32_t window);

// Open, not going away, not failed, stream ids left: a new stream may be
// created.
bool cn_spdy_session_is_available(const cn_spdy_session *s);
// The socket is closed (after an error or a drained GOAWAY).
bool cn_spdy_session_is_closed(const cn_spdy_session *s);
// What closed the session (CN_OK while open or after a graceful close).
int cn_spdy_session_error(const cn_spdy_session *s);
cn_next_proto cn_spdy_session_protocol(const cn_spdy_session *s);
bool cn_spdy_session_is_server(const cn_spdy_session *s);
cn_netlog_source cn_spdy_session_source(const cn_spdy_session *s);
// The socket the session runs over (owned by the session; NULL once it
// closed): for describing a connection's layers.
const cn_stream_socket *cn_spdy_session_socket(const cn_spdy_session *s);

// State for tests, pools and logs.
// Streams holding a concurrency slot (created and not closed) / waiting.
size_t cn_spdy_session_num_active_streams(const cn_spdy_session *s);
size_t cn_spdy_session_num_queued_streams(const cn_spdy_session *s);
// Streams wait for a concurrency slot: the peer's limit is reached (not just
// an idle-check PING out).
bool cn_spdy_session_is_stalled(const cn_spdy_session *s);
// The peer's SETTINGS arrived; its stream limit.
bool cn_spdy_session_peer_settings_received(const cn_spdy_session *s);
uint32_t cn_spdy_session_peer_max_concurrent_streams(const cn_spdy_session *s);
// Session windows: what we may still send / what the peer may still send.
int64_t cn_spdy_session_send_window(const cn_spdy_session *s);
int64_t cn_spdy_session_recv_window(const cn_spdy_session *s);
bool cn_spdy_session_ping_in_flight(const cn_spdy_session *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_SESSION_H_
