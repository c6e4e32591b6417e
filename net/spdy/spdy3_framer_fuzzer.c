// libFuzzer target for the SPDY/3.1 framer: the input (after its first byte)
// is fed to a server and a client framer in two calls split where the first
// byte says, with a visitor that reads every field of every event so that
// ASan sees any pointer into freed or unfilled memory. Every few events the
// visitor also writes frames back, as a session would (echoing PINGs,
// answering headers), to run the encoders and the deflater on decoded data.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "net/base/net_errors.h"
#include "net/spdy/spdy_framer.h"
#include "net/spdy/spdy_framer_internal.h"

typedef struct fuzz_ctx {
  cn_spdy_framer *framer;
  cn_bytebuf out;
  uint64_t sum;  // folds every byte seen, so no read is optimised away
} fuzz_ctx;

static void touch(fuzz_ctx *c, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    c->sum = c->sum * 31 + b[i];
}

static int on_headers(void *ctx, const cn_spdy_headers_frame *f) {
  fuzz_ctx *c = ctx;
  c->sum += f->stream_id + f->kind + f->fin + f->has_priority + f->spdy_priority + f->depends_on +
            f->exclusive + f->weight + f->associated_stream_id + f->num_headers;
  for (size_t i = 0; i < f->num_headers; i++) {
    touch(c, f->headers[i].name, f->headers[i].name_len);
    touch(c, f->headers[i].value, f->headers[i].value_len);
  }
  // Answer as a session would; the encoder must accept what the decoder
  // produced (lower-case, non-empty, NUL-free names and values).
  cn_spdy_headers_frame reply = *f;
  reply.kind = CN_SPDY_HEADERS_RESPONSE;
  int rv = cn_spdy_framer_write_headers(c->framer, &reply, &c->out);
  if (rv != CN_OK && rv != CN_ERR_HTTP2_FRAME_SIZE_ERROR)
    abort();
  cn_bytebuf_clear(&c->out);
  return CN_OK;
}

static int on_data(void *ctx, uint32_t stream_id, const uint8_t *data, size_t len, bool fin,
                   size_t flow_len) {
  fuzz_ctx *c = ctx;
  touch(c, data, len);
  c->sum += stream_id + fin + flow_len;
  if (flow_len != len)
    abort();
  return CN_OK;
}

static int on_rst_stream(void *ctx, uint32_t stream_id, uint32_t code) {
  fuzz_ctx *c = ctx;
  c->sum += stream_id + code;
  if (stream_id == 0)
    abort();
  return CN_OK;
}

static int on_settings(void *ctx, const cn_spdy_setting *s, size_t num, bool ack) {
  fuzz_ctx *c = ctx;
  for (size_t i = 0; i < num; i++)
    c->sum += s[i].id + s[i].value + s[i].spdy_flags;
  c->sum += ack;
  return CN_OK;
}

static int on_ping(void *ctx, uint64_t opaque, bool ack) {
  fuzz_ctx *c = ctx;
  c->sum += opaque + ack;
  if (!ack) {
    cn_spdy_framer_write_ping(c->framer, opaque, true, &c->out);
    cn_bytebuf_clear(&c->out);
  }
  return CN_OK;
}

static int on_goaway(void *ctx, uint32_t last_stream_id, uint32_t code, const uint8_t *debug,
                     size_t debug_len) {
  fuzz_ctx *c = ctx;
  c->sum += last_stream_id + code;
  touch(c, debug, debug_len);
  return CN_OK;
}

static int on_window_update(void *ctx, uint32_t stream_id, uint32_t delta) {
  fuzz_ctx *c = ctx;
  c->sum += stream_id + delta;
  return CN_OK;
}

static int on_priority(void *ctx, uint32_t stream_id, uint32_t depends_on, bool exclusive,
                       uint16_t weight) {
  (void)ctx;
  (void)stream_id;
  (void)depends_on;
  (void)exclusive;
  (void)weight;
  abort();  // SPDY has no PRIORITY frame
}

static void run(bool is_server, const uint8_t *data, size_t size, size_t split,
                const cn_spdy_framer_limits *limits) {
  fuzz_ctx c = {0};
  c.framer = cn_spdy3_framer_new(is_server, limits);
  cn_bytebuf_init(&c.out);
  cn_spdy_frame_visitor v = {
      .ctx = &c,
      .on_headers = on_headers,
      .on_data = on_data,
      .on_rst_stream = on_rst_stream,
      .on_settings = on_settings,
      .on_ping = on_ping,
      .on_goaway = on_goaway,
      .on_window_update = on_window_update,
      .on_priority = on_priority,
  };
  int rv = cn_spdy_framer_process(c.framer, data, split, &v);
  if (rv == CN_OK)
    rv = cn_spdy_framer_process(c.framer, data + split, size - split, &v);
  if (rv != CN_OK && rv != CN_ERR_HTTP2_PROTOCOL_ERROR && rv != CN_ERR_HTTP2_FRAME_SIZE_ERROR &&
      rv != CN_ERR_HTTP2_COMPRESSION_ERROR)
    abort();
  // Sticky after an error.
  if (rv != CN_OK && cn_spdy_framer_process(c.framer, data, size, &v) != rv)
    abort();
  cn_bytebuf_free(&c.out);
  cn_spdy_framer_destroy(c.framer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t split = data[0];
  data++;
  size--;
  if (split > size)
    split = size;
  // Small limits so that the limit paths are reached with small inputs.
  cn_spdy_framer_limits limits;
  cn_spdy_framer_limits_init(&limits, CN_PROTO_SPDY31);
  limits.max_frame_payload = 64 * 1024;
  limits.max_header_block = 16 * 1024;
  limits.max_header_list = 64 * 1024;
  run(true, data, size, split, &limits);
  run(false, data, size, split, NULL);
  return 0;
}
