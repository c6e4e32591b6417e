// libFuzzer target for the HTTP/2 framer. The input is decoded twice: by a
// server framer (after the connection preface, so frames are reached) and by
// a client framer, each in chunks whose size the first input byte picks (so
// the partial-frame paths run too). The visitor reads every field it is given
// (so ASan sees any bad pointer) and checks the invariants the interface
// promises; every header block the server accepts is re-encoded by our
// encoder and decoded again, and must come back identical.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "net/base/net_errors.h"
#include "net/spdy/spdy_framer.h"
#include "net/spdy/spdy_framer_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

typedef struct fuzz_ctx {
  uint64_t sink;  // everything read ends up here, so nothing is optimised out
  // The round trip of accepted header blocks: our encoder → a fresh decoder.
  cn_spdy_framer *encoder;
  cn_spdy_framer *decoder;
  const cn_spdy_headers_frame *expected;
  bool matched;
} fuzz_ctx;

static void check(bool ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "invariant broken: %s\n", what);
    abort();
  }
}

static uint64_t touch(const void *p, size_t n) {
  const uint8_t *b = p;
  uint64_t h = n;
  for (size_t i = 0; i < n; i++)
    h = h * 31 + b[i];
  return h;
}

static bool same_headers(const cn_spdy_headers_frame *a, const cn_spdy_headers_frame *b) {
  if (a->num_headers != b->num_headers || a->fin != b->fin || a->stream_id != b->stream_id ||
      a->has_priority != b->has_priority)
    return false;
  if (a->has_priority && (a->depends_on != b->depends_on || a->exclusive != b->exclusive ||
                          a->weight != b->weight))
    return false;
  for (size_t i = 0; i < a->num_headers; i++) {
    const cn_spdy_header *x = &a->headers[i], *y = &b->headers[i];
    if (x->name_len != y->name_len || x->value_len != y->value_len ||
        memcmp(x->name, y->name, x->name_len) != 0 ||
        memcmp(x->value, y->value, x->value_len) != 0)
      return false;
  }
  return true;
}

static int on_round_trip(void *arg, const cn_spdy_headers_frame *f) {
  fuzz_ctx *c = arg;
  c->matched = same_headers(c->expected, f);
  return CN_OK;
}

static int on_headers(void *arg, const cn_spdy_headers_frame *f) {
  fuzz_ctx *c = arg;
  check(f->stream_id != 0 && f->stream_id <= 0x7fffffff, "headers stream id");
  check(f->kind == CN_SPDY_HEADERS_REQUEST || f->kind == CN_SPDY_HEADERS_PUSH, "headers kind");
  check(!f->has_priority || (f->weight >= 1 && f->weight <= 256), "weight");
  check(f->kind != CN_SPDY_HEADERS_PUSH || f->associated_stream_id != 0, "promised id");
  c->sink += f->stream_id + f->kind + f->fin + f->has_priority + f->depends_on + f->exclusive +
             f->weight + f->associated_stream_id + f->spdy_priority;
  for (size_t i = 0; i < f->num_headers; i++) {
    check(f->headers[i].name_len > 0, "empty name");
    for (size_t j = 0; j < f->headers[i].name_len; j++)
      check(f->headers[i].name[j] < 'A' || f->headers[i].name[j] > 'Z', "upper-case name");
    c->sink += touch(f->headers[i].name, f->headers[i].name_len);
    c->sink += touch(f->headers[i].value, f->headers[i].value_len);
  }
  if (!c->encoder || f->kind != CN_SPDY_HEADERS_REQUEST)
    return CN_OK;
  // What we accepted, we can send, and it decodes to the same list.
  cn_bytebuf out;
  cn_bytebuf_init(&out);
  check(cn_spdy_framer_write_headers(c->encoder, f, &out) == CN_OK, "re-encode");
  cn_spdy_frame_visitor v = {.ctx = c, .on_headers = on_round_trip};
  c->expected = f;
  c->matched = false;
  check(cn_spdy_framer_process(c->decoder, cn_bytebuf_head(&out), cn_bytebuf_len(&out), &v) ==
            CN_OK,
        "re-decode");
  check(c->matched, "round trip differs");
  cn_bytebuf_free(&out);
  return CN_OK;
}

static int on_data(void *arg, uint32_t id, const uint8_t *d, size_t len, bool fin,
                   size_t flow_len) {
  fuzz_ctx *c = arg;
  check(id != 0, "data stream id");
  check(flow_len >= len && flow_len - len <= 256, "flow_len");
  c->sink += id + fin + flow_len + touch(d, len);
  return CN_OK;
}

static int on_rst_stream(void *arg, uint32_t id, uint32_t code) {
  fuzz_ctx *c = arg;
  check(id != 0, "rst stream id");
  c->sink += id + code;
  return CN_OK;
}

static int on_settings(void *arg, const cn_spdy_setting *s, size_t num, bool ack) {
  fuzz_ctx *c = arg;
  check(!ack || num == 0, "settings ack with entries");
  for (size_t i = 0; i < num; i++)
    c->sink += s[i].id + s[i].value + s[i].spdy_flags;
  return CN_OK;
}

static int on_ping(void *arg, uint64_t opaque, bool ack) {
  fuzz_ctx *c = arg;
  c->sink += opaque + ack;
  return CN_OK;
}

static int on_goaway(void *arg, uint32_t last, uint32_t code, const uint8_t *debug, size_t len) {
  fuzz_ctx *c = arg;
  check(last <= 0x7fffffff, "goaway last id");
  c->sink += last + code + touch(debug, len);
  return CN_OK;
}

static int on_window_update(void *arg, uint32_t id, uint32_t delta) {
  fuzz_ctx *c = arg;
  check(delta <= 0x7fffffff && (delta != 0 || id != 0), "window update");
  c->sink += id + delta;
  return CN_OK;
}

static int on_priority(void *arg, uint32_t id, uint32_t dep, bool excl, uint16_t weight) {
  fuzz_ctx *c = arg;
  check(id != 0 && weight >= 1 && weight <= 256, "priority");
  c->sink += id + dep + excl + weight;
  return CN_OK;
}

// Feeds |data| in chunks of |chunk| bytes (0: at once). The error, if any,
// must be sticky.
static void feed(cn_spdy_framer *f, const uint8_t *data, size_t size, size_t chunk,
                 const cn_spdy_frame_visitor *v) {
  int rv = CN_OK;
  if (chunk == 0)
    chunk = size ? size : 1;
  for (size_t pos = 0; pos < size && rv == CN_OK; pos += chunk) {
    size_t n = size - pos < chunk ? size - pos : chunk;
    // A private copy per call: a pointer kept past the call would be caught.
    uint8_t *piece = malloc(n ? n : 1);
    memcpy(piece, data + pos, n);
    rv = cn_spdy_framer_process(f, piece, n, v);
    free(piece);
  }
  if (rv != CN_OK) {
    check(rv < 0, "positive result");
    check(cn_spdy_framer_process(f, data, size, v) == rv, "error not sticky");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  size_t chunk = data[0] < 128 ? data[0] : 0;
  data++;
  size--;

  fuzz_ctx ctx = {0};
  ctx.encoder = cn_http2_framer_new(false, NULL);
  ctx.decoder = cn_http2_framer_new(true, NULL);
  cn_bytebuf prime;
  cn_bytebuf_init(&prime);
  cn_spdy_framer_write_preface(ctx.encoder, &prime);
  cn_spdy_framer_write_settings(ctx.encoder, NULL, 0, &prime);
  check(cn_spdy_framer_process(ctx.decoder, cn_bytebuf_head(&prime), cn_bytebuf_len(&prime),
                               NULL) == CN_OK,
        "prime round-trip decoder");
  cn_bytebuf_free(&prime);

  cn_spdy_frame_visitor v = {
      .ctx = &ctx,
      .on_headers = on_headers,
      .on_data = on_data,
      .on_rst_stream = on_rst_stream,
      .on_settings = on_settings,
      .on_ping = on_ping,
      .on_goaway = on_goaway,
      .on_window_update = on_window_update,
      .on_priority = on_priority,
  };

  // Server: the preface, then the input.
  uint8_t *with_preface = malloc(24 + size);
  memcpy(with_preface, kPreface, 24);
  memcpy(with_preface + 24, data, size);
  cn_spdy_framer *server = cn_http2_framer_new(true, NULL);
  feed(server, with_preface, 24 + size, chunk, &v);
  cn_spdy_framer_destroy(server);
  free(with_preface);

  // Client: the input as the server's bytes (PUSH_PROMISE reachable), with
  // small limits so that they are hit.
  cn_spdy_framer_limits limits;
  cn_spdy_framer_limits_init(&limits, CN_PROTO_HTTP2);
  limits.max_header_block = 2048;
  limits.max_header_list = 4096;
  cn_spdy_framer *client = cn_http2_framer_new(false, &limits);
  fuzz_ctx client_ctx = {0};  // no round trip: push blocks cannot be written
  v.ctx = &client_ctx;
  feed(client, data, size, chunk, &v);
  cn_spdy_framer_destroy(client);

  cn_spdy_framer_destroy(ctx.encoder);
  cn_spdy_framer_destroy(ctx.decoder);
  return (int)((ctx.sink + client_ctx.sink) & 0);
}
