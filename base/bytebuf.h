// Growable byte buffer with a read cursor: append at the end, consume from the
// front. Used where a layer must accumulate bytes it cannot yet parse (a
// partial frame, a header block) or build an outgoing message.
//
// Ownership: the struct is embedded by its owner; cn_bytebuf_free() releases
// the storage. Pointers into the data are invalidated by any append.
#ifndef CNET_BASE_BYTEBUF_H_
#define CNET_BASE_BYTEBUF_H_

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_bytebuf {
  uint8_t *data;
  size_t start;  // first unconsumed byte
  size_t end;    // one past the last byte
  size_t cap;
} cn_bytebuf;

void cn_bytebuf_init(cn_bytebuf *b);
void cn_bytebuf_free(cn_bytebuf *b);

static inline size_t cn_bytebuf_len(const cn_bytebuf *b) { return b->end - b->start; }
// NULL for a buffer that never grew (adding an offset to NULL is undefined).
static inline uint8_t *cn_bytebuf_head(const cn_bytebuf *b) {
  return b->data ? b->data + b->start : NULL;
}

// Makes room for |n| more bytes and returns where they go; commit them with
// cn_bytebuf_commit() after writing.
uint8_t *cn_bytebuf_reserve(cn_bytebuf *b, size_t n);
void cn_bytebuf_commit(cn_bytebuf *b, size_t n);

void cn_bytebuf_append(cn_bytebuf *b, const void *data, size_t n);
void cn_bytebuf_append_str(cn_bytebuf *b, const char *s);
// Appends |v| in decimal, as "%llu" would, without printf's cost (keys and
// URLs are formatted per request).
void cn_bytebuf_append_u64(cn_bytebuf *b, uint64_t v);
void cn_bytebuf_appendf(cn_bytebuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cn_bytebuf_vappendf(cn_bytebuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

// Writes |v| in decimal into |out| (at least CN_U64_DEC_MAX bytes), without a
// NUL; returns the number of digits.
#define CN_U64_DEC_MAX 20
size_t cn_u64_to_dec(uint64_t v, char *out);

// Drops |n| bytes from the front (n <= len).
void cn_bytebuf_consume(cn_bytebuf *b, size_t n);
void cn_bytebuf_clear(cn_bytebuf *b);
// Returns the contents as a NUL-terminated heap string and empties |b|.
char *cn_bytebuf_steal_str(cn_bytebuf *b);

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_BYTEBUF_H_
