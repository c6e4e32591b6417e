#include "base/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p, size_t size) {
  if (!p && size) {
    fprintf(stderr, "cnet: out of memory allocating %zu bytes\n", size);
    abort();
  }
  return p;
}

void *cn_xmalloc(size_t size) { return check(malloc(size ? size : 1), size); }

void *cn_xcalloc(size_t count, size_t size) {
  return check(calloc(count ? count : 1, size ? size : 1), count * size);
}

void *cn_xrealloc(void *ptr, size_t size) {
  return check(realloc(ptr, size ? size : 1), size);
}

char *cn_xstrdup(const char *s) { return s ? cn_xstrndup(s, strlen(s)) : NULL; }

char *cn_xstrndup(const char *s, size_t len) {
  char *out = cn_xmalloc(len + 1);
  if (len)  // |s| may be NULL when |len| is 0 (an empty, never-grown buffer)
    memcpy(out, s, len);
  out[len] = '\0';
  return out;
}

char *cn_xasprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    abort();
  char *out = cn_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(out, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return out;
}
