// Framers for the multiplexed protocols: SPDY/3.1 and HTTP/2 behind one
// interface, so one session implementation (net/spdy/spdy_session) speaks
// both. A framer turns bytes into frame events for a visitor (decode), and
// frames into bytes (encode). It never does I/O and keeps no stream state
// beyond what framing itself needs (header compression contexts, a header
// block spread over CONTINUATION frames, a partial frame).
//
// Decoding is incremental: cn_spdy_framer_process() accepts any split of the
// input and produces the same events as if it had been given at once. Each
// framer has explicit limits (cn_spdy_framer_limits): a frame above the
// maximum size, a header block above its limit, a decompressed header block
// above its limit (a zlib bomb is an error, never an allocation) — each is a
// clear error, after which the framer refuses further input.
//
// The two protocols differ in wire values. The visitor receives them as the
// protocol defines them (HTTP/2 error codes or SPDY/3.1 RST_STREAM status
// codes; HTTP/2 or SPDY settings ids) along with the framer's protocol, and
// the session maps them; the header lists are the same shape in both
// (SPDY/3.1's ":method", ":path", ":version", ":host", ":scheme", ":status"
// pseudo-headers, HTTP/2's ":method", ":path", ":authority", ":scheme",
// ":status"). SPDY/3.1 header names are lower-case; HTTP/2 ones too.
//
// Ownership: cn_spdy3_framer_new()/cn_http2_framer_new() return a framer the
// caller frees with cn_spdy_framer_destroy(). Pointers passed to visitor
// callbacks are valid only during the callback.
#ifndef CNET_NET_SPDY_SPDY_FRAMER_H_
#define CNET_NET_SPDY_SPDY_FRAMER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytebuf.h"
#include "net/socket/next_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_spdy_framer cn_spdy_framer;

// One header field (names lower-case, not NUL-terminated).
typedef struct cn_spdy_header {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
} cn_spdy_header;

// What a header block belongs to.
typedef enum cn_spdy_headers_kind {
  CN_SPDY_HEADERS_REQUEST,   // SPDY SYN_STREAM; HTTP/2 HEADERS opening a stream
  CN_SPDY_HEADERS_RESPONSE,  // SPDY SYN_REPLY (HTTP/2 HEADERS are decoded as
                             // REQUEST; see cn_spdy_headers_frame)
  CN_SPDY_HEADERS_TRAILERS,  // SPDY HEADERS
  CN_SPDY_HEADERS_PUSH,      // HTTP/2 PUSH_PROMISE
} cn_spdy_headers_kind;

// A decoded header-carrying frame (after CONTINUATION frames and
// decompression).
typedef struct cn_spdy_headers_frame {
  uint32_t stream_id;
  // SPDY: SYN_STREAM (REQUEST), SYN_REPLY (RESPONSE), HEADERS (TRAILERS).
  // HTTP/2: HEADERS are reported as CN_SPDY_HEADERS_REQUEST — the session,
  // which knows each stream's state, decides what they are; PUSH_PROMISE as
  // CN_SPDY_HEADERS_PUSH.
  cn_spdy_headers_kind kind;
  bool fin;
  // Priority: SPDY/3.1 0 (highest) .. 7; HTTP/2 weight 1..256 and the
  // dependency when the frame carried one.
  bool has_priority;
  uint8_t spdy_priority;
  uint32_t depends_on;
  bool exclusive;
  uint16_t weight;
  // SPDY SYN_STREAM associated-to (server push); HTTP/2 PUSH_PROMISE's
  // promised stream id.
  uint32_t associated_stream_id;
  const cn_spdy_header *headers;
  size_t num_headers;
} cn_spdy_headers_frame;

typedef struct cn_spdy_setting {
  uint32_t id;  // the protocol's own id (HTTP/2: 0x3 MAX_CONCURRENT_STREAMS…;
                // SPDY/3.1: 4 MAX_CONCURRENT_STREAMS, 7 INITIAL_WINDOW_SIZE…)
  uint32_t value;
  uint8_t spdy_flags;  // SPDY/3.1 per-setting flags; 0 for HTTP/2
} cn_spdy_setting;

// Setting ids in each protocol (the ones cnet uses).
#define CN_HTTP2_SETTINGS_HEADER_TABLE_SIZE 0x1
#define CN_HTTP2_SETTINGS_ENABLE_PUSH 0x2
#define CN_HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS 0x3
#define CN_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE 0x4
#define CN_HTTP2_SETTINGS_MAX_FRAME_SIZE 0x5
#define CN_HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE 0x6
#define CN_SPDY3_SETTINGS_MAX_CONCURRENT_STREAMS 4
#define CN_SPDY3_SETTINGS_INITIAL_WINDOW_SIZE 7

// Error / status codes cnet sends (each protocol's wire values).
#define CN_HTTP2_NO_ERROR 0x0
#define CN_HTTP2_PROTOCOL_ERROR 0x1
#define CN_HTTP2_INTERNAL_ERROR 0x2
#define CN_HTTP2_FLOW_CONTROL_ERROR 0x3
#define CN_HTTP2_STREAM_CLOSED 0x5
#define CN_HTTP2_FRAME_SIZE_ERROR 0x6
#define CN_HTTP2_REFUSED_STREAM 0x7
#define CN_HTTP2_CANCEL 0x8
#define CN_HTTP2_COMPRESSION_ERROR 0x9
#define CN_HTTP2_HTTP_1_1_REQUIRED 0xd
#define CN_SPDY3_PROTOCOL_ERROR 1
#define CN_SPDY3_INVALID_STREAM 2
#define CN_SPDY3_REFUSED_STREAM 3
#define CN_SPDY3_CANCEL 5
#define CN_SPDY3_INTERNAL_ERROR 6
#define CN_SPDY3_FLOW_CONTROL_ERROR 7
#define CN_SPDY3_STREAM_IN_USE 8
#define CN_SPDY3_STREAM_ALREADY_CLOSED 9
#define CN_SPDY3_FRAME_TOO_LARGE 11
// SPDY/3.1 GOAWAY status codes.
#define CN_SPDY3_GOAWAY_OK 0
#define CN_SPDY3_GOAWAY_PROTOCOL_ERROR 1
#define CN_SPDY3_GOAWAY_INTERNAL_ERROR 2

// Frame events. Each callback returns CN_OK to go on, or a negative CN_ERR_*
// to stop: cn_spdy_framer_process() then returns that error. Any callback
// may be NULL (the event is ignored).
typedef struct cn_spdy_frame_visitor {
  void *ctx;
  int (*on_headers)(void *ctx, const cn_spdy_headers_frame *frame);
  // |data| is the payload without padding; |flow_len| is what the frame
  // counts against flow control (HTTP/2 includes padding).
  int (*on_data)(void *ctx, uint32_t stream_id, const uint8_t *data, size_t len, bool fin,
                 size_t flow_len);
  int (*on_rst_stream)(void *ctx, uint32_t stream_id, uint32_t code);
  int (*on_settings)(void *ctx, const cn_spdy_setting *settings, size_t num, bool ack);
  // SPDY/3.1 pings carry a 32-bit id (in the low bits), HTTP/2 8 bytes.
  int (*on_ping)(void *ctx, uint64_t opaque, bool ack);
  int (*on_goaway)(void *ctx, uint32_t last_stream_id, uint32_t code, const uint8_t *debug,
                   size_t debug_len);
  // Stream 0 is the session (connection) window.
  int (*on_window_update)(void *ctx, uint32_t stream_id, uint32_t delta);
  int (*on_priority)(void *ctx, uint32_t stream_id, uint32_t depends_on, bool exclusive,
                     uint16_t weight);
} cn_spdy_frame_visitor;

typedef struct cn_spdy_framer_limits {
  // Largest frame payload accepted (HTTP/2: our SETTINGS_MAX_FRAME_SIZE,
  // default 16384; SPDY: default 16 MiB - 1, the field's range).
  uint32_t max_frame_payload;
  // Largest header block (compressed, all CONTINUATIONs together), and the
  // largest decoded header list (sum of name + value + 32 per field, as
  // RFC 9113 §6.5.2 counts), default 256 KiB each.
  size_t max_header_block;
  size_t max_header_list;
} cn_spdy_framer_limits;

void cn_spdy_framer_limits_init(cn_spdy_framer_limits *l, cn_next_proto proto);

// A framer for |proto| (CN_PROTO_SPDY31 or CN_PROTO_HTTP2); NULL for any
// other. |limits| may be NULL (defaults). |is_server| selects the HTTP/2
// connection preface direction: a client framer expects none from the peer
// and writes it (cn_spdy_framer_write_preface); a server framer expects it.
cn_spdy_framer *cn_spdy_framer_new(cn_next_proto proto, bool is_server,
                                   const cn_spdy_framer_limits *limits);
void cn_spdy_framer_destroy(cn_spdy_framer *f);
cn_next_proto cn_spdy_framer_protocol(const cn_spdy_framer *f);

// Decodes |len| bytes, calling |v| for each complete frame. Returns CN_OK
// (all bytes consumed; a partial frame is kept), or an error:
// CN_ERR_HTTP2_PROTOCOL_ERROR (malformed frame, bad preface, unknown
// mandatory field, a frame on the wrong stream), CN_ERR_HTTP2_FRAME_SIZE_ERROR
// (over the limit or wrong fixed size), CN_ERR_HTTP2_COMPRESSION_ERROR
// (header block that does not decompress or is over its limit), or what a
// visitor callback returned. After an error every call returns it again.
int cn_spdy_framer_process(cn_spdy_framer *f, const uint8_t *data, size_t len,
                           const cn_spdy_frame_visitor *v);

// Encoding: each appends one frame (or, for headers, a frame plus the
// CONTINUATIONs it needs) to |out|. Header blocks are compressed with the
// framer's context, so frames must be written in the order they are sent.
// HTTP/2 client: write the connection preface + SETTINGS first.
void cn_spdy_framer_write_preface(cn_spdy_framer *f, cn_bytebuf *out);
// SPDY: SYN_STREAM when |kind| is REQUEST, SYN_REPLY when RESPONSE, HEADERS
// when TRAILERS. HTTP/2: HEADERS (+CONTINUATION) for all three; PUSH_PROMISE
// is not written (cnet never pushes). |frame->headers| names must be
// lower-case.
int cn_spdy_framer_write_headers(cn_spdy_framer *f, const cn_spdy_headers_frame *frame,
                                 cn_bytebuf *out);
// One DATA frame; |len| must not exceed the peer's maximum frame size.
void cn_spdy_framer_write_data(cn_spdy_framer *f, uint32_t stream_id, const uint8_t *data,
                               size_t len, bool fin, cn_bytebuf *out);
void cn_spdy_framer_write_rst_stream(cn_spdy_framer *f, uint32_t stream_id, uint32_t code,
                                     cn_bytebuf *out);
void cn_spdy_framer_write_settings(cn_spdy_framer *f, const cn_spdy_setting *settings,
                                   size_t num, cn_bytebuf *out);
// HTTP/2 SETTINGS with ACK; nothing for SPDY (it has no settings ack).
void cn_spdy_framer_write_settings_ack(cn_spdy_framer *f, cn_bytebuf *out);
void cn_spdy_framer_write_ping(cn_spdy_framer *f, uint64_t opaque, bool ack, cn_bytebuf *out);
void cn_spdy_framer_write_goaway(cn_spdy_framer *f, uint32_t last_stream_id, uint32_t code,
                                 cn_bytebuf *out);
void cn_spdy_framer_write_window_update(cn_spdy_framer *f, uint32_t stream_id, uint32_t delta,
                                        cn_bytebuf *out);

// The peer's SETTINGS_MAX_FRAME_SIZE / SETTINGS_HEADER_TABLE_SIZE (HTTP/2)
// once the session has acknowledged them: encoding follows them.
void cn_spdy_framer_set_peer_max_frame_size(cn_spdy_framer *f, uint32_t size);
void cn_spdy_framer_set_peer_header_table_size(cn_spdy_framer *f, uint32_t size);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_FRAMER_H_
