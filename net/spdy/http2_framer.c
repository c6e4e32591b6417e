// The HTTP/2 framer (RFC 9113 §3.4, §4, §6) behind cn_spdy_framer.
//
// Decisions beyond what spdy_framer.h states:
//  - Preface. A client's write_preface writes only the 24-byte magic; the
//    SETTINGS frame that must follow it is the caller's next write_settings
//    (the session owns the values). A server's write_preface writes nothing
//    (its preface is just that SETTINGS frame). A server framer requires the
//    magic before anything else, and both require the peer's first frame to
//    be a SETTINGS without ACK (§3.4); otherwise CN_ERR_HTTP2_PROTOCOL_ERROR.
//  - Every error is a connection error: a framer has no stream state, so the
//    stream errors of the RFC (a PRIORITY or RST_STREAM of the wrong size, a
//    malformed header list) end the connection too. Two exceptions are left
//    to the session: a WINDOW_UPDATE of 0 on a stream is reported as
//    on_window_update(id, 0) (the session answers RST_STREAM PROTOCOL_ERROR),
//    while on stream 0 it is CN_ERR_HTTP2_PROTOCOL_ERROR here; and a PRIORITY
//    naming its own stream is passed on.
//  - Sizes: a frame too short for its fixed fields, or of the wrong fixed
//    size, is CN_ERR_HTTP2_FRAME_SIZE_ERROR; padding longer than what is left
//    is CN_ERR_HTTP2_PROTOCOL_ERROR (§6.1, §6.2).
//  - Header blocks: the compressed block (the fragments of HEADERS or
//    PUSH_PROMISE and its CONTINUATIONs, padding excluded) is bounded by
//    limits.max_header_block, the decoded list by limits.max_header_list, and
//    a block by MAX_CONTINUATIONS CONTINUATION frames (empty CONTINUATIONs
//    cost nothing otherwise); each is CN_ERR_HTTP2_COMPRESSION_ERROR, like
//    HPACK that does not decode. Fields HTTP/2 forbids (upper-case names, see
//    http2_hpack.h) are CN_ERR_HTTP2_PROTOCOL_ERROR.
//  - SETTINGS values the RFC makes connection errors are checked here
//    (ENABLE_PUSH not 0/1, or 1 from a server; INITIAL_WINDOW_SIZE over
//    2^31-1 → CN_ERR_HTTP2_FLOW_CONTROL_ERROR; MAX_FRAME_SIZE out of range).
//    Unknown ids are passed on (the session ignores them).
//  - PUSH_PROMISE received by a server, or promising stream 0, is a protocol
//    error (§8.4, §6.6). Unknown frame types are skipped without buffering,
//    except inside a header block where nothing but CONTINUATION may appear.
//  - limits.max_frame_payload is our SETTINGS_MAX_FRAME_SIZE, so it is kept
//    within what that setting may say: [16384, 2^24-1].
//  - Encoding: write_headers returns CN_ERR_NOT_IMPLEMENTED for PUSH,
//    CN_ERR_INVALID_ARGUMENT for stream 0 or a field HTTP/2 cannot carry
//    (nothing written, context intact), CN_ERR_HTTP2_COMPRESSION_ERROR if
//    nghttp2 fails (the context is then lost: close the connection). Fields
//    go out in the order given (pseudo-headers first is the caller's job);
//    authorization and proxy-authorization are never indexed. Weights are
//    clamped to 1..256. write_data aborts on a payload over the peer's
//    maximum frame size, a caller bug. Both HPACK tables are 4096 bytes.
//
// Buffering: a frame header or payload split across process() calls is
// copied (the payload into a buffer that grows as bytes arrive, so a peer
// announcing a large frame gets no allocation it has not sent); a frame whose
// payload is wholly in the caller's buffer is decoded in place, DATA passed to
// on_data by pointer into it.
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/base/net_errors.h"
#include "net/spdy/http2_hpack.h"
#include "net/spdy/spdy_framer_internal.h"

enum {
  kFrameData = 0x0,
  kFrameHeaders = 0x1,
  kFramePriority = 0x2,
  kFrameRstStream = 0x3,
  kFrameSettings = 0x4,
  kFramePushPromise = 0x5,
  kFramePing = 0x6,
  kFrameGoaway = 0x7,
  kFrameWindowUpdate = 0x8,
  kFrameContinuation = 0x9,
};

enum {
  kFlagEndStream = 0x1,
  kFlagAck = 0x1,
  kFlagEndHeaders = 0x4,
  kFlagPadded = 0x8,
  kFlagPriority = 0x20,
};

#define FRAME_HEADER_LEN 9
#define PREFACE_LEN 24
#define MIN_MAX_FRAME_SIZE 16384u
#define MAX_MAX_FRAME_SIZE ((1u << 24) - 1)
#define STREAM_ID_MASK 0x7fffffffu
#define CN_HTTP2_MAX_WINDOW 0x7fffffffu
// See the top comment; a real peer needs a handful even for a block at the
// default 256 KiB limit with 16 KiB frames.
#define MAX_CONTINUATIONS 1024u
// A partial-frame buffer above this is released after the frame.
#define KEEP_BYTES (64 * 1024)

static const uint8_t kPreface[PREFACE_LEN] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

typedef enum {
  ST_PREFACE,  // server: matching the client's magic
  ST_HEADER,   // reading a 9-byte frame header
  ST_PAYLOAD,  // accumulating a payload that spans calls
  ST_SKIP,     // discarding an unknown frame's payload
} h2_state;

typedef struct h2_framer {
  cn_spdy_framer base;
  h2_state state;
  size_t preface_matched;
  bool seen_settings;  // the peer's first frame was SETTINGS

  // The frame being decoded.
  uint8_t header[FRAME_HEADER_LEN];
  size_t header_len;  // bytes of |header| held (split header only)
  uint32_t length;
  uint8_t type;
  uint8_t flags;
  uint32_t stream_id;
  cn_bytebuf payload;     // a payload that spans calls
  size_t skip_remaining;  // ST_SKIP

  // A header block started by HEADERS/PUSH_PROMISE, until END_HEADERS.
  bool in_block;
  cn_spdy_headers_frame block;  // everything but the header list
  size_t block_bytes;
  unsigned continuations;
  cn_http2_hpack_decoder *decoder;

  cn_spdy_setting *settings;  // reused for every SETTINGS frame
  size_t settings_cap;

  // Encoding.
  cn_http2_hpack_encoder *encoder;
  uint32_t peer_max_frame;
} h2_framer;

static inline h2_framer *h2(cn_spdy_framer *f) { return (h2_framer *)f; }

static inline uint32_t get_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void put_frame_header(uint8_t *p, size_t len, uint8_t type, uint8_t flags,
                             uint32_t stream_id) {
  p[0] = (uint8_t)(len >> 16);
  p[1] = (uint8_t)(len >> 8);
  p[2] = (uint8_t)len;
  p[3] = type;
  p[4] = flags;
  put_be32(p + 5, stream_id & STREAM_ID_MASK);
}

// --- Decoding ---

// Checks what the 9-byte header alone can tell (§4, §6 per type) before any
// payload byte is read, so that a bad frame is refused without buffering it.
static int check_frame_header(h2_framer *f) {
  uint32_t len = f->length;
  if (len > f->base.limits.max_frame_payload)
    return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
  if (!f->seen_settings) {
    if (f->type != kFrameSettings || (f->flags & kFlagAck))
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    f->seen_settings = true;
  }
  // §6.10: between a header-carrying frame without END_HEADERS and its last
  // CONTINUATION nothing else may be sent, on any stream.
  if (f->in_block) {
    if (f->type != kFrameContinuation || f->stream_id != f->block.stream_id)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
  } else if (f->type == kFrameContinuation) {
    return CN_ERR_HTTP2_PROTOCOL_ERROR;
  }
  switch (f->type) {
    case kFrameData:
    case kFrameHeaders:
    case kFrameContinuation:
      if (f->stream_id == 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      return CN_OK;
    case kFramePushPromise:
      if (f->stream_id == 0 || f->base.is_server)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      return CN_OK;
    case kFramePriority:
      if (f->stream_id == 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      return len == 5 ? CN_OK : CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    case kFrameRstStream:
      if (f->stream_id == 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      return len == 4 ? CN_OK : CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    case kFrameSettings:
      if (f->stream_id != 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      if ((f->flags & kFlagAck) && len != 0)
        return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
      return len % 6 == 0 ? CN_OK : CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    case kFramePing:
      if (f->stream_id != 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      return len == 8 ? CN_OK : CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    case kFrameGoaway:
      if (f->stream_id != 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      return len >= 8 ? CN_OK : CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    case kFrameWindowUpdate:
      return len == 4 ? CN_OK : CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    default:
      return CN_OK;  // an extension frame: skipped
  }
}

static bool is_known_type(uint8_t type) { return type <= kFrameContinuation; }

// Strips the Pad Length field and the padding of a PADDED frame. |*off| is
// where the fields after Pad Length start; |*end| where the padding starts.
static int strip_padding(const h2_framer *f, const uint8_t *p, size_t n, size_t *off,
                         size_t *end) {
  *off = 0;
  *end = n;
  if (!(f->flags & kFlagPadded))
    return CN_OK;
  if (n < 1)
    return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
  // Here only that the padding fits in the frame at all; the caller checks it
  // against what its other fixed fields leave.
  if (p[0] > n - 1)
    return CN_ERR_HTTP2_PROTOCOL_ERROR;
  *off = 1;
  *end = n - p[0];
  return CN_OK;
}

// One fragment of the current header block; dispatches the block at its end.
static int on_fragment(h2_framer *f, const uint8_t *p, size_t n, bool end_headers,
                       const cn_spdy_frame_visitor *v) {
  if (n > f->base.limits.max_header_block - f->block_bytes)
    return CN_ERR_HTTP2_COMPRESSION_ERROR;
  f->block_bytes += n;
  int rv = cn_http2_hpack_decode(f->decoder, p, n, end_headers);
  if (rv < 0)
    return rv;
  if (!end_headers)
    return CN_OK;
  f->in_block = false;
  f->block.headers = cn_http2_hpack_decoded(f->decoder, &f->block.num_headers);
  rv = v && v->on_headers ? v->on_headers(v->ctx, &f->block) : CN_OK;
  cn_http2_hpack_decoder_reset(f->decoder);
  f->block.headers = NULL;
  f->block.num_headers = 0;
  return rv;
}

// HEADERS and PUSH_PROMISE: the fixed fields, then the first fragment.
static int on_block_start(h2_framer *f, const uint8_t *p, size_t n,
                          const cn_spdy_frame_visitor *v) {
  size_t off, end;
  int rv = strip_padding(f, p, n, &off, &end);
  if (rv < 0)
    return rv;
  cn_spdy_headers_frame *b = &f->block;
  memset(b, 0, sizeof(*b));
  b->stream_id = f->stream_id;
  if (f->type == kFrameHeaders) {
    b->kind = CN_SPDY_HEADERS_REQUEST;  // the session knows what it really is
    b->fin = (f->flags & kFlagEndStream) != 0;
    if (f->flags & kFlagPriority) {
      if (n - off < 5)
        return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
      uint32_t dep = get_be32(p + off);
      b->has_priority = true;
      b->exclusive = (dep >> 31) != 0;
      b->depends_on = dep & STREAM_ID_MASK;
      b->weight = (uint16_t)(p[off + 4] + 1);
      off += 5;
    }
  } else {
    if (n - off < 4)
      return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    b->kind = CN_SPDY_HEADERS_PUSH;
    b->associated_stream_id = get_be32(p + off) & STREAM_ID_MASK;
    if (b->associated_stream_id == 0)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    off += 4;
  }
  if (off > end)  // the padding eats into the fixed fields
    return CN_ERR_HTTP2_PROTOCOL_ERROR;
  f->in_block = true;
  f->block_bytes = 0;
  f->continuations = 0;
  return on_fragment(f, p + off, end - off, (f->flags & kFlagEndHeaders) != 0, v);
}

static int on_settings_frame(h2_framer *f, const uint8_t *p, size_t n,
                             const cn_spdy_frame_visitor *v) {
  if (f->flags & kFlagAck)
    return v && v->on_settings ? v->on_settings(v->ctx, NULL, 0, true) : CN_OK;
  size_t num = n / 6;
  if (num > f->settings_cap) {
    f->settings_cap = num < 8 ? 8 : num;
    f->settings = cn_xrealloc(f->settings, f->settings_cap * sizeof(*f->settings));
  }
  for (size_t i = 0; i < num; i++) {
    const uint8_t *s = p + i * 6;
    uint32_t id = (uint32_t)s[0] << 8 | s[1];
    uint32_t value = get_be32(s + 2);
    switch (id) {
      case CN_HTTP2_SETTINGS_ENABLE_PUSH:
        // §6.5.2: only 0 or 1, and a server never enables push.
        if (value > 1 || (value == 1 && !f->base.is_server))
          return CN_ERR_HTTP2_PROTOCOL_ERROR;
        break;
      case CN_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE:
        if (value > CN_HTTP2_MAX_WINDOW)
          return CN_ERR_HTTP2_FLOW_CONTROL_ERROR;
        break;
      case CN_HTTP2_SETTINGS_MAX_FRAME_SIZE:
        if (value < MIN_MAX_FRAME_SIZE || value > MAX_MAX_FRAME_SIZE)
          return CN_ERR_HTTP2_PROTOCOL_ERROR;
        break;
      default:
        break;
    }
    f->settings[i] = (cn_spdy_setting){.id = id, .value = value, .spdy_flags = 0};
  }
  return v && v->on_settings ? v->on_settings(v->ctx, f->settings, num, false) : CN_OK;
}

// A complete payload of a known frame type whose header passed
// check_frame_header.
static int on_frame(h2_framer *f, const uint8_t *p, size_t n, const cn_spdy_frame_visitor *v) {
  switch (f->type) {
    case kFrameData: {
      size_t off, end;
      int rv = strip_padding(f, p, n, &off, &end);
      if (rv < 0)
        return rv;
      if (!v || !v->on_data)
        return CN_OK;
      // Flow control counts the whole payload, padding included (§6.9.1).
      return v->on_data(v->ctx, f->stream_id, p + off, end - off,
                        (f->flags & kFlagEndStream) != 0, n);
    }
    case kFrameHeaders:
    case kFramePushPromise:
      return on_block_start(f, p, n, v);
    case kFrameContinuation:
      if (++f->continuations > MAX_CONTINUATIONS)
        return CN_ERR_HTTP2_COMPRESSION_ERROR;
      return on_fragment(f, p, n, (f->flags & kFlagEndHeaders) != 0, v);
    case kFramePriority: {
      uint32_t dep = get_be32(p);
      if (!v || !v->on_priority)
        return CN_OK;
      return v->on_priority(v->ctx, f->stream_id, dep & STREAM_ID_MASK, (dep >> 31) != 0,
                            (uint16_t)(p[4] + 1));
    }
    case kFrameRstStream:
      return v && v->on_rst_stream ? v->on_rst_stream(v->ctx, f->stream_id, get_be32(p)) : CN_OK;
    case kFrameSettings:
      return on_settings_frame(f, p, n, v);
    case kFramePing: {
      uint64_t opaque = (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
      return v && v->on_ping ? v->on_ping(v->ctx, opaque, (f->flags & kFlagAck) != 0) : CN_OK;
    }
    case kFrameGoaway:
      if (!v || !v->on_goaway)
        return CN_OK;
      return v->on_goaway(v->ctx, get_be32(p) & STREAM_ID_MASK, get_be32(p + 4), p + 8, n - 8);
    case kFrameWindowUpdate: {
      uint32_t delta = get_be32(p) & STREAM_ID_MASK;
      if (delta == 0 && f->stream_id == 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      if (!v || !v->on_window_update)
        return CN_OK;
      return v->on_window_update(v->ctx, f->stream_id, delta);
    }
    default:
      return CN_OK;
  }
}

static void release_payload(h2_framer *f) {
  if (f->payload.cap > KEEP_BYTES)
    cn_bytebuf_free(&f->payload);
  else
    cn_bytebuf_clear(&f->payload);
}

static int h2_process(cn_spdy_framer *base, const uint8_t *data, size_t len,
                      const cn_spdy_frame_visitor *v) {
  h2_framer *f = h2(base);
  while (len > 0) {
    switch (f->state) {
      case ST_PREFACE: {
        size_t n = PREFACE_LEN - f->preface_matched;
        if (n > len)
          n = len;
        if (memcmp(data, kPreface + f->preface_matched, n) != 0)
          return CN_ERR_HTTP2_PROTOCOL_ERROR;
        f->preface_matched += n;
        data += n;
        len -= n;
        if (f->preface_matched == PREFACE_LEN)
          f->state = ST_HEADER;
        break;
      }
      case ST_HEADER: {
        const uint8_t *h =
            cn_spdy_framer_take_header(f->header, &f->header_len, FRAME_HEADER_LEN, &data, &len);
        if (!h)
          return CN_OK;
        f->length = (uint32_t)h[0] << 16 | (uint32_t)h[1] << 8 | h[2];
        f->type = h[3];
        f->flags = h[4];
        f->stream_id = get_be32(h + 5) & STREAM_ID_MASK;  // the R bit is ignored (§4.1)
        int rv = check_frame_header(f);
        if (rv < 0)
          return rv;
        if (!is_known_type(f->type)) {
          f->skip_remaining = f->length;
          if (f->skip_remaining > 0)
            f->state = ST_SKIP;
          break;
        }
        if (f->length <= len) {
          // The whole payload is here: decode it in place.
          rv = on_frame(f, data, f->length, v);
          if (rv < 0)
            return rv;
          data += f->length;
          len -= f->length;
          break;
        }
        cn_bytebuf_append(&f->payload, data, len);
        f->state = ST_PAYLOAD;
        return CN_OK;
      }
      case ST_PAYLOAD: {
        size_t n = f->length - cn_bytebuf_len(&f->payload);
        if (n > len)
          n = len;
        cn_bytebuf_append(&f->payload, data, n);
        data += n;
        len -= n;
        if (cn_bytebuf_len(&f->payload) < f->length)
          return CN_OK;
        f->state = ST_HEADER;
        int rv = on_frame(f, cn_bytebuf_head(&f->payload), f->length, v);
        release_payload(f);
        if (rv < 0)
          return rv;
        break;
      }
      case ST_SKIP: {
        size_t n = f->skip_remaining < len ? f->skip_remaining : len;
        f->skip_remaining -= n;
        data += n;
        len -= n;
        if (f->skip_remaining == 0)
          f->state = ST_HEADER;
        break;
      }
    }
  }
  return CN_OK;
}

// --- Encoding ---

static uint8_t *frame_start(cn_bytebuf *out, size_t payload_len, uint8_t type, uint8_t flags,
                            uint32_t stream_id) {
  uint8_t *p = cn_bytebuf_reserve(out, FRAME_HEADER_LEN + payload_len);
  put_frame_header(p, payload_len, type, flags, stream_id);
  cn_bytebuf_commit(out, FRAME_HEADER_LEN + payload_len);
  return p + FRAME_HEADER_LEN;
}

static void h2_write_preface(cn_spdy_framer *base, cn_bytebuf *out) {
  if (!base->is_server)
    cn_bytebuf_append(out, kPreface, PREFACE_LEN);
}

// HEADERS (+ CONTINUATIONs). The block is compressed straight into |out|
// after room for the HEADERS frame header; only when it needs CONTINUATIONs
// are its later pieces moved apart to make room for their frame headers.
static int h2_write_headers(cn_spdy_framer *base, const cn_spdy_headers_frame *frame,
                            cn_bytebuf *out) {
  h2_framer *f = h2(base);
  if (frame->kind == CN_SPDY_HEADERS_PUSH)
    return CN_ERR_NOT_IMPLEMENTED;  // cnet never pushes
  if (frame->stream_id == 0 || frame->stream_id > STREAM_ID_MASK)
    return CN_ERR_INVALID_ARGUMENT;
  size_t max = f->peer_max_frame;
  size_t prio_len = frame->has_priority ? 5 : 0;
  size_t bound = cn_http2_hpack_encode_bound(f->encoder, frame->headers, frame->num_headers);
  size_t first_cap = max - prio_len;
  size_t extra_frames = bound > first_cap ? (bound - first_cap + max - 1) / max : 0;
  uint8_t *start = cn_bytebuf_reserve(
      out, FRAME_HEADER_LEN + prio_len + bound + extra_frames * FRAME_HEADER_LEN);
  uint8_t *block = start + FRAME_HEADER_LEN + prio_len;
  long rv = cn_http2_hpack_encode(f->encoder, frame->headers, frame->num_headers, block, bound);
  if (rv < 0)
    return (int)rv;
  size_t block_len = (size_t)rv;
  size_t first = block_len < first_cap ? block_len : first_cap;
  size_t rest = block_len - first;
  size_t conts = (rest + max - 1) / max;

  // Move the pieces after the first, last one first (they only move
  // forward), each past the frame headers of the CONTINUATIONs before it.
  for (size_t i = conts; i > 0; i--) {
    size_t piece_off = first + (i - 1) * max;
    size_t piece_len = i == conts ? rest - (i - 1) * max : max;
    uint8_t *dst = block + piece_off + i * FRAME_HEADER_LEN;
    memmove(dst, block + piece_off, piece_len);
    put_frame_header(dst - FRAME_HEADER_LEN, piece_len, kFrameContinuation,
                     i == conts ? kFlagEndHeaders : 0, frame->stream_id);
  }

  uint8_t flags = 0;
  if (frame->fin)
    flags |= kFlagEndStream;
  if (conts == 0)
    flags |= kFlagEndHeaders;
  if (frame->has_priority) {
    flags |= kFlagPriority;
    uint8_t *prio = start + FRAME_HEADER_LEN;
    put_be32(prio, (frame->depends_on & STREAM_ID_MASK) | (frame->exclusive ? 0x80000000u : 0));
    // The wire carries weight - 1; out-of-range weights are clamped to 1..256.
    uint16_t w = frame->weight < 1 ? 1 : frame->weight > 256 ? 256 : frame->weight;
    prio[4] = (uint8_t)(w - 1);
  }
  put_frame_header(start, prio_len + first, kFrameHeaders, flags, frame->stream_id);
  cn_bytebuf_commit(out, FRAME_HEADER_LEN + prio_len + block_len + conts * FRAME_HEADER_LEN);
  return CN_OK;
}

static void h2_write_data(cn_spdy_framer *base, uint32_t stream_id, const uint8_t *data,
                          size_t len, bool fin, cn_bytebuf *out) {
  if (len > h2(base)->peer_max_frame)
    abort();  // a caller bug: the session splits DATA at the peer's frame size
  uint8_t *p = frame_start(out, len, kFrameData, fin ? kFlagEndStream : 0, stream_id);
  if (len)
    memcpy(p, data, len);
}

static void h2_write_rst_stream(cn_spdy_framer *base, uint32_t stream_id, uint32_t code,
                                cn_bytebuf *out) {
  put_be32(frame_start(out, 4, kFrameRstStream, 0, stream_id), code);
}

static void h2_write_settings(cn_spdy_framer *base, const cn_spdy_setting *settings, size_t num,
                              cn_bytebuf *out) {
  if (num > MIN_MAX_FRAME_SIZE / 6)
    abort();  // a caller bug: more settings than a frame every peer accepts
  uint8_t *p = frame_start(out, num * 6, kFrameSettings, 0, 0);
  for (size_t i = 0; i < num; i++, p += 6) {
    p[0] = (uint8_t)(settings[i].id >> 8);
    p[1] = (uint8_t)settings[i].id;
    put_be32(p + 2, settings[i].value);
  }
}

static void h2_write_settings_ack(cn_spdy_framer *base, cn_bytebuf *out) {
  frame_start(out, 0, kFrameSettings, kFlagAck, 0);
}

static void h2_write_ping(cn_spdy_framer *base, uint64_t opaque, bool ack, cn_bytebuf *out) {
  uint8_t *p = frame_start(out, 8, kFramePing, ack ? kFlagAck : 0, 0);
  put_be32(p, (uint32_t)(opaque >> 32));
  put_be32(p + 4, (uint32_t)opaque);
}

static void h2_write_goaway(cn_spdy_framer *base, uint32_t last_stream_id, uint32_t code,
                            cn_bytebuf *out) {
  uint8_t *p = frame_start(out, 8, kFrameGoaway, 0, 0);
  put_be32(p, last_stream_id & STREAM_ID_MASK);
  put_be32(p + 4, code);
}

static void h2_write_window_update(cn_spdy_framer *base, uint32_t stream_id, uint32_t delta,
                                   cn_bytebuf *out) {
  put_be32(frame_start(out, 4, kFrameWindowUpdate, 0, stream_id), delta & STREAM_ID_MASK);
}

static uint32_t clamp_frame_size(uint32_t size) {
  return size < MIN_MAX_FRAME_SIZE ? MIN_MAX_FRAME_SIZE
         : size > MAX_MAX_FRAME_SIZE ? MAX_MAX_FRAME_SIZE
                                     : size;
}

static void h2_set_peer_max_frame_size(cn_spdy_framer *base, uint32_t size) {
  h2(base)->peer_max_frame = clamp_frame_size(size);
}

static void h2_set_peer_header_table_size(cn_spdy_framer *base, uint32_t size) {
  cn_http2_hpack_encoder_set_table_size(h2(base)->encoder, size);
}

static void h2_destroy(cn_spdy_framer *base) {
  h2_framer *f = h2(base);
  cn_bytebuf_free(&f->payload);
  cn_http2_hpack_decoder_destroy(f->decoder);
  cn_http2_hpack_encoder_destroy(f->encoder);
  free(f->settings);
  free(f);
}

static const cn_spdy_framer_ops kHttp2Ops = {
    .destroy = h2_destroy,
    .process = h2_process,
    .write_preface = h2_write_preface,
    .write_headers = h2_write_headers,
    .write_data = h2_write_data,
    .write_rst_stream = h2_write_rst_stream,
    .write_settings = h2_write_settings,
    .write_settings_ack = h2_write_settings_ack,
    .write_ping = h2_write_ping,
    .write_goaway = h2_write_goaway,
    .write_window_update = h2_write_window_update,
    .set_peer_max_frame_size = h2_set_peer_max_frame_size,
    .set_peer_header_table_size = h2_set_peer_header_table_size,
};

cn_spdy_framer *cn_http2_framer_new(bool is_server, const cn_spdy_framer_limits *limits) {
  h2_framer *f = CN_NEW(h2_framer);
  cn_spdy_framer_init_base(&f->base, &kHttp2Ops, CN_PROTO_HTTP2, is_server, limits);
  f->base.limits.max_frame_payload = clamp_frame_size(f->base.limits.max_frame_payload);
  f->state = is_server ? ST_PREFACE : ST_HEADER;
  cn_bytebuf_init(&f->payload);
  f->decoder = cn_http2_hpack_decoder_new(f->base.limits.max_header_list);
  f->encoder = cn_http2_hpack_encoder_new();
  f->peer_max_frame = MIN_MAX_FRAME_SIZE;  // RFC 9113's initial value
  return &f->base;
}
