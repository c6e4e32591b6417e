// Per-connection TLS settings: protocol versions and application protocol
// negotiation. A zero-initialised cn_ssl_config is the default: TLS 1.2 to
// TLS 1.3, no ALPN list (nothing offered or selected), no NPN.
//
// The same struct serves both roles; a field's meaning for the client and
// for the server is given beside it. cn_ssl_socket_new() copies it.
#ifndef CNET_NET_SOCKET_SSL_CONFIG_H_
#define CNET_NET_SOCKET_SSL_CONFIG_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/socket/next_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

// Wire version numbers. cnet never speaks anything older than TLS 1.2.
#define CN_SSL_VERSION_TLS1_2 0x0303
#define CN_SSL_VERSION_TLS1_3 0x0304

// Every protocol cnet knows fits: http/1.1, spdy/3.1, h2.
#define CN_SSL_MAX_PROTOS 3

typedef struct cn_ssl_config {
  // Allowed versions; 0 means the default bound (min TLS 1.2, max TLS 1.3).
  // A min above the max fails connect with CN_ERR_NO_SSL_VERSIONS_ENABLED.
  uint16_t version_min;
  uint16_t version_max;

  // Client: the protocols offered through ALPN, most preferred first.
  // Server: the protocols it accepts, in the server's preference order; it
  // picks the first of these the client offered.
  cn_next_proto protos[CN_SSL_MAX_PROTOS];
  size_t num_protos;

  // Server: when the client offers ALPN but nothing overlaps, fail the
  // handshake with a no_application_protocol alert (the client sees
  // CN_ERR_ALPN_NEGOTIATION_FAILED). By default the server carries on
  // without ALPN, as most servers do, and the client reports
  // CN_PROTO_UNKNOWN.
  bool alpn_required;
  // Server: ignore the client's ALPN extension, like a server from before
  // ALPN (which negotiated SPDY by NPN only).
  bool disable_alpn;
  // NPN (TLS 1.2 only; ALPN wins when both are possible).
  // Client: offer NPN and, if the server advertises protocols and ALPN
  // settled nothing, pick the first of |protos| it advertises (or, per the
  // NPN spec, |protos[0]| when none overlap).
  // Server: advertise |protos| through NPN.
  bool enable_npn;
} cn_ssl_config;

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_SSL_CONFIG_H_
