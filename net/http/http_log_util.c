#include "net/http/http_log_util.h"

#include <string.h>
#include <strings.h>

#include "base/bytebuf.h"
#include "base/mem.h"

bool cn_http_header_is_sensitive(const char *name, size_t name_len) {
  static const char *const kSensitive[] = {
      "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "Set-Cookie2",
  };
  for (size_t i = 0; i < sizeof(kSensitive) / sizeof(kSensitive[0]); i++) {
    if (strlen(kSensitive[i]) == name_len && strncasecmp(name, kSensitive[i], name_len) == 0)
      return true;
  }
  return false;
}

static void append_field(cn_bytebuf *b, const char *name, size_t name_len, const char *value,
                         size_t value_len) {
  if (cn_bytebuf_len(b))
    cn_bytebuf_append(b, "\n", 1);
  cn_bytebuf_append(b, name, name_len);
  cn_bytebuf_append(b, ": ", 2);
  if (cn_http_header_is_sensitive(name, name_len))
    cn_bytebuf_appendf(b, "[%zu bytes were stripped]", value_len);
  else
    cn_bytebuf_append(b, value, value_len);
}

static char *finish(cn_bytebuf *b) {
  char *s = cn_bytebuf_steal_str(b);
  cn_bytebuf_free(b);
  return s;
}

void cn_http_head_for_log(const char *head, size_t len, char **first_line, char **fields) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  const char *p = head;
  const char *end = head + len;
  bool first = true;
  while (p < end) {
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    const char *e = lf ? lf : end;
    size_t n = (size_t)(e - p);
    if (n && p[n - 1] == '\r')
      n--;
    if (first) {
      if (first_line)
        *first_line = cn_xstrndup(p, n);
      first = false;
    } else if (n) {
      const char *colon = memchr(p, ':', n);
      if (colon) {
        const char *v = colon + 1;
        while (v < p + n && (*v == ' ' || *v == '\t'))
          v++;
        append_field(&b, p, (size_t)(colon - p), v, (size_t)(p + n - v));
      }
    }
    p = lf ? lf + 1 : end;
  }
  if (first && first_line)
    *first_line = cn_xstrdup("");
  if (fields)
    *fields = finish(&b);
  else
    cn_bytebuf_free(&b);
}

char *cn_http_headers_for_log(const cn_http_headers *h) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  for (size_t i = 0; i < cn_http_headers_count(h); i++) {
    const cn_http_header *f = cn_http_headers_at(h, i);
    append_field(&b, f->name, f->name_len, f->value, f->value_len);
  }
  return finish(&b);
}
