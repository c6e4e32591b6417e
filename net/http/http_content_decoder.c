#include "net/http/http_content_decoder.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

// Size of the buffer between two codings.
#define STAGE_BUF_SIZE (16 * 1024)

typedef enum coding { CODING_GZIP, CODING_DEFLATE } coding;

typedef struct stage {
  coding kind;
  z_stream zs;
  bool initialized;  // inflateInit2 done
  bool ended;        // Z_STREAM_END: later input is ignored
  bool any_input;
  // deflate: the first two bytes, held until they say zlib or raw, then fed
  // to inflate before the rest.
  uint8_t sniff[2];
  size_t sniff_len;
  size_t sniff_pos;
  // Output for the next stage (all stages but the last).
  uint8_t *buf;
  size_t buf_pos;
  size_t buf_len;
} stage;

struct cn_http_content_decoder {
  cn_http_content_decoder_options opts;
  stage stages[CN_HTTP_MAX_CONTENT_CODINGS];  // [0] decodes the wire bytes
  size_t num_stages;
  const uint8_t *in;  // the current call's input
  size_t in_len;
  size_t in_pos;
  uint64_t bytes_in;
  uint64_t bytes_out;
};

static bool element_is(const char *s, size_t len, const char *name) {
  return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

int cn_http_content_decoder_create(const char *encodings,
                                   const cn_http_content_decoder_options *opts,
                                   cn_http_content_decoder **out) {
  *out = NULL;
  if (!encodings)
    return CN_OK;
  coding list[CN_HTTP_MAX_CONTENT_CODINGS];
  size_t n = 0;
  const char *p = encodings;
  while (*p) {
    const char *comma = strchr(p, ',');
    const char *end = comma ? comma : p + strlen(p);
    const char *s = p;
    while (s < end && (*s == ' ' || *s == '\t'))
      s++;
    const char *e = end;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
      e--;
    size_t len = (size_t)(e - s);
    if (len && !element_is(s, len, "identity")) {
      coding c;
      if (element_is(s, len, "gzip") || element_is(s, len, "x-gzip"))
        c = CODING_GZIP;
      else if (element_is(s, len, "deflate"))
        c = CODING_DEFLATE;
      else
        return CN_ERR_CONTENT_DECODING_FAILED;
      if (n == CN_HTTP_MAX_CONTENT_CODINGS)
        return CN_ERR_CONTENT_DECODING_FAILED;
      list[n++] = c;
    }
    p = comma ? comma + 1 : end;
  }
  if (n == 0)
    return CN_OK;
  cn_http_content_decoder *d = CN_NEW(cn_http_content_decoder);
  if (opts)
    d->opts = *opts;
  d->num_stages = n;
  for (size_t i = 0; i < n; i++) {
    // The last coding listed was applied last, so it is undone first.
    stage *st = &d->stages[i];
    st->kind = list[n - 1 - i];
    if (i + 1 < n)
      st->buf = cn_xmalloc(STAGE_BUF_SIZE);
  }
  *out = d;
  return CN_OK;
}

void cn_http_content_decoder_destroy(cn_http_content_decoder *d) {
  if (!d)
    return;
  for (size_t i = 0; i < d->num_stages; i++) {
    if (d->stages[i].initialized)
      inflateEnd(&d->stages[i].zs);
    free(d->stages[i].buf);
  }
  free(d);
}

// RFC 1950: CM 8, CINFO <= 7, and the header a multiple of 31.
static bool looks_like_zlib(const uint8_t b[2]) {
  return (b[0] & 0x0f) == 8 && (b[0] >> 4) <= 7 && ((b[0] << 8) | b[1]) % 31 == 0;
}

// One inflate call over |src|. Adds what it took and gave to the counters.
static int inflate_some(stage *st, const uint8_t *src, size_t src_len, size_t *used,
                        uint8_t *out, size_t out_len, size_t *produced) {
  uInt in_n = src_len > UINT_MAX ? UINT_MAX : (uInt)src_len;
  uInt out_n = out_len > UINT_MAX ? UINT_MAX : (uInt)out_len;
  st->zs.next_in = (Bytef *)src;  // zlib does not write through next_in
  st->zs.avail_in = in_n;
  st->zs.next_out = out;
  st->zs.avail_out = out_n;
  int z = inflate(&st->zs, Z_NO_FLUSH);
  *used += in_n - st->zs.avail_in;
  *produced += out_n - st->zs.avail_out;
  switch (z) {
    case Z_OK:
      return CN_OK;
    case Z_STREAM_END:
      st->ended = true;
      return CN_OK;
    case Z_BUF_ERROR:  // no progress possible now: not an error in a stream
      return CN_OK;
    default:  // Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR, Z_STREAM_ERROR
      return CN_ERR_CONTENT_DECODING_FAILED;
  }
}

// Runs one stage over |src| into |out|.
static int stage_run(stage *st, const uint8_t *src, size_t src_len, size_t *used, uint8_t *out,
                     size_t out_len, size_t *produced) {
  *used = 0;
  *produced = 0;
  if (src_len)
    st->any_input = true;
  if (st->ended) {
    *used = src_len;  // trailing bytes after the stream are ignored
    return CN_OK;
  }
  if (!st->initialized) {
    int window_bits;
    if (st->kind == CODING_GZIP) {
      window_bits = 16 + MAX_WBITS;
    } else {
      while (st->sniff_len < 2 && *used < src_len)
        st->sniff[st->sniff_len++] = src[(*used)++];
      if (st->sniff_len < 2)
        return CN_OK;
      window_bits = looks_like_zlib(st->sniff) ? MAX_WBITS : -MAX_WBITS;
    }
    memset(&st->zs, 0, sizeof(st->zs));
    if (inflateInit2(&st->zs, window_bits) != Z_OK)
      return CN_ERR_CONTENT_DECODING_FAILED;
    st->initialized = true;
  }
  if (st->sniff_pos < st->sniff_len) {
    size_t taken = 0;
    int rv = inflate_some(st, st->sniff + st->sniff_pos, st->sniff_len - st->sniff_pos, &taken,
                          out, out_len, produced);
    st->sniff_pos += taken;
    if (rv < 0 || st->sniff_pos < st->sniff_len || st->ended)
      return rv;
  }
  return inflate_some(st, src + *used, src_len - *used, used, out + *produced,
                      out_len - *produced, produced);
}

// Fills |out| from stage |i|, pulling its input from stage i-1 (or the
// caller's input for stage 0) as needed.
static int pull(cn_http_content_decoder *d, size_t i, uint8_t *out, size_t out_len,
                size_t *produced) {
  *produced = 0;
  stage *st = &d->stages[i];
  while (*produced < out_len) {
    const uint8_t *src;
    size_t src_len;
    stage *prev = i ? &d->stages[i - 1] : NULL;
    if (!prev) {
      src = d->in + d->in_pos;
      src_len = d->in_len - d->in_pos;
    } else {
      if (prev->buf_pos == prev->buf_len) {
        size_t n;
        int rv = pull(d, i - 1, prev->buf, STAGE_BUF_SIZE, &n);
        if (rv < 0)
          return rv;
        prev->buf_pos = 0;
        prev->buf_len = n;
      }
      src = prev->buf + prev->buf_pos;
      src_len = prev->buf_len - prev->buf_pos;
    }
    size_t used, n;
    int rv = stage_run(st, src, src_len, &used, out + *produced, out_len - *produced, &n);
    if (rv < 0)
      return rv;
    if (prev)
      prev->buf_pos += used;
    else
      d->in_pos += used;
    *produced += n;
    if (used == 0 && n == 0)
      break;  // needs more input than there is
  }
  return CN_OK;
}

int cn_http_content_decoder_decode(cn_http_content_decoder *d, const uint8_t *in, size_t in_len,
                                   size_t *in_used, uint8_t *out, size_t out_len) {
  *in_used = 0;
  if (out_len > INT_MAX)
    out_len = INT_MAX;  // the result is an int
  // Never produce more than one byte past the limit: enough to detect it
  // without doing the bomb's work.
  if (d->opts.max_output_bytes) {
    uint64_t room = d->opts.max_output_bytes - d->bytes_out + 1;
    if (out_len > room)
      out_len = (size_t)room;
  }
  d->in = in;
  d->in_len = in_len;
  d->in_pos = 0;
  size_t produced = 0;
  int rv = pull(d, d->num_stages - 1, out, out_len, &produced);
  *in_used = d->in_pos;
  d->in = NULL;
  d->in_len = d->in_pos = 0;
  if (rv < 0)
    return rv;
  d->bytes_in += *in_used;
  d->bytes_out += produced;
  if (d->opts.max_output_bytes && d->bytes_out > d->opts.max_output_bytes)
    return CN_ERR_CONTENT_DECODING_FAILED;
  if (d->opts.max_ratio && d->bytes_out > CN_HTTP_DECODER_RATIO_SLACK &&
      d->bytes_out / (d->bytes_in ? d->bytes_in : 1) > d->opts.max_ratio)
    return CN_ERR_CONTENT_DECODING_FAILED;
  return (int)produced;
}

int cn_http_content_decoder_finish(cn_http_content_decoder *d) {
  for (size_t i = 0; i < d->num_stages; i++) {
    const stage *st = &d->stages[i];
    if (st->any_input && !st->ended)
      return CN_ERR_CONTENT_DECODING_FAILED;
    if (st->buf_pos < st->buf_len)
      return CN_ERR_CONTENT_DECODING_FAILED;  // not drained: a caller bug
  }
  return CN_OK;
}

uint64_t cn_http_content_decoder_bytes_in(const cn_http_content_decoder *d) {
  return d->bytes_in;
}

uint64_t cn_http_content_decoder_bytes_out(const cn_http_content_decoder *d) {
  return d->bytes_out;
}
