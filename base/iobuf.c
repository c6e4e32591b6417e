#include "base/iobuf.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

// The bytes of an owned buffer follow the header in the same allocation, so
// one malloc serves both.
cn_iobuf *cn_iobuf_new(size_t size) {
  cn_iobuf *buf = cn_xmalloc(sizeof(*buf) + (size ? size : 1));
  buf->data = (uint8_t *)(buf + 1);
  buf->size = size;
  buf->refs = 1;
  buf->release = NULL;
  buf->release_arg = NULL;
  return buf;
}

cn_iobuf *cn_iobuf_from_copy(const void *data, size_t size) {
  cn_iobuf *buf = cn_iobuf_new(size);
  if (size)
    memcpy(buf->data, data, size);
  return buf;
}

cn_iobuf *cn_iobuf_wrap(uint8_t *data, size_t size,
                        void (*release)(void *arg, uint8_t *data), void *arg) {
  cn_iobuf *buf = cn_xmalloc(sizeof(*buf));
  buf->data = data;
  buf->size = size;
  buf->refs = 1;
  buf->release = release;
  buf->release_arg = arg;
  return buf;
}

static void release_parent(void *arg, uint8_t *data) { cn_iobuf_unref(arg); }

cn_iobuf *cn_iobuf_slice(cn_iobuf *parent, size_t offset, size_t len) {
  if (offset > parent->size || len > parent->size - offset)
    abort();  // a caller bug, not bad input
  return cn_iobuf_wrap(parent->data + offset, len, release_parent,
                       cn_iobuf_ref(parent));
}

cn_iobuf *cn_iobuf_ref(cn_iobuf *buf) {
  buf->refs++;
  return buf;
}

void cn_iobuf_unref(cn_iobuf *buf) {
  if (!buf || --buf->refs > 0)
    return;
  if (buf->release)
    buf->release(buf->release_arg, buf->data);
  free(buf);
}
