// Private glue between ssl_context.c and ssl_socket.c (with its transport
// side, ssl_transport_pump.c); not for other users.
//
// The context owns the BoringSSL SSL_CTXs, the trust store, the BIO method
// and the session cache. Callbacks that BoringSSL can only install on an
// SSL_CTX but that need a connection's settings (ALPN/NPN choice, new
// sessions) live in ssl_socket.c, which knows the connection; ssl_context.c
// installs them.
#ifndef CNET_NET_SOCKET_SSL_INTERNAL_H_
#define CNET_NET_SOCKET_SSL_INTERNAL_H_

#include <stdbool.h>

#include <openssl/base.h>

#include "net/socket/ssl_context.h"

// ssl_context.c.
// A new SSL for one connection. |variant| picks the SSL_CTX variant: for a
// client, one that offers NPN; for a server, one that ignores ALPN (see
// cn_ssl_context in ssl_context.c for why these need their own SSL_CTX).
SSL *cn_ssl_context_new_ssl_(cn_ssl_context *ctx, bool variant);
X509_STORE *cn_ssl_context_trust_store_(cn_ssl_context *ctx);
// The client context accepts certificates that fail verification (-k).
bool cn_ssl_context_verify_disabled_(const cn_ssl_context *ctx);
const BIO_METHOD *cn_ssl_context_bio_method_(cn_ssl_context *ctx);
// A session to offer for |key| (a new reference), or NULL. Single-use
// (TLS 1.3) sessions are removed from the cache as they are handed out.
SSL_SESSION *cn_ssl_context_take_session_(cn_ssl_context *ctx, const char *key);
// Stores |session| under |key|; takes ownership of the caller's reference.
void cn_ssl_context_put_session_(cn_ssl_context *ctx, const char *key, SSL_SESSION *session);

// ssl_transport_pump.c: the BIO's data path (the socket's ciphertext
// buffers; see ssl_transport_pump.h).
int cn_ssl_bio_read_(BIO *bio, char *out, int len);
int cn_ssl_bio_write_(BIO *bio, const char *in, int len);
long cn_ssl_bio_ctrl_(BIO *bio, int cmd, long larg, void *parg);
// ssl_socket.c: SSL_CTX callbacks; each finds its connection with
// SSL_get_app_data().
int cn_ssl_on_new_session_(SSL *ssl, SSL_SESSION *session);
int cn_ssl_on_alpn_select_(SSL *ssl, const uint8_t **out, uint8_t *out_len, const uint8_t *in,
                           unsigned in_len, void *arg);
int cn_ssl_on_npn_advertise_(SSL *ssl, const uint8_t **out, unsigned *out_len, void *arg);
int cn_ssl_on_npn_select_(SSL *ssl, uint8_t **out, uint8_t *out_len, const uint8_t *in,
                          unsigned in_len, void *arg);

#endif  // CNET_NET_SOCKET_SSL_INTERNAL_H_
