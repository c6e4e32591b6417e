#include "net/spdy/spdy_framer.h"

#include <string.h>

#include "net/base/net_errors.h"
#include "net/spdy/spdy_framer_internal.h"

// cn_spdy_framer_new is in spdy_framer_factory.c, so that each protocol's
// framer (and its tests) links without the other.

void cn_spdy_framer_limits_init(cn_spdy_framer_limits *l, cn_next_proto proto) {
  memset(l, 0, sizeof(*l));
  // HTTP/2's default SETTINGS_MAX_FRAME_SIZE; SPDY's 24-bit length field.
  l->max_frame_payload = proto == CN_PROTO_HTTP2 ? 16384 : (1u << 24) - 1;
  l->max_header_block = 256 * 1024;
  l->max_header_list = 256 * 1024;
}

void cn_spdy_framer_init_base(cn_spdy_framer *f, const cn_spdy_framer_ops *ops,
                              cn_next_proto proto, bool is_server,
                              const cn_spdy_framer_limits *limits) {
  f->ops = ops;
  f->proto = proto;
  f->is_server = is_server;
  if (limits)
    f->limits = *limits;
  else
    cn_spdy_framer_limits_init(&f->limits, proto);
}

const uint8_t *cn_spdy_framer_take_header(uint8_t *buf, size_t *buf_len, size_t size,
                                          const uint8_t **data, size_t *len) {
  if (*buf_len == 0 && *len >= size) {
    const uint8_t *h = *data;
    *data += size;
    *len -= size;
    return h;
  }
  size_t n = size - *buf_len;
  if (n > *len)
    n = *len;
  memcpy(buf + *buf_len, *data, n);
  *buf_len += n;
  *data += n;
  *len -= n;
  if (*buf_len < size)
    return NULL;
  *buf_len = 0;
  return buf;
}

void cn_spdy_framer_destroy(cn_spdy_framer *f) {
  if (f)
    f->ops->destroy(f);
}

cn_next_proto cn_spdy_framer_protocol(const cn_spdy_framer *f) { return f->proto; }

int cn_spdy_framer_process(cn_spdy_framer *f, const uint8_t *data, size_t len,
                           const cn_spdy_frame_visitor *v) {
  if (f->error)
    return f->error;
  int rv = f->ops->process(f, data, len, v);
  if (rv < 0)
    f->error = rv;
  return rv;
}

void cn_spdy_framer_write_preface(cn_spdy_framer *f, cn_bytebuf *out) {
  f->ops->write_preface(f, out);
}

int cn_spdy_framer_write_headers(cn_spdy_framer *f, const cn_spdy_headers_frame *frame,
                                 cn_bytebuf *out) {
  return f->ops->write_headers(f, frame, out);
}

void cn_spdy_framer_write_data(cn_spdy_framer *f, uint32_t stream_id, const uint8_t *data,
                               size_t len, bool fin, cn_bytebuf *out) {
  f->ops->write_data(f, stream_id, data, len, fin, out);
}

void cn_spdy_framer_write_rst_stream(cn_spdy_framer *f, uint32_t stream_id, uint32_t code,
                                     cn_bytebuf *out) {
  f->ops->write_rst_stream(f, stream_id, code, out);
}

void cn_spdy_framer_write_settings(cn_spdy_framer *f, const cn_spdy_setting *settings,
                                   size_t num, cn_bytebuf *out) {
  f->ops->write_settings(f, settings, num, out);
}

void cn_spdy_framer_write_settings_ack(cn_spdy_framer *f, cn_bytebuf *out) {
  f->ops->write_settings_ack(f, out);
}

void cn_spdy_framer_write_ping(cn_spdy_framer *f, uint64_t opaque, bool ack, cn_bytebuf *out) {
  f->ops->write_ping(f, opaque, ack, out);
}

void cn_spdy_framer_write_goaway(cn_spdy_framer *f, uint32_t last_stream_id, uint32_t code,
                                 cn_bytebuf *out) {
  f->ops->write_goaway(f, last_stream_id, code, out);
}

void cn_spdy_framer_write_window_update(cn_spdy_framer *f, uint32_t stream_id, uint32_t delta,
                                        cn_bytebuf *out) {
  f->ops->write_window_update(f, stream_id, delta, out);
}

void cn_spdy_framer_set_peer_max_frame_size(cn_spdy_framer *f, uint32_t size) {
  f->ops->set_peer_max_frame_size(f, size);
}

void cn_spdy_framer_set_peer_header_table_size(cn_spdy_framer *f, uint32_t size) {
  f->ops->set_peer_header_table_size(f, size);
}
