#include "net/http/http_upload.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

// Both in-memory forms share one implementation: an iobuf (a private copy,
// or the caller's buffer referenced) and a read position.
typedef struct memory_upload {
  cn_http_upload base;
  cn_iobuf *buf;
  size_t offset;
  size_t len;
  size_t pos;
} memory_upload;

static int64_t memory_size(const cn_http_upload *u) {
  return (int64_t)((const memory_upload *)u)->len;
}

// Always synchronous: the bytes are already here.
static int memory_read(cn_http_upload *u, cn_iobuf *buf, size_t len, cn_completion_cb cb,
                       void *arg) {
  memory_upload *m = (memory_upload *)u;
  size_t left = m->len - m->pos;
  size_t n = left < len ? left : len;
  if (n > INT32_MAX)
    n = INT32_MAX;
  memcpy(buf->data, m->buf->data + m->offset + m->pos, n);
  m->pos += n;
  return (int)n;
}

static int memory_rewind(cn_http_upload *u) {
  ((memory_upload *)u)->pos = 0;
  return CN_OK;
}

static void memory_destroy(cn_http_upload *u) {
  memory_upload *m = (memory_upload *)u;
  cn_iobuf_unref(m->buf);
  free(m);
}

static const cn_http_upload_ops kMemoryOps = {
    .size = memory_size,
    .read = memory_read,
    .cancel_read = NULL,
    .rewind = memory_rewind,
    .destroy = memory_destroy,
};

cn_http_upload *cn_http_upload_new_iobuf(cn_iobuf *buf, size_t offset, size_t len) {
  memory_upload *m = CN_NEW(memory_upload);
  m->base.ops = &kMemoryOps;
  m->buf = cn_iobuf_ref(buf);
  m->offset = offset;
  m->len = len;
  return &m->base;
}

cn_http_upload *cn_http_upload_new_copy(const void *data, size_t len) {
  cn_iobuf *buf = cn_iobuf_from_copy(data, len);
  cn_http_upload *u = cn_http_upload_new_iobuf(buf, 0, len);
  cn_iobuf_unref(buf);
  return u;
}

bool cn_http_upload_in_memory(const cn_http_upload *u, cn_iobuf **buf, size_t *offset,
                              size_t *len) {
  if (u->ops != &kMemoryOps)
    return false;
  const memory_upload *m = (const memory_upload *)u;
  *buf = m->buf;
  *offset = m->offset;
  *len = m->len;
  return true;
}
