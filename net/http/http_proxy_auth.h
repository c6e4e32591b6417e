// Proxy authentication's fallback rule: what a proxy's 407 — or any
// answer to a CONNECT — means without an auth controller.
//
// Since the auth controller (http_auth_controller.h) answers every 407 of
// the transaction and of the tunnel job (Basic and Digest), this rule is
// left for a CONNECT stream made without a job's controller
// (spdy_stream_socket.h) and for what any CONNECT answer other than a 407
// means. The rule (Chromium's, Basic only): a 407 is answered once with
// the proxy's credentials when it has some and offers the Basic scheme;
// without credentials, or when they were already sent (refused), it is
// CN_ERR_PROXY_AUTH_REQUESTED; with no Basic challenge,
// CN_ERR_PROXY_AUTH_UNSUPPORTED. Only the challenges are looked at: the
// rest of a proxy's answer goes nowhere.
#ifndef CNET_NET_HTTP_HTTP_PROXY_AUTH_H_
#define CNET_NET_HTTP_HTTP_PROXY_AUTH_H_

#include <stdbool.h>

#include "net/http/http_headers.h"
#include "net/proxy_resolution/proxy_server.h"

#ifdef __cplusplus
extern "C" {
#endif

// True if a 407's Proxy-Authenticate fields offer the Basic scheme: any
// challenge (one per field, or several in one comma-separated field) whose
// scheme token is "Basic", case-insensitively — a proxy offering
// "Negotiate" and "Basic" is answered with Basic, as Chromium picks the best
// scheme it supports.
bool cn_http_proxy_auth_offers_basic(const cn_http_headers *challenges);

// A 407 from |proxy|, with |challenges| (its Proxy-Authenticate fields);
// |sent_auth|: this exchange already carried credentials. Returns CN_OK
// when the exchange should be sent again with them
// (cn_http_proxy_auth_header_value), else the error.
int cn_http_proxy_auth_on_407(const cn_proxy_server *proxy, bool sent_auth,
                              const cn_http_headers *challenges);

// What an answer with |status| to a CONNECT means when it is not the one
// success, 200: a 407 as above (CN_OK with |*retry_with_auth| set);
// anything else — a 1xx, another 2xx, a redirect (never followed), 4xx,
// 5xx — CN_ERR_TUNNEL_CONNECTION_FAILED, as Chromium.
int cn_http_proxy_connect_failure(int status, const cn_proxy_server *proxy, bool sent_auth,
                                  const cn_http_headers *challenges, bool *retry_with_auth);

// The Proxy-Authorization value for |proxy|'s credentials ("Basic ...");
// the caller frees it. |proxy| must have credentials.
char *cn_http_proxy_auth_header_value(const cn_proxy_server *proxy);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_HTTP_HTTP_PROXY_AUTH_H_
