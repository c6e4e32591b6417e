#include "net/spdy/spdy_headers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

void cn_spdy_header_list_init(cn_spdy_header_list *l) { memset(l, 0, sizeof(*l)); }

void cn_spdy_header_list_free(cn_spdy_header_list *l) {
  cn_arena_free(&l->strings);
  free(l->items);
  memset(l, 0, sizeof(*l));
}

void cn_spdy_header_list_add(cn_spdy_header_list *l, const char *name, size_t name_len,
                             const char *value, size_t value_len) {
  if (l->count == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 8;
    l->items = cn_xrealloc(l->items, l->cap * sizeof(*l->items));
  }
  // One piece of the list's arena: a decoded header block costs a few
  // allocations, not one per field.
  char *block = cn_arena_alloc(&l->strings, name_len + value_len + 2);
  for (size_t i = 0; i < name_len; i++) {
    char c = name[i];
    block[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  block[name_len] = '\0';
  if (value_len)
    memcpy(block + name_len + 1, value, value_len);
  block[name_len + 1 + value_len] = '\0';
  l->items[l->count++] = (cn_spdy_header){
      .name = block,
      .name_len = name_len,
      .value = block + name_len + 1,
      .value_len = value_len,
  };
}

void cn_spdy_header_list_add_str(cn_spdy_header_list *l, const char *name, const char *value) {
  cn_spdy_header_list_add(l, name, strlen(name), value, strlen(value));
}

void cn_spdy_header_list_append(cn_spdy_header_list *l, const cn_spdy_header *h, size_t num) {
  // A whole block at once (what a stream keeps of a decoded block, or
  // queues to send): the fields array and the strings each take one
  // allocation of their exact size, not the doubling growth's 8 fields
  // and 1 KiB (an open stream's largest share of memory).
  if (num > l->cap - l->count) {
    l->cap = l->count + num;
    l->items = cn_xrealloc(l->items, l->cap * sizeof(*l->items));
  }
  size_t bytes = 0;
  for (size_t i = 0; i < num; i++)
    bytes += h[i].name_len + h[i].value_len + 2;
  cn_arena_reserve(&l->strings, bytes);
  for (size_t i = 0; i < num; i++)
    cn_spdy_header_list_add(l, h[i].name, h[i].name_len, h[i].value, h[i].value_len);
}

const char *cn_spdy_headers_find(const cn_spdy_header *h, size_t num, const char *name,
                                 size_t *len) {
  size_t n = strlen(name);
  for (size_t i = 0; i < num; i++) {
    if (h[i].name_len == n && memcmp(h[i].name, name, n) == 0) {
      if (len)
        *len = h[i].value_len;
      return h[i].value;
    }
  }
  return NULL;
}

const char *cn_spdy_header_list_get(const cn_spdy_header_list *l, const char *name) {
  return cn_spdy_headers_find(l->items, l->count, name, NULL);
}

int cn_spdy_headers_status(const cn_spdy_header *h, size_t num) {
  size_t len;
  const char *v = cn_spdy_headers_find(h, num, ":status", &len);
  // SPDY/3 sends "200 OK" (code and reason), HTTP/2 just "200".
  if (!v || len < 3)
    return -1;
  int status = 0;
  for (int i = 0; i < 3; i++) {
    if (v[i] < '0' || v[i] > '9')
      return -1;
    status = status * 10 + (v[i] - '0');
  }
  if (len > 3 && v[3] != ' ')
    return -1;
  return status;
}

static bool name_is(const cn_spdy_header *h, const char *lower) {
  size_t n = strlen(lower);
  if (h->name_len != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = h->name[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (c != lower[i])
      return false;
  }
  return true;
}

// Fields that describe one HTTP/1.1 connection and mean nothing (HTTP/2:
// are malformed, RFC 9113 §8.2.2) inside a multiplexed stream.
static bool is_connection_specific(cn_next_proto proto, const cn_spdy_header *h) {
  static const char *const kNames[] = {"connection", "keep-alive", "proxy-connection",
                                       "transfer-encoding", "upgrade", "host"};
  for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); i++) {
    if (name_is(h, kNames[i]))
      return true;
  }
  if (proto == CN_PROTO_HTTP2 && name_is(h, "te"))
    return !(h->value_len == 8 && strncasecmp(h->value, "trailers", 8) == 0);
  return false;
}

int cn_spdy_build_request_headers(cn_next_proto proto, const char *method, const cn_url *url,
                                  bool absolute_form, const cn_spdy_header *extra,
                                  size_t num_extra, cn_spdy_header_list *out) {
  if (!method || !*method || !url || (proto != CN_PROTO_SPDY31 && proto != CN_PROTO_HTTP2))
    return CN_ERR_INVALID_ARGUMENT;
  bool spdy = proto == CN_PROTO_SPDY31;
  if (strcmp(method, "CONNECT") == 0) {
    char *host = cn_url_host_bracketed(url);
    char *target = cn_xasprintf("%s:%u", host, (unsigned)url->port);
    free(host);
    cn_spdy_header_list_add_str(out, ":method", "CONNECT");
    if (spdy) {
      cn_spdy_header_list_add_str(out, ":path", target);
      cn_spdy_header_list_add_str(out, ":host", target);
      cn_spdy_header_list_add_str(out, ":version", "HTTP/1.1");
    } else {
      cn_spdy_header_list_add_str(out, ":authority", target);
    }
    free(target);
  } else {
    char *authority = cn_url_authority(url);
    char *path = (spdy && absolute_form) ? cn_url_absolute_form(url) : cn_url_request_target(url);
    cn_spdy_header_list_add_str(out, ":method", method);
    if (spdy) {
      cn_spdy_header_list_add_str(out, ":path", path);
      cn_spdy_header_list_add_str(out, ":version", "HTTP/1.1");
      cn_spdy_header_list_add_str(out, ":host", authority);
      cn_spdy_header_list_add_str(out, ":scheme", url->scheme);
    } else {
      cn_spdy_header_list_add_str(out, ":authority", authority);
      cn_spdy_header_list_add_str(out, ":scheme", url->scheme);
      cn_spdy_header_list_add_str(out, ":path", path);
    }
    free(authority);
    free(path);
  }
  for (size_t i = 0; i < num_extra; i++) {
    if (extra[i].name_len == 0 || extra[i].name[0] == ':' ||
        is_connection_specific(proto, &extra[i]))
      continue;
    cn_spdy_header_list_add(out, extra[i].name, extra[i].name_len, extra[i].value,
                            extra[i].value_len);
  }
  return CN_OK;
}
