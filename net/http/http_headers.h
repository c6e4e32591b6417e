// An ordered list of HTTP header fields (RFC 9110 §5): name/value pairs kept
// in the order they were added, looked up case-insensitively, a name may
// appear more than once.
//
// Validation happens when a field is added, so that a list can never hold a
// field that would be unsafe to send:
//   - a name must be a non-empty token (RFC 9110 §5.6.2: ALPHA, DIGIT and
//     "!#$%&'*+-.^_`|~");
//   - a value must not contain NUL, CR or LF (header injection / response
//     splitting). Other bytes, including obs-text (0x80-0xff), are kept.
//   - leading and trailing SP/HTAB of a value are removed (they are not part
//     of the value, RFC 9110 §5.5), as the response parser does.
// Invalid input gives CN_ERR_INVALID_HEADER and leaves the list unchanged.
//
// Ownership: the struct is embedded by its owner (cn_http_headers_init /
// cn_http_headers_free); the list owns copies of every name and value. The
// strings returned by the getters belong to the list and stay valid until
// the field is removed or replaced, or the list is cleared or freed.
#ifndef CNET_NET_HTTP_HTTP_HEADERS_H_
#define CNET_NET_HTTP_HTTP_HEADERS_H_

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_http_header {
  char *name;   // as given (case preserved), NUL-terminated
  char *value;  // trimmed, NUL-terminated
  size_t name_len;
  size_t value_len;
} cn_http_header;

typedef struct cn_http_headers {
  cn_http_header *items;  // private: use the accessors
  size_t count;
  size_t cap;
  // private: the fields' names and values, packed into blocks so a head
  // costs a few allocations instead of one per field. A removed or
  // replaced field's bytes stay until clear/free.
  cn_arena strings;
} cn_http_headers;

void cn_http_headers_init(cn_http_headers *h);
// Releases every field; |h| is left empty and may be reused.
void cn_http_headers_free(cn_http_headers *h);
// Removes every field (keeps the storage).
void cn_http_headers_clear(cn_http_headers *h);
// Replaces |dst|'s contents with a copy of |src| (sized exactly, as
// cn_http_headers_reserve).
void cn_http_headers_copy(cn_http_headers *dst, const cn_http_headers *src);
// Makes room for |fields| more fields whose names and values take at most
// |bytes| bytes in all (the sum of name_len + value_len + 2): what it
// allocates is exactly that (no 8-field or 1 KiB minimum), so a head built
// or copied whole costs its own size — with thousands of responses open,
// the difference is most of their memory. On a list that never held
// anything, the fields and their strings share one allocation (one malloc
// chunk less per head); adding more later still works (the fields then
// move to an array of their own), and cn_http_headers_free frees either.
void cn_http_headers_reserve(cn_http_headers *h, size_t fields, size_t bytes);

// True if the |len| bytes at |s| are a non-empty RFC 9110 token.
bool cn_http_is_token(const char *s, size_t len);
// True if the |len| bytes at |s| are acceptable as a field value to send
// (no NUL, CR or LF).
bool cn_http_is_valid_header_value(const char *s, size_t len);

// Appends a field (after any with the same name). Returns CN_OK or
// CN_ERR_INVALID_HEADER.
int cn_http_headers_add(cn_http_headers *h, const char *name, const char *value);
// As cn_http_headers_add with explicit lengths (the bytes need not be
// NUL-terminated).
int cn_http_headers_add_n(cn_http_headers *h, const char *name, size_t name_len,
                          const char *value, size_t value_len);
// Sets |name| to the single value |value|: the first field with that name
// keeps its position and gets the new value, later ones are removed; with
// none, the field is appended. Returns CN_OK or CN_ERR_INVALID_HEADER.
int cn_http_headers_set(cn_http_headers *h, const char *name, const char *value);
// Removes every field named |name|; returns how many were removed.
size_t cn_http_headers_remove(cn_http_headers *h, const char *name);

// The number of fields, and the field at |index| (< count) in order.
static inline size_t cn_http_headers_count(const cn_http_headers *h) { return h->count; }
static inline const cn_http_header *cn_http_headers_at(const cn_http_headers *h, size_t index) {
  return &h->items[index];
}
// The value of the first field named |name|, or NULL.
const char *cn_http_headers_get(const cn_http_headers *h, const char *name);
// The value of the |nth| (0-based) field named |name|, or NULL.
const char *cn_http_headers_get_nth(const cn_http_headers *h, const char *name, size_t nth);
bool cn_http_headers_has(const cn_http_headers *h, const char *name);
// How many fields are named |name|.
size_t cn_http_headers_count_of(const cn_http_headers *h, const char *name);
// All values of |name| joined with ", " (RFC 9110 §5.3 combination) as a
// heap string the caller frees, or NULL when the field is absent.
char *cn_http_headers_get_joined(const cn_http_headers *h, const char *name);
// True if any field named |name|, read as a comma-separated list, has an
// element equal (case-insensitively, surrounding whitespace ignored) to
// |token| — e.g. ("Connection", "close").
bool cn_http_headers_has_token(const cn_http_headers *h, const char *name, const char *token);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_HEADERS_H_
