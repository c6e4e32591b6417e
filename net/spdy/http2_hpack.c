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
    uint8_t c = name[i];
    if (c <= 0x20 || (c >= 'A' && c <= 'Z') || c >= 0x7f || c == ':')
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
    if (c == 0 || c == '\r' || c == '\n')
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
};

cn_http2_hpack_decoder *cn_http2_hpack_decoder_new(size_t max_header_list) {
  cn_http2_hpack_decoder *d = CN_NEW(cn_http2_hpack_decoder);
  if (nghttp2_hd_inflate_new(&d->inflater) != 0)
    abort();  // out of memory; cnet treats it as fatal
  d->max_header_list = max_header_list;
  cn_bytebuf_init(&d->strings);
  return d;
}

void cn_http2_hpack_decoder_destroy(cn_http2_hpack_decoder *d) {
  if (!d)
    return;
  nghttp2_hd_inflate_del(d->inflater);
  cn_bytebuf_free(&d->strings);
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

int cn_http2_hpack_decode(cn_http2_hpack_decoder *d, const uint8_t *in, size_t len, bool last) {
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

void cn_http2_hpack_decoder_reset(cn_http2_hpack_decoder *d) {
  d->num_fields = 0;
  d->list_size = 0;
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
};

cn_http2_hpack_encoder *cn_http2_hpack_encoder_new(void) {
  cn_http2_hpack_encoder *e = CN_NEW(cn_http2_hpack_encoder);
  if (nghttp2_hd_deflate_new(&e->deflater, CN_HPACK_TABLE_SIZE) != 0)
    abort();  // out of memory
  return e;
}

void cn_http2_hpack_encoder_destroy(cn_http2_hpack_encoder *e) {
  if (!e)
    return;
  nghttp2_hd_deflate_del(e->deflater);
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

size_t cn_http2_hpack_encode_bound(cn_http2_hpack_encoder *e, const cn_spdy_header *headers,
                                   size_t num) {
  fill_nva(e, headers, num);
  return nghttp2_hd_deflate_bound(e->deflater, e->nva, num);
}

long cn_http2_hpack_encode(cn_http2_hpack_encoder *e, const cn_spdy_header *headers, size_t num,
                           uint8_t *dst, size_t cap) {
  for (size_t i = 0; i < num; i++) {
    if (!cn_http2_valid_field_name((const uint8_t *)headers[i].name, headers[i].name_len) ||
        !cn_http2_valid_field_value((const uint8_t *)headers[i].value, headers[i].value_len))
      return CN_ERR_INVALID_ARGUMENT;
  }
  fill_nva(e, headers, num);
  ssize_t rv = nghttp2_hd_deflate_hd(e->deflater, dst, cap, e->nva, num);
  if (rv < 0)
    return CN_ERR_HTTP2_COMPRESSION_ERROR;
  return (long)rv;
}

void cn_http2_hpack_encoder_set_table_size(cn_http2_hpack_encoder *e, uint32_t size) {
  // Fails only on out of memory (shrinking never allocates; growth is capped
  // at the size given to nghttp2_hd_deflate_new).
  if (nghttp2_hd_deflate_change_table_size(e->deflater, size) != 0)
    abort();
}
