// Which failures send a request on to the next proxy chain of its list.
//
// Fallback is split between this directory and the HTTP layer (as in
// Chromium's net/http/proxy_fallback.h): proxy resolution gives the ordered
// list and remembers bad proxies; the layer that connects tries each chain in
// turn, asks cn_proxy_error_allows_fallback() after a failure, records it
// with cn_proxy_info_fallback(), and on success of a later chain calls
// cn_proxy_service_report_success() so the failed proxies get marked bad.
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_FALLBACK_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_FALLBACK_H_

#include <stdbool.h>

#include "net/base/error_hop.h"

#ifdef __cplusplus
extern "C" {
#endif

// The list (Chromium's "reconsider proxy after error",
// net/http/proxy_fallback.cc CanFalloverToNextProxy): true when a request
// whose proxy failed with |err| while connecting, before any byte of the
// response, should be retried through the next chain. The errors are what
// the failing layer reported (nothing renames them for fallback's sake); the
// hop that failed is the other half of the decision
// (cn_proxy_hop_failure_allows_fallback).
//
// Yes (the proxy could not be reached or is not the proxy we expected):
//   PROXY_CONNECTION_FAILED (the TCP connect to it, or resolving its name),
//   NAME_NOT_RESOLVED (some URLs only resolve through a proxy),
//   INTERNET_DISCONNECTED, ADDRESS_UNREACHABLE, CONNECTION_CLOSED / _RESET /
//   _REFUSED / _ABORTED / _TIMED_OUT / _FAILED, TIMED_OUT,
//   PROXY_CERTIFICATE_INVALID (e.g. a captive portal answering TLS),
//   SSL_PROTOCOL_ERROR (TLS spoken to a non-TLS server),
//   SSL_VERSION_OR_CIPHER_MISMATCH and SSL_HANDSHAKE_NOT_COMPLETED (Chromium
//   renames any failed TLS handshake with a proxy PROXY_CONNECTION_FAILED,
//   which falls back; cnet keeps the handshake's error and lists it);
//   SOCKS_CONNECTION_FAILED (a SOCKS proxy's "general failure", as Chromium)
//   and SOCKS_MALFORMED_REPLY (that is no SOCKS5 proxy).
// No:
//   what a proxy that was reached answers wrong (INVALID_RESPONSE,
//     EMPTY_RESPONSE, RESPONSE_HEADERS_TOO_BIG, HTTP2_PROTOCOL_ERROR and the
//     other SPDY/HTTP2 errors): the proxy's own error, shown as it is, as
//     Chromium does;
//   TUNNEL_CONNECTION_FAILED: the proxy answered and refused the CONNECT;
//     PAC setups rely on that to block content (Chromium, crbug.com/680837).
//   HTTP_1_1_REQUIRED / PROXY_HTTP_1_1_REQUIRED: handled by reconnecting to
//     the same proxy with HTTP/1.1 only, not by changing proxy.
//   the other SOCKS replies (the proxy reached and named what is wrong with
//     the target or its rules, like a refused CONNECT), SOCKS_AUTH_FAILED and
//     SOCKS_NO_ACCEPTABLE_METHOD (credentials, as PROXY_AUTH_REQUESTED);
//   PROXY_AUTH_REQUESTED and other auth errors, certificate errors of the
//     origin (CERT_*), and everything else: another proxy would not help.
bool cn_proxy_error_allows_fallback(int err);

// The decision itself: true when the request's connection failed with |err|
// at |hop| (net/base/error_hop.h: a proxy's index in the chain, or
// CN_HOP_ORIGIN / CN_HOP_UNSET) and the next chain should be
// tried — a proxy failed, with an error of the list above. A failure of the
// origin (e.g. its TLS inside the tunnel, which may well be a reset or a
// TLS protocol error) never falls back: another proxy would reach the same
// origin.
bool cn_proxy_hop_failure_allows_fallback(int err, int hop);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_FALLBACK_H_
