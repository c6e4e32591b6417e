// Allocation helpers. cnet treats out-of-memory as fatal (as libuv's and
// Chromium's allocators do): the helpers abort with a message instead of
// returning NULL, so callers need no NULL checks for small allocations.
#ifndef CNET_BASE_MEM_H_
#define CNET_BASE_MEM_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *cn_xmalloc(size_t size);
void *cn_xcalloc(size_t count, size_t size);
void *cn_xrealloc(void *ptr, size_t size);
// Copy of a NUL-terminated string; NULL in gives NULL out.
char *cn_xstrdup(const char *s);
// Copy of |len| bytes of |s| plus a NUL.
char *cn_xstrndup(const char *s, size_t len);
// printf into a fresh heap string the caller frees.
char *cn_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CN_NEW(type) ((type *)cn_xcalloc(1, sizeof(type)))

#ifdef __cplusplus
}
#endif

#endif  // CNET_BASE_MEM_H_
