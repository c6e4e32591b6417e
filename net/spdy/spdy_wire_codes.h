// Private to net/spdy: where SPDY/3.1 and HTTP/2 differ only in wire values.
//
// The session speaks HTTP/2's vocabulary (CN_HTTP2_* error codes, the
// settings it uses) and maps to and from each protocol's own values here:
// RST_STREAM and GOAWAY codes to send, the net error a peer's RST_STREAM
// means, the GOAWAY code a connection error sends, settings ids, the
// initial window, and the name of a header-carrying frame (for the NetLog).
//
// Pure functions of their arguments over immutable tables: no state, no
// ownership; returned names are static strings.
#ifndef CNET_NET_SPDY_SPDY_WIRE_CODES_H_
#define CNET_NET_SPDY_SPDY_WIRE_CODES_H_

#include <stdint.h>

#include "net/socket/next_proto.h"
#include "net/spdy/spdy_framer.h"

#ifdef __cplusplus
extern "C" {
#endif

// The settings the session sends and obeys in both protocols.
typedef enum cn_spdy_wire_setting {
  CN_SPDY_WIRE_SETTING_MAX_CONCURRENT_STREAMS,
  CN_SPDY_WIRE_SETTING_INITIAL_WINDOW_SIZE,
} cn_spdy_wire_setting;

// The RST_STREAM code |proto| sends for HTTP/2 code |h2_code| (SPDY/3.1 has
// no 0: stopping a stream is CANCEL there; codes it lacks are
// PROTOCOL_ERROR).
uint32_t cn_spdy_wire_rst_code(cn_next_proto proto, uint32_t h2_code);
// The net error a stream reset with wire code |code| of |proto| reports
// (CN_ERR_HTTP2_*; HTTP_1_1_REQUIRED is CN_ERR_HTTP_1_1_REQUIRED).
int cn_spdy_wire_rst_error(cn_next_proto proto, uint32_t code);
// The GOAWAY code |proto| sends for HTTP/2 code |h2_code| (SPDY/3.1 knows
// only OK, PROTOCOL_ERROR and INTERNAL_ERROR).
uint32_t cn_spdy_wire_goaway_code(cn_next_proto proto, uint32_t h2_code);
// The HTTP/2 code a connection error |err| sends in its GOAWAY.
uint32_t cn_spdy_wire_h2_code_for_error(int err);
// The id of |setting| in |proto|.
uint32_t cn_spdy_wire_setting_id(cn_next_proto proto, cn_spdy_wire_setting setting);
// |proto|'s initial stream and session window (HTTP/2 65535, SPDY/3.1 64 KiB).
int64_t cn_spdy_wire_default_window(cn_next_proto proto);
// The wire name of a header-carrying frame of |kind| (SYN_STREAM,
// SYN_REPLY, HEADERS, PUSH_PROMISE).
const char *cn_spdy_wire_headers_frame_name(cn_next_proto proto, cn_spdy_headers_kind kind);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_WIRE_CODES_H_
