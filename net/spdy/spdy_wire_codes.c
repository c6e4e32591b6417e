// SPDY/3.1 and HTTP/2 wire values (see spdy_wire_codes.h). HTTP/2 codes are
// the common vocabulary.
#include "net/spdy/spdy_wire_codes.h"

#include <stdbool.h>

#include "net/base/net_errors.h"

// The protocols' initial windows: HTTP/2 65535 (RFC 9113 §6.9.2), SPDY/3.1
// 64 KiB for streams and the session.
#define HTTP2_DEFAULT_WINDOW 65535
#define SPDY3_DEFAULT_WINDOW 65536

static bool is_spdy(cn_next_proto proto) { return proto == CN_PROTO_SPDY31; }

uint32_t cn_spdy_wire_rst_code(cn_next_proto proto, uint32_t h2_code) {
  if (!is_spdy(proto))
    return h2_code;
  switch (h2_code) {
    case CN_HTTP2_FLOW_CONTROL_ERROR:
      return CN_SPDY3_FLOW_CONTROL_ERROR;
    case CN_HTTP2_STREAM_CLOSED:
      return CN_SPDY3_STREAM_ALREADY_CLOSED;
    case CN_HTTP2_FRAME_SIZE_ERROR:
      return CN_SPDY3_FRAME_TOO_LARGE;
    case CN_HTTP2_REFUSED_STREAM:
      return CN_SPDY3_REFUSED_STREAM;
    case CN_HTTP2_INTERNAL_ERROR:
      return CN_SPDY3_INTERNAL_ERROR;
    case CN_HTTP2_NO_ERROR:  // SPDY has no status 0: "stop" is CANCEL
    case CN_HTTP2_CANCEL:
      return CN_SPDY3_CANCEL;
    default:  // PROTOCOL_ERROR, COMPRESSION_ERROR, HTTP_1_1_REQUIRED
      return CN_SPDY3_PROTOCOL_ERROR;
  }
}

int cn_spdy_wire_rst_error(cn_next_proto proto, uint32_t code) {
  if (is_spdy(proto)) {
    switch (code) {
      case CN_SPDY3_PROTOCOL_ERROR:
      case 4:  // UNSUPPORTED_VERSION
      case CN_SPDY3_STREAM_IN_USE:
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      case CN_SPDY3_REFUSED_STREAM:
        return CN_ERR_HTTP2_SERVER_REFUSED_STREAM;
      case CN_SPDY3_FLOW_CONTROL_ERROR:
        return CN_ERR_HTTP2_FLOW_CONTROL_ERROR;
      case CN_SPDY3_FRAME_TOO_LARGE:
        return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
      default:
        return CN_ERR_HTTP2_STREAM_CLOSED;
    }
  }
  switch (code) {
    case CN_HTTP2_PROTOCOL_ERROR:
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    case CN_HTTP2_REFUSED_STREAM:
      return CN_ERR_HTTP2_SERVER_REFUSED_STREAM;
    case CN_HTTP2_FLOW_CONTROL_ERROR:
      return CN_ERR_HTTP2_FLOW_CONTROL_ERROR;
    case CN_HTTP2_FRAME_SIZE_ERROR:
      return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    case CN_HTTP2_COMPRESSION_ERROR:
      return CN_ERR_HTTP2_COMPRESSION_ERROR;
    case CN_HTTP2_HTTP_1_1_REQUIRED:
      return CN_ERR_HTTP_1_1_REQUIRED;
    default:
      return CN_ERR_HTTP2_STREAM_CLOSED;
  }
}

uint32_t cn_spdy_wire_goaway_code(cn_next_proto proto, uint32_t h2_code) {
  if (!is_spdy(proto))
    return h2_code;
  if (h2_code == CN_HTTP2_NO_ERROR)
    return CN_SPDY3_GOAWAY_OK;
  if (h2_code == CN_HTTP2_INTERNAL_ERROR)
    return CN_SPDY3_GOAWAY_INTERNAL_ERROR;
  return CN_SPDY3_GOAWAY_PROTOCOL_ERROR;
}

uint32_t cn_spdy_wire_h2_code_for_error(int err) {
  switch (err) {
    case CN_ERR_HTTP2_PROTOCOL_ERROR:
      return CN_HTTP2_PROTOCOL_ERROR;
    case CN_ERR_HTTP2_FLOW_CONTROL_ERROR:
      return CN_HTTP2_FLOW_CONTROL_ERROR;
    case CN_ERR_HTTP2_FRAME_SIZE_ERROR:
      return CN_HTTP2_FRAME_SIZE_ERROR;
    case CN_ERR_HTTP2_COMPRESSION_ERROR:
      return CN_HTTP2_COMPRESSION_ERROR;
    case CN_ERR_ABORTED:
    case CN_ERR_HTTP2_PING_FAILED:
      return CN_HTTP2_NO_ERROR;
    default:
      return CN_HTTP2_INTERNAL_ERROR;
  }
}

uint32_t cn_spdy_wire_setting_id(cn_next_proto proto, cn_spdy_wire_setting setting) {
  bool max_streams = setting == CN_SPDY_WIRE_SETTING_MAX_CONCURRENT_STREAMS;
  if (is_spdy(proto))
    return max_streams ? CN_SPDY3_SETTINGS_MAX_CONCURRENT_STREAMS
                       : CN_SPDY3_SETTINGS_INITIAL_WINDOW_SIZE;
  return max_streams ? CN_HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS
                     : CN_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE;
}

int64_t cn_spdy_wire_default_window(cn_next_proto proto) {
  return is_spdy(proto) ? SPDY3_DEFAULT_WINDOW : HTTP2_DEFAULT_WINDOW;
}

const char *cn_spdy_wire_headers_frame_name(cn_next_proto proto, cn_spdy_headers_kind kind) {
  if (!is_spdy(proto))
    return kind == CN_SPDY_HEADERS_PUSH ? "PUSH_PROMISE" : "HEADERS";
  switch (kind) {
    case CN_SPDY_HEADERS_REQUEST:
      return "SYN_STREAM";
    case CN_SPDY_HEADERS_RESPONSE:
      return "SYN_REPLY";
    default:
      return "HEADERS";
  }
}
