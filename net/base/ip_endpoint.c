#include "net/base/ip_endpoint.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"

bool cn_ip_endpoint_from_literal(const char *text, uint16_t port, cn_ip_endpoint *out) {
  memset(out, 0, sizeof(*out));
  char tmp[64];
  size_t len = strlen(text);
  if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
    if (len - 2 >= sizeof(tmp))
      return false;
    memcpy(tmp, text + 1, len - 2);
    tmp[len - 2] = '\0';
    text = tmp;
  }
  struct sockaddr_in *v4 = (struct sockaddr_in *)&out->addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->addr;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return true;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return true;
  }
  return false;
}

int cn_ip_endpoint_family(const cn_ip_endpoint *ep) { return ep->addr.ss_family; }

uint16_t cn_ip_endpoint_port(const cn_ip_endpoint *ep) {
  if (ep->addr.ss_family == AF_INET)
    return ntohs(((const struct sockaddr_in *)&ep->addr)->sin_port);
  if (ep->addr.ss_family == AF_INET6)
    return ntohs(((const struct sockaddr_in6 *)&ep->addr)->sin6_port);
  return 0;
}

void cn_ip_endpoint_set_port(cn_ip_endpoint *ep, uint16_t port) {
  if (ep->addr.ss_family == AF_INET)
    ((struct sockaddr_in *)&ep->addr)->sin_port = htons(port);
  else if (ep->addr.ss_family == AF_INET6)
    ((struct sockaddr_in6 *)&ep->addr)->sin6_port = htons(port);
}

const char *cn_ip_endpoint_to_string(const cn_ip_endpoint *ep, char *buf, size_t size) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (ep->addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)&ep->addr)->sin_addr, host, sizeof(host));
    snprintf(buf, size, "%s:%u", host, cn_ip_endpoint_port(ep));
  } else if (ep->addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&ep->addr)->sin6_addr, host, sizeof(host));
    snprintf(buf, size, "[%s]:%u", host, cn_ip_endpoint_port(ep));
  } else {
    snprintf(buf, size, "<invalid>");
  }
  return buf;
}

bool cn_ip_endpoint_equal(const cn_ip_endpoint *a, const cn_ip_endpoint *b) {
  if (a->addr.ss_family != b->addr.ss_family)
    return false;
  if (a->addr.ss_family == AF_INET) {
    const struct sockaddr_in *x = (const struct sockaddr_in *)&a->addr;
    const struct sockaddr_in *y = (const struct sockaddr_in *)&b->addr;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  if (a->addr.ss_family == AF_INET6) {
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->addr;
    const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->addr;
    return x->sin6_port == y->sin6_port &&
           memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
  }
  return false;
}

void cn_address_list_init(cn_address_list *l) {
  l->items = NULL;
  l->count = 0;
}

void cn_address_list_free(cn_address_list *l) {
  free(l->items);
  cn_address_list_init(l);
}

void cn_address_list_append(cn_address_list *l, const cn_ip_endpoint *ep) {
  l->items = cn_xrealloc(l->items, (l->count + 1) * sizeof(*l->items));
  l->items[l->count++] = *ep;
}

void cn_address_list_copy(cn_address_list *dst, const cn_address_list *src) {
  cn_address_list_init(dst);
  for (size_t i = 0; i < src->count; i++)
    cn_address_list_append(dst, &src->items[i]);
}

char *cn_address_list_to_string(const cn_address_list *l) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  cn_bytebuf_append_str(&b, "[");
  for (size_t i = 0; i < l->count; i++) {
    char tmp[80];
    cn_bytebuf_appendf(&b, "%s%s", i ? ", " : "", cn_ip_endpoint_to_string(&l->items[i], tmp, sizeof(tmp)));
  }
  cn_bytebuf_append_str(&b, "]");
  char *s = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return s;
}
