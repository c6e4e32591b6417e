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

#ifdef __cplusplus
extern "C" {
#endif

// True when a request that failed with |err| through a proxy chain, before
// any byte of the response, should be retried through the next chain.
//
// Yes (the proxy could not be reached or is not the proxy we expected):
//   PROXY_CONNECTION_FAILED, NAME_NOT_RESOLVED (also the proxy's name; and
//   some URLs only resolve through a proxy), INTERNET_DISCONNECTED,
//   ADDRESS_UNREACHABLE, CONNECTION_CLOSED / _RESET / _REFUSED / _ABORTED /
//   _TIMED_OUT / _FAILED, TIMED_OUT, PROXY_CERTIFICATE_INVALID (e.g. a
//   captive portal answering TLS) and SSL_PROTOCOL_ERROR (TLS spoken to a
//   non-TLS server); SOCKS_CONNECTION_FAILED (a SOCKS proxy's "general
//   failure", as Chromium) and SOCKS_MALFORMED_REPLY (that is no SOCKS5 proxy).
// No:
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
// at |hop| (net/socket/connect_job.h: a proxy's index in the chain, or a
// negative value for the origin or no peer) and the next chain should be
// tried — a proxy failed, with an error of the list above. A failure of the
// origin (e.g. its TLS inside the tunnel, which may well be a reset or a
// TLS protocol error) never falls back: another proxy would reach the same
// origin.
bool cn_proxy_hop_failure_allows_fallback(int err, int hop);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_FALLBACK_H_
