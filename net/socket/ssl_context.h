// A TLS context: what many TLS connections share. A client context holds
// the trust anchors and the session cache; a server context holds the
// certificate chain and key (and BoringSSL's session ticket keys, so clients
// can resume against it).
//
// The session cache is keyed by a string the caller chooses for each
// connection (cn_ssl_socket_params.session_key). The pools use keys such as
// "proxy|proxy.test:443|<chain>" and "origin|origin.test:443|<chain>", so a
// session with a proxy is never offered to an origin behind it, nor the
// reverse. TLS 1.3 tickets are used once each (RFC 8446 C.4); a TLS 1.2
// session is reused until it expires. Each key keeps its two newest sessions
// and the cache keeps the most recently used keys (LRU).
//
// Ownership: cn_ssl_*_context_new() return a context with one reference,
// released with cn_ssl_context_unref(). Every TLS socket made with the
// context holds its own reference, so the creator may drop its reference
// while sockets still use it. Single-threaded like the rest of cnet.
#ifndef CNET_NET_SOCKET_SSL_CONTEXT_H_
#define CNET_NET_SOCKET_SSL_CONTEXT_H_

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// The Debian/Ubuntu system trust store, used when no CA is given.
#define CN_SSL_SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

typedef struct cn_ssl_context cn_ssl_context;

typedef struct cn_ssl_client_context_options {
  // Trust anchors. |ca_file| is a PEM bundle on disk, |ca_pem| PEM text in
  // memory (NUL-terminated); when both are given both are trusted. When
  // neither is, CN_SSL_SYSTEM_CA_FILE is loaded.
  const char *ca_file;
  const char *ca_pem;
  // Accept a peer whose certificate fails verification (curl's -k). The
  // check still runs and logs SSL_CERT_VERIFY_FAILED, so the failure stays
  // visible; only the handshake goes on. Never the default: an application
  // sets it per hop (origins, proxies) on an explicit user request.
  bool verify_disabled;
  // How many session keys the cache holds; 0 means 256.
  size_t session_cache_size;
} cn_ssl_client_context_options;

// Makes a client context. |options| may be NULL (system trust store).
// Returns CN_OK with *out set, or CN_ERR_FILE_NOT_FOUND (missing CA file),
// CN_ERR_INVALID_ARGUMENT (no certificate in the PEM).
int cn_ssl_client_context_new(const cn_ssl_client_context_options *options, cn_ssl_context **out);

// Makes a server context from a PEM certificate chain (leaf first, then
// intermediates) and the leaf's PEM private key (PKCS#8, or the traditional
// EC/RSA forms). Returns CN_OK with *out set, or CN_ERR_INVALID_ARGUMENT
// (unparsable PEM, or a key that does not match the certificate).
int cn_ssl_server_context_new(const char *cert_chain_pem, const char *key_pem,
                              cn_ssl_context **out);

cn_ssl_context *cn_ssl_context_ref(cn_ssl_context *ctx);
// Accepts NULL.
void cn_ssl_context_unref(cn_ssl_context *ctx);

bool cn_ssl_context_is_server(const cn_ssl_context *ctx);

// Session cache inspection and control (client contexts; a server context
// reports 0 and ignores clear).
// How many sessions are cached under |key|.
size_t cn_ssl_context_session_count(const cn_ssl_context *ctx, const char *key);
// Forgets every cached session, e.g. when the user clears browsing data.
void cn_ssl_context_clear_sessions(cn_ssl_context *ctx);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_SSL_CONTEXT_H_
