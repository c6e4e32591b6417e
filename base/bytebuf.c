#include "base/bytebuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

void cn_bytebuf_init(cn_bytebuf *b) { memset(b, 0, sizeof(*b)); }

void cn_bytebuf_free(cn_bytebuf *b) {
  free(b->data);
  cn_bytebuf_init(b);
}

uint8_t *cn_bytebuf_reserve(cn_bytebuf *b, size_t n) {
  if (b->cap - b->end >= n)
    return b->data + b->end;
  size_t len = cn_bytebuf_len(b);
  // Slide the unconsumed bytes to the front before growing: a consumer that
  // keeps up never makes the buffer grow.
  if (b->start > 0 && b->cap - len >= n) {
    memmove(b->data, b->data + b->start, len);
    b->start = 0;
    b->end = len;
    return b->data + b->end;
  }
  size_t cap = b->cap ? b->cap : 256;
  while (cap - len < n)
    cap *= 2;
  uint8_t *data = cn_xmalloc(cap);
  if (len)
    memcpy(data, b->data + b->start, len);
  free(b->data);
  b->data = data;
  b->cap = cap;
  b->start = 0;
  b->end = len;
  return b->data + b->end;
}

void cn_bytebuf_commit(cn_bytebuf *b, size_t n) { b->end += n; }

void cn_bytebuf_append(cn_bytebuf *b, const void *data, size_t n) {
  if (!n)
    return;
  memcpy(cn_bytebuf_reserve(b, n), data, n);
  b->end += n;
}

void cn_bytebuf_append_str(cn_bytebuf *b, const char *s) {
  cn_bytebuf_append(b, s, strlen(s));
}

void cn_bytebuf_vappendf(cn_bytebuf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n <= 0)
    return;
  uint8_t *dst = cn_bytebuf_reserve(b, (size_t)n + 1);
  vsnprintf((char *)dst, (size_t)n + 1, fmt, ap);
  b->end += (size_t)n;
}

size_t cn_u64_to_dec(uint64_t v, char *out) {
  char tmp[CN_U64_DEC_MAX];
  size_t n = 0;
  do {
    tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  memcpy(out, tmp + sizeof(tmp) - n, n);
  return n;
}

void cn_bytebuf_append_u64(cn_bytebuf *b, uint64_t v) {
  b->end += cn_u64_to_dec(v, (char *)cn_bytebuf_reserve(b, CN_U64_DEC_MAX));
}

void cn_bytebuf_appendf(cn_bytebuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cn_bytebuf_vappendf(b, fmt, ap);
  va_end(ap);
}

void cn_bytebuf_consume(cn_bytebuf *b, size_t n) {
  b->start += n;
  if (b->start >= b->end)
    b->start = b->end = 0;
}

void cn_bytebuf_clear(cn_bytebuf *b) { b->start = b->end = 0; }

char *cn_bytebuf_steal_str(cn_bytebuf *b) {
  char *s = cn_xstrndup((const char *)cn_bytebuf_head(b), cn_bytebuf_len(b));
  cn_bytebuf_clear(b);
  return s;
}
