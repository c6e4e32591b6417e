#include "net/spdy/http2_hpack.h"

#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

// Our own HPACK table size (what we send and what we accept): the RFC 9113
// default, since cnet never advertises SETTINGS_HEADER_TABLE_SIZE.
#define CN_HPACK_TABLE_SIZE 4096
// Scratch buffers above this are released after use, so that one large
// header block does not pin its memory for the connection's lifetime.
#define CN_HPACK_KEEP_BYTES (64 * 1024)
// The largest header block kept for reuse (see |reusable|).
#define CN_HPACK_REUSE_MAX_BYTES 1024

// What RFC 9113 §8.2.1 allows in a field name after its first byte: any
// visible ASCII but upper-case letters and ':' (a table: it runs for every
// field received).
static const bool kNameChar[256] = {
    ['!'] = 1, ['"'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1,
    [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1, ['0'] = 1,
    ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1, [';'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1, ['@'] = 1, ['['] = 1,
    ['\\'] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,
    ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,
    ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,
    ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['{'] = 1,
    ['|'] = 1, ['}'] = 1, ['~'] = 1,
};

bool cn_http2_valid_field_name(const uint8_t *name, size_t len) {
  if (len == 0)
    return false;
  size_t i = 0;
  // A pseudo-header (":path") has a single leading colon; no other name may
  // contain one.
  if (name[0] == ':') {
    if (len == 1)
      return false;
    i = 1;
  }
  for (; i < len; i++) {
    if (!kNameChar[name[i]])
      return false;
  }
  return true;
}

bool cn_http2_valid_field_value(const uint8_t *value, size_t len) {
  // NUL, CR and LF are what turn a header into a second header (or a request
  // smuggled into HTTP/1.1 downstream). Leading/trailing blanks, which
  // RFC 9113 also forbids, are tolerated as nghttp2's own option does: real
  // servers send them and every consumer trims them.
  for (size_t i = 0; i < len; i++) {
    uint8_t c = value[i];
    if (c <= '\r' && (c == 0 || c == '\r' || c == '\n'))
      return false;
  }
  return true;
}

// --- Decoder ---

// Where a decoded field lives in |strings| (offsets: the buffer may move
// while the block grows).
typedef struct field_ref {
  size_t name_off;
  size_t name_len;
  size_t value_off;
  size_t value_len;
} field_ref;

struct cn_http2_hpack_decoder {
  nghttp2_hd_inflater *inflater;
  size_t max_header_list;
  size_t list_size;  // RFC 9113 §6.5.2 size of the fields so far
  // nghttp2 keeps an emitted field only until its next call, so each is
  // copied here. Reused block after block.
  cn_bytebuf strings;
  field_ref *fields;
  size_t num_fields;
  size_t fields_cap;
  cn_spdy_header *headers;  // built from |fields| on request
  size_t headers_cap;
  // The last block, when it came in one fragment and left the dynamic table
  // as it was: the same bytes then decode to the same fields, which are kept
  // in |strings| and |fields| (a server's responses to repeated requests
  // are often byte-identical blocks, and decoding them was the largest cost
  // of a small response).
  cn_bytebuf reusable;
  size_t reusable_fields;
  bool reusable_valid;  // |reusable| and the fields kept are those of the last block
  bool block_reusable;  // the block just decoded may be reused (set at its end)
  bool mid_block;       // a fragment without |last| was decoded
  uint64_t reused;      // blocks answered from |reusable| (for tests)
};

cn_http2_hpack_decoder *cn_http2_hpack_decoder_new(size_t max_header_list) {
  cn_http2_hpack_decoder *d = CN_NEW(cn_http2_hpack_decoder);
  if (nghttp2_hd_inflate_new(&d->inflater) != 0)
    abort();  // out of memory; cnet treats it as fatal
  d->max_header_list = max_header_list;
  cn_bytebuf_init(&d->strings);
  cn_bytebuf_init(&d->reusable);
  return d;
}

void cn_http2_hpack_decoder_destroy(cn_http2_hpack_decoder *d) {
  if (!d)
    return;
  nghttp2_hd_inflate_del(d->inflater);
  cn_bytebuf_free(&d->strings);
  cn_bytebuf_free(&d->reusable);
  free(d->fields);
  free(d->headers);
  free(d);
}

static int add_field(cn_http2_hpack_decoder *d, const nghttp2_nv *nv) {
  // Checked before copying: the limit is what keeps a block of 1-byte
  // references to a large table entry from becoming gigabytes of headers.
  size_t cost = nv->namelen + nv->valuelen + 32;
  // (list_size never exceeds the limit, so the subtraction cannot wrap.)
  if (cost > d->max_header_list - d->list_size)
    return CN_ERR_HTTP2_COMPRESSION_ERROR;
  d->list_size += cost;
  if (!cn_http2_valid_field_name(nv->name, nv->namelen) ||
      !cn_http2_valid_field_value(nv->value, nv->valuelen))
    return CN_ERR_HTTP2_PROTOCOL_ERROR;
  if (d->num_fields == d->fields_cap) {
    d->fields_cap = d->fields_cap ? d->fields_cap * 2 : 16;
    d->fields = cn_xrealloc(d->fields, d->fields_cap * sizeof(*d->fields));
  }
  field_ref *r = &d->fields[d->num_fields++];
  r->name_off = cn_bytebuf_len(&d->strings);
  r->name_len = nv->namelen;
  cn_bytebuf_append(&d->strings, nv->name, nv->namelen);
  r->value_off = cn_bytebuf_len(&d->strings);
  r->value_len = nv->valuelen;
  cn_bytebuf_append(&d->strings, nv->value, nv->valuelen);
  return CN_OK;
}

// Reads an HPACK integer with a |prefix_bits|-bit prefix (RFC 7541 §5.1).
static bool read_int(const uint8_t **p, const uint8_t *end, unsigned prefix_bits, uint64_t *out) {
  if (*p >= end)
    return false;
  uint64_t max = (1u << prefix_bits) - 1;
  uint64_t v = *(*p)++ & max;
  for (unsigned shift = 0; v >= max && shift <= 28; shift += 7) {
    if (*p >= end)
      return false;
    uint8_t b = *(*p)++;
    v += (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  *out = v;
  return v < max;  // (a continuation longer than any valid length fails)
}

static bool skip_string(const uint8_t **p, const uint8_t *end) {
  uint64_t len;
  if (!read_int(p, end, 7, &len) || len > (uint64_t)(end - *p))
    return false;
  *p += len;
  return true;
}

// True when the block (already decoded without error) neither adds to the
// dynamic table nor resizes it: only indexed fields and literals without
// indexing or never indexed (RFC 7541 §6).
static bool leaves_table_alone(const uint8_t *p, size_t n) {
  const uint8_t *end = p + n;
  while (p < end) {
    uint8_t b = *p;
    uint64_t index;
    if (b & 0x80) {  // indexed field
      if (!read_int(&p, end, 7, &index))
        return false;
      continue;
    }
    if ((b & 0xc0) == 0x40 || (b & 0xe0) == 0x20)
      return false;  // literal with incremental indexing, table size update
    if (!read_int(&p, end, 4, &index) || (index == 0 && !skip_string(&p, end)) ||
        !skip_string(&p, end))
      return false;
  }
  return true;
}

// The fields kept for reuse are dropped: the next block decodes afresh.
static void drop_reusable(cn_http2_hpack_decoder *d) {
  d->reusable_valid = false;
  d->num_fields = 0;
  cn_bytebuf_clear(&d->strings);
}

int cn_http2_hpack_decode(cn_http2_hpack_decoder *d, const uint8_t *in, size_t len, bool last) {
  bool whole = last && !d->mid_block;  // the block in one fragment
  if (d->reusable_valid) {
    if (whole && len == cn_bytebuf_len(&d->reusable) &&
        (len == 0 || memcmp(in, cn_bytebuf_head(&d->reusable), len) == 0)) {
      // The table is as the kept block left it (it changed nothing, and no
      // block came since), so these bytes decode to the kept fields.
      d->num_fields = d->reusable_fields;
      d->block_reusable = true;
      d->reused++;
      return CN_OK;
    }
    drop_reusable(d);
  }
  d->mid_block = !last;
  const uint8_t *block = in;
  size_t block_len = len;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t rv = nghttp2_hd_inflate_hd2(d->inflater, &nv, &flags, in, len, last ? 1 : 0);
    if (rv < 0)
      return CN_ERR_HTTP2_COMPRESSION_ERROR;
    in += rv;
    len -= (size_t)rv;
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      int err = add_field(d, &nv);
      if (err)
        return err;
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(d->inflater);
      d->mid_block = false;
      // Small blocks only: the copy is kept for the connection's lifetime.
      if (whole && block_len <= CN_HPACK_REUSE_MAX_BYTES &&
          leaves_table_alone(block, block_len)) {
        cn_bytebuf_clear(&d->reusable);
        cn_bytebuf_append(&d->reusable, block, block_len);
        d->block_reusable = true;
      }
      return CN_OK;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0)
      break;
  }
  // All input used; a last fragment must have ended the block (nghttp2 says
  // so; checked so that a library change cannot leave a field half-read).
  return last ? CN_ERR_HTTP2_COMPRESSION_ERROR : CN_OK;
}

const cn_spdy_header *cn_http2_hpack_decoded(cn_http2_hpack_decoder *d, size_t *num) {
  if (d->num_fields > d->headers_cap) {
    d->headers_cap = d->fields_cap;
    d->headers = cn_xrealloc(d->headers, d->headers_cap * sizeof(*d->headers));
  }
  *num = d->num_fields;
  if (d->num_fields == 0)
    return NULL;  // (an empty block: |strings| may have no storage at all)
  const char *base = (const char *)cn_bytebuf_head(&d->strings);
  for (size_t i = 0; i < d->num_fields; i++) {
    const field_ref *r = &d->fields[i];
    d->headers[i].name = base + r->name_off;
    d->headers[i].name_len = r->name_len;
    d->headers[i].value = base + r->value_off;
    d->headers[i].value_len = r->value_len;
  }
  return d->headers;
}

uint64_t cn_http2_hpack_decoder_reused(const cn_http2_hpack_decoder *d) { return d->reused; }

void cn_http2_hpack_decoder_reset(cn_http2_hpack_decoder *d) {
  d->list_size = 0;
  d->mid_block = false;
  if (d->block_reusable) {  // its fields stay, for the same bytes next time
    d->block_reusable = false;
    d->reusable_valid = true;
    d->reusable_fields = d->num_fields;
    d->num_fields = 0;
    return;
  }
  d->reusable_valid = false;
  d->num_fields = 0;
  if (d->strings.cap > CN_HPACK_KEEP_BYTES)
    cn_bytebuf_free(&d->strings);
  else
    cn_bytebuf_clear(&d->strings);
  if (d->fields_cap * sizeof(*d->fields) > CN_HPACK_KEEP_BYTES) {
    free(d->fields);
    free(d->headers);
    d->fields = NULL;
    d->headers = NULL;
    d->fields_cap = d->headers_cap = 0;
  }
}

// --- Encoder ---

struct cn_http2_hpack_encoder {
  nghttp2_hd_deflater *deflater;
  nghttp2_nv *nva;  // reused for every block
  size_t nva_cap;
  // The last block, when its encoding left the dynamic table as it was: the
  // same fields then encode to the same bytes (a client's requests for
  // one resource differ in nothing), without nghttp2.
  cn_bytebuf kept_fields;  // per field: name length, name, value length, value
  size_t kept_num;
  cn_bytebuf kept_block;
  bool kept_valid;
  uint64_t reused;  // blocks copied from |kept_block| (for tests)
};

cn_http2_hpack_encoder *cn_http2_hpack_encoder_new(void) {
  cn_http2_hpack_encoder *e = CN_NEW(cn_http2_hpack_encoder);
  if (nghttp2_hd_deflate_new(&e->deflater, CN_HPACK_TABLE_SIZE) != 0)
    abort();  // out of memory
  cn_bytebuf_init(&e->kept_fields);
  cn_bytebuf_init(&e->kept_block);
  return e;
}

void cn_http2_hpack_encoder_destroy(cn_http2_hpack_encoder *e) {
  if (!e)
    return;
  nghttp2_hd_deflate_del(e->deflater);
  cn_bytebuf_free(&e->kept_fields);
  cn_bytebuf_free(&e->kept_block);
  free(e->nva);
  free(e);
}

// Credentials are never entered into the dynamic table: a table entry can be
// probed by an attacker who controls other headers on the connection
// (RFC 7541 §7.1), and cnet sends proxy credentials on shared sessions.
static bool is_sensitive(const cn_spdy_header *h) {
  return (h->name_len == 13 && memcmp(h->name, "authorization", 13) == 0) ||
         (h->name_len == 19 && memcmp(h->name, "proxy-authorization", 19) == 0);
}

static void fill_nva(cn_http2_hpack_encoder *e, const cn_spdy_header *headers, size_t num) {
  if (num > e->nva_cap) {
    e->nva_cap = num < 16 ? 16 : num;
    e->nva = cn_xrealloc(e->nva, e->nva_cap * sizeof(*e->nva));
  }
  for (size_t i = 0; i < num; i++) {
    nghttp2_nv *nv = &e->nva[i];
    // nghttp2_nv is not const-qualified; the deflater only reads.
    nv->name = (uint8_t *)(uintptr_t)headers[i].name;
    nv->namelen = headers[i].name_len;
    nv->value = (uint8_t *)(uintptr_t)headers[i].value;
    nv->valuelen = headers[i].value_len;
    nv->flags = is_sensitive(&headers[i]) ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
  }
}

// True when |headers| are the fields of the kept block, in order.
static bool matches_kept(const cn_http2_hpack_encoder *e, const cn_spdy_header *headers,
                         size_t num) {
  if (!e->kept_valid || num != e->kept_num)
    return false;
  const uint8_t *p = cn_bytebuf_head(&e->kept_fields);
  for (size_t i = 0; i < num; i++) {
    const cn_spdy_header *h = &headers[i];
    size_t len;
    memcpy(&len, p, sizeof(len));
    if (len != h->name_len || memcmp(p + sizeof(len), h->name, len) != 0)
      return false;
    p += sizeof(len) + len;
    memcpy(&len, p, sizeof(len));
    if (len != h->value_len || memcmp(p + sizeof(len), h->value, len) != 0)
      return false;
    p += sizeof(len) + len;
  }
  return true;
}

static void keep_block(cn_http2_hpack_encoder *e, const cn_spdy_header *headers, size_t num,
                       const uint8_t *block, size_t len) {
  cn_bytebuf_clear(&e->kept_fields);
  cn_bytebuf_clear(&e->kept_block);
  e->kept_valid = false;
  size_t bytes = 0;
  for (size_t i = 0; i < num; i++)
    bytes += 2 * sizeof(size_t) + headers[i].name_len + headers[i].value_len;
  if (len > CN_HPACK_REUSE_MAX_BYTES || bytes > 2 * CN_HPACK_REUSE_MAX_BYTES ||
      !leaves_table_alone(block, len))
    return;
  for (size_t i = 0; i < num; i++) {
    cn_bytebuf_append(&e->kept_fields, &headers[i].name_len, sizeof(size_t));
    cn_bytebuf_append(&e->kept_fields, headers[i].name, headers[i].name_len);
    cn_bytebuf_append(&e->kept_fields, &headers[i].value_len, sizeof(size_t));
    cn_bytebuf_append(&e->kept_fields, headers[i].value, headers[i].value_len);
  }
  cn_bytebuf_append(&e->kept_block, block, len);
  e->kept_num = num;
  e->kept_valid = true;
}

size_t cn_http2_hpack_encode_bound(cn_http2_hpack_encoder *e, const cn_spdy_header *headers,
                                   size_t num) {
  if (matches_kept(e, headers, num))
    return cn_bytebuf_len(&e->kept_block);
  fill_nva(e, headers, num);
  return nghttp2_hd_deflate_bound(e->deflater, e->nva, num);
}

long cn_http2_hpack_encode(cn_http2_hpack_encoder *e, const cn_spdy_header *headers, size_t num,
                           uint8_t *dst, size_t cap) {
  size_t kept_len = cn_bytebuf_len(&e->kept_block);
  if (kept_len <= cap && matches_kept(e, headers, num)) {
    // The table is as this block left it (it changed nothing, and no block
    // was encoded since), so nghttp2 would write the same bytes.
    if (kept_len)
      memcpy(dst, cn_bytebuf_head(&e->kept_block), kept_len);
    e->reused++;
    return (long)kept_len;
  }
  for (size_t i = 0; i < num; i++) {
    if (!cn_http2_valid_field_name((const uint8_t *)headers[i].name, headers[i].name_len) ||
        !cn_http2_valid_field_value((const uint8_t *)headers[i].value, headers[i].value_len))
      return CN_ERR_INVALID_ARGUMENT;
  }
  fill_nva(e, headers, num);
  ssize_t rv = nghttp2_hd_deflate_hd(e->deflater, dst, cap, e->nva, num);
  if (rv < 0) {
    e->kept_valid = false;
    return CN_ERR_HTTP2_COMPRESSION_ERROR;
  }
  keep_block(e, headers, num, dst, (size_t)rv);
  return (long)rv;
}

uint64_t cn_http2_hpack_encoder_reused(const cn_http2_hpack_encoder *e) { return e->reused; }

void cn_http2_hpack_encoder_set_table_size(cn_http2_hpack_encoder *e, uint32_t size) {
  // The next block may start with a table size update: nothing kept applies.
  e->kept_valid = false;
  // Fails only on out of memory (shrinking never allocates; growth is capped
  // at the size given to nghttp2_hd_deflate_new).
  if (nghttp2_hd_deflate_change_table_size(e->deflater, size) != 0)
    abort();
}
