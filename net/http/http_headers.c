#include "net/http/http_headers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/base/net_errors.h"

// tchar of RFC 9110 §5.6.2, as a table so the check is one load a byte.
static const bool kTokenChar[256] = {
    ['!'] = true, ['#'] = true, ['$'] = true, ['%'] = true, ['&'] = true, ['\''] = true,
    ['*'] = true, ['+'] = true, ['-'] = true, ['.'] = true, ['^'] = true, ['_'] = true,
    ['`'] = true, ['|'] = true, ['~'] = true,
    ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true, ['5'] = true,
    ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true,
    ['A'] = true, ['B'] = true, ['C'] = true, ['D'] = true, ['E'] = true, ['F'] = true,
    ['G'] = true, ['H'] = true, ['I'] = true, ['J'] = true, ['K'] = true, ['L'] = true,
    ['M'] = true, ['N'] = true, ['O'] = true, ['P'] = true, ['Q'] = true, ['R'] = true,
    ['S'] = true, ['T'] = true, ['U'] = true, ['V'] = true, ['W'] = true, ['X'] = true,
    ['Y'] = true, ['Z'] = true,
    ['a'] = true, ['b'] = true, ['c'] = true, ['d'] = true, ['e'] = true, ['f'] = true,
    ['g'] = true, ['h'] = true, ['i'] = true, ['j'] = true, ['k'] = true, ['l'] = true,
    ['m'] = true, ['n'] = true, ['o'] = true, ['p'] = true, ['q'] = true, ['r'] = true,
    ['s'] = true, ['t'] = true, ['u'] = true, ['v'] = true, ['w'] = true, ['x'] = true,
    ['y'] = true, ['z'] = true,
};

bool cn_http_is_token(const char *s, size_t len) {
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++) {
    if (!kTokenChar[(unsigned char)s[i]])
      return false;
  }
  return true;
}

bool cn_http_is_valid_header_value(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '\0' || c == '\r' || c == '\n')
      return false;
  }
  return true;
}

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

void cn_http_headers_init(cn_http_headers *h) { memset(h, 0, sizeof(*h)); }

// A field's bytes live in its list's arena (freed with it).
static void free_field(cn_http_header *f) { (void)f; }

// The field array of a list reserved whole while empty is in its arena,
// in one allocation with the strings (cn_http_headers_reserve): it is
// freed with the arena, and moves to its own allocation when it grows.
static bool items_in_arena(const cn_http_headers *h) {
  return h->items && cn_arena_contains(&h->strings, h->items);
}

// Room for |cap| fields (>= count), the array in its own allocation.
static void set_capacity(cn_http_headers *h, size_t cap) {
  if (items_in_arena(h)) {
    cn_http_header *items = cn_xmalloc(cap * sizeof(*items));
    memcpy(items, h->items, h->count * sizeof(*items));
    h->items = items;  // (the old array goes with the arena)
  } else {
    h->items = cn_xrealloc(h->items, cap * sizeof(*h->items));
  }
  h->cap = cap;
}

void cn_http_headers_clear(cn_http_headers *h) {
  h->count = 0;
  if (items_in_arena(h)) {
    h->items = NULL;  // the arena's memory is reused or freed now
    h->cap = 0;
  }
  cn_arena_reset(&h->strings);
}

void cn_http_headers_free(cn_http_headers *h) {
  if (!items_in_arena(h))
    free(h->items);
  cn_arena_free(&h->strings);
  cn_http_headers_init(h);
}

// "name\0value\0" from |h|'s arena.
static cn_http_header make_field(cn_http_headers *h, const char *name, size_t name_len,
                                 const char *value, size_t value_len) {
  cn_http_header f;
  f.name = cn_arena_alloc(&h->strings, name_len + value_len + 2);
  memcpy(f.name, name, name_len);
  f.name[name_len] = '\0';
  f.value = f.name + name_len + 1;
  memcpy(f.value, value, value_len);
  f.value[value_len] = '\0';
  f.name_len = name_len;
  f.value_len = value_len;
  return f;
}

void cn_http_headers_reserve(cn_http_headers *h, size_t fields, size_t bytes) {
  if (fields && !h->items && !h->strings.blocks) {
    // A list made whole (a head built or copied): its fields and their
    // strings in one allocation of exactly their size.
    size_t array = fields * sizeof(cn_http_header);
    _Static_assert(_Alignof(cn_http_header) <= CN_ARENA_MAX_ALIGN, "fields need more alignment");
    cn_arena_reserve(&h->strings, array + bytes);
    h->items = cn_arena_alloc_aligned(&h->strings, array, _Alignof(cn_http_header));
    h->cap = fields;
    return;
  }
  if (fields > h->cap - h->count)
    set_capacity(h, h->count + fields);
  cn_arena_reserve(&h->strings, bytes);
}

void cn_http_headers_copy(cn_http_headers *dst, const cn_http_headers *src) {
  if (dst == src)
    return;
  cn_http_headers_clear(dst);
  size_t bytes = 0;
  for (size_t i = 0; i < src->count; i++)
    bytes += src->items[i].name_len + src->items[i].value_len + 2;
  cn_http_headers_reserve(dst, src->count, bytes);
  for (size_t i = 0; i < src->count; i++) {
    const cn_http_header *f = &src->items[i];
    cn_http_headers_add_n(dst, f->name, f->name_len, f->value, f->value_len);
  }
}

// Trims OWS and validates. Returns false if the field is invalid.
static bool prepare(const char *name, size_t name_len, const char **value, size_t *value_len) {
  if (!cn_http_is_token(name, name_len))
    return false;
  const char *v = *value;
  size_t n = *value_len;
  while (n > 0 && is_ows(v[0])) {
    v++;
    n--;
  }
  while (n > 0 && is_ows(v[n - 1]))
    n--;
  if (!cn_http_is_valid_header_value(v, n))
    return false;
  *value = v;
  *value_len = n;
  return true;
}

int cn_http_headers_add_n(cn_http_headers *h, const char *name, size_t name_len,
                          const char *value, size_t value_len) {
  if (!name || (!value && value_len))
    return CN_ERR_INVALID_HEADER;
  if (!value)
    value = "";
  if (!prepare(name, name_len, &value, &value_len))
    return CN_ERR_INVALID_HEADER;
  if (h->count == h->cap)
    set_capacity(h, h->cap ? h->cap * 2 : 8);
  h->items[h->count++] = make_field(h, name, name_len, value, value_len);
  return CN_OK;
}

int cn_http_headers_add(cn_http_headers *h, const char *name, const char *value) {
  if (!name || !value)
    return CN_ERR_INVALID_HEADER;
  return cn_http_headers_add_n(h, name, strlen(name), value, strlen(value));
}

static bool name_is(const cn_http_header *f, const char *name, size_t name_len) {
  return f->name_len == name_len && strncasecmp(f->name, name, name_len) == 0;
}

int cn_http_headers_set(cn_http_headers *h, const char *name, const char *value) {
  if (!name || !value)
    return CN_ERR_INVALID_HEADER;
  size_t name_len = strlen(name);
  size_t value_len = strlen(value);
  if (!prepare(name, name_len, &value, &value_len))
    return CN_ERR_INVALID_HEADER;
  size_t out = 0;
  bool placed = false;
  for (size_t i = 0; i < h->count; i++) {
    cn_http_header *f = &h->items[i];
    if (name_is(f, name, name_len)) {
      if (placed) {
        free_field(f);
        continue;
      }
      // Keep the caller's spelling of the existing name: only the value changes.
      cn_http_header nf = make_field(h, f->name, f->name_len, value, value_len);
      free_field(f);
      *f = nf;
      placed = true;
    }
    h->items[out++] = *f;
  }
  h->count = out;
  if (!placed)
    return cn_http_headers_add_n(h, name, name_len, value, value_len);
  return CN_OK;
}

size_t cn_http_headers_remove(cn_http_headers *h, const char *name) {
  size_t name_len = strlen(name);
  size_t out = 0;
  size_t removed = 0;
  for (size_t i = 0; i < h->count; i++) {
    if (name_is(&h->items[i], name, name_len)) {
      free_field(&h->items[i]);
      removed++;
    } else {
      h->items[out++] = h->items[i];
    }
  }
  h->count = out;
  return removed;
}

const char *cn_http_headers_get_nth(const cn_http_headers *h, const char *name, size_t nth) {
  size_t name_len = strlen(name);
  for (size_t i = 0; i < h->count; i++) {
    if (name_is(&h->items[i], name, name_len)) {
      if (nth == 0)
        return h->items[i].value;
      nth--;
    }
  }
  return NULL;
}

const char *cn_http_headers_get(const cn_http_headers *h, const char *name) {
  return cn_http_headers_get_nth(h, name, 0);
}

bool cn_http_headers_has(const cn_http_headers *h, const char *name) {
  return cn_http_headers_get(h, name) != NULL;
}

size_t cn_http_headers_count_of(const cn_http_headers *h, const char *name) {
  size_t name_len = strlen(name);
  size_t n = 0;
  for (size_t i = 0; i < h->count; i++)
    n += name_is(&h->items[i], name, name_len);
  return n;
}

char *cn_http_headers_get_joined(const cn_http_headers *h, const char *name) {
  size_t name_len = strlen(name);
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  bool found = false;
  for (size_t i = 0; i < h->count; i++) {
    const cn_http_header *f = &h->items[i];
    if (!name_is(f, name, name_len))
      continue;
    if (found)
      cn_bytebuf_append(&b, ", ", 2);
    cn_bytebuf_append(&b, f->value, f->value_len);
    found = true;
  }
  char *s = found ? cn_bytebuf_steal_str(&b) : NULL;
  cn_bytebuf_free(&b);
  return s;
}

bool cn_http_headers_has_token(const cn_http_headers *h, const char *name, const char *token) {
  size_t name_len = strlen(name);
  size_t token_len = strlen(token);
  for (size_t i = 0; i < h->count; i++) {
    const cn_http_header *f = &h->items[i];
    if (!name_is(f, name, name_len))
      continue;
    const char *p = f->value;
    const char *end = f->value + f->value_len;
    while (p < end) {
      const char *comma = memchr(p, ',', (size_t)(end - p));
      const char *e = comma ? comma : end;
      const char *s = p;
      while (s < e && is_ows(*s))
        s++;
      const char *t = e;
      while (t > s && is_ows(t[-1]))
        t--;
      if ((size_t)(t - s) == token_len && strncasecmp(s, token, token_len) == 0)
        return true;
      p = comma ? comma + 1 : end;
    }
  }
  return false;
}
