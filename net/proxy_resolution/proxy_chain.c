#include "net/proxy_resolution/proxy_chain.h"

#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/base/net_errors.h"

void cn_proxy_chain_init_direct(cn_proxy_chain *chain) {
  chain->servers = NULL;
  chain->count = 0;
}

void cn_proxy_chain_init_single(cn_proxy_chain *chain, const cn_proxy_server *server) {
  cn_proxy_chain_init_direct(chain);
  if (server->scheme != CN_PROXY_SCHEME_DIRECT && server->scheme != CN_PROXY_SCHEME_INVALID)
    cn_proxy_chain_append(chain, server);
}

int cn_proxy_chain_append(cn_proxy_chain *chain, const cn_proxy_server *server) {
  bool http = server->scheme == CN_PROXY_SCHEME_HTTP || server->scheme == CN_PROXY_SCHEME_HTTPS;
  // SOCKS is a transport to the next hop: it can only be where the client's
  // own connection goes, since no HTTP proxy tunnels to a SOCKS handshake
  // on our behalf (the handshake would have to run inside the tunnel).
  bool first_socks = cn_proxy_server_is_socks(server) && chain->count == 0;
  if (!http && !first_socks)
    return CN_ERR_INVALID_ARGUMENT;
  if (chain->count >= CN_PROXY_CHAIN_MAX_HOPS)
    return CN_ERR_INVALID_ARGUMENT;
  chain->servers = cn_xrealloc(chain->servers, (chain->count + 1) * sizeof(*chain->servers));
  cn_proxy_server_copy(&chain->servers[chain->count++], server);
  return CN_OK;
}

void cn_proxy_chain_free(cn_proxy_chain *chain) {
  for (size_t i = 0; i < chain->count; i++)
    cn_proxy_server_free(&chain->servers[i]);
  free(chain->servers);
  cn_proxy_chain_init_direct(chain);
}

void cn_proxy_chain_copy(cn_proxy_chain *dst, const cn_proxy_chain *src) {
  cn_proxy_chain_init_direct(dst);
  for (size_t i = 0; i < src->count; i++)
    cn_proxy_chain_append(dst, &src->servers[i]);
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

int cn_proxy_chain_parse(const char *text, size_t len, cn_proxy_chain *out) {
  cn_proxy_chain_init_direct(out);
  while (len > 0 && is_blank(text[0])) {
    text++;
    len--;
  }
  while (len > 0 && is_blank(text[len - 1]))
    len--;
  cn_proxy_server server;
  if (len == 0 || text[0] != '[') {
    int rv = cn_proxy_server_parse_n(text, len, &server);
    if (rv != CN_OK)
      return rv;
    cn_proxy_chain_init_single(out, &server);
    cn_proxy_server_free(&server);
    return CN_OK;
  }
  // "[a b ...]": hops separated by blanks. A bracketed IPv6 host inside a
  // hop ("http://[::1]:80") needs no special care: hops are split on blanks
  // only, which never occur inside a valid proxy URI.
  if (text[len - 1] != ']')
    return CN_ERR_INVALID_ARGUMENT;
  const char *p = text + 1;
  const char *end = text + len - 1;
  while (p < end) {
    while (p < end && is_blank(*p))
      p++;
    const char *start = p;
    while (p < end && !is_blank(*p))
      p++;
    if (p == start)
      break;
    int rv = cn_proxy_server_parse_n(start, (size_t)(p - start), &server);
    if (rv == CN_OK && cn_proxy_chain_append(out, &server) != CN_OK)
      rv = CN_ERR_INVALID_ARGUMENT;  // DIRECT inside brackets
    cn_proxy_server_free(&server);
    if (rv != CN_OK) {
      cn_proxy_chain_free(out);
      return rv;
    }
  }
  if (out->count == 0)
    return CN_ERR_INVALID_ARGUMENT;  // "[]"
  return CN_OK;
}

char *cn_proxy_chain_key(const cn_proxy_chain *chain) {
  char buf[CN_PROXY_SERVER_STR_SIZE];
  if (chain->count == 0)
    return cn_xstrdup("direct");
  if (chain->count == 1)
    return cn_xstrdup(cn_proxy_server_to_string(&chain->servers[0], buf, sizeof(buf)));
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  cn_bytebuf_append_str(&b, "[");
  for (size_t i = 0; i < chain->count; i++) {
    if (i)
      cn_bytebuf_append_str(&b, " ");
    cn_bytebuf_append_str(&b, cn_proxy_server_to_string(&chain->servers[i], buf, sizeof(buf)));
  }
  cn_bytebuf_append_str(&b, "]");
  // Storage must exist even for "": steal_str of a never-grown buffer would
  // copy from a NULL pointer.
  cn_bytebuf_reserve(&b, 1);
  char *s = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return s;
}

bool cn_proxy_chain_equal(const cn_proxy_chain *a, const cn_proxy_chain *b) {
  if (a->count != b->count)
    return false;
  for (size_t i = 0; i < a->count; i++) {
    if (!cn_proxy_server_equal(&a->servers[i], &b->servers[i]))
      return false;
  }
  return true;
}
