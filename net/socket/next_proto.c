#include "net/socket/next_proto.h"

#include <string.h>

const char *cn_next_proto_alpn(cn_next_proto proto) {
  switch (proto) {
    case CN_PROTO_HTTP11:
      return "http/1.1";
    case CN_PROTO_SPDY31:
      return "spdy/3.1";
    case CN_PROTO_HTTP2:
      return "h2";
    default:
      return "";
  }
}

cn_next_proto cn_next_proto_from_alpn(const char *token, size_t len) {
  for (int p = CN_PROTO_HTTP11; p <= CN_PROTO_HTTP2; p++) {
    const char *name = cn_next_proto_alpn((cn_next_proto)p);
    if (strlen(name) == len && memcmp(name, token, len) == 0)
      return (cn_next_proto)p;
  }
  return CN_PROTO_UNKNOWN;
}
