// What cnet remembers about servers (proxies and origins) it spoke to
// (Chromium's HttpServerProperties, the part cnet needs): which ones closed
// a SPDY/HTTP2 session or stream with HTTP_1_1_REQUIRED. New connections to
// such a server offer HTTP/1.1 only, and no live session to it is used any
// more (a stream reset with HTTP_1_1_REQUIRED leaves the session up). The
// memory lasts as long as its owner, as Chromium keeps it without expiry.
//
// Ownership: embedded by its owner (the network session); init before use,
// free once.
#ifndef CNET_NET_HTTP_HTTP_SERVER_PROPERTIES_H_
#define CNET_NET_HTTP_HTTP_SERVER_PROPERTIES_H_

#include <stdbool.h>

#include "base/hashmap.h"
#include "net/base/host_port.h"
#include "net/socket/ssl_config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_http_server_properties {
  cn_hashmap http11_required;  // host:port -> (void *)1
} cn_http_server_properties;

void cn_http_server_properties_init(cn_http_server_properties *p);
void cn_http_server_properties_free(cn_http_server_properties *p);
void cn_http_server_properties_note_http11_required(cn_http_server_properties *p,
                                                     const cn_host_port *server);
bool cn_http_server_properties_requires_http11(const cn_http_server_properties *p,
                                                const cn_host_port *server);
// The ALPN offer for |server|: |cfg|, or a copy in |scratch| offering
// HTTP/1.1 alone once the server asked for it. Returns the one to use.
const cn_ssl_config *cn_http_server_properties_ssl_config(const cn_http_server_properties *p,
                                                         const cn_host_port *server,
                                                         const cn_ssl_config *cfg,
                                                         cn_ssl_config *scratch);
// True if |cfg| offers SPDY/3.1 or HTTP/2.
bool cn_ssl_config_offers_multiplexed(const cn_ssl_config *cfg);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_SERVER_PROPERTIES_H_
