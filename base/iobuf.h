// Refcounted I/O buffers.
//
// A cn_iobuf is a fixed-size byte array with a reference count. Layers pass
// iobufs up and down instead of copying bytes: an async read or write keeps a
// reference to the caller's buffer while it is pending, so the caller may drop
// its own reference at any time without the socket writing into freed memory.
//
// Ownership: cn_iobuf_new() returns a buffer with one reference held by the
// caller. Every cn_iobuf_ref() is paired with one cn_iobuf_unref(); the last
// unref frees the buffer (and runs the release hook of a wrapped buffer).
#ifndef CNET_BASE_IOBUF_H_
#define CNET_BASE_IOBUF_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_iobuf cn_iobuf;

struct cn_iobuf {
  uint8_t *data;
  size_t size;
  // Private.
  unsigned refs;
  void (*release)(void *release_arg, uint8_t *data);
  void *release_arg;
};

// A new buffer of |size| bytes (uninitialised). Aborts on out-of-memory.
cn_iobuf *cn_iobuf_new(size_t size);
// A new buffer holding a copy of |data|.
cn_iobuf *cn_iobuf_from_copy(const void *data, size_t size);
// Wraps memory the caller owns; |release| (may be NULL) runs at the last unref.
cn_iobuf *cn_iobuf_wrap(uint8_t *data, size_t size,
                        void (*release)(void *arg, uint8_t *data), void *arg);

// A view of |len| bytes of |parent| from |offset|; holds a reference to
// |parent| until the slice is released. Lets a layer hand on part of a
// buffer (the rest of a partial write, a frame's payload) without copying.
cn_iobuf *cn_iobuf_slice(cn_iobuf *parent, size_t offset, size_t len);

cn_iobuf *cn_iobuf_ref(cn_iobuf *buf);
// Accepts NULL.
void cn_iobuf_unref(cn_iobuf *buf);

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_IOBUF_H_
