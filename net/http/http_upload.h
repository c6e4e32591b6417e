// Request bodies as a stream, so an upload never has to be in memory at
// once: the HTTP stream pulls bytes from a cn_http_upload as the socket
// accepts them. A body of known size is sent with Content-Length, one of
// unknown size (size() < 0) with Transfer-Encoding: chunked.
//
// An upload is an interface (a vtable, like cn_stream_socket); cnet ships
// in-memory bodies (a copy or a refcounted iobuf) and callers implement the
// ops for files, pipes or generated data.
//
// Read follows the cnet async convention: > 0 bytes read, 0 at the end of
// the body, < 0 an error, or CN_ERR_IO_PENDING and later cb(arg, result)
// exactly once, never from inside read(). cancel_read() (required when read
// can return CN_ERR_IO_PENDING) drops a pending read: its callback must not
// run afterwards.
//
// Ownership: whoever creates an upload destroys it (cn_http_upload_destroy),
// after the request using it has finished or been destroyed. A request only
// borrows it.
#ifndef CNET_NET_HTTP_HTTP_UPLOAD_H_
#define CNET_NET_HTTP_HTTP_UPLOAD_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/iobuf.h"
#include "net/base/net_errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_http_upload cn_http_upload;

typedef struct cn_http_upload_ops {
  // The body's size in bytes, or -1 when unknown (sent chunked). Must not
  // change while the body is being sent.
  int64_t (*size)(const cn_http_upload *u);
  // Reads up to |len| bytes into |buf->data| (|buf| is kept referenced while
  // a read is pending). See the convention above.
  int (*read)(cn_http_upload *u, cn_iobuf *buf, size_t len, cn_completion_cb cb, void *arg);
  // Cancels a pending read. May be NULL if read never returns IO_PENDING.
  void (*cancel_read)(cn_http_upload *u);
  // Starts the body over from its first byte, so a request can be resent on
  // a new connection. Returns CN_OK, or an error when the body cannot be
  // replayed. May be NULL (not replayable).
  int (*rewind)(cn_http_upload *u);
  void (*destroy)(cn_http_upload *u);
} cn_http_upload_ops;

struct cn_http_upload {
  const cn_http_upload_ops *ops;
};

// A body holding a copy of |len| bytes of |data|; replayable.
cn_http_upload *cn_http_upload_new_copy(const void *data, size_t len);
// A body of |len| bytes of |buf| from |offset|, without copying: the upload
// takes its own reference to |buf|. Replayable.
cn_http_upload *cn_http_upload_new_iobuf(cn_iobuf *buf, size_t offset, size_t len);
// If |u| is one of the in-memory bodies above, sets |*buf| (a borrowed
// reference), |*offset| and |*len| to where its bytes are and returns true:
// the stream then writes them without reading (no copy), or coalesces a
// small body with the request head into one write.
bool cn_http_upload_in_memory(const cn_http_upload *u, cn_iobuf **buf, size_t *offset,
                              size_t *len);

static inline int64_t cn_http_upload_size(const cn_http_upload *u) { return u->ops->size(u); }
static inline int cn_http_upload_read(cn_http_upload *u, cn_iobuf *buf, size_t len,
                                      cn_completion_cb cb, void *arg) {
  return u->ops->read(u, buf, len, cb, arg);
}
static inline void cn_http_upload_cancel_read(cn_http_upload *u) {
  if (u->ops->cancel_read)
    u->ops->cancel_read(u);
}
static inline int cn_http_upload_rewind(cn_http_upload *u) {
  return u->ops->rewind ? u->ops->rewind(u) : CN_ERR_NOT_IMPLEMENTED;
}
// Accepts NULL.
static inline void cn_http_upload_destroy(cn_http_upload *u) {
  if (u)
    u->ops->destroy(u);
}

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_UPLOAD_H_
