// Private to net/socket/ssl_socket.c: certificate verification for TLS
// clients, and the certificate fields cn_ssl_socket_get_info reports.
//
// BoringSSL's built-in verifier stops at the first problem. Instead the
// socket installs cn_ssl_cert_verify_peer as its custom verify callback: it
// runs X509_verify_cert against the context's trust store with a callback
// that records every problem (invalid, authority, name, date) and reports
// the most serious, in Chromium's order, as CN_ERR_CERT_*: kept in the
// socket's |cert_error| for the handshake's error, logged as
// SSL_CERT_VERIFY_FAILED with the leaf's subject and the first problem's
// detail, and sent to the server as the matching alert. Only
// subjectAltNames are matched against the host (as browsers do since 2017);
// an IP-literal host is matched against IP addresses.
//
// Ownership: nothing is kept beyond the socket's |cert_error|,
// |verify_problems| and |verify_detail|; the parsed certificates are freed
// before the callback returns.
#ifndef CNET_NET_SOCKET_SSL_CERT_VERIFY_H_
#define CNET_NET_SOCKET_SSL_CERT_VERIFY_H_

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#ifdef __cplusplus
extern "C" {
#endif

// BoringSSL's custom verify callback for a client's SSL (SSL_set_custom_verify);
// the SSL's app data is its ssl_socket.
enum ssl_verify_result_t cn_ssl_cert_verify_peer(SSL *ssl, uint8_t *out_alert);
// Writes |name| in RFC 2253 form into |out| (|size| bytes, truncated, always
// NUL-terminated; empty if it cannot be printed).
void cn_ssl_cert_name_to_str(const X509_NAME *name, char *out, size_t size);
// Writes |t| as ASN1_TIME_print does ("Jan  1 00:00:00 2030 GMT") into
// |out|, as cn_ssl_cert_name_to_str does.
void cn_ssl_cert_time_to_str(const ASN1_TIME *t, char *out, size_t size);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_SSL_CERT_VERIFY_H_
