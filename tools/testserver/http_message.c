#include "tools/testserver/http_message.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"

void cn_ts_headers_init(cn_ts_headers *h) { memset(h, 0, sizeof(*h)); }

void cn_ts_headers_free(cn_ts_headers *h) {
  for (size_t i = 0; i < h->count; i++) {
    free(h->items[i].name);
    free(h->items[i].value);
  }
  free(h->items);
  memset(h, 0, sizeof(*h));
}

void cn_ts_headers_add_n(cn_ts_headers *h, const char *name, size_t name_len, const char *value,
                         size_t value_len) {
  if (h->count == h->cap) {
    h->cap = h->cap ? h->cap * 2 : 8;
    h->items = cn_xrealloc(h->items, h->cap * sizeof(*h->items));
  }
  h->items[h->count].name = cn_xstrndup(name, name_len);
  h->items[h->count].value = cn_xstrndup(value, value_len);
  h->count++;
}

void cn_ts_headers_add(cn_ts_headers *h, const char *name, const char *value) {
  cn_ts_headers_add_n(h, name, strlen(name), value, strlen(value));
}

const char *cn_ts_headers_get(const cn_ts_headers *h, const char *name) {
  for (size_t i = 0; i < h->count; i++) {
    if (strcasecmp(h->items[i].name, name) == 0)
      return h->items[i].value;
  }
  return NULL;
}

size_t cn_ts_headers_count(const cn_ts_headers *h, const char *name) {
  size_t n = 0;
  for (size_t i = 0; i < h->count; i++) {
    if (strcasecmp(h->items[i].name, name) == 0)
      n++;
  }
  return n;
}

static bool list_has_token(const char *list, const char *token) {
  size_t tlen = strlen(token);
  const char *p = list;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    const char *start = p;
    while (*p && *p != ',')
      p++;
    const char *end = p;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
      end--;
    if ((size_t)(end - start) == tlen && strncasecmp(start, token, tlen) == 0)
      return true;
  }
  return false;
}

bool cn_ts_headers_has_token(const cn_ts_headers *h, const char *name, const char *token) {
  for (size_t i = 0; i < h->count; i++) {
    if (strcasecmp(h->items[i].name, name) == 0 && list_has_token(h->items[i].value, token))
      return true;
  }
  return false;
}

void cn_ts_request_init(cn_ts_request *r) {
  memset(r, 0, sizeof(*r));
  cn_ts_headers_init(&r->headers);
  cn_bytebuf_init(&r->body);
}

void cn_ts_request_free(cn_ts_request *r) {
  free(r->method);
  free(r->target);
  cn_ts_headers_free(&r->headers);
  cn_bytebuf_free(&r->body);
  memset(r, 0, sizeof(*r));
}

void cn_ts_request_path(const cn_ts_request *r, char *out, size_t size) {
  if (size == 0)
    return;
  out[0] = '\0';
  const char *p = r->target ? r->target : "";
  if (p[0] != '/') {
    // absolute-form: skip "scheme://authority"; authority-form has no path.
    const char *scheme_end = strstr(p, "://");
    if (!scheme_end)
      return;
    p = strchr(scheme_end + 3, '/');
    if (!p)
      p = "/";
  }
  size_t n = strcspn(p, "?#");
  if (n >= size)
    n = size - 1;
  memcpy(out, p, n);
  out[n] = '\0';
}

void cn_ts_response_init(cn_ts_response *r, int status) {
  memset(r, 0, sizeof(*r));
  r->status = status;
  cn_ts_headers_init(&r->headers);
}

void cn_ts_response_free(cn_ts_response *r) { cn_ts_headers_free(&r->headers); }

const char *cn_ts_status_reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

bool cn_ts_status_has_body(int status) {
  return !(status < 200 || status == 204 || status == 304);
}
