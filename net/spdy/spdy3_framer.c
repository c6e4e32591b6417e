// The SPDY/3.1 half of cn_spdy_framer (SPDY/3.1 = SPDY/3 framing plus a
// session flow-control window moved by WINDOW_UPDATE on stream 0).
//
// Wire format (spec §2.2): every frame has an 8-byte header.
//   control: |1|version(15)|type(16)|flags(8)|length(24)|
//   data:    |0|stream-id(31)|flags(8)|length(24)|
// Decoding keeps three pieces of state between calls: the bytes of a frame
// header not yet complete, the payload of a frame split across calls (only
// when the caller's buffer does not already hold it whole — complete frames
// are parsed in place), and a count of bytes to drop for a frame type we
// ignore. Events are emitted only for whole frames, which is what makes every
// split of the input produce the same events.
//
// Error mapping (the framer can only end the session; the spec's stream
// errors are left to the session where the frame carries what it needs):
//   control frame of another version         -> CN_ERR_HTTP2_PROTOCOL_ERROR
//   frame over limits.max_frame_payload,
//   fixed-size frame of the wrong length     -> CN_ERR_HTTP2_FRAME_SIZE_ERROR
//   stream id 0 on a stream frame            -> CN_ERR_HTTP2_PROTOCOL_ERROR
//   header block over limits.max_header_block,
//   not zlib / wrong dictionary / inflates over limits.max_header_list
//                                            -> CN_ERR_HTTP2_COMPRESSION_ERROR
//   decompressed block malformed (truncated, trailing bytes), empty or
//   upper-case name, NUL misplaced in a value -> CN_ERR_HTTP2_PROTOCOL_ERROR
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/base/net_errors.h"
#include "net/spdy/spdy3_zlib.h"
#include "net/spdy/spdy_framer.h"
#include "net/spdy/spdy_framer_internal.h"

#define SPDY3_VERSION 3
#define SPDY3_FRAME_HEADER_LEN 8
// The 24-bit length field.
#define SPDY3_MAX_LENGTH 0xffffffu

// Control frame types (spec §2.6). 5 (NOOP, SPDY/2) and 10 (CREDENTIAL,
// deprecated in 3.1) are among the types we ignore.
enum {
  SPDY3_SYN_STREAM = 1,
  SPDY3_SYN_REPLY = 2,
  SPDY3_RST_STREAM = 3,
  SPDY3_SETTINGS = 4,
  SPDY3_PING = 6,
  SPDY3_GOAWAY = 7,
  SPDY3_HEADERS = 8,
  SPDY3_WINDOW_UPDATE = 9,
};

#define SPDY3_FLAG_FIN 0x01
// SYN_STREAM only: the recipient may not send on the stream (server push).
// The interface has no field for it: pushed streams are recognised by their
// associated stream id, and cnet refuses them.
#define SPDY3_FLAG_UNIDIRECTIONAL 0x02

// Fixed parts before a name/value block.
#define SPDY3_SYN_STREAM_FIXED 10  // stream id, associated id, priority, slot
#define SPDY3_SYN_REPLY_FIXED 4    // stream id (HEADERS too)

// Setting ids the spec defines (1 UPLOAD_BANDWIDTH .. 8
// CLIENT_CERTIFICATE_VECTOR_SIZE); others are ignored.
#define SPDY3_SETTINGS_MAX_ID 8

// A header-list counts name + value + 32 per field (RFC 9113 §6.5.2), as
// the HTTP/2 framer counts it, so one limit means the same in both.
#define SPDY3_HEADER_OVERHEAD 32

// The partial-frame buffer is kept between frames up to this size; a larger
// one (after an unusually big frame) is released.
#define SPDY3_KEEP_PARTIAL_CAP (256 * 1024)

// Priority written when the caller gives none: the middle of 0..7.
#define SPDY3_DEFAULT_PRIORITY 3

typedef struct spdy3_framer {
  cn_spdy_framer base;  // first: the dispatch casts between the two
  cn_spdy3_deflater deflater;
  cn_spdy3_inflater inflater;

  // Decoder.
  uint8_t head[SPDY3_FRAME_HEADER_LEN];  // a frame header split across calls
  size_t head_len;
  bool in_payload;  // the current frame's header is parsed, payload pending
  bool control;
  uint16_t type;
  uint8_t flags;
  uint32_t length;
  uint32_t data_stream_id;
  uint32_t skip;        // payload bytes of an ignored frame still to drop
  // Payload of a frame split across calls; never larger than the largest
  // frame seen (so bounded by limits.max_frame_payload).
  uint8_t *partial;
  size_t partial_len;
  size_t partial_cap;
  cn_spdy_header *headers;  // decoded header list, reused across frames
  size_t headers_cap;

  // Encoder scratch: the uncompressed name/value block.
  cn_bytebuf block;
} spdy3_framer;

static const cn_spdy_frame_visitor kNoVisitor = {0};

static uint32_t get_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t get_be24(const uint8_t *p) {
  return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void put_be24(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 16);
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)v;
}

static void append_be32(cn_bytebuf *b, uint32_t v) {
  uint8_t tmp[4];
  put_be32(tmp, v);
  cn_bytebuf_append(b, tmp, sizeof(tmp));
}

// Writers are given lengths by cnet itself; one that does not fit the
// 24-bit field is a bug in the caller, not a condition to report.
static void check_length(size_t len) {
  if (len > SPDY3_MAX_LENGTH) {
    fprintf(stderr, "cnet: SPDY frame payload of %zu bytes exceeds the 24-bit length\n", len);
    abort();
  }
}

static void append_control_header(cn_bytebuf *out, uint16_t type, uint8_t flags,
                                  uint32_t length) {
  uint8_t *p = cn_bytebuf_reserve(out, SPDY3_FRAME_HEADER_LEN);
  p[0] = 0x80 | (uint8_t)(SPDY3_VERSION >> 8);
  p[1] = (uint8_t)SPDY3_VERSION;
  p[2] = (uint8_t)(type >> 8);
  p[3] = (uint8_t)type;
  p[4] = flags;
  put_be24(p + 5, length);
  cn_bytebuf_commit(out, SPDY3_FRAME_HEADER_LEN);
}

// --- Decoding ---

// Appends one entry to the decoded list, keeping the list's counted size
// within the limit.
static int add_header(spdy3_framer *f, size_t *num, size_t *list_size, const uint8_t *name,
                      size_t name_len, const uint8_t *value, size_t value_len) {
  *list_size += name_len + value_len + SPDY3_HEADER_OVERHEAD;
  if (*list_size > f->base.limits.max_header_list)
    return CN_ERR_HTTP2_COMPRESSION_ERROR;
  if (*num == f->headers_cap) {
    // Bounded: every entry counts at least 32 bytes against the limit.
    size_t cap = f->headers_cap ? f->headers_cap * 2 : 16;
    f->headers = cn_xrealloc(f->headers, cap * sizeof(*f->headers));
    f->headers_cap = cap;
  }
  f->headers[*num] = (cn_spdy_header){
      .name = (const char *)name,
      .name_len = name_len,
      .value = (const char *)value,
      .value_len = value_len,
  };
  (*num)++;
  return CN_OK;
}

// Parses a decompressed name/value block (spec §2.6.10) in place: entries
// point into |p|. A value holding several NUL-separated values becomes one
// entry per value.
static int parse_block(spdy3_framer *f, const uint8_t *p, size_t n, size_t *num_out) {
  size_t num = 0;
  size_t list_size = 0;
  if (n < 4)
    return CN_ERR_HTTP2_PROTOCOL_ERROR;
  uint32_t count = get_be32(p);
  size_t pos = 4;
  // Each pair needs two 4-byte lengths: an absurd count fails here rather
  // than after a long loop.
  if (count > (n - pos) / 8)
    return CN_ERR_HTTP2_PROTOCOL_ERROR;
  for (uint32_t i = 0; i < count; i++) {
    if (n - pos < 4)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    uint32_t name_len = get_be32(p + pos);
    pos += 4;
    if (name_len > n - pos)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    const uint8_t *name = p + pos;
    pos += name_len;
    if (n - pos < 4)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    uint32_t value_len = get_be32(p + pos);
    pos += 4;
    if (value_len > n - pos)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    const uint8_t *value = p + pos;
    pos += value_len;

    // Names are non-empty, lower-case and NUL-free (spec §2.6.10).
    if (name_len == 0)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    for (uint32_t j = 0; j < name_len; j++) {
      uint8_t c = name[j];
      if (c == 0 || (c >= 'A' && c <= 'Z'))
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
    }

    // A value is empty, or NUL-separated non-empty values: no NUL at
    // either end, no two in a row.
    const uint8_t *v = value;
    size_t left = value_len;
    for (;;) {
      const uint8_t *nul = left ? memchr(v, 0, left) : NULL;
      size_t piece = nul ? (size_t)(nul - v) : left;
      if (piece == 0 && value_len != 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      int rv = add_header(f, &num, &list_size, name, name_len, v, piece);
      if (rv < 0)
        return rv;
      if (!nul)
        break;
      v = nul + 1;
      left -= piece + 1;
      if (left == 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;  // trailing NUL
    }
  }
  // Duplicate names are not checked: the spec forbids sending them, and
  // reporting both is what their NUL-joined form would give anyway.
  if (pos != n)
    return CN_ERR_HTTP2_PROTOCOL_ERROR;
  *num_out = num;
  return CN_OK;
}

// SYN_STREAM, SYN_REPLY, HEADERS. The block is decompressed even when the
// visitor ignores headers: the inflater must see every block.
static int handle_headers(spdy3_framer *f, const uint8_t *p, const cn_spdy_frame_visitor *v) {
  cn_spdy_headers_frame frame = {0};
  size_t fixed = f->type == SPDY3_SYN_STREAM ? SPDY3_SYN_STREAM_FIXED : SPDY3_SYN_REPLY_FIXED;
  frame.stream_id = get_be32(p) & 0x7fffffff;
  if (frame.stream_id == 0)
    return CN_ERR_HTTP2_PROTOCOL_ERROR;
  frame.fin = (f->flags & SPDY3_FLAG_FIN) != 0;
  switch (f->type) {
    case SPDY3_SYN_STREAM:
      frame.kind = CN_SPDY_HEADERS_REQUEST;
      frame.associated_stream_id = get_be32(p + 4) & 0x7fffffff;
      frame.has_priority = true;
      frame.spdy_priority = p[8] >> 5;  // 3 bits; the rest of p[8] and the
                                        // slot byte p[9] are unused in 3.1
      break;
    case SPDY3_SYN_REPLY:
      frame.kind = CN_SPDY_HEADERS_RESPONSE;
      break;
    default:
      frame.kind = CN_SPDY_HEADERS_TRAILERS;
      break;
  }

  const uint8_t *raw;
  size_t raw_len;
  int rv = cn_spdy3_inflate_block(&f->inflater, p + fixed, f->length - fixed,
                                  f->base.limits.max_header_list, &raw, &raw_len);
  if (rv < 0)
    return rv;
  size_t num = 0;
  rv = parse_block(f, raw, raw_len, &num);
  if (rv < 0)
    return rv;
  frame.headers = f->headers;
  frame.num_headers = num;
  return v->on_headers ? v->on_headers(v->ctx, &frame) : CN_OK;
}

static int handle_settings(spdy3_framer *f, const uint8_t *p, const cn_spdy_frame_visitor *v) {
  uint32_t count = get_be32(p);
  // The length was checked to be 4 + a multiple of 8; the count must agree.
  if ((f->length - 4) / 8 != count)
    return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
  // Only the defined ids are passed on, each once: "if the recipient
  // discovers multiple values for the same ID, it MUST ignore all values
  // except the first one" (§2.6.4). So at most 8 entries, on the stack. The
  // frame flag FLAG_SETTINGS_CLEAR_SETTINGS concerns persisted settings,
  // which cnet does not keep.
  cn_spdy_setting settings[SPDY3_SETTINGS_MAX_ID];
  size_t num = 0;
  uint32_t seen = 0;
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *e = p + 4 + (size_t)i * 8;
    uint32_t id = get_be24(e + 1);
    if (id == 0 || id > SPDY3_SETTINGS_MAX_ID || (seen & (1u << id)))
      continue;
    seen |= 1u << id;
    settings[num++] = (cn_spdy_setting){.id = id, .value = get_be32(e + 4), .spdy_flags = e[0]};
  }
  return v->on_settings ? v->on_settings(v->ctx, settings, num, false) : CN_OK;
}

// One whole frame whose payload (f->length bytes) is at |p|.
static int handle_frame(spdy3_framer *f, const uint8_t *p, const cn_spdy_frame_visitor *v) {
  if (!f->control) {
    if (!v->on_data)
      return CN_OK;
    // SPDY has no padding: all of the payload counts against flow control.
    return v->on_data(v->ctx, f->data_stream_id, p, f->length, (f->flags & SPDY3_FLAG_FIN) != 0,
                      f->length);
  }
  switch (f->type) {
    case SPDY3_SYN_STREAM:
    case SPDY3_SYN_REPLY:
    case SPDY3_HEADERS:
      return handle_headers(f, p, v);
    case SPDY3_RST_STREAM: {
      uint32_t stream_id = get_be32(p) & 0x7fffffff;
      if (stream_id == 0)
        return CN_ERR_HTTP2_PROTOCOL_ERROR;
      // The status code goes to the session as sent (0 and unknown codes
      // included): it maps them.
      return v->on_rst_stream ? v->on_rst_stream(v->ctx, stream_id, get_be32(p + 4)) : CN_OK;
    }
    case SPDY3_SETTINGS:
      return handle_settings(f, p, v);
    case SPDY3_PING: {
      // A PING is answered with an identical frame; the id's parity tells
      // who started it (clients odd, servers even, §2.6.5). One of ours
      // coming back is reported as the ack, so the session never echoes its
      // own pings.
      uint32_t id = get_be32(p);
      bool ours = (id & 1) == (f->base.is_server ? 0u : 1u);
      return v->on_ping ? v->on_ping(v->ctx, id, ours) : CN_OK;
    }
    case SPDY3_GOAWAY:
      return v->on_goaway
                 ? v->on_goaway(v->ctx, get_be32(p) & 0x7fffffff, get_be32(p + 4), NULL, 0)
                 : CN_OK;
    case SPDY3_WINDOW_UPDATE: {
      // Stream 0 is the session window (SPDY/3.1). A delta of 0 is outside
      // the legal range but a stream error when it names a stream, so the
      // session judges it.
      uint32_t stream_id = get_be32(p) & 0x7fffffff;
      uint32_t delta = get_be32(p + 4) & 0x7fffffff;
      return v->on_window_update ? v->on_window_update(v->ctx, stream_id, delta) : CN_OK;
    }
    default:
      return CN_OK;  // not reached: ignored types are skipped unbuffered
  }
}

// Validates a frame header as soon as its 8 bytes are in, so that nothing of
// an oversized or malformed frame is buffered.
static int start_frame(spdy3_framer *f, const uint8_t *h) {
  f->control = (h[0] & 0x80) != 0;
  f->flags = h[4];
  f->length = get_be24(h + 5);
  if (f->control) {
    uint16_t version = (uint16_t)((h[0] & 0x7f) << 8 | h[1]);
    if (version != SPDY3_VERSION)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    f->type = (uint16_t)(h[2] << 8 | h[3]);
  } else {
    f->data_stream_id = get_be32(h) & 0x7fffffff;
  }
  if (f->length > f->base.limits.max_frame_payload)
    return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
  if (!f->control) {
    if (f->data_stream_id == 0)
      return CN_ERR_HTTP2_PROTOCOL_ERROR;
    f->in_payload = true;
    return CN_OK;
  }

  size_t block_fixed = 0;
  switch (f->type) {
    case SPDY3_SYN_STREAM:
      block_fixed = SPDY3_SYN_STREAM_FIXED;
      break;
    case SPDY3_SYN_REPLY:
    case SPDY3_HEADERS:
      block_fixed = SPDY3_SYN_REPLY_FIXED;
      break;
    case SPDY3_RST_STREAM:
    case SPDY3_GOAWAY:
    case SPDY3_WINDOW_UPDATE:
      if (f->length != 8)
        return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
      break;
    case SPDY3_PING:
      if (f->length != 4)
        return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
      break;
    case SPDY3_SETTINGS:
      if (f->length < 4 || (f->length - 4) % 8 != 0)
        return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
      break;
    default:
      // "Unknown control frame types are ignored" — dropped as they come,
      // never buffered.
      f->skip = f->length;
      return CN_OK;
  }
  if (block_fixed) {
    if (f->length < block_fixed)
      return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    if (f->length - block_fixed > f->base.limits.max_header_block)
      return CN_ERR_HTTP2_COMPRESSION_ERROR;
  }
  f->in_payload = true;
  return CN_OK;
}

static int spdy3_process(cn_spdy_framer *base, const uint8_t *data, size_t len,
                         const cn_spdy_frame_visitor *v) {
  spdy3_framer *f = (spdy3_framer *)base;
  if (!v)
    v = &kNoVisitor;
  for (;;) {
    if (f->skip) {
      size_t n = len < f->skip ? len : f->skip;
      f->skip -= (uint32_t)n;
      data += n;
      len -= n;
      if (f->skip)
        return CN_OK;
      continue;
    }

    if (!f->in_payload) {
      if (len == 0)
        return CN_OK;
      const uint8_t *h = cn_spdy_framer_take_header(f->head, &f->head_len,
                                                    SPDY3_FRAME_HEADER_LEN, &data, &len);
      if (!h)
        return CN_OK;
      int rv = start_frame(f, h);
      if (rv < 0)
        return rv;
      continue;
    }

    // The payload: in place when the caller's buffer has all of it,
    // otherwise gathered in |partial| (bounded by the frame limit).
    const uint8_t *payload;
    if (f->partial_len == 0 && len >= f->length) {
      payload = data;
      data += f->length;
      len -= f->length;
    } else {
      if (len == 0)
        return CN_OK;
      size_t n = f->length - f->partial_len;
      if (n > len)
        n = len;
      if (f->partial_cap < f->partial_len + n) {
        // Grow with what has arrived, not with what the header claims: a
        // peer announcing 16 MiB and sending 10 bytes costs 4 KiB. Doubling
        // keeps the copies linear; the cap is the frame's length.
        size_t cap = f->partial_cap ? f->partial_cap * 2 : 4096;
        if (cap < f->partial_len + n)
          cap = f->partial_len + n;
        if (cap > f->length)
          cap = f->length;
        f->partial = cn_xrealloc(f->partial, cap);
        f->partial_cap = cap;
      }
      memcpy(f->partial + f->partial_len, data, n);
      f->partial_len += n;
      data += n;
      len -= n;
      if (f->partial_len < f->length)
        return CN_OK;
      payload = f->partial;
    }
    f->in_payload = false;
    int rv = handle_frame(f, payload, v);
    if (f->partial_len) {
      f->partial_len = 0;
      if (f->partial_cap > SPDY3_KEEP_PARTIAL_CAP) {
        free(f->partial);
        f->partial = NULL;
        f->partial_cap = 0;
      }
    }
    if (rv < 0)
      return rv;
  }
}

// --- Encoding ---

static bool valid_name(const cn_spdy_header *h) {
  if (h->name_len == 0)
    return false;
  for (size_t i = 0; i < h->name_len; i++) {
    unsigned char c = (unsigned char)h->name[i];
    if (c == 0 || (c >= 'A' && c <= 'Z'))
      return false;
  }
  return true;
}

static bool same_name(const cn_spdy_header *a, const cn_spdy_header *b) {
  return a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0;
}

// Builds the uncompressed name/value block in f->block. SPDY allows each
// name once, so every header with a name already seen is folded into the
// first one's value, NUL-separated, in order. Empty values are left out of a
// join (a joined value may hold no empty part). Quadratic in the number of
// headers, which cnet keeps small when it writes.
static int build_block(spdy3_framer *f, const cn_spdy_header *headers, size_t num) {
  cn_bytebuf *b = &f->block;
  cn_bytebuf_clear(b);
  // Validate first: a refused block must leave the deflater untouched.
  size_t total = 4;
  for (size_t i = 0; i < num; i++) {
    const cn_spdy_header *h = &headers[i];
    if (!valid_name(h))
      return CN_ERR_INVALID_ARGUMENT;
    if (h->name_len > SPDY3_MAX_LENGTH || h->value_len > SPDY3_MAX_LENGTH)
      return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
    if (h->value_len && memchr(h->value, 0, h->value_len))
      return CN_ERR_INVALID_ARGUMENT;  // NUL is the value separator
    total += 8 + h->name_len + h->value_len + 1;
    if (total > SPDY3_MAX_LENGTH)
      return CN_ERR_HTTP2_FRAME_SIZE_ERROR;
  }
  cn_bytebuf_reserve(b, total);

  uint32_t count = 0;
  append_be32(b, 0);  // patched below
  for (size_t i = 0; i < num; i++) {
    const cn_spdy_header *h = &headers[i];
    bool seen = false;
    for (size_t k = 0; k < i && !seen; k++)
      seen = same_name(&headers[k], h);
    if (seen)
      continue;
    count++;
    append_be32(b, (uint32_t)h->name_len);
    cn_bytebuf_append(b, h->name, h->name_len);
    size_t len_at = cn_bytebuf_len(b);
    append_be32(b, 0);  // value length, patched below
    size_t value_len = 0;
    for (size_t k = i; k < num; k++) {
      const cn_spdy_header *o = &headers[k];
      if (!o->value_len || !same_name(o, h))
        continue;
      if (value_len) {
        cn_bytebuf_append(b, "", 1);  // the NUL separator
        value_len++;
      }
      cn_bytebuf_append(b, o->value, o->value_len);
      value_len += o->value_len;
    }
    put_be32(cn_bytebuf_head(b) + len_at, (uint32_t)value_len);
  }
  put_be32(cn_bytebuf_head(b), count);
  return CN_OK;
}

static int spdy3_write_headers(cn_spdy_framer *base, const cn_spdy_headers_frame *frame,
                               cn_bytebuf *out) {
  spdy3_framer *f = (spdy3_framer *)base;
  uint16_t type;
  size_t fixed;
  switch (frame->kind) {
    case CN_SPDY_HEADERS_REQUEST:
      type = SPDY3_SYN_STREAM;
      fixed = SPDY3_SYN_STREAM_FIXED;
      break;
    case CN_SPDY_HEADERS_RESPONSE:
      type = SPDY3_SYN_REPLY;
      fixed = SPDY3_SYN_REPLY_FIXED;
      break;
    case CN_SPDY_HEADERS_TRAILERS:
      type = SPDY3_HEADERS;
      fixed = SPDY3_SYN_REPLY_FIXED;
      break;
    default:
      return CN_ERR_INVALID_ARGUMENT;  // PUSH_PROMISE is HTTP/2's
  }
  if (frame->stream_id == 0 || frame->stream_id > 0x7fffffff)
    return CN_ERR_INVALID_ARGUMENT;
  if (frame->num_headers && !frame->headers)
    return CN_ERR_INVALID_ARGUMENT;
  int rv = build_block(f, frame->headers, frame->num_headers);
  if (rv < 0)
    return rv;
  // deflate's worst case (stored blocks) must still fit the length field;
  // checked before compressing so a refusal keeps the stream in step.
  size_t raw = cn_bytebuf_len(&f->block);
  if (fixed + raw + (raw >> 12) + (raw >> 14) + 64 > SPDY3_MAX_LENGTH)
    return CN_ERR_HTTP2_FRAME_SIZE_ERROR;

  size_t frame_at = cn_bytebuf_len(out);
  append_control_header(out, type, frame->fin ? SPDY3_FLAG_FIN : 0, 0);
  append_be32(out, frame->stream_id);
  if (type == SPDY3_SYN_STREAM) {
    append_be32(out, frame->associated_stream_id & 0x7fffffff);
    uint8_t pri = frame->has_priority ? frame->spdy_priority : SPDY3_DEFAULT_PRIORITY;
    if (pri > 7)
      pri = 7;
    uint8_t tail[2] = {(uint8_t)(pri << 5), 0};  // priority, slot 0
    cn_bytebuf_append(out, tail, sizeof(tail));
  }
  cn_spdy3_deflate_block(&f->deflater, cn_bytebuf_head(&f->block), raw, out);
  size_t length = cn_bytebuf_len(out) - frame_at - SPDY3_FRAME_HEADER_LEN;
  put_be24(cn_bytebuf_head(out) + frame_at + 5, (uint32_t)length);
  if (f->block.cap > SPDY3_KEEP_PARTIAL_CAP)
    cn_bytebuf_free(&f->block);
  return CN_OK;
}

static void spdy3_write_data(cn_spdy_framer *base, uint32_t stream_id, const uint8_t *data,
                             size_t len, bool fin, cn_bytebuf *out) {
  (void)base;
  check_length(len);
  uint8_t *p = cn_bytebuf_reserve(out, SPDY3_FRAME_HEADER_LEN);
  put_be32(p, stream_id & 0x7fffffff);
  p[4] = fin ? SPDY3_FLAG_FIN : 0;
  put_be24(p + 5, (uint32_t)len);
  cn_bytebuf_commit(out, SPDY3_FRAME_HEADER_LEN);
  cn_bytebuf_append(out, data, len);
}

static void spdy3_write_rst_stream(cn_spdy_framer *base, uint32_t stream_id, uint32_t code,
                                   cn_bytebuf *out) {
  (void)base;
  append_control_header(out, SPDY3_RST_STREAM, 0, 8);
  append_be32(out, stream_id & 0x7fffffff);
  append_be32(out, code);
}

static void spdy3_write_settings(cn_spdy_framer *base, const cn_spdy_setting *settings,
                                 size_t num, cn_bytebuf *out) {
  (void)base;
  check_length(num > (SPDY3_MAX_LENGTH - 4) / 8 ? SPDY3_MAX_LENGTH + 1 : 4 + num * 8);
  append_control_header(out, SPDY3_SETTINGS, 0, (uint32_t)(4 + num * 8));
  append_be32(out, (uint32_t)num);
  for (size_t i = 0; i < num; i++) {
    uint8_t e[8];
    e[0] = settings[i].spdy_flags;
    put_be24(e + 1, settings[i].id & SPDY3_MAX_LENGTH);
    put_be32(e + 4, settings[i].value);
    cn_bytebuf_append(out, e, sizeof(e));
  }
}

// SPDY has no connection preface, no SETTINGS ack, no peer frame-size or
// header-table setting: these are no-ops.
static void spdy3_write_nothing(cn_spdy_framer *base, cn_bytebuf *out) {
  (void)base;
  (void)out;
}

static void spdy3_set_nothing(cn_spdy_framer *base, uint32_t size) {
  (void)base;
  (void)size;
}

// A reply to a peer's PING is the same frame, so |ack| changes nothing; the
// id is the low 32 bits of |opaque|.
static void spdy3_write_ping(cn_spdy_framer *base, uint64_t opaque, bool ack, cn_bytebuf *out) {
  (void)base;
  (void)ack;
  append_control_header(out, SPDY3_PING, 0, 4);
  append_be32(out, (uint32_t)opaque);
}

static void spdy3_write_goaway(cn_spdy_framer *base, uint32_t last_stream_id, uint32_t code,
                               cn_bytebuf *out) {
  (void)base;
  append_control_header(out, SPDY3_GOAWAY, 0, 8);
  append_be32(out, last_stream_id & 0x7fffffff);
  append_be32(out, code);
}

static void spdy3_write_window_update(cn_spdy_framer *base, uint32_t stream_id, uint32_t delta,
                                      cn_bytebuf *out) {
  (void)base;
  append_control_header(out, SPDY3_WINDOW_UPDATE, 0, 8);
  append_be32(out, stream_id & 0x7fffffff);
  append_be32(out, delta & 0x7fffffff);
}

static void spdy3_destroy(cn_spdy_framer *base) {
  spdy3_framer *f = (spdy3_framer *)base;
  cn_spdy3_deflater_free(&f->deflater);
  cn_spdy3_inflater_free(&f->inflater);
  free(f->partial);
  cn_bytebuf_free(&f->block);
  free(f->headers);
  free(f);
}

static const cn_spdy_framer_ops kSpdy3Ops = {
    .destroy = spdy3_destroy,
    .process = spdy3_process,
    .write_preface = spdy3_write_nothing,
    .write_headers = spdy3_write_headers,
    .write_data = spdy3_write_data,
    .write_rst_stream = spdy3_write_rst_stream,
    .write_settings = spdy3_write_settings,
    .write_settings_ack = spdy3_write_nothing,
    .write_ping = spdy3_write_ping,
    .write_goaway = spdy3_write_goaway,
    .write_window_update = spdy3_write_window_update,
    .set_peer_max_frame_size = spdy3_set_nothing,
    .set_peer_header_table_size = spdy3_set_nothing,
};

cn_spdy_framer *cn_spdy3_framer_new(bool is_server, const cn_spdy_framer_limits *limits) {
  spdy3_framer *f = CN_NEW(spdy3_framer);
  cn_spdy_framer_init_base(&f->base, &kSpdy3Ops, CN_PROTO_SPDY31, is_server, limits);
  cn_spdy3_deflater_init(&f->deflater);
  cn_spdy3_inflater_init(&f->inflater);
  cn_bytebuf_init(&f->block);
  return &f->base;
}
