// Private to net/spdy: the per-protocol half of cn_spdy_framer. spdy_framer.c
// dispatches every public call through these ops; spdy3_framer.c and
// http2_framer.c each provide one set.
#ifndef CNET_NET_SPDY_SPDY_FRAMER_INTERNAL_H_
#define CNET_NET_SPDY_SPDY_FRAMER_INTERNAL_H_

#include "net/spdy/spdy_framer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_spdy_framer_ops {
  void (*destroy)(cn_spdy_framer *f);
  int (*process)(cn_spdy_framer *f, const uint8_t *data, size_t len,
                 const cn_spdy_frame_visitor *v);
  void (*write_preface)(cn_spdy_framer *f, cn_bytebuf *out);
  int (*write_headers)(cn_spdy_framer *f, const cn_spdy_headers_frame *frame, cn_bytebuf *out);
  void (*write_data)(cn_spdy_framer *f, uint32_t stream_id, const uint8_t *data, size_t len,
                     bool fin, cn_bytebuf *out);
  void (*write_rst_stream)(cn_spdy_framer *f, uint32_t stream_id, uint32_t code,
                           cn_bytebuf *out);
  void (*write_settings)(cn_spdy_framer *f, const cn_spdy_setting *settings, size_t num,
                         cn_bytebuf *out);
  void (*write_settings_ack)(cn_spdy_framer *f, cn_bytebuf *out);
  void (*write_ping)(cn_spdy_framer *f, uint64_t opaque, bool ack, cn_bytebuf *out);
  void (*write_goaway)(cn_spdy_framer *f, uint32_t last_stream_id, uint32_t code,
                       cn_bytebuf *out);
  void (*write_window_update)(cn_spdy_framer *f, uint32_t stream_id, uint32_t delta,
                              cn_bytebuf *out);
  void (*set_peer_max_frame_size)(cn_spdy_framer *f, uint32_t size);
  void (*set_peer_header_table_size)(cn_spdy_framer *f, uint32_t size);
} cn_spdy_framer_ops;

// The common head of both framers (embedded first in each).
struct cn_spdy_framer {
  const cn_spdy_framer_ops *ops;
  cn_next_proto proto;
  bool is_server;
  cn_spdy_framer_limits limits;
  int error;  // sticky: once set, process() returns it
};

// Fills the common head: |limits| may be NULL (the protocol's defaults).
void cn_spdy_framer_init_base(cn_spdy_framer *f, const cn_spdy_framer_ops *ops,
                              cn_next_proto proto, bool is_server,
                              const cn_spdy_framer_limits *limits);

// Takes a frame header of |size| bytes off the input (|*data|, |*len|),
// advancing past what it used. A header the input holds whole is returned
// in place; one split across calls is gathered in |buf|, which holds
// |*buf_len| bytes of it so far: returns |buf| once it is whole (and
// |*buf_len| is 0 again), NULL while the input ran out before that.
const uint8_t *cn_spdy_framer_take_header(uint8_t *buf, size_t *buf_len, size_t size,
                                          const uint8_t **data, size_t *len);

// Constructors of the two halves (spdy3_framer.c, http2_framer.c).
cn_spdy_framer *cn_spdy3_framer_new(bool is_server, const cn_spdy_framer_limits *limits);
cn_spdy_framer *cn_http2_framer_new(bool is_server, const cn_spdy_framer_limits *limits);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SPDY_SPDY_FRAMER_INTERNAL_H_
