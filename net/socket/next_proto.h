// Application protocols negotiated over TLS (ALPN, or NPN for SPDY-era
// servers).
#ifndef CNET_NET_SOCKET_NEXT_PROTO_H_
#define CNET_NET_SOCKET_NEXT_PROTO_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cn_next_proto {
  CN_PROTO_UNKNOWN = 0,  // nothing negotiated (plain TCP, or no ALPN)
  CN_PROTO_HTTP11,
  CN_PROTO_SPDY31,
  CN_PROTO_HTTP2,
} cn_next_proto;

// The ALPN token: "http/1.1", "spdy/3.1", "h2"; "" for UNKNOWN.
const char *cn_next_proto_alpn(cn_next_proto proto);
// Parses an ALPN token (not NUL-terminated); UNKNOWN if unrecognised.
cn_next_proto cn_next_proto_from_alpn(const char *token, size_t len);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_NEXT_PROTO_H_
